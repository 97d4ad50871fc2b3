/*
 * test_package.c - package_read and package_check.  Every package is built
 * here with libarchive's write API in a temporary folder, so no archive is
 * committed; messages are read back from stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "harness.h"
#include "index.h"

#define GOODNAME	"llama-cpp-b4618-linux-x86_64-cuda12.baiengine"
#define BUFLEN		(1024 * 1024)

static char tmpdir[] = "/tmp/gen-test-package.XXXXXX";
static unsigned char *rbuf;

/* One member of a test archive. */
struct mem {
	const char	*path;
	int		 type;	/* 'f' file, 'd' folder, 'l' symlink,
				 * 'h' hard link, 'c' device, 'p' fifo */
	const char	*data;	/* file contents, or the link target */
	size_t		 len;	/* of data when it is not a C string */
};

static char *
tpath(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* Write an archive of the members (gzip-compressed when gz) to the temporary
 * folder; returns its path. */
static char *
mkarchive(const char *name, const struct mem *m, size_t n, int gz)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e;
	char *path = tpath(name);
	size_t i, len;

	if (gz)
		archive_write_add_filter_gzip(a);
	archive_write_set_format_pax_restricted(a);
	if (archive_write_open_filename(a, path) != ARCHIVE_OK) {
		fprintf(stderr, "%s: %s\n", path, archive_error_string(a));
		abort();
	}
	for (i = 0; i < n; i++) {
		e = archive_entry_new();
		archive_entry_set_pathname(e, m[i].path);
		archive_entry_set_mtime(e, 0, 0);
		len = 0;
		switch (m[i].type) {
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_perm(e, 0777);
			archive_entry_set_symlink(e, m[i].data);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_hardlink(e, m[i].data);
			break;
		case 'c':
			archive_entry_set_filetype(e, AE_IFCHR);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_rdevmajor(e, 1);
			archive_entry_set_rdevminor(e, 3);
			break;
		case 'p':
			archive_entry_set_filetype(e, AE_IFIFO);
			archive_entry_set_perm(e, 0644);
			break;
		default:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0755);
			len = m[i].len ? m[i].len : strlen(m[i].data);
			archive_entry_set_size(e, (la_int64_t)len);
			break;
		}
		if (archive_write_header(a, e) != ARCHIVE_OK ||
		    (len > 0 && archive_write_data(a, m[i].data, len) !=
		    (la_ssize_t)len)) {
			fprintf(stderr, "%s: %s\n", path,
			    archive_error_string(a));
			abort();
		}
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return path;
}

static const char good_manifest[] =
    "{\"engineId\": \"llama-cpp\", \"version\": \"b4618\", \"os\": \"linux\","
    " \"arch\": \"x86_64\", \"accelerator\": \"cuda\","
    " \"acceleratorVersion\": \"12.4\", \"serverBinary\": \"bin/llama-server\","
    " \"modelFormats\": [\"gguf\"], \"minAppVersion\": \"1.2.0\"}";

/* The good manifest with patch's keys set and key del removed; caller
 * frees. */
static char *
manifest(const char *patch, const char *del)
{
	json_t *o = json_loads(good_manifest, 0, NULL), *p;
	char *s;

	if (patch != NULL) {
		p = json_loads(patch, 0, NULL);
		if (p == NULL)
			abort();
		json_object_update(o, p);
		json_decref(p);
	}
	if (del != NULL)
		json_object_del(o, del);
	s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

/* A package with the given manifest text and a server binary. */
static char *
mkpkg(const char *name, const char *mtext)
{
	struct mem m[] = {
		{ "package/", 'd', NULL, 0 },
		{ "package/manifest.json", 'f', mtext, 0 },
		{ "package/bin/", 'd', NULL, 0 },
		{ "package/bin/llama-server", 'f', "\177ELF server", 0 },
		{ "package/libs/", 'd', NULL, 0 },
		{ "package/libs/libggml.so", 'f', "\177ELF lib", 0 },
		{ "package/libs/libggml.so.1", 'l', "libggml.so", 0 },
	};

	return mkarchive(name, m, sizeof(m) / sizeof(m[0]), 1);
}

/* A package with the good manifest and one extra member at the end. */
static char *
mkpkg_plus(const char *name, struct mem extra)
{
	struct mem m[] = {
		{ "package/", 'd', NULL, 0 },
		{ "package/manifest.json", 'f', good_manifest, 0 },
		{ "package/bin/llama-server", 'f', "\177ELF server", 0 },
		extra,
	};

	return mkarchive(name, m, sizeof(m) / sizeof(m[0]), 1);
}

/* Deterministic bytes that do not compress. */
static unsigned char *
noise(size_t n, unsigned long long seed)
{
	unsigned char *p = xmalloc(n);
	unsigned long long x = seed | 1;
	size_t i;

	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (unsigned char)(x >> 24);
	}
	return p;
}

/* A package whose server binary is n bytes of noise. */
static char *
mkbig(const char *name, size_t n)
{
	unsigned char *bin = noise(n, 42);
	struct mem m[] = {
		{ "package/", 'd', NULL, 0 },
		{ "package/manifest.json", 'f', good_manifest, 0 },
		{ "package/bin/llama-server", 'f', (const char *)bin, n },
	};
	char *p = mkarchive(name, m, sizeof(m) / sizeof(m[0]), 1);

	free(bin);
	return p;
}

/* ---- stderr capture --------------------------------------------------- */

static int saved_fd = -1;

static void
cap_start(void)
{
	char *p = tpath("stderr");
	int fd;

	fflush(stderr);
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
	saved_fd = dup(2);
	dup2(fd, 2);
	close(fd);
	free(p);
}

/* What was written to stderr since cap_start; caller frees. */
static char *
cap_end(void)
{
	char *p = tpath("stderr");
	struct buf b = { 0 };

	fflush(stderr);
	dup2(saved_fd, 2);
	close(saved_fd);
	saved_fd = -1;
	read_file(p, &b);
	unlink(p);
	free(p);
	return b.s;
}

/* package_read with the error output captured into *err (caller frees). */
static int
rd(const char *path, struct pkginfo *info, char **err)
{
	int ok;

	gen_status = 0;
	cap_start();
	ok = package_read(path, path, rbuf, BUFLEN, info);
	*err = cap_end();
	return ok;
}

/* Reading fails with a message holding "path: " and want. */
static int
fails_with(const char *path, const char *want)
{
	struct pkginfo info;
	char *err, *head = xasprintf("%s: ", path);
	int ok = 1;

	if (rd(path, &info, &err)) {
		fprintf(stderr, "%s: read succeeded\n", path);
		ok = 0;
	} else if (strncmp(err, head, strlen(head)) != 0 ||
	    strstr(err, want) == NULL) {
		fprintf(stderr, "%s: expected \"%s\", got: %s\n", path, want,
		    err);
		ok = 0;
	}
	if (gen_status != EXIT_DATAERR) {
		fprintf(stderr, "%s: status %d\n", path, gen_status);
		ok = 0;
	}
	CHECK(info.path == NULL && info.engine_id == NULL);
	free(err);
	free(head);
	return ok;
}

