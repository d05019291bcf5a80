/*
 * store_memory.c - the "memory:" backend: per keyspace, a B+tree for
 * order and, except in appended keyspaces (INTKEY, ORDERED), a hash
 * table for point lookups.
 *
 * Entries (key and value in one allocation) are shared by both.  get, and
 * put or del of an existing key, go through the hash: a slot and the entry,
 * two cache misses, where a descent pays one per level plus the leaf's
 * binary search (a random get on 100k keys took about half the time of a
 * descent when measured).  The tree is walked to insert, to
 * delete and by cursors.  Each slot of a tree node carries the first 8 key
 * bytes as a big-endian integer, so most comparisons of a search are
 * integer compares on one contiguous array.  The rightmost leaf and the
 * leaf of the last access are tried before a descent, so appends (the
 * entry log, UUIDv7 indexes) skip it, and appending to the rightmost leaf
 * splits it 100/0, leaving full leaves behind.  INTKEY keyspaces (the
 * entry log) have no hash: a slot per append would be a random miss, where
 * the tree's right edge stays in cache.
 *
 * Entries of INTKEY and ORDERED keyspaces, appended and seldom freed,
 * are carved from slabs (slab.c): no malloc each, and their pages are
 * faulted in a slab at a time.  A key past the rightmost leaf's last key
 * goes there without a search.
 *
 * Values are replaced in place when they fit the entry (allocated with
 * some slack, except in INTKEY keyspaces, whose log entries are written
 * once), so neither structure changes; only a value that outgrows its
 * entry moves to a new one.
 *
 * Transactions keep an undo log:
 *  - INSERT(new), DELETE(old), MOVE(old, new) for a value that outgrew
 *    its entry, and INPLACE(entry, saved bytes) for a value overwritten in
 *    place; the old bytes go to one growable buffer, not to an allocation
 *    each.  Entries that leave the tree stay allocated until commit, so
 *    rollback only relinks and copies, and a cursor may keep a pointer to
 *    the entry it returned last even if that key is deleted.
 *  - an entry made by the open transaction is overwritten in place without
 *    saving anything: rollback drops that entry anyway.
 *  - savepoints (version 3) are positions in the undo log: rollback_to
 *    undoes the records past its position, release forgets it.  So that
 *    the rule above holds for them, an entry carries the epoch it was
 *    made in (a savepoint starts a new one) and is overwritten without
 *    saving only when it was made after the newest open savepoint, which
 *    frees it on rollback_to.  A savepoint and its release cost a few
 *    stores and no allocation once the stack has room.
 *  - every allocation (entry, undo slot, saved bytes, a bigger hash table,
 *    split nodes and separator) is made before anything changes, so
 *    POINTS_ENOMEM leaves the map as it was.
 *  - the hash table never shrinks and tree nodes are never merged or freed
 *    inside a transaction (emptied leaves are only queued).  The tree's
 *    leaves then only get finer, and each leaf of the final shape holds at
 *    most as many keys of an earlier state as the coarser leaf that held
 *    them then, so re-inserting deleted keys in rollback always finds room
 *    in both structures: rollback never allocates.  Emptied leaves are
 *    freed when the transaction ends.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "points/sys/store.h"
#include "util/alloc.h"
#include "util/slab.h"
#include "store/store.h"

#define LEAF_MAX 64
#define INNER_MAX 64
#define POOL_KEEP 8                 /* spare nodes kept per keyspace */
#define KV_MAX 0x7fffffffu          /* longest key or value */
#define UNDO_KEEP 65536             /* undo slots kept between txns */
#define SAVED_KEEP (1u << 20)       /* saved value bytes kept between txns */
#define HASH_MIN 16

typedef struct mem_entry {
	uint32_t klen;
	uint32_t vlen;
	uint32_t cap;   /* room for the value */
	uint32_t fresh; /* epoch made in by the open write transaction; 0:
	                 * committed */
	uint32_t slab;  /* its slab's id; 0: malloc'd */
	unsigned char data[]; /* key, then value */
} mem_entry;

/* An inner node's separator: a copy, so that deleting the key it was
 * taken from does not matter. */
typedef struct mem_sep {
	size_t len;
	unsigned char k[];
} mem_sep;

typedef struct mem_inner mem_inner;

typedef struct mem_node {
	int leaf;
	int n; /* entries (leaf) or children (inner) */
	mem_inner *parent;
} mem_node;

typedef struct mem_leaf {
	mem_node h;
	struct mem_leaf *prev, *next; /* key order; next also links the pool */
	struct mem_leaf *next_empty;  /* queued for freeing at txn end */
	int queued;
	uint64_t pfx[LEAF_MAX];
	mem_entry *e[LEAF_MAX];
} mem_leaf;

struct mem_inner {
	mem_node h;             /* h.parent also links the pool */
	uint64_t pfx[INNER_MAX]; /* prefix of sep[i] */
	mem_sep *sep[INNER_MAX]; /* child[i] holds keys >= sep[i]; sep[0] unused */
	mem_node *child[INNER_MAX];
};

typedef struct mem_store mem_store;

typedef struct mem_slot {
	uint64_t h;
	mem_entry *e;
} mem_slot;

struct points_keyspace {
	struct points_keyspace *next;
	mem_store *store;
	char name[33];
	unsigned int flags;
	mem_node *root;
	mem_leaf *last;  /* rightmost leaf */
	mem_leaf *hint;  /* leaf of the last access */
	mem_leaf *empty; /* leaves emptied in this transaction */
	uint64_t mod;    /* bumped by inserts and deletes: cursors re-seek */
	struct mem_slot *tab; /* hash, linear probing (NULL: APPENDED) */
	size_t tcap, tcount;  /* tcap a power of 2, tcount <= tcap / 2 */
	mem_leaf *pool_leaf;
	mem_inner *pool_inner;
	int npool_leaf, npool_inner;
};

struct points_cursor {
	struct points_cursor *prev, *next; /* the store's open cursors */
	points_keyspace *ks;
	mem_leaf *leaf; /* position of the next row; NULL: past the end */
	int idx;
	uint64_t mod;
	const mem_entry *last; /* returned last; alive until txn end */
	int reverse;
	int done;
	int invalid; /* the transaction ended under it */
	const unsigned char *lo, *hi; /* copies, after the struct */
	size_t lolen, hilen;
	uint64_t lopfx, hipfx;
};

enum { U_INSERT, U_DELETE, U_MOVE, U_INPLACE };

typedef struct mem_undo {
	int kind;
	points_keyspace *ks;
	mem_entry *old; /* moved or deleted: back on rollback, freed on commit;
	                 * INPLACE: the entry overwritten */
	mem_entry *neu; /* inserted or moved to: freed on rollback */
	size_t off;     /* INPLACE: the old value in saved[off..off+len) */
	uint32_t len;
} mem_undo;

enum { TXN_NONE, TXN_READ, TXN_WRITE };

/* An open savepoint: where the undo log stood, and the floor before it. */
typedef struct mem_sp {
	size_t nundo, nsaved;
	uint32_t floor;
} mem_sp;

struct mem_store {
	points_store base;
	points_keyspace *ks;
	int txn;
	mem_undo *undo;
	size_t nundo, capundo;
	unsigned char *saved; /* old values of INPLACE records */
	size_t nsaved, capsaved;
	mem_sp *sp;           /* open savepoints, newest last */
	size_t nsp, capsp;
	uint32_t epoch;       /* the newest epoch of the transaction */
	uint32_t floor;       /* the newest open savepoint's (1: none) */
	points_cursor *cursors;
	points_slabs slabs; /* entries of INTKEY and ORDERED keyspaces */
	char msg[96];       /* the last failure's message (errmsg) */
};

