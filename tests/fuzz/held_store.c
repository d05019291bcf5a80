/* held_store.c - see held_store.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "points.h"
#include "points/sys/store.h"
#include "core/module.h"
#include "held_store.h"

#define MAX_KS 128

struct held_store {
	points_store base;
	points_store *inner;
	int txn; /* the library's: 0 none, 1 read, 2 write */
	char msg[64];
	size_t nks;
	const char *ks_name[MAX_KS];
	unsigned int ks_flags[MAX_KS];
	points_keyspace *ks[MAX_KS];
};

static struct held_store held;

static int
hs_fail(const char *what, const char *why)
{
	snprintf(held.msg, sizeof(held.msg), "%s: %s", what, why);
	return POINTS_EMISUSE;
}

/* The library may read (write != 0: write) now. */
static int
hs_may(int write, const char *what)
{
	if (held.txn == 0)
		return hs_fail(what, "no transaction");
	if (write && held.txn != 2)
		return hs_fail(what, "write in a read transaction");
	held.msg[0] = '\0'; /* the inner store's message from here */
	return POINTS_OK;
}

static int
hs_keyspace(points_store *s, const char *name, unsigned int flags,
    points_keyspace **out)
{
	static size_t next;
	size_t i, j;

	(void)s;
	if (held.txn)
		return hs_fail("keyspace", "keyspaces are opened outside "
		    "transactions");
	/* asked for in module order: the one after the last, mostly */
	for (j = 0; j < held.nks; j++) {
		i = (next + j) % held.nks;
		if (strcmp(held.ks_name[i], name) != 0)
			continue;
		next = i + 1;
		if (held.ks_flags[i] != flags)
			return hs_fail("keyspace", "other flags");
		*out = held.ks[i];
		return POINTS_OK;
	}
	return hs_fail("keyspace", "not one of the ledger's");
}

static int
hs_begin(points_store *s, int write)
{
	int rc;

	(void)s;
	if (held.txn)
		return hs_fail("begin", "a transaction is already open");
	held.msg[0] = '\0';
	if ((rc = held.inner->savepoint(held.inner)) == POINTS_OK)
		held.txn = write ? 2 : 1;
	return rc;
}

static int
hs_commit(points_store *s)
{
	(void)s;
	if (!held.txn)
		return hs_fail("commit", "no transaction");
	held.msg[0] = '\0';
	held.txn = 0;
	return held.inner->release(held.inner);
}

static int
hs_rollback(points_store *s)
{
	(void)s;
	if (!held.txn)
		return POINTS_OK;
	held.txn = 0;
	return held.inner->rollback_to(held.inner);
}

static int
hs_get(points_store *s, points_keyspace *ks, const void *key, size_t klen,
    const void **val, size_t *vlen)
{
	(void)s;
	return hs_may(0, "get") ? POINTS_EMISUSE :
	    held.inner->get(held.inner, ks, key, klen, val, vlen);
}

static int
hs_get_many(points_store *s, size_t n, points_keyspace *const *kss,
    const void *const *keys, const size_t *klens, const void **vals,
    size_t *vlens, int *rcs)
{
	(void)s;
	return hs_may(0, "get_many") ? POINTS_EMISUSE :
	    held.inner->get_many(held.inner, n, kss, keys, klens, vals, vlens,
	    rcs);
}

static int
hs_put(points_store *s, points_keyspace *ks, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	(void)s;
	return hs_may(1, "put") ? POINTS_EMISUSE :
	    held.inner->put(held.inner, ks, key, klen, val, vlen);
}

static int
hs_del(points_store *s, points_keyspace *ks, const void *key, size_t klen)
{
	(void)s;
	return hs_may(1, "del") ? POINTS_EMISUSE :
	    held.inner->del(held.inner, ks, key, klen);
}

static int
hs_cursor_open(points_store *s, points_keyspace *ks, const void *lo,
    size_t lolen, const void *hi, size_t hilen, int reverse,
    points_cursor **out)
{
	(void)s;
	return hs_may(0, "cursor_open") ? POINTS_EMISUSE :
	    held.inner->cursor_open(held.inner, ks, lo, lolen, hi, hilen,
	    reverse, out);
}

