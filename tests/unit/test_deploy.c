/*
 * test_deploy.c - the deployment registry's foundation: the configId of
 * ML Container Creator's CI table, collisions of ':' inside fields, the
 * redaction table (names and values, secrets and tuning values that only
 * look alike), do/config read as data, records parsed strictly and
 * written back byte for byte, and import files.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "deploy.h"

/* SHA-256 of the key text, first 16 hex digits: ML Container Creator's
 * createHash('sha256').update(text).digest('hex').substring(0, 16). */
TEST(config_id_matches_mlcc)
{
	struct deploykey k = { "transformers-vllm",
	    "meta-llama/Llama-2-7b-chat-hf", "ml.g5.xlarge", "us-east-1",
	    "realtime-inference", 1, 0 };
	char id[17], *t = deploy_key_text(&k);

	CHECK_STR(t, "transformers-vllm:meta-llama/Llama-2-7b-chat-hf:"
	    "ml.g5.xlarge:us-east-1:realtime-inference:ic1:adapt0");
	CHECK(deploy_config_id(&k, id));
	CHECK_STR(id, "3ea2aeeb3ba9aa7e");
	free(t);
	k.model_name = NULL;	/* "none" */
	t = deploy_key_text(&k);
	CHECK(strstr(t, ":none:") != NULL);
	free(t);
}

TEST(colliding_keys)
{
	struct deploykey a = { "http", "a:b", "ml.m5.xlarge", "x", "t", 1, 0 };
	struct deploykey b = { "http:a", "b", "ml.m5.xlarge", "x", "t", 1, 0 };
	struct deploykey c = a;

	CHECK(deploy_key_collide(&a, &b));
	CHECK(!deploy_key_collide(&a, &c));
	c.region = "y";
	CHECK(!deploy_key_collide(&a, &c));
}

static const struct { const char *name; int secret; } names[] = {
	{ "HF_TOKEN", 1 }, { "HUGGING_FACE_HUB_TOKEN", 1 },
	{ "AWS_SECRET_ACCESS_KEY", 1 }, { "AWS_ACCESS_KEY_ID", 1 },
	{ "AWS_SESSION_TOKEN", 1 }, { "NGC_API_KEY", 1 },
	{ "OPENAI_API_KEY", 1 }, { "DB_PASSWORD", 1 }, { "MYSQL_PASSWD", 1 },
	{ "VLLM_API_KEY", 1 }, { "SGLANG_API_KEY", 1 }, { "TGI_APIKEY", 1 },
	{ "GITHUB_TOKEN", 1 }, { "GHTOKEN", 1 }, { "BASIC_AUTH", 1 },
	{ "AUTH", 1 }, { "OAUTH", 1 }, { "HTTP_AUTHORIZATION", 1 },
	{ "GOOGLE_APPLICATION_CREDENTIALS", 1 }, { "SSH_PRIVATE_KEY", 1 },
	{ "CLIENT_SECRET", 1 }, { "hf_token", 1 }, { "vllm.api-key", 0 },
	{ "MAX_TOTAL_TOKENS", 0 }, { "MAX_NUM_BATCHED_TOKENS", 0 },
	{ "TOKENIZER_MODE", 0 }, { "MAX_INPUT_TOKENS", 0 },
	{ "VLLM_MAX_MODEL_LEN", 0 }, { "HF_MODEL_ID", 0 }, { "AUTHOR", 0 },
	{ "TOKENIZERS_PARALLELISM", 0 }, { "CUDA_VISIBLE_DEVICES", 0 },
	{ "MAX_BATCH_PREFILL_TOKENS", 0 }, { "SM_NUM_GPUS", 0 },
	{ "AWS_REGION", 0 }, { "OPTION_ROLLING_BATCH", 0 },
	/* The names, and secrets behind every engine's prefix. */
	{ "TGI_HF_TOKEN", 1 }, { "SGLANG_AUTH_TOKEN", 1 },
	{ "TRTLLM_SECRET", 1 }, { "DJL_ACCESS_KEY", 1 },
	{ "LMI_PRIVATE_KEY", 1 }, { "VLLM_CREDENTIALS", 1 },
	{ "TRITON_PASSWORD", 1 }, { "OPTION_HF_TOKEN", 1 },
	{ "vllm_api_key", 1 }, { "Ngc_Api_Key", 1 }, { "OPENAI_APIKEY", 1 },
	{ "PGPASSWORD", 1 }, { "DB_PASSWD", 1 }, { "REDIS_AUTH", 1 },
	{ "HTTP_AUTHZ", 1 }, { "WANDB_API_KEY", 1 },
	{ "SGLANG_MAX_TOTAL_TOKENS", 0 }, { "TGI_MAX_TOTAL_TOKENS", 0 },
	{ "VLLM_MAX_NUM_BATCHED_TOKENS", 0 }, { "VLLM_TOKENIZER_MODE", 0 },
	{ "MAX_NEW_TOKENS", 0 }, { "VLLM_TOKENIZER", 0 },
	{ "TOKENIZER", 0 }, { "SGLANG_CONTEXT_LENGTH", 0 },
	{ "VLLM_SSL_KEYFILE", 0 }, { "MAX_CONCURRENT_REQUESTS", 0 },
};

