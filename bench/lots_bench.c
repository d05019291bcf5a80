/*
 * lots_bench.c - an earn and a spend on an account with many lots,
 * against the same on a fresh account, in the same run.
 *
 * On each backend (memory, and an SQLite file): one account gets -d
 * earns (default 20,000) of 1 point, each at its own expiry day, so it
 * has that many lots ("big").  Then, -r runs (default 3), each:
 *   - earn: -n earns (default 2,000) of 1 point, each on its own fresh
 *     account, which has earned once before (untimed: so its balance
 *     record is there, with one lot, and the earn updates it as it
 *     does the big account's); -n earns on the big account, each at a
 *     new expiry day later than all its lots (what an earn under a
 *     "N days" policy does);
 *   - spend: -n spends of 1 point, each from a fresh account that
 *     earned 1,000; -n spends of 1 point from the big account, each
 *     using up its earliest lot.
 * Each operation is its own transaction (single), then the same again
 * inside batches of 100 (batched: the per-transaction cost left out).
 * Figures are microseconds per operation, the median of the runs, and
 * the ratio big / fresh.  -m memory or -m sqlite runs one backend only;
 * the timed loops are the functions earns_fresh, earns_big,
 * spends_fresh and spends_big, which an instruction counter can be told
 * to count alone (valgrind --tool=callgrind --collect-atstart=no
 * --toggle-collect=earns_big ...).  -b N sets how many lots a balance keeps inline
 * before later ones spill (an internal tunable, core/lot_spill.h: the
 * option is for choosing its default).  The target: an earn on the big account costs
 * at most 2x an earn on a fresh one.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "points.h"
#include "core/lot_spill.h"

#define T0 INT64_C(1735689600) /* 2025-01-01 00:00:00 UTC */
#define DAY 86400
#define BATCH 100
#define MAXRUNS 15

