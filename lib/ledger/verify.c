/* verify.c - tamper evidence: recompute the hash chain and every balance
 * (available, held, lifetime counters, lots, statement links) from the
 * entries alone, and compare with what the store holds.
 *
 * In chunks (points_verify(3)): no read transaction reads more than
 * POINTS_VERIFY_CHUNK records, so engines that limit a transaction's
 * time can run the check, and a long check holds no snapshot for long.
 * Between chunks other handles may commit, so:
 * - The chain is checked from the first entry to the log's end as the
 *   first chunk sees it (the "tail"), a chunk at a time, carrying the
 *   last hash across.  Entries are only appended, never changed, so
 *   chunks read at different times still form one chain.
 * - The balances are recomputed through the tail.  A stored balance
 *   names its newest entry (last_seq): one no newer than the tail is
 *   compared with the recomputed one as it stands (no entry between its
 *   last_seq and the tail touches it, or its last_seq would say so).
 *   One newer than the tail was written since: the chain is checked on
 *   through exactly that entry, and then compared.  So the tail only
 *   moves forward, and a busy writer cannot starve the check.  A balance
 *   newer than the log's end in its own snapshot is corrupt.
 * - A balance is checked against its account record and its expiry
 *   index key in the snapshot it was read in; each expiry index key
 *   against its balance in the snapshot the key was read in.
 * - Balances are never deleted: one that the entries through the tail
 *   at the start of the balance scan made must be in the store.
 * - The time index (entry.h) has a key for each party of each entry
 *   and nothing else.  Compared as multisets, without a read per key:
 *   the count and the sum (mod 2^64) of a keyed hash of the keys the
 *   entries through the tail need, against those of the index's keys
 *   of entries through the tail (keys of later entries are skipped; a
 *   key is never removed).  The hash's key is drawn afresh each run, so
 *   no edit can be made to balance the sums in advance. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "points.h"
#include "core/account.h"
#include "util/alloc.h"
#include "core/asset.h"
#include "core/balance.h"
#include "util/codec.h"
#include "core/db.h"
#include "ledger/debt.h"
#include "ledger/entry.h"
#include "ledger/idem.h"
#include "ledger/posting.h"
#include "ledger/verify.h"
#include "core/lot.h"

size_t points_verify__chunk = POINTS_VERIFY_CHUNK;

/* A balance recomputed from the entries. */
typedef struct vbal {
	points_balance_rec b;      /* b.account == 0: a free slot */
	int64_t first_seq; /* the entry that made it */
	int seen;          /* its stored record was compared */
} vbal;

/* The recomputed balances, in an open-addressing table. */
typedef struct vtable {
	vbal *v;
	size_t n, cap; /* cap is a power of two */
} vtable;

/* One run of the check. */
typedef struct vrun {
	vtable t;
	points_verify_report *rep;
	size_t chunk;                         /* records per read */
	int64_t tail;                         /* chain checked through */
	unsigned char prev[POINTS_HASH_LEN];  /* the tail's hash */
	points_entry_rec e;
	/* The time index the entries through the tail need. */
	unsigned char ikey[crypto_shorthash_KEYBYTES];
	uint64_t isum;
	int64_t icount;
} vrun;

static size_t
slot_of(const vtable *t, int64_t account, uint32_t asset)
{
	uint64_t h = (uint64_t)account * 0x9e3779b97f4a7c15ull ^ asset;
	size_t i = (size_t)(h ^ (h >> 29)) & (t->cap - 1);

	while (t->v[i].b.account != 0 && (t->v[i].b.account != account ||
	    t->v[i].b.asset != asset))
		i = (i + 1) & (t->cap - 1);
	return i;
}

/* The recomputed balance, NULL when the entries made none. */
static vbal *
vt_find(const vtable *t, int64_t account, uint32_t asset)
{
	vbal *w;

	if (!t->cap)
		return NULL;
	w = &t->v[slot_of(t, account, asset)];
	return w->b.account ? w : NULL;
}

