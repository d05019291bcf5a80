/* meta.h - what an entry says about a write beyond the points it moves:
 * its category and actor (given by the request), and the department and
 * tier its accounts had when it was posted (their parties, party.h).
 * All are optional entry extensions (entry.h); a write that gives none,
 * between accounts that have none, writes an entry byte for byte as
 * before they existed.
 *
 * Encodings (this file owns the tags' bytes):
 *  POINTS_ENTRY_EXT_CATEGORY    the category's bytes, 1-32 of [a-z0-9_.-]
 *  POINTS_ENTRY_EXT_ACTOR       the actor's bytes, 1-64 of UTF-8
 *  POINTS_ENTRY_EXT_FROM_PARTY  the debited account's party id, a varint
 *  POINTS_ENTRY_EXT_TO_PARTY    the credited account's, when it is
 *                               another account than the debited one */
#ifndef POINTS_LEDGER_META_H
#define POINTS_LEDGER_META_H

#include "points.h"
#include "core/db.h"
#include "ledger/entry.h"

/* Check a request's category and actor (NULL: none); POINTS_EINVAL with
 * a message naming the request. */
int points_meta__check(points_db *db, const char *what, const char *category,
    const char *actor);
/* Record them in e (nothing for NULL). */
int points_meta__set(points_db *db, points_entry_rec *e, const char *category,
    const char *actor);
/* (The parties are set by points_entry__append from the balances, and
 * points_entry__meta reads category and actor: entry.c, with these
 * encodings.) */
/* The party e recorded for account (its from or to side): 0 when none;
 * POINTS_ECORRUPT with a message when the extension is unreadable. */
int points_meta__party(points_db *db, const points_entry_rec *e,
    int64_t account, uint32_t *out);

#endif
