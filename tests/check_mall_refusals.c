/* check_mall_refusals.c - the mall's refusals and bad arguments that
 * the other suites leave out: each with its code, a message naming the
 * item, order or record and the reason, and nothing written; and
 * damaged mall records, read back through the store, reported as
 * POINTS_ECORRUPT.  The ledgers are "memory:" (make check-c runs the
 * suite on SQLite too). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "util/codec.h"

static points_db *db;
static int64_t acct;

static void
setup(void)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_item it;

	tu_now = TU_T0 + 10 * 3600;
	db = tu_open("memory:");
	d.sku = "MUG";
	d.name = "Mug";
	d.category = "kitchen";
	d.asset = "PTS";
	d.price = 10;
	d.stock = 5;
	d.actor = "admin";
	d.reason = "launch";
	ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
	acct = tu_account(db, "u1");
	ck_assert_int_eq(tu_earn(db, acct, "PTS", 100, NULL), POINTS_OK);
}

static void
teardown(void)
{
	tu_invariants(db);
	points_close(db);
	db = NULL;
	tu_snap_free();
	tu_cleanup();
}

static int
has(const char *what)
{
	return strstr(points_errmsg(db), what) != NULL;
}

/* The only record of keyspace ks: its key to key (*kl) and its value to
 * val (*vl). */
static void
raw_only(const char *ks, unsigned char *key, size_t *kl, unsigned char *val,
    size_t *vl)
{
	points_store *s = tu_store(db);
	points_cursor *c;
	const void *k, *v;
	size_t n, m;

	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->cursor_open(s, tu_keyspace(db, ks), NULL, 0, NULL,
	    0, 0, &c), POINTS_OK);
	ck_assert_int_eq(s->cursor_next(s, c, &k, &n, &v, &m), POINTS_OK);
	ck_assert_uint_le(n, 64);
	ck_assert_uint_le(m, 1024);
	memcpy(key, k, n);
	memcpy(val, v, m);
	*kl = n;
	*vl = m;
	ck_assert_int_eq(s->cursor_next(s, c, &k, &n, &v, &m),
	    POINTS_ITEROVER);
	s->cursor_close(s, c);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

static void
raw_put(const char *ks, const void *k, size_t kl, const void *v, size_t vl)
{
	points_store *s = tu_store(db);

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, tu_keyspace(db, ks), k, kl, v, vl),
	    POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

/* The fields of an item's record (item.c: encode): of one without tier
 * prices, and of a bundle of one component. */
#define ITEM_V3 "usssssvvvvvsuvvvvvvwuvvvwwvvvvv"
#define ITEM_V4_ONE ITEM_V3 "wsv"

static points_order
place(void)
{
	points_order_req r = POINTS_ORDER_REQ_INIT;
	points_order o;

	r.account = acct;
	r.sku = "MUG";
	ck_assert_msg(points_order_place(db, &r, &o) == POINTS_OK, "%s",
	    points_errmsg(db));
	return o;
}

