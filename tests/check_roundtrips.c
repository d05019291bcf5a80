/* check_roundtrips.c - how many store calls each public write makes.
 *
 * Over a network a store call costs a round trip (~0.3 ms) inside the
 * writer lock, so the count is what a posting waits for.  The fault
 * wrapper counts the calls per method (points_store_fault_method_calls)
 * around a memory store seen as one of version 3, which has get_many:
 * it stands for a backend that reads several keys in one round trip and
 * keeps its writes (put, del) until commit, where they cost no round
 * trip.  Round trips are then every call but put, del and cursor_close;
 * writes are counted apart.  The same operations over a store of
 * version 1 (no get_many) give the calls a backend without the
 * multi-key read makes, and over the memory store itself (version 4,
 * read_many) those of one that also reads the log's tail, a range's
 * last key, with the rest.
 *
 * Each operation runs on a handle that has met its asset (assets are
 * cached per handle) and committed a posting (the log's tail is then
 * known: entry.c), with the balances it touches already there unless
 * the case says otherwise.  The ledger's log is in one partition.
 * The bounds are today's counts: a change
 * that adds a round trip fails here.  ROUNDTRIPS_TABLE=1 prints the
 * table bench/README.md shows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

enum { ST_V3, ST_V1, ST_V4 };

static points_store *inner, *fault;
static points_db *db;
static int64_t alice, bob, carol, pool;
static char exp_earn[POINTS_ID_LEN + 1];
static char hold_a[POINTS_ID_LEN + 1], hold_b[POINTS_ID_LEN + 1];

static int64_t
rt_clock(void *ctx)
{
	(void)ctx;
	return tu_now;
}

/* alice: PTS 100 (20 and 10 of it on holds a and b), EXP 50 (due on
 * day 365); bob: PTS 40; carol: nothing.  Then one earn, so that the
 * handle knows the log's tail as a committed transaction left it. */
static void
rt_open(int kind)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_posting p;
	points_txn t;

	tu_now = TU_T0;
	o.clock = rt_clock;
	/* the counts are a log in one partition's, whatever the suite's
	 * ledgers have (POINTS_TEST_PARTITIONS): a write in partitions
	 * also reads the records of its partition (ledger/entry.h) */
	o.partitions = 1;
	ck_assert_int_eq(points_store_open("memory:", &inner), POINTS_OK);
	if (kind == ST_V1)
		inner = tu_store_v1(inner);
	else if (kind == ST_V3)
		inner = tu_store_v3(inner);
	ck_assert_int_eq(points_store_fault_new(inner, &fault), POINTS_OK);
	ck_assert_int_eq(points_open_store(fault, &o, &db), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "EXP", 0, POINTS_EXPIRE_DAYS,
	    365), POINTS_OK);
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	carol = tu_account(db, "E1003");
	ck_assert_int_eq(points_account_create(db, "POOL1", NULL,
	    POINTS_ACCOUNT_POOL, &pool), POINTS_OK);
	p = tu_posting("PTS", pool, 100);
	ck_assert_int_eq(points_pool_fund(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 50, &t), POINTS_OK);
	strcpy(exp_earn, t.id);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 40, NULL), POINTS_OK);
	p = tu_posting("PTS", alice, 20);
	ck_assert_int_eq(points_hold_create(db, &p, &t), POINTS_OK);
	strcpy(hold_a, t.id);
	p = tu_posting("PTS", alice, 10);
	ck_assert_int_eq(points_hold_create(db, &p, &t), POINTS_OK);
	strcpy(hold_b, t.id);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 1, NULL), POINTS_OK);
	tu_now += TU_DAY;
}

static void
setup_v3(void)
{
	rt_open(ST_V3);
}

static void
setup_v1(void)
{
	rt_open(ST_V1);
}

static void
setup_v4(void)
{
	rt_open(ST_V4);
}

static void
teardown(void)
{
	tu_invariants(db);
	points_close(db);
	points_store_close(fault);
	points_store_close(inner);
	db = NULL;
	fault = inner = NULL;
}

/* ---- The operations ---- */

static points_txn txo;

static int
op_earn(void)
{
	return tu_earn(db, alice, "PTS", 5, &txo);
}

static int
op_earn_new_balance(void)
{
	return tu_earn(db, carol, "PTS", 5, &txo);
}

static int
op_earn_idempotent(void)
{
	points_posting p = tu_posting("PTS", alice, 5);

	p.idempotency_key = "order-1";
	return points_earn(db, &p, &txo);
}

static int
pre_earn_replay(void)
{
	return op_earn_idempotent();
}

