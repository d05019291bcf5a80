/* bundle.c - bundles (bundle.h, points/mall.h): items sold together at
 * one price.  A bundle is an item whose record lists up to
 * POINTS_BUNDLE_PARTS_MAX components (item.h), each an item and its
 * units in a unit of the bundle; setting one is a change of the
 * bundle's kept in its history (POINTS_ITEM_CHANGED_BUNDLE).  An order
 * of a bundle takes its components' units from their stocks besides
 * the bundle's own, and keeps what it took (mallorderpart), which a
 * cancel or a return gives back: a bundle changed after the order
 * leaves the order's components as they were.
 *
 * Bundles do not nest: a bundle is refused as a component, and a
 * component of a bundle as a bundle (its first component refused); an
 * order of a bundle whose component is a bundle all the same is
 * refused.  A component has no code pool (its stock would no longer
 * count its codes: codes.h). */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "core/db.h"
#include "core/iter.h"
#include "core/module.h"
#include "mall/bundle.h"
#include "mall/codes.h"
#include "mall/item.h"

#define BUNDLE_FORMAT 1
#define PARTS_V1 1

static points_ksdef parts_ks = { "mallorderpart", 0, 0 };
static points_ksdef *const keyspaces[] = { &parts_ks, NULL };
static points_module bundle_module = {
	.name = "mall_bundle",
	.format = BUNDLE_FORMAT,
	.keyspaces = keyspaces,
};
POINTS_MODULE(bundle_module)

/* What an order took: its components, each's units in a unit of the
 * bundle and the units taken. */
typedef struct order_parts {
	int64_t n;
	char sku[POINTS_BUNDLE_PARTS_MAX][POINTS_SKU_MAX + 1];
	int64_t per[POINTS_BUNDLE_PARTS_MAX];
	int64_t units[POINTS_BUNDLE_PARTS_MAX];
} order_parts;

