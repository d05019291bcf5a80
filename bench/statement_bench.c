/*
 * statement_bench.c - a statement window on a long history, against
 * plain SQLite in the same run.
 *
 * One account gets --entries earns 60 s apart (libpoints on an SQLite
 * file; batched), then the last hour of them (61 entries) is read
 * --queries times through points_statement_iterator_new, newest first
 * and oldest first.  The floor: the same 61 rows read by a prepared
 * SELECT on entries(account, time, ...) with an index on (account,
 * time), in a table of as many rows, in another file.  Figures are
 * microseconds per window (median of --runs), and the ratio to the
 * floor.
 *
 * Also: a second account with one earn every 10,000 entries, whose
 * statement of all time (no window) reads one range per bucket of the
 * time index (about 18 hours) over the ledger's span, most of them
 * empty: the price of the index's layout, per bucket.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "points.h"

#define T0 INT64_C(1735689600) /* 2025-01-01 00:00:00 UTC */
#define STEP 60
#define WINDOW 3660

static long entries = 100000, queries = 2000, runs = 5;
static int64_t now_t;

static int64_t
clock_cb(void *ctx)
{
	(void)ctx;
	return now_t;
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
fail(const char *what, const char *msg)
{
	fprintf(stderr, "statement_bench: %s: %s\n", what, msg);
	exit(1);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Microseconds per window over queries windows. */
static double
points_window(points_db *db, int64_t acct, int order)
{
	double t = mono();
	long q;

	for (q = 0; q < queries; q++) {
		points_statement_iterator *it;
		points_entry e;
		int n = 0, rc;

		if (points_statement_iterator_new(db, acct, "PTS",
		    now_t - WINDOW, now_t, order, &it) != POINTS_OK)
			fail("statement", points_errmsg(db));
		while ((rc = points_statement_next(it, &e)) == POINTS_OK)
			n++;
		if (rc != POINTS_ITEROVER || n != 61)
			fail("statement", rc != POINTS_ITEROVER ?
			    points_errmsg(db) : "not 61 entries");
		points_statement_iterator_free(it);
	}
	return (mono() - t) * 1e6 / (double)queries;
}

/* Microseconds per statement of all time of the sparse account (n
 * entries), newest first. */
static double
points_all_time(points_db *db, int64_t acct, int want)
{
	double t = mono();
	long q, nq = queries / 10 ? queries / 10 : 1;

	for (q = 0; q < nq; q++) {
		points_statement_iterator *it;
		points_entry e;
		int n = 0, rc;

		if (points_statement_iterator_new(db, acct, "PTS", 0, 0,
		    POINTS_NEWEST_FIRST, &it) != POINTS_OK)
			fail("statement", points_errmsg(db));
		while ((rc = points_statement_next(it, &e)) == POINTS_OK)
			n++;
		if (rc != POINTS_ITEROVER || n != want)
			fail("statement", rc != POINTS_ITEROVER ?
			    points_errmsg(db) : "not every entry");
		points_statement_iterator_free(it);
	}
	return (mono() - t) * 1e6 / (double)nq;
}

static double
sqlite_window(sqlite3 *h, sqlite3_stmt *st)
{
	double t = mono();
	long q;

	for (q = 0; q < queries; q++) {
		int n = 0;

		sqlite3_bind_int64(st, 1, now_t - WINDOW);
		sqlite3_bind_int64(st, 2, now_t);
		while (sqlite3_step(st) == SQLITE_ROW) {
			/* read the columns a statement line shows */
			(void)sqlite3_column_int64(st, 0);
			(void)sqlite3_column_int64(st, 1);
			(void)sqlite3_column_text(st, 2);
			n++;
		}
		sqlite3_reset(st);
		if (n != 61)
			fail("sqlite", sqlite3_errmsg(h));
	}
	return (mono() - t) * 1e6 / (double)queries;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/statement_bench.XXXXXX", uri[256], path[256];
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	double pn[64], po[64], fl[64], pa[64];
	points_db *db;
	sqlite3 *h;
	sqlite3_stmt *ins, *sel;
	int64_t acct, sparse;
	long i, r, nsparse = 0;
	int c;

	while ((c = getopt(argc, argv, "e:q:r:")) != -1) {
		if (c == 'e')
			entries = atol(optarg);
		else if (c == 'q')
			queries = atol(optarg);
		else if (c == 'r')
			runs = atol(optarg);
		else {
			fprintf(stderr, "usage: statement_bench [-e entries] "
			    "[-q queries] [-r runs]\n");
			return 2;
		}
	}
	if (entries < 61 || queries < 1 || runs < 1 || runs > 64)
		fail("options", "out of range");
	if (!mkdtemp(dir))
		fail("mkdtemp", dir);

	snprintf(uri, sizeof(uri), "sqlite:%s/points.db", dir);
	o.clock = clock_cb;
	now_t = T0;
	if (points_open(uri, &o, &db) != POINTS_OK)
		fail("open", points_errmsg(db));
	if (points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER, 0) ||
	    points_account_create(db, "E1001", "Li Wei", 0, &acct) ||
	    points_account_create(db, "E1002", "Zhang Min", 0, &sparse))
		fail("setup", points_errmsg(db));
	snprintf(path, sizeof(path), "%s/floor.db", dir);
	if (sqlite3_open(path, &h) != SQLITE_OK ||
	    sqlite3_exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    "CREATE TABLE entries(id INTEGER PRIMARY KEY, account, time, "
	    "amount, memo);"
	    "CREATE INDEX entries_time ON entries(account, time);",
	    NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "INSERT INTO entries(account, time, amount, "
	    "memo) VALUES (4, ?, 1, 'earn')", -1, &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "SELECT id, amount, memo FROM entries WHERE "
	    "account = 4 AND time >= ? AND time < ? ORDER BY time DESC",
	    -1, &sel, NULL) != SQLITE_OK)
		fail("sqlite", sqlite3_errmsg(h));

	points_batch_begin(db);
	sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
	for (i = 0; i < entries; i++) {
		points_posting p = POINTS_POSTING_INIT;
		points_txn t;

		p.asset = "PTS";
		p.account = acct;
		p.amount = 1;
		p.memo = "earn";
		if (points_earn(db, &p, &t) != POINTS_OK)
			fail("earn", points_errmsg(db));
		if (i % 10000 == 0) {
			p.account = sparse;
			if (points_earn(db, &p, &t) != POINTS_OK)
				fail("earn", points_errmsg(db));
			nsparse++;
		}
		sqlite3_bind_int64(ins, 1, now_t);
		if (sqlite3_step(ins) != SQLITE_DONE)
			fail("insert", sqlite3_errmsg(h));
		sqlite3_reset(ins);
		now_t += STEP;
		if (i % 10000 == 9999) {
			if (points_batch_commit(db) || points_batch_begin(db))
				fail("commit", points_errmsg(db));
			sqlite3_exec(h, "COMMIT; BEGIN", NULL, NULL, NULL);
		}
	}
	if (points_batch_commit(db) != POINTS_OK)
		fail("commit", points_errmsg(db));
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	now_t -= STEP - 1; /* the window ends just after the last entry */

	for (r = 0; r < runs; r++) {
		fl[r] = sqlite_window(h, sel);
		pn[r] = points_window(db, acct, POINTS_NEWEST_FIRST);
		po[r] = points_window(db, acct, POINTS_OLDEST_FIRST);
		pa[r] = points_all_time(db, sparse, (int)nsparse);
		printf("run %ld  floor %7.1f us  newest first %7.1f us  "
		    "oldest first %7.1f us  all time, sparse %7.1f us\n",
		    r + 1, fl[r], pn[r], po[r], pa[r]);
	}
	qsort(fl, (size_t)runs, sizeof(double), cmp_double);
	qsort(pn, (size_t)runs, sizeof(double), cmp_double);
	qsort(po, (size_t)runs, sizeof(double), cmp_double);
	qsort(pa, (size_t)runs, sizeof(double), cmp_double);
	printf("median: the last hour (61 of %ld entries): floor %.1f us, "
	    "newest first %.1f us (%.2fx the floor), oldest first %.1f us "
	    "(%.2fx)\n", entries, fl[runs / 2], pn[runs / 2],
	    pn[runs / 2] / fl[runs / 2], po[runs / 2],
	    po[runs / 2] / fl[runs / 2]);
	printf("median: all time of an account with %ld entries over %.0f "
	    "days (%.0f buckets): %.1f us, %.2f us a bucket\n", nsparse,
	    (double)(entries * STEP) / 86400.0,
	    (double)(entries * STEP) / 65536.0 + 1, pa[runs / 2],
	    pa[runs / 2] / ((double)(entries * STEP) / 65536.0 + 1));

	sqlite3_finalize(ins);
	sqlite3_finalize(sel);
	sqlite3_close(h);
	points_close(db);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		fail("cleanup", dir);
	return 0;
}
