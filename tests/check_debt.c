/* check_debt.c - refunds cannot be exploited: a reversal that takes back
 * points already spent leaves a debt, which the next credits of every
 * kind repay first; POINTS_REVERSE_NO_DEBT refuses instead; the debt in
 * balances, statements, transactions, verify, close; and a seeded
 * random walk against a model of balances with debts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "util/codec.h"

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

static points_balance
bal(int64_t account, const char *asset)
{
	points_balance b;
	int rc = points_balance_get(db, account, asset, &b);

	ck_assert_msg(rc == POINTS_OK, "balance: %s", points_errmsg(db));
	return b;
}

static int
reverse(const char *txn_id, int64_t amount, unsigned flags, points_txn *out)
{
	points_reversal r = POINTS_REVERSAL_INIT;

	r.txn_id = txn_id;
	r.amount = amount;
	r.flags = flags;
	return points_reverse(db, &r, out);
}

/* The newest statement entry of account in asset. */
static points_entry
newest(int64_t account, const char *asset)
{
	points_statement_iterator *it;
	points_entry e;

	ck_assert_int_eq(points_statement_iterator_new(db, account, asset, 0,
	    0, POINTS_NEWEST_FIRST, &it), POINTS_OK);
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_OK);
	points_statement_iterator_free(it);
	return e;
}

static int
lots(int64_t account, const char *asset, points_lot *v, int max)
{
	points_lot_iterator *it;
	points_lot lot;
	int n = 0;

	ck_assert_int_eq(points_lot_iterator_new(db, account, asset,
	    INT64_MAX, &it), POINTS_OK);
	while (points_lot_next(it, &lot) == POINTS_OK) {
		if (n < max)
			v[n] = lot;
		n++;
	}
	points_lot_iterator_free(it);
	return n;
}

/* alice earns 300, spends 250, and the earn is refunded: debt 250. */
static void
earn_spend_refund(points_txn *earn, points_txn *rev)
{
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 300, earn), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 250, NULL), POINTS_OK);
	ck_assert_int_eq(reverse(earn->id, 0, 0, rev), POINTS_OK);
}

START_TEST(test_refund_of_spent_points_leaves_a_debt)
{
	points_txn e, r, got;
	points_balance b;
	points_entry s;

	earn_spend_refund(&e, &r);
	ck_assert_int_eq(r.amount, 300);
	ck_assert_int_eq(r.debt, 250);
	ck_assert_int_eq(r.repaid, 0);
	b = bal(alice, "PTS");
	ck_assert_int_eq(b.available, 0);
	ck_assert_int_eq(b.debt, 250);
	/* earned loses the whole reversal, the debt too */
	ck_assert_int_eq(b.earned, 0);
	ck_assert_int_eq(b.spent, 250);
	/* the issuer has all 300 back */
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_ISSUER, "PTS"), 0);
	/* the statement: 50 left available, 250 became the debt */
	s = newest(alice, "PTS");
	ck_assert_int_eq(s.type, POINTS_TXN_REVERSAL);
	ck_assert_int_eq(s.amount, -50);
	ck_assert_int_eq(s.debt, 250);
	s = newest(POINTS_ACCOUNT_ISSUER, "PTS");
	ck_assert_int_eq(s.amount, 300);
	ck_assert_int_eq(s.debt, 0);
	ck_assert_int_eq(points_txn_get(db, r.id, &got), POINTS_OK);
	ck_assert_int_eq(got.debt, 250);
	/* the spend is still there; alice can spend nothing */
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 1, NULL),
	    POINTS_EINSUFFICIENT);
}
END_TEST

