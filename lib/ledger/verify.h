/* verify.h - the chunk of points_verify: how many records one read
 * transaction of the check reads at most. */
#ifndef POINTS_LEDGER_VERIFY_H
#define POINTS_LEDGER_VERIFY_H

#include <stddef.h>

/* Entries, balances or expiry index keys per read transaction:
 * POINTS_VERIFY_CHUNK.  Only tests change it, to cross chunk boundaries
 * with small ledgers; the library only reads it. */
extern size_t points_verify__chunk;

#endif
