/*
 * points/mall.h - the points mall: a catalogue of items with stock,
 * prices and tier prices, every change kept as history; orders placed on
 * holds, approved, shipped, delivered, cancelled or returned.  Included
 * by points.h.
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
#define POINTS_BUNDLE_PARTS_MAX 16   /* components a bundle has at most */

/* points_item.stock of an item without stock (a day of leave) */
#define POINTS_STOCK_UNLIMITED (-1)

/* ---- Items ----
 * An item is sold for price points of its asset (an account of a tier
 * with a tier price pays that instead); min_tier makes it tier-only.
 * Tiers are the rows of the tier table (points_tier_set(3)): an account
 * may buy a tier-only item when its tier's rank is at least min_tier's. */
#define POINTS_ITEM_DEF_VERSION 2
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
	/* version 2 */
	int64_t cash;            /* >= 0: cash a unit beside price, in the
	                          * minor units of the host's currency
	                          * (points + cash); 0: none */
} points_item_def;
#define POINTS_ITEM_DEF_INIT { POINTS_ITEM_DEF_VERSION, NULL, NULL, NULL, \
	NULL, NULL, NULL, 0, 0, 0, 0, POINTS_ITEM_RETURN_DAYS, NULL, 1, NULL, \
	NULL, 0 }
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
	/* A flash discount (points_item_set_flash(3)); flash_value 0:
	 * none.  In force from flash_starts until (before) flash_ends. */
	int flash_kind;       /* POINTS_FLASH_PERCENT or POINTS_FLASH_PRICE */
	int64_t flash_value;  /* percent off (1-99) or the price of a unit */
	int64_t flash_starts;
	int64_t flash_ends;
	/* Its redemption window (points_item_set_window(3)): the days it
	 * may be ordered on; 0 for both masks: always. */
	unsigned int window_weekdays;  /* bit 0 Monday ... bit 6 Sunday */
	unsigned int window_monthdays; /* bit 0 the 1st ... bit 30 the 31st */
	/* Units an account may order in a day, an ISO week, a calendar
	 * month and a calendar year (points_item_set_period_limit(3));
	 * 0: no limit. */
	int64_t limit_day;
	int64_t limit_week;
	int64_t limit_month;
	int64_t limit_year;
	/* Cash a unit beside price (points + cash; minor units); 0: none.
	 * Tier prices and flash discounts change the points, not it. */
	int64_t cash;
	/* Its components, when it is a bundle (points_bundle_set_part(3));
	 * 0: not a bundle. */
	int64_t bundle_parts;
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
/* What account pays for a unit of the item now: its tier's price, else
 * the item's, less a flash discount in force. */
POINTS_EXTERN int points_item_price_for(points_db *db, const char *sku,
    int64_t account, int64_t *out);

/* ---- Flash discounts ----
 * A percentage off, or a fixed price, on an item from starts until
 * (before) ends: "20% off for three days".  An order pays the price in
 * force when it is placed.  The discount applies to what the account
 * would pay without it (its tier's price, else the item's):
 * POINTS_FLASH_PERCENT takes value percent off it, the points taken off
 * rounded down (the account pays the rest: 20% off 999 is 800, 1% off 1
 * is 1); POINTS_FLASH_PRICE caps it at value (a tier price below it
 * stays).  One discount an item: setting one replaces the last; value 0
 * removes it.  Kept in the item's history (POINTS_ITEM_CHANGED_FLASH). */
#define POINTS_FLASH_PERCENT 1
#define POINTS_FLASH_PRICE 2
POINTS_EXTERN int points_item_set_flash(points_db *db, const char *sku,
    int kind, int64_t value, int64_t starts, int64_t ends,
    const char *actor, const char *reason, points_item *out);