START_TEST(test_no_debt_flag_refuses_and_changes_nothing)
{
	points_reversal r = POINTS_REVERSAL_INIT;
	points_txn e, t;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 300, &e), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 250, NULL), POINTS_OK);
	r.txn_id = e.id;
	r.flags = POINTS_REVERSE_NO_DEBT;
	TU_FAILS(db, points_reverse(db, &r, &t), POINTS_EINSUFFICIENT);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "E1001"));
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "debt of 250"));
	/* what is covered still goes through */
	r.amount = 50;
	ck_assert_int_eq(points_reverse(db, &r, &t), POINTS_OK);
	ck_assert_int_eq(t.debt, 0);
	ck_assert_int_eq(bal(alice, "PTS").available, 0);
	ck_assert_int_eq(bal(alice, "PTS").debt, 0);
}
END_TEST

START_TEST(test_reversal_refuses_unknown_flags_and_bad_meta)
{
	points_reversal r = POINTS_REVERSAL_INIT;
	points_txn e, t;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, &e), POINTS_OK);
	r.txn_id = e.id;
	r.flags = 0x80;
	TU_FAILS(db, points_reverse(db, &r, &t), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "flags"));
	r.flags = 0;
	r.category = "Not A Category";
	TU_FAILS(db, points_reverse(db, &r, &t), POINTS_EINVAL);
	r.category = NULL;
	r.actor = "";
	TU_FAILS(db, points_reverse(db, &r, &t), POINTS_EINVAL);
	/* category and actor go with the flags */
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 10, NULL), POINTS_OK);
	r.category = "refund";
	r.actor = "ops";
	r.flags = POINTS_REVERSE_NO_DEBT;
	TU_FAILS(db, points_reverse(db, &r, &t), POINTS_EINSUFFICIENT);
	r.flags = 0;
	ck_assert_int_eq(points_reverse(db, &r, &t), POINTS_OK);
	ck_assert_int_eq(t.debt, 10);
	ck_assert_str_eq(t.category, "refund");
	ck_assert_str_eq(t.actor, "ops");
}
END_TEST

/* A version-1 request (0.1.0's struct) never reads the flags: it
 * leaves a debt, as version 2 does by default. */
START_TEST(test_version_1_reversal_leaves_a_debt)
{
	struct {
		points_reversal r;
		unsigned char after[64];
	} m;
	points_txn e, t;

	memset(&m, 0xff, sizeof(m)); /* flags would read as all set */
	ck_assert_int_eq(points_reversal_init(&m.r, 1), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 30, &e), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 20, NULL), POINTS_OK);
	m.r.txn_id = e.id;
	ck_assert_int_eq(points_reverse(db, &m.r, &t), POINTS_OK);
	ck_assert_int_eq(t.debt, 20);
}
END_TEST

START_TEST(test_next_earns_repay_the_debt_first)
{
	points_txn e, r, t;
	points_balance b;
	points_entry s;
	points_lot v[4];

	earn_spend_refund(&e, &r);
	/* 100 repays 100 of 250: nothing available, no lot */
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 100, &t), POINTS_OK);
	ck_assert_int_eq(t.repaid, 100);
	b = bal(alice, "PTS");
	ck_assert_int_eq(b.available, 0);
	ck_assert_int_eq(b.debt, 150);
	ck_assert_int_eq(b.earned, 100);
	ck_assert_int_eq(lots(alice, "PTS", v, 4), 0);
	s = newest(alice, "PTS");
	ck_assert_int_eq(s.amount, 0);
	ck_assert_int_eq(s.debt, -100);
	/* 200: 150 repay, 50 available in a lot */
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 200, &t), POINTS_OK);
	ck_assert_int_eq(t.repaid, 150);
	b = bal(alice, "PTS");
	ck_assert_int_eq(b.available, 50);
	ck_assert_int_eq(b.debt, 0);
	ck_assert_int_eq(lots(alice, "PTS", v, 4), 1);
	ck_assert_int_eq(v[0].amount, 50);
	s = newest(alice, "PTS");
	ck_assert_int_eq(s.amount, 50);
	ck_assert_int_eq(s.debt, -150);
	/* the issue's example: a debt of 50, an earn of 100 */
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 60, &e), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, bob, "PTS", 50, NULL), POINTS_OK);
	ck_assert_int_eq(reverse(e.id, 0, 0, &r), POINTS_OK);
	ck_assert_int_eq(bal(bob, "PTS").debt, 50);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(bal(bob, "PTS").available, 50);
	ck_assert_int_eq(bal(bob, "PTS").debt, 0);
}
END_TEST

