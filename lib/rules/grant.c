/* grant.c - scheduled grants (points/rules.h, "Scheduled grants"):
 * periodic allowances paid to every matching account once a period.
 *
 * Stored (each keyspace its own):
 *   grant      name -> the grant's number and latest version; under the
 *              key "\0" (no name has it) the last number given
 *   grantver   number (be32) | version (be32) -> the version: its
 *              fields, author, time, reason and expressions' source
 *   grantpaid  number (be32) | period kind (u8) | the period's first
 *              day (be64, sign bit flipped) | account (be64) -> the
 *              award: version, points, time, transaction id
 * The paid marker is written in the transaction of the earn it records:
 * it is what makes a run idempotent per (grant, period, account) and
 * what a rerun after a failure skips.
 *
 * A run reads the accounts by id, POINTS_GRANT_CHUNK (points_grant__chunk)
 * of them a write transaction, as the expiry sweep does: the chunks
 * committed stand when a later one fails. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "util/calendar.h"
#include "util/codec.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "core/iter.h"
#include "core/module.h"
#include "ledger/entry.h"
#include "ledger/meta.h"
#include "ledger/posting.h"
#include "rules/account_value.h"
#include "rules/cel.h"
#include "rules/grant.h"
#include "rules/rule.h"

#define GRANT_FORMAT 1
#define GRANT_HEAD_V1 1
#define GRANT_VERSION_V1 1
#define GRANT_PAID_V1 1

static points_ksdef grant_ks = { "grant", 0, 0 };
static points_ksdef grantver_ks = { "grantver", 0, 0 };
static points_ksdef paid_ks = { "grantpaid", POINTS_KS_ORDERED, 0 };
static points_ksdef *const keyspaces[] = { &grant_ks, &grantver_ks,
	&paid_ks, NULL };
static points_module grant_module = {
	.name = "grant",
	.format = GRANT_FORMAT,
	.keyspaces = keyspaces,
};
POINTS_MODULE(grant_module)

size_t points_grant__chunk = POINTS_GRANT_CHUNK;

static const char meta_key[1] = { 0 };

/* ---- The expressions ---- */

#define NEXPR 2
static const char *const expr_names[NEXPR] = { "condition", "points" };

enum { VAR_ACCOUNT, VAR_PERIOD, NVARS };
static const char *const var_names[NVARS] = { "account", "period" };
/* account as the rules see it (rule.c, event.c); period the period
 * paid. */
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
static const points_cel_field period_fields[] = {
	{ "kind", POINTS_CEL_STRING, NULL },
	{ "start", POINTS_CEL_INT, NULL },
	{ "end", POINTS_CEL_INT, NULL },
	{ "year", POINTS_CEL_INT, NULL },
	{ "month", POINTS_CEL_INT, NULL },
	{ "quarter", POINTS_CEL_INT, NULL },
	{ NULL, POINTS_CEL_NULL, NULL }
};
static const points_cel_field var_types[NVARS] = {
	{ "account", POINTS_CEL_MAP, account_fields },
	{ "period", POINTS_CEL_MAP, period_fields },
};
static const points_cel_decls decls = { var_names, NVARS, var_types };

static const char *const kind_names[] = { "", "monthly", "quarterly",
	"yearly" };
static const char *const state_names[] = { "a draft", "active", "paused",
	"retired" };

/* ---- Periods ---- */

typedef struct period {
	int kind;
	int64_t first, next;  /* days: the first, the first of the next */
	int64_t start, end;   /* the same as times */
	points_civil c;       /* the first day's date */
} period;

static int64_t
day_start(points_db *db, int64_t day)
{
	return day * 86400 - db->utc_offset;
}

static void
period_of(points_db *db, int kind, int64_t t, period *p)
{
	points_civil c = points_cal__civil(points_db__day(db, t));
	unsigned m = c.month, len = 1;

	if (kind == POINTS_GRANT_QUARTERLY) {
		m = (c.month - 1) / 3 * 3 + 1;
		len = 3;
	} else if (kind == POINTS_GRANT_YEARLY) {
		m = 1;
		len = 12;
	}
	p->kind = kind;
	p->first = points_cal__days(c.year, m, 1);
	p->next = m + len > 12 ? points_cal__days(c.year + 1, m + len - 12, 1) :
	    points_cal__days(c.year, m + len, 1);
	p->start = day_start(db, p->first);
	p->end = day_start(db, p->next);
	p->c = points_cal__civil(p->first);
}

/* "2026-12", "2026-Q4", "2026": a period in messages. */
static void
period_name(const period *p, char *out, size_t cap)
{
	if (p->kind == POINTS_GRANT_MONTHLY)
		snprintf(out, cap, "%04lld-%02u", (long long)p->c.year,
		    p->c.month);
	else if (p->kind == POINTS_GRANT_QUARTERLY)
		snprintf(out, cap, "%04lld-Q%u", (long long)p->c.year,
		    (p->c.month - 1) / 3 + 1);
	else
		snprintf(out, cap, "%04lld", (long long)p->c.year);
}

/* ---- Records ---- */

static void
encode_version(points_buf *b, const points_grant *g,
    char *const src[NEXPR])
{
	int k;

	points_buf__reset(b);
	points_buf__u8(b, GRANT_VERSION_V1);
	points_buf__svar(b, g->time);
	points_buf__str(b, g->name);
	points_buf__str(b, g->asset);
	points_buf__u8(b, (unsigned)g->period);
	points_buf__svar(b, g->pool);
	points_buf__str(b, g->category);
	points_buf__svar(b, g->expires_days);
	points_buf__uvar(b, g->flags);
	points_buf__u8(b, (unsigned)g->state);
	points_buf__str(b, g->author);
	points_buf__str(b, g->reason);
	for (k = 0; k < NEXPR; k++)
		points_buf__str(b, src[k]);
}

