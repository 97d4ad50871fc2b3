/*
 * fuzz_index.c - libFuzzer target: any bytes as engines.json read back
 * (gen site) must parse with positions, pass the checks and load into
 * jansson, or be refused with messages; never crash, hang or leak.  The
 * rules are the standard platform matrix and the sample engines.
 */
#include <stddef.h>
#include <stdint.h>

#include "index.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const eng[] = { "llama-cpp", "whisper-cpp",
	    "sd-cpp", NULL };
	static const char *const mac_arm[] = { "metal", "cpu" };
	static const char *const cpu[] = { "cpu" };
	static const char *const linux_x86[] = { "cuda", "cpu", "rocm" };
	static const char *const linux_arm[] = { "cuda", "cpu" };
	static const char *const win[] = { "cuda", "cpu" };
	static const struct platform plat[] = {
		{ "macos", "aarch64", 2, mac_arm },
		{ "macos", "x86_64", 1, cpu },
		{ "linux", "x86_64", 3, linux_x86 },
		{ "linux", "aarch64", 2, linux_arm },
		{ "windows", "x86_64", 2, win },
	};
	const struct pkgrules rules = { 5, plat, eng, NULL, 0 };

	index_free(index_read_buf("engines.json", (const char *)data, size,
	    &rules));
	return 0;
}