static int
op_spend(void)
{
	return tu_spend(db, alice, "PTS", 5, &txo);
}

static int
op_transfer(void)
{
	points_posting p = tu_posting("PTS", alice, 5);

	p.counterparty = bob;
	return points_transfer(db, &p, &txo);
}

static int
op_pool_fund(void)
{
	points_posting p = tu_posting("PTS", pool, 5);

	return points_pool_fund(db, &p, &txo);
}

static int
op_pool_award(void)
{
	points_posting p = tu_posting("PTS", alice, 5);

	p.counterparty = pool;
	return points_earn(db, &p, &txo);
}

static int
op_asset_policy_set(void)
{
	points_asset_policy p = POINTS_ASSET_POLICY_INIT;

	p.transfer_limit = 100;
	return points_asset_policy_set(db, "PTS", &p);
}

static int
op_adjust(void)
{
	points_posting p = tu_posting("PTS", alice, -5);

	p.memo = "correction";
	return points_adjust(db, &p, &txo);
}

static int
op_reverse(void)
{
	points_reversal r = POINTS_REVERSAL_INIT;

	r.txn_id = exp_earn;
	r.amount = 5;
	r.memo = "refund";
	return points_reverse(db, &r, &txo);
}

static int
op_hold_create(void)
{
	points_posting p = tu_posting("PTS", alice, 5);

	return points_hold_create(db, &p, &txo);
}

static int
op_hold_capture(void)
{
	points_capture c = POINTS_CAPTURE_INIT;

	c.hold_id = hold_a;
	return points_hold_capture(db, &c, &txo);
}

static int
op_hold_release(void)
{
	points_release r = POINTS_RELEASE_INIT;

	r.hold_id = hold_b;
	return points_hold_release(db, &r, &txo);
}

static int
op_account_create(void)
{
	int64_t id;

	return points_account_create(db, "E2001", "Dora", 0, &id);
}

static int
op_account_update(void)
{
	return points_account_update(db, alice, "Alice", "gold", NULL);
}

static int
op_account_freeze(void)
{
	return points_account_freeze(db, alice);
}

static int
op_asset_create(void)
{
	return points_asset_create(db, "NEW", 0, POINTS_EXPIRE_NEVER, 0);
}

static int
op_expire_sweep(void)
{
	points_sweep_report r;
	int rc;

	rc = points_expire_sweep_asset(db, NULL, TU_T0 + 400 * TU_DAY,
	    POINTS_SWEEP_FUTURE, &r);
	if (rc == POINTS_OK)
		ck_assert_int_eq(r.lots, 1); /* alice's EXP lot */
	return rc;
}

static int
op_balance_get(void)
{
	points_balance b;

	return points_balance_get(db, alice, "PTS", &b);
}

/* Store calls of one operation: round trips (every call but put, del and
 * cursor_close) and writes (put, del; an entry is 4 of them: the entry,
 * its id and a time index key for each party).  rt_v2 bounds the round trips
 * over a store with get_many, calls_v1 the calls (writes included) over
 * one without. */
typedef struct rt_op {
	const char *name;
	int (*pre)(void); /* run first, not counted (NULL: nothing) */
	int (*run)(void);
	int rt_v2, calls_v1;
} rt_op;

static const rt_op ops[] = {
	{ "earn", NULL, op_earn, 3, 13 },
	{ "earn, first in the asset", NULL, op_earn_new_balance, 4, 14 },
	{ "earn with an idempotency key", NULL, op_earn_idempotent, 3, 15 },
	{ "earn replayed by its key", pre_earn_replay, op_earn_idempotent, 4,
	    8 },
	{ "spend", NULL, op_spend, 3, 12 },
	/* a transfer reads its asset (the policy) and the payer's daily
	 * counter with its other reads, and writes the counter */
	{ "transfer", NULL, op_transfer, 4, 16 },
	{ "pool fund", NULL, op_pool_fund, 3, 12 },
	{ "award from a pool", NULL, op_pool_award, 4, 13 },
	{ "asset policy set", NULL, op_asset_policy_set, 3, 4 },
	{ "adjust", NULL, op_adjust, 3, 12 },
	{ "reverse", NULL, op_reverse, 10, 18 },
	{ "hold create", NULL, op_hold_create, 4, 10 },
	{ "hold capture", NULL, op_hold_capture, 7, 15 },
	{ "hold release", NULL, op_hold_release, 7, 13 },
	{ "account create", NULL, op_account_create, 5, 7 },
	/* a change of tier or department: its history record (2: the
	 * account's last change), the new (department, tier) pair (3) and
	 * the balances that keep it (2 + one a balance); a freeze: its
	 * history record */
	{ "account update", NULL, op_account_update, 15, 21 },
	{ "account freeze", NULL, op_account_freeze, 11, 15 },
	{ "asset create", NULL, op_asset_create, 7, 8 },
	/* the sweep's last chunk also settles the auctions that ended: a
	 * cursor over the open ones, two calls when there are none */
	{ "expire sweep (one balance due)", NULL, op_expire_sweep, 14, 22 },
	{ "balance get (a read)", NULL, op_balance_get, 3, 3 },
};
#define NOPS ((int)(sizeof(ops) / sizeof(ops[0])))

