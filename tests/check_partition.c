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

/* The same, the ledger made in the layout of format 4: a system
 * account's own record holds its home partition's entries. */
static void
setup_home(void)
{
	points_entry__system_home_new = 1;
	setup();
}

static void
teardown(void)
{
	points_close(db);
	db = NULL;
	points_entry__partitions_new = 1;
	points_entry__system_home_new = 0;
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

/* The clearing account of the legs. */
static int64_t
transit_id(points_db *d)
{
	points_account a;

	ck_assert_int_eq(points_account_find(d, "system:transit", &a),
	    POINTS_OK);
	ck_assert_uint_eq(a.flags, POINTS_ACCOUNT_SYSTEM |
	    POINTS_ACCOUNT_ALLOW_NEGATIVE);
	return a.id;
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
	/* no partitions, a layout of no meaning, a byte past the layout */
	static const char *const bad[] = { "\x00", "\x04\x02",
	    "\x04\x01\x00" };
	static const size_t len[] = { 1, 2, 3 };
	points_store *s = tu_store(db);
	int64_t a = user_in(db, 1);
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
		ck_assert_int_eq(s->put(s, tu_keyspace(db, "meta"),
		    "partitions", 10, bad[i], len[i]), POINTS_OK);
		ck_assert_int_eq(s->commit(s), POINTS_OK);
		/* this handle has made no entry yet: it reads the count now */
		ck_assert_int_eq(tu_earn(db, a, "PTS", 5, NULL),
		    POINTS_ECORRUPT);
		ck_assert_str_eq(points_errmsg(db),
		    "ledger setting 'partitions' unreadable");
	}
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
	points_posting p = tu_posting("PTS", a, 2);
	points_txn t, x;
	size_t n;
	long i;
	int rc, step;

	p.counterparty = b;
	for (step = 0; step < 5; step++) {
		for (i = 1;; i++) {
			tu_snap(db);
			tu_alloc_install();
			tu_alloc_fail_at(i);
			/* earns, a transfer in two legs and its reversal */
			rc = step == 0 ? tu_earn(db, a, "PTS", 5, NULL) :
			    step == 1 ? tu_earn(db, b, "PTS", 6, NULL) :
			    step == 2 ? points_transfer(db, &p, &x) :
			    step == 3 ? tu_reverse(db, x.id, 1, NULL, NULL, &t) :
			    points_verify_head(db, heads, PARTS, &rep);
			tu_alloc_uninstall();
			if (rc == POINTS_OK)
				break;
			ck_assert_int_eq(rc, POINTS_ENOMEM);
			tu_unchanged(db);
			tu_snap_free();
		}
		tu_snap_free();
		if (step == 3)
			ck_assert_int_eq(points_verify__heads(db, heads, PARTS,
			    &n), POINTS_OK);
	}
	ck_assert_int_eq(tu_available(db, a, "PTS"), 5 - 2 + 1);
	ck_assert_int_eq(tu_available(db, b, "PTS"), 6 + 2 - 1);
}
END_TEST

/* A seeded random walk over accounts of every partition: earns, earns
 * paid by a pool, spends, holds captured to the sink, reversals of
 * spends (the sink pays back from its shard), pool funding, expiry
 * sweeps (the expiry account's shards), transfers and captures between
 * users (two legs when their partitions differ) and reversals of those
 * transfers, against a model of every balance (users, issuer, sink,
 * expiry account, the pool, and the clearing account at zero), compared
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
	char xfers[STEPS][POINTS_ID_LEN + 1];
	int xfer_from[STEPS], xfer_to[STEPS], xfer_epoch[STEPS], nxfer = 0;
	int64_t xfer_left[STEPS], tr = transit_id(db);
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
		int op = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 10;
		int64_t amt = (int64_t)((seed = seed * 1103515245u + 12345u)
		    >> 16) % 50 + 1;
		int k2 = (k + 1 + (int)(amt % (USERS - 1))) % USERS;
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
		case 7: /* transfer to another user */
			p.counterparty = u[k2];
			rc = points_transfer(db, &p, &t);
			if (bal[k] < amt) {
				ck_assert_int_eq(rc, POINTS_EINSUFFICIENT);
				break;
			}
			ck_assert_int_eq(rc, POINTS_OK);
			bal[k] -= amt;
			bal[k2] += amt;
			strcpy(xfers[nxfer], t.id);
			xfer_from[nxfer] = k;
			xfer_to[nxfer] = k2;
			xfer_epoch[nxfer] = epoch;
			xfer_left[nxfer++] = amt;
			break;
		case 8: /* a point of a transfer of this year back, no debt */
			if (nxfer == 0)
				break;
			i = (int)(amt % nxfer);
			if (xfer_left[i] == 0 || xfer_epoch[i] != epoch)
				break;
			{
				points_reversal r = POINTS_REVERSAL_INIT;

				r.txn_id = xfers[i];
				r.amount = 1;
				r.flags = POINTS_REVERSE_NO_DEBT;
				rc = points_reverse(db, &r, &t);
			}
			if (bal[xfer_to[i]] < 1) {
				ck_assert_int_eq(rc, POINTS_EINSUFFICIENT);
				break;
			}
			ck_assert_int_eq(rc, POINTS_OK);
			xfer_left[i]--;
			bal[xfer_to[i]] -= 1;
			bal[xfer_from[i]] += 1;
			break;
		case 9: /* hold, captured to another user */
			if (bal[k] < amt)
				break;
			{
				points_txn h;

				ck_assert_int_eq(points_hold_create(db, &p, &h),
				    POINTS_OK);
				ck_assert_int_eq(tu_capture(db, h.id, 0, u[k2],
				    NULL, &t), POINTS_OK);
			}
			bal[k] -= amt;
			bal[k2] += amt;
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
		ck_assert_int_eq(tu_available(db, tr, "EXP"), 0);
		if (step % 50 == 49)
			verify_ok(db);
	}
	verify_ok(db);
}
END_TEST

/* The leg extension of the entry at seq. */
static int
leg_of(points_db *d, int64_t seq, points_entry_rec *e, int64_t *peer,
    int64_t *other)
{
	int role = 0;

	ck_assert_int_eq(points_db__read_begin(d), POINTS_OK);
	points_entry__init(e, 0, 0, 0);
	ck_assert_int_eq(points_entry__load(d, seq, e), POINTS_OK);
	points_db__read_end(d);
	ck_assert_int_eq(points_entry__leg(e, &role, peer, other), POINTS_OK);
	return role;
}

/* The counterparty of account's newest entry in asset PTS. */
static int64_t
newest_counterparty(points_db *d, int64_t account)
{
	points_statement_iterator *it;
	points_entry en;

	ck_assert_int_eq(points_statement_iterator_new(d, account, "PTS", 0,
	    0, POINTS_NEWEST_FIRST, &it), POINTS_OK);
	ck_assert_int_eq(points_statement_next(it, &en), POINTS_OK);
	points_statement_iterator_free(it);
	return en.counterparty;
}

/* A transfer between users of two partitions is two legs through
 * system:transit, one in each partition, naming each other; it reads
 * back as one transfer, reverses in part and in whole (the reversal two
 * legs the other way), moves debt on the right side, and leaves
 * transit at zero. */