/* The SHA-256 of a whole file, computed on its own. */
static void
file_sha256(const char *path, char hex[65])
{
	unsigned char md[32], chunk[4096];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	FILE *f = fopen(path, "rb");
	unsigned int n, i;
	size_t r;

	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0)
		EVP_DigestUpdate(c, chunk, r);
	EVP_DigestFinal_ex(c, md, &n);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	EVP_MD_CTX_free(c);
	fclose(f);
}

static unsigned long long
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (unsigned long long)st.st_size : 0;
}

/* ---- reading ----------------------------------------------------------- */

TEST(good_package)
{
	char *p = mkpkg(GOODNAME, good_manifest), *err, sum[65];
	struct pkginfo info;

	CHECK(rd(p, &info, &err));
	CHECK_STR(err, "");
	CHECK_STR(info.path, p);
	CHECK_STR(info.filename, GOODNAME);
	CHECK_STR(info.engine_id, "llama-cpp");
	CHECK_STR(info.version, "b4618");
	CHECK_STR(info.os, "linux");
	CHECK_STR(info.arch, "x86_64");
	CHECK_STR(info.accelerator, "cuda");
	CHECK_STR(info.accelerator_version, "12.4");
	CHECK_STR(info.server_binary, "bin/llama-server");
	CHECK_STR(info.min_app_version, "1.2.0");
	CHECK(info.variant == NULL);
	CHECK(info.nformats == 1 && strcmp(info.formats[0], "gguf") == 0);
	CHECK(info.size == file_size(p));
	file_sha256(p, sum);
	CHECK_STR(info.sha256, sum);
	pkginfo_clear(&info);
	free(err);
	free(p);
}

TEST(sha256_matches_sha256sum)
{
	char *p = mkbig("sum.baiengine", 300000), *err, *cmd, line[200];
	struct pkginfo info;
	FILE *f;

	CHECK(rd(p, &info, &err));
	cmd = xasprintf("sha256sum '%s'", p);
	CHECK((f = popen(cmd, "r")) != NULL);
	if (f != NULL) {
		CHECK(fgets(line, sizeof(line), f) != NULL);
		line[64] = '\0';
		CHECK_STR(info.sha256, line);
		CHECK(pclose(f) == 0);
	}
	pkginfo_clear(&info);
	free(cmd);
	free(err);
	free(p);
}

/* The digest and size are those of the whole file, read in many chunks. */
TEST(digest_of_every_byte)
{
	char *p = mkbig("agree.baiengine", 3 * 1024 * 1024 + 17), *err;
	char sum[65];
	struct pkginfo s;

	file_sha256(p, sum);
	CHECK(rd(p, &s, &err));
	CHECK_STR(err, "");
	CHECK_STR(s.sha256, sum);
	CHECK(s.size == file_size(p));
	pkginfo_clear(&s);
	free(err);
	free(p);
}

/* Small buffers: libarchive pulls many chunks ahead through the callback
 * before the manifest is parsed; each byte must still be hashed once. */
TEST(any_buffer_size)
{
	static const size_t lens[] = { 1, 7, 512, 4096, 65536, 256 * 1024,
	    300001, 1 << 20, 4 << 20 };
	char *p = mkbig("bufs.baiengine", 1200000), sum[65];
	unsigned char *b;
	struct pkginfo info;
	size_t i;

	file_sha256(p, sum);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		b = xmalloc(lens[i]);
		CHECK(package_read(p, p, b, lens[i], &info));
		CHECK_STR(info.sha256, sum);
		CHECK(info.size == file_size(p));
		pkginfo_clear(&info);
		free(b);
	}
	free(p);
}

TEST(variant_and_null_accelerator_version)
{
	char *m = manifest("{\"variant\": \"gh200\", \"acceleratorVersion\": "
	    "null, \"modelFormats\": []}", NULL);
	char *p = mkpkg("v.baiengine", m), *err;
	struct pkginfo info;

	CHECK(rd(p, &info, &err));
	CHECK_STR(err, "");
	CHECK_STR(info.variant, "gh200");
	CHECK(info.accelerator_version == NULL);
	CHECK(info.nformats == 0);
	pkginfo_clear(&info);
	free(err);
	free(p);
	free(m);
}

TEST(dot_slash_members)
{
	struct mem m[] = {
		{ "./package/", 'd', NULL, 0 },
		{ "./package/manifest.json", 'f', good_manifest, 0 },
		{ "./package/bin/llama-server", 'f', "x", 0 },
	};
	char *p = mkarchive("dot.baiengine", m, 3, 1), *err;
	struct pkginfo info;

	CHECK(rd(p, &info, &err));
	CHECK_STR(err, "");
	pkginfo_clear(&info);
	free(err);
	free(p);
}

TEST(missing_file)
{
	char *p = tpath("nonexistent.baiengine"), *err;
	struct pkginfo info;

	CHECK(!rd(p, &info, &err));
	CHECK(strstr(err, "nonexistent.baiengine: cannot open: ") != NULL);
	CHECK(gen_status == EXIT_NOINPUT);
	free(err);
	free(p);
}

TEST(read_error)
{
	char *err;
	struct pkginfo info;

	/* A regular file whose first byte cannot be read: address 0. */
	CHECK(!rd("/proc/self/mem", &info, &err));
	CHECK_STR(err, "/proc/self/mem: read: Input/output error\n");
	CHECK(gen_status == EXIT_IOERR);
	free(err);
	/* A folder is not read at all. */
	CHECK(!rd(tmpdir, &info, &err));
	CHECK(strstr(err, ": is a folder, not a regular file") != NULL);
	CHECK(gen_status == EXIT_DATAERR);
	free(err);
}

TEST(manifest_not_first)
{
	struct mem m[] = {
		{ "package/", 'd', NULL, 0 },
		{ "package/bin/llama-server", 'f', "x", 0 },
		{ "package/manifest.json", 'f', good_manifest, 0 },
	};
	char *p = mkarchive("notfirst.baiengine", m, 3, 1);

	CHECK(fails_with(p, "package/manifest.json must be the first "
	    "member, found 'package/bin/llama-server'"));
	free(p);
}

TEST(manifest_missing)
{
	struct mem m[] = {
		{ "package/", 'd', NULL, 0 },
	};
	char *p = mkarchive("nomanifest.baiengine", m, 1, 1);

	CHECK(fails_with(p, "no package/manifest.json in the archive"));
	free(p);
}

TEST(manifest_too_large)
{
	char *big = xmalloc(70001), *p;

	memset(big, ' ', 70000);
	big[0] = '{';
	big[69999] = '}';
	big[70000] = '\0';
	p = mkpkg("large.baiengine", big);
	CHECK(fails_with(p, "package/manifest.json is 70000 bytes, more "
	    "than 65536"));
	free(p);
	free(big);
}

