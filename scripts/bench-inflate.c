/*
 * bench-inflate.c - inflate a .baiengine and walk every tar member with
 * libarchive, in one thread, as gen's package reading does (members are
 * skipped, which still inflates them; SKIP unset reads their data too):
 *   bench-inflate zlib FILE   libarchive's own gzip filter (zlib)
 *   bench-inflate isal FILE   ISA-L's isal_inflate (gzip header and CRC
 *                             checked) feeding libarchive's tar reader
 * Prints the seconds and MB/s of compressed input.  Built and run by
 * scripts/bench-inflate.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <isa-l/igzip_lib.h>

#define INLEN	(256 * 1024)
#define OUTLEN	(256 * 1024)

struct src {
	int fd;
	unsigned char in[INLEN], out[OUTLEN];
	struct inflate_state st;
	long long insize;
	int done;
};

static la_ssize_t
raw_read(struct archive *a, void *c, const void **p)
{
	struct src *s = c;
	ssize_t n = read(s->fd, s->in, INLEN);

	*p = s->in;
	if (n > 0)
		s->insize += n;
	return n;
}

static la_ssize_t
isal_read(struct archive *a, void *c, const void **p)
{
	struct src *s = c;
	ssize_t n;
	int rc;

	*p = s->out;
	s->st.next_out = s->out;
	s->st.avail_out = OUTLEN;
	while (s->st.avail_out == OUTLEN && !s->done) {
		if (s->st.avail_in == 0) {
			n = read(s->fd, s->in, INLEN);
			if (n <= 0)
				return -1;
			s->insize += n;
			s->st.next_in = s->in;
			s->st.avail_in = (uint32_t)n;
		}
		rc = isal_inflate(&s->st);
		if (rc != ISAL_DECOMP_OK) {
			fprintf(stderr, "isal_inflate: %d\n", rc);
			return -1;
		}
		if (s->st.block_state == ISAL_BLOCK_FINISH)
			s->done = 1;
	}
	return OUTLEN - s->st.avail_out;
}

int
main(int argc, char **argv)
{
	static struct src s;
	static char data[64 * 1024];
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct timespec t0, t1;
	long long out = 0;
	la_ssize_t n;
	int isal = strcmp(argv[1], "isal") == 0, rc;
	double sec;

	s.fd = open(argv[2], O_RDONLY);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	archive_read_support_format_tar(a);
	if (isal) {
		isal_inflate_init(&s.st);
		s.st.crc_flag = ISAL_GZIP;
		rc = archive_read_open(a, &s, NULL, isal_read, NULL);
	} else {
		archive_read_support_filter_gzip(a);
		rc = archive_read_open(a, &s, NULL, raw_read, NULL);
	}
	if (rc != ARCHIVE_OK)
		return 1;
	while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK)
		while (getenv("SKIP") == NULL && (n = archive_read_data(a, data, sizeof(data))) > 0)
			out += n;
	if (rc != ARCHIVE_EOF) {
		fprintf(stderr, "%s\n", archive_error_string(a));
		return 1;
	}
	archive_read_free(a);
	/* the rest of the gzip member (tar padding, trailer) */
	if (isal)
		while (!s.done && isal_read(NULL, &s, (const void **)&n) >= 0)
			;
	else
		while (raw_read(NULL, &s, (const void **)&n) > 0)
			;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sec = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%s: %lld bytes in, %lld of members out, %.3f s, %.1f MB/s of "
	    "compressed input\n", argv[1], s.insize, out, sec, s.insize / sec / 1e6);
	return 0;
}
