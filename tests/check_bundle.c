/* check_bundle.c - bundles: items sold together at one price, taking
 * stock from each component.  Defining and reading them (and their
 * history), every refusal with nothing written, bundles that would nest
 * refused whichever way, orders that take each component and give it
 * back on cancel and return, an out-of-stock refusal that names the
 * component, components fixed per order, exchanges, switches refused,
 * the part iterators' lives (their lists, their ends, their failures
 * under store faults and out of memory), an out-of-memory loop, and a
 * seeded random run against a small model.  The ledgers are "memory:"
 * (make check-c runs the suite on SQLite too); the invariants and
 * points_verify hold after every test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static points_db *db;
static points_store *inner, *fault; /* the fault fixture's stores */
static int64_t alice, bob;

static void
item(const char *sku, int64_t price, int64_t stock)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_item it;

	d.sku = sku;
	d.name = sku;
	d.category = "physical";
	d.asset = "PTS";
	d.price = price;
	d.stock = stock;
	d.actor = "admin";
	ck_assert_msg(points_item_create(db, &d, &it) == POINTS_OK, "%s",
	    points_errmsg(db));
}

static void
part(const char *sku, const char *p, int64_t q)
{
	points_item it;

	ck_assert_msg(points_bundle_set_part(db, sku, p, q, "admin", NULL,
	    &it) == POINTS_OK, "%s", points_errmsg(db));
}

static int64_t
stock(const char *sku)
{
	points_item it;

	ck_assert_int_eq(points_item_get(db, sku, &it), POINTS_OK);
	return it.stock;
}

/* TEA (5), SPOON (9), CUP (4) and KIT (30 PTS, no stock of its own): a
 * TEA and two SPOONs. */
static void
populate(void)
{
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1000, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 1000, NULL), POINTS_OK);
	item("TEA", 10, 5);
	item("SPOON", 5, 9);
	item("CUP", 8, 4);
	item("KIT", 30, POINTS_STOCK_UNLIMITED);
	part("KIT", "TEA", 1);
	part("KIT", "SPOON", 2);
}

static void
setup(void)
{
	tu_now = TU_T0 + 10 * 3600;
	db = tu_open("memory:");
	populate();
}

static void
teardown(void)
{
	tu_invariants(db);
	points_close(db);
	db = NULL;
	tu_cleanup();
}

static int64_t
test_clock(void *ctx)
{
	(void)ctx;
	return tu_now;
}

/* The same ledger on the fault-injecting store. */
static void
setup_fault(void)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;

	tu_now = TU_T0 + 10 * 3600;
	ck_assert_int_eq(points_store_open(tu_uri("memory:"), &inner),
	    POINTS_OK);
	ck_assert_int_eq(points_store_fault_new(inner, &fault), POINTS_OK);
	o.clock = test_clock;
	ck_assert_int_eq(points_open_store(fault, &o, &db), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "PTS", 0,
	    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
	populate();
}

static void
teardown_fault(void)
{
	points_store_fault_arm(fault, 0, 0);
	teardown();
	points_store_close(fault);
	points_store_close(inner);
}

static int
place_full(int64_t acct, const char *sku, int64_t qty, points_order *out)
{
	points_order_req r = POINTS_ORDER_REQ_INIT;

	r.account = acct;
	r.sku = sku;
	r.quantity = qty;
	return points_order_place(db, &r, out);
}

static points_order
place(int64_t acct, const char *sku, int64_t qty)
{
	points_order o;

	ck_assert_msg(place_full(acct, sku, qty, &o) == POINTS_OK, "%s",
	    points_errmsg(db));
	return o;
}

/* The parts of bundle sku (order 0) or of order id (order 1) as
 * "SKU:quantity:units:stock,..." (every field of a points_bundle_part),
 * through their iterator; the code of the call that failed, if one
 * did (the iterator freed). */
static int
try_parts(int order, const char *key, char *buf, size_t n)
{
	points_bundle_part_iterator *it = NULL;
	points_bundle_part p;
	size_t len = 0;
	int rc;

	buf[0] = 0;
	rc = order ? points_order_part_iterator_new(db, key, &it) :
	    points_bundle_part_iterator_new(db, key, &it);
	if (rc) {
		ck_assert_ptr_null(it); /* written only on success */
		return rc;
	}
	while ((rc = points_bundle_part_next(it, &p)) == POINTS_OK)
		len += (size_t)snprintf(buf + len, n - len, "%s%s:%lld:%lld:%lld",
		    len ? "," : "", p.sku, (long long)p.quantity,
		    (long long)p.units, (long long)p.stock);
	points_bundle_part_iterator_free(it);
	return rc == POINTS_ITEROVER ? POINTS_OK : rc;
}

