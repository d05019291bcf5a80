/* lot_spill.h - a balance's lots past a bound, under their own keys.
 *
 * A balance keeps its earliest lots inline (balance.h), at most a bound
 * of them (POINTS_LOT_SPILL_BOUND); later ones spill to the keyspace
 * "lot_spill", one key per lot: the balance's key (8 bytes) and the day
 * (be32) -> the amount (a varint).  Every spilled day is later than
 * every inline day, so the inline list is the head of the balance's
 * lots in day order and the spill the rest; the balance record carries
 * how many lots are spilled, their sum and a day no spilled lot is
 * later than (points_lot_spill), so that a read or a check needs no
 * scan.  When lots are spilled the inline list is never empty: its
 * first lot is the balance's earliest (the sweep index's day).
 *
 * The functions below work on a balance's inline list and its spill
 * together, and write the spill keys as they go: a write runs in a
 * transaction (or a batch's savepoint) that a failure rolls back, so
 * the keys and the record are stored together or not at all. */
#ifndef POINTS_CORE_LOT_SPILL_H
#define POINTS_CORE_LOT_SPILL_H

#include <stddef.h>
#include <stdint.h>

#include "core/db.h"
#include "core/lot.h"

/* Lots kept inline before later ones spill (bench/README.md, "Lots
 * stay cheap": 32 lots fit a posting's lists on its stack). */
#define POINTS_LOT_SPILL_BOUND 32

extern points_ksdef points_lot_spill__ks;

/* What a balance record says of its spilled lots.  Small: every
 * posting zeroes and decodes a few balances. */
typedef struct points_lot_spill {
	int64_t sum;   /* their points */
	uint32_t n;    /* lots spilled */
	uint32_t last; /* no spilled lot is later; 0 when n is 0 */
} points_lot_spill;

/* The bound in force on db: a handle's own (tests), else the default. */
static inline size_t
points_lot_spill__bound(const points_db *db)
{
	return db->lot_bound ? db->lot_bound : POINTS_LOT_SPILL_BOUND;
}
/* Tests only: keep at most bound lots inline on db (0: the default).
 * Not an API: the bound changes no meaning, only where lots are kept. */
void points_lot_spill__set_bound(points_db *db, size_t bound);

/* Add amount to the lot of day; past the bound the latest inline lot
 * spills. */
int points_lot_spill__add(points_db *db, const unsigned char *bkey,
    points_lotlist *l, points_lot_spill *s, uint32_t day, int64_t amount);
/* Spill the inline lots past the bound: a record written before the
 * spill (or under a larger bound) gets there at its next write. */
int points_lot_spill__trim(points_db *db, const unsigned char *bkey,
    points_lotlist *l, points_lot_spill *s);
/* Take amount as points_lotlist__take does (prefer first, then the
 * earliest day), from the inline lots and the spilled ones: the
 * earliest spilled lots move inline as the inline ones run out.  The
 * caller has checked that there is enough. */
int points_lot_spill__take(points_db *db, const unsigned char *bkey,
    points_lotlist *l, points_lot_spill *s, int64_t amount,
    const points_lotlist *prefer, points_lotlist *taken);
/* Take every lot of a day before today (past due), inline and spilled,
 * pushing them to taken in day order; *sum is their points (0 and
 * nothing taken when none is due). */
int points_lot_spill__take_due(points_db *db, const unsigned char *bkey,
    points_lotlist *l, points_lot_spill *s, uint32_t today,
    points_lotlist *taken, int64_t *sum);
/* Append to out the spilled lots of days from from_day on, in day
 * order, at most max of them (0: all); POINTS_ECORRUPT with a message
 * for a damaged key or amount. */
int points_lot_spill__read(points_db *db, const unsigned char *bkey,
    const points_lot_spill *s, uint32_t from_day, size_t max,
    points_lotlist *out);
/* The points of spilled lots of days before today (a read's). */
int points_lot_spill__due(points_db *db, const unsigned char *bkey,
    const points_lot_spill *s, uint32_t today, int64_t *sum);
/* The key of the spilled lot of day in the balance of key bkey. */
void points_lot_spill__key(unsigned char k[12], const unsigned char bkey[8],
    uint32_t day);

#endif
