/* check_ledger_refusals.c - postings the ledger refuses: times and
 * expiries out of range, adjustments that move nothing or between one
 * account and itself, amounts that would take a balance or a counter
 * past 64 bits.  Each with its code, a message saying why, and nothing
 * written (TU_FAILS). */
#include <stdint.h>
#include <string.h>

#include "testutil.h"

static points_db *db;
static int64_t alice, bob;

static void
setup(void)
{
	tu_now = TU_T0;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 100, NULL), POINTS_OK);
}

static void
teardown(void)
{
	tu_invariants(db);
	points_close(db);
	db = NULL;
	tu_cleanup();
}

static void
says(const char *want)
{
	ck_assert_msg(strstr(points_errmsg(db), want) != NULL,
	    "\"%s\" does not say \"%s\"", points_errmsg(db), want);
}

START_TEST(test_times)
{
	points_posting p = tu_posting("PTS", alice, 10);
	points_txn t;

	p.time = -1;
	TU_FAILS(db, points_earn(db, &p, &t), POINTS_EINVAL);
	says("times must not be negative");
	p.time = 0;
	p.expires_at = -5;
	TU_FAILS(db, points_earn(db, &p, &t), POINTS_EINVAL);
	says("times must not be negative");
	/* a lot expires on a day the ledger can count; INT64_MAX is never */
	p.expires_at = INT64_MAX - 1;
	TU_FAILS(db, points_earn(db, &p, &t), POINTS_EINVAL);
	says("is past the last second a lot can expire");
	/* an earn that has expired before it was made */
	p.time = TU_T0 - 10;
	p.expires_at = TU_T0 - 20;
	TU_FAILS(db, points_earn(db, &p, &t), POINTS_EINVAL);
	says("expires_at is before the posting time");
	/* the bounds: INT64_MAX (never) and the posting's own second */
	p.expires_at = INT64_MAX;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	p.time = 0;
	p.expires_at = TU_T0 + 1;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 120);
}
END_TEST

START_TEST(test_adjustments)
{
	points_posting p = tu_posting("PTS", alice, 10);
	points_txn t;

	p.memo = "correction";
	p.amount = INT64_MIN;
	TU_FAILS(db, points_adjust(db, &p, &t), POINTS_EINVAL);
	says("is out of range (at least -9223372036854775807)");
	/* an adjustment whose other side is the account itself, either way */
	p.amount = 5;
	p.counterparty = alice;
	TU_FAILS(db, points_adjust(db, &p, &t), POINTS_EINVAL);
	says("an adjustment needs two different accounts");
	p.amount = -5;
	TU_FAILS(db, points_adjust(db, &p, &t), POINTS_EINVAL);
	says("an adjustment needs two different accounts");
	/* another system account as the other side: moved both ways */
	p.counterparty = POINTS_ACCOUNT_SINK;
	p.amount = -30;
	ck_assert_int_eq(points_adjust(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(t.from, alice);
	ck_assert_int_eq(t.to, POINTS_ACCOUNT_SINK);
	ck_assert_int_eq(t.amount, 30);
	p.amount = 12;
	ck_assert_int_eq(points_adjust(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(t.from, POINTS_ACCOUNT_SINK);
	ck_assert_int_eq(t.to, alice);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 82);
}
END_TEST

/* Amounts near INT64_MAX: refused where a counter would overflow,
 * never wrapped, the message naming the account.  The issuer pays
 * every earn, so its lifetime spent points reach the bound first. */
START_TEST(test_overflow)
{
	points_posting p = tu_posting("PTS", bob, INT64_MAX - 100);
	points_txn t;

	/* the issuer is at -100: it can issue INT64_MAX - 100 more, at
	 * most (its balance is at least -INT64_MAX) */
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	p.amount = 1;
	TU_FAILS(db, points_earn(db, &p, &t), POINTS_EOVERFLOW);
	says("account system:issuer: its lifetime spent points would "
	    "overflow");
	/* only the issuer goes below zero, so no user balance can reach
	 * the bound before the issuer's counter does */
	ck_assert_int_eq(tu_available(db, bob, "PTS"), INT64_MAX - 100);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 100);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("ledger_refusals");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_times);
	tcase_add_test(tc, test_adjustments);
	tcase_add_test(tc, test_overflow);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(suite());
}
