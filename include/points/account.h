/*
 * points/account.h - accounts: create, read, update, attributes,
 * freeze, close, iterate.  Included by points.h.
 */
#ifndef POINTS_INCLUDE_ACCOUNT_H
#define POINTS_INCLUDE_ACCOUNT_H

#include "points/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Accounts ---- */

#define POINTS_ACCOUNT_ACTIVE 0
#define POINTS_ACCOUNT_FROZEN 1
#define POINTS_ACCOUNT_CLOSED 2

#define POINTS_ACCOUNT_SYSTEM 0x01u         /* issuer, sink, ...: no lots */
#define POINTS_ACCOUNT_ALLOW_NEGATIVE 0x02u /* may go below zero */
/* A budget pool (a department's, a manager's): a system account funded
 * by points_pool_fund and paying awards (points_earn with the pool as
 * counterparty); never negative.  Implies POINTS_ACCOUNT_SYSTEM. */
#define POINTS_ACCOUNT_POOL 0x04u

/* The built-in system accounts, made when a ledger is created. */
#define POINTS_ACCOUNT_ISSUER 1 /* external id "system:issuer" */
#define POINTS_ACCOUNT_SINK 2   /* "system:sink": redeemed points */
#define POINTS_ACCOUNT_EXPIRY 3 /* "system:expiry": expired points */

typedef struct points_account {
	int64_t id;
	char external_id[POINTS_EXTID_MAX + 1];
	char name[POINTS_NAME_MAX + 1];
	char tier[POINTS_TIER_MAX + 1];
	char department[POINTS_DEPT_MAX + 1];
	int status;      /* POINTS_ACCOUNT_ACTIVE ... */
	unsigned flags;  /* POINTS_ACCOUNT_SYSTEM ... */
	int64_t created_at;
} points_account;

/* external_id must be unique; name, tier, department may be NULL. */
POINTS_EXTERN int points_account_create(points_db *db, const char *external_id,
    const char *name, unsigned flags, int64_t *out);
POINTS_EXTERN int points_account_get(points_db *db, int64_t id,
    points_account *out);
POINTS_EXTERN int points_account_find(points_db *db, const char *external_id,
    points_account *out);
/* NULL leaves a field as it is; "" clears it. */
POINTS_EXTERN int points_account_update(points_db *db, int64_t id,
    const char *name, const char *tier, const char *department);
/* value NULL removes the attribute. */
POINTS_EXTERN int points_account_attr_set(points_db *db, int64_t id,
    const char *key, const char *value);
/* *out is owned by the caller: points_free() it. */
POINTS_EXTERN int points_account_attr_get(points_db *db, int64_t id,
    const char *key, char **out);
POINTS_EXTERN int points_account_freeze(points_db *db, int64_t id);
POINTS_EXTERN int points_account_unfreeze(points_db *db, int64_t id);
/* Only at zero balance (available, held and debt) in every asset;
 * points_account_forfeit closes an account that still has points. */
POINTS_EXTERN int points_account_close(points_db *db, int64_t id);

/* ---- Leavers ----
 * points_account_forfeit closes an account whose points are forfeited,
 * in one transaction: its open holds are released, what it has left in
 * each asset moves to the forfeiture account (an entry of type
 * POINTS_TXN_FORFEIT per asset), a debt (or a balance below zero) is
 * written off by the issuer (another FORFEIT entry, issuer -> account),
 * and the account is closed.  A request struct, as points_posting. */
#define POINTS_FORFEIT_VERSION 1
typedef struct points_forfeit {
	unsigned int version;        /* POINTS_FORFEIT_VERSION */
	int64_t account;             /* the leaver: a user account */
	int64_t to;                  /* 0: the expiry account; else a system
	                              * account (e.g. the host's own
	                              * "system:forfeit") */
	const char *memo;            /* may be NULL: the reason, on every entry */
	const char *idempotency_key; /* may be NULL */
	const char *category;        /* reserved: must be NULL for now */
	const char *actor;           /* reserved: must be NULL for now */
} points_forfeit;
#define POINTS_FORFEIT_INIT { POINTS_FORFEIT_VERSION, 0, 0, NULL, NULL, \
	NULL, NULL }
POINTS_EXTERN int points_forfeit_init(points_forfeit *f, unsigned int version);

typedef struct points_forfeit_report {
	int64_t account;   /* the account closed */
	int64_t holds;     /* open holds released */
	int64_t forfeited; /* assets whose points moved to the forfeiture account */
	int64_t written_off; /* assets whose debt (or balance below zero)
	                      * the issuer wrote off */
	int64_t first_seq; /* the first entry written; 0: none */
	int64_t last_seq;  /* the last entry written; 0: none */
	int64_t time;      /* when */
	int replayed;      /* 1: returned for a repeated idempotency key */
} points_forfeit_report;
POINTS_EXTERN int points_account_forfeit(points_db *db,
    const points_forfeit *req, points_forfeit_report *out);

/* ---- Listing accounts ----
 * An iterator over the accounts with id >= from_id, ascending.  Each step
 * reads in its own short transaction, so other calls on the handle may
 * come in between.  After points_close a step is POINTS_EMISUSE; if it
 * was opened inside a batch that is rolled back, POINTS_ESTATE.  Free it
 * with points_account_iterator_free, before or after points_close. */
typedef struct points_account_iterator points_account_iterator;
POINTS_EXTERN int points_account_iterator_new(points_db *db, int64_t from_id,
    points_account_iterator **out);
/* POINTS_OK and the next account in *out, or POINTS_ITEROVER at the end. */
POINTS_EXTERN int points_account_next(points_account_iterator *it,
    points_account *out);
POINTS_EXTERN void points_account_iterator_free(points_account_iterator *it);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_ACCOUNT_H */
