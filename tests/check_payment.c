/* check_payment.c - how the mall's orders are paid: points + cash (the
 * asset's points-to-cash ratio, the items' cash parts, the rest of a
 * points price paid in cash, rounded up, exactly), every refusal with
 * nothing written, cancels and returns giving the points back, older
 * records still read, and a seeded random run of payment splits against
 * a model that works in 128 bits.  The ledgers are "memory:" (make
 * check-c runs the suite on SQLite too); the invariants and
 * points_verify hold after every test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uuid/uuid.h>

#include "testutil.h"

static points_db *db;
static int64_t alice, bob;

static void
item_cash(const char *sku, int64_t price, int64_t cash, int64_t stock)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_item it;

	d.sku = sku;
	d.name = sku;
	d.category = "physical";
	d.asset = "PTS";
	d.price = price;
	d.cash = cash;
	d.stock = stock;
	d.actor = "admin";
	ck_assert_msg(points_item_create(db, &d, &it) == POINTS_OK, "%s",
	    points_errmsg(db));
	ck_assert_int_eq(it.cash, cash);
}

static void
ratio(int64_t points, int64_t cash)
{
	points_cash_ratio r;

	ck_assert_msg(points_mall_set_cash_ratio(db, "PTS", points, cash,
	    "admin", NULL, &r) == POINTS_OK, "%s", points_errmsg(db));
}

static void
setup(void)
{
	tu_now = TU_T0 + 10 * 3600;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 20000, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 300, NULL), POINTS_OK);
}

static void
teardown(void)
{
	tu_invariants(db);
	points_close(db);
	db = NULL;
	tu_cleanup();
}

static int
place_cash(int64_t acct, const char *sku, int64_t qty, int64_t points_max,
    const char *key, points_order *out)
{
	points_order_req r = POINTS_ORDER_REQ_INIT;

	r.account = acct;
	r.sku = sku;
	r.quantity = qty;
	r.points_max = points_max;
	r.idempotency_key = key;
	r.actor = "shop";
	return points_order_place(db, &r, out);
}

static points_order
place_ok(int64_t acct, const char *sku, int64_t qty, int64_t points_max)
{
	points_order o;

	ck_assert_msg(place_cash(acct, sku, qty, points_max, NULL, &o) ==
	    POINTS_OK, "%s", points_errmsg(db));
	return o;
}

/* ---- The ratio ---- */

START_TEST(test_cash_ratio_set_get_remove)
{
	points_cash_ratio r;

	ck_assert_int_eq(points_mall_cash_ratio_get(db, "PTS", &r), POINTS_OK);
	ck_assert_str_eq(r.asset, "PTS");
	ck_assert_int_eq(r.points, 0);
	ck_assert_int_eq(r.cash, 0);
	ck_assert_int_eq(r.updated, 0);
	/* 100 points = 10.00 yuan (1000 fen) */
	ck_assert_int_eq(points_mall_set_cash_ratio(db, "PTS", 100, 1000,
	    "admin", "welfare policy 2026", &r), POINTS_OK);
	ck_assert_int_eq(r.points, 100);
	ck_assert_int_eq(r.cash, 1000);
	ck_assert_int_eq(r.updated, tu_now);
	ck_assert_str_eq(r.actor, "admin");
	ck_assert_str_eq(r.reason, "welfare policy 2026");
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(points_mall_cash_ratio_get(db, "PTS", &r), POINTS_OK);
	ck_assert_int_eq(r.points, 100);
	ck_assert_int_eq(r.cash, 1000);
	ck_assert_str_eq(r.reason, "welfare policy 2026");
	/* the same again writes nothing */
	tu_snap(db);
	ck_assert_int_eq(points_mall_set_cash_ratio(db, "PTS", 100, 1000,
	    "other", NULL, &r), POINTS_OK);
	tu_unchanged(db);
	ck_assert_str_eq(r.actor, "admin");
	/* bad ratios, assets and actors: refused, nothing written */
	TU_FAILS(db, points_mall_set_cash_ratio(db, "PTS", 0, 5, "admin",
	    NULL, &r), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "cash ratio of PTS"));
	TU_FAILS(db, points_mall_set_cash_ratio(db, "PTS", 5, 0, "admin",
	    NULL, &r), POINTS_EINVAL);
	TU_FAILS(db, points_mall_set_cash_ratio(db, "PTS", -1, 5, "admin",
	    NULL, &r), POINTS_EINVAL);
	TU_FAILS(db, points_mall_set_cash_ratio(db, "PTS", 1,
	    POINTS_CASH_RATIO_MAX + 1, "admin", NULL, &r), POINTS_EINVAL);
	TU_FAILS(db, points_mall_set_cash_ratio(db, "PTS",
	    POINTS_CASH_RATIO_MAX + 1, 1, "admin", NULL, &r), POINTS_EINVAL);
	TU_FAILS(db, points_mall_set_cash_ratio(db, "NOPE", 1, 1, "admin",
	    NULL, &r), POINTS_ENOTFOUND);
	TU_FAILS(db, points_mall_set_cash_ratio(db, "PTS", 1, 1, NULL, NULL,
	    &r), POINTS_EINVAL);
	TU_FAILS(db, points_mall_set_cash_ratio(db, NULL, 1, 1, "admin", NULL,
	    &r), POINTS_EINVAL);
	TU_FAILS(db, points_mall_set_cash_ratio(db, "PTS", 1, 1, "admin", NULL,
	    NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_mall_cash_ratio_get(db, "NOPE", &r),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(points_mall_cash_ratio_get(db, "PTS", NULL),
	    POINTS_EINVAL);
	/* the largest terms are taken */
	ck_assert_int_eq(points_mall_set_cash_ratio(db, "PTS",
	    POINTS_CASH_RATIO_MAX, POINTS_CASH_RATIO_MAX, "admin", NULL, &r),
	    POINTS_OK);
	/* 0 and 0 remove it */
	ck_assert_int_eq(points_mall_set_cash_ratio(db, "PTS", 0, 0, "admin",
	    NULL, &r), POINTS_OK);
	ck_assert_int_eq(r.points, 0);
	ck_assert_int_eq(points_mall_cash_ratio_get(db, "PTS", &r), POINTS_OK);
	ck_assert_int_eq(r.points, 0);
	ck_assert_int_eq(r.cash, 0);
}
END_TEST

/* ---- Points + cash ---- */

/* The thermos: 500 points + 19.90 yuan a unit; 100 points = 10.00 yuan
 * (1000 fen).  Two, spending at most 700 points: the other 300 points
 * are 30.00 yuan, with the cash parts 69.80 yuan in all. */
START_TEST(test_points_plus_cash_exact)
{
	points_order o, g;
	points_item it;
	points_outbox_event e;
	int64_t seq = 0;

	ratio(100, 1000);
	item_cash("THERMOS", 500, 1990, 10);
	o = place_ok(alice, "THERMOS", 2, 700);
	ck_assert_int_eq(o.unit_price, 500);
	ck_assert_int_eq(o.amount, 700);
	ck_assert_int_eq(o.cash_points, 300);
	ck_assert_int_eq(o.cash, 2 * 1990 + 3000);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 20000 - 700);
	ck_assert_int_eq(points_order_get(db, o.id, &g), POINTS_OK);
	ck_assert_mem_eq(&g, &o, sizeof(g));
	ck_assert_int_eq(points_item_get(db, "THERMOS", &it), POINTS_OK);
	ck_assert_int_eq(it.points, 700); /* the points it took */
	ck_assert_int_eq(it.units, 2);
	/* the outbox tells the host what to collect */
	ck_assert_int_eq(points_outbox_next(db, seq, &e), POINTS_OK);
	ck_assert_ptr_nonnull(strstr(e.data, "\"cash\":6980"));
	/* all in points: only the cash part */
	o = place_ok(alice, "THERMOS", 1, -1);
	ck_assert_int_eq(o.amount, 500);
	ck_assert_int_eq(o.cash_points, 0);
	ck_assert_int_eq(o.cash, 1990);
	/* points_max at or above the price: no conversion */
	o = place_ok(alice, "THERMOS", 1, 500);
	ck_assert_int_eq(o.amount, 500);
	ck_assert_int_eq(o.cash, 1990);
	o = place_ok(alice, "THERMOS", 1, 100000);
	ck_assert_int_eq(o.amount, 500);
	ck_assert_int_eq(o.cash_points, 0);
	/* an item without a cash part: only the converted points */
	item_cash("CARD", 250, 0, POINTS_STOCK_UNLIMITED);
	o = place_ok(alice, "CARD", 1, 1);
	ck_assert_int_eq(o.amount, 1);
	ck_assert_int_eq(o.cash_points, 249);
	ck_assert_int_eq(o.cash, 2490);
	o = place_ok(alice, "CARD", 1, -1);
	ck_assert_int_eq(o.cash, 0);
	ck_assert_int_eq(tu_available(db, alice, "PTS"),
	    20000 - 700 - 500 - 500 - 500 - 1 - 250);
}
END_TEST

