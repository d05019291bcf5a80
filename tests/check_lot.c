/* check_lot.c - lots: consumption earliest-expiring first, merging by
 * expiry day, expiry policies and the ledger's UTC offset, the expiry
 * sweep, and the "expiring soon" listing (points_lot_iterator_new). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lot.h"
#include "testutil.h"

/* Calendar instants used below, seconds since the epoch, UTC. */
#define T_2024_03_15_1000 1710496800 /* 2024-03-15 10:00:00 */
#define T_2024_12_31_1200 1735646400 /* 2024-12-31 12:00:00 */
#define T_2024_12_31_1559 1735660799 /* 2024-12-31 15:59:59 */
#define T_2024_12_31_1700 1735664400 /* 2024-12-31 17:00:00 */
#define T_2025_01_01_0000 1735689600 /* 2025-01-01 00:00:00 */
#define T_2025_01_01_0300 1735700400 /* 2025-01-01 03:00:00 */
#define END_2025_03_15 1742083199    /* 2025-03-15 23:59:59 */
#define END_2025_12_31 1767225599    /* 2025-12-31 23:59:59 */
#define END_2026_12_31 1798761599    /* 2026-12-31 23:59:59 */

#define H8 (8 * 3600)

static points_db *db;
static int64_t alice, bob;

static void
setup(void)
{
	tu_now = TU_T0;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
}

static void
teardown(void)
{
	tu_invariants(db);
	points_close(db);
	db = NULL;
}

static int64_t
test_clock(void *ctx)
{
	(void)ctx;
	return tu_now;
}

/* Replace the fixture's ledger with one at utc_offset (seconds east of
 * UTC), the test clock and the standard assets; the teardown checks and
 * closes it as usual.  The accounts are made again with the same ids. */
static void
reopen_with_offset(int32_t utc_offset)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	int rc;

	points_close(db);
	db = NULL;
	o.clock = test_clock;
	o.utc_offset = utc_offset;
	rc = points_open("memory:", &o, &db);
	ck_assert_msg(rc == POINTS_OK, "open: %s", points_errmsg(db));
	ck_assert_int_eq(points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "EXP", 0, POINTS_EXPIRE_DAYS,
	    365), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "YE", 2,
	    POINTS_EXPIRE_YEAR_END, 1), POINTS_OK);
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
}

/* Earn with an explicit lot expiry. */
static int
earn_until(int64_t acct, const char *asset, int64_t amount,
    int64_t expires_at)
{
	points_posting p = tu_posting(asset, acct, amount);
	points_txn t;

	p.expires_at = expires_at;
	return points_earn(db, &p, &t);
}

/* The last second of the UTC day of t (a ledger at offset 0). */
static int64_t
day_end(int64_t t)
{
	return (t / TU_DAY) * TU_DAY + TU_DAY - 1;
}

/* Expiry of points earned at t under EXP (DAYS 365) at offset 0. */
static int64_t
exp_end(int64_t t)
{
	return day_end(t) + 365 * TU_DAY;
}

/* Read a whole lot listing into v (at most max); returns the count. */
static int
lots(int64_t account, const char *asset, int64_t until, points_lot *v,
    int max)
{
	points_lot_iterator *it;
	points_lot lot;
	int n = 0, rc;

	rc = points_lot_iterator_new(db, account, asset, until, &it);
	ck_assert_msg(rc == POINTS_OK, "points_lot_iterator_new: %s", points_errmsg(db));
	while ((rc = points_lot_next(it, &lot)) == POINTS_OK) {
		ck_assert_int_lt(n, max);
		v[n++] = lot;
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	points_lot_iterator_free(it);
	return n;
}

static void
assert_lot(const points_lot *l, int64_t account, const char *asset,
    int64_t expires_at, int64_t amount)
{
	ck_assert_int_eq(l->account, account);
	ck_assert_str_eq(l->asset, asset);
	ck_assert_int_eq(l->expires_at, expires_at);
	ck_assert_int_eq(l->amount, amount);
}

static points_sweep_report
sweep(int64_t as_of)
{
	points_sweep_report r;
	int rc;

	/* the tests sweep ahead of the clock on purpose */
	memset(&r, 0x55, sizeof(r));
	rc = points_expire_sweep_asset(db, NULL, as_of, POINTS_SWEEP_FUTURE,
	    &r);
	ck_assert_msg(rc == POINTS_OK, "sweep: %s", points_errmsg(db));
	return r;
}

static void
assert_report(const points_sweep_report *r, int64_t accounts, int64_t lots_n,
    int64_t points, int64_t holds)
{
	ck_assert_int_eq(r->accounts, accounts);
	ck_assert_int_eq(r->lots, lots_n);
	ck_assert_int_eq(r->points, points);
	ck_assert_int_eq(r->holds, holds);
}

static points_balance
balance(int64_t account, const char *asset)
{
	points_balance b;

	ck_assert_int_eq(points_balance_get(db, account, asset, &b),
	    POINTS_OK);
	return b;
}

/* ---- Consumption order and merging ---- */

START_TEST(test_spend_consumes_earliest_expiring_lot)
{
	points_lot v[4];

	ck_assert_int_eq(tu_earn(db, alice, "EXP", 100, NULL), POINTS_OK);
	tu_now += 10 * TU_DAY;
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 100, NULL), POINTS_OK);
	tu_now += 10 * TU_DAY;
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 100, NULL), POINTS_OK);
	/* all of the first lot and half of the second */
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 150, NULL), POINTS_OK);
	ck_assert_int_eq(lots(alice, "EXP", INT64_MAX, v, 4), 2);
	assert_lot(&v[0], alice, "EXP", exp_end(TU_T0 + 10 * TU_DAY), 50);
	assert_lot(&v[1], alice, "EXP", exp_end(TU_T0 + 20 * TU_DAY), 100);
	/* the rest of the second, then the third */
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 100, NULL), POINTS_OK);
	ck_assert_int_eq(lots(alice, "EXP", INT64_MAX, v, 4), 1);
	assert_lot(&v[0], alice, "EXP", exp_end(TU_T0 + 20 * TU_DAY), 50);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 50);
}
END_TEST

START_TEST(test_spend_consumes_by_expiry_not_by_earning_order)
{
	points_lot v[4];

	ck_assert_int_eq(tu_earn(db, alice, "EXP", 100, NULL), POINTS_OK);
	tu_now += TU_DAY;
	/* earned later, but expires first */
	ck_assert_int_eq(earn_until(alice, "EXP", 50, TU_T0 + 30 * TU_DAY),
	    POINTS_OK);
	ck_assert_int_eq(lots(alice, "EXP", INT64_MAX, v, 4), 2);
	assert_lot(&v[0], alice, "EXP", day_end(TU_T0 + 30 * TU_DAY), 50);
	assert_lot(&v[1], alice, "EXP", exp_end(TU_T0), 100);
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 60, NULL), POINTS_OK);
	ck_assert_int_eq(lots(alice, "EXP", INT64_MAX, v, 4), 1);
	assert_lot(&v[0], alice, "EXP", exp_end(TU_T0), 90);
}
END_TEST

