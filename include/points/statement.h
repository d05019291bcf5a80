/*
 * points/statement.h - an account's entries in one asset, through an
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
	char category[POINTS_CATEGORY_MAX + 1]; /* the write's, or "" */
	char actor[POINTS_ACTOR_MAX + 1];       /* the write's, or "" */
	/* the account's department and tier when the entry was posted ("":
	 * none, or a system account) */
	char department[POINTS_DEPT_MAX + 1];
	char tier[POINTS_TIER_MAX + 1];
} points_entry;

#define POINTS_NEWEST_FIRST 0
#define POINTS_OLDEST_FIRST 1
/* An iterator over the entries of account in asset with from <= time < to
 * (to 0: no limit), in order (POINTS_NEWEST_FIRST or POINTS_OLDEST_FIRST).
 * Each step reads in its own short transaction.  After points_close a
 * step is POINTS_EMISUSE; if it was opened inside a batch that is rolled
 * back, POINTS_ESTATE.  Free it with points_statement_iterator_free,
 * before or after points_close. */
typedef struct points_statement_iterator points_statement_iterator;
POINTS_EXTERN int points_statement_iterator_new(points_db *db,
    int64_t account, const char *asset, int64_t from, int64_t to, int order,
    points_statement_iterator **out);
/* POINTS_OK and the next entry in *out, or POINTS_ITEROVER at the end. */
POINTS_EXTERN int points_statement_next(points_statement_iterator *it,
    points_entry *out);
POINTS_EXTERN void points_statement_iterator_free(
    points_statement_iterator *it);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_STATEMENT_H */
