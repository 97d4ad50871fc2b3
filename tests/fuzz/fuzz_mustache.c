/*
 * fuzz_mustache.c - libFuzzer target: the input's first line is a JSON
 * context, the rest a template; compiling and rendering (strict and
 * lenient, both escapes, the template as its own partial) must never
 * crash, hang or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mustache.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct tmpl *self;

static const struct tmpl *
partial(void *arg, const char *name)
{
	(void)arg;
	return strcmp(name, "self") == 0 ? self : NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	struct render_opts ro = { partial, NULL, 0 };
	struct buf out = { 0 };
	struct tmpl *t;
	json_t *ctx;
	size_t clen = nl ? (size_t)(nl - (const char *)data) : 0;
	int esc;

	if ((ctx = json_loadb((const char *)data, clen, JSON_DECODE_ANY, NULL)) == NULL)
		ctx = json_object();
	for (esc = 0; esc < 2; esc++) {
		t = tmpl_compile("fuzz.mustache", (const char *)data + clen,
		    size - clen, esc ? MESC_HTML : MESC_NONE);
		if (t == NULL)
			continue;
		self = t;
		ro.lenient = esc;
		buf_reset(&out);
		(void)tmpl_render(t, ctx, &ro, &out);
		tmpl_free(t);
	}
	self = NULL;
	buf_free(&out);
	json_decref(ctx);
	return 0;
}
