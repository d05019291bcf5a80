/* auction.c - auctions with held bids (points/auction.h, the rules in
 * points_auction_create(3)).
 *
 * Only the leader's hold is open: a bid that takes the lead releases the
 * previous leader's hold and holds its own amount in one transaction, a
 * leader raising its own bid included (release, then a hold of the new
 * amount: one hold per bidder, never two), so what an auction holds is
 * always exactly its price.
 *
 * Stored (keyspace "auction"):
 *   'n'                         -> the last auction id (be64)
 *   'u' | id (be64)             -> the auction
 *   'b' | id (be64) | n (be64)  -> bid n
 *   'o' | id (be64)             -> "": the auctions not settled nor
 *                                  cancelled, for the sweep
 * keyspace "auctionidem": a bid's idempotency key -> the bid's
 * (auction id << 32 | number), which names no entry. */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/db.h"
#include "core/iter.h"
#include "core/module.h"
#include "ledger/hold.h"
#include "ledger/write.h"
#include "mall/item.h"
#include "mall/window.h"
#include "outbox/outbox.h"
#include "activity/eligible.h"

#define AUCTION_FORMAT 1
#define AUCTION_V1 1
#define BID_V1 1
/* The fingerprint's first byte (the lottery draw's is 67). */
#define AUCTION_BID_TYPE 68
#define CATEGORY POINTS_ORDER__AUCTION_CATEGORY

static points_ksdef auction_ks = { "auction", 0, 0 };
static points_ksdef idem_ks = { "auctionidem", 0, 0 };
static points_ksdef *const keyspaces[] = { &auction_ks, &idem_ks, NULL };
static int auction_swept(points_db *db, void *state, uint32_t asset,
    int64_t as_of);
static points_module auction_module = {
	.name = "auction",
	.format = AUCTION_FORMAT,
	.keyspaces = keyspaces,
	.swept = auction_swept,
};
POINTS_MODULE(auction_module)

static const char *const state_names[] = { "open", "sold", "unsold",
	"cancelled" };
static const char *const meta[2] = { CATEGORY, NULL };

/* ---- Records ---- */

static size_t
auction_key(unsigned char *k, int64_t id)
{
	k[0] = 'u';
	points_codec__put_be64(k + 1, (uint64_t)id);
	return 9;
}

static size_t
open_key(unsigned char *k, int64_t id)
{
	k[0] = 'o';
	points_codec__put_be64(k + 1, (uint64_t)id);
	return 9;
}

static size_t
bid_key(unsigned char *k, int64_t id, int64_t n)
{
	k[0] = 'b';
	points_codec__put_be64(k + 1, (uint64_t)id);
	points_codec__put_be64(k + 9, (uint64_t)n);
	return 17;
}

static int
auction_store(points_db *db, const points_auction *a)
{
	unsigned char k[9];
	points_buf b;
	int rc;

	points_buf__init(&b);
	points_buf__u8(&b, AUCTION_V1);
	points_buf__str(&b, a->sku);
	points_buf__str(&b, a->item);
	points_buf__str(&b, a->asset);
	points_buf__svar(&b, a->starts);
	points_buf__svar(&b, a->ends);
	points_buf__svar(&b, a->scheduled_end);
	points_buf__svar(&b, a->start_price);
	points_buf__svar(&b, a->increment);
	points_buf__svar(&b, a->reserve);
	points_buf__svar(&b, a->snipe_window);
	points_buf__svar(&b, a->snipe_extend);
	points_buf__svar(&b, a->min_balance);
	points_buf__str(&b, a->tiers);
	points_buf__str(&b, a->departments);
	points_buf__str(&b, a->condition);
	points_buf__u8(&b, (unsigned)a->state);
	points_buf__svar(&b, a->bids);
	points_buf__svar(&b, a->leader);
	points_buf__svar(&b, a->price);
	points_buf__str(&b, a->hold_id);
	points_buf__svar(&b, a->settled_at);
	points_buf__str(&b, a->capture_id);
	points_buf__str(&b, a->order_id);
	if (b.err)
		rc = points_db__err(db, b.err, "auction %lld: out of memory",
		    (long long)a->id);
	else
		rc = points_db__put(db, &auction_ks, k, auction_key(k, a->id),
		    b.data, b.len);
	points_buf__free(&b);
	return rc;
}

