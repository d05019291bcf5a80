/* check_partition.c - a log in partitions (ledger/entry.h): each
 * partition numbers its entries from its own first seq and chains them
 * on its own; an account's entries go to its partition; the check walks
 * each chain and refuses an entry in no partition; the heads are one a
 * partition.  Ledgers made here have four partitions
 * (points_entry__partitions_new); the other suites run on one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "ledger/entry.h"
#include "ledger/verify.h"
#include "util/codec.h"

#define PARTS 4

static points_db *db;
static char uri[512];

static void
setup(void)
{
	points_entry__partitions_new = PARTS;
	snprintf(uri, sizeof(uri), "%s", tu_uri("memory:"));
	db = tu_open(uri);
}

static void
teardown(void)
{
	points_close(db);
	db = NULL;
	points_entry__partitions_new = 1;
	tu_cleanup();
}

/* A new user account whose entries go to partition p. */
static int64_t
user_in(points_db *d, unsigned p)
{
	static int n;
	char ext[32];
	int64_t id;

	do {
		snprintf(ext, sizeof(ext), "U%d", ++n);
		id = tu_account(d, ext);
	} while ((uint64_t)id % PARTS != p);
	return id;
}

static int64_t
first_seq(unsigned p)
{
	return points_entry__part_first(p);
}

static void
verify_ok(points_db *d)
{
	points_verify_report rep;
	int rc = points_verify(d, &rep);

	ck_assert_msg(rc == POINTS_OK, "verify: %s", rep.message);
}

/* Every kind of write to accounts of one partition: its entries number
 * from the partition's first seq, one after another, and the ledger
 * verifies; a reopened handle goes on where the log is. */
START_TEST(test_one_partition_numbers_its_entries)
{
	int64_t a = user_in(db, 2), b = user_in(db, 2), expect = first_seq(2);
	points_posting p = tu_posting("PTS", a, 30);
	points_capture c = POINTS_CAPTURE_INIT;
	points_txn t, h;

	ck_assert_int_eq(tu_earn(db, a, "PTS", 100, &t), POINTS_OK);
	ck_assert_int_eq(t.seq, expect++);
	ck_assert_int_eq(tu_spend(db, a, "PTS", 10, &t), POINTS_OK);
	ck_assert_int_eq(t.seq, expect++);
	p.counterparty = b;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(t.seq, expect++);
	ck_assert_int_eq(tu_reverse(db, t.id, 5, NULL, NULL, &t), POINTS_OK);
	ck_assert_int_eq(t.seq, expect++);
	p = tu_posting("PTS", a, 20);
	ck_assert_int_eq(points_hold_create(db, &p, &h), POINTS_OK);
	c.hold_id = h.id;
	c.amount = 15;
	ck_assert_int_eq(points_hold_capture(db, &c, &t), POINTS_OK);
	ck_assert_int_eq(t.seq, expect + 1); /* the hold was expect */
	expect += 3;                         /* and the rest released */
	verify_ok(db);
	ck_assert_int_eq(tu_available(db, a, "PTS"), 100 - 10 - 30 + 5 - 15);
	ck_assert_int_eq(tu_available(db, b, "PTS"), 25);
	if (tu_backend_sqlite()) {
		/* a new handle reads the partition's tail from the log */
		points_close(db);
		db = tu_open_bare(uri);
		ck_assert_int_eq(tu_earn(db, b, "PTS", 1, &t), POINTS_OK);
		ck_assert_int_eq(t.seq, expect);
		verify_ok(db);
	}
}
END_TEST

/* Accounts of different partitions: each partition counts on its own,
 * and its head is its last entry. */
