/*
 * points/txn.h - postings and transactions: earn, spend, transfer,
 * adjust, reverse, and reading a transaction back.  Included by
 * points.h.
 */
#ifndef POINTS_INCLUDE_TXN_H
#define POINTS_INCLUDE_TXN_H

#include "points/common.h"

#ifdef __cplusplus
extern "C" {
#endif

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
#define POINTS_TXN_FUND 10   /* points_pool_fund: a payer -> a pool */
#define POINTS_TXN_DEFUND 11 /* points_pool_defund: a pool -> a payee */

/*
 * Request structs (points_posting, points_reversal, and those of
 * points/hold.h) start with their version and only grow at the end.
 * Initialize one with its POINTS_*_INIT or its *_init function, passing
 * the POINTS_*_VERSION you compiled against: the library then reads only
 * the fields that version has, and the fields added later take their
 * defaults.
 */
#define POINTS_POSTING_VERSION 2
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
	/* version 2 */
	const char *category;  /* NULL, or 1-32 of [a-z0-9_.-]: "training" */
	const char *actor;     /* NULL, or who did it (1-64 bytes of UTF-8) */
} points_posting;
#define POINTS_POSTING_INIT { POINTS_POSTING_VERSION, NULL, 0, 0, 0, NULL, NULL, 0, 0, NULL, NULL }
/* *p = POINTS_POSTING_INIT as of version (pass POINTS_POSTING_VERSION):
 * writes only the bytes that version has.  POINTS_EINVAL for NULL,
 * POINTS_EVERSION for 0 or a version newer than the library's. */
POINTS_EXTERN int points_posting_init(points_posting *p, unsigned int version);

/* A reversal of a transaction, in whole or in part. */
#define POINTS_REVERSAL_VERSION 2
typedef struct points_reversal {
	unsigned int version;        /* POINTS_REVERSAL_VERSION */
	const char *txn_id;          /* the transaction to reverse */
	int64_t amount;              /* 0: all that is left; else > 0 */
	const char *memo;            /* may be NULL: the reason */
	const char *idempotency_key; /* may be NULL */
	/* version 2 */
	const char *category;        /* as in points_posting */
	const char *actor;           /* as in points_posting */
} points_reversal;
#define POINTS_REVERSAL_INIT { POINTS_REVERSAL_VERSION, NULL, 0, NULL, NULL, NULL, NULL }
POINTS_EXTERN int points_reversal_init(points_reversal *r,
    unsigned int version);

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
	char category[POINTS_CATEGORY_MAX + 1]; /* the write's, or "" */
	char actor[POINTS_ACTOR_MAX + 1];       /* the write's, or "" */
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
/* Reverse req->txn_id in whole (amount 0) or in part.  Points return to
 * the lots they came from, with their original expiry. */
POINTS_EXTERN int points_reverse(points_db *db, const points_reversal *req,
    points_txn *out);
POINTS_EXTERN int points_txn_get(points_db *db, const char *txn_id,
    points_txn *out);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_TXN_H */
