/*
 * fuzz_registry.c - libFuzzer target: the first byte chooses which of the
 * three registry files the rest is (0 frameworks, 1 models, 2 instances,
 * modulo 3); the other two are a small valid fixture.  The registries must
 * load and yield a compatibility matrix (with its reasons, warnings and a
 * model match), or be refused with messages, never crash, hang or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char fixture_frameworks[] =
    "vllm:\n"
    "  \"0.5.0\":\n"
    "    baseImage: vllm/vllm-openai:v0.5.0\n"
    "    accelerator:\n"
    "      type: cuda\n"
    "      version: \"12.1\"\n"
    "      versionRange: {min: \"12.0\", max: \"12.2\"}\n"
    "    envVars: {VLLM_MAX_BATCH_SIZE: \"256\"}\n"
    "    inferenceAmiVersion: al2-ami-sagemaker-inference-gpu-3-1\n"
    "    recommendedInstanceTypes: [ml.g5.xlarge]\n"
    "    validationLevel: community-validated\n"
    "    profiles:\n"
    "      low-latency:\n"
    "        displayName: Low Latency\n"
    "        envVars: {VLLM_MAX_BATCH_SIZE: \"1\"}\n"
    "djl-lmi:\n"
    "  \"0.27.0\":\n"
    "    baseImage: djl-inference:0.27.0\n"
    "    accelerator: {type: neuron, version: \"2.16.0\"}\n"
    "    envVars: {}\n"
    "    inferenceAmiVersion: ami-neuron\n"
    "    recommendedInstanceTypes: [ml.inf2.xlarge]\n"
    "    validationLevel: tested\n"
    "onnxruntime:\n"
    "  \"1.20.1\":\n"
    "    baseImage: python:3.12-slim\n"
    "    accelerator: {type: cpu, version: null, versionRange: null}\n"
    "    envVars: {}\n"
    "    inferenceAmiVersion: ami-cpu\n"
    "    recommendedInstanceTypes: [ml.m5.xlarge]\n"
    "    validationLevel: experimental\n";

static const char fixture_models[] =
    "meta-llama/Meta-Llama-3-*:\n"
    "  family: llama-3\n"
    "  chatTemplate: \"{{ messages }}\"\n"
    "  requiresTemplate: true\n"
    "  validationLevel: community-validated\n"
    "  frameworkCompatibility: {vllm: \">=0.4.0\", djl-lmi: \"*\"}\n"
    "  profiles:\n"
    "    8b:\n"
    "      displayName: Llama 3 8B\n"
    "      envVars: {MAX_MODEL_LEN: \"8192\"}\n"
    "      recommendedInstanceTypes: [ml.g5.xlarge]\n"
    "mistralai/*:\n"
    "  family: mistral\n"
    "  chatTemplate: null\n"
    "  requiresTemplate: false\n"
    "  validationLevel: experimental\n"
    "  frameworkCompatibility: {vllm: \">=0.2, <1.0 || ==2.0\"}\n";

static const char fixture_instances[] =
    "ml.g5.xlarge:\n"
    "  family: g5\n"
    "  accelerator: {type: cuda, hardware: NVIDIA A10G, architecture: Ampere,\n"
    "    versions: [\"12.1\", \"12.2\"], default: \"12.2\"}\n"
    "  memory: 16 GB\n"
    "  vcpus: 4\n"
    "ml.inf2.xlarge:\n"
    "  family: inf2\n"
    "  accelerator: {type: neuron, hardware: AWS Inferentia2,\n"
    "    architecture: Inferentia2, versions: [\"2.16.0\"], default: \"2.16.0\"}\n"
    "  memory: 16 GB\n"
    "  vcpus: 4\n"
    "ml.m5.xlarge:\n"
    "  family: m5\n"
    "  accelerator: {type: cpu, hardware: Intel Xeon, architecture: Skylake,\n"
    "    versions: null, default: null}\n"
    "  memory: 16 GB\n"
    "  vcpus: 4\n";

static const char *const names[3] = {
	"frameworks.yml", "models.yml", "instances.yml"
};
static const char *const fixtures[3] = {
	fixture_frameworks, fixture_models, fixture_instances
};
static char dir[] = "/tmp/fuzz_registry.XXXXXX";

static int
put(const char *name, const void *p, size_t n)
{
	char path[128];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return 0;
	ok = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && ok;
}

static void
cleanup(void)
{
	char path[128];
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct registries *r;
	struct compat *c;
	int kind, i;

	if (!ready) {
		if (mkdtemp(dir) == NULL)
			abort();
		atexit(cleanup);
		ready = 1;
	}
	if (size == 0)
		return 0;
	kind = data[0] % 3;
	for (i = 0; i < 3; i++)
		if (!(i == kind ? put(names[i], data + 1, size - 1) :
		    put(names[i], fixtures[i], strlen(fixtures[i]))))
			abort();
	if ((r = registries_load(dir)) == NULL)
		return 0;
	if ((c = compat_build(r)) != NULL) {
		size_t row, col;

		compat_warn(r, c);
		for (row = 0; row < c->nrow; row++)
			for (col = 0; col < c->ncol; col++) {
				char *why = compat_reason(r, c, row, col);

				(void)compat_version(r, c, row, col);
				free(why);
			}
	}
	(void)registry_match_model(r, "meta-llama/Meta-Llama-3-8B-Instruct");
	(void)registry_match_model(r, "mistralai/Mixtral-8x7B-v0.1");
	compat_free(c);
	registries_free(r);
	return 0;
}
