/* check_lot_spill.c - lots past the inline bound (core/lot_spill.h): a
 * balance keeps its earliest lots inline and spills later ones to their
 * own keys.  Nothing of it shows through the API: these tests lower the
 * bound (an internal hook) and check that every path that adds, takes,
 * expires or lists lots sees the spilled ones as if they were inline,
 * and that points_verify catches damaged spill keys.  The last test
 * drives random operations against a model of the documented
 * behaviour (a sorted array of (day, amount) per account). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lot_spill.h"
#include "util/codec.h"
#include "testutil.h"

#define BOUND 4
#define D0 (TU_T0 / TU_DAY) /* the day of TU_T0 */

static points_db *db;
static int64_t alice, bob;

static void
setup(void)
{
	tu_now = TU_T0;
	db = tu_open("memory:");
	points_lot_spill__set_bound(db, BOUND);
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

/* Earn amount in EXP expiring on day d (TU_T0's day + d). */
static void
earn_day(int64_t acct, int64_t d, int64_t amount, points_txn *out)
{
	points_posting p = tu_posting("EXP", acct, amount);
	points_txn t;

	p.expires_at = TU_T0 + d * TU_DAY + 100;
	ck_assert_msg(points_earn(db, &p, out ? out : &t) == POINTS_OK,
	    "earn: %s", points_errmsg(db));
}

static int64_t
day_of(const points_lot *l)
{
	return (l->expires_at + 1 - TU_T0) / TU_DAY - 1;
}

typedef struct lot { int64_t day, amount; } lot;

/* The account's lots as the iterator lists them (days relative to
 * TU_T0's), into v (max n); how many. */
static int
lots_of(int64_t acct, lot *v, int max)
{
	points_lot_iterator *it;
	points_lot l;
	int n = 0, rc;

	ck_assert_int_eq(points_lot_iterator_new(db, acct, "EXP", INT64_MAX,
	    &it), POINTS_OK);
	while ((rc = points_lot_next(it, &l)) == POINTS_OK) {
		ck_assert_int_lt(n, max);
		v[n].day = day_of(&l);
		v[n].amount = l.amount;
		ck_assert(n == 0 || v[n].day > v[n - 1].day);
		n++;
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	points_lot_iterator_free(it);
	return n;
}

/* The lots must be exactly want (n of them). */
static void
lots_are(int64_t acct, const lot *want, int n)
{
	lot got[512];
	int k = lots_of(acct, got, 512), i;

	ck_assert_int_eq(k, n);
	for (i = 0; i < n; i++) {
		ck_assert_msg(got[i].day == want[i].day &&
		    got[i].amount == want[i].amount, "lot %d: day %lld amount "
		    "%lld, want day %lld amount %lld", i, (long long)got[i].day,
		    (long long)got[i].amount, (long long)want[i].day,
		    (long long)want[i].amount);
	}
}

/* How many spill keys the store holds (all balances). */
static int
spill_keys(void)
{
	points_store *s = tu_store(db);
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	int n = 0, rc;

	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->cursor_open(s, tu_keyspace(db, "lot_spill"), NULL,
	    0, NULL, 0, 0, &c), POINTS_OK);
	while ((rc = s->cursor_next(s, c, &k, &kl, &v, &vl)) == POINTS_OK)
		n++;
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	s->cursor_close(s, c);
	s->rollback(s);
	return n;
}

/* Days 1..n of amount each. */
static void
days(lot *v, int from, int n, int64_t amount)
{
	int i;

	for (i = 0; i < n; i++) {
		v[i].day = from + i;
		v[i].amount = amount;
	}
}

START_TEST(test_crossing_the_bound_up_and_down)
{
	lot want[16];
	int i;

	for (i = 1; i <= 10; i++)
		earn_day(alice, i, 10, NULL);
	days(want, 1, 10, 10);
	lots_are(alice, want, 10);
	ck_assert_int_eq(spill_keys(), 10 - BOUND);
	/* earlier days push the latest inline lots out, one each */
	earn_day(bob, 20, 1, NULL);
	earn_day(bob, 19, 1, NULL);
	earn_day(bob, 18, 1, NULL);
	earn_day(bob, 17, 1, NULL);
	earn_day(bob, 16, 1, NULL);
	earn_day(bob, 15, 1, NULL);
	days(want, 15, 6, 1);
	lots_are(bob, want, 6);
	ck_assert_int_eq(spill_keys(), 10 - BOUND + 6 - BOUND);
	/* an earn at a spilled day adds to its key */
	earn_day(alice, 9, 5, NULL);
	days(want, 1, 10, 10);
	want[8].amount = 15;
	lots_are(alice, want, 10);
	ck_assert_int_eq(spill_keys(), 10 - BOUND + 6 - BOUND);
	/* down: spend all but the last 2 lots */
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 85, NULL), POINTS_OK);
	want[0].day = 9, want[0].amount = 10;
	want[1].day = 10, want[1].amount = 10;
	lots_are(alice, want, 2);
	ck_assert_int_eq(spill_keys(), 6 - BOUND);
	ck_assert_int_eq(tu_spend(db, bob, "EXP", 6, NULL), POINTS_OK);
	ck_assert_int_eq(spill_keys(), 0);
	/* and up again */
	for (i = 11; i <= 16; i++)
		earn_day(alice, i, 1, NULL);
	ck_assert_int_eq(spill_keys(), 8 - BOUND);
}
END_TEST

