/* check_ledger.c - transfers, idempotency, reversals, statements, batches. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "ledger/entry.h"
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

START_TEST(test_earn_credits_account_and_debits_issuer)
{
	points_txn t;
	points_balance b;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 150, &t), POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_EARN);
	ck_assert_int_eq(t.from, POINTS_ACCOUNT_ISSUER);
	ck_assert_int_eq(t.to, alice);
	ck_assert_int_eq(t.amount, 150);
	ck_assert_int_eq(t.time, TU_T0);
	ck_assert_str_eq(t.asset, "PTS");
	ck_assert_int_eq(strlen(t.id), 36);
	ck_assert_int_eq(t.id[14], '7'); /* UUID version 7 */
	ck_assert_int_eq(points_balance_get(db, alice, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 150);
	ck_assert_int_eq(b.earned, 150);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_ISSUER, "PTS"), -150);
}
END_TEST

START_TEST(test_transaction_ids_are_unique_and_time_ordered)
{
	points_txn a, b;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, &a), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, &b), POINTS_OK);
	ck_assert_str_ne(a.id, b.id);
	ck_assert_int_le(strncmp(a.id, b.id, 13), 0); /* ms timestamp first */
	ck_assert_int_eq(b.seq, a.seq + 1);
}
END_TEST

START_TEST(test_spend_moves_points_to_sink)
{
	points_txn t;
	points_balance b;

	tu_earn(db, alice, "PTS", 100, NULL);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 40, &t), POINTS_OK);
	ck_assert_int_eq(t.to, POINTS_ACCOUNT_SINK);
	ck_assert_int_eq(points_balance_get(db, alice, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 60);
	ck_assert_int_eq(b.spent, 40);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_SINK, "PTS"), 40);
}
END_TEST

/* The sink and the expiry account pay from what they hold, as the
 * documentation says of every payer: an earn paid by either beyond its
 * balance is POINTS_EINSUFFICIENT and writes nothing (both carried the
 * allow-negative flag, and went below zero).  The issuer may. */
START_TEST(test_sink_and_expiry_cannot_go_negative)
{
	static const int64_t payer[] = {
		POINTS_ACCOUNT_SINK, POINTS_ACCOUNT_EXPIRY,
	};
	points_posting p = tu_posting("PTS", alice, 41);
	points_txn t;

	tu_earn(db, alice, "PTS", 100, NULL);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 40, NULL), POINTS_OK);
	p.counterparty = payer[_i];
	if (payer[_i] == POINTS_ACCOUNT_SINK) {
		TU_FAILS(db, points_earn(db, &p, &t), POINTS_EINSUFFICIENT);
		ck_assert_str_eq(points_errmsg(db), "account system:sink: "
		    "insufficient points: available 40, needs 41");
		p.amount = 40; /* what it holds it may pay */
		ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
		ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_SINK, "PTS"),
		    0);
	} else {
		TU_FAILS(db, points_earn(db, &p, &t), POINTS_EINSUFFICIENT);
		ck_assert_str_eq(points_errmsg(db), "account system:expiry: "
		    "insufficient points: available 0, needs 41");
	}
	/* nor by an adjustment that names it */
	p.amount = 1;
	p.memo = "fix";
	TU_FAILS(db, points_adjust(db, &p, &t), POINTS_EINSUFFICIENT);
	/* the issuer still issues from below zero */
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 1000, NULL), POINTS_OK);
	ck_assert_int_lt(tu_available(db, POINTS_ACCOUNT_ISSUER, "PTS"), 0);
}
END_TEST

/* Seeded random earns, spends and adjustments among alice, bob and the
 * three built-in accounts, against a model written from the
 * documentation: a payer pays from its own balance, and only the issuer
 * (or an account with POINTS_ACCOUNT_ALLOW_NEGATIVE: none here) may go
 * below zero; a refused write changes nothing.  Compared after every
 * step. */
