/* check_lottery_results.c - what a lottery tells afterwards: its results
 * (participants, draws, wins, points collected and credited), the draws
 * of a lottery and of an account, the outbox's events of wins; an older
 * ledger's draws listed by account after the upgrade; a format 3
 * ledger's lotteries and draws moved to their keyspaces; the audit of a
 * draw gone missing; and a seeded random lottery against a model written
 * from points_lottery_create(3), compared after every step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "util/codec.h"
#include "activity/lottery.h"

static points_db *db;
static int64_t alice, bob, carol;

static void
fixed_seed(unsigned char seed[32])
{
	int i;

	for (i = 0; i < 32; i++)
		seed[i] = (unsigned char)(7 * i + 1);
}

static void
setup(void)
{
	tu_now = TU_T0 + 10 * 3600;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	carol = tu_account(db, "E1003");
	points_lottery__seed_hook = fixed_seed;
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
draw(int64_t id, int64_t acct)
{
	points_lottery_draw w;

	ck_assert_msg(points_lottery_draw_once(db, id, acct, NULL, &w) ==
	    POINTS_OK, "%s", points_errmsg(db));
	return w;
}

/* The draws an iterator gives, into out (max); their count. */
static size_t
list(int64_t lottery, int64_t account, unsigned flags,
    points_lottery_draw *out, size_t max)
{
	points_lottery_draw_iterator *it = NULL;
	size_t n = 0;
	int rc;

	ck_assert_msg(points_lottery_draw_iterator_new(db, lottery, account,
	    flags, &it) == POINTS_OK, "%s", points_errmsg(db));
	while ((rc = points_lottery_draw_next(it, &out[n])) == POINTS_OK)
		ck_assert_uint_lt(++n, max);
	ck_assert_msg(rc == POINTS_ITEROVER, "%s", points_errmsg(db));
	points_lottery_draw_iterator_free(it);
	return n;
}

/* Two lotteries; alice draws 100 times in the first and 3 in the second,
 * bob 50 in the first: results, lists by lottery and account, wins. */
START_TEST(test_results_and_lists)
{
	points_lottery_def l = def("spring", 10, 6), m = def("summer", 0, 0);
	points_lottery_results r;
	points_lottery_draw w, got[400];
	points_lottery_prize p;
	int64_t a, b, i, wins = 0, credited = 0;
	size_t n, k;

	prize(&l, POINTS_PRIZE_POINTS, "50 points", 3, 10, 50);
	prize(&l, POINTS_PRIZE_CUSTOM, "mug", 1, 5, 0);
	l.consolation = 1;
	prize(&m, POINTS_PRIZE_CUSTOM, "pen", 1, 100, 0);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5000, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 5000, NULL), POINTS_OK);
	a = create(&l);
	b = create(&m);
	for (i = 0; i < 150; i++) {
		w = draw(a, i % 3 == 2 ? bob : alice);
		wins += w.outcome >= 0;
		credited += w.credited;
	}
	for (i = 0; i < 3; i++)
		draw(b, alice);
	ck_assert_int_eq(points_lottery_results_get(db, a, &r), POINTS_OK);
	ck_assert_int_eq(r.lottery, a);
	ck_assert_int_eq(r.state, POINTS_LOTTERY_OPEN);
	ck_assert_int_eq(r.participants, 2);
	ck_assert_int_eq(r.draws, 150);
	ck_assert_int_eq(r.wins, wins);
	ck_assert_int_eq(r.collected, 1500);
	ck_assert_int_eq(r.credited, credited);
	/* every unit of the prizes was won within 150 draws at these
	 * weights (the seed is fixed) */
	ck_assert_int_eq(points_lottery_prize_get(db, a, 0, &p), POINTS_OK);
	ck_assert_int_eq(p.stock, 0);
	ck_assert_int_eq(wins, 15);
	/* the lottery's draws by number */
	n = list(a, 0, 0, got, 400);
	ck_assert_uint_eq(n, 150);
	for (k = 0; k < n; k++) {
		ck_assert_int_eq(got[k].lottery, a);
		ck_assert_int_eq(got[k].number, (int64_t)k + 1);
		ck_assert_int_eq(got[k].account, k % 3 == 2 ? bob : alice);
	}
	/* its winning draws */
	n = list(a, 0, POINTS_DRAWS_WON, got, 400);
	ck_assert_uint_eq(n, 15);
	for (k = 0; k < n; k++)
		ck_assert_int_ge(got[k].outcome, 0);
	/* alice's draws in every lottery: 100 in a, then 3 in b, each
	 * lottery's newest first */
	n = list(0, alice, 0, got, 400);
	ck_assert_uint_eq(n, 103);
	ck_assert_int_eq(got[0].number, 149);
	ck_assert_int_eq(got[99].lottery, a);
	ck_assert_int_eq(got[99].number, 1);
	ck_assert_int_eq(got[100].lottery, b);
	ck_assert_int_eq(got[100].number, 3);
	ck_assert_int_eq(got[102].number, 1);
	for (k = 1; k < 100; k++) {
		ck_assert_int_lt(got[k].number, got[k - 1].number);
		ck_assert_int_eq(got[k].account, alice);
	}
	/* and in b alone; bob's in b: none */
	ck_assert_uint_eq(list(b, alice, 0, got, 400), 3);
	ck_assert_uint_eq(list(b, bob, 0, got, 400), 0);
	ck_assert_uint_eq(list(0, carol, 0, got, 400), 0);
	/* results of b; an unknown lottery */
	ck_assert_int_eq(points_lottery_results_get(db, b, &r), POINTS_OK);
	ck_assert_int_eq(r.participants, 1);
	ck_assert_int_eq(r.wins, 3);
	ck_assert_int_eq(r.collected, 0);
	ck_assert_int_eq(points_lottery_results_get(db, 99, &r),
	    POINTS_ENOTFOUND);
	ck_assert_msg(strstr(points_errmsg(db), "lottery 99 not found"), "%s",
	    points_errmsg(db));
}
END_TEST

