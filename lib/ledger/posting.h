/* posting.h - moving points between balances and their lots. */
#ifndef POINTS_LEDGER_POSTING_H
#define POINTS_LEDGER_POSTING_H

#include "points.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "core/lot.h"
#include "ledger/write.h"

/* The posting as a request (write.h), and the writes that take one. */
extern const points_reqtype points_posting__req;
extern const size_t points_posting__sizes[];
extern const points_write_op points_posting__earn_op;
extern const points_write_op points_posting__spend_op;
extern const points_write_op points_posting__transfer_op;
extern const points_write_op points_posting__adjust_op;
extern const points_write_op points_posting__fund_op;
extern const points_write_op points_posting__defund_op;
/* Run a posting op (one of the above) out of line. */
int points_posting__run(points_db *db, const points_write_op *op,
    const points_posting *p, points_txn *out);

/* Run a posting op inside a write that is running (the body of another
 * op, which posts several): no idempotency key (POINTS_EINVAL); *seq is
 * the entry's. */
int points_posting__within(points_db *db, const points_write_op *op,
    const points_posting *p, points_txn *out, int64_t *seq);
/* The same for an earn, with module data tag (core/balance.h) of the
 * credited balance set to the n bytes at p in the same store: what an
 * operation counts per balance beside its earn costs no second write
 * of the record. */
typedef struct points_posting_data {
	unsigned tag;
	const void *p;
	size_t n;
} points_posting_data;
int points_posting__within_data(points_db *db, const points_write_op *op,
    const points_posting *p, const points_posting_data *data,
    points_txn *out, int64_t *seq);

/* Credit amount to b (user accounts get lots: from src, latest first,
 * then at fallback_day); the lots added are pushed to in_lots. */
int points_posting__credit(points_db *db, points_balance_rec *b, int64_t amount,
    const points_lotlist *src, uint32_t fallback_day, points_lotlist *in_lots);
/* Debit amount from b's available, taking lots (prefer first); checks
 * for enough unless the account may go negative. */
int points_posting__debit(points_db *db, points_balance_rec *b, int64_t amount,
    const points_lotlist *prefer, points_lotlist *out_lots);

/* Credit amount to b as points_posting__credit does, after repaying
 * b's debt from it (debt.h); *repaid is the part that repaid. */
int points_posting__credit_repaying(points_db *db, points_balance_rec *b,
    int64_t amount, const points_lotlist *src, uint32_t fallback_day,
    points_lotlist *in_lots, int64_t *repaid);
/* Debit amount from b as points_posting__debit does, except that a user
 * account that may not go negative gives what it has available and owes
 * the rest (*owed, debt.h), unless no_debt: then POINTS_EINSUFFICIENT
 * naming what the reversal of transaction txn would leave owed. */
int points_posting__debit_owing(points_db *db, points_balance_rec *b,
    int64_t amount, const points_lotlist *prefer, points_lotlist *out_lots,
    int no_debt, const char *txn, int64_t *owed);

/* Store both balances of a posting (once when from is to). */
int points_posting__store_pair(points_db *db, points_balance_rec *from, points_balance_rec *to);
/* Add v to *c, b's lifetime counter name ("earned", "spent"):
 * POINTS_EOVERFLOW, naming the account and the counter, when it would
 * overflow. */
int points_posting__counter_add(points_db *db, points_balance_rec *b,
    const char *name, int64_t *c, int64_t v);

/* ---- Expiry when a write touches an account ----
 *
 * A write expires the past-due lots of every user balance it touches
 * before its own entry, with the usual EXPIRE entries, so that points
 * past their expiry can be neither spent, transferred nor held.  A
 * credit that brings back lots already past due (a refund, a release,
 * a capture or a transfer reversed, a backdated earn) has them expire
 * again right after its own entry.  The order of a write is then:
 *   expiry_begin(run, now)
 *   expiry_take(run, b, 0) for each user balance touched
 *   the operation's checks and work, in memory
 *   expiry_take(run, b, 1) for each balance credited
 *   expiry_charge(run, ...) (the expiry account's balance)
 *   expiry_append(run, 0), the operation's entry, expiry_append(run, 1)
 *   the stores, expiry_store(run)
 *   expiry_end(run)
 * (each points_posting__expiry_*)
 * so that nothing is written before every check has passed.  When nothing
 * is due (nearly always) each step is a comparison or two. */

