/* balance.c - the balance record; see balance.h.
 * Record: version, the account's flags << 2 | status (a varint), available,
 * held, earned, spent, expired, last_seq,
 * lot count, then per lot the day (delta from the previous) and amount,
 * then, when there are expiring lots, how many days before the first
 * one the sweep index key sits. */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/balance.h"
#include "util/codec.h"
#include "core/db.h"

#define BALANCE_RECORD_V1 1

/* account (be64) + asset (be32) -> balance record */
points_ksdef points_balance__ks = { "balance", 0, 0 };
/* day (be32) + account (be64) + asset (be32) -> "": who has lots that
 * expire on a day, for the sweep */
points_ksdef points_balance__sweep_ks = { "sweep", POINTS_KS_ORDERED, 0 };
static points_ksdef *const keyspaces[] = {
	&points_balance__ks, &points_balance__sweep_ks, NULL,
};
static points_module balance_module = {
	.name = "balance",
	.format = BALANCE_RECORD_V1,
	.keyspaces = keyspaces,
};
POINTS_MODULE(balance_module)

void
points_balance__key(unsigned char k[12], int64_t account, uint32_t asset)
{
	points__put_be64(k, (uint64_t)account);
	points__put_be32(k + 8, asset);
}

void
points_bal__init(points_bal *b, int64_t account, uint32_t asset, int system)
{
	memset(b, 0, sizeof(*b));
	b->account = account;
	b->asset = asset;
	b->system = system;
}

void
points_bal__free(points_bal *b)
{
	points_lotlist__free(&b->lots);
}

uint32_t
points_balance__first_day(const points_bal *b)
{
	if (b->lots.n == 0 || b->lots.v[0].day == POINTS_DAY_NEVER)
		return 0;
	return b->lots.v[0].day;
}

void
points_balance__sweep_key(unsigned char k[16], uint32_t day, int64_t account,
    uint32_t asset)
{
	points__put_be32(k, day);
	points_balance__key(k + 4, account, asset);
}

int
points_balance__decode(points_db *db, const void *v, size_t vl, points_bal *b,
    int lots)
{
	points_rd r;
	uint64_t i, n;
	uint32_t day = 0, first = 0;
	int rc;

	uint64_t acct;

	points_rd__init(&r, v, vl);
	if (points_rd__u8(&r) != BALANCE_RECORD_V1)
		r.err = POINTS_ECORRUPT;
	acct = points_rd__uvar(&r);
	b->status = (int)(acct & 3);
	b->flags = (unsigned)(acct >> 2);
	b->system = (b->flags & POINTS_ACCOUNT_SYSTEM) != 0;
	b->found = 1;
	b->available = points_rd__svar(&r);
	b->held = points_rd__svar(&r);
	b->earned = points_rd__svar(&r);
	b->spent = points_rd__svar(&r);
	b->expired = points_rd__svar(&r);
	b->last_seq = (int64_t)points_rd__uvar(&r);
	n = points_rd__uvar(&r);
	b->lots.n = 0;
	b->idx_day = 0;
	if (!lots)
		return r.err ? points__err(db, POINTS_ECORRUPT,
		    "balance of account %lld: record unreadable",
		    (long long)b->account) : POINTS_OK;
	/* a lot takes at least 2 bytes: a corrupt count cannot make a
	 * huge allocation */
	if (n <= (uint64_t)(r.end - r.p) / 2 &&
	    (rc = points_lotlist__reserve(db, &b->lots, (size_t)n)))
		return rc;
	for (i = 0; i < n && !r.err; i++) {
		uint64_t d = points_rd__uvar(&r);
		int64_t amount = (int64_t)points_rd__uvar(&r);

		if (d > POINTS_DAY_NEVER - (uint64_t)day || (i > 0 && d == 0)) {
			r.err = POINTS_ECORRUPT;
			break;
		}
		day += (uint32_t)d;
		if (i == 0)
			first = day;
		rc = points_lotlist__push(db, &b->lots, day, amount);
		if (rc)
			return rc;
	}
	if (n > 0 && first != POINTS_DAY_NEVER) {
		uint64_t back = points_rd__uvar(&r);

		if (back >= first)
			r.err = POINTS_ECORRUPT;
		else
			b->idx_day = first - (uint32_t)back;
	}
	if (r.err || r.p != r.end)
		return points__err(db, POINTS_ECORRUPT,
		    "balance of account %lld: record unreadable",
		    (long long)b->account);
	return POINTS_OK;
}