static const struct { const char *value; int secret; } values[] = {
	{ "hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345", 1 },
	{ "AKIAIOSFODNN7EXAMPLE", 1 }, { "ASIAIOSFODNN7EXAMPLE", 1 },
	{ "ghp_0123456789abcdefghijABCDEFGHIJ012345", 1 },
	{ "github_pat_11ABCDEFG0123456789_abcdefghijklmnop", 1 },
	{ "sk-proj-abcdefghijklmnopqrstuvwxyz0123", 1 },
	{ "sk-abcdefghijklmnopqrstuvwxyz", 1 },
	{ "xoxb-1234567890-abcdefghij", 1 },
	{ "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n", 1 },
	{ "-----BEGIN RSA PRIVATE KEY-----", 1 },
	{ "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N", 1 },
	{ "postgres://admin:hunter2@db.example.com:5432/app", 1 },
	{ "https://user:pass@example.com/", 1 },
	{ "Bearer hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345", 1 },
	{ "https://example.com/path", 0 }, { "meta-llama/Llama-2-7b-chat-hf", 0 },
	{ "4096", 0 }, { "0.9", 0 }, { "task-abcdefghijklmnopqrstuvwxyz", 0 },
	{ "hf_short", 0 }, { "vllm/vllm-openai:v0.8.5", 0 },
	{ "s3://bucket/key", 0 }, { "auto", 0 },
	{ "user@example.com", 0 }, { "sk-short", 0 },
	/* More credentials, and values that only look alike. */
	{ "gho_0123456789abcdefghijABCDEFGHIJ012345", 1 },
	{ "ghs_0123456789abcdefghijABCDEFGHIJ012345", 1 },
	{ "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789", 1 },
	{ "xoxp-1234567890-1234567890-abcdefghij", 1 },
	{ "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n", 1 },
	{ "-----BEGIN EC PRIVATE KEY-----", 1 },
	{ "mongodb+srv://app:s3cr3tPass@cluster0.example.net/db", 1 },
	{ "redis://:hunter2@cache.example.com:6379/0", 1 },
	{ "token=hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345", 1 },
	{ "-----BEGIN CERTIFICATE-----", 0 },
	{ "https://example.com:8443/v1", 0 },
	{ "https://huggingface.co/meta-llama/Llama-2-7b-chat-hf", 0 },
	{ "ml.g5.xlarge", 0 }, { "Qwen/Qwen3-4B", 0 }, { "true", 0 },
	{ "fp8", 0 },
};

TEST(redaction_table)
{
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++, n++)
		if (redact_name(names[i].name) != names[i].secret) {
			fprintf(stderr, "redact_name(%s) should be %d\n",
			    names[i].name, names[i].secret);
			h_cur_failed = 1;
		}
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++, n++)
		if (redact_value(values[i].value) != values[i].secret) {
			fprintf(stderr, "redact_value(%s) should be %d\n",
			    values[i].value, values[i].secret);
			h_cur_failed = 1;
		}
	CHECK(n >= 40);
	CHECK_STR(redact("HF_TOKEN", "x"), DEPLOY_REDACTED);
	CHECK_STR(redact("MODEL", "hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345"),
	    DEPLOY_REDACTED);
	CHECK_STR(redact("MAX_TOTAL_TOKENS", "4096"), "4096");
}

