/* check_db.c - the library and the handle: versions, error names, the
 * allocator hook, opening (URIs, options, host stores), assets,
 * persistence on SQLite, the format marker, tamper evidence, batches. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "testutil.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "ledger/entry.h"
#include "ledger/idem.h"
#include "ledger/posting.h"
#include "ledger/verify.h"

#define NO_SUCH_TXN "01890000-0000-7000-8000-000000000000"

static points_db *db;

static void
setup(void)
{
	tu_now = TU_T0;
	db = tu_open("memory:");
}

static void
setup_bare(void)
{
	tu_now = TU_T0;
	db = tu_open_bare("memory:");
}

static void
teardown(void)
{
	tu_invariants(db);
	points_close(db);
	db = NULL;
	tu_snap_free();
}


static int64_t
ctx_clock(void *ctx)
{
	return *(const int64_t *)ctx;
}

/* Every call but points_errmsg/points_close on a failed handle is
 * POINTS_EMISUSE, whatever its arguments. */
static void
all_calls_are_emisuse(points_db *bad)
{
	points_posting p = tu_posting("PTS", 4, 1);
	points_asset as;
	points_account a;
	points_balance b;
	points_txn t;
	points_hold h;
	points_account_iterator *ai = NULL;
	points_statement_iterator *si = NULL;
	points_lot_iterator *li = NULL;
	points_verify_report rep;
	points_sweep_report sw;
	char *v = NULL;
	int64_t id = -7;

	ck_assert_int_eq(points_batch_begin(bad), POINTS_EMISUSE);
	ck_assert_int_eq(points_batch_commit(bad), POINTS_EMISUSE);
	ck_assert_int_eq(points_batch_rollback(bad), POINTS_EMISUSE);
	ck_assert_int_eq(points_asset_create(bad, "PTS", 0,
	    POINTS_EXPIRE_NEVER, 0), POINTS_EMISUSE);
	ck_assert_int_eq(points_asset_get(bad, "PTS", &as), POINTS_EMISUSE);
	ck_assert_int_eq(points_account_create(bad, "E1", NULL, 0, &id),
	    POINTS_EMISUSE);
	ck_assert_int_eq(points_account_get(bad, 1, &a), POINTS_EMISUSE);
	ck_assert_int_eq(points_account_find(bad, "system:issuer", &a),
	    POINTS_EMISUSE);
	ck_assert_int_eq(points_account_update(bad, 4, "x", NULL, NULL),
	    POINTS_EMISUSE);
	ck_assert_int_eq(points_account_attr_set(bad, 4, "k", "v"),
	    POINTS_EMISUSE);
	ck_assert_int_eq(points_account_attr_get(bad, 4, "k", &v),
	    POINTS_EMISUSE);
	ck_assert_int_eq(points_account_freeze(bad, 4), POINTS_EMISUSE);
	ck_assert_int_eq(points_account_unfreeze(bad, 4), POINTS_EMISUSE);
	ck_assert_int_eq(points_account_close(bad, 4), POINTS_EMISUSE);
	ck_assert_int_eq(points_account_iterator_new(bad, 0, &ai),
	    POINTS_EMISUSE);
	ck_assert_int_eq(points_balance_get(bad, 4, "PTS", &b),
	    POINTS_EMISUSE);
	ck_assert_int_eq(points_earn(bad, &p, &t), POINTS_EMISUSE);
	ck_assert_int_eq(points_spend(bad, &p, &t), POINTS_EMISUSE);
	p.counterparty = 5;
	ck_assert_int_eq(points_transfer(bad, &p, &t), POINTS_EMISUSE);
	p.counterparty = 0;
	p.memo = "why";
	ck_assert_int_eq(points_adjust(bad, &p, &t), POINTS_EMISUSE);
	ck_assert_int_eq(tu_reverse(bad, NO_SUCH_TXN, 0, NULL, NULL, &t),
	    POINTS_EMISUSE);
	ck_assert_int_eq(points_txn_get(bad, NO_SUCH_TXN, &t), POINTS_EMISUSE);
	ck_assert_int_eq(points_statement_iterator_new(bad, 4, "PTS", 0, 0,
	    POINTS_NEWEST_FIRST, &si), POINTS_EMISUSE);
	ck_assert_int_eq(points_lot_iterator_new(bad, 4, "PTS", INT64_MAX,
	    &li), POINTS_EMISUSE);
	ck_assert_int_eq(points_expire_sweep(bad, TU_T0, &sw),
	    POINTS_EMISUSE);
	ck_assert_int_eq(points_hold_create(bad, &p, &t), POINTS_EMISUSE);
	ck_assert_int_eq(tu_capture(bad, NO_SUCH_TXN, 0, 0, NULL,
	    &t), POINTS_EMISUSE);
	ck_assert_int_eq(tu_release(bad, NO_SUCH_TXN, NULL, &t),
	    POINTS_EMISUSE);
	ck_assert_int_eq(points_hold_get(bad, NO_SUCH_TXN, &h),
	    POINTS_EMISUSE);
	ck_assert_int_eq(points_verify(bad, &rep), POINTS_EMISUSE);
	/* points_now has no error code: it gives no time */
	ck_assert(points_now(bad) == 0 || points_now(bad) == POINTS_EMISUSE);
	ck_assert_int_eq(points_errcode(bad), POINTS_EMISUSE);
	ck_assert_str_ne(points_errmsg(bad), "");
	ck_assert_ptr_null(ai);
	ck_assert_ptr_null(si);
	ck_assert_ptr_null(li);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(id, -7);
}

/* ---- Library ---- */

START_TEST(test_version_matches_header)
{
	int major, minor, patch;

	ck_assert_str_eq(points_version(), POINTS_VERSION);
	ck_assert_int_eq(points_version_number(), POINTS_VERSION_NUMBER);
	ck_assert_int_eq(sscanf(points_version(), "%d.%d.%d", &major, &minor,
	    &patch), 3);
	ck_assert_int_eq(major * 1000000 + minor * 1000 + patch,
	    POINTS_VERSION_NUMBER);
}
END_TEST

START_TEST(test_strerror_names_every_code_distinctly)
{
	static const int unknown[] = { -16, -100, 2, 42, INT_MIN, INT_MAX };
	const char *names[17];
	int i, j;

	for (i = 0; i < 17; i++) {
		int code = i == 16 ? POINTS_ITEROVER : -i;

		names[i] = points_strerror(code);
		ck_assert_ptr_nonnull(names[i]);
		ck_assert_msg(names[i][0] != '\0', "code %d has no name", code);
		for (j = 0; j < i; j++)
			ck_assert_msg(strcmp(names[i], names[j]) != 0,
			    "codes share the name '%s'", names[i]);
	}
	for (i = 0; i < (int)(sizeof(unknown) / sizeof(unknown[0])); i++) {
		const char *s = points_strerror(unknown[i]);

		ck_assert_ptr_nonnull(s);
		ck_assert(s[0] != '\0');
		for (j = 0; j < 17; j++)
			ck_assert_str_ne(s, names[j]);
	}
	ck_assert_str_eq(points_strerror(POINTS_EINSUFFICIENT),
	    "insufficient points");
}
END_TEST

START_TEST(test_errmsg_of_null_handle)
{
	const char *m = points_errmsg(NULL);

	ck_assert_ptr_nonnull(m);
	ck_assert(m[0] != '\0');
	points_close(NULL); /* accepted */
}
END_TEST

START_TEST(test_options_init)
{
	points_open_options o;

	memset(&o, 0xa5, sizeof(o));
	ck_assert_int_eq(points_open_options_init(&o,
	    POINTS_OPEN_OPTIONS_VERSION), POINTS_OK);
	ck_assert_uint_eq(o.version, POINTS_OPEN_OPTIONS_VERSION);
	ck_assert_ptr_null(o.clock);
	ck_assert_ptr_null(o.clock_ctx);
	/* version 2: the ledger's offset; version 1's default was 0 */
	ck_assert_int_eq(o.utc_offset, POINTS_UTC_OFFSET_LEDGER);
	memset(&o, 0xa5, sizeof(o));
	ck_assert_int_eq(points_open_options_init(&o, 1), POINTS_OK);
	ck_assert_uint_eq(o.version, 1);
	ck_assert_int_eq(o.utc_offset, 0);
	ck_assert_int_eq(points_open_options_init(NULL,
	    POINTS_OPEN_OPTIONS_VERSION), POINTS_EINVAL);
	/* a version this library does not know is refused, untouched */
	memset(&o, 0xa5, sizeof(o));
	ck_assert_int_eq(points_open_options_init(&o, 0), POINTS_EVERSION);
	ck_assert_int_eq(points_open_options_init(&o,
	    POINTS_OPEN_OPTIONS_VERSION + 1), POINTS_EVERSION);
	ck_assert_uint_eq(o.version, 0xa5a5a5a5u);
}
END_TEST

START_TEST(test_posting_init)
{
	points_posting p;

	memset(&p, 0xa5, sizeof(p));
	ck_assert_int_eq(points_posting_init(&p, POINTS_POSTING_VERSION),
	    POINTS_OK);
	ck_assert_uint_eq(p.version, POINTS_POSTING_VERSION);
	ck_assert_ptr_null(p.asset);
	ck_assert_int_eq(p.account, 0);
	ck_assert_int_eq(p.counterparty, 0);
	ck_assert_int_eq(p.amount, 0);
	ck_assert_ptr_null(p.memo);
	ck_assert_ptr_null(p.idempotency_key);
	ck_assert_int_eq(p.time, 0);
	ck_assert_int_eq(p.expires_at, 0);
	ck_assert_int_eq(points_posting_init(NULL, POINTS_POSTING_VERSION),
	    POINTS_EINVAL);
}
END_TEST

/* An allocator that only counts. */
static long counted;

static void *
count_malloc(size_t n)
{
	counted++;
	return malloc(n);
}

static void *
count_realloc(void *p, size_t n)
{
	counted++;
	return realloc(p, n);
}