/* Rounding: cash is rounded up, in the mall's favour.  3 points = 1
 * fen: 9 points are 3 fen exactly, 8 are 2.67: 3, 7 are 2.33: 3, 1 is
 * 0.33: 1.  Terms near the bound: exact, as 128 bits would have it. */
START_TEST(test_cash_rounding)
{
	static const struct {
		int64_t max, cash;
	} want[] = {
		{ 1, 3 }, { 2, 3 }, { 3, 3 }, { 4, 2 }, { 7, 1 }, { 9, 1 },
		{ 10, 0 },
	};
	points_order o;
	size_t i;

	ratio(3, 1);
	item_cash("TEN", 10, 0, POINTS_STOCK_UNLIMITED);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		o = place_ok(alice, "TEN", 1, want[i].max);
		ck_assert_int_eq(o.cash_points, 10 - want[i].max);
		ck_assert_msg(o.cash == want[i].cash, "points_max %lld: cash "
		    "%lld, want %lld", (long long)want[i].max,
		    (long long)o.cash, (long long)want[i].cash);
	}
	/* 999,999,999 points = 1,000,000,000 fen: 1 point costs 1.000000001
	 * fen, rounded up to 2; 999,999,999 points exactly 10^9 */
	ratio(999999999, 1000000000);
	item_cash("BIG", 1000000000, 0, POINTS_STOCK_UNLIMITED);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 3000000000LL, NULL),
	    POINTS_OK);
	o = place_ok(alice, "BIG", 1, 999999999);
	ck_assert_int_eq(o.cash_points, 1);
	ck_assert_int_eq(o.cash, 2);
	o = place_ok(alice, "BIG", 1, 1);
	ck_assert_int_eq(o.cash_points, 999999999);
	ck_assert_int_eq(o.cash, 1000000000);
	/* 1,000,000,000 - 2 points: 999,999,998 * 10^9 / 999,999,999 =
	 * 999,999,998.000000001: 999,999,999 */
	o = place_ok(alice, "BIG", 1, 2);
	ck_assert_int_eq(o.cash_points, 999999998);
	ck_assert_int_eq(o.cash, 999999999);
}
END_TEST

/* Cancelling and returning an order paid partly in cash give back
 * exactly the points it took (the host pays the cash back: the order
 * keeps the figure). */
START_TEST(test_cash_order_cancel_and_return)
{
	points_order o, c;

	ratio(100, 1000);
	item_cash("THERMOS", 500, 1990, 10);
	o = place_ok(alice, "THERMOS", 2, 700);
	ck_assert_int_eq(points_order_cancel(db, o.id, "alice", NULL, &c),
	    POINTS_OK);
	ck_assert_int_eq(c.cash, 6980);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 20000);
	o = place_ok(alice, "THERMOS", 1, 450);
	ck_assert_int_eq(o.cash, 1990 + 500);
	ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &c),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 20000 - 450);
	ck_assert_int_eq(points_order_cancel(db, o.id, NULL, NULL, &c),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 20000);
	o = place_ok(alice, "THERMOS", 1, 450);
	ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &c),
	    POINTS_OK);
	ck_assert_int_eq(points_order_deliver(db, o.id, NULL, NULL, &c),
	    POINTS_OK);
	ck_assert_int_eq(points_order_return(db, o.id, 1, NULL, NULL, &c),
	    POINTS_OK);
	ck_assert_int_eq(c.cash, 2490);
	ck_assert_int_eq(c.cash_points, 50);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 20000);
	{
		points_item it;

		ck_assert_int_eq(points_item_get(db, "THERMOS", &it),
		    POINTS_OK);
		ck_assert_int_eq(it.stock, 10);
		ck_assert_int_eq(it.points, 0);
		ck_assert_int_eq(it.orders, 0);
	}
}
END_TEST

/* Every refusal of points + cash: its own code and message, nothing
 * written. */
