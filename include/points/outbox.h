/*
 * points/outbox.h - the durable event outbox: what the library tells the
 * host (low stock, out of stock, an order's state changed, ...), written
 * in the same store transaction as the change that causes it.  Included
 * by points.h.
 */
#ifndef POINTS_INCLUDE_OUTBOX_H
#define POINTS_INCLUDE_OUTBOX_H

#include "points/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define POINTS_OUTBOX_KIND_MAX 32     /* [a-z0-9_.-], at least 1 */
#define POINTS_OUTBOX_SUBJECT_MAX 64  /* what it is about: a SKU, an order */
#define POINTS_OUTBOX_DATA_MAX 1024   /* a JSON object */

/* The kinds the library writes (points_outbox_event.kind). */
#define POINTS_OUTBOX_LOW_STOCK "item.low_stock"       /* stock fell to or
                                                        * below the item's
                                                        * threshold */
#define POINTS_OUTBOX_OUT_OF_STOCK "item.out_of_stock" /* stock fell to 0 */
#define POINTS_OUTBOX_ORDER_STATE "order.state"        /* an order changed
                                                        * state */
#define POINTS_OUTBOX_ORDER_SWITCHED "order.switched"  /* an open order was
                                                        * switched to a
                                                        * replacement item
                                                        * (tell the
                                                        * employee) */

#define POINTS_OUTBOX_POINTS_EXPIRING "points.expiring" /* an account's
                                                        * points expire
                                                        * within the
                                                        * asset's notice
                                                        * window */

/* ---- Notices of points about to expire ----
 * With a window of days set on an asset, every expiry sweep of it
 * (points_expire_sweep, points_expire_sweep_asset) writes, in its last
 * transaction, a POINTS_OUTBOX_POINTS_EXPIRING event for each lot (an
 * account's points of the asset that expire on one day) that expires
 * from the sweep's day (as_of's, in the ledger's UTC offset) through
 * days days after it: subject the asset's code, account the account,
 * data {"asset", "amount" (the lot's points at the sweep), "expires_at"
 * (its last valid second), "days_left", "window"}.  Once per lot and
 * window: a later sweep tells of the lot again only if the window was
 * changed; points added to a lot after its notice make no new one.
 * days 0 turns the notices off. */
#define POINTS_EXPIRING_DAYS_MAX 366
POINTS_EXTERN int points_outbox_expiring_set(points_db *db,
    const char *asset, int64_t days);
/* The window of asset (0: none). */
POINTS_EXTERN int points_outbox_expiring_get(points_db *db,
    const char *asset, int64_t *out);

/* ---- Account triggers ----
 * A condition on an account's figures that the host defines; the outbox
 * gets a POINTS_OUTBOX_ACCOUNT_TRIGGER event (subject the trigger's
 * name, account the account) once per crossing, in the same store
 * transaction as the change that causes it:
 *  - POINTS_TRIGGER_BALANCE: a user account's balance of asset reaching
 *    level from below.  The balance is its points credited and not
 *    spent, held or expired (points_balance_get's available + pending):
 *    every change of it (an earn, a spend, a hold and its capture or
 *    release, an expiry, a transfer, a reversal) is looked at; an event
 *    when it goes from below level to level or above (data: trigger,
 *    asset, level, balance: the balance after), none while it stays
 *    there; falling below level re-arms the trigger.  An account
 *    already at level or above when the trigger is set tells only after
 *    it fell below and came back.
 *  - POINTS_TRIGGER_TIER: a change of an account's tier (by
 *    points_account_update, an edit, or the upgrade an earn makes): to
 *    tier, or with tier NULL or "" any change (data: trigger, from, to;
 *    "" for none).
 * A refused or failed change writes no event.  Setting or removing a
 * trigger raises the rules' generation (every handle reloads its rules
 * and triggers); a ledger without triggers pays no read of its own. */
#define POINTS_OUTBOX_ACCOUNT_TRIGGER "account.trigger"
#define POINTS_TRIGGER_NAME_MAX 32 /* [a-z0-9_.-], at least 1 */
#define POINTS_TRIGGERS_MAX 64     /* triggers a ledger has at most */
#define POINTS_TRIGGER_BALANCE 1
#define POINTS_TRIGGER_TIER 2

typedef struct points_trigger {
	char name[POINTS_TRIGGER_NAME_MAX + 1];
	int kind;                        /* POINTS_TRIGGER_* */
	char asset[POINTS_ASSET_MAX + 1]; /* _BALANCE: the asset */
	int64_t level;                   /* _BALANCE: the level, > 0 */
	char tier[POINTS_TIER_MAX + 1];  /* _TIER: the tier; "": any */
	int64_t updated;                 /* when it was last set */
} points_trigger;

/* Set trigger name (new, or replacing the one of that name): kind
 * POINTS_TRIGGER_BALANCE with asset and level (tier NULL), or
 * POINTS_TRIGGER_TIER with tier (asset NULL, level 0).
 * POINTS_ELIMIT past POINTS_TRIGGERS_MAX. */
POINTS_EXTERN int points_trigger_set(points_db *db, const char *name,
    int kind, const char *asset, int64_t level, const char *tier,
    points_trigger *out);
/* Remove trigger name (POINTS_ENOTFOUND when there is none). */
POINTS_EXTERN int points_trigger_remove(points_db *db, const char *name);
/* The triggers, by name. */
typedef struct points_trigger_iterator points_trigger_iterator;
POINTS_EXTERN int points_trigger_iterator_new(points_db *db,
    points_trigger_iterator **out);
POINTS_EXTERN int points_trigger_next(points_trigger_iterator *it,
    points_trigger *out);
POINTS_EXTERN void points_trigger_iterator_free(points_trigger_iterator *it);

/* An event.  Sequence numbers grow with every event and are never given
 * twice, pruned or not. */
typedef struct points_outbox_event {
	int64_t seq;
	int64_t time;
	char kind[POINTS_OUTBOX_KIND_MAX + 1];
	char subject[POINTS_OUTBOX_SUBJECT_MAX + 1];
	int64_t account;  /* whom it concerns; 0: no account */
	char data[POINTS_OUTBOX_DATA_MAX + 1]; /* details, a JSON object */
} points_outbox_event;

/* The first event after sequence number after_seq (0: the oldest kept);
 * POINTS_ITEROVER when there is none yet.  A host keeps the last seq it
 * delivered and asks again after it: after a crash it resumes there,
 * delivering each event at least once. */
POINTS_EXTERN int points_outbox_next(points_db *db, int64_t after_seq,
    points_outbox_event *out);
/* Delete the events up to and including through_seq; *out: how many. */
POINTS_EXTERN int points_outbox_prune(points_db *db, int64_t through_seq,
    int64_t *out);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_OUTBOX_H */
