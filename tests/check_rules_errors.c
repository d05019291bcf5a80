/* check_rules_errors.c - refusals of the rules' public calls: each with
 * its code, a message naming the rule and the reason, and nothing
 * written. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "points/rules.h"
#include "util/codec.h"

static points_rule_def
good(void)
{
	points_rule_def d;

	ck_assert_int_eq(points_rule_def_init(&d, POINTS_RULE_DEF_VERSION),
	    POINTS_OK);
	d.name = "r1";
	d.event_type = "purchase";
	d.points = "event.amount / 10";
	d.asset = "PTS";
	d.state = POINTS_RULE_ACTIVE;
	d.author = "ops";
	return d;
}

/* d is refused with EINVAL, nothing written, a message holding want. */
static void
refused(points_db *db, const points_rule_def *d, const char *want)
{
	points_rule r;

	TU_FAILS(db, points_rule_save(db, d, &r), POINTS_EINVAL);
	ck_assert_msg(strstr(points_errmsg(db), want) != NULL,
	    "\"%s\" does not say \"%s\"", points_errmsg(db), want);
}

START_TEST(test_rule_def_refusals)
{
	points_db *db = tu_open("memory:");
	points_rule_def d;
	points_rule r;
	char longname[80];

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	d = good(); d.name = NULL;
	refused(db, &d, "rule name is required");
	d = good(); d.name = longname;
	refused(db, &d, "rule name is too long");
	d = good(); d.name = "Big";
	refused(db, &d, "rule name 'Big': only a-z");
	d = good(); d.event_type = "pur chase";
	refused(db, &d, "event type 'pur chase': only a-z");
	d = good(); d.points = "";
	refused(db, &d, "rule 'r1': the points formula is required");
	d = good(); d.state = 9;
	refused(db, &d, "rule 'r1': unknown state 9");
	d = good(); d.flags = 0x4000;
	refused(db, &d, "rule 'r1': unknown flags 0x4000");
	d = good(); d.active_from = -1;
	refused(db, &d, "rule 'r1': active_from must not be negative "
	    "(got -1)");
	d = good(); d.cap_week = -5;
	refused(db, &d, "rule 'r1': cap_week must not be negative (got -5)");
	d = good(); d.pending_days = -2;
	refused(db, &d, "rule 'r1': pending_days must not be negative");
	d = good(); d.pending_days = POINTS_RULE_PENDING_DAYS_MAX + 1;
	refused(db, &d, "pending_days");
	d = good(); d.pending_days = 10; d.expires_days = 10;
	refused(db, &d, "rule 'r1': the points would expire (expires_days "
	    "10) before they are available (pending_days 10)");
	d = good(); d.active_from = TU_T0; d.active_until = TU_T0;
	refused(db, &d, "rule 'r1': active_until must be after active_from");
	d = good(); d.expires_days = 36526;
	refused(db, &d, "expires_days 36526 is more than 36525");
	d = good(); d.window_percent = 200; d.window_weekdays = 1u << 7;
	refused(db, &d, "a window mask has bits past Sunday or the 31st");
	d = good(); d.window_percent = 200; d.window_monthdays = 1u << 31;
	refused(db, &d, "a window mask has bits past Sunday or the 31st");
	d = good(); d.window_weekdays = 1u << 5;
	refused(db, &d, "a window needs window_percent (100 for none)");
	d = good(); d.flags = POINTS_RULE_WINDOW_ONLY;
	refused(db, &d, "a window needs window_percent");
	d = good(); d.window_percent = 100001;
	refused(db, &d, "window_percent is more than 100000");
	d = good(); d.cap_unit = 7;
	refused(db, &d, "rule 'r1': unknown cap_unit 7");
	d = good(); d.cap_key = "event.friend";
	refused(db, &d, "cap_key and cap_key_limit go together");
	d = good(); d.cap_key_limit = 3;
	refused(db, &d, "cap_key and cap_key_limit go together");
	d = good(); d.cap_key = ""; d.cap_key_limit = 3;
	refused(db, &d, "rule 'r1': cap_key and cap_key_limit go together");
	d = good(); d.author = NULL;
	refused(db, &d, "author is required");
	/* the limits themselves are accepted */
	d = good();
	d.pending_days = POINTS_RULE_PENDING_DAYS_MAX;
	d.expires_days = 36525;
	d.window_percent = 100000;
	d.window_weekdays = (1u << 7) - 1;
	d.window_monthdays = (1u << 31) - 1;
	d.active_from = TU_T0; /* from then on, without an end */
	ck_assert_msg(points_rule_save(db, &d, &r) == POINTS_OK, "%s",
	    points_errmsg(db));
	ck_assert_int_eq(r.version, 1);
	ck_assert_int_eq(r.expires_days, 36525);
	ck_assert_int_eq(r.window_percent, 100000);
	ck_assert_uint_eq(r.window_monthdays, (1u << 31) - 1);
	ck_assert_int_eq(r.active_from, TU_T0);
	ck_assert_int_eq(r.active_until, 0);
	tu_invariants(db);
	points_close(db);
}
END_TEST

