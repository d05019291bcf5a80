/* check_meta.c - category and actor on every write, the department and
 * tier each entry keeps, the history of accounts' changes, and the
 * erasure of personal data.  Every case runs on the memory and the SQLite
 * backend (_i: 0, 1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "ledger/entry.h"
#include "util/codec.h"

static points_db *db;
static int64_t alice, bob;

static void
open_ledger(int sqlite)
{
	tu_now = TU_T0;
	db = tu_open(sqlite ? tu_sqlite_uri() : "memory:");
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
}

static void
teardown(void)
{
	if (db) {
		tu_invariants(db);
		points_close(db);
		db = NULL;
	}
	tu_snap_free();
	tu_cleanup();
}

/* The newest n entries of account in asset, newest first; returns how
 * many there were. */
static int
statement(int64_t account, const char *asset, points_entry *out, int n)
{
	points_statement_iterator *it;
	int i = 0, rc;

	ck_assert_int_eq(points_statement_iterator_new(db, account, asset, 0, 0,
	    POINTS_NEWEST_FIRST, &it), POINTS_OK);
	while (i < n && (rc = points_statement_next(it, &out[i])) == POINTS_OK)
		i++;
	points_statement_iterator_free(it);
	return i;
}

/* The account's changes, oldest first; returns how many. */
static int
history(int64_t account, points_account_change *out, int n)
{
	points_account_history_iterator *it;
	int i = 0, rc;

	ck_assert_int_eq(points_account_history_iterator_new(db, account, &it),
	    POINTS_OK);
	while (i < n && (rc = points_account_history_next(it, &out[i])) ==
	    POINTS_OK)
		i++;
	ck_assert(i < n ? rc == POINTS_ITEROVER : 1);
	points_account_history_iterator_free(it);
	return i;
}

static void
assert_meta(const points_txn *t, const char *category, const char *actor)
{
	points_txn again;
	points_entry e[8];
	int n, i;

	ck_assert_str_eq(t->category, category);
	ck_assert_str_eq(t->actor, actor);
	ck_assert_int_eq(points_txn_get(db, t->id, &again), POINTS_OK);
	ck_assert_str_eq(again.category, category);
	ck_assert_str_eq(again.actor, actor);
	/* the statement of its credited account shows them too: among its
	 * newest entries (a system account's entries of one time in other
	 * log partitions may come after it, ledger/entry.h) */
	n = statement(t->to, t->asset, e, 8);
	for (i = 0; i < n && strcmp(e[i].txn_id, t->id) != 0; i++)
		;
	ck_assert_int_lt(i, n);
	if (points_entry__partitions_new <= 1)
		ck_assert_int_eq(i, 0);
	ck_assert_str_eq(e[i].category, category);
	ck_assert_str_eq(e[i].actor, actor);
}

/* ---- Category and actor ---- */

START_TEST(test_every_write_records_its_category_and_actor)
{
	points_posting p;
	points_reversal r = POINTS_REVERSAL_INIT;
	points_capture c = POINTS_CAPTURE_INIT;
	points_release rl = POINTS_RELEASE_INIT;
	points_txn t, earn, hold, rest;
	points_entry e[2];

	open_ledger(_i);
	p = tu_posting("PTS", alice, 100);
	p.category = "training";
	p.actor = "hr:Li Wei (人事)";
	ck_assert_int_eq(points_earn(db, &p, &earn), POINTS_OK);
	assert_meta(&earn, "training", "hr:Li Wei (人事)");

	p = tu_posting("PTS", alice, 10);
	p.category = "order";
	p.actor = "shop";
	ck_assert_int_eq(points_spend(db, &p, &t), POINTS_OK);
	assert_meta(&t, "order", "shop");

	p = tu_posting("PTS", alice, 5);
	p.counterparty = bob;
	p.category = "teamwork";
	p.actor = "E1001";
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	assert_meta(&t, "teamwork", "E1001");

	p = tu_posting("PTS", bob, 3);
	p.memo = "correction";
	p.category = "performance";
	ck_assert_int_eq(points_adjust(db, &p, &t), POINTS_OK);
	assert_meta(&t, "performance", "");

	r.txn_id = earn.id;
	r.amount = 1;
	r.actor = "ops";
	ck_assert_int_eq(points_reverse(db, &r, &t), POINTS_OK);
	assert_meta(&t, "", "ops");

	p = tu_posting("PTS", alice, 20);
	p.category = "order.hold";
	p.actor = "shop";
	ck_assert_int_eq(points_hold_create(db, &p, &hold), POINTS_OK);
	assert_meta(&hold, "order.hold", "shop");
	/* a partial capture writes a capture and a release: both carry them */
	c.hold_id = hold.id;
	c.amount = 15;
	c.category = "order";
	c.actor = "shop-2";
	ck_assert_int_eq(points_hold_capture(db, &c, &t), POINTS_OK);
	assert_meta(&t, "order", "shop-2");
	ck_assert_int_eq(statement(alice, "PTS", e, 2), 2);
	ck_assert_int_eq(e[0].type, POINTS_TXN_RELEASE);
	ck_assert_str_eq(e[0].category, "order");
	ck_assert_str_eq(e[0].actor, "shop-2");
	ck_assert_int_eq(e[1].type, POINTS_TXN_CAPTURE);
	ck_assert_str_eq(e[1].category, "order");

	p = tu_posting("PTS", alice, 4);
	ck_assert_int_eq(points_hold_create(db, &p, &hold), POINTS_OK);
	assert_meta(&hold, "", "");
	rl.hold_id = hold.id;
	rl.category = "cancel";
	rl.actor = "shop";
	ck_assert_int_eq(points_hold_release(db, &rl, &rest), POINTS_OK);
	assert_meta(&rest, "cancel", "shop");
}
END_TEST