START_TEST(test_system_payers_against_a_model)
{
	int64_t acct[5], model[5] = { 0 };
	int step;

	acct[0] = POINTS_ACCOUNT_ISSUER;
	acct[1] = POINTS_ACCOUNT_SINK;
	acct[2] = POINTS_ACCOUNT_EXPIRY;
	acct[3] = alice;
	acct[4] = bob;
	srand(1717);
	for (step = 0; step < 600; step++) {
		points_posting p = tu_posting("PTS", 0, 1 + rand() % 60);
		points_txn t;
		int op = rand() % 3, user = 3 + rand() % 2, sys = rand() % 3;
		int from, to, rc, want, k;

		p.account = acct[user];
		p.counterparty = acct[sys];
		if (op == 0) {          /* earn: sys pays user */
			from = sys, to = user;
			rc = points_earn(db, &p, &t);
		} else if (op == 1) {   /* spend: user pays sys */
			from = user, to = sys;
			rc = points_spend(db, &p, &t);
		} else {                /* adjustment, either way */
			p.memo = "fix";
			if (rand() % 2)
				p.amount = -p.amount;
			from = p.amount > 0 ? sys : user;
			to = p.amount > 0 ? user : sys;
			rc = points_adjust(db, &p, &t);
		}
		k = (int)(p.amount < 0 ? -p.amount : p.amount);
		want = from != 0 && model[from] < k ? POINTS_EINSUFFICIENT :
		    POINTS_OK;
		ck_assert_msg(rc == want, "step %d: op %d from %d to %d of %d: "
		    "%d (%s)", step, op, from, to, k, rc, points_errmsg(db));
		if (rc == POINTS_OK) {
			model[from] -= k;
			model[to] += k;
		}
		for (k = 0; k < 5; k++)
			ck_assert_msg(tu_available(db, acct[k], "PTS") ==
			    model[k], "step %d: account %lld", step,
			    (long long)acct[k]);
	}
}
END_TEST

START_TEST(test_spend_beyond_available_is_insufficient_and_writes_nothing)
{
	char *before, *after;
	size_t bl, al;

	tu_earn(db, alice, "PTS", 30, NULL);
	before = tu_dump(db, &bl);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 50, NULL),
	    POINTS_EINSUFFICIENT);
	ck_assert_str_eq(points_errmsg(db),
	    "account E1001: insufficient points: available 30, needs 50");
	ck_assert_int_eq(points_errcode(db), POINTS_EINSUFFICIENT);
	after = tu_dump(db, &al);
	ck_assert_int_eq(bl, al);
	ck_assert(memcmp(before, after, bl) == 0);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_transfer_between_users_keeps_expiry)
{
	points_posting p = tu_posting("EXP", alice, 70);
	points_txn t;
	points_lot_iterator *it;
	points_lot lot;

	tu_earn(db, alice, "EXP", 100, NULL);
	tu_now += 10 * TU_DAY;
	p.counterparty = bob;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(t.from, alice);
	ck_assert_int_eq(t.to, bob);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 30);
	ck_assert_int_eq(tu_available(db, bob, "EXP"), 70);
	/* bob's points expire when alice's did, not 365 days from now */
	ck_assert_int_eq(points_lot_iterator_new(db, bob, "EXP", INT64_MAX,
	    &it), POINTS_OK);
	ck_assert_int_eq(points_lot_next(it, &lot), POINTS_OK);
	ck_assert_int_eq(lot.amount, 70);
	ck_assert_int_eq(lot.expires_at, TU_T0 + 366 * TU_DAY - 1);
	ck_assert_int_eq(points_lot_next(it, &lot), POINTS_ITEROVER);
	points_lot_iterator_free(it);
}
END_TEST

START_TEST(test_transfer_errors)
{
	points_posting p = tu_posting("PTS", alice, 10);
	points_txn t;

	tu_earn(db, alice, "PTS", 100, NULL);
	p.counterparty = alice;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_EINVAL);
	p.counterparty = 0;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_ENOTFOUND);
	p.counterparty = POINTS_ACCOUNT_SINK;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_EINVAL);
	p.counterparty = 999;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "account 999 not found");
	p.counterparty = bob;
	p.amount = 101;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_EINSUFFICIENT);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 100);
}
END_TEST