/* SKUs and categories past their length, a listed flag not 0 or 1. */
START_TEST(test_item_arguments)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;
	char sku[POINTS_SKU_MAX + 2], cat[POINTS_ITEM_CATEGORY_MAX + 2];
	points_item it;

	memset(sku, 'A', sizeof(sku) - 1);
	sku[sizeof(sku) - 1] = '\0';
	memset(cat, 'a', sizeof(cat) - 1);
	cat[sizeof(cat) - 1] = '\0';
	d.sku = sku;
	d.name = "Long";
	d.category = "kitchen";
	d.asset = "PTS";
	d.price = 10;
	d.stock = 1;
	d.actor = "admin";
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EINVAL);
	ck_assert(has("SKU is too long"));
	/* exactly the most is taken */
	sku[POINTS_SKU_MAX] = '\0';
	ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
	ck_assert_str_eq(it.sku, sku);

	d.sku = "PAN";
	d.category = cat;
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EINVAL);
	ck_assert(has("item 'PAN'") && has("category is too long"));
	d.category = "kitchen/UPPER";
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EINVAL);
	ck_assert(has("item 'PAN'") && has("category 'kitchen/UPPER'"));

	TU_FAILS(db, points_item_set_listed(db, "MUG", 2, "admin", NULL, &it),
	    POINTS_EINVAL);
	ck_assert(has("item 'MUG'") && has("listed must be 0 or 1 (got 2)"));
	TU_FAILS(db, points_item_set_tier_price(db, "MUG", "gold", -1,
	    "admin", NULL, &it), POINTS_EINVAL);
	ck_assert(has("item 'MUG'") && has("must not be negative"));
	/* a restock that takes more than the stock has */
	TU_FAILS(db, points_item_restock(db, "MUG", -6, "admin", NULL, &it),
	    POINTS_EINVAL);
	ck_assert_msg(has("item 'MUG': stock 5 cannot give"), "%s",
	    points_errmsg(db));
	/* a tier price set to what it is writes nothing */
	ck_assert_int_eq(points_tier_set(db, "gold", 1, 100), POINTS_OK);
	ck_assert_int_eq(points_item_set_tier_price(db, "MUG", "gold", 8,
	    "admin", NULL, &it), POINTS_OK);
	tu_snap(db);
	ck_assert_int_eq(points_item_set_tier_price(db, "MUG", "gold", 8,
	    "admin", NULL, &it), POINTS_OK);
	tu_unchanged(db);
	tu_snap_free();
	ck_assert_int_eq(it.changes, 2);
}
END_TEST

/* The reads want somewhere to put their answer and a well-formed key. */
START_TEST(test_read_arguments)
{
	points_order_history_iterator *hi;
	points_order_code_iterator *ci;
	points_item it;
	points_order o;
	int64_t v;

	ck_assert_int_eq(points_item_get(db, "MUG", NULL), POINTS_EINVAL);
	ck_assert(has("out is required"));
	ck_assert_int_eq(points_item_get(db, "M G", &it), POINTS_EINVAL);
	ck_assert(has("SKU 'M G'"));
	ck_assert_int_eq(points_item_tier_price_get(db, "MUG", "gold", NULL),
	    POINTS_EINVAL);
	ck_assert(has("out is required"));
	ck_assert_int_eq(points_item_tier_price_get(db, "MUG", "gold", &v),
	    POINTS_ENOTFOUND);
	ck_assert(has("item 'MUG'") && has("tier 'gold'"));
	ck_assert_int_eq(points_item_tier_price_get(db, "M G", "gold", &v),
	    POINTS_EINVAL);
	ck_assert(has("SKU 'M G'"));
	ck_assert_int_eq(points_item_tier_price_get(db, "MUG", "", &v),
	    POINTS_EINVAL);
	ck_assert(has("tier is empty"));
	ck_assert_int_eq(points_item_price_for(db, "M G", acct, &v),
	    POINTS_EINVAL);
	ck_assert(has("SKU 'M G'"));
	{
		points_item_history_iterator *ih = NULL;

		ck_assert_int_eq(points_item_history_iterator_new(db, "M G",
		    &ih), POINTS_EINVAL);
		ck_assert(has("SKU 'M G'"));
		ck_assert_ptr_null(ih);
	}
	ck_assert_int_eq(points_item_price_for(db, "MUG", acct, NULL),
	    POINTS_EINVAL);
	ck_assert(has("out is required"));
	ck_assert_int_eq(points_item_codes_get(db, "MUG", NULL),
	    POINTS_EINVAL);
	ck_assert(has("out is required"));
	ck_assert_int_eq(points_mall_settings_get(db, NULL), POINTS_EINVAL);
	ck_assert(has("out is required"));

	o = place();
	ck_assert_int_eq(points_order_get(db, o.id, NULL), POINTS_EINVAL);
	ck_assert(has("out is required"));
	ck_assert_int_eq(points_order_get(db, NULL, &o), POINTS_EINVAL);
	ck_assert(has("order id is required"));
	ck_assert_int_eq(points_order_history_iterator_new(db, o.id, NULL),
	    POINTS_EINVAL);
	ck_assert(has("out is required"));
	ck_assert_int_eq(points_order_history_iterator_new(db, NULL, &hi),
	    POINTS_EINVAL);
	ck_assert(has("order id is required"));
	ck_assert_int_eq(points_order_code_iterator_new(db, o.id, NULL),
	    POINTS_EINVAL);
	ck_assert(has("out is required"));
	ck_assert_int_eq(points_order_code_iterator_new(db, NULL, &ci),
	    POINTS_EINVAL);
	ck_assert(has("order id is required"));
}
END_TEST

