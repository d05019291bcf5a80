/* check_lottery.c - lotteries: the anniversary lottery of issue 15 with
 * its numbers, refusals that write nothing, idempotent draws, the audit
 * (10,000 draws, one altered in the store and caught), the odds of a
 * 1% / 10% / 89% lottery within a chi-square bound (a fixed seed), and a
 * prize running out mid-activity.  The invariants and points_verify hold
 * after every test (teardown). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "testutil.h"
#include "util/codec.h"
#include "activity/lottery.h"

static points_db *db;
static int64_t alice, bob, carol;

/* The fixed seed of the odds tests: bytes 0, 1, ..., 31. */
static void
fixed_seed(unsigned char seed[32])
{
	int i;

	for (i = 0; i < 32; i++)
		seed[i] = (unsigned char)i;
}

static void
setup(void)
{
	tu_now = TU_T0 + 10 * 3600;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	carol = tu_account(db, "E1003");
	points_lottery__seed_hook = NULL;
}

static void
teardown(void)
{
	tu_invariants(db);
	points_close(db);
	db = NULL;
	points_lottery__seed_hook = NULL;
	tu_cleanup();
}

static void
prize(points_lottery_def *l, int kind, const char *label, int64_t weight,
    int64_t stock, int64_t amount)
{
	points_lottery_prize *p = &l->prizes[l->nprizes++];

	p->kind = kind;
	snprintf(p->label, sizeof(p->label), "%s", label);
	p->weight = weight;
	p->stock = stock;
	p->amount = amount;
}

static points_lottery_def
def(const char *name, int64_t cost, int64_t lose_weight)
{
	points_lottery_def l;

	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "%s", name);
	strcpy(l.asset, "PTS");
	l.cost = cost;
	l.starts = tu_now;
	l.ends = tu_now + 7 * TU_DAY;
	l.lose_weight = lose_weight;
	return l;
}

static int64_t
create(const points_lottery_def *l)
{
	int64_t id;

	ck_assert_msg(points_lottery_create(db, l, &id) == POINTS_OK, "%s",
	    points_errmsg(db));
	return id;
}

static points_lottery_draw
draw(int64_t id, int64_t acct, const char *key)
{
	points_lottery_draw w;

	ck_assert_msg(points_lottery_draw_once(db, id, acct, key, &w) ==
	    POINTS_OK, "%s", points_errmsg(db));
	return w;
}

/* A refusal: code, a message with want, nothing written. */
static void
refused(int64_t id, int64_t acct, int code, const char *want)
{
	points_lottery_draw w;

	tu_snap(db);
	ck_assert_int_eq(points_lottery_draw_once(db, id, acct, NULL, &w),
	    code);
	ck_assert_msg(strstr(points_errmsg(db), want), "%s",
	    points_errmsg(db));
	tu_unchanged(db);
	tu_snap_free();
}

/* The anniversary: 50 points a draw, at least 100 points to take part,
 * a week; a tablet, a smart watch, a shopping card (200 points). */
START_TEST(test_anniversary)
{
	points_lottery_def l = def("anniversary", 50, 90);
	points_lottery got;
	points_lottery_draw w;
	unsigned char seed[32], c[32];
	char hex[65];
	int64_t id, a0, spent = 0, credited = 0, n;

	l.min_balance = 100;
	l.limit_day = 3;
	l.limit_total = 5;
	prize(&l, POINTS_PRIZE_CUSTOM, "tablet", 1, 1, 0);
	prize(&l, POINTS_PRIZE_CUSTOM, "smart watch", 3, 2, 0);
	prize(&l, POINTS_PRIZE_POINTS, "shopping card", 6, 10, 200);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1000, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 99, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, carol, "PTS", 120, NULL), POINTS_OK);
	id = create(&l);
	ck_assert_int_eq(points_lottery_get(db, id, &got), POINTS_OK);
	ck_assert_str_eq(got.name, "anniversary");
	ck_assert_int_eq(got.state, POINTS_LOTTERY_OPEN);
	/* the seed stays secret; its commitment is published */
	ck_assert_str_eq(got.seed, "");
	ck_assert_int_eq(strlen(got.commitment), 64);

	/* bob holds 99: not eligible, with the reason */
	refused(id, bob, POINTS_ENOTELIGIBLE, "account E1002 is not eligible: "
	    "available 99 PTS, it needs at least 100");
	/* alice: three draws today, the fourth refused */
	a0 = tu_available(db, alice, "PTS");
	for (n = 1; n <= 3; n++) {
		w = draw(id, alice, NULL);
		ck_assert_int_eq(w.number, n);
		ck_assert_int_eq(w.cost, 50);
		spent += 50;
		credited += w.credited;
		ck_assert_int_eq(w.credited, w.outcome == 2 ? 200 : 0);
	}
	ck_assert_int_eq(tu_available(db, alice, "PTS"), a0 - spent + credited);
	refused(id, alice, POINTS_EQUOTA, "limit of 3 draws a day");
	/* the next day two more, then the total limit */
	tu_now += TU_DAY;
	draw(id, alice, NULL);
	draw(id, alice, NULL);
	refused(id, alice, POINTS_EQUOTA, "limit of 5 draws");
	/* carol: 120, one draw leaves her 70 (unless she won the card), so
	 * a second is refused as not eligible */
	w = draw(id, carol, NULL);
	if (w.credited == 0)
		refused(id, carol, POINTS_ENOTELIGIBLE, "available 70 PTS");
	/* outside the window */
	tu_now += 7 * TU_DAY;
	refused(id, carol, POINTS_EWINDOW, "cannot draw at");
	tu_now -= 7 * TU_DAY;
	/* closed: the seed revealed, its hash the commitment, audit clean */
	ck_assert_int_eq(points_lottery_close(db, id), POINTS_OK);
	ck_assert_int_eq(points_lottery_get(db, id, &got), POINTS_OK);
	ck_assert_int_eq(sodium_hex2bin(seed, 32, got.seed, 64, NULL, NULL,
	    NULL), 0);
	crypto_generichash(c, 32, seed, 32, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), c, 32);
	ck_assert_str_eq(hex, got.commitment);
	ck_assert_int_eq(got.draws, 6);
	ck_assert_int_eq(points_lottery_audit(db, id, &n), POINTS_OK);
	ck_assert_int_eq(n, 0);
	refused(id, alice, POINTS_ESTATE, "closed");
}
END_TEST

