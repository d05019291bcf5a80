/*
 * points/balance.h - an account's balance in one asset.  Included by
 * points.h.
 */
#ifndef POINTS_INCLUDE_BALANCE_H
#define POINTS_INCLUDE_BALANCE_H

#include "points/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Balances ---- */

typedef struct points_balance {
	int64_t account;
	char asset[POINTS_ASSET_MAX + 1];
	int64_t available;
	int64_t held;
	int64_t earned;  /* lifetime credits (earn, transfer in, ...) */
	int64_t spent;   /* lifetime debits (spend, transfer out, ...) */
	int64_t expired; /* lifetime expired */
	int64_t debt;    /* points owed: a reversal took back more than was
	                  * available; the next credits repay it first.
	                  * earned - spent - expired ==
	                  * available + pending + held - debt */
	int64_t pending; /* points credited but not spendable yet: an
	                  * earning rule's pending points (points_rule_save),
	                  * available by themselves when their days are
	                  * over; not in available */
} points_balance;
/* An account that never held the asset has a zero balance. */
POINTS_EXTERN int points_balance_get(points_db *db, int64_t account,
    const char *asset, points_balance *out);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_BALANCE_H */
