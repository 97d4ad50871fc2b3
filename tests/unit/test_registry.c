/*
 * test_registry.c - the tested-configuration registries: the compatibility
 * of framework versions with instance types (accelerator type, versions
 * within a range or equal to a pin, the version chosen), accel_cmp, model
 * matching (exact ids, patterns, case, overlaps) and frameworkCompatibility
 * ranges, over registries written to a scratch folder and loaded with
 * registries_load.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "registry.h"

static char scratch[] = "/tmp/test_registry.XXXXXX";

static void
put(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) == EOF) {
		perror(path);
		exit(1);
	}
	free(path);
}

/* Load frameworks, models and instances from a fresh folder under the
 * scratch folder; quiet: the messages of a refused registry go nowhere. */
static struct registries *
load(const char *fw, const char *models, const char *inst, int quiet)
{
	static int n;
	struct registries *r;
	char *dir = xasprintf("%s/%d", scratch, n++);
	int saved = -1, null;

	if (mkdir(dir, 0777) == -1) {
		perror(dir);
		exit(1);
	}
	put(dir, "frameworks.yml", fw);
	put(dir, "models.yml", models);
	put(dir, "instances.yml", inst);
	if (quiet && (null = open("/dev/null", O_WRONLY)) != -1) {
		fflush(stderr);
		saved = dup(2);
		dup2(null, 2);
		close(null);
	}
	r = registries_load(dir);
	if (saved != -1) {
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
	}
	free(dir);
	return r;
}

/* ---- compatibility ---------------------------------------------------- */

#define FWV(name, type, pin, range) \
	name ":\n  \"1.0.0\":\n    baseImage: img/" name ":1\n" \
	"    accelerator:\n      type: " type "\n      version: " pin "\n" \
	"      versionRange: " range "\n    envVars: {}\n" \
	"    inferenceAmiVersion: ami-1\n    recommendedInstanceTypes: []\n" \
	"    validationLevel: tested\n"

static const char compat_fw[] =
    FWV("range-12-4-to-12-10", "cuda", "\"12.8\"", "{min: \"12.4\", max: \"12.10\"}")
    FWV("range-9-to-12", "cuda", "\"11.8\"", "{min: \"9.0\", max: \"12.0\"}")
    FWV("range-12-0-to-12-2", "cuda", "\"12.1\"", "{min: \"12.0\", max: \"12.2\"}")
    FWV("pinned-12-1", "cuda", "\"12.1\"", "null")
    FWV("default-wins", "cuda", "\"12.2\"", "{min: \"12.0\", max: \"12.4\"}")
    FWV("highest-wins", "cuda", "\"12.4\"", "{min: \"12.3\", max: \"12.4\"}")
    FWV("neuron-2-16", "neuron", "\"2.16.0\"", "{min: \"2.15.0\", max: \"2.17.0\"}")
    FWV("cpu-only", "cpu", "null", "null");

#define INST(type, family, acc, versions, def) \
	type ":\n  family: " family "\n  accelerator:\n    type: " acc "\n" \
	"    hardware: hw\n    architecture: arch\n    versions: " versions "\n" \
	"    default: " def "\n  memory: 16 GB\n  vcpus: 4\n"

static const char compat_inst[] =
    INST("ml.g5.xlarge", "g5", "cuda", "[\"11.8\", \"12.1\", \"12.2\", \"12.4\"]", "\"12.2\"")
    INST("ml.p5.48xlarge", "p5", "cuda", "[\"12.2\", \"12.4\", \"12.8\"]", "\"12.2\"")
    INST("ml.p3.2xlarge", "p3", "cuda", "[\"11.8\"]", "\"11.8\"")
    INST("ml.g6.xlarge", "g6", "cuda", "[\"12.2.1\"]", "\"12.2.1\"")
    INST("ml.inf2.xlarge", "inf2", "neuron", "[\"2.15.0\", \"2.16.0\"]", "\"2.16.0\"")
    INST("ml.m5.xlarge", "m5", "cpu", "null", "null");

static const char no_models[] = "{}\n";

struct ccase {
	const char	*fw, *inst;
	enum cverdict	 want;
	const char	*version;	/* the version chosen; NULL: none (cpu) */
};