/* ---- Redemption windows ----
 * The days an item may be ordered on, in the ledger's UTC offset: the
 * days of the week (bit 0 Monday ... bit 6 Sunday) and of the month
 * (bit 0 the 1st ... bit 30 the 31st); a day is in the window when both
 * masks have it (0 for a mask: any day; 0 for both: always).  "The 1st
 * to the 5th of every month": 0, 0x1f; "weekends": 0x60, 0.  The mall
 * has one too (points_mall_set_window(3)): an order must be inside
 * both, else it is refused (POINTS_EWINDOW) with the next day both
 * open.  Kept in the item's history (POINTS_ITEM_CHANGED_WINDOW). */
POINTS_EXTERN int points_item_set_window(points_db *db, const char *sku,
    unsigned int weekdays, unsigned int monthdays, const char *actor,
    const char *reason, points_item *out);
/* The first time at or after t (0: now) at which item sku may be
 * ordered: t itself when both windows are open then, else the start of
 * the next day (in the ledger's UTC offset) that they are. */
POINTS_EXTERN int points_item_next_opening(points_db *db, const char *sku,
    int64_t t, int64_t *out);

/* ---- Limits per account and period ----
 * At most units of the item an account may order in a calendar day,
 * ISO week (Monday first), calendar month or year, in the ledger's UTC
 * offset, besides order_limit's per order; 0 removes the limit.  The
 * count is the units of the account's orders of the item placed in
 * the period, less those cancelled or returned (they give their units
 * back); an order over it is refused (POINTS_EQUOTA).  Kept in the
 * item's history (POINTS_ITEM_CHANGED_LIMITS). */
#define POINTS_PERIOD_DAY 1
#define POINTS_PERIOD_WEEK 2
#define POINTS_PERIOD_MONTH 3
#define POINTS_PERIOD_YEAR 4
POINTS_EXTERN int points_item_set_period_limit(points_db *db,
    const char *sku, int period, int64_t units, const char *actor,
    const char *reason, points_item *out);
/* The units account ordered of item sku in the period (POINTS_PERIOD_*)
 * that holds time t (0: now), cancelled and returned orders left out:
 * what its limit counts. */
POINTS_EXTERN int points_order_units_in_period(points_db *db,
    int64_t account, const char *sku, int period, int64_t t, int64_t *out);

/* ---- The mall's own settings ----
 * A mall-wide redemption window (as an item's: both must be open), and
 * per asset a minimum balance an account must have available before it
 * may redeem at all: an order is refused (POINTS_EINSUFFICIENT, the
 * figure in the message) when the account has less of the item's asset
 * available than that, whatever the order costs. */
typedef struct points_mall_settings {
	unsigned int window_weekdays;  /* 0 for both: always */
	unsigned int window_monthdays;
	int64_t updated;               /* its last change; 0: never */
	char actor[POINTS_ACTOR_MAX + 1];
	char reason[POINTS_REASON_MAX + 1];
	int pay_order;                 /* POINTS_PAY_*: which of an order's
	                                * allowance and points pays first */
} points_mall_settings;
POINTS_EXTERN int points_mall_set_window(points_db *db,
    unsigned int weekdays, unsigned int monthdays, const char *actor,
    const char *reason, points_mall_settings *out);
POINTS_EXTERN int points_mall_settings_get(points_db *db,
    points_mall_settings *out);

/* ---- The welfare allowance ----
 * An order may spend a second asset beside the item's points: an
 * allowance (points_order_req.allowance, e.g. a yearly welfare
 * allowance), counted 1:1 in the item's price (an allowance unit pays a
 * point of it).  Which pays first is the mall's pay order:
 * POINTS_PAY_ALLOWANCE_FIRST (the default) or POINTS_PAY_POINTS_FIRST.
 * The first pays what it can (its available balance; points also at
 * most points_max), the second the rest (the allowance at most its
 * balance when points_max lets cash pay what is left; points at most
 * points_max); with points_max, what neither pays is paid in cash, else
 * the second pays it all or the order is refused (POINTS_EINSUFFICIENT).
 * The order holds both (two holds, one transaction), approving captures
 * both, cancelling releases or refunds both, a return reverses both. */
