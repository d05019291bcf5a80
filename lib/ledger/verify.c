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
 *   no edit can be made to balance the sums in advance.
 *
 * Then the records that entries imply (holds, their deadline index,
 * reversal records, the transaction-id and idempotency indexes) are
 * checked against what the chain says, a keyspace at a time
 * (scan_keyspace): a chunk's records are read in one snapshot and set
 * aside, the chain is checked on through that snapshot's log end, and
 * only then are they compared, so a record and the entries it is
 * compared with are of one moment.  Those records are never deleted
 * either: one that an entry through the tail at the start of its scan
 * implies must have been seen.
 *
 * All arithmetic on stored values is checked: an entry whose movement
 * would overflow a balance is corrupt, and each asset's sum is exact
 * (two words), since legal balances may add up past int64. */
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
#include "ledger/hold.h"
#include "ledger/idem.h"
#include "ledger/posting.h"
#include "ledger/reversal.h"
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

/* A table keyed by a positive int64 (a seq) at the start of each
 * element of size bytes; key 0 is a free slot. */
typedef struct vmap {
	unsigned char *v;
	size_t n, cap, size; /* cap is a power of two */
} vmap;

/* A HOLD entry and what the entries settled of it. */
typedef struct vhold {
	int64_t seq; /* the HOLD entry */
	int64_t account;
	int64_t amount, captured, released;
	uint32_t asset;
	int settles; /* CAPTURE and RELEASE entries naming it */
	int seen;    /* its hold record was compared */
} vhold;

/* An entry that reversals name, and what they returned. */
typedef struct vrev {
	int64_t seq;   /* the original */
	int64_t first; /* the first reversal */
	int64_t from, to, amount;
	uint32_t asset;
	int seen;      /* its reversal record was compared */
} vrev;

/* One run of the check. */
typedef struct vrun {
	vtable t;
	vmap holds, revs, idem;
	points_verify_report *rep;
	size_t chunk;                         /* records per read */
	/* The log's partitions (entry.h), each checked on its own: the
	 * chain of partition p is checked through tails[p] (its first
	 * seq less one: none of it yet), whose hash is prevs[p]. */
	unsigned parts;
	int sys_home; /* points_entry__system_home */
	int64_t *tails;
	unsigned char (*prevs)[POINTS_HASH_LEN];
	int64_t *ends; /* scratch for log_ends */
	points_entry_rec e;
	/* A keyed sum over every entry's (id, seq) through the tail: the
	 * transaction-id index must add up to it.  The key is drawn per
	 * run, so no edit can be made to add up. */
	unsigned char txkey[crypto_shorthash_KEYBYTES];
	uint64_t txsum;
	int64_t txcount; /* entries with a key: all but credit legs */
	int64_t transit; /* the legs' clearing account (entry.h); 0: none */
	points_entry_rec leg; /* the other leg of the entry checked */
	const points_chain_head *kept;        /* kept heads, checked as met */
	size_t nkept;
	/* The transaction-id index's scan: keys of entries through upto
	 * are summed, the others checked each (every one with each). */
	struct {
		int64_t *upto; /* the tails when the scan began */
		int64_t count;
		uint64_t sum;
		int each;
	} tx;
	/* The time index the entries through the tail need. */
	unsigned char ikey[crypto_shorthash_KEYBYTES];
	uint64_t isum;
	int64_t icount;
} vrun;

/* Balances are keyed by account, asset and record (balance.h: 0 the
 * account's own, p + 1 its shard for log partition p). */
static size_t
slot_of(const vtable *t, int64_t account, uint32_t asset, unsigned shard)
{
	uint64_t h = (uint64_t)account * 0x9e3779b97f4a7c15ull ^ asset ^
	    (uint64_t)shard << 32;
	size_t i = (size_t)(h ^ (h >> 29)) & (t->cap - 1);

	while (t->v[i].b.account != 0 && (t->v[i].b.account != account ||
	    t->v[i].b.asset != asset || t->v[i].b.shard != shard))
		i = (i + 1) & (t->cap - 1);
	return i;
}

/* The recomputed balance, NULL when the entries made none. */
static vbal *
vt_find(const vtable *t, int64_t account, uint32_t asset, unsigned shard)
{
	vbal *w;

	if (!t->cap)
		return NULL;
	w = &t->v[slot_of(t, account, asset, shard)];
	return w->b.account ? w : NULL;
}