static int
vt_get(points_db *db, vtable *t, int64_t account, uint32_t asset,
    vbal **out)
{
	size_t i;

	if ((*out = vt_find(t, account, asset)) != NULL)
		return POINTS_OK;
	if ((t->n + 1) * 2 > t->cap) {
		vtable bigger;
		size_t j;

		bigger.cap = t->cap ? t->cap * 2 : 1024;
		bigger.n = t->n;
		bigger.v = points_alloc__calloc(bigger.cap, sizeof(vbal));
		if (!bigger.v)
			return points_db__err(db, POINTS_ENOMEM, "out of memory");
		for (j = 0; j < t->cap; j++)
			if (t->v[j].b.account != 0)
				bigger.v[slot_of(&bigger, t->v[j].b.account,
				    t->v[j].b.asset)] = t->v[j];
		points_alloc__free(t->v);
		*t = bigger;
	}
	i = slot_of(t, account, asset);
	points_balance__init(&t->v[i].b, account, asset, 0);
	t->v[i].first_seq = 0;
	t->v[i].seen = 0;
	t->n++;
	*out = &t->v[i];
	return POINTS_OK;
}

static void
vt_free(vtable *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++)
		points_balance__free(&t->v[i].b);
	points_alloc__free(t->v);
}

static int
bad(points_db *db, points_verify_report *rep, int64_t seq, const char *what)
{
	rep->bad_seq = seq;
	snprintf(rep->message, sizeof(rep->message), "%s", what);
	return points_db__err(db, POINTS_ECORRUPT, "ledger fails verification: %s",
	    what);
}

static int
lots_apply(points_db *db, points_balance_rec *b, const points_lotlist *l, int sign)
{
	size_t i, j;
	int rc;

	for (i = 0; i < l->n; i++) {
		if (sign > 0) {
			rc = points_lotlist__add(db, &b->lots, l->v[i].day,
			    l->v[i].amount, NULL);
			if (rc)
				return rc;
			continue;
		}
		for (j = 0; j < b->lots.n; j++)
			if (b->lots.v[j].day == l->v[i].day)
				break;
		if (j == b->lots.n || b->lots.v[j].amount < l->v[i].amount)
			return POINTS_ECORRUPT;
		b->lots.v[j].amount -= l->v[i].amount;
		if (b->lots.v[j].amount == 0) {
			memmove(b->lots.v + j, b->lots.v + j + 1,
			    (b->lots.n - j - 1) * sizeof(*b->lots.v));
			b->lots.n--;
		}
	}
	return POINTS_OK;
}

/* Does reversal e undo an expiry?  Its counters are then expired and
 * earned, not spent and earned (ledger/reversal.c). */
static int
reverses_expiry(points_db *db, const points_entry_rec *e, int *out)
{
	points_entry_rec orig;
	int rc;

	*out = 0;
	if (e->from != POINTS_ACCOUNT_EXPIRY)
		return POINTS_OK;
	points_entry__init(&orig, 0, 0, 0);
	rc = points_entry__load(db, e->ref_seq, &orig);
	if (rc == POINTS_OK)
		*out = orig.type == POINTS_TXN_EXPIRE;
	points_entry__free(&orig);
	return rc;
}

