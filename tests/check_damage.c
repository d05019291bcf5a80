/* check_damage.c - damaged balance records read back through every read
 * path that meets them: each must answer POINTS_ECORRUPT with a message
 * naming the account, never crash, and a write must change nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "util/codec.h"

static points_db *db;
static int64_t alice;
static unsigned char key[8];
static char name[64];

/* A copy of alice's EXP balance record (free it). */
static unsigned char *
raw_get(size_t *vl)
{
	points_store *s = tu_store(db);
	const void *v;
	unsigned char *out;

	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->get(s, tu_keyspace(db, "bal"), key, 8, &v, vl),
	    POINTS_OK);
	out = malloc(*vl + 1);
	ck_assert_ptr_nonnull(out);
	memcpy(out, v, *vl);
	s->rollback(s);
	return out;
}

static void
raw_put(const void *v, size_t vl)
{
	points_store *s = tu_store(db);

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, tu_keyspace(db, "bal"), key, 8, v, vl),
	    POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

static void
setup(void)
{
	points_store *s;
	points_asset_rec a;

	db = tu_open("memory:");
	alice = tu_account(db, "alice");
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 100, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 20, NULL), POINTS_OK);
	s = tu_store(db);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(points_asset__find(db, "EXP", &a), POINTS_OK);
	s->rollback(s);
	ck_assert(points_balance__key(alice, a.id, key));
	snprintf(name, sizeof name, "balance of account %lld",
	    (long long)alice);
}

static void
teardown(void)
{
	tu_snap_free();
	points_close(db);
	db = NULL;
}

/* Every read path refuses the record, naming the account; a spend
 * through it writes nothing. */
static void
assert_refused(void)
{
	points_balance b;
	points_verify_report rep;
	points_posting p = tu_posting("EXP", alice, 1);
	points_txn t;
	int rc;

	/* balance get reads the record's head only: damage past it may
	 * go unseen there, but never gives other figures */
	rc = points_balance_get(db, alice, "EXP", &b);
	if (rc == POINTS_OK) {
		ck_assert_int_eq(b.available, 120);
	} else {
		ck_assert_int_eq(rc, POINTS_ECORRUPT);
		ck_assert_msg(strstr(points_errmsg(db), name), "%s",
		    points_errmsg(db));
		ck_assert_msg(strstr(points_errmsg(db), "unreadable"), "%s",
		    points_errmsg(db));
	}
	tu_snap(db);
	ck_assert_msg(points_spend(db, &p, &t) == POINTS_ECORRUPT, "%s",
	    points_errmsg(db));
	ck_assert_msg(strstr(points_errmsg(db), "unreadable"), "%s",
	    points_errmsg(db));
	ck_assert_msg(strstr(points_errmsg(db), name), "%s",
	    points_errmsg(db));
	tu_unchanged(db);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
}

/* Each length short of the whole record: a record cut anywhere.  Cut
 * within the head, balance get refuses it too. */
START_TEST(test_balance_cut_short)
{
	points_balance b;
	size_t vl, n;
	unsigned char *v = raw_get(&vl);

	for (n = 0; n < vl; n++) {
		raw_put(v, n);
		assert_refused();
	}
	raw_put(v, 1);
	ck_assert_int_eq(points_balance_get(db, alice, "EXP", &b),
	    POINTS_ECORRUPT);
	ck_assert_msg(strstr(points_errmsg(db), name), "%s",
	    points_errmsg(db));
	free(v);
}
END_TEST

/* Bytes past the record's end are damage too, not ignored. */
START_TEST(test_balance_with_trailing_bytes)
{
	size_t vl;
	unsigned char *v = raw_get(&vl);

	v = realloc(v, vl + 1);
	ck_assert_ptr_nonnull(v);
	v[vl] = 0;
	raw_put(v, vl + 1);
	assert_refused();
	free(v);
}
END_TEST

/* A balance record of one lot, past due since day 1, of amount (as
 * stored: a varint), beside available. */
static void
put_one_lot(int64_t available, uint64_t amount)
{
	points_buf b;

	points_buf__init(&b);
	points_buf__u8(&b, 1);         /* record version 1 */
	points_buf__uvar(&b, 0);       /* open, no flags */
	points_buf__svar(&b, available);
	points_buf__svar(&b, 0);       /* held */
	points_buf__svar(&b, 0);       /* earned */
	points_buf__svar(&b, 0);       /* spent */
	points_buf__svar(&b, 0);       /* expired */
	points_buf__uvar(&b, 1);       /* last seq */
	points_buf__uvar(&b, 1);       /* one lot: */
	points_buf__uvar(&b, 1);       /* day 1 */
	points_buf__uvar(&b, amount);
	points_buf__uvar(&b, 0);       /* the sweep index's offset */
	ck_assert_int_eq(b.err, 0);
	raw_put(b.data, b.len);
	points_buf__free(&b);
}

/* The sweep's index key for alice's EXP balance at day 1. */
static void
put_sweep_key(void)
{
	points_store *s = tu_store(db);
	points_asset_rec a;
	unsigned char k[16];

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(points_asset__find(db, "EXP", &a), POINTS_OK);
	points_balance__sweep_key(k, 1, alice, a.id);
	ck_assert_int_eq(s->put(s, tu_keyspace(db, "sweep"), k, 16, "", 0),
	    POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

/* Past-due lots a read subtracts from available: a lot past int64 (it
 * read as negative, and available minus it overflowed), and available
 * so low that the lot takes it past INT64_MIN.  Found by fuzzing the
 * record decoders under UBSan. */
START_TEST(test_balance_past_due_lot_out_of_range)
{
	static const struct {
		int64_t available;
		uint64_t amount;
	} cases[] = {
		{ INT64_MAX, UINT64_MAX },
		{ INT64_MAX, (uint64_t)INT64_MAX + 1 },
		{ INT64_MIN, 5 },
		{ INT64_MIN + 4, 5 },
	};
	points_balance b;
	size_t i;

	put_sweep_key();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put_one_lot(cases[i].available, cases[i].amount);
		ck_assert_int_eq(points_balance_get(db, alice, "EXP", &b),
		    POINTS_ECORRUPT);
		ck_assert_msg(strstr(points_errmsg(db), name), "%s",
		    points_errmsg(db));
		assert_refused();
		/* the sweep, led to it by its index key */
		tu_snap(db);
		ck_assert_int_eq(points_expire_sweep(db, tu_now, NULL),
		    POINTS_ECORRUPT);
		ck_assert_msg(strstr(points_errmsg(db), name), "%s",
		    points_errmsg(db));
		tu_unchanged(db);
	}
	/* in range: read as expired at once */
	put_one_lot(INT64_MIN + 5, 5);
	ck_assert_int_eq(points_balance_get(db, alice, "EXP", &b), POINTS_OK);
	ck_assert_int_eq(b.available, INT64_MIN);
}
END_TEST

static Suite *
damage_suite(void)
{
	Suite *s = suite_create("damage");
	TCase *tc = tcase_create("balance");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_balance_cut_short);
	tcase_add_test(tc, test_balance_with_trailing_bytes);
	tcase_add_test(tc, test_balance_past_due_lot_out_of_range);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(damage_suite());
}
