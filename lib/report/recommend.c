/* recommend.c - items to suggest to an account (points/report.h).
 *
 * The affordable items come from the catalogue's query (browse.c).  The
 * others from the orders, read once: a catalogue is small (hundreds of
 * items), so the scores are kept in an array searched by SKU. */
#include <stdlib.h>
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "core/account.h"
#include "core/db.h"
#include "core/iter.h"
#include "mall/item.h"
#include "mall/window.h"

struct score {
	char sku[POINTS_SKU_MAX + 1];
	int64_t score;
};

/* Accounts by id, each with a mark: 1 in the account's group, 2 not
 * (DEPARTMENT, TIER), or 1 a co-orderer (ALSO_REDEEMED). */
#define SEEN_SLOTS 4096

struct points_recommendation_iterator {
	points_iter base;
	int64_t account, limit;
	int kind;
	size_t pos;
	int computed;
	points_account me;
	/* the skus the account ordered */
	struct score *mine;
	size_t nmine, mine_cap;
	struct score *s;
	size_t n, cap;
	/* ALSO_REDEEMED: (account, sku) pairs of the co-orderers */
	struct pair { int64_t account; char sku[POINTS_SKU_MAX + 1]; } *pairs;
	size_t npairs, pairs_cap;
	int64_t seen_id[SEEN_SLOTS];
	int seen_mark[SEEN_SLOTS];
	points_recommendation *rows;
	size_t nrows;
	points_recommendation buf[POINTS_ITER_CHUNK];
};

static int rec_fill(points_iter *base);
static void rec_fini(points_iter *base);
static const points_iter_type rec_iter_type = POINTS_ITER_TYPE(
    "recommendation iterator", struct points_recommendation_iterator, pos,
    rec_fill, rec_fini);

static int
oom(points_db *db)
{
	return points_db__err(db, POINTS_ENOMEM, "out of memory");
}

/* Room for one more of n items of size in *v (capacity *cap). */
static int
room(points_db *db, void **v, size_t n, size_t *cap, size_t size)
{
	void *p;
	size_t c;

	if (n < *cap)
		return POINTS_OK;
	c = *cap ? *cap * 2 : 16;
	if (!(p = points_alloc__realloc(*v, c * size)))
		return oom(db);
	*v = p;
	*cap = c;
	return POINTS_OK;
}

/* Add v to sku's score in list (made when new). */
static int
add_score(points_db *db, struct score **list, size_t *n, size_t *cap,
    const char *sku, int64_t v)
{
	size_t i;
	int rc;

	for (i = 0; i < *n; i++)
		if (strcmp((*list)[i].sku, sku) == 0) {
			(*list)[i].score += v;
			return POINTS_OK;
		}
	if ((rc = room(db, (void **)list, *n, cap, sizeof(**list))))
		return rc;
	strcpy((*list)[*n].sku, sku);
	(*list)[(*n)++].score = v;
	return POINTS_OK;
}

static int
is_mine(const struct points_recommendation_iterator *it, const char *sku)
{
	size_t i;

	for (i = 0; i < it->nmine; i++)
		if (strcmp(it->mine[i].sku, sku) == 0)
			return 1;
	return 0;
}

static int
counts(const points_order *o)
{
	return o->state != POINTS_ORDER_CANCELLED &&
	    o->state != POINTS_ORDER_RETURNED;
}

/* Whether account is in the account's department (tier): 1 or 0. */
static int
same_group(points_db *db, struct points_recommendation_iterator *it,
    int64_t account, int *out)
{
	size_t slot = (size_t)((uint64_t)account % SEEN_SLOTS);
	points_account a;
	int rc;

	if (it->seen_id[slot] != account || !it->seen_mark[slot]) {
		if ((rc = points_account__load(db, account, &a)))
			return rc;
		it->seen_id[slot] = account;
		it->seen_mark[slot] = strcmp(
		    it->kind == POINTS_RECOMMEND_TIER ? a.tier : a.department,
		    it->kind == POINTS_RECOMMEND_TIER ? it->me.tier :
		    it->me.department) == 0 ? 1 : 2;
	}
	*out = it->seen_mark[slot] == 1;
	return POINTS_OK;
}