START_TEST(test_list_refusals)
{
	points_lottery_draw_iterator *it = NULL;

	ck_assert_int_eq(points_lottery_draw_iterator_new(db, 0, 0, 0, &it),
	    POINTS_EINVAL);
	ck_assert_ptr_null(it);
	ck_assert_msg(strstr(points_errmsg(db), "name a lottery"), "%s",
	    points_errmsg(db));
	ck_assert_int_eq(points_lottery_draw_iterator_new(db, -1, 0, 0, &it),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_lottery_draw_iterator_new(db, 1, 0, 0x8, &it),
	    POINTS_EINVAL);
	ck_assert_msg(strstr(points_errmsg(db), "unknown flags 0x8"), "%s",
	    points_errmsg(db));
	ck_assert_int_eq(points_lottery_draw_iterator_new(db, 1, 0, 0, NULL),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_lottery_results_get(db, 1, NULL),
	    POINTS_EINVAL);
}
END_TEST

/* A winning draw tells the outbox; a losing one does not. */
START_TEST(test_wins_go_to_the_outbox)
{
	points_lottery_def l = def("outbox", 0, 1);
	points_outbox_event e;
	points_lottery_draw w;
	int64_t id, after = 0, wins = 0, seen = 0;
	char want[256];
	int i;

	prize(&l, POINTS_PRIZE_POINTS, "card", 1, 50, 20);
	id = create(&l);
	while (points_outbox_next(db, after, &e) == POINTS_OK)
		after = e.seq;
	for (i = 0; i < 40; i++) {
		w = draw(id, carol);
		if (w.outcome < 0)
			continue;
		wins++;
		ck_assert_int_eq(points_outbox_next(db, after, &e), POINTS_OK);
		after = e.seq;
		seen++;
		ck_assert_str_eq(e.kind, POINTS_OUTBOX_LOTTERY_WON);
		ck_assert_int_eq(e.account, carol);
		snprintf(want, sizeof(want), "lottery:%lld", (long long)id);
		ck_assert_str_eq(e.subject, want);
		snprintf(want, sizeof(want), "{\"lottery\":%lld,\"name\":"
		    "\"outbox\",\"draw\":%lld,\"account\":\"E1003\",\"prize\":0,"
		    "\"label\":\"card\",\"kind\":\"points\",\"credited\":20}",
		    (long long)id, (long long)w.number);
		ck_assert_str_eq(e.data, want);
	}
	/* losing draws wrote nothing */
	ck_assert_int_eq(points_outbox_next(db, after, &e), POINTS_ITEROVER);
	ck_assert_int_gt(wins, 5);
	ck_assert_int_lt(wins, 40);
	ck_assert_int_eq(seen, wins);
}
END_TEST

