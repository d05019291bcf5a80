/*
 * points/db.h - the ledger handle: open options, open and close, error
 * messages, the clock, batches, and the built-in stores a ledger can be
 * opened over.  Included by points.h.
 */
#ifndef POINTS_INCLUDE_DB_H
#define POINTS_INCLUDE_DB_H

#include "points/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Handle ---- */

typedef int64_t (*points_clock_fn)(void *ctx);

#define POINTS_OPEN_OPTIONS_VERSION 1
typedef struct points_open_options {
	unsigned int version;    /* POINTS_OPEN_OPTIONS_VERSION */
	points_clock_fn clock;   /* NULL: the system clock */
	void *clock_ctx;
	int32_t utc_offset;      /* seconds east of UTC, for calendar rules */
} points_open_options;
#define POINTS_OPEN_OPTIONS_INIT { POINTS_OPEN_OPTIONS_VERSION, NULL, NULL, 0 }
/* Fill opts with the defaults of version (POINTS_OPEN_OPTIONS_VERSION as
 * the caller was compiled): only that version's fields are written. */
POINTS_EXTERN int points_open_options_init(points_open_options *opts,
    unsigned int version);

/*
 * Open a ledger.  uri: "memory:" or "sqlite:PATH[?opt=val&...]" (options:
 * busy_timeout=MS, exclusive=1, sync=normal|full|off, wal_budget=BYTES).
 * opts may be NULL.  As with sqlite3_open, a failure after the handle was
 * made still stores it in *out so points_errmsg() can explain; close it.
 */
POINTS_EXTERN int points_open(const char *uri, const points_open_options *opts,
    points_db **out);
/* Open over a host's store.  The store is borrowed: close it after the
 * ledger. */
POINTS_EXTERN int points_open_store(points_store *store,
    const points_open_options *opts, points_db **out);
POINTS_EXTERN void points_close(points_db *db); /* NULL is accepted */
POINTS_EXTERN const char *points_errmsg(points_db *db);
POINTS_EXTERN int points_errcode(points_db *db);
/* The ledger's clock, now. */
POINTS_EXTERN int64_t points_now(points_db *db);

/* ---- Batches: many operations, one store transaction ---- */
POINTS_EXTERN int points_batch_begin(points_db *db);
POINTS_EXTERN int points_batch_commit(points_db *db);
POINTS_EXTERN int points_batch_rollback(points_db *db);

/* ---- Built-in stores ---- */

/* Backends built in, selected by URI:
 *   "memory:"            an ordered map in process
 *   "sqlite:/path/x.db"  one SQLite file, WAL
 * Options after '?' (sqlite): busy_timeout=MS, exclusive=1, sync=full|normal|off,
 * wal_budget=BYTES. */
POINTS_EXTERN int points_store_open(const char *uri, points_store **out);
/* Close any store; NULL is accepted. */
POINTS_EXTERN void points_store_close(points_store *s);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_DB_H */