START_TEST(test_partitions_count_apart)
{
	int64_t u[PARTS];
	points_chain_head heads[PARTS + 1], one;
	points_verify_report rep;
	points_txn t;
	size_t n = 0;
	unsigned p;
	int i;

	for (p = 0; p < PARTS; p++)
		u[p] = user_in(db, p);
	/* partition 1 twice, 3 once, 0 and 2 never */
	ck_assert_int_eq(tu_earn(db, u[1], "PTS", 5, &t), POINTS_OK);
	ck_assert_int_eq(t.seq, first_seq(1));
	ck_assert_int_eq(tu_earn(db, u[1], "PTS", 5, &t), POINTS_OK);
	ck_assert_int_eq(t.seq, first_seq(1) + 1);
	ck_assert_int_eq(tu_earn(db, u[3], "PTS", 7, &t), POINTS_OK);
	ck_assert_int_eq(t.seq, first_seq(3));
	verify_ok(db);
	ck_assert_int_eq(points_verify__heads(db, heads, PARTS + 1, &n),
	    POINTS_OK);
	ck_assert_uint_eq(n, PARTS);
	for (p = 0; p < PARTS; p++)
		ck_assert_int_eq(heads[p].partition, p);
	ck_assert_int_eq(heads[0].seq, 0);
	ck_assert_int_eq(heads[1].seq, first_seq(1) + 1);
	ck_assert_int_eq(heads[2].seq, 0);
	ck_assert_int_eq(heads[3].seq, first_seq(3));
	for (i = 0; i < POINTS_CHAIN_HASH_HEX; i++)
		ck_assert_int_eq(heads[0].hash[i], '0');
	ck_assert_int_eq(points_verify_head(db, heads, PARTS, &rep), POINTS_OK);
	/* one head cannot stand for four chains */
	ck_assert_int_eq(points_chain_head_get(db, &one), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "this ledger's log has 4 "
	    "partitions, each with its own head");
	/* a kept head of partition 3 that is not its entry's hash */
	heads[3].hash[0] = heads[3].hash[0] == 'a' ? 'b' : 'a';
	ck_assert_int_eq(points_verify_head(db, heads, PARTS, &rep),
	    POINTS_ECORRUPT);
	ck_assert_int_eq(rep.bad_seq, first_seq(3));
	/* a kept head past its partition's end: truncated */
	heads[3] = heads[1];
	heads[3].partition = 1;
	heads[1].seq++;
	ck_assert_int_eq(points_verify_head(db, heads + 1, 1, &rep),
	    POINTS_ECORRUPT);
	ck_assert_int_eq(rep.bad_seq, first_seq(1) + 2);
}
END_TEST

/* Kept heads must name a partition the ledger has, and an entry of
 * it. */
START_TEST(test_kept_head_partition_checked)
{
	points_chain_head h;
	points_verify_report rep;
	int64_t a = user_in(db, 2);

	ck_assert_int_eq(tu_earn(db, a, "PTS", 5, NULL), POINTS_OK);
	memset(&h, 0, sizeof(h));
	memset(h.hash, '0', POINTS_CHAIN_HASH_HEX);
	h.partition = PARTS;
	ck_assert_int_eq(points_verify_head(db, &h, 1, &rep), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "kept head 0: no partition 4 "
	    "(this ledger's log has 4)");
	h.partition = 1;
	h.seq = first_seq(2);
	memset(h.hash, 'a', POINTS_CHAIN_HASH_HEX);
	ck_assert_int_eq(points_verify_head(db, &h, 1, &rep), POINTS_EINVAL);
	ck_assert_msg(strstr(points_errmsg(db), "is not in partition 1") !=
	    NULL, "%s", points_errmsg(db));
}
END_TEST

/* Put a raw record into the entry log. */
static void
put_entry(points_db *d, int64_t seq, const void *v, size_t vl)
{
	points_store *s = tu_store(d);
	unsigned char k[8];

	points_codec__put_be64(k, (uint64_t)seq);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, tu_keyspace(d, "entry"), k, 8, v, vl),
	    POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

/* An entry beyond the last partition is in no chain the check walks:
 * it is corrupt, not passed over. */
