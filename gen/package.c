/*
 * package.c - read one engine package (*.baiengine, a gzip-compressed tar)
 * in a single pass: every byte of the file goes through SHA-256 exactly
 * once, and the same bytes go through ISA-L's inflater (which checks the
 * gzip header and the CRC-32 and length trailer) to libarchive's tar
 * reader, to the end: every member is checked.  Then the checks of a
 * package's fields against the platform matrix, the engines and its file
 * name.
 *
 * Everything here runs in several threads at once: no globals, no static
 * buffers; messages go out with one diag() call each.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <isa-l/igzip_lib.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "index.h"

#define MANIFEST	"package/manifest.json"

/*
 * The file as a stream of chunks, each hashed as it is handed out.  (A
 * read-ahead thread used to overlap read(2) with hashing; with the
 * inflater the pass costs ten times what the copy does, and the thread
 * measured no faster: see the README.)
 */
struct rd {
	int			 fd;
	unsigned char		*buf;
	size_t			 buflen;
	EVP_MD_CTX		*md;
	unsigned long long	 size;	/* bytes read (and hashed) so far */
	int			 err;	/* errno of a failed read; -1: digest */
	int			 eof;
};

enum ftype {
	F_STR,		/* a string */
	F_STR_NULL,	/* a string or null (required key) */
	F_OPT,		/* an optional string (null: absent) */
	F_STRS		/* an array of strings */
};

/* The fields of package/manifest.json, in the order they are checked. */
struct field {
	const char	*key;
	enum ftype	 type;
	size_t		 off;
	const char	*(*valid)(const char *);
};

static const char	*valid_relpath(const char *);
static char		*shown(const char *);

static const struct field fields[] = {
	{ "engineId", F_STR, offsetof(struct pkginfo, engine_id), valid_id },
	{ "version", F_STR, offsetof(struct pkginfo, version), valid_version },
	{ "os", F_STR, offsetof(struct pkginfo, os), NULL },
	{ "arch", F_STR, offsetof(struct pkginfo, arch), NULL },
	{ "accelerator", F_STR, offsetof(struct pkginfo, accelerator), NULL },
	{ "acceleratorVersion", F_STR_NULL,
	    offsetof(struct pkginfo, accelerator_version),
	    valid_accel_version },
	{ "serverBinary", F_STR, offsetof(struct pkginfo, server_binary),
	    valid_relpath },
	{ "modelFormats", F_STRS, 0, NULL },
	{ "minAppVersion", F_STR, offsetof(struct pkginfo, min_app_version),
	    valid_version },
	{ "variant", F_OPT, offsetof(struct pkginfo, variant), valid_variant },
};
#define NFIELDS	(sizeof(fields) / sizeof(fields[0]))

static const char *const field_names[] = {
	"engineId", "version", "os", "arch", "accelerator",
	"acceleratorVersion", "serverBinary", "modelFormats", "minAppVersion",
	"variant", NULL
};

/* ---- reading --------------------------------------------------------- */

/* The next chunk of the file, hashed; *p stays valid until the next call.
 * Returns its length, 0 at the end of the file, -1 on error (r->err). */
static ssize_t
rd_next(struct rd *r, const unsigned char **p)
{
	ssize_t n;

	*p = r->buf;
	if (r->eof)
		return 0;
	if ((n = read_full(r->fd, r->buf, r->buflen)) == -1) {
		r->err = errno ? errno : EIO;
		return -1;
	}
	if (n == 0) {
		r->eof = 1;
		return 0;
	}
	if (EVP_DigestUpdate(r->md, *p, (size_t)n) != 1) {
		r->err = -1;
		return -1;
	}
	r->size += (unsigned long long)n;
	return n;
}

/* ---- inflating --------------------------------------------------------- */

/*
 * The gzip member, inflated by ISA-L (about twice as fast as zlib through
 * libarchive on real shared objects: see the README) and handed to
 * libarchive's tar reader as its input.  ISA-L parses the gzip header and
 * checks the CRC-32 and length trailer (ISAL_INCORRECT_CHECKSUM); tail
 * keeps the compressed bytes before the current chunk so that a bad
 * trailer split across two chunks can still be named.
 */
#define INF_OUT		(256 * 1024)

struct inf {
	struct rd		*r;
	struct inflate_state	 st;
	unsigned char		*out;		/* INF_OUT bytes for libarchive */
	const unsigned char	*chunk;		/* the compressed chunk in st */
	size_t			 chunklen;
	unsigned char		 tail[8];	/* the 8 bytes before chunk */
	int			 done;		/* the gzip member has ended */
	int			 trailer;	/* why is about the trailer */
	char			 why[200];	/* what is wrong with the gzip data */
	char			*mf;		/* PKG_MANIFEST_MAX + 1 bytes */
	int			 own;		/* z, out and mf were allocated */
};

/* What the caller's scratch must hold besides room to read: the inflater
 * (ISA-L's state is 87 KB), its output and the manifest's bytes. */
#define SCRATCH_FIXED	(((sizeof(struct inf) + 63) & ~(size_t)63) + \
			    INF_OUT + PKG_MANIFEST_MAX + 1)
#define READ_MIN	(64 * 1024)

/* Little-endian 32-bit value of the gzip trailer. */
static uint32_t
le32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
}

/* Fill z->why for an isal_inflate failure. */
static void
inf_fault(struct inf *z, int rc)
{
	size_t used = z->chunklen - z->st.avail_in, k = used < 8 ? used : 8;
	unsigned long long at = z->r->size - z->st.avail_in;
	unsigned char t[8];

	if (rc == ISAL_INCORRECT_CHECKSUM &&
	    z->st.block_state == ISAL_BLOCK_FINISH) {
		/* ISA-L stops right after the trailer it refused. */
		z->trailer = 1;
		memcpy(t, z->tail + k, 8 - k);
		memcpy(t + 8 - k, z->st.next_in - k, k);
		if (le32(t) != z->st.crc)
			snprintf(z->why, sizeof(z->why), "the gzip trailer's "
			    "CRC-32 is %08x, the data's is %08x", le32(t),
			    z->st.crc);
		else
			snprintf(z->why, sizeof(z->why), "the gzip trailer's "
			    "length is %u, the data's is %u (modulo 2^32)",
			    le32(t + 4), z->st.total_out);
		return;
	}
	snprintf(z->why, sizeof(z->why), "damaged gzip data at byte %llu: %s",
	    at, rc == ISAL_INVALID_WRAPPER ? "bad gzip header" :
	    rc == ISAL_UNSUPPORTED_METHOD ? "compression method is not "
	    "deflate" : rc == ISAL_INCORRECT_CHECKSUM ? "the gzip header's "
	    "CRC does not match" : rc == ISAL_INVALID_LOOKBACK ? "distance "
	    "too far back" : rc == ISAL_INVALID_SYMBOL ? "invalid code" :
	    "invalid deflate block");
}