TEST(doconfig_reads_data)
{
	static const char text[] =
	    "# a project\n"
	    "export PROJECT_NAME=\"qwen3-4b-vllm\"\n"
	    "DEPLOYMENT_CONFIG=transformers-vllm\n"
	    "  MODEL_NAME='Qwen/Qwen3-4B'   # the model\n"
	    "HOME_DIR=\"$HOME/$(whoami)\"\n"
	    "QUOTED=\"a \\\"b\\\" c\"\n"
	    "\n"
	    "DEPLOYMENT_CONFIG=http\r\n";
	struct kvlist l = { 0 };

	CHECK(doconfig_parse("do/config", text, sizeof(text) - 1, &l));
	CHECK_STR(kvlist_get(&l, "PROJECT_NAME"), "qwen3-4b-vllm");
	CHECK_STR(kvlist_get(&l, "DEPLOYMENT_CONFIG"), "http");
	CHECK_STR(kvlist_get(&l, "MODEL_NAME"), "Qwen/Qwen3-4B");
	CHECK_STR(kvlist_get(&l, "HOME_DIR"), "$HOME/$(whoami)");
	CHECK_STR(kvlist_get(&l, "QUOTED"), "a \"b\" c");
	CHECK(kvlist_get(&l, "HOME") == NULL);
	kvlist_clear(&l);
	/* An empty value at the very end of the text (no newline): found by
	 * the fuzz target reading past the end. */
	CHECK(doconfig_parse("do/config", "HF_TOKEN=", 9, &l));
	CHECK_STR(kvlist_get(&l, "HF_TOKEN"), "");
	kvlist_clear(&l);
}

TEST(doconfig_refuses)
{
	static const char *const bad[] = {
	    "NAME=$(rm -rf /)\n", "NAME=a;b\n", "NAME=\"open\n",
	    "9NAME=x\n", "just words\n", "NAME='x' trailing\n",
	    "export\n", "NAME=`id`\n",
	};
	struct kvlist l = { 0 };
	size_t i;

	gen_verbose = -1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (doconfig_parse("do/config", bad[i], strlen(bad[i]), &l)) {
			fprintf(stderr, "accepted: %s", bad[i]);
			h_cur_failed = 1;
		}
		kvlist_clear(&l);
	}
}

/* The context's example record, as gen writes it (sorted keys, two
 * spaces, a final newline). */
static const char example[] =
	    "{\n"
	    "  \"adapterCount\": 0,\n"
	    "  \"architecture\": \"transformers\",\n"
	    "  \"backend\": \"vllm\",\n"
	    "  \"baseImage\": \"vllm/vllm-openai:v0.8.5\",\n"
	    "  \"buildStrategy\": \"codebuild-submit\",\n"
	    "  \"ciIc\": \"default\",\n"
	    "  \"configId\": \"3ea2aeeb3ba9aa7e\",\n"
	    "  \"deploymentConfig\": \"transformers-vllm\",\n"
	    "  \"deploymentTarget\": \"realtime-inference\",\n"
	    "  \"firstRegisteredAt\": \"2026-12-03T18:00:00Z\",\n"
	    "  \"genVersion\": \"0.1.0\",\n"
	    "  \"history\": [\n"
	    "    {\n"
	    "      \"buildStrategy\": \"codebuild-submit\",\n"
	    "      \"ci\": false,\n"
	    "      \"genVersion\": \"0.1.0\",\n"
	    "      \"notes\": \"Initial deployment\",\n"
	    "      \"status\": \"success\",\n"
	    "      \"time\": \"2026-12-03T18:00:00Z\"\n"
	    "    }\n"
	    "  ],\n"
	    "  \"icCount\": 1,\n"
	    "  \"icList\": [\n"
	    "    {\n"
	    "      \"copyCount\": 1,\n"
	    "      \"gpuCount\": 1,\n"
	    "      \"image\": \"llama2-vllm-latest\",\n"
	    "      \"name\": \"default\"\n"
	    "    }\n"
	    "  ],\n"
	    "  \"instanceType\": \"ml.g5.xlarge\",\n"
	    "  \"modelName\": \"meta-llama/Llama-2-7b-chat-hf\",\n"
	    "  \"notes\": \"Initial deployment\",\n"
	    "  \"parameters\": {\n"
	    "    \"HF_MODEL_ID\": \"meta-llama/Llama-2-7b-chat-hf\",\n"
	    "    \"HF_TOKEN\": \"***REDACTED***\",\n"
	    "    \"VLLM_MAX_MODEL_LEN\": \"4096\"\n"
	    "  },\n"
	    "  \"projectName\": \"llama2-vllm\",\n"
	    "  \"region\": \"us-east-1\",\n"
	    "  \"registeredAt\": \"2026-12-03T18:00:00Z\",\n"
	    "  \"roleArn\": \"arn:aws:iam::123456789012:role/SageMakerRole\",\n"
	    "  \"schemaVersion\": 1,\n"
	    "  \"status\": \"success\",\n"
	    "  \"testStatus\": \"untested\"\n"
	    "}\n";