/* An order's texts are checked: a note or an actor that is not UTF-8,
 * a reason past its length; the message names the field and nothing is
 * written. */
START_TEST(test_order_texts)
{
	points_order_req r = POINTS_ORDER_REQ_INIT;
	char reason[POINTS_REASON_MAX + 2];
	points_order o, got;

	memset(reason, 'r', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	r.account = acct;
	r.sku = "MUG";
	r.note = "caf\xe9";
	TU_FAILS(db, points_order_place(db, &r, &o), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "order note is not valid UTF-8");
	r.note = NULL;
	r.actor = "caf\xe9";
	TU_FAILS(db, points_order_place(db, &r, &o), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "actor is not valid UTF-8");
	/* an empty allowance is none: all in points */
	r.actor = NULL;
	r.allowance = "";
	ck_assert_msg(points_order_place(db, &r, &o) == POINTS_OK, "%s",
	    points_errmsg(db));
	ck_assert_int_eq(o.amount, 10);
	ck_assert_int_eq(o.allowance_amount, 0);
	ck_assert_int_eq(tu_available(db, acct, "PTS"), 90);
	TU_FAILS(db, points_order_cancel(db, o.id, "caf\xe9", NULL, &got),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "actor is not valid UTF-8");
	TU_FAILS(db, points_order_cancel(db, o.id, "admin", reason, &got),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "reason is too long (at most 256 "
	    "bytes)");
	ck_assert_int_eq(points_order_get(db, o.id, &got), POINTS_OK);
	ck_assert_int_eq(got.state, POINTS_ORDER_SUBMITTED);
}
END_TEST

/* The settings' calls refuse an unknown period, a negative limit, a
 * time before 1970, an empty asset and a reason past its length, each
 * naming what it is about; nothing is written. */
START_TEST(test_settings_arguments)
{
	char reason[POINTS_REASON_MAX + 2];
	points_code_pool cp;
	points_cash_ratio cr;
	points_item it;
	int64_t v;

	memset(reason, 'r', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	TU_FAILS(db, points_item_set_period_limit(db, "MUG",
	    POINTS_PERIOD_YEAR + 1, 1, "admin", NULL, &it), POINTS_EINVAL);
	ck_assert(has("item 'MUG': period must be POINTS_PERIOD_DAY, _WEEK, "
	    "_MONTH or _YEAR"));
	TU_FAILS(db, points_item_set_period_limit(db, NULL,
	    POINTS_PERIOD_DAY - 1, 1, "admin", NULL, &it), POINTS_EINVAL);
	ck_assert(has("item '': period must be"));
	TU_FAILS(db, points_item_set_period_limit(db, "MUG",
	    POINTS_PERIOD_WEEK, -1, "admin", NULL, &it), POINTS_EINVAL);
	ck_assert(has("item 'MUG': a limit per period must not be negative "
	    "(0 removes it; got -1)"));
	ck_assert_int_eq(points_item_next_opening(db, "MUG", -1, &v),
	    POINTS_EINVAL);
	ck_assert(has("item 'MUG': time -1 is before 1970"));
	ck_assert_int_eq(points_mall_min_balance_get(db, "", &v),
	    POINTS_EINVAL);
	ck_assert(has("asset is empty"));
	ck_assert_int_eq(points_mall_cash_ratio_get(db, "", &cr),
	    POINTS_EINVAL);
	ck_assert(has("asset is empty"));
	TU_FAILS(db, points_item_codes_add(db, "MUG", "A1\n", "admin", reason,
	    &cp), POINTS_EINVAL);
	ck_assert(has("reason is too long (at most 256 bytes)"));
	ck_assert_int_eq(points_item_get(db, "MUG", &it), POINTS_OK);
	ck_assert_int_eq(it.stock, 5);
}
END_TEST

/* A damaged item record fails every read and write of the item, naming
 * it; the bytes put back, all is as before. */
START_TEST(test_damaged_item)
{
	static const unsigned char bad_ver[] = { 0x7f };
	unsigned char key[64], val[1024];
	size_t kl, vl;
	points_item it;

	raw_only("mallitem", key, &kl, val, &vl);
	ck_assert_uint_eq(kl, 3);
	raw_put("mallitem", key, kl, bad_ver, sizeof(bad_ver));
	ck_assert_int_eq(points_item_get(db, "MUG", &it), POINTS_ECORRUPT);
	ck_assert_msg(has("item 'MUG': record unreadable"), "%s",
	    points_errmsg(db));
	TU_FAILS(db, points_item_restock(db, "MUG", 1, "admin", NULL, &it),
	    POINTS_ECORRUPT);
	ck_assert(has("item 'MUG'"));
	/* a record cut short is as damaged as one of an unknown format */
	raw_put("mallitem", key, kl, val, vl - 1);
	ck_assert_int_eq(points_item_get(db, "MUG", &it), POINTS_ECORRUPT);
	ck_assert(has("item 'MUG': record unreadable"));
	/* more tier prices than an item has, a negative cash part */
	{
		unsigned char dam[1100];
		size_t dl;

		dl = tu_record_set(val, vl, ITEM_V3, 19,
		    POINTS_ITEM_TIER_PRICES + 1, dam, sizeof(dam));
		raw_put("mallitem", key, kl, dam, dl);
		ck_assert_int_eq(points_item_get(db, "MUG", &it),
		    POINTS_ECORRUPT);
		ck_assert(has("item 'MUG': record unreadable"));
		dl = tu_record_set(val, vl, ITEM_V3, 30, -1, dam, sizeof(dam));
		raw_put("mallitem", key, kl, dam, dl);
		ck_assert_int_eq(points_item_get(db, "MUG", &it),
		    POINTS_ECORRUPT);
		dl = tu_record_set(val, vl, ITEM_V3, 30, 0, dam, sizeof(dam));
		ck_assert(dl == vl && memcmp(dam, val, vl) == 0);
	}
	raw_put("mallitem", key, kl, val, vl);
	ck_assert_int_eq(points_item_get(db, "MUG", &it), POINTS_OK);
	ck_assert_int_eq(it.stock, 5);
}
END_TEST

/* A damaged order record: the order reads as damaged, by its id, and
 * no change of it goes through. */
START_TEST(test_damaged_order)
{
	static const unsigned char bad[] = { 0x7f };
	unsigned char key[64], val[1024];
	size_t kl, vl;
	points_order o, got;

	o = place();
	raw_only("mallorder", key, &kl, val, &vl);
	raw_put("mallorder", key, kl, bad, sizeof(bad));
	ck_assert_int_eq(points_order_get(db, o.id, &got), POINTS_ECORRUPT);
	ck_assert_msg(has(o.id) && has("record unreadable"), "%s",
	    points_errmsg(db));
	TU_FAILS(db, points_order_cancel(db, o.id, "admin", NULL, &got),
	    POINTS_ECORRUPT);
	ck_assert(has(o.id));
	raw_put("mallorder", key, kl, val, vl);
	ck_assert_int_eq(points_order_get(db, o.id, &got), POINTS_OK);
	ck_assert_int_eq(got.state, POINTS_ORDER_SUBMITTED);
	ck_assert_int_eq(points_order_cancel(db, o.id, "admin", NULL, &got),
	    POINTS_OK);
}
END_TEST

/* An order's record whose bytes read but whose values cannot be (an
 * unknown state, a negative cash part, points for cash or allowance)
 * is damaged: the order reads as such; its bytes put back, it reads. */
START_TEST(test_order_values_out_of_range)
{
	/* the fields of an order's record (order.c: encode) */
	static const char layout[] = "uvssvvvuvvssssvvvsvvvsvssss";
	static const struct {
		int field;
		int64_t value;
	} bad[] = {
		{ 7, 99 },  /* state */
		{ 19, -1 }, /* cash */
		{ 20, -1 }, /* cash_points */
		{ 22, -1 }, /* allowance_amount */
	};
	unsigned char key[64], val[1024], dam[1100];
	size_t kl, vl, dl, i;
	points_order o, got;

	o = place();
	raw_only("mallorder", key, &kl, val, &vl);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dl = tu_record_set(val, vl, layout, bad[i].field, bad[i].value,
		    dam, sizeof(dam));
		raw_put("mallorder", key, kl, dam, dl);
		ck_assert_int_eq(points_order_get(db, o.id, &got),
		    POINTS_ECORRUPT);
		ck_assert_msg(has(o.id) && has("record unreadable"), "%zu: %s",
		    i, points_errmsg(db));
	}
	/* the layout is right: the same values again read back */
	dl = tu_record_set(val, vl, layout, 22, 0, dam, sizeof(dam));
	ck_assert_uint_eq(dl, vl);
	ck_assert_int_eq(memcmp(dam, val, vl), 0);
	raw_put("mallorder", key, kl, val, vl);
	ck_assert_int_eq(points_order_get(db, o.id, &got), POINTS_OK);
	ck_assert_int_eq(got.state, POINTS_ORDER_SUBMITTED);
}
END_TEST

/* What reading order_id's bundle components answers: POINTS_OK when
 * they read to the end. */
static int
read_parts(const char *order_id)
{
	points_bundle_part_iterator *it;
	points_bundle_part bp;
	int rc;

	if ((rc = points_order_part_iterator_new(db, order_id, &it)))
		return rc;
	while ((rc = points_bundle_part_next(it, &bp)) == POINTS_OK)
		;
	points_bundle_part_iterator_free(it);
	return rc == POINTS_ITEROVER ? POINTS_OK : rc;
}

/* The components an order of a bundle took, damaged: an unknown
 * format, no components or more than a bundle has, a component of no
 * units: the order's components read as damaged and its cancel writes
 * nothing; the bytes put back, it cancels. */
START_TEST(test_damaged_order_parts)
{
	/* format, count, then a SKU, units per bundle, units taken each */
	static const char layout[] = "uwsvv";
	static const struct {
		int field;
		int64_t value;
	} bad[] = {
		{ 0, 2 }, { 1, 0 }, { 1, POINTS_BUNDLE_PARTS_MAX + 1 },
		{ 3, 0 }, { 4, -1 },
	};
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_order_req r = POINTS_ORDER_REQ_INIT;
	unsigned char key[64], val[1024], dam[1100];
	size_t kl, vl, dl, i;
	points_item it;
	points_order o, got;

	d.sku = "KIT";
	d.name = "Kit";
	d.category = "kitchen";
	d.asset = "PTS";
	d.price = 10;
	d.stock = POINTS_STOCK_UNLIMITED;
	d.actor = "admin";
	ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
	ck_assert_int_eq(points_bundle_set_part(db, "KIT", "MUG", 2, "admin",
	    NULL, &it), POINTS_OK);
	r.account = acct;
	r.sku = "KIT";
	ck_assert_msg(points_order_place(db, &r, &o) == POINTS_OK, "%s",
	    points_errmsg(db));
	ck_assert_int_eq(read_parts(o.id), POINTS_OK);
	raw_only("mallorderpart", key, &kl, val, &vl);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dl = tu_record_set(val, vl, layout, bad[i].field, bad[i].value,
		    dam, sizeof(dam));
		raw_put("mallorderpart", key, kl, dam, dl);
		ck_assert_int_eq(read_parts(o.id), POINTS_ECORRUPT);
		ck_assert_msg(has("an order's bundle components: record "
		    "unreadable"), "%zu: %s", i, points_errmsg(db));
	}
	TU_FAILS(db, points_order_cancel(db, o.id, "admin", NULL, &got),
	    POINTS_ECORRUPT);
	raw_put("mallorderpart", key, kl, val, vl);
	/* the bundle itself: no components, too many, a component of no
	 * units */
	{
		static const struct {
			int field;
			int64_t value;
		} bad_item[] = { { 31, 0 }, { 31, POINTS_BUNDLE_PARTS_MAX + 1 },
		    { 33, 0 } };
		unsigned char ik[64], iv[1024];
		size_t ikl = 3, ivl;

		memcpy(ik, "KIT", 3);
		ivl = tu_raw_get(db, "mallitem", ik, ikl, iv, sizeof(iv));
		dl = tu_record_set(iv, ivl, ITEM_V4_ONE, 33, 2, dam,
		    sizeof(dam));
		ck_assert(dl == ivl && memcmp(dam, iv, ivl) == 0);
		for (i = 0; i < sizeof(bad_item) / sizeof(bad_item[0]); i++) {
			dl = tu_record_set(iv, ivl, ITEM_V4_ONE,
			    bad_item[i].field, bad_item[i].value, dam,
			    sizeof(dam));
			raw_put("mallitem", ik, ikl, dam, dl);
			ck_assert_int_eq(points_item_get(db, "KIT", &it),
			    POINTS_ECORRUPT);
			ck_assert(has("item 'KIT': record unreadable"));
		}
		raw_put("mallitem", ik, ikl, iv, ivl);
	}
	ck_assert_int_eq(points_item_get(db, "MUG", &it), POINTS_OK);
	ck_assert_int_eq(it.stock, 3);
	ck_assert_int_eq(points_order_cancel(db, o.id, "admin", NULL, &got),
	    POINTS_OK);
	ck_assert_int_eq(points_item_get(db, "MUG", &it), POINTS_OK);
	ck_assert_int_eq(it.stock, 5);
}
END_TEST

