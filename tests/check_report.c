/* check_report.c - the reports: the liability of an asset and its cash
 * value, and the breakage forecast, on a small ledger with figures worked
 * out by hand; a seeded random ledger against a model that sums the
 * operations it made; what the reports refuse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static points_db *db;
static int64_t alice, bob, carol, dave;

/* 2024-01-01 plus d days, at noon UTC (the tests' ledger is at UTC). */
#define DAY(d) (TU_T0 + (int64_t)(d) * TU_DAY + TU_DAY / 2)

static void
earn_until(int64_t acct, const char *asset, int64_t amount, int64_t expires)
{
	points_posting p = tu_posting(asset, acct, amount);
	points_txn t;

	p.expires_at = expires;
	ck_assert_msg(points_earn(db, &p, &t) == POINTS_OK, "%s",
	    points_errmsg(db));
}

/* Howard Hinnant's days_from_civil and civil_from_days, written out
 * here so that the test does not lean on the library's calendar. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The first second of a month (UTC). */
static int64_t
month_time(int y, int m)
{
	return days_from_civil(y, m, 1) * TU_DAY;
}

/* The month, counted from January 2024, of the day d days after
 * 1 January 2024. */
static int
month_of(int d)
{
	int y = 2024, mo = 1;

	while (days_from_civil(y, mo, 1) <= days_from_civil(2024, 1, 1) + d) {
		if (++mo == 13) {
			mo = 1;
			y++;
		}
	}
	/* one past the month of d */
	return (y - 2024) * 12 + mo - 2;
}

static void
setup(void)
{
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	carol = tu_account(db, "E1003");
	dave = tu_account(db, "E1004");
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

/* The small ledger, in EXP, with the clock at 2024-01-25 at its end:
 *   alice  earns 100 (to 10 Feb) and 50 (to 20 Feb), spends 30: the
 *          earliest lot first, so 70 to 10 Feb and 50 to 20 Feb
 *   bob    earns 30 (to 20 Jan) and 70 (to 5 Mar), holds 20: 10 to 20
 *          Jan (past due by the end, not swept: gone) and 70 to 5 Mar,
 *          20 held
 *   carol  40 pending for 7 days from a rule on 24 Jan, expiring on
 *          24 Mar (60 days)
 *   dave   earns 25, spends them, and the earn is reversed: owes 25
 *   erin   earns 15 that never expire
 * Liability: available 70 + 50 + 70 + 15 = 205, pending 40, held 20,
 * outstanding 265, debt 25, never expiring 15, 5 accounts.
 * Forecast: Feb 120 (alice), Mar 70 + 40 = 110 (bob, carol). */
static void
small_ledger(void)
{
	points_rule_def d = POINTS_RULE_DEF_INIT;
	points_event e = POINTS_EVENT_INIT;
	points_event_result *res;
	points_posting p;
	points_rule r;
	points_txn t, h;

	earn_until(alice, "EXP", 100, DAY(40));
	earn_until(alice, "EXP", 50, DAY(50));
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 30, NULL), POINTS_OK);
	earn_until(bob, "EXP", 30, DAY(19));
	earn_until(bob, "EXP", 70, DAY(64));
	p = tu_posting("EXP", bob, 20);
	ck_assert_int_eq(points_hold_create(db, &p, &h), POINTS_OK);
	p = tu_posting("EXP", dave, 25);
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, dave, "EXP", 25, NULL), POINTS_OK);
	ck_assert_int_eq(tu_reverse(db, t.id, 0, "error", NULL, &t),
	    POINTS_OK);
	earn_until(tu_account(db, "E1005"), "EXP", 15, INT64_MAX);
	tu_now = TU_T0 + 23 * TU_DAY; /* 24 Jan */
	d.name = "visit";
	d.event_type = "visit";
	d.points = "40";
	d.asset = "EXP";
	d.state = POINTS_RULE_ACTIVE;
	d.author = "admin";
	d.reason = "launch";
	d.pending_days = 7;
	d.expires_days = 60;
	ck_assert_msg(points_rule_save(db, &d, &r) == POINTS_OK, "%s",
	    points_errmsg(db));
	e.id = "v1";
	e.type = "visit";
	e.account = carol;
	ck_assert_msg(points_event_apply(db, &e, &res) == POINTS_OK, "%s",
	    points_errmsg(db));
	points_event_result_free(res);
	tu_now = TU_T0 + 24 * TU_DAY; /* 25 Jan */
}

START_TEST(test_liability_of_a_small_ledger)
{
	points_liability l;
	points_cash_ratio ratio;

	small_ledger();
	ck_assert_int_eq(points_liability_get(db, "EXP", &l), POINTS_OK);
	ck_assert_str_eq(l.asset, "EXP");
	ck_assert_int_eq(l.decimals, 0);
	ck_assert_int_eq(l.accounts, 5);
	ck_assert_int_eq(l.available, 205);
	ck_assert_int_eq(l.pending, 40);
	ck_assert_int_eq(l.held, 20);
	ck_assert_int_eq(l.outstanding, 265);
	ck_assert_int_eq(l.debt, 25);
	ck_assert_int_eq(l.never_expires, 15);
	/* no ratio: no cash */
	ck_assert_int_eq(l.ratio_points, 0);
	ck_assert_int_eq(l.cash, 0);
	ck_assert_int_eq(l.cash_rem, 0);
	/* 100 points = 7 minor units: 265 are 18.55, 18 and 55/100 */
	ck_assert_int_eq(points_mall_set_cash_ratio(db, "EXP", 100, 7,
	    "finance", "budget", &ratio), POINTS_OK);
	ck_assert_int_eq(points_liability_get(db, "EXP", &l), POINTS_OK);
	ck_assert_int_eq(l.ratio_points, 100);
	ck_assert_int_eq(l.ratio_cash, 7);
	ck_assert_int_eq(l.cash, 18);
	ck_assert_int_eq(l.cash_rem, 55);
	/* the sweep expires bob's 10 past-due points: nothing owed
	 * changes, as they were gone already */
	ck_assert_int_eq(points_expire_sweep(db, tu_now, NULL), POINTS_OK);
	ck_assert_int_eq(points_liability_get(db, "EXP", &l), POINTS_OK);
	ck_assert_int_eq(l.outstanding, 265);
	/* a week on, carol's points are spendable */
	tu_now += 7 * TU_DAY;
	ck_assert_int_eq(points_liability_get(db, "EXP", &l), POINTS_OK);
	ck_assert_int_eq(l.available, 245);
	ck_assert_int_eq(l.pending, 0);
	/* another asset: its own figures, its decimals */
	ck_assert_int_eq(points_liability_get(db, "YE", &l), POINTS_OK);
	ck_assert_str_eq(l.asset, "YE");
	ck_assert_int_eq(l.decimals, 2);
	ck_assert_int_eq(l.accounts, 0);
	ck_assert_int_eq(l.outstanding, 0);
}
END_TEST

/* Every month of a forecast, as "YYYY-MM:points/accounts " text. */
static char *
forecast(const char *asset)
{
	static char text[1024];
	points_expiry_forecast_iterator *it;
	points_expiry_month m;
	size_t n = 0;
	int rc;

	text[0] = 0;
	ck_assert_int_eq(points_expiry_forecast_iterator_new(db, asset, &it),
	    POINTS_OK);
	while ((rc = points_expiry_forecast_next(it, &m)) == POINTS_OK) {
		ck_assert_str_eq(m.asset, asset);
		/* the month's bounds */
		ck_assert_int_eq(m.start, month_time(m.year, m.month));
		ck_assert_int_eq(m.end, m.month == 12 ?
		    month_time(m.year + 1, 1) :
		    month_time(m.year, m.month + 1));
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "%04d-%02d:%lld/%lld ", m.year, m.month,
		    (long long)m.points, (long long)m.accounts);
		ck_assert_uint_lt(n, sizeof(text));
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	ck_assert_int_eq(points_expiry_forecast_next(it, &m), POINTS_ITEROVER);
	points_expiry_forecast_iterator_free(it);
	return text;
}

START_TEST(test_forecast_of_a_small_ledger)
{
	small_ledger();
	ck_assert_str_eq(forecast("EXP"), "2024-02:120/1 2024-03:110/2 ");
	/* alice's 10 Feb lot is spent first */
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 80, NULL), POINTS_OK);
	ck_assert_str_eq(forecast("EXP"), "2024-02:40/1 2024-03:110/2 ");
	/* in March, February's points are past */
	tu_now = TU_T0 + 60 * TU_DAY; /* 1 Mar */
	ck_assert_str_eq(forecast("EXP"), "2024-03:110/2 ");
	ck_assert_str_eq(forecast("PTS"), "");
}
END_TEST

