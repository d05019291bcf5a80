/* check_ids.c - transaction ids (UUIDv7): they take the ledger's clock,
 * as entry times do, and increase within a handle even when that clock
 * stands still or goes back; a system clock that cannot be read fails
 * the write instead of giving an id a random time.
 *
 * clock_gettime is stood in for by this file (the test binary's own
 * definition comes before libc's), passing every call through unless a
 * test arms it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uuid/uuid.h>

#include "testutil.h"
#include "util/ids.h"

static int fail_realtime; /* clock_gettime(CLOCK_REALTIME) fails */

int
clock_gettime(clockid_t id, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);

	if (fail_realtime && id == CLOCK_REALTIME) {
		errno = EINVAL;
		return -1;
	}
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "clock_gettime");
	return real(id, ts);
}

static points_db *db;
static int64_t alice;

static void
setup(void)
{
	tu_now = TU_T0;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
}

static void
teardown(void)
{
	fail_realtime = 0;
	if (db) {
		tu_invariants(db);
		points_close(db);
		db = NULL;
	}
	tu_snap_free();
}

/* The 48-bit millisecond time at the head of an id's text. */
static uint64_t
id_ms(const char *id)
{
	unsigned char u[POINTS_UUID_LEN];
	uint64_t ms = 0;
	int i;

	ck_assert_int_eq(points_ids__parse(id, u), 0);
	for (i = 0; i < 6; i++)
		ms = ms << 8 | u[i];
	ck_assert_uint_eq(u[6] >> 4, 7);      /* version 7 */
	ck_assert_uint_eq(u[8] >> 6, 2);      /* variant 10 */
	return ms;
}

/* An id carries the ledger's time, as the entry does: with an injected
 * clock the system's has nothing to say (it did: ids took the system
 * clock while entries took the injected one). */
START_TEST(test_ids_take_the_ledger_clock)
{
	points_txn t;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, &t), POINTS_OK);
	ck_assert_int_eq(t.time, TU_T0);
	ck_assert_uint_eq(id_ms(t.id), (uint64_t)TU_T0 * 1000);
	tu_now += 3600;
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, &t), POINTS_OK);
	ck_assert_uint_eq(id_ms(t.id), (uint64_t)(TU_T0 + 3600) * 1000);
}
END_TEST

/* Ids of one handle increase, whatever the clock does: it stands still
 * for more ids than the counter holds (4096 a millisecond), then goes
 * back a day.  Their times stay the clock's until the counter runs out,
 * then move a millisecond at a time. */
START_TEST(test_ids_increase_when_the_clock_stands_still_or_goes_back)
{
	char prev[POINTS_ID_LEN + 1] = "";
	points_txn t;
	int i, n = 5000;

	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	for (i = 0; i < n; i++) {
		if (i == n / 2)
			tu_now -= TU_DAY;
		ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, &t), POINTS_OK);
		ck_assert_msg(strcmp(prev, t.id) < 0, "id %d (%s) is not after "
		    "the one before (%s)", i, t.id, prev);
		strcpy(prev, t.id);
		ck_assert_uint_ge(id_ms(t.id), (uint64_t)TU_T0 * 1000);
		ck_assert_uint_le(id_ms(t.id), (uint64_t)TU_T0 * 1000 + 2);
	}
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	/* the clock moves on: so do the ids' times */
	tu_now = TU_T0 + 10;
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, &t), POINTS_OK);
	ck_assert_uint_eq(id_ms(t.id), (uint64_t)(TU_T0 + 10) * 1000);
	ck_assert(strcmp(prev, t.id) < 0);
}
END_TEST

/* The generator itself: times past 48 bits are clamped, a counter that
 * runs out moves the time on, every id has version 7 and variant 10. */
START_TEST(test_uuid7_counter_and_bounds)
{
	points_rng r;
	unsigned char u[POINTS_UUID_LEN], last[POINTS_UUID_LEN];
	char text[POINTS_UUID_TEXT + 1];
	int i;

	points_ids__seed(&r);
	points_ids__uuid7(&r, 1000, last);
	for (i = 0; i < 10000; i++) {
		points_ids__uuid7(&r, i % 3 ? 1000 : 999, u);
		ck_assert_msg(memcmp(last, u, sizeof(u)) < 0, "id %d", i);
		memcpy(last, u, sizeof(u));
	}
	points_ids__format(u, text);
	/* 10,001 ids: past one millisecond's 4096, at most 3 ms on */
	ck_assert_uint_ge(id_ms(text), 1001);
	ck_assert_uint_le(id_ms(text), 1003);
	points_ids__uuid7(&r, UINT64_MAX, u);
	points_ids__format(u, text);
	ck_assert_uint_eq(id_ms(text), POINTS_UUID_MS_MAX);
	ck_assert(memcmp(last, u, sizeof(u)) < 0);
	points_ids__wipe(&r);
}
END_TEST

/* Seeded random times, against a model of the rule ids.h documents:
 * an id at a time past the last one's has that time; one at or before
 * it has the last one's time, or a millisecond more once the counter
 * ran out, which takes more than 2,048 ids (the counter starts in its
 * lower half); every id is after the one before. */
