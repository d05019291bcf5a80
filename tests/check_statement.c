/* check_statement.c - statements through the time index: a window reads
 * only what it holds, in the order of time (then of the ledger) whatever
 * order the times were posted in; a ledger made before the index gets
 * it at open; an index that disagrees with its entries is corrupt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "util/codec.h"
#include "ledger/entry.h"

static points_db *db;
static points_store *inner, *fault;
static int64_t alice, bob;

static int64_t
st_clock(void *ctx)
{
	(void)ctx;
	return tu_now;
}

/* A ledger over the fault store (to count the store's calls) over the
 * backend under test: 0 memory, 1 SQLite. */
static void
open_counted(int sqlite)
{
	points_open_options o;

	tu_now = TU_T0;
	ck_assert_int_eq(points_store_open(sqlite ? tu_sqlite_uri() : "memory:",
	    &inner), POINTS_OK);
	ck_assert_int_eq(points_store_fault_new(inner, &fault), POINTS_OK);
	points_open_options_init(&o, POINTS_OPEN_OPTIONS_VERSION);
	o.clock = st_clock;
	ck_assert_int_eq(points_open_store(fault, &o, &db), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
}

static void
close_counted(void)
{
	if (db) {
		tu_invariants(db);
		points_close(db);
	}
	points_store_close(fault);
	points_store_close(inner);
	db = NULL;
	fault = inner = NULL;
	tu_cleanup();
}

/* The statement of account in PTS over [from, to), in order: the seqs
 * to seqs (at most max), how many. */
static int
seqs_of(int64_t account, int64_t from, int64_t to, int order, int64_t *seqs,
    int max)
{
	points_statement_iterator *it;
	points_entry e;
	int n = 0, rc;

	ck_assert_int_eq(points_statement_iterator_new(db, account, "PTS", from,
	    to, order, &it), POINTS_OK);
	while ((rc = points_statement_next(it, &e)) == POINTS_OK) {
		ck_assert_int_lt(n, max);
		ck_assert_int_eq(e.account, account);
		ck_assert_int_ge(e.time, from);
		ck_assert(to == 0 || e.time < to);
		seqs[n++] = e.seq;
	}
	ck_assert_msg(rc == POINTS_ITEROVER, "%s", points_errmsg(db));
	points_statement_iterator_free(it);
	return n;
}

/* 5,000 earns 60 s apart, then the last hour: 61 entries in each order,
 * in as many store reads as they take (a get each; a cursor for the
 * log's end, two for the index's first and last bucket, and one per
 * bucket the hour spans: at most two), not a walk of the history. */
START_TEST(test_window_reads_only_the_window)
{
	static int64_t seqs[128];
	int64_t end, gets, cursors, i;
	int n;

	open_counted(_i);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	for (i = 0; i < 5000; i++) {
		ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_OK);
		tu_now += 60;
	}
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	end = tu_now;
	for (int order = 0; order < 2; order++) {
		ck_assert_int_eq(points_store_fault_arm(fault, 0, 0), POINTS_OK);
		n = seqs_of(alice, end - 3660, end, order, seqs, 128);
		ck_assert_int_eq(n, 61);
		gets = points_store_fault_method_calls(fault, "get") +
		    points_store_fault_method_calls(fault, "get_many");
		cursors = points_store_fault_method_calls(fault, "cursor_open");
		ck_assert_int_le(gets, 61 + 4);
		ck_assert_int_le(cursors, 1 + 2 + 2);
		for (i = 1; i < n; i++)
			ck_assert_int_eq(seqs[i], seqs[i - 1] +
			    (order == POINTS_OLDEST_FIRST ? 1 : -1));
	}
	close_counted();
}
END_TEST

/* A back-dated posting lists at its time: newest first is latest time
 * first (then latest entry), oldest first the reverse, and a window
 * holds exactly the entries whose time is in it. */
/* A window must be of times not before 0 and not end before it starts
 * (EINVAL, "bad time range"); an empty window [t, t) lists nothing,
 * though an entry was posted at t; [t, t + 1) lists it. */
