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

/* ---- Changes with an actor and a reason ----
 * A change of an account's department, tier or status is kept in its
 * history (below) with the time, who made it and why.
 * points_account_update, _freeze, _unfreeze and _close record theirs with
 * no actor and no reason; points_account_apply takes them, and an
 * idempotency key, in a request struct (versioned as points_posting). */
#define POINTS_ACCOUNT_KEEP (-1) /* points_account_edit.status: unchanged */
#define POINTS_ACCOUNT_EDIT_VERSION 1
typedef struct points_account_edit {
	unsigned int version;        /* POINTS_ACCOUNT_EDIT_VERSION */
	int64_t account;
	const char *tier;            /* NULL: unchanged; "": none */
	const char *department;      /* NULL: unchanged; "": none */
	int status;                  /* POINTS_ACCOUNT_KEEP, _ACTIVE, _FROZEN,
	                              * _CLOSED (as unfreeze, freeze, close) */
	const char *actor;           /* NULL, or 1-64 bytes of UTF-8 */
	const char *reason;          /* NULL, or up to 256 bytes of UTF-8 */
	const char *idempotency_key; /* may be NULL */
} points_account_edit;
#define POINTS_ACCOUNT_EDIT_INIT { POINTS_ACCOUNT_EDIT_VERSION, 0, NULL, \
	NULL, POINTS_ACCOUNT_KEEP, NULL, NULL, NULL }
POINTS_EXTERN int points_account_edit_init(points_account_edit *e,
    unsigned int version);
/* Make the changes e names, in one transaction, and the account as it
 * then is in *out.  A retry with the same idempotency key and request
 * changes nothing and returns the account as it is now; the same key
 * with another request is POINTS_ECONFLICT. */
POINTS_EXTERN int points_account_apply(points_db *db,
    const points_account_edit *e, points_account *out);

/* Erase a closed account's personal data: its external id (which then
 * names no account and may be used again), name and attributes.  Its id,
 * department, tier, status, balances, entries and history stay; the
 * erasure is recorded in the history without the erased values.
 * Erasing an erased account changes nothing. */
POINTS_EXTERN int points_account_erase(points_db *db, int64_t id,
    const char *actor, const char *reason);

/* ---- An account's history ---- */
#define POINTS_CHANGE_DEPARTMENT 1
#define POINTS_CHANGE_TIER 2
#define POINTS_CHANGE_STATUS 3 /* values "active", "frozen", "closed" */
#define POINTS_CHANGE_ERASE 4  /* values "" */
typedef struct points_account_change {
	int64_t account;
	int64_t seq;  /* the account's changes are numbered 1, 2, ... */
	int64_t time;
	int field;    /* POINTS_CHANGE_* */
	char old_value[POINTS_DEPT_MAX + 1]; /* "" for none */
	char new_value[POINTS_DEPT_MAX + 1];
	char actor[POINTS_ACTOR_MAX + 1];    /* "" for none */
	char reason[POINTS_REASON_MAX + 1];  /* "" for none */
} points_account_change;
/* An iterator over the changes of account (0: of every account, by
 * account), oldest first; as the account iterator for the rest. */
typedef struct points_account_history_iterator
    points_account_history_iterator;
POINTS_EXTERN int points_account_history_iterator_new(points_db *db,
    int64_t account, points_account_history_iterator **out);
/* POINTS_OK and the next change in *out, or POINTS_ITEROVER at the end. */
POINTS_EXTERN int points_account_history_next(
    points_account_history_iterator *it, points_account_change *out);
POINTS_EXTERN void points_account_history_iterator_free(
    points_account_history_iterator *it);

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
