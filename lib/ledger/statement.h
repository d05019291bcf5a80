/* statement.h - an account's entries in every asset at once, oldest
 * first, read from the time index (entry.h) a bucket at a time: what a
 * module lists an account's own records from (the mall's orders are its
 * holds) without an index of its own, which would cost every write a
 * random page. */
#ifndef POINTS_LEDGER_STATEMENT_H
#define POINTS_LEDGER_STATEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/db.h"

/* Where a walk stands: plain data, so an iterator may keep it as its
 * position (core/iter.h saves and restores it by copy). */
typedef struct points_statement_walk {
	int64_t account;
	int64_t from, to;      /* the window: from <= time < to */
	uint64_t bucket, last; /* the bucket read next, the last to read */
	int64_t after;         /* in that bucket: the entries past this seq */
	int done;
} points_statement_walk;

/* Start a walk over account's entries of every asset with from <= time
 * < to (to 0: no end).  It reads only the buckets between the time
 * index's first and last keys. */
int points_statement__walk_start(points_db *db, points_statement_walk *w,
    int64_t account, int64_t from, int64_t to);
/* The next up to max (1..POINTS_STATEMENT_WALK_MAX) entries' seqs, in
 * order, into seqs: *n of them, 0 when the walk is done.  A bucket
 * without entries of the account costs a seek. */
#define POINTS_STATEMENT_WALK_MAX 64
int points_statement__walk_next(points_db *db, points_statement_walk *w,
    int64_t *seqs, size_t max, size_t *n);

#endif
