/* event.h - events applied from inside another module's write: the
 * mall's redemptions (points/rules.h, "Redemptions").
 *
 * When an order is approved (its points captured) the mall applies an
 * event of the reserved type "redemption" in the same transaction: id
 * "redemption:" and the order's id, the order's account, amount the
 * points spent, attrs {"order", "sku", "asset", "quantity"}.  It pays
 * only when a rule listens to that type; with none in force at the
 * time (or for an account that is not active) nothing is applied or
 * logged.  When the order's points come back (cancelled after approval,
 * returned) the mall reverses that event, in whole, in the same
 * transaction; an event never applied, or refunded already, is nothing
 * to do.  Hosts cannot apply events of that type or id. */
#ifndef POINTS_RULES_EVENT_H
#define POINTS_RULES_EVENT_H

#include <stdint.h>

#include "points.h"
#include "core/db.h"

#define POINTS_EVENT__REDEMPTION "redemption"
#define POINTS_EVENT__REDEMPTION_PREFIX "redemption:"

/* The order's redemption applied (inside a write). */
int points_event__redeemed(points_db *db, const char *order_id,
    int64_t account, int64_t points, const char *sku, const char *asset,
    int64_t quantity, const char *actor);

/* The order's redemption reversed in whole (inside a write). */
int points_event__unredeemed(points_db *db, const char *order_id,
    const char *memo, const char *actor);

/* The rules an award posting names: an event's awards to one account
 * are one earn (its memo "event ID: NAME vN ..."), and the event log
 * keeps what each rule gave.  For each awarded outcome of that event
 * whose posting is txn_id, fn(rule, points, arg); a non-zero return of
 * fn stops and is returned.  POINTS_ENOTFOUND (no message) when memo
 * names no event, or the event is not in the log.  Inside a
 * transaction; for the reports. */
typedef int (*points_event__award_fn)(const char *rule, int64_t points,
    void *arg);
int points_event__awards_of(points_db *db, const char *memo,
    const char *txn_id, points_event__award_fn fn, void *arg);

#endif
