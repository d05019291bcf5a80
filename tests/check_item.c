/* check_item.c - the mall's catalogue: items, stock, tier prices,
 * tier-only items, listing, the iterator by category, the history of
 * every change, and the outbox events stock changes write.  The ledgers
 * are "memory:" (make check-c runs the suite on SQLite too). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static points_db *db;

static void
setup(void)
{
	tu_now = TU_T0 + 10 * 3600;
	db = tu_open("memory:");
	ck_assert_int_eq(points_tier_set(db, "normal", 0, 100), POINTS_OK);
	ck_assert_int_eq(points_tier_set(db, "silver", 1, 100), POINTS_OK);
	ck_assert_int_eq(points_tier_set(db, "gold", 2, 100), POINTS_OK);
}

static void
teardown(void)
{
	tu_invariants(db);
	points_close(db);
	db = NULL;
	tu_cleanup();
}

static points_item_def
def(const char *sku, const char *category, int64_t price, int64_t stock)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;

	d.sku = sku;
	d.name = sku;
	d.category = category;
	d.asset = "PTS";
	d.price = price;
	d.stock = stock;
	d.actor = "admin";
	d.reason = "launch";
	return d;
}

static points_item
create(const points_item_def *d)
{
	points_item it;

	ck_assert_msg(points_item_create(db, d, &it) == POINTS_OK, "%s: %s",
	    d->sku, points_errmsg(db));
	return it;
}

/* The outbox events after seq, as "kind subject data" lines. */
static char *
events(int64_t after)
{
	static char out[4096];
	points_outbox_event e;
	size_t n = 0;

	out[0] = 0;
	while (points_outbox_next(db, after, &e) == POINTS_OK) {
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s %s %s\n",
		    e.kind, e.subject, e.data);
		ck_assert_int_gt(e.seq, after);
		after = e.seq;
	}
	return out;
}

START_TEST(test_create_and_get)
{
	points_item_def d = def("THERMOS-01", "physical/kitchen", 100, 50);
	points_item it, got;

	d.description = "A custom thermos, 500 ml";
	d.image_url = "https://img.example/thermos.png";
	d.low_stock = 5;
	d.order_limit = 2;
	it = create(&d);
	ck_assert_str_eq(it.sku, "THERMOS-01");
	ck_assert_str_eq(it.category, "physical/kitchen");
	ck_assert_int_eq(it.price, 100);
	ck_assert_int_eq(it.stock, 50);
	ck_assert_int_eq(it.low_stock, 5);
	ck_assert_int_eq(it.order_limit, 2);
	ck_assert_int_eq(it.return_days, POINTS_ITEM_RETURN_DAYS);
	ck_assert_int_eq(it.listed, 1);
	ck_assert_int_eq(it.changes, 1);
	ck_assert_int_eq(it.created, tu_now);
	ck_assert_int_eq(it.updated, tu_now);
	ck_assert_int_eq(it.orders, 0);
	ck_assert_int_eq(points_item_get(db, "THERMOS-01", &got), POINTS_OK);
	ck_assert_mem_eq(&got, &it, sizeof(it));
	ck_assert_str_eq(got.description, "A custom thermos, 500 ml");
	ck_assert_str_eq(got.image_url, "https://img.example/thermos.png");

	/* a day of leave has no stock */
	d = def("LEAVE-DAY", "service", 2000, POINTS_STOCK_UNLIMITED);
	it = create(&d);
	ck_assert_int_eq(it.stock, POINTS_STOCK_UNLIMITED);

	/* the SKU is taken: nothing written */
	d = def("THERMOS-01", "physical", 1, 1);
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EEXISTS);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "THERMOS-01"));
	TU_FAILS(db, points_item_get(db, "NOPE", &it), POINTS_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "'NOPE' not found"));
}
END_TEST

