/* check_rules.c - earning rules: the HR and shop examples of the issue
 * with their numbers, versions, tiers, windows, caps, budgets, exclusive
 * rules, idempotent events, preview, the event log, and every refusal.
 * The ledgers are "memory:" (make check-c runs the suite on SQLite
 * too). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static points_db *db;
static int64_t alice, bob, carol;

static void
setup(void)
{
	/* 2024-01-01 is a Monday */
	tu_now = TU_T0 + 10 * 3600;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	carol = tu_account(db, "E1003");
}

static void
teardown(void)
{
	tu_invariants(db);
	points_close(db);
	db = NULL;
	tu_cleanup();
}

/* A rule of PTS in force, by the admin; the rest as the caller sets. */
static points_rule_def
rule(const char *name, const char *type, const char *cond, const char *pts)
{
	points_rule_def d = POINTS_RULE_DEF_INIT;

	d.name = name;
	d.event_type = type;
	d.condition = cond;
	d.points = pts;
	d.asset = "PTS";
	d.state = POINTS_RULE_ACTIVE;
	d.author = "admin";
	d.reason = "launch";
	return d;
}

static void
save(const points_rule_def *d)
{
	points_rule r;

	ck_assert_msg(points_rule_save(db, d, &r) == POINTS_OK, "%s: %s",
	    d->name, points_errmsg(db));
}

static void
add(const char *name, const char *type, const char *cond, const char *pts)
{
	points_rule_def d = rule(name, type, cond, pts);

	save(&d);
}

/* Apply an event; its result (freed by the caller). */
static points_event_result *
apply_full(const char *id, const char *type, int64_t acct, int64_t amount,
    const char *attrs, int expect)
{
	points_event e = POINTS_EVENT_INIT;
	points_event_result *r = NULL;
	int rc;

	e.id = id;
	e.type = type;
	e.account = acct;
	e.amount = amount;
	e.attrs = attrs;
	rc = points_event_apply(db, &e, &r);
	ck_assert_msg(rc == expect, "event %s: %d %s", id, rc,
	    points_errmsg(db));
	return r;
}

/* Apply an event; the points it gave in all. */
static int64_t
apply(const char *id, const char *type, int64_t acct, int64_t amount,
    const char *attrs)
{
	points_event_result *r = apply_full(id, type, acct, amount, attrs,
	    POINTS_OK);
	points_event_summary s;

	ck_assert_int_eq(points_event_result_summary(r, &s), POINTS_OK);
	points_event_result_free(r);
	return s.points;
}

/* The outcome of rule name in r. */
static points_rule_outcome
outcome(const points_event_result *r, const char *name)
{
	points_event_summary s;
	points_rule_outcome o;
	int64_t i;

	ck_assert_int_eq(points_event_result_summary(r, &s), POINTS_OK);
	for (i = 0; i < s.outcomes; i++) {
		ck_assert_int_eq(points_event_result_outcome(r, i, &o),
		    POINTS_OK);
		if (strcmp(o.rule, name) == 0)
			return o;
	}
	ck_abort_msg("no outcome for rule %s", name);
	return o;
}

/* The newest entry of account acct in PTS: its memo. */
static void
newest_memo(int64_t acct, char *out, size_t n)
{
	points_statement_iterator *it;
	points_entry en;

	ck_assert_int_eq(points_statement_iterator_new(db, acct, "PTS", 0, 0,
	    POINTS_NEWEST_FIRST, &it), POINTS_OK);
	ck_assert_int_eq(points_statement_next(it, &en), POINTS_OK);
	points_statement_iterator_free(it);
	snprintf(out, n, "%s", en.memo);
}

/* An award's entry says which event and which rule versions gave it,
 * in the order they fired; a memo past POINTS_MEMO_MAX ends in "...". */
START_TEST(test_award_memo)
{
	static const char *const longn[] = {
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa3",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa4",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa5",
	};
	char memo[POINTS_MEMO_MAX + 1], want[POINTS_MEMO_MAX * 2];
	points_rule_def d;
	size_t i;

	d = rule("course", "training", NULL, "30");
	d.priority = 2;
	save(&d);
	d = rule("certificate", "training", "has(event.attrs.cert)", "200");
	d.priority = 1;
	save(&d);
	d = rule("course", "training", NULL, "35");
	d.reason = "raise";
	d.priority = 2;
	save(&d); /* version 2 */
	ck_assert_int_eq(apply("t-1", "training", alice, 0,
	    "{\"cert\": true}"), 235);
	newest_memo(alice, memo, sizeof(memo));
	ck_assert_str_eq(memo, "event t-1: course v2 certificate v1");

	for (i = 0; i < sizeof(longn) / sizeof(longn[0]); i++)
		add(longn[i], "long", NULL, "1");
	ck_assert_int_eq(apply("l-1", "long", bob, 0, NULL), 5);
	newest_memo(bob, memo, sizeof(memo));
	snprintf(want, sizeof(want), "event l-1:");
	for (i = 0; i < sizeof(longn) / sizeof(longn[0]); i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
		    " %s v1", longn[i]);
	ck_assert_uint_gt(strlen(want), POINTS_MEMO_MAX);
	memcpy(want + POINTS_MEMO_MAX - 3, "...", 4);
	ck_assert_str_eq(memo, want);
}
END_TEST

START_TEST(test_hr_examples)
{
	/* performance: a module on time, 50-200 by difficulty, +50 if its
	 * users rate it well */
	add("perf.module", "module_delivered", "event.attrs.on_time",
	    "{\"easy\": 50, \"medium\": 120, \"hard\": 200}"
	    "[event.attrs.difficulty]");
	add("perf.rating", "module_delivered",
	    "has(event.attrs.rating) && event.attrs.rating >= 4", "50");
	/* training: a two-day course 30, a certificate 200 */
	add("training.course", "training", "event.attrs.kind == 'course' && "
	    "event.attrs.days >= 2", "30");
	add("training.cert", "training", "event.attrs.kind == 'certificate'",
	    "200");
	/* teamwork: an adopted idea 20; helping another department 30-80 */
	add("team.idea", "idea_adopted", NULL, "20");
	add("team.help", "helped_department", NULL,
	    "min(max(event.amount, 30), 80)");
	/* culture: volunteering 20; speaking well in public 10 */
	add("culture.volunteer", "volunteered", NULL, "20");
	add("culture.speech", "spoke_publicly", NULL, "10");

	ck_assert_int_eq(apply("m1", "module_delivered", alice, 0,
	    "{\"on_time\": true, \"difficulty\": \"hard\", \"rating\": 5}"),
	    250);
	ck_assert_int_eq(apply("m2", "module_delivered", alice, 0,
	    "{\"on_time\": true, \"difficulty\": \"easy\", \"rating\": 3}"),
	    50);
	ck_assert_int_eq(apply("m3", "module_delivered", bob, 0,
	    "{\"on_time\": false, \"difficulty\": \"medium\"}"), 0);
	ck_assert_int_eq(apply("m4", "module_delivered", bob, 0,
	    "{\"on_time\": true, \"difficulty\": \"medium\"}"), 120);
	ck_assert_int_eq(apply("t1", "training", carol, 0,
	    "{\"kind\": \"course\", \"days\": 2}"), 30);
	ck_assert_int_eq(apply("t2", "training", carol, 0,
	    "{\"kind\": \"course\", \"days\": 1}"), 0);
	ck_assert_int_eq(apply("t3", "training", carol, 0,
	    "{\"kind\": \"certificate\"}"), 200);
	ck_assert_int_eq(apply("i1", "idea_adopted", bob, 0, NULL), 20);
	ck_assert_int_eq(apply("h1", "helped_department", bob, 10, NULL), 30);
	ck_assert_int_eq(apply("h2", "helped_department", bob, 55, NULL), 55);
	ck_assert_int_eq(apply("h3", "helped_department", bob, 500, NULL), 80);
	ck_assert_int_eq(apply("v1", "volunteered", alice, 0, NULL), 20);
	ck_assert_int_eq(apply("s1", "spoke_publicly", alice, 0, NULL), 10);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 250 + 50 + 20 + 10);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 120 + 20 + 30 + 55 + 80);
	ck_assert_int_eq(tu_available(db, carol, "PTS"), 230);
}
END_TEST

START_TEST(test_shop_examples)
{
	points_rule_def d;
	points_event_result *r;
	points_rule_outcome o;

	/* spending: 1 point per yuan (amounts in fen) */
	add("spend", "purchase", NULL, "event.amount / 100");
	/* registering: 50, once */
	d = rule("register", "registered", NULL, "50");
	d.cap_unit = POINTS_CAP_AWARDS;
	d.cap_total = 1;
	save(&d);
	/* sharing a link: 10; +50 to the sharer when a friend buys through
	 * it, once per friend */
	add("share", "shared", NULL, "10");
	d = rule("referral", "purchase", "has(event.attrs.referrer)", "50");
	d.beneficiary = "event.attrs.referrer";
	d.cap_key = "event.account";
	d.cap_key_limit = 1;
	d.cap_unit = POINTS_CAP_AWARDS;
	save(&d);

	ck_assert_int_eq(apply("r1", "registered", alice, 0, NULL), 50);
	ck_assert_int_eq(apply("r2", "registered", alice, 0, NULL), 0);
	ck_assert_int_eq(apply("sh1", "shared", alice, 0, NULL), 10);
	/* bob buys 128.50 yuan through alice's link */
	r = apply_full("o1", "purchase", bob, 12850,
	    "{\"referrer\": \"E1001\"}", POINTS_OK);
	o = outcome(r, "spend");
	ck_assert_int_eq(o.points, 128);
	ck_assert_int_eq(o.account, bob);
	o = outcome(r, "referral");
	ck_assert_int_eq(o.status, POINTS_OUTCOME_AWARDED);
	ck_assert_int_eq(o.points, 50);
	ck_assert_int_eq(o.account, alice);
	points_event_result_free(r);
	/* bob again through the same link: the sharer is paid once */
	r = apply_full("o2", "purchase", bob, 5000,
	    "{\"referrer\": \"E1001\"}", POINTS_OK);
	o = outcome(r, "referral");
	ck_assert_int_eq(o.status, POINTS_OUTCOME_CAPPED);
	ck_assert_int_eq(o.points, 0);
	{
		char want[64];

		snprintf(want, sizeof(want), "the cap on '%lld' is reached",
		    (long long)bob);
		ck_assert_str_eq(o.reason, want);
	}
	points_event_result_free(r);
	/* another friend pays again */
	ck_assert_int_eq(apply("o3", "purchase", carol, 1000,
	    "{\"referrer\": \"E1001\"}"), 10 + 50);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 50 + 10 + 50 + 50);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 128 + 50);
	ck_assert_int_eq(tu_available(db, carol, "PTS"), 10);
}
END_TEST

START_TEST(test_tiers_and_window)
{
	points_rule_def d;
	points_tier t;

	ck_assert_int_eq(points_tier_set(db, "normal", 0, 100), POINTS_OK);
	ck_assert_int_eq(points_tier_set(db, "silver", 1, 150), POINTS_OK);
	ck_assert_int_eq(points_tier_set(db, "gold", 2, 200), POINTS_OK);
	ck_assert_int_eq(points_tier_get(db, "silver", &t), POINTS_OK);
	ck_assert_int_eq(t.rank, 1);
	ck_assert_int_eq(t.percent, 150);
	ck_assert_int_eq(points_account_update(db, bob, NULL, "silver", NULL),
	    POINTS_OK);
	ck_assert_int_eq(points_account_update(db, carol, NULL, "gold", NULL),
	    POINTS_OK);
	/* double points on Saturdays */
	d = rule("spend", "purchase", NULL, "event.amount / 100");
	d.window_weekdays = 1u << 5;
	d.window_percent = 200;
	save(&d);
	/* Monday */
	ck_assert_int_eq(apply("a1", "purchase", alice, 10000, NULL), 100);
	ck_assert_int_eq(apply("b1", "purchase", bob, 10000, NULL), 150);
	ck_assert_int_eq(apply("c1", "purchase", carol, 10000, NULL), 200);
	/* Saturday: the window and the tier together, rounded down once */
	tu_now += 5 * TU_DAY;
	ck_assert_int_eq(apply("a2", "purchase", alice, 10000, NULL), 200);
	ck_assert_int_eq(apply("b2", "purchase", bob, 10100, NULL), 303);
	ck_assert_int_eq(apply("c2", "purchase", carol, 10000, NULL), 400);
	/* a rule that ignores tiers, and one only inside its window */
	d = rule("flat", "visit", NULL, "7");
	d.flags = POINTS_RULE_NO_TIER;
	save(&d);
	d = rule("sat-visit", "visit", NULL, "3");
	d.flags = POINTS_RULE_WINDOW_ONLY;
	d.window_weekdays = 1u << 5;
	d.window_percent = 100;
	save(&d);
	ck_assert_int_eq(apply("v1", "visit", carol, 0, NULL), 7 + 6);
	tu_now += TU_DAY;
	ck_assert_int_eq(apply("v2", "visit", carol, 0, NULL), 7);
	/* the tier's multiplier changes from the next event on */
	ck_assert_int_eq(points_tier_set(db, "gold", 2, 300), POINTS_OK);
	ck_assert_int_eq(apply("c3", "purchase", carol, 1000, NULL), 30);
	ck_assert_int_eq(points_tier_set(db, "gold", -1, 300), POINTS_EINVAL);
	ck_assert_int_eq(points_tier_set(db, "gold", 1, 0), POINTS_EINVAL);
	ck_assert_int_eq(points_tier_get(db, "platinum", &t), POINTS_ENOTFOUND);
}
END_TEST