START_TEST(test_bad_category_or_actor_is_einval_and_changes_nothing)
{
	static const char *const bad_categories[] = {
		"", "Training", "two words", "café", "a/b",
		"abcdefghijklmnopqrstuvwxyz0123456", /* 33 */
	};
	static const char *const bad_actors[] = {
		"", "tab\there", "\xff\xfe",
		"12345678901234567890123456789012345678901234567890123456789012345",
	};
	points_posting p;
	points_txn t;
	size_t i;

	open_ledger(_i);
	for (i = 0; i < sizeof(bad_categories) / sizeof(*bad_categories); i++) {
		p = tu_posting("PTS", alice, 1);
		p.category = bad_categories[i];
		TU_FAILS(db, points_earn(db, &p, &t), POINTS_EINVAL);
		ck_assert_msg(strstr(points_errmsg(db), "earn: category") != NULL,
		    "%s", points_errmsg(db));
	}
	for (i = 0; i < sizeof(bad_actors) / sizeof(*bad_actors); i++) {
		p = tu_posting("PTS", alice, 1);
		p.actor = bad_actors[i];
		TU_FAILS(db, points_earn(db, &p, &t), POINTS_EINVAL);
		ck_assert_msg(strstr(points_errmsg(db), "actor") != NULL, "%s",
		    points_errmsg(db));
	}
	/* the longest of each is fine */
	p = tu_posting("PTS", alice, 1);
	p.category = "abcdefghijklmnopqrstuvwxyz012345";
	p.actor = "1234567890123456789012345678901234567890123456789012345678901234";
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	ck_assert_str_eq(t.category, p.category);
	ck_assert_str_eq(t.actor, p.actor);
}
END_TEST

/* The entry record's first byte: its version. */
static int
entry_version(int64_t seq)
{
	points_store *s = tu_store(db);
	unsigned char k[8];
	const void *v;
	size_t vl;
	int i, version;

	for (i = 7; i >= 0; i--, seq >>= 8)
		k[i] = (unsigned char)(seq & 0xff);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->get(s, tu_keyspace(db, "entry"), k, 8, &v, &vl),
	    POINTS_OK);
	version = ((const unsigned char *)v)[0];
	s->rollback(s);
	return version;
}

/* A write with neither, between accounts without department or tier,
 * writes the entry 0.1.0 wrote (record version 1); the others version 2. */
START_TEST(test_entries_without_extensions_stay_version_1)
{
	points_posting p;
	points_txn t;

	open_ledger(_i);
	p = tu_posting("PTS", alice, 5);
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(entry_version(t.seq), 1);
	p.category = "training";
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(entry_version(t.seq), 2);
	p.category = NULL;
	ck_assert_int_eq(points_account_update(db, alice, NULL, NULL, "R&D"),
	    POINTS_OK);
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(entry_version(t.seq), 2);
	ck_assert_int_eq(points_account_update(db, alice, NULL, NULL, ""),
	    POINTS_OK);
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(entry_version(t.seq), 1);
}
END_TEST

/* A caller compiled against version 1 of a request struct: the library
 * reads no byte past it, so whatever follows is never a category. */
START_TEST(test_version_1_requests_have_no_category_or_actor)
{
	struct {
		points_posting p;
	} s;
	points_txn t;

	open_ledger(_i);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(points_posting_init(&s.p, 1), POINTS_OK);
	s.p.asset = "PTS";
	s.p.account = alice;
	s.p.amount = 5;
	s.p.category = "NOT A CATEGORY"; /* past version 1: not read */
	s.p.actor = "";
	ck_assert_int_eq(points_earn(db, &s.p, &t), POINTS_OK);
	ck_assert_str_eq(t.category, "");
	ck_assert_str_eq(t.actor, "");
}
END_TEST

/* Version-1 fingerprints are unchanged: a key recorded by a version-1
 * request replays for a version-2 one that leaves category and actor
 * out, and conflicts with one that gives either. */
START_TEST(test_version_1_keys_replay_without_category_and_conflict_with_one)
{
	points_posting p1, p2;
	points_txn t1, t2;

	open_ledger(_i);
	ck_assert_int_eq(points_posting_init(&p1, 1), POINTS_OK);
	p1.asset = "PTS";
	p1.account = alice;
	p1.amount = 5;
	p1.idempotency_key = "k1";
	ck_assert_int_eq(points_earn(db, &p1, &t1), POINTS_OK);
	p2 = tu_posting("PTS", alice, 5);
	p2.idempotency_key = "k1";
	ck_assert_int_eq(points_earn(db, &p2, &t2), POINTS_OK);
	ck_assert_int_eq(t2.replayed, 1);
	ck_assert_str_eq(t2.id, t1.id);
	p2.category = "training";
	TU_FAILS(db, points_earn(db, &p2, &t2), POINTS_ECONFLICT);
	p2.category = NULL;
	p2.actor = "hr";
	TU_FAILS(db, points_earn(db, &p2, &t2), POINTS_ECONFLICT);
	/* and a replay returns them as the first request gave them */
	p2.idempotency_key = "k2";
	p2.category = "training";
	ck_assert_int_eq(points_earn(db, &p2, &t1), POINTS_OK);
	ck_assert_int_eq(points_earn(db, &p2, &t2), POINTS_OK);
	ck_assert_int_eq(t2.replayed, 1);
	ck_assert_str_eq(t2.category, "training");
	ck_assert_str_eq(t2.actor, "hr");
}
END_TEST

