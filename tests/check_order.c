/* check_order.c - the mall's orders: placing (every refusal, with
 * nothing written), the life cycle and every illegal change, the hotel
 * night at three tier prices and the gold-only suite, cancellations that
 * give the points back, returns within the period (the 7th day accepted,
 * the 8th refused), idempotent placing, the history, the lists, the
 * outbox, and a seeded random run against a small model.  The ledgers
 * are "memory:" (make check-c runs the suite on SQLite too); the
 * invariants and points_verify hold after every test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static points_db *db;
static int64_t alice, bob, carol, dave;

static void
tier(int64_t acct, const char *t)
{
	ck_assert_int_eq(points_account_update(db, acct, NULL, t, NULL),
	    POINTS_OK);
}

static void
item(const char *sku, int64_t price, int64_t stock)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_item it;

	d.sku = sku;
	d.name = sku;
	d.category = "physical";
	d.asset = "PTS";
	d.price = price;
	d.stock = stock;
	d.actor = "admin";
	ck_assert_msg(points_item_create(db, &d, &it) == POINTS_OK, "%s",
	    points_errmsg(db));
}

static void
setup(void)
{
	tu_now = TU_T0 + 10 * 3600;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	carol = tu_account(db, "E1003");
	dave = tu_account(db, "E1004");
	ck_assert_int_eq(points_tier_set(db, "normal", 0, 100), POINTS_OK);
	ck_assert_int_eq(points_tier_set(db, "silver", 1, 100), POINTS_OK);
	ck_assert_int_eq(points_tier_set(db, "gold", 2, 100), POINTS_OK);
	tier(alice, "normal");
	tier(bob, "silver");
	tier(carol, "gold");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 20000, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 20000, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, carol, "PTS", 30000, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, dave, "PTS", 50, NULL), POINTS_OK);
	item("MUG", 100, 10);
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
place_full(int64_t acct, const char *sku, int64_t qty, const char *key,
    points_order *out)
{
	points_order_req r = POINTS_ORDER_REQ_INIT;

	r.account = acct;
	r.sku = sku;
	r.quantity = qty;
	r.idempotency_key = key;
	r.note = "Room 5, Building B";
	r.actor = "shop";
	return points_order_place(db, &r, out);
}

static points_order
place(int64_t acct, const char *sku, int64_t qty)
{
	points_order o;

	ck_assert_msg(place_full(acct, sku, qty, NULL, &o) == POINTS_OK, "%s",
	    points_errmsg(db));
	return o;
}

static int64_t
held(int64_t acct)
{
	points_balance b;

	ck_assert_int_eq(points_balance_get(db, acct, "PTS", &b), POINTS_OK);
	return b.held;
}

static points_item
get_item(const char *sku)
{
	points_item it;

	ck_assert_int_eq(points_item_get(db, sku, &it), POINTS_OK);
	return it;
}

START_TEST(test_life_cycle)
{
	points_order o, g;
	points_hold h;
	points_txn t;
	points_item it;

	o = place(alice, "MUG", 3);
	ck_assert_int_eq(o.state, POINTS_ORDER_SUBMITTED);
	ck_assert_int_eq(o.unit_price, 100);
	ck_assert_int_eq(o.amount, 300);
	ck_assert_int_eq(o.quantity, 3);
	ck_assert_int_eq(o.account, alice);
	ck_assert_str_eq(o.sku, "MUG");
	ck_assert_str_eq(o.asset, "PTS");
	ck_assert_str_eq(o.note, "Room 5, Building B");
	ck_assert_int_eq(o.created, tu_now);
	ck_assert_int_eq(o.changes, 1);
	ck_assert_int_eq(o.replayed, 0);
	ck_assert_int_eq(o.return_days, 7);
	/* the points are held, the stock taken, the counters raised */
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 19700);
	ck_assert_int_eq(held(alice), 300);
	ck_assert_int_eq(points_hold_get(db, o.id, &h), POINTS_OK);
	ck_assert_int_eq(h.state, POINTS_HOLD_OPEN);
	ck_assert_int_eq(h.amount, 300);
	it = get_item("MUG");
	ck_assert_int_eq(it.stock, 7);
	ck_assert_int_eq(it.orders, 1);
	ck_assert_int_eq(it.units, 3);
	ck_assert_int_eq(it.points, 300);
	ck_assert_int_eq(it.changes, 1); /* orders are not catalogue changes */
	ck_assert_int_eq(points_order_get(db, o.id, &g), POINTS_OK);
	ck_assert_mem_eq(&g, &o, sizeof(g));

	tu_now += 3600;
	ck_assert_int_eq(points_order_approve(db, o.id, "ops", "ok", &o),
	    POINTS_OK);
	ck_assert_int_eq(o.state, POINTS_ORDER_APPROVED);
	ck_assert_int_eq(o.updated, tu_now);
	ck_assert_int_eq(held(alice), 0);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 19700);
	ck_assert_int_eq(points_txn_get(db, o.capture_id, &t), POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_CAPTURE);
	ck_assert_int_eq(t.amount, 300);
	ck_assert_int_eq(t.to, POINTS_ACCOUNT_SINK);
	ck_assert_str_eq(t.category, "mall");
	ck_assert_str_eq(t.actor, "ops");
	tu_invariants(db);

	ck_assert_int_eq(points_order_ship(db, o.id, "SF Express",
	    "SF1234567", "warehouse", NULL, &o), POINTS_OK);
	ck_assert_int_eq(o.state, POINTS_ORDER_SHIPPED);
	ck_assert_str_eq(o.carrier, "SF Express");
	ck_assert_str_eq(o.tracking, "SF1234567");
	ck_assert_int_eq(o.shipped_at, tu_now);
	tu_now += 2 * TU_DAY;
	ck_assert_int_eq(points_order_deliver(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(o.state, POINTS_ORDER_DELIVERED);
	ck_assert_int_eq(o.delivered_at, tu_now);
	ck_assert_int_eq(o.changes, 4);
	ck_assert_str_eq(o.refund_id, "");
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 19700);
	ck_assert_int_eq(get_item("MUG").stock, 7);
}
END_TEST