START_TEST(test_set_allocator_needs_all_or_nothing)
{
	points_db *d = NULL;

	ck_assert_int_eq(points_set_allocator(count_malloc, count_realloc,
	    free), POINTS_OK);
	ck_assert_int_eq(points_set_allocator(count_malloc, NULL, NULL),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_set_allocator(NULL, count_realloc, NULL),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_set_allocator(NULL, NULL, free),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_set_allocator(count_malloc, count_realloc,
	    NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_set_allocator(count_malloc, NULL, free),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_set_allocator(NULL, count_realloc, free),
	    POINTS_EINVAL);
	/* a refused call changed nothing: the counting one is in use */
	counted = 0;
	ck_assert_int_eq(points_open("memory:", NULL, &d), POINTS_OK);
	points_close(d);
	ck_assert_int_gt(counted, 0);
	/* all NULL restores malloc */
	ck_assert_int_eq(points_set_allocator(NULL, NULL, NULL), POINTS_OK);
	counted = 0;
	ck_assert_int_eq(points_open("memory:", NULL, &d), POINTS_OK);
	points_close(d);
	ck_assert_int_eq(counted, 0);
}
END_TEST

/* Fail allocation n (or every one from n) of points_open(uri) for
 * n = 1, 2, ... until it succeeds: POINTS_ENOMEM each time, never a
 * crash, every handle closed.  Then the ledger works. */
static long pa_count, pa_at;

static void *
pa_malloc(size_t n)
{
	if (pa_at && ++pa_count >= pa_at)
		return NULL;
	return malloc(n);
}

static void *
pa_realloc(void *p, size_t n)
{
	if (pa_at && ++pa_count >= pa_at)
		return NULL;
	return realloc(p, n);
}

static void
open_until_it_succeeds(const char *uri, int persistent)
{
	points_verify_report rep;
	points_account a;
	points_db *d;
	long n;
	int rc;

	if (persistent)
		ck_assert_int_eq(points_set_allocator(pa_malloc, pa_realloc,
		    free), POINTS_OK);
	else
		tu_alloc_install();
	for (n = 1;; n++) {
		ck_assert_msg(n < 10000, "open never succeeds");
		d = (points_db *)&d;
		pa_count = 0;
		pa_at = n;
		tu_alloc_fail_at(n);
		rc = points_open(uri, NULL, &d);
		pa_at = 0;
		tu_alloc_fail_at(0);
		if (rc == POINTS_OK)
			break;
		ck_assert_msg(rc == POINTS_ENOMEM, "allocation %ld: %d (%s)",
		    n, rc, d ? points_errmsg(d) : "no handle");
		ck_assert_ptr_ne(d, (points_db *)&d);
		if (d) {
			ck_assert_int_eq(points_errcode(d), POINTS_ENOMEM);
			ck_assert_int_eq(points_account_get(d, 1, &a),
			    POINTS_EMISUSE);
		}
		points_close(d);
	}
	ck_assert_int_gt(n, 1);
	ck_assert_int_eq(points_account_find(d, "system:expiry", &a),
	    POINTS_OK);
	ck_assert_int_eq(a.id, POINTS_ACCOUNT_EXPIRY);
	ck_assert_int_eq(points_asset_create(d, "PTS", 0,
	    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
	ck_assert_int_eq(tu_account(d, "E1001"), tu_first_user());
	ck_assert_int_eq(tu_earn(d, tu_first_user(), "PTS", 10, NULL),
	    POINTS_OK);
	ck_assert_int_eq(points_verify(d, &rep), POINTS_OK);
	tu_invariants(d);
	points_close(d);
	if (persistent)
		ck_assert_int_eq(points_set_allocator(NULL, NULL, NULL),
		    POINTS_OK);
	else
		tu_alloc_uninstall();
}

START_TEST(test_open_under_failing_allocator_memory)
{
	open_until_it_succeeds("memory:", _i);
}
END_TEST

START_TEST(test_open_under_failing_allocator_sqlite)
{
	char uri[128];

	snprintf(uri, sizeof(uri), "%s", tu_sqlite_uri());
	open_until_it_succeeds(uri, _i);
	tu_cleanup();
}
END_TEST

/* ---- Opening ---- */

START_TEST(test_open_null_out_is_einval)
{
	points_store *s;

	ck_assert_int_eq(points_open("memory:", NULL, NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_open(NULL, NULL, NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_store_open("memory:", &s), POINTS_OK);
	ck_assert_int_eq(points_open_store(s, NULL, NULL), POINTS_EINVAL);
	points_store_close(s);
	ck_assert_int_eq(points_store_open(NULL, &s), POINTS_EINVAL);
	ck_assert_int_eq(points_store_open("memory:", NULL), POINTS_EINVAL);
	points_store_close(NULL);
}
END_TEST

START_TEST(test_open_null_uri_gives_failed_handle)
{
	points_db *d = NULL;

	ck_assert_int_eq(points_open(NULL, NULL, &d), POINTS_EINVAL);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(points_errcode(d), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(d), "uri is required");
	all_calls_are_emisuse(d);
	points_close(d);
}
END_TEST

START_TEST(test_open_bad_uri_gives_failed_handle)
{
	static const char *const uris[] = {
		"", "nosuch:", "memory", "memory:x", "MEMORY:", "memory: ",
		"sqlite:", "sqlite:?sync=full", "sqlite:/tmp/x.db?bogus=1",
		"sqlite:/tmp/x.db?sync=sometimes",
		"sqlite:/tmp/x.db?busy_timeout=-1",
		"sqlite:/nonexistent-dir-for-points/x.db",
	};
	size_t i;

	for (i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
		points_db *d = NULL;
		int rc = points_open(uris[i], NULL, &d);

		ck_assert_msg(rc == POINTS_EINVAL || rc == POINTS_ESTORAGE,
		    "'%s': %d", uris[i], rc);
		ck_assert_msg(d != NULL, "'%s': no handle", uris[i]);
		ck_assert_int_eq(points_errcode(d), rc);
		ck_assert_msg(strstr(points_errmsg(d), "cannot open store") &&
		    strstr(points_errmsg(d), uris[i]),
		    "'%s': message '%s'", uris[i], points_errmsg(d));
		all_calls_are_emisuse(d);
		points_close(d);
	}
}
END_TEST

START_TEST(test_open_options_version_is_checked)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_store *s;
	points_db *d = NULL;

	o.version = 0;
	ck_assert_int_eq(points_open("memory:", &o, &d), POINTS_EVERSION);
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(strstr(points_errmsg(d), "version 0"));
	all_calls_are_emisuse(d);
	points_close(d);
	o.version = POINTS_OPEN_OPTIONS_VERSION + 1;
	ck_assert_int_eq(points_open("memory:", &o, &d), POINTS_EVERSION);
	ck_assert_int_eq(points_errcode(d), POINTS_EVERSION);
	points_close(d);
	ck_assert_int_eq(points_store_open("memory:", &s), POINTS_OK);
	ck_assert_int_eq(points_open_store(s, &o, &d), POINTS_EVERSION);
	all_calls_are_emisuse(d);
	points_close(d);
	o.version = POINTS_OPEN_OPTIONS_VERSION;
	ck_assert_int_eq(points_open_store(s, &o, &d), POINTS_OK);
	points_close(d);
	points_store_close(s);
	/* opts NULL: the defaults */
	ck_assert_int_eq(points_open("memory:", NULL, &d), POINTS_OK);
	points_close(d);
}
END_TEST

START_TEST(test_open_utc_offset_range)
{
	static const int32_t good[] = { 0, 14 * 3600, -14 * 3600, 19800 };
	static const int32_t bad[] = {
		14 * 3600 + 1, -14 * 3600 - 1, INT32_MAX, INT32_MIN + 1,
	};
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *d;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		o.utc_offset = good[i];
		ck_assert_int_eq(points_open("memory:", &o, &d), POINTS_OK);
		points_close(d);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = NULL;
		o.utc_offset = bad[i];
		ck_assert_int_eq(points_open("memory:", &o, &d),
		    POINTS_EINVAL);
		ck_assert_ptr_nonnull(d);
		ck_assert_ptr_nonnull(strstr(points_errmsg(d), "utc_offset"));
		all_calls_are_emisuse(d);
		points_close(d);
	}
}
END_TEST

/* ---- Settings stored in the ledger ---- */

/* Open uri with utc_offset off in options of version v; the code, and
 * the handle in *d (closed by the caller) */
static int
open_offset(const char *uri, unsigned v, int32_t off, points_db **d)
{
	points_open_options o;

	ck_assert_int_eq(points_open_options_init(&o, v), POINTS_OK);
	o.clock = ctx_clock;
	o.clock_ctx = &tu_now;
	o.utc_offset = off;
	return points_open(uri, &o, d);
}

static int32_t
offset_of(points_db *d)
{
	points_settings st;

	ck_assert_int_eq(points_settings_get(d, &st), POINTS_OK);
	return st.utc_offset;
}

/* The UTC offset is stored when the ledger is created; every later
 * open uses it (NULL options, the default POINTS_UTC_OFFSET_LEDGER, or
 * the same value), and one that asks for another is POINTS_EINVAL,
 * naming both.  Two handles with different offsets put the same earn
 * on different expiry days: now they cannot. */
START_TEST(test_utc_offset_is_stored_in_the_ledger)
{
	const char *uri = tu_sqlite_uri();
	points_db *d = NULL, *e = NULL;
	points_lot_iterator *it;
	points_lot la, lb;
	int64_t alice;

	tu_now = TU_T0 + 20 * 3600; /* 20:00 UTC, the next day at +08:00 */
	ck_assert_int_eq(open_offset(uri, POINTS_OPEN_OPTIONS_VERSION,
	    8 * 3600, &d), POINTS_OK);
	ck_assert_int_eq(offset_of(d), 8 * 3600);
	ck_assert_int_eq(points_asset_create(d, "EXP", 0, POINTS_EXPIRE_DAYS,
	    1), POINTS_OK);
	alice = tu_account(d, "E1001");
	ck_assert_int_eq(tu_earn(d, alice, "EXP", 5, NULL), POINTS_OK);
	points_close(d);

	/* NULL options: the ledger's */
	ck_assert_int_eq(points_open(uri, NULL, &e), POINTS_OK);
	ck_assert_int_eq(offset_of(e), 8 * 3600);
	points_close(e);
	/* the default of version 2, and the same value */
	ck_assert_int_eq(open_offset(uri, POINTS_OPEN_OPTIONS_VERSION,
	    POINTS_UTC_OFFSET_LEDGER, &d), POINTS_OK);
	ck_assert_int_eq(offset_of(d), 8 * 3600);
	ck_assert_int_eq(open_offset(uri, POINTS_OPEN_OPTIONS_VERSION,
	    8 * 3600, &e), POINTS_OK);
	/* both handles put a lot on the same day */
	ck_assert_int_eq(points_lot_iterator_new(d, alice, "EXP", INT64_MAX,
	    &it), POINTS_OK);
	ck_assert_int_eq(points_lot_next(it, &la), POINTS_OK);
	points_lot_iterator_free(it);
	ck_assert_int_eq(points_lot_iterator_new(e, alice, "EXP", INT64_MAX,
	    &it), POINTS_OK);
	ck_assert_int_eq(points_lot_next(it, &lb), POINTS_OK);
	points_lot_iterator_free(it);
	ck_assert_int_eq(la.expires_at, lb.expires_at);
	/* earned on 2024-01-02 at +08:00, valid through 2024-01-03 */
	ck_assert_int_eq(la.expires_at, TU_T0 + 3 * TU_DAY - 8 * 3600 - 1);
	points_close(d);
	points_close(e);

	/* another offset, 0 included, conflicts */
	d = NULL;
	ck_assert_int_eq(open_offset(uri, POINTS_OPEN_OPTIONS_VERSION, 3600,
	    &d), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(d), "utc_offset 3600 (+01:00) "
	    "conflicts with the ledger's UTC offset 28800 (+08:00), stored "
	    "when it was created: open with that offset or "
	    "POINTS_UTC_OFFSET_LEDGER");
	points_close(d);
	d = NULL;
	ck_assert_int_eq(open_offset(uri, POINTS_OPEN_OPTIONS_VERSION, 0, &d),
	    POINTS_EINVAL);
	points_close(d);
	/* options of version 1: 0 was its default, so it is the ledger's;
	 * another value must match */
	ck_assert_int_eq(open_offset(uri, 1, 0, &d), POINTS_OK);
	ck_assert_int_eq(offset_of(d), 8 * 3600);
	points_close(d);
	d = NULL;
	ck_assert_int_eq(open_offset(uri, 1, -3600, &d), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(d), "-3600 (-01:00)"));
	points_close(d);
	ck_assert_int_eq(open_offset(uri, 1, 8 * 3600, &d), POINTS_OK);
	points_close(d);
	tu_cleanup();
}
END_TEST

/* A new ledger opened without an offset has 0; memory: too. */
START_TEST(test_new_ledger_without_offset_is_utc)
{
	const char *uri = _i ? tu_sqlite_uri() : "memory:";
	points_db *d = NULL;

	ck_assert_int_eq(points_open(uri, NULL, &d), POINTS_OK);
	ck_assert_int_eq(offset_of(d), 0);
	points_close(d);
	if (_i) {
		d = NULL;
		ck_assert_int_eq(open_offset(uri, POINTS_OPEN_OPTIONS_VERSION,
		    -5 * 3600, &d), POINTS_EINVAL);
		points_close(d);
		tu_cleanup();
	}
	/* the getter's own errors */
	ck_assert_int_eq(points_settings_get(NULL, NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_open("memory:", NULL, &d), POINTS_OK);
	ck_assert_int_eq(points_settings_get(d, NULL), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(d), "out is required");
	points_close(d);
}
END_TEST

/* A ledger of 0.1.0 stored no offset: the first handle of this library
 * to open it stores its own (0 without one), and later ones must agree. */
START_TEST(test_0_1_0_ledger_takes_the_first_offset)
{
	points_store *s;
	points_db *d = NULL;
	const char *uri = tu_sqlite_uri();
	const int32_t first[] = { 19800, 0 };

	ck_assert_int_eq(points_open(uri, NULL, &d), POINTS_OK);
	points_close(d);
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	tu_ledger_to_0_1_0(s);
	points_store_close(s);
	if (first[_i])
		ck_assert_int_eq(open_offset(uri, 1, first[_i], &d), POINTS_OK);
	else
		ck_assert_int_eq(points_open(uri, NULL, &d), POINTS_OK);
	ck_assert_int_eq(offset_of(d), first[_i]);
	points_close(d);
	ck_assert_int_eq(points_open(uri, NULL, &d), POINTS_OK);
	ck_assert_int_eq(offset_of(d), first[_i]);
	tu_invariants(d);
	points_close(d);
	d = NULL;
	ck_assert_int_eq(open_offset(uri, POINTS_OPEN_OPTIONS_VERSION, 3600,
	    &d), POINTS_EINVAL);
	points_close(d);
	tu_cleanup();
}
END_TEST

/* A damaged setting is POINTS_ECORRUPT at open. */
START_TEST(test_damaged_setting_is_ecorrupt)
{
	static const char *const bad[] = { "", "\x80", "\x02\x00",
	    "\xff\xff\x07" };
	const char *uri = tu_sqlite_uri();
	points_store *s;
	points_keyspace *meta;
	points_db *d = NULL;
	size_t i;

	ck_assert_int_eq(points_open(uri, NULL, &d), POINTS_OK);
	points_close(d);
	for (i = 0; i <= sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
		ck_assert_int_eq(s->keyspace(s, "meta", 0, &meta), POINTS_OK);
		ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
		if (i < sizeof(bad) / sizeof(bad[0]))
			ck_assert_int_eq(s->put(s, meta, "utc_offset", 10,
			    bad[i], strlen(bad[i]) + (i == 2)), POINTS_OK);
		else
			ck_assert_int_eq(s->del(s, meta, "utc_offset", 10),
			    POINTS_OK);
		ck_assert_int_eq(s->commit(s), POINTS_OK);
		points_store_close(s);
		d = NULL;
		ck_assert_int_eq(points_open(uri, NULL, &d), POINTS_ECORRUPT);
		ck_assert_msg(strstr(points_errmsg(d), "ledger setting "
		    "'utc_offset'") != NULL, "%s", points_errmsg(d));
		points_close(d);
	}
	tu_cleanup();
}
END_TEST

/* ---- Opening without creating; files that are not ledgers ---- */

/* The file's bytes (NULL when there is none), *n its size. */
static unsigned char *
file_bytes(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b;
	long len;

	*n = 0;
	if (!f)
		return NULL;
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	ck_assert_int_ge(len, 0);
	rewind(f);
	b = malloc((size_t)len + 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return b;
}

static int
exists(const char *path, const char *suffix)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	if (!(f = fopen(p, "rb")))
		return 0;
	fclose(f);
	return 1;
}

/* mode=rw opens an existing ledger only: a missing file, an empty one
 * and one whose first open never finished are POINTS_ENOTFOUND and
 * left as they were (a missing one is not made); mode=rwc (the
 * default) makes a ledger of the last two. */
START_TEST(test_mode_rw_opens_only_an_existing_ledger)
{
	char uri[128], rw[320];
	const char *path;
	points_db *d = NULL;
	points_store *s = NULL;
	unsigned char *b;
	size_t n;
	FILE *f;

	snprintf(uri, sizeof(uri), "%s", tu_sqlite_uri());
	path = uri + 7;
	snprintf(rw, sizeof(rw), "%s?mode=rw", uri);
	ck_assert_int_eq(points_open(rw, NULL, &d), POINTS_ENOTFOUND);
	ck_assert_msg(strstr(points_errmsg(d), "no ledger there (no such "
	    "file); mode=rw opens an existing ledger only") != NULL, "%s",
	    points_errmsg(d));
	points_close(d);
	ck_assert_int_eq(points_store_open(rw, &s), POINTS_ENOTFOUND);
	ck_assert(!exists(path, "") && !exists(path, "-wal"));

	/* an empty file */
	ck_assert_ptr_nonnull(f = fopen(path, "wb"));
	fclose(f);
	d = NULL;
	ck_assert_int_eq(points_open(rw, NULL, &d), POINTS_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(points_errmsg(d), "an empty database"));
	points_close(d);
	b = file_bytes(path, &n);
	ck_assert_uint_eq(n, 0);
	free(b);
	ck_assert(!exists(path, "-wal"));

	/* a first open cut short: tables, no ledger in them */
	{
		sqlite3 *q;

		ck_assert_int_eq(sqlite3_open(path, &q), SQLITE_OK);
		ck_assert_int_eq(sqlite3_exec(q, "CREATE TABLE ks_meta(k BLOB "
		    "PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID", NULL, NULL,
		    NULL), SQLITE_OK);
		sqlite3_close(q);
	}
	d = NULL;
	ck_assert_int_eq(points_open(rw, NULL, &d), POINTS_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(points_errmsg(d),
	    "its first open did not finish"));
	points_close(d);

	/* rwc makes the ledger; then rw opens it */
	ck_assert_int_eq(points_open(uri, NULL, &d), POINTS_OK);
	ck_assert_int_eq(points_asset_create(d, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	points_close(d);
	snprintf(rw, sizeof(rw), "%s?busy_timeout=100&mode=rw", uri);
	ck_assert_int_eq(points_open(rw, NULL, &d), POINTS_OK);
	ck_assert_int_eq(tu_earn(d, tu_account(d, "E1"), "PTS", 5, NULL),
	    POINTS_OK);
	tu_invariants(d);
	points_close(d);
	snprintf(rw, sizeof(rw), "%s?mode=rwc", uri);
	ck_assert_int_eq(points_open(rw, NULL, &d), POINTS_OK);
	points_close(d);
	/* not a mode */
	d = NULL;
	snprintf(rw, sizeof(rw), "%s?mode=ro", uri);
	ck_assert_int_eq(points_open(rw, NULL, &d), POINTS_EINVAL);
	points_close(d);
	tu_cleanup();
}
END_TEST

/* memory: has no ledger to open: mode=rw is POINTS_EINVAL; mode=rwc
 * is what it always does. */
START_TEST(test_memory_mode_rw_is_einval)
{
	points_db *d = NULL;
	points_store *s = NULL;

	ck_assert_int_eq(points_open("memory:?mode=rw", NULL, &d),
	    POINTS_EINVAL);
	ck_assert_msg(strstr(points_errmsg(d), "memory: holds no ledger to "
	    "open") != NULL, "%s", points_errmsg(d));
	points_close(d);
	ck_assert_int_eq(points_store_open("memory:?mode=rw", &s),
	    POINTS_EINVAL);
	d = NULL;
	ck_assert_int_eq(points_open("memory:?sync=full", NULL, &d),
	    POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(d), "bad memory option"));
	points_close(d);
	ck_assert_int_eq(points_open("memory:?mode=rwc", NULL, &d), POINTS_OK);
	ck_assert_int_eq(points_asset_create(d, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	points_close(d);
}
END_TEST

/* An application's own SQLite database (not a ledger) is refused, with
 * or without mode=rw, and left byte for byte as it was, with no WAL
 * file: opening it added the ledger's tables and switched it to WAL
 * for good.  _i: 0 a rollback-journal database, 1 one in WAL mode. */
START_TEST(test_foreign_sqlite_file_is_refused_untouched)
{
	static const char *const suffix[] = { "", "?mode=rw",
	    "?exclusive=1" };
	char uri[128], u[320];
	const char *path;
	unsigned char *before, *after;
	size_t bl, al, i;
	points_db *d;
	points_store *s = NULL;
	sqlite3 *q;

	snprintf(uri, sizeof(uri), "%s", tu_sqlite_uri());
	path = uri + 7;
	ck_assert_int_eq(sqlite3_open(path, &q), SQLITE_OK);
	if (_i)
		ck_assert_int_eq(sqlite3_exec(q, "PRAGMA journal_mode=WAL",
		    NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(q, "CREATE TABLE users(id INTEGER "
	    "PRIMARY KEY, name TEXT); INSERT INTO users(name) "
	    "VALUES ('li wei'); CREATE INDEX users_name ON users(name)",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(q);
	before = file_bytes(path, &bl);
	ck_assert_ptr_nonnull(before);
	ck_assert(!exists(path, "-wal"));
	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(u, sizeof(u), "%s%s", uri, suffix[i]);
		d = NULL;
		ck_assert_int_eq(points_open(u, NULL, &d), POINTS_EINVAL);
		ck_assert_msg(strstr(points_errmsg(d), "is not a libpoints "
		    "ledger: it holds another application's table 'users' "
		    "(2 of its objects are not a ledger's); it was left as "
		    "it was") != NULL, "%s", points_errmsg(d));
		points_close(d);
		ck_assert_int_eq(points_store_open(u, &s), POINTS_EINVAL);
		after = file_bytes(path, &al);
		ck_assert_msg(al == bl && memcmp(before, after, bl) == 0,
		    "%s: the file changed", u);
		free(after);
		ck_assert_msg(!exists(path, "-wal"), "%s: a WAL file remains",
		    u);
		ck_assert(!exists(path, "-journal"));
	}
	/* and the application still reads it */
	ck_assert_int_eq(sqlite3_open(path, &q), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(q, "SELECT name FROM users", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(q);
	free(before);
	tu_cleanup();
}
END_TEST

START_TEST(test_now_reads_the_injected_clock)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_account a;
	points_db *d;
	int64_t t = 1234567890, before, now;

	o.clock = ctx_clock;
	o.clock_ctx = &t;
	ck_assert_int_eq(points_open("memory:", &o, &d), POINTS_OK);
	ck_assert_int_eq(points_now(d), 1234567890);
	t = 2000000000;
	ck_assert_int_eq(points_now(d), 2000000000);
	/* the ledger's own times come from it */
	ck_assert_int_eq(points_account_create(d, "E1", NULL, 0, &a.id),
	    POINTS_OK);
	ck_assert_int_eq(points_account_get(d, a.id, &a), POINTS_OK);
	ck_assert_int_eq(a.created_at, 2000000000);
	points_close(d);
	ck_assert_int_eq(points_now(NULL), 0);

	/* without a clock: the system's */
	before = (int64_t)time(NULL);
	ck_assert_int_eq(points_open("memory:", NULL, &d), POINTS_OK);
	now = points_now(d);
	ck_assert_int_ge(now, before);
	ck_assert_int_le(now, (int64_t)time(NULL));
	points_close(d);
}
END_TEST

/* ---- Host stores ---- */

/* A host's store: wraps a built-in one and counts what passes through. */
typedef struct host_store {
	points_store base;
	points_store *inner;
	long calls;
	int closed;
	unsigned rewritten; /* keyspaces it was asked for with REWRITTEN */
	int bal_rewritten;  /* "bal" was */
} host_store;

#define HOST(s) ((host_store *)(s))

static int
h_keyspace(points_store *s, const char *name, unsigned int flags,
    points_keyspace **out)
{
	HOST(s)->calls++;
	if (flags & POINTS_KS_REWRITTEN) {
		HOST(s)->rewritten++;
		HOST(s)->bal_rewritten |= strcmp(name, "bal") == 0;
	}
	return HOST(s)->inner->keyspace(HOST(s)->inner, name, flags, out);
}

static int
h_begin(points_store *s, int write)
{
	HOST(s)->calls++;
	return HOST(s)->inner->begin(HOST(s)->inner, write);
}

static int
h_commit(points_store *s)
{
	HOST(s)->calls++;
	return HOST(s)->inner->commit(HOST(s)->inner);
}

static int
h_rollback(points_store *s)
{
	HOST(s)->calls++;
	return HOST(s)->inner->rollback(HOST(s)->inner);
}

static int
h_get(points_store *s, points_keyspace *ks, const void *k, size_t kl,
    const void **v, size_t *vl)
{
	HOST(s)->calls++;
	return HOST(s)->inner->get(HOST(s)->inner, ks, k, kl, v, vl);
}

static int
h_put(points_store *s, points_keyspace *ks, const void *k, size_t kl,
    const void *v, size_t vl)
{
	HOST(s)->calls++;
	return HOST(s)->inner->put(HOST(s)->inner, ks, k, kl, v, vl);
}

static int
h_del(points_store *s, points_keyspace *ks, const void *k, size_t kl)
{
	HOST(s)->calls++;
	return HOST(s)->inner->del(HOST(s)->inner, ks, k, kl);
}

static int
h_cursor_open(points_store *s, points_keyspace *ks, const void *lo,
    size_t lolen, const void *hi, size_t hilen, int reverse,
    points_cursor **out)
{
	HOST(s)->calls++;
	return HOST(s)->inner->cursor_open(HOST(s)->inner, ks, lo, lolen, hi,
	    hilen, reverse, out);
}

static int
h_cursor_next(points_store *s, points_cursor *c, const void **k, size_t *kl,
    const void **v, size_t *vl)
{
	HOST(s)->calls++;
	return HOST(s)->inner->cursor_next(HOST(s)->inner, c, k, kl, v, vl);
}

static void
h_cursor_close(points_store *s, points_cursor *c)
{
	HOST(s)->inner->cursor_close(HOST(s)->inner, c);
}

static void
h_close(points_store *s)
{
	points_store_close(HOST(s)->inner);
	HOST(s)->inner = NULL;
	HOST(s)->closed = 1;
}

static void
host_init(host_store *h, const char *uri)
{
	memset(h, 0, sizeof(*h));
	h->base.version = POINTS_STORE_VERSION;
	h->base.name = "host";
	h->base.keyspace = h_keyspace;
	h->base.begin = h_begin;
	h->base.commit = h_commit;
	h->base.rollback = h_rollback;
	h->base.get = h_get;
	h->base.put = h_put;
	h->base.del = h_del;
	h->base.cursor_open = h_cursor_open;
	h->base.cursor_next = h_cursor_next;
	h->base.cursor_close = h_cursor_close;
	h->base.close = h_close;
	ck_assert_int_eq(points_store_open(uri, &h->inner), POINTS_OK);
}

START_TEST(test_open_store_null_store_is_einval)
{
	points_db *d = NULL;

	ck_assert_int_eq(points_open_store(NULL, NULL, &d), POINTS_EINVAL);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(points_errmsg(d), "store is required");
	all_calls_are_emisuse(d);
	points_close(d);
}
END_TEST

START_TEST(test_open_store_version_is_checked)
{
	static const unsigned versions[] = { 0, POINTS_STORE_VERSION + 1 };
	host_store h;
	points_db *d;
	size_t i;

	host_init(&h, "memory:");
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		d = NULL;
		h.base.version = versions[i];
		ck_assert_int_eq(points_open_store(&h.base, NULL, &d),
		    POINTS_EVERSION);
		ck_assert_ptr_nonnull(d);
		ck_assert_ptr_nonnull(strstr(points_errmsg(d),
		    "store version"));
		all_calls_are_emisuse(d);
		points_close(d);
	}
	/* the refused store was never called, nor closed */
	ck_assert_int_eq(h.calls, 0);
	ck_assert_int_eq(h.closed, 0);
	h.base.version = POINTS_STORE_VERSION;
	ck_assert_int_eq(points_open_store(&h.base, NULL, &d), POINTS_OK);
	points_close(d);
	ck_assert_int_eq(h.closed, 0);
	points_store_close(&h.base);
	ck_assert_int_eq(h.closed, 1);
}
END_TEST

/* Balances are asked for as rewritten (a hint a store of version 5 may
 * use: PostgreSQL leaves room in their pages); a store of version 4
 * never sees the flag, which it would refuse as unknown. */
START_TEST(test_rewritten_flag_only_from_version_5)
{
	host_store h;
	points_db *d;

	host_init(&h, "memory:");
	ck_assert_int_eq(points_open_store(&h.base, NULL, &d), POINTS_OK);
	points_close(d);
	ck_assert_int_eq(h.bal_rewritten, 1);
	ck_assert_uint_eq(h.rewritten, 2); /* bal, bal_shard */
	points_store_close(&h.base);
	host_init(&h, "memory:");
	h.base.version = 4;
	ck_assert_int_eq(points_open_store(&h.base, NULL, &d), POINTS_OK);
	ck_assert_int_eq(tu_earn(d, tu_account(d, "A"), "PTS", 5, NULL),
	    POINTS_ENOTFOUND); /* no asset yet: the ledger works */
	points_close(d);
	ck_assert_uint_eq(h.rewritten, 0);
	points_store_close(&h.base);
}
END_TEST

/* A savepoint method that must never be called (the store is refused). */
static int
never_savepoint(points_store *s)
{
	(void)s;
	ck_abort_msg("a refused store was called");
	return POINTS_EMISUSE;
}

START_TEST(test_open_store_missing_method_is_einval)
{
	host_store h;
	points_db *d;
	int i;

	host_init(&h, "memory:");
	for (i = 0; i < 10; i++) {
		host_store broken = h;

		switch (i) {
		case 0: broken.base.keyspace = NULL; break;
		case 1: broken.base.begin = NULL; break;
		case 2: broken.base.commit = NULL; break;
		case 3: broken.base.rollback = NULL; break;
		case 4: broken.base.get = NULL; break;
		case 5: broken.base.put = NULL; break;
		case 6: broken.base.del = NULL; break;
		case 7: broken.base.cursor_open = NULL; break;
		case 8: broken.base.cursor_next = NULL; break;
		case 9: broken.base.cursor_close = NULL; break;
		}
		d = NULL;
		ck_assert_int_eq(points_open_store(&broken.base, NULL, &d),
		    POINTS_EINVAL);
		ck_assert_ptr_nonnull(d);
		ck_assert_str_eq(points_errmsg(d),
		    "store 'host' lacks a required method");
		all_calls_are_emisuse(d);
		points_close(d);
		ck_assert_int_eq(broken.calls, 0);
	}
	/* a store without a name is named '?' */
	{
		host_store broken = h;

		broken.base.name = NULL;
		broken.base.get = NULL;
		d = NULL;
		ck_assert_int_eq(points_open_store(&broken.base, NULL, &d),
		    POINTS_EINVAL);
		ck_assert_str_eq(points_errmsg(d),
		    "store '?' lacks a required method");
		points_close(d);
		broken = h;
		broken.base.name = NULL;
		broken.base.savepoint = never_savepoint;
		broken.base.release = NULL;
		broken.base.rollback_to = NULL;
		d = NULL;
		ck_assert_int_eq(points_open_store(&broken.base, NULL, &d),
		    POINTS_EINVAL);
		ck_assert_str_eq(points_errmsg(d), "store '?' has some of "
		    "savepoint, release and rollback_to but not all three");
		points_close(d);
		ck_assert_int_eq(broken.calls, 0);
	}
	points_store_close(&h.base);
}
END_TEST

static void
host_ledger_works(const char *uri)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	host_store h;
	points_account a;
	points_txn t;
	points_db *d;
	char *v;
	int64_t alice;

	tu_now = TU_T0;
	host_init(&h, uri);
	o.clock = ctx_clock;
	o.clock_ctx = &tu_now;
	ck_assert_int_eq(points_open_store(&h.base, &o, &d), POINTS_OK);
	ck_assert_int_eq(points_asset_create(d, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	alice = tu_account(d, "E1001");
	ck_assert_int_eq(alice, tu_first_user());
	ck_assert_int_eq(points_account_attr_set(d, alice, "k", "v"),
	    POINTS_OK);
	ck_assert_int_eq(tu_earn(d, alice, "PTS", 100, &t), POINTS_OK);
	ck_assert_int_eq(tu_spend(d, alice, "PTS", 40, NULL), POINTS_OK);
	ck_assert_int_eq(tu_available(d, alice, "PTS"), 60);
	tu_invariants(d);
	ck_assert_int_gt(h.calls, 0);
	points_close(d);
	ck_assert_int_eq(h.closed, 0); /* borrowed: the ledger left it open */

	/* a second ledger on the same store sees it all */
	ck_assert_int_eq(points_open_store(&h.base, &o, &d), POINTS_OK);
	ck_assert_int_eq(points_account_find(d, "E1001", &a), POINTS_OK);
	ck_assert_int_eq(a.id, alice);
	ck_assert_int_eq(points_account_attr_get(d, alice, "k", &v),
	    POINTS_OK);
	ck_assert_str_eq(v, "v");
	points_free(v);
	ck_assert_int_eq(tu_available(d, alice, "PTS"), 60);
	ck_assert_int_eq(tu_account(d, "E1002"), alice + 1);
	tu_invariants(d);
	points_close(d);
	points_store_close(&h.base);
	ck_assert_int_eq(h.closed, 1);
}

START_TEST(test_host_store_runs_a_ledger)
{
	host_ledger_works("memory:");
}
END_TEST

START_TEST(test_host_store_over_sqlite_runs_a_ledger)
{
	char uri[128];

	snprintf(uri, sizeof(uri), "%s", tu_sqlite_uri());
	host_ledger_works(uri);
	tu_cleanup();
}
END_TEST

/* ---- The format marker ---- */

static void
write_marker(points_store *s, const char *key, const void *val, size_t vl)
{
	points_keyspace *ks;

	ck_assert_int_eq(s->keyspace(s, "meta", 0, &ks), POINTS_OK);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	if (val)
		ck_assert_int_eq(s->put(s, ks, key, strlen(key), val, vl),
		    POINTS_OK);
	else
		ck_assert_int_eq(s->del(s, ks, key, strlen(key)), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

static void
write_format_marker(points_store *s, const void *val, size_t vl)
{
	write_marker(s, "format", val, vl);
}

/* Each module records the version of its records: a ledger one of them
 * set up with a newer version is refused, naming the module. */
START_TEST(test_newer_module_marker_is_eversion)
{
	char uri[128];
	points_store *s;
	points_db *d;

	snprintf(uri, sizeof(uri), "%s", tu_sqlite_uri());
	d = tu_open(uri);
	points_close(d);
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	write_marker(s, "module:ledger", "\x07", 1);
	points_store_close(s);
	d = NULL;
	ck_assert_int_eq(points_open(uri, NULL, &d), POINTS_EVERSION);
	ck_assert_str_eq(points_errmsg(d),
	    "ledger ledger format 7 is newer than this library (5)");
	points_close(d);
	tu_cleanup();
}
END_TEST

/* A ledger whose entries 0.1.0 could read (ledger format 1) is raised to
 * the current format (entries may carry extensions; the time index, bucket first)
 * by the first handle that opens it; what it holds stays as it was. */
START_TEST(test_ledger_format_1_is_raised_to_5)
{
	char uri[128];
	points_store *s;
	points_keyspace *ks;
	points_db *d;
	const void *v;
	size_t vl;

	snprintf(uri, sizeof(uri), "%s", tu_sqlite_uri());
	d = tu_open(uri);
	ck_assert_int_eq(tu_earn(d, tu_account(d, "E1001"), "PTS", 5, NULL),
	    POINTS_OK);
	points_close(d);
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	write_marker(s, "module:ledger", "\x01", 1);
	points_store_close(s);
	d = tu_open_bare(uri);
	tu_invariants(d);
	ck_assert_int_eq(tu_available(d, tu_first_user(), "PTS"), 5);
	points_close(d);
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	ck_assert_int_eq(s->keyspace(s, "meta", 0, &ks), POINTS_OK);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->get(s, ks, "module:ledger", 13, &v, &vl),
	    POINTS_OK);
	ck_assert_uint_eq(vl, 1);
	ck_assert_uint_eq(*(const unsigned char *)v, 5);
	s->rollback(s);
	points_store_close(s);
	tu_cleanup();
}
END_TEST

/* A ledger made before modules recorded their versions (only the
 * "format" marker) is set up again without duplicating what it has. */
START_TEST(test_ledger_without_module_markers_opens_as_before)
{
	static const char *const mods[] = {
		"module:meta", "module:account", "module:asset",
		"module:balance", "module:ledger", "module:hold", "module:idem",
		"module:reversal",
	};
	char uri[128];
	points_store *s;
	points_db *d;
	size_t i;

	snprintf(uri, sizeof(uri), "%s", tu_sqlite_uri());
	d = tu_open(uri);
	ck_assert_int_eq(tu_account(d, "E1001"), tu_first_user());
	points_close(d);
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	for (i = 0; i < sizeof(mods) / sizeof(mods[0]); i++)
		write_marker(s, mods[i], NULL, 0);
	points_store_close(s);
	d = tu_open_bare(uri);
	tu_invariants(d);
	ck_assert_int_eq(tu_account(d, "E1002"), tu_first_user() + 1); /* no second issuer */
	points_close(d);
	tu_cleanup();
}
END_TEST

START_TEST(test_newer_format_marker_is_eversion)
{
	char uri[128];
	points_store *s;
	points_db *d;

	snprintf(uri, sizeof(uri), "%s", tu_sqlite_uri());
	d = tu_open(uri);
	tu_account(d, "E1001");
	points_close(d);

	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	write_format_marker(s, "\x63", 1); /* 99 */
	points_store_close(s);

	d = NULL;
	ck_assert_int_eq(points_open(uri, NULL, &d), POINTS_EVERSION);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(points_errmsg(d),
	    "ledger format 99 is newer than this library (2)");
	all_calls_are_emisuse(d);
	points_close(d);

	/* the ledger was left as it was: put the marker back and it opens */
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	write_format_marker(s, "\x01", 1);
	points_store_close(s);
	d = tu_open_bare(uri);
	tu_invariants(d);
	ck_assert_int_eq(tu_account(d, "E1002"), tu_first_user() + 1);
	points_close(d);
	tu_cleanup();
}
END_TEST

START_TEST(test_newer_format_marker_on_a_host_store_is_eversion)
{
	host_store h;
	points_db *d = NULL;

	host_init(&h, "memory:");
	write_format_marker(h.inner, "\x03", 1);
	ck_assert_int_eq(points_open_store(&h.base, NULL, &d),
	    POINTS_EVERSION);
	all_calls_are_emisuse(d);
	points_close(d);
	/* an unreadable marker is corruption */
	write_format_marker(h.inner, "\x80", 1);
	ck_assert_int_eq(points_open_store(&h.base, NULL, &d),
	    POINTS_ECORRUPT);
	points_close(d);
	points_store_close(&h.base);
}
END_TEST

/* ---- Version-1 stores and the balance format ---- */

/* A little of everything, so that every keyspace has records. */
static void
populate(points_db *d)
{
	points_posting p;
	points_txn t, e;
	int64_t alice, bob;

	ck_assert_int_eq(points_asset_create(d, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	ck_assert_int_eq(points_asset_create(d, "EXP", 0, POINTS_EXPIRE_DAYS,
	    30), POINTS_OK);
	alice = tu_account(d, "E1001");
	bob = tu_account(d, "E1002");
	ck_assert_int_eq(tu_earn(d, alice, "PTS", 100, &e), POINTS_OK);
	ck_assert_int_eq(tu_earn(d, alice, "EXP", 50, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(d, bob, "EXP", 7, NULL), POINTS_OK);
	ck_assert_int_eq(tu_spend(d, alice, "PTS", 30, NULL), POINTS_OK);
	p = tu_posting("EXP", alice, 5);
	p.counterparty = bob;
	p.idempotency_key = "t-1";
	ck_assert_int_eq(points_transfer(d, &p, &t), POINTS_OK);
	p = tu_posting("PTS", alice, 20);
	ck_assert_int_eq(points_hold_create(d, &p, &t), POINTS_OK);
	{
		points_reversal r = POINTS_REVERSAL_INIT;

		r.txn_id = e.id;
		r.amount = 10;
		r.memo = "partly";
		ck_assert_int_eq(points_reverse(d, &r, &t), POINTS_OK);
	}
	ck_assert_int_eq(points_account_freeze(d, bob), POINTS_OK);
	tu_invariants(d);
}

/* A backend of version 1 of the vtable: no errmsg, no get_many, no
 * INT64 keyspaces (the wrapper fails the test if the library reads a
 * member past version 1's or passes the flag).  On SQLite the file it
 * made opens directly too: its blob table serves the INT64 keyspace. */
START_TEST(test_version_1_store_runs_a_ledger)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	char uri[128];
	points_store *raw, *v1;
	points_db *d;
	char *before, *after;
	size_t bl, al;

	tu_now = TU_T0;
	o.clock = ctx_clock;
	o.clock_ctx = &tu_now;
	snprintf(uri, sizeof(uri), "%s", _i ? tu_sqlite_uri() : "memory:");
	ck_assert_int_eq(points_store_open(uri, &raw), POINTS_OK);
	v1 = tu_store_v1(raw);
	ck_assert_int_eq(points_open_store(v1, &o, &d), POINTS_OK);
	populate(d);
	/* a failure of the store reaches the caller without its words */
	ck_assert_int_eq(tu_earn(d, 999, "PTS", 1, NULL), POINTS_ENOTFOUND);
	before = tu_dump(d, &bl);
	points_close(d);
	ck_assert_int_eq(points_open_store(v1, &o, &d), POINTS_OK);
	after = tu_dump(d, &al);
	ck_assert(al == bl && memcmp(before, after, bl) == 0);
	free(after);
	ck_assert_int_eq(tu_earn(d, tu_first_user(), "PTS", 1, NULL), POINTS_OK);
	tu_invariants(d);
	points_close(d);
	points_store_close(v1); /* and raw */
	if (_i) {
		ck_assert_int_eq(points_open(uri, &o, &d), POINTS_OK);
		ck_assert_int_eq(tu_available(d, tu_first_user(), "PTS"), 100 - 30 - 20 -
		    10 + 1);
		ck_assert_int_eq(tu_earn(d, tu_first_user(), "PTS", 1, NULL), POINTS_OK);
		tu_invariants(d);
		points_close(d);
		tu_cleanup();
	}
	free(before);
}
END_TEST

/* 1 when the dump (binary: keys hold NULs) holds text. */
static int
has_bytes(const char *d, size_t n, const char *text)
{
	size_t i, tl = strlen(text);

	for (i = 0; i + tl <= n; i++)
		if (memcmp(d + i, text, tl) == 0)
			return 1;
	return 0;
}

/* A ledger of the balance module's format 1 (balances in "balance"
 * under account + asset keys) is upgraded when opened: the same records
 * under integer keys in "bal", byte for byte what a new ledger has. */
START_TEST(test_format_1_balances_are_upgraded)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	char uri[128];
	points_store *s;
	points_db *d;
	char *want, *old, *got;
	size_t wl, ol, gl;

	tu_now = TU_T0;
	o.clock = ctx_clock;
	o.clock_ctx = &tu_now;
	snprintf(uri, sizeof(uri), "%s", _i ? tu_sqlite_uri() : "memory:");
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	ck_assert_int_eq(points_open_store(s, &o, &d), POINTS_OK);
	populate(d);
	want = tu_dump(d, &wl);
	points_close(d);
	tu_balances_to_format_1(s);
	old = tu_store_dump(s, &ol);
	ck_assert(ol != wl || memcmp(old, want, wl) != 0);
	ck_assert_msg(has_bytes(old, ol, "[balance]\n12:"),
	    "no balances in the format-1 keyspace");
	if (_i) { /* reopened from the file */
		points_store_close(s);
		ck_assert_int_eq(points_open(uri, &o, &d), POINTS_OK);
	} else
		ck_assert_int_eq(points_open_store(s, &o, &d), POINTS_OK);
	got = tu_dump(d, &gl);
	ck_assert_msg(gl == wl && memcmp(got, want, wl) == 0,
	    "the upgraded ledger differs from the one before");
	tu_invariants(d);
	ck_assert_int_eq(tu_earn(d, tu_first_user(), "EXP", 3, NULL),
	    POINTS_OK);
	tu_invariants(d);
	points_close(d);
	if (!_i)
		points_store_close(s);
	free(want);
	free(old);
	free(got);
	tu_cleanup();
}
END_TEST

/* Account ids go up to 2^47 - 1 and asset ids to 65,535: what a
 * balance's 64-bit key holds.  Past them creating is POINTS_ELIMIT;
 * looking up an id no account can have is POINTS_ENOTFOUND. */
START_TEST(test_ids_past_the_balance_key_are_elimit)
{
	points_store *s = db->store;
	points_keyspace *acct = tu_keyspace(db, "account"),
	    *asset = tu_keyspace(db, "asset");
	unsigned char k[8], last[8];
	const void *v;
	size_t vl;
	unsigned char *rec;
	points_balance b;
	int64_t id = -7, alice = tu_account(db, "E1001");
	char code[24]; /* "Z" and any long */
	long i;

	ck_assert_int_eq(points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	/* the keys: account << 16 | asset, in (account, asset) order */
	ck_assert(points_balance__key(1, 1, k));
	ck_assert_uint_eq(points_codec__get_be64(k), 65537);
	ck_assert(points_balance__key(POINTS_ACCOUNT__ID_MAX,
	    POINTS_ASSET__ID_MAX, last));
	ck_assert_uint_eq(points_codec__get_be64(last), (uint64_t)INT64_MAX);
	ck_assert(!points_balance__key(POINTS_ACCOUNT__ID_MAX + 1, 1, k));
	ck_assert(!points_balance__key(0, 1, k));
	ck_assert(!points_balance__key(-5, 1, k));
	ck_assert(!points_balance__key(1, 0, k));
	ck_assert(!points_balance__key(1, POINTS_ASSET__ID_MAX + 1, k));
	{
		int64_t a;
		uint32_t as;

		points_balance__key_parse(last, &a, &as);
		ck_assert_int_eq(a, POINTS_ACCOUNT__ID_MAX);
		ck_assert_uint_eq(as, POINTS_ASSET__ID_MAX);
	}

	/* an id no account can have is not found */
	ck_assert_int_eq(points_balance_get(db, POINTS_ACCOUNT__ID_MAX + 1,
	    "PTS", &b), POINTS_ENOTFOUND);
	TU_FAILS(db, tu_earn(db, POINTS_ACCOUNT__ID_MAX + 1, "PTS", 1, NULL),
	    POINTS_ENOTFOUND);

	/* the last account id taken: the next account has none */
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	points_codec__put_be64(k, (uint64_t)alice);
	ck_assert_int_eq(s->get(s, acct, k, 8, &v, &vl), POINTS_OK);
	ck_assert_ptr_nonnull(rec = malloc(vl));
	memcpy(rec, v, vl);
	points_codec__put_be64(k, (uint64_t)POINTS_ACCOUNT__ID_MAX);
	ck_assert_int_eq(s->put(s, acct, k, 8, rec, vl), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	TU_FAILS(db, points_account_create(db, "E9999", NULL, 0, &id),
	    POINTS_ELIMIT);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "E9999"));
	ck_assert_int_eq(id, -7);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->del(s, acct, k, 8), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	free(rec);

	/* 65,535 assets: the next has no id */
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->get(s, asset, "PTS", 3, &v, &vl), POINTS_OK);
	ck_assert_ptr_nonnull(rec = malloc(vl));
	memcpy(rec, v, vl);
	for (i = 2; i <= (long)POINTS_ASSET__ID_MAX; i++) {
		snprintf(code, sizeof(code), "Z%05ld", i);
		ck_assert_int_eq(s->put(s, asset, code, strlen(code), rec, vl),
		    POINTS_OK);
	}
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	TU_FAILS(db, points_asset_create(db, "ONEMORE", 0,
	    POINTS_EXPIRE_NEVER, 0), POINTS_ELIMIT);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "ONEMORE"));
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	for (i = 2; i <= (long)POINTS_ASSET__ID_MAX; i++) {
		snprintf(code, sizeof(code), "Z%05ld", i);
		ck_assert_int_eq(s->del(s, asset, code, strlen(code)),
		    POINTS_OK);
	}
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	free(rec);
	ck_assert_int_eq(points_asset_create(db, "ONEMORE", 0,
	    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
}
END_TEST

/* ---- Assets ---- */

START_TEST(test_asset_create_and_get)
{
	points_asset a;

	ck_assert_int_eq(points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "MILES", 2,
	    POINTS_EXPIRE_DAYS, 365), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "ABCDEFGHIJ_12345", 9,
	    POINTS_EXPIRE_YEAR_END, 0), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "Y100", 0,
	    POINTS_EXPIRE_YEAR_END, 100), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "D36500", 0,
	    POINTS_EXPIRE_DAYS, 36500), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "_", 0, POINTS_EXPIRE_DAYS,
	    1), POINTS_OK);
	ck_assert_int_eq(points_asset_get(db, "MILES", &a), POINTS_OK);
	ck_assert_str_eq(a.code, "MILES");
	ck_assert_int_eq(a.decimals, 2);
	ck_assert_int_eq(a.expiry_policy, POINTS_EXPIRE_DAYS);
	ck_assert_int_eq(a.expiry_n, 365);
	ck_assert_int_eq(points_asset_get(db, "ABCDEFGHIJ_12345", &a),
	    POINTS_OK);
	ck_assert_str_eq(a.code, "ABCDEFGHIJ_12345");
	ck_assert_int_eq(a.decimals, 9);
	ck_assert_int_eq(a.expiry_policy, POINTS_EXPIRE_YEAR_END);
	ck_assert_int_eq(a.expiry_n, 0);
	ck_assert_int_eq(points_asset_get(db, "PTS", &a), POINTS_OK);
	ck_assert_int_eq(a.expiry_policy, POINTS_EXPIRE_NEVER);
	ck_assert_int_eq(points_asset_get(db, "Y100", &a), POINTS_OK);
	ck_assert_int_eq(a.expiry_n, 100);
	ck_assert_int_eq(points_asset_get(db, "D36500", &a), POINTS_OK);
	ck_assert_int_eq(a.expiry_n, 36500);
	ck_assert_str_eq(points_errmsg(db), "ok");
}
END_TEST

START_TEST(test_asset_bad_codes_are_einval)
{
	static const char *const bad[] = {
		"pts", "Pts", "", "ABCDEFGHIJ_123456", "P-T", "PTS ", " PTS",
		"P\xc3\x84", "P.S",
	};
	points_asset a;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		TU_FAILS(db, points_asset_create(db, bad[i], 0, POINTS_EXPIRE_NEVER,
		    0), POINTS_EINVAL);
		a.decimals = -7;
		ck_assert_int_eq(points_asset_get(db, bad[i], &a),
		    POINTS_EINVAL);
		ck_assert_int_eq(a.decimals, -7);
	}
	TU_FAILS(db, points_asset_create(db, NULL, 0, POINTS_EXPIRE_NEVER, 0),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "asset code is required");
	ck_assert_int_eq(points_asset_get(db, NULL, &a), POINTS_EINVAL);
	ck_assert_int_eq(points_asset_create(NULL, "PTS", 0,
	    POINTS_EXPIRE_NEVER, 0), POINTS_EINVAL);
	ck_assert_int_eq(points_asset_get(NULL, "PTS", &a), POINTS_EINVAL);
	ck_assert_int_eq(points_asset_get(db, "PTS", NULL), POINTS_EINVAL);
}
END_TEST

START_TEST(test_asset_decimals_out_of_range_is_einval)
{
	TU_FAILS(db, points_asset_create(db, "PTS", -1, POINTS_EXPIRE_NEVER, 0),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "asset PTS: decimals must be 0-9");
	TU_FAILS(db, points_asset_create(db, "PTS", 10, POINTS_EXPIRE_NEVER, 0),
	    POINTS_EINVAL);
	TU_FAILS(db, points_asset_create(db, "PTS", INT_MIN, POINTS_EXPIRE_NEVER, 0),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_asset_create(db, "PTS", 9,
	    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "PTS0", 0,
	    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
}
END_TEST

START_TEST(test_asset_bad_policies_are_einval)
{
	static const int bad[][2] = {
		{ POINTS_EXPIRE_NEVER, 1 }, { POINTS_EXPIRE_NEVER, -1 },
		{ POINTS_EXPIRE_DAYS, 0 }, { POINTS_EXPIRE_DAYS, -1 },
		{ POINTS_EXPIRE_DAYS, 36501 }, { POINTS_EXPIRE_DAYS, INT_MAX },
		{ POINTS_EXPIRE_YEAR_END, 101 }, { POINTS_EXPIRE_YEAR_END, -1 },
		{ 7, 0 }, { 7, 1 }, { 3, 1 }, { -1, 0 }, { INT_MIN, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		TU_FAILS(db, points_asset_create(db, "PTS", 0, bad[i][0], bad[i][1]),
		    POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "bad expiry policy"));
}
END_TEST

START_TEST(test_asset_duplicate_is_eexists)
{
	ck_assert_int_eq(points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	TU_FAILS(db, points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER, 0),
	    POINTS_EEXISTS);
	ck_assert_str_eq(points_errmsg(db), "asset PTS already exists");
	TU_FAILS(db, points_asset_create(db, "PTS", 2, POINTS_EXPIRE_DAYS, 30),
	    POINTS_EEXISTS);
}
END_TEST

START_TEST(test_asset_unknown_is_enotfound)
{
	points_asset a;

	a.decimals = -7;
	ck_assert_int_eq(points_asset_get(db, "NOPE", &a), POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "asset NOPE not found");
	ck_assert_int_eq(a.decimals, -7);
	ck_assert_int_eq(points_asset_create(db, "NOP", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	ck_assert_int_eq(points_asset_get(db, "NOPE", &a), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_asset_get(db, "NO", &a), POINTS_ENOTFOUND);
}
END_TEST

/* More assets than the handle caches, each with its own balances. */
START_TEST(test_many_assets_keep_their_balances_apart)
{
	char code[16];
	points_asset a;
	int64_t alice;
	int i;

	alice = tu_account(db, "E1001");
	for (i = 0; i < 40; i++) {
		snprintf(code, sizeof(code), "A%02d", i);
		ck_assert_int_eq(points_asset_create(db, code, i % 10,
		    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
		ck_assert_int_eq(tu_earn(db, alice, code, 100 + i, NULL),
		    POINTS_OK);
	}
	for (i = 0; i < 40; i++) {
		snprintf(code, sizeof(code), "A%02d", i);
		ck_assert_int_eq(points_asset_get(db, code, &a), POINTS_OK);
		ck_assert_int_eq(a.decimals, i % 10);
		ck_assert_int_eq(tu_available(db, alice, code), 100 + i);
		ck_assert_int_eq(tu_spend(db, alice, code, 100 + i, NULL),
		    POINTS_OK);
	}
}
END_TEST

START_TEST(test_asset_made_in_a_rolled_back_batch_is_gone)
{
	points_asset a;
	int64_t alice = tu_account(db, "E1001");

	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "GHOST", 0,
	    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
	ck_assert_int_eq(points_asset_get(db, "GHOST", &a), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "GHOST", 5, NULL), POINTS_OK);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	/* neither this handle nor another may still know it */
	ck_assert_int_eq(points_asset_get(db, "GHOST", &a), POINTS_ENOTFOUND);
	ck_assert_int_eq(tu_earn(db, alice, "GHOST", 5, NULL),
	    POINTS_ENOTFOUND);
	/* and the next asset gets the id the ghost had, cleanly */
	ck_assert_int_eq(points_asset_create(db, "REAL", 0,
	    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "REAL", 7, NULL), POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "REAL"), 7);
	ck_assert_int_eq(points_asset_get(db, "GHOST", &a), POINTS_ENOTFOUND);
}
END_TEST

/* ---- Persistence on SQLite ---- */

START_TEST(test_ledger_survives_close_and_reopen)
{
	char uri[128], *v;
	points_posting p;
	points_asset as;
	points_account a;
	points_balance b;
	points_txn t1, t2, h, t;
	points_hold hold;
	points_statement_iterator *it;
	points_entry e;
	points_verify_report rep;
	int64_t alice, bob, carol;
	int n, rc, legs;

	snprintf(uri, sizeof(uri), "%s", tu_sqlite_uri());
	db = tu_open(uri);
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	carol = tu_account(db, "E1003");
	ck_assert_int_eq(points_account_update(db, alice, "Alice", "gold",
	    "R&D"), POINTS_OK);
	ck_assert_int_eq(points_account_attr_set(db, alice, "email", "a@x"),
	    POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 100, &t1), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 50, NULL), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 30, NULL), POINTS_OK);
	p = tu_posting("PTS", alice, 20);
	p.counterparty = bob;
	ck_assert_int_eq(points_transfer(db, &p, &t2), POINTS_OK);
	p = tu_posting("PTS", bob, 10);
	ck_assert_int_eq(points_hold_create(db, &p, &h), POINTS_OK);
	ck_assert_int_eq(points_account_freeze(db, bob), POINTS_OK);
	ck_assert_int_eq(points_account_close(db, carol), POINTS_OK);
	/* the fifth entry; with the log in partitions, one of bob's */
	if (points_entry__partitions_new > 1)
		ck_assert_uint_eq(points_entry__seq_partition(h.seq),
		    bob % points_entry__partitions_new);
	else
		ck_assert_int_eq(h.seq, 5);
	points_close(db);

	db = tu_open_bare(uri);
	ck_assert_int_eq(points_asset_get(db, "EXP", &as), POINTS_OK);
	ck_assert_int_eq(as.expiry_policy, POINTS_EXPIRE_DAYS);
	ck_assert_int_eq(as.expiry_n, 365);
	ck_assert_int_eq(points_asset_get(db, "YE", &as), POINTS_OK);
	ck_assert_int_eq(as.decimals, 2);
	ck_assert_int_eq(points_account_find(db, "system:issuer", &a),
	    POINTS_OK);
	ck_assert_int_eq(a.id, POINTS_ACCOUNT_ISSUER);
	ck_assert_int_eq(points_account_find(db, "E1001", &a), POINTS_OK);
	ck_assert_int_eq(a.id, alice);
	ck_assert_str_eq(a.name, "Alice");
	ck_assert_str_eq(a.tier, "gold");
	ck_assert_str_eq(a.department, "R&D");
	ck_assert_int_eq(points_account_attr_get(db, alice, "email", &v),
	    POINTS_OK);
	ck_assert_str_eq(v, "a@x");
	points_free(v);
	ck_assert_int_eq(points_account_get(db, bob, &a), POINTS_OK);
	ck_assert_int_eq(a.status, POINTS_ACCOUNT_FROZEN);
	ck_assert_int_eq(points_account_get(db, carol, &a), POINTS_OK);
	ck_assert_int_eq(a.status, POINTS_ACCOUNT_CLOSED);
	ck_assert_int_eq(points_balance_get(db, alice, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 50);
	ck_assert_int_eq(b.earned, 100);
	ck_assert_int_eq(b.spent, 50);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 50);
	ck_assert_int_eq(points_balance_get(db, bob, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 10);
	ck_assert_int_eq(b.held, 10);
	ck_assert_int_eq(points_txn_get(db, t1.id, &t), POINTS_OK);
	/* the first entry of alice's log partition */
	ck_assert_int_eq(t.seq, points_entry__part_first(
	    points_entry__partitions_new > 1 ?
	    (unsigned)(alice % points_entry__partitions_new) : 0));
	ck_assert_int_eq(t.amount, 100);
	ck_assert_int_eq(points_txn_get(db, t2.id, &t), POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_TRANSFER);
	ck_assert_int_eq(t.to, bob);
	ck_assert_int_eq(points_hold_get(db, h.id, &hold), POINTS_OK);
	ck_assert_int_eq(hold.state, POINTS_HOLD_OPEN);
	ck_assert_int_eq(hold.amount, 10);
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", 0, 0,
	    POINTS_OLDEST_FIRST, &it), POINTS_OK);
	for (n = 0; (rc = points_statement_next(it, &e)) == POINTS_OK; n++)
		;
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	ck_assert_int_eq(n, 3);
	points_statement_iterator_free(it);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_OK);
	/* the transfer is two legs when alice and bob are in different
	 * log partitions (ledger/entry.h) */
	legs = points_entry__partitions_new > 1 &&
	    alice % points_entry__partitions_new !=
	    bob % points_entry__partitions_new;
	ck_assert_int_eq(rep.entries, 5 + legs);

	/* it goes on where it stopped */
	ck_assert_int_eq(tu_account(db, "E1004"), carol + 1);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, &t), POINTS_OK);
	/* in partitions: alice's fifth entry in hers, bob's third */
	ck_assert_int_eq(t.seq, points_entry__partitions_new > 1 ?
	    points_entry__part_first((unsigned)(alice %
	    points_entry__partitions_new)) + 4 : 6);
	ck_assert_int_eq(points_account_unfreeze(db, bob), POINTS_OK);
	ck_assert_int_eq(tu_release(db, h.id, NULL, &t), POINTS_OK);
	ck_assert_int_eq(t.seq, points_entry__partitions_new > 1 ?
	    points_entry__part_first((unsigned)(bob %
	    points_entry__partitions_new)) + 2 : 7);
	tu_invariants(db);
	points_close(db);

	db = tu_open_bare(uri);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_OK);
	ck_assert_int_eq(rep.entries, 7 + legs);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 20);
	tu_invariants(db);
	points_close(db);
	db = NULL;
	tu_cleanup();
}
END_TEST