/* Lotteries ids[0..nl) as format 3 stored them: each record at 'l' |
 * id and its ndraws[i] draws at 'd' | id | n in keyspace "lottery"
 * (format 4 has them in keyspaces of their own), the module's format
 * 3. */
static void
to_format_3(const int64_t *ids, const int64_t *ndraws, int nl)
{
	points_store *s = tu_store(db);
	struct points_keyspace *ks = tu_keyspace(db, "lottery");
	struct points_keyspace *lks = tu_keyspace(db, "lotteries");
	struct points_keyspace *dks = tu_keyspace(db, "lotterydraw");
	unsigned char k[17], nk[8], buf[4096];
	const void *v;
	size_t vl;
	int64_t n;
	int i;

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	for (i = 0; i < nl; i++) {
		points_codec__put_be64(nk, (uint64_t)ids[i]);
		ck_assert_int_eq(s->get(s, lks, nk, 8, &v, &vl), POINTS_OK);
		ck_assert_uint_le(vl, sizeof(buf));
		memcpy(buf, v, vl);
		ck_assert_int_eq(s->del(s, lks, nk, 8), POINTS_OK);
		k[0] = 'l';
		points_codec__put_be64(k + 1, (uint64_t)ids[i]);
		ck_assert_int_eq(s->put(s, ks, k, 9, buf, vl), POINTS_OK);
		for (n = 1; n <= ndraws[i]; n++) {
			points_lottery__draw_key(nk, ids[i], n);
			ck_assert_int_eq(s->get(s, dks, nk, 8, &v, &vl),
			    POINTS_OK);
			ck_assert_uint_le(vl, sizeof(buf));
			memcpy(buf, v, vl);
			ck_assert_int_eq(s->del(s, dks, nk, 8), POINTS_OK);
			k[0] = 'd';
			points_codec__put_be64(k + 1, (uint64_t)ids[i]);
			points_codec__put_be64(k + 9, (uint64_t)n);
			ck_assert_int_eq(s->put(s, ks, k, 17, buf, vl),
			    POINTS_OK);
		}
	}
	ck_assert_int_eq(s->put(s, tu_keyspace(db, "meta"), "module:lottery",
	    14, "\x03", 1), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

/* How many keys keyspace name holds from lo (1 byte) up to hi (NULL
 * bounds: every key). */
static size_t
count_keys(const char *name, const char *lo, const char *hi)
{
	points_store *s = tu_store(db);
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl, n = 0;
	int rc;

	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->cursor_open(s, tu_keyspace(db, name), lo,
	    lo ? 1 : 0, hi, hi ? 1 : 0, 0, &c), POINTS_OK);
	while ((rc = s->cursor_next(s, c, &k, &kl, &v, &vl)) == POINTS_OK)
		n++;
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	s->cursor_close(s, c);
	s->rollback(s);
	return n;
}

/* Lottery id as format 2 stored it: version-1 draws (no previous draw),
 * the accounts' counts at 'a' | id | account (no last draw), a
 * version-2 record (no participants), the module's format 2. */
static void
to_format_2(int64_t id, int64_t draws, const int64_t *accts, int naccts)
{
	points_store *s = tu_store(db);
	struct points_keyspace *ks = tu_keyspace(db, "lottery");
	unsigned char k[17], ak[17], lk[9];
	points_lottery__count c;
	points_lottery_draw w[64];
	points_buf b;
	const void *v;
	size_t vl;
	int64_t n;
	int i;

	ck_assert_int_le(draws, 64);
	for (n = 1; n <= draws; n++)
		ck_assert_int_eq(points_lottery_draw_get(db, id, n, &w[n - 1]),
		    POINTS_OK);
	to_format_3(&id, &draws, 1);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	for (n = 1; n <= draws; n++) {
		k[0] = 'd';
		points_codec__put_be64(k + 1, (uint64_t)id);
		points_codec__put_be64(k + 9, (uint64_t)n);
		points_buf__init(&b);
		points_buf__u8(&b, 1);
		points_buf__svar(&b, w[n - 1].account);
		points_buf__svar(&b, w[n - 1].time);
		points_buf__svar(&b, w[n - 1].outcome);
		points_buf__svar(&b, w[n - 1].cost);
		points_buf__svar(&b, w[n - 1].credited);
		ck_assert_int_eq(s->put(s, ks, k, 17, b.data, b.len),
		    POINTS_OK);
		points_buf__free(&b);
	}
	for (i = 0; i < naccts; i++) {
		ck_assert_int_eq(s->get(s, ks, k, points_lottery__player_key(k,
		    accts[i], id), &v, &vl), POINTS_OK);
		ck_assert_int_eq(points_lottery__count_decode(db, id, accts[i],
		    v, vl, &c), POINTS_OK);
		ck_assert_int_eq(s->del(s, ks, k, 17), POINTS_OK);
		ak[0] = 'a';
		points_codec__put_be64(ak + 1, (uint64_t)id);
		points_codec__put_be64(ak + 9, (uint64_t)accts[i]);
		points_buf__init(&b);
		points_buf__svar(&b, c.total);
		points_buf__svar(&b, c.day);
		points_buf__svar(&b, c.today);
		ck_assert_int_eq(s->put(s, ks, ak, 17, b.data, b.len),
		    POINTS_OK);
		points_buf__free(&b);
	}
	lk[0] = 'l';
	points_codec__put_be64(lk + 1, (uint64_t)id);
	ck_assert_int_eq(s->get(s, ks, lk, 9, &v, &vl), POINTS_OK);
	{
		unsigned char buf[4096];

		memcpy(buf, v, vl);
		/* version 4 ends in the participants, one byte here, and
		 * the prize's empty SKU, one byte */
		ck_assert_int_eq(buf[0], 4);
		buf[0] = 2;
		ck_assert_int_eq(s->put(s, ks, lk, 9, buf, vl - 2), POINTS_OK);
	}
	ck_assert_int_eq(s->put(s, tu_keyspace(db, "meta"), "module:lottery",
	    14, "\x02", 1), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

START_TEST(test_older_draws_listed_after_the_upgrade)
{
	points_lottery_def l = def("old", 0, 1);
	points_lottery_draw got[64];
	points_lottery_results r;
	const char *uri = tu_sqlite_uri();
	int64_t id, both[2];
	int i;

	points_close(db);
	db = tu_open(uri);
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	prize(&l, POINTS_PRIZE_CUSTOM, "pen", 1, 100, 0);
	l.limit_total = 16;
	id = create(&l);
	for (i = 0; i < 30; i++)
		draw(id, i % 2 ? bob : alice);
	both[0] = alice;
	both[1] = bob;
	to_format_2(id, 30, both, 2);
	points_close(db);
	/* reopened: setup moves the counts, counts the participants and
	 * makes the keys of the 30 draws */
	db = tu_open_bare(uri);
	ck_assert_uint_eq(list(0, alice, 0, got, 64), 15);
	ck_assert_uint_eq(list(id, bob, 0, got, 64), 15);
	ck_assert_int_eq(got[0].number, 30);
	ck_assert_int_eq(got[14].number, 2);
	ck_assert_int_eq(points_lottery_results_get(db, id, &r), POINTS_OK);
	ck_assert_int_eq(r.participants, 2);
	ck_assert_int_eq(r.draws, 30);
	/* the counts moved: alice has one draw left of 16 */
	draw(id, alice);
	ck_assert_int_eq(points_lottery_draw_once(db, id, alice, NULL, &got[0]),
	    POINTS_EQUOTA);
	ck_assert_int_eq(points_lottery_results_get(db, id, &r), POINTS_OK);
	ck_assert_int_eq(r.participants, 2);
}
END_TEST

/* Format 3's lotteries and draws (in the one blob-keyed keyspace) move
 * to format 4's keyspaces when the ledger is opened, in chunks: 300
 * draws of one lottery and 5 of another take two chunks of 256; each
 * reads as before, the draws go on from their numbers, the audit
 * passes, and nothing is left at the old keys. */
START_TEST(test_format_3_ledger_upgrades)
{
	enum { NA = 300, NB = 5 };
	points_lottery_def l = def("big", 0, 3), m = def("small", 10, 1);
	static points_lottery_draw before[NA + NB + 2], after[NA + NB + 2],
	    mine[NA + NB + 2];
	points_lottery_results ra, rb, r;
	points_lottery_draw w;
	points_lottery got;
	const char *uri = tu_sqlite_uri();
	int64_t ids[2], nd[2] = { NA, NB }, accts[3], bad = -1;
	size_t na, i;
	const void *v;
	size_t vl;
	points_store *s;

	points_close(db);
	db = tu_open(uri);
	accts[0] = alice = tu_account(db, "E1001");
	accts[1] = bob = tu_account(db, "E1002");
	accts[2] = carol = tu_account(db, "E1003");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1000, NULL), POINTS_OK);
	prize(&l, POINTS_PRIZE_POINTS, "coins", 1, 1000, 5);
	prize(&l, POINTS_PRIZE_CUSTOM, "pen", 1, 1000, 0);
	prize(&m, POINTS_PRIZE_CUSTOM, "mug", 1, 10, 0);
	ids[0] = create(&l);
	ids[1] = create(&m);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	for (i = 0; i < NA; i++)
		draw(ids[0], accts[i % 3]);
	for (i = 0; i < NB; i++)
		draw(ids[1], alice);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	ck_assert_int_eq(points_lottery_results_get(db, ids[0], &ra),
	    POINTS_OK);
	ck_assert_int_eq(points_lottery_results_get(db, ids[1], &rb),
	    POINTS_OK);
	ck_assert_uint_eq(list(ids[0], 0, 0, before, NA + 1), NA);
	/* alice's draws: "big"'s newest first, then "small"'s */
	na = list(0, alice, 0, mine, NA + NB + 2);
	ck_assert_uint_eq(na, NA / 3 + NB);
	to_format_3(ids, nd, 2);
	ck_assert_uint_eq(count_keys("lottery", "d", "e"), NA + NB);
	ck_assert_uint_eq(count_keys("lottery", "l", "m"), 2);
	ck_assert_uint_eq(count_keys("lotterydraw", NULL, NULL), 0);
	points_close(db);

	db = tu_open_bare(uri);
	ck_assert_uint_eq(count_keys("lottery", "d", "e"), 0);
	ck_assert_uint_eq(count_keys("lottery", "l", "m"), 0);
	ck_assert_uint_eq(count_keys("lotterydraw", NULL, NULL), NA + NB);
	ck_assert_uint_eq(count_keys("lotteries", NULL, NULL), 2);
	s = tu_store(db);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->get(s, tu_keyspace(db, "meta"), "module:lottery",
	    14, &v, &vl), POINTS_OK);
	ck_assert_uint_eq(vl, 1);
	ck_assert_int_eq(*(const unsigned char *)v, 4);
	s->rollback(s);
	/* every draw as it was */
	ck_assert_uint_eq(list(ids[0], 0, 0, after, NA + 1), NA);
	for (i = 0; i < NA; i++) {
		ck_assert_int_eq(after[i].number, (int64_t)i + 1);
		ck_assert_int_eq(after[i].account, before[i].account);
		ck_assert_int_eq(after[i].outcome, before[i].outcome);
		ck_assert_int_eq(after[i].credited, before[i].credited);
		ck_assert_int_eq(after[i].time, before[i].time);
	}
	ck_assert_uint_eq(list(ids[1], alice, 0, after, NB + 1), NB);
	ck_assert_int_eq(after[0].number, NB);
	ck_assert_int_eq(after[0].cost, 10);
	ck_assert_uint_eq(list(0, alice, 0, after, NA + NB + 2), na);
	for (i = 0; i < na; i++) {
		ck_assert_int_eq(after[i].lottery, mine[i].lottery);
		ck_assert_int_eq(after[i].number, mine[i].number);
		ck_assert_int_eq(after[i].outcome, mine[i].outcome);
	}
	ck_assert_int_eq(after[0].lottery, ids[0]);
	ck_assert_int_eq(after[0].number, NA - 2);
	ck_assert_int_eq(after[NA / 3].lottery, ids[1]);
	ck_assert_int_eq(points_lottery_results_get(db, ids[0], &r),
	    POINTS_OK);
	ck_assert_mem_eq(&r, &ra, sizeof(r));
	ck_assert_int_eq(points_lottery_results_get(db, ids[1], &r),
	    POINTS_OK);
	ck_assert_mem_eq(&r, &rb, sizeof(r));
	ck_assert_int_eq(points_lottery_get(db, ids[1], &got), POINTS_OK);
	ck_assert_str_eq(got.name, "small");
	/* the draws go on, and the audit replays all of them */
	w = draw(ids[0], bob);
	ck_assert_int_eq(w.number, NA + 1);
	ck_assert_int_eq(points_lottery_draw_get(db, ids[0], NA + 1, &w),
	    POINTS_OK);
	ck_assert_int_eq(w.account, bob);
	ck_assert_int_eq(points_lottery_close(db, ids[0]), POINTS_OK);
	ck_assert_msg(points_lottery_audit(db, ids[0], &bad) == POINTS_OK,
	    "%s", points_errmsg(db));
	ck_assert_int_eq(bad, 0);
}
END_TEST

