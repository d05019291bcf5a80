/* check_settle.c - settlement between issuers: two shops, a budget pool
 * and the ledger's own issuer and sink on a small ledger with figures
 * worked out by hand; a seeded random ledger against a model that sums
 * the operations it made by party; what the call refuses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static points_db *db;
static int64_t alice, bob, shop_a, shop_b, pool;

#define DAY(d) (TU_T0 + (int64_t)(d) * TU_DAY + TU_DAY / 2)

static int64_t
system_account(const char *ext, unsigned flags)
{
	int64_t id;

	ck_assert_msg(points_account_create(db, ext, ext, flags, &id) ==
	    POINTS_OK, "%s", points_errmsg(db));
	return id;
}

static void
setup(void)
{
	points_posting p;
	points_txn t;

	tu_now = DAY(0);
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	shop_a = system_account("shop:A", POINTS_ACCOUNT_SYSTEM |
	    POINTS_ACCOUNT_ALLOW_NEGATIVE);
	shop_b = system_account("shop:B", POINTS_ACCOUNT_SYSTEM |
	    POINTS_ACCOUNT_ALLOW_NEGATIVE);
	pool = system_account("pool:sales", POINTS_ACCOUNT_POOL);
	p = tu_posting("PTS", pool, 1000000);
	ck_assert_int_eq(points_pool_fund(db, &p, &t), POINTS_OK);
}

static void
teardown(void)
{
	if (db) {
		tu_invariants(db);
		points_close(db);
	}
	db = NULL;
	tu_cleanup();
}

/* A posting between account and party (0: the issuer or the sink). */
static void
post(int type, int64_t account, int64_t party, int64_t amount,
    points_txn *t)
{
	points_posting p = tu_posting("PTS", account, amount);
	int rc;

	p.counterparty = party;
	rc = type == POINTS_TXN_EARN ? points_earn(db, &p, t) :
	    points_spend(db, &p, t);
	ck_assert_msg(rc == POINTS_OK, "%s", points_errmsg(db));
}

/* Held, then captured in whole into party. */
static void
capture_at(int64_t account, int64_t party, int64_t amount, points_txn *t)
{
	points_posting p = tu_posting("PTS", account, amount);
	points_txn h;

	ck_assert_int_eq(points_hold_create(db, &p, &h), POINTS_OK);
	ck_assert_msg(tu_capture(db, h.id, 0, party, NULL, t) == POINTS_OK,
	    "%s", points_errmsg(db));
}

static void
reverse(const char *id, int64_t amount, points_txn *t)
{
	ck_assert_msg(tu_reverse(db, id, amount, "returned", NULL, t) ==
	    POINTS_OK, "%s", points_errmsg(db));
}

/* The rows of the range, into rows (n at most max); their count. */
static size_t
settle(int64_t from, int64_t to, int64_t rp, int64_t rc_, points_settlement
    *rows, size_t max)
{
	points_settlement_iterator *it = NULL;
	size_t n = 0;
	int rc;

	ck_assert_msg(points_settlement_iterator_new(db, "PTS", from, to, rp,
	    rc_, &it) == POINTS_OK, "%s", points_errmsg(db));
	while ((rc = points_settlement_next(it, &rows[n])) == POINTS_OK)
		ck_assert_uint_lt(++n, max);
	ck_assert_msg(rc == POINTS_ITEROVER, "%s", points_errmsg(db));
	points_settlement_iterator_free(it);
	return n;
}

static void
row_is(const points_settlement *r, int64_t party, const char *ext,
    int64_t issued, int64_t redeemed, int64_t cash, int64_t rem)
{
	ck_assert_int_eq(r->party, party);
	ck_assert_str_eq(r->external_id, ext);
	ck_assert_str_eq(r->asset, "PTS");
	ck_assert_int_eq(r->issued, issued);
	ck_assert_int_eq(r->redeemed, redeemed);
	ck_assert_int_eq(r->net, issued - redeemed);
	ck_assert_int_eq(r->cash, cash);
	ck_assert_int_eq(r->cash_rem, rem);
}

/* Day 1: alice earns 300 from shop A and 200 from the programme; bob
 * 100 from the sales pool.  Day 2: alice spends 150 at shop B and 50 at
 * the programme's sink; bob spends 30 at shop A; bob's hold of 40 is
 * captured by shop B; alice gives bob 10 (a transfer counts nowhere).
 * Day 3: 20 of the sink's 50 come back, and 100 of shop A's 300.
 * The ledger's cash ratio: 100 points for 50 minor units. */
