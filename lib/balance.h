/* balance.h - one compact record per (account, asset): the balances and
 * the open lots inline.  88% of the pages a posting dirties are balance
 * pages, so this record is kept small (varints, lots merged by day). */
#ifndef POINTS_BALANCE_H
#define POINTS_BALANCE_H

#include "points.h"
#include "db.h"
#include "lot.h"

typedef struct points_bal {
	int64_t account;
	uint32_t asset;
	int system;       /* a system account keeps no lots */
	int64_t available, held, earned, spent, expired;
	int64_t last_seq; /* the account's newest entry in this asset */
	points_lotlist lots;
	points_lotlist new_days; /* days to add to the sweep index */
} points_bal;

void points_bal__init(points_bal *b, int64_t account, uint32_t asset,
    int system);
void points_bal__free(points_bal *b);
/* Load from the store; a missing record is a zero balance. */
int points_balance__load(points_db *db, points_bal *b);
int points_balance__store(points_db *db, points_bal *b);
/* Credit lots of the balance (user accounts only; records new days). */
int points_balance__add_lot(points_db *db, points_bal *b, uint32_t day,
    int64_t amount);
int points_balance__decode(points_db *db, const void *v, size_t vl,
    points_bal *b);
/* POINTS_ESTATE with a message unless every asset balance is zero. */
int points_balance__all_zero(points_db *db, const points_account *a);
void points_balance__key(unsigned char k[12], int64_t account, uint32_t asset);

#endif
