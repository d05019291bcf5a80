/* price.c - flash discounts (points/mall.h): a percentage off or a fixed
 * price on an item for a time window, and the price in force that an
 * order pays.  Kept in the item's record and history (item.c). */
#include <string.h>

#include "points.h"
#include "core/db.h"
#include "mall/item.h"
#include "mall/window.h"

int64_t
points_item__price_at(const points_item_rec *r, const char *tier, int64_t t)
{
	const points_item *it = &r->it;
	int64_t base = points_item__price_of(r, tier), pct, off;

	if (it->flash_value == 0 || t < it->flash_starts ||
	    t >= it->flash_ends)
		return base;
	if (it->flash_kind == POINTS_FLASH_PRICE)
		return it->flash_value < base ? it->flash_value : base;
	/* floor(base * pct / 100) without overflow: the points taken off,
	 * rounded down; pct is 1-99, so at least a point is left */
	pct = it->flash_value;
	off = base / 100 * pct + base % 100 * pct / 100;
	return base - off;
}

int
points_item__affordable(points_db *db, const points_item_rec *r,
    const points_account *a, const points_balance *b,
    const points_balance *allow, int pay_order, int64_t t, int *ok)
{
	int64_t min, price, pts, wel;
	int neg = (a->flags & POINTS_ACCOUNT_ALLOW_NEGATIVE) != 0;
	int rc;

	*ok = 0;
	if ((a->flags & POINTS_ACCOUNT_SYSTEM) ||
	    a->status != POINTS_ACCOUNT_ACTIVE)
		return POINTS_OK;
	if ((rc = points_item__tier_ok(db, r, a->tier, ok)) || !*ok)
		return rc;
	*ok = 0;
	if ((rc = points_mall__min_balance(db, r->it.asset, &min)))
		return rc;
	if (min && points_mall__min_balance_have(b) < min)
		return POINTS_OK;
	price = points_item__price_at(r, a->tier, t);
	/* the hold an order makes takes the points to spend (an account
	 * allowed below zero may always) */
	if (!allow) {
		*ok = neg || price <= b->available;
		return POINTS_OK;
	}
	/* an order refuses an allowance in the item's own asset */
	if (strcmp(allow->asset, r->it.asset) == 0)
		return POINTS_OK;
	/* as the order's pay_split (order.c) splits the price: the first
	 * pays what it has; the allowance second must have the rest, points
	 * second have their hold refuse what is not there */
	pts = b->available > 0 ? b->available : 0;
	wel = allow->available > 0 ? allow->available : 0;
	if (pay_order == POINTS_PAY_POINTS_FIRST)
		*ok = price - (price < pts ? price : pts) <= wel;
	else
		*ok = neg || price - (price < wel ? price : wel) <= b->available;
	return POINTS_OK;
}

typedef struct flash_args {
	int kind;
	int64_t value, starts, ends;
} flash_args;

static int
set_flash(points_db *db, points_item_rec *r, const void *ctx,
    unsigned int *what)
{
	const flash_args *f = ctx;
	points_item *it = &r->it;

	(void)db;
	if (f->value == 0) {
		if (it->flash_value == 0)
			return POINTS_OK; /* none to remove */
		it->flash_kind = 0;
		it->flash_value = it->flash_starts = it->flash_ends = 0;
	} else {
		if (it->flash_kind == f->kind && it->flash_value == f->value &&
		    it->flash_starts == f->starts && it->flash_ends == f->ends)
			return POINTS_OK;
		it->flash_kind = f->kind;
		it->flash_value = f->value;
		it->flash_starts = f->starts;
		it->flash_ends = f->ends;
	}
	*what = POINTS_ITEM_CHANGED_FLASH;
	return POINTS_OK;
}

POINTS_EXTERN int
points_item_set_flash(points_db *db, const char *sku, int kind,
    int64_t value, int64_t starts, int64_t ends, const char *actor,
    const char *reason, points_item *out)
{
	flash_args f = { kind, value, starts, ends };
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (value != 0) {
		const char *s = sku ? sku : "";

		if (kind != POINTS_FLASH_PERCENT && kind != POINTS_FLASH_PRICE)
			return points_db__err(db, POINTS_EINVAL, "item '%s': "
			    "flash discount kind must be POINTS_FLASH_PERCENT "
			    "or POINTS_FLASH_PRICE (got %d)", s, kind);
		if (kind == POINTS_FLASH_PERCENT && (value < 1 || value > 99))
			return points_db__err(db, POINTS_EINVAL, "item '%s': "
			    "flash discount of %lld%%: 1 to 99 percent off",
			    s, (long long)value);
		if (kind == POINTS_FLASH_PRICE && value < 0)
			return points_db__err(db, POINTS_EINVAL, "item '%s': "
			    "flash price must be positive (got %lld)", s,
			    (long long)value);
		if (starts < 0 || ends <= starts)
			return points_db__err(db, POINTS_EINVAL, "item '%s': "
			    "flash discount from %lld until %lld: it must end "
			    "after it starts (and start at 0 or later)", s,
			    (long long)starts, (long long)ends);
	} else {
		f.kind = 0;
		f.starts = f.ends = 0;
	}
	return points_item__modify(db, sku, set_flash, &f, actor, reason,
	    out);
}