START_TEST(test_uncommitted_batch_is_lost_on_close)
{
	char uri[128];
	int64_t alice;

	snprintf(uri, sizeof(uri), "%s", tu_sqlite_uri());
	db = tu_open(uri);
	alice = tu_account(db, "E1001");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 90, NULL), POINTS_OK);
	ck_assert_int_eq(tu_account(db, "E1002"), alice + 1);
	points_close(db);
	db = tu_open_bare(uri);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 10);
	ck_assert_int_eq(tu_account(db, "E1003"), alice + 1);
	tu_invariants(db);
	points_close(db);
	db = NULL;
	tu_cleanup();
}
END_TEST

/* ---- Tamper evidence ---- */

static int64_t alice, bob;
/* The seq before the first of the fixture's entries: they are in
 * alice's log partition (ledger/entry.h), 0 with one. */
static int64_t s0;

static void
setup_tamper(void)
{
	unsigned parts = points_entry__partitions_new > 1 ?
	    points_entry__partitions_new : 1;
	char ext[16];
	int n = 2;

	setup();
	alice = tu_account(db, "E1001");
	/* bob in alice's partition, so that the entries are one chain */
	do {
		snprintf(ext, sizeof(ext), "E100%d", n++);
		bob = tu_account(db, ext);
	} while (bob % parts != alice % parts);
	s0 = points_entry__part_first((unsigned)(alice % parts)) - 1;
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 50, NULL), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 30, NULL), POINTS_OK);
}