/* Apply one entry to the recomputed balances. */
static int
apply(points_db *db, vtable *t, const points_entry_rec *e,
    points_verify_report *rep)
{
	vbal *fv, *tv;
	points_balance_rec *f, *to;
	char msg[160];
	int64_t a = e->amount, owed, repaid;
	int rc, rev_expiry;

	if ((rc = points_debt__of(db, e, &owed, &repaid)) == POINTS_ECORRUPT)
		return bad(db, rep, e->seq, "entry's debt record unreadable");
	if (rc)
		return rc;
	if ((rc = vt_get(db, t, e->from, e->asset, &fv)))
		return rc;
	f = &fv->b;
	if (f->last_seq != e->prev_from) {
		snprintf(msg, sizeof(msg), "entry %lld: broken link of account "
		    "%lld", (long long)e->seq, (long long)e->from);
		return bad(db, rep, e->seq, msg);
	}
	if (!fv->first_seq)
		fv->first_seq = e->seq;
	f->last_seq = e->seq;
	if ((rc = vt_get(db, t, e->to, e->asset, &tv)))
		return rc;
	/* inserting to may have moved the table */
	if ((rc = vt_get(db, t, e->from, e->asset, &fv)))
		return rc;
	f = &fv->b;
	to = &tv->b;
	if (e->to != e->from) {
		if (to->last_seq != e->prev_to) {
			snprintf(msg, sizeof(msg), "entry %lld: broken link of "
			    "account %lld", (long long)e->seq,
			    (long long)e->to);
			return bad(db, rep, e->seq, msg);
		}
		if (!tv->first_seq)
			tv->first_seq = e->seq;
		to->last_seq = e->seq;
	}
	switch (e->type) {
	case POINTS_TXN_HOLD:
		f->available -= a;
		f->held += a;
		break;
	case POINTS_TXN_RELEASE:
		f->held -= a;
		f->available += a;
		break;
	case POINTS_TXN_CAPTURE:
		f->held -= a;
		f->spent += a;
		to->available += a;
		to->earned += a;
		break;
	case POINTS_TXN_EXPIRE:
		/* the counters expiry moves saturate (balance.h) */
		f->available -= a;
		points_balance__counter_sat(&f->expired, a);
		to->available += a;
		points_balance__counter_sat(&to->earned, a);
		break;
	case POINTS_TXN_REVERSAL:
		if ((rc = reverses_expiry(db, e, &rev_expiry)))
			return rc;
		f->available -= a;
		to->available += a;
		if (rev_expiry) {
			points_balance__counter_sat(&f->earned, -a);
			points_balance__counter_sat(&to->expired, -a);
		} else {
			f->earned -= a;
			to->spent -= a;
		}
		break;
	default:
		/* earn, spend, transfer, adjust, and the generic movement
		 * of a type this library does not know (entry.h) */
		f->available -= a;
		f->spent += a;
		to->available += a;
		to->earned += a;
		break;
	}
	/* What from owed did not leave its available, what repaid to's
	 * debt did not join its available (debt.h).  A debt is never
	 * negative, and an account owes only once it gave all it had. */
	f->available += owed;
	f->debt += owed;
	to->available -= repaid;
	to->debt -= repaid;
	if (to->debt < 0 || (owed && f->available != 0)) {
		snprintf(msg, sizeof(msg), "entry %lld moves a debt account "
		    "%lld cannot have", (long long)e->seq,
		    (long long)(owed ? e->from : e->to));
		return bad(db, rep, e->seq, msg);
	}
	/* Capture's out_lots left the lots when the hold was made. */
	if (e->type != POINTS_TXN_CAPTURE &&
	    (rc = lots_apply(db, f, &e->out_lots, -1)) == POINTS_ECORRUPT) {
		snprintf(msg, sizeof(msg), "entry %lld takes lots account %lld "
		    "does not have", (long long)e->seq, (long long)e->from);
		return bad(db, rep, e->seq, msg);
	}
	if (rc)
		return rc;
	return lots_apply(db, to, &e->in_lots, 1);
}

/* ---- The time index ---- */

static uint64_t
index_hash(const vrun *r, const unsigned char *k)
{
	unsigned char h[crypto_shorthash_BYTES];

	crypto_shorthash(h, k, POINTS_ENTRY_TIME_KEY_LEN, r->ikey);
	return points_codec__get_be64(h);
}

/* Count the keys entry e needs in the time index. */
static void
index_expect(vrun *r, const points_entry_rec *e)
{
	unsigned char k[POINTS_ENTRY_TIME_KEY_LEN];

	points_entry__time_key(k, e->from, e->asset, e->time, e->seq);
	r->isum += index_hash(r, k);
	r->icount++;
	if (e->to == e->from)
		return;
	points_entry__time_key(k, e->to, e->asset, e->time, e->seq);
	r->isum += index_hash(r, k);
	r->icount++;
}

/* The index's keys of entries through the tail, a chunk per read
 * transaction, against what the entries need. */