/* Every kind of credit repays: a transfer in, an adjustment, the refund
 * of a spend, a hold's release, a capture into the account. */
START_TEST(test_every_credit_repays)
{
	points_posting p;
	points_txn e, r, t, sp, h;
	int64_t carol = tu_account(db, "E1003");

	ck_assert_int_eq(tu_earn(db, bob, "PTS", 1000, NULL), POINTS_OK);
	/* alice: earns 100, holds 30, spends 70, the earn is refunded:
	 * debt 100 (the held 30 are not taken) */
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 100, &e), POINTS_OK);
	p = tu_posting("PTS", alice, 30);
	ck_assert_int_eq(points_hold_create(db, &p, &h), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 70, &sp), POINTS_OK);
	ck_assert_int_eq(reverse(e.id, 0, 0, &r), POINTS_OK);
	ck_assert_int_eq(r.debt, 100);
	ck_assert_int_eq(bal(alice, "PTS").held, 30);
	ck_assert_int_eq(bal(alice, "PTS").debt, 100);
	/* the release: 30 */
	ck_assert_int_eq(tu_release(db, h.id, NULL, &t), POINTS_OK);
	ck_assert_int_eq(t.repaid, 30);
	ck_assert_int_eq(bal(alice, "PTS").debt, 70);
	ck_assert_int_eq(bal(alice, "PTS").available, 0);
	/* a transfer in: 10 */
	p = tu_posting("PTS", bob, 10);
	p.counterparty = alice;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(t.repaid, 10);
	ck_assert_int_eq(bal(alice, "PTS").debt, 60);
	/* an adjustment: 5 */
	p = tu_posting("PTS", alice, 5);
	p.memo = "goodwill";
	ck_assert_int_eq(points_adjust(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(t.repaid, 5);
	ck_assert_int_eq(bal(alice, "PTS").debt, 55);
	/* the refund of part of her spend: 20 */
	ck_assert_int_eq(reverse(sp.id, 20, 0, &t), POINTS_OK);
	ck_assert_int_eq(t.repaid, 20);
	ck_assert_int_eq(t.debt, 0);
	ck_assert_int_eq(bal(alice, "PTS").debt, 35);
	/* a capture into her: 15 */
	p = tu_posting("PTS", bob, 15);
	ck_assert_int_eq(points_hold_create(db, &p, &h), POINTS_OK);
	ck_assert_int_eq(tu_capture(db, h.id, 0, alice, NULL, &t), POINTS_OK);
	ck_assert_int_eq(t.repaid, 15);
	ck_assert_int_eq(bal(alice, "PTS").debt, 20);
	/* an earn: 25, 5 left */
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 25, &t), POINTS_OK);
	ck_assert_int_eq(bal(alice, "PTS").debt, 0);
	ck_assert_int_eq(bal(alice, "PTS").available, 5);
	/* carol was never in debt: nothing repaid */
	ck_assert_int_eq(tu_earn(db, carol, "PTS", 5, &t), POINTS_OK);
	ck_assert_int_eq(t.repaid, 0);
}
END_TEST

/* Reversing a credit that repaid a debt brings the debt back. */
START_TEST(test_reversing_a_repayment_restores_the_debt)
{
	points_txn e, r, pay, t;

	earn_spend_refund(&e, &r);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 300, &pay), POINTS_OK);
	ck_assert_int_eq(pay.repaid, 250);
	ck_assert_int_eq(bal(alice, "PTS").available, 50);
	/* in part: the 50 available first */
	ck_assert_int_eq(reverse(pay.id, 30, 0, &t), POINTS_OK);
	ck_assert_int_eq(t.debt, 0);
	ck_assert_int_eq(bal(alice, "PTS").available, 20);
	ck_assert_int_eq(reverse(pay.id, 0, 0, &t), POINTS_OK);
	ck_assert_int_eq(t.amount, 270);
	ck_assert_int_eq(t.debt, 250);
	ck_assert_int_eq(bal(alice, "PTS").available, 0);
	ck_assert_int_eq(bal(alice, "PTS").debt, 250);
	ck_assert_int_eq(bal(alice, "PTS").earned, 0);
}
END_TEST

