/* check_export.c - the ledger's entries as CSV and JSON lines: the exact
 * text of a small ledger, RFC 4180 quoting, a period's bounds, memory
 * that stays flat however many entries an export streams, and what an
 * iterator refuses. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "ledger/entry.h"

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

/* The small ledger with its log in one partition, whatever
 * POINTS_TEST_PARTITIONS says: the tests that hold its exact text name
 * its seqs, and its transfer is one entry.  Or in 4 (ledger/entry.h):
 * alice and bob (consecutive ids) in two partitions, the issuer with
 * records in both. */
static unsigned parts_before;

static void
setup_one(void)
{
	parts_before = points_entry__partitions_new;
	points_entry__partitions_new = 1;
	setup();
}

static void
setup_parts(void)
{
	parts_before = points_entry__partitions_new;
	points_entry__partitions_new = 4;
	setup();
}

static void
teardown_parts(void)
{
	teardown();
	points_entry__partitions_new = parts_before;
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

/* JSON escapes every control character of a text: \r and \t by name,
 * the others (and DEL) as \u00XX, so that a line is one line. */
START_TEST(test_jsonl_escapes_control_characters)
{
	points_posting p = tu_posting("PTS", alice, 7);
	points_txn t;
	char *got;

	tu_now += 4 * TU_DAY;
	p.memo = "a\rb\tc\001d\177e\037f";
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	got = export_text(POINTS_EXPORT_JSONL, tu_now, tu_now + 1);
	ck_assert_msg(strstr(got, "\"memo\":\"a\\rb\\tc\\u0001d\\u007fe"
	    "\\u001ff\",") != NULL, "%s", got);
	ck_assert_ptr_null(strchr(got, '\r'));
	ck_assert_ptr_null(strchr(got, '\t'));
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
	free(want);
}
END_TEST

START_TEST(test_export_refuses_bad_arguments)
{
	points_export_iterator *it = NULL;
	char *line;

	ck_assert_int_eq(points_export_iterator_new(db, 4, 0, 0, &it),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "export: unknown format 4");
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

/* The lines of an export of the whole ledger in format. */
static int
export_lines(int format)
{
	char *all = export_text(format, 0, 0), *p;
	int n = 0;

	for (p = all; (p = strchr(p, '\n')); p++)
		n++;
	free(all);
	return n;
}

/* Entries written after the iterator was made are left out, in every
 * partition of the log: the export reads each to the end it had. */
START_TEST(test_export_stops_at_the_log_end_it_saw)
{
	points_export_iterator *it;
	char *line;
	int n = 0, want = export_lines(POINTS_EXPORT_JSONL);

	/* five entries, or six when the transfer is two legs */
	ck_assert_int_ge(want, 5);
	ck_assert_int_le(want, 6);
	ck_assert_int_eq(points_export_iterator_new(db, POINTS_EXPORT_JSONL,
	    0, 0, &it), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 5, NULL), POINTS_OK);
	while (points_export_next(it, &line) == POINTS_OK) {
		points_free(line);
		n++;
	}
	ck_assert_int_eq(n, want);
	points_export_iterator_free(it);
}
END_TEST

/* A ledger whose log is in partitions: the export lists every entry
 * once, each partition's in order; the journal asserts a system
 * account's balance as the sum of its records. */
START_TEST(test_export_of_a_log_in_partitions)
{
	char *csv = export_text(POINTS_EXPORT_CSV, 0, 0), *journal, *p;
	char want[128];
	int64_t seq, last = 0, seen[8];
	int n = 0, i;

	ck_assert_uint_eq(points_entry__partitions_new, 4);
	/* the header, then the five writes: six entries (two legs) */
	p = strstr(csv, "\r\n");
	ck_assert_ptr_nonnull(p);
	for (p += 2; *p; p = strstr(p, "\r\n") + 2) {
		ck_assert_int_lt(n, 8);
		seq = strtoll(p, NULL, 10);
		ck_assert_int_gt(seq, last);
		for (i = 0; i < n; i++)
			ck_assert_int_ne(seen[i], seq);
		seen[n++] = last = seq;
	}
	ck_assert_int_eq(n, 6);
	ck_assert_uint_ne(seen[0] >> 40, seen[n - 1] >> 40);
	free(csv);
	/* the issuer's PTS: alice's earns in its own record (alice's
	 * partition is its home), bob's in its shard for bob's */
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 7, NULL), POINTS_OK);
	ck_assert_int_eq(tu_available(db, 1, "PTS"), -97);
	journal = export_text(POINTS_EXPORT_JOURNAL, 0, 0);
	snprintf(want, sizeof(want), "    system:1:available  0 PTS = -97 "
	    "PTS\n");
	ck_assert_msg(strstr(journal, want), "no \"%s\" in:\n%s", want,
	    journal);
	free(journal);
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

