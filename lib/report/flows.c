/* flows.c - points issued and redeemed per period: by category, rule,
 * item, department; the redemption rate and the most popular items
 * (points/report.h).
 *
 * The entries of the range come from the ledger's time index
 * (period.h).  What an entry adds goes to a row per (period, key), kept
 * sorted in memory: the first step works the whole report out in its
 * read transaction, the steps then hand the rows out. */
#include <stdlib.h>
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "util/codec.h"
#include "util/ids.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/db.h"
#include "core/iter.h"
#include "core/party.h"
#include "ledger/entry.h"
#include "ledger/meta.h"
#include "ledger/reversal.h"
#include "mall/item.h"
#include "mall/window.h"
#include "rules/event.h"
#include "report/period.h"

struct points_report_iterator {
	points_iter base;
	int kind, period;
	int64_t from, to, limit;
	char code[POINTS_ASSET_MAX + 1];
	size_t pos;      /* rows handed out */
	int computed;
	points_report_row *rows; /* sorted by period, then key */
	size_t n, cap;
	int overflow;
	points_report__users users;
	points_report_row buf[POINTS_ITER_CHUNK];
};

static int report_fill(points_iter *base);
static void report_fini(points_iter *base);
static const points_iter_type report_iter_type = POINTS_ITER_TYPE(
    "report iterator", struct points_report_iterator, pos, report_fill,
    report_fini);

static int
row_cmp(int64_t period, const char *key, const points_report_row *r)
{
	if (period != r->period)
		return period < r->period ? -1 : 1;
	return strcmp(key, r->key);
}

