/* testutil.h - shared fixtures and invariant checks for the Check suites.
 *
 * Every scenario ends with tu_invariants(): each asset's balances sum to
 * zero (a debt counting below zero), no user balance is negative, a debt
 * only where nothing is available, lots add up to what is available,
 * lifetime counters agree with the balance, and points_verify passes. */
#ifndef POINTS_TESTUTIL_H
#define POINTS_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include <check.h>

#include "points.h"
#include "points/sys/store.h"
#include "points/sys/fault.h"

/* The test clock: every ledger opened by tu_open reads tu_now. */
extern int64_t tu_now;
#define TU_T0 1704067200 /* 2024-01-01 00:00:00 UTC */
#define TU_DAY 86400

/* Open a ledger on uri with the test clock and the standard assets:
 * PTS (never expires), EXP (365 days), YE (year end +1).
 * "memory:" means the backend under test: the memory store, or a fresh
 * SQLite file when the environment has POINTS_TEST_STORE=sqlite (make
 * check-c runs each suite both ways).  A test about one backend names
 * it with TU_MEMORY ("memory:only") or an "sqlite:" URI. */
points_db *tu_open(const char *uri);
/* Open with the test clock but no assets. */
points_db *tu_open_bare(const char *uri);
#define TU_MEMORY "memory:only"
/* The URI tu_open opens for uri (a fresh file for "memory:" under
 * POINTS_TEST_STORE=sqlite, removed by tu_run at the end). */
const char *tu_uri(const char *uri);
/* Whether the suite runs against SQLite (POINTS_TEST_STORE=sqlite). */
int tu_backend_sqlite(void);
/* Whether the suite runs on PostgreSQL (POINTS_TEST_STORE=pg). */
int tu_backend_pg(void);
/* A fresh temporary SQLite URI (file removed by tu_cleanup). */
const char *tu_sqlite_uri(void);
void tu_cleanup(void);

/* Create a user account, fail the test on error. */
int64_t tu_account(points_db *db, const char *ext);
/* The id of the first user account of a ledger the suite makes: 4 after
 * the three system accounts, 5 when its log is in partitions
 * (POINTS_TEST_PARTITIONS), where system:transit is 4. */
int64_t tu_first_user(void);
/* Create a user account whose entries are in the log partition of
 * account near's (ledger/entry.h): ext, or, when that one's id is of
 * another, ext-2, ext-3, ... (the others stay, unused).  With one
 * partition, ext. */
int64_t tu_account_near(points_db *db, const char *ext, int64_t near);
/* Earn/spend shortcuts; return the code (txn to out if not NULL). */
int tu_earn(points_db *db, int64_t acct, const char *asset, int64_t amount,
    points_txn *out);
int tu_spend(points_db *db, int64_t acct, const char *asset, int64_t amount,
    points_txn *out);
int64_t tu_available(points_db *db, int64_t acct, const char *asset);
/* The positional shape of reverse, capture and release, over their
 * request structs (out is passed on as given, NULL included). */
int tu_reverse(points_db *db, const char *txn_id, int64_t amount,
    const char *memo, const char *key, points_txn *out);
int tu_capture(points_db *db, const char *hold_id, int64_t amount,
    int64_t to, const char *memo, points_txn *out);
int tu_release(points_db *db, const char *hold_id, const char *memo,
    points_txn *out);

/* Check every invariant; fails the test with a message. */
void tu_invariants(points_db *db);

/* A canonical dump of every keyspace of the ledger's store, for
 * byte-for-byte comparison.  Caller frees with free(). */
char *tu_dump(points_db *db, size_t *len);

/* The same inside the transaction open on the handle (a batch's), as
 * the batch sees the ledger. */
char *tu_dump_txn(points_db *db, size_t *len);

/* The ledger's store and one of its keyspaces, by name, for tests that
 * tamper with stored records. */
points_store *tu_store(points_db *db);
struct points_keyspace *tu_keyspace(points_db *db, const char *name);

/* A store of version 1 of the vtable (no errmsg, no get_many) over
 * inner, which it owns: closing it closes inner. */
points_store *tu_store_v1(points_store *inner);
/* A store of version 2 (errmsg and get_many, no savepoints) over inner,
 * which it owns: a batch then falls back to losing itself when an
 * operation fails after writing. */
points_store *tu_store_v2(points_store *inner);
/* A store of version 3 (savepoints too, no read_many) over inner, which
 * it owns: the library reads the log's tail with its own probe and
 * cursor. */
points_store *tu_store_v3(points_store *inner);

/* tu_dump of a store without a ledger on it: every registered
 * keyspace, opened by name. */
