/* check_pool.c - budget pools (fund, award, defund, close) and asset
 * policies (transferability, daily transfer limits, the yearly clearing
 * date), and a seeded random run of both against a small model.  The
 * ledgers are "memory:" (make check-c runs the suite on SQLite too);
 * one test shares an SQLite file between two handles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "core/balance.h"
#include "ledger/entry.h"

static points_db *db;
static const char *uri;
static int64_t alice, bob, dept, mgr;

static void
open_with(const char *u)
{
	tu_now = TU_T0;
	uri = u;
	db = tu_open(u);
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	ck_assert_int_eq(points_account_create(db, "POOL:R&D", "R&D budget",
	    POINTS_ACCOUNT_POOL, &dept), POINTS_OK);
	ck_assert_int_eq(points_account_create(db, "POOL:R&D/Li", "Li's budget",
	    POINTS_ACCOUNT_POOL, &mgr), POINTS_OK);
}

static void
setup_memory(void)
{
	open_with("memory:");
}

static void
setup_sqlite(void)
{
	open_with(tu_sqlite_uri());
}

static void
teardown(void)
{
	tu_invariants(db);
	points_close(db);
	db = NULL;
	tu_cleanup();
}

static int
fund(int64_t pool, int64_t from, const char *asset, int64_t amount,
    points_txn *out)
{
	points_posting p = tu_posting(asset, pool, amount);
	points_txn t;

	p.counterparty = from;
	p.memo = "budget";
	return points_pool_fund(db, &p, out ? out : &t);
}

static int
defund(int64_t pool, int64_t to, const char *asset, int64_t amount,
    points_txn *out)
{
	points_posting p = tu_posting(asset, pool, amount);
	points_txn t;

	p.counterparty = to;
	return points_pool_defund(db, &p, out ? out : &t);
}

static int
award(int64_t pool, int64_t user, const char *asset, int64_t amount,
    points_txn *out)
{
	points_posting p = tu_posting(asset, user, amount);
	points_txn t;

	p.counterparty = pool;
	p.memo = "award";
	return points_earn(db, &p, out ? out : &t);
}

static int
transfer(int64_t from, int64_t to, const char *asset, int64_t amount,
    points_txn *out)
{
	points_posting p = tu_posting(asset, from, amount);
	points_txn t;

	p.counterparty = to;
	return points_transfer(db, &p, out ? out : &t);
}

static int
set_policy(const char *asset, unsigned flags, int64_t limit, int month,
    int day)
{
	points_asset_policy p = POINTS_ASSET_POLICY_INIT;

	p.flags = flags;
	p.transfer_limit = limit;
	p.year_end_month = month;
	p.year_end_day = day;
	return points_asset_policy_set(db, asset, &p);
}

static int
has(const char *msg, const char *part)
{
	return strstr(msg, part) != NULL;
}

/* ---- Pools ---- */

START_TEST(test_pool_is_a_system_account_that_may_not_go_negative)
{
	points_account a;
	int64_t id;

	ck_assert_int_eq(points_account_get(db, dept, &a), POINTS_OK);
	ck_assert_uint_eq(a.flags, POINTS_ACCOUNT_POOL | POINTS_ACCOUNT_SYSTEM);
	TU_FAILS(db, points_account_create(db, "POOL:X", NULL,
	    POINTS_ACCOUNT_POOL | POINTS_ACCOUNT_ALLOW_NEGATIVE, &id),
	    POINTS_EINVAL);
	ck_assert(has(points_errmsg(db), "POOL:X: a pool may not go negative"));
	TU_FAILS(db, points_account_create(db, "X", NULL, 0x08, &id),
	    POINTS_EINVAL);
}
END_TEST

START_TEST(test_pool_funds_awards_defunds_and_closes)
{
	points_txn t;
	points_balance b;
	points_lot_iterator *it;
	points_lot l;

	ck_assert_int_eq(fund(dept, 0, "EXP", 1000, &t), POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_FUND);
	ck_assert_int_eq(t.from, POINTS_ACCOUNT_ISSUER);
	ck_assert_int_eq(t.to, dept);
	ck_assert_int_eq(t.amount, 1000);
	ck_assert_str_eq(t.memo, "budget");
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_ISSUER, "EXP"), -1000);
	tu_now += 10 * TU_DAY;
	ck_assert_int_eq(award(dept, alice, "EXP", 300, &t), POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_EARN);
	ck_assert_int_eq(t.from, dept);
	ck_assert_int_eq(t.to, alice);
	ck_assert_int_eq(tu_available(db, dept, "EXP"), 700);
	/* the user's lot follows the asset's policy: 365 days on */
	ck_assert_int_eq(points_lot_iterator_new(db, alice, "EXP", INT64_MAX,
	    &it), POINTS_OK);
	ck_assert_int_eq(points_lot_next(it, &l), POINTS_OK);
	ck_assert_int_eq(l.amount, 300);
	ck_assert_int_eq(l.expires_at, TU_T0 + (10 + 365 + 1) * TU_DAY - 1);
	ck_assert_int_eq(points_lot_next(it, &l), POINTS_ITEROVER);
	points_lot_iterator_free(it);
	/* the pool keeps no lots */
	ck_assert_int_eq(points_lot_iterator_new(db, dept, "EXP", INT64_MAX,
	    &it), POINTS_OK);
	ck_assert_int_eq(points_lot_next(it, &l), POINTS_ITEROVER);
	points_lot_iterator_free(it);
	ck_assert_int_eq(points_balance_get(db, dept, "EXP", &b), POINTS_OK);
	ck_assert_int_eq(b.earned, 1000);
	ck_assert_int_eq(b.spent, 300);
	/* an account closes only at zero: return the rest first */
	TU_FAILS(db, points_account_close(db, dept), POINTS_ESTATE);
	ck_assert_int_eq(defund(dept, 0, "EXP", 700, &t), POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_DEFUND);
	ck_assert_int_eq(t.from, dept);
	ck_assert_int_eq(t.to, POINTS_ACCOUNT_ISSUER);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_ISSUER, "EXP"), -300);
	ck_assert_int_eq(points_account_close(db, dept), POINTS_OK);
	TU_FAILS(db, fund(dept, 0, "EXP", 1, NULL), POINTS_ECLOSED);
	TU_FAILS(db, award(dept, alice, "EXP", 1, NULL), POINTS_ECLOSED);
}
END_TEST

