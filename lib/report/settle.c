/* settle.c - settlement between issuers: what each system account
 * issued to user accounts and what was redeemed at it over a range, and
 * the cash that settles the difference (points/report.h).
 *
 * The entries of the range come from the ledger's time index
 * (period.h), as for the other reports; a row per party is kept sorted
 * by account id in memory, worked out at the first step. */
#include <stdlib.h>
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "util/codec.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/db.h"
#include "core/iter.h"
#include "ledger/entry.h"
#include "mall/window.h"
#include "report/liability.h"
#include "report/period.h"

struct points_settlement_iterator {
	points_iter base;
	int64_t from, to, ratio_points, ratio_cash;
	char code[POINTS_ASSET_MAX + 1];
	size_t pos;      /* rows handed out */
	int computed;
	points_settlement *rows; /* by party */
	size_t n, cap;
	int overflow;
	points_report__users users;
	points_settlement buf[POINTS_ITER_CHUNK];
};

static int settle_fill(points_iter *base);
static void settle_fini(points_iter *base);
static const points_iter_type settle_iter_type = POINTS_ITER_TYPE(
    "settlement iterator", struct points_settlement_iterator, pos,
    settle_fill, settle_fini);

/* The row of party, made when new; NULL when out of memory. */
static points_settlement *
row(points_db *db, struct points_settlement_iterator *it, int64_t party)
{
	size_t lo = 0, hi = it->n;
	points_settlement *r;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (it->rows[mid].party == party)
			return &it->rows[mid];
		if (it->rows[mid].party < party)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 16;

		if (!(r = points_alloc__realloc(it->rows, cap * sizeof(*r)))) {
			points_db__err(db, POINTS_ENOMEM, "out of memory");
			return NULL;
		}
		it->rows = r;
		it->cap = cap;
	}
	memmove(&it->rows[lo + 1], &it->rows[lo],
	    (it->n - lo) * sizeof(*r));
	it->n++;
	r = &it->rows[lo];
	memset(r, 0, sizeof(*r));
	r->party = party;
	return r;
}

/* Count entry e: an earn at its payer, a spend or a capture at its
 * payee, a reversal of one of them back where that was counted. */
static int
count_entry(points_db *db, struct points_settlement_iterator *it,
    const points_entry_rec *e)
{
	points_entry_rec orig;
	const points_entry_rec *src = e;
	points_settlement *r;
	int64_t amount = e->amount, user, party, *to;
	int user_side, rc = POINTS_OK;

	points_entry__init(&orig, 0, 0, 0);
	if (e->type == POINTS_TXN_REVERSAL) {
		if ((rc = points_entry__load(db, e->ref_seq, &orig)))
			goto out;
		src = &orig;
		amount = -amount;
	}
	if (src->type == POINTS_TXN_EARN) {
		user = src->to;
		party = src->from;
	} else if (src->type == POINTS_TXN_SPEND ||
	    src->type == POINTS_TXN_CAPTURE) {
		user = src->from;
		party = src->to;
	} else {
		goto out;
	}
	if ((rc = points_report__is_user(db, &it->users, user, &user_side)) ||
	    !user_side)
		goto out;
	if (!(r = row(db, it, party))) {
		rc = POINTS_ENOMEM;
		goto out;
	}
	to = src->type == POINTS_TXN_EARN ? &r->issued : &r->redeemed;
	if (points_codec__add(to, amount))
		it->overflow = 1;
out:
	points_entry__free(&orig);
	return rc;
}

static int
visit(points_db *db, const points_entry_rec *e, void *arg)
{
	return count_entry(db, arg, e);
}

