/* pool_party.h - budget pools in postings: who may pay and receive in
 * a funding, and the roles a pool may not take in other postings. */
#ifndef POINTS_LEDGER_POOL_PARTY_H
#define POINTS_LEDGER_POOL_PARTY_H

#include "points.h"
#include "core/balance.h"
#include "core/db.h"

/* The accounts of a funding (type POINTS_TXN_FUND) or a defunding
 * (POINTS_TXN_DEFUND) from the request alone. */
int points_pool_party__route(points_db *db, int type, const points_posting *p,
    int64_t *from, int64_t *to);
/* The parties of a funding or defunding, their balances loaded: the
 * pool side a pool, the other a system account, neither closed or
 * frozen. */
int points_pool_party__check(points_db *db, int type,
    points_balance_rec *from, points_balance_rec *to);
/* POINTS_EINVAL when b, the payee of a user's posting (what), is a
 * pool: points reach a pool only by a funding (or a reversal, or an
 * administrator's adjustment). */
int points_pool_party__payee(points_db *db, const points_balance_rec *b,
    const char *what);

#endif