START_TEST(test_adjust_needs_reason_and_moves_either_way)
{
	points_posting p = tu_posting("PTS", alice, 25);
	points_txn t;

	ck_assert_int_eq(points_adjust(db, &p, &t), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db),
	    "an adjustment needs a reason (memo)");
	p.memo = "bonus missed in March";
	ck_assert_int_eq(points_adjust(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_ADJUST);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 25);
	p.amount = -10;
	p.memo = "double counted";
	ck_assert_int_eq(points_adjust(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(t.from, alice);
	ck_assert_int_eq(t.amount, 10);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 15);
	p.amount = -16;
	ck_assert_int_eq(points_adjust(db, &p, &t), POINTS_EINSUFFICIENT);
	p.amount = 0;
	ck_assert_int_eq(points_adjust(db, &p, &t), POINTS_EINVAL);
}
END_TEST

START_TEST(test_bad_input_is_refused_with_einval)
{
	points_posting p = tu_posting("PTS", alice, 10);
	points_txn t;
	char big[POINTS_MEMO_MAX + 2];

	ck_assert_int_eq(points_earn(NULL, &p, &t), POINTS_EINVAL);
	ck_assert_int_eq(points_earn(db, NULL, &t), POINTS_EINVAL);
	ck_assert_int_eq(points_earn(db, &p, NULL), POINTS_EINVAL);
	p.amount = 0;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_EINVAL);
	p.amount = -5;
	ck_assert_int_eq(points_spend(db, &p, &t), POINTS_EINVAL);
	p.amount = 10;
	p.asset = NULL;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_EINVAL);
	p.asset = "NOPE";
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_ENOTFOUND);
	p.asset = "pts";
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_EINVAL);
	p.asset = "PTS";
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	p.memo = big;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_EINVAL);
	p.memo = "bad \xff utf8";
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "memo is not valid UTF-8");
	p.memo = NULL;
	p.version = 99;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_EVERSION);
	p.version = POINTS_POSTING_VERSION;
	p.account = POINTS_ACCOUNT_SINK;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_EINVAL);
	p.account = alice;
	p.counterparty = bob; /* earn must come from a system account */
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_EINVAL);
	p.counterparty = 0;
	p.time = -1;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_EINVAL);
	p.time = 0;
	p.expires_at = TU_T0 - 1;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_EINVAL);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 0);
}
END_TEST

START_TEST(test_balance_overflow_is_refused)
{
	points_posting p = tu_posting("PTS", alice, INT64_MAX);
	points_txn t;

	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	p.amount = 1;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_EOVERFLOW);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), INT64_MAX);
	/* give it back so the invariants hold */
	p.amount = INT64_MAX;
	p.memo = "test cleanup";
	p.amount = -INT64_MAX;
	ck_assert_int_eq(points_adjust(db, &p, &t), POINTS_OK);
}
END_TEST

START_TEST(test_idempotent_retry_returns_first_result)
{
	points_posting p = tu_posting("PTS", alice, 50);
	points_txn a, b;

	p.idempotency_key = "order-1";
	ck_assert_int_eq(points_earn(db, &p, &a), POINTS_OK);
	ck_assert_int_eq(a.replayed, 0);
	ck_assert_int_eq(points_earn(db, &p, &b), POINTS_OK);
	ck_assert_int_eq(b.replayed, 1);
	ck_assert_str_eq(a.id, b.id);
	ck_assert_int_eq(a.seq, b.seq);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 50);
}
END_TEST

START_TEST(test_idempotency_key_with_other_request_conflicts)
{
	points_posting p = tu_posting("PTS", alice, 50);
	points_txn t;

	p.idempotency_key = "order-2";
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	p.amount = 51;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_ECONFLICT);
	p.amount = 50;
	ck_assert_int_eq(points_spend(db, &p, &t), POINTS_ECONFLICT);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 50);
}
END_TEST

START_TEST(test_frozen_account_refuses_postings_but_not_adjustments)
{
	points_posting p = tu_posting("PTS", alice, 10);
	points_txn t;

	tu_earn(db, alice, "PTS", 100, NULL);
	ck_assert_int_eq(points_account_freeze(db, alice), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_EFROZEN);
	ck_assert_str_eq(points_errmsg(db), "account E1001 is frozen");
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 10, NULL), POINTS_EFROZEN);
	p.counterparty = bob;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_EFROZEN);
	p.account = bob;
	p.counterparty = alice;
	tu_earn(db, bob, "PTS", 10, NULL);
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_EFROZEN);
	p = tu_posting("PTS", alice, -30);
	p.memo = "clawback";
	ck_assert_int_eq(points_adjust(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(points_account_unfreeze(db, alice), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 70, NULL), POINTS_OK);
}
END_TEST

