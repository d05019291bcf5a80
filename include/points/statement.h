/*
 * points/statement.h - an account's entries in one asset, as an
 * iterator.  Included by points.h.
 */
#ifndef POINTS_INCLUDE_STATEMENT_H
#define POINTS_INCLUDE_STATEMENT_H

#include "points/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Statements ---- */

typedef struct points_entry {
	char txn_id[POINTS_ID_LEN + 1];
	int64_t seq;
	int type;          /* POINTS_TXN_* */
	int64_t time;
	int64_t account;
	char asset[POINTS_ASSET_MAX + 1];
	int64_t amount;    /* change of available (negative: debit) */
	int64_t held;      /* change of held */
	int64_t counterparty;
	char memo[POINTS_MEMO_MAX + 1];
} points_entry;

#define POINTS_NEWEST_FIRST 0
#define POINTS_OLDEST_FIRST 1
/* Entries of account in asset with from <= time < to (to 0: no limit). */
POINTS_EXTERN int points_statement(points_db *db, int64_t account,
    const char *asset, int64_t from, int64_t to, int order, points_iter **out);
POINTS_EXTERN int points_entry_next(points_iter *it, points_entry *out);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_STATEMENT_H */
