/* pool_party.c - the parts budget pools take in postings (see pool.c):
 * who pays and receives in a funding, and the roles a pool may not
 * take in other postings.  Separate from pool.c so that posting.c can
 * call it while pool.c calls posting.c. */
#include "points.h"
#include "core/balance.h"
#include "core/db.h"
#include "ledger/pool_party.h"

int
points_pool_party__route(points_db *db, int type, const points_posting *p,
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
points_pool_party__check(points_db *db, int type, points_balance_rec *from,
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
points_pool_party__payee(points_db *db, const points_balance_rec *b,
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