static char *
parts(int order, const char *key, char *buf, size_t n)
{
	ck_assert_msg(try_parts(order, key, buf, n) == POINTS_OK, "%s",
	    points_errmsg(db));
	return buf;
}

START_TEST(test_define_and_read)
{
	points_item it;
	points_item_history_iterator *hi;
	points_item_change c;
	char buf[256];
	int n = 0;

	ck_assert_int_eq(points_item_get(db, "KIT", &it), POINTS_OK);
	ck_assert_int_eq(it.bundle_parts, 2);
	ck_assert_int_eq(points_item_get(db, "TEA", &it), POINTS_OK);
	ck_assert_int_eq(it.bundle_parts, 0);
	ck_assert_str_eq(parts(0, "KIT", buf, sizeof(buf)),
	    "TEA:1:0:5,SPOON:2:0:9");
	ck_assert_str_eq(parts(0, "TEA", buf, sizeof(buf)), "");
	/* change a component's units, add one, remove one */
	ck_assert_int_eq(points_bundle_set_part(db, "KIT", "SPOON", 3, "ops",
	    "bigger", &it), POINTS_OK);
	ck_assert_int_eq(it.bundle_parts, 2);
	part("KIT", "CUP", 1);
	part("KIT", "TEA", 0);
	ck_assert_str_eq(parts(0, "KIT", buf, sizeof(buf)),
	    "SPOON:3:0:9,CUP:1:0:4");
	/* the history: created, then a change per call */
	ck_assert_int_eq(points_item_history_iterator_new(db, "KIT", &hi),
	    POINTS_OK);
	while (points_item_history_next(hi, &c) == POINTS_OK) {
		static const char *const want_part[] = { "", "TEA", "SPOON",
			"SPOON", "CUP", "TEA" };
		static const int64_t want_q[] = { 0, 1, 2, 3, 1, 0 };

		ck_assert_int_lt(n, 6);
		ck_assert_uint_eq(c.what, n ? POINTS_ITEM_CHANGED_BUNDLE :
		    POINTS_ITEM_CHANGED_CREATED);
		ck_assert_str_eq(c.part, want_part[n]);
		ck_assert_int_eq(c.part_quantity, want_q[n]);
		if (n == 3) {
			ck_assert_str_eq(c.actor, "ops");
			ck_assert_str_eq(c.reason, "bigger");
		}
		n++;
	}
	points_item_history_iterator_free(hi);
	ck_assert_int_eq(n, 6);
	/* the same units again: nothing written */
	tu_snap(db);
	ck_assert_int_eq(points_bundle_set_part(db, "KIT", "CUP", 1, "admin",
	    NULL, &it), POINTS_OK);
	ck_assert_int_eq(it.changes, 6);
	tu_unchanged(db);
	tu_snap_free();
	/* the last component removed: a plain item again */
	part("KIT", "CUP", 0);
	part("KIT", "SPOON", 0);
	ck_assert_int_eq(points_item_get(db, "KIT", &it), POINTS_OK);
	ck_assert_int_eq(it.bundle_parts, 0);
	ck_assert_str_eq(parts(0, "KIT", buf, sizeof(buf)), "");
}
END_TEST