/* Decode a version; with src, copy its expressions' source (allocated,
 * NULL when none) into src[]. */
static int
decode_version(points_db *db, const void *v, size_t vl, points_grant *g,
    char *src[NEXPR])
{
	points_rd rd;
	int k, rc = POINTS_OK;

	points_rd__init(&rd, v, vl);
	memset(g, 0, sizeof(*g));
	if (points_rd__u8(&rd) != GRANT_VERSION_V1)
		rd.err = POINTS_ECORRUPT;
	g->time = points_rd__svar(&rd);
	points_rd__str(&rd, g->name, sizeof(g->name));
	points_rd__str(&rd, g->asset, sizeof(g->asset));
	g->period = (int)points_rd__u8(&rd);
	g->pool = points_rd__svar(&rd);
	points_rd__str(&rd, g->category, sizeof(g->category));
	g->expires_days = points_rd__svar(&rd);
	g->flags = (unsigned)points_rd__uvar(&rd);
	g->state = (int)points_rd__u8(&rd);
	points_rd__str(&rd, g->author, sizeof(g->author));
	points_rd__str(&rd, g->reason, sizeof(g->reason));
	for (k = 0; k < NEXPR; k++) {
		const char *p;
		size_t n;

		points_rd__strref(&rd, &p, &n);
		if (!src)
			continue;
		src[k] = NULL;
		if (rd.err || n == 0)
			continue;
		if (!(src[k] = points_alloc__malloc(n + 1))) {
			rc = POINTS_ENOMEM;
			break;
		}
		memcpy(src[k], p, n);
		src[k][n] = '\0';
	}
	/* the state is a byte: never below POINTS_RULE_DRAFT (0) */
	if (rc == POINTS_OK && (rd.err || rd.p != rd.end ||
	    g->period < POINTS_GRANT_MONTHLY ||
	    g->period > POINTS_GRANT_YEARLY || g->state > POINTS_RULE_RETIRED))
		rc = POINTS_ECORRUPT;
	if (rc && src)
		for (k = 0; k < NEXPR; k++) {
			points_alloc__free(src[k]);
			src[k] = NULL;
		}
	if (rc == POINTS_ENOMEM)
		return points_db__err(db, rc, "out of memory");
	if (rc)
		return points_db__err(db, rc, "grant version unreadable");
	return POINTS_OK;
}

static void
ver_key(unsigned char k[8], uint32_t id, int64_t version)
{
	points_codec__put_be32(k, id);
	points_codec__put_be32(k + 4, (uint32_t)version);
}

#define PAID_KEY 21
static void
paid_key(unsigned char k[PAID_KEY], uint32_t id, const period *p,
    int64_t account)
{
	points_codec__put_be32(k, id);
	k[4] = (unsigned char)p->kind;
	points_codec__put_be64(k + 5, (uint64_t)p->first ^ (UINT64_C(1) << 63));
	points_codec__put_be64(k + 13, (uint64_t)account);
}

/* The head of grant name: its number and latest version;
 * POINTS_ENOTFOUND (with a message) when there is none. */
static int
read_head(points_db *db, const char *name, uint32_t *id, int64_t *latest)
{
	const void *v;
	size_t vl;
	points_rd r;
	int rc;

	rc = points_db__get(db, &grant_ks, name, strlen(name), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, rc, "grant '%s' not found", name);
	if (rc)
		return rc;
	points_rd__init(&r, v, vl);
	if (points_rd__u8(&r) != GRANT_HEAD_V1)
		r.err = POINTS_ECORRUPT;
	*id = (uint32_t)points_rd__uvar(&r);
	*latest = (int64_t)points_rd__uvar(&r);
	if (r.err || *id == 0 || *latest <= 0)
		return points_db__err(db, POINTS_ECORRUPT,
		    "grant '%s': record unreadable", name);
	return POINTS_OK;
}

static int
write_head(points_db *db, const char *key, size_t kl, uint32_t id,
    int64_t latest)
{
	unsigned char v[1 + 10 + 10];
	points_buf b;
	size_t n;

	points_buf__init(&b);
	points_buf__u8(&b, GRANT_HEAD_V1);
	points_buf__uvar(&b, id);
	points_buf__uvar(&b, (uint64_t)latest);
	n = b.len;
	memcpy(v, b.data, n); /* fits the inline buffer */
	points_buf__free(&b);
	return points_db__put(db, &grant_ks, key, kl, v, n);
}

/* A new grant number. */
static int
new_number(points_db *db, uint32_t *id)
{
	const void *v;
	size_t vl;
	points_rd r;
	uint32_t last = 0;
	int rc;

	rc = points_db__get(db, &grant_ks, meta_key, 1, &v, &vl);
	if (rc == POINTS_OK) {
		points_rd__init(&r, v, vl);
		if (points_rd__u8(&r) != GRANT_HEAD_V1)
			r.err = POINTS_ECORRUPT;
		last = (uint32_t)points_rd__uvar(&r);
		(void)points_rd__uvar(&r);
		if (r.err)
			return points_db__err(db, POINTS_ECORRUPT,
			    "grants: number record unreadable");
	} else if (rc != POINTS_ENOTFOUND) {
		return rc;
	}
	if (last == UINT32_MAX)
		return points_db__err(db, POINTS_ELIMIT, "grants: no grant "
		    "numbers left");
	*id = last + 1;
	return write_head(db, meta_key, 1, *id, 1);
}

/* Version version (0: the latest) of grant name, with its source when
 * src; *id its number. */
