/* posting.c - moving points: credits and debits of balances and their
 * lots, and the postings earn, spend, transfer and adjust. */
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "util/codec.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "core/lot.h"
#include "ledger/entry.h"
#include "ledger/idem.h"
#include "ledger/posting.h"
#include "ledger/prefetch.h"

/* ---- Moving points ---- */

int
points_ledger__credit(points_db *db, points_bal *b, int64_t amount,
    const points_lotlist *src, uint32_t fallback_day, points_lotlist *in_lots)
{
	int64_t old = b->available, eligible, from_src;
	points_lotrec addbuf[8];
	points_lotlist add;
	size_t i;
	int rc = POINTS_OK;

	points_lotlist__lend(&add, addbuf);

	if (points__add(&b->available, amount))
		return points__err(db, POINTS_EOVERFLOW,
		    "account %lld: balance would overflow",
		    (long long)b->account);
	if (b->system)
		return POINTS_OK;
	/* Only the part above zero makes lots: a credit first pays back
	 * what an account allowed to go negative owes. */
	eligible = (b->available > 0 ? b->available : 0) - (old > 0 ? old : 0);
	from_src = src ? points_lotlist__sum(src) : 0;
	if (from_src > eligible)
		from_src = eligible;
	if (src && from_src > 0)
		rc = points_lotlist__tail(db, src, 0, from_src, &add);
	if (rc == POINTS_OK && eligible > from_src)
		rc = points_lotlist__add(db, &add, fallback_day,
		    eligible - from_src, NULL);
	for (i = 0; rc == POINTS_OK && i < add.n; i++) {
		rc = points_balance__add_lot(db, b, add.v[i].day,
		    add.v[i].amount);
		if (rc == POINTS_OK && in_lots)
			rc = points_lotlist__push(db, in_lots, add.v[i].day,
			    add.v[i].amount);
	}
	points_lotlist__free(&add);
	return rc;
}

int
points_ledger__debit(points_db *db, points_bal *b, int64_t amount,
    const points_lotlist *prefer, points_lotlist *out_lots)
{
	char label[POINTS_EXTID_MAX + 2];
	int64_t from_lots;

	if (!(b->flags & POINTS_ACCOUNT_ALLOW_NEGATIVE) &&
	    b->available < amount) {
		points_balance__label(db, b->account, label, sizeof(label));
		return points__err(db, POINTS_EINSUFFICIENT,
		    "account %s: insufficient points: available %lld, "
		    "needs %lld", label, (long long)b->available,
		    (long long)amount);
	}
	if (b->available < INT64_MIN + amount) {
		points_balance__label(db, b->account, label, sizeof(label));
		return points__err(db, POINTS_EOVERFLOW,
		    "account %s: balance would overflow", label);
	}
	from_lots = b->system ? 0 : points_lotlist__sum(&b->lots);
	if (from_lots > amount)
		from_lots = amount;
	b->available -= amount;
	if (from_lots > 0)
		return points_lotlist__take(db, &b->lots, from_lots, prefer,
		    out_lots);
	return POINTS_OK;
}

/* ---- Postings: earn, spend, transfer, adjust ---- */

static int
check_posting(points_db *db, const points_posting *p, points_txn *out,
    int signed_amount)
{
	int rc;

	if ((rc = points__check_db(db)))
		return rc;
	if (!p)
		return points__err(db, POINTS_EINVAL, "posting is required");
	if (!out)
		return points__err(db, POINTS_EINVAL, "out is required");
	if (p->version == 0 || p->version > POINTS_POSTING_VERSION)
		return points__err(db, POINTS_EVERSION,
		    "posting version %u not supported", p->version);
	if (signed_amount) {
		if (p->amount == 0 || p->amount == INT64_MIN)
			return points__err(db, POINTS_EINVAL,
			    "adjustment amount must be non-zero");
	} else if ((rc = points__check_amount(db, p->amount))) {
		return rc;
	}
	if (p->time < 0 || p->expires_at < 0)
		return points__err(db, POINTS_EINVAL,
		    "times must not be negative");
	if ((rc = points__check_str(db, "memo", p->memo, POINTS_MEMO_MAX, 0)) ||
	    (rc = points__check_str(db, "idempotency key",
	    p->idempotency_key, POINTS_IDEM_MAX, 0)))
		return rc;
	return POINTS_OK;
}

