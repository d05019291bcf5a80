/* store.h - internal side of the storage layer: the built-in backends'
 * constructors and the helpers they share.  The public vtable contract is
 * include/points/sys/store.h. */
#ifndef POINTS_STORE_STORE_H
#define POINTS_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "points/sys/store.h"

/* The "memory:" backend: a B+tree per keyspace (store_memory.c). */
int points_memory__new(points_store **out);

/* The "sqlite:" backend (store_sqlite.c).  path is the file name; opts is
 * the text after '?' ("busy_timeout=MS&sync=full&...") or NULL.  Bad
 * options are POINTS_EINVAL, and so is a file that holds another
 * application's database (left as it was).  With mode=rw a file that
 * is missing or holds no ledger is POINTS_ENOTFOUND, and *existing
 * (may be NULL) is set to 1 on success: the ledger must exist.  On
 * failure a reason is written to err (errlen bytes, may be 0). */
int points_sqlite__new(const char *path, const char *opts,
    points_store **out, int *existing, char *err, size_t errlen);

/* What the SQLite backend calls to learn whether the SQLite it runs on
 * is thread-safe: sqlite3_threadsafe().  A single-threaded SQLite
 * (SQLITE_THREADSAFE=0) is refused at open with POINTS_ESTORAGE.  Only
 * tests replace it, to reach that refusal on a thread-safe SQLite. */
extern int (*points_sqlite__threadsafe)(void);

/* Backups with SQLite's online backup API (report/backup.c): 1 when s
 * is the SQLite backend's store, else 0. */
int points_sqlite__is(const points_store *s);
/* The pages of s's database, at one moment, into the file at path
 * (created).  POINTS_OK, or a code with the reason in err. */
int points_sqlite__backup(points_store *s, const char *path, char *err,
    size_t errlen);
/* The pages of the SQLite file from into s's database, in one
 * transaction of s: on failure s is as it was. */
int points_sqlite__restore(points_store *s, const char *from, char *err,
    size_t errlen);

/* points_store_open, with the reason for a failure in err; *existing
 * (may be NULL) is 1 when the URI asks for an existing ledger only
 * (mode=rw), else 0. */
int points_store__open(const char *uri, points_store **out, int *existing,
    char *err, size_t errlen);

/* The store's message for its last failure through its errmsg method
 * (version 2), or NULL when it has none or no such method (version 1):
 * never an empty string. */
const char *points_store__message(points_store *s);

/* A 64-bit hash of a key, for in-memory tables (the memory backend's
 * index, the read cache). */
uint64_t points_store__key_hash(const void *key, size_t n);

/* 1 when name is a valid keyspace name: 1-32 chars of [a-z0-9_]. */
int points_store__valid_name(const char *name);

#endif