START_TEST(test_pool_cannot_overspend)
{
	ck_assert_int_eq(fund(dept, 0, "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(award(dept, alice, "PTS", 60, NULL), POINTS_OK);
	TU_FAILS(db, award(dept, bob, "PTS", 41, NULL), POINTS_EINSUFFICIENT);
	ck_assert_str_eq(points_errmsg(db), "pool POOL:R&D: insufficient "
	    "points: available 40, needs 41");
	TU_FAILS(db, defund(dept, 0, "PTS", 41, NULL), POINTS_EINSUFFICIENT);
	ck_assert(has(points_errmsg(db), "pool POOL:R&D: insufficient"));
	/* a sub-pool is funded from its department's, which pays from what
	 * it has */
	TU_FAILS(db, fund(mgr, dept, "PTS", 41, NULL), POINTS_EINSUFFICIENT);
	ck_assert(has(points_errmsg(db), "pool POOL:R&D: insufficient"));
	ck_assert_int_eq(fund(mgr, dept, "PTS", 40, NULL), POINTS_OK);
	ck_assert_int_eq(award(mgr, bob, "PTS", 40, NULL), POINTS_OK);
	ck_assert_int_eq(tu_available(db, dept, "PTS"), 0);
	ck_assert_int_eq(tu_available(db, mgr, "PTS"), 0);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 40);
	/* an empty pool in another asset has nothing to pay */
	TU_FAILS(db, award(dept, bob, "EXP", 1, NULL), POINTS_EINSUFFICIENT);
}
END_TEST

START_TEST(test_pool_takes_part_only_as_a_pool)
{
	points_posting p;
	points_txn t;

	ck_assert_int_eq(fund(dept, 0, "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 100, NULL), POINTS_OK);
	/* earning into a pool, spending or transferring to one */
	TU_FAILS(db, tu_earn(db, dept, "PTS", 1, NULL), POINTS_EINVAL);
	p = tu_posting("PTS", alice, 5);
	p.counterparty = dept;
	TU_FAILS(db, points_spend(db, &p, &t), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "pool POOL:R&D cannot receive a "
	    "spend: fund it (points_pool_fund)");
	TU_FAILS(db, transfer(alice, dept, "PTS", 5, NULL), POINTS_EINVAL);
	/* funding what is not a pool, or from a user */
	TU_FAILS(db, fund(alice, 0, "PTS", 5, NULL), POINTS_EINVAL);
	TU_FAILS(db, fund(POINTS_ACCOUNT_SINK, 0, "PTS", 5, NULL),
	    POINTS_EINVAL);
	ck_assert(has(points_errmsg(db), "is not a pool"));
	TU_FAILS(db, fund(dept, alice, "PTS", 5, NULL), POINTS_EINVAL);
	TU_FAILS(db, defund(dept, alice, "PTS", 5, NULL), POINTS_EINVAL);
	TU_FAILS(db, defund(POINTS_ACCOUNT_SINK, 0, "PTS", 5, NULL),
	    POINTS_EINVAL);
	TU_FAILS(db, fund(dept, dept, "PTS", 5, NULL), POINTS_EINVAL);
	TU_FAILS(db, fund(dept, 0, "PTS", 0, NULL), POINTS_EINVAL);
	TU_FAILS(db, fund(dept, 0, "PTS", -5, NULL), POINTS_EINVAL);
	TU_FAILS(db, fund(dept, 999, "PTS", 5, NULL), POINTS_ENOTFOUND);
	TU_FAILS(db, fund(999, 0, "PTS", 5, NULL), POINTS_ENOTFOUND);
	TU_FAILS(db, fund(dept, 0, "NOPE", 5, NULL), POINTS_ENOTFOUND);
	p = tu_posting("PTS", dept, 5);
	p.expires_at = TU_T0 + TU_DAY;
	TU_FAILS(db, points_pool_fund(db, &p, &t), POINTS_EINVAL);
	ck_assert(has(points_errmsg(db), "keeps no lots"));
	TU_FAILS(db, points_pool_fund(db, NULL, &t), POINTS_EINVAL);
	p = tu_posting("PTS", dept, 5);
	TU_FAILS(db, points_pool_defund(db, &p, NULL), POINTS_EINVAL);
	p.version = 0;
	TU_FAILS(db, points_pool_defund(db, &p, &t), POINTS_EVERSION);
	/* a frozen pool neither receives nor pays */
	ck_assert_int_eq(points_account_freeze(db, dept), POINTS_OK);
	TU_FAILS(db, fund(dept, 0, "PTS", 5, NULL), POINTS_EFROZEN);
	TU_FAILS(db, award(dept, bob, "PTS", 5, NULL), POINTS_EFROZEN);
	TU_FAILS(db, defund(dept, 0, "PTS", 5, NULL), POINTS_EFROZEN);
	ck_assert_int_eq(points_account_unfreeze(db, dept), POINTS_OK);
	ck_assert_int_eq(award(dept, bob, "PTS", 5, NULL), POINTS_OK);
}
END_TEST

START_TEST(test_pool_statement_reads_as_fundings_and_awards)
{
	points_statement_iterator *it;
	points_entry e;
	points_posting p;
	points_txn t;

	ck_assert_int_eq(fund(dept, 0, "PTS", 1000, NULL), POINTS_OK);
	ck_assert_int_eq(award(dept, alice, "PTS", 300, NULL), POINTS_OK);
	p = tu_posting("PTS", dept, 200);
	p.memo = "unused Q1 budget";
	ck_assert_int_eq(points_pool_defund(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(points_statement_iterator_new(db, dept, "PTS", 0, 0,
	    POINTS_OLDEST_FIRST, &it), POINTS_OK);
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_OK);
	ck_assert_int_eq(e.type, POINTS_TXN_FUND);
	ck_assert_int_eq(e.amount, 1000);
	ck_assert_int_eq(e.counterparty, POINTS_ACCOUNT_ISSUER);
	ck_assert_str_eq(e.memo, "budget");
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_OK);
	ck_assert_int_eq(e.type, POINTS_TXN_EARN);
	ck_assert_int_eq(e.amount, -300);
	ck_assert_int_eq(e.counterparty, alice);
	ck_assert_str_eq(e.memo, "award");
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_OK);
	ck_assert_int_eq(e.type, POINTS_TXN_DEFUND);
	ck_assert_int_eq(e.amount, -200);
	ck_assert_int_eq(e.counterparty, POINTS_ACCOUNT_ISSUER);
	ck_assert_str_eq(e.memo, "unused Q1 budget");
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_ITEROVER);
	points_statement_iterator_free(it);
	/* and the issuer's shows the funding from its side */
	ck_assert_int_eq(points_statement_iterator_new(db,
	    POINTS_ACCOUNT_ISSUER, "PTS", 0, 0, POINTS_OLDEST_FIRST, &it),
	    POINTS_OK);
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_OK);
	ck_assert_int_eq(e.type, POINTS_TXN_FUND);
	ck_assert_int_eq(e.amount, -1000);
	ck_assert_int_eq(e.counterparty, dept);
	points_statement_iterator_free(it);
	ck_assert_int_eq(points_txn_get(db, t.id, &t), POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_DEFUND);
}
END_TEST

