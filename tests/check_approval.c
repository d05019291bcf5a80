/* check_approval.c - four eyes: awards of rules that need approval and
 * manual awards wait for a second actor; approval posts them, a
 * rejection records its reason and posts nothing; the nominator can do
 * neither; the pending ones are listed by an iterator. */
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
	/* 2024-01-01 10:00 */
	tu_now = TU_T0 + 10 * 3600;
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

/* An adopted idea earns 20 PTS once HR approves the manager's
 * nomination. */
static void
idea_rule(unsigned int flags, int64_t pending_days, int64_t cap_day)
{
	points_rule_def d = POINTS_RULE_DEF_INIT;
	points_rule r;

	d.name = "idea";
	d.event_type = "idea.adopted";
	d.points = "20";
	d.asset = "PTS";
	d.state = POINTS_RULE_ACTIVE;
	d.flags = POINTS_RULE_APPROVAL | flags;
	d.category = "teamwork";
	d.pending_days = pending_days;
	d.cap_unit = POINTS_CAP_AWARDS;
	d.cap_day = cap_day;
	d.author = "hr";
	ck_assert_msg(points_rule_save(db, &d, &r) == POINTS_OK, "%s",
	    points_errmsg(db));
}

static points_event_result *
idea(const char *id, int64_t acct, const char *actor, int expect)
{
	points_event e = POINTS_EVENT_INIT;
	points_event_result *r = NULL;

	e.id = id;
	e.type = "idea.adopted";
	e.account = acct;
	e.actor = actor;
	ck_assert_msg(points_event_apply(db, &e, &r) == expect, "%s: %s", id,
	    points_errmsg(db));
	return r;
}

static int64_t
entries(void)
{
	points_verify_report rep;

	ck_assert_int_eq(points_verify(db, &rep), POINTS_OK);
	return rep.entries;
}

