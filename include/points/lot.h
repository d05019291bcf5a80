/*
 * points/lot.h - lots (points by expiry date) and the expiry sweep.
 * Included by points.h.
 */
#ifndef POINTS_INCLUDE_LOT_H
#define POINTS_INCLUDE_LOT_H

#include "points/common.h"

#ifdef __cplusplus
extern "C" {
#endif

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

/* The sweep commits in chunks: each write transaction expires at most
 * this many holds and balances (one entry each).  Inside a batch it runs
 * in the batch's transaction. */
#define POINTS_SWEEP_CHUNK 10000

typedef struct points_sweep_report {
	int64_t accounts; /* accounts that lost points (each once a call) */
	int64_t lots;     /* lots expired */
	int64_t points;   /* points expired, all assets */
	int64_t holds;    /* holds expired and released */
} points_sweep_report;
/* Expire every lot whose expires_at < as_of and release every hold whose
 * deadline < as_of, POINTS_SWEEP_CHUNK at a time.  Idempotent; after a
 * failure the chunks committed stand and a rerun does the rest.  The
 * report counts what this call did; out may be NULL. */
POINTS_EXTERN int points_expire_sweep(points_db *db, int64_t as_of,
    points_sweep_report *out);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_LOT_H */