/* The repaid part makes no lot, and it is the part of a refund that
 * would expire first: the lots left are the latest. */
START_TEST(test_repaid_part_is_the_earliest_expiring)
{
	points_txn e1, e2, s, e3, r;
	points_lot v[4];

	/* alice: 40 EXP today, 60 EXP in 100 days, spends all 100 */
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 40, &e1), POINTS_OK);
	tu_now += 100 * TU_DAY;
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 60, &e2), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 100, &s), POINTS_OK);
	/* a third earn, spent too, then refunded: debt 30 */
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 30, &e3), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 30, NULL), POINTS_OK);
	ck_assert_int_eq(reverse(e3.id, 0, 0, &r), POINTS_OK);
	ck_assert_int_eq(bal(alice, "EXP").debt, 30);
	/* the spend of 100 is refunded: 30 repay (the 40-lot's days),
	 * the lots back are 10 of the first day and the 60 */
	ck_assert_int_eq(reverse(s.id, 0, 0, &r), POINTS_OK);
	ck_assert_int_eq(r.repaid, 30);
	ck_assert_int_eq(bal(alice, "EXP").available, 70);
	ck_assert_int_eq(lots(alice, "EXP", v, 4), 2);
	ck_assert_int_eq(v[0].amount, 10);
	ck_assert_int_eq(v[0].expires_at, TU_T0 + 366 * TU_DAY - 1);
	ck_assert_int_eq(v[1].amount, 60);
}
END_TEST

/* An account allowed to go negative never owes: it goes below zero,
 * as before; a system account that lacks the points refuses. */
START_TEST(test_negative_accounts_do_not_owe)
{
	points_txn e, r;
	int64_t vip;

	ck_assert_int_eq(points_account_create(db, "VIP1", NULL,
	    POINTS_ACCOUNT_ALLOW_NEGATIVE, &vip), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, vip, "PTS", 100, &e), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, vip, "PTS", 80, NULL), POINTS_OK);
	ck_assert_int_eq(reverse(e.id, 0, POINTS_REVERSE_NO_DEBT, &r),
	    POINTS_OK);
	ck_assert_int_eq(r.debt, 0);
	ck_assert_int_eq(bal(vip, "PTS").available, -80);
	ck_assert_int_eq(bal(vip, "PTS").debt, 0);
}
END_TEST

START_TEST(test_partial_refunds_add_up)
{
	points_txn e, r;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 300, &e), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 250, NULL), POINTS_OK);
	ck_assert_int_eq(reverse(e.id, 40, 0, &r), POINTS_OK);
	ck_assert_int_eq(r.debt, 0);
	ck_assert_int_eq(reverse(e.id, 100, 0, &r), POINTS_OK);
	ck_assert_int_eq(r.debt, 90);
	ck_assert_int_eq(reverse(e.id, 0, 0, &r), POINTS_OK);
	ck_assert_int_eq(r.amount, 160);
	ck_assert_int_eq(r.debt, 160);
	ck_assert_int_eq(bal(alice, "PTS").debt, 250);
	ck_assert_int_eq(reverse(e.id, 0, 0, &r), POINTS_ESTATE);
}
END_TEST

/* A refunded transfer: the receiver who spent owes, the sender gets
 * all back (repaying a debt of its own first). */
