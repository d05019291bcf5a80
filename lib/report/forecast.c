/* forecast.c - the breakage forecast: an asset's points by the month
 * they expire in (points/report.h).
 *
 * The first step reads every user balance of the asset in one
 * transaction and sums its valid lots by month, in a sorted array (a
 * ledger's lots span a few dozen months); the steps then hand the
 * months out.  Its position is the next month to hand out, so a failed
 * first fill is simply done again. */
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "util/calendar.h"
#include "util/codec.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "core/iter.h"
#include "report/balances.h"

struct month {
	int64_t index; /* year * 12 + month - 1 */
	int64_t points, accounts;
	int64_t seen;  /* the last account counted in it */
};

struct points_expiry_forecast_iterator {
	points_iter base;
	char code[POINTS_ASSET_MAX + 1];
	size_t pos;      /* months handed out */
	int computed;
	struct month *m; /* every month, ascending */
	size_t n, cap;
	int64_t today;
	int overflow;
	points_expiry_month buf[POINTS_ITER_CHUNK];
};

static int forecast_fill(points_iter *base);
static void forecast_fini(points_iter *base);
static const points_iter_type forecast_iter_type = POINTS_ITER_TYPE(
    "expiry forecast iterator", struct points_expiry_forecast_iterator,
    pos, forecast_fill, forecast_fini);

/* The month of index (inserted, zero, when new), or NULL: no memory. */
static struct month *
month_at(struct points_expiry_forecast_iterator *it, int64_t index)
{
	size_t lo = 0, hi = it->n;
	struct month *m;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (it->m[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < it->n && it->m[lo].index == index)
		return &it->m[lo];
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 16;

		if (!(m = points_alloc__realloc(it->m, cap * sizeof(*m))))
			return NULL;
		it->m = m;
		it->cap = cap;
	}
	memmove(&it->m[lo + 1], &it->m[lo], (it->n - lo) * sizeof(*it->m));
	it->n++;
	memset(&it->m[lo], 0, sizeof(*it->m));
	it->m[lo].index = index;
	return &it->m[lo];
}

static int
visit(points_db *db, const points_balance_rec *b, void *arg)
{
	struct points_expiry_forecast_iterator *it = arg;
	size_t i;

	for (i = 0; i < b->lots.n; i++) {
		const points_lotrec *l = &b->lots.v[i];
		points_civil c;
		struct month *m;

		/* past-due lots are gone, swept or not (as in
		 * points_balance_get); never-expiring ones never come */
		if ((int64_t)l->day < it->today || l->day == POINTS_DAY_NEVER ||
		    l->amount <= 0)
			continue;
		c = points_cal__civil(l->day);
		if (!(m = month_at(it, c.year * 12 + (int64_t)c.month - 1)))
			return points_db__err(db, POINTS_ENOMEM,
			    "out of memory");
		if (points_codec__add(&m->points, l->amount))
			it->overflow = 1;
		if (m->seen != b->account) {
			m->seen = b->account;
			m->accounts++;
		}
	}
	return POINTS_OK;
}

/* The first second of the month of index, in the ledger's local time. */
static int64_t
month_start(points_db *db, int64_t index)
{
	return points_cal__days(index / 12, (unsigned)(index % 12) + 1, 1) *
	    86400 - db->utc_offset;
}

static int
forecast_fill(points_iter *base)
{
	struct points_expiry_forecast_iterator *it = (void *)base;
	points_db *db = base->db;
	points_asset_rec a;
	int rc;

	if ((rc = points_asset__find(db, it->code, &a)))
		return rc;
	if (!it->computed) {
		it->n = 0;
		it->overflow = 0;
		it->today = points_db__day(db, points_db__time(db, 0));
		if ((rc = points_report__balances(db, a.id, visit, it)))
			return rc;
		if (it->overflow)
			return points_db__err(db, POINTS_ELIMIT, "expiry "
			    "forecast of %s: a month's points pass %lld",
			    a.a.code, (long long)INT64_MAX);
		it->computed = 1;
	}
	while (base->n < POINTS_ITER_CHUNK && it->pos < it->n) {
		const struct month *m = &it->m[it->pos++];
		points_expiry_month *o = &it->buf[base->n++];

		memset(o, 0, sizeof(*o));
		strcpy(o->asset, a.a.code);
		o->year = (int)(m->index / 12);
		o->month = (int)(m->index % 12) + 1;
		o->start = month_start(db, m->index);
		o->end = month_start(db, m->index + 1);
		o->points = m->points;
		o->accounts = m->accounts;
	}
	base->done = it->pos >= it->n;
	return POINTS_OK;
}

static void
forecast_fini(points_iter *base)
{
	struct points_expiry_forecast_iterator *it = (void *)base;

	points_alloc__free(it->m);
}

POINTS_EXTERN int
points_expiry_forecast_iterator_new(points_db *db, const char *asset,
    points_expiry_forecast_iterator **out)
{
	points_iter *base = NULL;
	struct points_expiry_forecast_iterator *it;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__check_str(db, "asset", asset, POINTS_ASSET_MAX,
	    1)))
		return rc;
	if ((rc = points_iter__new(db, &forecast_iter_type, sizeof(*it),
	    &base)))
		return rc;
	it = (void *)base;
	strcpy(it->code, asset);
	*out = it;
	return POINTS_OK;
}

POINTS_EXTERN int
points_expiry_forecast_next(points_expiry_forecast_iterator *it,
    points_expiry_month *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &forecast_iter_type,
	    out);

	if (rc != POINTS_OK)
		return rc;
	*out = it->buf[it->base.i++];
	return POINTS_OK;
}

POINTS_EXTERN void
points_expiry_forecast_iterator_free(points_expiry_forecast_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