static void
posting_hash(int type, const points_posting *p, unsigned char out[16])
{
	points_buf b;

	points_buf__init(&b);
	points_buf__u8(&b, (unsigned)type);
	points_buf__str(&b, p->asset);
	points_buf__svar(&b, p->account);
	points_buf__svar(&b, p->counterparty);
	points_buf__svar(&b, p->amount);
	points_buf__str(&b, p->memo);
	points_buf__svar(&b, p->time);
	points_buf__svar(&b, p->expires_at);
	points_ledger__req_hash(&b, out);
	points_buf__free(&b);
}

/* Store both balances of a two-account movement. */
int
points_ledger__store_pair(points_db *db, points_bal *from, points_bal *to)
{
	int rc = points_balance__store(db, from, 0);

	if (rc == POINTS_OK && to != from)
		rc = points_balance__store(db, to, 0);
	return rc;
}

int
points_ledger__counter_add(points_db *db, int64_t *c, int64_t v)
{
	if (points__add(c, v))
		return points__err(db, POINTS_EOVERFLOW,
		    "lifetime counter would overflow");
	return POINTS_OK;
}

/* The expiry day of a new lot: the posting's own expires_at (the end of
 * its day; INT64_MAX or beyond the calendar: never) or the asset's. */
static uint32_t
lot_day(points_db *db, const points_asset *a, int64_t expires_at, int64_t t)
{
	if (!expires_at)
		return points_asset__expiry_day(db, a, t);
	return points_asset__clamp_day(points__day(db, expires_at));
}

