/*
 * points.h - libpoints, an embeddable points ledger.
 *
 * Conventions (see README.md):
 *  - Every fallible function returns int: POINTS_OK (0) or a negative
 *    POINTS_E* code.  POINTS_ITEROVER (positive) ends an iteration.
 *  - The handle comes first, output parameters last; they are written
 *    only on success.
 *  - points_errmsg(db) explains the last error on that handle.
 *  - Amounts are int64_t in the asset's smallest unit; times are int64_t
 *    seconds since 1970-01-01 UTC.
 *  - Records returned in caller structs hold no pointers unless said;
 *    strings the caller must free are freed with points_free().
 *  - A handle is used by one thread at a time; open one per thread.
 */
#ifndef POINTS_H
#define POINTS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define POINTS_EXTERN __declspec(dllexport)
#elif defined(__GNUC__)
#define POINTS_EXTERN __attribute__((visibility("default")))
#else
#define POINTS_EXTERN
#endif

#define POINTS_VERSION "0.1.0"
#define POINTS_VERSION_NUMBER 1000 /* major*1000000 + minor*1000 + patch */

/* ---- Result codes.  New codes are only appended. ---- */
#define POINTS_OK 0
#define POINTS_EINVAL (-1)        /* bad argument */
#define POINTS_ENOTFOUND (-2)     /* no such account, asset, transaction */
#define POINTS_EEXISTS (-3)       /* already exists */
#define POINTS_EINSUFFICIENT (-4) /* not enough available points */
#define POINTS_EFROZEN (-5)       /* account is frozen */
#define POINTS_ECONFLICT (-6)     /* idempotency key reused differently */
#define POINTS_EOVERFLOW (-7)     /* int64 overflow */
#define POINTS_EBUSY (-8)         /* store locked by another process */
#define POINTS_ESTORAGE (-9)      /* the store failed */
#define POINTS_ENOMEM (-10)       /* out of memory */
#define POINTS_ESTATE (-11)       /* wrong state (hold settled, batch...) */
#define POINTS_ECLOSED (-12)      /* account is closed */
#define POINTS_EVERSION (-13)     /* struct or store version unsupported */
#define POINTS_ECORRUPT (-14)     /* stored data fails its checks */
#define POINTS_EMISUSE (-15)      /* API used out of order */
#define POINTS_ITEROVER 1         /* iteration finished; not an error */

/* ---- Limits (bytes, excluding the terminating NUL). ---- */
#define POINTS_ASSET_MAX 16
#define POINTS_EXTID_MAX 64
#define POINTS_NAME_MAX 128
#define POINTS_TIER_MAX 32
#define POINTS_DEPT_MAX 64
#define POINTS_ATTR_KEY_MAX 64
#define POINTS_ATTR_VALUE_MAX 1024
#define POINTS_MEMO_MAX 256
#define POINTS_IDEM_MAX 128
#define POINTS_ID_LEN 36 /* text of a UUID */

typedef struct points_db points_db;
typedef struct points_iter points_iter;
typedef struct points_store points_store;

/* ---- Library ---- */

POINTS_EXTERN const char *points_version(void);
POINTS_EXTERN const char *points_strerror(int code);

/* Replace the allocator used by the library (NULL, NULL, NULL restores
 * malloc/realloc/free).  Process-wide; call while no handle is open. */
typedef void *(*points_malloc_fn)(size_t);
typedef void *(*points_realloc_fn)(void *, size_t);
typedef void (*points_free_fn)(void *);
POINTS_EXTERN int points_set_allocator(points_malloc_fn m, points_realloc_fn r,
    points_free_fn f);
/* Free memory the library returned as owned (strings). NULL is accepted. */
POINTS_EXTERN void points_free(void *p);

/* ---- Handle ---- */

typedef int64_t (*points_clock_fn)(void *ctx);

#define POINTS_OPEN_OPTIONS_VERSION 1
typedef struct points_open_options {
	unsigned int version;    /* POINTS_OPEN_OPTIONS_VERSION */
	points_clock_fn clock;   /* NULL: the system clock */
	void *clock_ctx;
	int32_t utc_offset;      /* seconds east of UTC, for calendar rules */
} points_open_options;
#define POINTS_OPEN_OPTIONS_INIT { POINTS_OPEN_OPTIONS_VERSION, NULL, NULL, 0 }
POINTS_EXTERN int points_options_init(points_open_options *opts);

/*
 * Open a ledger.  uri: "memory:" or "sqlite:PATH[?opt=val&...]" (options:
 * busy_timeout=MS, exclusive=1, sync=normal|full|off, wal_budget=BYTES).
 * opts may be NULL.  As with sqlite3_open, a failure after the handle was
 * made still stores it in *out so points_errmsg() can explain; close it.
 */
POINTS_EXTERN int points_open(const char *uri, const points_open_options *opts,
    points_db **out);
/* Open over a host's store.  The store is borrowed: close it after the
 * ledger. */
