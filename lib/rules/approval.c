/* approval.c - four eyes (points/rules.h, "Approval"): awards that wait
 * for a second actor before anything is posted.
 *
 * Stored (each keyspace its own):
 *   approval      id (be64, appended) -> the approval, as
 *                 points_approval has it
 *   approvalopen  id (be64) -> account (be64): the pending ones, which
 *                 points_approval_iterator_new lists; a decision
 *                 deletes the key
 *   approvalidem  a nomination's idempotency key -> the request's
 *                 fingerprint and the approval's id (ledger/idem.h)
 *
 * An approval posts its earn when approved, in the transaction that
 * records the decision: a refusal (a frozen account, an approver who is
 * the nominator, a decided approval) writes nothing. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/db.h"
#include "core/iter.h"
#include "core/module.h"
#include "ledger/idem.h"
#include "ledger/meta.h"
#include "ledger/posting.h"
#include "rules/approval.h"
#include "rules/pending.h"

#define APPROVAL_FORMAT 1
#define APPROVAL_V1 1

static points_ksdef approval_ks = { "approval", POINTS_KS_INTKEY, 0 };
static points_ksdef open_ks = { "approvalopen", POINTS_KS_ORDERED, 0 };
static points_ksdef idem_ks = { "approvalidem", 0, 0 };
static points_ksdef *const keyspaces[] = { &approval_ks, &open_ks, &idem_ks,
	NULL };
static points_module approval_module = {
	.name = "approval",
	.format = APPROVAL_FORMAT,
	.keyspaces = keyspaces,
};
POINTS_MODULE(approval_module)

static const char *const state_names[] = { "pending", "approved",
	"rejected" };

/* ---- Records ---- */

