/* balances.h - the user accounts' balance records of one asset, walked
 * for the reports (liability.c, forecast.c).
 *
 * The walk reads the balance keyspace in key order (account, then
 * asset), a chunk of keys at a time, inside the caller's transaction:
 * its cost grows with accounts times assets.  System accounts are
 * skipped. */
#ifndef POINTS_REPORT_BALANCES_H
#define POINTS_REPORT_BALANCES_H

#include "points.h"
#include "core/balance.h"
#include "core/db.h"

/* Called with each user account's balance of the asset, decoded with
 * all its lots (spilled ones included, in day order).  A non-zero
 * return stops the walk and is returned. */
typedef int (*points_report__visit_fn)(points_db *db,
    const points_balance_rec *b, void *arg);
int points_report__balances(points_db *db, uint32_t asset,
    points_report__visit_fn visit, void *arg);

#endif