START_TEST(test_lots_earned_same_day_merge)
{
	points_lot v[4];

	ck_assert_int_eq(tu_earn(db, alice, "EXP", 10, NULL), POINTS_OK);
	tu_now = TU_T0 + 3600;
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 20, NULL), POINTS_OK);
	tu_now = TU_T0 + TU_DAY - 1; /* the last second of the same day */
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 30, NULL), POINTS_OK);
	ck_assert_int_eq(lots(alice, "EXP", INT64_MAX, v, 4), 1);
	assert_lot(&v[0], alice, "EXP", exp_end(TU_T0), 60);
	tu_now = TU_T0 + TU_DAY; /* the next day: a lot of its own */
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 5, NULL), POINTS_OK);
	ck_assert_int_eq(lots(alice, "EXP", INT64_MAX, v, 4), 2);
	assert_lot(&v[0], alice, "EXP", exp_end(TU_T0), 60);
	assert_lot(&v[1], alice, "EXP", exp_end(TU_T0 + TU_DAY), 5);
	/* never-expiring points merge into one lot too */
	tu_earn(db, alice, "PTS", 1, NULL);
	tu_now += 100 * TU_DAY;
	tu_earn(db, alice, "PTS", 2, NULL);
	ck_assert_int_eq(lots(alice, "PTS", INT64_MAX, v, 4), 1);
	assert_lot(&v[0], alice, "PTS", INT64_MAX, 3);
}
END_TEST

START_TEST(test_lots_merge_by_local_day_of_the_ledger)
{
	points_lot v[4];

	reopen_with_offset(H8);
	/* 15:00 UTC is 23:00 in UTC+8; 17:00 UTC is 01:00 the next day */
	tu_now = TU_T0 + 15 * 3600;
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 10, NULL), POINTS_OK);
	tu_now = TU_T0 + 17 * 3600;
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 20, NULL), POINTS_OK);
	tu_now = TU_T0 + 39 * 3600; /* 2024-01-02 23:00 local */
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 30, NULL), POINTS_OK);
	ck_assert_int_eq(lots(alice, "EXP", INT64_MAX, v, 4), 2);
	/* local 2024-01-01 + 365 days = 2024-12-31, ends 15:59:59 UTC */
	assert_lot(&v[0], alice, "EXP", T_2024_12_31_1559, 10);
	assert_lot(&v[1], alice, "EXP", T_2024_12_31_1559 + TU_DAY, 50);
}
END_TEST

START_TEST(test_never_expiring_lots_come_last_and_are_consumed_last)
{
	points_sweep_report r;
	points_lot v[4];

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 100, NULL), POINTS_OK);
	tu_now += TU_DAY;
	/* an explicit expiry on an asset that never expires */
	ck_assert_int_eq(earn_until(alice, "PTS", 50, TU_T0 + 60 * TU_DAY),
	    POINTS_OK);
	ck_assert_int_eq(earn_until(alice, "PTS", 40, TU_T0 + 30 * TU_DAY),
	    POINTS_OK);
	ck_assert_int_eq(lots(alice, "PTS", INT64_MAX, v, 4), 3);
	assert_lot(&v[0], alice, "PTS", day_end(TU_T0 + 30 * TU_DAY), 40);
	assert_lot(&v[1], alice, "PTS", day_end(TU_T0 + 60 * TU_DAY), 50);
	assert_lot(&v[2], alice, "PTS", INT64_MAX, 100);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 70, NULL), POINTS_OK);
	ck_assert_int_eq(lots(alice, "PTS", INT64_MAX, v, 4), 2);
	assert_lot(&v[0], alice, "PTS", day_end(TU_T0 + 60 * TU_DAY), 20);
	assert_lot(&v[1], alice, "PTS", INT64_MAX, 100);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 30, NULL), POINTS_OK);
	ck_assert_int_eq(lots(alice, "PTS", INT64_MAX, v, 4), 1);
	assert_lot(&v[0], alice, "PTS", INT64_MAX, 90);
	/* the never-expiring lot is never swept */
	r = sweep(INT64_MAX);
	assert_report(&r, 0, 0, 0, 0);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 90);
}
END_TEST

/* ---- Expiry policies ---- */

START_TEST(test_days_policy_expires_at_end_of_nth_day)
{
	points_lot v[2];

	/* earned at midnight: through the end of the 365th day after */
	ck_assert_int_eq(tu_earn(db, bob, "EXP", 10, NULL), POINTS_OK);
	ck_assert_int_eq(lots(bob, "EXP", INT64_MAX, v, 2), 1);
	assert_lot(&v[0], bob, "EXP", T_2025_01_01_0000 - 1, 10);
	tu_now = T_2024_03_15_1000;
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 10, NULL), POINTS_OK);
	ck_assert_int_eq(lots(alice, "EXP", INT64_MAX, v, 2), 1);
	/* 2024-03-15 + 365 days (2024 is a leap year) = 2025-03-15 */
	assert_lot(&v[0], alice, "EXP", END_2025_03_15, 10);
}
END_TEST

START_TEST(test_days_policy_uses_ledger_utc_offset)
{
	points_lot v[2];

	reopen_with_offset(H8);
	/* 2024-01-01 17:00 UTC is 2024-01-02 01:00 in UTC+8 */
	tu_now = TU_T0 + 17 * 3600;
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 10, NULL), POINTS_OK);
	ck_assert_int_eq(lots(alice, "EXP", INT64_MAX, v, 2), 1);
	/* 2025-01-01 23:59:59 +08:00 */
	assert_lot(&v[0], alice, "EXP", T_2025_01_01_0000 + 16 * 3600 - 1, 10);
}
END_TEST

START_TEST(test_year_end_policy_expires_end_of_next_year)
{
	points_lot v[2];

	/* points earned during 2024 expire on 2025-12-31 */
	ck_assert_int_eq(tu_earn(db, bob, "YE", 1, NULL), POINTS_OK);
	tu_now = T_2024_03_15_1000;
	ck_assert_int_eq(tu_earn(db, alice, "YE", 100, NULL), POINTS_OK);
	tu_now = T_2024_12_31_1200;
	ck_assert_int_eq(tu_earn(db, alice, "YE", 250, NULL), POINTS_OK);
	ck_assert_int_eq(lots(alice, "YE", INT64_MAX, v, 2), 1);
	assert_lot(&v[0], alice, "YE", END_2025_12_31, 350); /* merged */
	/* the first and the last second of 2024 too */
	tu_now = T_2025_01_01_0000 - 1;
	ck_assert_int_eq(tu_earn(db, bob, "YE", 2, NULL), POINTS_OK);
	ck_assert_int_eq(lots(bob, "YE", INT64_MAX, v, 2), 1);
	assert_lot(&v[0], bob, "YE", END_2025_12_31, 3);
	/* one second later it is 2025: end of 2026 */
	tu_now = T_2025_01_01_0000;
	ck_assert_int_eq(tu_earn(db, bob, "YE", 4, NULL), POINTS_OK);
	ck_assert_int_eq(lots(bob, "YE", INT64_MAX, v, 2), 2);
	assert_lot(&v[1], bob, "YE", END_2026_12_31, 4);
}
END_TEST

START_TEST(test_year_end_zero_expires_end_of_this_year)
{
	points_lot v[2];

	ck_assert_int_eq(points_asset_create(db, "YE0", 0,
	    POINTS_EXPIRE_YEAR_END, 0), POINTS_OK);
	tu_now = T_2024_03_15_1000;
	ck_assert_int_eq(tu_earn(db, alice, "YE0", 7, NULL), POINTS_OK);
	ck_assert_int_eq(lots(alice, "YE0", INT64_MAX, v, 2), 1);
	assert_lot(&v[0], alice, "YE0", T_2025_01_01_0000 - 1, 7);
	/* tu_invariants does not know YE0: give the points back */
	ck_assert_int_eq(tu_spend(db, alice, "YE0", 7, NULL), POINTS_OK);
}
END_TEST