/* ---- Department and tier as they were ---- */

START_TEST(test_entries_keep_department_and_tier_as_posted)
{
	points_entry e[4];
	points_posting p;
	points_txn t;

	open_ledger(_i);
	ck_assert_int_eq(points_account_update(db, alice, NULL, "gold", "R&D"),
	    POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(points_account_update(db, alice, NULL, NULL, "Sales"),
	    POINTS_OK);
	p = tu_posting("PTS", alice, 4);
	p.counterparty = bob;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(points_account_update(db, bob, NULL, "silver", NULL),
	    POINTS_OK);
	ck_assert_int_eq(tu_spend(db, bob, "PTS", 1, NULL), POINTS_OK);

	ck_assert_int_eq(statement(alice, "PTS", e, 4), 2);
	ck_assert_str_eq(e[0].department, "Sales");
	ck_assert_str_eq(e[0].tier, "gold");
	ck_assert_str_eq(e[1].department, "R&D");
	ck_assert_str_eq(e[1].tier, "gold");
	/* bob's side of the transfer: bob then had none */
	ck_assert_int_eq(statement(bob, "PTS", e, 4), 2);
	ck_assert_str_eq(e[0].tier, "silver");
	ck_assert_str_eq(e[0].department, "");
	ck_assert_str_eq(e[1].tier, "");
	ck_assert_str_eq(e[1].department, "");
	/* system accounts have none */
	ck_assert_int_eq(statement(POINTS_ACCOUNT_ISSUER, "PTS", e, 4), 1);
	ck_assert_str_eq(e[0].department, "");
	/* a hold, its settling and a reversal keep them too */
	ck_assert_int_eq(points_account_update(db, alice, NULL, "", "Ops"),
	    POINTS_OK);
	p = tu_posting("PTS", alice, 2);
	ck_assert_int_eq(points_hold_create(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(tu_release(db, t.id, NULL, &t), POINTS_OK);
	ck_assert_int_eq(statement(alice, "PTS", e, 4), 4);
	ck_assert_str_eq(e[0].department, "Ops");
	ck_assert_str_eq(e[0].tier, "");
	ck_assert_str_eq(e[1].department, "Ops");
}
END_TEST

/* The balance keeps the party: an earn of an account with a department
 * reads what an earn of one without reads (no account record). */
START_TEST(test_postings_read_no_account_for_the_party)
{
	points_store *mem, *fault;
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	int64_t gets[2], many[2];
	int k;

	(void)_i;
	tu_now = TU_T0;
	ck_assert_int_eq(points_store_open("memory:", &mem), POINTS_OK);
	ck_assert_int_eq(points_store_fault_new(mem, &fault), POINTS_OK);
	ck_assert_int_eq(points_open_store(fault, &o, &db), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	alice = tu_account(db, "E1001");
	/* in alice's log partition: the same records move (ledger/entry.h) */
	bob = tu_account_near(db, "E1002", alice);
	ck_assert_int_eq(points_account_update(db, alice, NULL, "gold", "R&D"),
	    POINTS_OK);
	for (k = 0; k < 2; k++) {
		int64_t who = k ? alice : bob;

		ck_assert_int_eq(tu_earn(db, who, "PTS", 1, NULL), POINTS_OK);
		gets[k] = points_store_fault_method_calls(fault, "get");
		many[k] = points_store_fault_method_calls(fault, "get_many");
		ck_assert_int_eq(tu_earn(db, who, "PTS", 1, NULL), POINTS_OK);
		gets[k] = points_store_fault_method_calls(fault, "get") -
		    gets[k];
		many[k] = points_store_fault_method_calls(fault, "get_many") -
		    many[k];
	}
	ck_assert_int_eq(gets[1], gets[0]);
	ck_assert_int_eq(many[1], many[0]);
	tu_invariants(db);
	points_close(db);
	db = NULL;
	points_store_close(fault);
	points_store_close(mem);
}
END_TEST

/* ---- History ---- */

static int
apply(int64_t account, const char *tier, const char *dept, int status,
    const char *actor, const char *reason, const char *key)
{
	points_account_edit e = POINTS_ACCOUNT_EDIT_INIT;
	points_account a;

	e.account = account;
	e.tier = tier;
	e.department = dept;
	e.status = status;
	e.actor = actor;
	e.reason = reason;
	e.idempotency_key = key;
	return points_account_apply(db, &e, &a);
}

static void
assert_change(const points_account_change *c, int64_t seq, int64_t time,
    int field, const char *old, const char *new_value, const char *actor,
    const char *reason)
{
	ck_assert_int_eq(c->seq, seq);
	ck_assert_int_eq(c->time, time);
	ck_assert_int_eq(c->field, field);
	ck_assert_str_eq(c->old_value, old);
	ck_assert_str_eq(c->new_value, new_value);
	ck_assert_str_eq(c->actor, actor);
	ck_assert_str_eq(c->reason, reason);
}

START_TEST(test_changes_are_kept_with_time_actor_and_reason)
{
	points_account_change h[8];
	points_account_edit e = POINTS_ACCOUNT_EDIT_INIT;
	points_account a;

	open_ledger(_i);
	e.account = alice;
	e.department = "R&D";
	e.tier = "gold";
	e.actor = "hr:7";
	e.reason = "hired";
	ck_assert_int_eq(points_account_apply(db, &e, &a), POINTS_OK);
	ck_assert_str_eq(a.department, "R&D");
	ck_assert_str_eq(a.tier, "gold");
	tu_now += 100;
	ck_assert_int_eq(apply(alice, NULL, NULL, POINTS_ACCOUNT_FROZEN,
	    "sec:1", "audit", NULL), POINTS_OK);
	tu_now += 100;
	ck_assert_int_eq(points_account_unfreeze(db, alice), POINTS_OK);
	/* the same value again is no change */
	ck_assert_int_eq(points_account_update(db, alice, "Alice", "gold",
	    "Sales"), POINTS_OK);
	tu_now += 100;
	ck_assert_int_eq(apply(alice, NULL, NULL, POINTS_ACCOUNT_CLOSED,
	    "hr:7", "left", NULL), POINTS_OK);
	ck_assert_int_eq(history(alice, h, 8), 6);
	assert_change(&h[0], 1, TU_T0, POINTS_CHANGE_DEPARTMENT, "", "R&D",
	    "hr:7", "hired");
	assert_change(&h[1], 2, TU_T0, POINTS_CHANGE_TIER, "", "gold", "hr:7",
	    "hired");
	assert_change(&h[2], 3, TU_T0 + 100, POINTS_CHANGE_STATUS, "active",
	    "frozen", "sec:1", "audit");
	assert_change(&h[3], 4, TU_T0 + 200, POINTS_CHANGE_STATUS, "frozen",
	    "active", "", "");
	assert_change(&h[4], 5, TU_T0 + 200, POINTS_CHANGE_DEPARTMENT, "R&D",
	    "Sales", "", "");
	assert_change(&h[5], 6, TU_T0 + 300, POINTS_CHANGE_STATUS, "active",
	    "closed", "hr:7", "left");
	ck_assert_int_eq(h[5].account, alice);
	/* bob has none; every account's: alice's */
	ck_assert_int_eq(history(bob, h, 8), 0);
	ck_assert_int_eq(apply(bob, "x", NULL, POINTS_ACCOUNT_KEEP, NULL, NULL,
	    NULL), POINTS_OK);
	ck_assert_int_eq(history(0, h, 8), 7);
	ck_assert_int_eq(h[6].account, bob);
	ck_assert_int_eq(points_account_get(db, alice, &a), POINTS_OK);
	ck_assert_int_eq(a.status, POINTS_ACCOUNT_CLOSED);
}
END_TEST

START_TEST(test_bad_changes_are_refused_and_record_nothing)
{
	points_account_edit e = POINTS_ACCOUNT_EDIT_INIT;
	points_account a;
	points_account_change h[2];
	points_account_history_iterator *it;
	char long_reason[POINTS_REASON_MAX + 2];

	open_ledger(_i);
	memset(long_reason, 'r', sizeof(long_reason) - 1);
	long_reason[sizeof(long_reason) - 1] = '\0';
	TU_FAILS(db, apply(alice, NULL, NULL, POINTS_ACCOUNT_KEEP, "a", "b",
	    NULL), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "nothing to change"));
	TU_FAILS(db, apply(alice, NULL, NULL, 7, NULL, NULL, NULL),
	    POINTS_EINVAL);
	TU_FAILS(db, apply(alice, "t", NULL, POINTS_ACCOUNT_KEEP, "", NULL,
	    NULL), POINTS_EINVAL);
	TU_FAILS(db, apply(alice, "t", NULL, POINTS_ACCOUNT_KEEP, NULL,
	    long_reason, NULL), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "reason"));
	TU_FAILS(db, apply(alice, "t", NULL, POINTS_ACCOUNT_KEEP, "hr\tdesk",
	    NULL, NULL), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "actor has a control character");
	TU_FAILS(db, apply(999, "t", NULL, POINTS_ACCOUNT_KEEP, NULL, NULL,
	    NULL), POINTS_ENOTFOUND);
	TU_FAILS(db, apply(0, "t", NULL, POINTS_ACCOUNT_KEEP, NULL, NULL,
	    NULL), POINTS_ENOTFOUND);
	TU_FAILS(db, apply(POINTS_ACCOUNT_SINK, "t", NULL, POINTS_ACCOUNT_KEEP,
	    NULL, NULL, NULL), POINTS_EINVAL);
	TU_FAILS(db, apply(POINTS_ACCOUNT_SINK, NULL, NULL,
	    POINTS_ACCOUNT_FROZEN, NULL, NULL, NULL), POINTS_EINVAL);
	TU_FAILS(db, apply(alice, NULL, NULL, POINTS_ACCOUNT_ACTIVE, NULL,
	    NULL, NULL), POINTS_ESTATE);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_OK);
	/* refused as a whole: the department does not change either */
	TU_FAILS(db, apply(alice, NULL, "R&D", POINTS_ACCOUNT_CLOSED, NULL,
	    NULL, NULL), POINTS_ESTATE);
	TU_FAILS(db, points_account_apply(db, NULL, &a), POINTS_EINVAL);
	e.account = alice;
	e.tier = "t";
	TU_FAILS(db, points_account_apply(db, &e, NULL), POINTS_EINVAL);
	e.version = 2;
	TU_FAILS(db, points_account_apply(db, &e, &a), POINTS_EVERSION);
	ck_assert_int_eq(points_account_edit_init(&e, 2), POINTS_EVERSION);
	ck_assert_int_eq(points_account_edit_init(NULL, 1), POINTS_EINVAL);
	ck_assert_int_eq(history(alice, h, 2), 0);
	ck_assert_int_eq(points_account_history_iterator_new(db, 999, &it),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(points_account_history_iterator_new(db, -1, &it),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_account_history_iterator_new(db, alice, NULL),
	    POINTS_EINVAL);
}
END_TEST

/* A damaged change in an account's history: of another version, of a
 * field no library has, or a key of 9 bytes among the account's.  The
 * history lists it as unreadable, naming the account and the change; a
 * key of 9 bytes also refuses the next change (its number is read from
 * the last key), writing nothing.  _i: the damage; a change of a known
 * field made by hand reads back (the records are as the test makes
 * them). */
START_TEST(test_damaged_history_is_unreadable)
{
	/* version, time 0, field, four empty strings */
	unsigned char rec[7] = { 1, 0, POINTS_CHANGE_TIER, 0, 0, 0, 0 };
	unsigned char k[16];
	points_store *s;
	points_account_change h[4];
	points_account_history_iterator *it;
	char want[96];
	int rc;

	open_ledger(0);
	ck_assert_int_eq(apply(alice, "t", NULL, POINTS_ACCOUNT_KEEP, NULL,
	    NULL, NULL), POINTS_OK);
	ck_assert_int_eq(history(alice, h, 4), 1);
	points_codec__put_be64(k, (uint64_t)alice);
	points_codec__put_be64(k + 8, (uint64_t)h[0].seq);
	s = tu_store(db);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	if (_i == 0)
		rec[0] = 2;
	else if (_i == 1)
		rec[2] = 99;
	if (_i == 2) {
		k[8] = 'x';
		ck_assert_int_eq(s->put(s, tu_keyspace(db, "acchist"), k, 9,
		    rec, sizeof(rec)), POINTS_OK);
	} else {
		ck_assert_int_eq(s->put(s, tu_keyspace(db, "acchist"), k, 16,
		    rec, sizeof(rec)), POINTS_OK);
	}
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	if (_i == 3) { /* the control: read back as made */
		ck_assert_int_eq(history(alice, h, 4), 1);
		ck_assert_int_eq(h[0].field, POINTS_CHANGE_TIER);
		ck_assert_str_eq(h[0].new_value, "");
		return;
	}
	if (_i == 2) {
		snprintf(want, sizeof(want), "history of account %lld: key "
		    "unreadable", (long long)alice);
		TU_FAILS(db, apply(alice, "u", NULL, POINTS_ACCOUNT_KEEP, NULL,
		    NULL, NULL), POINTS_ECORRUPT);
		ck_assert_str_eq(points_errmsg(db), want);
		snprintf(want, sizeof(want), "account history: key "
		    "unreadable");
	} else {
		snprintf(want, sizeof(want), "history of account %lld: change "
		    "%lld unreadable", (long long)alice, (long long)h[0].seq);
	}
	ck_assert_int_eq(points_account_history_iterator_new(db, alice, &it),
	    POINTS_OK);
	while ((rc = points_account_history_next(it, &h[0])) == POINTS_OK)
		;
	points_account_history_iterator_free(it);
	ck_assert_int_eq(rc, POINTS_ECORRUPT);
	ck_assert_str_eq(points_errmsg(db), want);
	points_close(db);
	db = NULL;
}
END_TEST

START_TEST(test_apply_replays_its_key_and_conflicts_on_another_request)
{
	static const char *const fields[] = {
		"account", "tier", "department", "status", "actor", "reason",
	};
	points_account_edit e = POINTS_ACCOUNT_EDIT_INIT, m;
	points_account a;
	points_account_change h[4];
	size_t i;

	open_ledger(_i);
	e.account = alice;
	e.tier = "gold";
	e.department = "R&D";
	e.status = POINTS_ACCOUNT_FROZEN;
	e.actor = "hr";
	e.reason = "why";
	e.idempotency_key = "chg-1";
	ck_assert_int_eq(points_account_apply(db, &e, &a), POINTS_OK);
	/* a retry changes nothing (a freeze twice would be POINTS_ESTATE) */
	tu_snap(db);
	ck_assert_int_eq(points_account_apply(db, &e, &a), POINTS_OK);
	tu_unchanged(db);
	ck_assert_int_eq(a.status, POINTS_ACCOUNT_FROZEN);
	ck_assert_str_eq(a.tier, "gold");
	ck_assert_int_eq(history(alice, h, 4), 3);
	/* any field changed under the same key is a conflict */
	for (i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
		m = e;
		switch (i) {
		case 0: m.account = bob; break;
		case 1: m.tier = "silver"; break;
		case 2: m.department = NULL; break;
		case 3: m.status = POINTS_ACCOUNT_KEEP; break;
		case 4: m.actor = "hr2"; break;
		default: m.reason = NULL; break;
		}
		TU_FAILS(db, points_account_apply(db, &m, &a),
		    POINTS_ECONFLICT);
		ck_assert_msg(strstr(points_errmsg(db), "chg-1") != NULL,
		    "%s: %s", fields[i], points_errmsg(db));
	}
	/* the keys of account changes are not those of postings */
	{
		points_posting p = tu_posting("PTS", bob, 1);
		points_txn t;

		p.idempotency_key = "chg-1";
		ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
		ck_assert_int_eq(t.replayed, 0);
	}
}
END_TEST

/* ---- Erasing personal data ---- */

static int
has_text(const char *d, size_t n, const char *text)
{
	size_t i, tl = strlen(text);

	for (i = 0; i + tl <= n; i++)
		if (memcmp(d + i, text, tl) == 0)
			return 1;
	return 0;
}

START_TEST(test_erase_removes_personal_data_and_keeps_the_ledger_verifiable)
{
	points_account a;
	points_account_change h[8];
	points_verify_report r;
	points_entry e[4];
	int64_t li, again;
	char *dump, *v;
	size_t n;

	open_ledger(_i);
	ck_assert_int_eq(points_account_create(db, "E7777", "Zhang Xiuying", 0,
	    &li), POINTS_OK);
	ck_assert_int_eq(points_account_attr_set(db, li, "phone",
	    "+86-555-0199"), POINTS_OK);
	ck_assert_int_eq(points_account_update(db, li, NULL, "gold", "R&D"),
	    POINTS_OK);
	ck_assert_int_eq(tu_earn(db, li, "PTS", 30, NULL), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, li, "PTS", 30, NULL), POINTS_OK);
	/* only a closed account */
	TU_FAILS(db, points_account_erase(db, li, "dpo", "request 12"),
	    POINTS_ESTATE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "close it"));
	TU_FAILS(db, points_account_erase(db, POINTS_ACCOUNT_ISSUER, NULL,
	    NULL), POINTS_EINVAL);
	TU_FAILS(db, points_account_erase(db, 999, NULL, NULL),
	    POINTS_ENOTFOUND);
	TU_FAILS(db, points_account_erase(db, li, "", NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_account_close(db, li), POINTS_OK);
	tu_now += 60;
	ck_assert_int_eq(points_account_erase(db, li, "dpo", "request 12"),
	    POINTS_OK);

	ck_assert_int_eq(points_account_get(db, li, &a), POINTS_OK);
	ck_assert_str_eq(a.external_id, "");
	ck_assert_str_eq(a.name, "");
	ck_assert_str_eq(a.department, "R&D");
	ck_assert_str_eq(a.tier, "gold");
	ck_assert_int_eq(a.status, POINTS_ACCOUNT_CLOSED);
	ck_assert_int_eq(points_account_attr_get(db, li, "phone", &v),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(points_account_find(db, "E7777", &a),
	    POINTS_ENOTFOUND);
	dump = tu_dump(db, &n);
	ck_assert(!has_text(dump, n, "Zhang Xiuying"));
	ck_assert(!has_text(dump, n, "E7777"));
	ck_assert(!has_text(dump, n, "+86-555-0199"));
	free(dump);
	/* the ledger still verifies; the entries and their parties stay */
	ck_assert_int_eq(points_verify(db, &r), POINTS_OK);
	ck_assert_int_eq(statement(li, "PTS", e, 4), 2);
	ck_assert_str_eq(e[1].department, "R&D");
	ck_assert_int_eq(history(li, h, 8), 4);
	assert_change(&h[3], 4, TU_T0 + 60, POINTS_CHANGE_ERASE, "", "",
	    "dpo", "request 12");
	/* again: nothing changes, nothing is recorded */
	tu_snap(db);
	ck_assert_int_eq(points_account_erase(db, li, "dpo", "again"),
	    POINTS_OK);
	tu_unchanged(db);
	/* the external id is free for a new account; a message names the
	 * erased one by its number */
	ck_assert_int_eq(points_account_create(db, "E7777", NULL, 0, &again),
	    POINTS_OK);
	ck_assert_int_ne(again, li);
	ck_assert_int_eq(tu_earn(db, li, "PTS", 1, NULL), POINTS_ECLOSED);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "#"));
}
END_TEST

