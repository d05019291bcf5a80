/*
 * store_fault.c - the fault-injecting wrapper (points_store_fault_new).
 *
 * It stacks on any store and counts the calls that can fail: keyspace,
 * begin, commit, get, get_many, put, del, cursor_open, cursor_next,
 * savepoint, release, rollback_to and read_many (get_many and read_many
 * are one call, however many keys they read).  Once armed with
 * n, call n (counting from 1 after arming) fails with POINTS_ESTORAGE,
 * or, when persistent, every call from n on does.  It also counts every
 * call per method, those that never fail included, so that a test can
 * count a store's round trips (points_store_fault_method_calls).
 *
 * It has the version-2 methods: errmsg (the injected fault, or the inner
 * store's message) always, and get_many when the inner store has it, so
 * that a wrapped version-1 store still looks like one; and the version-3
 * savepoints when the inner store has them (a wrapped version-2 store
 * keeps the library's fallback: a failed write loses the batch), and
 * version 4's read_many when the inner store has it.
 *
 * A failed call is not forwarded, so the inner store is untouched and the
 * caller sees exactly what a store that failed before doing anything
 * would show.  The exception is commit: a real commit that fails leaves
 * nothing written, so an injected commit failure rolls the inner
 * transaction back (commit never half-happens, and the wrapper never sits
 * on an inner transaction the caller believes is gone).  The caller's
 * rollback that follows is forwarded as usual and finds no transaction,
 * which every built-in backend accepts as a no-op.
 *
 * rollback, cursor_close and close are never failed.  Keyspaces and
 * cursors are the inner store's own objects, passed through unwrapped.
 */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "points/sys/store.h"
#include "points/sys/fault.h"
#include "util/alloc.h"
#include "store/store.h"

/* The methods counted one by one. */
enum {
	M_KEYSPACE, M_BEGIN, M_COMMIT, M_ROLLBACK, M_GET, M_PUT, M_DEL,
	M_CURSOR_OPEN, M_CURSOR_NEXT, M_CURSOR_CLOSE, M_GET_MANY,
	M_SAVEPOINT, M_RELEASE, M_ROLLBACK_TO, M_READ_MANY, M_COUNT
};

static const char *const method_names[M_COUNT] = {
	"keyspace", "begin", "commit", "rollback", "get", "put", "del",
	"cursor_open", "cursor_next", "cursor_close", "get_many",
	"savepoint", "release", "rollback_to", "read_many",
};

typedef struct fault_store {
	points_store base;
	points_store *inner; /* borrowed */
	int64_t per_method[M_COUNT]; /* every call since arming */
	int64_t n;           /* call to fail; 0: disarmed */
	int persistent;
	int64_t calls;       /* counted calls since arming */
	int64_t failures;    /* injected since arming */
	int last_failed;     /* the last counted call was failed */
	int in_txn;          /* inner has a transaction we began */
	char msg[64];
} fault_store;

static void fault_close(points_store *st);

/* Count a call of method m; 1 when it must fail. */
static int
fault_tick(fault_store *f, int m)
{
	f->per_method[m]++;
	f->calls++;
	f->last_failed = f->n > 0 && (f->calls == f->n ||
	    (f->persistent && f->calls > f->n));
	if (f->last_failed)
		f->failures++;
	return f->last_failed;
}

static int
fault_keyspace(points_store *st, const char *name, unsigned int flags,
    points_keyspace **out)
{
	fault_store *f = (fault_store *)st;

	if (fault_tick(f, M_KEYSPACE))
		return POINTS_ESTORAGE;
	/* A version-1 store knows no INT64 (a hint: the same keys). */
	if (f->inner->version < 2)
		flags &= ~POINTS_KS_INT64;
	if (f->inner->version < 5)
		flags &= ~POINTS_KS_REWRITTEN;
	return f->inner->keyspace(f->inner, name, flags, out);
}

static int
fault_begin(points_store *st, int write)
{
	fault_store *f = (fault_store *)st;
	int rc;

	if (fault_tick(f, M_BEGIN))
		return POINTS_ESTORAGE;
	rc = f->inner->begin(f->inner, write);
	if (rc == POINTS_OK)
		f->in_txn = 1;
	return rc;
}

