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

#define POINTS_OPEN_OPTIONS_VERSION 3
/* utc_offset: take the ledger's own (0 when the open creates it). */
#define POINTS_UTC_OFFSET_LEDGER INT32_MIN
/* The most partitions a ledger's log may have. */
#define POINTS_PARTITIONS_MAX 1024
typedef struct points_open_options {
	unsigned int version;    /* POINTS_OPEN_OPTIONS_VERSION */
	points_clock_fn clock;   /* NULL: the system clock */
	void *clock_ctx;
	/* Seconds east of UTC, for calendar rules.  It is stored in the
	 * ledger when the ledger is created, and a ledger keeps it: an
	 * open with another value fails (POINTS_EINVAL).
	 * POINTS_UTC_OFFSET_LEDGER (the default of version 2): use the
	 * ledger's.  Version 1 had 0 as its default, so there 0 means
	 * the ledger's too, and other values must match. */
	int32_t utc_offset;
	/* version 3 */
	/* The partitions of the ledger's log (README: "A log in
	 * partitions"), fixed when the open creates the ledger: 1 to
	 * POINTS_PARTITIONS_MAX, or 0 (the default): the store's own
	 * default, 64 on PostgreSQL, where writers of many processes
	 * meet, and 1 on the others.  An open of an existing ledger with
	 * a count other than its own fails (POINTS_EINVAL); 0 takes the
	 * ledger's. */
	unsigned int partitions;
} points_open_options;
#define POINTS_OPEN_OPTIONS_INIT { POINTS_OPEN_OPTIONS_VERSION, NULL, NULL, \
	POINTS_UTC_OFFSET_LEDGER, 0 }
/* Fill opts with the defaults of version (POINTS_OPEN_OPTIONS_VERSION as
 * the caller was compiled): only that version's fields are written. */
POINTS_EXTERN int points_open_options_init(points_open_options *opts,
    unsigned int version);

/*
 * Open a ledger.  uri: "memory:" or "sqlite:PATH[?opt=val&...]" (options:
 * busy_timeout=MS, exclusive=1, sync=normal|full|off, wal_budget=BYTES,
 * mode=rwc|rw: rwc, the default, creates the ledger when the file is
 * new or empty; rw opens an existing ledger only).  A file that holds
 * another application's tables is refused and left as it was.
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

/* The settings stored in the ledger when it was created. */
typedef struct points_settings {
	int utc_offset; /* seconds east of UTC: the ledger's calendar days */
} points_settings;
POINTS_EXTERN int points_settings_get(points_db *db, points_settings *out);

/* ---- Batches: many operations, one store transaction ---- */
POINTS_EXTERN int points_batch_begin(points_db *db);
POINTS_EXTERN int points_batch_commit(points_db *db);
POINTS_EXTERN int points_batch_rollback(points_db *db);

/* ---- Built-in stores ---- */

/* Backends built in, selected by URI:
 *   "memory:"            an ordered map in process
 *   "sqlite:/path/x.db"  one SQLite file, WAL
 * Options after '?' (sqlite): busy_timeout=MS, exclusive=1, sync=full|normal|off,
 * wal_budget=BYTES, mode=rwc|rw (rw: the file must hold a ledger).
 * "memory:?mode=rw" is POINTS_EINVAL: a new memory store is empty. */
POINTS_EXTERN int points_store_open(const char *uri, points_store **out);
/* Close any store; NULL is accepted. */
POINTS_EXTERN void points_store_close(points_store *s);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_DB_H */