/* ---- A ledger made before balances kept the party ---- */

/* Strip the party (the record's last two bytes: tag 1, a one-byte id)
 * from each format-1 balance record that has one. */
static void
strip_parties(points_store *s)
{
	points_keyspace *old;
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl, n = 0, i;
	unsigned char keys[16][12], vals[16][256];
	size_t lens[16];

	ck_assert_int_eq(s->keyspace(s, "balance", 0, &old), POINTS_OK);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->cursor_open(s, old, NULL, 0, NULL, 0, 0, &c),
	    POINTS_OK);
	while (s->cursor_next(s, c, &k, &kl, &v, &vl) == POINTS_OK) {
		const unsigned char *b = v;

		ck_assert_uint_eq(kl, 12);
		ck_assert_uint_le(vl, 256);
		ck_assert_uint_lt(n, 16);
		memcpy(keys[n], k, 12);
		memcpy(vals[n], v, vl);
		lens[n] = vl;
		if (vl > 2 && b[vl - 2] == 1 && b[vl - 1] > 0 &&
		    b[vl - 1] < 0x80)
			lens[n] = vl - 2;
		n++;
	}
	s->cursor_close(s, c);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(s->put(s, old, keys[i], 12, vals[i], lens[i]),
		    POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

START_TEST(test_upgrade_gives_old_balances_their_party)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_store *s;
	points_entry e[1];
	char *want, *got;
	size_t wl, gl;

	(void)_i;
	tu_now = TU_T0;
	/* a ledger written before: balances of format 1, without party */
	ck_assert_int_eq(points_store_open("memory:", &s), POINTS_OK);
	ck_assert_int_eq(points_open_store(s, &o, &db), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	alice = tu_account(db, "E1001");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_OK);
	ck_assert_int_eq(points_account_update(db, alice, NULL, "gold", "R&D"),
	    POINTS_OK);
	want = tu_dump(db, &wl);
	points_close(db);
	tu_balances_to_format_1(s);
	strip_parties(s);
	ck_assert_int_eq(points_open_store(s, &o, &db), POINTS_OK);
	got = tu_dump(db, &gl);
	ck_assert_msg(gl == wl && memcmp(got, want, wl) == 0,
	    "the upgraded ledger differs from one that kept the party");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_OK);
	ck_assert_int_eq(statement(alice, "PTS", e, 1), 1);
	ck_assert_str_eq(e[0].department, "R&D");
	ck_assert_str_eq(e[0].tier, "gold");
	tu_invariants(db);
	points_close(db);
	db = NULL;
	points_store_close(s);
	free(want);
	free(got);
}
END_TEST

