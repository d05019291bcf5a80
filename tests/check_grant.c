/* check_grant.c - scheduled grants (points_grant_run(3)): a monthly
 * allowance by grade and a yearly one by tenure with their numbers, once
 * a period however often they run, paid again the next period, from a
 * pool that runs dry, frozen and closed accounts skipped, a run that
 * fails between chunks finished by a rerun, bad input, versions and
 * states, and a seeded random run against a model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "ledger/entry.h"
#include "rules/grant.h"
#include "util/codec.h"

static points_db *db;
static int64_t alice, bob, carol, dave;

static int64_t
clock_fn(void *ctx)
{
	(void)ctx;
	return tu_now;
}

static void
setup(void)
{
	/* 2024-01-01 10:00 */
	tu_now = TU_T0 + 10 * 3600;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	carol = tu_account(db, "E1003");
	dave = tu_account(db, "E1004");
	points_grant__chunk = POINTS_GRANT_CHUNK;
}

static void
teardown(void)
{
	points_grant__chunk = POINTS_GRANT_CHUNK;
	if (db)
		tu_invariants(db);
	points_close(db);
	db = NULL;
	tu_cleanup();
}

static void
save(points_grant_def *d)
{
	points_grant g;

	ck_assert_msg(points_grant_save(db, d, &g) == POINTS_OK, "%s",
	    points_errmsg(db));
}

static void
set_tier(int64_t id, const char *tier)
{
	ck_assert_int_eq(points_account_update(db, id, NULL, tier, NULL),
	    POINTS_OK);
}

/* A ledger whose log is in 4 partitions (ledger/entry.h), whatever
 * POINTS_TEST_PARTITIONS says: alice, bob, carol and dave (consecutive
 * ids) have their entries in four different partitions. */
static unsigned parts_before;

static void
setup_parts(void)
{
	parts_before = points_entry__partitions_new;
	points_entry__partitions_new = 4;
	setup();
}

static void
teardown_parts(void)
{
	teardown();
	points_entry__partitions_new = parts_before;
}

/* The welfare allowance: 300 a month for grade gold, 200 for silver,
 * 100 for everyone else on the payroll (attribute payroll=yes). */
static void
welfare(void)
{
	points_grant_def d = POINTS_GRANT_DEF_INIT;

	d.name = "welfare";
	d.asset = "PTS";
	d.period = POINTS_GRANT_MONTHLY;
	d.condition = "has(account.attrs.payroll)";
	d.points = "account.tier == 'gold' ? 300 : "
	    "account.tier == 'silver' ? 200 : 100";
	d.state = POINTS_RULE_ACTIVE;
	d.author = "hr";
	d.reason = "the 2024 welfare policy";
	save(&d);
}

static points_grant_report
run(const char *name, int64_t as_of, int expect)
{
	points_grant_report r;

	memset(&r, 0xee, sizeof(r));
	ck_assert_msg(points_grant_run(db, name, as_of, &r) == expect,
	    "%s: %s", name, points_errmsg(db));
	return r;
}

START_TEST(test_monthly_allowance_by_grade)
{
	points_grant_report r;
	points_grant_award w;
	points_statement_iterator *it;
	points_entry ln;
	points_txn t;
	int64_t i;
	char msg[96];

	set_tier(alice, "gold");
	set_tier(bob, "silver");
	for (i = alice; i <= carol; i++)
		ck_assert_int_eq(points_account_attr_set(db, i, "payroll",
		    "yes"), POINTS_OK);
	welfare();
	r = run("welfare", 0, POINTS_OK);
	ck_assert_int_eq(r.grants, 1);
	ck_assert_int_eq(r.period_start, TU_T0);
	ck_assert_int_eq(r.period_end, TU_T0 + 31 * TU_DAY);
	ck_assert_int_eq(r.accounts, 4);
	ck_assert_int_eq(r.granted, 3);
	ck_assert_int_eq(r.points, 600);
	ck_assert_int_eq(r.condition, 1); /* dave is not on the payroll */
	ck_assert_int_eq(r.already + r.zero + r.inactive + r.errors +
	    r.unpaid + r.unpaid_points, 0);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 300);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 200);
	ck_assert_int_eq(tu_available(db, carol, "PTS"), 100);
	ck_assert_int_eq(tu_available(db, dave, "PTS"), 0);
	/* the award, its posting: category allowance, memo naming it */
	ck_assert_int_eq(points_grant_award_get(db, "welfare", TU_T0 +
	    20 * TU_DAY, bob, &w), POINTS_OK);
	ck_assert_str_eq(w.grant, "welfare");
	ck_assert_int_eq(w.version, 1);
	ck_assert_int_eq(w.points, 200);
	ck_assert_int_eq(w.account, bob);
	ck_assert_int_eq(w.period_start, TU_T0);
	ck_assert_int_eq(w.time, tu_now);
	ck_assert_int_eq(points_txn_get(db, w.txn_id, &t), POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_EARN);
	ck_assert_int_eq(t.amount, 200);
	ck_assert_int_eq(t.from, POINTS_ACCOUNT_ISSUER);
	ck_assert_str_eq(t.category, "allowance");
	ck_assert_str_eq(t.memo, "grant welfare v1: 2024-01");
	ck_assert_str_eq(t.actor, "hr");
	ck_assert_int_eq(points_grant_award_get(db, "welfare", 0, dave, &w),
	    POINTS_ENOTFOUND);
	snprintf(msg, sizeof(msg), "grant 'welfare': account %lld was not "
	    "paid for 2024-01", (long long)dave);
	ck_assert_str_eq(points_errmsg(db), msg);
	/* the statement shows one credit for alice */
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", 0, 0,
	    POINTS_OLDEST_FIRST, &it), POINTS_OK);
	ck_assert_int_eq(points_statement_next(it, &ln), POINTS_OK);
	ck_assert_int_eq(ln.amount, 300);
	ck_assert_int_eq(points_statement_next(it, &ln), POINTS_ITEROVER);
	points_statement_iterator_free(it);
}
END_TEST

/* A grant's expires_days: what it paid expires that many days after the
 * run (not at the end of the period), at the end of that day as every
 * lot: valid to its last second, gone the next. */