/* Add to the row (period, key), made when new. */
static int
add(points_db *db, struct points_report_iterator *it, int64_t period,
    const char *key, int64_t points, int64_t count, int64_t issued)
{
	size_t lo = 0, hi = it->n;
	points_report_row *r;
	int c = 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		c = row_cmp(period, key, &it->rows[mid]);
		if (c == 0) {
			lo = mid;
			break;
		}
		if (c > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (c != 0) {
		if (it->n == it->cap) {
			size_t cap = it->cap ? it->cap * 2 : 32;

			if (!(r = points_alloc__realloc(it->rows,
			    cap * sizeof(*r))))
				return points_db__err(db, POINTS_ENOMEM,
				    "out of memory");
			it->rows = r;
			it->cap = cap;
		}
		memmove(&it->rows[lo + 1], &it->rows[lo],
		    (it->n - lo) * sizeof(*r));
		it->n++;
		r = &it->rows[lo];
		memset(r, 0, sizeof(*r));
		r->period = period;
		strcpy(r->key, key);
		strcpy(r->asset, it->code);
	}
	r = &it->rows[lo];
	if (points_codec__add(&r->points, points) ||
	    points_codec__add(&r->count, count) ||
	    points_codec__add(&r->issued, issued))
		it->overflow = 1;
	return POINTS_OK;
}

/* What an entry counts for: its class and the keys it is counted under
 * (of the entry itself, or of the one a reversal reverses). */
enum { NONE, ISSUED, REDEEMED };

/* The rules' parts of an award posting, in the event's order. */
#define MAX_RULES 64
struct parts {
	size_t n;
	int64_t points[MAX_RULES];
	char rule[MAX_RULES][POINTS_RULE_NAME_MAX + 1];
};

static int
rule_part(const char *rule, int64_t points, void *arg)
{
	struct parts *p = arg;

	if (p->n == MAX_RULES)
		return POINTS_ELIMIT;
	strcpy(p->rule[p->n], rule);
	p->points[p->n++] = points;
	return POINTS_OK;
}

/* Count amount of earn e (sign 1), or of a reversal of it (-1), under
 * the rules that paid it: the event log's parts; a reversal takes from
 * the last rule's part first, as a reversal returns the last lots
 * first, past what the reversals before it (before) took.  What no rule
 * accounts for goes under "". */
static int
by_rule(points_db *db, struct points_report_iterator *it, int64_t period,
    const points_entry_rec *e, int64_t amount, int sign, int64_t before)
{
	struct parts p;
	char txn[POINTS_ID_LEN + 1];
	int64_t left = amount, part, skip;
	size_t i;
	int rc;

	p.n = 0;
	points_ids__format(e->txid, txn);
	rc = points_event__awards_of(db, e->memo, txn, rule_part, &p);
	if (rc == POINTS_ENOTFOUND || rc == POINTS_ELIMIT)
		p.n = 0;
	else if (rc)
		return rc;
	if (sign > 0) {
		for (i = 0; i < p.n && left > 0; i++) {
			part = p.points[i] < left ? p.points[i] : left;
			if ((rc = add(db, it, period, p.rule[i], part, 1, 0)))
				return rc;
			left -= part;
		}
		return left ? add(db, it, period, "", left, p.n ? 0 : 1, 0) :
		    POINTS_OK;
	}
	for (i = p.n; i > 0 && left > 0; i--) {
		part = p.points[i - 1];
		skip = before < part ? before : part;
		before -= skip;
		if ((part -= skip) == 0)
			continue;
		if (part > left)
			part = left;
		if ((rc = add(db, it, period, p.rule[i - 1], -part, 0, 0)))
			return rc;
		left -= part;
	}
	return left ? add(db, it, period, "", -left, 0, 0) : POINTS_OK;
}

/* The department of account when e was posted ("": none). */
static int
department(points_db *db, const points_entry_rec *e, int64_t account,
    char out[POINTS_DEPT_MAX + 1])
{
	char tier[POINTS_TIER_MAX + 1];
	uint32_t party;
	int rc;

	out[0] = 0;
	if ((rc = points_meta__party(db, e, account, &party)))
		return rc;
	return party ? points_party__load(db, party, out, tier) : POINTS_OK;
}

/* The item key of redemption e: the order's SKU and its item's
 * category, when e captures a mall order's hold ("" else); *units the
 * order's. */
static int
order_keys(points_db *db, const points_entry_rec *e,
    char sku[POINTS_SKU_MAX + 1], char category[POINTS_ITEM_CATEGORY_MAX + 1],
    int64_t *units)
{
	points_entry_rec hold;
	points_order o;
	points_item_rec item;
	int rc;

	sku[0] = category[0] = 0;
	*units = 1;
	if (e->type != POINTS_TXN_CAPTURE)
		return POINTS_OK;
	points_entry__init(&hold, 0, 0, 0);
	rc = points_entry__load(db, e->ref_seq, &hold);
	if (rc == POINTS_OK)
		rc = points_order__of_hold(db, hold.txid, &o);
	points_entry__free(&hold);
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	strcpy(sku, o.sku);
	*units = o.quantity;
	rc = points_item__load(db, o.sku, &item);
	if (rc == POINTS_ENOTFOUND) {
		points_db__clear_err(db);
		return POINTS_OK;
	}
	if (rc == POINTS_OK)
		strcpy(category, item.it.category);
	return rc;
}

/* Count entry e (taken at its credited account's key). */
static int
count_entry(points_db *db, struct points_report_iterator *it,
    const points_entry_rec *e)
{
	points_entry_rec orig;
	const points_entry_rec *src = e; /* whose keys count */
	char cat[POINTS_CATEGORY_MAX + 1], actor[POINTS_ACTOR_MAX + 1];
	char dept[POINTS_DEPT_MAX + 1], sku[POINTS_SKU_MAX + 1];
	char icat[POINTS_ITEM_CATEGORY_MAX + 1];
	int64_t period = points_report__period(db, it->period, it->from, e->time), amount = e->amount;
	int64_t user, units;
	int sign = 1, cls = NONE, user_side, rc;

	points_entry__init(&orig, 0, 0, 0);
	if (e->type == POINTS_TXN_REVERSAL) {
		if ((rc = points_entry__load(db, e->ref_seq, &orig)))
			goto out;
		src = &orig;
		sign = -1;
	}
	if (src->type == POINTS_TXN_EARN) {
		user = src->to;
		cls = ISSUED;
	} else if (src->type == POINTS_TXN_SPEND ||
	    src->type == POINTS_TXN_CAPTURE) {
		user = src->from;
		cls = REDEEMED;
	} else {
		rc = POINTS_OK;
		goto out;
	}
	if ((rc = points_report__is_user(db, &it->users, user, &user_side)) ||
	    !user_side)
		goto out;
	if (sign < 0)
		amount = -amount;
	switch (it->kind) {
	case POINTS_REPORT_ISSUED_BY_CATEGORY:
		if (cls != ISSUED)
			break;
		points_entry__meta(src, cat, actor);
		rc = add(db, it, period, cat, amount, sign > 0, 0);
		break;
	case POINTS_REPORT_ISSUED_BY_RULE: {
		int64_t before = 0;

		if (cls == ISSUED && (sign > 0 ||
		    (rc = points_reversal__before(db, e, &before)) == POINTS_OK))
			rc = by_rule(db, it, period, src, sign * amount, sign,
			    before);
		break;
	}
	case POINTS_REPORT_REDEEMED_BY_ITEM:
	case POINTS_REPORT_POPULAR_ITEMS:
	case POINTS_REPORT_REDEEMED_BY_CATEGORY:
		if (cls != REDEEMED)
			break;
		if ((rc = order_keys(db, src, sku, icat, &units)))
			break;
		if (it->kind == POINTS_REPORT_REDEEMED_BY_CATEGORY) {
			if (!sku[0]) {
				points_entry__meta(src, cat, actor);
				strcpy(icat, cat);
			}
			rc = add(db, it, period, icat, amount, sign > 0, 0);
		} else if (sku[0] || it->kind == POINTS_REPORT_REDEEMED_BY_ITEM)
			rc = add(db, it, period, sku, amount,
			    sign > 0 ? units : 0, 0);
		break;
	case POINTS_REPORT_REDEMPTION_RATE:
		if ((rc = department(db, src, user, dept)))
			break;
		if (cls == ISSUED)
			rc = add(db, it, period, "", 0, 0, amount);
		else
			rc = add(db, it, period, "", amount, sign > 0, 0);
		if (rc == POINTS_OK && dept[0])
			rc = cls == ISSUED ?
			    add(db, it, period, dept, 0, 0, amount) :
			    add(db, it, period, dept, amount, sign > 0, 0);
		break;
	}
out:
	points_entry__free(&orig);
	return rc;
}

static int
visit(points_db *db, const points_entry_rec *e, void *arg)
{
	return count_entry(db, arg, e);
}

/* Popular items: by period, units (most first), points (most first),
 * SKU. */
static int
popular_cmp(const void *a, const void *b)
{
	const points_report_row *x = a, *y = b;

	if (x->period != y->period)
		return x->period < y->period ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->points != y->points)
		return x->points > y->points ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Keep the limit first rows of each period (0: all). */
static void
keep_popular(struct points_report_iterator *it)
{
	size_t i, out = 0, in_period = 0;

	/* rows may be NULL when there are none: qsort must not see it */
	if (it->n)
		qsort(it->rows, it->n, sizeof(*it->rows), popular_cmp);
	for (i = 0; i < it->n; i++) {
		if (i == 0 || it->rows[i].period != it->rows[i - 1].period)
			in_period = 0;
		if (it->limit && in_period >= (size_t)it->limit)
			continue;
		in_period++;
		it->rows[out++] = it->rows[i];
	}
	it->n = out;
}

static int
report_fill(points_iter *base)
{
	struct points_report_iterator *it = (void *)base;
	points_db *db = base->db;
	points_asset_rec a;
	int rc;

	if (!it->computed) {
		if ((rc = points_asset__find(db, it->code, &a)))
			return rc;
		it->n = 0;
		it->overflow = 0;
		if ((rc = points_report__entries(db, a.id, it->from, it->to,
		    visit, it)))
			return rc;
		if (it->overflow)
			return points_db__err(db, POINTS_ELIMIT, "report of %s: "
			    "a sum passes %lld", a.a.code,
			    (long long)INT64_MAX);
		if (it->kind == POINTS_REPORT_POPULAR_ITEMS)
			keep_popular(it);
		it->computed = 1;
	}
	while (base->n < POINTS_ITER_CHUNK && it->pos < it->n)
		it->buf[base->n++] = it->rows[it->pos++];
	base->done = it->pos >= it->n;
	return POINTS_OK;
}

static void
report_fini(points_iter *base)
{
	struct points_report_iterator *it = (void *)base;

	points_alloc__free(it->rows);
}

POINTS_EXTERN int
points_report_iterator_new(points_db *db, int kind, const char *asset,
    int64_t from, int64_t to, int period, int64_t limit,
    points_report_iterator **out)
{
	points_iter *base = NULL;
	struct points_report_iterator *it;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if (kind < POINTS_REPORT_ISSUED_BY_CATEGORY ||
	    kind > POINTS_REPORT_POPULAR_ITEMS)
		return points_db__err(db, POINTS_EINVAL, "report: unknown "
		    "kind %d", kind);
	if ((rc = points_db__check_str(db, "asset", asset, POINTS_ASSET_MAX,
	    1)))
		return rc;
	if (from < 0 || to < 0 || (to && to <= from))
		return points_db__err(db, POINTS_EINVAL, "report: bad time "
		    "range: from %lld, to %lld", (long long)from,
		    (long long)to);
	if (period < POINTS_PERIOD_ALL || period > POINTS_PERIOD_YEAR)
		return points_db__err(db, POINTS_EINVAL, "report: unknown "
		    "period %d", period);
	if (limit < 0 || (limit && kind != POINTS_REPORT_POPULAR_ITEMS))
		return points_db__err(db, POINTS_EINVAL, "report: limit %lld "
		    "(only the popular items take one, 0 or more)",
		    (long long)limit);
	if ((rc = points_iter__new(db, &report_iter_type, sizeof(*it),
	    &base)))
		return rc;
	it = (void *)base;
	it->kind = kind;
	it->period = period;
	it->from = from;
	it->to = to;
	it->limit = limit;
	strcpy(it->code, asset);
	*out = it;
	return POINTS_OK;
}

POINTS_EXTERN int
points_report_next(points_report_iterator *it, points_report_row *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &report_iter_type,
	    out);

	if (rc != POINTS_OK)
		return rc;
	*out = it->buf[it->base.i++];
	return POINTS_OK;
}

POINTS_EXTERN void
points_report_iterator_free(points_report_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
