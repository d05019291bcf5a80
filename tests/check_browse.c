/* check_browse.c - browsing the catalogue (points_item_query_iterator_new):
 * categories with their sub-categories, price ranges, listed and in
 * stock, what an account can afford now (its tier's price, a flash
 * discount, the mall's minimum balance, as points_order_place checks
 * them), and the five sort orders; bad queries; and a seeded random
 * catalogue queried at random against a brute-force model.  The ledgers
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

static void
item(const char *sku, const char *category, const char *asset,
    int64_t price, int64_t stock, int listed, const char *min_tier)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_item it;

	d.sku = sku;
	d.name = sku;
	d.category = category;
	d.asset = asset;
	d.price = price;
	d.stock = stock;
	d.listed = listed;
	d.min_tier = min_tier;
	d.actor = "admin";
	ck_assert_msg(points_item_create(db, &d, &it) == POINTS_OK, "%s: %s",
	    sku, points_errmsg(db));
}

static int64_t
account(const char *ext, const char *tier, int64_t pts)
{
	int64_t a = tu_account(db, ext);

	if (tier)
		ck_assert_int_eq(points_account_update(db, a, NULL, tier,
		    NULL), POINTS_OK);
	if (pts)
		ck_assert_int_eq(tu_earn(db, a, "PTS", pts, NULL), POINTS_OK);
	return a;
}

static int
order(int64_t acct, const char *sku, int64_t qty, points_order *o)
{
	points_order_req r = POINTS_ORDER_REQ_INIT;

	r.account = acct;
	r.sku = sku;
	r.quantity = qty;
	return points_order_place(db, &r, o);
}

/* The SKUs query q lists, each followed by a space. */
static char *
list(const points_item_query *q)
{
	static char out[8192];
	points_item_iterator *it;
	points_item i;
	int rc;

	out[0] = 0;
	ck_assert_msg(points_item_query_iterator_new(db, q, &it) == POINTS_OK,
	    "%s", points_errmsg(db));
	while ((rc = points_item_next(it, &i)) == POINTS_OK)
		strcat(strcat(out, i.sku), " ");
	ck_assert_msg(rc == POINTS_ITEROVER, "%s", points_errmsg(db));
	points_item_iterator_free(it);
	return out;
}

static points_item_query
query(const char *category, unsigned int flags, int64_t lo, int64_t hi,
    int64_t account, int sort)
{
	points_item_query q = POINTS_ITEM_QUERY_INIT;

	q.category = category;
	q.flags = flags;
	q.price_min = lo;
	q.price_max = hi;
	q.account = account;
	q.sort = sort;
	return q;
}

#define LIST(want, ...) do {                                             \
	points_item_query q_ = query(__VA_ARGS__);                       \
	ck_assert_str_eq(list(&q_), want);                               \
} while (0)

START_TEST(test_category_range_stock_listed)
{
	item("A", "physical", "PTS", 100, 5, 1, NULL);
	item("B", "physical/kitchen", "PTS", 500, 0, 1, NULL);
	item("C", "physical/kitchenware", "PTS", 750, 2, 1, NULL);
	item("D", "physical/kitchen/cups", "PTS", 1000, -1, 0, NULL);
	item("E", "virtual", "PTS", 1001, 3, 1, NULL);
	item("F", "service", "PTS", 499, -1, 1, NULL);
	LIST("A B C D E F ", NULL, 0, 0, 0, 0, POINTS_ITEMS_BY_SKU);
	/* a category and its sub-categories, not a prefix of a name */
	LIST("B D ", "physical/kitchen", 0, 0, 0, 0, POINTS_ITEMS_BY_SKU);
	LIST("A B C D ", "physical", 0, 0, 0, 0, POINTS_ITEMS_BY_SKU);
	/* "500-1000 points": both ends in */
	LIST("B C D ", NULL, 0, 500, 1000, 0, POINTS_ITEMS_BY_SKU);
	LIST("B C D E ", NULL, 0, 500, 0, 0, POINTS_ITEMS_BY_SKU);
	LIST("A F ", NULL, 0, 0, 499, 0, POINTS_ITEMS_BY_SKU);
	LIST("A C D E F ", NULL, POINTS_ITEMS_IN_STOCK, 0, 0, 0,
	    POINTS_ITEMS_BY_SKU);
	LIST("A B C E F ", NULL, POINTS_ITEMS_LISTED, 0, 0, 0,
	    POINTS_ITEMS_BY_SKU);
	LIST("C ", "physical", POINTS_ITEMS_LISTED | POINTS_ITEMS_IN_STOCK,
	    500, 1000, 0, POINTS_ITEMS_BY_SKU);
	LIST("", "travel", 0, 0, 0, 0, POINTS_ITEMS_BY_SKU);
}
END_TEST