/* Each count or time of a definition must not be negative, the calls
 * that take a rule refuse what they cannot use, naming it; nothing is
 * written. */
START_TEST(test_rule_call_refusals)
{
	static const char *const fields[] = { "active_until",
	    "expires_days", "window_percent", "cap_day", "cap_month",
	    "cap_year", "cap_total", "cap_key_limit", "budget_points",
	    "budget_awards" };
	points_db *db = tu_open("memory:");
	points_rule_def d;
	points_rule r;
	char longstr[POINTS_EXPR_MAX + 2], want[80], *src;
	size_t i;

	memset(longstr, 'x', sizeof(longstr) - 1);
	longstr[sizeof(longstr) - 1] = '\0';
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		int64_t *f[] = { &d.active_until, &d.expires_days,
		    &d.window_percent, &d.cap_day, &d.cap_month, &d.cap_year,
		    &d.cap_total, &d.cap_key_limit, &d.budget_points,
		    &d.budget_awards };

		d = good();
		*f[i] = -1;
		snprintf(want, sizeof(want), "rule 'r1': %s must not be "
		    "negative (got -1)", fields[i]);
		refused(db, &d, want);
	}
	d = good(); d.category = "Not A Category";
	refused(db, &d, "rule: category must be 1-");
	d = good(); d.event_type = "redemption"; d.category = "mall";
	refused(db, &d, "rule 'r1': a rule of redemption events cannot "
	    "post in category 'mall'");
	d = good(); d.reason = longstr;
	refused(db, &d, "reason is too long (at most 256 bytes)");
	d = good(); d.condition = longstr;
	refused(db, &d, "is too long (at most 4096 bytes)");
	d = good();
	TU_FAILS(db, points_rule_save(db, NULL, &r), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "rule definition is required");
	TU_FAILS(db, points_rule_save(db, &d, NULL), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "out is required");
	d.version = 0;
	TU_FAILS(db, points_rule_save(db, &d, &r), POINTS_EVERSION);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "rule definition "
	    "version 0 (this library knows 1 to"));
	d.version = POINTS_RULE_DEF_VERSION + 1;
	TU_FAILS(db, points_rule_save(db, &d, &r), POINTS_EVERSION);
	/* a redemption rule in another category is fine */
	d = good(); d.event_type = "redemption"; d.category = "thanks";
	ck_assert_msg(points_rule_save(db, &d, &r) == POINTS_OK, "%s",
	    points_errmsg(db));
	ck_assert_int_eq(r.version, 1);
	ck_assert_int_eq(points_rule_get(db, "r1", -1, &r), POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "rule 'r1' has no version -1 "
	    "(latest 1)");
	ck_assert_int_eq(points_rule_get(db, "r1", 2, &r), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_rule_get(db, "r1", 0, NULL), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "out is required");
	ck_assert_int_eq(points_rule_expr_get(db, "r1", 1,
	    POINTS_RULE_EXPR_CAP_KEY + 1, &src), POINTS_EINVAL);
	snprintf(want, sizeof(want), "unknown rule expression %d",
	    POINTS_RULE_EXPR_CAP_KEY + 1);
	ck_assert_str_eq(points_errmsg(db), want);
	ck_assert_int_eq(points_rule_expr_get(db, "r1", 1, -1, &src),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "unknown rule expression -1");
	TU_FAILS(db, points_rule_set_state(db, "r1", POINTS_RULE_RETIRED + 1,
	    "ops", NULL, &r), POINTS_EINVAL);
	snprintf(want, sizeof(want), "rule 'r1': unknown state %d",
	    POINTS_RULE_RETIRED + 1);
	ck_assert_str_eq(points_errmsg(db), want);
	TU_FAILS(db, points_rule_set_state(db, "r1", POINTS_RULE_DRAFT - 1,
	    "ops", NULL, &r), POINTS_EINVAL);
	TU_FAILS(db, points_rule_set_state(db, "r1", POINTS_RULE_PAUSED,
	    "ops", longstr, &r), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "reason is too long (at most 256 "
	    "bytes)");
	TU_FAILS(db, points_rule_set_state(db, "r1", POINTS_RULE_PAUSED,
	    "ops", NULL, NULL), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "out is required");
	ck_assert_int_eq(points_rule_get(db, "r1", 0, &r), POINTS_OK);
	ck_assert_int_eq(r.state, POINTS_RULE_ACTIVE);
	tu_invariants(db);
	points_close(db);
}
END_TEST

