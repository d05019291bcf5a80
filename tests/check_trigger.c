/* check_trigger.c - account triggers in the outbox (points_trigger_set):
 * a balance reaching a level written once per upward crossing, by every
 * kind of change (earn, spend, hold, release, capture, expiry,
 * reversal), re-armed below it; a tier change; nothing written on a
 * refusal or a rollback; a trigger set by another handle seen at once;
 * bad input; and a seeded random run against a small model.  The
 * ledgers are "memory:" (make check-c runs the suite on SQLite too). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"

static points_db *db;
static int64_t ann, bob;
static int64_t seen; /* the last outbox event looked at */

static void
setup(void)
{
	tu_now = TU_T0 + 10 * 3600;
	db = tu_open("memory:");
	ann = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	seen = 0;
}

static void
teardown(void)
{
	tu_invariants(db);
	points_close(db);
	db = NULL;
	tu_cleanup();
}

static points_trigger
set_balance(const char *name, const char *asset, int64_t level)
{
	points_trigger t;

	ck_assert_msg(points_trigger_set(db, name, POINTS_TRIGGER_BALANCE,
	    asset, level, NULL, &t) == POINTS_OK, "%s", points_errmsg(db));
	return t;
}

/* The outbox events written since the last call, one a line: "subject
 * account data". */
static const char *
news(void)
{
	static char out[8192];
	points_outbox_event e;
	size_t n = 0;

	out[0] = 0;
	while (points_outbox_next(db, seen, &e) == POINTS_OK) {
		if (strcmp(e.kind, POINTS_OUTBOX_ACCOUNT_TRIGGER) == 0)
			n += (size_t)snprintf(out + n, sizeof(out) - n,
			    "%s %lld %s\n", e.subject, (long long)e.account,
			    e.data);
		seen = e.seq;
	}
	return out;
}

static char *
line(const char *name, int64_t acct, const char *asset, int64_t level,
    int64_t balance)
{
	static char out[512];

	snprintf(out, sizeof(out), "%s %lld {\"trigger\":\"%s\",\"asset\":"
	    "\"%s\",\"level\":%lld,\"balance\":%lld}\n", name,
	    (long long)acct, name, asset, (long long)level,
	    (long long)balance);
	return out;
}

static void
earn(int64_t acct, int64_t amount)
{
	ck_assert_msg(tu_earn(db, acct, "PTS", amount, NULL) == POINTS_OK,
	    "%s", points_errmsg(db));
}

static void
spend(int64_t acct, int64_t amount)
{
	ck_assert_msg(tu_spend(db, acct, "PTS", amount, NULL) == POINTS_OK,
	    "%s", points_errmsg(db));
}

START_TEST(test_crossing_up_once_and_again)
{
	points_trigger t = set_balance("gold-ready", "PTS", 1000);

	ck_assert_str_eq(t.name, "gold-ready");
	ck_assert_int_eq(t.kind, POINTS_TRIGGER_BALANCE);
	ck_assert_int_eq(t.level, 1000);
	ck_assert_int_eq(t.updated, tu_now);
	earn(ann, 600);
	ck_assert_str_eq(news(), "");
	/* 600 -> 1100: crossed */
	earn(ann, 500);
	ck_assert_str_eq(news(), line("gold-ready", ann, "PTS", 1000, 1100));
	/* above it stays: nothing */
	earn(ann, 100);
	spend(ann, 150);
	earn(ann, 50);
	ck_assert_str_eq(news(), "");
	/* down to 700, then up to 1000 exactly: again */
	spend(ann, 400);
	ck_assert_str_eq(news(), "");
	earn(ann, 300);
	ck_assert_str_eq(news(), line("gold-ready", ann, "PTS", 1000, 1000));
	/* another account, another asset: its own */
	earn(bob, 999);
	ck_assert_str_eq(news(), "");
	ck_assert_int_eq(tu_earn(db, bob, "EXP", 5000, NULL), POINTS_OK);
	ck_assert_str_eq(news(), "");
	earn(bob, 1);
	ck_assert_str_eq(news(), line("gold-ready", bob, "PTS", 1000, 1000));
}
END_TEST

