/* verify.c - tamper evidence: recompute the hash chain and every balance
 * (available, held, lifetime counters, lots, statement links) from the
 * entries alone, and compare with what the store holds. */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "core/account.h"
#include "util/alloc.h"
#include "core/asset.h"
#include "core/balance.h"
#include "util/codec.h"
#include "core/db.h"
#include "ledger/entry.h"
#include "ledger/idem.h"
#include "ledger/posting.h"
#include "core/lot.h"

/* Balances recomputed from the entries, in an open-addressing table. */
typedef struct vtable {
	points_bal *v;
	size_t n, cap; /* cap is a power of two */
} vtable;

static size_t
slot_of(const vtable *t, int64_t account, uint32_t asset)
{
	uint64_t h = (uint64_t)account * 0x9e3779b97f4a7c15ull ^ asset;
	size_t i = (size_t)(h ^ (h >> 29)) & (t->cap - 1);

	while (t->v[i].account != 0 && (t->v[i].account != account ||
	    t->v[i].asset != asset))
		i = (i + 1) & (t->cap - 1);
	return i;
}

static int
vt_get(points_db *db, vtable *t, int64_t account, uint32_t asset,
    points_bal **out)
{
	size_t i;

	if (t->cap) {
		i = slot_of(t, account, asset);
		if (t->v[i].account != 0) {
			*out = &t->v[i];
			return POINTS_OK;
		}
	}
	if ((t->n + 1) * 2 > t->cap) {
		vtable bigger;
		size_t j;

		bigger.cap = t->cap ? t->cap * 2 : 1024;
		bigger.n = t->n;
		bigger.v = points__calloc(bigger.cap, sizeof(points_bal));
		if (!bigger.v)
			return points__err(db, POINTS_ENOMEM, "out of memory");
		for (j = 0; j < t->cap; j++)
			if (t->v[j].account != 0)
				bigger.v[slot_of(&bigger, t->v[j].account,
				    t->v[j].asset)] = t->v[j];
		points__free(t->v);
		*t = bigger;
	}
	i = slot_of(t, account, asset);
	if (t->v[i].account == 0) {
		points_bal__init(&t->v[i], account, asset, 0);
		t->n++;
	}
	*out = &t->v[i];
	return POINTS_OK;
}

static void
vt_free(vtable *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++)
		points_bal__free(&t->v[i]);
	points__free(t->v);
}

static int
bad(points_db *db, points_verify_report *rep, int64_t seq, const char *what)
{
	rep->bad_seq = seq;
	snprintf(rep->message, sizeof(rep->message), "%s", what);
	return points__err(db, POINTS_ECORRUPT, "ledger fails verification: %s",
	    what);
}

static int
lots_apply(points_db *db, points_bal *b, const points_lotlist *l, int sign)
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