/* The next compressed chunk into st, after keeping the last 8 bytes of
 * the one before.  Returns 1, or 0 at the end of the file (z->why set) or
 * on a read error (z->r->err set). */
static int
inf_feed(struct inf *z)
{
	const unsigned char *p;
	ssize_t n;
	size_t k = z->chunklen < 8 ? z->chunklen : 8;

	if (k > 0) {
		memmove(z->tail, z->tail + k, 8 - k);
		memcpy(z->tail + 8 - k, z->chunk + z->chunklen - k, k);
	}
	if ((n = rd_next(z->r, &p)) == -1)
		return 0;
	if (n == 0) {
		snprintf(z->why, sizeof(z->why), "the gzip data ends early "
		    "(truncated)");
		return 0;
	}
	z->chunk = z->st.next_in = (unsigned char *)(uintptr_t)p;
	z->chunklen = z->st.avail_in = (uint32_t)n;
	return 1;
}

/* Inflate into out until it holds len bytes or the member ends.  Returns
 * the bytes made, or -1 (z->why or z->r->err says why). */
static ssize_t
inf_fill(struct inf *z, unsigned char *out, size_t len)
{
	int rc;

	z->st.next_out = out;
	z->st.avail_out = (uint32_t)len;
	while (z->st.avail_out > 0 && !z->done) {
		if (z->st.avail_in == 0 && !inf_feed(z))
			return -1;
		if ((rc = isal_inflate(&z->st)) != ISAL_DECOMP_OK) {
			inf_fault(z, rc);
			return -1;
		}
		z->done = z->st.block_state == ISAL_BLOCK_FINISH;
	}
	return (ssize_t)(len - z->st.avail_out);
}

/* libarchive's read callback: the next piece of the tar stream. */
static la_ssize_t
inf_read(struct archive *a, void *cookie, const void **out)
{
	struct inf *z = cookie;
	ssize_t n;

	*out = z->out;
	if ((n = inf_fill(z, z->out, INF_OUT)) == -1) {
		archive_set_error(a, z->r->err > 0 ? z->r->err : EIO, "%s",
		    z->why[0] != '\0' ? z->why : "read failed");
		return -1;
	}
	return n;
}

/*
 * After the tar reader's end: inflate what is left of the member (tar's
 * padding), so that the trailer is checked, then hash the rest of the
 * file, which must hold nothing more: one gzip member per package.
 * Returns 1, or 0 (z->why or z->r->err says why).
 */
static int
inf_finish(struct inf *z)
{
	const unsigned char *p;
	unsigned long long extra;
	ssize_t n;

	while (!z->done)
		if (inf_fill(z, z->out, INF_OUT) == -1)
			return 0;
	extra = z->st.avail_in;
	while ((n = rd_next(z->r, &p)) > 0)
		extra += (unsigned long long)n;
	if (n == -1)
		return 0;
	if (extra > 0) {
		snprintf(z->why, sizeof(z->why), "%llu byte%s after the end of "
		    "the gzip data (a .baiengine is one gzip member)", extra,
		    extra == 1 ? "" : "s");
		return 0;
	}
	return 1;
}

/*
 * The file could not be read, or its gzip data is bad: "display: why", or
 * "display: member: why" when member (the last member read) is not NULL
 * and the fault is in the data, not in the trailer after all of it.
 */
static void
inf_error(const struct inf *z, const char *display, const char *member)
{
	struct pos pos = { display, 0, 0 };
	char *sm;

	if (z->r->err == -1)
		diag(EXIT_IOERR, &pos, "SHA-256 failed in OpenSSL");
	else if (z->r->err != 0) {
		errno = z->r->err;
		diag_errno(display, 0, "read");
	} else if (member != NULL && !z->trailer) {
		sm = shown(member);
		diag(EXIT_DATAERR, &pos, "%s: damaged or truncated archive: %s",
		    sm, z->why);
		free(sm);
	} else
		diag(EXIT_DATAERR, &pos, "damaged or truncated archive: %s",
		    z->why);
}

/* s with control characters (C0, DEL, and C1 as UTF-8) shown as \xNN,
 * for messages; caller frees. */
static char *
shown(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	struct buf b = { 0 };
	char hex[3];
	int c1 = 0;

	buf_add(&b, "", 0);
	for (; *u != '\0'; u++) {
		if (*u == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f)
			c1 = 2;
		if (*u < 0x20 || *u == 0x7f || c1 > 0) {
			hex_encode(u, 1, hex);
			buf_puts(&b, "\\x");
			buf_puts(&b, hex);
			c1 -= c1 > 0;
		} else
			buf_putc(&b, (char)*u);
	}
	return b.s;
}

/*
 * Whether a libarchive result means the archive is unusable: anything but
 * OK and EOF, except warnings that do not speak of damage (a pax attribute
 * it ignores, say).  Reports the damage, the bad gzip data or the read
 * error behind it, naming member (the last one read) when not NULL.
 */
static int
arc_bad(int rc, struct archive *a, const struct inf *z, const char *display,
    const char *member)
{
	struct pos pos = { display, 0, 0 };
	const char *msg;

	if (rc == ARCHIVE_OK || rc == ARCHIVE_EOF)
		return 0;
	msg = archive_error_string(a);
	if (rc == ARCHIVE_WARN && z->r->err == 0 && z->why[0] == '\0' &&
	    (msg == NULL || (strstr(msg, "runcat") == NULL &&
	    strstr(msg, "amage") == NULL)))
		return 0;
	/* The inflater was making member's data; a tar header libarchive
	 * refuses is the next member's, whose name it does not give. */
	if (z->r->err != 0 || z->why[0] != '\0')
		inf_error(z, display, member);
	else
		diag(EXIT_DATAERR, &pos, "damaged or truncated archive: %s",
		    msg != NULL ? msg : "unknown error");
	return 1;
}

/* A member's path without leading "./" (borrowed). */
static const char *
member_path(struct archive_entry *e)
{
	const char *p = archive_entry_pathname(e);

	if (p == NULL)
		return "";
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	return p;
}

/* ---- names inside a package ------------------------------------------ */

/* Whether s holds a C0 or C1 control character (C1 as UTF-8). */
int
has_control(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < len; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			return 1;
		if (u[i] == 0xc2 && i + 1 < len && u[i + 1] >= 0x80 &&
		    u[i + 1] <= 0x9f)
			return 1;
	}
	return 0;
}


/* Both separators: the Windows app splits names at either. */
#define SEPS		"/\\"

static int
is_sep(const char *seps, char c)
{
	return c != '\0' && strchr(seps, c) != NULL;
}