/* *p: order id's components; p->n 0 for an order that took none. */
static int
parts_load(points_db *db, const unsigned char id[POINTS_UUID_LEN],
    order_parts *p)
{
	const void *v;
	size_t vl;
	points_rd rd;
	int64_t i;
	int rc;

	memset(p, 0, sizeof(*p));
	rc = points_db__get(db, &parts_ks, id, POINTS_UUID_LEN, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	points_rd__init(&rd, v, vl);
	if (points_rd__u8(&rd) != PARTS_V1)
		rd.err = POINTS_ECORRUPT;
	p->n = (int64_t)points_rd__uvar(&rd);
	if (p->n < 1 || p->n > POINTS_BUNDLE_PARTS_MAX)
		rd.err = POINTS_ECORRUPT;
	for (i = 0; !rd.err && i < p->n; i++) {
		points_rd__str(&rd, p->sku[i], sizeof(p->sku[i]));
		p->per[i] = points_rd__svar(&rd);
		p->units[i] = points_rd__svar(&rd);
		if (!p->sku[i][0] || p->per[i] <= 0 || p->units[i] <= 0)
			rd.err = POINTS_ECORRUPT;
	}
	if (rd.err)
		return points_db__err(db, POINTS_ECORRUPT, "an order's bundle "
		    "components: record unreadable");
	return POINTS_OK;
}

/* The units of component i that quantity units of r need. */
static int
need_of(points_db *db, const points_item_rec *r, int64_t i,
    int64_t quantity, int64_t *out)
{
	if (quantity > INT64_MAX / r->part_qty[i])
		return points_db__err(db, POINTS_EOVERFLOW, "item '%s': %lld "
		    "bundles of %lld of '%s' overflow", r->it.sku,
		    (long long)quantity, (long long)r->part_qty[i],
		    r->part[i]);
	*out = quantity * r->part_qty[i];
	return POINTS_OK;
}

/* ---- What the orders do ---- */

int
points_bundle__check(points_db *db, const points_item_rec *r,
    int64_t quantity, const char *who)
{
	points_item_rec c;
	int64_t i, need = 0;
	int rc;

	for (i = 0; i < r->it.bundle_parts; i++) {
		if ((rc = need_of(db, r, i, quantity, &need)) ||
		    (rc = points_item__load(db, r->part[i], &c)))
			return rc;
		if (!c.it.listed)
			return points_db__err(db, POINTS_ESTATE, "item '%s': "
			    "its component '%s' is delisted: it cannot be "
			    "ordered", r->it.sku, r->part[i]);
		/* set_part keeps bundles from nesting; a ledger where one
		 * does all the same (made before that was refused) would
		 * take none of the inner bundle's components */
		if (c.it.bundle_parts)
			return points_db__err(db, POINTS_ESTATE, "item '%s': "
			    "its component '%s' is a bundle (bundles do not "
			    "nest): it cannot be ordered", r->it.sku,
			    r->part[i]);
		if (c.it.stock != POINTS_STOCK_UNLIMITED && c.it.stock < need)
			return points_db__err(db, POINTS_EOUTOFSTOCK, "item "
			    "'%s' is out of stock: its component '%s' has %lld "
			    "left, account %s asked for %lld", r->it.sku,
			    r->part[i], (long long)c.it.stock, who,
			    (long long)need);
	}
	return POINTS_OK;
}

int
points_bundle__take(points_db *db, const unsigned char id[POINTS_UUID_LEN],
    const points_item_rec *r, int64_t quantity)
{
	points_buf *b = &db->vbuf;
	points_item_rec c;
	int64_t i, need = 0;
	int rc;

	if (!r->it.bundle_parts)
		return POINTS_OK;
	for (i = 0; i < r->it.bundle_parts; i++)
		if ((rc = need_of(db, r, i, quantity, &need)) ||
		    (rc = points_item__load(db, r->part[i], &c)) ||
		    (rc = points_item__stock_move(db, &c, -need)) ||
		    (rc = points_item__store(db, &c)))
			return rc;
	points_buf__reset(b);
	points_buf__u8(b, PARTS_V1);
	points_buf__uvar(b, (uint64_t)r->it.bundle_parts);
	for (i = 0; i < r->it.bundle_parts; i++) {
		points_buf__str(b, r->part[i]);
		points_buf__svar(b, r->part_qty[i]);
		points_buf__svar(b, quantity * r->part_qty[i]);
	}
	if (b->err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	return points_db__put(db, &parts_ks, id, POINTS_UUID_LEN, b->data,
	    b->len);
}

int
points_bundle__give_back(points_db *db,
    const unsigned char id[POINTS_UUID_LEN], int restock)
{
	order_parts p;
	points_item_rec c;
	int64_t i;
	int rc;

	if (!restock)
		return POINTS_OK;
	if ((rc = parts_load(db, id, &p)))
		return rc;
	for (i = 0; i < p.n; i++) {
		if ((rc = points_item__load(db, p.sku[i], &c)))
			return rc;
		if (c.it.stock == POINTS_STOCK_UNLIMITED)
			continue;
		if (c.it.stock > INT64_MAX - p.units[i])
			return points_db__err(db, POINTS_EOVERFLOW, "item "
			    "'%s': stock would overflow", p.sku[i]);
		c.it.stock += p.units[i];
		if ((rc = points_item__store(db, &c)))
			return rc;
	}
	return POINTS_OK;
}

int
points_bundle__retake(points_db *db, const unsigned char id[POINTS_UUID_LEN],
    const char *text)
{
	order_parts p;
	points_item_rec c;
	int64_t i;
	int rc;

	if ((rc = parts_load(db, id, &p)))
		return rc;
	for (i = 0; i < p.n; i++) {
		if ((rc = points_item__load(db, p.sku[i], &c)))
			return rc;
		if (c.it.stock != POINTS_STOCK_UNLIMITED &&
		    c.it.stock < p.units[i])
			return points_db__err(db, POINTS_EOUTOFSTOCK, "order %s: "
			    "its component '%s' is out of stock: %lld left, "
			    "the replacement needs %lld", text, p.sku[i],
			    (long long)c.it.stock, (long long)p.units[i]);
		if ((rc = points_item__stock_move(db, &c, -p.units[i])) ||
		    (rc = points_item__store(db, &c)))
			return rc;
	}
	return POINTS_OK;
}

int
points_bundle__order_has(points_db *db,
    const unsigned char id[POINTS_UUID_LEN], int *out)
{
	order_parts p;
	int rc;

	if ((rc = parts_load(db, id, &p)) == POINTS_OK)
		*out = p.n > 0;
	return rc;
}

/* ---- Defining a bundle ---- */

typedef struct part_args {
	const char *part;
	int64_t quantity;
} part_args;

/* Item sku is to become a bundle: refused when it is a component of
 * one (bundles do not nest).  A walk of the catalogue, made only for an
 * item's first component. */
static int
check_not_component(points_db *db, const char *sku, const char *part)
{
	char bundle[POINTS_SKU_MAX + 1];
	int rc = points_item__bundle_of(db, sku, bundle);

	if (rc == 1)
		return points_db__err(db, POINTS_EINVAL, "item '%s' is a "
		    "component of bundle '%s': it cannot be a bundle itself "
		    "(component '%s'; bundles do not nest)", sku, bundle,
		    part);
	return rc;
}

static int
set_part(points_db *db, points_item_rec *r, const void *ctx,
    unsigned int *what)
{
	const part_args *a = ctx;
	points_item_rec c;
	int64_t i, n = r->it.bundle_parts, left;
	int has, rc;

	for (i = 0; i < n && strcmp(r->part[i], a->part); i++)
		;
	if (a->quantity == 0) {
		if (i == n)
			return points_db__err(db, POINTS_ENOTFOUND, "item '%s' "
			    "has no component '%s'", r->it.sku, a->part);
		for (; i + 1 < n; i++) {
			strcpy(r->part[i], r->part[i + 1]);
			r->part_qty[i] = r->part_qty[i + 1];
		}
		r->it.bundle_parts = n - 1;
	} else if (i < n) {
		if (r->part_qty[i] == a->quantity)
			return POINTS_OK; /* as it was: nothing written */
		r->part_qty[i] = a->quantity;
	} else {
		if ((rc = points_item__load(db, a->part, &c)))
			return rc;
		if (c.it.bundle_parts)
			return points_db__err(db, POINTS_EINVAL, "item '%s' is "
			    "a bundle: it cannot be a component of '%s' "
			    "(bundles do not nest)", a->part, r->it.sku);
		if ((rc = points_code__pool(db, a->part, &has, &left)))
			return rc;
		if (has)
			return points_db__err(db, POINTS_EINVAL, "item '%s' has "
			    "a code pool: it cannot be a component of '%s'",
			    a->part, r->it.sku);
		if (n == POINTS_BUNDLE_PARTS_MAX)
			return points_db__err(db, POINTS_ELIMIT, "item '%s' has "
			    "%d components already, the most a bundle has",
			    r->it.sku, POINTS_BUNDLE_PARTS_MAX);
		if (n == 0 && (rc = check_not_component(db, r->it.sku,
		    a->part)))
			return rc;
		strcpy(r->part[n], a->part);
		r->part_qty[n] = a->quantity;
		r->it.bundle_parts = n + 1;
	}
	r->log_part = a->part;
	r->log_part_qty = a->quantity;
	*what = POINTS_ITEM_CHANGED_BUNDLE;
	return POINTS_OK;
}

POINTS_EXTERN int
points_bundle_set_part(points_db *db, const char *sku, const char *part,
    int64_t quantity, const char *actor, const char *reason,
    points_item *out)
{
	part_args a = { part, quantity };
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if ((rc = points_item__check_sku(db, sku)) ||
	    (rc = points_item__check_sku(db, part)))
		return rc;
	if (strcmp(sku, part) == 0)
		return points_db__err(db, POINTS_EINVAL, "item '%s' cannot be "
		    "a component of itself", sku);
	if (quantity < 0)
		return points_db__err(db, POINTS_EINVAL, "item '%s': units of "
		    "component '%s' must not be negative (0 removes it; got "
		    "%lld)", sku, part, (long long)quantity);
	return points_item__modify(db, sku, set_part, &a, actor, reason,
	    out);
}

/* ---- Reading the components ---- */

struct points_bundle_part_iterator {
	points_iter base;
	int64_t next;  /* the next component's index */
	int order;     /* 1: an order's (id); 0: a bundle's (sku) */
	unsigned char id[POINTS_UUID_LEN];
	char sku[POINTS_SKU_MAX + 1];
	points_bundle_part buf[POINTS_BUNDLE_PARTS_MAX];
};

static int parts_fill(points_iter *base);
static const points_iter_type parts_type = POINTS_ITER_TYPE(
    "bundle part iterator", struct points_bundle_part_iterator, next,
    parts_fill, NULL);

static int
parts_fill(points_iter *base)
{
	struct points_bundle_part_iterator *it = (void *)base;
	points_db *db = base->db;
	points_item_rec r;
	order_parts p;
	int64_t i;
	int rc;

	if (it->order) {
		if ((rc = parts_load(db, it->id, &p)))
			return rc;
	} else {
		if ((rc = points_item__load(db, it->sku, &r)))
			return rc;
		p.n = r.it.bundle_parts;
		for (i = 0; i < p.n; i++) {
			strcpy(p.sku[i], r.part[i]);
			p.per[i] = r.part_qty[i];
			p.units[i] = 0;
		}
	}
	for (i = it->next; i < p.n; i++) {
		points_bundle_part *out = &it->buf[base->n];
		points_item_rec c;

		if ((rc = points_item__load(db, p.sku[i], &c)))
			return rc;
		memset(out, 0, sizeof(*out));
		strcpy(out->sku, p.sku[i]);
		out->quantity = p.per[i];
		out->units = p.units[i];
		out->stock = c.it.stock;
		base->n++;
	}
	it->next = p.n;
	base->done = 1;
	return POINTS_OK;
}

static int
parts_new(points_db *db, int order, const char *key,
    points_bundle_part_iterator **out)
{
	struct points_bundle_part_iterator *it;
	unsigned char id[POINTS_UUID_LEN];
	points_iter *base;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if (order) {
		if (!key)
			return points_db__err(db, POINTS_EINVAL, "order id is "
			    "required");
		if ((rc = points_db__uuid_parse(db, key, id)))
			return rc;
		/* the order must be there */
		{
			points_order o;

			if ((rc = points_order_get(db, key, &o)))
				return rc;
		}
	} else {
		points_item it0;

		if ((rc = points_item__check_sku(db, key)) ||
		    (rc = points_item_get(db, key, &it0)))
			return rc;
	}
	if ((rc = points_iter__new(db, &parts_type,
	    sizeof(struct points_bundle_part_iterator), &base)))
		return rc;
	it = (struct points_bundle_part_iterator *)(void *)base;
	it->order = order;
	if (order)
		memcpy(it->id, id, POINTS_UUID_LEN);
	else
		strcpy(it->sku, key);
	*out = it;
	return POINTS_OK;
}

POINTS_EXTERN int
points_bundle_part_iterator_new(points_db *db, const char *sku,
    points_bundle_part_iterator **out)
{
	return parts_new(db, 0, sku, out);
}

POINTS_EXTERN int
points_order_part_iterator_new(points_db *db, const char *order_id,
    points_bundle_part_iterator **out)
{
	return parts_new(db, 1, order_id, out);
}

POINTS_EXTERN int
points_bundle_part_next(points_bundle_part_iterator *it,
    points_bundle_part *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &parts_type, out);

	if (rc == POINTS_OK)
		*out = it->buf[it->base.i++];
	return rc;
}

POINTS_EXTERN void
points_bundle_part_iterator_free(points_bundle_part_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