/* A repeated key gives the first draw and writes nothing. */
START_TEST(test_idempotent)
{
	points_lottery_def l = def("free", 0, 1);
	points_lottery_draw a, b;
	int64_t id, other;

	prize(&l, POINTS_PRIZE_POINTS, "ten", 1, 100, 10);
	id = create(&l);
	a = draw(id, alice, "k1");
	tu_snap(db);
	b = draw(id, alice, "k1");
	tu_unchanged(db);
	tu_snap_free();
	ck_assert_int_eq(b.replayed, 1);
	ck_assert_int_eq(b.number, a.number);
	ck_assert_int_eq(b.outcome, a.outcome);
	ck_assert_int_eq(draw(id, alice, "k2").number, 2);
	/* the same key for another account, or in another lottery: a
	 * conflict */
	other = create(&l);
	tu_snap(db);
	ck_assert_int_eq(points_lottery_draw_once(db, id, bob, "k1", &b),
	    POINTS_ECONFLICT);
	/* and for the same account in another lottery */
	ck_assert_int_eq(points_lottery_draw_once(db, other, alice, "k1", &b),
	    POINTS_ECONFLICT);
	tu_unchanged(db);
	tu_snap_free();
}
END_TEST

/* Insufficient points: refused by the spend, nothing written. */
START_TEST(test_insufficient)
{
	points_lottery_def l = def("dear", 500, 1);
	int64_t id;

	prize(&l, POINTS_PRIZE_CUSTOM, "car", 1, 1, 0);
	id = create(&l);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 499, NULL), POINTS_OK);
	refused(id, alice, POINTS_EINSUFFICIENT, "insufficient");
}
END_TEST

/* Bad definitions: each refused with its reason, nothing written. */
START_TEST(test_bad_definitions)
{
	points_lottery_def l;
	int64_t id;

#define BAD(mutate, want) do {                                           \
	l = def("bad", 10, 1);                                           \
	prize(&l, POINTS_PRIZE_CUSTOM, "p", 1, 1, 0);                    \
	mutate;                                                          \
	tu_snap(db);                                                     \
	ck_assert_int_eq(points_lottery_create(db, &l, &id), POINTS_EINVAL); \
	ck_assert_msg(strstr(points_errmsg(db), want), "%s",             \
	    points_errmsg(db));                                          \
	tu_unchanged(db);                                                \
	tu_snap_free();                                                  \
} while (0)
	BAD(l.cost = -1, "must not be negative");
	BAD(l.ends = l.starts, "must end after it starts");
	BAD(l.nprizes = 0, "1 to 16 prizes");
	BAD(l.prizes[0].weight = 0, "weight and stock must be positive");
	BAD(l.prizes[0].stock = 0, "weight and stock must be positive");
	BAD(l.prizes[0].kind = 9, "unknown kind 9");
	BAD(l.prizes[0].kind = POINTS_PRIZE_POINTS, "positive amount");
	BAD(l.prizes[0].weight = (int64_t)1 << 62, "below 2^62");
	BAD(l.name[0] = 0, "lottery name");
	BAD(l.min_balance = -1, "must not be negative");
	BAD(strcpy(l.tiers, "gold,,silver"), "tiers 'gold,,silver': an empty "
	    "name");
	BAD(strcpy(l.departments, ","), "an empty name");
	BAD(strcpy(l.condition, "account.tenure > 1"), "condition: col");
	BAD(strcpy(l.condition, "available >"), "condition: col");
	BAD(memset(l.tiers, 't', sizeof(l.tiers)), "must end in a NUL");
	BAD(memset(l.condition, 'c', sizeof(l.condition)), "must end in a NUL");
	BAD(memset(l.departments, 'd', sizeof(l.departments)),
	    "'bad': tiers, departments and condition must end in a NUL");
	BAD(memset(l.prizes[0].sku, 's', sizeof(l.prizes[0].sku)),
	    "'bad': prize 0: its SKU must end in a NUL");
	BAD(l.asset[0] = 0, "lottery 'bad': no asset");
	BAD(l.limit_day = -1, "limits, losing weight and consolation must "
	    "not be negative");
	BAD(l.limit_total = -1, "must not be negative");
	BAD(l.lose_weight = -1, "must not be negative");
	BAD(l.consolation = -1, "must not be negative");
	/* arrays without their NUL: read no further than they go */
	BAD(memset(l.name, 'n', sizeof(l.name)), "lottery name is too long");
	BAD(memset(l.prizes[0].label, 'x', sizeof(l.prizes[0].label)),
	    "prize label is too long");
#undef BAD
	l = def("no asset", 10, 1);
	strcpy(l.asset, "NOPE");
	prize(&l, POINTS_PRIZE_CUSTOM, "p", 1, 1, 0);
	tu_snap(db);
	ck_assert_int_eq(points_lottery_create(db, &l, &id), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_lottery_create(db, NULL, &id), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "lottery and out are required");
	strcpy(l.asset, "PTS");
	ck_assert_int_eq(points_lottery_create(db, &l, NULL), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "lottery and out are required");
	tu_unchanged(db);
	tu_snap_free();
}
END_TEST

/* Draws and reads refused: ids out of range, a system, frozen or closed
 * account, a lottery closed twice, a prize it does not have, no out;
 * each with its code and a message naming it, writing nothing. */
