/*
 * test_version.c - version_cmp: the documented orders, and that it is a
 * total order (antisymmetric, transitive, 0 only for equal strings) over
 * a mixed list.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "index.h"

static int
sgn(int c)
{
	return (c > 0) - (c < 0);
}

/* Each version is smaller than the next one, both ways round. */
static int
ascending(const char *const *v, size_t n)
{
	size_t i, j;
	int ok = 1;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int want = i < j ? -1 : i > j ? 1 : 0;

			if (sgn(version_cmp(v[i], v[j])) != want) {
				fprintf(stderr, "version_cmp(\"%s\", \"%s\") "
				    "is %d, expected %d\n", v[i], v[j],
				    version_cmp(v[i], v[j]), want);
				ok = 0;
			}
		}
	return ok;
}

#define ASC(...) do {							\
	static const char *const v_[] = { __VA_ARGS__ };		\
	CHECK(ascending(v_, sizeof(v_) / sizeof(v_[0])));		\
} while (0)

TEST(build_numbers)
{
	ASC("b99", "b4618", "b4620", "b10000", "b100000");
}

TEST(numeric_not_lexical)
{
	ASC("0.9.0", "0.10.0", "0.10.1", "0.11.0", "1.0.0", "2.0.0",
	    "10.0.0");
}

TEST(calver)
{
	ASC("25.12.31", "26.1.29", "26.4.20", "26.10.1", "26.10.2");
}

TEST(semver_prerelease)
{
	ASC("1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
	    "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",
	    "1.0.0");
}

TEST(prerelease_before_release_but_after_previous)
{
	ASC("0.9.9", "1.0.0-rc.1", "1.0.0", "1.0.0.1", "1.0.1-beta",
	    "1.0.1");
}

TEST(longer_is_larger_unless_prerelease)
{
	CHECK(version_cmp("1.0.0.1", "1.0.0") > 0);
	CHECK(version_cmp("1.0.0", "1.0.0.1") < 0);
	CHECK(version_cmp("1.0.0-1", "1.0.0") > 0);	/* a revision */
	CHECK(version_cmp("1.0.0-rc", "1.0.0") < 0);
	CHECK(version_cmp("1.0", "1.0a") < 0);
}

TEST(build_metadata_only_breaks_ties)
{
	CHECK(version_cmp("1.0.0+build", "1.0.0") > 0);
	CHECK(version_cmp("1.0.0", "1.0.0+build") < 0);
	CHECK(version_cmp("1.0.0+zzz", "1.0.0.1") < 0);
	CHECK(version_cmp("1.0.0-rc.1+zzz", "1.0.0") < 0);
	CHECK(version_cmp("1.0.0+a", "1.0.0+b") < 0);
	CHECK(version_cmp("2.1.0+cu121", "2.1.0+cpu") != 0);
}

TEST(zero_only_for_identical)
{
	CHECK(version_cmp("1.2.3", "1.2.3") == 0);
	CHECK(version_cmp("b4618", "b4618") == 0);
	CHECK(version_cmp("", "") == 0);
	CHECK(version_cmp("1.01", "1.1") != 0);
	CHECK(sgn(version_cmp("1.01", "1.1")) ==
	    -sgn(version_cmp("1.1", "1.01")));
	CHECK(version_cmp("1.2", "1_2") != 0);
	CHECK(version_cmp("1.2", "1-2") != 0);
	CHECK(version_cmp("rc1", "rc.1") != 0);
}

TEST(separators_are_structure)
{
	/* 1_2 and 1.2 differ only in a separator: they sit next to each
	 * other, both below 1.3 and above 1.1. */
	CHECK(version_cmp("1_2", "1.3") < 0);
	CHECK(version_cmp("1_2", "1.1") > 0);
	CHECK(version_cmp("1-2", "1.3") < 0);
	CHECK(version_cmp("1-2", "1.1") > 0);
	CHECK(version_cmp("1.2.10", "1_2_9") > 0);
}

TEST(huge_numbers)
{
	ASC("1.99999999999999999999", "1.100000000000000000000",
	    "1.100000000000000000001", "2");
	CHECK(version_cmp("1.000000000000000000000000000000001",
	    "1.2") < 0);
}

TEST(empty_and_odd)
{
	CHECK(version_cmp("", "0") < 0);
	CHECK(version_cmp("0", "") > 0);
	CHECK(version_cmp("-", "") != 0);
	CHECK(version_cmp("1.0-", "1.0") > 0);
	CHECK(version_cmp("v1.0", "v1.1") < 0);
	CHECK(version_cmp("..", ".") != 0);
}