/* A record with more lots inline than the bound (as an older library,
 * or a larger bound, wrote it) spills the excess at its next write. */
START_TEST(test_long_inline_list_spills_at_next_write)
{
	lot want[32];
	int i;

	points_lot_spill__set_bound(db, 20);
	for (i = 1; i <= 20; i++)
		earn_day(alice, i, 10, NULL);
	ck_assert_int_eq(spill_keys(), 0);
	points_lot_spill__set_bound(db, BOUND);
	days(want, 1, 20, 10);
	lots_are(alice, want, 20);
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 5, NULL), POINTS_OK);
	ck_assert_int_eq(spill_keys(), 20 - BOUND);
	want[0].amount = 5;
	lots_are(alice, want, 20);
}
END_TEST

START_TEST(test_spends_drain_inline_and_refill)
{
	lot want[32];
	int i;

	for (i = 1; i <= 25; i++)
		earn_day(alice, i, 10, NULL);
	/* a spend per step: each uses up lots, some spilled */
	for (i = 0; i < 12; i++)
		ck_assert_int_eq(tu_spend(db, alice, "EXP", 17, NULL),
		    POINTS_OK);
	/* 204 spent: days 1..20 gone, 4 of day 21 */
	days(want, 21, 5, 10);
	want[0].amount = 6;
	lots_are(alice, want, 5);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 46);
	ck_assert_int_eq(spill_keys(), 5 - BOUND);
	/* one spend of everything but a point */
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 45, NULL), POINTS_OK);
	want[0].day = 25, want[0].amount = 1;
	lots_are(alice, want, 1);
	ck_assert_int_eq(spill_keys(), 0);
}
END_TEST

START_TEST(test_spilled_lots_expire_at_their_moment)
{
	points_balance b;
	points_statement_iterator *it;
	points_entry e;
	lot want[16];
	int i, rc, expiries = 0;
	int64_t expired = 0;

	for (i = 1; i <= 10; i++)
		earn_day(alice, i, 10, NULL);
	/* day 8: days 1..7 are past due, 3 of them spilled (bound 4) */
	tu_now = TU_T0 + 8 * TU_DAY;
	tu_snap(db);
	ck_assert_int_eq(points_balance_get(db, alice, "EXP", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 30);
	ck_assert_int_eq(b.expired, 70);
	days(want, 8, 3, 10);
	lots_are(alice, want, 3);
	/* reads write nothing */
	tu_unchanged(db);
	tu_snap_free();
	/* a write expires them, spilled ones included, before its own */
	earn_day(alice, 30, 1, NULL);
	ck_assert_int_eq(points_balance_get(db, alice, "EXP", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 31);
	ck_assert_int_eq(b.expired, 70);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"), 70);
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "EXP", 0, 0,
	    POINTS_OLDEST_FIRST, &it), POINTS_OK);
	while ((rc = points_statement_next(it, &e)) == POINTS_OK)
		if (e.type == POINTS_TXN_EXPIRE) {
			expiries++;
			expired += e.amount < 0 ? -e.amount : e.amount;
		}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	points_statement_iterator_free(it);
	ck_assert_int_eq(expiries, 1);
	ck_assert_int_eq(expired, 70);
	want[3].day = 30, want[3].amount = 1;
	lots_are(alice, want, 4);
}
END_TEST