START_TEST(test_versions)
{
	points_rule_def d = rule("spend", "purchase", NULL, "event.amount / 100");
	points_rule_history_iterator *it;
	points_rule r;
	points_event_result *res;
	char *src;
	int n = 0;

	save(&d);
	ck_assert_int_eq(apply("e1", "purchase", alice, 1000, NULL), 10);
	tu_now += 60;
	d.points = "event.amount / 50";
	d.author = "hr.li";
	d.reason = "double points for the spring sale";
	ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_OK);
	ck_assert_int_eq(r.version, 2);
	ck_assert_int_eq(r.time, tu_now);
	tu_now += 60;
	ck_assert_int_eq(apply("e2", "purchase", alice, 1000, NULL), 20);
	/* an event of before the change: the version then in force */
	{
		points_event e = POINTS_EVENT_INIT;

		e.id = "e0";
		e.type = "purchase";
		e.account = alice;
		e.amount = 1000;
		e.time = tu_now - 90;
		ck_assert_int_eq(points_event_apply(db, &e, &res), POINTS_OK);
		ck_assert_int_eq(outcome(res, "spend").version, 1);
		ck_assert_int_eq(outcome(res, "spend").points, 10);
		points_event_result_free(res);
		/* nor after the clock */
		e.id = "e9";
		e.time = tu_now + 1;
		ck_assert_int_eq(points_event_apply(db, &e, &res),
		    POINTS_EINVAL);
	}
	/* why did I get 20 points */
	ck_assert_int_eq(points_event_get(db, "e2", &res), POINTS_OK);
	ck_assert_int_eq(outcome(res, "spend").version, 2);
	ck_assert_int_eq(outcome(res, "spend").formula, 20);
	points_event_result_free(res);
	/* a draft does not take effect; paused rules say so */
	d.points = "1000";
	d.state = POINTS_RULE_DRAFT;
	save(&d);
	ck_assert_int_eq(apply("e3", "purchase", alice, 1000, NULL), 20);
	ck_assert_int_eq(points_rule_set_state(db, "spend", POINTS_RULE_PAUSED,
	    "hr.li", "budget review", &r), POINTS_OK);
	ck_assert_int_eq(r.version, 4);
	res = apply_full("e4", "purchase", alice, 1000, NULL, POINTS_OK);
	ck_assert_int_eq(outcome(res, "spend").status, POINTS_OUTCOME_INACTIVE);
	ck_assert_str_eq(outcome(res, "spend").reason, "paused");
	points_event_result_free(res);
	/* the paused version was made from the draft (the latest) */
	ck_assert_int_eq(points_rule_expr_get(db, "spend", 4,
	    POINTS_RULE_EXPR_POINTS, &src), POINTS_OK);
	ck_assert_str_eq(src, "1000");
	points_free(src);
	ck_assert_int_eq(points_rule_expr_get(db, "spend", 1,
	    POINTS_RULE_EXPR_POINTS, &src), POINTS_OK);
	ck_assert_str_eq(src, "event.amount / 100");
	points_free(src);
	ck_assert_int_eq(points_rule_expr_get(db, "spend", 1,
	    POINTS_RULE_EXPR_CONDITION, &src), POINTS_OK);
	ck_assert_str_eq(src, "");
	points_free(src);
	/* retired: no new version */
	ck_assert_int_eq(points_rule_set_state(db, "spend",
	    POINTS_RULE_RETIRED, "hr.li", "replaced", &r), POINTS_OK);
	ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_ESTATE);
	ck_assert_int_eq(apply("e5", "purchase", alice, 1000, NULL), 0);
	/* the history, oldest first */
	ck_assert_int_eq(points_rule_history_iterator_new(db, "spend", &it),
	    POINTS_OK);
	while (points_rule_history_next(it, &r) == POINTS_OK) {
		n++;
		ck_assert_int_eq(r.version, n);
		if (n == 2) {
			ck_assert_str_eq(r.author, "hr.li");
			ck_assert_str_eq(r.reason,
			    "double points for the spring sale");
		}
	}
	points_rule_history_iterator_free(it);
	ck_assert_int_eq(n, 5);
	ck_assert_int_eq(points_rule_get(db, "spend", 0, &r), POINTS_OK);
	ck_assert_int_eq(r.state, POINTS_RULE_RETIRED);
	ck_assert_int_eq(points_rule_get(db, "spend", 6, &r), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_rule_get(db, "nope", 0, &r), POINTS_ENOTFOUND);
}
END_TEST

/* Every rule by name, each as its latest version; more than a fill's
 * chunk (16), and against a model after each of a seeded run of saves
 * and state changes. */
static void
assert_rule_list(const int64_t *versions, const int *states, int n)
{
	points_rule_iterator *it;
	points_rule r;
	char name[16];
	int i, k = 0, rc;

	ck_assert_int_eq(points_rule_iterator_new(db, &it), POINTS_OK);
	for (i = 0; i < n; i++) {
		if (!versions[i])
			continue;
		snprintf(name, sizeof(name), "r%02d", i);
		ck_assert_int_eq(points_rule_next(it, &r), POINTS_OK);
		ck_assert_str_eq(r.name, name);
		ck_assert_int_eq(r.version, versions[i]);
		ck_assert_int_eq(r.state, states[i]);
		k++;
	}
	rc = points_rule_next(it, &r);
	ck_assert_msg(rc == POINTS_ITEROVER, "rule %s after %d", r.name, k);
	ck_assert_int_eq(points_rule_next(it, &r), POINTS_ITEROVER);
	points_rule_iterator_free(it);
}

START_TEST(test_rule_list_by_name_latest_version)
{
	enum { N = 40 };
	int64_t versions[N] = { 0 };
	int states[N] = { 0 }, step;
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	points_rule_iterator *it;
	points_rule r;

	assert_rule_list(versions, states, N);
	for (step = 0; step < 150; step++) {
		int i, st;
		char name[16];

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		i = (int)(x % N);
		st = (int)(x >> 32) % 3;
		snprintf(name, sizeof(name), "r%02d", i);
		if (states[i] == POINTS_RULE_RETIRED)
			continue;
		if (versions[i] && st == 2) {
			ck_assert_int_eq(points_rule_set_state(db, name,
			    POINTS_RULE_RETIRED, "hr", NULL, &r), POINTS_OK);
			states[i] = POINTS_RULE_RETIRED;
		} else {
			points_rule_def d = rule(name, "purchase", NULL, "1");

			d.state = st == 0 ? POINTS_RULE_ACTIVE :
			    POINTS_RULE_DRAFT;
			save(&d);
			states[i] = d.state;
		}
		versions[i]++;
		assert_rule_list(versions, states, N);
	}
	/* a rule saved after the position comes too; one before it not */
	ck_assert_int_eq(points_rule_iterator_new(db, &it), POINTS_OK);
	ck_assert_int_eq(points_rule_next(it, &r), POINTS_OK);
	add("zz", "purchase", NULL, "1");
	add("a", "purchase", NULL, "1");
	while (points_rule_next(it, &r) == POINTS_OK)
		;
	ck_assert_str_eq(r.name, "zz");
	points_rule_iterator_free(it);
	ck_assert_int_eq(points_rule_iterator_new(db, NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_rule_next(NULL, &r), POINTS_EINVAL);
}
END_TEST

START_TEST(test_caps_partial)
{
	points_rule_def d = rule("share", "shared", NULL, "60");
	points_event_result *res;
	points_rule_outcome o;

	d.cap_day = 100;
	d.cap_month = 250;
	save(&d);
	ck_assert_int_eq(apply("s1", "shared", alice, 0, NULL), 60);
	res = apply_full("s2", "shared", alice, 0, NULL, POINTS_OK);
	o = outcome(res, "share");
	ck_assert_int_eq(o.status, POINTS_OUTCOME_AWARDED);
	ck_assert_int_eq(o.points, 40);
	ck_assert_int_eq(o.formula, 60);
	ck_assert_str_eq(o.reason, "cut from 60 to 40 by the daily cap");
	points_event_result_free(res);
	res = apply_full("s3", "shared", alice, 0, NULL, POINTS_OK);
	o = outcome(res, "share");
	ck_assert_int_eq(o.status, POINTS_OUTCOME_CAPPED);
	ck_assert_str_eq(o.reason, "the daily cap is reached");
	points_event_result_free(res);
	/* another account has its own */
	ck_assert_int_eq(apply("s4", "shared", bob, 0, NULL), 60);
	/* the next day: the daily cap starts again, the monthly goes on */
	tu_now += TU_DAY;
	ck_assert_int_eq(apply("s5", "shared", alice, 0, NULL), 60);
	ck_assert_int_eq(apply("s6", "shared", alice, 0, NULL), 40);
	tu_now += TU_DAY;
	ck_assert_int_eq(apply("s7", "shared", alice, 0, NULL), 50);
	ck_assert_int_eq(apply("s8", "shared", alice, 0, NULL), 0);
	/* February */
	tu_now = TU_T0 + 31 * TU_DAY + 3600;
	ck_assert_int_eq(apply("s9", "shared", alice, 0, NULL), 60);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 250 + 60);
}
END_TEST

/* A late event counts in its own period: the counters keep the latest
 * period and the one before, and refuse to guess below that. */
START_TEST(test_caps_late_events)
{
	points_rule_def d = rule("share", "shared", NULL, "60");
	points_event e = POINTS_EVENT_INIT;
	points_event_result *res;
	points_rule_outcome o;
	int64_t day1 = TU_T0 + 11 * 3600, t; /* after the save */
	static const struct {
		const char *id;
		int day;
		int64_t points; /* -1: refused as too old */
	} steps[] = {
		{ "l1", 2, 60 }, { "l2", 3, 60 },
		{ "l3", 2, 40 },  /* day 2 had 60: not a fresh day */
		{ "l4", 2, 0 },
		{ "l5", 1, -1 },  /* older than day 2: not known */
		{ "l6", 3, 40 },
		{ "l7", 4, 60 },  /* day 3 is now the one before */
		{ "l8", 3, 0 },
		{ "l9", 2, -1 },
		{ "l10", 6, 60 }, /* keeps 6 and 4 */
		{ "l11", 5, 60 }, /* between: keeps 6 and 5 */
		{ "l12", 5, 40 },
		{ "l13", 4, -1 },
	};
	size_t i;

	d.cap_day = 100;
	save(&d);
	tu_now = day1 + 6 * TU_DAY;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		t = day1 + (steps[i].day - 1) * TU_DAY;
		e.id = steps[i].id;
		e.type = "shared";
		e.account = alice;
		e.time = t;
		ck_assert_int_eq(points_event_apply(db, &e, &res), POINTS_OK);
		o = outcome(res, "share");
		if (steps[i].points < 0) {
			ck_assert_int_eq(o.status, POINTS_OUTCOME_CAPPED);
			ck_assert_str_eq(o.reason, "the daily cap's counters "
			    "keep only the two latest periods counted; the "
			    "event is older");
		} else {
			ck_assert_msg(o.points == steps[i].points,
			    "%s: %lld points (%s)", steps[i].id,
			    (long long)o.points, o.reason);
		}
		points_event_result_free(res);
	}
	ck_assert_int_eq(tu_available(db, alice, "PTS"),
	    60 + 60 + 40 + 40 + 60 + 60 + 60 + 40);
}
END_TEST

START_TEST(test_budget_and_exclusive)
{
	points_rule_def d = rule("launch", "purchase", NULL, "40");
	points_event_result *res;

	d.budget_points = 100;
	save(&d);
	ck_assert_int_eq(apply("p1", "purchase", alice, 0, NULL), 40);
	ck_assert_int_eq(apply("p2", "purchase", bob, 0, NULL), 40);
	ck_assert_int_eq(apply("p3", "purchase", carol, 0, NULL), 20);
	res = apply_full("p4", "purchase", carol, 0, NULL, POINTS_OK);
	ck_assert_int_eq(outcome(res, "launch").status, POINTS_OUTCOME_CAPPED);
	points_event_result_free(res);
	/* an exclusive rule of higher priority shuts out the rest */
	d = rule("vip", "order", "event.amount >= 1000", "500");
	d.priority = 10;
	d.flags = POINTS_RULE_EXCLUSIVE;
	save(&d);
	add("base", "order", NULL, "5");
	res = apply_full("q1", "order", alice, 2000, NULL, POINTS_OK);
	ck_assert_int_eq(outcome(res, "vip").points, 500);
	ck_assert_int_eq(outcome(res, "base").status, POINTS_OUTCOME_EXCLUDED);
	points_event_result_free(res);
	ck_assert_int_eq(apply("q2", "order", alice, 10, NULL), 5);
	/* budget by awards */
	d = rule("first-two", "survey", NULL, "9");
	d.budget_awards = 2;
	save(&d);
	ck_assert_int_eq(apply("u1", "survey", alice, 0, NULL), 9);
	ck_assert_int_eq(apply("u2", "survey", bob, 0, NULL), 9);
	ck_assert_int_eq(apply("u3", "survey", carol, 0, NULL), 0);
}
END_TEST

START_TEST(test_idempotent_and_preview)
{
	points_event e = POINTS_EVENT_INIT;
	points_event_result *a, *p;
	points_event_summary sa, sp;
	points_rule_outcome oa, op;
	int64_t i;

	add("spend", "purchase", NULL, "event.amount / 100");
	add("big", "purchase", "event.amount >= 10000", "100");
	add("broken", "purchase", NULL, "event.attrs.missing + 1");
	add("store", "purchase", "event.attrs.channel == 'store'", "7");
	e.id = "ord-1";
	e.type = "purchase";
	e.account = alice;
	e.amount = 25000;
	e.attrs = "{\"channel\": \"app\"}";
	/* preview writes nothing and equals apply */
	tu_snap(db);
	ck_assert_int_eq(points_event_preview(db, &e, &p), POINTS_OK);
	tu_unchanged(db);
	ck_assert_int_eq(points_event_apply(db, &e, &a), POINTS_OK);
	ck_assert_int_eq(points_event_result_summary(a, &sa), POINTS_OK);
	ck_assert_int_eq(points_event_result_summary(p, &sp), POINTS_OK);
	ck_assert_int_eq(sa.points, 350);
	ck_assert_int_eq(sp.points, sa.points);
	ck_assert_int_eq(sp.outcomes, 4);
	ck_assert_int_eq(sa.outcomes, 4);
	ck_assert_int_eq(sa.replayed, 0);
	ck_assert_int_eq(sp.seq, 0);
	ck_assert_int_gt(sa.seq, 0);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(points_event_result_outcome(a, i, &oa),
		    POINTS_OK);
		ck_assert_int_eq(points_event_result_outcome(p, i, &op),
		    POINTS_OK);
		ck_assert_str_eq(oa.rule, op.rule);
		ck_assert_int_eq(oa.status, op.status);
		ck_assert_int_eq(oa.points, op.points);
		ck_assert_str_eq(oa.reason, op.reason);
		ck_assert_str_eq(op.txn_id, "");
	}
	ck_assert_int_eq(points_event_result_outcome(a, 4, &oa),
	    POINTS_ENOTFOUND);
	/* the event log gives back every outcome as apply gave it */
	points_event_result_free(p);
	ck_assert_int_eq(points_event_get(db, "ord-1", &p), POINTS_OK);
	ck_assert_int_eq(points_event_result_summary(p, &sp), POINTS_OK);
	ck_assert_int_eq(sp.seq, sa.seq);
	ck_assert_int_eq(sp.points, sa.points);
	ck_assert_int_eq(sp.time, sa.time);
	ck_assert_int_eq(sp.amount, 25000);
	ck_assert_str_eq(sp.id, "ord-1");
	ck_assert_str_eq(sp.type, "purchase");
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(points_event_result_outcome(a, i, &oa),
		    POINTS_OK);
		ck_assert_int_eq(points_event_result_outcome(p, i, &op),
		    POINTS_OK);
		ck_assert_int_eq(memcmp(&oa, &op, sizeof(oa)), 0);
	}
	ck_assert_int_eq(outcome(p, "store").status, POINTS_OUTCOME_CONDITION);
	ck_assert_str_eq(outcome(p, "store").reason, "condition is false");
	points_event_result_free(p);
	/* the failing rule says why; the others paid, in one posting */
	oa = outcome(a, "broken");
	ck_assert_int_eq(oa.status, POINTS_OUTCOME_ERROR);
	ck_assert_msg(strstr(oa.reason, "points: ") == oa.reason, "%s",
	    oa.reason);
	ck_assert_str_eq(outcome(a, "spend").txn_id, outcome(a, "big").txn_id);
	ck_assert_int_eq(strlen(outcome(a, "spend").txn_id), 36);
	points_event_result_free(a);
	/* again: the first result, nothing posted */
	tu_snap(db);
	ck_assert_int_eq(points_event_apply(db, &e, &a), POINTS_OK);
	tu_unchanged(db);
	ck_assert_int_eq(points_event_result_summary(a, &sa), POINTS_OK);
	ck_assert_int_eq(sa.replayed, 1);
	ck_assert_int_eq(sa.points, 350);
	ck_assert_int_eq(outcome(a, "spend").points, 250);
	points_event_result_free(a);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 350);
	/* the same id for another event */
	e.amount = 100;
	ck_assert_int_eq(points_event_apply(db, &e, &a), POINTS_ECONFLICT);
	ck_assert_int_eq(points_event_get(db, "ord-2", &a), POINTS_ENOTFOUND);
}
END_TEST

