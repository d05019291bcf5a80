/* check_tier.c - tier qualification: an earn that crosses a tier's
 * threshold moves the account up in its own transaction, the sweep
 * moves accounts down when their rolling figure falls below their
 * tier's, every move is in the account's history with the figures,
 * the new multiplier applies to the next event; bad input; a seeded
 * random run against a model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "util/calendar.h"
#include "util/codec.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"

static points_db *db;
static int64_t alice, bob;

#define DAY 86400

static void
setup(void)
{
	tu_now = TU_T0 + 10 * 3600; /* 2024-01-01 10:00 */
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
	tu_cleanup();
}

/* normal 1x (the base), silver 1.5x (2,000 PTS in 12 months), gold 2x
 * (5,000 PTS in 12 months) */
static void
table(void)
{
	ck_assert_int_eq(points_tier_set(db, "normal", 0, 100), POINTS_OK);
	ck_assert_int_eq(points_tier_set(db, "silver", 1, 150), POINTS_OK);
	ck_assert_int_eq(points_tier_set(db, "gold", 2, 200), POINTS_OK);
	ck_assert_msg(points_tier_qualify(db, "silver", "PTS", 2000, 12) ==
	    POINTS_OK, "%s", points_errmsg(db));
	ck_assert_int_eq(points_tier_qualify(db, "gold", "PTS", 5000, 12),
	    POINTS_OK);
}

static const char *
tier_of(int64_t acct)
{
	static points_account a;

	ck_assert_int_eq(points_account_get(db, acct, &a), POINTS_OK);
	return a.tier;
}

static int64_t
earned(int64_t acct, int months)
{
	int64_t v = -1;

	ck_assert_msg(points_tier_earned(db, acct, "PTS", months, 0, &v) ==
	    POINTS_OK, "%s", points_errmsg(db));
	return v;
}

static void
earn(int64_t acct, int64_t n, points_txn *t)
{
	ck_assert_msg(tu_earn(db, acct, "PTS", n, t) == POINTS_OK, "%s",
	    points_errmsg(db));
}

/* The account's tier changes, oldest first, into c[0..max). */
static int
tier_changes(int64_t acct, points_account_change *c, int max)
{
	points_account_history_iterator *it;
	points_account_change x;
	int n = 0, rc;

	ck_assert_int_eq(points_account_history_iterator_new(db, acct, &it),
	    POINTS_OK);
	while ((rc = points_account_history_next(it, &x)) == POINTS_OK)
		if (x.field == POINTS_CHANGE_TIER && n < max)
			c[n++] = x;
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	points_account_history_iterator_free(it);
	return n;
}

START_TEST(test_upgrade_by_earn_crossing_threshold)
{
	points_account_change c[4];
	points_tier t;

	table();
	ck_assert_int_eq(points_tier_get(db, "gold", &t), POINTS_OK);
	ck_assert_str_eq(t.qualify_asset, "PTS");
	ck_assert_int_eq(t.qualify_points, 5000);
	ck_assert_int_eq(t.qualify_months, 12);
	earn(alice, 1999, NULL);
	ck_assert_str_eq(tier_of(alice), "");
	earn(alice, 1, NULL);
	ck_assert_str_eq(tier_of(alice), "silver");
	tu_now += 40 * DAY; /* February */
	earn(alice, 3200, NULL);
	ck_assert_str_eq(tier_of(alice), "gold");
	ck_assert_int_eq(earned(alice, 12), 5200);
	ck_assert_int_eq(earned(alice, 1), 3200);
	ck_assert_str_eq(tier_of(bob), "");
	ck_assert_int_eq(tier_changes(alice, c, 4), 2);
	ck_assert_str_eq(c[0].old_value, "");
	ck_assert_str_eq(c[0].new_value, "silver");
	ck_assert_str_eq(c[0].actor, "system:tiers");
	ck_assert_str_eq(c[0].reason, "earned 2,000 PTS in the 12 months "
	    "to 2024-01-01; silver needs 2,000");
	ck_assert_str_eq(c[1].new_value, "gold");
	ck_assert_str_eq(c[1].reason, "earned 5,200 PTS in the 12 months "
	    "to 2024-02-10; gold needs 5,000");
	/* more earning changes nothing */
	earn(alice, 10, NULL);
	ck_assert_int_eq(tier_changes(alice, c, 4), 2);
}
END_TEST

/* Two handles on one SQLite file: a tier the other sets is seen by
 * this one's next earn, which reads the rules' generation with its
 * other keys (rule.c, ahead); so is one set inside this handle's batch
 * by an earlier operation of it. */