/* A code of the pool, damaged (empty, or longer than a code): the
 * approval that would issue it answers that it is missing and writes
 * nothing; put back, the approval issues it. */
START_TEST(test_damaged_pool_code)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_order_req r = POINTS_ORDER_REQ_INIT;
	unsigned char k[16], val[128], big[POINTS_CODE_MAX + 1];
	points_code_pool cp;
	points_item it;
	points_order o;
	size_t vl;
	int i;

	d.sku = "VC";
	d.name = "Voucher";
	d.category = "virtual";
	d.asset = "PTS";
	d.price = 10;
	d.stock = 0;
	d.actor = "admin";
	ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
	ck_assert_int_eq(points_item_codes_add(db, "VC", "CODE-A1\nCODE-A2\n",
	    "admin", NULL, &cp), POINTS_OK);
	r.account = acct;
	r.sku = "VC";
	ck_assert_msg(points_order_place(db, &r, &o) == POINTS_OK, "%s",
	    points_errmsg(db));
	memcpy(k, "VC", 3);
	points_codec__put_be64(k + 3, 1);
	vl = tu_raw_get(db, "mallcode", k, 11, val, sizeof(val));
	ck_assert_uint_eq(vl, 7);
	memset(big, 'B', sizeof(big));
	for (i = 0; i < 2; i++) {
		tu_raw_put(db, "mallcode", k, 11, big, i ? sizeof(big) : 0);
		TU_FAILS(db, points_order_approve(db, o.id, "admin", NULL, &o),
		    POINTS_ECORRUPT);
		ck_assert_msg(has("item 'VC': code 1 of its pool is missing"),
		    "%s", points_errmsg(db));
	}
	tu_raw_put(db, "mallcode", k, 11, val, vl);
	ck_assert_int_eq(points_order_approve(db, o.id, "admin", NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(o.state, POINTS_ORDER_APPROVED);
}
END_TEST

/* A damaged code pool, and damaged mall settings. */
START_TEST(test_damaged_pool_and_settings)
{
	static const unsigned char bad_pool[] = { 1, 2, 6 }; /* issued 3 >
	                                                       * uploaded 1 */
	static const unsigned char bad_set[] = { 0x7f };
	points_mall_settings m;
	points_code_pool pool;

	raw_put("mallcodepool", "MUG", 3, bad_pool, sizeof(bad_pool));
	ck_assert_int_eq(points_item_codes_get(db, "MUG", &pool),
	    POINTS_ECORRUPT);
	ck_assert_msg(has("item 'MUG': code pool record unreadable"), "%s",
	    points_errmsg(db));
	TU_FAILS(db, points_item_codes_add(db, "MUG", "A1\n", "admin", NULL,
	    &pool), POINTS_ECORRUPT);
	ck_assert(has("item 'MUG'"));

	raw_put("mallset", "w", 1, bad_set, sizeof(bad_set));
	ck_assert_int_eq(points_mall_settings_get(db, &m), POINTS_ECORRUPT);
	ck_assert_msg(has("the mall's settings: record unreadable"), "%s",
	    points_errmsg(db));
}
END_TEST

/* An upload of more codes than one may hold is refused whole. */
START_TEST(test_codes_upload_limit)
{
	static char buf[(POINTS_CODES_UPLOAD_MAX + 1) * 8 + 1];
	points_code_pool pool;
	size_t off = 0;
	int i;

	for (i = 0; i <= POINTS_CODES_UPLOAD_MAX; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off,
		    "C%06d\n", i);
	TU_FAILS(db, points_item_codes_add(db, "MUG", buf, "admin", NULL,
	    &pool), POINTS_ELIMIT);
	ck_assert(has("item 'MUG'") && has("at most 10000 codes"));
	/* one fewer goes in */
	buf[off - 8] = '\0';
	ck_assert_int_eq(points_item_codes_add(db, "MUG", buf, "admin", NULL,
	    &pool), POINTS_OK);
	ck_assert_int_eq(pool.uploaded, POINTS_CODES_UPLOAD_MAX);
}
END_TEST

/* A damaged entry of an order's history stops the listing there with
 * POINTS_ECORRUPT rather than handing out a half-read change. */
START_TEST(test_damaged_order_change)
{
	static const unsigned char bad[] = { 0x7f };
	unsigned char key[64], val[1024];
	points_order_history_iterator *it;
	points_order_change ch, last;
	size_t kl, vl;
	points_order o;

	int rc;

	o = place();
	ck_assert_int_eq(points_order_cancel(db, o.id, "admin", "asked", &o),
	    POINTS_OK);
	raw_only("mallorderlog", key, &kl, val, &vl);
	raw_put("mallorderlog", key, kl, bad, sizeof(bad));
	ck_assert_int_eq(points_order_history_iterator_new(db, o.id, &it),
	    POINTS_OK);
	while ((rc = points_order_history_next(it, &ch)) == POINTS_OK)
		;
	ck_assert_int_eq(rc, POINTS_ECORRUPT);
	ck_assert_msg(has("order change record unreadable"), "%s",
	    points_errmsg(db));
	points_order_history_iterator_free(it);
	raw_put("mallorderlog", key, kl, val, vl);
	ck_assert_int_eq(points_order_history_iterator_new(db, o.id, &it),
	    POINTS_OK);
	while ((rc = points_order_history_next(it, &ch)) == POINTS_OK)
		last = ch;
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	ck_assert_int_eq(last.to_state, POINTS_ORDER_CANCELLED);
	ck_assert_str_eq(last.reason, "asked");
	points_order_history_iterator_free(it);
}
END_TEST

/* A damaged minimum balance, read back: named by its asset; the bytes
 * put back, the minimum is as it was set. */
START_TEST(test_damaged_min_balance)
{
	static const unsigned char bad[] = { 0x7f };
	unsigned char key[64], val[1024];
	size_t kl, vl;
	int64_t min = -1;

	ck_assert_int_eq(points_mall_set_min_balance(db, "PTS", 50, "admin",
	    NULL), POINTS_OK);
	raw_only("mallset", key, &kl, val, &vl);
	raw_put("mallset", key, kl, bad, sizeof(bad));
	ck_assert_int_eq(points_mall_min_balance_get(db, "PTS", &min),
	    POINTS_ECORRUPT);
	ck_assert_msg(has("minimum balance of PTS: record unreadable"), "%s",
	    points_errmsg(db));
	/* a minimum that reads but is not positive */
	{
		unsigned char dam[1100];
		size_t dl;
		int64_t v;

		for (v = -5; v <= 0; v += 5) {
			dl = tu_record_set(val, vl, "uv", 1, v, dam,
			    sizeof(dam));
			raw_put("mallset", key, kl, dam, dl);
			ck_assert_int_eq(points_mall_min_balance_get(db, "PTS",
			    &min), POINTS_ECORRUPT);
			ck_assert(has("minimum balance of PTS: record "
			    "unreadable"));
		}
	}
	raw_put("mallset", key, kl, val, vl);
	ck_assert_int_eq(points_mall_min_balance_get(db, "PTS", &min),
	    POINTS_OK);
	ck_assert_int_eq(min, 50);
}
END_TEST

/* The mall's settings with a payment order it does not know: damaged. */
START_TEST(test_damaged_pay_order)
{
	unsigned char key[64], val[1024], dam[1100];
	points_mall_settings m;
	size_t kl, vl, dl;

	ck_assert_int_eq(points_mall_set_pay_order(db,
	    POINTS_PAY_POINTS_FIRST, "admin", NULL, &m), POINTS_OK);
	raw_only("mallset", key, &kl, val, &vl);
	dl = tu_record_set(val, vl, "uwwvssu", 6, 7, dam, sizeof(dam));
	raw_put("mallset", key, kl, dam, dl);
	ck_assert_int_eq(points_mall_settings_get(db, &m), POINTS_ECORRUPT);
	ck_assert_msg(has("the mall's settings: record unreadable"), "%s",
	    points_errmsg(db));
	raw_put("mallset", key, kl, val, vl);
	ck_assert_int_eq(points_mall_settings_get(db, &m), POINTS_OK);
	ck_assert_int_eq(m.pay_order, POINTS_PAY_POINTS_FIRST);
}
END_TEST

/* A damaged cash ratio, read back: named by its asset. */
START_TEST(test_damaged_cash_ratio)
{
	static const unsigned char bad[] = { 1, 0, 2 }; /* points 0 */
	unsigned char key[64], val[1024];
	points_cash_ratio r;
	size_t kl, vl;

	ck_assert_int_eq(points_mall_set_cash_ratio(db, "PTS", 100, 1000,
	    "admin", NULL, &r), POINTS_OK);
	raw_only("mallset", key, &kl, val, &vl);
	raw_put("mallset", key, kl, bad, sizeof(bad));
	ck_assert_int_eq(points_mall_cash_ratio_get(db, "PTS", &r),
	    POINTS_ECORRUPT);
	ck_assert_msg(has("cash ratio of PTS: record unreadable"), "%s",
	    points_errmsg(db));
	/* each side of the ratio out of its range */
	{
		static const struct {
			int field;
			int64_t value;
		} out[] = {
			{ 1, 0 }, { 1, POINTS_CASH_RATIO_MAX + 1 },
			{ 2, 0 }, { 2, POINTS_CASH_RATIO_MAX + 1 },
		};
		unsigned char dam[1100];
		size_t dl, i;

		for (i = 0; i < sizeof(out) / sizeof(out[0]); i++) {
			dl = tu_record_set(val, vl, "uvvvss", out[i].field,
			    out[i].value, dam, sizeof(dam));
			raw_put("mallset", key, kl, dam, dl);
			ck_assert_int_eq(points_mall_cash_ratio_get(db, "PTS",
			    &r), POINTS_ECORRUPT);
			ck_assert(has("cash ratio of PTS: record unreadable"));
		}
	}
	raw_put("mallset", key, kl, val, vl);
	ck_assert_int_eq(points_mall_cash_ratio_get(db, "PTS", &r),
	    POINTS_OK);
	ck_assert_int_eq(r.points, 100);
	ck_assert_int_eq(r.cash, 1000);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("mall_refusals");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_item_arguments);
	tcase_add_test(tc, test_read_arguments);
	tcase_add_test(tc, test_order_texts);
	tcase_add_test(tc, test_settings_arguments);
	tcase_add_test(tc, test_damaged_item);
	tcase_add_test(tc, test_damaged_order);
	tcase_add_test(tc, test_order_values_out_of_range);
	tcase_add_test(tc, test_damaged_order_parts);
	tcase_add_test(tc, test_damaged_pool_code);
	tcase_add_test(tc, test_damaged_pool_and_settings);
	tcase_add_test(tc, test_codes_upload_limit);
	tcase_add_test(tc, test_damaged_order_change);
	tcase_add_test(tc, test_damaged_min_balance);
	tcase_add_test(tc, test_damaged_cash_ratio);
	tcase_add_test(tc, test_damaged_pay_order);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(suite());
}