START_TEST(test_year_end_uses_ledger_utc_offset)
{
	points_lot v[2];

	reopen_with_offset(H8);
	/* 2024-12-31 17:00 UTC is 2025-01-01 01:00 in Beijing: end of 2026
	 * local, 2026-12-31 23:59:59 +08:00 = 2026-12-31 15:59:59 UTC */
	tu_now = T_2024_12_31_1700;
	ck_assert_int_eq(tu_earn(db, alice, "YE", 100, NULL), POINTS_OK);
	ck_assert_int_eq(lots(alice, "YE", INT64_MAX, v, 2), 1);
	assert_lot(&v[0], alice, "YE", END_2026_12_31 - H8, 100);
	/* 2024-12-31 15:59:59 UTC is still 2024 in Beijing: end of 2025 */
	tu_now = T_2024_12_31_1559;
	ck_assert_int_eq(tu_earn(db, bob, "YE", 100, NULL), POINTS_OK);
	ck_assert_int_eq(lots(bob, "YE", INT64_MAX, v, 2), 1);
	assert_lot(&v[0], bob, "YE", END_2025_12_31 - H8, 100);
}
END_TEST

START_TEST(test_year_end_with_negative_utc_offset)
{
	points_lot v[2];

	reopen_with_offset(-5 * 3600);
	/* 2025-01-01 03:00 UTC is 2024-12-31 22:00 in UTC-5: end of 2025
	 * local = 2026-01-01 04:59:59 UTC */
	tu_now = T_2025_01_01_0300;
	ck_assert_int_eq(tu_earn(db, alice, "YE", 100, NULL), POINTS_OK);
	ck_assert_int_eq(lots(alice, "YE", INT64_MAX, v, 2), 1);
	assert_lot(&v[0], alice, "YE", END_2025_12_31 + 5 * 3600, 100);
}
END_TEST

START_TEST(test_explicit_expires_at_overrides_policy)
{
	points_lot v[2];

	/* rounded up to the end of that day */
	ck_assert_int_eq(earn_until(alice, "EXP", 10, TU_T0 + 30 * TU_DAY +
	    5 * 3600), POINTS_OK);
	ck_assert_int_eq(lots(alice, "EXP", INT64_MAX, v, 2), 1);
	assert_lot(&v[0], alice, "EXP", TU_T0 + 31 * TU_DAY - 1, 10);
	/* later than the policy is allowed too */
	ck_assert_int_eq(earn_until(bob, "YE", 10, END_2026_12_31 + 1),
	    POINTS_OK);
	ck_assert_int_eq(lots(bob, "YE", INT64_MAX, v, 2), 1);
	assert_lot(&v[0], bob, "YE", END_2026_12_31 + TU_DAY, 10);
	/* now itself: valid through the end of today */
	tu_now = TU_T0 + 3600;
	ck_assert_int_eq(earn_until(bob, "PTS", 3, tu_now), POINTS_OK);
	ck_assert_int_eq(lots(bob, "PTS", INT64_MAX, v, 2), 1);
	assert_lot(&v[0], bob, "PTS", TU_T0 + TU_DAY - 1, 3);
	/* the past is refused */
	ck_assert_int_eq(earn_until(bob, "PTS", 3, tu_now - 1), POINTS_EINVAL);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 3);
}
END_TEST

START_TEST(test_explicit_expires_at_rounds_to_local_day_end)
{
	points_lot v[2];

	reopen_with_offset(H8);
	/* 2024-01-10 20:00 UTC is 2024-01-11 04:00 in UTC+8: valid through
	 * 2024-01-11 23:59:59 +08:00 = 2024-01-11 15:59:59 UTC */
	ck_assert_int_eq(earn_until(alice, "EXP", 10, 1704916800), POINTS_OK);
	ck_assert_int_eq(lots(alice, "EXP", INT64_MAX, v, 2), 1);
	assert_lot(&v[0], alice, "EXP", 1704988799, 10);
}
END_TEST

/* Defect: an expires_at past the last day a lot can have (its day does
 * not fit the 32-bit lot day) silently became "never".  Now only
 * INT64_MAX means never; the last second of the last day is kept
 * exactly, and anything later is refused and changes nothing. */
START_TEST(test_explicit_expiry_past_the_last_lot_day_is_refused)
{
	points_lot v[2];
	/* the last second of day 2^32 - 2, the last day a lot can have */
	int64_t last = ((int64_t)1 << 32) * TU_DAY - TU_DAY - 1;
	/* 2^32 days after the ledger's day zero, plus today */
	int64_t far = ((int64_t)1 << 32) * TU_DAY + TU_T0;

	TU_FAILS(db, earn_until(alice, "EXP", 10, far), POINTS_EINVAL);
	ck_assert_msg(strstr(points_errmsg(db), "past the last second a lot "
	    "can expire") != NULL, "%s", points_errmsg(db));
	TU_FAILS(db, earn_until(alice, "EXP", 10, INT64_MAX - 1),
	    POINTS_EINVAL);
	TU_FAILS(db, earn_until(alice, "EXP", 10, last + 1), POINTS_EINVAL);
	tu_snap_free();
	ck_assert_int_eq(earn_until(alice, "EXP", 10, last), POINTS_OK);
	ck_assert_int_eq(lots(alice, "EXP", INT64_MAX, v, 2), 1);
	ck_assert_int_eq(v[0].expires_at, last);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 10);
}
END_TEST

START_TEST(test_explicit_expiry_int64_max_on_offset_ledger)
{
	points_sweep_report r;
	points_lot v[2];

	/* INT64_MAX is how points_lot spells "never"; a caller passing it
	 * back must not get points that expire earlier (nor make the day
	 * computation overflow: t + utc_offset) */
	reopen_with_offset(H8);
	ck_assert_int_eq(earn_until(alice, "EXP", 10, INT64_MAX), POINTS_OK);
	ck_assert_int_eq(lots(alice, "EXP", INT64_MAX, v, 2), 1);
	ck_assert_int_eq(v[0].expires_at, INT64_MAX);
	r = sweep(TU_T0 + 1000 * TU_DAY);
	assert_report(&r, 0, 0, 0, 0);
}
END_TEST

/* ---- The expiry sweep ---- */

START_TEST(test_sweep_moves_expired_remainder_to_expiry_account)
{
	points_sweep_report r;
	points_balance b;
	points_lot v[2];

	ck_assert_int_eq(tu_earn(db, alice, "EXP", 100, NULL), POINTS_OK);
	tu_now += 10 * TU_DAY;
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 30, NULL), POINTS_OK);
	tu_now = exp_end(TU_T0) + 1;
	r = sweep(tu_now);
	assert_report(&r, 1, 1, 70, 0);
	b = balance(alice, "EXP");
	ck_assert_int_eq(b.available, 0);
	ck_assert_int_eq(b.expired, 70);
	ck_assert_int_eq(b.spent, 30);
	ck_assert_int_eq(b.earned, 100);
	b = balance(POINTS_ACCOUNT_EXPIRY, "EXP");
	ck_assert_int_eq(b.available, 70);
	ck_assert_int_eq(lots(alice, "EXP", INT64_MAX, v, 2), 0);
	/* nothing left to list across accounts either */
	ck_assert_int_eq(lots(0, "EXP", INT64_MAX, v, 2), 0);
}
END_TEST

