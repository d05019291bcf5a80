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
/* Only at zero balance (available and held) in every asset. */
POINTS_EXTERN int points_account_close(points_db *db, int64_t id);

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