START_TEST(test_pool_transactions_can_be_reversed)
{
	points_txn f, a, d, r;

	ck_assert_int_eq(fund(dept, 0, "EXP", 100, &f), POINTS_OK);
	ck_assert_int_eq(award(dept, alice, "EXP", 70, &a), POINTS_OK);
	/* the funding cannot come back while the pool has paid it out */
	TU_FAILS(db, tu_reverse(db, f.id, 0, "wrong budget", NULL, &r),
	    POINTS_EINSUFFICIENT);
	ck_assert(has(points_errmsg(db), "pool POOL:R&D: insufficient"));
	/* an award returns to the pool */
	ck_assert_int_eq(tu_reverse(db, a.id, 20, "wrong person", NULL, &r),
	    POINTS_OK);
	ck_assert_int_eq(r.from, alice);
	ck_assert_int_eq(r.to, dept);
	ck_assert_int_eq(tu_available(db, dept, "EXP"), 50);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 50);
	ck_assert_int_eq(defund(dept, 0, "EXP", 50, &d), POINTS_OK);
	ck_assert_int_eq(tu_reverse(db, d.id, 0, NULL, NULL, &r), POINTS_OK);
	ck_assert_int_eq(tu_available(db, dept, "EXP"), 50);
	ck_assert_int_eq(tu_reverse(db, f.id, 50, NULL, NULL, &r), POINTS_OK);
	ck_assert_int_eq(tu_available(db, dept, "EXP"), 0);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_ISSUER, "EXP"), -50);
}
END_TEST

START_TEST(test_pool_postings_are_idempotent)
{
	points_posting p = tu_posting("PTS", dept, 100);
	points_txn a, b;

	p.idempotency_key = "budget-2025";
	ck_assert_int_eq(points_pool_fund(db, &p, &a), POINTS_OK);
	ck_assert_int_eq(points_pool_fund(db, &p, &b), POINTS_OK);
	ck_assert_int_eq(b.replayed, 1);
	ck_assert_str_eq(a.id, b.id);
	ck_assert_int_eq(tu_available(db, dept, "PTS"), 100);
	/* the same fields as a defunding are another request */
	TU_FAILS(db, points_pool_defund(db, &p, &b), POINTS_ECONFLICT);
	p.amount = 101;
	TU_FAILS(db, points_pool_fund(db, &p, &b), POINTS_ECONFLICT);
}
END_TEST