START_TEST(test_refunded_transfer_leaves_the_receiver_owing)
{
	points_posting p = tu_posting("PTS", alice, 100);
	points_txn t, r;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 100, NULL), POINTS_OK);
	p.counterparty = bob;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, bob, "PTS", 90, NULL), POINTS_OK);
	ck_assert_int_eq(reverse(t.id, 0, 0, &r), POINTS_OK);
	ck_assert_int_eq(r.from, bob);
	ck_assert_int_eq(r.debt, 90);
	ck_assert_int_eq(bal(bob, "PTS").debt, 90);
	ck_assert_int_eq(bal(alice, "PTS").available, 100);
}
END_TEST

START_TEST(test_account_with_a_debt_cannot_close)
{
	points_txn e, r;

	earn_spend_refund(&e, &r);
	TU_FAILS(db, points_account_close(db, alice), POINTS_ESTATE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "debt of 250"));
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 250, NULL), POINTS_OK);
	ck_assert_int_eq(points_account_close(db, alice), POINTS_OK);
}
END_TEST

START_TEST(test_idempotent_refund_replays_its_debt)
{
	points_reversal rv = POINTS_REVERSAL_INIT;
	points_txn e, r, again;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 300, &e), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 250, NULL), POINTS_OK);
	rv.txn_id = e.id;
	rv.idempotency_key = "refund-1";
	ck_assert_int_eq(points_reverse(db, &rv, &r), POINTS_OK);
	tu_snap(db);
	ck_assert_int_eq(points_reverse(db, &rv, &again), POINTS_OK);
	tu_unchanged(db);
	ck_assert_int_eq(again.replayed, 1);
	ck_assert_int_eq(again.debt, 250);
	/* the flag is part of the request */
	rv.flags = POINTS_REVERSE_NO_DEBT;
	TU_FAILS(db, points_reverse(db, &rv, &again), POINTS_ECONFLICT);
}
END_TEST

/* ---- Stored forms and verify ---- */

/* Rewrite alice's PTS balance record with f applied to its bytes. */
static void
tamper_balance(int64_t account, void (*f)(unsigned char *, size_t *))
{
	points_store *s = tu_store(db);
	struct points_keyspace *ks = tu_keyspace(db, "bal");
	unsigned char k[8], v[512];
	const void *got;
	size_t vl;

	points_codec__put_be64(k, (uint64_t)account << 16 | 1);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->get(s, ks, k, 8, &got, &vl), POINTS_OK);
	ck_assert_uint_le(vl, sizeof(v));
	memcpy(v, got, vl);
	f(v, &vl);
	ck_assert_int_eq(s->put(s, ks, k, 8, v, vl), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

static unsigned char seen_version;

static void
peek(unsigned char *v, size_t *vl)
{
	(void)vl;
	seen_version = v[0];
}

/* Drop a debt: record version 1 without the debt's varint. */
static void
forgive(unsigned char *v, size_t *vl)
{
	points_rd r;
	size_t at, dl;
	int i;

	ck_assert_int_eq(v[0], 2);
	points_rd__init(&r, v, *vl);
	(void)points_rd__u8(&r);
	(void)points_rd__uvar(&r); /* flags and status */
	for (i = 0; i < 5; i++)    /* available ... expired */
		(void)points_rd__svar(&r);
	at = (size_t)(r.p - v);
	ck_assert_int_eq(points_rd__svar(&r), 250);
	dl = (size_t)(r.p - v) - at;
	v[0] = 1;
	memmove(v + at, v + at + dl, *vl - at - dl);
	*vl -= dl;
}

START_TEST(test_balance_record_keeps_version_1_without_a_debt)
{
	points_txn e, r;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_OK);
	tamper_balance(alice, peek);
	ck_assert_int_eq(seen_version, 1);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 300, &e), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, bob, "PTS", 250, NULL), POINTS_OK);
	ck_assert_int_eq(reverse(e.id, 0, 0, &r), POINTS_OK);
	tamper_balance(bob, peek);
	ck_assert_int_eq(seen_version, 2);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 250, NULL), POINTS_OK);
	tamper_balance(bob, peek);
	ck_assert_int_eq(seen_version, 1);
}
END_TEST