START_TEST(test_sweep_leaves_lots_not_yet_due)
{
	points_sweep_report r;
	points_lot v[4];

	ck_assert_int_eq(tu_earn(db, alice, "EXP", 100, NULL), POINTS_OK);
	tu_now += TU_DAY;
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 40, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "EXP", 7, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 9, NULL), POINTS_OK);
	r = sweep(exp_end(TU_T0) + 1);
	assert_report(&r, 1, 1, 100, 0);
	ck_assert_int_eq(lots(alice, "EXP", INT64_MAX, v, 4), 1);
	assert_lot(&v[0], alice, "EXP", exp_end(TU_T0 + TU_DAY), 40);
	ck_assert_int_eq(tu_available(db, bob, "EXP"), 7);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 9);
	ck_assert_int_eq(balance(bob, "EXP").expired, 0);
	/* the next day the rest goes */
	r = sweep(exp_end(TU_T0 + TU_DAY) + 1);
	assert_report(&r, 2, 2, 47, 0);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 9);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"), 147);
}
END_TEST

START_TEST(test_sweep_expires_only_after_expires_at)
{
	points_sweep_report r;
	points_lot v[2];
	int64_t end;

	ck_assert_int_eq(tu_earn(db, alice, "EXP", 100, NULL), POINTS_OK);
	ck_assert_int_eq(lots(alice, "EXP", INT64_MAX, v, 2), 1);
	end = v[0].expires_at;
	/* the last second the points are valid: kept */
	r = sweep(end);
	assert_report(&r, 0, 0, 0, 0);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 100);
	/* one second later: expired */
	r = sweep(end + 1);
	assert_report(&r, 1, 1, 100, 0);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 0);
}
END_TEST

START_TEST(test_sweep_boundary_in_ledger_utc_offset)
{
	points_sweep_report r;
	int64_t end = END_2026_12_31 - H8;

	reopen_with_offset(H8);
	tu_now = T_2024_12_31_1700;
	ck_assert_int_eq(tu_earn(db, alice, "YE", 100, NULL), POINTS_OK);
	/* 2026-12-31 23:59:59 in Beijing: kept; a second later: gone */
	r = sweep(end);
	assert_report(&r, 0, 0, 0, 0);
	r = sweep(end + 1);
	assert_report(&r, 1, 1, 100, 0);
}
END_TEST

START_TEST(test_sweep_twice_is_idempotent)
{
	points_sweep_report r;
	char *before, *after;
	size_t bl, al;

	tu_earn(db, alice, "EXP", 100, NULL);
	tu_earn(db, bob, "EXP", 50, NULL);
	tu_earn(db, bob, "YE", 5, NULL);
	r = sweep(TU_T0 + 800 * TU_DAY);
	assert_report(&r, 2, 3, 155, 0); /* bob once, in two assets */
	before = tu_dump(db, &bl);
	r = sweep(TU_T0 + 800 * TU_DAY);
	assert_report(&r, 0, 0, 0, 0);
	r = sweep(TU_T0 + 900 * TU_DAY);
	assert_report(&r, 0, 0, 0, 0);
	after = tu_dump(db, &al);
	ck_assert_int_eq(bl, al);
	ck_assert(memcmp(before, after, bl) == 0);
	free(before);
	free(after);
	ck_assert_int_eq(balance(alice, "EXP").expired, 100);
}
END_TEST

START_TEST(test_sweep_with_nothing_due_changes_nothing)
{
	points_sweep_report r;
	char *before, *after;
	size_t bl, al;

	/* an empty ledger */
	r = sweep(tu_now);
	assert_report(&r, 0, 0, 0, 0);
	tu_earn(db, alice, "EXP", 100, NULL);
	tu_earn(db, alice, "PTS", 100, NULL);
	before = tu_dump(db, &bl);
	r = sweep(tu_now + 100 * TU_DAY);
	assert_report(&r, 0, 0, 0, 0);
	after = tu_dump(db, &al);
	ck_assert_int_eq(bl, al);
	ck_assert(memcmp(before, after, bl) == 0);
	free(before);
	free(after);
	/* the report is optional */
	ck_assert_int_eq(points_expire_sweep(db, tu_now, NULL), POINTS_OK);
}
END_TEST

START_TEST(test_sweep_report_may_be_null)
{
	tu_earn(db, alice, "EXP", 100, NULL);
	tu_now = exp_end(TU_T0) + 1;
	ck_assert_int_eq(points_expire_sweep(db, tu_now, NULL), POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 0);
	ck_assert_int_eq(balance(alice, "EXP").expired, 100);
}
END_TEST

START_TEST(test_sweep_refuses_negative_as_of)
{
	points_sweep_report r;

	tu_earn(db, alice, "EXP", 100, NULL);
	memset(&r, 0x55, sizeof(r));
	ck_assert_int_eq(points_expire_sweep(db, -1, &r), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "as_of must not be negative");
	ck_assert_int_eq(r.points, 0x5555555555555555LL); /* not written */
	ck_assert_int_eq(points_expire_sweep(db, INT64_MIN, &r),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_expire_sweep(NULL, tu_now, &r), POINTS_EINVAL);
	/* as_of 0 is allowed and finds nothing due */
	r = sweep(0);
	assert_report(&r, 0, 0, 0, 0);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 100);
}
END_TEST

/* Defect: one sweep kept the expiry account's balance of at most 16
 * assets, so a ledger with lots due in 17 assets failed every sweep and
 * nothing expired anywhere.  Any number works. */
START_TEST(test_sweep_over_many_assets)
{
	enum { NASSETS = 40 };
	char code[16]; /* "A" and any int */
	points_sweep_report r;
	int i;

	for (i = 0; i < NASSETS; i++) {
		snprintf(code, sizeof(code), "A%02d", i);
		ck_assert_int_eq(points_asset_create(db, code, 0,
		    POINTS_EXPIRE_DAYS, 1), POINTS_OK);
		ck_assert_int_eq(tu_earn(db, alice, code, 5 + i, NULL),
		    POINTS_OK);
		ck_assert_int_eq(tu_earn(db, bob, code, 1, NULL), POINTS_OK);
	}
	r = sweep(tu_now + 10 * TU_DAY);
	ck_assert_int_eq(r.accounts, 2);
	ck_assert_int_eq(r.lots, 2 * NASSETS);
	ck_assert_int_eq(r.points, 5 * NASSETS + NASSETS * (NASSETS - 1) / 2 +
	    NASSETS);
	ck_assert_str_eq(r.asset, "");
	for (i = 0; i < NASSETS; i++) {
		snprintf(code, sizeof(code), "A%02d", i);
		ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, code),
		    5 + i + 1);
		ck_assert_int_eq(balance(alice, code).expired, 5 + i);
	}
	tu_invariants(db);
}
END_TEST

