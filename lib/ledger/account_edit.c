/* account_edit.c - points_account_apply: changes of an account's
 * department, tier and status with an actor, a reason and an
 * idempotency key, through the one write path (write.h).  The changes
 * themselves are the core's (core/account_status.c); this file adds the
 * request and its key.  The keys live in their own keyspace: their
 * records name an account, not an entry. */
#include <stddef.h>
#include <string.h>

#include "points.h"
#include "core/account.h"
#include "core/account_history.h"
#include "core/db.h"
#include "ledger/write.h"

/* The fingerprint's first byte: no transaction type has it. */
#define ACCOUNT_EDIT_TYPE 64
#define ACCOUNT_IDEM_RECORD_V1 1

/* idempotency key -> account id + request hash (idem.c's records) */
static points_ksdef account_idem_ks = { "acctidem", 0, 0 };
static points_ksdef *const keyspaces[] = { &account_idem_ks, NULL };
static points_module account_edit_module = {
	.name = "account_edit",
	.format = ACCOUNT_IDEM_RECORD_V1,
	.keyspaces = keyspaces,
};
POINTS_MODULE(account_edit_module)

static const points_field edit_fields[] = {
	POINTS_FIELD(points_account_edit, version, POINTS_FIELD_UINT,
	    POINTS_FIELD_VERSION, 1),
	POINTS_FIELD(points_account_edit, account, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_account_edit, tier, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_account_edit, department, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_account_edit, status, POINTS_FIELD_INT,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_account_edit, actor, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_account_edit, reason, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_account_edit, idempotency_key, POINTS_FIELD_STR,
	    POINTS_FIELD_KEY, 1),
};
static const size_t edit_sizes[] = {
	0, POINTS_END_OF(points_account_edit, idempotency_key), /* 1 */
};
static const points_account_edit edit_defaults = POINTS_ACCOUNT_EDIT_INIT;
const points_reqtype points_account_edit__req = {
	"account edit", sizeof(points_account_edit),
	POINTS_ACCOUNT_EDIT_VERSION, edit_sizes, &edit_defaults, edit_fields,
	sizeof(edit_fields) / sizeof(edit_fields[0]),
	offsetof(points_account_edit, idempotency_key),
};
POINTS_WRITE_REQUEST_FITS(points_account_edit);
POINTS_WRITE_RESULT_FITS(points_account);

static int
validate_edit(points_db *db, const points_write_op *op, const void *req,
    void *ctx)
{
	const points_account_edit *e = req;
	int rc;

	(void)op;
	(void)ctx;
	if (e->account <= 0)
		return points_db__err(db, POINTS_ENOTFOUND,
		    "account %lld not found", (long long)e->account);
	if ((rc = points_db__check_str(db, "tier", e->tier, POINTS_TIER_MAX,
	    0)) ||
	    (rc = points_db__check_str(db, "department", e->department,
	    POINTS_DEPT_MAX, 0)) ||
	    (rc = points_account_history__check(db, e->actor, e->reason)))
		return rc;
	if (e->status != POINTS_ACCOUNT_KEEP &&
	    (e->status < POINTS_ACCOUNT_ACTIVE ||
	    e->status > POINTS_ACCOUNT_CLOSED))
		return points_db__err(db, POINTS_EINVAL,
		    "unknown account status %d", e->status);
	if (!e->tier && !e->department && e->status == POINTS_ACCOUNT_KEEP)
		return points_db__err(db, POINTS_EINVAL,
		    "account edit: nothing to change");
	return POINTS_OK;
}

static int
edit_body(points_db *db, const points_write_op *op, const void *req,
    void *ctx, void *result, int64_t *seq)
{
	const points_account_edit *e = req;
	points_account_changes c;
	int rc;

	(void)op;
	(void)ctx;
	c.tier = e->tier;
	c.department = e->department;
	c.status = e->status;
	c.actor = e->actor;
	c.reason = e->reason;
	if ((rc = points_account__edit_in(db, e->account,
	    points_account__edit_changes, &c)))
		return rc;
	*seq = e->account;
	return points_account__load(db, e->account, result);
}

/* A replay: the account (the key recorded its id) as it is now. */
static int
edit_replay(points_db *db, const points_write_op *op, int64_t seq,
    void *result)
{
	(void)op;
	return points_account__load(db, seq, result);
}

static const points_write_op account_edit_op = {
	"account edit", ACCOUNT_EDIT_TYPE, &points_account_edit__req,
	sizeof(points_account), validate_edit, edit_body, edit_replay, NULL,
	NULL,
};

POINTS_EXTERN int
points_account_apply(points_db *db, const points_account_edit *e,
    points_account *out)
{
	return points_write__run_ks(db, &account_edit_op, &account_idem_ks, e,
	    NULL, out);
}

POINTS_EXTERN int
points_account_edit_init(points_account_edit *e, unsigned int version)
{
	return points_write__init(&points_account_edit__req, e, version);
}
