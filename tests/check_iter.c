/* check_iter.c - what every iterator shares (lib/core/iter.c): the
 * handle's life (points_close detaches its iterators), batches (a
 * rollback invalidates the iterators opened inside it, and only those),
 * and the iterators' own memory.  Each kind's listing is tested with
 * its module (check_account.c, check_ledger.c, check_lot.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static points_db *db;
static points_store *inner, *fault; /* the fault fixture's stores */
static int64_t alice, bob;

static void
setup(void)
{
	tu_now = TU_T0;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 5, NULL), POINTS_OK);
}

static void
teardown(void)
{
	if (db)
		tu_invariants(db);
	points_close(db);
	db = NULL;
}

static int64_t
test_clock(void *ctx)
{
	(void)ctx;
	return tu_now;
}

static void
setup_fault(void)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;

	tu_now = TU_T0;
	ck_assert_int_eq(points_store_open("memory:", &inner), POINTS_OK);
	ck_assert_int_eq(points_store_fault_new(inner, &fault), POINTS_OK);
	o.clock = test_clock;
	ck_assert_int_eq(points_open_store(fault, &o, &db), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "PTS", 0,
	    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "EXP", 0, POINTS_EXPIRE_DAYS,
	    365), POINTS_OK);
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 5, NULL), POINTS_OK);
}

static void
teardown_fault(void)
{
	points_store_fault_arm(fault, 0, 0);
	teardown();
	points_store_close(fault);
	points_store_close(inner);
}

/* One iterator of each kind (and both orders, both lot listings), seen
 * through one shape so that a test can treat them alike. */
enum { K_ACCOUNTS, K_NEWEST, K_OLDEST, K_LOTS, K_ALL_LOTS, NKINDS };
static const char *const kind_names[NKINDS] = {
	"account iterator", "statement iterator", "statement iterator",
	"lot iterator", "lot iterator",
};

typedef struct any_iter {
	int kind;
	points_account_iterator *a;
	points_statement_iterator *s;
	points_lot_iterator *l;
} any_iter;

static int
any_open(points_db *d, int kind, any_iter *it)
{
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	switch (kind) {
	case K_ACCOUNTS:
		return points_account_iterator_new(d, 0, &it->a);
	case K_NEWEST:
		return points_statement_iterator_new(d, alice, "PTS", 0, 0,
		    POINTS_NEWEST_FIRST, &it->s);
	case K_OLDEST:
		return points_statement_iterator_new(d, alice, "PTS", 0, 0,
		    POINTS_OLDEST_FIRST, &it->s);
	case K_LOTS:
		return points_lot_iterator_new(d, alice, "EXP", INT64_MAX,
		    &it->l);
	default:
		return points_lot_iterator_new(d, 0, "EXP", INT64_MAX, &it->l);
	}
}

static int
any_next(any_iter *it)
{
	points_account a;
	points_entry e;
	points_lot l;

	switch (it->kind) {
	case K_ACCOUNTS:
		return points_account_next(it->a, &a);
	case K_NEWEST:
	case K_OLDEST:
		return points_statement_next(it->s, &e);
	default:
		return points_lot_next(it->l, &l);
	}
}

static void
any_free(any_iter *it)
{
	points_account_iterator_free(it->a);
	points_statement_iterator_free(it->s);
	points_lot_iterator_free(it->l);
	memset(it, 0, sizeof(*it));
}

/* Its next step fails with POINTS_ESTATE, naming the iterator and the
 * rolled-back batch, and so does every step after. */
static void
assert_rolled_back(any_iter *it)
{
	char want[128];

	snprintf(want, sizeof(want), "%s: the batch it was opened in was "
	    "rolled back: open a new one", kind_names[it->kind]);
	ck_assert_int_eq(any_next(it), POINTS_ESTATE);
	ck_assert_str_eq(points_errmsg(db), want);
	ck_assert_int_eq(any_next(it), POINTS_ESTATE);
}

/* The regression of issue 21: a statement opened in a batch that is
 * rolled back said POINTS_ECORRUPT "entry N is missing" on its next
 * step, while the ledger was fine. */
