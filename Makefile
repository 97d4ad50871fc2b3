# gen - the inference-engine registry compiler.  Plain make + pkg-config.
#
#   make            build build/gen (installs missing Debian -dev packages first)
#   make release    Dockerfiles + engines.json + catalog from manifest.yml, a summary
#   make test       unit tests, golden cases, bad-input corpus, linters
#   make check      fail when generated/ is stale
#   make bench      benchmarks (bench-docker, ...)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
PKGS	 = yaml-0.1 libarchive libcrypto jansson libcmark libisal libcurl
CC	?= cc
CFLAGS	?= -O2 -g
WARN	 = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wno-unused-parameter
STAMP	 = build/.deps-ok

# pkg-config is asked only once the dependencies are in place.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(CFLAGS) $(PKG_CFLAGS) $(XCFLAGS)
ALL_LIBS   = $(PKG_LIBS) -lpthread $(XLIBS)

SRCS	= $(wildcard gen/*.c)
LIBOBJS	= $(patsubst gen/%.c,build/obj/%.o,$(filter-out gen/main.c,$(SRCS)))
OBJS	= $(LIBOBJS) build/obj/main.o
HDRS	= $(wildcard gen/*.h)
UNITS	= $(patsubst tests/unit/%.c,build/%,$(wildcard tests/unit/test_*.c))

.PHONY: all deps release test check install uninstall clean regress_rebuild bench bench-docker bench-index bench-inflate bench-site bench-registries bench-cr bench-deployments unit golden lint valgrind fuzz

all: build/gen

$(STAMP): scripts/install-deps
	@mkdir -p build
	@scripts/install-deps
	@touch $@

build/obj/%.o: gen/%.c $(HDRS) $(STAMP)
	@mkdir -p build/obj
	$(CC) $(ALL_CFLAGS) -c $< -o $@

build/gen: $(OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $(OBJS) $(ALL_LIBS)

# The same sources with AddressSanitizer and UBSan, for the test runs.
ASAN_OBJS = $(patsubst gen/%.c,build/asan/%.o,$(SRCS))
build/asan/%.o: gen/%.c $(HDRS) $(STAMP)
	@mkdir -p build/asan
	$(CC) $(ALL_CFLAGS) -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -Wno-format-truncation -c $< -o $@

build/asan/gen: $(ASAN_OBJS)
	$(CC) $(ALL_CFLAGS) -fsanitize=address,undefined -o $@ $(ASAN_OBJS) $(ALL_LIBS)

build/test_%: tests/unit/test_%.c tests/unit/harness.h $(LIBOBJS)
	$(CC) $(ALL_CFLAGS) -Igen -o $@ $< $(LIBOBJS) $(ALL_LIBS)

# With no packages of its own, the registry builds the deterministic samples.
release: build/gen
	@if ! find packages -name '*.baiengine' 2>/dev/null | grep -q .; then \
		echo "release: packages/ holds no packages: making the sample set" >&2; \
		scripts/mksamples packages >&2; \
	fi
	@# The last commit's time stamps engines.json, unless the caller set one.
	@# The clock is read around gen build alone, for the summary.
	@t0=$$(date +%s%N); \
	echo "SOURCE_DATE_EPOCH=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null)} build/gen build"; \
	SOURCE_DATE_EPOCH=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null)} build/gen build || exit 1; \
	t1=$$(date +%s%N); \
	build/gen verify site || exit 1; \
	scripts/release-summary $$(( (t1 - t0) / 1000000 ))

check: build/gen
	build/gen check

unit: $(UNITS)
	@tests/run-units $(UNITS)

test: build/gen build/asan/gen $(UNITS)
	@tests/run-all

# Rewrite the expectations of every golden and bad-input case from the
# current output: review the diff before committing it.
regress_rebuild: build/gen
	@tests/run-golden --rebuild
	@tests/run-bad --rebuild
	@tests/run-badreg --rebuild
	@tests/run-badcr --rebuild
	@tests/run-badcrq --rebuild
	@tests/run-baddeploy --rebuild
	@tests/run-badpkg --rebuild
	@tests/run-badindex --rebuild
	@tests/hostile/run --rebuild

# GEN=path benchmarks that binary instead of building build/gen; GEN_PREV
# names the previous design's (scripts/bench-index builds it when unset).
bench: bench-docker bench-index bench-inflate bench-site bench-registries bench-cr bench-deployments

bench-docker: $(if $(GEN),,build/gen)
	@scripts/install-deps test
	@scripts/bench-docker

bench-index: $(if $(GEN),,build/gen)
	@scripts/install-deps test
	@scripts/bench-index

bench-inflate: $(if $(GEN),,build/gen)
	@scripts/bench-inflate

bench-site: $(if $(GEN),,build/gen)
	@scripts/install-deps test
	@scripts/bench-site

bench-registries: $(if $(GEN),,build/gen)
	@scripts/install-deps test
	@scripts/bench-registries

bench-cr: $(if $(GEN),,build/gen)
	@scripts/install-deps test
	@scripts/bench-cr

bench-deployments: $(if $(GEN),,build/gen)
	@scripts/install-deps test
	@scripts/bench-deployments

# libFuzzer targets for the YAML loader and Mustache (clang); not part of test.
fuzz: $(STAMP)
	@tests/fuzz/run $${FUZZ_SECONDS:-60}

# Every golden and bad-input case again under valgrind: any memory error or
# definite (or indirect) leak fails the case.  All suites run; any failure
# fails the target.
valgrind: build/gen
	@scripts/install-deps test
	@st=0; \
	VALGRIND=1 tests/run-golden || st=1; \
	VALGRIND=1 tests/run-bad || st=1; \
	VALGRIND=1 tests/run-badreg || st=1; \
	VALGRIND=1 tests/run-badcr || st=1; \
	VALGRIND=1 tests/run-badcrq || st=1; \
	VALGRIND=1 tests/run-baddeploy || st=1; \
	VALGRIND_GEN=$(CURDIR)/build/gen GEN=$(CURDIR)/tests/valgrind-gen tests/run-badpkg || st=1; \
	VALGRIND=1 tests/run-badindex || st=1; \
	VALGRIND=1 tests/hostile/run || st=1; \
	exit $$st

install: build/gen
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 build/gen $(DESTDIR)$(BINDIR)/gen
	install -m 644 gen.1 $(DESTDIR)$(MANDIR)/man1/gen.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/gen $(DESTDIR)$(MANDIR)/man1/gen.1

clean:
	rm -rf build/obj build/gen build/test_* build/tmp
