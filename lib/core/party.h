/* party.h - an account's department and tier as one small number.
 *
 * Entries keep the department and tier their accounts had when they were
 * posted (ledger/meta.h), and balance records keep their account's
 * current ones, so that a posting need not read the account.  Both keep
 * a party id: each distinct (department, tier) pair is stored once, in
 * keyspace "party" (id -> the pair), with an index "partyname" (the pair
 * -> id); ids count from 1 and are never reused or changed, so an old
 * entry's id still names what it named.  0 is "no department, no tier". */
#ifndef POINTS_CORE_PARTY_H
#define POINTS_CORE_PARTY_H

#include "points.h"
#include "core/db.h"

extern points_ksdef points_party__ks;
extern points_ksdef points_party__name_ks;

/* The id of (department, tier) (NULL or "": none), made when new; 0 for
 * two empty ones.  Inside a write transaction. */
int points_party__intern(points_db *db, const char *department,
    const char *tier, uint32_t *out);
/* The pair of party id (0: two empty strings); POINTS_ECORRUPT with a
 * message when id names none. */
int points_party__load(points_db *db, uint32_t id,
    char department[POINTS_DEPT_MAX + 1], char tier[POINTS_TIER_MAX + 1]);

#endif
