/* reversal.c - reversals: points go back to the lots they came from,
 * in whole or in part, never more than the original moved. */
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

#define REVERSED_RECORD_V1 1

/* seq (be64) -> amount reversed so far */
points_ksdef points_ledger__reversed_ks = { "reversed", 0, 0 };
static points_ksdef *const keyspaces[] = {
	&points_ledger__reversed_ks, NULL,
};
static points_module reversal_module = {
	"reversal", REVERSED_RECORD_V1, keyspaces, 0, NULL, NULL, 0, NULL,
};
POINTS_MODULE(reversal_module)

static const char *const type_names[] = {
	"?", "earn", "spend", "transfer", "adjustment", "reversal", "expiry",
	"hold", "capture", "release",
};

static int
load_reversed(points_db *db, int64_t seq, int64_t *out)
{
	unsigned char k[8];
	const void *v;
	size_t vl;
	int rc;

	points__put_be64(k, (uint64_t)seq);
	rc = points__get(db, &points_ledger__reversed_ks, k, 8, &v, &vl);
	*out = 0;
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	if (vl != 8)
		return points__err(db, POINTS_ECORRUPT,
		    "reversal record of entry %lld unreadable", (long long)seq);
	*out = (int64_t)points__get_be64(v);
	return POINTS_OK;
}

static int
reverse(points_db *db, const unsigned char txid[POINTS_UUID_LEN],
    const char *txn_id, int64_t amount, const char *memo, points_txn *out)
{
	points_ent orig, e;
	points_bal fb, tb;
	points_lotlist back = { 0, 0, NULL, 0 }, give = { 0, 0, NULL, 0 };
	points_asset_rec asset;
	int64_t seq, done, left;
	unsigned char k[8], v[8];
	int rc;

	points_ent__init(&orig, 0, 0, 0);
	points_ent__init(&e, POINTS_TXN_REVERSAL, 0, points__time(db, 0));
	points_bal__init(&fb, 0, 0, 0);
	points_bal__init(&tb, 0, 0, 0);
	if ((rc = points_ledger__txid_seq(db, txid, txn_id, &seq)) ||
	    (rc = points_ent__load(db, seq, &orig)))
		goto done;
	switch (orig.type) {
	case POINTS_TXN_EARN: case POINTS_TXN_SPEND: case POINTS_TXN_TRANSFER:
	case POINTS_TXN_ADJUST: case POINTS_TXN_CAPTURE:
		break;
	default:
		if (!points_ledger__type_known(orig.type)) {
			/* a newer library's: how to undo it is its own */
			rc = points__err(db, POINTS_EVERSION,
			    "transaction %s is of type %d, which a newer "
			    "library wrote and this one (libpoints %s) does "
			    "not know: it cannot be reversed here", txn_id,
			    orig.type, POINTS_VERSION);
			goto done;
		}
		rc = points__err(db, POINTS_EINVAL,
		    "transaction %s is a %s and cannot be reversed", txn_id,
		    type_names[orig.type]);
		goto done;
	}
	if ((rc = load_reversed(db, seq, &done)))
		goto done;
	left = orig.amount - done;
	if (left <= 0) {
		rc = points__err(db, POINTS_ESTATE,
		    "transaction %s is already fully reversed", txn_id);
		goto done;
	}
	if (amount == 0)
		amount = left;
	if (amount > left) {
		rc = points__err(db, POINTS_EINVAL,
		    "transaction %s: reversal of %lld exceeds the %lld left",
		    txn_id, (long long)amount, (long long)left);
		goto done;
	}
	/* The original's receiver pays back its sender. */
	tb.account = orig.to;
	fb.account = orig.from;
	tb.asset = fb.asset = e.asset = orig.asset;
	if ((rc = points_balance__load_party(db, &tb, 0, 1)) ||
	    (rc = points_balance__load_party(db, &fb, 0, 1)) ||
	    (rc = points_asset__by_id(db, orig.asset, &asset)))
		goto done;
	/* Both sides unwind from the end, past what earlier reversals
	 * returned: the receiver gives back the lots it got last (while it
	 * still has them), the sender gets back the lots consumed last. */
	if ((rc = points_lotlist__tail(db, &orig.in_lots, done, amount,
	    &give)) ||
	    (rc = points_ledger__debit(db, &tb, amount, &give, &e.out_lots)))
		goto done;
	if ((rc = points_lotlist__tail(db, &orig.out_lots, done, amount,
	    &back)) ||
	    (rc = points_ledger__credit(db, &fb, amount, &back,
	    points_asset__expiry_day(db, &asset.a, orig.time), &e.in_lots)))
		goto done;
	if ((rc = points_ledger__counter_add(db, &tb.earned, -amount)) ||
	    (rc = points_ledger__counter_add(db, &fb.spent, -amount)))
		goto done;
	e.from = orig.to;
	e.to = orig.from;
	e.amount = amount;
	e.ref_seq = seq;
	if (memo)
		strcpy(e.memo, memo);
	points__put_be64(k, (uint64_t)seq);
	points__put_be64(v, (uint64_t)(done + amount));
	if ((rc = points_ledger__append(db, &e, &tb, &fb)) ||
	    (rc = points_ledger__store_pair(db, &tb, &fb)) ||
	    (rc = points__put(db, &points_ledger__reversed_ks, k, 8, v, 8)))
		goto done;
	rc = points_ledger__txn(db, &e, out);
done:
	points_lotlist__free(&back);
	points_lotlist__free(&give);
	points_ent__free(&orig);
	points_ent__free(&e);
	points_bal__free(&fb);
	points_bal__free(&tb);
	return rc;
}

POINTS_EXTERN int
points_reverse(points_db *db, const char *txn_id, int64_t amount,
    const char *memo, const char *idempotency_key, points_txn *out)
{
	unsigned char txid[POINTS_UUID_LEN], hash[16] = { 0 };
	points_txn res;
	points_buf b;
	int rc;

	if ((rc = points__check_db(db)))
		return rc;
	if ((rc = points__uuid_parse(db, txn_id, txid)))
		return rc;
	if (amount < 0)
		return points__err(db, POINTS_EINVAL,
		    "reversal amount must not be negative (0: all)");
	if ((rc = points__check_str(db, "memo", memo, POINTS_MEMO_MAX, 0)) ||
	    (rc = points__check_str(db, "idempotency key", idempotency_key,
	    POINTS_IDEM_MAX, 0)))
		return rc;
	if (!out)
		return points__err(db, POINTS_EINVAL, "out is required");
	if (idempotency_key) {
		points_buf__init(&b);
		points_buf__u8(&b, POINTS_TXN_REVERSAL);
		points_buf__bytes(&b, txid, sizeof(txid));
		points_buf__svar(&b, amount);
		points_buf__str(&b, memo);
		points_ledger__req_hash(&b, hash);
		points_buf__free(&b);
	}

	if ((rc = points__write_begin(db)))
		return rc;
	rc = points_ledger__idem_check(db, idempotency_key, hash, &res);
	if (rc == POINTS_OK) {
		rc = reverse(db, txid, txn_id, amount, memo, &res);
		if (rc == POINTS_OK)
			rc = points_ledger__idem_record(db, idempotency_key,
			    hash, res.seq);
	} else if (rc == POINTS_ITEROVER) {
		rc = POINTS_OK; /* a replay */
	}
	if ((rc = points__write_end(db, rc)) == POINTS_OK)
		*out = res;
	return rc;
}
