/*
 * main.c - options, dispatch, exit statuses.  The only file that exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "manifest.h"
#include "mustache.h"
#include "yaml.h"

#define GEN_VERSION "0.1.0"

enum op { OP_NONE, OP_BUILD, OP_DOCKER, OP_INDEX, OP_SITE, OP_CHECK,
    OP_VALIDATE, OP_MANIFEST, OP_RENDER, OP_VERIFY };

static const struct { const char *name; enum op op; } ops[] = {
	{ "build", OP_BUILD }, { "docker", OP_DOCKER }, { "index", OP_INDEX },
	{ "site", OP_SITE }, { "check", OP_CHECK }, { "validate", OP_VALIDATE },
	{ "manifest", OP_MANIFEST }, { "render", OP_RENDER },
	{ "verify", OP_VERIFY }, { NULL, OP_NONE }
};

struct opts {
	const char	*manifest, *packages, *site, *generated, *templates;
	const char	*partials, *cache;
	int		 jobs, lenient, no_cache, no_wait;
};

/* gen's own state (lock, journal), in the folder it runs in. */
#define STATE_DIR ".gen"

static const char usage_text[] =
"usage: gen [-C dir] [-m manifest.yml] [-p packages/] [-o site/] [-g generated/]\n"
"           [-t templates/] [-j jobs] [-q | -v] [--no-cache] [--cache file]\n"
"           [--no-wait]\n"
"           command [argument ...]\n"
"\n"
"commands:\n"
"  build        everything: the Dockerfiles, engines.json and the catalog\n"
"  docker       the Dockerfiles and generated/images.json\n"
"  index        site/engines.json (and its JSON Schema) from the packages\n"
"  site         the HTML catalog in the site folder, from site/engines.json\n"
"  check        build in memory and compare with the disk (generated/, and\n"
"               site/ when it exists); write nothing; exit 1 listing stale,\n"
"               missing and extra files\n"
"  validate     check manifest.yml and every member of every package; write\n"
"               nothing\n"
"  verify [dir] check dir/engines.json (default: the site folder) against the\n"
"               packages: every file present, sizes and SHA-256; exit 1\n"
"               naming each mismatch\n"
"  manifest     print the resolved manifest as JSON (anchors, aliases and\n"
"               merges applied; keys as text)\n"
"  render TEMPLATE [CONTEXT.json|CONTEXT.yml] [--partials DIR] [--lenient]\n"
"               render one Mustache template (HTML-escaped when its name\n"
"               ends in .html.mustache or .html); partials come from DIR\n"
"               (default: the template's folder), then DIR/../_shared\n"
"\n"
"options:\n"
"  -C dir       run in dir (all other paths are relative to it)\n"
"  -m file      the manifest (default manifest.yml)\n"
"  -g dir       the Dockerfile output folder (default generated)\n"
"  -t dir       the templates folder (default templates)\n"
"  -p dir       the packages folder (default packages)\n"
"  -o dir       the site output folder (default site)\n"
"  -j jobs      worker threads (default: the number of cores)\n"
"  -q           print nothing but errors\n"
"  -v           say what is being done\n"
"  --no-cache   read every package, ignoring the package cache\n"
"  --cache file the package cache (default PACKAGES/.gen-cache)\n"
"  --no-wait    when another gen run holds this tree's lock (.gen/lock),\n"
"               stop with status 75 instead of waiting for it\n"
"  -h, --help   this text;  --version  the version\n"
"\n"
"exit status: 0 ok; 1 check or verify found a difference; 2 usage;\n"
"65 bad input data; 66 input missing; 74 I/O error or out of memory;\n"
"75 another run holds the lock (--no-wait).\n";

static void
usage(FILE *f)
{
	fputs(usage_text, f);
}

static int
print_manifest(const struct opts *o)
{
	struct ynode *root;
	json_t *j;
	int ok;

	if ((root = yaml_load_file(o->manifest)) == NULL)
		return 0;
	j = ynode_to_json(root);
	ok = json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(15)) == 0;
	putchar('\n');
	json_decref(j);
	ynode_free(root);
	if (!ok || fflush(stdout) == EOF || ferror(stdout)) {
		diag_errno("stdout", 0, "write");
		return 0;
	}
	return 1;
}

