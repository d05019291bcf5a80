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
 * s->version >= N and the pointer is not NULL: a backend written for
 * version 1 keeps working, and the methods of versions 2, 3 and 4 are
 * optional.  A
 * backend embeds points_store as its first member; every method takes the
 * backend itself first, so that a wrapper (the fault-injecting store)
 * stacks on any backend.
 *
 * Return values.  Every method that returns int returns POINTS_OK or one
 * of the codes listed at the method; what they mean:
 *   POINTS_ENOTFOUND  get: no such key (not an error)
 *   POINTS_ITEROVER   cursor_next: no more rows (not an error)
 *   POINTS_EBUSY      the store is locked by another process past its
 *                     timeout (pessimistic locking: SQLite)
 *   POINTS_ERETRY     an optimistic conflict or serialization failure:
 *                     another writer won; the transaction is over (the
 *                     library rolls back) and the whole operation may be
 *                     run again
 *   POINTS_ELIMIT     a limit of the store: a key or value too large, a
 *                     transaction too large or too long
 *   POINTS_ENOMEM     out of memory
 *   POINTS_ESTORAGE   anything else failed (I/O, a lost connection)
 *   POINTS_EINVAL, POINTS_EMISUSE  the caller broke this contract (a bug
 *                     above the store, never the user's input)
 * A method may return the codes of its line below and POINTS_ENOMEM,
 * POINTS_ESTORAGE, POINTS_EINVAL and POINTS_EMISUSE.  The library reports
 * POINTS_EBUSY, POINTS_ERETRY, POINTS_ELIMIT, POINTS_ENOMEM and
 * POINTS_ESTORAGE to its caller as they are; any other failure (or a
 * POINTS_ENOTFOUND or POINTS_ITEROVER where none can be) as
 * POINTS_ESTORAGE, with the store's message (errmsg) when it has one.
 *
 * Isolation, what the library relies on:
 *  - One transaction at a time per store, used by one thread at a time.
 *  - A read transaction sees one snapshot: what was committed when it
 *    began (or at its first read), unchanged by writers that commit
 *    meanwhile.
 *  - Write transactions are serializable: the result is as if they ran
 *    one after another.  A backend may get there by locking (SQLite: one
 *    writer at a time, taken at begin) or optimistically, failing a
 *    conflicting transaction with POINTS_ERETRY at any call up to and
 *    including commit.
 *  - Inside a transaction, get, get_many and cursors see the
 *    transaction's own writes.  A backend may buffer puts and deletes
 *    until commit (so that they cost no round trip), provided its own
 *    reads and cursors in that transaction see them.
 *  - Cursors: while a cursor is open the library writes to its keyspace
 *    only to delete or replace the key the cursor last returned; the
 *    cursor then goes on with the next key after that one, as if it
 *    re-sought past it (writes to other keyspaces do not affect it).
 *    Every cursor is closed before its transaction ends; one used after
 *    that fails with POINTS_EMISUSE.
 */
#ifndef POINTS_INCLUDE_SYS_STORE_H
#define POINTS_INCLUDE_SYS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "points/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define POINTS_STORE_VERSION 5

/* Keyspace flags. */
/* Keys are exactly 8 bytes, a big-endian integer below 2^63, mostly
 * appended in increasing order (the entry log).  A backend may store them
 * as integers (SQLite: a rowid table). */
#define POINTS_KS_INTKEY 0x01u
/* Keys arrive mostly in increasing order, or are read mostly by range;
 * point lookups are rare.  A hint: a backend may skip structures that
 * only speed up point lookups (the memory backend's hash table). */
#define POINTS_KS_ORDERED 0x02u
/* Version 2.  Keys are exactly 8 bytes, a big-endian integer below 2^63,
 * read and written in any order (balances by account and asset).  A
 * backend may store them as integers (SQLite: a rowid table), as for
 * POINTS_KS_INTKEY, which differs only in promising appends; cursors
 * still follow memcmp order, with bounds of any length.  Not together
 * with POINTS_KS_INTKEY.  Like ORDERED it changes no meaning: a backend
 * may ignore it, and one that gains version 2 must accept it for a
 * keyspace it made without it (SQLite keeps such a table as blobs).  A
 * version-1 backend is never given it. */
#define POINTS_KS_INT64 0x04u
/* Version 5.  Its values are rewritten often, each key many times
 * (balances: every posting writes two).  A hint, changing no meaning: a
 * backend may leave room beside each value for its next version
 * (PostgreSQL: the table's fillfactor, so that an update stays on its
 * page and adds no index entry).  A backend may ignore it, and must
 * accept it for a keyspace it made without it; a backend of an older
 * version is never given it. */
#define POINTS_KS_REWRITTEN 0x08u
#define POINTS_KS_FLAGS (POINTS_KS_INTKEY | POINTS_KS_ORDERED | \
	POINTS_KS_INT64 | POINTS_KS_REWRITTEN)