/* First pass: the skus the account ordered. */
static int
collect_mine(points_db *db, const points_order *o, void *arg)
{
	struct points_recommendation_iterator *it = arg;

	if (o->account != it->account || !counts(o))
		return POINTS_OK;
	return add_score(db, &it->mine, &it->nmine, &it->mine_cap, o->sku, 1);
}

/* DEPARTMENT, TIER: the group's other accounts' units. */
static int
collect_group(points_db *db, const points_order *o, void *arg)
{
	struct points_recommendation_iterator *it = arg;
	int same, rc;

	if (o->account == it->account || !counts(o) || is_mine(it, o->sku))
		return POINTS_OK;
	if ((rc = same_group(db, it, o->account, &same)) || !same)
		return rc;
	return add_score(db, &it->s, &it->n, &it->cap, o->sku, o->quantity);
}

/* ALSO_REDEEMED: every other account's (account, sku) pairs. */
static int
collect_pairs(points_db *db, const points_order *o, void *arg)
{
	struct points_recommendation_iterator *it = arg;
	int rc;

	if (o->account == it->account || !counts(o))
		return POINTS_OK;
	if ((rc = room(db, (void **)&it->pairs, it->npairs, &it->pairs_cap,
	    sizeof(*it->pairs))))
		return rc;
	it->pairs[it->npairs].account = o->account;
	strcpy(it->pairs[it->npairs++].sku, o->sku);
	return POINTS_OK;
}

static int
pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->account != y->account)
		return x->account < y->account ? -1 : 1;
	return strcmp(x->sku, y->sku);
}

/* The co-orderers: accounts with a pair of one of the account's skus;
 * each counts once for each other sku it ordered. */
static int
score_pairs(points_db *db, struct points_recommendation_iterator *it)
{
	size_t i, j, k;
	int rc;

	/* rows may be NULL when there are none: qsort must not see it */
	if (it->npairs)
		qsort(it->pairs, it->npairs, sizeof(*it->pairs), pair_cmp);
	for (i = 0; i < it->npairs; i = j) {
		int co = 0;

		for (j = i; j < it->npairs &&
		    it->pairs[j].account == it->pairs[i].account; j++)
			co |= is_mine(it, it->pairs[j].sku);
		if (!co)
			continue;
		for (k = i; k < j; k++) {
			if (is_mine(it, it->pairs[k].sku) ||
			    (k > i && strcmp(it->pairs[k].sku,
			    it->pairs[k - 1].sku) == 0))
				continue;
			if ((rc = add_score(db, &it->s, &it->n, &it->cap,
			    it->pairs[k].sku, 1)))
				return rc;
		}
	}
	return POINTS_OK;
}

static int
score_cmp(const void *a, const void *b)
{
	const points_recommendation *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp(x->sku, y->sku);
}

/* The rows of the scored skus still listed, ranked. */
static int
rank_scores(points_db *db, struct points_recommendation_iterator *it)
{
	size_t i;
	int rc;

	if (!(it->rows = points_alloc__malloc((it->n + 1) *
	    sizeof(*it->rows))))
		return oom(db);
	it->nrows = 0;
	for (i = 0; i < it->n; i++) {
		points_recommendation *r = &it->rows[it->nrows];
		points_item_rec item;

		rc = points_item__load(db, it->s[i].sku, &item);
		if (rc == POINTS_ENOTFOUND) {
			points_db__clear_err(db);
			continue;
		}
		if (rc)
			return rc;
		if (!item.it.listed)
			continue;
		memset(r, 0, sizeof(*r));
		strcpy(r->sku, item.it.sku);
		strcpy(r->name, item.it.name);
		strcpy(r->asset, item.it.asset);
		r->price = points_item__price_at(&item, it->me.tier,
		    points_db__time(db, 0));
		r->score = it->s[i].score;
		it->nrows++;
	}
	/* rows may be NULL when there are none: qsort must not see it */
	if (it->nrows)
		qsort(it->rows, it->nrows, sizeof(*it->rows), score_cmp);
	return POINTS_OK;
}