/* A copy of the example with one text replaced (the caller frees it). */
static char *
example_with(const char *from, const char *to)
{
	const char *p = strstr(example, from);
	size_t n;
	char *s;

	if (p == NULL)
		return NULL;
	n = strlen(example) - strlen(from) + strlen(to);
	s = malloc(n + 1);
	memcpy(s, example, (size_t)(p - example));
	strcpy(s + (p - example), to);
	strcat(s, p + strlen(from));
	return s;
}

TEST(record_round_trip)
{
	struct deployment *d;
	struct deploykey k;
	json_t *j;
	char *t, id[17];

	gen_verbose = -1;
	d = deployment_parse("deployments/3ea2aeeb3ba9aa7e.json", example,
	    sizeof(example) - 1, "3ea2aeeb3ba9aa7e");
	CHECK(d != NULL);
	if (d == NULL)
		return;
	CHECK_STR(d->id, "3ea2aeeb3ba9aa7e");
	CHECK_STR(d->arch, "transformers");
	CHECK_STR(d->backend, "vllm");
	CHECK_STR(d->model, "meta-llama/Llama-2-7b-chat-hf");
	CHECK(d->ics == 1 && d->adapters == 0 && d->nic == 1);
	CHECK_STR(d->ci_ic, "default");
	CHECK(d->nhist == 1 && d->hist[0].status == DS_SUCCESS &&
	    !d->hist[0].ci);
	CHECK(d->status == DS_SUCCESS && d->test == DT_UNTESTED);
	CHECK_STR(kvlist_get(&d->params, "HF_TOKEN"), DEPLOY_REDACTED);
	CHECK_STR(kvlist_get(&d->params, "VLLM_MAX_MODEL_LEN"), "4096");
	deployment_key(d, &k);
	CHECK(deploy_config_id(&k, id));
	CHECK_STR(id, d->id);
	/* Written back: the same bytes. */
	t = deployment_text(d);
	CHECK_STR(t, example);
	free(t);
	/* Exported: no roleArn, no region. */
	j = deployment_json(d, 1);
	CHECK(json_object_get(j, "roleArn") == NULL);
	CHECK(json_object_get(j, "region") == NULL);
	CHECK(json_object_get(j, "configId") != NULL);
	json_decref(j);
	j = deployment_json(d, 0);
	CHECK(json_object_get(j, "roleArn") != NULL);
	json_decref(j);
	deployment_free(d);
}

