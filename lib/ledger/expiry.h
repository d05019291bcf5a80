/* expiry.h - expiry when a write touches an account, and the sweep's
 * chunk.
 *
 * A write expires the past-due lots of every user balance it touches
 * before its own entry, with the usual EXPIRE entries, so that points
 * past their expiry can be neither spent, transferred nor held.  A
 * credit that brings back lots already past due (a refund, a release,
 * a capture or a transfer reversed, a backdated earn) has them expire
 * again right after its own entry.  The order of a write is then:
 *   points_expiry__begin(run, now)
 *   points_expiry__take(run, b, 0) for each user balance touched
 *   the operation's checks and work, in memory
 *   points_expiry__take(run, b, 1) for each balance credited
 *   points_expiry__charge(run, ...) (the expiry account's balance)
 *   points_expiry__append(run, 0), the operation's entry,
 *   points_expiry__append(run, 1), the stores, points_expiry__store(run)
 *   points_expiry__end(run)
 * so that nothing is written before every check has passed.  When nothing
 * is due (nearly always) each step is a comparison or two. */
#ifndef POINTS_LEDGER_EXPIRY_H
#define POINTS_LEDGER_EXPIRY_H

#include <stddef.h>

#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "core/lot.h"

/* Units of work (an expired hold, or a balance whose due lots expire)
 * per write transaction of the sweep: POINTS_SWEEP_CHUNK.  Only tests
 * change it, to cross chunk boundaries with small ledgers; the library
 * only reads it. */
extern size_t points_expiry__chunk;

/* The lots one balance loses: an EXPIRE entry. */
typedef struct points_expiry_due {
	points_balance_rec *b;
	int after;          /* after the operation's entry */
	int64_t amount;
	points_lotlist lots;
	points_lotrec buf[4];
} points_expiry_due;

/* A write touches at most two user balances, each before and after. */
#define POINTS_EXPIRY_DUE_MAX 4

typedef struct points_expiry_run {
	int64_t time;   /* the EXPIRE entries' time: the ledger's clock */
	uint32_t today; /* lots of earlier days are past due; 0: none is */
	size_t n;
	points_expiry_due due[POINTS_EXPIRY_DUE_MAX];
	points_balance_rec *eb; /* the expiry account's balance */
	points_balance_rec own; /* ... when the run loaded it */
	int own_loaded;
} points_expiry_run;

/* Start a write's run at now (the ledger's clock); now 0: nothing is
 * due (the sweep, which expires by itself). */
static inline void
points_expiry__begin(points_db *db, points_expiry_run *r, int64_t now)
{
	int64_t today = now ? points_db__day(db, now) : 0;

	r->time = now;
	r->today = today <= 0 ? 0 : today >= (int64_t)POINTS_DAY_NEVER ?
	    POINTS_DAY_NEVER : (uint32_t)today;
	r->n = 0;
	r->eb = NULL;
	r->own_loaded = 0;
}
/* Move b's past-due lots out of b (in memory: available, expired, the
 * lots); after: the EXPIRE entry comes after the operation's. */
int points_expiry__take_due(points_db *db, points_expiry_run *r,
    points_balance_rec *b, int after);
static inline int
points_expiry__take(points_db *db, points_expiry_run *r,
    points_balance_rec *b, int after)
{
	if (b->lots.n == 0 || b->lots.v[0].day >= r->today)
		return POINTS_OK;
	return points_expiry__take_due(db, r, b, after);
}
/* Before any write: credit the expiry account in memory.  a and b (may
 * be NULL) are balances the operation has loaded and will store: when
 * one is the expiry account's in the asset, it is used. */
int points_expiry__charge_due(points_db *db, points_expiry_run *r,
    points_balance_rec *a, points_balance_rec *b);
static inline int
points_expiry__charge(points_db *db, points_expiry_run *r,
    points_balance_rec *a, points_balance_rec *b)
{
	return r->n ? points_expiry__charge_due(db, r, a, b) : POINTS_OK;
}
/* Append the EXPIRE entries before (after 0) or after the operation's. */
int points_expiry__append_due(points_db *db, points_expiry_run *r,
    int after);
static inline int
points_expiry__append(points_db *db, points_expiry_run *r, int after)
{
	return r->n ? points_expiry__append_due(db, r, after) : POINTS_OK;
}
/* Store the expiry account's balance if the run loaded it. */
static inline int
points_expiry__store(points_db *db, points_expiry_run *r)
{
	return r->own_loaded ? points_balance__store(db, &r->own, 0) :
	    POINTS_OK;
}
void points_expiry__end_due(points_expiry_run *r);
static inline void
points_expiry__end(points_expiry_run *r)
{
	if (r->n || r->own_loaded)
		points_expiry__end_due(r);
}

#endif
