/* policy.h - an asset's policy where postings meet it: whether its
 * points may be transferred, and how many an account may transfer out
 * in a day.
 *
 * The daily counter.  One record per (account, asset) that ever
 * transferred, under the balance's key: the ledger's local day (of its
 * clock when the transfer was made, points_db__day) and the points
 * transferred out that day.  A transfer reads it with its other reads
 * and rewrites it; a transfer on a later day starts the count again.
 * Every transfer counts, with or without a limit, so a limit set during
 * a day sees what was sent before.  A reversal of a transfer gives
 * nothing back: the counter says what was sent, not what was kept. */
#ifndef POINTS_LEDGER_POLICY_H
#define POINTS_LEDGER_POLICY_H

#include "points.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"

extern points_ksdef points_policy__day_ks;

typedef struct points_policy_day {
	int want;               /* a transfer: the counter is read */
	unsigned char key[8];   /* the payer's balance key */
	uint32_t day;           /* the day the stored count is of */
	int64_t sent;           /* sent that day, this transfer included
	                         * once checked */
} points_policy_day;

/* Name the reads a posting of type needs for its asset's policy: the
 * asset's record (a transfer's, or one whose points' expiry depends on
 * the clearing date) and a transfer's counter (of from), appended to
 * r[*n]..; returns the asset's place, -1 when nothing is read. */
int points_policy__prefetch(unsigned type, int64_t from,
    const points_asset_rec *a, points_policy_day *xd, points_getreq *r,
    size_t *n);
/* Decode what they gave (r[0]: the asset; r[1]: the counter, for a
 * transfer) into *a and *xd. */
int points_policy__fetched(points_db *db, points_asset_rec *a,
    points_policy_day *xd, const points_getreq *r);
/* May from (its balance) transfer amount of the asset?  POINTS_ESTATE
 * for an asset that may not be transferred, POINTS_ELIMIT past the
 * daily limit; counts the transfer in *xd. */
int points_policy__transfer_check(points_db *db, const points_asset_rec *a,
    const points_balance_rec *from, int64_t amount, points_policy_day *xd);
/* Store the counter the check updated. */
int points_policy__transfer_done(points_db *db, const points_policy_day *xd);

#endif
