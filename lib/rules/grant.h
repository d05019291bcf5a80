/* grant.h - scheduled grants (points/rules.h, "Scheduled grants"): what
 * the tests reach of a run. */
#ifndef POINTS_RULES_GRANT_H
#define POINTS_RULES_GRANT_H

#include <stddef.h>

/* Accounts a run reads and pays in one write transaction:
 * POINTS_GRANT_CHUNK; tests lower it. */
extern size_t points_grant__chunk;

#endif