START_TEST(test_closed_account_refuses_everything)
{
	points_posting p = tu_posting("PTS", bob, 10);
	points_txn t;

	ck_assert_int_eq(points_account_close(db, alice), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_ECLOSED);
	p.memo = "x";
	p.account = alice;
	ck_assert_int_eq(points_adjust(db, &p, &t), POINTS_ECLOSED);
	p.account = bob;
	p.counterparty = alice;
	tu_earn(db, bob, "PTS", 10, NULL);
	p.memo = NULL;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_ECLOSED);
}
END_TEST

START_TEST(test_reverse_spend_restores_original_lots)
{
	points_txn e1, e2, s, r;
	points_lot_iterator *it;
	points_lot lot;

	ck_assert_int_eq(tu_earn(db, alice, "EXP", 60, &e1), POINTS_OK);
	tu_now += 100 * TU_DAY;
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 60, &e2), POINTS_OK);
	tu_now += 100 * TU_DAY;
	/* consumes all 60 of the first lot and 20 of the second */
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 80, &s), POINTS_OK);
	tu_now += 100 * TU_DAY;
	ck_assert_int_eq(tu_reverse(db, s.id, 0, "refund", NULL, &r),
	    POINTS_OK);
	ck_assert_int_eq(r.type, POINTS_TXN_REVERSAL);
	ck_assert_str_eq(r.ref, s.id);
	ck_assert_int_eq(r.amount, 80);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 120);
	/* the refund did not extend the points' life */
	ck_assert_int_eq(points_lot_iterator_new(db, alice, "EXP", INT64_MAX,
	    &it), POINTS_OK);
	ck_assert_int_eq(points_lot_next(it, &lot), POINTS_OK);
	ck_assert_int_eq(lot.expires_at, TU_T0 + 366 * TU_DAY - 1);
	ck_assert_int_eq(lot.amount, 60);
	ck_assert_int_eq(points_lot_next(it, &lot), POINTS_OK);
	ck_assert_int_eq(lot.expires_at, TU_T0 + 466 * TU_DAY - 1);
	ck_assert_int_eq(lot.amount, 60);
	ck_assert_int_eq(points_lot_next(it, &lot), POINTS_ITEROVER);
	points_lot_iterator_free(it);
}
END_TEST

START_TEST(test_partial_reversals_return_latest_consumed_first)
{
	points_txn s, r;
	points_lot_iterator *it;
	points_lot lot;
	points_balance b;

	tu_earn(db, alice, "EXP", 50, NULL);
	tu_now += 10 * TU_DAY;
	tu_earn(db, alice, "EXP", 50, NULL);
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 100, &s), POINTS_OK);
	ck_assert_int_eq(tu_reverse(db, s.id, 30, NULL, NULL, &r),
	    POINTS_OK);
	/* the last 30 consumed came from the later lot */
	ck_assert_int_eq(points_lot_iterator_new(db, alice, "EXP", INT64_MAX,
	    &it), POINTS_OK);
	ck_assert_int_eq(points_lot_next(it, &lot), POINTS_OK);
	ck_assert_int_eq(lot.amount, 30);
	ck_assert_int_eq(lot.expires_at, TU_T0 + 376 * TU_DAY - 1);
	points_lot_iterator_free(it);
	ck_assert_int_eq(tu_reverse(db, s.id, 71, NULL, NULL, &r),
	    POINTS_EINVAL);
	ck_assert_int_eq(tu_reverse(db, s.id, 70, NULL, NULL, &r),
	    POINTS_OK);
	ck_assert_int_eq(tu_reverse(db, s.id, 0, NULL, NULL, &r),
	    POINTS_ESTATE);
	ck_assert_int_eq(tu_reverse(db, s.id, 1, NULL, NULL, &r),
	    POINTS_ESTATE);
	ck_assert_int_eq(points_balance_get(db, alice, "EXP", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 100);
	ck_assert_int_eq(b.spent, 0);
	ck_assert_int_eq(b.earned, 100);
}
END_TEST