START_TEST(test_draw_refusals)
{
	points_lottery_def l = def("refusals", 0, 1);
	points_lottery got;
	points_lottery_prize p;
	points_lottery_draw w;
	int64_t id, gone = tu_account(db, "E1009");

	prize(&l, POINTS_PRIZE_CUSTOM, "mug", 1, 5, 0);
	id = create(&l);
	refused(0, alice, POINTS_EINVAL, "lottery: bad id 0");
	refused(id, -1, POINTS_EINVAL, "bad account -1");
	refused(id, POINTS_ACCOUNT_ISSUER, POINTS_EINVAL,
	    "system:issuer is a system account: it cannot draw");
	ck_assert_int_eq(points_account_freeze(db, bob), POINTS_OK);
	refused(id, bob, POINTS_EFROZEN, "account E1002 is frozen: it cannot "
	    "draw");
	ck_assert_int_eq(points_account_close(db, gone), POINTS_OK);
	refused(id, gone, POINTS_ECLOSED, "account E1009 is closed: it cannot "
	    "draw");
	w = draw(id, alice, NULL);
	ck_assert_int_eq(w.number, 1);
	{
		/* one that has not started yet */
		points_lottery_def later = def("later", 0, 1);
		int64_t lid;

		later.starts = tu_now + 1;
		prize(&later, POINTS_PRIZE_CUSTOM, "mug", 1, 5, 0);
		lid = create(&later);
		refused(lid, alice, POINTS_EWINDOW, "cannot draw at");
	}
	ck_assert_int_eq(points_lottery_get(db, id, NULL), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "out is required");
	ck_assert_int_eq(points_lottery_prize_get(db, id, 0, NULL),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_lottery_prize_get(db, id, -1, &p),
	    POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "lottery 1 has no prize -1 (it "
	    "has 1)");
	ck_assert_int_eq(points_lottery_prize_get(db, id, 1, &p),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(points_lottery_draw_get(db, id, 1, NULL),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "out is required");
	{
		/* alice's counts damaged: a negative last draw, a byte
		 * more; her next draw is refused as damaged */
		unsigned char k[17], val[64], dam[80], lv[1024];
		size_t vl, dl;

		k[0] = 'p';
		points_codec__put_be64(k + 1, (uint64_t)alice);
		points_codec__put_be64(k + 9, (uint64_t)id);
		vl = tu_raw_get(db, "lottery", k, 17, val, sizeof(val));
		dl = tu_record_set(val, vl, "vvvv", 3, 1, dam, sizeof(dam));
		ck_assert(dl == vl && memcmp(dam, val, vl) == 0);
		dl = tu_record_set(val, vl, "vvvv", 3, -1, dam, sizeof(dam));
		tu_raw_put(db, "lottery", k, 17, dam, dl);
		refused(id, alice, POINTS_ECORRUPT, "'s counts: "
		    "damaged record");
		memcpy(dam, val, vl);
		dam[vl] = 0;
		tu_raw_put(db, "lottery", k, 17, dam, vl + 1);
		refused(id, alice, POINTS_ECORRUPT, "'s counts: "
		    "damaged record");
		tu_raw_put(db, "lottery", k, 17, val, vl);
		/* the lottery's own record with a byte more */
		points_codec__put_be64(k, (uint64_t)id);
		vl = tu_raw_get(db, "lotteries", k, 8, lv, sizeof(lv) - 1);
		lv[vl] = 0;
		tu_raw_put(db, "lotteries", k, 8, lv, vl + 1);
		ck_assert_int_eq(points_lottery_get(db, id, &got),
		    POINTS_ECORRUPT);
		ck_assert_str_eq(points_errmsg(db), "lottery 1: damaged "
		    "record");
		refused(id, alice, POINTS_ECORRUPT, "lottery 1: damaged "
		    "record");
		tu_raw_put(db, "lotteries", k, 8, lv, vl);
	}
	ck_assert_int_eq(points_lottery_close(db, id), POINTS_OK);
	TU_FAILS(db, points_lottery_close(db, id), POINTS_ESTATE);
	ck_assert_str_eq(points_errmsg(db), "lottery 1 is already closed");
	tu_snap_free();
	ck_assert_int_eq(points_lottery_get(db, id, &got), POINTS_OK);
	ck_assert_int_eq(got.state, POINTS_LOTTERY_CLOSED);
	ck_assert_int_eq(got.draws, 1);
}
END_TEST

/* Who may draw: tiers, departments and a condition in the rule
 * language, each refusal naming the account and the reason and writing
 * nothing. */
START_TEST(test_eligibility)
{
	points_lottery_def l = def("gold sales", 10, 1);
	int64_t id, dave;

	prize(&l, POINTS_PRIZE_CUSTOM, "mug", 1, 100, 0);
	strcpy(l.tiers, "gold,platinum");
	strcpy(l.departments, "sales");
	strcpy(l.condition, "account.tenure_days >= 365 && available >= 40");
	dave = tu_account(db, "E1004");
	ck_assert_int_eq(points_account_update(db, alice, NULL, "gold",
	    "sales"), POINTS_OK);
	ck_assert_int_eq(points_account_update(db, bob, NULL, "silver",
	    "sales"), POINTS_OK);
	ck_assert_int_eq(points_account_update(db, carol, NULL, "platinum",
	    "ops"), POINTS_OK);
	ck_assert_int_eq(points_account_update(db, dave, NULL, "gold",
	    "sales"), POINTS_OK);
	ck_assert_int_eq(points_account_attr_set(db, alice, "hire_date",
	    "2020-01-01"), POINTS_OK);
	ck_assert_int_eq(points_account_attr_set(db, dave, "hire_date",
	    "2026-12-01"), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 45, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, carol, "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, dave, "PTS", 100, NULL), POINTS_OK);
	id = create(&l);
	refused(id, bob, POINTS_ENOTELIGIBLE, "account E1002 is not eligible: "
	    "its tier is 'silver', the tiers are gold,platinum");
	refused(id, carol, POINTS_ENOTELIGIBLE, "account E1003 is not "
	    "eligible: its department is 'ops', the departments are sales");
	refused(id, dave, POINTS_ENOTELIGIBLE, "account E1004 is not eligible: "
	    "the condition 'account.tenure_days >= 365 && available >= 40' "
	    "is false");
	/* alice: tier, department, tenure and 45 available; one draw leaves
	 * 35, under the condition's 40 */
	draw(id, alice, NULL);
	refused(id, alice, POINTS_ENOTELIGIBLE, "is false");
	/* an account with no tier names none */
	ck_assert_int_eq(points_account_update(db, bob, NULL, "", NULL),
	    POINTS_OK);
	refused(id, bob, POINTS_ENOTELIGIBLE, "its tier is none");
	/* departments alone; a condition alone; a department in a list
	 * (not the first); an account with no department */
	{
		points_lottery_def dl = def("departments", 0, 1),
		    cl = def("condition", 0, 1);
		int64_t did, cid;

		prize(&dl, POINTS_PRIZE_CUSTOM, "mug", 1, 100, 0);
		strcpy(dl.departments, "hr,ops");
		did = create(&dl);
		draw(did, carol, NULL);
		refused(did, alice, POINTS_ENOTELIGIBLE, "its department is "
		    "'sales', the departments are hr,ops");
		ck_assert_int_eq(points_account_update(db, bob, NULL, NULL,
		    ""), POINTS_OK);
		refused(did, bob, POINTS_ENOTELIGIBLE, "its department is "
		    "none");
		prize(&cl, POINTS_PRIZE_CUSTOM, "mug", 1, 100, 0);
		strcpy(cl.condition, "account.tier == 'gold'");
		cid = create(&cl);
		draw(cid, dave, NULL);
		refused(cid, carol, POINTS_ENOTELIGIBLE, "the condition "
		    "'account.tier == 'gold'' is false");
	}
}
END_TEST

/* A condition whose value is an error or not a bool refuses (fails
 * closed), naming it. */
START_TEST(test_eligibility_condition_errors)
{
	points_lottery_def l = def("odd", 0, 1);
	int64_t id;

	prize(&l, POINTS_PRIZE_CUSTOM, "mug", 1, 100, 0);
	strcpy(l.condition, "available / 0 == 1");
	id = create(&l);
	refused(id, alice, POINTS_ENOTELIGIBLE, "the condition 'available / 0 "
	    "== 1' fails: ");
	l = def("not bool", 0, 1);
	prize(&l, POINTS_PRIZE_CUSTOM, "mug", 1, 100, 0);
	strcpy(l.condition, "available + 1");
	id = create(&l);
	refused(id, alice, POINTS_ENOTELIGIBLE, "is not true or false");
	l = def("attrs", 0, 1);
	prize(&l, POINTS_PRIZE_CUSTOM, "mug", 1, 100, 0);
	strcpy(l.condition, "account.attrs.site == 'Shanghai'");
	id = create(&l);
	refused(id, alice, POINTS_ENOTELIGIBLE, "fails: ");
	ck_assert_int_eq(points_account_attr_set(db, alice, "site",
	    "Shanghai"), POINTS_OK);
	draw(id, alice, NULL);
}
END_TEST

/* A lottery stored by format 1 (a version-1 record: no tiers,
 * departments or condition) reads and draws as before. */
START_TEST(test_version1_record_reads)
{
	points_lottery_def l = def("old", 10, 1);
	points_store *s = tu_store(db);
	struct points_keyspace *ks = tu_keyspace(db, "lotteries");
	points_lottery got;
	unsigned char k[8], buf[4096];
	const void *v;
	size_t vl;
	int64_t id;

	prize(&l, POINTS_PRIZE_CUSTOM, "mug", 1, 100, 0);
	id = create(&l);
	points_codec__put_be64(k, (uint64_t)id);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->get(s, ks, k, 8, &v, &vl), POINTS_OK);
	ck_assert_uint_le(vl, sizeof(buf));
	memcpy(buf, v, vl);
	/* version 4 ends in three empty strings, a zero length each, no
	 * participants yet (a zero) and the prize's empty SKU */
	ck_assert_int_eq(buf[0], 4);
	ck_assert_int_eq(buf[vl - 1] | buf[vl - 2] | buf[vl - 3] |
	    buf[vl - 4] | buf[vl - 5], 0);
	/* version 3 (no SKUs) reads on */
	buf[0] = 3;
	ck_assert_int_eq(s->put(s, ks, k, 8, buf, vl - 1), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	ck_assert_int_eq(points_lottery_get(db, id, &got), POINTS_OK);
	ck_assert_str_eq(got.name, "old");
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	buf[0] = 1;
	ck_assert_int_eq(s->put(s, ks, k, 8, buf, vl - 5), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	ck_assert_int_eq(points_lottery_get(db, id, &got), POINTS_OK);
	ck_assert_str_eq(got.name, "old");
	ck_assert_str_eq(got.tiers, "");
	ck_assert_str_eq(got.condition, "");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(draw(id, alice, NULL).number, 1);
	/* written again as version 4 */
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->get(s, ks, k, 8, &v, &vl), POINTS_OK);
	ck_assert_int_eq(((const unsigned char *)v)[0], 4);
	s->rollback(s);
}
END_TEST

/* Lottery ids end at 2^31 - 1 (a draw's key holds the id in 31 bits):
 * the last is made and drawn in, the next is refused with nothing
 * written, and an id past 31 bits names no lottery's draws (its key
 * would be another's). */
START_TEST(test_lottery_ids_end_at_31_bits)
{
	points_lottery_def l = def("last", 0, 1);
	points_store *s = tu_store(db);
	points_lottery_draw w;
	points_lottery_draw_iterator *it;
	unsigned char idb[8];
	int64_t id, past;

	prize(&l, POINTS_PRIZE_CUSTOM, "pen", 1, 100, 0);
	points_codec__put_be64(idb, INT32_MAX - 1);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, tu_keyspace(db, "lottery"), "n", 1, idb,
	    8), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	id = create(&l);
	ck_assert_int_eq(id, INT32_MAX);
	ck_assert_int_eq(draw(id, alice, NULL).number, 1);
	ck_assert_int_eq(points_lottery_draw_get(db, id, 1, &w), POINTS_OK);
	ck_assert_int_eq(w.account, alice);
	tu_snap(db);
	ck_assert_int_eq(points_lottery_create(db, &l, &past), POINTS_ELIMIT);
	ck_assert_msg(strstr(points_errmsg(db), "lottery 'last': no more "
	    "than 2147483647 lotteries"), "%s", points_errmsg(db));
	tu_unchanged(db);
	tu_snap_free();
	/* id + 2^32 shares draw 1's key bits past the top: no draw */
	past = id + ((int64_t)1 << 32);
	ck_assert_int_eq(points_lottery_draw_get(db, past, 1, &w),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(points_lottery_draw_get(db, id,
	    1 + ((int64_t)1 << 32), &w), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_lottery_draw_iterator_new(db, past, 0, 0,
	    &it), POINTS_OK);
	ck_assert_int_eq(points_lottery_draw_next(it, &w), POINTS_ITEROVER);
	points_lottery_draw_iterator_free(it);
	ck_assert_int_eq(points_lottery_draw_once(db, past, alice, NULL, &w),
	    POINTS_ENOTFOUND);
}
END_TEST

/* Rewrite the stored outcome of draw n of lottery id. */
static void
alter_draw(int64_t id, int64_t n, int outcome)
{
	points_store *s = tu_store(db);
	struct points_keyspace *ks = tu_keyspace(db, "lotterydraw");
	points_lottery_draw w;
	unsigned char k[8];
	points_buf b;

	ck_assert_int_eq(points_lottery_draw_get(db, id, n, &w), POINTS_OK);
	points_lottery__draw_key(k, id, n);
	points_buf__init(&b);
	points_buf__u8(&b, 1);
	points_buf__svar(&b, w.account);
	points_buf__svar(&b, w.time);
	points_buf__svar(&b, outcome);
	points_buf__svar(&b, w.cost);
	points_buf__svar(&b, w.credited);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, ks, k, 8, b.data, b.len), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	points_buf__free(&b);
}

/* Write lottery id's published data (points_lottery(3)) to a file and
 * run the standard-library audit of examples/lottery_audit.py on it:
 * its exit status, its first line of output in line. */
static int
independent_audit(int64_t id, char *line, size_t cap)
{
	char path[] = "/tmp/lottery_auditXXXXXX", cmd[256];
	points_lottery l;
	points_lottery_prize pz;
	points_lottery_draw w;
	FILE *f, *p;
	int64_t n;
	int i, fd, st;

	ck_assert_int_eq(points_lottery_get(db, id, &l), POINTS_OK);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "{\"lottery\": %lld, \"seed\": \"%s\", "
	    "\"commitment\": \"%s\", \"lose_weight\": %lld, "
	    "\"prizes\": [", (long long)id, l.seed, l.commitment,
	    (long long)l.lose_weight);
	for (i = 0; i < l.nprizes; i++) {
		ck_assert_int_eq(points_lottery_prize_get(db, id, i, &pz),
		    POINTS_OK);
		fprintf(f, "%s{\"weight\": %lld, \"initial\": %lld}",
		    i ? ", " : "", (long long)pz.weight,
		    (long long)pz.initial);
	}
	fprintf(f, "], \"draws\": [");
	for (n = 1; n <= l.draws; n++) {
		ck_assert_int_eq(points_lottery_draw_get(db, id, n, &w),
		    POINTS_OK);
		fprintf(f, "%s[%lld, %d]", n > 1 ? ", " : "", (long long)n,
		    w.outcome);
	}
	fprintf(f, "]}\n");
	ck_assert_int_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "python3 examples/lottery_audit.py %s",
	    path);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	line[0] = 0;
	if (!fgets(line, (int)cap, p))
		line[0] = 0;
	st = pclose(p);
	unlink(path);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* 10,000 draws audited; one altered in the store is caught by number. */