static int
check_time_index(points_db *db, vrun *r)
{
	unsigned char *keys, lo[POINTS_ENTRY_TIME_KEY_LEN];
	uint64_t sum = 0;
	int64_t count = 0, account, time, seq;
	uint32_t asset;
	size_t n, i;
	int rc = POINTS_OK, started = 0;
	char msg[160];

	keys = points_alloc__malloc(r->chunk * POINTS_ENTRY_TIME_KEY_LEN);
	if (!keys)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	for (;;) {
		if ((rc = points_db__read_begin(db)))
			break;
		rc = points_db__collect_keys(db, &points_entry__time_ks,
		    started ? lo : NULL, started ? sizeof(lo) : 0, NULL, 0,
		    POINTS_ENTRY_TIME_KEY_LEN, keys, r->chunk, &n);
		points_db__read_end(db);
		if (rc == POINTS_ECORRUPT)
			rc = bad(db, r->rep, 0, "statement index key unreadable");
		if (rc)
			break;
		for (i = 0; i < n; i++) {
			const unsigned char *k = keys + i * sizeof(lo);

			if (!points_entry__time_key_parse(k, sizeof(lo),
			    &account, &asset, &time, &seq)) {
				rc = bad(db, r->rep, 0,
				    "statement index key unreadable");
				break;
			}
			if (seq > r->tail)
				continue; /* an entry written since */
			sum += index_hash(r, k);
			count++;
		}
		if (rc || n < r->chunk)
			break;
		memcpy(lo, keys + (n - 1) * sizeof(lo), sizeof(lo));
		for (i = sizeof(lo); i > 0 && ++lo[i - 1] == 0; i--)
			; /* the key after the last one */
		started = 1;
	}
	points_alloc__free(keys);
	if (rc == POINTS_OK && (sum != r->isum || count != r->icount)) {
		snprintf(msg, sizeof(msg), "the statement index differs from "
		    "the entries (%lld keys, %lld expected)", (long long)count,
		    (long long)r->icount);
		rc = bad(db, r->rep, 0, msg);
	}
	return rc;
}

/* ---- The chain ---- */

/* In the current read transaction: check at most r->chunk entries after
 * the tail, and none past target; *end says the log ended first. */
static int
chain_chunk(points_db *db, vrun *r, int64_t target, int *end)
{
	unsigned char lo[8], hash[POINTS_HASH_LEN];
	points_cursor *c;
	size_t n = 0;
	char msg[160];
	int rc;

	*end = 0;
	/* From the tail itself (skipped), so that a stray key just after
	 * it is not passed over. */
	points_codec__put_be64(lo, (uint64_t)r->tail);
	rc = db->store->cursor_open(db->store,
	    db->ks[points_entry__ks.slot], r->tail ? lo : NULL,
	    r->tail ? sizeof(lo) : 0, NULL, 0, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "entry");
	while (n < r->chunk && r->tail < target) {
		const void *k, *v;
		size_t kl, vl;
		int64_t seq, expect = r->tail + 1;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			rc = POINTS_OK;
			*end = 1;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, "entry");
			break;
		}
		seq = kl == 8 ? (int64_t)points_codec__get_be64(k) : -1;
		if (r->tail && seq == r->tail)
			continue; /* checked by the chunk before */
		if (seq != expect) {
			snprintf(msg, sizeof(msg), "entry %lld missing from the "
			    "log", (long long)expect);
			rc = bad(db, r->rep, expect, msg);
			break;
		}
		if (vl < POINTS_HASH_LEN) {
			rc = bad(db, r->rep, seq, "entry too short");
			break;
		}
		if ((rc = points_entry__hash(db, r->prev, seq, v,
		    vl - POINTS_HASH_LEN, hash)))
			break;
		if (memcmp(hash, (const unsigned char *)v + vl -
		    POINTS_HASH_LEN, POINTS_HASH_LEN) != 0) {
			snprintf(msg, sizeof(msg), "entry %lld: hash mismatch "
			    "(altered, or a neighbour was)", (long long)seq);
			rc = bad(db, r->rep, seq, msg);
			break;
		}
		memcpy(r->prev, hash, sizeof(r->prev));
		if ((rc = points_entry__decode(db, seq, v, vl, &r->e))) {
			if (rc == POINTS_ECORRUPT)
				rc = bad(db, r->rep, seq, "entry unreadable");
			break;
		}
		if ((rc = apply(db, &r->t, &r->e, r->rep)))
			break;
		index_expect(r, &r->e);
		r->rep->entries++;
		r->tail = seq;
		n++;
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