START_TEST(test_refusals)
{
	points_rule_def d = rule("spend", "purchase", NULL, "event.amount / 100");
	points_event e = POINTS_EVENT_INIT;
	points_event_result *r = NULL;
	points_rule out;

	/* language errors name the expression, the column and the reason */
	d.condition = "evnt.amount > 1";
	ck_assert_int_eq(points_rule_save(db, &d, &out), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "rule 'spend': condition: col 1: "
	    "unknown variable 'evnt'");
	d.condition = "event.amount >";
	ck_assert_int_eq(points_rule_save(db, &d, &out), POINTS_EINVAL);
	ck_assert_msg(strncmp(points_errmsg(db), "rule 'spend': condition: "
	    "col 15:", 31) == 0, "%s", points_errmsg(db));
	d.condition = NULL;
	d.name = "Spend";
	ck_assert_int_eq(points_rule_save(db, &d, &out), POINTS_EINVAL);
	d.name = "spend";
	d.asset = "NOPE";
	ck_assert_int_eq(points_rule_save(db, &d, &out), POINTS_ENOTFOUND);
	d.asset = "PTS";
	d.author = NULL;
	ck_assert_int_eq(points_rule_save(db, &d, &out), POINTS_EINVAL);
	d.author = "admin";
	d.cap_key = "event.account";
	ck_assert_int_eq(points_rule_save(db, &d, &out), POINTS_EINVAL);
	d.cap_key = NULL;
	d.window_weekdays = 1;
	ck_assert_int_eq(points_rule_save(db, &d, &out), POINTS_EINVAL);
	d.window_weekdays = 0;
	d.cap_day = -1;
	ck_assert_int_eq(points_rule_save(db, &d, &out), POINTS_EINVAL);
	d.cap_day = 0;
	d.points = NULL;
	ck_assert_int_eq(points_rule_save(db, &d, &out), POINTS_EINVAL);
	d.points = "event.amount / 100";
	save(&d);
	/* events */
	e.id = "x1";
	e.type = "purchase";
	e.account = alice;
	e.amount = 100;
	e.attrs = "{\"price\": 1.5}";
	ck_assert_int_eq(points_event_apply(db, &e, &r), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event 'x1': attrs: byte 12: a "
	    "number with a fraction or an exponent: the rule language has "
	    "integers only");
	e.attrs = "[1]";
	ck_assert_int_eq(points_event_apply(db, &e, &r), POINTS_EINVAL);
	e.attrs = "{\"a\": 1, \"a\": 2}";
	ck_assert_int_eq(points_event_apply(db, &e, &r), POINTS_EINVAL);
	e.attrs = NULL;
	e.type = "Purchase";
	ck_assert_int_eq(points_event_apply(db, &e, &r), POINTS_EINVAL);
	e.type = "purchase";
	e.id = NULL;
	ck_assert_int_eq(points_event_apply(db, &e, &r), POINTS_EINVAL);
	e.id = "";
	ck_assert_int_eq(points_event_apply(db, &e, &r), POINTS_EINVAL);
	e.id = "x1";
	e.account = 999;
	ck_assert_int_eq(points_event_apply(db, &e, &r), POINTS_ENOTFOUND);
	e.account = POINTS_ACCOUNT_ISSUER;
	ck_assert_int_eq(points_event_apply(db, &e, &r), POINTS_EINVAL);
	/* a frozen account: nothing written */
	e.account = alice;
	ck_assert_int_eq(points_account_freeze(db, alice), POINTS_OK);
	tu_snap(db);
	ck_assert_int_eq(points_event_apply(db, &e, &r), POINTS_EFROZEN);
	ck_assert_str_eq(points_errmsg(db), "event 'x1': account E1001 is "
	    "frozen");
	ck_assert_int_eq(points_event_preview(db, &e, &r), POINTS_EFROZEN);
	tu_unchanged(db);
	ck_assert_int_eq(points_account_unfreeze(db, alice), POINTS_OK);
	ck_assert_int_eq(points_event_apply(db, &e, &r), POINTS_OK);
	points_event_result_free(r);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 1);
}
END_TEST

/* An event's awards to one account are one earn per asset, category,
 * expiry and pending period: rules that agree on all four share it,
 * a rule differing in any one gets its own. */
START_TEST(test_awards_share_an_earn_only_when_alike)
{
	static const char *const names[] = { "a", "b", "cat", "exp", "expiry",
	    "pending" };
	points_event_result *r;
	points_rule_outcome o[6];
	size_t i, j;

	for (i = 0; i < 6; i++) {
		points_rule_def d = rule(names[i], "sale", NULL, "10");

		d.category = "sales";
		if (strcmp(names[i], "cat") == 0)
			d.category = "bonus";
		if (strcmp(names[i], "exp") == 0)
			d.asset = "EXP";
		if (strcmp(names[i], "expiry") == 0)
			d.expires_days = 30;
		if (strcmp(names[i], "pending") == 0)
			d.pending_days = 7;
		save(&d);
	}
	r = apply_full("s1", "sale", alice, 0, NULL, POINTS_OK);
	for (i = 0; i < 6; i++) {
		o[i] = outcome(r, names[i]);
		ck_assert_int_eq(o[i].status, POINTS_OUTCOME_AWARDED);
		ck_assert_uint_eq(strlen(o[i].txn_id), POINTS_ID_LEN);
	}
	points_event_result_free(r);
	/* a and b one earn of 20; each other its own of 10 */
	ck_assert_str_eq(o[0].txn_id, o[1].txn_id);
	for (i = 1; i < 6; i++)
		for (j = i + 1; j < 6; j++)
			ck_assert_msg(strcmp(o[i].txn_id, o[j].txn_id) != 0,
			    "%s and %s share an earn", names[i], names[j]);
	{
		points_txn t;

		ck_assert_int_eq(points_txn_get(db, o[0].txn_id, &t),
		    POINTS_OK);
		ck_assert_int_eq(t.amount, 20);
		ck_assert_str_eq(t.category, "sales");
		ck_assert_int_eq(points_txn_get(db, o[2].txn_id, &t),
		    POINTS_OK);
		ck_assert_int_eq(t.amount, 10);
		ck_assert_str_eq(t.category, "bonus");
		ck_assert_int_eq(points_txn_get(db, o[3].txn_id, &t),
		    POINTS_OK);
		ck_assert_str_eq(t.asset, "EXP");
	}
	{
		points_balance b;

		ck_assert_int_eq(points_balance_get(db, alice, "PTS", &b),
		    POINTS_OK);
		ck_assert_int_eq(b.available, 40); /* a+b, cat, expiry */
		ck_assert_int_eq(b.pending, 10);
	}
}
END_TEST

START_TEST(test_account_fields)
{
	/* the birthday month, tenure, department */
	add("tenure", "anniversary", "account.tenure_days >= 365", "100");
	add("dept", "anniversary", "account.department == 'R&D'", "5");
	add("bday", "anniversary", "has(account.birth_month) && "
	    "account.birth_month == 1", "20");
	ck_assert_int_eq(points_account_attr_set(db, alice, "hire_date",
	    "2022-06-01"), POINTS_OK);
	ck_assert_int_eq(points_account_attr_set(db, alice, "birthday",
	    "1990-01-15"), POINTS_OK);
	ck_assert_int_eq(points_account_update(db, alice, NULL, NULL, "R&D"),
	    POINTS_OK);
	ck_assert_int_eq(points_account_attr_set(db, bob, "hire_date",
	    "2023-06-01"), POINTS_OK);
	ck_assert_int_eq(points_account_attr_set(db, bob, "birthday",
	    "03-02"), POINTS_OK);
	ck_assert_int_eq(apply("a1", "anniversary", alice, 0, NULL), 125);
	ck_assert_int_eq(apply("b1", "anniversary", bob, 0, NULL), 0);
	/* no hire date: the tenure rule errs, the others go on */
	ck_assert_int_eq(apply("c1", "anniversary", carol, 0, NULL), 0);
}
END_TEST

/* Attributes that are not dates give no birth month or tenure: a month
 * or day out of range (a day the month does not have), another
 * separator, a hire date without its year, a string too long to be a
 * date. */
START_TEST(test_account_fields_not_dates)
{
	static const struct {
		const char *key, *value;
		int64_t points; /* 1: a birth month, 10: a tenure */
	} cases[] = {
		{ "birthday", "1990-01-15", 1 },
		{ "birthday", "01-15", 1 },
		{ "birthday", "1990-13-01", 0 },
		{ "birthday", "1990-00-10", 0 },
		{ "birthday", "00-10", 0 },
		{ "birthday", "12-00", 0 },
		{ "birthday", "12-32", 0 },
		{ "birthday", "02-29", 1 },
		{ "birthday", "2000-02-29", 1 },
		{ "birthday", "1990-02-29", 0 },
		{ "birthday", "04-31", 0 },
		{ "birthday", "1990/01/15", 0 },
		{ "birthday", "1-15", 0 },
		{ "birthday", "the fifteenth of January", 0 },
		{ "hire_date", "2022-06-01", 10 },
		{ "hire_date", "06-01", 0 },
		{ "hire_date", "2022-06-32", 0 },
		{ "hire_date", "2022-6-1", 0 },
		{ "hire_date", "2022-02-30", 0 },
		{ "birthday", "ab-cd", 0 },
		{ "birthdax", "1990-01-15", 0 },
		{ "hire_datx", "2022-06-01", 0 },
	};
	size_t i;

	add("bday", "probe", "has(account.birth_month) && "
	    "has(account.birth_day)", "1");
	add("tenure", "probe", "has(account.tenure_days)", "10");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char id[16], ext[16];
		int64_t acct;

		snprintf(ext, sizeof(ext), "N%zu", i);
		acct = tu_account(db, ext);
		ck_assert_int_eq(points_account_attr_set(db, acct,
		    cases[i].key, cases[i].value), POINTS_OK);
		snprintf(id, sizeof(id), "p%zu", i);
		ck_assert_msg(apply(id, "probe", acct, 0, NULL) ==
		    cases[i].points, "%s '%s'", cases[i].key, cases[i].value);
	}
	/* dates among many attributes (past the first 16 the evaluation
	 * makes room for) are found */
	{
		int64_t acct = tu_account(db, "MANY");
		char k[16];

		for (i = 0; i < 40; i++) {
			snprintf(k, sizeof(k), "a%02zu", i);
			ck_assert_int_eq(points_account_attr_set(db, acct, k,
			    "x"), POINTS_OK);
		}
		ck_assert_int_eq(points_account_attr_set(db, acct, "zz",
		    "x"), POINTS_OK);
		ck_assert_int_eq(points_account_attr_set(db, acct,
		    "hire_date", "2022-06-01"), POINTS_OK);
		ck_assert_int_eq(points_account_attr_set(db, acct,
		    "birthday", "01-15"), POINTS_OK);
		ck_assert_int_eq(apply("many", "probe", acct, 0, NULL), 11);
	}
}
END_TEST

static int64_t
offset_clock(void *ctx)
{
	(void)ctx;
	return tu_now;
}

/* Apply a purchase of account acct at time t to d; the points. */
static int64_t
apply_at(points_db *d, const char *id, int64_t acct, int64_t t)
{
	points_event e = POINTS_EVENT_INIT;
	points_event_result *r = NULL;
	points_event_summary s;

	e.id = id;
	e.type = "purchase";
	e.account = acct;
	e.time = t;
	e.amount = 100;
	ck_assert_msg(points_event_apply(d, &e, &r) == POINTS_OK, "%s: %s", id,
	    points_errmsg(d));
	ck_assert_int_eq(points_event_result_summary(r, &s), POINTS_OK);
	points_event_result_free(r);
	return s.points;
}

/* A birthday-month rule: month(event.time) in the ledger's UTC offset,
 * the same instant in January at UTC+8 and in December at UTC.  The
 * rules are saved in 2024; the events are at the turn of 2025. */
