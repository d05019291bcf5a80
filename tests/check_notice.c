/* check_notice.c - notices of points about to expire: the expiry sweep
 * writes one outbox event per lot expiring within the asset's window,
 * once per lot and window; the window's setting and its refusals (with
 * nothing written); and a seeded random run of earns, spends and sweeps
 * against a small model of the lots.  The ledgers are "memory:" (make
 * check-c runs the suite on SQLite too); the invariants and
 * points_verify hold after every test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static points_db *db;
static int64_t alice, bob;
static int64_t seen; /* the last outbox event read */

static void
setup(void)
{
	tu_now = TU_T0 + 10 * 3600;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
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

/* The last second of day d after TU_T0's (UTC, the test ledgers'
 * offset). */
static int64_t
end_of(int64_t d)
{
	return TU_T0 + (d + 1) * TU_DAY - 1;
}

static void
earn_until(int64_t acct, int64_t amount, int64_t expires_at)
{
	points_posting p = tu_posting("PTS", acct, amount);
	points_txn t;

	p.expires_at = expires_at;
	ck_assert_msg(points_earn(db, &p, &t) == POINTS_OK, "%s",
	    points_errmsg(db));
}

static void
sweep(void)
{
	points_sweep_report r;

	ck_assert_msg(points_expire_sweep(db, tu_now, &r) == POINTS_OK, "%s",
	    points_errmsg(db));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the ';'-ended items of buf (the sweep tells of an account's lots
 * in day order, accounts by their earliest lot: a model need not know). */
static void
sort_items(char *buf)
{
	char copy[2048], *items[64], *p, out[2048] = "";
	int n = 0, i;

	ck_assert_uint_lt(strlen(buf), sizeof(copy));
	strcpy(copy, buf);
	for (p = copy; *p && n < 64; ) {
		char *e = strchr(p, ';');

		ck_assert_ptr_nonnull(e);
		*e = 0;
		items[n++] = p;
		p = e + 1;
	}
	qsort(items, (size_t)n, sizeof(items[0]), cmp_str);
	for (i = 0; i < n; i++) {
		strcat(out, items[i]);
		strcat(out, ";");
	}
	strcpy(buf, out);
}

/* The notices written since the last call, as "account:amount:
 * expires_at day:days_left:window;" in buf, sorted; their number. */
static int
notices(char *buf, size_t cap)
{
	points_outbox_event e;
	int n = 0;

	buf[0] = 0;
	while (points_outbox_next(db, seen, &e) == POINTS_OK) {
		seen = e.seq;
		if (strcmp(e.kind, POINTS_OUTBOX_POINTS_EXPIRING))
			continue;
		{
			long long amount, at, left, win;
			const char *p;
			char one[96];

			ck_assert_str_eq(e.subject, "PTS");
			p = strstr(e.data, "\"amount\":");
			ck_assert_ptr_nonnull(p);
			ck_assert_int_eq(sscanf(p, "\"amount\":%lld,"
			    "\"expires_at\":%lld,\"days_left\":%lld,"
			    "\"window\":%lld", &amount, &at, &left, &win), 4);
			/* the account as its id in a log of one
			 * partition: alice 4, bob 5 */
			snprintf(one, sizeof(one), "%lld:%lld:%lld:%lld:%lld;",
			    (long long)(e.account - alice + 4), amount,
			    (at - TU_T0) / TU_DAY, left, win);
			strncat(buf, one, cap - strlen(buf) - 1);
		}
		n++;
	}
	sort_items(buf);
	return n;
}

START_TEST(test_sweep_tells_once_per_lot_and_window)
{
	char buf[512];
	int64_t d;

	earn_until(alice, 10, end_of(2));
	earn_until(alice, 20, end_of(7));
	earn_until(alice, 30, end_of(8));
	earn_until(bob, 40, end_of(5));
	earn_until(bob, 50, 0); /* never expires */
	/* no window: nothing */
	sweep();
	ck_assert_int_eq(notices(buf, sizeof(buf)), 0);
	ck_assert_int_eq(points_outbox_expiring_set(db, "PTS", 7), POINTS_OK);
	ck_assert_int_eq(points_outbox_expiring_get(db, "PTS", &d), POINTS_OK);
	ck_assert_int_eq(d, 7);
	/* day 0: days 0 to 7 */
	sweep();
	ck_assert_int_eq(notices(buf, sizeof(buf)), 3);
	ck_assert_str_eq(buf, "4:10:2:2:7;4:20:7:7:7;5:40:5:5:7;");
	/* again: nothing new */
	sweep();
	ck_assert_int_eq(notices(buf, sizeof(buf)), 0);
	/* day 1: the lot of day 8 comes in */
	tu_now += TU_DAY;
	sweep();
	ck_assert_int_eq(notices(buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "4:30:8:7:7;");
	/* points added to a lot told of: no new notice */
	earn_until(alice, 5, end_of(8));
	sweep();
	ck_assert_int_eq(notices(buf, sizeof(buf)), 0);
	/* a new window tells of every lot in it again */
	ck_assert_int_eq(points_outbox_expiring_set(db, "PTS", 3), POINTS_OK);
	sweep();
	ck_assert_int_eq(notices(buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "4:10:2:1:3;");
	/* a spent lot is not told of; the window off */
	tu_now += 2 * TU_DAY; /* day 3: the lot of day 2 expired */
	ck_assert_int_eq(tu_spend(db, bob, "PTS", 40, NULL), POINTS_OK);
	sweep();
	ck_assert_int_eq(notices(buf, sizeof(buf)), 0);
	ck_assert_int_eq(points_outbox_expiring_set(db, "PTS", 0), POINTS_OK);
	ck_assert_int_eq(points_outbox_expiring_get(db, "PTS", &d), POINTS_OK);
	ck_assert_int_eq(d, 0);
	tu_now += 3 * TU_DAY;
	sweep();
	ck_assert_int_eq(notices(buf, sizeof(buf)), 0);
	/* the sweep of another asset tells nothing of PTS */
	ck_assert_int_eq(points_outbox_expiring_set(db, "PTS", 5), POINTS_OK);
	{
		points_sweep_report r;

		ck_assert_int_eq(points_expire_sweep_asset(db, "EXP", tu_now, 0,
		    &r), POINTS_OK);
		ck_assert_int_eq(notices(buf, sizeof(buf)), 0);
		ck_assert_int_eq(points_expire_sweep_asset(db, "PTS", tu_now, 0,
		    &r), POINTS_OK);
		ck_assert_int_eq(notices(buf, sizeof(buf)), 2);
	}
}
END_TEST

START_TEST(test_window_refusals_write_nothing)
{
	int64_t d;

	TU_FAILS(db, points_outbox_expiring_set(db, "PTS", -1), POINTS_EINVAL);
	TU_FAILS(db, points_outbox_expiring_set(db, "PTS",
	    POINTS_EXPIRING_DAYS_MAX + 1), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "PTS"));
	TU_FAILS(db, points_outbox_expiring_set(db, "NOPE", 3),
	    POINTS_ENOTFOUND);
	TU_FAILS(db, points_outbox_expiring_set(db, NULL, 3), POINTS_EINVAL);
	ck_assert_int_eq(points_outbox_expiring_get(db, "NOPE", &d),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(points_outbox_expiring_get(db, "PTS", NULL),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_outbox_expiring_set(db, "PTS",
	    POINTS_EXPIRING_DAYS_MAX), POINTS_OK);
}
END_TEST

/* ---- A seeded random run against a model ----
 * Two accounts earn lots expiring on days 0-20 and spend (earliest
 * expiring first); sweeps run on random days with a window of 2-6 days,
 * changed now and then.  The model (points/outbox.h): at a sweep on day
 * t with window w, each lot of day t..t+w with points, not told of with
 * w before, is told of with its amount then. */
#define M_DAYS 40

START_TEST(test_random_against_model)
{
	int64_t acct[2] = { alice, bob };
	int64_t lot[2][M_DAYS];
	int told[2][M_DAYS][8]; /* [window] */
	int64_t day = 0, w = 3;
	unsigned seed = 4000u + (unsigned)_i;
	int step, a, d;

	srand(seed);
	memset(lot, 0, sizeof(lot));
	memset(told, 0, sizeof(told));
	ck_assert_int_eq(points_outbox_expiring_set(db, "PTS", w), POINTS_OK);
	for (step = 0; step < 150; step++) {
		int op = rand() % 4;

		a = rand() % 2;
		/* points past their day are gone */
		for (d = 0; d < day && d < M_DAYS; d++)
			lot[a][d] = 0;
		if (op == 0) {
			int64_t amt = 1 + rand() % 50;

			d = (int)day + rand() % 20;
			if (d >= M_DAYS)
				continue;
			earn_until(acct[a], amt, end_of(d));
			lot[a][d] += amt;
		} else if (op == 1) {
			int64_t have = 0, amt;

			for (d = (int)day; d < M_DAYS; d++)
				have += lot[a][d];
			if (have == 0)
				continue;
			amt = 1 + rand() % have;
			ck_assert_int_eq(tu_spend(db, acct[a], "PTS", amt, NULL),
			    POINTS_OK);
			for (d = (int)day; d < M_DAYS && amt; d++) {
				int64_t take = lot[a][d] < amt ? lot[a][d] : amt;

				lot[a][d] -= take;
				amt -= take;
			}
		} else if (op == 2) {
			char buf[2048], want[2048] = "";
			int i;

			if (rand() % 4 == 0) {
				w = 2 + rand() % 5;
				ck_assert_int_eq(points_outbox_expiring_set(db,
				    "PTS", w), POINTS_OK);
			}
			sweep();
			for (d = (int)day; d <= day + w && d < M_DAYS; d++)
				for (i = 0; i < 2; i++) {
					char one[96];

					if (lot[i][d] <= 0 || told[i][d][w])
						continue;
					told[i][d][w] = 1;
					snprintf(one, sizeof(one), "%lld:%lld:"
					    "%d:%lld:%lld;",
					    (long long)(acct[i] - alice + 4),
					    (long long)lot[i][d], d,
					    (long long)(d - day), (long long)w);
					strcat(want, one);
				}
			notices(buf, sizeof(buf));
			sort_items(want);
			ck_assert_msg(strcmp(buf, want) == 0, "seed %u step %d "
			    "day %lld: told '%s', want '%s'", seed, step,
			    (long long)day, buf, want);
		} else {
			day += rand() % 3;
			tu_now = TU_T0 + day * TU_DAY + 3600;
			for (a = 0; a < 2; a++)
				for (d = 0; d < day && d < M_DAYS; d++)
					lot[a][d] = 0;
		}
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("notice");
	TCase *tc = tcase_create("notice");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sweep_tells_once_per_lot_and_window);
	tcase_add_test(tc, test_window_refusals_write_nothing);
	tcase_add_loop_test(tc, test_random_against_model, 0, 6);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