/* Check the chain on through target (or the log's end, if it ends
 * first), a chunk per read transaction. */
static int
chain_to(points_db *db, vrun *r, int64_t target)
{
	int end = 0, rc = POINTS_OK;

	while (rc == POINTS_OK && !end && r->tail < target) {
		if ((rc = points_db__read_begin(db)))
			break;
		rc = chain_chunk(db, r, target, &end);
		points_db__read_end(db);
	}
	return rc;
}

/* The last entry's seq in the current read transaction, 0 if none. */
static int
log_end(points_db *db, int64_t *out)
{
	return points_db__last_key64(db, &points_entry__ks, out);
}

/* ---- Balances ---- */

static int
same_lots(const points_lotlist *a, const points_lotlist *b)
{
	size_t i, j = 0;

	for (i = 0; i < a->n; i++) {
		if (a->v[i].amount == 0)
			continue;
		while (j < b->n && b->v[j].amount == 0)
			j++;
		if (j == b->n || b->v[j].day != a->v[i].day ||
		    b->v[j].amount != a->v[i].amount)
			return 0;
		j++;
	}
	while (j < b->n && b->v[j].amount == 0)
		j++;
	return j == b->n;
}

static int
has_sweep_key(points_db *db, const points_balance_rec *b)
{
	unsigned char k[16];
	const void *v;
	size_t vl;

	points_balance__sweep_key(k, b->idx_day, b->account, b->asset);
	return points_db__get(db, &points_balance__sweep_ks, k, sizeof(k), &v, &vl);
}

/* A balance's copy of its account's status and flags must agree. */
static int
check_status(points_db *db, const points_balance_rec *b, points_verify_report *rep)
{
	points_account a;
	char msg[160];
	int rc = points_account__load(db, b->account, &a);

	if (rc == POINTS_ENOTFOUND || (rc == POINTS_OK &&
	    (a.status != b->status || a.flags != b->flags))) {
		snprintf(msg, sizeof(msg), "balance of account %lld disagrees "
		    "with its account record", (long long)b->account);
		return bad(db, rep, b->last_seq, msg);
	}
	return rc;
}

/* The checks of a stored balance that need the snapshot it was read
 * in: its account record and its expiry index key. */
static int
check_in_snapshot(points_db *db, vrun *r, const points_balance_rec *got)
{
	char msg[160];
	int rc;

	if ((rc = check_status(db, got, r->rep)))
		return rc;
	if (points_balance__first_day(got)) {
		rc = has_sweep_key(db, got);
		if (rc == POINTS_ENOTFOUND) {
			snprintf(msg, sizeof(msg), "account %lld: its lots are "
			    "missing from the expiry index",
			    (long long)got->account);
			rc = bad(db, r->rep, 0, msg);
		}
	}
	return rc;
}

/* Compare a stored balance with the one recomputed through the tail of
 * the chain, which must be no older than the balance's newest entry. */
static int
compare_balance(points_db *db, vrun *r, const points_balance_rec *got)
{
	vbal *want = vt_find(&r->t, got->account, got->asset);
	const points_balance_rec *w = want ? &want->b : NULL;
	char msg[200];

	if (!w || w->available != got->available ||
	    w->held != got->held || w->earned != got->earned ||
	    w->spent != got->spent || w->expired != got->expired ||
	    w->debt != got->debt ||
	    w->last_seq != got->last_seq || !same_lots(&w->lots, &got->lots)) {
		snprintf(msg, sizeof(msg), "balance of account %lld in "
		    "asset #%u differs from its entries (stored "
		    "available %lld, computed %lld)",
		    (long long)got->account, (unsigned)got->asset,
		    (long long)got->available,
		    w ? (long long)w->available : 0LL);
		return bad(db, r->rep, got->last_seq, msg);
	}
	want->seen = 1;
	r->rep->balances++;
	return POINTS_OK;
}

/* In the current read transaction: check at most r->chunk balances from
 * key lo (lolen 0: the first) on; lo moves past what was read.  A
 * balance newer than the chain's tail (written since the chain was
 * checked) ends the chunk: it is left in *got with *need its last_seq,
 * its snapshot checks done, for the caller to compare once the chain is
 * checked through exactly that entry.  *done: no balance is left. */