#define T2025 1735689600 /* 2025-01-01 00:00:00 UTC, a Wednesday */
START_TEST(test_birthday_month)
{
	points_rule_def d = rule("bday", "purchase", "has(account.birth_month) "
	    "&& month(event.time) == account.birth_month", "100");
	points_rule_def wed = rule("wed", "purchase", "weekday(event.time) == "
	    "3 && day(event.time) == 1 && year(event.time) == 2025", "7");
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *east = NULL;
	points_rule out;
	int64_t a8, b8;

	save(&d);
	save(&wed);
	ck_assert_int_eq(points_account_attr_set(db, alice, "birthday",
	    "1990-01-15"), POINTS_OK);
	ck_assert_int_eq(points_account_attr_set(db, bob, "birthday",
	    "12-30"), POINTS_OK);
	/* a ledger at UTC+8, the same rules and accounts */
	o.clock = offset_clock;
	o.utc_offset = 8 * 3600;
	ck_assert_int_eq(points_open(tu_uri(TU_MEMORY), &o, &east), POINTS_OK);
	ck_assert_int_eq(points_asset_create(east, "PTS", 0,
	    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
	a8 = tu_account(east, "E1001");
	b8 = tu_account(east, "E1002");
	ck_assert_int_eq(points_account_attr_set(east, a8, "birthday",
	    "1990-01-15"), POINTS_OK);
	ck_assert_int_eq(points_account_attr_set(east, b8, "birthday",
	    "12-30"), POINTS_OK);
	ck_assert_int_eq(points_rule_save(east, &d, &out), POINTS_OK);
	ck_assert_int_eq(points_rule_save(east, &wed, &out), POINTS_OK);
	tu_now = T2025 + 10 * 3600;
	/* 2025-01-01 10:00 UTC: January, a Wednesday, everywhere */
	ck_assert_int_eq(apply_at(db, "a1", alice, T2025 + 10 * 3600), 107);
	ck_assert_int_eq(apply_at(db, "b1", bob, T2025 + 10 * 3600), 7);
	ck_assert_int_eq(apply_at(east, "a1", a8, T2025 + 10 * 3600), 107);
	/* 2024-12-31 23:59:59 UTC: December at UTC ... */
	ck_assert_int_eq(apply_at(db, "a2", alice, T2025 - 1), 0);
	ck_assert_int_eq(apply_at(db, "b2", bob, T2025 - 1), 100);
	/* ... 07:59:59 on January 1st at UTC+8 */
	ck_assert_int_eq(apply_at(east, "a2", a8, T2025 - 1), 107);
	ck_assert_int_eq(apply_at(east, "b2", b8, T2025 - 1), 7);
	/* 16:00 UTC on December 31st is already January there */
	ck_assert_int_eq(apply_at(east, "a3", a8, T2025 - 8 * 3600), 107);
	ck_assert_int_eq(apply_at(east, "b3", b8, T2025 - 8 * 3600 - 1), 100);
	tu_invariants(east);
	points_close(east);
}
END_TEST

/* Line items: a purchase's lines in event.attrs.lines, basic lines 1
 * point per 10 yuan, new collections 1 per 5, rounded per line. */
START_TEST(test_line_items)
{
	add("lines", "purchase", "has(event.attrs.lines)",
	    "sum(event.attrs.lines.map(l, l.collection == 'new' ? "
	    "l.amount / 500 : l.amount / 1000))");
	add("new-only", "purchase", "event.attrs.lines.exists(l, "
	    "l.collection == 'new')", "sum(event.attrs.lines.filter(l, "
	    "l.collection == 'new').map(l, l.amount / 500))");
	ck_assert_int_eq(apply("o1", "purchase", alice, 0, "{\"lines\": ["
	    "{\"sku\": \"T1\", \"collection\": \"new\", \"amount\": 12900},"
	    "{\"sku\": \"B2\", \"collection\": \"basic\", \"amount\": 9900},"
	    "{\"sku\": \"T3\", \"collection\": \"new\", \"amount\": 499}]}"),
	    25 + 9 + 0 + 25);
	ck_assert_int_eq(apply("o2", "purchase", alice, 0, "{\"lines\": ["
	    "{\"sku\": \"B2\", \"collection\": \"basic\", \"amount\": 9900}]}"),
	    9);
}
END_TEST

/* The compiler knows the fields of event and account. */
START_TEST(test_unknown_fields)
{
	points_rule_def d = rule("spend", "purchase", "event.amout > 100",
	    "event.amount / 100");
	points_rule out;

	ck_assert_int_eq(points_rule_save(db, &d, &out), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "rule 'spend': condition: col 7: "
	    "unknown field 'amout' of 'event'");
	d.condition = "has(account.birth_month)";
	d.points = "account.tenure_day";
	ck_assert_int_eq(points_rule_save(db, &d, &out), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "rule 'spend': points: col 9: "
	    "unknown field 'tenure_day' of 'account'");
	d.points = "event.amount.value";
	ck_assert_int_eq(points_rule_save(db, &d, &out), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "rule 'spend': points: col 14: "
	    "unknown field 'value' of 'event.amount'");
	ck_assert_int_eq(points_rule_get(db, "spend", 0, &out),
	    POINTS_ENOTFOUND);
	/* every field the activation has is known */
	d.condition = "event.id != '' && event.type == 'purchase' && "
	    "event.account > 0 && event.time > 0 && event.amount > 0 && "
	    "size(event.attrs) >= 0 && account.id > 0 && "
	    "account.external_id != '' && account.tier == '' && "
	    "account.department == '' && account.created_at > 0 && "
	    "size(account.attrs) == 0 && !has(account.birth_month) && "
	    "!has(account.birth_day) && !has(account.tenure_days)";
	d.points = "event.amount / 100";
	save(&d);
	ck_assert_int_eq(apply("o1", "purchase", alice, 1000, NULL), 10);
}
END_TEST

/* A version saved before the fields were known (here: its source
 * changed in the store) still loads, compiled without them: its unknown
 * field is an error value, or as here absent for has(). */
START_TEST(test_old_version_loads_untyped)
{
	points_store *s = tu_store(db);
	const unsigned char k[8] = { 0, 0, 0, 1, 0, 0, 0, 1 };
	unsigned char buf[4096], *at;
	const void *v;
	size_t vl;

	add("old", "purchase", NULL, "has(event.amount) ? 0 : 7");
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->get(s, tu_keyspace(db, "rulever"), k, 8, &v, &vl),
	    POINTS_OK);
	ck_assert_uint_le(vl, sizeof(buf));
	memcpy(buf, v, vl);
	for (at = buf; at + 12 <= buf + vl && memcmp(at, "event.amount", 12);
	    at++)
		;
	ck_assert_ptr_ne(at + 12, buf + vl + 1);
	ck_assert_int_eq(memcmp(at, "event.amount", 12), 0);
	memcpy(at, "event.amoun1", 12);
	ck_assert_int_eq(s->put(s, tu_keyspace(db, "rulever"), k, 8, buf, vl),
	    POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	/* another save: the handle reads every version again */
	add("other", "purchase", NULL, "1");
	ck_assert_int_eq(apply("o1", "purchase", alice, 100, NULL), 8);
}
END_TEST


static points_event_result *
refund(const char *id, int64_t amount, const char *key, int expect)
{
	points_event_reversal r = POINTS_EVENT_REVERSAL_INIT;
	points_event_result *res = NULL;
	int rc;

	r.event_id = id;
	r.amount = amount;
	r.idempotency_key = key;
	r.actor = "cs.wang";
	rc = points_event_reverse(db, &r, &res);
	ck_assert_msg(rc == expect, "refund %s %lld: %d %s", id,
	    (long long)amount, rc, points_errmsg(db));
	return res;
}

static int64_t
refund_points(const char *id, int64_t amount, const char *key)
{
	points_event_result *res = refund(id, amount, key, POINTS_OK);
	points_event_summary s;

	ck_assert_int_eq(points_event_result_summary(res, &s), POINTS_OK);
	points_event_result_free(res);
	return s.points;
}

START_TEST(test_refunds)
{
	points_event_result *res;
	points_event_summary s;
	points_rule_outcome o;
	points_balance b;
	points_txn t;

	/* 1 point per yuan; 50 more for an order of 100 yuan or more */
	add("spend", "purchase", NULL, "event.amount / 100");
	add("big", "purchase", "event.amount >= 10000", "50");
	ck_assert_int_eq(apply("o1", "purchase", alice, 12850, NULL), 178);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 150, NULL), POINTS_OK);
	/* 50 yuan back: 78.50 left earns 78 and no bonus */
	res = refund("o1", 5000, "rf-1", POINTS_OK);
	ck_assert_int_eq(points_event_result_summary(res, &s), POINTS_OK);
	ck_assert_int_eq(s.points, -100);
	ck_assert_int_eq(s.amount, 5000);
	ck_assert_int_gt(s.seq, 0);
	ck_assert_int_eq(s.outcomes, 2);
	o = outcome(res, "spend");
	ck_assert_int_eq(o.points, -50);
	ck_assert_int_eq(o.formula, 78);
	ck_assert_str_eq(o.reason, "keeps 78 of 128");
	ck_assert_int_eq(outcome(res, "big").points, -50);
	/* one reversal of the one posting */
	ck_assert_str_eq(o.txn_id, outcome(res, "big").txn_id);
	ck_assert_int_eq(points_txn_get(db, o.txn_id, &t), POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_REVERSAL);
	ck_assert_int_eq(t.amount, 100);
	/* 28 were left: the rest is owed */
	ck_assert_int_eq(t.debt, 72);
	points_event_result_free(res);
	ck_assert_int_eq(points_balance_get(db, alice, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 0);
	ck_assert_int_eq(b.debt, 72);
	/* the same refund again: the first result */
	res = refund("o1", 5000, "rf-1", POINTS_OK);
	ck_assert_int_eq(points_event_result_summary(res, &s), POINTS_OK);
	ck_assert_int_eq(s.replayed, 1);
	ck_assert_int_eq(s.points, -100);
	ck_assert_int_eq(outcome(res, "spend").points, -50);
	points_event_result_free(res);
	ck_assert_int_eq(points_balance_get(db, alice, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.debt, 72);
	refund("o1", 4000, "rf-1", POINTS_ECONFLICT);
	/* more than is left */
	refund("o1", 7851, NULL, POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event 'o1': a refund of 7851 is "
	    "more than the 7850 not refunded");
	/* 30 yuan more: 48.50 left keeps 48 */
	ck_assert_int_eq(refund_points("o1", 3000, NULL), -30);
	/* 1.50 twice, then the rest: as one refund of the sum would */
	ck_assert_int_eq(refund_points("o1", 150, NULL), -1);
	ck_assert_int_eq(refund_points("o1", 150, NULL), -2);
	ck_assert_int_eq(refund_points("o1", 0, NULL), -45);
	refund("o1", 0, NULL, POINTS_ESTATE);
	refund("o1", 100, NULL, POINTS_ESTATE);
	ck_assert_int_eq(points_balance_get(db, alice, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.debt, 150);
	/* a whole refund of an event with no amount */
	add("reg", "registered", NULL, "50");
	ck_assert_int_eq(apply("g1", "registered", bob, 0, NULL), 50);
	refund("g1", 10, NULL, POINTS_EINVAL);
	ck_assert_int_eq(refund_points("g1", 0, NULL), -50);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 0);
	/* an event that gave nothing: nothing to take */
	ck_assert_int_eq(apply("o2", "purchase", bob, 50, NULL), 0);
	ck_assert_int_eq(refund_points("o2", 0, NULL), 0);
	refund("nope", 0, NULL, POINTS_ENOTFOUND);
	refund("o1", -1, NULL, POINTS_EINVAL);
}
END_TEST

/* ---- Pending points ---- */

static points_balance
bal(int64_t acct)
{
	points_balance b;

	ck_assert_int_eq(points_balance_get(db, acct, "PTS", &b), POINTS_OK);
	return b;
}

#define ck_bal(acct, avail, pend) do {                                  \
	points_balance b_ = bal(acct);                                  \
	ck_assert_int_eq(b_.available, (avail));                        \
	ck_assert_int_eq(b_.pending, (pend));                           \
} while (0)

/* A purchase's points wait out a 7-day return window: pending through
 * the 7th day after the event's day, available from the start of the
 * 8th by themselves (no sweep, nothing written then), never spendable
 * before. */
START_TEST(test_pending_points_become_available)
{
	points_rule_def d = rule("spend", "purchase", NULL,
	    "event.amount / 100");
	points_event_result *res;
	points_rule_outcome o;
	points_rule r;
	points_txn t;

	d.pending_days = 7;
	save(&d);
	ck_assert_int_eq(points_rule_get(db, "spend", 0, &r), POINTS_OK);
	ck_assert_int_eq(r.pending_days, 7);
	/* a rule without pending days pays at once, in its own posting */
	add("visit", "purchase", NULL, "10");
	/* 2024-01-01 10:00 */
	res = apply_full("o1", "purchase", alice, 12850, NULL, POINTS_OK);
	o = outcome(res, "spend");
	ck_assert_int_eq(o.points, 128);
	ck_assert_str_ne(o.txn_id, outcome(res, "visit").txn_id);
	ck_assert_int_eq(points_txn_get(db, o.txn_id, &t), POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_EARN);
	ck_assert_int_eq(t.amount, 128);
	points_event_result_free(res);
	ck_bal(alice, 10, 128);
	tu_invariants(db);
	/* not spendable, nor can it be held or transferred */
	TU_FAILS(db, tu_spend(db, alice, "PTS", 11, NULL),
	    POINTS_EINSUFFICIENT);
	ck_assert_str_eq(points_errmsg(db), "account E1001: insufficient "
	    "points: available 10 (128 more pending), needs 11");
	{
		points_posting p = tu_posting("PTS", alice, 20);
		points_txn h;

		TU_FAILS(db, points_hold_create(db, &p, &h),
		    POINTS_EINSUFFICIENT);
		p.counterparty = bob;
		TU_FAILS(db, points_transfer(db, &p, &h),
		    POINTS_EINSUFFICIENT);
	}
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 10, NULL), POINTS_OK);
	ck_bal(alice, 0, 128);
	/* the last second of 2024-01-08: still pending */
	tu_now = TU_T0 + 8 * TU_DAY - 1;
	ck_bal(alice, 0, 128);
	TU_FAILS(db, tu_spend(db, alice, "PTS", 1, NULL),
	    POINTS_EINSUFFICIENT);
	tu_invariants(db);
	/* 2024-01-09 00:00: available, and nothing was written for it */
	tu_snap(db);
	tu_now = TU_T0 + 8 * TU_DAY;
	ck_bal(alice, 128, 0);
	tu_unchanged(db);
	tu_invariants(db);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 128, NULL), POINTS_OK);
	ck_bal(alice, 0, 0);
	/* an event dated 8 days back is past its window: available now
	 * (noon: the rules are in force from 10:00 on the 1st) */
	tu_now += 12 * 3600;
	{
		points_event e = POINTS_EVENT_INIT;

		e.id = "o2";
		e.type = "purchase";
		e.account = bob;
		e.amount = 1000;
		e.time = tu_now - 8 * TU_DAY;
		ck_assert_int_eq(points_event_apply(db, &e, &res), POINTS_OK);
		points_event_result_free(res);
		ck_bal(bob, 20, 0);
		/* 7 days back: pending through today */
		e.id = "o3";
		e.time = tu_now - 7 * TU_DAY;
		ck_assert_int_eq(points_event_apply(db, &e, &res), POINTS_OK);
		points_event_result_free(res);
		ck_bal(bob, 30, 10);
	}
	tu_now += TU_DAY;
	ck_bal(bob, 40, 0);
}
END_TEST

/* Awards pending on several days; the sweep and the statement do not
 * care; a write on the account (another award) keeps the record's
 * pending items to the days still to come. */
START_TEST(test_pending_points_several_days)
{
	points_rule_def d = rule("spend", "purchase", NULL,
	    "event.amount / 100");
	points_sweep_report rep;
	int i;

	d.pending_days = 3;
	save(&d);
	for (i = 0; i < 4; i++) {
		char id[16];

		snprintf(id, sizeof(id), "o%d", i);
		ck_assert_int_eq(apply(id, "purchase", alice, 100 * (i + 1),
		    NULL), i + 1);
		/* two a day: pending 1+2 through day 3, 3+4 through day 4 */
		tu_now += TU_DAY / 2;
	}
	ck_bal(alice, 0, 10);
	tu_now = TU_T0 + 4 * TU_DAY;
	ck_bal(alice, 3, 7);
	ck_assert_int_eq(points_expire_sweep(db, tu_now, &rep), POINTS_OK);
	ck_bal(alice, 3, 7);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 3, NULL), POINTS_OK);
	tu_invariants(db);
	tu_now = TU_T0 + 5 * TU_DAY;
	ck_bal(alice, 7, 0);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 7, NULL), POINTS_OK);
	tu_invariants(db);
}
END_TEST

/* A refund takes back the event's pending points first, then what is
 * available, then other pending points, and only then makes a debt. */