START_TEST(test_cash_refusals_write_nothing)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_item it;
	points_order o;

	item_cash("THERMOS", 500, 1990, 10);
	/* no ratio: the cash part alone needs none, converting does */
	o = place_ok(alice, "THERMOS", 1, -1);
	ck_assert_int_eq(o.cash, 1990);
	TU_FAILS(db, place_cash(alice, "THERMOS", 1, 100, NULL, &o),
	    POINTS_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "asset PTS has no "
	    "points-to-cash ratio"));
	/* points_max: -1 or at least 1 */
	TU_FAILS(db, place_cash(alice, "THERMOS", 1, 0, NULL, &o),
	    POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "points_max"));
	TU_FAILS(db, place_cash(alice, "THERMOS", 1, -2, NULL, &o),
	    POINTS_EINVAL);
	/* overflow: 10^18 points at 1 point = 10^9 fen */
	ratio(1, POINTS_CASH_RATIO_MAX);
	d.sku = "HUGE";
	d.name = "Huge";
	d.category = "physical";
	d.asset = "PTS";
	d.price = 1000000000000000000LL;
	d.stock = POINTS_STOCK_UNLIMITED;
	d.actor = "admin";
	ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
	TU_FAILS(db, place_cash(alice, "HUGE", 1, 1, NULL, &o),
	    POINTS_EOVERFLOW);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "overflows"));
	/* the cash parts of many units overflow */
	d.sku = "DEAR";
	d.price = 1;
	d.cash = INT64_MAX / 2;
	ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
	TU_FAILS(db, place_cash(alice, "DEAR", 3, -1, NULL, &o),
	    POINTS_EOVERFLOW);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "item 'DEAR': the "
	    "cash of 3 units overflows"));
	/* the points part still has to be there: bob has 300 */
	ratio(100, 1000);
	TU_FAILS(db, place_cash(bob, "THERMOS", 1, 400, NULL, &o),
	    POINTS_EINSUFFICIENT);
	o = place_ok(bob, "THERMOS", 1, 300);
	ck_assert_int_eq(o.cash, 1990 + 2000);
	/* an item's cash part: not negative */
	d.sku = "NEG";
	d.cash = -1;
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "cash must not be "
	    "negative"));
	/* an order with cash is not switched, nor to an item with a cash
	 * part */
	item_cash("PLAIN", 500, 0, 10);
	item_cash("OTHER", 400, 0, 10);
	ck_assert_int_eq(points_item_set_listed(db, "THERMOS", 0, "admin",
	    NULL, &it), POINTS_OK);
	TU_FAILS(db, points_order_switch(db, o.id, "OTHER", NULL, NULL, &o),
	    POINTS_ESTATE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "partly in cash"));
	o = place_ok(alice, "PLAIN", 1, -1);
	item_cash("CHEAPC", 100, 5, 10);
	TU_FAILS(db, points_order_switch(db, o.id, "CHEAPC", NULL, NULL, &o),
	    POINTS_ESTATE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "cash part"));
}
END_TEST

/* The request's points_max is in the idempotency fingerprint; an item
 * definition and a request of version 1 still work (no cash). */
START_TEST(test_versions_and_idempotency)
{
	points_order_req r = POINTS_ORDER_REQ_INIT;
	points_order o, p;

	ratio(100, 1000);
	item_cash("THERMOS", 500, 1990, 10);
	ck_assert_int_eq(place_cash(alice, "THERMOS", 1, 300, "k1", &o),
	    POINTS_OK);
	ck_assert_int_eq(place_cash(alice, "THERMOS", 1, 300, "k1", &p),
	    POINTS_OK);
	ck_assert_int_eq(p.replayed, 1);
	ck_assert_str_eq(p.id, o.id);
	ck_assert_int_eq(p.cash, o.cash);
	TU_FAILS(db, place_cash(alice, "THERMOS", 1, 301, "k1", &p),
	    POINTS_ECONFLICT);
	TU_FAILS(db, place_cash(alice, "THERMOS", 1, -1, "k1", &p),
	    POINTS_ECONFLICT);
	/* version 1: all in points */
	ck_assert_int_eq(points_order_req_init(&r, 1), POINTS_OK);
	r.account = alice;
	r.sku = "THERMOS";
	ck_assert_int_eq(points_order_place(db, &r, &o), POINTS_OK);
	ck_assert_int_eq(o.amount, 500);
	ck_assert_int_eq(o.cash, 1990);
	ck_assert_int_eq(points_order_req_init(&r, POINTS_ORDER_REQ_VERSION),
	    POINTS_OK);
	ck_assert_int_eq(r.points_max, -1);
	{
		points_item_def d;
		points_item it;

		ck_assert_int_eq(points_item_def_init(&d, 1), POINTS_OK);
		d.sku = "OLDDEF";
		d.name = "Old";
		d.category = "physical";
		d.asset = "PTS";
		d.price = 10;
		d.stock = 1;
		d.actor = "admin";
		ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
		ck_assert_int_eq(it.cash, 0);
		ck_assert_int_eq(points_item_def_init(&d, 2), POINTS_OK);
		ck_assert_int_eq(d.cash, 0);
	}
}
END_TEST

/* A change of the cash part is a change of price, kept in the history
 * with the cash after it. */
START_TEST(test_cash_part_in_history)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_item_history_iterator *hi;
	points_item_change c;
	points_item it;

	item_cash("THERMOS", 500, 1990, 10);
	d.sku = "THERMOS";
	d.name = "THERMOS";
	d.category = "physical";
	d.asset = "PTS";
	d.price = 500;
	d.cash = 1500;
	d.stock = 10;
	d.actor = "admin";
	ck_assert_int_eq(points_item_update(db, &d, &it), POINTS_OK);
	ck_assert_int_eq(it.cash, 1500);
	ck_assert_int_eq(points_item_history_iterator_new(db, "THERMOS", &hi),
	    POINTS_OK);
	ck_assert_int_eq(points_item_history_next(hi, &c), POINTS_OK);
	ck_assert_int_eq(c.cash, 1990);
	ck_assert_int_eq(points_item_history_next(hi, &c), POINTS_OK);
	ck_assert_uint_eq(c.what, POINTS_ITEM_CHANGED_PRICE);
	ck_assert_int_eq(c.cash, 1500);
	ck_assert_int_eq(c.price, 500);
	ck_assert_int_eq(points_item_history_next(hi, &c), POINTS_ITEROVER);
	points_item_history_iterator_free(hi);
}
END_TEST

/* An order as older formats wrote it (_i 0: version 1, without the
 * cash; 1: version 2, without the allowance and the points' hold id)
 * reads with none, its hold the order's id, and its life goes on. */