START_TEST(test_sort_orders)
{
	int64_t buyer = account("BUYER", NULL, 100000);
	points_order o, cancel;
	points_item it;

	/* created a second apart, not in SKU order */
	item("M", "physical", "PTS", 300, -1, 1, NULL);
	tu_now++;
	item("Z", "physical", "PTS", 100, -1, 1, NULL);
	tu_now++;
	item("A", "physical", "PTS", 200, -1, 1, NULL);
	item("B", "physical", "PTS", 200, -1, 1, NULL); /* same second */
	LIST("A B M Z ", NULL, 0, 0, 0, 0, POINTS_ITEMS_BY_SKU);
	LIST("Z A B M ", NULL, 0, 0, 0, 0, POINTS_ITEMS_BY_PRICE);
	LIST("M A B Z ", NULL, 0, 0, 0, 0, POINTS_ITEMS_BY_PRICE_DESC);
	LIST("A B Z M ", NULL, 0, 0, 0, 0, POINTS_ITEMS_BY_NEWEST);
	/* popularity is units: Z 5 units in one order beats M 3 in three;
	 * a cancelled order gives its units back */
	ck_assert_int_eq(order(buyer, "Z", 5, &o), POINTS_OK);
	ck_assert_int_eq(order(buyer, "M", 1, &o), POINTS_OK);
	ck_assert_int_eq(order(buyer, "M", 1, &o), POINTS_OK);
	ck_assert_int_eq(order(buyer, "M", 1, &o), POINTS_OK);
	ck_assert_int_eq(order(buyer, "B", 4, &cancel), POINTS_OK);
	ck_assert_int_eq(order(buyer, "A", 1, &o), POINTS_OK);
	LIST("Z B M A ", NULL, 0, 0, 0, 0, POINTS_ITEMS_BY_POPULARITY);
	ck_assert_int_eq(points_item_get(db, "M", &it), POINTS_OK);
	ck_assert_int_eq(it.orders, 3);
	ck_assert_int_eq(it.units, 3);
	ck_assert_int_eq(it.points, 900);
	ck_assert_int_eq(points_order_cancel(db, cancel.id, "ops", NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(points_item_get(db, "B", &it), POINTS_OK);
	ck_assert_int_eq(it.orders, 0);
	ck_assert_int_eq(it.units, 0);
	ck_assert_int_eq(it.points, 0);
	LIST("Z M A B ", NULL, 0, 0, 0, 0, POINTS_ITEMS_BY_POPULARITY);
}
END_TEST

/* The hotel night: 10,000 points, 8,000 silver, 6,000 gold; a suite
 * only gold may book; a flash discount; the mall's minimum balance. */
START_TEST(test_affordable_for_an_account)
{
	int64_t ann, sil, gol, fro;
	points_item it;

	ann = account("ANN", NULL, 7000);
	sil = account("SIL", "silver", 9000);
	gol = account("GOL", "gold", 7000);
	fro = account("FRO", "gold", 50000);
	ck_assert_int_eq(points_account_freeze(db, fro), POINTS_OK);
	item("NIGHT", "travel/hotel", "PTS", 10000, 5, 1, NULL);
	item("SUITE", "travel/hotel", "PTS", 5000, 5, 1, "gold");
	item("MUG", "physical", "PTS", 100, 5, 1, NULL);
	item("CARD", "virtual", "EXP", 100, 5, 1, NULL);
	ck_assert_int_eq(points_item_set_tier_price(db, "NIGHT", "silver",
	    8000, "admin", NULL, &it), POINTS_OK);
	ck_assert_int_eq(points_item_set_tier_price(db, "NIGHT", "gold",
	    6000, "admin", NULL, &it), POINTS_OK);
	/* no EXP: CARD is nobody's */
	LIST("MUG ", NULL, POINTS_ITEMS_AFFORDABLE, 0, 0, ann,
	    POINTS_ITEMS_BY_SKU);
	LIST("MUG NIGHT ", NULL, POINTS_ITEMS_AFFORDABLE, 0, 0, sil,
	    POINTS_ITEMS_BY_SKU);
	LIST("MUG NIGHT SUITE ", NULL, POINTS_ITEMS_AFFORDABLE, 0, 0, gol,
	    POINTS_ITEMS_BY_SKU);
	LIST("", NULL, POINTS_ITEMS_AFFORDABLE, 0, 0, fro,
	    POINTS_ITEMS_BY_SKU);
	/* the range and the sort use the account's price */
	LIST("CARD MUG SUITE NIGHT ", NULL, 0, 0, 0, gol,
	    POINTS_ITEMS_BY_PRICE);
	LIST("CARD MUG SUITE NIGHT ", NULL, 0, 0, 0, 0,
	    POINTS_ITEMS_BY_PRICE);
	LIST("NIGHT SUITE CARD MUG ", NULL, 0, 0, 0, sil,
	    POINTS_ITEMS_BY_PRICE_DESC);
	LIST("NIGHT ", "travel", 0, 6000, 6000, gol, POINTS_ITEMS_BY_SKU);
	LIST("", "travel", 0, 6000, 6000, sil, POINTS_ITEMS_BY_SKU);
	/* 30% off for three days from tomorrow: 7,000 for ann then */
	ck_assert_int_eq(points_item_set_flash(db, "NIGHT",
	    POINTS_FLASH_PERCENT, 30, tu_now + TU_DAY, tu_now + 4 * TU_DAY,
	    "admin", NULL, &it), POINTS_OK);
	LIST("MUG ", NULL, POINTS_ITEMS_AFFORDABLE, 0, 0, ann,
	    POINTS_ITEMS_BY_SKU);
	tu_now += TU_DAY;
	LIST("MUG NIGHT ", NULL, POINTS_ITEMS_AFFORDABLE, 0, 0, ann,
	    POINTS_ITEMS_BY_SKU);
	tu_now += 3 * TU_DAY;
	LIST("MUG ", NULL, POINTS_ITEMS_AFFORDABLE, 0, 0, ann,
	    POINTS_ITEMS_BY_SKU);
	/* points held by an order are not there to spend */
	{
		points_order o;

		ck_assert_int_eq(order(sil, "NIGHT", 1, &o), POINTS_OK);
		LIST("MUG ", NULL, POINTS_ITEMS_AFFORDABLE, 0, 0, sil,
		    POINTS_ITEMS_BY_SKU);
	}
	/* the mall's minimum balance: gold has 7,000, needs 8,000 */
	ck_assert_int_eq(points_mall_set_min_balance(db, "PTS", 8000, "admin",
	    NULL), POINTS_OK);
	LIST("", NULL, POINTS_ITEMS_AFFORDABLE, 0, 0, gol,
	    POINTS_ITEMS_BY_SKU);
	ck_assert_int_eq(points_mall_set_min_balance(db, "PTS", 7000, "admin",
	    NULL), POINTS_OK);
	LIST("MUG NIGHT SUITE ", NULL, POINTS_ITEMS_AFFORDABLE, 0, 0, gol,
	    POINTS_ITEMS_BY_SKU);
}
END_TEST

/* The SKUs account can afford with allowance (NULL: none). */
static char *
affordable(int64_t acct, const char *allowance)
{
	points_item_query q = query(NULL, POINTS_ITEMS_AFFORDABLE, 0, 0, acct,
	    POINTS_ITEMS_BY_SKU);

	q.allowance = allowance;
	return list(&q);
}

static void
pay_order(int po)
{
	points_mall_settings m;

	ck_assert_int_eq(points_mall_set_pay_order(db, po, "admin", NULL, &m),
	    POINTS_OK);
}

/* A welfare allowance (EXP here) pays beside the points, 1:1: what
 * the two have together counts, whichever pays first; an item paid in
 * the allowance's own asset an order refuses with it. */
START_TEST(test_affordable_with_allowance)
{
	int64_t both, poor, wel, neg;
	points_order o;
	int po;

	item("NIGHT", "travel/hotel", "PTS", 1000, 5, 1, NULL);
	item("MUG", "physical", "PTS", 100, 5, 1, NULL);
	item("CARD", "virtual", "EXP", 100, 5, 1, NULL);
	both = account("BOTH", NULL, 600);  /* + 400 EXP: 1000 */
	poor = account("POOR", NULL, 600);  /* + 399 EXP: 999 */
	wel = account("WEL", NULL, 0);      /* 1000 EXP, no points */
	ck_assert_int_eq(points_account_create(db, "NEG", NULL,
	    POINTS_ACCOUNT_ALLOW_NEGATIVE, &neg), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, both, "EXP", 400, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, poor, "EXP", 399, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, wel, "EXP", 1000, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, neg, "EXP", 10, NULL), POINTS_OK);
	/* without the allowance only the points count */
	ck_assert_str_eq(affordable(both, NULL), "CARD MUG ");
	ck_assert_str_eq(affordable(poor, NULL), "CARD MUG ");
	ck_assert_str_eq(affordable(wel, NULL), "CARD ");
	for (po = POINTS_PAY_ALLOWANCE_FIRST; po <= POINTS_PAY_POINTS_FIRST;
	    po++) {
		pay_order(po);
		ck_assert_str_eq(affordable(both, "EXP"), "MUG NIGHT ");
		ck_assert_str_eq(affordable(poor, "EXP"), "MUG ");
		ck_assert_str_eq(affordable(wel, "EXP"), "MUG NIGHT ");
		/* "" is none */
		ck_assert_str_eq(affordable(both, ""), "CARD MUG ");
	}
	/* an account allowed below zero: its points may go negative when
	 * they pay second, not the allowance */
	pay_order(POINTS_PAY_ALLOWANCE_FIRST);
	ck_assert_str_eq(affordable(neg, "EXP"), "MUG NIGHT ");
	pay_order(POINTS_PAY_POINTS_FIRST);
	ck_assert_str_eq(affordable(neg, "EXP"), "");
	/* what browse says, an order does: both's night, then poor's
	 * refused */
	{
		points_order_req r = POINTS_ORDER_REQ_INIT;

		r.account = both;
		r.sku = "NIGHT";
		r.allowance = "EXP";
		ck_assert_msg(points_order_place(db, &r, &o) == POINTS_OK,
		    "%s", points_errmsg(db));
		ck_assert_int_eq(o.amount, 600);
		ck_assert_int_eq(o.allowance_amount, 400);
		r.account = poor;
		TU_FAILS(db, points_order_place(db, &r, &o),
		    POINTS_EINSUFFICIENT);
	}
	/* both's points and allowance are held now */
	ck_assert_str_eq(affordable(both, "EXP"), "");
	/* a query of version 1 has no allowance (what follows is not
	 * read) */
	{
		points_item_query q = query(NULL, POINTS_ITEMS_AFFORDABLE, 0,
		    0, wel, POINTS_ITEMS_BY_SKU);

		q.version = 1;
		q.allowance = (const char *)1;
		ck_assert_str_eq(list(&q), "CARD ");
	}
}
END_TEST

START_TEST(test_bad_queries)
{
	points_item_query q = POINTS_ITEM_QUERY_INIT;
	points_item_iterator *it = NULL;
	int64_t ann = account("ANN", NULL, 0);

	item("MUG", "physical", "PTS", 100, 5, 1, NULL);
	tu_snap(db);
#define BAD(code, needle) do {                                           \
	it = NULL;                                                       \
	ck_assert_int_eq(points_item_query_iterator_new(db, &q, &it),    \
	    code);                                                       \
	ck_assert_ptr_null(it);                                          \
	ck_assert_msg(strstr(points_errmsg(db), needle), "%s",           \
	    points_errmsg(db));                                          \
	q = (points_item_query)POINTS_ITEM_QUERY_INIT;                   \
} while (0)
	q.version = 0;
	BAD(POINTS_EVERSION, "item query version 0");
	q.version = POINTS_ITEM_QUERY_VERSION + 1;
	BAD(POINTS_EVERSION, "item query version");
	q.category = "Physical";
	BAD(POINTS_EINVAL, "category 'Physical'");
	q.category = "physical/";
	BAD(POINTS_EINVAL, "ends with '/'");
	q.flags = 0x80;
	BAD(POINTS_EINVAL, "unknown flags 0x80");
	q.price_min = -1;
	BAD(POINTS_EINVAL, "must not be negative");
	q.price_max = -5;
	BAD(POINTS_EINVAL, "must not be negative");
	q.price_min = 1000;
	q.price_max = 500;
	BAD(POINTS_EINVAL, "1000-500");
	q.flags = POINTS_ITEMS_AFFORDABLE;
	BAD(POINTS_EINVAL, "needs an account");
	q.account = -3;
	BAD(POINTS_EINVAL, "bad account -3");
	q.account = ann + 100;
	BAD(POINTS_ENOTFOUND, "");
	q.sort = 5;
	BAD(POINTS_EINVAL, "unknown sort 5");
	q.sort = -1;
	BAD(POINTS_EINVAL, "unknown sort -1");
	q.allowance = "NOPE";
	BAD(POINTS_ENOTFOUND, "NOPE");
	q.allowance = "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ";
	BAD(POINTS_EINVAL, "allowance is too long");
#undef BAD
	ck_assert_int_eq(points_item_query_iterator_new(db, NULL, &it),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_item_query_iterator_new(db, &q, NULL),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_item_query_iterator_new(NULL, &q, &it),
	    POINTS_EINVAL);
	/* the _init */
	ck_assert_int_eq(points_item_query_init(&q, 0), POINTS_EVERSION);
	ck_assert_int_eq(points_item_query_init(NULL, 1), POINTS_EINVAL);
	memset(&q, 0xff, sizeof(q));
	ck_assert_int_eq(points_item_query_init(&q, POINTS_ITEM_QUERY_VERSION),
	    POINTS_OK);
	ck_assert_ptr_null(q.category);
	ck_assert_int_eq(q.sort, POINTS_ITEMS_BY_SKU);
	ck_assert_int_eq(q.account, 0);
	ck_assert_ptr_null(q.allowance);
	/* a read: nothing written */
	tu_unchanged(db);
	tu_snap_free();
}
END_TEST