#define POINTS_PAY_ALLOWANCE_FIRST 0
#define POINTS_PAY_POINTS_FIRST 1
POINTS_EXTERN int points_mall_set_pay_order(points_db *db, int pay_order,
    const char *actor, const char *reason, points_mall_settings *out);
/* points 0 removes the minimum of asset. */
POINTS_EXTERN int points_mall_set_min_balance(points_db *db,
    const char *asset, int64_t points, const char *actor,
    const char *reason);
/* The minimum of asset; 0 when it has none. */
POINTS_EXTERN int points_mall_min_balance_get(points_db *db,
    const char *asset, int64_t *out);

/* ---- Points and cash ----
 * Per asset, what its points are worth in cash: points points = cash
 * minor units of the host's currency (100 points = 1000 fen, 10.00
 * yuan: points 100, cash 1000), each term 1 to POINTS_CASH_RATIO_MAX.
 * An order may pay part of its points price in cash at that ratio
 * (points_order_req.points_max); an item may also have a cash part of
 * its own (points_item_def.cash).  The library only works the cash out
 * and records it on the order (points_order.cash): the host collects
 * it, and pays it back when the order is cancelled or returned.
 * Points converted to cash cost ceil(points * cash / points of the
 * ratio) minor units: exact integer arithmetic, rounded up (in the
 * mall's favour). */
#define POINTS_CASH_RATIO_MAX 1000000000
typedef struct points_cash_ratio {
	char asset[POINTS_ASSET_MAX + 1];
	int64_t points;  /* these many points ... */
	int64_t cash;    /* ... are worth this much cash; both 0: no ratio */
	int64_t updated; /* its last change; 0: never */
	char actor[POINTS_ACTOR_MAX + 1];
	char reason[POINTS_REASON_MAX + 1];
} points_cash_ratio;
/* Set the ratio of asset; points and cash 0 remove it. */
POINTS_EXTERN int points_mall_set_cash_ratio(points_db *db,
    const char *asset, int64_t points, int64_t cash, const char *actor,
    const char *reason, points_cash_ratio *out);
/* The ratio of asset (points and cash 0: it has none). */
POINTS_EXTERN int points_mall_cash_ratio_get(points_db *db,
    const char *asset, points_cash_ratio *out);

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

/* ---- Browsing ----
 * A query over the catalogue: the items of a category and its
 * sub-categories, in a range of prices, in stock, listed, those an
 * account can afford now, sorted by SKU, popularity, price or newest.
 * The price a query filters and sorts by is the price of a unit in
 * force now: what account pays (points_item_price_for(3): its tier's
 * price, less a flash discount), or with account 0 what an account of
 * no tier pays.  POINTS_ITEMS_AFFORDABLE keeps the items account could
 * pay for a unit of now as points_order_place(3) checks it: the
 * account active and not a system account, its tier allowed, the
 * mall's minimum balance of the item's asset met, and the price
 * available (windows, stock and limits are not looked at); with an
 * allowance (version 2) the price paid as an order naming that
 * allowance pays it, the allowance and the points together in the
 * mall's pay order (points_mall_set_pay_order), an item paid in the
 * allowance's own asset not at all.  The
 * catalogue is read in one transaction at the first points_item_next
 * and kept, sorted, in memory by the iterator: a catalogue is small
 * (thousands of items). */
#define POINTS_ITEMS_AFFORDABLE 0x04u /* only what account can afford */

#define POINTS_ITEMS_BY_SKU 0        /* SKU ascending */
#define POINTS_ITEMS_BY_POPULARITY 1 /* units sold (points_item.units)
                                      * descending */
#define POINTS_ITEMS_BY_PRICE 2      /* price ascending */
#define POINTS_ITEMS_BY_PRICE_DESC 3 /* price descending */
#define POINTS_ITEMS_BY_NEWEST 4     /* created descending */
/* (ties: SKU ascending) */