START_TEST(test_audit_catches_altered_draw)
{
	points_lottery_def l = def("audit", 0, 80);
	points_lottery_draw w;
	char line[256];
	int64_t id, n, bad;

	prize(&l, POINTS_PRIZE_CUSTOM, "a", 5, 200, 0);
	prize(&l, POINTS_PRIZE_CUSTOM, "b", 15, 10000, 0);
	id = create(&l);
	for (n = 1; n <= 10000; n++)
		draw(id, 1 + n % 3 == 1 ? alice : n % 3 == 1 ? bob : carol,
		    NULL);
	/* the audit needs the seed: refused while open */
	ck_assert_int_eq(points_lottery_audit(db, id, &bad), POINTS_ESTATE);
	ck_assert_int_eq(points_lottery_close(db, id), POINTS_OK);
	ck_assert_int_eq(points_lottery_audit(db, id, &bad), POINTS_OK);
	ck_assert_int_eq(bad, 0);
	/* the independent audit agrees */
	ck_assert_msg(independent_audit(id, line, sizeof(line)) == 0, "%s",
	    line);
	ck_assert_msg(strstr(line, "10000 draws agree"), "%s", line);
	/* draw 7,777 altered to another outcome */
	ck_assert_int_eq(points_lottery_draw_get(db, id, 7777, &w), POINTS_OK);
	alter_draw(id, 7777, w.outcome == 0 ? 1 : 0);
	ck_assert_int_eq(points_lottery_audit(db, id, &bad), POINTS_ECORRUPT);
	ck_assert_int_eq(bad, 7777);
	ck_assert_msg(strstr(points_errmsg(db), "draw 7777 is stored as"),
	    "%s", points_errmsg(db));
	ck_assert_int_eq(independent_audit(id, line, sizeof(line)), 1);
	ck_assert_msg(strstr(line, "draw 7777: published"), "%s", line);
	/* put back: clean again */
	alter_draw(id, 7777, w.outcome);
	ck_assert_int_eq(points_lottery_audit(db, id, &bad), POINTS_OK);
}
END_TEST