/* The rules' records with a value their writer never gives (a head of
 * an unknown format, generation 0, pending days 0 or past the most in a
 * version that has them) read as damaged: the rule's reads and saves
 * refuse, writing nothing; put back, all is as before. */
START_TEST(test_damaged_rule_records)
{
	/* the fields of a rule's head, of the rules' generation record and
	 * of a version with pending days (rule.c) */
	static const char head[] = "uww",
	    ver[] = "uvssuvwssvvvwwvuvvvvvvvvssssssv";
	static const int64_t bad_days[] = { 0, -1,
	    POINTS_RULE_PENDING_DAYS_MAX + 1 };
	points_db *db = tu_open("memory:");
	int64_t gen1;
	points_rule_def d = good();
	unsigned char hv[256], mv[256], vv[4096], dam[4200], vk[8];
	size_t hl, ml, vl, dl, i;
	points_rule r;

	ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_OK);
	d.name = "r2";
	d.pending_days = 5;
	ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_OK);
	hl = tu_raw_get(db, "rule", "r1", 2, hv, sizeof(hv));
	dl = tu_record_set(hv, hl, head, 0, 9, dam, sizeof(dam));
	tu_raw_put(db, "rule", "r1", 2, dam, dl);
	ck_assert_int_eq(points_rule_get(db, "r1", 0, &r), POINTS_ECORRUPT);
	ck_assert_str_eq(points_errmsg(db), "rule 'r1': record unreadable");
	tu_raw_put(db, "rule", "r1", 2, hv, hl);
	gen1 = tu_account(db, "GEN1");
	ml = tu_raw_get(db, "rule", "", 1, mv, sizeof(mv));
	dl = tu_record_set(mv, ml, head, 2, 0, dam, sizeof(dam));
	tu_raw_put(db, "rule", "", 1, dam, dl);
	d.name = "r3";
	d.pending_days = 0;
	TU_FAILS(db, points_rule_save(db, &d, &r), POINTS_ECORRUPT);
	ck_assert_str_eq(points_errmsg(db), "rules: generation record "
	    "unreadable");
	/* an earn reads it with its other keys (rule.c, ahead) */
	TU_FAILS(db, tu_earn(db, gen1, "PTS", 5, NULL), POINTS_ECORRUPT);
	ck_assert_str_eq(points_errmsg(db), "rules: generation record "
	    "unreadable");
	tu_raw_put(db, "rule", "", 1, mv, ml);
	points_codec__put_be32(vk, 2);
	points_codec__put_be32(vk + 4, 1);
	vl = tu_raw_get(db, "rulever", vk, 8, vv, sizeof(vv));
	dl = tu_record_set(vv, vl, ver, 30, 5, dam, sizeof(dam));
	ck_assert(dl == vl && memcmp(dam, vv, vl) == 0);
	for (i = 0; i < sizeof(bad_days) / sizeof(bad_days[0]); i++) {
		dl = tu_record_set(vv, vl, ver, 30, bad_days[i], dam,
		    sizeof(dam));
		tu_raw_put(db, "rulever", vk, 8, dam, dl);
		ck_assert_int_eq(points_rule_get(db, "r2", 0, &r),
		    POINTS_ECORRUPT);
		ck_assert_str_eq(points_errmsg(db), "rule version unreadable");
	}
	tu_raw_put(db, "rulever", vk, 8, vv, vl);
	ck_assert_int_eq(points_rule_get(db, "r2", 0, &r), POINTS_OK);
	ck_assert_int_eq(r.pending_days, 5);
	ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_OK);
	ck_assert_str_eq(r.name, "r3");
	tu_snap_free();
	points_close(db);
}
END_TEST

static points_grant_def
good_grant(void)
{
	points_grant_def d;

	ck_assert_int_eq(points_grant_def_init(&d, POINTS_GRANT_DEF_VERSION),
	    POINTS_OK);
	d.name = "g1";
	d.asset = "PTS";
	d.points = "100";
	d.state = POINTS_RULE_ACTIVE;
	d.author = "ops";
	return d;
}

static void
grant_refused(points_db *db, const points_grant_def *d, const char *want)
{
	points_grant g;

	TU_FAILS(db, points_grant_save(db, d, &g), POINTS_EINVAL);
	ck_assert_msg(strstr(points_errmsg(db), want) != NULL,
	    "\"%s\" does not say \"%s\"", points_errmsg(db), want);
}

