/* check_forfeit.c - leavers: points_account_forfeit releases the open
 * holds, moves what is left to the forfeiture account, writes debts off
 * and closes the account, in one transaction; idempotent by key;
 * refusals change nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static points_db *db;
static int64_t alice, bob, pool;

static void
setup(void)
{
	tu_now = TU_T0;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	ck_assert_int_eq(points_account_create(db, "system:forfeit",
	    "Forfeited points", POINTS_ACCOUNT_SYSTEM, &pool), POINTS_OK);
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
forfeit(int64_t account, int64_t to, const char *key,
    points_forfeit_report *out)
{
	points_forfeit f = POINTS_FORFEIT_INIT;

	f.account = account;
	f.to = to;
	f.memo = key ? "left the company" : NULL;
	f.idempotency_key = key;
	return points_account_forfeit(db, &f, out);
}

static int
status(int64_t account)
{
	points_account a;

	ck_assert_int_eq(points_account_get(db, account, &a), POINTS_OK);
	return a.status;
}

/* The newest statement entries of account in asset, at most max. */
static int
entries(int64_t account, const char *asset, points_entry *v, int max)
{
	points_statement_iterator *it;
	points_entry e;
	int n = 0;

	ck_assert_int_eq(points_statement_iterator_new(db, account, asset, 0,
	    0, POINTS_NEWEST_FIRST, &it), POINTS_OK);
	while (n < max && points_statement_next(it, &e) == POINTS_OK)
		v[n++] = e;
	points_statement_iterator_free(it);
	return n;
}

START_TEST(test_forfeit_moves_points_releases_holds_and_closes)
{
	points_posting p = tu_posting("EXP", alice, 30);
	points_forfeit_report r;
	points_txn h;
	points_hold hold;
	points_entry v[4];
	points_balance b;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 80, NULL), POINTS_OK);
	ck_assert_int_eq(points_hold_create(db, &p, &h), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 5, NULL), POINTS_OK);
	tu_now += TU_DAY;
	ck_assert_int_eq(forfeit(alice, 0, NULL, &r), POINTS_OK);
	ck_assert_int_eq(r.account, alice);
	ck_assert_int_eq(r.holds, 1);
	ck_assert_int_eq(r.forfeited, 2);
	ck_assert_int_eq(r.written_off, 0);
	ck_assert_int_eq(r.time, tu_now);
	ck_assert_int_eq(r.replayed, 0);
	/* a release and two forfeitures */
	ck_assert_int_eq(r.last_seq - r.first_seq, 2);
	ck_assert_int_eq(status(alice), POINTS_ACCOUNT_CLOSED);
	ck_assert_int_eq(points_hold_get(db, h.id, &hold), POINTS_OK);
	ck_assert_int_eq(hold.state, POINTS_HOLD_RELEASED);
	/* the expiry account (the default) has them */
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "PTS"), 100);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"), 80);
	b = bal(alice, "EXP");
	ck_assert_int_eq(b.available, 0);
	ck_assert_int_eq(b.held, 0);
	ck_assert_int_eq(b.spent, 80);
	ck_assert_int_eq(b.expired, 0);
	ck_assert_int_eq(entries(alice, "EXP", v, 4), 4);
	ck_assert_int_eq(v[0].type, POINTS_TXN_FORFEIT);
	ck_assert_int_eq(v[0].amount, -80);
	ck_assert_int_eq(v[0].counterparty, POINTS_ACCOUNT_EXPIRY);
	ck_assert_str_eq(v[0].memo, "forfeited");
	ck_assert_int_eq(v[1].type, POINTS_TXN_RELEASE);
	ck_assert_int_eq(v[1].amount, 30);
	/* nothing is left to expire: the lots went with the points */
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_ECLOSED);
	/* bob is untouched */
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 5);
}
END_TEST

/* Points past their expiry are not the leaver's to forfeit: they expire
 * first (an EXPIRE entry, counted in expired), and only what is still
 * valid moves to the forfeiture account. */
