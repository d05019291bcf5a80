/* item.c - the catalogue: items, their stock, prices and tier prices,
 * and the history of every change (item.h, points/mall.h). */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "util/alloc.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/db.h"
#include "core/iter.h"
#include "core/module.h"
#include "ledger/write.h"
#include "rules/rule.h"
#include "outbox/outbox.h"
#include "mall/item.h"

/* Format 2: items and their changes keep a flash discount, a window
 * and limits per period (version-2 records: version 1's fields, then
 * those); setup rewrites a format-1 ledger's items as version 2.  The
 * changes are history, kept as written: version 1 reads them as 0.
 * Format 3: a cash part (points + cash), appended in version-3 records
 * of both; older ones read it as 0.
 * Format 4: a bundle's record is version 4 (version 3's fields, then
 * its components), and changes are version 4 (a component and its
 * units after version 3's); a format-3 ledger upgrades as it is (an
 * item of version 3 is no bundle). */
#define ITEM_FORMAT 4
#define ITEM_V1 1
#define ITEM_V2 2
#define ITEM_V3 3
#define ITEM_V4 4
#define CHANGE_V1 1
#define CHANGE_V2 2
#define CHANGE_V3 3
#define CHANGE_V4 4

static points_ksdef item_ks = { "mallitem", 0, 0 };
static points_ksdef log_ks = { "mallitemlog", POINTS_KS_ORDERED, 0 };
static points_ksdef *const keyspaces[] = { &item_ks, &log_ks, NULL };
static int item_setup(points_db *db, unsigned int found);
static points_module item_module = {
	.name = "mall_item",
	.format = ITEM_FORMAT,
	.keyspaces = keyspaces,
	.setup = item_setup,
};
POINTS_MODULE(item_module)

/* ---- Checks ---- */

int
points_item__check_sku(points_db *db, const char *sku)
{
	size_t i;

	if (!sku || !*sku)
		return points_db__err(db, POINTS_EINVAL, "SKU is required");
	for (i = 0; sku[i]; i++) {
		char c = sku[i];

		if (i >= POINTS_SKU_MAX)
			return points_db__err(db, POINTS_EINVAL, "SKU is too "
			    "long (at most %d bytes)", POINTS_SKU_MAX);
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		    c == '-'))
			return points_db__err(db, POINTS_EINVAL, "SKU '%s': "
			    "only A-Z, a-z, 0-9, '_', '.' and '-'", sku);
	}
	return POINTS_OK;
}

/* A category: names of [a-z0-9_.-] joined by single '/'. */
static int
check_category(points_db *db, const char *sku, const char *cat, int required)
{
	size_t i;
	int name = 0;

	if (!cat || !*cat) {
		if (required)
			return points_db__err(db, POINTS_EINVAL, "item '%s': "
			    "category is required", sku);
		return POINTS_OK;
	}
	for (i = 0; cat[i]; i++) {
		char c = cat[i];

		if (i >= POINTS_ITEM_CATEGORY_MAX)
			return points_db__err(db, POINTS_EINVAL, "item '%s': "
			    "category is too long (at most %d bytes)", sku,
			    POINTS_ITEM_CATEGORY_MAX);
		if (c == '/' && name) {
			name = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '.' || c == '-'))
			return points_db__err(db, POINTS_EINVAL, "item '%s': "
			    "category '%s': names of a-z, 0-9, '_', '.' and "
			    "'-' joined by '/'", sku, cat);
		name = 1;
	}
	if (!name)
		return points_db__err(db, POINTS_EINVAL, "item '%s': category "
		    "'%s' ends with '/'", sku, cat);
	return POINTS_OK;
}

static int
check_actor(points_db *db, const char *actor, const char *reason)
{
	int rc;

	if ((rc = points_db__check_str(db, "actor", actor, POINTS_ACTOR_MAX,
	    1)))
		return rc;
	return points_db__check_str(db, "reason", reason, POINTS_REASON_MAX,
	    0);
}

static int
check_price(points_db *db, const char *sku, const char *what, int64_t v)
{
	if (v <= 0)
		return points_db__err(db, POINTS_EINVAL, "item '%s': %s must "
		    "be positive (got %lld)", sku, what, (long long)v);
	return POINTS_OK;
}

static int
check_stock(points_db *db, const char *sku, int64_t stock)
{
	if (stock < 0 && stock != POINTS_STOCK_UNLIMITED)
		return points_db__err(db, POINTS_EINVAL, "item '%s': stock "
		    "must be 0 or more, or POINTS_STOCK_UNLIMITED (got %lld)",
		    sku, (long long)stock);
	return POINTS_OK;
}

static int
check_def(points_db *db, const points_item_def *d)
{
	const char *s = d->sku;
	int rc;

	if ((rc = points_item__check_sku(db, s)))
		return rc;
	if ((rc = points_db__check_str(db, "item name", d->name,
	    POINTS_ITEM_NAME_MAX, 1)) ||
	    (rc = points_db__check_str(db, "item description",
	    d->description, POINTS_ITEM_DESC_MAX, 0)) ||
	    (rc = points_db__check_str(db, "item image URL", d->image_url,
	    POINTS_ITEM_URL_MAX, 0)) ||
	    (rc = check_category(db, s, d->category, 1)) ||
	    (rc = points_db__check_str(db, "asset", d->asset,
	    POINTS_ASSET_MAX, 1)) ||
	    (rc = check_price(db, s, "price", d->price)) ||
	    (rc = check_stock(db, s, d->stock)))
		return rc;
	if (d->cash < 0)
		return points_db__err(db, POINTS_EINVAL, "item '%s': cash must "
		    "not be negative (0: none; got %lld)", s,
		    (long long)d->cash);
	if (d->low_stock < 0 || d->order_limit < 0 || d->return_days < 0)
		return points_db__err(db, POINTS_EINVAL, "item '%s': "
		    "low_stock, order_limit and return_days must not be "
		    "negative", s);
	if (d->return_days > 3660)
		return points_db__err(db, POINTS_EINVAL, "item '%s': "
		    "return_days %lld is more than 3660 (10 years)", s,
		    (long long)d->return_days);
	if (d->listed != 0 && d->listed != 1)
		return points_db__err(db, POINTS_EINVAL, "item '%s': listed "
		    "must be 0 or 1 (got %d)", s, d->listed);
	if ((rc = points_db__check_str(db, "min_tier", d->min_tier,
	    POINTS_TIER_MAX, 0)))
		return rc;
	return check_actor(db, d->actor, d->reason);
}

