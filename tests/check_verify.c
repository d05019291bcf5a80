/* check_verify.c - points_verify in chunks: at most POINTS_VERIFY_CHUNK
 * records a read transaction, the same findings at every chunk size,
 * and a consistent answer while another handle commits between chunks
 * (two handles on one SQLite file; a store hook runs the writer before
 * each read transaction of the check). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "ledger/entry.h"
#include "ledger/verify.h"

static points_db *db;

static int64_t
clock_fn(void *ctx)
{
	(void)ctx;
	return tu_now;
}

static points_db *
open_on(points_store *store)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *d = NULL;
	int rc;

	o.clock = clock_fn;
	rc = points_open_store(store, &o, &d);
	ck_assert_msg(rc == POINTS_OK, "open: %s", points_errmsg(d));
	return d;
}

static void
teardown(void)
{
	points_verify__chunk = POINTS_VERIFY_CHUNK;
	tu_cleanup();
}

/* A ledger with every kind of entry: earns in three assets, spends,
 * transfers, holds captured, released and expired, reversals, an
 * expiry sweep, a frozen account. */
static void
scenario(points_db *d, int64_t *acct, int n)
{
	points_posting p;
	points_txn t;
	char ext[16];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(ext, sizeof(ext), "V%03d", i);
		acct[i] = tu_account(d, ext);
	}
	for (i = 0; i < n; i++) {
		tu_now = TU_T0 + (i % 5) * TU_DAY;
		ck_assert_int_eq(tu_earn(d, acct[i], "EXP", 20 + i, NULL),
		    POINTS_OK);
		ck_assert_int_eq(tu_earn(d, acct[i], "PTS", 5, &t), POINTS_OK);
		if (i % 4 == 0)
			ck_assert_int_eq(tu_reverse(d, t.id, 2, "oops",
			    NULL, &t), POINTS_OK);
		if (i % 3 == 0)
			ck_assert_int_eq(tu_earn(d, acct[i], "YE", 300, NULL),
			    POINTS_OK);
	}
	for (i = 0; i + 1 < n; i += 2) {
		p = tu_posting("EXP", acct[i], 7);
		p.counterparty = acct[i + 1];
		ck_assert_int_eq(points_transfer(d, &p, &t), POINTS_OK);
		ck_assert_int_eq(tu_spend(d, acct[i + 1], "EXP", 3, NULL),
		    POINTS_OK);
		p = tu_posting("EXP", acct[i + 1], 4);
		p.expires_at = TU_T0 + 30 * TU_DAY;
		ck_assert_int_eq(points_hold_create(d, &p, &t), POINTS_OK);
		if (i % 4 == 0)
			ck_assert_int_eq(tu_capture(d, t.id, 3, 0,
			    "taken", &t), POINTS_OK);
	}
	ck_assert_int_eq(points_account_freeze(d, acct[n - 1]), POINTS_OK);
	tu_now = TU_T0 + 367 * TU_DAY;
	ck_assert_int_eq(points_expire_sweep(d, tu_now, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(d, acct[0], "EXP", 11, NULL), POINTS_OK);
}

/* ---- Chunks ---- */

START_TEST(test_verify_gives_one_answer_at_every_chunk_size)
{
	static const size_t chunks[] = { 1, 2, 3, 5, POINTS_VERIFY_CHUNK };
	points_verify_report first, rep;
	int64_t acct[20];
	size_t i;

	db = tu_open("memory:");
	scenario(db, acct, 20);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		points_verify__chunk = chunks[i];
		memset(&rep, 0x5a, sizeof(rep));
		ck_assert_msg(points_verify(db, &rep) == POINTS_OK,
		    "chunk %zu: %s", chunks[i], points_errmsg(db));
		if (i == 0)
			first = rep;
		ck_assert_int_eq(rep.entries, first.entries);
		ck_assert_int_eq(rep.balances, first.balances);
		ck_assert_str_eq(rep.message, "ok");
	}
	ck_assert_int_gt(first.entries, 100);
	points_close(db);
	db = NULL;
}
END_TEST

/* With the default chunk: a ledger of 2.5 chunks of entries takes
 * several read transactions, none reading much more than a chunk. */