static int
store(points_db *db, const points_approval *a)
{
	points_buf *b = &db->vbuf;
	unsigned char k[8];

	points_buf__reset(b);
	points_buf__u8(b, APPROVAL_V1);
	points_buf__u8(b, (unsigned)a->state);
	points_buf__svar(b, a->account);
	points_buf__str(b, a->asset);
	points_buf__svar(b, a->points);
	points_buf__str(b, a->category);
	points_buf__svar(b, a->expires_days);
	points_buf__svar(b, a->pending_days);
	points_buf__str(b, a->rule);
	points_buf__svar(b, a->rule_version);
	points_buf__str(b, a->event_id);
	points_buf__svar(b, a->event_time);
	points_buf__str(b, a->nominator);
	points_buf__svar(b, a->nominated_at);
	points_buf__str(b, a->memo);
	points_buf__str(b, a->decided_by);
	points_buf__svar(b, a->decided_at);
	points_buf__str(b, a->reason);
	points_buf__str(b, a->txn_id);
	if (b->err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	points_codec__put_be64(k, (uint64_t)a->id);
	return points_db__put(db, &approval_ks, k, 8, b->data, b->len);
}

static int
decode(points_db *db, int64_t id, const void *v, size_t vl,
    points_approval *a)
{
	points_rd r;

	memset(a, 0, sizeof(*a));
	points_rd__init(&r, v, vl);
	if (points_rd__u8(&r) != APPROVAL_V1)
		r.err = POINTS_ECORRUPT;
	a->id = id;
	a->state = (int)points_rd__u8(&r);
	a->account = points_rd__svar(&r);
	points_rd__str(&r, a->asset, sizeof(a->asset));
	a->points = points_rd__svar(&r);
	points_rd__str(&r, a->category, sizeof(a->category));
	a->expires_days = points_rd__svar(&r);
	a->pending_days = points_rd__svar(&r);
	points_rd__str(&r, a->rule, sizeof(a->rule));
	a->rule_version = points_rd__svar(&r);
	points_rd__str(&r, a->event_id, sizeof(a->event_id));
	a->event_time = points_rd__svar(&r);
	points_rd__str(&r, a->nominator, sizeof(a->nominator));
	a->nominated_at = points_rd__svar(&r);
	points_rd__str(&r, a->memo, sizeof(a->memo));
	points_rd__str(&r, a->decided_by, sizeof(a->decided_by));
	a->decided_at = points_rd__svar(&r);
	points_rd__str(&r, a->reason, sizeof(a->reason));
	points_rd__str(&r, a->txn_id, sizeof(a->txn_id));
	/* the state is a byte: never below POINTS_APPROVAL_PENDING (0) */
	if (r.err || r.p != r.end || a->state > POINTS_APPROVAL_REJECTED ||
	    a->points <= 0)
		return points_db__err(db, POINTS_ECORRUPT, "approval %lld: "
		    "record unreadable", (long long)id);
	return POINTS_OK;
}

static int
load(points_db *db, int64_t id, points_approval *a)
{
	unsigned char k[8];
	const void *v;
	size_t vl;
	int rc;

	if (id <= 0)
		return points_db__err(db, POINTS_ENOTFOUND, "approval %lld "
		    "not found", (long long)id);
	points_codec__put_be64(k, (uint64_t)id);
	rc = points_db__get(db, &approval_ks, k, 8, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, rc, "approval %lld not found",
		    (long long)id);
	if (rc)
		return rc;
	return decode(db, id, v, vl, a);
}

int
points_approval__add(points_db *db, points_approval *a)
{
	unsigned char k[8], acct[8];
	int64_t last;
	int rc;

	if ((rc = points_db__last_key64(db, &approval_ks, &last)))
		return rc;
	if (last == INT64_MAX)
		return points_db__err(db, POINTS_ELIMIT, "the approvals are "
		    "full");
	a->id = last + 1;
	a->state = POINTS_APPROVAL_PENDING;
	a->nominated_at = points_db__time(db, 0);
	if ((rc = store(db, a)))
		return rc;
	points_codec__put_be64(k, (uint64_t)a->id);
	points_codec__put_be64(acct, (uint64_t)a->account);
	return points_db__put(db, &open_ks, k, 8, acct, 8);
}

/* ---- Nominating a manual award ---- */

static const points_nomination nomination_defaults = POINTS_NOMINATION_INIT;
static const size_t nomination_sizes[] = {
	0,
	offsetof(points_nomination, idempotency_key), /* 1 */
	sizeof(points_nomination),                    /* 2 */
};

POINTS_EXTERN int
points_nomination_init(points_nomination *n, unsigned int version)
{
	if (!n)
		return POINTS_EINVAL;
	if (version == 0 || version > POINTS_NOMINATION_VERSION)
		return POINTS_EVERSION;
	memcpy(n, &nomination_defaults, nomination_sizes[version]);
	n->version = version;
	return POINTS_OK;
}

static int
check_nomination(points_db *db, const points_nomination *n)
{
	int rc;

	if ((rc = points_db__check_str(db, "asset", n->asset,
	    POINTS_ASSET_MAX, 1)) ||
	    (rc = points_db__check_str(db, "nominator", n->nominator,
	    POINTS_ACTOR_MAX, 1)) ||
	    (rc = points_db__check_str(db, "memo", n->memo, POINTS_MEMO_MAX,
	    0)) ||
	    (rc = points_meta__check(db, "nomination", n->category, NULL)) ||
	    (rc = points_idem__check_key(db, n->idempotency_key)))
		return rc;
	if (n->points <= 0)
		return points_db__err(db, POINTS_EINVAL, "nomination: points "
		    "must be positive (got %lld)", (long long)n->points);
	if (n->expires_days < 0 || n->expires_days > 36525)
		return points_db__err(db, POINTS_EINVAL, "nomination: "
		    "expires_days %lld is not 0 to 36525",
		    (long long)n->expires_days);
	return POINTS_OK;
}

/* The account an award may go to: a user account, neither frozen nor
 * closed. */
static int
check_account(points_db *db, int64_t id, const char *what)
{
	points_account a;
	int rc;

	if ((rc = points_account__load(db, id, &a)))
		return rc;
	if (a.flags & POINTS_ACCOUNT_SYSTEM)
		return points_db__err(db, POINTS_EINVAL, "%s: account %s is a "
		    "system account", what, a.external_id);
	if (a.status == POINTS_ACCOUNT_FROZEN)
		return points_db__err(db, POINTS_EFROZEN, "%s: account %s is "
		    "frozen", what, a.external_id);
	if (a.status == POINTS_ACCOUNT_CLOSED)
		return points_db__err(db, POINTS_ECLOSED, "%s: account %s is "
		    "closed", what, a.external_id);
	return POINTS_OK;
}

static int
nominate_in(points_db *db, const points_nomination *n, points_approval *a)
{
	points_asset_rec asset;
	int rc;

	if ((rc = points_asset__find(db, n->asset, &asset)) ||
	    (rc = check_account(db, n->account, "nomination")))
		return rc;
	memset(a, 0, sizeof(*a));
	a->account = n->account;
	strcpy(a->asset, n->asset);
	a->points = n->points;
	strcpy(a->category, n->category ? n->category : "award");
	a->expires_days = n->expires_days;
	a->event_time = points_db__time(db, 0);
	strcpy(a->nominator, n->nominator);
	if (n->memo)
		strcpy(a->memo, n->memo);
	return points_approval__add(db, a);
}

/* The fingerprint of a nomination: what makes it the request it is. */
static int
nomination_hash(points_db *db, const points_nomination *n,
    unsigned char hash[16])
{
	points_buf b;
	int rc;

	points_buf__init(&b);
	points_buf__svar(&b, n->account);
	points_buf__str(&b, n->asset);
	points_buf__svar(&b, n->points);
	points_buf__str(&b, n->category ? n->category : "award");
	points_buf__svar(&b, n->expires_days);
	points_buf__str(&b, n->memo);
	points_buf__str(&b, n->nominator);
	rc = b.err ? points_db__err(db, POINTS_ENOMEM, "out of memory") :
	    points_idem__req_hash(&b, hash) ? points_db__err(db,
	    POINTS_ESTORAGE, "nomination: hashing failed") : POINTS_OK;
	points_buf__free(&b);
	return rc;
}

/* A nomination with its key: the approval the key made (a retry), or a
 * new one and the key recorded with it. */
static int
nominate_once(points_db *db, const points_nomination *n, points_approval *a)
{
	unsigned char hash[16];
	int64_t id;
	int rc;

	if (!n->idempotency_key)
		return nominate_in(db, n, a);
	if ((rc = nomination_hash(db, n, hash)))
		return rc;
	rc = points_idem__check(db, &idem_ks, n->idempotency_key, hash, &id);
	if (rc == POINTS_ITEROVER)
		return load(db, id, a);
	if (rc == POINTS_ECONFLICT)
		return points_db__err(db, rc, "nomination: idempotency key "
		    "'%s' was used for another nomination",
		    n->idempotency_key);
	if (rc || (rc = nominate_in(db, n, a)))
		return rc;
	return points_idem__record(db, &idem_ks, n->idempotency_key, hash,
	    a->id);
}

POINTS_EXTERN int
points_approval_nominate(points_db *db, const points_nomination *n,
    points_approval *out)
{
	points_nomination copy;
	points_approval a;
	unsigned int v;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!n || !out)
		return points_db__err(db, POINTS_EINVAL, "%s is required",
		    n ? "out" : "nomination");
	/* only the bytes of the caller's version; the rest defaulted */
	memcpy(&v, n, sizeof(v));
	if (v == 0 || v > POINTS_NOMINATION_VERSION)
		return points_db__err(db, POINTS_EVERSION, "nomination version "
		    "%u (this library knows 1 to %u)", v,
		    POINTS_NOMINATION_VERSION);
	memcpy(&copy, &nomination_defaults, sizeof(copy));
	memcpy(&copy, n, nomination_sizes[v]);
	if ((rc = check_nomination(db, &copy)))
		return rc;
	if ((rc = points_db__write_begin(db)))
		return rc;
	rc = points_db__write_end(db, nominate_once(db, &copy, &a));
	if (rc == POINTS_OK)
		*out = a;
	return rc;
}

