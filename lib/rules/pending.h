/* pending.h - pending points: an award a rule gives as pending
 * (points_rule_def.pending_days) is credited like any other, and its
 * balance marks it not spendable through its last pending day
 * (core/balance.h, pend).  Nothing is written when the day passes: reads
 * and debits compare the day with the ledger's clock. */
#ifndef POINTS_RULES_PENDING_H
#define POINTS_RULES_PENDING_H

#include <stdint.h>

#include "core/db.h"

/* The last day (the ledger's UTC offset) the points of an event at time
 * t stay pending under a rule of days pending days. */
uint32_t points_pending__last_day(points_db *db, int64_t t, int64_t days);

/* After the posting that credited amount to account in asset (inside
 * the write): mark it pending through the last day of an event at t
 * under days pending days (0: nothing to do). */
int points_pending__mark(points_db *db, int64_t account, const char *asset,
    int64_t t, int64_t days, int64_t amount);

/* Before the reversal of such a posting takes amount back: what is
 * still pending of the award's day is taken first (it becomes
 * spendable for the reversal's debit).  *taken (may be NULL): how
 * much was pending. */
int points_pending__unmark(points_db *db, int64_t account, const char *asset,
    int64_t t, int64_t days, int64_t amount, int64_t *taken);

#endif
