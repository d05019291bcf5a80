/* account_value.h - an account as the expressions of rules and grants
 * see it: the map `account` of their activations (event.c, grant.c). */
#ifndef POINTS_RULES_ACCOUNT_VALUE_H
#define POINTS_RULES_ACCOUNT_VALUE_H

#include "points.h"
#include "util/codec.h"
#include "core/db.h"
#include "rules/cel.h"

/* id, external_id, tier, department, created_at, attrs, and what the
 * attributes give: birth_month, birth_day (from "birthday"),
 * tenure_days (from "hire_date") */
#define POINTS_RULE__ACCOUNT_FIELDS 9

typedef struct points_rule_account {
	points_cel_entry fields[POINTS_RULE__ACCOUNT_FIELDS];
	size_t nfields;
	/* attrs' entries, pointing into the caller's buffer of attributes;
	 * heap memory kept from one account to the next */
	points_cel_entry *aents;
	size_t naents, aentcap;
} points_rule_account;

/* Make v the map of account a, its attributes encoded in abuf
 * (points_account__load_attrs) and kept there while v is used; tenure
 * counted at day today (days since 1970-01-01).  The map is v->fields,
 * v->nfields of them. */
int points_rule__account_value(points_db *db, const points_account *a,
    const points_buf *abuf, int64_t today, points_rule_account *v);
void points_rule__account_free(points_rule_account *v);

#endif