/* More items than a fill buffers; what changes after the first step
 * is not seen (the query read the catalogue at its first step). */
START_TEST(test_long_and_read_once)
{
	points_item_query q = query(NULL, 0, 0, 0, 0,
	    POINTS_ITEMS_BY_PRICE_DESC);
	points_item_iterator *it;
	points_item i, x;
	char sku[16];
	int n;

	for (n = 0; n < 30; n++) {
		snprintf(sku, sizeof(sku), "S%03d", n);
		item(sku, "physical", "PTS", 10 + n, 1, 1, NULL);
	}
	ck_assert_int_eq(points_item_query_iterator_new(db, &q, &it),
	    POINTS_OK);
	/* before the first step: seen */
	ck_assert_int_eq(points_item_set_listed(db, "S029", 0, "ops", NULL,
	    &x), POINTS_OK);
	q.flags = POINTS_ITEMS_LISTED;
	q.sort = POINTS_ITEMS_BY_SKU;
	for (n = 29; n >= 0; n--) {
		ck_assert_int_eq(points_item_next(it, &i), POINTS_OK);
		snprintf(sku, sizeof(sku), "S%03d", n);
		ck_assert_str_eq(i.sku, sku);
		ck_assert_int_eq(i.price, 10 + n);
		if (n == 29)
			ck_assert_int_eq(i.listed, 0);
		if (n == 25) {
			ck_assert_int_eq(points_item_restock(db, "S001", 5,
			    "ops", NULL, &x), POINTS_OK);
		}
		if (n == 1)
			ck_assert_int_eq(i.stock, 1);
	}
	ck_assert_int_eq(points_item_next(it, &i), POINTS_ITEROVER);
	ck_assert_int_eq(points_item_next(it, &i), POINTS_ITEROVER);
	points_item_iterator_free(it);
	ck_assert_str_eq(list(&q), "S000 S001 S002 S003 S004 S005 S006 S007 "
	    "S008 S009 S010 S011 S012 S013 S014 S015 S016 S017 S018 S019 "
	    "S020 S021 S022 S023 S024 S025 S026 S027 S028 ");
}
END_TEST

