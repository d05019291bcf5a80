/* pending.c - pending points of the rules (pending.h). */
#include "points.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "rules/pending.h"

uint32_t
points_pending__last_day(points_db *db, int64_t t, int64_t days)
{
	int64_t d = points_db__day(db, t + days * 86400);

	/* days <= POINTS_RULE_PENDING_DAYS_MAX and t is an event's time,
	 * not after the clock: a day that fits */
	return d <= 0 ? 0 : d >= (int64_t)UINT32_MAX ? UINT32_MAX - 1 :
	    (uint32_t)d;
}

/* Load account's balance in asset, let fn change its pending items,
 * store it. */
static int
edit(points_db *db, int64_t account, const char *asset, uint32_t last,
    int64_t amount, int take, int64_t *out)
{
	points_asset_rec a;
	points_balance_rec b;
	int rc;

	if ((rc = points_asset__find(db, asset, &a)))
		return rc;
	points_balance__init(&b, account, a.id, 0);
	if ((rc = points_balance__load(db, &b)) == POINTS_OK) {
		if (take)
			points_balance__unpend(db, &b, last, amount, out);
		else
			rc = points_balance__pend(db, &b, last, amount, out);
	}
	if (rc == POINTS_OK && (!out || *out > 0))
		rc = points_balance__store(db, &b, 0);
	points_balance__free(&b);
	return rc;
}

int
points_pending__mark(points_db *db, int64_t account, const char *asset,
    int64_t t, int64_t days, int64_t amount)
{
	int64_t marked = 0;

	if (days <= 0 || amount <= 0)
		return POINTS_OK;
	return edit(db, account, asset, points_pending__last_day(db, t, days),
	    amount, 0, &marked);
}

int
points_pending__unmark(points_db *db, int64_t account, const char *asset,
    int64_t t, int64_t days, int64_t amount, int64_t *taken)
{
	int64_t x = 0;
	int rc = POINTS_OK;

	if (days > 0 && amount > 0)
		rc = edit(db, account, asset,
		    points_pending__last_day(db, t, days), amount, 1, &x);
	if (rc == POINTS_OK && taken)
		*taken = x;
	return rc;
}