START_TEST(test_transfer_between_partitions_is_two_legs)
{
	int64_t a = user_in(db, 1), b = user_in(db, 3), tr = transit_id(db);
	int64_t peer, other, dseq;
	points_posting p = tu_posting("PTS", a, 30);
	points_entry_rec e;
	points_txn t, g, r;

	ck_assert_int_eq(tr, 4); /* after the three built-in ones */
	ck_assert_int_eq(tu_earn(db, a, "PTS", 100, &t), POINTS_OK);
	p.counterparty = b;
	p.memo = "gift";
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(t.from, a);
	ck_assert_int_eq(t.to, b);
	ck_assert_int_eq(t.amount, 30);
	dseq = t.seq;
	ck_assert_int_eq(dseq, first_seq(1) + 1);
	/* the debit leg in a's partition, the credit leg in b's */
	ck_assert_int_eq(leg_of(db, dseq, &e, &peer, &other),
	    POINTS_ENTRY_LEG_DEBIT);
	ck_assert_int_eq(e.from, a);
	ck_assert_int_eq(e.to, tr);
	ck_assert_int_eq(peer, b);
	ck_assert_int_eq(other, first_seq(3));
	ck_assert_uint_eq(e.out_lots.n, 1);
	ck_assert_uint_eq(e.in_lots.n, 0);
	points_entry__free(&e);
	ck_assert_int_eq(leg_of(db, other, &e, &peer, &other),
	    POINTS_ENTRY_LEG_CREDIT);
	ck_assert_int_eq(e.from, tr);
	ck_assert_int_eq(e.to, b);
	ck_assert_int_eq(peer, a);
	ck_assert_int_eq(other, dseq);
	ck_assert_str_eq(e.memo, "gift");
	ck_assert_uint_eq(e.in_lots.n, 1);
	points_entry__free(&e);
	/* read back by id: the transfer, not a leg */
	ck_assert_int_eq(points_txn_get(db, t.id, &g), POINTS_OK);
	ck_assert_int_eq(g.from, a);
	ck_assert_int_eq(g.to, b);
	ck_assert_int_eq(g.seq, dseq);
	ck_assert_int_eq(newest_counterparty(db, a), b);
	ck_assert_int_eq(newest_counterparty(db, b), a);
	ck_assert_int_eq(tu_available(db, a, "PTS"), 70);
	ck_assert_int_eq(tu_available(db, b, "PTS"), 30);
	ck_assert_int_eq(tu_available(db, tr, "PTS"), 0);
	verify_ok(db);
	/* a part back: two legs from b to a */
	ck_assert_int_eq(tu_reverse(db, t.id, 10, NULL, NULL, &r), POINTS_OK);
	ck_assert_int_eq(r.from, b);
	ck_assert_int_eq(r.to, a);
	ck_assert_int_eq(points_entry__seq_partition(r.seq), 3);
	ck_assert_int_eq(leg_of(db, r.seq, &e, &peer, &other),
	    POINTS_ENTRY_LEG_DEBIT);
	ck_assert_int_eq(e.ref_seq, dseq);
	points_entry__free(&e);
	verify_ok(db);
	/* b spends most of it: the rest back leaves b owing */
	ck_assert_int_eq(tu_spend(db, b, "PTS", 15, NULL), POINTS_OK);
	ck_assert_int_eq(tu_reverse(db, t.id, 0, NULL, NULL, &r), POINTS_OK);
	ck_assert_int_eq(r.debt, 15);
	ck_assert_int_eq(tu_available(db, a, "PTS"), 100);
	ck_assert_int_eq(tu_available(db, b, "PTS"), 0);
	ck_assert_int_eq(tu_reverse(db, t.id, 0, NULL, NULL, &r),
	    POINTS_ESTATE);
	verify_ok(db);
	/* a transfer to b repays b's debt first (its credit leg) */
	p.memo = NULL;
	p.amount = 20;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(t.repaid, 15);
	ck_assert_int_eq(tu_available(db, b, "PTS"), 5);
	ck_assert_int_eq(tu_available(db, a, "PTS"), 80);
	ck_assert_int_eq(tu_available(db, tr, "PTS"), 0);
	verify_ok(db);
}
END_TEST

/* A hold captured to a user of another partition is two legs too; the
 * capture's lots leave the hold and reach the payee, and a reversal of
 * the capture returns them. */
START_TEST(test_capture_across_partitions)
{
	int64_t a = user_in(db, 0), b = user_in(db, 2), tr = transit_id(db);
	points_posting p = tu_posting("PTS", a, 40);
	points_txn h, t, r;

	ck_assert_int_eq(tu_earn(db, a, "PTS", 50, &t), POINTS_OK);
	ck_assert_int_eq(points_hold_create(db, &p, &h), POINTS_OK);
	ck_assert_int_eq(tu_capture(db, h.id, 25, b, "bid", &t), POINTS_OK);
	ck_assert_int_eq(t.from, a);
	ck_assert_int_eq(t.to, b);
	ck_assert_int_eq(points_entry__seq_partition(t.seq), 0);
	ck_assert_int_eq(tu_available(db, a, "PTS"), 25); /* 15 released */
	ck_assert_int_eq(tu_available(db, b, "PTS"), 25);
	ck_assert_int_eq(tu_available(db, tr, "PTS"), 0);
	verify_ok(db);
	ck_assert_int_eq(tu_reverse(db, t.id, 0, NULL, NULL, &r), POINTS_OK);
	ck_assert_int_eq(tu_available(db, a, "PTS"), 50);
	ck_assert_int_eq(tu_available(db, b, "PTS"), 0);
	verify_ok(db);
}
END_TEST

/* Points past due on both sides of a transfer between partitions
 * expire first, each to the expiry account's record of its own
 * partition. */
START_TEST(test_transfer_between_partitions_expires_both_sides)
{
	int64_t a = user_in(db, 1), b = user_in(db, 2), t0 = tu_now;
	points_posting p = tu_posting("EXP", a, 50);
	points_txn t;

	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	p.account = b;
	p.amount = 40;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	tu_now = t0 + 200 * 86400;
	p.account = a;
	p.amount = 30;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	tu_now = t0 + 400 * 86400; /* the first two are past due */
	p.amount = 20;
	p.counterparty = b;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(tu_available(db, a, "EXP"), 10);
	ck_assert_int_eq(tu_available(db, b, "EXP"), 20);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"), 90);
	ck_assert_int_eq(tu_available(db, transit_id(db), "EXP"), 0);
	verify_ok(db);
}
END_TEST

/* Rewrite the entry at seq, the last of its partition, with edit
 * applied, and chain it again: only a kept head would tell; what the
 * legs' check finds is what this edit left wrong. */