/* Rewrite the PTS balance record of a pool that the entries of user's
 * log partition move (byte 2 is its available: version, flags << 2 |
 * status, then available as a zigzag varint): its own record, or with
 * the log in partitions (ledger/entry.h) maybe its shard for user's. */
static void
poke_pool_available(int64_t pool, int64_t user, unsigned char from,
    unsigned char to)
{
	uint64_t key = (uint64_t)pool << 16 | 1; /* PTS is asset 1 */
	unsigned parts = points_entry__partitions_new;
	unsigned part = (unsigned)((uint64_t)user % parts);
	unsigned shard = points_entry__shard(pool, part, parts);
	points_store *s = tu_store(db);
	struct points_keyspace *ks = tu_keyspace(db, shard ? "bal_shard" :
	    "bal");
	unsigned char k[POINTS_BALANCE_SHARD_KEY_LEN], rec[256];
	size_t kl = shard ? POINTS_BALANCE_SHARD_KEY_LEN : 8;
	const void *v;
	size_t vl;
	int i;

	for (i = 0; i < 8; i++)
		k[i] = (unsigned char)(key >> (56 - 8 * i));
	if (shard)
		points_balance__shard_key(pool, 1, part, k);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->get(s, ks, k, kl, &v, &vl), POINTS_OK);
	ck_assert_uint_le(vl, sizeof(rec));
	memcpy(rec, v, vl);
	ck_assert_uint_eq(rec[2], from);
	rec[2] = to;
	ck_assert_int_eq(s->put(s, ks, k, kl, rec, vl), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

START_TEST(test_verify_recomputes_pool_balances)
{
	points_verify_report rep;

	ck_assert_int_eq(fund(dept, 0, "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(award(dept, alice, "PTS", 30, NULL), POINTS_OK);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_OK);
	/* 70 (zigzag 140: 0x8c 0x01) raised to 71 is found */
	poke_pool_available(dept, alice, 0x8c, 0x8e);
	ck_assert_int_eq(tu_available(db, dept, "PTS"), 71);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
	poke_pool_available(dept, alice, 0x8e, 0x8c);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_OK);
}
END_TEST

/* ---- Asset policies ---- */

START_TEST(test_asset_policy_defaults)
{
	points_asset a;
	points_asset_policy p;

	ck_assert_int_eq(points_asset_get(db, "EXP", &a), POINTS_OK);
	ck_assert_uint_eq(a.flags, 0);
	ck_assert_int_eq(a.transfer_limit, 0);
	ck_assert_int_eq(a.year_end_month, 12);
	ck_assert_int_eq(a.year_end_day, 31);
	memset(&p, 0xff, sizeof(p));
	ck_assert_int_eq(points_asset_policy_init(&p,
	    POINTS_ASSET_POLICY_VERSION), POINTS_OK);
	ck_assert_uint_eq(p.version, POINTS_ASSET_POLICY_VERSION);
	ck_assert_uint_eq(p.flags, 0);
	ck_assert_int_eq(p.transfer_limit, 0);
	ck_assert_int_eq(p.year_end_month, 12);
	ck_assert_int_eq(p.year_end_day, 31);
	ck_assert_int_eq(points_asset_policy_init(&p, 0), POINTS_EVERSION);
	ck_assert_int_eq(points_asset_policy_init(&p,
	    POINTS_ASSET_POLICY_VERSION + 1), POINTS_EVERSION);
	ck_assert_int_eq(points_asset_policy_init(NULL, 1), POINTS_EINVAL);
	/* set and read back */
	ck_assert_int_eq(set_policy("EXP", POINTS_ASSET_NO_TRANSFER, 500, 3,
	    31), POINTS_OK);
	ck_assert_int_eq(points_asset_get(db, "EXP", &a), POINTS_OK);
	ck_assert_uint_eq(a.flags, POINTS_ASSET_NO_TRANSFER);
	ck_assert_int_eq(a.transfer_limit, 500);
	ck_assert_int_eq(a.year_end_month, 3);
	ck_assert_int_eq(a.year_end_day, 31);
	ck_assert_int_eq(a.expiry_policy, POINTS_EXPIRE_DAYS);
	ck_assert_int_eq(a.expiry_n, 365);
	/* and back to the defaults */
	ck_assert_int_eq(set_policy("EXP", 0, 0, 12, 31), POINTS_OK);
	ck_assert_int_eq(points_asset_get(db, "EXP", &a), POINTS_OK);
	ck_assert_uint_eq(a.flags, 0);
	ck_assert_int_eq(a.year_end_month, 12);
}
END_TEST

START_TEST(test_asset_policy_bad_input_changes_nothing)
{
	points_asset_policy p = POINTS_ASSET_POLICY_INIT;

	TU_FAILS(db, set_policy("EXP", 0x02, 0, 12, 31), POINTS_EINVAL);
	ck_assert(has(points_errmsg(db), "asset EXP: unknown policy flags"));
	TU_FAILS(db, set_policy("EXP", 0, -1, 12, 31), POINTS_EINVAL);
	ck_assert(has(points_errmsg(db), "transfer limit -1 is negative"));
	TU_FAILS(db, set_policy("EXP", 0, 0, 13, 1), POINTS_EINVAL);
	TU_FAILS(db, set_policy("EXP", 0, 0, 0, 1), POINTS_EINVAL);
	TU_FAILS(db, set_policy("EXP", 0, 0, 4, 31), POINTS_EINVAL);
	TU_FAILS(db, set_policy("EXP", 0, 0, 2, 29), POINTS_EINVAL);
	ck_assert(has(points_errmsg(db), "asset EXP: clearing date 2-29"));
	TU_FAILS(db, set_policy("EXP", 0, 0, 6, 0), POINTS_EINVAL);
	TU_FAILS(db, set_policy("NOPE", 0, 0, 12, 31), POINTS_ENOTFOUND);
	TU_FAILS(db, set_policy("bad code", 0, 0, 12, 31), POINTS_EINVAL);
	TU_FAILS(db, set_policy(NULL, 0, 0, 12, 31), POINTS_EINVAL);
	TU_FAILS(db, points_asset_policy_set(db, "EXP", NULL), POINTS_EINVAL);
	p.version = 0;
	TU_FAILS(db, points_asset_policy_set(db, "EXP", &p), POINTS_EVERSION);
	p.version = POINTS_ASSET_POLICY_VERSION + 1;
	TU_FAILS(db, points_asset_policy_set(db, "EXP", &p), POINTS_EVERSION);
	ck_assert_int_eq(points_asset_policy_set(NULL, "EXP", &p),
	    POINTS_EINVAL);
}
END_TEST

START_TEST(test_asset_that_may_not_be_transferred)
{
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 100, NULL), POINTS_OK);
	ck_assert_int_eq(transfer(alice, bob, "EXP", 10, NULL), POINTS_OK);
	ck_assert_int_eq(set_policy("EXP", POINTS_ASSET_NO_TRANSFER, 0, 12,
	    31), POINTS_OK);
	TU_FAILS(db, transfer(alice, bob, "EXP", 10, NULL), POINTS_ESTATE);
	ck_assert_str_eq(points_errmsg(db), "asset EXP: its points may not be "
	    "transferred (the asset's policy)");
	/* the other postings go on; other assets transfer */
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 10, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 10, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(transfer(alice, bob, "PTS", 10, NULL), POINTS_OK);
	/* party checks come first: a frozen payer is frozen */
	ck_assert_int_eq(points_account_freeze(db, alice), POINTS_OK);
	TU_FAILS(db, transfer(alice, bob, "EXP", 10, NULL), POINTS_EFROZEN);
	ck_assert_int_eq(points_account_unfreeze(db, alice), POINTS_OK);
	ck_assert_int_eq(set_policy("EXP", 0, 0, 12, 31), POINTS_OK);
	ck_assert_int_eq(transfer(alice, bob, "EXP", 10, NULL), POINTS_OK);
	ck_assert_int_eq(tu_available(db, bob, "EXP"), 20);
}
END_TEST