/* The lots one balance loses: an EXPIRE entry. */
typedef struct points_posting_due {
	points_balance_rec *b;
	points_balance_rec *eb; /* the expiry account's record it goes to */
	int after;          /* after the operation's entry */
	int64_t amount;
	points_lotlist lots;
	points_lotrec buf[4];
} points_posting_due;

/* A write touches at most two user balances, each before and after. */
#define POINTS_POSTING_DUE_MAX 4

typedef struct points_posting_expiry {
	int64_t time;   /* the EXPIRE entries' time: the ledger's clock */
	uint32_t today; /* lots of earlier days are past due; 0: none is */
	size_t n;
	points_posting_due due[POINTS_POSTING_DUE_MAX];
	/* The expiry account's records the run loaded: one for each log
	 * partition of the balances (two for a write between users of
	 * two partitions, entry.h's legs). */
	points_balance_rec own[2];
	unsigned own_part[2];
	size_t own_n;
} points_posting_expiry;

/* Start a write's run at now (the ledger's clock); now 0: nothing is
 * due (the sweep, which expires by itself). */
static inline void
points_posting__expiry_begin(points_db *db, points_posting_expiry *r,
    int64_t now)
{
	int64_t today = now ? points_db__day(db, now) : 0;

	r->time = now;
	r->today = today <= 0 ? 0 : today >= (int64_t)POINTS_DAY_NEVER ?
	    POINTS_DAY_NEVER : (uint32_t)today;
	r->n = 0;
	r->own_n = 0;
}
/* Move b's past-due lots out of b (in memory: available, expired, the
 * lots); after: the EXPIRE entry comes after the operation's. */
int points_posting__expiry_take_due(points_db *db, points_posting_expiry *r,
    points_balance_rec *b, int after);
static inline int
points_posting__expiry_take(points_db *db, points_posting_expiry *r,
    points_balance_rec *b, int after)
{
	if (b->lots.n == 0 || b->lots.v[0].day >= r->today)
		return POINTS_OK;
	return points_posting__expiry_take_due(db, r, b, after);
}

/* eb, a record of the expiry account in log partitions, is to take
 * amount expired points, to hold now: the sum of its records must fit
 * int64 (EOVERFLOW, with a message, when it would not).  Past its share
 * (balance.h, wide), or once the account is marked, the records are
 * summed; held[0..nheld) (NULL ones skipped) are the records the caller
 * holds, which are stored first (marked too when one is the own
 * record). */
int points_posting__expiry_fits(points_db *db, points_balance_rec *eb,
    int64_t amount, int64_t now, points_balance_rec *const *held,
    size_t nheld);

/* Before any write: credit the expiry account in memory.  a and b (may
 * be NULL) are balances the operation has loaded and will store: when
 * one is the expiry account's in the asset, it is used.  (In log
 * partitions, a record of it past its share is stored at once:
 * points_posting__expiry_fits.) */
int points_posting__expiry_charge_due(points_db *db, points_posting_expiry *r,
    points_balance_rec *a, points_balance_rec *b);
static inline int
points_posting__expiry_charge(points_db *db, points_posting_expiry *r,
    points_balance_rec *a, points_balance_rec *b)
{
	return r->n ? points_posting__expiry_charge_due(db, r, a, b) :
	    POINTS_OK;
}
/* Append the EXPIRE entries before (after 0) or after the operation's. */
int points_posting__expiry_append_due(points_db *db, points_posting_expiry *r,
    int after);
static inline int
points_posting__expiry_append(points_db *db, points_posting_expiry *r,
    int after)
{
	return r->n ? points_posting__expiry_append_due(db, r, after) :
	    POINTS_OK;
}
/* Store the expiry account's records the run loaded. */
int points_posting__expiry_store_due(points_db *db, points_posting_expiry *r);
static inline int
points_posting__expiry_store(points_db *db, points_posting_expiry *r)
{
	return r->own_n ? points_posting__expiry_store_due(db, r) :
	    POINTS_OK;
}
void points_posting__expiry_end_due(points_posting_expiry *r);
/* Expire b's past-due lots now, as a write of its own (the EXPIRE entry,
 * b and the expiry account's balance stored): for a write that empties
 * an account (a forfeiture, a close), whose past-due points expire
 * rather than move.  Nothing is written when nothing is due. */
int points_posting__expire_now(points_db *db, points_balance_rec *b);
static inline void
points_posting__expiry_end(points_posting_expiry *r)
{
	if (r->n || r->own_n)
		points_posting__expiry_end_due(r);
}

#endif