/* Inside a batch rolled back, the query sees the batch's writes; the
 * rollback leaves it POINTS_ESTATE. */
START_TEST(test_batch)
{
	points_item_query q = POINTS_ITEM_QUERY_INIT;
	points_item_iterator *it;
	points_item i;

	item("A", "physical", "PTS", 10, 1, 1, NULL);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	item("B", "physical", "PTS", 10, 1, 1, NULL);
	ck_assert_str_eq(list(&q), "A B ");
	ck_assert_int_eq(points_item_query_iterator_new(db, &q, &it),
	    POINTS_OK);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	ck_assert_int_eq(points_item_next(it, &i), POINTS_ESTATE);
	points_item_iterator_free(it);
	ck_assert_str_eq(list(&q), "A ");
}
END_TEST

/* ---- A seeded random catalogue against a brute-force model ---- */

enum { R_ITEMS = 40, R_ACCTS = 5, R_QUERIES = 200 };

static const char *const r_cats[] = { "physical", "physical/kitchen",
	"physical/kitchen/cups", "physical/kitchenware", "virtual",
	"service", "travel/hotel" };
#define R_NCATS ((int)(sizeof(r_cats) / sizeof(r_cats[0])))
static const char *const r_tiers[] = { "", "normal", "silver", "gold" };

