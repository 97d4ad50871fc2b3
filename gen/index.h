/*
 * index.h - engine packages: reading one (package.c), version order
 * (version.c), scanning the packages folder with a cache (scan.c) and
 * engines.json (index.c).
 */
#ifndef INDEX_H
#define INDEX_H

#include "gen.h"

/* One supported platform: os/arch and the accelerators built for it. */
struct platform {
	const char	*os, *arch;
	size_t		 naccel;
	const char	*const *accel;
};

/* What package checks are made against (borrowed). */
struct pkgrules {
	size_t			 nplat;
	const struct platform	*plat;
	const char *const	*engines;	/* NULL-terminated engine ids */
	/* The same ids sorted (strcmp), for look-ups among thousands; NULL
	 * to search engines in order. */
	const char *const	*sorted;
	size_t			 nsorted;
};

/* Is id among the rules' engines? */
int	 pkgrules_has_engine(const struct pkgrules *, const char *id);

/* A package: the file, and the fields of its package/manifest.json. */
struct pkginfo {
	char		*path;		/* as found under the packages folder */
	char		*filename;	/* its last component */
	unsigned long long size;	/* bytes actually read */
	char		 sha256[65];	/* lower-case hex */
	char		*engine_id, *version, *os, *arch, *accelerator;
	char		*accelerator_version;	/* NULL for JSON null */
	char		*server_binary, *min_app_version;
	char		*variant;		/* NULL when absent */
	size_t		 nformats;
	char		**formats;
	/* When set, every string above but path (and the formats array)
	 * lives in this one allocation (records from the cache). */
	char		*block;
};

/* Size limit of package/manifest.json. */
#define PKG_MANIFEST_MAX (64 * 1024)

/*
 * Read one package file in one pass: every byte goes through SHA-256 and
 * ISA-L's inflater, the gzip header and CRC-32 and length trailer are
 * checked, nothing may follow the one gzip member, and every tar member
 * is checked (names, links, device files, FIFOs, hard links, serverBinary
 * present and a regular file).  Fills *out (path, filename, size, sha256
 * and the manifest fields) and returns 1; or returns 0 after reporting
 * "display: member: message" (EXIT_DATAERR for bad data,
 * EXIT_IOERR/EXIT_NOINPUT when the file cannot be read).  buf is scratch
 * space of buflen bytes (reused across calls by one thread).  Thread-safe:
 * touches no global state but diag()'s output.
 */
int	 package_read(const char *path, const char *display,
	    unsigned char *buf, size_t buflen, struct pkginfo *out);

/*
 * Check a package's fields against the rules and its file name
 * ({engine_id}-{version}-{os}-{arch}-{accel}[-{variant}].baiengine, where
 * accel carries the major of acceleratorVersion: cuda12).  Used for fresh
 * and cached records alike.  Returns 1, or 0 after reporting.
 */
int	 package_check(const struct pkginfo *, const struct pkgrules *);

/*
 * What makes a name inside a package unsafe where it is extracted: the
 * Windows app splits names at '\' as well as '/', and gives drive
 * letters, UNC and device paths, device names and a trailing dot or space
 * their own meaning.  The rules hold for packages of every OS.
 */
enum pathfault {
	PF_NONE,
	PF_OUTSIDE,	/* not under package/ (names split at '/' only) */
	PF_ABSOLUTE,	/* /x, \x */
	PF_UNC,		/* \\server\share, //server/share */
	PF_DEVPATH,	/* \\?\..., \\.\... */
	PF_DRIVE,	/* C:\x, c:x, a name C: */
	PF_CONTROL,	/* a control character */
	PF_DOTDOT,	/* a '..' name */
	PF_DOTS,	/* a name of dots and spaces: '...', '.. ' */
	PF_TRAILING,	/* a name ending in a dot or a space */
	PF_COLON,	/* ':' in a name (an alternate data stream) */
	PF_DEVICE,	/* CON, PRN, AUX, NUL, COM1, LPT1, CONIN$, nul.txt */
	PF_LEAVES,	/* a link target that resolves outside package/ */
	PF_LEAVES_WIN	/* ... only where '\' separates names */
};

/* A fault and the name at fault (off, len: a span of the checked path;
 * len 0 when the fault is the whole path's). */
struct pathfault_at {
	enum pathfault	 kind;
	size_t		 off, len;
};

/*
 * Check a member's path (from the archive's root, leading "./" removed)
 * or a hard link's target, name by name with '/' and '\' both
 * separating.  Returns the fault (PF_NONE when the path is safe) and
 * fills *at when at is not NULL.
 */
enum pathfault	 package_path_fault(const char *path,
		    struct pathfault_at *at);

/*
 * Check the target of the symbolic link at path (a member path that passed
 * package_path_fault): the same rules, except that '..' may appear, and
 * the target, resolved from the link's folder without following other
 * links, must stay inside package/, with '\' splitting names and
 * without.  Returns the fault and fills *at as above (spans of target).
 */