START_TEST(test_daily_transfer_limit)
{
	points_txn t;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1000, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 1000, NULL), POINTS_OK);
	ck_assert_int_eq(set_policy("PTS", 0, 100, 12, 31), POINTS_OK);
	tu_now = TU_T0 + 3 * TU_DAY + 3600;
	ck_assert_int_eq(transfer(alice, bob, "PTS", 60, &t), POINTS_OK);
	TU_FAILS(db, transfer(alice, bob, "PTS", 41, NULL), POINTS_ELIMIT);
	ck_assert_str_eq(points_errmsg(db), "account E1001: daily transfer "
	    "limit of asset PTS: 100 a day, 60 transferred today, needs 41");
	/* a refused transfer counts nothing */
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 910, NULL), POINTS_OK);
	TU_FAILS(db, transfer(alice, bob, "PTS", 41, NULL), POINTS_ELIMIT);
	TU_FAILS(db, transfer(alice, bob, "PTS", 40, NULL),
	    POINTS_EINSUFFICIENT);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(transfer(alice, bob, "PTS", 40, NULL), POINTS_OK);
	TU_FAILS(db, transfer(alice, bob, "PTS", 1, NULL), POINTS_ELIMIT);
	/* per account: bob has his own */
	ck_assert_int_eq(transfer(bob, alice, "PTS", 100, NULL), POINTS_OK);
	/* a reversal gives nothing back */
	ck_assert_int_eq(tu_reverse(db, t.id, 0, NULL, NULL, &t), POINTS_OK);
	TU_FAILS(db, transfer(alice, bob, "PTS", 1, NULL), POINTS_ELIMIT);
	/* the local day ends at midnight of the ledger's offset */
	tu_now = TU_T0 + 4 * TU_DAY - 1;
	TU_FAILS(db, transfer(alice, bob, "PTS", 1, NULL), POINTS_ELIMIT);
	tu_now = TU_T0 + 4 * TU_DAY;
	ck_assert_int_eq(transfer(alice, bob, "PTS", 100, NULL), POINTS_OK);
	/* a limit lowered during the day sees what was sent */
	ck_assert_int_eq(set_policy("PTS", 0, 50, 12, 31), POINTS_OK);
	TU_FAILS(db, transfer(alice, bob, "PTS", 1, NULL), POINTS_ELIMIT);
	ck_assert(has(points_errmsg(db), "50 a day, 100 transferred today"));
	/* lifted: anything goes */
	ck_assert_int_eq(set_policy("PTS", 0, 0, 12, 31), POINTS_OK);
	ck_assert_int_eq(transfer(alice, bob, "PTS", 1, NULL), POINTS_OK);
}
END_TEST