START_TEST(test_verify_reads_a_chunk_at_a_time)
{
	enum { N = POINTS_VERIFY_CHUNK * 5 / 2, NACC = 300 };
	points_verify_report rep;
	points_store *mem;
	int64_t acct[NACC];
	tu_spy spy;
	int i;

	ck_assert_int_eq(points_store_open("memory:", &mem), POINTS_OK);
	tu_spy_init(&spy, mem);
	db = open_on(&spy.base);
	tu_now = TU_T0;
	ck_assert_int_eq(points_asset_create(db, "EXP", 0, POINTS_EXPIRE_DAYS,
	    365), POINTS_OK);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	for (i = 0; i < NACC; i++) {
		char ext[16];

		snprintf(ext, sizeof(ext), "R%03d", i);
		acct[i] = tu_account(db, ext);
	}
	for (i = 0; i < N; i++) {
		tu_now = TU_T0 + (i % 7) * TU_DAY;
		ck_assert_int_eq(tu_earn(db, acct[i % NACC], "EXP", 1, NULL),
		    POINTS_OK);
	}
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	spy.begins[0] = spy.max_reads = 0;
	ck_assert_int_eq(points_verify(db, &rep), POINTS_OK);
	ck_assert_int_eq(rep.entries, N);
	/* the users' and the issuer's: its own record and, with the log
	 * in partitions, a shard for each (the earns reach all) */
	ck_assert_int_eq(rep.balances, NACC + 1 +
	    (points_entry__partitions_new > 1 ? points_entry__partitions_new :
	    0));
	/* the log's end, 3 chunks of entries, 1 of balances, 1 of
	 * system-account shards (none), 1 of expiry index keys, 5 of time index keys (two an entry), and each of
	 * those may end on a chunk that finds the end; then 3 chunks of
	 * transaction ids and one each for the (empty) holds, hold
	 * deadlines, reversal records and idempotency keys, the accounts
	 * and the external-id index; with the log in partitions, each
	 * partition's entries may end on a chunk of their own */
	ck_assert_int_ge(spy.begins[0], 20);
	ck_assert_int_le(spy.begins[0], 24 +
	    (int)points_entry__partitions_new - 1);
	/* a balance costs a step and two reads (account, index key) */
	ck_assert_int_le(spy.max_reads, 3 * POINTS_VERIFY_CHUNK + 4);
	ck_assert_int_ge(spy.max_reads, POINTS_VERIFY_CHUNK);
	points_close(db);
	db = NULL;
	points_store_close(mem);
}
END_TEST

/* Inside a batch the check reads the batch's own transaction. */
START_TEST(test_verify_inside_a_batch_sees_the_batch)
{
	points_verify_report rep;
	int64_t a;

	points_verify__chunk = 1;
	db = tu_open("memory:");
	a = tu_account(db, "E1001");
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, a, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, a, "EXP", 10, NULL), POINTS_OK);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_OK);
	ck_assert_int_eq(rep.entries, 2);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	tu_invariants(db);
	points_close(db);
	db = NULL;
}
END_TEST

/* ---- A writer between chunks ---- */

/* The writer: another handle on the same file, one write of a rotating
 * kind before each read transaction of the check. */
typedef struct writer {
	points_db *w;
	int64_t acct[24];
	int nacct;
	long step;
	int every;    /* write before every every-th read transaction */
	long made;    /* accounts made */
	char hold[POINTS_ID_LEN + 1];
} writer;

