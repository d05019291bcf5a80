/* forfeit.c - leavers: points_account_forfeit closes an account whose
 * points are forfeited, in one write transaction (all or nothing):
 *
 * 1. In each asset where the account holds points, its open holds are
 *    released (RELEASE entries, state released; a release repays a debt
 *    first, as any credit does).  The holds are found by walking the
 *    account's entries in that asset back from the newest, until the
 *    HOLD entries of the open ones add up to what the balance holds:
 *    holds are recent, so the walk is short; at worst it reads the
 *    account's history in that asset, never the whole ledger's.
 * 2. Past-due points expire (EXPIRE entries, counted in expired), as
 *    at any write.  What is left available moves to the forfeiture account (the
 *    request's to, by default the expiry account): a FORFEIT entry,
 *    account -> to, taking all its lots; it counts as spent by the
 *    account and earned by the forfeiture account, as a transfer does.
 * 3. A debt (debt.h), or a balance below zero of an account allowed to
 *    go negative, is written off: a FORFEIT entry issuer -> account,
 *    which repays the debt (the entry's debt extension says so) or
 *    brings the balance up to zero, without a lot.  The loss is the
 *    issuer's: it gives back what the refund took on credit.  It counts
 *    as earned by the account, so its lifetime counters end where a
 *    refund of only what it had would have left them.
 * 4. The account is closed (points_account_close's own check: every
 *    balance is now zero).
 *
 * A forfeiture record (keyspace "forfeit", account -> what the call
 * did) keeps the report, for a replay under the idempotency key and for
 * an auditor.  The key names the call's last entry (0 when the account
 * had nothing: no entry was written). */
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "core/lot.h"
#include "ledger/debt.h"
#include "ledger/entry.h"
#include "ledger/forfeit.h"
#include "ledger/hold.h"
#include "ledger/meta.h"
#include "ledger/posting.h"
#include "ledger/write.h"

#define FORFEIT_RECORD_V1 1

/* account (be64) -> what its forfeiture did: the report */
static points_ksdef forfeit_ks = { "forfeit", 0, 0 };
static points_ksdef *const keyspaces[] = { &forfeit_ks, NULL };
static points_module forfeit_module = {
	.name = "forfeit",
	.format = FORFEIT_RECORD_V1,
	.keyspaces = keyspaces,
};
POINTS_MODULE(forfeit_module)

/* Balances whose keys are read at a time (they are then rewritten). */
#define FORFEIT_CHUNK 16

/* The request (write.h): the fingerprint covers the type, account, to
 * (as given: 0 is the expiry account), memo, category and actor. */