START_TEST(test_reports_refuse_bad_arguments)
{
	points_expiry_forecast_iterator *it;
	points_expiry_month m;
	points_liability l;

	memset(&l, 0x5a, sizeof(l));
	TU_FAILS(db, points_liability_get(db, "NOPE", &l), POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "asset NOPE not found");
	ck_assert_int_eq(l.accounts, 0x5a5a5a5a5a5a5a5a); /* unwritten */
	TU_FAILS(db, points_liability_get(db, NULL, &l), POINTS_EINVAL);
	TU_FAILS(db, points_liability_get(db, "EXP", NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_liability_get(NULL, "EXP", &l), POINTS_EINVAL);
	TU_FAILS(db, points_expiry_forecast_iterator_new(db, NULL, &it),
	    POINTS_EINVAL);
	TU_FAILS(db, points_expiry_forecast_iterator_new(db, "EXP", NULL),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_expiry_forecast_iterator_new(db, "NOPE", &it),
	    POINTS_OK);
	ck_assert_int_eq(points_expiry_forecast_next(it, &m),
	    POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "asset NOPE not found");
	points_expiry_forecast_iterator_free(it);
	ck_assert_int_eq(points_expiry_forecast_next(NULL, &m), POINTS_EINVAL);
	points_expiry_forecast_iterator_free(NULL);
}
END_TEST

/* ---- A seeded random ledger against a model ----
 * The model keeps each account's lots by expiry day and takes a spend
 * from the earliest, as the ledger does; the reports must equal the
 * model's sums whatever the operations were. */

#define NACCT 12
#define NDAYS 400

struct model {
	int64_t lots[NACCT][NDAYS + 1]; /* by expiry day; NDAYS: never */
	int64_t held[NACCT];
};

static int64_t
model_available(const struct model *m, int a, int64_t today)
{
	int64_t sum = 0;
	int d;

	for (d = (int)today; d <= NDAYS; d++)
		sum += m->lots[a][d];
	return sum;
}

static void
model_take(struct model *m, int a, int64_t amount, int64_t today)
{
	int d;

	for (d = (int)today; d <= NDAYS && amount > 0; d++) {
		int64_t t = m->lots[a][d] < amount ? m->lots[a][d] : amount;

		m->lots[a][d] -= t;
		amount -= t;
	}
	ck_assert_int_eq(amount, 0);
}

START_TEST(test_reports_match_a_random_model)
{
	unsigned seed = 4200u + (unsigned)_i;
	static struct model m;
	int64_t ids[NACCT], today = 0;
	points_cash_ratio ratio;
	points_liability l;
	int i, step;

	srand(seed);
	memset(&m, 0, sizeof(m));
	for (i = 0; i < NACCT; i++) {
		char ext[16];

		snprintf(ext, sizeof(ext), "R%d", i);
		ids[i] = tu_account(db, ext);
	}
	ck_assert_int_eq(points_mall_set_cash_ratio(db, "EXP",
	    1 + rand() % 1000, 1 + rand() % 1000, "finance", "budget", &ratio),
	    POINTS_OK);
	for (step = 0; step < 300; step++) {
		int a = rand() % NACCT, op = rand() % 10;
		int64_t amount = 1 + rand() % 500, avail;

		avail = model_available(&m, a, today);
		if (op < 5) {
			int day = (int)today + rand() % (NDAYS - (int)today + 1);
			int64_t until = day == NDAYS ? INT64_MAX :
			    TU_T0 + (int64_t)day * TU_DAY + rand() % TU_DAY;

			earn_until(ids[a], "EXP", amount, until);
			m.lots[a][day] += amount;
		} else if (op < 8 && avail > 0) {
			amount = 1 + rand() % avail;
			ck_assert_int_eq(tu_spend(db, ids[a], "EXP", amount,
			    NULL), POINTS_OK);
			model_take(&m, a, amount, today);
		} else if (op == 8) {
			/* a day or a few pass; past-due lots go */
			today += rand() % 4;
			if (today > NDAYS - 30)
				today = NDAYS - 30;
			tu_now = TU_T0 + today * TU_DAY;
		} else if (avail > 0 && rand() % 2) {
			/* a hold: its points leave the lots, earliest
			 * first, and stay owed as held */
			points_posting p = tu_posting("EXP", ids[a],
			    1 + rand() % avail);
			points_txn h;

			ck_assert_int_eq(points_hold_create(db, &p, &h),
			    POINTS_OK);
			model_take(&m, a, p.amount, today);
			m.held[a] += p.amount;
		}
		if (step % 50 != 49)
			continue;
		{
			int64_t avail_sum = 0, held = 0, never = 0, accounts = 0;
			int64_t month[NDAYS], months_total = 0;
			points_expiry_forecast_iterator *it;
			points_expiry_month em;
			int d, rc;

			memset(month, 0, sizeof(month));
			for (i = 0; i < NACCT; i++) {
				int64_t av = model_available(&m, i, today);

				avail_sum += av;
				held += m.held[i];
				never += m.lots[i][NDAYS];
				accounts += av + m.held[i] > 0;
				for (d = (int)today; d < NDAYS; d++)
					month[month_of(d)] += m.lots[i][d];
			}
			ck_assert_int_eq(points_liability_get(db, "EXP", &l),
			    POINTS_OK);
			ck_assert_msg(l.available == avail_sum, "seed %u step "
			    "%d: available %lld, model %lld", seed, step,
			    (long long)l.available, (long long)avail_sum);
			ck_assert_int_eq(l.held, held);
			ck_assert_int_eq(l.pending, 0);
			ck_assert_int_eq(l.debt, 0);
			ck_assert_int_eq(l.never_expires, never);
			ck_assert_int_eq(l.accounts, accounts);
			ck_assert_int_eq(l.outstanding, avail_sum + held);
			/* cash + cash_rem / points == outstanding * cash /
			 * points, the remainder below points */
			ck_assert_int_eq(l.cash * ratio.points + l.cash_rem,
			    l.outstanding * ratio.cash);
			ck_assert_int_lt(l.cash_rem, ratio.points);
			ck_assert_int_ge(l.cash_rem, 0);
			ck_assert_int_eq(points_expiry_forecast_iterator_new(db,
			    "EXP", &it), POINTS_OK);
			while ((rc = points_expiry_forecast_next(it, &em)) ==
			    POINTS_OK) {
				int64_t idx = (int64_t)(em.year - 2024) * 12 +
				    em.month - 1;

				ck_assert_int_ge(idx, 0);
				ck_assert_msg(em.points == month[idx], "seed %u "
				    "step %d: %04d-%02d %lld, model %lld", seed,
				    step, em.year, em.month,
				    (long long)em.points,
				    (long long)month[idx]);
				ck_assert_int_gt(em.points, 0);
				months_total += em.points;
			}
			ck_assert_int_eq(rc, POINTS_ITEROVER);
			points_expiry_forecast_iterator_free(it);
			ck_assert_int_eq(months_total, avail_sum - never);
		}
	}
}
END_TEST

/* ---- Points issued and redeemed ---- */

static void
item(const char *sku, const char *category, int64_t price)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_item it;

	d.sku = sku;
	d.name = sku;
	d.category = category;
	d.asset = "PTS";
	d.price = price;
	d.stock = 100;
	d.actor = "admin";
	ck_assert_msg(points_item_create(db, &d, &it) == POINTS_OK, "%s",
	    points_errmsg(db));
}

static points_order
order(int64_t acct, const char *sku, int64_t qty)
{
	points_order_req r = POINTS_ORDER_REQ_INIT;
	points_order o;

	r.account = acct;
	r.sku = sku;
	r.quantity = qty;
	r.actor = "shop";
	ck_assert_msg(points_order_place(db, &r, &o) == POINTS_OK, "%s",
	    points_errmsg(db));
	ck_assert_int_eq(points_order_approve(db, o.id, "ops", NULL, &o),
	    POINTS_OK);
	return o;
}

static void
earn_cat(int64_t acct, int64_t amount, const char *category, points_txn *t)
{
	points_posting p = tu_posting("PTS", acct, amount);

	p.category = category;
	ck_assert_msg(points_earn(db, &p, t) == POINTS_OK, "%s",
	    points_errmsg(db));
}

static void
rule_of(const char *name, const char *pts)
{
	points_rule_def d = POINTS_RULE_DEF_INIT;
	points_rule r;

	d.name = name;
	d.event_type = "visit";
	d.points = pts;
	d.asset = "PTS";
	d.category = "engagement";
	d.state = POINTS_RULE_ACTIVE;
	d.author = "admin";
	d.reason = "launch";
	ck_assert_msg(points_rule_save(db, &d, &r) == POINTS_OK, "%s",
	    points_errmsg(db));
}

/* The flows of the small ledger (PTS; 1 January 2024 is a Monday):
 *   1 Jan   alice (Sales) earns 1000 "training", bob (R&D) 500
 *           "training", carol (no department) 300 "sales"
 *   2 Jan   an event pays alice 15 "engagement": rule visit 10 and
 *           rule bonus 5, in one earn
 *   3 Jan   alice spends 200 "canteen"
 *   8 Jan   orders approved: alice 2 MUG (100 each, physical/kitchen),
 *           bob 3 PEN (30 each, office), carol 1 MUG
 *   9 Jan   bob's order cancelled: its 90 points given back
 *   1 Feb   100 of carol's 300 reversed
 *   2 Feb   alice earns 50 "training" */