/* The independent audit agrees where the mapping rejects values: a
 * total near 2^64 / 4.99, a fixed seed. */
START_TEST(test_independent_audit_rejections)
{
	points_lottery_def l = def("big weights", 0, 0);
	char line[256];
	int64_t id, n;

	points_lottery__seed_hook = fixed_seed;
	prize(&l, POINTS_PRIZE_CUSTOM, "a", (int64_t)1 << 61, 1000, 0);
	prize(&l, POINTS_PRIZE_CUSTOM, "b",
	    3697000000000000000LL - ((int64_t)1 << 61), 1000, 0);
	id = create(&l);
	for (n = 1; n <= 300; n++)
		draw(id, bob, NULL);
	ck_assert_int_eq(points_lottery_close(db, id), POINTS_OK);
	ck_assert_int_eq(points_lottery_audit(db, id, NULL), POINTS_OK);
	ck_assert_msg(independent_audit(id, line, sizeof(line)) == 0, "%s",
	    line);
}
END_TEST

/* Pearson's statistic of counts against expected shares w/total. */
static double
chi2(const int64_t *count, const int64_t *w, int k, int64_t total, int64_t n)
{
	double x = 0, e;
	int i;

	for (i = 0; i < k; i++) {
		e = (double)n * (double)w[i] / (double)total;
		x += ((double)count[i] - e) * ((double)count[i] - e) / e;
	}
	return x;
}

