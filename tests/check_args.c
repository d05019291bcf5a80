/* check_args.c - every public function, called with empty arguments
 * (NULL pointers, zero numbers), answers with an error code and writes
 * nothing: first without a ledger, then with one and the rest empty.
 * The calls come from the public headers (tests/public_calls.py), so a
 * function added to a header is checked without being listed here; the
 * few that may succeed with empty arguments are listed, each with why. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

enum { PC_INT, PC_VOID, PC_STR, PC_I64 };

struct public_call {
	const char *name;
	int kind;
	int (*nil)(points_db *db);      /* every argument empty */
	int (*with_db)(points_db *db);  /* a ledger, the rest empty */
};

#include "public_calls.h"

/* Succeed with every argument empty. */
static const char *const ok_without_ledger[] = {
	"points_version_number", /* takes nothing */
	NULL
};

/* Return NULL with every argument empty. */
static const char *const null_without_ledger[] = {
	"points_event_result_lines", /* no result, no lines */
	NULL
};

/* Succeed given a ledger and the rest empty (and write nothing on a
 * ledger with nothing due). */
static const char *const ok_with_ledger[] = {
	"points_batch_begin",        /* takes nothing else */
	"points_expire_sweep",       /* as_of 0: the ledger's clock; the */
	"points_expire_sweep_asset", /* report is optional; asset NULL: all */
	"points_grant_run_due",      /* as_of 0, the report optional */
	"points_tier_sweep",         /* as_of 0, the report optional */
	"points_verify",             /* the report optional */
	"points_verify_head",        /* no kept heads: points_verify */
	NULL
};

/* A crash names the function it happened in (Check names only the
 * test). */
static const char *volatile calling;

static void
on_crash(int sig)
{
	const char *n = calling;

	if (n) {
		(void)!write(2, "crashed in ", 11);
		(void)!write(2, n, strlen(n));
		(void)!write(2, "\n", 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
call_setup(void)
{
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGABRT, on_crash);
}

static int
listed(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

START_TEST(test_without_a_ledger)
{
	size_t i, n = sizeof(public_calls) / sizeof(public_calls[0]);
	int called = 0;

	for (i = 0; i < n; i++) {
		const struct public_call *c = &public_calls[i];
		int rc;

		if (!c->nil)
			continue;
		calling = c->name;
		rc = c->nil(NULL);
		called++;
		if (c->kind == PC_INT && !listed(ok_without_ledger, c->name))
			ck_assert_msg(rc < 0, "%s with empty arguments: %d",
			    c->name, rc);
		/* the version, a code's name, a missing ledger's message */
		if (c->kind == PC_STR && !listed(null_without_ledger, c->name))
			ck_assert_msg(rc == 1, "%s: NULL", c->name);
	}
	ck_assert_int_gt(called, 200);
}
END_TEST

START_TEST(test_with_a_ledger)
{
	size_t i, n = sizeof(public_calls) / sizeof(public_calls[0]);
	points_db *db = tu_open("memory:");
	int called = 0, last = POINTS_OK;

	tu_account(db, "alice");
	tu_snap(db);
	for (i = 0; i < n; i++) {
		const struct public_call *c = &public_calls[i];
		int rc;

		if (!c->with_db || c->kind != PC_INT)
			continue;
		calling = c->name;
		rc = c->with_db(db);
		called++;
		if (strcmp(c->name, "points_errcode") == 0) {
			/* the code of the call before */
			ck_assert_int_eq(rc, last);
		} else if (listed(ok_with_ledger, c->name)) {
			ck_assert_msg(rc >= 0, "%s: %s", c->name,
			    points_errmsg(db));
		} else {
			ck_assert_msg(rc < 0, "%s given a ledger and empty "
			    "arguments: %d", c->name, rc);
			ck_assert_msg(strcmp(points_errmsg(db), "ok") != 0 &&
			    points_errmsg(db)[0], "%s: no message", c->name);
		}
		/* the batch it opened, rolled back, wrote nothing */
		if (strcmp(c->name, "points_batch_begin") == 0)
			ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
		tu_unchanged(db);
		last = rc;
	}
	ck_assert_int_gt(called, 140);
	tu_snap_free();
	points_close(db);
}
END_TEST

/* A handle that failed to open answers every call but points_errmsg
 * and points_close with POINTS_EMISUSE, saying so. */
START_TEST(test_on_a_failed_handle)
{
	size_t i, n = sizeof(public_calls) / sizeof(public_calls[0]);
	points_db *db = NULL;

	ck_assert_int_ne(points_open("sqlite:/nonexistent/dir/ledger.db",
	    NULL, &db), POINTS_OK);
	ck_assert_ptr_nonnull(db);
	for (i = 0; i < n; i++) {
		const struct public_call *c = &public_calls[i];
		int rc;

		if (!c->with_db || c->kind != PC_INT ||
		    strcmp(c->name, "points_errcode") == 0)
			continue;
		calling = c->name;
		rc = c->with_db(db);
		ck_assert_msg(rc == POINTS_EMISUSE, "%s on a failed handle: %d",
		    c->name, rc);
		ck_assert_msg(strstr(points_errmsg(db), "failed to open"),
		    "%s: %s", c->name, points_errmsg(db));
	}
	points_close(db);
}
END_TEST

static Suite *
args_suite(void)
{
	Suite *s = suite_create("args");
	TCase *tc = tcase_create("empty");

	tcase_add_checked_fixture(tc, call_setup, NULL);
	tcase_add_test(tc, test_without_a_ledger);
	tcase_add_test(tc, test_with_a_ledger);
	tcase_add_test(tc, test_on_a_failed_handle);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(args_suite());
}