/* The figure a crossing is judged from is the record's as last stored:
 * a record stored twice in one operation (no public call does so today)
 * crosses once, not at every later rise, and again after falling
 * below.  In a batch rolled back: the raw figures leave no trace. */
START_TEST(test_crossing_judged_from_last_store)
{
	points_balance_rec b;
	points_asset_rec a;
	char want[1024];

	set_balance("lvl", "PTS", 1000);
	earn(ann, 600);
	ck_assert_str_eq(news(), "");
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(points_db__write_begin(db), POINTS_OK);
	ck_assert_int_eq(points_asset__find(db, "PTS", &a), POINTS_OK);
	points_balance__init(&b, ann, a.id, 0);
	ck_assert_int_eq(points_balance__load(db, &b), POINTS_OK);
	ck_assert_int_eq(b.stored_available, 600);
	b.available = 1100;
	ck_assert_int_eq(points_balance__store(db, &b, 0), POINTS_OK);
	b.available = 1200;
	ck_assert_int_eq(points_balance__store(db, &b, 0), POINTS_OK);
	b.available = 900;
	ck_assert_int_eq(points_balance__store(db, &b, 0), POINTS_OK);
	b.available = 1000;
	ck_assert_int_eq(points_balance__store(db, &b, 0), POINTS_OK);
	strcpy(want, line("lvl", ann, "PTS", 1000, 1100));
	strcat(want, line("lvl", ann, "PTS", 1000, 1000));
	ck_assert_str_eq(news(), want);
	points_balance__free(&b);
	ck_assert_int_eq(points_db__write_end(db, POINTS_EINVAL),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	ck_assert_int_eq(tu_available(db, ann, "PTS"), 600);
}
END_TEST

/* Two levels crossed by one earn: an event each; a removed trigger
 * tells nothing. */
START_TEST(test_two_levels_and_remove)
{
	char want[1024];

	set_balance("silver", "PTS", 500);
	set_balance("gold", "PTS", 1000);
	earn(ann, 1200);
	/* by name, as the triggers are kept */
	snprintf(want, sizeof(want), "%s", line("gold", ann, "PTS", 1000,
	    1200));
	strcat(want, line("silver", ann, "PTS", 500, 1200));
	ck_assert_str_eq(news(), want);
	ck_assert_int_eq(points_trigger_remove(db, "gold"), POINTS_OK);
	spend(ann, 1000);
	earn(ann, 1000);
	ck_assert_str_eq(news(), line("silver", ann, "PTS", 500, 1200));
	ck_assert_int_eq(points_trigger_remove(db, "gold"), POINTS_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "trigger 'gold'"));
}
END_TEST

/* Every kind of change is looked at: a hold takes points below the
 * level, its release brings them back (a crossing); a capture, an
 * expiry and a reversal of an earn take them down. */