START_TEST(test_history_and_outbox)
{
	points_order_history_iterator *it;
	points_order_change c;
	points_outbox_event e;
	points_order o = place(bob, "MUG", 1);
	int64_t seq = 0;

	ck_assert_int_eq(points_order_approve(db, o.id, "ops", "checked",
	    &o), POINTS_OK);
	ck_assert_int_eq(points_order_cancel(db, o.id, "bob", "changed my "
	    "mind", &o), POINTS_OK);
	ck_assert_int_eq(points_order_history_iterator_new(db, o.id, &it),
	    POINTS_OK);
	ck_assert_int_eq(points_order_history_next(it, &c), POINTS_OK);
	ck_assert_int_eq(c.n, 1);
	ck_assert_int_eq(c.from_state, -1);
	ck_assert_int_eq(c.to_state, POINTS_ORDER_SUBMITTED);
	ck_assert_str_eq(c.actor, "shop");
	ck_assert_str_eq(c.order_id, o.id);
	ck_assert_int_eq(points_order_history_next(it, &c), POINTS_OK);
	ck_assert_int_eq(c.from_state, POINTS_ORDER_SUBMITTED);
	ck_assert_int_eq(c.to_state, POINTS_ORDER_APPROVED);
	ck_assert_str_eq(c.reason, "checked");
	ck_assert_int_eq(points_order_history_next(it, &c), POINTS_OK);
	ck_assert_int_eq(c.to_state, POINTS_ORDER_CANCELLED);
	ck_assert_str_eq(c.actor, "bob");
	ck_assert_str_eq(c.reason, "changed my mind");
	ck_assert_int_eq(points_order_history_next(it, &c), POINTS_ITEROVER);
	points_order_history_iterator_free(it);
	/* the outbox: one event per change, for bob */
	{
		const char *to[] = { "submitted", "approved", "cancelled" };
		int i;

		for (i = 0; i < 3; i++) {
			char want[64];

			ck_assert_int_eq(points_outbox_next(db, seq, &e),
			    POINTS_OK);
			ck_assert_str_eq(e.kind, POINTS_OUTBOX_ORDER_STATE);
			ck_assert_str_eq(e.subject, o.id);
			ck_assert_int_eq(e.account, bob);
			snprintf(want, sizeof(want), "\"to\":\"%s\"", to[i]);
			ck_assert_msg(strstr(e.data, want) != NULL, "%s",
			    e.data);
			seq = e.seq;
		}
		ck_assert_int_eq(points_outbox_next(db, seq, &e),
		    POINTS_ITEROVER);
	}
	ck_assert_int_eq(points_order_history_iterator_new(db,
	    "0190a0a0-0000-7000-8000-000000000000", &it), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_order_history_iterator_new(db, "nope", &it),
	    POINTS_EINVAL);
}
END_TEST

/* An order event's data is JSON exactly: the carrier and tracking
 * number are the host's text, so a quote, a backslash and a control
 * character in them are escaped; the numbers are written in full. */
START_TEST(test_outbox_event_json)
{
	points_outbox_event e;
	points_order o = place(carol, "MUG", 10);
	int64_t seq = 0, last = 0;
	char want[POINTS_OUTBOX_DATA_MAX + 1];

	ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(points_order_ship(db, o.id, "Fast \"Air\" \\ Co",
	    "T1\t2\x01", NULL, NULL, &o), POINTS_OK);
	while (points_outbox_next(db, seq, &e) == POINTS_OK) {
		seq = e.seq;
		if (strcmp(e.kind, POINTS_OUTBOX_ORDER_STATE) == 0)
			last = e.seq;
	}
	ck_assert_int_eq(points_outbox_next(db, last - 1, &e), POINTS_OK);
	snprintf(want, sizeof(want), "{\"order\":\"%s\",\"sku\":\"MUG\","
	    "\"from\":\"approved\",\"to\":\"shipped\",\"quantity\":10,"
	    "\"amount\":1000,\"carrier\":\"Fast \\\"Air\\\" \\\\ Co\","
	    "\"tracking\":\"T1\\u00092\\u0001\"}", o.id);
	ck_assert_str_eq(e.data, want);
}
END_TEST

/* The hotel night: 10,000 points for normal members, 8,000 for silver,
 * 6,000 for gold; the suite for gold members only. */
START_TEST(test_hotel_and_suite)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_item it;
	points_order o;

	item("HOTEL", 10000, POINTS_STOCK_UNLIMITED);
	ck_assert_int_eq(points_item_set_tier_price(db, "HOTEL", "silver",
	    8000, "admin", NULL, &it), POINTS_OK);
	ck_assert_int_eq(points_item_set_tier_price(db, "HOTEL", "gold", 6000,
	    "admin", NULL, &it), POINTS_OK);
	o = place(alice, "HOTEL", 1);
	ck_assert_int_eq(o.amount, 10000);
	o = place(bob, "HOTEL", 1);
	ck_assert_int_eq(o.amount, 8000);
	o = place(carol, "HOTEL", 2);
	ck_assert_int_eq(o.unit_price, 6000);
	ck_assert_int_eq(o.amount, 12000);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 10000);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 12000);
	ck_assert_int_eq(tu_available(db, carol, "PTS"), 18000);
	it = get_item("HOTEL");
	ck_assert_int_eq(it.stock, POINTS_STOCK_UNLIMITED);
	ck_assert_int_eq(it.units, 4);
	ck_assert_int_eq(it.points, 30000);

	d.sku = "SUITE";
	d.name = "Suite";
	d.category = "travel/hotel";
	d.asset = "PTS";
	d.price = 15000;
	d.stock = 1;
	d.min_tier = "gold";
	d.actor = "admin";
	ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
	TU_FAILS(db, place_full(bob, "SUITE", 1, NULL, &o),
	    POINTS_ENOTELIGIBLE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "'gold'"));
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "'silver'"));
	TU_FAILS(db, place_full(dave, "SUITE", 1, NULL, &o),
	    POINTS_ENOTELIGIBLE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "none"));
	/* a tier the table does not have is below every tier */
	tier(dave, "vip");
	TU_FAILS(db, place_full(dave, "SUITE", 1, NULL, &o),
	    POINTS_ENOTELIGIBLE);
	ck_assert_str_eq(points_errmsg(db), "item 'SUITE' is for tier 'gold' "
	    "and above; the account's tier is 'vip'");
	o = place(carol, "SUITE", 1);
	ck_assert_int_eq(o.amount, 15000);
	/* a higher tier than the minimum may too */
	ck_assert_int_eq(points_tier_set(db, "platinum", 3, 100), POINTS_OK);
	tier(bob, "platinum");
	TU_FAILS(db, place_full(bob, "SUITE", 1, NULL, &o),
	    POINTS_EOUTOFSTOCK);
}
END_TEST