/* ---- Records ---- */

static void
encode(points_buf *b, const points_item_rec *r)
{
	const points_item *it = &r->it;
	int64_t i;

	points_buf__reset(b);
	/* version 4 only for a bundle: the others read as before */
	points_buf__u8(b, it->bundle_parts ? ITEM_V4 : ITEM_V3);
	points_buf__str(b, it->name);
	points_buf__str(b, it->description);
	points_buf__str(b, it->image_url);
	points_buf__str(b, it->category);
	points_buf__str(b, it->asset);
	points_buf__svar(b, it->price);
	points_buf__svar(b, it->stock);
	points_buf__svar(b, it->low_stock);
	points_buf__svar(b, it->order_limit);
	points_buf__svar(b, it->return_days);
	points_buf__str(b, it->min_tier);
	points_buf__u8(b, (unsigned)it->listed);
	points_buf__svar(b, it->created);
	points_buf__svar(b, it->updated);
	points_buf__svar(b, it->changes);
	points_buf__svar(b, it->orders);
	points_buf__svar(b, it->units);
	points_buf__svar(b, it->points);
	points_buf__uvar(b, (uint64_t)it->tier_prices);
	for (i = 0; i < it->tier_prices; i++) {
		points_buf__str(b, r->tier[i]);
		points_buf__svar(b, r->tier_price[i]);
	}
	/* version 2 */
	points_buf__u8(b, (unsigned)it->flash_kind);
	points_buf__svar(b, it->flash_value);
	points_buf__svar(b, it->flash_starts);
	points_buf__svar(b, it->flash_ends);
	points_buf__uvar(b, it->window_weekdays);
	points_buf__uvar(b, it->window_monthdays);
	points_buf__svar(b, it->limit_day);
	points_buf__svar(b, it->limit_week);
	points_buf__svar(b, it->limit_month);
	points_buf__svar(b, it->limit_year);
	/* version 3 */
	points_buf__svar(b, it->cash);
	if (!it->bundle_parts)
		return;
	/* version 4 */
	points_buf__uvar(b, (uint64_t)it->bundle_parts);
	for (i = 0; i < it->bundle_parts; i++) {
		points_buf__str(b, r->part[i]);
		points_buf__svar(b, r->part_qty[i]);
	}
}

static int
decode(points_db *db, const char *sku, const void *v, size_t vl,
    points_item_rec *r)
{
	points_item *it = &r->it;
	points_rd rd;
	unsigned ver;
	int64_t i;

	memset(r, 0, sizeof(*r));
	points_rd__init(&rd, v, vl);
	ver = points_rd__u8(&rd);
	if (ver < ITEM_V1 || ver > ITEM_V4)
		rd.err = POINTS_ECORRUPT;
	points_rd__str(&rd, it->name, sizeof(it->name));
	points_rd__str(&rd, it->description, sizeof(it->description));
	points_rd__str(&rd, it->image_url, sizeof(it->image_url));
	points_rd__str(&rd, it->category, sizeof(it->category));
	points_rd__str(&rd, it->asset, sizeof(it->asset));
	it->price = points_rd__svar(&rd);
	it->stock = points_rd__svar(&rd);
	it->low_stock = points_rd__svar(&rd);
	it->order_limit = points_rd__svar(&rd);
	it->return_days = points_rd__svar(&rd);
	points_rd__str(&rd, it->min_tier, sizeof(it->min_tier));
	it->listed = (int)points_rd__u8(&rd);
	it->created = points_rd__svar(&rd);
	it->updated = points_rd__svar(&rd);
	it->changes = points_rd__svar(&rd);
	it->orders = points_rd__svar(&rd);
	it->units = points_rd__svar(&rd);
	it->points = points_rd__svar(&rd);
	it->tier_prices = (int64_t)points_rd__uvar(&rd);
	if (it->tier_prices < 0 || it->tier_prices > POINTS_ITEM_TIER_PRICES)
		rd.err = POINTS_ECORRUPT;
	for (i = 0; !rd.err && i < it->tier_prices; i++) {
		points_rd__str(&rd, r->tier[i], sizeof(r->tier[i]));
		r->tier_price[i] = points_rd__svar(&rd);
	}
	if (ver >= ITEM_V2) {
		it->flash_kind = (int)points_rd__u8(&rd);
		it->flash_value = points_rd__svar(&rd);
		it->flash_starts = points_rd__svar(&rd);
		it->flash_ends = points_rd__svar(&rd);
		it->window_weekdays = (unsigned)points_rd__uvar(&rd);
		it->window_monthdays = (unsigned)points_rd__uvar(&rd);
		it->limit_day = points_rd__svar(&rd);
		it->limit_week = points_rd__svar(&rd);
		it->limit_month = points_rd__svar(&rd);
		it->limit_year = points_rd__svar(&rd);
	}
	if (ver >= ITEM_V3)
		it->cash = points_rd__svar(&rd);
	if (ver >= ITEM_V4) {
		it->bundle_parts = (int64_t)points_rd__uvar(&rd);
		if (it->bundle_parts < 1 ||
		    it->bundle_parts > POINTS_BUNDLE_PARTS_MAX)
			rd.err = POINTS_ECORRUPT;
		for (i = 0; !rd.err && i < it->bundle_parts; i++) {
			points_rd__str(&rd, r->part[i], sizeof(r->part[i]));
			r->part_qty[i] = points_rd__svar(&rd);
			if (!r->part[i][0] || r->part_qty[i] <= 0)
				rd.err = POINTS_ECORRUPT;
		}
	}
	if (rd.err || it->cash < 0 || strlen(sku) > POINTS_SKU_MAX)
		return points_db__err(db, POINTS_ECORRUPT, "item '%s': record "
		    "unreadable", sku);
	strcpy(it->sku, sku);
	return POINTS_OK;
}

int
points_item__load(points_db *db, const char *sku, points_item_rec *out)
{
	const void *v;
	size_t vl;
	int rc;

	rc = points_db__get(db, &item_ks, sku, strlen(sku), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, rc, "item '%s' not found", sku);
	if (rc)
		return rc;
	return decode(db, sku, v, vl, out);
}