START_TEST(test_holds_expiry_reversal)
{
	points_posting p;
	points_txn h, e;
	points_sweep_report r;

	set_balance("lvl", "PTS", 1000);
	set_balance("exp", "EXP", 100);
	earn(ann, 1000);
	ck_assert_str_eq(news(), line("lvl", ann, "PTS", 1000, 1000));
	p = tu_posting("PTS", ann, 300);
	ck_assert_int_eq(points_hold_create(db, &p, &h), POINTS_OK);
	ck_assert_str_eq(news(), "");
	ck_assert_int_eq(tu_release(db, h.id, NULL, &e), POINTS_OK);
	ck_assert_str_eq(news(), line("lvl", ann, "PTS", 1000, 1000));
	ck_assert_int_eq(points_hold_create(db, &p, &h), POINTS_OK);
	ck_assert_int_eq(tu_capture(db, h.id, 300, 0, NULL, &e), POINTS_OK);
	ck_assert_str_eq(news(), "");
	earn(ann, 300);
	ck_assert_str_eq(news(), line("lvl", ann, "PTS", 1000, 1000));
	/* a reversal of an earn takes it below; the next earn crosses */
	ck_assert_int_eq(tu_earn(db, ann, "PTS", 50, &e), POINTS_OK);
	ck_assert_int_eq(tu_reverse(db, e.id, 0, NULL, NULL, &h),
	    POINTS_OK);
	ck_assert_str_eq(news(), "");
	ck_assert_int_eq(tu_spend(db, ann, "PTS", 1, NULL), POINTS_OK);
	earn(ann, 1);
	ck_assert_str_eq(news(), line("lvl", ann, "PTS", 1000, 1000));
	/* EXP expires after 365 days: the sweep takes it down, the next
	 * earn crosses again */
	ck_assert_int_eq(tu_earn(db, bob, "EXP", 100, NULL), POINTS_OK);
	ck_assert_str_eq(news(), line("exp", bob, "EXP", 100, 100));
	tu_now += 400 * TU_DAY;
	ck_assert_int_eq(points_expire_sweep(db, tu_now, &r), POINTS_OK);
	ck_assert_int_eq(tu_available(db, bob, "EXP"), 0);
	ck_assert_str_eq(news(), "");
	ck_assert_int_eq(tu_earn(db, bob, "EXP", 150, NULL), POINTS_OK);
	ck_assert_str_eq(news(), line("exp", bob, "EXP", 100, 150));
}
END_TEST

/* An account at the level when the trigger is set made no crossing:
 * it tells once it fell below and came back. */
START_TEST(test_already_above)
{
	earn(ann, 2000);
	set_balance("lvl", "PTS", 1000);
	earn(ann, 10);
	ck_assert_str_eq(news(), "");
	spend(ann, 1500);
	earn(ann, 1000);
	ck_assert_str_eq(news(), line("lvl", ann, "PTS", 1000, 1510));
	/* a new level replaces the old one */
	set_balance("lvl", "PTS", 2000);
	earn(ann, 490);
	ck_assert_str_eq(news(), line("lvl", ann, "PTS", 2000, 2000));
}
END_TEST

START_TEST(test_tier_change)
{
	points_trigger t;

	ck_assert_int_eq(points_trigger_set(db, "any-tier", POINTS_TRIGGER_TIER,
	    NULL, 0, NULL, &t), POINTS_OK);
	ck_assert_int_eq(points_trigger_set(db, "to-gold", POINTS_TRIGGER_TIER,
	    NULL, 0, "gold", &t), POINTS_OK);
	ck_assert_str_eq(t.tier, "gold");
	ck_assert_int_eq(points_account_update(db, ann, NULL, "silver", NULL),
	    POINTS_OK);
	{
		char want[512];

		snprintf(want, sizeof(want), "any-tier %lld {\"trigger\":"
		    "\"any-tier\",\"from\":\"\",\"to\":\"silver\"}\n",
		    (long long)ann);
		ck_assert_str_eq(news(), want);
	}
	ck_assert_int_eq(points_account_update(db, ann, NULL, "silver", NULL),
	    POINTS_OK);
	ck_assert_str_eq(news(), "");
	ck_assert_int_eq(points_account_update(db, ann, NULL, "gold", NULL),
	    POINTS_OK);
	{
		char want[512];

		snprintf(want, sizeof(want), "any-tier %lld {\"trigger\":"
		    "\"any-tier\",\"from\":\"silver\",\"to\":\"gold\"}\n"
		    "to-gold %lld {\"trigger\":\"to-gold\",\"from\":"
		    "\"silver\",\"to\":\"gold\"}\n", (long long)ann,
		    (long long)ann);
		ck_assert_str_eq(news(), want);
	}
	/* the upgrade an earn makes */
	ck_assert_int_eq(points_tier_set(db, "gold", 2, 100), POINTS_OK);
	ck_assert_int_eq(points_tier_qualify(db, "gold", "PTS", 500, 12),
	    POINTS_OK);
	earn(bob, 600);
	{
		char want[512];

		snprintf(want, sizeof(want), "any-tier %lld {\"trigger\":"
		    "\"any-tier\",\"from\":\"\",\"to\":\"gold\"}\n"
		    "to-gold %lld {\"trigger\":\"to-gold\",\"from\":"
		    "\"\",\"to\":\"gold\"}\n", (long long)bob,
		    (long long)bob);
		ck_assert_str_eq(news(), want);
	}
}
END_TEST

