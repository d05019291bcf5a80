/* hold.h - holds: their writes, and what the expiry sweep needs. */
#ifndef POINTS_LEDGER_HOLD_H
#define POINTS_LEDGER_HOLD_H

#include "core/db.h"
#include "core/lot.h"
#include "ledger/write.h"

extern points_ksdef points_hold__ks;
extern points_ksdef points_hold__exp_ks;

/* A hold's record (key: its id, the HOLD entry's transaction id). */
typedef struct points_hold_rec {
	unsigned char id[POINTS_UUID_LEN];
	int state;          /* POINTS_HOLD_OPEN ... */
	int64_t account;
	uint32_t asset;
	int64_t amount, captured, expires_at;
	int64_t seq;        /* the HOLD entry */
	points_lotlist lots; /* open: the lots reserved */
} points_hold_rec;

/* Decode a stored hold record (text names it in messages); the caller
 * frees h->lots. */
int points_hold__decode(points_db *db, const unsigned char id[POINTS_UUID_LEN],
    const char *text, const void *v, size_t vl, points_hold_rec *h);
/* Its key in the deadline index (points_hold__exp_ks). */
void points_hold__exp_key(unsigned char k[8 + POINTS_UUID_LEN],
    const points_hold_rec *h);

/* The writes of holds and their requests (write.h). */
extern const points_reqtype points_hold__create_req;
extern const points_reqtype points_hold__capture_req;
extern const points_reqtype points_hold__release_req;
extern const points_write_op points_hold__create_op;
extern const points_write_op points_hold__capture_op;
extern const points_write_op points_hold__release_op;

/* Inside a write that is running (the body of another op: an order),
 * without an idempotency key: create a hold of p (*seq: its entry),
 * or capture all of hold hold_id into the sink (release 0) or release
 * it (release 1), with memo and meta (category and actor, either
 * NULL). */
int points_hold__create_within(points_db *db, const points_posting *p,
    points_txn *out, int64_t *seq);
int points_hold__settle_within(points_db *db, const char *hold_id,
    int release, const char *memo, const char *const meta[2],
    points_txn *out);
/* As points_hold__settle_within's capture, of amount (0: all of it; the
 * rest is released). */
int points_hold__capture_within(points_db *db, const char *hold_id,
    int64_t amount, const char *memo, const char *const meta[2],
    points_txn *out);

/* Release the open holds whose deadline is before as_of (state
 * POINTS_HOLD_EXPIRED), of asset asset (0: every asset), at most max of
 * them (the sweep's chunk), walking the deadline index from pos (its
 * length *poslen, 0: the start; both updated, so the sweep's next chunk
 * goes on after the holds of other assets); adds their number to
 * *count. */
int points_hold__expire(points_db *db, uint32_t asset, int64_t as_of,
    int64_t max, unsigned char pos[8 + POINTS_UUID_LEN + 1], size_t *poslen,
    int64_t *count);
/* Release hold id (its HOLD entry's id) if it is open (state
 * POINTS_HOLD_RELEASED, a RELEASE entry with memo and meta: category and
 * actor, either NULL): *released is the amount it held, 0 when it was
 * settled already. */
int points_hold__release_if_open(points_db *db,
    const unsigned char id[POINTS_UUID_LEN], const char *memo,
    const char *const meta[2], int64_t *released);

#endif
