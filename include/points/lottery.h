/* lottery.h - lotteries whose draws anyone can audit.
 *
 * At creation a lottery draws a secret seed (32 bytes from libsodium's
 * randombytes_buf) and publishes its commitment, BLAKE2b-256 of the
 * seed.  Each draw's outcome is a keyed BLAKE2b of the lottery id and
 * the draw's number, mapped without modulo bias onto the weights of the
 * prizes still in stock (points_lottery(3) gives the exact bytes).
 * Closing reveals the seed; points_lottery_audit recomputes every draw. */
#ifndef POINTS_LOTTERY_H
#define POINTS_LOTTERY_H

#include <stdint.h>

#include "points/common.h"
#include "points/eligible.h"
#include "points/mall.h"

#ifdef __cplusplus
extern "C" {
#endif

#define POINTS_LOTTERY_NAME_MAX 64
#define POINTS_LOTTERY_PRIZES_MAX 16
#define POINTS_LOTTERY_LABEL_MAX 64
#define POINTS_LOTTERY_SEED_LEN 32
#define POINTS_LOTTERY_HEX_LEN 64 /* a seed or commitment in hex */

/* A prize's kind. */
#define POINTS_PRIZE_POINTS 1 /* amount points credited */
#define POINTS_PRIZE_CUSTOM 2 /* the host fulfils it */
#define POINTS_PRIZE_ITEM 3   /* a unit of catalogue item sku, as a mall
                               * order approved at 0 points */

/* The outcome of a losing draw. */
#define POINTS_LOTTERY_LOSE (-1)

/* The outbox's event of a winning draw (points_outbox_next): subject
 * "lottery:ID", data {"lottery", "name", "draw", "account" (the external
 * id), "prize" (its index), "label", "kind" ("points", "custom", "item"),
 * "credited", and for an item prize "sku" and "order" (the order's id)}. */
#define POINTS_OUTBOX_LOTTERY_WON "lottery.won"

#define POINTS_LOTTERY_OPEN 0
#define POINTS_LOTTERY_CLOSED 1

typedef struct points_lottery_prize {
	int kind;          /* POINTS_PRIZE_* */
	char label[POINTS_LOTTERY_LABEL_MAX + 1];
	int64_t weight;    /* > 0 */
	int64_t stock;     /* units left, > 0 at creation */
	int64_t initial;   /* units at creation (set by the library) */
	int64_t amount;    /* POINTS_PRIZE_POINTS: points credited */
	/* POINTS_PRIZE_ITEM: the catalogue item; its stock units leave the
	 * catalogue at creation, those left go back at close */
	char sku[POINTS_SKU_MAX + 1];
} points_lottery_prize;

/* A lottery's definition (points_lottery_create). */
typedef struct points_lottery_def {
	char name[POINTS_LOTTERY_NAME_MAX + 1];
	char asset[POINTS_ASSET_MAX + 1];
	int64_t cost;               /* points per draw, 0: free */
	int64_t starts, ends;       /* draws at starts <= t < ends */
	int64_t min_balance;        /* eligible with at least this available */
	int64_t limit_day;          /* draws per account per UTC day, 0: none */
	int64_t limit_total;        /* draws per account, 0: none */
	int64_t lose_weight;        /* weight of a losing draw, >= 0 */
	int64_t consolation;        /* points a losing draw credits, >= 0 */
	int nprizes;                /* 1..POINTS_LOTTERY_PRIZES_MAX */
	points_lottery_prize prizes[POINTS_LOTTERY_PRIZES_MAX];
	/* who else may draw (points/eligible.h): "" for anyone */
	char tiers[POINTS_ELIGIBLE_LIST_MAX + 1];
	char departments[POINTS_ELIGIBLE_LIST_MAX + 1];
	char condition[POINTS_ELIGIBLE_CONDITION_MAX + 1];
} points_lottery_def;

/* A lottery as it stands (points_lottery_get); its prizes are read with
 * points_lottery_prize_get. */
typedef struct points_lottery {
	int64_t id;
	char name[POINTS_LOTTERY_NAME_MAX + 1];
	char asset[POINTS_ASSET_MAX + 1];
	int64_t cost;
	int64_t starts;
	int64_t ends;
	int64_t min_balance;
	int64_t limit_day;
	int64_t limit_total;
	int64_t lose_weight;
	int64_t consolation;
	int nprizes;
	int state;                  /* POINTS_LOTTERY_OPEN, _CLOSED */
	int64_t draws;              /* draws so far */
	char commitment[POINTS_LOTTERY_HEX_LEN + 1]; /* BLAKE2b-256 of the
	                            * seed, in hex */
	char seed[POINTS_LOTTERY_HEX_LEN + 1]; /* in hex, "" until closed */
	char tiers[POINTS_ELIGIBLE_LIST_MAX + 1];
	char departments[POINTS_ELIGIBLE_LIST_MAX + 1];
	char condition[POINTS_ELIGIBLE_CONDITION_MAX + 1];
} points_lottery;

/* Create lottery def (each prize's initial is ignored); *out its id. */
POINTS_EXTERN int points_lottery_create(points_db *db,
    const points_lottery_def *def, int64_t *out);
POINTS_EXTERN int points_lottery_get(points_db *db, int64_t id,
    points_lottery *out);
/* Prize index (0..nprizes-1) of lottery id, its stock as it stands. */
POINTS_EXTERN int points_lottery_prize_get(points_db *db, int64_t id,
    int index, points_lottery_prize *out);

typedef struct points_lottery_draw {
	int64_t lottery;
	int64_t number;   /* 1, 2, ... in the lottery */
	int64_t account;
	int64_t time;
	int outcome;      /* the prize's index, or POINTS_LOTTERY_LOSE */
	int64_t cost;     /* points debited */
	int64_t credited; /* points credited (a points prize, a consolation) */
	int replayed;     /* 1: a repeated idempotency key's first draw */
	/* an item prize won: its mall order (approved, 0 points), else "" */
	char order_id[POINTS_ID_LEN + 1];
} points_lottery_draw;

/* One draw for account (idempotent by key, which may be NULL). */
POINTS_EXTERN int points_lottery_draw_once(points_db *db, int64_t lottery,
    int64_t account, const char *idempotency_key, points_lottery_draw *out);
/* Draw number of lottery. */
POINTS_EXTERN int points_lottery_draw_get(points_db *db, int64_t lottery,
    int64_t number, points_lottery_draw *out);
/* What a lottery has done so far: every figure read in one
 * transaction.  The units of each prize won are its initial - stock
 * (points_lottery_prize_get); who won, the draws of
 * points_lottery_draw_iterator_new with POINTS_DRAWS_WON. */
typedef struct points_lottery_results {
	int64_t lottery;
	int state;             /* POINTS_LOTTERY_OPEN, _CLOSED */
	int64_t participants;  /* accounts that drew */
	int64_t draws;
	int64_t wins;          /* draws that won a prize */
	int64_t collected;     /* points the draws cost */
	int64_t credited;      /* points credited: points prizes and
	                        * consolations */
} points_lottery_results;
POINTS_EXTERN int points_lottery_results_get(points_db *db, int64_t lottery,
    points_lottery_results *out);

/* The draws of one lottery (account 0), by number; or of one account
 * (lottery 0: in every lottery), by lottery, each lottery's newest
 * first.  flags: POINTS_DRAWS_WON for the winning draws only.  Each
 * step reads in its own short transaction (a chunk of draws). */
#define POINTS_DRAWS_WON 0x01u
typedef struct points_lottery_draw_iterator points_lottery_draw_iterator;
POINTS_EXTERN int points_lottery_draw_iterator_new(points_db *db,
    int64_t lottery, int64_t account, unsigned int flags,
    points_lottery_draw_iterator **out);
/* POINTS_OK and the next draw in *out, or POINTS_ITEROVER at the end. */
POINTS_EXTERN int points_lottery_draw_next(points_lottery_draw_iterator *it,
    points_lottery_draw *out);
POINTS_EXTERN void points_lottery_draw_iterator_free(
    points_lottery_draw_iterator *it);

/* Close the lottery: no more draws, the seed revealed. */
POINTS_EXTERN int points_lottery_close(points_db *db, int64_t lottery);
/* Recompute every draw from the revealed seed: POINTS_OK, or
 * POINTS_ECORRUPT with *out the first draw whose stored outcome differs
 * (0 otherwise; out may be NULL). */
POINTS_EXTERN int points_lottery_audit(points_db *db, int64_t lottery,
    int64_t *out);

#ifdef __cplusplus
}
#endif

#endif
