/*
 * points/eligible.h - who may take part in an activity (a lottery, an
 * auction): the limits of the strings an activity's definition gives.
 * Included by points.h.
 *
 * An activity's definition names, beside its asset:
 *   min_balance  the account's available balance of the asset must be at
 *                least this (0: any);
 *   tiers        "" (any), or tier names separated by commas
 *                ("gold,platinum"): the account's tier must be one;
 *   departments  "" (any), or department names separated by commas: the
 *                account's department must be one;
 *   condition    "" (none), or an expression of the rule language
 *                (points_rules(7)) over `account` (as rules see it: id,
 *                external_id, tier, department, created_at, attrs,
 *                birth_month, birth_day, tenure_days) and `available`
 *                (the account's available balance of the asset): the
 *                account takes part when it is true.
 * An account that fails one is refused with POINTS_ENOTELIGIBLE, the
 * message naming the account and the reason; nothing is written.
 */
#ifndef POINTS_INCLUDE_ELIGIBLE_H
#define POINTS_INCLUDE_ELIGIBLE_H

#include "points/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define POINTS_ELIGIBLE_LIST_MAX 256      /* tiers or departments, bytes */
#define POINTS_ELIGIBLE_CONDITION_MAX 1024 /* the condition, bytes */

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_ELIGIBLE_H */
