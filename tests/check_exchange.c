/* check_exchange.c - after the order is placed: exchanges (delivered ->
 * exchanging -> shipped -> delivered, within the return period, no
 * points moved), switches of open orders to a replacement item (a
 * delisted item, codes run out; the difference refunded, a dearer one
 * refused, the employee told through the outbox), every illegal change
 * and refusal with nothing written, and a seeded random run of the life
 * cycle with codes, exchanges and switches against a small model.  The
 * ledgers are "memory:" (make check-c runs the suite on SQLite too); the
 * invariants and points_verify hold after every test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static points_db *db;
static int64_t alice, bob;

static void
item_full(const char *sku, const char *cat, int64_t price, int64_t stock,
    int64_t return_days)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_item it;

	d.sku = sku;
	d.name = sku;
	d.category = cat;
	d.asset = "PTS";
	d.price = price;
	d.stock = stock;
	d.return_days = return_days;
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
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 20000, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 20000, NULL), POINTS_OK);
	item_full("MUG", "physical", 100, 10, 7);
	item_full("CUP", "physical", 80, 10, 7);
	item_full("BIG", "physical", 150, 10, 7);
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
place_out(int64_t acct, const char *sku, int64_t qty, points_order *o)
{
	points_order_req r = POINTS_ORDER_REQ_INIT;

	r.account = acct;
	r.sku = sku;
	r.quantity = qty;
	return points_order_place(db, &r, o);
}

static points_order
place(int64_t acct, const char *sku, int64_t qty)
{
	points_order o;

	ck_assert_msg(place_out(acct, sku, qty, &o) == POINTS_OK, "%s",
	    points_errmsg(db));
	return o;
}

static points_item
get_item(const char *sku)
{
	points_item it;

	ck_assert_int_eq(points_item_get(db, sku, &it), POINTS_OK);
	return it;
}

static points_order
delivered(int64_t acct, const char *sku, int64_t qty)
{
	points_order o = place(acct, sku, qty);

	ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(points_order_ship(db, o.id, "SF", "SF1", NULL, NULL,
	    &o), POINTS_OK);
	ck_assert_int_eq(points_order_deliver(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	return o;
}

/* The last outbox event. */
static points_outbox_event
last_event(void)
{
	points_outbox_event e, last;
	int64_t seq = 0;

	memset(&last, 0, sizeof(last));
	while (points_outbox_next(db, seq, &e) == POINTS_OK) {
		last = e;
		seq = e.seq;
	}
	return last;
}

