/* db.c - the ledger handle: open/close, options, clock, errors,
 * transactions and the checked path to the store. */
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "points.h"
#include "points/sys/store.h"
#include "util/alloc.h"
#include "core/db.h"
#include "store/store.h"

/* The handle's format: 1, 0.1.0's; 2, the ledger stores its settings
 * ("utc_offset"), which 0.1.0 would ignore. */
#define FORMAT_VERSION 2
#define UTC_OFFSET_KEY "utc_offset"
#define UTC_OFFSET_MAX (14 * 3600)

static int meta_setup(points_db *db, unsigned int found);

/* "format" -> the handle's format; "module:NAME" -> a module's;
 * "utc_offset" -> the ledger's UTC offset (a signed varint). */
points_ksdef points_db__meta_ks = { "meta", 0, 0 };
static points_ksdef *const db_keyspaces[] = { &points_db__meta_ks, NULL };
static points_module db_module = {
	.name = "meta",
	.format = FORMAT_VERSION,
	.keyspaces = db_keyspaces,
	.setup = meta_setup,
};
POINTS_MODULE(db_module)

POINTS_EXTERN const char *
points_version(void)
{
	return POINTS_VERSION;
}

POINTS_EXTERN int
points_version_number(void)
{
	return POINTS_VERSION_NUMBER;
}

POINTS_EXTERN const char *
points_strerror(int code)
{
	switch (code) {
	case POINTS_OK: return "ok";
	case POINTS_EINVAL: return "invalid argument";
	case POINTS_ENOTFOUND: return "not found";
	case POINTS_EEXISTS: return "already exists";
	case POINTS_EINSUFFICIENT: return "insufficient points";
	case POINTS_EFROZEN: return "account frozen";
	case POINTS_ECONFLICT: return "idempotency key conflict";
	case POINTS_EOVERFLOW: return "amount overflow";
	case POINTS_EBUSY: return "store busy";
	case POINTS_ESTORAGE: return "storage failure";
	case POINTS_ENOMEM: return "out of memory";
	case POINTS_ESTATE: return "wrong state";
	case POINTS_ECLOSED: return "account closed";
	case POINTS_EVERSION: return "unsupported version";
	case POINTS_ECORRUPT: return "ledger corrupt";
	case POINTS_EMISUSE: return "library misuse";
	case POINTS_ERETRY: return "conflict with another writer: retry";
	case POINTS_ELIMIT: return "limit reached";
	case POINTS_EPERM: return "not permitted";
	case POINTS_EOUTOFSTOCK: return "out of stock";
	case POINTS_ENOTELIGIBLE: return "not eligible";
	case POINTS_EQUOTA: return "over the limit";
	case POINTS_EWINDOW: return "outside the redemption window";
	case POINTS_ITEROVER: return "end of iteration";
	default: return "unknown error";
	}
}

points_db *
points_db__errmsg(points_db *db, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(db->errmsg, sizeof(db->errmsg), fmt, ap);
	va_end(ap);
	return db;
}

/* What a store's code means to the caller (points/sys/store.h): busy,
 * retry, limit and lack of memory pass through; a code the store should
 * not give here (not found, end of iteration) and its complaints about
 * how it was called (a bug above it, never the user's input) are storage
 * failures, so that POINTS_EINVAL only ever means a bad argument. */
int
points_db__store_code(int code)
{
	switch (code) {
	case POINTS_EBUSY:
	case POINTS_ERETRY:
	case POINTS_ELIMIT:
	case POINTS_ENOMEM:
	case POINTS_ESTORAGE:
		return code;
	default:
		return POINTS_ESTORAGE;
	}
}

int
points_db__store_err(points_db *db, int code, const char *what)
{
	/* The store's own words (version 2); a version-1 store has none. */
	const char *detail = points_store__message(db->store);

	code = points_db__store_code(code);
	if (detail)
		return points_db__err(db, code, "%s: %s (%s)", what,
		    points_strerror(code), detail);
	return points_db__err(db, code, "%s: %s", what, points_strerror(code));
}

void
points_db__clear_err(points_db *db)
{
	db->errcode = POINTS_OK;
	db->errmsg[0] = '\0';
}

POINTS_EXTERN const char *
points_errmsg(points_db *db)
{
	if (!db)
		return "no ledger handle (NULL)";
	if (db->errcode == POINTS_OK)
		return "ok";
	return db->errmsg[0] ? db->errmsg : points_strerror(db->errcode);
}

POINTS_EXTERN int
points_errcode(points_db *db)
{
	return db ? db->errcode : POINTS_EINVAL;
}

int
points_db__check_db(points_db *db)
{
	if (!db)
		return POINTS_EINVAL;
	if (db->failed)
		return points_db__err(db, POINTS_EMISUSE,
		    "this handle failed to open: only points_errmsg and "
		    "points_close may be used");
	points_db__clear_err(db);
	return POINTS_OK;
}

int
points_db__check_str(points_db *db, const char *what, const char *s, size_t max,
    int required)
{
	size_t n;

	if (!s) {
		if (required)
			return points_db__err(db, POINTS_EINVAL, "%s is required",
			    what);
		return POINTS_OK;
	}
	n = strnlen(s, max + 1);
	if (required && n == 0)
		return points_db__err(db, POINTS_EINVAL, "%s is empty", what);
	if (n > max)
		return points_db__err(db, POINTS_EINVAL,
		    "%s is too long (at most %zu bytes)", what, max);
	if (!points_codec__utf8_valid(s, n))
		return points_db__err(db, POINTS_EINVAL, "%s is not valid UTF-8",
		    what);
	return POINTS_OK;
}

int
points_db__check_amount(points_db *db, int64_t amount)
{
	if (amount <= 0)
		return points_db__err(db, POINTS_EINVAL,
		    "amount must be positive (got %lld)", (long long)amount);
	return POINTS_OK;
}

