/* check_compat.c - a ledger written by a newer library: entries of a
 * transaction type this library does not know are read as generic
 * movements (verified, listed, returned), operations that must know the
 * type refuse them with POINTS_EVERSION, and records that are really
 * unreadable stay POINTS_ECORRUPT.
 *
 * A newer library's entry is made here by rewriting the type byte of an
 * entry in the store and recomputing the hash chain from it on, as the
 * format says: an entry record is version (1 byte), type (1 byte), the
 * id (16 bytes), ..., then its hash, BLAKE2b-256 over the previous
 * entry's hash, its seq (8 bytes big-endian) and the record before the
 * hash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "testutil.h"
#include "core/db.h"
#include "ledger/entry.h"

#define HASH 32

static points_db *db;
static int64_t alice, bob;

static void
setup(void)
{
	tu_now = TU_T0;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	/* with the log in partitions, in alice's: one chain holds every
	 * entry (ledger/entry.h) */
	bob = tu_account_near(db, "E1002", alice);
}

/* The seq before the first entry of alice's log partition (0 with
 * one partition). */
static int64_t
seq0(void)
{
	unsigned parts = points_entry__partitions_new > 1 ?
	    points_entry__partitions_new : 1;

	return points_entry__part_first((unsigned)(alice % parts)) - 1;
}

static void
teardown(void)
{
	if (db) {
		tu_invariants(db);
		points_close(db);
		db = NULL;
	}
}

static void
be64(unsigned char k[8], int64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		k[i] = (unsigned char)(v & 0xff);
}

/* Entry seq's record (with its hash) in buf; its length. */
static size_t
entry_get(int64_t seq, unsigned char *buf, size_t cap)
{
	points_store *s = tu_store(db);
	unsigned char k[8];
	const void *v;
	size_t vl;

	be64(k, seq);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->get(s, tu_keyspace(db, "entry"), k, 8, &v, &vl),
	    POINTS_OK);
	ck_assert_uint_le(vl, cap);
	memcpy(buf, v, vl);
	s->rollback(s);
	return vl;
}

static void
entry_put(int64_t seq, const unsigned char *buf, size_t len)
{
	points_store *s = tu_store(db);
	unsigned char k[8];

	be64(k, seq);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, tu_keyspace(db, "entry"), k, 8, buf, len),
	    POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

static int64_t
last_seq(void)
{
	points_verify_report r;

	ck_assert_int_eq(points_verify(db, &r), POINTS_OK);
	return seq0() + r.entries;
}

/* Set byte at of entry seq to value, add the n bytes of tail after its
 * record (before the hash), and rehash the chain from seq on, as the
 * library that wrote it would have. */
static void
rewrite_tail(int64_t seq, size_t at, unsigned char value,
    const unsigned char *tail, size_t n)
{
	unsigned char buf[4096], prev[HASH], k[8];
	int64_t q, last = last_seq();
	size_t len;

	memset(prev, 0, sizeof(prev));
	if (seq > seq0() + 1) {
		len = entry_get(seq - 1, buf, sizeof(buf));
		memcpy(prev, buf + len - HASH, HASH);
	}
	for (q = seq; q <= last; q++) {
		crypto_generichash_state st;

		len = entry_get(q, buf, sizeof(buf));
		if (q == seq) {
			buf[at] = value;
			ck_assert_uint_le(len + n, sizeof(buf));
			memmove(buf + len - HASH + n, buf + len - HASH, HASH);
			if (n > 0) /* tail may be NULL then */
				memcpy(buf + len - HASH, tail, n);
			len += n;
		}
		be64(k, q);
		crypto_generichash_init(&st, NULL, 0, HASH);
		crypto_generichash_update(&st, prev, HASH);
		crypto_generichash_update(&st, k, 8);
		crypto_generichash_update(&st, buf, len - HASH);
		crypto_generichash_final(&st, buf + len - HASH, HASH);
		memcpy(prev, buf + len - HASH, HASH);
		entry_put(q, buf, len);
	}
}