START_TEST(test_other_handles_tier_seen_by_next_earn)
{
	const char *uri = tu_sqlite_uri();
	points_db *a = tu_open(uri), *b;
	points_account acct;
	int64_t x;

	ck_assert_int_eq(points_open(uri, NULL, &b), POINTS_OK);
	x = tu_account(a, "T1");
	/* b has read the rules (none: the earn counts for no tier) */
	ck_assert_int_eq(tu_earn(b, x, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(points_tier_set(a, "silver", 1, 150), POINTS_OK);
	ck_assert_int_eq(points_tier_qualify(a, "silver", "PTS", 100, 12),
	    POINTS_OK);
	ck_assert_int_eq(tu_earn(b, x, "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(points_account_get(b, x, &acct), POINTS_OK);
	ck_assert_str_eq(acct.tier, "silver");
	/* in b's batch: gold set, then an earn that reaches it */
	ck_assert_int_eq(points_batch_begin(b), POINTS_OK);
	ck_assert_int_eq(points_tier_set(b, "gold", 2, 200), POINTS_OK);
	ck_assert_int_eq(points_tier_qualify(b, "gold", "PTS", 300, 12),
	    POINTS_OK);
	ck_assert_int_eq(tu_earn(b, x, "PTS", 200, NULL), POINTS_OK);
	ck_assert_int_eq(points_batch_commit(b), POINTS_OK);
	ck_assert_int_eq(points_account_get(a, x, &acct), POINTS_OK);
	ck_assert_str_eq(acct.tier, "gold");
	points_close(b);
	tu_invariants(a);
	points_close(a);
}
END_TEST

static void
spend_rule(void)
{
	points_rule_def d = POINTS_RULE_DEF_INIT;
	points_rule r;

	d.name = "spend";
	d.event_type = "purchase";
	d.points = "event.amount";
	d.asset = "PTS";
	d.state = POINTS_RULE_ACTIVE;
	d.author = "ops";
	ck_assert_msg(points_rule_save(db, &d, &r) == POINTS_OK, "%s",
	    points_errmsg(db));
}

static int64_t
purchase(const char *id, int64_t acct, int64_t amount)
{
	points_event e = POINTS_EVENT_INIT;
	points_event_result *r = NULL;
	points_event_summary s;

	e.id = id;
	e.type = "purchase";
	e.account = acct;
	e.amount = amount;
	ck_assert_msg(points_event_apply(db, &e, &r) == POINTS_OK, "%s",
	    points_errmsg(db));
	ck_assert_int_eq(points_event_result_summary(r, &s), POINTS_OK);
	points_event_result_free(r);
	return s.points;
}

/* The event that crosses earns at the old multiplier; the next at the
 * new one.  A refund of the event takes its points back from the
 * figure; the tier stays until the sweep. */
START_TEST(test_multiplier_applies_to_next_event)
{
	points_event_reversal rv = POINTS_EVENT_REVERSAL_INIT;
	points_event_result *r;
	points_tier_sweep_report rep;

	table();
	spend_rule();
	ck_assert_int_eq(purchase("o1", alice, 5000), 5000);
	ck_assert_str_eq(tier_of(alice), "gold");
	ck_assert_int_eq(purchase("o2", alice, 100), 200);
	ck_assert_int_eq(earned(alice, 12), 5200);
	rv.event_id = "o1";
	rv.amount = 1000;
	ck_assert_int_eq(points_event_reverse(db, &rv, &r), POINTS_OK);
	points_event_result_free(r);
	ck_assert_int_eq(earned(alice, 12), 4200);
	ck_assert_str_eq(tier_of(alice), "gold");
	ck_assert_int_eq(points_tier_sweep(db, 0, &rep), POINTS_OK);
	ck_assert_int_eq(rep.downgraded, 1);
	ck_assert_str_eq(tier_of(alice), "silver");
	ck_assert_int_eq(purchase("o3", alice, 100), 150);
}
END_TEST

START_TEST(test_sweep_downgrades_after_window)
{
	points_tier_sweep_report rep;
	points_account_change c[4];
	int n;

	table();
	earn(alice, 5200, NULL);               /* January 2024 */
	tu_now = TU_T0 + 152 * DAY;            /* 2024-06-01 */
	earn(alice, 2500, NULL);
	earn(bob, 2100, NULL);
	ck_assert_str_eq(tier_of(alice), "gold");
	ck_assert_str_eq(tier_of(bob), "silver");
	tu_now = TU_T0 + 365 * DAY;            /* 2024-12-31 */
	ck_assert_int_eq(points_tier_sweep(db, 0, &rep), POINTS_OK);
	ck_assert_int_eq(rep.accounts, 2); /* not the system accounts */
	ck_assert_int_eq(rep.upgraded + rep.downgraded, 0);
	tu_now = TU_T0 + 366 * DAY + 3600;     /* 2025-01-01 */
	ck_assert_int_eq(earned(alice, 12), 2500);
	/* a sweep as of the past sees the past */
	ck_assert_int_eq(points_tier_sweep(db, TU_T0 + 300 * DAY, &rep),
	    POINTS_OK);
	ck_assert_int_eq(rep.downgraded, 0);
	ck_assert_int_eq(points_tier_sweep(db, 0, &rep), POINTS_OK);
	ck_assert_int_eq(rep.downgraded, 1);
	ck_assert_int_eq(rep.upgraded, 0);
	ck_assert_int_eq(rep.as_of, tu_now);
	ck_assert_str_eq(tier_of(alice), "silver");
	ck_assert_str_eq(tier_of(bob), "silver");
	n = tier_changes(alice, c, 4);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(c[1].old_value, "gold");
	ck_assert_str_eq(c[1].new_value, "silver");
	ck_assert_str_eq(c[1].actor, "system:tiers");
	ck_assert_str_eq(c[1].reason, "earned 2,500 PTS in the 12 months "
	    "to 2025-01-01; gold needs 5,000");
	/* idempotent */
	ck_assert_int_eq(points_tier_sweep(db, 0, &rep), POINTS_OK);
	ck_assert_int_eq(rep.downgraded + rep.upgraded, 0);
	/* June 2025: nothing left in the window: the base tier */
	tu_now = TU_T0 + (366 + 152) * DAY;
	ck_assert_int_eq(points_tier_sweep(db, 0, &rep), POINTS_OK);
	ck_assert_int_eq(rep.downgraded, 2);
	ck_assert_str_eq(tier_of(alice), "normal");
	ck_assert_str_eq(tier_of(bob), "normal");
}
END_TEST

/* Transfers in and adjustments do not count; reversals of earns do. */
START_TEST(test_what_counts)
{
	points_posting p;
	points_txn t, e;
	points_reversal rv = POINTS_REVERSAL_INIT;

	table();
	earn(bob, 3000, &e);
	p = tu_posting("PTS", bob, 1000);
	p.counterparty = alice;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	p = tu_posting("PTS", alice, 500);
	p.memo = "goodwill";
	ck_assert_int_eq(points_adjust(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(earned(alice, 12), 0);
	ck_assert_str_eq(tier_of(alice), "");
	ck_assert_int_eq(earned(bob, 12), 3000);
	/* a reversal of an earn takes it back */
	rv.txn_id = e.id;
	rv.amount = 1500;
	ck_assert_int_eq(points_reverse(db, &rv, &t), POINTS_OK);
	ck_assert_int_eq(earned(bob, 12), 1500);
	/* another asset does not count for PTS */
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 9000, NULL), POINTS_OK);
	ck_assert_str_eq(tier_of(alice), "");
}
END_TEST

/* A tier set by hand stands until the sweep when it has a
 * qualification; one without a qualification is never taken away. */
START_TEST(test_manual_tiers)
{
	points_account_edit e = POINTS_ACCOUNT_EDIT_INIT;
	points_account a;
	points_tier_sweep_report rep;

	table();
	ck_assert_int_eq(points_tier_set(db, "staff", 3, 200), POINTS_OK);
	e.account = alice;
	e.tier = "gold";
	e.actor = "hr.li";
	e.reason = "status match";
	ck_assert_int_eq(points_account_apply(db, &e, &a), POINTS_OK);
	e.account = bob;
	e.tier = "staff";
	ck_assert_int_eq(points_account_apply(db, &e, &a), POINTS_OK);
	earn(bob, 6000, NULL);
	ck_assert_str_eq(tier_of(bob), "staff");
	earn(alice, 2500, NULL);
	ck_assert_str_eq(tier_of(alice), "gold");
	ck_assert_int_eq(points_tier_sweep(db, 0, &rep), POINTS_OK);
	ck_assert_int_eq(rep.downgraded, 1);
	ck_assert_str_eq(tier_of(alice), "silver");
	ck_assert_str_eq(tier_of(bob), "staff");
	/* the sweep moves up too: a qualification lowered */
	ck_assert_int_eq(points_tier_qualify(db, "gold", "PTS", 2500, 12),
	    POINTS_OK);
	ck_assert_int_eq(points_tier_sweep(db, 0, &rep), POINTS_OK);
	ck_assert_int_eq(rep.upgraded, 1);
	ck_assert_str_eq(tier_of(alice), "gold");
}
END_TEST

/* The sweep moves a frozen account as any other, and passes over a
 * closed one and the system accounts. */
START_TEST(test_sweep_frozen_and_closed)
{
	points_tier_sweep_report rep;
	int64_t carol = tu_account(db, "E1003");

	table();
	earn(alice, 5000, NULL);
	ck_assert_int_eq(points_account_update(db, carol, NULL, "gold", NULL),
	    POINTS_OK);
	ck_assert_int_eq(points_account_close(db, carol), POINTS_OK);
	ck_assert_int_eq(points_account_freeze(db, alice), POINTS_OK);
	tu_now += 400 * DAY;
	ck_assert_int_eq(points_tier_sweep(db, 0, &rep), POINTS_OK);
	ck_assert_int_eq(rep.downgraded, 1);
	ck_assert_int_eq(rep.accounts, 2); /* alice and bob */
	ck_assert_str_eq(tier_of(alice), "normal");
	ck_assert_str_eq(tier_of(carol), "gold");
}
END_TEST

static void
refused(int rc, int want, const char *msg)
{
	ck_assert_int_eq(rc, want);
	ck_assert_msg(strstr(points_errmsg(db), msg) != NULL,
	    "message '%s' lacks '%s'", points_errmsg(db), msg);
}

START_TEST(test_bad_input)
{
	points_tier t;
	int64_t v;

	table();
	tu_snap(db);
	refused(points_tier_qualify(db, "platinum", "PTS", 1, 1),
	    POINTS_ENOTFOUND, "tier 'platinum' not found");
	refused(points_tier_qualify(db, "normal", "PTS", 1, 1),
	    POINTS_EINVAL, "tier 'normal': rank 0 is the base");
	refused(points_tier_qualify(db, "gold", "NOPE", 1, 1),
	    POINTS_ENOTFOUND, "NOPE");
	refused(points_tier_qualify(db, "gold", "PTS", 0, 12),
	    POINTS_EINVAL, "tier 'gold': the points to qualify must be "
	    "positive (got 0)");
	refused(points_tier_qualify(db, "gold", "PTS", 10, 0),
	    POINTS_EINVAL, "tier 'gold': months must be 1 to 36 (got 0)");
	refused(points_tier_qualify(db, "gold", "PTS", 10, 37),
	    POINTS_EINVAL, "months must be 1 to 36 (got 37)");
	refused(points_tier_qualify(db, "gold", NULL, 10, 0),
	    POINTS_EINVAL, "points and months must be 0");
	refused(points_tier_qualify(db, "", "PTS", 10, 1), POINTS_EINVAL,
	    "tier");
	refused(points_tier_set(db, "gold", 0, 100), POINTS_EINVAL,
	    "tier 'gold': rank 0 is the base and needs no qualification, "
	    "and this tier has one (5000 PTS in 12 months)");
	refused(points_tier_sweep(db, tu_now + 1, NULL), POINTS_EINVAL,
	    "later than the ledger's clock");
	refused(points_tier_sweep(db, -1, NULL), POINTS_EINVAL,
	    "must not be negative");
	refused(points_tier_earned(db, alice, "PTS", 0, 0, &v),
	    POINTS_EINVAL, "months must be 1 to 36");
	refused(points_tier_earned(db, 999, "PTS", 12, 0, &v),
	    POINTS_ENOTFOUND, "account 999");
	refused(points_tier_earned(db, alice, "NOPE", 12, 0, &v),
	    POINTS_ENOTFOUND, "NOPE");
	refused(points_tier_earned(db, alice, "PTS", 12, 0, NULL),
	    POINTS_EINVAL, "out is required");
	refused(points_tier_earned(db, alice, "PTS", 12, -1, &v),
	    POINTS_EINVAL, "as_of must not be negative (got -1)");
	refused(points_tier_earned(db, alice, "PTSPTSPTSPTSPTSPTS", 12, 0,
	    &v), POINTS_EINVAL, "asset is too long");
	refused(points_tier_qualify(db, "gold", "PTSPTSPTSPTSPTSPTS", 10, 1),
	    POINTS_EINVAL, "asset is too long");
	refused(points_tier_get(db, "gold", NULL), POINTS_EINVAL,
	    "out is required");
	tu_unchanged(db);
	tu_snap_free();
	ck_assert_int_eq(points_tier_get(db, "gold", &t), POINTS_OK);
	ck_assert_int_eq(t.rank, 2);
	ck_assert_int_eq(t.qualify_points, 5000);
	/* removing a qualification, then rank 0 is fine */
	ck_assert_int_eq(points_tier_qualify(db, "gold", "", 0, 0),
	    POINTS_OK);
	ck_assert_int_eq(points_tier_get(db, "gold", &t), POINTS_OK);
	ck_assert_str_eq(t.qualify_asset, "");
	ck_assert_int_eq(points_tier_set(db, "gold", 0, 100), POINTS_OK);
}
END_TEST

/* An account's earn at tu_now + back (back < 0: backdated). */
static points_txn
earn_at(int64_t acct, const char *asset, int64_t n, int64_t back)
{
	points_posting p = tu_posting(asset, acct, n);
	points_txn t;

	p.time = tu_now + back;
	ck_assert_msg(points_earn(db, &p, &t) == POINTS_OK, "%s",
	    points_errmsg(db));
	return t;
}

static void
reverse_all(const points_txn *t)
{
	points_reversal rv = POINTS_REVERSAL_INIT;
	points_txn out;

	rv.txn_id = t->id;
	ck_assert_msg(points_reverse(db, &rv, &out) == POINTS_OK, "%s",
	    points_errmsg(db));
}

/* The figures keep the last POINTS_TIER_MONTHS_MAX months: an earn
 * after a long pause drops the months that fell out of every window
 * (all of them, or the oldest), and an earn backdated past them counts
 * nowhere. */
START_TEST(test_figures_after_long_pauses)
{
	int64_t v;

	table();
	earn(alice, 1000, NULL);                 /* January 2024 */
	earn(bob, 100, NULL);                    /* January 2024 */
	tu_now += 160 * DAY;                     /* June 2024 */
	earn(bob, 200, NULL);
	tu_now = TU_T0 + 10 * 3600 + 1100 * DAY; /* January 2027 */
	earn(bob, 300, NULL);
	/* the 36 months to January 2027 start in February 2024 */
	ck_assert_int_eq(earned(bob, 36), 500);
	ck_assert_int_eq(earned(bob, 1), 300);
	tu_now = TU_T0 + 10 * 3600 + 1250 * DAY; /* June 2027 */
	earn(alice, 500, NULL);
	ck_assert_int_eq(earned(alice, 12), 500);
	ck_assert_int_eq(earned(alice, 36), 500);
	ck_assert_int_eq(points_tier_earned(db, alice, "PTS", 36,
	    TU_T0 + 10 * 3600, &v), POINTS_OK);
	ck_assert_int_eq(v, 0); /* January 2024 is gone */
	earn_at(alice, "PTS", 70, -1200 * DAY);  /* February 2024 */
	ck_assert_int_eq(earned(alice, 36), 500);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 1570);
	ck_assert_str_eq(tier_of(alice), "");
	ck_assert_str_eq(tier_of(bob), "");
}
END_TEST

/* A reversal takes back only what the figures counted: the refund of an
 * earn made before any tier qualified on its asset, later or earlier
 * than the counted months or in one of them, leaves the others alone
 * and a month at 0, never below. */
START_TEST(test_reversal_of_uncounted_earns)
{
	points_txn before, newer, same;

	before = earn_at(alice, "PTS", 300, -10 * DAY);   /* December 2023 */
	tu_now += 60 * DAY;                               /* March 2024 */
	newer = earn_at(alice, "PTS", 400, 0);
	same = earn_at(alice, "PTS", 300, -59 * DAY);     /* January 2024 */
	table();
	earn_at(alice, "PTS", 100, -59 * DAY);            /* January 2024 */
	ck_assert_int_eq(earned(alice, 12), 100);
	reverse_all(&newer);
	ck_assert_int_eq(earned(alice, 12), 100);
	reverse_all(&before);
	ck_assert_int_eq(earned(alice, 12), 100);
	earn_at(alice, "PTS", 10, -20 * DAY);             /* February 2024 */
	ck_assert_int_eq(earned(alice, 12), 110);
	reverse_all(&same);
	ck_assert_int_eq(earned(alice, 12), 10);
	ck_assert_int_eq(earned(alice, 1), 0);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 110);
}
END_TEST

/* The reason of a move shows the figures in the asset's unit. */
START_TEST(test_reason_in_the_assets_unit)
{
	points_account_change c[2];

	ck_assert_int_eq(points_tier_set(db, "silver", 1, 150), POINTS_OK);
	ck_assert_int_eq(points_tier_qualify(db, "silver", "YE", 150000, 12),
	    POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "YE", 123456, NULL), POINTS_OK);
	ck_assert_str_eq(tier_of(alice), "");
	ck_assert_int_eq(tu_earn(db, alice, "YE", 26600, NULL), POINTS_OK);
	ck_assert_str_eq(tier_of(alice), "silver");
	ck_assert_int_eq(tier_changes(alice, c, 2), 1);
	ck_assert_str_eq(c[0].reason, "earned 1,500.56 YE in the 12 months "
	    "to 2024-01-01; silver needs 1,500.00");
}
END_TEST

/* Two tiers of one rank that both qualify: the account takes the one
 * whose name is first in byte order, on an earn and in the sweep; a
 * higher rank still wins. */
START_TEST(test_equal_ranks_by_name)
{
	points_tier_sweep_report rep;

	ck_assert_int_eq(points_tier_set(db, "normal", 0, 100), POINTS_OK);
	ck_assert_int_eq(points_tier_set(db, "beta", 1, 120), POINTS_OK);
	ck_assert_int_eq(points_tier_set(db, "alpha", 1, 110), POINTS_OK);
	ck_assert_int_eq(points_tier_set(db, "top", 2, 200), POINTS_OK);
	ck_assert_int_eq(points_tier_qualify(db, "beta", "PTS", 100, 12),
	    POINTS_OK);
	ck_assert_int_eq(points_tier_qualify(db, "alpha", "PTS", 100, 12),
	    POINTS_OK);
	ck_assert_int_eq(points_tier_qualify(db, "top", "PTS", 1000, 12),
	    POINTS_OK);
	earn(alice, 100, NULL);
	ck_assert_str_eq(tier_of(alice), "alpha");
	/* set by hand to the other of the rank, the sweep leaves it (it
	 * still qualifies) */
	ck_assert_int_eq(points_account_update(db, bob, NULL, "beta", NULL),
	    POINTS_OK);
	earn(bob, 150, NULL);
	ck_assert_int_eq(points_tier_sweep(db, 0, &rep), POINTS_OK);
	ck_assert_str_eq(tier_of(bob), "beta");
	earn(alice, 900, NULL);
	ck_assert_str_eq(tier_of(alice), "top");
	/* a year on, alice falls to the first of rank 0 */
	tu_now += 400 * DAY;
	ck_assert_int_eq(points_tier_sweep(db, 0, &rep), POINTS_OK);
	ck_assert_str_eq(tier_of(alice), "normal");
	ck_assert_str_eq(tier_of(bob), "normal");
}
END_TEST

/* More accounts than a chunk: every one is evaluated. */
START_TEST(test_sweep_in_chunks)
{
	points_tier_sweep_report rep;
	int64_t ids[POINTS_TIER_SWEEP_CHUNK + 20];
	char ext[32];
	int i;

	table();
	for (i = 0; i < POINTS_TIER_SWEEP_CHUNK + 20; i++) {
		snprintf(ext, sizeof(ext), "X%d", i);
		ids[i] = tu_account(db, ext);
		if (i % 100 == 0)
			earn(ids[i], 5000, NULL);
	}
	ck_assert_str_eq(tier_of(ids[POINTS_TIER_SWEEP_CHUNK]), "gold");
	tu_now += 400 * DAY;
	ck_assert_int_eq(points_tier_sweep(db, 0, &rep), POINTS_OK);
	ck_assert_int_eq(rep.accounts, POINTS_TIER_SWEEP_CHUNK + 20 + 2);
	ck_assert_int_eq(rep.downgraded, 11);
	ck_assert_str_eq(tier_of(ids[POINTS_TIER_SWEEP_CHUNK]), "normal");
}
END_TEST

/* ---- A seeded random run against a model written from the docs ---- */

#define MACCTS 4
#define MEARNS 400

typedef struct mtier {
	const char *name;
	int rank;
	int64_t points; /* 0: no qualification */
	int months;
} mtier;

static const mtier mtiers[] = {
	{ "normal", 0, 0, 0 },
	{ "silver", 1, 300, 3 },
	{ "gold", 2, 800, 6 },
	{ "staff", 3, 0, 0 },
};
#define NMTIERS 4

typedef struct mearn {
	int acct;
	int64_t month;
	int64_t amount; /* left after reversals */
	char txn[POINTS_ID_LEN + 1];
} mearn;

static mearn me[MEARNS];
static int nme;
static const char *mtier_of[MACCTS];

static int64_t
mmonth(int64_t t)
{
	int64_t day = t / DAY;
	/* civil from days (Howard Hinnant), enough for 1970 on */
	int64_t z = day + 719468, era = z / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 -
	    yoe / 100), mp = (5 * doy + 2) / 153;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;

	return (m <= 2 ? y + 1 : y) * 12 + m - 1;
}

