/* check_readcache.c - the per-transaction read cache of the SQLite
 * backend: hits, absent keys, generations, deletes, collisions, growth,
 * and failed allocations that must never leave a stale value behind. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "store/readcache.h"
#include "testutil.h"

static points_readcache c;

static void
teardown(void)
{
	points_readcache__free(&c);
	tu_alloc_uninstall();
}

static void
put_s(uint64_t gen, const char *k, const char *v)
{
	points_readcache__put(&c, gen, k, strlen(k), v, strlen(v));
}

static const char absent_s[] = "(absent)";

/* The cached value of k in gen as a string, absent_s when it is known
 * not to exist, or NULL on a miss. */
static const char *
get_s(uint64_t gen, const char *k)
{
	static char out[8192];
	const void *v;
	size_t n;

	switch (points_readcache__get(&c, gen, k, strlen(k), &v, &n)) {
	case RCACHE_MISS:
		return NULL;
	case RCACHE_ABSENT:
		return absent_s;
	}
	ck_assert_uint_lt(n, sizeof(out));
	memcpy(out, v, n);
	out[n] = '\0';
	return out;
}

START_TEST(test_empty_misses)
{
	ck_assert_ptr_null(get_s(1, "a"));
	points_readcache__del(&c, "a", 1); /* nothing to drop: fine */
	ck_assert_ptr_null(get_s(1, "a"));
}
END_TEST

START_TEST(test_put_get_replace_del)
{
	put_s(1, "acct:1", "v1");
	ck_assert_str_eq(get_s(1, "acct:1"), "v1");
	put_s(1, "acct:1", "value two");
	ck_assert_str_eq(get_s(1, "acct:1"), "value two");
	put_s(1, "empty", "");
	ck_assert_str_eq(get_s(1, "empty"), "");
	points_readcache__del(&c, "acct:1", 6);
	ck_assert_ptr_null(get_s(1, "acct:1"));
	ck_assert_str_eq(get_s(1, "empty"), "");
	/* a key that is a prefix of another is another key */
	put_s(1, "acct", "short");
	ck_assert_ptr_null(get_s(1, "acct:"));
}
END_TEST

START_TEST(test_a_new_generation_forgets)
{
	put_s(1, "k", "old");
	ck_assert_ptr_null(get_s(2, "k"));
	put_s(2, "k", "new");
	ck_assert_str_eq(get_s(2, "k"), "new");
	ck_assert_ptr_null(get_s(1, "k")); /* never an older generation */
}
END_TEST

/* A key known to be absent: found so until it is written, only in its
 * generation; a value and an absence replace each other. */
START_TEST(test_absent_keys)
{
	points_readcache__absent(&c, 1, "cfg", 3);
	ck_assert_ptr_eq(get_s(1, "cfg"), absent_s);
	ck_assert_ptr_null(get_s(1, "cf"));
	ck_assert_ptr_null(get_s(2, "cfg")); /* another transaction: unknown */
	points_readcache__absent(&c, 2, "cfg", 3);
	put_s(2, "cfg", "");
	ck_assert_str_eq(get_s(2, "cfg"), ""); /* an empty value is a value */
	points_readcache__absent(&c, 2, "cfg", 3); /* deleted */
	ck_assert_ptr_eq(get_s(2, "cfg"), absent_s);
	points_readcache__del(&c, "cfg", 3); /* a failed write: unknown */
	ck_assert_ptr_null(get_s(2, "cfg"));
}
END_TEST

START_TEST(test_empty_key)
{
	const void *v;
	size_t n;

	points_readcache__put(&c, 1, NULL, 0, "e", 1);
	ck_assert_int_eq(points_readcache__get(&c, 1, NULL, 0, &v, &n), 1);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(memcmp(v, "e", 1), 0);
	points_readcache__del(&c, NULL, 0);
	ck_assert_int_eq(points_readcache__get(&c, 1, NULL, 0, &v, &n), 0);
}
END_TEST

START_TEST(test_binary_keys)
{
	const unsigned char k1[] = { 0, 0, 0, 1, 0 }, k2[] = { 0, 0, 0, 1 };
	const void *v;
	size_t n;

	points_readcache__put(&c, 1, k1, sizeof(k1), "x", 1);
	ck_assert_int_eq(points_readcache__get(&c, 1, k2, sizeof(k2), &v, &n), 0);
	ck_assert_int_eq(points_readcache__get(&c, 1, k1, sizeof(k1), &v, &n), 1);
	ck_assert_uint_eq(n, 1);
}
END_TEST

/* Many keys in one generation: the table grows; every hit is right and
 * most keys are hits; a colliding key replaces, never aliases. */
