/* hold.c - two-phase holds: reserve points (available -> held), then
 * capture them into a transfer or release them.  A hold is settled once;
 * the check runs inside the write transaction, so two processes racing
 * to settle the same hold cannot both win.
 *
 * Record: version, state, account, asset, amount, captured, deadline,
 * the HOLD entry's seq, then the lots reserved (day, amount). */
#include <string.h>

#include "points.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/balance.h"
#include "util/codec.h"
#include "core/db.h"
#include "ledger/debt.h"
#include "ledger/hold.h"
#include "ledger/entry.h"
#include "ledger/meta.h"
#include "ledger/posting.h"
#include "ledger/write.h"
#include "core/lot.h"

#define HOLD_RECORD_V1 1

points_ksdef points_hold__ks = { "hold", 0, 0 }; /* uuid -> hold record */
/* deadline (be64) + uuid (16) -> "" */
points_ksdef points_hold__exp_ks = { "holdexp", POINTS_KS_ORDERED, 0 };
static points_ksdef *const keyspaces[] = {
	&points_hold__ks, &points_hold__exp_ks, NULL,
};
static points_module hold_module = {
	.name = "hold",
	.format = HOLD_RECORD_V1,
	.keyspaces = keyspaces,
};
POINTS_MODULE(hold_module)

typedef points_hold_rec hold_rec;

static const char *const state_names[] = {
	"open", "captured", "released", "expired",
};

static int
hold_store(points_db *db, const hold_rec *h)
{
	points_buf b;
	size_t i;
	int rc;

	points_buf__init(&b);
	points_buf__u8(&b, HOLD_RECORD_V1);
	points_buf__u8(&b, (unsigned)h->state);
	points_buf__uvar(&b, (uint64_t)h->account);
	points_buf__uvar(&b, h->asset);
	points_buf__uvar(&b, (uint64_t)h->amount);
	points_buf__uvar(&b, (uint64_t)h->captured);
	points_buf__svar(&b, h->expires_at);
	points_buf__uvar(&b, (uint64_t)h->seq);
	points_buf__uvar(&b, h->lots.n);
	for (i = 0; i < h->lots.n; i++) {
		points_buf__uvar(&b, h->lots.v[i].day);
		points_buf__uvar(&b, (uint64_t)h->lots.v[i].amount);
	}
	rc = b.err ? points_db__err(db, POINTS_ENOMEM, "out of memory") :
	    points_db__put(db, &points_hold__ks, h->id, POINTS_UUID_LEN, b.data, b.len);
	points_buf__free(&b);
	return rc;
}

static int
hold_load(points_db *db, const unsigned char id[POINTS_UUID_LEN],
    const char *text, hold_rec *h)
{
	const void *v;
	size_t vl;
	int rc;

	rc = points_db__get(db, &points_hold__ks, id, POINTS_UUID_LEN, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, rc, "hold %s not found", text);
	if (rc)
		return rc;
	return points_hold__decode(db, id, text, v, vl, h);
}

int
points_hold__decode(points_db *db, const unsigned char id[POINTS_UUID_LEN],
    const char *text, const void *v, size_t vl, points_hold_rec *h)
{
	points_rd r;
	uint64_t i, n;
	int rc;

	memcpy(h->id, id, POINTS_UUID_LEN);
	h->lots.n = 0;
	points_rd__init(&r, v, vl);
	if (points_rd__u8(&r) != HOLD_RECORD_V1)
		r.err = POINTS_ECORRUPT;
	h->state = (int)points_rd__u8(&r);
	h->account = (int64_t)points_rd__uvar(&r);
	h->asset = (uint32_t)points_rd__uvar(&r);
	h->amount = (int64_t)points_rd__uvar(&r);
	h->captured = (int64_t)points_rd__uvar(&r);
	h->expires_at = points_rd__svar(&r);
	h->seq = (int64_t)points_rd__uvar(&r);
	n = points_rd__uvar(&r);
	if (n > vl)
		r.err = POINTS_ECORRUPT;
	for (i = 0; i < n && !r.err; i++) {
		uint64_t day = points_rd__uvar(&r);
		uint64_t amount = points_rd__uvar(&r);

		/* amounts past int64 would turn negative on the way in */
		if (day > POINTS_DAY_NEVER || amount > INT64_MAX) {
			r.err = POINTS_ECORRUPT;
			break;
		}
		if ((rc = points_lotlist__push(db, &h->lots, (uint32_t)day,
		    (int64_t)amount)))
			return rc;
	}
	if (r.err || r.p != r.end || h->state > POINTS_HOLD_EXPIRED ||
	    h->amount < 0 || h->captured < 0)
		return points_db__err(db, POINTS_ECORRUPT,
		    "hold %s: record unreadable", text);
	return POINTS_OK;
}