/* ---- Deciding ---- */

/* Post approval a's points (approved by a->decided_by): an earn, then
 * its pending days from the event's time. */
static int
post(points_db *db, points_approval *a, int64_t now)
{
	points_posting p = POINTS_POSTING_INIT;
	/* room for the prefix and the nomination's memo; cut to a memo */
	char memo[POINTS_MEMO_MAX + POINTS_EVENT_ID_MAX + 128];
	points_txn t;
	int64_t seq;
	int rc;

	if (a->rule[0])
		snprintf(memo, sizeof(memo), "approval %lld: event %s: %s v%lld",
		    (long long)a->id, a->event_id, a->rule,
		    (long long)a->rule_version);
	else
		snprintf(memo, sizeof(memo), "approval %lld%s%s",
		    (long long)a->id, a->memo[0] ? ": " : "", a->memo);
	if (strlen(memo) > POINTS_MEMO_MAX)
		memcpy(memo + POINTS_MEMO_MAX - 3, "...", 4);
	p.asset = a->asset;
	p.account = a->account;
	p.amount = a->points;
	p.memo = memo;
	p.category = a->category;
	p.actor = a->decided_by;
	if (a->expires_days)
		p.expires_at = now + a->expires_days * 86400;
	if ((rc = points_posting__within(db, &points_posting__earn_op, &p,
	    &t, &seq)) ||
	    (rc = points_pending__mark(db, a->account, a->asset,
	    a->event_time, a->pending_days, a->points)))
		return rc;
	strcpy(a->txn_id, t.id);
	return POINTS_OK;
}