int
points_item__store(points_db *db, const points_item_rec *r)
{
	encode(&db->vbuf, r);
	if (db->vbuf.err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	return points_db__put(db, &item_ks, r->it.sku, strlen(r->it.sku),
	    db->vbuf.data, db->vbuf.len);
}

int64_t
points_item__price_of(const points_item_rec *r, const char *tier)
{
	int64_t i;

	if (tier && *tier)
		for (i = 0; i < r->it.tier_prices; i++)
			if (strcmp(r->tier[i], tier) == 0)
				return r->tier_price[i];
	return r->it.price;
}

int
points_item__tier_ok(points_db *db, const points_item_rec *r,
    const char *tier, int *ok)
{
	points_tier need, have;
	int rc;

	*ok = 1;
	if (!r->it.min_tier[0])
		return POINTS_OK;
	if ((rc = points_tier__read(db, r->it.min_tier, &need)))
		return rc == POINTS_ENOTFOUND ? points_db__err(db,
		    POINTS_ECORRUPT, "item '%s': its tier '%s' is not in the "
		    "tier table", r->it.sku, r->it.min_tier) : rc;
	if (tier && *tier) {
		rc = points_tier__read(db, tier, &have);
		if (rc == POINTS_OK && have.rank >= need.rank)
			return POINTS_OK;
		if (rc && rc != POINTS_ENOTFOUND)
			return rc;
	}
	*ok = 0;
	return POINTS_OK;
}

int
points_item__tier_allows(points_db *db, const points_item_rec *r,
    const char *tier)
{
	int ok, rc;

	if ((rc = points_item__tier_ok(db, r, tier, &ok)) || ok)
		return rc;
	return points_db__err(db, POINTS_ENOTELIGIBLE, "item '%s' is for tier "
	    "'%s' and above; the account's tier is %s%s%s", r->it.sku,
	    r->it.min_tier, tier && *tier ? "'" : "",
	    tier && *tier ? tier : "none", tier && *tier ? "'" : "");
}

int
points_item__stock_move(points_db *db, points_item_rec *r, int64_t delta)
{
	points_item *it = &r->it;
	points_outbox_json j;
	int64_t before = it->stock, after;
	int rc;

	if (before == POINTS_STOCK_UNLIMITED || delta == 0)
		return POINTS_OK;
	after = before + delta;
	if (after < 0)
		return points_db__err(db, POINTS_EINVAL, "item '%s': stock %lld "
		    "cannot give %lld", it->sku, (long long)before,
		    (long long)-delta);
	it->stock = after;
	if (after == 0 && before > 0) {
		points_outbox__json_begin(&j);
		points_outbox__json_str(&j, "sku", it->sku);
		points_outbox__json_int(&j, "stock", 0);
		if ((rc = points_outbox__json_end(&j)) ||
		    (rc = points_outbox__append(db, POINTS_OUTBOX_OUT_OF_STOCK,
		    it->sku, 0, j.buf, NULL)))
			return rc == POINTS_ELIMIT ? points_db__err(db, rc,
			    "outbox: event too long") : rc;
	} else if (it->low_stock > 0 && after <= it->low_stock &&
	    before > it->low_stock) {
		points_outbox__json_begin(&j);
		points_outbox__json_str(&j, "sku", it->sku);
		points_outbox__json_int(&j, "stock", after);
		points_outbox__json_int(&j, "threshold", it->low_stock);
		if ((rc = points_outbox__json_end(&j)) ||
		    (rc = points_outbox__append(db, POINTS_OUTBOX_LOW_STOCK,
		    it->sku, 0, j.buf, NULL)))
			return rc == POINTS_ELIMIT ? points_db__err(db, rc,
			    "outbox: event too long") : rc;
	}
	return POINTS_OK;
}

/* ---- History ---- */

static size_t
log_key(unsigned char *k, const char *sku, int64_t n)
{
	size_t l = strlen(sku);

	memcpy(k, sku, l);
	k[l] = 0;
	points_codec__put_be32(k + l + 1, (uint32_t)n);
	return l + 5;
}

/* Record the change what of r (r->it.changes is raised, r->it.updated
 * set; r is stored by the caller). */
static int
log_change(points_db *db, points_item_rec *r, unsigned int what,
    const char *tier, int64_t tier_price, const char *actor,
    const char *reason)
{
	const points_item *it = &r->it;
	unsigned char k[POINTS_SKU_MAX + 5];
	points_buf *b = &db->vbuf;
	size_t kl;

	if (r->it.changes >= UINT32_MAX)
		return points_db__err(db, POINTS_ELIMIT, "item '%s': no "
		    "changes left in its history", r->it.sku);
	r->it.changes++;
	r->it.updated = points_db__time(db, 0);
	points_buf__reset(b);
	points_buf__u8(b, CHANGE_V4);
	points_buf__svar(b, r->it.updated);
	points_buf__uvar(b, what);
	points_buf__svar(b, r->it.price);
	points_buf__svar(b, r->it.stock);
	points_buf__u8(b, (unsigned)r->it.listed);
	points_buf__str(b, tier);
	points_buf__svar(b, tier_price);
	points_buf__str(b, actor);
	points_buf__str(b, reason);
	/* version 2 */
	points_buf__u8(b, (unsigned)it->flash_kind);
	points_buf__svar(b, it->flash_value);
	points_buf__svar(b, it->flash_starts);
	points_buf__svar(b, it->flash_ends);
	points_buf__uvar(b, it->window_weekdays);
	points_buf__uvar(b, it->window_monthdays);
	points_buf__svar(b, it->limit_day);
	points_buf__svar(b, it->limit_week);
	points_buf__svar(b, it->limit_month);
	points_buf__svar(b, it->limit_year);
	/* version 3 */
	points_buf__svar(b, it->cash);
	/* version 4 */
	points_buf__str(b, what & POINTS_ITEM_CHANGED_BUNDLE ? r->log_part :
	    NULL);
	points_buf__svar(b, what & POINTS_ITEM_CHANGED_BUNDLE ?
	    r->log_part_qty : 0);
	if (b->err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	kl = log_key(k, r->it.sku, r->it.changes);
	return points_db__put(db, &log_ks, k, kl, b->data, b->len);
}

int
points_item__log_stock(points_db *db, points_item_rec *r, const char *actor,
    const char *reason)
{
	return log_change(db, r, POINTS_ITEM_CHANGED_STOCK, NULL, 0, actor,
	    reason);
}

static int
decode_change(points_db *db, const unsigned char *k, size_t kl,
    const void *v, size_t vl, points_item_change *c)
{
	points_rd rd;
	unsigned ver;

	memset(c, 0, sizeof(*c));
	points_rd__init(&rd, v, vl);
	ver = points_rd__u8(&rd);
	if (kl < 6 || kl - 5 > POINTS_SKU_MAX || k[kl - 5] != 0 ||
	    ver < CHANGE_V1 || ver > CHANGE_V4)
		rd.err = POINTS_ECORRUPT;
	if (!rd.err) {
		memcpy(c->sku, k, kl - 5);
		c->n = points_codec__get_be32(k + kl - 4);
	}
	c->time = points_rd__svar(&rd);
	c->what = (unsigned)points_rd__uvar(&rd);
	c->price = points_rd__svar(&rd);
	c->stock = points_rd__svar(&rd);
	c->listed = (int)points_rd__u8(&rd);
	points_rd__str(&rd, c->tier, sizeof(c->tier));
	c->tier_price = points_rd__svar(&rd);
	points_rd__str(&rd, c->actor, sizeof(c->actor));
	points_rd__str(&rd, c->reason, sizeof(c->reason));
	if (ver >= CHANGE_V2) {
		c->flash_kind = (int)points_rd__u8(&rd);
		c->flash_value = points_rd__svar(&rd);
		c->flash_starts = points_rd__svar(&rd);
		c->flash_ends = points_rd__svar(&rd);
		c->window_weekdays = (unsigned)points_rd__uvar(&rd);
		c->window_monthdays = (unsigned)points_rd__uvar(&rd);
		c->limit_day = points_rd__svar(&rd);
		c->limit_week = points_rd__svar(&rd);
		c->limit_month = points_rd__svar(&rd);
		c->limit_year = points_rd__svar(&rd);
	}
	if (ver >= CHANGE_V3)
		c->cash = points_rd__svar(&rd);
	if (ver >= CHANGE_V4) {
		points_rd__str(&rd, c->part, sizeof(c->part));
		c->part_quantity = points_rd__svar(&rd);
	}
	if (rd.err)
		return points_db__err(db, POINTS_ECORRUPT,
		    "item change record unreadable");
	return POINTS_OK;
}

/* ---- Upgrading ---- */

#define UPGRADE_CHUNK 64

/* A format-1 ledger's items are rewritten as version 2 (no discount,
 * window or limits), a chunk of SKUs at a time (a cursor must not see
 * the writes); their changes stay as written.  In the transaction that
 * records format 2: all or nothing. */
static int
item_setup(points_db *db, unsigned int found)
{
	char skus[UPGRADE_CHUNK][POINTS_SKU_MAX + 1];
	unsigned char lo[POINTS_SKU_MAX + 1];
	size_t n, i, lol = 0;
	int rc = POINTS_OK;

	if (found == 0)
		return POINTS_OK; /* a new ledger (or one made before modules
		                   * recorded formats: before the mall) */
	if (found >= 3)
		return POINTS_OK; /* format 3's records are format 4's */
	do {
		points_cursor *c;
		const void *k, *v;
		size_t kl, vl;

		rc = db->store->cursor_open(db->store, db->ks[item_ks.slot], lo,
		    lol, NULL, 0, 0, &c);
		if (rc)
			return points_db__store_err(db, rc, "mallitem");
		for (n = 0; n < UPGRADE_CHUNK; n++) {
			rc = db->store->cursor_next(db->store, c, &k, &kl, &v,
			    &vl);
			if (rc)
				break;
			if (kl == 0 || kl > POINTS_SKU_MAX) {
				rc = POINTS_ECORRUPT;
				break;
			}
			memcpy(skus[n], k, kl);
			skus[n][kl] = 0;
		}
		db->store->cursor_close(db->store, c);
		if (rc == POINTS_ECORRUPT)
			return points_db__err(db, rc, "item key");
		if (rc && rc != POINTS_ITEROVER)
			return points_db__store_err(db, rc, "mallitem");
		rc = POINTS_OK;
		for (i = 0; rc == POINTS_OK && i < n; i++) {
			points_item_rec r;

			if ((rc = points_item__load(db, skus[i], &r)) ==
			    POINTS_OK)
				rc = points_item__store(db, &r);
		}
		if (n > 0) {
			/* past the last SKU: it with a 0 appended */
			lol = strlen(skus[n - 1]);
			memcpy(lo, skus[n - 1], lol);
			lo[lol++] = 0;
		}
	} while (rc == POINTS_OK && n == UPGRADE_CHUNK);
	return rc;
}

/* ---- Writes ---- */

static const points_field def_fields[] = {
	POINTS_FIELD(points_item_def, version, POINTS_FIELD_UINT,
	    POINTS_FIELD_VERSION, 1),
};
static const size_t def_sizes[] = {
	0, POINTS_END_OF(points_item_def, reason), /* 1 */
	POINTS_END_OF(points_item_def, cash),      /* 2: a cash part */
};
static const points_item_def def_defaults = POINTS_ITEM_DEF_INIT;
static const points_reqtype def_req = {
	"item definition", sizeof(points_item_def), POINTS_ITEM_DEF_VERSION,
	def_sizes, &def_defaults, def_fields, 1, 0,
};

POINTS_EXTERN int
points_item_def_init(points_item_def *d, unsigned int version)
{
	return points_write__init(&def_req, d, version);
}

/* Set r's fields from d; the bits of what they changed. */
static unsigned int
apply_def(points_item_rec *r, const points_item_def *d)
{
	points_item *it = &r->it, was = r->it;
	unsigned int what = 0;

	snprintf(it->name, sizeof(it->name), "%s", d->name);
	snprintf(it->description, sizeof(it->description), "%s",
	    d->description ? d->description : "");
	snprintf(it->image_url, sizeof(it->image_url), "%s",
	    d->image_url ? d->image_url : "");
	snprintf(it->category, sizeof(it->category), "%s", d->category);
	snprintf(it->asset, sizeof(it->asset), "%s", d->asset);
	snprintf(it->min_tier, sizeof(it->min_tier), "%s",
	    d->min_tier ? d->min_tier : "");
	it->price = d->price;
	it->stock = d->stock;
	it->low_stock = d->low_stock;
	it->order_limit = d->order_limit;
	it->return_days = d->return_days;
	it->listed = d->listed;
	it->cash = d->cash;
	if (strcmp(was.name, it->name) || strcmp(was.description,
	    it->description) || strcmp(was.image_url, it->image_url) ||
	    strcmp(was.category, it->category) || strcmp(was.asset,
	    it->asset) || strcmp(was.min_tier, it->min_tier) ||
	    was.low_stock != it->low_stock ||
	    was.order_limit != it->order_limit ||
	    was.return_days != it->return_days)
		what |= POINTS_ITEM_CHANGED_DETAILS;
	if (was.price != it->price || was.cash != it->cash)
		what |= POINTS_ITEM_CHANGED_PRICE;
	if (was.stock != it->stock)
		what |= POINTS_ITEM_CHANGED_STOCK;
	if (was.listed != it->listed)
		what |= POINTS_ITEM_CHANGED_LISTING;
	return what;
}

/* The stock events of a move from before to r's stock (an update sets
 * the figure: the same crossing rules as a move). */
static int
stock_events(points_db *db, points_item_rec *r, int64_t before)
{
	int64_t after = r->it.stock;

	if (before == POINTS_STOCK_UNLIMITED || after == POINTS_STOCK_UNLIMITED)
		return POINTS_OK;
	r->it.stock = before;
	return points_item__stock_move(db, r, after - before);
}

static int
save_in(points_db *db, const points_item_def *d, int create,
    points_item_rec *r)
{
	points_asset_rec asset;
	points_tier t;
	unsigned int what;
	int64_t before = 0;
	int rc;

	rc = points_item__load(db, d->sku, r);
	if (create) {
		if (rc == POINTS_OK)
			return points_db__err(db, POINTS_EEXISTS, "item '%s' "
			    "exists", d->sku);
		if (rc != POINTS_ENOTFOUND)
			return rc;
		points_db__clear_err(db);
		memset(r, 0, sizeof(*r));
		strcpy(r->it.sku, d->sku);
		r->it.created = points_db__time(db, 0);
	} else if (rc) {
		return rc;
	} else {
		before = r->it.stock;
	}
	if ((rc = points_asset__find(db, d->asset, &asset)))
		return rc;
	if (d->min_tier && *d->min_tier &&
	    (rc = points_tier_get(db, d->min_tier, &t)))
		return rc == POINTS_ENOTFOUND ? points_db__err(db, rc,
		    "item '%s': min_tier '%s' is not in the tier table",
		    d->sku, d->min_tier) : rc;
	what = apply_def(r, d);
	if (create)
		what = POINTS_ITEM_CHANGED_CREATED;
	else if ((rc = stock_events(db, r, before)))
		return rc;
	if (!create && what == 0)
		return POINTS_OK; /* nothing changed: no history */
	if ((rc = log_change(db, r, what, NULL, 0, d->actor, d->reason)))
		return rc;
	return points_item__store(db, r);
}

static int
save(points_db *db, const points_item_def *d, int create, points_item *out)
{
	points_write_req copy;
	points_item_rec r;
	unsigned int v;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!d)
		return points_db__err(db, POINTS_EINVAL,
		    "item definition is required");
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	memcpy(&v, d, sizeof(v));
	if (v == 0 || v > POINTS_ITEM_DEF_VERSION)
		return points_db__err(db, POINTS_EVERSION, "item definition "
		    "version %u (this library knows 1 to %u)", v,
		    POINTS_ITEM_DEF_VERSION);
	if (v < POINTS_ITEM_DEF_VERSION)
		d = points_write__older(&def_req, d, def_sizes[v], copy.b);
	if ((rc = check_def(db, d)) || (rc = points_db__write_begin(db)))
		return rc;
	rc = points_db__write_end(db, save_in(db, d, create, &r));
	if (rc == POINTS_OK)
		*out = r.it;
	return rc;
}

POINTS_EXTERN int
points_item_create(points_db *db, const points_item_def *d, points_item *out)
{
	return save(db, d, 1, out);
}

POINTS_EXTERN int
points_item_update(points_db *db, const points_item_def *d, points_item *out)
{
	return save(db, d, 0, out);
}

/* The arguments every single-field change shares. */
static int
check_change(points_db *db, const char *sku, const char *actor,
    const char *reason, const void *out)
{
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_item__check_sku(db, sku)))
		return rc;
	return check_actor(db, actor, reason);
}

