/*
 * points/verify.h - checking a ledger's hash chain and balances.
 * Included by points.h.
 */
#ifndef POINTS_INCLUDE_VERIFY_H
#define POINTS_INCLUDE_VERIFY_H

#include "points/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Integrity ---- */

/* The check reads in chunks: at most this many entries, balances or
 * expiry index keys per read transaction; writers may commit between
 * them. */
#define POINTS_VERIFY_CHUNK 1000

typedef struct points_verify_report {
	int64_t entries;
	int64_t balances;
	int64_t bad_seq;  /* first entry that fails, 0 if none */
	char message[256];
} points_verify_report;
/* Recompute the hash chain and every balance from the entries, and check
 * the holds, reversal records, the transaction-id and idempotency indexes
 * against them, a chunk of POINTS_VERIFY_CHUNK records per read
 * transaction.  POINTS_ECORRUPT names the first mismatch in the report. */
POINTS_EXTERN int points_verify(points_db *db, points_verify_report *out);

/* The head of the hash chain, for the host to keep outside the ledger:
 * verification against a kept head finds a chain recomputed after an
 * edit, a truncated log and an older copy of the ledger. */
#define POINTS_CHAIN_HASH_HEX 64
typedef struct points_chain_head {
	int64_t partition; /* 0: the ledger's log (the only one today) */
	int64_t seq;       /* the newest entry; 0: the log is empty */
	char hash[POINTS_CHAIN_HASH_HEX + 1]; /* its hash, lowercase hex */
} points_chain_head;

/* The chain's head as the log stands now. */
POINTS_EXTERN int points_chain_head_get(points_db *db, points_chain_head *out);
/* points_verify, and the chain must pass through each of the nkept kept
 * heads (one per partition, any order; nkept 0 is points_verify). */
POINTS_EXTERN int points_verify_head(points_db *db,
    const points_chain_head *kept, size_t nkept, points_verify_report *out);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_VERIFY_H */