typedef struct r_item {
	char sku[16];
	int cat, asset, listed, min_tier; /* min_tier: index in r_tiers */
	int64_t price, stock, created, units;
	int64_t tier_price[4];            /* 0: none */
	int flash_kind;
	int64_t flash_value, flash_starts, flash_ends;
} r_item;

typedef struct r_acct {
	int64_t id;
	int tier, frozen;
	int64_t bal[2]; /* PTS, EXP: to spend */
} r_acct;

static int64_t
r_price(const r_item *m, int tier, int64_t now)
{
	int64_t base = m->tier_price[tier] ? m->tier_price[tier] : m->price;

	if (!m->flash_kind || now < m->flash_starts || now >= m->flash_ends)
		return base;
	if (m->flash_kind == POINTS_FLASH_PRICE)
		return m->flash_value < base ? m->flash_value : base;
	return base - base * m->flash_value / 100;
}

static int
r_in_cat(int cat, int want)
{
	size_t n;

	if (want < 0)
		return 1;
	n = strlen(r_cats[want]);
	return strncmp(r_cats[cat], r_cats[want], n) == 0 &&
	    (r_cats[cat][n] == 0 || r_cats[cat][n] == '/');
}

static int
r_affords(const r_item *m, const r_acct *a, const int64_t min[2],
    int64_t now)
{
	/* tier ranks: none below every row (r_tiers 1..3 rank 0..2) */
	if (a->frozen || (m->min_tier && a->tier < m->min_tier))
		return 0;
	if (min[m->asset] && a->bal[m->asset] < min[m->asset])
		return 0;
	return r_price(m, a->tier, now) <= a->bal[m->asset];
}

static const r_item *r_sort_items;
static int r_sort_kind;
static int r_sort_tier;
static int64_t r_now;