/* ASCII letters, compared without regard to case (no locale). */
static int
same_letters(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char x = a[i] >= 'a' && a[i] <= 'z' ? a[i] - 32 : a[i];

		if (x != b[i])
			return 0;
	}
	return 1;
}

/* The part of a name that Windows compares with device names: up to the
 * first dot, without trailing spaces. */
static size_t
device_part(const char *c, size_t n)
{
	const char *dot = memchr(c, '.', n);
	size_t b = dot != NULL ? (size_t)(dot - c) : n;

	while (b > 0 && c[b - 1] == ' ')
		b--;
	return b;
}

/*
 * Whether Windows takes the name c (n bytes) for a device: the part
 * before the first dot, without trailing spaces, is CON, PRN, AUX, NUL,
 * CONIN$, CONOUT$, or COM or LPT with a digit or a superscript 1, 2, 3
 * (in any case: "nul.txt", "Com1 .log").
 */
static int
device_name(const char *c, size_t n)
{
	static const char *const names[] = {
		"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"
	};
	const unsigned char *u = (const unsigned char *)c;
	size_t b = device_part(c, n), i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (b == strlen(names[i]) && same_letters(c, names[i], b))
			return 1;
	if (b < 4 || (!same_letters(c, "COM", 3) && !same_letters(c, "LPT", 3)))
		return 0;
	if (b == 4 && c[3] >= '0' && c[3] <= '9')
		return 1;
	return b == 5 && u[3] == 0xc2 &&
	    (u[4] == 0xb9 || u[4] == 0xb2 || u[4] == 0xb3);
}

static int
drive_letter(const char *c)
{
	return ((c[0] >= 'A' && c[0] <= 'Z') || (c[0] >= 'a' && c[0] <= 'z')) &&
	    c[1] == ':';
}

/* The fault of one name (n bytes at c), or PF_NONE.  '.' and empty names
 * are harmless; '..' is a fault unless dotdot is set. */
static enum pathfault
name_fault(const char *c, size_t n, int dotdot)
{
	if (n == 0 || (n == 1 && c[0] == '.'))
		return PF_NONE;
	if (n == 2 && c[0] == '.' && c[1] == '.')
		return dotdot ? PF_NONE : PF_DOTDOT;
	if (memchr(c, ':', n) != NULL)
		return drive_letter(c) ? PF_DRIVE : PF_COLON;
	if (device_name(c, n))
		return PF_DEVICE;
	if (c[n - 1] == '.' || c[n - 1] == ' ')
		return strspn(c, ". ") >= n ? PF_DOTS : PF_TRAILING;
	return PF_NONE;
}

static enum pathfault
fault_at(struct pathfault_at *at, enum pathfault kind, size_t off, size_t len)
{
	if (at != NULL) {
		at->kind = kind;
		at->off = off;
		at->len = len;
	}
	return kind;
}

/*
 * The rules every name of p meets, '/' and '\' both separating: no root
 * (/, \, \\server, \\?\, C:), no control character, and no name that
 * Windows reads otherwise (see name_fault).
 */
static enum pathfault
names_fault(const char *p, int dotdot, struct pathfault_at *at)
{
	size_t i, n;
	enum pathfault k;

	if (is_sep(SEPS, p[0]) && is_sep(SEPS, p[1])) {
		if ((p[2] == '?' || p[2] == '.') &&
		    (p[3] == '\0' || is_sep(SEPS, p[3])))
			return fault_at(at, PF_DEVPATH, 0, 0);
		return fault_at(at, PF_UNC, 0, 0);
	}
	if (is_sep(SEPS, p[0]))
		return fault_at(at, PF_ABSOLUTE, 0, 0);
	if (drive_letter(p))
		return fault_at(at, PF_DRIVE, 0, 2);
	if (has_control(p, strlen(p)))
		return fault_at(at, PF_CONTROL, 0, 0);
	for (i = 0;; i += n + 1) {
		n = strcspn(p + i, SEPS);
		if ((k = name_fault(p + i, n, dotdot)) != PF_NONE)
			return fault_at(at, k, i, k == PF_DRIVE ? 2 : n);
		if (p[i + n] == '\0')
			break;
	}
	return fault_at(at, PF_NONE, 0, 0);
}

/* See index.h. */
enum pathfault
package_path_fault(const char *path, struct pathfault_at *at)
{
	enum pathfault k;

	if ((k = names_fault(path, 0, at)) != PF_NONE)
		return k;
	/* "package\x" is a file beside package/ where '\' is a letter. */
	if (strncmp(path, "package", 7) != 0 ||
	    (path[7] != '\0' && path[7] != '/'))
		return fault_at(at, PF_OUTSIDE, 0, 0);
	return PF_NONE;
}

/*
 * Walk the names of s[0..len) (split at seps) from the folder at *depth
 * names below the root; *inpkg: whether the first of them is "package".
 * Returns 0 when the walk climbs above the root.
 */
static int
walk_names(const char *s, size_t len, const char *seps, size_t *depth,
    int *inpkg)
{
	size_t i, n;

	for (i = 0; i < len; i += n + 1) {
		for (n = 0; i + n < len && !is_sep(seps, s[i + n]); n++)
			continue;
		if (n == 0 || (n == 1 && s[i] == '.'))
			continue;
		if (n == 2 && s[i] == '.' && s[i + 1] == '.') {
			if (*depth == 0)
				return 0;
			(*depth)--;
			continue;
		}
		if ((*depth)++ == 0)
			*inpkg = n == 7 && strncmp(s + i, "package", 7) == 0;
	}
	return 1;
}

/* Whether target, from the folder of the link at path, ends inside
 * package/ without climbing above the root; names split at seps. */
static int
resolves_inside(const char *path, const char *target, const char *seps)
{
	size_t depth = 0, dir = strlen(path);
	int inpkg = 0;

	while (dir > 0 && is_sep(seps, path[dir - 1]))
		dir--;
	while (dir > 0 && !is_sep(seps, path[dir - 1]))
		dir--;
	if (!walk_names(path, dir, seps, &depth, &inpkg) ||
	    !walk_names(target, strlen(target), seps, &depth, &inpkg))
		return 0;
	return depth > 0 && inpkg;
}

/* See index.h. */
enum pathfault
package_link_fault(const char *path, const char *target,
    struct pathfault_at *at)
{
	enum pathfault k;

	if (*target == '\0')
		return fault_at(at, PF_LEAVES, 0, 0);
	if ((k = names_fault(target, 1, at)) != PF_NONE)
		return k;
	if (!resolves_inside(path, target, "/"))
		return fault_at(at, PF_LEAVES, 0, 0);
	if (!resolves_inside(path, target, SEPS))
		return fault_at(at, PF_LEAVES_WIN, 0, 0);
	return PF_NONE;
}