TEST(bad_json)
{
	char *p = mkpkg("json.baiengine",
	    "{\n  \"engineId\": \"x\",\n  oops\n}");

	CHECK(fails_with(p, "package/manifest.json:3:"));
	free(p);
	p = mkpkg("dup.baiengine", "{\"os\": \"linux\", \"os\": \"linux\"}");
	CHECK(fails_with(p, "package/manifest.json:1:"));
	CHECK(fails_with(p, "duplicate"));
	free(p);
}

TEST(not_an_object)
{
	char *p = mkpkg("arr.baiengine", "[1, 2]");

	CHECK(fails_with(p, "package/manifest.json: expected an object, "
	    "got an array"));
	free(p);
}

TEST(missing_field)
{
	char *m = manifest(NULL, "acceleratorVersion");
	char *p = mkpkg("missing.baiengine", m);

	CHECK(fails_with(p, "package/manifest.json: missing field "
	    "\"acceleratorVersion\""));
	free(p);
	free(m);
}

TEST(wrong_type)
{
	char *m = manifest("{\"acceleratorVersion\": 12}", NULL);
	char *p = mkpkg("type.baiengine", m);

	CHECK(fails_with(p, "package/manifest.json: \"acceleratorVersion\" "
	    "must be a string or null, got a number"));
	free(p);
	free(m);
	m = manifest("{\"version\": [\"b1\"]}", NULL);
	p = mkpkg("type2.baiengine", m);
	CHECK(fails_with(p, "package/manifest.json: \"version\" must be a "
	    "string, got an array"));
	free(p);
	free(m);
	m = manifest("{\"modelFormats\": [\"gguf\", true]}", NULL);
	p = mkpkg("type3.baiengine", m);
	CHECK(fails_with(p, "\"modelFormats\"[1] must be a string, got a "
	    "boolean"));
	free(p);
	free(m);
}

TEST(unknown_field)
{
	char *m = manifest("{\"foo\": 1}", NULL);
	char *p = mkpkg("unknown.baiengine", m);

	CHECK(fails_with(p, "package/manifest.json: unknown field \"foo\""));
	free(p);
	free(m);
	m = manifest("{\"engineID\": \"x\"}", NULL);
	p = mkpkg("unknown2.baiengine", m);
	CHECK(fails_with(p, "unknown field \"engineID\"; did you mean "
	    "\"engineId\"?"));
	free(p);
	free(m);
}

TEST(all_field_problems_reported)
{
	char *m = manifest("{\"foo\": 1, \"os\": 3}", "version");
	char *p = mkpkg("many.baiengine", m), *err;
	struct pkginfo info;

	CHECK(!rd(p, &info, &err));
	CHECK(strstr(err, "unknown field \"foo\"") != NULL);
	CHECK(strstr(err, "missing field \"version\"") != NULL);
	CHECK(strstr(err, "\"os\" must be a string, got a number") != NULL);
	free(err);
	free(p);
	free(m);
}

TEST(bad_strings)
{
	static const char *const cases[][2] = {
		{ "{\"os\": \"linux\\n\"}", "\"os\" contains a control "
		    "character" },
		{ "{\"minAppVersion\": \"1\\u0085\"}", "\"minAppVersion\" "
		    "contains a control character" },
		{ "{\"engineId\": \"Llama\"}", "\"engineId\" is \"Llama\", "
		    "expected lower-case" },
		{ "{\"engineId\": \"-x\"}", "\"engineId\" is \"-x\"" },
		{ "{\"version\": \"\"}", "\"version\" is \"\", expected" },
		{ "{\"version\": \"1/2\"}", "\"version\" is \"1/2\"" },
		{ "{\"version\": \"1 2\"}", "\"version\" is \"1 2\"" },
		{ "{\"serverBinary\": \"../x\"}", "\"serverBinary\" is "
		    "\"../x\"" },
		{ "{\"serverBinary\": \"/bin/x\"}", "\"serverBinary\" is "
		    "\"/bin/x\"" },
		{ "{\"variant\": \"GH200\"}", "\"variant\" is \"GH200\"" },
		{ "{\"variant\": 2}", "\"variant\" must be a string, got a "
		    "number" },
		{ "{\"acceleratorVersion\": \"\"}", "\"acceleratorVersion\" "
		    "is \"\"" },
	};
	size_t i;
	char *m, *p, *name;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m = manifest(cases[i][0], NULL);
		name = xasprintf("str%zu.baiengine", i);
		p = mkpkg(name, m);
		CHECK(fails_with(p, cases[i][1]));
		free(p);
		free(name);
		free(m);
	}
}

TEST(truncated_before_manifest)
{
	char *p = mkpkg("trunc.baiengine", good_manifest);

	CHECK(truncate(p, 40) == 0);
	CHECK(fails_with(p, "damaged or truncated archive: the gzip data "
	    "ends early (truncated)"));
	CHECK(truncate(p, 5) == 0);
	CHECK(fails_with(p, "damaged or truncated archive: "));
	/* One byte, 0x1f: the start of a gzip header, cut. */
	CHECK(truncate(p, 1) == 0);
	CHECK(fails_with(p, "damaged or truncated archive: the gzip data "
	    "ends early"));
	free(p);
}

TEST(truncated_in_half)
{
	char *p = mkbig("half.baiengine", 3 * 1024 * 1024);

	CHECK(truncate(p, (off_t)file_size(p) / 2) == 0);
	CHECK(fails_with(p, "damaged or truncated archive: "));
	free(p);
}

/* Junk written over the middle of the compressed data: the deflate stream
 * breaks, or its CRC-32 stops matching. */
TEST(damaged_gzip)
{
	struct buf text = { 0 };
	struct mem m[] = {
		{ "package/", 'd', NULL, 0 },
		{ "package/manifest.json", 'f', good_manifest, 0 },
		{ "package/bin/llama-server", 'f', NULL, 0 },
	};
	unsigned char junk[64];
	char *p;
	int fd, i;

	for (i = 0; i < 40000; i++)
		buf_printf(&text, "line %d of a compressible server binary\n",
		    i * 7 % 1000);
	m[2].data = text.s;
	p = mkarchive("damaged.baiengine", m, 3, 1);
	memset(junk, 0x55, sizeof(junk));
	fd = open(p, O_WRONLY);
	CHECK(pwrite(fd, junk, sizeof(junk), (off_t)file_size(p) / 2) ==
	    sizeof(junk));
	close(fd);
	CHECK(fails_with(p, "damaged or truncated archive: "));
	free(p);
	buf_free(&text);
}

/* A bad trailer is named whatever the chunks: the buffer sizes split the
 * 8 trailer bytes across chunks in every way. */