START_TEST(test_forfeit_expires_past_due_points_first)
{
	points_posting p = tu_posting("EXP", alice, 70);
	points_forfeit_report r;
	points_entry v[4];
	points_balance b;
	points_txn t;

	p.expires_at = TU_T0 + 10 * TU_DAY;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 30, NULL), POINTS_OK);
	tu_now += 20 * TU_DAY; /* the 70 are past due; no sweep ran */
	ck_assert_int_eq(bal(alice, "EXP").available, 30);
	ck_assert_int_eq(forfeit(alice, pool, NULL, &r), POINTS_OK);
	ck_assert_int_eq(r.forfeited, 1);
	b = bal(alice, "EXP");
	ck_assert_int_eq(b.available, 0);
	ck_assert_int_eq(b.expired, 70);
	ck_assert_int_eq(b.spent, 30);
	ck_assert_int_eq(tu_available(db, pool, "EXP"), 30);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"), 70);
	ck_assert_int_eq(entries(alice, "EXP", v, 4), 4);
	ck_assert_int_eq(v[0].type, POINTS_TXN_FORFEIT);
	ck_assert_int_eq(v[0].amount, -30);
	ck_assert_int_eq(v[1].type, POINTS_TXN_EXPIRE);
	ck_assert_int_eq(v[1].amount, -70);
	ck_assert_int_eq(r.first_seq, v[1].seq);
	ck_assert_int_eq(r.last_seq, v[0].seq);
	ck_assert_int_eq(status(alice), POINTS_ACCOUNT_CLOSED);
}
END_TEST

START_TEST(test_forfeit_into_a_host_account)
{
	points_forfeit_report r;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 70, NULL), POINTS_OK);
	ck_assert_int_eq(forfeit(alice, pool, "leaver-1", &r), POINTS_OK);
	ck_assert_int_eq(tu_available(db, pool, "PTS"), 70);
	ck_assert_int_eq(bal(pool, "PTS").earned, 70);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "PTS"), 0);
}
END_TEST

/* The earn-spend-refund member leaves: the debt is written off by the
 * issuer, and the counters end as if only what was there was taken. */
START_TEST(test_forfeit_writes_a_debt_off)
{
	points_reversal rv = POINTS_REVERSAL_INIT;
	points_forfeit_report r;
	points_entry v[2];
	points_txn e, t;
	points_balance b;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 300, &e), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 250, NULL), POINTS_OK);
	rv.txn_id = e.id;
	ck_assert_int_eq(points_reverse(db, &rv, &t), POINTS_OK);
	ck_assert_int_eq(bal(alice, "PTS").debt, 250);
	/* an ordinary close refuses */
	TU_FAILS(db, points_account_close(db, alice), POINTS_ESTATE);
	ck_assert_int_eq(forfeit(alice, 0, NULL, &r), POINTS_OK);
	ck_assert_int_eq(r.forfeited, 0);
	ck_assert_int_eq(r.written_off, 1);
	b = bal(alice, "PTS");
	ck_assert_int_eq(b.available, 0);
	ck_assert_int_eq(b.debt, 0);
	ck_assert_int_eq(b.earned, 250);
	ck_assert_int_eq(b.spent, 250);
	/* the issuer gave back what the refund took on credit */
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_ISSUER, "PTS"), -250);
	ck_assert_int_eq(entries(alice, "PTS", v, 2), 2);
	ck_assert_int_eq(v[0].type, POINTS_TXN_FORFEIT);
	ck_assert_int_eq(v[0].counterparty, POINTS_ACCOUNT_ISSUER);
	ck_assert_int_eq(v[0].amount, 0);
	ck_assert_int_eq(v[0].debt, -250);
	ck_assert_str_eq(v[0].memo, "debt written off");
	ck_assert_int_eq(status(alice), POINTS_ACCOUNT_CLOSED);
}
END_TEST