/* Someone with write access forgives a debt in the balance record:
 * verify recomputes it from the entries. */
START_TEST(test_verify_detects_a_forgiven_debt)
{
	points_verify_report rep;
	points_txn e, r;

	earn_spend_refund(&e, &r);
	tamper_balance(alice, forgive);
	ck_assert_int_eq(bal(alice, "PTS").debt, 0);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(rep.message, "differs from its entries"));
	/* a fresh ledger for the teardown's checks */
	points_close(db);
	db = tu_open("memory:");
}
END_TEST

/* ---- A seeded random walk against a model ----
 *
 * Earns, spends, transfers and reversals (whole and in part, with and
 * without POINTS_REVERSE_NO_DEBT) on a few accounts, one of them allowed
 * to go negative, compared after every step with a model written from
 * the README ("Refunds and debts", "What a model of the ledger has to
 * know"), not from the code: the code each call returns, its debt and
 * repaid, and every account's available, held, earned, spent, expired
 * and debt.  Eight seeds, on the backend under test; over them some 70
 * reversals leave a debt, some 60 credits and 18 refunds repay one, and
 * some 30 reversals are refused by POINTS_REVERSE_NO_DEBT.  A credit
 * that does not repay first, or a flag that is ignored, fails every
 * seed. */

enum { M_ISSUER, M_SINK, M_ALICE, M_BOB, M_CAROL, M_NEG, M_N };
enum { M_USER = 1, M_NEGATIVE = 2, M_SYSTEM = 4 };

typedef struct m_acct {
	int64_t id;
	unsigned kind;
	int64_t available, earned, spent, debt;
} m_acct;

typedef struct m_txn {
	char id[POINTS_ID_LEN + 1];
	int from, to;
	int64_t amount, reversed;
} m_txn;

#define M_STEPS 300
static m_acct macct[M_N];
static m_txn mtxn[M_STEPS];
static int mn;
static uint64_t mrng;

static uint64_t
m_rand(void)
{
	/* xorshift64*: the same walk for a seed on every machine */
	mrng ^= mrng >> 12;
	mrng ^= mrng << 25;
	mrng ^= mrng >> 27;
	return mrng * 2685821657736338717ULL;
}

static int64_t
m_between(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(m_rand() % (uint64_t)(hi - lo + 1));
}

/* A debit the README allows without a debt: a user needs the points,
 * an account allowed to go negative does not. */
static int
m_can_pay(const m_acct *a, int64_t amount)
{
	return (a->kind & M_NEGATIVE) || a->available >= amount;
}

/* A credit: a user's debt is repaid first, the rest becomes available
 * (system accounts never owe).  Returns the part that repaid. */
static int64_t
m_credit(m_acct *a, int64_t amount)
{
	int64_t r = a->debt < amount ? a->debt : amount;

	a->debt -= r;
	a->available += amount - r;
	return r;
}

static void
m_compare(int seed, int step, const char *what)
{
	int i;

	for (i = 0; i < M_N; i++) {
		points_balance b = bal(macct[i].id, "PTS");

		ck_assert_msg(b.available == macct[i].available &&
		    b.held == 0 && b.expired == 0 &&
		    b.earned == macct[i].earned &&
		    b.spent == macct[i].spent && b.debt == macct[i].debt,
		    "seed %d step %d (%s): account %lld is available %lld, "
		    "earned %lld, spent %lld, debt %lld; the model says %lld, "
		    "%lld, %lld, %lld", seed, step, what,
		    (long long)macct[i].id, (long long)b.available,
		    (long long)b.earned, (long long)b.spent,
		    (long long)b.debt, (long long)macct[i].available,
		    (long long)macct[i].earned, (long long)macct[i].spent,
		    (long long)macct[i].debt);
	}
}

/* One posting: kind 0 earn (issuer -> user), 1 spend (user -> sink),
 * 2 transfer (user -> another user). */
