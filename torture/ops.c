/* ops.c - the table of write operations the torture programs draw from
 * (torture.h says how to add one). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "torture.h"

static const char *
asset(tt_ctx *c)
{
	return tt_range(c, 0, 2) ? "PTS" : "EXP";
}

static int64_t
user(tt_ctx *c)
{
	return c->acct[tt_range(c, 0, TT_NACCT - 1)];
}

/* Remember what others may reverse, and record it. */
static void
wrote(tt_ctx *c, tt_rec *out, const points_txn *t)
{
	tt_rec_txn(c, out, t);
	tt_ring_add(&c->txns, t->id);
}

static int
post(tt_ctx *c, tt_rec *out, int (*fn)(points_db *, const points_posting *,
    points_txn *), points_posting *p)
{
	points_txn t;
	int rc;

	p->idempotency_key = tt_key(c);
	if ((rc = fn(c->db, p, &t)) == POINTS_OK)
		wrote(c, out, &t);
	return rc;
}

static int
op_earn(tt_ctx *c, tt_rec *out)
{
	points_posting p = POINTS_POSTING_INIT;

	p.asset = asset(c);
	p.account = user(c);
	p.amount = tt_range(c, 1, 100);
	p.category = "torture";
	return post(c, out, points_earn, &p);
}

/* Lots that expire within days, so that writes and sweeps post expiries
 * while the programs run (the clocks move a day in seconds). */
static int
op_earn_expiring(tt_ctx *c, tt_rec *out)
{
	points_posting p = POINTS_POSTING_INIT;

	p.asset = "EXP";
	p.account = user(c);
	p.amount = tt_range(c, 1, 100);
	p.expires_at = tt_clock_now() + tt_range(c, 1, 3 * TT_DAY);
	return post(c, out, points_earn, &p);
}

/* The same request twice: the second must replay the first. */
static int
op_earn_retry(tt_ctx *c, tt_rec *out)
{
	points_posting p = POINTS_POSTING_INIT;
	points_txn t1, t2;
	int rc;

	p.asset = asset(c);
	p.account = user(c);
	p.amount = tt_range(c, 1, 50);
	p.idempotency_key = tt_key(c);
	if ((rc = points_earn(c->db, &p, &t1)))
		return rc;
	/* recorded now: the second call may fail (busy) with t1 written */
	wrote(c, out, &t1);
	if ((rc = points_earn(c->db, &p, &t2)))
		return rc;
	if (!t2.replayed || strcmp(t1.id, t2.id) != 0 || t1.replayed) {
		snprintf(c->err, sizeof(c->err), "earn retried with key %s: "
		    "%s (replayed %d), then %s (replayed %d)",
		    p.idempotency_key, t1.id, t1.replayed, t2.id, t2.replayed);
		return TT_EBUG;
	}
	return POINTS_OK;
}

static int
op_spend(tt_ctx *c, tt_rec *out)
{
	points_posting p = POINTS_POSTING_INIT;

	p.asset = asset(c);
	p.account = user(c);
	p.amount = tt_range(c, 1, 80);
	p.memo = "torture spend";
	return post(c, out, points_spend, &p);
}

static int
op_transfer(tt_ctx *c, tt_rec *out)
{
	points_posting p = POINTS_POSTING_INIT;

	p.asset = asset(c);
	p.account = user(c);
	do
		p.counterparty = user(c);
	while (p.counterparty == p.account);
	p.amount = tt_range(c, 1, 80);
	return post(c, out, points_transfer, &p);
}

static int
op_adjust(tt_ctx *c, tt_rec *out)
{
	points_posting p = POINTS_POSTING_INIT;

	p.asset = asset(c);
	p.account = user(c);
	p.amount = tt_range(c, 1, 40) * (tt_range(c, 0, 1) ? 1 : -1);
	p.memo = "torture correction";
	p.actor = "torture";
	return post(c, out, points_adjust, &p);
}

static int
op_hold(tt_ctx *c, tt_rec *out)
{
	points_posting p = POINTS_POSTING_INIT;
	points_txn t;
	int rc;

	p.asset = asset(c);
	p.account = user(c);
	p.amount = tt_range(c, 1, 60);
	/* some with a deadline the sweep (or a later write) lapses */
	if (tt_range(c, 0, 3) == 0)
		p.expires_at = tt_clock_now() + tt_range(c, 1, 2 * TT_DAY);
	p.idempotency_key = tt_key(c);
	if ((rc = points_hold_create(c->db, &p, &t)) == POINTS_OK) {
		tt_rec_txn(c, out, &t);
		tt_ring_add(&c->holds, t.id);
	}
	return rc;
}

static int
op_capture(tt_ctx *c, tt_rec *out)
{
	points_capture q = POINTS_CAPTURE_INIT;
	char id[POINTS_ID_LEN + 1];
	points_txn t;
	int rc;

	int64_t part;
	int to_pool;

	if (tt_ring_pick(c, &c->holds, id))
		return POINTS_ESTATE;
	part = tt_range(c, 0, 30);
	to_pool = tt_range(c, 0, 3) == 0;
	q.hold_id = id;
	/* all, or a part (more than a small hold holds: POINTS_EINVAL);
	 * one call, no read of the hold first, so that the fault loops
	 * see one transaction */
	q.amount = part;
	if (to_pool)
		q.to = c->pool;
	q.idempotency_key = tt_key(c);
	rc = points_hold_capture(c->db, &q, &t);
	if (rc == POINTS_OK)
		wrote(c, out, &t);
	if (rc == POINTS_OK || rc == POINTS_ESTATE)
		tt_ring_drop(&c->holds, id);
	return rc;
}