static void
flows_ledger(void)
{
	points_event e = POINTS_EVENT_INIT;
	points_event_result *res;
	points_order o;
	points_txn t;

	ck_assert_int_eq(points_account_update(db, alice, NULL, NULL, "Sales"),
	    POINTS_OK);
	ck_assert_int_eq(points_account_update(db, bob, NULL, NULL, "R&D"),
	    POINTS_OK);
	tu_now = DAY(0);
	earn_cat(alice, 1000, "training", &t);
	earn_cat(bob, 500, "training", &t);
	earn_cat(carol, 300, "sales", &t);
	rule_of("visit", "10");
	rule_of("bonus", "5");
	tu_now = DAY(1);
	e.id = "v:1"; /* an id with a colon, as the memo parser must take */
	e.type = "visit";
	e.account = alice;
	ck_assert_msg(points_event_apply(db, &e, &res) == POINTS_OK, "%s",
	    points_errmsg(db));
	points_event_result_free(res);
	tu_now = DAY(2);
	{
		points_posting p = tu_posting("PTS", alice, 200);

		p.category = "canteen";
		ck_assert_int_eq(points_spend(db, &p, &t), POINTS_OK);
	}
	tu_now = DAY(7);
	item("MUG", "physical/kitchen", 100);
	item("PEN", "office", 30);
	(void)order(alice, "MUG", 2);
	o = order(bob, "PEN", 3);
	(void)order(carol, "MUG", 1);
	tu_now = DAY(8);
	ck_assert_int_eq(points_order_cancel(db, o.id, "ops", "no stock",
	    &o), POINTS_OK);
	tu_now = DAY(31);
	{
		points_statement_iterator *si;
		points_entry en;

		/* carol's first entry is her earn */
		ck_assert_int_eq(points_statement_iterator_new(db, carol, "PTS",
		    0, 0, POINTS_OLDEST_FIRST, &si), POINTS_OK);
		ck_assert_int_eq(points_statement_next(si, &en), POINTS_OK);
		points_statement_iterator_free(si);
		ck_assert_int_eq(tu_reverse(db, en.txn_id, 100, "overpaid",
		    NULL, &t), POINTS_OK);
	}
	tu_now = DAY(32);
	earn_cat(alice, 50, "training", &t);
	tu_now = DAY(40);
}

/* A report's rows as "PERIOD|KEY|points|count|issued;" (PERIOD: days
 * after 1 January 2024). */
static char *
report(int kind, int64_t from, int64_t to, int period, int64_t limit)
{
	static char text[4096];
	points_report_iterator *it;
	points_report_row r;
	size_t n = 0;
	int rc;

	text[0] = 0;
	ck_assert_int_eq(points_report_iterator_new(db, kind, "PTS", from, to,
	    period, limit, &it), POINTS_OK);
	while ((rc = points_report_next(it, &r)) == POINTS_OK) {
		ck_assert_str_eq(r.asset, "PTS");
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "%lld|%s|%lld|%lld|%lld;",
		    (long long)((r.period - TU_T0) / TU_DAY), r.key,
		    (long long)r.points, (long long)r.count,
		    (long long)r.issued);
		ck_assert_uint_lt(n, sizeof(text));
	}
	ck_assert_msg(rc == POINTS_ITEROVER, "%s", points_errmsg(db));
	points_report_iterator_free(it);
	return text;
}

#define JAN1 TU_T0
#define MAR1 (TU_T0 + 60 * TU_DAY)

/* A reversal of an earn that rules paid counts against the rules, the
 * last rule's part first (as a reversal returns the last lots first):
 * the event ran bonus (5) then visit (10), so 7 back is visit's 7, and
 * the other 8 visit's last 3 and bonus's 5. */
START_TEST(test_issued_by_rule_less_reversals)
{
	points_statement_iterator *si;
	points_entry en;
	points_txn t;
	int rc;

	flows_ledger();
	/* the event's earn: alice's entry of 15 */
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", 0, 0,
	    POINTS_OLDEST_FIRST, &si), POINTS_OK);
	while ((rc = points_statement_next(si, &en)) == POINTS_OK &&
	    en.amount != 15)
		;
	ck_assert_int_eq(rc, POINTS_OK);
	points_statement_iterator_free(si);
	tu_now = DAY(41);
	ck_assert_int_eq(tu_reverse(db, en.txn_id, 7, "part", NULL, &t),
	    POINTS_OK);
	ck_assert_str_eq(report(POINTS_REPORT_ISSUED_BY_RULE, DAY(41), 0,
	    POINTS_PERIOD_ALL, 0), "41|visit|-7|0|0;");
	tu_now = DAY(42);
	ck_assert_int_eq(tu_reverse(db, en.txn_id, 8, "rest", NULL, &t),
	    POINTS_OK);
	ck_assert_str_eq(report(POINTS_REPORT_ISSUED_BY_RULE, DAY(42), 0,
	    POINTS_PERIOD_ALL, 0), "42|bonus|-5|0|0;42|visit|-3|0|0;");
	/* over the whole time the rules paid nothing net */
	ck_assert_str_eq(report(POINTS_REPORT_ISSUED_BY_RULE, JAN1, 0,
	    POINTS_PERIOD_ALL, 0), "0||1750|4|0;0|bonus|0|1|0;0|visit|0|1|0;");
}
END_TEST

START_TEST(test_issued_by_category_and_rule)
{
	flows_ledger();
	ck_assert_str_eq(report(POINTS_REPORT_ISSUED_BY_CATEGORY, JAN1, MAR1,
	    POINTS_PERIOD_ALL, 0),
	    "0|engagement|15|1|0;0|sales|200|1|0;0|training|1550|3|0;");
	/* by month: the reversal counts in February, under the earn's
	 * category */
	ck_assert_str_eq(report(POINTS_REPORT_ISSUED_BY_CATEGORY, JAN1, 0,
	    POINTS_PERIOD_MONTH, 0),
	    "0|engagement|15|1|0;0|sales|300|1|0;0|training|1500|2|0;"
	    "31|sales|-100|0|0;31|training|50|1|0;");
	/* the event's one earn split between its two rules */
	ck_assert_str_eq(report(POINTS_REPORT_ISSUED_BY_RULE, JAN1, MAR1,
	    POINTS_PERIOD_ALL, 0),
	    "0||1750|4|0;0|bonus|5|1|0;0|visit|10|1|0;");
	/* from is in, to is out: the 2nd of January alone */
	ck_assert_str_eq(report(POINTS_REPORT_ISSUED_BY_RULE, JAN1 + TU_DAY,
	    JAN1 + 2 * TU_DAY, POINTS_PERIOD_ALL, 0),
	    "1|bonus|5|1|0;1|visit|10|1|0;");
	ck_assert_str_eq(report(POINTS_REPORT_ISSUED_BY_CATEGORY, DAY(1),
	    DAY(2), POINTS_PERIOD_DAY, 0), "1|engagement|15|1|0;");
	ck_assert_str_eq(report(POINTS_REPORT_ISSUED_BY_CATEGORY, DAY(1) + 1,
	    DAY(2), POINTS_PERIOD_DAY, 0), "");
}
END_TEST

/* Earns whose memos only look like an event's award go under no rule:
 * no colon, an empty id, an id longer than any event's, an id no event
 * has, and a real event's id on another transaction than its award. */
START_TEST(test_issued_by_rule_of_memos_like_an_event)
{
	char memos[5][200];
	points_posting p;
	points_txn t;
	int i;

	flows_ledger();
	snprintf(memos[0], sizeof(memos[0]), "event visit");
	snprintf(memos[1], sizeof(memos[1]), "event : visit v1");
	snprintf(memos[2], sizeof(memos[2]), "event %0*d: visit v1",
	    POINTS_EVENT_ID_MAX + 1, 7);
	snprintf(memos[3], sizeof(memos[3]), "event ghost: visit v1");
	snprintf(memos[4], sizeof(memos[4]), "event v:1: visit v1");
	tu_now = DAY(3);
	for (i = 0; i < 5; i++) {
		p = tu_posting("PTS", carol, 1 + i);
		p.category = "mimic";
		p.memo = memos[i];
		ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	}
	ck_assert_str_eq(report(POINTS_REPORT_ISSUED_BY_RULE, DAY(3), DAY(4),
	    POINTS_PERIOD_ALL, 0), "3||15|5|0;");
	/* the event's own award is still its rules' */
	ck_assert_str_eq(report(POINTS_REPORT_ISSUED_BY_RULE, DAY(1), DAY(4),
	    POINTS_PERIOD_ALL, 0), "1||15|5|0;1|bonus|5|1|0;1|visit|10|1|0;");
}
END_TEST

/* Popular items of two weeks: each week's rows apart, in their week's
 * order, by units, a tie by points: week 0 A (3 units) before B (1);
 * week 1 C and A at 2 units each, C's 60 points before A's 20. */