/* Keyspaces whose entries come from slabs and that have no hash table:
 * appended to and read by range. */
#define APPENDED (POINTS_KS_INTKEY | POINTS_KS_ORDERED)

/* Record why a call failed (errmsg); returns rc.  Only failures write
 * the message, so a success costs nothing. */
static int
fail(mem_store *s, int rc, const char *what, const char *why)
{
	if (!why)
		why = rc == POINTS_ENOMEM ? "out of memory" :
		    rc == POINTS_EMISUSE ? "no transaction of that kind" :
		    rc == POINTS_ELIMIT ? "too large" : "bad arguments";
	snprintf(s->msg, sizeof(s->msg), "%s: %s", what, why);
	return rc;
}

/* ---- Keys ---- */

/* The first 8 bytes, big-endian, zero-padded.  A smaller prefix means a
 * smaller key; equal prefixes need tail_cmp. */
static uint64_t
key_pfx(const unsigned char *k, size_t n)
{
	uint64_t p = 0;
	size_t i;

	if (n >= 8)
		return (uint64_t)k[0] << 56 | (uint64_t)k[1] << 48 |
		    (uint64_t)k[2] << 40 | (uint64_t)k[3] << 32 |
		    (uint64_t)k[4] << 24 | (uint64_t)k[5] << 16 |
		    (uint64_t)k[6] << 8 | (uint64_t)k[7];
	for (i = 0; i < n; i++)
		p |= (uint64_t)k[i] << (56 - 8 * i);
	return p;
}

/* memcmp order (shorter first on an equal prefix) of two keys whose
 * prefixes are equal.  If either is shorter than 8 bytes, the zero padding
 * made its bytes a prefix of the other's, so length decides. */
static int
tail_cmp(const unsigned char *a, size_t al, const unsigned char *b, size_t bl)
{
	if (al > 8 && bl > 8) {
		size_t n = (al < bl ? al : bl) - 8;
		int c = memcmp(a + 8, b + 8, n);

		if (c)
			return c;
	}
	return (al > bl) - (al < bl);
}

/* Entry e (with prefix ep) against key k (prefix p): <0, 0, >0. */
static int
entry_cmp(uint64_t ep, const mem_entry *e, uint64_t p, const unsigned char *k,
    size_t kl)
{
	if (ep != p)
		return ep < p ? -1 : 1;
	return tail_cmp(e->data, e->klen, k, kl);
}

/* ---- Entries ---- */

/* Room for the value to grow and still be rewritten in place. */
enum { SLACK_NONE, SLACK_SOME, SLACK_MORE };

/* The bytes of an entry with a kl-byte key and room for cap value bytes. */
static size_t
entry_size(size_t kl, size_t cap)
{
	return sizeof(mem_entry) + kl + cap;
}

/* Entries of appended keyspaces (the log, UUIDv7 ids, days) come from
 * slabs: they are seldom freed, and a malloc each, with its own page
 * faults, was a fifth of a posting's time on the memory backend. */
static mem_entry *
entry_new(mem_store *s, const points_keyspace *ks, const void *k, size_t kl,
    const void *v, size_t vl, int slack)
{
	size_t cap = vl, size;
	uint32_t slab = 0;
	mem_entry *e;

	if (slack == SLACK_SOME)
		cap = (vl + vl / 8 + 8) & ~(size_t)7;
	else if (slack == SLACK_MORE)
		cap = (vl + vl / 2 + 16) & ~(size_t)7;
	if (cap > KV_MAX)
		cap = vl;
	if (kl + cap > (size_t)-1 - sizeof(*e))
		return NULL;
	size = entry_size(kl, cap);
	if ((ks->flags & APPENDED) && size <= POINTS_SLAB_MAX)
		e = points_slab__alloc(&s->slabs, size, &slab);
	else
		e = points_alloc__malloc(size);
	if (!e)
		return NULL;
	e->slab = slab;
	e->klen = (uint32_t)kl;
	e->vlen = (uint32_t)vl;
	e->cap = (uint32_t)cap;
	e->fresh = s->epoch;
	if (kl)
		memcpy(e->data, k, kl);
	if (vl)
		memcpy(e->data + kl, v, vl);
	return e;
}

static void
entry_free(mem_store *s, mem_entry *e)
{
	if (e && e->slab)
		points_slab__free(&s->slabs, e, entry_size(e->klen, e->cap),
		    e->slab);
	else
		points_alloc__free(e);
}

/* ---- Hash table ---- */

#define NOSLOT ((size_t)-1)

static size_t
hash_find(const points_keyspace *ks, uint64_t h, const unsigned char *k,
    size_t kl)
{
	size_t mask = ks->tcap - 1, i = (size_t)h & mask;
	const mem_slot *t = ks->tab;

	for (; t[i].e; i = (i + 1) & mask)
		if (t[i].h == h && t[i].e->klen == kl &&
		    (kl == 0 || memcmp(t[i].e->data, k, kl) == 0))
			return i;
	return NOSLOT;
}

/* The slot holding entry e. */
static size_t
hash_slot_of(const points_keyspace *ks, const mem_entry *e)
{
	size_t i = hash_find(ks, points_store__key_hash(e->data, e->klen), e->data, e->klen);

	assert(i != NOSLOT && ks->tab[i].e == e);
	return i;
}

/* Needs a free slot: see hash_reserve. */
static void
hash_insert(points_keyspace *ks, uint64_t h, mem_entry *e)
{
	size_t mask = ks->tcap - 1, i = (size_t)h & mask;

	while (ks->tab[i].e)
		i = (i + 1) & mask;
	ks->tab[i].h = h;
	ks->tab[i].e = e;
	ks->tcount++;
}

/* Backward-shift deletion: no tombstones, so it never needs memory. */
static void
hash_remove(points_keyspace *ks, size_t i)
{
	size_t mask = ks->tcap - 1, j = i, home;
	mem_slot *t = ks->tab;

	for (;;) {
		j = (j + 1) & mask;
		if (!t[j].e)
			break;
		home = (size_t)t[j].h & mask;
		/* Move j back to i unless its home lies in (i, j]. */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			t[i] = t[j];
			i = j;
		}
	}
	t[i].e = NULL;
	ks->tcount--;
}

/* Room for one more key at load <= 1/2, growing before anything else
 * changes.  The table never shrinks, so rollback re-inserts find room. */
static int
hash_reserve(points_keyspace *ks)
{
	mem_slot *nt, *ot = ks->tab;
	size_t ncap, i, j, ocap = ks->tcap;

	if ((ks->tcount + 1) * 2 <= ocap)
		return POINTS_OK;
	ncap = ocap * 2;
	if (ncap > (size_t)-1 / sizeof(*nt) ||
	    !(nt = points_alloc__calloc(ncap, sizeof(*nt))))
		return POINTS_ENOMEM;
	for (i = 0; i < ocap; i++) {
		if (!ot[i].e)
			continue;
		for (j = (size_t)ot[i].h & (ncap - 1); nt[j].e;
		    j = (j + 1) & (ncap - 1))
			;
		nt[j] = ot[i];
	}
	points_alloc__free(ot);
	ks->tab = nt;
	ks->tcap = ncap;
	return POINTS_OK;
}

/* ---- Node pool ---- */

/* Make sure the pool holds nleaf leaves and ninner inner nodes, so that a
 * split cannot fail half-way.  What was allocated stays pooled. */
