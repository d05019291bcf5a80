/* idem.h - idempotency keys.  A request is reduced to a hash of the
 * fields that make it what it is; a key stores the hash and the
 * transaction it made. */
#ifndef POINTS_LEDGER_IDEM_H
#define POINTS_LEDGER_IDEM_H

#include "points.h"
#include "util/codec.h"
#include "core/db.h"

extern points_ksdef points_idem__ks;

/* A caller's key: NULL (none) or 1..POINTS_IDEM_MAX bytes of UTF-8;
 * else POINTS_EINVAL with a message ("" is refused). */
int points_idem__check_key(points_db *db, const char *key);
/* Idempotency: POINTS_OK (new request), POINTS_ITEROVER (a replay: *seq
 * is the entry the first request recorded) or POINTS_ECONFLICT.  key may
 * be NULL. */
int points_idem__check(points_db *db, const points_ksdef *ks,
    const char *key, const unsigned char hash[16], int64_t *seq);
/* The same on what a read of key gave (rc POINTS_OK with the value, or
 * POINTS_ENOTFOUND), for a record read together with others
 * (points_db__get_many).  Makes no store call. */
int points_idem__fetched(points_db *db, const char *key,
    const unsigned char hash[16], int rc, const void *v, size_t vl,
    int64_t *seq);
/* The seq key recorded in ks, whatever the request was; POINTS_ENOTFOUND
 * (no message) when the key has none. */
int points_idem__lookup(points_db *db, const points_ksdef *ks,
    const char *key, int64_t *seq);
/* ks: points_idem__ks, or a keyspace of the same records for writes
 * whose seq is not an entry's (points_write_op.idem_ks). */
int points_idem__record(points_db *db, const points_ksdef *ks,
    const char *key, const unsigned char hash[16], int64_t seq);
/* The request's fingerprint (BLAKE2b-128); POINTS_ESTORAGE, without a
 * message, when libsodium fails. */
int points_idem__req_hash(const points_buf *req, unsigned char out[16]);

#endif
