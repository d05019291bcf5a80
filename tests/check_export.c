/* check_export.c - the ledger's entries as CSV and JSON lines: the exact
 * text of a small ledger, RFC 4180 quoting, a period's bounds, memory
 * that stays flat however many entries an export streams, and what an
 * iterator refuses. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static points_db *db;
static int64_t alice, bob;
/* the small ledger's transactions, in order */
static points_txn t_earn, t_earn_ye, t_transfer, t_spend, t_reverse;

#define MEMO_HARD "Q1 bonus, \"great\" job\nthanks"

static void
setup(void)
{
	points_posting p;

	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E,1002"); /* an external id CSV must quote */
	p = tu_posting("PTS", alice, 100);
	p.memo = MEMO_HARD;
	p.category = "training";
	p.actor = "hr:ann";
	ck_assert_int_eq(points_earn(db, &p, &t_earn), POINTS_OK);
	tu_now += 3600;
	p = tu_posting("YE", bob, 1250);
	ck_assert_int_eq(points_earn(db, &p, &t_earn_ye), POINTS_OK);
	tu_now += 3600;
	p = tu_posting("PTS", alice, 30);
	p.counterparty = bob;
	p.memo = "lunch";
	ck_assert_int_eq(points_transfer(db, &p, &t_transfer), POINTS_OK);
	tu_now += TU_DAY;
	ck_assert_int_eq(tu_spend(db, bob, "PTS", 20, &t_spend), POINTS_OK);
	tu_now += TU_DAY;
	ck_assert_int_eq(tu_reverse(db, t_earn.id, 10, "typo", NULL,
	    &t_reverse), POINTS_OK);
}

static void
teardown(void)
{
	if (db) {
		tu_invariants(db);
		points_close(db);
	}
	db = NULL;
	tu_cleanup();
}

