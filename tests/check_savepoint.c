/* check_savepoint.c - an operation inside a batch is a savepoint of the
 * batch's transaction (core/db.h): one that fails after writing undoes
 * only itself and the batch goes on.  The loops over every write
 * operation are in check_fault.c; here the cases around them: the
 * sweep's defect, what the handle caches of undone writes (the log's
 * tail, the assets, SQLite's read cache, iterators), conflicts and a
 * failed undo that lose the batch, and what a store must offer.
 *
 * The ledger sits on a forwarding store that can fail the nth call of
 * any method with any code, on memory (_i 0) and SQLite (_i 1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/db.h"
#include "core/module.h"
#include "store/store.h"
#include "util/codec.h"

/* ---- A store that fails the nth call of a method ---- */

enum {
	X_BEGIN, X_COMMIT, X_GET, X_GET_MANY, X_PUT, X_DEL, X_CURSOR_OPEN,
	X_SAVEPOINT, X_RELEASE, X_ROLLBACK_TO, X_COUNT
};

typedef struct xs_store {
	points_store base;
	points_store *inner;  /* owned */
	long calls[X_COUNT];  /* since the last xs_arm */
	long fail_at[X_COUNT]; /* 0: never */
	int code[X_COUNT];
	char msg[64];
	int failed;           /* the last call was failed here */
	int nfailed;          /* calls failed since the last xs_disarm */
	int lose_txn;         /* rollback_to: the inner store loses the
	                       * transaction first, as SQLite does on an
	                       * I/O error, and fails in its own words */
} xs_store;

static xs_store xs;

#define IN (xs.inner)

static int
xs_fail(int m)
{
	xs.calls[m]++;
	xs.failed = xs.fail_at[m] && xs.calls[m] == xs.fail_at[m];
	xs.nfailed += xs.failed;
	if (xs.failed)
		snprintf(xs.msg, sizeof(xs.msg), "injected %d", xs.code[m]);
	return xs.failed ? xs.code[m] : POINTS_OK;
}

/* Fail call n of method m (counting every method from now) with
 * code. */
static void
xs_arm(int m, long n, int code)
{
	xs.fail_at[m] = n;
	xs.code[m] = code;
	memset(xs.calls, 0, sizeof(xs.calls));
}

static void
xs_disarm(void)
{
	memset(xs.fail_at, 0, sizeof(xs.fail_at));
	memset(xs.calls, 0, sizeof(xs.calls));
	xs.nfailed = 0;
	xs.lose_txn = 0;
}

static int
xs_keyspace(points_store *s, const char *name, unsigned flags,
    points_keyspace **out)
{
	(void)s;
	return IN->keyspace(IN, name, flags, out);
}

static int
xs_begin(points_store *s, int write)
{
	int rc;

	(void)s;
	return (rc = xs_fail(X_BEGIN)) ? rc : IN->begin(IN, write);
}

/* A failed commit wrote nothing (points/sys/store.h). */
static int
xs_commit(points_store *s)
{
	int rc;

	(void)s;
	if ((rc = xs_fail(X_COMMIT))) {
		IN->rollback(IN);
		return rc;
	}
	return IN->commit(IN);
}

static int
xs_rollback(points_store *s)
{
	(void)s;
	return IN->rollback(IN);
}

static int
xs_get(points_store *s, points_keyspace *ks, const void *k, size_t kl,
    const void **v, size_t *vl)
{
	int rc;

	(void)s;
	return (rc = xs_fail(X_GET)) ? rc : IN->get(IN, ks, k, kl, v, vl);
}

static int
xs_put(points_store *s, points_keyspace *ks, const void *k, size_t kl,
    const void *v, size_t vl)
{
	int rc;

	(void)s;
	return (rc = xs_fail(X_PUT)) ? rc : IN->put(IN, ks, k, kl, v, vl);
}

static int
xs_del(points_store *s, points_keyspace *ks, const void *k, size_t kl)
{
	int rc;

	(void)s;
	return (rc = xs_fail(X_DEL)) ? rc : IN->del(IN, ks, k, kl);
}

