/* check_ledger_refusals.c - postings the ledger refuses: times and
 * expiries out of range, adjustments that move nothing or between one
 * account and itself, amounts that would take a balance or a counter
 * past 64 bits; and a table of bad requests made to each of the four
 * postings (earn, spend, transfer, adjust).  Each with its code, a
 * message saying why, and nothing written (TU_FAILS). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "core/db.h"
#include "ledger/posting.h"

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

/* ---- Every refusal by every posting ---- */

/* The postings (the ledger's four), each a write of its own. */
static const struct {
	const char *name;
	int (*call)(points_db *, const points_posting *, points_txn *);
} ops[] = {
	{ "earn", points_earn },
	{ "spend", points_spend },
	{ "transfer", points_transfer },
	{ "adjust", points_adjust },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))

static char long_memo[POINTS_MEMO_MAX + 2];
static char long_category[POINTS_CATEGORY_MAX + 2];

/* A bad request: made from a good one by edit (op: ops' index), and
 * for each op the code and the words of its refusal (the words NULL:
 * the op takes it). */
#define ALL4(code, words) { code, code, code, code }, \
	{ words, words, words, words }
typedef struct refusal {
	const char *name;
	void (*edit)(points_posting *p, size_t op);
	int code[NOPS];
	const char *needle[NOPS];
} refusal;

/* An edit of one statement (op unused but by r_too_much). */
#define EDIT(name, stmt) static void \
	name(points_posting *p, size_t op) { (void)op; stmt; }

EDIT(r_amount_zero, p->amount = 0)
EDIT(r_amount_negative, p->amount = -5)
EDIT(r_time_negative, p->time = -1)
EDIT(r_expires_negative, p->expires_at = -1)
EDIT(r_expires_too_late, p->expires_at = INT64_MAX - 1)
EDIT(r_expires_before, p->time = TU_T0 - 10; p->expires_at = TU_T0 - 20)
EDIT(r_memo_long, p->memo = long_memo)
EDIT(r_category_bad, p->category = "Not Ok")
EDIT(r_category_long, p->category = long_category)
EDIT(r_actor_empty, p->actor = "")
EDIT(r_actor_control, p->actor = "hr\tdesk")
EDIT(r_no_memo, p->memo = NULL)
EDIT(r_asset_unknown, p->asset = "NOPE")
EDIT(r_account_unknown, p->account = 9999)
EDIT(r_counterparty_unknown, p->counterparty = 9999)
EDIT(r_self, p->counterparty = p->account)
EDIT(r_system_user, p->account = POINTS_ACCOUNT_SINK)
EDIT(r_too_much, p->amount = op == 3 ? -1000 : 1000)

static void
r_frozen(points_posting *p, size_t op)
{
	(void)op;
	ck_assert_int_eq(points_account_freeze(db, p->account), POINTS_OK);
}

static void
r_closed_counterparty(points_posting *p, size_t op)
{
	(void)op;
	ck_assert_int_eq(points_account_close(db, bob), POINTS_OK);
	p->counterparty = bob;
}