static void
rewrite(int64_t seq, size_t at, unsigned char value)
{
	rewrite_tail(seq, at, value, NULL, 0);
}

static void
retype(int64_t seq, int type)
{
	rewrite(seq, 1, (unsigned char)type);
}

/* The account's statement in asset, newest first, into out; how many. */
static int
statement(int64_t account, const char *asset, int order, points_entry *out,
    int max)
{
	points_statement_iterator *it;
	int n = 0, rc;

	ck_assert_int_eq(points_statement_iterator_new(db, account, asset, 0, 0, order, &it),
	    POINTS_OK);
	while ((rc = points_statement_next(it, &out[n])) == POINTS_OK)
		ck_assert_int_lt(++n, max);
	ck_assert_msg(rc == POINTS_ITEROVER, "statement: %s",
	    points_errmsg(db));
	points_statement_iterator_free(it);
	return n;
}

/* alice earns 100 EXP; alice -> bob 30 (a newer library's type 42, with
 * lots on both sides); bob earns 5 after it. */
static points_txn moved;

static void
setup_newer(void)
{
	points_posting p;

	setup();
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 100, NULL), POINTS_OK);
	tu_now += TU_DAY;
	p = tu_posting("EXP", alice, 30);
	p.counterparty = bob;
	p.memo = "from the future";
	ck_assert_int_eq(points_transfer(db, &p, &moved), POINTS_OK);
	tu_now += TU_DAY;
	ck_assert_int_eq(tu_earn(db, bob, "EXP", 5, NULL), POINTS_OK);
	retype(moved.seq, 42);
}

START_TEST(test_unknown_type_verifies)
{
	points_verify_report r;

	ck_assert_int_eq(points_verify(db, &r), POINTS_OK);
	ck_assert_int_eq(r.entries, 3);
	ck_assert_int_eq(r.bad_seq, 0);
	ck_assert_str_eq(r.message, "ok");
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 70);
	ck_assert_int_eq(tu_available(db, bob, "EXP"), 35);
}
END_TEST

START_TEST(test_unknown_type_is_listed_generically)
{
	points_entry e[8];
	int n;

	n = statement(alice, "EXP", POINTS_NEWEST_FIRST, e, 8);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(e[0].type, 42);
	ck_assert_int_eq(e[0].seq, moved.seq);
	ck_assert_str_eq(e[0].txn_id, moved.id);
	ck_assert_int_eq(e[0].amount, -30);
	ck_assert_int_eq(e[0].held, 0);
	ck_assert_int_eq(e[0].counterparty, bob);
	ck_assert_str_eq(e[0].memo, "from the future");
	ck_assert_int_eq(e[1].type, POINTS_TXN_EARN);
	n = statement(bob, "EXP", POINTS_OLDEST_FIRST, e, 8);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(e[0].type, 42);
	ck_assert_int_eq(e[0].amount, 30);
	ck_assert_int_eq(e[0].counterparty, alice);
	ck_assert_int_eq(e[1].type, POINTS_TXN_EARN);
	ck_assert_int_eq(e[1].amount, 5);
}
END_TEST

START_TEST(test_unknown_type_is_returned_by_txn_get)
{
	points_txn t;

	ck_assert_int_eq(points_txn_get(db, moved.id, &t), POINTS_OK);
	ck_assert_str_eq(t.id, moved.id);
	ck_assert_int_eq(t.seq, moved.seq);
	ck_assert_int_eq(t.type, 42);
	ck_assert_int_eq(t.time, moved.time);
	ck_assert_str_eq(t.asset, "EXP");
	ck_assert_int_eq(t.from, alice);
	ck_assert_int_eq(t.to, bob);
	ck_assert_int_eq(t.amount, 30);
	ck_assert_str_eq(t.ref, "");
	ck_assert_str_eq(t.memo, "from the future");
}
END_TEST

