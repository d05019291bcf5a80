/*
 * points/report.h - reports over the ledger for finance and HR: what
 * the company owes in points (liability) and when its points expire
 * (the breakage forecast).  Every figure is exact: sums of stored
 * integers, never rounded; a cash value comes with its remainder.
 * Included by points.h.
 */
#ifndef POINTS_INCLUDE_REPORT_H
#define POINTS_INCLUDE_REPORT_H

#include "points/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Liability ---- */

/* What the user accounts hold of one asset now, each figure the sum of
 * what points_balance_get gives for every user account (system
 * accounts, the issuer's and the sink's, are left out), and their cash
 * value at the asset's ratio (points_mall_set_cash_ratio).
 * outstanding = available + pending + held: the points the company
 * still owes.  The cash value of outstanding is exactly
 * cash + cash_rem / ratio_points minor units (rounded down, the
 * remainder kept); with no ratio all three are 0. */
typedef struct points_liability {
	char asset[POINTS_ASSET_MAX + 1];
	int decimals;           /* the asset's */
	int64_t accounts;       /* user accounts holding or owing points */
	int64_t available;
	int64_t pending;        /* credited, not spendable yet */
	int64_t held;           /* on hold for an order or a capture */
	int64_t outstanding;    /* available + pending + held */
	int64_t debt;           /* points the user accounts owe */
	int64_t never_expires;  /* of available + pending: in lots that
	                         * never expire (the rest is in the
	                         * forecast, points_expiry_forecast) */
	int64_t ratio_points;   /* the asset's cash ratio: ratio_points */
	int64_t ratio_cash;     /* points are worth ratio_cash minor units */
	int64_t cash;           /* outstanding's cash value, rounded down */
	int64_t cash_rem;       /* its remainder, 0 <= cash_rem < ratio_points */
} points_liability;
/* The liability of asset as of the ledger's clock, read in one
 * transaction (one consistent figure).  It reads every balance record
 * of the ledger: its cost grows with accounts times assets, not with
 * entries.  An unknown asset is POINTS_ENOTFOUND; a sum that would pass
 * INT64_MAX is POINTS_ELIMIT. */
POINTS_EXTERN int points_liability_get(points_db *db, const char *asset,
    points_liability *out);

/* ---- The breakage forecast ---- */

/* The points of asset due to expire in one calendar month of the
 * ledger's local time (its UTC offset): lots still valid by the
 * ledger's clock whose last valid day falls in the month. */
typedef struct points_expiry_month {
	char asset[POINTS_ASSET_MAX + 1];
	int year;
	int month;        /* 1-12 */
	int64_t start;    /* the month's first second */
	int64_t end;      /* the next month's first second */
	int64_t points;
	int64_t accounts; /* user accounts with points expiring then */
} points_expiry_month;
/* An iterator over the months in which points of asset expire,
 * earliest first, from the current month on; months with nothing due
 * are left out.  The months' points add up to the liability's
 * available + pending - never_expires.  It is worked out in one
 * transaction at the first step (reading every balance record, as
 * points_liability_get does) and kept in memory, a month a row.  An
 * unknown asset is POINTS_ENOTFOUND at the first step. */
typedef struct points_expiry_forecast_iterator
    points_expiry_forecast_iterator;
POINTS_EXTERN int points_expiry_forecast_iterator_new(points_db *db,
    const char *asset, points_expiry_forecast_iterator **out);
/* POINTS_OK and the next month in *out, or POINTS_ITEROVER at the end. */
POINTS_EXTERN int points_expiry_forecast_next(
    points_expiry_forecast_iterator *it, points_expiry_month *out);
POINTS_EXTERN void points_expiry_forecast_iterator_free(
    points_expiry_forecast_iterator *it);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_REPORT_H */