static int
affordable(points_db *db, struct points_recommendation_iterator *it)
{
	points_item__query q;
	points_item__hit *hits = NULL;
	size_t n = 0, i;
	int rc;

	memset(&q, 0, sizeof(q));
	q.flags = POINTS_ITEMS_LISTED | POINTS_ITEMS_IN_STOCK |
	    POINTS_ITEMS_AFFORDABLE;
	q.account = it->account;
	q.sort = POINTS_ITEMS_BY_POPULARITY;
	if ((rc = points_item__browse(db, &q, &hits, &n)))
		return rc;
	if (!(it->rows = points_alloc__malloc((n + 1) * sizeof(*it->rows)))) {
		points_alloc__free(hits);
		return oom(db);
	}
	for (i = 0; i < n; i++) {
		points_recommendation *r = &it->rows[i];

		memset(r, 0, sizeof(*r));
		strcpy(r->sku, hits[i].it.sku);
		strcpy(r->name, hits[i].it.name);
		strcpy(r->asset, hits[i].it.asset);
		r->price = hits[i].price;
		r->score = hits[i].it.units;
	}
	it->nrows = n;
	points_alloc__free(hits);
	return POINTS_OK;
}

static void
rec_reset(struct points_recommendation_iterator *it)
{
	points_alloc__free(it->mine);
	points_alloc__free(it->s);
	points_alloc__free(it->pairs);
	points_alloc__free(it->rows);
	it->mine = it->s = NULL;
	it->pairs = NULL;
	it->rows = NULL;
	it->nmine = it->mine_cap = it->n = it->cap = 0;
	it->npairs = it->pairs_cap = it->nrows = 0;
	memset(it->seen_mark, 0, sizeof(it->seen_mark));
}

static int
compute(points_db *db, struct points_recommendation_iterator *it)
{
	const char *group;
	int rc;

	if ((rc = points_account__load(db, it->account, &it->me)))
		return rc;
	if (it->kind == POINTS_RECOMMEND_AFFORDABLE)
		return affordable(db, it);
	if ((rc = points_order__each(db, collect_mine, it)))
		return rc;
	if (it->kind == POINTS_RECOMMEND_ALSO_REDEEMED) {
		if (it->nmine && ((rc = points_order__each(db, collect_pairs,
		    it)) || (rc = score_pairs(db, it))))
			return rc;
	} else {
		group = it->kind == POINTS_RECOMMEND_TIER ? it->me.tier :
		    it->me.department;
		if (group[0] && (rc = points_order__each(db, collect_group,
		    it)))
			return rc;
	}
	return rank_scores(db, it);
}

static int
rec_fill(points_iter *base)
{
	struct points_recommendation_iterator *it = (void *)base;
	points_db *db = base->db;
	size_t total;
	int rc;

	if (!it->computed) {
		rec_reset(it);
		if ((rc = compute(db, it)))
			return rc;
		it->computed = 1;
	}
	total = it->limit && (size_t)it->limit < it->nrows ?
	    (size_t)it->limit : it->nrows;
	while (base->n < POINTS_ITER_CHUNK && it->pos < total) {
		it->buf[base->n] = it->rows[it->pos++];
		it->buf[base->n++].rank = (int64_t)it->pos;
	}
	base->done = it->pos >= total;
	return POINTS_OK;
}

static void
rec_fini(points_iter *base)
{
	rec_reset((struct points_recommendation_iterator *)(void *)base);
}

POINTS_EXTERN int
points_recommendation_iterator_new(points_db *db, int64_t account, int kind,
    int64_t n, points_recommendation_iterator **out)
{
	points_iter *base = NULL;
	struct points_recommendation_iterator *it;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if (kind < POINTS_RECOMMEND_AFFORDABLE ||
	    kind > POINTS_RECOMMEND_ALSO_REDEEMED)
		return points_db__err(db, POINTS_EINVAL, "recommendations: "
		    "unknown kind %d", kind);
	if (n < 0)
		return points_db__err(db, POINTS_EINVAL, "recommendations: "
		    "top %lld (0: all)", (long long)n);
	if ((rc = points_iter__new(db, &rec_iter_type, sizeof(*it), &base)))
		return rc;
	it = (void *)base;
	it->account = account;
	it->kind = kind;
	it->limit = n;
	*out = it;
	return POINTS_OK;
}

POINTS_EXTERN int
points_recommendation_next(points_recommendation_iterator *it,
    points_recommendation *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &rec_iter_type, out);

	if (rc != POINTS_OK)
		return rc;
	*out = it->buf[it->base.i++];
	return POINTS_OK;
}

POINTS_EXTERN void
points_recommendation_iterator_free(points_recommendation_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