static int
balance_chunk(points_db *db, vrun *r, unsigned char lo[9], size_t *lolen,
    points_balance_rec *got, int64_t *need, int *done)
{
	points_cursor *c;
	size_t n = 0;
	int rc, newer = 0;

	*need = 0;
	*done = 0;
	rc = db->store->cursor_open(db->store,
	    db->ks[points_balance__ks.slot], *lolen ? lo : NULL, *lolen, NULL,
	    0, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "balance");
	while (n < r->chunk) {
		const void *k, *v;
		size_t kl, vl;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			rc = POINTS_OK;
			*done = 1;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, "balance");
			break;
		}
		if (kl != 8) {
			rc = bad(db, r->rep, 0, "balance key unreadable");
			break;
		}
		points_balance__key_parse(k, &got->account, &got->asset);
		if ((rc = points_balance__decode(db, v, vl, got, 1))) {
			if (rc == POINTS_ECORRUPT)
				rc = bad(db, r->rep, 0,
				    "balance record unreadable");
			break;
		}
		memcpy(lo, k, 8); /* go on just after this key */
		lo[8] = 0;
		*lolen = 9;
		n++;
		if (got->last_seq > r->tail) {
			newer = 1;
			break;
		}
		if ((rc = compare_balance(db, r, got)) ||
		    (rc = check_in_snapshot(db, r, got)))
			break;
	}
	db->store->cursor_close(db->store, c);
	if (rc == POINTS_OK && newer) {
		int64_t end;

		/* Written since the chain was checked, or pointing past the
		 * log: in this snapshot the log tells which. */
		if ((rc = log_end(db, &end)) == POINTS_OK) {
			if (end < got->last_seq)
				rc = compare_balance(db, r, got); /* fails */
			if (rc == POINTS_OK)
				rc = check_in_snapshot(db, r, got);
			if (rc == POINTS_OK)
				*need = got->last_seq;
		}
	}
	return rc;
}

static int
check_balances(points_db *db, vrun *r)
{
	unsigned char lo[9];
	size_t lolen = 0, i;
	int64_t made_before = r->tail, need = 0;
	points_balance_rec got;
	int rc = POINTS_OK, done = 0;
	char msg[160];

	points_balance__init(&got, 0, 0, 0);
	while (rc == POINTS_OK && !done) {
		if ((rc = points_db__read_begin(db)))
			break;
		rc = balance_chunk(db, r, lo, &lolen, &got, &need, &done);
		points_db__read_end(db);
		/* A balance a writer committed to since the chain was
		 * checked: check the chain through its newest entry, no
		 * further, and compare. */
		if (rc == POINTS_OK && need &&
		    (rc = chain_to(db, r, need)) == POINTS_OK)
			rc = compare_balance(db, r, &got);
	}
	points_balance__free(&got);
	if (rc)
		return rc;
	for (i = 0; i < r->t.cap; i++) {
		const vbal *w = &r->t.v[i];

		if (w->b.account != 0 && !w->seen &&
		    w->first_seq <= made_before) {
			snprintf(msg, sizeof(msg), "balance of account %lld is "
			    "missing", (long long)w->b.account);
			return bad(db, r->rep, w->b.last_seq, msg);
		}
	}
	return POINTS_OK;
}

/* In the current read transaction: check at most r->chunk keys of the
 * expiry index from lo on.  Each must be its balance's key: the balance
 * has expiring lots and its record says the key's day. */
