/*
 * points/sys/store.h - the storage vtable of libpoints, for backend
 * authors.
 *
 * A backend is an ordered key-value store with transactions and named
 * keyspaces (like LMDB's named databases).  Keys are byte strings compared
 * with memcmp.  All business logic lives above this interface: a backend
 * never knows what an account is.
 *
 * Like sqlite3_vfs, the struct starts with a version and only grows at the
 * end.  A method added in version N is called only when
 * s->version >= N and the pointer is not NULL.  A backend embeds
 * points_store as its first member; every method takes the backend itself
 * first, so that a wrapper (the fault-injecting store) stacks on any
 * backend.
 *
 * Return values: POINTS_OK, POINTS_ENOTFOUND (get: no such key),
 * POINTS_ITEROVER (cursor: no more rows), POINTS_EBUSY (the store is locked
 * by another process past its timeout), POINTS_ENOMEM, POINTS_ESTORAGE.
 */
#ifndef POINTS_INCLUDE_SYS_STORE_H
#define POINTS_INCLUDE_SYS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "points/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define POINTS_STORE_VERSION 1

/* Keyspace flags. */
/* Keys are exactly 8 bytes, a big-endian integer below 2^63, mostly
 * appended in increasing order (the entry log).  A backend may store them
 * as integers (SQLite: a rowid table). */
#define POINTS_KS_INTKEY 0x01u
/* Keys arrive mostly in increasing order, or are read mostly by range;
 * point lookups are rare.  A hint: a backend may skip structures that
 * only speed up point lookups (the memory backend's hash table). */
#define POINTS_KS_ORDERED 0x02u
#define POINTS_KS_FLAGS (POINTS_KS_INTKEY | POINTS_KS_ORDERED)

typedef struct points_keyspace points_keyspace; /* defined by the backend */
typedef struct points_cursor points_cursor;     /* defined by the backend */

struct points_store {
	unsigned int version; /* POINTS_STORE_VERSION */
	const char *name;     /* "memory", "sqlite", "fault", ... */

	/* Open (creating if needed) the keyspace called name (1-32 chars of
	 * [a-z0-9_]).  The keyspace lives as long as the store.  Opening
	 * the same name twice returns the same keyspace.  Called outside a
	 * transaction. */
	int (*keyspace)(points_store *s, const char *name, unsigned int flags,
	    points_keyspace **out);

	/* One transaction at a time per store.  write != 0 takes the write
	 * lock at once (SQLite: BEGIN IMMEDIATE).  Reads and writes are only
	 * allowed inside a transaction. */
	int (*begin)(points_store *s, int write);
	int (*commit)(points_store *s);
	/* Rollback always ends the transaction, even when it reports an
	 * error; it must not fail for lack of memory. */
	int (*rollback)(points_store *s);

	/* Borrowed: *val is valid until the next call on this store. */
	int (*get)(points_store *s, points_keyspace *ks, const void *key,
	    size_t klen, const void **val, size_t *vlen);
	/* Insert or replace. */
	int (*put)(points_store *s, points_keyspace *ks, const void *key,
	    size_t klen, const void *val, size_t vlen);
	/* Deleting a missing key is POINTS_OK. */
	int (*del)(points_store *s, points_keyspace *ks, const void *key,
	    size_t klen);

	/* A cursor over lo <= key < hi (NULL bound = unbounded), ascending
	 * or, when reverse != 0, descending.  Closed before the transaction
	 * ends.  Writes to the keyspace while a cursor is open are allowed
	 * only for the key the cursor last returned (delete or replace). */
	int (*cursor_open)(points_store *s, points_keyspace *ks,
	    const void *lo, size_t lolen, const void *hi, size_t hilen,
	    int reverse, points_cursor **out);
	/* Borrowed: key and value are valid until the next call on this
	 * cursor or store.  POINTS_ITEROVER at the end. */
	int (*cursor_next)(points_store *s, points_cursor *c,
	    const void **key, size_t *klen, const void **val, size_t *vlen);
	void (*cursor_close)(points_store *s, points_cursor *c);

	/* Free the backend and everything it holds.  An open transaction is
	 * rolled back. */
	void (*close)(points_store *s);
};

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_SYS_STORE_H */