/* Partials for gen render: the first folder that has the name wins. */
static const struct tmpl *
render_partial(void *arg, const char *name)
{
	const struct tmplset *p = arg;
	const struct tmpl *t;

	if ((t = tmplset_get(&p[0], name)) == NULL)
		t = tmplset_get(&p[1], name);
	return t;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int
render(const struct opts *o, int argc, char **argv)
{
	struct tmplset parts[2] = { { 0 }, { 0 } };
	struct render_opts ro = { 0 };
	enum mesc esc;
	struct buf out = { 0 };
	struct tmpl *t = NULL;
	struct ynode *y;
	json_error_t je;
	json_t *ctx = NULL;
	char *dir = NULL, *shared = NULL;
	int ok = 0;

	esc = ends_with(argv[0], ".html.mustache") || ends_with(argv[0], ".html") ?
	    MESC_HTML : MESC_NONE;
	if ((t = tmpl_load(argv[0], esc)) == NULL)
		goto out;
	if (argc < 2)
		ctx = json_object();
	else if (ends_with(argv[1], ".yml") || ends_with(argv[1], ".yaml")) {
		if ((y = yaml_load_file(argv[1])) == NULL)
			goto out;
		ctx = ynode_to_json(y);
		ynode_free(y);
	} else if ((ctx = json_load_file(argv[1], 0, &je)) == NULL) {
		if (access(argv[1], R_OK) == -1)
			diag_errno(argv[1], 1, "cannot open");
		else
			diag(EXIT_DATAERR, &(struct pos){ intern(argv[1]),
			    (unsigned)je.line, (unsigned)je.column }, "%s", je.text);
		goto out;
	}
	if (o->partials != NULL)
		dir = xstrdup(o->partials);
	else {
		dir = xstrdup(argv[0]);
		if (strrchr(dir, '/') != NULL)
			*strrchr(dir, '/') = '\0';
		else
			strcpy(dir, ".");
	}
	/* Partials as gen finds them: the folder, then its sibling _shared
	 * (templates/docker/FAMILY, then templates/docker/_shared). */
	shared = xasprintf("%s/../_shared", dir);
	if (!tmplset_load(&parts[0], dir, esc) ||
	    !tmplset_load(&parts[1], shared, esc))
		goto out;
	ro.partial = render_partial;
	ro.partial_arg = parts;
	ro.lenient = o->lenient;
	if (!tmpl_render(t, ctx, &ro, &out))
		goto out;
	if (fwrite(out.s, 1, out.len, stdout) != out.len || fflush(stdout) == EOF) {
		diag_errno("stdout", 0, "write");
		goto out;
	}
	ok = 1;
out:
	buf_free(&out);
	json_decref(ctx);
	tmpl_free(t);
	tmplset_clear(&parts[0]);
	tmplset_clear(&parts[1]);
	free(shared);
	free(dir);
	return ok;
}

static long long
mtime_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_mtim.tv_sec : 0;
}

/*
 * The salt of the package fingerprint: everything besides the packages
 * that engines.json depends on (the manifest, SOURCE_DATE_EPOCH, gen).
 */
static char *
index_salt(const struct opts *o)
{
	struct buf b = { 0 };
	char sum[65], self[65] = "";
	const char *sde = getenv("SOURCE_DATE_EPOCH");

	/* This very program: any change to gen makes a new index. */
	if (read_file_opt("/proc/self/exe", &b) == 1)
		sha256_hex(b.s, b.len, self);
	if (!read_file_max(o->manifest, &b, GEN_MAX_MANIFEST)) {
		buf_free(&b);
		return NULL;
	}
	sha256_hex(b.s, b.len, sum);
	buf_free(&b);
	return xasprintf("gen %s %s\nmanifest %s\nSOURCE_DATE_EPOCH %s\n",
	    GEN_VERSION, self, sum, sde ? sde : "");
}

/*
 * The last index's stamp (STATE/index-HASH: the fingerprint of its inputs
 * and the SHA-256 of the engines.json it wrote).  When engines.json is
 * still those bytes, its fingerprint is returned and *prev holds them.
 */
