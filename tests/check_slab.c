/* check_slab.c - the slab allocator behind the memory backend's appended
 * entries: alignment, no overlap, rewinding on rollback-order frees,
 * slabs given back when empty, table slots reused, size limits, and
 * failed allocations that change nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "points.h"
#include "util/slab.h"
#include "testutil.h"

static points_slabs s;

static void
teardown(void)
{
	points_slab__destroy(&s);
	tu_alloc_uninstall();
}

/* 1 when p[0..n) all hold c. */
static int
filled(const unsigned char *p, size_t n, unsigned char c)
{
	while (n--)
		if (*p++ != c)
			return 0;
	return 1;
}

/* Enough allocations of n bytes to fill more than one slab. */
#define PER_SLAB(n) (POINTS_SLAB_SIZE / (((n) + 7) & ~(size_t)7))

START_TEST(test_aligned_distinct_writable)
{
	enum { N = 4000 };
	static unsigned char *p[N];
	static uint32_t id[N];
	size_t i;

	for (i = 0; i < N; i++) {
		size_t n = 1 + i % 700;

		p[i] = points_slab__alloc(&s, n, &id[i]);
		ck_assert_ptr_nonnull(p[i]);
		ck_assert_uint_ne(id[i], 0);
		ck_assert_uint_eq((uintptr_t)p[i] % 8, 0);
		memset(p[i], (int)(i & 0xff), n);
	}
	ck_assert_uint_gt(s.n, 1); /* ~1 MB asked for: more than one slab */
	for (i = 0; i < N; i++)
		ck_assert(filled(p[i], 1 + i % 700, (unsigned char)(i & 0xff)));
}
END_TEST

START_TEST(test_size_limits)
{
	uint32_t id = 0;

	ck_assert_ptr_null(points_slab__alloc(&s, 0, &id));
	ck_assert_ptr_null(points_slab__alloc(&s, POINTS_SLAB_MAX + 1, &id));
	ck_assert_uint_eq(s.n, 0); /* nothing made for a refused size */
	ck_assert_ptr_nonnull(points_slab__alloc(&s, POINTS_SLAB_MAX, &id));
}
END_TEST

START_TEST(test_reverse_frees_rewind)
{
	uint32_t ia, ib, ic;
	void *a = points_slab__alloc(&s, 40, &ia);
	void *b = points_slab__alloc(&s, 24, &ib);
	void *c;

	ck_assert_uint_eq(s.v[0].top, 64);
	points_slab__free(&s, b, 24, ib); /* the newest: the top comes down */
	ck_assert_uint_eq(s.v[0].top, 40);
	c = points_slab__alloc(&s, 20, &ic);
	ck_assert_ptr_eq(c, b);
	points_slab__free(&s, a, 40, ia); /* not the newest: top stays */
	ck_assert_uint_eq(s.v[0].top, 64);
	ck_assert_uint_eq(s.v[0].live, 1);
	points_slab__free(&s, c, 20, ic); /* the last one: empty, reused */
	ck_assert_uint_eq(s.v[0].live, 0);
	ck_assert_uint_eq(s.v[0].top, 0);
	ck_assert_ptr_nonnull(s.v[0].base); /* the current slab is kept */
}
END_TEST

START_TEST(test_full_slab_freed_when_empty_and_slot_reused)
{
	size_t n = 4096, k = PER_SLAB(n), i;
	unsigned char **p = malloc((k + 1) * sizeof(*p));
	uint32_t id = 0, first;

	ck_assert_ptr_nonnull(p);
	for (i = 0; i < k; i++)
		p[i] = points_slab__alloc(&s, n, &id);
	first = id;
	p[k] = points_slab__alloc(&s, n, &id); /* starts a second slab */
	ck_assert_uint_ne(id, first);
	ck_assert_uint_eq(s.n, 2);
	for (i = 0; i < k; i++) {
		ck_assert_ptr_nonnull(s.v[first - 1].base);
		points_slab__free(&s, p[i], n, first);
	}
	ck_assert_ptr_null(s.v[first - 1].base); /* given back */
	/* fill the second slab: the third takes the free slot */
	for (i = 1; i < k; i++)
		ck_assert_ptr_nonnull(points_slab__alloc(&s, n, &id));
	ck_assert_ptr_nonnull(points_slab__alloc(&s, n, &id));
	ck_assert_uint_eq(id, first);
	ck_assert_uint_eq(s.n, 2);
	free(p);
}
END_TEST