START_TEST(test_popular_items_by_week)
{
	points_txn t;

	earn_cat(alice, 1000, "x", &t);
	earn_cat(bob, 1000, "x", &t);
	item("A", "c", 10);
	item("B", "c", 20);
	item("C", "c", 30);
	tu_now = DAY(1);
	(void)order(alice, "A", 3);
	(void)order(alice, "B", 1);
	tu_now = DAY(8);
	(void)order(bob, "A", 2);
	(void)order(bob, "C", 2);
	ck_assert_str_eq(report(POINTS_REPORT_POPULAR_ITEMS, JAN1, MAR1,
	    POINTS_PERIOD_WEEK, 0),
	    "0|A|30|3|0;0|B|20|1|0;7|C|60|2|0;7|A|20|2|0;");
	ck_assert_str_eq(report(POINTS_REPORT_POPULAR_ITEMS, JAN1, MAR1,
	    POINTS_PERIOD_WEEK, 1), "0|A|30|3|0;7|C|60|2|0;");
	ck_assert_str_eq(report(POINTS_REPORT_POPULAR_ITEMS, JAN1, MAR1,
	    POINTS_PERIOD_ALL, 0), "0|A|50|5|0;0|C|60|2|0;0|B|20|1|0;");
}
END_TEST

START_TEST(test_redeemed_by_item_and_category)
{
	flows_ledger();
	/* bob's 3 PEN were given back: 0 points, their units counted */
	ck_assert_str_eq(report(POINTS_REPORT_REDEEMED_BY_ITEM, JAN1, MAR1,
	    POINTS_PERIOD_ALL, 0),
	    "0||200|1|0;0|MUG|300|3|0;0|PEN|0|3|0;");
	ck_assert_str_eq(report(POINTS_REPORT_REDEEMED_BY_CATEGORY, JAN1, MAR1,
	    POINTS_PERIOD_ALL, 0),
	    "0|canteen|200|1|0;0|office|0|1|0;0|physical/kitchen|300|2|0;");
	/* by week: the cancel in the week of 8 January */
	ck_assert_str_eq(report(POINTS_REPORT_REDEEMED_BY_ITEM, JAN1, MAR1,
	    POINTS_PERIOD_WEEK, 0),
	    "0||200|1|0;7|MUG|300|3|0;7|PEN|0|3|0;");
	/* popular: MUG and PEN tie on units, MUG kept more points */
	ck_assert_str_eq(report(POINTS_REPORT_POPULAR_ITEMS, JAN1, MAR1,
	    POINTS_PERIOD_ALL, 0), "0|MUG|300|3|0;0|PEN|0|3|0;");
	ck_assert_str_eq(report(POINTS_REPORT_POPULAR_ITEMS, JAN1, MAR1,
	    POINTS_PERIOD_ALL, 1), "0|MUG|300|3|0;");
}
END_TEST

START_TEST(test_redemption_rate_by_department)
{
	flows_ledger();
	/* week 1: issued 1815 (Sales 1015, R&D 500), redeemed 200 (Sales);
	 * week 2: redeemed 300 (Sales 200, R&D 0 after the cancel, carol
	 * 100); the week of 29 Jan: issued -100 (carol) + 50 (Sales) */
	ck_assert_str_eq(report(POINTS_REPORT_REDEMPTION_RATE, JAN1, 0,
	    POINTS_PERIOD_WEEK, 0),
	    "0||200|1|1815;0|R&D|0|0|500;0|Sales|200|1|1015;"
	    "7||300|3|0;7|R&D|0|1|0;7|Sales|200|1|0;"
	    "28||0|0|-50;28|Sales|0|0|50;");
	ck_assert_str_eq(report(POINTS_REPORT_REDEMPTION_RATE, JAN1, 0,
	    POINTS_PERIOD_YEAR, 0),
	    "0||500|4|1765;0|R&D|0|1|500;0|Sales|400|2|1065;");
}
END_TEST

START_TEST(test_report_refuses_bad_arguments)
{
	points_report_iterator *it;
	points_report_row r;

	TU_FAILS(db, points_report_iterator_new(db, 0, "PTS", 0, 0,
	    POINTS_PERIOD_ALL, 0, &it), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "report: unknown kind 0");
	TU_FAILS(db, points_report_iterator_new(db, 7, "PTS", 0, 0,
	    POINTS_PERIOD_ALL, 0, &it), POINTS_EINVAL);
	TU_FAILS(db, points_report_iterator_new(db,
	    POINTS_REPORT_ISSUED_BY_RULE, "PTS", 10, 10, POINTS_PERIOD_ALL, 0,
	    &it), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db),
	    "report: bad time range: from 10, to 10");
	TU_FAILS(db, points_report_iterator_new(db,
	    POINTS_REPORT_ISSUED_BY_RULE, "PTS", -1, 0, POINTS_PERIOD_ALL, 0,
	    &it), POINTS_EINVAL);
	TU_FAILS(db, points_report_iterator_new(db,
	    POINTS_REPORT_ISSUED_BY_RULE, "PTS", 0, 0, 5, 0, &it),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "report: unknown period 5");
	TU_FAILS(db, points_report_iterator_new(db,
	    POINTS_REPORT_ISSUED_BY_RULE, "PTS", 0, 0, POINTS_PERIOD_ALL, 3,
	    &it), POINTS_EINVAL);
	TU_FAILS(db, points_report_iterator_new(db,
	    POINTS_REPORT_POPULAR_ITEMS, "PTS", 0, 0, POINTS_PERIOD_ALL, -1,
	    &it), POINTS_EINVAL);
	TU_FAILS(db, points_report_iterator_new(db,
	    POINTS_REPORT_ISSUED_BY_RULE, NULL, 0, 0, POINTS_PERIOD_ALL, 0,
	    &it), POINTS_EINVAL);
	TU_FAILS(db, points_report_iterator_new(db,
	    POINTS_REPORT_ISSUED_BY_RULE, "PTS", 0, 0, POINTS_PERIOD_ALL, 0,
	    NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_report_iterator_new(db,
	    POINTS_REPORT_ISSUED_BY_RULE, "NOPE", 0, 0, POINTS_PERIOD_ALL, 0,
	    &it), POINTS_OK);
	ck_assert_int_eq(points_report_next(it, &r), POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "asset NOPE not found");
	points_report_iterator_free(it);
	ck_assert_int_eq(points_report_next(NULL, &r), POINTS_EINVAL);
	points_report_iterator_free(NULL);
}
END_TEST

/* A seeded random ledger: earns of random categories and departments,
 * spends, reversals of earns, over a few months; the model sums what it
 * did by month and category, and by month and department. */
#define NCAT 3
#define NDEPT 3
#define NMONTH 4