static char *
stamp_read(const struct opts *o, struct buf *prev)
{
	struct buf st = { 0 };
	char *path, fp[65], digest[65], sum[65], *ret = NULL;

	path = out_state_path("index", o->site);
	if (read_file_opt(path, &st) != 1 ||
	    sscanf(st.s, "gen-index 1 %64s %64s", fp, digest) != 2)
		goto out;
	free(path);
	path = xasprintf("%s/engines.json", o->site);
	if (read_file_opt_max(path, prev, GEN_MAX_INDEX) != 1)
		goto out;
	sha256_hex(prev->s, prev->len, sum);
	if (strcmp(sum, digest) == 0)
		ret = xstrdup(fp);
out:
	free(path);
	buf_free(&st);
	return ret;
}

/*
 * engines.json and its schema into the site's output set.  Every package
 * is read whole and every member checked (package_read).
 * When nothing the index depends on changed since the last one (same
 * packages by path, size, mtime and inode; same manifest; same
 * SOURCE_DATE_EPOCH), the last engines.json is kept as it is.
 */
static int
make_index(const struct opts *o, const struct manifest *m, int write_cache,
    struct outset *site, json_t **index, struct outset **cacheset)
{
	struct scanopts so = { 0 };
	struct pkgrules rules;
	struct scan *s = NULL;
	struct buf b = { 0 }, prev = { 0 };
	char *prevpath = NULL, *schema, *salt = NULL, *expect = NULL, sum[65];
	int ok = 0;

	so.dir = o->packages;
	so.cache = o->cache;
	so.use_cache = !o->no_cache;
	so.write_cache = write_cache && !o->no_cache;
	so.jobs = o->jobs;
	rules.nplat = m->nplat;
	rules.plat = m->plat;
	rules.engines = m->engine_ids;
	if (site != NULL) {
		if ((salt = index_salt(o)) == NULL)
			goto out;
		so.salt = salt;
		if (!o->no_cache)
			so.expect = expect = stamp_read(o, &prev);
	}
	if ((s = scan_packages(&so, &rules)) == NULL)
		goto out;
	if (site == NULL) {
		if (gen_verbose >= 0)
			fprintf(stderr, "gen: %s: ok: %zu engine packages, every "
			    "member checked\n", o->packages, s->n);
		ok = 1;
		goto out;
	}
	prevpath = xasprintf("%s/engines.json", o->site);
	if (s->unchanged) {
		/* The last index, kept: read back, so checked like any input. */
		buf_add(&b, prev.s, prev.len);
		if (index != NULL && (*index = index_load_buf(prevpath, prev.s,
		    prev.len, &rules)) == NULL)
			goto out;
	} else {
		if (!index_build(m, s, prevpath, mtime_of(o->manifest), &b, index))
			goto out;
	}
	sha256_hex(b.s, b.len, sum);
	outset_add(site, "engines.json", &b);
	/* The stamp is bookkeeping, like the cache: check does not compare it. */
	if (write_cache) {
		char *stamp = out_state_path("index", o->site);

		buf_printf(&b, "gen-index 1 %s %s\n", s->fingerprint, sum);
		outset_add_state(site, stamp, &b);
		free(stamp);
	}
	schema = xasprintf("%s/site/schema/engines.schema.json", o->templates);
	ok = read_file_max(schema, &b, GEN_MAX_TEMPLATE);
	free(schema);
	if (ok)
		outset_add(site, "schema/engines.schema.json", &b);
	/* The cache is committed with the outputs, or not at all. */
	if (ok && cacheset != NULL && s->cache.len > 0) {
		char *dir = xstrdup(s->cache_path), *slash = strrchr(dir, '/');

		if (slash != NULL)
			*slash = '\0';
		*cacheset = outset_new(slash == NULL ? "." : slash == dir ? "/" : dir);
		outset_add(*cacheset, slash ? slash + 1 : s->cache_path, &s->cache);
		free(dir);
	}
out:
	scan_free(s);
	buf_free(&b);
	buf_free(&prev);
	free(prevpath);
	free(expect);
	free(salt);
	return ok;
}

/* ---- folders and files that must not meet ------------------------------ */

struct place {
	const char	*what;		/* "-o", "the manifest (-m"... */
	const char	*given;		/* as the user wrote it */
	char		*canon;
};