static void
write_one(tu_spy *s, int write)
{
	writer *wr = s->ctx;
	points_db *w = wr->w;
	int64_t a = wr->acct[wr->step % wr->nacct], id;
	points_posting p;
	points_txn t;
	char ext[16];
	long k = wr->step++;
	int rc = POINTS_OK;

	if (write || k % wr->every)
		return;
	tu_now += 60;
	switch (k / wr->every % 10) {
	case 0:
		rc = tu_earn(w, a, "EXP", 3, NULL);
		break;
	case 1:
		rc = tu_spend(w, a, "PTS", 1, NULL);
		break;
	case 2: /* a new account, at the end of the balances */
		snprintf(ext, sizeof(ext), "N%05ld", wr->made++);
		if ((rc = points_account_create(w, ext, NULL, 0, &id)) ==
		    POINTS_OK)
			rc = tu_earn(w, id, "PTS", 4, NULL);
		break;
	case 3: /* a new balance of the first account: behind the scan */
		snprintf(ext, sizeof(ext), "W%ld", wr->made++);
		rc = points_asset_create(w, ext, 0, POINTS_EXPIRE_NEVER, 0);
		if (rc == POINTS_OK)
			rc = tu_earn(w, wr->acct[0], ext, 2, NULL);
		break;
	case 4:
		p = tu_posting("EXP", a, 1);
		p.counterparty = wr->acct[(k + 7) % wr->nacct];
		rc = points_transfer(w, &p, &t);
		break;
	case 5:
		p = tu_posting("PTS", a, 2);
		if ((rc = points_hold_create(w, &p, &t)) == POINTS_OK)
			strcpy(wr->hold, t.id);
		break;
	case 6:
		if (wr->hold[0])
			rc = tu_release(w, wr->hold, NULL, &t);
		wr->hold[0] = '\0';
		break;
	case 7: /* rewrites the balances, no entry */
		rc = points_account_freeze(w, wr->acct[1]);
		if (rc == POINTS_OK)
			rc = points_account_unfreeze(w, wr->acct[1]);
		break;
	case 8: /* moves index keys */
		rc = points_expire_sweep_asset(w, NULL, tu_now + 400 * TU_DAY,
		    POINTS_SWEEP_FUTURE, NULL);
		break;
	case 9:
		rc = tu_earn(w, wr->acct[wr->nacct - 1], "PTS", 1, &t);
		if (rc == POINTS_OK)
			rc = tu_reverse(w, t.id, 0, NULL, NULL, &t);
		break;
	}
	ck_assert_msg(rc == POINTS_OK || rc == POINTS_EINSUFFICIENT ||
	    rc == POINTS_EFROZEN,
	    "writer step %ld: %s", k, points_errmsg(w));
}

/* _i: write before every read transaction, or every 2nd, 3rd */
START_TEST(test_verify_with_a_writer_between_chunks)
{
	static const size_t chunks[] = { 1, 2, 3, POINTS_VERIFY_CHUNK };
	const char *uri = tu_sqlite_uri();
	points_verify_report rep;
	points_store *s;
	writer wr;
	tu_spy spy;
	int64_t start;
	size_t i;

	memset(&wr, 0, sizeof(wr));
	tu_now = TU_T0;
	wr.w = tu_open(uri);
	wr.nacct = 24;
	scenario(wr.w, wr.acct, wr.nacct);
	wr.every = _i + 1;
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	tu_spy_init(&spy, s);
	spy.on_begin = write_one;
	spy.ctx = &wr;
	db = open_on(&spy.base);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		ck_assert_int_eq(points_verify(wr.w, &rep), POINTS_OK);
		start = rep.entries;
		points_verify__chunk = chunks[i];
		wr.step = 0;
		ck_assert_msg(points_verify(db, &rep) == POINTS_OK,
		    "chunk %zu, a write every %d: %s (seq %lld)", chunks[i],
		    wr.every, points_errmsg(db), (long long)rep.bad_seq);
		ck_assert_int_ge(rep.entries, start);
		ck_assert_int_gt(wr.step, 2);
	}
	spy.on_begin = NULL;
	points_verify__chunk = 1;
	tu_invariants(db);
	points_close(db);
	db = NULL;
	points_store_close(s);
	tu_invariants(wr.w);
	points_close(wr.w);
}
END_TEST

/* The writer does not hide damage: an altered balance is found. */
START_TEST(test_verify_with_a_writer_still_finds_an_altered_balance)
{
	const char *uri = tu_sqlite_uri();
	points_verify_report rep;
	points_store *s;
	points_asset_rec a;
	points_balance_rec b;
	writer wr;
	tu_spy spy;
	char needle[64];

	memset(&wr, 0, sizeof(wr));
	tu_now = TU_T0;
	wr.w = tu_open(uri);
	wr.nacct = 24;
	scenario(wr.w, wr.acct, wr.nacct);
	wr.every = 1;
	/* alice, in the middle of the balances: one point more */
	ck_assert_int_eq(points_batch_begin(wr.w), POINTS_OK);
	ck_assert_int_eq(points_asset__find(wr.w, "PTS", &a), POINTS_OK);
	points_balance__init(&b, wr.acct[12], a.id, 0);
	ck_assert_int_eq(points_balance__load(wr.w, &b), POINTS_OK);
	b.available++;
	ck_assert_int_eq(points_balance__store(wr.w, &b, 0), POINTS_OK);
	points_balance__free(&b);
	ck_assert_int_eq(points_batch_commit(wr.w), POINTS_OK);
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	tu_spy_init(&spy, s);
	spy.on_begin = write_one;
	spy.ctx = &wr;
	db = open_on(&spy.base);
	points_verify__chunk = 2;
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
	snprintf(needle, sizeof(needle), "balance of account %lld",
	    (long long)wr.acct[12]);
	ck_assert_msg(strstr(rep.message, needle) != NULL, "%s",
	    rep.message);
	points_close(db);
	db = NULL;
	points_store_close(s);
	points_close(wr.w);
}
END_TEST

