/*
 * points/pool.h - budget pools: a department's or a manager's budget,
 * funded from the issuer and paying awards.  Included by points.h.
 *
 * A pool is an account created with POINTS_ACCOUNT_POOL (a system
 * account that never goes negative and keeps no lots).  Fund it with
 * points_pool_fund, pay awards from it with points_earn (counterparty =
 * the pool), return what is left with points_pool_defund, then close it
 * with points_account_close.
 */
#ifndef POINTS_INCLUDE_POOL_H
#define POINTS_INCLUDE_POOL_H

#include "points/common.h"
#include "points/txn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* counterparty (0: the issuer) -> p->account, a pool: a POINTS_TXN_FUND
 * transaction.  The payer is a system account; it pays from its own
 * balance unless it may go negative (the issuer may). */
POINTS_EXTERN int points_pool_fund(points_db *db, const points_posting *p,
    points_txn *out);
/* p->account, a pool -> counterparty (0: the issuer): a
 * POINTS_TXN_DEFUND transaction; at most what the pool holds. */
POINTS_EXTERN int points_pool_defund(points_db *db, const points_posting *p,
    points_txn *out);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_POOL_H */