START_TEST(test_bad_definitions)
{
	points_item_def d;
	points_item it;
	unsigned int v = 0;

	d = def("bad sku", "physical", 1, 1);
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "SKU 'bad sku'"));
	d = def("", "physical", 1, 1);
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EINVAL);
	d = def("A", "physical", 0, 1);
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "price must be "
	    "positive"));
	d = def("A", "physical", 1, -2);
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EINVAL);
	d = def("A", "Physical", 1, 1);
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EINVAL);
	d = def("A", "physical/", 1, 1);
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EINVAL);
	d = def("A", "physical//x", 1, 1);
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EINVAL);
	d = def("A", NULL, 1, 1);
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EINVAL);
	d = def("A", "physical", 1, 1);
	d.name = NULL;
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EINVAL);
	d = def("A", "physical", 1, 1);
	d.actor = NULL;
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EINVAL);
	d = def("A", "physical", 1, 1);
	d.asset = "NOPE";
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_ENOTFOUND);
	d = def("A", "physical", 1, 1);
	d.min_tier = "platinum";
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "'platinum'"));
	d = def("A", "physical", 1, 1);
	d.listed = 2;
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EINVAL);
	d = def("A", "physical", 1, 1);
	d.order_limit = -1;
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EINVAL);
	d = def("A", "physical", 1, 1);
	d.return_days = 4000;
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EINVAL);
	d = def("A", "physical", 1, 1);
	d.version = 99;
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EVERSION);
	d.version = 0;
	TU_FAILS(db, points_item_create(db, &d, &it), POINTS_EVERSION);
	ck_assert_int_eq(points_item_create(db, NULL, &it), POINTS_EINVAL);
	d = def("A", "physical", 1, 1);
	ck_assert_int_eq(points_item_create(db, &d, NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_item_update(db, &d, &it), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_item_def_init(&d, 0), POINTS_EVERSION);
	ck_assert_int_eq(points_item_def_init(NULL, 1), POINTS_EINVAL);
	(void)v;
}
END_TEST

/* Each text of a definition is checked, and each count must not be
 * negative: the refusal names the field, nothing is written.  Every
 * character a SKU and a category may hold is accepted. */
START_TEST(test_bad_fields_named)
{
	char url[POINTS_ITEM_URL_MAX + 2];
	points_item_def d;
	points_item it;

#define BAD(stmt, code, want) do {                                       \
	d = def("A", "physical", 1, 1);                                  \
	stmt;                                                            \
	TU_FAILS(db, points_item_create(db, &d, &it), code);             \
	ck_assert_msg(strstr(points_errmsg(db), want), "%s",             \
	    points_errmsg(db));                                          \
} while (0)
	memset(url, 'u', sizeof(url) - 1);
	url[sizeof(url) - 1] = 0;
	BAD(d.low_stock = -1, POINTS_EINVAL, "item 'A': low_stock, "
	    "order_limit and return_days must not be negative");
	BAD(d.return_days = -1, POINTS_EINVAL, "item 'A': low_stock, "
	    "order_limit and return_days must not be negative");
	BAD(d.description = "caf\xe9", POINTS_EINVAL,
	    "item description is not valid UTF-8");
	BAD(d.image_url = url, POINTS_EINVAL, "item image URL is too long "
	    "(at most 512 bytes)");
	BAD(d.asset = "", POINTS_EINVAL, "asset is empty");
	BAD(d.min_tier = "a-tier-name-longer-than-thirty-two", POINTS_EINVAL,
	    "min_tier is too long (at most 32 bytes)");
	BAD(d.category = "gift-cards/Cafe", POINTS_EINVAL, "category "
	    "'gift-cards/Cafe': names of a-z, 0-9, '_', '.' and '-'");
#undef BAD
	d = def("Gift-card.50_EUR", "gift-cards/e.vouchers_1", 1, 1);
	it = create(&d);
	ck_assert_str_eq(it.sku, "Gift-card.50_EUR");
	ck_assert_str_eq(it.category, "gift-cards/e.vouchers_1");
}
END_TEST