enum { CH_RESTOCK, CH_LISTED, CH_TIER_PRICE };

static int
change_in(points_db *db, int kind, const char *sku, int64_t v,
    const char *tier, const char *actor, const char *reason,
    points_item_rec *r)
{
	points_tier t;
	unsigned int what = 0;
	int64_t i;
	int rc;

	if ((rc = points_item__load(db, sku, r)))
		return rc;
	switch (kind) {
	case CH_RESTOCK:
		if (r->it.stock == POINTS_STOCK_UNLIMITED)
			return points_db__err(db, POINTS_EINVAL, "item '%s' "
			    "has unlimited stock", sku);
		if (v < 0 && r->it.stock + v < 0)
			return points_db__err(db, POINTS_EINVAL, "item '%s': "
			    "stock %lld cannot give %lld", sku,
			    (long long)r->it.stock, (long long)-v);
		if (v > 0 && r->it.stock > INT64_MAX - v)
			return points_db__err(db, POINTS_EOVERFLOW, "item "
			    "'%s': stock would overflow", sku);
		if ((rc = points_item__stock_move(db, r, v)))
			return rc;
		what = POINTS_ITEM_CHANGED_STOCK;
		break;
	case CH_LISTED:
		if (r->it.listed == (int)v)
			return POINTS_OK; /* as it was: no history */
		r->it.listed = (int)v;
		what = POINTS_ITEM_CHANGED_LISTING;
		break;
	case CH_TIER_PRICE:
		if ((rc = points_tier_get(db, tier, &t)))
			return rc == POINTS_ENOTFOUND ? points_db__err(db, rc,
			    "item '%s': tier '%s' is not in the tier table",
			    sku, tier) : rc;
		for (i = 0; i < r->it.tier_prices; i++)
			if (strcmp(r->tier[i], tier) == 0)
				break;
		if (v == 0 && i == r->it.tier_prices)
			return POINTS_OK; /* none to remove */
		if (v == 0) {
			for (; i + 1 < r->it.tier_prices; i++) {
				strcpy(r->tier[i], r->tier[i + 1]);
				r->tier_price[i] = r->tier_price[i + 1];
			}
			r->it.tier_prices--;
		} else if (i == r->it.tier_prices) {
			if (i == POINTS_ITEM_TIER_PRICES)
				return points_db__err(db, POINTS_ELIMIT,
				    "item '%s' has %d tier prices already (at "
				    "most %d)", sku, POINTS_ITEM_TIER_PRICES,
				    POINTS_ITEM_TIER_PRICES);
			strcpy(r->tier[i], tier);
			r->tier_price[i] = v;
			r->it.tier_prices++;
		} else {
			if (r->tier_price[i] == v)
				return POINTS_OK;
			r->tier_price[i] = v;
		}
		what = POINTS_ITEM_CHANGED_TIER_PRICE;
		break;
	}
	if ((rc = log_change(db, r, what, kind == CH_TIER_PRICE ? tier : NULL,
	    kind == CH_TIER_PRICE ? v : 0, actor, reason)))
		return rc;
	return points_item__store(db, r);
}