#define POINTS_ITEM_QUERY_VERSION 2
typedef struct points_item_query {
	unsigned int version;     /* POINTS_ITEM_QUERY_VERSION */
	const char *category;     /* NULL or "": every item; else it and its
	                           * sub-categories */
	unsigned int flags;       /* POINTS_ITEMS_LISTED, _IN_STOCK,
	                           * _AFFORDABLE */
	int64_t price_min;        /* >= 0: the lowest price; 0: none */
	int64_t price_max;        /* >= 0: the highest price; 0: none */
	int64_t account;          /* 0: none; else whose prices count (and
	                           * what it can afford): required by
	                           * POINTS_ITEMS_AFFORDABLE */
	int sort;                 /* POINTS_ITEMS_BY_* */
	/* version 2 */
	const char *allowance;    /* NULL or "": none; else the asset an
	                           * order would spend beside the item's
	                           * (points_order_req.allowance), counted
	                           * by POINTS_ITEMS_AFFORDABLE */
} points_item_query;
#define POINTS_ITEM_QUERY_INIT { POINTS_ITEM_QUERY_VERSION, NULL, 0, 0, 0, \
	0, POINTS_ITEMS_BY_SKU, NULL }
POINTS_EXTERN int points_item_query_init(points_item_query *q,
    unsigned int version);
/* The items of query q, stepped with points_item_next(3) and freed with
 * points_item_iterator_free(3). */
POINTS_EXTERN int points_item_query_iterator_new(points_db *db,
    const points_item_query *q, points_item_iterator **out);

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
#define POINTS_ITEM_CHANGED_FLASH 0x40u
#define POINTS_ITEM_CHANGED_WINDOW 0x80u
#define POINTS_ITEM_CHANGED_LIMITS 0x100u
#define POINTS_ITEM_CHANGED_BUNDLE 0x200u /* a component set or removed */

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
	/* after the change (changes made before the library kept them
	 * read 0) */
	int flash_kind;
	int64_t flash_value;
	int64_t flash_starts;
	int64_t flash_ends;
	unsigned int window_weekdays;
	unsigned int window_monthdays;
	int64_t limit_day;
	int64_t limit_week;
	int64_t limit_month;
	int64_t limit_year;
	int64_t cash;         /* after the change (a change of it is
	                       * POINTS_ITEM_CHANGED_PRICE) */
	/* _BUNDLE: the component and its units in a unit of the bundle
	 * after the change (0: removed) */
	char part[POINTS_SKU_MAX + 1];
	int64_t part_quantity;
} points_item_change;

/* The changes of item sku, oldest first. */
typedef struct points_item_history_iterator points_item_history_iterator;
POINTS_EXTERN int points_item_history_iterator_new(points_db *db,
    const char *sku, points_item_history_iterator **out);
POINTS_EXTERN int points_item_history_next(points_item_history_iterator *it,
    points_item_change *out);
POINTS_EXTERN void points_item_history_iterator_free(
    points_item_history_iterator *it);

/* ---- Orders ----
 * An order holds the points it costs (a hold, points/hold.h) and takes
 * the stock it needs when it is placed; approving it captures the hold
 * (the points are spent), cancelling it before it is shipped releases
 * the hold or, once captured, refunds the points (a reversal), and
 * gives the stock back; a delivered order may be returned within the
 * item's return_days (calendar days in the ledger's UTC offset), which
 * refunds it.  Every change of state is kept (time, actor, reason) and
 * written to the outbox (POINTS_OUTBOX_ORDER_STATE). */