START_TEST(test_sweep_expires_spilled_lots)
{
	points_sweep_report rep;
	points_balance b;

	int i;

	for (i = 1; i <= 12; i++)
		earn_day(alice, i, 10, NULL);
	earn_day(bob, 3, 7, NULL);
	tu_now = TU_T0 + 11 * TU_DAY;
	ck_assert_int_eq(points_expire_sweep_asset(db, "EXP", tu_now, 0,
	    &rep), POINTS_OK);
	ck_assert_int_eq(rep.lots, 11);
	ck_assert_int_eq(rep.points, 107);
	ck_assert_int_eq(points_balance_get(db, alice, "EXP", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 20);
	ck_assert_int_eq(b.expired, 100);
	ck_assert_int_eq(spill_keys(), 0);
}
END_TEST

START_TEST(test_partial_reversal_returns_points_to_spilled_days)
{
	points_txn spend, tr, tx;
	lot want[32];
	int i;

	for (i = 1; i <= 12; i++)
		earn_day(alice, i, 10, NULL);
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 115, &spend), POINTS_OK);
	days(want, 12, 1, 5);
	lots_are(alice, want, 1);
	/* 47 back: the lots consumed last, 5 to day 12, then 11, 10, 9, 8
	 * whole and 2 of day 7 */
	ck_assert_int_eq(tu_reverse(db, spend.id, 47, NULL, NULL, &tx),
	    POINTS_OK);
	days(want, 7, 6, 10);
	want[0].amount = 2;
	lots_are(alice, want, 6);
	ck_assert_int_eq(spill_keys(), 6 - BOUND);
	/* the rest back: days 1..12 whole again */
	ck_assert_int_eq(tu_reverse(db, spend.id, 68, NULL, NULL, &tx),
	    POINTS_OK);
	days(want, 1, 12, 10);
	lots_are(alice, want, 12);
	ck_assert_int_eq(spill_keys(), 12 - BOUND);

	/* A transfer carries the lots; reversing part of it takes back
	 * the receiver's latest days first, which are spilled. */
	{
		points_posting p = tu_posting("EXP", alice, 120);

		p.counterparty = bob;
		ck_assert_int_eq(points_transfer(db, &p, &tr), POINTS_OK);
	}
	lots_are(bob, want, 12);
	ck_assert_int_eq(tu_reverse(db, tr.id, 35, NULL, NULL, &tx),
	    POINTS_OK);
	days(want, 1, 9, 10);
	want[8].amount = 5;
	lots_are(bob, want, 9);
	want[0].day = 9, want[0].amount = 5;
	days(want + 1, 10, 3, 10);
	lots_are(alice, want, 4);
}
END_TEST

/* Reversing an earn takes back the lot it made first, wherever that
 * lot is: spilled (in part, then what is left of it once spends took
 * some), inline with lots spilled beside it, or gone (spent), when the
 * earliest lots go instead. */
START_TEST(test_earn_reversal_takes_its_own_lot_first)
{
	points_txn late, mid, first, tx;
	lot want[32];
	int64_t carol = tu_account(db, "E1003");
	int i;

	/* alice: days 1..8, and 30 on day 9, spilled (bound 4) */
	for (i = 1; i <= 8; i++)
		earn_day(alice, i, 10, NULL);
	earn_day(alice, 9, 30, &late);
	ck_assert_int_eq(tu_reverse(db, late.id, 10, NULL, NULL, &tx),
	    POINTS_OK);
	days(want, 1, 9, 10);
	want[8].amount = 20;
	lots_are(alice, want, 9);
	/* spends take the earliest (days 1..8, then 15 of day 9): of the
	 * 15 reversed, day 9's last 5 go and 10 are owed */
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 95, NULL), POINTS_OK);
	days(want, 9, 1, 5);
	lots_are(alice, want, 1);
	ck_assert_int_eq(tu_reverse(db, late.id, 15, NULL, NULL, &tx),
	    POINTS_OK);
	ck_assert_int_eq(tx.debt, 10);
	lots_are(alice, want, 0);

	/* bob: day 3's lot is mid's alone; with days 5 and 6 spilled,
	 * reversing mid takes day 3 away whole */
	for (i = 1; i <= 6; i++)
		earn_day(bob, i, 10, i == 3 ? &mid : NULL);
	ck_assert_int_eq(tu_reverse(db, mid.id, 0, NULL, NULL, &tx),
	    POINTS_OK);
	days(want, 1, 2, 10);
	days(want + 2, 4, 3, 10);
	lots_are(bob, want, 5);
	ck_assert_int_eq(spill_keys(), 2); /* 5 and 6 stay spilled */

	/* carol: first's day 1 is spent; its reversal takes the earliest
	 * lot left, day 2 */
	earn_day(carol, 1, 10, &first);
	for (i = 2; i <= 7; i++)
		earn_day(carol, i, 10, NULL);
	ck_assert_int_eq(tu_spend(db, carol, "EXP", 10, NULL), POINTS_OK);
	ck_assert_int_eq(tu_reverse(db, first.id, 0, NULL, NULL, &tx),
	    POINTS_OK);
	ck_assert_int_eq(tx.debt, 0);
	days(want, 3, 5, 10);
	lots_are(carol, want, 5);
}
END_TEST

