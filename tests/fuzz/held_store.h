/* held_store.h - a ledger that every fuzzer input starts from as it was
 * made, without making it again: a store in front of a memory store that
 * holds the ledger.  Each input runs inside one write transaction of the
 * memory store (held_store_begin), rolled back after it
 * (held_store_end); inside it the library's transactions are
 * savepoints: begin a savepoint, commit its release, rollback a
 * rollback_to, and the library's own savepoints nest under them.  What
 * the memory store refuses outside a transaction or in a read one is
 * refused the same way (POINTS_EMISUSE, with a message).  Its keyspaces
 * are the modules' (opened by held_store_new, before any transaction).
 * One held store a process. */
#ifndef POINTS_TESTS_FUZZ_HELD_STORE_H
#define POINTS_TESTS_FUZZ_HELD_STORE_H

#include <stdint.h>

#include "points/sys/store.h"

/* In front of inner, a memory store holding a ledger and no open
 * transaction; never closed. */
points_store *held_store_new(points_store *inner);
/* An input's transaction: begin it, and roll it back. */
void held_store_begin(void);
void held_store_end(void);
/* A digest of every key and value in the modules' keyspaces as the
 * input's transaction sees them (outside the library's transactions). */
uint64_t held_store_digest(void);

#endif