#define POINTS_ORDER_SUBMITTED 0 /* placed: points held, stock taken */
#define POINTS_ORDER_APPROVED 1  /* the hold captured: points spent */
#define POINTS_ORDER_SHIPPED 2   /* sent: carrier and tracking number */
#define POINTS_ORDER_DELIVERED 3
#define POINTS_ORDER_CANCELLED 4 /* before shipping: points back */
#define POINTS_ORDER_RETURNED 5  /* after delivery: points refunded */
#define POINTS_ORDER_EXCHANGING 6 /* after delivery: a replacement of the
                                   * same item to ship, no points moved */

#define POINTS_ORDER_NOTE_MAX 256     /* UTF-8 */
#define POINTS_CARRIER_MAX 64         /* UTF-8, at least 1 byte */
#define POINTS_TRACKING_MAX 64        /* UTF-8, at least 1 byte */

#define POINTS_ORDER_REQ_VERSION 3
typedef struct points_order_req {
	unsigned int version;        /* POINTS_ORDER_REQ_VERSION */
	int64_t account;             /* who orders */
	const char *sku;             /* the item */
	int64_t quantity;            /* units, >= 1 */
	const char *note;            /* may be NULL: an address, a message */
	const char *idempotency_key; /* may be NULL: a double click is one
	                              * order */
	const char *actor;           /* may be NULL: who placed it */
	/* version 2 */
	int64_t points_max;          /* -1: the points price all in points;
	                              * else at most this many points (>= 1),
	                              * the rest of the points price paid in
	                              * cash at the asset's ratio
	                              * (points_mall_set_cash_ratio) */
	/* version 3 */
	const char *allowance;       /* NULL or "": none; else an asset spent
	                              * beside the item's, 1:1 in its price
	                              * (points_mall_set_pay_order) */
} points_order_req;
#define POINTS_ORDER_REQ_INIT { POINTS_ORDER_REQ_VERSION, 0, NULL, 1, NULL, \
	NULL, NULL, -1, NULL }
POINTS_EXTERN int points_order_req_init(points_order_req *r,
    unsigned int version);

typedef struct points_order {
	char id[POINTS_ID_LEN + 1];  /* the order: its (first) hold's id */
	int64_t account;
	char sku[POINTS_SKU_MAX + 1];
	char asset[POINTS_ASSET_MAX + 1];
	int64_t quantity;
	int64_t unit_price;          /* what the account paid a unit */
	int64_t amount;              /* points in all (held, then spent) */
	int state;                   /* POINTS_ORDER_* */
	int64_t created;
	int64_t updated;             /* its last change of state */
	char capture_id[POINTS_ID_LEN + 1]; /* the CAPTURE, once approved */
	char refund_id[POINTS_ID_LEN + 1];  /* cancelled or returned: the
	                                     * RELEASE or the REVERSAL */
	char carrier[POINTS_CARRIER_MAX + 1];
	char tracking[POINTS_TRACKING_MAX + 1];
	int64_t shipped_at;          /* 0: not yet */
	int64_t delivered_at;        /* 0: not yet */
	int64_t return_days;         /* the item's when it was placed */
	char note[POINTS_ORDER_NOTE_MAX + 1];
	int64_t changes;             /* entries of its history */
	int replayed;                /* 1: returned for a repeated key */
	/* Points + cash: what the host collects, in minor units of its
	 * currency (the items' cash parts, and cash_points at the asset's
	 * ratio, rounded up); the library moves no cash. */
	int64_t cash;
	int64_t cash_points;         /* points of the price paid in cash:
	                              * quantity * unit_price = amount +
	                              * allowance_amount + cash_points */
	/* The allowance (points_mall_set_pay_order): its asset ("": none),
	 * what it paid, its hold (then its CAPTURE, and its RELEASE or
	 * REVERSAL: capture_id and refund_id are the points'). */
	char allowance[POINTS_ASSET_MAX + 1];
	int64_t allowance_amount;
	char allowance_hold_id[POINTS_ID_LEN + 1];
	char allowance_capture_id[POINTS_ID_LEN + 1];
	char allowance_refund_id[POINTS_ID_LEN + 1];
	/* The points' hold ("": the order holds no points, the allowance
	 * pays it all); the order's id is its first hold's: this one's
	 * when it has one. */
	char hold_id[POINTS_ID_LEN + 1];
} points_order;