static long days = 20000, ops = 2000, runs = 3, bound;
static const char *only;
static int64_t now_t = T0;
static int64_t next_day; /* the big account's next new expiry day */
static long fresh_n;

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
fail(points_db *db, const char *what)
{
	fprintf(stderr, "lots_bench: %s: %s\n", what, points_errmsg(db));
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

static void
batch_edge(points_db *db, int batched, long i, int end)
{
	if (!batched)
		return;
	if (!end && i % BATCH == 0 && points_batch_begin(db) != POINTS_OK)
		fail(db, "begin");
	if (end && (i % BATCH == BATCH - 1 || i == ops - 1) &&
	    points_batch_commit(db) != POINTS_OK)
		fail(db, "commit");
}

static int64_t
new_account(points_db *db)
{
	char ext[32];
	int64_t id;

	snprintf(ext, sizeof(ext), "F%ld", fresh_n++);
	if (points_account_create(db, ext, NULL, 0, &id) != POINTS_OK)
		fail(db, "account");
	return id;
}

/* n fresh accounts (untimed), in one batch. */
static void
fresh_accounts(points_db *db, int64_t *ids, long n, int64_t amount)
{
	points_posting p = POINTS_POSTING_INIT;
	points_txn t;
	long i;

	p.asset = "PTS";
	if (points_batch_begin(db) != POINTS_OK)
		fail(db, "begin");
	for (i = 0; i < n; i++) {
		ids[i] = new_account(db);
		if (amount) {
			p.account = ids[i];
			p.amount = amount;
			if (points_earn(db, &p, &t) != POINTS_OK)
				fail(db, "earn");
		}
	}
	if (points_batch_commit(db) != POINTS_OK)
		fail(db, "commit");
}

/* Microseconds per earn: on the accounts in ids (one each), or on big
 * at new days. */
static double
time_earns(points_db *db, const int64_t *ids, int64_t big, int batched)
{
	points_posting p = POINTS_POSTING_INIT;
	points_txn t;
	double t0;
	long i;

	p.asset = "PTS";
	p.amount = 1;
	t0 = mono();
	for (i = 0; i < ops; i++) {
		batch_edge(db, batched, i, 0);
		p.account = ids ? ids[i] : big;
		p.expires_at = ids ? 0 : T0 + next_day++ * DAY;
		if (points_earn(db, &p, &t) != POINTS_OK)
			fail(db, "earn");
		batch_edge(db, batched, i, 1);
	}
	return (mono() - t0) * 1e6 / (double)ops;
}

__attribute__((noinline)) double
earns_fresh(points_db *db, const int64_t *ids, int batched)
{
	return time_earns(db, ids, 0, batched);
}

__attribute__((noinline)) double
earns_big(points_db *db, int64_t big, int batched)
{
	return time_earns(db, NULL, big, batched);
}

static double
time_spends(points_db *db, const int64_t *ids, int64_t big, int batched)
{
	points_posting p = POINTS_POSTING_INIT;
	points_txn t;
	double t0;
	long i;

	p.asset = "PTS";
	p.amount = 1;
	t0 = mono();
	for (i = 0; i < ops; i++) {
		batch_edge(db, batched, i, 0);
		p.account = ids ? ids[i] : big;
		if (points_spend(db, &p, &t) != POINTS_OK)
			fail(db, "spend");
		batch_edge(db, batched, i, 1);
	}
	return (mono() - t0) * 1e6 / (double)ops;
}

__attribute__((noinline)) double
spends_fresh(points_db *db, const int64_t *ids, int batched)
{
	return time_spends(db, ids, 0, batched);
}

__attribute__((noinline)) double
spends_big(points_db *db, int64_t big, int batched)
{
	return time_spends(db, NULL, big, batched);
}

static void
bench(const char *name, const char *uri)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_posting p = POINTS_POSTING_INIT;
	points_balance bal;
	points_txn t;
	points_db *db = NULL;
	int64_t big, *ids;
	double v[4][2][MAXRUNS], m[4][2];
	const char *what[4] = { "earn fresh", "earn big", "spend fresh",
	    "spend big" };
	double t0;
	long i;
	int r, b, k;

	o.clock = clock_cb;
	if (points_open(uri, &o, &db) != POINTS_OK)
		fail(db, "open");
	if (bound)
		points_lot_spill__set_bound(db, (size_t)bound);
	if (points_asset_create(db, "PTS", 0, POINTS_EXPIRE_DAYS, 365) !=
	    POINTS_OK)
		fail(db, "asset");
	if (!(ids = malloc((size_t)ops * sizeof(*ids))))
		exit(1);
	big = new_account(db);
	p.asset = "PTS";
	p.account = big;
	p.amount = 1;
	t0 = mono();
	for (next_day = 1; next_day <= days; next_day++) {
		if (next_day % 1000 == 1 && points_batch_begin(db) != POINTS_OK)
			fail(db, "begin");
		p.expires_at = T0 + next_day * DAY;
		if (points_earn(db, &p, &t) != POINTS_OK)
			fail(db, "earn");
		if ((next_day % 1000 == 0 || next_day == days) &&
		    points_batch_commit(db) != POINTS_OK)
			fail(db, "commit");
	}
	printf("%s: big account made: %ld lots in %.1f s (inline bound %s)\n",
	    name, days, mono() - t0, bound ? "set by -b" : "the default");
	for (r = 0; r < runs; r++)
		for (b = 0; b < 2; b++) {
			fresh_accounts(db, ids, ops, 1);
			v[0][b][r] = earns_fresh(db, ids, b);
			v[1][b][r] = earns_big(db, big, b);
			fresh_accounts(db, ids, ops, 1000);
			v[2][b][r] = spends_fresh(db, ids, b);
			v[3][b][r] = spends_big(db, big, b);
		}
	if (points_balance_get(db, big, "PTS", &bal) != POINTS_OK)
		fail(db, "balance");
	if (bal.available != days) {
		fprintf(stderr, "lots_bench: big account has %lld, not %ld\n",
		    (long long)bal.available, days);
		exit(1);
	}
	for (k = 0; k < 4; k++)
		for (b = 0; b < 2; b++)
			m[k][b] = median(v[k][b], (int)runs);
	for (b = 0; b < 2; b++) {
		const char *mode = b ? "batched" : "single";

		for (k = 0; k < 4; k++)
			printf("%s %s %s: %.2f us\n", name, mode, what[k],
			    m[k][b]);
		printf("ratio %s %s earn big/fresh: %.2fx (target <= 2: %s)\n",
		    name, mode, m[1][b] / m[0][b], m[1][b] <= 2 * m[0][b] ?
		    "met" : "MISSED");
		printf("ratio %s %s spend big/fresh: %.2fx\n", name, mode,
		    m[3][b] / m[2][b]);
	}
	fflush(stdout);
	free(ids);
	points_close(db);
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/lots_bench.XXXXXX", uri[600], path[560];
	int c;

	while ((c = getopt(argc, argv, "b:d:m:n:r:")) != -1) {
		switch (c) {
		case 'b': bound = atol(optarg); break;
		case 'm': only = optarg; break;
		case 'd': days = atol(optarg); break;
		case 'n': ops = atol(optarg); break;
		case 'r': runs = atol(optarg); break;
		default:
			fprintf(stderr, "usage: lots_bench [-b bound] "
			    "[-d days] [-m memory|sqlite] [-n ops] [-r runs]\n");
			return 2;
		}
	}
	if (days < 1 || ops < 1 || runs < 1 || runs > MAXRUNS || bound < 0) {
		fprintf(stderr, "lots_bench: bad arguments\n");
		return 2;
	}
	if (!only || strcmp(only, "memory") == 0)
		bench("memory", "memory:");
	if (only && strcmp(only, "sqlite") != 0)
		return 0;
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/lots.db", dir);
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	bench("sqlite", uri);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lots.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/lots.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return 0;
}