START_TEST(test_exchange_life_cycle)
{
	points_order o;
	points_order_history_iterator *hi;
	points_order_change ch;
	points_outbox_event e;
	int64_t avail;
	int n = 0;

	o = delivered(alice, "MUG", 2);
	avail = tu_available(db, alice, "PTS");
	ck_assert_int_eq(get_item("MUG").stock, 8);
	tu_now += 3 * TU_DAY;
	ck_assert_int_eq(points_order_exchange(db, o.id, "alice", "cracked",
	    &o), POINTS_OK);
	ck_assert_int_eq(o.state, POINTS_ORDER_EXCHANGING);
	/* no points move; the replacement takes its units, the faulty ones
	 * are not restocked; the counters stay */
	ck_assert_int_eq(tu_available(db, alice, "PTS"), avail);
	ck_assert_int_eq(get_item("MUG").stock, 6);
	ck_assert_int_eq(get_item("MUG").orders, 1);
	ck_assert_int_eq(get_item("MUG").units, 2);
	e = last_event();
	ck_assert_str_eq(e.kind, POINTS_OUTBOX_ORDER_STATE);
	ck_assert_ptr_nonnull(strstr(e.data, "\"to\":\"exchanging\""));
	/* shipped again, delivered again: a new return period */
	ck_assert_int_eq(points_order_ship(db, o.id, "SF", "SF2", "wh", NULL,
	    &o), POINTS_OK);
	ck_assert_str_eq(o.tracking, "SF2");
	tu_now += TU_DAY;
	ck_assert_int_eq(points_order_deliver(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(o.delivered_at, tu_now);
	tu_now += 7 * TU_DAY;
	ck_assert_int_eq(points_order_return(db, o.id, 1, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 20000);
	ck_assert_int_eq(get_item("MUG").stock, 8);
	/* the history */
	ck_assert_int_eq(points_order_history_iterator_new(db, o.id, &hi),
	    POINTS_OK);
	while (points_order_history_next(hi, &ch) == POINTS_OK) {
		n++;
		if (n == 5) {
			ck_assert_int_eq(ch.from_state,
			    POINTS_ORDER_DELIVERED);
			ck_assert_int_eq(ch.to_state, POINTS_ORDER_EXCHANGING);
			ck_assert_str_eq(ch.reason, "cracked");
		}
		if (n == 6)
			ck_assert_int_eq(ch.from_state,
			    POINTS_ORDER_EXCHANGING);
	}
	points_order_history_iterator_free(hi);
	ck_assert_int_eq(n, 8);
}
END_TEST

/* An order placed with no actor keeps no record of its placing: its
 * history still begins with it (the order's created time, from nothing
 * to submitted, no actor), alone or before more changes than one read
 * of the history holds. */
START_TEST(test_history_of_an_order_placed_with_no_actor)
{
	points_order_history_iterator *hi;
	points_order_change ch;
	points_order o, p;
	int64_t placed = tu_now;
	int i, n = 0;

	p = place(bob, "CUP", 1);
	ck_assert_int_eq(points_order_history_iterator_new(db, p.id, &hi),
	    POINTS_OK);
	ck_assert_int_eq(points_order_history_next(hi, &ch), POINTS_OK);
	ck_assert_int_eq(ch.n, 1);
	ck_assert_int_eq(ch.from_state, -1);
	ck_assert_int_eq(ch.to_state, POINTS_ORDER_SUBMITTED);
	ck_assert_int_eq(ch.time, placed);
	ck_assert_str_eq(ch.actor, "");
	ck_assert_str_eq(ch.order_id, p.id);
	ck_assert_int_eq(points_order_history_next(hi, &ch), POINTS_ITEROVER);
	points_order_history_iterator_free(hi);

	o = delivered(alice, "MUG", 1);
	for (i = 0; i < 7; i++) {
		tu_now += 60;
		ck_assert_int_eq(points_order_exchange(db, o.id, "alice",
		    "cracked", &o), POINTS_OK);
		ck_assert_int_eq(points_order_ship(db, o.id, "SF", "SF9",
		    NULL, NULL, &o), POINTS_OK);
		ck_assert_int_eq(points_order_deliver(db, o.id, NULL, NULL,
		    &o), POINTS_OK);
	}
	ck_assert_int_eq(o.changes, 25);
	ck_assert_int_eq(points_order_history_iterator_new(db, o.id, &hi),
	    POINTS_OK);
	while (points_order_history_next(hi, &ch) == POINTS_OK) {
		ck_assert_int_eq(ch.n, ++n);
		if (n == 1) {
			ck_assert_int_eq(ch.time, placed);
			ck_assert_int_eq(ch.from_state, -1);
			ck_assert_str_eq(ch.actor, "");
		} else if (n == 2) {
			ck_assert_int_eq(ch.from_state,
			    POINTS_ORDER_SUBMITTED);
			ck_assert_int_eq(ch.to_state, POINTS_ORDER_APPROVED);
		} else if (n % 3 == 2) {
			ck_assert_int_eq(ch.to_state, POINTS_ORDER_EXCHANGING);
			ck_assert_str_eq(ch.reason, "cracked");
		}
	}
	points_order_history_iterator_free(hi);
	ck_assert_int_eq(n, 25);
}
END_TEST

START_TEST(test_exchange_period_and_refusals)
{
	points_order o, o2, g;
	points_item it;

	/* the 7th day after delivery accepted, the 8th refused */
	o = delivered(alice, "MUG", 1);
	o2 = delivered(alice, "MUG", 1);
	tu_now += 7 * TU_DAY;
	ck_assert_int_eq(points_order_exchange(db, o.id, NULL, NULL, &g),
	    POINTS_OK);
	tu_now += TU_DAY;
	TU_FAILS(db, points_order_exchange(db, o2.id, NULL, NULL, &g),
	    POINTS_ESTATE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "return period"));
	/* illegal from exchanging: all but ship */
	TU_FAILS(db, points_order_exchange(db, o.id, NULL, NULL, &g),
	    POINTS_ESTATE);
	TU_FAILS(db, points_order_approve(db, o.id, NULL, NULL, &g),
	    POINTS_ESTATE);
	TU_FAILS(db, points_order_cancel(db, o.id, NULL, NULL, &g),
	    POINTS_ESTATE);
	TU_FAILS(db, points_order_deliver(db, o.id, NULL, NULL, &g),
	    POINTS_ESTATE);
	TU_FAILS(db, points_order_return(db, o.id, 1, NULL, NULL, &g),
	    POINTS_ESTATE);
	TU_FAILS(db, points_order_switch(db, o.id, "CUP", NULL, NULL, &g),
	    POINTS_ESTATE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "exchanging"));
	/* illegal before delivery */
	o2 = place(alice, "MUG", 1);
	TU_FAILS(db, points_order_exchange(db, o2.id, NULL, NULL, &g),
	    POINTS_ESTATE);
	ck_assert_int_eq(points_order_approve(db, o2.id, NULL, NULL, &o2),
	    POINTS_OK);
	TU_FAILS(db, points_order_exchange(db, o2.id, NULL, NULL, &g),
	    POINTS_ESTATE);
	ck_assert_int_eq(points_order_ship(db, o2.id, "c", "t", NULL, NULL,
	    &o2), POINTS_OK);
	TU_FAILS(db, points_order_exchange(db, o2.id, NULL, NULL, &g),
	    POINTS_ESTATE);
	/* an item without returns takes no exchanges */
	item_full("NORET", "physical", 10, 5, 0);
	o2 = delivered(alice, "NORET", 1);
	TU_FAILS(db, points_order_exchange(db, o2.id, NULL, NULL, &g),
	    POINTS_ESTATE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "no returns"));
	/* out of stock for the replacement */
	o2 = delivered(bob, "CUP", 2);
	ck_assert_int_eq(points_item_restock(db, "CUP", -7, "admin", NULL,
	    &it), POINTS_OK);
	TU_FAILS(db, points_order_exchange(db, o2.id, NULL, NULL, &g),
	    POINTS_EOUTOFSTOCK);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "1 left"));
	/* cancelled and returned orders take no exchange */
	ck_assert_int_eq(points_order_return(db, o2.id, 0, NULL, NULL, &o2),
	    POINTS_OK);
	TU_FAILS(db, points_order_exchange(db, o2.id, NULL, NULL, &g),
	    POINTS_ESTATE);
	/* bad arguments */
	ck_assert_int_eq(points_order_exchange(db, "x", NULL, NULL, &g),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_order_exchange(db, o.id, NULL, NULL, NULL),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_order_exchange(db, o.id, "", NULL, &g),
	    POINTS_EINVAL);
}
END_TEST

