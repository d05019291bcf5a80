/* check_codes.c - code pools of virtual items: uploads (and every
 * refusal, with nothing written), one code issued a unit at approval,
 * the pool running out at placement and at approval, codes kept out of
 * every message and outbox event, cancels and returns that put no code
 * back, and a seeded random run of orders of a code item against a
 * small model.  The ledgers are "memory:" (make check-c runs the suite
 * on SQLite too); the invariants and points_verify hold after every
 * test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static points_db *db;
static int64_t alice, bob;

static void
item(const char *sku, int64_t price, int64_t stock)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_item it;

	d.sku = sku;
	d.name = sku;
	d.category = "virtual";
	d.asset = "PTS";
	d.price = price;
	d.stock = stock;
	d.actor = "admin";
	ck_assert_msg(points_item_create(db, &d, &it) == POINTS_OK, "%s",
	    points_errmsg(db));
}

static void
setup(void)
{
	tu_now = TU_T0 + 10 * 3600;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 20000, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 20000, NULL), POINTS_OK);
	item("CARD", 500, 0);
}

static void
teardown(void)
{
	tu_invariants(db);
	points_close(db);
	db = NULL;
	tu_cleanup();
}

static points_code_pool
upload(const char *sku, const char *codes)
{
	points_code_pool p;

	ck_assert_msg(points_item_codes_add(db, sku, codes, "admin", "batch",
	    &p) == POINTS_OK, "%s", points_errmsg(db));
	return p;
}

static points_order
place(int64_t acct, const char *sku, int64_t qty)
{
	points_order_req r = POINTS_ORDER_REQ_INIT;
	points_order o;

	r.account = acct;
	r.sku = sku;
	r.quantity = qty;
	ck_assert_msg(points_order_place(db, &r, &o) == POINTS_OK, "%s",
	    points_errmsg(db));
	return o;
}

static int
place_out(int64_t acct, const char *sku, int64_t qty, points_order *o)
{
	points_order_req r = POINTS_ORDER_REQ_INIT;

	r.account = acct;
	r.sku = sku;
	r.quantity = qty;
	return points_order_place(db, &r, o);
}

static int
place_rc(int64_t acct, const char *sku, int64_t qty)
{
	points_order o;

	return place_out(acct, sku, qty, &o);
}

static points_item
get_item(const char *sku)
{
	points_item it;

	ck_assert_int_eq(points_item_get(db, sku, &it), POINTS_OK);
	return it;
}

/* The codes of order id joined by ',' into buf; their number. */
static int
codes_of(const char *id, char *buf, size_t cap)
{
	points_order_code_iterator *it;
	points_order_code c;
	int n = 0, rc;

	buf[0] = 0;
	ck_assert_int_eq(points_order_code_iterator_new(db, id, &it),
	    POINTS_OK);
	while ((rc = points_order_code_next(it, &c)) == POINTS_OK) {
		n++;
		ck_assert_int_eq(c.n, n);
		ck_assert_str_eq(c.order_id, id);
		if (*buf)
			strncat(buf, ",", cap - strlen(buf) - 1);
		strncat(buf, c.code, cap - strlen(buf) - 1);
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	points_order_code_iterator_free(it);
	return n;
}

/* No outbox event holds needle. */
static void
outbox_lacks(const char *needle)
{
	points_outbox_event e;
	int64_t seq = 0;
	int rc;

	while ((rc = points_outbox_next(db, seq, &e)) == POINTS_OK) {
		ck_assert_msg(strstr(e.data, needle) == NULL &&
		    strstr(e.subject, needle) == NULL, "event %lld holds a "
		    "code: %s", (long long)e.seq, e.data);
		seq = e.seq;
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
}

START_TEST(test_upload_adds_stock_and_history)
{
	points_code_pool p;
	points_item it;
	points_item_history_iterator *hi;
	points_item_change ch;

	p = upload("CARD", "JD-0001\nJD-0002\r\n\nJD-0003\n");
	ck_assert_str_eq(p.sku, "CARD");
	ck_assert_int_eq(p.uploaded, 3);
	ck_assert_int_eq(p.issued, 0);
	ck_assert_int_eq(p.available, 3);
	it = get_item("CARD");
	ck_assert_int_eq(it.stock, 3);
	ck_assert_int_eq(it.changes, 2);
	p = upload("CARD", "JD-0004");
	ck_assert_int_eq(p.uploaded, 4);
	ck_assert_int_eq(get_item("CARD").stock, 4);
	ck_assert_int_eq(points_item_codes_get(db, "CARD", &p), POINTS_OK);
	ck_assert_int_eq(p.available, 4);
	/* the history: created, then two uploads with actor and reason */
	ck_assert_int_eq(points_item_history_iterator_new(db, "CARD", &hi),
	    POINTS_OK);
	ck_assert_int_eq(points_item_history_next(hi, &ch), POINTS_OK);
	ck_assert_int_eq(points_item_history_next(hi, &ch), POINTS_OK);
	ck_assert_int_eq(ch.what, POINTS_ITEM_CHANGED_STOCK);
	ck_assert_int_eq(ch.stock, 3);
	ck_assert_str_eq(ch.actor, "admin");
	ck_assert_str_eq(ch.reason, "batch");
	ck_assert_int_eq(points_item_history_next(hi, &ch), POINTS_OK);
	ck_assert_int_eq(ch.stock, 4);
	ck_assert_int_eq(points_item_history_next(hi, &ch), POINTS_ITEROVER);
	points_item_history_iterator_free(hi);
	/* an item without a pool: all 0 */
	item("GIFT", 100, 5);
	ck_assert_int_eq(points_item_codes_get(db, "GIFT", &p), POINTS_OK);
	ck_assert_int_eq(p.uploaded + p.issued + p.available, 0);
	ck_assert_int_eq(points_item_codes_get(db, "NOPE", &p),
	    POINTS_ENOTFOUND);
	(void)it;
}
END_TEST

START_TEST(test_upload_refusals_write_nothing)
{
	points_code_pool p;
	char big[POINTS_CODE_MAX + 2];

	upload("CARD", "A1\nA2");
	/* a code uploaded before, to this item or another, or twice in one
	 * upload: the whole upload refused, the code not in the message */
	TU_FAILS(db, points_item_codes_add(db, "CARD", "B1\nA2", "admin",
	    NULL, &p), POINTS_EEXISTS);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "line 2"));
	ck_assert_ptr_null(strstr(points_errmsg(db), "A2"));
	item("CARD2", 500, 0);
	TU_FAILS(db, points_item_codes_add(db, "CARD2", "A1", "admin", NULL,
	    &p), POINTS_EEXISTS);
	TU_FAILS(db, points_item_codes_add(db, "CARD", "C1\nC2\nC1", "admin",
	    NULL, &p), POINTS_EEXISTS);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "line 3"));
	ck_assert_ptr_null(strstr(points_errmsg(db), "C1"));
	/* bad codes */
	TU_FAILS(db, points_item_codes_add(db, "CARD", "D1\nD 2", "admin",
	    NULL, &p), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "line 2"));
	ck_assert_ptr_null(strstr(points_errmsg(db), "D 2"));
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	TU_FAILS(db, points_item_codes_add(db, "CARD", big, "admin", NULL,
	    &p), POINTS_EINVAL);
	TU_FAILS(db, points_item_codes_add(db, "CARD", "\n\r\n", "admin",
	    NULL, &p), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "no codes"));
	TU_FAILS(db, points_item_codes_add(db, "CARD", NULL, "admin", NULL,
	    &p), POINTS_EINVAL);
	/* no item, unlimited stock, bad arguments */
	TU_FAILS(db, points_item_codes_add(db, "NOPE", "E1", "admin", NULL,
	    &p), POINTS_ENOTFOUND);
	item("LEAVE", 2000, POINTS_STOCK_UNLIMITED);
	TU_FAILS(db, points_item_codes_add(db, "LEAVE", "E1", "admin", NULL,
	    &p), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "unlimited"));
	TU_FAILS(db, points_item_codes_add(db, "CARD", "E1", NULL, NULL, &p),
	    POINTS_EINVAL);
	TU_FAILS(db, points_item_codes_add(db, "bad sku", "E1", "admin", NULL,
	    &p), POINTS_EINVAL);
	ck_assert_int_eq(points_item_codes_add(db, "CARD", "E1", "admin", NULL,
	    NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_item_codes_get(db, "CARD", &p), POINTS_OK);
	ck_assert_int_eq(p.uploaded, 2);
	ck_assert_int_eq(get_item("CARD").stock, 2);
}
END_TEST

