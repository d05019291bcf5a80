/* item.h - the catalogue's items (points/mall.h): their records, for the
 * orders that sell them.
 *
 * Stored (each keyspace its own):
 *   mallitem     SKU -> the item: its fields, tier prices, counters and,
 *                a bundle's, its components
 *   mallitemlog  SKU | 0 | n (be32) -> its nth change (the history) */
#ifndef POINTS_MALL_ITEM_H
#define POINTS_MALL_ITEM_H

#include <stdint.h>

#include "points.h"
#include "core/db.h"

typedef struct points_item_rec {
	points_item it;
	char tier[POINTS_ITEM_TIER_PRICES][POINTS_TIER_MAX + 1];
	int64_t tier_price[POINTS_ITEM_TIER_PRICES];
	/* a bundle's components (it.bundle_parts of them, bundle.c): SKU
	 * and units in a unit of the bundle */
	char part[POINTS_BUNDLE_PARTS_MAX][POINTS_SKU_MAX + 1];
	int64_t part_qty[POINTS_BUNDLE_PARTS_MAX];
	/* not stored: the component a POINTS_ITEM_CHANGED_BUNDLE change
	 * set, for its history (points_item__modify's fn sets them) */
	const char *log_part;
	int64_t log_part_qty;
} points_item_rec;

/* A SKU: 1-64 of [A-Za-z0-9_.-]; else POINTS_EINVAL with a message. */
int points_item__check_sku(points_db *db, const char *sku);
/* Item sku, inside a transaction; POINTS_ENOTFOUND with a message. */
int points_item__load(points_db *db, const char *sku, points_item_rec *out);
int points_item__store(points_db *db, const points_item_rec *r);
/* Move r's stock by delta (nothing for an unlimited item), refusing to
 * go below 0 (POINTS_ELIMIT, naming the units left); when the stock
 * falls to the low-stock threshold or below, or to 0, from above it,
 * the outbox says so.  r is stored by the caller. */
int points_item__stock_move(points_db *db, points_item_rec *r,
    int64_t delta);
/* Record a change of r's stock made outside the catalogue calls (a
 * code upload) in its history, with actor and reason (r->it.changes is
 * raised; r is stored by the caller). */
int points_item__log_stock(points_db *db, points_item_rec *r,
    const char *actor, const char *reason);
/* The price of a unit for an account of tier (NULL or "": none). */
int64_t points_item__price_of(const points_item_rec *r, const char *tier);
/* The price of a unit for an account of tier at time t: price_of's,
 * less r's flash discount when it is in force at t (price.c). */
int64_t points_item__price_at(const points_item_rec *r, const char *tier,
    int64_t t);
/* Change item sku in a write of its own: fn sets r's fields and *what,
 * the POINTS_ITEM_CHANGED_* bits of what it changed (0: nothing: no
 * history, nothing written); the change is kept in the history and r
 * stored.  Checks sku, actor (required), reason and out first. */
typedef int (*points_item__fn)(points_db *db, points_item_rec *r,
    const void *ctx, unsigned int *what);
int points_item__modify(points_db *db, const char *sku, points_item__fn fn,
    const void *ctx, const char *actor, const char *reason,
    points_item *out);
/* May an account of tier buy r?  POINTS_OK, or an error with a message
 * (POINTS_ENOTELIGIBLE: the tier table's rank of tier is below
 * min_tier's). */
int points_item__tier_allows(points_db *db, const points_item_rec *r,
    const char *tier);
/* tier_allows without a message: *ok 1 when an account of tier may buy
 * r, 0 when not; an error only when the tier table cannot be read. */
int points_item__tier_ok(points_db *db, const points_item_rec *r,
    const char *tier, int *ok);
/* Is category cat want or one of its sub-categories (want "": any)? */
int points_item__in_category(const char *cat, const char *want);
/* Call fn for every item, by SKU, inside a transaction; a non-zero
 * return of fn stops the walk and is returned. */
int points_item__each(points_db *db,
    int (*fn)(points_db *db, const points_item_rec *r, void *ctx),
    void *ctx);
/* 1 when item sku is a component of a bundle, that bundle's SKU then
 * in bundle; 0 when it is none's.  A walk of the catalogue. */
int points_item__bundle_of(points_db *db, const char *sku,
    char bundle[POINTS_SKU_MAX + 1]);

/* Would account a, whose balance of r's asset is b (points_balance_get's
 * now), pass points_order_place's checks of what it may pay for a unit
 * of r at time t: an account that may order (active, not a system
 * account), its tier allowed, the mall's minimum balance met and the
 * price in force for its tier (price_at) available?  With allow (NULL:
 * none), the account's balance of an allowance, the price as an order
 * naming that allowance splits it in pay order (POINTS_PAY_*).  *ok 1
 * or 0; an error only when a store read fails (price.c). */
int points_item__affordable(points_db *db, const points_item_rec *r,
    const points_account *a, const points_balance *b,
    const points_balance *allow, int pay_order, int64_t t, int *ok);

/* A catalogue query (points_item_query, checked), and an item it found
 * with the price it was filtered and sorted by. */
typedef struct points_item__query {
	char category[POINTS_ITEM_CATEGORY_MAX + 1];
	unsigned int flags;
	int64_t price_min, price_max;
	int64_t account;
	int sort;
	char allowance[POINTS_ASSET_MAX + 1]; /* "": none */
} points_item__query;
typedef struct points_item__hit {
	int64_t price;
	points_item it;
} points_item__hit;
/* The items of query q, filtered and sorted, inside a transaction:
 * *out (allocated, points_alloc__free it) holds *n of them (browse.c). */
int points_item__browse(points_db *db, const points_item__query *q,
    points_item__hit **out, size_t *n);

#endif