START_TEST(test_entry_in_no_partition_is_corrupt)
{
	unsigned char junk[64];
	points_verify_report rep;
	int64_t a = user_in(db, 1), stray = first_seq(PARTS + 1);

	ck_assert_int_eq(tu_earn(db, a, "PTS", 5, NULL), POINTS_OK);
	memset(junk, 7, sizeof(junk));
	put_entry(db, stray, junk, sizeof(junk));
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
	ck_assert_int_eq(rep.bad_seq, stray);
	ck_assert_msg(strstr(rep.message, "is in no partition of the log") !=
	    NULL, "%s", rep.message);
}
END_TEST

/* A partition whose sequence has run out refuses the append, naming
 * the partition, and writes nothing; the other partitions go on. */
START_TEST(test_full_partition_refuses)
{
	unsigned char junk[64];
	int64_t a = user_in(db, 2), b = user_in(db, 3);

	memset(junk, 7, sizeof(junk));
	put_entry(db, first_seq(3) - 2, junk, sizeof(junk)); /* 2's last */
	tu_snap(db);
	ck_assert_int_eq(tu_earn(db, a, "PTS", 5, NULL), POINTS_ELIMIT);
	ck_assert_msg(strstr(points_errmsg(db), "ledger log partition 2 is "
	    "full") != NULL, "%s", points_errmsg(db));
	tu_unchanged(db);
	tu_snap_free();
	ck_assert_int_eq(tu_earn(db, b, "PTS", 5, NULL), POINTS_OK);
}
END_TEST

/* The stored count is read back: an unreadable one is corrupt, named. */
START_TEST(test_unreadable_partition_count)
{
	points_store *s = tu_store(db);
	int64_t a = user_in(db, 1);

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, tu_keyspace(db, "meta"), "partitions", 10,
	    "\x00", 1), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	/* this handle has made no entry yet: it reads the count now */
	ck_assert_int_eq(tu_earn(db, a, "PTS", 5, NULL), POINTS_ECORRUPT);
	ck_assert_str_eq(points_errmsg(db),
	    "ledger setting 'partitions' unreadable");
}
END_TEST

/* A ledger of one partition stores no count and numbers from 1, as
 * every ledger before partitions did. */
START_TEST(test_one_partition_is_the_old_layout)
{
	points_db *d;
	points_store *s;
	const void *v;
	size_t vl;
	points_txn t;

	points_entry__partitions_new = 1;
	d = tu_open(TU_MEMORY);
	ck_assert_int_eq(tu_earn(d, tu_account(d, "A"), "PTS", 5, &t),
	    POINTS_OK);
	ck_assert_int_eq(t.seq, 1);
	s = tu_store(d);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->get(s, tu_keyspace(d, "meta"), "partitions", 10,
	    &v, &vl), POINTS_ENOTFOUND);
	s->rollback(s);
	points_close(d);
}
END_TEST

/* Out of memory at every allocation of writes and checks of a ledger
 * in partitions (the first allocates the handle's tails): each fails
 * with POINTS_ENOMEM and changes nothing, and then they succeed. */
START_TEST(test_out_of_memory)
{
	int64_t a = user_in(db, 1), b = user_in(db, 3);
	points_verify_report rep;
	points_chain_head heads[PARTS];
	size_t n;
	long i;
	int rc, step;

	for (step = 0; step < 3; step++) {
		for (i = 1;; i++) {
			tu_snap(db);
			tu_alloc_install();
			tu_alloc_fail_at(i);
			rc = step == 0 ? tu_earn(db, a, "PTS", 5, NULL) :
			    step == 1 ? tu_earn(db, b, "PTS", 6, NULL) :
			    points_verify_head(db, heads, PARTS, &rep);
			tu_alloc_uninstall();
			if (rc == POINTS_OK)
				break;
			ck_assert_int_eq(rc, POINTS_ENOMEM);
			tu_unchanged(db);
			tu_snap_free();
		}
		tu_snap_free();
		if (step == 1)
			ck_assert_int_eq(points_verify__heads(db, heads, PARTS,
			    &n), POINTS_OK);
	}
	ck_assert_int_eq(tu_available(db, a, "PTS"), 5);
	ck_assert_int_eq(tu_available(db, b, "PTS"), 6);
}
END_TEST