static int
change(points_db *db, int kind, const char *sku, int64_t v, const char *tier,
    const char *actor, const char *reason, points_item *out)
{
	points_item_rec r;
	int rc;

	if ((rc = points_db__write_begin(db)))
		return rc;
	rc = points_db__write_end(db, change_in(db, kind, sku, v, tier, actor,
	    reason, &r));
	if (rc == POINTS_OK)
		*out = r.it;
	return rc;
}

static int
modify_in(points_db *db, const char *sku, points_item__fn fn,
    const void *ctx, const char *actor, const char *reason,
    points_item_rec *r)
{
	unsigned int what = 0;
	int rc;

	if ((rc = points_item__load(db, sku, r)) ||
	    (rc = fn(db, r, ctx, &what)))
		return rc;
	if (what == 0)
		return POINTS_OK; /* as it was: no history */
	if ((rc = log_change(db, r, what, NULL, 0, actor, reason)))
		return rc;
	return points_item__store(db, r);
}

int
points_item__modify(points_db *db, const char *sku, points_item__fn fn,
    const void *ctx, const char *actor, const char *reason,
    points_item *out)
{
	points_item_rec r;
	int rc;

	if ((rc = check_change(db, sku, actor, reason, out)) ||
	    (rc = points_db__write_begin(db)))
		return rc;
	rc = points_db__write_end(db, modify_in(db, sku, fn, ctx, actor,
	    reason, &r));
	if (rc == POINTS_OK)
		*out = r.it;
	return rc;
}