/* The pending approvals of account (0: all), their ids in *ids. */
static int
pending(int64_t account, int64_t *ids, int max)
{
	points_approval_iterator *it;
	points_approval a;
	int n = 0, rc;

	ck_assert_int_eq(points_approval_iterator_new(db, account, &it),
	    POINTS_OK);
	while ((rc = points_approval_next(it, &a)) == POINTS_OK) {
		ck_assert_int_eq(a.state, POINTS_APPROVAL_PENDING);
		ck_assert(account == 0 || a.account == account);
		ck_assert_int_lt(n, max);
		ids[n++] = a.id;
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	points_approval_iterator_free(it);
	return n;
}

START_TEST(test_rule_award_waits_for_approval)
{
	points_event_result *r;
	points_event_summary s;
	points_rule_outcome o;
	points_approval a;
	points_txn t;
	int64_t ids[4], before;

	idea_rule(0, 0, 0);
	r = idea("i1", alice, "mgr.wang", POINTS_OK);
	ck_assert_int_eq(points_event_result_summary(r, &s), POINTS_OK);
	ck_assert_int_eq(s.points, 0);
	ck_assert_int_eq(points_event_result_outcome(r, 0, &o), POINTS_OK);
	ck_assert_int_eq(o.status, POINTS_OUTCOME_APPROVAL);
	ck_assert_int_eq(o.points, 20);
	ck_assert_str_eq(o.txn_id, "");
	ck_assert_str_eq(o.reason, "awaits approval");
	points_event_result_free(r);
	/* preview says the same */
	{
		points_event e = POINTS_EVENT_INIT;

		e.id = "i9";
		e.type = "idea.adopted";
		e.account = alice;
		e.actor = "mgr.wang";
		ck_assert_int_eq(points_event_preview(db, &e, &r), POINTS_OK);
		ck_assert_int_eq(points_event_result_outcome(r, 0, &o),
		    POINTS_OK);
		ck_assert_int_eq(o.status, POINTS_OUTCOME_APPROVAL);
		ck_assert_int_eq(o.points, 20);
		points_event_result_free(r);
	}
	/* and the event log */
	ck_assert_int_eq(points_event_get(db, "i1", &r), POINTS_OK);
	ck_assert_int_eq(points_event_result_outcome(r, 0, &o), POINTS_OK);
	ck_assert_int_eq(o.status, POINTS_OUTCOME_APPROVAL);
	ck_assert_str_eq(o.reason, "awaits approval");
	points_event_result_free(r);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 0);
	ck_assert_int_eq(pending(0, ids, 4), 1);
	ck_assert_int_eq(points_approval_get(db, ids[0], &a), POINTS_OK);
	ck_assert_int_eq(a.id, 1);
	ck_assert_int_eq(a.state, POINTS_APPROVAL_PENDING);
	ck_assert_int_eq(a.account, alice);
	ck_assert_str_eq(a.asset, "PTS");
	ck_assert_int_eq(a.points, 20);
	ck_assert_str_eq(a.category, "teamwork");
	ck_assert_str_eq(a.rule, "idea");
	ck_assert_int_eq(a.rule_version, 1);
	ck_assert_str_eq(a.event_id, "i1");
	ck_assert_int_eq(a.event_time, tu_now);
	ck_assert_str_eq(a.nominator, "mgr.wang");
	ck_assert_int_eq(a.nominated_at, tu_now);
	ck_assert_str_eq(a.decided_by, "");
	ck_assert_str_eq(a.txn_id, "");
	/* the nominator cannot approve it: nothing written */
	before = entries();
	TU_FAILS(db, points_approval_approve(db, 1, "mgr.wang", NULL, &a),
	    POINTS_EPERM);
	ck_assert_str_eq(points_errmsg(db), "approval 1: mgr.wang nominated "
	    "it and cannot approve it too (four eyes)");
	ck_assert_str_eq(points_strerror(POINTS_EPERM), "not permitted");
	/* another actor does: the points are earned now */
	tu_now += 3600;
	ck_assert_int_eq(points_approval_approve(db, 1, "hr.li", "good idea",
	    &a), POINTS_OK);
	ck_assert_int_eq(a.state, POINTS_APPROVAL_APPROVED);
	ck_assert_str_eq(a.decided_by, "hr.li");
	ck_assert_int_eq(a.decided_at, tu_now);
	ck_assert_str_eq(a.reason, "good idea");
	ck_assert_int_eq(entries(), before + 1);
	ck_assert_int_eq(points_txn_get(db, a.txn_id, &t), POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_EARN);
	ck_assert_int_eq(t.amount, 20);
	ck_assert_str_eq(t.category, "teamwork");
	ck_assert_str_eq(t.actor, "hr.li");
	ck_assert_str_eq(t.memo, "approval 1: event i1: idea v1");
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 20);
	ck_assert_int_eq(pending(0, ids, 4), 0);
	{
		points_approval g;

		ck_assert_int_eq(points_approval_get(db, 1, &g), POINTS_OK);
		ck_assert_int_eq(memcmp(&g, &a, sizeof(g)), 0);
	}
	/* decided once */
	TU_FAILS(db, points_approval_approve(db, 1, "hr.zhao", NULL, &a),
	    POINTS_ESTATE);
	ck_assert_str_eq(points_errmsg(db), "approval 1 is already approved "
	    "(by hr.li)");
	TU_FAILS(db, points_approval_reject(db, 1, "hr.zhao", "late", &a),
	    POINTS_ESTATE);
	/* the event again: replayed, no second nomination */
	r = idea("i1", alice, "mgr.wang", POINTS_OK);
	points_event_result_free(r);
	ck_assert_int_eq(pending(0, ids, 4), 0);
	/* an event of an approval rule must name its nominator */
	TU_FAILS(db, points_event_apply(db, &(points_event){
	    POINTS_EVENT_VERSION, "i2", "idea.adopted", alice, 0, 0, NULL,
	    NULL }, &r), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "event 'i2': rule 'idea' needs "
	    "approval: the event must name its actor (the nominator)");
}
END_TEST

/* A manager nominates a manual award; HR rejects it with a reason:
 * nothing is posted. */