static int
fault_commit(points_store *st)
{
	fault_store *f = (fault_store *)st;
	int rc;

	if (fault_tick(f, M_COMMIT)) {
		/* See the top of the file: a failed commit wrote nothing. */
		if (f->in_txn)
			f->inner->rollback(f->inner);
		f->in_txn = 0;
		return POINTS_ESTORAGE;
	}
	rc = f->inner->commit(f->inner);
	/* The built-in backends end the transaction even when commit
	 * fails; for a host store a rollback must follow anyway. */
	if (rc == POINTS_OK)
		f->in_txn = 0;
	return rc;
}

static int
fault_rollback(points_store *st)
{
	fault_store *f = (fault_store *)st;

	f->per_method[M_ROLLBACK]++;
	f->in_txn = 0;
	return f->inner->rollback(f->inner);
}

static int
fault_get(points_store *st, points_keyspace *ks, const void *key, size_t klen,
    const void **val, size_t *vlen)
{
	fault_store *f = (fault_store *)st;

	if (fault_tick(f, M_GET))
		return POINTS_ESTORAGE;
	return f->inner->get(f->inner, ks, key, klen, val, vlen);
}

static int
fault_put(points_store *st, points_keyspace *ks, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	fault_store *f = (fault_store *)st;

	if (fault_tick(f, M_PUT))
		return POINTS_ESTORAGE;
	return f->inner->put(f->inner, ks, key, klen, val, vlen);
}

static int
fault_del(points_store *st, points_keyspace *ks, const void *key, size_t klen)
{
	fault_store *f = (fault_store *)st;

	if (fault_tick(f, M_DEL))
		return POINTS_ESTORAGE;
	return f->inner->del(f->inner, ks, key, klen);
}

static int
fault_cursor_open(points_store *st, points_keyspace *ks, const void *lo,
    size_t lolen, const void *hi, size_t hilen, int reverse,
    points_cursor **out)
{
	fault_store *f = (fault_store *)st;

	if (fault_tick(f, M_CURSOR_OPEN))
		return POINTS_ESTORAGE;
	return f->inner->cursor_open(f->inner, ks, lo, lolen, hi, hilen,
	    reverse, out);
}

static int
fault_cursor_next(points_store *st, points_cursor *c, const void **key,
    size_t *klen, const void **val, size_t *vlen)
{
	fault_store *f = (fault_store *)st;

	if (fault_tick(f, M_CURSOR_NEXT))
		return POINTS_ESTORAGE;
	return f->inner->cursor_next(f->inner, c, key, klen, val, vlen);
}

static void
fault_cursor_close(points_store *st, points_cursor *c)
{
	fault_store *f = (fault_store *)st;

	f->per_method[M_CURSOR_CLOSE]++;
	f->inner->cursor_close(f->inner, c);
}

/* One call, however many keys. */
static int
fault_get_many(points_store *st, size_t n, points_keyspace *const *kss,
    const void *const *keys, const size_t *klens, const void **vals,
    size_t *vlens, int *rcs)
{
	fault_store *f = (fault_store *)st;

	if (fault_tick(f, M_GET_MANY))
		return POINTS_ESTORAGE;
	return f->inner->get_many(f->inner, n, kss, keys, klens, vals, vlens,
	    rcs);
}

/* One call, however many reads. */
static int
fault_read_many(points_store *st, size_t n, points_store_read *r)
{
	fault_store *f = (fault_store *)st;

	if (fault_tick(f, M_READ_MANY))
		return POINTS_ESTORAGE;
	return f->inner->read_many(f->inner, n, r);
}

/* Savepoints: failed like any other call, and then not forwarded, so
 * that a failed release leaves the savepoint open and a failed
 * rollback_to leaves the writes since it (the library then rolls the
 * whole transaction back). */
static int
fault_savepoint(points_store *st)
{
	fault_store *f = (fault_store *)st;

	if (fault_tick(f, M_SAVEPOINT))
		return POINTS_ESTORAGE;
	return f->inner->savepoint(f->inner);
}

static int
fault_release(points_store *st)
{
	fault_store *f = (fault_store *)st;

	if (fault_tick(f, M_RELEASE))
		return POINTS_ESTORAGE;
	return f->inner->release(f->inner);
}

