/*
 * mustache.h - Mustache templates, compiled once, run many times (mustache.c).
 *
 * The public Mustache spec without lambdas: variables, {{{raw}}}, {{&raw}},
 * dotted names, {{.}}, sections over lists, objects and booleans, inverted
 * sections, comments, partials (with standalone indentation), set
 * delimiters, standalone-line rules.  Contexts are jansson values.
 */
#ifndef MUSTACHE_H
#define MUSTACHE_H

#include "gen.h"

enum mesc {
	MESC_NONE,	/* Dockerfiles, plain text: {{x}} is written as is */
	MESC_HTML	/* {{x}} escapes & < > " ' ` = for HTML text and attributes */
};

struct tmpl;

/* Finds a partial by name; returns a compiled template (borrowed: the
 * loader keeps ownership) or NULL if there is none. */
typedef const struct tmpl *(*partial_fn)(void *arg, const char *name);

/* Compile template text.  name is used in messages ("name:line:col: ...").
 * Returns NULL after reporting with EXIT_DATAERR (unclosed tag or section,
 * mismatched section end, bad delimiter change). */
struct tmpl	*tmpl_compile(const char *name, const char *text, size_t len,
		    enum mesc);
/* Compile a file; name in messages is the path. */
struct tmpl	*tmpl_load(const char *path, enum mesc);
/* From now on tmpl_load() refuses files that resolve outside root (NULL:
 * no bound), so that a link among the templates cannot publish a file
 * from elsewhere. */
void		 tmpl_confine(const char *root);
void		 tmpl_free(struct tmpl *);
const char	*tmpl_name(const struct tmpl *);

struct render_opts {
	partial_fn	 partial;	/* NULL: no partials (a {{>p}} is an error unless lenient) */
	void		*partial_arg;
	int		 lenient;	/* 1: unknown names render empty (spec mode) */
};

/* Render t with ctx, appending to out.  Returns 1, or 0 after reporting
 * "template:line:col: name 'x' resolves nowhere" (EXIT_DATAERR) or a
 * missing partial, or recursion deeper than 100 partials.  On failure out
 * may hold partial output: callers discard it. */
int		 tmpl_render(const struct tmpl *t, json_t *ctx,
		    const struct render_opts *, struct buf *out);

/*
 * A folder's templates: every NAME.mustache in it, compiled once, looked up
 * by NAME (for partials too).  A missing folder is an empty set.
 */
struct tmplset {
	size_t		  n;
	char		**name;
	struct tmpl	**t;
};
/* Returns 1, or 0 after reporting (a template that does not compile, a
 * folder that cannot be read). */
int		 tmplset_load(struct tmplset *, const char *dir, enum mesc);
const struct tmpl *tmplset_get(const struct tmplset *, const char *name);
void		 tmplset_clear(struct tmplset *);

#endif
