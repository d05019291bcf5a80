/*
 * leaderboard_bench.c - what a leaderboard costs with no index kept on
 * write: the top 10 of a month, overall and per department, on a
 * ledger of --entries earns spread over --accounts accounts (in 10
 * departments) across --days days (libpoints on an SQLite file,
 * batched), and the same for the whole span.  Prints, for each, the
 * entries in the range, the milliseconds (median of --runs) and the
 * entries read per second: the cost is linear in the range's entries.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "points.h"

#define T0 INT64_C(1735689600) /* 2025-01-01 00:00:00 UTC */

static long entries = 200000, accounts = 10000, days = 90, runs = 5;
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
	fprintf(stderr, "leaderboard_bench: %s: %s\n", what, msg);
	exit(1);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Milliseconds for one leaderboard; *rows the rows it gave. */
static double
one(points_db *db, int64_t from, int64_t to, int by, long *rows)
{
	points_leaderboard_iterator *it;
	points_leader l;
	double t = mono();
	int rc;

	*rows = 0;
	if (points_leaderboard_iterator_new(db, "PTS", from, to, by, 10,
	    &it) != POINTS_OK)
		fail("leaderboard", points_errmsg(db));
	while ((rc = points_leaderboard_next(it, &l)) == POINTS_OK)
		(*rows)++;
	if (rc != POINTS_ITEROVER)
		fail("leaderboard", points_errmsg(db));
	points_leaderboard_iterator_free(it);
	return (mono() - t) * 1e3;
}

static void
measure(points_db *db, const char *what, int64_t from, int64_t to, int by,
    long in_range)
{
	double ms[64];
	long r, rows = 0;

	for (r = 0; r < runs; r++)
		ms[r] = one(db, from, to, by, &rows);
	qsort(ms, (size_t)runs, sizeof(ms[0]), cmp_double);
	printf("%-28s %9ld %6ld %10.1f %12.0f\n", what, in_range, rows,
	    ms[runs / 2], (double)in_range / (ms[runs / 2] / 1e3));
}

int
main(int argc, char **argv)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	char dir[] = "/tmp/points-lbench-XXXXXX", uri[128], path[160];
	points_db *db;
	int64_t *ids, step, month_end;
	long i, in_month = 0;
	int c;

	while ((c = getopt(argc, argv, "e:a:d:r:")) != -1) {
		if (c == 'e')
			entries = atol(optarg);
		else if (c == 'a')
			accounts = atol(optarg);
		else if (c == 'd')
			days = atol(optarg);
		else if (c == 'r')
			runs = atol(optarg);
		else {
			fprintf(stderr, "usage: leaderboard_bench [-e entries] "
			    "[-a accounts] [-d days] [-r runs]\n");
			return 2;
		}
	}
	if (entries < 1 || accounts < 1 || days < 31 || runs < 1 ||
	    runs > 64)
		fail("options", "out of range");
	if (!mkdtemp(dir))
		fail("mkdtemp", dir);
	snprintf(uri, sizeof(uri), "sqlite:%s/points.db", dir);
	o.clock = clock_cb;
	now_t = T0;
	if (points_open(uri, &o, &db) != POINTS_OK)
		fail("open", points_errmsg(db));
	if (points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER, 0))
		fail("setup", points_errmsg(db));
	if (!(ids = malloc((size_t)accounts * sizeof(*ids))))
		fail("malloc", "accounts");
	points_batch_begin(db);
	for (i = 0; i < accounts; i++) {
		char ext[32], dept[16];

		snprintf(ext, sizeof(ext), "E%06ld", i);
		snprintf(dept, sizeof(dept), "D%ld", i % 10);
		if (points_account_create(db, ext, ext, 0, &ids[i]) ||
		    points_account_update(db, ids[i], NULL, NULL, dept))
			fail("account", points_errmsg(db));
	}
	if (points_batch_commit(db) || points_batch_begin(db))
		fail("commit", points_errmsg(db));
	/* the earns spread evenly over the days */
	step = days * 86400 / entries;
	if (step < 1)
		step = 1;
	month_end = T0 + 31 * 86400;
	srand(1);
	for (i = 0; i < entries; i++) {
		points_posting p = POINTS_POSTING_INIT;
		points_txn t;

		p.asset = "PTS";
		p.account = ids[rand() % accounts];
		p.amount = 1 + rand() % 100;
		if (points_earn(db, &p, &t) != POINTS_OK)
			fail("earn", points_errmsg(db));
		in_month += now_t < month_end;
		now_t += step;
		if (i % 10000 == 9999 &&
		    (points_batch_commit(db) || points_batch_begin(db)))
			fail("commit", points_errmsg(db));
	}
	if (points_batch_commit(db) != POINTS_OK)
		fail("commit", points_errmsg(db));
	printf("%ld earns over %ld accounts in %ld days (SQLite file)\n",
	    entries, accounts, days);
	printf("%-28s %9s %6s %10s %12s\n", "top 10", "entries", "rows", "ms",
	    "entries/s");
	measure(db, "January, overall", T0, month_end, POINTS_LEADERS_ALL,
	    in_month);
	measure(db, "January, per department", T0, month_end,
	    POINTS_LEADERS_BY_DEPARTMENT, in_month);
	measure(db, "all days, overall", T0, 0, POINTS_LEADERS_ALL, entries);
	points_close(db);
	free(ids);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path) != 0)
		fail("cleanup", dir);
	return 0;
}
