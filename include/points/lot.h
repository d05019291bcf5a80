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
/* An iterator over the open lots expiring at or before until (INT64_MAX:
 * all), earliest first; only points still valid by the ledger's clock
 * (past-due lots are gone, swept or not).  account 0: every account's, grouped by account
 * (accounts roughly in the order of their earliest lot); never-expiring
 * lots are not listed then.  Each step reads in its own short
 * transaction.  After points_close a step is POINTS_EMISUSE; if it was
 * opened inside a batch that is rolled back, POINTS_ESTATE.  Free it with
 * points_lot_iterator_free, before or after points_close. */
typedef struct points_lot_iterator points_lot_iterator;
POINTS_EXTERN int points_lot_iterator_new(points_db *db, int64_t account,
    const char *asset, int64_t until, points_lot_iterator **out);
/* POINTS_OK and the next lot in *out, or POINTS_ITEROVER at the end. */
POINTS_EXTERN int points_lot_next(points_lot_iterator *it, points_lot *out);
POINTS_EXTERN void points_lot_iterator_free(points_lot_iterator *it);

/* The sweep commits in chunks: each write transaction expires at most
 * this many holds and balances (one entry each).  Inside a batch it runs
 * in the batch's transaction. */
#define POINTS_SWEEP_CHUNK 10000

typedef struct points_sweep_report {
	int64_t accounts; /* accounts that lost points (each once a call) */
	int64_t lots;     /* lots expired */
	int64_t points;   /* points expired; of every asset: saturates at
			   * INT64_MAX (sweep one asset for exact figures) */
	int64_t holds;    /* holds expired and released */
	char asset[POINTS_ASSET_MAX + 1]; /* the asset swept; "": every asset */
} points_sweep_report;
/* Flags of points_expire_sweep_asset. */
#define POINTS_SWEEP_FUTURE 1 /* as_of may be later than the ledger's clock */
/* Expire every lot whose expires_at < as_of and release every hold whose
 * deadline < as_of, POINTS_SWEEP_CHUNK at a time.  Idempotent; after a
 * failure the chunks committed stand and a rerun does the rest.  The
 * report counts what this call did; out may be NULL.  An as_of later
 * than the ledger's clock (points_now) is POINTS_EINVAL: sweeping ahead
 * takes points_expire_sweep_asset with POINTS_SWEEP_FUTURE. */
POINTS_EXTERN int points_expire_sweep(points_db *db, int64_t as_of,
    points_sweep_report *out);
/* The same for one asset (asset NULL: every asset, as
 * points_expire_sweep), with flags (POINTS_SWEEP_FUTURE).  The report
 * names the asset.  An expiry is undone with points_reverse. */
POINTS_EXTERN int points_expire_sweep_asset(points_db *db, const char *asset,
    int64_t as_of, unsigned int flags, points_sweep_report *out);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_LOT_H */