static void
m_posting(int seed, int step, int kind)
{
	int users[] = { M_ALICE, M_BOB, M_CAROL, M_NEG };
	int u = users[m_between(0, 3)], v = users[m_between(0, 3)];
	int64_t amount = m_between(1, 200), repaid = 0;
	points_posting p = tu_posting("PTS", macct[u].id, amount);
	int from, to, want, rc;
	points_txn t;
	char what[64];

	/* spend or send most of what is there, often: so that refunds of
	 * the earns find the points gone */
	if (kind != 0 && macct[u].available > 1 && m_between(0, 4) < 3) {
		amount = m_between(macct[u].available / 2,
		    macct[u].available);
		p.amount = amount;
	}
	if (kind == 2) {
		while (v == u)
			v = users[m_between(0, 3)];
		p.counterparty = macct[v].id;
	}
	from = kind == 0 ? M_ISSUER : u;
	to = kind == 0 ? u : kind == 1 ? M_SINK : v;
	want = m_can_pay(&macct[from], amount) ? POINTS_OK :
	    POINTS_EINSUFFICIENT;
	rc = kind == 0 ? points_earn(db, &p, &t) : kind == 1 ?
	    points_spend(db, &p, &t) : points_transfer(db, &p, &t);
	snprintf(what, sizeof(what), "%s of %lld", kind == 0 ? "earn" :
	    kind == 1 ? "spend" : "transfer", (long long)amount);
	ck_assert_msg(rc == want, "seed %d step %d (%s): %d, the model "
	    "says %d (%s)", seed, step, what, rc, want, points_errmsg(db));
	if (rc == POINTS_OK) {
		macct[from].available -= amount;
		macct[from].spent += amount;
		repaid = m_credit(&macct[to], amount);
		macct[to].earned += amount; /* in full, the repaid part too */
		ck_assert_msg(t.repaid == repaid && t.debt == 0,
		    "seed %d step %d (%s): repaid %lld, the model says %lld",
		    seed, step, what, (long long)t.repaid, (long long)repaid);
		strcpy(mtxn[mn].id, t.id);
		mtxn[mn].from = from;
		mtxn[mn].to = to;
		mtxn[mn].amount = amount;
		mtxn[mn].reversed = 0;
		mn++;
	}
	m_compare(seed, step, what);
}

/* A reversal of an earlier transaction, whole (0) or in part (perhaps
 * more than is left), with or without POINTS_REVERSE_NO_DEBT. */
static void
m_reversal(int seed, int step)
{
	m_txn *o = &mtxn[m_between(0, mn - 1)];
	int64_t left = o->amount - o->reversed, amount, n, owed = 0, repaid;
	unsigned flags = m_between(0, 2) == 0 ? POINTS_REVERSE_NO_DEBT : 0;
	m_acct *r = &macct[o->to], *p = &macct[o->from];
	int want = POINTS_OK, rc;
	points_txn t;
	char what[64];

	amount = m_between(0, 2) == 0 ? 0 : m_between(1, o->amount + 10);
	n = amount ? amount : left;
	snprintf(what, sizeof(what), "reversal of %lld%s", (long long)amount,
	    flags ? ", no debt" : "");
	if (left == 0)
		want = POINTS_ESTATE;
	else if (n > left)
		want = POINTS_EINVAL;
	else if (!(r->kind & M_NEGATIVE) && r->available < n &&
	    ((r->kind & M_SYSTEM) || flags))
		want = POINTS_EINSUFFICIENT;
	rc = reverse(o->id, amount, flags, &t);
	ck_assert_msg(rc == want, "seed %d step %d (%s): %d, the model "
	    "says %d (%s)", seed, step, what, rc, want, points_errmsg(db));
	if (rc == POINTS_OK) {
		/* the receiver gives what it has and owes the rest */
		if ((r->kind & M_USER) && !(r->kind & M_NEGATIVE) &&
		    r->available < n) {
			owed = n - r->available;
			r->debt += owed;
			r->available = 0;
		} else {
			r->available -= n;
		}
		/* the payer's own debt is repaid first; the whole amount
		 * comes out of the receiver's earned and the payer's spent,
		 * the part that became a debt too */
		repaid = m_credit(p, n);
		r->earned -= n;
		p->spent -= n;
		o->reversed += n;
		ck_assert_msg(t.debt == owed && t.repaid == repaid,
		    "seed %d step %d (%s): debt %lld, repaid %lld; the model "
		    "says %lld, %lld", seed, step, what, (long long)t.debt,
		    (long long)t.repaid, (long long)owed, (long long)repaid);
	}
	m_compare(seed, step, what);
}