static int
get_in(points_db *db, const char *name, int64_t version, points_grant *out,
    char *src[NEXPR], uint32_t *id)
{
	int64_t latest;
	unsigned char k[8];
	const void *v;
	size_t vl;
	int rc;

	if ((rc = read_head(db, name, id, &latest)))
		return rc;
	if (version == 0)
		version = latest;
	if (version < 0 || version > latest)
		return points_db__err(db, POINTS_ENOTFOUND, "grant '%s' has no "
		    "version %lld (latest %lld)", name, (long long)version,
		    (long long)latest);
	ver_key(k, *id, version);
	rc = points_db__get(db, &grantver_ks, k, 8, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, POINTS_ECORRUPT, "grant '%s': "
		    "version %lld missing", name, (long long)version);
	if (rc || (rc = decode_version(db, v, vl, out, src)))
		return rc;
	out->version = version;
	return POINTS_OK;
}

/* ---- Saving ---- */

static const points_grant_def def_defaults = POINTS_GRANT_DEF_INIT;
static const size_t def_sizes[] = {
	0, sizeof(points_grant_def), /* 1 */
};

POINTS_EXTERN int
points_grant_def_init(points_grant_def *d, unsigned int version)
{
	if (!d)
		return POINTS_EINVAL;
	if (version == 0 || version > POINTS_GRANT_DEF_VERSION)
		return POINTS_EVERSION;
	memcpy(d, &def_defaults, def_sizes[version]);
	d->version = version;
	return POINTS_OK;
}

static int
check_def(points_db *db, const points_grant_def *d)
{
	const char *n = d->name;
	int rc;

	if ((rc = points_rule__check_name(db, "grant name", d->name,
	    POINTS_RULE_NAME_MAX)))
		return rc;
	if (!d->points || !*d->points)
		return points_db__err(db, POINTS_EINVAL, "grant '%s': the "
		    "points formula is required", n);
	if ((rc = points_db__check_str(db, "asset", d->asset,
	    POINTS_ASSET_MAX, 1)))
		return rc;
	if (d->period < POINTS_GRANT_MONTHLY || d->period > POINTS_GRANT_YEARLY)
		return points_db__err(db, POINTS_EINVAL, "grant '%s': unknown "
		    "period %d (POINTS_GRANT_MONTHLY, _QUARTERLY or _YEARLY)",
		    n, d->period);
	if (d->state < POINTS_RULE_DRAFT || d->state > POINTS_RULE_RETIRED)
		return points_db__err(db, POINTS_EINVAL, "grant '%s': unknown "
		    "state %d", n, d->state);
	if (d->flags & ~POINTS_GRANT_EXPIRE_AT_END)
		return points_db__err(db, POINTS_EINVAL, "grant '%s': unknown "
		    "flags 0x%x", n, d->flags);
	if (d->expires_days < 0 || d->expires_days > 36525)
		return points_db__err(db, POINTS_EINVAL, "grant '%s': "
		    "expires_days %lld is not 0 to 36525", n,
		    (long long)d->expires_days);
	if (d->expires_days && (d->flags & POINTS_GRANT_EXPIRE_AT_END))
		return points_db__err(db, POINTS_EINVAL, "grant '%s': "
		    "expires_days and POINTS_GRANT_EXPIRE_AT_END exclude each "
		    "other", n);
	if (d->pool < 0)
		return points_db__err(db, POINTS_EINVAL, "grant '%s': pool "
		    "%lld is not an account id (0: the issuer)", n,
		    (long long)d->pool);
	if ((d->category && (rc = points_meta__check(db, "grant", d->category,
	    NULL))))
		return rc;
	if ((rc = points_db__check_str(db, "author", d->author,
	    POINTS_ACTOR_MAX, 1)) ||
	    (rc = points_db__check_str(db, "reason", d->reason,
	    POINTS_REASON_MAX, 0)))
		return rc;
	return POINTS_OK;
}

/* Compile the expressions of d, to check them. */
static int
check_exprs(points_db *db, const points_grant_def *d, char *src[NEXPR])
{
	char err[160];
	int k, rc;

	src[0] = (char *)d->condition;
	src[1] = (char *)d->points;
	for (k = 0; k < NEXPR; k++) {
		points_cel_prog *p;

		if (src[k] && !*src[k])
			src[k] = NULL;
		if (!src[k])
			continue;
		if ((rc = points_db__check_str(db, expr_names[k], src[k],
		    POINTS_EXPR_MAX, 0)))
			return rc;
		rc = points_cel__compile(src[k], &decls, &p, err, sizeof(err));
		if (rc == POINTS_ENOMEM)
			return points_db__err(db, rc, "out of memory");
		if (rc)
			return points_db__err(db, POINTS_EINVAL,
			    "grant '%s': %s: %s", d->name, expr_names[k], err);
		points_cel__free(p);
	}
	return POINTS_OK;
}

/* The pool that pays: a pool account, not closed. */
static int
check_pool(points_db *db, const char *grant, int64_t pool)
{
	points_account a;
	int rc;

	if (!pool)
		return POINTS_OK;
	if ((rc = points_account__load(db, pool, &a)))
		return rc;
	if (!(a.flags & POINTS_ACCOUNT_POOL))
		return points_db__err(db, POINTS_EINVAL, "grant '%s': account "
		    "%s is not a pool", grant, a.external_id);
	if (a.status == POINTS_ACCOUNT_CLOSED)
		return points_db__err(db, POINTS_ECLOSED, "grant '%s': pool %s "
		    "is closed", grant, a.external_id);
	return POINTS_OK;
}