static int
r_cmp(const void *x, const void *y)
{
	const r_item *a = &r_sort_items[*(const int *)x];
	const r_item *b = &r_sort_items[*(const int *)y];
	int64_t u = 0, v = 0;

	switch (r_sort_kind) {
	case POINTS_ITEMS_BY_POPULARITY: u = b->units, v = a->units; break;
	case POINTS_ITEMS_BY_PRICE:
		u = r_price(a, r_sort_tier, r_now);
		v = r_price(b, r_sort_tier, r_now);
		break;
	case POINTS_ITEMS_BY_PRICE_DESC:
		u = r_price(b, r_sort_tier, r_now);
		v = r_price(a, r_sort_tier, r_now);
		break;
	case POINTS_ITEMS_BY_NEWEST: u = b->created, v = a->created; break;
	}
	if (u != v)
		return u < v ? -1 : 1;
	return strcmp(a->sku, b->sku);
}

START_TEST(test_random_against_model)
{
	static const char *const assets[2] = { "PTS", "EXP" };
	r_item m[R_ITEMS];
	r_acct acc[R_ACCTS];
	int64_t min[2] = { 0, 0 }, buyer;
	unsigned seed = 7000u + (unsigned)_i;
	int i, j, step, idx[R_ITEMS];
	char want[4096];

	srand(seed);
	buyer = account("BUYER", "gold", 10000000);
	/* the catalogue, made in a random order of SKUs */
	for (i = 0; i < R_ITEMS; i++) {
		r_item *x = &m[i];
		points_item it;
		int t;

		memset(x, 0, sizeof(*x));
		snprintf(x->sku, sizeof(x->sku), "K%03d", (i * 17) % R_ITEMS);
		x->cat = rand() % R_NCATS;
		x->asset = rand() % 4 == 0;
		x->listed = rand() % 5 != 0;
		x->min_tier = rand() % 4 == 0 ? 1 + rand() % 3 : 0;
		x->price = 1 + rand() % 2000;
		x->stock = rand() % 4 == 0 ? 0 : rand() % 4 == 0 ?
		    POINTS_STOCK_UNLIMITED : 1 + rand() % 20;
		tu_now += rand() % 3; /* some created in the same second */
		x->created = tu_now;
		item(x->sku, r_cats[x->cat], assets[x->asset], x->price,
		    x->stock, 1, r_tiers[x->min_tier]);
		for (t = 1; t < 4; t++)
			if (rand() % 3 == 0) {
				x->tier_price[t] = 1 + rand() % 2000;
				ck_assert_int_eq(points_item_set_tier_price(db,
				    x->sku, r_tiers[t], x->tier_price[t],
				    "admin", NULL, &it), POINTS_OK);
			}
	}
	/* sales: units for popularity (the buyer, gold, may buy all) */
	if (1) {
		int64_t exp = 10000000;

		ck_assert_int_eq(tu_earn(db, buyer, "EXP", exp, NULL),
		    POINTS_OK);
	}
	for (step = 0; step < 60; step++) {
		r_item *x = &m[rand() % R_ITEMS];
		int64_t q = 1 + rand() % 3;
		points_order o;
		int rc;

		rc = order(buyer, x->sku, q, &o);
		if (x->stock != POINTS_STOCK_UNLIMITED && x->stock < q) {
			ck_assert_int_eq(rc, POINTS_EOUTOFSTOCK);
			continue;
		}
		ck_assert_msg(rc == POINTS_OK, "seed %u: %s", seed,
		    points_errmsg(db));
		if (x->stock != POINTS_STOCK_UNLIMITED)
			x->stock -= q;
		x->units += q;
		if (rand() % 4 == 0) {
			ck_assert_int_eq(points_order_cancel(db, o.id, NULL,
			    NULL, &o), POINTS_OK);
			if (x->stock != POINTS_STOCK_UNLIMITED)
				x->stock += q;
			x->units -= q;
		}
	}
	/* then listing and flash discounts, some in force, some not */
	for (i = 0; i < R_ITEMS; i++) {
		r_item *x = &m[i];
		points_item it;

		x->listed = rand() % 5 != 0;
		if (!x->listed)
			ck_assert_int_eq(points_item_set_listed(db, x->sku, 0,
			    "admin", NULL, &it), POINTS_OK);
		if (rand() % 3)
			continue;
		x->flash_kind = rand() % 2 ? POINTS_FLASH_PERCENT :
		    POINTS_FLASH_PRICE;
		x->flash_value = x->flash_kind == POINTS_FLASH_PERCENT ?
		    1 + rand() % 99 : 1 + rand() % 2000;
		x->flash_starts = tu_now - TU_DAY + rand() % (2 * TU_DAY);
		x->flash_ends = x->flash_starts + 1 + rand() % (2 * TU_DAY);
		ck_assert_int_eq(points_item_set_flash(db, x->sku,
		    x->flash_kind, x->flash_value, x->flash_starts,
		    x->flash_ends, "admin", NULL, &it), POINTS_OK);
	}
	/* the accounts */
	for (i = 0; i < R_ACCTS; i++) {
		char ext[16];

		snprintf(ext, sizeof(ext), "A%d", i);
		acc[i].tier = rand() % 4;
		acc[i].frozen = i == R_ACCTS - 1 && rand() % 2;
		acc[i].bal[0] = rand() % 2500;
		acc[i].bal[1] = rand() % 3 ? 0 : rand() % 2500;
		acc[i].id = account(ext, acc[i].tier ? r_tiers[acc[i].tier] :
		    NULL, acc[i].bal[0]);
		if (acc[i].bal[1])
			ck_assert_int_eq(tu_earn(db, acc[i].id, "EXP",
			    acc[i].bal[1], NULL), POINTS_OK);
		if (acc[i].frozen)
			ck_assert_int_eq(points_account_freeze(db,
			    acc[i].id), POINTS_OK);
	}
	if (rand() % 2) {
		min[0] = 1 + rand() % 1500;
		ck_assert_int_eq(points_mall_set_min_balance(db, "PTS",
		    min[0], "admin", NULL), POINTS_OK);
	}
	/* queries, the clock moving through the discounts */
	for (step = 0; step < R_QUERIES; step++) {
		points_item_query q = POINTS_ITEM_QUERY_INIT;
		int cat = rand() % (R_NCATS + 1) - 1, a = rand() % 3 ?
		    rand() % R_ACCTS : -1, n = 0;

		tu_now += rand() % 1800;
		q.category = cat < 0 ? (rand() % 2 ? "" : NULL) : r_cats[cat];
		q.flags = (unsigned)rand() % 4;
		if (a >= 0) {
			q.account = acc[a].id;
			if (rand() % 2)
				q.flags |= POINTS_ITEMS_AFFORDABLE;
		}
		q.price_min = rand() % 3 ? 0 : rand() % 1500;
		q.price_max = rand() % 3 ? 0 : q.price_min + rand() % 1500;
		q.sort = rand() % 5;
		for (i = 0; i < R_ITEMS; i++) {
			const r_item *x = &m[i];
			int64_t p = r_price(x, a >= 0 ? acc[a].tier : 0,
			    tu_now);

			if (!r_in_cat(x->cat, cat) ||
			    ((q.flags & POINTS_ITEMS_LISTED) && !x->listed) ||
			    ((q.flags & POINTS_ITEMS_IN_STOCK) &&
			    x->stock == 0) || p < q.price_min ||
			    (q.price_max && p > q.price_max))
				continue;
			if ((q.flags & POINTS_ITEMS_AFFORDABLE) &&
			    !r_affords(x, &acc[a], min, tu_now))
				continue;
			idx[n++] = i;
		}
		r_sort_items = m;
		r_sort_kind = q.sort;
		r_sort_tier = a >= 0 ? acc[a].tier : 0;
		r_now = tu_now;
		qsort(idx, (size_t)n, sizeof(idx[0]), r_cmp);
		want[0] = 0;
		for (j = 0; j < n; j++)
			strcat(strcat(want, m[idx[j]].sku), " ");
		ck_assert_msg(strcmp(list(&q), want) == 0, "seed %u query %d "
		    "(category %s, flags %u, %lld-%lld, account %d, sort %d):"
		    "\n  got  %s\n  want %s", seed, step,
		    q.category ? q.category : "NULL", q.flags,
		    (long long)q.price_min, (long long)q.price_max, a,
		    q.sort, list(&q), want);
	}
	/* what a query calls affordable is what an order of a unit gets
	 * past its checks of the account, tier and points (in a batch
	 * rolled back: nothing stays) */
	for (i = 0; i < R_ACCTS; i++) {
		points_item_query q = query(NULL, POINTS_ITEMS_AFFORDABLE |
		    POINTS_ITEMS_LISTED | POINTS_ITEMS_IN_STOCK, 0, 0,
		    acc[i].id, POINTS_ITEMS_BY_SKU);
		char got[4096];

		strcpy(got, list(&q));
		want[0] = 0;
		ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
		for (j = 0; j < R_ITEMS; j++) {
			char sku[16];
			points_order o;
			points_item it;
			int rc;

			snprintf(sku, sizeof(sku), "K%03d", j);
			ck_assert_int_eq(points_item_get(db, sku, &it),
			    POINTS_OK);
			if (!it.listed || it.stock == 0)
				continue;
			rc = order(acc[i].id, sku, 1, &o);
			ck_assert_msg(rc == POINTS_OK ||
			    rc == POINTS_EINSUFFICIENT ||
			    rc == POINTS_ENOTELIGIBLE || rc == POINTS_EFROZEN,
			    "seed %u: %s", seed, points_errmsg(db));
			if (rc == POINTS_OK) {
				strcat(strcat(want, sku), " ");
				/* undo it so the next sees the same points */
				ck_assert_int_eq(points_order_cancel(db, o.id,
				    NULL, NULL, &o), POINTS_OK);
			}
		}
		ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
		ck_assert_msg(strcmp(got, want) == 0, "seed %u account %d: "
		    "the query affords\n  %s\nthe orders\n  %s", seed, i, got,
		    want);
	}
}
END_TEST