START_TEST(test_refusals_write_nothing)
{
	points_item it;
	points_code_pool cp;
	points_bundle_part_iterator *pi;
	char sku[16];
	int i;

	TU_FAILS(db, points_bundle_set_part(db, "KIT", "KIT", 1, "admin",
	    NULL, &it), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "KIT"));
	TU_FAILS(db, points_bundle_set_part(db, "KIT", "NOPE", 1, "admin",
	    NULL, &it), POINTS_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "'NOPE'"));
	TU_FAILS(db, points_bundle_set_part(db, "NOPE", "TEA", 1, "admin",
	    NULL, &it), POINTS_ENOTFOUND);
	TU_FAILS(db, points_bundle_set_part(db, "KIT", "TEA", -1, "admin",
	    NULL, &it), POINTS_EINVAL);
	TU_FAILS(db, points_bundle_set_part(db, "KIT", "CUP", 0, "admin",
	    NULL, &it), POINTS_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "'CUP'"));
	TU_FAILS(db, points_bundle_set_part(db, "KIT", "TEA", 2, NULL, NULL,
	    &it), POINTS_EINVAL);
	TU_FAILS(db, points_bundle_set_part(db, "KIT", "TEA", 2, "admin",
	    NULL, NULL), POINTS_EINVAL);
	TU_FAILS(db, points_bundle_set_part(db, "KIT", "bad sku", 2, "admin",
	    NULL, &it), POINTS_EINVAL);
	TU_FAILS(db, points_bundle_set_part(db, NULL, "TEA", 2, "admin",
	    NULL, &it), POINTS_EINVAL);
	/* bundles do not nest */
	item("BOX", 50, 3);
	TU_FAILS(db, points_bundle_set_part(db, "BOX", "KIT", 1, "admin",
	    NULL, &it), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "nest"));
	/* a component with a code pool */
	item("CARD", 20, 0);
	ck_assert_int_eq(points_item_codes_add(db, "CARD", "C1\nC2", "admin",
	    NULL, &cp), POINTS_OK);
	TU_FAILS(db, points_bundle_set_part(db, "KIT", "CARD", 1, "admin",
	    NULL, &it), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "code pool"));
	/* nor is a component given one (TEA, 5 in stock, is KIT's) */
	TU_FAILS(db, points_item_codes_add(db, "TEA", "T1\nT2", "admin",
	    NULL, &cp), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db),
	    "'TEA' is a component of bundle 'KIT'"));
	/* once it is no component, it may have one */
	part("KIT", "TEA", 0);
	ck_assert_int_eq(points_item_codes_add(db, "TEA", "T1\nT2", "admin",
	    NULL, &cp), POINTS_OK);
	part("KIT", "CUP", 1); /* two components again */
	/* at most POINTS_BUNDLE_PARTS_MAX components */
	for (i = 2; i < POINTS_BUNDLE_PARTS_MAX; i++) {
		snprintf(sku, sizeof(sku), "P%02d", i);
		item(sku, 1, 1);
		part("KIT", sku, 1);
	}
	item("ONEMORE", 1, 1);
	TU_FAILS(db, points_bundle_set_part(db, "KIT", "ONEMORE", 1, "admin",
	    NULL, &it), POINTS_ELIMIT);
	/* reading: unknown item and order, bad arguments */
	ck_assert_int_eq(points_bundle_part_iterator_new(db, "NOPE", &pi),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(points_bundle_part_iterator_new(db, "KIT", NULL),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_order_part_iterator_new(db,
	    "0190a0a0-0000-7000-8000-000000000000", &pi), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_order_part_iterator_new(db, "nope", &pi),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_order_part_iterator_new(db, NULL, &pi),
	    POINTS_EINVAL);
}
END_TEST

/* Item from's stored record, written raw under SKU to: a ledger made
 * by a library that let bundles nest. */
static void
raw_copy_item(const char *from, const char *to)
{
	points_store *s = tu_store(db);
	struct points_keyspace *ks = tu_keyspace(db, "mallitem");
	unsigned char buf[4096];
	const void *v;
	size_t vl;

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->get(s, ks, from, strlen(from), &v, &vl),
	    POINTS_OK);
	ck_assert_uint_lt(vl, sizeof(buf));
	memcpy(buf, v, vl);
	ck_assert_int_eq(s->put(s, ks, to, strlen(to), buf, vl), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

/* Bundles do not nest, whichever way one would come about: a bundle
 * made a component, or a component of a bundle given a component of
 * its own (alone or in a batch); each refusal names both items and
 * writes nothing.  A ledger where one nests all the same refuses its
 * orders. */
START_TEST(test_bundles_do_not_nest)
{
	points_item it;
	points_order o;
	char buf[256];

	item("BOX", 50, 3);
	/* KIT is a bundle: not a component */
	TU_FAILS(db, points_bundle_set_part(db, "BOX", "KIT", 1, "admin",
	    NULL, &it), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "'KIT'"));
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "'BOX'"));
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "nest"));
	/* TEA is a component of KIT: no components of its own */
	TU_FAILS(db, points_bundle_set_part(db, "TEA", "CUP", 1, "admin",
	    NULL, &it), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "'TEA'"));
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "'KIT'"));
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "nest"));
	ck_assert_str_eq(parts(0, "TEA", buf, sizeof(buf)), "");
	/* nor inside a batch, which sees its own writes: BOX a component
	 * of SET, then BOX given one */
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	item("SET", 60, 3);
	part("SET", "BOX", 1);
	ck_assert_int_eq(points_bundle_set_part(db, "BOX", "CUP", 1, "admin",
	    NULL, &it), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "'SET'"));
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	ck_assert_str_eq(parts(0, "BOX", buf, sizeof(buf)), "");
	ck_assert_str_eq(parts(0, "SET", buf, sizeof(buf)), "BOX:1:0:3");
	/* a component's units change as before; once no bundle has it,
	 * it may become one */
	part("KIT", "TEA", 2);
	part("KIT", "TEA", 0);
	part("TEA", "CUP", 1);
	ck_assert_str_eq(parts(0, "TEA", buf, sizeof(buf)), "CUP:1:0:4");
	/* a ledger where SPOON became a bundle (of CUP) while in KIT:
	 * KIT's orders are refused, naming SPOON, nothing taken */
	item("PAIR", 9, 3);
	part("PAIR", "CUP", 2);
	raw_copy_item("PAIR", "SPOON");
	TU_FAILS(db, place_full(alice, "KIT", 1, &o), POINTS_ESTATE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "'SPOON'"));
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "nest"));
}
END_TEST

