/* account_status.c - the changes an account's history keeps: its
 * department, tier and status (freeze, unfreeze, close), and the erasure
 * of its personal data.  Each is
 * checked, made in the account record and in the copy of status and
 * party that every balance record keeps (a posting reads them there, not
 * from the account), and recorded in the history (account_history.c). */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "core/account.h"
#include "core/account_history.h"
#include "core/balance.h"
#include "core/db.h"
#include "core/module.h"

static const char *const status_names[] = { "active", "frozen", "closed" };

const char *
points_account__status_name(int status)
{
	if (status < POINTS_ACCOUNT_ACTIVE || status > POINTS_ACCOUNT_CLOSED)
		return "?";
	return status_names[status];
}

/* The account's name in a message ("#id" once erased). */
static const char *
label(const points_account *a, char *buf, size_t cap)
{
	if (a->external_id[0])
		return a->external_id;
	snprintf(buf, cap, "#%lld", (long long)a->id);
	return buf;
}

/* Before the account closes, every module settles what it must (module.h:
 * past-due points expire). */
static int
modules_closing(points_db *db, int64_t account)
{
	const points_module *m;
	int rc;

	for (m = points_module__first(); m; m = m->next)
		if (m->closing && m->slot < db->nstate &&
		    (rc = m->closing(db, db->state[m->slot], account)))
			return rc;
	return POINTS_OK;
}

static int
check_status(points_db *db, const points_account *a, int to)
{
	static const char *const verbs[] = { "unfrozen", "frozen", "closed" };
	char buf[32];
	const char *name = label(a, buf, sizeof(buf));

	if (to < POINTS_ACCOUNT_ACTIVE || to > POINTS_ACCOUNT_CLOSED)
		return points_db__err(db, POINTS_EINVAL,
		    "account %s: unknown status %d", name, to);
	/* a budget pool is a system account a host made: it may be
	 * frozen, and closed once defunded */
	if ((a->flags & POINTS_ACCOUNT_SYSTEM) &&
	    !(a->flags & POINTS_ACCOUNT_POOL))
		return points_db__err(db, POINTS_EINVAL,
		    "account %s is a system account and cannot be %s",
		    name, verbs[to]);
	if (a->status == POINTS_ACCOUNT_CLOSED)
		return points_db__err(db, POINTS_ECLOSED, "account %s is closed",
		    name);
	if (to == POINTS_ACCOUNT_CLOSED) {
		int rc = modules_closing(db, a->id);

		return rc ? rc : points_balance__all_zero(db, a);
	}
	if (a->status == to)
		return points_db__err(db, POINTS_ESTATE,
		    "account %s is already %s", name, status_names[to]);
	return POINTS_OK;
}

int
points_account__change(points_db *db, points_account *a,
    const points_account_changes *c)
{
	points_account old = *a;
	int64_t last = -1;
	int party = 0, rc;

	if (c->status != POINTS_ACCOUNT_KEEP &&
	    (rc = check_status(db, a, c->status)))
		return rc;
	if ((c->department || c->tier) && (a->flags & POINTS_ACCOUNT_SYSTEM) &&
	    a->id <= POINTS_ACCOUNT_EXPIRY)
		return points_db__err(db, POINTS_EINVAL,
		    "account %s is built in and cannot change",
		    a->external_id);
	if (c->department && strcmp(c->department, a->department)) {
		if ((rc = points_account_history__add(db, a->id, &last,
		    POINTS_CHANGE_DEPARTMENT, a->department, c->department,
		    c->actor, c->reason)))
			return rc;
		strcpy(a->department, c->department);
		party = 1;
	}
	if (c->tier && strcmp(c->tier, a->tier)) {
		if ((rc = points_account_history__add(db, a->id, &last,
		    POINTS_CHANGE_TIER, a->tier, c->tier, c->actor,
		    c->reason)) ||
		    (rc = points_db__tier_changed(db, a->id, a->tier,
		    c->tier)))
			return rc;
		strcpy(a->tier, c->tier);
		party = 1;
	}
	if (c->status != POINTS_ACCOUNT_KEEP) {
		if ((rc = points_account_history__add(db, a->id, &last,
		    POINTS_CHANGE_STATUS, status_names[old.status],
		    status_names[c->status], c->actor, c->reason)))
			return rc;
		a->status = c->status;
		/* postings read the status from the balances */
		if ((rc = points_balance__set_status(db, a->id, a->status)))
			return rc;
	}
	if (party) {
		uint32_t was, now;

		/* entries from now on name the new department and tier */
		if ((rc = points_balance__party_of(db, &old, &was)) ||
		    (rc = points_balance__party_of(db, a, &now)))
			return rc;
		if (now != was &&
		    (rc = points_balance__set_party(db, a->id, now)))
			return rc;
	}
	return POINTS_OK;
}