static int
pool_reserve(points_keyspace *ks, int nleaf, int ninner)
{
	while (ks->npool_leaf < nleaf) {
		mem_leaf *l = points_alloc__malloc(sizeof(*l));

		if (!l)
			return POINTS_ENOMEM;
		l->next = ks->pool_leaf;
		ks->pool_leaf = l;
		ks->npool_leaf++;
	}
	while (ks->npool_inner < ninner) {
		mem_inner *in = points_alloc__malloc(sizeof(*in));

		if (!in)
			return POINTS_ENOMEM;
		in->h.parent = ks->pool_inner;
		ks->pool_inner = in;
		ks->npool_inner++;
	}
	return POINTS_OK;
}

static mem_leaf *
pool_get_leaf(points_keyspace *ks)
{
	mem_leaf *l = ks->pool_leaf;

	assert(l != NULL);
	ks->pool_leaf = l->next;
	ks->npool_leaf--;
	memset(&l->h, 0, sizeof(l->h));
	l->h.leaf = 1;
	l->prev = l->next = l->next_empty = NULL;
	l->queued = 0;
	return l;
}

static mem_inner *
pool_get_inner(points_keyspace *ks)
{
	mem_inner *in = ks->pool_inner;

	assert(in != NULL);
	ks->pool_inner = in->h.parent;
	ks->npool_inner--;
	memset(&in->h, 0, sizeof(in->h));
	in->sep[0] = NULL;
	return in;
}

static void
pool_put_leaf(points_keyspace *ks, mem_leaf *l)
{
	if (ks->npool_leaf >= POOL_KEEP) {
		points_alloc__free(l);
		return;
	}
	l->next = ks->pool_leaf;
	ks->pool_leaf = l;
	ks->npool_leaf++;
}

static void
pool_put_inner(points_keyspace *ks, mem_inner *in)
{
	if (ks->npool_inner >= POOL_KEEP) {
		points_alloc__free(in);
		return;
	}
	in->h.parent = ks->pool_inner;
	ks->pool_inner = in;
	ks->npool_inner++;
}

/* ---- Search ---- */

/* First slot of l whose key is >= k; *eq when it is k. */
static int
leaf_search(const mem_leaf *l, uint64_t p, const unsigned char *k, size_t kl,
    int *eq)
{
	int lo = 0, hi = l->h.n;

	while (lo < hi) {
		int mid = (lo + hi) >> 1;
		int c;

		if (l->pfx[mid] < p)
			c = -1;
		else if (l->pfx[mid] > p)
			c = 1;
		else
			c = tail_cmp(l->e[mid]->data, l->e[mid]->klen, k, kl);
		if (c < 0)
			lo = mid + 1;
		else if (c > 0)
			hi = mid;
		else {
			*eq = 1;
			return mid;
		}
	}
	*eq = 0;
	return lo;
}