static int64_t
mfigure(int a, int months, int64_t now)
{
	int64_t m = mmonth(now), sum = 0;
	int i;

	for (i = 0; i < nme; i++)
		if (me[i].acct == a && me[i].month > m - months &&
		    me[i].month <= m)
			sum += me[i].amount;
	return sum;
}

static const mtier *
mfind(const char *name)
{
	int i;

	for (i = 0; i < NMTIERS; i++)
		if (strcmp(mtiers[i].name, name) == 0)
			return &mtiers[i];
	return NULL;
}

static const mtier *
mbest(int a, int64_t now)
{
	const mtier *best = NULL;
	int i;

	for (i = 0; i < NMTIERS; i++)
		if (mtiers[i].points && mfigure(a, mtiers[i].months, now) >=
		    mtiers[i].points && (!best || mtiers[i].rank > best->rank))
			best = &mtiers[i];
	return best;
}

START_TEST(test_random_model)
{
	int64_t acct[MACCTS];
	unsigned seed = 20261203u;
	points_tier_sweep_report rep;
	char ext[16];
	int i, step;

	srand(seed);
	for (i = 0; i < NMTIERS; i++) {
		ck_assert_int_eq(points_tier_set(db, mtiers[i].name,
		    mtiers[i].rank, 100 + 50 * mtiers[i].rank), POINTS_OK);
		if (mtiers[i].points)
			ck_assert_int_eq(points_tier_qualify(db,
			    mtiers[i].name, "PTS", mtiers[i].points,
			    mtiers[i].months), POINTS_OK);
	}
	for (i = 0; i < MACCTS; i++) {
		snprintf(ext, sizeof(ext), "M%d", i);
		acct[i] = tu_account(db, ext);
		mtier_of[i] = "";
	}
	nme = 0;
	for (step = 0; step < 600; step++) {
		int op = rand() % 10, a = rand() % MACCTS;

		if (op < 5 && nme < MEARNS) {
			/* an earn, maybe backdated by up to 90 days */
			points_posting p = tu_posting("PTS", acct[a],
			    1 + rand() % 200);
			points_txn t;
			const mtier *b, *cur;

			if (rand() % 4 == 0)
				p.time = tu_now - (rand() % 90) * DAY;
			ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
			me[nme].acct = a;
			me[nme].month = mmonth(p.time ? p.time : tu_now);
			me[nme].amount = p.amount;
			strcpy(me[nme].txn, t.id);
			nme++;
			b = mbest(a, tu_now);
			cur = mfind(mtier_of[a]);
			if (b && (!cur || b->rank > cur->rank))
				mtier_of[a] = b->name;
		} else if (op == 5 && nme > 0) {
			/* a partial refund of an earlier earn */
			int k = rand() % nme;
			points_reversal rv = POINTS_REVERSAL_INIT;
			points_txn t;

			if (me[k].amount == 0)
				continue;
			rv.txn_id = me[k].txn;
			rv.amount = 1 + rand() % me[k].amount;
			rv.flags = 0;
			ck_assert_int_eq(points_reverse(db, &rv, &t),
			    POINTS_OK);
			me[k].amount -= rv.amount;
		} else if (op == 6) {
			tu_now += (rand() % 40) * DAY;
		} else if (op == 7) {
			/* the sweep, as the docs say */
			const mtier *cur = mfind(mtier_of[a]);
			int j;

			ck_assert_int_eq(points_tier_sweep(db, 0, &rep),
			    POINTS_OK);
			for (j = 0; j < MACCTS; j++) {
				const mtier *b = mbest(j, tu_now);

				cur = mfind(mtier_of[j]);
				if (cur && cur->points &&
				    mfigure(j, cur->months, tu_now) <
				    cur->points)
					mtier_of[j] = b ? b->name : "normal";
				else if (b && (!cur || b->rank > cur->rank))
					mtier_of[j] = b->name;
			}
		} else if (op == 8) {
			/* a tier set by hand */
			const char *names[] = { "", "normal", "silver",
				"gold", "staff" };
			const char *n = names[rand() % 5];

			if (rand() % 3)
				continue;
			ck_assert_int_eq(points_account_update(db, acct[a],
			    NULL, n, NULL), POINTS_OK);
			mtier_of[a] = n;
		}
		for (i = 0; i < MACCTS; i++) {
			ck_assert_msg(strcmp(tier_of(acct[i]), mtier_of[i]) ==
			    0, "step %d: account %d is '%s', the model says "
			    "'%s'", step, i, tier_of(acct[i]), mtier_of[i]);
			ck_assert_int_eq(earned(acct[i], 6),
			    mfigure(i, 6, tu_now));
		}
	}
}
END_TEST