/* A seeded random walk over accounts of every partition: earns, earns
 * paid by a pool, spends, holds captured to the sink, reversals of
 * spends (the sink pays back from its shard), pool funding, and expiry
 * sweeps (the expiry account's shards), against a model of every
 * balance (users, issuer, sink, expiry account and the pool), compared
 * after each step.  The ledger verifies throughout, and the system
 * accounts' balances are the sums of their records. */
START_TEST(test_random_walk_over_partitions)
{
	enum { USERS = 8, STEPS = 400 };
	int64_t u[USERS], bal[USERS], pool, pool_bal = 0, issuer = 0,
	    sink = 0, expired = 0;
	char spends[STEPS][POINTS_ID_LEN + 1];
	int64_t spend_left[STEPS];
	int spend_epoch[STEPS], epoch = 0, nspend = 0, i, step;
	unsigned seed = 20261206u;
	points_txn t;

	for (i = 0; i < USERS; i++) {
		u[i] = user_in(db, (unsigned)i % PARTS);
		bal[i] = 0;
	}
	ck_assert_int_eq(points_account_create(db, "POOL", "pool",
	    POINTS_ACCOUNT_POOL, &pool), POINTS_OK);
	for (step = 0; step < STEPS; step++) {
		int k = (int)((seed = seed * 1103515245u + 12345u) >> 16) % USERS;
		int op = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 7;
		int64_t amt = (int64_t)((seed = seed * 1103515245u + 12345u)
		    >> 16) % 50 + 1;
		points_posting p = tu_posting("EXP", u[k], amt);
		int rc;

		switch (op) {
		case 0: /* earn from the issuer, expiring in a year */
			ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
			bal[k] += amt;
			issuer -= amt;
			break;
		case 1: /* spend */
			rc = points_spend(db, &p, &t);
			if (bal[k] < amt) {
				ck_assert_int_eq(rc, POINTS_EINSUFFICIENT);
				break;
			}
			ck_assert_int_eq(rc, POINTS_OK);
			bal[k] -= amt;
			sink += amt;
			strcpy(spends[nspend], t.id);
			spend_epoch[nspend] = epoch;
			spend_left[nspend++] = amt;
			break;
		case 2: /* reverse (part of) a spend: the sink pays back */
			if (nspend == 0)
				break;
			i = (int)(amt % nspend);
			if (spend_left[i] == 0)
				break;
			ck_assert_int_eq(tu_reverse(db, spends[i], 1, NULL, NULL,
			    &t), POINTS_OK);
			spend_left[i]--;
			sink -= 1;
			/* the point comes back with its lot's expiry: past
			 * due, when a sweep ran since, it expires at once */
			if (spend_epoch[i] != epoch) {
				expired += 1;
				break;
			}
			for (i = 0; i < USERS; i++)
				if (u[i] == t.to)
					bal[i] += 1;
			break;
		case 3: /* fund the pool from the issuer */
			p.account = pool;
			ck_assert_int_eq(points_pool_fund(db, &p, &t), POINTS_OK);
			pool_bal += amt;
			issuer -= amt;
			break;
		case 4: /* an award paid by the pool */
			p.counterparty = pool;
			rc = points_earn(db, &p, &t);
			if (pool_bal < amt) {
				ck_assert_int_eq(rc, POINTS_EINSUFFICIENT);
				break;
			}
			ck_assert_int_eq(rc, POINTS_OK);
			pool_bal -= amt;
			bal[k] += amt;
			break;
		case 5: /* hold, captured to the sink */
			if (bal[k] < amt)
				break;
			{
				points_capture c = POINTS_CAPTURE_INIT;
				points_txn h;

				ck_assert_int_eq(points_hold_create(db, &p, &h),
				    POINTS_OK);
				c.hold_id = h.id;
				ck_assert_int_eq(points_hold_capture(db, &c, &t),
				    POINTS_OK);
			}
			bal[k] -= amt;
			sink += amt;
			break;
		case 6: /* now and then a year passes: everything expires */
			if (amt != 1)
				break;
			tu_now += 400 * 86400;
			ck_assert_int_eq(points_expire_sweep(db, tu_now, NULL),
			    POINTS_OK);
			for (i = 0; i < USERS; i++) {
				expired += bal[i];
				bal[i] = 0;
			}
			epoch++;
			break;
		}
		for (i = 0; i < USERS; i++)
			ck_assert_msg(tu_available(db, u[i], "EXP") == bal[i],
			    "step %d (op %d, amount %lld): user %d has %lld, "
			    "not %lld", step, op, (long long)amt, i,
			    (long long)tu_available(db, u[i], "EXP"),
			    (long long)bal[i]);
		ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_ISSUER, "EXP"),
		    issuer);
		ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_SINK, "EXP"),
		    sink);
		ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"),
		    expired);
		ck_assert_int_eq(tu_available(db, pool, "EXP"), pool_bal);
		if (step % 50 == 49)
			verify_ok(db);
	}
	verify_ok(db);
}
END_TEST