START_TEST(test_approval_issues_codes_in_upload_order)
{
	points_order o1, o2;
	points_code_pool p;
	char buf[256];

	upload("CARD", "K1\nK2\nK3\nK4");
	o1 = place(alice, "CARD", 2);
	o2 = place(bob, "CARD", 1);
	/* nothing issued before approval */
	ck_assert_int_eq(codes_of(o1.id, buf, sizeof(buf)), 0);
	ck_assert_int_eq(points_order_approve(db, o2.id, "ops", NULL, &o2),
	    POINTS_OK);
	ck_assert_int_eq(codes_of(o2.id, buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "K1");
	ck_assert_int_eq(points_order_approve(db, o1.id, "ops", NULL, &o1),
	    POINTS_OK);
	ck_assert_int_eq(codes_of(o1.id, buf, sizeof(buf)), 2);
	ck_assert_str_eq(buf, "K2,K3");
	ck_assert_int_eq(points_item_codes_get(db, "CARD", &p), POINTS_OK);
	ck_assert_int_eq(p.issued, 3);
	ck_assert_int_eq(p.available, 1);
	ck_assert_int_eq(get_item("CARD").stock, 1);
	/* a virtual item goes from approved to delivered with its code */
	ck_assert_int_eq(points_order_deliver(db, o1.id, "ops", NULL, &o1),
	    POINTS_OK);
	ck_assert_int_eq(codes_of(o1.id, buf, sizeof(buf)), 2);
	/* no code in the outbox */
	outbox_lacks("K1");
	outbox_lacks("K2");
	outbox_lacks("K3");
	/* an item without a pool issues none */
	item("GIFT", 100, 5);
	o1 = place(alice, "GIFT", 1);
	ck_assert_int_eq(points_order_approve(db, o1.id, NULL, NULL, &o1),
	    POINTS_OK);
	ck_assert_int_eq(codes_of(o1.id, buf, sizeof(buf)), 0);
	{
		points_order_code_iterator *it;

		ck_assert_int_eq(points_order_code_iterator_new(db,
		    "0190a0c0-0000-7000-8000-000000000000", &it),
		    POINTS_ENOTFOUND);
		ck_assert_int_eq(points_order_code_iterator_new(db, "x", &it),
		    POINTS_EINVAL);
		ck_assert_int_eq(points_order_code_iterator_new(db, o1.id,
		    NULL), POINTS_EINVAL);
	}
}
END_TEST

/* An empty pool is out of stock: at placement (the stock counts the
 * codes), and at approval when the stock was raised by hand. */
START_TEST(test_pool_running_out)
{
	points_order o1, o2, o3;
	points_item it;
	char buf[64];

	/* no code yet: stock 0 */
	ck_assert_int_eq(place_rc(alice, "CARD", 1), POINTS_EOUTOFSTOCK);
	upload("CARD", "P1\nP2");
	TU_FAILS(db, place_rc(alice, "CARD", 3), POINTS_EOUTOFSTOCK);
	o1 = place(alice, "CARD", 2);
	TU_FAILS(db, place_rc(bob, "CARD", 1), POINTS_EOUTOFSTOCK);
	/* the stock raised by hand beyond the pool: placing works, the
	 * approval of more units than the pool holds is refused */
	ck_assert_int_eq(points_item_restock(db, "CARD", 2, "admin", NULL,
	    &it), POINTS_OK);
	o2 = place(bob, "CARD", 1);
	ck_assert_int_eq(points_order_approve(db, o1.id, NULL, NULL, &o1),
	    POINTS_OK);
	TU_FAILS(db, points_order_approve(db, o2.id, NULL, NULL, &o3),
	    POINTS_EOUTOFSTOCK);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "0 codes left"));
	ck_assert_int_eq(points_order_get(db, o2.id, &o3), POINTS_OK);
	ck_assert_int_eq(o3.state, POINTS_ORDER_SUBMITTED);
	ck_assert_int_eq(codes_of(o2.id, buf, sizeof(buf)), 0);
	/* a new upload makes it approvable */
	upload("CARD", "P3");
	ck_assert_int_eq(points_order_approve(db, o2.id, NULL, NULL, &o2),
	    POINTS_OK);
	ck_assert_int_eq(codes_of(o2.id, buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "P3");
}
END_TEST