/* ---- The journal, read by hledger ---- */

/* Every block of the journal into path. */
static void
export_journal(const char *path)
{
	points_export_iterator *it;
	FILE *f = fopen(path, "w");
	char *block;
	int rc;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(points_export_iterator_new(db, POINTS_EXPORT_JOURNAL,
	    0, 0, &it), POINTS_OK);
	while ((rc = points_export_next(it, &block)) == POINTS_OK) {
		fputs(block, f);
		points_free(block);
	}
	ck_assert_msg(rc == POINTS_ITEROVER, "%d %s", rc, points_errmsg(db));
	points_export_iterator_free(it);
	ck_assert_int_eq(fclose(f), 0);
}

static int
have_hledger(void)
{
	if (system("command -v hledger >/dev/null 2>&1") == 0)
		return 1;
	printf("check_export: the hledger cases are skipped: no hledger on "
	    "PATH (apt-get install hledger, or make deps)\n");
	return 0;
}

/* The small ledger's journal, as it must read. */
START_TEST(test_journal_of_a_small_ledger)
{
	char path[] = "/tmp/points-journal-XXXXXX", *got, *want;
	points_export_iterator *it;
	size_t n = 0;
	int rc;

	ck_assert_int_eq(points_export_iterator_new(db, POINTS_EXPORT_JOURNAL,
	    0, 0, &it), POINTS_OK);
	got = calloc(1, 1);
	{
		char *block;

		while ((rc = points_export_next(it, &block)) == POINTS_OK) {
			got = realloc(got, n + strlen(block) + 1);
			strcpy(got + n, block);
			n += strlen(block);
			points_free(block);
		}
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	points_export_iterator_free(it);
	want = malloc(8192);
	snprintf(want, 8192,
	    "; libpoints journal: a transaction per ledger transaction, "
	    "dated in UTC;\n; accounts user:ID:PART and system:ID:PART "
	    "(available, held, debt: owed\n; points are negative); the "
	    "balances asserted at the end.\n"
	    "commodity 1. EXP\n"
	    "commodity 1. PTS\n"
	    "commodity 1.00 YE\n"
	    "\n"
	    "2024-01-01 (1) earn | Q1 bonus, \"great\" job thanks  ; txn:%s, "
	    "time:2024-01-01T00:00:00Z, category:training\n"
	    "    ; actor: hr:ann\n"
	    "    system:1:available  -100 PTS\n"
	    "    user:%lld:available  100 PTS\n"
	    "\n"
	    "2024-01-01 (2) earn  ; txn:%s, time:2024-01-01T01:00:00Z\n"
	    "    system:1:available  -12.50 YE\n"
	    "    user:%lld:available  12.50 YE\n"
	    "\n"
	    "2024-01-01 (3) transfer | lunch  ; txn:%s, "
	    "time:2024-01-01T02:00:00Z\n"
	    "    user:%lld:available  -30 PTS\n"
	    "    user:%lld:available  30 PTS\n"
	    "\n"
	    "2024-01-02 (4) spend  ; txn:%s, time:2024-01-02T02:00:00Z\n"
	    "    user:%lld:available  -20 PTS\n"
	    "    system:2:available  20 PTS\n"
	    "\n"
	    "2024-01-03 (5) reversal | typo  ; txn:%s, "
	    "time:2024-01-03T02:00:00Z, ref:%s\n"
	    "    user:%lld:available  -10 PTS\n"
	    "    system:1:available  10 PTS\n"
	    "\n",
	    t_earn.id, (long long)alice, t_earn_ye.id, (long long)bob,
	    t_transfer.id, (long long)alice, (long long)bob, t_spend.id,
	    (long long)bob, t_reverse.id, t_earn.id, (long long)alice);
	ck_assert_int_eq(strncmp(got, want, strlen(want)), 0);
	/* then a block per balance record, dated with the last entry */
	ck_assert_ptr_nonnull(strstr(got, "2024-01-03 balances  ; E1001\n"
	    "    user:4:available  0 PTS = 60 PTS\n"
	    "    user:4:held  0 PTS = 0 PTS\n"
	    "    user:4:debt  0 PTS = 0 PTS\n\n"));
	ck_assert_ptr_nonnull(strstr(got, "2024-01-03 balances  ; E,1002\n"
	    "    user:5:available  0.00 YE = 12.50 YE\n"));
	ck_assert_int_eq(alice, 4);
	ck_assert_int_eq(bob, 5);
	free(want);
	if (have_hledger()) {
		FILE *f;
		int fd = mkstemp(path);

		ck_assert_int_ge(fd, 0);
		f = fdopen(fd, "w");
		fputs(got, f);
		fclose(f);
		{
			char cmd[256];

			snprintf(cmd, sizeof(cmd), "hledger -f %s check", path);
			ck_assert_int_eq(system(cmd), 0);
		}
		unlink(path);
	}
	free(got);
}
END_TEST

/* A journal refuses a period: its assertions need the whole history. */
START_TEST(test_journal_is_of_the_whole_ledger)
{
	points_export_iterator *it;

	ck_assert_int_eq(points_export_iterator_new(db, POINTS_EXPORT_JOURNAL,
	    TU_T0, 0, &it), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "export: a journal holds the "
	    "whole ledger (from 0, to 0), as its balance assertions need");
}
END_TEST

/* A balance that moves while a journal is exported would break its
 * assertions: the export says to run again. */
START_TEST(test_journal_refuses_a_ledger_written_meanwhile)
{
	points_export_iterator *it;
	char *block;
	int rc, n = 0;

	ck_assert_int_eq(points_export_iterator_new(db, POINTS_EXPORT_JOURNAL,
	    0, 0, &it), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_OK);
	while ((rc = points_export_next(it, &block)) == POINTS_OK) {
		points_free(block);
		n++;
	}
	ck_assert_int_eq(rc, POINTS_ERETRY);
	ck_assert_str_eq(points_errmsg(db), "journal: account 1's balance "
	    "moved during the export: export again");
	points_export_iterator_free(it);
}
END_TEST

/* The random ledger's accounts, assets and the holds and earns open. */
#define R_USERS 24
#define R_OPS 10000
static const char *const r_assets[] = { "PTS", "EXP", "YE", "GIFT_1" };
#define R_NASSETS 4

/* A random ledger of R_OPS operations: earns, spends, transfers, holds
 * captured and released, reversals (some leaving debts) and expiries. */
static void
random_ledger(unsigned seed)
{
	int64_t users[R_USERS];
	char (*holds)[POINTS_ID_LEN + 1] = calloc(R_OPS, sizeof(*holds));
	char (*earns)[POINTS_ID_LEN + 1] = calloc(R_OPS, sizeof(*earns));
	int64_t *earned = calloc(R_OPS, sizeof(*earned));
	size_t nholds = 0, nearns = 0;
	points_sweep_report sweep;
	points_posting p;
	points_txn t;
	char ext[16];
	int i, rc;

	srand(seed);
	ck_assert_int_eq(points_asset_create(db, "GIFT_1", 3,
	    POINTS_EXPIRE_DAYS, 30), POINTS_OK);
	for (i = 0; i < R_USERS; i++) {
		snprintf(ext, sizeof(ext), "U%03d", i);
		users[i] = tu_account(db, ext);
	}
	for (i = 0; i < R_OPS; i++) {
		int64_t u = users[rand() % R_USERS];
		const char *asset = r_assets[rand() % R_NASSETS];
		int64_t have = tu_available(db, u, asset);
		int op = rand() % 100;

		tu_now += rand() % (4 * 3600);
		rc = POINTS_OK;
		if (op < 35 || have == 0) {
			p = tu_posting(asset, u, 1 + rand() % 5000);
			p.memo = rand() % 4 ? "award" : "odd; memo\nlines";
			rc = points_earn(db, &p, &t);
			if (rc == POINTS_OK) {
				earned[nearns] = t.amount;
				strcpy(earns[nearns++], t.id);
			}
		} else if (op < 55) {
			rc = tu_spend(db, u, asset, 1 + rand() % have, &t);
		} else if (op < 65) {
			p = tu_posting(asset, u, 1 + rand() % have);
			p.counterparty = users[rand() % R_USERS];
			if (p.counterparty != u)
				rc = points_transfer(db, &p, &t);
		} else if (op < 75) {
			p = tu_posting(asset, u, 1 + rand() % have);
			rc = points_hold_create(db, &p, &t);
			if (rc == POINTS_OK)
				strcpy(holds[nholds++], t.id);
		} else if (op < 90 && nholds) {
			size_t h = (size_t)rand() % nholds;

			/* a capture takes what it says (0: all), a release
			 * the rest */
			rc = op < 83 ? tu_capture(db, holds[h], 0, 0, "order",
			    &t) : tu_release(db, holds[h], "cancel", &t);
			memcpy(holds[h], holds[--nholds], sizeof(holds[h]));
		} else if (op < 97 && nearns) {
			size_t e = (size_t)rand() % nearns;

			rc = tu_reverse(db, earns[e], 1 + rand() % earned[e],
			    "correction", NULL, &t);
			memcpy(earns[e], earns[--nearns], sizeof(earns[e]));
			earned[e] = earned[nearns];
			/* an earn expired or already reversed in part */
			if (rc == POINTS_EINSUFFICIENT || rc == POINTS_ESTATE)
				rc = POINTS_OK;
		} else {
			tu_now += TU_DAY * (rand() % 40);
			rc = points_expire_sweep(db, tu_now, &sweep);
		}
		/* a debit may find less than a read showed (points due to
		 * expire that day): refused, it wrote nothing */
		if (rc == POINTS_EINSUFFICIENT && op >= 35 && op < 75)
			rc = POINTS_OK;
		ck_assert_msg(rc == POINTS_OK, "op %d (%d): %d %s", i, op, rc,
		    points_errmsg(db));
	}
	/* what a read shows is what is stored once expiries are posted */
	ck_assert_int_eq(points_expire_sweep(db, tu_now, &sweep), POINTS_OK);
	free(holds);
	free(earns);
	free(earned);
}

/* hledger's figure of name in commodity, in the smallest unit ("12.50"
 * with 2 decimals: 1250): read from its CSV (account, commodity,
 * balance), 0 when it lists none. */
struct hl_row {
	char account[64];
	char commodity[32];
	int64_t units;
	int matched;
};

static int64_t
units(const char *s)
{
	int64_t v = 0;
	int neg = *s == '-';

	for (s += neg; *s; s++)
		if (*s >= '0' && *s <= '9')
			v = v * 10 + (*s - '0');
	return neg ? -v : v;
}

START_TEST(test_journal_balances_equal_hledgers)
{
	char path[] = "/tmp/points-journal-XXXXXX", cmd[512], line[256];
	struct hl_row *rows = calloc(4096, sizeof(*rows));
	size_t nrows = 0, r, checked = 0;
	points_account_iterator *ai;
	points_account acct;
	points_balance b;
	unsigned seed = (unsigned)time(NULL);
	FILE *f;
	int fd, a, part;

	printf("check_export: random ledger, seed %u\n", seed);
	random_ledger(seed);
	tu_invariants(db);
	if (!have_hledger()) {
		free(rows);
		return;
	}
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	export_journal(path);
	snprintf(cmd, sizeof(cmd), "hledger -f %s check", path);
	ck_assert_msg(system(cmd) == 0, "hledger check failed on %s (seed %u)",
	    path, seed);
	snprintf(cmd, sizeof(cmd), "hledger -f %s balance -O csv --flat -N "
	    "--layout=bare", path);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f)); /* the header */
	while (fgets(line, sizeof(line), f)) {
		char *acc = strtok(line, "\","), *com = strtok(NULL, "\","),
		    *bal = strtok(NULL, "\",\n");

		ck_assert_ptr_nonnull(bal);
		ck_assert_uint_lt(nrows, 4096);
		snprintf(rows[nrows].account, sizeof(rows[0].account), "%s", acc);
		snprintf(rows[nrows].commodity, sizeof(rows[0].commodity), "%s",
		    com);
		rows[nrows++].units = units(bal);
	}
	ck_assert_int_eq(pclose(f), 0);
	/* every part of every balance of the library is hledger's */
	ck_assert_int_eq(points_account_iterator_new(db, 0, &ai), POINTS_OK);
	while (points_account_next(ai, &acct) == POINTS_OK) {
		for (a = 0; a < R_NASSETS; a++) {
			ck_assert_int_eq(points_balance_get(db, acct.id,
			    r_assets[a], &b), POINTS_OK);
			for (part = 0; part < 3; part++) {
				static const char *const parts[] = {
					"available", "held", "debt" };
				int64_t want = part == 0 ? b.available :
				    part == 1 ? b.held : -b.debt, got = 0;
				char name[64];

				snprintf(name, sizeof(name), "%s:%lld:%s",
				    acct.flags & POINTS_ACCOUNT_SYSTEM ?
				    "system" : "user", (long long)acct.id,
				    parts[part]);
				for (r = 0; r < nrows; r++)
					if (!strcmp(rows[r].account, name) &&
					    !strcmp(rows[r].commodity,
					    r_assets[a])) {
						got = rows[r].units;
						rows[r].matched = 1;
					}
				ck_assert_msg(got == want, "%s %s: hledger %lld, "
				    "the library %lld (seed %u)", name,
				    r_assets[a], (long long)got,
				    (long long)want, seed);
				checked += want != 0;
			}
		}
	}
	points_account_iterator_free(ai);
	/* and hledger has nothing else */
	for (r = 0; r < nrows; r++)
		ck_assert_msg(rows[r].matched || rows[r].units == 0,
		    "hledger's %s %s is no balance of the library",
		    rows[r].account, rows[r].commodity);
	ck_assert_uint_gt(checked, R_USERS);
	printf("check_export: hledger agrees on %zu balances of %zu rows\n",
	    checked, nrows);
	unlink(path);
	free(rows);
}
END_TEST

