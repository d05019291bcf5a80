/* check_auction.c - auctions: the scenario of issue 15 (outbids, a
 * leader raising its own bid, an anti-sniping extension, a sale and its
 * mall order) with every hold and balance checked after each step; the
 * reserve not met and the sweep settling; a cancel; refusals that name
 * the reason and write nothing; idempotent bids; a seeded random model
 * compared after every step; four processes bidding on one auction at
 * once.  The invariants and points_verify hold after every test
 * (teardown). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "util/codec.h"

static points_db *db;
static int64_t alice, bob, carol;

static void
item(const char *sku, int64_t stock)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_item it;

	d.sku = sku;
	d.name = "A tablet";
	d.category = "physical";
	d.asset = "PTS";
	d.price = 1000;
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
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1000, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 1000, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, carol, "PTS", 1000, NULL), POINTS_OK);
}

static void
teardown(void)
{
	tu_invariants(db);
	points_close(db);
	db = NULL;
	tu_cleanup();
}

static points_auction_def
def(const char *sku, int64_t start_price, int64_t increment)
{
	points_auction_def d;

	memset(&d, 0, sizeof(d));
	if (sku)
		snprintf(d.sku, sizeof(d.sku), "%s", sku);
	else {
		strcpy(d.item, "Dinner with the CEO");
		strcpy(d.asset, "PTS");
	}
	d.starts = tu_now;
	d.ends = tu_now + TU_DAY;
	d.start_price = start_price;
	d.increment = increment;
	return d;
}

static int64_t
create(const points_auction_def *d)
{
	int64_t id;

	ck_assert_msg(points_auction_create(db, d, &id) == POINTS_OK, "%s",
	    points_errmsg(db));
	return id;
}

static points_auction
get(int64_t id)
{
	points_auction a;

	ck_assert_int_eq(points_auction_get(db, id, &a), POINTS_OK);
	return a;
}

static points_bid
bid(int64_t id, int64_t acct, int64_t amount, const char *key)
{
	points_bid w;

	ck_assert_msg(points_auction_bid(db, id, acct, amount, key, &w) ==
	    POINTS_OK, "%s", points_errmsg(db));
	ck_assert_int_eq(w.auction, id);
	ck_assert_int_eq(w.account, acct);
	ck_assert_int_eq(w.amount, amount);
	return w;
}

/* A refusal: code, a message with want, nothing written. */
static void
refused(int64_t id, int64_t acct, int64_t amount, int code, const char *want)
{
	points_bid w;

	tu_snap(db);
	ck_assert_int_eq(points_auction_bid(db, id, acct, amount, NULL, &w),
	    code);
	ck_assert_msg(strstr(points_errmsg(db), want), "%s",
	    points_errmsg(db));
	tu_unchanged(db);
	tu_snap_free();
}

static int64_t
held(int64_t acct)
{
	points_balance b;

	ck_assert_int_eq(points_balance_get(db, acct, "PTS", &b), POINTS_OK);
	return b.held;
}

/* Each account's held and available points of PTS, as expected. */
static void
holds(int64_t a_held, int64_t b_held, int64_t c_held, int64_t a_avail,
    int64_t b_avail, int64_t c_avail)
{
	ck_assert_int_eq(held(alice), a_held);
	ck_assert_int_eq(held(bob), b_held);
	ck_assert_int_eq(held(carol), c_held);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), a_avail);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), b_avail);
	ck_assert_int_eq(tu_available(db, carol, "PTS"), c_avail);
}

static int64_t
stock(const char *sku)
{
	points_item it;

	ck_assert_int_eq(points_item_get(db, sku, &it), POINTS_OK);
	return it.stock;
}

/* The outbox's events of kind after seq *after, in order: how many, the
 * last one's account in *acct; *after moves past them. */
static int
events(const char *kind, int64_t *after, int64_t *acct)
{
	points_outbox_event e;
	int n = 0;

	while (points_outbox_next(db, *after, &e) == POINTS_OK) {
		*after = e.seq;
		if (strcmp(e.kind, kind) == 0) {
			n++;
			*acct = e.account;
		}
	}
	return n;
}

static int64_t
last_seq(void)
{
	int64_t after = 0, acct;

	events("", &after, &acct);
	return after;
}

/* The issue's auction: outbids, a self-raise, an anti-sniping
 * extension, the sale, its order; holds and balances after each step. */