static int64_t
system_clock(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);
}

int64_t
points_db__time(points_db *db, int64_t t)
{
	return t ? t : db->clock(db->clock_ctx);
}

/* The time of a new id, in milliseconds, on the ledger's clock: the
 * system clock to the millisecond (so ids of one second from several
 * processes come in order), an injected one in its seconds. */
int
points_db__id_ms(points_db *db, uint64_t *ms)
{
	struct timespec ts;
	int64_t t;

	if (db->clock != system_clock) {
		t = db->clock(db->clock_ctx);
		*ms = t <= 0 ? 0 : t >= (int64_t)(POINTS_UUID_MS_MAX / 1000) ?
		    POINTS_UUID_MS_MAX : (uint64_t)t * 1000;
		return POINTS_OK;
	}
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return points_db__err(db, POINTS_ESTORAGE, "the system clock "
		    "cannot be read (clock_gettime: %s)", strerror(errno));
	*ms = ts.tv_sec <= 0 ? 0 : (uint64_t)ts.tv_sec * 1000 +
	    (uint64_t)ts.tv_nsec / 1000000;
	return POINTS_OK;
}

POINTS_EXTERN int64_t
points_now(points_db *db)
{
	if (!db || db->failed)
		return 0;
	return db->clock(db->clock_ctx);
}

int64_t
points_db__day(points_db *db, int64_t t)
{
	int64_t l;

	/* far future: saturate rather than overflow */
	if (t > INT64_MAX - 86400)
		return INT64_MAX / 86400;
	l = t + db->utc_offset;
	/* floor division: days before 1970 stay ordered */
	return l >= 0 ? l / 86400 : -((-l + 86399) / 86400);
}

/* The size of each version of the open options: a caller compiled
 * against an older header has only the fields of its version.  Version
 * 2 has no new field: its utc_offset defaults to the ledger's. */
static const size_t open_options_size[] = {
	0, offsetof(points_open_options, partitions), /* 1 */
	offsetof(points_open_options, partitions),    /* 2 */
	sizeof(points_open_options),                  /* 3: partitions */
};

POINTS_EXTERN int
points_open_options_init(points_open_options *opts, unsigned int version)
{
	static const points_open_options init = POINTS_OPEN_OPTIONS_INIT;

	if (!opts)
		return POINTS_EINVAL;
	if (version == 0 || version > POINTS_OPEN_OPTIONS_VERSION)
		return POINTS_EVERSION;
	memcpy(opts, &init, open_options_size[version]);
	opts->version = version;
	if (version == 1)
		opts->utc_offset = 0; /* version 1's default */
	return POINTS_OK;
}

/* ---- Transactions ---- */

/* Tell every module a store transaction ended. */
static void
txn_ended(points_db *db, int committed)
{
	points_module *m;

	db->lastkey_gen++;
	db->ahead_asked = 0;
	for (m = points_module__first(); m; m = m->next)
		if (m->txn_end && m->slot < db->nstate)
			m->txn_end(db, db->state[m->slot], committed);
}

size_t
points_db__ahead(points_db *db, unsigned type, points_getreq *r,
    points_module **who)
{
	points_module *m;
	size_t n = 0;

	/* without get_many each is a get of its own: the module's later */
	if (db->ahead_asked || db->store->version < 2 || !db->store->get_many)
		return 0;
	db->ahead_asked = 1;
	for (m = points_module__first_ahead(); m && n < POINTS_DB_AHEAD_MAX;
	    m = m->next_ahead)
		if (m->slot < db->nstate &&
		    m->ahead(db, db->state[m->slot], type, &r[n]))
			who[n++] = m;
	return n;
}

int
points_db__ahead_got(points_db *db, const points_getreq *r,
    points_module *const *who, size_t n)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		if ((rc = who[i]->ahead_got(db, db->state[who[i]->slot],
		    &r[i])))
			return rc;
	return POINTS_OK;
}

int
points_db__earning(points_db *db, struct points_balance_rec *b,
    int64_t time, int64_t amount)
{
	points_module *m;
	int rc;

	for (m = points_module__first(); m; m = m->next)
		if (m->earning && m->slot < db->nstate &&
		    (rc = m->earning(db, db->state[m->slot], b, time,
		    amount)))
			return rc;
	return POINTS_OK;
}

int
points_db__earned(points_db *db, int64_t account, uint32_t asset,
    int64_t time, int64_t amount)
{
	points_module *m;
	int rc;

	for (m = points_module__first(); m; m = m->next)
		if (m->earned && m->slot < db->nstate &&
		    (rc = m->earned(db, db->state[m->slot], account, asset,
		    time, amount)))
			return rc;
	return POINTS_OK;
}

int
points_db__balance_storing(points_db *db, struct points_balance_rec *b)
{
	points_module *m;
	int rc;

	for (m = points_module__first_storing(); m; m = m->next_storing)
		if (m->slot < db->nstate &&
		    (rc = m->balance_storing(db, db->state[m->slot], b)))
			return rc;
	return POINTS_OK;
}

int
points_db__tier_changed(points_db *db, int64_t account, const char *from,
    const char *to)
{
	points_module *m;
	int rc;

	for (m = points_module__first(); m; m = m->next)
		if (m->tier_changed && m->slot < db->nstate &&
		    (rc = m->tier_changed(db, db->state[m->slot], account,
		    from, to)))
			return rc;
	return POINTS_OK;
}

int
points_db__swept(points_db *db, uint32_t asset, int64_t as_of)
{
	points_module *m;
	int rc;

	for (m = points_module__first(); m; m = m->next)
		if (m->swept && m->slot < db->nstate &&
		    (rc = m->swept(db, db->state[m->slot], asset, as_of)))
			return rc;
	return POINTS_OK;
}