static int
fault_rollback_to(points_store *st)
{
	fault_store *f = (fault_store *)st;

	if (fault_tick(f, M_ROLLBACK_TO))
		return POINTS_ESTORAGE;
	return f->inner->rollback_to(f->inner);
}

static const char *
fault_errmsg(points_store *st)
{
	fault_store *f = (fault_store *)st;
	points_store *in = f->inner;

	if (f->last_failed) {
		snprintf(f->msg, sizeof(f->msg), "fault injected at call %lld",
		    (long long)f->calls);
		return f->msg;
	}
	return (in->version >= 2 && in->errmsg) ? in->errmsg(in) : NULL;
}

/* Inner is borrowed and stays open; a transaction we began on it is
 * rolled back, as closing any store does. */
static void
fault_close(points_store *st)
{
	fault_store *f = (fault_store *)st;

	if (!f)
		return;
	if (f->in_txn)
		f->inner->rollback(f->inner);
	points_alloc__free(f);
}

static fault_store *
as_fault(points_store *s)
{
	return (s && s->close == fault_close) ? (fault_store *)s : NULL;
}

POINTS_EXTERN int
points_store_fault_new(points_store *inner, points_store **out)
{
	fault_store *f;

	if (!inner || !out)
		return POINTS_EINVAL;
	if (inner->version == 0 || inner->version > POINTS_STORE_VERSION)
		return POINTS_EVERSION;
	if (!inner->keyspace || !inner->begin || !inner->commit ||
	    !inner->rollback || !inner->get || !inner->put || !inner->del ||
	    !inner->cursor_open || !inner->cursor_next ||
	    !inner->cursor_close)
		return POINTS_EINVAL;
	if (!(f = points_alloc__calloc(1, sizeof(*f))))
		return POINTS_ENOMEM;
	f->base.version = POINTS_STORE_VERSION;
	f->base.name = "fault";
	f->base.keyspace = fault_keyspace;
	f->base.begin = fault_begin;
	f->base.commit = fault_commit;
	f->base.rollback = fault_rollback;
	f->base.get = fault_get;
	f->base.put = fault_put;
	f->base.del = fault_del;
	f->base.cursor_open = fault_cursor_open;
	f->base.cursor_next = fault_cursor_next;
	f->base.cursor_close = fault_cursor_close;
	f->base.close = fault_close;
	f->base.errmsg = fault_errmsg;
	if (inner->version >= 2 && inner->get_many)
		f->base.get_many = fault_get_many;
	if (inner->version >= 3 && inner->savepoint && inner->release &&
	    inner->rollback_to) {
		f->base.savepoint = fault_savepoint;
		f->base.release = fault_release;
		f->base.rollback_to = fault_rollback_to;
	}
	if (inner->version >= 4 && inner->read_many)
		f->base.read_many = fault_read_many;
	f->inner = inner;
	*out = &f->base;
	return POINTS_OK;
}

POINTS_EXTERN int
points_store_fault_arm(points_store *fault, int64_t n, int persistent)
{
	fault_store *f = as_fault(fault);

	if (!f || n < 0)
		return POINTS_EINVAL;
	f->n = n;
	f->persistent = persistent != 0;
	f->calls = 0;
	f->failures = 0;
	f->last_failed = 0;
	memset(f->per_method, 0, sizeof(f->per_method));
	return POINTS_OK;
}

/* Both return POINTS_EINVAL for a store that is not a fault wrapper. */
POINTS_EXTERN int64_t
points_store_fault_calls(points_store *fault)
{
	fault_store *f = as_fault(fault);

	return f ? f->calls : POINTS_EINVAL;
}

POINTS_EXTERN int64_t
points_store_fault_failures(points_store *fault)
{
	fault_store *f = as_fault(fault);

	return f ? f->failures : POINTS_EINVAL;
}

POINTS_EXTERN int64_t
points_store_fault_method_calls(points_store *fault, const char *method)
{
	fault_store *f = as_fault(fault);
	int m;

	if (!f || !method)
		return POINTS_EINVAL;
	for (m = 0; m < M_COUNT; m++)
		if (strcmp(method, method_names[m]) == 0)
			return f->per_method[m];
	return POINTS_EINVAL;
}