START_TEST(test_award_expires_days_after_the_run)
{
	points_grant_def d = POINTS_GRANT_DEF_INIT;
	points_grant_report r;

	d.name = "gift";
	d.asset = "PTS";
	d.period = POINTS_GRANT_YEARLY;
	d.points = "100";
	d.expires_days = 30;
	d.state = POINTS_RULE_ACTIVE;
	d.author = "hr";
	save(&d);
	tu_now += 5 * TU_DAY;
	r = run("gift", 0, POINTS_OK);
	ck_assert_int_eq(r.granted, 4);
	ck_assert_int_eq(r.points, 400);
	/* run on January 6th, 10:00: valid through February 5th */
	tu_now = TU_T0 + 36 * TU_DAY - 1;
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 100);
	tu_now += 1;
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 0);
	ck_assert_int_eq(tu_available(db, dave, "PTS"), 0);
}
END_TEST

/* A grant's records whose bytes read but whose values cannot be (an
 * unknown format, number 0, no version; a period or state it does not
 * know; a byte more) are damaged: the grant reads as such and does not run; put
 * back, it runs. */
START_TEST(test_damaged_values)
{
	/* the fields of a grant's head and of a version (grant.c) */
	static const char head[] = "uww", ver[] = "uvssuvsvwussss";
	static const struct {
		int field;
		int64_t value;
	} bad_head[] = { { 0, 9 }, { 1, 0 }, { 2, 0 } },
	    bad_ver[] = { { 4, POINTS_GRANT_MONTHLY - 1 },
	    { 4, POINTS_GRANT_YEARLY + 1 }, { 9, POINTS_RULE_RETIRED + 1 } };
	unsigned char hv[256], vv[2048], dam[2100], vk[8];
	points_grant g;
	size_t hl, vl, dl, i;

	welfare();
	hl = tu_raw_get(db, "grant", "welfare", 7, hv, sizeof(hv));
	dl = tu_record_set(hv, hl, head, 2, 1, dam, sizeof(dam));
	ck_assert(dl == hl && memcmp(dam, hv, hl) == 0);
	for (i = 0; i < sizeof(bad_head) / sizeof(bad_head[0]); i++) {
		dl = tu_record_set(hv, hl, head, bad_head[i].field,
		    bad_head[i].value, dam, sizeof(dam));
		tu_raw_put(db, "grant", "welfare", 7, dam, dl);
		ck_assert_int_eq(points_grant_get(db, "welfare", 0, &g),
		    POINTS_ECORRUPT);
		ck_assert_str_eq(points_errmsg(db), "grant 'welfare': record "
		    "unreadable");
	}
	tu_raw_put(db, "grant", "welfare", 7, hv, hl);
	points_codec__put_be32(vk, 1);
	points_codec__put_be32(vk + 4, 1);
	vl = tu_raw_get(db, "grantver", vk, 8, vv, sizeof(vv));
	dl = tu_record_set(vv, vl, ver, 9, POINTS_RULE_ACTIVE, dam,
	    sizeof(dam));
	ck_assert(dl == vl && memcmp(dam, vv, vl) == 0);
	for (i = 0; i < sizeof(bad_ver) / sizeof(bad_ver[0]); i++) {
		dl = tu_record_set(vv, vl, ver, bad_ver[i].field,
		    bad_ver[i].value, dam, sizeof(dam));
		tu_raw_put(db, "grantver", vk, 8, dam, dl);
		ck_assert_int_eq(points_grant_get(db, "welfare", 0, &g),
		    POINTS_ECORRUPT);
		ck_assert_str_eq(points_errmsg(db), "grant version unreadable");
		TU_FAILS(db, points_grant_run(db, "welfare", 0,
		    &(points_grant_report){ 0 }), POINTS_ECORRUPT);
	}
	/* a byte more than the version holds */
	memcpy(dam, vv, vl);
	dam[vl] = 0;
	tu_raw_put(db, "grantver", vk, 8, dam, vl + 1);
	ck_assert_int_eq(points_grant_get(db, "welfare", 0, &g),
	    POINTS_ECORRUPT);
	ck_assert_str_eq(points_errmsg(db), "grant version unreadable");
	tu_snap_free();
	tu_raw_put(db, "grantver", vk, 8, vv, vl);
	ck_assert_int_eq(points_account_attr_set(db, alice, "payroll", "yes"),
	    POINTS_OK);
	ck_assert_int_eq(run("welfare", 0, POINTS_OK).granted, 1);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 100);
}
END_TEST

START_TEST(test_twice_in_a_period_pays_once_next_period_again)
{
	points_grant_report r;

	set_tier(alice, "gold");
	ck_assert_int_eq(points_account_attr_set(db, alice, "payroll", "yes"),
	    POINTS_OK);
	ck_assert_int_eq(points_account_attr_set(db, bob, "payroll", "yes"),
	    POINTS_OK);
	welfare();
	r = run("welfare", 0, POINTS_OK);
	ck_assert_int_eq(r.granted, 2);
	/* the same day, later in the month, and by run_due: nothing */
	r = run("welfare", 0, POINTS_OK);
	ck_assert_int_eq(r.granted, 0);
	ck_assert_int_eq(r.already, 2);
	ck_assert_int_eq(r.points, 0);
	tu_now = TU_T0 + 30 * TU_DAY + 23 * 3600; /* Jan 31, 23:00 */
	r = run("welfare", 0, POINTS_OK);
	ck_assert_int_eq(r.granted, 0);
	ck_assert_int_eq(points_grant_run_due(db, 0, &r), POINTS_OK);
	ck_assert_int_eq(r.grants, 1);
	ck_assert_int_eq(r.granted, 0);
	ck_assert_int_eq(r.already, 2);
	ck_assert_int_eq(r.period_start, 0);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 300);
	/* February pays again; carol joined the payroll meanwhile */
	tu_now = TU_T0 + 31 * TU_DAY + 60;
	ck_assert_int_eq(points_account_attr_set(db, carol, "payroll", "yes"),
	    POINTS_OK);
	r = run("welfare", 0, POINTS_OK);
	ck_assert_int_eq(r.period_start, TU_T0 + 31 * TU_DAY);
	ck_assert_int_eq(r.period_end, TU_T0 + 60 * TU_DAY); /* leap year */
	ck_assert_int_eq(r.granted, 3);
	ck_assert_int_eq(r.points, 500);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 600);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 200);
	ck_assert_int_eq(tu_available(db, carol, "PTS"), 100);
	/* a missed January run for carol is made up by running as of
	 * January */
	r = run("welfare", TU_T0 + 5 * TU_DAY, POINTS_OK);
	ck_assert_int_eq(r.granted, 1);
	ck_assert_int_eq(r.already, 2);
	ck_assert_int_eq(tu_available(db, carol, "PTS"), 200);
}
END_TEST

