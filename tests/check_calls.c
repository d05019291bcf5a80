/* check_calls.c - calls into other libraries whose failure the library
 * must not ignore: libsodium's BLAKE2b (the hash chain, idempotency
 * fingerprints), the rollback the SQLite store's begin issues for a
 * transaction a failed rollback left behind, and every call the SQLite
 * backend makes into SQLite, failed in turn.  Each fails the operation
 * with a message and changes nothing.
 *
 * This file stands in for crypto_generichash_final, crypto_generichash
 * and SQLite's step, prepare, exec, bind and column_blob (the test
 * binary's own definitions come before the shared libraries'), passing
 * every call through unless a test arms it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The SQLite call loop (test_sqlite_call_failures): once armed, every
 * call below counts, and the fail_call-th fails with fail_rc (a blob
 * column comes back NULL, as when SQLite cannot convert it). */
static long fail_call, ncalls;
static int fail_rc, fired;

static int
fails_now(void)
{
	if (!fail_call || fired || ++ncalls != fail_call)
		return 0;
	fired = 1;
	return 1;
}

int
sqlite3_step(sqlite3_stmt *st)
{
	static int (*f)(sqlite3_stmt *);
	const char *sql = sqlite3_sql(st);

	if (fail_end_sql && sql && (strcmp(sql, "COMMIT") == 0 ||
	    strcmp(sql, "ROLLBACK") == 0))
		return SQLITE_IOERR;
	if (fails_now())
		return fail_rc;
	if (!f)
		*(void **)&f = real("sqlite3_step");
	return f(st);
}

int
sqlite3_prepare_v3(sqlite3 *h, const char *sql, int n, unsigned flags,
    sqlite3_stmt **st, const char **tail)
{
	static int (*f)(sqlite3 *, const char *, int, unsigned,
	    sqlite3_stmt **, const char **);

	if (fails_now()) {
		*st = NULL;
		return fail_rc;
	}
	if (!f)
		*(void **)&f = real("sqlite3_prepare_v3");
	return f(h, sql, n, flags, st, tail);
}

int
sqlite3_exec(sqlite3 *h, const char *sql, int (*cb)(void *, int, char **,
    char **), void *arg, char **err)
{
	static int (*f)(sqlite3 *, const char *, int (*)(void *, int,
	    char **, char **), void *, char **);

	if (fails_now())
		return fail_rc;
	if (!f)
		*(void **)&f = real("sqlite3_exec");
	return f(h, sql, cb, arg, err);
}

int
sqlite3_bind_blob64(sqlite3_stmt *st, int i, const void *v,
    sqlite3_uint64 n, void (*d)(void *))
{
	static int (*f)(sqlite3_stmt *, int, const void *, sqlite3_uint64,
	    void (*)(void *));

	if (fails_now())
		return fail_rc;
	if (!f)
		*(void **)&f = real("sqlite3_bind_blob64");
	return f(st, i, v, n, d);
}

int
sqlite3_bind_int64(sqlite3_stmt *st, int i, sqlite3_int64 v)
{
	static int (*f)(sqlite3_stmt *, int, sqlite3_int64);

	if (fails_now())
		return fail_rc;
	if (!f)
		*(void **)&f = real("sqlite3_bind_int64");
	return f(st, i, v);
}

const void *
sqlite3_column_blob(sqlite3_stmt *st, int i)
{
	static const void *(*f)(sqlite3_stmt *, int);

	if (!f)
		*(void **)&f = real("sqlite3_column_blob");
	if (fails_now())
		return NULL;
	return f(st, i);
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
	fail_call = 0;
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
	points_txn t;
	char want[128];

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, &t), POINTS_OK);
	fail_final = 1;
	TU_FAILS(db, tu_earn(db, alice, "PTS", 5, NULL), POINTS_ESTORAGE);
	/* the entry after alice's first (its log partition's second) */
	snprintf(want, sizeof(want), "entry %lld: BLAKE2b failed "
	    "(libsodium crypto_generichash)", (long long)(t.seq + 1));
	ck_assert_str_eq(points_errmsg(db), want);
	TU_FAILS(db, tu_spend(db, alice, "PTS", 5, NULL), POINTS_ESTORAGE);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ESTORAGE);
	/* the log's first entry */
	snprintf(want, sizeof(want), "entry %lld: BLAKE2b failed "
	    "(libsodium crypto_generichash)", (long long)t.seq);
	ck_assert_str_eq(points_errmsg(db), want);
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

/* ---- Every call into SQLite fails, in turn ---- */

static const int fail_codes[] = {
	SQLITE_IOERR, SQLITE_FULL, SQLITE_BUSY, SQLITE_NOMEM, SQLITE_TOOBIG,
	SQLITE_CORRUPT, SQLITE_LOCKED, SQLITE_BUSY_SNAPSHOT,
};

/* Arm the loop: the k-th SQLite call from now fails. */
static void
arm(long k)
{
	ncalls = 0;
	fired = 0;
	fail_rc = fail_codes[k % (long)(sizeof(fail_codes) /
	    sizeof(fail_codes[0]))];
	fail_call = k;
}

static void
disarm(void)
{
	fail_call = 0;
}

/* An operation of the loop: it prepares what it needs unarmed, takes
 * the snapshot (tu_snap), arms with k and makes its call, and returns
 * the call's code (LOOP_BUG for an outcome that is wrong whatever
 * failed). */
#define LOOP_BUG (-1000)
typedef int (*loop_op)(long k);

static char uri_b[200];