START_TEST(test_scenario)
{
	points_auction_def d = def("TABLET", 100, 10);
	points_auction a;
	points_auction_bid_iterator *it;
	points_order o;
	points_bid w;
	int64_t id, end, seq, who = 0, n;
	static const int64_t want_amounts[] = { 100, 110, 130, 140, 160, 170 };
	static const int want_who[] = { 0, 1, 1, 0, 2, 1 };
	const int64_t accts[3] = { alice, bob, carol };

	item("TABLET", 3);
	d.reserve = 150;
	d.snipe_window = 300;
	d.snipe_extend = 600;
	end = d.ends;
	id = create(&d);
	ck_assert_int_eq(stock("TABLET"), 2); /* the unit auctioned */
	a = get(id);
	ck_assert_str_eq(a.item, "A tablet");
	ck_assert_str_eq(a.asset, "PTS");
	ck_assert_int_eq(a.state, POINTS_AUCTION_OPEN);
	ck_assert_int_eq(a.leader, 0);
	seq = last_seq();

	/* alice opens at the starting price */
	w = bid(id, alice, 100, NULL);
	ck_assert_int_eq(w.number, 1);
	ck_assert_int_eq(w.ends, end);
	holds(100, 0, 0, 900, 1000, 1000);
	/* bob must beat her by the increment */
	refused(id, bob, 105, POINTS_EINVAL, "account E1002 bid 105, too low: "
	    "the least bid now is 110");
	bid(id, bob, 110, NULL);
	holds(0, 110, 0, 1000, 890, 1000);
	ck_assert_int_eq(events(POINTS_OUTBOX_AUCTION_OUTBID, &seq, &who), 1);
	ck_assert_int_eq(who, alice);
	/* bob raises his own bid: one hold, of the new amount, no event */
	refused(id, bob, 119, POINTS_EINVAL, "the least bid now is 120");
	bid(id, bob, 130, NULL);
	holds(0, 130, 0, 1000, 870, 1000);
	ck_assert_int_eq(events(POINTS_OUTBOX_AUCTION_OUTBID, &seq, &who), 0);
	a = get(id);
	ck_assert_int_eq(a.leader, bob);
	ck_assert_int_eq(a.price, 130);
	ck_assert_int_eq(a.bids, 3);
	/* alice back in */
	tu_now += 3600;
	bid(id, alice, 140, NULL);
	holds(140, 0, 0, 860, 1000, 1000);
	ck_assert_int_eq(events(POINTS_OUTBOX_AUCTION_OUTBID, &seq, &who), 1);
	ck_assert_int_eq(who, bob);
	/* carol in the last 300 seconds: the end moves 600 later */
	tu_now = end - 100;
	w = bid(id, carol, 160, NULL);
	ck_assert_int_eq(w.ends, end + 600);
	holds(0, 0, 160, 1000, 1000, 840);
	ck_assert_int_eq(get(id).ends, end + 600);
	ck_assert_int_eq(get(id).scheduled_end, end);
	/* at the first end bob may still bid, not in the last 300 s */
	tu_now = end;
	w = bid(id, bob, 170, NULL);
	ck_assert_int_eq(w.ends, end + 600);
	holds(0, 170, 0, 1000, 830, 1000);
	/* past the end: no more bids; it reads as sold as of the end */
	tu_now = end + 600;
	refused(id, alice, 500, POINTS_EWINDOW, "auction 1 has ended: it ended "
	    "at");
	a = get(id);
	ck_assert_int_eq(a.state, POINTS_AUCTION_SOLD);
	ck_assert_int_eq(a.settled_at, end + 600);
	ck_assert_str_eq(a.capture_id, "");
	holds(0, 170, 0, 1000, 830, 1000);
	/* settled: bob's hold captured, his order approved */
	tu_now += 50;
	ck_assert_int_eq(points_auction_settle(db, id), POINTS_OK);
	holds(0, 0, 0, 1000, 830, 1000);
	a = get(id);
	ck_assert_int_eq(a.state, POINTS_AUCTION_SOLD);
	ck_assert_int_eq(a.settled_at, end + 600);
	ck_assert_int_eq(a.leader, bob);
	ck_assert_int_eq(a.price, 170);
	ck_assert_int_ne(a.capture_id[0], 0);
	ck_assert_str_eq(a.order_id, a.hold_id);
	ck_assert_int_eq(points_order_get(db, a.order_id, &o), POINTS_OK);
	ck_assert_int_eq(o.account, bob);
	ck_assert_str_eq(o.sku, "TABLET");
	ck_assert_int_eq(o.quantity, 1);
	ck_assert_int_eq(o.amount, 170);
	ck_assert_int_eq(o.state, POINTS_ORDER_APPROVED);
	ck_assert_str_eq(o.capture_id, a.capture_id);
	ck_assert_int_eq(stock("TABLET"), 2);
	ck_assert_int_eq(points_auction_settle(db, id), POINTS_ESTATE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "already sold"));
	ck_assert_int_eq(points_auction_cancel(db, id), POINTS_ESTATE);
	/* the history: every bid with its time and amount */
	ck_assert_int_eq(points_auction_bid_iterator_new(db, id, &it),
	    POINTS_OK);
	for (n = 0; points_auction_bid_next(it, &w) == POINTS_OK; n++) {
		ck_assert_int_lt(n, 6);
		ck_assert_int_eq(w.number, n + 1);
		ck_assert_int_eq(w.amount, want_amounts[n]);
		ck_assert_int_eq(w.account, accts[want_who[n]]);
	}
	points_auction_bid_iterator_free(it);
	ck_assert_int_eq(n, 6);
	ck_assert_int_eq(points_auction_bid_get(db, id, 5, &w), POINTS_OK);
	ck_assert_int_eq(w.time, end - 100);
	ck_assert_int_eq(points_auction_bid_get(db, id, 7, &w),
	    POINTS_ENOTFOUND);
	/* the order is bob's like any other: cancelling it refunds him */
	ck_assert_int_eq(points_order_cancel(db, a.order_id, "admin", NULL,
	    &o), POINTS_OK);
	holds(0, 0, 0, 1000, 1000, 1000);
	ck_assert_int_eq(stock("TABLET"), 3);
}
END_TEST