START_TEST(test_bad_and_empty_windows)
{
	points_statement_iterator *it = NULL;
	int64_t seqs[4], t;
	points_txn x;

	open_counted(_i);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, &x), POINTS_OK);
	t = x.time;
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", -1, 0,
	    POINTS_OLDEST_FIRST, &it), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "bad time range");
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", 0, -1,
	    POINTS_OLDEST_FIRST, &it), POINTS_EINVAL);
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", t,
	    t - 1, POINTS_NEWEST_FIRST, &it), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "bad time range");
	ck_assert_ptr_null(it);
	ck_assert_int_eq(seqs_of(alice, t, t, POINTS_OLDEST_FIRST, seqs, 4),
	    0);
	ck_assert_int_eq(seqs_of(alice, t, t, POINTS_NEWEST_FIRST, seqs, 4),
	    0);
	ck_assert_int_eq(seqs_of(alice, t, t + 1, POINTS_NEWEST_FIRST, seqs,
	    4), 1);
	ck_assert_int_eq(seqs[0], x.seq);
	close_counted();
}
END_TEST

START_TEST(test_back_dated_entries_list_at_their_time)
{
	points_posting p;
	points_txn t1, t2, t3, t4;
	int64_t seqs[8];

	open_counted(_i);
	p = tu_posting("PTS", alice, 5);
	tu_now = TU_T0 + 1000;
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, &t1), POINTS_OK);
	tu_now = TU_T0 + 2000;
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, &t2), POINTS_OK);
	p.time = TU_T0 + 1500; /* between them, posted after both */
	ck_assert_int_eq(points_earn(db, &p, &t3), POINTS_OK);
	p.time = TU_T0 + 2000; /* the same time as t2: ledger order */
	ck_assert_int_eq(points_earn(db, &p, &t4), POINTS_OK);

	ck_assert_int_eq(seqs_of(alice, 0, 0, POINTS_NEWEST_FIRST, seqs, 8), 4);
	ck_assert_int_eq(seqs[0], t4.seq);
	ck_assert_int_eq(seqs[1], t2.seq);
	ck_assert_int_eq(seqs[2], t3.seq);
	ck_assert_int_eq(seqs[3], t1.seq);
	ck_assert_int_eq(seqs_of(alice, 0, 0, POINTS_OLDEST_FIRST, seqs, 8), 4);
	ck_assert_int_eq(seqs[0], t1.seq);
	ck_assert_int_eq(seqs[1], t3.seq);
	ck_assert_int_eq(seqs[2], t2.seq);
	ck_assert_int_eq(seqs[3], t4.seq);
	ck_assert_int_eq(seqs_of(alice, TU_T0 + 1001, TU_T0 + 2000,
	    POINTS_OLDEST_FIRST, seqs, 8), 1);
	ck_assert_int_eq(seqs[0], t3.seq);
	ck_assert_int_eq(seqs_of(alice, TU_T0 + 1000, TU_T0 + 1001,
	    POINTS_NEWEST_FIRST, seqs, 8), 1);
	ck_assert_int_eq(seqs[0], t1.seq);
	ck_assert_int_eq(seqs_of(alice, TU_T0 + 2001, 0,
	    POINTS_NEWEST_FIRST, seqs, 8), 0);
	/* the issuer's statement has them too, and bob's has none */
	ck_assert_int_eq(seqs_of(POINTS_ACCOUNT_ISSUER, 0, 0,
	    POINTS_NEWEST_FIRST, seqs, 8), 4);
	ck_assert_int_eq(seqs_of(bob, 0, 0, POINTS_NEWEST_FIRST, seqs, 8), 0);
	close_counted();
}
END_TEST

/* Random postings at random times (some back-dated, many at equal
 * times) against a model: every window of every account, in both
 * orders, is the model's entries sorted by (time, seq).  Runs 0 and 1
 * keep to a bucket or two of the index (entry.h), 2 and 3 spread over
 * about twenty, with buckets of none of an account's entries between. */
