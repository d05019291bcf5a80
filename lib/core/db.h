/* db.h - the ledger handle, its errors, transactions and storage access.
 *
 * Every public operation runs in one store transaction: it reads, checks,
 * then writes.  points_db__write_begin/end bracket an operation; inside a
 * batch they share the batch's transaction, and the operation is a
 * savepoint of it (a store of version 3, points/sys/store.h): write_begin
 * opens one, write_end releases it when the operation succeeded and rolls
 * back to it when it failed, so that a failed operation undoes only
 * itself and the batch goes on.  Then every module hears of it
 * (op_undone, module.h) and forgets what it cached of the undone writes.
 * Outside a batch nothing of this runs: the transaction is the operation.
 *
 * Without savepoints (a store of version 1 or 2), or when rolling back to
 * the savepoint fails, or on POINTS_ERETRY (the store gave the whole
 * transaction up), a failure after an operation's first write cannot be
 * undone piecemeal: it rolls the whole batch back, and the batch then
 * reports POINTS_ESTATE until it is ended. */
#ifndef POINTS_CORE_DB_H
#define POINTS_CORE_DB_H

#include <stdint.h>

#include "points.h"
#include "points/sys/store.h"
#include "util/codec.h"
#include "util/ids.h"
#include "core/module.h"

#define POINTS_HASH_LEN 32

struct points_db {
	points_store *store;
	int own_store; /* opened from a URI: closed with the handle */
	int existing;  /* the URI said mode=rw: no new ledger */
	int failed;    /* made by a failed open: only errmsg/close work */
	/* Every registered module's keyspaces (by points_ksdef.slot) and
	 * state (by points_module.slot), as registered at open. */
	points_keyspace **ks;
	int nks;
	void **state;
	int nstate;

	points_clock_fn clock;
	void *clock_ctx;
	/* The ledger's stored offset (points_settings), from open on. */
	int32_t utc_offset;
	/* The offset the open asked for: POINTS_UTC_OFFSET_LEDGER, or one
	 * the ledger must have (and a new ledger gets). */
	int32_t want_offset;
	/* The log partitions the open asked for: 0, the ledger's (a new
	 * ledger: the store's default); else the count it must have. */
	unsigned want_partitions;

	int errcode;
	char errmsg[512];

	int in_txn;       /* a store transaction is open */
	int read_owned;   /* points_db__read_begin opened it */
	int in_batch;
	int batch_failed; /* a batch was rolled back by a failed write */
	int op_wrote;     /* the current operation has written */
	int savepoints;   /* the store has them (version 3) */
	int op_sp;        /* the current operation's savepoint is open */
	/* The modules' ahead hooks (module.h) were asked in this
	 * transaction, and what they said holds until it ends or an
	 * operation is undone: a batch asks them once (points_db__ahead). */
	int ahead_asked;

	/* Lots a balance keeps inline before later ones spill
	 * (core/lot_spill.h); 0: the default.  Tests lower it. */
	size_t lot_bound;

	points_rng rng; /* UUIDv7 random bits */

	/* points_db__last_key64's answers, per keyspace slot, while a
	 * transaction lasts (an entry counts when its gen is lastkey_gen):
	 * a batch of appends (events, outbox, approvals) opens one cursor,
	 * not one each. */
	struct points_lastkey {
		uint64_t key;
		uint64_t gen;
	} *lastkey;
	uint64_t lastkey_gen;

	points_buf kbuf, vbuf; /* scratch for encoding */
	points_buf mbuf;       /* points_db__get_many's copies (version-1 stores) */
	points_buf lbuf;       /* a range's last key and value, read by a
	                        * cursor (stores without read_many) */
};

/* Errors: record code and message on the handle; return code.
 * points_db__err(db, code, fmt, ...) is a macro over an inline function
 * so that a caller (and static analysis) sees the code come back: an
 * error path is then never taken for success.  code is evaluated once. */