START_TEST(test_daily_transfer_limit_counts_without_a_limit)
{
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1000, NULL), POINTS_OK);
	ck_assert_int_eq(transfer(alice, bob, "PTS", 80, NULL), POINTS_OK);
	ck_assert_int_eq(set_policy("PTS", 0, 100, 12, 31), POINTS_OK);
	TU_FAILS(db, transfer(alice, bob, "PTS", 21, NULL), POINTS_ELIMIT);
	ck_assert_int_eq(transfer(alice, bob, "PTS", 20, NULL), POINTS_OK);
}
END_TEST

/* The lot day of an earn at t in YE (year end, n as set). */
static int64_t
earn_expiry(const char *asset, int64_t t)
{
	points_lot_iterator *it;
	points_lot l;
	int64_t acct, exp;
	char ext[32];
	static int n;

	snprintf(ext, sizeof(ext), "U%d", ++n);
	acct = tu_account(db, ext);
	tu_now = t;
	ck_assert_int_eq(tu_earn(db, acct, asset, 1, NULL), POINTS_OK);
	ck_assert_int_eq(points_lot_iterator_new(db, acct, asset, INT64_MAX,
	    &it), POINTS_OK);
	ck_assert_int_eq(points_lot_next(it, &l), POINTS_OK);
	exp = l.expires_at;
	points_lot_iterator_free(it);
	return exp;
}

/* The last second of y-m-d, UTC (the test ledgers' offset is 0). */
static int64_t
end_of(int y, int m, int d)
{
	struct {
		int y, m, d;
	} base = { 1970, 1, 1 };
	int64_t days = 0;
	int yy, mm;
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	for (yy = base.y; yy < y; yy++)
		days += (yy % 4 == 0 && (yy % 100 != 0 || yy % 400 == 0)) ?
		    366 : 365;
	for (mm = 1; mm < m; mm++)
		days += md[mm - 1] + (mm == 2 && (y % 4 == 0 &&
		    (y % 100 != 0 || y % 400 == 0)));
	days += d - base.d;
	return (days + 1) * TU_DAY - 1;
}

START_TEST(test_year_end_clearing_date)
{
	/* YE: year end, n = 1, 31 Dec by default */
	ck_assert_int_eq(earn_expiry("YE", TU_T0 + 40 * TU_DAY),
	    end_of(2025, 12, 31));
	ck_assert_int_eq(points_asset_create(db, "FY", 0,
	    POINTS_EXPIRE_YEAR_END, 0), POINTS_OK);
	ck_assert_int_eq(set_policy("FY", 0, 0, 3, 31), POINTS_OK);
	/* financial years end on 31 March: n = 0 ends the year of
	 * earning */
	ck_assert_int_eq(earn_expiry("FY", end_of(2024, 1, 1) - 3600),
	    end_of(2024, 3, 31));
	ck_assert_int_eq(earn_expiry("FY", end_of(2024, 3, 31) - 60),
	    end_of(2024, 3, 31));
	ck_assert_int_eq(earn_expiry("FY", end_of(2024, 3, 31) + 1),
	    end_of(2025, 3, 31));
	ck_assert_int_eq(earn_expiry("FY", end_of(2024, 12, 31)),
	    end_of(2025, 3, 31));
	/* YE moved to 30 June, n = 1 */
	ck_assert_int_eq(set_policy("YE", 0, 0, 6, 30), POINTS_OK);
	ck_assert_int_eq(earn_expiry("YE", end_of(2024, 6, 30)),
	    end_of(2025, 6, 30));
	ck_assert_int_eq(earn_expiry("YE", end_of(2024, 7, 1)),
	    end_of(2026, 6, 30));
	/* 28 Feb in a leap year: 29 Feb belongs to the next year */
	ck_assert_int_eq(set_policy("FY", 0, 0, 2, 28), POINTS_OK);
	ck_assert_int_eq(earn_expiry("FY", end_of(2024, 2, 29)),
	    end_of(2025, 2, 28));
	ck_assert_int_eq(earn_expiry("FY", end_of(2024, 2, 28)),
	    end_of(2024, 2, 28));
	/* 1 January: each day of the year but the first ends a year on */
	ck_assert_int_eq(set_policy("FY", 0, 0, 1, 1), POINTS_OK);
	ck_assert_int_eq(earn_expiry("FY", end_of(2024, 1, 1)),
	    end_of(2024, 1, 1));
	ck_assert_int_eq(earn_expiry("FY", end_of(2024, 1, 2)),
	    end_of(2025, 1, 1));
	tu_now = end_of(2025, 1, 1);
}
END_TEST

START_TEST(test_policy_set_in_a_rolled_back_batch_is_forgotten)
{
	points_asset a;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(set_policy("PTS", POINTS_ASSET_NO_TRANSFER, 0, 12,
	    31), POINTS_OK);
	ck_assert_int_eq(transfer(alice, bob, "PTS", 1, NULL), POINTS_ESTATE);
	ck_assert_int_eq(points_asset_get(db, "PTS", &a), POINTS_OK);
	ck_assert_uint_eq(a.flags, POINTS_ASSET_NO_TRANSFER);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	ck_assert_int_eq(points_asset_get(db, "PTS", &a), POINTS_OK);
	ck_assert_uint_eq(a.flags, 0);
	ck_assert_int_eq(transfer(alice, bob, "PTS", 1, NULL), POINTS_OK);
}
END_TEST

