/* eligible.c - who may take part in an activity (activity/eligible.h,
 * points/eligible.h): a minimum available balance, tiers, departments
 * and a condition in the rule language over the account. */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "util/codec.h"
#include "core/account.h"
#include "core/db.h"
#include "rules/account_value.h"
#include "rules/cel.h"

#include "activity/eligible.h"

enum { VAR_ACCOUNT, VAR_AVAILABLE, NVARS };
static const char *const var_names[NVARS] = { "account", "available" };
/* account as the rules see it (rules/account_value.h) */
static const points_cel_field account_fields[] = {
	{ "id", POINTS_CEL_INT, NULL },
	{ "external_id", POINTS_CEL_STRING, NULL },
	{ "tier", POINTS_CEL_STRING, NULL },
	{ "department", POINTS_CEL_STRING, NULL },
	{ "created_at", POINTS_CEL_INT, NULL },
	{ "attrs", POINTS_CEL_MAP, NULL },
	{ "birth_month", POINTS_CEL_INT, NULL },
	{ "birth_day", POINTS_CEL_INT, NULL },
	{ "tenure_days", POINTS_CEL_INT, NULL },
	{ NULL, POINTS_CEL_NULL, NULL }
};
static const points_cel_field var_types[NVARS] = {
	{ "account", POINTS_CEL_MAP, account_fields },
	{ "available", POINTS_CEL_INT, NULL },
};
static const points_cel_decls decls = { var_names, NVARS, var_types };

static int
empty(const char *s)
{
	return !s || !*s;
}

/* Is name one of list's comma-separated names? */
static int
listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list, *c;

	for (;;) {
		c = strchr(p, ',');
		if ((size_t)((c ? c : p + strlen(p)) - p) == n &&
		    memcmp(p, name, n) == 0)
			return 1;
		if (!c)
			return 0;
		p = c + 1;
	}
}

static int
check_list(points_db *db, const char *what, const char *kind,
    const char *list)
{
	const char *p;
	int rc;

	if ((rc = points_db__check_str(db, kind, list,
	    POINTS_ELIGIBLE_LIST_MAX, 0)) || empty(list))
		return rc;
	for (p = list;; p++) {
		if ((*p == ',' || !*p) && (p == list || p[-1] == ','))
			return points_db__err(db, POINTS_EINVAL, "%s: %s '%s': "
			    "an empty name", what, kind, list);
		if (!*p)
			return POINTS_OK;
	}
}

static int
compile(points_db *db, const char *what, const char *src,
    points_cel_prog **out)
{
	char err[160];
	int rc;

	rc = points_cel__compile(src, &decls, out, err, sizeof(err));
	if (rc == POINTS_ENOMEM)
		return points_db__err(db, rc, "out of memory");
	if (rc)
		return points_db__err(db, POINTS_EINVAL, "%s: condition: %s",
		    what, err);
	return POINTS_OK;
}

int
points_eligible__check_def(points_db *db, const char *what,
    const points_eligible *e)
{
	points_cel_prog *p;
	int rc;

	if (e->min_balance < 0)
		return points_db__err(db, POINTS_EINVAL, "%s: the minimum "
		    "balance must not be negative", what);
	if ((rc = check_list(db, what, "tiers", e->tiers)) ||
	    (rc = check_list(db, what, "departments", e->departments)) ||
	    (rc = points_db__check_str(db, "condition", e->condition,
	    POINTS_ELIGIBLE_CONDITION_MAX, 0)) || empty(e->condition))
		return rc;
	if ((rc = compile(db, what, e->condition, &p)))
		return rc;
	points_cel__free(p);
	return POINTS_OK;
}

