/* lot.h - point lots: what is left of each credit, by expiry day. */
#ifndef POINTS_CORE_LOT_H
#define POINTS_CORE_LOT_H

#include <stddef.h>
#include <stdint.h>

#include "core/db.h"

typedef struct points_lotrec {
	uint32_t day; /* expiry day, POINTS_DAY_NEVER for never */
	int64_t amount;
} points_lotrec;

/* A list of lots, ascending by day, one entry per day.  All zeros is an
 * empty list; points_lotlist__init_with lends it the caller's storage
 * first (a posting's lists fit on its stack), and it moves to the heap
 * only if it outgrows that. */
typedef struct points_lotlist {
	size_t n, cap;
	points_lotrec *v;
	int lent; /* v is the caller's: never freed or reallocated */
} points_lotlist;

void points_lotlist__init_with(points_lotlist *l, points_lotrec *buf,
    size_t cap);
/* The same with an array's own length. */
#define points_lotlist__lend(l, buf) \
	points_lotlist__init_with((l), (buf), sizeof(buf) / sizeof((buf)[0]))
void points_lotlist__free(points_lotlist *l);
/* Room for n lots in all, so that pushing them allocates at most once. */
int points_lotlist__reserve(points_db *db, points_lotlist *l, size_t n);
int64_t points_lotlist__sum(const points_lotlist *l);
/* The lots of days before today (they are past due): how many (*n,
 * may be NULL) and their sum in *sum.  POINTS_ECORRUPT, with a message,
 * when the sum overflows. */
int points_lotlist__due(points_db *db, const points_lotlist *l,
    uint32_t today, size_t *n, int64_t *sum);
/* Add amount to the lot of day (merging); *is_new (may be NULL) tells
 * whether the day was not there. */
int points_lotlist__add(points_db *db, points_lotlist *l, uint32_t day,
    int64_t amount, int *is_new);
/* Append as it comes (no merging, no order): a record of movements. */
int points_lotlist__push(points_db *db, points_lotlist *l, uint32_t day,
    int64_t amount);
/* Take amount out of l: first from the days listed in prefer (in their
 * order), then earliest day first.  What was taken is pushed to taken
 * (may be NULL).  The caller has checked that l holds enough. */
int points_lotlist__take(points_db *db, points_lotlist *l, int64_t amount,
    const points_lotlist *prefer, points_lotlist *taken);
/* The part of src that a partial reversal returns: amount, taken from
 * the end of src after skipping the skip already returned. */
int points_lotlist__tail(points_db *db, const points_lotlist *src,
    int64_t skip, int64_t amount, points_lotlist *out);

#endif