START_TEST(test_unknown_type_cannot_be_reversed)
{
	points_txn t;

	TU_FAILS(db, tu_reverse(db, moved.id, 0, "undo", NULL, &t),
	    POINTS_EVERSION);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "type 42"));
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), moved.id));
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "newer library"));
	TU_FAILS(db, tu_reverse(db, moved.id, 10, NULL, "undo-1", &t),
	    POINTS_EVERSION);
	/* in a batch it writes nothing and the batch goes on */
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_reverse(db, moved.id, 0, NULL, NULL, &t),
	    POINTS_EVERSION);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_OK);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 1);
}
END_TEST

/* The ledger stays writable around the newer entry: bob spends the
 * lots it brought, alice's are swept, and all of it verifies. */
START_TEST(test_ledger_with_unknown_type_stays_usable)
{
	points_sweep_report r;
	points_txn t;

	ck_assert_int_eq(tu_spend(db, bob, "EXP", 32, &t), POINTS_OK);
	ck_assert_int_eq(tu_reverse(db, t.id, 0, NULL, NULL, &t),
	    POINTS_OK);
	tu_invariants(db);
	ck_assert_int_eq(points_expire_sweep_asset(db, NULL, TU_T0 + 400 * TU_DAY,
	    POINTS_SWEEP_FUTURE, &r),
	    POINTS_OK);
	ck_assert_int_eq(r.points, 105);
	ck_assert_int_eq(tu_available(db, bob, "EXP"), 0);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"), 105);
}
END_TEST

START_TEST(test_highest_type_number_is_read_too)
{
	points_txn t;

	retype(moved.seq, 255);
	tu_invariants(db);
	ck_assert_int_eq(points_txn_get(db, moved.id, &t), POINTS_OK);
	ck_assert_int_eq(t.type, 255);
}
END_TEST

/* ---- What stays corrupt ---- */

static void
expect_corrupt_entry(void)
{
	points_verify_report r;
	points_statement_iterator *it;
	points_entry e;
	points_txn t;

	ck_assert_int_eq(points_verify(db, &r), POINTS_ECORRUPT);
	ck_assert_int_eq(r.bad_seq, moved.seq);
	ck_assert_str_eq(r.message, "entry unreadable");
	ck_assert_int_eq(points_txn_get(db, moved.id, &t), POINTS_ECORRUPT);
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "EXP", 0, 0,
	    POINTS_NEWEST_FIRST, &it), POINTS_OK);
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_ECORRUPT);
	points_statement_iterator_free(it);
	points_close(db);
	db = NULL;
}

START_TEST(test_type_zero_is_corrupt)
{
	retype(moved.seq, 0);
	expect_corrupt_entry();
}
END_TEST

/* A new record layout comes with a newer ledger format (refused at
 * open); a record of another version in this layout's place is
 * unreadable. */
START_TEST(test_newer_record_version_is_corrupt)
{
	rewrite(moved.seq, 0, 3);
	expect_corrupt_entry();
}
END_TEST

/* ---- Extensions (entry.h): version 2 is version 1 and tagged parts ---- */

/* A newer library's extension (tag 9) on a known entry is skipped: the
 * entry verifies, lists and reads as before. */
START_TEST(test_unknown_extension_is_skipped)
{
	static const unsigned char ext[] = { 9, 3, 'a', 'b', 'c' };
	points_entry e[8];
	points_txn t;

	retype(moved.seq, POINTS_TXN_TRANSFER);
	rewrite_tail(moved.seq, 0, 2, ext, sizeof(ext));
	tu_invariants(db);
	ck_assert_int_eq(points_txn_get(db, moved.id, &t), POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_TRANSFER);
	ck_assert_int_eq(t.amount, 30);
	ck_assert_str_eq(t.memo, "from the future");
	ck_assert_int_eq(statement(bob, "EXP", POINTS_OLDEST_FIRST, e, 8), 2);
	ck_assert_int_eq(e[0].amount, 30);
	/* and the ledger goes on: the transfer can be reversed */
	ck_assert_int_eq(tu_reverse(db, moved.id, 0, NULL, NULL, &t),
	    POINTS_OK);
}
END_TEST