/* A refused change writes nothing, its crossing neither; an earn in a
 * batch rolled back leaves no event. */
START_TEST(test_refusal_writes_nothing)
{
	points_posting p;
	points_txn t;

	set_balance("lvl", "PTS", 1000);
	earn(ann, 900);
	ck_assert_str_eq(news(), "");
	ck_assert_int_eq(points_account_freeze(db, ann), POINTS_OK);
	TU_FAILS(db, tu_earn(db, ann, "PTS", 500, NULL), POINTS_EFROZEN);
	ck_assert_int_eq(points_account_unfreeze(db, ann), POINTS_OK);
	/* the same key with another amount: a conflict */
	p = tu_posting("PTS", ann, 50);
	p.idempotency_key = "k1";
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	p.amount = 500;
	TU_FAILS(db, points_earn(db, &p, &t), POINTS_ECONFLICT);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	earn(ann, 500);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	tu_snap_free();
	ck_assert_str_eq(news(), "");
	/* inside a batch, an operation that fails undoes only itself */
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	earn(bob, 2000);
	ck_assert_int_eq(tu_spend(db, ann, "PTS", 5000, NULL),
	    POINTS_EINSUFFICIENT);
	earn(ann, 100);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	{
		char want[1024];

		strcpy(want, line("lvl", bob, "PTS", 1000, 2000));
		strcat(want, line("lvl", ann, "PTS", 1000, 1050));
		ck_assert_str_eq(news(), want);
	}
}
END_TEST

START_TEST(test_bad_input_and_list)
{
	points_trigger_iterator *it;
	points_trigger t;
	char name[40];
	int i, n = 0;

	tu_snap(db);
#define BAD(code, needle, ...) do {                                      \
	ck_assert_int_eq(points_trigger_set(db, __VA_ARGS__, &t), code); \
	ck_assert_msg(strstr(points_errmsg(db), needle), "%s",           \
	    points_errmsg(db));                                          \
} while (0)
	BAD(POINTS_EINVAL, "trigger", "Bad Name", POINTS_TRIGGER_BALANCE,
	    "PTS", 10, NULL);
	BAD(POINTS_EINVAL, "trigger", "", POINTS_TRIGGER_BALANCE, "PTS", 10,
	    NULL);
	BAD(POINTS_EINVAL, "trigger", "abcdefghijabcdefghijabcdefghijabc",
	    POINTS_TRIGGER_BALANCE, "PTS", 10, NULL);
	BAD(POINTS_EINVAL, "kind must be", "x", 7, "PTS", 10, NULL);
	BAD(POINTS_EINVAL, "level must be positive", "x",
	    POINTS_TRIGGER_BALANCE, "PTS", 0, NULL);
	BAD(POINTS_EINVAL, "asset", "x", POINTS_TRIGGER_BALANCE, NULL, 10,
	    NULL);
	BAD(POINTS_EINVAL, "has no tier", "x", POINTS_TRIGGER_BALANCE, "PTS",
	    10, "gold");
	BAD(POINTS_EINVAL, "no asset and no level", "x", POINTS_TRIGGER_TIER,
	    "PTS", 0, NULL);
	BAD(POINTS_EINVAL, "no asset and no level", "x", POINTS_TRIGGER_TIER,
	    NULL, 5, NULL);
	BAD(POINTS_ENOTFOUND, "NOPE", "x", POINTS_TRIGGER_BALANCE, "NOPE", 5,
	    NULL);
