/*
 * markdown.c - CommonMark through cmark, with its safe defaults.
 */
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "manifest.h"

char *
markdown_html(const char *text, size_t len)
{
	char *html, *copy;

	/*
	 * CMARK_OPT_DEFAULT is safe since cmark 0.29: raw HTML becomes a
	 * comment and links or images with javascript:, vbscript:, file: or
	 * non-image data: URLs lose their URL.  Never CMARK_OPT_UNSAFE.
	 */
	html = cmark_markdown_to_html(text, len, CMARK_OPT_DEFAULT |
	    CMARK_OPT_SMART);
	copy = xstrdup(html);
	free(html);
	return copy;
}