/* A delisted item: the open order stays fulfillable, or is switched to
 * a cheaper replacement (submitted: the approval captures the new
 * amount and releases the rest; approved: the difference refunded at
 * once), with an outbox event for the employee. */
START_TEST(test_switch_refunds_the_difference)
{
	points_order o1, o2, g;
	points_item it;
	points_outbox_event e;
	points_hold h;
	points_txn t;
	char id2[POINTS_ID_LEN + 1];

	o1 = place(alice, "MUG", 2);
	o2 = place(bob, "MUG", 3);
	strcpy(id2, o2.id);
	ck_assert_int_eq(points_order_approve(db, o2.id, NULL, NULL, &o2),
	    POINTS_OK);
	ck_assert_int_eq(points_item_set_listed(db, "MUG", 0, "admin",
	    "discontinued", &it), POINTS_OK);
	/* submitted: 200 held; to CUP at 80: 160 */
	ck_assert_int_eq(points_order_switch(db, o1.id, "CUP", "ops",
	    "mug discontinued", &o1), POINTS_OK);
	ck_assert_str_eq(o1.sku, "CUP");
	ck_assert_int_eq(o1.state, POINTS_ORDER_SUBMITTED);
	ck_assert_int_eq(o1.unit_price, 80);
	ck_assert_int_eq(o1.amount, 160);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 19800);
	e = last_event();
	ck_assert_str_eq(e.kind, POINTS_OUTBOX_ORDER_SWITCHED);
	ck_assert_str_eq(e.subject, o1.id);
	ck_assert_int_eq(e.account, alice);
	ck_assert_ptr_nonnull(strstr(e.data, "\"from_sku\":\"MUG\""));
	ck_assert_ptr_nonnull(strstr(e.data, "\"refund\":40"));
	/* the stock and counters moved */
	it = get_item("MUG");
	ck_assert_int_eq(it.stock, 7);
	ck_assert_int_eq(it.orders, 1);
	ck_assert_int_eq(it.units, 3);
	it = get_item("CUP");
	ck_assert_int_eq(it.stock, 8);
	ck_assert_int_eq(it.orders, 1);
	ck_assert_int_eq(it.points, 160);
	/* the approval captures 160 and releases 40 */
	ck_assert_int_eq(points_order_approve(db, o1.id, NULL, NULL, &o1),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 19840);
	ck_assert_int_eq(points_hold_get(db, o1.id, &h), POINTS_OK);
	ck_assert_int_eq(h.captured, 160);
	/* approved: 300 spent; to CUP: 60 back at once */
	ck_assert_int_eq(points_order_switch(db, id2, "CUP", "ops", NULL, &o2),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 19760);
	ck_assert_int_eq(o2.amount, 240);
	ck_assert_int_eq(o2.state, POINTS_ORDER_APPROVED);
	/* a later cancel refunds what is left */
	ck_assert_int_eq(points_order_cancel(db, id2, NULL, NULL, &o2),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 20000);
	ck_assert_int_eq(points_txn_get(db, o2.refund_id, &t), POINTS_OK);
	ck_assert_int_eq(t.amount, 240);
	ck_assert_int_eq(get_item("CUP").stock, 8);
	ck_assert_int_eq(get_item("MUG").stock, 10);
	/* the history holds the switch, from the state to itself */
	{
		points_order_history_iterator *hi;
		points_order_change ch;

		ck_assert_int_eq(points_order_history_iterator_new(db, o1.id,
		    &hi), POINTS_OK);
		ck_assert_int_eq(points_order_history_next(hi, &ch),
		    POINTS_OK);
		ck_assert_int_eq(points_order_history_next(hi, &ch),
		    POINTS_OK);
		ck_assert_int_eq(ch.from_state, POINTS_ORDER_SUBMITTED);
		ck_assert_int_eq(ch.to_state, POINTS_ORDER_SUBMITTED);
		ck_assert_str_eq(ch.reason, "mug discontinued");
		points_order_history_iterator_free(hi);
	}
	/* the lists by item follow */
	{
		points_order_iterator *oi;

		ck_assert_int_eq(points_order_iterator_new(db, 0, -1, "MUG",
		    &oi), POINTS_OK);
		ck_assert_int_eq(points_order_next(oi, &g), POINTS_ITEROVER);
		points_order_iterator_free(oi);
	}
}
END_TEST

