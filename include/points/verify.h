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
	int64_t partition; /* the log's partition, from 0 */
	int64_t seq;       /* the newest entry; 0: the log is empty */
	char hash[POINTS_CHAIN_HASH_HEX + 1]; /* its hash, lowercase hex */
} points_chain_head;

/* The chain's head as the log stands now; POINTS_EINVAL when the log is
 * in more than one partition (see points_chain_heads_get). */
POINTS_EXTERN int points_chain_head_get(points_db *db, points_chain_head *out);
/* The head of each of the log's partitions, in partition order: up to
 * cap of them into out; *n: how many partitions the log has (out NULL
 * and cap 0 to ask only that). */
POINTS_EXTERN int points_chain_heads_get(points_db *db,
    points_chain_head *out, size_t cap, size_t *n);
/* points_verify, and the chain must pass through each of the nkept kept
 * heads (one per partition, any order; nkept 0 is points_verify). */
POINTS_EXTERN int points_verify_head(points_db *db,
    const points_chain_head *kept, size_t nkept, points_verify_report *out);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_VERIFY_H */