int
points_db__read_begin(points_db *db)
{
	int rc;

	if (db->in_txn)
		return POINTS_OK; /* inside a batch */
	rc = db->store->begin(db->store, 0);
	if (rc != POINTS_OK)
		return points_db__store_err(db, rc, "begin read");
	db->in_txn = 1;
	db->read_owned = 1;
	return POINTS_OK;
}

void
points_db__read_end(points_db *db)
{
	if (!db->read_owned)
		return;
	db->store->rollback(db->store);
	db->in_txn = 0;
	db->read_owned = 0;
	txn_ended(db, 1); /* a read changes nothing: what it read stands */
}

static void batch_lost(points_db *db);

/* Out of line, so that a write outside a batch runs the same
 * instructions as before savepoints. */
#ifdef __GNUC__
__attribute__((noinline))
#endif
static int
op_begin(points_db *db)
{
	int rc;

	if (db->batch_failed)
		return points_db__err(db, POINTS_ESTATE,
		    "the batch was rolled back by an earlier failure: "
		    "call points_batch_rollback");
	if (!db->savepoints)
		return POINTS_OK;
	/* The operation is a savepoint of the batch. */
	rc = db->store->savepoint(db->store);
	if (rc != POINTS_OK) {
		rc = points_db__store_err(db, rc, "savepoint");
		if (rc == POINTS_ERETRY)
			batch_lost(db);
		return rc;
	}
	db->op_sp = 1;
	return POINTS_OK;
}

int
points_db__write_begin(points_db *db)
{
	int rc;

	db->op_wrote = 0;
	if (db->in_batch)
		return op_begin(db);
	rc = db->store->begin(db->store, 1);
	if (rc != POINTS_OK)
		return points_db__store_err(db, rc, "begin write");
	db->in_txn = 1;
	return POINTS_OK;
}

static void
txn_abort(points_db *db)
{
	db->store->rollback(db->store);
	db->in_txn = 0;
	db->op_sp = 0;
	txn_ended(db, 0);
}

/* The batch's transaction cannot go on: roll it back and fail the batch
 * (later writes and the commit say POINTS_ESTATE). */
static void
batch_lost(points_db *db)
{
	txn_abort(db);
	db->batch_failed = 1;
}

/* Tell every module an operation's writes were undone (module.h). */
static void
op_undone(points_db *db)
{
	points_module *m;

	db->lastkey_gen++;
	db->ahead_asked = 0;
	for (m = points_module__first(); m; m = m->next)
		if (m->op_undone && m->slot < db->nstate)
			m->op_undone(db, db->state[m->slot]);
}

/* Commit the open transaction; a failed commit rolls it back. */
static int
txn_commit(points_db *db)
{
	int rc = db->store->commit(db->store);

	if (rc != POINTS_OK) {
		txn_abort(db);
		return points_db__store_err(db, rc, "commit");
	}
	db->in_txn = 0;
	txn_ended(db, 1);
	return POINTS_OK;
}

/* Rolling back to the operation's savepoint failed (the store lost the
 * transaction under it): the operation keeps its code, its message says
 * that the batch went with it. */
static int
undo_failed(points_db *db, int rc, int r)
{
	char msg[sizeof(db->errmsg)], why[151];
	const char *detail = points_store__message(db->store);

	memcpy(msg, db->errmsg, sizeof(msg));
	/* copied now: rolling back clears a store's message (SQLite's) */
	snprintf(why, sizeof(why), "%s", detail ? detail : "");
	batch_lost(db);
	return points_db__err(db, rc, "%.300s (and undoing it failed, so the "
	    "batch was rolled back: %s%s%s)", msg,
	    points_strerror(points_db__store_code(r)), why[0] ? ": " : "",
	    why);
}

/* The end of an operation inside a batch whose savepoint is open: keep
 * it (release), or undo it (rollback_to); the batch goes on either way
 * unless the store fails that too.  Out of line, as op_begin. */
#ifdef __GNUC__
__attribute__((noinline))
#endif
static int
op_end(points_db *db, int rc)
{
	int r;

	db->op_sp = 0;
	if (rc == POINTS_ERETRY) {
		/* the store gave the whole transaction up */
		batch_lost(db);
		return rc;
	}
	if (rc == POINTS_OK || !db->op_wrote) {
		/* nothing to undo: forget the savepoint */
		if ((r = db->store->release(db->store)) == POINTS_OK)
			return rc;
		if (rc == POINTS_OK)
			rc = points_db__store_err(db, r, "release");
		if (r == POINTS_ERETRY) {
			batch_lost(db);
			return rc;
		}
	}
	if ((r = db->store->rollback_to(db->store)) != POINTS_OK)
		return undo_failed(db, rc, r);
	if (db->op_wrote)
		op_undone(db);
	return rc;
}

int
points_db__write_end(points_db *db, int rc)
{
	if (db->in_batch) {
		if (db->op_sp)
			return op_end(db, rc);
		/* No savepoint (a store of version 1 or 2, or the batch
		 * was lost): a failed check wrote nothing and the batch
		 * goes on; a failure after writing leaves half an
		 * operation, and a conflict (POINTS_ERETRY) dooms the
		 * whole transaction: drop the batch. */
		if (rc < 0 && db->in_txn &&
		    (db->op_wrote || rc == POINTS_ERETRY))
			batch_lost(db);
		return rc;
	}
	if (rc < 0) {
		txn_abort(db);
		return rc;
	}
	return txn_commit(db);
}