START_TEST(test_uuid7_against_a_model)
{
	points_rng r;
	unsigned char u[POINTS_UUID_LEN], last[POINTS_UUID_LEN];
	char text[POINTS_UUID_TEXT + 1];
	uint64_t ms = 1700000000000ULL, model = 0, got;
	long same = 0, i;

	srand(4242);
	points_ids__seed(&r);
	memset(last, 0, sizeof(last));
	for (i = 0; i < 200000; i++) {
		int pick = rand() % 100;

		if (pick < 2)
			ms -= (uint64_t)(rand() % 5000); /* back */
		else if (pick < 6)
			ms += (uint64_t)(rand() % 3); /* on */
		/* else: the clock stands still */
		points_ids__uuid7(&r, ms, u);
		points_ids__format(u, text);
		got = id_ms(text);
		if (ms > model) {
			ck_assert_uint_eq(got, ms);
			model = ms;
			same = 0;
		} else {
			same++;
			ck_assert_msg(got == model || (got == model + 1 &&
			    same > 2048), "step %ld: time %llu, model %llu "
			    "after %ld", i, (unsigned long long)got,
			    (unsigned long long)model, same);
			if (got != model)
				same = 0;
			model = got;
		}
		ck_assert_msg(memcmp(last, u, sizeof(u)) < 0, "step %ld", i);
		memcpy(last, u, sizeof(u));
	}
	points_ids__wipe(&r);
}
END_TEST

/* The id parser is our own (libuuid's costs an event ten times as
 * much): it takes exactly what uuid_parse(3) takes of a 36-byte text,
 * over formatted ids, their upper case, and texts with one byte changed
 * to a random one or cut short. */
START_TEST(test_parse_agrees_with_libuuid)
{
	static const char pool[] = "0123456789abcdefABCDEFgG-x \xff";
	points_rng r;
	unsigned char u[POINTS_UUID_LEN], a[POINTS_UUID_LEN],
	    b[POINTS_UUID_LEN];
	char text[POINTS_UUID_TEXT + 2];
	long i, ok = 0, bad = 0;

	srand(777);
	points_ids__seed(&r);
	for (i = 0; i < 100000; i++) {
		int want, got;
		size_t k;

		points_ids__uuid7(&r, 1700000000000ULL + (uint64_t)i, u);
		points_ids__format(u, text);
		if (i % 2 == 0) {
			ck_assert_int_eq(points_ids__parse(text, a), 0);
			ck_assert_mem_eq(a, u, sizeof(u));
		}
		switch (rand() % 4) {
		case 0: /* upper case */
			for (k = 0; k < POINTS_UUID_TEXT; k++)
				if (text[k] >= 'a' && text[k] <= 'f')
					text[k] = (char)(text[k] - 32);
			break;
		case 1: /* a byte changed */
			text[rand() % POINTS_UUID_TEXT] =
			    pool[rand() % (sizeof(pool) - 1)];
			break;
		case 2: /* cut short, or one byte too many */
			if (rand() % 2)
				text[rand() % POINTS_UUID_TEXT] = '\0';
			else
				strcpy(text + POINTS_UUID_TEXT, "0");
			break;
		default:
			break;
		}
		want = strlen(text) == POINTS_UUID_TEXT &&
		    uuid_parse(text, b) == 0 ? 0 : -1;
		got = points_ids__parse(text, a);
		ck_assert_msg(got == want, "'%s': ours %d, libuuid %d", text,
		    got, want);
		if (got == 0) {
			ck_assert_mem_eq(a, b, sizeof(a));
			ok++;
		} else {
			bad++;
		}
	}
	ck_assert_int_gt(ok, 50000);
	ck_assert_int_gt(bad, 10000);
	points_ids__wipe(&r);
}
END_TEST

/* With the system clock, an id takes its milliseconds from
 * clock_gettime; when that fails the write fails (POINTS_ESTORAGE, with
 * a message) and writes nothing, where it gave the id whatever was on
 * the stack. */
START_TEST(test_unreadable_system_clock_fails_the_write)
{
	points_db *d;
	points_txn t;
	int64_t a;

	ck_assert_int_eq(points_open("memory:", NULL, &d), POINTS_OK);
	ck_assert_int_eq(points_asset_create(d, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	a = tu_account(d, "E1");
	ck_assert_int_eq(tu_earn(d, a, "PTS", 5, &t), POINTS_OK);
	ck_assert_uint_le(id_ms(t.id) / 1000 - (uint64_t)t.time, 1);
	fail_realtime = 1;
	TU_FAILS(d, tu_earn(d, a, "PTS", 5, &t), POINTS_ESTORAGE);
	ck_assert_str_eq(points_errmsg(d), "the system clock cannot be read "
	    "(clock_gettime: Invalid argument)");
	fail_realtime = 0;
	ck_assert_int_eq(tu_earn(d, a, "PTS", 5, &t), POINTS_OK);
	ck_assert_int_eq(tu_available(d, a, "PTS"), 10);
	tu_invariants(d);
	points_close(d);
}
END_TEST

static Suite *
ids_suite(void)
{
	Suite *s = suite_create("ids");
	TCase *tc = tcase_create("ids");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ids_take_the_ledger_clock);
	tcase_add_test(tc,
	    test_ids_increase_when_the_clock_stands_still_or_goes_back);
	tcase_add_test(tc, test_uuid7_counter_and_bounds);
	tcase_add_test(tc, test_uuid7_against_a_model);
	tcase_add_test(tc, test_parse_agrees_with_libuuid);
	tcase_add_test(tc, test_unreadable_system_clock_fails_the_write);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(ids_suite());
}