/* ---- Damage that only a balance and its neighbours show ---- */

static void
raw_put(points_db *d, const char *ks, const void *k, size_t kl,
    const void *v, size_t vl)
{
	points_store *s = tu_store(d);

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, tu_keyspace(d, ks), k, kl, v, vl),
	    POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

static void
raw_del(points_db *d, const char *ks, const void *k, size_t kl)
{
	points_store *s = tu_store(d);

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->del(s, tu_keyspace(d, ks), k, kl), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

/* Corrupt at every chunk size, with the same report. */
static void
expect_corrupt(const char *needle)
{
	static const size_t chunks[] = { POINTS_VERIFY_CHUNK, 1, 2, 3 };
	points_verify_report rep, first;
	size_t i;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		points_verify__chunk = chunks[i];
		ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
		ck_assert_msg(strstr(rep.message, needle) != NULL,
		    "chunk %zu: '%s' does not mention '%s'", chunks[i],
		    rep.message, needle);
		if (i == 0)
			first = rep;
		ck_assert_str_eq(rep.message, first.message);
		ck_assert_int_eq(rep.bad_seq, first.bad_seq);
	}
	points_verify__chunk = POINTS_VERIFY_CHUNK;
}

static int64_t alice, bob;
static uint32_t exp_id;

static void
setup_index(void)
{
	points_asset_rec a;
	points_store *s;

	tu_now = TU_T0;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 10, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "EXP", 10, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 10, NULL), POINTS_OK);
	s = tu_store(db);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(points_asset__find(db, "EXP", &a), POINTS_OK);
	s->rollback(s);
	exp_id = a.id;
	tu_invariants(db);
}

static void
teardown_index(void)
{
	points_close(db);
	db = NULL;
	teardown();
}

static uint32_t
idx_day(int64_t account)
{
	points_store *s = tu_store(db);
	points_balance_rec b;
	uint32_t day;

	points_balance__init(&b, account, exp_id, 0);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(points_balance__load(db, &b), POINTS_OK);
	s->rollback(s);
	day = b.idx_day;
	points_balance__free(&b);
	ck_assert_uint_gt(day, 0);
	return day;
}

START_TEST(test_missing_expiry_index_key_is_found)
{
	unsigned char k[16];
	char needle[64];

	points_balance__sweep_key(k, idx_day(bob), bob, exp_id);
	raw_del(db, "sweep", k, sizeof(k));
	snprintf(needle, sizeof(needle), "account %lld: its lots are missing",
	    (long long)bob);
	expect_corrupt(needle);
}
END_TEST

START_TEST(test_stray_expiry_index_key_is_found)
{
	unsigned char k[16];
	char needle[64];

	/* a key for alice's PTS balance, which has no expiring lots */
	points_balance__sweep_key(k, idx_day(alice), alice, exp_id + 1);
	raw_put(db, "sweep", k, sizeof(k), "", 0);
	snprintf(needle, sizeof(needle), "key for account %lld",
	    (long long)alice);
	expect_corrupt(needle);
}
END_TEST

START_TEST(test_expiry_index_key_at_the_wrong_day_is_found)
{
	unsigned char k[16];

	/* a second key for bob's balance, a day later: not its key */
	points_balance__sweep_key(k, idx_day(bob) + 1, bob, exp_id);
	raw_put(db, "sweep", k, sizeof(k), "", 0);
	expect_corrupt("expiry index has a key for account");
}
END_TEST