/* Cancelling a submitted order gives its units back (no code was
 * issued); cancelling or returning one with codes puts neither the codes
 * nor the units back, and refunds the points. */
START_TEST(test_cancel_and_return_put_no_code_back)
{
	points_order o;
	points_code_pool p;
	char buf[64];

	upload("CARD", "Q1\nQ2\nQ3\nQ4");
	o = place(alice, "CARD", 1);
	ck_assert_int_eq(get_item("CARD").stock, 3);
	ck_assert_int_eq(points_order_cancel(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(get_item("CARD").stock, 4);
	o = place(alice, "CARD", 1);
	ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(points_order_cancel(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 20000);
	ck_assert_int_eq(get_item("CARD").stock, 3);
	ck_assert_int_eq(codes_of(o.id, buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "Q1");
	o = place(alice, "CARD", 1);
	ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(points_order_deliver(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(points_order_return(db, o.id, 1, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 20000);
	ck_assert_int_eq(get_item("CARD").stock, 2);
	ck_assert_int_eq(points_item_codes_get(db, "CARD", &p), POINTS_OK);
	ck_assert_int_eq(p.issued, 2);
	ck_assert_int_eq(p.available, 2);
	/* the next order gets the next code, not a given-back one */
	o = place(bob, "CARD", 1);
	ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(codes_of(o.id, buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "Q3");
}
END_TEST

/* ---- A seeded random run against a model ----
 * Orders of CARD (a pool) by two accounts: place, approve, cancel,
 * deliver, return, and uploads; the model (from points/mall.h: the
 * stock counts the codes no order took, approval issues the oldest,
 * nothing goes back once issued) is compared after every step. */
#define R_ORDERS 40
#define R_CODES 400

typedef struct r_order {
	char id[POINTS_ID_LEN + 1];
	int acct, state;
	int64_t qty, first; /* first: its first code's number, 0: none */
} r_order;

START_TEST(test_random_against_model)
{
	int64_t acct[2] = { alice, bob }, bal[2] = { 20000, 20000 };
	int64_t uploaded = 0, issued = 0, stock = 0;
	r_order ord[R_ORDERS];
	int n = 0, step, i;
	unsigned seed = 2000u + (unsigned)_i;

	srand(seed);
	for (step = 0; step < 250; step++) {
		int op = rand() % 6, rc, want;
		points_order o;

		if (op == 0) {
			char codes[256] = "";
			int k = 1 + rand() % 3;

			for (i = 0; i < k && uploaded + i < R_CODES; i++) {
				char c[32];

				snprintf(c, sizeof(c), "C%04lld\n",
				    (long long)(uploaded + i + 1));
				strcat(codes, c);
			}
			if (!*codes)
				continue;
			upload("CARD", codes);
			uploaded += i;
			stock += i;
		} else if (op == 1 || n == 0) {
			int a = rand() % 2;
			int64_t q = 1 + rand() % 2;

			if (n == R_ORDERS)
				continue;
			want = stock < q ? POINTS_EOUTOFSTOCK :
			    bal[a] < 500 * q ? POINTS_EINSUFFICIENT : POINTS_OK;
			rc = place_out(acct[a], "CARD", q, &o);
			ck_assert_msg(rc == want, "seed %u step %d: place %d, "
			    "want %d: %s", seed, step, rc, want,
			    points_errmsg(db));
			if (rc)
				continue;
			strcpy(ord[n].id, o.id);
			ord[n].acct = a;
			ord[n].state = POINTS_ORDER_SUBMITTED;
			ord[n].qty = q;
			ord[n].first = 0;
			n++;
			bal[a] -= 500 * q;
			stock -= q;
		} else {
			r_order *m = &ord[rand() % n];
			int from = m->state, to = from;

			want = POINTS_ESTATE;
			switch (op) {
			case 2:
				if (from == POINTS_ORDER_SUBMITTED) {
					want = uploaded - issued < m->qty ?
					    POINTS_EOUTOFSTOCK : POINTS_OK;
					to = POINTS_ORDER_APPROVED;
				}
				rc = points_order_approve(db, m->id, NULL,
				    NULL, &o);
				break;
			case 3:
				if (from == POINTS_ORDER_SUBMITTED ||
				    from == POINTS_ORDER_APPROVED)
					want = POINTS_OK, to =
					    POINTS_ORDER_CANCELLED;
				rc = points_order_cancel(db, m->id, NULL,
				    NULL, &o);
				break;
			case 4:
				if (from == POINTS_ORDER_APPROVED)
					want = POINTS_OK, to =
					    POINTS_ORDER_DELIVERED;
				rc = points_order_deliver(db, m->id, NULL,
				    NULL, &o);
				break;
			default:
				if (from == POINTS_ORDER_DELIVERED)
					want = POINTS_OK, to =
					    POINTS_ORDER_RETURNED;
				rc = points_order_return(db, m->id, 1, NULL,
				    NULL, &o);
				break;
			}
			ck_assert_msg(rc == want, "seed %u step %d: op %d on "
			    "%d: %d, want %d: %s", seed, step, op, from, rc,
			    want, points_errmsg(db));
			if (rc)
				continue;
			m->state = to;
			if (from == POINTS_ORDER_SUBMITTED &&
			    to == POINTS_ORDER_APPROVED) {
				m->first = issued + 1;
				issued += m->qty;
			}
			if (to == POINTS_ORDER_CANCELLED ||
			    to == POINTS_ORDER_RETURNED) {
				bal[m->acct] += 500 * m->qty;
				if (!m->first)
					stock += m->qty;
			}
		}
		/* compare */
		{
			points_code_pool p;

			ck_assert_int_eq(points_item_codes_get(db, "CARD", &p),
			    POINTS_OK);
			ck_assert_int_eq(p.uploaded, uploaded);
			ck_assert_int_eq(p.issued, issued);
			ck_assert_int_eq(get_item("CARD").stock, stock);
		}
		for (i = 0; i < 2; i++)
			ck_assert_int_eq(tu_available(db, acct[i], "PTS"),
			    bal[i]);
		for (i = 0; i < n; i++) {
			char buf[64], want_codes[64] = "";
			int64_t k;

			if (ord[i].first)
				for (k = 0; k < ord[i].qty; k++)
					snprintf(want_codes + strlen(want_codes),
					    sizeof(want_codes) -
					    strlen(want_codes), "%sC%04lld",
					    k ? "," : "",
					    (long long)(ord[i].first + k));
			codes_of(ord[i].id, buf, sizeof(buf));
			ck_assert_msg(strcmp(buf, want_codes) == 0, "seed %u "
			    "step %d: order %d has '%s', want '%s'", seed, step,
			    i, buf, want_codes);
		}
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("codes");
	TCase *tc = tcase_create("codes");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_upload_adds_stock_and_history);
	tcase_add_test(tc, test_upload_refusals_write_nothing);
	tcase_add_test(tc, test_approval_issues_codes_in_upload_order);
	tcase_add_test(tc, test_pool_running_out);
	tcase_add_test(tc, test_cancel_and_return_put_no_code_back);
	tcase_add_loop_test(tc, test_random_against_model, 0, 4);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
