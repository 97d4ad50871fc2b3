/*
 * yaml.h - a YAML node tree that keeps positions (yaml.c).
 *
 * Built from libyaml's parser events.  Aliases share the anchored node
 * (reference counted, never copied); "<<" merge keys are resolved while
 * loading (one mapping or a sequence of mappings; explicit keys win; earlier
 * mappings in a merge list win over later ones; merged mappings that were
 * themselves merged carry their result).  Mapping keys are always text.
 */
#ifndef YAML_TREE_H
#define YAML_TREE_H

#include "gen.h"

enum ykind { Y_SCALAR, Y_SEQ, Y_MAP };
/* How a scalar is written. */
enum ystyle { YS_PLAIN, YS_SINGLE, YS_DOUBLE, YS_LITERAL, YS_FOLDED };

struct ynode {
	enum ykind	 kind;
	struct pos	 pos;		/* where the node starts */
	unsigned	 refs;		/* aliases share nodes */
	unsigned char	 pooled;	/* node and str live in an arena */
	/* scalars */
	char		*str;		/* the text, NUL-terminated */
	size_t		 len;		/* may contain NUL bytes */
	int		 plain;		/* 1: plain style (untagged), typed by the core schema */
	enum ystyle	 style;
	unsigned	 indent;	/* literal block scalars: the column where
					   their text starts (after the block's
					   indentation); 0 when unknown */
	char		*tag;		/* explicit tag as resolved by libyaml
					   ("tag:yaml.org,2002:str" for !!str, "!"
					   for the non-specific tag), or NULL; only
					   the core schema's tags get this far */
	/* sequences: items[0..n); mappings: keys[i] -> items[i] */
	size_t		 n;
	struct ynode   **items;
	struct ynode   **keys;		/* mappings only; scalar nodes */
	/* mappings: the mappings merged in with "<<" (in order; each holds a
	   reference, dropped by ynode_free) */
	size_t		 nmerged;
	struct ynode   **merged;
	/* private to yaml.c */
	size_t		 weight;	/* nodes reached when fully expanded */
	unsigned	 height;	/* levels below and including this one */
	size_t		*order;		/* mappings: entry indices sorted by key */
	struct arena	*arena;		/* the root's: pooled nodes, freed with it */
};

/* Parse the first document of a file (or of a buffer, named name for
 * messages).  Returns the root (a mapping, sequence or scalar; an empty
 * document yields an empty scalar), or NULL after reporting with
 * EXIT_DATAERR (EXIT_NOINPUT/EXIT_IOERR for a file that cannot be read).
 * Errors: syntax (libyaml's message and place), duplicate keys, undefined
 * aliases, non-scalar keys, bad merge values, expansion beyond
 * YAML_MAX_NODES (alias bombs), nesting deeper than YAML_MAX_DEPTH (also
 * through aliases, so code may recurse over a tree without care), tags
 * other than the core schema's (!!str, !!int, !!float, !!bool, !!null,
 * !!seq, !!map, the non-specific "!", and !!merge on a "<<" key), and a
 * core tag on a node it does not fit (!!int abc, !!map on a sequence). */
#define YAML_MAX_NODES 1000000
#define YAML_MAX_DEPTH 1000
struct ynode	*yaml_load_file(const char *path);
struct ynode	*yaml_load_buf(const char *name, const char *buf, size_t len);
void		 ynode_free(struct ynode *);	/* drops one reference */

/* The value of key in a mapping, or NULL (borrowed).  O(log n). */
struct ynode	*ymap_get(const struct ynode *map, const char *key);

/* Is the scalar null by the core schema (plain "", "~", "null", "Null",
 * "NULL")? */
int		 yscalar_is_null(const struct ynode *);
/* Kind as a word for messages: "a string", "a mapping", "a sequence",
 * "an integer", "a float", "a boolean", "null" (scalars typed by the core
 * schema: plain 123 is an integer, "123" and !!str 123 are strings). */
const char	*ynode_what(const struct ynode *);
/* Is n a scalar that the core schema types as a string? */
int		 yscalar_is_str(const struct ynode *);

/* The place of line k (0-based) of a scalar's text, at the line's first
 * non-blank character.  Exact for literal block scalars ("|": line k of
 * the text is the k-th line after the indicator); for other styles, where
 * lines are folded or escaped, it is the scalar's own place.  Returns 1
 * when the place is exact, 0 otherwise. */
int		 yscalar_line_pos(const struct ynode *, size_t k, struct pos *);

/* The resolved tree as JSON: scalars typed by the YAML 1.2 core schema
 * (null, true/false, int, float) plus True/False/TRUE/FALSE; quoted or
 * !!str scalars are strings; keys as text.  New reference. */
json_t		*ynode_to_json(const struct ynode *);

#endif