static int
auction_load(points_db *db, int64_t id, points_auction *a)
{
	unsigned char k[9];
	const void *v;
	size_t vl;
	points_rd d;
	int rc;

	rc = points_db__get(db, &auction_ks, k, auction_key(k, id), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, rc, "auction %lld not found",
		    (long long)id);
	if (rc)
		return rc;
	memset(a, 0, sizeof(*a));
	a->id = id;
	points_rd__init(&d, v, vl);
	if (points_rd__u8(&d) != AUCTION_V1)
		d.err = POINTS_ECORRUPT;
	points_rd__str(&d, a->sku, sizeof(a->sku));
	points_rd__str(&d, a->item, sizeof(a->item));
	points_rd__str(&d, a->asset, sizeof(a->asset));
	a->starts = points_rd__svar(&d);
	a->ends = points_rd__svar(&d);
	a->scheduled_end = points_rd__svar(&d);
	a->start_price = points_rd__svar(&d);
	a->increment = points_rd__svar(&d);
	a->reserve = points_rd__svar(&d);
	a->snipe_window = points_rd__svar(&d);
	a->snipe_extend = points_rd__svar(&d);
	a->min_balance = points_rd__svar(&d);
	points_rd__str(&d, a->tiers, sizeof(a->tiers));
	points_rd__str(&d, a->departments, sizeof(a->departments));
	points_rd__str(&d, a->condition, sizeof(a->condition));
	a->state = (int)points_rd__u8(&d);
	a->bids = points_rd__svar(&d);
	a->leader = points_rd__svar(&d);
	a->price = points_rd__svar(&d);
	points_rd__str(&d, a->hold_id, sizeof(a->hold_id));
	a->settled_at = points_rd__svar(&d);
	points_rd__str(&d, a->capture_id, sizeof(a->capture_id));
	points_rd__str(&d, a->order_id, sizeof(a->order_id));
	/* the state is a byte: never below POINTS_AUCTION_OPEN (0) */
	if (d.err || d.p != d.end || a->state > POINTS_AUCTION_CANCELLED)
		return points_db__err(db, POINTS_ECORRUPT, "auction %lld: "
		    "damaged record", (long long)id);
	return POINTS_OK;
}

static int
bid_store(points_db *db, const points_bid *w)
{
	unsigned char k[17];
	points_buf b;
	int rc;

	points_buf__init(&b);
	points_buf__u8(&b, BID_V1);
	points_buf__svar(&b, w->account);
	points_buf__svar(&b, w->time);
	points_buf__svar(&b, w->amount);
	points_buf__str(&b, w->hold_id);
	points_buf__svar(&b, w->ends);
	if (b.err)
		rc = points_db__err(db, b.err, "auction %lld: out of memory",
		    (long long)w->auction);
	else
		rc = points_db__put(db, &auction_ks, k, bid_key(k, w->auction,
		    w->number), b.data, b.len);
	points_buf__free(&b);
	return rc;
}

static int
bid_decode(points_db *db, int64_t id, int64_t n, const void *v, size_t vl,
    points_bid *w)
{
	points_rd d;

	memset(w, 0, sizeof(*w));
	w->auction = id;
	w->number = n;
	points_rd__init(&d, v, vl);
	if (points_rd__u8(&d) != BID_V1)
		d.err = POINTS_ECORRUPT;
	w->account = points_rd__svar(&d);
	w->time = points_rd__svar(&d);
	w->amount = points_rd__svar(&d);
	points_rd__str(&d, w->hold_id, sizeof(w->hold_id));
	w->ends = points_rd__svar(&d);
	if (d.err || d.p != d.end)
		return points_db__err(db, POINTS_ECORRUPT, "auction %lld: bid "
		    "%lld: damaged record", (long long)id, (long long)n);
	return POINTS_OK;
}