/* No bid reaches the reserve: the sweep settles it unsold, every hold
 * released and the unit back in stock. */
START_TEST(test_reserve_not_met_sweep)
{
	points_auction_def d = def("TABLET", 100, 10);
	points_auction a;
	points_sweep_report r;
	int64_t id;

	item("TABLET", 1);
	d.reserve = 500;
	id = create(&d);
	ck_assert_int_eq(stock("TABLET"), 0);
	bid(id, alice, 100, NULL);
	bid(id, bob, 200, NULL);
	bid(id, alice, 490, NULL);
	holds(490, 0, 0, 510, 1000, 1000);
	tu_now = d.ends + 10;
	a = get(id);
	ck_assert_int_eq(a.state, POINTS_AUCTION_UNSOLD);
	ck_assert_int_eq(a.settled_at, d.ends);
	/* the sweep writes it */
	ck_assert_int_eq(points_expire_sweep(db, tu_now, &r), POINTS_OK);
	holds(0, 0, 0, 1000, 1000, 1000);
	a = get(id);
	ck_assert_int_eq(a.state, POINTS_AUCTION_UNSOLD);
	ck_assert_str_eq(a.order_id, "");
	ck_assert_int_eq(stock("TABLET"), 1);
	ck_assert_int_eq(points_auction_settle(db, id), POINTS_ESTATE);
	/* a sweep again finds nothing to do */
	ck_assert_int_eq(points_expire_sweep(db, tu_now, &r), POINTS_OK);
	holds(0, 0, 0, 1000, 1000, 1000);
}
END_TEST

/* The sweep settles only what has ended; an auction of no bids is
 * unsold; a described item is sold with no order. */
START_TEST(test_sweep_and_described_item)
{
	points_auction_def d = def(NULL, 50, 5), e;
	points_sweep_report r;
	points_auction a;
	int64_t dinner, later, empty;

	dinner = create(&d);
	e = d;
	e.ends = d.ends + TU_DAY;
	later = create(&e);
	empty = create(&d);
	bid(dinner, carol, 60, NULL);
	bid(later, alice, 50, NULL);
	/* not yet: settle refuses, naming the end */
	ck_assert_int_eq(points_auction_settle(db, dinner), POINTS_ESTATE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "runs until"));
	tu_now = d.ends;
	ck_assert_int_eq(points_expire_sweep(db, tu_now, &r), POINTS_OK);
	a = get(dinner);
	ck_assert_int_eq(a.state, POINTS_AUCTION_SOLD);
	ck_assert_int_ne(a.capture_id[0], 0);
	ck_assert_str_eq(a.order_id, "");
	ck_assert_str_eq(a.item, "Dinner with the CEO");
	ck_assert_int_eq(get(empty).state, POINTS_AUCTION_UNSOLD);
	ck_assert_int_eq(get(later).state, POINTS_AUCTION_OPEN);
	holds(50, 0, 0, 950, 1000, 940);
}
END_TEST

/* A cancel releases every hold and gives the unit back; then nothing
 * more. */
START_TEST(test_cancel)
{
	points_auction_def d = def("TABLET", 100, 10);
	points_auction a;
	int64_t id;

	item("TABLET", 2);
	id = create(&d);
	bid(id, alice, 100, NULL);
	bid(id, bob, 120, NULL);
	bid(id, bob, 150, NULL);
	holds(0, 150, 0, 1000, 850, 1000);
	tu_now += 60;
	ck_assert_int_eq(points_auction_cancel(db, id), POINTS_OK);
	holds(0, 0, 0, 1000, 1000, 1000);
	ck_assert_int_eq(stock("TABLET"), 2);
	a = get(id);
	ck_assert_int_eq(a.state, POINTS_AUCTION_CANCELLED);
	ck_assert_int_eq(a.settled_at, tu_now);
	refused(id, carol, 200, POINTS_ESTATE, "auction 1 is cancelled");
	tu_snap(db);
	ck_assert_int_eq(points_auction_cancel(db, id), POINTS_ESTATE);
	ck_assert_int_eq(points_auction_settle(db, id), POINTS_ESTATE);
	tu_unchanged(db);
	tu_snap_free();
	/* one without bids, its item described: the unit goes back */
	d = def("TABLET", 100, 10);
	strcpy(d.item, "A signed tablet");
	id = create(&d);
	ck_assert_str_eq(get(id).item, "A signed tablet");
	ck_assert_int_eq(stock("TABLET"), 1);
	ck_assert_int_eq(points_auction_cancel(db, id), POINTS_OK);
	ck_assert_int_eq(get(id).state, POINTS_AUCTION_CANCELLED);
	ck_assert_int_eq(stock("TABLET"), 2);
	holds(0, 0, 0, 1000, 1000, 1000);
	/* an auction past its end settles: it cannot be cancelled */
	d = def("TABLET", 10, 1);
	id = create(&d);
	tu_now = d.ends;
	tu_snap(db);
	ck_assert_int_eq(points_auction_cancel(db, id), POINTS_ESTATE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "it settles"));
	tu_unchanged(db);
	tu_snap_free();
}
END_TEST