POINTS_EXTERN int
points_item_restock(points_db *db, const char *sku, int64_t delta,
    const char *actor, const char *reason, points_item *out)
{
	int rc;

	if ((rc = check_change(db, sku, actor, reason, out)))
		return rc;
	if (delta == 0)
		return points_db__err(db, POINTS_EINVAL, "item '%s': a restock "
		    "of 0", sku);
	return change(db, CH_RESTOCK, sku, delta, NULL, actor, reason, out);
}

POINTS_EXTERN int
points_item_set_listed(points_db *db, const char *sku, int listed,
    const char *actor, const char *reason, points_item *out)
{
	int rc;

	if ((rc = check_change(db, sku, actor, reason, out)))
		return rc;
	if (listed != 0 && listed != 1)
		return points_db__err(db, POINTS_EINVAL, "item '%s': listed "
		    "must be 0 or 1 (got %d)", sku, listed);
	return change(db, CH_LISTED, sku, listed, NULL, actor, reason, out);
}

POINTS_EXTERN int
points_item_set_tier_price(points_db *db, const char *sku, const char *tier,
    int64_t price, const char *actor, const char *reason, points_item *out)
{
	int rc;

	if ((rc = check_change(db, sku, actor, reason, out)) ||
	    (rc = points_db__check_str(db, "tier", tier, POINTS_TIER_MAX, 1)))
		return rc;
	if (price < 0)
		return points_db__err(db, POINTS_EINVAL, "item '%s': tier "
		    "price must not be negative (0 removes it; got %lld)", sku,
		    (long long)price);
	return change(db, CH_TIER_PRICE, sku, price, tier, actor, reason, out);
}

/* ---- Reading ---- */

POINTS_EXTERN int
points_item_get(points_db *db, const char *sku, points_item *out)
{
	points_item_rec r;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_item__check_sku(db, sku)) ||
	    (rc = points_db__read_begin(db)))
		return rc;
	rc = points_item__load(db, sku, &r);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = r.it;
	return rc;
}

POINTS_EXTERN int
points_item_tier_price_get(points_db *db, const char *sku, const char *tier,
    int64_t *out)
{
	points_item_rec r;
	int64_t i;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_item__check_sku(db, sku)) ||
	    (rc = points_db__check_str(db, "tier", tier, POINTS_TIER_MAX, 1)) ||
	    (rc = points_db__read_begin(db)))
		return rc;
	rc = points_item__load(db, sku, &r);
	points_db__read_end(db);
	if (rc)
		return rc;
	for (i = 0; i < r.it.tier_prices; i++)
		if (strcmp(r.tier[i], tier) == 0) {
			*out = r.tier_price[i];
			return POINTS_OK;
		}
	return points_db__err(db, POINTS_ENOTFOUND, "item '%s' has no price "
	    "for tier '%s'", sku, tier);
}

POINTS_EXTERN int
points_item_price_for(points_db *db, const char *sku, int64_t account,
    int64_t *out)
{
	points_item_rec r;
	points_account a;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_item__check_sku(db, sku)) ||
	    (rc = points_db__read_begin(db)))
		return rc;
	if ((rc = points_item__load(db, sku, &r)) == POINTS_OK)
		rc = points_account_get(db, account, &a);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = points_item__price_at(&r, a.tier, points_db__time(db,
		    0));
	return rc;
}

/* ---- The catalogue's iterator ---- */

#define ITEM_BUF 8

struct points_item_iterator {
	points_iter base;
	struct {
		/* the last SKU returned, 0-terminated ("": none) */
		char sku[POINTS_SKU_MAX + 1];
		/* a query's: the next of its hits to return */
		size_t at;
	} pos;
	char category[POINTS_ITEM_CATEGORY_MAX + 1];
	unsigned int flags;
	/* a query (points_item_query_iterator_new): its hits, read at the
	 * first fill */
	int is_query, collected;
	points_item__query q;
	points_item__hit *hits;
	size_t nhits;
	points_item buf[ITEM_BUF];
};