START_TEST(test_reverse_earn_takes_points_back)
{
	points_reversal rv = POINTS_REVERSAL_INIT;
	points_txn e, r;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 100, &e), POINTS_OK);
	tu_spend(db, alice, "PTS", 80, NULL);
	/* asked not to leave a debt, it refuses what alice lacks */
	rv.txn_id = e.id;
	rv.flags = POINTS_REVERSE_NO_DEBT;
	TU_FAILS(db, points_reverse(db, &rv, &r), POINTS_EINSUFFICIENT);
	ck_assert_int_eq(tu_reverse(db, e.id, 20, NULL, NULL, &r),
	    POINTS_OK);
	ck_assert_int_eq(r.from, alice);
	ck_assert_int_eq(r.to, POINTS_ACCOUNT_ISSUER);
	ck_assert_int_eq(r.debt, 0);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 0);
}
END_TEST

START_TEST(test_reverse_refuses_bad_targets)
{
	points_txn r, e;
	points_posting p = tu_posting("PTS", alice, 10);

	ck_assert_int_eq(tu_reverse(db, NULL, 0, NULL, NULL, &r),
	    POINTS_EINVAL);
	ck_assert_int_eq(tu_reverse(db, "not-a-uuid", 0, NULL, NULL, &r),
	    POINTS_EINVAL);
	ck_assert_int_eq(tu_reverse(db,
	    "01890000-0000-7000-8000-000000000000", 0, NULL, NULL, &r),
	    POINTS_ENOTFOUND);
	tu_earn(db, alice, "PTS", 10, &e);
	ck_assert_int_eq(tu_reverse(db, e.id, -1, NULL, NULL, &r),
	    POINTS_EINVAL);
	ck_assert_int_eq(tu_reverse(db, e.id, 0, NULL, NULL, NULL),
	    POINTS_EINVAL);
	ck_assert_int_eq(tu_reverse(db, e.id, 0, NULL, NULL, &r),
	    POINTS_OK);
	/* a reversal is not itself reversible */
	ck_assert_int_eq(tu_reverse(db, r.id, 0, NULL, NULL, &e),
	    POINTS_EINVAL);
	p.time = 0;
	(void)p;
}
END_TEST

START_TEST(test_reverse_is_idempotent_with_key)
{
	points_txn e, r1, r2;

	tu_earn(db, alice, "PTS", 100, &e);
	ck_assert_int_eq(tu_reverse(db, e.id, 10, NULL, "refund-1", &r1),
	    POINTS_OK);
	ck_assert_int_eq(tu_reverse(db, e.id, 10, NULL, "refund-1", &r2),
	    POINTS_OK);
	ck_assert_int_eq(r2.replayed, 1);
	ck_assert_str_eq(r1.id, r2.id);
	ck_assert_int_eq(tu_reverse(db, e.id, 11, NULL, "refund-1", &r2),
	    POINTS_ECONFLICT);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 90);
}
END_TEST