/* ---- A seeded random walk against a model ---- */

#define M_ACCOUNTS 4
#define M_STEPS 400
#define M_MAX_CHANGES 512
#define M_MAX_ENTRIES 512

static const char *const m_depts[] = { "", "R&D", "Sales", "Ops" };
static const char *const m_tiers[] = { "", "gold", "silver" };
static const char *const m_cats[] = { NULL, "training", "order", "teamwork" };
static const char *const m_actors[] = { NULL, "hr:1", "shop", "王芳" };

typedef struct m_change {
	int field;
	char old_value[16], new_value[16], actor[16], reason[16];
} m_change;

typedef struct m_entry {
	char category[16], actor[16], dept[16], tier[16];
} m_entry;

typedef struct m_account {
	int64_t id;
	int dept, tier, status;
	int64_t available;
	m_change changes[M_MAX_CHANGES];
	int nchanges;
	m_entry entries[M_MAX_ENTRIES];
	int nentries;
} m_account;

static m_account model[M_ACCOUNTS];

static void
m_record(m_account *m, int field, const char *old, const char *new_value,
    const char *actor, const char *reason)
{
	m_change *c = &m->changes[m->nchanges++];

	ck_assert_int_lt(m->nchanges, M_MAX_CHANGES);
	c->field = field;
	snprintf(c->old_value, sizeof(c->old_value), "%s", old);
	snprintf(c->new_value, sizeof(c->new_value), "%s", new_value);
	snprintf(c->actor, sizeof(c->actor), "%s", actor ? actor : "");
	snprintf(c->reason, sizeof(c->reason), "%s", reason ? reason : "");
}