static int item_fill(points_iter *base);
static void item_fini(points_iter *base);
static const points_iter_type item_type = POINTS_ITER_TYPE(
    "item iterator", struct points_item_iterator, pos, item_fill,
    item_fini);

int
points_item__in_category(const char *cat, const char *want)
{
	size_t n = strlen(want);

	return n == 0 || (strncmp(cat, want, n) == 0 &&
	    (cat[n] == 0 || cat[n] == '/'));
}

int
points_item__each(points_db *db,
    int (*fn)(points_db *db, const points_item_rec *r, void *ctx), void *ctx)
{
	points_cursor *c;
	int rc;

	rc = db->store->cursor_open(db->store, db->ks[item_ks.slot], NULL, 0,
	    NULL, 0, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "mallitem");
	for (;;) {
		const void *k, *v;
		size_t kl, vl;
		char sku[POINTS_SKU_MAX + 1];
		points_item_rec r;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, "mallitem");
			break;
		}
		if (kl == 0 || kl > POINTS_SKU_MAX) {
			rc = points_db__err(db, POINTS_ECORRUPT, "item key");
			break;
		}
		memcpy(sku, k, kl);
		sku[kl] = 0;
		if ((rc = decode(db, sku, v, vl, &r)) ||
		    (rc = fn(db, &r, ctx)))
			break;
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

/* points_item__each's fn: stops (1) at the first bundle with component
 * want->sku, copied to want->bundle. */
typedef struct holder {
	const char *sku;
	char bundle[POINTS_SKU_MAX + 1];
} holder;

static int
find_holder(points_db *db, const points_item_rec *r, void *ctx)
{
	holder *want = ctx;
	int64_t i;

	(void)db;
	for (i = 0; i < r->it.bundle_parts; i++)
		if (strcmp(r->part[i], want->sku) == 0) {
			strcpy(want->bundle, r->it.sku);
			return 1;
		}
	return POINTS_OK;
}

int
points_item__bundle_of(points_db *db, const char *sku,
    char bundle[POINTS_SKU_MAX + 1])
{
	holder want = { sku, "" };
	int rc = points_item__each(db, find_holder, &want);

	if (rc == 1)
		strcpy(bundle, want.bundle);
	return rc;
}

/* A query's fill: its hits read at the first, then handed out. */
static int
query_fill(struct points_item_iterator *it)
{
	points_iter *base = &it->base;
	int rc;

	if (!it->collected) {
		if ((rc = points_item__browse(base->db, &it->q, &it->hits,
		    &it->nhits)))
			return rc;
		it->collected = 1;
	}
	while (base->n < ITEM_BUF && it->pos.at < it->nhits)
		it->buf[base->n++] = it->hits[it->pos.at++].it;
	if (it->pos.at == it->nhits)
		base->done = 1;
	return POINTS_OK;
}

static int
item_fill(points_iter *base)
{
	struct points_item_iterator *it = (void *)base;
	points_db *db = base->db;
	unsigned char lo[POINTS_SKU_MAX + 1];
	size_t lol = strlen(it->pos.sku);
	points_cursor *c;
	int rc;

	if (it->is_query)
		return query_fill(it);
	/* after the last SKU: it with a 0 appended */
	memcpy(lo, it->pos.sku, lol);
	lo[lol] = 0;
	rc = db->store->cursor_open(db->store, db->ks[item_ks.slot], lo,
	    lol ? lol + 1 : 0, NULL, 0, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "mallitem");
	while (base->n < ITEM_BUF) {
		const void *k, *v;
		size_t kl, vl;
		char sku[POINTS_SKU_MAX + 1];
		points_item_rec r;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			base->done = 1;
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, "mallitem");
			break;
		}
		if (kl == 0 || kl > POINTS_SKU_MAX) {
			rc = points_db__err(db, POINTS_ECORRUPT, "item key");
			break;
		}
		memcpy(sku, k, kl);
		sku[kl] = 0;
		if ((rc = decode(db, sku, v, vl, &r)))
			break;
		strcpy(it->pos.sku, sku);
		if (!points_item__in_category(r.it.category, it->category) ||
		    ((it->flags & POINTS_ITEMS_LISTED) && !r.it.listed) ||
		    ((it->flags & POINTS_ITEMS_IN_STOCK) && r.it.stock == 0))
			continue;
		it->buf[base->n++] = r.it;
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

static void
item_fini(points_iter *base)
{
	struct points_item_iterator *it = (void *)base;

	points_alloc__free(it->hits);
	it->hits = NULL;
}

POINTS_EXTERN int
points_item_iterator_new(points_db *db, const char *category,
    unsigned int flags, points_item_iterator **out)
{
	points_iter *base;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = check_category(db, "*", category, 0)))
		return rc;
	if (flags & ~(POINTS_ITEMS_LISTED | POINTS_ITEMS_IN_STOCK))
		return points_db__err(db, POINTS_EINVAL, "item iterator: "
		    "unknown flags 0x%x", flags);
	if ((rc = points_iter__new(db, &item_type,
	    sizeof(struct points_item_iterator), &base)))
		return rc;
	*out = (points_item_iterator *)(void *)base;
	if (category)
		strcpy((*out)->category, category);
	(*out)->flags = flags;
	return POINTS_OK;
}

static const points_field query_fields[] = {
	POINTS_FIELD(points_item_query, version, POINTS_FIELD_UINT,
	    POINTS_FIELD_VERSION, 1),
};
static const size_t query_sizes[] = {
	0, POINTS_END_OF(points_item_query, sort), /* 1 */
	POINTS_END_OF(points_item_query, allowance), /* 2: an allowance */
};
static const points_item_query query_defaults = POINTS_ITEM_QUERY_INIT;
static const points_reqtype query_req = {
	"item query", sizeof(points_item_query), POINTS_ITEM_QUERY_VERSION,
	query_sizes, &query_defaults, query_fields, 1, 0,
};

POINTS_EXTERN int
points_item_query_init(points_item_query *q, unsigned int version)
{
	return points_write__init(&query_req, q, version);
}