#define ZERO "amount must be positive (got 0)"
#define NEG "amount must be positive (got -5)"
#define TIMES "times must not be negative"
#define CATEGORY "category must be 1-32 characters of a-z 0-9 _ . - (or none)"
#define NOT_SYSTEM(ext) "account " ext " is not a system account"
#define FROZEN "account E1001 is frozen"
#define CLOSED "account E1002 is closed"
#define SHORT "account E1001: insufficient points: available 100, needs 1000"
static const refusal refusals[] = {
	{ "amount 0", r_amount_zero,
	  { POINTS_EINVAL, POINTS_EINVAL, POINTS_EINVAL, POINTS_EINVAL },
	  { ZERO, ZERO, ZERO, "adjustment amount must be non-zero" } },
	{ "amount -5", r_amount_negative,
	  { POINTS_EINVAL, POINTS_EINVAL, POINTS_EINVAL, POINTS_OK },
	  { NEG, NEG, NEG, NULL } },
	{ "time -1", r_time_negative, ALL4(POINTS_EINVAL, TIMES) },
	{ "expires_at -1", r_expires_negative, ALL4(POINTS_EINVAL, TIMES) },
	{ "expires_at past the last day", r_expires_too_late,
	  ALL4(POINTS_EINVAL, "expires_at 9223372036854775806 is past the "
	  "last second a lot can expire") },
	{ "expires_at before the time", r_expires_before,
	  ALL4(POINTS_EINVAL, "expires_at is before the posting time") },
	{ "a memo too long", r_memo_long,
	  ALL4(POINTS_EINVAL, "memo is too long (at most 256 bytes)") },
	{ "a category of other characters", r_category_bad,
	  ALL4(POINTS_EINVAL, CATEGORY) },
	{ "a category too long", r_category_long,
	  ALL4(POINTS_EINVAL, CATEGORY) },
	{ "an empty actor", r_actor_empty,
	  ALL4(POINTS_EINVAL, "actor is empty (leave it out for none)") },
	{ "an actor with a tab", r_actor_control,
	  ALL4(POINTS_EINVAL, "actor has a control character") },
	{ "no memo", r_no_memo,
	  { POINTS_OK, POINTS_OK, POINTS_OK, POINTS_EINVAL },
	  { NULL, NULL, NULL, "an adjustment needs a reason (memo)" } },
	{ "an unknown asset", r_asset_unknown,
	  ALL4(POINTS_ENOTFOUND, "asset NOPE not found") },
	{ "an unknown account", r_account_unknown,
	  ALL4(POINTS_ENOTFOUND, "account 9999 not found") },
	{ "an unknown counterparty", r_counterparty_unknown,
	  ALL4(POINTS_ENOTFOUND, "account 9999 not found") },
	{ "the account as its own counterparty", r_self,
	  { POINTS_EINVAL, POINTS_EINVAL, POINTS_EINVAL, POINTS_EINVAL },
	  { NOT_SYSTEM("E1001"), NOT_SYSTEM("E1001"),
	    "a transfer needs two different accounts",
	    "an adjustment needs two different accounts" } },
	{ "a system account as the user", r_system_user,
	  { POINTS_EINVAL, POINTS_EINVAL, POINTS_EINVAL, POINTS_OK },
	  { "account system:sink is a system account",
	    "account system:sink is a system account",
	    "account system:sink is a system account", NULL } },
	{ "more than the account has", r_too_much,
	  { POINTS_OK, POINTS_EINSUFFICIENT, POINTS_EINSUFFICIENT,
	    POINTS_EINSUFFICIENT }, { NULL, SHORT, SHORT, SHORT } },
	{ "a frozen account", r_frozen,
	  { POINTS_EFROZEN, POINTS_EFROZEN, POINTS_EFROZEN, POINTS_OK },
	  { FROZEN, FROZEN, FROZEN, NULL } },
	{ "a closed counterparty", r_closed_counterparty,
	  { POINTS_EINVAL, POINTS_EINVAL, POINTS_ECLOSED, POINTS_ECLOSED },
	  { NOT_SYSTEM("E1002"), NOT_SYSTEM("E1002"), CLOSED, CLOSED } },
};
#define NREFUSALS (sizeof(refusals) / sizeof(refusals[0]))

/* The same postings made inside another write, as the rules, the mall
 * and the activities make them (points_posting__within_data): their
 * checks are their own copies (inlined), refusing alike. */
static const points_write_op *const within_ops[] = {
	&points_posting__earn_op, &points_posting__spend_op,
	&points_posting__transfer_op, &points_posting__adjust_op,
};

static int
call_within(size_t op, const points_posting *p, points_txn *t)
{
	int64_t seq;
	int rc;

	if ((rc = points_db__write_begin(db)))
		return rc;
	rc = points_posting__within_data(db, within_ops[op], p, NULL, t, &seq);
	return points_db__write_end(db, rc);
}

/* _i: the refusal (_i / NOPS / 2) by the op (_i % NOPS), made as a
 * write of its own or (_i / NOPS odd) inside another */
START_TEST(test_every_posting_refuses)
{
	const refusal *r = &refusals[_i / NOPS / 2];
	size_t op = (size_t)_i % NOPS;
	int within = (_i / NOPS) % 2;
	points_posting p = tu_posting("PTS", alice, 10);
	points_txn t;
	int rc;

	memset(long_memo, 'm', sizeof(long_memo) - 1);
	memset(long_category, 'c', sizeof(long_category) - 1);
	p.memo = "why";
	if (op == 2)
		p.counterparty = bob;
	r->edit(&p, op);
	tu_snap(db);
	rc = within ? call_within(op, &p, &t) : ops[op].call(db, &p, &t);
	ck_assert_msg(rc == r->code[op], "%s%s with %s: %d (%s), not %d",
	    ops[op].name, within ? " within" : "", r->name, rc,
	    points_errmsg(db), r->code[op]);
	if (rc == POINTS_OK) {
		tu_snap_free();
		return;
	}
	ck_assert_int_eq(points_errcode(db), rc);
	ck_assert_msg(strstr(points_errmsg(db), r->needle[op]) != NULL,
	    "%s with %s: \"%s\" does not say \"%s\"", ops[op].name, r->name,
	    points_errmsg(db), r->needle[op]);
	tu_unchanged(db);
	tu_snap_free();
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
	tcase_add_loop_test(tc, test_every_posting_refuses, 0,
	    NREFUSALS * NOPS * 2);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(suite());
}