struct ment { int64_t account, time, seq; };

static int
ment_cmp(const void *a, const void *b)
{
	const struct ment *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The seq of the entry in the payee's statement for a transfer at seq:
 * its credit leg when it is two (ledger/entry.h), else seq. */
static int64_t
credit_seq(int64_t seq)
{
	points_entry_rec e;
	int64_t peer, other;
	int role;

	ck_assert_int_eq(points_db__read_begin(db), POINTS_OK);
	points_entry__init(&e, 0, 0, 0);
	ck_assert_int_eq(points_entry__load(db, seq, &e), POINTS_OK);
	if (points_entry__leg(&e, &role, &peer, &other) == POINTS_OK)
		seq = other;
	points_entry__free(&e);
	points_db__read_end(db);
	return seq;
}

START_TEST(test_windows_against_a_model)
{
	enum { N = 400, STEPS = 600 };
	static struct ment m[2 * N * 2];
	int64_t acct[3], got[2 * N * 2], want[2 * N * 2];
	size_t nm = 0;
	unsigned seed = 17u + (unsigned)_i;
	int64_t unit = _i / 2 ? 2000 : 10; /* seconds */
	int step;

	open_counted(_i % 2);
	acct[0] = alice;
	acct[1] = bob;
	acct[2] = tu_account(db, "E1003");
	for (step = 0; step < STEPS; step++) {
		points_posting p;
		points_txn t;
		int a = rand_r(&seed) % 3, b = (a + 1 + rand_r(&seed) % 2) % 3;

		tu_now += rand_r(&seed) % 3 * unit;
		p = tu_posting("PTS", acct[a], 1 + rand_r(&seed) % 5);
		if (rand_r(&seed) % 4 == 0)
			p.time = TU_T0 + rand_r(&seed) % 50 * unit;
		if (rand_r(&seed) % 3 == 0 && tu_available(db, acct[a], "PTS") >=
		    p.amount) {
			p.counterparty = acct[b];
			ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
			m[nm++] = (struct ment){ acct[b], t.time,
			    credit_seq(t.seq) };
		} else {
			ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
		}
		m[nm++] = (struct ment){ acct[a], t.time, t.seq };
		if (step % 50 != 49)
			continue;
		qsort(m, nm, sizeof(m[0]), ment_cmp);
		for (int k = 0; k < 3; k++) {
			int64_t from = TU_T0 + rand_r(&seed) % 60 * unit;
			int64_t to = rand_r(&seed) % 4 ? from + rand_r(&seed) %
			    400 * unit : 0;
			size_t nw = 0, i;
			int n;

			for (i = 0; i < nm; i++)
				if (m[i].account == acct[k] && m[i].time >= from &&
				    (to == 0 || m[i].time < to))
					want[nw++] = m[i].seq;
			n = seqs_of(acct[k], from, to, POINTS_OLDEST_FIRST, got,
			    2 * N * 2);
			ck_assert_int_eq(n, (int)nw);
			for (i = 0; i < nw; i++)
				ck_assert_int_eq(got[i], want[i]);
			n = seqs_of(acct[k], from, to, POINTS_NEWEST_FIRST, got,
			    2 * N * 2);
			ck_assert_int_eq(n, (int)nw);
			for (i = 0; i < nw; i++)
				ck_assert_int_eq(got[i], want[nw - 1 - i]);
		}
	}
	close_counted();
}
END_TEST

/* An iterator lists the entries there were when it was made: those
 * written after it (here: at the same and at later times, more than a
 * chunk of them) are not listed, in either order. */
START_TEST(test_later_entries_are_not_listed)
{
	points_statement_iterator *it[2];
	points_entry e;
	int order, n, rc, i;

	open_counted(_i);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 2, NULL), POINTS_OK);
	for (order = 0; order < 2; order++)
		ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS",
		    0, 0, order, &it[order]), POINTS_OK);
	for (i = 0; i < 100; i++) {
		ck_assert_int_eq(tu_earn(db, alice, "PTS", 3, NULL), POINTS_OK);
		tu_now += i % 2;
	}
	for (order = 0; order < 2; order++) {
		n = 0;
		while ((rc = points_statement_next(it[order], &e)) == POINTS_OK)
			ck_assert_int_eq(e.amount, order ==
			    POINTS_NEWEST_FIRST ? 2 - n++ : 1 + n++);
		ck_assert_int_eq(rc, POINTS_ITEROVER);
		ck_assert_int_eq(n, 2);
		points_statement_iterator_free(it[order]);
	}
	close_counted();
}
END_TEST