START_TEST(test_flows_match_a_random_model)
{
	static const char *const cats[NCAT] = { "a", "b", "c" };
	static const char *const depts[NDEPT] = { "", "D1", "D2" };
	unsigned seed = 5100u + (unsigned)_i;
	int64_t ids[NACCT], issued[NMONTH][NCAT], nissued[NMONTH][NCAT];
	int64_t rate_iss[NMONTH][NDEPT], rate_red[NMONTH][NDEPT];
	int64_t rate_cnt[NMONTH][NDEPT], have[NACCT];
	int touched[NMONTH][NDEPT];
	struct { char id[POINTS_ID_LEN + 1]; int64_t left; int acct, cat; }
	    earns[400];
	int nearns = 0, i, step, mo;
	char want[4096], *got;
	size_t n;

	srand(seed);
	memset(issued, 0, sizeof(issued));
	memset(nissued, 0, sizeof(nissued));
	memset(rate_iss, 0, sizeof(rate_iss));
	memset(rate_red, 0, sizeof(rate_red));
	memset(have, 0, sizeof(have));
	memset(rate_cnt, 0, sizeof(rate_cnt));
	memset(touched, 0, sizeof(touched));
	for (i = 0; i < NACCT; i++) {
		char ext[16];

		snprintf(ext, sizeof(ext), "F%d", i);
		ids[i] = tu_account(db, ext);
		if (i % NDEPT)
			ck_assert_int_eq(points_account_update(db, ids[i], NULL,
			    NULL, depts[i % NDEPT]), POINTS_OK);
	}
	tu_now = TU_T0;
	for (step = 0; step < 400; step++) {
		int a = rand() % NACCT, op = rand() % 10;
		/* the month of the clock: 2024-01 .. 2024-04 */
		int64_t day = (tu_now - TU_T0) / TU_DAY;

		mo = day < 31 ? 0 : day < 60 ? 1 : day < 91 ? 2 : 3;
		if (op < 5) {
			int c = rand() % NCAT;
			int64_t amount = 1 + rand() % 300;
			points_txn t;

			earn_cat(ids[a], amount, cats[c], &t);
			issued[mo][c] += amount;
			nissued[mo][c]++;
			rate_iss[mo][0] += amount;
			touched[mo][0] = touched[mo][a % NDEPT] = 1;
			if (a % NDEPT)
				rate_iss[mo][a % NDEPT] += amount;
			have[a] += amount;
			strcpy(earns[nearns].id, t.id);
			earns[nearns].left = amount;
			earns[nearns].acct = a;
			earns[nearns++].cat = c;
		} else if (op < 8 && have[a] > 0) {
			int64_t amount = 1 + rand() % have[a];

			ck_assert_int_eq(tu_spend(db, ids[a], "PTS", amount,
			    NULL), POINTS_OK);
			have[a] -= amount;
			rate_red[mo][0] += amount;
			rate_cnt[mo][0]++;
			touched[mo][0] = touched[mo][a % NDEPT] = 1;
			if (a % NDEPT) {
				rate_red[mo][a % NDEPT] += amount;
				rate_cnt[mo][a % NDEPT]++;
			}
		} else if (op == 8 && nearns) {
			int k = rand() % nearns;
			int64_t amount, take;
			points_txn t;

			if (earns[k].left == 0)
				continue;
			amount = 1 + rand() % earns[k].left;
			a = earns[k].acct;
			ck_assert_int_eq(tu_reverse(db, earns[k].id, amount,
			    "error", NULL, &t), POINTS_OK);
			earns[k].left -= amount;
			/* what it had, and the rest as a debt the next
			 * credits repay: the model keeps to what is
			 * spendable */
			take = amount < have[a] ? amount : have[a];
			have[a] -= take;
			issued[mo][earns[k].cat] -= amount;
			touched[mo][0] = touched[mo][a % NDEPT] = 1;
			rate_iss[mo][0] -= amount;
			if (a % NDEPT)
				rate_iss[mo][a % NDEPT] -= amount;
			if (take < amount) {
				/* a debt: later earns repay it before they
				 * are spendable, so the model stops spending
				 * this account */
				have[a] = -1000000000;
			}
		} else {
			tu_now += rand() % (3 * TU_DAY);
			if (tu_now >= TU_T0 + 120 * TU_DAY)
				tu_now = TU_T0 + 120 * TU_DAY - 1;
		}
	}
	n = 0;
	want[0] = 0;
	for (mo = 0; mo < NMONTH; mo++) {
		static const int start[NMONTH] = { 0, 31, 60, 91 };

		for (i = 0; i < NCAT; i++)
			if (nissued[mo][i] || issued[mo][i])
				n += (size_t)snprintf(want + n, sizeof(want) - n,
				    "%d|%s|%lld|%lld|0;", start[mo], cats[i],
				    (long long)issued[mo][i],
				    (long long)nissued[mo][i]);
	}
	got = report(POINTS_REPORT_ISSUED_BY_CATEGORY, JAN1, 0,
	    POINTS_PERIOD_MONTH, 0);
	ck_assert_msg(strcmp(got, want) == 0, "seed %u\n got  %s\n want %s",
	    seed, got, want);
	/* the rate: "" and each department's redeemed and issued */
	n = 0;
	want[0] = 0;
	for (mo = 0; mo < NMONTH; mo++) {
		static const int start[NMONTH] = { 0, 31, 60, 91 };

		for (i = 0; i < NDEPT; i++)
			if (touched[mo][i])
				n += (size_t)snprintf(want + n, sizeof(want) - n,
				    "%d|%s|%lld|%lld|%lld;", start[mo], depts[i],
				    (long long)rate_red[mo][i],
				    (long long)rate_cnt[mo][i],
				    (long long)rate_iss[mo][i]);
	}
	got = report(POINTS_REPORT_REDEMPTION_RATE, JAN1, 0,
	    POINTS_PERIOD_MONTH, 0);
	ck_assert_msg(strcmp(got, want) == 0, "seed %u\n got  %s\n want %s",
	    seed, got, want);
}
END_TEST

/* ---- Leaderboards ---- */

/* The leaderboard as "GROUP:RANK:EXT:points:entries;". */
static char *
board(int64_t from, int64_t to, int by, int64_t n)
{
	static char text[8192];
	points_leaderboard_iterator *it;
	points_leader l;
	size_t len = 0;
	int rc;

	text[0] = 0;
	ck_assert_int_eq(points_leaderboard_iterator_new(db, "PTS", from, to,
	    by, n, &it), POINTS_OK);
	while ((rc = points_leaderboard_next(it, &l)) == POINTS_OK) {
		ck_assert_str_eq(l.asset, "PTS");
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "%s:%lld:%s:%lld:%lld;", l.group, (long long)l.rank,
		    l.external_id, (long long)l.points, (long long)l.entries);
		ck_assert_uint_lt(len, sizeof(text));
	}
	ck_assert_msg(rc == POINTS_ITEROVER, "%s", points_errmsg(db));
	points_leaderboard_iterator_free(it);
	return text;
}

/* January 2024 (PTS): alice (Sales, gold) and bob (R&D, silver) earn
 * 100 each on the 1st; carol (Sales, silver) 80 and dave (none) 150 on
 * the 2nd; bob 20 on the 3rd (120, reached first); alice gives carol 50
 * on the 4th (no earning); 100 of dave's are reversed on the 5th; carol
 * moves to R&D and earns 30 on the 6th; alice earns 20 on the 7th (120,
 * reached after bob) and spends 10. */
static void
board_ledger(void)
{
	points_posting p;
	points_txn t, dave_earn;

	ck_assert_int_eq(points_tier_set(db, "silver", 1, 100), POINTS_OK);
	ck_assert_int_eq(points_tier_set(db, "gold", 2, 100), POINTS_OK);
	ck_assert_int_eq(points_account_update(db, alice, NULL, "gold",
	    "Sales"), POINTS_OK);
	ck_assert_int_eq(points_account_update(db, bob, NULL, "silver", "R&D"),
	    POINTS_OK);
	ck_assert_int_eq(points_account_update(db, carol, NULL, "silver",
	    "Sales"), POINTS_OK);
	tu_now = DAY(0);
	earn_cat(alice, 100, "x", &t);
	earn_cat(bob, 100, "x", &t);
	tu_now = DAY(1);
	earn_cat(carol, 80, "x", &t);
	earn_cat(dave, 150, "x", &dave_earn);
	tu_now = DAY(2);
	earn_cat(bob, 20, "x", &t);
	tu_now = DAY(3);
	p = tu_posting("PTS", alice, 50);
	p.counterparty = carol;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	tu_now = DAY(4);
	ck_assert_int_eq(tu_reverse(db, dave_earn.id, 100, "error", NULL, &t),
	    POINTS_OK);
	tu_now = DAY(5);
	ck_assert_int_eq(points_account_update(db, carol, NULL, NULL, "R&D"),
	    POINTS_OK);
	earn_cat(carol, 30, "x", &t);
	tu_now = DAY(6);
	earn_cat(alice, 20, "x", &t);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 10, NULL), POINTS_OK);
	tu_now = DAY(40);
}

START_TEST(test_leaderboard_overall_and_by_group)
{
	board_ledger();
	/* bob and alice tie at 120: bob reached it first */
	ck_assert_str_eq(board(JAN1, MAR1, POINTS_LEADERS_ALL, 0),
	    ":1:E1002:120:2;:2:E1001:120:2;:3:E1003:110:2;:4:E1004:50:1;");
	ck_assert_str_eq(board(JAN1, MAR1, POINTS_LEADERS_ALL, 2),
	    ":1:E1002:120:2;:2:E1001:120:2;");
	/* carol counts in Sales and in R&D, for what she earned in each */
	ck_assert_str_eq(board(JAN1, 0, POINTS_LEADERS_BY_DEPARTMENT, 0),
	    ":1:E1004:50:1;R&D:1:E1002:120:2;R&D:2:E1003:30:1;"
	    "Sales:1:E1001:120:2;Sales:2:E1003:80:1;");
	ck_assert_str_eq(board(JAN1, 0, POINTS_LEADERS_BY_DEPARTMENT, 1),
	    ":1:E1004:50:1;R&D:1:E1002:120:2;Sales:1:E1001:120:2;");
	ck_assert_str_eq(board(JAN1, 0, POINTS_LEADERS_BY_TIER, 0),
	    ":1:E1004:50:1;gold:1:E1001:120:2;silver:1:E1002:120:2;"
	    "silver:2:E1003:110:2;");
	/* the 2nd and 3rd of January; dave's reversal is later */
	ck_assert_str_eq(board(DAY(1) - TU_DAY / 2, DAY(3) - TU_DAY / 2,
	    POINTS_LEADERS_ALL, 0),
	    ":1:E1004:150:1;:2:E1003:80:1;:3:E1002:20:1;");
	/* the reversal alone: nobody earned more than 0 */
	ck_assert_str_eq(board(DAY(4) - 1, DAY(4) + 1, POINTS_LEADERS_ALL, 0),
	    "");
}
END_TEST

/* More accounts than the leaderboard's first table holds at most half
 * full (512): 600 earn 10 + i points, then 1 each again, so that every
 * sum moved to the grown table is found again: each counted once, with
 * both its earns, in order. */