START_TEST(test_manual_award_rejected)
{
	points_nomination n = POINTS_NOMINATION_INIT;
	points_approval a, g;
	int64_t ids[4], before = entries();

	n.account = bob;
	n.asset = "PTS";
	n.points = 200;
	n.memo = "professional certificate";
	n.nominator = "mgr.wang";
	ck_assert_int_eq(points_approval_nominate(db, &n, &a), POINTS_OK);
	ck_assert_int_eq(a.id, 1);
	ck_assert_int_eq(a.state, POINTS_APPROVAL_PENDING);
	ck_assert_str_eq(a.category, "award");
	ck_assert_str_eq(a.rule, "");
	ck_assert_str_eq(a.event_id, "");
	ck_assert_str_eq(a.memo, "professional certificate");
	ck_assert_int_eq(entries(), before);
	ck_assert_int_eq(pending(bob, ids, 4), 1);
	ck_assert_int_eq(pending(alice, ids, 4), 0);
	/* a rejection needs a reason, and another actor */
	TU_FAILS(db, points_approval_reject(db, 1, "hr.li", NULL, &g),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "reason is required");
	TU_FAILS(db, points_approval_reject(db, 1, "mgr.wang", "changed my "
	    "mind", &g), POINTS_EPERM);
	ck_assert_str_eq(points_errmsg(db), "approval 1: mgr.wang nominated "
	    "it and cannot reject it too (four eyes)");
	ck_assert_int_eq(points_approval_reject(db, 1, "hr.li", "the "
	    "certificate is not on the list", &g), POINTS_OK);
	ck_assert_int_eq(g.state, POINTS_APPROVAL_REJECTED);
	ck_assert_str_eq(g.reason, "the certificate is not on the list");
	ck_assert_str_eq(g.decided_by, "hr.li");
	ck_assert_str_eq(g.txn_id, "");
	ck_assert_int_eq(entries(), before);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 0);
	ck_assert_int_eq(pending(0, ids, 4), 0);
	ck_assert_int_eq(points_approval_get(db, 1, &a), POINTS_OK);
	ck_assert_int_eq(a.state, POINTS_APPROVAL_REJECTED);
	TU_FAILS(db, points_approval_approve(db, 1, "hr.zhao", NULL, &g),
	    POINTS_ESTATE);
	ck_assert_str_eq(points_errmsg(db), "approval 1 is already rejected "
	    "(by hr.li)");
	/* approved, a manual award earns in its category with its expiry */
	n.category = "training";
	n.expires_days = 30;
	ck_assert_int_eq(points_approval_nominate(db, &n, &a), POINTS_OK);
	ck_assert_int_eq(a.id, 2);
	ck_assert_int_eq(points_approval_approve(db, 2, "hr.li", NULL, &g),
	    POINTS_OK);
	{
		points_txn t;
		points_lot_iterator *it;
		points_lot l;

		ck_assert_int_eq(points_txn_get(db, g.txn_id, &t), POINTS_OK);
		ck_assert_str_eq(t.category, "training");
		ck_assert_str_eq(t.memo, "approval 2: professional "
		    "certificate");
		ck_assert_int_eq(points_lot_iterator_new(db, bob, "PTS",
		    INT64_MAX, &it), POINTS_OK);
		ck_assert_int_eq(points_lot_next(it, &l), POINTS_OK);
		ck_assert_int_eq(l.amount, 200);
		ck_assert_int_lt(l.expires_at, tu_now + 31 * TU_DAY);
		points_lot_iterator_free(it);
	}
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 200);
}
END_TEST

/* A nomination retried with its key (a manager's double click) is one
 * approval: the retry returns it as it is now, and the same key with
 * another request is a conflict that writes nothing. */
START_TEST(test_nomination_idempotent)
{
	points_nomination n = POINTS_NOMINATION_INIT;
	points_approval a, b, g;
	int64_t ids[4];
	char *before, *after;
	size_t bl, al;

	n.account = bob;
	n.asset = "PTS";
	n.points = 30;
	n.memo = "helped sales";
	n.nominator = "mgr.wang";
	n.idempotency_key = "nom-7";
	ck_assert_int_eq(points_approval_nominate(db, &n, &a), POINTS_OK);
	ck_assert_int_eq(points_approval_nominate(db, &n, &b), POINTS_OK);
	ck_assert_int_eq(b.id, a.id);
	ck_assert_int_eq(pending(bob, ids, 4), 1);
	/* decided since: the retry sees it approved, and posts nothing */
	ck_assert_int_eq(points_approval_approve(db, a.id, "hr.li", NULL, &g),
	    POINTS_OK);
	ck_assert_int_eq(points_approval_nominate(db, &n, &b), POINTS_OK);
	ck_assert_int_eq(b.id, a.id);
	ck_assert_int_eq(b.state, POINTS_APPROVAL_APPROVED);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 30);
	/* the same key, another request */
	before = tu_dump(db, &bl);
	n.points = 40;
	TU_FAILS(db, points_approval_nominate(db, &n, &b), POINTS_ECONFLICT);
	ck_assert_str_eq(points_errmsg(db), "nomination: idempotency key "
	    "'nom-7' was used for another nomination");
	after = tu_dump(db, &al);
	ck_assert(bl == al && memcmp(before, after, bl) == 0);
	free(before);
	free(after);
	/* each field of the fingerprint, changed alone, is another request */
	{
		points_nomination m;
		int f;

		for (f = 0; f < 7; f++) {
			m = n;
			m.points = 30;
			switch (f) {
			case 0: m.account = alice; break;
			case 1: m.asset = "EXP"; break;
			case 2: m.points = 31; break;
			case 3: m.category = "training"; break;
			case 4: m.expires_days = 9; break;
			case 5: m.memo = "helped support"; break;
			case 6: m.nominator = "mgr.zhou"; break;
			}
			TU_FAILS(db, points_approval_nominate(db, &m, &b),
			    POINTS_ECONFLICT);
		}
	}
	/* a bad key */
	n.idempotency_key = "";
	TU_FAILS(db, points_approval_nominate(db, &n, &b), POINTS_EINVAL);
	/* a caller of version 1 has no key: two nominations */
	n.version = 1;
	n.idempotency_key = "ignored: past a version-1 struct";
	ck_assert_int_eq(points_approval_nominate(db, &n, &a), POINTS_OK);
	ck_assert_int_eq(points_approval_nominate(db, &n, &b), POINTS_OK);
	ck_assert_int_ne(a.id, b.id);
}
END_TEST

