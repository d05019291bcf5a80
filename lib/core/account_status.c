/* account_status.c - freeze, unfreeze, close: the account record and the
 * copy of its status that every balance record keeps (a posting reads
 * the status there, not from the account). */
#include "points.h"
#include "core/account.h"
#include "core/balance.h"
#include "core/db.h"

struct status_ctx {
	int from, to;
	const char *verb;
};

static int
edit_status(points_db *db, points_account *a, const unsigned char *attrs,
    size_t attrs_len, int *new_attrs, void *ctx)
{
	struct status_ctx *s = ctx;
	int rc;

	(void)attrs;
	(void)attrs_len;
	(void)new_attrs;
	/* a budget pool is a system account a host made: it may be
	 * frozen, and closed once defunded */
	if ((a->flags & POINTS_ACCOUNT_SYSTEM) &&
	    !(a->flags & POINTS_ACCOUNT_POOL))
		return points_db__err(db, POINTS_EINVAL,
		    "account %s is a system account and cannot be %s",
		    a->external_id, s->verb);
	if (a->status == POINTS_ACCOUNT_CLOSED)
		return points_db__err(db, POINTS_ECLOSED, "account %s is closed",
		    a->external_id);
	if (s->to == POINTS_ACCOUNT_CLOSED) {
		if ((rc = points_balance__all_zero(db, a)))
			return rc;
	} else if (a->status != s->from) {
		return points_db__err(db, POINTS_ESTATE,
		    "account %s is already %s", a->external_id,
		    a->status == POINTS_ACCOUNT_FROZEN ? "frozen" : "active");
	}
	a->status = s->to;
	/* postings read the status from the balances */
	return points_balance__set_status(db, a->id, s->to);
}

static int
set_status(points_db *db, int64_t id, int from, int to, const char *verb)
{
	struct status_ctx s;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	s.from = from;
	s.to = to;
	s.verb = verb;
	return points_account__edit(db, id, edit_status, &s);
}

POINTS_EXTERN int
points_account_freeze(points_db *db, int64_t id)
{
	return set_status(db, id, POINTS_ACCOUNT_ACTIVE, POINTS_ACCOUNT_FROZEN,
	    "frozen");
}

POINTS_EXTERN int
points_account_unfreeze(points_db *db, int64_t id)
{
	return set_status(db, id, POINTS_ACCOUNT_FROZEN, POINTS_ACCOUNT_ACTIVE,
	    "unfrozen");
}

POINTS_EXTERN int
points_account_close(points_db *db, int64_t id)
{
	return set_status(db, id, -1, POINTS_ACCOUNT_CLOSED, "closed");
}