static int
vt_get(points_db *db, vtable *t, int64_t account, uint32_t asset,
    unsigned shard, vbal **out)
{
	size_t i;

	if ((*out = vt_find(t, account, asset, shard)) != NULL)
		return POINTS_OK;
	if ((t->n + 1) * 2 > t->cap) {
		vtable bigger;
		size_t j;

		bigger.cap = t->cap ? t->cap * 2 : 64; /* small ledgers: small tables */
		bigger.n = t->n;
		bigger.v = points_alloc__calloc(bigger.cap, sizeof(vbal));
		if (!bigger.v)
			return points_db__err(db, POINTS_ENOMEM, "out of memory");
		for (j = 0; j < t->cap; j++)
			if (t->v[j].b.account != 0)
				bigger.v[slot_of(&bigger, t->v[j].b.account,
				    t->v[j].b.asset, t->v[j].b.shard)] =
				    t->v[j];
		points_alloc__free(t->v);
		*t = bigger;
	}
	i = slot_of(t, account, asset, shard);
	points_balance__init(&t->v[i].b, account, asset, 0);
	t->v[i].b.shard = shard;
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

static void *
vm_at(const vmap *m, size_t i)
{
	return m->v + i * m->size;
}

static int64_t
vm_key(const vmap *m, size_t i)
{
	int64_t k;

	memcpy(&k, vm_at(m, i), sizeof(k));
	return k;
}

static size_t
vm_slot(const vmap *m, int64_t key)
{
	uint64_t h = (uint64_t)key * 0x9e3779b97f4a7c15ull;
	size_t i = (size_t)(h ^ (h >> 29)) & (m->cap - 1);
	int64_t k;

	while ((k = vm_key(m, i)) != 0 && k != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void *
vm_find(const vmap *m, int64_t key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	i = vm_slot(m, key);
	return vm_key(m, i) ? vm_at(m, i) : NULL;
}

/* The element of key (key > 0), made zeroed if new (*is_new). */
static int
vm_get(points_db *db, vmap *m, int64_t key, void **out, int *is_new)
{
	size_t i;

	if ((*out = vm_find(m, key)) != NULL) {
		*is_new = 0;
		return POINTS_OK;
	}
	if ((m->n + 1) * 2 > m->cap) {
		vmap bigger = *m;
		size_t j;

		bigger.cap = m->cap ? m->cap * 2 : 256;
		bigger.v = points_alloc__calloc(bigger.cap, m->size);
		if (!bigger.v)
			return points_db__err(db, POINTS_ENOMEM, "out of memory");
		for (j = 0; j < m->cap; j++)
			if (vm_key(m, j))
				memcpy(vm_at(&bigger, vm_slot(&bigger,
				    vm_key(m, j))), vm_at(m, j), m->size);
		points_alloc__free(m->v);
		*m = bigger;
	}
	i = vm_slot(m, key);
	memset(vm_at(m, i), 0, m->size);
	memcpy(vm_at(m, i), &key, sizeof(key));
	m->n++;
	*out = vm_at(m, i);
	*is_new = 1;
	return POINTS_OK;
}

static void
vm_free(vmap *m)
{
	points_alloc__free(m->v);
	memset(m, 0, sizeof(*m));
}

static int
bad(points_db *db, points_verify_report *rep, int64_t seq, const char *what)
{
	rep->bad_seq = seq;
	snprintf(rep->message, sizeof(rep->message), "%s", what);
	return points_db__err(db, POINTS_ECORRUPT, "ledger fails verification: %s",
	    what);
}

/* ---- The partitions' tails ---- */

/* The partition of seq, parts or more when the ledger has none such. */
static unsigned
part_of(int64_t seq)
{
	return seq < 0 ? UINT32_MAX : points_entry__seq_partition(seq);
}

/* seq is past the chain checked (or in no partition). */
static int
past(const vrun *r, const int64_t *tails, int64_t seq)
{
	unsigned p = part_of(seq);

	return p >= r->parts || seq > tails[p];
}

/* A copy of the tails as they are: what was made before a scan. */
static int
tails_copy(points_db *db, const vrun *r, int64_t **out)
{
	if (!(*out = points_alloc__malloc(r->parts * sizeof(int64_t))))
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	memcpy(*out, r->tails, r->parts * sizeof(int64_t));
	return POINTS_OK;
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
			if (rc == POINTS_EOVERFLOW)
				return POINTS_ECORRUPT;
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

/* Move d into *field, checked: 1 when it would overflow. */
static int
mv(int64_t *field, int64_t d)
{
	return points_codec__add(field, d) != 0;
}

/* A HOLD entry opens a hold; CAPTURE and RELEASE entries settle one
 * (ref_seq): a capture first, then a release of the rest, or a release
 * of all; never more than it holds, never twice. */
static int
track_hold(points_db *db, vrun *r, const points_entry_rec *e)
{
	vhold *h;
	char msg[200];
	int is_new, rc;

	if (e->type == POINTS_TXN_HOLD) {
		if ((rc = vm_get(db, &r->holds, e->seq, (void **)&h, &is_new)))
			return rc;
		h->account = e->from;
		h->asset = e->asset;
		h->amount = e->amount;
		return POINTS_OK;
	}
	h = e->ref_seq > 0 ? vm_find(&r->holds, e->ref_seq) : NULL;
	if (!h || h->account != e->from || e->from != (e->type ==
	    POINTS_TXN_RELEASE ? e->to : e->from) || h->asset != e->asset) {
		snprintf(msg, sizeof(msg), "entry %lld settles no hold of "
		    "account %lld (it names entry %lld)", (long long)e->seq,
		    (long long)e->from, (long long)e->ref_seq);
		return bad(db, r->rep, e->seq, msg);
	}
	if (h->captured + h->released == h->amount || (e->type ==
	    POINTS_TXN_CAPTURE ? h->settles != 0 : h->released != 0) ||
	    e->amount > h->amount - h->captured - h->released) {
		snprintf(msg, sizeof(msg), "entry %lld settles the hold of "
		    "entry %lld again, or for more than it holds",
		    (long long)e->seq, (long long)h->seq);
		return bad(db, r->rep, e->seq, msg);
	}
	if (e->type == POINTS_TXN_CAPTURE)
		h->captured += e->amount;
	else
		h->released += e->amount;
	h->settles++;
	return POINTS_OK;
}

/* A REVERSAL entry returns part of an earlier entry (ref_seq), from its
 * receiver to its sender; the original itself is checked once all are
 * counted (check_reversals). */
static int
track_reversal(points_db *db, vrun *r, const points_entry_rec *e,
    int64_t to)
{
	vrev *v;
	int64_t before;
	char msg[200];
	int is_new, rc;

	/* an original in another partition may have any seq */
	if (e->ref_seq <= 0 || (part_of(e->ref_seq) == part_of(e->seq) &&
	    e->ref_seq >= e->seq)) {
		snprintf(msg, sizeof(msg), "entry %lld reverses entry %lld, "
		    "which is not an earlier one", (long long)e->seq,
		    (long long)e->ref_seq);
		return bad(db, r->rep, e->seq, msg);
	}
	if ((rc = vm_get(db, &r->revs, e->ref_seq, (void **)&v, &is_new)))
		return rc;
	if (is_new) {
		v->first = e->seq;
		v->from = e->from;
		v->to = to;
		v->asset = e->asset;
	}
	if (v->from != e->from || v->to != to || v->asset != e->asset) {
		snprintf(msg, sizeof(msg), "entry %lld reverses entry %lld "
		    "between other accounts than the reversals before it",
		    (long long)e->seq, (long long)e->ref_seq);
		return bad(db, r->rep, e->seq, msg);
	}
	/* what it says the reversals before it returned, when it says
	 * (libraries before 0.2 did not) */
	if (points_reversal__before(db, e, &before)) {
		snprintf(msg, sizeof(msg), "entry %lld: reversal record "
		    "unreadable", (long long)e->seq);
		return bad(db, r->rep, e->seq, msg);
	}
	if (before != 0 && before != v->amount) {
		snprintf(msg, sizeof(msg), "entry %lld reverses entry %lld "
		    "after reversals of %lld, not %lld as it says",
		    (long long)e->seq, (long long)e->ref_seq,
		    (long long)v->amount, (long long)before);
		return bad(db, r->rep, e->seq, msg);
	}
	if (mv(&v->amount, e->amount)) {
		snprintf(msg, sizeof(msg), "entry %lld reverses entry %lld "
		    "past 64 bits", (long long)e->seq, (long long)e->ref_seq);
		return bad(db, r->rep, e->seq, msg);
	}
	return POINTS_OK;
}

/* The entries of account in e's partition, as the walk sums them:
 * points_entry__shard's record (ledger/entry.h), 0 for those of its home
 * partition.  record_slot maps a stored record to its entries. */
#define side_shard(r, e, account) \
	points_entry__shard(account, part_of((e)->seq), (r)->parts)

/* Load entry seq of the current snapshot into e: POINTS_OK, or
 * POINTS_ENOTFOUND when it is missing or unreadable (the chain tells
 * which), with the handle's message cleared. */
static int
load_entry(points_db *db, int64_t seq, points_entry_rec *e)
{
	int rc;

	if (seq <= 0)
		return POINTS_ENOTFOUND;
	rc = points_entry__load(db, seq, e);
	if (rc == POINTS_ECORRUPT) {
		points_db__clear_err(db);
		return POINTS_ENOTFOUND;
	}
	return rc;
}

/* Leg e (role, the other user peer, the other leg's seq: entry.h) is
 * one of two: its clearing side is system:transit, its user is of its
 * partition and the other of the other leg's, it moves lots and debt
 * only on its user's side, and the other leg names it back and records
 * the same movement. */
static int
check_leg(points_db *db, vrun *r, const points_entry_rec *e, int role,
    int64_t peer, int64_t other)
{
	points_entry_rec *o = &r->leg;
	int debit = role == POINTS_ENTRY_LEG_DEBIT;
	int64_t user = debit ? e->from : e->to, owed, repaid, op, oo;
	char c1[POINTS_CATEGORY_MAX + 1], a1[POINTS_ACTOR_MAX + 1];
	char c2[POINTS_CATEGORY_MAX + 1], a2[POINTS_ACTOR_MAX + 1];
	const char *why = NULL;
	char msg[240];
	int orole, rc;

	if ((rc = points_debt__of(db, e, &owed, &repaid)))
		return rc == POINTS_ECORRUPT ? bad(db, r->rep, e->seq,
		    "entry's debt record unreadable") : rc;
	if (!r->transit || (debit ? e->to : e->from) != r->transit)
		why = "its clearing side is not account system:transit";
	else if (user == r->transit || (uint64_t)user % r->parts !=
	    part_of(e->seq) || (uint64_t)peer % r->parts ==
	    part_of(e->seq) || part_of(other) != (uint64_t)peer % r->parts)
		why = "its accounts are not of its partition and the other "
		    "leg's";
	else if ((debit ? e->in_lots.n : e->out_lots.n) ||
	    (debit ? repaid : owed))
		why = "it moves lots or debt of the clearing account";
	else if ((rc = load_entry(db, other, o)) == POINTS_ENOTFOUND)
		why = "its other leg is missing";
	else if (rc)
		return rc;
	else if (points_entry__leg(o, &orole, &op, &oo) ||
	    orole == role || op != user || oo != e->seq ||
	    (debit ? o->to : o->from) != peer ||
	    (debit ? o->from : o->to) != r->transit)
		why = "its other leg does not name it back";
	else if (o->type != e->type || o->asset != e->asset ||
	    o->time != e->time || o->amount != e->amount ||
	    o->ref_seq != e->ref_seq || strcmp(o->memo, e->memo) != 0 ||
	    memcmp(o->txid, e->txid, POINTS_UUID_LEN) != 0)
		why = "its other leg records another movement";
	if (!why) {
		points_entry__meta(e, c1, a1);
		points_entry__meta(o, c2, a2);
		if (strcmp(c1, c2) != 0 || strcmp(a1, a2) != 0)
			why = "its other leg records another movement";
	}
	if (!why)
		return POINTS_OK;
	snprintf(msg, sizeof(msg), "entry %lld, a leg between accounts %lld "
	    "and %lld: %s", (long long)e->seq, (long long)user,
	    (long long)peer, why);
	return bad(db, r->rep, e->seq, msg);
}

/* Apply one entry to the recomputed balances, checked: an entry that
 * would take a balance past int64 is corrupt (no legal write makes
 * one). */
static int
apply(points_db *db, vrun *r, const points_entry_rec *e)
{
	vtable *t = &r->t;
	points_verify_report *rep = r->rep;
	vbal *fv, *tv;
	points_balance_rec *f, *to, *clear = NULL, scratch;
	char msg[160];
	int64_t a = e->amount, owed, repaid, peer = 0, other;
	int rc, ovf = 0, rev_expiry, role = 0;

	if ((rc = points_debt__of(db, e, &owed, &repaid)) == POINTS_ECORRUPT)
		return bad(db, rep, e->seq, "entry's debt record unreadable");
	if (rc)
		return rc;
	rc = points_entry__leg(e, &role, &peer, &other);
	if (rc == POINTS_ECORRUPT)
		return bad(db, rep, e->seq, "entry's leg record unreadable");
	if (rc == POINTS_ENOTFOUND)
		role = 0;
	else if ((rc = check_leg(db, r, e, role, peer, other)))
		return rc;
	if ((rc = vt_get(db, t, e->from, e->asset, side_shard(r, e, e->from),
	    &fv)))
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
	if ((rc = vt_get(db, t, e->to, e->asset, side_shard(r, e, e->to),
	    &tv)))
		return rc;
	/* inserting to may have moved the table */
	if ((rc = vt_get(db, t, e->from, e->asset, side_shard(r, e, e->from),
	    &fv)))
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
	/* A leg moves only the available of the clearing account: the
	 * movement's effect on that side goes to a scratch copy.  The
	 * copy shares no lots it could change: check_leg saw none. */
	if (role == POINTS_ENTRY_LEG_DEBIT) {
		clear = to;
		scratch = *to;
		to = &scratch;
	} else if (role == POINTS_ENTRY_LEG_CREDIT) {
		clear = f;
		scratch = *f;
		f = &scratch;
	}
	switch (e->type) {
	case POINTS_TXN_HOLD:
		ovf = mv(&f->available, -a) | mv(&f->held, a);
		break;
	case POINTS_TXN_RELEASE:
		ovf = mv(&f->held, -a) | mv(&f->available, a);
		break;
	case POINTS_TXN_CAPTURE:
		ovf = mv(&f->held, -a) | mv(&f->spent, a) |
		    mv(&to->available, a) | mv(&to->earned, a);
		break;
	case POINTS_TXN_EXPIRE:
		/* the counters expiry moves saturate (balance.h) */
		ovf = mv(&f->available, -a) | mv(&to->available, a);
		points_balance__counter_sat(&f->expired, a);
		points_balance__counter_sat(&to->earned, a);
		break;
	case POINTS_TXN_REVERSAL:
		if ((rc = reverses_expiry(db, e, &rev_expiry)))
			return rc;
		ovf = mv(&f->available, -a) | mv(&to->available, a);
		if (rev_expiry) {
			points_balance__counter_sat(&f->earned, -a);
			points_balance__counter_sat(&to->expired, -a);
		} else {
			ovf |= mv(&f->earned, -a) | mv(&to->spent, -a);
		}
		break;
	default:
		/* earn, spend, transfer, adjust, and the generic movement
		 * of a type this library does not know (entry.h) */
		ovf = mv(&f->available, -a) | mv(&f->spent, a) |
		    mv(&to->available, a) | mv(&to->earned, a);
		break;
	}
	/* What from owed did not leave its available, what repaid to's
	 * debt did not join its available (debt.h).  A debt is never
	 * negative, and an account owes only once it gave all it had. */
	ovf |= mv(&f->available, owed) | mv(&f->debt, owed) |
	    mv(&to->available, -repaid) | mv(&to->debt, -repaid);
	if (ovf) {
		snprintf(msg, sizeof(msg), "entry %lld takes a balance of "
		    "account %lld or %lld past 64 bits", (long long)e->seq,
		    (long long)e->from, (long long)e->to);
		return bad(db, rep, e->seq, msg);
	}
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
	if ((rc = lots_apply(db, to, &e->in_lots, 1)) == POINTS_ECORRUPT) {
		snprintf(msg, sizeof(msg), "entry %lld takes a lot of account "
		    "%lld past 64 bits", (long long)e->seq, (long long)e->to);
		return bad(db, rep, e->seq, msg);
	}
	if (rc)
		return rc;
	if (clear && mv(&clear->available,
	    role == POINTS_ENTRY_LEG_DEBIT ? a : -a)) {
		snprintf(msg, sizeof(msg), "entry %lld takes a balance of "
		    "account %lld past 64 bits", (long long)e->seq,
		    (long long)clear->account);
		return bad(db, rep, e->seq, msg);
	}
	if (role == POINTS_ENTRY_LEG_CREDIT)
		return POINTS_OK; /* its debit leg is the one tracked */
	switch (e->type) {
	case POINTS_TXN_HOLD:
	case POINTS_TXN_CAPTURE:
	case POINTS_TXN_RELEASE:
		return track_hold(db, r, e);
	case POINTS_TXN_REVERSAL:
		return track_reversal(db, r, e, role ? peer : e->to);
	}
	return POINTS_OK;
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

/* A seek to k, forward from k and backward from just past it, as a
 * statement seeks (statement.c), must land on k itself: a damaged
 * interior page of the store's tree can send a seek past keys that a
 * scan in order still meets, and a statement would skip them. */
static int
seek_lands(points_db *db, const unsigned char *k, int reverse)
{
	unsigned char past[POINTS_ENTRY_TIME_KEY_LEN];
	points_keyspace *ks = db->ks[points_entry__time_ks.slot];
	points_cursor *c;
	const void *got, *v;
	size_t gl, vl, i;
	int rc;

	memcpy(past, k, sizeof(past));
	for (i = sizeof(past); i > 0 && ++past[i - 1] == 0; i--)
		;
	if (reverse)
		rc = db->store->cursor_open(db->store, ks, NULL, 0, past,
		    sizeof(past), 1, &c);
	else
		rc = db->store->cursor_open(db->store, ks, k, sizeof(past),
		    NULL, 0, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "verify");
	rc = db->store->cursor_next(db->store, c, &got, &gl, &v, &vl);
	if (rc == POINTS_OK && (gl != sizeof(past) ||
	    memcmp(got, k, gl) != 0))
		rc = POINTS_ECORRUPT;
	else if (rc == POINTS_ITEROVER)
		rc = POINTS_ECORRUPT;
	else if (rc)
		rc = points_db__store_err(db, rc, "verify");
	db->store->cursor_close(db->store, c);
	return rc;
}

/* The index's keys of entries through the tail, a chunk per read
 * transaction, against what the entries need; and a seek to each of
 * them lands on it. */
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
		/* keys are never removed: each is there to seek to */
		for (i = 0; i < n && rc == POINTS_OK; i++) {
			const unsigned char *k = keys + i * sizeof(lo);

			if ((rc = seek_lands(db, k, 0)) == POINTS_OK)
				rc = seek_lands(db, k, 1);
			if (rc == POINTS_ECORRUPT) {
				points_entry__time_key_parse(k, sizeof(lo),
				    &account, &asset, &time, &seq);
				snprintf(msg, sizeof(msg), "account %lld: a "
				    "seek in the statement index misses the "
				    "key of entry %lld (a damaged index)",
				    (long long)account, (long long)seq);
				points_db__read_end(db);
				rc = bad(db, r->rep, seq, msg);
				goto out;
			}
		}
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
			if (past(r, r->tails, seq))
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
out:
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

/* The keyed hash of an entry's id and seq: its term of r->txsum. */
static uint64_t
txid_term(const vrun *r, const unsigned char txid[POINTS_UUID_LEN],
    int64_t seq)
{
	unsigned char in[POINTS_UUID_LEN + 8], out[crypto_shorthash_BYTES];

	memcpy(in, txid, POINTS_UUID_LEN);
	points_codec__put_be64(in + POINTS_UUID_LEN, (uint64_t)seq);
	crypto_shorthash(out, in, sizeof(in), r->txkey);
	return points_codec__get_be64(out);
}

static void
hash_hex(const unsigned char h[POINTS_HASH_LEN],
    char out[POINTS_CHAIN_HASH_HEX + 1])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < POINTS_HASH_LEN; i++) {
		out[2 * i] = digits[h[i] >> 4];
		out[2 * i + 1] = digits[h[i] & 15];
	}
	out[2 * POINTS_HASH_LEN] = '\0';
}

/* Entry seq, whose hash is hash, against the kept heads at seq. */
static int
check_kept(points_db *db, vrun *r, int64_t seq,
    const unsigned char hash[POINTS_HASH_LEN])
{
	char hex[POINTS_CHAIN_HASH_HEX + 1], msg[200];
	size_t i;

	for (i = 0; i < r->nkept; i++) {
		if (r->kept[i].seq != seq)
			continue;
		hash_hex(hash, hex);
		if (strcmp(hex, r->kept[i].hash) != 0) {
			snprintf(msg, sizeof(msg), "entry %lld: its hash is "
			    "not the kept head's (the chain was rewritten, or "
			    "this is another ledger)", (long long)seq);
			return bad(db, r->rep, seq, msg);
		}
	}
	return POINTS_OK;
}

/* In the current read transaction: check at most r->chunk entries of
 * partition p after its tail, and none past target; *end says the
 * partition ended first. */
static int
is_credit_leg(const points_entry_rec *e)
{
	int64_t peer, other;
	int role;

	return points_entry__leg(e, &role, &peer, &other) == POINTS_OK &&
	    role == POINTS_ENTRY_LEG_CREDIT;
}

static int
chain_chunk(points_db *db, vrun *r, unsigned p, int64_t target, int *end)
{
	unsigned char lo[8], hi[8], hash[POINTS_HASH_LEN];
	int64_t base = points_entry__part_first(p) - 1;
	int64_t *tail = &r->tails[p];
	unsigned char *prev = r->prevs[p];
	points_cursor *c;
	size_t n = 0;
	char msg[160];
	int rc;

	*end = 0;
	/* From the tail itself (skipped), so that a stray key just after
	 * it is not passed over; the partition's range when it has more
	 * than one. */
	points_codec__put_be64(lo, (uint64_t)(*tail > base ? *tail : base));
	points_codec__put_be64(hi, (uint64_t)base + ((uint64_t)1 <<
	    POINTS_ENTRY_PART_BITS));
	rc = db->store->cursor_open(db->store,
	    db->ks[points_entry__ks.slot], *tail || r->parts > 1 ? lo : NULL,
	    *tail || r->parts > 1 ? sizeof(lo) : 0, r->parts > 1 ? hi : NULL,
	    r->parts > 1 ? sizeof(hi) : 0, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "entry");
	while (n < r->chunk && *tail < target) {
		const void *k, *v;
		size_t kl, vl;
		int64_t seq, expect = *tail + 1;

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
		if (*tail > base && seq == *tail)
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
		if ((rc = points_entry__hash(db, prev, seq, v,
		    vl - POINTS_HASH_LEN, hash)))
			break;
		if (memcmp(hash, (const unsigned char *)v + vl -
		    POINTS_HASH_LEN, POINTS_HASH_LEN) != 0) {
			snprintf(msg, sizeof(msg), "entry %lld: hash mismatch "
			    "(altered, or a neighbour was)", (long long)seq);
			rc = bad(db, r->rep, seq, msg);
			break;
		}
		memcpy(prev, hash, POINTS_HASH_LEN);
		if ((rc = check_kept(db, r, seq, hash)))
			break;
		if ((rc = points_entry__decode(db, seq, v, vl, &r->e))) {
			if (rc == POINTS_ECORRUPT)
				rc = bad(db, r->rep, seq, "entry unreadable");
			break;
		}
		if ((rc = apply(db, r, &r->e)))
			break;
		/* a credit leg shares its debit leg's id and key */
		if (!is_credit_leg(&r->e)) {
			r->txsum += txid_term(r, r->e.txid, seq);
			r->txcount++;
		}
		index_expect(r, &r->e);
		r->rep->entries++;
		*tail = seq;
		n++;
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

/* Check the chain of target's partition on through target (or the
 * partition's end, if it ends first), a chunk per read transaction. */
static int
chain_to(points_db *db, vrun *r, int64_t target)
{
	unsigned p = part_of(target);
	int end = 0, rc = POINTS_OK;

	if (p >= r->parts)
		return POINTS_OK; /* no such entry: the caller's check says */
	while (rc == POINTS_OK && !end && r->tails[p] < target) {
		if ((rc = points_db__read_begin(db)))
			break;
		rc = chain_chunk(db, r, p, target, &end);
		points_db__read_end(db);
	}
	return rc;
}

/* In the current read transaction: the last entry of each partition
 * (its first seq less one when it has none), and no entry in a
 * partition the ledger does not have. */
static int
log_ends(points_db *db, vrun *r, int64_t *ends)
{
	int64_t last;
	unsigned p;
	char msg[160];
	int rc;

	if ((rc = points_db__last_key64(db, &points_entry__ks, &last)))
		return rc;
	if (r->parts == 1) {
		ends[0] = last;
		return POINTS_OK;
	}
	if (part_of(last) >= r->parts) {
		snprintf(msg, sizeof(msg), "entry %lld is in no partition of "
		    "the log (it has %u)", (long long)last, r->parts);
		return bad(db, r->rep, last, msg);
	}
	for (p = 0; p < r->parts; p++) {
		if ((rc = points_entry__last_seq(db, p, &ends[p])))
			return rc;
	}
	return POINTS_OK;
}

/* Check every partition's chain on through ends. */
static int
chain_through(points_db *db, vrun *r, const int64_t *ends)
{
	unsigned p;
	int rc = POINTS_OK;

	for (p = 0; p < r->parts && rc == POINTS_OK; p++)
		if (ends[p] > r->tails[p])
			rc = chain_to(db, r, ends[p]);
	return rc;
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
	if (rc == POINTS_ECORRUPT) {
		snprintf(msg, sizeof(msg), "account %lld: record unreadable",
		    (long long)b->account);
		return bad(db, rep, 0, msg);
	}
	return rc;
}

/* Append got's spilled lots (lot_spill.h) to its inline ones, checking
 * that they are what its record says: as many, as much, all later than
 * the inline ones and no later than its last day. */
static int
spilled_lots(points_db *db, vrun *r, points_balance_rec *got)
{
	size_t n0 = got->lots.n, i;
	int64_t sum = 0;
	char msg[200];
	int rc;

	if (got->spill.n == 0)
		return POINTS_OK;
	if ((rc = points_balance__load_spilled(db, got, 0, 0))) {
		if (rc != POINTS_ECORRUPT)
			return rc;
		snprintf(msg, sizeof(msg), "spilled lots of account %lld in "
		    "asset #%u unreadable", (long long)got->account,
		    (unsigned)got->asset);
		return bad(db, r->rep, got->last_seq, msg);
	}
	for (i = n0; i < got->lots.n; i++)
		if (points_codec__add(&sum, got->lots.v[i].amount))
			break;
	if (got->lots.n - n0 != got->spill.n || i < got->lots.n ||
	    sum != got->spill.sum || (n0 > 0 &&
	    got->lots.v[n0].day <= got->lots.v[n0 - 1].day) ||
	    got->lots.v[got->lots.n - 1].day > got->spill.last) {
		snprintf(msg, sizeof(msg), "balance of account %lld in asset "
		    "#%u says %llu spilled lots of %lld points (the last on "
		    "day %u), its spill keys hold %zu of %lld points",
		    (long long)got->account, (unsigned)got->asset,
		    (unsigned long long)got->spill.n,
		    (long long)got->spill.sum, (unsigned)got->spill.last,
		    got->lots.n - n0, (long long)sum);
		return bad(db, r->rep, got->last_seq, msg);
	}
	return POINTS_OK;
}

/* Every spill key belongs to a balance that says it has spilled lots;
 * the counts and sums the balances say are checked with them
 * (spilled_lots), so here a key of a balance that has none, or is not
 * there.  One snapshot. */
static int
check_spill_keys(points_db *db, vrun *r)
{
	unsigned char prev[8];
	points_cursor *c;
	int rc, have = 0;
	char msg[200];

	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = db->store->cursor_open(db->store,
	    db->ks[points_lot_spill__ks.slot], NULL, 0, NULL, 0, 0, &c);
	if (rc) {
		rc = points_db__store_err(db, rc, points_lot_spill__ks.name);
		points_db__read_end(db);
		return rc;
	}
	for (;;) {
		const void *k, *v;
		size_t kl, vl;
		points_balance_rec b;
		int64_t account;
		uint32_t asset;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc,
			    points_lot_spill__ks.name);
			break;
		}
		if (kl != 12) {
			rc = bad(db, r->rep, 0, "spilled lot key unreadable");
			break;
		}
		if (have && memcmp(prev, k, 8) == 0)
			continue; /* a balance is checked once */
		memcpy(prev, k, 8);
		have = 1;
		points_balance__key_parse(prev, &account, &asset);
		points_balance__init(&b, account, asset, 0);
		rc = points_balance__load(db, &b);
		if (rc == POINTS_OK && (!b.found || b.spill.n == 0)) {
			snprintf(msg, sizeof(msg), "spilled lots of account "
			    "%lld in asset #%u, whose balance %s", (long long)
			    account, (unsigned)asset, b.found ?
			    "says it has none" : "is missing");
			rc = bad(db, r->rep, 0, msg);
		} else if (rc == POINTS_ECORRUPT) {
			rc = bad(db, r->rep, 0, "balance record unreadable");
		}
		points_balance__free(&b);
		if (rc)
			break;
	}
	db->store->cursor_close(db->store, c);
	points_db__read_end(db);
	return rc;
}

/* A system account's record in log partitions that holds more than its
 * share of int64 has its account marked wide in the own record, or
 * writes that stay within theirs could take the sum of its records past
 * int64 (balance.h); only such an own record is marked. */
static int
check_wide(points_db *db, vrun *r, const points_balance_rec *got)
{
	points_balance_rec own;
	char msg[200];
	int rc = POINTS_OK, marked = got->wide;

	if (got->wide && (!got->system || got->shard || r->parts <= 1)) {
		snprintf(msg, sizeof(msg), "balance of account %lld in asset "
		    "#%u is marked wide, which only a system account's own "
		    "record in log partitions may be", (long long)got->account,
		    (unsigned)got->asset);
		return bad(db, r->rep, got->last_seq, msg);
	}
	if (r->parts <= 1)
		return POINTS_OK;
	own = *got;
	own.partitioned = r->parts;
	if (points_balance__in_share(&own, got->available) &&
	    points_balance__in_share(&own, got->earned) &&
	    points_balance__in_share(&own, got->spent))
		return POINTS_OK;
	if (got->shard) {
		points_balance__init(&own, got->account, got->asset, 1);
		rc = points_balance__load(db, &own);
		marked = own.wide;
		points_balance__free(&own);
		if (rc == POINTS_ECORRUPT)
			return POINTS_OK; /* reported as its own record's */
		if (rc)
			return rc;
	}
	if (marked)
		return POINTS_OK;
	snprintf(msg, sizeof(msg), "balance of account %lld in asset #%u "
	    "holds more than its share of its records' sum, and its own "
	    "record is not marked wide", (long long)got->account,
	    (unsigned)got->asset);
	return bad(db, r->rep, got->last_seq, msg);
}

/* The checks of a stored balance that need the snapshot it was read
 * in: its account record and its expiry index key. */
static int
check_in_snapshot(points_db *db, vrun *r, const points_balance_rec *got)
{
	char msg[160];
	int rc = POINTS_OK;

	/* a shard keeps the status it was placed with: the account's own
	 * record says what it is now (balance.h) */
	if (!got->shard && (rc = check_status(db, got, r->rep)))
		return rc;
	/* system:transit is exempt: its legs move as much into one of its
	 * records as out of another, so its records sum to zero and any
	 * one of them may pass its share unmarked */
	if ((got->wide || (got->system && got->account != r->transit)) &&
	    (rc = check_wide(db, r, got)))
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

/* The walk's slot (side_shard) of the entries stored record got holds,
 * or -1 for none: in a ledger made since format 5, a system account's
 * shard of its home partition holds those entries, and its own record
 * none (entry.h). */
static long
record_slot(const vrun *r, const points_balance_rec *got)
{
	if (r->parts <= 1 || r->sys_home || !got->system)
		return (long)got->shard;
	if (got->shard == 0)
		return -1;
	return got->shard - 1 == (uint64_t)got->account % r->parts ? 0 :
	    (long)got->shard;
}

/* Compare a stored balance with the one recomputed through the tail of
 * the chain, which must be no older than the balance's newest entry. */
static int
compare_balance(points_db *db, vrun *r, const points_balance_rec *got)
{
	long slot = record_slot(r, got);
	vbal *want = slot < 0 ? NULL : vt_find(&r->t, got->account,
	    got->asset, (unsigned)slot);
	const points_balance_rec *w = want ? &want->b : NULL;
	char msg[200];
	size_t i;

	/* No write leaves a lot of nothing (nor, past the decoder, a
	 * negative one); the comparison below passes over them. */
	for (i = 0; i < got->lots.n; i++)
		if (got->lots.v[i].amount <= 0) {
			snprintf(msg, sizeof(msg), "balance of account %lld in "
			    "asset #%u has a lot of %lld points",
			    (long long)got->account, (unsigned)got->asset,
			    (long long)got->lots.v[i].amount);
			return bad(db, r->rep, got->last_seq, msg);
		}
	/* A record that keeps only module data (balance.h: counters of a
	 * rule that nominated an award for approval) before any entry, or
	 * a system account's own record of no entries (its status: made
	 * when a shard of it is, balance.h). */
	if (!w && got->available == 0 && got->held == 0 && got->earned == 0 &&
	    got->spent == 0 && got->expired == 0 && got->debt == 0 &&
	    got->last_seq == 0 && got->lots.n == 0 && got->spill.n == 0 &&
	    got->pend.n == 0 && (got->datalen > 0 || got->wide ||
	    (got->system && !got->shard))) {
		r->rep->balances++;
		return POINTS_OK;
	}
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
balance_chunk(points_db *db, vrun *r, const points_ksdef *ks, size_t klen,
    unsigned char lo[POINTS_BALANCE_SHARD_KEY_LEN + 1], size_t *lolen,
    points_balance_rec *got, int64_t *need, int *done)
{
	points_cursor *c;
	size_t n = 0;
	int rc, newer = 0;

	*need = 0;
	*done = 0;
	rc = db->store->cursor_open(db->store, db->ks[ks->slot],
	    *lolen ? lo : NULL, *lolen, NULL, 0, 0, &c);
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
		if (kl != klen) {
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
		/* a shard's key ends with its partition (balance.h) */
		got->shard = klen == 8 ? 0 : (unsigned)(((const unsigned char *)
		    k)[8] << 8 | ((const unsigned char *)k)[9]) + 1;
		memcpy(lo, k, klen); /* go on just after this key */
		lo[klen] = 0;
		*lolen = klen + 1;
		n++;
		/* its spilled lots join the inline ones, for the comparison
		 * with the lots the entries leave */
		if ((rc = spilled_lots(db, r, got)))
			break;
		if (past(r, r->tails, got->last_seq)) {
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
		if (part_of(got->last_seq) >= r->parts)
			end = 0;
		else
			rc = points_entry__last_seq(db,
			    part_of(got->last_seq), &end);
		if (rc == POINTS_OK) {
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

/* Every stored balance of keyspace ks (keys of klen bytes), compared. */
static int
scan_balances(points_db *db, vrun *r, const points_ksdef *ks, size_t klen)
{
	unsigned char lo[POINTS_BALANCE_SHARD_KEY_LEN + 1];
	size_t lolen = 0;
	int64_t need = 0;
	points_balance_rec got;
	int rc = POINTS_OK, done = 0;

	points_balance__init(&got, 0, 0, 0);
	while (rc == POINTS_OK && !done) {
		if ((rc = points_db__read_begin(db)))
			break;
		rc = balance_chunk(db, r, ks, klen, lo, &lolen, &got, &need,
		    &done);
		points_db__read_end(db);
		/* A balance a writer committed to since the chain was
		 * checked: check the chain through its newest entry, no
		 * further, and compare. */
		if (rc == POINTS_OK && need &&
		    (rc = chain_to(db, r, need)) == POINTS_OK)
			rc = compare_balance(db, r, &got);
	}
	points_balance__free(&got);
	return rc;
}

static int
check_balances(points_db *db, vrun *r)
{
	size_t i;
	int64_t *made_before;
	int rc;
	char msg[160];

	if ((rc = tails_copy(db, r, &made_before)))
		return rc;
	/* the accounts' own records, then the system accounts' shards */
	if ((rc = scan_balances(db, r, &points_balance__ks, 8)) == POINTS_OK)
		rc = scan_balances(db, r, &points_balance__shard_ks,
		    POINTS_BALANCE_SHARD_KEY_LEN);
	for (i = 0; rc == POINTS_OK && i < r->t.cap; i++) {
		const vbal *w = &r->t.v[i];

		if (w->b.account != 0 && !w->seen &&
		    !past(r, made_before, w->first_seq)) {
			snprintf(msg, sizeof(msg), "balance of account %lld is "
			    "missing", (long long)w->b.account);
			rc = bad(db, r->rep, w->b.last_seq, msg);
		}
	}
	points_alloc__free(made_before);
	return rc;
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

/* ---- Records the entries imply ---- */

/* One chunk's records, read in one snapshot and compared once the chain
 * is checked through that snapshot's log end. */
typedef struct vitem {
	size_t koff, klen, voff, vlen;
	unsigned flags; /* what the snapshot showed (the scan's own) */
} vitem;

typedef struct vscan {
	const points_ksdef *ks;
	/* In the snapshot: checks that need it, into *flags. */
	int (*in_snap)(points_db *db, vrun *r, const unsigned char *k,
	    size_t kl, const unsigned char *v, size_t vl, unsigned *flags);
	/* With the chain checked through the snapshot's log end. */
	int (*check)(points_db *db, vrun *r, const unsigned char *k,
	    size_t kl, const unsigned char *v, size_t vl, unsigned flags);
} vscan;

/* Into hi: just past the last key of ks in the current snapshot (an
 * exclusive bound that keeps it); *empty when there is none. */
static int
scan_bound(points_db *db, const points_ksdef *ks, points_buf *hi, int *empty)
{
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	int rc;

	rc = db->store->cursor_open(db->store, db->ks[ks->slot], NULL, 0,
	    NULL, 0, 1, &c);
	if (rc)
		return points_db__store_err(db, rc, ks->name);
	rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
	*empty = rc == POINTS_ITEROVER;
	if (rc == POINTS_OK) {
		points_buf__bytes(hi, k, kl);
		points_buf__u8(hi, 0);
		if (hi->err)
			rc = points_db__err(db, POINTS_ENOMEM, "out of memory");
	} else if (rc == POINTS_ITEROVER) {
		rc = POINTS_OK;
	} else {
		rc = points_db__store_err(db, rc, ks->name);
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

/* Room for twice as many items in *items (up to r->chunk). */
static int
grow_items(points_db *db, const vrun *r, vitem **items, size_t *cap)
{
	size_t want = *cap ? *cap * 2 : 16;
	vitem *v;

	if (want > r->chunk)
		want = r->chunk;
	v = points_alloc__realloc(*items, want * sizeof(*v));
	if (!v)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	*items = v;
	*cap = want;
	return POINTS_OK;
}

/* Every record of sc->ks, a chunk per read transaction, up to the last
 * key the first one saw: what is written after it is newer than
 * anything the check must find, and a writer appending keys as fast as
 * the check reads them cannot keep it going. */
static int
scan_keyspace(points_db *db, vrun *r, const vscan *sc)
{
	points_buf lo, hi, data;
	vitem *items = NULL;
	size_t n, i, cap = 0;
	int rc = POINTS_OK, done = 0;

	points_buf__init(&lo);
	points_buf__init(&hi);
	points_buf__init(&data);
	while (rc == POINTS_OK && !done) {
		points_cursor *c;

		n = 0;
		points_buf__reset(&data);
		if ((rc = points_db__read_begin(db)))
			break;
		if (!hi.len && (rc = scan_bound(db, sc->ks, &hi, &done))) {
			points_db__read_end(db);
			break;
		}
		if (done) {
			points_db__read_end(db);
			break;
		}
		rc = db->store->cursor_open(db->store, db->ks[sc->ks->slot],
		    lo.len ? lo.data : NULL, lo.len, hi.data, hi.len, 0, &c);
		if (rc) {
			rc = points_db__store_err(db, rc, sc->ks->name);
			points_db__read_end(db);
			break;
		}
		while (n < r->chunk) {
			const void *k, *v;
			size_t kl, vl;

			rc = db->store->cursor_next(db->store, c, &k, &kl, &v,
			    &vl);
			if (rc == POINTS_ITEROVER) {
				rc = POINTS_OK;
				done = 1;
				break;
			}
			if (rc) {
				rc = points_db__store_err(db, rc, sc->ks->name);
				break;
			}
			/* grown as records come: most keyspaces of most
			 * ledgers hold far fewer than a chunk */
			if (n == cap && (rc = grow_items(db, r, &items, &cap)))
				break;
			items[n].koff = data.len;
			items[n].klen = kl;
			points_buf__bytes(&data, k, kl);
			items[n].voff = data.len;
			items[n].vlen = vl;
			points_buf__bytes(&data, v, vl);
			/* go on just after this key */
			points_buf__reset(&lo);
			points_buf__bytes(&lo, k, kl);
			points_buf__u8(&lo, 0);
			if (data.err || lo.err) {
				rc = points_db__err(db, POINTS_ENOMEM,
				    "out of memory");
				break;
			}
			n++;
		}
		db->store->cursor_close(db->store, c);
		for (i = 0; rc == POINTS_OK && i < n; i++) {
			items[i].flags = 0;
			if (sc->in_snap)
				rc = sc->in_snap(db, r, data.data +
				    items[i].koff, items[i].klen, data.data +
				    items[i].voff, items[i].vlen,
				    &items[i].flags);
		}
		if (rc == POINTS_OK)
			rc = log_ends(db, r, r->ends);
		points_db__read_end(db);
		if (rc == POINTS_OK)
			rc = chain_through(db, r, r->ends);
		for (i = 0; rc == POINTS_OK && i < n; i++)
			rc = sc->check(db, r, data.data + items[i].koff,
			    items[i].klen, data.data + items[i].voff,
			    items[i].vlen, items[i].flags);
	}
	points_buf__free(&lo);
	points_buf__free(&hi);
	points_buf__free(&data);
	points_alloc__free(items);
	return rc;
}

/* -- Holds -- */

enum {
	HOLD_UNREADABLE = 1, /* the record (or its key) */
	HOLD_NO_ENTRY = 2,   /* its seq names no entry */
	HOLD_NOT_ITS = 4,    /* the entry is not this hold's HOLD entry */
	HOLD_LOTS = 8,       /* open, with other lots than it reserved */
	HOLD_NO_DEADLINE = 16 /* open, its deadline missing from the index */
};

static int
same_lotlist(const points_lotlist *a, const points_lotlist *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->v[i].day != b->v[i].day ||
		    a->v[i].amount != b->v[i].amount)
			return 0;
	return 1;
}

/* Decode a hold record; POINTS_ECORRUPT quietly. */
static int
hold_decode(points_db *db, const unsigned char *k, size_t kl,
    const unsigned char *v, size_t vl, points_hold_rec *h)
{
	char text[POINTS_ID_LEN + 1];
	int rc;

	memset(h, 0, sizeof(*h));
	if (kl != POINTS_UUID_LEN)
		return POINTS_ECORRUPT;
	points_ids__format(k, text);
	rc = points_hold__decode(db, k, text, v, vl, h);
	if (rc == POINTS_ECORRUPT)
		points_db__clear_err(db);
	return rc;
}

static int
hold_in_snap(points_db *db, vrun *r, const unsigned char *k, size_t kl,
    const unsigned char *v, size_t vl, unsigned *flags)
{
	points_hold_rec h;
	points_entry_rec *e = &r->e;
	int rc;

	if ((rc = hold_decode(db, k, kl, v, vl, &h)) == POINTS_ECORRUPT) {
		*flags = HOLD_UNREADABLE;
		points_lotlist__free(&h.lots);
		return POINTS_OK;
	}
	if (rc == POINTS_OK) {
		rc = load_entry(db, h.seq, e);
		if (rc == POINTS_ENOTFOUND) {
			*flags |= HOLD_NO_ENTRY;
			rc = POINTS_OK;
		} else if (rc == POINTS_OK) {
			if (e->type != POINTS_TXN_HOLD ||
			    memcmp(e->txid, h.id, POINTS_UUID_LEN) != 0)
				*flags |= HOLD_NOT_ITS;
			else if (h.state == POINTS_HOLD_OPEN &&
			    !same_lotlist(&h.lots, &e->out_lots))
				*flags |= HOLD_LOTS;
		}
	}
	if (rc == POINTS_OK && h.state == POINTS_HOLD_OPEN && h.expires_at) {
		unsigned char ek[8 + POINTS_UUID_LEN];
		const void *ev;
		size_t evl;

		points_hold__exp_key(ek, &h);
		rc = points_db__get(db, &points_hold__exp_ks, ek, sizeof(ek),
		    &ev, &evl);
		if (rc == POINTS_ENOTFOUND) {
			*flags |= HOLD_NO_DEADLINE;
			rc = POINTS_OK;
		}
	}
	points_lotlist__free(&h.lots);
	return rc;
}

static int
hold_check(points_db *db, vrun *r, const unsigned char *k, size_t kl,
    const unsigned char *v, size_t vl, unsigned flags)
{
	char text[POINTS_ID_LEN + 1], msg[240];
	const char *why = NULL;
	points_hold_rec h;
	vhold *w = NULL;
	int rc;

	if (flags & HOLD_UNREADABLE) {
		if (kl == POINTS_UUID_LEN) {
			points_ids__format(k, text);
			snprintf(msg, sizeof(msg), "hold %s: record "
			    "unreadable", text);
		} else {
			snprintf(msg, sizeof(msg), "a hold's key is "
			    "unreadable");
		}
		return bad(db, r->rep, 0, msg);
	}
	if ((rc = hold_decode(db, k, kl, v, vl, &h)))
		goto done;
	points_ids__format(k, text);
	if (!(flags & (HOLD_NO_ENTRY | HOLD_NOT_ITS)))
		w = vm_find(&r->holds, h.seq);
	if (!w)
		why = "its entry is not its HOLD entry";
	else if (w->account != h.account || w->asset != h.asset ||
	    w->amount != h.amount)
		why = "its account, asset or amount is not its entry's";
	else if (h.state == POINTS_HOLD_OPEN ? w->settles != 0 ||
	    h.captured != 0 : w->captured + w->released != w->amount)
		why = h.state == POINTS_HOLD_OPEN ? "it is open, but entries "
		    "settled it" : "it is settled, but no entry did";
	else if (h.state == POINTS_HOLD_CAPTURED ? w->captured == 0 ||
	    w->captured != h.captured : w->captured != 0 || h.captured != 0)
		why = "its state or captured amount is not what its entries "
		    "did";
	else if (flags & HOLD_LOTS)
		why = "its lots are not those its entry reserved";
	else if (flags & HOLD_NO_DEADLINE)
		why = "its deadline is missing from the deadline index";
	if (why) {
		snprintf(msg, sizeof(msg), "hold %s (entry %lld): %s", text,
		    (long long)h.seq, why);
		rc = bad(db, r->rep, h.seq > 0 ? h.seq : 0, msg);
	} else {
		w->seen = 1;
	}
done:
	points_lotlist__free(&h.lots);
	return rc;
}

static int
check_holds(points_db *db, vrun *r)
{
	static const vscan sc = {
		&points_hold__ks, hold_in_snap, hold_check,
	};
	int64_t *made_before;
	char msg[160];
	size_t i;
	int rc;

	if ((rc = tails_copy(db, r, &made_before)))
		return rc;
	rc = scan_keyspace(db, r, &sc);
	for (i = 0; rc == POINTS_OK && i < r->holds.cap; i++) {
		const vhold *w = vm_at(&r->holds, i);

		if (w->seq && !w->seen && !past(r, made_before, w->seq)) {
			snprintf(msg, sizeof(msg), "the hold that entry %lld "
			    "made is missing", (long long)w->seq);
			rc = bad(db, r->rep, w->seq, msg);
		}
	}
	points_alloc__free(made_before);
	return rc;
}

/* The deadline index: each key is an open hold's, at its deadline. */
static int
holdexp_in_snap(points_db *db, vrun *r, const unsigned char *k, size_t kl,
    const unsigned char *v, size_t vl, unsigned *flags)
{
	const void *hv;
	size_t hvl;
	points_hold_rec h;
	int rc;

	(void)r;
	(void)v;
	(void)vl;
	if (kl != 8 + POINTS_UUID_LEN) {
		*flags = 1;
		return POINTS_OK;
	}
	rc = points_db__get(db, &points_hold__ks, k + 8, POINTS_UUID_LEN,
	    &hv, &hvl);
	if (rc == POINTS_ENOTFOUND) {
		*flags = 1;
		return POINTS_OK;
	}
	if (rc)
		return rc;
	rc = hold_decode(db, k + 8, POINTS_UUID_LEN, hv, hvl, &h);
	if (rc == POINTS_ECORRUPT || (rc == POINTS_OK &&
	    (h.state != POINTS_HOLD_OPEN || h.expires_at !=
	    (int64_t)points_codec__get_be64(k)))) {
		*flags = 1;
		rc = POINTS_OK;
	}
	points_lotlist__free(&h.lots);
	return rc;
}

static int
holdexp_check(points_db *db, vrun *r, const unsigned char *k, size_t kl,
    const unsigned char *v, size_t vl, unsigned flags)
{
	char text[POINTS_ID_LEN + 1], msg[200];

	(void)v;
	(void)vl;
	if (!flags)
		return POINTS_OK;
	if (kl == 8 + POINTS_UUID_LEN)
		points_ids__format(k + 8, text);
	else
		snprintf(text, sizeof(text), "?");
	snprintf(msg, sizeof(msg), "the hold deadline index has a key for "
	    "hold %s, which is not open with that deadline", text);
	return bad(db, r->rep, 0, msg);
}

/* -- Reversals -- */

static int
reversed_in_snap(points_db *db, vrun *r, const unsigned char *k, size_t kl,
    const unsigned char *v, size_t vl, unsigned *flags)
{
	(void)db;
	(void)r;
	(void)k;
	(void)v;
	*flags = kl != 8 || vl != 8;
	return POINTS_OK;
}

static int
reversed_check(points_db *db, vrun *r, const unsigned char *k, size_t kl,
    const unsigned char *v, size_t vl, unsigned flags)
{
	int64_t seq, total;
	vrev *w;
	char msg[200];

	(void)kl;
	(void)vl;
	if (flags)
		return bad(db, r->rep, 0, "a reversal record is unreadable");
	seq = (int64_t)points_codec__get_be64(k);
	total = (int64_t)points_codec__get_be64(v);
	w = seq > 0 ? vm_find(&r->revs, seq) : NULL;
	if (!w || w->amount != total) {
		snprintf(msg, sizeof(msg), "the reversal record of entry %lld "
		    "says %lld reversed, its reversal entries %lld",
		    (long long)seq, (long long)total,
		    w ? (long long)w->amount : 0LL);
		return bad(db, r->rep, seq, msg);
	}
	w->seen = 1;
	return POINTS_OK;
}

static const char *
reversible(int type)
{
	return points_reversal__reversible(type) ? NULL :
	    "is not of a type that can be reversed";
}

/* Each reversed entry has its record, was of a kind that can be
 * reversed, between the same accounts, and gave back no more than it
 * moved.  The originals are read a chunk per read transaction. */
static int
check_reversals(points_db *db, vrun *r)
{
	static const vscan sc = {
		&points_reversal__ks, reversed_in_snap, reversed_check,
	};
	int64_t *made_before;
	points_entry_rec *o = &r->e;
	char msg[240];
	size_t i = 0, n;
	int64_t peer, other;
	int rc, lrc, role;

	if ((rc = tails_copy(db, r, &made_before)))
		return rc;
	rc = scan_keyspace(db, r, &sc);
	while (rc == POINTS_OK && i < r->revs.cap) {
		if ((rc = points_db__read_begin(db)))
			break;
		for (n = 0; rc == POINTS_OK && i < r->revs.cap &&
		    n < r->chunk; i++) {
			const vrev *w = vm_at(&r->revs, i);
			const char *why = NULL;

			if (!w->seq)
				continue;
			n++;
			if (!w->seen && !past(r, made_before, w->first))
				why = "its reversal record is missing";
			else if ((rc = load_entry(db, w->seq, o)) ==
			    POINTS_ENOTFOUND)
				why = "it is missing";
			else if (rc)
				break;
			else if ((why = reversible(o->type)) != NULL)
				;
			else if ((lrc = points_entry__leg(o, &role, &peer,
			    &other)) == POINTS_ECORRUPT || (lrc == POINTS_OK &&
			    role != POINTS_ENTRY_LEG_DEBIT))
				why = "it is no movement's debit leg";
			else if (o->from != w->to || (lrc == POINTS_OK ? peer :
			    o->to) != w->from || o->asset != w->asset)
				why = "its reversals move points between "
				    "other accounts";
			else if (w->amount > o->amount)
				why = "its reversals return more than it moved";
			if (why) {
				snprintf(msg, sizeof(msg), "entry %lld, "
				    "reversed by entry %lld: %s",
				    (long long)w->seq, (long long)w->first,
				    why);
				rc = bad(db, r->rep, w->first, msg);
			}
		}
		points_db__read_end(db);
	}
	points_alloc__free(made_before);
	return rc;
}

/* -- The transaction-id index -- */

enum { TX_UNREADABLE = 1, TX_PAST_LOG = 2, TX_NOT_ITS = 4 };

static int
txid_in_snap(points_db *db, vrun *r, const unsigned char *k, size_t kl,
    const unsigned char *v, size_t vl, unsigned *flags)
{
	int64_t seq;
	int rc;

	if (kl != POINTS_UUID_LEN || vl != 8) {
		*flags = TX_UNREADABLE;
		return POINTS_OK;
	}
	seq = (int64_t)points_codec__get_be64(v);
	/* Keys of the entries summed are checked by the sum; the others
	 * (made since, or stray) one by one. */
	if (seq > 0 && !past(r, r->tx.upto, seq) && !r->tx.each)
		return POINTS_OK;
	rc = load_entry(db, seq, &r->e);
	if (rc == POINTS_ENOTFOUND)
		*flags = TX_PAST_LOG;
	else if (rc == POINTS_OK &&
	    memcmp(r->e.txid, k, POINTS_UUID_LEN) != 0)
		*flags = TX_NOT_ITS;
	return rc == POINTS_ENOTFOUND ? POINTS_OK : rc;
}

static int
txid_check(points_db *db, vrun *r, const unsigned char *k, size_t kl,
    const unsigned char *v, size_t vl, unsigned flags)
{
	char text[POINTS_ID_LEN + 1], msg[200];
	int64_t seq;

	(void)kl;
	(void)vl;
	if (flags & TX_UNREADABLE)
		return bad(db, r->rep, 0, "a key of the transaction-id index "
		    "is unreadable");
	points_ids__format(k, text);
	seq = (int64_t)points_codec__get_be64(v);
	if (flags) {
		snprintf(msg, sizeof(msg), "transaction %s maps to entry "
		    "%lld, %s", text, (long long)seq, flags & TX_PAST_LOG ?
		    "which is not in the log" : "whose id is another");
		return bad(db, r->rep, seq > 0 ? seq : 0, msg);
	}
	if (seq > 0 && !past(r, r->tx.upto, seq)) {
		r->tx.sum += txid_term(r, k, seq);
		r->tx.count++;
	}
	return POINTS_OK;
}

/* Every entry through the tail has its key, mapping back to its seq,
 * and no other key is there: the keys' keyed sum and count are the
 * log's.  When they are not, a second pass reads each key's entry to
 * name the first wrong one. */
static int
check_txids(points_db *db, vrun *r)
{
	static const vscan sc = {
		&points_entry__txid_ks, txid_in_snap, txid_check,
	};
	int64_t *upto, entries = r->txcount;
	uint64_t want = r->txsum;
	char msg[200];
	int rc;

	/* the entries checked so far are those through the tails */
	if ((rc = tails_copy(db, r, &upto)))
		return rc;
	memset(&r->tx, 0, sizeof(r->tx));
	r->tx.upto = upto;
	if ((rc = scan_keyspace(db, r, &sc)) ||
	    (r->tx.sum == want && r->tx.count == entries))
		goto out;
	memset(&r->tx, 0, sizeof(r->tx));
	r->tx.upto = upto;
	r->tx.each = 1;
	if ((rc = scan_keyspace(db, r, &sc)))
		goto out;
	snprintf(msg, sizeof(msg), "the transaction-id index does not match "
	    "the log: %lld keys for its %lld entries (an entry's key is "
	    "missing)", (long long)r->tx.count, (long long)entries);
	rc = bad(db, r->rep, 0, msg);
out:
	points_alloc__free(upto);
	r->tx.upto = NULL;
	return rc;
}

/* -- Assets, accounts and the external-id index --
 *
 * Account records are not in the chain (names, tiers and statuses
 * change), but every look-up goes through them: each record must
 * decode, its external id must map back to it, and each key of the
 * index must map to an account with that external id.  A key mapped to
 * another account would make points_account_find answer with it. */

enum { ACC_UNREADABLE = 1, ACC_NO_KEY = 2, ACC_NOT_ITS = 4,
	ACC_NO_ACCOUNT = 8 };

static int
account_in_snap(points_db *db, vrun *r, const unsigned char *k, size_t kl,
    const unsigned char *v, size_t vl, unsigned *flags)
{
	points_account a;
	const void *x;
	size_t xl;
	int rc;

	(void)r;
	(void)v;
	(void)vl;
	if (kl != 8 || (rc = points_account__load(db,
	    (int64_t)points_codec__get_be64(k), &a)) == POINTS_ECORRUPT ||
	    rc == POINTS_ENOTFOUND) {
		points_db__clear_err(db);
		*flags = ACC_UNREADABLE;
		return POINTS_OK;
	}
	if (rc)
		return rc;
	if (!a.external_id[0])
		return POINTS_OK; /* erased: it has no key */
	rc = points_db__get(db, &points_account__extid_ks, a.external_id,
	    strlen(a.external_id), &x, &xl);
	if (rc == POINTS_ENOTFOUND)
		*flags = ACC_NO_KEY;
	else if (rc)
		return rc;
	else if (xl != 8 || (int64_t)points_codec__get_be64(x) != a.id)
		*flags = ACC_NOT_ITS;
	return POINTS_OK;
}

static int
account_check(points_db *db, vrun *r, const unsigned char *k, size_t kl,
    const unsigned char *v, size_t vl, unsigned flags)
{
	char msg[200];

	(void)v;
	(void)vl;
	if (!flags)
		return POINTS_OK;
	if (kl != 8)
		return bad(db, r->rep, 0, "a key of the accounts is unreadable");
	snprintf(msg, sizeof(msg), "account %lld: %s",
	    (long long)points_codec__get_be64(k), flags & ACC_UNREADABLE ?
	    "record unreadable" : flags & ACC_NO_KEY ? "its external id is "
	    "missing from the external-id index" : "its external id maps "
	    "to another account");
	return bad(db, r->rep, 0, msg);
}

static int
extid_in_snap(points_db *db, vrun *r, const unsigned char *k, size_t kl,
    const unsigned char *v, size_t vl, unsigned *flags)
{
	points_account a;
	int rc;

	(void)r;
	if (kl == 0 || kl > POINTS_EXTID_MAX || vl != 8) {
		*flags = ACC_UNREADABLE;
		return POINTS_OK;
	}
	rc = points_account__load(db, (int64_t)points_codec__get_be64(v), &a);
	if (rc == POINTS_ENOTFOUND || rc == POINTS_ECORRUPT) {
		points_db__clear_err(db);
		*flags = rc == POINTS_ENOTFOUND ? ACC_NO_ACCOUNT :
		    ACC_UNREADABLE;
		return POINTS_OK;
	}
	if (rc)
		return rc;
	if (strlen(a.external_id) != kl || memcmp(a.external_id, k, kl) != 0)
		*flags = ACC_NOT_ITS;
	return POINTS_OK;
}

static int
extid_check(points_db *db, vrun *r, const unsigned char *k, size_t kl,
    const unsigned char *v, size_t vl, unsigned flags)
{
	char msg[200];

	(void)vl;
	if (!flags)
		return POINTS_OK;
	if (kl == 0 || kl > POINTS_EXTID_MAX || vl != 8)
		return bad(db, r->rep, 0, "a key of the external-id index is "
		    "unreadable");
	snprintf(msg, sizeof(msg), "external id '%.*s' maps to account "
	    "%lld, %s", (int)kl, (const char *)k,
	    (long long)points_codec__get_be64(v), flags & ACC_NO_ACCOUNT ?
	    "which does not exist" : flags & ACC_UNREADABLE ? "whose record "
	    "is unreadable" : "whose external id is another");
	return bad(db, r->rep, 0, msg);
}

/* Asset records: every balance and posting reads one. */
static int
asset_in_snap(points_db *db, vrun *r, const unsigned char *k, size_t kl,
    const unsigned char *v, size_t vl, unsigned *flags)
{
	points_asset_rec a;

	(void)r;
	if (points_asset__decode(db, (const char *)k, kl, v, vl, &a)) {
		points_db__clear_err(db);
		*flags = ACC_UNREADABLE;
	}
	return POINTS_OK;
}

static int
asset_check(points_db *db, vrun *r, const unsigned char *k, size_t kl,
    const unsigned char *v, size_t vl, unsigned flags)
{
	char msg[200];

	(void)v;
	(void)vl;
	if (!flags)
		return POINTS_OK;
	snprintf(msg, sizeof(msg), "asset %.*s: record unreadable",
	    kl <= POINTS_ASSET_MAX ? (int)kl : POINTS_ASSET_MAX,
	    (const char *)k);
	return bad(db, r->rep, 0, msg);
}

static int
check_accounts(points_db *db, vrun *r)
{
	static const vscan assets = {
		&points_asset__ks, asset_in_snap, asset_check,
	};
	static const vscan accounts = {
		&points_account__ks, account_in_snap, account_check,
	};
	static const vscan extids = {
		&points_account__extid_ks, extid_in_snap, extid_check,
	};
	size_t chunk = r->chunk;
	int rc;

	/* small records, each one or two reads: more of them a chunk */
	r->chunk = chunk * 8;
	rc = scan_keyspace(db, r, &assets);
	if (rc == POINTS_OK)
		rc = scan_keyspace(db, r, &accounts);
	if (rc == POINTS_OK)
		rc = scan_keyspace(db, r, &extids);
	r->chunk = chunk;
	return rc;
}

/* -- The idempotency index -- */

enum { IDEM_UNREADABLE = 1, IDEM_NO_ENTRY = 2, IDEM_NOT_A_REQUEST = 4 };

static int
idem_seq(const unsigned char *v, size_t vl, int64_t *seq)
{
	points_rd rd;
	unsigned char hash[16];

	points_rd__init(&rd, v, vl);
	if (points_rd__u8(&rd) != 1) /* idem.c's record version */
		rd.err = POINTS_ECORRUPT;
	*seq = (int64_t)points_rd__uvar(&rd);
	points_rd__bytes(&rd, hash, sizeof(hash));
	return !rd.err && rd.p == rd.end && *seq >= 0;
}

static int
idem_in_snap(points_db *db, vrun *r, const unsigned char *k, size_t kl,
    const unsigned char *v, size_t vl, unsigned *flags)
{
	int64_t seq;
	int rc;

	(void)k;
	(void)kl;
	if (!idem_seq(v, vl, &seq)) {
		*flags = IDEM_UNREADABLE;
		return POINTS_OK;
	}
	if (seq == 0) /* a write that made no entry (forfeit.c) */
		return POINTS_OK;
	rc = load_entry(db, seq, &r->e);
	if (rc == POINTS_ENOTFOUND)
		*flags = IDEM_NO_ENTRY;
	else if (rc == POINTS_OK && r->e.type == POINTS_TXN_EXPIRE)
		*flags = IDEM_NOT_A_REQUEST; /* the sweep takes no key */
	return rc == POINTS_ENOTFOUND ? POINTS_OK : rc;
}

static int
idem_check(points_db *db, vrun *r, const unsigned char *k, size_t kl,
    const unsigned char *v, size_t vl, unsigned flags)
{
	char msg[240];
	int64_t seq = 0, *w;
	int is_new, rc;
	int shown = kl > 40 ? 40 : (int)kl;

	if (!flags) {
		idem_seq(v, vl, &seq);
		if (seq == 0)
			return POINTS_OK;
		if ((rc = vm_get(db, &r->idem, seq, (void **)&w, &is_new)))
			return rc;
		if (is_new)
			return POINTS_OK;
	}
	snprintf(msg, sizeof(msg), "idempotency key '%.*s'%s: %s", shown,
	    (const char *)k, (size_t)shown < kl ? "..." : "",
	    flags & IDEM_UNREADABLE ? "record unreadable" :
	    flags & IDEM_NO_ENTRY ? "its entry is not in the log" :
	    flags & IDEM_NOT_A_REQUEST ? "its entry is an expiry, which no "
	    "request makes" : "its entry is another key's too");
	return bad(db, r->rep, seq, msg);
}

/* Each key names an entry of the log that a request made (or none: seq
 * 0, a forfeiture that wrote no entry), and no two name the same one. */
static int
check_idem(points_db *db, vrun *r)
{
	static const vscan sc = {
		&points_idem__ks, idem_in_snap, idem_check,
	};

	return scan_keyspace(db, r, &sc);
}

/* An exact sum of int64s in two words: hi * 2^64 + lo. */
typedef struct vsum {
	uint64_t lo;
	int64_t hi;
} vsum;

static void
vsum_add(vsum *s, int64_t v)
{
	uint64_t old = s->lo;

	s->lo += (uint64_t)v;
	/* the carry out of lo, and v's sign extension into hi; hi cannot
	 * overflow with fewer than 2^63 terms */
	s->hi += (s->lo < old) - (v < 0);
}

/* What a balance adds to its asset's sum: the points it has. */
static void
vsum_balance(vsum *s, const points_balance_rec *b)
{
	vsum_add(s, b->available);
	vsum_add(s, b->held);
	/* a debt is owed to the ledger: it counts below zero */
	vsum_add(s, -b->debt);
}

int
points_verify__sums(points_db *db, const void *bals, size_t n,
    size_t stride, char *msg, size_t cap)
{
	const unsigned char *p = bals;
	vsum *sums;
	uint32_t top = 0, a;
	size_t i;
	int rc = POINTS_OK;

	for (i = 0; i < n; i++) {
		const points_balance_rec *b = (const void *)(p + i * stride);

		if (b->account != 0 && b->asset > top)
			top = b->asset;
	}
	if (!(sums = points_alloc__calloc((size_t)top + 1, sizeof(*sums))))
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		const points_balance_rec *b = (const void *)(p + i * stride);

		if (b->account != 0)
			vsum_balance(&sums[b->asset], b);
	}
	for (a = 0; a <= top && rc == POINTS_OK; a++) {
		const vsum *s = &sums[a];

		if (s->lo == 0 && s->hi == 0)
			continue;
		if ((s->hi == 0 && s->lo <= INT64_MAX) ||
		    (s->hi == -1 && s->lo > INT64_MAX))
			snprintf(msg, cap, "asset #%u does not sum to zero "
			    "(%lld)", (unsigned)a, (long long)s->lo);
		else
			snprintf(msg, cap, "asset #%u does not sum to zero "
			    "(its sum is past 64 bits)", (unsigned)a);
		rc = POINTS_ECORRUPT;
	}
	points_alloc__free(sums);
	return rc;
}

/* Every asset's recomputed balances sum to zero (each stored balance
 * equals its recomputed one, so the stored ones do too). */
static int
check_sums(points_db *db, vrun *r)
{
	char msg[160];
	int rc = points_verify__sums(db, r->t.v, r->t.cap, sizeof(vbal), msg,
	    sizeof(msg));

	return rc == POINTS_ECORRUPT ? bad(db, r->rep, 0, msg) : rc;
}

/* The tails of a run over r->parts partitions, none checked yet. */
static int
run_alloc(points_db *db, vrun *r)
{
	unsigned p;

	r->tails = points_alloc__malloc(r->parts * sizeof(*r->tails));
	r->ends = points_alloc__malloc(r->parts * sizeof(*r->ends));
	r->prevs = points_alloc__calloc(r->parts, sizeof(*r->prevs));
	if (!r->tails || !r->ends || !r->prevs)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	for (p = 0; p < r->parts; p++)
		r->tails[p] = points_entry__part_first(p) - 1;
	return POINTS_OK;
}

/* The seq a partition's chain was checked through, 0 when none of it
 * (as a head names an empty log). */
static int64_t
tail_seq(const vrun *r, unsigned p)
{
	return r->tails[p] == points_entry__part_first(p) - 1 ? 0 :
	    r->tails[p];
}

/* Each kept head names a partition of the ledger, and an entry of it. */
static int
kept_partitions(points_db *db, vrun *r)
{
	size_t i;

	for (i = 0; i < r->nkept; i++) {
		const points_chain_head *h = &r->kept[i];

		if (h->partition >= (int64_t)r->parts)
			return points_db__err(db, POINTS_EINVAL, "kept head "
			    "%zu: no partition %lld (this ledger's log has "
			    "%u)", i, (long long)h->partition, r->parts);
		if (h->seq != 0 && part_of(h->seq) != (unsigned)h->partition)
			return points_db__err(db, POINTS_EINVAL, "kept head "
			    "%zu: entry %lld is not in partition %lld", i,
			    (long long)h->seq, (long long)h->partition);
	}
	return POINTS_OK;
}

/* The whole check; kept heads (nkept of them) are checked as the chain
 * passes them. */
static int
verify_run(points_db *db, const points_chain_head *kept, size_t nkept,
    points_verify_report *out)
{
	points_verify_report rep;
	vrun r;
	char msg[200];
	size_t i;
	int rc;

	memset(&rep, 0, sizeof(rep));
	memset(&r, 0, sizeof(r));
	r.rep = &rep;
	r.chunk = points_verify__chunk ? points_verify__chunk : 1;
	r.kept = kept;
	r.nkept = nkept;
	r.holds.size = sizeof(vhold);
	r.revs.size = sizeof(vrev);
	r.idem.size = sizeof(int64_t);
	randombytes_buf(r.txkey, sizeof(r.txkey));
	points_entry__init(&r.e, 0, 0, 0);
	points_entry__init(&r.leg, 0, 0, 0);
	randombytes_buf(r.ikey, sizeof(r.ikey));
	if ((rc = points_db__read_begin(db)) == POINTS_OK) {
		rc = points_entry__partitions(db, &r.parts);
		if (rc == POINTS_OK)
			rc = points_entry__system_home(db, &r.sys_home);
		if (rc == POINTS_OK)
			rc = points_entry__transit(db, &r.transit);
		if (rc == POINTS_OK)
			rc = run_alloc(db, &r);
		if (rc == POINTS_OK)
			rc = kept_partitions(db, &r);
		if (rc == POINTS_OK)
			rc = log_ends(db, &r, r.ends);
		points_db__read_end(db);
	}
	if (rc == POINTS_OK)
		rc = chain_through(db, &r, r.ends);
	/* A kept head past its partition's end: entries it had are gone. */
	for (i = 0; rc == POINTS_OK && i < nkept; i++)
		if (kept[i].seq > r.tails[kept[i].partition]) {
			snprintf(msg, sizeof(msg), "the log ends at entry "
			    "%lld, before the kept head's entry %lld (it was "
			    "truncated, or this is an older copy)",
			    (long long)tail_seq(&r, (unsigned)kept[i].partition),
			    (long long)kept[i].seq);
			rc = bad(db, &rep, kept[i].seq, msg);
		}
	if (rc == POINTS_OK)
		rc = check_balances(db, &r);
	if (rc == POINTS_OK)
		rc = check_spill_keys(db, &r);
	if (rc == POINTS_OK)
		rc = check_sweep_index(db, &r);
	if (rc == POINTS_OK)
		rc = check_sums(db, &r);
	if (rc == POINTS_OK)
		rc = check_time_index(db, &r);
	if (rc == POINTS_OK)
		rc = check_holds(db, &r);
	if (rc == POINTS_OK) {
		static const vscan sc = {
			&points_hold__exp_ks, holdexp_in_snap, holdexp_check,
		};

		rc = scan_keyspace(db, &r, &sc);
	}
	if (rc == POINTS_OK)
		rc = check_reversals(db, &r);
	if (rc == POINTS_OK)
		rc = check_txids(db, &r);
	if (rc == POINTS_OK)
		rc = check_idem(db, &r);
	if (rc == POINTS_OK)
		rc = check_accounts(db, &r);
	points_entry__free(&r.e);
	points_entry__free(&r.leg);
	points_alloc__free(r.tails);
	points_alloc__free(r.prevs);
	points_alloc__free(r.ends);
	vt_free(&r.t);
	vm_free(&r.holds);
	vm_free(&r.revs);
	vm_free(&r.idem);
	sodium_memzero(r.txkey, sizeof(r.txkey));
	if (rc == POINTS_OK)
		snprintf(rep.message, sizeof(rep.message), "ok");
	if (out && (rc == POINTS_OK || rc == POINTS_ECORRUPT))
		*out = rep;
	return rc;
}

POINTS_EXTERN int
points_verify(points_db *db, points_verify_report *out)
{
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	return verify_run(db, NULL, 0, out);
}

/* A kept head as the host gave it back: partition 0, a seq, 64 hex
 * digits. */
static int
check_head_arg(points_db *db, const points_chain_head *h, size_t i)
{
	size_t j;

	if (h->partition < 0)
		return points_db__err(db, POINTS_EINVAL, "kept head %zu: no "
		    "partition %lld", i, (long long)h->partition);
	if (h->seq < 0)
		return points_db__err(db, POINTS_EINVAL, "kept head %zu: bad "
		    "sequence %lld", i, (long long)h->seq);
	for (j = 0; j < POINTS_CHAIN_HASH_HEX; j++)
		if (!((h->hash[j] >= '0' && h->hash[j] <= '9') ||
		    (h->hash[j] >= 'a' && h->hash[j] <= 'f')))
			break;
	if (j != POINTS_CHAIN_HASH_HEX || h->hash[j] != '\0')
		return points_db__err(db, POINTS_EINVAL, "kept head %zu: the "
		    "hash must be %d lowercase hex digits", i,
		    POINTS_CHAIN_HASH_HEX);
	if (h->seq == 0) {
		for (j = 0; j < POINTS_CHAIN_HASH_HEX; j++)
			if (h->hash[j] != '0')
				return points_db__err(db, POINTS_EINVAL,
				    "kept head %zu: an empty log's hash is "
				    "all zeros", i);
	}
	return POINTS_OK;
}

POINTS_EXTERN int
points_verify_head(points_db *db, const points_chain_head *kept,
    size_t nkept, points_verify_report *out)
{
	size_t i, j;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (nkept && !kept)
		return points_db__err(db, POINTS_EINVAL, "kept is required "
		    "with nkept %zu", nkept);
	for (i = 0; i < nkept; i++) {
		if ((rc = check_head_arg(db, &kept[i], i)))
			return rc;
		for (j = 0; j < i; j++)
			if (kept[j].partition == kept[i].partition)
				return points_db__err(db, POINTS_EINVAL,
				    "kept heads %zu and %zu are of one "
				    "partition", j, i);
	}
	return verify_run(db, kept, nkept, out);
}

/* The head of partition p, in the current read transaction. */
static int
partition_head(points_db *db, unsigned p, points_chain_head *out)
{
	unsigned char k[8], hash[POINTS_HASH_LEN];
	const void *v;
	size_t vl;
	int64_t seq = 0;
	int rc;

	memset(hash, 0, sizeof(hash));
	rc = points_entry__last_seq(db, p, &seq);
	if (rc == POINTS_OK && seq == points_entry__part_first(p) - 1)
		seq = 0; /* an empty partition */
	if (rc == POINTS_OK && seq > 0) {
		points_codec__put_be64(k, (uint64_t)seq);
		rc = points_db__get(db, &points_entry__ks, k, sizeof(k), &v,
		    &vl);
		if (rc == POINTS_OK && vl < POINTS_HASH_LEN)
			rc = points_db__err(db, POINTS_ECORRUPT,
			    "entry %lld: record unreadable", (long long)seq);
		else if (rc == POINTS_OK)
			memcpy(hash, (const unsigned char *)v + vl -
			    POINTS_HASH_LEN, POINTS_HASH_LEN);
		else if (rc == POINTS_ENOTFOUND)
			rc = points_db__err(db, POINTS_ECORRUPT,
			    "the last entry vanished");
	}
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	out->partition = p;
	out->seq = seq;
	hash_hex(hash, out->hash);
	return POINTS_OK;
}

int
points_verify__heads(points_db *db, points_chain_head *out, size_t cap,
    size_t *n)
{
	unsigned parts = 0, p;
	int rc;

	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = points_entry__partitions(db, &parts);
	for (p = 0; rc == POINTS_OK && p < parts && p < cap; p++)
		rc = partition_head(db, p, &out[p]);
	points_db__read_end(db);
	*n = parts;
	return rc;
}

POINTS_EXTERN int
points_chain_head_get(points_db *db, points_chain_head *out)
{
	points_chain_head h;
	unsigned parts = 0;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = points_entry__partitions(db, &parts);
	if (rc == POINTS_OK && parts > 1)
		rc = points_db__err(db, POINTS_EINVAL, "this ledger's log has "
		    "%u partitions, each with its own head", parts);
	if (rc == POINTS_OK)
		rc = partition_head(db, 0, &h);
	points_db__read_end(db);
	if (rc)
		return rc;
	*out = h;
	return POINTS_OK;
}

POINTS_EXTERN int
points_chain_heads_get(points_db *db, points_chain_head *out, size_t cap,
    size_t *n)
{
	points_chain_head *tmp = NULL;
	size_t parts = 0, k;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!n)
		return points_db__err(db, POINTS_EINVAL, "n is required");
	if (!out && cap > 0)
		return points_db__err(db, POINTS_EINVAL, "out is required "
		    "when cap is %zu, not 0", cap);
	/* The count first, then the heads into a copy: out is written
	 * only on success, and no more of it than there are partitions. */
	rc = points_verify__heads(db, NULL, 0, &parts);
	k = cap < parts ? cap : parts;
	if (rc == POINTS_OK && k > 0) {
		tmp = points_alloc__calloc(k, sizeof(*tmp));
		if (!tmp)
			rc = points_db__err(db, POINTS_ENOMEM, "chain heads: "
			    "out of memory");
		else
			rc = points_verify__heads(db, tmp, k, &parts);
	}
	if (rc == POINTS_OK) {
		if (k > 0)
			memcpy(out, tmp, k * sizeof(*tmp));
		*n = parts;
	}
	points_alloc__free(tmp);
	return rc;
}
