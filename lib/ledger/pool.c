/* pool.c - budget pools (points/pool.h).
 *
 * A pool is a system account flagged POINTS_ACCOUNT_POOL: no lots, never
 * negative.  A funding and a defunding are postings (posting.c: the
 * request, the write and the movement are an earn's) of their own
 * transaction types, which move points the generic way (entry.h): the
 * payer's available and spent, the payee's available and earned, no
 * lots on either side (both are system accounts).  So verify needs
 * nothing new to recompute a pool, and an older library of this format
 * lists and verifies them.  An award is a points_earn with the pool as
 * counterparty: the pool pays from its own balance (posting.c's debit
 * says "pool NAME: insufficient points: ..."), the user gets a lot per
 * the asset's policy.  All three can be reversed. */
#include "points.h"
#include "core/balance.h"
#include "core/db.h"
#include "ledger/posting.h"

POINTS_EXTERN int
points_pool_fund(points_db *db, const points_posting *p, points_txn *out)
{
	return points_posting__run(db, &points_posting__fund_op, p, out);
}

POINTS_EXTERN int
points_pool_defund(points_db *db, const points_posting *p, points_txn *out)
{
	return points_posting__run(db, &points_posting__defund_op, p, out);
}