void
points_hold__exp_key(unsigned char k[8 + POINTS_UUID_LEN], const hold_rec *h)
{
	points_codec__put_be64(k, (uint64_t)h->expires_at);
	memcpy(k + 8, h->id, POINTS_UUID_LEN);
}

/* A hold's request is a posting without a counterparty (named at
 * capture): the fingerprint covers the type, asset, account, amount,
 * memo, time (as given) and expires_at (the deadline), the encoding of
 * 0.1.0's hand-written hash. */
static const points_field hold_fields[] = {
	POINTS_FIELD(points_posting, version, POINTS_FIELD_UINT,
	    POINTS_FIELD_VERSION, 1),
	POINTS_FIELD(points_posting, asset, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_posting, account, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_posting, counterparty, POINTS_FIELD_I64,
	    POINTS_FIELD_REFUSED, 1),
	POINTS_FIELD(points_posting, amount, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_posting, memo, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_posting, idempotency_key, POINTS_FIELD_STR,
	    POINTS_FIELD_KEY, 1),
	POINTS_FIELD(points_posting, time, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_posting, expires_at, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_posting, category, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 2),
	POINTS_FIELD(points_posting, actor, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 2),
};
static const points_posting hold_defaults = POINTS_POSTING_INIT;
const points_reqtype points_hold__create_req = {
	"posting", sizeof(points_posting), POINTS_POSTING_VERSION,
	points_posting__sizes, &hold_defaults, hold_fields,
	sizeof(hold_fields) / sizeof(hold_fields[0]),
	offsetof(points_posting, idempotency_key),
};

static int
validate_create(points_db *db, const points_write_op *op, const void *req,
    void *ctx)
{
	const points_posting *p = req;
	int rc;

	(void)op;
	(void)ctx;
	if ((rc = points_db__check_amount(db, p->amount)) ||
	    (rc = points_db__check_str(db, "memo", p->memo, POINTS_MEMO_MAX, 0)))
		return rc;
	if (p->counterparty)
		return points_db__err(db, POINTS_EINVAL,
		    "a hold has no counterparty (name it at capture)");
	if (p->time < 0 || p->expires_at < 0)
		return points_db__err(db, POINTS_EINVAL,
		    "times must not be negative");
	return points_meta__check(db, "hold", p->category, p->actor);
}