START_TEST(test_refusals)
{
	points_nomination n = POINTS_NOMINATION_INIT, bad;
	points_approval a;
	int64_t frank;

	n.account = alice;
	n.asset = "PTS";
	n.points = 10;
	n.nominator = "mgr.wang";
	bad = n;
	bad.version = POINTS_NOMINATION_VERSION + 1;
	TU_FAILS(db, points_approval_nominate(db, &bad, &a), POINTS_EVERSION);
	bad = n;
	bad.points = 0;
	TU_FAILS(db, points_approval_nominate(db, &bad, &a), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "nomination: points must be "
	    "positive (got 0)");
	bad = n;
	bad.nominator = NULL;
	TU_FAILS(db, points_approval_nominate(db, &bad, &a), POINTS_EINVAL);
	bad = n;
	bad.category = "Bad Cat";
	TU_FAILS(db, points_approval_nominate(db, &bad, &a), POINTS_EINVAL);
	bad = n;
	bad.expires_days = 36526;
	TU_FAILS(db, points_approval_nominate(db, &bad, &a), POINTS_EINVAL);
	bad = n;
	bad.asset = "NOPE";
	TU_FAILS(db, points_approval_nominate(db, &bad, &a), POINTS_ENOTFOUND);
	bad = n;
	bad.account = 999;
	TU_FAILS(db, points_approval_nominate(db, &bad, &a), POINTS_ENOTFOUND);
	bad = n;
	bad.account = POINTS_ACCOUNT_ISSUER;
	TU_FAILS(db, points_approval_nominate(db, &bad, &a), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "nomination: account system:issuer "
	    "is a system account");
	TU_FAILS(db, points_approval_nominate(db, NULL, &a), POINTS_EINVAL);
	TU_FAILS(db, points_approval_nominate(db, &n, NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_nomination_init(&bad, 0), POINTS_EVERSION);
	ck_assert_int_eq(points_nomination_init(&bad, 1), POINTS_OK);
	ck_assert_int_eq(bad.points, 0);
	/* frozen: neither nominated nor approved, until unfrozen */
	ck_assert_int_eq(points_approval_nominate(db, &n, &a), POINTS_OK);
	ck_assert_int_eq(points_account_freeze(db, alice), POINTS_OK);
	TU_FAILS(db, points_approval_nominate(db, &n, &a), POINTS_EFROZEN);
	TU_FAILS(db, points_approval_approve(db, a.id, "hr.li", NULL, &a),
	    POINTS_EFROZEN);
	ck_assert_int_eq(points_account_unfreeze(db, alice), POINTS_OK);
	ck_assert_int_eq(points_approval_approve(db, a.id, "hr.li", NULL, &a),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 10);
	frank = tu_account(db, "E1006");
	ck_assert_int_eq(points_account_close(db, frank), POINTS_OK);
	n.account = frank;
	TU_FAILS(db, points_approval_nominate(db, &n, &a), POINTS_ECLOSED);
	/* decisions */
	TU_FAILS(db, points_approval_approve(db, 0, "hr.li", NULL, &a),
	    POINTS_ENOTFOUND);
	TU_FAILS(db, points_approval_approve(db, 99, "hr.li", NULL, &a),
	    POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "approval 99 not found");
	TU_FAILS(db, points_approval_approve(db, 1, NULL, NULL, &a),
	    POINTS_EINVAL);
	TU_FAILS(db, points_approval_approve(db, 1, "hr.li", NULL, NULL),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_approval_get(db, 99, &a), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_approval_iterator_new(db, -1,
	    &(points_approval_iterator *){ NULL }), POINTS_EINVAL);
	ck_assert_int_eq(points_approval_iterator_new(db, 0, NULL),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "out is required");
	ck_assert_int_eq(points_approval_get(db, 1, NULL), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "out is required");
	ck_assert_int_eq(points_nomination_init(NULL, 1), POINTS_EINVAL);
	n.account = alice;
	bad = n;
	bad.asset = "";
	TU_FAILS(db, points_approval_nominate(db, &bad, &a), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "asset is empty");
	{
		char memo[POINTS_MEMO_MAX + 2];

		memset(memo, 'm', sizeof(memo) - 1);
		memo[sizeof(memo) - 1] = '\0';
		bad = n;
		bad.memo = memo;
		TU_FAILS(db, points_approval_nominate(db, &bad, &a),
		    POINTS_EINVAL);
		ck_assert_str_eq(points_errmsg(db), "memo is too long (at "
		    "most 256 bytes)");
	}
}
END_TEST

/* An approval's record whose bytes read but whose values cannot be (a
 * state past rejected, no points), or with a byte more, is damaged: it reads as such by its
 * id and cannot be decided; put back, it is approved. */
START_TEST(test_damaged_values)
{
	/* the fields of an approval's record (approval.c: decode) */
	static const char layout[] = "uuvsvsvvsvsvsvssvss";
	points_nomination n = POINTS_NOMINATION_INIT;
	unsigned char k[8], val[1024], dam[1100];
	points_approval a;
	size_t vl, dl;
	int i;

	n.account = alice;
	n.asset = "PTS";
	n.points = 10;
	n.nominator = "mgr.wang";
	ck_assert_int_eq(points_approval_nominate(db, &n, &a), POINTS_OK);
	points_codec__put_be64(k, (uint64_t)a.id);
	vl = tu_raw_get(db, "approval", k, 8, val, sizeof(val));
	/* the layout fits: the points set to what they are change nothing */
	dl = tu_record_set(val, vl, layout, 4, 10, dam, sizeof(dam));
	ck_assert(dl == vl && memcmp(dam, val, vl) == 0);
	for (i = 0; i < 2; i++) {
		dl = tu_record_set(val, vl, layout, i ? 4 : 1, i ? 0 : 9, dam,
		    sizeof(dam));
		tu_raw_put(db, "approval", k, 8, dam, dl);
		ck_assert_int_eq(points_approval_get(db, a.id, &a),
		    POINTS_ECORRUPT);
		ck_assert_str_eq(points_errmsg(db), "approval 1: record "
		    "unreadable");
		TU_FAILS(db, points_approval_approve(db, 1, "hr.li", NULL, &a),
		    POINTS_ECORRUPT);
	}
	/* a byte more than the record holds */
	memcpy(dam, val, vl);
	dam[vl] = 0;
	tu_raw_put(db, "approval", k, 8, dam, vl + 1);
	ck_assert_int_eq(points_approval_get(db, a.id, &a), POINTS_ECORRUPT);
	ck_assert_str_eq(points_errmsg(db), "approval 1: record unreadable");
	tu_snap_free();
	tu_raw_put(db, "approval", k, 8, val, vl);
	ck_assert_int_eq(points_approval_approve(db, 1, "hr.li", NULL, &a),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 10);
}
END_TEST

/* A nomination's memo of the most bytes makes a posting memo past the
 * most with its prefix: it is cut to the most, ending in "...". */
START_TEST(test_long_memo_cut)
{
	points_nomination n = POINTS_NOMINATION_INIT;
	char memo[POINTS_MEMO_MAX + 1];
	points_approval a;
	points_txn t;

	memset(memo, 'm', sizeof(memo) - 1);
	memo[sizeof(memo) - 1] = '\0';
	n.account = alice;
	n.asset = "PTS";
	n.points = 10;
	n.memo = memo;
	n.nominator = "mgr.wang";
	ck_assert_int_eq(points_approval_nominate(db, &n, &a), POINTS_OK);
	ck_assert_str_eq(a.memo, memo);
	ck_assert_int_eq(points_approval_approve(db, a.id, "hr.li", NULL, &a),
	    POINTS_OK);
	ck_assert_int_eq(points_txn_get(db, a.txn_id, &t), POINTS_OK);
	ck_assert_uint_eq(strlen(t.memo), POINTS_MEMO_MAX);
	ck_assert_int_eq(strncmp(t.memo, "approval 1: mmm", 15), 0);
	ck_assert_str_eq(t.memo + POINTS_MEMO_MAX - 4, "m...");
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 10);
}
END_TEST