static int
xs_cursor_open(points_store *s, points_keyspace *ks, const void *lo,
    size_t lolen, const void *hi, size_t hilen, int reverse,
    points_cursor **out)
{
	int rc;

	(void)s;
	return (rc = xs_fail(X_CURSOR_OPEN)) ? rc : IN->cursor_open(IN, ks, lo,
	    lolen, hi, hilen, reverse, out);
}

static int
xs_cursor_next(points_store *s, points_cursor *c, const void **k,
    size_t *kl, const void **v, size_t *vl)
{
	(void)s;
	return IN->cursor_next(IN, c, k, kl, v, vl);
}

static void
xs_cursor_close(points_store *s, points_cursor *c)
{
	(void)s;
	IN->cursor_close(IN, c);
}

static void
xs_close(points_store *s)
{
	(void)s;
	points_store_close(IN);
	IN = NULL;
}

static const char *
xs_errmsg(points_store *s)
{
	(void)s;
	return xs.failed ? xs.msg : IN->errmsg(IN);
}

static int
xs_get_many(points_store *s, size_t n, points_keyspace *const *kss,
    const void *const *keys, const size_t *klens, const void **vals,
    size_t *vlens, int *rcs)
{
	int rc;

	(void)s;
	return (rc = xs_fail(X_GET_MANY)) ? rc : IN->get_many(IN, n, kss, keys,
	    klens, vals, vlens, rcs);
}

static int
xs_savepoint(points_store *s)
{
	int rc;

	(void)s;
	return (rc = xs_fail(X_SAVEPOINT)) ? rc : IN->savepoint(IN);
}

static int
xs_release(points_store *s)
{
	int rc;

	(void)s;
	return (rc = xs_fail(X_RELEASE)) ? rc : IN->release(IN);
}

static int
xs_rollback_to(points_store *s)
{
	int rc;

	(void)s;
	if ((rc = xs_fail(X_ROLLBACK_TO)))
		return rc;
	if (xs.lose_txn)
		IN->rollback(IN);
	return IN->rollback_to(IN);
}

/* ---- Fixture ---- */

static points_db *db;
static int64_t alice, bob, carol;

static int64_t
sp_clock(void *ctx)
{
	(void)ctx;
	return tu_now;
}

static void
xs_init(int sqlite)
{
	memset(&xs, 0, sizeof(xs));
	ck_assert_int_eq(points_store_open(sqlite ? tu_sqlite_uri() :
	    "memory:", &xs.inner), POINTS_OK);
	xs.base.version = POINTS_STORE_VERSION;
	xs.base.name = "xs";
	xs.base.keyspace = xs_keyspace;
	xs.base.begin = xs_begin;
	xs.base.commit = xs_commit;
	xs.base.rollback = xs_rollback;
	xs.base.get = xs_get;
	xs.base.put = xs_put;
	xs.base.del = xs_del;
	xs.base.cursor_open = xs_cursor_open;
	xs.base.cursor_next = xs_cursor_next;
	xs.base.cursor_close = xs_cursor_close;
	xs.base.close = xs_close;
	xs.base.errmsg = xs_errmsg;
	xs.base.get_many = xs_get_many;
	xs.base.savepoint = xs_savepoint;
	xs.base.release = xs_release;
	xs.base.rollback_to = xs_rollback_to;
}

static void
open_ledger(int sqlite)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	int rc;

	tu_now = TU_T0;
	xs_init(sqlite);
	o.clock = sp_clock;
	rc = points_open_store(&xs.base, &o, &db);
	ck_assert_msg(rc == POINTS_OK, "open: %s", points_errmsg(db));
	ck_assert_int_eq(points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "EXP", 0, POINTS_EXPIRE_DAYS,
	    30), POINTS_OK);
	alice = tu_account(db, "E1");
	bob = tu_account(db, "E2");
	carol = tu_account(db, "E3");
}