START_TEST(test_older_order_records_read)
{
	const char *uri = tu_sqlite_uri();
	points_db *d;
	points_store *s;
	points_keyspace *ks;
	points_order o, g;
	points_item_def id = POINTS_ITEM_DEF_INIT;
	points_item it;
	points_order_req r = POINTS_ORDER_REQ_INIT;
	unsigned char key[16], buf[512];
	const void *v;
	size_t vl;
	int64_t acct;

	d = tu_open(uri);
	acct = tu_account(d, "E9");
	ck_assert_int_eq(tu_earn(d, acct, "PTS", 1000, NULL), POINTS_OK);
	id.sku = "OLD";
	id.name = "Old";
	id.category = "physical";
	id.asset = "PTS";
	id.price = 250;
	id.stock = 9;
	id.actor = "admin";
	ck_assert_int_eq(points_item_create(d, &id, &it), POINTS_OK);
	r.account = acct;
	r.sku = "OLD";
	ck_assert_int_eq(points_order_place(d, &r, &o), POINTS_OK);
	points_close(d);
	ck_assert_int_eq(uuid_parse(o.id, key), 0);
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	ck_assert_int_eq(s->keyspace(s, "mallorder", POINTS_KS_ORDERED, &ks),
	    POINTS_OK);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->get(s, ks, key, 16, &v, &vl), POINTS_OK);
	ck_assert_uint_lt(vl, sizeof(buf));
	memcpy(buf, v, vl);
	/* version 3 ends in cash and cash_points (0), the allowance (""),
	 * its amount (0), its three ids (""), then the hold's id */
	ck_assert_uint_eq(buf[0], 3);
	ck_assert_uint_eq(buf[vl - 37], 36);
	ck_assert_mem_eq(buf + vl - 36, o.id, 36);
	ck_assert_mem_eq(buf + vl - 44, "\0\0\0\0\0\0\0", 7);
	buf[0] = (unsigned char)(1 + _i);
	ck_assert_int_eq(s->put(s, ks, key, 16, buf, vl - (_i ? 42 : 44)),
	    POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	points_store_close(s);
	d = tu_open_bare(uri);
	ck_assert_int_eq(points_order_get(d, o.id, &g), POINTS_OK);
	ck_assert_mem_eq(&g, &o, sizeof(g));
	ck_assert_int_eq(points_order_approve(d, o.id, NULL, NULL, &g),
	    POINTS_OK);
	ck_assert_int_eq(g.cash, 0);
	ck_assert_int_eq(tu_available(d, acct, "PTS"), 750);
	tu_invariants(d);
	points_close(d);
}
END_TEST

/* ---- The welfare allowance ---- */

static int64_t
avail(int64_t acct, const char *asset)
{
	return tu_available(db, acct, asset);
}

static int64_t
held_of(int64_t acct, const char *asset)
{
	points_balance b;

	ck_assert_int_eq(points_balance_get(db, acct, asset, &b), POINTS_OK);
	return b.held;
}

static int
place_allow(int64_t acct, const char *sku, int64_t qty, int64_t points_max,
    const char *allowance, const char *key, points_order *out)
{
	points_order_req r = POINTS_ORDER_REQ_INIT;

	r.account = acct;
	r.sku = sku;
	r.quantity = qty;
	r.points_max = points_max;
	r.allowance = allowance;
	r.idempotency_key = key;
	r.actor = "shop";
	return points_order_place(db, &r, out);
}

static points_order
place_allow_ok(int64_t acct, const char *sku, int64_t qty,
    int64_t points_max)
{
	points_order o;

	ck_assert_msg(place_allow(acct, sku, qty, points_max, "WELFARE", NULL,
	    &o) == POINTS_OK, "%s", points_errmsg(db));
	return o;
}

static void
pay_order(int order)
{
	points_mall_settings m;

	ck_assert_int_eq(points_mall_set_pay_order(db, order, "admin", NULL,
	    &m), POINTS_OK);
	ck_assert_int_eq(m.pay_order, order);
}

/* WELFARE, a yearly allowance: alice has 300 of it beside her 20,000
 * points; the gift costs 500 points. */
static void
allowance_setup(void)
{
	ck_assert_int_eq(points_asset_create(db, "WELFARE", 0,
	    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "WELFARE", 300, NULL), POINTS_OK);
	item_cash("GIFT", 500, 0, 10);
}

/* The default: the allowance pays first (all 300), points the rest;
 * two holds, both captured on approval. */