START_TEST(test_balance_status_disagreeing_with_account_is_found)
{
	points_store *s = tu_store(db);
	points_balance_rec b;
	char needle[64];

	points_balance__init(&b, bob, exp_id, 0);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(points_balance__load(db, &b), POINTS_OK);
	b.status = POINTS_ACCOUNT_FROZEN;
	ck_assert_int_eq(points_balance__store(db, &b, 0), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	points_balance__free(&b);
	snprintf(needle, sizeof(needle), "balance of account %lld disagrees",
	    (long long)bob);
	expect_corrupt(needle);
}
END_TEST

/* A balance record of an account with no entries in its asset may
 * hold module data alone (a rule's counters before any award); with
 * any figure besides, it differs from the log.  _i: 0 the data alone,
 * 1..7 available, held, earned, spent, expired, debt or last_seq. */
START_TEST(test_balance_of_module_data_alone_is_checked)
{
	static const unsigned char data[3] = { 1, 2, 3 };
	points_store *s = tu_store(db);
	points_verify_report rep, before;
	points_balance_rec b;
	int64_t carol = tu_account(db, "E1003");
	int rc;
	char needle[96];

	ck_assert_int_eq(points_verify(db, &before), POINTS_OK);
	points_balance__init(&b, carol, exp_id, 0);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	rc = points_balance__load(db, &b);
	ck_assert(rc == POINTS_OK || rc == POINTS_ENOTFOUND);
	ck_assert_int_eq(points_balance__data_set(db, &b, 40, data,
	    sizeof(data)), POINTS_OK);
	switch (_i) {
	case 1: b.available = 5; break;
	case 2: b.held = 5; break;
	case 3: b.earned = 5; break;
	case 4: b.spent = 5; break;
	case 5: b.expired = 5; break;
	case 6: b.debt = 5; break;
	case 7: b.last_seq = 1; break;
	}
	ck_assert_int_eq(points_balance__store(db, &b, 0), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	points_balance__free(&b);
	if (_i == 0) {
		ck_assert_int_eq(points_verify(db, &rep), POINTS_OK);
		ck_assert_int_eq(rep.balances, before.balances + 1);
		return;
	}
	snprintf(needle, sizeof(needle), "balance of account %lld in asset "
	    "#%u differs from its entries", (long long)carol,
	    (unsigned)exp_id);
	expect_corrupt(needle);
}
END_TEST

/* A balance whose newest entry is past the end of the log, in its
 * partition (_i 0) or in a partition the log does not have (_i 1): no
 * write since the chain was checked explains it, so it differs from
 * its entries. */
START_TEST(test_balance_naming_an_entry_past_the_log_is_found)
{
	points_store *s = tu_store(db);
	points_balance_rec b;
	char needle[96];

	points_balance__init(&b, bob, exp_id, 0);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(points_balance__load(db, &b), POINTS_OK);
	b.last_seq = _i ? points_entry__part_first(5) + 1 : b.last_seq + 100;
	ck_assert_int_eq(points_balance__store(db, &b, 0), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	points_balance__free(&b);
	snprintf(needle, sizeof(needle), "balance of account %lld in asset "
	    "#%u differs from its entries", (long long)bob,
	    (unsigned)exp_id);
	expect_corrupt(needle);
}
END_TEST

/* ---- A seek that misses a key ---- */

/* A store whose seeks in the statement index to a key between pred
 * (exclusive) and victim land past victim, and (reverse) whose seeks
 * back from a bound between victim (exclusive) and succ land before
 * victim, as a damaged interior page of SQLite's tree sends them,
 * while a scan from the first key still meets every key. */
typedef struct misdirect {
	tu_spy spy;
	int (*open)(points_store *, points_keyspace *, const void *, size_t,
	    const void *, size_t, int, points_cursor **);
	points_keyspace *ks;
	unsigned char pred[POINTS_ENTRY_TIME_KEY_LEN];
	unsigned char victim[POINTS_ENTRY_TIME_KEY_LEN];
	unsigned char succ[POINTS_ENTRY_TIME_KEY_LEN];
	unsigned char past[POINTS_ENTRY_TIME_KEY_LEN];
	int armed, reverse;
} misdirect;

static int
mis_cursor_open(points_store *st, points_keyspace *ks, const void *lo,
    size_t lolen, const void *hi, size_t hilen, int reverse,
    points_cursor **out)
{
	misdirect *m = (misdirect *)st;
	const size_t n = POINTS_ENTRY_TIME_KEY_LEN;

	if (m->armed && !m->reverse && ks == m->ks && !reverse && lo &&
	    lolen == n && memcmp(lo, m->pred, n) > 0 &&
	    memcmp(lo, m->victim, n) <= 0)
		lo = m->past;
	if (m->armed && m->reverse && ks == m->ks && reverse && hi &&
	    hilen == n && memcmp(hi, m->victim, n) > 0 &&
	    memcmp(hi, m->succ, n) <= 0)
		hi = m->victim;
	return m->open(st, ks, lo, lolen, hi, hilen, reverse, out);
}

/* The entries of an account's statements, in every asset. */
static int
statements(points_db *d, int64_t account, int order)
{
	static const char *const assets[] = { "EXP", "PTS", "YE" };
	points_statement_iterator *it;
	points_entry e;
	int n = 0, rc, a;

	for (a = 0; a < 3; a++) {
		ck_assert_int_eq(points_statement_iterator_new(d, account,
		    assets[a], 0, 0, order, &it), POINTS_OK);
		while ((rc = points_statement_next(it, &e)) == POINTS_OK)
			n++;
		ck_assert_int_eq(rc, POINTS_ITEROVER);
		points_statement_iterator_free(it);
	}
	return n;
}

/* A seek in the statement index that misses the first key of an
 * account's range (or, seeking back, its last) makes its statement
 * skip that entry, though a scan of the whole index meets every key:
 * verify must find it (the damage test, torture/damage.c, met such a
 * file: seed 1078161168).  _i: 1 for seeks back. */
START_TEST(test_a_seek_missing_a_statement_key_is_found)
{
	points_verify_report rep;
	points_store *mem, *st;
	points_cursor *c;
	misdirect m;
	int64_t acct[6], account, time, seq, victim_seq = 0;
	const void *k, *v;
	size_t kl, vl, i;
	uint32_t asset;
	unsigned char prev[POINTS_ENTRY_TIME_KEY_LEN];
	int64_t prev_account = 0, prev_seq = 0;
	int before, order = _i ? POINTS_NEWEST_FIRST : POINTS_OLDEST_FIRST;

	memset(&m, 0, sizeof(m));
	ck_assert_int_eq(points_store_open("memory:", &mem), POINTS_OK);
	tu_spy_init(&m.spy, mem);
	m.open = m.spy.base.cursor_open;
	m.spy.base.cursor_open = mis_cursor_open;
	db = open_on(&m.spy.base);
	tu_now = TU_T0;
	ck_assert_int_eq(points_asset_create(db, "PTS", 0,
	    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "EXP", 0,
	    POINTS_EXPIRE_DAYS, 365), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "YE", 2,
	    POINTS_EXPIRE_YEAR_END, 1), POINTS_OK);
	scenario(db, acct, 6);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_OK);
	before = statements(db, acct[3], order);
	/* the victim: acct[3]'s first key after another account's (or its
	 * last before another's) */
	m.reverse = _i;
	st = tu_store(db);
	m.ks = tu_keyspace(db, "entry_time");
	ck_assert_int_eq(st->begin(st, 0), POINTS_OK);
	ck_assert_int_eq(st->cursor_open(st, m.ks, NULL, 0, NULL, 0, 0, &c),
	    POINTS_OK);
	while (!victim_seq && st->cursor_next(st, c, &k, &kl, &v, &vl) ==
	    POINTS_OK) {
		ck_assert(points_entry__time_key_parse(k, kl, &account, &asset,
		    &time, &seq));
		if (!_i && prev_account && prev_account != acct[3] &&
		    account == acct[3]) {
			memcpy(m.pred, prev, kl);
			memcpy(m.victim, k, kl);
			victim_seq = seq;
		} else if (_i && prev_account == acct[3] &&
		    account != acct[3]) {
			memcpy(m.victim, prev, kl);
			memcpy(m.succ, k, kl);
			victim_seq = prev_seq;
		}
		memcpy(prev, k, kl);
		prev_account = account;
		prev_seq = seq;
	}
	st->cursor_close(st, c);
	st->rollback(st);
	ck_assert_int_gt(victim_seq, 0);
	memcpy(m.past, m.victim, sizeof(m.past));
	for (i = sizeof(m.past); i > 0 && ++m.past[i - 1] == 0; i--)
		;
	m.armed = 1;
	/* the damage is real: acct[3]'s statements miss an entry */
	ck_assert_int_eq(statements(db, acct[3], order), before - 1);
	memset(&rep, 0, sizeof(rep));
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
	ck_assert_msg(strstr(rep.message, "a seek in the statement index "
	    "misses"), "%s", rep.message);
	ck_assert_int_eq(rep.bad_seq, victim_seq);
	points_close(db);
	db = NULL;
	points_store_close(mem);
}
END_TEST

/* ---- Every partition's head ---- */

static unsigned parts_before;

static void
setup_heads(void)
{
	parts_before = points_entry__partitions_new;
}

static void
teardown_heads(void)
{
	points_entry__partitions_new = parts_before;
	teardown();
}

/* A new user account whose entries go to partition p of parts. */
static int64_t
user_of(unsigned p, unsigned parts)
{
	static int n;
	char ext[32];
	int64_t id;

	do {
		snprintf(ext, sizeof(ext), "H%d", ++n);
		id = tu_account(db, ext);
	} while ((uint64_t)id % parts != p);
	return id;
}

/* points_chain_heads_get on a log in 1 and in 4 partitions: the count
 * without an array, the heads in partition order (one, the same as
 * points_chain_head_get's, for one partition), a short array filled
 * only as far as it goes; the heads kept then find partition 2 (or the
 * only one) cut short by its last entry. */
START_TEST(test_chain_heads_of_each_partition)
{
	unsigned parts = _i ? 4 : 1, p;
	points_chain_head heads[5], again[5], one, pad;
	points_verify_report rep;
	int64_t u[4], last = 0;
	points_txn t;
	size_t n;

	points_entry__partitions_new = parts;
	db = tu_open("memory:");
	for (p = 0; p < parts; p++)
		u[p] = user_of(p, parts);
	for (p = 0; p < parts; p++)
		ck_assert_int_eq(tu_earn(db, u[p], "PTS", 10 + p, NULL),
		    POINTS_OK);
	n = 99;
	ck_assert_int_eq(points_chain_heads_get(db, NULL, 0, &n), POINTS_OK);
	ck_assert_uint_eq(n, parts);
	memset(heads, 0x5a, sizeof(heads));
	pad = heads[4];
	n = 0;
	ck_assert_int_eq(points_chain_heads_get(db, heads, 5, &n), POINTS_OK);
	ck_assert_uint_eq(n, parts);
	for (p = 0; p < parts; p++) {
		ck_assert_int_eq(heads[p].partition, p);
		ck_assert_int_eq(heads[p].seq, points_entry__part_first(p));
		ck_assert_uint_eq(strlen(heads[p].hash), POINTS_CHAIN_HASH_HEX);
	}
	/* nothing written past the partitions */
	ck_assert_int_eq(memcmp(&heads[parts], &pad, sizeof(pad)), 0);
	if (parts == 1) {
		ck_assert_int_eq(points_chain_head_get(db, &one), POINTS_OK);
		ck_assert_int_eq(memcmp(&one, &heads[0], sizeof(one)), 0);
	}
	ck_assert_int_eq(points_verify_head(db, heads, n, &rep), POINTS_OK);
	/* a short array: the first cap heads, the whole count */
	memset(again, 0x5a, sizeof(again));
	ck_assert_int_eq(points_chain_heads_get(db, again, 1, &n), POINTS_OK);
	ck_assert_uint_eq(n, parts);
	ck_assert_int_eq(memcmp(&again[0], &heads[0], sizeof(again[0])), 0);
	ck_assert_int_eq(memcmp(&again[1], &pad, sizeof(pad)), 0);
	/* bad arguments: refused with a message, nothing written */
	n = 77;
	ck_assert_int_eq(points_chain_heads_get(db, NULL, 1, &n),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db),
	    "out is required when cap is 1, not 0");
	ck_assert_uint_eq(n, 77);
	ck_assert_int_eq(points_chain_heads_get(db, again, 5, NULL),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "n is required");
	ck_assert_int_eq(points_chain_heads_get(NULL, again, 5, &n),
	    POINTS_EINVAL);
	ck_assert_int_eq(memcmp(&again[1], &pad, sizeof(pad)), 0);
	/* partition 2's last entry, kept in the heads, then gone: a batch
	 * that earns, whose heads are read, rolled back */
	p = parts == 1 ? 0 : 2;
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, u[p], "PTS", 5, &t), POINTS_OK);
	last = t.seq;
	ck_assert_int_eq(points_chain_heads_get(db, again, 5, &n), POINTS_OK);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	ck_assert_int_eq(again[p].seq, last);
	ck_assert_int_eq(again[p].seq, heads[p].seq + 1);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_OK);
	ck_assert_int_eq(points_verify_head(db, again, n, &rep),
	    POINTS_ECORRUPT);
	ck_assert_int_eq(rep.bad_seq, last);
	/* the heads of now still pass */
	ck_assert_int_eq(points_chain_heads_get(db, again, 5, &n), POINTS_OK);
	ck_assert_int_eq(memcmp(again, heads, parts * sizeof(heads[0])), 0);
	ck_assert_int_eq(points_verify_head(db, again, n, &rep), POINTS_OK);
	points_close(db);
	db = NULL;
}
END_TEST