/* Check query q and copy it to out. */
static int
check_query(points_db *db, const points_item_query *q,
    points_item__query *out)
{
	int rc;

	if ((rc = check_category(db, "*", q->category, 0)))
		return rc;
	if (q->flags & ~(POINTS_ITEMS_LISTED | POINTS_ITEMS_IN_STOCK |
	    POINTS_ITEMS_AFFORDABLE))
		return points_db__err(db, POINTS_EINVAL, "item query: unknown "
		    "flags 0x%x", q->flags);
	if (q->price_min < 0 || q->price_max < 0)
		return points_db__err(db, POINTS_EINVAL, "item query: a price "
		    "bound must not be negative (got %lld-%lld)",
		    (long long)q->price_min, (long long)q->price_max);
	if (q->price_max && q->price_min > q->price_max)
		return points_db__err(db, POINTS_EINVAL, "item query: prices "
		    "%lld-%lld: the lowest is above the highest",
		    (long long)q->price_min, (long long)q->price_max);
	if (q->account < 0)
		return points_db__err(db, POINTS_EINVAL, "item query: bad "
		    "account %lld", (long long)q->account);
	if ((q->flags & POINTS_ITEMS_AFFORDABLE) && q->account == 0)
		return points_db__err(db, POINTS_EINVAL, "item query: "
		    "POINTS_ITEMS_AFFORDABLE needs an account");
	if (q->sort < POINTS_ITEMS_BY_SKU || q->sort > POINTS_ITEMS_BY_NEWEST)
		return points_db__err(db, POINTS_EINVAL, "item query: unknown "
		    "sort %d (POINTS_ITEMS_BY_*)", q->sort);
	if ((rc = points_db__check_str(db, "item query: allowance",
	    q->allowance, POINTS_ASSET_MAX, 0)))
		return rc;
	memset(out, 0, sizeof(*out));
	if (q->category)
		strcpy(out->category, q->category);
	out->flags = q->flags;
	out->price_min = q->price_min;
	out->price_max = q->price_max;
	out->account = q->account;
	out->sort = q->sort;
	if (q->allowance)
		strcpy(out->allowance, q->allowance);
	return POINTS_OK;
}

POINTS_EXTERN int
points_item_query_iterator_new(points_db *db, const points_item_query *q,
    points_item_iterator **out)
{
	points_write_req copy;
	points_item__query cq = { "", 0, 0, 0, 0, 0, "" };
	points_account a;
	points_iter *base;
	unsigned int v;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!q)
		return points_db__err(db, POINTS_EINVAL, "item query is "
		    "required");
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	memcpy(&v, q, sizeof(v));
	if (v == 0 || v > POINTS_ITEM_QUERY_VERSION)
		return points_db__err(db, POINTS_EVERSION, "item query "
		    "version %u (this library knows 1 to %u)", v,
		    POINTS_ITEM_QUERY_VERSION);
	if (v < POINTS_ITEM_QUERY_VERSION)
		q = points_write__older(&query_req, q, query_sizes[v], copy.b);
	if ((rc = check_query(db, q, &cq)))
		return rc;
	if (cq.account || cq.allowance[0]) {
		/* an account or an allowance that is not there is refused
		 * now */
		points_asset_rec as;

		if ((rc = points_db__read_begin(db)))
			return rc;
		if (cq.account)
			rc = points_account__load(db, cq.account, &a);
		if (rc == POINTS_OK && cq.allowance[0])
			rc = points_asset__find(db, cq.allowance, &as);
		points_db__read_end(db);
		if (rc)
			return rc;
	}
	if ((rc = points_iter__new(db, &item_type,
	    sizeof(struct points_item_iterator), &base)))
		return rc;
	*out = (points_item_iterator *)(void *)base;
	(*out)->is_query = 1;
	(*out)->q = cq;
	return POINTS_OK;
}

POINTS_EXTERN int
points_item_next(points_item_iterator *it, points_item *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &item_type, out);

	if (rc == POINTS_OK)
		*out = it->buf[it->base.i++];
	return rc;
}

POINTS_EXTERN void
points_item_iterator_free(points_item_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}

/* ---- The history's iterator ---- */

#define CHANGE_BUF 16

struct points_item_history_iterator {
	points_iter base;
	int64_t next; /* the next change to read */
	char sku[POINTS_SKU_MAX + 1];
	points_item_change buf[CHANGE_BUF];
};

static int history_fill(points_iter *base);
static const points_iter_type history_type = POINTS_ITER_TYPE(
    "item history iterator", struct points_item_history_iterator, next,
    history_fill, NULL);

static int
history_fill(points_iter *base)
{
	struct points_item_history_iterator *it = (void *)base;
	points_db *db = base->db;
	unsigned char lo[POINTS_SKU_MAX + 5], hi[POINTS_SKU_MAX + 1];
	size_t lol, hil = strlen(it->sku) + 1;
	points_cursor *c;
	int rc;

	lol = log_key(lo, it->sku, it->next);
	memcpy(hi, it->sku, hil - 1);
	hi[hil - 1] = 1; /* past every key of sku | 0 | n */
	rc = db->store->cursor_open(db->store, db->ks[log_ks.slot], lo, lol,
	    hi, hil, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "mallitemlog");
	while (base->n < CHANGE_BUF) {
		const void *k, *v;
		size_t kl, vl;
		points_item_change *out = &it->buf[base->n];

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			base->done = 1;
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, "mallitemlog");
			break;
		}
		if ((rc = decode_change(db, k, kl, v, vl, out)))
			break;
		base->n++;
		it->next = out->n + 1;
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

POINTS_EXTERN int
points_item_history_iterator_new(points_db *db, const char *sku,
    points_item_history_iterator **out)
{
	points_item_rec r;
	points_iter *base;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_item__check_sku(db, sku)) ||
	    (rc = points_db__read_begin(db)))
		return rc;
	rc = points_item__load(db, sku, &r);
	points_db__read_end(db);
	if (rc)
		return rc;
	if ((rc = points_iter__new(db, &history_type,
	    sizeof(struct points_item_history_iterator), &base)))
		return rc;
	*out = (points_item_history_iterator *)(void *)base;
	(*out)->next = 1;
	strcpy((*out)->sku, sku);
	return POINTS_OK;
}

POINTS_EXTERN int
points_item_history_next(points_item_history_iterator *it,
    points_item_change *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &history_type, out);

	if (rc == POINTS_OK)
		*out = it->buf[it->base.i++];
	return rc;
}

POINTS_EXTERN void
points_item_history_iterator_free(points_item_history_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