/* See index.h. */
char *
package_fault_text(const char *path, const struct pathfault_at *at)
{
	int n = (int)at->len;
	const char *c = path + at->off;
	char dev[8];
	size_t b, i;

	switch (at->kind) {
	case PF_NONE:
		return xstrdup("no fault");
	case PF_OUTSIDE:
		return xstrdup("member outside package/");
	case PF_ABSOLUTE:
		return xstrdup("absolute path");
	case PF_UNC:
		return xstrdup("absolute path (a UNC path, \\\\server\\share, "
		    "on Windows)");
	case PF_DEVPATH:
		return xstrdup("absolute path (a device path, \\\\?\\ or "
		    "\\\\.\\, on Windows)");
	case PF_DRIVE:
		return xasprintf("path with a drive letter ('%.*s')", n, c);
	case PF_CONTROL:
		return xstrdup("control character in the path");
	case PF_DOTDOT:
		return xstrdup("path with a '..' component");
	case PF_DOTS:
		return xasprintf("name '%.*s' is read as '..' or '.' on "
		    "Windows, which drops trailing dots and spaces", n, c);
	case PF_TRAILING:
		return xasprintf("name '%.*s' ends in a dot or a space, which "
		    "Windows drops", n, c);
	case PF_COLON:
		return xasprintf("':' in name '%.*s' (an alternate data stream "
		    "on Windows)", n, c);
	case PF_DEVICE:
		/* The device's name in capitals: "nul.txt" is NUL. */
		b = device_part(c, at->len);
		for (i = 0; i < b && i < sizeof(dev) - 1; i++)
			dev[i] = c[i] >= 'a' && c[i] <= 'z' ? c[i] - 32 : c[i];
		dev[i] = '\0';
		if ((size_t)n == b)
			return xasprintf("name '%.*s' is a device on Windows",
			    n, c);
		return xasprintf("name '%.*s' is the device %s on Windows", n,
		    c, dev);
	case PF_LEAVES:
		return xstrdup("leaves package/");
	case PF_LEAVES_WIN:
		return xstrdup("leaves package/ on Windows, where '\\' "
		    "separates names");
	}
	return xstrdup("unknown fault");
}

/*
 * Report a link member whose target is at fault: "member: symbolic link
 * to 'target' leaves package/", with what is wrong when the target does
 * not simply resolve outside.
 */
static void
link_fault_report(const struct pos *pos, const char *sp, const char *what,
    const char *t, const struct pathfault_at *at)
{
	char *st = shown(t), *why = package_fault_text(t, at);

	switch (at->kind) {
	case PF_OUTSIDE:
	case PF_LEAVES:
		diag(EXIT_DATAERR, pos, "%s: %s link to '%s' leaves package/",
		    sp, what, st);
		break;
	case PF_LEAVES_WIN:
		diag(EXIT_DATAERR, pos, "%s: %s link to '%s' %s", sp, what,
		    st, why);
		break;
	case PF_ABSOLUTE:
	case PF_UNC:
	case PF_DEVPATH:
	case PF_DRIVE:
	case PF_DOTDOT:
	case PF_DOTS:
		diag(EXIT_DATAERR, pos, "%s: %s link to '%s' leaves package/: "
		    "%s", sp, what, st, why);
		break;
	default:
		diag(EXIT_DATAERR, pos, "%s: %s link to '%s': %s", sp, what,
		    st, why);
		break;
	}
	free(why);
	free(st);
}

/*
 * What the member checks remember across members: the server binary's kind
 * (as the last member of its name left it: an extractor overwrites) and
 * the regular files seen so far, the only targets a hard link may have.
 * The names sit in an open-addressing hash set, so memory grows with the
 * members of one package and a hard link costs one lookup.
 */
struct members {
	const char	*display;
	char		*bin;		/* "package/" serverBinary, or NULL */
	int		 bin_type;	/* AE_IFREG..., 0 when not seen */
	char		**files;	/* hash set, cap a power of two */
	size_t		 nfiles, cap;
};

static size_t
name_hash(const char *s)
{
	size_t h = 14695981039346656037ULL & (size_t)-1;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
	return h;
}