typedef struct points_keyspace points_keyspace; /* defined by the backend */
typedef struct points_cursor points_cursor;     /* defined by the backend */

/* One read of read_many (version 4): a key, or the last key of a range.
 * The caller fills ks, key, klen, lo and lolen; the store the rest. */
typedef struct points_store_read {
	points_keyspace *ks;
	const void *key;  /* the key; a range's end, excluded */
	size_t klen;
	/* NULL: read key.  Else the range's start, included (lolen may be
	 * 0): read the greatest key k with lo <= k < key. */
	const void *lo;
	size_t lolen;
	int rc;           /* POINTS_OK, or POINTS_ENOTFOUND: none */
	const void *fkey; /* the key read (key itself, or the range's last) */
	size_t fklen;
	const void *val;
	size_t vlen;
} points_store_read;

struct points_store {
	unsigned int version; /* POINTS_STORE_VERSION */
	const char *name;     /* "memory", "sqlite", "fault", ... */

	/* ---- Version 1: every method required ---- */

	/* Open (creating if needed) the keyspace called name (1-32 chars of
	 * [a-z0-9_]).  The keyspace lives as long as the store.  Opening
	 * the same name twice returns the same keyspace; with other flags
	 * it is POINTS_EINVAL.  Flags this backend does not know are
	 * POINTS_EINVAL.  Called outside a transaction.  Returns also
	 * POINTS_EBUSY. */
	int (*keyspace)(points_store *s, const char *name, unsigned int flags,
	    points_keyspace **out);

	/* One transaction at a time per store.  write != 0 takes the write
	 * lock at once (SQLite: BEGIN IMMEDIATE).  Reads and writes are only
	 * allowed inside a transaction.  begin returns also POINTS_EBUSY;
	 * commit POINTS_EBUSY, POINTS_ERETRY and POINTS_ELIMIT, and a failed
	 * commit wrote nothing. */
	int (*begin)(points_store *s, int write);
	int (*commit)(points_store *s);
	/* Rollback always ends the transaction, even when it reports an
	 * error; it must not fail for lack of memory.  With no transaction
	 * open it does nothing and returns POINTS_OK. */
	int (*rollback)(points_store *s);

	/* Borrowed: *val is valid until the next call on this store.
	 * Returns also POINTS_ENOTFOUND, POINTS_EBUSY, POINTS_ERETRY. */
	int (*get)(points_store *s, points_keyspace *ks, const void *key,
	    size_t klen, const void **val, size_t *vlen);
	/* Insert or replace.  Returns also POINTS_EBUSY, POINTS_ERETRY,
	 * POINTS_ELIMIT (key, value or transaction too large). */
	int (*put)(points_store *s, points_keyspace *ks, const void *key,
	    size_t klen, const void *val, size_t vlen);
	/* Deleting a missing key is POINTS_OK.  Returns also POINTS_EBUSY,
	 * POINTS_ERETRY, POINTS_ELIMIT. */
	int (*del)(points_store *s, points_keyspace *ks, const void *key,
	    size_t klen);

	/* A cursor over lo <= key < hi (NULL bound = unbounded), ascending
	 * or, when reverse != 0, descending.  See the isolation notes
	 * above for writes while it is open.  Returns also POINTS_EBUSY,
	 * POINTS_ERETRY. */
	int (*cursor_open)(points_store *s, points_keyspace *ks,
	    const void *lo, size_t lolen, const void *hi, size_t hilen,
	    int reverse, points_cursor **out);
	/* Borrowed: key and value are valid until the next call on this
	 * cursor or store.  POINTS_ITEROVER at the end (and on every call
	 * after it).  Returns also POINTS_EBUSY, POINTS_ERETRY. */
	int (*cursor_next)(points_store *s, points_cursor *c,
	    const void **key, size_t *klen, const void **val, size_t *vlen);
	void (*cursor_close)(points_store *s, points_cursor *c);