static const char *const m_status[] = { "active", "frozen", "closed" };

static void
m_compare(const m_account *m)
{
	points_account_change h[M_MAX_CHANGES];
	points_entry e[M_MAX_ENTRIES];
	int i, n;

	n = history(m->id, h, M_MAX_CHANGES);
	ck_assert_int_eq(n, m->nchanges);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(h[i].field, m->changes[i].field);
		ck_assert_str_eq(h[i].old_value, m->changes[i].old_value);
		ck_assert_str_eq(h[i].new_value, m->changes[i].new_value);
		ck_assert_str_eq(h[i].actor, m->changes[i].actor);
		ck_assert_str_eq(h[i].reason, m->changes[i].reason);
	}
	n = statement(m->id, "PTS", e, M_MAX_ENTRIES);
	ck_assert_int_eq(n, m->nentries);
	for (i = 0; i < n; i++) {
		const m_entry *x = &m->entries[m->nentries - 1 - i];

		ck_assert_str_eq(e[i].category, x->category);
		ck_assert_str_eq(e[i].actor, x->actor);
		ck_assert_str_eq(e[i].department, x->dept);
		ck_assert_str_eq(e[i].tier, x->tier);
	}
	ck_assert_int_eq(tu_available(db, m->id, "PTS"), m->available);
}

