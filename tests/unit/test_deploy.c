/*
 * test_deploy.c - the deployment registry's foundation: the configId of
 * ML Container Creator's CI table, collisions of ':' inside fields, the
 * redaction table (names and values, secrets and tuning values that only
 * look alike), and do/config read as data.
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

int
main(void)
{
	RUN(config_id_matches_mlcc);
	RUN(colliding_keys);
	RUN(redaction_table);
	RUN(doconfig_reads_data);
	RUN(doconfig_refuses);
	return harness_done("deploy");
}
