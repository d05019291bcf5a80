/* check_capcount.c - where the rules' cap counters live: in the record
 * of the balance the award credits (module data, core/balance.h), so
 * that an event dirties no page of their own.  Every write of a balance
 * keeps them; a ledger of the rules' format 1 kept them per account in
 * "rulecap", which is still read.  On memory and SQLite (_i). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "util/codec.h"

static points_db *db;
static int64_t alice, bob;
static uint32_t pts_id;

static void
open_ledger(int i)
{
	points_asset_rec ar;

	tu_now = TU_T0 + 10 * 3600;
	db = tu_open(i ? tu_sqlite_uri() : TU_MEMORY);
	alice = tu_account(db, "E1");
	bob = tu_account(db, "E2");
	ck_assert_int_eq(points_db__read_begin(db), POINTS_OK);
	ck_assert_int_eq(points_asset__find(db, "PTS", &ar), POINTS_OK);
	points_db__read_end(db);
	pts_id = ar.id;
}

static void
teardown(void)
{
	if (db)
		tu_invariants(db);
	points_close(db);
	db = NULL;
	tu_cleanup();
}

/* 60 points a purchase, at most 100 a day (rule number 1). */
static void
save_capped(unsigned flags)
{
	points_rule_def d = POINTS_RULE_DEF_INIT;
	points_rule r;

	d.name = "shop";
	d.event_type = "purchase";
	d.points = "60";
	d.asset = "PTS";
	d.state = POINTS_RULE_ACTIVE;
	d.flags = flags;
	d.cap_day = 100;
	d.author = "admin";
	ck_assert_msg(points_rule_save(db, &d, &r) == POINTS_OK, "%s",
	    points_errmsg(db));
}

/* The points the rule gave event id of account, with the outcome's
 * status in *status. */
static int64_t
purchase(const char *id, int64_t account, const char *actor, int *status)
{
	points_event e = POINTS_EVENT_INIT;
	points_event_result *res;
	points_rule_outcome o;

	e.id = id;
	e.type = "purchase";
	e.account = account;
	e.actor = actor;
	ck_assert_msg(points_event_apply(db, &e, &res) == POINTS_OK, "%s: %s",
	    id, points_errmsg(db));
	ck_assert_int_eq(points_event_result_outcome(res, 0, &o), POINTS_OK);
	points_event_result_free(res);
	if (status)
		*status = o.status;
	return o.points;
}

/* The bytes of the rule counters in account's balance of PTS (0: none). */
static size_t
counters_in_balance(int64_t account)
{
	const void *p;
	size_t n = 0;
	int rc;

	ck_assert_int_eq(points_db__read_begin(db), POINTS_OK);
	rc = points_balance__data_peek(db, account, pts_id,
	    POINTS_BALANCE_DATA_RULE_CAPS, &p, &n);
	points_db__read_end(db);
	ck_assert(rc == POINTS_OK || rc == POINTS_ENOTFOUND);
	return rc == POINTS_OK ? n : 0;
}

/* Whether "rulecap" (format 1's counters) holds a record. */
static int
rulecap_used(void)
{
	points_store *st = tu_store(db);
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	int rc;

	ck_assert_int_eq(st->begin(st, 0), POINTS_OK);
	ck_assert_int_eq(st->cursor_open(st, tu_keyspace(db, "rulecap"), NULL,
	    0, NULL, 0, 0, &c), POINTS_OK);
	rc = st->cursor_next(st, c, &k, &kl, &v, &vl);
	st->cursor_close(st, c);
	st->rollback(st);
	return rc == POINTS_OK;
}

START_TEST(test_counters_live_in_the_balance)
{
	open_ledger(_i);
	save_capped(0);
	ck_assert_int_eq(purchase("p1", alice, NULL, NULL), 60);
	ck_assert_uint_gt(counters_in_balance(alice), 0);
	ck_assert_uint_eq(counters_in_balance(bob), 0);
	ck_assert(!rulecap_used());
	ck_assert_int_eq(purchase("p2", alice, NULL, NULL), 40);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 100);
	/* the next day counts afresh */
	tu_now += TU_DAY;
	ck_assert_int_eq(purchase("p3", alice, NULL, NULL), 60);
}
END_TEST

/* Every other write of the balance keeps the counters: a spend, an
 * earn, a freeze and unfreeze (which restamp the record), a hold. */
START_TEST(test_other_writes_keep_the_counters)
{
	points_posting p = POINTS_POSTING_INIT;
	points_txn h;
	int status;

	open_ledger(_i);
	save_capped(0);
	ck_assert_int_eq(purchase("p1", alice, NULL, NULL), 60);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_OK);
	ck_assert_int_eq(points_account_freeze(db, alice), POINTS_OK);
	ck_assert_int_eq(points_account_unfreeze(db, alice), POINTS_OK);
	p.asset = "PTS";
	p.account = alice;
	p.amount = 3;
	ck_assert_int_eq(points_hold_create(db, &p, &h), POINTS_OK);
	ck_assert_int_eq(purchase("p2", alice, NULL, NULL), 40);
	ck_assert_int_eq(purchase("p3", alice, NULL, &status), 0);
	ck_assert_int_eq(status, POINTS_OUTCOME_CAPPED);
}
END_TEST