START_TEST(test_holds_across_the_bound)
{
	points_posting p = tu_posting("EXP", alice, 65);
	points_txn h1, h2, tx;
	lot want[16];
	int i;

	for (i = 1; i <= 10; i++)
		earn_day(alice, i, 10, NULL);
	ck_assert_int_eq(points_hold_create(db, &p, &h1), POINTS_OK);
	days(want, 7, 4, 10);
	want[0].amount = 5;
	lots_are(alice, want, 4);
	/* refilled once: days 7 and 8 inline, 9 and 10 still spilled */
	ck_assert_int_eq(spill_keys(), 2);
	/* released: the points return to their days, across the bound */
	ck_assert_int_eq(tu_release(db, h1.id, NULL, &tx), POINTS_OK);
	days(want, 1, 10, 10);
	lots_are(alice, want, 10);
	ck_assert_int_eq(spill_keys(), 10 - BOUND);
	/* a partial capture takes the earliest held lots and gives the
	 * rest back to their days */
	p.amount = 95;
	ck_assert_int_eq(points_hold_create(db, &p, &h2), POINTS_OK);
	days(want, 10, 1, 5);
	lots_are(alice, want, 1);
	ck_assert_int_eq(tu_capture(db, h2.id, 30, 0, NULL, &tx), POINTS_OK);
	days(want, 4, 7, 10);
	lots_are(alice, want, 7);
	ck_assert_int_eq(spill_keys(), 7 - BOUND);
}
END_TEST

START_TEST(test_forfeit_takes_spilled_lots_and_the_account_closes)
{
	points_forfeit f = POINTS_FORFEIT_INIT;
	points_forfeit_report rep;
	points_posting p = tu_posting("EXP", alice, 15);
	points_txn h;
	points_account a;
	int i;

	for (i = 1; i <= 11; i++)
		earn_day(alice, i, 10, NULL);
	ck_assert_int_eq(points_hold_create(db, &p, &h), POINTS_OK);
	ck_assert_int_gt(spill_keys(), 0);
	f.account = alice;
	ck_assert_int_eq(points_account_forfeit(db, &f, &rep), POINTS_OK);
	ck_assert_int_eq(rep.holds, 1);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 0);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"), 110);
	ck_assert_int_eq(spill_keys(), 0);
	ck_assert_int_eq(points_account_get(db, alice, &a), POINTS_OK);
	ck_assert_int_eq(a.status, POINTS_ACCOUNT_CLOSED);
	ck_assert_int_eq(points_account_erase(db, alice, NULL,
	    "left"), POINTS_OK);
}
END_TEST

/* A refund of a credit whose points were partly spent: the receiver
 * gives back the credit's lot (spilled), owes the rest, and the next
 * credits repay the debt before they make lots. */
START_TEST(test_debt_on_an_account_past_the_bound)
{
	points_balance b;
	points_txn e9, tx;
	lot want[16];
	int i;

	for (i = 1; i <= 8; i++)
		earn_day(alice, i, 10, i == 8 ? &e9 : NULL);
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 75, NULL), POINTS_OK);
	/* left: 5 of day 8, the refunded earn's own (spilled at first) */
	ck_assert_int_eq(tu_reverse(db, e9.id, 0, NULL, NULL, &tx), POINTS_OK);
	ck_assert_int_eq(points_balance_get(db, alice, "EXP", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 0);
	ck_assert_int_eq(b.debt, 5);
	ck_assert_int_eq(spill_keys(), 0);
	for (i = 20; i <= 27; i++)
		earn_day(alice, i, 4, NULL);
	/* the first 5 points repaid the debt: 3 left of day 21's */
	days(want, 21, 7, 4);
	want[0].amount = 3;
	lots_are(alice, want, 7);
	ck_assert_int_eq(spill_keys(), 7 - BOUND);
}
END_TEST