/* The same in a ledger whose log is in 4 partitions (entry.h): the
 * issuer's statement (entries in every partition) leaves out an entry
 * written after it was made in a partition before that of its newest
 * entry, whose seq is lower. */
START_TEST(test_later_entries_of_another_partition_are_not_listed)
{
	points_statement_iterator *it;
	points_entry e;
	unsigned parts_before = points_entry__partitions_new;
	int64_t seqs[4];
	points_txn t;
	int n = 0, rc;

	points_entry__partitions_new = 4;
	open_counted(_i);
	points_entry__partitions_new = parts_before;
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 1, &t), POINTS_OK);
	ck_assert_int_eq(points_statement_iterator_new(db,
	    POINTS_ACCOUNT_ISSUER, "PTS", 0, 0, POINTS_OLDEST_FIRST, &it),
	    POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 2, NULL), POINTS_OK);
	while ((rc = points_statement_next(it, &e)) == POINTS_OK) {
		ck_assert_int_lt(n, 4);
		seqs[n++] = e.seq;
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(seqs[0], t.seq);
	points_statement_iterator_free(it);
	/* alice's partition is before bob's: at the same time, hers
	 * lists first */
	ck_assert_int_eq(seqs_of(POINTS_ACCOUNT_ISSUER, 0, 0,
	    POINTS_OLDEST_FIRST, seqs, 4), 2);
	ck_assert_int_lt(seqs[0], t.seq);
	ck_assert_int_eq(seqs[1], t.seq);
	close_counted();
}
END_TEST

/* ---- The index on disk ---- */

static unsigned
ks_flags(const char *ksname)
{
	if (!strcmp(ksname, "entry"))
		return POINTS_KS_INTKEY;
	return strcmp(ksname, "meta") ? POINTS_KS_ORDERED : 0;
}

static void
store_write(points_store *s, const char *ksname, const void *k, size_t kl,
    const void *v, size_t vl, int del)
{
	points_keyspace *ks;

	ck_assert_int_eq(s->keyspace(s, ksname, ks_flags(ksname), &ks),
	    POINTS_OK);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	if (del)
		ck_assert_int_eq(s->del(s, ks, k, kl), POINTS_OK);
	else
		ck_assert_int_eq(s->put(s, ks, k, kl, v, vl), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

/* Every key of keyspace ksname of s, into keys (klen bytes each). */
static size_t
store_keys(points_store *s, const char *ksname, unsigned char *keys,
    size_t klen, size_t max)
{
	points_keyspace *ks;
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl, n = 0;

	ck_assert_int_eq(s->keyspace(s, ksname, ks_flags(ksname), &ks),
	    POINTS_OK);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->cursor_open(s, ks, NULL, 0, NULL, 0, 0, &c),
	    POINTS_OK);
	while (s->cursor_next(s, c, &k, &kl, &v, &vl) == POINTS_OK) {
		ck_assert_uint_eq(kl, klen);
		ck_assert_uint_lt(n, max);
		memcpy(keys + n++ * klen, k, kl);
	}
	s->cursor_close(s, c);
	s->rollback(s);
	return n;
}

/* An SQLite ledger at uri (made here) where alice earns 5 and gives bob
 * 3, 20 times, step seconds apart; closed again. */
static void
fill_ledger(char *uri, size_t cap, int64_t step)
{
	int i;

	snprintf(uri, cap, "%s", tu_sqlite_uri());
	db = tu_open(uri);
	alice = tu_account(db, "E1001");
	/* one entry a transfer: bob in alice's log partition */
	bob = tu_account_near(db, "E1002", alice);
	for (i = 0; i < 20; i++) {
		points_posting p = tu_posting("PTS", alice, 3);
		points_txn t;

		ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_OK);
		p.counterparty = bob;
		ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
		tu_now += step;
	}
	points_close(db);
	db = NULL;
}

