/*
 * fuzz_package.c - libFuzzer target: any bytes as a .baiengine must be read
 * or refused with a message, never crash, hang or leak.
 * The bytes go through a memfd, as package_read takes a path.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "index.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char buf[256 * 1024];
	static const char *const eng[] = { "llama-cpp", NULL };
	static const char *const acc[] = { "cpu", "cuda" };
	static const struct platform plat = { "linux", "x86_64", 2, acc };
	const struct pkgrules rules = { 1, &plat, eng };
	struct pkginfo info;
	char path[64];
	int fd;

	if ((fd = memfd_create("pkg", 0)) == -1)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (package_read(path, "fuzz.baiengine", buf, sizeof(buf), &info)) {
		(void)package_check(&info, &rules);
		pkginfo_clear(&info);
	}
	close(fd);
	return 0;
}