static int64_t
test_clock(void *ctx)
{
	(void)ctx;
	return tu_now;
}

/* In a batch, a draw that fails at each store call in turn (a fault at
 * call n) is undone alone, even after it stored its lottery: the next
 * draw of the batch reads the lottery as it was (its number follows
 * the last kept draw's), not the undone draw's; after the commit the
 * lottery counts the draws kept and the audit replays them. */
START_TEST(test_undone_draw_in_a_batch_leaves_no_trace)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_lottery_def l = def("faulty", 0, 2);
	points_store *inner, *fault;
	points_lottery_draw w;
	points_lottery_results r;
	int64_t id, n, kept = 0, bad = -1;
	int rc;

	points_close(db);
	ck_assert_int_eq(points_store_open("memory:", &inner), POINTS_OK);
	ck_assert_int_eq(points_store_fault_new(inner, &fault), POINTS_OK);
	o.clock = test_clock;
	ck_assert_int_eq(points_open_store(fault, &o, &db), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "PTS", 0,
	    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
	alice = tu_account(db, "E1001");
	prize(&l, POINTS_PRIZE_POINTS, "coins", 1, 1000, 5);
	id = create(&l);
	for (n = 1;; n++) {
		ck_assert_int_lt(n, 200);
		ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
		ck_assert_int_eq(draw(id, alice).number, ++kept);
		ck_assert_int_eq(points_store_fault_arm(fault, n, 0), POINTS_OK);
		rc = points_lottery_draw_once(db, id, alice, NULL, &w);
		ck_assert_int_eq(points_store_fault_arm(fault, 0, 0), POINTS_OK);
		if (rc == POINTS_OK)
			kept++;
		else
			ck_assert_int_eq(rc, POINTS_ESTORAGE);
		ck_assert_int_eq(draw(id, alice).number, ++kept);
		ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
		ck_assert_int_eq(points_lottery_results_get(db, id, &r),
		    POINTS_OK);
		ck_assert_int_eq(r.draws, kept);
		ck_assert_int_eq(r.participants, 1);
		if (rc == POINTS_OK)
			break;
	}
	ck_assert_int_eq(points_lottery_close(db, id), POINTS_OK);
	ck_assert_msg(points_lottery_audit(db, id, &bad) == POINTS_OK, "%s",
	    points_errmsg(db));
	tu_invariants(db);
	points_close(db);
	fault->close(fault);
	inner->close(inner);
	db = tu_open("memory:");
}
END_TEST