enum pathfault	 package_link_fault(const char *path, const char *target,
		    struct pathfault_at *at);

/* What the fault is, for a message after "member: " (path is the string
 * that was checked); caller frees. */
char		*package_fault_text(const char *path,
		    const struct pathfault_at *);


/*
 * Open path for reading when it is a regular file, without blocking on a
 * FIFO on the way (opened O_NONBLOCK, checked with fstat, then made
 * blocking).  Returns the descriptor, or -1 after reporting
 * "display: is a FIFO, not a regular file" (EXIT_DATAERR) or an error;
 * when missing is not NULL, a file that does not exist sets *missing
 * instead of being reported.
 */
int		 open_regular(const char *path, const char *display,
		    int *missing);

/* The accelerator token of a file name ("cuda12", "metal"); caller frees. */
char	*package_accel_token(const struct pkginfo *);

void	 pkginfo_clear(struct pkginfo *);	/* frees the fields, zeroes */

/* The rules of package/manifest.json's values, shared with the index read
 * back: NULL when s is good, else why not ("expected ..."). */
const char *valid_id(const char *);		/* engine ids */
const char *valid_version(const char *);	/* version, minAppVersion */
const char *valid_accel_version(const char *);
const char *valid_variant(const char *);
/* Whether s (valid UTF-8) holds a C0 or C1 control character or DEL. */
int	 has_control(const char *s, size_t len);

/*
 * Version order, numeric-aware and total: b4618 < b4620, 0.9.0 < 0.10.0,
 * 1.0.0-rc.1 < 1.0.0, 26.1.29 < 26.4.20.  Returns <0, 0 or >0; 0 only for
 * equal strings.
 */
int	 version_cmp(const char *, const char *);


/* ---- scan.c ---------------------------------------------------------- */

struct scanopts {
	const char	*dir;		/* the packages folder */
	const char	*cache;		/* the cache file (in the state folder), or NULL */
	int		 use_cache;	/* read the cache */
	int		 jobs;		/* worker threads; 0: the number of cores */
	/* Salt of the fingerprint (see struct scan); and, when not NULL, the
	 * fingerprint at which nothing more need be done. */
	const char	*salt;
	const char	*expect;
};

/* Every package under the folder, sorted by path. */
struct scan {
	size_t		 n;
	struct pkginfo	*pkg;
	long long	 newest;	/* latest mtime (seconds) among packages */
	/* SHA-256 of the salt and every package's path, size, mtime and
	 * inode.  When it equals opts->expect the scan stops there: n is 0
	 * and unchanged is set. */
	char		 fingerprint[65];
	int		 unchanged;
	struct pkgstat	*st;		/* per package: what the cache keys on */
	int		 dirty;		/* the cache should be written anew */
	/* private: the strings of cached records, interned (a registry's
	 * records repeat a few engine ids, versions, platforms and binaries:
	 * 100,000 records take kilobytes here, not the cache's 23 MB) */
	struct strpool {
		char	**slot;		/* open addressing; a power of two */
		size_t	  n, cap;
	}		 pool;
};

/* The cache's text for the scan (scan_cache_write): it keys each
 * record on path, size, mtime and inode. */
struct pkgstat {
	unsigned long long size, ino;
	long long	 mtime_s, mtime_ns;
};
int		 scan_cache_write(const struct scan *, FILE *);

/*
 * Find, read (or take from the cache) and check every *.baiengine under
 * opts->dir.  Every problem is reported; returns NULL if there was any.
 * A missing folder is an empty scan.
 */
struct scan	*scan_packages(const struct scanopts *, const struct pkgrules *);
void		 scan_free(struct scan *);

/* SHA-256 and size of every file named, with worker threads (gen verify).
 * Returns 1, or 0 after reporting an I/O error; missing files get
 * size (unsigned long long)-1. */
int		 hash_files(char *const *paths, size_t n, int jobs,
		    char (*sha256)[65], unsigned long long *size);

/* Every *.baiengine under dir, sorted (the one walk of the packages
 * folder).  Returns 1, or 0 after reporting; *paths is the caller's. */
int		 scan_walk(const char *dir, char ***paths, size_t *n);

/* ---- index.c: the typed index ------------------------------------------ */

struct manifest;
struct outset;

/* One package as the index lists it.  Strings are borrowed from the index. */
struct ipkg {
	const char	*filename, *os, *arch, *accelerator;
	const char	*accelerator_version;	/* NULL for JSON null */
	const char	*variant;		/* NULL when absent */
	unsigned long long size;
	const char	*sha256;		/* 64 lower-case hex digits */
};

/* One version of an engine: its packages, sorted by os, arch, accelerator
 * and variant. */
struct iversion {
	const char	*version;
	const char	*min_app_version;	/* the highest of its packages' */
	long long	 release_date;	/* first listed (seconds since the epoch) */
	size_t		 npkg;
	const struct ipkg *pkg;
};

