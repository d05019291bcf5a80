/* window.h - the mall's rules of placing (points/mall.h): redemption
 * windows (window.c), the mall's settings and minimum balances
 * (settings.c), and the limits per account and period (limit.c).
 *
 * Stored (settings.c's keyspace):
 *   mallset   'w' -> the mall's window; 'm' | asset -> its minimum
 *             balance; 'c' | asset -> its points-to-cash ratio */
#ifndef POINTS_MALL_WINDOW_H
#define POINTS_MALL_WINDOW_H

#include <stdint.h>

#include "points.h"
#include "mall/item.h"

/* Is day (days since 1970-01-01) in the window of masks weekdays and
 * monthdays? */
int points_window__has(unsigned int weekdays, unsigned int monthdays,
    int64_t day);
/* The masks' checks: POINTS_EINVAL naming what, else POINTS_OK. */
int points_window__check(points_db *db, const char *what,
    unsigned int weekdays, unsigned int monthdays);
/* May item r be ordered at time t (the mall's window and r's)?
 * POINTS_OK, or POINTS_EWINDOW with a message naming the next day both
 * open; *opens (may be NULL) is when they next open (t when open; 0:
 * never). */
int points_window__item_open(points_db *db, const points_item_rec *r,
    int64_t t, int64_t *opens);

/* The mall's settings, inside a transaction (none stored: zeroes). */
int points_mall__settings(points_db *db, points_mall_settings *out);
/* The minimum balance of asset, inside a transaction (0: none). */
int points_mall__min_balance(points_db *db, const char *asset,
    int64_t *out);
/* May account (external id ext) redeem in asset?  POINTS_OK, or
 * POINTS_EINSUFFICIENT naming the minimum and what it has. */
int points_mall__min_balance_check(points_db *db, int64_t account,
    const char *ext, const char *asset);
/* The points-to-cash ratio of asset, inside a transaction (none: points
 * and cash 0). */
int points_mall__cash_ratio(points_db *db, const char *asset,
    points_cash_ratio *out);
/* What points of asset cost in cash at its ratio, rounded up (the
 * mall's favour): ceil(points * cash / ratio points), exactly.
 * POINTS_ENOTFOUND when the asset has no ratio (points 0 needs none),
 * POINTS_EOVERFLOW when the figure does not fit; each with a message. */
int points_mall__cash_of(points_db *db, const char *asset, int64_t points,
    int64_t *out);
/* What the minimum balance is held against: b's points to spend, its
 * available points (held and pending points are already out of them). */
static inline int64_t
points_mall__min_balance_have(const points_balance *b)
{
	return b->available;
}

/* The first second of the period (POINTS_PERIOD_*) that holds t, in the
 * ledger's UTC offset. */
int64_t points_period__start(points_db *db, int period, int64_t t);
/* Would account ordering quantity units of r at time t pass its limits
 * per period?  POINTS_OK, or POINTS_EQUOTA naming the limit and what
 * the period holds. */
int points_period__check(points_db *db, const points_item_rec *r,
    int64_t account, const char *ext, int64_t quantity, int64_t t);
/* The first second after that period. */
int64_t points_period__end(points_db *db, int period, int64_t t);
/* The units of account's orders of item sku placed at since or later
 * and before until, those cancelled or returned left out (order.c). */
int points_order__units_since(points_db *db, int64_t account,
    const char *sku, int64_t since, int64_t until, int64_t *out);
/* The order whose points' hold is the entry of id txid, in *out, or
 * POINTS_ENOTFOUND (no message) when that hold is no order's (order.c;
 * for the reports). */
int points_order__of_hold(points_db *db,
    const unsigned char txid[POINTS_UUID_LEN], points_order *out);
/* The category of an auction's holds (activity/auction.c): an account's
 * orders are its holds of category "mall" or this one. */
#define POINTS_ORDER__AUCTION_CATEGORY "auction"
/* Inside a write: the order of an auction won (activity/auction.c), one
 * unit of item sku for amount points, which hold hold_id held and
 * capture capture_id took: its id is the hold's, it is approved from
 * the start, and the item's counters count it.  The auction took the
 * unit from the stock when it was created, so the order takes none (a
 * cancel or a return with restock gives it back as for any order).  No
 * redemption event goes to the earning rules. */
int points_order__of_auction(points_db *db, const char *hold_id,
    const char *capture_id, int64_t account, const char *sku, int64_t amount,
    const char *note, points_order *out);
/* Inside a write: the order of a lottery's item prize won
 * (activity/lottery.c), one unit of item sku for account at 0 points,
 * of id id (no hold: the draw's cost is the lottery's): approved from
 * the start, counted by the item's counters.  The lottery took the unit
 * from the stock when it was created, so the order takes none.  It is
 * found by its id, the state's and the item's lists, not among the
 * account's holds. */
int points_order__of_prize(points_db *db,
    const unsigned char id[POINTS_UUID_LEN], int64_t account,
    const char *sku, const char *note, points_order *out);
/* Call fn with every order, oldest first (order.c; for the reports); a
 * non-zero return of fn stops and is returned. */
typedef int (*points_order__fn)(points_db *db, const points_order *o,
    void *arg);
int points_order__each(points_db *db, points_order__fn fn, void *arg);

#endif