/* Whether keyspace ks of the ledger holds a record. */
static int
keyspace_used(const char *ks)
{
	points_store *st = tu_store(db);
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	int rc;

	ck_assert_int_eq(st->begin(st, 0), POINTS_OK);
	ck_assert_int_eq(st->cursor_open(st, tu_keyspace(db, ks), NULL, 0,
	    NULL, 0, 0, &c), POINTS_OK);
	rc = st->cursor_next(st, c, &k, &kl, &v, &vl);
	st->cursor_close(st, c);
	st->rollback(st);
	return rc == POINTS_OK;
}

/* Format 1's record of account's figures in keyspace "tierearn": earned
 * in the month of tu_now. */
static void
put_format_1_figures(int64_t account, int64_t earned)
{
	points_store *st = tu_store(db);
	points_asset_rec a;
	points_civil c = points_cal__civil(points_db__day(db, tu_now));
	unsigned char k[12];
	points_buf b;

	ck_assert_int_eq(points_db__read_begin(db), POINTS_OK);
	ck_assert_int_eq(points_asset__find(db, "PTS", &a), POINTS_OK);
	points_db__read_end(db);
	points_codec__put_be64(k, (uint64_t)account);
	points_codec__put_be32(k + 8, (uint32_t)a.id);
	points_buf__init(&b);
	points_buf__u8(&b, 1);                              /* version */
	points_buf__svar(&b, c.year * 12 + c.month - 1);    /* last month */
	points_buf__uvar(&b, 1);                            /* one month */
	points_buf__svar(&b, earned);
	ck_assert(!b.err);
	ck_assert_int_eq(st->begin(st, 1), POINTS_OK);
	ck_assert_int_eq(st->put(st, tu_keyspace(db, "tierearn"), k, 12,
	    b.data, b.len), POINTS_OK);
	ck_assert_int_eq(st->commit(st), POINTS_OK);
	points_buf__free(&b);
}

