/* reversal.h - reversals: the request and the write, for the tests. */
#ifndef POINTS_LEDGER_REVERSAL_H
#define POINTS_LEDGER_REVERSAL_H

#include "core/db.h"
#include "ledger/entry.h"
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

/* What of the original the reversals before reversal e returned (0 for
 * the first, and for reversals written before libpoints 0.2 recorded
 * it): POINTS_ENTRY_EXT_REVERSED, one varint > 0.  A reversal unwinds
 * the original from its end past that much, as its lots do; the reports
 * that split an earn between the rules that paid it do the same. */
int points_reversal__before(points_db *db, const points_entry_rec *e,
    int64_t *before);

#endif