/* Every refusal names the reason and writes nothing. */
START_TEST(test_refusals)
{
	points_auction_def d = def(NULL, 100, 10);
	int64_t id, dave;
	points_bid w;

	d.starts = tu_now + 3600;
	d.min_balance = 200;
	strcpy(d.departments, "sales");
	id = create(&d);
	dave = tu_account(db, "E1004");
	ck_assert_int_eq(points_account_update(db, alice, NULL, NULL, "sales"),
	    POINTS_OK);
	ck_assert_int_eq(points_account_update(db, bob, NULL, NULL, "sales"),
	    POINTS_OK);
	ck_assert_int_eq(points_account_update(db, dave, NULL, NULL, "sales"),
	    POINTS_OK);
	refused(id, alice, 100, POINTS_EWINDOW, "auction 1 has not started: "
	    "it starts at");
	tu_now += 3600;
	refused(id, carol, 100, POINTS_ENOTELIGIBLE, "auction 1: account "
	    "E1003 is not eligible: its department is none, the departments "
	    "are sales");
	ck_assert_int_eq(tu_earn(db, dave, "PTS", 150, NULL), POINTS_OK);
	refused(id, dave, 100, POINTS_ENOTELIGIBLE, "account E1004 is not "
	    "eligible: available 150 PTS, it needs at least 200");
	refused(id, alice, 99, POINTS_EINVAL, "the least bid now is 100");
	refused(id, alice, 1001, POINTS_EINSUFFICIENT, "E1001");
	refused(id, alice, 0, POINTS_EINVAL, "a bid must be positive");
	refused(id, alice, -5, POINTS_EINVAL, "must be positive");
	refused(99, alice, 100, POINTS_ENOTFOUND, "auction 99 not found");
	refused(id, 999, 100, POINTS_ENOTFOUND, "999");
	ck_assert_int_eq(points_account_freeze(db, bob), POINTS_OK);
	refused(id, bob, 100, POINTS_EFROZEN, "account E1002 is frozen");
	ck_assert_int_eq(points_account_unfreeze(db, bob), POINTS_OK);
	bid(id, alice, 100, NULL);
	/* a leader raising its bid needs only the difference free */
	bid(id, alice, 1000, NULL);
	holds(1000, 0, 0, 0, 1000, 1000);
	refused(id, bob, 1005, POINTS_EINVAL, "the least bid now is 1010");
	refused(id, bob, 1010, POINTS_EINSUFFICIENT, "E1002");
	holds(1000, 0, 0, 0, 1000, 1000);
	/* ids out of range, the issuer (a system account), a closed
	 * account */
	refused(0, bob, 100, POINTS_EINVAL, "auction: bad id 0");
	refused(id, 0, 100, POINTS_EINVAL, "bad account 0");
	refused(id, POINTS_ACCOUNT_ISSUER, 2000, POINTS_EINVAL,
	    "system:issuer is a system account: it cannot bid");
	{
		int64_t gone = tu_account(db, "E1009");

		ck_assert_int_eq(points_account_close(db, gone), POINTS_OK);
		refused(id, gone, 2000, POINTS_ECLOSED,
		    "account E1009 is closed");
	}
	tu_now = d.ends;
	refused(id, bob, 2000, POINTS_EWINDOW, "has ended");
	ck_assert_int_eq(points_auction_bid(db, id, bob, 100, NULL, NULL),
	    POINTS_EINVAL);
	(void)w;
}
END_TEST

