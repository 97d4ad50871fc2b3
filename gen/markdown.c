/*
 * markdown.c - CommonMark through cmark, with its safe defaults.  cmark
 * allocates through gen's xcalloc/xrealloc (which end the run cleanly when
 * memory runs out), and every result it hands back is checked all the same.
 */
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "manifest.h"

static void *
md_calloc(size_t n, size_t size)
{
	return xcalloc(n ? n : 1, size ? size : 1);
}

static void *
md_realloc(void *p, size_t size)
{
	return xrealloc(p, size ? size : 1);
}

static cmark_mem md_mem = { md_calloc, md_realloc, free };

/*
 * Readme text (checked by the caller: UTF-8, no control characters) to
 * HTML.  Returns a string the caller frees, or NULL when cmark could not
 * make one (out of memory); the caller reports it, as it knows the file.
 */
char *
markdown_html(const char *text, size_t len)
{
	cmark_parser *parser;
	cmark_node *doc, *n;
	cmark_iter *it;
	cmark_event_type ev;
	char *html = NULL;
	int level;

	/*
	 * CMARK_OPT_DEFAULT is safe since cmark 0.29: raw HTML becomes a
	 * comment and links or images with javascript:, vbscript:, file: or
	 * non-image data: URLs lose their URL.  Never CMARK_OPT_UNSAFE.
	 */
	if ((parser = cmark_parser_new_with_mem(CMARK_OPT_DEFAULT |
	    CMARK_OPT_SMART, &md_mem)) == NULL)
		return NULL;
	cmark_parser_feed(parser, text, len);
	doc = cmark_parser_finish(parser);
	cmark_parser_free(parser);
	if (doc == NULL)
		return NULL;
	/* The page has its own <h1>: a readme's headings go one level down. */
	if ((it = cmark_iter_new(doc)) == NULL)
		goto out;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		if (ev == CMARK_EVENT_ENTER && cmark_node_get_type(n) ==
		    CMARK_NODE_HEADING && (level = cmark_node_get_heading_level(n)) < 6)
			cmark_node_set_heading_level(n, level + 1);
	}
	cmark_iter_free(it);
	/* Allocated with the document's allocator, md_mem: free() frees it. */
	html = cmark_render_html(doc, CMARK_OPT_DEFAULT);
out:
	cmark_node_free(doc);
	return html;
}