/* A draw deleted from the store: the audit names it. */
START_TEST(test_audit_names_a_missing_draw)
{
	points_lottery_def l = def("gap", 0, 1);
	points_store *s = tu_store(db);
	struct points_keyspace *ks = tu_keyspace(db, "lotterydraw");
	unsigned char k[8];
	int64_t id, bad;
	int i;

	prize(&l, POINTS_PRIZE_CUSTOM, "pen", 1, 100, 0);
	id = create(&l);
	for (i = 0; i < 20; i++)
		draw(id, alice);
	ck_assert_int_eq(points_lottery_close(db, id), POINTS_OK);
	points_lottery__draw_key(k, id, 12);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->del(s, ks, k, 8), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	ck_assert_int_eq(points_lottery_audit(db, id, &bad), POINTS_ECORRUPT);
	ck_assert_int_eq(bad, 12);
	ck_assert_msg(strstr(points_errmsg(db), "draw 12 is missing"), "%s",
	    points_errmsg(db));
	/* the last one gone: 19 stored, 20 made */
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	points_lottery__draw_key(k, id, 20);
	ck_assert_int_eq(s->del(s, ks, k, 8), POINTS_OK);
	points_lottery__draw_key(k, id, 12);
	ck_assert_int_eq(s->put(s, ks, k, 8, "\x01\x02\x00\x00\x00\x00", 6),
	    POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	ck_assert_int_eq(points_lottery_audit(db, id, &bad), POINTS_ECORRUPT);
	ck_assert_msg(strstr(points_errmsg(db), "draw 12") ||
	    strstr(points_errmsg(db), "19 draws stored, 20 made"), "%s",
	    points_errmsg(db));
}
END_TEST

/* ---- The model ---- */

enum { ACCTS = 4, STEPS = 400 };

struct model {
	int64_t avail[ACCTS];
	int64_t total[ACCTS], day[ACCTS], today[ACCTS];
	int64_t stock[3];
	int64_t draws, wins, collected, credited;
	points_lottery_draw log[STEPS];
};

START_TEST(test_random_lottery_matches_the_model)
{
	points_lottery_def l = def("model", 5 + _i % 3 * 10, 4);
	static struct model m;
	int64_t acct[ACCTS], id, w8[3], s8[3];
	points_lottery_draw got[STEPS + 1];
	unsigned char seed[32];
	int i, step;

	srand(20261205u + (unsigned)_i);
	memset(&m, 0, sizeof(m));
	l.min_balance = 20;
	l.limit_day = 4;
	l.limit_total = 60;
	l.consolation = _i % 2;
	prize(&l, POINTS_PRIZE_POINTS, "30 points", 2, 6, 30);
	prize(&l, POINTS_PRIZE_ITEM, "mug", 1, 3, 0);
	strcpy(l.prizes[1].sku, "MUG");
	prize(&l, POINTS_PRIZE_POINTS, "5 points", 3, 40, 5);
	{
		points_item_def d = POINTS_ITEM_DEF_INIT;
		points_item it;

		d.sku = "MUG";
		d.name = "A mug";
		d.category = "physical";
		d.asset = "PTS";
		d.price = 100;
		d.stock = 5;
		d.actor = "admin";
		ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
	}
	for (i = 0; i < 3; i++) {
		m.stock[i] = l.prizes[i].stock;
		w8[i] = l.prizes[i].weight;
	}
	acct[0] = alice;
	acct[1] = bob;
	acct[2] = carol;
	acct[3] = tu_account(db, "E1004");
	for (i = 0; i < ACCTS; i++) {
		int64_t amount = 10 + rand() % 300;

		ck_assert_int_eq(tu_earn(db, acct[i], "PTS", amount, NULL),
		    POINTS_OK);
		m.avail[i] = amount;
	}
	id = create(&l);
	fixed_seed(seed);
	for (step = 0; step < STEPS; step++) {
		int a = rand() % ACCTS, want, rc, o;
		int64_t day, now;
		points_lottery_draw w;
		points_lottery_results r;

		tu_now += rand() % (TU_DAY / 3);
		now = tu_now;
		if (rand() % 10 == 0) {
			int64_t amount = 1 + rand() % 100;

			ck_assert_int_eq(tu_earn(db, acct[a], "PTS", amount,
			    NULL), POINTS_OK);
			m.avail[a] += amount;
			continue;
		}
		/* what the documentation says of this draw */
		day = now / TU_DAY;
		if (m.day[a] != day)
			m.today[a] = 0;
		if (now >= l.ends)
			want = POINTS_EWINDOW;
		else if (m.avail[a] < l.min_balance)
			want = POINTS_ENOTELIGIBLE;
		else if (m.total[a] >= l.limit_total ||
		    m.today[a] >= l.limit_day)
			want = POINTS_EQUOTA;
		else if (m.avail[a] < l.cost)
			want = POINTS_EINSUFFICIENT;
		else
			want = POINTS_OK;
		rc = points_lottery_draw_once(db, id, acct[a], NULL, &w);
		ck_assert_msg(rc == want, "step %d: %d, want %d (%s)", step,
		    rc, want, points_errmsg(db));
		if (rc == POINTS_OK) {
			for (i = 0; i < 3; i++)
				s8[i] = m.stock[i];
			o = points_lottery__pick(seed, id, m.draws + 1, w8, s8,
			    3, l.lose_weight);
			o = o == 3 ? POINTS_LOTTERY_LOSE : o;
			ck_assert_int_eq(w.outcome, o);
			ck_assert_int_eq(w.number, m.draws + 1);
			/* the mug, an item prize, is a mall order */
			if (o == 1) {
				points_order ord;

				ck_assert_int_eq(points_order_get(db,
				    w.order_id, &ord), POINTS_OK);
				ck_assert_int_eq(ord.account, acct[a]);
				ck_assert_int_eq(ord.state,
				    POINTS_ORDER_APPROVED);
			} else
				ck_assert_str_eq(w.order_id, "");
			m.draws++;
			m.day[a] = day;
			m.today[a]++;
			m.total[a]++;
			m.avail[a] -= l.cost;
			m.collected += l.cost;
			if (o >= 0) {
				m.stock[o]--;
				m.wins++;
			}
			w.credited = o >= 0 ? l.prizes[o].amount :
			    l.consolation;
			m.avail[a] += w.credited;
			m.credited += w.credited;
			w.account = acct[a];
			m.log[m.draws - 1] = w;
		}
		for (i = 0; i < ACCTS; i++)
			ck_assert_int_eq(tu_available(db, acct[i], "PTS"),
			    m.avail[i]);
		/* the mugs not yet won stay reserved */
		{
			points_item it;

			ck_assert_int_eq(points_item_get(db, "MUG", &it),
			    POINTS_OK);
			ck_assert_int_eq(it.stock, 2);
		}
		ck_assert_int_eq(points_lottery_results_get(db, id, &r),
		    POINTS_OK);
		ck_assert_int_eq(r.draws, m.draws);
		ck_assert_int_eq(r.wins, m.wins);
		ck_assert_int_eq(r.collected, m.collected);
		ck_assert_int_eq(r.credited, m.credited);
		if (step % 25 == 0 || step == STEPS - 1) {
			size_t n = list(id, 0, 0, got, STEPS + 1), k, j;
			int64_t parts = 0;

			ck_assert_uint_eq(n, (size_t)m.draws);
			for (k = 0; k < n; k++) {
				ck_assert_int_eq(got[k].account,
				    m.log[k].account);
				ck_assert_int_eq(got[k].outcome,
				    m.log[k].outcome);
			}
			for (i = 0; i < ACCTS; i++) {
				n = list(0, acct[i], 0, got, STEPS + 1);
				ck_assert_uint_eq(n, (size_t)m.total[i]);
				parts += m.total[i] > 0;
				/* newest first */
				for (k = 0, j = (size_t)m.draws; j > 0; j--)
					if (m.log[j - 1].account == acct[i])
						ck_assert_int_eq(got[k++].number,
						    m.log[j - 1].number);
			}
			ck_assert_int_eq(r.participants, parts);
			ck_assert_uint_eq(list(id, 0, POINTS_DRAWS_WON, got,
			    STEPS + 1), (size_t)m.wins);
		}
	}
	/* closing gives back the mugs nobody won */
	{
		points_item it;

		ck_assert_int_eq(points_lottery_close(db, id), POINTS_OK);
		ck_assert_int_eq(points_item_get(db, "MUG", &it), POINTS_OK);
		ck_assert_int_eq(it.stock, 2 + m.stock[1]);
		ck_assert_int_eq(points_lottery_audit(db, id, NULL), POINTS_OK);
	}
}
END_TEST

static Suite *
lottery_results_suite(void)
{
	Suite *s = suite_create("lottery_results");
	TCase *tc = tcase_create("lottery_results");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_results_and_lists);
	tcase_add_test(tc, test_list_refusals);
	tcase_add_test(tc, test_wins_go_to_the_outbox);
	tcase_add_test(tc, test_older_draws_listed_after_the_upgrade);
	tcase_add_test(tc, test_format_3_ledger_upgrades);
	tcase_add_test(tc, test_undone_draw_in_a_batch_leaves_no_trace);
	tcase_add_test(tc, test_audit_names_a_missing_draw);
	tcase_add_loop_test(tc, test_random_lottery_matches_the_model, 0, 6);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(lottery_results_suite());
}
