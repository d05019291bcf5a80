/* check_mallrules.c - what an order pays and when it may be placed: flash
 * discounts (percent and fixed price, with tier prices, the exact
 * rounding, starting and ending around an order, the history),
 * redemption windows (a window that closes on the 6th, the mall's and
 * the item's, the ledger's UTC offset, the next opening), limits per
 * account and period (cancelled and returned orders give their units
 * back; two processes), the mall's minimum balance, every refusal with
 * nothing written, a format-1 ledger upgraded, and a seeded random run
 * against a small model.  The invariants and points_verify hold after
 * every test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

static points_db *db;
static int64_t alice, bob, carol, dave;

/* 2024-03-04, a Monday, 10:00 UTC */
#define MAR4 (TU_T0 + (31 + 29 + 3) * TU_DAY + 10 * 3600)

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
	tu_now = MAR4;
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
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 50000, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 50000, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, carol, "PTS", 50000, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, dave, "PTS", 300, NULL), POINTS_OK);
	item("MUG", 999, 100);
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
place_n(int64_t acct, const char *sku, int64_t qty, points_order *out)
{
	points_order_req r = POINTS_ORDER_REQ_INIT;

	r.account = acct;
	r.sku = sku;
	r.quantity = qty;
	r.actor = "shop";
	return points_order_place(db, &r, out);
}

static points_order
place(int64_t acct, const char *sku, int64_t qty)
{
	points_order o;

	ck_assert_msg(place_n(acct, sku, qty, &o) == POINTS_OK, "%s",
	    points_errmsg(db));
	return o;
}

static int64_t
price_for(const char *sku, int64_t acct)
{
	int64_t p;

	ck_assert_int_eq(points_item_price_for(db, sku, acct, &p), POINTS_OK);
	return p;
}

static void
flash(const char *sku, int kind, int64_t value, int64_t starts,
    int64_t ends)
{
	points_item it;

	ck_assert_msg(points_item_set_flash(db, sku, kind, value, starts, ends,
	    "admin", "sale", &it) == POINTS_OK, "%s", points_errmsg(db));
}

static void
has_msg(const char *want)
{
	ck_assert_msg(strstr(points_errmsg(db), want) != NULL,
	    "'%s' not in '%s'", want, points_errmsg(db));
}

/* ---- Flash discounts ---- */

/* 20% off 999: 199.8 points off, rounded down to 199: 800.  The
 * discount applies to the tier price; a fixed price caps it. */
START_TEST(test_flash_percent_and_fixed_price)
{
	points_order o;
	points_item it;

	ck_assert_int_eq(points_item_set_tier_price(db, "MUG", "gold", 600,
	    "admin", NULL, &it), POINTS_OK);
	flash("MUG", POINTS_FLASH_PERCENT, 20, tu_now, tu_now + 3 * TU_DAY);
	ck_assert_int_eq(price_for("MUG", alice), 800);
	ck_assert_int_eq(price_for("MUG", carol), 480);
	o = place(alice, "MUG", 3);
	ck_assert_int_eq(o.unit_price, 800);
	ck_assert_int_eq(o.amount, 2400);
	o = place(carol, "MUG", 1);
	ck_assert_int_eq(o.unit_price, 480);
	ck_assert_int_eq(points_item_get(db, "MUG", &it), POINTS_OK);
	ck_assert_int_eq(it.points, 2400 + 480);
	/* 1% off 1 is 1; 99% off 999 is 999 - 989 = 10; 33% off 100: 67 */
	item("PIN", 1, 10);
	flash("PIN", POINTS_FLASH_PERCENT, 1, 0, tu_now + 1);
	ck_assert_int_eq(price_for("PIN", alice), 1);
	flash("MUG", POINTS_FLASH_PERCENT, 99, 0, tu_now + 1);
	ck_assert_int_eq(price_for("MUG", alice), 10);
	item("BOOK", 100, 10);
	flash("BOOK", POINTS_FLASH_PERCENT, 33, 0, tu_now + 1);
	ck_assert_int_eq(price_for("BOOK", alice), 67);
	/* a fixed price of 700: alice pays 700, carol keeps her 600 */
	flash("MUG", POINTS_FLASH_PRICE, 700, 0, tu_now + 1);
	ck_assert_int_eq(price_for("MUG", alice), 700);
	ck_assert_int_eq(price_for("MUG", carol), 600);
	o = place(carol, "MUG", 1);
	ck_assert_int_eq(o.unit_price, 600);
	/* no overflow near INT64_MAX: 50% off */
	item("GOLD", INT64_MAX, 1);
	flash("GOLD", POINTS_FLASH_PERCENT, 50, 0, tu_now + 1);
	ck_assert_int_eq(price_for("GOLD", alice), INT64_MAX / 2 + 1);
}
END_TEST

/* A discount starting and ending around orders: before its start and
 * from its end on, the full price; an order keeps the price it was
 * placed at. */
START_TEST(test_flash_starting_and_ending_around_an_order)
{
	int64_t start = tu_now + TU_DAY, end = start + 3 * TU_DAY;
	points_order before, during, after;

	flash("MUG", POINTS_FLASH_PERCENT, 20, start, end);
	tu_now = start - 1;
	before = place(alice, "MUG", 1);
	ck_assert_int_eq(before.amount, 999);
	tu_now = start;
	during = place(alice, "MUG", 1);
	ck_assert_int_eq(during.amount, 800);
	tu_now = end - 1;
	ck_assert_int_eq(price_for("MUG", alice), 800);
	tu_now = end;
	after = place(alice, "MUG", 1);
	ck_assert_int_eq(after.amount, 999);
	ck_assert_int_eq(points_order_approve(db, during.id, NULL, NULL,
	    &during), POINTS_OK);
	ck_assert_int_eq(during.amount, 800);
	ck_assert_int_eq(tu_available(db, alice, "PTS"),
	    50000 - 999 - 800 - 999);
}
END_TEST

