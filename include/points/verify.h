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
/* Recompute the hash chain and every balance from the entries, a chunk
 * of POINTS_VERIFY_CHUNK records per read transaction.  POINTS_ECORRUPT
 * names the first mismatch in the report. */
POINTS_EXTERN int points_verify(points_db *db, points_verify_report *out);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_VERIFY_H */