static int
overlap(const char *a, const char *b)
{
	return path_within(a, b) || path_within(b, a);
}

/* Does an existing file at path look like anything but gen's cache? */
static int
not_a_cache(const char *path)
{
	char head[16];
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return errno != ENOENT;
	r = read(fd, head, sizeof(head));
	close(fd);
	return r < 11 || memcmp(head, "gen-cache 1", 11) != 0;
}

/*
 * Before anything is written: the output folders must not overlap each
 * other or any input (the manifest, the packages, the templates, the
 * readmes), and the cache must be no input and no output.  Usage errors.
 */
static int
check_places(const struct opts *o, const struct manifest *m, int docker,
    int site)
{
	struct place out[2], in[64];
	size_t nout = 0, nin = 0, i, j;
	char *cache = NULL, *readme;
	int ok = 1;

	if (docker)
		out[nout++] = (struct place){ "-g", o->generated, path_canon(o->generated) };
	if (site)
		out[nout++] = (struct place){ "-o", o->site, path_canon(o->site) };
	/* "the manifest (-m" + " manifest.yml)", "a readme (" + "docs/x.md)" */
	in[nin++] = (struct place){ "the manifest (-m ", o->manifest, path_canon(o->manifest) };
	in[nin++] = (struct place){ "the packages folder (-p ", o->packages, path_canon(o->packages) };
	in[nin++] = (struct place){ "the templates folder (-t ", o->templates, path_canon(o->templates) };
	for (i = 0; i < m->neng && nin < sizeof(in) / sizeof(in[0]); i++) {
		if (m->eng[i].readme == NULL || *m->eng[i].readme == '\0')
			continue;
		readme = m->eng[i].readme[0] == '/' ? xstrdup(m->eng[i].readme) :
		    xasprintf("%s/%s", m->dir, m->eng[i].readme);
		in[nin++] = (struct place){ "a readme (", m->eng[i].readme, path_canon(readme) };
		free(readme);
	}
	if (nout == 2 && overlap(out[0].canon, out[1].canon)) {
		fprintf(stderr, "gen: -g %s and -o %s overlap: the output folders "
		    "must be apart\n", o->generated, o->site);
		ok = 0;
	}
	for (i = 0; i < nout; i++)
		for (j = 0; j < nin; j++)
			if (overlap(out[i].canon, in[j].canon)) {
				fprintf(stderr, "gen: %s %s overlaps %s%s): gen "
				    "never writes over its inputs\n", out[i].what,
				    out[i].given, in[j].what, in[j].given);
				ok = 0;
			}
	/* The cache is written whenever packages are read. */
	if (o->cache != NULL && (site || docker)) {
		cache = path_canon(o->cache);
		for (j = 0; j < nin; j++)
			if (strcmp(cache, in[j].canon) == 0 || (j == 2 &&
			    path_within(cache, in[j].canon))) {
				fprintf(stderr, "gen: --cache %s is %s%s): gen never "
				    "writes over its inputs\n", o->cache,
				    in[j].what, in[j].given);
				ok = 0;
			}
		for (i = 0; i < nout; i++)
			if (path_within(cache, out[i].canon)) {
				fprintf(stderr, "gen: --cache %s is inside the output "
				    "folder %s\n", o->cache, out[i].given);
				ok = 0;
			}
		if (ends_with(o->cache, ".baiengine")) {
			fprintf(stderr, "gen: --cache %s: a package's name; the "
			    "cache would be read as a package\n", o->cache);
			ok = 0;
		}
		if (ok && not_a_cache(o->cache)) {
			fprintf(stderr, "gen: --cache %s: the file exists and is "
			    "not a gen cache; gen will not write over it\n", o->cache);
			ok = 0;
		}
	}
	free(cache);
	for (i = 0; i < nout; i++)
		free(out[i].canon);
	for (j = 0; j < nin; j++)
		free(in[j].canon);
	if (!ok)
		gen_status = EXIT_USAGE;
	return ok;
}

static void
summary(const struct outset *o, const char *dir)
{
	size_t total, written, removed;

	if (gen_verbose < 0)
		return;
	outset_counts(o, &total, &written, &removed);
	fprintf(stderr, "gen: %s: %zu files, %zu written, %zu unchanged, %zu "
	    "removed\n", dir, total, written, total - written, removed);
}

