/*
 * harness.h - a small unit-test harness.  Each test file defines tests with
 * TEST(name) { ... } and lists them in main with RUN(name); CHECK failures
 * print file:line and the expression, and the test counts as failed.
 * main returns harness_done(), which prints "N passed, N failed".
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdio.h>
#include <string.h>

static int h_pass, h_fail, h_cur_failed;
static const char *h_cur;

#define TEST(name) static void name(void)
#define RUN(name) do {							\
	h_cur = #name; h_cur_failed = 0;				\
	name();								\
	if (h_cur_failed) h_fail++; else h_pass++;			\
} while (0)
#define CHECK(e) do {							\
	if (!(e)) {							\
		fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n",	\
		    __FILE__, __LINE__, h_cur, #e);			\
		h_cur_failed = 1;					\
	}								\
} while (0)
#define CHECK_STR(a, b) do {						\
	const char *h_a = (a), *h_b = (b);				\
	if (h_a == NULL || h_b == NULL || strcmp(h_a, h_b) != 0) {	\
		fprintf(stderr, "%s:%d: %s: expected \"%s\", got \"%s\"\n", \
		    __FILE__, __LINE__, h_cur, h_b ? h_b : "(null)",	\
		    h_a ? h_a : "(null)");				\
		h_cur_failed = 1;					\
	}								\
} while (0)

/* Record an outcome decided elsewhere (data-driven cases). */
static inline void
harness_result(const char *name, int ok)
{
	(void)name;
	if (ok) h_pass++; else h_fail++;
}

static inline int
harness_done(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, h_pass, h_fail);
	return h_fail ? 1 : 0;
}

#endif