/* 1% / 10% / 89% over 100,000 draws, a fixed seed: within the
 * chi-square bound of 2 degrees of freedom at p = 0.001 (13.82). */
START_TEST(test_odds)
{
	points_lottery_def l = def("odds", 0, 89);
	int64_t id, n, count[3] = { 0 }, w[3] = { 1, 10, 89 };
	double x;

	points_lottery__seed_hook = fixed_seed;
	prize(&l, POINTS_PRIZE_CUSTOM, "1%", 1, 100000, 0);
	prize(&l, POINTS_PRIZE_CUSTOM, "10%", 10, 100000, 0);
	id = create(&l);
	for (n = 1; n <= 100000; n++) {
		int o = draw(id, alice, NULL).outcome;

		count[o == POINTS_LOTTERY_LOSE ? 2 : o]++;
	}
	x = chi2(count, w, 3, 100, 100000);
	ck_assert_msg(x < 13.82, "chi-square %.2f: %lld %lld %lld", x,
	    (long long)count[0], (long long)count[1], (long long)count[2]);
}
END_TEST

/* The mapping has no modulo bias: a total of 3 with 2^64 mod 3 = 1, the
 * rejected value never chosen.  A direct check over many numbers of the
 * pick against a recomputation with Python's rules is in the example's
 * test; here the statistic of a total that is no power of two. */
START_TEST(test_pick_no_prize_left)
{
	unsigned char seed[32] = { 0 };
	int64_t w[2] = { 1, 2 }, s[2] = { 0, 0 };

	ck_assert_int_eq(points_lottery__pick(seed, 1, 1, w, s, 2, 0), -1);
	ck_assert_int_eq(points_lottery__pick(seed, 1, 1, w, s, 2, 5), 2);
	s[1] = 1;
	ck_assert_int_eq(points_lottery__pick(seed, 1, 1, w, s, 2, 0), 1);
}
END_TEST

/* The scheme of points_lottery(3), written again from the page: value
 * attempt of draw number is the first 8 bytes (big-endian) of
 * BLAKE2b-128 keyed with the seed of id | number (be64 each) | attempt
 * (be32); values >= 2^64 - (2^64 mod total) are rejected. */
static int
reference_pick(const unsigned char seed[32], int64_t id, int64_t number,
    const int64_t *w, int n, int *retries)
{
	unsigned char msg[20], out[16];
	unsigned __int128 two64 = (unsigned __int128)1 << 64;
	uint64_t total = 0, x;
	uint32_t attempt = 0;
	int i;

	for (i = 0; i < n; i++)
		total += (uint64_t)w[i];
	for (;; attempt++) {
		points_codec__put_be64(msg, (uint64_t)id);
		points_codec__put_be64(msg + 8, (uint64_t)number);
		points_codec__put_be32(msg + 16, attempt);
		crypto_generichash(out, 16, msg, 20, seed, 32);
		x = points_codec__get_be64(out);
		if ((unsigned __int128)x < two64 - two64 % total)
			break;
		(*retries)++;
	}
	x %= total;
	for (i = 0; x >= (uint64_t)w[i]; i++)
		x -= (uint64_t)w[i];
	return i;
}

/* No modulo bias: weights whose total leaves 2^64 mod total near a fifth
 * of 2^64, so about one value in five is rejected; every pick agrees
 * with the reference, which rejected some. */
START_TEST(test_mapping_rejects)
{
	unsigned char seed[32];
	int64_t w[2], s[2] = { 1, 1 }, n;
	int retries = 0;

	fixed_seed(seed);
	w[0] = (int64_t)1 << 61;               /* total about 2^64 / 4.99 */
	w[1] = 3697000000000000000LL - w[0];
	for (n = 1; n <= 2000; n++)
		ck_assert_int_eq(points_lottery__pick(seed, 42, n, w, s, 2, 0),
		    reference_pick(seed, 42, n, w, 2, &retries));
	ck_assert_int_gt(retries, 200);
}
END_TEST

/* A prize runs out: it is never drawn again, and the others keep their
 * weights relative to each other (10 : 30, within a chi-square bound). */