START_TEST(test_update_and_history)
{
	points_item_def d = def("HOTEL-NIGHT", "travel/hotel", 10000, 20);
	points_item_history_iterator *h;
	points_item_change c;
	points_item it;

	create(&d);
	tu_now += 60;
	d.price = 9000;
	d.reason = "autumn prices";
	ck_assert_int_eq(points_item_update(db, &d, &it), POINTS_OK);
	ck_assert_int_eq(it.price, 9000);
	ck_assert_int_eq(it.changes, 2);
	ck_assert_int_eq(it.updated, tu_now);
	/* the same again changes nothing and keeps no history */
	ck_assert_int_eq(points_item_update(db, &d, &it), POINTS_OK);
	ck_assert_int_eq(it.changes, 2);
	tu_now += 60;
	d.name = "Hotel night, sea view";
	d.stock = 30;
	d.actor = "ops";
	d.reason = NULL;
	ck_assert_int_eq(points_item_update(db, &d, &it), POINTS_OK);
	ck_assert_int_eq(it.stock, 30);
	ck_assert_int_eq(points_item_set_listed(db, "HOTEL-NIGHT", 0, "ops",
	    "renovation", &it), POINTS_OK);
	ck_assert_int_eq(it.listed, 0);
	ck_assert_int_eq(points_item_set_listed(db, "HOTEL-NIGHT", 0, "ops",
	    "again", &it), POINTS_OK);
	ck_assert_int_eq(points_item_restock(db, "HOTEL-NIGHT", -5, "ops",
	    "counted", &it), POINTS_OK);
	ck_assert_int_eq(it.stock, 25);
	ck_assert_int_eq(points_item_set_tier_price(db, "HOTEL-NIGHT", "gold",
	    6000, "admin", NULL, &it), POINTS_OK);
	ck_assert_int_eq(it.changes, 6);

	ck_assert_int_eq(points_item_history_iterator_new(db, "HOTEL-NIGHT",
	    &h), POINTS_OK);
	ck_assert_int_eq(points_item_history_next(h, &c), POINTS_OK);
	ck_assert_int_eq(c.n, 1);
	ck_assert_uint_eq(c.what, POINTS_ITEM_CHANGED_CREATED);
	ck_assert_int_eq(c.price, 10000);
	ck_assert_int_eq(c.stock, 20);
	ck_assert_str_eq(c.actor, "admin");
	ck_assert_str_eq(c.reason, "launch");
	ck_assert_int_eq(c.time, TU_T0 + 10 * 3600);
	ck_assert_int_eq(points_item_history_next(h, &c), POINTS_OK);
	ck_assert_int_eq(c.n, 2);
	ck_assert_uint_eq(c.what, POINTS_ITEM_CHANGED_PRICE);
	ck_assert_int_eq(c.price, 9000);
	ck_assert_str_eq(c.reason, "autumn prices");
	ck_assert_int_eq(points_item_history_next(h, &c), POINTS_OK);
	ck_assert_uint_eq(c.what, POINTS_ITEM_CHANGED_DETAILS |
	    POINTS_ITEM_CHANGED_STOCK);
	ck_assert_int_eq(c.stock, 30);
	ck_assert_str_eq(c.actor, "ops");
	ck_assert_str_eq(c.reason, "");
	ck_assert_int_eq(points_item_history_next(h, &c), POINTS_OK);
	ck_assert_uint_eq(c.what, POINTS_ITEM_CHANGED_LISTING);
	ck_assert_int_eq(c.listed, 0);
	ck_assert_str_eq(c.reason, "renovation");
	ck_assert_int_eq(points_item_history_next(h, &c), POINTS_OK);
	ck_assert_uint_eq(c.what, POINTS_ITEM_CHANGED_STOCK);
	ck_assert_int_eq(c.stock, 25);
	ck_assert_int_eq(points_item_history_next(h, &c), POINTS_OK);
	ck_assert_uint_eq(c.what, POINTS_ITEM_CHANGED_TIER_PRICE);
	ck_assert_str_eq(c.tier, "gold");
	ck_assert_int_eq(c.tier_price, 6000);
	ck_assert_str_eq(c.sku, "HOTEL-NIGHT");
	ck_assert_int_eq(points_item_history_next(h, &c), POINTS_ITEROVER);
	points_item_history_iterator_free(h);

	ck_assert_int_eq(points_item_history_iterator_new(db, "NOPE", &h),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(points_item_history_iterator_new(db, "HOTEL-NIGHT",
	    NULL), POINTS_EINVAL);
}
END_TEST

/* The latest change of item sku. */
static points_item_change
last_change(const char *sku)
{
	points_item_history_iterator *h;
	points_item_change c, last;
	int rc;

	memset(&last, 0, sizeof(last));
	ck_assert_int_eq(points_item_history_iterator_new(db, sku, &h),
	    POINTS_OK);
	while ((rc = points_item_history_next(h, &c)) == POINTS_OK)
		last = c;
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	points_item_history_iterator_free(h);
	return last;
}

/* Each field of an update, changed alone, is a change of its kind in
 * the history: none is left out of the comparison. */
START_TEST(test_each_field_alone_is_a_change)
{
	enum { NAME, DESCRIPTION, IMAGE, CATEGORY, ASSET, MIN_TIER, LOW_STOCK,
	    ORDER_LIMIT, RETURN_DAYS, CASH, PRICE, STOCK, LISTED, NFIELDS };
	static const unsigned int want[NFIELDS] = {
		POINTS_ITEM_CHANGED_DETAILS, POINTS_ITEM_CHANGED_DETAILS,
		POINTS_ITEM_CHANGED_DETAILS, POINTS_ITEM_CHANGED_DETAILS,
		POINTS_ITEM_CHANGED_DETAILS, POINTS_ITEM_CHANGED_DETAILS,
		POINTS_ITEM_CHANGED_DETAILS, POINTS_ITEM_CHANGED_DETAILS,
		POINTS_ITEM_CHANGED_DETAILS, POINTS_ITEM_CHANGED_PRICE,
		POINTS_ITEM_CHANGED_PRICE, POINTS_ITEM_CHANGED_STOCK,
		POINTS_ITEM_CHANGED_LISTING
	};
	int f;

	ck_assert_int_eq(points_tier_set(db, "gold", 1, 100), POINTS_OK);
	for (f = 0; f < NFIELDS; f++) {
		char sku[16];
		points_item_def d;
		points_item it;
		points_item_change c;

		snprintf(sku, sizeof(sku), "F%d", f);
		d = def(sku, "physical", 100, 10);
		create(&d);
		switch (f) {
		case NAME: d.name = "renamed"; break;
		case DESCRIPTION: d.description = "new words"; break;
		case IMAGE: d.image_url = "https://example.com/x.png"; break;
		case CATEGORY: d.category = "virtual"; break;
		case ASSET: d.asset = "EXP"; break;
		case MIN_TIER: d.min_tier = "gold"; break;
		case LOW_STOCK: d.low_stock = 3; break;
		case ORDER_LIMIT: d.order_limit = 2; break;
		case RETURN_DAYS: d.return_days = 30; break;
		case CASH: d.cash = 500; break;
		case PRICE: d.price = 90; break;
		case STOCK: d.stock = 11; break;
		case LISTED: d.listed = 0; break;
		}
		d.reason = "one field";
		ck_assert_msg(points_item_update(db, &d, &it) == POINTS_OK,
		    "field %d: %s", f, points_errmsg(db));
		ck_assert_int_eq(it.changes, 2);
		c = last_change(sku);
		ck_assert_msg(c.n == 2 && c.what == want[f], "field %d: change "
		    "%lld is %#x", f, (long long)c.n, c.what);
		ck_assert_str_eq(c.reason, "one field");
	}
}
END_TEST

/* A history longer than the iterator's buffer, of two items whose
 * SKUs share a prefix: each sees only its own. */
START_TEST(test_history_long)
{
	points_item_def a = def("CARD", "virtual", 500, 0);
	points_item_def b = def("CARD-2", "virtual", 500, 0);
	points_item_history_iterator *h;
	points_item_change c;
	points_item it;
	int i, n = 0;

	create(&a);
	create(&b);
	for (i = 0; i < 40; i++)
		ck_assert_int_eq(points_item_restock(db, "CARD", 1, "ops",
		    NULL, &it), POINTS_OK);
	ck_assert_int_eq(points_item_restock(db, "CARD-2", 7, "ops", NULL,
	    &it), POINTS_OK);
	ck_assert_int_eq(points_item_history_iterator_new(db, "CARD", &h),
	    POINTS_OK);
	while (points_item_history_next(h, &c) == POINTS_OK) {
		ck_assert_str_eq(c.sku, "CARD");
		ck_assert_int_eq(c.n, ++n);
		ck_assert_int_eq(c.stock, n - 1);
	}
	points_item_history_iterator_free(h);
	ck_assert_int_eq(n, 41);
}
END_TEST

START_TEST(test_tier_prices)
{
	points_item_def d = def("HOTEL-NIGHT", "travel/hotel", 10000,
	    POINTS_STOCK_UNLIMITED);
	int64_t alice = tu_account(db, "E1"), bob = tu_account(db, "E2");
	int64_t carol = tu_account(db, "E3"), dave = tu_account(db, "E4");
	points_item it;
	int64_t p;
	int i;

	create(&d);
	ck_assert_int_eq(points_account_update(db, bob, NULL, "silver", NULL),
	    POINTS_OK);
	ck_assert_int_eq(points_account_update(db, carol, NULL, "gold", NULL),
	    POINTS_OK);
	ck_assert_int_eq(points_account_update(db, dave, NULL, "normal", NULL),
	    POINTS_OK);
	ck_assert_int_eq(points_item_set_tier_price(db, "HOTEL-NIGHT",
	    "silver", 8000, "admin", NULL, &it), POINTS_OK);
	ck_assert_int_eq(points_item_set_tier_price(db, "HOTEL-NIGHT",
	    "gold", 6000, "admin", NULL, &it), POINTS_OK);
	ck_assert_int_eq(it.tier_prices, 2);
	ck_assert_int_eq(points_item_price_for(db, "HOTEL-NIGHT", alice, &p),
	    POINTS_OK);
	ck_assert_int_eq(p, 10000);
	ck_assert_int_eq(points_item_price_for(db, "HOTEL-NIGHT", dave, &p),
	    POINTS_OK);
	ck_assert_int_eq(p, 10000);
	ck_assert_int_eq(points_item_price_for(db, "HOTEL-NIGHT", bob, &p),
	    POINTS_OK);
	ck_assert_int_eq(p, 8000);
	ck_assert_int_eq(points_item_price_for(db, "HOTEL-NIGHT", carol, &p),
	    POINTS_OK);
	ck_assert_int_eq(p, 6000);
	ck_assert_int_eq(points_item_tier_price_get(db, "HOTEL-NIGHT", "gold",
	    &p), POINTS_OK);
	ck_assert_int_eq(p, 6000);
	ck_assert_int_eq(points_item_tier_price_get(db, "HOTEL-NIGHT",
	    "normal", &p), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_item_price_for(db, "HOTEL-NIGHT", 999, &p),
	    POINTS_ENOTFOUND);
	/* a change, then a removal */
	ck_assert_int_eq(points_item_set_tier_price(db, "HOTEL-NIGHT",
	    "silver", 7500, "admin", NULL, &it), POINTS_OK);
	ck_assert_int_eq(points_item_price_for(db, "HOTEL-NIGHT", bob, &p),
	    POINTS_OK);
	ck_assert_int_eq(p, 7500);
	ck_assert_int_eq(points_item_set_tier_price(db, "HOTEL-NIGHT",
	    "silver", 0, "admin", NULL, &it), POINTS_OK);
	ck_assert_int_eq(it.tier_prices, 1);
	ck_assert_int_eq(points_item_price_for(db, "HOTEL-NIGHT", bob, &p),
	    POINTS_OK);
	ck_assert_int_eq(p, 10000);
	ck_assert_int_eq(points_item_price_for(db, "HOTEL-NIGHT", carol, &p),
	    POINTS_OK);
	ck_assert_int_eq(p, 6000);
	/* removing one it does not have: no change */
	ck_assert_int_eq(points_item_set_tier_price(db, "HOTEL-NIGHT",
	    "silver", 0, "admin", NULL, &it), POINTS_OK);
	ck_assert_int_eq(it.changes, 5);
	/* refusals */
	TU_FAILS(db, points_item_set_tier_price(db, "HOTEL-NIGHT", "platinum",
	    5000, "admin", NULL, &it), POINTS_ENOTFOUND);
	TU_FAILS(db, points_item_set_tier_price(db, "HOTEL-NIGHT", "gold",
	    -1, "admin", NULL, &it), POINTS_EINVAL);
	TU_FAILS(db, points_item_set_tier_price(db, "HOTEL-NIGHT", NULL,
	    1, "admin", NULL, &it), POINTS_EINVAL);
	TU_FAILS(db, points_item_set_tier_price(db, "NOPE", "gold", 1,
	    "admin", NULL, &it), POINTS_ENOTFOUND);
	/* at most POINTS_ITEM_TIER_PRICES */
	for (i = 0; i < POINTS_ITEM_TIER_PRICES + 1; i++) {
		char name[16];

		snprintf(name, sizeof(name), "t%d", i);
		ck_assert_int_eq(points_tier_set(db, name, 3 + i, 100),
		    POINTS_OK);
		if (i < POINTS_ITEM_TIER_PRICES - 1)
			ck_assert_int_eq(points_item_set_tier_price(db,
			    "HOTEL-NIGHT", name, 100 + i, "admin", NULL, &it),
			    POINTS_OK);
		else if (i == POINTS_ITEM_TIER_PRICES)
			TU_FAILS(db, points_item_set_tier_price(db,
			    "HOTEL-NIGHT", name, 100 + i, "admin", NULL, &it),
			    POINTS_ELIMIT);
	}
}
END_TEST

START_TEST(test_restock_and_outbox)
{
	points_item_def d = def("THERMOS-01", "physical", 100, 12);
	points_outbox_event e;
	points_item it;
	int64_t n;

	d.low_stock = 5;
	create(&d);
	ck_assert_int_eq(points_outbox_next(db, 0, &e), POINTS_ITEROVER);
	/* 12 -> 6: above the threshold, no event */
	ck_assert_int_eq(points_item_restock(db, "THERMOS-01", -6, "ops",
	    NULL, &it), POINTS_OK);
	ck_assert_str_eq(events(0), "");
	/* 6 -> 5: low */
	ck_assert_int_eq(points_item_restock(db, "THERMOS-01", -1, "ops",
	    NULL, &it), POINTS_OK);
	ck_assert_str_eq(events(0), "item.low_stock THERMOS-01 "
	    "{\"sku\":\"THERMOS-01\",\"stock\":5,\"threshold\":5}\n");
	/* 5 -> 2: still low, no second event */
	ck_assert_int_eq(points_item_restock(db, "THERMOS-01", -3, "ops",
	    NULL, &it), POINTS_OK);
	ck_assert_int_eq(points_outbox_next(db, 1, &e), POINTS_ITEROVER);
	/* 2 -> 0: out */
	ck_assert_int_eq(points_item_restock(db, "THERMOS-01", -2, "ops",
	    NULL, &it), POINTS_OK);
	ck_assert_int_eq(points_outbox_next(db, 1, &e), POINTS_OK);
	ck_assert_int_eq(e.seq, 2);
	ck_assert_str_eq(e.kind, POINTS_OUTBOX_OUT_OF_STOCK);
	ck_assert_str_eq(e.data, "{\"sku\":\"THERMOS-01\",\"stock\":0}");
	ck_assert_int_eq(e.time, tu_now);
	ck_assert_int_eq(e.account, 0);
	/* cannot go below 0: nothing written */
	TU_FAILS(db, points_item_restock(db, "THERMOS-01", -1, "ops", NULL,
	    &it), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "stock 0"));
	TU_FAILS(db, points_item_restock(db, "THERMOS-01", 0, "ops", NULL,
	    &it), POINTS_EINVAL);
	ck_assert_int_eq(points_item_restock(db, "THERMOS-01", INT64_MAX,
	    "ops", NULL, &it), POINTS_OK);
	ck_assert_int_eq(it.stock, INT64_MAX);
	TU_FAILS(db, points_item_restock(db, "THERMOS-01", 1, "ops", NULL,
	    &it), POINTS_EOVERFLOW);
	/* back up past the threshold and down again: a new low event */
	d.stock = 10;
	ck_assert_int_eq(points_item_update(db, &d, &it), POINTS_OK);
	d.stock = 4;
	ck_assert_int_eq(points_item_update(db, &d, &it), POINTS_OK);
	ck_assert_int_eq(points_outbox_next(db, 2, &e), POINTS_OK);
	ck_assert_str_eq(e.kind, POINTS_OUTBOX_LOW_STOCK);
	ck_assert_int_eq(e.seq, 3);
	/* an unlimited item cannot be restocked */
	d = def("LEAVE", "service", 2000, POINTS_STOCK_UNLIMITED);
	create(&d);
	TU_FAILS(db, points_item_restock(db, "LEAVE", 1, "ops", NULL, &it),
	    POINTS_EINVAL);
	/* prune: sequence numbers are never given twice */
	ck_assert_int_eq(points_outbox_prune(db, 2, &n), POINTS_OK);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(points_outbox_next(db, 0, &e), POINTS_OK);
	ck_assert_int_eq(e.seq, 3);
	ck_assert_int_eq(points_outbox_prune(db, 100, &n), POINTS_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(points_outbox_next(db, 0, &e), POINTS_ITEROVER);
	ck_assert_int_eq(points_outbox_prune(db, 100, &n), POINTS_OK);
	ck_assert_int_eq(n, 0);
	d = def("MUG", "physical", 10, 1);
	create(&d);
	ck_assert_int_eq(points_item_restock(db, "MUG", -1, "ops", NULL, &it),
	    POINTS_OK);
	ck_assert_int_eq(points_outbox_next(db, 0, &e), POINTS_OK);
	ck_assert_int_eq(e.seq, 4);
	ck_assert_int_eq(points_outbox_next(db, -1, &e), POINTS_EINVAL);
	ck_assert_int_eq(points_outbox_next(db, 0, NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_outbox_next(db, INT64_MAX, &e),
	    POINTS_ITEROVER);
	ck_assert_int_eq(points_outbox_prune(db, -1, &n), POINTS_EINVAL);
	ck_assert_int_eq(points_outbox_prune(db, 1, NULL), POINTS_EINVAL);
}
END_TEST

/* The outbox after a crash: a host that delivered up to seq k and died
 * reopens the ledger and goes on from k; nothing is lost. */
START_TEST(test_outbox_resumes)
{
	const char *uri = tu_sqlite_uri();
	points_db *a = tu_open(uri), *b;
	points_item_def d = def("MUG", "physical", 10, 0);
	points_outbox_event e;
	points_item it;
	int64_t last = 0, seen = 0;
	int i;

	d.low_stock = 1;
	ck_assert_int_eq(points_item_create(a, &d, &it), POINTS_OK);
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(points_item_restock(a, "MUG", 2, "ops", NULL,
		    &it), POINTS_OK);
		ck_assert_int_eq(points_item_restock(a, "MUG", -2, "ops", NULL,
		    &it), POINTS_OK);
	}
	/* deliver two, "crash" (close without pruning) */
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(points_outbox_next(a, last, &e), POINTS_OK);
		last = e.seq;
		seen++;
	}
	points_close(a);
	b = tu_open_bare(uri);
	while (points_outbox_next(b, last, &e) == POINTS_OK) {
		ck_assert_int_eq(e.seq, last + 1);
		last = e.seq;
		seen++;
	}
	/* each round: low (2 -> 0 crosses 1 but out-of-stock wins) */
	ck_assert_int_eq(seen, 5);
	tu_invariants(b);
	points_close(b);
}
END_TEST