START_TEST(test_version_2_without_extensions_is_corrupt)
{
	rewrite(moved.seq, 0, 2);
	expect_corrupt_entry();
}
END_TEST

START_TEST(test_extensions_out_of_order_are_corrupt)
{
	static const unsigned char ext[] = { 5, 1, 'x', 3, 1, 'y' };

	rewrite_tail(moved.seq, 0, 2, ext, sizeof(ext));
	expect_corrupt_entry();
}
END_TEST

START_TEST(test_extension_past_the_record_is_corrupt)
{
	static const unsigned char ext[] = { 5, 4, 'x' };

	rewrite_tail(moved.seq, 0, 2, ext, sizeof(ext));
	expect_corrupt_entry();
}
END_TEST

/* The in-memory side: set in any order, kept ascending, replaced in
 * place; an entry with none encodes as version 1; with some, as
 * version 2 that decodes to the same extensions. */
START_TEST(test_extensions_round_trip)
{
	points_entry_rec e, d;
	points_buf b;
	const void *v;
	size_t n;
	static unsigned char big[POINTS_ENTRY_EXT_MAX];

	points_entry__init(&e, POINTS_TXN_EARN, 1, TU_T0);
	e.from = POINTS_ACCOUNT_ISSUER;
	e.to = alice;
	e.amount = 7;
	points_buf__init(&b);
	ck_assert_int_eq(points_entry__encode(db, &e, &b), POINTS_OK);
	ck_assert_uint_eq(b.data[0], 1);
	ck_assert_int_eq(points_entry__ext_get(&e, 1, &v, &n),
	    POINTS_ENOTFOUND);

	ck_assert_int_eq(points_entry__ext_set(db, &e, 4, "dddd", 4), POINTS_OK);
	ck_assert_int_eq(points_entry__ext_set(db, &e, 1, "a", 1), POINTS_OK);
	ck_assert_int_eq(points_entry__ext_set(db, &e, 2, "bb", 2), POINTS_OK);
	ck_assert_int_eq(points_entry__ext_set(db, &e, 1, "AAA", 3), POINTS_OK);
	ck_assert_uint_eq(e.ext_len, 2 + 3 + 2 + 2 + 2 + 4);
	ck_assert_int_eq(points_entry__ext_get(&e, 1, &v, &n), POINTS_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(memcmp(v, "AAA", 3), 0);
	ck_assert_int_eq(points_entry__ext_get(&e, 3, &v, &n),
	    POINTS_ENOTFOUND);

	ck_assert_int_eq(points_entry__encode(db, &e, &b), POINTS_OK);
	ck_assert_uint_eq(b.data[0], 2);
	points_buf__bytes(&b, e.hash, POINTS_HASH_LEN); /* the stored form */
	points_entry__init(&d, 0, 0, 0);
	ck_assert_int_eq(points_entry__decode(db, 5, b.data, b.len, &d),
	    POINTS_OK);
	ck_assert_uint_eq(d.ext_len, e.ext_len);
	ck_assert_int_eq(memcmp(d.ext, e.ext, e.ext_len), 0);
	ck_assert_int_eq(points_entry__ext_get(&d, 4, &v, &n), POINTS_OK);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(memcmp(v, "dddd", 4), 0);
	ck_assert_int_eq(d.amount, 7);

	/* too much is refused and leaves the entry as it was */
	n = e.ext_len;
	ck_assert_int_eq(points_entry__ext_set(db, &e, 3, big, sizeof(big)),
	    POINTS_ELIMIT);
	ck_assert_uint_eq(e.ext_len, n);
	points_buf__free(&b);
	points_entry__free(&e);
	points_entry__free(&d);
}
END_TEST

/* A newer type must move points generically (entry.h); one that moves
 * them otherwise (here: a hold's, available to held) fails the check,
 * which is why such a type needs a newer ledger format. */
START_TEST(test_unknown_type_that_moves_points_otherwise_fails_verify)
{
	points_posting p = tu_posting("EXP", alice, 10);
	points_verify_report r;
	points_txn t;

	ck_assert_int_eq(points_hold_create(db, &p, &t), POINTS_OK);
	retype(t.seq, 43);
	ck_assert_int_eq(points_verify(db, &r), POINTS_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(r.message, "differs from its entries"));
	points_close(db);
	db = NULL;
}
END_TEST

/* ---- Ledgers written by 0.1.0 ---- */

static int64_t
clock_of(void *ctx)
{
	return *(const int64_t *)ctx;
}

/* Open uri's ledger (i: 1 SQLite from the file, 0 over the store s). */
static points_db *
reopen(int i, const char *uri, points_store *s)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *d = NULL;
	int rc;

	o.clock = clock_of;
	o.clock_ctx = &tu_now;
	rc = i ? points_open(uri, &o, &d) : points_open_store(s, &o, &d);
	ck_assert_msg(rc == POINTS_OK, "open: %s", points_errmsg(d));
	return d;
}

