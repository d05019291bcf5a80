/*
 * static_mall.c - the host's half of `make check-static` (the
 * administrator's is static_admin.c): a mall linked statically against
 * lib/libpoints.a that earns, places and cancels an order and sweeps
 * expiry on the ledger the administrator set up, then reads the
 * outbox.  It calls no trigger or notice function, so the linker draws
 * in their modules only if the library itself refers to them; the
 * events they write on its writes must be there all the same: the
 * trigger's as the balance reaches 100 (the earn) and again as the
 * cancel gives the order's points back, and the notice of the EXP
 * points about to expire.  Public API only.
 * Usage: static_mall sqlite:PATH
 */
#include <stdio.h>
#include <string.h>

#include <points.h>

#define T0 1735689600 /* 2025-01-01, as static_admin.c */

static int64_t
fixed_clock(void *ctx)
{
	(void)ctx;
	return T0;
}

static int
fail(points_db *db, const char *what)
{
	fprintf(stderr, "static_mall: %s: %s\n", what, points_errmsg(db));
	points_close(db);
	return 1;
}

static int
earn(points_db *db, int64_t acct, const char *asset, int64_t amount)
{
	points_posting p = POINTS_POSTING_INIT;
	points_txn t;

	p.asset = asset;
	p.account = acct;
	p.amount = amount;
	return points_earn(db, &p, &t);
}

int
main(int argc, char **argv)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_order_req r = POINTS_ORDER_REQ_INIT;
	points_outbox_event e;
	points_account a;
	points_item it;
	points_order ord;
	int64_t seq = 0, triggers = 0, expiring = 0;
	points_db *db;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: static_mall sqlite:PATH\n");
		return 2;
	}
	o.clock = fixed_clock;
	if (points_open(argv[1], &o, &db) != POINTS_OK)
		return fail(db, "open");
	if (points_account_find(db, "E1001", &a))
		return fail(db, "account");
	if (earn(db, a.id, "PTS", 150) || earn(db, a.id, "EXP", 20))
		return fail(db, "earn");
	d.sku = "MUG";
	d.name = "Mug";
	d.category = "physical";
	d.asset = "PTS";
	d.price = 80;
	d.stock = 5;
	d.actor = "admin";
	if (points_item_create(db, &d, &it))
		return fail(db, "item");
	r.account = a.id;
	r.sku = "MUG";
	r.quantity = 1;
	if (points_order_place(db, &r, &ord))
		return fail(db, "order");
	if (points_order_cancel(db, ord.id, "admin", NULL, &ord))
		return fail(db, "cancel");
	if (points_expire_sweep(db, T0, NULL))
		return fail(db, "sweep");
	while ((rc = points_outbox_next(db, seq, &e)) == POINTS_OK) {
		seq = e.seq;
		triggers += strcmp(e.kind, POINTS_OUTBOX_ACCOUNT_TRIGGER) == 0;
		expiring += strcmp(e.kind, POINTS_OUTBOX_POINTS_EXPIRING) == 0;
	}
	if (rc != POINTS_ITEROVER)
		return fail(db, "outbox");
	points_close(db);
	printf("static_mall: %lld trigger events (want 2), %lld expiry "
	    "notices (want 1)\n", (long long)triggers, (long long)expiring);
	return triggers == 2 && expiring == 1 ? 0 : 1;
}