START_TEST(test_sweep_after_spend_consumed_the_lot_writes_no_entry)
{
	points_sweep_report r;
	points_txn s;
	points_statement_iterator *it;
	points_entry e;

	tu_earn(db, alice, "EXP", 100, NULL);
	tu_now += TU_DAY;
	tu_earn(db, alice, "EXP", 10, NULL);
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 100, &s), POINTS_OK);
	/* the first lot's index key is stale now */
	r = sweep(exp_end(TU_T0) + 1);
	assert_report(&r, 0, 0, 0, 0);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 10);
	ck_assert_int_eq(balance(alice, "EXP").expired, 0);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"), 0);
	/* the newest entry is still the spend */
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "EXP", 0, 0,
	    POINTS_NEWEST_FIRST, &it), POINTS_OK);
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_OK);
	ck_assert_int_eq(e.type, POINTS_TXN_SPEND);
	ck_assert_int_eq(e.seq, s.seq);
	points_statement_iterator_free(it);
}
END_TEST

START_TEST(test_sweep_over_many_accounts)
{
	enum { N = 300 };
	static int64_t ids[N];
	points_sweep_report r;
	int64_t total = 0, first = 0;
	char ext[16];
	int i, d;

	for (i = 0; i < N; i++) {
		snprintf(ext, sizeof(ext), "M%04d", i);
		ids[i] = tu_account(db, ext);
	}
	for (d = 0; d < 3; d++) {
		tu_now = TU_T0 + d * 7 * TU_DAY;
		for (i = 0; i < N; i++) {
			int64_t a = 10 + i % 17 + d * 100;

			ck_assert_int_eq(tu_earn(db, ids[i], "EXP", a, NULL),
			    POINTS_OK);
			total += a;
			if (d == 0)
				first += a;
		}
	}
	/* every fifth account spends 5 (from its first lot) */
	for (i = 0; i < N; i += 5) {
		ck_assert_int_eq(tu_spend(db, ids[i], "EXP", 5, NULL),
		    POINTS_OK);
		total -= 5;
		first -= 5;
	}
	/* the first lots only */
	r = sweep(exp_end(TU_T0) + 1);
	assert_report(&r, N, N, first, 0);
	/* then the other two days' */
	r = sweep(exp_end(TU_T0 + 14 * TU_DAY) + 1);
	assert_report(&r, N, 2 * N, total - first, 0);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"), total);
	for (i = 0; i < N; i++)
		ck_assert_int_eq(tu_available(db, ids[i], "EXP"), 0);
	r = sweep(exp_end(TU_T0 + 14 * TU_DAY) + 1);
	assert_report(&r, 0, 0, 0, 0);
}
END_TEST

START_TEST(test_sweep_counts_an_account_once_across_assets)
{
	points_sweep_report r;

	/* alice loses points in two assets and in two lots of one */
	tu_earn(db, alice, "EXP", 100, NULL);
	tu_now += TU_DAY;
	tu_earn(db, alice, "EXP", 10, NULL);
	tu_earn(db, alice, "YE", 200, NULL);
	tu_earn(db, bob, "YE", 300, NULL);
	r = sweep(TU_T0 + 800 * TU_DAY);
	ck_assert_int_eq(r.lots, 4);
	ck_assert_int_eq(r.points, 610);
	ck_assert_int_eq(r.holds, 0);
	/* "accounts that lost points": alice and bob */
	ck_assert_msg(r.accounts == 2, "accounts %lld, want 2",
	    (long long)r.accounts);
}
END_TEST

START_TEST(test_refund_of_expired_points_does_not_extend_their_life)
{
	points_sweep_report r;
	points_txn s, rev;
	points_lot v[2];
	points_balance b;

	tu_earn(db, alice, "EXP", 100, NULL);
	tu_now += 10 * TU_DAY;
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 40, &s), POINTS_OK);
	tu_now = exp_end(TU_T0) + 1;
	r = sweep(tu_now);
	assert_report(&r, 1, 1, 60, 0);
	/* the order is refunded after the points' lot expired: they come
	 * back to their lot, past due, and expire again in the same
	 * transaction (an EXPIRE entry after the reversal) */
	tu_now += 10 * TU_DAY;
	ck_assert_int_eq(tu_reverse(db, s.id, 0, "refund", NULL, &rev),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 0);
	ck_assert_int_eq(lots(alice, "EXP", INT64_MAX, v, 2), 0);
	ck_assert_int_eq(lots(0, "EXP", tu_now, v, 2), 0);
	b = balance(alice, "EXP");
	ck_assert_int_eq(b.available, 0);
	ck_assert_int_eq(b.expired, 100);
	ck_assert_int_eq(b.spent, 0);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"), 100);
	/* nothing is left for the sweep */
	r = sweep(tu_now);
	assert_report(&r, 0, 0, 0, 0);
}
END_TEST

START_TEST(test_partial_refund_of_expired_points_expires_at_once)
{
	points_sweep_report r;
	points_txn s, rev;

	tu_earn(db, alice, "EXP", 100, NULL);
	tu_now += 10 * TU_DAY;
	tu_earn(db, alice, "EXP", 100, NULL);
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 150, &s), POINTS_OK);
	tu_now = exp_end(TU_T0) + 1;
	r = sweep(tu_now);
	assert_report(&r, 0, 0, 0, 0); /* the first lot was spent */
	/* 70 back: 50 to the second lot, 20 to the expired first, which
	 * expire at once */
	ck_assert_int_eq(tu_reverse(db, s.id, 70, NULL, NULL, &rev),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 100);
	ck_assert_int_eq(balance(alice, "EXP").expired, 20);
	r = sweep(tu_now);
	assert_report(&r, 0, 0, 0, 0);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 100);
}
END_TEST

START_TEST(test_transferred_points_keep_expiry_and_expire_on_receiver)
{
	points_posting p = tu_posting("EXP", alice, 70);
	points_sweep_report r;
	points_lot v[2];
	points_txn t;

	tu_earn(db, alice, "EXP", 100, NULL);
	tu_now += 50 * TU_DAY;
	tu_earn(db, bob, "EXP", 5, NULL); /* a later lot of bob's own */
	p.counterparty = bob;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(lots(bob, "EXP", INT64_MAX, v, 2), 2);
	assert_lot(&v[0], bob, "EXP", exp_end(TU_T0), 70);
	assert_lot(&v[1], bob, "EXP", exp_end(TU_T0 + 50 * TU_DAY), 5);
	r = sweep(exp_end(TU_T0) + 1);
	assert_report(&r, 2, 2, 100, 0);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 0);
	ck_assert_int_eq(tu_available(db, bob, "EXP"), 5);
	ck_assert_int_eq(balance(bob, "EXP").expired, 70);
	ck_assert_int_eq(balance(alice, "EXP").expired, 30);
}
END_TEST

START_TEST(test_partial_reversal_of_transfer_keeps_expiry)
{
	points_posting p = tu_posting("EXP", alice, 80);
	points_lot v[4];
	points_txn t, r;
	int64_t first = 0, second = 0;
	int i, n;

	tu_earn(db, alice, "EXP", 30, NULL);
	tu_now += 10 * TU_DAY;
	tu_earn(db, alice, "EXP", 50, NULL);
	p.counterparty = bob;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(tu_reverse(db, t.id, 20, NULL, NULL, &r),
	    POINTS_OK);
	/* the lots bob gives back must be the lots alice gets back: between
	 * them 30 still expire with the first lot and 50 with the second */
	n = lots(alice, "EXP", INT64_MAX, v, 4);
	for (i = 0; i < n; i++)
		*(v[i].expires_at == exp_end(TU_T0) ? &first : &second) +=
		    v[i].amount;
	n = lots(bob, "EXP", INT64_MAX, v, 4);
	for (i = 0; i < n; i++)
		*(v[i].expires_at == exp_end(TU_T0) ? &first : &second) +=
		    v[i].amount;
	ck_assert_msg(first == 30 && second == 50,
	    "after the reversal: %lld expire with the first lot, %lld with "
	    "the second (want 30 and 50)", (long long)first,
	    (long long)second);
}
END_TEST

