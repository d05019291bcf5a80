/* hold.h - holds, for the expiry sweep. */
#ifndef POINTS_LEDGER_HOLD_H
#define POINTS_LEDGER_HOLD_H

#include "core/db.h"

extern points_ksdef points_hold__ks;
extern points_ksdef points_hold__exp_ks;

/* Release the open holds whose deadline is before as_of (state
 * POINTS_HOLD_EXPIRED), at most max of them (the sweep's chunk); adds
 * their number to *count. */
int points_hold__expire(points_db *db, int64_t as_of, int64_t max,
    int64_t *count);

#endif