static int
bid_load(points_db *db, int64_t id, int64_t n, points_bid *w)
{
	unsigned char k[17];
	const void *v;
	size_t vl;
	int rc;

	rc = points_db__get(db, &auction_ks, k, bid_key(k, id, n), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, rc, "auction %lld: bid %lld not "
		    "found", (long long)id, (long long)n);
	if (rc)
		return rc;
	return bid_decode(db, id, n, v, vl, w);
}

/* ---- Creating ---- */

static int
check_def(points_db *db, const points_auction_def *d)
{
	char what[POINTS_AUCTION_ITEM_MAX + 16];
	points_eligible e;
	int rc;

	if (!memchr(d->sku, 0, sizeof(d->sku)) ||
	    !memchr(d->item, 0, sizeof(d->item)) ||
	    !memchr(d->asset, 0, sizeof(d->asset)) ||
	    !memchr(d->tiers, 0, sizeof(d->tiers)) ||
	    !memchr(d->departments, 0, sizeof(d->departments)) ||
	    !memchr(d->condition, 0, sizeof(d->condition)))
		return points_db__err(db, POINTS_EINVAL, "auction: its strings "
		    "must end in a NUL");
	if (d->sku[0] && (rc = points_item__check_sku(db, d->sku)))
		return rc;
	if ((rc = points_db__check_str(db, "auction item", d->item,
	    POINTS_AUCTION_ITEM_MAX, 0)))
		return rc;
	if (!d->sku[0] && (!d->item[0] || !d->asset[0]))
		return points_db__err(db, POINTS_EINVAL, "auction: an item "
		    "from the catalogue (sku) or one described (item) with "
		    "its asset");
	snprintf(what, sizeof(what), "auction of '%s'", d->sku[0] ? d->sku :
	    d->item);
	if (d->ends <= d->starts)
		return points_db__err(db, POINTS_EINVAL, "%s: it must end "
		    "after it starts", what);
	if (d->start_price <= 0 || d->increment <= 0)
		return points_db__err(db, POINTS_EINVAL, "%s: the starting "
		    "price and the increment must be positive", what);
	if (d->reserve < 0 || d->snipe_window < 0 || d->snipe_extend < 0)
		return points_db__err(db, POINTS_EINVAL, "%s: the reserve and "
		    "the anti-sniping seconds must not be negative", what);
	if ((d->snipe_window == 0) != (d->snipe_extend == 0))
		return points_db__err(db, POINTS_EINVAL, "%s: anti-sniping "
		    "needs both its window and its extension (or neither)",
		    what);
	e.asset = d->asset;
	e.min_balance = d->min_balance;
	e.tiers = d->tiers;
	e.departments = d->departments;
	e.condition = d->condition;
	return points_eligible__check_def(db, what, &e);
}

static int
next_id(points_db *db, int64_t *out)
{
	static const unsigned char nk[1] = { 'n' };
	unsigned char idb[8];
	const void *v;
	size_t vl;
	int64_t id = 0;
	int rc;

	rc = points_db__get(db, &auction_ks, nk, 1, &v, &vl);
	if (rc == POINTS_OK) {
		if (vl != 8)
			return points_db__err(db, POINTS_ECORRUPT, "auction: "
			    "damaged id counter");
		id = (int64_t)points_codec__get_be64(v);
	} else if (rc != POINTS_ENOTFOUND)
		return rc;
	id++;
	points_codec__put_be64(idb, (uint64_t)id);
	if ((rc = points_db__put(db, &auction_ks, nk, 1, idb, 8)))
		return rc;
	*out = id;
	return POINTS_OK;
}