/* Place an order: checks, in this order, the account (not a system
 * account; POINTS_EFROZEN, POINTS_ECLOSED), the item (POINTS_ENOTFOUND;
 * delisted: POINTS_ESTATE), the mall's and the item's windows
 * (POINTS_EWINDOW), its tier (POINTS_ENOTELIGIBLE), its stock
 * (POINTS_EOUTOFSTOCK), its order limit and its limits per period
 * (POINTS_EQUOTA), the mall's minimum balance, the cash (points_max
 * below the points price with no ratio for the asset: POINTS_ENOTFOUND;
 * a figure past 64 bits: POINTS_EOVERFLOW) and what the account has
 * available (POINTS_EINSUFFICIENT); then holds the points at the price
 * in force (a flash discount) and takes the stock, in one transaction.
 * A refusal writes nothing.  With points_max, the order holds
 * min(points_max, the points price) points and pays the rest of the
 * points price in cash (cash_points, converted rounded up, plus the
 * item's cash part a unit: cash).  An order paid partly in cash, or of
 * an item with a cash part, cannot be switched (POINTS_ESTATE). */
POINTS_EXTERN int points_order_place(points_db *db,
    const points_order_req *req, points_order *out);
/* The state changes; actor and reason may be NULL.  A change the
 * order's state does not allow is POINTS_ESTATE naming both. */
/* submitted -> approved: the points are captured (spent). */
POINTS_EXTERN int points_order_approve(points_db *db, const char *order_id,
    const char *actor, const char *reason, points_order *out);
/* submitted or approved -> cancelled: the hold released, or the capture
 * reversed; the stock given back. */
POINTS_EXTERN int points_order_cancel(points_db *db, const char *order_id,
    const char *actor, const char *reason, points_order *out);
/* approved -> shipped. */
POINTS_EXTERN int points_order_ship(points_db *db, const char *order_id,
    const char *carrier, const char *tracking, const char *actor,
    const char *reason, points_order *out);
/* shipped, or approved (a virtual item, a service), -> delivered. */
POINTS_EXTERN int points_order_deliver(points_db *db, const char *order_id,
    const char *actor, const char *reason, points_order *out);
/* delivered -> returned, within return_days calendar days after the
 * delivery: the capture reversed (the points refunded); restock 1 gives
 * the units back to the stock. */
POINTS_EXTERN int points_order_return(points_db *db, const char *order_id,
    int restock, const char *actor, const char *reason, points_order *out);
/* delivered -> exchanging, within return_days calendar days after the
 * delivery (as a return): a replacement of the same item is to be sent,
 * its units taken from the stock (POINTS_EOUTOFSTOCK when there are not
 * enough); no points move, and the unit sent back is not restocked.
 * Then points_order_ship (exchanging -> shipped) and
 * points_order_deliver as for the first unit; delivered_at becomes the
 * replacement's delivery, from which its return period runs.  An order
 * with codes cannot be exchanged (POINTS_ESTATE). */
POINTS_EXTERN int points_order_exchange(points_db *db, const char *order_id,
    const char *actor, const char *reason, points_order *out);
/* Switch a submitted or approved order (one of a delisted item, or of
 * an item whose codes ran out) to item sku, in the same state: sku must
 * be listed, in the order's asset, allowed to the account's tier, with
 * the stock for the order, and cost the account no more a unit than the
 * order paid (a dearer one is POINTS_EINVAL: cancel the order instead).
 * The difference is refunded: an approved order's capture is reversed by
 * it at once; a submitted order's approval captures the new amount and
 * releases the rest of the hold.  The units and the counters move from
 * the old item to the new (an approved order gets its codes from the new
 * item's pool); the history records a change from the state to itself,
 * and the outbox a POINTS_OUTBOX_ORDER_SWITCHED event for the account
 * (order, from_sku, sku, state, quantity, unit_price, amount, refund).
 * An order whose codes were issued cannot be switched (POINTS_ESTATE).
 * What approving the order earned through "redemption" rules stays. */