/* Definitions refused, each with its reason, writing nothing. */
START_TEST(test_bad_definitions)
{
	points_auction_def d;
	int64_t id;

	item("TABLET", 1);
	item("GONE", 0);
#define BAD(stmt, code, want) do {                                       \
	d = def("TABLET", 100, 10);                                      \
	stmt;                                                            \
	tu_snap(db);                                                     \
	ck_assert_int_eq(points_auction_create(db, &d, &id), code);      \
	ck_assert_msg(strstr(points_errmsg(db), want), "%s",             \
	    points_errmsg(db));                                          \
	tu_unchanged(db);                                                \
	tu_snap_free();                                                  \
} while (0)
	BAD(d.ends = d.starts, POINTS_EINVAL, "must end after it starts");
	BAD(d.start_price = 0, POINTS_EINVAL, "must be positive");
	BAD(d.increment = -1, POINTS_EINVAL, "must be positive");
	BAD(d.reserve = -1, POINTS_EINVAL, "must not be negative");
	BAD(d.snipe_window = 60, POINTS_EINVAL, "anti-sniping needs both");
	BAD(d.sku[0] = 0, POINTS_EINVAL, "an item from the catalogue");
	BAD(strcpy(d.sku, "NOPE"), POINTS_ENOTFOUND, "NOPE");
	BAD(strcpy(d.sku, "GONE"), POINTS_EOUTOFSTOCK, "out of stock");
	BAD(strcpy(d.asset, "EXP"), POINTS_EINVAL, "sold in PTS, not EXP");
	BAD(strcpy(d.sku, "bad sku!"), POINTS_EINVAL, "bad sku!");
	BAD(strcpy(d.condition, "available >"), POINTS_EINVAL,
	    "condition: col");
	BAD(strcpy(d.tiers, "a,"), POINTS_EINVAL, "an empty name");
	BAD(memset(d.item, 'x', sizeof(d.item)), POINTS_EINVAL,
	    "must end in a NUL");
	BAD(memset(d.sku, 'x', sizeof(d.sku)), POINTS_EINVAL,
	    "must end in a NUL");
	BAD(memset(d.asset, 'x', sizeof(d.asset)), POINTS_EINVAL,
	    "must end in a NUL");
	BAD(memset(d.tiers, 'x', sizeof(d.tiers)), POINTS_EINVAL,
	    "must end in a NUL");
	BAD(memset(d.departments, 'x', sizeof(d.departments)), POINTS_EINVAL,
	    "must end in a NUL");
	BAD(memset(d.condition, 'x', sizeof(d.condition)), POINTS_EINVAL,
	    "must end in a NUL");
	BAD(d.snipe_extend = -1, POINTS_EINVAL, "must not be negative");
	BAD(d.snipe_window = -1, POINTS_EINVAL, "must not be negative");
	BAD((d.sku[0] = 0, strcpy(d.item, "A trip")), POINTS_EINVAL,
	    "an item from the catalogue");
	BAD(strcpy(d.item, "caf\xe9"), POINTS_EINVAL,
	    "auction item is not valid UTF-8");
	BAD(d.min_balance = -1, POINTS_EINVAL, "auction of 'TABLET': the "
	    "minimum balance must not be negative");
	BAD(strcpy(d.tiers, "gold,caf\xe9"), POINTS_EINVAL,
	    "tiers is not valid UTF-8");
	BAD(strcpy(d.condition, "caf\xe9"), POINTS_EINVAL,
	    "condition is not valid UTF-8");
#undef BAD
	d = def(NULL, 1, 1);
	strcpy(d.asset, "NOPE");
	tu_snap(db);
	ck_assert_int_eq(points_auction_create(db, &d, &id), POINTS_ENOTFOUND);
	tu_unchanged(db);
	tu_snap_free();
	ck_assert_int_eq(points_auction_create(db, NULL, &id), POINTS_EINVAL);
	ck_assert_int_eq(stock("TABLET"), 1);
	/* a bundle cannot be auctioned */
	item("KIT", 3);
	{
		points_item kit;

		ck_assert_int_eq(points_bundle_set_part(db, "KIT", "TABLET",
		    1, "admin", NULL, &kit), POINTS_OK);
	}
	d = def("KIT", 100, 10);
	tu_snap(db);
	ck_assert_int_eq(points_auction_create(db, &d, &id), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "item 'KIT' is a bundle: it cannot "
	    "be auctioned");
	tu_unchanged(db);
	tu_snap_free();
	/* the item's own asset named is fine */
	d = def("TABLET", 100, 10);
	strcpy(d.asset, "PTS");
	id = create(&d);
	ck_assert_str_eq(get(id).asset, "PTS");
	ck_assert_int_eq(stock("TABLET"), 0);
}
END_TEST

/* A bid in the anti-sniping window of an auction whose end would pass
 * INT64_MAX is refused with EOVERFLOW, writing nothing. */
START_TEST(test_extension_past_the_clock_range)
{
	points_auction_def d = def(NULL, 50, 5);
	points_auction a;
	int64_t id;

	d.ends = INT64_MAX - 5;
	d.snipe_window = d.ends - tu_now;
	d.snipe_extend = 10;
	id = create(&d);
	refused(id, alice, 50, POINTS_EOVERFLOW, "its end would overflow");
	a = get(id);
	ck_assert_int_eq(a.bids, 0);
	ck_assert_int_eq(a.ends, INT64_MAX - 5);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 1000);
}
END_TEST

/* An auction's record whose bytes read but whose state is past
 * cancelled, or with a byte more, is damaged: it reads as such and takes no bid; put back, it
 * does. */