static int
post(points_db *db, int type, const points_posting *p, points_txn *out)
{
	unsigned char hash[16] = { 0 };
	points_asset_rec asset;
	points_bal fb, tb;
	points_ent e;
	/* the lists' first lots live here: no allocation for most postings */
	points_lotrec fbuf[32], tbuf[32], inbuf[8], outbuf[8];
	points_txn res; /* copied to out only once committed */
	int64_t amount, t, from, to;
	int rc;

	if ((rc = check_posting(db, p, out, type == POINTS_TXN_ADJUST)))
		return rc;
	amount = p->amount;
	if (type == POINTS_TXN_ADJUST && (!p->memo || !*p->memo))
		return points__err(db, POINTS_EINVAL,
		    "an adjustment needs a reason (memo)");
	t = points__time(db, p->time);
	/* Who pays whom. */
	switch (type) {
	case POINTS_TXN_EARN:
		from = p->counterparty ? p->counterparty : POINTS_ACCOUNT_ISSUER;
		to = p->account;
		break;
	case POINTS_TXN_SPEND:
		from = p->account;
		to = p->counterparty ? p->counterparty : POINTS_ACCOUNT_SINK;
		break;
	case POINTS_TXN_TRANSFER:
		from = p->account;
		to = p->counterparty;
		if (to == from)
			return points__err(db, POINTS_EINVAL,
			    "a transfer needs two different accounts");
		break;
	default: /* adjustment: the sign says which way */
		if (amount > 0) {
			from = p->counterparty ? p->counterparty :
			    POINTS_ACCOUNT_ISSUER;
			to = p->account;
		} else {
			amount = -amount;
			from = p->account;
			to = p->counterparty ? p->counterparty :
			    POINTS_ACCOUNT_ISSUER;
		}
		if (to == from)
			return points__err(db, POINTS_EINVAL,
			    "an adjustment needs two different accounts");
		break;
	}
	/* only a request that can be replayed needs its fingerprint */
	if (p->idempotency_key)
		posting_hash(type, p, hash);

	if ((rc = points__write_begin(db)))
		return rc;
	points_ent__init(&e, type, 0, t);
	points_bal__init(&fb, from, 0, 0);
	points_bal__init(&tb, to, 0, 0);
	points_lotlist__lend(&fb.lots, fbuf);
	points_lotlist__lend(&tb.lots, tbuf);
	points_lotlist__lend(&e.in_lots, inbuf);
	points_lotlist__lend(&e.out_lots, outbuf);
	/* The asset first: the balances' keys need its id (a handle
	 * caches assets, so this is seldom a read). */
	rc = points_asset__find(db, p->asset, &asset);
	if (rc == POINTS_ENOTFOUND && p->idempotency_key &&
	    points_ledger__idem_check(db, p->idempotency_key, hash, &res) ==
	    POINTS_ECONFLICT)
		rc = POINTS_ECONFLICT; /* as when the key was looked up first */
	if (rc)
		goto done;
	fb.asset = tb.asset = e.asset = asset.id;
	/* The idempotency record, both balances and the log's tail in one
	 * store call. */
	rc = points_ledger__prefetch(db, p->idempotency_key, hash, &res, &fb,
	    &tb);
	if (rc == POINTS_ITEROVER) {
		rc = POINTS_OK;
		goto done;
	}
	/* checked after the replay: a retry may come after expires_at */
	if (rc == POINTS_OK && p->expires_at && p->expires_at < t)
		rc = points__err(db, POINTS_EINVAL,
		    "expires_at is before the posting time");
	if (rc)
		goto done;
	/* User-facing postings need active users on the user side and a
	 * system account on the other; adjustments may touch frozen
	 * accounts. */
	switch (type) {
	case POINTS_TXN_EARN:
		if (!(rc = points_balance__check_party(db, &tb, 1, 0)))
			rc = points_balance__check_party(db, &fb, -1, 0);
		break;
	case POINTS_TXN_SPEND:
		if (!(rc = points_balance__check_party(db, &fb, 1, 0)))
			rc = points_balance__check_party(db, &tb, -1, 0);
		break;
	case POINTS_TXN_TRANSFER:
		if (!(rc = points_balance__check_party(db, &fb, 1, 0)))
			rc = points_balance__check_party(db, &tb, 1, 0);
		break;
	default:
		if (!(rc = points_balance__check_party(db, &fb, 0, 1)))
			rc = points_balance__check_party(db, &tb, 0, 1);
		break;
	}
	if (rc)
		goto done;
	/* Check and compute in memory; write only when all is well. */
	if ((rc = points_ledger__debit(db, &fb, amount, NULL, &e.out_lots)))
		goto done;
	if ((rc = points_ledger__credit(db, &tb, amount, &e.out_lots,
	    lot_day(db, &asset.a, p->expires_at, t), &e.in_lots)))
		goto done;
	if ((rc = points_ledger__counter_add(db, &fb.spent, amount)) ||
	    (rc = points_ledger__counter_add(db, &tb.earned, amount)))
		goto done;
	e.from = from;
	e.to = to;
	e.amount = amount;
	if (p->memo)
		strcpy(e.memo, p->memo);
	if ((rc = points_ledger__append(db, &e, &fb, &tb)) ||
	    (rc = points_ledger__store_pair(db, &fb, &tb)) ||
	    (rc = points_ledger__idem_record(db, p->idempotency_key, hash,
	    e.seq)))
		goto done;
	rc = points_ledger__txn(db, &e, &res);
done:
	points_ent__free(&e);
	points_bal__free(&fb);
	points_bal__free(&tb);
	if ((rc = points__write_end(db, rc)) == POINTS_OK)
		*out = res;
	return rc;
}

POINTS_EXTERN int
points_earn(points_db *db, const points_posting *p, points_txn *out)
{
	return post(db, POINTS_TXN_EARN, p, out);
}

POINTS_EXTERN int
points_spend(points_db *db, const points_posting *p, points_txn *out)
{
	return post(db, POINTS_TXN_SPEND, p, out);
}

POINTS_EXTERN int
points_transfer(points_db *db, const points_posting *p, points_txn *out)
{
	return post(db, POINTS_TXN_TRANSFER, p, out);
}

POINTS_EXTERN int
points_adjust(points_db *db, const points_posting *p, points_txn *out)
{
	return post(db, POINTS_TXN_ADJUST, p, out);
}

POINTS_EXTERN int
points_posting_init(points_posting *p)
{
	static const points_posting init = POINTS_POSTING_INIT;

	if (!p)
		return POINTS_EINVAL;
	*p = init;
	return POINTS_OK;
}