	/* Free the backend and everything it holds.  An open transaction is
	 * rolled back. */
	void (*close)(points_store *s);

	/* ---- Version 2: optional (NULL: not provided) ---- */

	/* The backend's message for its last failed call, naming what
	 * failed and why ("put: database or disk is full"), or NULL or ""
	 * when it has none.  Borrowed: valid until the next call on this
	 * store.  Never fails. */
	const char *(*errmsg)(points_store *s);

	/* Look up n keys at once, in one round trip for a remote store:
	 * key i is keys[i] (klens[i] bytes) in keyspace kss[i].  On
	 * POINTS_OK every rcs[i] is POINTS_OK (vals[i], vlens[i] give the
	 * value) or POINTS_ENOTFOUND; the values are borrowed and all stay
	 * valid until the next call on this store.  A key may appear twice.
	 * n may be 0.  On failure (POINTS_EBUSY, POINTS_ERETRY, ...) the
	 * outputs are undefined.  Sees the transaction's own writes, as
	 * get does. */
	int (*get_many)(points_store *s, size_t n,
	    points_keyspace *const *kss, const void *const *keys,
	    const size_t *klens, const void **vals, size_t *vlens, int *rcs);

	/* ---- Version 3: optional, all three or none ---- */

	/* Savepoints: statement-level undo inside a write transaction (SQL's
	 * SAVEPOINT, RELEASE SAVEPOINT and ROLLBACK TO SAVEPOINT).  The
	 * library opens one around each operation of a batch, so that an
	 * operation that fails after writing undoes only itself and the
	 * batch goes on; without them such a failure loses the whole batch.
	 *
	 * savepoint marks the transaction's state now; savepoints nest, and
	 * release and rollback_to act on the newest one open.  release
	 * forgets it and keeps what was written since (the writes stay in
	 * the transaction, to be committed or rolled back with it).
	 * rollback_to undoes every put and delete since it, as if they had
	 * never been made (get, get_many and cursors see the state it
	 * marked), and forgets it too; the transaction goes on.  commit and
	 * rollback end every savepoint still open.
	 *
	 * Called only inside a write transaction, with no cursor open; at
	 * most depth 1 by today's library, but a backend must allow any
	 * depth up to a limit of its own (POINTS_ELIMIT past it).  release
	 * and rollback_to with no savepoint open are POINTS_EMISUSE.
	 *
	 * Failures.  A failed savepoint or release changes nothing: the
	 * savepoint stays as it was (none, or still open); the library then
	 * undoes the operation with rollback_to.  rollback_to must not fail
	 * for lack of memory.  When it fails at all (the transaction was
	 * lost under it: SQLite's disk full or I/O error, a dropped
	 * connection), the library rolls the whole transaction back and the
	 * batch is lost.  POINTS_ERETRY from any call inside a transaction
	 * still means the whole transaction is over: the library does not
	 * try rollback_to then.  A remote backend may send savepoint and
	 * release with its next call (as it may buffer puts), so that they
	 * cost no round trip of their own.  Each returns also POINTS_EBUSY
	 * and POINTS_ERETRY. */
	int (*savepoint)(points_store *s);
	int (*release)(points_store *s);
	int (*rollback_to)(points_store *s);

	/* ---- Version 4: optional ---- */

	/* get_many, where a read may also be of the last key of a range
	 * (r[i].lo not NULL): in one round trip for a remote store, so that
	 * a write reads the log's tail with its other keys, though other
	 * processes appended since it last looked.  On POINTS_OK every
	 * r[i].rc is POINTS_OK (fkey, fklen, val, vlen set) or
	 * POINTS_ENOTFOUND; keys and values are borrowed and all stay valid
	 * until the next call on this store.  A range read reads the range
	 * as a cursor would (what it sees of the transaction's own writes
	 * included) and, in a serializable transaction, guards it as a
	 * cursor's read does: a writer that adds a key to it after the read
	 * conflicts.  Without it the library reads a range with a reverse
	 * cursor of its own. */
	int (*read_many)(points_store *s, size_t n, points_store_read *r);
};

/* Initialise a backend's vtable in one statement; then set the methods. */
#define POINTS_STORE_INIT { POINTS_STORE_VERSION, NULL, NULL, NULL, NULL, \
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
	NULL, NULL, NULL }

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_SYS_STORE_H */