START_TEST(test_damaged_state)
{
	/* the fields of an auction's record (auction.c: auction_store) */
	static const char layout[] = "usssvvvvvvvvvsssuvvvsvss";
	points_auction_def d = def(NULL, 50, 5);
	unsigned char k[9], val[2048], dam[2100];
	points_auction a;
	size_t vl, dl;
	int64_t id = create(&d);

	k[0] = 'u';
	points_codec__put_be64(k + 1, (uint64_t)id);
	vl = tu_raw_get(db, "auction", k, 9, val, sizeof(val));
	dl = tu_record_set(val, vl, layout, 16, POINTS_AUCTION_OPEN, dam,
	    sizeof(dam));
	ck_assert(dl == vl && memcmp(dam, val, vl) == 0);
	dl = tu_record_set(val, vl, layout, 16, POINTS_AUCTION_CANCELLED + 1,
	    dam, sizeof(dam));
	tu_raw_put(db, "auction", k, 9, dam, dl);
	ck_assert_int_eq(points_auction_get(db, id, &a), POINTS_ECORRUPT);
	ck_assert_str_eq(points_errmsg(db), "auction 1: damaged record");
	refused(id, alice, 50, POINTS_ECORRUPT, "auction 1: damaged record");
	/* a byte more than the record holds */
	memcpy(dam, val, vl);
	dam[vl] = 0;
	tu_raw_put(db, "auction", k, 9, dam, vl + 1);
	ck_assert_int_eq(points_auction_get(db, id, &a), POINTS_ECORRUPT);
	ck_assert_str_eq(points_errmsg(db), "auction 1: damaged record");
	tu_raw_put(db, "auction", k, 9, val, vl);
	bid(id, alice, 50, NULL);
	holds(50, 0, 0, 950, 1000, 1000);
}
END_TEST

/* The sweep of one asset settles only that asset's auctions. */
START_TEST(test_sweep_of_one_asset)
{
	points_auction_def d = def(NULL, 50, 5), e;
	points_sweep_report r;
	int64_t pts, exp;

	e = d;
	strcpy(e.asset, "EXP");
	pts = create(&d);
	exp = create(&e);
	bid(pts, alice, 50, NULL);
	tu_now = d.ends;
	/* read as of its end before any sweep: unsold, settled then */
	ck_assert_int_eq(get(exp).state, POINTS_AUCTION_UNSOLD);
	ck_assert_int_eq(get(exp).settled_at, d.ends);
	ck_assert_int_eq(points_expire_sweep_asset(db, "EXP", tu_now, 0, &r),
	    POINTS_OK);
	ck_assert_int_eq(get(exp).state, POINTS_AUCTION_UNSOLD);
	ck_assert_int_eq(get(pts).state, POINTS_AUCTION_SOLD);
	ck_assert_str_eq(get(pts).capture_id, "");
	holds(50, 0, 0, 950, 1000, 1000);
	ck_assert_int_eq(points_expire_sweep_asset(db, "PTS", tu_now, 0, &r),
	    POINTS_OK);
	ck_assert_int_ne(get(pts).capture_id[0], 0);
	holds(0, 0, 0, 950, 1000, 1000);
}
END_TEST

/* The reads refuse a missing out or handle, with the reason. */
START_TEST(test_reads_need_their_arguments)
{
	points_auction_def d = def(NULL, 100, 10);
	points_auction a;
	points_bid w;
	points_auction_bid_iterator *it = NULL;
	int64_t id = create(&d);

	bid(id, alice, 100, NULL);
	ck_assert_int_eq(points_auction_get(db, id, NULL), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "out is required");
	ck_assert_int_eq(points_auction_bid_get(db, id, 1, NULL),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "out is required");
	ck_assert_int_eq(points_auction_bid_iterator_new(db, id, NULL),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "out is required");
	ck_assert_int_eq(points_auction_get(NULL, id, &a), POINTS_EINVAL);
	ck_assert_int_eq(points_auction_bid_get(NULL, id, 1, &w),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_auction_bid_iterator_new(NULL, id, &it),
	    POINTS_EINVAL);
	ck_assert_ptr_null(it);
	ck_assert_int_eq(points_auction_bid_iterator_new(db, 77, &it),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(points_auction_bid_get(db, id, 1, &w), POINTS_OK);
	ck_assert_int_eq(w.amount, 100);
}
END_TEST

/* A repeated key returns the first bid and writes nothing; the key with
 * another amount is a conflict. */
START_TEST(test_idempotent)
{
	points_auction_def d = def(NULL, 100, 10);
	points_bid a, b;
	int64_t id;

	id = create(&d);
	a = bid(id, alice, 100, "k1");
	ck_assert_int_eq(a.replayed, 0);
	tu_snap(db);
	b = bid(id, alice, 100, "k1");
	tu_unchanged(db);
	tu_snap_free();
	ck_assert_int_eq(b.replayed, 1);
	ck_assert_int_eq(b.number, a.number);
	ck_assert_str_eq(b.hold_id, a.hold_id);
	ck_assert_int_eq(points_auction_bid(db, id, alice, 110, "k1", &b),
	    POINTS_ECONFLICT);
	ck_assert_int_eq(points_auction_bid(db, id, bob, 100, "k1", &b),
	    POINTS_ECONFLICT);
	/* each field of the request counts: the auction too */
	ck_assert_int_eq(points_auction_bid(db, create(&d), alice, 100, "k1",
	    &b), POINTS_ECONFLICT);
	/* after an outbid the replay still gives the first bid */
	bid(id, bob, 110, "k2");
	b = bid(id, alice, 100, "k1");
	ck_assert_int_eq(b.replayed, 1);
	holds(0, 110, 0, 1000, 890, 1000);
}
END_TEST

/* A frozen leader is still outbid (its hold released) and still wins
 * (its hold captured): neither an outbid nor the sweep is blocked. */
START_TEST(test_frozen_leader)
{
	points_auction_def d = def(NULL, 100, 10);
	points_sweep_report r;
	int64_t id, other;

	id = create(&d);
	other = create(&d);
	bid(id, alice, 100, NULL);
	bid(other, bob, 100, NULL);
	ck_assert_int_eq(points_account_freeze(db, alice), POINTS_OK);
	ck_assert_int_eq(points_account_freeze(db, bob), POINTS_OK);
	bid(id, carol, 110, NULL);
	ck_assert_int_eq(held(alice), 0);
	tu_now = d.ends;
	ck_assert_int_eq(points_expire_sweep(db, tu_now, &r), POINTS_OK);
	ck_assert_int_eq(get(other).state, POINTS_AUCTION_SOLD);
	ck_assert_int_ne(get(other).capture_id[0], 0);
	ck_assert_int_eq(get(id).state, POINTS_AUCTION_SOLD);
	ck_assert_int_eq(held(bob), 0);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 900);
	ck_assert_int_eq(points_account_unfreeze(db, alice), POINTS_OK);
	ck_assert_int_eq(points_account_unfreeze(db, bob), POINTS_OK);
}
END_TEST

