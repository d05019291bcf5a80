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
#include "ledger/debt.h"
#include "ledger/entry.h"
#include "ledger/meta.h"
#include "ledger/posting.h"
#include "ledger/reversal.h"
#include "ledger/write.h"

#define REVERSED_RECORD_V1 1

/* seq (be64) -> amount reversed so far */
points_ksdef points_reversal__ks = { "reversed", 0, 0 };
static points_ksdef *const keyspaces[] = {
	&points_reversal__ks, NULL,
};
static points_module reversal_module = {
	.name = "reversal",
	.format = REVERSED_RECORD_V1,
	.keyspaces = keyspaces,
};
POINTS_MODULE(reversal_module)

static const char *const type_names[] = {
	"?", "earn", "spend", "transfer", "adjustment", "reversal", "expiry",
	"hold", "capture", "release", "funding", "defunding", "forfeiture",
};

/* Record in reversal e what earlier reversals returned (none: no
 * bytes). */
static int
note_before(points_db *db, points_entry_rec *e, int64_t done)
{
	points_buf b;
	int rc;

	if (done == 0)
		return POINTS_OK;
	points_buf__init(&b);
	points_buf__uvar(&b, (uint64_t)done);
	rc = points_entry__ext_set(db, e, POINTS_ENTRY_EXT_REVERSED, b.data,
	    b.len);
	points_buf__free(&b);
	return rc;
}

int
points_reversal__before(points_db *db, const points_entry_rec *e,
    int64_t *before)
{
	const void *v;
	size_t len;
	points_rd r;
	uint64_t x;

	*before = 0;
	if (points_entry__ext_get(e, POINTS_ENTRY_EXT_REVERSED, &v, &len))
		return POINTS_OK;
	points_rd__init(&r, v, len);
	x = points_rd__uvar(&r);
	if (r.err || r.p != r.end || x == 0 || x > INT64_MAX ||
	    e->type != POINTS_TXN_REVERSAL)
		return points_db__err(db, POINTS_ECORRUPT, "entry %lld: "
		    "reversal record unreadable", (long long)e->seq);
	*before = (int64_t)x;
	return POINTS_OK;
}

int
points_reversal__reversible(int type)
{
	switch (type) {
	case POINTS_TXN_EARN: case POINTS_TXN_SPEND: case POINTS_TXN_TRANSFER:
	case POINTS_TXN_ADJUST: case POINTS_TXN_CAPTURE:
	case POINTS_TXN_FUND: case POINTS_TXN_DEFUND:
	case POINTS_TXN_EXPIRE:
		return 1;
	}
	return 0;
}

static int
load_reversed(points_db *db, int64_t seq, int64_t *out)
{
	unsigned char k[8];
	const void *v;
	size_t vl;
	int rc;

	points_codec__put_be64(k, (uint64_t)seq);
	rc = points_db__get(db, &points_reversal__ks, k, 8, &v, &vl);
	*out = 0;
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	if (vl != 8)
		return points_db__err(db, POINTS_ECORRUPT,
		    "reversal record of entry %lld unreadable", (long long)seq);
	*out = (int64_t)points_codec__get_be64(v);
	return POINTS_OK;
}