/* Every line of an export over [from, to), concatenated (malloc'd). */
static char *
export_text(int format, int64_t from, int64_t to)
{
	points_export_iterator *it;
	char *line, *all = calloc(1, 1);
	size_t n = 0, l;
	int rc;

	ck_assert_int_eq(points_export_iterator_new(db, format, from, to, &it),
	    POINTS_OK);
	while ((rc = points_export_next(it, &line)) == POINTS_OK) {
		l = strlen(line);
		all = realloc(all, n + l + 1);
		memcpy(all + n, line, l + 1);
		n += l;
		points_free(line);
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	/* the end stays the end */
	ck_assert_int_eq(points_export_next(it, &line), POINTS_ITEROVER);
	points_export_iterator_free(it);
	return all;
}

#define HEADER "seq,txn_id,time,time_utc,type,asset,decimals,from," \
	"from_external_id,to,to_external_id,amount,ref,memo,category," \
	"actor,debt,repaid\r\n"

/* The small ledger's CSV, as it must read (ids are the writes'). */
static char *
expected_csv(void)
{
	char *s = malloc(4096);

	snprintf(s, 4096, HEADER
	    "1,%s,1704067200,2024-01-01T00:00:00Z,earn,PTS,0,1,system:issuer,"
	    "%lld,E1001,100,,\"Q1 bonus, \"\"great\"\" job\nthanks\","
	    "training,hr:ann,0,0\r\n"
	    "2,%s,1704070800,2024-01-01T01:00:00Z,earn,YE,2,1,system:issuer,"
	    "%lld,\"E,1002\",1250,,,,,0,0\r\n"
	    "3,%s,1704074400,2024-01-01T02:00:00Z,transfer,PTS,0,%lld,E1001,"
	    "%lld,\"E,1002\",30,,lunch,,,0,0\r\n"
	    "4,%s,1704160800,2024-01-02T02:00:00Z,spend,PTS,0,%lld,\"E,1002\","
	    "2,system:sink,20,,,,,0,0\r\n"
	    "5,%s,1704247200,2024-01-03T02:00:00Z,reversal,PTS,0,%lld,E1001,"
	    "1,system:issuer,10,%s,typo,,,0,0\r\n",
	    t_earn.id, (long long)alice,
	    t_earn_ye.id, (long long)bob,
	    t_transfer.id, (long long)alice, (long long)bob,
	    t_spend.id, (long long)bob,
	    t_reverse.id, (long long)alice, t_earn.id);
	return s;
}

START_TEST(test_csv_of_a_small_ledger_byte_for_byte)
{
	char *got = export_text(POINTS_EXPORT_CSV, 0, 0);
	char *want = expected_csv();

	ck_assert_str_eq(got, want);
	free(got);
	free(want);
}
END_TEST

START_TEST(test_jsonl_of_a_small_ledger_byte_for_byte)
{
	char *got = export_text(POINTS_EXPORT_JSONL, 0, 0);
	char want[4096];

	snprintf(want, sizeof(want),
	    "{\"seq\":1,\"txn_id\":\"%s\",\"time\":1704067200,"
	    "\"time_utc\":\"2024-01-01T00:00:00Z\",\"type\":\"earn\","
	    "\"asset\":\"PTS\",\"decimals\":0,\"from\":1,"
	    "\"from_external_id\":\"system:issuer\",\"to\":%lld,"
	    "\"to_external_id\":\"E1001\",\"amount\":100,\"ref\":\"\","
	    "\"memo\":\"Q1 bonus, \\\"great\\\" job\\nthanks\","
	    "\"category\":\"training\",\"actor\":\"hr:ann\",\"debt\":0,"
	    "\"repaid\":0}\n"
	    "{\"seq\":2,\"txn_id\":\"%s\",\"time\":1704070800,"
	    "\"time_utc\":\"2024-01-01T01:00:00Z\",\"type\":\"earn\","
	    "\"asset\":\"YE\",\"decimals\":2,\"from\":1,"
	    "\"from_external_id\":\"system:issuer\",\"to\":%lld,"
	    "\"to_external_id\":\"E,1002\",\"amount\":1250,\"ref\":\"\","
	    "\"memo\":\"\",\"category\":\"\",\"actor\":\"\",\"debt\":0,"
	    "\"repaid\":0}\n",
	    t_earn.id, (long long)alice, t_earn_ye.id, (long long)bob);
	/* the first two lines, then three more */
	ck_assert_int_eq(strncmp(got, want, strlen(want)), 0);
	{
		const char *p = got;
		int lines = 0;

		for (; *p; p++)
			lines += *p == '\n';
		ck_assert_int_eq(lines, 5);
	}
	free(got);
}
END_TEST

/* A period is from <= time < to: an entry at from is in, one at to out. */
START_TEST(test_period_bounds_include_from_exclude_to)
{
	char *got, *want = expected_csv(), *third, *fourth;

	/* from the transfer's second to the spend's: the transfer alone */
	got = export_text(POINTS_EXPORT_CSV, t_transfer.time, t_spend.time);
	third = strstr(want, "\r\n3,");
	fourth = strstr(want, "\r\n4,");
	ck_assert_ptr_nonnull(third);
	ck_assert_int_eq(strlen(got), strlen(HEADER) + (size_t)(fourth - third));
	ck_assert_int_eq(strncmp(got, HEADER, strlen(HEADER)), 0);
	ck_assert_int_eq(strncmp(got + strlen(HEADER), third + 2,
	    (size_t)(fourth - third)), 0);
	free(got);
	/* a second later: nothing but the header */
	got = export_text(POINTS_EXPORT_CSV, t_transfer.time + 1, t_spend.time);
	ck_assert_str_eq(got, HEADER);
	free(got);
	/* to 0: no end; from the spend on, the spend and the reversal */
	got = export_text(POINTS_EXPORT_CSV, t_spend.time, 0);
	ck_assert_str_eq(got + strlen(HEADER), fourth + 2);
	free(got);
	/* JSON lines have no header: an empty period is empty */
	got = export_text(POINTS_EXPORT_JSONL, t_reverse.time + 1, 0);
	ck_assert_str_eq(got, "");
	free(got);
}
END_TEST

START_TEST(test_export_refuses_bad_arguments)
{
	points_export_iterator *it = NULL;
	char *line;

	ck_assert_int_eq(points_export_iterator_new(db, 3, 0, 0, &it),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "export: unknown format 3");
	ck_assert_int_eq(points_export_iterator_new(db, POINTS_EXPORT_CSV, 10,
	    5, &it), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db),
	    "export: bad time range: from 10, to 5");
	ck_assert_int_eq(points_export_iterator_new(db, POINTS_EXPORT_CSV, -1,
	    0, &it), POINTS_EINVAL);
	ck_assert_int_eq(points_export_iterator_new(db, POINTS_EXPORT_CSV, 0,
	    0, NULL), POINTS_EINVAL);
	ck_assert_ptr_null(it);
	ck_assert_int_eq(points_export_iterator_new(db, POINTS_EXPORT_CSV, 0,
	    0, &it), POINTS_OK);
	ck_assert_int_eq(points_export_next(it, NULL), POINTS_EINVAL);
	/* an iterator outlives not its handle */
	points_close(db);
	db = NULL;
	ck_assert_int_eq(points_export_next(it, &line), POINTS_EMISUSE);
	points_export_iterator_free(it);
}
END_TEST