static void
relink_last(points_db *d, int64_t seq, void (*edit)(points_entry_rec *))
{
	points_entry_rec e;
	points_buf b;
	unsigned char prev[POINTS_HASH_LEN] = { 0 }, hash[POINTS_HASH_LEN];
	unsigned char k[8];
	const void *v;
	size_t vl;

	ck_assert_int_eq(points_db__write_begin(d), POINTS_OK);
	points_entry__init(&e, 0, 0, 0);
	ck_assert_int_eq(points_entry__load(d, seq, &e), POINTS_OK);
	if (seq != first_seq(points_entry__seq_partition(seq))) {
		points_codec__put_be64(k, (uint64_t)seq - 1);
		ck_assert_int_eq(points_db__get(d, &points_entry__ks, k, 8, &v,
		    &vl), POINTS_OK);
		memcpy(prev, (const unsigned char *)v + vl - POINTS_HASH_LEN,
		    POINTS_HASH_LEN);
	}
	edit(&e);
	points_buf__init(&b);
	ck_assert_int_eq(points_entry__encode(d, &e, &b), POINTS_OK);
	ck_assert_int_eq(points_entry__hash(d, prev, seq, b.data, b.len,
	    hash), POINTS_OK);
	points_buf__bytes(&b, hash, POINTS_HASH_LEN);
	points_codec__put_be64(k, (uint64_t)seq);
	ck_assert_int_eq(points_db__put(d, &points_entry__ks, k, 8, b.data,
	    b.len), POINTS_OK);
	points_buf__free(&b);
	points_entry__free(&e);
	ck_assert_int_eq(points_db__write_end(d, POINTS_OK), POINTS_OK);
}

static void
edit_memo(points_entry_rec *e)
{
	strcpy(e->memo, "forged");
}

static void
edit_memo_back(points_entry_rec *e)
{
	strcpy(e->memo, "thanks");
}

static int64_t forged_peer, forged_other;

static void
edit_peer(points_entry_rec *e)
{
	unsigned char v[32];
	points_buf b;

	points_buf__init(&b);
	points_buf__u8(&b, POINTS_ENTRY_LEG_DEBIT);
	points_buf__uvar(&b, (uint64_t)forged_peer);
	points_buf__uvar(&b, (uint64_t)forged_other);
	memcpy(v, b.data, b.len);
	ck_assert_int_eq(points_entry__ext_set(db, e, POINTS_ENTRY_EXT_LEG, v,
	    b.len), POINTS_OK);
	points_buf__free(&b);
}

/* The check of the legs: a credit leg whose memo differs from its debit
 * leg's, and a debit leg that names another user and leg, each chained
 * again as an attacker with the file would, are found. */