/* ---- A model, from the documentation ---- */

#define NACCT 3

typedef struct model {
	int64_t have[NACCT];   /* each account's points */
	int64_t leader;        /* index + 1, 0: none */
	int64_t price, ends, bids;
	int state;
} model;

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
compare(const model *m, int64_t id, const int64_t *acct)
{
	points_auction a = get(id);
	int i;

	ck_assert_int_eq(a.state, m->state);
	ck_assert_int_eq(a.bids, m->bids);
	ck_assert_int_eq(a.ends, m->ends);
	ck_assert_int_eq(a.price, m->price);
	ck_assert_int_eq(a.leader, m->leader ? acct[m->leader - 1] : 0);
	for (i = 0; i < NACCT; i++) {
		int lead = m->leader == i + 1 && m->state ==
		    POINTS_AUCTION_OPEN;

		ck_assert_int_eq(held(acct[i]), lead ? m->price : 0);
		ck_assert_int_eq(tu_available(db, acct[i], "PTS"),
		    m->have[i] - (lead ? m->price : 0));
	}
}

/* Random bids (too low, enough, more than the account has, self-raises),
 * random waits through the anti-sniping window, then a settle or a
 * cancel; the model and the library agree after every step. */
START_TEST(test_random_model)
{
	const int64_t acct[NACCT] = { alice, bob, carol };
	uint64_t s = 0x9e3779b97f4a7c15ull + (uint64_t)_i;
	int round;

	for (round = 0; round < 8; round++) {
		points_auction_def d = def(NULL, 20, 5);
		model m;
		int64_t id;
		int step, i;

		d.reserve = (int64_t)(rnd(&s) % 3) * 100;
		d.snipe_window = 120;
		d.snipe_extend = 300;
		id = create(&d);
		memset(&m, 0, sizeof(m));
		for (i = 0; i < NACCT; i++)
			m.have[i] = tu_available(db, acct[i], "PTS") +
			    held(acct[i]);
		m.ends = d.ends;
		m.state = POINTS_AUCTION_OPEN;
		for (step = 0; step < 40; step++) {
			int who = (int)(rnd(&s) % NACCT);
			int64_t least = m.leader ? m.price + 5 : 20;
			int64_t amount = least - 6 + (int64_t)(rnd(&s) % 40);
			/* a leader's raise gets its hold back first */
			int64_t free = m.have[who];
			points_bid w;
			int rc, want;

			if (rnd(&s) % 4 == 0)
				tu_now += (int64_t)(rnd(&s) % 7200);
			if (rnd(&s) % 10 == 0)
				amount = m.have[who] + 1;
			rc = points_auction_bid(db, id, acct[who], amount,
			    NULL, &w);
			if (tu_now >= m.ends)
				want = POINTS_EWINDOW;
			else if (amount < least)
				want = POINTS_EINVAL;
			else if (amount > free)
				want = POINTS_EINSUFFICIENT;
			else
				want = POINTS_OK;
			ck_assert_msg(rc == want, "round %d step %d: %d, want "
			    "%d: %s", round, step, rc, want,
			    points_errmsg(db));
			if (rc == POINTS_OK) {
				m.bids++;
				m.leader = who + 1;
				m.price = amount;
				if (tu_now >= m.ends - 120)
					m.ends += 300;
				ck_assert_int_eq(w.ends, m.ends);
			}
			if (tu_now >= m.ends)
				break;
			compare(&m, id, acct);
		}
		if (rnd(&s) % 3 == 0 && tu_now < m.ends) {
			ck_assert_int_eq(points_auction_cancel(db, id),
			    POINTS_OK);
			m.state = POINTS_AUCTION_CANCELLED;
		} else {
			if (tu_now < m.ends)
				tu_now = m.ends;
			ck_assert_int_eq(points_auction_settle(db, id),
			    POINTS_OK);
			if (m.leader && m.price >= d.reserve) {
				m.state = POINTS_AUCTION_SOLD;
				m.have[m.leader - 1] -= m.price;
			} else
				m.state = POINTS_AUCTION_UNSOLD;
		}
		compare(&m, id, acct);
		tu_invariants(db);
	}
}
END_TEST