/* A ledger of 0.1.0, where the sink and the expiry account could go
 * negative, is upgraded when opened: both lose the flag, in their
 * records and in their balances, and the ledger is byte for byte the
 * one this library makes; the sink then pays only from what it holds. */
START_TEST(test_0_1_0_sink_and_expiry_lose_allow_negative)
{
	char uri[128];
	points_store *s;
	points_db *d;
	points_account a;
	points_posting p;
	points_txn t;
	char *want, *got;
	size_t wl, gl;
	int64_t id, al;

	tu_now = TU_T0;
	snprintf(uri, sizeof(uri), "%s", _i ? tu_sqlite_uri() : "memory:");
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	d = reopen(0, uri, s);
	ck_assert_int_eq(points_asset_create(d, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	ck_assert_int_eq(points_asset_create(d, "EXP", 0, POINTS_EXPIRE_DAYS,
	    1), POINTS_OK);
	al = tu_account(d, "E1001");
	ck_assert_int_eq(tu_earn(d, al, "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(tu_spend(d, al, "PTS", 40, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(d, al, "EXP", 7, NULL), POINTS_OK);
	tu_now += 3 * TU_DAY;
	{
		points_sweep_report r;

		ck_assert_int_eq(points_expire_sweep(d, tu_now, &r), POINTS_OK);
	}
	ck_assert_int_eq(tu_available(d, POINTS_ACCOUNT_EXPIRY, "EXP"), 7);
	want = tu_dump(d, &wl);
	points_close(d);
	tu_ledger_to_0_1_0(s);
	if (_i) {
		points_store_close(s);
		s = NULL;
	}
	d = reopen(_i, uri, s);
	for (id = POINTS_ACCOUNT_SINK; id <= POINTS_ACCOUNT_EXPIRY; id++) {
		ck_assert_int_eq(points_account_get(d, id, &a), POINTS_OK);
		ck_assert_uint_eq(a.flags, POINTS_ACCOUNT_SYSTEM);
	}
	got = tu_dump(d, &gl);
	ck_assert_msg(gl == wl && memcmp(got, want, wl) == 0,
	    "the upgraded ledger differs from the one this library makes");
	tu_invariants(d); /* the balances' copies of the flags agree */
	p = tu_posting("PTS", al, 41);
	p.counterparty = POINTS_ACCOUNT_SINK;
	ck_assert_int_eq(points_earn(d, &p, &t), POINTS_EINSUFFICIENT);
	p.amount = 40;
	ck_assert_int_eq(points_earn(d, &p, &t), POINTS_OK);
	p = tu_posting("EXP", al, 8);
	p.counterparty = POINTS_ACCOUNT_EXPIRY;
	ck_assert_int_eq(points_earn(d, &p, &t), POINTS_EINSUFFICIENT);
	tu_invariants(d);
	points_close(d);
	if (s)
		points_store_close(s);
	free(want);
	free(got);
	tu_cleanup();
}
END_TEST

/* A 0.1.0 ledger's assets (version-1 records, format 1) read with the
 * default policy, and take a policy once upgraded. */
START_TEST(test_0_1_0_assets_get_policies)
{
	char uri[128];
	points_store *s;
	points_db *d;
	points_asset a;
	points_asset_policy pol = POINTS_ASSET_POLICY_INIT;
	points_lot_iterator *it;
	points_lot l;
	points_posting p;
	points_txn t;
	int64_t al, bo;

	tu_now = TU_T0;
	snprintf(uri, sizeof(uri), "%s", _i ? tu_sqlite_uri() : "memory:");
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	d = reopen(0, uri, s);
	ck_assert_int_eq(points_asset_create(d, "YE", 0,
	    POINTS_EXPIRE_YEAR_END, 0), POINTS_OK);
	al = tu_account(d, "E1001");
	bo = tu_account(d, "E1002");
	ck_assert_int_eq(tu_earn(d, al, "YE", 100, NULL), POINTS_OK);
	points_close(d);
	tu_ledger_to_0_1_0(s);
	if (_i) {
		points_store_close(s);
		s = NULL;
	}
	d = reopen(_i, uri, s);
	ck_assert_int_eq(points_asset_get(d, "YE", &a), POINTS_OK);
	ck_assert_uint_eq(a.flags, 0);
	ck_assert_int_eq(a.transfer_limit, 0);
	ck_assert_int_eq(a.year_end_month, 12);
	ck_assert_int_eq(a.year_end_day, 31);
	pol.flags = POINTS_ASSET_NO_TRANSFER;
	pol.year_end_month = 3;
	ck_assert_int_eq(points_asset_policy_set(d, "YE", &pol), POINTS_OK);
	p = tu_posting("YE", al, 1);
	p.counterparty = bo;
	ck_assert_int_eq(points_transfer(d, &p, &t), POINTS_ESTATE);
	ck_assert_int_eq(tu_earn(d, bo, "YE", 5, NULL), POINTS_OK);
	ck_assert_int_eq(points_lot_iterator_new(d, bo, "YE", INT64_MAX, &it),
	    POINTS_OK);
	ck_assert_int_eq(points_lot_next(it, &l), POINTS_OK);
	/* earned 2024-01-01: the year ends on 31 March 2024 */
	ck_assert_int_eq(l.expires_at, TU_T0 + 91 * TU_DAY - 1);
	points_lot_iterator_free(it);
	tu_invariants(d);
	points_close(d);
	if (s)
		points_store_close(s);
	tu_cleanup();
}
END_TEST

static Suite *
compat_suite(void)
{
	Suite *s = suite_create("compat");
	TCase *tc = tcase_create("newer_types");

	tcase_add_checked_fixture(tc, setup_newer, teardown);
	tcase_add_test(tc, test_unknown_type_verifies);
	tcase_add_test(tc, test_unknown_type_is_listed_generically);
	tcase_add_test(tc, test_unknown_type_is_returned_by_txn_get);
	tcase_add_test(tc, test_unknown_type_cannot_be_reversed);
	tcase_add_test(tc, test_ledger_with_unknown_type_stays_usable);
	tcase_add_test(tc, test_highest_type_number_is_read_too);
	tcase_add_test(tc, test_type_zero_is_corrupt);
	tcase_add_test(tc, test_newer_record_version_is_corrupt);
	tcase_add_test(tc,
	    test_unknown_type_that_moves_points_otherwise_fails_verify);
	suite_add_tcase(s, tc);

	tc = tcase_create("from_0_1_0");
	tcase_add_loop_test(tc, test_0_1_0_sink_and_expiry_lose_allow_negative,
	    0, 2);
	tcase_add_loop_test(tc, test_0_1_0_assets_get_policies, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("extensions");
	tcase_add_checked_fixture(tc, setup_newer, teardown);
	tcase_add_test(tc, test_unknown_extension_is_skipped);
	tcase_add_test(tc, test_version_2_without_extensions_is_corrupt);
	tcase_add_test(tc, test_extensions_out_of_order_are_corrupt);
	tcase_add_test(tc, test_extension_past_the_record_is_corrupt);
	tcase_add_test(tc, test_extensions_round_trip);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(compat_suite());
}