START_TEST(test_iterator_by_category)
{
	const char *skus[] = { "A1", "B2", "C3", "D4", "E5", "F6", "G7", "H8",
		"I9", "J10", "K11", "L12" };
	const char *cats[] = { "physical", "physical/kitchen",
		"physical/kitchenware", "virtual", "service", "physical/kitchen/cups" };
	points_item_iterator *it;
	points_item item;
	char seen[256];
	size_t i;

	for (i = 0; i < 12; i++) {
		points_item_def d = def(skus[i], cats[i % 6], 10 + (int64_t)i,
		    i == 3 ? 0 : 5);

		d.listed = i != 5;
		create(&d);
	}
#define LIST(cat, flags, want) do {                                     \
	ck_assert_int_eq(points_item_iterator_new(db, cat, flags, &it),  \
	    POINTS_OK);                                                      \
	seen[0] = 0;                                                         \
	while (points_item_next(it, &item) == POINTS_OK)                     \
		strcat(strcat(seen, item.sku), " ");                         \
	points_item_iterator_free(it);                                       \
	ck_assert_str_eq(seen, want);                                        \
} while (0)
	LIST(NULL, 0, "A1 B2 C3 D4 E5 F6 G7 H8 I9 J10 K11 L12 ");
	LIST("", 0, "A1 B2 C3 D4 E5 F6 G7 H8 I9 J10 K11 L12 ");
	LIST("physical", 0, "A1 B2 C3 F6 G7 H8 I9 L12 ");
	/* a sub-category, not a prefix of the name */
	LIST("physical/kitchen", 0, "B2 F6 H8 L12 ");
	LIST("physical/kitchen", POINTS_ITEMS_LISTED, "B2 H8 L12 ");
	LIST("virtual", 0, "D4 J10 ");
	LIST("virtual", POINTS_ITEMS_IN_STOCK, "J10 ");
	LIST("travel", 0, "");
	ck_assert_int_eq(points_item_iterator_new(db, "Bad", 0, &it),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_item_iterator_new(db, NULL, 0x80, &it),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_item_iterator_new(db, NULL, 0, NULL),
	    POINTS_EINVAL);