/* The part iterators list exactly the parts, every field, in the
 * documented order: a bundle's in the order they were added, an
 * order's as its bundle listed them when it was placed, with the units
 * it took.  ITEROVER at the end and after it; freeing NULL is fine; an
 * unknown bundle or order is POINTS_ENOTFOUND, named, *out untouched. */
START_TEST(test_part_iterators_list_exactly_the_parts)
{
	static const char *const none = "0190a0a0-0000-7000-8000-000000000000";
	points_bundle_part_iterator *it, *const mark =
	    (points_bundle_part_iterator *)&it;
	points_bundle_part p;
	points_order o, plain;
	char buf[256];
	int k;

	ck_assert_int_eq(points_bundle_part_iterator_new(db, "KIT", &it),
	    POINTS_OK);
	ck_assert_int_eq(points_bundle_part_next(it, &p), POINTS_OK);
	ck_assert_str_eq(p.sku, "TEA");
	ck_assert_int_eq(p.quantity, 1);
	ck_assert_int_eq(p.units, 0);
	ck_assert_int_eq(p.stock, 5);
	ck_assert_int_eq(points_bundle_part_next(it, &p), POINTS_OK);
	ck_assert_str_eq(p.sku, "SPOON");
	ck_assert_int_eq(p.quantity, 2);
	ck_assert_int_eq(p.units, 0);
	ck_assert_int_eq(p.stock, 9);
	for (k = 0; k < 3; k++)
		ck_assert_int_eq(points_bundle_part_next(it, &p),
		    POINTS_ITEROVER);
	ck_assert_str_eq(p.sku, "SPOON"); /* the end writes nothing */
	points_bundle_part_iterator_free(it);
	points_bundle_part_iterator_free(NULL);
	/* TEA removed and added again comes last */
	part("KIT", "TEA", 0);
	part("KIT", "CUP", 1);
	part("KIT", "TEA", 3);
	ck_assert_str_eq(parts(0, "KIT", buf, sizeof(buf)),
	    "SPOON:2:0:9,CUP:1:0:4,TEA:3:0:5");
	o = place(alice, "KIT", 1);
	ck_assert_str_eq(parts(1, o.id, buf, sizeof(buf)),
	    "SPOON:2:2:7,CUP:1:1:3,TEA:3:3:2");
	/* the bundle changed since: the order's list is as it was, with
	 * the stock now */
	part("KIT", "SPOON", 0);
	ck_assert_int_eq(points_item_restock(db, "CUP", 5, "ops", NULL,
	    &(points_item){ 0 }), POINTS_OK);
	ck_assert_str_eq(parts(1, o.id, buf, sizeof(buf)),
	    "SPOON:2:2:7,CUP:1:1:8,TEA:3:3:2");
	/* a plain item, an order of one: an empty list, to the end */
	plain = place(bob, "CUP", 1);
	ck_assert_int_eq(points_order_part_iterator_new(db, plain.id, &it),
	    POINTS_OK);
	ck_assert_int_eq(points_bundle_part_next(it, &p), POINTS_ITEROVER);
	ck_assert_int_eq(points_bundle_part_next(it, &p), POINTS_ITEROVER);
	points_bundle_part_iterator_free(it);
	ck_assert_str_eq(parts(0, "TEA", buf, sizeof(buf)), "");
	/* unknown: named in the message, *out as it was */
	it = mark;
	ck_assert_int_eq(points_bundle_part_iterator_new(db, "NOPE", &it),
	    POINTS_ENOTFOUND);
	ck_assert_ptr_eq(it, mark);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "'NOPE'"));
	ck_assert_int_eq(points_order_part_iterator_new(db, none, &it),
	    POINTS_ENOTFOUND);
	ck_assert_ptr_eq(it, mark);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), none));
}
END_TEST