static int
create_body(points_db *db, const points_write_op *op, const void *req,
    void *ctx, void *result, int64_t *seq)
{
	const points_posting *p = req;
	int64_t t = points_db__time(db, p->time);
	points_asset_rec asset;
	points_balance_rec b;
	points_entry_rec e;
	points_posting_expiry run;
	hold_rec h;
	int rc;

	(void)op;
	(void)ctx;
	memset(&h, 0, sizeof(h));
	points_posting__expiry_begin(db, &run, points_db__time(db, 0));
	points_entry__init(&e, POINTS_TXN_HOLD, 0, t);
	points_balance__init(&b, p->account, 0, 0);
	/* checked after the replay: a retry may come after the deadline */
	if (p->expires_at && p->expires_at <= t) {
		rc = points_db__err(db, POINTS_EINVAL,
		    "the hold's deadline is not after its time");
		goto done;
	}
	if ((rc = points_asset__find(db, p->asset, &asset)))
		goto done;
	b.asset = e.asset = asset.id;
	if ((rc = points_balance__load_party(db, &b, 1, 0)))
		goto done;
	/* Past-due points cannot be held: they expire first. */
	if ((rc = points_posting__expiry_take(db, &run, &b, 0)))
		goto done;
	/* Held points leave the lots: they can neither be spent twice nor
	 * expire while held; a release puts them back. */
	if ((rc = points_posting__debit(db, &b, p->amount, NULL, &e.out_lots)))
		goto done;
	if (points_codec__add(&b.held, p->amount)) {
		rc = points_db__err(db, POINTS_EOVERFLOW, "held would overflow");
		goto done;
	}
	e.from = e.to = p->account;
	e.amount = p->amount;
	if (p->memo)
		strcpy(e.memo, p->memo);
	if ((rc = points_meta__set(db, &e, p->category, p->actor)))
		goto done;
	if ((rc = points_posting__expiry_charge(db, &run, NULL, NULL)) ||
	    (rc = points_posting__expiry_append(db, &run, 0)) ||
	    (rc = points_entry__append(db, &e, &b, &b)) ||
	    (rc = points_balance__store(db, &b, 0)) ||
	    (rc = points_posting__expiry_store(db, &run)))
		goto done;
	memcpy(h.id, e.txid, POINTS_UUID_LEN);
	h.state = POINTS_HOLD_OPEN;
	h.account = p->account;
	h.asset = asset.id;
	h.amount = p->amount;
	h.expires_at = p->expires_at;
	h.seq = e.seq;
	h.lots = e.out_lots; /* borrowed for the write */
	rc = hold_store(db, &h);
	h.lots.v = NULL;
	if (rc == POINTS_OK && h.expires_at) {
		unsigned char k[8 + POINTS_UUID_LEN];

		points_hold__exp_key(k, &h);
		rc = points_db__put(db, &points_hold__exp_ks, k, sizeof(k), "", 0);
	}
	if (rc == POINTS_OK) {
		*seq = e.seq;
		rc = points_entry__txn(db, &e, result);
	}
done:
	points_posting__expiry_end(&run);
	points_entry__free(&e);
	points_balance__free(&b);
	return rc;
}

const points_write_op points_hold__create_op = {
	"hold", POINTS_TXN_HOLD, &points_hold__create_req, sizeof(points_txn),
	validate_create, create_body, NULL, NULL, NULL,
};

POINTS_EXTERN int
points_hold_create(points_db *db, const points_posting *p, points_txn *out)
{
	return points_write__run(db, &points_hold__create_op, p, NULL, out);
}

/* Give the rest of an open hold back to its account (the RELEASE
 * entry e, appended by the caller): its lots with their own expiry. */
static int
release_rest(points_db *db, hold_rec *h, points_balance_rec *b, int64_t t,
    const char *memo, const char *const meta[2], points_entry_rec *e)
{
	int64_t rest = h->amount - h->captured, repaid;
	int rc;

	points_entry__init(e, POINTS_TXN_RELEASE, h->asset, t);
	e->from = e->to = h->account;
	e->amount = rest;
	e->ref_seq = h->seq;
	if (memo)
		strcpy(e->memo, memo);
	if ((rc = points_meta__set(db, e, meta[0], meta[1])))
		return rc;
	b->held -= rest;
	/* what is left of the hold's lots, with their own expiry; a debt
	 * the account took on since is repaid first (debt.h) */
	if ((rc = points_posting__credit_repaying(db, b, rest, &h->lots,
	    POINTS_DAY_NEVER, &e->in_lots, &repaid)))
		return rc;
	return points_debt__note(db, e, 0, repaid);
}

/* Settle an open hold: capture amount (0 nothing) into to, release the
 * rest; the new state is state.  meta: the request's category and actor
 * (NULL: none), for both entries.  Held points do not expire while held:
 * a capture takes them whatever their expiry (they were reserved while
 * valid); a release gives them back with their expiry, and those past
 * due expire at once, after the release (now: the ledger's clock; 0
 * for the sweep, which expires what a release gives back itself). */
