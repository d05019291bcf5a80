/* check_rule_outcomes.c - what an event's outcome says when a rule's
 * expression gives what it may not (a beneficiary that is no open user
 * account, a condition that is no bool, negative points, a bad cap key,
 * multipliers that overflow), and when a rule is outside its active
 * period or its window: the outcome names the reason, the rule pays
 * nothing, and the other rules of the event still pay. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "points/rules.h"

static points_db *db;
static int64_t alice, bob;

static void
setup(void)
{
	tu_now = TU_T0 + 10 * 3600; /* Monday 2024-01-01, 10:00 */
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

static points_rule_def
rule(const char *name, const char *cond, const char *pts)
{
	points_rule_def d;

	ck_assert_int_eq(points_rule_def_init(&d, POINTS_RULE_DEF_VERSION),
	    POINTS_OK);
	d.name = name;
	d.event_type = "purchase";
	d.condition = cond;
	d.points = pts;
	d.asset = "PTS";
	d.state = POINTS_RULE_ACTIVE;
	d.author = "ops";
	return d;
}

static void
save(const points_rule_def *d)
{
	points_rule r;

	ck_assert_msg(points_rule_save(db, d, &r) == POINTS_OK, "%s: %s",
	    d->name, points_errmsg(db));
}

/* Apply a purchase of alice with attrs; the outcome of rule name, the
 * points the event paid in all in *total. */
static points_rule_outcome
apply(const char *id, int64_t amount, const char *attrs, const char *name,
    int64_t *total)
{
	points_event e;
	points_event_result *r = NULL;
	points_event_summary s;
	points_rule_outcome o;
	int64_t i;

	ck_assert_int_eq(points_event_init(&e, POINTS_EVENT_VERSION),
	    POINTS_OK);
	e.id = id;
	e.type = "purchase";
	e.account = alice;
	e.amount = amount;
	e.attrs = attrs;
	ck_assert_msg(points_event_apply(db, &e, &r) == POINTS_OK, "%s: %s",
	    id, points_errmsg(db));
	ck_assert_int_eq(points_event_result_summary(r, &s), POINTS_OK);
	if (total)
		*total = s.points;
	for (i = 0; i < s.outcomes; i++) {
		ck_assert_int_eq(points_event_result_outcome(r, i, &o),
		    POINTS_OK);
		if (strcmp(o.rule, name) == 0) {
			points_event_result_free(r);
			return o;
		}
	}
	points_event_result_free(r);
	ck_abort_msg("event %s: no outcome of rule %s", id, name);
	return o;
}

/* The outcome of name for the event is an error saying want, and the
 * event paid exactly the "base" rule's 1 point. */
static void
errs(const char *id, const char *attrs, const char *name, const char *want)
{
	points_rule_outcome o;
	int64_t total;

	o = apply(id, 0, attrs, name, &total);
	ck_assert_int_eq(o.status, POINTS_OUTCOME_ERROR);
	ck_assert_int_eq(o.points, 0);
	ck_assert_str_eq(o.txn_id, "");
	ck_assert_msg(strcmp(o.reason, want) == 0, "%s: \"%s\", wanted \"%s\"",
	    id, o.reason, want);
	ck_assert_int_eq(total, 1);
}

/* A beneficiary must be an open user account, named by its id or its
 * external id; anything else is the rule's error, not the event's. */