/* The slot of name in the set: where it is, or the empty one it goes in. */
static size_t
files_slot(const struct members *m, const char *name)
{
	size_t i = name_hash(name) & (m->cap - 1);

	while (m->files[i] != NULL && strcmp(m->files[i], name) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int
files_has(const struct members *m, const char *name)
{
	return m->cap > 0 && m->files[files_slot(m, name)] != NULL;
}

static void
files_add(struct members *m, const char *name)
{
	char **old = m->files;
	size_t i, n = m->cap;

	if (2 * (m->nfiles + 1) > m->cap) {
		m->cap = n > 0 ? 2 * n : 64;
		m->files = xcalloc(m->cap, sizeof(char *));
		for (i = 0; i < n; i++)
			if (old[i] != NULL)
				m->files[files_slot(m, old[i])] = old[i];
		free(old);
	}
	i = files_slot(m, name);
	if (m->files[i] == NULL) {
		m->files[i] = xstrdup(name);
		m->nfiles++;
	}
}

static void
members_free(struct members *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->files[i]);
	free(m->files);
	free(m->bin);
}

/*
 * A hard link's target is a path from the archive's root: it must pass
 * the member rules and name a regular file that comes before it (what tar
 * requires, and all an extractor can link to).  Returns 1, or 0 after
 * reporting.
 */
static int
check_hardlink(struct members *m, const struct pos *pos, const char *sp,
    const char *t)
{
	struct pathfault_at at;
	char *st;

	while (t[0] == '.' && t[1] == '/')
		t += 2;
	if (package_path_fault(t, &at) != PF_NONE) {
		link_fault_report(pos, sp, "hard", t, &at);
		return 0;
	}
	if (!files_has(m, t)) {
		st = shown(t);
		diag(EXIT_DATAERR, pos, "%s: hard link to '%s', which is not a "
		    "regular file earlier in the archive", sp, st);
		free(st);
		return 0;
	}
	return 1;
}

/* Check one member; note it when it is the server binary or a regular
 * file.  Returns 1, or 0 after reporting. */
static int
check_member(struct archive_entry *e, struct members *m)
{
	struct pos pos = { m->display, 0, 0 };
	struct pathfault_at at;
	const char *p = member_path(e), *t, *hl = archive_entry_hardlink(e);
	char *sp, *why;
	int ok = 0, type = (int)archive_entry_filetype(e);

	sp = shown(p);
	if (package_path_fault(p, &at) != PF_NONE) {
		why = package_fault_text(p, &at);
		diag(EXIT_DATAERR, &pos, "%s: %s", sp, why);
		free(why);
		goto out;
	}
	switch (type) {
	case AE_IFCHR:
	case AE_IFBLK:
		diag(EXIT_DATAERR, &pos, "%s: device files are not allowed",
		    sp);
		goto out;
	case AE_IFIFO:
		diag(EXIT_DATAERR, &pos, "%s: fifos are not allowed", sp);
		goto out;
	case AE_IFSOCK:
		diag(EXIT_DATAERR, &pos, "%s: sockets are not allowed", sp);
		goto out;
	case AE_IFLNK:
		if ((t = archive_entry_symlink(e)) == NULL)
			t = "";
		if (package_link_fault(p, t, &at) != PF_NONE) {
			link_fault_report(&pos, sp, "symbolic", t, &at);
			goto out;
		}
		break;
	default:
		break;
	}
	if (hl != NULL && !check_hardlink(m, &pos, sp, hl))
		goto out;
	if (type == AE_IFREG)
		files_add(m, p);
	/* A folder's name ends in '/': "package/bin/" is serverBinary "bin". */
	if (m->bin != NULL && strncmp(p, m->bin, strlen(m->bin)) == 0 &&
	    p[strspn(p + strlen(m->bin), "/") + strlen(m->bin)] == '\0')
		m->bin_type = type;
	ok = 1;
out:
	free(sp);
	return ok;
}

/* serverBinary, once every member has been seen: a regular file (or a
 * hard link to one).  Returns 1, or 0 after reporting. */
static int
check_server_binary(const struct members *m, const char *bin)
{
	struct pos pos = { m->display, 0, 0 };
	char *sb = shown(bin);
	int ok = 0;

	if (m->bin_type == 0)
		diag(EXIT_DATAERR, &pos, MANIFEST ": serverBinary \"%s\" is not "
		    "a file in the archive (expected package/%s)", sb, sb);
	else if (m->bin_type != AE_IFREG)
		diag(EXIT_DATAERR, &pos, MANIFEST ": serverBinary \"%s\" is %s "
		    "in the archive, expected a regular file", sb,
		    m->bin_type == AE_IFLNK ? "a symbolic link" :
		    m->bin_type == AE_IFDIR ? "a folder" : "not a regular file");
	else
		ok = 1;
	free(sb);
	return ok;
}

/*
 * Position libarchive at package/manifest.json: only the package/ folder
 * may come before it.  Returns 1, or 0 after reporting.
 */
static int
find_manifest(struct archive *a, struct inf *z, const char *display,
    struct archive_entry **ep)
{
	struct pos pos = { display, 0, 0 };
	const char *p;
	char *sp;
	int rc;

	for (;;) {
		rc = archive_read_next_header(a, ep);
		if (arc_bad(rc, a, z, display, NULL))
			return 0;
		if (rc == ARCHIVE_EOF) {
			diag(EXIT_DATAERR, &pos, "no " MANIFEST " in the "
			    "archive");
			return 0;
		}
		p = member_path(*ep);
		if (strcmp(p, MANIFEST) == 0 &&
		    archive_entry_filetype(*ep) == AE_IFREG &&
		    archive_entry_hardlink(*ep) == NULL)
			return 1;
		if (archive_entry_filetype(*ep) == AE_IFDIR &&
		    (strcmp(p, "package/") == 0 || strcmp(p, "package") == 0))
			continue;
		sp = shown(p);
		diag(EXIT_DATAERR, &pos, MANIFEST " must be the first member, "
		    "found '%s'", sp);
		free(sp);
		return 0;
	}
}

/* Read the manifest member's bytes into mf (PKG_MANIFEST_MAX + 1 bytes).
 * Returns the length, or -1 after reporting. */
static ssize_t
read_manifest(struct archive *a, struct archive_entry *e, struct inf *z,
    const char *display, char *mf)
{
	struct pos pos = { display, 0, 0 };
	size_t len = 0;
	la_ssize_t n;

	if (archive_entry_size_is_set(e) &&
	    archive_entry_size(e) > PKG_MANIFEST_MAX) {
		diag(EXIT_DATAERR, &pos, MANIFEST " is %lld bytes, more than "
		    "%d", (long long)archive_entry_size(e), PKG_MANIFEST_MAX);
		return -1;
	}
	for (;;) {
		n = archive_read_data(a, mf + len, PKG_MANIFEST_MAX + 1 - len);
		if (n < 0) {
			/* A warning here is a short member: damage. */
			(void)arc_bad(n == ARCHIVE_WARN ? ARCHIVE_FATAL :
			    (int)n, a, z, display, MANIFEST);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > PKG_MANIFEST_MAX) {
			diag(EXIT_DATAERR, &pos, MANIFEST " is more than %d "
			    "bytes", PKG_MANIFEST_MAX);
			return -1;
		}
	}
	return (ssize_t)len;
}

/* ---- the manifest's fields ------------------------------------------- */

static const char *
jtype(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

static int
lowerdig(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

const char *
valid_id(const char *s)
{
	if (!lowerdig((unsigned char)*s))
		return "expected lower-case letters, digits and '-', "
		    "starting with a letter or digit";
	for (; *s != '\0'; s++)
		if (!lowerdig((unsigned char)*s) && *s != '-')
			return "expected lower-case letters, digits and '-', "
			    "starting with a letter or digit";
	return NULL;
}

const char *
valid_version(const char *s)
{
	if (*s == '\0' || strpbrk(s, "/ \t\r\n\v\f") != NULL)
		return "expected a non-empty version without '/' or spaces";
	return NULL;
}

const char *
valid_accel_version(const char *s)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-";

	if (*s == '\0' || *s == '.' || s[strspn(s, ok)] != '\0')
		return "expected a version such as 12.4";
	return NULL;
}

static const char *
valid_relpath(const char *s)
{
	enum pathfault k;
	const char *c;
	char *p;
	size_t n;

	if (*s == '\0' || *s == '/' || s[strlen(s) - 1] == '/' ||
	    strchr(s, '\\') != NULL)
		return "expected a relative path inside package/, such as "
		    "bin/llama-server";
	for (c = s; *c != '\0'; c += n + (c[n] == '/')) {
		n = strcspn(c, "/");
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return "expected a relative path inside package/ "
			    "without '..'";
	}
	/* The member it names must pass the member checks. */
	p = xasprintf("package/%s", s);
	k = package_path_fault(p, NULL);
	free(p);
	switch (k) {
	case PF_NONE:
		return NULL;
	case PF_DEVICE:
		return "expected a relative path inside package/ without "
		    "device names (CON, NUL, COM1, ...)";
	case PF_DOTS:
	case PF_TRAILING:
		return "expected a relative path inside package/ without "
		    "names ending in a dot or a space";
	case PF_DRIVE:
	case PF_COLON:
		return "expected a relative path inside package/ without ':'";
	default:
		return "expected a relative path inside package/, such as "
		    "bin/llama-server";
	}
}

const char *
valid_variant(const char *s)
{
	if (*s == '\0')
		return "expected lower-case letters, digits and '-'";
	for (; *s != '\0'; s++)
		if (!lowerdig((unsigned char)*s) && *s != '-')
			return "expected lower-case letters, digits and '-'";
	return NULL;
}

/* A string value of the manifest: no control characters, then the
 * field's own rule.  Returns 1, or 0 after reporting. */
static int
check_str(const struct pos *pos, const char *key, const json_t *v,
    const char *(*valid)(const char *))
{
	const char *s = json_string_value(v), *why;

	if (has_control(s, json_string_length(v))) {
		diag(EXIT_DATAERR, pos, MANIFEST ": \"%s\" contains a control "
		    "character", key);
		return 0;
	}
	if (valid != NULL && (why = valid(s)) != NULL) {
		diag(EXIT_DATAERR, pos, MANIFEST ": \"%s\" is \"%s\", %s", key,
		    s, why);
		return 0;
	}
	return 1;
}

static int
get_formats(const struct pos *pos, const json_t *v, struct pkginfo *out)
{
	const json_t *it;
	size_t i;
	int ok = 1;

	if (!json_is_array(v)) {
		diag(EXIT_DATAERR, pos, MANIFEST ": \"modelFormats\" must be "
		    "an array of strings, got %s", jtype(v));
		return 0;
	}
	json_array_foreach(v, i, it) {
		if (!json_is_string(it)) {
			diag(EXIT_DATAERR, pos, MANIFEST ": "
			    "\"modelFormats\"[%zu] must be a string, got %s", i,
			    jtype(it));
			ok = 0;
		} else if (!check_str(pos, "modelFormats", it, NULL))
			ok = 0;
	}
	if (!ok)
		return 0;
	out->nformats = json_array_size(v);
	out->formats = xcalloc(out->nformats, sizeof(char *));
	json_array_foreach(v, i, it)
		out->formats[i] = xstrdup(json_string_value(it));
	return 1;
}

/* Fill out's manifest fields from the parsed object, reporting every
 * problem.  Returns 1, or 0. */
static int
get_fields(const char *display, const json_t *root, struct pkginfo *out)
{
	struct pos pos = { display, 0, 0 };
	const struct field *f;
	const char *key, *near;
	const json_t *v;
	char *sk;
	size_t i;
	int ok = 1;

	if (!json_is_object(root)) {
		diag(EXIT_DATAERR, &pos, MANIFEST ": expected an object, "
		    "got %s", jtype(root));
		return 0;
	}
	json_object_foreach((json_t *)root, key, v) {
		for (i = 0; i < NFIELDS; i++)
			if (strcmp(key, fields[i].key) == 0)
				break;
		if (i < NFIELDS)
			continue;
		sk = shown(key);
		if ((near = nearest(key, field_names)) != NULL)
			diag(EXIT_DATAERR, &pos, MANIFEST ": unknown field "
			    "\"%s\"; did you mean \"%s\"?", sk, near);
		else
			diag(EXIT_DATAERR, &pos, MANIFEST ": unknown field "
			    "\"%s\"", sk);
		free(sk);
		ok = 0;
	}
	for (i = 0; i < NFIELDS; i++) {
		f = &fields[i];
		v = json_object_get(root, f->key);
		if (v == NULL || (f->type == F_OPT && json_is_null(v))) {
			if (f->type != F_OPT) {
				diag(EXIT_DATAERR, &pos, MANIFEST ": missing "
				    "field \"%s\"", f->key);
				ok = 0;
			}
			continue;
		}
		if (f->type == F_STRS) {
			ok &= get_formats(&pos, v, out);
			continue;
		}
		if (f->type == F_STR_NULL && json_is_null(v))
			continue;
		if (!json_is_string(v)) {
			diag(EXIT_DATAERR, &pos, MANIFEST ": \"%s\" must be a "
			    "string%s, got %s", f->key,
			    f->type == F_STR_NULL ? " or null" : "", jtype(v));
			ok = 0;
			continue;
		}
		if (!check_str(&pos, f->key, v, f->valid)) {
			ok = 0;
			continue;
		}
		*(char **)(void *)((char *)out + f->off) =
		    xstrdup(json_string_value(v));
	}
	return ok;
}

/* See index.h. */
int
open_regular(const char *path, const char *display, int *missing)
{
	struct pos pos = { display, 0, 0 };
	struct stat st;
	int fd, fl;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		if (missing != NULL && errno == ENOENT)
			*missing = 1;
		else
			diag_errno(display, 1, "cannot open");
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		diag_errno(display, 0, "cannot stat");
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		diag(EXIT_DATAERR, &pos, "is %s, not a regular file",
		    file_kind(st.st_mode));
		close(fd);
		return -1;
	}
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1) {
		diag_errno(display, 0, "fcntl");
		close(fd);
		return -1;
	}
	return fd;
}