/* The child of in whose range holds k. */
static int
inner_search(const mem_inner *in, uint64_t p, const unsigned char *k,
    size_t kl)
{
	int lo = 1, hi = in->h.n; /* first separator > k, in [1, n] */

	while (lo < hi) {
		int mid = (lo + hi) >> 1;
		int le;

		if (in->pfx[mid] != p)
			le = in->pfx[mid] < p;
		else
			le = tail_cmp(in->sep[mid]->k, in->sep[mid]->len, k,
			    kl) <= 0;
		if (le)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

static mem_leaf *
descend(const points_keyspace *ks, uint64_t p, const unsigned char *k,
    size_t kl)
{
	mem_node *n = ks->root;

	while (!n->leaf) {
		const mem_inner *in = (const mem_inner *)n;

		n = in->child[inner_search(in, p, k, kl)];
	}
	return (mem_leaf *)n;
}

/* 1 when k certainly belongs to leaf l: between its first and last keys,
 * or past its first key when l is the rightmost leaf. */
static int
leaf_covers(const mem_leaf *l, uint64_t p, const unsigned char *k, size_t kl)
{
	int n = l->h.n;

	if (n == 0 || entry_cmp(l->pfx[0], l->e[0], p, k, kl) > 0)
		return 0;
	return !l->next || entry_cmp(l->pfx[n - 1], l->e[n - 1], p, k, kl) >= 0;
}

/* The leaf whose range holds k. */
static mem_leaf *
locate(points_keyspace *ks, uint64_t p, const unsigned char *k, size_t kl)
{
	mem_leaf *l;

	if (ks->hint && leaf_covers(ks->hint, p, k, kl))
		return ks->hint;
	if (ks->last != ks->hint && leaf_covers(ks->last, p, k, kl))
		l = ks->last;
	else
		l = descend(ks, p, k, kl);
	ks->hint = l;
	return l;
}

/* ---- Insertion ---- */

static int
is_rightmost(const mem_node *n)
{
	for (; n->parent; n = &n->parent->h)
		if (n->parent->child[n->parent->h.n - 1] != n)
			return 0;
	return 1;
}

static int
child_index(const mem_inner *p, const mem_node *c)
{
	int j;

	for (j = 0; j < p->h.n; j++)
		if (p->child[j] == c)
			break;
	assert(j < p->h.n);
	return j;
}

/* Put right (a new node) after left in left's parent, with separator sep
 * (prefix sp), splitting full ancestors with pooled nodes. */
static void
inner_insert(points_keyspace *ks, mem_node *left, mem_node *right,
    mem_sep *sep, uint64_t sp)
{
	mem_inner *p = left->parent, *q;
	mem_node *cc[INNER_MAX + 1];
	mem_sep *cs[INNER_MAX + 1];
	uint64_t cp[INNER_MAX + 1];
	int j, m, n, i;

	if (!p) { /* left was the root: grow a level */
		p = pool_get_inner(ks);
		p->h.n = 2;
		p->child[0] = left;
		p->child[1] = right;
		p->sep[1] = sep;
		p->pfx[1] = sp;
		left->parent = right->parent = p;
		ks->root = &p->h;
		return;
	}
	j = child_index(p, left) + 1;
	n = p->h.n;
	if (n < INNER_MAX) {
		memmove(&p->child[j + 1], &p->child[j],
		    (size_t)(n - j) * sizeof(p->child[0]));
		memmove(&p->sep[j + 1], &p->sep[j],
		    (size_t)(n - j) * sizeof(p->sep[0]));
		memmove(&p->pfx[j + 1], &p->pfx[j],
		    (size_t)(n - j) * sizeof(p->pfx[0]));
		p->child[j] = right;
		p->sep[j] = sep;
		p->pfx[j] = sp;
		p->h.n = n + 1;
		right->parent = p;
		return;
	}

	/* Split p: lay out the n + 1 children, keep the first m. */
	memcpy(cc, p->child, (size_t)j * sizeof(cc[0]));
	memcpy(cs, p->sep, (size_t)j * sizeof(cs[0]));
	memcpy(cp, p->pfx, (size_t)j * sizeof(cp[0]));
	cc[j] = right;
	cs[j] = sep;
	cp[j] = sp;
	memcpy(&cc[j + 1], &p->child[j], (size_t)(n - j) * sizeof(cc[0]));
	memcpy(&cs[j + 1], &p->sep[j], (size_t)(n - j) * sizeof(cs[0]));
	memcpy(&cp[j + 1], &p->pfx[j], (size_t)(n - j) * sizeof(cp[0]));
	m = (j == n && is_rightmost(&p->h)) ? n : (n + 1) / 2;

	q = pool_get_inner(ks);
	p->h.n = m;
	memcpy(p->child, cc, (size_t)m * sizeof(cc[0]));
	memcpy(p->sep, cs, (size_t)m * sizeof(cs[0]));
	memcpy(p->pfx, cp, (size_t)m * sizeof(cp[0]));
	q->h.n = n + 1 - m;
	memcpy(q->child, &cc[m], (size_t)q->h.n * sizeof(cc[0]));
	memcpy(q->sep, &cs[m], (size_t)q->h.n * sizeof(cs[0]));
	memcpy(q->pfx, &cp[m], (size_t)q->h.n * sizeof(cp[0]));
	q->sep[0] = NULL; /* cs[m] moves up */
	for (i = 0; i < q->h.n; i++)
		q->child[i]->parent = q;
	for (i = 0; i < m; i++)
		p->child[i]->parent = p;
	inner_insert(ks, &p->h, &q->h, cs[m], cp[m]);
}

/* Where a full leaf splits when key slot i is inserted: the first slot of
 * the new right leaf among the n + 1 keys.  Appending to the rightmost
 * leaf moves only the new key. */
static int
split_point(const mem_leaf *l, int i)
{
	return (i == LEAF_MAX && !l->next) ? LEAF_MAX : (LEAF_MAX + 1) / 2;
}

/* Allocate all a split at slot i of full leaf l needs: one leaf, the
 * separator (a copy of the right leaf's first key), and an inner node per
 * full ancestor, plus a new root if every one is full. */
static int
split_reserve(points_keyspace *ks, const mem_leaf *l, int i,
    const mem_entry *ne, mem_sep **sep)
{
	const mem_inner *p = l->h.parent;
	const mem_entry *first;
	int m = split_point(l, i), ninner = 0, rc;

	while (p && p->h.n == INNER_MAX) {
		ninner++;
		p = p->h.parent;
	}
	if (!p)
		ninner++;
	if ((rc = pool_reserve(ks, 1, ninner)) != POINTS_OK)
		return rc;
	first = m < i ? l->e[m] : m == i ? ne : l->e[m - 1];
	*sep = points_alloc__malloc(sizeof(**sep) + first->klen);
	if (!*sep)
		return POINTS_ENOMEM;
	(*sep)->len = first->klen;
	memcpy((*sep)->k, first->data, first->klen);
	return POINTS_OK;
}

/* Insert e (prefix p) at slot i of l.  A full leaf needs sep from
 * split_reserve; otherwise sep is NULL. */
static void
leaf_insert(points_keyspace *ks, mem_leaf *l, int i, uint64_t p, mem_entry *e,
    mem_sep *sep)
{
	mem_entry *ce[LEAF_MAX + 1];
	uint64_t cp[LEAF_MAX + 1];
	mem_leaf *r;
	int n = l->h.n, m;

	if (n < LEAF_MAX) {
		memmove(&l->e[i + 1], &l->e[i], (size_t)(n - i) * sizeof(l->e[0]));
		memmove(&l->pfx[i + 1], &l->pfx[i],
		    (size_t)(n - i) * sizeof(l->pfx[0]));
		l->e[i] = e;
		l->pfx[i] = p;
		l->h.n = n + 1;
		return;
	}
	assert(sep != NULL);
	m = split_point(l, i);
	memcpy(ce, l->e, (size_t)i * sizeof(ce[0]));
	memcpy(cp, l->pfx, (size_t)i * sizeof(cp[0]));
	ce[i] = e;
	cp[i] = p;
	memcpy(&ce[i + 1], &l->e[i], (size_t)(n - i) * sizeof(ce[0]));
	memcpy(&cp[i + 1], &l->pfx[i], (size_t)(n - i) * sizeof(cp[0]));

	r = pool_get_leaf(ks);
	l->h.n = m;
	memcpy(l->e, ce, (size_t)m * sizeof(ce[0]));
	memcpy(l->pfx, cp, (size_t)m * sizeof(cp[0]));
	r->h.n = n + 1 - m;
	memcpy(r->e, &ce[m], (size_t)r->h.n * sizeof(ce[0]));
	memcpy(r->pfx, &cp[m], (size_t)r->h.n * sizeof(cp[0]));
	r->prev = l;
	r->next = l->next;
	if (l->next)
		l->next->prev = r;
	l->next = r;
	if (ks->last == l)
		ks->last = r;
	inner_insert(ks, &l->h, &r->h, sep, cp[m]);
}

/* ---- Removal and reclaiming ---- */

static void
leaf_remove(points_keyspace *ks, mem_leaf *l, int i)
{
	int n = --l->h.n;

	memmove(&l->e[i], &l->e[i + 1], (size_t)(n - i) * sizeof(l->e[0]));
	memmove(&l->pfx[i], &l->pfx[i + 1], (size_t)(n - i) * sizeof(l->pfx[0]));
	if (n == 0 && !l->queued) {
		l->queued = 1;
		l->next_empty = ks->empty;
		ks->empty = l;
	}
}

/* Take empty node c (no keys or no children) out of the tree and free
 * it; ancestors left without children go too.  Frees only. */
static void
node_unlink(points_keyspace *ks, mem_node *c)
{
	mem_inner *p = c->parent;
	int j, n;

	if (!p)
		return; /* the root stays, even empty */
	j = child_index(p, c);
	n = p->h.n;
	if (j == 0 && n > 1) {
		/* child[1] takes over child[0]'s range: its separator goes */
		points_alloc__free(p->sep[1]);
		memmove(&p->child[0], &p->child[1],
		    (size_t)(n - 1) * sizeof(p->child[0]));
		memmove(&p->sep[1], &p->sep[2],
		    (size_t)(n - 2) * sizeof(p->sep[0]));
		memmove(&p->pfx[1], &p->pfx[2],
		    (size_t)(n - 2) * sizeof(p->pfx[0]));
	} else if (j > 0) {
		/* child[j - 1] takes over child[j]'s range */
		points_alloc__free(p->sep[j]);
		memmove(&p->child[j], &p->child[j + 1],
		    (size_t)(n - j - 1) * sizeof(p->child[0]));
		memmove(&p->sep[j], &p->sep[j + 1],
		    (size_t)(n - j - 1) * sizeof(p->sep[0]));
		memmove(&p->pfx[j], &p->pfx[j + 1],
		    (size_t)(n - j - 1) * sizeof(p->pfx[0]));
	}
	p->h.n = n - 1;

	if (c->leaf) {
		mem_leaf *l = (mem_leaf *)c;

		if (l->prev)
			l->prev->next = l->next;
		if (l->next)
			l->next->prev = l->prev;
		if (ks->last == l)
			ks->last = l->prev;
		if (ks->hint == l)
			ks->hint = NULL;
		pool_put_leaf(ks, l);
	} else
		pool_put_inner(ks, (mem_inner *)c);

	if (p->h.n == 0)
		node_unlink(ks, &p->h);
	/* A root with one child is a wasted level. */
	while (!ks->root->leaf && ks->root->n == 1) {
		mem_inner *r = (mem_inner *)ks->root;

		ks->root = r->child[0];
		ks->root->parent = NULL;
		pool_put_inner(ks, r);
	}
}

/* At transaction end: free the leaves the transaction emptied. */
static void
reclaim(points_keyspace *ks)
{
	while (ks->empty) {
		mem_leaf *l = ks->empty;

		ks->empty = l->next_empty;
		l->queued = 0;
		l->next_empty = NULL;
		if (l->h.n == 0)
			node_unlink(ks, &l->h);
	}
}

static void
tree_free(mem_node *n)
{
	int i;

	if (n->leaf) {
		mem_leaf *l = (mem_leaf *)n;

		for (i = 0; i < n->n; i++)
			if (!l->e[i]->slab) /* the rest go with the slabs */
				points_alloc__free(l->e[i]);
	} else {
		mem_inner *in = (mem_inner *)n;

		for (i = 0; i < n->n; i++) {
			if (i > 0)
				points_alloc__free(in->sep[i]);
			tree_free(in->child[i]);
		}
	}
	points_alloc__free(n);
}

/* ---- Undo log ---- */

static int
undo_reserve(mem_store *s)
{
	mem_undo *u;
	size_t cap;

	if (s->nundo < s->capundo)
		return POINTS_OK;
	cap = s->capundo ? s->capundo * 2 : 64;
	if (cap > (size_t)-1 / sizeof(*u))
		return POINTS_ENOMEM;
	u = points_alloc__realloc(s->undo, cap * sizeof(*u));
	if (!u)
		return POINTS_ENOMEM;
	s->undo = u;
	s->capundo = cap;
	return POINTS_OK;
}

/* Room for n more saved value bytes. */
static int
saved_reserve(mem_store *s, size_t n)
{
	unsigned char *b;
	size_t cap;

	if (n <= s->capsaved - s->nsaved)
		return POINTS_OK;
	cap = s->capsaved ? s->capsaved : 4096;
	while (cap - s->nsaved < n) {
		if (cap > (size_t)-1 / 2)
			return POINTS_ENOMEM;
		cap *= 2;
	}
	if (!(b = points_alloc__realloc(s->saved, cap)))
		return POINTS_ENOMEM;
	s->saved = b;
	s->capsaved = cap;
	return POINTS_OK;
}

static mem_undo *
undo_push(mem_store *s, int kind, points_keyspace *ks, mem_entry *old,
    mem_entry *neu)
{
	mem_undo *u = &s->undo[s->nundo++];

	u->kind = kind;
	u->ks = ks;
	u->old = old;
	u->neu = neu;
	return u;
}

/* The tree slot of entry e (which is in the tree). */
static mem_leaf *
tree_slot_of(points_keyspace *ks, const mem_entry *e, int *i)
{
	uint64_t p = key_pfx(e->data, e->klen);
	mem_leaf *l = locate(ks, p, e->data, e->klen);
	int eq;

	*i = leaf_search(l, p, e->data, e->klen, &eq);
	assert(eq && l->e[*i] == e);
	return l;
}

/* Undo one record.  Never allocates: see the top of the file. */
static void
undo_apply(mem_store *s, mem_undo *u)
{
	points_keyspace *ks = u->ks;
	mem_leaf *l;
	uint64_t p;
	int i, eq;

	switch (u->kind) {
	case U_INPLACE:
		if (u->len)
			memcpy(u->old->data + u->old->klen, s->saved + u->off,
			    u->len);
		u->old->vlen = u->len;
		break;
	case U_MOVE: /* the old entry back in both places */
		l = tree_slot_of(ks, u->neu, &i);
		l->e[i] = u->old;
		if (ks->tab)
			ks->tab[hash_slot_of(ks, u->neu)].e = u->old;
		entry_free(s, u->neu);
		break;
	case U_INSERT:
		l = tree_slot_of(ks, u->neu, &i);
		leaf_remove(ks, l, i);
		if (ks->tab)
			hash_remove(ks, hash_slot_of(ks, u->neu));
		entry_free(s, u->neu);
		ks->mod++;
		break;
	case U_DELETE: /* re-insert; both structures have room */
		p = key_pfx(u->old->data, u->old->klen);
		l = locate(ks, p, u->old->data, u->old->klen);
		i = leaf_search(l, p, u->old->data, u->old->klen, &eq);
		assert(!eq && l->h.n < LEAF_MAX);
		leaf_insert(ks, l, i, p, u->old, NULL);
		if (ks->tab) {
			assert((ks->tcount + 1) * 2 <= ks->tcap);
			hash_insert(ks, points_store__key_hash(u->old->data, u->old->klen),
			    u->old);
		}
		ks->mod++;
		break;
	}
}

/* ---- Transactions ---- */

static void
txn_end(mem_store *s)
{
	points_keyspace *ks;
	points_cursor *c;

	/* Cursors must be closed by now; make stray ones fail cleanly. */
	for (c = s->cursors; c; c = c->next)
		c->invalid = 1;
	for (ks = s->ks; ks; ks = ks->next)
		reclaim(ks);
	if (s->capundo > UNDO_KEEP) {
		points_alloc__free(s->undo);
		s->undo = NULL;
		s->capundo = 0;
	}
	if (s->capsaved > SAVED_KEEP) {
		points_alloc__free(s->saved);
		s->saved = NULL;
		s->capsaved = 0;
	}
	s->nundo = 0;
	s->nsaved = 0;
	s->nsp = 0;
	s->txn = TXN_NONE;
}

static int
mem_begin(points_store *st, int write)
{
	mem_store *s = (mem_store *)st;

	if (s->txn != TXN_NONE)
		return fail(s, POINTS_EMISUSE, "begin",
		    "a transaction is already open");
	s->txn = write ? TXN_WRITE : TXN_READ;
	s->epoch = s->floor = 1;
	return POINTS_OK;
}

static int
mem_commit(points_store *st)
{
	mem_store *s = (mem_store *)st;
	size_t i;

	if (s->txn == TXN_NONE)
		return fail(s, POINTS_EMISUSE, "commit", "no transaction");
	/* Forward: an entry is marked before a later record frees it. */
	for (i = 0; i < s->nundo; i++) {
		mem_undo *u = &s->undo[i];

		if (u->kind == U_INPLACE)
			continue;
		if (u->neu)
			u->neu->fresh = 0;
		entry_free(s, u->old);
	}
	txn_end(s);
	return POINTS_OK;
}

static int
mem_rollback(points_store *st)
{
	mem_store *s = (mem_store *)st;
	size_t i;

	if (s->txn == TXN_NONE)
		return POINTS_OK; /* nothing to end */
	for (i = s->nundo; i > 0; i--)
		undo_apply(s, &s->undo[i - 1]);
	txn_end(s);
	return POINTS_OK;
}

/* ---- Savepoints ---- */

static int
mem_savepoint(points_store *st)
{
	mem_store *s = (mem_store *)st;
	mem_sp *sp;

	if (s->txn != TXN_WRITE)
		return fail(s, POINTS_EMISUSE, "savepoint",
		    "no write transaction");
	if (s->epoch == UINT32_MAX)
		return fail(s, POINTS_ELIMIT, "savepoint",
		    "too many savepoints in one transaction");
	if (s->nsp == s->capsp) {
		size_t cap = s->capsp ? s->capsp * 2 : 4;

		if (cap > (size_t)-1 / sizeof(*sp) ||
		    !(sp = points_alloc__realloc(s->sp, cap * sizeof(*sp))))
			return fail(s, POINTS_ENOMEM, "savepoint", NULL);
		s->sp = sp;
		s->capsp = cap;
	}
	sp = &s->sp[s->nsp++];
	sp->nundo = s->nundo;
	sp->nsaved = s->nsaved;
	sp->floor = s->floor;
	s->floor = ++s->epoch;
	return POINTS_OK;
}

static int
mem_release(points_store *st)
{
	mem_store *s = (mem_store *)st;

	if (s->txn != TXN_WRITE || s->nsp == 0)
		return fail(s, POINTS_EMISUSE, "release", "no savepoint");
	s->floor = s->sp[--s->nsp].floor;
	return POINTS_OK;
}

/* Undo the records past the savepoint, newest first, as rollback does
 * (never allocates); the transaction goes on from there. */
static int
mem_rollback_to(points_store *st)
{
	mem_store *s = (mem_store *)st;
	points_cursor *c;
	mem_sp *sp;
	size_t i;

	if (s->txn != TXN_WRITE || s->nsp == 0)
		return fail(s, POINTS_EMISUSE, "rollback_to", "no savepoint");
	sp = &s->sp[--s->nsp];
	for (i = s->nundo; i > sp->nundo; i--)
		undo_apply(s, &s->undo[i - 1]);
	s->nundo = sp->nundo;
	s->nsaved = sp->nsaved;
	s->floor = sp->floor;
	/* Cursors must be closed by now: what they returned may be gone. */
	for (c = s->cursors; c; c = c->next)
		c->invalid = 1;
	return POINTS_OK;
}

/* ---- Keyspaces ---- */

static mem_leaf *
leaf_alloc(void)
{
	mem_leaf *l = points_alloc__malloc(sizeof(*l));

	if (l) {
		memset(&l->h, 0, sizeof(l->h));
		l->h.leaf = 1;
		l->prev = l->next = l->next_empty = NULL;
		l->queued = 0;
	}
	return l;
}

static int
mem_keyspace(points_store *st, const char *name, unsigned int flags,
    points_keyspace **out)
{
	mem_store *s = (mem_store *)st;
	points_keyspace *ks;
	mem_leaf *root;

	if (!out || !points_store__valid_name(name) ||
	    (flags & ~POINTS_KS_FLAGS) || ((flags & POINTS_KS_INTKEY) &&
	    (flags & POINTS_KS_INT64)))
		return fail(s, POINTS_EINVAL, "keyspace",
		    "bad keyspace name or flags");
	if (s->txn != TXN_NONE)
		return fail(s, POINTS_EMISUSE, "keyspace",
		    "keyspaces are opened outside transactions");
	for (ks = s->ks; ks; ks = ks->next)
		if (strcmp(ks->name, name) == 0) {
			/* REWRITTEN is a hint: opened with it or not */
			if ((ks->flags ^ flags) & ~POINTS_KS_REWRITTEN)
				return fail(s, POINTS_EINVAL, "keyspace",
				    "keyspace opened with other flags");
			*out = ks;
			return POINTS_OK;
		}
	if (!(ks = points_alloc__calloc(1, sizeof(*ks))))
		return fail(s, POINTS_ENOMEM, "keyspace", NULL);
	/* The entry log and the other ordered keyspaces are appended to
	 * and read by range: their tree's right edge stays in cache, where
	 * a hash slot would be a random miss per append.  INT64 keyspaces
	 * (balances) are read at random: they keep the hash. */
	if (!(flags & APPENDED)) {
		ks->tab = points_alloc__calloc(HASH_MIN, sizeof(*ks->tab));
		ks->tcap = HASH_MIN;
	}
	if ((!ks->tab && !(flags & APPENDED)) ||
	    !(root = leaf_alloc())) {
		points_alloc__free(ks->tab);
		points_alloc__free(ks);
		return fail(s, POINTS_ENOMEM, "keyspace", NULL);
	}
	ks->store = s;
	strcpy(ks->name, name);
	ks->flags = flags;
	ks->root = &root->h;
	ks->last = root;
	ks->next = s->ks;
	s->ks = ks;
	*out = ks;
	return POINTS_OK;
}

static void
ks_free(points_keyspace *ks)
{
	while (ks->pool_leaf) {
		mem_leaf *l = ks->pool_leaf;

		ks->pool_leaf = l->next;
		points_alloc__free(l);
	}
	while (ks->pool_inner) {
		mem_inner *in = ks->pool_inner;

		ks->pool_inner = in->h.parent;
		points_alloc__free(in);
	}
	tree_free(ks->root);
	points_alloc__free(ks->tab);
	points_alloc__free(ks);
}

/* ---- Reads and writes ---- */

/* Why check_key refused a call (out of line: calls that pass are the
 * hot path). */
#ifdef __GNUC__
__attribute__((noinline, cold))
#endif
static int
key_refused(mem_store *s, points_keyspace *ks, const void *key, size_t klen,
    int write, const char *what)
{
	if (s->txn == TXN_NONE)
		return fail(s, POINTS_EMISUSE, what, "no transaction");
	if (write && s->txn != TXN_WRITE)
		return fail(s, POINTS_EMISUSE, what,
		    "write in a read transaction");
	if (!ks || ks->store != s || (!key && klen))
		return fail(s, POINTS_EINVAL, what, "bad keyspace or key");
	if (klen > KV_MAX)
		return fail(s, POINTS_ELIMIT, what, "key too long");
	return fail(s, POINTS_EINVAL, what,
	    "integer keys are 8 bytes, below 2^63");
}

/* Common checks: a transaction (a write one when write != 0), a keyspace
 * of this store, a key that fits (integer keys: 8 bytes below 2^63, as
 * the SQLite backend stores them as integers). */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline int
check_key(mem_store *s, points_keyspace *ks, const void *key, size_t klen,
    int write, const char *what)
{
	if (s->txn != TXN_NONE && (!write || s->txn == TXN_WRITE) && ks &&
	    ks->store == s && (key || !klen) && klen <= KV_MAX &&
	    (!(ks->flags & (POINTS_KS_INTKEY | POINTS_KS_INT64)) ||
	    (klen == 8 && !(((const unsigned char *)key)[0] & 0x80))))
		return POINTS_OK;
	return key_refused(s, ks, key, klen, write, what);
}

/* The entry of key k or NULL.  With a hash table *si is its slot;
 * without, *l and *i are its tree slot or where it would go. */
static mem_entry *
lookup(points_keyspace *ks, const unsigned char *k, size_t kl, uint64_t *h,
    size_t *si, mem_leaf **l, int *i)
{
	uint64_t p;
	int eq;

	if (ks->tab) {
		*h = points_store__key_hash(k, kl);
		*si = hash_find(ks, *h, k, kl);
		*l = NULL;
		return *si == NOSLOT ? NULL : ks->tab[*si].e;
	}
	p = key_pfx(k, kl);
	/* Appends (the log, UUIDv7 ids) go past the last key: no search. */
	*l = ks->last;
	if ((*i = (*l)->h.n) > 0 &&
	    entry_cmp((*l)->pfx[*i - 1], (*l)->e[*i - 1], p, k, kl) < 0)
		return NULL;
	*l = locate(ks, p, k, kl);
	*i = leaf_search(*l, p, k, kl, &eq);
	return eq ? (*l)->e[*i] : NULL;
}

static int
mem_get(points_store *st, points_keyspace *ks, const void *key, size_t klen,
    const void **val, size_t *vlen)
{
	mem_store *s = (mem_store *)st;
	const mem_entry *e;
	mem_leaf *l;
	uint64_t h;
	size_t si;
	int i, rc;

	if ((rc = check_key(s, ks, key, klen, 0, "get")) != POINTS_OK)
		return rc;
	if (!val || !vlen)
		return fail(s, POINTS_EINVAL, "get", "no output");
	if (!(e = lookup(ks, key, klen, &h, &si, &l, &i)))
		return POINTS_ENOTFOUND;
	*val = e->data + e->klen;
	*vlen = e->vlen;
	return POINTS_OK;
}

/* Gets, in one call: entries stay where they are until a write, so
 * every value returned stays valid until the next call. */
static int
mem_get_many(points_store *st, size_t n, points_keyspace *const *kss,
    const void *const *keys, const size_t *klens, const void **vals,
    size_t *vlens, int *rcs)
{
	size_t i;
	int rc;

	if (n && (!kss || !keys || !klens || !vals || !vlens || !rcs))
		return fail((mem_store *)st, POINTS_EINVAL, "get_many",
		    "no arrays");
	for (i = 0; i < n; i++) {
		rc = mem_get(st, kss[i], keys[i], klens[i], &vals[i], &vlens[i]);
		if (rc != POINTS_OK && rc != POINTS_ENOTFOUND)
			return rc;
		rcs[i] = rc;
	}
	return POINTS_OK;
}

static void cur_seek(points_cursor *c);

/* The last entry of ks in [lo, hi), or NULL: a reverse cursor's first
 * row, the cursor on the stack. */
static const mem_entry *
last_in(points_keyspace *ks, const void *lo, size_t lolen, const void *hi,
    size_t hilen)
{
	points_cursor c;

	memset(&c, 0, sizeof(c));
	c.ks = ks;
	c.reverse = 1;
	c.lo = lo;
	c.lolen = lolen;
	c.lopfx = key_pfx(lo, lolen);
	c.hi = hi;
	c.hilen = hilen;
	c.hipfx = key_pfx(hi, hilen);
	cur_seek(&c);
	while (c.leaf && c.idx < 0) {
		c.leaf = c.leaf->prev;
		if (c.leaf)
			c.idx = c.leaf->h.n - 1;
	}
	if (!c.leaf || entry_cmp(c.leaf->pfx[c.idx], c.leaf->e[c.idx],
	    c.lopfx, lo, lolen) < 0)
		return NULL;
	return c.leaf->e[c.idx];
}

/* Reads of keys and of ranges' last keys, in one call (version 4). */
static int
mem_read_many(points_store *st, size_t n, points_store_read *r)
{
	mem_store *s = (mem_store *)st;
	const mem_entry *e;
	size_t i;
	int rc;

	if (n && !r)
		return fail(s, POINTS_EINVAL, "read_many", "no reads");
	for (i = 0; i < n; i++) {
		if (!r[i].lo) {
			rc = mem_get(st, r[i].ks, r[i].key, r[i].klen,
			    &r[i].val, &r[i].vlen);
			if (rc != POINTS_OK && rc != POINTS_ENOTFOUND)
				return rc;
			r[i].rc = rc;
			r[i].fkey = r[i].key;
			r[i].fklen = r[i].klen;
			continue;
		}
		if (s->txn == TXN_NONE)
			return fail(s, POINTS_EMISUSE, "read_many",
			    "no transaction");
		if (!r[i].ks || r[i].ks->store != s || !r[i].key ||
		    r[i].lolen > KV_MAX || r[i].klen > KV_MAX)
			return fail(s, POINTS_EINVAL, "read_many",
			    "bad keyspace or bounds");
		if (!(e = last_in(r[i].ks, r[i].lo, r[i].lolen, r[i].key,
		    r[i].klen))) {
			r[i].rc = POINTS_ENOTFOUND;
			continue;
		}
		r[i].rc = POINTS_OK;
		r[i].fkey = e->data;
		r[i].fklen = e->klen;
		r[i].val = e->data + e->klen;
		r[i].vlen = e->vlen;
	}
	return POINTS_OK;
}

static const char *
mem_errmsg(points_store *st)
{
	mem_store *s = (mem_store *)st;

	return s->msg[0] ? s->msg : NULL;
}

/* Overwrite the value of e, which has room for vlen bytes. */
static int
put_inplace(mem_store *s, points_keyspace *ks, mem_entry *e, const void *val,
    size_t vlen)
{
	mem_undo *u;
	int rc;

	/* An entry made since the newest savepoint (or in the transaction,
	 * when none is open) needs no copy: rolling back frees it. */
	if (e->fresh < s->floor) {
		if ((rc = undo_reserve(s)) != POINTS_OK ||
		    (rc = saved_reserve(s, e->vlen)) != POINTS_OK)
			return rc;
		u = undo_push(s, U_INPLACE, ks, e, NULL);
		u->off = s->nsaved;
		u->len = e->vlen;
		if (e->vlen)
			memcpy(s->saved + s->nsaved, e->data + e->klen, e->vlen);
		s->nsaved += e->vlen;
	}
	/* memmove: val may point into e itself. */
	if (vlen)
		memmove(e->data + e->klen, val, vlen);
	e->vlen = (uint32_t)vlen;
	return POINTS_OK;
}

static int
mem_put(points_store *st, points_keyspace *ks, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	mem_store *s = (mem_store *)st;
	const unsigned char *k = key;
	mem_entry *e, *ne;
	mem_sep *sep = NULL;
	uint64_t h = 0, p;
	mem_leaf *l;
	size_t si = NOSLOT;
	int i = 0, eq, rc;

	if ((rc = check_key(s, ks, key, klen, 1, "put")) != POINTS_OK)
		return rc;
	if (!val && vlen)
		return fail(s, POINTS_EINVAL, "put", "no value");
	if (vlen > KV_MAX)
		return fail(s, POINTS_ELIMIT, "put", "value too large");
	e = lookup(ks, k, klen, &h, &si, &l, &i);
	if (e && vlen <= e->cap)
		return (rc = put_inplace(s, ks, e, val, vlen)) ?
		    fail(s, rc, "put", NULL) : POINTS_OK;

	/* Log entries are written once: no slack for them.  A value that
	 * outgrew its entry is likely to grow again (a balance record gains
	 * lots): more room then. */
	if (!(ne = entry_new(s, ks, k, klen, val, vlen,
	    (ks->flags & POINTS_KS_INTKEY) ? SLACK_NONE :
	    e ? SLACK_MORE : SLACK_SOME)))
		return fail(s, POINTS_ENOMEM, "put", NULL);
	if ((rc = undo_reserve(s)) != POINTS_OK)
		goto out;
	if (e) {
		/* The value outgrew its entry: swap in the new one. */
		if (!l)
			l = tree_slot_of(ks, e, &i);
		undo_push(s, U_MOVE, ks, e, ne);
		l->e[i] = ne;
		if (ks->tab)
			ks->tab[si].e = ne;
		return POINTS_OK;
	}

	p = key_pfx(k, klen);
	if (!l) {
		l = locate(ks, p, k, klen);
		i = leaf_search(l, p, k, klen, &eq);
		assert(!eq);
	}
	if (ks->tab && (rc = hash_reserve(ks)) != POINTS_OK)
		goto out;
	if (l->h.n == LEAF_MAX && (rc = split_reserve(ks, l, i, ne, &sep)))
		goto out;
	/* Nothing can fail from here on. */
	undo_push(s, U_INSERT, ks, NULL, ne);
	leaf_insert(ks, l, i, p, ne, sep);
	if (ks->tab)
		hash_insert(ks, h, ne);
	ks->mod++;
	return POINTS_OK;
out:
	entry_free(s, ne);
	return fail(s, rc, "put", NULL);
}

static int
mem_del(points_store *st, points_keyspace *ks, const void *key, size_t klen)
{
	mem_store *s = (mem_store *)st;
	mem_entry *e;
	mem_leaf *l;
	uint64_t h;
	size_t si = NOSLOT;
	int i = 0, rc;

	if ((rc = check_key(s, ks, key, klen, 1, "del")) != POINTS_OK)
		return rc;
	if (!(e = lookup(ks, key, klen, &h, &si, &l, &i)))
		return POINTS_OK;
	if ((rc = undo_reserve(s)) != POINTS_OK)
		return fail(s, rc, "del", NULL);
	if (!l)
		l = tree_slot_of(ks, e, &i);
	undo_push(s, U_DELETE, ks, e, NULL);
	leaf_remove(ks, l, i);
	if (ks->tab)
		hash_remove(ks, si);
	ks->mod++;
	return POINTS_OK;
}

/* ---- Cursors ---- */

/* Position c at the first key > k (forward) or the last key < k
 * (reverse); inclusive when incl (forward only: lower bound). */
static void
cur_seek_key(points_cursor *c, const unsigned char *k, size_t kl, int incl)
{
	uint64_t p = key_pfx(k, kl);
	mem_leaf *l = descend(c->ks, p, k, kl);
	int eq, i = leaf_search(l, p, k, kl, &eq);

	if (!c->reverse)
		c->idx = (eq && !incl) ? i + 1 : i;
	else
		c->idx = i - 1;
	c->leaf = l;
}

/* (Re)position c: after the row returned last, or at its bound. */
static void
cur_seek(points_cursor *c)
{
	c->mod = c->ks->mod;
	if (c->last)
		cur_seek_key(c, c->last->data, c->last->klen, 0);
	else if (!c->reverse && c->lo)
		cur_seek_key(c, c->lo, c->lolen, 1);
	else if (c->reverse && c->hi)
		cur_seek_key(c, c->hi, c->hilen, 0);
	else if (!c->reverse) {
		mem_node *n = c->ks->root;

		while (!n->leaf)
			n = ((mem_inner *)n)->child[0];
		c->leaf = (mem_leaf *)n;
		c->idx = 0;
	} else {
		c->leaf = c->ks->last;
		c->idx = c->leaf->h.n - 1;
	}
}

static void
cur_unlink(mem_store *s, points_cursor *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		s->cursors = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

static int
mem_cursor_open(points_store *st, points_keyspace *ks, const void *lo,
    size_t lolen, const void *hi, size_t hilen, int reverse,
    points_cursor **out)
{
	mem_store *s = (mem_store *)st;
	points_cursor *c;
	unsigned char *b;

	if (s->txn == TXN_NONE)
		return fail(s, POINTS_EMISUSE, "cursor_open", "no transaction");
	if (!ks || ks->store != s || !out || lolen > KV_MAX || hilen > KV_MAX)
		return fail(s, POINTS_EINVAL, "cursor_open",
		    "bad keyspace or bounds");
	if (!lo)
		lolen = 0;
	if (!hi)
		hilen = 0;
	/* The bounds are copied: the caller's buffers may not outlive us. */
	if (!(c = points_alloc__malloc(sizeof(*c) + lolen + hilen)))
		return fail(s, POINTS_ENOMEM, "cursor_open", NULL);
	memset(c, 0, sizeof(*c));
	b = (unsigned char *)(c + 1);
	c->ks = ks;
	c->reverse = reverse != 0;
	if (lo) {
		if (lolen)
			memcpy(b, lo, lolen);
		c->lo = b;
		c->lolen = lolen;
		c->lopfx = key_pfx(b, lolen);
	}
	if (hi) {
		if (hilen)
			memcpy(b + lolen, hi, hilen);
		c->hi = b + lolen;
		c->hilen = hilen;
		c->hipfx = key_pfx(c->hi, hilen);
	}
	cur_seek(c);
	c->next = s->cursors;
	if (c->next)
		c->next->prev = c;
	s->cursors = c;
	*out = c;
	return POINTS_OK;
}

static int
mem_cursor_next(points_store *st, points_cursor *c, const void **key,
    size_t *klen, const void **val, size_t *vlen)
{
	const mem_entry *e;
	uint64_t ep;

	if (!c || !key || !klen || !val || !vlen)
		return fail((mem_store *)st, POINTS_EINVAL, "cursor_next",
		    "bad cursor call");
	if (c->invalid)
		return fail((mem_store *)st, POINTS_EMISUSE, "cursor_next",
		    "cursor used after its transaction ended");
	if (c->done)
		return POINTS_ITEROVER;
	/* A key was inserted or deleted (the contract allows deleting the
	 * one returned last): find our place again from that key. */
	if (c->mod != c->ks->mod)
		cur_seek(c);
	if (!c->reverse) {
		while (c->leaf && c->idx >= c->leaf->h.n) {
			c->leaf = c->leaf->next;
			c->idx = 0;
		}
	} else {
		while (c->leaf && c->idx < 0) {
			c->leaf = c->leaf->prev;
			if (c->leaf)
				c->idx = c->leaf->h.n - 1;
		}
	}
	if (!c->leaf) {
		c->done = 1;
		return POINTS_ITEROVER;
	}
	e = c->leaf->e[c->idx];
	ep = c->leaf->pfx[c->idx];
	if ((!c->reverse && c->hi &&
	    entry_cmp(ep, e, c->hipfx, c->hi, c->hilen) >= 0) ||
	    (c->reverse && c->lo &&
	    entry_cmp(ep, e, c->lopfx, c->lo, c->lolen) < 0)) {
		c->done = 1;
		return POINTS_ITEROVER;
	}
	c->idx += c->reverse ? -1 : 1;
	c->last = e;
	*key = e->data;
	*klen = e->klen;
	*val = e->data + e->klen;
	*vlen = e->vlen;
	return POINTS_OK;
}

static void
mem_cursor_close(points_store *st, points_cursor *c)
{
	if (!c)
		return;
	cur_unlink((mem_store *)st, c);
	points_alloc__free(c);
}

/* ---- The store ---- */

static void
mem_close(points_store *st)
{
	mem_store *s = (mem_store *)st;
	points_keyspace *ks;

	if (!s)
		return;
	mem_rollback(st);
	while (s->cursors) { /* leaked by the caller: detach them */
		points_cursor *c = s->cursors;

		s->cursors = c->next;
		c->prev = c->next = NULL;
	}
	while ((ks = s->ks) != NULL) {
		s->ks = ks->next;
		ks_free(ks);
	}
	points_slab__destroy(&s->slabs);
	points_alloc__free(s->undo);
	points_alloc__free(s->saved);
	points_alloc__free(s->sp);
	points_alloc__free(s);
}

int
points_memory__new(points_store **out)
{
	mem_store *s;

	if (!out)
		return POINTS_EINVAL;
	if (!(s = points_alloc__calloc(1, sizeof(*s))))
		return POINTS_ENOMEM;
	s->base.version = POINTS_STORE_VERSION;
	s->base.name = "memory";
	s->base.keyspace = mem_keyspace;
	s->base.begin = mem_begin;
	s->base.commit = mem_commit;
	s->base.rollback = mem_rollback;
	s->base.get = mem_get;
	s->base.put = mem_put;
	s->base.del = mem_del;
	s->base.cursor_open = mem_cursor_open;
	s->base.cursor_next = mem_cursor_next;
	s->base.cursor_close = mem_cursor_close;
	s->base.close = mem_close;
	s->base.errmsg = mem_errmsg;
	s->base.get_many = mem_get_many;
	s->base.read_many = mem_read_many;
	s->base.savepoint = mem_savepoint;
	s->base.release = mem_release;
	s->base.rollback_to = mem_rollback_to;
	s->txn = TXN_NONE;
	*out = &s->base;
	return POINTS_OK;
}
