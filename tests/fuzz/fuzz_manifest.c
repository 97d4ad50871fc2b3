/*
 * fuzz_manifest.c - libFuzzer target: any bytes as manifest.yml must
 * validate and expand into a build matrix, or be refused with messages,
 * never crash, hang or leak.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "manifest.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest *m;
	struct matrix *mx;
	char path[64];
	int fd;

	if ((fd = memfd_create("manifest", 0)) == -1)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if ((m = manifest_load(path)) != NULL) {
			mx = matrix_build(m);
			matrix_free(mx);
			manifest_free(m);
		}
	}
	close(fd);
	return 0;
}