static int
save_in(points_db *db, const points_grant_def *d, char *const src[NEXPR],
    points_grant *out)
{
	points_asset_rec asset;
	points_grant g;
	uint32_t id;
	int64_t latest = 0;
	unsigned char k[8];
	int rc;

	rc = read_head(db, d->name, &id, &latest);
	if (rc == POINTS_ENOTFOUND) {
		points_db__clear_err(db);
		if ((rc = new_number(db, &id)))
			return rc;
	} else if (rc) {
		return rc;
	} else {
		if ((rc = get_in(db, d->name, latest, &g, NULL, &id)))
			return rc;
		if (g.state == POINTS_RULE_RETIRED)
			return points_db__err(db, POINTS_ESTATE, "grant '%s' is "
			    "retired: it takes no new version", d->name);
		if (latest >= UINT32_MAX)
			return points_db__err(db, POINTS_ELIMIT, "grant '%s': "
			    "no versions left", d->name);
	}
	if ((rc = points_asset__find(db, d->asset, &asset)) ||
	    (rc = check_pool(db, d->name, d->pool)))
		return rc;
	memset(&g, 0, sizeof(g));
	strcpy(g.name, d->name);
	g.version = latest + 1;
	g.time = points_db__time(db, 0);
	strcpy(g.asset, d->asset);
	g.period = d->period;
	g.pool = d->pool;
	strcpy(g.category, d->category ? d->category : "allowance");
	g.expires_days = d->expires_days;
	g.flags = d->flags;
	g.state = d->state;
	strcpy(g.author, d->author);
	if (d->reason)
		strcpy(g.reason, d->reason);
	encode_version(&db->vbuf, &g, src);
	if (db->vbuf.err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	ver_key(k, id, g.version);
	if ((rc = points_db__put(db, &grantver_ks, k, 8, db->vbuf.data,
	    db->vbuf.len)) ||
	    (rc = write_head(db, d->name, strlen(d->name), id, g.version)))
		return rc;
	*out = g;
	return POINTS_OK;
}

POINTS_EXTERN int
points_grant_save(points_db *db, const points_grant_def *d, points_grant *out)
{
	points_grant_def copy;
	char *src[NEXPR];
	points_grant g;
	unsigned int v;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!d || !out)
		return points_db__err(db, POINTS_EINVAL, "%s is required",
		    d ? "out" : "grant definition");
	memcpy(&v, d, sizeof(v));
	if (v == 0 || v > POINTS_GRANT_DEF_VERSION)
		return points_db__err(db, POINTS_EVERSION, "grant definition "
		    "version %u (this library knows 1 to %u)", v,
		    POINTS_GRANT_DEF_VERSION);
	memcpy(&copy, &def_defaults, sizeof(copy));
	memcpy(&copy, d, def_sizes[v]);
	if ((rc = check_def(db, &copy)) || (rc = check_exprs(db, &copy, src)))
		return rc;
	if ((rc = points_db__write_begin(db)))
		return rc;
	rc = points_db__write_end(db, save_in(db, &copy, src, &g));
	if (rc == POINTS_OK)
		*out = g;
	return rc;
}

static int
check_get(points_db *db, const char *name, const void *out)
{
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	return points_rule__check_name(db, "grant name", name,
	    POINTS_RULE_NAME_MAX);
}

static void
free_src(char *src[NEXPR])
{
	int k;

	for (k = 0; k < NEXPR; k++) {
		points_alloc__free(src[k]);
		src[k] = NULL;
	}
}

static int
set_state_in(points_db *db, const char *name, int state, const char *author,
    const char *reason, points_grant *out)
{
	char *src[NEXPR] = { NULL, NULL };
	points_grant_def d = POINTS_GRANT_DEF_INIT;
	points_grant g;
	uint32_t id;
	int rc;

	if ((rc = get_in(db, name, 0, &g, src, &id)))
		return rc;
	d.name = name;
	d.asset = g.asset;
	d.period = g.period;
	d.condition = src[0];
	d.points = src[1];
	d.pool = g.pool;
	d.category = g.category;
	d.expires_days = g.expires_days;
	d.flags = g.flags;
	d.state = state;
	d.author = author;
	d.reason = reason;
	rc = save_in(db, &d, src, out);
	free_src(src);
	return rc;
}

POINTS_EXTERN int
points_grant_set_state(points_db *db, const char *name, int state,
    const char *author, const char *reason, points_grant *out)
{
	points_grant g;
	int rc;

	if ((rc = check_get(db, name, out)))
		return rc;
	if (state < POINTS_RULE_DRAFT || state > POINTS_RULE_RETIRED)
		return points_db__err(db, POINTS_EINVAL, "grant '%s': unknown "
		    "state %d", name, state);
	if ((rc = points_db__check_str(db, "author", author,
	    POINTS_ACTOR_MAX, 1)) ||
	    (rc = points_db__check_str(db, "reason", reason,
	    POINTS_REASON_MAX, 0)))
		return rc;
	if ((rc = points_db__write_begin(db)))
		return rc;
	rc = points_db__write_end(db, set_state_in(db, name, state, author,
	    reason, &g));
	if (rc == POINTS_OK)
		*out = g;
	return rc;
}

POINTS_EXTERN int
points_grant_get(points_db *db, const char *name, int64_t version,
    points_grant *out)
{
	points_grant g;
	uint32_t id;
	int rc;

	if ((rc = check_get(db, name, out)) ||
	    (rc = points_db__read_begin(db)))
		return rc;
	rc = get_in(db, name, version, &g, NULL, &id);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = g;
	return rc;
}

POINTS_EXTERN int
points_grant_expr_get(points_db *db, const char *name, int64_t version,
    int which, char **out)
{
	char *src[NEXPR] = { NULL, NULL };
	points_grant g;
	uint32_t id;
	char *s;
	int rc;

	if ((rc = check_get(db, name, out)))
		return rc;
	if (which != POINTS_RULE_EXPR_CONDITION &&
	    which != POINTS_RULE_EXPR_POINTS)
		return points_db__err(db, POINTS_EINVAL, "grant '%s': unknown "
		    "expression %d (POINTS_RULE_EXPR_CONDITION or _POINTS)",
		    name, which);
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = get_in(db, name, version, &g, src, &id);
	points_db__read_end(db);
	if (rc)
		return rc;
	s = src[which];
	src[which] = NULL;
	free_src(src);
	if (!s && !(s = points_alloc__calloc(1, 1)))
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	*out = s;
	return POINTS_OK;
}