START_TEST(test_leaderboard_of_many_accounts)
{
	enum { N = 600 };
	points_leaderboard_iterator *it;
	points_leader l;
	int64_t acct[N], rank = 0;
	char ext[16];
	int i, rc;

	for (i = 0; i < N; i++) {
		snprintf(ext, sizeof(ext), "L%03d", i);
		acct[i] = tu_account(db, ext);
		ck_assert_int_eq(tu_earn(db, acct[i], "PTS", 10 + i, NULL),
		    POINTS_OK);
	}
	for (i = 0; i < N; i++)
		ck_assert_int_eq(tu_earn(db, acct[i], "PTS", 1, NULL),
		    POINTS_OK);
	ck_assert_int_eq(points_leaderboard_iterator_new(db, "PTS", 0, 0,
	    POINTS_LEADERS_ALL, 0, &it), POINTS_OK);
	while ((rc = points_leaderboard_next(it, &l)) == POINTS_OK) {
		i = N - 1 - (int)rank;
		ck_assert_int_eq(l.rank, ++rank);
		snprintf(ext, sizeof(ext), "L%03d", i);
		ck_assert_str_eq(l.external_id, ext);
		ck_assert_int_eq(l.account, acct[i]);
		ck_assert_int_eq(l.points, 11 + i);
		ck_assert_int_eq(l.entries, 2);
	}
	ck_assert_msg(rc == POINTS_ITEROVER, "%s", points_errmsg(db));
	ck_assert_int_eq(rank, N);
	points_leaderboard_iterator_free(it);
}
END_TEST

START_TEST(test_leaderboard_refuses_bad_arguments)
{
	points_leaderboard_iterator *it;
	points_leader l;

	TU_FAILS(db, points_leaderboard_iterator_new(db, "PTS", 5, 5,
	    POINTS_LEADERS_ALL, 0, &it), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db),
	    "leaderboard: bad time range: from 5, to 5");
	TU_FAILS(db, points_leaderboard_iterator_new(db, "PTS", -1, 0,
	    POINTS_LEADERS_ALL, 0, &it), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db),
	    "leaderboard: bad time range: from -1, to 0");
	TU_FAILS(db, points_leaderboard_iterator_new(db, "PTS", 0, 0, 3, 0,
	    &it), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "leaderboard: unknown grouping 3");
	TU_FAILS(db, points_leaderboard_iterator_new(db, "PTS", 0, 0,
	    POINTS_LEADERS_ALL, -1, &it), POINTS_EINVAL);
	TU_FAILS(db, points_leaderboard_iterator_new(db, NULL, 0, 0,
	    POINTS_LEADERS_ALL, 0, &it), POINTS_EINVAL);
	TU_FAILS(db, points_leaderboard_iterator_new(db, "PTS", 0, 0,
	    POINTS_LEADERS_ALL, 0, NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_leaderboard_iterator_new(db, "NOPE", 0, 0,
	    POINTS_LEADERS_ALL, 0, &it), POINTS_OK);
	ck_assert_int_eq(points_leaderboard_next(it, &l), POINTS_ENOTFOUND);
	points_leaderboard_iterator_free(it);
	points_leaderboard_iterator_free(NULL);
}
END_TEST

/* A seeded random ledger against a model that sums each account's earns
 * and reversals and ranks them as documented. */
START_TEST(test_leaderboard_matches_a_random_model)
{
	unsigned seed = 6100u + (unsigned)_i;
	int64_t ids[NACCT], pts[NACCT], reached[NACCT], cnt[NACCT];
	struct { char id[POINTS_ID_LEN + 1]; int64_t left; int acct; }
	    earns[300];
	int order_[NACCT], nearns = 0, i, j, step;
	char want[4096], *got;
	size_t n = 0;

	srand(seed);
	memset(pts, 0, sizeof(pts));
	memset(reached, 0, sizeof(reached));
	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < NACCT; i++) {
		char ext[16];

		snprintf(ext, sizeof(ext), "L%02d", i);
		ids[i] = tu_account(db, ext);
	}
	tu_now = TU_T0;
	for (step = 0; step < 300; step++) {
		int a = rand() % NACCT, op = rand() % 6;

		if (op < 3) {
			/* small amounts: ties happen */
			int64_t amount = 1 + rand() % 5;
			points_txn t;

			earn_cat(ids[a], amount, "x", &t);
			pts[a] += amount;
			cnt[a]++;
			reached[a] = tu_now;
			strcpy(earns[nearns].id, t.id);
			earns[nearns].left = amount;
			earns[nearns++].acct = a;
		} else if (op == 3 && nearns) {
			int k = rand() % nearns;
			points_txn t;

			if (!earns[k].left)
				continue;
			ck_assert_int_eq(tu_reverse(db, earns[k].id, 1, "x",
			    NULL, &t), POINTS_OK);
			earns[k].left--;
			pts[earns[k].acct]--;
			reached[earns[k].acct] = tu_now;
		} else if (op == 4) {
			tu_now += rand() % 3 * 60;
		}
	}
	/* rank: points, earlier reached, lower id */
	for (i = 0; i < NACCT; i++) {
		for (j = i; j > 0; j--) {
			int x = order_[j - 1], better;

			better = pts[i] != pts[x] ? pts[i] > pts[x] :
			    reached[i] != reached[x] ? reached[i] < reached[x] :
			    ids[i] < ids[x];
			if (!better)
				break;
			order_[j] = x;
		}
		order_[j] = i;
	}
	want[0] = 0;
	for (i = 0, j = 0; i < NACCT; i++) {
		int a = order_[i];

		if (pts[a] <= 0)
			continue;
		n += (size_t)snprintf(want + n, sizeof(want) - n,
		    ":%d:L%02d:%lld:%lld;", ++j, a, (long long)pts[a],
		    (long long)cnt[a]);
	}
	got = board(TU_T0, 0, POINTS_LEADERS_ALL, 0);
	ck_assert_msg(strcmp(got, want) == 0, "seed %u\n got  %s\n want %s",
	    seed, got, want);
}
END_TEST

/* ---- Department and employee summaries ---- */

/* EXP, the range 2 to 16 January (Sales: alice, carol; R&D: bob; dave
 * none):
 *   1 Jan  alice earns 100 expiring on the 11th; bob 50 and carol 40
 *          that never expire                       (before the range)
 *   3 Jan  alice spends 30
 *   4 Jan  carol gives bob 10
 *   6 Jan  dave earns 30; 7 Jan 10 of them reversed
 *  13 Jan  the sweep expires alice's 70
 *  21 Jan  alice earns 5, bob spends 10            (after the range) */
static void
summary_ledger(void)
{
	points_posting p;
	points_txn t;

	ck_assert_int_eq(points_account_update(db, alice, NULL, NULL, "Sales"),
	    POINTS_OK);
	ck_assert_int_eq(points_account_update(db, carol, NULL, NULL, "Sales"),
	    POINTS_OK);
	ck_assert_int_eq(points_account_update(db, bob, NULL, NULL, "R&D"),
	    POINTS_OK);
	tu_now = DAY(0);
	earn_until(alice, "EXP", 100, DAY(10));
	earn_until(bob, "EXP", 50, INT64_MAX);
	earn_until(carol, "EXP", 40, INT64_MAX);
	tu_now = DAY(2);
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 30, NULL), POINTS_OK);
	tu_now = DAY(3);
	p = tu_posting("EXP", carol, 10);
	p.counterparty = bob;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	tu_now = DAY(5);
	p = tu_posting("EXP", dave, 30);
	p.expires_at = INT64_MAX;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	tu_now = DAY(6);
	ck_assert_int_eq(tu_reverse(db, t.id, 10, "error", NULL, &t),
	    POINTS_OK);
	tu_now = DAY(12);
	ck_assert_int_eq(points_expire_sweep(db, tu_now, NULL), POINTS_OK);
	tu_now = DAY(20);
	earn_until(alice, "EXP", 5, INT64_MAX);
	ck_assert_int_eq(tu_spend(db, bob, "EXP", 10, NULL), POINTS_OK);
	tu_now = DAY(25);
}

#define JAN2 (TU_T0 + TU_DAY)
#define JAN16 (TU_T0 + 15 * TU_DAY)

static char *
summary_text(const points_summary *s)
{
	static char text[256];

	snprintf(text, sizeof(text), "%s|%s|%lld|%lld+%lld-%lld-%lld%+lld=%lld",
	    s->department, s->external_id, (long long)s->accounts,
	    (long long)s->start, (long long)s->earned, (long long)s->spent,
	    (long long)s->expired, (long long)s->other, (long long)s->end);
	ck_assert_int_eq(s->start + s->earned - s->spent - s->expired +
	    s->other, s->end);
	return text;
}

static char *
account_summary(int64_t acct, int64_t from, int64_t to)
{
	points_summary s;

	ck_assert_msg(points_account_summary_get(db, acct, "EXP", from, to,
	    &s) == POINTS_OK, "%s", points_errmsg(db));
	ck_assert_str_eq(s.asset, "EXP");
	ck_assert_int_eq(s.account, acct);
	return summary_text(&s);
}