TEST(gzip_trailer_any_split)
{
	static const char *const want[] = { "the gzip trailer's CRC-32 is ",
	    "the gzip trailer's length is " };
	char *p = mkpkg("trailer.baiengine", good_manifest), *err;
	struct pkginfo info;
	unsigned char c, *b;
	size_t len;
	off_t at;
	int fd, i;

	for (i = 0; i < 2; i++) {
		at = (off_t)file_size(p) - (i == 0 ? 8 : 3);
		fd = open(p, O_RDWR);
		CHECK(pread(fd, &c, 1, at) == 1);
		c ^= 0x10;
		CHECK(pwrite(fd, &c, 1, at) == 1);
		for (len = 1; len <= 9; len++) {
			b = xmalloc(len);
			gen_status = 0;
			cap_start();
			CHECK(!package_read(p, p, b, len, &info));
			err = cap_end();
			CHECK(strstr(err, want[i]) != NULL);
			free(err);
			free(b);
		}
		c ^= 0x10;
		CHECK(pwrite(fd, &c, 1, at) == 1);
		close(fd);
	}
	free(p);
}

TEST(garbage)
{
	char *p = tpath("garbage.baiengine");
	unsigned char *n = noise(10000, 7);
	FILE *f = fopen(p, "wb");

	fwrite(n, 1, 10000, f);
	fclose(f);
	CHECK(fails_with(p, "not a gzip-compressed tar archive"));
	free(n);
	free(p);
	p = tpath("empty.baiengine");
	f = fopen(p, "wb");
	fclose(f);
	CHECK(fails_with(p, "not a gzip-compressed tar archive"));
	free(p);
}

TEST(plain_tar)
{
	struct mem m[] = {
		{ "package/manifest.json", 'f', good_manifest, 0 },
		{ "package/bin/llama-server", 'f', "x", 0 },
	};
	char *p = mkarchive("plain.baiengine", m, 2, 0);

	CHECK(fails_with(p, "not a gzip-compressed tar archive"));
	free(p);
}

TEST(deep_outside_package)
{
	struct mem x = { "etc/passwd", 'f', "root", 0 };
	char *p = mkpkg_plus("outside.baiengine", x);

	CHECK(fails_with(p, "etc/passwd: member outside package/"));
	free(p);
	x.path = "packagex/y";
	p = mkpkg_plus("outside2.baiengine", x);
	CHECK(fails_with(p, "packagex/y: member outside package/"));
	free(p);
}

TEST(deep_absolute_path)
{
	struct mem x = { "/package/x", 'f', "x", 0 };
	char *p = mkpkg_plus("abs.baiengine", x);

	CHECK(fails_with(p, "/package/x: absolute path"));
	free(p);
}

TEST(deep_dotdot)
{
	struct mem x = { "package/../../x", 'f', "x", 0 };
	char *p = mkpkg_plus("dotdot.baiengine", x);

	CHECK(fails_with(p, "package/../../x: path with a '..' component"));
	free(p);
}

TEST(deep_symlink_leaving)
{
	struct mem x = { "package/libs/evil", 'l', "../../etc/passwd", 0 };
	char *p = mkpkg_plus("link.baiengine", x), *err;
	struct pkginfo info;

	CHECK(fails_with(p, "package/libs/evil: symbolic link to "
	    "'../../etc/passwd' leaves package/"));
	free(p);
	x.data = "/etc/passwd";
	p = mkpkg_plus("link2.baiengine", x);
	CHECK(fails_with(p, "symbolic link to '/etc/passwd' leaves"));
	free(p);
	/* Out and back in, or to the package folder itself, is fine. */
	x.data = "../../package/bin/llama-server";
	p = mkpkg_plus("link3.baiengine", x);
	CHECK(rd(p, &info, &err));
	pkginfo_clear(&info);
	free(err);
	free(p);
	x.data = "./..";
	p = mkpkg_plus("link4.baiengine", x);
	CHECK(rd(p, &info, &err));
	pkginfo_clear(&info);
	free(err);
	free(p);
}

TEST(deep_hardlink_leaving)
{
	struct mem x = { "package/libs/h", 'h', "etc/shadow", 0 };
	char *p = mkpkg_plus("hard.baiengine", x), *err;
	struct pkginfo info;

	CHECK(fails_with(p, "package/libs/h: hard link to 'etc/shadow' "
	    "leaves package/"));
	free(p);
	x.data = "package/bin/llama-server";
	p = mkpkg_plus("hard2.baiengine", x);
	CHECK(rd(p, &info, &err));
	CHECK_STR(err, "");
	pkginfo_clear(&info);
	free(err);
	free(p);
}

TEST(deep_device_and_fifo)
{
	struct mem x = { "package/null", 'c', NULL, 0 };
	char *p = mkpkg_plus("dev.baiengine", x);

	CHECK(fails_with(p, "package/null: device files are not allowed"));
	free(p);
	x.type = 'p';
	x.path = "package/fifo";
	p = mkpkg_plus("fifo.baiengine", x);
	CHECK(fails_with(p, "package/fifo: fifos are not allowed"));
	free(p);
}

TEST(deep_server_binary_absent)
{
	char *m = manifest("{\"serverBinary\": \"bin/missing\"}", NULL);
	char *p = mkpkg("nobin.baiengine", m);

	CHECK(fails_with(p, "package/manifest.json: serverBinary "
	    "\"bin/missing\" is not a file in the archive"));
	free(p);
	free(m);
	/* A folder of that name is not the binary either. */
	m = manifest("{\"serverBinary\": \"bin\"}", NULL);
	p = mkpkg("nobin2.baiengine", m);
	CHECK(fails_with(p, "serverBinary \"bin\" is a folder in the archive, "
	    "expected a regular file"));
	free(p);
	free(m);
}

TEST(deep_control_characters_in_names)
{
	struct mem x = { "/pack\033[2Jage", 'f', "x", 0 };
	char *p = mkpkg_plus("esc.baiengine", x);

	CHECK(fails_with(p, "/pack\\x1b[2Jage: absolute path"));
	free(p);
	/* C1 controls too (CSI as UTF-8); libarchive writes a non-ASCII
	 * name only in a UTF-8 locale. */
	x.path = "package/a\xc2\x9b" "2Jb";
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		return;
	p = mkpkg_plus("esc2.baiengine", x);
	setlocale(LC_CTYPE, "C");
	CHECK(fails_with(p, "package/a\\xc2\\x9b2Jb: control character "
	    "in the path"));
	free(p);
}

/* ---- names inside a package ------------------------------------------ */

static const char *const kind_names[] = {
	"PF_NONE", "PF_OUTSIDE", "PF_ABSOLUTE", "PF_UNC", "PF_DEVPATH",
	"PF_DRIVE", "PF_CONTROL", "PF_DOTDOT", "PF_DOTS", "PF_TRAILING",
	"PF_COLON", "PF_DEVICE", "PF_LEAVES", "PF_LEAVES_WIN"
};