START_TEST(test_statement_shows_expiry_entry)
{
	points_statement_iterator *it;
	points_entry e;
	int64_t as_of = exp_end(TU_T0) + 1;

	tu_earn(db, alice, "EXP", 100, NULL);
	tu_spend(db, alice, "EXP", 25, NULL);
	sweep(as_of);
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "EXP", 0, 0,
	    POINTS_NEWEST_FIRST, &it), POINTS_OK);
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_OK);
	ck_assert_int_eq(e.type, POINTS_TXN_EXPIRE);
	ck_assert_int_eq(e.amount, -75);
	ck_assert_int_eq(e.held, 0);
	ck_assert_int_eq(e.account, alice);
	ck_assert_int_eq(e.counterparty, POINTS_ACCOUNT_EXPIRY);
	ck_assert_str_eq(e.asset, "EXP");
	ck_assert_int_ge(e.time, exp_end(TU_T0));
	ck_assert_int_le(e.time, as_of);
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_OK);
	ck_assert_int_eq(e.type, POINTS_TXN_SPEND);
	points_statement_iterator_free(it);
	/* and the expiry account's statement the other side */
	ck_assert_int_eq(points_statement_iterator_new(db,
	    POINTS_ACCOUNT_EXPIRY, "EXP", 0, 0, POINTS_NEWEST_FIRST, &it),
	    POINTS_OK);
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_OK);
	ck_assert_int_eq(e.type, POINTS_TXN_EXPIRE);
	ck_assert_int_eq(e.amount, 75);
	ck_assert_int_eq(e.counterparty, alice);
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_ITEROVER);
	points_statement_iterator_free(it);
}
END_TEST

/* ---- points_lot_iterator_new ---- */

START_TEST(test_lots_of_one_account_until_is_inclusive)
{
	points_lot v[4];
	int64_t e0 = exp_end(TU_T0), e1 = exp_end(TU_T0 + 5 * TU_DAY);

	tu_earn(db, alice, "EXP", 10, NULL);
	tu_now += 5 * TU_DAY;
	tu_earn(db, alice, "EXP", 20, NULL);
	tu_earn(db, bob, "EXP", 99, NULL); /* not alice's */
	ck_assert_int_eq(lots(alice, "EXP", INT64_MAX, v, 4), 2);
	assert_lot(&v[0], alice, "EXP", e0, 10);
	assert_lot(&v[1], alice, "EXP", e1, 20);
	ck_assert_int_eq(lots(alice, "EXP", e1, v, 4), 2);
	ck_assert_int_eq(lots(alice, "EXP", e1 - 1, v, 4), 1);
	assert_lot(&v[0], alice, "EXP", e0, 10);
	ck_assert_int_eq(lots(alice, "EXP", e0, v, 4), 1);
	ck_assert_int_eq(lots(alice, "EXP", e0 - 1, v, 4), 0);
	ck_assert_int_eq(lots(alice, "EXP", 0, v, 4), 0);
	/* an account without the asset, and a system account */
	ck_assert_int_eq(lots(bob, "YE", INT64_MAX, v, 4), 0);
	ck_assert_int_eq(lots(POINTS_ACCOUNT_ISSUER, "EXP", INT64_MAX, v, 4),
	    0);
}
END_TEST

START_TEST(test_lots_of_one_account_lists_never_expiring_only_for_max)
{
	points_lot v[4];

	tu_earn(db, alice, "PTS", 10, NULL);
	ck_assert_int_eq(earn_until(alice, "PTS", 5, TU_T0 + 3 * TU_DAY),
	    POINTS_OK);
	ck_assert_int_eq(lots(alice, "PTS", INT64_MAX, v, 4), 2);
	assert_lot(&v[1], alice, "PTS", INT64_MAX, 10);
	ck_assert_int_eq(lots(alice, "PTS", tu_now + 3650 * TU_DAY, v, 4), 1);
	assert_lot(&v[0], alice, "PTS", day_end(TU_T0 + 3 * TU_DAY), 5);
}
END_TEST

START_TEST(test_lots_far_until_excludes_never_expiring)
{
	points_lot v[4];
	/* a bound past the last 32-bit day but below INT64_MAX: the
	 * never-expiring lot (expires_at INT64_MAX) is after it */
	int64_t until = ((int64_t)1 << 32) * TU_DAY;

	tu_earn(db, alice, "PTS", 10, NULL);
	ck_assert_int_eq(lots(alice, "PTS", until, v, 4), 0);
	ck_assert_int_eq(lots(alice, "PTS", INT64_MAX - 1, v, 4), 0);
}
END_TEST

START_TEST(test_lots_of_all_accounts_grouped_by_account)
{
	points_lot v[8];
	int64_t carol = tu_account(db, "E1003");

	tu_earn(db, bob, "EXP", 1, NULL);       /* day 0 */
	tu_earn(db, alice, "PTS", 500, NULL);   /* never: not listed */
	tu_earn(db, alice, "YE", 700, NULL);    /* another asset */
	tu_now += 3 * TU_DAY;
	tu_earn(db, alice, "EXP", 2, NULL);     /* day 3 */
	tu_earn(db, carol, "EXP", 3, NULL);     /* day 3 */
	tu_now += 2 * TU_DAY;
	tu_earn(db, bob, "EXP", 4, NULL);       /* day 5 */
	tu_earn(db, alice, "EXP", 5, NULL);     /* day 5 */
	tu_earn(db, carol, "EXP", 6, NULL);     /* day 5, then spent */
	tu_spend(db, carol, "EXP", 9, NULL);    /* carol's lots all gone */
	/* accounts in the order of their earliest lot, each one's lots
	 * together and earliest first */
	ck_assert_int_eq(lots(0, "EXP", INT64_MAX, v, 8), 4);
	assert_lot(&v[0], bob, "EXP", exp_end(TU_T0), 1);
	assert_lot(&v[1], bob, "EXP", exp_end(TU_T0 + 5 * TU_DAY), 4);
	assert_lot(&v[2], alice, "EXP", exp_end(TU_T0 + 3 * TU_DAY), 2);
	assert_lot(&v[3], alice, "EXP", exp_end(TU_T0 + 5 * TU_DAY), 5);
	/* the bound applies across accounts too */
	ck_assert_int_eq(lots(0, "EXP", exp_end(TU_T0 + 3 * TU_DAY), v, 8), 2);
	ck_assert_int_eq(lots(0, "EXP", exp_end(TU_T0) - 1, v, 8), 0);
	/* other assets */
	ck_assert_int_eq(lots(0, "PTS", INT64_MAX, v, 8), 0);
	ck_assert_int_eq(lots(0, "YE", INT64_MAX, v, 8), 1);
	assert_lot(&v[0], alice, "YE", END_2025_12_31, 700);
}
END_TEST