/*
 * build, docker, index, check and validate: load the manifest, expand the
 * matrix, produce everything in memory; then compare (check), write
 * (build, docker, index) or stop (validate).  Every output set is staged
 * before any is committed, so a failed run leaves all of them whole.
 */
/*
 * gen site: the index it renders from is the one in the site folder, read
 * back as input.  Its bytes and its schema go into the site's set as they
 * are, so that the catalog's ledger lists them and a site run never prunes
 * them.  Returns the parsed index, or NULL after reporting.
 */
static json_t *
site_index(const struct opts *o, const struct manifest *m, struct outset *site)
{
	struct pkgrules rules = { m->nplat, m->plat, m->engine_ids };
	struct buf b = { 0 };
	json_t *index = NULL;
	char *path = xasprintf("%s/engines.json", o->site), *schema;
	int r;

	if ((r = read_file_opt_max(path, &b, GEN_MAX_INDEX)) == -1) {
		errno = ENOENT;
		diag_errno(path, 1, "cannot read (run gen index first, or gen "
		    "build)");
	}
	/* Read back, an index is input: checked before any rendering. */
	if (r != 1 || (index = index_load_buf(path, b.s, b.len, &rules)) == NULL)
		goto out;
	outset_add(site, "engines.json", &b);
	schema = xasprintf("%s/site/schema/engines.schema.json", o->templates);
	r = read_file_max(schema, &b, GEN_MAX_TEMPLATE);
	free(schema);
	if (!r) {
		json_decref(index);
		index = NULL;
		goto out;
	}
	outset_add(site, "schema/engines.schema.json", &b);
out:
	buf_free(&b);
	free(path);
	return index;
}

/* The folder the package cache is written in (its staging lives there). */
static char *
cache_dir(const struct opts *o)
{
	char *slash;

	if (o->cache == NULL)
		return xstrdup(o->packages);
	if ((slash = strrchr(o->cache, '/')) == NULL)
		return xstrdup(".");
	return slash == o->cache ? xstrdup("/") :
	    xstrndup(o->cache, (size_t)(slash - o->cache));
}

/*
 * gen check: compare both sets with the disk, and report what interrupted
 * runs left.  Returns 1 when everything is current.
 */
static int
check(const struct opts *o, struct outset *gen, struct outset *site)
{
	char *cachedir = cache_dir(o);
	const char *roots[3] = { o->generated, o->site, cachedir };
	long diffs = 0, d;

	d = out_leftovers(roots, 3);
	free(cachedir);
	if ((diffs = outset_check(gen)) < 0 ||
	    (site != NULL && (d += outset_check(site)) < 0))
		return 0;
	diffs += d;
	if (diffs > 0) {
		fprintf(stderr, "gen: check: %ld file%s differ%s from what "
		    "the inputs produce; run gen build\n", diffs,
		    diffs == 1 ? "" : "s", diffs == 1 ? "s" : "");
		if (gen_status < EXIT_DIFF)
			gen_status = EXIT_DIFF;
	} else if (gen_verbose >= 0)
		fprintf(stderr, "gen: check: %s%s%s is current\n",
		    o->generated, site ? " and " : "", site ? o->site : "");
	return diffs == 0;
}

/*
 * build, docker, index, site, check and validate: lock the tree, load the
 * manifest, expand the matrix, produce everything in memory; then compare
 * (check), write (build, docker, index, site) or stop (validate).  Every
 * output set is staged before any is committed, and all are committed as
 * one journaled step, so a failed or interrupted run leaves them whole.
 */