static int
settle(points_db *db, hold_rec *h, const char *text, int64_t amount,
    int64_t to, const char *memo, const char *const meta[2], int state,
    int64_t now, points_txn *out)
{
	points_balance_rec hb, tb;
	points_entry_rec ce, re;
	points_posting_expiry run;
	int64_t t = points_db__time(db, 0), held_lots, repaid;
	unsigned char k[8 + POINTS_UUID_LEN];
	int rc;

	points_posting__expiry_begin(db, &run, now);
	points_entry__init(&ce, POINTS_TXN_CAPTURE, h->asset, t);
	points_entry__init(&re, POINTS_TXN_RELEASE, h->asset, t);
	points_balance__init(&hb, h->account, h->asset, 0);
	points_balance__init(&tb, to, h->asset, 0);
	if (h->state != POINTS_HOLD_OPEN) {
		rc = points_db__err(db, POINTS_ESTATE, "hold %s is already %s",
		    text, state_names[h->state]);
		goto done;
	}
	if (amount > h->amount) {
		rc = points_db__err(db, POINTS_EINVAL,
		    "hold %s: capture of %lld exceeds the %lld held", text,
		    (long long)amount, (long long)h->amount);
		goto done;
	}
	if ((rc = points_balance__load(db, &hb)))
		goto done;
	if (hb.held < h->amount) {
		rc = points_db__err(db, POINTS_ECORRUPT,
		    "account %lld holds less than hold %s",
		    (long long)h->account, text);
		goto done;
	}
	if ((rc = points_posting__expiry_take(db, &run, &hb, 0)))
		goto done;
	if (amount > 0) {
		if (to == h->account) {
			rc = points_db__err(db, POINTS_EINVAL,
			    "hold %s: capture into its own account (release "
			    "it instead)", text);
			goto done;
		}
		if ((rc = points_balance__load_party(db, &tb, 0, 0)) ||
		    (rc = points_entry__place(db, &hb, &tb)) ||
		    (rc = points_posting__expiry_take(db, &run, &tb, 0)))
			goto done;
		/* The earliest-expiring held lots are the captured ones.  On
		 * an account allowed to go negative the lots may cover less
		 * than the hold (it reserved points below zero): the capture
		 * takes what they hold, the rest comes with no lot. */
		held_lots = points_lotlist__sum(&h->lots);
		if ((rc = points_lotlist__take(db, &h->lots, amount < held_lots ?
		    amount : held_lots, NULL, &ce.out_lots)))
			goto done;
		hb.held -= amount;
		if ((rc = points_posting__counter_add(db, &hb, "spent",
		    &hb.spent, amount)) || (rc = points_posting__counter_add(db,
		    &tb, "earned", &tb.earned, amount)))
			goto done;
		if ((rc = points_posting__credit_repaying(db, &tb, amount,
		    &ce.out_lots, POINTS_DAY_NEVER, &ce.in_lots, &repaid)) ||
		    (rc = points_posting__expiry_take(db, &run, &tb, 1)))
			goto done;
		ce.from = h->account;
		ce.to = to;
		ce.amount = amount;
		ce.ref_seq = h->seq;
		if (memo)
			strcpy(ce.memo, memo);
		if ((rc = points_meta__set(db, &ce, meta[0], meta[1])) ||
		    (rc = points_debt__note(db, &ce, 0, repaid)))
			goto done;
		h->captured = amount;
	}
	if (h->amount > h->captured &&
	    ((rc = release_rest(db, h, &hb, t, amount > 0 ? NULL : memo, meta,
	    &re)) || (rc = points_posting__expiry_take(db, &run, &hb, 1))))
		goto done;
	/* every check passed: the writes */
	if ((rc = points_posting__expiry_charge(db, &run, &hb,
	    amount > 0 ? &tb : NULL)) ||
	    (rc = points_posting__expiry_append(db, &run, 0)))
		goto done;
	if (amount > 0 && (rc = points_entry__append(db, &ce, &hb, &tb)))
		goto done;
	if (h->amount > h->captured &&
	    (rc = points_entry__append(db, &re, &hb, &hb)))
		goto done;
	if ((rc = points_posting__expiry_append(db, &run, 1)) ||
	    (amount > 0 && (rc = points_balance__store(db, &tb, 0))) ||
	    (rc = points_balance__store(db, &hb, 0)) ||
	    (rc = points_posting__expiry_store(db, &run)))
		goto done;
	h->state = state;
	if ((rc = hold_store(db, h)))
		goto done;
	if (h->expires_at) {
		points_hold__exp_key(k, h);
		if ((rc = points_db__del(db, &points_hold__exp_ks, k, sizeof(k))))
			goto done;
	}
	if (out)
		rc = points_entry__txn(db, amount > 0 ? &ce : &re, out);
done:
	points_posting__expiry_end(&run);
	points_entry__free(&ce);
	points_entry__free(&re);
	points_balance__free(&hb);
	points_balance__free(&tb);
	return rc;
}