START_TEST(test_growth_and_collisions)
{
	char k[32], v[32];
	long i, hits = 0, n = 150000;

	for (i = 0; i < n; i++) {
		snprintf(k, sizeof(k), "key-%ld", i);
		snprintf(v, sizeof(v), "value-%ld", i * 7);
		put_s(5, k, v);
	}
	ck_assert_uint_eq(c.mask + 1, (size_t)1 << 17); /* grew to the cap */
	for (i = 0; i < n; i++) {
		const char *got;

		snprintf(k, sizeof(k), "key-%ld", i);
		snprintf(v, sizeof(v), "value-%ld", i * 7);
		if ((got = get_s(5, k)) != NULL) {
			ck_assert_str_eq(got, v);
			hits++;
		}
	}
	ck_assert_int_gt(hits, n / 3);
	ck_assert_int_lt(hits, n); /* more keys than slots: some collided */
}
END_TEST

START_TEST(test_large_values_are_not_kept)
{
	static char big[5000];

	memset(big, 'b', sizeof(big) - 1);
	put_s(1, "k", "small");
	put_s(1, "k", big);
	ck_assert_ptr_null(get_s(1, "k")); /* and the small copy is gone */
}
END_TEST

/* A put that cannot allocate drops what was cached for the key. */
START_TEST(test_failed_allocation_leaves_nothing_stale)
{
	tu_alloc_install();
	put_s(1, "k", "v1");
	ck_assert_str_eq(get_s(1, "k"), "v1");
	tu_alloc_fail_at(1); /* the next allocation fails */
	put_s(1, "k", "v2");
	ck_assert_ptr_null(get_s(1, "k"));
	/* the very first table cannot be made: nothing is cached */
	points_readcache__free(&c);
	tu_alloc_fail_at(1);
	put_s(1, "k", "v3");
	ck_assert_ptr_null(get_s(1, "k"));
	tu_alloc_fail_at(0);
	put_s(1, "k", "v4");
	ck_assert_str_eq(get_s(1, "k"), "v4");
}
END_TEST

/* Growing when it cannot allocate keeps the old table working. */
START_TEST(test_failed_growth_keeps_working)
{
	char k[32];
	long i;

	tu_alloc_install();
	for (i = 0; i < 180; i++) { /* below the first growth (192) */
		snprintf(k, sizeof(k), "k%ld", i);
		put_s(1, k, k);
	}
	for (i = 180; i < 400; i++) {
		/* every bigger table fails; the entries' copies do not */
		tu_alloc_fail_at(c.filled >= 192 ? 1 : 0);
		snprintf(k, sizeof(k), "k%ld", i);
		put_s(1, k, k);
	}
	tu_alloc_fail_at(0);
	for (i = 0; i < 400; i++) {
		const char *got;

		snprintf(k, sizeof(k), "k%ld", i);
		if ((got = get_s(1, k)) != NULL)
			ck_assert_str_eq(got, k);
	}
	ck_assert_uint_eq(c.mask + 1, 256);
}
END_TEST

/* Random puts, deletes and gets over few keys and several generations,
 * against a model of what the store holds: a hit is always the model's
 * value, never an older one. */
START_TEST(test_random_against_model)
{
	enum { NKEYS = 700 };
	static char model[NKEYS][24];
	static int present[NKEYS];
	uint64_t rng = 0x9e3779b97f4a7c15u, gen = 1;
	long i, hits = 0;

	for (i = 0; i < 400000; i++) {
		int op, k;
		char key[16];
		const char *got;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		op = (int)(rng % 1000);
		k = (int)((rng >> 8) % NKEYS);
		snprintf(key, sizeof(key), "k%d", k);
		if (op < 1) {
			gen++; /* a new transaction: nothing cached counts */
		} else if (op < 400) {
			snprintf(model[k], sizeof(model[k]), "v%ld", i);
			present[k] = 1;
			put_s(gen, key, model[k]);
		} else if (op < 450) {
			present[k] = 0; /* deleted */
			points_readcache__absent(&c, gen, key, strlen(key));
		} else if (op < 500) {
			present[k] = 0; /* deleted, or a write that failed */
			points_readcache__del(&c, key, strlen(key));
		} else if ((got = get_s(gen, key)) == absent_s) {
			ck_assert_msg(!present[k], "%s is there", key);
			hits++;
		} else if (got != NULL) {
			ck_assert_msg(present[k], "%s was deleted", key);
			ck_assert_str_eq(got, model[k]);
			hits++;
		} else if (present[k]) {
			put_s(gen, key, model[k]); /* a miss read from the store */
		} else {
			points_readcache__absent(&c, gen, key, strlen(key));
		}
	}
	ck_assert_int_gt(hits, 50000);
}
END_TEST

static Suite *
readcache_suite(void)
{
	Suite *s = suite_create("readcache");
	TCase *tc = tcase_create("cache");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_empty_misses);
	tcase_add_test(tc, test_put_get_replace_del);
	tcase_add_test(tc, test_a_new_generation_forgets);
	tcase_add_test(tc, test_absent_keys);
	tcase_add_test(tc, test_empty_key);
	tcase_add_test(tc, test_binary_keys);
	tcase_add_test(tc, test_growth_and_collisions);
	tcase_add_test(tc, test_large_values_are_not_kept);
	tcase_add_test(tc, test_failed_allocation_leaves_nothing_stale);
	tcase_add_test(tc, test_failed_growth_keeps_working);
	tcase_add_test(tc, test_random_against_model);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(readcache_suite());
}