START_TEST(test_statement_opened_in_rolled_back_batch_is_estate_not_ecorrupt)
{
	points_statement_iterator *newest, *oldest;
	points_verify_report rep;
	points_entry e;

	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 20, NULL), POINTS_OK);
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", 0, 0,
	    POINTS_NEWEST_FIRST, &newest), POINTS_OK);
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", 0, 0,
	    POINTS_OLDEST_FIRST, &oldest), POINTS_OK);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_OK);

	ck_assert_int_eq(points_statement_next(newest, &e), POINTS_ESTATE);
	ck_assert_str_eq(points_errmsg(db), "statement iterator: the batch "
	    "it was opened in was rolled back: open a new one");
	ck_assert_int_eq(points_statement_next(oldest, &e), POINTS_ESTATE);
	ck_assert_int_eq(points_statement_next(newest, &e), POINTS_ESTATE);
	points_statement_iterator_free(newest);
	points_statement_iterator_free(oldest);

	/* a new one lists what the ledger has */
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", 0, 0,
	    POINTS_NEWEST_FIRST, &newest), POINTS_OK);
	ck_assert_int_eq(points_statement_next(newest, &e), POINTS_OK);
	ck_assert_int_eq(e.amount, 10);
	ck_assert_int_eq(points_statement_next(newest, &e), POINTS_ITEROVER);
	points_statement_iterator_free(newest);
}
END_TEST

/* Every kind, stepped or not inside the batch: what it buffered there is
 * not handed out after the rollback. */
START_TEST(test_every_kind_opened_in_rolled_back_batch_is_estate)
{
	any_iter its[2 * NKINDS];
	int k;

	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	tu_account(db, "E1003");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 20, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "EXP", 7, NULL), POINTS_OK);
	for (k = 0; k < 2 * NKINDS; k++) {
		ck_assert_int_eq(any_open(db, k % NKINDS, &its[k]), POINTS_OK);
		if (k >= NKINDS) /* a chunk buffered in the batch */
			ck_assert_int_eq(any_next(&its[k]), POINTS_OK);
	}
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	for (k = 0; k < 2 * NKINDS; k++) {
		assert_rolled_back(&its[k]);
		any_free(&its[k]);
	}
}
END_TEST

/* Opened before the batch, stepped inside it: the rollback leaves it be. */
START_TEST(test_iterator_opened_outside_batch_survives_its_rollback)
{
	any_iter its[NKINDS];
	int k, rc;

	for (k = 0; k < NKINDS; k++)
		ck_assert_int_eq(any_open(db, k, &its[k]), POINTS_OK);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 20, NULL), POINTS_OK);
	for (k = 0; k < NKINDS; k++)
		ck_assert_int_eq(any_next(&its[k]), POINTS_OK);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	for (k = 0; k < NKINDS; k++) {
		while ((rc = any_next(&its[k])) == POINTS_OK)
			;
		ck_assert_int_eq(rc, POINTS_ITEROVER);
		any_free(&its[k]);
	}
}
END_TEST

/* Opened in a batch that commits: it goes on, and a later batch's
 * rollback does not touch it. */
START_TEST(test_iterator_opened_in_committed_batch_goes_on)
{
	points_statement_iterator *it;
	points_entry e;

	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 20, NULL), POINTS_OK);
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", 0, 0,
	    POINTS_NEWEST_FIRST, &it), POINTS_OK);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 30, NULL), POINTS_OK);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_OK);
	ck_assert_int_eq(e.amount, 20);
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_OK);
	ck_assert_int_eq(e.amount, 10);
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_ITEROVER);
	points_statement_iterator_free(it);
}
END_TEST

/* A write that fails after writing, when undoing it fails too (every
 * store call fails from n on), drops the whole batch: that is a
 * rollback too.  An iterator opened after the failure, before the batch
 * ends, reads what is committed and is not invalidated. */
START_TEST(test_batch_dropped_by_a_failed_write_invalidates_its_iterators)
{
	any_iter its[NKINDS], after;
	int64_t n;
	int k, rc;

	for (n = 1;; n++) {
		ck_assert_msg(n < 1000, "the batch is never dropped");
		ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
		ck_assert_int_eq(tu_earn(db, alice, "PTS", 20, NULL),
		    POINTS_OK);
		for (k = 0; k < NKINDS; k++)
			ck_assert_int_eq(any_open(db, k, &its[k]), POINTS_OK);
		points_store_fault_arm(fault, n, 1);
		rc = tu_earn(db, bob, "PTS", 5, NULL);
		points_store_fault_arm(fault, 0, 0);
		if (rc == POINTS_ESTORAGE &&
		    tu_earn(db, bob, "PTS", 1, NULL) == POINTS_ESTATE)
			break; /* dropped */
		for (k = 0; k < NKINDS; k++)
			any_free(&its[k]);
		ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	}
	for (k = 0; k < NKINDS; k++)
		assert_rolled_back(&its[k]);
	ck_assert_int_eq(any_open(db, K_NEWEST, &after), POINTS_OK);
	ck_assert_int_eq(points_batch_commit(db), POINTS_ESTATE); /* ends it */
	ck_assert_int_eq(any_next(&after), POINTS_OK);
	ck_assert_int_eq(any_next(&after), POINTS_ITEROVER);
	any_free(&after);
	for (k = 0; k < NKINDS; k++) {
		assert_rolled_back(&its[k]);
		any_free(&its[k]);
	}
}
END_TEST