static int
create_in(points_db *db, const points_auction_def *d, int64_t *out)
{
	points_asset_rec aa;
	points_auction a;
	unsigned char k[9];
	int rc;

	memset(&a, 0, sizeof(a));
	memcpy(a.sku, d->sku, sizeof(a.sku));
	memcpy(a.item, d->item, sizeof(a.item));
	memcpy(a.asset, d->asset, sizeof(a.asset));
	if (a.sku[0]) {
		/* the unit auctioned leaves the stock now */
		points_item_rec item;

		if ((rc = points_item__load(db, a.sku, &item)))
			return rc;
		if (item.it.bundle_parts)
			return points_db__err(db, POINTS_EINVAL, "item '%s' is "
			    "a bundle: it cannot be auctioned", a.sku);
		if (a.asset[0] && strcmp(a.asset, item.it.asset) != 0)
			return points_db__err(db, POINTS_EINVAL, "item '%s' is "
			    "sold in %s, not %s", a.sku, item.it.asset, a.asset);
		if (item.it.stock == 0)
			return points_db__err(db, POINTS_EOUTOFSTOCK, "item "
			    "'%s' is out of stock: no unit to auction", a.sku);
		strcpy(a.asset, item.it.asset);
		if (!a.item[0])
			points_codec__cat(a.item, sizeof(a.item), 0,
			    item.it.name);
		if ((rc = points_item__stock_move(db, &item, -1)) ||
		    (rc = points_item__store(db, &item)))
			return rc;
	}
	if ((rc = points_asset__find(db, a.asset, &aa)) ||
	    (rc = next_id(db, &a.id)))
		return rc;
	a.starts = d->starts;
	a.ends = a.scheduled_end = d->ends;
	a.start_price = d->start_price;
	a.increment = d->increment;
	a.reserve = d->reserve;
	a.snipe_window = d->snipe_window;
	a.snipe_extend = d->snipe_extend;
	a.min_balance = d->min_balance;
	memcpy(a.tiers, d->tiers, sizeof(a.tiers));
	memcpy(a.departments, d->departments, sizeof(a.departments));
	memcpy(a.condition, d->condition, sizeof(a.condition));
	a.state = POINTS_AUCTION_OPEN;
	if ((rc = auction_store(db, &a)) ||
	    (rc = points_db__put(db, &auction_ks, k, open_key(k, a.id), "",
	    0)))
		return rc;
	*out = a.id;
	return POINTS_OK;
}

POINTS_EXTERN int
points_auction_create(points_db *db, const points_auction_def *def,
    int64_t *out)
{
	int64_t id = 0;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!def || !out)
		return points_db__err(db, POINTS_EINVAL, "auction and out are "
		    "required");
	if ((rc = check_def(db, def)) || (rc = points_db__write_begin(db)))
		return rc;
	rc = points_db__write_end(db, create_in(db, def, &id));
	if (rc == POINTS_OK)
		*out = id;
	return rc;
}

/* ---- Reading ---- */

/* Would the auction sell, were it settled now? */
static int
sells(const points_auction *a)
{
	return a->leader && a->price >= a->reserve;
}

/* a as it stands at now: past its end, settled as of the end. */
static void
as_of(points_auction *a, int64_t now)
{
	if (a->state != POINTS_AUCTION_OPEN || now < a->ends)
		return;
	a->state = sells(a) ? POINTS_AUCTION_SOLD : POINTS_AUCTION_UNSOLD;
	a->settled_at = a->ends;
}

POINTS_EXTERN int
points_auction_get(points_db *db, int64_t id, points_auction *out)
{
	points_auction a;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = auction_load(db, id, &a);
	points_db__read_end(db);
	if (rc)
		return rc;
	as_of(&a, points_db__time(db, 0));
	*out = a;
	return POINTS_OK;
}

POINTS_EXTERN int
points_auction_bid_get(points_db *db, int64_t auction, int64_t number,
    points_bid *out)
{
	points_bid w;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = bid_load(db, auction, number, &w);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = w;
	return rc;
}

/* ---- Bidding ---- */

/* The request of a bid (private: points_auction_bid's arguments). */
typedef struct bid_req {
	unsigned int version;
	int64_t auction;
	int64_t account;
	int64_t amount;
	const char *idempotency_key;
} bid_req;