/* The condition over account a with available points. */
static int
condition(points_db *db, const char *what, const points_eligible *e,
    const points_account *a, int64_t available)
{
	points_rule_account av;
	points_cel_value vars[NVARS], v;
	points_cel_activation act;
	points_cel_scratch *s = NULL;
	points_cel_prog *p = NULL;
	points_account full;
	points_buf abuf;
	int rc;

	memset(&av, 0, sizeof(av));
	points_buf__init(&abuf);
	if ((rc = compile(db, what, e->condition, &p)))
		return rc == POINTS_EINVAL ? points_db__err(db, POINTS_ECORRUPT,
		    "%s: its stored condition does not compile",
		    what) : rc;
	if (!(s = points_alloc__malloc(sizeof(*s)))) {
		rc = points_db__err(db, POINTS_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = points_account__load_attrs(db, a->id, &full, &abuf)) ||
	    (rc = points_rule__account_value(db, &full, &abuf,
	    points_db__day(db, points_db__time(db, 0)), &av)))
		goto out;
	vars[VAR_ACCOUNT].type = POINTS_CEL_MAP;
	vars[VAR_ACCOUNT].u.map.e = av.fields;
	vars[VAR_ACCOUNT].u.map.n = av.nfields;
	vars[VAR_AVAILABLE] = points_cel__int(available);
	act.vals = vars;
	act.n = NVARS;
	act.utc_offset = db->utc_offset;
	points_cel__eval(p, &act, s, &v);
	if (v.type == POINTS_CEL_ERROR)
		rc = points_db__err(db, POINTS_ENOTELIGIBLE, "%s: account %s is "
		    "not eligible: the condition '%s' fails: %s", what,
		    a->external_id, e->condition, v.u.err);
	else if (v.type != POINTS_CEL_BOOL)
		rc = points_db__err(db, POINTS_ENOTELIGIBLE, "%s: account %s is "
		    "not eligible: the condition '%s' is not true or false",
		    what, a->external_id, e->condition);
	else if (!v.u.b)
		rc = points_db__err(db, POINTS_ENOTELIGIBLE, "%s: account %s is "
		    "not eligible: the condition '%s' is false", what,
		    a->external_id, e->condition);
out:
	points_rule__account_free(&av);
	points_buf__free(&abuf);
	points_alloc__free(s);
	points_cel__free(p);
	return rc;
}

int
points_eligible__any(const points_eligible *e)
{
	return e->min_balance > 0 || !empty(e->tiers) ||
	    !empty(e->departments) || !empty(e->condition);
}

int
points_eligible__check(points_db *db, const char *what,
    const points_eligible *e, const points_account *a, int64_t *available)
{
	points_balance bal;
	int rc;

	/* the balance only when something needs it */
	memset(&bal, 0, sizeof(bal));
	if ((e->min_balance > 0 || !empty(e->condition) || available) &&
	    (rc = points_balance_get(db, a->id, e->asset, &bal)))
		return rc;
	if (bal.available < e->min_balance)
		return points_db__err(db, POINTS_ENOTELIGIBLE, "%s: account %s "
		    "is not eligible: available %lld %s, it needs at least "
		    "%lld", what, a->external_id, (long long)bal.available,
		    e->asset, (long long)e->min_balance);
	if (!empty(e->tiers) && !listed(e->tiers, a->tier))
		return points_db__err(db, POINTS_ENOTELIGIBLE, "%s: account %s "
		    "is not eligible: its tier is %s%s%s, the tiers are %s",
		    what, a->external_id, a->tier[0] ? "'" : "",
		    a->tier[0] ? a->tier : "none", a->tier[0] ? "'" : "",
		    e->tiers);
	if (!empty(e->departments) && !listed(e->departments, a->department))
		return points_db__err(db, POINTS_ENOTELIGIBLE, "%s: account %s "
		    "is not eligible: its department is %s%s%s, the "
		    "departments are %s", what, a->external_id,
		    a->department[0] ? "'" : "",
		    a->department[0] ? a->department : "none",
		    a->department[0] ? "'" : "", e->departments);
	if (!empty(e->condition) &&
	    (rc = condition(db, what, e, a, bal.available)))
		return rc;
	if (available)
		*available = bal.available;
	return POINTS_OK;
}