/* Two handles on one file: a policy one sets, the other's postings
 * obey at once, whatever it had cached. */
START_TEST(test_policy_reaches_other_handles_at_once)
{
	points_db *other;
	points_asset a;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 100, NULL), POINTS_OK);
	ck_assert_int_eq(transfer(alice, bob, "PTS", 1, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "YE", 1, NULL), POINTS_OK);
	other = tu_open_bare(uri);
	ck_assert_int_eq(points_asset_get(other, "PTS", &a), POINTS_OK);
	{
		points_asset_policy p = POINTS_ASSET_POLICY_INIT;

		p.flags = POINTS_ASSET_NO_TRANSFER;
		ck_assert_int_eq(points_asset_policy_set(other, "PTS", &p),
		    POINTS_OK);
		p.flags = 0;
		p.year_end_month = 3;
		ck_assert_int_eq(points_asset_policy_set(other, "YE", &p),
		    POINTS_OK);
	}
	points_close(other);
	TU_FAILS(db, transfer(alice, bob, "PTS", 1, NULL), POINTS_ESTATE);
	ck_assert_int_eq(points_asset_get(db, "PTS", &a), POINTS_OK);
	ck_assert_uint_eq(a.flags, POINTS_ASSET_NO_TRANSFER);
	/* YE, n = 1, now ends on 31 March */
	ck_assert_int_eq(earn_expiry("YE", TU_T0 + 10 * TU_DAY),
	    end_of(2025, 3, 31));
}
END_TEST

/* Store a raw record (a test of the decoders). */
static void
put_raw(const char *ks_name, const void *k, size_t kl, const void *v,
    size_t vl)
{
	points_store *s = tu_store(db);
	struct points_keyspace *ks = tu_keyspace(db, ks_name);

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, ks, k, kl, v, vl), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

START_TEST(test_damaged_policy_records_are_corrupt)
{
	/* PTS is asset 1: a version-2 record with a clearing month 13 */
	static const unsigned char bad_month[] = { 2, 1, 0, 0, 0, 0, 0, 13, 1 };
	static const unsigned char good[] = { 2, 1, 0, 0, 0, 0, 5, 12, 31 };
	static const unsigned char trailing[] = { 1, 1, 0, 0, 0, 9 };
	static const unsigned char bad_day_rec[] = { 1, 0x81 };
	unsigned char k[8];
	uint64_t key = (uint64_t)alice << 16 | 1;
	points_asset a;
	int i;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	put_raw("asset", "PTS", 3, bad_month, sizeof(bad_month));
	ck_assert_int_eq(points_asset_get(db, "PTS", &a), POINTS_ECORRUPT);
	ck_assert_str_eq(points_errmsg(db), "asset PTS: record unreadable");
	ck_assert_int_eq(transfer(alice, bob, "PTS", 1, NULL),
	    POINTS_ECORRUPT);
	put_raw("asset", "PTS", 3, trailing, sizeof(trailing));
	ck_assert_int_eq(points_asset_get(db, "PTS", &a), POINTS_ECORRUPT);
	put_raw("asset", "PTS", 3, good, sizeof(good));
	ck_assert_int_eq(points_asset_get(db, "PTS", &a), POINTS_OK);
	ck_assert_int_eq(a.transfer_limit, 5);
	/* a daily counter cut short */
	for (i = 0; i < 8; i++)
		k[i] = (unsigned char)(key >> (56 - 8 * i));
	put_raw("xfer_day", k, 8, bad_day_rec, sizeof(bad_day_rec));
	ck_assert_int_eq(transfer(alice, bob, "PTS", 1, NULL),
	    POINTS_ECORRUPT);
	ck_assert(has(points_errmsg(db), "daily transfer counter"));
	/* bob's has none yet */
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(transfer(bob, alice, "PTS", 5, NULL), POINTS_OK);
	ck_assert_int_eq(transfer(bob, alice, "PTS", 1, NULL), POINTS_ELIMIT);
	put_raw("xfer_day", k, 8, "\x01\x00\x00", 3);
}
END_TEST

/* ---- A seeded random run against a model ---- */

enum { M_USERS = 3, M_POOLS = 2, M_ACCTS = M_USERS + M_POOLS };

typedef struct model {
	int64_t bal[M_ACCTS];   /* PTS available */
	int64_t issuer;
	int64_t sent[M_ACCTS];  /* transferred out on day */
	int64_t day[M_ACCTS];
	int64_t limit;
	int no_transfer;
} model;

static uint64_t rng;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int64_t
pick(int64_t n)
{
	return (int64_t)(rnd() % (uint64_t)n);
}