START_TEST(test_lots_expiring_within_days_reminder)
{
	points_lot v[8];
	int64_t until;

	tu_earn(db, alice, "EXP", 10, NULL);
	tu_now += 10 * TU_DAY;
	tu_earn(db, bob, "EXP", 20, NULL);
	tu_now += 30 * TU_DAY;
	tu_earn(db, alice, "EXP", 30, NULL);
	tu_earn(db, bob, "PTS", 1000, NULL);
	/* 350 days after the first earning: what expires within 30 days? */
	tu_now = TU_T0 + 350 * TU_DAY + 9 * 3600;
	until = tu_now + 30 * TU_DAY;
	ck_assert_int_eq(lots(0, "EXP", until, v, 8), 2);
	assert_lot(&v[0], alice, "EXP", exp_end(TU_T0), 10);
	assert_lot(&v[1], bob, "EXP", exp_end(TU_T0 + 10 * TU_DAY), 20);
	/* the same question for one account */
	ck_assert_int_eq(lots(alice, "EXP", until, v, 8), 1);
	assert_lot(&v[0], alice, "EXP", exp_end(TU_T0), 10);
	ck_assert_int_eq(lots(bob, "PTS", until, v, 8), 0);
	/* alice's first lot ends in 15.6 days: not within 7, within 16 */
	ck_assert_int_eq(lots(0, "EXP", tu_now + 7 * TU_DAY, v, 8), 0);
	ck_assert_int_eq(lots(0, "EXP", tu_now + 16 * TU_DAY, v, 8), 1);
}
END_TEST

START_TEST(test_lots_errors)
{
	points_lot_iterator *it = NULL;
	points_statement_iterator *st;
	points_lot lot;

	ck_assert_int_eq(points_lot_iterator_new(db, alice, "EXP", INT64_MAX,
	    NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_lot_iterator_new(db, -1, "EXP", INT64_MAX,
	    &it), POINTS_EINVAL);
	ck_assert_int_eq(points_lot_iterator_new(db, alice, "EXP", -1, &it),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_lot_iterator_new(db, 0, "EXP", -1, &it),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_lot_iterator_new(db, alice, "NOPE", INT64_MAX,
	    &it), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_lot_iterator_new(db, 0, "NOPE", INT64_MAX,
	    &it), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_lot_iterator_new(db, 999, "EXP", INT64_MAX,
	    &it), POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "account 999 not found");
	ck_assert_int_eq(points_lot_iterator_new(db, alice, NULL, INT64_MAX,
	    &it), POINTS_EINVAL);
	ck_assert_int_eq(points_lot_iterator_new(db, alice, "exp", INT64_MAX,
	    &it), POINTS_EINVAL);
	ck_assert_int_eq(points_lot_iterator_new(NULL, alice, "EXP", INT64_MAX,
	    &it), POINTS_EINVAL);
	ck_assert_ptr_null(it); /* never written on failure */
	ck_assert_int_eq(points_lot_next(NULL, &lot), POINTS_EINVAL);
	ck_assert_int_eq(points_lot_iterator_new(db, alice, "EXP", INT64_MAX,
	    &it), POINTS_OK);
	ck_assert_int_eq(points_lot_next(it, NULL), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "lot iterator: out is required");
	ck_assert_int_eq(points_lot_next(it, &lot), POINTS_ITEROVER);
	ck_assert_int_eq(points_lot_next(it, &lot), POINTS_ITEROVER);
	/* another kind does not compile; forced through a cast, it is
	 * refused at run time */
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "EXP", 0, 0,
	    POINTS_NEWEST_FIRST, &st), POINTS_OK);
	ck_assert_int_eq(points_lot_next((points_lot_iterator *)(void *)st,
	    &lot), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "this call steps lot iterators, "
	    "not statement iterators");
	points_statement_iterator_free(st);
	points_lot_iterator_free(it);
	points_lot_iterator_free(NULL);
}
END_TEST