START_TEST(test_beneficiary)
{
	points_rule_def d;
	points_rule_outcome o;
	int64_t frozen = tu_account(db, "E1003");
	int64_t closed = tu_account(db, "E1004");
	char attrs[64], want[96];

	d = rule("base", NULL, "1");
	save(&d);
	d = rule("gift", NULL, "50");
	d.beneficiary = "event.attrs.to";
	save(&d);
	ck_assert_int_eq(points_account_freeze(db, frozen), POINTS_OK);
	ck_assert_int_eq(points_account_close(db, closed), POINTS_OK);

	/* by external id and by id: paid to that account */
	o = apply("ok1", 0, "{\"to\": \"E1002\"}", "gift", NULL);
	ck_assert_int_eq(o.status, POINTS_OUTCOME_AWARDED);
	ck_assert_int_eq(o.account, bob);
	snprintf(attrs, sizeof(attrs), "{\"to\": %lld}", (long long)bob);
	o = apply("ok2", 0, attrs, "gift", NULL);
	ck_assert_int_eq(o.status, POINTS_OUTCOME_AWARDED);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 100);

	errs("e1", "{\"to\": \"E9999\"}", "gift",
	    "beneficiary: account 'E9999' not found");
	errs("e2", "{\"to\": 99999}", "gift",
	    "beneficiary: account 99999 not found");
	errs("e3", "{\"to\": true}", "gift",
	    "beneficiary: gave a bool, not an account id or external id");
	errs("e4", "{\"to\": \"\"}", "gift",
	    "beneficiary: gave a string, not an account id or external id");
	errs("e5", "{\"to\": [1]}", "gift",
	    "beneficiary: gave a list, not an account id or external id");
	errs("e6", "{\"to\": \"system:issuer\"}", "gift",
	    "beneficiary: account system:issuer is a system account");
	errs("e7", "{\"to\": \"E1003\"}", "gift",
	    "beneficiary: account E1003 is frozen");
	snprintf(attrs, sizeof(attrs), "{\"to\": %lld}", (long long)closed);
	snprintf(want, sizeof(want), "beneficiary: account E1004 is closed");
	errs("e8", attrs, "gift", want);
	/* nobody but alice (the base rule) and bob (the two gifts) got any */
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 10);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 100);
	ck_assert_int_eq(tu_available(db, frozen, "PTS"), 0);
}
END_TEST

/* A condition gives a bool, the points an int of at least 0, a cap key
 * an int or a string of 1-128 bytes: the rule's error otherwise. */
START_TEST(test_expression_types)
{
	points_rule_def d;
	char attrs[256], want[160], longkey[200];
	points_rule got;

	d = rule("base", NULL, "1");
	save(&d);
	d = rule("flagged", "event.attrs.flag", "5");
	save(&d);
	errs("c1", "{\"flag\": 1}", "flagged",
	    "condition: gave a int, not a bool");
	errs("c2", "{\"flag\": \"yes\"}", "flagged",
	    "condition: gave a string, not a bool");
	ck_assert_int_eq(apply("c3", 0, "{\"flag\": true}", "flagged",
	    NULL).status, POINTS_OUTCOME_AWARDED);
	ck_assert_int_eq(points_rule_set_state(db, "flagged",
	    POINTS_RULE_RETIRED, "ops", NULL, &got), POINTS_OK);

	d = rule("count", NULL, "event.attrs.n");
	save(&d);
	errs("p1", "{\"n\": \"7\"}", "count",
	    "points: gave a string, not an int");
	errs("p2", "{\"n\": -5}", "count", "points: gave -5, below zero");
	errs("p3", "{\"n\": null}", "count", "points: gave a null, not an int");
	ck_assert_int_eq(points_rule_set_state(db, "count",
	    POINTS_RULE_RETIRED, "ops", NULL, &got), POINTS_OK);

	d = rule("keyed", NULL, "3");
	d.cap_key = "event.attrs.k";
	d.cap_key_limit = 1;
	save(&d);
	snprintf(want, sizeof(want), "cap_key: gave a list, not an int or a "
	    "string of 1-128 bytes");
	errs("k1", "{\"k\": [\"a\"]}", "keyed", want);
	snprintf(want, sizeof(want), "cap_key: gave a string, not an int or "
	    "a string of 1-128 bytes");
	errs("k2", "{\"k\": \"\"}", "keyed", want);
	memset(longkey, 'x', 129);
	longkey[129] = '\0';
	snprintf(attrs, sizeof(attrs), "{\"k\": \"%s\"}", longkey);
	errs("k3", attrs, "keyed", want);
	/* 128 bytes is a key: paid once, then capped */
	longkey[128] = '\0';
	snprintf(attrs, sizeof(attrs), "{\"k\": \"%s\"}", longkey);
	ck_assert_int_eq(apply("k4", 0, attrs, "keyed", NULL).status,
	    POINTS_OUTCOME_AWARDED);
	ck_assert_int_eq(apply("k5", 0, attrs, "keyed", NULL).status,
	    POINTS_OUTCOME_CAPPED);
	/* an int key counts as its digits */
	ck_assert_int_eq(apply("k6", 0, "{\"k\": 42}", "keyed", NULL).status,
	    POINTS_OUTCOME_AWARDED);
	ck_assert_int_eq(apply("k7", 0, "{\"k\": \"42\"}", "keyed",
	    NULL).status, POINTS_OUTCOME_CAPPED);
	/* 1 (base) x 9 events + 5 + 3 + 3 */
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 9 + 5 + 3 + 3);
}
END_TEST

