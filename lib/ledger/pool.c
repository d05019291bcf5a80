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
#include "ledger/pool.h"
#include "ledger/posting.h"

int
points_pool__route(points_db *db, int type, const points_posting *p,
    int64_t *from, int64_t *to)
{
	int64_t other = p->counterparty ? p->counterparty :
	    POINTS_ACCOUNT_ISSUER;

	if (p->expires_at)
		return points_db__err(db, POINTS_EINVAL,
		    "a pool keeps no lots: expires_at must be 0");
	if (p->account == other)
		return points_db__err(db, POINTS_EINVAL,
		    "a pool %s needs two different accounts",
		    type == POINTS_TXN_FUND ? "funding" : "defunding");
	*from = type == POINTS_TXN_FUND ? other : p->account;
	*to = type == POINTS_TXN_FUND ? p->account : other;
	return POINTS_OK;
}

int
points_pool__check_parties(points_db *db, int type, points_balance_rec *from,
    points_balance_rec *to)
{
	points_balance_rec *pool = type == POINTS_TXN_FUND ? to : from;
	points_balance_rec *other = pool == to ? from : to;
	char label[POINTS_EXTID_MAX + 2];
	int rc;

	if ((rc = points_balance__check_party(db, pool, -1, 0)) ||
	    (rc = points_balance__check_party(db, other, -1, 0)))
		return rc;
	if (!(pool->flags & POINTS_ACCOUNT_POOL)) {
		points_balance__label(db, pool->account, label, sizeof(label));
		return points_db__err(db, POINTS_EINVAL,
		    "account %s is not a pool (POINTS_ACCOUNT_POOL)", label);
	}
	return POINTS_OK;
}

int
points_pool__check_payee(points_db *db, const points_balance_rec *b,
    const char *what)
{
	char label[POINTS_EXTID_MAX + 2];

	if (!(b->flags & POINTS_ACCOUNT_POOL))
		return POINTS_OK;
	points_balance__label(db, b->account, label, sizeof(label));
	return points_db__err(db, POINTS_EINVAL,
	    "pool %s cannot receive a %s: fund it (points_pool_fund)", label,
	    what);
}

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