static void
teardown(void)
{
	xs_disarm();
	if (db)
		tu_invariants(db);
	points_close(db);
	db = NULL;
	xs_close(&xs.base);
	tu_cleanup();
}

/* The ledger (in_batch: the batch's view of it) is byte for byte want. */
static void
ck_same(int in_batch, const char *want, size_t wl, const char *what)
{
	size_t gl;
	char *got = in_batch ? tu_dump_txn(db, &gl) : tu_dump(db, &gl);

	ck_assert_msg(gl == wl && memcmp(got, want, wl) == 0, "%s", what);
	free(got);
}

/* ---- The defect: a sweep that fails after writing ---- */

/* Issue 17, defect 3: a sweep inside a batch that failed after it had
 * started writing threw the whole batch away (the earn before it lost,
 * the earn after it refused with POINTS_ESTATE).  Now it undoes only
 * itself: the earns commit, the sweep left nothing, and a later sweep
 * does the work. */
START_TEST(test_sweep_failing_after_writing_in_batch_undoes_only_itself)
{
	points_sweep_report rep;
	char *mid;
	size_t ml;
	int rc;

	open_ledger(_i);
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 50, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "EXP", 20, NULL), POINTS_OK);
	tu_now = TU_T0 + 100 * TU_DAY;
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, carol, "PTS", 5, NULL), POINTS_OK);
	mid = tu_dump_txn(db, &ml);
	xs_arm(X_PUT, 3, POINTS_ESTORAGE); /* after two writes */
	rc = points_expire_sweep(db, tu_now, &rep);
	ck_assert_int_eq(xs.calls[X_PUT], 3);
	xs_disarm();
	ck_assert_int_eq(rc, POINTS_ESTORAGE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "injected"));
	ck_same(1, mid, ml, "the failed sweep left a trace");
	free(mid);
	ck_assert_int_eq(tu_earn(db, carol, "PTS", 6, NULL), POINTS_OK);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	ck_assert_int_eq(tu_available(db, carol, "PTS"), 11);
	tu_invariants(db);
	ck_assert_int_eq(points_expire_sweep(db, tu_now, &rep), POINTS_OK);
	ck_assert_int_eq(rep.lots, 2);
	ck_assert_int_eq(rep.accounts, 2);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"), 70);
}
END_TEST

/* ---- What the handle caches of undone writes ---- */

/* The earn that fails at its release had written alice's balance (and
 * on SQLite the read cache holds the new record) and appended an entry
 * (the log's tail points at it).  Both must be forgotten: the next earn
 * reads the balance before the undone one and appends after op1. */
START_TEST(test_undone_earn_leaves_no_cached_balance_or_tail)
{
	points_verify_report vr;

	open_ledger(_i);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	xs_arm(X_RELEASE, 1, POINTS_ESTORAGE);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_ESTORAGE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "release"));
	xs_disarm();
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 10);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 7, NULL), POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 17);
	ck_assert_int_eq(points_verify(db, &vr), POINTS_OK);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 17);
	ck_assert_int_eq(points_verify(db, &vr), POINTS_OK);
	ck_assert_int_eq(vr.entries, 2);
}
END_TEST

/* The handle remembers a keyspace's last key while a transaction lasts
 * (points_db__last_key64: a new account's id, an event's place in the
 * log).  An undone operation's appends must be forgotten with it: the
 * account made after an undone one takes the id the undone one had. */
START_TEST(test_undone_append_leaves_no_cached_last_key)
{
	points_account a;
	int64_t first, undone = 0, next;

	open_ledger(_i);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(points_account_create(db, "N1", NULL, 0, &first),
	    POINTS_OK);
	xs_arm(X_RELEASE, 1, POINTS_ESTORAGE);
	ck_assert_int_eq(points_account_create(db, "N2", NULL, 0, &undone),
	    POINTS_ESTORAGE);
	xs_disarm();
	ck_assert_int_eq(points_account_create(db, "N3", NULL, 0, &next),
	    POINTS_OK);
	ck_assert_int_eq(next, first + 1);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	ck_assert_int_eq(points_account_find(db, "N2", &a), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_account_get(db, next, &a), POINTS_OK);
	ck_assert_str_eq(a.external_id, "N3");
}
END_TEST