static int
op_earn(long k)
{
	points_posting p = tu_posting("PTS", alice, 5);
	points_txn t;
	int rc;

	p.memo = "bonus";
	p.category = "culture";
	tu_snap(db);
	arm(k);
	rc = points_earn(db, &p, &t);
	disarm();
	return rc;
}

/* A batch whose second operation is refused and undone (the store's
 * rollback to a savepoint) between two that stay. */
static int
op_batch(long k)
{
	int rc;

	tu_snap(db);
	arm(k);
	if ((rc = points_batch_begin(db)))
		goto out;
	if ((rc = tu_earn(db, alice, "PTS", 5, NULL)) ||
	    (rc = tu_spend(db, alice, "PTS", 1000000, NULL)) !=
	    POINTS_EINSUFFICIENT || (rc = tu_spend(db, alice, "PTS", 1, NULL))) {
		if (rc == POINTS_OK)
			rc = LOOP_BUG; /* the big spend went through */
		(void)points_batch_rollback(db);
		goto out;
	}
	rc = points_batch_commit(db);
out:
	disarm();
	return rc;
}

static int
op_capture(long k)
{
	points_posting p = tu_posting("PTS", alice, 3);
	points_capture c = POINTS_CAPTURE_INIT;
	points_txn t, ct;
	int rc;

	ck_assert_int_eq(points_hold_create(db, &p, &t), POINTS_OK);
	c.hold_id = t.id;
	c.amount = 2;
	tu_snap(db);
	arm(k);
	rc = points_hold_capture(db, &c, &ct);
	disarm();
	return rc;
}

static int
op_statement(long k)
{
	points_statement_iterator *it;
	points_entry e;
	int rc, n = 0;

	tu_snap(db);
	arm(k);
	if ((rc = points_statement_iterator_new(db, alice, "PTS", 0, 0, 0,
	    &it)) == POINTS_OK) {
		while ((rc = points_statement_next(it, &e)) == POINTS_OK)
			n++;
		points_statement_iterator_free(it);
		if (rc == POINTS_ITEROVER)
			rc = n >= 2 ? POINTS_OK : LOOP_BUG;
	}
	disarm();
	return rc;
}

static int
op_verify(long k)
{
	points_verify_report rep;
	int rc;

	tu_snap(db);
	arm(k);
	rc = points_verify(db, &rep);
	disarm();
	if (rc == POINTS_ECORRUPT || (rc == POINTS_OK && rep.entries < 3))
		rc = LOOP_BUG;
	return rc;
}

/* A second handle on the ledger's file. */
static int
op_reopen(long k)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *h = NULL;
	int rc;

	tu_snap(db);
	arm(k);
	rc = points_open(uri_b, &o, &h);
	disarm();
	if (h)
		points_close(h);
	return rc;
}

static int
op_backup(long k)
{
	char path[220];
	int rc;

	/* in memory where there is a tmpfs: the loop makes ~2,400 copies,
	 * and each is synced */
	snprintf(path, sizeof(path), "%s/points-calls-%ld.copy",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (long)getpid());
	(void)remove(path);
	tu_snap(db);
	arm(k);
	rc = points_backup(db, path);
	disarm();
	(void)remove(path);
	return rc;
}

/* Run op with its k-th SQLite call failing, for k = 1, 2, ... until it
 * makes no more calls than that: each failure is an error with a
 * message that changes nothing; *failed counts them. */
static void
call_loop(const char *what, loop_op op, long *failed)
{
	long k;
	int rc;

	for (k = 1; k < 100000; k++) {
		rc = op(k);
		ck_assert_msg(rc != LOOP_BUG, "%s: call %ld failed: a wrong "
		    "outcome", what, k);
		if (!fired) {
			ck_assert_msg(rc == POINTS_OK, "%s: %d with no failure "
			    "(%s)", what, rc, points_errmsg(db));
			return;
		}
		if (rc == POINTS_OK) {
			/* that call's failure did not matter (an empty value
			 * read as NULL) or was retried: a success, and a
			 * sound one */
			tu_invariants(db);
			continue;
		}
		(*failed)++;
		ck_assert_msg(points_errmsg(db)[0] != '\0', "%s: call %ld "
		    "failed with %d and no message", what, k, rc);
		tu_unchanged(db);
	}
	ck_abort_msg("%s: no end of calls", what);
}

/* SQLite's every call failing in turn, over a write, a batch with an
 * undone operation, a capture, a statement, verify, a second handle and
 * a backup (SQLite's own tests fail its every I/O call in turn; this is
 * one level up, the backend's use of SQLite): each failure is an error
 * code and a message, and the ledger is as it was. */
START_TEST(test_sqlite_call_failures)
{
	static const struct {
		const char *what;
		loop_op op;
	} ops[] = {
		{ "earn", op_earn }, { "batch", op_batch },
		{ "capture", op_capture }, { "statement", op_statement },
		{ "verify", op_verify }, { "reopen", op_reopen },
		{ "backup", op_backup },
	};
	size_t i;
	long failed;

	points_close(db);
	snprintf(uri_b, sizeof(uri_b), "%s", tu_sqlite_uri());
	db = tu_open(uri_b);
	alice = tu_account(db, "E1001");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 100000, NULL), POINTS_OK);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		failed = 0;
		call_loop(ops[i].what, ops[i].op, &failed);
		ck_assert_msg(failed > 3, "%s: only %ld calls failed",
		    ops[i].what, failed);
	}
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
	tcase_add_test(tq, test_sqlite_call_failures);
	suite_add_tcase(s, tq);
	return s;
}

int
main(void)
{
	return tu_run(calls_suite());
}