/* A commit that fails writes nothing of the batch: its iterators stand
 * on what never was. */
START_TEST(test_failed_batch_commit_invalidates_its_iterators)
{
	points_statement_iterator *it;
	points_entry e;

	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 20, NULL), POINTS_OK);
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", 0, 0,
	    POINTS_NEWEST_FIRST, &it), POINTS_OK);
	points_store_fault_arm(fault, 1, 0); /* the commit */
	ck_assert_int_eq(points_batch_commit(db), POINTS_ESTORAGE);
	points_store_fault_arm(fault, 0, 0);
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_ESTATE);
	points_statement_iterator_free(it);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 10);
}
END_TEST

/* After points_close a step is POINTS_EMISUSE and reads nothing of the
 * freed handle (AddressSanitizer says so under make check SANITIZE=1);
 * freeing after the close is fine. */
START_TEST(test_step_after_close_is_emisuse)
{
	any_iter its[2 * NKINDS];
	points_account a;
	points_entry e;
	points_lot l;
	int k;

	for (k = 0; k < 2 * NKINDS; k++) {
		ck_assert_int_eq(any_open(db, k % NKINDS, &its[k]), POINTS_OK);
		if (k >= NKINDS)
			ck_assert_int_eq(any_next(&its[k]), POINTS_OK);
	}
	points_close(db);
	db = NULL;
	for (k = 0; k < 2 * NKINDS; k++) {
		ck_assert_int_eq(any_next(&its[k]), POINTS_EMISUSE);
		ck_assert_int_eq(any_next(&its[k]), POINTS_EMISUSE);
	}
	/* NULL is POINTS_EINVAL; a detached one POINTS_EMISUSE, whatever
	 * else is wrong */
	ck_assert_int_eq(points_account_next(its[K_ACCOUNTS].a, NULL),
	    POINTS_EMISUSE);
	ck_assert_int_eq(points_account_next(NULL, &a), POINTS_EINVAL);
	ck_assert_int_eq(points_statement_next(NULL, &e), POINTS_EINVAL);
	ck_assert_int_eq(points_lot_next(NULL, &l), POINTS_EINVAL);
	for (k = 0; k < 2 * NKINDS; k++)
		any_free(&its[k]);
}
END_TEST

/* A batch open at close is rolled back with the handle; its iterators
 * are detached like any other. */
START_TEST(test_close_with_batch_open_detaches_its_iterators)
{
	any_iter it;

	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 20, NULL), POINTS_OK);
	ck_assert_int_eq(any_open(db, K_OLDEST, &it), POINTS_OK);
	points_close(db);
	db = NULL;
	ck_assert_int_eq(any_next(&it), POINTS_EMISUSE);
	any_free(&it);
}
END_TEST

/* Freeing unlinks an iterator from its handle, wherever it is in the
 * handle's list (first, middle, last), so that the close later walks
 * only live ones. */
START_TEST(test_free_in_any_order_then_close)
{
	static const int order[][4] = {
		{ 0, 1, 2, 3 }, { 3, 2, 1, 0 }, { 1, 2, 0, 3 }, { 2, 0, 3, 1 },
	};
	any_iter its[4];
	size_t o;
	int k;

	for (o = 0; o < sizeof(order) / sizeof(order[0]); o++) {
		for (k = 0; k < 4; k++)
			ck_assert_int_eq(any_open(db, k, &its[k]), POINTS_OK);
		/* free two, step the others, then close with two left */
		any_free(&its[order[o][0]]);
		any_free(&its[order[o][1]]);
		ck_assert_int_eq(any_next(&its[order[o][2]]), POINTS_OK);
		ck_assert_int_eq(any_next(&its[order[o][3]]), POINTS_OK);
		if (o + 1 < sizeof(order) / sizeof(order[0])) {
			any_free(&its[order[o][2]]);
			any_free(&its[order[o][3]]);
			continue;
		}
		points_close(db);
		db = NULL;
		ck_assert_int_eq(any_next(&its[order[o][2]]), POINTS_EMISUSE);
		any_free(&its[order[o][2]]);
		any_free(&its[order[o][3]]);
	}
}
END_TEST