/* The id of asset PTS. */
static uint32_t
pts_id(points_db *d)
{
	points_asset_rec a;

	ck_assert_int_eq(points_db__read_begin(d), POINTS_OK);
	ck_assert_int_eq(points_asset__find(d, "PTS", &a), POINTS_OK);
	points_db__read_end(d);
	return a.id;
}

/* Put (v non-NULL) or delete a raw record of the shard keyspace. */
static void
shard_edit(points_db *d, int64_t account, unsigned part, const void *v,
    size_t vl)
{
	points_store *st = tu_store(d);
	unsigned char k[POINTS_BALANCE_SHARD_KEY_LEN];
	points_balance__shard_key(account, pts_id(d), part, k);
	ck_assert_int_eq(st->begin(st, 1), POINTS_OK);
	if (v)
		ck_assert_int_eq(st->put(st, tu_keyspace(d, "bal_shard"), k,
		    sizeof(k), v, vl), POINTS_OK);
	else
		ck_assert_int_eq(st->del(st, tu_keyspace(d, "bal_shard"), k,
		    sizeof(k)), POINTS_OK);
	ck_assert_int_eq(st->commit(st), POINTS_OK);
}

/* The raw record of the issuer's shard for partition part. */
static void *
shard_get(points_db *d, unsigned part, size_t *vl)
{
	points_store *st = tu_store(d);
	unsigned char k[POINTS_BALANCE_SHARD_KEY_LEN];
	const void *v;
	void *copy;

	points_balance__shard_key(POINTS_ACCOUNT_ISSUER, pts_id(d), part, k);
	ck_assert_int_eq(st->begin(st, 0), POINTS_OK);
	ck_assert_int_eq(st->get(st, tu_keyspace(d, "bal_shard"), k,
	    sizeof(k), &v, vl), POINTS_OK);
	copy = malloc(*vl);
	memcpy(copy, v, *vl);
	st->rollback(st);
	return copy;
}

/* A system account's shards are checked as its own record is: one
 * altered, one missing, and one that no entry made are each found. */
START_TEST(test_shards_are_verified)
{
	int64_t a = user_in(db, 2), b = user_in(db, 3);
	points_verify_report rep;
	void *s2, *s3;
	size_t l2, l3;

	/* the issuer's home is partition 1: its shards 2 and 3 */
	ck_assert_int_eq(tu_earn(db, a, "PTS", 5, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, b, "PTS", 7, NULL), POINTS_OK);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_ISSUER, "PTS"), -12);
	verify_ok(db);
	s2 = shard_get(db, 2, &l2);
	s3 = shard_get(db, 3, &l3);
	/* shard 2 holding shard 3's record */
	shard_edit(db, POINTS_ACCOUNT_ISSUER, 2, s3, l3);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
	ck_assert_msg(strstr(rep.message, "balance of account 1 ") != NULL,
	    "%s", rep.message);
	/* shard 2 gone */
	shard_edit(db, POINTS_ACCOUNT_ISSUER, 2, NULL, 0);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
	ck_assert_str_eq(rep.message, "balance of account 1 is missing");
	shard_edit(db, POINTS_ACCOUNT_ISSUER, 2, s2, l2);
	verify_ok(db);
	/* a shard of the issuer's home partition, which no entry made */
	shard_edit(db, POINTS_ACCOUNT_ISSUER, 1, s2, l2);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
	shard_edit(db, POINTS_ACCOUNT_ISSUER, 1, NULL, 0);
	verify_ok(db);
	free(s2);
	free(s3);
}
END_TEST