/* Within one operation the remembered last key follows its own puts
 * and deletes. */
START_TEST(test_last_key_follows_puts_and_deletes)
{
	unsigned char k[8];
	int64_t last, base;

	open_ledger(_i);
	ck_assert_int_eq(points_db__write_begin(db), POINTS_OK);
	ck_assert_int_eq(points_db__last_key64(db, &points_account__ks, &base),
	    POINTS_OK);
	ck_assert_int_ge(base, 3);
	points_codec__put_be64(k, (uint64_t)base + 10);
	ck_assert_int_eq(points_db__put(db, &points_account__ks, k, 8, "x", 1),
	    POINTS_OK);
	ck_assert_int_eq(points_db__last_key64(db, &points_account__ks, &last),
	    POINTS_OK);
	ck_assert_int_eq(last, base + 10);
	points_codec__put_be64(k, (uint64_t)base + 5);
	ck_assert_int_eq(points_db__put(db, &points_account__ks, k, 8, "x", 1),
	    POINTS_OK);
	ck_assert_int_eq(points_db__last_key64(db, &points_account__ks, &last),
	    POINTS_OK);
	ck_assert_int_eq(last, base + 10);
	points_codec__put_be64(k, (uint64_t)base + 10);
	ck_assert_int_eq(points_db__del(db, &points_account__ks, k, 8),
	    POINTS_OK);
	ck_assert_int_eq(points_db__last_key64(db, &points_account__ks, &last),
	    POINTS_OK);
	ck_assert_int_eq(last, base + 5);
	ck_assert_int_eq(points_db__write_end(db,
	    points_db__err(db, POINTS_EINVAL, "only a test")), POINTS_EINVAL);
	ck_assert_int_eq(points_db__write_begin(db), POINTS_OK);
	ck_assert_int_eq(points_db__last_key64(db, &points_account__ks, &last),
	    POINTS_OK);
	ck_assert_int_eq(last, base);
	ck_assert_int_eq(points_db__write_end(db, POINTS_OK), POINTS_OK);
}
END_TEST

/* An operation that made an asset and read it (so the handle cached it)
 * and then failed: the asset is gone from the store, and the handle
 * must not find it either.  No public operation does both today; a
 * module's would, so this drives the handle's own path. */
START_TEST(test_asset_of_an_undone_operation_is_forgotten)
{
	points_asset_rec rec;
	const void *v;
	size_t vl;
	char *val;

	open_ledger(_i);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(points_db__write_begin(db), POINTS_OK);
	/* a copy of PTS's record under another code */
	ck_assert_int_eq(points_db__get(db, &points_asset__ks, "PTS", 3, &v,
	    &vl), POINTS_OK);
	val = malloc(vl);
	memcpy(val, v, vl);
	ck_assert_int_eq(points_db__put(db, &points_asset__ks, "NEW", 3, val,
	    vl), POINTS_OK);
	free(val);
	ck_assert_int_eq(points_asset__find(db, "NEW", &rec), POINTS_OK);
	ck_assert_int_eq(points_db__write_end(db,
	    points_db__err(db, POINTS_ESTORAGE, "failed after writing")),
	    POINTS_ESTORAGE);
	ck_assert_int_eq(points_asset__find(db, "NEW", &rec), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_asset__find(db, "PTS", &rec), POINTS_OK);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
}
END_TEST

/* An iterator opened in the batch stands on its earlier operations: an
 * undone one does not invalidate it, and it goes on where it was. */
START_TEST(test_iterator_of_the_batch_goes_on_after_an_undone_operation)
{
	points_statement_iterator *it;
	points_entry e;
	int i, n = 0, rc;

	open_ledger(_i);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	for (i = 0; i < 70; i++)
		ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_OK);
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", 0, 0,
	    POINTS_OLDEST_FIRST, &it), POINTS_OK);
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_OK);
	n++;
	xs_arm(X_PUT, 2, POINTS_ESTORAGE);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_ESTORAGE);
	xs_disarm();
	while ((rc = points_statement_next(it, &e)) == POINTS_OK)
		n++;
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	ck_assert_int_eq(n, 70);
	points_statement_iterator_free(it);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 70);
}
END_TEST