static const struct ccase ccases[] = {
	/* a range to 12.10 holds 12.8 (numerically, not as text) */
	{ "range-12-4-to-12-10", "ml.p5.48xlarge", CV_OK, "12.8" },
	{ "range-12-4-to-12-10", "ml.g5.xlarge", CV_OK, "12.4" },
	{ "range-12-4-to-12-10", "ml.p3.2xlarge", CV_NO_VERSION, NULL },
	/* 9.0 to 12.0 holds 11.8 (9 < 11 numerically) */
	{ "range-9-to-12", "ml.p3.2xlarge", CV_OK, "11.8" },
	{ "range-9-to-12", "ml.g5.xlarge", CV_OK, "11.8" },
	{ "range-9-to-12", "ml.p5.48xlarge", CV_NO_VERSION, NULL },
	/* a bound covers what it is a prefix of: 12.2 covers 12.2.1 */
	{ "range-12-0-to-12-2", "ml.g6.xlarge", CV_OK, "12.2.1" },
	/* a pin without a range needs that version */
	{ "pinned-12-1", "ml.g6.xlarge", CV_NO_VERSION, NULL },
	{ "pinned-12-1", "ml.g5.xlarge", CV_OK, "12.1" },
	/* the instance's default when it qualifies, else the highest */
	{ "default-wins", "ml.g5.xlarge", CV_OK, "12.2" },
	{ "highest-wins", "ml.g5.xlarge", CV_OK, "12.4" },
	{ "highest-wins", "ml.p5.48xlarge", CV_OK, "12.4" },
	/* accelerator types */
	{ "neuron-2-16", "ml.inf2.xlarge", CV_OK, "2.16.0" },
	{ "neuron-2-16", "ml.g5.xlarge", CV_ACCEL_TYPE, NULL },
	{ "range-12-0-to-12-2", "ml.inf2.xlarge", CV_ACCEL_TYPE, NULL },
	{ "range-12-0-to-12-2", "ml.m5.xlarge", CV_ACCEL_TYPE, NULL },
	{ "cpu-only", "ml.m5.xlarge", CV_OK, NULL },
	{ "cpu-only", "ml.g5.xlarge", CV_ACCEL_TYPE, NULL },
	{ "cpu-only", "ml.inf2.xlarge", CV_ACCEL_TYPE, NULL },
};

static size_t
inst_index(const struct registries *r, const char *type)
{
	const struct instance *in = registry_instance(r, type);

	return in == NULL ? (size_t)-1 : (size_t)(in - r->inst);
}

TEST(compat_table)
{
	struct registries *r;
	struct compat *c;
	size_t i, n = sizeof(ccases) / sizeof(ccases[0]);

	r = load(compat_fw, no_models, compat_inst, 0);
	CHECK(r != NULL);
	if (r == NULL)
		return;
	c = compat_build(r);
	CHECK(c != NULL && c->nrow == r->nfwver && c->ncol == r->ninst);
	for (i = 0; c != NULL && i < n; i++) {
		const struct ccase *k = &ccases[i];
		const struct framework *fw = registry_framework(r, k->fw);
		size_t col = inst_index(r, k->inst), row;
		const char *v;
		int ok;

		if (fw == NULL || col == (size_t)-1) {
			fprintf(stderr, "compat: %s or %s not loaded\n", k->fw,
			    k->inst);
			harness_result(k->fw, 0);
			continue;
		}
		row = fw->ver[0].row;
		v = compat_at(c, row, col) == CV_OK ?
		    compat_version(r, c, row, col) : NULL;
		ok = compat_at(c, row, col) == k->want &&
		    (k->version == NULL ? v == NULL :
		    v != NULL && strcmp(v, k->version) == 0);
		if (!ok)
			fprintf(stderr, "compat %s x %s: %s (%s), expected %s "
			    "(%s)\n", k->fw, k->inst,
			    cverdict_codes[compat_at(c, row, col)],
			    v ? v : "null", cverdict_codes[k->want],
			    k->version ? k->version : "null");
		harness_result(k->fw, ok);
	}
	compat_free(c);
	registries_free(r);
}