/* Every store call an iterator makes fails in turn (once, and from
 * then on): its new or a step returns POINTS_ESTORAGE, never a part
 * list short or wrong, frees cleanly (AddressSanitizer checks the
 * leaks under SANITIZE=1), and the handle then lists them whole. */
START_TEST(test_part_iterators_under_store_faults)
{
	int order = _i / 2, persistent = _i % 2;
	points_order o = place(alice, "KIT", 2);
	const char *key = order ? o.id : "KIT";
	char want[256], got[256];
	int64_t n, fails;
	int rc;

	ck_assert_int_eq(try_parts(order, key, want, sizeof(want)),
	    POINTS_OK);
	ck_assert_str_eq(want, order ? "TEA:1:2:3,SPOON:2:4:5" :
	    "TEA:1:0:3,SPOON:2:0:5");
	for (n = 1;; n++) {
		ck_assert_int_lt(n, 1000);
		ck_assert_int_eq(points_store_fault_arm(fault, n, persistent),
		    POINTS_OK);
		rc = try_parts(order, key, got, sizeof(got));
		fails = points_store_fault_failures(fault);
		points_store_fault_arm(fault, 0, 0);
		if (fails == 0) {
			ck_assert_int_eq(rc, POINTS_OK);
			ck_assert_str_eq(got, want);
			break;
		}
		ck_assert_msg(rc == POINTS_ESTORAGE, "fault at call %lld: %d "
		    "(%s)", (long long)n, rc, points_errmsg(db));
		ck_assert_int_eq(try_parts(order, key, got, sizeof(got)),
		    POINTS_OK);
		ck_assert_str_eq(got, want);
	}
	ck_assert_int_gt(n, 2); /* a new and a step both failed */
}
END_TEST

/* Allocation n fails, n = 1, 2, ... until the listing succeeds: each
 * failure is POINTS_ENOMEM with nothing leaked. */
START_TEST(test_part_iterators_out_of_memory)
{
	int order = _i;
	points_order o;
	char want[256], got[256];
	long n;
	int rc;

	points_close(db);
	tu_alloc_install();
	setup();
	o = place(alice, "KIT", 1);
	ck_assert_int_eq(try_parts(order, order ? o.id : "KIT", want,
	    sizeof(want)), POINTS_OK);
	for (n = 1;; n++) {
		ck_assert_int_lt(n, 100000);
		tu_alloc_fail_at(n);
		rc = try_parts(order, order ? o.id : "KIT", got, sizeof(got));
		tu_alloc_fail_at(0);
		if (rc == POINTS_OK)
			break;
		ck_assert_msg(rc == POINTS_ENOMEM, "allocation %ld: %d (%s)",
		    n, rc, points_errmsg(db));
	}
	tu_alloc_uninstall();
	ck_assert_str_eq(got, want);
}
END_TEST

/* An order of two KITs takes a TEA and two SPOONs a KIT; cancelling it
 * (submitted, or approved: refunded) gives every component back, as a
 * return with restock does; a return without restock does not. */