START_TEST(test_random_changes_and_postings_match_a_model)
{
	unsigned seed = 20261202u + (unsigned)_i;
	int step, i;

	open_ledger(_i);
	srand(seed);
	memset(model, 0, sizeof(model));
	for (i = 0; i < M_ACCOUNTS; i++) {
		char ext[16];

		snprintf(ext, sizeof(ext), "M%d", i);
		model[i].id = tu_account(db, ext);
	}
	for (step = 0; step < M_STEPS; step++) {
		m_account *m = &model[rand() % M_ACCOUNTS];
		const char *actor = m_actors[rand() % 4];
		const char *reason = rand() % 2 ? "r" : NULL;
		int op = rand() % 6, rc;

		if (op == 0) { /* department and tier, with actor */
			int d = rand() % 4, t = rand() % 3;

			rc = apply(m->id, m_tiers[t], m_depts[d],
			    POINTS_ACCOUNT_KEEP, actor, reason, NULL);
			if (m->status == POINTS_ACCOUNT_CLOSED ||
			    (d == m->dept && t == m->tier && 0)) {
				/* closed accounts may still move */
			}
			ck_assert_int_eq(rc, POINTS_OK);
			if (d != m->dept)
				m_record(m, POINTS_CHANGE_DEPARTMENT,
				    m_depts[m->dept], m_depts[d], actor,
				    reason);
			if (t != m->tier)
				m_record(m, POINTS_CHANGE_TIER,
				    m_tiers[m->tier], m_tiers[t], actor,
				    reason);
			m->dept = d;
			m->tier = t;
		} else if (op == 1) { /* the old call: no actor, no reason */
			int d = rand() % 4;

			ck_assert_int_eq(points_account_update(db, m->id, NULL,
			    NULL, m_depts[d]), POINTS_OK);
			if (d != m->dept)
				m_record(m, POINTS_CHANGE_DEPARTMENT,
				    m_depts[m->dept], m_depts[d], NULL, NULL);
			m->dept = d;
		} else if (op == 2) { /* freeze or unfreeze */
			int to = rand() % 2;
			int want = m->status == POINTS_ACCOUNT_CLOSED ?
			    POINTS_ECLOSED : m->status == to ? POINTS_ESTATE :
			    POINTS_OK;

			rc = apply(m->id, NULL, NULL, to, actor, reason, NULL);
			ck_assert_int_eq(rc, want);
			if (rc == POINTS_OK) {
				m_record(m, POINTS_CHANGE_STATUS,
				    m_status[m->status], m_status[to], actor,
				    reason);
				m->status = to;
			}
		} else { /* earn or spend with a category and an actor */
			points_posting p = tu_posting("PTS", m->id,
			    1 + rand() % 20);
			int spend = op == 5;
			int want = POINTS_OK;
			points_txn t;

			p.category = m_cats[rand() % 4];
			p.actor = actor;
			if (m->status == POINTS_ACCOUNT_FROZEN)
				want = POINTS_EFROZEN;
			else if (spend && m->available < p.amount)
				want = POINTS_EINSUFFICIENT;
			rc = spend ? points_spend(db, &p, &t) :
			    points_earn(db, &p, &t);
			ck_assert_int_eq(rc, want);
			if (rc == POINTS_OK) {
				m_entry *x = &m->entries[m->nentries++];

				ck_assert_int_lt(m->nentries, M_MAX_ENTRIES);
				snprintf(x->category, sizeof(x->category),
				    "%s", p.category ? p.category : "");
				snprintf(x->actor, sizeof(x->actor), "%s",
				    actor ? actor : "");
				snprintf(x->dept, sizeof(x->dept), "%s",
				    m_depts[m->dept]);
				snprintf(x->tier, sizeof(x->tier), "%s",
				    m_tiers[m->tier]);
				m->available += spend ? -p.amount : p.amount;
			}
		}
		tu_now += 1 + rand() % 100;
		m_compare(m);
	}
	for (i = 0; i < M_ACCOUNTS; i++)
		m_compare(&model[i]);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("meta");
	TCase *tc = tcase_create("meta");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_every_write_records_its_category_and_actor,
	    0, 2);
	tcase_add_loop_test(tc,
	    test_bad_category_or_actor_is_einval_and_changes_nothing, 0, 2);
	tcase_add_loop_test(tc, test_entries_without_extensions_stay_version_1,
	    0, 2);
	tcase_add_loop_test(tc,
	    test_version_1_requests_have_no_category_or_actor, 0, 2);
	tcase_add_loop_test(tc,
	    test_version_1_keys_replay_without_category_and_conflict_with_one,
	    0, 2);
	tcase_add_loop_test(tc, test_entries_keep_department_and_tier_as_posted,
	    0, 2);
	tcase_add_loop_test(tc, test_postings_read_no_account_for_the_party, 0,
	    1);
	tcase_add_loop_test(tc, test_changes_are_kept_with_time_actor_and_reason,
	    0, 2);
	tcase_add_loop_test(tc, test_bad_changes_are_refused_and_record_nothing,
	    0, 2);
	tcase_add_loop_test(tc, test_damaged_history_is_unreadable, 0, 4);
	tcase_add_loop_test(tc,
	    test_apply_replays_its_key_and_conflicts_on_another_request, 0, 2);
	tcase_add_loop_test(tc,
	    test_erase_removes_personal_data_and_keeps_the_ledger_verifiable,
	    0, 2);
	tcase_add_loop_test(tc, test_upgrade_gives_old_balances_their_party, 0,
	    1);
	tcase_add_loop_test(tc, test_random_changes_and_postings_match_a_model,
	    0, 2);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