static void
be64(unsigned char k[8], int64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		k[i] = (unsigned char)(v & 0xff);
}

static unsigned char *
raw_get(const points_ksdef *ks, const void *k, size_t kl, size_t *vl)
{
	points_store *s = db->store;
	const void *v;
	unsigned char *copy;

	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->get(s, db->ks[ks->slot], k, kl, &v, vl), POINTS_OK);
	copy = malloc(*vl ? *vl : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, v, *vl);
	s->rollback(s);
	return copy;
}

static void
raw_put(const points_ksdef *ks, const void *k, size_t kl, const void *v, size_t vl)
{
	points_store *s = db->store;

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, db->ks[ks->slot], k, kl, v, vl), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

static void
raw_del(const points_ksdef *ks, const void *k, size_t kl)
{
	points_store *s = db->store;

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->del(s, db->ks[ks->slot], k, kl), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

/* The check reads in chunks: it must find the same with chunks of one,
 * two and three records as with the default. */
static void
expect_corrupt(int64_t bad_seq, const char *needle)
{
	static const size_t chunks[] = { POINTS_VERIFY_CHUNK, 1, 2, 3 };
	points_verify_report rep, first;
	size_t i;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		points_verify__chunk = chunks[i];
		memset(&rep, 0, sizeof(rep));
		ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
		ck_assert_int_eq(points_errcode(db), POINTS_ECORRUPT);
		if (bad_seq >= 0)
			ck_assert_int_eq(rep.bad_seq, bad_seq);
		ck_assert_msg(strstr(rep.message, needle) != NULL,
		    "report '%s' does not mention '%s' (chunk %zu)",
		    rep.message, needle, chunks[i]);
		ck_assert_msg(strstr(points_errmsg(db), needle) != NULL,
		    "message '%s' does not mention '%s'", points_errmsg(db),
		    needle);
		if (i == 0)
			first = rep;
		ck_assert_str_eq(rep.message, first.message);
		ck_assert_int_eq(rep.bad_seq, first.bad_seq);
	}
	points_verify__chunk = POINTS_VERIFY_CHUNK;
}