static void
small_ledger(void)
{
	points_txn e300, s50, t;
	points_posting p = tu_posting("PTS", alice, 10);
	points_cash_ratio ratio;

	ck_assert_int_eq(points_mall_set_cash_ratio(db, "PTS", 100, 50,
	    "finance", NULL, &ratio), POINTS_OK);
	tu_now = DAY(1);
	post(POINTS_TXN_EARN, alice, shop_a, 300, &e300);
	post(POINTS_TXN_EARN, alice, 0, 200, &t);
	post(POINTS_TXN_EARN, bob, pool, 100, &t);
	tu_now = DAY(2);
	post(POINTS_TXN_SPEND, alice, shop_b, 150, &t);
	post(POINTS_TXN_SPEND, alice, 0, 50, &s50);
	post(POINTS_TXN_SPEND, bob, shop_a, 30, &t);
	capture_at(bob, shop_b, 40, &t);
	p.counterparty = bob;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	tu_now = DAY(3);
	reverse(s50.id, 20, &t);
	reverse(e300.id, 100, &t);
}

START_TEST(test_each_party_settles_what_it_issued_less_what_it_took)
{
	points_settlement r[16];
	size_t n;

	small_ledger();
	/* by account id: the issuer (1), the sink (2), the shops, the
	 * pool; at the asset's ratio, 100 points : 50 */
	n = settle(0, 0, 0, 0, r, 16);
	ck_assert_uint_eq(n, 5);
	row_is(&r[0], POINTS_ACCOUNT_ISSUER, "system:issuer", 200, 0, 100, 0);
	row_is(&r[1], POINTS_ACCOUNT_SINK, "system:sink", 0, 30, -15, 0);
	row_is(&r[2], shop_a, "shop:A", 200, 30, 85, 0);
	row_is(&r[3], shop_b, "shop:B", 0, 190, -95, 0);
	row_is(&r[4], pool, "pool:sales", 100, 0, 50, 0);
	ck_assert_int_eq(r[2].ratio_points, 100);
	ck_assert_int_eq(r[2].ratio_cash, 50);
	/* terms of the call's own, 3 points : 2, with remainders:
	 * 170 * 2 / 3 = 113 + 1/3; -190 * 2 / 3 = -127 + 1/3 */
	n = settle(0, 0, 3, 2, r, 16);
	ck_assert_uint_eq(n, 5);
	row_is(&r[0], POINTS_ACCOUNT_ISSUER, "system:issuer", 200, 0, 133, 1);
	row_is(&r[1], POINTS_ACCOUNT_SINK, "system:sink", 0, 30, -20, 0);
	row_is(&r[2], shop_a, "shop:A", 200, 30, 113, 1);
	row_is(&r[3], shop_b, "shop:B", 0, 190, -127, 1);
	row_is(&r[4], pool, "pool:sales", 100, 0, 66, 2);
}
END_TEST

START_TEST(test_a_range_counts_what_fell_in_it)
{
	points_settlement r[16];
	size_t n;

	small_ledger();
	/* day 1 only: the earns */
	n = settle(DAY(1) - 1, DAY(2) - 1, 0, 0, r, 16);
	ck_assert_uint_eq(n, 3);
	row_is(&r[0], POINTS_ACCOUNT_ISSUER, "system:issuer", 200, 0, 100, 0);
	row_is(&r[1], shop_a, "shop:A", 300, 0, 150, 0);
	row_is(&r[2], pool, "pool:sales", 100, 0, 50, 0);
	/* day 3 only: the reversals, counted where their originals were */
	n = settle(DAY(3) - 1, 0, 0, 0, r, 16);
	ck_assert_uint_eq(n, 2);
	row_is(&r[0], POINTS_ACCOUNT_SINK, "system:sink", 0, -20, 10, 0);
	row_is(&r[1], shop_a, "shop:A", -100, 0, -50, 0);
	/* nothing before day 1 */
	ck_assert_uint_eq(settle(DAY(0) - 1, DAY(1) - 1, 0, 0, r, 16), 0);
}
END_TEST

/* The nets add up to what the reports say was issued less redeemed. */
static int64_t
report_total(int kind)
{
	points_report_iterator *it = NULL;
	points_report_row row;
	int64_t sum = 0;
	int rc;

	ck_assert_int_eq(points_report_iterator_new(db, kind, "PTS", 0, 0,
	    POINTS_PERIOD_ALL, 0, &it), POINTS_OK);
	while ((rc = points_report_next(it, &row)) == POINTS_OK)
		sum += row.points;
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	points_report_iterator_free(it);
	return sum;
}

START_TEST(test_nets_add_up_to_the_reports)
{
	points_settlement r[16];
	int64_t net = 0;
	size_t i, n;

	small_ledger();
	n = settle(0, 0, 0, 0, r, 16);
	for (i = 0; i < n; i++)
		net += r[i].net;
	ck_assert_int_eq(net,
	    report_total(POINTS_REPORT_ISSUED_BY_CATEGORY) -
	    report_total(POINTS_REPORT_REDEEMED_BY_CATEGORY));
}
END_TEST