/* A hold's release repays a debt first; what is left is forfeited. */
START_TEST(test_forfeit_release_repays_before_forfeiting)
{
	points_posting p = tu_posting("PTS", alice, 100);
	points_reversal rv = POINTS_REVERSAL_INIT;
	points_forfeit_report r;
	points_txn e, h, t;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 200, &e), POINTS_OK);
	ck_assert_int_eq(points_hold_create(db, &p, &h), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 100, NULL), POINTS_OK);
	/* refund 150 of the earn: nothing available, owes 150 */
	rv.txn_id = e.id;
	rv.amount = 150;
	ck_assert_int_eq(points_reverse(db, &rv, &t), POINTS_OK);
	ck_assert_int_eq(t.debt, 150);
	ck_assert_int_eq(forfeit(alice, 0, NULL, &r), POINTS_OK);
	/* the release of 100 repaid 100; 50 written off */
	ck_assert_int_eq(r.holds, 1);
	ck_assert_int_eq(r.forfeited, 0);
	ck_assert_int_eq(r.written_off, 1);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "PTS"), 0);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_ISSUER, "PTS"), -100);
}
END_TEST

/* An account allowed to go negative: what it is below zero is written
 * off the same way. */
START_TEST(test_forfeit_writes_a_negative_balance_off)
{
	points_forfeit_report r;
	int64_t vip;

	ck_assert_int_eq(points_account_create(db, "VIP1", NULL,
	    POINTS_ACCOUNT_ALLOW_NEGATIVE, &vip), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, vip, "PTS", 40, NULL), POINTS_OK);
	ck_assert_int_eq(forfeit(vip, 0, NULL, &r), POINTS_OK);
	ck_assert_int_eq(r.written_off, 1);
	ck_assert_int_eq(bal(vip, "PTS").available, 0);
	ck_assert_int_eq(status(vip), POINTS_ACCOUNT_CLOSED);
}
END_TEST

START_TEST(test_forfeit_of_an_empty_account_just_closes)
{
	points_forfeit_report r, again;

	ck_assert_int_eq(forfeit(alice, 0, "leaver-alice", &r), POINTS_OK);
	ck_assert_int_eq(r.first_seq, 0);
	ck_assert_int_eq(r.last_seq, 0);
	ck_assert_int_eq(status(alice), POINTS_ACCOUNT_CLOSED);
	tu_now += 60;
	tu_snap(db);
	ck_assert_int_eq(forfeit(alice, 0, "leaver-alice", &again),
	    POINTS_OK);
	tu_unchanged(db);
	ck_assert_int_eq(again.replayed, 1);
	ck_assert_int_eq(again.account, alice);
	ck_assert_int_eq(again.time, r.time);
}
END_TEST

START_TEST(test_forfeit_replays_and_conflicts_by_key)
{
	points_forfeit f = POINTS_FORFEIT_INIT;
	points_forfeit_report r, again;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(forfeit(alice, 0, "leaver-1", &r), POINTS_OK);
	tu_now += 60;
	tu_snap(db);
	ck_assert_int_eq(forfeit(alice, 0, "leaver-1", &again), POINTS_OK);
	tu_unchanged(db);
	ck_assert_int_eq(again.replayed, 1);
	ck_assert_int_eq(again.account, alice);
	ck_assert_int_eq(again.forfeited, 1);
	ck_assert_int_eq(again.first_seq, r.first_seq);
	ck_assert_int_eq(again.last_seq, r.last_seq);
	ck_assert_int_eq(again.time, r.time);
	/* without the key: the account is closed */
	TU_FAILS(db, forfeit(alice, 0, NULL, &again), POINTS_ECLOSED);
	/* the same key for another request */
	f.account = alice;
	f.memo = "another reason";
	f.idempotency_key = "leaver-1";
	TU_FAILS(db, points_account_forfeit(db, &f, &again),
	    POINTS_ECONFLICT);
	f.memo = "left the company";
	f.to = pool;
	TU_FAILS(db, points_account_forfeit(db, &f, &again),
	    POINTS_ECONFLICT);
	f.to = 0;
	f.account = bob;
	TU_FAILS(db, points_account_forfeit(db, &f, &again),
	    POINTS_ECONFLICT);
	ck_assert_int_eq(status(bob), POINTS_ACCOUNT_ACTIVE);
}
END_TEST