POINTS_EXTERN int points_open_store(points_store *store,
    const points_open_options *opts, points_db **out);
POINTS_EXTERN void points_close(points_db *db); /* NULL is accepted */
POINTS_EXTERN const char *points_errmsg(points_db *db);
POINTS_EXTERN int points_errcode(points_db *db);
/* The ledger's clock, now. */
POINTS_EXTERN int64_t points_now(points_db *db);

/* ---- Batches: many operations, one store transaction ---- */
POINTS_EXTERN int points_batch_begin(points_db *db);
POINTS_EXTERN int points_batch_commit(points_db *db);
POINTS_EXTERN int points_batch_rollback(points_db *db);

/* ---- Assets ---- */

#define POINTS_EXPIRE_NEVER 0
#define POINTS_EXPIRE_DAYS 1     /* N days after the day of earning */
#define POINTS_EXPIRE_YEAR_END 2 /* on 31 Dec of the Nth year after earning */

typedef struct points_asset {
	char code[POINTS_ASSET_MAX + 1]; /* [A-Z0-9_], 1-16 chars */
	int decimals;                     /* 0-9 */
	int expiry_policy;                /* POINTS_EXPIRE_* */
	int expiry_n;                     /* days, or years after earning */
} points_asset;
POINTS_EXTERN int points_asset_create(points_db *db, const char *code,
    int decimals, int expiry_policy, int expiry_n);
POINTS_EXTERN int points_asset_get(points_db *db, const char *code,
    points_asset *out);

/* ---- Accounts ---- */

#define POINTS_ACCOUNT_ACTIVE 0
#define POINTS_ACCOUNT_FROZEN 1
#define POINTS_ACCOUNT_CLOSED 2

#define POINTS_ACCOUNT_SYSTEM 0x01u         /* issuer, sink, ...: no lots */
#define POINTS_ACCOUNT_ALLOW_NEGATIVE 0x02u /* may go below zero */

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
/* Iterate accounts with id >= from_id, ascending; see points_account_next. */
POINTS_EXTERN int points_account_iter(points_db *db, int64_t from_id,
    points_iter **out);
POINTS_EXTERN int points_account_next(points_iter *it, points_account *out);

/* ---- Balances ---- */

typedef struct points_balance {
	int64_t account;
	char asset[POINTS_ASSET_MAX + 1];
	int64_t available;
	int64_t held;
	int64_t earned;  /* lifetime credits (earn, transfer in, ...) */
	int64_t spent;   /* lifetime debits (spend, transfer out, ...) */
	int64_t expired; /* lifetime expired */
} points_balance;
/* An account that never held the asset has a zero balance. */
POINTS_EXTERN int points_balance_get(points_db *db, int64_t account,
    const char *asset, points_balance *out);

/* ---- Transactions ---- */

#define POINTS_TXN_EARN 1
#define POINTS_TXN_SPEND 2
#define POINTS_TXN_TRANSFER 3
#define POINTS_TXN_ADJUST 4
#define POINTS_TXN_REVERSAL 5
#define POINTS_TXN_EXPIRE 6
#define POINTS_TXN_HOLD 7
#define POINTS_TXN_CAPTURE 8
#define POINTS_TXN_RELEASE 9

#define POINTS_POSTING_VERSION 1
typedef struct points_posting {
	unsigned int version;  /* POINTS_POSTING_VERSION */
	const char *asset;     /* asset code */
	int64_t account;       /* earn: to; spend, transfer: from */
	int64_t counterparty;  /* transfer: to; 0 = issuer (earn) / sink (spend) */
	int64_t amount;        /* > 0 */
	const char *memo;      /* may be NULL; required for adjustments */
	const char *idempotency_key; /* may be NULL */
	int64_t time;          /* 0: the ledger's clock */
	int64_t expires_at;    /* earn: 0 = the asset's policy; else lot expiry */
} points_posting;
#define POINTS_POSTING_INIT { POINTS_POSTING_VERSION, NULL, 0, 0, 0, NULL, NULL, 0, 0 }
POINTS_EXTERN int points_posting_init(points_posting *p);

typedef struct points_txn {
	char id[POINTS_ID_LEN + 1]; /* UUIDv7 */
	int64_t seq;                /* position in the ledger */
	int type;                   /* POINTS_TXN_* */
	int64_t time;
	char asset[POINTS_ASSET_MAX + 1];
	int64_t from;               /* debited account */
	int64_t to;                 /* credited account */
	int64_t amount;
	char ref[POINTS_ID_LEN + 1]; /* reversal: original; capture/release: hold */
	char memo[POINTS_MEMO_MAX + 1];
	int replayed;               /* 1: returned for a repeated idempotency key */
} points_txn;

/* issuer (or counterparty) -> account; creates a lot that expires per policy */
POINTS_EXTERN int points_earn(points_db *db, const points_posting *p,
    points_txn *out);
/* account -> sink (or counterparty): redeem; consumes lots earliest first */
POINTS_EXTERN int points_spend(points_db *db, const points_posting *p,
    points_txn *out);