START_TEST(test_txn_get_finds_transactions)
{
	points_txn e, got;

	tu_earn(db, alice, "PTS", 5, &e);
	ck_assert_int_eq(points_txn_get(db, e.id, &got), POINTS_OK);
	ck_assert_int_eq(got.seq, e.seq);
	ck_assert_int_eq(got.amount, 5);
	ck_assert_int_eq(points_txn_get(db, "bad", &got), POINTS_EINVAL);
	ck_assert_int_eq(points_txn_get(db, e.id, NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_txn_get(db,
	    "01890000-0000-7000-8000-000000000000", &got), POINTS_ENOTFOUND);
}
END_TEST

START_TEST(test_statement_both_orders_and_time_range)
{
	points_statement_iterator *it;
	points_entry e;
	int64_t amounts[] = { 10, 20, 30, 40 };
	int i, rc;

	for (i = 0; i < 4; i++) {
		tu_earn(db, alice, "PTS", amounts[i], NULL);
		tu_earn(db, bob, "PTS", 1, NULL); /* interleaved */
		tu_now += TU_DAY;
	}
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", 0, 0,
	    POINTS_NEWEST_FIRST, &it), POINTS_OK);
	for (i = 3; i >= 0; i--) {
		ck_assert_int_eq(points_statement_next(it, &e), POINTS_OK);
		ck_assert_int_eq(e.amount, amounts[i]);
		ck_assert_int_eq(e.counterparty, POINTS_ACCOUNT_ISSUER);
		ck_assert_str_eq(e.asset, "PTS");
	}
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_ITEROVER);
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_ITEROVER);
	points_statement_iterator_free(it);

	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS",
	    TU_T0 + TU_DAY, TU_T0 + 3 * TU_DAY, POINTS_OLDEST_FIRST, &it),
	    POINTS_OK);
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_OK);
	ck_assert_int_eq(e.amount, 20);
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_OK);
	ck_assert_int_eq(e.amount, 30);
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_ITEROVER);
	points_statement_iterator_free(it);

	/* the issuer's statement has all eight */
	ck_assert_int_eq(points_statement_iterator_new(db,
	    POINTS_ACCOUNT_ISSUER, "PTS", 0, 0, POINTS_OLDEST_FIRST, &it),
	    POINTS_OK);
	for (i = 0; (rc = points_statement_next(it, &e)) == POINTS_OK; i++)
		ck_assert_int_lt(e.amount, 0);
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	ck_assert_int_eq(i, 8);
	points_statement_iterator_free(it);
}
END_TEST

START_TEST(test_statement_longer_than_a_chunk)
{
	points_statement_iterator *it;
	points_entry e;
	int i, rc;

	for (i = 1; i <= 150; i++)
		ck_assert_int_eq(tu_earn(db, alice, "PTS", i, NULL), POINTS_OK);
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", 0, 0,
	    POINTS_OLDEST_FIRST, &it), POINTS_OK);
	for (i = 1; (rc = points_statement_next(it, &e)) == POINTS_OK; i++)
		ck_assert_int_eq(e.amount, i);
	ck_assert_int_eq(i, 151);
	points_statement_iterator_free(it);
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", 0, 0,
	    POINTS_NEWEST_FIRST, &it), POINTS_OK);
	for (i = 150; (rc = points_statement_next(it, &e)) == POINTS_OK; i--)
		ck_assert_int_eq(e.amount, i);
	ck_assert_int_eq(i, 0);
	points_statement_iterator_free(it);
}
END_TEST

START_TEST(test_statement_errors)
{
	points_statement_iterator *it = NULL;
	points_lot_iterator *li;
	points_entry e;

	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", 0, 0,
	    7, &it), POINTS_EINVAL);
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", 10, 5,
	    POINTS_NEWEST_FIRST, &it), POINTS_EINVAL);
	ck_assert_int_eq(points_statement_iterator_new(db, 999, "PTS", 0, 0,
	    POINTS_NEWEST_FIRST, &it), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "NOPE", 0, 0,
	    POINTS_NEWEST_FIRST, &it), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", 0, 0,
	    POINTS_NEWEST_FIRST, NULL), POINTS_EINVAL);
	ck_assert_ptr_null(it); /* never written on failure */
	ck_assert_int_eq(points_statement_next(NULL, &e), POINTS_EINVAL);
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", 0, 0,
	    POINTS_NEWEST_FIRST, &it), POINTS_OK);
	ck_assert_int_eq(points_statement_next(it, NULL), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db),
	    "statement iterator: out is required");
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_ITEROVER);
	/* another kind does not compile; forced through a cast, it is
	 * refused at run time and left as it was */
	ck_assert_int_eq(points_lot_iterator_new(db, alice, "PTS", INT64_MAX,
	    &li), POINTS_OK);
	ck_assert_int_eq(points_statement_next(
	    (points_statement_iterator *)(void *)li, &e), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "this call steps statement "
	    "iterators, not lot iterators");
	points_lot_iterator_free(li);
	points_statement_iterator_free(it);
	points_statement_iterator_free(NULL);
}
END_TEST

