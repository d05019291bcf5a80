/*
 * quickstart.c - an HR welfare ledger on an SQLite file (what `make demo`
 * runs).  Employees earn points for a project module, training and a
 * certificate, one redeems a gift, and an expiry sweep runs a year later.
 *
 *   cc quickstart.c $(pkg-config --cflags --libs points) -o quickstart
 *   ./quickstart hr.db
 */
#include <stdio.h>
#include <stdlib.h>

#include <points.h>

#define DAY 86400

static int64_t now = 1735689600; /* 2025-01-01: a clock the demo moves */

static int64_t
demo_clock(void *ctx)
{
	(void)ctx;
	return now;
}

static void
die(points_db *db, const char *what)
{
	fprintf(stderr, "%s: %s\n", what, points_errmsg(db));
	points_close(db);
	exit(1);
}

static void
earn(points_db *db, int64_t who, int64_t amount, const char *memo)
{
	points_posting p = POINTS_POSTING_INIT;
	points_txn t;

	p.asset = "WELFARE";
	p.account = who;
	p.amount = amount;
	p.memo = memo;
	if (points_earn(db, &p, &t) != POINTS_OK)
		die(db, "earn");
}

static void
print_balances(points_db *db, const int64_t *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		points_account a;
		points_balance b;

		if (points_account_get(db, ids[i], &a) != POINTS_OK ||
		    points_balance_get(db, ids[i], "WELFARE", &b) != POINTS_OK)
			die(db, "balance");
		printf("  %-6s %-10s available %5lld  earned %5lld  spent %4lld"
		    "  expired %4lld\n", a.external_id, a.name,
		    (long long)b.available, (long long)b.earned,
		    (long long)b.spent, (long long)b.expired);
	}
}

int
main(int argc, char **argv)
{
	static const char *const staff[][2] = {
		{ "E1001", "Li Wei" }, { "E1002", "Wang Fang" },
		{ "E1003", "Zhang Min" },
	};
	char uri[512];
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *db = NULL;
	points_posting p = POINTS_POSTING_INIT;
	points_txn gift;
	points_sweep_report sweep;
	points_verify_report ver;
	points_statement_iterator *it;
	points_entry e;
	int64_t ids[3];
	size_t i;
	int rc;

	snprintf(uri, sizeof(uri), "sqlite:%s", argc > 1 ? argv[1] : "hr.db");
	o.clock = demo_clock;
	o.utc_offset = 8 * 3600; /* Beijing time for calendar rules */
	if (points_open(uri, &o, &db) != POINTS_OK)
		die(db, "open");

	/* Welfare points expire 365 days after they are earned. */
	rc = points_asset_create(db, "WELFARE", 0, POINTS_EXPIRE_DAYS, 365);
	if (rc != POINTS_OK && rc != POINTS_EEXISTS)
		die(db, "asset");
	for (i = 0; i < 3; i++) {
		points_account a;

		if (points_account_find(db, staff[i][0], &a) == POINTS_OK) {
			ids[i] = a.id;
			continue;
		}
		if (points_account_create(db, staff[i][0], staff[i][1], 0,
		    &ids[i]) != POINTS_OK)
			die(db, "account");
		points_account_update(db, ids[i], NULL, "staff", "R&D");
	}

	/* January: project modules (50-200), training (30), a certificate. */
	earn(db, ids[0], 200, "project module: payroll engine");
	earn(db, ids[1], 50, "project module: docs");
	earn(db, ids[2], 120, "project module: QA");
	for (i = 0; i < 3; i++)
		earn(db, ids[i], 30, "training: security basics");
	now += 40 * DAY;
	earn(db, ids[0], 200, "certificate: PMP");

	/* March: Li Wei redeems a 100-point gift (oldest points first). */
	now += 30 * DAY;
	p.asset = "WELFARE";
	p.account = ids[0];
	p.amount = 100;
	p.memo = "gift: thermos cup";
	p.idempotency_key = "order-2025-0001";
	if (points_spend(db, &p, &gift) != POINTS_OK)
		die(db, "spend");
	printf("redeemed gift, transaction %s\n", gift.id);

	printf("\nbalances, %s\n", "March 2025");
	print_balances(db, ids, 3);

	/* A year later the nightly sweep expires what was not used. */
	now = 1735689600 + 366 * DAY;
	if (points_expire_sweep(db, now, &sweep) != POINTS_OK)
		die(db, "sweep");
	printf("\nexpiry sweep, January 2026: %lld lots, %lld points from "
	    "%lld accounts\n", (long long)sweep.lots, (long long)sweep.points,
	    (long long)sweep.accounts);
	print_balances(db, ids, 3);

	printf("\nstatement of %s (newest first)\n", staff[0][0]);
	if (points_statement_iterator_new(db, ids[0], "WELFARE", 0, 0,
	    POINTS_NEWEST_FIRST, &it) != POINTS_OK)
		die(db, "statement");
	while ((rc = points_statement_next(it, &e)) == POINTS_OK)
		printf("  #%-3lld %+6lld  %s\n", (long long)e.seq,
		    (long long)e.amount, e.memo);
	points_statement_iterator_free(it);
	if (rc != POINTS_ITEROVER)
		die(db, "statement");

	if (points_verify(db, &ver) != POINTS_OK)
		die(db, "verify");
	printf("\nverified %lld entries and %lld balances: %s\n",
	    (long long)ver.entries, (long long)ver.balances, ver.message);
	points_close(db);
	return 0;
}