/* A ledger of format 1 kept the figures in keyspace "tierearn":
 * opening it moves them into the balance records (a closed account's
 * are dropped) and empties the keyspace. */
START_TEST(test_format_1_figures_move)
{
	points_store *st;
	struct points_keyspace *meta;
	int64_t carol;
	char uri[128];

	points_close(db);
	snprintf(uri, sizeof(uri), "%s", tu_sqlite_uri());
	db = tu_open(uri);
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	carol = tu_account(db, "E1003");
	earn(bob, 100, NULL); /* before any qualification: not counted */
	ck_assert_int_eq(points_account_close(db, carol),
	    POINTS_OK);
	table();
	ck_assert_int_eq(earned(bob, 12), 0);
	put_format_1_figures(bob, 4900);
	put_format_1_figures(alice, 30); /* no balance yet */
	put_format_1_figures(carol, 70);
	st = tu_store(db);
	ck_assert_int_eq(st->keyspace(st, "meta", 0, &meta), POINTS_OK);
	ck_assert_int_eq(st->begin(st, 1), POINTS_OK);
	ck_assert_int_eq(st->put(st, meta, "module:tier", 11, "\x01", 1),
	    POINTS_OK);
	ck_assert_int_eq(st->commit(st), POINTS_OK);
	points_close(db);

	db = tu_open_bare(uri);
	ck_assert(!keyspace_used("tierearn"));
	ck_assert_int_eq(earned(bob, 12), 4900);
	ck_assert_int_eq(earned(alice, 12), 30);
	ck_assert_str_eq(tier_of(bob), "");
	earn(bob, 100, NULL);
	ck_assert_str_eq(tier_of(bob), "gold");
	ck_assert_int_eq(earned(bob, 12), 5000);
}
END_TEST