static const char *const reads[] = {
	"begin", "commit", "rollback", "get", "get_many", "cursor_open",
	"cursor_next", "read_many",
};

static int64_t
calls_of(const char *m)
{
	int64_t n = points_store_fault_method_calls(fault, m);

	ck_assert_int_ge(n, 0);
	return n;
}

static void
measure(const rt_op *op, int64_t *rt, int64_t *writes, int64_t *gm)
{
	size_t i;

	if (op->pre)
		ck_assert_msg(op->pre() == POINTS_OK, "%s: %s", op->name,
		    points_errmsg(db));
	ck_assert_int_eq(points_store_fault_arm(fault, 0, 0), POINTS_OK);
	ck_assert_msg(op->run() == POINTS_OK, "%s: %s", op->name,
	    points_errmsg(db));
	for (*rt = 0, i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
		*rt += calls_of(reads[i]);
	*writes = calls_of("put") + calls_of("del");
	*gm = calls_of("get_many");
}

START_TEST(test_round_trips_over_a_store_with_get_many)
{
	const rt_op *op = &ops[_i];
	int64_t rt, writes, gm;

	measure(op, &rt, &writes, &gm);
	if (getenv("ROUNDTRIPS_TABLE"))
		printf("roundtrips v2 | %-32s | %2lld round trips "
		    "(%lld get_many) | %2lld writes\n", op->name,
		    (long long)rt, (long long)gm, (long long)writes);
	ck_assert_msg(rt <= op->rt_v2, "%s: %lld round trips, at most %d "
	    "expected", op->name, (long long)rt, op->rt_v2);
}
END_TEST

START_TEST(test_calls_over_a_version_1_store)
{
	const rt_op *op = &ops[_i];
	int64_t rt, writes, gm;

	measure(op, &rt, &writes, &gm);
	if (getenv("ROUNDTRIPS_TABLE"))
		printf("roundtrips v1 | %-32s | %2lld calls (%lld reads, "
		    "%lld writes)\n", op->name, (long long)(rt + writes),
		    (long long)rt, (long long)writes);
	ck_assert_int_eq(gm, 0);
	ck_assert_msg(rt + writes <= op->calls_v1, "%s: %lld calls, at most "
	    "%d expected", op->name, (long long)(rt + writes), op->calls_v1);
}
END_TEST

/* The target of the storage issue: an earn is 3 round trips on a
 * backend with get_many that buffers its writes -- begin, one get_many
 * (idempotency record, both balances, the log's tail, and the rules'
 * generation, which the tiers' earning hook reads: rule.c, once a
 * transaction, named with the rest by the module's ahead hook), commit;
 * and a get of the account for a balance's first posting. */
START_TEST(test_earn_reads_everything_in_one_get_many)
{
	int64_t rt, writes, gm;

	measure(&ops[0], &rt, &writes, &gm);
	ck_assert_int_eq(gm, 1);
	ck_assert_int_eq(calls_of("get"), 0);
	ck_assert_int_eq(calls_of("cursor_open"), 0);
	ck_assert_int_eq(rt, 3);
	measure(&ops[2], &rt, &writes, &gm);
	ck_assert_int_eq(gm, 1);
	ck_assert_int_eq(rt, 3);
	measure(&ops[1], &rt, &writes, &gm);
	ck_assert_int_eq(gm, 1);
	ck_assert_int_eq(calls_of("get"), 1); /* the new balance's account */
	ck_assert_int_le(rt, 4);
}
END_TEST

/* Inside a batch a posting costs its get_many and nothing else (the
 * rules' generation is read once, with the batch's first). */
START_TEST(test_batched_earn_is_one_get_many)
{
	int i;

	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(points_store_fault_arm(fault, 0, 0), POINTS_OK);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(tu_earn(db, i % 2 ? alice : bob, "PTS", 1,
		    NULL), POINTS_OK);
	ck_assert_int_eq(calls_of("get_many"), 10);
	ck_assert_int_eq(calls_of("get"), 0);
	ck_assert_int_eq(calls_of("cursor_open"), 0);
	ck_assert_int_eq(calls_of("begin") + calls_of("commit"), 0);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
}
END_TEST

/* Another handle appends between two of ours: the probe of the tail
 * finds its entry, and the tail is read from the log again. */
START_TEST(test_tail_probe_sees_another_handles_append)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *other;
	points_verify_report rep;

	o.clock = rt_clock;
	ck_assert_int_eq(points_open_store(fault, &o, &other), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(other, bob, "PTS", 1, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(other, bob, "PTS", 1, NULL), POINTS_OK);
	ck_assert_int_eq(points_store_fault_arm(fault, 0, 0), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_OK);
	ck_assert_int_eq(calls_of("cursor_open"), 1); /* the tail, again */
	ck_assert_int_eq(calls_of("get_many"), 1); /* not probed twice */
	ck_assert_int_eq(points_verify(db, &rep), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_OK);
	ck_assert_int_eq(points_verify(other, &rep), POINTS_OK);
	points_close(other);
}
END_TEST

/* A rolled-back transaction's appends do not become the known tail. */
START_TEST(test_tail_known_only_from_committed_transactions)
{
	points_verify_report rep;

	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_OK);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_OK);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_OK);
	/* a commit that fails is a rollback too */
	ck_assert_int_eq(points_store_fault_arm(fault, 3, 0), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_ESTORAGE);
	ck_assert_int_eq(points_store_fault_arm(fault, 0, 0), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_OK);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_OK);
}
END_TEST