START_TEST(test_prize_runs_out)
{
	points_lottery_def l = def("runs out", 0, 0);
	points_lottery_prize got, p1, p2;
	int64_t id, n, after = 0, count[2] = { 0 }, w[2] = { 10, 30 };
	int o, out = 0;
	double x;

	points_lottery__seed_hook = fixed_seed;
	prize(&l, POINTS_PRIZE_CUSTOM, "hot", 60, 20, 0);
	prize(&l, POINTS_PRIZE_CUSTOM, "b", 10, 100000, 0);
	prize(&l, POINTS_PRIZE_CUSTOM, "c", 30, 100000, 0);
	id = create(&l);
	for (n = 1; n <= 20000; n++) {
		o = draw(id, alice, NULL).outcome;
		if (out) {
			ck_assert_int_ne(o, 0);
			count[o - 1]++;
			after++;
		} else if (o == 0) {
			ck_assert_int_eq(points_lottery_prize_get(db, id, 0,
			    &got), POINTS_OK);
			out = got.stock == 0;
		}
	}
	ck_assert(out);
	ck_assert_int_gt(after, 19000);
	x = chi2(count, w, 2, 40, after);
	ck_assert_msg(x < 10.83, "chi-square %.2f: %lld %lld", x,
	    (long long)count[0], (long long)count[1]);
	ck_assert_int_eq(points_lottery_prize_get(db, id, 0, &got), POINTS_OK);
	ck_assert_int_eq(points_lottery_prize_get(db, id, 1, &p1), POINTS_OK);
	ck_assert_int_eq(points_lottery_prize_get(db, id, 2, &p2), POINTS_OK);
	ck_assert_int_eq(got.stock, 0);
	ck_assert_int_eq(got.initial, 20);
	ck_assert_int_eq(p1.stock + p2.stock, 200000 - (20000 - 20));
	ck_assert_int_eq(points_lottery_prize_get(db, id, 3, &p1),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(points_lottery_close(db, id), POINTS_OK);
	ck_assert_int_eq(points_lottery_audit(db, id, NULL), POINTS_OK);
}
END_TEST

/* A consolation credits points on a losing draw. */
START_TEST(test_consolation)
{
	points_lottery_def l = def("consolation", 10, 1);
	points_lottery_draw w;
	int64_t id;

	l.consolation = 3;
	prize(&l, POINTS_PRIZE_CUSTOM, "p", 1, 1, 0);
	id = create(&l);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 100, NULL), POINTS_OK);
	/* until the prize is won, a losing draw consoles; after, every
	 * draw loses and consoles */
	do {
		w = draw(id, alice, NULL);
		ck_assert_int_eq(w.credited, w.outcome == POINTS_LOTTERY_LOSE ?
		    3 : 0);
	} while (w.outcome != 0);
	w = draw(id, alice, NULL);
	ck_assert_int_eq(w.outcome, POINTS_LOTTERY_LOSE);
	ck_assert_int_eq(w.credited, 3);
}
END_TEST

/* Catalogue item sku with stock units. */
static void
catalogue(const char *sku, int64_t stock)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_item it;

	d.sku = sku;
	d.name = "A tablet";
	d.category = "physical";
	d.asset = "PTS";
	d.price = 1000;
	d.stock = stock;
	d.actor = "admin";
	ck_assert_msg(points_item_create(db, &d, &it) == POINTS_OK, "%s",
	    points_errmsg(db));
}

static int64_t
item_stock(const char *sku)
{
	points_item it;

	ck_assert_int_eq(points_item_get(db, sku, &it), POINTS_OK);
	return it.stock;
}

/* An item prize: its units leave the catalogue at creation, each win
 * is an approved order at 0 points the host ships and delivers, and
 * close gives back the units nobody won. */
START_TEST(test_item_prize)
{
	points_lottery_def l = def("items", 50, 1);
	points_lottery_prize got;
	points_lottery_draw w, again;
	points_order o;
	points_outbox_event e;
	int64_t id, n, wins = 0, before, after = 0;
	char first[POINTS_ID_LEN + 1] = "", want[512];

	points_lottery__seed_hook = fixed_seed;
	catalogue("TAB", 5);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10000, NULL), POINTS_OK);
	prize(&l, POINTS_PRIZE_ITEM, "tablet", 1, 3, 0);
	strcpy(l.prizes[0].sku, "TAB");
	id = create(&l);
	ck_assert_int_eq(item_stock("TAB"), 2);
	ck_assert_int_eq(points_lottery_prize_get(db, id, 0, &got), POINTS_OK);
	ck_assert_str_eq(got.sku, "TAB");
	while (points_outbox_next(db, after, &e) == POINTS_OK)
		after = e.seq;
	for (n = 1; wins < 2; n++) {
		before = tu_available(db, alice, "PTS");
		w = draw(id, alice, n == 1 ? "k1" : NULL);
		ck_assert_int_eq(tu_available(db, alice, "PTS"), before - 50);
		ck_assert_int_eq(item_stock("TAB"), 2);
		if (w.outcome != 0) {
			ck_assert_str_eq(w.order_id, "");
			continue;
		}
		wins++;
		ck_assert_int_eq(w.credited, 0);
		/* the order's event, then the win's, naming the order */
		ck_assert_int_eq(points_outbox_next(db, after, &e), POINTS_OK);
		ck_assert_str_eq(e.kind, POINTS_OUTBOX_ORDER_STATE);
		ck_assert_str_eq(e.subject, w.order_id);
		ck_assert_int_eq(points_outbox_next(db, e.seq, &e), POINTS_OK);
		ck_assert_str_eq(e.kind, POINTS_OUTBOX_LOTTERY_WON);
		snprintf(want, sizeof(want), "{\"lottery\":%lld,\"name\":"
		    "\"items\",\"draw\":%lld,\"account\":\"E1001\",\"prize\":0,"
		    "\"label\":\"tablet\",\"kind\":\"item\",\"credited\":0,"
		    "\"sku\":\"TAB\",\"order\":\"%s\"}", (long long)id,
		    (long long)n, w.order_id);
		ck_assert_str_eq(e.data, want);
		after = e.seq;
		ck_assert_int_eq(points_order_get(db, w.order_id, &o),
		    POINTS_OK);
		ck_assert_int_eq(o.state, POINTS_ORDER_APPROVED);
		ck_assert_int_eq(o.amount, 0);
		ck_assert_int_eq(o.quantity, 1);
		ck_assert_int_eq(o.account, alice);
		ck_assert_str_eq(o.sku, "TAB");
		ck_assert_int_eq(points_lottery_draw_get(db, id, n, &again),
		    POINTS_OK);
		ck_assert_str_eq(again.order_id, w.order_id);
		if (!first[0])
			strcpy(first, w.order_id);
		else
			ck_assert_str_ne(first, w.order_id);
		if (n == 1) {
			again = draw(id, alice, "k1");
			ck_assert(again.replayed);
			ck_assert_str_eq(again.order_id, w.order_id);
		}
	}
	ck_assert_int_eq(points_lottery_prize_get(db, id, 0, &got), POINTS_OK);
	ck_assert_int_eq(got.stock, 1);
	/* the host ships and delivers the first */
	ck_assert_msg(points_order_ship(db, first, "DHL", "T1", "admin", NULL,
	    &o) == POINTS_OK, "%s", points_errmsg(db));
	ck_assert_msg(points_order_deliver(db, first, "admin", NULL, &o) ==
	    POINTS_OK, "%s", points_errmsg(db));
	ck_assert_int_eq(o.state, POINTS_ORDER_DELIVERED);
	/* the second cancelled: its unit back to the catalogue, no points */
	before = tu_available(db, alice, "PTS");
	ck_assert_msg(points_order_cancel(db, w.order_id, "admin", "gone",
	    &o) == POINTS_OK, "%s", points_errmsg(db));
	ck_assert_int_eq(o.state, POINTS_ORDER_CANCELLED);
	ck_assert_int_eq(item_stock("TAB"), 3);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), before);
	/* the unit nobody won goes back */
	ck_assert_int_eq(points_lottery_close(db, id), POINTS_OK);
	ck_assert_int_eq(item_stock("TAB"), 4);
	ck_assert_int_eq(points_lottery_audit(db, id, NULL), POINTS_OK);
}
END_TEST