char *tu_store_dump(points_store *s, size_t *len);
/* Turn the ledger on s (closed) into one of the balance module's format
 * 1: balances in keyspace "balance" under 12-byte keys, marker 1. */
void tu_balances_to_format_1(points_store *s);
/* Turn the ledger on s (closed) into what 0.1.0 wrote: balances of
 * format 1, the sink and expiry accounts allowed to go negative
 * (accounts of format 1), assets of format 1 and no policy module
 * (the ledger must have made no transfer nor set a policy), no stored
 * settings (format 1). */
void tu_ledger_to_0_1_0(points_store *s);

/* A posting of amount in asset for account, the rest defaulted. */
points_posting tu_posting(const char *asset, int64_t account,
    int64_t amount);

/* The record at key k (kl bytes) of the ledger's keyspace ks, copied
 * into v (cap bytes): its length.  tu_raw_put stores one there. */
size_t tu_raw_get(points_db *db, const char *ks, const void *k, size_t kl,
    void *v, size_t cap);
void tu_raw_put(points_db *db, const char *ks, const void *k, size_t kl,
    const void *v, size_t vl);

/* A stored record v (vl bytes) with one field changed, into out (cap
 * bytes; returns the new length).  layout names the record's fields in
 * order, a letter each: 'u' a byte, 'v' a signed varint, 'w' an
 * unsigned varint, 's' a length-prefixed string; field (from 0) is a
 * 'u', 'v' or 'w' and becomes value.  The fields after it are copied as
 * they are, so a record can be given a value its writer never would. */
size_t tu_record_set(const void *v, size_t vl, const char *layout, int field,
    int64_t value, unsigned char *out, size_t cap);

/* Remember the ledger as it is now (tu_snap), and check that it is still
 * byte for byte that (tu_unchanged).  tu_snap_free drops the copy. */
void tu_snap(points_db *db);
void tu_unchanged(points_db *db);
void tu_snap_free(void);
/* A write call that must fail with code and leave the ledger as it was. */
#define TU_FAILS(db, call, code) do {                                   \
	tu_snap(db);                                                    \
	ck_assert_int_eq((call), (code));                               \
	ck_assert_int_eq(points_errcode(db), (code));                   \
	tu_unchanged(db);                                               \
} while (0)

/* The fault loops' next point after n (points 1, 1 + step, ...: calls
 * or allocations): every point, or with POINTS_TEST_FAULT_STRIDE=s (as
 * make check SANITIZE=1 runs them, where a point costs five times
 * more) the first TU_FAULT_DENSE and then every sth, from an offset the
 * run draws (POINTS_TEST_FAULT_OFFSET, 1..s, fixes it; tu_run prints
 * it).  An operation of few calls, whose writes come last, is tried at
 * every point; a long one at a quarter of its points. */
#define TU_FAULT_DENSE 32
int64_t tu_fault_next(int64_t n, int step);

/* Assertions that cost nothing when they hold: Check records every
 * ck_assert that passes (a message its runner reads back), which in the
 * helpers run at every fault point took half of check_fault's time. */
#define TU_ASSERT(expr, ...) do {                                       \
	if (!(expr))                                                    \
		ck_abort_msg(__VA_ARGS__);                              \
} while (0)
#define TU_EQ(x, y) do {                                                \
	intmax_t x_ = (x), y_ = (y);                                    \
	if (x_ != y_)                                                   \
		ck_abort_msg("%s == %s: %jd != %jd", #x, #y, x_, y_);   \
} while (0)

/* An allocator that fails the Nth allocation (0: never). */
void tu_alloc_fail_at(long n);
long tu_alloc_count(void);
void tu_alloc_install(void);
void tu_alloc_uninstall(void);

/* A store that forwards every call to another and counts what passes
 * through, with hooks: before each begin (a test interleaves another
 * handle's writes there) and after each commit that succeeded (a test
 * kills the process there).  A version-1 store, so it stacks on any. */
typedef struct tu_spy tu_spy;
struct tu_spy {
	points_store base;
	points_store *inner;   /* borrowed */
	long begins[2];        /* read, write transactions begun */
	long commits;
	long reads, writes;    /* gets and cursor steps; puts and deletes */
	long txn_reads, txn_writes;   /* those of the open transaction */
	long max_reads, max_writes;   /* the most of any one transaction */
	void (*on_begin)(tu_spy *s, int write);
	void (*on_commit)(tu_spy *s);
	void *ctx;
};
void tu_spy_init(tu_spy *s, points_store *inner);

/* Run a suite; honours CK_RUN_SUITE / CK_RUN_CASE.  Returns exit status. */
int tu_run(Suite *s);

#endif