int
points_balance__load(points_db *db, points_bal *b)
{
	unsigned char k[12];
	const void *v;
	size_t vl;
	int rc;

	points_balance__key(k, b->account, b->asset);
	rc = points__get(db, &points_balance__ks, k, sizeof(k), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	return points_balance__decode(db, v, vl, b, 1);
}

int
points_balance__add_lot(points_db *db, points_bal *b, uint32_t day,
    int64_t amount)
{
	if (b->system)
		return POINTS_OK;
	return points_lotlist__add(db, &b->lots, day, amount, NULL);
}

/* Move the balance's sweep index key from idx_day to day (0: none). */
static int
move_sweep_key(points_db *db, points_bal *b, uint32_t day)
{
	unsigned char k[16];
	int rc;

	if (b->idx_day) {
		points_balance__sweep_key(k, b->idx_day, b->account, b->asset);
		if ((rc = points__del(db, &points_balance__sweep_ks, k, sizeof(k))))
			return rc;
	}
	if (day) {
		points_balance__sweep_key(k, day, b->account, b->asset);
		if ((rc = points__put(db, &points_balance__sweep_ks, k, sizeof(k), "", 0)))
			return rc;
	}
	b->idx_day = day;
	return POINTS_OK;
}

int
points_balance__store(points_db *db, points_bal *b, int exact)
{
	unsigned char k[12];
	points_buf *buf = &db->vbuf;
	uint32_t prev = 0, first = points_balance__first_day(b);
	size_t i;
	int rc;

	/* The key must sit no later than the earliest lot. */
	if (!first || !b->idx_day || first < b->idx_day ||
	    (exact && first != b->idx_day))
		if (first != b->idx_day && (rc = move_sweep_key(db, b, first)))
			return rc;

	points_buf__reset(buf);
	points_buf__u8(buf, BALANCE_RECORD_V1);
	points_buf__uvar(buf, (uint64_t)b->flags << 2 | (unsigned)b->status);
	points_buf__svar(buf, b->available);
	points_buf__svar(buf, b->held);
	points_buf__svar(buf, b->earned);
	points_buf__svar(buf, b->spent);
	points_buf__svar(buf, b->expired);
	points_buf__uvar(buf, (uint64_t)b->last_seq);
	points_buf__uvar(buf, b->lots.n);
	for (i = 0; i < b->lots.n; i++) {
		points_buf__uvar(buf, b->lots.v[i].day - prev);
		points_buf__uvar(buf, (uint64_t)b->lots.v[i].amount);
		prev = b->lots.v[i].day;
	}
	if (first)
		points_buf__uvar(buf, first - b->idx_day);
	if (buf->err)
		return points__err(db, POINTS_ENOMEM, "out of memory");
	points_balance__key(k, b->account, b->asset);
	return points__put(db, &points_balance__ks, k, sizeof(k), buf->data, buf->len);
}

void
points_balance__label(points_db *db, int64_t account, char *out, size_t cap)
{
	points_account a;
	int code = db->errcode;
	char msg[sizeof(db->errmsg)];

	/* naming the account must not replace the error being reported */
	memcpy(msg, db->errmsg, sizeof(msg));
	if (points_account__load(db, account, &a) == POINTS_OK)
		snprintf(out, cap, "%s", a.external_id);
	else
		snprintf(out, cap, "#%lld", (long long)account);
	db->errcode = code;
	memcpy(db->errmsg, msg, sizeof(msg));
}

int
points_balance__load_party(points_db *db, points_bal *b, int want_user,
    int allow_frozen)
{
	char label[POINTS_EXTID_MAX + 2];
	points_account a;
	int rc;

	if ((rc = points_balance__load(db, b)))
		return rc;
	if (!b->found) {
		/* a first posting in this asset: the account says */
		if ((rc = points_account__load_party(db, b->account, &a)))
			return rc;
		b->status = a.status;
		b->flags = a.flags;
		b->system = (a.flags & POINTS_ACCOUNT_SYSTEM) != 0;
	}
	if ((want_user > 0 && b->system) || (want_user < 0 && !b->system)) {
		points_balance__label(db, b->account, label, sizeof(label));
		return points__err(db, POINTS_EINVAL,
		    "account %s is %sa system account", label,
		    b->system ? "" : "not ");
	}
	if (b->status == POINTS_ACCOUNT_CLOSED ||
	    (b->status == POINTS_ACCOUNT_FROZEN && !allow_frozen)) {
		points_balance__label(db, b->account, label, sizeof(label));
		return points__err(db, b->status == POINTS_ACCOUNT_CLOSED ?
		    POINTS_ECLOSED : POINTS_EFROZEN, "account %s is %s", label,
		    b->status == POINTS_ACCOUNT_CLOSED ? "closed" : "frozen");
	}
	return POINTS_OK;
}

int
points_balance__set_status(points_db *db, int64_t account, int status)
{
	unsigned char lo[13], hi[8], keys[16][12];
	size_t lolen = 8, n, i;
	int rc;

	points__put_be64(lo, (uint64_t)account);
	points__put_be64(hi, (uint64_t)account + 1);
	do {
		/* a chunk of keys at a time: the writes go to this keyspace */
		rc = points__collect_keys(db, &points_balance__ks, lo, lolen, hi,
		    sizeof(hi), 12, keys[0], 16, &n);
		for (i = 0; rc == POINTS_OK && i < n; i++) {
			points_bal b;

			points_bal__init(&b, account,
			    points__get_be32(keys[i] + 8), 0);
			rc = points_balance__load(db, &b);
			if (rc == POINTS_OK) {
				b.status = status;
				rc = points_balance__store(db, &b, 0);
			}
			points_bal__free(&b);
		}
		if (n > 0) { /* resume just after the last key */
			memcpy(lo, keys[n - 1], 12);
			lo[12] = 0;
			lolen = 13;
		}
	} while (rc == POINTS_OK && n == 16);
	return rc;
}

int
points_balance__all_zero(points_db *db, const points_account *a)
{
	unsigned char lo[8], hi[8];
	points_cursor *c;
	int rc;

	points__put_be64(lo, (uint64_t)a->id);
	points__put_be64(hi, (uint64_t)a->id + 1);
	rc = db->store->cursor_open(db->store, db->ks[points_balance__ks.slot], lo, 8, hi,
	    8, 0, &c);
	if (rc)
		return points__store_err(db, rc, "balance");
	for (;;) {
		const void *k, *v;
		size_t kl, vl;
		points_bal b;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points__store_err(db, rc, "balance");
			break;
		}
		points_bal__init(&b, a->id, 0, 1);
		rc = points_balance__decode(db, v, vl, &b, 0);
		points_bal__free(&b);
		if (rc)
			break;
		if (b.available != 0 || b.held != 0) {
			rc = points__err(db, POINTS_ESTATE,
			    "account %s still has points (available %lld, "
			    "held %lld): it can be closed only at zero",
			    a->external_id, (long long)b.available,
			    (long long)b.held);
			break;
		}
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

POINTS_EXTERN int
points_balance_get(points_db *db, int64_t account, const char *asset,
    points_balance *out)
{
	points_asset_rec a;
	points_account acct;
	points_bal b;
	int rc;

	if ((rc = points__check_db(db)))
		return rc;
	if (!out)
		return points__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points__read_begin(db)))
		return rc;
	points_bal__init(&b, account, 0, 1);
	rc = points_asset__find(db, asset, &a);
	if (rc == POINTS_OK) {
		unsigned char k[12];
		const void *v;
		size_t vl;

		/* A balance record proves the account; only without one
		 * is the account looked up, to tell zero from unknown. */
		b.asset = a.id;
		points_balance__key(k, account, a.id);
		rc = points__get(db, &points_balance__ks, k, sizeof(k), &v, &vl);
		if (rc == POINTS_OK)
			rc = points_balance__decode(db, v, vl, &b, 0);
		else if (rc == POINTS_ENOTFOUND)
			rc = points_account__load(db, account, &acct);
	}
	points__read_end(db);
	if (rc == POINTS_OK) {
		memset(out, 0, sizeof(*out));
		out->account = account;
		strcpy(out->asset, a.a.code);
		out->available = b.available;
		out->held = b.held;
		out->earned = b.earned;
		out->spent = b.spent;
		out->expired = b.expired;
	}
	points_bal__free(&b);
	return rc;
}