START_TEST(test_grant_def_refusals)
{
	points_db *db = tu_open("memory:");
	points_grant_def d;
	points_grant g;
	int64_t user = tu_account(db, "u1");

	TU_FAILS(db, points_grant_save(db, NULL, &g), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "grant definition is required");
	d = good_grant();
	TU_FAILS(db, points_grant_save(db, &d, NULL), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "out is required");
	d = good_grant(); d.points = NULL;
	grant_refused(db, &d, "grant 'g1': the points formula is required");
	d = good_grant(); d.period = 99;
	grant_refused(db, &d, "grant 'g1': unknown period 99");
	d = good_grant(); d.state = -1;
	grant_refused(db, &d, "grant 'g1': unknown state -1");
	d = good_grant(); d.flags = 0x100;
	grant_refused(db, &d, "grant 'g1': unknown flags 0x100");
	d = good_grant(); d.expires_days = 36526;
	grant_refused(db, &d, "grant 'g1': expires_days 36526 is not 0 to "
	    "36525");
	d = good_grant(); d.expires_days = -1;
	grant_refused(db, &d, "expires_days -1 is not 0 to 36525");
	d = good_grant(); d.expires_days = 30;
	d.flags = POINTS_GRANT_EXPIRE_AT_END;
	grant_refused(db, &d, "expires_days and POINTS_GRANT_EXPIRE_AT_END "
	    "exclude each other");
	d = good_grant(); d.pool = -3;
	grant_refused(db, &d, "grant 'g1': pool -3 is not an account id");
	d = good_grant(); d.pool = user;
	grant_refused(db, &d, "grant 'g1': account u1 is not a pool");
	d = good_grant(); d.points = "1 +";
	grant_refused(db, &d, "grant 'g1': ");
	d = good_grant();
	ck_assert_msg(points_grant_save(db, &d, &g) == POINTS_OK, "%s",
	    points_errmsg(db));
	tu_invariants(db);
	points_close(db);
}
END_TEST

/* The calls that take a grant refuse what they cannot use, naming it:
 * a closed pool, an empty asset, texts past their length, an unknown
 * state, no out, a negative time; nothing is written.  An empty
 * condition is none, read back as "". */
START_TEST(test_grant_call_refusals)
{
	points_db *db = tu_open("memory:");
	points_grant_def d;
	points_grant g;
	points_grant_award_iterator *it;
	char longstr[POINTS_EXPR_MAX + 2], *src;
	int64_t pool;

	memset(longstr, 'x', sizeof(longstr) - 1);
	longstr[sizeof(longstr) - 1] = '\0';
	ck_assert_int_eq(points_account_create(db, "pool:hr", NULL,
	    POINTS_ACCOUNT_POOL, &pool), POINTS_OK);
	ck_assert_int_eq(points_account_close(db, pool), POINTS_OK);
	d = good_grant(); d.pool = pool;
	TU_FAILS(db, points_grant_save(db, &d, &g), POINTS_ECLOSED);
	ck_assert_str_eq(points_errmsg(db), "grant 'g1': pool pool:hr is "
	    "closed");
	d = good_grant(); d.asset = "";
	grant_refused(db, &d, "asset is empty");
	d = good_grant(); d.reason = longstr;
	grant_refused(db, &d, "reason is too long (at most 256 bytes)");
	d = good_grant(); d.condition = longstr;
	grant_refused(db, &d, "is too long (at most 4096 bytes)");
	d = good_grant(); d.condition = "";
	ck_assert_msg(points_grant_save(db, &d, &g) == POINTS_OK, "%s",
	    points_errmsg(db));
	ck_assert_int_eq(points_grant_expr_get(db, "g1", 0,
	    POINTS_RULE_EXPR_CONDITION, &src), POINTS_OK);
	ck_assert_str_eq(src, "");
	points_free(src);
	ck_assert_int_eq(points_grant_expr_get(db, "g1", 0,
	    POINTS_RULE_EXPR_POINTS, &src), POINTS_OK);
	ck_assert_str_eq(src, "100");
	points_free(src);
	ck_assert_int_eq(points_grant_expr_get(db, "g1", 0,
	    POINTS_RULE_EXPR_POINTS, NULL), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "out is required");
	ck_assert_int_eq(points_grant_get(db, "g1", 0, NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_grant_get(db, "g1", -1, &g), POINTS_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "grant 'g1'"));
	TU_FAILS(db, points_grant_set_state(db, "g1", POINTS_RULE_PAUSED,
	    "ops", longstr, &g), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "reason is too long (at most 256 "
	    "bytes)");
	TU_FAILS(db, points_grant_set_state(db, "g1", POINTS_RULE_PAUSED,
	    "ops", NULL, NULL), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "out is required");
	ck_assert_int_eq(points_grant_award_iterator_new(db, "g1", -1, &it),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "as_of -1 is negative");
	ck_assert_int_eq(points_grant_award_iterator_new(db, "g1", 0, NULL),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_grant_get(db, "g1", 0, &g), POINTS_OK);
	ck_assert_int_eq(g.state, POINTS_RULE_ACTIVE);
	ck_assert_int_eq(g.version, 1);
	tu_invariants(db);
	points_close(db);
}
END_TEST