#undef BAD
	ck_assert_int_eq(points_trigger_set(db, "x", POINTS_TRIGGER_BALANCE,
	    "PTS", 5, NULL, NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_trigger_remove(db, "Bad Name"),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_trigger_remove(db, "none"), POINTS_ENOTFOUND);
	tu_unchanged(db);
	tu_snap_free();
	/* up to POINTS_TRIGGERS_MAX, listed by name */
	for (i = POINTS_TRIGGERS_MAX - 1; i >= 0; i--) {
		snprintf(name, sizeof(name), "t%02d", i);
		set_balance(name, "PTS", 100 + i);
	}
	tu_snap(db);
	ck_assert_int_eq(points_trigger_set(db, "one-more",
	    POINTS_TRIGGER_TIER, NULL, 0, NULL, &t), POINTS_ELIMIT);
	/* the same again: nothing written */
	tu_now += 10;
	t = set_balance("t07", "PTS", 107);
	ck_assert_int_eq(t.updated, tu_now - 10);
	tu_unchanged(db);
	tu_snap_free();
	/* a change of one in place */
	t = set_balance("t07", "EXP", 7);
	ck_assert_int_eq(t.updated, tu_now);
	ck_assert_int_eq(points_trigger_iterator_new(db, &it), POINTS_OK);
	while (points_trigger_next(it, &t) == POINTS_OK) {
		snprintf(name, sizeof(name), "t%02d", n);
		ck_assert_str_eq(t.name, name);
		ck_assert_int_eq(t.kind, POINTS_TRIGGER_BALANCE);
		ck_assert_str_eq(t.asset, n == 7 ? "EXP" : "PTS");
		ck_assert_int_eq(t.level, n == 7 ? 7 : 100 + n);
		n++;
	}
	points_trigger_iterator_free(it);
	ck_assert_int_eq(n, POINTS_TRIGGERS_MAX);
	ck_assert_int_eq(points_trigger_iterator_new(db, NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_trigger_next(NULL, &t), POINTS_EINVAL);
}
END_TEST

/* Two handles on one SQLite file: a trigger one sets, the other's next
 * earn sees; one it removes, the other's forgets. */
START_TEST(test_other_handle)
{
	const char *uri = tu_sqlite_uri();
	points_db *a = tu_open(uri), *b;
	points_trigger t;
	points_outbox_event e;
	int64_t x;

	ck_assert_int_eq(points_open(uri, NULL, &b), POINTS_OK);
	x = tu_account(a, "X1");
	/* b has read the (empty) triggers */
	ck_assert_int_eq(tu_earn(b, x, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(points_trigger_set(a, "lvl", POINTS_TRIGGER_BALANCE,
	    "PTS", 100, NULL, &t), POINTS_OK);
	ck_assert_int_eq(tu_earn(b, x, "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(points_outbox_next(a, 0, &e), POINTS_OK);
	ck_assert_str_eq(e.kind, POINTS_OUTBOX_ACCOUNT_TRIGGER);
	ck_assert_str_eq(e.subject, "lvl");
	ck_assert_int_eq(points_trigger_remove(a, "lvl"), POINTS_OK);
	ck_assert_int_eq(tu_spend(b, x, "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(b, x, "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(points_outbox_next(a, e.seq, &e), POINTS_ITEROVER);
	points_close(b);
	tu_invariants(a);
	points_close(a);
}
END_TEST

/* ---- A seeded random run against a small model ---- */

enum { M_ACCTS = 3, M_LEVELS = 3, M_HOLDS = 32 };

START_TEST(test_random_against_model)
{
	unsigned seed = 4000u + (unsigned)_i;
	int64_t acct[M_ACCTS], bal[M_ACCTS], level[M_LEVELS];
	int64_t hold_amt[M_HOLDS];
	int hold_acct[M_HOLDS], hold_open[M_HOLDS], nholds = 0;
	char hold_id[M_HOLDS][POINTS_ID_LEN + 1];
	static const char *names[M_LEVELS] = { "l0", "l1", "l2" };
	char want[16384];
	int step, i;

	srand(seed);
	want[0] = 0;
	for (i = 0; i < M_ACCTS; i++) {
		char ext[16];

		snprintf(ext, sizeof(ext), "M%d", i);
		acct[i] = tu_account(db, ext);
		bal[i] = 0;
	}
	for (i = 0; i < M_LEVELS; i++)
		level[i] = 0; /* not set */
	for (step = 0; step < 400; step++) {
		int op = rand() % 8, a = rand() % M_ACCTS, l;
		int64_t amt = 1 + rand() % 400, was = bal[a];
		points_posting p;
		points_txn t;

		switch (op) {
		case 0: /* set or move a level */
			l = rand() % M_LEVELS;
			level[l] = 100 + rand() % 1500;
			set_balance(names[l], "PTS", level[l]);
			continue;
		case 1: /* remove one */
			l = rand() % M_LEVELS;
			ck_assert_int_eq(points_trigger_remove(db, names[l]),
			    level[l] ? POINTS_OK : POINTS_ENOTFOUND);
			level[l] = 0;
			continue;
		case 2:
		case 3:
			earn(acct[a], amt);
			bal[a] += amt;
			break;
		case 4:
			ck_assert_int_eq(tu_spend(db, acct[a], "PTS", amt,
			    NULL), bal[a] >= amt ? POINTS_OK :
			    POINTS_EINSUFFICIENT);
			if (bal[a] >= amt)
				bal[a] -= amt;
			break;
		case 5:
			if (nholds == M_HOLDS)
				continue;
			p = tu_posting("PTS", acct[a], amt);
			ck_assert_int_eq(points_hold_create(db, &p, &t),
			    bal[a] >= amt ? POINTS_OK : POINTS_EINSUFFICIENT);
			if (bal[a] < amt)
				break;
			bal[a] -= amt;
			strcpy(hold_id[nholds], t.id);
			hold_amt[nholds] = amt;
			hold_acct[nholds] = a;
			hold_open[nholds++] = 1;
			break;
		default: /* release (6) or capture (7) an open hold */
			if (!nholds)
				continue;
			i = rand() % nholds;
			if (!hold_open[i])
				continue;
			a = hold_acct[i];
			was = bal[a];
			if (op == 6) {
				ck_assert_int_eq(tu_release(db, hold_id[i],
				    NULL, &t), POINTS_OK);
				bal[a] += hold_amt[i];
			} else {
				ck_assert_int_eq(tu_capture(db, hold_id[i],
				    hold_amt[i], 0, NULL, &t), POINTS_OK);
			}
			hold_open[i] = 0;
			break;
		}
		/* the model: an event per level crossed upward, by name */
		for (l = 0; l < M_LEVELS; l++)
			if (level[l] && was < level[l] && bal[a] >= level[l]) {
				strcat(want, line(names[l], acct[a], "PTS",
				    level[l], bal[a]));
			}
		ck_assert_msg(strcmp(news(), want) == 0, "seed %u step %d "
		    "(op %d): want\n%s", seed, step, op, want);
		want[0] = 0;
		ck_assert_int_eq(tu_available(db, acct[a], "PTS"), bal[a]);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("trigger");
	TCase *tc = tcase_create("trigger");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_crossing_up_once_and_again);
	tcase_add_test(tc, test_crossing_judged_from_last_store);
	tcase_add_test(tc, test_two_levels_and_remove);
	tcase_add_test(tc, test_holds_expiry_reversal);
	tcase_add_test(tc, test_already_above);
	tcase_add_test(tc, test_tier_change);
	tcase_add_test(tc, test_refusal_writes_nothing);
	tcase_add_test(tc, test_bad_input_and_list);
	tcase_add_test(tc, test_other_handle);
	tcase_add_loop_test(tc, test_random_against_model, 0, 8);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
