/* order.c - the mall's orders (points/mall.h): placed on a hold, then
 * approved (captured), shipped, delivered, cancelled (released or
 * refunded) or returned (refunded), each change kept and written to the
 * outbox.  Approving an order applies its redemption to the earning
 * rules, and giving its points back (a cancel after approval, a return)
 * reverses it, in the same transaction (rules/event.h): a rule that
 * listens to "redemption" events pays for redeeming ("double points
 * back"), and nothing else does.
 *
 * Stored (each keyspace its own):
 *   mallorder      id (16, the HOLD's UUIDv7: time order) -> the order
 *   mallorderlog   id | n (be32) -> its nth change of state
 *   mallorderidx   's' | state | id, 'i' | SKU | 0 | id -> "": the
 *                  lists by state and by item
 *   mallorderidem  a placement's idempotency key -> the HOLD entry's seq
 *                  and the request's fingerprint (idem.c's records)
 *
 * An account's orders are its holds of category "mall" whose id is an
 * order's, found through the ledger's time index (ledger/statement.h):
 * an index of orders by account put a random page in every order's
 * writes, which were a quarter of its bytes. */
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "util/ids.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/db.h"
#include "core/iter.h"
#include "core/module.h"
#include "ledger/entry.h"
#include "ledger/hold.h"
#include "ledger/idem.h"
#include "ledger/reversal.h"
#include "ledger/statement.h"
#include "ledger/write.h"
#include "outbox/outbox.h"
#include "rules/event.h"
#include "mall/bundle.h"
#include "mall/codes.h"
#include "mall/item.h"
#include "mall/window.h"

/* 2: orders may be in state POINTS_ORDER_EXCHANGING, which format 1's
 * readers refuse as corrupt (a format 1 ledger upgrades as it is);
 * 3: version-2 records (the cash), which format 2's readers refuse (a
 * format 2 ledger upgrades as it is: version 1 reads on);
 * 4: version-3 records (the allowance and its hold), likewise */
/* 5: an order placed with no actor keeps no record of its placing (the
 * history gives it from the order's record), which format 4's readers
 * would leave out of the history */
/* 6: no index by account ('a' keys, which setup removes): a format 5
 * library would list no account's later orders */
#define ORDER_FORMAT 6
#define ORDER_V1 1
#define ORDER_V2 2 /* version 1's fields, then the cash (points + cash);
                    * version 1 reads it as 0 */
#define ORDER_V3 3 /* then the allowance, its hold and the points' hold;
                    * older versions: no allowance, the points' hold is
                    * the order's id */
#define CHANGE_V1 1
/* The fingerprint's first byte: no transaction type has it (the
 * events' is 65). */
#define ORDER_PLACE_TYPE 66
/* The category of the mall's postings. */
#define ORDER_CATEGORY "mall"

static points_ksdef order_ks = { "mallorder", 0, 0 };
static points_ksdef log_ks = { "mallorderlog", POINTS_KS_ORDERED, 0 };
static points_ksdef idx_ks = { "mallorderidx", 0, 0 };
static points_ksdef idem_ks = { "mallorderidem", 0, 0 };
static points_ksdef *const keyspaces[] = { &order_ks, &log_ks, &idx_ks,
	&idem_ks, NULL };
static int order_setup(points_db *db, unsigned int found);
static points_module order_module = {
	.name = "mall_order",
	.format = ORDER_FORMAT,
	.keyspaces = keyspaces,
	.setup = order_setup,
};
POINTS_MODULE(order_module)

static const char *const state_names[] = {
	"submitted", "approved", "shipped", "delivered", "cancelled",
	"returned", "exchanging",
};
#define NSTATES 7

static const char *
state_name(int s)
{
	return s >= 0 && s < NSTATES ? state_names[s] : "placed";
}

/* An order as stored: the public record and its id's bytes. */
typedef struct order_rec {
	points_order o;
	unsigned char id[POINTS_UUID_LEN];
} order_rec;

/* ---- Records ---- */

static void
encode(points_buf *b, const points_order *o)
{
	points_buf__reset(b);
	points_buf__u8(b, ORDER_V3);
	points_buf__svar(b, o->account);
	points_buf__str(b, o->sku);
	points_buf__str(b, o->asset);
	points_buf__svar(b, o->quantity);
	points_buf__svar(b, o->unit_price);
	points_buf__svar(b, o->amount);
	points_buf__u8(b, (unsigned)o->state);
	points_buf__svar(b, o->created);
	points_buf__svar(b, o->updated);
	points_buf__str(b, o->capture_id);
	points_buf__str(b, o->refund_id);
	points_buf__str(b, o->carrier);
	points_buf__str(b, o->tracking);
	points_buf__svar(b, o->shipped_at);
	points_buf__svar(b, o->delivered_at);
	points_buf__svar(b, o->return_days);
	points_buf__str(b, o->note);
	points_buf__svar(b, o->changes);
	/* version 2 */
	points_buf__svar(b, o->cash);
	points_buf__svar(b, o->cash_points);
	/* version 3 */
	points_buf__str(b, o->allowance);
	points_buf__svar(b, o->allowance_amount);
	points_buf__str(b, o->allowance_hold_id);
	points_buf__str(b, o->allowance_capture_id);
	points_buf__str(b, o->allowance_refund_id);
	points_buf__str(b, o->hold_id);
}

static int
decode(points_db *db, const unsigned char id[POINTS_UUID_LEN], const void *v,
    size_t vl, order_rec *r)
{
	points_order *o = &r->o;
	points_rd rd;
	unsigned ver;

	memset(r, 0, sizeof(*r));
	memcpy(r->id, id, POINTS_UUID_LEN);
	points_ids__format(id, o->id);
	points_rd__init(&rd, v, vl);
	ver = points_rd__u8(&rd);
	if (ver < ORDER_V1 || ver > ORDER_V3)
		rd.err = POINTS_ECORRUPT;
	o->account = points_rd__svar(&rd);
	points_rd__str(&rd, o->sku, sizeof(o->sku));
	points_rd__str(&rd, o->asset, sizeof(o->asset));
	o->quantity = points_rd__svar(&rd);
	o->unit_price = points_rd__svar(&rd);
	o->amount = points_rd__svar(&rd);
	o->state = (int)points_rd__u8(&rd);
	o->created = points_rd__svar(&rd);
	o->updated = points_rd__svar(&rd);
	points_rd__str(&rd, o->capture_id, sizeof(o->capture_id));
	points_rd__str(&rd, o->refund_id, sizeof(o->refund_id));
	points_rd__str(&rd, o->carrier, sizeof(o->carrier));
	points_rd__str(&rd, o->tracking, sizeof(o->tracking));
	o->shipped_at = points_rd__svar(&rd);
	o->delivered_at = points_rd__svar(&rd);
	o->return_days = points_rd__svar(&rd);
	points_rd__str(&rd, o->note, sizeof(o->note));
	o->changes = points_rd__svar(&rd);
	if (ver >= ORDER_V2) {
		o->cash = points_rd__svar(&rd);
		o->cash_points = points_rd__svar(&rd);
	}
	if (ver >= ORDER_V3) {
		points_rd__str(&rd, o->allowance, sizeof(o->allowance));
		o->allowance_amount = points_rd__svar(&rd);
		points_rd__str(&rd, o->allowance_hold_id,
		    sizeof(o->allowance_hold_id));
		points_rd__str(&rd, o->allowance_capture_id,
		    sizeof(o->allowance_capture_id));
		points_rd__str(&rd, o->allowance_refund_id,
		    sizeof(o->allowance_refund_id));
		points_rd__str(&rd, o->hold_id, sizeof(o->hold_id));
	} else {
		strcpy(o->hold_id, o->id);
	}
	if (rd.err || o->state >= NSTATES || o->cash < 0 ||
	    o->cash_points < 0 || o->allowance_amount < 0)
		return points_db__err(db, POINTS_ECORRUPT, "order %s: record "
		    "unreadable", o->id);
	return POINTS_OK;
}

static int
order_load(points_db *db, const unsigned char id[POINTS_UUID_LEN],
    const char *text, order_rec *r)
{
	const void *v;
	size_t vl;
	int rc;

	rc = points_db__get(db, &order_ks, id, POINTS_UUID_LEN, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, rc, "order %s not found", text);
	if (rc)
		return rc;
	return decode(db, id, v, vl, r);
}