/* ---- Running ----
 * A run pays one grant (points_grant_run) or every active one
 * (points_grant_run_due) in one pass over the accounts: each chunk of
 * accounts is a write transaction in which each account meets each
 * grant in the order of their names.  The grants are read and compiled
 * in the first transaction (inside a batch, after the operation's
 * savepoint, as any write reads). */

/* A grant being run: its version, programs and period. */
typedef struct grant_run {
	points_grant g;
	uint32_t id;
	points_asset_rec asset;
	points_cel_prog *prog[NEXPR];   /* NULL: no condition */
	period p;
	char pname[24];
	int dry;                        /* its pool ran dry in this call */
	points_cel_entry pf[6];         /* period */
} grant_run;

/* The grants of a run and where it is. */
typedef struct run_set {
	grant_run *v;
	size_t n, cap;
	int prepared;
	int64_t next;                   /* the next account id */
	int done;
	points_buf abuf;                /* an account's attributes */
	points_rule_account acctv;      /* the account as grants see it */
	points_cel_value vars[NVARS];
	points_cel_scratch *scratch;
} run_set;

static void
set_free(run_set *s)
{
	size_t i;
	int k;

	for (i = 0; i < s->n; i++)
		for (k = 0; k < NEXPR; k++)
			points_cel__free(s->v[i].prog[k]);
	points_alloc__free(s->v);
	points_buf__free(&s->abuf);
	points_rule__account_free(&s->acctv);
	points_alloc__free(s->scratch);
}

static void
entry(points_cel_entry *e, const char *k, points_cel_value v)
{
	e->key = points_cel__str(k);
	e->value = v;
}

/* Account a (its attributes in s->abuf) as grant r's expressions see
 * it: tenure counted at the period's first day. */
static int
account_value(points_db *db, run_set *s, const grant_run *r,
    const points_account *a)
{
	int rc;

	if ((rc = points_rule__account_value(db, a, &s->abuf, r->p.first,
	    &s->acctv)))
		return rc;
	s->vars[VAR_ACCOUNT].type = POINTS_CEL_MAP;
	s->vars[VAR_ACCOUNT].u.map.e = s->acctv.fields;
	s->vars[VAR_ACCOUNT].u.map.n = s->acctv.nfields;
	s->vars[VAR_PERIOD].type = POINTS_CEL_MAP;
	s->vars[VAR_PERIOD].u.map.e = r->pf;
	s->vars[VAR_PERIOD].u.map.n = 6;
	return POINTS_OK;
}

/* Add grant name's latest version to the run, for the period that
 * contains as_of, when it is active; one that is not is POINTS_ESTATE
 * when must_be_active, else left out. */
static int
prepare_one(points_db *db, run_set *s, const char *name, int64_t as_of,
    int must_be_active)
{
	char *src[NEXPR] = { NULL, NULL };
	char err[160];
	grant_run *r;
	int k, rc;

	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 4;
		void *p = points_alloc__realloc(s->v, nc * sizeof(*s->v));

		if (!p)
			return points_db__err(db, POINTS_ENOMEM,
			    "out of memory");
		s->v = p;
		s->cap = nc;
	}
	r = &s->v[s->n];
	memset(r, 0, sizeof(*r));
	if ((rc = get_in(db, name, 0, &r->g, src, &r->id)))
		return rc;
	if (r->g.state != POINTS_RULE_ACTIVE) {
		free_src(src);
		if (!must_be_active)
			return POINTS_OK;
		return points_db__err(db, POINTS_ESTATE, "grant '%s' is %s: "
		    "only an active grant runs", name,
		    state_names[r->g.state]);
	}
	s->n++; /* its programs are freed with the set from here on */
	for (k = 0; k < NEXPR && rc == POINTS_OK; k++) {
		if (!src[k])
			continue;
		rc = points_cel__compile(src[k], &decls, &r->prog[k], err,
		    sizeof(err));
		if (rc == POINTS_ENOMEM)
			rc = points_db__err(db, rc, "out of memory");
		else if (rc)
			rc = points_db__err(db, POINTS_ECORRUPT, "grant '%s' "
			    "version %lld: %s: %s", name,
			    (long long)r->g.version, expr_names[k], err);
	}
	free_src(src);
	if (rc)
		return rc;
	if (!r->prog[1])
		return points_db__err(db, POINTS_ECORRUPT, "grant '%s' version "
		    "%lld: no points formula", name, (long long)r->g.version);
	if ((rc = points_asset__find(db, r->g.asset, &r->asset)))
		return rc;
	period_of(db, r->g.period, as_of, &r->p);
	period_name(&r->p, r->pname, sizeof(r->pname));
	if ((r->g.flags & POINTS_GRANT_EXPIRE_AT_END) &&
	    r->p.end <= points_db__time(db, 0))
		return points_db__err(db, POINTS_EINVAL, "grant '%s': period %s "
		    "has ended, and its points would expire at its end "
		    "(POINTS_GRANT_EXPIRE_AT_END)", name, r->pname);
	entry(&r->pf[0], "kind", points_cel__str(kind_names[r->g.period]));
	entry(&r->pf[1], "start", points_cel__int(r->p.start));
	entry(&r->pf[2], "end", points_cel__int(r->p.end));
	entry(&r->pf[3], "year", points_cel__int(r->p.c.year));
	entry(&r->pf[4], "month", points_cel__int(r->p.c.month));
	entry(&r->pf[5], "quarter", points_cel__int((r->p.c.month - 1) / 3 +
	    1));
	return POINTS_OK;
}