/* A ledger of format 1 has no time index: the first open of the new
 * library builds it from the entries, and its statements are whole. */
START_TEST(test_format_1_ledger_gets_the_index)
{
	static unsigned char keys[128 * POINTS_ENTRY_TIME_KEY_LEN];
	char uri[256];
	points_store *s;
	int64_t seqs[64];
	size_t n, i;

	fill_ledger(uri, sizeof(uri), 7);
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	n = store_keys(s, "entry_time", keys, POINTS_ENTRY_TIME_KEY_LEN, 128);
	ck_assert_uint_eq(n, 20 * 2 + 20 * 2);
	for (i = 0; i < n; i++)
		store_write(s, "entry_time", keys + i * POINTS_ENTRY_TIME_KEY_LEN,
		    POINTS_ENTRY_TIME_KEY_LEN, NULL, 0, 1);
	store_write(s, "meta", "module:ledger", 13, "\x01", 1, 0);
	points_store_close(s);

	db = tu_open_bare(uri);
	ck_assert_int_eq(seqs_of(alice, 0, 0, POINTS_NEWEST_FIRST, seqs, 64),
	    40);
	ck_assert_int_eq(seqs_of(bob, 0, 0, POINTS_OLDEST_FIRST, seqs, 64), 20);
	ck_assert_int_eq(seqs_of(POINTS_ACCOUNT_ISSUER, 0, 0,
	    POINTS_OLDEST_FIRST, seqs, 64), 20);
	tu_invariants(db);
	points_close(db);
	db = NULL;
	tu_cleanup();
}
END_TEST

/* A ledger of format 2 has the index with the account first in its
 * keys (balance key | time | seq): the first open of the new library
 * lays it out again, bucket first, and its statements are whole. */
START_TEST(test_format_2_ledger_gets_the_index_again)
{
	static unsigned char keys[128 * POINTS_ENTRY_TIME_KEY_LEN];
	static unsigned char after[128 * POINTS_ENTRY_TIME_KEY_LEN];
	unsigned char old[POINTS_ENTRY_TIME_KEY_LEN];
	char uri[256];
	points_store *s;
	int64_t seqs[64], account, time, seq;
	uint32_t asset;
	size_t n, i;

	fill_ledger(uri, sizeof(uri), 40000); /* over ten buckets */
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	n = store_keys(s, "entry_time", keys, POINTS_ENTRY_TIME_KEY_LEN, 128);
	ck_assert_uint_eq(n, 20 * 2 + 20 * 2);
	for (i = 0; i < n; i++) {
		unsigned char *k = keys + i * POINTS_ENTRY_TIME_KEY_LEN;

		ck_assert(points_entry__time_key_parse(k,
		    POINTS_ENTRY_TIME_KEY_LEN, &account, &asset, &time, &seq));
		store_write(s, "entry_time", k, POINTS_ENTRY_TIME_KEY_LEN,
		    NULL, 0, 1);
		ck_assert(points_balance__key(account, asset, old));
		points_codec__put_be64(old + 8,
		    (uint64_t)time ^ UINT64_C(1) << 63);
		points_codec__put_be64(old + 16, (uint64_t)seq);
		store_write(s, "entry_time", old, sizeof(old), "", 0, 0);
	}
	store_write(s, "meta", "module:ledger", 13, "\x02", 1, 0);
	points_store_close(s);

	db = tu_open_bare(uri);
	ck_assert_int_eq(seqs_of(alice, 0, 0, POINTS_NEWEST_FIRST, seqs, 64),
	    40);
	for (i = 1; i < 40; i++)
		ck_assert_int_lt(seqs[i], seqs[i - 1]);
	ck_assert_int_eq(seqs_of(bob, 0, 0, POINTS_OLDEST_FIRST, seqs, 64), 20);
	ck_assert_int_eq(seqs_of(POINTS_ACCOUNT_ISSUER, 0, 0,
	    POINTS_OLDEST_FIRST, seqs, 64), 20);
	tu_invariants(db);
	points_close(db);
	db = NULL;
	/* the same keys as a new ledger has, and no old one left */
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	ck_assert_uint_eq(store_keys(s, "entry_time", after,
	    POINTS_ENTRY_TIME_KEY_LEN, 128), n);
	ck_assert(memcmp(after, keys, n * POINTS_ENTRY_TIME_KEY_LEN) == 0);
	points_store_close(s);
	tu_cleanup();
}
END_TEST

