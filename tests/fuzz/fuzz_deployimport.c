/*
 * fuzz_deployimport.c - libFuzzer target: any bytes as an import file
 * (what gen deploy export prints, an array of records or one record) and
 * as a record file (deployments/<configId>.json) are parsed strictly or
 * refused with messages at their places; never a crash, hang or leak.
 * What is accepted is written back as its file's text and parsed again,
 * which must give the same text, with nothing secret in it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deploy.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A record's text, parsed again, gives the same text. */
static void
round_trip(const struct deployment *d)
{
	struct deployment *e;
	char *t, *u;
	size_t i;

	t = deployment_text(d);
	for (i = 0; i < d->params.n; i++)
		if (redact(d->params.v[i].key, d->params.v[i].value) !=
		    d->params.v[i].value &&
		    strcmp(d->params.v[i].value, DEPLOY_REDACTED) != 0)
			abort();	/* a secret survived */
	if ((e = deployment_parse("again", t, strlen(t),
	    d->region != NULL ? d->id : NULL)) == NULL)
		abort();	/* what gen wrote, gen refuses */
	u = deployment_text(e);
	if (strcmp(t, u) != 0)
		abort();	/* not stable */
	free(u);
	deployment_free(e);
	free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct deployset *s = calloc(1, sizeof(*s));
	struct deployment *d;
	size_t i;

	gen_verbose = -1;
	if (s == NULL)
		return 0;
	if (deploy_import_parse("import.json", (const char *)data, size, s))
		for (i = 0; i < s->n; i++)
			round_trip(s->d[i]);
	deployset_free(s);
	if ((d = deployment_parse("deployments/x.json", (const char *)data,
	    size, NULL)) != NULL) {
		round_trip(d);
		deployment_free(d);
	}
	return 0;
}