START_TEST(test_forfeit_refusals_change_nothing)
{
	points_forfeit f = POINTS_FORFEIT_INIT;
	points_forfeit_report r;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	TU_FAILS(db, forfeit(0, 0, NULL, &r), POINTS_EINVAL);
	TU_FAILS(db, forfeit(-3, 0, NULL, &r), POINTS_EINVAL);
	TU_FAILS(db, forfeit(9999, 0, NULL, &r), POINTS_ENOTFOUND);
	TU_FAILS(db, forfeit(POINTS_ACCOUNT_SINK, 0, NULL, &r), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "system account"));
	TU_FAILS(db, forfeit(alice, bob, NULL, &r), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "E1002"));
	TU_FAILS(db, forfeit(alice, alice, NULL, &r), POINTS_EINVAL);
	TU_FAILS(db, forfeit(alice, 9999, NULL, &r), POINTS_EINVAL);
	TU_FAILS(db, forfeit(alice, -1, NULL, &r), POINTS_EINVAL);
	f.account = alice;
	f.category = "Not A Category";
	TU_FAILS(db, points_account_forfeit(db, &f, &r), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "forfeit"));
	f.category = NULL;
	f.actor = "";
	TU_FAILS(db, points_account_forfeit(db, &f, &r), POINTS_EINVAL);
	f.actor = NULL;
	f.version = 2;
	TU_FAILS(db, points_account_forfeit(db, &f, &r), POINTS_EVERSION);
	TU_FAILS(db, points_account_forfeit(db, NULL, &r), POINTS_EINVAL);
	f.version = POINTS_FORFEIT_VERSION;
	TU_FAILS(db, points_account_forfeit(db, &f, NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_forfeit_init(NULL, 1), POINTS_EINVAL);
	ck_assert_int_eq(points_forfeit_init(&f, 0), POINTS_EVERSION);
	ck_assert_int_eq(points_forfeit_init(&f, 1), POINTS_OK);
	ck_assert_int_eq(status(alice), POINTS_ACCOUNT_ACTIVE);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 10);
}
END_TEST

START_TEST(test_frozen_leaver_can_be_forfeited)
{
	points_forfeit_report r;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(points_account_freeze(db, alice), POINTS_OK);
	ck_assert_int_eq(forfeit(alice, 0, NULL, &r), POINTS_OK);
	ck_assert_int_eq(status(alice), POINTS_ACCOUNT_CLOSED);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "PTS"), 10);
}
END_TEST

/* Many holds, some settled, over a long history: the walk finds the
 * open ones. */
START_TEST(test_forfeit_finds_every_open_hold)
{
	points_forfeit_report r;
	char ids[12][POINTS_ID_LEN + 1];
	points_hold h;
	int i;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1000, NULL), POINTS_OK);
	for (i = 0; i < 12; i++) {
		points_posting p = tu_posting("PTS", alice, 10 + i);
		points_txn t;

		ck_assert_int_eq(points_hold_create(db, &p, &t), POINTS_OK);
		strcpy(ids[i], t.id);
		ck_assert_int_eq(tu_spend(db, alice, "PTS", 1, NULL),
		    POINTS_OK);
	}
	/* settle every third */
	for (i = 0; i < 12; i += 3) {
		points_txn t;

		ck_assert_int_eq(tu_capture(db, ids[i], 0, 0, NULL, &t),
		    POINTS_OK);
	}
	ck_assert_int_eq(forfeit(alice, 0, NULL, &r), POINTS_OK);
	ck_assert_int_eq(r.holds, 8);
	for (i = 0; i < 12; i++) {
		ck_assert_int_eq(points_hold_get(db, ids[i], &h), POINTS_OK);
		ck_assert_int_eq(h.state, i % 3 ? POINTS_HOLD_RELEASED :
		    POINTS_HOLD_CAPTURED);
	}
}
END_TEST

