/*
 * main.c - options, dispatch, exit statuses.  The only file that exits.
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest.h"
#include "mustache.h"
#include "yaml.h"

#define GEN_VERSION "0.1.0"

enum op { OP_NONE, OP_BUILD, OP_DOCKER, OP_CHECK, OP_VALIDATE, OP_MANIFEST,
    OP_RENDER };

static const struct { const char *name; enum op op; } ops[] = {
	{ "build", OP_BUILD }, { "docker", OP_DOCKER }, { "check", OP_CHECK },
	{ "validate", OP_VALIDATE }, { "manifest", OP_MANIFEST },
	{ "render", OP_RENDER }, { NULL, OP_NONE }
};

struct opts {
	const char	*manifest, *packages, *site, *generated, *templates;
	const char	*partials;
	int		 jobs, lenient;
};

static const char usage_text[] =
"usage: gen [-C dir] [-m manifest.yml] [-p packages/] [-o site/] [-g generated/]\n"
"           [-t templates/] [-j jobs] [-q | -v] command [argument ...]\n"
"\n"
"commands:\n"
"  build        everything this version makes: the Dockerfiles and images.json\n"
"  docker       the Dockerfiles and generated/images.json\n"
"  check        build in memory and compare with the disk; write nothing;\n"
"               exit 1 listing stale, missing and extra files\n"
"  validate     check manifest.yml; write nothing\n"
"  manifest     print the resolved manifest as JSON (anchors, aliases and\n"
"               merges applied; keys as text)\n"
"  render TEMPLATE [CONTEXT.json|CONTEXT.yml] [--partials DIR] [--lenient]\n"
"               render one Mustache template (HTML-escaped when its name\n"
"               ends in .html.mustache or .html)\n"
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
"  -h, --help   this text;  --version  the version\n"
"\n"
"exit status: 0 ok; 1 check found a difference; 2 usage; 65 bad input data;\n"
"66 input missing; 74 I/O error.\n";

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

/* Partials for `gen render`: NAME.mustache in one folder, compiled once. */
struct rpart {
	const char	*dir;
	enum mesc	 esc;
	size_t		 n;
	char		**name;
	struct tmpl	**t;
};