/* The rows' names, nets and cash values. */
static int
finish_rows(points_db *db, struct points_settlement_iterator *it,
    const char *code)
{
	points_account a;
	size_t i;
	int rc;

	for (i = 0; i < it->n; i++) {
		points_settlement *r = &it->rows[i];

		if ((rc = points_account__load(db, r->party, &a)))
			return rc;
		strcpy(r->external_id, a.external_id);
		strcpy(r->asset, code);
		r->net = r->issued;
		if (points_codec__add(&r->net, -r->redeemed))
			return points_db__err(db, POINTS_ELIMIT, "settlement of "
			    "%s: %s's net passes %lld", code, a.external_id,
			    (long long)INT64_MAX);
		r->ratio_points = it->ratio_points;
		r->ratio_cash = it->ratio_cash;
		if (it->ratio_points && points_report__cash_value(r->net,
		    it->ratio_points, it->ratio_cash, &r->cash, &r->cash_rem))
			return points_db__err(db, POINTS_ELIMIT, "settlement of "
			    "%s: the cash value of %s's %lld points passes "
			    "%lld", code, a.external_id, (long long)r->net,
			    (long long)INT64_MAX);
	}
	return POINTS_OK;
}

static int
settle_fill(points_iter *base)
{
	struct points_settlement_iterator *it = (void *)base;
	points_db *db = base->db;
	points_asset_rec a;
	points_cash_ratio ratio;
	int rc;

	if (!it->computed) {
		if ((rc = points_asset__find(db, it->code, &a)))
			return rc;
		if (!it->ratio_points) {
			if ((rc = points_mall__cash_ratio(db, a.a.code, &ratio)))
				return rc;
			it->ratio_points = ratio.points;
			it->ratio_cash = ratio.cash;
		}
		it->n = 0;
		it->overflow = 0;
		if ((rc = points_report__entries(db, a.id, it->from, it->to,
		    visit, it)))
			return rc;
		if (it->overflow)
			return points_db__err(db, POINTS_ELIMIT, "settlement of "
			    "%s: a sum passes %lld", a.a.code,
			    (long long)INT64_MAX);
		if ((rc = finish_rows(db, it, a.a.code)))
			return rc;
		it->computed = 1;
	}
	while (base->n < POINTS_ITER_CHUNK && it->pos < it->n)
		it->buf[base->n++] = it->rows[it->pos++];
	base->done = it->pos >= it->n;
	return POINTS_OK;
}

static void
settle_fini(points_iter *base)
{
	struct points_settlement_iterator *it = (void *)base;

	points_alloc__free(it->rows);
}

POINTS_EXTERN int
points_settlement_iterator_new(points_db *db, const char *asset,
    int64_t from, int64_t to, int64_t ratio_points, int64_t ratio_cash,
    points_settlement_iterator **out)
{
	points_iter *base = NULL;
	struct points_settlement_iterator *it;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__check_str(db, "asset", asset, POINTS_ASSET_MAX,
	    1)))
		return rc;
	if (from < 0 || to < 0 || (to && to <= from))
		return points_db__err(db, POINTS_EINVAL, "settlement: bad time "
		    "range: from %lld, to %lld", (long long)from,
		    (long long)to);
	if ((ratio_points || ratio_cash) &&
	    (ratio_points < 1 || ratio_points > POINTS_CASH_RATIO_MAX ||
	    ratio_cash < 1 || ratio_cash > POINTS_CASH_RATIO_MAX))
		return points_db__err(db, POINTS_EINVAL, "settlement: ratio "
		    "%lld points to %lld cash (each 1 to %d, or both 0 for the "
		    "asset's)", (long long)ratio_points, (long long)ratio_cash,
		    POINTS_CASH_RATIO_MAX);
	if ((rc = points_iter__new(db, &settle_iter_type, sizeof(*it),
	    &base)))
		return rc;
	it = (void *)base;
	it->from = from;
	it->to = to;
	it->ratio_points = ratio_points;
	it->ratio_cash = ratio_cash;
	strcpy(it->code, asset);
	*out = it;
	return POINTS_OK;
}

POINTS_EXTERN int
points_settlement_next(points_settlement_iterator *it, points_settlement *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &settle_iter_type,
	    out);

	if (rc != POINTS_OK)
		return rc;
	*out = it->buf[it->base.i++];
	return POINTS_OK;
}

POINTS_EXTERN void
points_settlement_iterator_free(points_settlement_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
