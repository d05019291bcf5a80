/* earn_count.c - a fixed earn workload for an instruction counter
 * (bench/README.md, "Instructions"): the machines are shared and noisy,
 * instructions are not.  Opens URI (default memory:), makes ACCOUNTS
 * accounts and asset PTS (365 days), posts WARM earns in batches of
 * 1,000, then the measured ones inside measured_earns() and as many
 * balance lookups inside one batch in measured_lookups(), which
 * callgrind can be told to count alone:
 *
 *   valgrind --tool=callgrind --collect-atstart=no \
 *       --toggle-collect=measured_earns earn_count sqlite:/tmp/x.db
 *
 * (build: cc -O2 -Iinclude bench/count/earn_count.c lib/libpoints.a
 * -lsqlite3 -luuid -lsodium; arguments: URI ACCOUNTS WARM MEASURED)
 *
 * The clock is injected (30 s per posting), the accounts drawn from a
 * fixed seed: every run does the same work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "points.h"

static int64_t now = 1704067200;

static int64_t
clock_fn(void *ctx)
{
	(void)ctx;
	return now;
}

static uint64_t rng = 42;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void
die(points_db *db, const char *what)
{
	fprintf(stderr, "%s: %s\n", what, points_errmsg(db));
	exit(1);
}

static void
earns(points_db *db, int64_t n, int64_t accounts)
{
	points_posting p = POINTS_POSTING_INIT;
	points_txn t;
	int64_t i;

	p.asset = "PTS";
	for (i = 0; i < n; i++) {
		if (i % 1000 == 0 && points_batch_begin(db) != POINTS_OK)
			die(db, "begin");
		p.account = 4 + (int64_t)(next() % (uint64_t)accounts);
		p.amount = 1 + (int64_t)(next() % 100);
		now += 30;
		if (points_earn(db, &p, &t) != POINTS_OK)
			die(db, "earn");
		if (i % 1000 == 999 && points_batch_commit(db) != POINTS_OK)
			die(db, "commit");
	}
	if (n % 1000 && points_batch_commit(db) != POINTS_OK)
		die(db, "commit");
}

__attribute__((noinline)) void
measured_earns(points_db *db, int64_t n, int64_t accounts)
{
	earns(db, n, accounts);
}

/* Balance lookups inside one batch (a read transaction), the accounts
 * drawn as the earns' are. */
__attribute__((noinline)) void
measured_lookups(points_db *db, int64_t n, int64_t accounts)
{
	points_balance b;
	int64_t i;

	if (points_batch_begin(db) != POINTS_OK)
		die(db, "begin");
	for (i = 0; i < n; i++)
		if (points_balance_get(db, 4 + (int64_t)(next() %
		    (uint64_t)accounts), "PTS", &b) != POINTS_OK)
			die(db, "balance");
	if (points_batch_rollback(db) != POINTS_OK)
		die(db, "rollback");
}

int
main(int argc, char **argv)
{
	const char *uri = argc > 1 ? argv[1] : "memory:";
	int64_t accounts = argc > 2 ? atoll(argv[2]) : 20000;
	int64_t warm = argc > 3 ? atoll(argv[3]) : 40000;
	int64_t measured = argc > 4 ? atoll(argv[4]) : 20000;
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *db = NULL;
	char ext[32];
	int64_t i, id;

	o.clock = clock_fn;
	if (points_open(uri, &o, &db) != POINTS_OK)
		die(db, "open");
	if (points_asset_create(db, "PTS", 0, POINTS_EXPIRE_DAYS, 365) !=
	    POINTS_OK)
		die(db, "asset");
	for (i = 0; i < accounts; i++) {
		if (i % 1000 == 0 && points_batch_begin(db) != POINTS_OK)
			die(db, "begin");
		snprintf(ext, sizeof(ext), "U%lld", (long long)i);
		if (points_account_create(db, ext, NULL, 0, &id) != POINTS_OK)
			die(db, "account");
		if (i % 1000 == 999 && points_batch_commit(db) != POINTS_OK)
			die(db, "commit");
	}
	if (accounts % 1000 && points_batch_commit(db) != POINTS_OK)
		die(db, "commit");
	earns(db, warm, accounts);
	measured_earns(db, measured, accounts);
	measured_lookups(db, measured, accounts);
	printf("%lld earns and lookups measured\n", (long long)measured);
	points_close(db);
	return 0;
}