START_TEST(test_flash_history)
{
	points_item_history_iterator *hi;
	points_item_change c;
	points_item it;

	flash("MUG", POINTS_FLASH_PERCENT, 20, tu_now, tu_now + TU_DAY);
	/* the same again: no history */
	flash("MUG", POINTS_FLASH_PERCENT, 20, tu_now, tu_now + TU_DAY);
	flash("MUG", POINTS_FLASH_PRICE, 500, tu_now, tu_now + TU_DAY);
	ck_assert_int_eq(points_item_set_flash(db, "MUG", 0, 0, 0, 0, "ops",
	    "over", &it), POINTS_OK);
	ck_assert_int_eq(it.flash_value, 0);
	ck_assert_int_eq(it.changes, 4);
	/* removing none: no history */
	ck_assert_int_eq(points_item_set_flash(db, "MUG", 0, 0, 0, 0, "ops",
	    NULL, &it), POINTS_OK);
	ck_assert_int_eq(it.changes, 4);
	ck_assert_int_eq(points_item_history_iterator_new(db, "MUG", &hi),
	    POINTS_OK);
	ck_assert_int_eq(points_item_history_next(hi, &c), POINTS_OK);
	ck_assert_uint_eq(c.what, POINTS_ITEM_CHANGED_CREATED);
	ck_assert_int_eq(points_item_history_next(hi, &c), POINTS_OK);
	ck_assert_uint_eq(c.what, POINTS_ITEM_CHANGED_FLASH);
	ck_assert_int_eq(c.flash_kind, POINTS_FLASH_PERCENT);
	ck_assert_int_eq(c.flash_value, 20);
	ck_assert_int_eq(c.flash_starts, tu_now);
	ck_assert_int_eq(c.flash_ends, tu_now + TU_DAY);
	ck_assert_str_eq(c.reason, "sale");
	ck_assert_int_eq(points_item_history_next(hi, &c), POINTS_OK);
	ck_assert_int_eq(c.flash_kind, POINTS_FLASH_PRICE);
	ck_assert_int_eq(c.flash_value, 500);
	ck_assert_int_eq(points_item_history_next(hi, &c), POINTS_OK);
	ck_assert_uint_eq(c.what, POINTS_ITEM_CHANGED_FLASH);
	ck_assert_int_eq(c.flash_value, 0);
	ck_assert_str_eq(c.actor, "ops");
	ck_assert_str_eq(c.reason, "over");
	ck_assert_int_eq(points_item_history_next(hi, &c), POINTS_ITEROVER);
	points_item_history_iterator_free(hi);
}
END_TEST

START_TEST(test_flash_bad_input_writes_nothing)
{
	points_item it;

	TU_FAILS(db, points_item_set_flash(db, "MUG", 7, 20, 0, tu_now, "a",
	    NULL, &it), POINTS_EINVAL);
	has_msg("item 'MUG'");
	TU_FAILS(db, points_item_set_flash(db, "MUG", POINTS_FLASH_PERCENT,
	    100, 0, tu_now, "a", NULL, &it), POINTS_EINVAL);
	has_msg("1 to 99");
	TU_FAILS(db, points_item_set_flash(db, "MUG", POINTS_FLASH_PERCENT,
	    -5, 0, tu_now, "a", NULL, &it), POINTS_EINVAL);
	TU_FAILS(db, points_item_set_flash(db, "MUG", POINTS_FLASH_PRICE,
	    -5, 0, tu_now, "a", NULL, &it), POINTS_EINVAL);
	TU_FAILS(db, points_item_set_flash(db, "MUG", POINTS_FLASH_PRICE,
	    5, tu_now, tu_now, "a", NULL, &it), POINTS_EINVAL);
	has_msg("end after it starts");
	TU_FAILS(db, points_item_set_flash(db, "MUG", POINTS_FLASH_PRICE,
	    5, -1, tu_now, "a", NULL, &it), POINTS_EINVAL);
	TU_FAILS(db, points_item_set_flash(db, "NOPE", POINTS_FLASH_PRICE,
	    5, 0, tu_now, "a", NULL, &it), POINTS_ENOTFOUND);
	has_msg("item 'NOPE' not found");
	TU_FAILS(db, points_item_set_flash(db, "MUG", POINTS_FLASH_PRICE,
	    5, 0, tu_now, NULL, NULL, &it), POINTS_EINVAL);
	TU_FAILS(db, points_item_set_flash(db, "MUG", POINTS_FLASH_PRICE,
	    5, 0, tu_now, "a", NULL, NULL), POINTS_EINVAL);
	TU_FAILS(db, points_item_set_flash(db, "bad sku", POINTS_FLASH_PRICE,
	    5, 0, tu_now, "a", NULL, &it), POINTS_EINVAL);
}
END_TEST

/* ---- Redemption windows ---- */

/* "The 1st to the 5th of every month": open on the 5th, refused on the
 * 6th with the next opening, open again on the 1st. */
START_TEST(test_window_closes_on_the_6th)
{
	points_item it;
	points_order o;
	int64_t opens;

	ck_assert_int_eq(points_item_set_window(db, "MUG", 0, 0x1f, "admin",
	    "first week", &it), POINTS_OK);
	ck_assert_uint_eq(it.window_monthdays, 0x1f);
	tu_now = TU_T0 + (31 + 29 + 4) * TU_DAY + 86399; /* 03-05 23:59:59 */
	o = place(alice, "MUG", 1);
	ck_assert_int_eq(points_item_next_opening(db, "MUG", 0, &opens),
	    POINTS_OK);
	ck_assert_int_eq(opens, tu_now);
	tu_now++; /* 03-06 00:00:00 */
	TU_FAILS(db, place_n(alice, "MUG", 1, &o), POINTS_EWINDOW);
	has_msg("item 'MUG' cannot be ordered on 2024-03-06");
	has_msg("opens 2024-04-01");
	ck_assert_int_eq(points_item_next_opening(db, "MUG", 0, &opens),
	    POINTS_OK);
	ck_assert_int_eq(opens, TU_T0 + (31 + 29 + 31) * TU_DAY);
	tu_now = TU_T0 + (31 + 29 + 30) * TU_DAY + 86399; /* 03-31 */
	TU_FAILS(db, place_n(alice, "MUG", 1, &o), POINTS_EWINDOW);
	tu_now++;
	o = place(alice, "MUG", 1);
	/* always again */
	ck_assert_int_eq(points_item_set_window(db, "MUG", 0, 0, "admin", NULL,
	    &it), POINTS_OK);
	tu_now += 10 * TU_DAY;
	o = place(alice, "MUG", 1);
}
END_TEST

static int64_t
test_clock(void *ctx)
{
	(void)ctx;
	return tu_now;
}

/* The ledger's UTC offset decides the day: 2024-03-05 20:00 UTC is the
 * 6th in UTC+8; the next opening is 2024-04-01 00:00 in UTC+8. */