/* A yearly allowance by tenure at the year's first day: 500 after a
 * year, 1000 after five; it lapses at the year's end. */
START_TEST(test_yearly_allowance_by_tenure)
{
	points_grant_def d = POINTS_GRANT_DEF_INIT;
	points_grant_report r;
	points_lot_iterator *it;
	points_lot lot;
	points_grant g;

	ck_assert_int_eq(points_account_attr_set(db, alice, "hire_date",
	    "2015-03-01"), POINTS_OK);
	ck_assert_int_eq(points_account_attr_set(db, bob, "hire_date",
	    "2022-06-30"), POINTS_OK);
	/* 364 days before 2024-01-01: not yet */
	ck_assert_int_eq(points_account_attr_set(db, carol, "hire_date",
	    "2023-01-02"), POINTS_OK);
	d.name = "tenure";
	d.asset = "PTS";
	d.period = POINTS_GRANT_YEARLY;
	d.condition = "account.tenure_days >= 365";
	d.points = "account.tenure_days >= 5 * 365 ? 1000 : 500";
	d.flags = POINTS_GRANT_EXPIRE_AT_END;
	d.category = "welfare.yearly";
	d.state = POINTS_RULE_ACTIVE;
	d.author = "hr";
	ck_assert_int_eq(points_grant_save(db, &d, &g), POINTS_OK);
	ck_assert_int_eq(g.version, 1);
	ck_assert_int_eq(g.period, POINTS_GRANT_YEARLY);
	ck_assert_str_eq(g.category, "welfare.yearly");
	tu_now = TU_T0 + 40 * TU_DAY; /* run in February: tenure at Jan 1 */
	r = run("tenure", 0, POINTS_OK);
	ck_assert_int_eq(r.period_start, TU_T0);
	ck_assert_int_eq(r.period_end, TU_T0 + 366 * TU_DAY);
	ck_assert_int_eq(r.granted, 2);
	ck_assert_int_eq(r.points, 1500);
	ck_assert_int_eq(r.condition, 1); /* carol, 364 days */
	ck_assert_int_eq(r.errors, 1);    /* dave has no hire date */
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 1000);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 500);
	ck_assert_int_eq(tu_available(db, carol, "PTS"), 0);
	/* the lot expires on 2024-12-31 */
	ck_assert_int_eq(points_lot_iterator_new(db, bob, "PTS", INT64_MAX, &it),
	    POINTS_OK);
	ck_assert_int_eq(points_lot_next(it, &lot), POINTS_OK);
	ck_assert_int_eq(lot.amount, 500);
	ck_assert_int_eq(lot.expires_at, TU_T0 + 366 * TU_DAY - 1);
	points_lot_iterator_free(it);
	/* carol's tenure passes a year on Jan 2, but the year's tenure is
	 * counted at its start: still nothing this year */
	r = run("tenure", 0, POINTS_OK);
	ck_assert_int_eq(r.granted, 0);
	ck_assert_int_eq(r.already, 2);
	/* 2025: all three */
	tu_now = TU_T0 + 366 * TU_DAY + 3600;
	r = run("tenure", 0, POINTS_OK);
	ck_assert_int_eq(r.granted, 3);
	ck_assert_int_eq(r.points, 2000);
	ck_assert_int_eq(points_expire_sweep(db, 0, NULL), POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 1000);
	ck_assert_int_eq(tu_available(db, carol, "PTS"), 500);
	/* 2024 has ended: a run for it would give points already lapsed */
	TU_FAILS(db, points_grant_run(db, "tenure", TU_T0 + 10 * TU_DAY, &r),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "grant 'tenure': period 2024 has "
	    "ended, and its points would expire at its end "
	    "(POINTS_GRANT_EXPIRE_AT_END)");
}
END_TEST

/* A quarterly allowance from a budget pool of 250: 100 each; the third
 * account is not paid, nor anyone after it, until the pool is funded. */