static const points_field forfeit_fields[] = {
	POINTS_FIELD(points_forfeit, version, POINTS_FIELD_UINT,
	    POINTS_FIELD_VERSION, 1),
	POINTS_FIELD(points_forfeit, account, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_forfeit, to, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_forfeit, memo, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_forfeit, idempotency_key, POINTS_FIELD_STR,
	    POINTS_FIELD_KEY, 1),
	POINTS_FIELD(points_forfeit, category, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_forfeit, actor, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
};
static const size_t forfeit_sizes[] = {
	0, POINTS_END_OF(points_forfeit, actor), /* version 1 */
};
static const points_forfeit forfeit_defaults = POINTS_FORFEIT_INIT;
const points_reqtype points_forfeit__req = {
	"forfeit", sizeof(points_forfeit), POINTS_FORFEIT_VERSION,
	forfeit_sizes, &forfeit_defaults, forfeit_fields,
	sizeof(forfeit_fields) / sizeof(forfeit_fields[0]),
	offsetof(points_forfeit, idempotency_key),
};
POINTS_WRITE_REQUEST_FITS(points_forfeit);
POINTS_WRITE_RESULT_FITS(points_forfeit_report);

/* ---- The record ---- */

static int
record_store(points_db *db, const points_forfeit_report *r)
{
	unsigned char k[8];
	points_buf b;
	int rc;

	points_codec__put_be64(k, (uint64_t)r->account);
	points_buf__init(&b);
	points_buf__u8(&b, FORFEIT_RECORD_V1);
	points_buf__uvar(&b, (uint64_t)r->holds);
	points_buf__uvar(&b, (uint64_t)r->forfeited);
	points_buf__uvar(&b, (uint64_t)r->written_off);
	points_buf__uvar(&b, (uint64_t)r->first_seq);
	points_buf__uvar(&b, (uint64_t)r->last_seq);
	points_buf__svar(&b, r->time);
	rc = b.err ? points_db__err(db, POINTS_ENOMEM, "out of memory") :
	    points_db__put(db, &forfeit_ks, k, 8, b.data, b.len);
	points_buf__free(&b);
	return rc;
}

static int
record_load(points_db *db, int64_t account, points_forfeit_report *r)
{
	unsigned char k[8];
	const void *v;
	size_t vl;
	points_rd rd;
	int rc;

	points_codec__put_be64(k, (uint64_t)account);
	rc = points_db__get(db, &forfeit_ks, k, 8, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, POINTS_ECORRUPT, "account %lld: the "
		    "record of its forfeiture is missing", (long long)account);
	if (rc)
		return rc;
	memset(r, 0, sizeof(*r));
	points_rd__init(&rd, v, vl);
	if (points_rd__u8(&rd) != FORFEIT_RECORD_V1)
		rd.err = POINTS_ECORRUPT;
	r->account = account;
	r->holds = (int64_t)points_rd__uvar(&rd);
	r->forfeited = (int64_t)points_rd__uvar(&rd);
	r->written_off = (int64_t)points_rd__uvar(&rd);
	r->first_seq = (int64_t)points_rd__uvar(&rd);
	r->last_seq = (int64_t)points_rd__uvar(&rd);
	r->time = points_rd__svar(&rd);
	if (rd.err || rd.p != rd.end)
		return points_db__err(db, POINTS_ECORRUPT, "account %lld: the "
		    "record of its forfeiture is unreadable",
		    (long long)account);
	return POINTS_OK;
}

/* ---- The work ---- */

typedef struct forfeit_ctx {
	int64_t to; /* the forfeiture account */
} forfeit_ctx;

/* Release the open holds of b (account and asset), walking its entries
 * back from the newest until they account for b->held. */
static int
release_holds(points_db *db, const points_account *a,
    const points_balance_rec *b, const char *memo,
    const char *const meta[2], points_forfeit_report *rep)
{
	points_entry_rec e;
	int64_t seq = b->last_seq, need = b->held, got;
	int rc = POINTS_OK;

	points_entry__init(&e, 0, 0, 0);
	while (need > 0 && seq > 0) {
		int64_t prev;

		if ((rc = points_entry__load(db, seq, &e)))
			break;
		prev = e.from == a->id ? e.prev_from : e.prev_to;
		if (prev >= seq) {
			rc = points_db__err(db, POINTS_ECORRUPT, "entry %lld: "
			    "link to account %s's previous entry points "
			    "forward", (long long)seq, a->external_id);
			break;
		}
		if (e.type == POINTS_TXN_HOLD && e.from == a->id) {
			if ((rc = points_hold__release_if_open(db, e.txid,
			    memo, meta, &got)))
				break;
			if (got) {
				need -= got;
				rep->holds++;
			}
		}
		seq = prev;
	}
	points_entry__free(&e);
	if (rc == POINTS_OK && need != 0)
		rc = points_db__err(db, POINTS_ECORRUPT, "account %s holds %lld "
		    "points in asset #%u that no open hold accounts for",
		    a->external_id, (long long)need, (unsigned)b->asset);
	return rc;
}

/* One FORFEIT entry of amount from fb to tb (the account's side owes
 * nothing; the credited side may repay: a write-off), both stored. */
static int
forfeit_entry(points_db *db, points_balance_rec *fb, points_balance_rec *tb,
    int64_t amount, const char *memo, const char *const meta[2], int64_t t)
{
	points_entry_rec e;
	int64_t repaid;
	int rc;

	points_entry__init(&e, POINTS_TXN_FORFEIT, fb->asset, t);
	if ((rc = points_entry__place(db, fb, tb)) ||
	    (rc = points_posting__debit(db, fb, amount, NULL, &e.out_lots)) ||
	    (rc = points_posting__credit_repaying(db, tb, amount,
	    &e.out_lots, POINTS_DAY_NEVER, &e.in_lots, &repaid)) ||
	    (rc = points_posting__counter_add(db, fb, "spent", &fb->spent,
	    amount)) || (rc = points_posting__counter_add(db, tb, "earned",
	    &tb->earned, amount)))
		goto done;
	e.from = fb->account;
	e.to = tb->account;
	e.amount = amount;
	strcpy(e.memo, memo);
	if ((rc = points_meta__set(db, &e, meta[0], meta[1])) ||
	    (rc = points_debt__note(db, &e, 0, repaid)) ||
	    (rc = points_entry__append(db, &e, fb, tb)))
		goto done;
	rc = points_posting__store_pair(db, fb, tb);
done:
	points_entry__free(&e);
	return rc;
}

/* Empty the account's balance in one asset: holds, points, debt. */
static int
forfeit_asset(points_db *db, const points_account *a, uint32_t asset,
    int64_t to, const char *memo, const char *const meta[2], int64_t t,
    points_forfeit_report *rep)
{
	points_balance_rec b, o;
	int64_t owed;
	int rc;

	points_balance__init(&b, a->id, asset, 0);
	points_balance__init(&o, 0, asset, 1);
	if ((rc = points_balance__load(db, &b)))
		goto done;
	if (b.held > 0) {
		if ((rc = release_holds(db, a, &b, memo ? memo :
		    "released: account forfeited", meta, rep)))
			goto done;
		/* the releases rewrote it */
		points_balance__free(&b);
		points_balance__init(&b, a->id, asset, 0);
		if ((rc = points_balance__load(db, &b)))
			goto done;
	}
	/* past-due points expire, as at any write: they are not the
	 * leaver's to forfeit */
	if ((rc = points_posting__expire_now(db, &b)))
		goto done;
	if (b.available > 0) {
		o.account = to;
		if ((rc = points_balance__load_party(db, &o, -1, 1)) ||
		    (rc = forfeit_entry(db, &b, &o, b.available,
		    memo ? memo : "forfeited", meta, t)))
			goto done;
		rep->forfeited++;
		points_balance__free(&o);
		points_balance__init(&o, 0, asset, 1);
	}
	/* what is owed: a debt, or a balance below zero (never both) */
	owed = b.debt;
	if (b.available < 0 && points_codec__add(&owed, -b.available)) {
		rc = points_db__err(db, POINTS_EOVERFLOW, "account %s: what it "
		    "owes would overflow", a->external_id);
		goto done;
	}
	if (owed > 0) {
		o.account = POINTS_ACCOUNT_ISSUER;
		if ((rc = points_balance__load_party(db, &o, -1, 1)) ||
		    (rc = forfeit_entry(db, &o, &b, owed,
		    memo ? memo : "debt written off", meta, t)))
			goto done;
		rep->written_off++;
	}
done:
	points_balance__free(&b);
	points_balance__free(&o);
	return rc;
}

static int
validate_forfeit(points_db *db, const points_write_op *op, const void *req,
    void *ctx)
{
	const points_forfeit *f = req;
	forfeit_ctx *c = ctx;
	int rc;

	(void)op;
	if (f->account <= 0)
		return points_db__err(db, POINTS_EINVAL, "bad account %lld",
		    (long long)f->account);
	if (f->to < 0 || f->to == f->account)
		return points_db__err(db, POINTS_EINVAL,
		    "bad forfeiture account %lld", (long long)f->to);
	c->to = f->to ? f->to : POINTS_ACCOUNT_EXPIRY;
	if ((rc = points_db__check_str(db, "memo", f->memo, POINTS_MEMO_MAX,
	    0)))
		return rc;
	return points_meta__check(db, "forfeit", f->category, f->actor);
}

static int
forfeit_body(points_db *db, const points_write_op *op, const void *req,
    void *ctx, void *result, int64_t *seq)
{
	const points_forfeit *f = req;
	const forfeit_ctx *c = ctx;
	const char *const meta[2] = { f->category, f->actor };
	points_forfeit_report rep;
	points_account a, target;
	unsigned char lo[8], hi[8], keys[FORFEIT_CHUNK][8];
	int64_t before, after;
	unsigned part;
	size_t n, i;
	int rc;

	(void)op;
	memset(&rep, 0, sizeof(rep));
	rep.account = f->account;
	rep.time = points_db__time(db, 0);
	if ((rc = points_account__load(db, f->account, &a)))
		return rc;
	if (a.flags & POINTS_ACCOUNT_SYSTEM)
		return points_db__err(db, POINTS_EINVAL, "account %s is a "
		    "system account and cannot be forfeited", a.external_id);
	if (a.status == POINTS_ACCOUNT_CLOSED)
		return points_db__err(db, POINTS_ECLOSED, "account %s is closed",
		    a.external_id);
	rc = points_account__load_party(db, c->to, &target);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, POINTS_EINVAL, "forfeiture account "
		    "%lld not found", (long long)c->to);
	if (rc)
		return rc;
	if (!(target.flags & POINTS_ACCOUNT_SYSTEM))
		return points_db__err(db, POINTS_EINVAL, "forfeiture account %s "
		    "is not a system account", target.external_id);
	/* the account's entries are in its partition of the log */
	if ((rc = points_entry__account_partition(db, a.id, &part)) ||
	    (rc = points_entry__last_seq(db, part, &before)))
		return rc;
	points_balance__account_range(a.id, lo, hi);
	do {
		/* a chunk of keys at a time: the writes go to this keyspace */
		rc = points_db__collect_keys(db, &points_balance__ks, lo, 8, hi,
		    8, 8, keys[0], FORFEIT_CHUNK, &n);
		for (i = 0; rc == POINTS_OK && i < n; i++) {
			int64_t acct;
			uint32_t asset;

			points_balance__key_parse(keys[i], &acct, &asset);
			rc = forfeit_asset(db, &a, asset, c->to, f->memo,
			    meta, rep.time, &rep);
		}
		if (n > 0) /* resume just after the last key */
			points_codec__put_be64(lo,
			    points_codec__get_be64(keys[n - 1]) + 1);
	} while (rc == POINTS_OK && n == FORFEIT_CHUNK);
	if (rc)
		return rc;
	/* every balance is zero now: close as points_account_close does */
	if ((rc = points_account__close_in(db, a.id, f->actor, f->memo)) ||
	    (rc = points_entry__last_seq(db, part, &after)))
		return rc;
	if (after > before) {
		rep.first_seq = before + 1;
		rep.last_seq = after;
	}
	if ((rc = record_store(db, &rep)))
		return rc;
	*seq = rep.last_seq;
	memcpy(result, &rep, sizeof(rep));
	return POINTS_OK;
}