/* One engine: manifest fields and its versions, newest first. */
struct iengine {
	const char	*id, *name, *description;
	size_t		 nformats;
	const char	*const *formats;	/* modelFormats */
	size_t		 nver;
	const struct iversion *ver;	/* ver[0] is latestVersion */
};

/*
 * The index: engines (in manifest order) -> versions -> packages.  Built
 * from a scan, or loaded from a previous engines.json.  It is what the
 * serializers (engines.json) and the catalog read; nothing reads gen's own
 * JSON back to render.  All memory is owned by the index (index_free).
 */
struct index {
	long long	 last_updated;	/* seconds since the epoch */
	const char	*base_url;
	size_t		 neng, nver, npkg;	/* totals */
	const struct iengine *eng;
	/* SHA-256 of everything but lastUpdated: equal digests, equal
	 * engines.json but for the time. */
	char		 digest[65];
	struct index_mem *mem;		/* private */
};

void	 index_free(struct index *);

/*
 * The index of a scan: packages grouped by engine (manifest order), version
 * (newest first) and platform; two packages in one slot are an error naming
 * both files.  releaseDate comes from prev (the previous index, may be NULL)
 * for every version it lists, else it is when; lastUpdated is when, or
 * prev's when nothing but the time would change.  The index takes the
 * scan over (its strings are borrowed; freed with the index, or here on
 * failure).  Returns NULL after reporting.
 */
struct index *index_from_scan(const struct manifest *, struct scan *,
	    const struct index *prev, long long when);

/*
 * engines.json read back into an index: at most GEN_MAX_INDEX bytes,
 * checked strictly (index_check) before anything is taken from it.
 * Returns NULL after reporting (EXIT_NOINPUT when absent).
 */
struct index *index_read(const char *path, const struct pkgrules *);
/* The same for bytes in memory, named name in messages. */
struct index *index_read_buf(const char *name, const char *text, size_t len,
	    const struct pkgrules *);

/* What a run asks of the index. */
struct index_job {
	const char	*manifest;	/* its path: part of the fingerprint */
	const char	*packages, *site, *templates;
	const char	*cache;		/* the package cache (state), or NULL */
	int		 use_cache;	/* read the cache and the stamp */
	int		 write_state;	/* commit cache and stamp with the site */
	int		 need;		/* hand the index back (the catalog) */
	int		 jobs;
};

/*
 * Scan and check every package, and make the index: carried over from the
 * last run (release dates; lastUpdated when nothing else changed; the whole
 * engines.json when no input changed), then engines.json (streamed) and
 * its schema into site, with the cache and the stamp as state files.  With
 * site NULL (gen validate) nothing is written.  *out gets the index when
 * j->need.  Returns 1, or 0 after reporting.
 */
int	 index_update(const struct manifest *, const struct index_job *,
	    struct outset *site, struct index **out);

/* gen site: the index in the site folder, read back and checked against
 * the manifest; engines.json stays as it is (kept in site) and its schema
 * is added.  Returns NULL after reporting. */
struct index *index_site(const struct manifest *, const struct index_job *,
	    struct outset *site);

/* engines.json, streamed from the index to f (fixed key order, two-space
 * indent, ASCII).  Returns 1, or 0 when a write failed. */
int	 index_write(const struct index *, FILE *f);

/* The engine with that id, or NULL (borrowed). */
const struct iengine *index_engine(const struct index *, const char *id);
/* The engine's version, or NULL (binary search; borrowed). */
const struct iversion *index_version(const struct iengine *, const char *);

/* lastUpdated and releaseDate as written: 2026-01-31T12:00:00Z; and back
 * (-1 when s is not such a time). */
void	 index_time(long long t, char out[32]);
long long index_parse_time(const char *s);

/*
 * gen verify: every package engines.json lists is present under pkgdir with
 * its size and SHA-256.  Prints each mismatch; returns the number of
 * mismatches, or -1 after reporting bad input or an I/O error.
 */
long	 index_verify(const char *index_path, const char *pkgdir,
	    const struct pkgrules *, int jobs);

/* ---- indexread.c ------------------------------------------------------ */

struct ynode;

/*
 * Check a parsed engines.json to the rules of a scanned package: the
 * schema's keys and types; schemaVersion 1; ids, versions, variants and
 * accelerator versions as package.c's; os/arch/accelerator on the rules'
 * platforms; engines described in the manifest (when rules->engines);
 * each filename the one its fields give; size an integer in [0, 2^53);
 * sha256 64 lower-case hex digits; baseUrl http(s) with a host, or "";
 * versions newest first and none twice; latestVersion versions[0]'s and
 * packages its list; no id, file or model format twice.  Every problem is
 * reported as "file:line:col: engines[0].id: message".  Returns 1 when
 * there was none.
 */
int	 index_check(const struct ynode *root, const struct pkgrules *);

#endif