/* The names of the grants, in order, each NUL-ended, into *names. */
static int
grant_names(points_db *db, char **names, size_t *n)
{
	points_cursor *c;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*n = 0;
	rc = db->store->cursor_open(db->store, db->ks[grant_ks.slot], NULL, 0,
	    NULL, 0, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "grant");
	for (;;) {
		const void *k, *v;
		size_t kl, vl;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, "grant");
			break;
		}
		if (kl == 1 && *(const char *)k == 0)
			continue; /* the numbers' record */
		if (kl == 0 || kl > POINTS_RULE_NAME_MAX) {
			rc = points_db__err(db, POINTS_ECORRUPT, "grant name "
			    "unreadable");
			break;
		}
		if (len + kl + 1 > cap) {
			size_t nc = cap ? cap * 2 : 256;
			void *p = points_alloc__realloc(buf, nc);

			if (!p) {
				rc = points_db__err(db, POINTS_ENOMEM,
				    "out of memory");
				break;
			}
			buf = p;
			cap = nc;
		}
		memcpy(buf + len, k, kl);
		buf[len + kl] = '\0';
		len += kl + 1;
		(*n)++;
	}
	db->store->cursor_close(db->store, c);
	if (rc) {
		points_alloc__free(buf);
		return rc;
	}
	*names = buf;
	return POINTS_OK;
}

/* The grants of the run: name, or every active one (name NULL). */
static int
prepare(points_db *db, run_set *s, const char *name, int64_t as_of)
{
	char *names = NULL, *p;
	size_t n, i;
	int rc;

	if (!(s->scratch = points_alloc__malloc(sizeof(*s->scratch))))
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	if (name)
		return prepare_one(db, s, name, as_of, 1);
	if ((rc = grant_names(db, &names, &n)))
		return rc;
	for (i = 0, p = names; rc == POINTS_OK && i < n; i++) {
		rc = prepare_one(db, s, p, as_of, 0);
		p += strlen(p) + 1;
	}
	points_alloc__free(names);
	return rc;
}

/* What the pool of r has to pay with: all of its records (its shards
 * too, when the log is in partitions: core/balance.h), as a debit of
 * it counts them. */
static int
pool_available(points_db *db, grant_run *r, int64_t *out)
{
	points_balance_rec b;
	int64_t total = 0;
	unsigned parts;
	int rc;

	points_balance__init(&b, r->g.pool, r->asset.id, 1);
	if ((rc = points_balance__load(db, &b)) == POINTS_OK &&
	    (rc = points_entry__partitions(db, &parts)) == POINTS_OK) {
		total = b.available;
		if (parts > 1 &&
		    (rc = points_balance__others(db, &b)) == POINTS_OK)
			rc = points_balance__total_available(db, &b, &total);
	}
	*out = total;
	points_balance__free(&b);
	return rc;
}