/* Events and refunds refused before any rule runs: no account, a
 * negative time, an empty actor, attributes or lines past their length,
 * unknown flags, no event or out, an unknown version; each with its
 * message and nothing written. */
START_TEST(test_event_call_refusals)
{
	points_db *db = tu_open("memory:");
	points_rule_def d = good();
	points_event e = POINTS_EVENT_INIT;
	points_event_reversal rv = POINTS_EVENT_REVERSAL_INIT;
	points_event_result *er = NULL;
	points_rule r;
	char *big = malloc(POINTS_EVENT_ATTRS_MAX + 2);
	int64_t alice = tu_account(db, "E1001");

	ck_assert_ptr_nonnull(big);
	memset(big, ' ', POINTS_EVENT_ATTRS_MAX + 1);
	big[0] = '{';
	big[POINTS_EVENT_ATTRS_MAX] = '}';
	big[POINTS_EVENT_ATTRS_MAX + 1] = '\0';
	ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_OK);
	e.id = "o-1";
	e.type = "purchase";
	e.account = alice;
	e.amount = 500;
	ck_assert_int_eq(points_event_apply(db, &e, &er), POINTS_OK);
	points_event_result_free(er);
	e.id = "o-2";
	e.account = 0;
	TU_FAILS(db, points_event_apply(db, &e, &er), POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "event 'o-2': account 0 not "
	    "found");
	e.account = alice;
	e.time = -1;
	TU_FAILS(db, points_event_apply(db, &e, &er), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event 'o-2': time must not be "
	    "negative");
	e.time = 0;
	e.actor = "";
	TU_FAILS(db, points_event_apply(db, &e, &er), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event: actor is empty (leave it "
	    "out for none)");
	e.actor = NULL;
	e.attrs = big;
	TU_FAILS(db, points_event_apply(db, &e, &er), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event 'o-2': attrs are longer "
	    "than 16384 bytes");
	/* one byte less is taken */
	big[POINTS_EVENT_ATTRS_MAX - 1] = '}';
	big[POINTS_EVENT_ATTRS_MAX] = '\0';
	ck_assert_int_eq(points_event_preview(db, &e, &er), POINTS_OK);
	points_event_result_free(er);
	e.attrs = NULL;
	TU_FAILS(db, points_event_apply(db, &e, NULL), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "out is required");
	ck_assert_int_eq(points_event_preview(db, NULL, &er), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event is required");
	ck_assert_int_eq(points_event_preview(db, &e, NULL), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "out is required");
	e.version = POINTS_EVENT_VERSION + 1;
	ck_assert_int_eq(points_event_preview(db, &e, &er), POINTS_EVERSION);
	ck_assert_ptr_null(er);
	e.version = POINTS_EVENT_VERSION;
	ck_assert_int_eq(points_event_get(db, "o-1", NULL), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "out is required");
	rv.event_id = "o-1";
	rv.flags = 0x4000;
	TU_FAILS(db, points_event_reverse(db, &rv, &er), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event refund: unknown flags "
	    "0x4000");
	rv.flags = 0;
	rv.actor = "";
	TU_FAILS(db, points_event_reverse(db, &rv, &er), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event refund: actor is empty "
	    "(leave it out for none)");
	rv.actor = NULL;
	memset(big, ' ', POINTS_EVENT_ATTRS_MAX + 1);
	big[0] = '[';
	big[POINTS_EVENT_ATTRS_MAX] = ']';
	big[POINTS_EVENT_ATTRS_MAX + 1] = '\0';
	rv.lines = big;
	TU_FAILS(db, points_event_reverse(db, &rv, &er), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event 'o-1': the refund's lines "
	    "are longer than 16384 bytes");
	ck_assert_ptr_null(er);
	rv.lines = NULL;
	rv.memo = big;
	big[POINTS_MEMO_MAX + 1] = '\0';
	TU_FAILS(db, points_event_reverse(db, &rv, &er), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "memo is too long (at most 256 "
	    "bytes)");
	big[POINTS_EVENT_ID_MAX + 1] = '\0';
	ck_assert_int_eq(points_event_get(db, big, &er), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event id is too long (at most "
	    "128 bytes)");
	e.id = "o-3";
	e.account = tu_account(db, "E1003");
	ck_assert_int_eq(points_account_close(db, e.account), POINTS_OK);
	TU_FAILS(db, points_event_apply(db, &e, &er), POINTS_ECLOSED);
	ck_assert_str_eq(points_errmsg(db), "event 'o-3': account E1003 is "
	    "closed");
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 50);
	free(big);
	tu_invariants(db);
	points_close(db);
}
END_TEST

/* The outcome of a rule whose beneficiary or cap key gives an error, or
 * a beneficiary that cannot be an account: POINTS_OUTCOME_ERROR with
 * the reason, nothing posted for it, the other rules paid. */
START_TEST(test_expression_errors_are_outcomes)
{
	points_db *db = tu_open("memory:");
	points_rule_def d;
	points_event e = POINTS_EVENT_INIT;
	points_event_result *er = NULL;
	points_rule_outcome o;
	points_rule r;
	int64_t alice = tu_account(db, "E1001");
	int i;

	d = good();
	ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_OK);
	d = good(); d.name = "r2"; d.beneficiary = "event.attrs.friend";
	ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_OK);
	d = good(); d.name = "r3"; d.cap_key = "event.attrs.code";
	d.cap_key_limit = 100;
	ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_OK);
	e.id = "o-1";
	e.type = "purchase";
	e.account = alice;
	e.amount = 500;
	e.attrs = "{\"friend\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}";
	ck_assert_int_eq(points_event_apply(db, &e, &er), POINTS_OK);
	ck_assert_int_eq(points_event_result_outcome(er, -1, &o),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_event_result_outcome(er, 3, &o),
	    POINTS_ENOTFOUND);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(points_event_result_outcome(er, i, &o),
		    POINTS_OK);
		if (strcmp(o.rule, "r1") == 0) {
			ck_assert_int_eq(o.status, POINTS_OUTCOME_AWARDED);
			ck_assert_int_eq(o.points, 50);
		} else {
			ck_assert_int_eq(o.status, POINTS_OUTCOME_ERROR);
			ck_assert_int_eq(o.points, 0);
			ck_assert_msg(strncmp(o.reason, strcmp(o.rule, "r2") == 0 ?
			    "beneficiary" : "cap_key: no such key: 'code'",
			    strcmp(o.rule, "r2") == 0 ? 11 : 28) == 0, "%s: %s",
			    o.rule, o.reason);
		}
	}
	points_event_result_free(er);
	e.id = "o-2";
	e.attrs = "{\"code\": \"c1\"}";
	ck_assert_int_eq(points_event_apply(db, &e, &er), POINTS_OK);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(points_event_result_outcome(er, i, &o),
		    POINTS_OK);
		if (strcmp(o.rule, "r2") == 0) {
			ck_assert_int_eq(o.status, POINTS_OUTCOME_ERROR);
			ck_assert_str_eq(o.reason, "beneficiary: no such key: "
			    "'friend'");
		} else {
			ck_assert_int_eq(o.status, POINTS_OUTCOME_AWARDED);
		}
	}
	points_event_result_free(er);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 150);
	tu_invariants(db);
	points_close(db);
}
END_TEST

