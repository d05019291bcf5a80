/* reversal.h - reversals: the request and the write, for the tests. */
#ifndef POINTS_LEDGER_REVERSAL_H
#define POINTS_LEDGER_REVERSAL_H

#include "core/db.h"
#include "ledger/write.h"

extern points_ksdef points_reversal__ks;
extern const points_reqtype points_reversal__req;
extern const points_write_op points_reversal__op;

/* 1 when an entry of this type can be reversed (points_reverse and
 * points_verify both ask here). */
int points_reversal__reversible(int type);

#endif