/* Seeded: accounts with points and an allowance (EXP) near the prices,
 * some with open orders holding both, one allowed below zero, one
 * frozen, the mall's pay order and minimum at random; what a query with
 * the allowance calls affordable is what an order of a unit naming it
 * gets past (in a batch rolled back: nothing stays). */
START_TEST(test_random_allowance_agrees_with_orders)
{
	enum { N_ITEMS = 16, N_ACCTS = 8 };
	unsigned seed = 9100u + (unsigned)_i;
	int64_t acct[N_ACCTS];
	char sku[N_ITEMS][16], want[2048], got[2048];
	int i, j;

	srand(seed);
	pay_order(rand() % 2 ? POINTS_PAY_POINTS_FIRST :
	    POINTS_PAY_ALLOWANCE_FIRST);
	for (j = 0; j < N_ITEMS; j++) {
		snprintf(sku[j], sizeof(sku[j]), "R%02d", j);
		item(sku[j], "physical", rand() % 6 ? "PTS" : "EXP",
		    1 + rand() % 1500, POINTS_STOCK_UNLIMITED, 1,
		    rand() % 5 ? NULL : "silver");
	}
	for (i = 0; i < N_ACCTS; i++) {
		char ext[16];
		int64_t pts = rand() % 1200, exp = rand() % 3 ? rand() % 1200 :
		    0;

		snprintf(ext, sizeof(ext), "A%d", i);
		if (i == 0) {
			ck_assert_int_eq(points_account_create(db, ext, NULL,
			    POINTS_ACCOUNT_ALLOW_NEGATIVE, &acct[i]),
			    POINTS_OK);
			if (pts)
				ck_assert_int_eq(tu_earn(db, acct[i], "PTS",
				    pts, NULL), POINTS_OK);
		} else
			acct[i] = account(ext, rand() % 2 ? "silver" :
			    NULL, pts);
		if (exp)
			ck_assert_int_eq(tu_earn(db, acct[i], "EXP", exp,
			    NULL), POINTS_OK);
		/* an open order or two: held points and allowance */
		for (j = rand() % 3; j > 0; j--) {
			points_order_req r = POINTS_ORDER_REQ_INIT;
			points_order o;

			r.account = acct[i];
			r.sku = sku[rand() % N_ITEMS];
			r.allowance = rand() % 2 ? "EXP" : NULL;
			(void)points_order_place(db, &r, &o);
		}
	}
	if (rand() % 2)
		ck_assert_int_eq(points_account_freeze(db,
		    acct[N_ACCTS - 1]), POINTS_OK);
	if (rand() % 2)
		ck_assert_int_eq(points_mall_set_min_balance(db, "PTS",
		    1 + rand() % 600, "admin", NULL), POINTS_OK);
	for (i = 0; i < N_ACCTS; i++) {
		strcpy(got, affordable(acct[i], "EXP"));
		want[0] = 0;
		ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
		for (j = 0; j < N_ITEMS; j++) {
			points_order_req r = POINTS_ORDER_REQ_INIT;
			points_order o;
			int rc;

			r.account = acct[i];
			r.sku = sku[j];
			r.allowance = "EXP";
			rc = points_order_place(db, &r, &o);
			ck_assert_msg(rc == POINTS_OK ||
			    rc == POINTS_EINSUFFICIENT ||
			    rc == POINTS_ENOTELIGIBLE || rc == POINTS_EFROZEN ||
			    rc == POINTS_EINVAL, "seed %u: %s", seed,
			    points_errmsg(db));
			if (rc == POINTS_OK) {
				strcat(strcat(want, sku[j]), " ");
				ck_assert_int_eq(points_order_cancel(db, o.id,
				    NULL, NULL, &o), POINTS_OK);
			}
		}
		ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
		ck_assert_msg(strcmp(got, want) == 0, "seed %u account %d: "
		    "the query affords\n  %s\nthe orders\n  %s", seed, i, got,
		    want);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("browse");
	TCase *tc = tcase_create("browse");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_category_range_stock_listed);
	tcase_add_test(tc, test_sort_orders);
	tcase_add_test(tc, test_affordable_for_an_account);
	tcase_add_test(tc, test_bad_queries);
	tcase_add_test(tc, test_long_and_read_once);
	tcase_add_test(tc, test_batch);
	tcase_add_loop_test(tc, test_random_against_model, 0, 8);
	tcase_add_test(tc, test_affordable_with_allowance);
	tcase_add_loop_test(tc, test_random_allowance_agrees_with_orders, 0,
	    12);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