static Suite *
export_suite(void)
{
	Suite *s = suite_create("export");
	TCase *tc = tcase_create("export");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_export_refuses_bad_arguments);
	tcase_add_test(tc, test_export_stops_at_the_log_end_it_saw);
	tcase_add_test(tc, test_export_memory_is_flat_as_the_ledger_grows);
	tcase_add_test(tc, test_journal_is_of_the_whole_ledger);
	tcase_add_test(tc, test_journal_refuses_a_ledger_written_meanwhile);
	suite_add_tcase(s, tc);
	tc = tcase_create("text");
	tcase_add_checked_fixture(tc, setup_one, teardown_parts);
	tcase_add_test(tc, test_csv_of_a_small_ledger_byte_for_byte);
	tcase_add_test(tc, test_jsonl_of_a_small_ledger_byte_for_byte);
	tcase_add_test(tc, test_jsonl_escapes_control_characters);
	tcase_add_test(tc, test_period_bounds_include_from_exclude_to);
	tcase_add_test(tc, test_journal_of_a_small_ledger);
	suite_add_tcase(s, tc);
	tc = tcase_create("partitions");
	tcase_add_checked_fixture(tc, setup_parts, teardown_parts);
	tcase_add_test(tc, test_export_stops_at_the_log_end_it_saw);
	tcase_add_test(tc, test_export_of_a_log_in_partitions);
	tcase_add_test(tc, test_journal_refuses_a_ledger_written_meanwhile);
	suite_add_tcase(s, tc);
	tc = tcase_create("hledger");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_journal_balances_equal_hledgers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(export_suite());
}