/* What a framework version's requirement accepts, on its own. */
TEST(accel_satisfies_table)
{
	struct registries *r = load(compat_fw, no_models, compat_inst, 0);
	const struct framework *fw;

	CHECK(r != NULL);
	if (r == NULL)
		return;
	fw = registry_framework(r, "range-12-4-to-12-10");
	CHECK(fw != NULL && accel_satisfies(&fw->ver[0], "12.10"));
	CHECK(fw != NULL && accel_satisfies(&fw->ver[0], "12.10.1"));
	CHECK(fw != NULL && accel_satisfies(&fw->ver[0], "12.4"));
	CHECK(fw != NULL && !accel_satisfies(&fw->ver[0], "12.3"));
	CHECK(fw != NULL && !accel_satisfies(&fw->ver[0], "12.11"));
	CHECK(fw != NULL && !accel_satisfies(&fw->ver[0], "13.0"));
	fw = registry_framework(r, "pinned-12-1");
	CHECK(fw != NULL && accel_satisfies(&fw->ver[0], "12.1"));
	CHECK(fw != NULL && !accel_satisfies(&fw->ver[0], "12.2"));
	CHECK(fw != NULL && !accel_satisfies(&fw->ver[0], "12.0"));
	registries_free(r);
}

static int
sgn(int c)
{
	return (c > 0) - (c < 0);
}

TEST(accel_cmp_table)
{
	static const struct {
		const char *v, *bound;
		int want;
	} t[] = {
		{ "12.10", "12.8", 1 },		/* numeric, not text */
		{ "12.8", "12.10", -1 },
		{ "9.0", "12.0", -1 },
		{ "11.8", "12.0", -1 },
		{ "12.0", "12.0", 0 },
		{ "12.2.1", "12.2", 0 },	/* the bound is a prefix */
		{ "12.2.1", "12", 0 },
		{ "12.3", "12.2", 1 },
		{ "12.1.9", "12.2", -1 },
		{ "2.19.1", "2.20.0", -1 },
		{ "2.20.0", "2.19.1", 1 },
		{ "10.0", "9.9", 1 },
		{ "012.4", "12.4", 0 },		/* numbers, not digits */
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int got = sgn(accel_cmp(t[i].v, t[i].bound));

		if (got != t[i].want)
			fprintf(stderr, "accel_cmp(\"%s\", \"%s\") is %d, "
			    "expected %d\n", t[i].v, t[i].bound, got,
			    t[i].want);
		harness_result(t[i].v, got == t[i].want);
	}
}

/* ---- model matching --------------------------------------------------- */

#define MODEL(id, family) \
	"\"" id "\":\n  family: " family "\n  chatTemplate: null\n" \
	"  requiresTemplate: false\n  validationLevel: tested\n" \
	"  frameworkCompatibility: {}\n"

static const char match_models[] =
    MODEL("meta-llama/Meta-Llama-3-*", "llama3-pattern")
    MODEL("meta-llama/Meta-Llama-3-70B-Instruct", "llama3-70b-exact")
    MODEL("mistralai/*", "mistral-any")
    MODEL("mistralai/Mixtral-8x7B-*", "mixtral")
    MODEL("*-GGUF", "gguf")
    MODEL("org/*/leaf", "across-slash")
    MODEL("ab*", "tie-ab")
    MODEL("a*c", "tie-ac");

TEST(model_matching)
{
	static const struct {
		const char *id, *family;	/* family NULL: no match */
	} t[] = {
		{ "meta-llama/Meta-Llama-3-70B-Instruct", "llama3-70b-exact" },
		{ "META-LLAMA/meta-llama-3-70b-instruct", "llama3-70b-exact" },
		{ "meta-llama/Meta-Llama-3-8B-Instruct", "llama3-pattern" },
		{ "Meta-Llama/META-LLAMA-3-8b", "llama3-pattern" },
		{ "meta-llama/Meta-Llama-3-70B", "llama3-pattern" },
		/* overlapping patterns: the most literal characters wins */
		{ "mistralai/Mixtral-8x7B-Instruct-v0.1", "mixtral" },
		{ "mistralai/Mistral-7B-v0.3", "mistral-any" },
		{ "mistralai/Mistral-7B-GGUF", "mistral-any" },
		{ "TheBloke/Llama-2-7B-GGUF", "gguf" },
		/* '*' matches a run holding '/' */
		{ "org/a/b/leaf", "across-slash" },
		{ "org/x/leaf", "across-slash" },
		{ "a/b/c-GGUF", "gguf" },
		/* the same number of literals: the first in the registry */
		{ "abc", "tie-ac" },
		{ "google/gemma-7b", NULL },
		{ "meta-llama/Llama-2-7b", NULL },
		{ "org/leaf", NULL },
		{ "", NULL },
	};
	struct registries *r = load("{}\n", match_models, "{}\n", 0);
	size_t i;

	CHECK(r != NULL);
	for (i = 0; r != NULL && i < sizeof(t) / sizeof(t[0]); i++) {
		const struct model *m = registry_match_model(r, t[i].id);
		const char *got = m ? m->family : NULL;
		int ok = t[i].family == NULL ? got == NULL :
		    got != NULL && strcmp(got, t[i].family) == 0;

		if (!ok)
			fprintf(stderr, "match \"%s\": %s, expected %s\n",
			    t[i].id, got ? got : "none",
			    t[i].family ? t[i].family : "none");
		harness_result(t[i].id, ok);
	}
	registries_free(r);
}