START_TEST(test_refusals_write_nothing)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_order_req r = POINTS_ORDER_REQ_INIT;
	points_item it;
	points_order o;
	int64_t eve = tu_account(db, "E1005");

	/* insufficient: dave has 50 */
	TU_FAILS(db, place_full(dave, "MUG", 1, NULL, &o),
	    POINTS_EINSUFFICIENT);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "insufficient"));
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "E1004"));
	/* out of stock, then the limit */
	TU_FAILS(db, place_full(alice, "MUG", 11, NULL, &o),
	    POINTS_EOUTOFSTOCK);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "10 left"));
	d.sku = "CARD";
	d.name = "Card";
	d.category = "virtual";
	d.asset = "PTS";
	d.price = 500;
	d.stock = 100;
	d.order_limit = 2;
	d.actor = "admin";
	ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
	TU_FAILS(db, place_full(alice, "CARD", 3, NULL, &o), POINTS_EQUOTA);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "at most 2"));
	o = place(alice, "CARD", 2);
	/* delisted */
	ck_assert_int_eq(points_item_set_listed(db, "CARD", 0, "admin", NULL,
	    &it), POINTS_OK);
	TU_FAILS(db, place_full(alice, "CARD", 1, NULL, &o), POINTS_ESTATE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "delisted"));
	/* an open order of a delisted item stays fulfillable */
	ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	TU_FAILS(db, place_full(alice, "NOPE", 1, NULL, &o),
	    POINTS_ENOTFOUND);
	/* frozen, closed, a system account, no account */
	ck_assert_int_eq(points_account_freeze(db, bob), POINTS_OK);
	TU_FAILS(db, place_full(bob, "MUG", 1, NULL, &o), POINTS_EFROZEN);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "E1002 is frozen"));
	ck_assert_int_eq(points_account_close(db, eve), POINTS_OK);
	TU_FAILS(db, place_full(eve, "MUG", 1, NULL, &o), POINTS_ECLOSED);
	TU_FAILS(db, place_full(POINTS_ACCOUNT_SINK, "MUG", 1, NULL, &o),
	    POINTS_EINVAL);
	TU_FAILS(db, place_full(999, "MUG", 1, NULL, &o), POINTS_ENOTFOUND);
	/* bad requests */
	TU_FAILS(db, place_full(alice, "MUG", 0, NULL, &o), POINTS_EINVAL);
	TU_FAILS(db, place_full(alice, "bad sku", 1, NULL, &o),
	    POINTS_EINVAL);
	TU_FAILS(db, place_full(0, "MUG", 1, NULL, &o), POINTS_EINVAL);
	TU_FAILS(db, place_full(alice, "MUG", 1, "", &o), POINTS_EINVAL);
	TU_FAILS(db, place_full(alice, "MUG", INT64_MAX, NULL, &o),
	    POINTS_EOUTOFSTOCK);
	/* units times the price past int64: refused, not wrapped */
	d.sku = "VAST";
	d.name = "Vast";
	d.price = INT64_MAX / 2 + 1;
	d.stock = POINTS_STOCK_UNLIMITED;
	d.order_limit = 0;
	ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
	TU_FAILS(db, place_full(alice, "VAST", 2, NULL, &o),
	    POINTS_EOVERFLOW);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "item 'VAST': 2 "
	    "units at 4611686018427387904 points overflow"));
	ck_assert_int_eq(points_order_place(db, NULL, &o), POINTS_EINVAL);
	r.account = alice;
	r.sku = "MUG";
	ck_assert_int_eq(points_order_place(db, &r, NULL), POINTS_EINVAL);
	r.version = 9;
	ck_assert_int_eq(points_order_place(db, &r, &o), POINTS_EVERSION);
	ck_assert_int_eq(points_order_req_init(&r, 0), POINTS_EVERSION);
	ck_assert_int_eq(points_order_req_init(&r, POINTS_ORDER_REQ_VERSION),
	    POINTS_OK);
	ck_assert_int_eq(r.quantity, 1);
}
END_TEST

/* Every change an order's state does not allow: POINTS_ESTATE, nothing
 * written. */
START_TEST(test_illegal_changes)
{
	enum { A, C, S, D, R, NACT };
	/* allowed[state][action] */
	static const int allowed[6][NACT] = {
		/* submitted */ { 1, 1, 0, 0, 0 },
		/* approved */  { 0, 1, 1, 1, 0 },
		/* shipped */   { 0, 0, 0, 1, 0 },
		/* delivered */ { 0, 0, 0, 0, 1 },
		/* cancelled */ { 0, 0, 0, 0, 0 },
		/* returned */  { 0, 0, 0, 0, 0 },
	};
	int state, act;

	for (state = 0; state < 6; state++) {
		points_order o = place(alice, "MUG", 1), x;

		switch (state) {
		case POINTS_ORDER_RETURNED:
		case POINTS_ORDER_DELIVERED:
		case POINTS_ORDER_SHIPPED:
			ck_assert_int_eq(points_order_approve(db, o.id, NULL,
			    NULL, &o), POINTS_OK);
			ck_assert_int_eq(points_order_ship(db, o.id, "c", "t",
			    NULL, NULL, &o), POINTS_OK);
			if (state == POINTS_ORDER_SHIPPED)
				break;
			ck_assert_int_eq(points_order_deliver(db, o.id, NULL,
			    NULL, &o), POINTS_OK);
			if (state == POINTS_ORDER_RETURNED)
				ck_assert_int_eq(points_order_return(db, o.id,
				    1, NULL, NULL, &o), POINTS_OK);
			break;
		case POINTS_ORDER_APPROVED:
			ck_assert_int_eq(points_order_approve(db, o.id, NULL,
			    NULL, &o), POINTS_OK);
			break;
		case POINTS_ORDER_CANCELLED:
			ck_assert_int_eq(points_order_cancel(db, o.id, NULL,
			    NULL, &o), POINTS_OK);
			break;
		}
		ck_assert_int_eq(o.state, state);
		for (act = 0; act < NACT; act++) {
			int rc;

			if (allowed[state][act])
				continue;
			tu_snap(db);
			switch (act) {
			case A:
				rc = points_order_approve(db, o.id, NULL, NULL,
				    &x);
				break;
			case C:
				rc = points_order_cancel(db, o.id, NULL, NULL,
				    &x);
				break;
			case S:
				rc = points_order_ship(db, o.id, "c", "t", NULL,
				    NULL, &x);
				break;
			case D:
				rc = points_order_deliver(db, o.id, NULL, NULL,
				    &x);
				break;
			default:
				rc = points_order_return(db, o.id, 0, NULL,
				    NULL, &x);
				break;
			}
			ck_assert_msg(rc == POINTS_ESTATE, "state %d action "
			    "%d: %d %s", state, act, rc, points_errmsg(db));
			ck_assert_int_eq(points_errcode(db), POINTS_ESTATE);
			tu_unchanged(db);
		}
	}
	tu_snap_free();
	/* the message names the order and both states */
	{
		points_order o = place(alice, "MUG", 1), x;

		ck_assert_int_eq(points_order_ship(db, o.id, "c", "t", NULL,
		    NULL, &x), POINTS_ESTATE);
		ck_assert_ptr_nonnull(strstr(points_errmsg(db), o.id));
		ck_assert_ptr_nonnull(strstr(points_errmsg(db), "submitted"));
		ck_assert_ptr_nonnull(strstr(points_errmsg(db), "shipped"));
		ck_assert_int_eq(points_order_ship(db, o.id, NULL, "t", NULL,
		    NULL, &x), POINTS_EINVAL);
		ck_assert_int_eq(points_order_ship(db, o.id, "c", "", NULL,
		    NULL, &x), POINTS_EINVAL);
		ck_assert_int_eq(points_order_approve(db, "nope", NULL, NULL,
		    &x), POINTS_EINVAL);
		ck_assert_int_eq(points_order_approve(db, NULL, NULL, NULL,
		    &x), POINTS_EINVAL);
		ck_assert_int_eq(points_order_approve(db, o.id, "", NULL, &x),
		    POINTS_EINVAL);
		ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL,
		    NULL), POINTS_EINVAL);
		ck_assert_int_eq(points_order_return(db, o.id, 2, NULL, NULL,
		    &x), POINTS_EINVAL);
		ck_assert_int_eq(points_order_get(db,
		    "0190a0a0-0000-7000-8000-000000000000", &x),
		    POINTS_ENOTFOUND);
	}
}
END_TEST

/* A cancelled order's points can be spent again, whether it was
 * approved or not; the stock comes back. */