START_TEST(test_legs_are_verified)
{
	int64_t a = user_in(db, 1), b = user_in(db, 3), c = user_in(db, 3);
	points_posting p = tu_posting("PTS", a, 30);
	points_verify_report rep;
	points_entry_rec e;
	int64_t peer, other;
	points_txn t;

	ck_assert_int_eq(tu_earn(db, a, "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, c, "PTS", 1, NULL), POINTS_OK);
	p.counterparty = b;
	p.memo = "thanks";
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	verify_ok(db);
	ck_assert_int_eq(leg_of(db, t.seq, &e, &peer, &other),
	    POINTS_ENTRY_LEG_DEBIT);
	points_entry__free(&e);
	relink_last(db, other, edit_memo);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(rep.message, "another movement"));
	relink_last(db, other, edit_memo_back);
	verify_ok(db);
	forged_peer = c;
	forged_other = other;
	relink_last(db, t.seq, edit_peer);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
	ck_assert_int_eq(rep.bad_seq, t.seq);
	ck_assert_msg(strstr(rep.message, "does not name it back") != NULL,
	    "%s", rep.message);
}
END_TEST

/* An earn reads the tail of the partition it appends to with its other
 * reads: an earn to bob after one to alice (another partition) reads
 * no more than one to bob after one to bob; with the guess of the last
 * append's partition it read that tail too, for nothing. */
START_TEST(test_earn_probes_its_own_partition_tail)
{
	points_open_options o;
	points_store *mem;
	points_db *d = NULL;
	tu_spy spy;
	int64_t a, b;
	long after_other, after_same;

	ck_assert_int_eq(points_store_open("memory:", &mem), POINTS_OK);
	tu_spy_init(&spy, mem);
	ck_assert_int_eq(points_open_options_init(&o,
	    POINTS_OPEN_OPTIONS_VERSION), POINTS_OK);
	o.partitions = 4;
	ck_assert_int_eq(points_open_store(&spy.base, &o, &d), POINTS_OK);
	ck_assert_int_eq(points_asset_create(d, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	a = tu_account(d, "alice");
	b = tu_account(d, "bob");
	ck_assert_int_ne(a % 4, b % 4);
	ck_assert_int_eq(tu_earn(d, a, "PTS", 5, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(d, b, "PTS", 5, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(d, a, "PTS", 5, NULL), POINTS_OK);
	after_other = spy.reads;
	ck_assert_int_eq(tu_earn(d, b, "PTS", 5, NULL), POINTS_OK);
	after_other = spy.reads - after_other;
	after_same = spy.reads;
	ck_assert_int_eq(tu_earn(d, b, "PTS", 5, NULL), POINTS_OK);
	after_same = spy.reads - after_same;
	ck_assert_int_eq(after_other, after_same);
	ck_assert_int_eq(tu_available(d, b, "PTS"), 15);
	points_close(d);
	points_store_close(mem);
}
END_TEST

/* The partitions of d's ledger. */
static unsigned
parts_of(points_db *d)
{
	unsigned n = 0;

	ck_assert_int_eq(points_db__read_begin(d), POINTS_OK);
	ck_assert_int_eq(points_entry__partitions(d, &n), POINTS_OK);
	points_db__read_end(d);
	return n;
}

static int
open_parts(const char *u, unsigned version, unsigned parts, points_db **d)
{
	points_open_options o;

	ck_assert_int_eq(points_open_options_init(&o, version), POINTS_OK);
	o.partitions = parts; /* beyond version 2's fields: ignored there */
	return points_open(u, &o, d);
}

/* The open option: a new ledger gets the partitions it asks for (the
 * store's default when none: 1 here), kept for good; an open that asks
 * for another count than the ledger's, or more than the most, is
 * refused and changes nothing; version 2 of the options knows none. */
START_TEST(test_open_option_sets_partitions)
{
	char u[512];
	points_db *d;

	points_entry__partitions_new = 0; /* the store's default */
	ck_assert_int_eq(open_parts("memory:", POINTS_OPEN_OPTIONS_VERSION, 3,
	    &d), POINTS_OK);
	ck_assert_uint_eq(parts_of(d), 3);
	transit_id(d);
	points_close(d);
	ck_assert_int_eq(open_parts("memory:", POINTS_OPEN_OPTIONS_VERSION, 0,
	    &d), POINTS_OK);
	ck_assert_uint_eq(parts_of(d), 1);
	points_close(d);
	ck_assert_int_eq(open_parts("memory:", 2, 7, &d), POINTS_OK);
	ck_assert_uint_eq(parts_of(d), 1);
	points_close(d);
	ck_assert_int_eq(open_parts("memory:", POINTS_OPEN_OPTIONS_VERSION,
	    POINTS_PARTITIONS_MAX + 1, &d), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(d), "partitions 1025 out of range (1 "
	    "to 1024, or 0: the store's default)");
	points_close(d);
	if (!tu_backend_sqlite())
		return;
	snprintf(u, sizeof(u), "%s", tu_sqlite_uri());
	ck_assert_int_eq(open_parts(u, POINTS_OPEN_OPTIONS_VERSION, 2, &d),
	    POINTS_OK);
	points_close(d);
	ck_assert_int_eq(open_parts(u, POINTS_OPEN_OPTIONS_VERSION, 5, &d),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(d), "partitions 5 conflicts with the "
	    "ledger's log, made in 2 partitions: open with that count or 0 "
	    "(the ledger's)");
	points_close(d);
	ck_assert_int_eq(open_parts(u, POINTS_OPEN_OPTIONS_VERSION, 2, &d),
	    POINTS_OK);
	ck_assert_uint_eq(parts_of(d), 2);
	points_close(d);
	ck_assert_int_eq(open_parts(u, 2, 0, &d), POINTS_OK);
	ck_assert_uint_eq(parts_of(d), 2);
	points_close(d);
	/* a ledger of one partition stores no count: it is 1 */
	snprintf(u, sizeof(u), "%s", tu_sqlite_uri());
	ck_assert_int_eq(open_parts(u, POINTS_OPEN_OPTIONS_VERSION, 1, &d),
	    POINTS_OK);
	points_close(d);
	ck_assert_int_eq(open_parts(u, POINTS_OPEN_OPTIONS_VERSION, 4, &d),
	    POINTS_EINVAL);
	points_close(d);
	ck_assert_int_eq(open_parts(u, POINTS_OPEN_OPTIONS_VERSION, 1, &d),
	    POINTS_OK);
	ck_assert_uint_eq(parts_of(d), 1);
	points_close(d);
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

/* What record shard (0: the own one, p + 1: the shard for p) of
 * account in PTS holds available; *found 0 (and 0) when it is none. */
static int64_t
record_avail(points_db *d, int64_t account, unsigned shard, int *found)
{
	points_store *st = tu_store(d);
	uint32_t asset = pts_id(d);
	unsigned char k[POINTS_BALANCE_SHARD_KEY_LEN];
	points_balance_rec b;
	const void *v;
	size_t vl;
	int64_t avail = 0;
	int rc;

	if (shard)
		points_balance__shard_key(account, asset, shard - 1, k);
	else
		ck_assert(points_balance__key(account, asset, k));
	ck_assert_int_eq(st->begin(st, 0), POINTS_OK);
	rc = st->get(st, tu_keyspace(d, shard ? "bal_shard" : "bal"), k,
	    shard ? sizeof(k) : 8, &v, &vl);
	*found = rc == POINTS_OK;
	if (rc == POINTS_OK) {
		points_balance__init(&b, account, asset, 1);
		ck_assert_int_eq(points_balance__decode(d, v, vl, &b, 0),
		    POINTS_OK);
		avail = b.available;
		points_balance__free(&b);
	} else {
		ck_assert_int_eq(rc, POINTS_ENOTFOUND);
	}
	st->rollback(st);
	return avail;
}

/* A ledger made since format 5 keeps the issuer's entries of its home
 * partition (1) in its shard for it, its own record moving with none:
 * no record is written by the entries of two partitions.  One made in
 * format 4's layout keeps them in the own record.  Each keeps its
 * layout when a library that makes new ledgers the other way writes
 * to it, and verify finds those entries moved to the other record. */
START_TEST(test_system_home_entries_layout)
{
	int home = points_entry__system_home_new, found;
	unsigned here = home ? 0 : 2, there = home ? 2 : 0;
	points_store *mem;
	points_db *d, *d2;
	points_verify_report rep;
	int64_t a;
	unsigned char v[512];
	size_t vl;

	ck_assert_int_eq(points_store_open("memory:", &mem), POINTS_OK);
	ck_assert_int_eq(points_open_store(mem, NULL, &d), POINTS_OK);
	ck_assert_int_eq(points_asset_create(d, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	a = user_in(d, POINTS_ACCOUNT_ISSUER % PARTS);
	ck_assert_int_eq(tu_earn(d, a, "PTS", 5, NULL), POINTS_OK);
	ck_assert_int_eq(record_avail(d, POINTS_ACCOUNT_ISSUER, here, &found),
	    -5);
	ck_assert(found);
	ck_assert_int_eq(record_avail(d, POINTS_ACCOUNT_ISSUER, there,
	    &found), 0);
	/* the own record: made at zero with the shard, in the new layout */
	ck_assert(home ? !found : found);
	verify_ok(d);
	points_close(d);
	/* written by a library whose new ledgers are made the other way */
	points_entry__system_home_new = !home;
	ck_assert_int_eq(points_open_store(mem, NULL, &d2), POINTS_OK);
	points_entry__system_home_new = home;
	ck_assert_int_eq(tu_earn(d2, a, "PTS", 3, NULL), POINTS_OK);
	ck_assert_int_eq(tu_spend(d2, a, "PTS", 1, NULL), POINTS_OK);
	ck_assert_int_eq(record_avail(d2, POINTS_ACCOUNT_ISSUER, here,
	    &found), -8);
	ck_assert_int_eq(record_avail(d2, POINTS_ACCOUNT_ISSUER, there,
	    &found), 0);
	ck_assert_int_eq(tu_available(d2, POINTS_ACCOUNT_ISSUER, "PTS"), -8);
	verify_ok(d2);
	/* the entries' record put in the other's place: found */
	if (!home) {
		unsigned char k[POINTS_BALANCE_SHARD_KEY_LEN];

		points_balance__shard_key(POINTS_ACCOUNT_ISSUER, pts_id(d2),
		    POINTS_ACCOUNT_ISSUER % PARTS, k);
		vl = tu_raw_get(d2, "bal_shard", k, sizeof(k), v, sizeof(v));
		ck_assert(points_balance__key(POINTS_ACCOUNT_ISSUER,
		    pts_id(d2), k));
		tu_raw_put(d2, "bal", k, 8, v, vl);
		shard_edit(d2, POINTS_ACCOUNT_ISSUER,
		    POINTS_ACCOUNT_ISSUER % PARTS, NULL, 0);
	} else {
		ck_assert(points_balance__key(POINTS_ACCOUNT_ISSUER,
		    pts_id(d2), v + 256));
		vl = tu_raw_get(d2, "bal", v + 256, 8, v, 256);
		shard_edit(d2, POINTS_ACCOUNT_ISSUER,
		    POINTS_ACCOUNT_ISSUER % PARTS, v, vl);
	}
	ck_assert_int_eq(points_verify(d2, &rep), POINTS_ECORRUPT);
	ck_assert_msg(strstr(rep.message, "balance of account 1 ") != NULL,
	    "%s", rep.message);
	points_close(d2);
	points_store_close(mem);
}
END_TEST

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

/* The issuer's lifetime spent points are its records' sum: at P=1 one
 * record stops the issue at INT64_MAX, and so do its shards together
 * (each alone far from it). */
START_TEST(test_issuer_counters_overflow_as_a_sum)
{
	int64_t x = user_in(db, 0), z = user_in(db, 3);
	points_posting p = tu_posting("PTS", z, INT64_MAX - 100);
	points_txn t;

	ck_assert_int_eq(tu_earn(db, x, "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	p.amount = 1;
	TU_FAILS(db, points_earn(db, &p, &t), POINTS_EOVERFLOW);
	ck_assert_str_eq(points_errmsg(db), "account system:issuer: its "
	    "lifetime spent points would overflow");
	tu_snap_free();
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_ISSUER, "PTS"),
	    -INT64_MAX);
	verify_ok(db);
}
END_TEST

/* The reads of one earn to u and then of one spend of u's. */
static void
earn_spend_reads(points_db *d, tu_spy *spy, int64_t u, long *earn,
    long *spend)
{
	points_posting p = tu_posting("PTS", u, 1);
	points_txn t;

	*earn = spy->reads;
	ck_assert_int_eq(points_earn(d, &p, &t), POINTS_OK);
	*earn = spy->reads - *earn;
	*spend = spy->reads;
	ck_assert_int_eq(points_spend(d, &p, &t), POINTS_OK);
	*spend = spy->reads - *spend;
}

/* An earn debits the issuer's record of its partition and a spend
 * credits the sink's without reading the accounts' other records: each
 * stays far within its share of int64 (balance.h, wide), so the sum of
 * them fits.  With the issuer and the sink in every partition an earn
 * and a spend read what they read with them in one. */
START_TEST(test_system_writes_read_no_other_record)
{
	points_open_options o;
	points_store *mem;
	points_db *d = NULL;
	tu_spy spy;
	int64_t u[PARTS];
	long earn1, spend1, earn4, spend4;
	unsigned i;

	ck_assert_int_eq(points_store_open("memory:", &mem), POINTS_OK);
	tu_spy_init(&spy, mem);
	ck_assert_int_eq(points_open_options_init(&o,
	    POINTS_OPEN_OPTIONS_VERSION), POINTS_OK);
	o.partitions = PARTS;
	ck_assert_int_eq(points_open_store(&spy.base, &o, &d), POINTS_OK);
	ck_assert_int_eq(points_asset_create(d, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	for (i = 0; i < PARTS; i++)
		u[i] = user_in(d, i);
	/* partition 0 holds neither's own record: each writes its shard
	 * (the first of each makes its own record, which reads it once) */
	ck_assert_int_eq(tu_earn(d, u[0], "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(tu_spend(d, u[0], "PTS", 1, NULL), POINTS_OK);
	earn_spend_reads(d, &spy, u[0], &earn1, &spend1);
	for (i = 1; i < PARTS; i++) {
		ck_assert_int_eq(tu_earn(d, u[i], "PTS", 10, NULL), POINTS_OK);
		ck_assert_int_eq(tu_spend(d, u[i], "PTS", 5, NULL), POINTS_OK);
	}
	earn_spend_reads(d, &spy, u[0], &earn4, &spend4);
	ck_assert_int_eq(earn4, earn1);
	ck_assert_int_eq(spend4, spend1);
	ck_assert_int_eq(tu_available(d, POINTS_ACCOUNT_ISSUER, "PTS"),
	    -(102 + 10 * (PARTS - 1)));
	ck_assert_int_eq(tu_available(d, POINTS_ACCOUNT_SINK, "PTS"),
	    3 + 5 * (PARTS - 1));
	verify_ok(d);
	points_close(d);
	points_store_close(mem);
}
END_TEST

/* Once one record of the issuer holds more than its share, its own
 * record is marked and a write to any other record reads them all: z's
 * earn takes the issuer's record of z's partition past its share, and
 * then one point to x (another partition, whose record stays tiny)
 * would take the sum past int64.  Without the mark x's earn passed, and
 * the issuer's balance no longer read. */
START_TEST(test_wide_record_makes_every_write_sum)
{
	int64_t x = user_in(db, 0), z = user_in(db, 3);
	points_posting p = tu_posting("PTS", z, INT64_MAX - 100);
	points_txn t;

	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, x, "PTS", 100, NULL), POINTS_OK);
	p.account = x;
	p.amount = 1;
	TU_FAILS(db, points_earn(db, &p, &t), POINTS_EOVERFLOW);
	ck_assert_str_eq(points_errmsg(db), "account system:issuer: its "
	    "lifetime spent points would overflow");
	tu_snap_free();
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_ISSUER, "PTS"),
	    -INT64_MAX);
	verify_ok(db);
}
END_TEST

/* Set or clear the mark wide in account's own record of PTS. */
static void
set_wide(points_db *d, int64_t account, int wide)
{
	points_balance_rec b;

	ck_assert_int_eq(points_db__write_begin(d), POINTS_OK);
	points_balance__init(&b, account, pts_id(d),
	    account == POINTS_ACCOUNT_ISSUER);
	ck_assert_int_eq(points_balance__load(d, &b), POINTS_OK);
	b.wide = wide;
	ck_assert_int_eq(points_balance__store(d, &b, 0), POINTS_OK);
	points_balance__free(&b);
	ck_assert_int_eq(points_db__write_end(d, POINTS_OK), POINTS_OK);
}

/* The mark is checked: the issuer's own record without it, while a
 * record of its holds more than its share, is found by points_verify,
 * and so is the mark on a user's record. */
START_TEST(test_wide_mark_is_verified)
{
	int64_t z = user_in(db, 3), x = user_in(db, 0), h = user_in(db, 1);
	points_verify_report rep;

	/* the issuer's own record (partition 1) as an earn makes it */
	ck_assert_int_eq(tu_earn(db, h, "PTS", 5, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, z, "PTS", INT64_MAX / 2, NULL),
	    POINTS_OK);
	verify_ok(db);
	set_wide(db, POINTS_ACCOUNT_ISSUER, 0);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
	ck_assert_msg(strstr(rep.message, "not marked wide") != NULL, "%s",
	    rep.message);
	set_wide(db, POINTS_ACCOUNT_ISSUER, 1);
	verify_ok(db);
	ck_assert_int_eq(tu_earn(db, x, "PTS", 5, NULL), POINTS_OK);
	set_wide(db, x, 1);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
	ck_assert_msg(strstr(rep.message, "is marked wide") != NULL, "%s",
	    rep.message);
}
END_TEST

/* A sweep that takes the expiry account's record of a partition past
 * its share marks the account, as a posting does: x's and y's lots
 * expire in one sweep (the expiry account's records of partitions 0
 * and 3, its own), and a write-off of one point then counts every
 * record.  Unmarked, points_verify found the record past its share. */
START_TEST(test_sweep_marks_wide)
{
	int64_t x = user_in(db, 0), y = user_in(db, 3);
	points_posting p = tu_posting("EXP", POINTS_ACCOUNT_EXPIRY, -1);
	points_txn t;

	ck_assert_int_eq(tu_earn(db, y, "EXP", 3, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, x, "EXP", INT64_MAX / 2, NULL),
	    POINTS_OK);
	tu_now += 366 * 86400;
	ck_assert_int_eq(points_expire_sweep(db, tu_now, NULL), POINTS_OK);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"),
	    INT64_MAX / 2 + 3);
	verify_ok(db);
	p.memo = "write-off";
	ck_assert_int_eq(points_adjust(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"),
	    INT64_MAX / 2 + 2);
	verify_ok(db);
}
END_TEST

/* Expiry at its moment marks the expiry account as the sweep does: an
 * earn to x after x's lots ended expires them in that write, past the
 * share of the expiry account's record of x's partition.  Unmarked,
 * points_verify found it. */
START_TEST(test_expiry_at_its_moment_marks_wide)
{
	int64_t x = user_in(db, 0);

	ck_assert_int_eq(tu_earn(db, x, "EXP", INT64_MAX / 2, NULL),
	    POINTS_OK);
	tu_now += 366 * 86400;
	ck_assert_int_eq(tu_earn(db, x, "EXP", 1, NULL), POINTS_OK);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"),
	    INT64_MAX / 2);
	ck_assert_int_eq(tu_available(db, x, "EXP"), 1);
	verify_ok(db);
}
END_TEST

/* Once marked, the expiry account's records are summed before an
 * expiry adds to one: x's and y's lots (y's paid by a fund, so that the
 * issuer's lifetime counters do not bound them) would take the sum past
 * int64 in one sweep, which fails as with one partition.  Without the
 * sum the sweep passed and the expiry account's balance no longer
 * read. */
START_TEST(test_expiry_past_int64_over_records_fails)
{
	int64_t x = user_in(db, 0), y = user_in(db, 3), fund, before;
	points_posting q = tu_posting("EXP", y, INT64_MAX / 2 + 1);
	points_txn t;

	ck_assert_int_eq(points_account_create(db, "FUND2", NULL,
	    POINTS_ACCOUNT_SYSTEM | POINTS_ACCOUNT_ALLOW_NEGATIVE, &fund),
	    POINTS_OK);
	ck_assert_int_eq(tu_earn(db, x, "EXP", INT64_MAX / 2 + 1, NULL),
	    POINTS_OK);
	q.counterparty = fund;
	ck_assert_int_eq(points_earn(db, &q, &t), POINTS_OK);
	tu_now += 366 * 86400;
	TU_FAILS(db, points_expire_sweep(db, tu_now, NULL), POINTS_EOVERFLOW);
	ck_assert_str_eq(points_errmsg(db), "the expiry account's balance "
	    "would overflow");
	tu_snap_free();
	before = tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP");
	ck_assert(before == 0 || before == INT64_MAX / 2 + 1);
	verify_ok(db);
}
END_TEST

/* A credit past its share does the same: the sink's record of x's
 * partition takes x's spend of most of int64 and marks the sink; then
 * y's spend in another partition is summed, and one that would take the
 * sink past int64 is refused. */
START_TEST(test_sink_credit_past_share_sums)
{
	int64_t x = user_in(db, 0), y = user_in(db, 3), fund;
	points_posting q = tu_posting("PTS", y, 200);
	points_txn t;

	ck_assert_int_eq(points_account_create(db, "FUND3", NULL,
	    POINTS_ACCOUNT_SYSTEM | POINTS_ACCOUNT_ALLOW_NEGATIVE, &fund),
	    POINTS_OK);
	ck_assert_int_eq(tu_earn(db, x, "PTS", INT64_MAX - 100, NULL),
	    POINTS_OK);
	q.counterparty = fund;
	ck_assert_int_eq(points_earn(db, &q, &t), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, x, "PTS", INT64_MAX - 100, NULL),
	    POINTS_OK);
	ck_assert_int_eq(tu_spend(db, y, "PTS", 100, NULL), POINTS_OK);
	TU_FAILS(db, tu_spend(db, y, "PTS", 1, NULL), POINTS_EOVERFLOW);
	tu_snap_free();
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_SINK, "PTS"),
	    INT64_MAX);
	verify_ok(db);
}
END_TEST

/* A mark on a shard, or in a ledger of one partition, is found. */
START_TEST(test_wide_mark_out_of_place_is_verified)
{
	int64_t z = user_in(db, 3);
	points_verify_report rep;
	points_balance_rec b;
	void *v;
	size_t vl;

	ck_assert_int_eq(tu_earn(db, z, "PTS", 5, NULL), POINTS_OK);
	v = shard_get(db, 3, &vl);
	ck_assert_int_eq(points_db__read_begin(db), POINTS_OK);
	points_balance__init(&b, POINTS_ACCOUNT_ISSUER, pts_id(db), 1);
	ck_assert_int_eq(points_balance__decode(db, v, vl, &b, 1), POINTS_OK);
	points_db__read_end(db);
	/* the flags varint after the version byte: one byte, 0x0c | 3 */
	ck_assert_uint_eq(((unsigned char *)v)[1] & 0x80, 0);
	points_balance__free(&b);
	{
		/* the issuer's flags (3) with the mark (0x8000), << 2 */
		unsigned char w[512];
		uint32_t f = (0x8000u | 3u) << 2;

		ck_assert_uint_lt(vl + 2, sizeof(w));
		w[0] = ((unsigned char *)v)[0];
		w[1] = (unsigned char)(0x80 | (f & 0x7f));
		w[2] = (unsigned char)(0x80 | ((f >> 7) & 0x7f));
		w[3] = (unsigned char)(f >> 14);
		memcpy(w + 4, (unsigned char *)v + 2, vl - 2);
		shard_edit(db, POINTS_ACCOUNT_ISSUER, 3, w, vl + 2);
	}
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
	ck_assert_msg(strstr(rep.message, "is marked wide") != NULL, "%s",
	    rep.message);
	shard_edit(db, POINTS_ACCOUNT_ISSUER, 3, v, vl);
	verify_ok(db);
	free(v);
}
END_TEST

/* A system account's records may pass int64 between them, as long as
 * their sum does not: the expiry account's shard for 0 takes INT64_MAX
 * expired points, its own record (home 3) pays them back to the issuer,
 * its shard for 1 takes 5 more; what its own record's rest is (the
 * shards: INT64_MAX + 5) does not fit, the whole does. */
START_TEST(test_system_records_may_pass_int64_between_them)
{
	int64_t x = user_in(db, 0), y = user_in(db, 1), fund;
	points_posting p = tu_posting("EXP", POINTS_ACCOUNT_EXPIRY,
	    -INT64_MAX), q = tu_posting("EXP", y, 5);
	points_txn t;

	ck_assert_int_eq(tu_earn(db, x, "EXP", INT64_MAX, NULL), POINTS_OK);
	tu_now += 366 * 86400;
	ck_assert_int_eq(points_expire_sweep(db, tu_now, NULL), POINTS_OK);
	p.memo = "write-off";
	ck_assert_int_eq(points_adjust(db, &p, &t), POINTS_OK);
	/* the issuer's lifetime spent points are full: a fund pays y */
	ck_assert_int_eq(points_account_create(db, "FUND", NULL,
	    POINTS_ACCOUNT_SYSTEM | POINTS_ACCOUNT_ALLOW_NEGATIVE, &fund),
	    POINTS_OK);
	q.counterparty = fund;
	ck_assert_int_eq(points_earn(db, &q, &t), POINTS_OK);
	tu_now += 366 * 86400;
	ck_assert_int_eq(points_expire_sweep(db, tu_now, NULL), POINTS_OK);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"), 5);
	verify_ok(db);
	tu_invariants(db);
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

/* system:transit needs no mark (README, design notes): a transfer of
 * half of int64 between partitions takes its record of the payer's past
 * its share and that of the payee's as far below, their sum staying 0,
 * and the ledger verifies.  points_verify once reported the record as
 * unmarked (found by test_random_walk_past_shares). */
START_TEST(test_transit_past_its_share_verifies)
{
	int64_t x = user_in(db, 0), y = user_in(db, 1);
	points_posting p = tu_posting("PTS", x, INT64_MAX / 2);
	points_txn t;

	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	p.counterparty = y;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(tu_available(db, y, "PTS"), INT64_MAX / 2);
	ck_assert_int_eq(tu_available(db, transit_id(db), "PTS"), 0);
	verify_ok(db);
}
END_TEST

/* A seeded random walk with amounts up to half of int64, past the
 * records' shares (INT64_MAX / 4 here): earns paid by the issuer or
 * by two funds, spends, transfers (two legs through system:transit
 * between partitions), and reversals of earns and spends, against a
 * model that holds each system account's record of each partition
 * (its available, earned and spent) and each user's.  A write is
 * refused exactly when a record's figure, or a system account's sum
 * over its records, would pass int64, or a user lacks the points;
 * refused, the ledger is unchanged.  After every step every account's
 * available, earned and spent are the model's, and the ledger
 * verifies every 20 steps: a record past its share is marked. */
enum { W_USERS = 6, W_ISSUER = W_USERS, W_SINK, W_FUND0, W_FUND1,
    W_TRANSIT, W_ACCTS };
enum { W_AVAIL, W_EARNED, W_SPENT, W_FIGS };

struct walk_model {
	int64_t id[W_ACCTS];
	/* a user's figures are in [0] (its one record); a system
	 * account's in the record of each partition */
	int64_t fig[W_ACCTS][PARTS][W_FIGS];
};

static int
walk_system(int a)
{
	return a >= W_ISSUER;
}

static unsigned
walk_part(const struct walk_model *m, int a)
{
	return (unsigned)((uint64_t)m->id[a] % PARTS);
}

/* Whether moving d into figure f of account a's record of partition p
 * (a user's: its own) fits: the record, and a system account's sum. */
/* *sum += v, wrapping; *wraps counts the times it passed int64 up
 * (less those down): the true sum fits int64 exactly when that is 0. */
static void
walk_add(int64_t *sum, int *wraps, int64_t v)
{
	if (points_codec__add(sum, v)) {
		*wraps += v > 0 ? 1 : -1;
		*sum = (int64_t)((uint64_t)*sum + (uint64_t)v);
	}
}

static int
walk_fits(const struct walk_model *m, int a, unsigned p, int f, int64_t d)
{
	int64_t v = m->fig[a][walk_system(a) ? p : 0][f], sum = 0;
	int wraps = 0;
	unsigned q;

	if (points_codec__add(&v, d))
		return 0;
	if (!walk_system(a))
		return 1;
	/* the others alone may pass int64, the whole not */
	for (q = 0; q < PARTS; q++)
		walk_add(&sum, &wraps, q == p ? v : m->fig[a][q][f]);
	return wraps == 0;
}

/* Whether transit's record of partition p can take d more. */
static int
walk_rec_fits(const struct walk_model *m, unsigned p, int64_t d)
{
	int64_t v = m->fig[W_TRANSIT][p][W_AVAIL];

	return !points_codec__add(&v, d);
}

static void
walk_move(struct walk_model *m, int a, unsigned p, int f, int64_t d)
{
	m->fig[a][walk_system(a) ? p : 0][f] += d;
}

/* A move of amount from a to b in partition p: a's available and
 * spent, b's available and earned (a reversal: sign -1, the counters
 * going back).  Returns whether it fits. */
static int
walk_leg(struct walk_model *m, int a, int b, unsigned p, int64_t amount,
    int sign, int apply)
{
	int fa = sign > 0 ? W_SPENT : W_EARNED, fb = sign > 0 ? W_EARNED :
	    W_SPENT;

	if (!apply)
		return walk_fits(m, a, p, W_AVAIL, -amount) &&
		    walk_fits(m, a, p, fa, sign * amount) &&
		    walk_fits(m, b, p, W_AVAIL, amount) &&
		    walk_fits(m, b, p, fb, sign * amount);
	walk_move(m, a, p, W_AVAIL, -amount);
	walk_move(m, a, p, fa, sign * amount);
	walk_move(m, b, p, W_AVAIL, amount);
	walk_move(m, b, p, fb, sign * amount);
	return 1;
}

static int64_t
walk_sum(const struct walk_model *m, int a, int f)
{
	int64_t s = 0;
	int wraps = 0;
	unsigned p;

	for (p = 0; p < (walk_system(a) ? PARTS : 1u); p++)
		walk_add(&s, &wraps, m->fig[a][p][f]);
	ck_assert_int_eq(wraps, 0);
	return s;
}

/* A refused write's code: short of points, POINTS_EINSUFFICIENT; past
 * int64, POINTS_EOVERFLOW; both, either. */
static int
walk_refused(int rc, int fits, int enough)
{
	return (!enough && rc == POINTS_EINSUFFICIENT) ||
	    (!fits && rc == POINTS_EOVERFLOW);
}

static uint64_t
walk_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

START_TEST(test_random_walk_past_shares)
{
	enum { STEPS = 300 };
	struct walk_model m;
	char txn[STEPS][POINTS_ID_LEN + 1];
	int64_t left[STEPS];
	int who[STEPS], payer[STEPS], ntxn = 0, step, a, i;
	uint64_t seed = UINT64_C(20261207);
	points_balance b;
	points_txn t;

	memset(&m, 0, sizeof(m));
	for (a = 0; a < W_USERS; a++)
		m.id[a] = user_in(db, (unsigned)a % PARTS);
	m.id[W_ISSUER] = POINTS_ACCOUNT_ISSUER;
	m.id[W_SINK] = POINTS_ACCOUNT_SINK;
	ck_assert_int_eq(points_account_create(db, "WFUND0", NULL,
	    POINTS_ACCOUNT_SYSTEM | POINTS_ACCOUNT_ALLOW_NEGATIVE,
	    &m.id[W_FUND0]), POINTS_OK);
	ck_assert_int_eq(points_account_create(db, "WFUND1", NULL,
	    POINTS_ACCOUNT_SYSTEM | POINTS_ACCOUNT_ALLOW_NEGATIVE,
	    &m.id[W_FUND1]), POINTS_OK);
	m.id[W_TRANSIT] = transit_id(db);
	for (step = 0; step < STEPS; step++) {
		uint64_t r = walk_rand(&seed);
		int op = (int)(r % 5), k = (int)(r >> 8 & 0xffff) % W_USERS,
		    k2 = (k + 1 + (int)(r >> 16 & 0xffff) % (W_USERS - 1)) %
		    W_USERS;
		int64_t amt = (int64_t)(walk_rand(&seed) >> 1);
		unsigned pk = walk_part(&m, k), pk2 = walk_part(&m, k2);
		int fits, enough = 1, rc = POINTS_OK, from, to;
		points_posting p;

		/* small, about a share, or up to half of int64 */
		switch ((r >> 24) % 3) {
		case 0: amt = amt % 1000 + 1; break;
		case 1: amt = INT64_MAX / PARTS - 500 + amt % 1000; break;
		default: amt = amt % (INT64_MAX / 2) + 1; break;
		}
		p = tu_posting("PTS", m.id[k], amt);
		switch (op) {
		case 0: /* earn, paid by the issuer or a fund */
			from = (r >> 32) % 3 == 0 ? W_ISSUER :
			    W_FUND0 + (int)(r >> 32 & 1);
			if (from != W_ISSUER)
				p.counterparty = m.id[from];
			if (walk_leg(&m, from, k, pk, amt, 1, 0))
				ck_assert_msg((rc = points_earn(db, &p, &t)) ==
				    POINTS_OK, "step %d: earn of %lld: %s", step,
				    (long long)amt, points_errmsg(db));
			else
				TU_FAILS(db, rc = points_earn(db, &p, &t),
				    POINTS_EOVERFLOW);
			if (rc == POINTS_OK) {
				walk_leg(&m, from, k, pk, amt, 1, 1);
				payer[ntxn] = from;
			}
			break;
		case 1: /* spend */
			enough = m.fig[k][0][W_AVAIL] >= amt;
			fits = walk_leg(&m, k, W_SINK, pk, amt, 1, 0);
			if (fits && enough)
				ck_assert_msg((rc = points_spend(db, &p, &t)) ==
				    POINTS_OK, "step %d: spend of %lld: %s", step,
				    (long long)amt, points_errmsg(db));
			else {
				tu_snap(db);
				rc = points_spend(db, &p, &t);
				ck_assert_msg(walk_refused(rc, fits, enough),
				    "step %d: spend of %lld: %d", step,
				    (long long)amt, rc);
				tu_unchanged(db);
				tu_snap_free();
			}
			if (rc == POINTS_OK) {
				walk_leg(&m, k, W_SINK, pk, amt, 1, 1);
				payer[ntxn] = W_SINK;
			}
			break;
		case 2: /* transfer, two legs between partitions */
			p.counterparty = m.id[k2];
			enough = m.fig[k][0][W_AVAIL] >= amt;
			/* between partitions, transit's record of the
			 * payer's takes the points and that of the payee's
			 * gives them: its counters stay, its sum at 0 */
			fits = walk_leg(&m, k, k2, pk, amt, 1, 0) &&
			    (pk == pk2 || (walk_rec_fits(&m, pk, amt) &&
			    walk_rec_fits(&m, pk2, -amt)));
			if (fits && enough)
				ck_assert_msg(points_transfer(db, &p, &t) ==
				    POINTS_OK, "step %d: transfer of %lld: %s",
				    step, (long long)amt, points_errmsg(db));
			else {
				tu_snap(db);
				rc = points_transfer(db, &p, &t);
				ck_assert_msg(walk_refused(rc, fits, enough),
				    "step %d: transfer of %lld: %d", step,
				    (long long)amt, rc);
				tu_unchanged(db);
				tu_snap_free();
				break;
			}
			walk_leg(&m, k, k2, pk, amt, 1, 1);
			if (pk != pk2) {
				walk_move(&m, W_TRANSIT, pk, W_AVAIL, amt);
				walk_move(&m, W_TRANSIT, pk2, W_AVAIL, -amt);
			}
			rc = -1; /* not reversed here */
			break;
		default: /* reverse part of an earn or a spend */
			if (ntxn == 0)
				continue;
			i = (int)((r >> 40) % (uint64_t)ntxn);
			if (left[i] == 0)
				continue;
			amt = amt % left[i] + 1;
			if (payer[i] == W_SINK) /* the sink pays back */
				from = W_SINK, to = who[i];
			else /* the user pays back, owing nothing */
				from = who[i], to = payer[i];
			enough = from == W_SINK ||
			    m.fig[from][0][W_AVAIL] >= amt;
			fits = walk_leg(&m, from, to, walk_part(&m, who[i]),
			    amt, -1, 0);
			{
				points_reversal rv = POINTS_REVERSAL_INIT;

				rv.txn_id = txn[i];
				rv.amount = amt;
				rv.flags = POINTS_REVERSE_NO_DEBT;
				tu_snap(db);
				rc = points_reverse(db, &rv, &t);
			}
			if (fits && enough) {
				ck_assert_msg(rc == POINTS_OK, "step %d: reversal "
				    "of %lld: %s", step, (long long)amt,
				    points_errmsg(db));
				tu_snap_free();
				walk_leg(&m, from, to, walk_part(&m, who[i]),
				    amt, -1, 1);
				left[i] -= amt;
			} else {
				ck_assert_msg(walk_refused(rc, fits, enough),
				    "step %d: reversal of %lld: %d", step,
				    (long long)amt, rc);
				tu_unchanged(db);
				tu_snap_free();
			}
			rc = -1;
			break;
		}
		if (rc == POINTS_OK) { /* an earn or a spend, to reverse */
			strcpy(txn[ntxn], t.id);
			who[ntxn] = k;
			left[ntxn++] = amt;
		}
		for (a = 0; a < W_ACCTS; a++) {
			ck_assert_int_eq(points_balance_get(db, m.id[a], "PTS",
			    &b), POINTS_OK);
			ck_assert_msg(b.available == walk_sum(&m, a, W_AVAIL) &&
			    b.earned == walk_sum(&m, a, W_EARNED) &&
			    b.spent == walk_sum(&m, a, W_SPENT),
			    "step %d (op %d, amount %lld): account %d has "
			    "%lld/%lld/%lld, not %lld/%lld/%lld", step, op,
			    (long long)amt, a, (long long)b.available,
			    (long long)b.earned, (long long)b.spent,
			    (long long)walk_sum(&m, a, W_AVAIL),
			    (long long)walk_sum(&m, a, W_EARNED),
			    (long long)walk_sum(&m, a, W_SPENT));
		}
		if (step % 20 == 19)
			verify_ok(db);
	}
	verify_ok(db);
}
END_TEST

/* Every test, on the ledgers the fixture makes. */
static void
add_tests(TCase *tc)
{
	tcase_add_test(tc, test_one_partition_numbers_its_entries);
	tcase_add_test(tc, test_partitions_count_apart);
	tcase_add_test(tc, test_kept_head_partition_checked);
	tcase_add_test(tc, test_entry_in_no_partition_is_corrupt);
	tcase_add_test(tc, test_full_partition_refuses);
	tcase_add_test(tc, test_unreadable_partition_count);
	tcase_add_test(tc, test_one_partition_is_the_old_layout);
	tcase_add_test(tc, test_out_of_memory);
	tcase_add_test(tc, test_random_walk_over_partitions);
	tcase_add_test(tc, test_random_walk_past_shares);
	tcase_add_test(tc, test_transit_past_its_share_verifies);
	tcase_add_test(tc, test_shards_are_verified);
	tcase_add_test(tc, test_system_debit_counts_every_record);
	tcase_add_test(tc, test_issuer_counters_overflow_as_a_sum);
	tcase_add_test(tc, test_system_writes_read_no_other_record);
	tcase_add_test(tc, test_wide_record_makes_every_write_sum);
	tcase_add_test(tc, test_wide_mark_is_verified);
	tcase_add_test(tc, test_sweep_marks_wide);
	tcase_add_test(tc, test_expiry_at_its_moment_marks_wide);
	tcase_add_test(tc, test_expiry_past_int64_over_records_fails);
	tcase_add_test(tc, test_sink_credit_past_share_sums);
	tcase_add_test(tc, test_wide_mark_out_of_place_is_verified);
	tcase_add_test(tc, test_system_records_may_pass_int64_between_them);
	tcase_add_test(tc, test_pool_closes_at_zero_across_records);
	tcase_add_test(tc, test_transfer_between_partitions_is_two_legs);
	tcase_add_test(tc, test_capture_across_partitions);
	tcase_add_test(tc, test_transfer_between_partitions_expires_both_sides);
	tcase_add_test(tc, test_legs_are_verified);
	tcase_add_test(tc, test_open_option_sets_partitions);
	tcase_add_test(tc, test_earn_probes_its_own_partition_tail);
	tcase_add_test(tc, test_system_home_entries_layout);
}

static Suite *
suite(void)
{
	Suite *s = suite_create("partition");
	TCase *tc = tcase_create("log");

	tcase_add_checked_fixture(tc, setup, teardown);
	add_tests(tc);
	suite_add_tcase(s, tc);
	/* every test again on a ledger in format 4's layout, which a
	 * ledger made before format 5 keeps */
	tc = tcase_create("format4_layout");
	tcase_add_checked_fixture(tc, setup_home, teardown);
	add_tests(tc);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(suite());
}