points_db *points_db__errmsg(points_db *db, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static inline int
points_db__errcode(int code, points_db *db)
{
	db->errcode = code;
	return code;
}
#define points_db__err(db, code, ...) \
	points_db__errcode((code), points_db__errmsg((db), __VA_ARGS__))
/* A handle that failed with code and msg, as a failed points_open leaves
 * one (for a call that opens a ledger after work of its own:
 * points_restore).  Returns code, or POINTS_ENOMEM (*out NULL). */
int points_db__failed_new(int code, const char *msg, points_db **out);
/* Record a store failure (code from the store) with context and the
 * store's message; the code is mapped by points_db__store_code. */
int points_db__store_err(points_db *db, int code, const char *what);
/* The code the caller sees for a store's failure code: POINTS_EBUSY,
 * POINTS_ERETRY, POINTS_ELIMIT, POINTS_ENOMEM as they are, anything
 * else POINTS_ESTORAGE. */
int points_db__store_code(int code);
void points_db__clear_err(points_db *db);

/* Argument checks that set a message: 0 when fine. */
int points_db__check_db(points_db *db);
int points_db__check_str(points_db *db, const char *what, const char *s,
    size_t max, int required);
int points_db__check_amount(points_db *db, int64_t amount);

int64_t points_db__time(points_db *db, int64_t t); /* t or the clock */
/* The time for a new id (util/ids.h), in milliseconds on the ledger's
 * clock; POINTS_ESTORAGE with a message when the system clock cannot be
 * read. */
int points_db__id_ms(points_db *db, uint64_t *ms);
/* Local calendar day of t (the ledger's UTC offset). */
int64_t points_db__day(points_db *db, int64_t t);

/* Transactions. */
int points_db__read_begin(points_db *db);
void points_db__read_end(points_db *db);
int points_db__write_begin(points_db *db);
int points_db__write_end(points_db *db, int rc);

/* The handle's state of module m (module.h). */
void *points_db__state(points_db *db, const points_module *m);

/* Tell every module with an earning hook (module.h) that b's account
 * earns amount of b's asset at time (amount < 0: a reversal of an
 * earn), before b is stored. */
int points_db__earning(points_db *db, struct points_balance_rec *b,
    int64_t time, int64_t amount);
/* Tell every module with an earned hook (module.h) that account
 * earned amount of asset at time (amount < 0: a reversal of an earn). */
/* Tell every module with a swept hook (module.h) that the expiry sweep
 * of asset (0: every asset) as of as_of is done. */
int points_db__swept(points_db *db, uint32_t asset, int64_t as_of);
int points_db__earned(points_db *db, int64_t account, uint32_t asset,
    int64_t time, int64_t amount);
/* Tell every module with a balance_storing hook (module.h) that b, a
 * user account's balance, is about to be written. */
int points_db__balance_storing(points_db *db, struct points_balance_rec *b);
/* Tell every module with a tier_changed hook (module.h) that account's
 * tier changed from from to to. */
int points_db__tier_changed(points_db *db, int64_t account, const char *from,
    const char *to);

/* The ledger's own keyspace: markers of format and module versions. */
extern points_ksdef points_db__meta_ks;
/* Its key of the log's partition count (a uvar; none: 1), then of its
 * layout (a uvar, POINTS_DB_LAYOUT_*; none: 0), which the ledger module
 * writes (ledger/entry.h) and an open checks. */
#define POINTS_DB_PARTITIONS_KEY "partitions"
/* A system account's entries in every partition move a shard of it,
 * its home partition's too: its own record moves with none (a ledger
 * made since format 5 of the ledger module; before, its own record
 * held its home partition's). */
#define POINTS_DB_LAYOUT_SYSTEM_SHARDS 1u
/* The ledger's log partitions and layout, as stored under that key: 1
 * and 0 when none is (a ledger made before partitions, or with one);
 * POINTS_ECORRUPT when unreadable.  layout may be NULL. */
int points_db__partitions(points_db *db, unsigned *out, unsigned *layout);


/* Store access with error messages.  get returns POINTS_ENOTFOUND
 * silently (no message). */
int points_db__get(points_db *db, const points_ksdef *ks, const void *k, size_t kl,
    const void **v, size_t *vl);
int points_db__put(points_db *db, const points_ksdef *ks, const void *k, size_t kl,
    const void *v, size_t vl);
int points_db__del(points_db *db, const points_ksdef *ks, const void *k, size_t kl);

/* One key of a points_db__get_many: ks, key and klen in; rc (POINTS_OK or
 * POINTS_ENOTFOUND), val and vlen out. */
typedef struct points_getreq {
	const points_ksdef *ks;
	const void *key;
	size_t klen;
	int rc;
	const void *val;
	size_t vlen;
} points_getreq;
#define POINTS_GET_MANY_MAX 16
/* Read n keys (at most POINTS_GET_MANY_MAX) in one store call when the
 * store has get_many (version 2), else a get each.  The values are
 * borrowed, all valid until the next call on the store.  A failure of
 * any key fails the whole (with a message). */
int points_db__get_many(points_db *db, points_getreq *r, size_t n);
/* A read of the last key of a range, lo <= key < hi (memcmp; both
 * bounds given): ks and the bounds in; rc (POINTS_OK or POINTS_ENOTFOUND:
 * the range is empty), key, klen, val and vlen out. */
typedef struct points_lastreq {
	const points_ksdef *ks;
	const void *lo, *hi;
	size_t lolen, hilen;
	int rc;
	const void *key, *val;
	size_t klen, vlen;
} points_lastreq;
/* 1 when the store reads the last key of a range with other keys in one
 * call (its read_many, version 4): in one round trip, for a remote one. */
int points_db__reads_last(const points_db *db);
/* points_db__get_many, and last (NULL: none) read with the keys in one
 * store call when the store reads ranges (points_db__reads_last), else
 * by a reverse cursor before them (its row copied: valid until the next
 * such read). */
int points_db__get_many_last(points_db *db, points_getreq *r, size_t n,
    points_lastreq *last);
/* The keys the modules will read in a write of type (module.h, ahead),
 * at most POINTS_DB_AHEAD_MAX: into r, and the modules that named them
 * into who; how many.  points_db__ahead_got gives each its answer.  The
 * hooks are asked at the first write of a transaction (and again after
 * an operation is undone): a batch's later writes name nothing. */
#define POINTS_DB_AHEAD_MAX 2
size_t points_db__ahead(points_db *db, unsigned type, points_getreq *r,
    points_module **who);
int points_db__ahead_got(points_db *db, const points_getreq *r,
    points_module *const *who, size_t n);
/* The last key of a keyspace (an INTKEY or be64-keyed one) as an
 * integer, or 0 when empty.  Remembered until the transaction ends or
 * an operation is undone; points_db__put and _del keep it true. */
int points_db__last_key64(points_db *db, const points_ksdef *ks, int64_t *out);

/* Copy up to max keys of keyspace ks with lo <= key < hi (NULL: no
 * bound) into keys, each exactly klen bytes (another length is corrupt);
 * *n says how many.  For work that then writes to the same keyspace,
 * which a cursor must not see. */
int points_db__collect_keys(points_db *db, const points_ksdef *ks, const void *lo, size_t lolen,
    const void *hi, size_t hilen, size_t klen, unsigned char *keys,
    size_t max, size_t *n);

/* Parse a transaction or hold id; a bad one is POINTS_EINVAL with a
 * message. */
int points_db__uuid_parse(points_db *db, const char *s,
    unsigned char out[POINTS_UUID_LEN]);

#endif