/* An index key that names an entry of another time, or an entry whose
 * link to the account's previous entry points forward (a loop once
 * followed), is POINTS_ECORRUPT, not a wrong or endless statement. */
static void
expect_statement_corrupt(int64_t account, const char *what)
{
	points_statement_iterator *it;
	points_entry e;
	int rc, order;

	for (order = 0; order < 2; order++) {
		/* found when the statement starts (a key at an edge of the
		 * index, index_edge) or when it meets the key */
		rc = points_statement_iterator_new(db, account, "PTS", 0, 0,
		    order, &it);
		if (rc == POINTS_OK) {
			while ((rc = points_statement_next(it, &e)) ==
			    POINTS_OK)
				;
			points_statement_iterator_free(it);
		}
		ck_assert_int_eq(rc, POINTS_ECORRUPT);
		ck_assert_msg(strstr(points_errmsg(db), what), "%s",
		    points_errmsg(db));
	}
}

/* The last key of the index with a time far ahead (one bit of its
 * bucket flipped, as the damage test met it: seed 31): a statement
 * would seek through every bucket up to it, billions, one by one.  The
 * key is checked against its entry when the statement starts. */
START_TEST(test_index_edge_key_far_off_is_corrupt_at_once)
{
	unsigned char k[POINTS_ENTRY_TIME_KEY_LEN];
	points_statement_iterator *it;
	points_txn t;
	int order;

	tu_now = TU_T0;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, &t), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 6, &t), POINTS_OK);
	points_entry__time_key(k, alice, 1, t.time, t.seq);
	store_write(tu_store(db), "entry_time", k, sizeof(k), NULL, 0, 1);
	points_entry__time_key(k, alice, 1, t.time + (INT64_C(1) << 48),
	    t.seq);
	store_write(tu_store(db), "entry_time", k, sizeof(k), "", 0, 0);
	for (order = 0; order < 2; order++) {
		ck_assert_int_eq(points_statement_iterator_new(db, alice,
		    "PTS", 0, 0, order, &it), POINTS_ECORRUPT);
		ck_assert_ptr_nonnull(strstr(points_errmsg(db),
		    "statement index disagrees with entry"));
	}
	points_close(db);
	db = NULL;
}
END_TEST

START_TEST(test_index_key_of_another_time_is_corrupt)
{
	unsigned char k[POINTS_ENTRY_TIME_KEY_LEN];
	points_txn t;

	tu_now = TU_T0;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, &t), POINTS_OK);
	points_entry__time_key(k, alice, 1, t.time + 1, t.seq);
	store_write(tu_store(db), "entry_time", k, sizeof(k), "", 0, 0);
	expect_statement_corrupt(alice, "statement index disagrees");
	points_close(db);
	db = NULL;
}
END_TEST