static const points_field bid_fields[] = {
	POINTS_FIELD(bid_req, version, POINTS_FIELD_UINT,
	    POINTS_FIELD_VERSION, 1),
	POINTS_FIELD(bid_req, auction, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(bid_req, account, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(bid_req, amount, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(bid_req, idempotency_key, POINTS_FIELD_STR,
	    POINTS_FIELD_KEY, 1),
};
static const size_t bid_sizes[] = { 0, sizeof(bid_req) };
static const bid_req bid_defaults = { 1, 0, 0, 0, NULL };
static const points_reqtype bid_reqtype = {
	"auction bid", sizeof(bid_req), 1, bid_sizes, &bid_defaults,
	bid_fields, sizeof(bid_fields) / sizeof(bid_fields[0]),
	offsetof(bid_req, idempotency_key),
};
POINTS_WRITE_REQUEST_FITS(bid_req);
POINTS_WRITE_RESULT_FITS(points_bid);

static int
validate_bid(points_db *db, const points_write_op *op, const void *req,
    void *ctx)
{
	const bid_req *r = req;

	(void)op;
	(void)ctx;
	if (r->auction <= 0)
		return points_db__err(db, POINTS_EINVAL, "auction: bad id "
		    "%lld", (long long)r->auction);
	if (r->account <= 0)
		return points_db__err(db, POINTS_EINVAL, "auction %lld: bad "
		    "account %lld", (long long)r->auction,
		    (long long)r->account);
	if (r->amount <= 0)
		return points_db__err(db, POINTS_EINVAL, "auction %lld: a bid "
		    "must be positive (got %lld)", (long long)r->auction,
		    (long long)r->amount);
	return POINTS_OK;
}

/* Tell account, the leader until now, that a bid of amount beat its
 * bid of was. */
static int
outbid(points_db *db, const points_auction *a, int64_t account,
    int64_t was)
{
	points_outbox_json j;
	char subject[24];
	int rc;

	snprintf(subject, sizeof(subject), "auction %lld", (long long)a->id);
	points_outbox__json_begin(&j);
	points_outbox__json_int(&j, "auction", a->id);
	points_outbox__json_str(&j, "item", a->item);
	points_outbox__json_int(&j, "bid", was);
	points_outbox__json_int(&j, "price", a->price);
	points_outbox__json_int(&j, "ends", a->ends);
	if ((rc = points_outbox__json_end(&j)))
		return points_db__err(db, rc, "auction %lld: outbox event too "
		    "long", (long long)a->id);
	return points_outbox__append(db, POINTS_OUTBOX_AUCTION_OUTBID, subject,
	    account, j.buf, NULL);
}

static int
bid_body(points_db *db, const points_write_op *op, const void *req,
    void *ctx, void *result, int64_t *seq)
{
	const bid_req *r = req;
	points_posting p = POINTS_POSTING_INIT;
	points_account acct;
	points_auction a;
	points_eligible e;
	points_bid w;
	points_txn t;
	int64_t now, least, was = 0, prev = 0, hseq;
	char what[32], memo[64];
	int rc;

	(void)op;
	(void)ctx;
	if ((rc = auction_load(db, r->auction, &a)) ||
	    (rc = points_account__load(db, r->account, &acct)))
		return rc;
	now = points_db__time(db, 0);
	if (a.state != POINTS_AUCTION_OPEN)
		return points_db__err(db, POINTS_ESTATE, "auction %lld is %s: "
		    "account %s cannot bid", (long long)a.id,
		    state_names[a.state], acct.external_id);
	if (now < a.starts)
		return points_db__err(db, POINTS_EWINDOW, "auction %lld has not "
		    "started: it starts at %lld, account %s cannot bid at "
		    "%lld", (long long)a.id, (long long)a.starts,
		    acct.external_id, (long long)now);
	if (now >= a.ends)
		return points_db__err(db, POINTS_EWINDOW, "auction %lld has "
		    "ended: it ended at %lld, account %s cannot bid at %lld",
		    (long long)a.id, (long long)a.ends, acct.external_id,
		    (long long)now);
	if (acct.flags & POINTS_ACCOUNT_SYSTEM)
		return points_db__err(db, POINTS_EINVAL, "account %s is a "
		    "system account: it cannot bid", acct.external_id);
	if (acct.status != POINTS_ACCOUNT_ACTIVE)
		return points_db__err(db, acct.status ==
		    POINTS_ACCOUNT_FROZEN ? POINTS_EFROZEN : POINTS_ECLOSED,
		    "account %s is %s: it cannot bid", acct.external_id,
		    acct.status == POINTS_ACCOUNT_FROZEN ? "frozen" :
		    "closed");
	snprintf(what, sizeof(what), "auction %lld", (long long)a.id);
	e.asset = a.asset;
	e.min_balance = a.min_balance;
	e.tiers = a.tiers;
	e.departments = a.departments;
	e.condition = a.condition;
	if ((rc = points_eligible__check(db, what, &e, &acct, NULL)))
		return rc;
	if (!a.leader)
		least = a.start_price;
	else if (__builtin_add_overflow(a.price, a.increment, &least))
		return points_db__err(db, POINTS_EOVERFLOW, "auction %lld: the "
		    "next bid would overflow", (long long)a.id);
	if (r->amount < least)
		return points_db__err(db, POINTS_EINVAL, "auction %lld: account "
		    "%s bid %lld, too low: the least bid now is %lld",
		    (long long)a.id, acct.external_id, (long long)r->amount,
		    (long long)least);
	if (a.bids >= INT32_MAX)
		return points_db__err(db, POINTS_ELIMIT, "auction %lld: no "
		    "more than %d bids", (long long)a.id, INT32_MAX);
	snprintf(memo, sizeof(memo), "auction %lld bid %lld",
	    (long long)a.id, (long long)(a.bids + 1));
	/* the leader's hold released, the bidder's made: a leader raising
	 * its own bid has its points back to hold the new amount */
	if (a.leader) {
		if ((rc = points_hold__settle_within(db, a.hold_id, 1, memo,
		    meta, &t)))
			return rc;
		prev = a.leader;
		was = a.price;
	}
	p.asset = a.asset;
	p.account = r->account;
	p.amount = r->amount;
	p.memo = memo;
	p.category = CATEGORY;
	if ((rc = points_hold__create_within(db, &p, &t, &hseq)))
		return rc;
	memset(&w, 0, sizeof(w));
	w.auction = a.id;
	w.number = a.bids + 1;
	w.account = r->account;
	w.time = now;
	w.amount = r->amount;
	strcpy(w.hold_id, t.id);
	if (a.snipe_window && now >= a.ends - a.snipe_window &&
	    __builtin_add_overflow(a.ends, a.snipe_extend, &a.ends))
		return points_db__err(db, POINTS_EOVERFLOW, "auction %lld: its "
		    "end would overflow", (long long)a.id);
	w.ends = a.ends;
	a.bids = w.number;
	a.leader = w.account;
	a.price = w.amount;
	strcpy(a.hold_id, w.hold_id);
	if ((prev && prev != r->account && (rc = outbid(db, &a, prev, was))) ||
	    (rc = bid_store(db, &w)) || (rc = auction_store(db, &a)))
		return rc;
	*seq = (int64_t)((uint64_t)a.id << 32 | (uint64_t)w.number);
	memcpy(result, &w, sizeof(w));
	return POINTS_OK;
}

/* A repeated key: the bid its first request made. */
static int
bid_replay(points_db *db, const points_write_op *op, int64_t seq,
    void *result)
{
	points_bid w;
	int rc;

	(void)op;
	if ((rc = bid_load(db, (int64_t)((uint64_t)seq >> 32),
	    seq & 0xffffffff, &w)))
		return rc;
	w.replayed = 1;
	memcpy(result, &w, sizeof(w));
	return POINTS_OK;
}

static const points_write_op bid_op = {
	"auction bid", AUCTION_BID_TYPE, &bid_reqtype, sizeof(points_bid),
	validate_bid, bid_body, bid_replay, NULL, NULL,
};

POINTS_EXTERN int
points_auction_bid(points_db *db, int64_t auction, int64_t account,
    int64_t amount, const char *idempotency_key, points_bid *out)
{
	bid_req r = { 1, 0, 0, 0, NULL };

	r.auction = auction;
	r.account = account;
	r.amount = amount;
	r.idempotency_key = idempotency_key;
	return points_write__run_ks(db, &bid_op, &idem_ks, &r, NULL, out);
}

/* ---- Settling and cancelling ---- */

/* Give the auctioned unit back to the item's stock. */
static int
restock(points_db *db, const points_auction *a)
{
	points_item_rec item;
	int rc;

	if (!a->sku[0])
		return POINTS_OK;
	if ((rc = points_item__load(db, a->sku, &item)) ||
	    (rc = points_item__stock_move(db, &item, 1)))
		return rc;
	return points_item__store(db, &item);
}

/* Write a's end: sold (the leader's hold captured, a catalogue item's
 * order made) or not (the hold released, the unit restocked), settled
 * as of the end. */
static int
settle_rec(points_db *db, points_auction *a)
{
	unsigned char k[9];
	points_order o;
	points_txn t;
	char memo[64];
	int rc;

	snprintf(memo, sizeof(memo), "auction %lld", (long long)a->id);
	if (sells(a)) {
		if ((rc = points_hold__settle_within(db, a->hold_id, 0, memo,
		    meta, &t)))
			return rc;
		strcpy(a->capture_id, t.id);
		if (a->sku[0]) {
			if ((rc = points_order__of_auction(db, a->hold_id,
			    a->capture_id, a->leader, a->sku, a->price, memo,
			    &o)))
				return rc;
			strcpy(a->order_id, o.id);
		}
		a->state = POINTS_AUCTION_SOLD;
	} else {
		if (a->leader && (rc = points_hold__settle_within(db,
		    a->hold_id, 1, memo, meta, &t)))
			return rc;
		if ((rc = restock(db, a)))
			return rc;
		a->state = POINTS_AUCTION_UNSOLD;
	}
	a->settled_at = a->ends;
	if ((rc = points_db__del(db, &auction_ks, k, open_key(k, a->id))))
		return rc;
	return auction_store(db, a);
}

static int
settle_in(points_db *db, int64_t id)
{
	points_auction a;
	int64_t now;
	int rc;

	if ((rc = auction_load(db, id, &a)))
		return rc;
	if (a.state != POINTS_AUCTION_OPEN)
		return points_db__err(db, POINTS_ESTATE, "auction %lld is "
		    "already %s", (long long)id, state_names[a.state]);
	now = points_db__time(db, 0);
	if (now < a.ends)
		return points_db__err(db, POINTS_ESTATE, "auction %lld runs "
		    "until %lld: it cannot be settled at %lld", (long long)id,
		    (long long)a.ends, (long long)now);
	return settle_rec(db, &a);
}

POINTS_EXTERN int
points_auction_settle(points_db *db, int64_t auction)
{
	int rc;

	if ((rc = points_db__check_db(db)) ||
	    (rc = points_db__write_begin(db)))
		return rc;
	return points_db__write_end(db, settle_in(db, auction));
}

static int
cancel_in(points_db *db, int64_t id)
{
	unsigned char k[9];
	points_auction a;
	points_txn t;
	char memo[64];
	int64_t now;
	int rc;

	if ((rc = auction_load(db, id, &a)))
		return rc;
	if (a.state != POINTS_AUCTION_OPEN)
		return points_db__err(db, POINTS_ESTATE, "auction %lld is "
		    "already %s: it cannot be cancelled", (long long)id,
		    state_names[a.state]);
	now = points_db__time(db, 0);
	if (now >= a.ends)
		return points_db__err(db, POINTS_ESTATE, "auction %lld ended at "
		    "%lld: it settles, it cannot be cancelled", (long long)id,
		    (long long)a.ends);
	snprintf(memo, sizeof(memo), "auction %lld cancelled", (long long)id);
	if (a.leader && (rc = points_hold__settle_within(db, a.hold_id, 1,
	    memo, meta, &t)))
		return rc;
	if ((rc = restock(db, &a)))
		return rc;
	a.state = POINTS_AUCTION_CANCELLED;
	a.settled_at = now;
	if ((rc = points_db__del(db, &auction_ks, k, open_key(k, a.id))))
		return rc;
	return auction_store(db, &a);
}

POINTS_EXTERN int
points_auction_cancel(points_db *db, int64_t auction)
{
	int rc;

	if ((rc = points_db__check_db(db)) ||
	    (rc = points_db__write_begin(db)))
		return rc;
	return points_db__write_end(db, cancel_in(db, auction));
}

/* The sweep's last chunk: settle every open auction of asset (0: every
 * asset) that ended at as_of or before. */
static int
auction_swept(points_db *db, void *state, uint32_t asset, int64_t as_of)
{
	enum { CHUNK = 64 };
	unsigned char keys[9 * CHUNK], lo[9];
	size_t n, i;
	int rc;

	(void)state;
	lo[0] = 'o';
	memset(lo + 1, 0, 8);
	do {
		if ((rc = points_db__collect_keys(db, &auction_ks, lo, 9, "p", 1,
		    9, keys, CHUNK, &n)))
			return rc;
		for (i = 0; i < n; i++) {
			int64_t id = (int64_t)points_codec__get_be64(keys +
			    i * 9 + 1);
			points_asset_rec aa;
			points_auction a;

			if ((rc = auction_load(db, id, &a)))
				return rc;
			if (a.state != POINTS_AUCTION_OPEN || a.ends > as_of)
				continue;
			if (asset) {
				if ((rc = points_asset__find(db, a.asset, &aa)))
					return rc;
				if (aa.id != asset)
					continue;
			}
			if ((rc = settle_rec(db, &a)))
				return rc;
		}
		if (n) {
			/* on past the last key */
			memcpy(lo, keys + (n - 1) * 9, 9);
			points_codec__put_be64(lo + 1,
			    points_codec__get_be64(lo + 1) + 1);
		}
	} while (n == CHUNK);
	return POINTS_OK;
}

/* ---- The bids' iterator ---- */

struct points_auction_bid_iterator {
	points_iter base;
	int64_t auction;
	int64_t next;  /* the next bid's number */
	points_bid buf[POINTS_ITER_CHUNK];
};

static int bids_fill(points_iter *base);
static const points_iter_type bids_type = POINTS_ITER_TYPE(
    "auction bid iterator", struct points_auction_bid_iterator, next,
    bids_fill, NULL);

static int
bids_fill(points_iter *base)
{
	struct points_auction_bid_iterator *it = (void *)base;
	points_db *db = base->db;
	points_auction a;
	int rc;

	if ((rc = auction_load(db, it->auction, &a)))
		return rc;
	while (base->n < POINTS_ITER_CHUNK && it->next <= a.bids) {
		if ((rc = bid_load(db, it->auction, it->next,
		    &it->buf[base->n])))
			return rc;
		base->n++;
		it->next++;
	}
	if (it->next > a.bids)
		base->done = 1;
	return POINTS_OK;
}

POINTS_EXTERN int
points_auction_bid_iterator_new(points_db *db, int64_t auction,
    points_auction_bid_iterator **out)
{
	struct points_auction_bid_iterator *it;
	points_auction a;
	points_iter *base;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_auction_get(db, auction, &a)) ||
	    (rc = points_iter__new(db, &bids_type,
	    sizeof(struct points_auction_bid_iterator), &base)))
		return rc;
	it = (struct points_auction_bid_iterator *)(void *)base;
	it->auction = auction;
	it->next = 1;
	*out = it;
	return POINTS_OK;
}

POINTS_EXTERN int
points_auction_bid_next(points_auction_bid_iterator *it, points_bid *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &bids_type, out);

	if (rc == POINTS_OK)
		*out = it->buf[it->base.i++];
	return rc;
}

POINTS_EXTERN void
points_auction_bid_iterator_free(points_auction_bid_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