START_TEST(test_switch_refusals_write_nothing)
{
	points_order o, g;
	points_item it;
	points_item_def d = POINTS_ITEM_DEF_INIT;

	o = place(alice, "MUG", 2);
	/* dearer */
	TU_FAILS(db, points_order_switch(db, o.id, "BIG", NULL, NULL, &g),
	    POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "dearer"));
	/* the same item, no item, a bad SKU */
	TU_FAILS(db, points_order_switch(db, o.id, "MUG", NULL, NULL, &g),
	    POINTS_EINVAL);
	TU_FAILS(db, points_order_switch(db, o.id, "NOPE", NULL, NULL, &g),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(points_order_switch(db, o.id, "bad sku", NULL, NULL,
	    &g), POINTS_EINVAL);
	ck_assert_int_eq(points_order_switch(db, o.id, NULL, NULL, NULL, &g),
	    POINTS_EINVAL);
	/* a delisted replacement */
	item_full("OLD", "physical", 50, 10, 7);
	ck_assert_int_eq(points_item_set_listed(db, "OLD", 0, "admin", NULL,
	    &it), POINTS_OK);
	TU_FAILS(db, points_order_switch(db, o.id, "OLD", NULL, NULL, &g),
	    POINTS_ESTATE);
	/* out of stock */
	item_full("FEW", "physical", 50, 1, 7);
	TU_FAILS(db, points_order_switch(db, o.id, "FEW", NULL, NULL, &g),
	    POINTS_EOUTOFSTOCK);
	/* another asset (tu_open made EXP) */
	d.sku = "XP";
	d.name = "XP";
	d.category = "physical";
	d.asset = "EXP";
	d.price = 1;
	d.stock = 5;
	d.actor = "admin";
	ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
	TU_FAILS(db, points_order_switch(db, o.id, "XP", NULL, NULL, &g),
	    POINTS_EINVAL);
	/* not the account's tier */
	ck_assert_int_eq(points_tier_set(db, "gold", 2, 100), POINTS_OK);
	d.sku = "GOLD";
	d.asset = "PTS";
	d.min_tier = "gold";
	ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
	TU_FAILS(db, points_order_switch(db, o.id, "GOLD", NULL, NULL, &g),
	    POINTS_ENOTELIGIBLE);
	/* shipped, delivered, cancelled: not open */
	o = delivered(alice, "MUG", 1);
	TU_FAILS(db, points_order_switch(db, o.id, "CUP", NULL, NULL, &g),
	    POINTS_ESTATE);
	o = place(alice, "MUG", 1);
	ck_assert_int_eq(points_order_cancel(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	TU_FAILS(db, points_order_switch(db, o.id, "CUP", NULL, NULL, &g),
	    POINTS_ESTATE);
}
END_TEST

/* Codes run out: an open order of a card is switched to another card
 * (its codes issued at approval from the new pool), or cancelled; one
 * whose codes were issued is neither switched nor exchanged. */
START_TEST(test_codes_run_out)
{
	points_order o1, o2, g;
	points_code_pool p;
	points_order_code_iterator *ci;
	points_order_code c;

	item_full("CARD", "virtual", 500, 0, 7);
	item_full("CARD2", "virtual", 500, 0, 7);
	ck_assert_int_eq(points_item_codes_add(db, "CARD", "A1", "admin", NULL,
	    &p), POINTS_OK);
	ck_assert_int_eq(points_item_codes_add(db, "CARD2", "B1\nB2", "admin",
	    NULL, &p), POINTS_OK);
	o1 = place(alice, "CARD", 1);
	/* the stock raised by hand: a second order that the pool cannot
	 * fill */
	{
		points_item it;

		ck_assert_int_eq(points_item_restock(db, "CARD", 1, "admin",
		    NULL, &it), POINTS_OK);
	}
	o2 = place(bob, "CARD", 1);
	ck_assert_int_eq(points_order_approve(db, o1.id, NULL, NULL, &o1),
	    POINTS_OK);
	TU_FAILS(db, points_order_approve(db, o2.id, NULL, NULL, &g),
	    POINTS_EOUTOFSTOCK);
	/* switched to CARD2, then approved: a code of CARD2 */
	ck_assert_int_eq(points_order_switch(db, o2.id, "CARD2", "ops",
	    "CARD ran out", &o2), POINTS_OK);
	ck_assert_int_eq(points_order_approve(db, o2.id, NULL, NULL, &o2),
	    POINTS_OK);
	ck_assert_int_eq(points_order_code_iterator_new(db, o2.id, &ci),
	    POINTS_OK);
	ck_assert_int_eq(points_order_code_next(ci, &c), POINTS_OK);
	ck_assert_str_eq(c.code, "B1");
	ck_assert_str_eq(c.sku, "CARD2");
	points_order_code_iterator_free(ci);
	/* codes issued: no switch, no exchange */
	TU_FAILS(db, points_order_switch(db, o1.id, "CARD2", NULL, NULL, &g),
	    POINTS_ESTATE);
	ck_assert_int_eq(points_order_deliver(db, o1.id, NULL, NULL, &o1),
	    POINTS_OK);
	TU_FAILS(db, points_order_exchange(db, o1.id, NULL, NULL, &g),
	    POINTS_ESTATE);
	/* an approved order of a plain item switched to a card gets its
	 * code at once */
	o1 = place(alice, "BIG", 1);
	ck_assert_int_eq(points_order_approve(db, o1.id, NULL, NULL, &o1),
	    POINTS_OK);
	item_full("CARD3", "virtual", 150, 0, 7);
	ck_assert_int_eq(points_item_codes_add(db, "CARD3", "C1", "admin",
	    NULL, &p), POINTS_OK);
	ck_assert_int_eq(points_order_switch(db, o1.id, "CARD3", NULL, NULL,
	    &o1), POINTS_OK);
	ck_assert_int_eq(points_order_code_iterator_new(db, o1.id, &ci),
	    POINTS_OK);
	ck_assert_int_eq(points_order_code_next(ci, &c), POINTS_OK);
	ck_assert_str_eq(c.code, "C1");
	points_order_code_iterator_free(ci);
}
END_TEST

/* A ledger whose orders format 1 wrote (no exchanging state) is raised
 * to the current format (6) by the first handle that opens it; its
 * orders stay, and the index by account formats before 6 kept ('a' |
 * account | id) is removed: the account's orders are listed from its
 * entries. */
START_TEST(test_order_format_1_is_raised)
{
	char uri[128];
	points_store *s;
	points_keyspace *ks, *idx;
	points_db *d;
	points_order o, g;
	const void *v;
	size_t vl;

	snprintf(uri, sizeof(uri), "%s", tu_sqlite_uri());
	d = tu_open(uri);
	ck_assert_int_eq(tu_earn(d, tu_account(d, "E1001"), "PTS", 500, NULL),
	    POINTS_OK);
	{
		points_item_def def = POINTS_ITEM_DEF_INIT;
		points_order_req r = POINTS_ORDER_REQ_INIT;
		points_item it;

		def.sku = "MUG";
		def.name = "Mug";
		def.category = "physical";
		def.asset = "PTS";
		def.price = 100;
		def.stock = 5;
		def.actor = "admin";
		ck_assert_int_eq(points_item_create(d, &def, &it), POINTS_OK);
		r.account = tu_first_user();
		r.sku = "MUG";
		ck_assert_int_eq(points_order_place(d, &r, &o), POINTS_OK);
	}
	points_close(d);
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	ck_assert_int_eq(s->keyspace(s, "mallorderidx", 0, &idx), POINTS_OK);
	ck_assert_int_eq(s->keyspace(s, "meta", 0, &ks), POINTS_OK);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, ks, "module:mall_order", 17, "\x01", 1),
	    POINTS_OK);
	{
		/* the account's id, then the order's */
		unsigned char k[25] = { 'a', 0, 0, 0, 0, 0, 0, 0, 4 };
		const char *h = o.id;
		int i;

		k[8] = (unsigned char)tu_first_user();
		for (i = 0; i < 16; i++) { /* the id's bytes: its hex */
			char byte[3] = { 0, 0, 0 };

			if (*h == '-')
				h++;
			byte[0] = *h++;
			byte[1] = *h++;
			k[9 + i] = (unsigned char)strtoul(byte, NULL, 16);
		}
		ck_assert_int_eq(s->put(s, idx, k, sizeof(k), "", 0),
		    POINTS_OK);
	}
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	points_store_close(s);
	d = tu_open_bare(uri);
	ck_assert_int_eq(points_order_get(d, o.id, &g), POINTS_OK);
	ck_assert_int_eq(g.amount, 100);
	{
		points_order_iterator *oi;

		ck_assert_int_eq(points_order_iterator_new(d, tu_first_user(),
		    -1, NULL, &oi), POINTS_OK);
		ck_assert_int_eq(points_order_next(oi, &g), POINTS_OK);
		ck_assert_str_eq(g.id, o.id);
		ck_assert_int_eq(points_order_next(oi, &g), POINTS_ITEROVER);
		points_order_iterator_free(oi);
	}
	tu_invariants(d);
	points_close(d);
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	ck_assert_int_eq(s->keyspace(s, "mallorderidx", 0, &idx), POINTS_OK);
	ck_assert_int_eq(s->keyspace(s, "meta", 0, &ks), POINTS_OK);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	{
		points_cursor *c;
		const void *k;
		size_t kl;

		/* no key of the old index is left */
		ck_assert_int_eq(s->cursor_open(s, idx, "a", 1, "b", 1, 0,
		    &c), POINTS_OK);
		ck_assert_int_eq(s->cursor_next(s, c, &k, &kl, &v, &vl),
		    POINTS_ITEROVER);
		s->cursor_close(s, c);
	}
	ck_assert_int_eq(s->get(s, ks, "module:mall_order", 17, &v, &vl),
	    POINTS_OK);
	ck_assert_uint_eq(vl, 1);
	ck_assert_uint_eq(*(const unsigned char *)v, 6);
	s->rollback(s);
	points_store_close(s);
}
END_TEST

