/* window.c - redemption windows (points/mall.h, window.h): the days an
 * item may be ordered on, the mall's and its own, as the rules' windows
 * are days of the week and of the month in the ledger's UTC offset
 * (util/calendar.h). */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "util/calendar.h"
#include "core/db.h"
#include "mall/item.h"
#include "mall/window.h"

/* The Gregorian calendar repeats every 400 years: a day both windows
 * have comes within them or never. */
#define CYCLE_DAYS 146097

int
points_window__has(unsigned int weekdays, unsigned int monthdays,
    int64_t day)
{
	return (!weekdays || (weekdays >> (points_cal__weekday(day) - 1) & 1))
	    && (!monthdays ||
	    (monthdays >> (points_cal__civil(day).day - 1) & 1));
}

int
points_window__check(points_db *db, const char *what, unsigned int weekdays,
    unsigned int monthdays)
{
	if (weekdays >= 1u << 7)
		return points_db__err(db, POINTS_EINVAL, "%s: window weekdays "
		    "0x%x: bits 0 (Monday) to 6 (Sunday) only", what,
		    weekdays);
	if (monthdays >= 1u << 31)
		return points_db__err(db, POINTS_EINVAL, "%s: window monthdays "
		    "0x%x: bits 0 (the 1st) to 30 (the 31st) only", what,
		    monthdays);
	return POINTS_OK;
}

static void
format_day(int64_t day, char *buf, size_t n)
{
	points_civil c = points_cal__civil(day);

	snprintf(buf, n, "%04lld-%02u-%02u", (long long)c.year, c.month,
	    c.day);
}

int
points_window__item_open(points_db *db, const points_item_rec *r,
    int64_t t, int64_t *opens)
{
	points_mall_settings m;
	unsigned int iw = r->it.window_weekdays, im = r->it.window_monthdays;
	int64_t today = points_db__day(db, t), d;
	char now[16], next[16];
	int item_open, mall_open, rc;

	if ((rc = points_mall__settings(db, &m)))
		return rc;
	item_open = points_window__has(iw, im, today);
	mall_open = points_window__has(m.window_weekdays, m.window_monthdays,
	    today);
	if (item_open && mall_open) {
		if (opens)
			*opens = t;
		return POINTS_OK;
	}
	for (d = today + 1; d <= today + CYCLE_DAYS; d++)
		if (points_window__has(iw, im, d) &&
		    points_window__has(m.window_weekdays, m.window_monthdays,
		    d))
			break;
	format_day(today, now, sizeof(now));
	if (d > today + CYCLE_DAYS) {
		if (opens)
			*opens = 0;
		return points_db__err(db, POINTS_EWINDOW, "item '%s' cannot "
		    "be ordered on %s: outside %s redemption window, and "
		    "the mall's and the item's windows never open together",
		    r->it.sku, now, !mall_open ? "the mall's" : "its");
	}
	if (opens)
		*opens = d * 86400 - db->utc_offset;
	format_day(d, next, sizeof(next));
	return points_db__err(db, POINTS_EWINDOW, "item '%s' cannot be "
	    "ordered on %s: outside %s redemption window (opens %s)",
	    r->it.sku, now, !mall_open ? "the mall's" : "its", next);
}

typedef struct window_args {
	unsigned int weekdays, monthdays;
} window_args;

static int
set_window(points_db *db, points_item_rec *r, const void *ctx,
    unsigned int *what)
{
	const window_args *w = ctx;

	(void)db;
	if (r->it.window_weekdays == w->weekdays &&
	    r->it.window_monthdays == w->monthdays)
		return POINTS_OK;
	r->it.window_weekdays = w->weekdays;
	r->it.window_monthdays = w->monthdays;
	*what = POINTS_ITEM_CHANGED_WINDOW;
	return POINTS_OK;
}

POINTS_EXTERN int
points_item_set_window(points_db *db, const char *sku, unsigned int weekdays,
    unsigned int monthdays, const char *actor, const char *reason,
    points_item *out)
{
	window_args w = { weekdays, monthdays };
	char what[POINTS_SKU_MAX + 8];
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	snprintf(what, sizeof(what), "item '%.64s'", sku ? sku : "");
	if ((rc = points_window__check(db, what, weekdays, monthdays)))
		return rc;
	return points_item__modify(db, sku, set_window, &w, actor, reason,
	    out);
}

POINTS_EXTERN int
points_item_next_opening(points_db *db, const char *sku, int64_t t,
    int64_t *out)
{
	points_item_rec r;
	int64_t opens = 0;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if (t < 0)
		return points_db__err(db, POINTS_EINVAL, "item '%s': time %lld "
		    "is before 1970", sku ? sku : "", (long long)t);
	if ((rc = points_item__check_sku(db, sku)) ||
	    (rc = points_db__read_begin(db)))
		return rc;
	t = points_db__time(db, t);
	if ((rc = points_item__load(db, sku, &r)) == POINTS_OK) {
		rc = points_window__item_open(db, &r, t, &opens);
		if (rc == POINTS_EWINDOW) {
			points_db__clear_err(db);
			rc = POINTS_OK;
		}
	}
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = opens;
	return rc;
}