/* account -> counterparty (a user); the points keep their expiry */
POINTS_EXTERN int points_transfer(points_db *db, const points_posting *p,
    points_txn *out);
/* administrator's correction: amount > 0 credits, < 0 debits the account
 * against the issuer; memo (the reason) is required */
POINTS_EXTERN int points_adjust(points_db *db, const points_posting *p,
    points_txn *out);
/* Reverse txn_id in whole (amount 0) or in part.  Points return to the
 * lots they came from, with their original expiry. */
POINTS_EXTERN int points_reverse(points_db *db, const char *txn_id,
    int64_t amount, const char *memo, const char *idempotency_key,
    points_txn *out);
POINTS_EXTERN int points_txn_get(points_db *db, const char *txn_id,
    points_txn *out);

/* ---- Statements ---- */

typedef struct points_entry {
	char txn_id[POINTS_ID_LEN + 1];
	int64_t seq;
	int type;          /* POINTS_TXN_* */
	int64_t time;
	int64_t account;
	char asset[POINTS_ASSET_MAX + 1];
	int64_t amount;    /* change of available (negative: debit) */
	int64_t held;      /* change of held */
	int64_t counterparty;
	char memo[POINTS_MEMO_MAX + 1];
} points_entry;

#define POINTS_NEWEST_FIRST 0
#define POINTS_OLDEST_FIRST 1
/* Entries of account in asset with from <= time < to (to 0: no limit). */
POINTS_EXTERN int points_statement(points_db *db, int64_t account,
    const char *asset, int64_t from, int64_t to, int order, points_iter **out);
POINTS_EXTERN int points_entry_next(points_iter *it, points_entry *out);

/* ---- Lots and expiry ---- */

typedef struct points_lot {
	int64_t account;
	char asset[POINTS_ASSET_MAX + 1];
	int64_t expires_at; /* last second the points are valid; INT64_MAX: never */
	int64_t amount;
} points_lot;
/* Open lots expiring at or before until (INT64_MAX: all), earliest first.
 * account 0: every account's, grouped by account (accounts roughly in the
 * order of their earliest lot); never-expiring lots are not listed then. */
POINTS_EXTERN int points_lots(points_db *db, int64_t account,
    const char *asset, int64_t until, points_iter **out);
POINTS_EXTERN int points_lot_next(points_iter *it, points_lot *out);

typedef struct points_sweep_report {
	int64_t accounts; /* accounts that lost points (each once) */
	int64_t lots;     /* lots expired */
	int64_t points;   /* points expired, all assets */
	int64_t holds;    /* holds expired and released */
} points_sweep_report;
/* Expire every lot whose expires_at < as_of and release every hold whose
 * deadline < as_of.  Idempotent.  report may be NULL. */
POINTS_EXTERN int points_expire_sweep(points_db *db, int64_t as_of,
    points_sweep_report *out);

/* ---- Holds ---- */

#define POINTS_HOLD_OPEN 0
#define POINTS_HOLD_CAPTURED 1
#define POINTS_HOLD_RELEASED 2
#define POINTS_HOLD_EXPIRED 3

typedef struct points_hold {
	char id[POINTS_ID_LEN + 1]; /* the id of the HOLD transaction */
	int64_t account;
	char asset[POINTS_ASSET_MAX + 1];
	int64_t amount;
	int64_t captured;
	int64_t expires_at; /* 0: no deadline */
	int state;          /* POINTS_HOLD_* */
} points_hold;
/* Reserve p->amount of p->account (p->expires_at: deadline, 0 none). */
POINTS_EXTERN int points_hold_create(points_db *db, const points_posting *p,
    points_txn *out);
/* Capture amount (0: all) into to (0: the sink); the rest is released. */
POINTS_EXTERN int points_hold_capture(points_db *db, const char *hold_id,
    int64_t amount, int64_t to, const char *memo, points_txn *out);
POINTS_EXTERN int points_hold_release(points_db *db, const char *hold_id,
    const char *memo, points_txn *out);
POINTS_EXTERN int points_hold_get(points_db *db, const char *hold_id,
    points_hold *out);

/* ---- Integrity ---- */

typedef struct points_verify_report {
	int64_t entries;
	int64_t balances;
	int64_t bad_seq;  /* first entry that fails, 0 if none */
	char message[256];
} points_verify_report;
/* Recompute the hash chain and every balance from the entries.
 * POINTS_ECORRUPT names the first mismatch in the report. */
POINTS_EXTERN int points_verify(points_db *db, points_verify_report *out);

/* ---- Iterators ----
 * An iterator borrows its handle: step it only while the handle is open
 * (freeing it later is fine).  Each step reads in its own short
 * transaction, so other calls on the handle may come in between. */
POINTS_EXTERN void points_iter_free(points_iter *it); /* NULL is accepted */

#ifdef __cplusplus
}
#endif
#endif /* POINTS_H */