TEST(words_bytewise)
{
	ASC("a", "ab", "b", "ba");
	CHECK(version_cmp("1.0.0-RC", "1.0.0-rc") < 0);
}

static const char *const mixed[] = {
	"b4618", "b4620", "b10000", "b99", "0.9.0", "0.10.0", "1.0.0",
	"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta", "1.0.0-beta.2",
	"1.0.0-beta.11", "1.0.0-rc.1", "1.0.0.1", "1.0.0+build",
	"1.0.0+build.2", "1.0.0-1", "1.0", "1", "1.01", "1.1", "1_1",
	"1-1", "26.1.29", "26.4.20", "26.10.1", "v1.0", "1.0a", "1.0rc1",
	"", "-", ".", "2.1.0+cu121", "2.1.0+cpu", "1.0.0-rc-1",
	"1.0.0-alpha-beta", "1.0.0-0", "1.0.0--x", "99999999999999999999",
	"100000000000000000000", "r1", "1.0.0-rc.1+b", "0", "00",
};
#define NMIXED	(sizeof(mixed) / sizeof(mixed[0]))

static int
qcmp(const void *a, const void *b)
{
	return version_cmp(*(const char *const *)a, *(const char *const *)b);
}

TEST(total_order_property)
{
	const char *v[NMIXED];
	size_t i, j, k, bad = 0;
	int ab, bc, ac;

	memcpy(v, mixed, sizeof(v));
	qsort(v, NMIXED, sizeof(v[0]), qcmp);
	for (i = 0; i + 1 < NMIXED; i++)
		CHECK(version_cmp(v[i], v[i + 1]) < 0);
	for (i = 0; i < NMIXED; i++)
		for (j = 0; j < NMIXED; j++) {
			ab = sgn(version_cmp(v[i], v[j]));
			if (ab != -sgn(version_cmp(v[j], v[i])))
				bad++;
			if ((ab == 0) != (strcmp(v[i], v[j]) == 0))
				bad++;
			/* Sorted: the order agrees with the positions. */
			if (ab != (i < j ? -1 : i > j ? 1 : 0))
				bad++;
			for (k = 0; k < NMIXED; k++) {
				bc = sgn(version_cmp(v[j], v[k]));
				ac = sgn(version_cmp(v[i], v[k]));
				if (ab <= 0 && bc <= 0 && ac > 0)
					bad++;
				if (ab >= 0 && bc >= 0 && ac < 0)
					bad++;
			}
		}
	if (bad)
		fprintf(stderr, "total order broken %zu times\n", bad);
	CHECK(bad == 0);
}

/* Every pair of short strings over a small alphabet: exhaustive totality. */
TEST(total_order_exhaustive)
{
	static const char alpha[] = "01a.-+";
	char v[259][4];
	size_t n = 0, i, j, k, bad = 0, len;
	int ab, bc, ac;

	for (len = 0; len <= 3; len++) {
		size_t m = 1, x;

		for (i = 0; i < len; i++)
			m *= 6;
		for (x = 0; x < m; x++) {
			size_t y = x;

			for (i = 0; i < len; i++, y /= 6)
				v[n][i] = alpha[y % 6];
			v[n][len] = '\0';
			n++;
		}
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			ab = sgn(version_cmp(v[i], v[j]));
			if (ab != -sgn(version_cmp(v[j], v[i])) ||
			    (ab == 0) != (i == j))
				bad++;
			for (k = 0; k < n; k++) {
				bc = sgn(version_cmp(v[j], v[k]));
				ac = sgn(version_cmp(v[i], v[k]));
				if (ab < 0 && bc < 0 && ac >= 0)
					bad++;
			}
		}
	if (bad)
		fprintf(stderr, "total order broken %zu times\n", bad);
	CHECK(bad == 0);
}

int
main(void)
{
	RUN(build_numbers);
	RUN(numeric_not_lexical);
	RUN(calver);
	RUN(semver_prerelease);
	RUN(prerelease_before_release_but_after_previous);
	RUN(longer_is_larger_unless_prerelease);
	RUN(build_metadata_only_breaks_ties);
	RUN(zero_only_for_identical);
	RUN(separators_are_structure);
	RUN(huge_numbers);
	RUN(empty_and_odd);
	RUN(words_bytewise);
	RUN(total_order_property);
	RUN(total_order_exhaustive);
	return harness_done("version");
}