/* Pay account a its points of r for the period, and mark it paid. */
static int
pay(points_db *db, grant_run *r, const points_account *a, int64_t points,
    const unsigned char key[PAID_KEY])
{
	points_posting p = POINTS_POSTING_INIT;
	char memo[POINTS_RULE_NAME_MAX + 64];
	points_txn t;
	int64_t seq, now = points_db__time(db, 0);
	points_buf *b = &db->vbuf;
	int rc;

	snprintf(memo, sizeof(memo), "grant %s v%lld: %s", r->g.name,
	    (long long)r->g.version, r->pname);
	p.asset = r->g.asset;
	p.account = a->id;
	p.counterparty = r->g.pool;
	p.amount = points;
	p.memo = memo;
	p.category = r->g.category;
	p.actor = r->g.author;
	if (r->g.expires_days)
		p.expires_at = now + r->g.expires_days * 86400;
	else if (r->g.flags & POINTS_GRANT_EXPIRE_AT_END)
		p.expires_at = r->p.end - 1;
	if ((rc = points_posting__within(db, &points_posting__earn_op, &p,
	    &t, &seq)))
		return rc;
	points_buf__reset(b);
	points_buf__u8(b, GRANT_PAID_V1);
	points_buf__svar(b, r->g.version);
	points_buf__svar(b, points);
	points_buf__svar(b, now);
	points_buf__str(b, t.id);
	if (b->err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	return points_db__put(db, &paid_ks, key, PAID_KEY, b->data, b->len);
}

static void
add_sat(int64_t *a, int64_t b)
{
	*a = b > 0 && *a > INT64_MAX - b ? INT64_MAX : *a + b;
}

/* Account a (loaded, a user account) and grant r: paid already,
 * skipped, or paid now. */
static int
run_account(points_db *db, run_set *s, grant_run *r, const points_account *a,
    points_grant_report *rep)
{
	points_cel_activation act;
	points_cel_value v;
	unsigned char key[PAID_KEY];
	const void *pv;
	size_t pvl;
	int64_t points;
	int rc;

	rep->accounts++;
	paid_key(key, r->id, &r->p, a->id);
	rc = points_db__get(db, &paid_ks, key, PAID_KEY, &pv, &pvl);
	if (rc == POINTS_OK) {
		rep->already++;
		return POINTS_OK;
	}
	if (rc != POINTS_ENOTFOUND)
		return rc;
	if (a->status != POINTS_ACCOUNT_ACTIVE) {
		rep->inactive++;
		return POINTS_OK;
	}
	if ((rc = account_value(db, s, r, a)))
		return rc;
	act.vals = s->vars;
	act.n = NVARS;
	act.utc_offset = db->utc_offset;
	if (r->prog[0]) {
		points_cel__eval(r->prog[0], &act, s->scratch, &v);
		if (v.type != POINTS_CEL_BOOL) {
			rep->errors++;
			return POINTS_OK;
		}
		if (!v.u.b) {
			rep->condition++;
			return POINTS_OK;
		}
	}
	points_cel__eval(r->prog[1], &act, s->scratch, &v);
	if (v.type != POINTS_CEL_INT || v.u.i < 0) {
		rep->errors++;
		return POINTS_OK;
	}
	if ((points = v.u.i) == 0) {
		rep->zero++;
		return POINTS_OK;
	}
	if (r->g.pool && !r->dry) {
		int64_t have;

		if ((rc = pool_available(db, r, &have)))
			return rc;
		if (have < points)
			r->dry = 1;
	}
	if (r->dry) {
		rep->unpaid++;
		add_sat(&rep->unpaid_points, points);
		return POINTS_OK;
	}
	if ((rc = pay(db, r, a, points, key)))
		return rc;
	rep->granted++;
	add_sat(&rep->points, points);
	return POINTS_OK;
}

/* The next chunk of accounts (inside a write transaction). */
static int
run_chunk(points_db *db, run_set *s, points_grant_report *part)
{
	unsigned char lo[8], *keys;
	size_t n, i, j, max = points_grant__chunk ? points_grant__chunk : 1;
	int rc;

	if (s->n == 0) {
		s->done = 1;
		return POINTS_OK;
	}
	if (!(keys = points_alloc__malloc(8 * max)))
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	points_codec__put_be64(lo, (uint64_t)s->next);
	rc = points_db__collect_keys(db, &points_account__ks, lo, 8, NULL, 0,
	    8, keys, max, &n);
	for (i = 0; rc == POINTS_OK && i < n; i++) {
		int64_t id = (int64_t)points_codec__get_be64(keys + 8 * i);
		points_account a;

		if ((rc = points_account__load_attrs(db, id, &a, &s->abuf)))
			break;
		for (j = 0; rc == POINTS_OK && j < s->n; j++)
			if (!(a.flags & POINTS_ACCOUNT_SYSTEM))
				rc = run_account(db, s, &s->v[j], &a, part);
		s->next = id + 1;
	}
	if (rc == POINTS_OK && n < max)
		s->done = 1;
	points_alloc__free(keys);
	return rc;
}

static void
report_add(points_grant_report *to, const points_grant_report *p)
{
	add_sat(&to->accounts, p->accounts);
	add_sat(&to->granted, p->granted);
	add_sat(&to->points, p->points);
	add_sat(&to->already, p->already);
	add_sat(&to->condition, p->condition);
	add_sat(&to->zero, p->zero);
	add_sat(&to->inactive, p->inactive);
	add_sat(&to->errors, p->errors);
	add_sat(&to->unpaid, p->unpaid);
	add_sat(&to->unpaid_points, p->unpaid_points);
}

/* Run grant name (NULL: every active grant) into rep, chunk by chunk:
 * in a batch, all in the batch's operation. */
static int
run(points_db *db, const char *name, int64_t as_of, points_grant_report *rep)
{
	run_set s;
	points_grant_report part;
	int64_t upto = 0;
	int batch = db->in_batch, rc = POINTS_OK;

	memset(&s, 0, sizeof(s));
	points_buf__init(&s.abuf);
	s.next = 1;
	if (batch && (rc = points_db__write_begin(db)))
		return rc;
	while (rc == POINTS_OK && !s.done) {
		memset(&part, 0, sizeof(part));
		if (!batch && (rc = points_db__write_begin(db)))
			break;
		if (!s.prepared) {
			rc = prepare(db, &s, name, as_of);
			s.prepared = 1;
		}
		if (rc == POINTS_OK)
			rc = run_chunk(db, &s, &part);
		if (!batch)
			rc = points_db__write_end(db, rc);
		if (rc == POINTS_OK) {
			report_add(rep, &part);
			upto = s.next - 1;
		}
	}
	if (batch)
		rc = points_db__write_end(db, rc);
	if (rc == POINTS_OK) {
		rep->grants = (int64_t)s.n;
		if (name && s.n == 1) {
			rep->period_start = s.v[0].p.start;
			rep->period_end = s.v[0].p.end;
		}
	} else if (!batch && rep->granted) {
		/* Chunks before the failure stand: say so.  (The report is
		 * an output, written only on success.) */
		char msg[sizeof(db->errmsg)];

		memcpy(msg, db->errmsg, sizeof(msg));
		points_db__err(db, rc, "%s (the run had paid %lld accounts, of "
		    "the accounts up to id %lld; run it again to finish)", msg,
		    (long long)rep->granted, (long long)upto);
	}
	set_free(&s);
	return rc;
}

static int
check_run(points_db *db, int64_t *as_of)
{
	int64_t now = points_db__time(db, 0);

	if (*as_of == 0)
		*as_of = now;
	if (*as_of < 0)
		return points_db__err(db, POINTS_EINVAL, "as_of %lld is "
		    "negative", (long long)*as_of);
	if (*as_of > now)
		return points_db__err(db, POINTS_EINVAL, "as_of %lld is later "
		    "than the ledger's clock (%lld): a period is paid when it "
		    "has begun", (long long)*as_of, (long long)now);
	return POINTS_OK;
}

POINTS_EXTERN int
points_grant_run(points_db *db, const char *name, int64_t as_of,
    points_grant_report *out)
{
	points_grant_report rep;
	int rc;

	if ((rc = points_db__check_db(db)) ||
	    (rc = points_rule__check_name(db, "grant name", name,
	    POINTS_RULE_NAME_MAX)) ||
	    (rc = check_run(db, &as_of)))
		return rc;
	memset(&rep, 0, sizeof(rep));
	rc = run(db, name, as_of, &rep);
	if (rc == POINTS_OK && out)
		*out = rep;
	return rc;
}

POINTS_EXTERN int
points_grant_run_due(points_db *db, int64_t as_of, points_grant_report *out)
{
	points_grant_report rep;
	int rc;

	if ((rc = points_db__check_db(db)) || (rc = check_run(db, &as_of)))
		return rc;
	memset(&rep, 0, sizeof(rep));
	rc = run(db, NULL, as_of, &rep);
	if (rc == POINTS_OK && out)
		*out = rep;
	return rc;
}

/* Decode the award of paid key k (PAID_KEY bytes) into *w. */
static int
decode_award(points_db *db, const char *name, int64_t period_start,
    const unsigned char *k, const void *v, size_t vl, points_grant_award *w)
{
	points_rd rd;

	memset(w, 0, sizeof(*w));
	strcpy(w->grant, name);
	w->period_start = period_start;
	w->account = (int64_t)points_codec__get_be64(k + 13);
	points_rd__init(&rd, v, vl);
	if (points_rd__u8(&rd) != GRANT_PAID_V1)
		rd.err = POINTS_ECORRUPT;
	w->version = points_rd__svar(&rd);
	w->points = points_rd__svar(&rd);
	w->time = points_rd__svar(&rd);
	points_rd__str(&rd, w->txn_id, sizeof(w->txn_id));
	if (rd.err || rd.p != rd.end || w->points <= 0)
		return points_db__err(db, POINTS_ECORRUPT, "grant '%s': award "
		    "of account %lld unreadable", name, (long long)w->account);
	return POINTS_OK;
}

POINTS_EXTERN int
points_grant_award_get(points_db *db, const char *name, int64_t as_of,
    int64_t account, points_grant_award *out)
{
	points_grant g;
	points_grant_award w;
	unsigned char key[PAID_KEY];
	uint32_t id;
	period p;
	const void *v;
	size_t vl;
	char pname[24];
	int rc;

	if ((rc = check_get(db, name, out)))
		return rc;
	if (as_of == 0)
		as_of = points_db__time(db, 0);
	if (as_of < 0)
		return points_db__err(db, POINTS_EINVAL, "as_of %lld is "
		    "negative", (long long)as_of);
	if ((rc = points_db__read_begin(db)))
		return rc;
	if ((rc = get_in(db, name, 0, &g, NULL, &id)))
		goto out;
	period_of(db, g.period, as_of, &p);
	paid_key(key, id, &p, account);
	rc = points_db__get(db, &paid_ks, key, PAID_KEY, &v, &vl);
	if (rc == POINTS_ENOTFOUND) {
		period_name(&p, pname, sizeof(pname));
		rc = points_db__err(db, rc, "grant '%s': account %lld was not "
		    "paid for %s", name, (long long)account, pname);
		goto out;
	}
	if (rc == POINTS_OK)
		rc = decode_award(db, name, p.start, key, v, vl, &w);
out:
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = w;
	return rc;
}

/* ---- A period's awards ---- */

struct points_grant_award_iterator {
	points_iter base;
	int64_t next;            /* the next account id to look at */
	unsigned char prefix[13]; /* grant | kind | day */
	char name[POINTS_RULE_NAME_MAX + 1];
	int64_t period_start;
	points_grant_award buf[16];
};
#define AWARD_BUFN (sizeof(((struct points_grant_award_iterator *)0)->buf) \
	/ sizeof(points_grant_award))