/* The outcome of one rule of d for an event of amount: its status,
 * its reason into why (cap bytes). */
static int
outcome_of(points_db *db, const points_rule_def *d, const char *id,
    int64_t amount, char *why, size_t cap)
{
	points_event e = POINTS_EVENT_INIT;
	points_event_result *er = NULL;
	points_rule_outcome o;
	points_rule r;

	ck_assert_msg(points_rule_save(db, d, &r) == POINTS_OK, "%s",
	    points_errmsg(db));
	e.id = id;
	e.type = d->event_type;
	e.account = tu_account(db, id);
	e.amount = amount;
	ck_assert_msg(points_event_apply(db, &e, &er) == POINTS_OK, "%s",
	    points_errmsg(db));
	ck_assert_int_eq(points_event_result_outcome(er, 0, &o), POINTS_OK);
	points_event_result_free(er);
	snprintf(why, cap, "%s", o.reason);
	return o.status;
}

/* Multipliers: a product past INT64_MAX is the rule's error, naming
 * the formula's value; a product rounded down to 0, or a formula of 0,
 * awards nothing, saying which. */
START_TEST(test_multiplier_edges)
{
	points_db *db = tu_open("memory:");
	points_rule_def d = good();
	char why[POINTS_OUTCOME_REASON_MAX + 1], want[128];

	d.event_type = "big";
	d.points = "event.amount";
	d.window_percent = 200;
	ck_assert_int_eq(outcome_of(db, &d, "b1", INT64_MAX / 2 + 1, why,
	    sizeof(why)), POINTS_OUTCOME_ERROR);
	snprintf(want, sizeof(want), "points: %lld times the multipliers "
	    "overflows", (long long)(INT64_MAX / 2 + 1));
	ck_assert_str_eq(why, want);
	d = good(); d.name = "r2"; d.event_type = "small";
	d.points = "event.amount"; d.window_percent = 50;
	ck_assert_int_eq(outcome_of(db, &d, "s1", 1, why, sizeof(why)),
	    POINTS_OUTCOME_ZERO);
	ck_assert_str_eq(why, "rounded down to 0");
	d = good(); d.name = "r3"; d.event_type = "none";
	d.points = "event.amount";
	ck_assert_int_eq(outcome_of(db, &d, "n1", 0, why, sizeof(why)),
	    POINTS_OUTCOME_ZERO);
	ck_assert_str_eq(why, "the formula gave 0");
	tu_invariants(db);
	points_close(db);
}
END_TEST