START_TEST(test_no_ratio_means_no_cash)
{
	points_settlement r[4];
	points_txn t;

	tu_now = DAY(1);
	post(POINTS_TXN_EARN, alice, shop_a, 70, &t);
	ck_assert_uint_eq(settle(0, 0, 0, 0, r, 4), 1);
	row_is(&r[0], shop_a, "shop:A", 70, 0, 0, 0);
	ck_assert_int_eq(r[0].ratio_points, 0);
	ck_assert_int_eq(r[0].ratio_cash, 0);
}
END_TEST

static void
refused(const char *asset, int64_t from, int64_t to, int64_t rp,
    int64_t rc_, int code, const char *words)
{
	points_settlement_iterator *it = NULL;

	ck_assert_int_eq(points_settlement_iterator_new(db, asset, from, to,
	    rp, rc_, &it), code);
	ck_assert_ptr_null(it);
	ck_assert_msg(strstr(points_errmsg(db), words), "%s",
	    points_errmsg(db));
}

START_TEST(test_refusals_say_why)
{
	points_settlement_iterator *it = NULL;
	points_settlement r;

	refused("PTS", 0, 0, 3, 0, POINTS_EINVAL, "ratio 3 points to 0 cash");
	refused("PTS", 0, 0, 0, 2, POINTS_EINVAL, "ratio 0 points to 2 cash");
	refused("PTS", 0, 0, -1, 2, POINTS_EINVAL, "each 1 to");
	refused("PTS", 0, 0, POINTS_CASH_RATIO_MAX + 1LL, 1, POINTS_EINVAL,
	    "each 1 to");
	refused("PTS", 5, 5, 0, 0, POINTS_EINVAL, "bad time range");
	refused("PTS", -1, 0, 0, 0, POINTS_EINVAL, "bad time range");
	refused(NULL, 0, 0, 0, 0, POINTS_EINVAL, "asset");
	ck_assert_int_eq(points_settlement_iterator_new(db, "PTS", 0, 0, 1,
	    1, NULL), POINTS_EINVAL);
	/* an unknown asset: at the first step */
	ck_assert_int_eq(points_settlement_iterator_new(db, "NOPE", 0, 0, 0,
	    0, &it), POINTS_OK);
	ck_assert_int_eq(points_settlement_next(it, &r), POINTS_ENOTFOUND);
	ck_assert_msg(strstr(points_errmsg(db), "NOPE"), "%s",
	    points_errmsg(db));
	points_settlement_iterator_free(it);
}
END_TEST

/* A cash value past INT64_MAX is refused with what passes it. */
START_TEST(test_a_cash_value_too_large_is_refused)
{
	points_settlement_iterator *it = NULL;
	points_settlement r, rows[2];
	points_txn t;

	tu_now = DAY(1);
	post(POINTS_TXN_EARN, alice, shop_a, INT64_C(10000000000), &t);
	ck_assert_int_eq(points_settlement_iterator_new(db, "PTS", 0, 0, 1,
	    POINTS_CASH_RATIO_MAX, &it), POINTS_OK);
	ck_assert_int_eq(points_settlement_next(it, &r), POINTS_ELIMIT);
	ck_assert_msg(strstr(points_errmsg(db), "the cash value of shop:A's "
	    "10000000000 points passes"), "%s", points_errmsg(db));
	points_settlement_iterator_free(it);
	/* at terms that fit: 10^10 points at 1000 : 1 */
	ck_assert_uint_eq(settle(0, 0, 1000, 1, rows, 2), 1);
	ck_assert_int_eq(rows[0].cash, 10000000);
}
END_TEST

/* ---- The model: every operation's amount by party and time ---- */

enum { MODEL_OPS = 600, PARTIES = 5 };
struct op {
	int64_t time, party, issued, redeemed;
};
static struct op ops[MODEL_OPS * 2];
static size_t nops;

/* A reversible write: its id, amount left to reverse, and where it
 * counted. */
struct done {
	char id[POINTS_ID_LEN + 1];
	int64_t left, party;
	int earn;
};
static struct done dones[MODEL_OPS];
static size_t ndone;

static void
remember(const char *id, int64_t amount, int64_t party, int earn)
{
	struct done *d = &dones[ndone++];

	strcpy(d->id, id);
	d->left = amount;
	d->party = party;
	d->earn = earn;
}