/* Apply one entry to the recomputed balances. */
static int
apply(points_db *db, vtable *t, const points_ent *e,
    points_verify_report *rep)
{
	points_bal *f, *to;
	char msg[160];
	int64_t a = e->amount;
	int rc;

	if ((rc = vt_get(db, t, e->from, e->asset, &f)))
		return rc;
	if (f->last_seq != e->prev_from) {
		snprintf(msg, sizeof(msg), "entry %lld: broken link of account "
		    "%lld", (long long)e->seq, (long long)e->from);
		return bad(db, rep, e->seq, msg);
	}
	f->last_seq = e->seq;
	if ((rc = vt_get(db, t, e->to, e->asset, &to)))
		return rc;
	/* inserting to may have moved the table */
	if ((rc = vt_get(db, t, e->from, e->asset, &f)))
		return rc;
	if (e->to != e->from) {
		if (to->last_seq != e->prev_to) {
			snprintf(msg, sizeof(msg), "entry %lld: broken link of "
			    "account %lld", (long long)e->seq,
			    (long long)e->to);
			return bad(db, rep, e->seq, msg);
		}
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
		f->available -= a;
		f->expired += a;
		to->available += a;
		to->earned += a;
		break;
	case POINTS_TXN_REVERSAL:
		f->available -= a;
		f->earned -= a;
		to->available += a;
		to->spent -= a;
		break;
	default:
		f->available -= a;
		f->spent += a;
		to->available += a;
		to->earned += a;
		break;
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

static int
check_chain(points_db *db, vtable *t, points_verify_report *rep)
{
	unsigned char prev[POINTS_HASH_LEN], hash[POINTS_HASH_LEN];
	points_cursor *c;
	points_ent e;
	int64_t expect = 1;
	char msg[160];
	int rc;

	memset(prev, 0, sizeof(prev));
	points_ent__init(&e, 0, 0, 0);
	rc = db->store->cursor_open(db->store, db->ks[points_ledger__entry_ks.slot], NULL, 0,
	    NULL, 0, 0, &c);
	if (rc)
		return points__store_err(db, rc, "entry");
	for (;;) {
		const void *k, *v;
		size_t kl, vl;
		int64_t seq;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points__store_err(db, rc, "entry");
			break;
		}
		seq = kl == 8 ? (int64_t)points__get_be64(k) : -1;
		if (seq != expect) {
			snprintf(msg, sizeof(msg), "entry %lld missing from the "
			    "log", (long long)expect);
			rc = bad(db, rep, expect, msg);
			break;
		}
		if (vl < POINTS_HASH_LEN) {
			rc = bad(db, rep, seq, "entry too short");
			break;
		}
		points_ent__hash(prev, seq, v, vl - POINTS_HASH_LEN, hash);
		if (memcmp(hash, (const unsigned char *)v + vl -
		    POINTS_HASH_LEN, POINTS_HASH_LEN) != 0) {
			snprintf(msg, sizeof(msg), "entry %lld: hash mismatch "
			    "(altered, or a neighbour was)", (long long)seq);
			rc = bad(db, rep, seq, msg);
			break;
		}
		memcpy(prev, hash, sizeof(prev));
		if ((rc = points_ent__decode(db, seq, v, vl, &e))) {
			if (rc == POINTS_ECORRUPT)
				rc = bad(db, rep, seq, "entry unreadable");
			break;
		}
		if ((rc = apply(db, t, &e, rep)))
			break;
		rep->entries++;
		expect++;
	}
	db->store->cursor_close(db->store, c);
	points_ent__free(&e);
	return rc;
}

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
has_sweep_key(points_db *db, const points_bal *b)
{
	unsigned char k[16];
	const void *v;
	size_t vl;

	points_balance__sweep_key(k, b->idx_day, b->account, b->asset);
	return points__get(db, &points_balance__sweep_ks, k, sizeof(k), &v, &vl);
}

/* A balance's copy of its account's status and flags must agree. */
static int
check_status(points_db *db, const points_bal *b, points_verify_report *rep)
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

/* Keys in the sweep index: one per balance with expiring lots. */
static int
count_sweep_keys(points_db *db, int64_t *out)
{
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	int rc;

	*out = 0;
	rc = db->store->cursor_open(db->store, db->ks[points_balance__sweep_ks.slot], NULL, 0,
	    NULL, 0, 0, &c);
	if (rc)
		return points__store_err(db, rc, "sweep");
	while ((rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl)) ==
	    POINTS_OK)
		(*out)++;
	db->store->cursor_close(db->store, c);
	return rc == POINTS_ITEROVER ? POINTS_OK :
	    points__store_err(db, rc, "sweep");
}

