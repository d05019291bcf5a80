/* prefetch.h - what a movement between two balances reads, in one store
 * call. */
#ifndef POINTS_LEDGER_PREFETCH_H
#define POINTS_LEDGER_PREFETCH_H

#include "points.h"
#include "core/balance.h"
#include "core/db.h"

/* Read, with one points__get_many (one round trip to a store that has
 * get_many), the idempotency record of key (NULL: none), the balances
 * from and to (their account and asset set; from may be to), and a probe
 * of the entry log's tail (entry.h).  Then, as
 * points_ledger__idem_check: POINTS_ITEROVER for a replay (*replay
 * filled; the entry is read then), POINTS_ECONFLICT, or POINTS_OK with
 * both balances loaded as points_balance__load loads them.  The parties
 * are not checked: points_balance__check_party does that. */
int points_ledger__prefetch(points_db *db, const char *key,
    const unsigned char hash[16], points_txn *replay, points_bal *from,
    points_bal *to);

#endif