static const struct tmpl *
render_partial(void *arg, const char *name)
{
	struct rpart *rp = arg;
	char *path;
	size_t i;

	for (i = 0; i < rp->n; i++)
		if (strcmp(rp->name[i], name) == 0)
			return rp->t[i];
	if (strchr(name, '/') != NULL || strstr(name, "..") != NULL)
		return NULL;
	path = xasprintf("%s/%s.mustache", rp->dir, name);
	rp->name = xrealloc(rp->name, (rp->n + 1) * sizeof(*rp->name));
	rp->t = xrealloc(rp->t, (rp->n + 1) * sizeof(*rp->t));
	rp->name[rp->n] = xstrdup(name);
	rp->t[rp->n] = access(path, F_OK) == 0 ? tmpl_load(path, rp->esc) : NULL;
	free(path);
	return rp->t[rp->n++];
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
	struct rpart rp = { 0 };
	struct render_opts ro = { 0 };
	struct buf out = { 0 };
	struct tmpl *t = NULL;
	struct ynode *y;
	json_error_t je;
	json_t *ctx = NULL;
	char *dir = NULL;
	size_t i;
	int ok = 0;

	rp.esc = ends_with(argv[0], ".html.mustache") || ends_with(argv[0], ".html") ?
	    MESC_HTML : MESC_NONE;
	if ((t = tmpl_load(argv[0], rp.esc)) == NULL)
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
		rp.dir = o->partials;
	else {
		dir = xstrdup(argv[0]);
		if (strrchr(dir, '/') != NULL)
			*strrchr(dir, '/') = '\0';
		else
			strcpy(dir, ".");
		rp.dir = dir;
	}
	ro.partial = render_partial;
	ro.partial_arg = &rp;
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
	for (i = 0; i < rp.n; i++) {
		free(rp.name[i]);
		tmpl_free(rp.t[i]);
	}
	free(rp.name);
	free(rp.t);
	free(dir);
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
 * build, docker, check and validate: load the manifest, expand the matrix,
 * render everything in memory; then compare (check), write (docker,
 * build) or stop (validate).
 */
static int
run(const struct opts *o, enum op op)
{
	struct manifest *m = NULL;
	struct matrix *mx = NULL;
	struct outset *gen = NULL;
	char *tdir = NULL;
	long diffs;
	int ok = 0;

	if ((m = manifest_load(o->manifest)) == NULL)
		goto out;
	if ((mx = matrix_build(m)) == NULL)
		goto out;
	if (op == OP_VALIDATE) {
		if (gen_verbose >= 0)
			fprintf(stderr, "gen: %s: ok: %zu packages, %zu distros, "
			    "%zu CUDA releases, %zu images\n", o->manifest,
			    m->npkg, m->ndist, m->ncuda, mx->n);
		ok = 1;
		goto out;
	}
	gen = outset_new(o->generated, "generated");
	tdir = xasprintf("%s/docker", o->templates);
	if (!docker_generate(m, mx, tdir, o->generated, gen))
		goto out;
	if (op == OP_CHECK) {
		if ((diffs = outset_check(gen)) < 0)
			goto out;
		if (diffs > 0) {
			fprintf(stderr, "gen: check: %ld file%s differ%s from what "
			    "the manifest produces; run gen build\n", diffs,
			    diffs == 1 ? "" : "s", diffs == 1 ? "s" : "");
			if (gen_status < EXIT_DIFF)
				gen_status = EXIT_DIFF;
		} else if (gen_verbose >= 0)
			fprintf(stderr, "gen: check: %s is current\n", o->generated);
		ok = diffs == 0;
		goto out;
	}
	if (!outset_stage(gen))
		goto out;
	if (!outset_commit(gen, 1))
		goto out;
	summary(gen, o->generated);
	ok = 1;
out:
	outset_free(gen);
	free(tdir);
	matrix_free(mx);
	manifest_free(m);
	return ok;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "partials", required_argument, NULL, 'P' },
		{ "lenient", no_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { "manifest.yml", "packages", "site", "generated",
	    "templates", NULL, 0, 0 };
	const char *dir = NULL;
	enum op op = OP_NONE;
	char *end;
	int c, i, ok;
	long l;

	setlocale(LC_ALL, "C");
	while ((c = getopt_long(argc, argv, "+C:m:p:o:g:t:j:qvh", longopts,
	    NULL)) != -1) {
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
			if (errno || *end || l < 1 || l > 256) {
				fprintf(stderr, "gen: -j %s: expected a number "
				    "from 1 to 256\n", optarg);
				return EXIT_USAGE;
			}
			o.jobs = (int)l;
			break;
		case 'q': gen_verbose = -1; break;
		case 'v': gen_verbose = 1; break;
		case 'h': usage(stdout); return EXIT_OK;
		case 'V': printf("gen %s\n", GEN_VERSION); return EXIT_OK;
		case 'P': o.partials = optarg; break;
		case 'L': o.lenient = 1; break;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; ops[i].name != NULL; i++)
		if (strcmp(ops[i].name, argv[0]) == 0)
			op = ops[i].op;
	if (op == OP_NONE) {
		fprintf(stderr, "gen: unknown command '%s'\n", argv[0]);
		usage(stderr);
		return EXIT_USAGE;
	}
	argc--;
	argv++;
	/* Options may follow the command too (render's --partials). */
	optind = 0;
	if (op == OP_RENDER) {
		char **rest = xcalloc((size_t)argc + 2, sizeof(*rest));
		int n = 0;

		rest[n++] = "render";
		for (i = 0; i < argc; i++)
			rest[n++] = argv[i];
		while ((c = getopt_long(n, rest, "", longopts, NULL)) != -1) {
			if (c == 'P')
				o.partials = optarg;
			else if (c == 'L')
				o.lenient = 1;
			else {
				usage(stderr);
				free(rest);
				return EXIT_USAGE;
			}
		}
		argc = n - optind;
		for (i = 0; i < argc; i++)
			argv[i] = rest[optind + i];
		free(rest);
		if (argc < 1 || argc > 2) {
			usage(stderr);
			return EXIT_USAGE;
		}
	} else if (argc > 0) {
		fprintf(stderr, "gen: %s takes no arguments\n", ops[op - 1].name);
		return EXIT_USAGE;
	}
	if (dir != NULL && chdir(dir) == -1) {
		diag_errno(dir, 1, "cannot change to folder");
		return gen_status;
	}
	switch (op) {
	case OP_MANIFEST:
		ok = print_manifest(&o);
		break;
	case OP_RENDER:
		ok = render(&o, argc, argv);
		break;
	default:
		ok = run(&o, op);
		break;
	}
	if (ok)
		return gen_status == EXIT_DIFF ? EXIT_DIFF : EXIT_OK;
	return gen_status ? gen_status : EXIT_DATAERR;
}