/* "entry N" for the fixture's nth entry. */
static const char *
entry_n(int n)
{
	static char buf[40];

	snprintf(buf, sizeof(buf), "entry %lld", (long long)(s0 + n));
	return buf;
}

START_TEST(test_verify_passes_on_new_ledger)
{
	points_verify_report rep;

	memset(&rep, 0x5a, sizeof(rep));
	ck_assert_int_eq(points_verify(db, &rep), POINTS_OK);
	ck_assert_int_eq(rep.entries, 0);
	ck_assert_int_eq(rep.balances, 0);
	ck_assert_int_eq(rep.bad_seq, 0);
	ck_assert_str_eq(rep.message, "ok");
	ck_assert_int_eq(points_verify(db, NULL), POINTS_OK);
	ck_assert_int_eq(points_verify(NULL, &rep), POINTS_EINVAL);
}
END_TEST

START_TEST(test_verify_counts_entries_and_balances)
{
	points_verify_report rep;

	ck_assert_int_eq(points_verify(db, &rep), POINTS_OK);
	ck_assert_int_eq(rep.entries, 3);
	/* issuer, sink, alice, bob in PTS: one record each; with the log
	 * in partitions a system account has two, its own and its shard
	 * for alice's partition (core/balance.h) */
	ck_assert_int_eq(rep.balances, points_entry__partitions_new > 1 ?
	    6 : 4);
	ck_assert_int_eq(rep.bad_seq, 0);
}
END_TEST