static int
op_release(tt_ctx *c, tt_rec *out)
{
	points_release q = POINTS_RELEASE_INIT;
	char id[POINTS_ID_LEN + 1];
	points_txn t;
	int rc;

	if (tt_ring_pick(c, &c->holds, id))
		return POINTS_ESTATE;
	q.hold_id = id;
	q.idempotency_key = tt_key(c);
	if ((rc = points_hold_release(c->db, &q, &t)) == POINTS_OK)
		tt_rec_txn(c, out, &t);
	if (rc == POINTS_OK || rc == POINTS_ESTATE)
		tt_ring_drop(&c->holds, id);
	return rc;
}

static int
op_reverse(tt_ctx *c, tt_rec *out)
{
	points_reversal r = POINTS_REVERSAL_INIT;
	char id[POINTS_ID_LEN + 1];
	points_txn t;
	int rc;

	if (tt_ring_pick(c, &c->txns, id))
		return POINTS_ENOTFOUND;
	r.txn_id = id;
	if (tt_range(c, 0, 1))
		r.amount = tt_range(c, 1, 30); /* may be more than is left */
	if (tt_range(c, 0, 3) == 0)
		r.flags = POINTS_REVERSE_NO_DEBT;
	r.memo = "torture reversal";
	r.idempotency_key = tt_key(c);
	if ((rc = points_reverse(c->db, &r, &t)) == POINTS_OK)
		wrote(c, out, &t);
	return rc;
}

static int
op_sweep(tt_ctx *c, tt_rec *out)
{
	points_sweep_report rep;

	(void)out; /* no transaction id: the sweep's entries are EXPIREs */
	return points_expire_sweep(c->db, tt_clock_now(), &rep);
}

static int
op_pool_fund(tt_ctx *c, tt_rec *out)
{
	points_posting p = POINTS_POSTING_INIT;

	p.asset = "PTS";
	p.account = c->pool;
	p.amount = tt_range(c, 1, 500);
	return post(c, out, points_pool_fund, &p);
}

/* An award from the pool: an earn with the pool as payer. */
static int
op_pool_award(tt_ctx *c, tt_rec *out)
{
	points_posting p = POINTS_POSTING_INIT;

	p.asset = "PTS";
	p.account = user(c);
	p.counterparty = c->pool;
	p.amount = tt_range(c, 1, 100);
	p.memo = "torture award";
	return post(c, out, points_earn, &p);
}

static int
op_pool_defund(tt_ctx *c, tt_rec *out)
{
	points_posting p = POINTS_POSTING_INIT;

	p.asset = "PTS";
	p.account = c->pool;
	p.amount = tt_range(c, 1, 300);
	return post(c, out, points_pool_defund, &p);
}

/* A leaver: a new account earns, holds part, and leaves. */
static int
op_forfeit(tt_ctx *c, tt_rec *out)
{
	points_posting p = POINTS_POSTING_INIT;
	points_forfeit f = POINTS_FORFEIT_INIT;
	points_forfeit_report rep;
	points_txn t;
	char ext[POINTS_EXTID_MAX + 1];
	int64_t id;
	int rc;

	snprintf(ext, sizeof(ext), "L%s", tt_key(c));
	if ((rc = points_account_create(c->db, ext, NULL, 0, &id)))
		return rc;
	p.asset = asset(c);
	p.account = id;
	p.amount = tt_range(c, 1, 100);
	if ((rc = post(c, out, points_earn, &p)))
		return rc;
	p.idempotency_key = tt_key(c);
	p.amount = tt_range(c, 1, p.amount);
	if ((rc = points_hold_create(c->db, &p, &t)))
		return rc;
	tt_rec_txn(c, out, &t);
	f.account = id;
	f.memo = "torture leaver";
	f.idempotency_key = tt_key(c);
	if ((rc = points_account_forfeit(c->db, &f, &rep)))
		return rc;
	tt_rec_account(out, ext);
	return POINTS_OK;
}

/* Frozen for a moment: other processes meet POINTS_EFROZEN. */
static int
op_freeze(tt_ctx *c, tt_rec *out)
{
	int64_t id = user(c);
	int rc, tries;

	(void)out;
	if ((rc = points_account_freeze(c->db, id)))
		return rc;
	/* a busy unfreeze is tried again: left frozen, the account would
	 * refuse every later operation of the run */
	for (tries = 0; tries < 100; tries++)
		if ((rc = points_account_unfreeze(c->db, id)) != POINTS_EBUSY)
			break;
	return rc;
}

const tt_op tt_ops[] = {
	{ "earn", 20, op_earn, 0 },
	{ "earn_expiring", 6, op_earn_expiring, 0 },
	{ "earn_retry", 3, op_earn_retry, TT_MULTI },
	{ "spend", 12, op_spend, 0 },
	{ "transfer", 10, op_transfer, 0 },
	{ "adjust", 4, op_adjust, 0 },
	{ "hold", 10, op_hold, 0 },
	{ "capture", 6, op_capture, 0 },
	{ "release", 4, op_release, 0 },
	{ "reverse", 8, op_reverse, 0 },
	{ "sweep", 2, op_sweep, 0 },
	{ "pool_fund", 2, op_pool_fund, 0 },
	{ "pool_award", 4, op_pool_award, 0 },
	{ "pool_defund", 1, op_pool_defund, 0 },
	{ "forfeit", 2, op_forfeit, TT_MULTI },
	{ "freeze", 1, op_freeze, TT_MULTI },
};
const int tt_nops = (int)(sizeof(tt_ops) / sizeof(tt_ops[0]));