/* The iterator lists what is pending, oldest first, past its buffer;
 * a decision takes an approval off the list. */
START_TEST(test_iterator)
{
	points_nomination n = POINTS_NOMINATION_INIT;
	points_approval a;
	int64_t ids[64];
	int i, k;

	n.asset = "PTS";
	n.nominator = "mgr.wang";
	for (i = 0; i < 30; i++) {
		n.account = i % 10 == 3 ? alice : bob;
		n.points = i + 1;
		ck_assert_int_eq(points_approval_nominate(db, &n, &a),
		    POINTS_OK);
	}
	ck_assert_int_eq(pending(0, ids, 64), 30);
	for (i = 0; i < 30; i++)
		ck_assert_int_eq(ids[i], i + 1);
	k = pending(alice, ids, 64);
	ck_assert_int_eq(k, 3);
	ck_assert_int_eq(ids[0], 4);
	ck_assert_int_eq(ids[1], 14);
	ck_assert_int_eq(ids[2], 24);
	ck_assert_int_eq(points_approval_approve(db, 14, "hr.li", NULL, &a),
	    POINTS_OK);
	ck_assert_int_eq(points_approval_reject(db, 5, "hr.li", "no", &a),
	    POINTS_OK);
	k = pending(alice, ids, 64);
	ck_assert_int_eq(k, 2);
	ck_assert_int_eq(ids[1], 24);
	ck_assert_int_eq(pending(0, ids, 64), 28);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 14);
	ck_assert_int_eq(pending(POINTS_ACCOUNT_ISSUER, ids, 64), 0);
}
END_TEST