START_TEST(test_every_altered_entry_byte_is_found)
{
	unsigned char k[8], *orig, *v;
	size_t vl, i;

	be64(k, s0 + 2);
	orig = raw_get(&points_entry__ks, k, 8, &vl);
	ck_assert_uint_gt(vl, POINTS_HASH_LEN);
	v = malloc(vl);
	ck_assert_ptr_nonnull(v);
	for (i = 0; i < vl; i++) {
		memcpy(v, orig, vl);
		v[i] ^= 0x01;
		raw_put(&points_entry__ks, k, 8, v, vl);
		expect_corrupt(s0 + 2, entry_n(2));
	}
	/* a shorter or longer record too */
	raw_put(&points_entry__ks, k, 8, orig, vl - 1);
	expect_corrupt(s0 + 2, entry_n(2));
	memcpy(v, orig, vl);
	raw_put(&points_entry__ks, k, 8, orig, 0);
	expect_corrupt(s0 + 2, "entry");
	raw_put(&points_entry__ks, k, 8, orig, vl);
	free(orig);
	free(v);
}
END_TEST

START_TEST(test_altered_last_entry_is_found)
{
	unsigned char k[8], *orig;
	size_t vl;

	be64(k, s0 + 3);
	orig = raw_get(&points_entry__ks, k, 8, &vl);
	orig[vl - 1] ^= 0x80;
	raw_put(&points_entry__ks, k, 8, orig, vl);
	expect_corrupt(s0 + 3, entry_n(3));
	orig[vl - 1] ^= 0x80;
	raw_put(&points_entry__ks, k, 8, orig, vl);
	free(orig);
}
END_TEST

