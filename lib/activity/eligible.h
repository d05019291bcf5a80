/* eligible.h - who may take part in an activity (points/eligible.h):
 * the checks a lottery's draw and an auction's bid share. */
#ifndef POINTS_ACTIVITY_ELIGIBLE_H
#define POINTS_ACTIVITY_ELIGIBLE_H

#include <stdint.h>

#include "points.h"

/* An activity's terms of taking part (strings borrowed; "" or NULL:
 * none). */
typedef struct points_eligible {
	const char *asset;
	int64_t min_balance;
	const char *tiers;
	const char *departments;
	const char *condition;
} points_eligible;

/* Check the terms of a definition: POINTS_OK, or POINTS_EINVAL naming
 * what (e.g. "lottery 'anniversary'") and the reason (a list too long or
 * with an empty name, a condition that does not compile). */
int points_eligible__check_def(points_db *db, const char *what,
    const points_eligible *e);

/* Whether e sets any term (else every account may take part). */
int points_eligible__any(const points_eligible *e);

/* Inside a transaction: may account a take part in what (e.g. "lottery
 * 3")?  POINTS_OK, or POINTS_ENOTELIGIBLE naming the account and the
 * reason; POINTS_ENOMEM or a store's error otherwise.  *available (may
 * be NULL): the account's available balance of e->asset. */
int points_eligible__check(points_db *db, const char *what,
    const points_eligible *e, const points_account *a, int64_t *available);

#endif
