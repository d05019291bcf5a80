/*
 * points/mall.h - the points mall: a catalogue of items with stock,
 * prices and tier prices, every change kept as history.  Included by
 * points.h.
 */
#ifndef POINTS_INCLUDE_MALL_H
#define POINTS_INCLUDE_MALL_H

#include "points/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define POINTS_SKU_MAX 64            /* [A-Za-z0-9_.-], at least 1 */
#define POINTS_ITEM_NAME_MAX 128     /* UTF-8, at least 1 byte */
#define POINTS_ITEM_DESC_MAX 1024    /* UTF-8 */
#define POINTS_ITEM_URL_MAX 512      /* UTF-8 */
#define POINTS_ITEM_CATEGORY_MAX 128 /* "physical", "physical/kitchen":
                                      * names of [a-z0-9_.-] joined by '/' */
#define POINTS_ITEM_TIER_PRICES 8    /* tier prices an item has at most */
#define POINTS_ITEM_RETURN_DAYS 7    /* the default return period */

/* points_item.stock of an item without stock (a day of leave) */
#define POINTS_STOCK_UNLIMITED (-1)

/* ---- Items ----
 * An item is sold for price points of its asset (an account of a tier
 * with a tier price pays that instead); min_tier makes it tier-only.
 * Tiers are the rows of the tier table (points_tier_set(3)): an account
 * may buy a tier-only item when its tier's rank is at least min_tier's. */
#define POINTS_ITEM_DEF_VERSION 1
typedef struct points_item_def {
	unsigned int version;    /* POINTS_ITEM_DEF_VERSION */
	const char *sku;         /* 1-64 of [A-Za-z0-9_.-] */
	const char *name;        /* 1-128 bytes */
	const char *description; /* may be NULL: up to 1024 bytes */
	const char *image_url;   /* may be NULL: up to 512 bytes */
	const char *category;    /* "physical", "virtual", "service" or the
	                          * host's own, "/" for sub-categories */
	const char *asset;       /* the asset it is paid in */
	int64_t price;           /* > 0: points a unit */
	int64_t stock;           /* >= 0, or POINTS_STOCK_UNLIMITED */
	int64_t low_stock;       /* > 0: an event when the stock falls to it
	                          * or below; 0: none */
	int64_t order_limit;     /* units an order may take; 0: no limit */
	int64_t return_days;     /* days after delivery an order may be
	                          * returned; 0: no returns */
	const char *min_tier;    /* NULL or "": anyone; else tier-only */
	int listed;              /* 1: on sale; 0: delisted */
	const char *actor;       /* who made the change: 1-64 bytes */
	const char *reason;      /* may be NULL: up to 256 bytes */
} points_item_def;
#define POINTS_ITEM_DEF_INIT { POINTS_ITEM_DEF_VERSION, NULL, NULL, NULL, \
	NULL, NULL, NULL, 0, 0, 0, 0, POINTS_ITEM_RETURN_DAYS, NULL, 1, NULL, \
	NULL }
POINTS_EXTERN int points_item_def_init(points_item_def *d,
    unsigned int version);

typedef struct points_item {
	char sku[POINTS_SKU_MAX + 1];
	char name[POINTS_ITEM_NAME_MAX + 1];
	char description[POINTS_ITEM_DESC_MAX + 1];
	char image_url[POINTS_ITEM_URL_MAX + 1];
	char category[POINTS_ITEM_CATEGORY_MAX + 1];
	char asset[POINTS_ASSET_MAX + 1];
	int64_t price;
	int64_t stock;        /* units left, or POINTS_STOCK_UNLIMITED */
	int64_t low_stock;
	int64_t order_limit;
	int64_t return_days;
	char min_tier[POINTS_TIER_MAX + 1];
	int listed;
	int64_t tier_prices;  /* how many tier prices it has */
	int64_t created;      /* when it was created */
	int64_t updated;      /* when the catalogue last changed it */
	int64_t changes;      /* entries of its history */
	int64_t orders;       /* orders placed, less those cancelled or
	                       * returned: its popularity */
	int64_t units;        /* units in them */
	int64_t points;       /* points they took */
} points_item;