START_TEST(test_employee_summaries)
{
	summary_ledger();
	ck_assert_str_eq(account_summary(alice, JAN2, JAN16),
	    "Sales|E1001|1|100+0-30-70+0=0");
	ck_assert_str_eq(account_summary(bob, JAN2, JAN16),
	    "R&D|E1002|1|50+0-0-0+10=60");
	ck_assert_str_eq(account_summary(carol, JAN2, JAN16),
	    "Sales|E1003|1|40+0-0-0-10=30");
	ck_assert_str_eq(account_summary(dave, JAN2, JAN16),
	    "|E1004|1|0+20-0-0+0=20");
	/* no end: up to now, bob's spend in it */
	ck_assert_str_eq(account_summary(bob, JAN2, 0),
	    "R&D|E1002|1|50+0-10-0+10=50");
	/* from the start of time */
	ck_assert_str_eq(account_summary(alice, 0, 0),
	    "Sales|E1001|1|0+105-30-70+0=5");
}
END_TEST

START_TEST(test_department_summaries)
{
	points_summary_iterator *it;
	points_summary s;
	char text[1024];
	size_t n = 0;
	int rc;

	summary_ledger();
	ck_assert_int_eq(points_department_summary_iterator_new(db, "EXP",
	    JAN2, JAN16, &it), POINTS_OK);
	while ((rc = points_department_summary_next(it, &s)) == POINTS_OK) {
		ck_assert_int_eq(s.account, 0);
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s;",
		    summary_text(&s));
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	points_department_summary_iterator_free(it);
	ck_assert_str_eq(text, "||1|0+20-0-0+0=20;R&D||1|50+0-0-0+10=60;"
	    "Sales||2|140+0-30-70-10=30;");
}
END_TEST

/* 1,100 accounts in 10 departments (past the first table of accounts
 * and of department names the summary makes, so both grow while it
 * counts): each department's row sums its own 110 accounts exactly, as
 * a model adds them up. */
START_TEST(test_department_summary_of_many_accounts_and_departments)
{
	enum { N_ACCTS = 1100, N_DEPTS = 10 };
	int64_t want[N_DEPTS] = { 0 };
	points_summary_iterator *it;
	points_summary s;
	char ext[16], dept[16];
	int64_t id;
	int i, rc, rows = 0;

	ck_assert_int_eq(points_asset_create(db, "BIG", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	for (i = 0; i < N_ACCTS; i++) {
		snprintf(ext, sizeof(ext), "A%04d", i);
		snprintf(dept, sizeof(dept), "D%d", i % N_DEPTS);
		ck_assert_int_eq(points_account_create(db, ext, NULL, 0, &id),
		    POINTS_OK);
		ck_assert_int_eq(points_account_update(db, id, NULL, NULL,
		    dept), POINTS_OK);
		ck_assert_int_eq(tu_earn(db, id, "BIG", i % 7 + 1, NULL),
		    POINTS_OK);
		want[i % N_DEPTS] += i % 7 + 1;
	}
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	ck_assert_int_eq(points_department_summary_iterator_new(db, "BIG", 0,
	    0, &it), POINTS_OK);
	while ((rc = points_department_summary_next(it, &s)) == POINTS_OK) {
		ck_assert_int_lt(rows, N_DEPTS);
		snprintf(dept, sizeof(dept), "D%d", rows);
		ck_assert_str_eq(s.department, dept);
		ck_assert_int_eq(s.accounts, N_ACCTS / N_DEPTS);
		ck_assert_int_eq(s.start, 0);
		ck_assert_int_eq(s.earned, want[rows]);
		ck_assert_int_eq(s.end, want[rows]);
		rows++;
	}
	ck_assert_msg(rc == POINTS_ITEROVER, "%s", points_errmsg(db));
	ck_assert_int_eq(rows, N_DEPTS);
	points_department_summary_iterator_free(it);
}
END_TEST

START_TEST(test_summaries_refuse_bad_arguments)
{
	points_summary_iterator *it;
	points_summary s;

	TU_FAILS(db, points_account_summary_get(db, alice, "EXP", 10, 5, &s),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db),
	    "summary: bad time range: from 10, to 5");
	TU_FAILS(db, points_account_summary_get(db, 999, "EXP", 0, 0, &s),
	    POINTS_ENOTFOUND);
	TU_FAILS(db, points_account_summary_get(db, alice, "NOPE", 0, 0, &s),
	    POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "asset NOPE not found");
	TU_FAILS(db, points_account_summary_get(db, alice, "EXP", 0, 0, NULL),
	    POINTS_EINVAL);
	TU_FAILS(db, points_department_summary_iterator_new(db, "EXP", -1, 0,
	    &it), POINTS_EINVAL);
	TU_FAILS(db, points_department_summary_iterator_new(db, NULL, 0, 0,
	    &it), POINTS_EINVAL);
	ck_assert_int_eq(points_department_summary_iterator_new(db, "NOPE", 0,
	    0, &it), POINTS_OK);
	ck_assert_int_eq(points_department_summary_next(it, &s),
	    POINTS_ENOTFOUND);
	points_department_summary_iterator_free(it);
	points_department_summary_iterator_free(NULL);
}
END_TEST

/* ---- Recommendations ---- */

/* A catalogue of PTS items (MUG 100, PEN 30, BAG 500, CAP 50, TEA 20)
 * and orders: alice (Sales, gold) 1 MUG; bob (Sales, silver) 1 MUG, 2
 * PEN, 1 CAP and 1 BAG he cancels; dave (Sales) 1 PEN, 3 TEA; carol
 * (R&D, gold) 1 MUG, 1 BAG.  Alice keeps 100 points. */
static void
shop_ledger(void)
{
	points_order o;
	points_txn t;

	ck_assert_int_eq(points_tier_set(db, "silver", 1, 100), POINTS_OK);
	ck_assert_int_eq(points_tier_set(db, "gold", 2, 100), POINTS_OK);
	ck_assert_int_eq(points_account_update(db, alice, NULL, "gold",
	    "Sales"), POINTS_OK);
	ck_assert_int_eq(points_account_update(db, bob, NULL, "silver",
	    "Sales"), POINTS_OK);
	ck_assert_int_eq(points_account_update(db, dave, NULL, NULL, "Sales"),
	    POINTS_OK);
	ck_assert_int_eq(points_account_update(db, carol, NULL, "gold", "R&D"),
	    POINTS_OK);
	earn_cat(alice, 200, "x", &t);
	earn_cat(bob, 1000, "x", &t);
	earn_cat(carol, 1000, "x", &t);
	earn_cat(dave, 1000, "x", &t);
	item("MUG", "kitchen", 100);
	item("PEN", "office", 30);
	item("BAG", "travel", 500);
	item("CAP", "wear", 50);
	item("TEA", "kitchen", 20);
	(void)order(alice, "MUG", 1);
	(void)order(bob, "MUG", 1);
	(void)order(bob, "PEN", 2);
	(void)order(bob, "CAP", 1);
	o = order(bob, "BAG", 1);
	ck_assert_int_eq(points_order_cancel(db, o.id, "ops", "changed mind",
	    &o), POINTS_OK);
	(void)order(dave, "PEN", 1);
	(void)order(dave, "TEA", 3);
	(void)order(carol, "MUG", 1);
	(void)order(carol, "BAG", 1);
}

/* "SKU:score:price " of each recommendation. */
static char *
recommend(int64_t acct, int kind, int64_t n)
{
	static char text[1024];
	points_recommendation_iterator *it;
	points_recommendation r;
	size_t len = 0;
	int64_t rank = 0;
	int rc;

	text[0] = 0;
	ck_assert_int_eq(points_recommendation_iterator_new(db, acct, kind, n,
	    &it), POINTS_OK);
	while ((rc = points_recommendation_next(it, &r)) == POINTS_OK) {
		ck_assert_int_eq(r.rank, ++rank);
		ck_assert_str_eq(r.name, r.sku);
		ck_assert_str_eq(r.asset, "PTS");
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "%s:%lld:%lld ", r.sku, (long long)r.score,
		    (long long)r.price);
	}
	ck_assert_msg(rc == POINTS_ITEROVER, "%s", points_errmsg(db));
	points_recommendation_iterator_free(it);
	return text;
}

