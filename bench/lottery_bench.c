/*
 * lottery_bench.c - what a lottery costs on an SQLite file.
 *
 * Draws: --draws draws of 10 points by --accounts accounts, in batches
 * of --batch, against the floor of the same number of bare spends of 10
 * points in batches of the same size (a draw is that spend, the pick, a
 * unit of stock and its records), in turns, --runs times each; prints
 * the medians and draws/spend.
 *
 * Audit: a free lottery of --audit draws (made in batches of 1,000),
 * closed, then audited --runs times; prints the median seconds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "points.h"

#define T0 INT64_C(1735689600) /* 2025-01-01 00:00:00 UTC */

static long draws = 20000, accounts = 1000, batch = 100, runs = 5;
static long audit_draws = 1000000;
static int verbose;

static int64_t
clock_cb(void *ctx)
{
	(void)ctx;
	return T0 + 3600;
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
fail(const char *what, points_db *db)
{
	fprintf(stderr, "lottery_bench: %s: %s\n", what,
	    db ? points_errmsg(db) : "failed");
	exit(1);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static points_db *
open_ledger(const char *path)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	char uri[600];
	points_db *db;

	unlink(path);
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	o.clock = clock_cb;
	if (points_open(uri, &o, &db) != POINTS_OK)
		fail("open", db);
	if (points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER, 0) !=
	    POINTS_OK)
		fail("asset", db);
	return db;
}

/* Accounts 4 .. 3 + accounts, each with plenty of points. */
static void
make_accounts(points_db *db)
{
	points_posting p = POINTS_POSTING_INIT;
	points_txn t;
	char ext[32];
	int64_t id;
	long i;

	if (points_batch_begin(db))
		fail("batch", db);
	for (i = 0; i < accounts; i++) {
		snprintf(ext, sizeof(ext), "E%06ld", i);
		if (points_account_create(db, ext, NULL, 0, &id))
			fail("account", db);
		p.asset = "PTS";
		p.account = id;
		p.amount = 1000000000;
		if (points_earn(db, &p, &t))
			fail("earn", db);
	}
	if (points_batch_commit(db))
		fail("commit", db);
}

static int64_t
make_lottery(points_db *db, int64_t cost, int64_t lose)
{
	points_lottery_def l;
	int64_t id;

	memset(&l, 0, sizeof(l));
	strcpy(l.name, "bench");
	strcpy(l.asset, "PTS");
	l.cost = cost;
	l.starts = T0;
	l.ends = T0 + 86400;
	l.lose_weight = lose;
	l.nprizes = 2;
	l.prizes[0].kind = POINTS_PRIZE_POINTS;
	strcpy(l.prizes[0].label, "card");
	l.prizes[0].weight = 1;
	l.prizes[0].stock = 1000000000;
	l.prizes[0].amount = 20;
	l.prizes[1].kind = POINTS_PRIZE_CUSTOM;
	strcpy(l.prizes[1].label, "tablet");
	l.prizes[1].weight = 1;
	l.prizes[1].stock = 1000000000;
	if (points_lottery_create(db, &l, &id))
		fail("lottery", db);
	return id;
}

/* Seconds for n spends (lottery 0) or draws, in batches. */
static double
run(points_db *db, int64_t lottery, long n)
{
	points_posting p = POINTS_POSTING_INIT;
	points_lottery_draw w;
	points_txn t;
	double start = mono();
	long i;

	for (i = 0; i < n; i++) {
		int64_t acct = 4 + i % accounts;

		if (i % batch == 0 && points_batch_begin(db))
			fail("batch", db);
		if (lottery) {
			if (points_lottery_draw_once(db, lottery, acct, NULL,
			    &w))
				fail("draw", db);
		} else {
			p.asset = "PTS";
			p.account = acct;
			p.amount = 10;
			if (points_spend(db, &p, &t))
				fail("spend", db);
		}
		if ((i + 1) % batch == 0 || i + 1 == n)
			if (points_batch_commit(db))
				fail("commit", db);
	}
	return mono() - start;
}

int
main(int argc, char **argv)
{
	double spend_s[64], draw_s[64], audit_s[64], ratio[64];
	char dir[] = "/tmp/lottery_benchXXXXXX", path[600];
	points_db *db;
	int64_t lot, bad;
	int c, r;

	while ((c = getopt(argc, argv, "n:a:b:r:A:v")) != -1) {
		switch (c) {
		case 'n': draws = atol(optarg); break;
		case 'a': accounts = atol(optarg); break;
		case 'b': batch = atol(optarg); break;
		case 'r': runs = atol(optarg); break;
		case 'A': audit_draws = atol(optarg); break;
		case 'v': verbose = 1; break;
		default:
			fprintf(stderr, "usage: lottery_bench [-n draws] [-a "
			    "accounts] [-b batch] [-r runs] [-A audit draws] [-v]\n");
			return 2;
		}
	}
	if (draws < 1 || accounts < 1 || batch < 1 || runs < 1 || runs > 64 ||
	    audit_draws < 1)
		fail("options out of range", NULL);
	if (!mkdtemp(dir))
		fail("mkdtemp", NULL);
	snprintf(path, sizeof(path), "%s/points.db", dir);
	db = open_ledger(path);
	make_accounts(db);
	lot = make_lottery(db, 10, 8);
	/* in turns, so that drift hits both alike */
	for (r = 0; r < runs; r++) {
		spend_s[r] = run(db, 0, draws);
		draw_s[r] = run(db, lot, draws);
		ratio[r] = spend_s[r] / draw_s[r];
		if (verbose)
			printf("  run %d: spends %.0f /s, draws %.0f /s\n", r + 1,
			    draws / spend_s[r], draws / draw_s[r]);
	}
	printf("draws: %ld a run in batches of %ld, %ld accounts, %ld runs\n",
	    draws, batch, accounts, runs);
	printf("  bare spends  %9.0f /s (median)\n", draws / median(spend_s,
	    (int)runs));
	printf("  draws        %9.0f /s (median)\n", draws / median(draw_s,
	    (int)runs));
	printf("  draws/spend  %9.2f (median of the runs' ratios)\n",
	    median(ratio, (int)runs));
	points_close(db);

	/* the audit: a free lottery, most draws losing */
	db = open_ledger(path);
	make_accounts(db);
	lot = make_lottery(db, 0, 1000);
	{
		long saved = batch;

		batch = 1000;
		run(db, lot, audit_draws);
		batch = saved;
	}
	if (points_lottery_close(db, lot))
		fail("close", db);
	for (r = 0; r < runs; r++) {
		double t = mono();

		if (points_lottery_audit(db, lot, &bad) != POINTS_OK)
			fail("audit", db);
		audit_s[r] = mono() - t;
	}
	printf("audit: %ld draws in %.2f s (median of %ld)\n", audit_draws,
	    median(audit_s, (int)runs), runs);
	points_close(db);
	unlink(path);
	rmdir(dir);
	return 0;
}