/* ---- Capture and release: requests (write.h) ---- */

/* The fingerprints cover the type, the hold's id (its 16 bytes), and
 * for a capture amount and to (as given: 0 is "all", "the sink"), then
 * the memo. */
static const points_field capture_fields[] = {
	POINTS_FIELD(points_capture, version, POINTS_FIELD_UINT,
	    POINTS_FIELD_VERSION, 1),
	POINTS_FIELD(points_capture, hold_id, POINTS_FIELD_UUID,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_capture, amount, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_capture, to, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_capture, memo, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_capture, idempotency_key, POINTS_FIELD_STR,
	    POINTS_FIELD_KEY, 1),
	POINTS_FIELD(points_capture, category, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 2),
	POINTS_FIELD(points_capture, actor, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 2),
};
static const size_t capture_sizes[] = {
	0, POINTS_END_OF(points_capture, idempotency_key), /* version 1 */
	POINTS_END_OF(points_capture, actor),          /* 2: category, actor */
};
static const points_capture capture_defaults = POINTS_CAPTURE_INIT;
const points_reqtype points_hold__capture_req = {
	"capture", sizeof(points_capture), POINTS_CAPTURE_VERSION,
	capture_sizes, &capture_defaults, capture_fields,
	sizeof(capture_fields) / sizeof(capture_fields[0]),
	offsetof(points_capture, idempotency_key),
};
POINTS_WRITE_REQUEST_FITS(points_capture);

static const points_field release_fields[] = {
	POINTS_FIELD(points_release, version, POINTS_FIELD_UINT,
	    POINTS_FIELD_VERSION, 1),
	POINTS_FIELD(points_release, hold_id, POINTS_FIELD_UUID,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_release, memo, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_release, idempotency_key, POINTS_FIELD_STR,
	    POINTS_FIELD_KEY, 1),
	POINTS_FIELD(points_release, category, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 2),
	POINTS_FIELD(points_release, actor, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 2),
};
static const size_t release_sizes[] = {
	0, POINTS_END_OF(points_release, idempotency_key), /* version 1 */
	POINTS_END_OF(points_release, actor),          /* 2: category, actor */
};
static const points_release release_defaults = POINTS_RELEASE_INIT;
const points_reqtype points_hold__release_req = {
	"release", sizeof(points_release), POINTS_RELEASE_VERSION,
	release_sizes, &release_defaults, release_fields,
	sizeof(release_fields) / sizeof(release_fields[0]),
	offsetof(points_release, idempotency_key),
};
POINTS_WRITE_REQUEST_FITS(points_release);

/* What a capture or a release settles, parsed by validate. */
typedef struct settle_ctx {
	unsigned char id[POINTS_UUID_LEN];
} settle_ctx;

static int
validate_settle(points_db *db, const points_write_op *op, const char *hold_id,
    const char *memo, const char *category, const char *actor,
    settle_ctx *c)
{
	int rc;

	if ((rc = points_db__uuid_parse(db, hold_id, c->id)) ||
	    (rc = points_db__check_str(db, "memo", memo, POINTS_MEMO_MAX, 0)))
		return rc;
	return points_meta__check(db, op->name, category, actor);
}

static int
validate_capture(points_db *db, const points_write_op *op, const void *req,
    void *ctx)
{
	const points_capture *r = req;
	int rc;

	if ((rc = validate_settle(db, op, r->hold_id, r->memo, r->category,
	    r->actor, ctx)))
		return rc;
	if (r->amount < 0)
		return points_db__err(db, POINTS_EINVAL,
		    "capture amount must not be negative (0: all)");
	if (r->to < 0)
		return points_db__err(db, POINTS_EINVAL, "bad account %lld",
		    (long long)r->to);
	return POINTS_OK;
}

