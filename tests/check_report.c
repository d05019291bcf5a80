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
	return s;
}

int
main(void)
{
	return tu_run(report_suite());
}