struct pathcase {
	const char	*path;
	enum pathfault	 want;
};

/* Member paths (and hard link targets): those that must pass, then one or
 * more per fault, with '/' and '\' alike. */
static const struct pathcase path_cases[] = {
	{ "package", PF_NONE },
	{ "package/", PF_NONE },
	{ "package/manifest.json", PF_NONE },
	{ "package/bin/llama-server", PF_NONE },
	{ "package/bin/llama-server.exe", PF_NONE },
	{ "package/lib/libfoo.so.1", PF_NONE },
	{ "package/share/a b/c.txt", PF_NONE },
	{ "package/con-fig.txt", PF_NONE },
	{ "package/CONFIG", PF_NONE },
	{ "package/console", PF_NONE },
	{ "package/nul-device.md", PF_NONE },
	{ "package/aux_files/x", PF_NONE },
	{ "package/COM10", PF_NONE },
	{ "package/LPT", PF_NONE },
	{ "package/com", PF_NONE },
	{ "package/.hidden", PF_NONE },
	{ "package/.config/x", PF_NONE },
	{ "package/./x", PF_NONE },
	{ "package/x/", PF_NONE },
	{ "package//x", PF_NONE },
	{ "package/lib\\x.dll", PF_NONE },
	{ "package/a..b", PF_NONE },
	{ "package/..a", PF_NONE },
	{ "package/ lead", PF_NONE },
	{ "package/caf\xc3\xa9", PF_NONE },
	{ "package/bin/llama-server$x", PF_NONE },

	{ "", PF_OUTSIDE },
	{ "etc/passwd", PF_OUTSIDE },
	{ "packagex/y", PF_OUTSIDE },
	{ "Package/x", PF_OUTSIDE },
	{ "package\\x", PF_OUTSIDE },
	{ "x", PF_OUTSIDE },

	{ "/package/x", PF_ABSOLUTE },
	{ "\\package\\x", PF_ABSOLUTE },
	{ "\\Windows\\evil.dll", PF_ABSOLUTE },
	{ "/", PF_ABSOLUTE },

	{ "\\\\server\\share\\x", PF_UNC },
	{ "//server/share/x", PF_UNC },
	{ "\\/server/share", PF_UNC },
	{ "//", PF_UNC },
	{ "\\\\?x", PF_UNC },

	{ "\\\\?\\C:\\Windows\\evil.dll", PF_DEVPATH },
	{ "\\\\.\\PhysicalDrive0", PF_DEVPATH },
	{ "//?/C:/x", PF_DEVPATH },
	{ "//./pipe/x", PF_DEVPATH },
	{ "\\\\.", PF_DEVPATH },

	{ "C:\\Windows\\evil.dll", PF_DRIVE },
	{ "c:foo", PF_DRIVE },
	{ "C:/x", PF_DRIVE },
	{ "z:", PF_DRIVE },
	{ "package/C:\\Windows\\evil.dll", PF_DRIVE },
	{ "package/c:/x", PF_DRIVE },
	{ "package/d:evil", PF_DRIVE },

	{ "package/a\x01z", PF_CONTROL },
	{ "package/bin/ls\x1b[2J", PF_CONTROL },
	{ "package/x\n", PF_CONTROL },
	{ "package/x\x7f", PF_CONTROL },
	{ "package/x\xc2\x9b", PF_CONTROL },

	{ "package/..", PF_DOTDOT },
	{ "package/../x", PF_DOTDOT },
	{ "package/../../evil", PF_DOTDOT },
	{ "package/..\\..\\evil.dll", PF_DOTDOT },
	{ "package\\..\\..\\evil.dll", PF_DOTDOT },
	{ "package/lib\\..\\..\\evil", PF_DOTDOT },
	{ "package/x/..", PF_DOTDOT },
	{ "..", PF_DOTDOT },

	{ "package/...", PF_DOTS },
	{ "package/...\\evil.dll", PF_DOTS },
	{ "package/.. /evil", PF_DOTS },
	{ "package/..  ", PF_DOTS },
	{ "package/. ", PF_DOTS },
	{ "package/ ", PF_DOTS },
	{ "package/. . /x", PF_DOTS },

	{ "package/bin/llama-server.", PF_TRAILING },
	{ "package/lib/foo ", PF_TRAILING },
	{ "package/a./b", PF_TRAILING },
	{ "package/a .\\b", PF_TRAILING },
	{ "package/x...", PF_TRAILING },

	{ "package/a:b", PF_DRIVE },
	{ "package/lib/libfoo.so:stream", PF_COLON },
	{ "package/bin/llama-server.exe:evil.exe", PF_COLON },
	{ "package/file::$DATA", PF_COLON },
	{ "package/:x", PF_COLON },
	{ "package/ab:", PF_COLON },
	{ "package/12:00", PF_COLON },

	{ "package/bin/CON", PF_DEVICE },
	{ "package/nul.txt", PF_DEVICE },
	{ "package/NUL", PF_DEVICE },
	{ "package/Nul", PF_DEVICE },
	{ "package/prn", PF_DEVICE },
	{ "package/aux.c", PF_DEVICE },
	{ "package/com1", PF_DEVICE },
	{ "package/COM9.log", PF_DEVICE },
	{ "package/lpt1", PF_DEVICE },
	{ "package/LPT9.tar.gz", PF_DEVICE },
	{ "package/COM0", PF_DEVICE },
	{ "package/com\xc2\xb9", PF_DEVICE },
	{ "package/LPT\xc2\xb3.txt", PF_DEVICE },
	{ "package/CONIN$", PF_DEVICE },
	{ "package/conout$.log", PF_DEVICE },
	{ "package/con .txt", PF_DEVICE },
	{ "package/NUL ", PF_DEVICE },
	{ "package/nul.", PF_DEVICE },
	{ "package/CON/x", PF_DEVICE },
	{ "package\\x/aux\\y", PF_DEVICE },
};