static int
order_store(points_db *db, const order_rec *r)
{
	encode(&db->vbuf, &r->o);
	if (db->vbuf.err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	return points_db__put(db, &order_ks, r->id, POINTS_UUID_LEN,
	    db->vbuf.data, db->vbuf.len);
}

/* ---- Indexes ---- */

#define IDX_MAX (1 + POINTS_SKU_MAX + 1 + POINTS_UUID_LEN)

/* Format 5 and before kept 'a' | account (be64) | id -> "": remove
 * them. */
static int
order_setup(points_db *db, unsigned int found)
{
	enum { LEN = 9 + POINTS_UUID_LEN, CHUNK = 256 };
	unsigned char keys[LEN * CHUNK];
	size_t n, i;
	int rc = POINTS_OK;

	if (found == 0 || found >= 6)
		return POINTS_OK;
	do {
		if ((rc = points_db__collect_keys(db, &idx_ks, "a", 1, "b", 1,
		    LEN, keys, CHUNK, &n)))
			return rc;
		for (i = 0; i < n && rc == POINTS_OK; i++)
			rc = points_db__del(db, &idx_ks, keys + i * LEN, LEN);
	} while (rc == POINTS_OK && n == CHUNK);
	return rc;
}

static size_t
key_state(unsigned char *k, int state)
{
	k[0] = 's';
	k[1] = (unsigned char)state;
	return 2;
}

static size_t
key_item(unsigned char *k, const char *sku)
{
	size_t l = strlen(sku);

	k[0] = 'i';
	memcpy(k + 1, sku, l);
	k[1 + l] = 0;
	return l + 2;
}

static int
idx_put(points_db *db, unsigned char *k, size_t kl, const order_rec *r,
    int del)
{
	memcpy(k + kl, r->id, POINTS_UUID_LEN);
	kl += POINTS_UUID_LEN;
	return del ? points_db__del(db, &idx_ks, k, kl) :
	    points_db__put(db, &idx_ks, k, kl, "", 0);
}

/* ---- Changes of state ---- */

/* Record r's change from state from (-1: placed) to r->o.state: the
 * history, the state index, the outbox (event 0: no
 * POINTS_OUTBOX_ORDER_STATE event, the caller writes its own), the
 * record.  A placing with no actor writes no history record: change 1
 * would only repeat the order's record (its time is the order's created,
 * from nothing to submitted, no actor, no reason; implied_placing), and
 * an order costs one write less. */
static int
record_change_ev(points_db *db, order_rec *r, int from, const char *actor,
    const char *reason, int event)
{
	unsigned char k[IDX_MAX];
	points_buf *b = &db->vbuf;
	points_outbox_json j;
	int rc;

	if (r->o.changes >= UINT32_MAX)
		return points_db__err(db, POINTS_ELIMIT, "order %s: no changes "
		    "left in its history", r->o.id);
	r->o.changes++;
	r->o.updated = from < 0 ? r->o.created : points_db__time(db, 0);
	if (from < 0 && !actor)
		goto indexed;
	points_buf__reset(b);
	points_buf__u8(b, CHANGE_V1);
	points_buf__svar(b, r->o.updated);
	points_buf__svar(b, from);
	points_buf__svar(b, r->o.state);
	points_buf__str(b, actor);
	points_buf__str(b, reason);
	if (b->err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	memcpy(k, r->id, POINTS_UUID_LEN);
	points_codec__put_be32(k + POINTS_UUID_LEN, (uint32_t)r->o.changes);
	if ((rc = points_db__put(db, &log_ks, k, POINTS_UUID_LEN + 4, b->data,
	    b->len)))
		return rc;
indexed:
	if (from >= 0 && (rc = idx_put(db, k, key_state(k, from), r, 1)))
		return rc;
	if ((rc = idx_put(db, k, key_state(k, r->o.state), r, 0)))
		return rc;
	if (!event)
		return order_store(db, r);
	points_outbox__json_begin(&j);
	points_outbox__json_str(&j, "order", r->o.id);
	points_outbox__json_str(&j, "sku", r->o.sku);
	points_outbox__json_str(&j, "from", from < 0 ? "" : state_name(from));
	points_outbox__json_str(&j, "to", state_name(r->o.state));
	points_outbox__json_int(&j, "quantity", r->o.quantity);
	points_outbox__json_int(&j, "amount", r->o.amount);
	if (r->o.cash)
		points_outbox__json_int(&j, "cash", r->o.cash);
	if (r->o.allowance_amount) {
		points_outbox__json_str(&j, "allowance", r->o.allowance);
		points_outbox__json_int(&j, "allowance_amount",
		    r->o.allowance_amount);
	}
	if (r->o.state == POINTS_ORDER_SHIPPED) {
		points_outbox__json_str(&j, "carrier", r->o.carrier);
		points_outbox__json_str(&j, "tracking", r->o.tracking);
	}
	if ((rc = points_outbox__json_end(&j)))
		return points_db__err(db, rc, "order %s: outbox event too long",
		    r->o.id);
	if ((rc = points_outbox__append(db, POINTS_OUTBOX_ORDER_STATE,
	    r->o.id, r->o.account, j.buf, NULL)))
		return rc;
	return order_store(db, r);
}

static int
record_change(points_db *db, order_rec *r, int from, const char *actor,
    const char *reason)
{
	return record_change_ev(db, r, from, actor, reason, 1);
}

/* ---- Placing ---- */

static const points_field req_fields[] = {
	POINTS_FIELD(points_order_req, version, POINTS_FIELD_UINT,
	    POINTS_FIELD_VERSION, 1),
	POINTS_FIELD(points_order_req, account, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_order_req, sku, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_order_req, quantity, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_order_req, note, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_order_req, idempotency_key, POINTS_FIELD_STR,
	    POINTS_FIELD_KEY, 1),
	POINTS_FIELD(points_order_req, actor, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_order_req, points_max, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 2),
	POINTS_FIELD(points_order_req, allowance, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 3),
};
static const size_t req_sizes[] = {
	0, POINTS_END_OF(points_order_req, actor), /* 1 */
	POINTS_END_OF(points_order_req, points_max), /* 2: points + cash */
	POINTS_END_OF(points_order_req, allowance),  /* 3: an allowance */
};
static const points_order_req req_defaults = POINTS_ORDER_REQ_INIT;
const points_reqtype points_order__req = {
	"order request", sizeof(points_order_req), POINTS_ORDER_REQ_VERSION,
	req_sizes, &req_defaults, req_fields,
	sizeof(req_fields) / sizeof(req_fields[0]),
	offsetof(points_order_req, idempotency_key),
};
POINTS_WRITE_REQUEST_FITS(points_order_req);
POINTS_WRITE_RESULT_FITS(points_order);

static int
check_actor(points_db *db, const char *actor, const char *reason)
{
	int rc;

	if ((rc = points_db__check_str(db, "actor", actor, POINTS_ACTOR_MAX,
	    0)))
		return rc;
	if (actor && !*actor)
		return points_db__err(db, POINTS_EINVAL, "actor is empty");
	return points_db__check_str(db, "reason", reason, POINTS_REASON_MAX,
	    0);
}

static int
validate_place(points_db *db, const points_write_op *op, const void *req,
    void *ctx)
{
	const points_order_req *r = req;
	int rc;

	(void)op;
	(void)ctx;
	if (r->account <= 0)
		return points_db__err(db, POINTS_EINVAL, "order: bad account "
		    "%lld", (long long)r->account);
	if ((rc = points_item__check_sku(db, r->sku)))
		return rc;
	if (r->quantity <= 0)
		return points_db__err(db, POINTS_EINVAL, "order: quantity must "
		    "be positive (got %lld)", (long long)r->quantity);
	if ((rc = points_db__check_str(db, "order note", r->note,
	    POINTS_ORDER_NOTE_MAX, 0)))
		return rc;
	if (r->points_max != -1 && r->points_max < 1)
		return points_db__err(db, POINTS_EINVAL, "order: points_max "
		    "must be -1 (all in points) or at least 1 (got %lld)",
		    (long long)r->points_max);
	if ((rc = points_db__check_str(db, "allowance", r->allowance,
	    POINTS_ASSET_MAX, 0)))
		return rc;
	return check_actor(db, r->actor, NULL);
}

/* What account (external id ext) has available of asset, not below 0. */
static int
spendable(points_db *db, int64_t account, const char *asset, int64_t *out)
{
	points_balance b;
	int rc;

	if ((rc = points_balance_get(db, account, asset, &b)))
		return rc;
	*out = b.available > 0 ? b.available : 0;
	return POINTS_OK;
}

/* How an order of r pays total, the points price of its units, in the
 * item's asset (points/mall.h): *points in points, *allow in r's
 * allowance (1:1), *cash_points in cash.  The source that pays first
 * (the mall's pay order) pays what it can: its available balance,
 * points at most points_max; the second the rest: points at most
 * points_max, the allowance at most its balance when points_max lets
 * cash pay what is left.  What neither pays is paid in cash (points_max
 * set), else by the second source, whose hold refuses what it lacks. */
static int
pay_split(points_db *db, const points_order_req *r, const char *ext,
    const char *asset, int64_t total, int64_t *points, int64_t *allow,
    int64_t *cash_points)
{
	points_mall_settings m;
	int64_t left = total, cap_points, have;
	int rc;

	cap_points = r->points_max == -1 ? INT64_MAX : r->points_max;
	*points = *allow = *cash_points = 0;
	if (!r->allowance || !*r->allowance) {
		*points = total < cap_points ? total : cap_points;
		*cash_points = total - *points;
		return POINTS_OK;
	}
	if ((rc = points_mall__settings(db, &m)))
		return rc;
	if (m.pay_order == POINTS_PAY_POINTS_FIRST) {
		if ((rc = spendable(db, r->account, asset, &have)))
			return rc;
		if (have < cap_points)
			cap_points = have;
		*points = left < cap_points ? left : cap_points;
		left -= *points;
		if ((rc = spendable(db, r->account, r->allowance, &have)))
			return rc;
		if (r->points_max == -1 && left > have)
			return points_db__err(db, POINTS_EINSUFFICIENT,
			    "account %s: insufficient %s (the allowance): "
			    "available %lld, needs %lld beyond %lld %s",
			    ext, r->allowance, (long long)have,
			    (long long)left, (long long)*points, asset);
		*allow = left < have ? left : have;
		left -= *allow;
	} else {
		if ((rc = spendable(db, r->account, r->allowance, &have)))
			return rc;
		*allow = left < have ? left : have;
		left -= *allow;
		*points = left < cap_points ? left : cap_points;
		left -= *points;
	}
	*cash_points = left;
	return POINTS_OK;
}

/* Hold amount of asset for the order: *t the hold, *seq its entry. */
static int
hold_part(points_db *db, const points_order_req *r, const char *asset,
    int64_t amount, const char *memo, points_txn *t, int64_t *seq)
{
	points_posting p = POINTS_POSTING_INIT;

	p.asset = asset;
	p.account = r->account;
	p.amount = amount;
	p.memo = memo;
	p.category = ORDER_CATEGORY;
	p.actor = r->actor;
	return points_hold__create_within(db, &p, t, seq);
}

static int
place_body(points_db *db, const points_write_op *op, const void *req,
    void *ctx, void *result, int64_t *seq)
{
	const points_order_req *r = req;
	points_account a;
	points_item_rec item;
	order_rec o;
	points_txn t, ta;
	unsigned char k[IDX_MAX];
	char memo[POINTS_MEMO_MAX + 1];
	int64_t unit, amount, now, hseq = 0, aseq = 0, cash = 0;
	int64_t cash_points, allow, unit_cash;
	size_t m;
	int rc;

	(void)op;
	(void)ctx;
	/* the account */
	if ((rc = points_account__load(db, r->account, &a)))
		return rc;
	if (a.flags & POINTS_ACCOUNT_SYSTEM)
		return points_db__err(db, POINTS_EINVAL, "account %s is a "
		    "system account: it cannot order", a.external_id);
	if (a.status == POINTS_ACCOUNT_FROZEN)
		return points_db__err(db, POINTS_EFROZEN, "account %s is "
		    "frozen: it cannot order", a.external_id);
	if (a.status == POINTS_ACCOUNT_CLOSED)
		return points_db__err(db, POINTS_ECLOSED, "account %s is "
		    "closed: it cannot order", a.external_id);
	/* the item */
	if ((rc = points_item__load(db, r->sku, &item)))
		return rc;
	if (!item.it.listed)
		return points_db__err(db, POINTS_ESTATE, "item '%s' is "
		    "delisted: it cannot be ordered", r->sku);
	now = points_db__time(db, 0);
	if ((rc = points_window__item_open(db, &item, now, NULL)) ||
	    (rc = points_item__tier_allows(db, &item, a.tier)))
		return rc;
	if (item.it.stock != POINTS_STOCK_UNLIMITED &&
	    item.it.stock < r->quantity)
		return points_db__err(db, POINTS_EOUTOFSTOCK, "item '%s' is out "
		    "of stock: %lld left, account %s asked for %lld", r->sku,
		    (long long)item.it.stock, a.external_id,
		    (long long)r->quantity);
	if ((rc = points_bundle__check(db, &item, r->quantity,
	    a.external_id)))
		return rc;
	if (item.it.order_limit && r->quantity > item.it.order_limit)
		return points_db__err(db, POINTS_EQUOTA, "item '%s': at most "
		    "%lld an order, account %s asked for %lld", r->sku,
		    (long long)item.it.order_limit, a.external_id,
		    (long long)r->quantity);
	if ((rc = points_period__check(db, &item, r->account, a.external_id,
	    r->quantity, now)) ||
	    (rc = points_mall__min_balance_check(db, r->account,
	    a.external_id, item.it.asset)))
		return rc;
	/* the price in force now: a flash discount's (price.c) */
	unit = points_item__price_at(&item, a.tier, now);
	if (r->quantity > INT64_MAX / unit)
		return points_db__err(db, POINTS_EOVERFLOW, "item '%s': %lld "
		    "units at %lld points overflow", r->sku,
		    (long long)r->quantity, (long long)unit);
	/* the allowance: another asset, 1:1 in the price */
	if (r->allowance && *r->allowance) {
		points_asset_rec aa;

		if ((rc = points_asset__find(db, r->allowance, &aa)))
			return rc;
		if (strcmp(r->allowance, item.it.asset) == 0)
			return points_db__err(db, POINTS_EINVAL, "item '%s' is "
			    "paid in %s: the allowance must be another asset",
			    r->sku, item.it.asset);
	}
	/* who pays what (the allowance, points, cash), then points + cash:
	 * the item's cash part, and what is left of the points price at the
	 * asset's ratio, rounded up */
	if ((rc = pay_split(db, r, a.external_id, item.it.asset,
	    unit * r->quantity, &amount, &allow, &cash_points)) || (cash_points && (rc =
	    points_mall__cash_of(db, item.it.asset, cash_points, &cash))))
		return rc;
	if (amount == 0 && allow == 0)
		return points_db__err(db, POINTS_EINSUFFICIENT, "account %s "
		    "has neither %s nor %s to spend: order of item '%s' "
		    "refused", a.external_id, item.it.asset, r->allowance,
		    r->sku);
	if (item.it.cash && (__builtin_mul_overflow(item.it.cash, r->quantity,
	    &unit_cash) || __builtin_add_overflow(cash, unit_cash, &cash)))
		return points_db__err(db, POINTS_EOVERFLOW, "item '%s': the "
		    "cash of %lld units overflows", r->sku,
		    (long long)r->quantity);
	/* the points and the allowance: a hold each (what is not there is
	 * refused there); the order's id is the first's */
	m = points_codec__cat(memo, sizeof(memo), 0, "order ");
	m = points_codec__cat(memo, sizeof(memo), m, r->sku);
	m = points_codec__cat(memo, sizeof(memo), m, " x");
	points_codec__cat_int(memo, sizeof(memo), m, r->quantity);
	if ((amount && (rc = hold_part(db, r, item.it.asset, amount, memo,
	    &t, &hseq))) || (allow && (rc = hold_part(db, r, r->allowance,
	    allow, memo, &ta, &aseq))))
		return rc;
	/* the order */
	memset(&o, 0, sizeof(o));
	if ((rc = points_db__uuid_parse(db, amount ? t.id : ta.id, o.id)))
		return rc;
	points_ids__format(o.id, o.o.id);
	if (amount)
		strcpy(o.o.hold_id, t.id);
	if (allow) {
		strcpy(o.o.allowance, r->allowance);
		o.o.allowance_amount = allow;
		strcpy(o.o.allowance_hold_id, ta.id);
	}
	o.o.account = r->account;
	strcpy(o.o.sku, r->sku);
	strcpy(o.o.asset, item.it.asset);
	o.o.quantity = r->quantity;
	o.o.unit_price = unit;
	o.o.amount = amount;
	o.o.cash = cash;
	o.o.cash_points = cash_points;
	o.o.state = POINTS_ORDER_SUBMITTED;
	o.o.created = points_db__time(db, 0);
	o.o.return_days = item.it.return_days;
	if (r->note)
		strcpy(o.o.note, r->note);
	/* the stock (a bundle's components' too) and the counters */
	if ((rc = points_item__stock_move(db, &item, -r->quantity)) ||
	    (rc = points_bundle__take(db, o.id, &item, r->quantity)))
		return rc;
	if (points_codec__add(&item.it.orders, 1) ||
	    points_codec__add(&item.it.units, r->quantity) ||
	    points_codec__add(&item.it.points, amount))
		return points_db__err(db, POINTS_EOVERFLOW, "item '%s': its "
		    "counters would overflow", r->sku);
	if ((rc = points_item__store(db, &item)) ||
	    (rc = idx_put(db, k, key_item(k, r->sku), &o, 0)) ||
	    (rc = record_change(db, &o, -1, r->actor, NULL)))
		return rc;
	*seq = amount ? hseq : aseq;
	memcpy(result, &o.o, sizeof(o.o));
	return POINTS_OK;
}

/* ---- An auction's order ---- */

int
points_order__of_auction(points_db *db, const char *hold_id,
    const char *capture_id, int64_t account, const char *sku, int64_t amount,
    const char *note, points_order *out)
{
	points_item_rec item;
	order_rec o;
	unsigned char k[IDX_MAX];
	int rc;

	if ((rc = points_item__load(db, sku, &item)))
		return rc;
	memset(&o, 0, sizeof(o));
	if ((rc = points_db__uuid_parse(db, hold_id, o.id)))
		return rc;
	points_ids__format(o.id, o.o.id);
	strcpy(o.o.hold_id, hold_id);
	strcpy(o.o.capture_id, capture_id);
	o.o.account = account;
	strcpy(o.o.sku, sku);
	strcpy(o.o.asset, item.it.asset);
	o.o.quantity = 1;
	o.o.unit_price = amount;
	o.o.amount = amount;
	o.o.state = POINTS_ORDER_APPROVED;
	o.o.created = points_db__time(db, 0);
	o.o.return_days = item.it.return_days;
	if (note)
		points_codec__cat(o.o.note, sizeof(o.o.note), 0, note);
	if (points_codec__add(&item.it.orders, 1) ||
	    points_codec__add(&item.it.units, 1) ||
	    points_codec__add(&item.it.points, amount))
		return points_db__err(db, POINTS_EOVERFLOW, "item '%s': its "
		    "counters would overflow", sku);
	if ((rc = points_item__store(db, &item)) ||
	    (rc = idx_put(db, k, key_item(k, sku), &o, 0)) ||
	    (rc = record_change(db, &o, -1, "auction", NULL)))
		return rc;
	*out = o.o;
	return POINTS_OK;
}

/* ---- A lottery's order ---- */

int
points_order__of_prize(points_db *db, const unsigned char id[POINTS_UUID_LEN],
    int64_t account, const char *sku, const char *note, points_order *out)
{
	points_item_rec item;
	order_rec o;
	unsigned char k[IDX_MAX];
	int rc;

	if ((rc = points_item__load(db, sku, &item)))
		return rc;
	memset(&o, 0, sizeof(o));
	memcpy(o.id, id, POINTS_UUID_LEN);
	points_ids__format(o.id, o.o.id);
	o.o.account = account;
	strcpy(o.o.sku, sku);
	strcpy(o.o.asset, item.it.asset);
	o.o.quantity = 1;
	o.o.state = POINTS_ORDER_APPROVED;
	o.o.created = points_db__time(db, 0);
	o.o.return_days = item.it.return_days;
	if (note)
		points_codec__cat(o.o.note, sizeof(o.o.note), 0, note);
	if (points_codec__add(&item.it.orders, 1) ||
	    points_codec__add(&item.it.units, 1))
		return points_db__err(db, POINTS_EOVERFLOW, "item '%s': its "
		    "counters would overflow", sku);
	if ((rc = points_item__store(db, &item)) ||
	    (rc = idx_put(db, k, key_item(k, sku), &o, 0)) ||
	    (rc = record_change(db, &o, -1, "lottery", NULL)))
		return rc;
	*out = o.o;
	return POINTS_OK;
}

/* ---- An account's orders ---- */

/* The order of the account's entry seq (loaded into e), in *o with
 * *found 1; *found 0 when the entry is no order's: not a hold of
 * category "mall", or the allowance's hold of an order that holds
 * points too (the order's id is its points' hold's). */
static int
order_of_entry(points_db *db, int64_t account, int64_t seq,
    points_entry_rec *e, order_rec *o, int *found)
{
	char category[POINTS_CATEGORY_MAX + 1], actor[POINTS_ACTOR_MAX + 1];
	const void *v;
	size_t vl;
	int rc;

	*found = 0;
	if ((rc = points_entry__load(db, seq, e)))
		return rc;
	if (e->type != POINTS_TXN_HOLD)
		return POINTS_OK;
	points_entry__meta(e, category, actor);
	if (strcmp(category, ORDER_CATEGORY) != 0 &&
	    strcmp(category, POINTS_ORDER__AUCTION_CATEGORY) != 0)
		return POINTS_OK;
	rc = points_db__get(db, &order_ks, e->txid, POINTS_UUID_LEN, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc || (rc = decode(db, e->txid, v, vl, o)))
		return rc;
	if (o->o.account != account)
		return points_db__err(db, POINTS_ECORRUPT, "order %s is "
		    "account %lld's, but its hold is account %lld's", o->o.id,
		    (long long)o->o.account, (long long)account);
	*found = 1;
	return POINTS_OK;
}

int
points_order__of_hold(points_db *db, const unsigned char txid[POINTS_UUID_LEN],
    points_order *out)
{
	order_rec o;
	const void *v;
	size_t vl;
	int rc;

	rc = points_db__get(db, &order_ks, txid, POINTS_UUID_LEN, &v, &vl);
	if (rc == POINTS_OK)
		rc = decode(db, txid, v, vl, &o);
	if (rc == POINTS_OK)
		*out = o.o;
	return rc;
}

int
points_order__each(points_db *db, points_order__fn fn, void *arg)
{
	unsigned char keys[64 * POINTS_UUID_LEN], lo[POINTS_UUID_LEN];
	size_t n, i, j;
	int started = 0, rc;

	do {
		rc = points_db__collect_keys(db, &order_ks, started ? lo : NULL,
		    started ? POINTS_UUID_LEN : 0, NULL, 0, POINTS_UUID_LEN,
		    keys, 64, &n);
		for (i = 0; rc == POINTS_OK && i < n; i++) {
			points_order o;

			rc = points_order__of_hold(db, keys + i * POINTS_UUID_LEN,
			    &o);
			if (rc == POINTS_OK)
				rc = fn(db, &o, arg);
		}
		if (rc || n < 64)
			break;
		/* the next chunk starts just past the last key */
		memcpy(lo, keys + (n - 1) * POINTS_UUID_LEN, POINTS_UUID_LEN);
		for (j = POINTS_UUID_LEN; j > 0 && ++lo[j - 1] == 0; j--)
			;
		started = 1;
		if (j == 0)
			break;
	} while (1);
	return rc;
}

/* ---- Limits per period (limit.c) ---- */

int
points_order__units_since(points_db *db, int64_t account, const char *sku,
    int64_t since, int64_t until, int64_t *out)
{
	points_statement_walk w;
	points_entry_rec e;
	int64_t seqs[POINTS_STATEMENT_WALK_MAX], units = 0;
	size_t n, i;
	int rc, found;

	/* the account's orders are its holds, whose time is the order's
	 * created */
	if ((rc = points_statement__walk_start(db, &w, account, since,
	    until == INT64_MAX ? 0 : until)))
		return rc;
	points_entry__init(&e, 0, 0, 0);
	do {
		if ((rc = points_statement__walk_next(db, &w, seqs,
		    POINTS_STATEMENT_WALK_MAX, &n)))
			break;
		for (i = 0; i < n && rc == POINTS_OK; i++) {
			order_rec o;

			rc = order_of_entry(db, account, seqs[i], &e, &o,
			    &found);
			if (rc || !found || strcmp(o.o.sku, sku) != 0 ||
			    o.o.created < since || o.o.created >= until ||
			    o.o.state == POINTS_ORDER_CANCELLED ||
			    o.o.state == POINTS_ORDER_RETURNED)
				continue;
			if (points_codec__add(&units, o.o.quantity))
				rc = points_db__err(db, POINTS_EOVERFLOW,
				    "item '%s': units ordered overflow", sku);
		}
	} while (rc == POINTS_OK && n > 0);
	points_entry__free(&e);
	if (rc == POINTS_OK)
		*out = units;
	return rc;
}

/* A repeated key: the order its first request placed. */
static int
place_replay(points_db *db, const points_write_op *op, int64_t seq,
    void *result)
{
	points_entry_rec e;
	order_rec o;
	int rc;

	(void)op;
	points_entry__init(&e, 0, 0, 0);
	rc = points_entry__load(db, seq, &e);
	if (rc == POINTS_OK) {
		char text[POINTS_ID_LEN + 1];

		points_ids__format(e.txid, text);
		rc = order_load(db, e.txid, text, &o);
	}
	points_entry__free(&e);
	if (rc)
		return rc;
	o.o.replayed = 1;
	memcpy(result, &o.o, sizeof(o.o));
	return POINTS_OK;
}

static const points_write_op place_op = {
	"order", ORDER_PLACE_TYPE, &points_order__req, sizeof(points_order),
	validate_place, place_body, place_replay, NULL, NULL,
};

POINTS_EXTERN int
points_order_place(points_db *db, const points_order_req *req,
    points_order *out)
{
	return points_write__run_ks(db, &place_op, &idem_ks, req, NULL, out);
}

POINTS_EXTERN int
points_order_req_init(points_order_req *r, unsigned int version)
{
	return points_write__init(&points_order__req, r, version);
}

/* ---- The other changes ---- */

enum { T_APPROVE, T_CANCEL, T_SHIP, T_DELIVER, T_RETURN, T_EXCHANGE,
	T_SWITCH };
static const char *const verbs[] = {
	"approved", "cancelled", "shipped", "delivered", "returned",
	"exchanged", "switched",
};

typedef struct change_args {
	int what;
	const char *carrier, *tracking;
	int restock;
	const char *actor, *reason;
	const char *sku; /* T_SWITCH: the replacement */
} change_args;

static int
refused(points_db *db, const order_rec *o, int what, const char *why)
{
	return points_db__err(db, POINTS_ESTATE, "order %s is %s: it cannot "
	    "be %s%s", o->o.id, state_name(o->o.state), verbs[what], why);
}

/* Give back what the order took: the stock (when restock) and the
 * item's counters. */
static int
give_back(points_db *db, const order_rec *o, int restock)
{
	points_item_rec item;
	int rc;

	if ((rc = points_item__load(db, o->o.sku, &item)))
		return rc;
	if (restock && item.it.stock != POINTS_STOCK_UNLIMITED) {
		if (item.it.stock > INT64_MAX - o->o.quantity)
			return points_db__err(db, POINTS_EOVERFLOW, "item "
			    "'%s': stock would overflow", o->o.sku);
		item.it.stock += o->o.quantity;
	}
	item.it.orders--;
	item.it.units -= o->o.quantity;
	item.it.points -= o->o.amount;
	if ((rc = points_item__store(db, &item)))
		return rc;
	return points_bundle__give_back(db, o->id, restock);
}

static int
reverse_capture(points_db *db, const char *capture_id, const change_args *c,
    const char *memo, char *refund_id)
{
	points_reversal rv = POINTS_REVERSAL_INIT;
	points_txn t;
	int rc;

	rv.txn_id = capture_id;
	rv.memo = memo;
	rv.category = ORDER_CATEGORY;
	rv.actor = c->actor;
	if ((rc = points_reversal__within(db, &rv, &t)))
		return rc;
	strcpy(refund_id, t.id);
	return POINTS_OK;
}

/* Refund a captured order: its CAPTUREs (the points', the allowance's)
 * reversed, and what its redemption earned taken back. */
static int
refund(points_db *db, order_rec *o, const change_args *c, const char *memo)
{
	int rc;

	if (o->o.capture_id[0] && ((rc = reverse_capture(db,
	    o->o.capture_id, c, memo, o->o.refund_id)) ||
	    (rc = points_event__unredeemed(db, o->o.id, memo, c->actor))))
		return rc;
	if (o->o.allowance_capture_id[0] && (rc = reverse_capture(db,
	    o->o.allowance_capture_id, c, memo, o->o.allowance_refund_id)))
		return rc;
	return POINTS_OK;
}

/* delivered -> exchanging, within the return period: the replacement
 * takes its units from the stock; no points move, and the unit sent
 * back is not restocked (it is faulty). */
static int
exchange(points_db *db, order_rec *o, int from)
{
	points_item_rec item;
	int64_t days;
	int rc, codes;

	if (from != POINTS_ORDER_DELIVERED)
		return refused(db, o, T_EXCHANGE, " (only a delivered order "
		    "is)");
	if ((rc = points_code__order_has(db, o->id, &codes)))
		return rc;
	if (codes)
		return points_db__err(db, POINTS_ESTATE, "order %s: its codes "
		    "were issued: a code cannot be exchanged", o->o.id);
	if (o->o.return_days == 0)
		return points_db__err(db, POINTS_ESTATE, "order %s: item '%s' "
		    "takes no returns or exchanges", o->o.id, o->o.sku);
	days = points_db__day(db, points_db__time(db, 0)) -
	    points_db__day(db, o->o.delivered_at);
	if (days > o->o.return_days)
		return points_db__err(db, POINTS_ESTATE, "order %s: the return "
		    "period ended: delivered %lld days ago, exchanges within "
		    "%lld", o->o.id, (long long)days,
		    (long long)o->o.return_days);
	if ((rc = points_item__load(db, o->o.sku, &item)))
		return rc;
	if (item.it.stock != POINTS_STOCK_UNLIMITED &&
	    item.it.stock < o->o.quantity)
		return points_db__err(db, POINTS_EOUTOFSTOCK, "order %s: item "
		    "'%s' is out of stock: %lld left, the replacement needs "
		    "%lld", o->o.id, o->o.sku, (long long)item.it.stock,
		    (long long)o->o.quantity);
	if ((rc = points_item__stock_move(db, &item, -o->o.quantity)) ||
	    (rc = points_item__store(db, &item)) ||
	    (rc = points_bundle__retake(db, o->id, o->o.id)))
		return rc;
	o->o.state = POINTS_ORDER_EXCHANGING;
	return POINTS_OK;
}

/* A submitted or approved order switched to item c->sku (a replacement
 * for a delisted item, or one whose codes ran out), in the same state:
 * same asset, a unit price for the account no dearer than the order
 * paid; the difference is refunded (approved: a reversal of that much
 * of the capture) or released at approval (submitted: the capture takes
 * the new amount).  The stock and counters move from the old item to
 * the new; an approved order gets its codes from the new item's pool;
 * the history records a change from the state to itself and the outbox
 * a POINTS_OUTBOX_ORDER_SWITCHED event. */
static int
switch_item(points_db *db, order_rec *o, const change_args *c,
    const char *memo)
{
	points_account a;
	points_item_rec item;
	points_outbox_json j;
	unsigned char k[IDX_MAX];
	char old_sku[POINTS_SKU_MAX + 1];
	int64_t unit, amount, diff, issued;
	int from = o->o.state, rc, codes, parts;

	if (from != POINTS_ORDER_SUBMITTED && from != POINTS_ORDER_APPROVED)
		return refused(db, o, T_SWITCH, " (only a submitted or "
		    "approved order is)");
	if (strcmp(c->sku, o->o.sku) == 0)
		return points_db__err(db, POINTS_EINVAL, "order %s is of item "
		    "'%s' already", o->o.id, c->sku);
	if ((rc = points_code__order_has(db, o->id, &codes)))
		return rc;
	if (codes)
		return points_db__err(db, POINTS_ESTATE, "order %s: its codes "
		    "were issued: it cannot be switched", o->o.id);
	if (o->o.cash)
		return points_db__err(db, POINTS_ESTATE, "order %s is paid "
		    "partly in cash: it cannot be switched (cancel it)",
		    o->o.id);
	if (o->o.allowance_amount)
		return points_db__err(db, POINTS_ESTATE, "order %s is paid "
		    "partly in %s: it cannot be switched (cancel it)",
		    o->o.id, o->o.allowance);
	if ((rc = points_account__load(db, o->o.account, &a)) ||
	    (rc = points_item__load(db, c->sku, &item)) ||
	    (rc = points_bundle__order_has(db, o->id, &parts)))
		return rc;
	if (parts || item.it.bundle_parts)
		return points_db__err(db, POINTS_ESTATE, "order %s: an order "
		    "of a bundle, or to one, cannot be switched", o->o.id);
	if (!item.it.listed)
		return points_db__err(db, POINTS_ESTATE, "item '%s' is "
		    "delisted: it cannot replace order %s's", c->sku, o->o.id);
	if (strcmp(item.it.asset, o->o.asset))
		return points_db__err(db, POINTS_EINVAL, "item '%s' is sold in "
		    "%s, order %s was paid in %s", c->sku, item.it.asset,
		    o->o.id, o->o.asset);
	if ((rc = points_item__tier_allows(db, &item, a.tier)))
		return rc;
	if (item.it.cash)
		return points_db__err(db, POINTS_ESTATE, "item '%s' has a cash "
		    "part: it cannot replace order %s's", c->sku, o->o.id);
	unit = points_item__price_of(&item, a.tier);
	if (unit > o->o.unit_price)
		return points_db__err(db, POINTS_EINVAL, "item '%s' costs "
		    "account %s %lld a unit, more than the %lld order %s paid: "
		    "a replacement may not be dearer", c->sku, a.external_id,
		    (long long)unit, (long long)o->o.unit_price, o->o.id);
	if (item.it.stock != POINTS_STOCK_UNLIMITED &&
	    item.it.stock < o->o.quantity)
		return points_db__err(db, POINTS_EOUTOFSTOCK, "item '%s' is out "
		    "of stock: %lld left, order %s needs %lld", c->sku,
		    (long long)item.it.stock, o->o.id,
		    (long long)o->o.quantity);
	amount = unit * o->o.quantity;
	diff = o->o.amount - amount;
	/* the old item gets its units and counters back */
	if ((rc = give_back(db, o, 1)))
		return rc;
	/* the new item gives them (another record: the SKUs differ) */
	if ((rc = points_item__stock_move(db, &item, -o->o.quantity)))
		return rc;
	if (points_codec__add(&item.it.orders, 1) ||
	    points_codec__add(&item.it.units, o->o.quantity) ||
	    points_codec__add(&item.it.points, amount))
		return points_db__err(db, POINTS_EOVERFLOW, "item '%s': its "
		    "counters would overflow", c->sku);
	if ((rc = points_item__store(db, &item)))
		return rc;
	if (from == POINTS_ORDER_APPROVED && diff > 0) {
		points_reversal rv = POINTS_REVERSAL_INIT;
		points_txn t;

		rv.txn_id = o->o.capture_id;
		rv.amount = diff;
		rv.memo = memo;
		rv.category = ORDER_CATEGORY;
		rv.actor = c->actor;
		if ((rc = points_reversal__within(db, &rv, &t)))
			return rc;
	}
	if (from == POINTS_ORDER_APPROVED &&
	    (rc = points_code__issue(db, o->id, o->o.id, c->sku,
	    o->o.quantity, &issued)))
		return rc;
	strcpy(old_sku, o->o.sku);
	if ((rc = idx_put(db, k, key_item(k, old_sku), o, 1)))
		return rc;
	strcpy(o->o.sku, c->sku);
	o->o.unit_price = unit;
	o->o.amount = amount;
	o->o.return_days = item.it.return_days;
	if ((rc = idx_put(db, k, key_item(k, o->o.sku), o, 0)))
		return rc;
	points_outbox__json_begin(&j);
	points_outbox__json_str(&j, "order", o->o.id);
	points_outbox__json_str(&j, "from_sku", old_sku);
	points_outbox__json_str(&j, "sku", o->o.sku);
	points_outbox__json_str(&j, "state", state_name(from));
	points_outbox__json_int(&j, "quantity", o->o.quantity);
	points_outbox__json_int(&j, "unit_price", unit);
	points_outbox__json_int(&j, "amount", amount);
	points_outbox__json_int(&j, "refund", diff);
	if ((rc = points_outbox__json_end(&j)))
		return points_db__err(db, rc, "order %s: outbox event too long",
		    o->o.id);
	if ((rc = points_outbox__append(db, POINTS_OUTBOX_ORDER_SWITCHED,
	    o->o.id, o->o.account, j.buf, NULL)))
		return rc;
	return record_change_ev(db, o, from, c->actor, c->reason, 0);
}

static int
change_in(points_db *db, const unsigned char id[POINTS_UUID_LEN],
    const char *text, const change_args *c, order_rec *o)
{
	const char *const meta[2] = { ORDER_CATEGORY, c->actor };
	char memo[POINTS_MEMO_MAX + 1];
	int64_t issued;
	int from, rc, codes;
	size_t m;
	points_txn t;

	if ((rc = order_load(db, id, text, o)))
		return rc;
	from = o->o.state;
	m = points_codec__cat(memo, sizeof(memo), 0, "order ");
	m = points_codec__cat(memo, sizeof(memo), m, o->o.id);
	m = points_codec__cat(memo, sizeof(memo), m, " ");
	points_codec__cat(memo, sizeof(memo), m, verbs[c->what]);
	switch (c->what) {
	case T_APPROVE:
		if (from != POINTS_ORDER_SUBMITTED)
			return refused(db, o, c->what, "");
		/* a virtual item's codes, one a unit (codes.h) */
		if ((rc = points_code__issue(db, o->id, o->o.id, o->o.sku,
		    o->o.quantity, &issued)))
			return rc;
		/* the order's amount: less than the hold's when the order
		 * was switched to a cheaper item, the rest released */
		if (o->o.hold_id[0]) {
			if ((rc = points_hold__capture_within(db,
			    o->o.hold_id, o->o.amount, memo, meta, &t)) ||
			    (rc = points_event__redeemed(db, o->o.id,
			    o->o.account, o->o.amount, o->o.sku, o->o.asset,
			    o->o.quantity, c->actor)))
				return rc;
			strcpy(o->o.capture_id, t.id);
		}
		if (o->o.allowance_hold_id[0]) {
			if ((rc = points_hold__capture_within(db,
			    o->o.allowance_hold_id, o->o.allowance_amount, memo,
			    meta, &t)))
				return rc;
			strcpy(o->o.allowance_capture_id, t.id);
		}
		o->o.state = POINTS_ORDER_APPROVED;
		break;
	case T_CANCEL:
		if (from == POINTS_ORDER_SUBMITTED) {
			if (o->o.hold_id[0]) {
				if ((rc = points_hold__settle_within(db,
				    o->o.hold_id, 1, memo, meta, &t)))
					return rc;
				strcpy(o->o.refund_id, t.id);
			}
			if (o->o.allowance_hold_id[0]) {
				if ((rc = points_hold__settle_within(db,
				    o->o.allowance_hold_id, 1, memo, meta,
				    &t)))
					return rc;
				strcpy(o->o.allowance_refund_id, t.id);
			}
		} else if (from == POINTS_ORDER_APPROVED) {
			if ((rc = refund(db, o, c, memo)))
				return rc;
		} else {
			return refused(db, o, c->what, from ==
			    POINTS_ORDER_SHIPPED || from ==
			    POINTS_ORDER_DELIVERED ? " (a return is, once "
			    "delivered)" : "");
		}
		/* issued codes are spent: neither they nor their units go
		 * back (points/mall.h) */
		if ((rc = points_code__order_has(db, o->id, &codes)) ||
		    (rc = give_back(db, o, !codes)))
			return rc;
		o->o.state = POINTS_ORDER_CANCELLED;
		break;
	case T_SHIP:
		if (from != POINTS_ORDER_APPROVED &&
		    from != POINTS_ORDER_EXCHANGING)
			return refused(db, o, c->what, from ==
			    POINTS_ORDER_SUBMITTED ? " before it is approved" :
			    "");
		strcpy(o->o.carrier, c->carrier);
		strcpy(o->o.tracking, c->tracking);
		o->o.shipped_at = points_db__time(db, 0);
		o->o.state = POINTS_ORDER_SHIPPED;
		break;
	case T_DELIVER:
		if (from != POINTS_ORDER_SHIPPED &&
		    from != POINTS_ORDER_APPROVED)
			return refused(db, o, c->what, from ==
			    POINTS_ORDER_SUBMITTED ? " before it is approved" :
			    "");
		o->o.delivered_at = points_db__time(db, 0);
		o->o.state = POINTS_ORDER_DELIVERED;
		break;
	case T_RETURN: {
		int64_t days;

		if (from != POINTS_ORDER_DELIVERED)
			return refused(db, o, c->what, " (only a delivered "
			    "order is)");
		if (o->o.return_days == 0)
			return points_db__err(db, POINTS_ESTATE, "order %s: "
			    "item '%s' takes no returns", o->o.id, o->o.sku);
		days = points_db__day(db, points_db__time(db, 0)) -
		    points_db__day(db, o->o.delivered_at);
		if (days > o->o.return_days)
			return points_db__err(db, POINTS_ESTATE, "order %s: "
			    "the return period ended: delivered %lld days ago, "
			    "returns within %lld", o->o.id, (long long)days,
			    (long long)o->o.return_days);
		if ((rc = points_code__order_has(db, o->id, &codes)) ||
		    (rc = refund(db, o, c, memo)) ||
		    (rc = give_back(db, o, c->restock && !codes)))
			return rc;
		o->o.state = POINTS_ORDER_RETURNED;
		break;
	}
	case T_EXCHANGE:
		if ((rc = exchange(db, o, from)))
			return rc;
		break;
	case T_SWITCH:
		return switch_item(db, o, c, memo);
	}
	return record_change(db, o, from, c->actor, c->reason);
}

static int
change(points_db *db, const char *order_id, const change_args *c,
    points_order *out)
{
	unsigned char id[POINTS_UUID_LEN];
	order_rec o;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if (!order_id)
		return points_db__err(db, POINTS_EINVAL, "order id is required");
	if ((rc = points_db__uuid_parse(db, order_id, id)) ||
	    (rc = check_actor(db, c->actor, c->reason)))
		return rc;
	if (c->what == T_SHIP &&
	    ((rc = points_db__check_str(db, "carrier", c->carrier,
	    POINTS_CARRIER_MAX, 1)) ||
	    (rc = points_db__check_str(db, "tracking number", c->tracking,
	    POINTS_TRACKING_MAX, 1))))
		return rc;
	if (c->what == T_SWITCH && (rc = points_item__check_sku(db, c->sku)))
		return rc;
	if (c->what == T_RETURN && c->restock != 0 && c->restock != 1)
		return points_db__err(db, POINTS_EINVAL, "restock must be 0 or "
		    "1 (got %d)", c->restock);
	if ((rc = points_db__write_begin(db)))
		return rc;
	rc = points_db__write_end(db, change_in(db, id, order_id, c, &o));
	if (rc == POINTS_OK)
		*out = o.o;
	return rc;
}

POINTS_EXTERN int
points_order_approve(points_db *db, const char *order_id, const char *actor,
    const char *reason, points_order *out)
{
	change_args c = { T_APPROVE, NULL, NULL, 0, actor, reason, NULL };

	return change(db, order_id, &c, out);
}

POINTS_EXTERN int
points_order_cancel(points_db *db, const char *order_id, const char *actor,
    const char *reason, points_order *out)
{
	change_args c = { T_CANCEL, NULL, NULL, 0, actor, reason, NULL };

	return change(db, order_id, &c, out);
}

POINTS_EXTERN int
points_order_ship(points_db *db, const char *order_id, const char *carrier,
    const char *tracking, const char *actor, const char *reason,
    points_order *out)
{
	change_args c = { T_SHIP, carrier, tracking, 0, actor, reason, NULL };

	return change(db, order_id, &c, out);
}

POINTS_EXTERN int
points_order_deliver(points_db *db, const char *order_id, const char *actor,
    const char *reason, points_order *out)
{
	change_args c = { T_DELIVER, NULL, NULL, 0, actor, reason, NULL };

	return change(db, order_id, &c, out);
}

POINTS_EXTERN int
points_order_return(points_db *db, const char *order_id, int restock,
    const char *actor, const char *reason, points_order *out)
{
	change_args c = { T_RETURN, NULL, NULL, restock, actor, reason, NULL };

	return change(db, order_id, &c, out);
}

POINTS_EXTERN int
points_order_exchange(points_db *db, const char *order_id, const char *actor,
    const char *reason, points_order *out)
{
	change_args c = { T_EXCHANGE, NULL, NULL, 0, actor, reason, NULL };

	return change(db, order_id, &c, out);
}

POINTS_EXTERN int
points_order_switch(points_db *db, const char *order_id, const char *sku,
    const char *actor, const char *reason, points_order *out)
{
	change_args c = { T_SWITCH, NULL, NULL, 0, actor, reason, sku };

	return change(db, order_id, &c, out);
}

POINTS_EXTERN int
points_order_get(points_db *db, const char *order_id, points_order *out)
{
	unsigned char id[POINTS_UUID_LEN];
	order_rec o;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if (!order_id)
		return points_db__err(db, POINTS_EINVAL, "order id is required");
	if ((rc = points_db__uuid_parse(db, order_id, id)) ||
	    (rc = points_db__read_begin(db)))
		return rc;
	rc = order_load(db, id, order_id, &o);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = o.o;
	return rc;
}

/* ---- An order's history ---- */

#define CHANGE_BUF 16

struct points_order_history_iterator {
	points_iter base;
	int64_t next;
	int64_t created; /* the order's: the time of an implied placing */
	unsigned char id[POINTS_UUID_LEN];
	points_order_change buf[CHANGE_BUF];
};

static int history_fill(points_iter *base);
static const points_iter_type history_type = POINTS_ITER_TYPE(
    "order history iterator", struct points_order_history_iterator, next,
    history_fill, NULL);

/* Change 1 of an order whose placing wrote no record (record_change_ev):
 * the iterator's next entry. */
static void
implied_placing(struct points_order_history_iterator *it,
    points_order_change *out)
{
	memset(out, 0, sizeof(*out));
	out->n = 1;
	out->time = it->created;
	out->from_state = -1;
	out->to_state = POINTS_ORDER_SUBMITTED;
	points_ids__format(it->id, out->order_id);
	it->base.n++;
	it->next = 2;
}

static int
history_fill(points_iter *base)
{
	struct points_order_history_iterator *it = (void *)base;
	points_db *db = base->db;
	unsigned char lo[POINTS_UUID_LEN + 4], hi[POINTS_UUID_LEN + 4];
	points_cursor *c;
	int rc;

	memcpy(lo, it->id, POINTS_UUID_LEN);
	points_codec__put_be32(lo + POINTS_UUID_LEN, (uint32_t)it->next);
	/* up to n = 0xffffffff, excluded: no history reaches it */
	memcpy(hi, it->id, POINTS_UUID_LEN);
	memset(hi + POINTS_UUID_LEN, 0xff, 4);
	rc = db->store->cursor_open(db->store, db->ks[log_ks.slot], lo,
	    sizeof(lo), hi, sizeof(hi), 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "mallorderlog");
	while (base->n < CHANGE_BUF) {
		const void *k, *v;
		size_t kl, vl;
		points_order_change *out = &it->buf[base->n];
		points_rd rd;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER && it->next == 1)
			implied_placing(it, out); /* placed, then nothing */
		if (rc == POINTS_ITEROVER) {
			base->done = 1;
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, "mallorderlog");
			break;
		}
		memset(out, 0, sizeof(*out));
		if (it->next == 1 && kl == POINTS_UUID_LEN + 4 &&
		    points_codec__get_be32((const unsigned char *)k +
		    POINTS_UUID_LEN) != 1) {
			implied_placing(it, out);
			break; /* the next fill reads this record again */
		}
		points_rd__init(&rd, v, vl);
		if (kl != POINTS_UUID_LEN + 4 || points_rd__u8(&rd) != CHANGE_V1)
			rd.err = POINTS_ECORRUPT;
		out->time = points_rd__svar(&rd);
		out->from_state = (int)points_rd__svar(&rd);
		out->to_state = (int)points_rd__svar(&rd);
		points_rd__str(&rd, out->actor, sizeof(out->actor));
		points_rd__str(&rd, out->reason, sizeof(out->reason));
		if (rd.err) {
			rc = points_db__err(db, POINTS_ECORRUPT,
			    "order change record unreadable");
			break;
		}
		points_ids__format(it->id, out->order_id);
		out->n = points_codec__get_be32((const unsigned char *)k +
		    POINTS_UUID_LEN);
		base->n++;
		it->next = out->n + 1;
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

POINTS_EXTERN int
points_order_history_iterator_new(points_db *db, const char *order_id,
    points_order_history_iterator **out)
{
	unsigned char id[POINTS_UUID_LEN];
	points_iter *base;
	order_rec o;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if (!order_id)
		return points_db__err(db, POINTS_EINVAL, "order id is required");
	if ((rc = points_db__uuid_parse(db, order_id, id)) ||
	    (rc = points_db__read_begin(db)))
		return rc;
	rc = order_load(db, id, order_id, &o);
	points_db__read_end(db);
	if (rc)
		return rc;
	if ((rc = points_iter__new(db, &history_type,
	    sizeof(struct points_order_history_iterator), &base)))
		return rc;
	*out = (points_order_history_iterator *)(void *)base;
	(*out)->next = 1;
	(*out)->created = o.o.created;
	memcpy((*out)->id, id, POINTS_UUID_LEN);
	return POINTS_OK;
}

POINTS_EXTERN int
points_order_history_next(points_order_history_iterator *it,
    points_order_change *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &history_type, out);

	if (rc == POINTS_OK)
		*out = it->buf[it->base.i++];
	return rc;
}

POINTS_EXTERN void
points_order_history_iterator_free(points_order_history_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}

/* ---- Lists of orders ---- */

#define ORDER_BUF 8

typedef struct order_pos {
	unsigned char key[IDX_MAX + 1]; /* the last key read, then a 0 */
	size_t len;                     /* 0: from the start */
	points_statement_walk walk;     /* an account's: its entries */
} order_pos;

struct points_order_iterator {
	points_iter base;
	order_pos pos;
	/* the index read (prefix, plen; plen 0: the orders themselves)
	 * and the filters */
	unsigned char prefix[IDX_MAX];
	size_t plen;
	int64_t account;
	int state;
	char sku[POINTS_SKU_MAX + 1];
	points_order buf[ORDER_BUF];
};

static int orders_fill(points_iter *base);
static const points_iter_type orders_type = POINTS_ITER_TYPE(
    "order iterator", struct points_order_iterator, pos, orders_fill, NULL);

/* Whether o passes the iterator's filters. */
static int
orders_match(const struct points_order_iterator *it, const order_rec *o)
{
	return (!it->account || o->o.account == it->account) &&
	    (it->state < 0 || o->o.state == it->state) &&
	    (!it->sku[0] || strcmp(o->o.sku, it->sku) == 0);
}

/* An account's orders: its entries, a walk's chunk at a time (the
 * position moves past a whole chunk, so a chunk's orders all fit the
 * buffer). */
static int
account_orders_fill(points_iter *base)
{
	struct points_order_iterator *it = (void *)base;
	points_db *db = base->db;
	int64_t seqs[ORDER_BUF];
	points_entry_rec e;
	size_t n, i;
	int rc = POINTS_OK, found;

	if (!it->pos.len) {
		if ((rc = points_statement__walk_start(db, &it->pos.walk,
		    it->account, 0, 0)))
			return rc;
		it->pos.len = 1;
	}
	points_entry__init(&e, 0, 0, 0);
	while (rc == POINTS_OK && base->n == 0) {
		if ((rc = points_statement__walk_next(db, &it->pos.walk, seqs,
		    ORDER_BUF, &n)))
			break;
		if (n == 0) {
			base->done = 1;
			break;
		}
		for (i = 0; i < n && rc == POINTS_OK; i++) {
			order_rec o;

			rc = order_of_entry(db, it->account, seqs[i], &e, &o,
			    &found);
			if (rc == POINTS_OK && found && orders_match(it, &o))
				it->buf[base->n++] = o.o;
		}
	}
	points_entry__free(&e);
	return rc;
}

static int
orders_fill(points_iter *base)
{
	struct points_order_iterator *it = (void *)base;
	points_db *db = base->db;
	const points_ksdef *ks = it->plen ? &idx_ks : &order_ks;
	unsigned char hi[IDX_MAX];
	size_t hil = 0;
	points_cursor *c;
	int rc;

	if (it->account)
		return account_orders_fill(base);
	if (it->plen) {
		/* past every key with the prefix: its last byte raised (a
		 * prefix never ends in 0xff: 's'+state, 'i'+SKU+0) */
		memcpy(hi, it->prefix, it->plen);
		hi[it->plen - 1]++;
		hil = it->plen;
	}
	rc = db->store->cursor_open(db->store, db->ks[ks->slot],
	    it->pos.len ? it->pos.key : it->prefix,
	    it->pos.len ? it->pos.len : it->plen, hil ? hi : NULL, hil, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, ks->name);
	while (base->n < ORDER_BUF) {
		const void *k, *v;
		size_t kl, vl;
		const unsigned char *id;
		order_rec o;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			base->done = 1;
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, ks->name);
			break;
		}
		if (kl > IDX_MAX || kl < POINTS_UUID_LEN ||
		    (it->plen && kl != it->plen + POINTS_UUID_LEN)) {
			rc = points_db__err(db, POINTS_ECORRUPT, "%s: bad key",
			    ks->name);
			break;
		}
		memcpy(it->pos.key, k, kl);
		it->pos.key[kl] = 0;
		it->pos.len = kl + 1;
		id = (const unsigned char *)k + kl - POINTS_UUID_LEN;
		if (it->plen) {
			char text[POINTS_ID_LEN + 1];
			unsigned char idb[POINTS_UUID_LEN];

			/* the cursor's values die with the next call */
			memcpy(idb, id, POINTS_UUID_LEN);
			points_ids__format(idb, text);
			rc = order_load(db, idb, text, &o);
			if (rc == POINTS_ENOTFOUND)
				rc = points_db__err(db, POINTS_ECORRUPT,
				    "mallorderidx names order %s, which is "
				    "not there", text);
		} else {
			rc = decode(db, id, v, vl, &o);
		}
		if (rc)
			break;
		if (!orders_match(it, &o))
			continue;
		it->buf[base->n++] = o.o;
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

POINTS_EXTERN int
points_order_iterator_new(points_db *db, int64_t account, int state,
    const char *sku, points_order_iterator **out)
{
	struct points_order_iterator *it;
	points_iter *base;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if (account < 0)
		return points_db__err(db, POINTS_EINVAL, "order iterator: bad "
		    "account %lld", (long long)account);
	if (state < -1 || state >= NSTATES)
		return points_db__err(db, POINTS_EINVAL, "order iterator: "
		    "unknown state %d", state);
	if (sku && (rc = points_item__check_sku(db, sku)))
		return rc;
	if ((rc = points_iter__new(db, &orders_type,
	    sizeof(struct points_order_iterator), &base)))
		return rc;
	it = (struct points_order_iterator *)(void *)base;
	it->account = account;
	it->state = state;
	if (sku)
		strcpy(it->sku, sku);
	/* an account's orders come from its entries
	 * (account_orders_fill), others from an index */
	if (!account && sku)
		it->plen = key_item(it->prefix, sku);
	else if (!account && state >= 0)
		it->plen = key_state(it->prefix, state);
	*out = (points_order_iterator *)it;
	return POINTS_OK;
}

POINTS_EXTERN int
points_order_next(points_order_iterator *it, points_order *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &orders_type, out);

	if (rc == POINTS_OK)
		*out = it->buf[it->base.i++];
	return rc;
}

POINTS_EXTERN void
points_order_iterator_free(points_order_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