/* An item prize's refusals name the lottery, the prize and the SKU,
 * and write nothing. */
START_TEST(test_item_prize_refusals)
{
	points_lottery_def l = def("bad items", 0, 1);
	int64_t id;

	catalogue("TAB", 2);
	prize(&l, POINTS_PRIZE_CUSTOM, "mug", 1, 1, 0);
	prize(&l, POINTS_PRIZE_ITEM, "tablet", 1, 3, 0);
	strcpy(l.prizes[1].sku, "NOPE");
	tu_snap(db);
	ck_assert_int_eq(points_lottery_create(db, &l, &id), POINTS_ENOTFOUND);
	ck_assert_msg(strstr(points_errmsg(db), "'bad items': prize 1: no "
	    "item 'NOPE'"), "%s", points_errmsg(db));
	tu_unchanged(db);
	strcpy(l.prizes[1].sku, "TAB");
	ck_assert_int_eq(points_lottery_create(db, &l, &id),
	    POINTS_EOUTOFSTOCK);
	ck_assert_msg(strstr(points_errmsg(db), "'bad items': prize 1: item "
	    "'TAB' has 2 units, not 3"), "%s", points_errmsg(db));
	tu_unchanged(db);
	strcpy(l.prizes[1].sku, "");
	ck_assert_int_eq(points_lottery_create(db, &l, &id), POINTS_EINVAL);
	tu_unchanged(db);
	l.prizes[1].stock = 2;
	strcpy(l.prizes[1].sku, "TAB");
	strcpy(l.prizes[0].sku, "TAB");
	ck_assert_int_eq(points_lottery_create(db, &l, &id), POINTS_EINVAL);
	ck_assert_msg(strstr(points_errmsg(db), "prize 0: only an item "
	    "prize names a SKU"), "%s", points_errmsg(db));
	tu_unchanged(db);
	tu_snap_free();
	ck_assert_int_eq(item_stock("TAB"), 2);
	/* a bundle cannot be a prize */
	catalogue("KIT", 5);
	{
		points_item kit;

		ck_assert_int_eq(points_bundle_set_part(db, "KIT", "TAB", 1,
		    "admin", NULL, &kit), POINTS_OK);
	}
	strcpy(l.prizes[0].sku, "");
	strcpy(l.prizes[1].sku, "KIT");
	tu_snap(db);
	ck_assert_int_eq(points_lottery_create(db, &l, &id), POINTS_EINVAL);
	ck_assert_msg(strstr(points_errmsg(db), "'bad items': prize 1: item "
	    "'KIT' is a bundle: it cannot be a prize"), "%s",
	    points_errmsg(db));
	tu_unchanged(db);
	tu_snap_free();
	ck_assert_int_eq(item_stock("KIT"), 5);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("lottery");
	TCase *tc = tcase_create("lottery");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_anniversary);
	tcase_add_test(tc, test_idempotent);
	tcase_add_test(tc, test_insufficient);
	tcase_add_test(tc, test_bad_definitions);
	tcase_add_test(tc, test_draw_refusals);
	tcase_add_test(tc, test_audit_catches_altered_draw);
	tcase_add_test(tc, test_odds);
	tcase_add_test(tc, test_independent_audit_rejections);
	tcase_add_test(tc, test_pick_no_prize_left);
	tcase_add_test(tc, test_mapping_rejects);
	tcase_add_test(tc, test_prize_runs_out);
	tcase_add_test(tc, test_consolation);
	tcase_add_test(tc, test_item_prize);
	tcase_add_test(tc, test_item_prize_refusals);
	tcase_add_test(tc, test_eligibility);
	tcase_add_test(tc, test_eligibility_condition_errors);
	tcase_add_test(tc, test_version1_record_reads);
	tcase_add_test(tc, test_lottery_ids_end_at_31_bits);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
