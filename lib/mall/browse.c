/* browse.c - browsing the catalogue (points/mall.h): a query's items
 * filtered and sorted in memory.  A catalogue is small (thousands of
 * items), so a query reads every item once, in one transaction, keeps
 * those that pass, sorts them and hands them out from memory: no index
 * per sort order to keep up with every order and price change. */
#include <stdlib.h>
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "core/account.h"
#include "core/balance.h"
#include "core/db.h"
#include "mall/item.h"
#include "mall/window.h"

/* Balances of the query's account, one an asset, read once. */
#define BROWSE_ASSETS 8

typedef struct browse {
	const points_item__query *q;
	int64_t now;
	points_account a;
	int pay_order; /* the mall's, with an allowance */
	points_balance bal[BROWSE_ASSETS];
	size_t nbal;
	points_item__hit *hits;
	size_t n, cap;
} browse;

/* The account's balance of asset, read at its first item. */
static int
balance_of(points_db *db, browse *w, const char *asset, points_balance *out)
{
	size_t i;
	int rc;

	for (i = 0; i < w->nbal; i++)
		if (strcmp(w->bal[i].asset, asset) == 0) {
			*out = w->bal[i];
			return POINTS_OK;
		}
	if ((rc = points_balance__read(db, w->q->account, asset, out)))
		return rc;
	if (w->nbal < BROWSE_ASSETS)
		w->bal[w->nbal++] = *out;
	return POINTS_OK;
}

static int
visit(points_db *db, const points_item_rec *r, void *ctx)
{
	browse *w = ctx;
	const points_item__query *q = w->q;
	points_balance b, allow;
	int64_t price;
	int ok, rc;

	if (!points_item__in_category(r->it.category, q->category) ||
	    ((q->flags & POINTS_ITEMS_LISTED) && !r->it.listed) ||
	    ((q->flags & POINTS_ITEMS_IN_STOCK) && r->it.stock == 0))
		return POINTS_OK;
	/* the price in force now, as points_item_price_for has it */
	price = points_item__price_at(r, q->account ? w->a.tier : NULL,
	    w->now);
	if (price < q->price_min || (q->price_max && price > q->price_max))
		return POINTS_OK;
	if (q->flags & POINTS_ITEMS_AFFORDABLE) {
		if ((rc = balance_of(db, w, r->it.asset, &b)) ||
		    (q->allowance[0] && (rc = balance_of(db, w, q->allowance,
		    &allow))) ||
		    (rc = points_item__affordable(db, r, &w->a, &b,
		    q->allowance[0] ? &allow : NULL, w->pay_order, w->now,
		    &ok)))
			return rc;
		if (!ok)
			return POINTS_OK;
	}
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		points_item__hit *h = points_alloc__realloc(w->hits,
		    cap * sizeof(*h));

		if (!h)
			return points_db__err(db, POINTS_ENOMEM, "out of "
			    "memory");
		w->hits = h;
		w->cap = cap;
	}
	w->hits[w->n].price = price;
	w->hits[w->n].it = r->it;
	w->n++;
	return POINTS_OK;
}

static int
cmp_i64(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

#define BY(name, expr) \
	static int \
	name(const void *x, const void *y) \
	{ \
		const points_item__hit *a = x, *b = y; \
		int c = (expr); \
		\
		return c ? c : strcmp(a->it.sku, b->it.sku); \
	}
BY(by_sku, 0)
BY(by_popularity, cmp_i64(b->it.units, a->it.units))
BY(by_price, cmp_i64(a->price, b->price))
BY(by_price_desc, cmp_i64(b->price, a->price))
BY(by_newest, cmp_i64(b->it.created, a->it.created))
#undef BY

int
points_item__browse(points_db *db, const points_item__query *q,
    points_item__hit **out, size_t *n)
{
	static int (*const cmp[])(const void *, const void *) = {
		by_sku, by_popularity, by_price, by_price_desc, by_newest,
	};
	browse w;
	int rc;

	memset(&w, 0, sizeof(w));
	w.q = q;
	w.now = points_db__time(db, 0);
	if (q->account && (rc = points_account__load(db, q->account, &w.a)))
		return rc;
	if (q->allowance[0]) {
		points_mall_settings m;

		if ((rc = points_mall__settings(db, &m)))
			return rc;
		w.pay_order = m.pay_order;
	}
	if ((rc = points_item__each(db, visit, &w))) {
		points_alloc__free(w.hits);
		return rc;
	}
	/* read by SKU already */
	if (q->sort != POINTS_ITEMS_BY_SKU && w.n > 1)
		qsort(w.hits, w.n, sizeof(*w.hits), cmp[q->sort]);
	*out = w.hits;
	*n = w.n;
	return POINTS_OK;
}
