/* expiry.h - the expiry sweep's chunk: how much work one write
 * transaction of points_expire_sweep does at most.  (Expiry when a write
 * touches an account: posting.h.) */
#ifndef POINTS_LEDGER_EXPIRY_H
#define POINTS_LEDGER_EXPIRY_H

#include <stddef.h>

/* Units of work (an expired hold, or a balance whose due lots expire)
 * per write transaction of the sweep: POINTS_SWEEP_CHUNK.  Only tests
 * change it, to cross chunk boundaries with small ledgers; the library
 * only reads it. */
extern size_t points_expiry__chunk;

#endif