TEST(model_glob_table)
{
	CHECK(model_glob("*", ""));
	CHECK(model_glob("*", "a/b/c"));
	CHECK(model_glob("a*", "a"));
	CHECK(model_glob("A*b", "axyzB"));
	CHECK(model_glob("*a*a*", "banana"));
	CHECK(!model_glob("*a*a*a*a", "banana"));
	CHECK(!model_glob("abc", "abcd"));
	CHECK(!model_glob("abc*", "ab"));
	CHECK(model_glob("a**c", "ac"));
}

/* ---- frameworkCompatibility ranges ------------------------------------ */

static const char range_fw[] =
    FWV("vllm", "cpu", "null", "null");

static const char range_inst[] =
    INST("ml.m5.xlarge", "m5", "cpu", "null", "null");

struct rcase {
	const char	*range;
	const char	*yes[5], *no[5];
};

static const struct rcase rcases[] = {
	{ ">=0.4.0", { "0.4.0", "0.5.0", "0.10.0", "1.0" }, { "0.3.9", "0.3.10" } },
	{ ">0.5.0", { "0.5.1", "0.6" }, { "0.5.0", "0.4.9" } },
	{ "<=0.6.3", { "0.6.3", "0.6.2", "0.1" }, { "0.6.4", "0.7.0" } },
	{ "<1.0", { "0.9.9" }, { "1.0", "1.0.1" } },
	{ "==0.5.0", { "0.5.0" }, { "0.5.1", "0.4.0" } },
	{ "=0.5.0", { "0.5.0" }, { "0.5.1" } },
	{ "0.5.0", { "0.5.0" }, { "0.5.1", "0.4.0" } },
	{ "!=0.6.0", { "0.6.1", "0.5.0" }, { "0.6.0" } },
	{ "*", { "0.0.1", "99.0", "b4620" }, { NULL } },
	{ ">=2.4.0, <3.0.0", { "2.4.0", "2.9.9" }, { "3.0.0", "2.3.9" } },
	{ ">=2.4.0,<3.0.0", { "2.4.0" }, { "3.0.0" } },
	{ "==0.12.0 || >=0.15.0", { "0.12.0", "0.15.0", "1.0" }, { "0.13.0", "0.11.0" } },
	{ "<0.2 || >0.8 , <0.9", { "0.1", "0.8.5" }, { "0.5", "0.9", "1.0" } },
};

/* One model per range, all on framework vllm: the i-th is "t/<i>". */
static char *
range_models(void)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < sizeof(rcases) / sizeof(rcases[0]); i++)
		buf_printf(&b, "t/%zu:\n  family: f\n  chatTemplate: null\n"
		    "  requiresTemplate: false\n  validationLevel: tested\n"
		    "  frameworkCompatibility:\n    vllm: \"%s\"\n", i,
		    rcases[i].range);
	return b.s;
}