/* Category and actor go on every entry the forfeiture writes; the actor
 * and the memo (the reason) go with the closing into the history. */
START_TEST(test_forfeit_keeps_category_and_actor)
{
	points_posting p = tu_posting("PTS", alice, 10);
	points_forfeit f = POINTS_FORFEIT_INIT;
	points_forfeit_report r;
	points_account_history_iterator *it;
	points_account_change c, last;
	points_entry v[3];
	points_txn h;
	int n = 0;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 40, NULL), POINTS_OK);
	ck_assert_int_eq(points_hold_create(db, &p, &h), POINTS_OK);
	f.account = alice;
	f.memo = "left";
	f.category = "leaver";
	f.actor = "hr";
	ck_assert_int_eq(points_account_forfeit(db, &f, &r), POINTS_OK);
	ck_assert_int_eq(entries(alice, "PTS", v, 3), 3);
	ck_assert_int_eq(v[0].type, POINTS_TXN_FORFEIT);
	ck_assert_str_eq(v[0].category, "leaver");
	ck_assert_str_eq(v[0].actor, "hr");
	ck_assert_int_eq(v[1].type, POINTS_TXN_RELEASE);
	ck_assert_str_eq(v[1].category, "leaver");
	ck_assert_str_eq(v[1].actor, "hr");
	ck_assert_str_eq(v[2].category, "");
	ck_assert_int_eq(points_account_history_iterator_new(db, alice, &it),
	    POINTS_OK);
	while (points_account_history_next(it, &c) == POINTS_OK) {
		last = c;
		n++;
	}
	points_account_history_iterator_free(it);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(last.field, POINTS_CHANGE_STATUS);
	ck_assert_str_eq(last.new_value, "closed");
	ck_assert_str_eq(last.actor, "hr");
	ck_assert_str_eq(last.reason, "left");
	/* they are part of the request: another actor under the key conflicts */
	f.idempotency_key = "k";
	f.account = bob;
	ck_assert_int_eq(points_account_forfeit(db, &f, &r), POINTS_OK);
	f.actor = "someone-else";
	TU_FAILS(db, points_account_forfeit(db, &f, &r), POINTS_ECONFLICT);
}
END_TEST

START_TEST(test_forfeit_in_a_batch)
{
	points_forfeit_report r;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 20, NULL), POINTS_OK);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(forfeit(alice, 0, NULL, &r), POINTS_OK);
	ck_assert_int_eq(forfeit(alice, 0, NULL, &r), POINTS_ECLOSED);
	ck_assert_int_eq(forfeit(bob, 0, NULL, &r), POINTS_OK);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "PTS"), 30);
}
END_TEST

Suite *
forfeit_suite(void)
{
	Suite *s = suite_create("forfeit");
	TCase *tc = tcase_create("forfeit");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_forfeit_moves_points_releases_holds_and_closes);
	tcase_add_test(tc, test_forfeit_expires_past_due_points_first);
	tcase_add_test(tc, test_forfeit_into_a_host_account);
	tcase_add_test(tc, test_forfeit_writes_a_debt_off);
	tcase_add_test(tc, test_forfeit_release_repays_before_forfeiting);
	tcase_add_test(tc, test_forfeit_writes_a_negative_balance_off);
	tcase_add_test(tc, test_forfeit_of_an_empty_account_just_closes);
	tcase_add_test(tc, test_forfeit_replays_and_conflicts_by_key);
	tcase_add_test(tc, test_forfeit_refusals_change_nothing);
	tcase_add_test(tc, test_frozen_leaver_can_be_forfeited);
	tcase_add_test(tc, test_forfeit_finds_every_open_hold);
	tcase_add_test(tc, test_forfeit_in_a_batch);
	tcase_add_test(tc, test_forfeit_keeps_category_and_actor);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(forfeit_suite());
}
