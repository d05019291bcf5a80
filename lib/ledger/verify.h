/* verify.h - the chunk of points_verify: how many records one read
 * transaction of the check reads at most. */
#ifndef POINTS_LEDGER_VERIFY_H
#define POINTS_LEDGER_VERIFY_H

#include <stddef.h>

#include "core/db.h"

/* Entries, balances or expiry index keys per read transaction:
 * POINTS_VERIFY_CHUNK.  Only tests change it, to cross chunk boundaries
 * with small ledgers; the library only reads it. */
extern size_t points_verify__chunk;

/* Each asset's balances sum to zero, exactly (two words: any number of
 * balances, sums past int64 told as such): POINTS_OK, or
 * POINTS_ECORRUPT with what fails in msg.  The n balances are at bals,
 * stride bytes apart (a points_balance_rec first in each), those of
 * account 0 skipped.  Any number of assets. */
int points_verify__sums(points_db *db, const void *bals, size_t n,
    size_t stride, char *msg, size_t cap);

/* The head of each of the log's partitions (entry.h), in partition
 * order, at most cap of them; *n: how many the ledger has.  Its own
 * read transaction. */
int points_verify__heads(points_db *db, points_chain_head *out, size_t cap,
    size_t *n);

#endif
