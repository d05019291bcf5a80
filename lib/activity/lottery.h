/* lottery.h - the lottery's internals that tests reach. */
#ifndef POINTS_ACTIVITY_LOTTERY_H
#define POINTS_ACTIVITY_LOTTERY_H

#include <stddef.h>
#include <stdint.h>

#include "points.h"
#include "core/db.h"
#include "core/module.h"

/* The lottery's keyspace of its id counter and the accounts' counts
 * (lottery.c says what each keyspace holds). */
extern points_ksdef points_lottery__ks;

/* The keyspace of the draws, and the key of draw n of lottery id in
 * it: id << 32 | n, 8 bytes big-endian (both below 2^31). */
extern points_ksdef points_lottery__draw_ks;
size_t points_lottery__draw_key(unsigned char *k, int64_t id, int64_t n);

/* The key 'p' | account | id of an account's counts in lottery id (17
 * bytes). */
size_t points_lottery__player_key(unsigned char *k, int64_t account,
    int64_t id);
/* An account's counts in a lottery: its draws in all, the day of its
 * last draw, its draws that day, and the number of its last draw. */
typedef struct points_lottery__count {
	int64_t total, day, today, last;
} points_lottery__count;
int points_lottery__count_decode(points_db *db, int64_t id, int64_t account,
    const void *v, size_t vl, points_lottery__count *c);
/* Draw n of lottery id, from the store or from its stored value v;
 * *prev (may be NULL): the account's previous draw in the lottery, 0
 * for none. */
int points_lottery__draw_load(points_db *db, int64_t id, int64_t n,
    points_lottery_draw *w, int64_t *prev);
int points_lottery__draw_decode(points_db *db, int64_t id, int64_t n,
    const void *v, size_t vl, points_lottery_draw *w, int64_t *prev);

/* Tests only (not exported): when set, a new lottery's seed is this
 * function's instead of randombytes_buf's, so odds tests are not
 * flaky.  Hosts cannot reach it: the library exports only POINTS_EXTERN
 * symbols. */
extern void (*points_lottery__seed_hook)(unsigned char seed[32]);

/* The outcome of draw number of lottery id: the prize's index among
 * n (weights w, stock s: a prize with s == 0 drops out), or n for the
 * losing outcome (weight lose).  -1 when nothing is left to draw. */
int points_lottery__pick(const unsigned char seed[32], int64_t id,
    int64_t number, const int64_t *w, const int64_t *s, int n, int64_t lose);

#endif
