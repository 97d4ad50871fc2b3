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
	cmark_node *doc, *n;
	cmark_iter *it;
	cmark_event_type ev;
	char *html, *copy;
	int level;

	/*
	 * CMARK_OPT_DEFAULT is safe since cmark 0.29: raw HTML becomes a
	 * comment and links or images with javascript:, vbscript:, file: or
	 * non-image data: URLs lose their URL.  Never CMARK_OPT_UNSAFE.
	 */
	doc = cmark_parse_document(text, len, CMARK_OPT_DEFAULT | CMARK_OPT_SMART);
	/* The page has its own <h1>: a readme's headings go one level down. */
	it = cmark_iter_new(doc);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(n) ==
		    CMARK_NODE_HEADING && (level = cmark_node_get_heading_level(n)) < 6)
			cmark_node_set_heading_level(n, level + 1);
	}
	cmark_iter_free(it);
	html = cmark_render_html(doc, CMARK_OPT_DEFAULT);
	cmark_node_free(doc);
	copy = xstrdup(html);
	free(html);
	return copy;
}