START_TEST(test_lot_iterator_lists_spilled_lots_in_day_order)
{
	points_lot_iterator *it;
	points_lot l;
	lot want[300];
	int i, n = 0, rc;
	int64_t prev_acct = 0, prev_day = -1, sum = 0;

	points_lot_spill__set_bound(db, 3);
	/* more lots than an iterator's chunk, most spilled, two accounts
	 * earned in turns */
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	for (i = 200; i >= 1; i -= 2)
		earn_day(alice, i, 1, NULL);
	for (i = 1; i <= 199; i += 2)
		earn_day(alice, i, 2, NULL);
	for (i = 1; i <= 150; i++)
		earn_day(bob, i, 3, NULL);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	for (i = 0; i < 200; i++) {
		want[i].day = i + 1;
		want[i].amount = (i + 1) % 2 ? 2 : 1;
	}
	lots_are(alice, want, 200);
	/* every account's, up to day 180 */
	ck_assert_int_eq(points_lot_iterator_new(db, 0, "EXP",
	    TU_T0 + 181 * TU_DAY - 1, &it), POINTS_OK);
	while ((rc = points_lot_next(it, &l)) == POINTS_OK) {
		if (l.account != prev_acct) {
			prev_acct = l.account;
			prev_day = -1;
		}
		ck_assert_int_gt(day_of(&l), prev_day);
		ck_assert_int_le(day_of(&l), 180);
		prev_day = day_of(&l);
		sum += l.amount;
		n++;
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	points_lot_iterator_free(it);
	ck_assert_int_eq(n, 180 + 150);
	ck_assert_int_eq(sum, 90 * 3 + 150 * 3);
}
END_TEST

/* ---- Damaged spill keys ---- */

static void
spill_key(unsigned char k[12], int64_t acct, uint32_t asset_id, int64_t d)
{
	points_codec__put_be64(k, (uint64_t)acct << 16 | asset_id);
	points_codec__put_be32(k + 8, (uint32_t)(D0 + d));
}

static void
raw_put(const unsigned char *k, const void *v, size_t vl)
{
	points_store *s = tu_store(db);

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, tu_keyspace(db, "lot_spill"), k, 12, v, vl),
	    POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

static void
raw_del(const unsigned char *k)
{
	points_store *s = tu_store(db);

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->del(s, tu_keyspace(db, "lot_spill"), k, 12),
	    POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

/* EXP's id: tu_open makes PTS, EXP and YE in that order. */
static uint32_t
exp_id(void)
{
	return 2;
}

static void
verify_fails(const char *what)
{
	points_verify_report rep;

	ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
	ck_assert_msg(strstr(rep.message, what) != NULL, "verify said: %s",
	    rep.message);
}

/* _i: which damage */
START_TEST(test_verify_detects_damaged_spill_keys)
{
	unsigned char k[12], v[1] = { 3 };
	points_verify_report rep;
	int i;

	for (i = 1; i <= 8; i++)
		earn_day(alice, i, 10, NULL);
	earn_day(bob, 1, 10, NULL);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_OK);
	switch (_i) {
	case 0: /* a spilled lot's amount changed */
		spill_key(k, alice, exp_id(), 7);
		raw_put(k, v, 1);
		verify_fails("spill keys hold 4 of 33 points");
		break;
	case 1: /* a spilled lot deleted */
		spill_key(k, alice, exp_id(), 8);
		raw_del(k);
		verify_fails("spill keys hold 3 of 30 points");
		break;
	case 2: /* a spilled lot for a balance that has none spilled */
		spill_key(k, bob, exp_id(), 5);
		raw_put(k, v, 1);
		verify_fails("whose balance says it has none");
		break;
	case 3: /* ... for no balance at all */
		spill_key(k, 999, exp_id(), 5);
		raw_put(k, v, 1);
		verify_fails("whose balance is missing");
		break;
	case 4: /* a spilled lot moved before the inline ones */
		spill_key(k, alice, exp_id(), 8);
		raw_del(k);
		spill_key(k, alice, exp_id(), 0);
		v[0] = 10;
		raw_put(k, v, 1);
		verify_fails("says 4 spilled lots of 40 points");
		break;
	default: /* an amount of zero */
		spill_key(k, alice, exp_id(), 8);
		v[0] = 0;
		raw_put(k, v, 1);
		verify_fails("spilled lots of account");
		break;
	}
	/* the teardown's verify would fail: the damage is the point */
	points_close(db);
	db = tu_open("memory:");
}
END_TEST

/* A spill key of any length and value, in the balance's range. */
static void
raw_put_len(const unsigned char *k, size_t kl, const void *v, size_t vl)
{
	points_store *s = tu_store(db);

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, tu_keyspace(db, "lot_spill"), k, kl, v, vl),
	    POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

/* The writes (and the balance read) that reach a damaged spill key
 * refuse with POINTS_ECORRUPT, naming the balance and the damage, and
 * write nothing.  alice: days 1..8 of 10, 5..8 spilled (bound 4).
 * _i: which damage, which write. */
START_TEST(test_writes_refuse_damaged_spill_keys)
{
	static const unsigned char unterminated[1] = { 0x80 };
	unsigned char k[12], big[9];
	points_posting p = tu_posting("EXP", alice, 5);
	points_txn earn7, t;
	points_balance b;
	const char *want = "spilled lots unreadable";
	char msg[128];
	int i, rc = 0;

	for (i = 1; i <= 8; i++)
		earn_day(alice, i, 10, i == 7 ? &earn7 : NULL);
	spill_key(k, alice, exp_id(), 7);
	switch (_i) {
	case 0: /* a spend that refills the inline lots meets day 7 */
		raw_put(k, unterminated, 1);
		tu_snap(db);
		rc = tu_spend(db, alice, "EXP", 50, NULL);
		break;
	case 1: /* an earn on day 7 adds to its key */
		raw_put(k, unterminated, 1);
		p.expires_at = TU_T0 + 7 * TU_DAY + 100;
		tu_snap(db);
		rc = points_earn(db, &p, &t);
		break;
	case 2: /* reversing day 7's earn takes its own lot first */
		raw_put(k, unterminated, 1);
		tu_snap(db);
		rc = tu_reverse(db, earn7.id, 10, NULL, NULL, &t);
		break;
	case 3: /* every spilled lot gone */
		for (i = 5; i <= 8; i++) {
			spill_key(k, alice, exp_id(), i);
			raw_del(k);
		}
		want = "spilled lots are missing or out of order";
		tu_snap(db);
		rc = tu_spend(db, alice, "EXP", 50, NULL);
		break;
	case 4: /* day 8 lowered: the spill sums to less than it says */
		spill_key(k, alice, exp_id(), 8);
		raw_put(k, "\x05", 1);
		want = "spilled lots add up to other than the balance says";
		tu_snap(db);
		rc = tu_spend(db, alice, "EXP", 80, NULL);
		break;
	case 5: /* a key of 11 bytes before the balance's first */
		k[8] = 0, k[9] = 0, k[10] = 1;
		raw_put_len(k, 11, "\x0a", 1);
		tu_snap(db);
		rc = tu_spend(db, alice, "EXP", 50, NULL);
		break;
	default: /* two past-due spilled lots adding up past 2^63 */
		memset(big, 0xff, 8);
		big[8] = 0x7f; /* INT64_MAX as a varint */
		spill_key(k, alice, exp_id(), 5);
		raw_put(k, big, 9);
		spill_key(k, alice, exp_id(), 6);
		raw_put(k, big, 9);
		tu_now = TU_T0 + 7 * TU_DAY;
		tu_snap(db);
		rc = points_balance_get(db, alice, "EXP", &b);
		break;
	}
	ck_assert_msg(rc == POINTS_ECORRUPT, "%d: %s", rc, points_errmsg(db));
	ck_assert_int_eq(points_errcode(db), POINTS_ECORRUPT);
	snprintf(msg, sizeof(msg), "balance of account %lld: %s",
	    (long long)alice, want);
	ck_assert_msg(strstr(points_errmsg(db), msg) != NULL, "'%s', not '%s'",
	    points_errmsg(db), msg);
	tu_unchanged(db);
	tu_snap_free();
	/* the teardown's verify would fail: the damage is the point */
	points_close(db);
	db = tu_open("memory:");
}
END_TEST

/* ---- Random operations against a model ---- */

#define NACCT 3
#define MAXLOTS 256
#define NTXN 4096

typedef struct mlots { lot v[MAXLOTS]; int n; } mlots;

static mlots model[NACCT];
static int64_t ids[NACCT];
static uint64_t rng;

/* What the model keeps of a write: its lots taken (a spend's or a
 * hold's), for reversals and releases. */
typedef struct mtxn {
	char id[POINTS_ID_LEN + 1];
	int acct, kind; /* 0 spend, 1 hold */
	mlots taken;
	int64_t reversed;
	int settled;
} mtxn;
static mtxn *txns;
static int ntxn;

static uint64_t
rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

static int64_t
today(void)
{
	return (tu_now - TU_T0) / TU_DAY;
}

/* Add amount on day (merging), as a credit does. */
static void
m_add(mlots *m, int64_t day, int64_t amount)
{
	int i, j;

	for (i = 0; i < m->n && m->v[i].day < day; i++)
		;
	if (i < m->n && m->v[i].day == day) {
		m->v[i].amount += amount;
		return;
	}
	ck_assert_int_lt(m->n, MAXLOTS);
	for (j = m->n; j > i; j--)
		m->v[j] = m->v[j - 1];
	m->v[i].day = day;
	m->v[i].amount = amount;
	m->n++;
}

/* Past-due lots are gone (a read hides them, a write expires them). */
static void
m_expire(mlots *m)
{
	int i = 0, j;

	while (i < m->n && m->v[i].day < today())
		i++;
	for (j = i; j < m->n; j++)
		m->v[j - i] = m->v[j];
	m->n -= i;
}

static int64_t
m_sum(const mlots *m)
{
	int64_t s = 0;
	int i;

	for (i = 0; i < m->n; i++)
		s += m->v[i].amount;
	return s;
}

/* Take amount earliest first, recording what was taken. */
static void
m_take(mlots *m, int64_t amount, mlots *taken)
{
	while (amount > 0) {
		int64_t t = m->v[0].amount < amount ? m->v[0].amount : amount;

		if (taken) {
			ck_assert_int_lt(taken->n, MAXLOTS);
			taken->v[taken->n].day = m->v[0].day;
			taken->v[taken->n++].amount = t;
		}
		m->v[0].amount -= t;
		amount -= t;
		if (m->v[0].amount == 0) {
			memmove(m->v, m->v + 1, (size_t)(m->n - 1) *
			    sizeof(*m->v));
			m->n--;
		}
	}
}

/* The ledger as the model says, account by account. */
static void
compare(int step)
{
	int a;

	for (a = 0; a < NACCT; a++) {
		lot got[MAXLOTS + 8];
		int n, i;

		m_expire(&model[a]);
		n = lots_of(ids[a], got, MAXLOTS + 8);
		ck_assert_msg(n == model[a].n, "step %d account %d: %d lots, "
		    "model %d", step, a, n, model[a].n);
		for (i = 0; i < n; i++)
			ck_assert_msg(got[i].day == model[a].v[i].day &&
			    got[i].amount == model[a].v[i].amount, "step %d "
			    "account %d lot %d: day %lld amount %lld, model "
			    "day %lld amount %lld", step, a, i,
			    (long long)got[i].day, (long long)got[i].amount,
			    (long long)model[a].v[i].day,
			    (long long)model[a].v[i].amount);
		ck_assert_int_eq(tu_available(db, ids[a], "EXP"),
		    m_sum(&model[a]));
	}
}

/* _i: the seed */
START_TEST(test_random_operations_match_a_model)
{
	points_verify_report rep;
	int step, a;

	rng = 0x9e3779b97f4a7c15ull + (uint64_t)_i * 7919;
	points_lot_spill__set_bound(db, 1 + _i % 4);
	memset(model, 0, sizeof(model));
	txns = calloc(NTXN, sizeof(*txns));
	ck_assert_ptr_nonnull(txns);
	ntxn = 0;
	ids[0] = alice;
	ids[1] = bob;
	ids[2] = tu_account(db, "E1003");
	for (step = 0; step < 600; step++) {
		int op = (int)rnd(100);
		points_posting p;
		points_txn t;
		mtxn *x;

		a = (int)rnd(NACCT);
		/* a write expires the touched accounts' past-due lots first */
		m_expire(&model[a]);
		if (op < 40) { /* earn, at a day near today or later */
			int64_t d = today() + (int64_t)rnd(40);
			int64_t amt = 1 + (int64_t)rnd(20);

			earn_day(ids[a], d, amt, NULL);
			m_add(&model[a], d, amt);
		} else if (op < 60 && m_sum(&model[a]) > 0) { /* spend */
			int64_t amt = 1 + (int64_t)rnd((uint64_t)m_sum(&model[a]));

			ck_assert_int_lt(ntxn, NTXN);
			x = &txns[ntxn];
			ck_assert_int_eq(tu_spend(db, ids[a], "EXP", amt, &t),
			    POINTS_OK);
			m_take(&model[a], amt, &x->taken);
			strcpy(x->id, t.id);
			x->acct = a;
			x->kind = 0;
			ntxn++;
		} else if (op < 70 && m_sum(&model[a]) > 0) { /* transfer */
			int b = (a + 1 + (int)rnd(NACCT - 1)) % NACCT;
			int64_t amt = 1 + (int64_t)rnd((uint64_t)m_sum(&model[a]));
			mlots taken;
			int i;

			m_expire(&model[b]);
			p = tu_posting("EXP", ids[a], amt);
			p.counterparty = ids[b];
			ck_assert_msg(points_transfer(db, &p, &t) == POINTS_OK,
			    "transfer: %s", points_errmsg(db));
			taken.n = 0;
			m_take(&model[a], amt, &taken);
			for (i = 0; i < taken.n; i++)
				m_add(&model[b], taken.v[i].day,
				    taken.v[i].amount);
		} else if (op < 80 && m_sum(&model[a]) > 0) { /* hold */
			int64_t amt = 1 + (int64_t)rnd((uint64_t)m_sum(&model[a]));

			ck_assert_int_lt(ntxn, NTXN);
			x = &txns[ntxn];
			p = tu_posting("EXP", ids[a], amt);
			ck_assert_msg(points_hold_create(db, &p, &t) ==
			    POINTS_OK, "hold: %s", points_errmsg(db));
			m_take(&model[a], amt, &x->taken);
			strcpy(x->id, t.id);
			x->acct = a;
			x->kind = 1;
			ntxn++;
		} else if (op < 92 && ntxn > 0) {
			/* settle a hold (release or capture all), or give
			 * part of a spend back */
			int i;

			x = &txns[rnd((uint64_t)ntxn)];
			m_expire(&model[x->acct]);
			if (x->kind == 1 && !x->settled) {
				if (rnd(2)) {
					ck_assert_int_eq(tu_release(db, x->id,
					    NULL, &t), POINTS_OK);
					for (i = 0; i < x->taken.n; i++)
						m_add(&model[x->acct],
						    x->taken.v[i].day,
						    x->taken.v[i].amount);
				} else {
					ck_assert_int_eq(tu_capture(db, x->id,
					    0, 0, NULL, &t), POINTS_OK);
				}
				x->settled = 1;
			} else if (x->kind == 0 &&
			    x->reversed < m_sum(&x->taken)) {
				/* the points consumed last come back first */
				int64_t left = m_sum(&x->taken) - x->reversed;
				int64_t amt = 1 + (int64_t)rnd((uint64_t)left);
				int64_t skip = x->reversed, want = amt;

				ck_assert_msg(tu_reverse(db, x->id, amt, NULL,
				    NULL, &t) == POINTS_OK, "reverse: %s",
				    points_errmsg(db));
				for (i = x->taken.n - 1; i >= 0 && want > 0;
				    i--) {
					int64_t v = x->taken.v[i].amount;

					if (skip >= v) {
						skip -= v;
						continue;
					}
					v -= skip;
					skip = 0;
					if (v > want)
						v = want;
					m_add(&model[x->acct],
					    x->taken.v[i].day, v);
					want -= v;
				}
				x->reversed += amt;
			}
		} else if (op < 97) { /* time passes */
			tu_now += (int64_t)rnd(4) * TU_DAY;
		} else { /* the sweep */
			points_sweep_report r;

			ck_assert_int_eq(points_expire_sweep_asset(db, "EXP",
			    tu_now, 0, &r), POINTS_OK);
		}
		compare(step);
		if (step % 50 == 49)
			ck_assert_msg(points_verify(db, &rep) == POINTS_OK,
			    "step %d: %s", step, rep.message);
	}
	free(txns);
}
END_TEST

static Suite *
lot_spill_suite(void)
{
	Suite *s = suite_create("lot_spill");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_crossing_the_bound_up_and_down);
	tcase_add_test(tc, test_long_inline_list_spills_at_next_write);
	tcase_add_test(tc, test_spends_drain_inline_and_refill);
	tcase_add_test(tc, test_spilled_lots_expire_at_their_moment);
	tcase_add_test(tc, test_sweep_expires_spilled_lots);
	tcase_add_test(tc, test_partial_reversal_returns_points_to_spilled_days);
	tcase_add_test(tc, test_holds_across_the_bound);
	tcase_add_test(tc, test_earn_reversal_takes_its_own_lot_first);
	tcase_add_test(tc, test_forfeit_takes_spilled_lots_and_the_account_closes);
	tcase_add_test(tc, test_debt_on_an_account_past_the_bound);
	tcase_add_test(tc, test_lot_iterator_lists_spilled_lots_in_day_order);
	tcase_add_loop_test(tc, test_verify_detects_damaged_spill_keys, 0, 6);
	tcase_add_loop_test(tc, test_writes_refuse_damaged_spill_keys, 0, 7);
	tcase_add_loop_test(tc, test_random_operations_match_a_model, 0, 8);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(lot_spill_suite());
}
