/*
 * points/auction.h - auctions: accounts bid points for an item, the
 * highest bid wins.  Included by points.h.
 *
 * Every bid holds the bidder's points (a hold of category "auction");
 * only the leader's hold is open: a bid that takes the lead releases the
 * previous leader's hold in the same transaction, and a leader raising
 * its own bid releases its hold and holds the new amount (so an account
 * never has two holds in one auction).  At the end the leader's hold is
 * captured and, for a catalogue item, a mall order made; with no bid at
 * or over the reserve every hold is released (points_auction(3)).
 */
#ifndef POINTS_INCLUDE_AUCTION_H
#define POINTS_INCLUDE_AUCTION_H

#include <stdint.h>

#include "points/common.h"
#include "points/eligible.h"
#include "points/mall.h"

#ifdef __cplusplus
extern "C" {
#endif

#define POINTS_AUCTION_ITEM_MAX 128 /* an item described, UTF-8 */

/* The outbox event a bid that takes the lead writes for the leader it
 * beat (account that leader, subject "auction N", data: auction, item,
 * bid (the beaten bid), price (the new one), ends). */
#define POINTS_OUTBOX_AUCTION_OUTBID "auction.outbid"

/* An auction's state. */
#define POINTS_AUCTION_OPEN 0      /* taking bids (or due to settle) */
#define POINTS_AUCTION_SOLD 1      /* settled: the leader won */
#define POINTS_AUCTION_UNSOLD 2    /* settled: no bid at the reserve */
#define POINTS_AUCTION_CANCELLED 3 /* cancelled: every hold released */

/* An auction's definition (points_auction_create). */
typedef struct points_auction_def {
	char sku[POINTS_SKU_MAX + 1];  /* a catalogue item, or "" */
	char item[POINTS_AUCTION_ITEM_MAX + 1]; /* the item described
	                               * ("" with a sku: the item's name) */
	char asset[POINTS_ASSET_MAX + 1]; /* "" with a sku: the item's */
	int64_t starts, ends;          /* bids at starts <= t < ends */
	int64_t start_price;           /* the first bid's least, > 0 */
	int64_t increment;             /* a bid beats the leader by this, > 0 */
	int64_t reserve;               /* sold only at this or over; 0: none */
	int64_t snipe_window;          /* a bid in the last snipe_window
	                               * seconds before the end ... */
	int64_t snipe_extend;          /* ... moves the end this much later
	                               * (both 0: no anti-sniping) */
	/* who may bid (points/eligible.h): "" and 0 for anyone */
	int64_t min_balance;
	char tiers[POINTS_ELIGIBLE_LIST_MAX + 1];
	char departments[POINTS_ELIGIBLE_LIST_MAX + 1];
	char condition[POINTS_ELIGIBLE_CONDITION_MAX + 1];
} points_auction_def;

/* An auction as it stands (points_auction_get).  Past its end it reads
 * as settled as of the end (state SOLD or UNSOLD, settled_at the end)
 * whether or not the settlement has been written; capture_id and
 * order_id are set once it has (points_auction_settle, the sweep). */
typedef struct points_auction {
	int64_t id;
	char sku[POINTS_SKU_MAX + 1];
	char item[POINTS_AUCTION_ITEM_MAX + 1];
	char asset[POINTS_ASSET_MAX + 1];
	int64_t starts;
	int64_t ends;                  /* the end now (anti-sniping moves it) */
	int64_t scheduled_end;         /* the end at creation */
	int64_t start_price;
	int64_t increment;
	int64_t reserve;
	int64_t snipe_window;
	int64_t snipe_extend;
	int64_t min_balance;
	char tiers[POINTS_ELIGIBLE_LIST_MAX + 1];
	char departments[POINTS_ELIGIBLE_LIST_MAX + 1];
	char condition[POINTS_ELIGIBLE_CONDITION_MAX + 1];
	int state;                     /* POINTS_AUCTION_* */
	int64_t bids;                  /* bids so far */
	int64_t leader;                /* the leading account, 0: none */
	int64_t price;                 /* the leading bid, 0: none */
	char hold_id[POINTS_ID_LEN + 1]; /* the leader's open hold, "" */
	int64_t settled_at;            /* the end, or the cancel; 0: open */
	char capture_id[POINTS_ID_LEN + 1]; /* SOLD: the capture, once written */
	char order_id[POINTS_ID_LEN + 1];   /* SOLD with a sku: the order */
} points_auction;

/* One bid. */
typedef struct points_bid {
	int64_t auction;
	int64_t number;                /* 1, 2, ... in the auction */
	int64_t account;
	int64_t time;
	int64_t amount;
	char hold_id[POINTS_ID_LEN + 1]; /* the hold it made */
	int64_t ends;                  /* the auction's end after it */
	int replayed;                  /* 1: a repeated key's first bid */
} points_bid;

/* Create auction def; *out its id.  A catalogue item's unit is taken
 * from its stock now (given back if the auction is cancelled or not
 * sold). */
POINTS_EXTERN int points_auction_create(points_db *db,
    const points_auction_def *def, int64_t *out);
POINTS_EXTERN int points_auction_get(points_db *db, int64_t id,
    points_auction *out);
/* Bid amount points for account (idempotent by key, which may be
 * NULL). */
POINTS_EXTERN int points_auction_bid(points_db *db, int64_t auction,
    int64_t account, int64_t amount, const char *idempotency_key,
    points_bid *out);
/* Bid number of auction. */
POINTS_EXTERN int points_auction_bid_get(points_db *db, int64_t auction,
    int64_t number, points_bid *out);
/* Write the settlement of an auction past its end. */
POINTS_EXTERN int points_auction_settle(points_db *db, int64_t auction);
/* Cancel an open auction before its end: every hold released. */
POINTS_EXTERN int points_auction_cancel(points_db *db, int64_t auction);

/* The bids of an auction, first to last. */
typedef struct points_auction_bid_iterator points_auction_bid_iterator;
POINTS_EXTERN int points_auction_bid_iterator_new(points_db *db,
    int64_t auction, points_auction_bid_iterator **out);
POINTS_EXTERN int points_auction_bid_next(points_auction_bid_iterator *it,
    points_bid *out);
POINTS_EXTERN void points_auction_bid_iterator_free(
    points_auction_bid_iterator *it);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_AUCTION_H */
