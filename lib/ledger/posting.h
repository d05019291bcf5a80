/* posting.h - moving points between balances and their lots. */
#ifndef POINTS_LEDGER_POSTING_H
#define POINTS_LEDGER_POSTING_H

#include "points.h"
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

/* Credit amount to b (user accounts get lots: from src, latest first,
 * then at fallback_day); the lots added are pushed to in_lots. */
int points_posting__credit(points_db *db, points_balance_rec *b, int64_t amount,
    const points_lotlist *src, uint32_t fallback_day, points_lotlist *in_lots);
/* Debit amount from b's available, taking lots (prefer first); checks
 * for enough unless the account may go negative. */
int points_posting__debit(points_db *db, points_balance_rec *b, int64_t amount,
    const points_lotlist *prefer, points_lotlist *out_lots);

/* Store both balances of a posting (once when from is to). */
int points_posting__store_pair(points_db *db, points_balance_rec *from, points_balance_rec *to);
/* Add v to a lifetime counter, POINTS_EOVERFLOW when it would overflow. */
int points_posting__counter_add(points_db *db, int64_t *c, int64_t v);

#endif