/* ---- Four processes bidding at once ---- */

#define NPROC 4
#define PROC_BIDS 60

static int64_t
test_clock(void *ctx)
{
	(void)ctx;
	return tu_now;
}

/* A child: open its own handle, bid the least it may (or a little more)
 * PROC_BIDS times, retrying when the store is busy or another bid got
 * there first; exit 0, or 1 with a message. */
static void
bidder(const char *uri, int64_t id, int64_t acct, int k)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *h = NULL;
	uint64_t s = 12345u + (uint64_t)k;
	int n = 0, tries = 0, rc;

	o.clock = test_clock;
	if ((rc = points_open(uri, &o, &h)) != POINTS_OK) {
		fprintf(stderr, "child %d: open: %d\n", k, rc);
		_exit(1);
	}
	while (n < PROC_BIDS && tries < 200000) {
		points_auction a;
		points_bid w;

		tries++;
		rc = points_auction_get(h, id, &a);
		if (rc == POINTS_EBUSY)
			continue;
		if (rc) {
			fprintf(stderr, "child %d: get: %s\n", k,
			    points_errmsg(h));
			_exit(1);
		}
		rc = points_auction_bid(h, id, acct, (a.leader ? a.price +
		    a.increment : a.start_price) + (int64_t)(rnd(&s) % 3),
		    NULL, &w);
		if (rc == POINTS_OK)
			n++;
		else if (rc != POINTS_EBUSY && rc != POINTS_ERETRY &&
		    rc != POINTS_EINVAL) {
			fprintf(stderr, "child %d: bid: %d %s\n", k, rc,
			    points_errmsg(h));
			_exit(1);
		}
	}
	points_close(h);
	_exit(n == PROC_BIDS ? 0 : 1);
}

START_TEST(test_processes)
{
	char uri[300];
	points_auction_def d;
	points_auction a;
	points_auction_bid_iterator *it;
	points_bid w;
	int64_t acct[NPROC], id, sum = 0, last = 0, n = 0;
	pid_t pid[NPROC];
	int i, status;

	points_close(db);
	snprintf(uri, sizeof(uri), "%s?busy_timeout=10000", tu_sqlite_uri());
	db = tu_open(uri);
	for (i = 0; i < NPROC; i++) {
		char ext[16];

		snprintf(ext, sizeof(ext), "P%d", i);
		acct[i] = tu_account(db, ext);
		ck_assert_int_eq(tu_earn(db, acct[i], "PTS", 1000000, NULL),
		    POINTS_OK);
	}
	d = def(NULL, 10, 1);
	id = create(&d);
	points_close(db);
	db = NULL;
	for (i = 0; i < NPROC; i++) {
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0)
			bidder(uri, id, acct[i], i);
	}
	for (i = 0; i < NPROC; i++) {
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "child %d failed", i);
	}
	db = tu_open_bare(uri);
	a = get(id);
	ck_assert_int_eq(a.bids, NPROC * PROC_BIDS);
	/* exactly one leads, holding the price; every other hold released */
	for (i = 0; i < NPROC; i++) {
		ck_assert_int_eq(held(acct[i]), acct[i] == a.leader ? a.price :
		    0);
		sum += held(acct[i]);
	}
	ck_assert_int_eq(sum, a.price);
	/* the bids rise by at least the increment, each hold of its own */
	ck_assert_int_eq(points_auction_bid_iterator_new(db, id, &it),
	    POINTS_OK);
	while (points_auction_bid_next(it, &w) == POINTS_OK) {
		points_hold h;

		n++;
		ck_assert_int_ge(w.amount, last ? last + 1 : 10);
		last = w.amount;
		ck_assert_int_eq(points_hold_get(db, w.hold_id, &h), POINTS_OK);
		ck_assert_int_eq(h.amount, w.amount);
		ck_assert_int_eq(h.state, n == a.bids ? POINTS_HOLD_OPEN :
		    POINTS_HOLD_RELEASED);
	}
	points_auction_bid_iterator_free(it);
	ck_assert_int_eq(n, a.bids);
	ck_assert_int_eq(last, a.price);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("auction");
	TCase *tc = tcase_create("auction");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_scenario);
	tcase_add_test(tc, test_reserve_not_met_sweep);
	tcase_add_test(tc, test_sweep_and_described_item);
	tcase_add_test(tc, test_cancel);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_bad_definitions);
	tcase_add_test(tc, test_extension_past_the_clock_range);
	tcase_add_test(tc, test_sweep_of_one_asset);
	tcase_add_test(tc, test_damaged_state);
	tcase_add_test(tc, test_idempotent);
	tcase_add_test(tc, test_reads_need_their_arguments);
	tcase_add_test(tc, test_frozen_leader);
	tcase_add_loop_test(tc, test_random_model, 0, 4);
	tcase_add_test(tc, test_processes);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
