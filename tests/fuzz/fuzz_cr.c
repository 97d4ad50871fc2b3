/*
 * fuzz_cr.c - libFuzzer target for the container-registry listing: the
 * first byte chooses what the rest is (0 an entry, 1 a query filter, 2 an
 * update, modulo 3); filters are matched and updates applied against the
 * reference's example entry.  Each must be taken or refused with
 * messages, never crash, hang or leak, and nothing is evaluated.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cr.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char example[] =
    "{\"container_registry_id\": \"b3c38f52-8f2e-43a3-9aa9-bd9a4c75e509\","
    " \"container_registry_name\": \"internal-ai-registry\","
    " \"container_registry_metadata\": {\"environment\": \"production\","
    " \"owner\": \"mlops-team\", \"region\": \"us-west-2\"},"
    " \"container_registry_tags\": [\"ai\", \"training\", \"internal\","
    " \"fast-pull\"],"
    " \"container_registry_public_url\": \"http://10.13.21.22:32633\","
    " \"container_registry_image_prefix\": \"10.13.21.22:32633\","
    " \"container_registry_config\": {\"auth_required\": true,"
    " \"mirror_enabled\": false, \"storage_backend\": \"s3\","
    " \"max_layer_size_mb\": 500},"
    " \"container_registry_storage_info\": {\"storage_type\": \"s3\","
    " \"storage_size\": -1, \"memory_size\": 8192,"
    " \"registry_type\": \"aios\"}}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct crentry *base;
	struct crentry *e;
	struct crfilter *f;
	char *text;

	if (size < 1)
		return 0;
	gen_verbose = -1;
	if (base == NULL && (base = cr_parse("example.json", example,
	    strlen(example), NULL)) == NULL)
		abort();
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0:
		if ((e = cr_parse("entry.json", text, size - 1, NULL)) != NULL) {
			free(cr_text(e));
			crentry_free(e);
		}
		break;
	case 1:
		if ((f = crfilter_parse("filter.json", text, size - 1)) != NULL) {
			(void)crfilter_match(f, base);
			crfilter_free(f);
		}
		break;
	default:
		crentry_free(cr_patch(base, "patch.json", text, size - 1));
		break;
	}
	free(text);
	return 0;
}