/* Every module that hears of a transaction's end (it keeps state of
 * what the store holds) hears of an undone operation too, if only to
 * say why it has nothing to forget (module.h).  A module added without
 * it fails here. */
START_TEST(test_every_module_with_txn_end_has_op_undone)
{
	points_module *m;
	int n = 0;

	for (m = points_module__first(); m; m = m->next) {
		if (!m->txn_end)
			continue;
		n++;
		ck_assert_msg(m->op_undone != NULL, "module %s has txn_end but "
		    "no op_undone: what it caches of an undone operation's "
		    "writes would stay", m->name);
	}
	ck_assert_int_ge(n, 3); /* the log's tail, the assets, iterators */
}
END_TEST

/* ---- What loses the batch ---- */

/* A conflict (POINTS_ERETRY) means the store gave the whole transaction
 * up: no rollback_to is tried, the batch is lost, op1 with it. */
START_TEST(test_conflict_in_batch_loses_the_batch)
{
	char *before;
	size_t bl;

	open_ledger(_i);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 3, NULL), POINTS_OK);
	before = tu_dump(db, &bl);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	xs_arm(X_PUT, 2, POINTS_ERETRY);
	xs_arm(X_ROLLBACK_TO, 0, 0);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_ERETRY);
	ck_assert_int_eq(xs.calls[X_ROLLBACK_TO], 0);
	xs_disarm();
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 7, NULL), POINTS_ESTATE);
	ck_assert_int_eq(points_batch_commit(db), POINTS_ESTATE);
	ck_same(0, before, bl, "the lost batch wrote");
	free(before);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 0);
}
END_TEST

/* Undoing the operation failed (the store lost the transaction under
 * it): the operation keeps its code, its message says the batch went
 * too, and the batch is lost. */
START_TEST(test_failed_undo_loses_the_batch_and_says_so)
{
	char *before;
	size_t bl;

	open_ledger(_i);
	before = tu_dump(db, &bl);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	xs_arm(X_PUT, 2, POINTS_ESTORAGE);
	xs_arm(X_ROLLBACK_TO, 1, POINTS_ESTORAGE);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_ESTORAGE);
	ck_assert_int_eq(xs.calls[X_ROLLBACK_TO], 1);
	xs_disarm();
	ck_assert_ptr_nonnull(strstr(points_errmsg(db),
	    "and undoing it failed, so the batch was rolled back"));
	ck_assert_int_eq(points_errcode(db), POINTS_ESTORAGE);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 7, NULL), POINTS_ESTATE);
	ck_assert_int_eq(points_batch_commit(db), POINTS_ESTATE);
	ck_same(0, before, bl, "the lost batch wrote");
	free(before);
}
END_TEST

/* The same when the store lost the transaction under the operation (an
 * I/O error on SQLite) and says why in its own words: the message keeps
 * them, although rolling the batch back clears the store's message. */
START_TEST(test_failed_undo_keeps_the_store_s_reason)
{
	const char *msg;

	open_ledger(_i);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	xs_arm(X_PUT, 2, POINTS_ESTORAGE);
	xs.lose_txn = 1;
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_ESTORAGE);
	xs_disarm();
	msg = points_errmsg(db);
	ck_assert_msg(strstr(msg, "and undoing it failed, so the batch was "
	    "rolled back") && (strstr(msg, "no transaction)") ||
	    strstr(msg, "no savepoint)")), "%s", msg);
	ck_assert_int_eq(points_batch_commit(db), POINTS_ESTATE);
}
END_TEST

/* A failed savepoint is a failure before the operation writes: it
 * returns the store's code and the batch goes on. */