START_TEST(test_orders_take_and_give_back)
{
	points_order o;
	points_item it;
	char buf[256];

	o = place(alice, "KIT", 2);
	ck_assert_int_eq(o.amount, 60);
	ck_assert_int_eq(stock("TEA"), 3);
	ck_assert_int_eq(stock("SPOON"), 5);
	ck_assert_str_eq(parts(1, o.id, buf, sizeof(buf)),
	    "TEA:1:2:3,SPOON:2:4:5");
	/* the bundle's counters move, not the components' */
	ck_assert_int_eq(points_item_get(db, "KIT", &it), POINTS_OK);
	ck_assert_int_eq(it.orders, 1);
	ck_assert_int_eq(it.units, 2);
	ck_assert_int_eq(points_item_get(db, "TEA", &it), POINTS_OK);
	ck_assert_int_eq(it.orders, 0);
	ck_assert_int_eq(points_order_cancel(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(stock("TEA"), 5);
	ck_assert_int_eq(stock("SPOON"), 9);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 1000);
	/* approved, then cancelled: refunded, restocked */
	o = place(alice, "KIT", 1);
	ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 970);
	ck_assert_int_eq(points_order_cancel(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(stock("TEA"), 5);
	ck_assert_int_eq(stock("SPOON"), 9);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 1000);
	/* returned with restock, then without */
	o = place(bob, "KIT", 1);
	ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(points_order_deliver(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(points_order_return(db, o.id, 1, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(stock("TEA"), 5);
	ck_assert_int_eq(stock("SPOON"), 9);
	o = place(bob, "KIT", 1);
	ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(points_order_deliver(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(points_order_return(db, o.id, 0, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(stock("TEA"), 4);
	ck_assert_int_eq(stock("SPOON"), 7);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 1000);
	/* a plain item's order took no components */
	o = place(bob, "CUP", 1);
	ck_assert_str_eq(parts(1, o.id, buf, sizeof(buf)), "");
}
END_TEST

/* Out of stock names the component; a delisted component refuses the
 * order; the bundle's own stock counts too.  Nothing written. */
START_TEST(test_out_of_stock_names_the_component)
{
	points_order o;
	points_item it;

	/* 5 TEA: 6 KITs need 6 */
	TU_FAILS(db, place_full(alice, "KIT", 6, &o), POINTS_EOUTOFSTOCK);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "'TEA'"));
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "E1001"));
	/* 9 SPOONs: 5 KITs need 10 */
	TU_FAILS(db, place_full(alice, "KIT", 5, &o), POINTS_EOUTOFSTOCK);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "'SPOON'"));
	o = place(alice, "KIT", 4);
	ck_assert_int_eq(stock("SPOON"), 1);
	TU_FAILS(db, place_full(bob, "KIT", 1, &o), POINTS_EOUTOFSTOCK);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "'SPOON'"));
	ck_assert_int_eq(points_item_restock(db, "SPOON", 10, "ops", NULL,
	    &it), POINTS_OK);
	/* a delisted component */
	ck_assert_int_eq(points_item_set_listed(db, "TEA", 0, "ops", NULL,
	    &it), POINTS_OK);
	TU_FAILS(db, place_full(bob, "KIT", 1, &o), POINTS_ESTATE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "'TEA'"));
	ck_assert_int_eq(points_item_set_listed(db, "TEA", 1, "ops", NULL,
	    &it), POINTS_OK);
	/* the bundle's own stock */
	item("SET", 25, 1);
	part("SET", "CUP", 1);
	o = place(bob, "SET", 1);
	TU_FAILS(db, place_full(bob, "SET", 1, &o), POINTS_EOUTOFSTOCK);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "'SET'"));
	ck_assert_int_eq(stock("CUP"), 3);
}
END_TEST

/* A bundle changed after an order leaves the order's components: its
 * cancel gives back what it took. */