/* Over a store that reads ranges (read_many), a write reads the log's
 * tail with its other keys whatever another handle appended: an earn is
 * 3 round trips, in a batch one, and never opens a cursor. */
START_TEST(test_earn_reads_the_tail_with_its_keys)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_verify_report rep;
	points_db *other;
	int64_t rt, writes, gm;
	int i;

	measure(&ops[0], &rt, &writes, &gm);
	ck_assert_int_eq(calls_of("read_many"), 1);
	ck_assert_int_eq(gm + calls_of("get") + calls_of("cursor_open"), 0);
	ck_assert_int_eq(rt, 3);
	o.clock = rt_clock;
	ck_assert_int_eq(points_open_store(fault, &o, &other), POINTS_OK);
	ck_assert_int_eq(tu_earn(other, bob, "PTS", 1, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(other, bob, "PTS", 1, NULL), POINTS_OK);
	measure(&ops[0], &rt, &writes, &gm);
	ck_assert_int_eq(calls_of("read_many"), 1);
	ck_assert_int_eq(gm + calls_of("get") + calls_of("cursor_open"), 0);
	ck_assert_int_eq(rt, 3);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(points_store_fault_arm(fault, 0, 0), POINTS_OK);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(tu_earn(db, i % 2 ? alice : bob, "PTS", 1,
		    NULL), POINTS_OK);
	ck_assert_int_eq(calls_of("read_many") + calls_of("get_many"), 10);
	ck_assert_int_eq(calls_of("get") + calls_of("cursor_open"), 0);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_OK);
	ck_assert_int_eq(tu_earn(other, bob, "PTS", 1, NULL), POINTS_OK);
	ck_assert_int_eq(points_verify(other, &rep), POINTS_OK);
	points_close(other);
}
END_TEST

static Suite *
roundtrips_suite(void)
{
	Suite *s = suite_create("roundtrips");
	TCase *tc;

	tc = tcase_create("get_many");
	tcase_add_checked_fixture(tc, setup_v3, teardown);
	tcase_add_loop_test(tc, test_round_trips_over_a_store_with_get_many, 0,
	    NOPS);
	tcase_add_test(tc, test_earn_reads_everything_in_one_get_many);
	tcase_add_test(tc, test_batched_earn_is_one_get_many);
	tcase_add_test(tc, test_tail_probe_sees_another_handles_append);
	tcase_add_test(tc, test_tail_known_only_from_committed_transactions);
	suite_add_tcase(s, tc);

	tc = tcase_create("read_many");
	tcase_add_checked_fixture(tc, setup_v4, teardown);
	tcase_add_loop_test(tc, test_round_trips_over_a_store_with_get_many, 0,
	    NOPS);
	tcase_add_test(tc, test_earn_reads_the_tail_with_its_keys);
	tcase_add_test(tc, test_tail_known_only_from_committed_transactions);
	suite_add_tcase(s, tc);

	tc = tcase_create("version_1");
	tcase_add_checked_fixture(tc, setup_v1, teardown);
	tcase_add_loop_test(tc, test_calls_over_a_version_1_store, 0, NOPS);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(roundtrips_suite());
}