static int
decide_in(points_db *db, int64_t id, const char *actor, const char *reason,
    int state, points_approval *a)
{
	unsigned char k[8];
	int64_t now = points_db__time(db, 0);
	int rc;

	if ((rc = load(db, id, a)))
		return rc;
	if (a->state != POINTS_APPROVAL_PENDING)
		return points_db__err(db, POINTS_ESTATE, "approval %lld is "
		    "already %s (by %s)", (long long)id,
		    state_names[a->state], a->decided_by);
	if (strcmp(actor, a->nominator) == 0)
		return points_db__err(db, POINTS_EPERM, "approval %lld: %s "
		    "nominated it and cannot %s it too (four eyes)",
		    (long long)id, actor, state == POINTS_APPROVAL_APPROVED ?
		    "approve" : "reject");
	a->state = state;
	strcpy(a->decided_by, actor);
	a->decided_at = now;
	if (reason)
		strcpy(a->reason, reason);
	if (state == POINTS_APPROVAL_APPROVED && (rc = post(db, a, now)))
		return rc;
	if ((rc = store(db, a)))
		return rc;
	points_codec__put_be64(k, (uint64_t)id);
	return points_db__del(db, &open_ks, k, 8);
}

static int
decide(points_db *db, int64_t id, const char *actor, const char *reason,
    int state, points_approval *out)
{
	points_approval a;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__check_str(db, state == POINTS_APPROVAL_APPROVED ?
	    "approver" : "rejecter", actor, POINTS_ACTOR_MAX, 1)) ||
	    (rc = points_db__check_str(db, "reason", reason,
	    POINTS_REASON_MAX, state == POINTS_APPROVAL_REJECTED)))
		return rc;
	if ((rc = points_db__write_begin(db)))
		return rc;
	rc = points_db__write_end(db, decide_in(db, id, actor, reason, state,
	    &a));
	if (rc == POINTS_OK)
		*out = a;
	return rc;
}

POINTS_EXTERN int
points_approval_approve(points_db *db, int64_t id, const char *approver,
    const char *reason, points_approval *out)
{
	return decide(db, id, approver, reason, POINTS_APPROVAL_APPROVED, out);
}

POINTS_EXTERN int
points_approval_reject(points_db *db, int64_t id, const char *approver,
    const char *reason, points_approval *out)
{
	return decide(db, id, approver, reason, POINTS_APPROVAL_REJECTED, out);
}

POINTS_EXTERN int
points_approval_get(points_db *db, int64_t id, points_approval *out)
{
	points_approval a;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = load(db, id, &a);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = a;
	return rc;
}

/* ---- The pending ones ---- */

struct points_approval_iterator {
	points_iter base;
	int64_t next;     /* the next id to look at */
	int64_t account;  /* 0: every account's */
	points_approval buf[8];
};
#define BUFN (sizeof(((struct points_approval_iterator *)0)->buf) / \
	sizeof(points_approval))

static int open_fill(points_iter *base);
static const points_iter_type open_type = POINTS_ITER_TYPE(
    "approval iterator", struct points_approval_iterator, next, open_fill,
    NULL);

static int
open_fill(points_iter *base)
{
	struct points_approval_iterator *it = (void *)base;
	points_db *db = base->db;
	unsigned char keys[8 * BUFN], lo[8];
	size_t n = 0, i;
	int rc;

	/* the ids first (the approvals' reads would move a cursor), a
	 * bufferful at a time until one is the account's */
	for (;;) {
		size_t got;

		points_codec__put_be64(lo, (uint64_t)it->next);
		if ((rc = points_db__collect_keys(db, &open_ks, lo, 8, NULL, 0,
		    8, keys, BUFN, &got)))
			return rc;
		for (i = 0; i < got; i++) {
			int64_t id = (int64_t)points_codec__get_be64(keys +
			    8 * i);
			points_approval *a = &it->buf[n];

			it->next = id + 1;
			if ((rc = load(db, id, a)))
				return rc;
			if (a->state != POINTS_APPROVAL_PENDING)
				return points_db__err(db, POINTS_ECORRUPT,
				    "approval %lld: listed as pending, but %s",
				    (long long)id, state_names[a->state]);
			if (!it->account || a->account == it->account)
				n++;
		}
		if (got < BUFN) {
			base->done = 1;
			break;
		}
		if (n > 0)
			break;
	}
	base->n = n;
	return POINTS_OK;
}

POINTS_EXTERN int
points_approval_iterator_new(points_db *db, int64_t account,
    points_approval_iterator **out)
{
	points_iter *base;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if (account < 0)
		return points_db__err(db, POINTS_EINVAL, "account %lld: not an "
		    "account id (0: every account)", (long long)account);
	if ((rc = points_iter__new(db, &open_type,
	    sizeof(struct points_approval_iterator), &base)))
		return rc;
	*out = (points_approval_iterator *)(void *)base;
	(*out)->next = 1;
	(*out)->account = account;
	return POINTS_OK;
}

POINTS_EXTERN int
points_approval_next(points_approval_iterator *it, points_approval *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &open_type, out);

	if (rc == POINTS_OK)
		*out = it->buf[it->base.i++];
	return rc;
}

POINTS_EXTERN void
points_approval_iterator_free(points_approval_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