START_TEST(test_pending_points_refunds)
{
	points_rule_def d = rule("spend", "purchase", NULL,
	    "event.amount / 100");
	points_txn t;
	points_balance b;
	points_event_result *res;

	d.pending_days = 7;
	save(&d);
	add("visit", "visit", NULL, "50");
	ck_assert_int_eq(apply("v1", "visit", alice, 0, NULL), 50);
	ck_assert_int_eq(apply("p1", "purchase", alice, 10000, NULL), 100);
	ck_bal(alice, 50, 100);
	/* a refund while pending: the pending points go back */
	ck_assert_int_eq(refund_points("p1", 0, NULL), -100);
	ck_bal(alice, 50, 0);
	ck_assert_int_eq(bal(alice).debt, 0);
	tu_invariants(db);
	/* a partial refund while pending */
	ck_assert_int_eq(apply("p2", "purchase", alice, 10000, NULL), 100);
	ck_assert_int_eq(refund_points("p2", 4000, NULL), -40);
	ck_bal(alice, 50, 60);
	tu_invariants(db);
	/* two events pending on one day: a refund of one leaves the
	 * other's */
	ck_assert_int_eq(apply("p3", "purchase", alice, 5000, NULL), 50);
	ck_bal(alice, 50, 110);
	ck_assert_int_eq(refund_points("p3", 0, NULL), -50);
	ck_bal(alice, 50, 60);
	tu_invariants(db);
	/* a refund of available points beyond what is spendable takes
	 * other pending points before it makes a debt */
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 30, NULL), POINTS_OK);
	ck_assert_int_eq(refund_points("v1", 0, NULL), -50);
	ck_bal(alice, 0, 30);
	ck_assert_int_eq(bal(alice).debt, 0);
	tu_invariants(db);
	/* those were pending no more: a new award is spendable at once */
	ck_assert_int_eq(apply("v2", "visit", alice, 0, NULL), 50);
	ck_bal(alice, 50, 30);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 50, NULL), POINTS_OK);
	tu_invariants(db);
	/* past the window: p2's 30 left are available */
	tu_now += 8 * TU_DAY;
	ck_bal(alice, 30, 0);
	/* a partial refund after part of the points were spent: 60 left
	 * of p2 keep 20 (2000 of 6000 left), so 40 go back: 30 from what
	 * is left, 10 owed */
	ck_assert_int_eq(apply("p4", "purchase", bob, 10000, NULL), 100);
	tu_now += 8 * TU_DAY;
	ck_assert_int_eq(tu_spend(db, bob, "PTS", 70, NULL), POINTS_OK);
	res = refund("p4", 6000, NULL, POINTS_OK);
	ck_assert_int_eq(outcome(res, "spend").points, -60);
	ck_assert_int_eq(points_txn_get(db, outcome(res, "spend").txn_id, &t),
	    POINTS_OK);
	ck_assert_int_eq(t.debt, 30);
	points_event_result_free(res);
	ck_assert_int_eq(points_balance_get(db, bob, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 0);
	ck_assert_int_eq(b.pending, 0);
	ck_assert_int_eq(b.debt, 30);
	tu_invariants(db);
	/* a pending award repays a debt at once; the rest is pending */
	ck_assert_int_eq(apply("p5", "purchase", bob, 5000, NULL), 50);
	ck_assert_int_eq(points_balance_get(db, bob, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.debt, 0);
	ck_assert_int_eq(b.available, 0);
	ck_assert_int_eq(b.pending, 20);
	tu_invariants(db);
	/* POINTS_REVERSE_NO_DEBT counts pending points as there */
	{
		points_event_reversal r = POINTS_EVENT_REVERSAL_INIT;

		ck_assert_int_eq(apply("p6", "purchase", carol, 5000, NULL), 50);
		r.event_id = "p6";
		r.flags = POINTS_REVERSE_NO_DEBT;
		ck_assert_int_eq(points_event_reverse(db, &r, &res), POINTS_OK);
		points_event_result_free(res);
		ck_bal(carol, 0, 0);
	}
}
END_TEST

/* ---- Refunds of line items ---- */

static points_event_result *
refund_lines(const char *id, const char *lines, const char *key, int expect)
{
	points_event_reversal r = POINTS_EVENT_REVERSAL_INIT;
	points_event_result *res = NULL;
	int rc;

	r.event_id = id;
	r.lines = lines;
	r.idempotency_key = key;
	r.actor = "cs.wang";
	rc = points_event_reverse(db, &r, &res);
	ck_assert_msg(rc == expect, "refund %s lines %s: %d %s", id, lines,
	    rc, points_errmsg(db));
	return res;
}

/* The points a refund of lines took back in all (negative); *amount
 * (may be NULL) the part of the event's amount refunded; the result's
 * lines must be want. */
static int64_t
refund_lines_points(const char *id, const char *lines, const char *want,
    int64_t *amount)
{
	points_event_result *res = refund_lines(id, lines, NULL, POINTS_OK);
	points_event_summary s;

	ck_assert_int_eq(points_event_result_summary(res, &s), POINTS_OK);
	ck_assert_str_eq(points_event_result_lines(res), want);
	points_event_result_free(res);
	if (amount)
		*amount = s.amount;
	return s.points;
}

/* The shop of the issue: 1 point per 10 yuan on basic lines, 1 per 5 on
 * the new collection, rounded line by line. */
#define SHOP_POINTS "sum(event.attrs.lines.map(l, l.collection == 'new' ? " \
	"l.amount / 500 : l.amount / 1000))"
#define SHOP_O1 "{\"lines\": [" \
	"{\"id\": \"T1\", \"collection\": \"new\", \"amount\": 12900}," \
	"{\"id\": \"B2\", \"collection\": \"basic\", \"amount\": 9900}," \
	"{\"id\": \"T3\", \"collection\": \"new\", \"amount\": 499}," \
	"{\"id\": \"B4\", \"collection\": \"basic\", \"amount\": 25000}]}"

/* A refund of one line takes back exactly that line's points; lines
 * one by one take back what they do together. */
START_TEST(test_line_refunds)
{
	points_event_result *res;
	int64_t amount;

	add("shop", "purchase", "has(event.attrs.lines)", SHOP_POINTS);
	/* stays while the order has lines */
	add("order", "purchase", "size(event.attrs.lines) > 0", "5");
	/* orders of 400 yuan or more */
	add("big", "purchase", "event.amount >= 40000", "10");
	/* 25 + 9 + 0 + 25, 5, 10 */
	ck_assert_int_eq(apply("o1", "purchase", alice, 48299, SHOP_O1), 74);
	ck_assert_int_eq(apply("o2", "purchase", bob, 48299, SHOP_O1), 74);
	/* B2 back: its 9 points, and the order falls under 400 yuan */
	res = refund_lines("o1", "[\"B2\"]", "rl-1", POINTS_OK);
	ck_assert_int_eq(outcome(res, "shop").points, -9);
	ck_assert_int_eq(outcome(res, "shop").formula, 50);
	ck_assert_int_eq(outcome(res, "order").points, 0);
	ck_assert_int_eq(outcome(res, "big").points, -10);
	ck_assert_str_eq(points_event_result_lines(res), "[1]");
	points_event_result_free(res);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 74 - 19);
	/* the same refund again: the first result; another under its key */
	res = refund_lines("o1", "[\"B2\"]", "rl-1", POINTS_OK);
	{
		points_event_summary s;

		ck_assert_int_eq(points_event_result_summary(res, &s),
		    POINTS_OK);
		ck_assert_int_eq(s.replayed, 1);
		ck_assert_int_eq(s.points, -19);
		ck_assert_int_eq(s.amount, 9900);
	}
	ck_assert_str_eq(points_event_result_lines(res), "[1]");
	points_event_result_free(res);
	refund_lines("o1", "[1]", "rl-1", POINTS_ECONFLICT);
	/* a line is refunded once */
	refund_lines("o1", "[1]", NULL, POINTS_ESTATE);
	ck_assert_str_eq(points_errmsg(db), "event 'o1': line 1 is refunded "
	    "already");
	refund_lines("o1", "[0, \"B2\"]", NULL, POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event 'o1': the refund's lines: "
	    "item 1: lines are named all by index (ints) or all by id "
	    "(strings)");
	/* not by amount once by lines */
	refund("o1", 100, NULL, POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event 'o1' is refunded by lines: "
	    "refund the rest by lines or in whole, not by amount");
	/* T1 then B4, one by one, as o2 both at once */
	ck_assert_int_eq(refund_lines_points("o1", "[0]", "[0]", &amount),
	    -25);
	ck_assert_int_eq(amount, 12900);
	ck_assert_int_eq(refund_lines_points("o1", "[\"B4\"]", "[3]", &amount),
	    -25);
	ck_assert_int_eq(refund_lines_points("o2", "[3, 1, 0]", "[0,1,3]",
	    &amount), -69);
	ck_assert_int_eq(amount, 12900 + 9900 + 25000);
	/* T3 (4.99 yuan) earned nothing and gives nothing; then no lines
	 * are left and the order's 5 go */
	ck_assert_int_eq(refund_lines_points("o1", "[\"T3\"]", "[2]", NULL),
	    -5);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 0);
	/* a whole refund takes the rest (o2: T3's and the order's) */
	ck_assert_int_eq(refund_points("o2", 0, NULL), -5);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 0);
	refund_lines("o2", "[2]", NULL, POINTS_ESTATE);
	ck_assert_str_eq(points_errmsg(db), "event 'o2' is refunded in whole");
	/* once by amount, not by lines */
	ck_assert_int_eq(apply("o3", "purchase", carol, 48299, SHOP_O1), 74);
	ck_assert_int_eq(refund_points("o3", 100, NULL), 0);
	refund_lines("o3", "[0]", NULL, POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event 'o3' is refunded by amount: "
	    "refund the rest by amount or in whole, not by lines");
	tu_invariants(db);
}
END_TEST

/* A line's points come back pending first; spent ones become a debt. */
START_TEST(test_line_refunds_pending_and_debt)
{
	points_rule_def d = rule("shop", "purchase", "has(event.attrs.lines)",
	    SHOP_POINTS);
	points_event_result *res;
	points_txn t;

	d.pending_days = 7;
	save(&d);
	ck_assert_int_eq(apply("p1", "purchase", bob, 20000, "{\"lines\": ["
	    "{\"collection\": \"new\", \"amount\": 10000},"
	    "{\"collection\": \"basic\", \"amount\": 10000}]}"), 30);
	ck_bal(bob, 0, 30);
	/* the new line while pending: its 20 pending points go */
	ck_assert_int_eq(refund_lines_points("p1", "[0]", "[0]", NULL), -20);
	ck_bal(bob, 0, 10);
	ck_assert_int_eq(bal(bob).debt, 0);
	/* past the window the basic line's 10 are spent; its refund owes
	 * them */
	tu_now += 8 * TU_DAY;
	ck_bal(bob, 10, 0);
	ck_assert_int_eq(tu_spend(db, bob, "PTS", 10, NULL), POINTS_OK);
	res = refund_lines("p1", "[1]", NULL, POINTS_OK);
	ck_assert_int_eq(outcome(res, "shop").points, -10);
	ck_assert_int_eq(points_txn_get(db, outcome(res, "shop").txn_id, &t),
	    POINTS_OK);
	ck_assert_int_eq(t.debt, 10);
	points_event_result_free(res);
	ck_assert_int_eq(bal(bob).debt, 10);
	tu_invariants(db);
}
END_TEST

/* Bad lines: each refused with its reason, nothing written. */
START_TEST(test_line_refund_refusals)
{
	points_event_reversal r = POINTS_EVENT_REVERSAL_INIT;
	points_event_result *res;
	static const struct {
		const char *lines, *msg;
	} bad[] = {
		{ "[9]", "event 'o1': no line 9: the event has 4 lines" },
		{ "[\"X9\"]", "event 'o1': no line has id 'X9'" },
		{ "[0, \"T1\"]", "event 'o1': the refund's lines: item 1: lines "
		  "are named all by index (ints) or all by id (strings)" },
		{ "[2, 2]", "event 'o1': line 2 is named twice" },
		{ "[0, \"T1\"", NULL },
		{ "[]", "event 'o1': the refund's lines must be a JSON list of "
		  "line indexes or line ids, not empty" },
		{ "{\"a\": 1}", "event 'o1': the refund's lines must be a JSON "
		  "list of line indexes or line ids, not empty" },
		{ "[-1]", "event 'o1': the refund's lines: item 0: an index "
		  "must not be negative" },
		{ "[true]", "event 'o1': the refund's lines: item 0: lines are "
		  "named all by index (ints) or all by id (strings)" },
		{ "[4]", "event 'o1': no line 4: the event has 4 lines" },
		{ "[\"T1\", \"\"]", "event 'o1': the refund's lines: item 1: a "
		  "line id has 1-128 bytes" },
	};
	size_t i;

	add("shop", "purchase", "has(event.attrs.lines)", SHOP_POINTS);
	ck_assert_int_eq(apply("o1", "purchase", alice, 48299, SHOP_O1), 59);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		refund_lines("o1", bad[i].lines, NULL, POINTS_EINVAL);
		if (bad[i].msg)
			ck_assert_str_eq(points_errmsg(db), bad[i].msg);
	}
	/* an amount and lines at once */
	r.event_id = "o1";
	r.amount = 100;
	r.lines = "[0]";
	ck_assert_int_eq(points_event_reverse(db, &r, &res), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event 'o1': a refund names an "
	    "amount or lines, not both");
	/* an event without lines; two lines of one id; a bad amount */
	ck_assert_int_eq(apply("g1", "purchase", alice, 100, "{\"x\": 1}"), 0);
	refund_lines("g1", "[0]", NULL, POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event 'g1' has no lines "
	    "(event.attrs.lines) to refund");
	add("count", "order", NULL, "size(event.attrs.lines)");
	ck_assert_int_eq(apply("g2", "order", alice, 100, "{\"lines\": ["
	    "{\"id\": \"A\", \"amount\": 1000}, {\"id\": \"A\", "
	    "\"amount\": 1000}, {\"id\": \"C\", \"amount\": \"10\"}]}"), 3);
	refund_lines("g2", "[\"A\"]", NULL, POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event 'g2': more than one line "
	    "has id 'A'");
	refund_lines("g2", "[2]", NULL, POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event 'g2': line 2: its amount "
	    "must be an int >= 0");
	/* a negative amount; amounts whose sum passes INT64_MAX; lines
	 * that are not a list */
	ck_assert_int_eq(apply("g3", "order", alice, 100, "{\"lines\": ["
	    "{\"id\": \"A\", \"amount\": 9223372036854775807}, "
	    "{\"id\": \"B\", \"amount\": 1}, "
	    "{\"id\": \"C\", \"amount\": -1}]}"), 3);
	refund_lines("g3", "[2]", NULL, POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event 'g3': line 2: its amount "
	    "must be an int >= 0");
	refund_lines("g3", "[\"A\", \"B\"]", NULL, POINTS_EOVERFLOW);
	ck_assert_str_eq(points_errmsg(db), "event 'g3': the lines' amounts "
	    "overflow");
	ck_assert_int_eq(apply("g4", "order", alice, 100, "{\"lines\": 5}"),
	    0);
	refund_lines("g4", "[0]", NULL, POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event 'g4' has no lines "
	    "(event.attrs.lines) to refund");
	/* nothing was written: every line is there to refund (g3's 3
	 * points too) */
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 65);
	ck_assert_int_eq(refund_lines_points("o1", "[0,1,2,3]", "[0,1,2,3]",
	    NULL), -59);
	/* lines' amounts past the event's take it to 0, not below */
	ck_assert_int_eq(refund_lines_points("g2", "[0]", "[0]", NULL), -1);
	ck_assert_int_eq(refund_lines_points("g3", "[\"B\"]", "[1]", NULL),
	    -1);
	tu_invariants(db);
}
END_TEST

START_TEST(test_pending_points_refusals)
{
	points_rule_def d = rule("spend", "purchase", NULL, "1");
	points_rule r;

	d.pending_days = -1;
	TU_FAILS(db, points_rule_save(db, &d, &r), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "rule 'spend': pending_days must "
	    "not be negative (got -1)");
	d.pending_days = POINTS_RULE_PENDING_DAYS_MAX + 1;
	TU_FAILS(db, points_rule_save(db, &d, &r), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "rule 'spend': pending_days 367 "
	    "is more than 366");
	d.pending_days = 30;
	d.expires_days = 30;
	TU_FAILS(db, points_rule_save(db, &d, &r), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "rule 'spend': the points would "
	    "expire (expires_days 30) before they are available "
	    "(pending_days 30)");
	d.expires_days = 31;
	ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_OK);
	ck_assert_int_eq(r.pending_days, 30);
	/* a definition of version 1 has no pending days */
	{
		points_rule_def d1;

		memset(&d1, 0xff, sizeof(d1));
		ck_assert_int_eq(points_rule_def_init(&d1, 1), POINTS_OK);
		ck_assert_int_eq(d1.version, 1);
		d1.name = "old";
		d1.event_type = "purchase";
		d1.points = "1";
		d1.asset = "PTS";
		d1.author = "admin";
		ck_assert_int_eq(points_rule_save(db, &d1, &r), POINTS_OK);
		ck_assert_int_eq(r.pending_days, 0);
	}
	/* a new state keeps them */
	ck_assert_int_eq(points_rule_set_state(db, "spend",
	    POINTS_RULE_PAUSED, "admin", NULL, &r), POINTS_OK);
	ck_assert_int_eq(r.pending_days, 30);
	ck_assert_int_eq(points_rule_get(db, "spend", 1, &r), POINTS_OK);
	ck_assert_int_eq(r.pending_days, 30);
}
END_TEST