START_TEST(test_failed_savepoint_fails_the_operation_alone)
{
	open_ledger(_i);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	xs_arm(X_SAVEPOINT, 1, POINTS_ESTORAGE);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_ESTORAGE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "savepoint"));
	ck_assert_int_eq(xs.calls[X_PUT], 0);
	xs_disarm();
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 7, NULL), POINTS_OK);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 17);
}
END_TEST

/* ---- A seeded random run against a model ---- */

static uint64_t rnd_state;

static uint64_t
rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Batches of random earns, spends and transfers among four accounts,
 * a third of them with a store failure armed at a random call (a read,
 * the first, second or third write, the release), committed or rolled
 * back at random, against a model written from points_batch_begin(3):
 * an operation that returns POINTS_OK counts, any other counts for
 * nothing, the batch goes on, a commit keeps what counted and a
 * rollback drops it.  Every balance is compared after every step,
 * inside the batch as outside. */
START_TEST(test_random_batches_with_failures_against_model)
{
	static const int arms[][2] = {
		{ X_GET_MANY, 1 }, { X_PUT, 1 }, { X_PUT, 2 }, { X_PUT, 3 },
		{ X_RELEASE, 1 },
	};
	int64_t acct[4], committed[4] = { 0 }, cur[4], amt;
	int b, i, k, a, c, rc, fired = 0, undone = 0;

	open_ledger(_i);
	rnd_state = 0x9e3779b97f4a7c15u + (uint64_t)_i;
	acct[0] = alice;
	acct[1] = bob;
	acct[2] = carol;
	acct[3] = tu_account(db, "E4");
	for (b = 0; b < 40; b++) {
		int nops = 1 + (int)(rnd() % 12);

		memcpy(cur, committed, sizeof(cur));
		ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
		for (i = 0; i < nops; i++) {
			uint64_t r = rnd();
			int op = (int)(r % 3), armed = (r >> 8) % 3 == 0;
			points_posting p;
			points_txn t;

			a = (int)((r >> 16) % 4);
			c = (int)((r >> 20) % 4);
			amt = 1 + (int64_t)((r >> 24) % 50);
			xs_disarm();
			if (armed) {
				k = (int)((r >> 32) % (sizeof(arms) /
				    sizeof(arms[0])));
				xs_arm(arms[k][0], arms[k][1], POINTS_ESTORAGE);
			}
			if (op == 0)
				rc = tu_earn(db, acct[a], "PTS", amt, &t);
			else if (op == 1)
				rc = tu_spend(db, acct[a], "PTS", amt, &t);
			else {
				if (c == a)
					c = (c + 1) % 4;
				p = tu_posting("PTS", acct[a], amt);
				p.counterparty = acct[c];
				rc = points_transfer(db, &p, &t);
			}
			fired += xs.nfailed;
			/* a failure is never swallowed (a refused operation's
			 * failed release is: its rollback_to undid it) */
			ck_assert_msg(xs.nfailed == 0 || rc != POINTS_OK,
			    "batch %d op %d: a failure was swallowed", b, i);
			xs_disarm();
			if (rc == POINTS_OK) {
				if (op == 0)
					cur[a] += amt;
				else if (op == 1)
					cur[a] -= amt;
				else {
					cur[a] -= amt;
					cur[c] += amt;
				}
			} else if (rc == POINTS_ESTORAGE) {
				undone++;
			} else {
				ck_assert_msg(op != 0 && rc ==
				    POINTS_EINSUFFICIENT && cur[a] < amt,
				    "batch %d op %d: %d (%s)", b, i, rc,
				    points_errmsg(db));
			}
			for (k = 0; k < 4; k++)
				ck_assert_int_eq(tu_available(db, acct[k],
				    "PTS"), cur[k]);
		}
		if (rnd() % 5 != 0) {
			ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
			memcpy(committed, cur, sizeof(cur));
		} else
			ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
		for (k = 0; k < 4; k++)
			ck_assert_int_eq(tu_available(db, acct[k], "PTS"),
			    committed[k]);
	}
	tu_invariants(db);
	/* the run met what it is about */
	ck_assert_int_gt(fired, 10);
	ck_assert_int_gt(undone, 10);
}
END_TEST

