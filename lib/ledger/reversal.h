/* reversal.h - reversals: the request and the write, for the tests. */
#ifndef POINTS_LEDGER_REVERSAL_H
#define POINTS_LEDGER_REVERSAL_H

#include "core/db.h"
#include "ledger/write.h"

extern points_ksdef points_reversal__ks;
extern const points_reqtype points_reversal__req;
extern const points_write_op points_reversal__op;

/* A reversal inside a write that is running (the body of another op):
 * no idempotency key of its own (POINTS_EINVAL). */
int points_reversal__within(points_db *db, const points_reversal *req,
    points_txn *out);

/* 1 when an entry of this type can be reversed (points_reverse and
 * points_verify both ask here). */
int points_reversal__reversible(int type);

#endif
