/*
 * fuzz_doconfig.c - libFuzzer target: any bytes as a project's do/config
 * are read as data (never run) or refused with messages at their places,
 * and every value read goes through redaction; never a crash, hang or
 * leak.
 */
#include <stddef.h>
#include <stdint.h>

#include "deploy.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvlist l = { 0 };
	size_t i;

	gen_verbose = -1;
	if (doconfig_parse("do/config", (const char *)data, size, &l))
		for (i = 0; i < l.n; i++)
			(void)redact(l.v[i].key, l.v[i].value);
	kvlist_clear(&l);
	return 0;
}
