/* torture.h - what the torture programs share: the table of operations,
 * a seeded generator, the ledger every program starts from, and the
 * invariant checks, all over the public API only.
 *
 * The table (ops.c, tt_ops[]) is the one list of write operations the
 * crash loop, the concurrency soak and the I/O fault loops draw from.
 * Each entry is one operation: a name, a weight (how often it is drawn)
 * and a function that picks its own arguments from the context (random
 * accounts and amounts, a transaction to reverse, a hold to settle),
 * makes the call and, on success, records every transaction it wrote in
 * a tt_rec.  A later module (rules, mall, activities) adds its
 * operations with one entry each:
 *
 *   static int
 *   op_order_place(tt_ctx *c, tt_rec *out)
 *   {
 *           ... points_order_place(c->db, &req, &txn) ...
 *           if (rc == POINTS_OK)
 *                   tt_rec_txn(c, out, &txn);   (each txn it wrote)
 *           return rc;
 *   }
 *   ...
 *   { "order_place", 5, op_order_place, 0 },   (in tt_ops[])
 *
 * Rules for an entry:
 * - use the ledger tt_setup() makes (the accounts c->acct[], the pool
 *   c->pool, assets PTS and EXP) and make anything else it needs inside
 *   the operation; names it makes start with c->tag, which is unique
 *   per process and run;
 * - draw its random choices before its calls, so that what the library
 *   answers never changes them (the fault loops replay an operation);
 * - give every write an idempotency key from tt_key();
 * - return POINTS_OK, or the library's code: business refusals
 *   (insufficient points, a hold already settled, ...) are expected and
 *   tt_refusal() lists them; anything else fails the run;
 * - record with tt_rec_txn() every transaction it wrote and got back,
 *   as soon as its call returns it (a later call of the operation may
 *   fail, busy, with it written): the crash loop looks each one up after
 *   a kill, the soak sums their amounts per account; with tt_rec_account() an account it made and
 *   closed (a leaver);
 * - an operation of several public calls (several transactions) says
 *   TT_MULTI: the I/O fault loops then accept the states between them;
 * - an operation that finds the library wrong (a replay that returns
 *   another id) returns TT_EBUG with a message in c->err.
 *
 * The programs: crash.c (SIGKILL at random moments), soak.c (four
 * processes on one file), iofault.c (failing and power-cut VFS). */
#ifndef POINTS_TORTURE_H
#define POINTS_TORTURE_H

#include <stdint.h>
#include <stdio.h>

#include "points.h"

#define TT_T0 1704067200 /* 2024-01-01 00:00:00 UTC */
#define TT_DAY 86400
#define TT_NACCT 24      /* user accounts made by tt_setup */
#define TT_MAXTXN 4      /* transactions one operation may record */
#define TT_RING 256      /* ids remembered for reversals and settling */
#define TT_EBUG (-1000)  /* an operation found the library wrong */

typedef struct tt_ring {
	char id[TT_RING][POINTS_ID_LEN + 1];
	int n, next;
} tt_ring;

typedef struct tt_ctx {
	points_db *db;
	uint64_t rng;
	const char *tag;            /* unique per process run */
	long seq;                   /* keys made so far */
	int64_t acct[TT_NACCT];     /* user accounts U00..U23 */
	int64_t pool;               /* the budget pool POOL */
	tt_ring txns;               /* transactions to reverse */
	tt_ring holds;              /* holds to settle */
	char key[96];               /* the last key tt_key made */
	char err[256];              /* TT_EBUG: what was wrong */
} tt_ctx;

/* What one successful operation wrote. */
typedef struct tt_rec {
	int ntxn;
	points_txn txn[TT_MAXTXN];
	char account[POINTS_EXTID_MAX + 1]; /* a leaver it made and closed */
} tt_rec;

#define TT_MULTI 0x01u /* several transactions: a failure may leave the
                        * earlier ones done */
typedef struct tt_op {
	const char *name;
	unsigned weight;
	int (*run)(tt_ctx *c, tt_rec *out);
	unsigned flags;  /* TT_MULTI */
} tt_op;

extern const tt_op tt_ops[];
extern const int tt_nops;

/* The test clock: every handle the programs open reads tt_clock_now()
 * (tt_now unless a program sets tt_clock_fn). */
extern int64_t tt_now;
extern int64_t (*tt_clock_fn)(void);
int64_t tt_clock_now(void);

uint64_t tt_rand(uint64_t *s);
int64_t tt_range(tt_ctx *c, int64_t lo, int64_t hi); /* lo..hi inclusive */
/* Draw an operation by weight; only those whose name is in only (a
 * comma-separated list) when only is not NULL. */
const tt_op *tt_pick(tt_ctx *c, const char *only);
const tt_op *tt_op_named(const char *name);
/* A fresh idempotency key, "<tag>/<seq>". */
const char *tt_key(tt_ctx *c);
void tt_rec_txn(tt_ctx *c, tt_rec *r, const points_txn *t);
void tt_rec_account(tt_rec *r, const char *external_id);
void tt_ring_add(tt_ring *r, const char *id);
/* A remembered id (0) or none (-1). */
int tt_ring_pick(tt_ctx *c, tt_ring *r, char *id);
void tt_ring_drop(tt_ring *r, const char *id);
/* Codes an operation may meet on a sound ledger. */
int tt_refusal(int rc);

/* Open uri with the test clock (NULL on failure, with the message on
 * stderr). */
points_db *tt_open(const char *uri);
/* Make the starting ledger on uri: assets PTS (never expires) and EXP
 * (365 days), accounts U00..U23, the pool POOL funded with 100,000,
 * each account earning 1,000 PTS and 500 EXP.  0 on success. */
int tt_setup(const char *uri);
/* Fill c->acct and c->pool from the ledger's accounts. */
int tt_attach(tt_ctx *c, points_db *db, const char *tag, uint64_t seed);

/* The invariants, over the public API: each asset's balances, as read,
 * sum to zero (a debt counting below zero), no user account below zero
 * nor with a debt while it has points, lots add up to what is
 * available, lifetime counters agree with the balance, and
 * points_verify passes.  Reads must show no past-due points the sweep
 * has not posted: run at a clock no later than the writers' (or after a
 * sweep).  Returns 0, or -1 with the reason in why. */
int tt_invariants(points_db *db, char *why, size_t whylen);

/* A transaction as one word of a log line,
 * "id:type:from:to:amount:asset:ref", and back. */
void tt_txn_word(const points_txn *t, char *buf, size_t len);
int tt_txn_parse(const char *word, points_txn *out);
/* The transaction is in the ledger as logged. 0, or -1 with why. */
int tt_txn_present(points_db *db, const points_txn *want, char *why,
    size_t whylen);

/* How many of the words of a log line (tt_txn_word, or "A:ext" for a
 * leaver, which must be closed) are in the ledger: *present of *total.
 * words is cut up (strtok).  -1 with why when one is there but not as
 * logged. */
int tt_words_present(points_db *db, char *words, int *present, int *total,
    char *why, size_t whylen);

/* Time in seconds, monotonic, as a double. */
double tt_seconds(void);

#define TT_DIE(...) do { \
	fprintf(stderr, __VA_ARGS__); \
	fputc('\n', stderr); \
	exit(2); \
} while (0)

#endif