POINTS_EXTERN int
points_batch_begin(points_db *db)
{
	int rc = points_db__check_db(db);

	if (rc)
		return rc;
	if (db->in_batch)
		return points_db__err(db, POINTS_EMISUSE, "a batch is already open");
	rc = points_db__write_begin(db);
	if (rc)
		return rc;
	db->in_batch = 1;
	db->batch_failed = 0;
	return POINTS_OK;
}

POINTS_EXTERN int
points_batch_commit(points_db *db)
{
	int rc = points_db__check_db(db);

	if (rc)
		return rc;
	if (!db->in_batch)
		return points_db__err(db, POINTS_EMISUSE, "no batch is open");
	if (db->batch_failed) {
		db->in_batch = 0;
		db->batch_failed = 0;
		return points_db__err(db, POINTS_ESTATE,
		    "the batch was rolled back by an earlier failure");
	}
	/* still in the batch while it commits: modules hear that the
	 * transaction that ends is a batch's (module.h) */
	rc = txn_commit(db);
	db->in_batch = 0;
	return rc;
}

POINTS_EXTERN int
points_batch_rollback(points_db *db)
{
	int rc = points_db__check_db(db);

	if (rc)
		return rc;
	if (!db->in_batch)
		return points_db__err(db, POINTS_EMISUSE, "no batch is open");
	if (db->in_txn)
		txn_abort(db);
	db->in_batch = 0;
	db->batch_failed = 0;
	db->op_sp = 0;
	return POINTS_OK;
}

/* ---- Store access ---- */

int
points_db__get(points_db *db, const points_ksdef *ks, const void *k, size_t kl, const void **v,
    size_t *vl)
{
	int rc = db->store->get(db->store, db->ks[ks->slot], k, kl, v, vl);

	if (rc == POINTS_OK || rc == POINTS_ENOTFOUND)
		return rc;
	return points_db__store_err(db, rc, ks->name);
}

/* A put of key k in ks: a known last key stays true if k is not after
 * it, or becomes k.  A put that failed may or may not have written:
 * forget it. */
static void
lastkey_note(points_db *db, const points_ksdef *ks, const void *k, size_t kl,
    int ok)
{
	struct points_lastkey *lk = &db->lastkey[ks->slot];
	uint64_t key;

	if (lk->gen != db->lastkey_gen)
		return;
	if (!ok || kl != 8) {
		lk->gen = 0;
		return;
	}
	key = points_codec__get_be64(k);
	if (key > lk->key)
		lk->key = key;
}

int
points_db__put(points_db *db, const points_ksdef *ks, const void *k, size_t kl, const void *v,
    size_t vl)
{
	int rc;

	db->op_wrote = 1;
	rc = db->store->put(db->store, db->ks[ks->slot], k, kl, v, vl);
	lastkey_note(db, ks, k, kl, rc == POINTS_OK);
	if (rc != POINTS_OK)
		return points_db__store_err(db, rc, ks->name);
	return POINTS_OK;
}

int
points_db__del(points_db *db, const points_ksdef *ks, const void *k, size_t kl)
{
	int rc;

	db->op_wrote = 1;
	rc = db->store->del(db->store, db->ks[ks->slot], k, kl);
	db->lastkey[ks->slot].gen = 0; /* the last may be gone */
	if (rc != POINTS_OK)
		return points_db__store_err(db, rc, ks->name);
	return POINTS_OK;
}

/* Version-1 stores: a get each, each value copied, since the next get
 * may reuse the store's buffer. */
static int
get_each(points_db *db, points_getreq *r, size_t n)
{
	points_buf *b = &db->mbuf;
	size_t i, off;
	int rc;

	points_buf__reset(b);
	for (i = 0; i < n; i++) {
		const void *v;
		size_t vl;

		rc = db->store->get(db->store, db->ks[r[i].ks->slot], r[i].key,
		    r[i].klen, &v, &vl);
		r[i].rc = rc;
		r[i].vlen = 0;
		if (rc == POINTS_ENOTFOUND)
			continue;
		if (rc)
			return points_db__store_err(db, rc, r[i].ks->name);
		points_buf__bytes(b, v, vl);
		if (b->err)
			return points_db__err(db, POINTS_ENOMEM, "out of memory");
		r[i].vlen = vl;
	}
	for (i = 0, off = 0; i < n; i++)
		if (r[i].rc == POINTS_OK) {
			r[i].val = b->data ? (const void *)(b->data + off) : "";
			off += r[i].vlen;
		}
	return POINTS_OK;
}

int
points_db__get_many(points_db *db, points_getreq *r, size_t n)
{
	points_keyspace *kss[POINTS_GET_MANY_MAX];
	const void *keys[POINTS_GET_MANY_MAX], *vals[POINTS_GET_MANY_MAX];
	size_t klens[POINTS_GET_MANY_MAX], vlens[POINTS_GET_MANY_MAX], i;
	int rcs[POINTS_GET_MANY_MAX], rc;
	points_store *s = db->store;

	if (n > POINTS_GET_MANY_MAX)
		return points_db__err(db, POINTS_ELIMIT,
		    "%zu keys in one read (at most %d)", n,
		    POINTS_GET_MANY_MAX);
	if (n == 0)
		return POINTS_OK;
	if (s->version < 2 || !s->get_many)
		return get_each(db, r, n);
	for (i = 0; i < n; i++) {
		kss[i] = db->ks[r[i].ks->slot];
		keys[i] = r[i].key;
		klens[i] = r[i].klen;
	}
	rc = s->get_many(s, n, kss, keys, klens, vals, vlens, rcs);
	if (rc)
		return points_db__store_err(db, rc, r[0].ks->name);
	for (i = 0; i < n; i++) {
		if (rcs[i] != POINTS_OK && rcs[i] != POINTS_ENOTFOUND)
			return points_db__store_err(db, rcs[i], r[i].ks->name);
		r[i].rc = rcs[i];
		r[i].val = rcs[i] == POINTS_OK ? vals[i] : NULL;
		r[i].vlen = rcs[i] == POINTS_OK ? vlens[i] : 0;
	}
	return POINTS_OK;
}