START_TEST(test_deleted_entry_is_found)
{
	unsigned char k[8], *orig;
	size_t vl;
	int64_t seq;

	for (seq = s0 + 1; seq <= s0 + 2; seq++) {
		be64(k, seq);
		orig = raw_get(&points_entry__ks, k, 8, &vl);
		raw_del(&points_entry__ks, k, 8);
		expect_corrupt(seq, entry_n((int)(seq - s0)));
		raw_put(&points_entry__ks, k, 8, orig, vl);
		free(orig);
	}
	/* the last one: the balances still know of it */
	be64(k, s0 + 3);
	orig = raw_get(&points_entry__ks, k, 8, &vl);
	raw_del(&points_entry__ks, k, 8);
	expect_corrupt(s0 + 3, "account");
	raw_put(&points_entry__ks, k, 8, orig, vl);
	free(orig);
}
END_TEST

START_TEST(test_swapped_entries_are_found)
{
	unsigned char k1[8], k2[8], *v1, *v2;
	size_t l1, l2;

	be64(k1, s0 + 1);
	be64(k2, s0 + 2);
	v1 = raw_get(&points_entry__ks, k1, 8, &l1);
	v2 = raw_get(&points_entry__ks, k2, 8, &l2);
	raw_put(&points_entry__ks, k1, 8, v2, l2);
	raw_put(&points_entry__ks, k2, 8, v1, l1);
	expect_corrupt(s0 + 1, entry_n(1));
	raw_put(&points_entry__ks, k1, 8, v1, l1);
	raw_put(&points_entry__ks, k2, 8, v2, l2);
	free(v1);
	free(v2);
}
END_TEST

enum bal_field {
	BF_AVAILABLE, BF_HELD, BF_EARNED, BF_SPENT, BF_EXPIRED, BF_LAST_SEQ,
	BF_LOT, BF_COUNT
};

