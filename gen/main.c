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

#include "index.h"
#include "manifest.h"
#include "mustache.h"
#include "cr.h"
#include "deploy.h"
#include "registry.h"
#include "sign.h"
#include "yaml.h"

#define GEN_VERSION "0.1.0"

enum op { OP_NONE, OP_BUILD, OP_DOCKER, OP_INDEX, OP_SITE, OP_CHECK,
    OP_VALIDATE, OP_MANIFEST, OP_RENDER, OP_VERIFY, OP_REGISTRIES,
    OP_RESOLVE, OP_CR, OP_DEPLOY };

static const struct { const char *name; enum op op; } ops[] = {
	{ "build", OP_BUILD }, { "docker", OP_DOCKER }, { "index", OP_INDEX },
	{ "site", OP_SITE }, { "check", OP_CHECK }, { "validate", OP_VALIDATE },
	{ "manifest", OP_MANIFEST }, { "render", OP_RENDER },
	{ "verify", OP_VERIFY }, { "registries", OP_REGISTRIES },
	{ "resolve", OP_RESOLVE }, { "cr", OP_CR }, { "deploy", OP_DEPLOY },
	{ NULL, OP_NONE }
};

struct opts {
	const char	*manifest, *packages, *site, *generated, *templates;
	const char	*partials, *cache, *state, *registries, *deployments;
	struct resolve_req rq;
	struct deploycmd dc;		/* gen deploy's options */
	int		 deploy_opt;	/* one of them was given */
	const char	*cacert;
	const char	*pubkey;	/* gen verify --pubkey */
	long		 timeout_ms;
	int		 json, cr_check, cr_write;
	int		 jobs, lenient, no_cache, no_wait;
};