START_TEST(test_recommendations_on_a_small_catalogue)
{
	points_item cap;
	int64_t erin;

	shop_ledger();
	/* alice has 100: MUG, PEN and TEA sold 3 units each, CAP 1; no BAG */
	ck_assert_str_eq(recommend(alice, POINTS_RECOMMEND_AFFORDABLE, 0),
	    "MUG:3:100 PEN:3:30 TEA:3:20 CAP:1:50 ");
	ck_assert_str_eq(recommend(alice, POINTS_RECOMMEND_AFFORDABLE, 2),
	    "MUG:3:100 PEN:3:30 ");
	/* Sales (bob, dave) ordered PEN 3, TEA 3, CAP 1; her MUG left out,
	 * bob's cancelled BAG too */
	ck_assert_str_eq(recommend(alice, POINTS_RECOMMEND_DEPARTMENT, 0),
	    "PEN:3:30 TEA:3:20 CAP:1:50 ");
	ck_assert_str_eq(recommend(alice, POINTS_RECOMMEND_DEPARTMENT, 1),
	    "PEN:3:30 ");
	/* gold: carol's BAG */
	ck_assert_str_eq(recommend(alice, POINTS_RECOMMEND_TIER, 0),
	    "BAG:1:500 ");
	/* bob and carol ordered her MUG: BAG (carol), CAP and PEN (bob) */
	ck_assert_str_eq(recommend(alice, POINTS_RECOMMEND_ALSO_REDEEMED, 0),
	    "BAG:1:500 CAP:1:50 PEN:1:30 ");
	/* dave's PEN: bob ordered it, and MUG and CAP */
	ck_assert_str_eq(recommend(dave, POINTS_RECOMMEND_ALSO_REDEEMED, 0),
	    "CAP:1:50 MUG:1:100 ");
	/* an item taken off the list is not suggested */
	ck_assert_int_eq(points_item_set_listed(db, "CAP", 0, "admin", NULL,
	    &cap), POINTS_OK);
	ck_assert_str_eq(recommend(alice, POINTS_RECOMMEND_ALSO_REDEEMED, 0),
	    "BAG:1:500 PEN:1:30 ");
	/* no department, no tier, no orders: nothing to go on */
	erin = tu_account(db, "E1005");
	ck_assert_str_eq(recommend(erin, POINTS_RECOMMEND_DEPARTMENT, 0), "");
	ck_assert_str_eq(recommend(erin, POINTS_RECOMMEND_TIER, 0), "");
	ck_assert_str_eq(recommend(erin, POINTS_RECOMMEND_ALSO_REDEEMED, 0),
	    "");
	ck_assert_str_eq(recommend(erin, POINTS_RECOMMEND_AFFORDABLE, 0), "");
}
END_TEST

/* Past the first chunks of the order table (64 orders) and of each
 * list's first room (16 skus): 20 items of 10 points, bob (Sales)
 * orders I00..I19 in turn 70 times (4 each of I00..I09, 3 of the rest),
 * carol (R&D) orders I00: every order counts, ties by SKU. */
START_TEST(test_recommendations_count_every_order_of_many)
{
	char sku[16], want[1024];
	points_txn t;
	size_t len;
	int i;

	ck_assert_int_eq(points_account_update(db, alice, NULL, NULL,
	    "Sales"), POINTS_OK);
	ck_assert_int_eq(points_account_update(db, bob, NULL, NULL, "Sales"),
	    POINTS_OK);
	ck_assert_int_eq(points_account_update(db, carol, NULL, NULL, "R&D"),
	    POINTS_OK);
	earn_cat(alice, 10, "x", &t);
	earn_cat(bob, 700, "x", &t);
	earn_cat(carol, 10, "x", &t);
	for (i = 0; i < 20; i++) {
		snprintf(sku, sizeof(sku), "I%02d", i);
		item(sku, "c", 10);
	}
	for (i = 0; i < 70; i++) {
		snprintf(sku, sizeof(sku), "I%02d", i % 20);
		(void)order(bob, sku, 1);
	}
	(void)order(carol, "I00", 1);
	/* alice: every unit sold */
	len = 0;
	for (i = 0; i < 20; i++)
		len += (size_t)snprintf(want + len, sizeof(want) - len,
		    "I%02d:%d:10 ", i, i == 0 ? 5 : i < 10 ? 4 : 3);
	ck_assert_str_eq(recommend(alice, POINTS_RECOMMEND_AFFORDABLE, 0),
	    want);
	/* her department: bob's units only */
	len = 0;
	for (i = 0; i < 20; i++)
		len += (size_t)snprintf(want + len, sizeof(want) - len,
		    "I%02d:%d:10 ", i, i < 10 ? 4 : 3);
	ck_assert_str_eq(recommend(alice, POINTS_RECOMMEND_DEPARTMENT, 0),
	    want);
	/* carol's I00: bob ordered it, and each of the others once */
	len = 0;
	for (i = 1; i < 20; i++)
		len += (size_t)snprintf(want + len, sizeof(want) - len,
		    "I%02d:1:10 ", i);
	ck_assert_str_eq(recommend(carol, POINTS_RECOMMEND_ALSO_REDEEMED, 0),
	    want);
	ck_assert_str_eq(recommend(carol, POINTS_RECOMMEND_ALSO_REDEEMED, 2),
	    "I01:1:10 I02:1:10 ");
}
END_TEST

/* Nothing to report: every report of an empty ledger is empty (its
 * rows never made: the sorts must not be given a NULL array). */
START_TEST(test_reports_of_nothing_are_empty)
{
	points_report_iterator *ri;
	points_leaderboard_iterator *li;
	points_recommendation_iterator *ci;
	points_report_row row;
	points_leader l;
	points_recommendation r;
	int kind;

	for (kind = POINTS_REPORT_ISSUED_BY_CATEGORY;
	    kind <= POINTS_REPORT_POPULAR_ITEMS; kind++) {
		ck_assert_int_eq(points_report_iterator_new(db, kind, "PTS", 0,
		    0, POINTS_PERIOD_MONTH, 0, &ri), POINTS_OK);
		ck_assert_int_eq(points_report_next(ri, &row), POINTS_ITEROVER);
		points_report_iterator_free(ri);
	}
	ck_assert_int_eq(points_leaderboard_iterator_new(db, "PTS", 0, 0,
	    POINTS_LEADERS_ALL, 10, &li), POINTS_OK);
	ck_assert_int_eq(points_leaderboard_next(li, &l), POINTS_ITEROVER);
	points_leaderboard_iterator_free(li);
	for (kind = POINTS_RECOMMEND_AFFORDABLE;
	    kind <= POINTS_RECOMMEND_ALSO_REDEEMED; kind++) {
		ck_assert_int_eq(points_recommendation_iterator_new(db, alice,
		    kind, 5, &ci), POINTS_OK);
		ck_assert_int_eq(points_recommendation_next(ci, &r),
		    POINTS_ITEROVER);
		points_recommendation_iterator_free(ci);
	}
}
END_TEST

START_TEST(test_recommendations_refuse_bad_arguments)
{
	points_recommendation_iterator *it;
	points_recommendation r;

	TU_FAILS(db, points_recommendation_iterator_new(db, alice, 0, 0, &it),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "recommendations: unknown kind 0");
	TU_FAILS(db, points_recommendation_iterator_new(db, alice,
	    POINTS_RECOMMEND_TIER, -1, &it), POINTS_EINVAL);
	TU_FAILS(db, points_recommendation_iterator_new(db, alice,
	    POINTS_RECOMMEND_TIER, 0, NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_recommendation_iterator_new(db, 999,
	    POINTS_RECOMMEND_TIER, 0, &it), POINTS_OK);
	ck_assert_int_eq(points_recommendation_next(it, &r), POINTS_ENOTFOUND);
	points_recommendation_iterator_free(it);
	points_recommendation_iterator_free(NULL);
}
END_TEST

static Suite *
report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("liability");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_liability_of_a_small_ledger);
	tcase_add_test(tc, test_forecast_of_a_small_ledger);
	tcase_add_test(tc, test_reports_refuse_bad_arguments);
	tcase_add_loop_test(tc, test_reports_match_a_random_model, 0, 4);
	suite_add_tcase(s, tc);
	tc = tcase_create("flows");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_issued_by_category_and_rule);
	tcase_add_test(tc, test_issued_by_rule_of_memos_like_an_event);
	tcase_add_test(tc, test_issued_by_rule_less_reversals);
	tcase_add_test(tc, test_redeemed_by_item_and_category);
	tcase_add_test(tc, test_popular_items_by_week);
	tcase_add_test(tc, test_redemption_rate_by_department);
	tcase_add_test(tc, test_report_refuses_bad_arguments);
	tcase_add_loop_test(tc, test_flows_match_a_random_model, 0, 4);
	suite_add_tcase(s, tc);
	tc = tcase_create("leaderboard");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_leaderboard_overall_and_by_group);
	tcase_add_test(tc, test_leaderboard_refuses_bad_arguments);
	tcase_add_test(tc, test_leaderboard_of_many_accounts);
	tcase_add_loop_test(tc, test_leaderboard_matches_a_random_model, 0, 4);
	suite_add_tcase(s, tc);
	tc = tcase_create("summary");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_employee_summaries);
	tcase_add_test(tc, test_department_summaries);
	tcase_add_test(tc, test_summaries_refuse_bad_arguments);
	tcase_add_test(tc,
	    test_department_summary_of_many_accounts_and_departments);
	suite_add_tcase(s, tc);
	tc = tcase_create("recommend");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_recommendations_on_a_small_catalogue);
	tcase_add_test(tc, test_recommendations_count_every_order_of_many);
	tcase_add_test(tc, test_recommendations_refuse_bad_arguments);
	tcase_add_test(tc, test_reports_of_nothing_are_empty);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(report_suite());
}