/* Symbolic links: the link's path and its target. */
static const struct {
	const char	*link, *target;
	enum pathfault	 want;
} link_cases[] = {
	{ "package/libs/libggml.so.1", "libggml.so", PF_NONE },
	{ "package/lib/libfoo.so", "libfoo.so.1", PF_NONE },
	{ "package/bin/server", "llama-server", PF_NONE },
	{ "package/bin/l", "../lib/libfoo.so.1", PF_NONE },
	{ "package/bin/l", "..\\lib\\libfoo.so.1", PF_NONE },
	{ "package/a/b/l", "..\\..\\x", PF_NONE },
	{ "package/lib/l", "..", PF_NONE },
	{ "package/lib/l", "./..", PF_NONE },
	{ "package/lib/l", "../../package/bin/x", PF_NONE },
	{ "package/l", ".", PF_NONE },
	{ "package/share/a b/l", "../a b/c.txt", PF_NONE },
	{ "package/lib/l", ".hidden", PF_NONE },

	{ "package/lib/l", "", PF_LEAVES },
	{ "package/lib/l", "../..", PF_LEAVES },
	{ "package/lib/l", "../../../lib/libc.so.6", PF_LEAVES },
	{ "package/l", "..", PF_LEAVES },
	{ "package/l", "../packagex/y", PF_LEAVES },
	{ "package/a\\b/l", "../../x", PF_LEAVES },
	{ "package/lib/l", "../..\\..\\etc", PF_LEAVES_WIN },
	{ "package/l", "..\\..\\..\\Windows", PF_LEAVES_WIN },
	{ "package/lib/l", "..\\..", PF_LEAVES_WIN },
	{ "package/lib/l", "x\\..\\..\\..", PF_LEAVES_WIN },

	{ "package/l", "/etc/passwd", PF_ABSOLUTE },
	{ "package/l", "\\Windows", PF_ABSOLUTE },
	{ "package/l", "\\\\server\\share", PF_UNC },
	{ "package/l", "//server/share", PF_UNC },
	{ "package/l", "\\\\?\\C:\\Windows", PF_DEVPATH },
	{ "package/l", "\\\\.\\PhysicalDrive0", PF_DEVPATH },
	{ "package/l", "C:/Windows/System32", PF_DRIVE },
	{ "package/l", "c:\\Windows", PF_DRIVE },
	{ "package/l", "d:x", PF_DRIVE },
	{ "package/l", "NUL", PF_DEVICE },
	{ "package/l", "../bin/con.exe", PF_DEVICE },
	{ "package/l", "x:y", PF_DRIVE },
	{ "package/l", "foo:bar", PF_COLON },
	{ "package/lib/l", ".. /x", PF_DOTS },
	{ "package/lib/l", "...", PF_DOTS },
	{ "package/lib/l", "x.", PF_TRAILING },
	{ "package/lib/l", "x\ty", PF_CONTROL },
};

TEST(path_faults)
{
	struct pathfault_at at;
	enum pathfault k;
	size_t i;

	for (i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
		k = package_path_fault(path_cases[i].path, &at);
		if (k != path_cases[i].want || at.kind != k) {
			fprintf(stderr, "path '%s': %s, expected %s\n",
			    path_cases[i].path, kind_names[k],
			    kind_names[path_cases[i].want]);
			CHECK(0);
		}
		CHECK(package_path_fault(path_cases[i].path, NULL) == k);
	}
}

TEST(link_faults)
{
	struct pathfault_at at;
	enum pathfault k;
	size_t i;

	for (i = 0; i < sizeof(link_cases) / sizeof(link_cases[0]); i++) {
		CHECK(package_path_fault(link_cases[i].link, NULL) == PF_NONE);
		k = package_link_fault(link_cases[i].link, link_cases[i].target,
		    &at);
		if (k != link_cases[i].want) {
			fprintf(stderr, "link '%s' -> '%s': %s, expected %s\n",
			    link_cases[i].link, link_cases[i].target,
			    kind_names[k], kind_names[link_cases[i].want]);
			CHECK(0);
		}
	}
}

/* The message names the part at fault. */
TEST(fault_texts)
{
	static const char *const cases[][2] = {
		{ "package/..\\evil.dll", "path with a '..' component" },
		{ "\\\\srv\\s", "absolute path (a UNC path, \\\\server\\share, "
		    "on Windows)" },
		{ "package/C:\\x", "path with a drive letter ('C:')" },
		{ "c:foo", "path with a drive letter ('c:')" },
		{ "package/a/nul.txt", "name 'nul.txt' is the device NUL on "
		    "Windows" },
		{ "package/bin/CON", "name 'CON' is a device on Windows" },
		{ "package/Com1 .log", "name 'Com1 .log' is the device COM1 "
		    "on Windows" },
		{ "package/x.so:s/y", "':' in name 'x.so:s' (an alternate data "
		    "stream on Windows)" },
		{ "package/x./y", "name 'x.' ends in a dot or a space, which "
		    "Windows drops" },
		{ "package/.. /y", "name '.. ' is read as '..' or '.' on "
		    "Windows, which drops trailing dots and spaces" },
		{ "package\\x", "member outside package/" },
		{ "package/a\x01", "control character in the path" },
	};
	struct pathfault_at at;
	size_t i;
	char *t;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(package_path_fault(cases[i][0], &at) != PF_NONE);
		CHECK_STR(t = package_fault_text(cases[i][0], &at),
		    cases[i][1]);
		free(t);
	}
	CHECK(package_link_fault("package/l", "..\\..\\Windows", &at) ==
	    PF_LEAVES_WIN);
	CHECK_STR(t = package_fault_text("..\\..\\Windows", &at),
	    "leaves package/ on Windows, where '\\' separates names");
	free(t);
}

/* The rules apply to members of a deep read, whatever the package's os. */
TEST(deep_windows_names)
{
	static const struct {
		struct mem	 m;
		const char	*want;
	} cases[] = {
		{ { "package/..\\..\\evil.dll", 'f', "x", 0 },
		    "package/..\\..\\evil.dll: path with a '..' component" },
		{ { "package/C:\\Windows\\evil.dll", 'f', "x", 0 },
		    "package/C:\\Windows\\evil.dll: path with a drive letter" },
		{ { "\\\\server\\share\\x", 'f', "x", 0 },
		    "\\\\server\\share\\x: absolute path (a UNC path" },
		{ { "package/bin/CON", 'f', "x", 0 },
		    "package/bin/CON: name 'CON' is a device on Windows" },
		{ { "package/nul.txt", 'd', NULL, 0 },
		    "package/nul.txt/: name 'nul.txt' is the device NUL" },
		{ { "package/xy:z", 'f', "x", 0 },
		    "package/xy:z: ':' in name 'xy:z'" },
		{ { "package/lib/win", 'l', "..\\..\\..\\Windows", 0 },
		    "package/lib/win: symbolic link to '..\\..\\..\\Windows' "
		    "leaves package/ on Windows, where '\\' separates names" },
		{ { "package/lib/sys", 'l', "C:/Windows/System32", 0 },
		    "package/lib/sys: symbolic link to 'C:/Windows/System32' "
		    "leaves package/: path with a drive letter ('C:')" },
		{ { "package/lib/n", 'l', "nul", 0 },
		    "package/lib/n: symbolic link to 'nul': name 'nul' is a "
		    "device on Windows" },
		{ { "package/bin/e", 'h', "package\\..\\..\\evil.dll", 0 },
		    "package/bin/e: hard link to 'package\\..\\..\\evil.dll' "
		    "leaves package/: path with a '..' component" },
		{ { "package/bin/e", 'h', "package\\bin\\llama-server", 0 },
		    "package/bin/e: hard link to 'package\\bin\\llama-server' "
		    "leaves package/" },
		{ { "package/bin/e", 'h', "package/bin/NUL", 0 },
		    "package/bin/e: hard link to 'package/bin/NUL': name 'NUL' "
		    "is a device on Windows" },
	};
	size_t i;
	char *p, *name;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		name = xasprintf("win%zu.baiengine", i);
		p = mkpkg_plus(name, cases[i].m);
		CHECK(fails_with(p, cases[i].want));
		free(p);
		free(name);
	}
}