START_TEST(test_forward_link_is_corrupt_not_a_loop)
{
	unsigned char k[8], buf[4096];
	const void *v;
	size_t vl;
	points_entry_rec e;
	points_buf b;
	points_store *s;
	points_txn t1, t2;

	tu_now = TU_T0;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, &t1), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, &t2), POINTS_OK);
	/* entry t1 now links alice's previous entry to t2 (after it) */
	s = tu_store(db);
	points_codec__put_be64(k, (uint64_t)t1.seq);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->get(s, tu_keyspace(db, "entry"), k, 8, &v, &vl),
	    POINTS_OK);
	memcpy(buf, v, vl);
	s->rollback(s);
	points_entry__init(&e, 0, 0, 0);
	ck_assert_int_eq(points_entry__decode(db, t1.seq, buf, vl, &e),
	    POINTS_OK);
	e.prev_to = t2.seq;
	points_buf__init(&b);
	ck_assert_int_eq(points_entry__encode(db, &e, &b), POINTS_OK);
	points_buf__bytes(&b, e.hash, POINTS_HASH_LEN);
	store_write(s, "entry", k, 8, b.data, b.len, 0);
	points_buf__free(&b);
	points_entry__free(&e);
	expect_statement_corrupt(alice, "points forward");
	points_close(db);
	db = NULL;
}
END_TEST

/* points_verify compares the index with the entries: a key removed, one
 * added, or one moved to another time is reported. */
START_TEST(test_verify_checks_the_index)
{
	static unsigned char keys[16 * POINTS_ENTRY_TIME_KEY_LEN];
	unsigned char k[POINTS_ENTRY_TIME_KEY_LEN];
	points_verify_report r;
	points_txn t;
	size_t n;

	tu_now = TU_T0;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, &t), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, &t), POINTS_OK);
	n = store_keys(tu_store(db), "entry_time", keys, sizeof(k), 16);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(points_verify(db, &r), POINTS_OK);
	memcpy(k, keys, sizeof(k));
	switch (_i) {
	case 0: /* removed */
		store_write(tu_store(db), "entry_time", k, sizeof(k), NULL, 0, 1);
		break;
	case 1: /* one more, for an entry that exists */
		points_entry__time_key(k, bob = tu_account(db, "E1002"), 1,
		    t.time, t.seq);
		store_write(tu_store(db), "entry_time", k, sizeof(k), "", 0, 0);
		break;
	default: /* moved to another time */
		store_write(tu_store(db), "entry_time", k, sizeof(k), NULL, 0, 1);
		k[15] ^= 1;
		store_write(tu_store(db), "entry_time", k, sizeof(k), "", 0, 0);
		break;
	}
	ck_assert_int_eq(points_verify(db, &r), POINTS_ECORRUPT);
	ck_assert_msg(strstr(r.message, "statement index differs"), "%s",
	    r.message);
	points_close(db);
	db = NULL;
}
END_TEST

static Suite *
statement_suite(void)
{
	Suite *s = suite_create("statement");
	TCase *tc = tcase_create("window");

	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_window_reads_only_the_window, 0, 2);
	tcase_add_loop_test(tc, test_bad_and_empty_windows, 0, 2);
	tcase_add_loop_test(tc, test_back_dated_entries_list_at_their_time, 0,
	    2);
	tcase_add_loop_test(tc, test_windows_against_a_model, 0, 4);
	tcase_add_loop_test(tc, test_later_entries_are_not_listed, 0, 2);
	tcase_add_loop_test(tc,
	    test_later_entries_of_another_partition_are_not_listed, 0, 2);
	suite_add_tcase(s, tc);
	tc = tcase_create("index");
	tcase_add_test(tc, test_format_1_ledger_gets_the_index);
	tcase_add_test(tc, test_format_2_ledger_gets_the_index_again);
	tcase_add_test(tc, test_index_key_of_another_time_is_corrupt);
	tcase_add_test(tc, test_index_edge_key_far_off_is_corrupt_at_once);
	tcase_add_test(tc, test_forward_link_is_corrupt_not_a_loop);
	tcase_add_loop_test(tc, test_verify_checks_the_index, 0, 3);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(statement_suite());
}