START_TEST(test_random_pools_and_transfer_limits_match_a_model)
{
	int64_t ids[M_ACCTS];
	model m;
	int step, i;
	char ext[32];
	int steps = getenv("POOL_STEPS") ? atoi(getenv("POOL_STEPS")) : 600;

	rng = 0x9e3779b97f4a7c15ull ^ (uint64_t)_i;
	memset(&m, 0, sizeof(m));
	for (i = 0; i < M_ACCTS; i++) {
		snprintf(ext, sizeof(ext), "M%d", i);
		if (i < M_USERS)
			ids[i] = tu_account(db, ext);
		else
			ck_assert_int_eq(points_account_create(db, ext, NULL,
			    POINTS_ACCOUNT_POOL, &ids[i]), POINTS_OK);
	}
	for (step = 0; step < steps; step++) {
		int op = (int)pick(7), want = POINTS_OK, rc;
		int64_t amount = 1 + pick(120);
		int u = (int)pick(M_USERS), v = (int)pick(M_USERS);
		int p = M_USERS + (int)pick(M_POOLS);
		int q = M_USERS + (int)pick(M_POOLS);
		int64_t today = (tu_now + 0) / TU_DAY;

		switch (op) {
		case 0: /* fund a pool from the issuer */
			rc = fund(ids[p], 0, "PTS", amount, NULL);
			m.bal[p] += amount;
			m.issuer -= amount;
			break;
		case 1: /* fund a pool from another */
			if (p == q)
				continue;
			if (m.bal[q] < amount)
				want = POINTS_EINSUFFICIENT;
			rc = fund(ids[p], ids[q], "PTS", amount, NULL);
			if (!want) {
				m.bal[q] -= amount;
				m.bal[p] += amount;
			}
			break;
		case 2: /* award */
			if (m.bal[p] < amount)
				want = POINTS_EINSUFFICIENT;
			rc = award(ids[p], ids[u], "PTS", amount, NULL);
			if (!want) {
				m.bal[p] -= amount;
				m.bal[u] += amount;
			}
			break;
		case 3: /* defund */
			if (m.bal[p] < amount)
				want = POINTS_EINSUFFICIENT;
			rc = defund(ids[p], 0, "PTS", amount, NULL);
			if (!want) {
				m.bal[p] -= amount;
				m.issuer += amount;
			}
			break;
		case 4: { /* transfer */
			int64_t sent;

			if (u == v)
				continue;
			sent = m.day[u] == today ? m.sent[u] : 0;
			if (m.no_transfer)
				want = POINTS_ESTATE;
			else if (m.limit && amount > m.limit - sent)
				want = POINTS_ELIMIT;
			else if (m.bal[u] < amount)
				want = POINTS_EINSUFFICIENT;
			rc = transfer(ids[u], ids[v], "PTS", amount, NULL);
			if (!want) {
				m.bal[u] -= amount;
				m.bal[v] += amount;
				m.day[u] = today;
				m.sent[u] = sent + amount;
			}
			break;
		}
		case 5: /* the clock moves on, by hours */
			tu_now += (1 + pick(30)) * 3600;
			continue;
		default: /* a new policy */
			m.no_transfer = pick(6) == 0;
			m.limit = pick(3) ? 50 + pick(200) : 0;
			rc = set_policy("PTS", m.no_transfer ?
			    POINTS_ASSET_NO_TRANSFER : 0, m.limit, 12, 31);
			break;
		}
		ck_assert_msg(rc == want, "step %d (op %d): %d, model says %d: "
		    "%s", step, op, rc, want, points_errmsg(db));
		for (i = 0; i < M_ACCTS; i++)
			ck_assert_msg(tu_available(db, ids[i], "PTS") ==
			    m.bal[i], "step %d: account %d has %lld, model %lld",
			    step, i, (long long)tu_available(db, ids[i], "PTS"),
			    (long long)m.bal[i]);
		ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_ISSUER, "PTS"),
		    m.issuer);
	}
}
END_TEST

static void
add_cases(TCase *tc)
{
	tcase_add_test(tc,
	    test_pool_is_a_system_account_that_may_not_go_negative);
	tcase_add_test(tc, test_pool_funds_awards_defunds_and_closes);
	tcase_add_test(tc, test_pool_cannot_overspend);
	tcase_add_test(tc, test_pool_takes_part_only_as_a_pool);
	tcase_add_test(tc, test_pool_statement_reads_as_fundings_and_awards);
	tcase_add_test(tc, test_pool_transactions_can_be_reversed);
	tcase_add_test(tc, test_pool_postings_are_idempotent);
	tcase_add_test(tc, test_verify_recomputes_pool_balances);
	tcase_add_test(tc, test_asset_policy_defaults);
	tcase_add_test(tc, test_asset_policy_bad_input_changes_nothing);
	tcase_add_test(tc, test_asset_that_may_not_be_transferred);
	tcase_add_test(tc, test_daily_transfer_limit);
	tcase_add_test(tc, test_daily_transfer_limit_counts_without_a_limit);
	tcase_add_test(tc, test_year_end_clearing_date);
	tcase_add_test(tc, test_policy_set_in_a_rolled_back_batch_is_forgotten);
	tcase_add_test(tc, test_damaged_policy_records_are_corrupt);
	tcase_add_loop_test(tc,
	    test_random_pools_and_transfer_limits_match_a_model, 0, 3);
}

static Suite *
pool_suite(void)
{
	Suite *s = suite_create("pool");
	/* "memory:": make check-c runs it on SQLite too */
	TCase *tc = tcase_create("pool");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup_memory, teardown);
	add_cases(tc);
	suite_add_tcase(s, tc);
	/* two handles on one file */
	tc = tcase_create("sqlite");
	tcase_add_checked_fixture(tc, setup_sqlite, teardown);
	tcase_add_test(tc, test_policy_reaches_other_handles_at_once);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(pool_suite());
}
