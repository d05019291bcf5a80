/* account_history.h - the changes of accounts' department, tier and
 * status, and their erasure, with time, actor and reason.
 *
 * Keyspace "acchist": account (be64) + the account's change number
 * (be64, from 1) -> version, time, field, old value, new value, actor,
 * reason.  Appended only; read by points_account_history_iterator. */
#ifndef POINTS_CORE_ACCOUNT_HISTORY_H
#define POINTS_CORE_ACCOUNT_HISTORY_H

#include "points.h"
#include "core/db.h"

extern points_ksdef points_account_history__ks;

/* Record a change of account (field POINTS_CHANGE_*) at the ledger's
 * clock; actor and reason may be NULL.  Inside a write transaction.
 * *last is the number of the account's last change: -1 when not known
 * yet (it is read, then kept up to date, so that several changes in one
 * call read it once). */
int points_account_history__add(points_db *db, int64_t account,
    int64_t *last, int field, const char *old_value, const char *new_value,
    const char *actor, const char *reason);
/* Check an actor and a reason (NULL: none); POINTS_EINVAL with a
 * message. */
int points_account_history__check(points_db *db, const char *actor,
    const char *reason);

#endif
