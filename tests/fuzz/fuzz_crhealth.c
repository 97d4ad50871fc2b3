/*
 * fuzz_crhealth.c - libFuzzer target: the bytes as the last health results
 * (registries/container-registries-health.json, which the build reads).
 * The file must be read or refused with messages, never crash, hang or
 * leak; a file that is read must write over itself (every id listed,
 * none checked) and read back to the same results.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cr.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char *in;

static void
same(const struct crlastset *a, const struct crlastset *b)
{
	size_t i;

	if (b == NULL || a->n != b->n)
		abort();
	for (i = 0; i < a->n; i++)
		if (strcmp(a->r[i].id, b->r[i].id) != 0 ||
		    a->r[i].healthy != b->r[i].healthy ||
		    a->r[i].status != b->r[i].status ||
		    a->r[i].api_v2 != b->r[i].api_v2 ||
		    strcmp(a->r[i].reason, b->r[i].reason) != 0 ||
		    strcmp(a->r[i].checked_at, b->r[i].checked_at) != 0)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crlastset *s = NULL, *t = NULL;
	struct crentry *e;
	struct crlist l = { 0 };
	FILE *f;
	size_t i;

	if (in == NULL) {
		in = xasprintf("/tmp/fuzz_crhealth.%ld.json", (long)getpid());
	}
	if ((f = fopen(in, "w")) == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (cr_health_read(in, &s) && s != NULL) {
		e = xcalloc(s->n + 1, sizeof(*e));
		for (i = 0; i < s->n; i++)
			e[i].id = s->r[i].id;
		l.n = s->n;
		l.e = e;
		/* Nothing checked: every result is kept from the file. */
		if (!cr_health_write(in, &l, NULL, 0, NULL, 0) ||
		    !cr_health_read(in, &t))
			abort();
		same(s, t);
		crlastset_free(t);
		free(e);
	}
	crlastset_free(s);
	unlink(in);
	return 0;
}