START_TEST(test_window_in_the_ledger_offset)
{
	points_open_options oo = POINTS_OPEN_OPTIONS_INIT;
	points_db *d8 = NULL;
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_order_req r = POINTS_ORDER_REQ_INIT;
	points_item it;
	points_order o;
	int64_t a, opens;

	oo.utc_offset = 8 * 3600;
	oo.clock = test_clock;
	ck_assert_int_eq(points_open("memory:", &oo, &d8), POINTS_OK);
	ck_assert_int_eq(points_asset_create(d8, "PTS", 0,
	    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
	a = tu_account(d8, "E1");
	ck_assert_int_eq(tu_earn(d8, a, "PTS", 100, NULL), POINTS_OK);
	d.sku = "CUP";
	d.name = "Cup";
	d.category = "physical";
	d.asset = "PTS";
	d.price = 10;
	d.stock = POINTS_STOCK_UNLIMITED;
	d.actor = "admin";
	ck_assert_int_eq(points_item_create(d8, &d, &it), POINTS_OK);
	ck_assert_int_eq(points_item_set_window(d8, "CUP", 0, 0x1f, "admin",
	    NULL, &it), POINTS_OK);
	r.account = a;
	r.sku = "CUP";
	tu_now = TU_T0 + (31 + 29 + 4) * TU_DAY + 15 * 3600; /* 23:00 +8 */
	ck_assert_int_eq(points_order_place(d8, &r, &o), POINTS_OK);
	tu_now += 3600; /* 03-06 00:00 in UTC+8 */
	ck_assert_int_eq(points_order_place(d8, &r, &o), POINTS_EWINDOW);
	ck_assert_ptr_nonnull(strstr(points_errmsg(d8), "opens 2024-04-01"));
	ck_assert_int_eq(points_item_next_opening(d8, "CUP", 0, &opens),
	    POINTS_OK);
	ck_assert_int_eq(opens, TU_T0 + (31 + 29 + 31) * TU_DAY - 8 * 3600);
	tu_invariants(d8);
	points_close(d8);
}
END_TEST

/* The mall's window and the item's: an order needs both open; the next
 * opening is the first day both are. */
START_TEST(test_mall_window_and_item_window)
{
	points_mall_settings m;
	points_item it;
	points_order o;
	int64_t opens;

	/* the mall: Saturdays and Sundays; the item: the 1st to the 5th */
	ck_assert_int_eq(points_mall_set_window(db, 0x60, 0, "admin",
	    "weekends", &m), POINTS_OK);
	ck_assert_uint_eq(m.window_weekdays, 0x60);
	ck_assert_int_eq(m.updated, tu_now);
	ck_assert_str_eq(m.actor, "admin");
	ck_assert_int_eq(points_mall_settings_get(db, &m), POINTS_OK);
	ck_assert_str_eq(m.reason, "weekends");
	/* Monday 2024-03-04: the mall is closed, opens Saturday 03-09 */
	TU_FAILS(db, place_n(alice, "MUG", 1, &o), POINTS_EWINDOW);
	has_msg("outside the mall's redemption window (opens 2024-03-09)");
	ck_assert_int_eq(points_item_set_window(db, "MUG", 0, 0x1f, "admin",
	    NULL, &it), POINTS_OK);
	/* both: a weekend day from the 1st to the 5th: Saturday 04-06 is
	 * past the 5th; 2024-05-04 is a Saturday */
	TU_FAILS(db, place_n(alice, "MUG", 1, &o), POINTS_EWINDOW);
	has_msg("opens 2024-05-04");
	ck_assert_int_eq(points_item_next_opening(db, "MUG", 0, &opens),
	    POINTS_OK);
	ck_assert_int_eq(opens, TU_T0 + (31 + 29 + 31 + 30 + 3) * TU_DAY);
	/* at a time given: Saturday 03-02 was open */
	ck_assert_int_eq(points_item_next_opening(db, "MUG",
	    TU_T0 + (31 + 29 + 1) * TU_DAY + 5, &opens), POINTS_OK);
	ck_assert_int_eq(opens, TU_T0 + (31 + 29 + 1) * TU_DAY + 5);
	/* the item open, the mall not: it names the mall's */
	tu_now = TU_T0 + (31 + 29 + 31) * TU_DAY + 3600; /* Mon 04-01 */
	TU_FAILS(db, place_n(alice, "MUG", 1, &o), POINTS_EWINDOW);
	has_msg("the mall's");
	tu_now = TU_T0 + (31 + 29 + 31 + 30 + 3) * TU_DAY;
	o = place(alice, "MUG", 1);
	/* windows that never meet: Mondays only for the item */
	ck_assert_int_eq(points_item_set_window(db, "MUG", 0x01, 0, "admin",
	    NULL, &it), POINTS_OK);
	TU_FAILS(db, place_n(alice, "MUG", 1, &o), POINTS_EWINDOW);
	has_msg("never open together");
	ck_assert_int_eq(points_item_next_opening(db, "MUG", 0, &opens),
	    POINTS_OK);
	ck_assert_int_eq(opens, 0);
	/* the mall always open again */
	ck_assert_int_eq(points_mall_set_window(db, 0, 0, "admin", NULL, &m),
	    POINTS_OK);
	tu_now += 2 * TU_DAY; /* Monday */
	o = place(alice, "MUG", 1);
}
END_TEST

START_TEST(test_window_bad_input_writes_nothing)
{
	points_mall_settings m;
	points_item it;
	int64_t t;

	TU_FAILS(db, points_item_set_window(db, "MUG", 0x80, 0, "a", NULL,
	    &it), POINTS_EINVAL);
	has_msg("item 'MUG': window weekdays 0x80");
	TU_FAILS(db, points_item_set_window(db, "MUG", 0, 1u << 31, "a", NULL,
	    &it), POINTS_EINVAL);
	has_msg("monthdays");
	TU_FAILS(db, points_item_set_window(db, "NOPE", 1, 0, "a", NULL,
	    &it), POINTS_ENOTFOUND);
	TU_FAILS(db, points_item_set_window(db, "MUG", 1, 0, "", NULL, &it),
	    POINTS_EINVAL);
	TU_FAILS(db, points_mall_set_window(db, 0x80, 0, "a", NULL, &m),
	    POINTS_EINVAL);
	has_msg("the mall: window weekdays");
	TU_FAILS(db, points_mall_set_window(db, 1, 0, NULL, NULL, &m),
	    POINTS_EINVAL);
	TU_FAILS(db, points_mall_set_window(db, 1, 0, "a", NULL, NULL),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_item_next_opening(db, "MUG", -1, &t),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_item_next_opening(db, "NOPE", 0, &t),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(points_item_next_opening(db, "MUG", 0, NULL),
	    POINTS_EINVAL);
	/* the same window again: nothing written */
	ck_assert_int_eq(points_mall_set_window(db, 0, 0, "a", NULL, &m),
	    POINTS_OK);
	ck_assert_int_eq(m.updated, 0);
}
END_TEST

/* ---- Limits per account and period ---- */

START_TEST(test_period_limits)
{
	points_item it;
	points_order o1, o2, o;
	int64_t u;

	ck_assert_int_eq(points_item_set_period_limit(db, "MUG",
	    POINTS_PERIOD_MONTH, 2, "admin", "two a month", &it), POINTS_OK);
	ck_assert_int_eq(it.limit_month, 2);
	o1 = place(alice, "MUG", 1);
	o2 = place(alice, "MUG", 1);
	TU_FAILS(db, place_n(alice, "MUG", 1, &o), POINTS_EQUOTA);
	has_msg("item 'MUG': at most 2 a month for an account; account E1001 "
	    "has ordered 2 this month and asked for 1");
	/* bob has his own */
	o = place(bob, "MUG", 2);
	ck_assert_int_eq(points_order_units_in_period(db, alice, "MUG",
	    POINTS_PERIOD_MONTH, 0, &u), POINTS_OK);
	ck_assert_int_eq(u, 2);
	/* a cancelled order gives its unit back */
	ck_assert_int_eq(points_order_cancel(db, o1.id, NULL, NULL, &o1),
	    POINTS_OK);
	ck_assert_int_eq(points_order_units_in_period(db, alice, "MUG",
	    POINTS_PERIOD_MONTH, 0, &u), POINTS_OK);
	ck_assert_int_eq(u, 1);
	o1 = place(alice, "MUG", 1);
	/* a returned one too */
	ck_assert_int_eq(points_order_approve(db, o2.id, NULL, NULL, &o2),
	    POINTS_OK);
	ck_assert_int_eq(points_order_deliver(db, o2.id, NULL, NULL, &o2),
	    POINTS_OK);
	ck_assert_int_eq(points_order_return(db, o2.id, 1, NULL, NULL, &o2),
	    POINTS_OK);
	o2 = place(alice, "MUG", 1);
	TU_FAILS(db, place_n(alice, "MUG", 1, &o), POINTS_EQUOTA);
	/* approved, shipped, delivered orders count */
	ck_assert_int_eq(points_order_approve(db, o2.id, NULL, NULL, &o2),
	    POINTS_OK);
	TU_FAILS(db, place_n(alice, "MUG", 1, &o), POINTS_EQUOTA);
	/* the next month: 2 again; the last day of March still full */
	tu_now = TU_T0 + (31 + 29 + 31) * TU_DAY - 1;
	TU_FAILS(db, place_n(alice, "MUG", 1, &o), POINTS_EQUOTA);
	tu_now++;
	o = place(alice, "MUG", 2);
	ck_assert_int_eq(points_order_units_in_period(db, alice, "MUG",
	    POINTS_PERIOD_MONTH, MAR4, &u), POINTS_OK);
	ck_assert_int_eq(u, 2);
	ck_assert_int_eq(points_order_units_in_period(db, alice, "MUG",
	    POINTS_PERIOD_YEAR, 0, &u), POINTS_OK);
	ck_assert_int_eq(u, 4);
	/* a day, a week and a year too: 1 a day, 2 a week, 5 a year
	 * (Monday 04-01) */
	ck_assert_int_eq(points_item_set_period_limit(db, "MUG",
	    POINTS_PERIOD_MONTH, 0, "admin", NULL, &it), POINTS_OK);
	ck_assert_int_eq(points_item_set_period_limit(db, "MUG",
	    POINTS_PERIOD_DAY, 1, "admin", NULL, &it), POINTS_OK);
	ck_assert_int_eq(points_item_set_period_limit(db, "MUG",
	    POINTS_PERIOD_WEEK, 2, "admin", NULL, &it), POINTS_OK);
	ck_assert_int_eq(points_item_set_period_limit(db, "MUG",
	    POINTS_PERIOD_YEAR, 5, "admin", NULL, &it), POINTS_OK);
	ck_assert_int_eq(it.limit_day, 1);
	ck_assert_int_eq(it.limit_week, 2);
	ck_assert_int_eq(it.limit_month, 0);
	ck_assert_int_eq(it.limit_year, 5);
	TU_FAILS(db, place_n(alice, "MUG", 1, &o), POINTS_EQUOTA);
	has_msg("at most 1 a day");
	tu_now += TU_DAY;
	TU_FAILS(db, place_n(alice, "MUG", 1, &o), POINTS_EQUOTA);
	has_msg("at most 2 a week");
	tu_now += 6 * TU_DAY; /* Monday of the next week */
	o = place(alice, "MUG", 1);
	tu_now += TU_DAY;
	TU_FAILS(db, place_n(alice, "MUG", 1, &o), POINTS_EQUOTA);
	has_msg("at most 5 a year");
	/* the history has them */
	ck_assert_int_eq(points_item_get(db, "MUG", &it), POINTS_OK);
	ck_assert_int_eq(it.changes, 6);
}
END_TEST

/* An order placed in February and approved in March counts in February
 * only. */
START_TEST(test_order_counts_in_the_month_placed)
{
	points_order o;
	int64_t u;

	tu_now = MAR4 - 10 * TU_DAY;
	o = place(bob, "MUG", 1);
	tu_now = MAR4;
	ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(points_order_units_in_period(db, bob, "MUG",
	    POINTS_PERIOD_MONTH, 0, &u), POINTS_OK);
	ck_assert_int_eq(u, 0);
	ck_assert_int_eq(points_order_units_in_period(db, bob, "MUG",
	    POINTS_PERIOD_MONTH, MAR4 - 10 * TU_DAY, &u), POINTS_OK);
	ck_assert_int_eq(u, 1);
	ck_assert_int_eq(points_order_units_in_period(db, bob, "MUG",
	    POINTS_PERIOD_YEAR, 0, &u), POINTS_OK);
	ck_assert_int_eq(u, 1);
}
END_TEST

START_TEST(test_period_limit_bad_input)
{
	points_item it;
	int64_t u;

	TU_FAILS(db, points_item_set_period_limit(db, "MUG", 0, 1, "a", NULL,
	    &it), POINTS_EINVAL);
	has_msg("period");
	TU_FAILS(db, points_item_set_period_limit(db, "MUG", 5, 1, "a", NULL,
	    &it), POINTS_EINVAL);
	TU_FAILS(db, points_item_set_period_limit(db, "MUG",
	    POINTS_PERIOD_DAY, -1, "a", NULL, &it), POINTS_EINVAL);
	has_msg("must not be negative");
	TU_FAILS(db, points_item_set_period_limit(db, "NOPE",
	    POINTS_PERIOD_DAY, 1, "a", NULL, &it), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_order_units_in_period(db, alice, "MUG", 9, 0,
	    &u), POINTS_EINVAL);
	ck_assert_int_eq(points_order_units_in_period(db, 999, "MUG",
	    POINTS_PERIOD_DAY, 0, &u), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_order_units_in_period(db, alice, "NOPE",
	    POINTS_PERIOD_DAY, 0, &u), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_order_units_in_period(db, alice, "MUG",
	    POINTS_PERIOD_DAY, -1, &u), POINTS_EINVAL);
	ck_assert_int_eq(points_order_units_in_period(db, alice, "MUG",
	    POINTS_PERIOD_DAY, 0, NULL), POINTS_EINVAL);
}
END_TEST

/* ---- The minimum balance ---- */

START_TEST(test_min_balance)
{
	points_order o;
	int64_t m;

	ck_assert_int_eq(points_mall_min_balance_get(db, "PTS", &m), POINTS_OK);
	ck_assert_int_eq(m, 0);
	item("PEN", 10, 100);
	ck_assert_int_eq(points_mall_set_min_balance(db, "PTS", 500, "admin",
	    "earn first"), POINTS_OK);
	ck_assert_int_eq(points_mall_min_balance_get(db, "PTS", &m), POINTS_OK);
	ck_assert_int_eq(m, 500);
	/* dave has 300: a pen for 10 is refused, with the figure */
	TU_FAILS(db, place_n(dave, "PEN", 1, &o), POINTS_EINSUFFICIENT);
	has_msg("account E1004 has 300 PTS to spend: the mall needs at least "
	    "500 PTS");
	ck_assert_int_eq(tu_earn(db, dave, "PTS", 200, NULL), POINTS_OK);
	o = place(dave, "PEN", 1);
	/* now 490 available: refused again */
	TU_FAILS(db, place_n(dave, "PEN", 1, &o), POINTS_EINSUFFICIENT);
	has_msg("has 490 PTS");
	/* another asset has none */
	ck_assert_int_eq(points_mall_min_balance_get(db, "EXP", &m), POINTS_OK);
	ck_assert_int_eq(m, 0);
	/* removed */
	ck_assert_int_eq(points_mall_set_min_balance(db, "PTS", 0, "admin",
	    NULL), POINTS_OK);
	ck_assert_int_eq(points_mall_min_balance_get(db, "PTS", &m), POINTS_OK);
	ck_assert_int_eq(m, 0);
	o = place(dave, "PEN", 1);
	/* bad input */
	TU_FAILS(db, points_mall_set_min_balance(db, "PTS", -1, "a", NULL),
	    POINTS_EINVAL);
	has_msg("minimum balance of PTS");
	TU_FAILS(db, points_mall_set_min_balance(db, "NOPE", 5, "a", NULL),
	    POINTS_ENOTFOUND);
	TU_FAILS(db, points_mall_set_min_balance(db, "PTS", 5, NULL, NULL),
	    POINTS_EINVAL);
	TU_FAILS(db, points_mall_set_min_balance(db, NULL, 5, "a", NULL),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_mall_min_balance_get(db, "NOPE", &m),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(points_mall_min_balance_get(db, "PTS", NULL),
	    POINTS_EINVAL);
}
END_TEST

/* The minimum is held against the available points: those an open
 * order holds and those an earning rule keeps pending are out of them
 * already, so neither counts twice. */
START_TEST(test_min_balance_with_held_and_pending)
{
	points_rule_def d = POINTS_RULE_DEF_INIT;
	points_event e = POINTS_EVENT_INIT;
	points_event_result *res = NULL;
	points_balance b;
	points_rule r;
	points_order o;

	item("PEN", 10, 100);
	/* purchases earn a point per 100, pending 30 days */
	d.name = "later";
	d.event_type = "purchase";
	d.points = "event.amount / 100";
	d.asset = "PTS";
	d.state = POINTS_RULE_ACTIVE;
	d.pending_days = 30;
	d.author = "admin";
	ck_assert_msg(points_rule_save(db, &d, &r) == POINTS_OK, "%s",
	    points_errmsg(db));
	ck_assert_int_eq(points_mall_set_min_balance(db, "PTS", 500, "admin",
	    NULL), POINTS_OK);
	/* dave: 300 + 400 available, an open order holding 10, then 300
	 * pending */
	ck_assert_int_eq(tu_earn(db, dave, "PTS", 400, NULL), POINTS_OK);
	o = place(dave, "PEN", 1);
	e.id = "p1";
	e.type = "purchase";
	e.account = dave;
	e.amount = 30000;
	ck_assert_msg(points_event_apply(db, &e, &res) == POINTS_OK, "%s",
	    points_errmsg(db));
	points_event_result_free(res);
	ck_assert_int_eq(points_balance_get(db, dave, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 690);
	ck_assert_int_eq(b.held, 10);
	ck_assert_int_eq(b.pending, 300);
	/* 690 to spend, the minimum 500: allowed */
	o = place(dave, "PEN", 1);
	ck_assert_int_eq(o.amount, 10);
	/* down to 495 to spend (the pending points unchanged): refused,
	 * with the figure, nothing written */
	ck_assert_int_eq(tu_spend(db, dave, "PTS", 185, NULL), POINTS_OK);
	TU_FAILS(db, place_n(dave, "PEN", 1, &o), POINTS_EINSUFFICIENT);
	has_msg("account E1004 has 495 PTS to spend: the mall needs at least "
	    "500 PTS");
	ck_assert_int_eq(points_balance_get(db, dave, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 495);
	ck_assert_int_eq(b.held, 20);
	ck_assert_int_eq(b.pending, 300);
	/* at the minimum exactly: allowed */
	ck_assert_int_eq(tu_earn(db, dave, "PTS", 5, NULL), POINTS_OK);
	o = place(dave, "PEN", 1);
}
END_TEST

/* The checks' order: the window before the tier and stock, the limits
 * before the minimum balance, the minimum before what the order costs. */
START_TEST(test_refusals_in_order)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_item it;
	points_order o;

	d.sku = "SUITE";
	d.name = "Suite";
	d.category = "service";
	d.asset = "PTS";
	d.price = 100;
	d.stock = 1;
	d.min_tier = "gold";
	d.actor = "admin";
	ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
	ck_assert_int_eq(points_item_set_window(db, "SUITE", 0x40, 0, "admin",
	    NULL, &it), POINTS_OK);
	/* Monday: the window first, for alice (not gold) */
	TU_FAILS(db, place_n(alice, "SUITE", 5, &o), POINTS_EWINDOW);
	tu_now += 6 * TU_DAY; /* Sunday */
	TU_FAILS(db, place_n(alice, "SUITE", 5, &o), POINTS_ENOTELIGIBLE);
	TU_FAILS(db, place_n(carol, "SUITE", 5, &o), POINTS_EOUTOFSTOCK);
	ck_assert_int_eq(points_item_restock(db, "SUITE", 9, "admin", NULL,
	    &it), POINTS_OK);
	ck_assert_int_eq(points_item_set_period_limit(db, "SUITE",
	    POINTS_PERIOD_WEEK, 1, "admin", NULL, &it), POINTS_OK);
	ck_assert_int_eq(points_mall_set_min_balance(db, "PTS", 60000,
	    "admin", NULL), POINTS_OK);
	TU_FAILS(db, place_n(carol, "SUITE", 2, &o), POINTS_EQUOTA);
	TU_FAILS(db, place_n(carol, "SUITE", 1, &o), POINTS_EINSUFFICIENT);
	has_msg("at least 60000");
	ck_assert_int_eq(points_mall_set_min_balance(db, "PTS", 100, "admin",
	    NULL), POINTS_OK);
	o = place(carol, "SUITE", 1);
	ck_assert_int_eq(o.amount, 100);
}
END_TEST

/* ---- Two processes ---- */

/* Two processes order the last unit an account may have today: exactly
 * one wins, the other is refused (POINTS_EQUOTA): the count and the
 * order are made in one write transaction. */
START_TEST(test_two_processes_race_for_the_limit)
{
	char uri[200];
	int go[2], status, wins = 0, refused = 0, i, round;

	snprintf(uri, sizeof(uri), "%s?busy_timeout=10000", tu_sqlite_uri());
	for (round = 0; round < 4; round++) {
		points_db *p = tu_open_bare(uri);
		points_item_def d = POINTS_ITEM_DEF_INIT;
		points_item it;
		int64_t buyer;
		pid_t pid[2];
		char sku[16], ext[16];

		if (round == 0)
			ck_assert_int_eq(points_asset_create(p, "PTS", 0,
			    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
		snprintf(ext, sizeof(ext), "L%d", round);
		buyer = tu_account(p, ext);
		ck_assert_int_eq(tu_earn(p, buyer, "PTS", 1000, NULL),
		    POINTS_OK);
		snprintf(sku, sizeof(sku), "LIM%d", round);
		d.sku = sku;
		d.name = "One a day";
		d.category = "virtual";
		d.asset = "PTS";
		d.price = 10;
		d.stock = POINTS_STOCK_UNLIMITED;
		d.actor = "admin";
		ck_assert_int_eq(points_item_create(p, &d, &it), POINTS_OK);
		ck_assert_int_eq(points_item_set_period_limit(p, sku,
		    POINTS_PERIOD_DAY, 1, "admin", NULL, &it), POINTS_OK);
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
				o.clock = test_clock;
				if (points_open(uri, &o, &c) != POINTS_OK)
					_exit(1);
				if (read(go[0], &b, 1) < 0)
					_exit(1);
				r.account = buyer;
				r.sku = sku;
				rc = points_order_place(c, &r, &out);
				if (rc && rc != POINTS_EQUOTA)
					fprintf(stderr, "child: %s\n",
					    points_errmsg(c));
				points_close(c);
				_exit(rc == POINTS_OK ? 0 :
				    rc == POINTS_EQUOTA ? 2 : 1);
			}
		}
		close(go[0]);
		close(go[1]);
		for (i = 0; i < 2; i++) {
			ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
			ck_assert(WIFEXITED(status));
			ck_assert_int_ne(WEXITSTATUS(status), 1);
			if (WEXITSTATUS(status) == 0)
				wins++;
			else
				refused++;
		}
		ck_assert_int_eq(wins, round + 1);
		ck_assert_int_eq(refused, round + 1);
		p = tu_open_bare(uri);
		ck_assert_int_eq(tu_available(p, buyer, "PTS"), 990);
		ck_assert_int_eq(points_item_get(p, sku, &it), POINTS_OK);
		ck_assert_int_eq(it.units, 1);
		tu_invariants(p);
		points_close(p);
	}
}
END_TEST

/* ---- Upgrading ---- */

/* A ledger of format 1 (version-1 item records: no discount, window or
 * limits) is upgraded when opened: its items read as before, are
 * rewritten as version 2 and take discounts. */
START_TEST(test_format_1_items_upgraded)
{
	const char *uri = tu_sqlite_uri();
	points_store *s;
	points_keyspace *ks, *meta;
	points_item before, after;
	points_item_history_iterator *hi;
	points_item_change c;
	const void *v;
	size_t vl;
	unsigned char buf[1024];
	points_db *d;
	int64_t p;

	d = tu_open(uri);
	{
		points_item_def id = POINTS_ITEM_DEF_INIT;

		id.sku = "OLD";
		id.name = "Old";
		id.category = "physical";
		id.asset = "PTS";
		id.price = 250;
		id.stock = 9;
		id.actor = "admin";
		ck_assert_int_eq(points_item_create(d, &id, &before),
		    POINTS_OK);
	}
	points_close(d);
	/* the record as format 1 wrote it: version 1, without the eleven
	 * trailing fields of versions 2 and 3 (0: a byte each) */
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	ck_assert_int_eq(s->keyspace(s, "mallitem", 0, &ks), POINTS_OK);
	ck_assert_int_eq(s->keyspace(s, "meta", 0, &meta), POINTS_OK);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->get(s, ks, "OLD", 3, &v, &vl), POINTS_OK);
	ck_assert_uint_lt(vl, sizeof(buf));
	memcpy(buf, v, vl);
	ck_assert_uint_eq(buf[0], 3);
	ck_assert_mem_eq(buf + vl - 11, "\0\0\0\0\0\0\0\0\0\0\0", 11);
	buf[0] = 1;
	ck_assert_int_eq(s->put(s, ks, "OLD", 3, buf, vl - 11), POINTS_OK);
	ck_assert_int_eq(s->put(s, meta, "module:mall_item", 16, "\x01", 1),
	    POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	points_store_close(s);
	d = tu_open_bare(uri);
	ck_assert_int_eq(points_item_get(d, "OLD", &after), POINTS_OK);
	ck_assert_mem_eq(&after, &before, sizeof(after));
	points_close(d);
	/* the open rewrote it as version 3 */
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	ck_assert_int_eq(s->keyspace(s, "mallitem", 0, &ks), POINTS_OK);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->get(s, ks, "OLD", 3, &v, &vl), POINTS_OK);
	ck_assert_uint_eq(((const unsigned char *)v)[0], 3);
	s->rollback(s);
	points_store_close(s);
	d = tu_open_bare(uri);
	ck_assert_int_eq(points_item_set_flash(d, "OLD", POINTS_FLASH_PRICE,
	    200, 0, tu_now + 1, "admin", NULL, &after), POINTS_OK);
	ck_assert_int_eq(points_item_price_for(d, "OLD",
	    tu_account(d, "E9"), &p), POINTS_OK);
	ck_assert_int_eq(p, 200);
	ck_assert_int_eq(points_item_history_iterator_new(d, "OLD", &hi),
	    POINTS_OK);
	ck_assert_int_eq(points_item_history_next(hi, &c), POINTS_OK);
	ck_assert_int_eq(c.flash_value, 0);
	ck_assert_int_eq(points_item_history_next(hi, &c), POINTS_OK);
	ck_assert_int_eq(c.flash_value, 200);
	points_item_history_iterator_free(hi);
	tu_invariants(d);
	points_close(d);
}
END_TEST

/* ---- A seeded random run against a small model ---- */

/* The model's calendar, from the C library (UTC: the fixture's
 * offset), not the ledger's. */
static struct tm
m_tm(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	ck_assert_ptr_nonnull(gmtime_r(&tt, &tm));
	return tm;
}

static int
m_open(unsigned wd, unsigned md, int64_t t)
{
	struct tm tm = m_tm(t);
	int iso = tm.tm_wday == 0 ? 7 : tm.tm_wday; /* 1 Monday */

	return (!wd || (wd >> (iso - 1) & 1)) &&
	    (!md || (md >> (tm.tm_mday - 1) & 1));
}

/* Do times a and b fall in the same period? */
static int
m_same(int period, int64_t a, int64_t b)
{
	struct tm x = m_tm(a), y = m_tm(b);
	int64_t da = a / TU_DAY, db_ = b / TU_DAY;

	switch (period) {
	case POINTS_PERIOD_DAY:
		return da == db_;
	case POINTS_PERIOD_WEEK: /* 1970-01-01 was a Thursday */
		return (da + 3) / 7 == (db_ + 3) / 7;
	case POINTS_PERIOD_MONTH:
		return x.tm_year == y.tm_year && x.tm_mon == y.tm_mon;
	default:
		return x.tm_year == y.tm_year;
	}
}

enum { R_ACCTS = 3, R_ITEMS = 2, R_ORDERS = 200 };

typedef struct r_item {
	int64_t price, gold, stock;
	int flash_kind;
	int64_t flash_value, flash_starts, flash_ends;
	unsigned wd, md;
	int64_t limit[5];
} r_item;

typedef struct r_order {
	char id[POINTS_ID_LEN + 1];
	int acct, item, live;
	int64_t qty, amount, time;
} r_order;

static int64_t
m_units(const r_order *ord, int n, int a, int it, int period, int64_t t)
{
	int64_t u = 0;
	int i;

	for (i = 0; i < n; i++)
		if (ord[i].live && ord[i].acct == a && ord[i].item == it &&
		    m_same(period, ord[i].time, t))
			u += ord[i].qty;
	return u;
}

static int64_t
m_price(const r_item *m, int gold, int64_t t)
{
	int64_t base = gold && m->gold ? m->gold : m->price;

	if (!m->flash_value || t < m->flash_starts || t >= m->flash_ends)
		return base;
	if (m->flash_kind == POINTS_FLASH_PRICE)
		return m->flash_value < base ? m->flash_value : base;
	/* the discount rounded down: the account pays the rest */
	return base - base * m->flash_value / 100;
}

START_TEST(test_random_against_model)
{
	static const char *skus[R_ITEMS] = { "RA", "RB" };
	r_item items[R_ITEMS] = {
		{ 100, 0, 40, 0, 0, 0, 0, 0, 0, { 0 } },
		{ 333, 250, POINTS_STOCK_UNLIMITED, 0, 0, 0, 0, 0, 0, { 0 } },
	};
	static r_order ord[R_ORDERS];
	int64_t acct[R_ACCTS], bal[R_ACCTS], minbal = 0;
	unsigned mwd = 0, mmd = 0;
	int n = 0, step, i, j, p;
	unsigned seed = 7000u + (unsigned)_i;

	srand(seed);
	for (i = 0; i < R_ACCTS; i++) {
		char ext[16];

		snprintf(ext, sizeof(ext), "M%d", i);
		acct[i] = tu_account(db, ext);
		bal[i] = 3000 + 2000 * i;
		ck_assert_int_eq(tu_earn(db, acct[i], "PTS", bal[i], NULL),
		    POINTS_OK);
	}
	tier(acct[2], "gold");
	for (i = 0; i < R_ITEMS; i++)
		item(skus[i], items[i].price, items[i].stock);
	{
		points_item it;

		ck_assert_int_eq(points_item_set_tier_price(db, "RB", "gold",
		    250, "admin", NULL, &it), POINTS_OK);
	}
	for (step = 0; step < 400; step++) {
		int op = rand() % 10, a = rand() % R_ACCTS, k = rand() % R_ITEMS;
		r_item *m = &items[k];
		points_item it;
		points_order o;
		int rc, want;

		tu_now += rand() % (20 * 3600);
		switch (op) {
		case 0: /* a flash discount, or none */
			if (rand() % 3 == 0) {
				m->flash_kind = 0;
				m->flash_value = m->flash_starts =
				    m->flash_ends = 0;
			} else {
				m->flash_kind = rand() % 2 ?
				    POINTS_FLASH_PERCENT : POINTS_FLASH_PRICE;
				m->flash_value = m->flash_kind ==
				    POINTS_FLASH_PERCENT ? 1 + rand() % 99 :
				    1 + rand() % 400;
				m->flash_starts = tu_now - TU_DAY +
				    rand() % (2 * TU_DAY);
				m->flash_ends = m->flash_starts + 1 +
				    rand() % (3 * TU_DAY);
			}
			ck_assert_int_eq(points_item_set_flash(db, skus[k],
			    m->flash_kind, m->flash_value, m->flash_starts,
			    m->flash_ends, "admin", NULL, &it), POINTS_OK);
			break;
		case 1: /* an item's window */
			m->wd = rand() % 3 ? 0 : (unsigned)(rand() % 128);
			m->md = rand() % 3 ? 0 :
			    (unsigned)rand() & ((1u << 31) - 1);
			ck_assert_int_eq(points_item_set_window(db, skus[k],
			    m->wd, m->md, "admin", NULL, &it), POINTS_OK);
			break;
		case 2: /* the mall's */
		{
			points_mall_settings ms;

			mwd = rand() % 2 ? 0 : (unsigned)(rand() % 128);
			mmd = rand() % 2 ? 0 :
			    (unsigned)rand() & ((1u << 31) - 1);
			ck_assert_int_eq(points_mall_set_window(db, mwd, mmd,
			    "admin", NULL, &ms), POINTS_OK);
			break;
		}
		case 3: /* a limit */
			p = 1 + rand() % 4;
			m->limit[p] = rand() % 3 ? 0 : 1 + rand() % 6;
			ck_assert_int_eq(points_item_set_period_limit(db,
			    skus[k], p, m->limit[p], "admin", NULL, &it),
			    POINTS_OK);
			break;
		case 4: /* the minimum balance */
			minbal = rand() % 2 ? 0 : rand() % 6000;
			ck_assert_int_eq(points_mall_set_min_balance(db, "PTS",
			    minbal, "admin", NULL), POINTS_OK);
			break;
		case 5: /* cancel an order */
			if (n == 0)
				break;
			j = rand() % n;
			rc = points_order_cancel(db, ord[j].id, NULL, NULL,
			    &o);
			ck_assert_int_eq(rc, ord[j].live ? POINTS_OK :
			    POINTS_ESTATE);
			if (rc == POINTS_OK) {
				ord[j].live = 0;
				bal[ord[j].acct] += ord[j].amount;
				if (items[ord[j].item].stock !=
				    POINTS_STOCK_UNLIMITED)
					items[ord[j].item].stock +=
					    ord[j].qty;
			}
			break;
		default: /* place */
		{
			int64_t q = 1 + rand() % 3, unit, amount;

			if (n == R_ORDERS)
				break;
			unit = m_price(m, a == 2, tu_now);
			amount = unit * q;
			want = POINTS_OK;
			if (!m_open(m->wd, m->md, tu_now) ||
			    !m_open(mwd, mmd, tu_now))
				want = POINTS_EWINDOW;
			else if (m->stock != POINTS_STOCK_UNLIMITED &&
			    m->stock < q)
				want = POINTS_EOUTOFSTOCK;
			for (p = 1; want == POINTS_OK && p <= 4; p++)
				if (m->limit[p] && m_units(ord, n, a, k, p,
				    tu_now) + q > m->limit[p])
					want = POINTS_EQUOTA;
			if (want == POINTS_OK &&
			    (bal[a] < minbal || bal[a] < amount))
				want = POINTS_EINSUFFICIENT;
			tu_snap(db);
			rc = place_n(acct[a], skus[k], q, &o);
			ck_assert_msg(rc == want, "seed %u step %d: place %s "
			    "x%lld for M%d: %d, want %d: %s", seed, step,
			    skus[k], (long long)q, a, rc, want,
			    points_errmsg(db));
			if (rc) {
				tu_unchanged(db);
				break;
			}
			ck_assert_int_eq(o.unit_price, unit);
			ck_assert_int_eq(o.amount, amount);
			bal[a] -= amount;
			if (m->stock != POINTS_STOCK_UNLIMITED)
				m->stock -= q;
			strcpy(ord[n].id, o.id);
			ord[n].acct = a;
			ord[n].item = k;
			ord[n].live = 1;
			ord[n].qty = q;
			ord[n].amount = amount;
			ord[n].time = tu_now;
			n++;
			break;
		}
		}
		/* compare after every step */
		for (i = 0; i < R_ACCTS; i++)
			ck_assert_int_eq(tu_available(db, acct[i], "PTS"),
			    bal[i]);
		for (j = 0; j < R_ITEMS; j++) {
			int64_t price;

			ck_assert_int_eq(points_item_get(db, skus[j], &it),
			    POINTS_OK);
			ck_assert_int_eq(it.stock, items[j].stock);
			ck_assert_int_eq(points_item_price_for(db, skus[j],
			    acct[2], &price), POINTS_OK);
			ck_assert_int_eq(price, m_price(&items[j], 1, tu_now));
			for (i = 0; i < R_ACCTS; i++)
				for (p = 1; p <= 4; p++) {
					int64_t u;

					ck_assert_int_eq(
					    points_order_units_in_period(db,
					    acct[i], skus[j], p, 0, &u),
					    POINTS_OK);
					ck_assert_int_eq(u, m_units(ord, n, i,
					    j, p, tu_now));
				}
		}
	}
	tu_snap_free();
}
END_TEST

static Suite *
mallrules_suite(void)
{
	Suite *s = suite_create("mallrules");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_flash_percent_and_fixed_price);
	tcase_add_test(tc, test_flash_starting_and_ending_around_an_order);
	tcase_add_test(tc, test_flash_history);
	tcase_add_test(tc, test_flash_bad_input_writes_nothing);
	tcase_add_test(tc, test_window_closes_on_the_6th);
	tcase_add_test(tc, test_window_in_the_ledger_offset);
	tcase_add_test(tc, test_mall_window_and_item_window);
	tcase_add_test(tc, test_window_bad_input_writes_nothing);
	tcase_add_test(tc, test_period_limits);
	tcase_add_test(tc, test_order_counts_in_the_month_placed);
	tcase_add_test(tc, test_period_limit_bad_input);
	tcase_add_test(tc, test_min_balance);
	tcase_add_test(tc, test_min_balance_with_held_and_pending);
	tcase_add_test(tc, test_refusals_in_order);
	tcase_add_test(tc, test_format_1_items_upgraded);
	tcase_add_loop_test(tc, test_random_against_model, 0, 6);
	tcase_add_test(tc, test_two_processes_race_for_the_limit);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(mallrules_suite());
}