/* Add an item (POINTS_EEXISTS when its SKU is taken). */
POINTS_EXTERN int points_item_create(points_db *db, const points_item_def *d,
    points_item *out);
/* Change every field of item d->sku as d has it, the stock included
 * (an absolute figure: restock moves it by a delta instead). */
POINTS_EXTERN int points_item_update(points_db *db, const points_item_def *d,
    points_item *out);
/* Move the stock by delta (> 0 adds, < 0 takes away, not below 0). */
POINTS_EXTERN int points_item_restock(points_db *db, const char *sku,
    int64_t delta, const char *actor, const char *reason, points_item *out);
/* List (1) or delist (0) an item. */
POINTS_EXTERN int points_item_set_listed(points_db *db, const char *sku,
    int listed, const char *actor, const char *reason, points_item *out);
/* The price accounts of tier pay for a unit; price 0 removes the tier
 * price (they pay the item's price). */
POINTS_EXTERN int points_item_set_tier_price(points_db *db, const char *sku,
    const char *tier, int64_t price, const char *actor, const char *reason,
    points_item *out);
POINTS_EXTERN int points_item_get(points_db *db, const char *sku,
    points_item *out);
/* The tier price of tier; POINTS_ENOTFOUND when the item has none. */
POINTS_EXTERN int points_item_tier_price_get(points_db *db, const char *sku,
    const char *tier, int64_t *out);
/* What account pays for a unit of the item: its tier's price, else the
 * item's. */
POINTS_EXTERN int points_item_price_for(points_db *db, const char *sku,
    int64_t account, int64_t *out);

/* The catalogue, by SKU: the items of category (NULL or "": every
 * item; else the category and its sub-categories), only those listed
 * and in stock with the flags. */
#define POINTS_ITEMS_LISTED 0x01u   /* only listed items */
#define POINTS_ITEMS_IN_STOCK 0x02u /* only items with stock (or unlimited) */
typedef struct points_item_iterator points_item_iterator;
POINTS_EXTERN int points_item_iterator_new(points_db *db,
    const char *category, unsigned int flags, points_item_iterator **out);
POINTS_EXTERN int points_item_next(points_item_iterator *it,
    points_item *out);
POINTS_EXTERN void points_item_iterator_free(points_item_iterator *it);

/* ---- An item's history ----
 * Every change the catalogue calls make (not the stock orders take and
 * give back), with what the item was after it. */
#define POINTS_ITEM_CHANGED_CREATED 0x01u
#define POINTS_ITEM_CHANGED_DETAILS 0x02u /* name, description, image,
                                           * category, asset, limits, tier */
#define POINTS_ITEM_CHANGED_PRICE 0x04u
#define POINTS_ITEM_CHANGED_STOCK 0x08u
#define POINTS_ITEM_CHANGED_LISTING 0x10u
#define POINTS_ITEM_CHANGED_TIER_PRICE 0x20u

typedef struct points_item_change {
	char sku[POINTS_SKU_MAX + 1];
	int64_t n;            /* 1, 2, ...: the item's nth change */
	int64_t time;
	unsigned int what;    /* POINTS_ITEM_CHANGED_* */
	int64_t price;        /* after the change */
	int64_t stock;        /* after the change */
	int listed;           /* after the change */
	char tier[POINTS_TIER_MAX + 1]; /* _TIER_PRICE: the tier */
	int64_t tier_price;   /* _TIER_PRICE: its price after; 0: removed */
	char actor[POINTS_ACTOR_MAX + 1];
	char reason[POINTS_REASON_MAX + 1];
} points_item_change;

/* The changes of item sku, oldest first. */
typedef struct points_item_history_iterator points_item_history_iterator;
POINTS_EXTERN int points_item_history_iterator_new(points_db *db,
    const char *sku, points_item_history_iterator **out);
POINTS_EXTERN int points_item_history_next(points_item_history_iterator *it,
    points_item_change *out);
POINTS_EXTERN void points_item_history_iterator_free(
    points_item_history_iterator *it);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_MALL_H */