START_TEST(test_lots_of_one_account_longer_than_a_chunk)
{
	enum { N = 150 };
	points_lot_iterator *it;
	points_lot lot;
	int i, rc;

	for (i = 0; i < N; i++) {
		tu_now = TU_T0 + i * TU_DAY;
		ck_assert_int_eq(tu_earn(db, alice, "EXP", i + 1, NULL),
		    POINTS_OK);
	}
	tu_earn(db, alice, "EXP", 1000, NULL); /* merges into the last */
	ck_assert_int_eq(points_lot_iterator_new(db, alice, "EXP", INT64_MAX,
	    &it), POINTS_OK);
	for (i = 0; (rc = points_lot_next(it, &lot)) == POINTS_OK; i++) {
		ck_assert_int_eq(lot.expires_at, exp_end(TU_T0 + i * TU_DAY));
		ck_assert_int_eq(lot.amount, i + 1 + (i == N - 1 ? 1000 : 0));
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	ck_assert_int_eq(i, N);
	points_lot_iterator_free(it);
	/* a bound inside the second chunk */
	ck_assert_int_eq(points_lot_iterator_new(db, alice, "EXP",
	    exp_end(TU_T0 + 99 * TU_DAY), &it), POINTS_OK);
	for (i = 0; (rc = points_lot_next(it, &lot)) == POINTS_OK; i++)
		;
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	ck_assert_int_eq(i, 100);
	points_lot_iterator_free(it);
	/* exactly one chunk */
	ck_assert_int_eq(points_lot_iterator_new(db, alice, "EXP",
	    exp_end(TU_T0 + 63 * TU_DAY), &it), POINTS_OK);
	for (i = 0; (rc = points_lot_next(it, &lot)) == POINTS_OK; i++)
		;
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	ck_assert_int_eq(i, 64);
	points_lot_iterator_free(it);
}
END_TEST

START_TEST(test_lots_of_all_accounts_longer_than_a_chunk)
{
	enum { N = 150 };
	static int64_t ids[N];
	static char seen[N];
	points_lot_iterator *it;
	points_lot lot;
	int64_t last = 0, last_account = 0, sum = 0;
	char ext[16];
	int i, rc;

	for (i = 0; i < N; i++) {
		snprintf(ext, sizeof(ext), "C%04d", i);
		ids[i] = tu_account(db, ext);
		/* two lots each, on days interleaved with other accounts' */
		tu_now = TU_T0 + (i % 10) * TU_DAY;
		ck_assert_int_eq(tu_earn(db, ids[i], "EXP", 1, NULL),
		    POINTS_OK);
		ck_assert_int_eq(tu_earn(db, ids[i], "YE", 1, NULL),
		    POINTS_OK);
		tu_now = TU_T0 + (20 + i % 7) * TU_DAY;
		ck_assert_int_eq(tu_earn(db, ids[i], "EXP", 2, NULL),
		    POINTS_OK);
	}
	ck_assert_int_eq(points_lot_iterator_new(db, 0, "EXP", INT64_MAX, &it),
	    POINTS_OK);
	for (i = 0; (rc = points_lot_next(it, &lot)) == POINTS_OK; i++) {
		ck_assert_str_eq(lot.asset, "EXP");
		/* grouped by account: its two lots in a row, earliest first */
		if (i % 2 == 1) {
			ck_assert_int_eq(lot.account, last_account);
			ck_assert_int_gt(lot.expires_at, last);
			ck_assert_int_eq(lot.amount, 2);
		} else {
			ck_assert_int_eq(lot.amount, 1);
			ck_assert_int_eq(seen[lot.account - ids[0]], 0);
			seen[lot.account - ids[0]] = 1;
		}
		last = lot.expires_at;
		last_account = lot.account;
		sum += lot.amount;
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	ck_assert_int_eq(i, 2 * N);
	ck_assert_int_eq(sum, 3 * N);
	points_lot_iterator_free(it);
}
END_TEST

START_TEST(test_lot_expiring_on_the_first_day_of_1970_is_indexed)
{
	points_posting p = tu_posting("EXP", alice, 10);
	points_txn t;
	points_sweep_report r;

	/* a posting dated 1970-01-01 00:00:01 that expires that second,
	 * made then (later, the earn would expire it at once) */
	tu_now = 1;
	p.time = 1;
	p.expires_at = 1;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	tu_now = TU_T0;
	r = sweep(TU_T0);
	assert_report(&r, 1, 1, 10, 0);
	ck_assert_int_eq(balance(alice, "EXP").expired, 10);
}
END_TEST

/* ---- Lot lists on lent storage ---- */

/* A list that starts on the caller's storage keeps every lot, in order,
 * when it outgrows it (pushes, and merging adds that insert in front). */
START_TEST(test_lotlist_outgrows_lent_storage)
{
	points_lotrec buf[2];
	points_lotlist l;
	uint32_t d;

	points_lotlist__init_with(&l, buf, 2);
	for (d = 1; d <= 5; d++)
		ck_assert_int_eq(points_lotlist__push(db, &l, d, d * 10),
		    POINTS_OK);
	ck_assert_ptr_ne(l.v, buf);
	ck_assert_uint_eq(l.n, 5);
	for (d = 1; d <= 5; d++) {
		ck_assert_uint_eq(l.v[d - 1].day, d);
		ck_assert_int_eq(l.v[d - 1].amount, d * 10);
	}
	points_lotlist__free(&l);

	points_lotlist__init_with(&l, buf, 2);
	for (d = 5; d >= 1; d--) /* each goes in front */
		ck_assert_int_eq(points_lotlist__add(db, &l, d, d, NULL),
		    POINTS_OK);
	ck_assert_int_eq(points_lotlist__add(db, &l, 3, 100, NULL), POINTS_OK);
	ck_assert_uint_eq(l.n, 5);
	for (d = 1; d <= 5; d++) {
		ck_assert_uint_eq(l.v[d - 1].day, d);
		ck_assert_int_eq(l.v[d - 1].amount, d == 3 ? 103 : d);
	}
	points_lotlist__free(&l);
	ck_assert_ptr_null(l.v);
}
END_TEST

/* Failing to move to the heap leaves the list on its storage, whole. */
START_TEST(test_lotlist_failed_growth_keeps_lent_lots)
{
	points_lotrec buf[2];
	points_lotlist l;

	points_lotlist__init_with(&l, buf, 2);
	ck_assert_int_eq(points_lotlist__push(db, &l, 1, 10), POINTS_OK);
	ck_assert_int_eq(points_lotlist__push(db, &l, 2, 20), POINTS_OK);
	tu_alloc_install();
	tu_alloc_fail_at(1);
	ck_assert_int_eq(points_lotlist__push(db, &l, 3, 30), POINTS_ENOMEM);
	tu_alloc_uninstall();
	ck_assert_ptr_eq(l.v, buf);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_int_eq(l.v[1].amount, 20);
	points_lotlist__free(&l); /* frees nothing: buf is ours */
}
END_TEST

static Suite *
lot_suite(void)
{
	Suite *s = suite_create("lot");
	TCase *tc = tcase_create("lot");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_spend_consumes_earliest_expiring_lot);
	tcase_add_test(tc, test_spend_consumes_by_expiry_not_by_earning_order);
	tcase_add_test(tc, test_lots_earned_same_day_merge);
	tcase_add_test(tc, test_lots_merge_by_local_day_of_the_ledger);
	tcase_add_test(tc,
	    test_never_expiring_lots_come_last_and_are_consumed_last);
	tcase_add_test(tc, test_days_policy_expires_at_end_of_nth_day);
	tcase_add_test(tc, test_days_policy_uses_ledger_utc_offset);
	tcase_add_test(tc, test_year_end_policy_expires_end_of_next_year);
	tcase_add_test(tc, test_year_end_zero_expires_end_of_this_year);
	tcase_add_test(tc, test_year_end_uses_ledger_utc_offset);
	tcase_add_test(tc, test_year_end_with_negative_utc_offset);
	tcase_add_test(tc, test_explicit_expires_at_overrides_policy);
	tcase_add_test(tc, test_explicit_expires_at_rounds_to_local_day_end);
	tcase_add_test(tc,
	    test_explicit_expiry_past_the_last_lot_day_is_refused);
	tcase_add_test(tc, test_explicit_expiry_int64_max_on_offset_ledger);
	tcase_add_test(tc,
	    test_sweep_moves_expired_remainder_to_expiry_account);
	tcase_add_test(tc, test_sweep_leaves_lots_not_yet_due);
	tcase_add_test(tc, test_sweep_expires_only_after_expires_at);
	tcase_add_test(tc, test_sweep_boundary_in_ledger_utc_offset);
	tcase_add_test(tc, test_sweep_twice_is_idempotent);
	tcase_add_test(tc,
	    test_lot_expiring_on_the_first_day_of_1970_is_indexed);
	tcase_add_test(tc, test_sweep_with_nothing_due_changes_nothing);
	tcase_add_test(tc, test_sweep_report_may_be_null);
	tcase_add_test(tc, test_sweep_refuses_negative_as_of);
	tcase_add_test(tc, test_sweep_over_many_assets);
	tcase_add_test(tc,
	    test_sweep_after_spend_consumed_the_lot_writes_no_entry);
	tcase_add_test(tc, test_sweep_over_many_accounts);
	tcase_add_test(tc, test_sweep_counts_an_account_once_across_assets);
	tcase_add_test(tc,
	    test_refund_of_expired_points_does_not_extend_their_life);
	tcase_add_test(tc,
	    test_partial_refund_of_expired_points_expires_at_once);
	tcase_add_test(tc,
	    test_transferred_points_keep_expiry_and_expire_on_receiver);
	tcase_add_test(tc, test_partial_reversal_of_transfer_keeps_expiry);
	tcase_add_test(tc, test_statement_shows_expiry_entry);
	tcase_add_test(tc, test_lots_of_one_account_until_is_inclusive);
	tcase_add_test(tc,
	    test_lots_of_one_account_lists_never_expiring_only_for_max);
	tcase_add_test(tc, test_lots_far_until_excludes_never_expiring);
	tcase_add_test(tc, test_lots_of_all_accounts_grouped_by_account);
	tcase_add_test(tc, test_lots_expiring_within_days_reminder);
	tcase_add_test(tc, test_lots_errors);
	tcase_add_test(tc, test_lots_of_one_account_longer_than_a_chunk);
	tcase_add_test(tc, test_lots_of_all_accounts_longer_than_a_chunk);
	tcase_add_test(tc, test_lotlist_outgrows_lent_storage);
	tcase_add_test(tc, test_lotlist_failed_growth_keeps_lent_lots);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(lot_suite());
}
