/* idem.h - idempotency keys.  A request is reduced to a hash of the
 * fields that make it what it is; a key stores the hash and the
 * transaction it made. */
#ifndef POINTS_LEDGER_IDEM_H
#define POINTS_LEDGER_IDEM_H

#include "points.h"
#include "util/codec.h"
#include "core/db.h"

extern points_ksdef points_ledger__idem_ks;

/* Idempotency: POINTS_OK (new request), POINTS_ITEROVER (a replay: *out
 * filled, replayed = 1) or POINTS_ECONFLICT.  key may be NULL. */
int points_ledger__idem_check(points_db *db, const char *key,
    const unsigned char hash[16], points_txn *out);
/* The check in two halves, for a record read together with others
 * (points__get_many): what the read of key gave (rc POINTS_OK with the
 * value, or POINTS_ENOTFOUND) -> POINTS_OK (new request), POINTS_ITEROVER
 * (a replay of the transaction at *seq) or POINTS_ECONFLICT; then the
 * replay, which reads the entry: POINTS_ITEROVER with *out filled. */
int points_ledger__idem_fetched(points_db *db, const char *key,
    const unsigned char hash[16], int rc, const void *v, size_t vl,
    int64_t *seq);
int points_ledger__idem_replay(points_db *db, int64_t seq, points_txn *out);
int points_ledger__idem_record(points_db *db, const char *key,
    const unsigned char hash[16], int64_t seq);
void points_ledger__req_hash(const points_buf *req, unsigned char out[16]);

#endif