/* A rule is in force from active_from and before active_until. */
START_TEST(test_active_period)
{
	points_rule_def d;
	points_rule_outcome o;
	int64_t from = TU_T0 + 86400, until = TU_T0 + 3 * 86400;

	d = rule("promo", NULL, "20");
	d.active_from = from;
	d.active_until = until;
	save(&d);
	o = apply("a1", 0, NULL, "promo", NULL);
	ck_assert_int_eq(o.status, POINTS_OUTCOME_INACTIVE);
	ck_assert_str_eq(o.reason, "outside its active period");
	tu_now = from;
	ck_assert_int_eq(apply("a2", 0, NULL, "promo", NULL).status,
	    POINTS_OUTCOME_AWARDED);
	tu_now = until - 1;
	ck_assert_int_eq(apply("a3", 0, NULL, "promo", NULL).status,
	    POINTS_OUTCOME_AWARDED);
	tu_now = until;
	o = apply("a4", 0, NULL, "promo", NULL);
	ck_assert_int_eq(o.status, POINTS_OUTCOME_INACTIVE);
	ck_assert_str_eq(o.reason, "outside its active period");
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 40);
}
END_TEST

/* A window of days of the month: its percent applies on those days;
 * a rule that awards only in its window is inactive on the others. */
START_TEST(test_monthday_window)
{
	points_rule_def d;
	points_rule_outcome o;

	d = rule("payday", NULL, "10");
	d.window_percent = 300;
	d.window_monthdays = 1u << 14; /* the 15th */
	save(&d);
	d = rule("payday.only", NULL, "4");
	d.window_percent = 100;
	d.window_monthdays = 1u << 14;
	d.flags = POINTS_RULE_WINDOW_ONLY;
	save(&d);

	ck_assert_int_eq(apply("m1", 0, NULL, "payday", NULL).points, 10);
	o = apply("m2", 0, NULL, "payday.only", NULL);
	ck_assert_int_eq(o.status, POINTS_OUTCOME_INACTIVE);
	ck_assert_str_eq(o.reason, "outside its window");
	tu_now = TU_T0 + 14 * 86400 + 60; /* 2024-01-15 */
	ck_assert_int_eq(apply("m3", 0, NULL, "payday", NULL).points, 30);
	ck_assert_int_eq(apply("m4", 0, NULL, "payday.only", NULL).points, 4);
	tu_now = TU_T0 + 15 * 86400; /* the 16th */
	ck_assert_int_eq(apply("m5", 0, NULL, "payday", NULL).points, 10);
	ck_assert_int_eq(apply("m6", 0, NULL, "payday.only", NULL).status,
	    POINTS_OUTCOME_INACTIVE);
	/* 10 x 3 + 30 x 2 (each event runs both rules) ... */
	ck_assert_int_eq(tu_available(db, alice, "PTS"),
	    10 + 10 + 30 + 4 + 30 + 4 + 10 + 10);
}
END_TEST

/* The window's and the tier's multipliers may not overflow the points:
 * the rule's error, nothing paid. */
START_TEST(test_multiplier_overflow)
{
	points_rule_def d;
	char attrs[64], want[128];
	int64_t big = INT64_MAX / 2 + 1;

	d = rule("base", NULL, "1");
	save(&d);
	d = rule("doubled", NULL, "event.attrs.n");
	d.window_percent = 200;
	save(&d);
	snprintf(attrs, sizeof(attrs), "{\"n\": %lld}", (long long)big);
	snprintf(want, sizeof(want), "points: %lld times the multipliers "
	    "overflows", (long long)big);
	errs("o1", attrs, "doubled", want);
	/* just under: paid */
	snprintf(attrs, sizeof(attrs), "{\"n\": %lld}", (long long)1000);
	ck_assert_int_eq(apply("o2", 0, attrs, "doubled", NULL).points, 2000);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 2 + 2000);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("rule_outcomes");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_beneficiary);
	tcase_add_test(tc, test_expression_types);
	tcase_add_test(tc, test_active_period);
	tcase_add_test(tc, test_monthday_window);
	tcase_add_test(tc, test_multiplier_overflow);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(suite());
}
