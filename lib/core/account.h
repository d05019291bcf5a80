/* account.h - accounts: records, status checks, system accounts. */
#ifndef POINTS_ACCOUNT_H
#define POINTS_ACCOUNT_H

#include "points.h"
#include "core/db.h"

/* Load account id; POINTS_ENOTFOUND with a message when missing. */
int points_account__load(points_db *db, int64_t id, points_account *out);
/* The same for a posting's parties: the built-in system accounts never
 * change status or flags, so they are not read on every posting. */
int points_account__load_party(points_db *db, int64_t id,
    points_account *out);
/* Make the built-in system accounts of a new ledger. */
int points_account__create_system(points_db *db);

#endif