int
points_account__edit_changes(points_db *db, points_account *a,
    const unsigned char *attrs, size_t attrs_len, int *new_attrs, void *ctx)
{
	(void)attrs;
	(void)attrs_len;
	(void)new_attrs;
	return points_account__change(db, a, ctx);
}

static int
set_status(points_db *db, int64_t id, int to)
{
	points_account_changes c = { NULL, NULL, POINTS_ACCOUNT_KEEP, NULL,
	    NULL };
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	c.status = to;
	return points_account__edit(db, id, points_account__edit_changes, &c);
}

POINTS_EXTERN int
points_account_freeze(points_db *db, int64_t id)
{
	return set_status(db, id, POINTS_ACCOUNT_FROZEN);
}

POINTS_EXTERN int
points_account_unfreeze(points_db *db, int64_t id)
{
	return set_status(db, id, POINTS_ACCOUNT_ACTIVE);
}

int
points_account__close_in(points_db *db, int64_t id, const char *actor,
    const char *reason)
{
	points_account_changes c = { NULL, NULL, POINTS_ACCOUNT_CLOSED, NULL,
	    NULL };

	c.actor = actor;
	c.reason = reason;
	return points_account__edit_in(db, id, points_account__edit_changes,
	    &c);
}

POINTS_EXTERN int
points_account_close(points_db *db, int64_t id)
{
	return set_status(db, id, POINTS_ACCOUNT_CLOSED);
}

/* ---- Erasing personal data ---- */

struct erase_ctx {
	const char *actor, *reason;
};

static int
edit_erase(points_db *db, points_account *a, const unsigned char *attrs,
    size_t attrs_len, int *new_attrs, void *ctx)
{
	struct erase_ctx *c = ctx;
	int64_t last = -1;
	int rc;

	(void)attrs;
	(void)attrs_len;
	if (a->flags & POINTS_ACCOUNT_SYSTEM)
		return points_db__err(db, POINTS_EINVAL, "account %s is a system "
		    "account and has no personal data", a->external_id);
	if (!a->external_id[0])
		return POINTS_OK; /* erased already */
	if (a->status != POINTS_ACCOUNT_CLOSED)
		return points_db__err(db, POINTS_ESTATE, "account %s is %s: "
		    "close it before erasing it", a->external_id,
		    points_account__status_name(a->status));
	if ((rc = points_db__del(db, &points_account__extid_ks, a->external_id,
	    strlen(a->external_id))))
		return rc;
	a->external_id[0] = a->name[0] = '\0';
	*new_attrs = 1; /* none: db->kbuf is empty */
	return points_account_history__add(db, a->id, &last,
	    POINTS_CHANGE_ERASE, "", "", c->actor, c->reason);
}

POINTS_EXTERN int
points_account_erase(points_db *db, int64_t id, const char *actor,
    const char *reason)
{
	struct erase_ctx c;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if ((rc = points_account_history__check(db, actor, reason)))
		return rc;
	c.actor = actor;
	c.reason = reason;
	return points_account__edit(db, id, edit_erase, &c);
}