/* An approval rule's caps count its nominations; its pending days run
 * from the event's time, so an approval after them gives points
 * available at once; an exclusive approval rule excludes the rules
 * below it. */
START_TEST(test_caps_pending_days_exclusive)
{
	points_event_result *r;
	points_rule_outcome o;
	points_approval a;
	points_balance b;

	idea_rule(POINTS_RULE_EXCLUSIVE, 7, 1);
	{
		points_rule_def d = POINTS_RULE_DEF_INIT;
		points_rule rr;

		d.name = "thanks";
		d.event_type = "idea.adopted";
		d.points = "1";
		d.asset = "PTS";
		d.state = POINTS_RULE_ACTIVE;
		d.priority = -1;
		d.author = "hr";
		ck_assert_int_eq(points_rule_save(db, &d, &rr), POINTS_OK);
	}
	r = idea("i1", alice, "mgr.wang", POINTS_OK);
	ck_assert_int_eq(points_event_result_outcome(r, 1, &o), POINTS_OK);
	ck_assert_str_eq(o.rule, "thanks");
	ck_assert_int_eq(o.status, POINTS_OUTCOME_EXCLUDED);
	points_event_result_free(r);
	r = idea("i2", alice, "mgr.wang", POINTS_OK);
	ck_assert_int_eq(points_event_result_outcome(r, 0, &o), POINTS_OK);
	ck_assert_int_eq(o.status, POINTS_OUTCOME_CAPPED);
	ck_assert_int_eq(points_event_result_outcome(r, 1, &o), POINTS_OK);
	ck_assert_int_eq(o.status, POINTS_OUTCOME_AWARDED);
	points_event_result_free(r);
	r = idea("i3", bob, "mgr.wang", POINTS_OK);
	points_event_result_free(r);
	/* alice's approved within the 7 days: pending until they end */
	tu_now += 2 * TU_DAY;
	ck_assert_int_eq(points_approval_approve(db, 1, "hr.li", NULL, &a),
	    POINTS_OK);
	ck_assert_int_eq(points_balance_get(db, alice, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 1);
	ck_assert_int_eq(b.pending, 20);
	/* bob's approved after them: available at once */
	tu_now += 6 * TU_DAY;
	ck_assert_int_eq(points_approval_approve(db, 2, "hr.li", NULL, &a),
	    POINTS_OK);
	ck_assert_int_eq(points_balance_get(db, bob, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 20);
	ck_assert_int_eq(b.pending, 0);
	ck_assert_int_eq(points_balance_get(db, alice, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 21);
	ck_assert_int_eq(b.pending, 0);
}
END_TEST

/* A refund of an event takes back what was posted; an award still
 * waiting for approval is not, and is decided on its own. */
START_TEST(test_refund_leaves_approvals)
{
	points_event_result *r;
	points_event_reversal rv = POINTS_EVENT_REVERSAL_INIT;
	points_event_summary s;
	points_approval a;

	idea_rule(0, 0, 0);
	r = idea("i1", alice, "mgr.wang", POINTS_OK);
	points_event_result_free(r);
	rv.event_id = "i1";
	ck_assert_int_eq(points_event_reverse(db, &rv, &r), POINTS_OK);
	ck_assert_int_eq(points_event_result_summary(r, &s), POINTS_OK);
	ck_assert_int_eq(s.points, 0);
	ck_assert_int_eq(s.outcomes, 0);
	points_event_result_free(r);
	ck_assert_int_eq(points_approval_reject(db, 1, "hr.li", "refunded",
	    &a), POINTS_OK);
}
END_TEST

/* A backtest of a rule that needs approval counts what approving its
 * awards would cost. */
START_TEST(test_backtest_counts_approvals)
{
	points_event_result *r;
	points_backtest *bt;
	points_backtest_summary s;

	idea_rule(0, 0, 0);
	r = idea("i1", alice, "mgr.wang", POINTS_OK);
	points_event_result_free(r);
	r = idea("i2", bob, "mgr.wang", POINTS_OK);
	points_event_result_free(r);
	tu_now += 60;
	ck_assert_int_eq(points_rule_backtest(db, "idea", 0, 0, 0, &bt),
	    POINTS_OK);
	ck_assert_int_eq(points_backtest_summary_get(bt, &s), POINTS_OK);
	ck_assert_int_eq(s.events, 2);
	ck_assert_int_eq(s.awards, 2);
	ck_assert_int_eq(s.points, 40);
	points_backtest_free(bt);
}
END_TEST

/* ---- A seeded random run against a model ----
 * Three accounts; manual nominations (some with idempotency keys,
 * retried as they were or changed), "idea" events (20 PTS awaiting
 * approval, two a day an account: caps count at nomination), approvals
 * and rejections by random actors (the nominator among them), freezes
 * and the clock moving.  The model is the man page's: a decision needs
 * a pending approval and another actor than its nominator; approving
 * posts to an account that is not frozen; a rejection gives no cap
 * back; a key replays its nomination (even for a frozen account) or
 * conflicts.  After every step each balance, each approval and each
 * account's pending list are compared. */
#define MACCTS 3
#define MAPPR 512
#define MKEYS 5

typedef struct mappr {
	int acct;
	int64_t points;
	int state;
	const char *nominator;
} mappr;

START_TEST(test_random_model)
{
	static const char *const actors[] = { "mgr.a", "mgr.b", "hr.li" };
	int64_t acct[MACCTS], avail[MACCTS] = { 0 }, day[MACCTS] = { 0 };
	int frozen[MACCTS] = { 0 }, used[MACCTS] = { 0 };
	mappr m[MAPPR];
	struct { int set, acct; int64_t points; const char *nom; int64_t id; }
	    keys[MKEYS];
	int n = 0, step, i, events = 0;

	memset(keys, 0, sizeof(keys));
	srand(20261203u);
	acct[0] = alice;
	acct[1] = bob;
	acct[2] = tu_account(db, "E1003");
	idea_rule(0, 0, 2);
	for (step = 0; step < 400; step++) {
		int op = rand() % 10, a = rand() % MACCTS, rc;
		int64_t today = (tu_now - TU_T0) / TU_DAY;
		points_approval out;

		if (op <= 1 && n < MAPPR - 1) {
			/* a manual nomination */
			points_nomination nm = POINTS_NOMINATION_INIT;
			int k = rand() % 3 == 0 ? rand() % MKEYS : -1;
			char key[8];

			nm.account = acct[a];
			nm.asset = "PTS";
			nm.points = 1 + rand() % 50;
			nm.nominator = actors[rand() % 2];
			if (k >= 0) {
				snprintf(key, sizeof(key), "k%d", k);
				nm.idempotency_key = key;
				if (keys[k].set && rand() % 2) {
					/* a retry of the request as it was */
					nm.account = acct[keys[k].acct];
					nm.points = keys[k].points;
					nm.nominator = keys[k].nom;
				}
			}
			rc = points_approval_nominate(db, &nm, &out);
			if (k >= 0 && keys[k].set) {
				int same = nm.account == acct[keys[k].acct] &&
				    nm.points == keys[k].points &&
				    strcmp(nm.nominator, keys[k].nom) == 0;

				ck_assert_msg(rc == (same ? POINTS_OK :
				    POINTS_ECONFLICT), "step %d: retry of "
				    "key %d: %s", step, k, points_errmsg(db));
				if (same)
					ck_assert_int_eq(out.id, keys[k].id);
			} else if (frozen[a]) {
				ck_assert_int_eq(rc, POINTS_EFROZEN);
			} else {
				ck_assert_msg(rc == POINTS_OK, "step %d: %s",
				    step, points_errmsg(db));
				ck_assert_int_eq(out.id, n + 1);
				m[n].acct = a;
				m[n].points = nm.points;
				m[n].state = POINTS_APPROVAL_PENDING;
				m[n].nominator = nm.nominator;
				n++;
				if (k >= 0) {
					keys[k].set = 1;
					keys[k].acct = a;
					keys[k].points = nm.points;
					keys[k].nom = nm.nominator;
					keys[k].id = out.id;
				}
			}
		} else if (op <= 3 && n < MAPPR - 1 && !frozen[a]) {
			/* an adopted idea, nominated by a manager */
			points_event_result *r;
			char id[16];
			const char *nom = actors[rand() % 2];

			snprintf(id, sizeof(id), "e%d", ++events);
			r = idea(id, acct[a], nom, POINTS_OK);
			points_event_result_free(r);
			if (day[a] != today) {
				day[a] = today;
				used[a] = 0;
			}
			if (used[a] < 2) {
				used[a]++;
				m[n].acct = a;
				m[n].points = 20;
				m[n].state = POINTS_APPROVAL_PENDING;
				m[n].nominator = nom;
				n++;
			}
		} else if (op <= 6) {
			/* a decision on one of them, or on none (n + 1) */
			int64_t id = n ? 1 + rand() % (n + 1) : 1;
			const char *who = actors[rand() % 3];
			int approve = rand() % 3 != 0, want;
			mappr *x = id <= n ? &m[id - 1] : NULL;

			if (approve)
				rc = points_approval_approve(db, id, who,
				    NULL, &out);
			else
				rc = points_approval_reject(db, id, who, "no",
				    &out);
			if (!x)
				want = POINTS_ENOTFOUND;
			else if (x->state != POINTS_APPROVAL_PENDING)
				want = POINTS_ESTATE;
			else if (strcmp(who, x->nominator) == 0)
				want = POINTS_EPERM;
			else if (approve && frozen[x->acct])
				want = POINTS_EFROZEN;
			else
				want = POINTS_OK;
			ck_assert_msg(rc == want, "step %d: decision on %lld "
			    "by %s: got %d, the model says %d (%s)", step,
			    (long long)id, who, rc, want, points_errmsg(db));
			if (want == POINTS_OK) {
				x->state = approve ? POINTS_APPROVAL_APPROVED :
				    POINTS_APPROVAL_REJECTED;
				if (approve)
					avail[x->acct] += x->points;
			}
		} else if (op == 7) {
			rc = frozen[a] ? points_account_unfreeze(db, acct[a]) :
			    points_account_freeze(db, acct[a]);
			ck_assert_int_eq(rc, POINTS_OK);
			frozen[a] = !frozen[a];
		} else {
			tu_now += (1 + rand() % 30) * 3600;
		}
		for (i = 0; i < MACCTS; i++) {
			int64_t ids[MAPPR], want = 0;
			int j, np = pending(acct[i], ids, MAPPR);

			ck_assert_msg(tu_available(db, acct[i], "PTS") ==
			    avail[i], "step %d: account %d has %lld, the "
			    "model says %lld", step, i,
			    (long long)tu_available(db, acct[i], "PTS"),
			    (long long)avail[i]);
			for (j = 0; j < n; j++)
				if (m[j].acct == i &&
				    m[j].state == POINTS_APPROVAL_PENDING) {
					ck_assert_int_lt(want, np);
					ck_assert_int_eq(ids[want], j + 1);
					want++;
				}
			ck_assert_int_eq(np, want);
		}
		for (i = 0; i < n; i++) {
			ck_assert_int_eq(points_approval_get(db, i + 1, &out),
			    POINTS_OK);
			ck_assert_int_eq(out.state, m[i].state);
			ck_assert_int_eq(out.account, acct[m[i].acct]);
			ck_assert_int_eq(out.points, m[i].points);
			ck_assert_str_eq(out.nominator, m[i].nominator);
		}
	}
	/* the run reached every outcome it models */
	for (i = 0, step = 0; i < n; i++)
		step |= 1 << m[i].state;
	ck_assert_int_eq(step, 7);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("approval");
	TCase *tc = tcase_create("approval");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rule_award_waits_for_approval);
	tcase_add_test(tc, test_manual_award_rejected);
	tcase_add_test(tc, test_nomination_idempotent);
	tcase_add_test(tc, test_refusals);
	tcase_add_test(tc, test_long_memo_cut);
	tcase_add_test(tc, test_damaged_values);
	tcase_add_test(tc, test_iterator);
	tcase_add_test(tc, test_caps_pending_days_exclusive);
	tcase_add_test(tc, test_refund_leaves_approvals);
	tcase_add_test(tc, test_backtest_counts_approvals);
	tcase_add_test(tc, test_random_model);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