TEST(record_refused)
{
	static const struct { const char *from, *to; } bad[] = {
	    { "\"3ea2aeeb3ba9aa7e\"", "\"0123456789abcdef\"" },	/* id != fields */
	    { "\"3ea2aeeb3ba9aa7e\"", "\"3EA2AEEB3BA9AA7E\"" },
	    { "\"schemaVersion\": 1", "\"schemaVersion\": 2" },
	    { "\"status\": \"success\",\n  \"test", "\"status\": \"ok\",\n  \"test" },
	    { "\"testStatus\": \"untested\"", "\"testStatus\": \"skipped\"" },
	    { "\"icCount\": 1", "\"icCount\": \"1\"" },
	    { "\"icCount\": 1", "\"icCount\": 2" },
	    { "\"backend\": \"vllm\"", "\"backend\": \"sglang\"" },
	    { "\"instanceType\"", "\"instanceTyp\"" },
	    { "\"registeredAt\": \"2026-12-03T18:00:00Z\"",
	      "\"registeredAt\": \"2026-12-03 18:00:00\"" },
	    { "\"history\": [", "\"history\": [], \"x\": [" },
	    { "\"deploymentConfig\": \"transformers-vllm\"",
	      "\"deploymentConfig\": \"transformers\"" },
	    { "\"name\": \"default\"", "\"nome\": \"default\"" },
	    { "\"VLLM_MAX_MODEL_LEN\": \"4096\"", "\"VLLM_MAX_MODEL_LEN\": 4096" },
	};
	struct deployment *d;
	size_t i;
	char *t;

	gen_verbose = -1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if ((t = example_with(bad[i].from, bad[i].to)) == NULL) {
			fprintf(stderr, "no %s in the example\n", bad[i].from);
			h_cur_failed = 1;
			continue;
		}
		if ((d = deployment_parse("x.json", t, strlen(t), NULL)) != NULL) {
			fprintf(stderr, "accepted: %s -> %s\n", bad[i].from,
			    bad[i].to);
			h_cur_failed = 1;
			deployment_free(d);
		}
		free(t);
	}
	/* The file's name is no id of this record. */
	d = deployment_parse("x.json", example, sizeof(example) - 1,
	    "3ea2aeeb3ba9aa7f");
	CHECK(d == NULL);
	deployment_free(d);
}

TEST(import_parse)
{
	struct deployset *s = calloc(1, sizeof(*s));
	const struct deployment *d;
	char *rec, *t;
	int amb;

	gen_verbose = -1;
	/* An export: records without region or roleArn, their ids as given;
	 * a secret that came in is redacted. */
	rec = example_with("  \"region\": \"us-east-1\",\n", "");
	t = example_with("\"HF_TOKEN\": \"***REDACTED***\"",
	    "\"NGC_API_KEY\": \"nvapi-abcdefghijklmnop\"");
	CHECK(rec != NULL && t != NULL);
	if (rec == NULL || t == NULL)
		return;
	{
		char *both = malloc(strlen(rec) + strlen(t) + 64);

		sprintf(both, "{\"schemaVersion\": 1, \"deployments\": [%s]}",
		    t);
		CHECK(deploy_import_parse("in.json", both, strlen(both), s));
		CHECK(s->n == 1);
		if (s->n == 1) {
			CHECK_STR(kvlist_get(&s->d[0]->params, "NGC_API_KEY"),
			    DEPLOY_REDACTED);
			CHECK(s->d[0]->role_arn != NULL);
		}
		deployset_free(s);
		/* One record alone, without region. */
		s = calloc(1, sizeof(*s));
		CHECK(deploy_import_parse("in.json", rec, strlen(rec), s));
		CHECK(s->n == 1 && s->d[0]->region == NULL);
		if (s->n == 1)
			CHECK_STR(s->d[0]->id, "3ea2aeeb3ba9aa7e");
		d = deployset_find(s, "3ea2", &amb);
		CHECK(d != NULL && !amb);
		d = deployset_find(s, "3ea", &amb);
		CHECK(d == NULL);
		d = deployset_find(s, "ffff", &amb);
		CHECK(d == NULL && !amb);
		deployset_free(s);
		/* The same configId twice. */
		s = calloc(1, sizeof(*s));
		sprintf(both, "[%s,%s]", rec, rec);
		CHECK(!deploy_import_parse("in.json", both, strlen(both), s));
		deployset_free(s);
		/* Another schemaVersion; not JSON. */
		s = calloc(1, sizeof(*s));
		sprintf(both, "{\"schemaVersion\": 2, \"deployments\": []}");
		CHECK(!deploy_import_parse("in.json", both, strlen(both), s));
		CHECK(!deploy_import_parse("in.json", "schemaVersion: 1", 16, s));
		/* An empty export is no error. */
		sprintf(both, "{\"schemaVersion\": 1, \"deployments\": []}");
		CHECK(deploy_import_parse("in.json", both, strlen(both), s));
		CHECK(s->n == 0);
		free(both);
	}
	deployset_free(s);
	free(rec);
	free(t);
}

int
main(void)
{
	RUN(config_id_matches_mlcc);
	RUN(colliding_keys);
	RUN(redaction_table);
	RUN(doconfig_reads_data);
	RUN(doconfig_refuses);
	RUN(record_round_trip);
	RUN(record_refused);
	RUN(import_parse);
	return harness_done("deploy");
}