int
points_db__reads_last(const points_db *db)
{
	return db->store->version >= 4 && db->store->read_many != NULL;
}

/* last by a reverse cursor: its first row, copied into db->lbuf, since
 * a cursor's row is gone once it is closed. */
static int
last_by_cursor(points_db *db, points_lastreq *last)
{
	points_store *s = db->store;
	points_buf *b = &db->lbuf;
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	int rc;

	rc = s->cursor_open(s, db->ks[last->ks->slot], last->lo, last->lolen,
	    last->hi, last->hilen, 1, &c);
	if (rc)
		return points_db__store_err(db, rc, last->ks->name);
	rc = s->cursor_next(s, c, &k, &kl, &v, &vl);
	if (rc == POINTS_OK) {
		points_buf__reset(b);
		points_buf__bytes(b, k, kl);
		points_buf__bytes(b, v, vl);
	}
	s->cursor_close(s, c);
	if (rc != POINTS_OK && rc != POINTS_ITEROVER)
		return points_db__store_err(db, rc, last->ks->name);
	if (rc == POINTS_OK && b->err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	last->rc = rc == POINTS_OK ? POINTS_OK : POINTS_ENOTFOUND;
	last->key = rc == POINTS_OK ? b->data : NULL;
	last->klen = rc == POINTS_OK ? kl : 0;
	last->val = rc == POINTS_OK ? b->data + kl : NULL;
	last->vlen = rc == POINTS_OK ? vl : 0;
	return POINTS_OK;
}

int
points_db__get_many_last(points_db *db, points_getreq *r, size_t n,
    points_lastreq *last)
{
	points_store_read q[POINTS_GET_MANY_MAX + 1];
	size_t i;
	int rc;

	if (!last)
		return points_db__get_many(db, r, n);
	if (!points_db__reads_last(db)) {
		/* the cursor first: the keys' values stay valid only until
		 * the next store call */
		if ((rc = last_by_cursor(db, last)))
			return rc;
		return points_db__get_many(db, r, n);
	}
	if (n > POINTS_GET_MANY_MAX)
		return points_db__err(db, POINTS_ELIMIT,
		    "%zu keys in one read (at most %d)", n,
		    POINTS_GET_MANY_MAX);
	for (i = 0; i < n; i++) {
		q[i].ks = db->ks[r[i].ks->slot];
		q[i].key = r[i].key;
		q[i].klen = r[i].klen;
		q[i].lo = NULL;
		q[i].lolen = 0;
	}
	q[n].ks = db->ks[last->ks->slot];
	q[n].key = last->hi;
	q[n].klen = last->hilen;
	q[n].lo = last->lo;
	q[n].lolen = last->lolen;
	if ((rc = db->store->read_many(db->store, n + 1, q)))
		return points_db__store_err(db, rc, n ? r[0].ks->name :
		    last->ks->name);
	for (i = 0; i <= n; i++)
		if (q[i].rc != POINTS_OK && q[i].rc != POINTS_ENOTFOUND)
			return points_db__store_err(db, q[i].rc, i < n ?
			    r[i].ks->name : last->ks->name);
	for (i = 0; i < n; i++) {
		r[i].rc = q[i].rc;
		r[i].val = q[i].rc == POINTS_OK ? q[i].val : NULL;
		r[i].vlen = q[i].rc == POINTS_OK ? q[i].vlen : 0;
	}
	last->rc = q[n].rc;
	last->key = q[n].rc == POINTS_OK ? q[n].fkey : NULL;
	last->klen = q[n].rc == POINTS_OK ? q[n].fklen : 0;
	last->val = q[n].rc == POINTS_OK ? q[n].val : NULL;
	last->vlen = q[n].rc == POINTS_OK ? q[n].vlen : 0;
	return POINTS_OK;
}

int
points_db__last_key64(points_db *db, const points_ksdef *ks, int64_t *out)
{
	struct points_lastkey *lk = &db->lastkey[ks->slot];
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	int rc, exact = 1;

	if (lk->gen == db->lastkey_gen) {
		*out = (int64_t)lk->key;
		return POINTS_OK;
	}
	rc = db->store->cursor_open(db->store, db->ks[ks->slot], NULL, 0, NULL, 0, 1,
	    &c);
	if (rc != POINTS_OK)
		return points_db__store_err(db, rc, ks->name);
	rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
	if (rc == POINTS_OK) {
		if (kl < 8)
			rc = points_db__err(db, POINTS_ECORRUPT,
			    "%s: short key", ks->name);
		else
			*out = (int64_t)points_codec__get_be64(k);
		exact = kl == 8;
	} else if (rc == POINTS_ITEROVER) {
		*out = 0;
		rc = POINTS_OK;
	} else {
		rc = points_db__store_err(db, rc, ks->name);
	}
	db->store->cursor_close(db->store, c);
	/* kept only inside a transaction (whose end forgets it) */
	if (rc == POINTS_OK && exact && db->in_txn) {
		lk->key = (uint64_t)*out;
		lk->gen = db->lastkey_gen;
	}
	return rc;
}

int
points_db__collect_keys(points_db *db, const points_ksdef *ks, const void *lo, size_t lolen,
    const void *hi, size_t hilen, size_t klen, unsigned char *keys,
    size_t max, size_t *n)
{
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	int rc;

	*n = 0;
	rc = db->store->cursor_open(db->store, db->ks[ks->slot], lo, lolen, hi,
	    hilen, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, ks->name);
	while (*n < max) {
		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, ks->name);
			break;
		}
		if (kl != klen) {
			rc = points_db__err(db, POINTS_ECORRUPT, "%s: key of %zu "
			    "bytes", ks->name, kl);
			break;
		}
		memcpy(keys + *n * klen, k, klen);
		(*n)++;
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

/* ---- Open and close ---- */

static int
check_options(points_db *db, const points_open_options *opts)
{
	if (!opts)
		return POINTS_OK;
	if (opts->version == 0 || opts->version > POINTS_OPEN_OPTIONS_VERSION)
		return points_db__err(db, POINTS_EVERSION,
		    "open options version %u not supported (1..%d)",
		    opts->version, POINTS_OPEN_OPTIONS_VERSION);
	if (opts->utc_offset != POINTS_UTC_OFFSET_LEDGER &&
	    (opts->utc_offset < -UTC_OFFSET_MAX ||
	    opts->utc_offset > UTC_OFFSET_MAX))
		return points_db__err(db, POINTS_EINVAL,
		    "utc_offset %ld out of range (+-14 hours)",
		    (long)opts->utc_offset);
	if (opts->version >= 3 && opts->partitions > POINTS_PARTITIONS_MAX)
		return points_db__err(db, POINTS_EINVAL, "partitions %u out "
		    "of range (1 to %d, or 0: the store's default)",
		    opts->partitions, POINTS_PARTITIONS_MAX);
	return POINTS_OK;
}

/* The offset an open asks for.  Version 1's default was 0, which a
 * program could not tell from a choice: there 0 is "the ledger's". */
static int32_t
wanted_offset(const points_open_options *opts)
{
	if (!opts || (opts->version == 1 && opts->utc_offset == 0))
		return POINTS_UTC_OFFSET_LEDGER;
	return opts->utc_offset;
}

/* "+08:00" for 28800 */
static void
format_offset(char *out, size_t cap, int32_t off)
{
	int32_t a = off < 0 ? -off : off;

	snprintf(out, cap, "%c%02d:%02d", off < 0 ? '-' : '+',
	    (int)(a / 3600), (int)(a / 60 % 60));
}

/* A new ledger, or one of 0.1.0 (format 1), which kept no settings:
 * store the offset this open asked for, 0 when it asked for none. */
static int
meta_setup(points_db *db, unsigned int found)
{
	const void *v;
	size_t vl;
	int rc;

	(void)found;
	rc = points_db__get(db, &points_db__meta_ks, UTC_OFFSET_KEY,
	    strlen(UTC_OFFSET_KEY), &v, &vl);
	if (rc != POINTS_ENOTFOUND)
		return rc;
	points_buf__reset(&db->vbuf);
	points_buf__svar(&db->vbuf, db->want_offset ==
	    POINTS_UTC_OFFSET_LEDGER ? 0 : db->want_offset);
	if (db->vbuf.err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	return points_db__put(db, &points_db__meta_ks, UTC_OFFSET_KEY,
	    strlen(UTC_OFFSET_KEY), db->vbuf.data, db->vbuf.len);
}

int
points_db__partitions(points_db *db, unsigned *out, unsigned *layout)
{
	const void *v;
	size_t vl;
	points_rd r;
	uint64_t n, lay = 0;
	int rc;

	*out = 1;
	if (layout)
		*layout = 0;
	rc = points_db__get(db, &points_db__meta_ks, POINTS_DB_PARTITIONS_KEY,
	    strlen(POINTS_DB_PARTITIONS_KEY), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	points_rd__init(&r, v, vl);
	n = points_rd__uvar(&r);
	if (!r.err && r.p != r.end) /* a layout: none in format 4 */
		lay = points_rd__uvar(&r);
	if (r.err || r.p != r.end || n < 1 || n > POINTS_PARTITIONS_MAX ||
	    (lay & ~(uint64_t)POINTS_DB_LAYOUT_SYSTEM_SHARDS))
		return points_db__err(db, POINTS_ECORRUPT, "ledger setting "
		    "'%s' unreadable", POINTS_DB_PARTITIONS_KEY);
	*out = (unsigned)n;
	if (layout)
		*layout = (unsigned)lay;
	return POINTS_OK;
}

/* A partition count the open asked for must be the ledger's (stored by
 * the ledger module when it made the log in more than one). */
static int
partitions_check(points_db *db)
{
	unsigned n;
	int rc;

	if (db->want_partitions == 0)
		return POINTS_OK;
	if ((rc = points_db__partitions(db, &n, NULL)))
		return rc;
	if (n != db->want_partitions)
		return points_db__err(db, POINTS_EINVAL, "partitions %u "
		    "conflicts with the ledger's log, made in %u partitions: "
		    "open with that count or 0 (the ledger's)",
		    db->want_partitions, n);
	return POINTS_OK;
}

/* Read the ledger's settings into the handle; an offset the open asked
 * for must be the ledger's. */
static int
settings_load(points_db *db)
{
	char want[16], have[16];
	const void *v;
	size_t vl;
	points_rd r;
	int64_t off;
	int rc;

	rc = points_db__get(db, &points_db__meta_ks, UTC_OFFSET_KEY,
	    strlen(UTC_OFFSET_KEY), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, POINTS_ECORRUPT,
		    "ledger setting '%s' is missing", UTC_OFFSET_KEY);
	if (rc)
		return rc;
	points_rd__init(&r, v, vl);
	off = points_rd__svar(&r);
	if (r.err || r.p != r.end || off < -UTC_OFFSET_MAX ||
	    off > UTC_OFFSET_MAX)
		return points_db__err(db, POINTS_ECORRUPT,
		    "ledger setting '%s' unreadable", UTC_OFFSET_KEY);
	if (db->want_offset != POINTS_UTC_OFFSET_LEDGER &&
	    db->want_offset != off) {
		format_offset(want, sizeof(want), db->want_offset);
		format_offset(have, sizeof(have), (int32_t)off);
		return points_db__err(db, POINTS_EINVAL, "utc_offset %ld "
		    "(%s) conflicts with the ledger's UTC offset %lld (%s), "
		    "stored when it was created: open with that offset or "
		    "POINTS_UTC_OFFSET_LEDGER", (long)db->want_offset, want,
		    (long long)off, have);
	}
	db->utc_offset = (int32_t)off;
	return partitions_check(db);
}

POINTS_EXTERN int
points_settings_get(points_db *db, points_settings *out)
{
	int rc = points_db__check_db(db);

	if (rc)
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	memset(out, 0, sizeof(*out));
	out->utc_offset = db->utc_offset;
	return POINTS_OK;
}

static int
check_store(points_db *db, points_store *s)
{
	int nsp;

	if (s->version == 0 || s->version > POINTS_STORE_VERSION)
		return points_db__err(db, POINTS_EVERSION,
		    "store version %u not supported (1..%d)", s->version,
		    POINTS_STORE_VERSION);
	if (!s->keyspace || !s->begin || !s->commit || !s->rollback ||
	    !s->get || !s->put || !s->del || !s->cursor_open ||
	    !s->cursor_next || !s->cursor_close)
		return points_db__err(db, POINTS_EINVAL,
		    "store '%s' lacks a required method",
		    s->name ? s->name : "?");
	/* Savepoints come as a set: one alone is a backend's bug. */
	nsp = s->version < 3 ? 0 : !!s->savepoint + !!s->release +
	    !!s->rollback_to;
	if (nsp != 0 && nsp != 3)
		return points_db__err(db, POINTS_EINVAL,
		    "store '%s' has some of savepoint, release and "
		    "rollback_to but not all three", s->name ? s->name : "?");
	return POINTS_OK;
}

/* The version a ledger records for module m ("format" for the handle's
 * own), 0 when it has none yet; POINTS_EVERSION when it is newer than
 * this library. */
static int
marker_get(points_db *db, const points_module *m, unsigned *out)
{
	char key[64];
	const void *v;
	size_t vl;
	points_rd r;
	uint64_t fmt;
	int rc;

	if (m == &db_module)
		snprintf(key, sizeof(key), "format");
	else
		snprintf(key, sizeof(key), "module:%s", m->name);
	*out = 0;
	rc = points_db__get(db, &points_db__meta_ks, key, strlen(key), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	points_rd__init(&r, v, vl);
	fmt = points_rd__uvar(&r);
	if (r.err || fmt == 0)
		return points_db__err(db, POINTS_ECORRUPT,
		    "ledger marker '%s' unreadable", key);
	if (fmt > m->format)
		return points_db__err(db, POINTS_EVERSION, "ledger %s%sformat %llu "
		    "is newer than this library (%u)", m == &db_module ? "" :
		    m->name, m == &db_module ? "" : " ", (unsigned long long)fmt,
		    m->format);
	*out = (unsigned)fmt;
	return POINTS_OK;
}

static int
marker_put(points_db *db, const points_module *m)
{
	char key[64];
	points_buf *b = &db->vbuf;

	if (m == &db_module)
		snprintf(key, sizeof(key), "format");
	else
		snprintf(key, sizeof(key), "module:%s", m->name);
	points_buf__reset(b);
	points_buf__uvar(b, m->format);
	if (b->err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	return points_db__put(db, &points_db__meta_ks, key, strlen(key), b->data,
	    b->len);
}

/* Every module records the version of its records in the ledger, and
 * sets the ledger up the first time it meets it (a new ledger: the
 * system accounts) or upgrades it from the older format it finds.  A
 * ledger whose modules are all set up and current is only read: opening
 * it does not wait for another process's write lock. */
static int
ledger_setup(points_db *db)
{
	points_module *m;
	unsigned fmt;
	int rc, write, missing = 0;

	for (write = 0; write < 2; write++) {
		rc = write ? points_db__write_begin(db) : points_db__read_begin(db);
		if (rc)
			return rc;
		for (m = points_module__first(); m && rc == POINTS_OK;
		    m = m->next) {
			if (m->format == 0)
				continue; /* stores nothing */
			if ((rc = marker_get(db, m, &fmt)) || fmt == m->format)
				continue;
			missing = 1;
			if (write && m->setup)
				rc = m->setup(db, fmt);
			if (write && rc == POINTS_OK)
				rc = marker_put(db, m);
		}
		/* set up and current: what it stores applies */
		if (rc == POINTS_OK && (write || !missing))
			rc = settings_load(db);
		if (!write) {
			points_db__read_end(db);
			if (rc || !missing)
				return rc;
		}
	}
	return points_db__write_end(db, rc);
}

/* mode=rw: the store has a ledger's keyspaces (the SQLite store
 * checked), and they must hold one that was set up, not one whose
 * first open never committed. */
static int
check_existing(points_db *db)
{
	unsigned fmt = 0;
	int rc;

	if (!db->existing)
		return POINTS_OK;
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = marker_get(db, &db_module, &fmt);
	points_db__read_end(db);
	if (rc == POINTS_OK && fmt == 0)
		rc = points_db__err(db, POINTS_ENOTFOUND, "no ledger in this "
		    "store (its first open did not finish); mode=rw opens an "
		    "existing ledger only");
	return rc;
}

static int
db_init(points_db *db, points_store *store, const points_open_options *opts)
{
	points_module *m;
	int rc;

	db->store = store;
	db->savepoints = store->version >= 3 && store->savepoint &&
	    store->release && store->rollback_to;
	db->clock = system_clock;
	if (opts && opts->clock) {
		db->clock = opts->clock;
		db->clock_ctx = opts->clock_ctx;
	}
	db->want_offset = wanted_offset(opts);
	db->want_partitions = opts && opts->version >= 3 ? opts->partitions :
	    0;
	if (sodium_init() < 0)
		return points_db__err(db, POINTS_ESTORAGE,
		    "libsodium failed to initialise");
	points_ids__seed(&db->rng);
	db->ks = points_alloc__calloc((size_t)points_module__keyspaces() + 1,
	    sizeof(*db->ks));
	db->lastkey = points_alloc__calloc((size_t)points_module__keyspaces() + 1,
	    sizeof(*db->lastkey));
	db->lastkey_gen = 1;
	db->state = points_alloc__calloc((size_t)points_module__count() + 1,
	    sizeof(*db->state));
	if (!db->ks || !db->state || !db->lastkey)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	db->nks = points_module__keyspaces();
	for (m = points_module__first(); m; m = m->next) {
		points_ksdef *const *k;

		for (k = m->keyspaces; k && *k; k++) {
			unsigned flags = (*k)->flags;

			/* A version-1 store knows no INT64: to it these are
			 * 8-byte keys like any others, in the same order. */
			if (store->version < 2)
				flags &= ~POINTS_KS_INT64;
			/* nor does one before version 5 know REWRITTEN */
			if (store->version < 5)
				flags &= ~POINTS_KS_REWRITTEN;
			rc = store->keyspace(store, (*k)->name, flags,
			    &db->ks[(*k)->slot]);
			if (rc != POINTS_OK)
				return points_db__store_err(db, rc, (*k)->name);
		}
		if (m->state_size &&
		    !(db->state[m->slot] = points_alloc__calloc(1, m->state_size)))
			return points_db__err(db, POINTS_ENOMEM, "out of memory");
		db->nstate = m->slot + 1;
	}
	if ((rc = check_existing(db)))
		return rc;
	return ledger_setup(db);
}

void *
points_db__state(points_db *db, const points_module *m)
{
	return db->state[m->slot];
}

static points_db *
db_alloc(void)
{
	points_db *db = points_alloc__calloc(1, sizeof(*db));

	if (db) {
		points_buf__init(&db->kbuf);
		points_buf__init(&db->vbuf);
		points_buf__init(&db->mbuf);
		points_buf__init(&db->lbuf);
	}
	return db;
}

int
points_db__failed_new(int code, const char *msg, points_db **out)
{
	points_db *db;

	*out = NULL;
	if (!(db = db_alloc()))
		return POINTS_ENOMEM;
	*out = db;
	points_db__err(db, code, "%s", msg);
	db->failed = 1;
	return code;
}

POINTS_EXTERN int
points_open(const char *uri, const points_open_options *opts, points_db **out)
{
	points_store *store = NULL;
	points_db *db;
	int rc;

	if (!out)
		return POINTS_EINVAL;
	*out = NULL;
	if (!(db = db_alloc()))
		return POINTS_ENOMEM;
	*out = db; /* even on failure, so that points_errmsg can explain */
	if (!uri)
		rc = points_db__err(db, POINTS_EINVAL, "uri is required");
	else
		rc = check_options(db, opts);
	if (rc == POINTS_OK) {
		char why[256];

		rc = points_store__open(uri, &store, &db->existing, why,
		    sizeof(why));
		if (rc != POINTS_OK)
			points_db__err(db, rc, "cannot open store '%.200s': %s", uri,
			    why[0] ? why : points_strerror(rc));
	}
	if (rc == POINTS_OK) {
		db->own_store = 1;
		rc = db_init(db, store, opts);
	}
	if (rc != POINTS_OK) {
		db->failed = 1;
		db->errcode = rc;
	}
	return rc;
}

POINTS_EXTERN int
points_open_store(points_store *store, const points_open_options *opts,
    points_db **out)
{
	points_db *db;
	int rc;

	if (!out)
		return POINTS_EINVAL;
	*out = NULL;
	if (!(db = db_alloc()))
		return POINTS_ENOMEM;
	*out = db;
	if (!store)
		rc = points_db__err(db, POINTS_EINVAL, "store is required");
	else if ((rc = check_options(db, opts)) == POINTS_OK &&
	    (rc = check_store(db, store)) == POINTS_OK)
		rc = db_init(db, store, opts);
	if (rc != POINTS_OK) {
		db->failed = 1;
		db->errcode = rc;
		db->store = NULL; /* borrowed: never touched again */
	}
	return rc;
}

POINTS_EXTERN void
points_close(points_db *db)
{
	points_module *m;

	if (!db)
		return;
	/* What outlives the handle (iterators) lets go of it first. */
	for (m = points_module__first(); m; m = m->next)
		if (m->close && m->slot < db->nstate && db->state[m->slot])
			m->close(db, db->state[m->slot]);
	if (db->store && db->in_txn)
		db->store->rollback(db->store);
	if (db->own_store)
		points_store_close(db->store);
	if (db->state) {
		int i;

		for (i = 0; i < db->nstate; i++)
			points_alloc__free(db->state[i]);
		points_alloc__free(db->state);
	}
	points_alloc__free(db->ks);
	points_alloc__free(db->lastkey);
	points_buf__free(&db->kbuf);
	points_buf__free(&db->vbuf);
	points_buf__free(&db->mbuf);
	points_buf__free(&db->lbuf);
	points_ids__wipe(&db->rng);
	points_alloc__free(db);
}

int
points_db__uuid_parse(points_db *db, const char *s,
    unsigned char out[POINTS_UUID_LEN])
{
	if (!s)
		return points_db__err(db, POINTS_EINVAL,
		    "transaction id is required");
	if (points_ids__parse(s, out) != 0)
		return points_db__err(db, POINTS_EINVAL,
		    "'%.40s' is not a transaction id (a UUID)", s);
	return POINTS_OK;
}