/* Start SHA-256 and open the file.  Returns 1, or 0 after reporting. */
static int
rd_open(struct rd *r, const char *path, const char *display)
{
	struct pos pos = { display, 0, 0 };

	if ((r->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(r->md, EVP_sha256(), NULL) != 1) {
		diag(EXIT_IOERR, &pos, "cannot start SHA-256 in OpenSSL");
		return 0;
	}
	if ((r->fd = open_regular(path, display, NULL)) == -1)
		return 0;
	(void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return 1;
}

/* The digest of every byte read, as hex.  Returns 1, or 0 after
 * reporting. */
static int
rd_digest(struct rd *r, const char *display, char sha256[65])
{
	struct pos pos = { display, 0, 0 };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (EVP_DigestFinal_ex(r->md, md, &len) != 1 || len != 32) {
		diag(EXIT_IOERR, &pos, "SHA-256 failed in OpenSSL");
		return 0;
	}
	hex_encode(md, 32, sha256);
	return 1;
}

/*
 * libarchive's tar reader on the inflated stream (no filter of its own).
 * The gzip magic is checked first, to tell another kind of file from a
 * damaged package.  Returns the archive, or NULL after reporting.
 */
static struct archive *
tar_open(struct inf *z, const char *display)
{
	struct pos pos = { display, 0, 0 };
	struct archive *a;
	const char *msg;

	/* (A chunk of one byte leaves the second to ISA-L's header check.) */
	if (!inf_feed(z) || z->chunk[0] != 0x1f ||
	    (z->chunklen > 1 && z->chunk[1] != 0x8b)) {
		if (z->r->err != 0)
			inf_error(z, display, NULL);
		else
			diag(EXIT_DATAERR, &pos, "not a gzip-compressed tar "
			    "archive (a .baiengine is a tar.gz)");
		return NULL;
	}
	if ((a = archive_read_new()) == NULL) {
		diag(EXIT_IOERR, &pos, "cannot start libarchive");
		return NULL;
	}
	archive_read_support_format_tar(a);
	if (archive_read_open(a, z, NULL, inf_read, NULL) == ARCHIVE_OK)
		return a;
	if (z->r->err != 0 || z->why[0] != '\0')
		inf_error(z, display, NULL);
	else {
		msg = archive_error_string(a);
		if (msg == NULL ||
		    strcmp(msg, "Unrecognized archive format") == 0)
			msg = "the gzip data holds no tar archive";
		diag(EXIT_DATAERR, &pos, "damaged or truncated archive: %s",
		    msg);
	}
	archive_read_free(a);
	return NULL;
}

/* Every member after the manifest, each checked; every problem is
 * reported, up to damage that ends the reading.  Returns 1, or 0. */
static int
read_members(struct archive *a, struct inf *z, struct members *m)
{
	struct archive_entry *e;
	char *last = xstrdup(MANIFEST);
	int good = 1, rc;

	for (;;) {
		rc = archive_read_next_header(a, &e);
		if (arc_bad(rc, a, z, m->display, last)) {
			good = 0;
			break;
		}
		if (rc == ARCHIVE_EOF)
			break;
		if (!check_member(e, m))
			good = 0;
		free(last);
		last = xstrdup(member_path(e));
	}
	free(last);
	return good;
}

/* The fields of package/manifest.json (e at that member).  Returns 1; 0
 * after reporting bad fields; -1 after reporting a manifest that could not
 * be read or parsed. */
static int
read_fields(struct archive *a, struct archive_entry *e, struct inf *z,
    const char *display, struct pkginfo *out)
{
	struct pos pos = { display, 0, 0 };
	json_error_t jerr;
	json_t *root;
	char *mf = z->mf;
	ssize_t len;
	int ok = -1;

	if ((len = read_manifest(a, e, z, display, mf)) < 0)
		goto out;
	if ((root = json_loadb(mf, (size_t)len, JSON_REJECT_DUPLICATES,
	    &jerr)) == NULL) {
		diag(EXIT_DATAERR, &pos, MANIFEST ":%d:%d: %s", jerr.line,
		    jerr.column, jerr.text);
		goto out;
	}
	ok = get_fields(display, root, out);
	json_decref(root);
out:
	return ok;
}

/*
 * Read one package file in one pass (see index.h): rd hashes each chunk
 * as the inflater takes it, libarchive reads the tar stream the inflater
 * makes, and inf_finish inflates and hashes whatever the tar reader left,
 * so every byte is read, hashed and inflated once.  A bad manifest stops
 * nothing: every member is still checked, and every problem reported.
 */
/*
 * The inflater, its output and the manifest's room, carved from the
 * caller's scratch when it is large enough (a worker's buffer, reused for
 * every package: 100,000 small packages are not 300,000 allocations of
 * 350 KB), else allocated; the rest of the scratch is for reading.
 */
static struct inf *
inf_new(struct rd *r, unsigned char *buf, size_t buflen)
{
	size_t zlen = (sizeof(struct inf) + 63) & ~(size_t)63;
	uintptr_t at = ((uintptr_t)buf + 63) & ~(uintptr_t)63;
	size_t lost = (size_t)(at - (uintptr_t)buf);
	struct inf *z;

	if (buflen >= lost + SCRATCH_FIXED + READ_MIN) {
		z = (struct inf *)at;
		z->out = (unsigned char *)at + zlen;
		z->mf = (char *)z->out + INF_OUT;
		z->own = 0;
		r->buf = buf + lost + SCRATCH_FIXED;
		r->buflen = buflen - lost - SCRATCH_FIXED;
	} else {
		z = xmalloc(sizeof(*z));
		z->out = xmalloc(INF_OUT);
		z->mf = xmalloc(PKG_MANIFEST_MAX + 1);
		z->own = 1;
		r->buf = buf;
		r->buflen = buflen;
	}
	/* Everything but the inflater's state (isal_inflate_init's). */
	z->r = r;
	z->chunk = NULL;
	z->chunklen = 0;
	memset(z->tail, 0, sizeof(z->tail));
	z->done = z->trailer = 0;
	z->why[0] = '\0';
	return z;
}

int
package_read(const char *path, const char *display, unsigned char *buf,
    size_t buflen, struct pkginfo *out)
{
	struct archive *a = NULL;
	struct archive_entry *e;
	struct members m;
	struct inf *z;
	struct rd r;
	const char *base;
	int ok = 0, good, rc;

	memset(out, 0, sizeof(*out));
	memset(&r, 0, sizeof(r));
	memset(&m, 0, sizeof(m));
	r.fd = -1;
	m.display = display;
	z = inf_new(&r, buf, buflen);
	isal_inflate_init(&z->st);
	z->st.crc_flag = ISAL_GZIP;
	if (!rd_open(&r, path, display) ||
	    (a = tar_open(z, display)) == NULL ||
	    !find_manifest(a, z, display, &e))
		goto out;
	good = check_member(e, &m);
	if ((rc = read_fields(a, e, z, display, out)) < 0)
		goto out;
	good &= rc;
	if (out->server_binary != NULL)
		m.bin = xasprintf("package/%s", out->server_binary);
	if (!read_members(a, z, &m) || !good ||
	    !check_server_binary(&m, out->server_binary))
		goto out;
	if (!inf_finish(z)) {
		inf_error(z, display, NULL);
		goto out;
	}
	if (!rd_digest(&r, display, out->sha256))
		goto out;
	out->size = r.size;
	out->path = xstrdup(path);
	base = strrchr(path, '/');
	out->filename = xstrdup(base != NULL ? base + 1 : path);
	ok = 1;
out:
	if (a != NULL)
		archive_read_free(a);
	members_free(&m);
	if (r.fd != -1)
		close(r.fd);
	EVP_MD_CTX_free(r.md);
	if (z->own) {
		free(z->out);
		free(z->mf);
		free(z);
	}
	if (!ok)
		pkginfo_clear(out);
	return ok;
}

/* ---- checks against the rules ---------------------------------------- */

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "a, b, c": the strings sorted, without repeats; caller frees. */
static char *
choices(const char **v, size_t n)
{
	struct buf b = { 0 };
	size_t i;

	buf_add(&b, "", 0);
	qsort(v, n, sizeof(*v), cmpstr);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
			continue;
		if (b.len > 0)
			buf_puts(&b, ", ");
		buf_puts(&b, v[i]);
	}
	return b.s;
}

/* os, then arch for the os, then accelerator for both.  Returns 1, or 0
 * after reporting the first that is outside the matrix. */
static int
check_platform(const struct pos *pos, const struct pkginfo *p,
    const struct pkgrules *r)
{
	const struct platform *pl = NULL;
	const char **v;
	char *list;
	size_t i, n = 0, k;
	int ok = 0;

	/* The common case first, allocating nothing. */
	for (i = 0; i < r->nplat; i++)
		if (strcmp(r->plat[i].os, p->os) == 0 &&
		    strcmp(r->plat[i].arch, p->arch) == 0)
			for (k = 0; k < r->plat[i].naccel; k++)
				if (strcmp(r->plat[i].accel[k], p->accelerator) == 0)
					return 1;
	v = xcalloc(r->nplat + 1, sizeof(*v));
	for (i = 0; i < r->nplat; i++)
		if (strcmp(r->plat[i].os, p->os) == 0)
			break;
	if (i == r->nplat) {
		for (i = 0; i < r->nplat; i++)
			v[n++] = r->plat[i].os;
		list = choices(v, n);
		diag(EXIT_DATAERR, pos, MANIFEST ": \"os\" is \"%s\", expected "
		    "one of: %s", p->os, list);
		free(list);
		goto out;
	}
	for (i = 0; i < r->nplat; i++) {
		if (strcmp(r->plat[i].os, p->os) != 0)
			continue;
		v[n++] = r->plat[i].arch;
		if (strcmp(r->plat[i].arch, p->arch) == 0)
			pl = &r->plat[i];
	}
	if (pl == NULL) {
		list = choices(v, n);
		diag(EXIT_DATAERR, pos, MANIFEST ": \"arch\" is \"%s\", "
		    "expected one of: %s (for os \"%s\")", p->arch, list,
		    p->os);
		free(list);
		goto out;
	}
	for (i = 0; i < pl->naccel; i++)
		if (strcmp(pl->accel[i], p->accelerator) == 0)
			break;
	if (i == pl->naccel) {
		free(v);
		v = xcalloc(pl->naccel + 1, sizeof(*v));
		for (n = 0; n < pl->naccel; n++)
			v[n] = pl->accel[n];
		list = choices(v, n);
		diag(EXIT_DATAERR, pos, MANIFEST ": \"accelerator\" is \"%s\", "
		    "expected one of: %s (for %s/%s)", p->accelerator,
		    n > 0 ? list : "(none)", p->os, p->arch);
		free(list);
		goto out;
	}
	ok = 1;
out:
	free(v);
	return ok;
}

/*
 * Check a package against the platform matrix, the engines and its file
 * name, reporting every problem as "path: ...".  Returns 1, or 0.
 */
/* Does the file name read {id}-{version}-{os}-{arch}-{accel}[-{variant}]
 * .baiengine?  Compared piece by piece: this runs for every package of
 * every run, cached ones too. */
static int
name_matches(const struct pkginfo *p)
{
	const char *f = p->filename, *parts[4] = { p->engine_id, p->version,
	    p->os, p->arch }, *v = p->accelerator_version;
	size_t i, n;

	for (i = 0; i < 4; i++) {
		n = strlen(parts[i]);
		if (strncmp(f, parts[i], n) != 0 || f[n] != '-')
			return 0;
		f += n + 1;
	}
	n = strlen(p->accelerator);
	if (strncmp(f, p->accelerator, n) != 0)
		return 0;
	f += n;
	if (v != NULL) {
		n = strcspn(v, ".");
		if (strncmp(f, v, n) != 0)
			return 0;
		f += n;
	}
	if (p->variant != NULL) {
		n = strlen(p->variant);
		if (*f != '-' || strncmp(f + 1, p->variant, n) != 0)
			return 0;
		f += n + 1;
	}
	return strcmp(f, ".baiengine") == 0;
}

int
package_check(const struct pkginfo *p, const struct pkgrules *r)
{
	struct pos pos = { p->path, 0, 0 };
	const char *near;
	char *tok, *want;
	size_t n;
	int ok = 1;

	if (!check_platform(&pos, p, r))
		ok = 0;
	if (p->accelerator_version != NULL) {
		n = strcspn(p->accelerator_version, ".");
		if (n == 0 ||
		    strspn(p->accelerator_version, "0123456789") < n) {
			diag(EXIT_DATAERR, &pos, MANIFEST ": "
			    "\"acceleratorVersion\" is \"%s\", expected a "
			    "version such as 12.4 (its major names the "
			    "file: cuda12)", p->accelerator_version);
			ok = 0;
		}
	}
	if (r->engines != NULL) {
		if (!pkgrules_has_engine(r, p->engine_id)) {
			if ((near = nearest(p->engine_id, r->engines)) != NULL)
				diag(EXIT_DATAERR, &pos, MANIFEST ": engine "
				    "\"%s\" is not described in the manifest's "
				    "engines: section; did you mean \"%s\"?",
				    p->engine_id, near);
			else
				diag(EXIT_DATAERR, &pos, MANIFEST ": engine "
				    "\"%s\" is not described in the manifest's "
				    "engines: section", p->engine_id);
			ok = 0;
		}
	}
	if (!name_matches(p)) {
		tok = package_accel_token(p);
		want = xasprintf("%s-%s-%s-%s-%s%s%s.baiengine", p->engine_id,
		    p->version, p->os, p->arch, tok, p->variant != NULL ? "-" :
		    "", p->variant != NULL ? p->variant : "");
		diag(EXIT_DATAERR, &pos, "file name disagrees with " MANIFEST
		    ": expected %s", want);
		free(tok);
		free(want);
		ok = 0;
	}
	return ok;
}

/*
 * The accelerator token of a file name: the accelerator, followed by the
 * major of acceleratorVersion (the part before the first '.') when there
 * is one.  The caller frees the result.
 */
char *
package_accel_token(const struct pkginfo *p)
{
	const char *v = p->accelerator_version;

	if (v == NULL)
		return xstrdup(p->accelerator);
	return xasprintf("%s%.*s", p->accelerator, (int)strcspn(v, "."), v);
}

/* Free a package record's fields and zero it; accepts a zeroed record. */
void
pkginfo_clear(struct pkginfo *p)
{
	size_t i;

	if (p->block != NULL) {
		free(p->path);
		free(p->block);
		memset(p, 0, sizeof(*p));
		return;
	}
	free(p->path);
	free(p->filename);
	free(p->engine_id);
	free(p->version);
	free(p->os);
	free(p->arch);
	free(p->accelerator);
	free(p->accelerator_version);
	free(p->server_binary);
	free(p->min_app_version);
	free(p->variant);
	for (i = 0; i < p->nformats; i++)
		free(p->formats[i]);
	free(p->formats);
	memset(p, 0, sizeof(*p));
}