START_TEST(test_pool_runs_dry)
{
	points_grant_def d = POINTS_GRANT_DEF_INIT;
	points_grant_report r;
	points_posting p;
	points_txn t;
	points_balance b;
	points_grant_award w;
	int64_t pool;

	ck_assert_int_eq(points_account_create(db, "pool:hr", NULL,
	    POINTS_ACCOUNT_POOL, &pool), POINTS_OK);
	p = tu_posting("PTS", pool, 250);
	ck_assert_int_eq(points_pool_fund(db, &p, &t), POINTS_OK);
	d.name = "team";
	d.asset = "PTS";
	d.period = POINTS_GRANT_QUARTERLY;
	d.points = "account.external_id == 'E1004' ? 20 : 100";
	d.pool = pool;
	d.state = POINTS_RULE_ACTIVE;
	d.author = "hr";
	save(&d);
	tu_now = TU_T0 + 100 * TU_DAY; /* April 10: Q2 */
	r = run("team", 0, POINTS_OK);
	ck_assert_int_eq(r.period_start, TU_T0 + 91 * TU_DAY);
	ck_assert_int_eq(r.granted, 2);   /* alice 100, bob 100 */
	ck_assert_int_eq(r.points, 200);
	/* carol 100, and dave's 20, which the 50 left would pay, but the
	 * pool stopped at carol */
	ck_assert_int_eq(r.unpaid, 2);
	ck_assert_int_eq(r.unpaid_points, 120);
	ck_assert_int_eq(tu_available(db, carol, "PTS"), 0);
	ck_assert_int_eq(tu_available(db, dave, "PTS"), 0);
	ck_assert_int_eq(points_balance_get(db, pool, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 50);
	ck_assert_int_eq(points_grant_award_get(db, "team", 0, alice, &w),
	    POINTS_OK);
	ck_assert_int_eq(points_txn_get(db, w.txn_id, &t), POINTS_OK);
	ck_assert_int_eq(t.from, pool);
	/* funded again: the rerun pays the rest only */
	p = tu_posting("PTS", pool, 100);
	ck_assert_int_eq(points_pool_fund(db, &p, &t), POINTS_OK);
	r = run("team", 0, POINTS_OK);
	ck_assert_int_eq(r.granted, 2);
	ck_assert_int_eq(r.points, 120);
	ck_assert_int_eq(r.already, 2);
	ck_assert_int_eq(r.unpaid, 0);
	ck_assert_int_eq(points_balance_get(db, pool, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 30);
	ck_assert_int_eq(tu_available(db, carol, "PTS"), 100);
	ck_assert_int_eq(tu_available(db, dave, "PTS"), 20);
}
END_TEST

START_TEST(test_frozen_closed_and_system_accounts)
{
	points_grant_report r;
	int64_t i;

	for (i = alice; i <= dave; i++)
		ck_assert_int_eq(points_account_attr_set(db, i, "payroll",
		    "yes"), POINTS_OK);
	ck_assert_int_eq(points_account_freeze(db, bob), POINTS_OK);
	ck_assert_int_eq(points_account_close(db, carol), POINTS_OK);
	welfare();
	r = run("welfare", 0, POINTS_OK);
	ck_assert_int_eq(r.accounts, 4); /* the issuer, sink, expiry: not */
	ck_assert_int_eq(r.granted, 2);
	ck_assert_int_eq(r.inactive, 2);
	/* unfrozen in the month: paid by the next run */
	ck_assert_int_eq(points_account_unfreeze(db, bob), POINTS_OK);
	r = run("welfare", 0, POINTS_OK);
	ck_assert_int_eq(r.granted, 1);
	ck_assert_int_eq(r.already, 2);
	ck_assert_int_eq(r.inactive, 1);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 100);
}
END_TEST

/* Expressions that give an error or a wrong type pay nothing; zero is
 * counted apart. */
START_TEST(test_errors_and_zero)
{
	points_grant_def d = POINTS_GRANT_DEF_INIT;
	points_grant_report r;

	ck_assert_int_eq(points_account_attr_set(db, alice, "level", "3"),
	    POINTS_OK);
	ck_assert_int_eq(points_account_attr_set(db, bob, "level", "0"),
	    POINTS_OK);
	ck_assert_int_eq(points_account_attr_set(db, carol, "level", "x"),
	    POINTS_OK);
	d.name = "level";
	d.asset = "PTS";
	d.points = "int(account.attrs.level) * 50"; /* dave: no such key */
	d.state = POINTS_RULE_ACTIVE;
	d.author = "hr";
	save(&d);
	r = run("level", 0, POINTS_OK);
	ck_assert_int_eq(r.granted, 1);
	ck_assert_int_eq(r.points, 150);
	ck_assert_int_eq(r.zero, 1);
	ck_assert_int_eq(r.errors, 2);
	/* a negative formula is an error too, a non-bool condition too */
	d.name = "neg";
	d.points = "-5";
	save(&d);
	r = run("neg", 0, POINTS_OK);
	ck_assert_int_eq(r.errors, 4);
	d.name = "cond";
	d.condition = "account.tier";
	d.points = "5";
	save(&d);
	r = run("cond", 0, POINTS_OK);
	ck_assert_int_eq(r.errors, 4);
	ck_assert_int_eq(r.granted, 0);
}
END_TEST

START_TEST(test_versions_and_states)
{
	points_grant_def d = POINTS_GRANT_DEF_INIT;
	points_grant_report r;
	points_grant g;
	char *s;

	welfare();
	ck_assert_int_eq(points_grant_set_state(db, "welfare",
	    POINTS_RULE_PAUSED, "hr.li", "budget review", &g), POINTS_OK);
	ck_assert_int_eq(g.version, 2);
	ck_assert_int_eq(g.state, POINTS_RULE_PAUSED);
	ck_assert_str_eq(g.reason, "budget review");
	TU_FAILS(db, points_grant_run(db, "welfare", 0, &r), POINTS_ESTATE);
	ck_assert_str_eq(points_errmsg(db), "grant 'welfare' is paused: only "
	    "an active grant runs");
	/* run_due passes it by */
	ck_assert_int_eq(points_grant_run_due(db, 0, &r), POINTS_OK);
	ck_assert_int_eq(r.grants, 0);
	/* the expressions stay as saved */
	ck_assert_int_eq(points_grant_expr_get(db, "welfare", 2,
	    POINTS_RULE_EXPR_CONDITION, &s), POINTS_OK);
	ck_assert_str_eq(s, "has(account.attrs.payroll)");
	points_free(s);
	ck_assert_int_eq(points_grant_expr_get(db, "welfare", 0,
	    POINTS_RULE_EXPR_POINTS, &s), POINTS_OK);
	ck_assert(strncmp(s, "account.tier == 'gold'", 22) == 0);
	points_free(s);
	ck_assert_int_eq(points_grant_get(db, "welfare", 1, &g), POINTS_OK);
	ck_assert_int_eq(g.state, POINTS_RULE_ACTIVE);
	ck_assert_str_eq(g.reason, "the 2024 welfare policy");
	ck_assert_str_eq(g.category, "allowance");
	/* a new version with a new formula pays with it */
	ck_assert_int_eq(points_account_attr_set(db, alice, "payroll", "yes"),
	    POINTS_OK);
	d.name = "welfare";
	d.asset = "PTS";
	d.condition = "has(account.attrs.payroll)";
	d.points = "150";
	d.state = POINTS_RULE_ACTIVE;
	d.author = "hr.li";
	ck_assert_int_eq(points_grant_save(db, &d, &g), POINTS_OK);
	ck_assert_int_eq(g.version, 3);
	r = run("welfare", 0, POINTS_OK);
	ck_assert_int_eq(r.points, 150);
	ck_assert_int_eq(points_grant_set_state(db, "welfare",
	    POINTS_RULE_RETIRED, "hr.li", NULL, &g), POINTS_OK);
	TU_FAILS(db, points_grant_save(db, &d, &g), POINTS_ESTATE);
	ck_assert_str_eq(points_errmsg(db), "grant 'welfare' is retired: it "
	    "takes no new version");
	TU_FAILS(db, points_grant_run(db, "welfare", 0, &r), POINTS_ESTATE);
}
END_TEST

START_TEST(test_bad_input)
{
	points_grant_def d = POINTS_GRANT_DEF_INIT;
	points_grant_report r;
	points_grant g;
	points_grant_award w;
	char *s;
	static const struct {
		const char *field, *value;
		int64_t num;
		int code;
		const char *msg;
	} bad[] = {
		{ "name", "Welfare", 0, POINTS_EINVAL, "grant name 'Welfare': "
		    "only a-z, 0-9, '_', '.' and '-'" },
		{ "name", "", 0, POINTS_EINVAL, "grant name is required" },
		{ "points", "", 0, POINTS_EINVAL, "grant 'w': the points "
		    "formula is required" },
		{ "points", "acount.tier", 0, POINTS_EINVAL, "grant 'w': "
		    "points: col 1: unknown variable 'acount'" },
		{ "condition", "account.teir == 'gold'", 0, POINTS_EINVAL,
		    "grant 'w': condition: col 9: unknown field 'teir' of "
		    "'account'" },
		{ "condition", "event.amount > 0", 0, POINTS_EINVAL,
		    "grant 'w': condition: col 1: unknown variable "
		    "'event'" },
		{ "asset", "NOPE", 0, POINTS_ENOTFOUND, NULL },
		{ "period", NULL, 7, POINTS_EINVAL, "grant 'w': unknown period "
		    "7 (POINTS_GRANT_MONTHLY, _QUARTERLY or _YEARLY)" },
		{ "state", NULL, 9, POINTS_EINVAL, "grant 'w': unknown state "
		    "9" },
		{ "flags", NULL, 4, POINTS_EINVAL, "grant 'w': unknown flags "
		    "0x4" },
		{ "expires_days", NULL, 36526, POINTS_EINVAL, "grant 'w': "
		    "expires_days 36526 is not 0 to 36525" },
		{ "expires_at_end", NULL, 30, POINTS_EINVAL, "grant 'w': "
		    "expires_days and POINTS_GRANT_EXPIRE_AT_END exclude each "
		    "other" },
		{ "pool", NULL, 1, POINTS_EINVAL, "grant 'w': account "
		    "system:issuer is not a pool" },
		{ "pool", NULL, 99, POINTS_ENOTFOUND, NULL },
		{ "pool", NULL, -1, POINTS_EINVAL, "grant 'w': pool -1 is not "
		    "an account id (0: the issuer)" },
		{ "author", "", 0, POINTS_EINVAL, NULL },
		{ "category", "Bad Cat", 0, POINTS_EINVAL, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *f = bad[i].field;

		points_grant_def_init(&d, POINTS_GRANT_DEF_VERSION);
		d.name = "w";
		d.asset = "PTS";
		d.points = "10";
		d.state = POINTS_RULE_ACTIVE;
		d.author = "hr";
		if (strcmp(f, "name") == 0)
			d.name = bad[i].value;
		else if (strcmp(f, "points") == 0)
			d.points = bad[i].value;
		else if (strcmp(f, "condition") == 0)
			d.condition = bad[i].value;
		else if (strcmp(f, "asset") == 0)
			d.asset = bad[i].value;
		else if (strcmp(f, "period") == 0)
			d.period = (int)bad[i].num;
		else if (strcmp(f, "state") == 0)
			d.state = (int)bad[i].num;
		else if (strcmp(f, "flags") == 0)
			d.flags = (unsigned)bad[i].num;
		else if (strcmp(f, "expires_days") == 0)
			d.expires_days = bad[i].num;
		else if (strcmp(f, "expires_at_end") == 0) {
			d.expires_days = bad[i].num;
			d.flags = POINTS_GRANT_EXPIRE_AT_END;
		} else if (strcmp(f, "pool") == 0)
			d.pool = bad[i].num;
		else if (strcmp(f, "author") == 0)
			d.author = bad[i].value;
		else if (strcmp(f, "category") == 0)
			d.category = bad[i].value;
		TU_FAILS(db, points_grant_save(db, &d, &g), bad[i].code);
		if (bad[i].msg)
			ck_assert_msg(strcmp(points_errmsg(db), bad[i].msg) == 0,
			    "%s: '%s'", f, points_errmsg(db));
	}
	d.version = 2;
	TU_FAILS(db, points_grant_save(db, &d, &g), POINTS_EVERSION);
	TU_FAILS(db, points_grant_save(db, NULL, &g), POINTS_EINVAL);
	ck_assert_int_eq(points_grant_def_init(&d, 0), POINTS_EVERSION);
	ck_assert_int_eq(points_grant_def_init(NULL, 1), POINTS_EINVAL);
	/* runs */
	TU_FAILS(db, points_grant_run(db, "nope", 0, &r), POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "grant 'nope' not found");
	TU_FAILS(db, points_grant_run(db, "nope", tu_now + 1, &r),
	    POINTS_EINVAL);
	ck_assert(strstr(points_errmsg(db), "is later than the ledger's "
	    "clock") != NULL);
	TU_FAILS(db, points_grant_run(db, "nope", -1, &r), POINTS_EINVAL);
	TU_FAILS(db, points_grant_run(db, NULL, 0, &r), POINTS_EINVAL);
	TU_FAILS(db, points_grant_run_due(db, tu_now + 1, &r), POINTS_EINVAL);
	TU_FAILS(db, points_grant_get(db, "nope", 0, &g), POINTS_ENOTFOUND);
	welfare();
	TU_FAILS(db, points_grant_get(db, "welfare", 2, &g), POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "grant 'welfare' has no version 2 "
	    "(latest 1)");
	TU_FAILS(db, points_grant_expr_get(db, "welfare", 0, 2, &s),
	    POINTS_EINVAL);
	TU_FAILS(db, points_grant_set_state(db, "welfare", 5, "hr", NULL, &g),
	    POINTS_EINVAL);
	TU_FAILS(db, points_grant_set_state(db, "welfare", 1, "", NULL, &g),
	    POINTS_EINVAL);
	TU_FAILS(db, points_grant_award_get(db, "welfare", -5, alice, &w),
	    POINTS_EINVAL);
	TU_FAILS(db, points_grant_award_get(db, "welfare", 0, alice, NULL),
	    POINTS_EINVAL);
}
END_TEST

/* The iterator lists one grant's awards of one period, by account,
 * past a bufferful. */
START_TEST(test_award_iterator)
{
	points_grant_def d = POINTS_GRANT_DEF_INIT;
	points_grant_award_iterator *it;
	points_grant_award w;
	int64_t ids[40], n = 0, i, want = 0;
	char ext[32];
	int rc;

	for (i = 0; i < 36; i++) {
		snprintf(ext, sizeof(ext), "X%lld", (long long)i);
		ids[i] = tu_account(db, ext);
	}
	d.name = "m";
	d.asset = "PTS";
	d.condition = "account.id % 2 == 0";
	d.points = "account.id";
	d.state = POINTS_RULE_ACTIVE;
	d.author = "hr";
	save(&d);
	d.name = "other";       /* another grant: not listed */
	d.condition = NULL;
	save(&d);
	(void)run("m", 0, POINTS_OK);
	(void)run("other", 0, POINTS_OK);
	tu_now += 40 * TU_DAY;  /* February: not listed for January */
	(void)run("m", 0, POINTS_OK);
	ck_assert_int_eq(points_grant_award_iterator_new(db, "m", TU_T0 +
	    TU_DAY, &it), POINTS_OK);
	while ((rc = points_grant_award_next(it, &w)) == POINTS_OK) {
		ck_assert_int_eq(w.account % 2, 0);
		ck_assert_int_gt(w.account, want);
		ck_assert_int_eq(w.points, w.account);
		ck_assert_int_eq(w.period_start, TU_T0);
		ck_assert_str_eq(w.grant, "m");
		want = w.account;
		n++;
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	points_grant_award_iterator_free(it);
	/* alice .. dave and X0 .. X35: ids 4 to 43 (5 to 44 with the log
	 * in partitions), of which 20 even */
	ck_assert_int_eq(n, 20);
	ck_assert_int_eq(want, ids[35] - ids[35] % 2);
	ck_assert_int_eq(points_grant_award_iterator_new(db, "nope", 0, &it),
	    POINTS_ENOTFOUND);
}
END_TEST

/* Inside a batch a run is one operation of the batch. */
START_TEST(test_in_a_batch)
{
	points_grant_report r;

	ck_assert_int_eq(points_account_attr_set(db, alice, "payroll", "yes"),
	    POINTS_OK);
	welfare();
	points_grant__chunk = 1;
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	r = run("welfare", 0, POINTS_OK);
	ck_assert_int_eq(r.granted, 1);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 0);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	r = run("welfare", 0, POINTS_OK);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 100);
}
END_TEST

/* ---- A run that fails part way ---- */

enum { NFAULT_ACC = 7 };

/* A ledger on a fault store with NFAULT_ACC accounts on the payroll and
 * a pool paying 10 each; chunks of 2 accounts. */
static points_db *
fault_ledger(points_store *fault, int64_t *pool)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_grant_def d = POINTS_GRANT_DEF_INIT;
	points_posting p;
	points_grant g;
	points_txn t;
	points_db *d2 = NULL;
	char ext[16];
	int i;

	o.clock = clock_fn;
	tu_now = TU_T0 + 3600;
	ck_assert_int_eq(points_open_store(fault, &o, &d2), POINTS_OK);
	ck_assert_int_eq(points_asset_create(d2, "PTS", 0,
	    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
	for (i = 0; i < NFAULT_ACC; i++) {
		int64_t id;

		snprintf(ext, sizeof(ext), "F%d", i);
		id = tu_account(d2, ext);
		ck_assert_int_eq(points_account_attr_set(d2, id, "payroll",
		    "yes"), POINTS_OK);
	}
	ck_assert_int_eq(points_account_create(d2, "pool:f", NULL,
	    POINTS_ACCOUNT_POOL, pool), POINTS_OK);
	p = tu_posting("PTS", *pool, 1000);
	ck_assert_int_eq(points_pool_fund(d2, &p, &t), POINTS_OK);
	d.name = "f";
	d.asset = "PTS";
	d.condition = "has(account.attrs.payroll)";
	d.points = "10 + account.id";
	d.pool = *pool;
	d.state = POINTS_RULE_ACTIVE;
	d.author = "hr";
	ck_assert_int_eq(points_grant_save(d2, &d, &g), POINTS_OK);
	return d2;
}

START_TEST(test_failure_between_chunks_then_rerun)
{
	int64_t n, pool = 0, total = 0;
	int done = 0, persistent = _i;

	/* what each account is due: 10 + its id (4 .. 10, or 5 .. 11) */
	for (n = tu_first_user(); n < tu_first_user() + NFAULT_ACC; n++)
		total += 10 + n;
	points_grant__chunk = 2;
	for (n = 1; !done && n < 2000; n++) {
		points_store *inner, *fault;
		points_grant_report r, r2;
		points_balance b;
		int64_t id, paid = 0;
		char msg[600];
		int rc;

		ck_assert_int_eq(points_store_open("memory:", &inner),
		    POINTS_OK);
		ck_assert_int_eq(points_store_fault_new(inner, &fault),
		    POINTS_OK);
		db = fault_ledger(fault, &pool);
		memset(&r, 0, sizeof(r));
		ck_assert_int_eq(points_store_fault_arm(fault, n, persistent),
		    POINTS_OK);
		rc = points_grant_run(db, "f", 0, &r);
		done = points_store_fault_failures(fault) == 0;
		points_store_fault_arm(fault, 0, 0);
		if (done) {
			ck_assert_int_eq(rc, POINTS_OK);
			ck_assert_int_eq(r.granted, NFAULT_ACC);
		} else {
			ck_assert_msg(rc == POINTS_ESTORAGE, "call %lld: %d %s",
			    (long long)n, rc, points_errmsg(db));
			snprintf(msg, sizeof(msg), "%s", points_errmsg(db));
			tu_invariants(db);
			/* what committed is whole chunks: the accounts
			 * paid come first */
			for (id = tu_first_user();
			    id < tu_first_user() + NFAULT_ACC; id++)
				if (tu_available(db, id, "PTS"))
					ck_assert_int_eq(id - tu_first_user(),
					    paid++);
			if (paid)
				ck_assert_msg(strstr(msg, "run it again to "
				    "finish") != NULL, "%s", msg);
			ck_assert_int_eq(points_grant_run(db, "f", 0, &r2),
			    POINTS_OK);
			ck_assert_int_eq(r2.already, paid);
			ck_assert_int_eq(r2.granted, NFAULT_ACC - paid);
		}
		/* each account paid exactly once */
		for (id = tu_first_user(); id < tu_first_user() + NFAULT_ACC;
		    id++)
			ck_assert_int_eq(tu_available(db, id, "PTS"), 10 + id);
		ck_assert_int_eq(points_balance_get(db, pool, "PTS", &b),
		    POINTS_OK);
		ck_assert_int_eq(b.available, 1000 - total);
		tu_invariants(db);
		points_close(db);
		db = NULL;
		points_store_close(fault);
		points_store_close(inner);
	}
	ck_assert(done);
}
END_TEST

/* ---- A seeded random run against a model ---- */

enum { MACC = 8, MGRANTS = 3 };

static uint64_t rng_state;

static uint64_t
rnd(uint64_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state % n;
}

/* Days since 1970 of y-m-d and back (UTC: the tests' ledgers). */
static int64_t
days_of(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int64_t
floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

typedef struct model_acc {
	int64_t id;
	int tier;          /* 0 none, 1 silver, 2 gold */
	int64_t hire_day;  /* day number */
	int frozen;
	int64_t bal;
} model_acc;

typedef struct model {
	model_acc a[MACC];
	int active[MGRANTS];
	int64_t pool_id, pool;
	/* paid[g][account index]: the period first days paid (a short
	 * list: the model's periods) */
	int64_t paid[MGRANTS][MACC][64];
	int npaid[MGRANTS][MACC];
} model;

static const char *const gnames[MGRANTS] = { "grade", "tenure", "quarter" };
static const char *const tiers[] = { "", "silver", "gold" };

/* The period's first day (as periods of kind k) of day z. */
static int64_t
m_period_first(int k, int64_t z)
{
	struct tm tm;
	time_t t = (time_t)(z * 86400);
	unsigned m;

	gmtime_r(&t, &tm);
	m = (unsigned)tm.tm_mon + 1;
	if (k == POINTS_GRANT_QUARTERLY)
		m = (m - 1) / 3 * 3 + 1;
	else if (k == POINTS_GRANT_YEARLY)
		m = 1;
	return days_of(tm.tm_year + 1900, m, 1);
}

static const int gkinds[MGRANTS] = { POINTS_GRANT_MONTHLY,
	POINTS_GRANT_YEARLY, POINTS_GRANT_QUARTERLY };

/* What grant g gives account a for the period starting on day first:
 * -1 condition false, else the points. */
static int64_t
m_points(int g, const model_acc *a, int64_t first)
{
	int64_t tenure = first - a->hire_day;
	struct tm tm;
	time_t t = (time_t)(first * 86400);

	switch (g) {
	case 0:
		if (a->tier == 0)
			return -1;
		return a->tier == 2 ? 300 : 200;
	case 1:
		if (tenure < 365)
			return -1;
		return tenure >= 5 * 365 ? 1000 : 500;
	default:
		gmtime_r(&t, &tm);
		return (tm.tm_mon / 3 + 1) * 10 + a->id % 3;
	}
}

static void
m_run(model *m, int g, int64_t as_of, points_grant_report *want)
{
	int64_t first = m_period_first(gkinds[g], floordiv(as_of, 86400));
	int i, j, dry = 0;

	want->grants++;
	for (i = 0; i < MACC; i++) {
		model_acc *a = &m->a[i];
		int64_t pts;
		int seen = 0;

		want->accounts++;
		for (j = 0; j < m->npaid[g][i]; j++)
			seen |= m->paid[g][i][j] == first;
		if (seen) {
			want->already++;
			continue;
		}
		if (a->frozen) {
			want->inactive++;
			continue;
		}
		pts = m_points(g, a, first);
		if (pts < 0) {
			want->condition++;
			continue;
		}
		if (pts == 0) {
			want->zero++;
			continue;
		}
		if (g == 1 && (dry || m->pool < pts)) {
			dry = 1;
			want->unpaid++;
			want->unpaid_points += pts;
			continue;
		}
		if (g == 1)
			m->pool -= pts;
		a->bal += pts;
		want->granted++;
		want->points += pts;
		ck_assert_int_lt(m->npaid[g][i], 64);
		m->paid[g][i][m->npaid[g][i]++] = first;
	}
}

static void
m_compare(model *m, const points_grant_report *got,
    const points_grant_report *want, int step)
{
	points_balance b;
	int i;

	ck_assert_msg(got->grants == want->grants &&
	    got->accounts == want->accounts &&
	    got->granted == want->granted && got->points == want->points &&
	    got->already == want->already &&
	    got->condition == want->condition && got->zero == want->zero &&
	    got->inactive == want->inactive && got->errors == want->errors &&
	    got->unpaid == want->unpaid &&
	    got->unpaid_points == want->unpaid_points,
	    "step %d: report: granted %lld/%lld points %lld/%lld already "
	    "%lld/%lld condition %lld/%lld inactive %lld/%lld unpaid "
	    "%lld/%lld", step, (long long)got->granted,
	    (long long)want->granted, (long long)got->points,
	    (long long)want->points, (long long)got->already,
	    (long long)want->already, (long long)got->condition,
	    (long long)want->condition, (long long)got->inactive,
	    (long long)want->inactive, (long long)got->unpaid,
	    (long long)want->unpaid);
	for (i = 0; i < MACC; i++)
		ck_assert_msg(tu_available(db, m->a[i].id, "PTS") ==
		    m->a[i].bal, "step %d: account %lld: %lld, model %lld",
		    step, (long long)m->a[i].id,
		    (long long)tu_available(db, m->a[i].id, "PTS"),
		    (long long)m->a[i].bal);
	ck_assert_int_eq(points_balance_get(db, m->pool_id, "PTS", &b),
	    POINTS_OK);
	ck_assert_msg(b.available == m->pool, "step %d: pool %lld, model "
	    "%lld", step, (long long)b.available, (long long)m->pool);
}

START_TEST(test_random_against_model)
{
	static const char *const conds[MGRANTS] = {
		"account.tier in ['silver', 'gold']",
		"account.tenure_days >= 365",
		NULL,
	};
	static const char *const formulas[MGRANTS] = {
		"account.tier == 'gold' ? 300 : 200",
		"account.tenure_days >= 5 * 365 ? 1000 : 500",
		"period.quarter * 10 + account.id % 3",
	};
	model *m = calloc(1, sizeof(*m));
	points_posting p;
	points_txn t;
	points_grant g;
	int step, i, seed = 1000 + _i;

	ck_assert_ptr_nonnull(m);
	rng_state = 0x9e3779b97f4a7c15ULL * (uint64_t)seed;
	ck_assert_int_eq(points_account_create(db, "pool:model", NULL,
	    POINTS_ACCOUNT_POOL, &m->pool_id), POINTS_OK);
	for (i = 0; i < MACC; i++) {
		model_acc *a = &m->a[i];
		char ext[16], date[16];
		struct tm tm;
		time_t tt;

		if (i < 4) {
			a->id = alice + i;
		} else {
			snprintf(ext, sizeof(ext), "M%d", i);
			a->id = tu_account(db, ext);
		}
		a->hire_day = TU_T0 / 86400 - (int64_t)rnd(3000);
		tt = (time_t)(a->hire_day * 86400);
		gmtime_r(&tt, &tm);
		strftime(date, sizeof(date), "%Y-%m-%d", &tm);
		ck_assert_int_eq(points_account_attr_set(db, a->id,
		    "hire_date", date), POINTS_OK);
	}
	for (i = 0; i < MGRANTS; i++) {
		points_grant_def d = POINTS_GRANT_DEF_INIT;

		d.name = gnames[i];
		d.asset = "PTS";
		d.period = gkinds[i];
		d.condition = conds[i];
		d.points = formulas[i];
		d.pool = i == 1 ? m->pool_id : 0;
		d.state = POINTS_RULE_ACTIVE;
		d.author = "hr";
		save(&d);
		m->active[i] = 1;
	}
	points_grant__chunk = 1 + (size_t)rnd(5);
	for (step = 0; step < 150; step++) {
		points_grant_report got, want;
		int what = (int)rnd(10), k = (int)rnd(MGRANTS);
		model_acc *a = &m->a[rnd(MACC)];
		int64_t as_of;

		memset(&want, 0, sizeof(want));
		memset(&got, 0, sizeof(got));
		switch (what) {
		case 0:
			tu_now += (int64_t)rnd(60) * TU_DAY + (int64_t)rnd(
			    86400);
			break;
		case 1:
			a->tier = (int)rnd(3);
			set_tier(a->id, tiers[a->tier]);
			break;
		case 2:
			ck_assert_int_eq(a->frozen ? points_account_unfreeze(db,
			    a->id) : points_account_freeze(db, a->id),
			    POINTS_OK);
			a->frozen = !a->frozen;
			break;
		case 3:
			p = tu_posting("PTS", m->pool_id, 100 + (int64_t)rnd(
			    1500));
			ck_assert_int_eq(points_pool_fund(db, &p, &t),
			    POINTS_OK);
			m->pool += p.amount;
			break;
		case 4:
			ck_assert_int_eq(points_grant_set_state(db, gnames[k],
			    m->active[k] ? POINTS_RULE_PAUSED :
			    POINTS_RULE_ACTIVE, "hr", NULL, &g), POINTS_OK);
			m->active[k] = !m->active[k];
			break;
		case 5:
		case 6:
			as_of = tu_now - (int64_t)rnd(400 * 86400);
			ck_assert_int_eq(points_grant_run_due(db, as_of, &got),
			    POINTS_OK);
			for (i = 0; i < MGRANTS; i++) {
				/* in name order: grade, quarter, tenure */
				static const int order[] = { 0, 2, 1 };

				if (m->active[order[i]])
					m_run(m, order[i], as_of, &want);
			}
			m_compare(m, &got, &want, step);
			break;
		default:
			as_of = rnd(2) ? 0 : tu_now - (int64_t)rnd(100 *
			    86400);
			if (!m->active[k]) {
				ck_assert_int_eq(points_grant_run(db, gnames[k],
				    as_of, &got), POINTS_ESTATE);
				break;
			}
			ck_assert_int_eq(points_grant_run(db, gnames[k],
			    as_of, &got), POINTS_OK);
			m_run(m, k, as_of ? as_of : tu_now, &want);
			m_compare(m, &got, &want, step);
			break;
		}
	}
	tu_invariants(db);
	free(m);
}
END_TEST

/* A pool pays users of every partition: each payment moves the pool's
 * record of that partition, and what the grant sees the pool hold is
 * the sum of its records (its balance), so it pays while that has the
 * points and stops, not refused, where it runs dry. */
START_TEST(test_pool_across_partitions)
{
	points_grant_def d = POINTS_GRANT_DEF_INIT;
	points_grant_report r;
	points_posting p;
	points_txn t;
	points_balance b;
	int64_t pool;

	ck_assert_uint_eq((uint64_t)alice % 4 != (uint64_t)bob % 4 &&
	    (uint64_t)bob % 4 != (uint64_t)carol % 4, 1);
	ck_assert_int_eq(points_account_create(db, "pool:hr", NULL,
	    POINTS_ACCOUNT_POOL, &pool), POINTS_OK);
	p = tu_posting("PTS", pool, 250);
	ck_assert_int_eq(points_pool_fund(db, &p, &t), POINTS_OK);
	d.name = "team";
	d.asset = "PTS";
	d.period = POINTS_GRANT_QUARTERLY;
	d.points = "account.external_id == 'E1004' ? 20 : 100";
	d.pool = pool;
	d.state = POINTS_RULE_ACTIVE;
	d.author = "hr";
	save(&d);
	r = run("team", 0, POINTS_OK);
	ck_assert_int_eq(r.granted, 2);
	ck_assert_int_eq(r.points, 200);
	ck_assert_int_eq(r.unpaid, 2);
	ck_assert_int_eq(r.unpaid_points, 120);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 100);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 100);
	ck_assert_int_eq(tu_available(db, carol, "PTS"), 0);
	ck_assert_int_eq(points_balance_get(db, pool, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 50);
	/* funded again (in the issuer's partition): the rerun pays the
	 * rest from the sum, though no one record holds it */
	p = tu_posting("PTS", pool, 70);
	ck_assert_int_eq(points_pool_fund(db, &p, &t), POINTS_OK);
	r = run("team", 0, POINTS_OK);
	ck_assert_int_eq(r.granted, 2);
	ck_assert_int_eq(r.points, 120);
	ck_assert_int_eq(r.unpaid, 0);
	ck_assert_int_eq(points_balance_get(db, pool, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 0);
	ck_assert_int_eq(tu_available(db, carol, "PTS"), 100);
	ck_assert_int_eq(tu_available(db, dave, "PTS"), 20);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("grant");
	TCase *tc = tcase_create("grant");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_monthly_allowance_by_grade);
	tcase_add_test(tc, test_award_expires_days_after_the_run);
	tcase_add_test(tc, test_damaged_values);
	tcase_add_test(tc, test_twice_in_a_period_pays_once_next_period_again);
	tcase_add_test(tc, test_yearly_allowance_by_tenure);
	tcase_add_test(tc, test_pool_runs_dry);
	tcase_add_test(tc, test_frozen_closed_and_system_accounts);
	tcase_add_test(tc, test_errors_and_zero);
	tcase_add_test(tc, test_versions_and_states);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_in_a_batch);
	tcase_add_test(tc, test_award_iterator);
	tcase_add_loop_test(tc, test_random_against_model, 0, 6);
	suite_add_tcase(s, tc);
	tc = tcase_create("partitions");
	tcase_add_checked_fixture(tc, setup_parts, teardown_parts);
	tcase_add_test(tc, test_pool_across_partitions);
	suite_add_tcase(s, tc);
	tc = tcase_create("chunks");
	tcase_add_unchecked_fixture(tc, NULL, NULL);
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_failure_between_chunks_then_rerun, 0, 2);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
