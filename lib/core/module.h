/* module.h - what a module declares where it lives: its keyspaces, its
 * per-handle state, and what a ledger needs from it once.
 *
 * A module declares itself with POINTS_MODULE; the build lists every
 * such line of lib/ and the registry registers the modules of that list
 * when the library is loaded (module.c), so adding a module edits no
 * central table: the handle opens every registered module's keyspaces
 * and gives it its state. */
#ifndef POINTS_CORE_MODULE_H
#define POINTS_CORE_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include "points.h"

/* A named keyspace of a module.  slot is set at registration: the
 * keyspace's place in every handle's table. */
typedef struct points_ksdef {
	const char *name;   /* 1-32 chars of [a-z0-9_], unique in a ledger */
	unsigned int flags; /* POINTS_KS_* */
	int slot;
} points_ksdef;

struct points_balance_rec; /* core/balance.h */
struct points_getreq;      /* core/db.h */

typedef struct points_module points_module;
struct points_module {
	const char *name;
	/* The version of the module's records.  A ledger records the
	 * version each module set it up with (or last upgraded it to); a
	 * ledger set up by a newer module is refused (POINTS_EVERSION).
	 * Raise it when the module's records or keyspaces change, and
	 * upgrade older ledgers in setup.  0: the module stores nothing
	 * (it has only per-handle state) and records no version. */
	unsigned int format;
	points_ksdef *const *keyspaces; /* NULL-terminated; may be NULL */
	/* Per-handle state: zeroed at open, reached with points_db__state. */
	size_t state_size;
	/* Inside a write transaction, before the module is used, when the
	 * ledger records an older format than the module's (NULL: nothing
	 * to do).  found is the format the ledger records: 0 for a new
	 * ledger, or one made before modules recorded their formats (so
	 * setup checks what is there), else the older version it was set
	 * up with, which setup upgrades from.  The new format is recorded
	 * after it succeeds, in the same transaction: an upgrade that
	 * fails leaves the ledger as it was. */
	int (*setup)(points_db *db, unsigned int found);
	/* After every store transaction of the handle ends (committed
	 * != 0: it committed).  State read from the store may be stale.
	 * db->in_batch is still set when it was a batch's transaction. */
	void (*txn_end)(points_db *db, void *state, int committed);
	/* When points_close closes the handle, before any module's state
	 * is freed or the store closed (NULL: nothing to do): for what
	 * outlives the handle (iterators) to let go of it. */
	void (*close)(points_db *db, void *state);
	/* Inside a batch, an operation that had written failed and the
	 * store rolled back to the savepoint taken when it began (db.h):
	 * the batch's transaction goes on without the operation's writes.
	 * State that may hold them (a cache of what the store holds, a
	 * position in it) must forget them, as txn_end does for a
	 * rollback.  Every module with a txn_end needs one, if only to say
	 * why it has nothing to forget (tests/check_savepoint.c checks). */
	void (*op_undone)(points_db *db, void *state);
	/* Inside a write transaction, before account is closed, which
	 * needs every balance of it at zero (NULL: nothing to do): what the
	 * module settles first.  The ledger's expiry expires the account's
	 * past-due points here, with the EXPIRE entries any write makes,
	 * so that an account whose points have all expired (a balance read
	 * shows none) closes. */
	int (*closing)(points_db *db, void *state, int64_t account);
	/* Inside a write transaction, as the ledger posts an earn to a
	 * user account (amount > 0, time the earn's) or a reversal of one
	 * (amount < 0, time the reversed earn's), before it stores b, that
	 * account's balance of the asset (NULL: nothing to do): what the
	 * module counts per balance goes in b's module data
	 * (points_balance__data_set), written with the posting, no write
	 * of its own.  The rules' tiers count what accounts earn here.  A
	 * failure fails the posting. */
	int (*earning)(points_db *db, void *state, struct points_balance_rec *b,
	    int64_t time, int64_t amount);
	/* The same, after the posting is stored (NULL: nothing to do): the
	 * account's figures changed.  The rules' tiers upgrade accounts
	 * here (which rewrites their balances). */
	int (*earned)(points_db *db, void *state, int64_t account,
	    uint32_t asset, int64_t time, int64_t amount);
	/* Inside a write transaction, after the expiry sweep expired what
	 * was due at as_of in asset (0: every asset), in the transaction of
	 * its last chunk (or the batch's), NULL: nothing to do.  The outbox's
	 * notices of points expiring soon are written here.  A failure
	 * fails the sweep (its chunks before stand). */
	int (*swept)(points_db *db, void *state, uint32_t asset,
	    int64_t as_of);
	/* Inside a write transaction, as points_balance__store is about to
	 * write b, a user account's balance (every change of it: an earn,
	 * a spend, a hold, its capture or release, an expiry, a transfer,
	 * a reversal), NULL: nothing to do.  b->stored_available is what
	 * the record held before (0 for a new one), b->available what it
	 * will hold.  The module may set b's module data (it is written
	 * with the record) and write records of its own.  A failure fails
	 * the write.  Called for every balance write: a module with
	 * nothing to do must return at once. */
	int (*balance_storing)(points_db *db, void *state,
	    struct points_balance_rec *b);
	/* Inside a write transaction, after account's tier changed from
	 * from to to ("" : none), by any call (points_account_update, an
	 * edit, the tier upgrade of an earn), NULL: nothing to do. */
	int (*tier_changed)(points_db *db, void *state, int64_t account,
	    const char *from, const char *to);

	/* Inside a write transaction, as a write of type (POINTS_TXN_*)
	 * names the keys of its first read (ledger/write.h), NULL: nothing
	 * to do: a key the module will read in that write, in *r (ks, key
	 * and klen, its bytes the module's own), returning 1, else 0.  So
	 * it is read with the write's own keys, in one store call (on a
	 * server: one round trip).  ahead_got then has its answer (r->rc
	 * POINTS_OK with r->val and r->vlen, or POINTS_ENOTFOUND), to keep
	 * as if the module had read it; a failure fails the write.  The
	 * rules name their generation, which an earn reads. */
	int (*ahead)(points_db *db, void *state, unsigned type,
	    struct points_getreq *r);
	int (*ahead_got)(points_db *db, void *state,
	    const struct points_getreq *r);

	int slot;            /* set at registration */
	points_module *next; /* the registry's list */
	points_module *next_storing; /* the list of balance_storing hooks */
	points_module *next_ahead;   /* the list of ahead hooks */
};

/* The registered modules, in the order of the list (their files' in
 * lib/), and how many keyspaces they declare in all. */
points_module *points_module__first(void);
/* The modules with a balance_storing hook (linked by next_storing). */
points_module *points_module__first_storing(void);
/* The modules with an ahead hook (linked by next_ahead). */
points_module *points_module__first_ahead(void);
int points_module__count(void);
int points_module__keyspaces(void);

/* Declare a module, with designated initializers so that it stays
 * valid as the struct grows, on a line of its own:
 *	static points_module m = { .name = "hold", .format = 1, ... };
 *	POINTS_MODULE(m)
 * The build lists every POINTS_MODULE(name) line of lib/
 * (build/gen/points_modules.def, the Makefile) and the registry, in
 * core, refers to each module of the list.  That, and not a constructor
 * of each module's, is what gives a program linked statically with
 * libpoints.a every module: the linker takes from an archive only the
 * objects something refers to, and a module whose functions the program
 * never calls still has hooks to run on what it does (an account
 * trigger on its earns: tests/static_mall.c). */
#define POINTS_MODULE(m) \
	extern points_module *const points_module__##m; \
	points_module *const points_module__##m = &m;

#endif
