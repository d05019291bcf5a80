/* account.h - accounts: records, status checks, system accounts. */
#ifndef POINTS_CORE_ACCOUNT_H
#define POINTS_CORE_ACCOUNT_H

#include "points.h"
#include "core/db.h"

extern points_ksdef points_account__ks;       /* id (be64) -> account record */

/* The largest account id: a balance's key holds the account id in 47
 * bits beside the asset's 16 (balance.h). */
#define POINTS_ACCOUNT__ID_MAX (((int64_t)1 << 47) - 1)
extern points_ksdef points_account__extid_ks; /* external id -> id (be64) */

/* Load account id; POINTS_ENOTFOUND with a message when missing. */
int points_account__load(points_db *db, int64_t id, points_account *out);
/* The same, and a copy of its attributes in attrs: pairs of
 * length-prefixed strings (codec.h), key then value. */
int points_account__load_attrs(points_db *db, int64_t id, points_account *out,
    points_buf *attrs);
/* The same for a posting's parties: the built-in system accounts never
 * change status or flags, so they are not read on every posting. */
int points_account__load_party(points_db *db, int64_t id,
    points_account *out);
/* Write account a (its external id unused: else POINTS_EEXISTS) under
 * the next id, set in a->id. */
int points_account__insert(points_db *db, points_account *a);
/* Make the built-in system accounts of a new ledger. */

/* Read-modify-write of one account record in its own write transaction.
 * edit() changes the decoded account and may rebuild the attributes into
 * db->kbuf (set *new_attrs). */
typedef int (*points_account_edit_fn)(points_db *db, points_account *a,
    const unsigned char *attrs, size_t attrs_len, int *new_attrs, void *ctx);
int points_account__edit(points_db *db, int64_t id,
    points_account_edit_fn edit, void *ctx);
/* The same inside the caller's write transaction. */
int points_account__edit_in(points_db *db, int64_t id,
    points_account_edit_fn edit, void *ctx);
/* Close account id inside the caller's write transaction, as
 * points_account_close does (every balance at zero), recording actor
 * and reason (either may be NULL) in its history. */
int points_account__close_in(points_db *db, int64_t id, const char *actor,
    const char *reason);

/* Changes kept in the history (account_status.c): NULL and
 * POINTS_ACCOUNT_KEEP leave a field as it is. */
typedef struct points_account_changes {
	const char *tier, *department;
	int status;
	const char *actor, *reason;
} points_account_changes;
/* Inside an edit() of a: check and make the changes, record each in the
 * history, and give the balances the new status and party. */
int points_account__change(points_db *db, points_account *a,
    const points_account_changes *c);
/* The edit() that makes the points_account_changes ctx. */
int points_account__edit_changes(points_db *db, points_account *a,
    const unsigned char *attrs, size_t attrs_len, int *new_attrs, void *ctx);
/* The name of a status: "active", "frozen", "closed". */
const char *points_account__status_name(int status);

#endif