START_TEST(test_random_walk_against_a_model)
{
	int seed = 1 + _i, step;
	int64_t neg;

	ck_assert_int_eq(points_account_create(db, "NEG1", NULL,
	    POINTS_ACCOUNT_ALLOW_NEGATIVE, &neg), POINTS_OK);
	memset(macct, 0, sizeof(macct));
	macct[M_ISSUER].id = POINTS_ACCOUNT_ISSUER;
	macct[M_ISSUER].kind = M_SYSTEM | M_NEGATIVE;
	macct[M_SINK].id = POINTS_ACCOUNT_SINK;
	macct[M_SINK].kind = M_SYSTEM;
	macct[M_ALICE].id = alice;
	macct[M_BOB].id = bob;
	macct[M_CAROL].id = tu_account(db, "E1003");
	macct[M_NEG].id = neg;
	macct[M_ALICE].kind = macct[M_BOB].kind = macct[M_CAROL].kind =
	    M_USER;
	macct[M_NEG].kind = M_USER | M_NEGATIVE;
	mn = 0;
	mrng = 0x9e3779b97f4a7c15ULL * (uint64_t)seed;
	for (step = 0; step < M_STEPS; step++) {
		int op = (int)m_between(0, 9);

		if (mn == 0 || op < 3)
			m_posting(seed, step, 0);
		else if (op < 5)
			m_posting(seed, step, 1);
		else if (op < 6)
			m_posting(seed, step, 2);
		else
			m_reversal(seed, step);
		if (step % 50 == 49)
			tu_invariants(db);
	}
}
END_TEST

Suite *
debt_suite(void)
{
	Suite *s = suite_create("debt");
	TCase *tc = tcase_create("debt");
	TCase *st = tcase_create("stored");
	TCase *mc = tcase_create("model");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_refund_of_spent_points_leaves_a_debt);
	tcase_add_test(tc, test_no_debt_flag_refuses_and_changes_nothing);
	tcase_add_test(tc, test_reversal_refuses_unknown_flags_and_bad_meta);
	tcase_add_test(tc, test_version_1_reversal_leaves_a_debt);
	tcase_add_test(tc, test_next_earns_repay_the_debt_first);
	tcase_add_test(tc, test_every_credit_repays);
	tcase_add_test(tc, test_reversing_a_repayment_restores_the_debt);
	tcase_add_test(tc, test_repaid_part_is_the_earliest_expiring);
	tcase_add_test(tc, test_negative_accounts_do_not_owe);
	tcase_add_test(tc, test_partial_refunds_add_up);
	tcase_add_test(tc, test_refunded_transfer_leaves_the_receiver_owing);
	tcase_add_test(tc, test_account_with_a_debt_cannot_close);
	tcase_add_test(tc, test_idempotent_refund_replays_its_debt);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(st, setup, teardown);
	tcase_add_test(st, test_balance_record_keeps_version_1_without_a_debt);
	tcase_add_test(st, test_verify_detects_a_forgiven_debt);
	suite_add_tcase(s, st);
	tcase_add_checked_fixture(mc, setup, teardown);
	tcase_add_loop_test(mc, test_random_walk_against_a_model, 0, 8);
	suite_add_tcase(s, mc);
	return s;
}

int
main(void)
{
	return tu_run(debt_suite());
}