static int
index_chunk(points_db *db, vrun *r, unsigned char lo[17], size_t *lolen,
    int *done)
{
	unsigned char keys[64][16];
	size_t n = 0, got, i;
	char msg[200];
	int rc = POINTS_OK;

	*done = 0;
	while (rc == POINTS_OK && n < r->chunk) {
		size_t want = r->chunk - n;

		if (want > 64)
			want = 64;
		rc = points_db__collect_keys(db, &points_balance__sweep_ks,
		    *lolen ? lo : NULL, *lolen, NULL, 0, 16, keys[0], want,
		    &got);
		if (rc == POINTS_ECORRUPT)
			rc = bad(db, r->rep, 0, "expiry index key unreadable");
		for (i = 0; rc == POINTS_OK && i < got; i++) {
			points_balance_rec b;

			points_balance__init(&b,
			    (int64_t)points_codec__get_be64(keys[i] + 4),
			    points_codec__get_be32(keys[i] + 12), 0);
			if ((rc = points_balance__load(db, &b)) == POINTS_OK &&
			    (!b.found || !points_balance__first_day(&b) ||
			    b.idx_day != points_codec__get_be32(keys[i]))) {
				snprintf(msg, sizeof(msg), "the expiry index "
				    "has a key for account %lld in asset #%u "
				    "that its balance does not have",
				    (long long)b.account, (unsigned)b.asset);
				rc = bad(db, r->rep, 0, msg);
			}
			points_balance__free(&b);
		}
		if (rc)
			break;
		if (got) {
			memcpy(lo, keys[got - 1], 16);
			lo[16] = 0;
			*lolen = 17;
		}
		n += got;
		if (got < want) {
			*done = 1;
			break;
		}
	}
	return rc;
}

static int
check_sweep_index(points_db *db, vrun *r)
{
	unsigned char lo[17];
	size_t lolen = 0;
	int rc = POINTS_OK, done = 0;

	while (rc == POINTS_OK && !done) {
		if ((rc = points_db__read_begin(db)))
			break;
		rc = index_chunk(db, r, lo, &lolen, &done);
		points_db__read_end(db);
	}
	return rc;
}

/* Every asset's recomputed balances sum to zero (each stored balance
 * equals its recomputed one, so the stored ones do too). */
static int
check_sums(points_db *db, vrun *r)
{
	int64_t sums[POINTS_ASSET_CACHE * 4];
	uint32_t sum_asset[POINTS_ASSET_CACHE * 4];
	size_t nsums = 0, i, j;
	char msg[160];

	for (i = 0; i < r->t.cap; i++) {
		const points_balance_rec *b = &r->t.v[i].b;

		if (b->account == 0)
			continue;
		for (j = 0; j < nsums && sum_asset[j] != b->asset; j++)
			;
		if (j == nsums && nsums < sizeof(sums) / sizeof(sums[0])) {
			sum_asset[nsums] = b->asset;
			sums[nsums++] = 0;
		}
		/* a debt is owed to the ledger: it counts below zero */
		if (j < nsums)
			sums[j] += b->available + b->held - b->debt;
	}
	for (i = 0; i < nsums; i++)
		if (sums[i] != 0) {
			snprintf(msg, sizeof(msg), "asset #%u does not sum to "
			    "zero (%lld)", (unsigned)sum_asset[i],
			    (long long)sums[i]);
			return bad(db, r->rep, 0, msg);
		}
	return POINTS_OK;
}

POINTS_EXTERN int
points_verify(points_db *db, points_verify_report *out)
{
	points_verify_report rep;
	vrun r;
	int64_t start = 0;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	memset(&rep, 0, sizeof(rep));
	memset(&r, 0, sizeof(r));
	r.rep = &rep;
	r.chunk = points_verify__chunk ? points_verify__chunk : 1;
	points_entry__init(&r.e, 0, 0, 0);
	randombytes_buf(r.ikey, sizeof(r.ikey));
	if ((rc = points_db__read_begin(db)) == POINTS_OK) {
		rc = log_end(db, &start);
		points_db__read_end(db);
	}
	if (rc == POINTS_OK)
		rc = chain_to(db, &r, start);
	if (rc == POINTS_OK)
		rc = check_balances(db, &r);
	if (rc == POINTS_OK)
		rc = check_sweep_index(db, &r);
	if (rc == POINTS_OK)
		rc = check_sums(db, &r);
	if (rc == POINTS_OK)
		rc = check_time_index(db, &r);
	points_entry__free(&r.e);
	vt_free(&r.t);
	if (rc == POINTS_OK)
		snprintf(rep.message, sizeof(rep.message), "ok");
	if (out && (rc == POINTS_OK || rc == POINTS_ECORRUPT))
		*out = rep;
	return rc;
}