TEST(range_allows)
{
	char *models = range_models();
	struct registries *r = load(range_fw, models, range_inst, 0);
	size_t i, j;

	CHECK(r != NULL);
	for (i = 0; r != NULL && i < sizeof(rcases) / sizeof(rcases[0]); i++) {
		char id[32];
		const struct model *m;
		int ok = 1;

		snprintf(id, sizeof(id), "t/%zu", i);
		m = registry_match_model(r, id);
		if (m == NULL || m->nreq != 1) {
			fprintf(stderr, "range \"%s\": model %s not loaded\n",
			    rcases[i].range, id);
			harness_result(rcases[i].range, 0);
			continue;
		}
		CHECK_STR(m->req[0].range, rcases[i].range);
		for (j = 0; j < 5 && rcases[i].yes[j]; j++)
			if (!fwreq_allows(&m->req[0], rcases[i].yes[j])) {
				fprintf(stderr, "range \"%s\" refuses %s\n",
				    rcases[i].range, rcases[i].yes[j]);
				ok = 0;
			}
		for (j = 0; j < 5 && rcases[i].no[j]; j++)
			if (fwreq_allows(&m->req[0], rcases[i].no[j])) {
				fprintf(stderr, "range \"%s\" allows %s\n",
				    rcases[i].range, rcases[i].no[j]);
				ok = 0;
			}
		harness_result(rcases[i].range, ok);
	}
	registries_free(r);
	free(models);
}

/* Ranges that do not parse fail the load. */
TEST(range_refused)
{
	static const char *const bad[] = {
		">=>0.4.0", "", " ", ">=", ">=0.4.0 ||", "|| >=0.4.0",
		">=0.4.0,", ", >=0.4.0", ">=0.4.0 | <1.0", "~0.4", "^1.0",
		">= 0.4.0 <1.0", "0.4.0 0.5.0", "**",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *models = xasprintf("t/x:\n  family: f\n"
		    "  chatTemplate: null\n  requiresTemplate: false\n"
		    "  validationLevel: tested\n  frameworkCompatibility:\n"
		    "    vllm: \"%s\"\n", bad[i]);
		struct registries *r = load(range_fw, models, range_inst, 1);

		if (r != NULL)
			fprintf(stderr, "range \"%s\" was accepted\n", bad[i]);
		harness_result(bad[i], r == NULL);
		registries_free(r);
		free(models);
	}
}

/* The real data in the order it was written and reversed: the same
 * models match and the same verdicts come out. */
TEST(order_independent)
{
	static const char fw_ab[] =
	    FWV("alpha", "cuda", "\"12.1\"", "null")
	    FWV("beta", "cuda", "\"12.4\"", "{min: \"12.2\", max: \"12.4\"}");
	static const char fw_ba[] =
	    FWV("beta", "cuda", "\"12.4\"", "{min: \"12.2\", max: \"12.4\"}")
	    FWV("alpha", "cuda", "\"12.1\"", "null");
	static const char m_ab[] = MODEL("x/*", "short") MODEL("x/long-*", "long");
	static const char m_ba[] = MODEL("x/long-*", "long") MODEL("x/*", "short");
	struct registries *r1 = load(fw_ab, m_ab, compat_inst, 0);
	struct registries *r2 = load(fw_ba, m_ba, compat_inst, 0);
	struct compat *c1, *c2;

	CHECK(r1 != NULL && r2 != NULL);
	if (r1 == NULL || r2 == NULL)
		goto out;
	c1 = compat_build(r1);
	c2 = compat_build(r2);
	CHECK(c1->nrow == c2->nrow && c1->ncol == c2->ncol);
	CHECK(memcmp(c1->verdict, c2->verdict, c1->nrow * c1->ncol) == 0);
	CHECK_STR(r1->fw[0].name, "alpha");
	CHECK_STR(r2->fw[0].name, "alpha");
	CHECK_STR(registry_match_model(r1, "x/long-1")->family, "long");
	CHECK_STR(registry_match_model(r2, "x/long-1")->family, "long");
	CHECK_STR(registry_match_model(r2, "x/other")->family, "short");
	compat_free(c1);
	compat_free(c2);
out:
	registries_free(r1);
	registries_free(r2);
}

int
main(void)
{
	char *cmd;
	int st;

	if (mkdtemp(scratch) == NULL) {
		perror(scratch);
		return 1;
	}
	RUN(compat_table);
	RUN(accel_satisfies_table);
	RUN(accel_cmp_table);
	RUN(model_matching);
	RUN(model_glob_table);
	RUN(range_allows);
	RUN(range_refused);
	RUN(order_independent);
	st = harness_done("test_registry");
	cmd = xasprintf("rm -rf '%s'", scratch);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", scratch);
	free(cmd);
	return st;
}