START_TEST(test_batch_groups_operations_and_skips_failed_checks)
{
	points_txn t;
	int i;

	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(points_batch_begin(db), POINTS_EMISUSE);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, &t), POINTS_OK);
	/* a failed check inside the batch writes nothing, the batch goes on */
	ck_assert_int_eq(tu_spend(db, bob, "PTS", 1, NULL),
	    POINTS_EINSUFFICIENT);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 30, NULL), POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 70);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 70);
	ck_assert_int_eq(points_batch_commit(db), POINTS_EMISUSE);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_EMISUSE);
}
END_TEST

START_TEST(test_batch_rollback_discards_everything)
{
	char *before, *after;
	size_t bl, al;

	tu_earn(db, alice, "PTS", 5, NULL);
	before = tu_dump(db, &bl);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	tu_earn(db, alice, "PTS", 10, NULL);
	tu_earn(db, bob, "PTS", 10, NULL);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	after = tu_dump(db, &al);
	ck_assert_int_eq(bl, al);
	ck_assert(memcmp(before, after, bl) == 0);
	free(before);
	free(after);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 5);
}
END_TEST

START_TEST(test_system_account_with_budget_cannot_overspend)
{
	int64_t pool;
	points_posting p = tu_posting("PTS", 0, 0);
	points_txn t;

	ck_assert_int_eq(points_account_create(db, "budget:rnd", "R&D budget",
	    POINTS_ACCOUNT_SYSTEM, &pool), POINTS_OK);
	p.account = pool;
	p.amount = 500;
	p.memo = "quarterly budget";
	ck_assert_int_eq(points_adjust(db, &p, &t), POINTS_OK);
	p = tu_posting("PTS", alice, 400);
	p.counterparty = pool;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_EINSUFFICIENT);
	ck_assert_int_eq(tu_available(db, pool, "PTS"), 100);
}
END_TEST

START_TEST(test_negative_allowed_account_repays_before_new_lots)
{
	int64_t vip;
	points_posting p;
	points_txn t;
	points_lot_iterator *it;
	points_lot lot;

	ck_assert_int_eq(points_account_create(db, "VIP1", NULL,
	    POINTS_ACCOUNT_ALLOW_NEGATIVE, &vip), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, vip, "EXP", 30, NULL), POINTS_OK);
	ck_assert_int_eq(tu_available(db, vip, "EXP"), -30);
	p = tu_posting("EXP", vip, 50);
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(points_lot_iterator_new(db, vip, "EXP", INT64_MAX,
	    &it), POINTS_OK);
	ck_assert_int_eq(points_lot_next(it, &lot), POINTS_OK);
	ck_assert_int_eq(lot.amount, 20);
	points_lot_iterator_free(it);
	ck_assert_int_eq(tu_spend(db, vip, "EXP", 20, NULL), POINTS_OK);
}
END_TEST

START_TEST(test_freeze_reaches_every_asset_balance)
{
	points_txn t;

	tu_earn(db, alice, "PTS", 10, NULL);
	tu_earn(db, alice, "EXP", 10, NULL);
	ck_assert_int_eq(points_account_freeze(db, alice), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, &t), POINTS_EFROZEN);
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 1, &t), POINTS_EFROZEN);
	/* a first posting in a new asset reads the account itself */
	ck_assert_int_eq(tu_earn(db, alice, "YE", 1, &t), POINTS_EFROZEN);
	ck_assert_int_eq(points_account_unfreeze(db, alice), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 1, &t), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, &t), POINTS_OK);
}
END_TEST

START_TEST(test_verify_finds_a_balance_that_disagrees_with_its_account)
{
	points_verify_report rep;
	points_store *s;
	unsigned char k[8];
	const void *v;
	size_t vl;
	unsigned char *copy;

	tu_earn(db, alice, "PTS", 10, NULL);
	ck_assert_int_eq(points_account_freeze(db, alice), POINTS_OK);
	/* put back the record from before the freeze said "active" */
	s = tu_store(db);
	/* the balance key: account << 16 | asset (PTS is asset 1) */
	points_codec__put_be64(k, (uint64_t)alice << 16 | 1);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->get(s, tu_keyspace(db, "bal"), k, 8, &v, &vl),
	    POINTS_OK);
	copy = malloc(vl);
	memcpy(copy, v, vl);
	ck_assert_int_eq(copy[1], POINTS_ACCOUNT_FROZEN);
	copy[1] = POINTS_ACCOUNT_ACTIVE;
	ck_assert_int_eq(s->put(s, tu_keyspace(db, "bal"), k, 8, copy,
	    vl), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(rep.message, "disagrees"));
	/* mend it, so that teardown's invariants hold */
	copy[1] = POINTS_ACCOUNT_FROZEN;
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, tu_keyspace(db, "bal"), k, 8, copy,
	    vl), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	free(copy);
}
END_TEST