static const char usage_text[] =
"usage: gen [-C dir] [-m manifest.yml] [-p packages/] [-o site/] [-g generated/]\n"
"           [-t templates/] [-r registries/] [-j jobs] [-q | -v] [--no-cache]\n"
"           [--cache file] [--no-wait] [--state dir] [--deployments dir]\n"
"           command [argument ...]\n"
"\n"
"commands:\n"
"  build        everything: the Dockerfiles, engines.json, the registries'\n"
"               JSON and the catalog\n"
"  docker       the Dockerfiles and generated/images.json\n"
"  index        site/engines.json (and its JSON Schema) from the packages\n"
"  site         the HTML catalog in the site folder, from site/engines.json\n"
"  check        build in memory and compare with the disk (generated/, and\n"
"               site/ when it exists); write nothing; exit 1 listing stale,\n"
"               missing and extra files\n"
"  validate     check manifest.yml and every member of every package; write\n"
"               nothing\n"
"  verify [dir] [--pubkey PUB]\n"
"               check dir/engines.json (default: the site folder) against the\n"
"               packages: every file present, sizes and SHA-256; exit 1\n"
"               naming each mismatch; with --pubkey, first the Ed25519\n"
"               signatures engines.json.sig and release.json.sig, and every\n"
"               file release.json lists\n"
"  manifest     print the resolved manifest as JSON (anchors, aliases and\n"
"               merges applied; keys as text)\n"
"  render TEMPLATE [CONTEXT.json|CONTEXT.yml] [--partials DIR] [--lenient]\n"
"               render one Mustache template (HTML-escaped when its name\n"
"               ends in .html.mustache or .html); partials come from DIR\n"
"               (default: the template's folder), then DIR/../_shared\n"
"  registries   check the tested-configuration registries (-r) and write\n"
"               site/registries/*.json with their JSON Schemas; warn about\n"
"               recommended instance types a version cannot run on\n"
"  resolve --framework NAME[@VERSION] [--model ID] [--instance TYPE]\n"
"          [--profile NAME]\n"
"               print the merged configuration as JSON (framework <\n"
"               framework profile < model < model profile; each value names\n"
"               its layer), its validation level and the verdict\n"
"  cr create FILE.json [--check] | get ID | update ID PATCH.json | delete ID\n"
"     | query FILTER.json | health [ID ...] [--write] | images ID\n"
"     | verify-images          [--json] [--cacert FILE] [--timeout SECONDS]\n"
"               the container-registry listing (one file per registry in\n"
"               REGISTRIES/container-registries/): AIOS's API as commands;\n"
"               health GETs /v2/ as the OCI distribution spec says (exit 69\n"
"               when any is unhealthy); --write keeps the results for the\n"
"               catalog; --json answers {\"success\": ..., \"data\": ...}\n"
"  deploy register [--status success|partial|failed] [--notes TEXT] [--ci]\n"
"          [--build-strategy S] [--project DIR] [--set FIELD=VALUE]... [--json]\n"
"     | list [--deployment-config X] [--status S] [--model GLOB]\n"
"          [--instance T] [--untested] [--json]\n"
"     | show ID [--json] | export [ID] [--status S]\n"
"     | import FILE [--skip | --merge | --replace] | mark ID passed|failed\n"
"               the deployment registry: one record per configuration in\n"
"               the deployments folder, named by its configId; register\n"
"               reads DIR/do/config (never run), the environment and --set;\n"
"               secrets are stored as ***REDACTED***; list --untested --json\n"
"               is a GitHub Actions matrix for a CI harness\n"
"\n"
"options:\n"
"  -C dir       run in dir (all other paths are relative to it)\n"
"  -m file      the manifest (default manifest.yml)\n"
"  -g dir       the Dockerfile output folder (default generated)\n"
"  -t dir       the templates folder (default templates)\n"
"  -r dir       the registries folder (default registries): frameworks.yml,\n"
"               models.yml, instances.yml; without them, no registry output\n"
"  -p dir       the packages folder (default packages)\n"
"  --deployments dir\n"
"               the deployment registry (default deployments); without it,\n"
"               no deployment output\n"
"  -o dir       the site output folder (default site)\n"
"  -j jobs      worker threads (default: the number of cores)\n"
"  -q           print nothing but errors\n"
"  -v           say what is being done\n"
"  --no-cache   read every package, ignoring the package cache\n"
"  --cache file the package cache (default: in the state folder)\n"
"  --state dir  gen's own state: the package cache, the last index's\n"
"               stamp, the catalog's ledger, the lock and the journal\n"
"               (default .gen beside the manifest; never in an input or\n"
"               output folder; losing it costs only time)\n"
"  --no-wait    when another gen run holds this tree's lock (.gen/lock),\n"
"               stop with status 75 instead of waiting for it\n"
"  -h, --help   this text;  --version  the version\n"
"\n"
"exit status: 0 ok; 1 check or verify found a difference; 2 usage;\n"
"65 bad input data; 66 input missing (or an unknown id); 69 a registry is\n"
"unhealthy or unreachable; 74 I/O error or out of memory; 75 another run\n"
"holds the lock (--no-wait).\n";

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
	return r < 10 || memcmp(head, "gen-cache ", 10) != 0;
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
	in[nin++] = (struct place){ "the registries folder (-r ", o->registries, path_canon(o->registries) };
	/* The deployment registry is an input only where there is one. */
	if (access(o->deployments, F_OK) == 0)
		in[nin++] = (struct place){ "the deployments folder (--deployments ", o->deployments, path_canon(o->deployments) };
	for (i = 0; m != NULL && i < m->neng && nin < sizeof(in) / sizeof(in[0]); i++) {
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
	/* The state folder is gen's alone: in no output, in no input folder. */
	cache = path_canon(o->state);
	for (i = 0; i < nout; i++)
		if (overlap(cache, out[i].canon)) {
			fprintf(stderr, "gen: the state folder %s overlaps the "
			    "output folder %s (%s): site/ and generated/ hold only "
			    "what they publish\n", o->state, out[i].given,
			    out[i].what);
			ok = 0;
		}
	for (j = 1; j < 3; j++)
		if (overlap(cache, in[j].canon)) {
			fprintf(stderr, "gen: the state folder %s overlaps %s%s)"
			    "\n", o->state, in[j].what, in[j].given);
			ok = 0;
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


/* ---- one run: what every command shares -------------------------------- */

struct run {
	const struct opts	*o;
	struct manifest		*m;
	struct matrix		*mx;
	struct outset		*sets[2];	/* generated/, site/ */
	struct index		*idx;
	struct registries	*reg;		/* NULL: the repository has none */
	struct compat		*cx;
	struct crlist		*crl;		/* NULL: no container registries */
	struct crlastset	*crh;		/* their last health results */
	struct deployset	*dep;		/* NULL: no deployments folder */
	int			 validate;	/* gen validate: every warning */
};

static void
run_free(struct run *r)
{
	index_free(r->idx);
	deployset_free(r->dep);
	compat_free(r->cx);
	registries_free(r->reg);
	crlastset_free(r->crh);
	crlist_free(r->crl);
	outset_free(r->sets[0]);
	outset_free(r->sets[1]);
	matrix_free(r->mx);
	manifest_free(r->m);
	tmpl_confine(NULL);
}

/* The package cache: --cache, else a state file named for the folder. */
static char *
cache_path(const struct opts *o)
{
	return o->cache ? xstrdup(o->cache) : out_state_path("cache", o->packages);
}

/*
 * Before anything: lock the tree (exclusive to write, shared to compare),
 * finish what a killed run left, load the manifest, refuse overlapping
 * places and expand the matrix.
 */
static int
prepare(struct run *r, const struct opts *o, int write, int docker, int site)
{
	const char *roots[2] = { o->generated, o->site };

	memset(r, 0, sizeof(*r));
	r->o = o;
	if (write >= 0 && !out_lock(write, o->no_wait))
		return 0;
	if (write == 1 && !out_recover(roots, 2))
		return 0;
	if ((r->m = manifest_load(o->manifest)) == NULL)
		return 0;
	if (write >= 0 && !check_places(o, r->m, docker, site))
		return 0;
	if ((r->mx = matrix_build(r->m)) == NULL)
		return 0;
	/* A template that is a link out of the templates folder is refused. */
	tmpl_confine(o->templates);
	return 1;
}

/*
 * The tested-configuration registries, when the repository has them:
 * loaded and checked (base images against the matrix when there is one),
 * the compatibility matrix computed, its warnings printed.
 */
/*
 * The container-registry listing, when the repository has one: every
 * entry checked, the registries the images push to cross-checked, and the
 * last health results read when there are any.
 */
static int
load_listing(struct run *r)
{
	char *dir = xasprintf("%s/container-registries", r->o->registries);
	char *hf = xasprintf("%s/container-registries-health.json",
	    r->o->registries);
	struct stat st;
	int ok = 1;

	if (stat(dir, &st) == 0)
		ok = (r->crl = cr_load(dir, 0)) != NULL &&
		    cr_check_manifest(r->crl, r->m, r->mx) &&
		    cr_health_read(hf, &r->crh);
	free(hf);
	free(dir);
	return ok;
}

/* The deployment registry, when the repository has one: every record
 * checked, and each stale reference to the registries a warning. */
static int
load_deployments(struct run *r)
{
	struct stat st;

	if (stat(r->o->deployments, &st) == -1)
		return 1;
	if ((r->dep = deployset_load(r->o->deployments, 1)) == NULL)
		return 0;
	/* gen validate lists every one; the others the first 20. */
	deploy_warn_stale(r->reg, r->cx, r->dep, r->validate ? 0 : 20);
	return 1;
}

static int
load_registries(struct run *r)
{
	if (!load_listing(r))
		return 0;
	if (registries_present(r->o->registries)) {
		if ((r->reg = registries_load(r->o->registries)) == NULL)
			return 0;
		if (r->mx != NULL && !registries_check_images(r->reg, r->m, r->mx))
			return 0;
		r->cx = compat_build(r->reg);
		compat_warn(r->reg, r->cx);
	}
	return load_deployments(r);
}


/* site/registries/ and site/api/ with their schemas, when the repository
 * has registries and a container-registry listing. */
static int
make_registries(struct run *r)
{
	char *tdir = xasprintf("%s/site", r->o->templates);
	int ok = 1;

	if (r->reg != NULL)
		ok = registries_publish(r->reg, r->cx, tdir, r->sets[1]);
	if (ok && r->crl != NULL)
		ok = cr_publish(r->crl, r->crh, tdir, r->sets[1]);
	if (ok && r->dep != NULL)
		ok = deploy_publish(r->dep, r->reg, r->cx, tdir, r->sets[1]);
	free(tdir);
	return ok;
}

static int
make_docker(struct run *r)
{
	char *tdir = xasprintf("%s/docker", r->o->templates);
	int ok;

	r->sets[0] = outset_new(r->o->generated);
	ok = docker_generate(r->m, r->mx, tdir, r->o->generated,
	    r->o->jobs, r->sets[0]);
	free(tdir);
	return ok;
}

/* The site set; the catalog's keeps a ledger and prunes by it. */
static struct outset *
site_set(struct run *r, int catalog, int eager)
{
	char *ledger;

	r->sets[1] = outset_new(r->o->site);
	if (catalog) {
		ledger = out_state_path("files", r->o->site);
		outset_ledger(r->sets[1], ledger);
		free(ledger);
	}
	/* Pages and engines.json go to disk as they are made. */
	if (eager)
		outset_eager(r->sets[1]);
	return r->sets[1];
}

static void
index_job(const struct opts *o, struct index_job *j, int write, int need)
{
	memset(j, 0, sizeof(*j));
	j->manifest = o->manifest;
	j->packages = o->packages;
	j->site = o->site;
	j->templates = o->templates;
	j->cache = o->no_cache ? NULL : cache_path(o);
	j->use_cache = !o->no_cache;
	j->write_state = write && !o->no_cache;
	j->need = need;
	j->jobs = o->jobs;
}

static int
make_index(struct run *r, struct outset *site, int write, int need)
{
	struct index_job j;
	int ok;

	index_job(r->o, &j, write, need);
	ok = index_update(r->m, &j, site, &r->idx);
	free((char *)j.cache);
	return ok;
}

static int
make_catalog(struct run *r, int jobs)
{
	char *tdir = xasprintf("%s/site", r->o->templates);
	int ok = catalog_build(r->m, r->mx, r->idx, r->reg, r->cx, r->crl, r->crh,
	    r->dep, tdir, jobs, r->sets[1]);

	free(tdir);
	return ok;
}

static void
summary(const struct outset *o, const char *dir)
{
	size_t total, written, removed;

	if (o == NULL || gen_verbose < 0)
		return;
	outset_counts(o, &total, &written, &removed);
	fprintf(stderr, "gen: %s: %zu files, %zu written, %zu unchanged, %zu "
	    "removed\n", dir, total, written, total - written, removed);
}

/* Stage every set, then commit them as one journaled step. */
static int
commit(struct run *r, int prune_site)
{
	int prune[2] = { 1, prune_site };

	if ((r->sets[0] != NULL && !outset_stage(r->sets[0])) ||
	    (r->sets[1] != NULL && !outset_stage(r->sets[1])))
		return 0;
	if (!outsets_commit(r->sets, prune, 2))
		return 0;
	summary(r->sets[0], r->o->generated);
	summary(r->sets[1], r->o->site);
	return 1;
}

/* "gen: registries: ..." counts, after a load (nothing when none). */
static void
registries_summary(const struct run *r)
{
	if (r->reg == NULL || gen_verbose < 0)
		return;
	fprintf(stderr, "gen: %s: ok: %zu frameworks, %zu versions, %zu models, "
	    "%zu instance types; %zu of %zu pairs compatible\n",
	    r->o->registries, r->reg->nfw, r->reg->nfwver, r->reg->nmodel,
	    r->reg->ninst, r->cx->nok, r->cx->nrow * r->cx->ncol);
}

/* ---- the commands ------------------------------------------------------ */

/* gen validate: the manifest, the matrix, every member of every package
 * and the index made in memory; nothing written, no lock taken. */
static int
cmd_validate(const struct opts *o)
{
	struct run r;
	int ok = 0;

	if (!prepare(&r, o, -1, 0, 0))
		goto out;
	r.validate = 1;
	if (!load_registries(&r))
		goto out;
	if (gen_verbose >= 0)
		fprintf(stderr, "gen: %s: ok: %zu packages, %zu distros, %zu CUDA "
		    "releases, %zu images\n", o->manifest, r.m->npkg, r.m->ndist,
		    r.m->ncuda, r.mx->n);
	registries_summary(&r);
	if (!make_index(&r, NULL, 0, 1))
		goto out;
	if (gen_verbose >= 0)
		fprintf(stderr, "gen: %s: ok: %zu engine packages, every member "
		    "checked\n", o->packages, r.idx->npkg);
	ok = 1;
out:
	run_free(&r);
	return ok;
}

static int
cmd_docker(const struct opts *o)
{
	struct run r;
	int ok = prepare(&r, o, 1, 1, 0) && make_docker(&r) && commit(&r, 0);

	run_free(&r);
	return ok;
}

/* gen index: engines.json alone; the catalog's pages are left be. */
static int
cmd_index(const struct opts *o)
{
	struct run r;
	int ok = prepare(&r, o, 1, 0, 1) &&
	    make_index(&r, site_set(&r, 0, 1), 1, 0) && commit(&r, 0);

	run_free(&r);
	return ok;
}

/* gen site: the catalog from the engines.json in the site folder; the
 * Dockerfiles are rendered for its pages, not written. */
static int
cmd_site(const struct opts *o)
{
	struct run r;
	struct index_job j;
	int ok = 0;

	if (!prepare(&r, o, 1, 0, 1) || !load_registries(&r) || !make_docker(&r))
		goto out;
	outset_free(r.sets[0]);
	r.sets[0] = NULL;
	index_job(o, &j, 0, 1);
	r.idx = index_site(r.m, &j, site_set(&r, 1, 1));
	free((char *)j.cache);
	ok = r.idx != NULL && make_registries(&r) &&
	    make_catalog(&r, o->jobs) && commit(&r, 1);
out:
	run_free(&r);
	return ok;
}

static int
cmd_build(const struct opts *o)
{
	struct run r;
	int ok = prepare(&r, o, 1, 1, 1) && load_registries(&r) &&
	    make_docker(&r) && make_index(&r, site_set(&r, 1, 1), 1, 1) &&
	    make_registries(&r) && make_catalog(&r, o->jobs) && commit(&r, 1);

	run_free(&r);
	return ok;
}

/*
 * gen check: everything made in memory (site/ only when it exists) and
 * compared with the disk, with what interrupted runs left.  Returns 1
 * when everything is current.
 */
static int
cmd_check(const struct opts *o)
{
	const char *roots[2] = { o->generated, o->site };
	struct run r;
	struct stat st;
	long diffs = 0, d;
	int ok = 0, have_site = stat(o->site, &st) == 0;

	if (!prepare(&r, o, 0, 1, have_site) || !load_registries(&r) ||
	    !make_docker(&r))
		goto out;
	if (have_site && (!make_index(&r, site_set(&r, 1, 0), 0, 1) ||
	    !make_registries(&r) || !make_catalog(&r, 1)))
		goto out;
	d = out_leftovers(roots, 2);
	if ((diffs = outset_check(r.sets[0])) < 0 ||
	    (r.sets[1] != NULL && (d += outset_check(r.sets[1])) < 0))
		goto out;
	diffs += d;
	if (diffs > 0) {
		fprintf(stderr, "gen: check: %ld file%s differ%s from what "
		    "the inputs produce; run gen build\n", diffs,
		    diffs == 1 ? "" : "s", diffs == 1 ? "s" : "");
		if (gen_status < EXIT_DIFF)
			gen_status = EXIT_DIFF;
	} else if (gen_verbose >= 0)
		fprintf(stderr, "gen: check: %s%s%s is current\n", o->generated,
		    have_site ? " and " : "", have_site ? o->site : "");
	ok = diffs == 0;
out:
	run_free(&r);
	return ok;
}

static int
cmd_verify(const struct opts *o, const char *dir)
{
	char *path = xasprintf("%s/engines.json", dir ? dir : o->site);
	struct manifest *m;
	struct pkgrules rules;
	long bad = -1;

	/* The signatures first, then what they list, then the packages. */
	if (o->pubkey != NULL) {
		struct signkey *k = signkey_load(o->pubkey, 0);
		long sbad = k ? release_verify(dir ? dir : o->site, k, o->jobs) : -1;

		signkey_free(k);
		if (sbad < 0) {
			free(path);
			return 0;
		}
		if (sbad > 0) {
			fprintf(stderr, "gen: verify: %ld signature or release-file "
			    "mismatch%s in %s\n", sbad, sbad == 1 ? "" : "es",
			    dir ? dir : o->site);
			if (gen_status < EXIT_DIFF)
				gen_status = EXIT_DIFF;
			free(path);
			return 0;
		}
		if (gen_verbose >= 0)
			fprintf(stderr, "gen: verify: the signatures hold and every "
			    "file of %s/%s matches\n", dir ? dir : o->site,
			    RELEASE_FILE);
	}
	if ((m = manifest_load(o->manifest)) != NULL) {
		rules = (struct pkgrules){ m->nplat, m->plat, m->engine_ids, NULL, 0 };
		bad = index_verify(path, o->packages, &rules, o->jobs);
	}
	if (bad > 0) {
		fprintf(stderr, "gen: verify: %ld package%s differ%s from %s\n",
		    bad, bad == 1 ? "" : "s", bad == 1 ? "s" : "", path);
		if (gen_status < EXIT_DIFF)
			gen_status = EXIT_DIFF;
	} else if (bad == 0 && gen_verbose >= 0)
		fprintf(stderr, "gen: verify: every package in %s matches\n", path);
	manifest_free(m);
	free(path);
	return bad == 0;
}

/* gen registries: the registries alone (and the manifest's images, when
 * there is a manifest), published into the site folder. */
static int
cmd_registries(const struct opts *o)
{
	const char *roots[2] = { o->generated, o->site };
	struct run r;
	struct stat st;
	int ok = 0;

	memset(&r, 0, sizeof(r));
	r.o = o;
	if (!out_lock(1, o->no_wait) || !out_recover(roots, 2))
		goto out;
	if (!registries_present(o->registries)) {
		diag(EXIT_NOINPUT, NULL, "%s: no registries (frameworks.yml, "
		    "models.yml, instances.yml)", o->registries);
		goto out;
	}
	if (stat(o->manifest, &st) == 0 && ((r.m = manifest_load(o->manifest))
	    == NULL || (r.mx = matrix_build(r.m)) == NULL))
		goto out;
	if (!check_places(o, r.m, 0, 1) || !load_registries(&r))
		goto out;
	site_set(&r, 0, 1);
	if (!make_registries(&r) || !commit(&r, 0))
		goto out;
	registries_summary(&r);
	ok = 1;
out:
	run_free(&r);
	return ok;
}

static int
cmd_resolve(const struct opts *o)
{
	struct registries *reg;
	struct compat *cx;
	int ok;

	if (!registries_present(o->registries)) {
		diag(EXIT_NOINPUT, NULL, "%s: no registries (frameworks.yml, "
		    "models.yml, instances.yml)", o->registries);
		return 0;
	}
	if ((reg = registries_load(o->registries)) == NULL)
		return 0;
	cx = compat_build(reg);
	ok = registry_resolve(reg, cx, &o->rq, stdout);
	compat_free(cx);
	registries_free(reg);
	return ok;
}

/* gen cr: the container-registry listing (crcmd.c). */
static int
cmd_cr(const struct opts *o, int argc, char **argv)
{
	struct crcmd c;
	int ok;

	if (o->cacert != NULL && access(o->cacert, R_OK) == -1) {
		diag_errno(o->cacert, 1, "--cacert");
		return 0;
	}
	memset(&c, 0, sizeof(c));
	c.dir = xasprintf("%s/container-registries", o->registries);
	c.health_file = xasprintf("%s/container-registries-health.json",
	    o->registries);
	c.generated = o->generated;
	c.net.cacert = o->cacert;
	c.net.timeout_ms = o->timeout_ms ? o->timeout_ms : 5000;
	c.net.jobs = o->jobs;
	c.json = o->json;
	c.check = o->cr_check;
	c.write = o->cr_write;
	/* Writes to the listing take the tree's lock, as builds do. */
	ok = out_lock(1, o->no_wait) && cr_command(&c, argc, argv);
	free((char *)c.dir);
	free((char *)c.health_file);
	return ok;
}

/* gen deploy: the deployment registry (deploycmd.c). */
static int
cmd_deploy(struct opts *o, int argc, char **argv)
{
	o->dc.dir = o->deployments;
	o->dc.registries = o->registries;
	o->dc.model = o->rq.model;
	o->dc.instance = o->rq.instance;
	o->dc.json = o->json;
	o->dc.no_wait = o->no_wait;
	o->dc.version = GEN_VERSION;
	return deploy_command(&o->dc, argc, argv);
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
		{ "state", required_argument, NULL, 'S' },
		{ "framework", required_argument, NULL, 1001 },
		{ "model", required_argument, NULL, 1002 },
		{ "instance", required_argument, NULL, 1003 },
		{ "profile", required_argument, NULL, 1004 },
		{ "json", no_argument, NULL, 1005 },
		{ "check", no_argument, NULL, 1006 },
		{ "write", no_argument, NULL, 1007 },
		{ "cacert", required_argument, NULL, 1008 },
		{ "timeout", required_argument, NULL, 1009 },
		{ "deployments", required_argument, NULL, 1010 },
		{ "status", required_argument, NULL, 1011 },
		{ "notes", required_argument, NULL, 1012 },
		{ "ci", no_argument, NULL, 1013 },
		{ "build-strategy", required_argument, NULL, 1014 },
		{ "project", required_argument, NULL, 1015 },
		{ "set", required_argument, NULL, 1016 },
		{ "deployment-config", required_argument, NULL, 1017 },
		{ "untested", no_argument, NULL, 1018 },
		{ "skip", no_argument, NULL, 1019 },
		{ "merge", no_argument, NULL, 1020 },
		{ "replace", no_argument, NULL, 1021 },
		{ "pubkey", required_argument, NULL, 1022 },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	char *state = NULL;
	const char *dir = NULL;
	enum op op = OP_NONE;
	char **args, *end;
	int c, i, n = 0, ok;
	long l;

	memset(&o, 0, sizeof(o));
	o.manifest = "manifest.yml";
	o.packages = "packages";
	o.site = "site";
	o.generated = "generated";
	o.templates = "templates";
	o.registries = "registries";
	o.deployments = DEPLOY_DIR;
	setlocale(LC_ALL, "C");
	/* Options may stand before or after the command; operands keep
	 * their order. */
	args = xcalloc((size_t)argc + 1, sizeof(*args));
	while (optind < argc) {
		if ((c = getopt_long(argc, argv, "+C:m:p:o:g:t:r:j:qvh", longopts,
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
		case 'r': o.registries = optarg; break;
		case 1001: o.rq.framework = optarg; break;
		case 1002: o.rq.model = optarg; break;
		case 1003: o.rq.instance = optarg; break;
		case 1004: o.rq.profile = optarg; break;
		case 1005: o.json = 1; break;
		case 1006: o.cr_check = 1; break;
		case 1007: o.cr_write = 1; break;
		case 1008: o.cacert = optarg; break;
		case 1010: o.deployments = optarg; break;
		case 1022: o.pubkey = optarg; break;
		case 1011: o.dc.status = optarg; o.deploy_opt = 1; break;
		case 1012: o.dc.notes = optarg; o.deploy_opt = 1; break;
		case 1013: o.dc.ci = 1; o.deploy_opt = 1; break;
		case 1014: o.dc.build_strategy = optarg; o.deploy_opt = 1; break;
		case 1015: o.dc.project = optarg; o.deploy_opt = 1; break;
		case 1016:
			o.dc.set = xrealloc(o.dc.set, (o.dc.nset + 1) *
			    sizeof(*o.dc.set));
			o.dc.set[o.dc.nset++] = optarg;
			o.deploy_opt = 1;
			break;
		case 1017: o.dc.config = optarg; o.deploy_opt = 1; break;
		case 1018: o.dc.untested = 1; o.deploy_opt = 1; break;
		case 1019: case 1020: case 1021:
			if (o.dc.import_mode != 0) {
				fprintf(stderr, "gen: --skip, --merge and --replace "
				    "exclude each other\n");
				free(args);
				return EXIT_USAGE;
			}
			o.dc.import_mode = c == 1019 ? 's' : c == 1020 ? 'm' : 'r';
			o.deploy_opt = 1;
			break;
		case 1009:
			errno = 0;
			l = strtol(optarg, &end, 10);
			if (errno || *end || l < 1 || l > 600) {
				fprintf(stderr, "gen: --timeout %s: expected seconds "
				    "from 1 to 600\n", optarg);
				free(args);
				return EXIT_USAGE;
			}
			o.timeout_ms = l * 1000;
			break;
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
		case 'S': o.state = optarg; break;
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
	    (op == OP_VERIFY && n > 2) || ((op == OP_CR || op == OP_DEPLOY) &&
	    n < 2) || (op != OP_RENDER && op != OP_VERIFY && op != OP_CR &&
	    op != OP_DEPLOY && n > 1)) {
		fprintf(stderr, "gen: %s: wrong number of arguments\n", args[0]);
		usage(stderr);
		free(args);
		return EXIT_USAGE;
	}
	if ((op != OP_CR && (o.cr_check || o.cr_write || o.cacert ||
	    o.timeout_ms)) || (op != OP_CR && op != OP_DEPLOY && o.json)) {
		fprintf(stderr, "gen: --json, --check, --write, --cacert and "
		    "--timeout are gen cr's options (and --json gen deploy's)\n");
		usage(stderr);
		free(args);
		return EXIT_USAGE;
	}
	if (op != OP_VERIFY && o.pubkey != NULL) {
		fprintf(stderr, "gen: --pubkey is gen verify's option\n");
		usage(stderr);
		free(args);
		return EXIT_USAGE;
	}
	if (op != OP_DEPLOY && o.deploy_opt) {
		fprintf(stderr, "gen: --status, --notes, --ci, --build-strategy, "
		    "--project, --set, --deployment-config, --untested, --skip, "
		    "--merge and --replace are gen deploy's options\n");
		usage(stderr);
		free(args);
		return EXIT_USAGE;
	}
	if ((op == OP_RESOLVE) != (o.rq.framework != NULL) || (op != OP_RESOLVE &&
	    (o.rq.profile || (op != OP_DEPLOY && (o.rq.model ||
	    o.rq.instance))))) {
		fprintf(stderr, "gen: %s\n", op == OP_RESOLVE ? "resolve: "
		    "--framework NAME[@VERSION] is required" : "--framework, "
		    "--model, --instance and --profile are resolve's options "
		    "(--model and --instance gen deploy list's too)");
		usage(stderr);
		free(args);
		return EXIT_USAGE;
	}
	if (dir != NULL && chdir(dir) == -1) {
		diag_errno(dir, 1, "cannot change to folder");
		free(args);
		return gen_status;
	}
#ifdef __GLIBC__
	/* The catalog builds large buffers and frees them, page after page:
	 * keep the memory instead of giving it back and faulting it in again.
	 * The index alone keeps to glibc's defaults, which hand large blocks
	 * back (peak memory is its budget). */
	if (op == OP_BUILD || op == OP_SITE || op == OP_CHECK) {
		mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
		mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
	}
#endif
	/* jansson allocates through gen's allocator: out of memory then ends
	 * the run cleanly instead of leaving a NULL to be missed. */
	json_set_alloc_funcs(xmalloc, free);
	/* The state folder: beside the manifest unless told. */
	if (o.state == NULL) {
		const char *slash = strrchr(o.manifest, '/');

		state = slash == NULL ? xstrdup(".gen") : slash == o.manifest ?
		    xstrdup("/.gen") : xasprintf("%.*s/.gen",
		    (int)(slash - o.manifest), o.manifest);
		o.state = state;
	}
	if (!out_guard_signals(o.state)) {
		fprintf(stderr, "gen: cannot set up signal handling\n");
		free(args);
		return EXIT_IOERR;
	}
	switch (op) {
	case OP_MANIFEST: ok = print_manifest(&o); break;
	case OP_RENDER: ok = render(&o, n - 1, args + 1); break;
	case OP_VERIFY: ok = cmd_verify(&o, n > 1 ? args[1] : NULL); break;
	case OP_VALIDATE: ok = cmd_validate(&o); break;
	case OP_DOCKER: ok = cmd_docker(&o); break;
	case OP_INDEX: ok = cmd_index(&o); break;
	case OP_SITE: ok = cmd_site(&o); break;
	case OP_BUILD: ok = cmd_build(&o); break;
	case OP_CHECK: ok = cmd_check(&o); break;
	case OP_REGISTRIES: ok = cmd_registries(&o); break;
	case OP_RESOLVE: ok = cmd_resolve(&o); break;
	case OP_CR: ok = cmd_cr(&o, n - 1, args + 1); break;
	case OP_DEPLOY: ok = cmd_deploy(&o, n - 1, args + 1); break;
	default: ok = 0; break;
	}
	free(args);
	free(o.dc.set);
	free(state);
	if (ok)
		return gen_status == EXIT_DIFF ? EXIT_DIFF : EXIT_OK;
	return gen_status ? gen_status : EXIT_DATAERR;
}