static int
check_balances(points_db *db, vtable *t, points_verify_report *rep)
{
	points_cursor *c;
	points_bal got;
	char msg[200];
	int64_t sums[POINTS_ASSET_CACHE * 4];
	uint32_t sum_asset[POINTS_ASSET_CACHE * 4];
	size_t nsums = 0, i;
	int64_t indexed = 0, keys;
	int rc;

	points_bal__init(&got, 0, 0, 0);
	rc = db->store->cursor_open(db->store, db->ks[points_balance__ks.slot], NULL, 0,
	    NULL, 0, 0, &c);
	if (rc)
		return points__store_err(db, rc, "balance");
	for (;;) {
		const void *k, *v;
		size_t kl, vl, j;
		points_bal *want;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points__store_err(db, rc, "balance");
			break;
		}
		if (kl != 8) {
			rc = bad(db, rep, 0, "balance key unreadable");
			break;
		}
		points_balance__key_parse(k, &got.account, &got.asset);
		if ((rc = points_balance__decode(db, v, vl, &got, 1))) {
			if (rc == POINTS_ECORRUPT)
				rc = bad(db, rep, 0, "balance record unreadable");
			break;
		}
		want = t->cap ? &t->v[slot_of(t, got.account, got.asset)] :
		    NULL;
		if (!want || want->account == 0 || want->available != got.available ||
		    want->held != got.held || want->earned != got.earned ||
		    want->spent != got.spent || want->expired != got.expired ||
		    want->last_seq != got.last_seq ||
		    !same_lots(&want->lots, &got.lots)) {
			snprintf(msg, sizeof(msg), "balance of account %lld in "
			    "asset #%u differs from its entries (stored "
			    "available %lld, computed %lld)",
			    (long long)got.account, (unsigned)got.asset,
			    (long long)got.available,
			    want ? (long long)want->available : 0LL);
			rc = bad(db, rep, got.last_seq, msg);
			break;
		}
		want->system = 2; /* seen */
		rep->balances++;
		if ((rc = check_status(db, &got, rep)))
			break;
		if (points_balance__first_day(&got)) {
			indexed++;
			rc = has_sweep_key(db, &got);
			if (rc == POINTS_ENOTFOUND) {
				snprintf(msg, sizeof(msg), "account %lld: its "
				    "lots are missing from the expiry index",
				    (long long)got.account);
				rc = bad(db, rep, 0, msg);
			}
			if (rc)
				break;
		}
		/* every asset's balances sum to zero */
		for (j = 0; j < nsums && sum_asset[j] != got.asset; j++)
			;
		if (j == nsums && nsums < sizeof(sums) / sizeof(sums[0])) {
			sum_asset[nsums] = got.asset;
			sums[nsums++] = 0;
		}
		if (j < nsums)
			sums[j] += got.available + got.held;
	}
	db->store->cursor_close(db->store, c);
	points_bal__free(&got);
	if (rc == POINTS_OK && (rc = count_sweep_keys(db, &keys)) == POINTS_OK &&
	    keys != indexed) {
		snprintf(msg, sizeof(msg), "the expiry index has %lld keys for "
		    "%lld balances with expiring lots", (long long)keys,
		    (long long)indexed);
		rc = bad(db, rep, 0, msg);
	}
	if (rc)
		return rc;
	for (i = 0; i < t->cap; i++)
		if (t->v[i].account != 0 && t->v[i].system != 2) {
			snprintf(msg, sizeof(msg), "balance of account %lld is "
			    "missing", (long long)t->v[i].account);
			return bad(db, rep, t->v[i].last_seq, msg);
		}
	for (i = 0; i < nsums; i++)
		if (sums[i] != 0) {
			snprintf(msg, sizeof(msg), "asset #%u does not sum to "
			    "zero (%lld)", (unsigned)sum_asset[i],
			    (long long)sums[i]);
			return bad(db, rep, 0, msg);
		}
	return POINTS_OK;
}

POINTS_EXTERN int
points_verify(points_db *db, points_verify_report *out)
{
	points_verify_report rep;
	vtable t = { NULL, 0, 0 };
	int rc;

	if ((rc = points__check_db(db)))
		return rc;
	memset(&rep, 0, sizeof(rep));
	if ((rc = points__read_begin(db)))
		return rc;
	rc = check_chain(db, &t, &rep);
	if (rc == POINTS_OK)
		rc = check_balances(db, &t, &rep);
	points__read_end(db);
	vt_free(&t);
	if (rc == POINTS_OK)
		snprintf(rep.message, sizeof(rep.message), "ok");
	if (out)
		*out = rep;
	return rc;
}