/* ---- A seeded random run against a model ----
 * Two accounts, items P (100, stock 6), Q (60, stock 6), and the card K
 * (100, codes); every operation on random orders, the clock moving; the
 * model (from points/mall.h) is compared after every step: balances,
 * stock, pool counts, each order's state, SKU and amount. */
#define M_ORDERS 30

typedef struct m_order {
	char id[POINTS_ID_LEN + 1];
	int acct, item, state, codes;
	int64_t qty, amount, held, delivered_day;
} m_order;

START_TEST(test_random_against_model)
{
	static const char *skus[3] = { "P", "Q", "K" };
	static const int64_t price[3] = { 100, 60, 100 };
	int64_t acct[2] = { alice, bob }, bal[2] = { 20000, 20000 };
	int64_t stock[3] = { 6, 6, 0 }, uploaded = 0, issued = 0;
	m_order ord[M_ORDERS];
	int n = 0, step, i;
	unsigned seed = 3000u + (unsigned)_i;

	srand(seed);
	item_full("P", "physical", 100, 6, 7);
	item_full("Q", "physical", 60, 6, 7);
	item_full("K", "virtual", 100, 0, 7);
	for (step = 0; step < 300; step++) {
		int op = rand() % 9, rc, want = POINTS_ESTATE;
		points_order o;
		int64_t day;

		tu_now += rand() % (2 * TU_DAY);
		day = (tu_now - TU_T0) / TU_DAY;
		if (op == 0) {
			char codes[64], c[24];
			points_code_pool pool;
			int k = 1 + rand() % 2;

			codes[0] = 0;
			for (i = 0; i < k; i++) {
				snprintf(c, sizeof(c), "K%lld\n",
				    (long long)(uploaded + i + 1));
				strcat(codes, c);
			}
			ck_assert_int_eq(points_item_codes_add(db, "K", codes,
			    "admin", NULL, &pool), POINTS_OK);
			uploaded += k;
			stock[2] += k;
		} else if (op == 1 || n == 0) {
			int a = rand() % 2, it = rand() % 3;
			int64_t q = 1 + rand() % 2;

			if (n == M_ORDERS)
				continue;
			want = stock[it] < q ? POINTS_EOUTOFSTOCK :
			    bal[a] < price[it] * q ? POINTS_EINSUFFICIENT :
			    POINTS_OK;
			rc = place_out(acct[a], skus[it], q, &o);
			ck_assert_msg(rc == want, "seed %u step %d: place: %d, "
			    "want %d: %s", seed, step, rc, want,
			    points_errmsg(db));
			if (rc)
				continue;
			m_order *m = &ord[n++];
			strcpy(m->id, o.id);
			m->acct = a;
			m->item = it;
			m->state = POINTS_ORDER_SUBMITTED;
			m->codes = 0;
			m->qty = q;
			m->amount = m->held = price[it] * q;
			bal[a] -= m->held;
			stock[it] -= q;
		} else {
			m_order *m = &ord[rand() % n];
			int from = m->state, to = from, sw = -1;

			switch (op) {
			case 2: /* approve */
				if (from == POINTS_ORDER_SUBMITTED) {
					want = m->item == 2 && uploaded -
					    issued < m->qty ?
					    POINTS_EOUTOFSTOCK : POINTS_OK;
					to = POINTS_ORDER_APPROVED;
				}
				rc = points_order_approve(db, m->id, NULL,
				    NULL, &o);
				break;
			case 3: /* cancel */
				if (from == POINTS_ORDER_SUBMITTED ||
				    from == POINTS_ORDER_APPROVED)
					want = POINTS_OK, to =
					    POINTS_ORDER_CANCELLED;
				rc = points_order_cancel(db, m->id, NULL,
				    NULL, &o);
				break;
			case 4: /* ship */
				if (from == POINTS_ORDER_APPROVED ||
				    from == POINTS_ORDER_EXCHANGING)
					want = POINTS_OK, to =
					    POINTS_ORDER_SHIPPED;
				rc = points_order_ship(db, m->id, "c", "t",
				    NULL, NULL, &o);
				break;
			case 5: /* deliver */
				if (from == POINTS_ORDER_APPROVED ||
				    from == POINTS_ORDER_SHIPPED)
					want = POINTS_OK, to =
					    POINTS_ORDER_DELIVERED;
				rc = points_order_deliver(db, m->id, NULL,
				    NULL, &o);
				break;
			case 6: /* return */
				if (from == POINTS_ORDER_DELIVERED &&
				    day - m->delivered_day <= 7)
					want = POINTS_OK, to =
					    POINTS_ORDER_RETURNED;
				rc = points_order_return(db, m->id, 1, NULL,
				    NULL, &o);
				break;
			case 7: /* exchange */
				if (from == POINTS_ORDER_DELIVERED &&
				    !m->codes && day - m->delivered_day <= 7)
					want = stock[m->item] < m->qty ?
					    POINTS_EOUTOFSTOCK : POINTS_OK,
					    to = POINTS_ORDER_EXCHANGING;
				rc = points_order_exchange(db, m->id, NULL,
				    NULL, &o);
				break;
			default: /* switch to another item */
				sw = (m->item + 1 + rand() % 2) % 3;
				if ((from == POINTS_ORDER_SUBMITTED ||
				    from == POINTS_ORDER_APPROVED) &&
				    !m->codes) {
					if (price[sw] * m->qty > m->amount)
						want = POINTS_EINVAL;
					else if (stock[sw] < m->qty)
						want = POINTS_EOUTOFSTOCK;
					else if (from ==
					    POINTS_ORDER_APPROVED && sw == 2 &&
					    uploaded - issued < m->qty)
						want = POINTS_EOUTOFSTOCK;
					else
						want = POINTS_OK;
				}
				rc = points_order_switch(db, m->id, skus[sw],
				    NULL, NULL, &o);
				break;
			}
			ck_assert_msg(rc == want, "seed %u step %d: op %d on "
			    "%d: %d, want %d: %s", seed, step, op, from, rc,
			    want, points_errmsg(db));
			if (rc)
				continue;
			ck_assert_int_eq(o.state, to);
			if (sw >= 0) {
				int64_t amount = price[sw] * m->qty;

				stock[m->item] += m->qty;
				stock[sw] -= m->qty;
				if (from == POINTS_ORDER_APPROVED) {
					bal[m->acct] += m->amount - amount;
					if (sw == 2) {
						m->codes = 1;
						issued += m->qty;
					}
				}
				m->item = sw;
				m->amount = amount;
				continue;
			}
			m->state = to;
			if (to == POINTS_ORDER_APPROVED) {
				/* the rest of the hold released */
				bal[m->acct] += m->held - m->amount;
				if (m->item == 2) {
					m->codes = 1;
					issued += m->qty;
				}
			}
			if (to == POINTS_ORDER_DELIVERED)
				m->delivered_day = day;
			if (to == POINTS_ORDER_EXCHANGING)
				stock[m->item] -= m->qty;
			if (to == POINTS_ORDER_CANCELLED)
				bal[m->acct] += from == POINTS_ORDER_SUBMITTED ?
				    m->held : m->amount;
			if (to == POINTS_ORDER_RETURNED)
				bal[m->acct] += m->amount;
			if ((to == POINTS_ORDER_CANCELLED ||
			    to == POINTS_ORDER_RETURNED) && !m->codes)
				stock[m->item] += m->qty;
		}
		/* compare */
		for (i = 0; i < 2; i++)
			ck_assert_msg(tu_available(db, acct[i], "PTS") == bal[i],
			    "seed %u step %d: account %d has %lld, want %lld",
			    seed, step, i, (long long)tu_available(db, acct[i],
			    "PTS"), (long long)bal[i]);
		for (i = 0; i < 3; i++)
			ck_assert_msg(get_item(skus[i]).stock == stock[i],
			    "seed %u step %d: %s stock %lld, want %lld", seed,
			    step, skus[i], (long long)get_item(skus[i]).stock,
			    (long long)stock[i]);
		{
			points_code_pool p;

			ck_assert_int_eq(points_item_codes_get(db, "K", &p),
			    POINTS_OK);
			ck_assert_int_eq(p.uploaded, uploaded);
			ck_assert_int_eq(p.issued, issued);
		}
		for (i = 0; i < n; i++) {
			points_order o;

			ck_assert_int_eq(points_order_get(db, ord[i].id, &o),
			    POINTS_OK);
			ck_assert_int_eq(o.state, ord[i].state);
			ck_assert_str_eq(o.sku, skus[ord[i].item]);
			ck_assert_int_eq(o.amount, ord[i].amount);
		}
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("exchange");
	TCase *tc = tcase_create("exchange");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_exchange_life_cycle);
	tcase_add_test(tc, test_history_of_an_order_placed_with_no_actor);
	tcase_add_test(tc, test_exchange_period_and_refusals);
	tcase_add_test(tc, test_switch_refunds_the_difference);
	tcase_add_test(tc, test_switch_refusals_write_nothing);
	tcase_add_test(tc, test_codes_run_out);
	tcase_add_test(tc, test_order_format_1_is_raised);
	tcase_add_loop_test(tc, test_random_against_model, 0, 6);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