static int
reverse(points_db *db, const unsigned char txid[POINTS_UUID_LEN],
    const char *txn_id, int64_t amount, const char *memo,
    const points_reversal *req, points_txn *out)
{
	points_entry_rec orig, e;
	points_balance_rec fb, tb;
	points_lotlist back = { 0, 0, NULL, 0 }, give = { 0, 0, NULL, 0 };
	points_asset_rec asset;
	points_posting_expiry run;
	int64_t seq, done, left, owed, repaid;
	unsigned char k[8], v[8];
	int rc;

	points_posting__expiry_begin(db, &run, points_db__time(db, 0));
	points_entry__init(&orig, 0, 0, 0);
	points_entry__init(&e, POINTS_TXN_REVERSAL, 0, points_db__time(db, 0));
	points_balance__init(&fb, 0, 0, 0);
	points_balance__init(&tb, 0, 0, 0);
	if ((rc = points_entry__txid_seq(db, txid, txn_id, &seq)) ||
	    (rc = points_entry__load_whole(db, seq, &orig)))
		goto done;
	if (!points_reversal__reversible(orig.type)) {
		if (!points_entry__type_known(orig.type)) {
			/* a newer library's: how to undo it is its own */
			rc = points_db__err(db, POINTS_EVERSION,
			    "transaction %s is of type %d, which a newer "
			    "library wrote and this one (libpoints %s) does "
			    "not know: it cannot be reversed here", txn_id,
			    orig.type, POINTS_VERSION);
			goto done;
		}
		rc = points_db__err(db, POINTS_EINVAL,
		    "transaction %s is a %s and cannot be reversed", txn_id,
		    type_names[orig.type]);
		goto done;
	}
	if ((rc = load_reversed(db, seq, &done)))
		goto done;
	left = orig.amount - done;
	if (left <= 0) {
		rc = points_db__err(db, POINTS_ESTATE,
		    "transaction %s is already fully reversed", txn_id);
		goto done;
	}
	if (amount == 0)
		amount = left;
	if (amount > left) {
		rc = points_db__err(db, POINTS_EINVAL,
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
	    (rc = points_entry__place(db, &tb, &fb)) ||
	    (rc = points_asset__by_id(db, orig.asset, &asset)))
		goto done;
	/* Past-due points of either side go first. */
	if ((rc = points_posting__expiry_take(db, &run, &tb, 0)) ||
	    (rc = points_posting__expiry_take(db, &run, &fb, 0)))
		goto done;
	/* Both sides unwind from the end, past what earlier reversals
	 * returned: the receiver gives back the lots it got last (while it
	 * still has them), the sender gets back the lots consumed last.
	 * A receiver that spent them owes what it lacks (debt.h); the
	 * sender's credit repays its own debt first. */
	if ((rc = points_lotlist__tail(db, &orig.in_lots, done, amount,
	    &give)) ||
	    (rc = points_posting__debit_owing(db, &tb, amount, &give, &e.out_lots,
	    (req->flags & POINTS_REVERSE_NO_DEBT) != 0, txn_id, &owed)))
		goto done;
	if ((rc = points_lotlist__tail(db, &orig.out_lots, done, amount,
	    &back)) ||
	    (rc = points_posting__credit_repaying(db, &fb, amount, &back,
	    points_asset__expiry_day(db, &asset.a, orig.time), &e.in_lots,
	    &repaid)))
		goto done;
	/* Lots come back with their own expiry: those past due by now
	 * expire again at once (reversing a sweep that ran ahead of the
	 * clock gives back what is still valid, and only that). */
	if ((rc = points_posting__expiry_take(db, &run, &fb, 1)))
		goto done;
	if (orig.type == POINTS_TXN_EXPIRE) {
		/* the expiry's own counters, saturating as it moved them */
		points_balance__counter_sat(&tb.earned, -amount);
		points_balance__counter_sat(&fb.expired, -amount);
	} else if ((rc = points_posting__counter_add(db, &tb, "earned",
	    &tb.earned, -amount)) || (rc = points_posting__counter_add(db,
	    &fb, "spent", &fb.spent, -amount))) {
		goto done;
	}
	e.from = orig.to;
	e.to = orig.from;
	e.amount = amount;
	e.ref_seq = seq;
	if (memo)
		strcpy(e.memo, memo);
	if ((rc = points_meta__set(db, &e, req->category, req->actor)) ||
	    (rc = points_debt__note(db, &e, owed, repaid)) ||
	    (rc = note_before(db, &e, done)))
		goto done;
	points_codec__put_be64(k, (uint64_t)seq);
	points_codec__put_be64(v, (uint64_t)(done + amount));
	/* the modules that count what accounts earn (module.h) */
	if (orig.type == POINTS_TXN_EARN &&
	    (rc = points_db__earning(db, &tb, orig.time, -amount)))
		goto done;
	if ((rc = points_posting__expiry_charge(db, &run, &tb, &fb)) ||
	    (rc = points_posting__expiry_append(db, &run, 0)) ||
	    (rc = points_entry__append(db, &e, &tb, &fb)) ||
	    (rc = points_posting__expiry_append(db, &run, 1)) ||
	    (rc = points_posting__store_pair(db, &tb, &fb)) ||
	    (rc = points_posting__expiry_store(db, &run)) ||
	    (rc = points_db__put(db, &points_reversal__ks, k, 8, v, 8)))
		goto done;
	if (orig.type == POINTS_TXN_EARN &&
	    (rc = points_db__earned(db, orig.to, orig.asset, orig.time,
	    -amount)))
		goto done;
	rc = points_entry__txn(db, &e, out);
done:
	points_posting__expiry_end(&run);
	points_lotlist__free(&back);
	points_lotlist__free(&give);
	points_entry__free(&orig);
	points_entry__free(&e);
	points_balance__free(&fb);
	points_balance__free(&tb);
	return rc;
}

/* The reversal as a request (write.h).  The fingerprint covers the type,
 * the original's id (its 16 bytes), amount and memo: the encoding of
 * 0.1.0's hand-written hash; then, when set, version 2's category,
 * actor and flags. */
static const points_field reversal_fields[] = {
	POINTS_FIELD(points_reversal, version, POINTS_FIELD_UINT,
	    POINTS_FIELD_VERSION, 1),
	POINTS_FIELD(points_reversal, txn_id, POINTS_FIELD_UUID,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_reversal, amount, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_reversal, memo, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_reversal, idempotency_key, POINTS_FIELD_STR,
	    POINTS_FIELD_KEY, 1),
	POINTS_FIELD(points_reversal, category, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 2),
	POINTS_FIELD(points_reversal, actor, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 2),
	POINTS_FIELD(points_reversal, flags, POINTS_FIELD_UINT,
	    POINTS_FIELD_HASHED, 2),
};
static const size_t reversal_sizes[] = {
	0, POINTS_END_OF(points_reversal, idempotency_key), /* version 1 */
	POINTS_END_OF(points_reversal, flags),    /* 2: category, actor, flags */
};
static const points_reversal reversal_defaults = POINTS_REVERSAL_INIT;
const points_reqtype points_reversal__req = {
	"reversal", sizeof(points_reversal), POINTS_REVERSAL_VERSION,
	reversal_sizes, &reversal_defaults, reversal_fields,
	sizeof(reversal_fields) / sizeof(reversal_fields[0]),
	offsetof(points_reversal, idempotency_key),
};
POINTS_WRITE_REQUEST_FITS(points_reversal);

typedef struct reversal_ctx {
	unsigned char txid[POINTS_UUID_LEN];
} reversal_ctx;

static int
validate_reversal(points_db *db, const points_write_op *op, const void *req,
    void *ctx)
{
	const points_reversal *r = req;
	reversal_ctx *c = ctx;
	int rc;

	(void)op;
	if ((rc = points_db__uuid_parse(db, r->txn_id, c->txid)))
		return rc;
	if (r->amount < 0)
		return points_db__err(db, POINTS_EINVAL,
		    "reversal amount must not be negative (0: all)");
	if (r->flags & ~POINTS_REVERSE_NO_DEBT)
		return points_db__err(db, POINTS_EINVAL,
		    "reversal: unknown flags 0x%x",
		    r->flags & ~POINTS_REVERSE_NO_DEBT);
	if ((rc = points_db__check_str(db, "memo", r->memo, POINTS_MEMO_MAX,
	    0)))
		return rc;
	return points_meta__check(db, "reversal", r->category, r->actor);
}

static int
reversal_body(points_db *db, const points_write_op *op, const void *req,
    void *ctx, void *result, int64_t *seq)
{
	const points_reversal *r = req;
	const reversal_ctx *c = ctx;
	points_txn *out = result;
	int rc;

	(void)op;
	rc = reverse(db, c->txid, r->txn_id, r->amount, r->memo, r, out);
	if (rc == POINTS_OK)
		*seq = out->seq;
	return rc;
}

const points_write_op points_reversal__op = {
	"reversal", POINTS_TXN_REVERSAL, &points_reversal__req,
	sizeof(points_txn), validate_reversal, reversal_body, NULL, NULL,
	NULL,
};

int
points_reversal__within(points_db *db, const points_reversal *req,
    points_txn *out)
{
	reversal_ctx c;
	int64_t seq;
	int rc;

	if (req->idempotency_key)
		return points_db__err(db, POINTS_EINVAL, "reversal: a "
		    "reversal within another write has no idempotency key");
	if ((rc = validate_reversal(db, &points_reversal__op, req, &c)))
		return rc;
	return reversal_body(db, &points_reversal__op, req, &c, out, &seq);
}

POINTS_EXTERN int
points_reverse(points_db *db, const points_reversal *req, points_txn *out)
{
	reversal_ctx c;

	return points_write__run(db, &points_reversal__op, req, &c, out);
}

POINTS_EXTERN int
points_reversal_init(points_reversal *r, unsigned int version)
{
	return points_write__init(&points_reversal__req, r, version);
}