/* Many at once, some freed before the close and some after. */
START_TEST(test_many_iterators_across_close)
{
	enum { N = 200 };
	any_iter *its = calloc(N, sizeof(*its));
	int k;

	ck_assert_ptr_nonnull(its);
	for (k = 0; k < N; k++)
		ck_assert_int_eq(any_open(db, k % NKINDS, &its[k]), POINTS_OK);
	for (k = 0; k < N; k += 3)
		any_free(&its[k]);
	points_close(db);
	db = NULL;
	for (k = 0; k < N; k++) {
		if (k % 3)
			ck_assert_int_eq(any_next(&its[k]), POINTS_EMISUSE);
		any_free(&its[k]);
	}
	free(its);
}
END_TEST

/* Out of memory while opening an iterator: POINTS_ENOMEM, *out not
 * written, nothing left linked to the handle (the close walks the list
 * and the leak checker sees every byte). */
START_TEST(test_open_out_of_memory_is_enomem_and_links_nothing)
{
	int64_t n;
	int k, rc;

	/* the allocator changes only while no handle is open */
	points_close(db);
	tu_alloc_install();
	setup();
	for (k = 0; k < NKINDS; k++) {
		for (n = 1;; n++) {
			any_iter it;

			ck_assert_msg(n < 1000, "%d never opens", k);
			tu_alloc_fail_at(n);
			rc = any_open(db, k, &it);
			tu_alloc_fail_at(0);
			if (rc == POINTS_OK) {
				ck_assert_int_eq(any_next(&it), POINTS_OK);
				any_free(&it);
				break;
			}
			ck_assert_int_eq(rc, POINTS_ENOMEM);
			ck_assert_ptr_null(it.a);
			ck_assert_ptr_null(it.s);
			ck_assert_ptr_null(it.l);
		}
	}
	points_close(db);
	db = NULL;
	tu_alloc_uninstall();
}
END_TEST

/* The iterators' module keeps only per-handle state: it records no
 * version in the ledger (format 0), so a ledger stays as it was. */
START_TEST(test_iterator_module_records_no_marker)
{
	points_store *s = tu_store(db);
	struct points_keyspace *meta = tu_keyspace(db, "meta");
	const void *v;
	size_t vl;

	ck_assert_ptr_nonnull(meta);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->get(s, meta, "module:iter", 11, &v, &vl),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(s->get(s, meta, "module:account", 14, &v, &vl),
	    POINTS_OK);
	s->rollback(s);
}
END_TEST

static Suite *
iter_suite(void)
{
	Suite *s = suite_create("iter");
	TCase *tc = tcase_create("iter");
	TCase *tf = tcase_create("iter_fault");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc,
	    test_statement_opened_in_rolled_back_batch_is_estate_not_ecorrupt);
	tcase_add_test(tc, test_every_kind_opened_in_rolled_back_batch_is_estate);
	tcase_add_test(tc, test_iterator_opened_outside_batch_survives_its_rollback);
	tcase_add_test(tc, test_iterator_opened_in_committed_batch_goes_on);
	tcase_add_test(tc, test_step_after_close_is_emisuse);
	tcase_add_test(tc, test_close_with_batch_open_detaches_its_iterators);
	tcase_add_test(tc, test_free_in_any_order_then_close);
	tcase_add_test(tc, test_many_iterators_across_close);
	tcase_add_test(tc, test_open_out_of_memory_is_enomem_and_links_nothing);
	tcase_add_test(tc, test_iterator_module_records_no_marker);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tf, setup_fault, teardown_fault);
	tcase_add_test(tf,
	    test_batch_dropped_by_a_failed_write_invalidates_its_iterators);
	tcase_add_test(tf, test_failed_batch_commit_invalidates_its_iterators);
	suite_add_tcase(s, tf);
	return s;
}

int
main(void)
{
	return tu_run(iter_suite());
}