START_TEST(test_failed_slab_changes_nothing)
{
	size_t n = 4096, k = PER_SLAB(n), i;
	uint32_t id = 0, cur;
	points_slab before;

	tu_alloc_install();
	tu_alloc_fail_at(1); /* the first slab */
	ck_assert_ptr_null(points_slab__alloc(&s, n, &id));
	ck_assert_uint_eq(s.cur, 0);
	ck_assert_uint_eq(s.n, 0);
	tu_alloc_fail_at(0);
	for (i = 0; i < k; i++)
		ck_assert_ptr_nonnull(points_slab__alloc(&s, n, &id));
	cur = s.cur;
	before = s.v[cur - 1];
	tu_alloc_fail_at(1); /* the slab the next allocation needs */
	ck_assert_ptr_null(points_slab__alloc(&s, n, &id));
	ck_assert_uint_eq(s.cur, cur);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_mem_eq(&s.v[cur - 1], &before, sizeof(before));
	tu_alloc_fail_at(0);
	ck_assert_ptr_nonnull(points_slab__alloc(&s, n, &id));
	ck_assert_uint_ne(id, cur);
}
END_TEST

START_TEST(test_failed_table_growth_changes_nothing)
{
	size_t n = POINTS_SLAB_MAX, k = PER_SLAB(n), i, j;
	uint32_t id = 0;

	tu_alloc_install();
	/* 16 slabs fill the first table; the 17th needs a bigger one */
	for (j = 0; j < 16; j++)
		for (i = 0; i < k; i++)
			ck_assert_ptr_nonnull(points_slab__alloc(&s, n, &id));
	ck_assert_uint_eq(s.n, 16);
	ck_assert_uint_eq(s.cap, 16);
	tu_alloc_fail_at(1);
	ck_assert_ptr_null(points_slab__alloc(&s, n, &id));
	ck_assert_uint_eq(s.n, 16);
	ck_assert_uint_eq(s.cap, 16);
	ck_assert_uint_eq(s.cur, 16);
	tu_alloc_fail_at(0);
	ck_assert_ptr_nonnull(points_slab__alloc(&s, n, &id));
	ck_assert_uint_eq(id, 17);
}
END_TEST

/* Random allocations and frees against a model: every live block keeps
 * its bytes, whatever else comes and goes. */
START_TEST(test_random_against_model)
{
	enum { SLOTS = 512 };
	static unsigned char *p[SLOTS];
	static size_t len[SLOTS];
	static uint32_t id[SLOTS];
	unsigned seed = 7;
	size_t i, j;
	long step;

	for (step = 0; step < 50000; step++) {
		seed = seed * 1103515245u + 12345u;
		i = (seed >> 8) % SLOTS;
		if (p[i]) {
			ck_assert(filled(p[i], len[i],
			    (unsigned char)((i * 31 + len[i]) & 0xff)));
			points_slab__free(&s, p[i], len[i], id[i]);
			p[i] = NULL;
		} else {
			len[i] = 1 + (seed >> 16) % 2000;
			p[i] = points_slab__alloc(&s, len[i], &id[i]);
			ck_assert_ptr_nonnull(p[i]);
			memset(p[i], (int)((i * 31 + len[i]) & 0xff), len[i]);
		}
	}
	for (i = 0; i < SLOTS; i++)
		if (p[i])
			points_slab__free(&s, p[i], len[i], id[i]);
	/* all freed: only the current slab is left */
	for (j = i = 0; i < s.n; i++)
		j += s.v[i].base != NULL;
	ck_assert_uint_eq(j, 1);
	ck_assert_uint_eq(s.v[s.cur - 1].top, 0);
}
END_TEST

static Suite *
slab_suite(void)
{
	Suite *su = suite_create("slab");
	TCase *tc = tcase_create("slab");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_aligned_distinct_writable);
	tcase_add_test(tc, test_size_limits);
	tcase_add_test(tc, test_reverse_frees_rewind);
	tcase_add_test(tc, test_full_slab_freed_when_empty_and_slot_reused);
	tcase_add_test(tc, test_failed_slab_changes_nothing);
	tcase_add_test(tc, test_failed_table_growth_changes_nothing);
	tcase_add_test(tc, test_random_against_model);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return tu_run(slab_suite());
}