START_TEST(test_cancel_gives_points_back)
{
	points_order o1, o2;
	points_hold h;
	points_txn t;
	points_item it;

	ck_assert_int_eq(tu_earn(db, dave, "PTS", 250, NULL), POINTS_OK);
	o1 = place(dave, "MUG", 3);   /* all 300 of dave's points */
	ck_assert_int_eq(tu_available(db, dave, "PTS"), 0);
	ck_assert_int_eq(tu_spend(db, dave, "PTS", 1, NULL),
	    POINTS_EINSUFFICIENT);
	ck_assert_int_eq(points_order_cancel(db, o1.id, "dave", NULL, &o1),
	    POINTS_OK);
	ck_assert_int_eq(o1.state, POINTS_ORDER_CANCELLED);
	ck_assert_int_eq(points_hold_get(db, o1.id, &h), POINTS_OK);
	ck_assert_int_eq(h.state, POINTS_HOLD_RELEASED);
	ck_assert_int_eq(points_txn_get(db, o1.refund_id, &t), POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_RELEASE);
	ck_assert_int_eq(tu_available(db, dave, "PTS"), 300);
	it = get_item("MUG");
	ck_assert_int_eq(it.stock, 10);
	ck_assert_int_eq(it.orders, 0);
	ck_assert_int_eq(it.units, 0);
	ck_assert_int_eq(it.points, 0);
	tu_invariants(db);

	/* approved, then cancelled: a refund */
	o2 = place(dave, "MUG", 3);
	ck_assert_int_eq(points_order_approve(db, o2.id, NULL, NULL, &o2),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(db, dave, "PTS"), 0);
	ck_assert_int_eq(get_item("MUG").stock, 7);
	ck_assert_int_eq(points_order_cancel(db, o2.id, NULL, "no stock in "
	    "the warehouse", &o2), POINTS_OK);
	ck_assert_int_eq(points_txn_get(db, o2.refund_id, &t), POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_REVERSAL);
	ck_assert_str_eq(t.ref, o2.capture_id);
	ck_assert_int_eq(t.amount, 300);
	ck_assert_int_eq(tu_available(db, dave, "PTS"), 300);
	ck_assert_int_eq(get_item("MUG").stock, 10);
	/* spendable again */
	ck_assert_int_eq(tu_spend(db, dave, "PTS", 300, NULL), POINTS_OK);
}
END_TEST

/* ---- Redemptions and the earning rules ----
 *
 * Approving an order applies a "redemption" event (points/rules.h): it
 * earns only when a rule listens to that type (here a "double points
 * back" campaign: 2 points back per 10 spent), and a return, or a
 * cancel after approval, takes those points back. */

static void
redemption_rule(const char *name, const char *category, int expect)
{
	points_rule_def d = POINTS_RULE_DEF_INIT;
	points_rule r;

	d.name = name;
	d.event_type = "redemption";
	d.points = "event.amount / 10 * 2";
	d.asset = "PTS";
	d.category = category;
	d.state = POINTS_RULE_ACTIVE;
	d.author = "ops";
	ck_assert_msg(points_rule_save(db, &d, &r) == expect, "%s",
	    points_errmsg(db));
}

/* The redemption event of order o: its points in all, or -1 when none
 * was applied. */
static int64_t
redemption_points(const points_order *o, points_rule_outcome *out)
{
	char id[POINTS_EVENT_ID_MAX + 1];
	points_event_result *r;
	points_event_summary s;
	int rc;

	snprintf(id, sizeof(id), "redemption:%s", o->id);
	rc = points_event_get(db, id, &r);
	if (rc == POINTS_ENOTFOUND)
		return -1;
	ck_assert_int_eq(rc, POINTS_OK);
	ck_assert_int_eq(points_event_result_summary(r, &s), POINTS_OK);
	ck_assert_str_eq(s.type, "redemption");
	ck_assert_int_eq(s.account, o->account);
	ck_assert_int_eq(s.amount, o->amount);
	if (out && s.outcomes)
		ck_assert_int_eq(points_event_result_outcome(r, 0, out),
		    POINTS_OK);
	points_event_result_free(r);
	return s.points;
}

START_TEST(test_redemption_earns_only_by_rule)
{
	points_order o1, o2, o3, o4, x;
	points_rule_outcome out;
	points_event e = POINTS_EVENT_INIT;
	points_event_result *res;
	points_event_reversal rv = POINTS_EVENT_REVERSAL_INIT;
	points_rule r;
	points_txn t;
	points_rule_def d = POINTS_RULE_DEF_INIT;

	/* a rule of purchases: redeeming is spending, not a purchase */
	d.name = "spend";
	d.event_type = "purchase";
	d.points = "event.amount / 100";
	d.asset = "PTS";
	d.state = POINTS_RULE_ACTIVE;
	d.author = "ops";
	ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_OK);
	/* no rule listens to redemptions: nothing earned, nothing logged */
	o1 = place(alice, "MUG", 2);
	ck_assert_int_eq(points_order_approve(db, o1.id, NULL, NULL, &o1),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 19800);
	ck_assert_int_eq(redemption_points(&o1, NULL), -1);

	/* the campaign: 300 spent, 60 back, in its own category */
	redemption_rule("double-back", NULL, POINTS_OK);
	ck_assert_int_eq(points_rule_get(db, "double-back", 0, &r), POINTS_OK);
	ck_assert_str_eq(r.category, "redemption_bonus");
	o2 = place(alice, "MUG", 3);
	ck_assert_int_eq(points_order_approve(db, o2.id, "ops", NULL, &o2),
	    POINTS_OK);
	ck_assert_int_eq(redemption_points(&o2, &out), 60);
	ck_assert_str_eq(out.rule, "double-back");
	ck_assert_int_eq(points_txn_get(db, out.txn_id, &t), POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_EARN);
	ck_assert_str_eq(t.category, "redemption_bonus");
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 19800 - 300 + 60);
	/* the item counts the order's points, not the bonus */
	ck_assert_int_eq(get_item("MUG").points, 500);
	/* a return takes them back with the 300 */
	ck_assert_int_eq(points_order_deliver(db, o2.id, NULL, NULL, &o2),
	    POINTS_OK);
	ck_assert_int_eq(points_order_return(db, o2.id, 1, "alice", "too "
	    "small", &o2), POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 19800);
	{
		char id[POINTS_EVENT_ID_MAX + 1];

		snprintf(id, sizeof(id), "redemption:%s", o2.id);
		rv.event_id = id;
		TU_FAILS(db, points_event_reverse(db, &rv, &res),
		    POINTS_ESTATE);
	}
	/* once: a second return is refused by the order */
	TU_FAILS(db, points_order_return(db, o2.id, 1, NULL, NULL, &x),
	    POINTS_ESTATE);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 19800);
	tu_invariants(db);

	/* cancelled after approval: taken back; before: never earned */
	o3 = place(bob, "MUG", 1);
	ck_assert_int_eq(points_order_approve(db, o3.id, NULL, NULL, &o3),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 20000 - 100 + 20);
	ck_assert_int_eq(points_order_cancel(db, o3.id, NULL, "no stock",
	    &o3), POINTS_OK);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 20000);
	o4 = place(bob, "MUG", 1);
	ck_assert_int_eq(points_order_cancel(db, o4.id, NULL, NULL, &o4),
	    POINTS_OK);
	ck_assert_int_eq(redemption_points(&o4, NULL), -1);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 20000);

	/* the bonus spent before the return comes out of the refund */
	ck_assert_int_eq(tu_earn(db, dave, "PTS", 50, NULL), POINTS_OK);
	o4 = place(dave, "MUG", 1);
	ck_assert_int_eq(points_order_approve(db, o4.id, NULL, NULL, &o4),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(db, dave, "PTS"), 20);
	ck_assert_int_eq(tu_spend(db, dave, "PTS", 20, NULL), POINTS_OK);
	ck_assert_int_eq(points_order_deliver(db, o4.id, NULL, NULL, &o4),
	    POINTS_OK);
	ck_assert_int_eq(points_order_return(db, o4.id, 0, NULL, NULL, &o4),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(db, dave, "PTS"), 80);

	/* only the mall applies redemptions */
	e.id = "r1";
	e.type = "redemption";
	e.account = alice;
	e.amount = 1000;
	TU_FAILS(db, points_event_apply(db, &e, &res), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event 'r1': type 'redemption' is "
	    "reserved: the mall applies it when an order is approved");
	TU_FAILS(db, points_event_preview(db, &e, &res), POINTS_EINVAL);
	e.id = "redemption:x";
	e.type = "purchase";
	TU_FAILS(db, points_event_apply(db, &e, &res), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event 'redemption:x': ids "
	    "starting 'redemption:' are reserved for the mall's redemptions");
	/* what redeeming earns is never in the mall's category */
	redemption_rule("mall-back", "mall", POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "rule 'mall-back': a rule of "
	    "redemption events cannot post in category 'mall' (the mall's "
	    "redemptions)");
	/* the purchase rule never fired: alice has what the orders say */
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 19800);
}
END_TEST