static int
validate_release(points_db *db, const points_write_op *op, const void *req,
    void *ctx)
{
	const points_release *r = req;

	return validate_settle(db, op, r->hold_id, r->memo, r->category,
	    r->actor, ctx);
}

/* Capture (release == 0) or release an open hold by its id. */
static int
settle_body(points_db *db, const settle_ctx *c, const char *hold_id,
    int64_t amount, int64_t to, int release, const char *memo,
    const char *const meta[2], points_txn *out, int64_t *seq)
{
	hold_rec h;
	int rc;

	memset(&h, 0, sizeof(h));
	rc = hold_load(db, c->id, hold_id, &h);
	if (rc == POINTS_OK) {
		if (release)
			amount = 0;
		else if (amount == 0)
			amount = h.amount;
		rc = settle(db, &h, hold_id, amount,
		    to ? to : POINTS_ACCOUNT_SINK, memo, meta,
		    release ? POINTS_HOLD_RELEASED : POINTS_HOLD_CAPTURED,
		    points_db__time(db, 0), out);
	}
	points_lotlist__free(&h.lots);
	if (rc == POINTS_OK)
		*seq = out->seq;
	return rc;
}

static int
capture_body(points_db *db, const points_write_op *op, const void *req,
    void *ctx, void *result, int64_t *seq)
{
	const points_capture *r = req;
	const char *const meta[2] = { r->category, r->actor };

	(void)op;
	return settle_body(db, ctx, r->hold_id, r->amount, r->to, 0, r->memo,
	    meta, result, seq);
}

static int
release_body(points_db *db, const points_write_op *op, const void *req,
    void *ctx, void *result, int64_t *seq)
{
	const points_release *r = req;
	const char *const meta[2] = { r->category, r->actor };

	(void)op;
	return settle_body(db, ctx, r->hold_id, 0, 0, 1, r->memo, meta,
	    result, seq);
}

const points_write_op points_hold__capture_op = {
	"capture", POINTS_TXN_CAPTURE, &points_hold__capture_req,
	sizeof(points_txn), validate_capture, capture_body, NULL, NULL, NULL,
};
const points_write_op points_hold__release_op = {
	"release", POINTS_TXN_RELEASE, &points_hold__release_req,
	sizeof(points_txn), validate_release, release_body, NULL, NULL, NULL,
};

POINTS_EXTERN int
points_hold_capture(points_db *db, const points_capture *req, points_txn *out)
{
	settle_ctx c;

	return points_write__run(db, &points_hold__capture_op, req, &c, out);
}

POINTS_EXTERN int
points_hold_release(points_db *db, const points_release *req, points_txn *out)
{
	settle_ctx c;

	return points_write__run(db, &points_hold__release_op, req, &c, out);
}

int
points_hold__create_within(points_db *db, const points_posting *p,
    points_txn *out, int64_t *seq)
{
	int rc;

	if (p->idempotency_key)
		return points_db__err(db, POINTS_EINVAL, "hold: a hold within "
		    "another write has no idempotency key");
	if ((rc = validate_create(db, &points_hold__create_op, p, NULL)))
		return rc;
	return create_body(db, &points_hold__create_op, p, NULL, out, seq);
}

int
points_hold__settle_within(points_db *db, const char *hold_id, int release,
    const char *memo, const char *const meta[2], points_txn *out)
{
	const points_write_op *op = release ? &points_hold__release_op :
	    &points_hold__capture_op;
	settle_ctx c;
	int64_t seq;
	int rc;

	if ((rc = validate_settle(db, op, hold_id, memo, meta[0], meta[1],
	    &c)))
		return rc;
	return settle_body(db, &c, hold_id, 0, 0, release, memo, meta, out,
	    &seq);
}

