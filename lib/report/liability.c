/* liability.c - what the user accounts hold of an asset, and its cash
 * value (points/report.h). */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "mall/window.h"
#include "report/balances.h"
#include "report/liability.h"

struct sums {
	const char *code;
	points_liability l;
	int overflow;
};

static void
add(struct sums *s, int64_t *to, int64_t v)
{
	if (points_codec__add(to, v))
		s->overflow = 1;
}

static int
visit(points_db *db, const points_balance_rec *b, void *arg)
{
	struct sums *s = arg;
	points_balance pub;
	int64_t never = 0;
	size_t i;
	int rc;

	/* the figures points_balance_get gives, so that the report is
	 * their sum exactly (past-due lots gone, pending apart) */
	if ((rc = points_balance__read(db, b->account, s->code, &pub)))
		return rc;
	for (i = 0; i < b->lots.n; i++)
		if (b->lots.v[i].day == POINTS_DAY_NEVER)
			add(s, &never, b->lots.v[i].amount);
	if (!pub.available && !pub.pending && !pub.held && !pub.debt)
		return POINTS_OK;
	s->l.accounts++;
	add(s, &s->l.available, pub.available);
	add(s, &s->l.pending, pub.pending);
	add(s, &s->l.held, pub.held);
	add(s, &s->l.debt, pub.debt);
	add(s, &s->l.never_expires, never);
	return POINTS_OK;
}

int
points_report__cash_value(int64_t points, int64_t ratio_points,
    int64_t ratio_cash, int64_t *cash, int64_t *rem)
{
	int64_t p = ratio_points, c = ratio_cash;
	int64_t q = points / p, r = points % p;

	/* points = q * p + r with 0 <= r < p; the value is then
	 * q * c + r * c / p, where r * c < p * c <= 10^18 fits */
	if (r < 0) {
		r += p;
		q--;
	}
	if (q > INT64_MAX / c || q < -(INT64_MAX / c))
		return POINTS_ELIMIT;
	*cash = q * c;
	if (points_codec__add(cash, r * c / p))
		return POINTS_ELIMIT;
	*rem = r * c % p;
	return POINTS_OK;
}

POINTS_EXTERN int
points_liability_get(points_db *db, const char *asset, points_liability *out)
{
	points_asset_rec a;
	points_cash_ratio ratio;
	struct sums s;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__check_str(db, "asset", asset, POINTS_ASSET_MAX, 1)))
		return rc;
	if ((rc = points_db__read_begin(db)))
		return rc;
	memset(&s, 0, sizeof(s));
	s.code = asset;
	rc = points_asset__find(db, asset, &a);
	if (rc == POINTS_OK)
		rc = points_mall__cash_ratio(db, a.a.code, &ratio);
	if (rc == POINTS_OK)
		rc = points_report__balances(db, a.id, visit, &s);
	points_db__read_end(db);
	if (rc)
		return rc;
	strcpy(s.l.asset, a.a.code);
	s.l.decimals = a.a.decimals;
	s.l.outstanding = s.l.available;
	add(&s, &s.l.outstanding, s.l.pending);
	add(&s, &s.l.outstanding, s.l.held);
	if (s.overflow)
		return points_db__err(db, POINTS_ELIMIT, "liability of %s: a "
		    "sum passes %lld", a.a.code, (long long)INT64_MAX);
	s.l.ratio_points = ratio.points;
	s.l.ratio_cash = ratio.cash;
	if (ratio.points && points_report__cash_value(s.l.outstanding,
	    ratio.points, ratio.cash, &s.l.cash, &s.l.cash_rem))
		return points_db__err(db, POINTS_ELIMIT, "liability of %s: "
		    "the cash value of %lld points passes %lld", a.a.code,
		    (long long)s.l.outstanding, (long long)INT64_MAX);
	*out = s.l;
	return POINTS_OK;
}
