/*
 * fuzz_readme.c - libFuzzer target: any bytes as a readme must be refused
 * by the text check (invalid UTF-8, control characters) with a message, or
 * render through cmark; never crash, hang or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "jsonpos.h"
#include "manifest.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;

	if (text_check("readme.md", text, size))
		free(markdown_html(text, size));
	return 0;
}