int
points_hold__capture_within(points_db *db, const char *hold_id,
    int64_t amount, const char *memo, const char *const meta[2],
    points_txn *out)
{
	settle_ctx c;
	int64_t seq;
	int rc;

	if ((rc = validate_settle(db, &points_hold__capture_op, hold_id, memo,
	    meta[0], meta[1], &c)))
		return rc;
	return settle_body(db, &c, hold_id, amount, 0, 0, memo, meta, out,
	    &seq);
}

POINTS_EXTERN int
points_capture_init(points_capture *c, unsigned int version)
{
	return points_write__init(&points_hold__capture_req, c, version);
}

POINTS_EXTERN int
points_release_init(points_release *r, unsigned int version)
{
	return points_write__init(&points_hold__release_req, r, version);
}

POINTS_EXTERN int
points_hold_get(points_db *db, const char *hold_id, points_hold *out)
{
	unsigned char id[POINTS_UUID_LEN];
	points_asset_rec a;
	hold_rec h;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if ((rc = points_db__uuid_parse(db, hold_id, id)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__read_begin(db)))
		return rc;
	memset(&h, 0, sizeof(h));
	rc = hold_load(db, id, hold_id, &h);
	if (rc == POINTS_OK)
		rc = points_asset__by_id(db, h.asset, &a);
	points_db__read_end(db);
	if (rc == POINTS_OK) {
		memset(out, 0, sizeof(*out));
		points_ids__format(h.id, out->id);
		out->account = h.account;
		strcpy(out->asset, a.a.code);
		out->amount = h.amount;
		out->captured = h.captured;
		out->expires_at = h.expires_at;
		out->state = h.state;
	}
	points_lotlist__free(&h.lots);
	return rc;
}

int
points_hold__release_if_open(points_db *db,
    const unsigned char id[POINTS_UUID_LEN], const char *memo,
    const char *const meta[2], int64_t *released)
{
	char text[POINTS_ID_LEN + 1];
	hold_rec h;
	int rc;

	*released = 0;
	points_ids__format(id, text);
	memset(&h, 0, sizeof(h));
	rc = hold_load(db, id, text, &h);
	if (rc == POINTS_OK && h.state == POINTS_HOLD_OPEN) {
		/* now 0: the forfeiture moves past-due points as it moves
		 * the rest (forfeit.c) */
		rc = settle(db, &h, text, 0, 0, memo, meta,
		    POINTS_HOLD_RELEASED, 0, NULL);
		if (rc == POINTS_OK)
			*released = h.amount;
	}
	points_lotlist__free(&h.lots);
	return rc;
}

int
points_hold__expire(points_db *db, uint32_t asset, int64_t as_of,
    int64_t max, unsigned char pos[8 + POINTS_UUID_LEN + 1], size_t *poslen,
    int64_t *count)
{
	static const char *const none[2] = { NULL, NULL };
	unsigned char hi[8];
	int64_t done = 0;
	int rc = POINTS_OK;

	points_codec__put_be64(hi, (uint64_t)as_of);
	while (done < max) {
		unsigned char key[8 + POINTS_UUID_LEN], *id = key + 8;
		char text[POINTS_ID_LEN + 1];
		hold_rec h;
		size_t n;

		/* One at a time: settling deletes the index key.  Holds of
		 * other assets stay behind pos. */
		rc = points_db__collect_keys(db, &points_hold__exp_ks,
		    *poslen ? pos : NULL, *poslen, hi, 8, sizeof(key), key, 1,
		    &n);
		if (rc || n == 0)
			return rc;
		memcpy(pos, key, sizeof(key));
		pos[sizeof(key)] = 0;
		*poslen = sizeof(key) + 1;
		points_ids__format(id, text);
		memset(&h, 0, sizeof(h));
		rc = hold_load(db, id, text, &h);
		if (rc == POINTS_OK && asset && h.asset != asset) {
			points_lotlist__free(&h.lots);
			continue;
		}
		if (rc == POINTS_OK)
			rc = settle(db, &h, text, 0, 0, "hold expired",
			    none, POINTS_HOLD_EXPIRED, 0, NULL);
		points_lotlist__free(&h.lots);
		if (rc)
			return rc;
		(*count)++;
		done++;
	}
	return rc;
}