/* ---- Backtest ---- */

static points_backtest *
backtest(points_db *d, const char *name, int64_t version, int64_t from,
    int64_t until)
{
	points_backtest *bt = NULL;

	ck_assert_msg(points_rule_backtest(d, name, version, from, until,
	    &bt) == POINTS_OK, "backtest %s: %s", name, points_errmsg(d));
	return bt;
}

START_TEST(test_backtest)
{
	points_rule_def d = rule("bonus", "purchase", NULL, "event.amount / 10");
	points_backtest_summary s;
	points_backtest_row row;
	points_backtest *bt;
	points_event e = POINTS_EVENT_INIT;
	points_event_result *res;
	int64_t t0 = tu_now;

	add("base", "purchase", NULL, "event.amount / 100");
	d.state = POINTS_RULE_DRAFT;
	d.cap_day = 15;
	save(&d);
	tu_now += 60;
	ck_assert_int_eq(apply("b1", "purchase", alice, 100, NULL), 1);
	ck_assert_int_eq(apply("b2", "purchase", alice, 100, NULL), 1);
	ck_assert_int_eq(apply("b3", "purchase", bob, 300, NULL), 3);
	ck_assert_int_eq(apply("b4", "shared", bob, 300, NULL), 0);
	tu_now += TU_DAY;
	ck_assert_int_eq(apply("b5", "purchase", alice, 50, NULL), 0);
	/* a late one, in the first day: its cap is spent */
	e.id = "b6";
	e.type = "purchase";
	e.account = alice;
	e.amount = 90;
	e.time = t0 + 120;
	ck_assert_int_eq(points_event_apply(db, &e, &res), POINTS_OK);
	points_event_result_free(res);

	tu_snap(db);
	bt = backtest(db, "bonus", 0, 0, 0);
	tu_unchanged(db);
	ck_assert_int_eq(points_backtest_summary_get(bt, &s), POINTS_OK);
	ck_assert_int_eq(s.events, 5);
	ck_assert_int_eq(s.awards, 4);   /* 10, 5 (cut), 15, 5; b6 capped */
	ck_assert_int_eq(s.points, 35);
	ck_assert_int_eq(s.capped, 1);
	ck_assert_int_eq(s.errors, 0);
	ck_assert_int_eq(s.accounts, 2);
	ck_assert_int_eq(points_backtest_row_get(bt, 0, &row), POINTS_OK);
	ck_assert_int_eq(row.account, alice);
	ck_assert_int_eq(row.points, 20);
	ck_assert_int_eq(row.awards, 3);
	ck_assert_int_eq(points_backtest_row_get(bt, 1, &row), POINTS_OK);
	ck_assert_int_eq(row.account, bob);
	ck_assert_int_eq(row.points, 15);
	ck_assert_int_eq(points_backtest_row_get(bt, 2, &row),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(points_backtest_row_get(bt, -1, &row), POINTS_EINVAL);
	points_backtest_free(bt);

	/* the first day only; and again, the same (nothing was kept) */
	bt = backtest(db, "bonus", 1, t0, t0 + TU_DAY);
	ck_assert_int_eq(points_backtest_summary_get(bt, &s), POINTS_OK);
	ck_assert_int_eq(s.events, 4);
	ck_assert_int_eq(s.points, 30);
	points_backtest_free(bt);
	bt = backtest(db, "bonus", 1, t0, t0 + TU_DAY);
	ck_assert_int_eq(points_backtest_summary_get(bt, &s), POINTS_OK);
	ck_assert_int_eq(s.points, 30);
	points_backtest_free(bt);
	/* an active rule too, counted apart from its own counters */
	bt = backtest(db, "base", 0, 0, 0);
	ck_assert_int_eq(points_backtest_summary_get(bt, &s), POINTS_OK);
	ck_assert_int_eq(s.points, 1 + 1 + 3 + 0 + 0);
	points_backtest_free(bt);

	/* refusals */
	tu_snap(db);
	bt = NULL;
	ck_assert_int_eq(points_rule_backtest(db, "nope", 0, 0, 0, &bt),
	    POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "rule 'nope' not found");
	ck_assert_int_eq(points_rule_backtest(db, "bonus", 2, 0, 0, &bt),
	    POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "rule 'bonus' has no version 2");
	ck_assert_int_eq(points_rule_backtest(db, "bonus", 0, 10, 5, &bt),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_rule_backtest(db, "bonus", -1, 0, 0, &bt),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_rule_backtest(db, "Bad Name", 0, 0, 0, &bt),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_rule_backtest(db, "bonus", 0, 0, 0, NULL),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(points_rule_backtest(db, "bonus", 0, 0, 0, &bt),
	    POINTS_EMISUSE);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	ck_assert_ptr_null(bt);
	tu_unchanged(db);
	tu_snap_free();
}
END_TEST

/* A backtest equals applying the rule, alone and in force, to a copy of
 * the ledger: a second ledger with the same accounts and events, where
 * the rule is the only one. */
START_TEST(test_backtest_equals_copy)
{
	static const char *const tiers[3] = { "", "silver", "gold" };
	uint64_t seed = 0xb7e57000u + (uint64_t)_i * 104729u;
	points_db *copy = tu_open("memory:");
	points_rule_def d = rule("draft", "buy", "event.amount >= 20",
	    "event.amount / 7");
	int64_t acct[4], cacct[4], got[4] = { 0 }, want[4] = { 0 };
	int64_t awards = 0, points = 0, capped = 0, events = 0, last = tu_now;
	points_backtest_summary s;
	points_backtest *bt;
	int step, a;

#define BRAND() (seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17)
	ck_assert_int_eq(points_tier_set(db, "silver", 1, 150), POINTS_OK);
	ck_assert_int_eq(points_tier_set(db, "gold", 2, 200), POINTS_OK);
	ck_assert_int_eq(points_tier_set(copy, "silver", 1, 150), POINTS_OK);
	ck_assert_int_eq(points_tier_set(copy, "gold", 2, 200), POINTS_OK);
	for (a = 0; a < 4; a++) {
		char ext[16];
		const char *tier = tiers[BRAND() % 3];

		snprintf(ext, sizeof(ext), "B%d", a);
		acct[a] = tu_account(db, ext);
		cacct[a] = tu_account(copy, ext);
		ck_assert_int_eq(points_account_update(db, acct[a], NULL, tier,
		    NULL), POINTS_OK);
		ck_assert_int_eq(points_account_update(copy, cacct[a], NULL,
		    tier, NULL), POINTS_OK);
	}
	d.cap_day = BRAND() % 2 ? 0 : 20 + (int64_t)(BRAND() % 50);
	d.cap_week = BRAND() % 2 ? 0 : 50 + (int64_t)(BRAND() % 200);
	d.budget_points = BRAND() % 3 ? 0 : 200 + (int64_t)(BRAND() % 400);
	if (BRAND() % 2) {
		d.cap_key = "event.attrs.sku";
		d.cap_key_limit = 30 + (int64_t)(BRAND() % 60);
	}
	if (BRAND() % 2) {
		d.window_weekdays = 1u << 5;
		d.window_percent = 200;
	}
	/* in the copy, in force alone; here a draft beside another rule */
	ck_assert_int_eq(points_rule_save(copy, &d, &(points_rule){ 0 }),
	    POINTS_OK);
	d.state = POINTS_RULE_DRAFT;
	save(&d);
	add("other", "buy", NULL, "event.amount / 3");
	for (step = 0; step < 120; step++) {
		points_event e = POINTS_EVENT_INIT;
		points_event_result *r1, *r2;
		points_rule_outcome o;
		char id[16], attrs[32];
		int64_t t;
		int64_t i, n;

		tu_now += (int64_t)(BRAND() % (TU_DAY / 2));
		t = tu_now - (BRAND() % 4 == 0 ?
		    (int64_t)(BRAND() % (uint64_t)(tu_now - last)) : 0);
		a = (int)(BRAND() % 4);
		snprintf(id, sizeof(id), "e%d", step);
		snprintf(attrs, sizeof(attrs), "{\"sku\":\"k%d\"}",
		    (int)(BRAND() % 5));
		e.id = id;
		e.type = BRAND() % 8 ? "buy" : "visit";
		e.amount = (int64_t)(BRAND() % 300);
		e.attrs = attrs;
		e.time = t;
		e.account = acct[a];
		ck_assert_int_eq(points_event_apply(db, &e, &r1), POINTS_OK);
		e.account = cacct[a];
		ck_assert_int_eq(points_event_apply(copy, &e, &r2), POINTS_OK);
		points_event_result_free(r1);
		n = strcmp(e.type, "buy") == 0;
		events += n;
		for (i = 0; i < n; i++) {
			ck_assert_int_eq(points_event_result_outcome(r2, 0, &o),
			    POINTS_OK);
			if (o.status == POINTS_OUTCOME_AWARDED) {
				want[a] += o.points;
				points += o.points;
				awards++;
			} else if (o.status == POINTS_OUTCOME_CAPPED) {
				capped++;
			}
		}
		points_event_result_free(r2);
	}
	tu_snap(db);
	bt = backtest(db, "draft", 0, 0, 0);
	tu_unchanged(db);
	tu_snap_free();
	ck_assert_int_eq(points_backtest_summary_get(bt, &s), POINTS_OK);
	ck_assert_int_eq(s.events, events);
	ck_assert_int_eq(s.awards, awards);
	ck_assert_int_eq(s.points, points);
	ck_assert_int_eq(s.capped, capped);
	for (a = 0; a < s.accounts; a++) {
		points_backtest_row row;
		int k;

		ck_assert_int_eq(points_backtest_row_get(bt, a, &row),
		    POINTS_OK);
		for (k = 0; k < 4 && acct[k] != row.account; k++)
			;
		ck_assert_int_lt(k, 4);
		got[k] = row.points;
	}
	for (a = 0; a < 4; a++)
		ck_assert_msg(got[a] == want[a], "account %d: backtest %lld, "
		    "the copy %lld", a, (long long)got[a], (long long)want[a]);
	points_backtest_free(bt);
	tu_invariants(copy);
	points_close(copy);
#undef BRAND
}
END_TEST

/* ---- A seeded random run against a model ----
 *
 * The model is written from points/rules.h alone: rules (a condition
 * amount >= min, points amount / div, a priority, exclusive or not, a
 * Saturday window, a tier multiplier or not, caps per day, ISO week,
 * month and in all, in points or awards, a budget), replaced now and
 * then by a new version; events of random accounts, amounts and times.
 * Some events are late (up to three days, never before the latest rule
 * version).  Some rules give pending points (1-3 days after the event's
 * day), and accounts spend now and then: what is spendable, and only
 * that.  Some rules need approval: their awards wait, and are approved
 * (never by the nominator) or rejected now and then.  After every event
 * the outcomes (status and points), the pending approvals and every
 * balance (available and pending) must be the model's.  Periods come from gmtime (the ledger's offset
 * is 0 here), not from the library's calendar.
 * Every event carries 1-3 line items (event.attrs.lines, each with an
 * amount; event.amount is their sum) and some rules count per line
 * (sum of amount / div over the lines).  Now and then some lines of an
 * earlier event are refunded, one or several at once: each rule that
 * awarded keeps floor(points x new formula / first formula) of what
 * it gave, 0 when its condition fails on the amount left (rules.h). */
#include <time.h>

#define M_RULES 5
#define M_ACCTS 4

typedef struct mrule {
	char name[16];
	int64_t min, div, version;
	int priority, exclusive, window, no_tier, awards, approval;
	int perline; /* sum(lines.map(l, l.amount / div)) */
	int64_t cap[4]; /* day, week, month, total */
	int64_t budget;
	int64_t spent_budget;
	int64_t pending; /* pending days */
	/* per account and period: the latest period counted and the one
	 * before (rules.h: a late event older than both is not paid) */
	int64_t stamp[M_ACCTS][4], used[M_ACCTS][4];
	int64_t pstamp[M_ACCTS][4], pused[M_ACCTS][4];
} mrule;

static uint64_t mseed;

static uint64_t
mrand(void)
{
	mseed ^= mseed << 13;
	mseed ^= mseed >> 7;
	mseed ^= mseed << 17;
	return mseed;
}

static void
mperiods(int64_t t, int64_t st[4])
{
	time_t tt = (time_t)t;
	struct tm tm;
	int64_t day = t / 86400;

	gmtime_r(&tt, &tm);
	st[0] = day;
	/* ISO week: Monday-based; tm_wday 0 is Sunday */
	st[1] = day - ((tm.tm_wday + 6) % 7);
	st[2] = (int64_t)tm.tm_year * 12 + tm.tm_mon;
	st[3] = 0;
}

/* What a counter holds for period st: -1 when older than it keeps. */
static int64_t
mused(const mrule *m, int a, int p, int64_t st)
{
	if (!m->used[a][p] || st > m->stamp[a][p])
		return 0;
	if (st == m->stamp[a][p])
		return m->used[a][p];
	if (!m->pused[a][p] || st > m->pstamp[a][p])
		return 0;
	return st == m->pstamp[a][p] ? m->pused[a][p] : -1;
}

/* Count n in period st, as rules.h says: the latest period or the one
 * before it; a new later period pushes the latest back, a new one
 * between the two replaces the one before. */
static void
mcount(mrule *m, int a, int p, int64_t st, int64_t n)
{
	if (!m->used[a][p] || st == m->stamp[a][p]) {
		m->stamp[a][p] = st;
		m->used[a][p] += n;
	} else if (st > m->stamp[a][p]) {
		m->pstamp[a][p] = m->stamp[a][p];
		m->pused[a][p] = m->used[a][p];
		m->stamp[a][p] = st;
		m->used[a][p] = n;
	} else if (m->pused[a][p] && st == m->pstamp[a][p]) {
		m->pused[a][p] += n;
	} else {
		m->pstamp[a][p] = st;
		m->pused[a][p] = n;
	}
}

static void
msave(mrule *m)
{
	points_rule_def d = POINTS_RULE_DEF_INIT;
	char cond[64], pts[64];

	snprintf(cond, sizeof(cond), "event.amount >= %lld",
	    (long long)m->min);
	if (m->perline)
		snprintf(pts, sizeof(pts), "sum(event.attrs.lines.map(l, "
		    "l.amount / %lld))", (long long)m->div);
	else
		snprintf(pts, sizeof(pts), "event.amount / %lld",
		    (long long)m->div);
	d.name = m->name;
	d.event_type = "buy";
	d.condition = cond;
	d.points = pts;
	d.asset = "PTS";
	d.state = POINTS_RULE_ACTIVE;
	d.priority = m->priority;
	d.flags = (m->exclusive ? POINTS_RULE_EXCLUSIVE : 0) |
	    (m->no_tier ? POINTS_RULE_NO_TIER : 0) |
	    (m->approval ? POINTS_RULE_APPROVAL : 0);
	if (m->window) {
		d.window_weekdays = 1u << 5;
		d.window_percent = 300;
	}
	d.cap_unit = m->awards ? POINTS_CAP_AWARDS : POINTS_CAP_POINTS;
	d.cap_day = m->cap[0];
	d.cap_week = m->cap[1];
	d.cap_month = m->cap[2];
	d.cap_total = m->cap[3];
	d.budget_points = m->budget;
	d.pending_days = m->pending;
	d.author = "model";
	save(&d);
	m->version++;
}

static void
mrandom_rule(mrule *m)
{
	int p;

	m->min = (int64_t)(mrand() % 300);
	m->div = 1 + (int64_t)(mrand() % 20);
	m->priority = (int)(mrand() % 3);
	m->exclusive = mrand() % 5 == 0;
	m->window = mrand() % 3 == 0;
	m->no_tier = mrand() % 2;
	m->awards = mrand() % 3 == 0;
	for (p = 0; p < 4; p++)
		m->cap[p] = mrand() % 3 ? 0 : m->awards ?
		    1 + (int64_t)(mrand() % 4) : 1 + (int64_t)(mrand() % 200);
	m->budget = mrand() % 4 == 0 && !m->awards ?
	    1 + (int64_t)(mrand() % 2000) : 0;
	m->pending = mrand() % 3 == 0 ? 1 + (int64_t)(mrand() % 3) : 0;
	m->approval = mrand() % 4 == 0;
	m->perline = mrand() % 2;
}

/* The model's events, for refunds of lines: the lines, which are
 * refunded, and each award as its rule version gave it. */
#define M_EVENTS 300
typedef struct mevent {
	int a, nl;
	int64_t line[3];
	int refunded[3];
	int whole;
	struct {
		char name[16];
		int64_t pts, formula, min, div, taken;
		int perline;
	} aw[M_RULES];
	int naw;
} mevent;
static mevent mev[M_EVENTS];

/* What rule version (min, div, perline) computes on event ev without
 * its refunded lines (and those in extra). */
static int64_t
mformula(const mevent *ev, const int *extra, int64_t div, int perline,
    int64_t *amount)
{
	int64_t f = 0, am = 0;
	int l;

	for (l = 0; l < ev->nl; l++) {
		if (ev->refunded[l] || (extra && extra[l]))
			continue;
		am += ev->line[l];
		f += ev->line[l] / div;
	}
	*amount = am;
	return perline ? f : am / div;
}

/* The model's approvals still pending: id, account, points, pending
 * days and the event's time. */
#define M_APPR 400
static struct { int64_t id, pts, pending, t; int a; } ma[M_APPR];
static int ma_n;
static int64_t ma_next;

/* The approvals the library lists as pending. */
static int
mpending_approvals(void)
{
	points_approval_iterator *it;
	points_approval ap;
	int n = 0, rc;

	ck_assert_int_eq(points_approval_iterator_new(db, 0, &it), POINTS_OK);
	while ((rc = points_approval_next(it, &ap)) == POINTS_OK) {
		ck_assert_int_lt(n, ma_n);
		ck_assert_int_eq(ap.id, ma[n].id);
		ck_assert_int_eq(ap.points, ma[n].pts);
		n++;
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	points_approval_iterator_free(it);
	return n;
}

/* The model's pending awards: each one's last pending day and points. */
#define M_PEND 400
static int64_t mp_day[M_ACCTS][M_PEND], mp_pts[M_ACCTS][M_PEND];
static int mp_n[M_ACCTS];

/* The points of account a still pending on day today (the ledger's
 * offset is 0). */
static int64_t
mpending(int a, int64_t today)
{
	int64_t sum = 0;
	int i;

	for (i = 0; i < mp_n[a]; i++)
		if (mp_day[a][i] >= today)
			sum += mp_pts[a][i];
	return sum;
}

static int
mcmp(const void *a, const void *b)
{
	const mrule *x = *(const mrule *const *)a, *y = *(const mrule *const *)b;

	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int mrefunds; /* refunds of lines made */

/* Refund some lines of a random event among ev[0..n) (not one with
 * pending awards, nor all refunded), as rules.h says, if what it takes
 * back is spendable; check the result against the model. */
static void
mrefund_lines(mevent *ev0, int n, const int64_t *acct, int64_t *bal)
{
	mevent *ev = &ev0[mrand() % (uint64_t)n];
	int pick[3] = { 0 }, l, k, np = 0;
	int64_t take[M_RULES], total = 0, am, can;
	points_event_reversal r = POINTS_EVENT_REVERSAL_INIT;
	points_event_result *res;
	points_event_summary s;
	char lines[32], want[32], id[32];
	size_t m = 0, w = 0;

	if (ev->whole)
		return;
	for (l = 0; l < ev->nl; l++)
		if (!ev->refunded[l] && mrand() % 2)
			pick[l] = 1, np++;
	if (!np)
		return;
	for (k = 0; k < ev->naw; k++) {
		int64_t f = mformula(ev, pick, ev->aw[k].div,
		    ev->aw[k].perline, &am), kept = 0;

		if (am >= ev->aw[k].min && f > 0 && ev->aw[k].formula > 0) {
			if (f > ev->aw[k].formula)
				f = ev->aw[k].formula;
			kept = ev->aw[k].pts * f / ev->aw[k].formula;
		}
		take[k] = ev->aw[k].pts - ev->aw[k].taken - kept;
		if (take[k] < 0)
			take[k] = 0;
		total += take[k];
	}
	{
		points_balance b;

		ck_assert_int_eq(points_balance_get(db, acct[ev->a], "PTS",
		    &b), POINTS_OK);
		can = b.available;
	}
	if (total > can)
		return;
	m = (size_t)snprintf(lines, sizeof(lines), "[");
	w = (size_t)snprintf(want, sizeof(want), "[");
	/* named in a random order, listed in the result ascending */
	for (k = 0, l = ev->nl - 1; l >= 0; l--)
		if (pick[l])
			m += (size_t)snprintf(lines + m, sizeof(lines) - m,
			    "%s%d", k++ ? "," : "", l);
	for (k = 0, l = 0; l < ev->nl; l++)
		if (pick[l])
			w += (size_t)snprintf(want + w, sizeof(want) - w,
			    "%s%d", k++ ? "," : "", l);
	snprintf(lines + m, sizeof(lines) - m, "]");
	snprintf(want + w, sizeof(want) - w, "]");
	snprintf(id, sizeof(id), "ev%d", (int)(ev - ev0));
	r.event_id = id;
	r.lines = lines;
	mrefunds++;
	ck_assert_msg(points_event_reverse(db, &r, &res) == POINTS_OK,
	    "refund %s lines %s: %s", r.event_id, lines, points_errmsg(db));
	ck_assert_int_eq(points_event_result_summary(res, &s), POINTS_OK);
	ck_assert_str_eq(points_event_result_lines(res), want);
	ck_assert_msg(s.points == -total, "refund %s lines %s: %lld, model "
	    "%lld", r.event_id, lines, (long long)s.points,
	    (long long)-total);
	for (k = 0; k < ev->naw; k++) {
		points_rule_outcome o;
		int64_t i;

		for (i = 0; i < s.outcomes; i++) {
			ck_assert_int_eq(points_event_result_outcome(res, i, &o),
			    POINTS_OK);
			if (strcmp(o.rule, ev->aw[k].name) == 0 &&
			    o.points == -take[k])
				break;
		}
		ck_assert_msg(i < s.outcomes, "refund %s lines %s: rule %s "
		    "gives back %lld in the model", r.event_id, lines,
		    ev->aw[k].name, (long long)take[k]);
		ev->aw[k].taken += take[k];
	}
	points_event_result_free(res);
	for (l = 0; l < ev->nl; l++)
		if (pick[l])
			ev->refunded[l] = 1;
	bal[ev->a] -= total;
	/* a line once refunded is refused again */
	for (l = 0; l < ev->nl; l++)
		if (pick[l]) {
			snprintf(lines, sizeof(lines), "[%d]", l);
			ck_assert_int_eq(points_event_reverse(db, &r, &res),
			    POINTS_ESTATE);
			break;
		}
}

START_TEST(test_random_against_model)
{
	static const char *const tiers[3] = { "", "silver", "gold" };
	static const int64_t tier_pct[3] = { 100, 150, 200 };
	mrule rules[M_RULES], *order[M_RULES];
	int64_t acct[M_ACCTS], bal[M_ACCTS] = { 0 };
	int acct_tier[M_ACCTS];
	int i, step, a, r;
	int64_t last_save;

	mseed = 0x5eed0000u + (uint64_t)_i * 7919u;
	memset(rules, 0, sizeof(rules));
	memset(mp_n, 0, sizeof(mp_n));
	ma_n = 0;
	ma_next = 0;
	mrefunds = 0;
	ck_assert_int_eq(points_tier_set(db, "silver", 1, 150), POINTS_OK);
	ck_assert_int_eq(points_tier_set(db, "gold", 2, 200), POINTS_OK);
	for (a = 0; a < M_ACCTS; a++) {
		char ext[16];

		snprintf(ext, sizeof(ext), "M%d", a);
		acct[a] = tu_account(db, ext);
		acct_tier[a] = (int)(mrand() % 3);
		if (acct_tier[a])
			ck_assert_int_eq(points_account_update(db, acct[a],
			    NULL, tiers[acct_tier[a]], NULL), POINTS_OK);
	}
	for (r = 0; r < M_RULES; r++) {
		snprintf(rules[r].name, sizeof(rules[r].name), "r%d", r);
		mrandom_rule(&rules[r]);
		msave(&rules[r]);
		order[r] = &rules[r];
	}
	last_save = tu_now;
	for (step = 0; step < 300; step++) {
		points_event e = POINTS_EVENT_INIT;
		points_event_result *res;
		int64_t st[4], amount, t, late, am;
		char id[32], attrs[160];
		int excluded = 0;
		mevent *ev;

		tu_now += (int64_t)(mrand() % (2 * TU_DAY));
		if (mrand() % 25 == 0) {
			/* a new version: its counters go on */
			r = (int)(mrand() % M_RULES);
			{
				mrule keep = rules[r];

				mrandom_rule(&rules[r]);
				memcpy(rules[r].stamp, keep.stamp,
				    sizeof(keep.stamp));
				memcpy(rules[r].used, keep.used,
				    sizeof(keep.used));
				memcpy(rules[r].pstamp, keep.pstamp,
				    sizeof(keep.pstamp));
				memcpy(rules[r].pused, keep.pused,
				    sizeof(keep.pused));
				rules[r].spent_budget = keep.spent_budget;
				rules[r].version = keep.version;
			}
			msave(&rules[r]);
			last_save = tu_now;
		}
		t = tu_now;
		late = tu_now - last_save < 3 * TU_DAY ? tu_now - last_save :
		    3 * TU_DAY;
		if (mrand() % 4 == 0 && late > 0)
			t -= (int64_t)(mrand() % (uint64_t)late);
		a = (int)(mrand() % M_ACCTS);
		ev = &mev[step];
		memset(ev, 0, sizeof(*ev));
		ev->a = a;
		ev->nl = 1 + (int)(mrand() % 3);
		amount = 0;
		{
			size_t m = (size_t)snprintf(attrs, sizeof(attrs),
			    "{\"lines\": [");

			for (i = 0; i < ev->nl; i++) {
				ev->line[i] = (int64_t)(mrand() % 400);
				amount += ev->line[i];
				m += (size_t)snprintf(attrs + m, sizeof(attrs) - m,
				    "%s{\"amount\": %lld}", i ? ", " : "",
				    (long long)ev->line[i]);
			}
			snprintf(attrs + m, sizeof(attrs) - m, "]}");
		}
		snprintf(id, sizeof(id), "ev%d", step);
		e.id = id;
		e.type = "buy";
		e.account = acct[a];
		e.amount = amount;
		e.attrs = attrs;
		e.time = t;
		e.actor = "mgr";
		ck_assert_int_eq(points_event_apply(db, &e, &res), POINTS_OK);
		mperiods(t, st);
		qsort(order, M_RULES, sizeof(order[0]), mcmp);
		for (i = 0; i < M_RULES; i++) {
			mrule *m = order[i];
			points_rule_outcome o;
			int64_t pts, allowed;
			int p, capped = 0;
			time_t tt = (time_t)t;
			struct tm tm;

			gmtime_r(&tt, &tm);
			ck_assert_int_eq(points_event_result_outcome(res, i, &o),
			    POINTS_OK);
			ck_assert_str_eq(o.rule, m->name);
			ck_assert_int_eq(o.version, m->version);
			if (excluded) {
				ck_assert_int_eq(o.status,
				    POINTS_OUTCOME_EXCLUDED);
				continue;
			}
			if (amount < m->min) {
				ck_assert_int_eq(o.status,
				    POINTS_OUTCOME_CONDITION);
				continue;
			}
			pts = mformula(ev, NULL, m->div, m->perline, &am);
			ck_assert_int_eq(o.formula, pts);
			if (m->window && tm.tm_wday == 6)
				pts = pts * 300 / 100;
			if (!m->no_tier)
				pts = pts * tier_pct[acct_tier[a]] / 100;
			if (pts == 0) {
				ck_assert_int_eq(o.status, POINTS_OUTCOME_ZERO);
				continue;
			}
			allowed = pts;
			for (p = 0; p < 4; p++) {
				int64_t used, left;

				if (!m->cap[p])
					continue;
				if ((used = mused(m, a, p, st[p])) < 0) {
					allowed = 0;
					break;
				}
				left = m->cap[p] - used;
				if (m->awards ? left < 1 : left < allowed)
					allowed = m->awards ? 0 :
					    left > 0 ? left : 0;
			}
			if (allowed && m->budget &&
			    m->budget - m->spent_budget < allowed)
				allowed = m->budget - m->spent_budget;
			if (allowed <= 0)
				capped = 1;
			ck_assert_msg(o.status == (capped ?
			    POINTS_OUTCOME_CAPPED : m->approval ?
			    POINTS_OUTCOME_APPROVAL : POINTS_OUTCOME_AWARDED),
			    "step %d rule %s: status %d (%s), model %s", step,
			    m->name, o.status, o.reason, capped ? "capped" :
			    "awards");
			if (capped)
				continue;
			ck_assert_msg(o.points == allowed, "step %d rule %s: %lld "
			    "points, model %lld (pts %lld amount %lld div %lld "
			    "win %d wday %d tier %d notier %d awards %d caps %lld "
			    "%lld %lld %lld budget %lld/%lld; %s)", step, m->name,
			    (long long)o.points, (long long)allowed,
			    (long long)pts, (long long)amount, (long long)m->div,
			    m->window, tm.tm_wday, acct_tier[a], m->no_tier,
			    m->awards, (long long)m->cap[0],
			    (long long)m->cap[1], (long long)m->cap[2],
			    (long long)m->cap[3], (long long)m->spent_budget,
			    (long long)m->budget, o.reason);
			for (p = 0; p < 4; p++)
				if (m->cap[p])
					mcount(m, a, p, st[p],
					    m->awards ? 1 : allowed);
			/* a budget counts what the rule pays while it has one */
			if (m->budget)
				m->spent_budget += allowed;
			if (m->approval) {
				/* nominated: posted when approved */
				ck_assert_int_lt(ma_n, M_APPR);
				ma[ma_n].id = ++ma_next;
				ma[ma_n].a = a;
				ma[ma_n].pts = allowed;
				ma[ma_n].pending = m->pending;
				ma[ma_n++].t = t;
			} else {
				strcpy(ev->aw[ev->naw].name, m->name);
				ev->aw[ev->naw].pts = allowed;
				ev->aw[ev->naw].formula = o.formula;
				ev->aw[ev->naw].min = m->min;
				ev->aw[ev->naw].div = m->div;
				ev->aw[ev->naw++].perline = m->perline;
				if (m->pending)
					ev->whole = -1; /* not refunded here */
				bal[a] += allowed;
				if (m->pending) {
					ck_assert_int_lt(mp_n[a], M_PEND);
					mp_day[a][mp_n[a]] = (t + m->pending *
					    TU_DAY) / TU_DAY;
					mp_pts[a][mp_n[a]++] = allowed;
				}
			}
			if (m->exclusive)
				excluded = 1;
		}
		points_event_result_free(res);
		/* now and then an approval is decided: never by its
		 * nominator; approved, it pays as the rule would have */
		if (ma_n > 0 && mrand() % 3 == 0) {
			int k = (int)(mrand() % (uint64_t)ma_n);
			points_approval ap;

			ck_assert_int_eq(points_approval_approve(db, ma[k].id,
			    "mgr", NULL, &ap), POINTS_EPERM);
			if (mrand() % 3) {
				int b = ma[k].a;

				ck_assert_int_eq(points_approval_approve(db,
				    ma[k].id, "hr", NULL, &ap), POINTS_OK);
				bal[b] += ma[k].pts;
				if (ma[k].pending) {
					ck_assert_int_lt(mp_n[b], M_PEND);
					mp_day[b][mp_n[b]] = (ma[k].t +
					    ma[k].pending * TU_DAY) / TU_DAY;
					mp_pts[b][mp_n[b]++] = ma[k].pts;
				}
			} else {
				ck_assert_int_eq(points_approval_reject(db,
				    ma[k].id, "hr", "no", &ap), POINTS_OK);
			}
			memmove(ma + k, ma + k + 1, (size_t)(ma_n - k - 1) *
			    sizeof(ma[0]));
			ma_n--;
		}
		ck_assert_int_eq(mpending_approvals(), ma_n);
		/* now and then lines of an earlier event are refunded, one
		 * or several at once, when what they take back is spendable
		 * (pending points and debts are tests of their own) */
		if (mrand() % 3 == 0)
			mrefund_lines(mev, step + 1, acct, bal);
		/* now and then an account spends: what is spendable and
		 * no more */
		if (mrand() % 4 == 0) {
			int64_t can;

			a = (int)(mrand() % M_ACCTS);
			can = bal[a] - mpending(a, tu_now / TU_DAY);
			if (can < bal[a])
				ck_assert_int_eq(tu_spend(db, acct[a], "PTS",
				    can + 1, NULL), POINTS_EINSUFFICIENT);
			if (can > 0) {
				int64_t x = 1 + (int64_t)(mrand() %
				    (uint64_t)can);

				ck_assert_int_eq(tu_spend(db, acct[a], "PTS",
				    x, NULL), POINTS_OK);
				bal[a] -= x;
			}
		}
		for (i = 0; i < M_ACCTS; i++) {
			points_balance b;
			int64_t pend = mpending(i, tu_now / TU_DAY);

			ck_assert_int_eq(points_balance_get(db, acct[i], "PTS",
			    &b), POINTS_OK);
			ck_assert_msg(b.available == bal[i] - pend &&
			    b.pending == pend, "step %d account %d: %lld "
			    "available, %lld pending; model %lld, %lld",
			    step, i, (long long)b.available,
			    (long long)b.pending, (long long)(bal[i] - pend),
			    (long long)pend);
		}
	}
	/* the run refunded lines (seeds 0-7: 19 to 60 refunds) */
	ck_assert_int_ge(mrefunds, 10);
}
END_TEST

/* Each field of an event's and of a refund's fingerprint, changed alone
 * under the same id or key, is another request: POINTS_ECONFLICT, and
 * nothing written. */
START_TEST(test_each_fingerprint_field_conflicts)
{
	points_event e = POINTS_EVENT_INIT, m;
	points_event_reversal r = POINTS_EVENT_REVERSAL_INIT, q;
	points_event_result *res = NULL;
	int f;

	add("spend", "purchase", NULL, "event.amount / 100");
	add("lines", "basket", NULL, "size(event.attrs.lines)");
	e.id = "ord-1";
	e.type = "purchase";
	e.account = alice;
	e.time = tu_now - 60;
	e.amount = 5000;
	e.attrs = "{\"channel\": \"app\"}";
	e.actor = "shop";
	ck_assert_int_eq(points_event_apply(db, &e, &res), POINTS_OK);
	points_event_result_free(res);
	for (f = 0; f < 6; f++) {
		m = e;
		switch (f) {
		case 0: m.type = "basket"; break;
		case 1: m.account = bob; break;
		case 2: m.time = tu_now - 120; break;
		case 3: m.amount = 5100; break;
		case 4: m.attrs = "{\"channel\": \"store\"}"; break;
		case 5: m.actor = "shop2"; break;
		}
		tu_snap(db);
		res = NULL;
		ck_assert_msg(points_event_apply(db, &m, &res) ==
		    POINTS_ECONFLICT, "event field %d: %s", f,
		    points_errmsg(db));
		ck_assert_ptr_null(res);
		tu_unchanged(db);
	}
	/* a refund of lines and one of an amount, each with a key */
	e.id = "bsk-1";
	e.type = "basket";
	e.attrs = "{\"lines\": [{\"id\": \"A\", \"amount\": 100}, "
	    "{\"id\": \"B\", \"amount\": 200}, {\"id\": \"C\", \"amount\": 300}]}";
	e.amount = 600;
	ck_assert_int_eq(points_event_apply(db, &e, &res), POINTS_OK);
	points_event_result_free(res);
	r.event_id = "bsk-1";
	r.lines = "[\"A\"]";
	r.memo = "returned";
	r.idempotency_key = "rf-lines";
	r.actor = "cs.wang";
	ck_assert_msg(points_event_reverse(db, &r, &res) == POINTS_OK, "%s",
	    points_errmsg(db));
	points_event_result_free(res);
	for (f = 0; f < 6; f++) {
		q = r;
		switch (f) {
		case 0: q.event_id = "ord-1"; q.lines = NULL; break;
		case 1: q.lines = NULL; q.amount = 100; break;
		case 2: q.memo = "broken"; break;
		case 3: q.actor = "cs.li"; break;
		case 4: q.flags = POINTS_REVERSE_NO_DEBT; break;
		case 5: q.lines = "[\"B\"]"; break;
		}
		tu_snap(db);
		res = NULL;
		ck_assert_msg(points_event_reverse(db, &q, &res) ==
		    POINTS_ECONFLICT, "refund field %d: %s", f,
		    points_errmsg(db));
		ck_assert_ptr_null(res);
		tu_unchanged(db);
	}
	/* the same refund replays */
	ck_assert_int_eq(points_event_reverse(db, &r, &res), POINTS_OK);
	points_event_result_free(res);
}
END_TEST

/* A backtest of version 0 is of the rule's latest version, whichever
 * of three it is, and a version it does not have is refused by name;
 * a rule of that name that is another's is not confused with it. */
START_TEST(test_backtest_of_the_latest_version)
{
	points_backtest_summary s;
	points_backtest *bt;
	points_backtest *none = NULL;

	add("base", "purchase", NULL, "event.amount / 100");
	add("bonus", "purchase", NULL, "event.amount / 10");
	add("bonus", "purchase", NULL, "event.amount / 5");
	add("bonus", "purchase", NULL, "event.amount / 2");
	tu_now += 60;
	ck_assert_int_eq(apply("l1", "purchase", alice, 100, NULL), 1 + 50 +
	    0);
	ck_assert_int_eq(apply("l2", "purchase", bob, 300, NULL), 3 + 150);
	bt = backtest(db, "bonus", 0, 0, 0);
	ck_assert_int_eq(points_backtest_summary_get(bt, &s), POINTS_OK);
	ck_assert_int_eq(s.points, 200);
	points_backtest_free(bt);
	bt = backtest(db, "bonus", 2, 0, 0);
	ck_assert_int_eq(points_backtest_summary_get(bt, &s), POINTS_OK);
	ck_assert_int_eq(s.points, 80);
	points_backtest_free(bt);
	bt = backtest(db, "bonus", 1, 0, 0);
	ck_assert_int_eq(points_backtest_summary_get(bt, &s), POINTS_OK);
	ck_assert_int_eq(s.points, 40);
	points_backtest_free(bt);
	bt = backtest(db, "base", 0, 0, 0);
	ck_assert_int_eq(points_backtest_summary_get(bt, &s), POINTS_OK);
	ck_assert_int_eq(s.points, 4);
	points_backtest_free(bt);
	TU_FAILS(db, points_rule_backtest(db, "bonus", 4, 0, 0, &none),
	    POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "rule 'bonus' has no version 4");
	ck_assert_ptr_null(none);
	TU_FAILS(db, points_rule_backtest(db, "bonu", 0, 0, 0, &none),
	    POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "rule 'bonu' not found");
}
END_TEST

/* Two rules capped per value of one key both count an event, each its
 * own figure; a figure damaged in the store refuses the next event as
 * damage naming the key, writing nothing. */
START_TEST(test_two_keyed_caps_and_a_damaged_figure)
{
	points_rule_def d;
	points_event e = POINTS_EVENT_INIT;
	points_event_result *res = NULL;
	points_store *st = tu_store(db);
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	unsigned char key[64];
	char want[96];

	d = rule("first", "buy", NULL, "3");
	d.cap_key = "event.account";
	d.cap_key_limit = 1;
	d.cap_unit = POINTS_CAP_AWARDS;
	save(&d);
	d = rule("second", "buy", NULL, "4");
	d.cap_key = "event.account";
	d.cap_key_limit = 2;
	d.cap_unit = POINTS_CAP_AWARDS;
	save(&d);
	ck_assert_int_eq(apply("k1", "buy", alice, 0, NULL), 7);
	ck_assert_int_eq(apply("k2", "buy", alice, 0, NULL), 4);
	ck_assert_int_eq(apply("k3", "buy", alice, 0, NULL), 0);
	ck_assert_int_eq(apply("k4", "buy", bob, 0, NULL), 7);
	/* the first figure of the keyspace: rule first's, of the account
	 * its key names */
	ck_assert_int_eq(st->begin(st, 0), POINTS_OK);
	ck_assert_int_eq(st->cursor_open(st, tu_keyspace(db, "rulekey"), NULL,
	    0, NULL, 0, 0, &c), POINTS_OK);
	ck_assert_int_eq(st->cursor_next(st, c, &k, &kl, &v, &vl), POINTS_OK);
	ck_assert_uint_gt(kl, 4);
	ck_assert_uint_lt(kl, sizeof(key));
	memcpy(key, k, kl);
	key[kl] = '\0';
	st->cursor_close(st, c);
	st->rollback(st);
	tu_raw_put(db, "rulekey", key, kl, "\x80", 1);
	e.id = "k5";
	e.type = "buy";
	e.account = strtoll((const char *)key + 4, NULL, 10);
	ck_assert(e.account == alice || e.account == bob);
	snprintf(want, sizeof(want), "rule cap key '%s': record unreadable",
	    (const char *)key + 4);
	TU_FAILS(db, points_event_apply(db, &e, &res), POINTS_ECORRUPT);
	ck_assert_str_eq(points_errmsg(db), want);
	ck_assert_ptr_null(res);
	/* the damage would fail the teardown's check: a fresh ledger */
	points_close(db);
	db = tu_open("memory:");
}
END_TEST

/* A grant whose accounts are due more than an int64 holds together:
 * the pool pays none of them (it holds 10), and the report's unpaid
 * points stop at INT64_MAX, for one grant and for two run together,
 * instead of wrapping below zero. */
START_TEST(test_grant_unpaid_points_saturate)
{
	points_grant_def d = POINTS_GRANT_DEF_INIT;
	points_grant_report r;
	points_posting p;
	points_grant g;
	points_txn t;
	int64_t pool;

	ck_assert_int_eq(points_account_create(db, "pool:hr", NULL,
	    POINTS_ACCOUNT_POOL, &pool), POINTS_OK);
	p = tu_posting("PTS", pool, 10);
	ck_assert_int_eq(points_pool_fund(db, &p, &t), POINTS_OK);
	d.name = "huge";
	d.asset = "PTS";
	d.points = "4611686018427387904"; /* 2^62 */
	d.pool = pool;
	d.state = POINTS_RULE_ACTIVE;
	d.author = "hr";
	ck_assert_int_eq(points_grant_save(db, &d, &g), POINTS_OK);
	tu_snap(db);
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(points_grant_run(db, "huge", 0, &r), POINTS_OK);
	ck_assert_int_eq(r.accounts, 3);
	ck_assert_int_eq(r.granted, 0);
	ck_assert_int_eq(r.unpaid, 3);
	ck_assert_int_eq(r.unpaid_points, INT64_MAX);
	tu_unchanged(db);
	d.name = "huge2";
	d.points = "1";
	ck_assert_int_eq(points_grant_save(db, &d, &g), POINTS_OK);
	d.name = "huge3";
	d.points = "9223372036854775807";
	ck_assert_int_eq(points_grant_save(db, &d, &g), POINTS_OK);
	/* huge2 pays 1 to each of the three from the pool's 10 */
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(points_grant_run_due(db, 0, &r), POINTS_OK);
	ck_assert_int_eq(r.grants, 3);
	ck_assert_int_eq(r.granted, 3);
	ck_assert_int_eq(r.points, 3);
	ck_assert_int_eq(r.unpaid, 6);
	ck_assert_int_eq(r.unpaid_points, INT64_MAX);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("rules");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_hr_examples);
	tcase_add_test(tc, test_award_memo);
	tcase_add_test(tc, test_shop_examples);
	tcase_add_test(tc, test_tiers_and_window);
	tcase_add_test(tc, test_versions);
	tcase_add_test(tc, test_rule_list_by_name_latest_version);
	tcase_add_test(tc, test_caps_partial);
	tcase_add_test(tc, test_caps_late_events);
	tcase_add_test(tc, test_budget_and_exclusive);
	tcase_add_test(tc, test_idempotent_and_preview);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_account_fields);
	tcase_add_test(tc, test_awards_share_an_earn_only_when_alike);
	tcase_add_test(tc, test_account_fields_not_dates);
	tcase_add_test(tc, test_birthday_month);
	tcase_add_test(tc, test_line_items);
	tcase_add_test(tc, test_unknown_fields);
	tcase_add_test(tc, test_old_version_loads_untyped);
	tcase_add_test(tc, test_refunds);
	tcase_add_test(tc, test_pending_points_become_available);
	tcase_add_test(tc, test_pending_points_several_days);
	tcase_add_test(tc, test_pending_points_refunds);
	tcase_add_test(tc, test_pending_points_refusals);
	tcase_add_test(tc, test_line_refunds);
	tcase_add_test(tc, test_line_refunds_pending_and_debt);
	tcase_add_test(tc, test_line_refund_refusals);
	tcase_add_test(tc, test_backtest);
	tcase_add_test(tc, test_two_keyed_caps_and_a_damaged_figure);
	tcase_add_test(tc, test_backtest_of_the_latest_version);
	tcase_add_test(tc, test_grant_unpaid_points_saturate);
	tcase_add_test(tc, test_each_fingerprint_field_conflicts);
	tcase_add_loop_test(tc, test_backtest_equals_copy, 0, 6);
	tcase_add_loop_test(tc, test_random_against_model, 0, 8);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