/* Tier figures damaged in an account's balance record (a bad version,
 * no months, more months than any window, a byte past the end, cut
 * short) make the figures read and the next earn refuse as damage,
 * naming the account and the asset, writing nothing. */
START_TEST(test_damaged_tier_figures_are_refused)
{
	static const unsigned char bad[5][6] = {
		{ 2, 0, 1, 0 }, { 1, 0, 0 }, { 1, 0, 37 }, { 1, 0, 1, 0, 0 },
		{ 1, 0, 2, 0 },
	};
	static const size_t len[5] = { 4, 3, 3, 5, 4 };
	points_store *st;
	points_balance_rec b;
	points_asset_rec a;
	int64_t got = -7;
	char want[96];

	table();
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 100, NULL), POINTS_OK);
	st = tu_store(db);
	ck_assert_int_eq(st->begin(st, 1), POINTS_OK);
	ck_assert_int_eq(points_asset__find(db, "PTS", &a), POINTS_OK);
	points_balance__init(&b, alice, a.id, 0);
	ck_assert_int_eq(points_balance__load(db, &b), POINTS_OK);
	ck_assert_int_eq(points_balance__data_set(db, &b,
	    POINTS_BALANCE_DATA_TIER_EARN, bad[_i], len[_i]), POINTS_OK);
	ck_assert_int_eq(points_balance__store(db, &b, 0), POINTS_OK);
	ck_assert_int_eq(st->commit(st), POINTS_OK);
	points_balance__free(&b);
	snprintf(want, sizeof(want), "account %lld: tier figures of asset %u "
	    "unreadable", (long long)alice, (unsigned)a.id);
	ck_assert_int_eq(points_tier_earned(db, alice, "PTS", 12, 0, &got),
	    POINTS_ECORRUPT);
	ck_assert_str_eq(points_errmsg(db), want);
	ck_assert_int_eq(got, -7);
	TU_FAILS(db, tu_earn(db, alice, "PTS", 5, NULL), POINTS_ECORRUPT);
	ck_assert_str_eq(points_errmsg(db), want);
	/* bob's figures are sound */
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 5, NULL), POINTS_OK);
	ck_assert_int_eq(points_tier_earned(db, bob, "PTS", 12, 0, &got),
	    POINTS_OK);
	ck_assert_int_eq(got, 5);
	/* the ledger is damaged: teardown's check would say so */
	points_close(db);
	db = tu_open("memory:");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tier");
	TCase *tc = tcase_create("tier");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_upgrade_by_earn_crossing_threshold);
	tcase_add_test(tc, test_other_handles_tier_seen_by_next_earn);
	tcase_add_test(tc, test_multiplier_applies_to_next_event);
	tcase_add_test(tc, test_sweep_downgrades_after_window);
	tcase_add_test(tc, test_what_counts);
	tcase_add_test(tc, test_manual_tiers);
	tcase_add_test(tc, test_sweep_frozen_and_closed);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_figures_after_long_pauses);
	tcase_add_loop_test(tc, test_damaged_tier_figures_are_refused, 0, 5);
	tcase_add_test(tc, test_reversal_of_uncounted_earns);
	tcase_add_test(tc, test_reason_in_the_assets_unit);
	tcase_add_test(tc, test_equal_ranks_by_name);
	tcase_add_test(tc, test_sweep_in_chunks);
	tcase_add_test(tc, test_random_model);
	tcase_add_test(tc, test_format_1_figures_move);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