START_TEST(test_components_fixed_per_order)
{
	points_order o, o2;
	char buf[256];

	o = place(alice, "KIT", 1);
	part("KIT", "SPOON", 3);
	part("KIT", "TEA", 0);
	part("KIT", "CUP", 2);
	ck_assert_str_eq(parts(1, o.id, buf, sizeof(buf)),
	    "TEA:1:1:4,SPOON:2:2:7");
	o2 = place(bob, "KIT", 1);
	ck_assert_int_eq(stock("SPOON"), 4);
	ck_assert_int_eq(stock("CUP"), 2);
	ck_assert_int_eq(points_order_cancel(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(stock("TEA"), 5);
	ck_assert_int_eq(stock("SPOON"), 6);
	ck_assert_int_eq(stock("CUP"), 2);
	ck_assert_int_eq(points_order_cancel(db, o2.id, NULL, NULL, &o2),
	    POINTS_OK);
	ck_assert_int_eq(stock("SPOON"), 9);
	ck_assert_int_eq(stock("CUP"), 4);
}
END_TEST

/* An exchange takes the components again (out of stock: refused,
 * naming the component, nothing written); switches are refused. */
START_TEST(test_exchange_and_switch)
{
	points_order o, s;
	points_item it;

	o = place(alice, "KIT", 2);
	ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(points_order_deliver(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(points_order_exchange(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(stock("TEA"), 1);
	ck_assert_int_eq(stock("SPOON"), 1);
	ck_assert_int_eq(points_order_ship(db, o.id, "SF", "1", NULL, NULL,
	    &o), POINTS_OK);
	ck_assert_int_eq(points_order_deliver(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	TU_FAILS(db, points_order_exchange(db, o.id, NULL, NULL, &o),
	    POINTS_EOUTOFSTOCK);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "'TEA'"));
	/* switching a bundle's order, or to a bundle */
	ck_assert_int_eq(points_item_restock(db, "TEA", 10, "ops", NULL,
	    &it), POINTS_OK);
	ck_assert_int_eq(points_item_restock(db, "SPOON", 10, "ops", NULL,
	    &it), POINTS_OK);
	s = place(bob, "KIT", 1);
	item("KIT2", 20, 5);
	TU_FAILS(db, points_order_switch(db, s.id, "KIT2", "ops", NULL, &s),
	    POINTS_ESTATE);
	s = place(bob, "CUP", 1);
	item("KIT3", 5, POINTS_STOCK_UNLIMITED);
	part("KIT3", "TEA", 1);
	TU_FAILS(db, points_order_switch(db, s.id, "KIT3", "ops", NULL, &s),
	    POINTS_ESTATE);
}
END_TEST

/* Allocation n fails, n = 1, 2, ... until the call succeeds: each
 * failure is POINTS_ENOMEM and leaves the ledger as it was. */
static int
oom_set_part(void)
{
	points_item it;

	return points_bundle_set_part(db, "KIT", "CUP", 2, "admin", NULL,
	    &it);
}

static int
oom_place(void)
{
	points_order o;

	return place_full(alice, "KIT", 2, &o);
}

static char cancel_id[POINTS_ID_LEN + 1];

static int
oom_cancel(void)
{
	points_order o;

	return points_order_cancel(db, cancel_id, NULL, NULL, &o);
}

START_TEST(test_out_of_memory)
{
	int (*const ops[])(void) = { oom_set_part, oom_place, oom_cancel };
	int (*op)(void) = ops[_i];
	long n;
	int rc;

	/* a handle takes the allocator when it is opened */
	points_close(db);
	tu_alloc_install();
	setup();
	if (op == oom_cancel) {
		points_order o = place(bob, "KIT", 1);

		strcpy(cancel_id, o.id);
	}
	for (n = 1;; n++) {
		ck_assert_int_lt(n, 100000);
		tu_snap(db);
		tu_alloc_fail_at(n);
		rc = op();
		tu_alloc_fail_at(0);
		if (rc == POINTS_OK)
			break;
		ck_assert_msg(rc == POINTS_ENOMEM, "allocation %ld: %d (%s)",
		    n, rc, points_errmsg(db));
		tu_unchanged(db);
		tu_snap_free();
	}
	tu_snap_free();
	tu_alloc_uninstall();
	if (op == oom_place) {
		ck_assert_int_eq(stock("TEA"), 3);
		ck_assert_int_eq(stock("SPOON"), 5);
	} else if (op == oom_cancel) {
		ck_assert_int_eq(stock("TEA"), 5);
		ck_assert_int_eq(stock("SPOON"), 9);
	}
}
END_TEST

/* ---- A seeded random run against a small model ---- */

enum { M_PARTS = 3, M_ORDERS = 48 };

typedef struct m_order {
	char id[POINTS_ID_LEN + 1];
	int open;
	int64_t took[M_PARTS]; /* units of each component it took */
} m_order;

START_TEST(test_random_against_model)
{
	static const char *const comp[M_PARTS] = { "TEA", "SPOON", "CUP" };
	int64_t st[M_PARTS] = { 5, 9, 4 }, per[M_PARTS] = { 1, 2, 0 };
	m_order ord[M_ORDERS];
	unsigned int seed = 3000u + (unsigned int)_i;
	int n = 0, step, i;

	srand(seed);
	for (step = 0; step < 300; step++) {
		int what = rand() % 4;

		if (what == 0) {
			/* set a component's units: 0-3 */
			int c = rand() % M_PARTS;
			int64_t q = rand() % 4;
			points_item it;
			int rc = points_bundle_set_part(db, "KIT", comp[c], q,
			    "admin", NULL, &it);

			if (q == 0 && per[c] == 0)
				ck_assert_int_eq(rc, POINTS_ENOTFOUND);
			else
				ck_assert_msg(rc == POINTS_OK, "seed %u step %d: "
				    "%s", seed, step, points_errmsg(db));
			per[c] = q;
		} else if (what == 1 && n < M_ORDERS) {
			/* place 1-3 KITs */
			int64_t q = 1 + rand() % 3;
			int ok = 1, any = 0;
			points_order o;
			int rc;

			for (i = 0; i < M_PARTS; i++) {
				any |= per[i] > 0;
				if (st[i] < per[i] * q)
					ok = 0;
			}
			rc = place_full(rand() % 2 ? alice : bob, "KIT", q, &o);
			if (!ok) {
				ck_assert_msg(rc == POINTS_EOUTOFSTOCK, "seed %u "
				    "step %d: place: %d", seed, step, rc);
				continue;
			}
			if (rc == POINTS_EINSUFFICIENT)
				continue;
			ck_assert_msg(rc == POINTS_OK, "seed %u step %d: %s",
			    seed, step, points_errmsg(db));
			(void)any;
			strcpy(ord[n].id, o.id);
			ord[n].open = 1;
			for (i = 0; i < M_PARTS; i++) {
				ord[n].took[i] = per[i] * q;
				st[i] -= per[i] * q;
			}
			n++;
		} else if (what == 2 && n > 0) {
			/* cancel an order */
			m_order *m = &ord[rand() % n];
			points_order o;
			int rc = points_order_cancel(db, m->id, NULL, NULL, &o);

			if (!m->open) {
				ck_assert_int_eq(rc, POINTS_ESTATE);
				continue;
			}
			ck_assert_msg(rc == POINTS_OK, "seed %u step %d: %s",
			    seed, step, points_errmsg(db));
			m->open = 0;
			for (i = 0; i < M_PARTS; i++)
				st[i] += m->took[i];
		} else if (what == 3) {
			/* restock a component */
			int c = rand() % M_PARTS;
			points_item it;

			ck_assert_int_eq(points_item_restock(db, comp[c], 1 +
			    rand() % 3, "ops", NULL, &it), POINTS_OK);
			st[c] = it.stock;
		}
		for (i = 0; i < M_PARTS; i++)
			ck_assert_msg(stock(comp[i]) == st[i], "seed %u step %d: "
			    "%s: %lld, model %lld", seed, step, comp[i],
			    (long long)stock(comp[i]), (long long)st[i]);
	}
	/* every open order still lists what it took */
	for (i = 0; i < n; i++) {
		points_bundle_part_iterator *it;
		points_bundle_part p;
		int64_t sum = 0, want = 0;
		int c;

		for (c = 0; c < M_PARTS; c++)
			want += ord[i].took[c];
		ck_assert_int_eq(points_order_part_iterator_new(db, ord[i].id,
		    &it), POINTS_OK);
		while (points_bundle_part_next(it, &p) == POINTS_OK)
			sum += p.units;
		points_bundle_part_iterator_free(it);
		ck_assert_int_eq(sum, want);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bundle");
	TCase *tc = tcase_create("bundle");
	TCase *tf;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_define_and_read);
	tcase_add_test(tc, test_refusals_write_nothing);
	tcase_add_test(tc, test_bundles_do_not_nest);
	tcase_add_test(tc, test_part_iterators_list_exactly_the_parts);
	tcase_add_loop_test(tc, test_part_iterators_out_of_memory, 0, 2);
	tcase_add_test(tc, test_orders_take_and_give_back);
	tcase_add_test(tc, test_out_of_stock_names_the_component);
	tcase_add_test(tc, test_components_fixed_per_order);
	tcase_add_test(tc, test_exchange_and_switch);
	tcase_add_loop_test(tc, test_out_of_memory, 0, 3);
	tcase_add_loop_test(tc, test_random_against_model, 0, 6);
	suite_add_tcase(s, tc);
	tf = tcase_create("bundle_fault");
	tcase_add_checked_fixture(tf, setup_fault, teardown_fault);
	tcase_add_loop_test(tf, test_part_iterators_under_store_faults, 0, 4);
	suite_add_tcase(s, tf);
	return tu_run(s);
}