/* serverBinary names a member, so the member rules hold for it too. */
TEST(server_binary_names)
{
	static const char *const bad[][2] = {
		{ "bin/con.exe", "without device names" },
		{ "bin/llama-server.", "without names ending in a dot" },
		{ "bin/x:y", "without ':'" },
		{ "bin\\llama-server", "such as bin/llama-server" },
	};
	size_t i;
	char *m, *p, *patch, *name;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		patch = xasprintf("{\"serverBinary\": \"%s\"}",
		    strcmp(bad[i][0], "bin\\llama-server") == 0 ?
		    "bin\\\\llama-server" : bad[i][0]);
		m = manifest(patch, NULL);
		name = xasprintf("sb%zu.baiengine", i);
		p = mkpkg(name, m);
		CHECK(fails_with(p, bad[i][1]));
		free(p);
		free(name);
		free(m);
		free(patch);
	}
}

static void
on_alarm(int sig)
{
	(void)sig;
	fprintf(stderr, "test_package: a FIFO was opened for reading\n");
	_exit(1);
}

/* A FIFO given as a package is reported, never waited on. */
TEST(fifo_not_read)
{
	char *p = tpath("named-pipe.baiengine"), *err, *absent;
	struct pkginfo info;
	int fd, missing = 0;

	CHECK(mkfifo(p, 0600) == 0);
	signal(SIGALRM, on_alarm);
	alarm(10);
	CHECK(fails_with(p, "is a FIFO, not a regular file"));
	CHECK(!rd("/dev/null", &info, &err));
	CHECK_STR(err, "/dev/null: is a character device, not a regular "
	    "file\n");
	free(err);
	alarm(0);
	absent = tpath("absent");
	fd = open_regular(absent, "absent", &missing);
	CHECK(fd == -1 && missing == 1);
	free(absent);
	free(p);
}

struct job {
	const char	*path;
	int		 ok;
	char		 sha256[65];
};

static void *
reader(void *arg)
{
	struct job *j = arg;
	unsigned char *b = xmalloc(256 * 1024);
	struct pkginfo info;

	j->ok = package_read(j->path, j->path, b, 256 * 1024, &info);
	memcpy(j->sha256, info.sha256, sizeof(j->sha256));
	pkginfo_clear(&info);
	free(b);
	return NULL;
}