/* Returns: within 7 calendar days after the delivery (the 7th day
 * accepted, the 8th refused); points refunded, stock as asked. */
START_TEST(test_return_period)
{
	points_order o1, o2, x;
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_item it;
	points_txn t;

	o1 = place(alice, "MUG", 2);
	o2 = place(alice, "MUG", 1);
	ck_assert_int_eq(points_order_approve(db, o1.id, NULL, NULL, &o1),
	    POINTS_OK);
	ck_assert_int_eq(points_order_approve(db, o2.id, NULL, NULL, &o2),
	    POINTS_OK);
	ck_assert_int_eq(points_order_deliver(db, o1.id, NULL, NULL, &o1),
	    POINTS_OK);
	ck_assert_int_eq(points_order_deliver(db, o2.id, NULL, NULL, &o2),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 19700);
	/* delivered on day 0 at 10:00; day 7 at 23:59 is the 7th day */
	tu_now = TU_T0 + 8 * TU_DAY - 60;
	ck_assert_int_eq(points_order_return(db, o1.id, 0, "alice", "broken",
	    &o1), POINTS_OK);
	ck_assert_int_eq(o1.state, POINTS_ORDER_RETURNED);
	ck_assert_int_eq(points_txn_get(db, o1.refund_id, &t), POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_REVERSAL);
	ck_assert_int_eq(t.amount, 200);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 19900);
	it = get_item("MUG");
	ck_assert_int_eq(it.stock, 7); /* not restocked (broken) */
	ck_assert_int_eq(it.orders, 1);
	ck_assert_int_eq(it.units, 1);
	/* day 8: refused */
	tu_now = TU_T0 + 8 * TU_DAY;
	TU_FAILS(db, points_order_return(db, o2.id, 1, NULL, NULL, &x),
	    POINTS_ESTATE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "8 days ago"));
	/* an item without returns */
	d.sku = "LEAVE";
	d.name = "Day of leave";
	d.category = "service";
	d.asset = "PTS";
	d.price = 2000;
	d.stock = POINTS_STOCK_UNLIMITED;
	d.return_days = 0;
	d.actor = "hr";
	ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
	o1 = place(alice, "LEAVE", 1);
	ck_assert_int_eq(points_order_approve(db, o1.id, NULL, NULL, &o1),
	    POINTS_OK);
	/* a service goes from approved to delivered */
	ck_assert_int_eq(points_order_deliver(db, o1.id, "hr", NULL, &o1),
	    POINTS_OK);
	TU_FAILS(db, points_order_return(db, o1.id, 0, NULL, NULL, &x),
	    POINTS_ESTATE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "no returns"));
	/* restock 1 gives the units back */
	o1 = place(bob, "MUG", 2);
	ck_assert_int_eq(points_order_approve(db, o1.id, NULL, NULL, &o1),
	    POINTS_OK);
	ck_assert_int_eq(points_order_deliver(db, o1.id, NULL, NULL, &o1),
	    POINTS_OK);
	ck_assert_int_eq(get_item("MUG").stock, 5);
	ck_assert_int_eq(points_order_return(db, o1.id, 1, NULL, NULL, &o1),
	    POINTS_OK);
	ck_assert_int_eq(get_item("MUG").stock, 7);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 20000);
}
END_TEST

START_TEST(test_idempotent_place)
{
	points_order_req r = POINTS_ORDER_REQ_INIT;
	points_order o, again;

	ck_assert_int_eq(place_full(alice, "MUG", 2, "click-1", &o),
	    POINTS_OK);
	ck_assert_int_eq(place_full(alice, "MUG", 2, "click-1", &again),
	    POINTS_OK);
	ck_assert_int_eq(again.replayed, 1);
	again.replayed = 0;
	ck_assert_mem_eq(&again, &o, sizeof(o));
	ck_assert_int_eq(get_item("MUG").stock, 8);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 19800);
	/* the replay reads the order as it is now */
	ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(place_full(alice, "MUG", 2, "click-1", &again),
	    POINTS_OK);
	ck_assert_int_eq(again.state, POINTS_ORDER_APPROVED);
	/* each field of the fingerprint */
	r.account = alice;
	r.sku = "MUG";
	r.quantity = 2;
	r.note = "Room 5, Building B";
	r.actor = "shop";
	r.idempotency_key = "click-1";
	ck_assert_int_eq(points_order_place(db, &r, &again), POINTS_OK);
	r.account = bob;
	TU_FAILS(db, points_order_place(db, &r, &again), POINTS_ECONFLICT);
	r.account = alice;
	r.quantity = 1;
	TU_FAILS(db, points_order_place(db, &r, &again), POINTS_ECONFLICT);
	r.quantity = 2;
	item("CUP", 100, 5);
	r.sku = "CUP";
	TU_FAILS(db, points_order_place(db, &r, &again), POINTS_ECONFLICT);
	r.sku = "MUG";
	r.note = NULL;
	TU_FAILS(db, points_order_place(db, &r, &again), POINTS_ECONFLICT);
	r.note = "Room 5, Building B";
	r.actor = "app";
	TU_FAILS(db, points_order_place(db, &r, &again), POINTS_ECONFLICT);
	/* a refused placement records no key: it may be retried */
	ck_assert_int_eq(place_full(dave, "MUG", 1, "click-2", &o),
	    POINTS_EINSUFFICIENT);
	ck_assert_int_eq(tu_earn(db, dave, "PTS", 50, NULL), POINTS_OK);
	ck_assert_int_eq(place_full(dave, "MUG", 1, "click-2", &o),
	    POINTS_OK);
	ck_assert_int_eq(o.replayed, 0);
}
END_TEST