/* A debit of a system account that may not go negative counts all its
 * records: one shard may be below zero, so another's points alone do
 * not say it has enough. */
START_TEST(test_system_debit_counts_every_record)
{
	int64_t x = user_in(db, 0), z = user_in(db, 3);
	points_posting p = tu_posting("PTS", x, 50);
	points_txn t;

	/* the sink's home is partition 2: shards for 0 and 3 */
	ck_assert_int_eq(tu_earn(db, x, "PTS", 50, NULL), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, x, "PTS", 50, NULL), POINTS_OK);
	p = tu_posting("PTS", z, 13);
	p.counterparty = POINTS_ACCOUNT_SINK;
	p.memo = "goodwill";
	ck_assert_int_eq(points_adjust(db, &p, &t), POINTS_OK); /* shard 3: -13 */
	p = tu_posting("PTS", x, 40);
	p.counterparty = POINTS_ACCOUNT_SINK;
	p.memo = "goodwill";
	TU_FAILS(db, points_adjust(db, &p, &t), POINTS_EINSUFFICIENT);
	ck_assert_str_eq(points_errmsg(db), "account system:sink: "
	    "insufficient points: available 37, needs 40");
	tu_snap_free();
	p.amount = 37;
	ck_assert_int_eq(points_adjust(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_SINK, "PTS"), 0);
	verify_ok(db);
}
END_TEST

/* A pool closes only when its records together hold nothing: funded in
 * the issuer's partition and paying an award in another, its own
 * record is empty while a shard holds the points. */
START_TEST(test_pool_closes_at_zero_across_records)
{
	int64_t pool, x = user_in(db, 3);
	points_posting p;
	points_txn t;
	char ext[16];
	int n = 0;

	do { /* a pool whose home is neither the issuer's (1) nor x's (3) */
		snprintf(ext, sizeof(ext), "POOL%d", n++);
		ck_assert_int_eq(points_account_create(db, ext, ext,
		    POINTS_ACCOUNT_POOL, &pool), POINTS_OK);
	} while (pool % PARTS == 1 || pool % PARTS == 3);
	p = tu_posting("PTS", pool, 30);
	ck_assert_int_eq(points_pool_fund(db, &p, &t), POINTS_OK);
	TU_FAILS(db, points_account_close(db, pool), POINTS_ESTATE);
	ck_assert_msg(strstr(points_errmsg(db), "still has points (available "
	    "30, held 0)") != NULL, "%s", points_errmsg(db));
	tu_snap_free();
	p = tu_posting("PTS", x, 30);
	p.counterparty = pool;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK); /* shard 3: -30 */
	ck_assert_int_eq(tu_available(db, pool, "PTS"), 0);
	ck_assert_int_eq(points_account_close(db, pool), POINTS_OK);
	verify_ok(db);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("partition");
	TCase *tc = tcase_create("log");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_one_partition_numbers_its_entries);
	tcase_add_test(tc, test_partitions_count_apart);
	tcase_add_test(tc, test_kept_head_partition_checked);
	tcase_add_test(tc, test_entry_in_no_partition_is_corrupt);
	tcase_add_test(tc, test_full_partition_refuses);
	tcase_add_test(tc, test_unreadable_partition_count);
	tcase_add_test(tc, test_one_partition_is_the_old_layout);
	tcase_add_test(tc, test_out_of_memory);
	tcase_add_test(tc, test_random_walk_over_partitions);
	tcase_add_test(tc, test_shards_are_verified);
	tcase_add_test(tc, test_system_debit_counts_every_record);
	tcase_add_test(tc, test_pool_closes_at_zero_across_records);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(suite());
}