/* What an event's refunds came to, damaged (an unknown format, a count
 * of outcomes not the event's, more lines than bytes): the next refund
 * of the event is refused as damaged and writes nothing; put back, it
 * goes through. */
START_TEST(test_damaged_refund_sum)
{
	/* format, amount, whole, outcomes, one taken, lines (event.c) */
	static const char layout[] = "uvuwvw";
	static const struct {
		int field;
		int64_t value;
	} bad[] = { { 0, 9 }, { 3, 2 }, { 5, 100000 } };
	points_db *db = tu_open("memory:");
	points_rule_def d = good();
	points_event e = POINTS_EVENT_INIT;
	points_event_reversal rv = POINTS_EVENT_REVERSAL_INIT;
	points_event_result *er = NULL;
	unsigned char k[8], val[256], dam[300];
	size_t vl, dl, i;
	points_rule r;

	ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_OK);
	e.id = "o-1";
	e.type = "purchase";
	e.account = tu_account(db, "E1001");
	e.amount = 500;
	ck_assert_int_eq(points_event_apply(db, &e, &er), POINTS_OK);
	points_event_result_free(er);
	rv.event_id = "o-1";
	rv.amount = 100;
	ck_assert_int_eq(points_event_reverse(db, &rv, &er), POINTS_OK);
	points_event_result_free(er);
	points_codec__put_be64(k, 1);
	vl = tu_raw_get(db, "rulerefsum", k, 8, val, sizeof(val));
	dl = tu_record_set(val, vl, layout, 3, 1, dam, sizeof(dam));
	ck_assert(dl == vl && memcmp(dam, val, vl) == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dl = tu_record_set(val, vl, layout, bad[i].field, bad[i].value,
		    dam, sizeof(dam));
		tu_raw_put(db, "rulerefsum", k, 8, dam, dl);
		TU_FAILS(db, points_event_reverse(db, &rv, &er),
		    POINTS_ECORRUPT);
		ck_assert_str_eq(points_errmsg(db), "event 1: refunds record "
		    "unreadable");
		ck_assert_ptr_null(er);
	}
	tu_snap_free();
	tu_raw_put(db, "rulerefsum", k, 8, val, vl);
	ck_assert_int_eq(points_event_reverse(db, &rv, &er), POINTS_OK);
	points_event_result_free(er);
	ck_assert_int_eq(tu_available(db, e.account, "PTS"), 30);
	tu_invariants(db);
	points_close(db);
}
END_TEST

/* A refund's record, damaged (an unknown format, more outcomes or lines
 * than bytes): its key's replay answers that it is damaged; put back,
 * the replay gives the refund. */
START_TEST(test_damaged_refund_record)
{
	/* format, event, amount, points, outcomes; one outcome's rule,
	 * version, points, formula, account, asset, transaction, reason;
	 * the lines (event.c) */
	static const char layout[] = "uwvvwswvvvsssw";
	static const struct {
		int field;
		int64_t value;
	} bad[] = { { 0, 9 }, { 4, 100000 }, { 13, 100000 } };
	points_db *db = tu_open("memory:");
	points_rule_def d = good();
	points_event e = POINTS_EVENT_INIT;
	points_event_reversal rv = POINTS_EVENT_REVERSAL_INIT;
	points_event_result *er = NULL;
	points_event_summary sum;
	unsigned char k[8], val[1024], dam[1100];
	size_t vl, dl, i;
	points_rule r;

	ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_OK);
	e.id = "o-1";
	e.type = "purchase";
	e.account = tu_account(db, "E1001");
	e.amount = 500;
	ck_assert_int_eq(points_event_apply(db, &e, &er), POINTS_OK);
	points_event_result_free(er);
	rv.event_id = "o-1";
	rv.amount = 100;
	rv.idempotency_key = "refund-1";
	ck_assert_int_eq(points_event_reverse(db, &rv, &er), POINTS_OK);
	points_event_result_free(er);
	points_codec__put_be64(k, 1);
	vl = tu_raw_get(db, "rulerefund", k, 8, val, sizeof(val));
	dl = tu_record_set(val, vl, layout, 13, 0, dam, sizeof(dam));
	ck_assert(dl == vl && memcmp(dam, val, vl) == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dl = tu_record_set(val, vl, layout, bad[i].field, bad[i].value,
		    dam, sizeof(dam));
		tu_raw_put(db, "rulerefund", k, 8, dam, dl);
		ck_assert_int_eq(points_event_reverse(db, &rv, &er),
		    POINTS_ECORRUPT);
		ck_assert_str_eq(points_errmsg(db), "refund 1: record "
		    "unreadable");
		ck_assert_ptr_null(er);
	}
	tu_raw_put(db, "rulerefund", k, 8, val, vl);
	ck_assert_int_eq(points_event_reverse(db, &rv, &er), POINTS_OK);
	ck_assert_int_eq(points_event_result_summary(er, &sum), POINTS_OK);
	ck_assert_int_eq(sum.replayed, 1);
	ck_assert_int_eq(sum.points, -10);
	points_event_result_free(er);
	ck_assert_int_eq(tu_available(db, e.account, "PTS"), 40);
	tu_invariants(db);
	points_close(db);
}
END_TEST