/* A ledger made without a partition count gets its store's: its log in
 * 64 partitions on PostgreSQL, where processes write at once, and in one
 * elsewhere; the count stays what the ledger was made with. */
START_TEST(test_new_ledger_gets_its_store_default_partitions)
{
	unsigned saved = points_entry__partitions_new;
	size_t want = tu_backend_pg() ? 64 : 1, n = 0;
	const char *u;
	points_db *d;

	points_entry__partitions_new = 0; /* the library's own default */
	u = tu_uri("memory:");
	d = tu_open_bare(u);
	ck_assert_int_eq(points_chain_heads_get(d, NULL, 0, &n), POINTS_OK);
	ck_assert_uint_eq(n, want);
	points_close(d);
	points_entry__partitions_new = 3; /* a new ledger would get 3 */
	if (tu_backend_sqlite() || tu_backend_pg()) {
		d = tu_open_bare(u);
		ck_assert_int_eq(points_chain_heads_get(d, NULL, 0, &n),
		    POINTS_OK);
		ck_assert_uint_eq(n, want);
		points_close(d);
	}
	points_entry__partitions_new = saved;
}
END_TEST

static Suite *
ledger_suite(void)
{
	Suite *s = suite_create("ledger");
	TCase *tc = tcase_create("ledger");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_earn_credits_account_and_debits_issuer);
	tcase_add_test(tc, test_transaction_ids_are_unique_and_time_ordered);
	tcase_add_test(tc, test_spend_moves_points_to_sink);
	tcase_add_loop_test(tc, test_sink_and_expiry_cannot_go_negative, 0, 2);
	tcase_add_test(tc, test_system_payers_against_a_model);
	tcase_add_test(tc,
	    test_spend_beyond_available_is_insufficient_and_writes_nothing);
	tcase_add_test(tc, test_transfer_between_users_keeps_expiry);
	tcase_add_test(tc, test_transfer_errors);
	tcase_add_test(tc, test_adjust_needs_reason_and_moves_either_way);
	tcase_add_test(tc, test_bad_input_is_refused_with_einval);
	tcase_add_test(tc, test_balance_overflow_is_refused);
	tcase_add_test(tc, test_idempotent_retry_returns_first_result);
	tcase_add_test(tc, test_idempotency_key_with_other_request_conflicts);
	tcase_add_test(tc,
	    test_frozen_account_refuses_postings_but_not_adjustments);
	tcase_add_test(tc, test_closed_account_refuses_everything);
	tcase_add_test(tc, test_reverse_spend_restores_original_lots);
	tcase_add_test(tc, test_partial_reversals_return_latest_consumed_first);
	tcase_add_test(tc, test_reverse_earn_takes_points_back);
	tcase_add_test(tc, test_reverse_refuses_bad_targets);
	tcase_add_test(tc, test_reverse_is_idempotent_with_key);
	tcase_add_test(tc, test_txn_get_finds_transactions);
	tcase_add_test(tc, test_statement_both_orders_and_time_range);
	tcase_add_test(tc, test_statement_longer_than_a_chunk);
	tcase_add_test(tc, test_statement_errors);
	tcase_add_test(tc,
	    test_batch_groups_operations_and_skips_failed_checks);
	tcase_add_test(tc, test_batch_rollback_discards_everything);
	tcase_add_test(tc, test_system_account_with_budget_cannot_overspend);
	tcase_add_test(tc,
	    test_negative_allowed_account_repays_before_new_lots);
	tcase_add_test(tc, test_freeze_reaches_every_asset_balance);
	tcase_add_test(tc,
	    test_verify_finds_a_balance_that_disagrees_with_its_account);
	tcase_add_test(tc, test_new_ledger_gets_its_store_default_partitions);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(ledger_suite());
}
