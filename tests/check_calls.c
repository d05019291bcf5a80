/* check_calls.c - calls into other libraries whose failure the library
 * must not ignore: libsodium's BLAKE2b (the hash chain, idempotency
 * fingerprints) and the rollback the SQLite store's begin issues for a
 * transaction a failed rollback left behind.  Each fails the operation
 * with a message and changes nothing.
 *
 * This file stands in for crypto_generichash_final, crypto_generichash
 * and sqlite3_step (the test binary's own definitions come before the
 * shared libraries'), passing every call through unless a test arms
 * it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "testutil.h"

static int fail_final;     /* crypto_generichash_final fails */
static int fail_oneshot;   /* crypto_generichash fails */
static int fail_end_sql;   /* COMMIT and ROLLBACK fail, without running */

static void *
real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f)
		abort();
	return f;
}

int
crypto_generichash_final(crypto_generichash_state *state, unsigned char *out,
    const size_t outlen)
{
	static int (*f)(crypto_generichash_state *, unsigned char *,
	    const size_t);

	if (fail_final)
		return -1;
	if (!f)
		*(void **)&f = real("crypto_generichash_final");
	return f(state, out, outlen);
}

int
crypto_generichash(unsigned char *out, size_t outlen, const unsigned char *in,
    unsigned long long inlen, const unsigned char *key, size_t keylen)
{
	static int (*f)(unsigned char *, size_t, const unsigned char *,
	    unsigned long long, const unsigned char *, size_t);

	if (fail_oneshot)
		return -1;
	if (!f)
		*(void **)&f = real("crypto_generichash");
	return f(out, outlen, in, inlen, key, keylen);
}

int
sqlite3_step(sqlite3_stmt *st)
{
	static int (*f)(sqlite3_stmt *);
	const char *sql = sqlite3_sql(st);

	if (fail_end_sql && sql && (strcmp(sql, "COMMIT") == 0 ||
	    strcmp(sql, "ROLLBACK") == 0))
		return SQLITE_IOERR;
	if (!f)
		*(void **)&f = real("sqlite3_step");
	return f(st);
}

static points_db *db;
static int64_t alice;

static void
setup_on(const char *uri)
{
	tu_now = TU_T0;
	db = tu_open(uri);
	alice = tu_account(db, "E1001");
}

static void
setup_memory(void)
{
	setup_on("memory:");
}

static void
setup_sqlite(void)
{
	setup_on(tu_sqlite_uri());
}

static void
teardown(void)
{
	fail_final = fail_oneshot = fail_end_sql = 0;
	if (db) {
		tu_invariants(db);
		points_close(db);
		db = NULL;
	}
	tu_snap_free();
	tu_cleanup();
}

/* The hash of a new entry cannot be made: the write fails and writes
 * nothing (the entry was stored with whatever the buffer held as its
 * hash); verify, which recomputes the chain, fails too. */
START_TEST(test_chain_hash_failure_fails_the_write)
{
	points_verify_report rep;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	fail_final = 1;
	TU_FAILS(db, tu_earn(db, alice, "PTS", 5, NULL), POINTS_ESTORAGE);
	ck_assert_str_eq(points_errmsg(db), "entry 2: BLAKE2b failed "
	    "(libsodium crypto_generichash)");
	TU_FAILS(db, tu_spend(db, alice, "PTS", 5, NULL), POINTS_ESTORAGE);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ESTORAGE);
	ck_assert_str_eq(points_errmsg(db), "entry 1: BLAKE2b failed "
	    "(libsodium crypto_generichash)");
	fail_final = 0;
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 15);
}
END_TEST

/* A request's fingerprint cannot be made: a write with an idempotency
 * key fails before it begins; one without a key needs none. */
START_TEST(test_fingerprint_failure_fails_a_keyed_write)
{
	points_posting p = tu_posting("PTS", alice, 7);
	points_txn t;

	p.idempotency_key = "order-1";
	fail_oneshot = 1;
	TU_FAILS(db, points_earn(db, &p, &t), POINTS_ESTORAGE);
	ck_assert_str_eq(points_errmsg(db), "idempotency key 'order-1': "
	    "BLAKE2b failed (libsodium crypto_generichash)");
	p.idempotency_key = NULL;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	fail_oneshot = 0;
	p.idempotency_key = "order-1";
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(t.replayed, 1);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 14);
}
END_TEST

/* A commit fails and so does the rollback after it: SQLite is still in
 * the transaction.  The next begin rolls it back first; when that fails
 * too, begin says so (it went on, and BEGIN failed with "cannot start a
 * transaction within a transaction"), and once the rollback works the
 * store is usable, without the failed transaction's writes. */
START_TEST(test_sqlite_begin_reports_a_failed_rollback)
{
	points_store *s;
	points_keyspace *ks;
	const void *v;
	size_t vl;
	const char *msg;

	char uri[160];

	/* a file of its own beside the fixture's ledger */
	snprintf(uri, sizeof(uri), "%s", tu_sqlite_uri());
	points_close(db);
	db = NULL;
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	ck_assert_int_eq(s->keyspace(s, "t", 0, &ks), POINTS_OK);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, ks, "k", 1, "v", 1), POINTS_OK);
	fail_end_sql = 1;
	ck_assert_int_eq(s->commit(s), POINTS_ESTORAGE);
	ck_assert_int_eq(s->begin(s, 1), POINTS_ESTORAGE);
	msg = s->errmsg(s);
	ck_assert_msg(msg && strncmp(msg, "rollback of an earlier transaction",
	    34) == 0, "%s", msg ? msg : "(none)");
	ck_assert_int_eq(s->begin(s, 0), POINTS_ESTORAGE);
	fail_end_sql = 0;
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->get(s, ks, "k", 1, &v, &vl), POINTS_ENOTFOUND);
	ck_assert_int_eq(s->rollback(s), POINTS_OK);
	points_store_close(s);
}
END_TEST

static Suite *
calls_suite(void)
{
	Suite *s = suite_create("calls");
	TCase *tm = tcase_create("memory"), *tq = tcase_create("sqlite");

	tcase_add_checked_fixture(tm, setup_memory, teardown);
	tcase_add_test(tm, test_chain_hash_failure_fails_the_write);
	tcase_add_test(tm, test_fingerprint_failure_fails_a_keyed_write);
	suite_add_tcase(s, tm);
	tcase_add_checked_fixture(tq, setup_sqlite, teardown);
	tcase_add_test(tq, test_chain_hash_failure_fails_the_write);
	tcase_add_test(tq, test_fingerprint_failure_fails_a_keyed_write);
	tcase_add_test(tq, test_sqlite_begin_reports_a_failed_rollback);
	suite_add_tcase(s, tq);
	return s;
}

int
main(void)
{
	return tu_run(calls_suite());
}