/* A backtest's version and times must not be negative. */
START_TEST(test_backtest_refusals)
{
	points_db *db = tu_open("memory:");
	points_rule_def d = good();
	points_backtest *bt = NULL;
	points_rule r;

	ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_OK);
	ck_assert_int_eq(points_rule_backtest(db, "r1", -1, 0, 0, &bt),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "backtest of rule 'r1': version, "
	    "from and until must not be negative");
	ck_assert_int_eq(points_rule_backtest(db, "r1", 0, -1, 0, &bt),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_rule_backtest(db, "r1", 0, 0, -1, &bt),
	    POINTS_EINVAL);
	ck_assert_ptr_null(bt);
	points_close(db);
}
END_TEST

/* A result variable reused across the event calls: each failure stores
 * NULL in it, so freeing it after a failed call frees nothing twice
 * (the sanitizers' build would abort on the double free). */
START_TEST(test_failed_event_calls_leave_no_result)
{
	points_db *db = tu_open("memory:");
	points_rule_def d = POINTS_RULE_DEF_INIT;
	points_event e = POINTS_EVENT_INIT;
	points_event_reversal rv = POINTS_EVENT_REVERSAL_INIT;
	points_event_result *er = NULL;
	points_rule r;

	d.name = "base";
	d.event_type = "purchase";
	d.points = "event.amount / 100";
	d.asset = "PTS";
	d.state = POINTS_RULE_ACTIVE;
	d.author = "ops";
	ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_OK);
	e.id = "o-1";
	e.type = "purchase";
	e.account = tu_account(db, "E1001");
	e.amount = 500;
	ck_assert_int_eq(points_event_apply(db, &e, &er), POINTS_OK);
	ck_assert_ptr_nonnull(er);
	points_event_result_free(er);
	ck_assert_int_eq(points_event_get(db, "nope", &er), POINTS_ENOTFOUND);
	ck_assert_ptr_null(er);
	ck_assert_int_eq(points_event_get(db, "o-1", &er), POINTS_OK);
	points_event_result_free(er);
	e.account = 4242;
	ck_assert_int_lt(points_event_apply(db, &e, &er), 0);
	ck_assert_ptr_null(er);
	ck_assert_int_eq(points_event_get(db, "o-1", &er), POINTS_OK);
	points_event_result_free(er);
	ck_assert_int_lt(points_event_preview(db, &e, &er), 0);
	ck_assert_ptr_null(er);
	ck_assert_int_eq(points_event_get(db, "o-1", &er), POINTS_OK);
	points_event_result_free(er);
	rv.event_id = "nope";
	ck_assert_int_eq(points_event_reverse(db, &rv, &er), POINTS_ENOTFOUND);
	ck_assert_ptr_null(er);
	ck_assert_int_eq(points_event_get(NULL, "o-1", &er), POINTS_EINVAL);
	ck_assert_ptr_null(er);
	points_event_result_free(er);
	tu_invariants(db);
	points_close(db);
}
END_TEST

static Suite *
rules_errors_suite(void)
{
	Suite *s = suite_create("rules_errors");
	TCase *tc = tcase_create("rule");

	tcase_add_test(tc, test_rule_def_refusals);
	tcase_add_test(tc, test_rule_call_refusals);
	tcase_add_test(tc, test_damaged_rule_records);
	suite_add_tcase(s, tc);
	tc = tcase_create("grant");
	tcase_add_test(tc, test_grant_def_refusals);
	tcase_add_test(tc, test_grant_call_refusals);
	suite_add_tcase(s, tc);
	tc = tcase_create("event");
	tcase_add_test(tc, test_failed_event_calls_leave_no_result);
	tcase_add_test(tc, test_event_call_refusals);
	tcase_add_test(tc, test_expression_errors_are_outcomes);
	tcase_add_test(tc, test_backtest_refusals);
	tcase_add_test(tc, test_multiplier_edges);
	tcase_add_test(tc, test_damaged_refund_sum);
	tcase_add_test(tc, test_damaged_refund_record);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(rules_errors_suite());
}