static int
run(const struct opts *o, enum op op)
{
	char *cachedir = cache_dir(o);
	const char *roots[3] = { o->generated, o->site, cachedir };
	struct manifest *m = NULL;
	struct matrix *mx = NULL;
	struct outset *sets[3] = { NULL, NULL, NULL }, *gen, *site;
	struct stat st;
	json_t *index = NULL;
	char *tdir = NULL;
	int ok = 0, want_docker, want_index, want_site, have_site, prune[3];

	/* One run at a time on a tree; a writer first finishes what a
	 * killed run left. */
	if (op != OP_VALIDATE && !out_lock(op != OP_CHECK, o->no_wait))
		goto out;
	if (op != OP_VALIDATE && op != OP_CHECK && !out_recover(roots, 3))
		goto out;
	have_site = stat(o->site, &st) == 0;
	want_docker = op != OP_INDEX;
	want_index = op == OP_BUILD || op == OP_INDEX || (op == OP_CHECK && have_site);
	want_site = op == OP_BUILD || op == OP_SITE || (op == OP_CHECK && have_site);
	if ((m = manifest_load(o->manifest)) == NULL)
		goto out;
	if (op != OP_VALIDATE && !check_places(o, m, want_docker && op != OP_SITE,
	    want_index || want_site))
		goto out;
	if ((mx = matrix_build(m)) == NULL)
		goto out;
	/* A template that is a link out of the templates folder is refused. */
	tmpl_confine(o->templates);
	if (op == OP_VALIDATE) {
		if (gen_verbose >= 0)
			fprintf(stderr, "gen: %s: ok: %zu packages, %zu distros, "
			    "%zu CUDA releases, %zu images\n", o->manifest,
			    m->npkg, m->ndist, m->ncuda, mx->n);
		ok = make_index(o, m, 0, NULL, NULL, NULL);
		goto out;
	}
	if (want_docker) {
		gen = sets[0] = outset_new(o->generated);
		tdir = xasprintf("%s/docker", o->templates);
		if (!docker_generate(m, mx, tdir, o->generated,
		    o->jobs > 0 ? o->jobs : default_jobs(), gen))
			goto out;
	}
	gen = sets[0];
	if (want_index || want_site) {
		site = sets[1] = outset_new(o->site);
		/* The catalog prunes what it no longer writes; gen index
		 * alone leaves the catalog's pages be. */
		if (want_site) {
			char *ledger = out_state_path("files", o->site);

			outset_ledger(site, ledger);
			free(ledger);
		}
	}
	site = sets[1];
	if (want_index && !make_index(o, m, op != OP_CHECK, site,
	    want_site ? &index : NULL, &sets[2]))
		goto out;
	if (want_site) {
		if (index == NULL && (index = site_index(o, m, site)) == NULL)
			goto out;
		free(tdir);
		tdir = xasprintf("%s/site", o->templates);
		/* Pages go to disk as they are made (check keeps them). */
		if (op != OP_CHECK)
			outset_eager(site);
		if (!catalog_build(m, mx, gen, index, tdir, op == OP_CHECK ? 1 :
		    o->jobs > 0 ? o->jobs : default_jobs(), site))
			goto out;
	}
	/* gen site renders the Dockerfiles for its pages but writes none. */
	if (op == OP_SITE) {
		outset_free(sets[0]);
		gen = sets[0] = NULL;
	}
	if (op == OP_CHECK) {
		ok = check(o, gen, site);
		goto out;
	}
	if ((gen != NULL && !outset_stage(gen)) ||
	    (site != NULL && !outset_stage(site)))
		goto out;
	if (sets[2] != NULL && !outset_stage(sets[2]))
		goto out;
	prune[0] = 1;
	prune[1] = want_site;
	prune[2] = 0;
	if (!outsets_commit(sets, prune, 3))
		goto out;
	if (gen != NULL)
		summary(gen, o->generated);
	if (site != NULL)
		summary(site, o->site);
	ok = 1;
out:
	json_decref(index);
	outset_free(sets[0]);
	outset_free(sets[1]);
	outset_free(sets[2]);
	free(cachedir);
	free(tdir);
	matrix_free(mx);
	manifest_free(m);
	tmpl_confine(NULL);
	return ok;
}