TEST(concurrent_reads)
{
	char *p = mkbig("threads.baiengine", 2 * 1024 * 1024), sum[65];
	pthread_t t[8];
	struct job j[8];
	int i;

	file_sha256(p, sum);
	for (i = 0; i < 8; i++) {
		j[i].path = p;
		CHECK(pthread_create(&t[i], NULL, reader, &j[i]) == 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		CHECK(j[i].ok);
		CHECK_STR(j[i].sha256, sum);
	}
	free(p);
}

/* ---- checks ------------------------------------------------------------ */

static const char *const acc_mac_arm[] = { "metal", "cpu" };
static const char *const acc_cpu[] = { "cpu" };
static const char *const acc_linux[] = { "cuda", "cpu", "rocm" };
static const char *const acc_win[] = { "cuda", "cpu" };
static const struct platform plat[] = {
	{ "macos", "aarch64", 2, acc_mac_arm },
	{ "macos", "x86_64", 1, acc_cpu },
	{ "linux", "x86_64", 3, acc_linux },
	{ "windows", "x86_64", 2, acc_win },
};
static const char *const engines[] = { "llama-cpp", "whisper-cpp", NULL };
static const struct pkgrules rules = { 4, plat, engines, NULL, 0 };

/* A record as package_read makes it, for the name given. */
static void
info_for(struct pkginfo *p, const char *filename)
{
	memset(p, 0, sizeof(*p));
	p->path = xasprintf("packages/%s", filename);
	p->filename = xstrdup(filename);
	p->engine_id = xstrdup("llama-cpp");
	p->version = xstrdup("b4618");
	p->os = xstrdup("linux");
	p->arch = xstrdup("x86_64");
	p->accelerator = xstrdup("cuda");
	p->accelerator_version = xstrdup("12.4");
	p->server_binary = xstrdup("bin/llama-server");
	p->min_app_version = xstrdup("1.2.0");
	p->nformats = 1;
	p->formats = xcalloc(1, sizeof(char *));
	p->formats[0] = xstrdup("gguf");
}

static void
set(char **field, const char *v)
{
	free(*field);
	*field = v != NULL ? xstrdup(v) : NULL;
}

/* package_check with its messages captured into *err (caller frees). */
static int
chk(const struct pkginfo *p, char **err)
{
	int ok;

	gen_status = 0;
	cap_start();
	ok = package_check(p, &rules);
	*err = cap_end();
	return ok;
}

TEST(check_good)
{
	struct pkginfo p;
	char *err;

	info_for(&p, GOODNAME);
	CHECK(chk(&p, &err));
	CHECK_STR(err, "");
	free(err);
	pkginfo_clear(&p);
	info_for(&p, "llama-cpp-b4618-macos-aarch64-metal.baiengine");
	set(&p.os, "macos");
	set(&p.arch, "aarch64");
	set(&p.accelerator, "metal");
	set(&p.accelerator_version, NULL);
	CHECK(chk(&p, &err));
	CHECK_STR(err, "");
	free(err);
	pkginfo_clear(&p);
}

TEST(check_read_package)
{
	char *p = mkpkg(GOODNAME, good_manifest), *err;
	struct pkginfo info;

	CHECK(rd(p, &info, &err));
	free(err);
	CHECK(chk(&info, &err));
	CHECK_STR(err, "");
	free(err);
	pkginfo_clear(&info);
	free(p);
}

TEST(check_file_name_mismatch)
{
	struct pkginfo p;
	char *err;

	info_for(&p, "llama-cpp-b4618-linux-x86_64-cuda.baiengine");
	CHECK(!chk(&p, &err));
	CHECK_STR(err, "packages/llama-cpp-b4618-linux-x86_64-cuda.baiengine: "
	    "file name disagrees with package/manifest.json: expected "
	    GOODNAME "\n");
	CHECK(gen_status == EXIT_DATAERR);
	free(err);
	pkginfo_clear(&p);
}

TEST(check_os_outside_matrix)
{
	struct pkginfo p;
	char *err;

	info_for(&p, "llama-cpp-b4618-macOS-x86_64-cuda12.baiengine");
	set(&p.os, "macOS");
	CHECK(!chk(&p, &err));
	CHECK_STR(err, "packages/llama-cpp-b4618-macOS-x86_64-cuda12."
	    "baiengine: package/manifest.json: \"os\" is \"macOS\", "
	    "expected one of: linux, macos, windows\n");
	free(err);
	pkginfo_clear(&p);
}

TEST(check_arch_outside_matrix)
{
	struct pkginfo p;
	char *err;

	info_for(&p, "llama-cpp-b4618-windows-aarch64-cuda12.baiengine");
	set(&p.os, "windows");
	set(&p.arch, "aarch64");
	CHECK(!chk(&p, &err));
	CHECK(strstr(err, "\"arch\" is \"aarch64\", expected one of: x86_64 "
	    "(for os \"windows\")") != NULL);
	free(err);
	pkginfo_clear(&p);
}

TEST(check_accelerator_outside_matrix)
{
	struct pkginfo p;
	char *err;

	info_for(&p, "llama-cpp-b4618-macos-aarch64-cuda12.baiengine");
	set(&p.os, "macos");
	set(&p.arch, "aarch64");
	CHECK(!chk(&p, &err));
	CHECK_STR(err, "packages/llama-cpp-b4618-macos-aarch64-cuda12."
	    "baiengine: package/manifest.json: \"accelerator\" is "
	    "\"cuda\", expected one of: cpu, metal (for macos/aarch64)\n");
	free(err);
	pkginfo_clear(&p);
}

TEST(check_unknown_engine)
{
	struct pkginfo p;
	char *err;

	info_for(&p, "foo-b4618-linux-x86_64-cuda12.baiengine");
	set(&p.engine_id, "foo");
	CHECK(!chk(&p, &err));
	CHECK(strstr(err, "packages/foo-b4618-linux-x86_64-cuda12.baiengine: "
	    "package/manifest.json: engine \"foo\" is not described in the "
	    "manifest's engines: section\n") != NULL);
	free(err);
	pkginfo_clear(&p);
	info_for(&p, "llama-cp-b4618-linux-x86_64-cuda12.baiengine");
	set(&p.engine_id, "llama-cp");
	CHECK(!chk(&p, &err));
	CHECK(strstr(err, "did you mean \"llama-cpp\"?") != NULL);
	free(err);
	pkginfo_clear(&p);
}

TEST(check_variant_in_file_name)
{
	struct pkginfo p;
	char *err;

	info_for(&p, "llama-cpp-b4618-linux-x86_64-cuda12-gh200.baiengine");
	set(&p.variant, "gh200");
	CHECK(chk(&p, &err));
	CHECK_STR(err, "");
	free(err);
	/* The variant is in the manifest but not in the name. */
	set(&p.filename, GOODNAME);
	CHECK(!chk(&p, &err));
	CHECK(strstr(err, "expected llama-cpp-b4618-linux-x86_64-cuda12-"
	    "gh200.baiengine") != NULL);
	free(err);
	/* And the other way round. */
	set(&p.variant, NULL);
	set(&p.filename, "llama-cpp-b4618-linux-x86_64-cuda12-gh200.baiengine");
	CHECK(!chk(&p, &err));
	CHECK(strstr(err, "expected " GOODNAME) != NULL);
	free(err);
	pkginfo_clear(&p);
}

TEST(check_reports_every_problem)
{
	struct pkginfo p;
	char *err;

	info_for(&p, "x.baiengine");
	set(&p.os, "plan9");
	set(&p.engine_id, "zzz");
	CHECK(!chk(&p, &err));
	CHECK(strstr(err, "\"os\" is \"plan9\"") != NULL);
	CHECK(strstr(err, "engine \"zzz\" is not described") != NULL);
	CHECK(strstr(err, "file name disagrees") != NULL);
	free(err);
	pkginfo_clear(&p);
}

TEST(check_accelerator_version_major)
{
	struct pkginfo p;
	char *err;

	info_for(&p, "llama-cpp-b4618-linux-x86_64-cudav12.baiengine");
	set(&p.accelerator_version, "v12.4");
	CHECK(!chk(&p, &err));
	CHECK(strstr(err, "\"acceleratorVersion\" is \"v12.4\", expected a "
	    "version such as 12.4") != NULL);
	free(err);
	pkginfo_clear(&p);
}

TEST(accel_token)
{
	struct pkginfo p;
	char *t;

	info_for(&p, GOODNAME);
	CHECK_STR(t = package_accel_token(&p), "cuda12");
	free(t);
	set(&p.accelerator, "rocm");
	set(&p.accelerator_version, "6");
	CHECK_STR(t = package_accel_token(&p), "rocm6");
	free(t);
	set(&p.accelerator, "metal");
	set(&p.accelerator_version, NULL);
	CHECK_STR(t = package_accel_token(&p), "metal");
	free(t);
	pkginfo_clear(&p);
	pkginfo_clear(&p);	/* a cleared record clears again */
}

static void
cleanup(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	free(cmd);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	rbuf = xmalloc(BUFLEN);
	RUN(good_package);
	RUN(sha256_matches_sha256sum);
	RUN(digest_of_every_byte);
	RUN(any_buffer_size);
	RUN(variant_and_null_accelerator_version);
	RUN(dot_slash_members);
	RUN(missing_file);
	RUN(read_error);
	RUN(manifest_not_first);
	RUN(manifest_missing);
	RUN(manifest_too_large);
	RUN(bad_json);
	RUN(not_an_object);
	RUN(missing_field);
	RUN(wrong_type);
	RUN(unknown_field);
	RUN(all_field_problems_reported);
	RUN(bad_strings);
	RUN(truncated_before_manifest);
	RUN(truncated_in_half);
	RUN(damaged_gzip);
	RUN(gzip_trailer_any_split);
	RUN(garbage);
	RUN(plain_tar);
	RUN(deep_outside_package);
	RUN(deep_absolute_path);
	RUN(deep_dotdot);
	RUN(deep_symlink_leaving);
	RUN(deep_hardlink_leaving);
	RUN(deep_device_and_fifo);
	RUN(deep_server_binary_absent);
	RUN(deep_control_characters_in_names);
	RUN(path_faults);
	RUN(link_faults);
	RUN(fault_texts);
	RUN(deep_windows_names);
	RUN(server_binary_names);
	RUN(fifo_not_read);
	RUN(concurrent_reads);
	RUN(check_good);
	RUN(check_read_package);
	RUN(check_file_name_mismatch);
	RUN(check_os_outside_matrix);
	RUN(check_arch_outside_matrix);
	RUN(check_accelerator_outside_matrix);
	RUN(check_unknown_engine);
	RUN(check_variant_in_file_name);
	RUN(check_reports_every_problem);
	RUN(check_accelerator_version_major);
	RUN(accel_token);
	free(rbuf);
	if (!getenv("KEEP")) cleanup();
	return harness_done("package");
}