static void
model_rows(int64_t from, int64_t to, const int64_t *parties,
    int64_t issued[PARTIES], int64_t redeemed[PARTIES], int seen[PARTIES])
{
	size_t i;
	int k;

	memset(seen, 0, PARTIES * sizeof(int));
	for (k = 0; k < PARTIES; k++)
		issued[k] = redeemed[k] = 0;
	for (i = 0; i < nops; i++) {
		if (ops[i].time < from || (to && ops[i].time >= to))
			continue;
		for (k = 0; parties[k] != ops[i].party; k++)
			;
		seen[k] = 1;
		issued[k] += ops[i].issued;
		redeemed[k] += ops[i].redeemed;
	}
}

static void
compare(int64_t from, int64_t to, const int64_t *parties, int64_t rp,
    int64_t rc_)
{
	int64_t issued[PARTIES], redeemed[PARTIES];
	int seen[PARTIES], k;
	points_settlement r[PARTIES + 1];
	size_t n = settle(from, to, rp, rc_, r, PARTIES + 1), j = 0;

	model_rows(from, to, parties, issued, redeemed, seen);
	/* parties[] is in id order, as the rows are */
	for (k = 0; k < PARTIES; k++) {
		__int128 value;

		if (!seen[k])
			continue;
		ck_assert_uint_lt(j, n);
		ck_assert_int_eq(r[j].party, parties[k]);
		ck_assert_int_eq(r[j].issued, issued[k]);
		ck_assert_int_eq(r[j].redeemed, redeemed[k]);
		ck_assert_int_eq(r[j].net, issued[k] - redeemed[k]);
		/* cash + rem / rp == net * rc / rp, rem in [0, rp) */
		value = (__int128)r[j].cash * rp + r[j].cash_rem;
		ck_assert(value == (__int128)r[j].net * rc_);
		ck_assert_int_ge(r[j].cash_rem, 0);
		ck_assert_int_lt(r[j].cash_rem, rp);
		j++;
	}
	ck_assert_uint_eq(j, n);
}

START_TEST(test_random_ledger_matches_the_model)
{
	/* by id: the issuer, the sink, shop A, shop B, the pool */
	const int64_t parties[PARTIES] = { POINTS_ACCOUNT_ISSUER,
	    POINTS_ACCOUNT_SINK, shop_a, shop_b, pool };
	const int64_t payers[] = { 0, shop_a, shop_b, pool };
	const int64_t payees[] = { 0, shop_a, shop_b };
	int64_t users[2] = { alice, bob };
	unsigned seed = 20261205u + (unsigned)_i;
	int step;

	srand(seed);
	nops = ndone = 0;
	for (step = 0; step < MODEL_OPS; step++) {
		int64_t user = users[rand() % 2], amount = 1 + rand() % 50;
		int64_t avail = tu_available(db, user, "PTS");
		int what = rand() % 10;
		points_txn t;

		tu_now += rand() % (TU_DAY / 2);
		if (what < 4 || avail < amount) {
			int64_t party = payers[rand() % 4];

			post(POINTS_TXN_EARN, user, party, amount, &t);
			party = party ? party : POINTS_ACCOUNT_ISSUER;
			ops[nops++] = (struct op){ t.time, party, amount, 0 };
			remember(t.id, amount, party, 1);
		} else if (what < 8) {
			int64_t party = payees[rand() % 3];

			if (what < 6)
				post(POINTS_TXN_SPEND, user, party, amount, &t);
			else
				capture_at(user, party, amount, &t);
			party = party ? party : POINTS_ACCOUNT_SINK;
			ops[nops++] = (struct op){ t.time, party, 0, amount };
			remember(t.id, amount, party, 0);
		} else if (ndone) {
			struct done *d = &dones[rand() % ndone];
			int64_t back;

			if (!d->left)
				continue;
			back = 1 + rand() % d->left;
			reverse(d->id, back, &t);
			d->left -= back;
			ops[nops++] = (struct op){ t.time, d->party,
			    d->earn ? -back : 0, d->earn ? 0 : -back };
		}
		if (step % 7 == 0) {
			int64_t a = TU_T0 + rand() % (tu_now - TU_T0 + 1);
			int64_t b = rand() % 3 ? a + 1 + rand() % (3 * TU_DAY) : 0;

			compare(a, b, parties, 1 + rand() % 1000,
			    1 + rand() % 1000);
		}
	}
	compare(0, 0, parties, 7, 3);
}
END_TEST

static Suite *
settle_suite(void)
{
	Suite *s = suite_create("settle");
	TCase *tc = tcase_create("settle");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_each_party_settles_what_it_issued_less_what_it_took);
	tcase_add_test(tc, test_a_range_counts_what_fell_in_it);
	tcase_add_test(tc, test_nets_add_up_to_the_reports);
	tcase_add_test(tc, test_no_ratio_means_no_cash);
	tcase_add_test(tc, test_refusals_say_why);
	tcase_add_test(tc, test_a_cash_value_too_large_is_refused);
	tcase_add_loop_test(tc, test_random_ledger_matches_the_model, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(settle_suite());
}