static int award_fill(points_iter *base);
static const points_iter_type award_type = POINTS_ITER_TYPE(
    "grant award iterator", struct points_grant_award_iterator, next,
    award_fill, NULL);

static int
award_fill(points_iter *base)
{
	struct points_grant_award_iterator *it = (void *)base;
	points_db *db = base->db;
	unsigned char keys[PAID_KEY * AWARD_BUFN], lo[PAID_KEY], hi[13];
	size_t got, i;
	int j, rc;

	memcpy(lo, it->prefix, 13);
	points_codec__put_be64(lo + 13, (uint64_t)it->next);
	/* the first key past the prefix: the prefix plus one */
	memcpy(hi, it->prefix, 13);
	for (j = 12; j >= 0 && ++hi[j] == 0; j--)
		;
	if ((rc = points_db__collect_keys(db, &paid_ks, lo, PAID_KEY,
	    j >= 0 ? hi : NULL, j >= 0 ? 13 : 0, PAID_KEY, keys, AWARD_BUFN,
	    &got)))
		return rc;
	for (i = 0; i < got; i++) {
		const unsigned char *k = keys + PAID_KEY * i;
		const void *v;
		size_t vl;

		rc = points_db__get(db, &paid_ks, k, PAID_KEY, &v, &vl);
		if (rc == POINTS_ENOTFOUND)
			rc = points_db__err(db, POINTS_ECORRUPT, "grant '%s': "
			    "award vanished", it->name);
		if (rc || (rc = decode_award(db, it->name, it->period_start, k,
		    v, vl, &it->buf[i])))
			return rc;
		it->next = it->buf[i].account + 1;
	}
	base->n = got;
	if (got < AWARD_BUFN)
		base->done = 1;
	return POINTS_OK;
}

POINTS_EXTERN int
points_grant_award_iterator_new(points_db *db, const char *name,
    int64_t as_of, points_grant_award_iterator **out)
{
	points_iter *base;
	points_grant g;
	uint32_t id;
	period p;
	unsigned char k[PAID_KEY];
	int rc;

	if ((rc = check_get(db, name, out)))
		return rc;
	if (as_of == 0)
		as_of = points_db__time(db, 0);
	if (as_of < 0)
		return points_db__err(db, POINTS_EINVAL, "as_of %lld is "
		    "negative", (long long)as_of);
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = get_in(db, name, 0, &g, NULL, &id);
	points_db__read_end(db);
	if (rc)
		return rc;
	period_of(db, g.period, as_of, &p);
	paid_key(k, id, &p, 0);
	if ((rc = points_iter__new(db, &award_type,
	    sizeof(struct points_grant_award_iterator), &base)))
		return rc;
	*out = (points_grant_award_iterator *)(void *)base;
	(*out)->next = 1;
	memcpy((*out)->prefix, k, 13);
	strcpy((*out)->name, name);
	(*out)->period_start = p.start;
	return POINTS_OK;
}

POINTS_EXTERN int
points_grant_award_next(points_grant_award_iterator *it,
    points_grant_award *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &award_type, out);

	if (rc == POINTS_OK)
		*out = it->buf[it->base.i++];
	return rc;
}

POINTS_EXTERN void
points_grant_award_iterator_free(points_grant_award_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