/* Entries written after the iterator was made are left out. */
START_TEST(test_export_stops_at_the_log_end_it_saw)
{
	points_export_iterator *it;
	char *line;
	int n = 0;

	ck_assert_int_eq(points_export_iterator_new(db, POINTS_EXPORT_JSONL,
	    0, 0, &it), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_OK);
	while (points_export_next(it, &line) == POINTS_OK) {
		points_free(line);
		n++;
	}
	ck_assert_int_eq(n, 5);
	points_export_iterator_free(it);
}
END_TEST

/* ---- Memory: an export streams ---- */

static size_t live, peak;

static void *
count_malloc(size_t n)
{
	void *p = malloc(n);

	if (p) {
		live += malloc_usable_size(p);
		if (live > peak)
			peak = live;
	}
	return p;
}

static void *
count_realloc(void *p, size_t n)
{
	size_t old = p ? malloc_usable_size(p) : 0;
	void *q = realloc(p, n);

	if (q) {
		live = live - old + malloc_usable_size(q);
		if (live > peak)
			peak = live;
	}
	return q;
}

static void
count_free(void *p)
{
	if (p)
		live -= malloc_usable_size(p);
	free(p);
}

/* The most bytes the library allocates and holds at once while
 * exporting the whole ledger. */
static size_t
export_peak(void)
{
	points_export_iterator *it;
	char *line;
	int rc;

	live = peak = 0;
	points_set_allocator(count_malloc, count_realloc, count_free);
	ck_assert_int_eq(points_export_iterator_new(db, POINTS_EXPORT_CSV, 0,
	    0, &it), POINTS_OK);
	while ((rc = points_export_next(it, &line)) == POINTS_OK)
		points_free(line);
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	points_export_iterator_free(it);
	points_set_allocator(NULL, NULL, NULL);
	return peak;
}

static void
earn_many(int n)
{
	points_posting p;
	points_txn t;
	int i;

	for (i = 0; i < n; i++) {
		if (i % 500 == 0)
			ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
		p = tu_posting("PTS", i % 2 ? alice : bob, 1 + i % 7);
		p.memo = "a memo long enough to make each line a few hundred "
		    "bytes, with, commas";
		ck_assert_msg(points_earn(db, &p, &t) == POINTS_OK, "%s",
		    points_errmsg(db));
		if (i % 500 == 499 || i == n - 1)
			ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	}
}

START_TEST(test_export_memory_is_flat_as_the_ledger_grows)
{
	size_t small, large;

	earn_many(500);
	small = export_peak();
	earn_many(4500);
	large = export_peak();
	/* ten times the entries, not more memory (a chunk of lines) */
	ck_assert_uint_gt(small, 0);
	ck_assert_uint_le(large, small + small / 4);
	ck_assert_uint_lt(large, 256 * 1024);
}
END_TEST

static Suite *
export_suite(void)
{
	Suite *s = suite_create("export");
	TCase *tc = tcase_create("export");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_csv_of_a_small_ledger_byte_for_byte);
	tcase_add_test(tc, test_jsonl_of_a_small_ledger_byte_for_byte);
	tcase_add_test(tc, test_period_bounds_include_from_exclude_to);
	tcase_add_test(tc, test_export_refuses_bad_arguments);
	tcase_add_test(tc, test_export_stops_at_the_log_end_it_saw);
	tcase_add_test(tc, test_export_memory_is_flat_as_the_ledger_grows);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(export_suite());
}