static char *
list(int64_t acct, int state, const char *sku, char *buf, size_t len)
{
	points_order_iterator *it;
	points_order o;
	size_t n = 0;

	buf[0] = 0;
	ck_assert_int_eq(points_order_iterator_new(db, acct, state, sku, &it),
	    POINTS_OK);
	while (points_order_next(it, &o) == POINTS_OK)
		n += (size_t)snprintf(buf + n, len - n, "%s:%s:%lld:%d ",
		    o.account == alice ? "A" : o.account == bob ? "B" : "?",
		    o.sku, (long long)o.quantity, o.state);
	points_order_iterator_free(it);
	return buf;
}

START_TEST(test_lists)
{
	points_order_iterator *it;
	points_order o;
	char buf[4096];
	int i, n;

	item("CUP", 10, POINTS_STOCK_UNLIMITED);
	o = place(alice, "MUG", 1);
	place(bob, "CUP", 2);
	ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	tu_now += 1; /* ids are in time order */
	place(alice, "CUP", 3);
	ck_assert_str_eq(list(0, -1, NULL, buf, sizeof(buf)),
	    "A:MUG:1:1 B:CUP:2:0 A:CUP:3:0 ");
	ck_assert_str_eq(list(alice, -1, NULL, buf, sizeof(buf)),
	    "A:MUG:1:1 A:CUP:3:0 ");
	ck_assert_str_eq(list(0, POINTS_ORDER_SUBMITTED, NULL, buf,
	    sizeof(buf)), "B:CUP:2:0 A:CUP:3:0 ");
	ck_assert_str_eq(list(0, POINTS_ORDER_APPROVED, NULL, buf,
	    sizeof(buf)), "A:MUG:1:1 ");
	ck_assert_str_eq(list(0, -1, "CUP", buf, sizeof(buf)),
	    "B:CUP:2:0 A:CUP:3:0 ");
	ck_assert_str_eq(list(alice, POINTS_ORDER_SUBMITTED, "CUP", buf,
	    sizeof(buf)), "A:CUP:3:0 ");
	ck_assert_str_eq(list(bob, -1, "MUG", buf, sizeof(buf)), "");
	ck_assert_str_eq(list(carol, -1, NULL, buf, sizeof(buf)), "");
	ck_assert_int_eq(points_order_iterator_new(db, -1, -1, NULL, &it),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_order_iterator_new(db, 0, 7, NULL, &it),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_order_iterator_new(db, 0, -1, "bad sku",
	    &it), POINTS_EINVAL);
	ck_assert_int_eq(points_order_iterator_new(db, 0, -1, NULL, NULL),
	    POINTS_EINVAL);
	/* more than a fill: 40 of carol's, approved between the steps;
	 * first all of them, in the order they were placed (an account's
	 * orders come from its entries, here 41 in one bucket of the time
	 * index, more than a fill and than a read of it) */
	{
		char ids[40][POINTS_ID_LEN + 1];

		for (i = 0; i < 40; i++)
			strcpy(ids[i], place(carol, "CUP", 1).id);
		ck_assert_int_eq(points_order_iterator_new(db, carol, -1, NULL,
		    &it), POINTS_OK);
		for (i = 0; points_order_next(it, &o) == POINTS_OK; i++) {
			ck_assert_int_lt(i, 40);
			ck_assert_str_eq(o.id, ids[i]);
		}
		points_order_iterator_free(it);
		ck_assert_int_eq(i, 40);
	}
	ck_assert_int_eq(points_order_iterator_new(db, carol,
	    POINTS_ORDER_SUBMITTED, NULL, &it), POINTS_OK);
	n = 0;
	while (points_order_next(it, &o) == POINTS_OK) {
		points_order x;

		ck_assert_int_eq(o.account, carol);
		ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &x),
		    POINTS_OK);
		n++;
	}
	points_order_iterator_free(it);
	ck_assert_int_eq(n, 40);
	ck_assert_str_eq(list(carol, POINTS_ORDER_SUBMITTED, NULL, buf,
	    sizeof(buf)), "");
}
END_TEST

START_TEST(test_batch)
{
	points_order o;

	tu_snap(db);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	o = place(alice, "MUG", 4);
	ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	/* a failed operation undoes only itself */
	ck_assert_int_eq(place_full(alice, "MUG", 7, NULL, &o),
	    POINTS_EOUTOFSTOCK);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	tu_unchanged(db);
	tu_snap_free();
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	o = place(alice, "MUG", 4);
	ck_assert_int_eq(place_full(alice, "MUG", 7, NULL, &o),
	    POINTS_EOUTOFSTOCK);
	o = place(bob, "MUG", 6);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	ck_assert_int_eq(get_item("MUG").stock, 0);
	ck_assert_int_eq(get_item("MUG").orders, 2);
}
END_TEST

/* Two processes race for the last unit of an item on one SQLite file:
 * exactly one order wins, the other is POINTS_EOUTOFSTOCK; no unit is
 * sold twice and no hold is lost.  Children report through their exit
 * status (0: an order, 2: out of stock, 1: anything else). */