POINTS_EXTERN int points_order_switch(points_db *db, const char *order_id,
    const char *sku, const char *actor, const char *reason,
    points_order *out);
POINTS_EXTERN int points_order_get(points_db *db, const char *order_id,
    points_order *out);

/* An order's changes of state, oldest first (the first: placed, from
 * -1). */
typedef struct points_order_change {
	char order_id[POINTS_ID_LEN + 1];
	int64_t n;         /* 1, 2, ... */
	int64_t time;
	int from_state;    /* -1 for the first */
	int to_state;
	char actor[POINTS_ACTOR_MAX + 1];
	char reason[POINTS_REASON_MAX + 1];
} points_order_change;
typedef struct points_order_history_iterator points_order_history_iterator;
POINTS_EXTERN int points_order_history_iterator_new(points_db *db,
    const char *order_id, points_order_history_iterator **out);
POINTS_EXTERN int points_order_history_next(
    points_order_history_iterator *it, points_order_change *out);
POINTS_EXTERN void points_order_history_iterator_free(
    points_order_history_iterator *it);

/* Orders, oldest first: those of account (0: any), in state (-1: any),
 * of item sku (NULL: any). */
typedef struct points_order_iterator points_order_iterator;
POINTS_EXTERN int points_order_iterator_new(points_db *db, int64_t account,
    int state, const char *sku, points_order_iterator **out);
POINTS_EXTERN int points_order_next(points_order_iterator *it,
    points_order *out);
POINTS_EXTERN void points_order_iterator_free(points_order_iterator *it);

/* ---- Code pools ----
 * A virtual item (a shopping card) can carry a pool of codes that an
 * administrator uploads; each code uploaded adds a unit to the item's
 * stock, so that placing an order refuses more units than the pool holds
 * (POINTS_EOUTOFSTOCK: the stock of an item with a pool counts the codes
 * no order has taken).  Approving an order issues one code a unit,
 * first uploaded first, kept on the order (points_order_code_next); when
 * the pool holds fewer than the order's units (the stock was raised by
 * hand) the approval is refused with POINTS_EOUTOFSTOCK and writes
 * nothing.  A code is unique in the ledger: an upload with a code
 * uploaded before (to any item) or twice is refused whole
 * (POINTS_EEXISTS).  An issued code is spent: cancelling or returning
 * its order puts neither the code back in the pool nor the units back
 * in the stock.  Codes are secrets: no message and no outbox event holds
 * one; a message names a code by its line in the upload. */
#define POINTS_CODE_MAX 64            /* printable ASCII, no space: 1-64 */
#define POINTS_CODES_UPLOAD_MAX 10000 /* codes in one upload */

typedef struct points_code_pool {
	char sku[POINTS_SKU_MAX + 1];
	int64_t uploaded;  /* codes ever uploaded to the item */
	int64_t issued;    /* codes issued to approved orders */
	int64_t available; /* codes in the pool: uploaded - issued */
} points_code_pool;

/* Upload codes to item sku: one a line ("\n", or "\r\n"; blank lines
 * are skipped); the item's stock grows by their number, recorded in its
 * history (POINTS_ITEM_CHANGED_STOCK) with actor (required) and reason.
 * An item with unlimited stock takes none (POINTS_EINVAL). */
POINTS_EXTERN int points_item_codes_add(points_db *db, const char *sku,
    const char *codes, const char *actor, const char *reason,
    points_code_pool *out);
/* The pool of item sku (all 0 when it has none). */
POINTS_EXTERN int points_item_codes_get(points_db *db, const char *sku,
    points_code_pool *out);