/* A ledger of format 1: bob's counters in "rulecap" say 90 of today's
 * 100 are used.  His first event reads them (10 left), and from then on
 * his balance keeps them. */
START_TEST(test_format_1_counters_are_read)
{
	points_store *st;
	points_buf b;
	unsigned char k[8];
	int status;

	open_ledger(_i);
	save_capped(0);
	points_buf__init(&b);
	points_buf__u8(&b, 2);      /* CAP_V2 */
	points_buf__uvar(&b, 1);    /* one rule */
	points_buf__uvar(&b, 1);    /* rule number 1 */
	points_buf__u8(&b, 1);      /* the day's figure only */
	points_buf__svar(&b, points_db__day(db, tu_now));
	points_buf__svar(&b, 90);
	points_buf__u8(&b, 0);      /* no period before */
	ck_assert(!b.err);
	points_codec__put_be64(k, (uint64_t)bob);
	st = tu_store(db);
	ck_assert_int_eq(st->begin(st, 1), POINTS_OK);
	ck_assert_int_eq(st->put(st, tu_keyspace(db, "rulecap"), k, 8, b.data,
	    b.len), POINTS_OK);
	ck_assert_int_eq(st->commit(st), POINTS_OK);
	points_buf__free(&b);

	ck_assert_int_eq(purchase("b1", bob, NULL, NULL), 10);
	ck_assert_uint_gt(counters_in_balance(bob), 0);
	ck_assert_int_eq(purchase("b2", bob, NULL, &status), 0);
	ck_assert_int_eq(status, POINTS_OUTCOME_CAPPED);
	/* alice had none there: the whole cap */
	ck_assert_int_eq(purchase("a1", alice, NULL, NULL), 60);
	ck_assert_int_eq(purchase("a2", alice, NULL, NULL), 40);
}
END_TEST

/* An award waiting for approval counts against the cap before anything
 * is posted: its counters make a balance record of nothing else, which
 * points_verify accepts (tu_invariants). */
START_TEST(test_nomination_counts_before_any_entry)
{
	int status;

	open_ledger(_i);
	save_capped(POINTS_RULE_APPROVAL);
	ck_assert_int_eq(purchase("n1", bob, "manager", &status), 60);
	ck_assert_int_eq(status, POINTS_OUTCOME_APPROVAL);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 0);
	ck_assert_uint_gt(counters_in_balance(bob), 0);
	ck_assert_int_eq(purchase("n2", bob, "manager", &status), 40);
	ck_assert_int_eq(status, POINTS_OUTCOME_APPROVAL);
	tu_invariants(db);
}
END_TEST

/* Damage in the counters is an error naming the account, not a crash. */
START_TEST(test_damaged_counters_are_an_error)
{
	points_event e = POINTS_EVENT_INIT;
	points_event_result *res = NULL;
	points_balance_rec bal;

	open_ledger(_i);
	save_capped(0);
	ck_assert_int_eq(purchase("p1", alice, NULL, NULL), 60);
	ck_assert_int_eq(points_db__write_begin(db), POINTS_OK);
	points_balance__init(&bal, alice, pts_id, 0);
	ck_assert_int_eq(points_balance__load(db, &bal), POINTS_OK);
	ck_assert_int_eq(points_balance__data_set(db, &bal,
	    POINTS_BALANCE_DATA_RULE_CAPS, "\x07\x01", 2), POINTS_OK);
	ck_assert_int_eq(points_balance__store(db, &bal, 0), POINTS_OK);
	points_balance__free(&bal);
	ck_assert_int_eq(points_db__write_end(db, POINTS_OK), POINTS_OK);
	e.id = "p2";
	e.type = "purchase";
	e.account = alice;
	ck_assert_int_eq(points_event_apply(db, &e, &res), POINTS_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "counters unreadable"));
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 60);
	points_close(db); /* damaged on purpose: no invariants */
	db = NULL;
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("capcount");
	TCase *tc = tcase_create("capcount");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_counters_live_in_the_balance, 0, 2);
	tcase_add_loop_test(tc, test_other_writes_keep_the_counters, 0, 2);
	tcase_add_loop_test(tc, test_format_1_counters_are_read, 0, 2);
	tcase_add_loop_test(tc, test_nomination_counts_before_any_entry, 0, 2);
	tcase_add_loop_test(tc, test_damaged_counters_are_an_error, 0, 2);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
