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