#undef LIST
}
END_TEST

/* More items than a fill buffers, with items changed between steps. */
START_TEST(test_iterator_long)
{
	points_item_iterator *it;
	points_item item;
	char sku[16];
	int i, n = 0;

	for (i = 0; i < 30; i++) {
		points_item_def d;

		snprintf(sku, sizeof(sku), "S%03d", i);
		d = def(sku, "physical", 10, 1);
		create(&d);
	}
	ck_assert_int_eq(points_item_iterator_new(db, NULL, 0, &it),
	    POINTS_OK);
	while (points_item_next(it, &item) == POINTS_OK) {
		snprintf(sku, sizeof(sku), "S%03d", n++);
		ck_assert_str_eq(item.sku, sku);
		if (n == 3) {
			points_item x;

			ck_assert_int_eq(points_item_restock(db, "S020", 1,
			    "ops", NULL, &x), POINTS_OK);
		}
	}
	points_item_iterator_free(it);
	ck_assert_int_eq(n, 30);
}
END_TEST

START_TEST(test_batch_rollback)
{
	points_item_def d = def("MUG", "physical", 10, 1);
	points_item it;

	create(&d);
	tu_snap(db);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(points_item_restock(db, "MUG", -1, "ops", NULL, &it),
	    POINTS_OK);
	ck_assert_int_eq(points_item_restock(db, "MUG", -1, "ops", NULL, &it),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	tu_unchanged(db);
	tu_snap_free();
}
END_TEST

/* An item for tier gold and above whose tier record is gone, or
 * damaged, refuses an order as damage naming the item (or the tier),
 * writing nothing; with the tier back the order goes through. */
START_TEST(test_item_of_a_damaged_tier_is_refused)
{
	points_item_def d = def("GMUG", "physical", 10, 5);
	points_order_req r = POINTS_ORDER_REQ_INIT;
	points_store *st = tu_store(db);
	unsigned char saved[256];
	size_t sl;
	points_order o;
	int64_t a = tu_account(db, "E1001");

	d.min_tier = "gold";
	(void)create(&d);
	ck_assert_int_eq(points_account_update(db, a, NULL, "gold", NULL),
	    POINTS_OK);
	ck_assert_int_eq(tu_earn(db, a, "PTS", 100, NULL), POINTS_OK);
	r.account = a;
	r.sku = "GMUG";
	r.quantity = 1;
	r.actor = "shop";
	sl = tu_raw_get(db, "tier", "gold", 4, saved, sizeof(saved));
	ck_assert_uint_gt(sl, 0);
	ck_assert_int_eq(st->begin(st, 1), POINTS_OK);
	ck_assert_int_eq(st->del(st, tu_keyspace(db, "tier"), "gold", 4),
	    POINTS_OK);
	ck_assert_int_eq(st->commit(st), POINTS_OK);
	TU_FAILS(db, points_order_place(db, &r, &o), POINTS_ECORRUPT);
	ck_assert_str_eq(points_errmsg(db), "item 'GMUG': its tier 'gold' is "
	    "not in the tier table");
	tu_raw_put(db, "tier", "gold", 4, "\xff", 1);
	TU_FAILS(db, points_order_place(db, &r, &o), POINTS_ECORRUPT);
	ck_assert_str_eq(points_errmsg(db), "tier 'gold': record unreadable");
	tu_raw_put(db, "tier", "gold", 4, saved, sl);
	ck_assert_msg(points_order_place(db, &r, &o) == POINTS_OK, "%s",
	    points_errmsg(db));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("item");
	TCase *tc = tcase_create("item");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_create_and_get);
	tcase_add_test(tc, test_bad_definitions);
	tcase_add_test(tc, test_bad_fields_named);
	tcase_add_test(tc, test_update_and_history);
	tcase_add_test(tc, test_each_field_alone_is_a_change);
	tcase_add_test(tc, test_history_long);
	tcase_add_test(tc, test_tier_prices);
	tcase_add_test(tc, test_item_of_a_damaged_tier_is_refused);
	tcase_add_test(tc, test_restock_and_outbox);
	tcase_add_test(tc, test_outbox_resumes);
	tcase_add_test(tc, test_iterator_by_category);
	tcase_add_test(tc, test_iterator_long);
	tcase_add_test(tc, test_batch_rollback);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