/* Kept heads that cannot be this ledger's are refused before any
 * check, naming the head: a negative partition, and an entry of
 * another partition than the head's; a ledger in partitions has no one
 * head. */
START_TEST(test_kept_heads_that_cannot_be_are_refused)
{
	points_chain_head heads[4], h, one;
	points_verify_report rep;
	int64_t u0, u1;
	size_t n;

	points_entry__partitions_new = 4;
	db = tu_open("memory:");
	u0 = user_of(0, 4);
	u1 = user_of(1, 4);
	ck_assert_int_eq(tu_earn(db, u0, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, u1, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(points_chain_heads_get(db, heads, 4, &n), POINTS_OK);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(points_verify_head(db, heads, n, &rep), POINTS_OK);
	h = heads[1];
	h.partition = -1;
	ck_assert_int_eq(points_verify_head(db, &h, 1, &rep), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "kept head 0: no partition -1");
	/* partition 1's head given partition 0's entry */
	h = heads[1];
	h.seq = heads[0].seq;
	ck_assert_int_eq(points_verify_head(db, heads, 1, &rep), POINTS_OK);
	ck_assert_int_eq(points_verify_head(db, &h, 1, &rep), POINTS_EINVAL);
	snprintf(rep.message, sizeof(rep.message), "kept head 0: entry %lld "
	    "is not in partition 1", (long long)heads[0].seq);
	ck_assert_str_eq(points_errmsg(db), rep.message);
	memset(&one, 0x5a, sizeof(one));
	h = one;
	ck_assert_int_eq(points_chain_head_get(db, &one), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "this ledger's log has 4 "
	    "partitions, each with its own head");
	ck_assert_int_eq(memcmp(&one, &h, sizeof(one)), 0);
	points_close(db);
	db = NULL;
}
END_TEST

static Suite *
verify_suite(void)
{
	Suite *s = suite_create("verify");
	TCase *tc = tcase_create("chunks");
	TCase *tw = tcase_create("writer");
	TCase *ti = tcase_create("index");
	TCase *th = tcase_create("heads");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_verify_gives_one_answer_at_every_chunk_size);
	tcase_add_test(tc, test_verify_reads_a_chunk_at_a_time);
	tcase_add_test(tc, test_verify_inside_a_batch_sees_the_batch);
	tcase_add_loop_test(tc, test_a_seek_missing_a_statement_key_is_found,
	    0, 2);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tw, NULL, teardown);
	/* a read transaction per record, on SQLite, through every
	 * keyspace the check reads, and a write before each: ~45 s for
	 * the four, most of it the first */
	tcase_set_timeout(tw, 300);
	tcase_add_loop_test(tw, test_verify_with_a_writer_between_chunks, 0,
	    3);
	tcase_add_test(tw,
	    test_verify_with_a_writer_still_finds_an_altered_balance);
	suite_add_tcase(s, tw);

	tcase_add_checked_fixture(ti, setup_index, teardown_index);
	tcase_add_test(ti, test_missing_expiry_index_key_is_found);
	tcase_add_test(ti, test_stray_expiry_index_key_is_found);
	tcase_add_test(ti, test_expiry_index_key_at_the_wrong_day_is_found);
	tcase_add_test(ti,
	    test_balance_status_disagreeing_with_account_is_found);
	tcase_add_loop_test(ti, test_balance_of_module_data_alone_is_checked,
	    0, 8);
	tcase_add_loop_test(ti,
	    test_balance_naming_an_entry_past_the_log_is_found, 0, 2);
	suite_add_tcase(s, ti);

	tcase_add_checked_fixture(th, setup_heads, teardown_heads);
	tcase_add_loop_test(th, test_chain_heads_of_each_partition, 0, 2);
	tcase_add_test(th, test_kept_heads_that_cannot_be_are_refused);
	suite_add_tcase(s, th);
	return s;
}

int
main(void)
{
	return tu_run(verify_suite());
}