/* ---- What it costs, and what a store must offer ---- */

/* A savepoint and its release per operation inside a batch; a check
 * that fails before writing releases it too; outside a batch none. */
START_TEST(test_savepoints_only_inside_a_batch)
{
	open_ledger(_i);
	xs_disarm();
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 99, NULL),
	    POINTS_EINSUFFICIENT);
	ck_assert_int_eq(xs.calls[X_SAVEPOINT], 0);
	ck_assert_int_eq(xs.calls[X_RELEASE], 0);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(xs.calls[X_SAVEPOINT], 0);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 99, NULL),
	    POINTS_EINSUFFICIENT);
	ck_assert_int_eq(xs.calls[X_SAVEPOINT], 2);
	ck_assert_int_eq(xs.calls[X_RELEASE], 2);
	ck_assert_int_eq(xs.calls[X_ROLLBACK_TO], 0);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 20);
}
END_TEST

/* Savepoints come as a set of three: a store with only some of them is
 * refused at open (a backend's bug, caught before a batch relies on
 * it); one with none keeps the fallback. */
START_TEST(test_open_store_refuses_part_of_the_savepoints)
{
	points_db *d = NULL;

	xs_init(0);
	xs.base.rollback_to = NULL;
	ck_assert_int_eq(points_open_store(&xs.base, NULL, &d), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(d),
	    "savepoint, release and rollback_to"));
	points_close(d);
	xs.base.savepoint = xs.base.release = NULL;
	ck_assert_int_eq(points_open_store(&xs.base, NULL, &d), POINTS_OK);
	ck_assert_int_eq(d->savepoints, 0);
	points_close(d);
	/* a version-2 store's members past its end are never read */
	xs.base.version = 2;
	xs.base.savepoint = xs_savepoint;
	xs.base.release = xs_release;
	ck_assert_int_eq(points_open_store(&xs.base, NULL, &d), POINTS_OK);
	ck_assert_int_eq(d->savepoints, 0);
	points_close(d);
	xs.base.version = POINTS_STORE_VERSION;
	xs.base.rollback_to = xs_rollback_to;
	ck_assert_int_eq(points_open_store(&xs.base, NULL, &d), POINTS_OK);
	ck_assert_int_eq(d->savepoints, 1);
	points_close(d);
}
END_TEST

static Suite *
savepoint_suite(void)
{
	Suite *s = suite_create("savepoint");
	TCase *tc = tcase_create("batch");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc,
	    test_sweep_failing_after_writing_in_batch_undoes_only_itself, 0,
	    2);
	tcase_add_loop_test(tc,
	    test_undone_earn_leaves_no_cached_balance_or_tail, 0, 2);
	tcase_add_loop_test(tc, test_asset_of_an_undone_operation_is_forgotten,
	    0, 2);
	tcase_add_loop_test(tc, test_undone_append_leaves_no_cached_last_key,
	    0, 2);
	tcase_add_loop_test(tc, test_last_key_follows_puts_and_deletes, 0, 2);
	tcase_add_loop_test(tc,
	    test_iterator_of_the_batch_goes_on_after_an_undone_operation, 0,
	    2);
	tcase_add_test(tc, test_every_module_with_txn_end_has_op_undone);
	tcase_add_loop_test(tc, test_conflict_in_batch_loses_the_batch, 0, 2);
	tcase_add_loop_test(tc, test_failed_undo_loses_the_batch_and_says_so,
	    0, 2);
	tcase_add_loop_test(tc, test_failed_undo_keeps_the_store_s_reason, 0,
	    2);
	tcase_add_loop_test(tc,
	    test_failed_savepoint_fails_the_operation_alone, 0, 2);
	tcase_add_loop_test(tc, test_savepoints_only_inside_a_batch, 0, 2);
	tcase_add_test(tc, test_open_store_refuses_part_of_the_savepoints);
	tcase_add_loop_test(tc, test_random_batches_with_failures_against_model,
	    0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(savepoint_suite());
}