START_TEST(test_two_processes_race_for_the_last_unit)
{
	char uri[200];
	int go[2], status, wins = 0, sold_out = 0, i, round;

	snprintf(uri, sizeof(uri), "%s?busy_timeout=10000", tu_sqlite_uri());
	for (round = 0; round < 5; round++) {
		points_db *p = tu_open_bare(uri);
		int64_t buyer[2];
		pid_t pid[2];
		char sku[16];

		if (round == 0)
			ck_assert_int_eq(points_asset_create(p, "PTS", 0,
			    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
		for (i = 0; i < 2; i++) {
			char ext[32];

			snprintf(ext, sizeof(ext), "R%d-%d", round, i);
			buyer[i] = tu_account(p, ext);
			ck_assert_int_eq(tu_earn(p, buyer[i], "PTS", 100, NULL),
			    POINTS_OK);
		}
		snprintf(sku, sizeof(sku), "LAST%d", round);
		{
			points_item_def d = POINTS_ITEM_DEF_INIT;
			points_item it;

			d.sku = sku;
			d.name = "The last one";
			d.category = "physical";
			d.asset = "PTS";
			d.price = 60;
			d.stock = 1;
			d.actor = "admin";
			ck_assert_int_eq(points_item_create(p, &d, &it),
			    POINTS_OK);
		}
		points_close(p);
		ck_assert_int_eq(pipe(go), 0);
		for (i = 0; i < 2; i++) {
			pid[i] = fork();
			ck_assert_int_ge(pid[i], 0);
			if (pid[i] == 0) {
				points_open_options o = POINTS_OPEN_OPTIONS_INIT;
				points_order_req r = POINTS_ORDER_REQ_INIT;
				points_order out;
				points_db *c = NULL;
				char b;
				int rc;

				close(go[1]);
				if (points_open(uri, &o, &c) != POINTS_OK)
					_exit(1);
				if (read(go[0], &b, 1) < 0)
					_exit(1);
				r.account = buyer[i];
				r.sku = sku;
				rc = points_order_place(c, &r, &out);
				if (rc && rc != POINTS_EOUTOFSTOCK)
					fprintf(stderr, "child: %s\n",
					    points_errmsg(c));
				points_close(c);
				_exit(rc == POINTS_OK ? 0 :
				    rc == POINTS_EOUTOFSTOCK ? 2 : 1);
			}
		}
		close(go[0]);
		close(go[1]); /* both children read EOF at once: go */
		for (i = 0; i < 2; i++) {
			ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
			ck_assert(WIFEXITED(status));
			ck_assert_int_ne(WEXITSTATUS(status), 1);
			if (WEXITSTATUS(status) == 0)
				wins++;
			else
				sold_out++;
		}
		ck_assert_int_eq(wins, round + 1);
		ck_assert_int_eq(sold_out, round + 1);
		p = tu_open_bare(uri);
		{
			points_item it;
			points_order_iterator *oi;
			points_order o;
			int n = 0;

			ck_assert_int_eq(points_item_get(p, sku, &it), POINTS_OK);
			ck_assert_int_eq(it.stock, 0);
			ck_assert_int_eq(it.orders, 1);
			ck_assert_int_eq(points_order_iterator_new(p, 0, -1, sku,
			    &oi), POINTS_OK);
			while (points_order_next(oi, &o) == POINTS_OK)
				n++;
			points_order_iterator_free(oi);
			ck_assert_int_eq(n, 1);
			ck_assert_int_eq(tu_available(p, buyer[0], "PTS") +
			    tu_available(p, buyer[1], "PTS"), 140);
		}
		tu_invariants(p);
		points_close(p);
	}
}
END_TEST

/* A flash sale: 4 processes, 2,000 attempts in all (a buyer each) on an
 * item with 100 units, on one SQLite file: exactly 100 orders, no unit
 * sold twice (the stock ends at 0), no hold lost (the points held are
 * the orders' amounts, each winner holds its order's), and every
 * refused attempt (POINTS_EOUTOFSTOCK) wrote nothing: the loser's
 * balance is as it was, the ledger has 100 entries more, the outbox 100
 * order events and the item's two stock events.  Children report the
 * orders they won through a pipe (exit 0: every attempt an order or
 * out of stock). */
enum { SALE_PROCS = 4, SALE_BUYERS = 2000, SALE_UNITS = 100,
	SALE_PRICE = 600, SALE_POINTS = 1000 };

START_TEST(test_flash_sale_four_processes)
{
	char uri[200];
	int go[2], res[2], status, i;
	points_db *p;
	int64_t first = 0, held = 0, amounts = 0, seq = 0;
	long won = 0, per = SALE_BUYERS / SALE_PROCS;
	pid_t pid[SALE_PROCS];
	points_verify_report before, after;
	int events = 0, stock_events = 0;

	snprintf(uri, sizeof(uri), "%s?busy_timeout=60000", tu_sqlite_uri());
	p = tu_open_bare(uri);
	ck_assert_int_eq(points_asset_create(p, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	ck_assert_int_eq(points_batch_begin(p), POINTS_OK);
	for (i = 0; i < SALE_BUYERS; i++) {
		char ext[32];
		int64_t id;

		snprintf(ext, sizeof(ext), "F%04d", i);
		id = tu_account(p, ext);
		if (i == 0)
			first = id;
		ck_assert_int_eq(id, first + i);
		ck_assert_int_eq(tu_earn(p, id, "PTS", SALE_POINTS, NULL),
		    POINTS_OK);
	}
	ck_assert_int_eq(points_batch_commit(p), POINTS_OK);
	{
		points_item_def d = POINTS_ITEM_DEF_INIT;
		points_item it;

		d.sku = "FLASH";
		d.name = "Thermos, flash sale";
		d.category = "physical";
		d.asset = "PTS";
		d.price = SALE_PRICE;
		d.stock = SALE_UNITS;
		d.low_stock = 10;
		d.actor = "admin";
		ck_assert_int_eq(points_item_create(p, &d, &it), POINTS_OK);
	}
	ck_assert_int_eq(points_verify(p, &before), POINTS_OK);
	{
		points_outbox_event e;

		while (points_outbox_next(p, seq, &e) == POINTS_OK)
			seq = e.seq;
	}
	points_close(p);
	ck_assert_int_eq(pipe(go), 0);
	ck_assert_int_eq(pipe(res), 0);
	for (i = 0; i < SALE_PROCS; i++) {
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0) {
			points_open_options o = POINTS_OPEN_OPTIONS_INIT;
			points_db *c = NULL;
			long n, w = 0;
			char b;

			close(go[1]);
			close(res[0]);
			if (points_open(uri, &o, &c) != POINTS_OK)
				_exit(1);
			if (read(go[0], &b, 1) < 0)
				_exit(1);
			for (n = 0; n < per; n++) {
				points_order_req r = POINTS_ORDER_REQ_INIT;
				points_order out;
				int rc;

				r.account = first + i * per + n;
				r.sku = "FLASH";
				rc = points_order_place(c, &r, &out);
				if (rc == POINTS_OK) {
					w++;
				} else if (rc != POINTS_EOUTOFSTOCK) {
					fprintf(stderr, "child: %s\n",
					    points_errmsg(c));
					_exit(1);
				}
			}
			points_close(c);
			if (write(res[1], &w, sizeof(w)) != (ssize_t)sizeof(w))
				_exit(1);
			_exit(0);
		}
	}
	close(go[0]);
	close(res[1]);
	close(go[1]); /* every child reads EOF at once: go */
	for (i = 0; i < SALE_PROCS; i++) {
		long w;

		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert(WIFEXITED(status));
		ck_assert_int_eq(WEXITSTATUS(status), 0);
		ck_assert_int_eq(read(res[0], &w, sizeof(w)), sizeof(w));
		won += w;
	}
	close(res[0]);
	ck_assert_int_eq(won, SALE_UNITS);
	p = tu_open_bare(uri);
	{
		points_item it;
		points_order_iterator *oi;
		points_order o;
		points_outbox_event e;
		int n = 0;

		ck_assert_int_eq(points_item_get(p, "FLASH", &it), POINTS_OK);
		ck_assert_int_eq(it.stock, 0);
		ck_assert_int_eq(it.orders, SALE_UNITS);
		ck_assert_int_eq(it.units, SALE_UNITS);
		ck_assert_int_eq(points_order_iterator_new(p, 0, -1, "FLASH",
		    &oi), POINTS_OK);
		while (points_order_next(oi, &o) == POINTS_OK) {
			points_balance b;

			n++;
			amounts += o.amount;
			ck_assert_int_eq(o.state, POINTS_ORDER_SUBMITTED);
			ck_assert_int_eq(points_balance_get(p, o.account, "PTS",
			    &b), POINTS_OK);
			ck_assert_int_eq(b.held, o.amount);
		}
		points_order_iterator_free(oi);
		ck_assert_int_eq(n, SALE_UNITS);
		ck_assert_int_eq(amounts, (int64_t)SALE_UNITS * SALE_PRICE);
		for (i = 0; i < SALE_BUYERS; i++) {
			points_balance b;

			ck_assert_int_eq(points_balance_get(p, first + i, "PTS",
			    &b), POINTS_OK);
			held += b.held;
			ck_assert_int_eq(b.available + b.held, SALE_POINTS);
			ck_assert(b.held == 0 || b.held == SALE_PRICE);
		}
		ck_assert_int_eq(held, amounts);
		while (points_outbox_next(p, seq, &e) == POINTS_OK) {
			seq = e.seq;
			if (strcmp(e.kind, POINTS_OUTBOX_ORDER_STATE) == 0)
				events++;
			else if (strcmp(e.kind, POINTS_OUTBOX_LOW_STOCK) == 0 ||
			    strcmp(e.kind, POINTS_OUTBOX_OUT_OF_STOCK) == 0)
				stock_events++;
			else
				ck_abort_msg("unexpected event %s", e.kind);
		}
		ck_assert_int_eq(events, SALE_UNITS);
		ck_assert_int_eq(stock_events, 2);
	}
	ck_assert_int_eq(points_verify(p, &after), POINTS_OK);
	ck_assert_int_eq(after.entries, before.entries + SALE_UNITS);
	tu_invariants(p);
	points_close(p);
}
END_TEST

/* ---- A seeded random run against a small model ---- */

enum { M_ACCTS = 4, M_ITEMS = 3, M_ORDERS = 64 };

typedef struct m_order {
	char id[POINTS_ID_LEN + 1];
	int acct, item, state;
	int64_t qty, amount, delivered_day;
} m_order;

START_TEST(test_random_against_model)
{
	static const char *skus[M_ITEMS] = { "R0", "R1", "R2" };
	static const int64_t price[M_ITEMS] = { 30, 70, 110 };
	static const int64_t gold_price = 50; /* R1 for gold */
	int64_t acct[M_ACCTS], bal[M_ACCTS], stock[M_ITEMS];
	int64_t units[M_ITEMS];
	m_order ord[M_ORDERS];
	int n = 0, step, i;
	unsigned seed = 1000u + (unsigned)_i;

	srand(seed);
	for (i = 0; i < M_ACCTS; i++) {
		char ext[16];

		snprintf(ext, sizeof(ext), "R%d", i);
		acct[i] = tu_account(db, ext);
		bal[i] = 200 + 100 * i;
		ck_assert_int_eq(tu_earn(db, acct[i], "PTS", bal[i], NULL),
		    POINTS_OK);
	}
	tier(acct[3], "gold");
	for (i = 0; i < M_ITEMS; i++) {
		stock[i] = i == 2 ? POINTS_STOCK_UNLIMITED : 5;
		units[i] = 0;
		item(skus[i], price[i], stock[i]);
	}
	{
		points_item it;

		ck_assert_int_eq(points_item_set_tier_price(db, "R1", "gold",
		    gold_price, "admin", NULL, &it), POINTS_OK);
	}
	for (step = 0; step < 300; step++) {
		int op = rand() % 6, rc, a = rand() % M_ACCTS;
		points_order o;

		tu_now += rand() % (2 * TU_DAY);
		if (op == 0 || n == 0) {
			int it = rand() % M_ITEMS;
			int64_t q = 1 + rand() % 3, unit, amount;
			int want;

			if (n == M_ORDERS)
				continue;
			unit = it == 1 && a == 3 ? gold_price : price[it];
			amount = unit * q;
			if (stock[it] != POINTS_STOCK_UNLIMITED &&
			    stock[it] < q)
				want = POINTS_EOUTOFSTOCK;
			else if (bal[a] < amount)
				want = POINTS_EINSUFFICIENT;
			else
				want = POINTS_OK;
			rc = place_full(acct[a], skus[it], q, NULL, &o);
			ck_assert_msg(rc == want, "seed %u step %d: place: "
			    "%d, want %d: %s", seed, step, rc, want,
			    points_errmsg(db));
			if (rc)
				continue;
			ck_assert_int_eq(o.amount, amount);
			bal[a] -= amount;
			if (stock[it] != POINTS_STOCK_UNLIMITED)
				stock[it] -= q;
			units[it] += q;
			strcpy(ord[n].id, o.id);
			ord[n].acct = a;
			ord[n].item = it;
			ord[n].state = POINTS_ORDER_SUBMITTED;
			ord[n].qty = q;
			ord[n].amount = amount;
			n++;
		} else {
			m_order *m = &ord[rand() % n];
			int from = m->state, want = POINTS_ESTATE, to = from;
			int64_t day = (tu_now - TU_T0) / TU_DAY;

			switch (op) {
			case 1:
				if (from == POINTS_ORDER_SUBMITTED)
					want = POINTS_OK, to =
					    POINTS_ORDER_APPROVED;
				rc = points_order_approve(db, m->id, NULL,
				    NULL, &o);
				break;
			case 2:
				if (from == POINTS_ORDER_SUBMITTED ||
				    from == POINTS_ORDER_APPROVED)
					want = POINTS_OK, to =
					    POINTS_ORDER_CANCELLED;
				rc = points_order_cancel(db, m->id, NULL,
				    NULL, &o);
				break;
			case 3:
				if (from == POINTS_ORDER_APPROVED)
					want = POINTS_OK, to =
					    POINTS_ORDER_SHIPPED;
				rc = points_order_ship(db, m->id, "c", "t",
				    NULL, NULL, &o);
				break;
			case 4:
				if (from == POINTS_ORDER_APPROVED ||
				    from == POINTS_ORDER_SHIPPED)
					want = POINTS_OK, to =
					    POINTS_ORDER_DELIVERED;
				rc = points_order_deliver(db, m->id, NULL,
				    NULL, &o);
				break;
			default:
				if (from == POINTS_ORDER_DELIVERED &&
				    day - m->delivered_day <= 7)
					want = POINTS_OK, to =
					    POINTS_ORDER_RETURNED;
				rc = points_order_return(db, m->id, 1, NULL,
				    NULL, &o);
				break;
			}
			ck_assert_msg(rc == want, "seed %u step %d: op %d on "
			    "%d: %d, want %d: %s", seed, step, op, from, rc,
			    want, points_errmsg(db));
			if (rc)
				continue;
			ck_assert_int_eq(o.state, to);
			m->state = to;
			if (to == POINTS_ORDER_DELIVERED)
				m->delivered_day = day;
			if (to == POINTS_ORDER_CANCELLED ||
			    to == POINTS_ORDER_RETURNED) {
				bal[m->acct] += m->amount;
				if (stock[m->item] != POINTS_STOCK_UNLIMITED)
					stock[m->item] += m->qty;
				units[m->item] -= m->qty;
			}
		}
		for (i = 0; i < M_ACCTS; i++)
			ck_assert_int_eq(tu_available(db, acct[i], "PTS"),
			    bal[i]);
		for (i = 0; i < M_ITEMS; i++) {
			points_item it = get_item(skus[i]);

			ck_assert_int_eq(it.stock, stock[i]);
			ck_assert_int_eq(it.units, units[i]);
		}
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("order");
	TCase *tc = tcase_create("order");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_life_cycle);
	tcase_add_test(tc, test_history_and_outbox);
	tcase_add_test(tc, test_outbox_event_json);
	tcase_add_test(tc, test_hotel_and_suite);
	tcase_add_test(tc, test_refusals_write_nothing);
	tcase_add_test(tc, test_illegal_changes);
	tcase_add_test(tc, test_cancel_gives_points_back);
	tcase_add_test(tc, test_return_period);
	tcase_add_test(tc, test_redemption_earns_only_by_rule);
	tcase_add_test(tc, test_idempotent_place);
	tcase_add_test(tc, test_lists);
	tcase_add_test(tc, test_batch);
	tcase_add_loop_test(tc, test_random_against_model, 0, 6);
	tcase_add_test(tc, test_two_processes_race_for_the_last_unit);
	tcase_add_test(tc, test_flash_sale_four_processes);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