/* Rewrite alice's PTS balance with one field off by one. */
START_TEST(test_altered_balance_is_found)
{
	unsigned char k[8], *orig;
	points_store *s = db->store;
	points_asset_rec rec;
	points_balance_rec b;
	size_t vl;
	char needle[32];

	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(points_asset__find(db, "PTS", &rec), POINTS_OK);
	s->rollback(s);
	ck_assert(points_balance__key(alice, rec.id, k));
	orig = raw_get(&points_balance__ks, k, sizeof(k), &vl);
	points_balance__init(&b, alice, rec.id, 0);
	ck_assert_int_eq(points_balance__decode(db, orig, vl, &b, 1), POINTS_OK);
	ck_assert_int_eq(b.available, 70);
	switch (_i) {
	case BF_AVAILABLE: b.available++; break;
	case BF_HELD: b.held++; break;
	case BF_EARNED: b.earned++; break;
	case BF_SPENT: b.spent--; break;
	case BF_EXPIRED: b.expired++; break;
	case BF_LAST_SEQ: b.last_seq--; break;
	case BF_LOT:
		ck_assert_uint_eq(b.lots.n, 1);
		b.lots.v[0].amount--;
		break;
	}
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(points_balance__store(db, &b, 0), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	points_balance__free(&b);

	snprintf(needle, sizeof(needle), "account %lld", (long long)alice);
	expect_corrupt(-1, needle);
	raw_put(&points_balance__ks, k, sizeof(k), orig, vl);
	free(orig);
}
END_TEST

START_TEST(test_altered_balance_bytes_are_found)
{
	unsigned char k[8], *orig, *v;
	size_t vl;
	char needle[32];

	/* by hand: the record is version 1, the account's status byte
	 * (active, no flags: 0), then available as a zigzag varint: 70 is
	 * 140 = 0x8c 0x01; make it 71 (142) */
	ck_assert(points_balance__key(alice, 1, k));
	orig = raw_get(&points_balance__ks, k, sizeof(k), &vl);
	ck_assert_uint_ge(vl, 4);
	ck_assert_int_eq(orig[0], 1);
	ck_assert_int_eq(orig[1], 0);
	ck_assert_int_eq(orig[2], 0x8c);
	ck_assert_int_eq(orig[3], 0x01);
	v = malloc(vl);
	ck_assert_ptr_nonnull(v);
	memcpy(v, orig, vl);
	v[2] = 0x8e;
	raw_put(&points_balance__ks, k, sizeof(k), v, vl);
	snprintf(needle, sizeof(needle), "account %lld", (long long)alice);
	expect_corrupt(-1, needle);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "available 71"));
	/* a deleted balance is missed too */
	raw_del(&points_balance__ks, k, sizeof(k));
	expect_corrupt(-1, needle);
	/* and garbage is unreadable */
	raw_put(&points_balance__ks, k, sizeof(k), "\x07", 1);
	expect_corrupt(-1, "balance");
	raw_put(&points_balance__ks, k, sizeof(k), orig, vl);
	free(orig);
	free(v);
}
END_TEST

/* ---- Batches ---- */

START_TEST(test_batch_begin_twice_is_emisuse)
{
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(points_batch_begin(db), POINTS_EMISUSE);
	ck_assert_str_eq(points_errmsg(db), "a batch is already open");
	/* the open batch is still usable */
	ck_assert_int_eq(tu_account(db, "E1001"), tu_first_user());
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	ck_assert_int_eq(points_batch_begin(NULL), POINTS_EINVAL);
}
END_TEST

START_TEST(test_commit_or_rollback_without_batch_is_emisuse)
{
	ck_assert_int_eq(points_batch_commit(db), POINTS_EMISUSE);
	ck_assert_str_eq(points_errmsg(db), "no batch is open");
	ck_assert_int_eq(points_batch_rollback(db), POINTS_EMISUSE);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_EMISUSE);
	ck_assert_int_eq(points_batch_commit(db), POINTS_EMISUSE);
	ck_assert_int_eq(points_batch_commit(NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_batch_rollback(NULL), POINTS_EINVAL);
}
END_TEST

START_TEST(test_batch_commit_keeps_and_rollback_discards)
{
	int64_t alice;

	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	alice = tu_account(db, "E1001");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	tu_snap(db);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(tu_account(db, "E1002"), alice + 1);
	ck_assert_int_eq(points_asset_create(db, "NEW", 0,
	    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	tu_unchanged(db);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 10);
}
END_TEST

/* A batch dropped by a failed write, then a read inside it: neither the
 * read nor the rollback may leave a store transaction open.  (A store of
 * version 2: with savepoints the failed write would be undone alone.) */
START_TEST(test_read_inside_dropped_batch_leaves_no_transaction)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_store *in, *f;
	points_account a;
	int64_t n, id;
	int rc;

	ck_assert_int_eq(points_store_open("memory:", &in), POINTS_OK);
	in = tu_store_v2(in);
	ck_assert_int_eq(points_store_fault_new(in, &f), POINTS_OK);
	o.clock = ctx_clock;
	o.clock_ctx = &tu_now;
	ck_assert_int_eq(points_open_store(f, &o, &db), POINTS_OK);
	for (n = 1;; n++) {
		ck_assert_msg(n < 100, "the batch is never dropped");
		ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
		points_store_fault_arm(f, n, 0);
		rc = points_account_create(db, "E1001", NULL, 0, &id);
		points_store_fault_arm(f, 0, 0);
		ck_assert_int_eq(rc, POINTS_ESTORAGE);
		rc = points_account_create(db, "E1002", NULL, 0, &id);
		if (rc == POINTS_ESTATE)
			break;
		ck_assert_int_eq(rc, POINTS_OK);
		ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	}
	/* the batch is dropped; a read still works */
	ck_assert_int_eq(points_account_get(db, POINTS_ACCOUNT_ISSUER, &a),
	    POINTS_OK);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	/* and the handle writes again */
	rc = points_account_create(db, "E1003", NULL, 0, &id);
	ck_assert_msg(rc == POINTS_OK, "write after the dropped batch: %s",
	    points_errmsg(db));
	ck_assert_int_eq(id, tu_first_user());
	tu_invariants(db);
	points_close(db);
	db = NULL;
	points_store_close(f);
	points_store_close(in);
}
END_TEST

static Suite *
db_suite(void)
{
	Suite *s = suite_create("db");
	TCase *tl = tcase_create("library");
	TCase *to = tcase_create("open");
	TCase *ta = tcase_create("asset");
	TCase *tp = tcase_create("persistence");
	TCase *tt = tcase_create("tamper");
	TCase *tb = tcase_create("batch");

	tcase_add_test(tl, test_version_matches_header);
	tcase_add_test(tl, test_strerror_names_every_code_distinctly);
	tcase_add_test(tl, test_errmsg_of_null_handle);
	tcase_add_test(tl, test_options_init);
	tcase_add_test(tl, test_rewritten_flag_only_from_version_5);
	tcase_add_test(tl, test_posting_init);
	tcase_add_test(tl, test_set_allocator_needs_all_or_nothing);
	tcase_add_loop_test(tl, test_open_under_failing_allocator_memory, 0,
	    2);
	tcase_add_loop_test(tl, test_open_under_failing_allocator_sqlite, 0,
	    2);
	suite_add_tcase(s, tl);

	tcase_add_test(to, test_open_null_out_is_einval);
	tcase_add_test(to, test_open_null_uri_gives_failed_handle);
	tcase_add_test(to, test_open_bad_uri_gives_failed_handle);
	tcase_add_test(to, test_open_options_version_is_checked);
	tcase_add_test(to, test_open_utc_offset_range);
	tcase_add_test(to, test_utc_offset_is_stored_in_the_ledger);
	tcase_add_loop_test(to, test_new_ledger_without_offset_is_utc, 0, 2);
	tcase_add_loop_test(to, test_0_1_0_ledger_takes_the_first_offset, 0, 2);
	tcase_add_test(to, test_damaged_setting_is_ecorrupt);
	tcase_add_test(to, test_mode_rw_opens_only_an_existing_ledger);
	tcase_add_test(to, test_memory_mode_rw_is_einval);
	tcase_add_loop_test(to, test_foreign_sqlite_file_is_refused_untouched,
	    0, 2);
	tcase_add_test(to, test_now_reads_the_injected_clock);
	tcase_add_test(to, test_open_store_null_store_is_einval);
	tcase_add_test(to, test_open_store_version_is_checked);
	tcase_add_test(to, test_open_store_missing_method_is_einval);
	tcase_add_test(to, test_host_store_runs_a_ledger);
	tcase_add_test(to, test_host_store_over_sqlite_runs_a_ledger);
	tcase_add_test(to, test_newer_format_marker_is_eversion);
	tcase_add_test(to, test_newer_module_marker_is_eversion);
	tcase_add_test(to, test_ledger_format_1_is_raised_to_5);
	tcase_add_test(to, test_ledger_without_module_markers_opens_as_before);
	tcase_add_loop_test(to, test_version_1_store_runs_a_ledger, 0, 2);
	tcase_add_loop_test(to, test_format_1_balances_are_upgraded, 0, 2);
	tcase_add_test(to,
	    test_newer_format_marker_on_a_host_store_is_eversion);
	suite_add_tcase(s, to);

	tcase_add_checked_fixture(ta, setup_bare, teardown);
	tcase_add_test(ta, test_asset_create_and_get);
	tcase_add_test(ta, test_asset_bad_codes_are_einval);
	tcase_add_test(ta, test_asset_decimals_out_of_range_is_einval);
	tcase_add_test(ta, test_asset_bad_policies_are_einval);
	tcase_add_test(ta, test_asset_duplicate_is_eexists);
	tcase_add_test(ta, test_asset_unknown_is_enotfound);
	tcase_add_test(ta, test_many_assets_keep_their_balances_apart);
	tcase_add_test(ta, test_ids_past_the_balance_key_are_elimit);
	tcase_add_test(ta, test_asset_made_in_a_rolled_back_batch_is_gone);
	suite_add_tcase(s, ta);

	tcase_add_test(tp, test_ledger_survives_close_and_reopen);
	tcase_add_test(tp, test_uncommitted_batch_is_lost_on_close);
	suite_add_tcase(s, tp);

	tcase_add_checked_fixture(tt, setup_tamper, teardown);
	tcase_add_test(tt, test_verify_counts_entries_and_balances);
	tcase_add_test(tt, test_every_altered_entry_byte_is_found);
	tcase_add_test(tt, test_altered_last_entry_is_found);
	tcase_add_test(tt, test_deleted_entry_is_found);
	tcase_add_test(tt, test_swapped_entries_are_found);
	tcase_add_loop_test(tt, test_altered_balance_is_found, 0, BF_COUNT);
	tcase_add_test(tt, test_altered_balance_bytes_are_found);
	suite_add_tcase(s, tt);

	tcase_add_checked_fixture(tb, setup_bare, teardown);
	tcase_add_test(tb, test_verify_passes_on_new_ledger);
	tcase_add_test(tb, test_batch_begin_twice_is_emisuse);
	tcase_add_test(tb, test_commit_or_rollback_without_batch_is_emisuse);
	suite_add_tcase(s, tb);

	tb = tcase_create("batch_failure");
	tcase_add_test(tb,
	    test_read_inside_dropped_batch_leaves_no_transaction);
	suite_add_tcase(s, tb);

	/* batch with assets: the standard ones */
	tb = tcase_create("batch_assets");
	tcase_add_checked_fixture(tb, setup, teardown);
	tcase_add_test(tb, test_batch_commit_keeps_and_rollback_discards);
	suite_add_tcase(s, tb);
	return s;
}

int
main(void)
{
	return tu_run(db_suite());
}