static int
verify(const struct opts *o, const char *dir)
{
	char *path = xasprintf("%s/engines.json", dir ? dir : o->site);
	long bad = index_verify(path, o->packages, o->jobs);

	if (bad > 0) {
		fprintf(stderr, "gen: verify: %ld package%s differ%s from %s\n",
		    bad, bad == 1 ? "" : "s", bad == 1 ? "s" : "", path);
		if (gen_status < EXIT_DIFF)
			gen_status = EXIT_DIFF;
	} else if (bad == 0 && gen_verbose >= 0)
		fprintf(stderr, "gen: verify: every package in %s matches\n", path);
	free(path);
	return bad == 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "partials", required_argument, NULL, 'P' },
		{ "lenient", no_argument, NULL, 'L' },
		{ "no-cache", no_argument, NULL, 'N' },
		{ "cache", required_argument, NULL, 'K' },
		{ "no-wait", no_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { "manifest.yml", "packages", "site", "generated",
	    "templates", NULL, NULL, 0, 0, 0, 0 };
	const char *dir = NULL;
	enum op op = OP_NONE;
	char **args, *end;
	int c, i, n = 0, ok;
	long l;

	setlocale(LC_ALL, "C");
#ifdef __GLIBC__
	/* One run builds large buffers and frees them: keep the memory
	 * instead of giving it back and faulting it in again. */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
#endif
	/* Options may stand before or after the command; operands keep
	 * their order. */
	args = xcalloc((size_t)argc + 1, sizeof(*args));
	while (optind < argc) {
		if ((c = getopt_long(argc, argv, "+C:m:p:o:g:t:j:qvh", longopts,
		    NULL)) == -1) {
			args[n++] = argv[optind++];
			continue;
		}
		switch (c) {
		case 'C': dir = optarg; break;
		case 'm': o.manifest = optarg; break;
		case 'p': o.packages = optarg; break;
		case 'o': o.site = optarg; break;
		case 'g': o.generated = optarg; break;
		case 't': o.templates = optarg; break;
		case 'j':
			errno = 0;
			l = strtol(optarg, &end, 10);
			if (errno || *end || l < 1 || l > 64) {
				fprintf(stderr, "gen: -j %s: expected a number "
				    "from 1 to 64\n", optarg);
				free(args);
				return EXIT_USAGE;
			}
			o.jobs = (int)l;
			break;
		case 'q': gen_verbose = -1; break;
		case 'v': gen_verbose = 1; break;
		case 'h': usage(stdout); free(args); return EXIT_OK;
		case 'V': printf("gen %s\n", GEN_VERSION); free(args); return EXIT_OK;
		case 'P': o.partials = optarg; break;
		case 'L': o.lenient = 1; break;
		case 'N': o.no_cache = 1; break;
		case 'K': o.cache = optarg; break;
		case 'W': o.no_wait = 1; break;
		default: usage(stderr); free(args); return EXIT_USAGE;
		}
	}
	if (n < 1) {
		usage(stderr);
		free(args);
		return EXIT_USAGE;
	}
	for (i = 0; ops[i].name != NULL; i++)
		if (strcmp(ops[i].name, args[0]) == 0)
			op = ops[i].op;
	if (op == OP_NONE) {
		fprintf(stderr, "gen: unknown command '%s'\n", args[0]);
		usage(stderr);
		free(args);
		return EXIT_USAGE;
	}
	if ((op == OP_RENDER && (n < 2 || n > 3)) ||
	    (op == OP_VERIFY && n > 2) ||
	    (op != OP_RENDER && op != OP_VERIFY && n > 1)) {
		fprintf(stderr, "gen: %s: wrong number of arguments\n", args[0]);
		usage(stderr);
		free(args);
		return EXIT_USAGE;
	}
	if (dir != NULL && chdir(dir) == -1) {
		diag_errno(dir, 1, "cannot change to folder");
		free(args);
		return gen_status;
	}
	/* jansson allocates through gen's allocator: out of memory then ends
	 * the run cleanly instead of leaving a NULL to be missed. */
	json_set_alloc_funcs(xmalloc, free);
	if (!out_guard_signals(STATE_DIR)) {
		fprintf(stderr, "gen: cannot set up signal handling\n");
		free(args);
		return EXIT_IOERR;
	}
	switch (op) {
	case OP_MANIFEST:
		ok = print_manifest(&o);
		break;
	case OP_RENDER:
		ok = render(&o, n - 1, args + 1);
		break;
	case OP_VERIFY:
		ok = verify(&o, n > 1 ? args[1] : NULL);
		break;
	default:
		ok = run(&o, op);
		break;
	}
	free(args);
	if (ok)
		return gen_status == EXIT_DIFF ? EXIT_DIFF : EXIT_OK;
	return gen_status ? gen_status : EXIT_DATAERR;
}