/* A code issued to an order. */
typedef struct points_order_code {
	char order_id[POINTS_ID_LEN + 1];
	int64_t n;                   /* 1, 2, ...: one a unit */
	char sku[POINTS_SKU_MAX + 1]; /* the item whose pool it came from */
	char code[POINTS_CODE_MAX + 1];
} points_order_code;
/* The codes issued to order order_id, in the order they were issued. */
typedef struct points_order_code_iterator points_order_code_iterator;
POINTS_EXTERN int points_order_code_iterator_new(points_db *db,
    const char *order_id, points_order_code_iterator **out);
POINTS_EXTERN int points_order_code_next(points_order_code_iterator *it,
    points_order_code *out);
POINTS_EXTERN void points_order_code_iterator_free(
    points_order_code_iterator *it);

/* ---- Bundles ----
 * A bundle is an item sold at its own price (points_item_create(3):
 * its price, tier prices, discounts, windows and limits as any item's)
 * whose every unit is made of units of other items, its components: at
 * most POINTS_BUNDLE_PARTS_MAX, each with its units in a unit of the
 * bundle.  Placing an order of a bundle also checks that each component
 * is listed (POINTS_ESTATE) and has the units the order needs
 * (POINTS_EOUTOFSTOCK, the message naming the component), right after
 * the bundle's own stock, and takes them from each component's stock
 * (the bundle's own stock is taken too: POINTS_STOCK_UNLIMITED for a
 * bundle that has none of its own).  The order keeps the components it
 * took (points_order_part_iterator_new): cancelling it, or returning it
 * with restock, gives each component its units back, and an exchange
 * takes them again, whatever the bundle has become since; the
 * components' order counters do not move (the bundle's do).  An order
 * of a bundle cannot be switched (points_order_switch(3):
 * POINTS_ESTATE), nor can an order be switched to a bundle.  Bundles
 * do not nest: a bundle is refused as a component, and a component of
 * a bundle refused a component of its own (POINTS_EINVAL, the message
 * naming both items); an order of a bundle whose component is a bundle
 * all the same (a ledger made before that was refused) is refused
 * (POINTS_ESTATE).  A component has no code pool (POINTS_EINVAL). */
typedef struct points_bundle_part {
	char sku[POINTS_SKU_MAX + 1]; /* the component */
	int64_t quantity; /* its units in a unit of the bundle */
	int64_t units;    /* an order's: the units of it the order took;
	                   * a bundle's: 0 */
	int64_t stock;    /* the component's stock now, or
	                   * POINTS_STOCK_UNLIMITED */
} points_bundle_part;

/* Set the units of component part in a unit of bundle sku (adding the
 * component, or changing its units), or remove it (quantity 0;
 * POINTS_ENOTFOUND when sku has no such component).  An item with a
 * component is a bundle (points_item.bundle_parts); one whose last
 * component is removed is a plain item again.  Kept in the item's
 * history (POINTS_ITEM_CHANGED_BUNDLE, with the component and its units
 * after); setting what is there already writes nothing.  actor is
 * required. */
POINTS_EXTERN int points_bundle_set_part(points_db *db, const char *sku,
    const char *part, int64_t quantity, const char *actor,
    const char *reason, points_item *out);

/* The components of item sku, in the order they were added (none for
 * an item that is not a bundle), or those order order_id took when it
 * was placed, in the order the bundle listed them then. */
typedef struct points_bundle_part_iterator points_bundle_part_iterator;
POINTS_EXTERN int points_bundle_part_iterator_new(points_db *db,
    const char *sku, points_bundle_part_iterator **out);
POINTS_EXTERN int points_order_part_iterator_new(points_db *db,
    const char *order_id, points_bundle_part_iterator **out);
POINTS_EXTERN int points_bundle_part_next(points_bundle_part_iterator *it,
    points_bundle_part *out);
POINTS_EXTERN void points_bundle_part_iterator_free(
    points_bundle_part_iterator *it);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_MALL_H */