static int
hs_cursor_next(points_store *s, points_cursor *c, const void **key,
    size_t *klen, const void **val, size_t *vlen)
{
	(void)s;
	held.msg[0] = '\0';
	return held.inner->cursor_next(held.inner, c, key, klen, val, vlen);
}

static void
hs_cursor_close(points_store *s, points_cursor *c)
{
	(void)s;
	held.inner->cursor_close(held.inner, c);
}

static int
hs_savepoint(points_store *s)
{
	(void)s;
	return hs_may(1, "savepoint") ? POINTS_EMISUSE :
	    held.inner->savepoint(held.inner);
}

static int
hs_release(points_store *s)
{
	(void)s;
	return hs_may(1, "release") ? POINTS_EMISUSE :
	    held.inner->release(held.inner);
}

static int
hs_rollback_to(points_store *s)
{
	(void)s;
	return hs_may(1, "rollback_to") ? POINTS_EMISUSE :
	    held.inner->rollback_to(held.inner);
}

static void
hs_close(points_store *s)
{
	(void)s; /* the ledger outlives every handle */
}

static const char *
hs_errmsg(points_store *s)
{
	(void)s;
	if (held.msg[0])
		return held.msg;
	return held.inner->errmsg(held.inner);
}

points_store *
held_store_new(points_store *inner)
{
	points_module *m;
	points_ksdef *const *ks;

	for (m = points_module__first(); m; m = m->next)
		for (ks = m->keyspaces; ks && *ks; ks++) {
			size_t i = held.nks++;

			if (i == MAX_KS || inner->keyspace(inner, (*ks)->name,
			    (*ks)->flags, &held.ks[i])) {
				fprintf(stderr, "held_store: keyspace %s\n",
				    (*ks)->name);
				abort();
			}
			held.ks_name[i] = (*ks)->name;
			held.ks_flags[i] = (*ks)->flags;
		}
	held.inner = inner;
	held.base.version = POINTS_STORE_VERSION;
	held.base.name = "held";
	held.base.keyspace = hs_keyspace;
	held.base.begin = hs_begin;
	held.base.commit = hs_commit;
	held.base.rollback = hs_rollback;
	held.base.get = hs_get;
	held.base.put = hs_put;
	held.base.del = hs_del;
	held.base.cursor_open = hs_cursor_open;
	held.base.cursor_next = hs_cursor_next;
	held.base.cursor_close = hs_cursor_close;
	held.base.close = hs_close;
	held.base.errmsg = hs_errmsg;
	held.base.get_many = hs_get_many;
	held.base.savepoint = hs_savepoint;
	held.base.release = hs_release;
	held.base.rollback_to = hs_rollback_to;
	return &held.base;
}

void
held_store_begin(void)
{
	if (held.inner->begin(held.inner, 1)) {
		fprintf(stderr, "held_store: begin\n");
		abort();
	}
	held.txn = 0;
	held.msg[0] = '\0';
}

void
held_store_end(void)
{
	held.txn = 0;
	held.inner->rollback(held.inner);
}

/* FNV-1a over b, from h. */
static uint64_t
fnv(uint64_t h, const void *b, size_t n)
{
	const unsigned char *p = b;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * UINT64_C(1099511628211);
	return h;
}

uint64_t
held_store_digest(void)
{
	uint64_t h = UINT64_C(14695981039346656037);
	const void *k, *v;
	size_t i, kl, vl;
	points_cursor *c;

	for (i = 0; i < held.nks; i++) {
		if (held.inner->cursor_open(held.inner, held.ks[i], NULL, 0,
		    NULL, 0, 0, &c)) {
			fprintf(stderr, "held_store: cursor\n");
			abort();
		}
		h = fnv(h, held.ks_name[i], strlen(held.ks_name[i]) + 1);
		while (held.inner->cursor_next(held.inner, c, &k, &kl, &v,
		    &vl) == POINTS_OK) {
			h = fnv(h, &kl, sizeof(kl));
			h = fnv(h, k, kl);
			h = fnv(h, &vl, sizeof(vl));
			h = fnv(h, v, vl);
		}
		held.inner->cursor_close(held.inner, c);
	}
	return h;
}
