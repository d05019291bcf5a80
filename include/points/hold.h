/*
 * points/hold.h - holds: reserve points, then capture or release them.
 * Included by points.h.
 */
#ifndef POINTS_INCLUDE_HOLD_H
#define POINTS_INCLUDE_HOLD_H

#include "points/common.h"
#include "points/txn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Holds ---- */

#define POINTS_HOLD_OPEN 0
#define POINTS_HOLD_CAPTURED 1
#define POINTS_HOLD_RELEASED 2
#define POINTS_HOLD_EXPIRED 3

typedef struct points_hold {
	char id[POINTS_ID_LEN + 1]; /* the id of the HOLD transaction */
	int64_t account;
	char asset[POINTS_ASSET_MAX + 1];
	int64_t amount;
	int64_t captured;
	int64_t expires_at; /* 0: no deadline */
	int state;          /* POINTS_HOLD_* */
} points_hold;
/* Reserve p->amount of p->account (p->expires_at: deadline, 0 none). */
POINTS_EXTERN int points_hold_create(points_db *db, const points_posting *p,
    points_txn *out);

/* Settling a hold: request structs, as points_posting (points/txn.h). */
#define POINTS_CAPTURE_VERSION 2
typedef struct points_capture {
	unsigned int version;        /* POINTS_CAPTURE_VERSION */
	const char *hold_id;         /* the hold (its HOLD transaction's id) */
	int64_t amount;              /* 0: all of it; the rest is released */
	int64_t to;                  /* 0: the sink */
	const char *memo;            /* may be NULL */
	const char *idempotency_key; /* may be NULL */
	/* version 2 */
	const char *category;        /* as in points_posting */
	const char *actor;           /* as in points_posting */
} points_capture;
#define POINTS_CAPTURE_INIT { POINTS_CAPTURE_VERSION, NULL, 0, 0, NULL, NULL, NULL, NULL }
POINTS_EXTERN int points_capture_init(points_capture *c, unsigned int version);

#define POINTS_RELEASE_VERSION 2
typedef struct points_release {
	unsigned int version;        /* POINTS_RELEASE_VERSION */
	const char *hold_id;
	const char *memo;            /* may be NULL */
	const char *idempotency_key; /* may be NULL */
	/* version 2 */
	const char *category;        /* as in points_posting */
	const char *actor;           /* as in points_posting */
} points_release;
#define POINTS_RELEASE_INIT { POINTS_RELEASE_VERSION, NULL, NULL, NULL, NULL, NULL }
POINTS_EXTERN int points_release_init(points_release *r, unsigned int version);

/* Capture req->amount (0: all) into req->to (0: the sink); the rest is
 * released. */
POINTS_EXTERN int points_hold_capture(points_db *db, const points_capture *req,
    points_txn *out);
/* Return all of the hold to its account. */
POINTS_EXTERN int points_hold_release(points_db *db, const points_release *req,
    points_txn *out);
POINTS_EXTERN int points_hold_get(points_db *db, const char *hold_id,
    points_hold *out);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_HOLD_H */