/* The report the key's forfeiture recorded.  The key names its last
 * entry: a RELEASE of the account's, a FORFEIT from it, or a write-off
 * from the issuer to it.  0: it wrote none; points_account_forfeit
 * reads the record by the request's account. */
static int
forfeit_replay(points_db *db, const points_write_op *op, int64_t seq,
    void *result)
{
	points_forfeit_report *r = result;
	points_entry_rec e;
	int64_t account;
	int rc;

	(void)op;
	memset(r, 0, sizeof(*r));
	r->replayed = 1;
	if (seq == 0)
		return POINTS_OK;
	points_entry__init(&e, 0, 0, 0);
	rc = points_entry__load(db, seq, &e);
	account = e.from == POINTS_ACCOUNT_ISSUER ? e.to : e.from;
	points_entry__free(&e);
	if (rc == POINTS_OK && (rc = record_load(db, account, r)) == POINTS_OK)
		r->replayed = 1;
	return rc;
}

const points_write_op points_forfeit__op = {
	"forfeit", POINTS_TXN_FORFEIT, &points_forfeit__req,
	sizeof(points_forfeit_report), validate_forfeit, forfeit_body,
	forfeit_replay, NULL, NULL,
};

POINTS_EXTERN int
points_account_forfeit(points_db *db, const points_forfeit *req,
    points_forfeit_report *out)
{
	forfeit_ctx c;
	points_forfeit_report r;
	int rc;

	/* out is checked by the skeleton; the result comes here first */
	if ((rc = points_write__run(db, &points_forfeit__op, req, &c,
	    out ? &r : NULL)))
		return rc;
	if (r.replayed && r.last_seq == 0) {
		/* a replay of a forfeiture that wrote no entry: its record,
		 * by the account the request names */
		if ((rc = points_db__read_begin(db)) == POINTS_OK) {
			rc = record_load(db, req->account, &r);
			points_db__read_end(db);
		}
		if (rc)
			return rc;
		r.replayed = 1;
	}
	*out = r;
	return POINTS_OK;
}

POINTS_EXTERN int
points_forfeit_init(points_forfeit *f, unsigned int version)
{
	return points_write__init(&points_forfeit__req, f, version);
}