START_TEST(test_allowance_then_points)
{
	points_order o, g;
	points_mall_settings m;
	points_hold h;
	points_outbox_event e;

	allowance_setup();
	ck_assert_int_eq(points_mall_settings_get(db, &m), POINTS_OK);
	ck_assert_int_eq(m.pay_order, POINTS_PAY_ALLOWANCE_FIRST);
	o = place_allow_ok(alice, "GIFT", 1, -1);
	ck_assert_str_eq(o.allowance, "WELFARE");
	ck_assert_int_eq(o.allowance_amount, 300);
	ck_assert_int_eq(o.amount, 200);
	ck_assert_int_eq(o.cash, 0);
	ck_assert_int_eq(o.cash_points, 0);
	ck_assert_str_eq(o.hold_id, o.id);
	ck_assert_str_ne(o.allowance_hold_id, o.id);
	ck_assert_int_eq(avail(alice, "WELFARE"), 0);
	ck_assert_int_eq(held_of(alice, "WELFARE"), 300);
	ck_assert_int_eq(avail(alice, "PTS"), 19800);
	ck_assert_int_eq(held_of(alice, "PTS"), 200);
	ck_assert_int_eq(points_hold_get(db, o.allowance_hold_id, &h),
	    POINTS_OK);
	ck_assert_int_eq(h.amount, 300);
	ck_assert_int_eq(points_order_get(db, o.id, &g), POINTS_OK);
	ck_assert_mem_eq(&g, &o, sizeof(g));
	ck_assert_int_eq(points_outbox_next(db, 0, &e), POINTS_OK);
	ck_assert_ptr_nonnull(strstr(e.data, "\"allowance\":\"WELFARE\""));
	ck_assert_ptr_nonnull(strstr(e.data, "\"allowance_amount\":300"));
	ck_assert_int_eq(points_order_approve(db, o.id, "ops", NULL, &o),
	    POINTS_OK);
	ck_assert_str_ne(o.capture_id, "");
	ck_assert_str_ne(o.allowance_capture_id, "");
	ck_assert_int_eq(held_of(alice, "WELFARE"), 0);
	ck_assert_int_eq(held_of(alice, "PTS"), 0);
	ck_assert_int_eq(avail(alice, "WELFARE"), 0);
	ck_assert_int_eq(avail(alice, "PTS"), 19800);
	ck_assert_int_eq(points_hold_get(db, o.allowance_hold_id, &h),
	    POINTS_OK);
	ck_assert_int_eq(h.state, POINTS_HOLD_CAPTURED);
	/* no allowance left: the next order is all points, one hold */
	o = place_allow_ok(alice, "GIFT", 1, -1);
	ck_assert_int_eq(o.allowance_amount, 0);
	ck_assert_str_eq(o.allowance, "");
	ck_assert_str_eq(o.allowance_hold_id, "");
	ck_assert_int_eq(o.amount, 500);
	/* an allowance that pays it all: the order is its hold */
	ck_assert_int_eq(tu_earn(db, alice, "WELFARE", 1000, NULL), POINTS_OK);
	o = place_allow_ok(alice, "GIFT", 2, -1);
	ck_assert_int_eq(o.allowance_amount, 1000);
	ck_assert_int_eq(o.amount, 0);
	ck_assert_str_eq(o.hold_id, "");
	ck_assert_str_eq(o.allowance_hold_id, o.id);
	ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_str_eq(o.capture_id, "");
	ck_assert_int_eq(avail(alice, "WELFARE"), 0);
	ck_assert_int_eq(avail(alice, "PTS"), 19800 - 500);
	ck_assert_int_eq(points_order_cancel(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_str_eq(o.refund_id, "");
	ck_assert_str_ne(o.allowance_refund_id, "");
	ck_assert_int_eq(avail(alice, "WELFARE"), 1000);
	ck_assert_int_eq(avail(alice, "PTS"), 19800 - 500);
}
END_TEST

/* The other configured order: points first, the allowance the rest. */
START_TEST(test_points_then_allowance)
{
	points_order o;
	points_mall_settings m;

	allowance_setup();
	ck_assert_int_eq(tu_earn(db, bob, "WELFARE", 1000, NULL), POINTS_OK);
	ck_assert_int_eq(points_mall_set_pay_order(db, POINTS_PAY_POINTS_FIRST,
	    "admin", "points expire sooner", &m), POINTS_OK);
	ck_assert_int_eq(m.pay_order, POINTS_PAY_POINTS_FIRST);
	ck_assert_str_eq(m.reason, "points expire sooner");
	ck_assert_int_eq(m.updated, tu_now);
	/* the same again writes nothing */
	tu_snap(db);
	ck_assert_int_eq(points_mall_set_pay_order(db, POINTS_PAY_POINTS_FIRST,
	    "admin", NULL, &m), POINTS_OK);
	tu_unchanged(db);
	/* the window setting keeps it */
	ck_assert_int_eq(points_mall_set_window(db, 0, 0x1f, "admin", NULL,
	    &m), POINTS_OK);
	ck_assert_int_eq(m.pay_order, POINTS_PAY_POINTS_FIRST);
	ck_assert_int_eq(points_mall_set_window(db, 0, 0, "admin", NULL, &m),
	    POINTS_OK);
	/* bob has 300 points: they pay first, the allowance the other 200 */
	o = place_allow_ok(bob, "GIFT", 1, -1);
	ck_assert_int_eq(o.amount, 300);
	ck_assert_int_eq(o.allowance_amount, 200);
	ck_assert_int_eq(avail(bob, "PTS"), 0);
	ck_assert_int_eq(avail(bob, "WELFARE"), 800);
	/* alice has points enough: no allowance */
	o = place_allow_ok(alice, "GIFT", 1, -1);
	ck_assert_int_eq(o.amount, 500);
	ck_assert_int_eq(o.allowance_amount, 0);
	ck_assert_int_eq(avail(alice, "WELFARE"), 300);
	/* points_max caps the points: the allowance pays what it has, the
	 * rest is cash, which needs a ratio */
	TU_FAILS(db, place_allow(alice, "GIFT", 1, 100, "WELFARE", NULL, &o),
	    POINTS_ENOTFOUND);
	ratio(100, 1000);
	o = place_allow_ok(alice, "GIFT", 1, 100);
	ck_assert_int_eq(o.amount, 100);
	ck_assert_int_eq(o.allowance_amount, 300);
	ck_assert_int_eq(o.cash_points, 100);
	ck_assert_int_eq(o.cash, 1000);
	/* back to the default */
	pay_order(POINTS_PAY_ALLOWANCE_FIRST);
}
END_TEST

/* Points + allowance + cash, both orders: 100 points = 10.00 yuan. */
START_TEST(test_allowance_points_and_cash)
{
	points_order o;

	allowance_setup();
	ratio(100, 1000);
	/* allowance first: 300, then at most 150 points, 50 in cash */
	o = place_allow_ok(alice, "GIFT", 1, 150);
	ck_assert_int_eq(o.allowance_amount, 300);
	ck_assert_int_eq(o.amount, 150);
	ck_assert_int_eq(o.cash_points, 50);
	ck_assert_int_eq(o.cash, 500);
	ck_assert_int_eq(points_order_cancel(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	/* points first: bob's 300 points, at most 250; then 100 of the
	 * allowance (all he has); 150 in cash */
	ck_assert_int_eq(tu_earn(db, bob, "WELFARE", 100, NULL), POINTS_OK);
	pay_order(POINTS_PAY_POINTS_FIRST);
	o = place_allow_ok(bob, "GIFT", 1, 250);
	ck_assert_int_eq(o.amount, 250);
	ck_assert_int_eq(o.allowance_amount, 100);
	ck_assert_int_eq(o.cash_points, 150);
	ck_assert_int_eq(o.cash, 1500);
	ck_assert_int_eq(avail(bob, "PTS"), 50);
	ck_assert_int_eq(avail(bob, "WELFARE"), 0);
	ck_assert_int_eq(avail(alice, "WELFARE"), 300);
	ck_assert_int_eq(avail(alice, "PTS"), 20000);
}
END_TEST

/* A two-asset order cancelled before and after approval, and returned:
 * each asset comes back exactly. */
START_TEST(test_two_asset_cancel_and_return)
{
	points_order o;
	points_txn t;

	allowance_setup();
	o = place_allow_ok(alice, "GIFT", 1, -1);
	ck_assert_int_eq(points_order_cancel(db, o.id, "alice", NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(points_txn_get(db, o.refund_id, &t), POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_RELEASE);
	ck_assert_int_eq(points_txn_get(db, o.allowance_refund_id, &t),
	    POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_RELEASE);
	ck_assert_int_eq(avail(alice, "WELFARE"), 300);
	ck_assert_int_eq(avail(alice, "PTS"), 20000);
	ck_assert_int_eq(held_of(alice, "WELFARE"), 0);
	ck_assert_int_eq(held_of(alice, "PTS"), 0);
	/* approved, then cancelled: both captures reversed */
	o = place_allow_ok(alice, "GIFT", 1, -1);
	ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(points_order_cancel(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(points_txn_get(db, o.refund_id, &t), POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_REVERSAL);
	ck_assert_int_eq(points_txn_get(db, o.allowance_refund_id, &t),
	    POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_REVERSAL);
	ck_assert_int_eq(avail(alice, "WELFARE"), 300);
	ck_assert_int_eq(avail(alice, "PTS"), 20000);
	/* delivered, then returned */
	o = place_allow_ok(alice, "GIFT", 2, -1);
	ck_assert_int_eq(o.allowance_amount, 300);
	ck_assert_int_eq(o.amount, 700);
	ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(points_order_deliver(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(avail(alice, "WELFARE"), 0);
	ck_assert_int_eq(avail(alice, "PTS"), 19300);
	ck_assert_int_eq(points_order_return(db, o.id, 1, "alice", NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(o.state, POINTS_ORDER_RETURNED);
	ck_assert_int_eq(points_txn_get(db, o.allowance_refund_id, &t),
	    POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_REVERSAL);
	ck_assert_int_eq(avail(alice, "WELFARE"), 300);
	ck_assert_int_eq(avail(alice, "PTS"), 20000);
	{
		points_item it;

		ck_assert_int_eq(points_item_get(db, "GIFT", &it), POINTS_OK);
		ck_assert_int_eq(it.stock, 10);
		ck_assert_int_eq(it.orders, 0);
		ck_assert_int_eq(it.points, 0);
	}
}
END_TEST

/* Every refusal of the allowance: its own code and message, nothing
 * written. */
START_TEST(test_allowance_refusals_write_nothing)
{
	points_order o;
	points_mall_settings m;
	char longname[POINTS_ASSET_MAX + 2];

	allowance_setup();
	TU_FAILS(db, place_allow(alice, "GIFT", 1, -1, "NOPE", NULL, &o),
	    POINTS_ENOTFOUND);
	TU_FAILS(db, place_allow(alice, "GIFT", 1, -1, "PTS", NULL, &o),
	    POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "the allowance must be "
	    "another asset"));
	memset(longname, 'W', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	TU_FAILS(db, place_allow(alice, "GIFT", 1, -1, longname, NULL, &o),
	    POINTS_EINVAL);
	/* allowance first, then bob's 300 points: 500 more than he has */
	TU_FAILS(db, place_allow(bob, "GIFT", 2, -1, "WELFARE", NULL, &o),
	    POINTS_EINSUFFICIENT);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "E1002"));
	/* points first, the allowance short: the allowance's hold says so */
	ck_assert_int_eq(tu_earn(db, bob, "WELFARE", 100, NULL), POINTS_OK);
	pay_order(POINTS_PAY_POINTS_FIRST);
	TU_FAILS(db, place_allow(bob, "GIFT", 1, -1, "WELFARE", NULL, &o),
	    POINTS_EINSUFFICIENT);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "account E1002: "
	    "insufficient WELFARE (the allowance): available 100, needs 200 "
	    "beyond 300 PTS"));
	/* nothing of either: carol has neither */
	{
		int64_t carol = tu_account(db, "E1003");

		ratio(100, 1000);
		TU_FAILS(db, place_allow(carol, "GIFT", 1, 100, "WELFARE",
		    NULL, &o), POINTS_EINSUFFICIENT);
		ck_assert_ptr_nonnull(strstr(points_errmsg(db), "has neither "
		    "PTS nor WELFARE"));
	}
	/* the pay order: one of two */
	TU_FAILS(db, points_mall_set_pay_order(db, 2, "admin", NULL, &m),
	    POINTS_EINVAL);
	TU_FAILS(db, points_mall_set_pay_order(db, -1, "admin", NULL, &m),
	    POINTS_EINVAL);
	TU_FAILS(db, points_mall_set_pay_order(db, 0, NULL, NULL, &m),
	    POINTS_EINVAL);
	TU_FAILS(db, points_mall_set_pay_order(db, 0, "admin", NULL, NULL),
	    POINTS_EINVAL);
	/* an order paid by an allowance is not switched */
	pay_order(POINTS_PAY_ALLOWANCE_FIRST);
	o = place_allow_ok(alice, "GIFT", 1, -1);
	item_cash("OTHER", 400, 0, 10);
	TU_FAILS(db, points_order_switch(db, o.id, "OTHER", NULL, NULL, &o),
	    POINTS_ESTATE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "partly in WELFARE"));
	/* the allowance is in the idempotency fingerprint */
	ck_assert_int_eq(place_allow(alice, "GIFT", 1, -1, "WELFARE", "k2",
	    &o), POINTS_OK);
	ck_assert_int_eq(place_allow(alice, "GIFT", 1, -1, "WELFARE", "k2",
	    &o), POINTS_OK);
	ck_assert_int_eq(o.replayed, 1);
	TU_FAILS(db, place_allow(alice, "GIFT", 1, -1, NULL, "k2", &o),
	    POINTS_ECONFLICT);
}
END_TEST

/* A replayed order paid all by the allowance finds its order by the
 * allowance's hold. */
START_TEST(test_allowance_only_order_replays)
{
	points_order o, p;

	allowance_setup();
	ratio(100, 1000);
	ck_assert_int_eq(place_allow(alice, "GIFT", 1, 1, "WELFARE", "k3", &o),
	    POINTS_OK);
	ck_assert_int_eq(o.allowance_amount, 300);
	ck_assert_int_eq(o.amount, 1);
	ck_assert_int_eq(o.cash, 1990);
	ck_assert_int_eq(tu_earn(db, alice, "WELFARE", 1000, NULL), POINTS_OK);
	ck_assert_int_eq(place_allow(alice, "GIFT", 1, -1, "WELFARE", "k4", &o),
	    POINTS_OK);
	ck_assert_int_eq(o.amount, 0);
	ck_assert_int_eq(place_allow(alice, "GIFT", 1, -1, "WELFARE", "k4", &p),
	    POINTS_OK);
	ck_assert_int_eq(p.replayed, 1);
	ck_assert_str_eq(p.id, o.id);
	ck_assert_int_eq(avail(alice, "WELFARE"), 500);
}
END_TEST

/* ---- A seeded random run against a model ----
 * Random ratios (small and near the bound), prices, cash parts,
 * quantities and points_max; the model works the cash out in 128 bits
 * (the library in 64, split) and keeps each account's points and the
 * cash the host is owed; orders are cancelled or approved and
 * returned at random. */
#define M_ACCTS 3
#define M_ORDERS 40

typedef struct m_order {
	char id[POINTS_ID_LEN + 1];
	int acct, state;
	int64_t amount, cash;
} m_order;

static int64_t
m_rand(int64_t lo, int64_t hi)
{
	uint64_t r = ((uint64_t)rand() << 31) ^ (uint64_t)rand();

	return lo + (int64_t)(r % (uint64_t)(hi - lo + 1));
}

START_TEST(test_random_splits_against_model)
{
	__extension__ typedef unsigned __int128 u128;
	int64_t acct[M_ACCTS], bal[M_ACCTS], owed = 0, rp, rc_;
	m_order ord[M_ORDERS];
	unsigned seed = 4000u + (unsigned)_i;
	int n = 0, step, i;

	srand(seed);
	for (i = 0; i < M_ACCTS; i++) {
		char ext[16];

		snprintf(ext, sizeof(ext), "R%d", i);
		acct[i] = tu_account(db, ext);
		bal[i] = m_rand(1, 5000);
		ck_assert_int_eq(tu_earn(db, acct[i], "PTS", bal[i], NULL),
		    POINTS_OK);
	}
	if (_i % 2) {
		rp = m_rand(1, POINTS_CASH_RATIO_MAX);
		rc_ = m_rand(1, POINTS_CASH_RATIO_MAX);
	} else {
		rp = m_rand(1, 300);
		rc_ = m_rand(1, 300);
	}
	ratio(rp, rc_);
	for (step = 0; step < 200; step++) {
		int a = rand() % M_ACCTS, rc;
		points_order o;

		if (n < M_ORDERS && (n == 0 || rand() % 3 == 0)) {
			int64_t price = m_rand(1, 2000), cpart = m_rand(0, 3) ?
			    0 : m_rand(1, 100000), q = m_rand(1, 3);
			int64_t max = rand() % 3 ? m_rand(1, 2 * price * q) :
			    -1, amount = price * q, cp = 0, cash;
			char sku[16];
			int want;

			snprintf(sku, sizeof(sku), "S%d", step);
			item_cash(sku, price, cpart, POINTS_STOCK_UNLIMITED);
			if (max != -1 && max < amount) {
				cp = amount - max;
				amount = max;
			}
			cash = (int64_t)(((u128)cp * (u128)rc_ + (u128)rp -
			    1) / (u128)rp) + cpart * q;
			want = bal[a] < amount ? POINTS_EINSUFFICIENT :
			    POINTS_OK;
			if (want)
				tu_snap(db);
			rc = place_cash(acct[a], sku, q, max, NULL, &o);
			ck_assert_msg(rc == want, "seed %u step %d: %d, want "
			    "%d: %s", seed, step, rc, want, points_errmsg(db));
			if (rc) {
				tu_unchanged(db);
				continue;
			}
			ck_assert_msg(o.amount == amount && o.cash == cash &&
			    o.cash_points == cp, "seed %u step %d: %lld + "
			    "%lld cash (%lld points), want %lld + %lld (%lld)",
			    seed, step, (long long)o.amount,
			    (long long)o.cash, (long long)o.cash_points,
			    (long long)amount, (long long)cash, (long long)cp);
			bal[a] -= amount;
			owed += cash;
			strcpy(ord[n].id, o.id);
			ord[n].acct = a;
			ord[n].state = POINTS_ORDER_SUBMITTED;
			ord[n].amount = amount;
			ord[n].cash = cash;
			n++;
		} else {
			m_order *m = &ord[rand() % n];

			switch (m->state) {
			case POINTS_ORDER_SUBMITTED:
				if (rand() % 2) {
					rc = points_order_approve(db, m->id,
					    NULL, NULL, &o);
					m->state = POINTS_ORDER_APPROVED;
					break;
				}
				/* FALLTHROUGH */
			case POINTS_ORDER_APPROVED:
				if (rand() % 2) {
					rc = points_order_cancel(db, m->id,
					    NULL, NULL, &o);
					m->state = POINTS_ORDER_CANCELLED;
				} else {
					if (m->state == POINTS_ORDER_SUBMITTED)
						continue;
					rc = points_order_deliver(db, m->id,
					    NULL, NULL, &o);
					ck_assert_int_eq(rc, POINTS_OK);
					rc = points_order_return(db, m->id, 0,
					    NULL, NULL, &o);
					m->state = POINTS_ORDER_RETURNED;
				}
				bal[m->acct] += m->amount;
				owed -= m->cash;
				break;
			default:
				continue;
			}
			ck_assert_msg(rc == POINTS_OK, "seed %u step %d: %s",
			    seed, step, points_errmsg(db));
			ck_assert_int_eq(o.state, m->state);
			ck_assert_int_eq(o.cash, m->cash);
		}
		for (i = 0; i < M_ACCTS; i++)
			ck_assert_int_eq(tu_available(db, acct[i], "PTS"),
			    bal[i]);
	}
	/* the cash the host is owed: the open orders' */
	{
		points_order_iterator *it;
		points_order o;
		int64_t sum = 0;

		ck_assert_int_eq(points_order_iterator_new(db, 0, -1, NULL,
		    &it), POINTS_OK);
		while (points_order_next(it, &o) == POINTS_OK)
			if (o.state != POINTS_ORDER_CANCELLED &&
			    o.state != POINTS_ORDER_RETURNED)
				sum += o.cash;
		points_order_iterator_free(it);
		ck_assert_int_eq(sum, owed);
	}
}
END_TEST

/* The allowance too: each seed's pay order (even: allowance first),
 * random balances of both, orders with and without the allowance and
 * points_max; the model splits each order as points/mall.h says, and
 * keeps both balances through approvals, cancels and returns.  The
 * clock moves up to a day and a half a step (the ledger's time index,
 * which lists an account's orders, has a bucket of about 18 hours), and
 * each account's list of orders (points only, allowance only, both)
 * is its orders in the order they were placed, each in its state. */
START_TEST(test_random_allowance_splits_against_model)
{
	int64_t acct[M_ACCTS], bal[M_ACCTS], wel[M_ACCTS];
	struct {
		char id[POINTS_ID_LEN + 1];
		int acct, state;
		int64_t points, allow;
	} ord[M_ORDERS];
	unsigned seed = 5000u + (unsigned)_i;
	int n = 0, step, i, first = _i % 2 ? POINTS_PAY_POINTS_FIRST :
	    POINTS_PAY_ALLOWANCE_FIRST;

	srand(seed);
	ck_assert_int_eq(points_asset_create(db, "WELFARE", 0,
	    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
	pay_order(first);
	ratio(m_rand(1, 300), m_rand(1, 300));
	for (i = 0; i < M_ACCTS; i++) {
		char ext[16];

		snprintf(ext, sizeof(ext), "W%d", i);
		acct[i] = tu_account(db, ext);
		bal[i] = m_rand(0, 3000);
		wel[i] = m_rand(0, 3000);
		if (bal[i])
			ck_assert_int_eq(tu_earn(db, acct[i], "PTS", bal[i],
			    NULL), POINTS_OK);
		if (wel[i])
			ck_assert_int_eq(tu_earn(db, acct[i], "WELFARE",
			    wel[i], NULL), POINTS_OK);
	}
	for (step = 0; step < 150; step++) {
		int a = rand() % M_ACCTS, rc;
		points_order o;

		if (n < M_ORDERS && (n == 0 || rand() % 2 == 0)) {
			int64_t total = m_rand(1, 1500), max = rand() % 2 ?
			    m_rand(1, 1500) : -1, cap, left = total;
			int64_t p = 0, w = 0, cp;
			int use = rand() % 4 != 0, want = POINTS_OK;
			char sku[16];

			snprintf(sku, sizeof(sku), "A%d", step);
			item_cash(sku, total, 0, POINTS_STOCK_UNLIMITED);
			cap = max == -1 ? INT64_MAX : max;
			if (!use) {
				p = left < cap ? left : cap;
				left -= p;
			} else if (first == POINTS_PAY_POINTS_FIRST) {
				if (bal[a] < cap)
					cap = bal[a];
				p = left < cap ? left : cap;
				left -= p;
				if (max == -1 && left > wel[a])
					want = POINTS_EINSUFFICIENT;
				w = left < wel[a] ? left : wel[a];
				left -= w;
			} else {
				w = left < wel[a] ? left : wel[a];
				left -= w;
				p = left < cap ? left : cap;
				left -= p;
			}
			cp = left;
			if (p > bal[a] || (p == 0 && w == 0))
				want = POINTS_EINSUFFICIENT;
			if (want)
				tu_snap(db);
			rc = place_allow(acct[a], sku, 1, max, use ? "WELFARE" :
			    NULL, NULL, &o);
			ck_assert_msg(rc == want, "seed %u step %d: %d, want "
			    "%d: %s", seed, step, rc, want, points_errmsg(db));
			if (rc) {
				tu_unchanged(db);
				continue;
			}
			ck_assert_msg(o.amount == p && o.allowance_amount == w &&
			    o.cash_points == cp, "seed %u step %d: %lld + %lld "
			    "+ %lld cash, want %lld + %lld + %lld", seed, step,
			    (long long)o.amount, (long long)o.allowance_amount,
			    (long long)o.cash_points, (long long)p,
			    (long long)w, (long long)cp);
			bal[a] -= p;
			wel[a] -= w;
			strcpy(ord[n].id, o.id);
			ord[n].acct = a;
			ord[n].state = POINTS_ORDER_SUBMITTED;
			ord[n].points = p;
			ord[n].allow = w;
			n++;
		} else {
			int k = rand() % n, back = 0;

			switch (ord[k].state) {
			case POINTS_ORDER_SUBMITTED:
				if (rand() % 2) {
					rc = points_order_approve(db, ord[k].id,
					    NULL, NULL, &o);
					ord[k].state = POINTS_ORDER_APPROVED;
				} else {
					rc = points_order_cancel(db, ord[k].id,
					    NULL, NULL, &o);
					ord[k].state = POINTS_ORDER_CANCELLED;
					back = 1;
				}
				break;
			case POINTS_ORDER_APPROVED:
				if (rand() % 2) {
					rc = points_order_cancel(db, ord[k].id,
					    NULL, NULL, &o);
					ord[k].state = POINTS_ORDER_CANCELLED;
				} else {
					rc = points_order_deliver(db, ord[k].id,
					    NULL, NULL, &o);
					ck_assert_int_eq(rc, POINTS_OK);
					rc = points_order_return(db, ord[k].id,
					    0, NULL, NULL, &o);
					ord[k].state = POINTS_ORDER_RETURNED;
				}
				back = 1;
				break;
			default:
				continue;
			}
			ck_assert_msg(rc == POINTS_OK, "seed %u step %d: %s",
			    seed, step, points_errmsg(db));
			ck_assert_int_eq(o.state, ord[k].state);
			if (back) {
				bal[ord[k].acct] += ord[k].points;
				wel[ord[k].acct] += ord[k].allow;
			}
		}
		for (i = 0; i < M_ACCTS; i++) {
			points_order_iterator *it;
			points_order g;
			int k = 0;

			ck_assert_int_eq(avail(acct[i], "PTS"), bal[i]);
			ck_assert_int_eq(avail(acct[i], "WELFARE"), wel[i]);
			ck_assert_int_eq(points_order_iterator_new(db, acct[i],
			    -1, NULL, &it), POINTS_OK);
			while ((rc = points_order_next(it, &g)) == POINTS_OK) {
				while (k < n && ord[k].acct != i)
					k++;
				ck_assert_msg(k < n, "seed %u step %d: account "
				    "%d lists order %s, not its own", seed,
				    step, i, g.id);
				ck_assert_str_eq(g.id, ord[k].id);
				ck_assert_int_eq(g.state, ord[k].state);
				k++;
			}
			ck_assert_int_eq(rc, POINTS_ITEROVER);
			points_order_iterator_free(it);
			while (k < n && ord[k].acct != i)
				k++;
			ck_assert_msg(k == n, "seed %u step %d: account %d "
			    "leaves out order %s", seed, step, i, ord[k].id);
		}
		tu_now += m_rand(0, 36 * 3600);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("payment");
	TCase *tc = tcase_create("payment");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_cash_ratio_set_get_remove);
	tcase_add_test(tc, test_points_plus_cash_exact);
	tcase_add_test(tc, test_cash_rounding);
	tcase_add_test(tc, test_cash_order_cancel_and_return);
	tcase_add_test(tc, test_cash_refusals_write_nothing);
	tcase_add_test(tc, test_versions_and_idempotency);
	tcase_add_test(tc, test_cash_part_in_history);
	tcase_add_loop_test(tc, test_older_order_records_read, 0, 2);
	tcase_add_test(tc, test_allowance_then_points);
	tcase_add_test(tc, test_points_then_allowance);
	tcase_add_test(tc, test_allowance_points_and_cash);
	tcase_add_test(tc, test_two_asset_cancel_and_return);
	tcase_add_test(tc, test_allowance_refusals_write_nothing);
	tcase_add_test(tc, test_allowance_only_order_replays);
	tcase_add_loop_test(tc, test_random_splits_against_model, 0, 6);
	tcase_add_loop_test(tc, test_random_allowance_splits_against_model, 0,
	    6);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
