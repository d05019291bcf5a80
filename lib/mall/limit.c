/* limit.c - limits per account and period (points/mall.h, window.h): at
 * most so many units of an item an account may order in a day, an ISO
 * week, a calendar month or year, in the ledger's UTC offset, counted
 * from its orders (order.c): a cancelled or returned order gives its
 * units back by leaving the count. */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "util/calendar.h"
#include "core/account.h"
#include "core/db.h"
#include "mall/item.h"
#include "mall/window.h"

static const char *const period_names[] = {
	"", "a day", "a week", "a month", "a year",
};
static const char *const period_this[] = {
	"", "today", "this week", "this month", "this year",
};

int64_t
points_period__start(points_db *db, int period, int64_t t)
{
	int64_t day = points_db__day(db, t);
	points_civil c;

	switch (period) {
	case POINTS_PERIOD_WEEK:
		day = points_cal__week_start(day);
		break;
	case POINTS_PERIOD_MONTH:
		c = points_cal__civil(day);
		day = points_cal__days(c.year, c.month, 1);
		break;
	case POINTS_PERIOD_YEAR:
		c = points_cal__civil(day);
		day = points_cal__days(c.year, 1, 1);
		break;
	default:
		break;
	}
	return day * 86400 - db->utc_offset;
}

int64_t
points_period__end(points_db *db, int period, int64_t t)
{
	int64_t day = points_db__day(db, t);
	points_civil c;

	switch (period) {
	case POINTS_PERIOD_WEEK:
		day = points_cal__week_start(day) + 7;
		break;
	case POINTS_PERIOD_MONTH:
		c = points_cal__civil(day);
		day = c.month == 12 ? points_cal__days(c.year + 1, 1, 1) :
		    points_cal__days(c.year, c.month + 1, 1);
		break;
	case POINTS_PERIOD_YEAR:
		c = points_cal__civil(day);
		day = points_cal__days(c.year + 1, 1, 1);
		break;
	default:
		day++;
		break;
	}
	return day * 86400 - db->utc_offset;
}

static int64_t
limit_of(const points_item *it, int period)
{
	switch (period) {
	case POINTS_PERIOD_DAY: return it->limit_day;
	case POINTS_PERIOD_WEEK: return it->limit_week;
	case POINTS_PERIOD_MONTH: return it->limit_month;
	case POINTS_PERIOD_YEAR: return it->limit_year;
	}
	return 0;
}

int
points_period__check(points_db *db, const points_item_rec *r,
    int64_t account, const char *ext, int64_t quantity, int64_t t)
{
	int p, rc;

	for (p = POINTS_PERIOD_DAY; p <= POINTS_PERIOD_YEAR; p++) {
		int64_t limit = limit_of(&r->it, p), used;

		if (limit == 0)
			continue;
		if ((rc = points_order__units_since(db, account, r->it.sku,
		    points_period__start(db, p, t), INT64_MAX, &used)))
			return rc;
		if (quantity <= limit && used <= limit - quantity)
			continue;
		return points_db__err(db, POINTS_EQUOTA, "item '%s': at most "
		    "%lld %s for an account; account %s has ordered %lld "
		    "%s and asked for %lld", r->it.sku, (long long)limit,
		    period_names[p], ext, (long long)used, period_this[p],
		    (long long)quantity);
	}
	return POINTS_OK;
}

typedef struct limit_args {
	int period;
	int64_t units;
} limit_args;

static int
set_limit(points_db *db, points_item_rec *r, const void *ctx,
    unsigned int *what)
{
	const limit_args *l = ctx;
	int64_t *f = l->period == POINTS_PERIOD_DAY ? &r->it.limit_day :
	    l->period == POINTS_PERIOD_WEEK ? &r->it.limit_week :
	    l->period == POINTS_PERIOD_MONTH ? &r->it.limit_month :
	    &r->it.limit_year;

	(void)db;
	if (*f == l->units)
		return POINTS_OK;
	*f = l->units;
	*what = POINTS_ITEM_CHANGED_LIMITS;
	return POINTS_OK;
}

static int
check_period(points_db *db, const char *sku, int period)
{
	if (period < POINTS_PERIOD_DAY || period > POINTS_PERIOD_YEAR)
		return points_db__err(db, POINTS_EINVAL, "item '%s': period "
		    "must be POINTS_PERIOD_DAY, _WEEK, _MONTH or _YEAR (got "
		    "%d)", sku ? sku : "", period);
	return POINTS_OK;
}

POINTS_EXTERN int
points_item_set_period_limit(points_db *db, const char *sku, int period,
    int64_t units, const char *actor, const char *reason, points_item *out)
{
	limit_args l = { period, units };
	int rc;

	if ((rc = points_db__check_db(db)) ||
	    (rc = check_period(db, sku, period)))
		return rc;
	if (units < 0)
		return points_db__err(db, POINTS_EINVAL, "item '%s': a limit "
		    "per period must not be negative (0 removes it; got "
		    "%lld)", sku ? sku : "", (long long)units);
	return points_item__modify(db, sku, set_limit, &l, actor, reason,
	    out);
}

POINTS_EXTERN int
points_order_units_in_period(points_db *db, int64_t account, const char *sku,
    int period, int64_t t, int64_t *out)
{
	points_item_rec r;
	points_account a;
	int64_t units = 0;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_item__check_sku(db, sku)) ||
	    (rc = check_period(db, sku, period)))
		return rc;
	if (t < 0)
		return points_db__err(db, POINTS_EINVAL, "item '%s': time %lld "
		    "is before 1970", sku, (long long)t);
	if ((rc = points_db__read_begin(db)))
		return rc;
	t = points_db__time(db, t);
	if ((rc = points_item__load(db, sku, &r)) == POINTS_OK &&
	    (rc = points_account__load(db, account, &a)) == POINTS_OK)
		rc = points_order__units_since(db, account, sku,
		    points_period__start(db, period, t),
		    points_period__end(db, period, t), &units);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = units;
	return rc;
}
