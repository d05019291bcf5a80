/* asset.c - assets: a code, decimal places, an expiry policy and a
 * policy (transferability, a daily transfer limit, the yearly clearing
 * date).  The code, id and decimals never change, so a handle caches
 * assets for their ids; the policy may change (points_asset_policy_set,
 * by any handle), so a posting reads the record again with its other
 * reads (points_asset__getreq) and uses what it found. */
#include <string.h>

#include "points.h"
#include "core/asset.h"
#include "util/calendar.h"
#include "util/codec.h"
#include "core/db.h"

/* Version 1: id, decimals, expiry policy and n.  Version 2 (0.2.0)
 * appends the policy: flags, transfer limit, clearing month and day.
 * An asset with the default policy keeps a version-1 record. */
#define ASSET_RECORD_V1 1
#define ASSET_RECORD_V2 2
#define ASSET_FORMAT 2


/* code -> asset record */
points_ksdef points_asset__ks = { "asset", 0, 0 };

/* Assets this handle has read, and how many of them are committed: a
 * rolled-back transaction may have made the others. */
struct asset_cache {
	points_asset_rec assets[POINTS_ASSET_CACHE];
	int n, committed;
};

static void
cache_txn_end(points_db *db, void *state, int committed)
{
	struct asset_cache *c = state;

	(void)db;
	if (committed)
		c->committed = c->n;
	else
		c->n = c->committed;
}

/* An operation of a batch was undone: an asset it made is gone.  Those
 * the batch made before it are still in the store and are read again. */
static void
cache_op_undone(points_db *db, void *state)
{
	struct asset_cache *c = state;

	(void)db;
	c->n = c->committed;
}

static points_ksdef *const keyspaces[] = { &points_asset__ks, NULL };
static points_module asset_module = {
	.name = "asset",
	.format = ASSET_FORMAT, /* 2 reads version-1 records as they are */
	.keyspaces = keyspaces,
	.state_size = sizeof(struct asset_cache),
	.txn_end = cache_txn_end,
	.op_undone = cache_op_undone,
};
POINTS_MODULE(asset_module)

static int
check_code(points_db *db, const char *code)
{
	size_t i, n;

	if (!code)
		return points_db__err(db, POINTS_EINVAL, "asset code is required");
	n = strnlen(code, POINTS_ASSET_MAX + 1);
	if (n == 0 || n > POINTS_ASSET_MAX)
		return points_db__err(db, POINTS_EINVAL,
		    "asset code must be 1-%d characters", POINTS_ASSET_MAX);
	for (i = 0; i < n; i++) {
		char c = code[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_'))
			return points_db__err(db, POINTS_EINVAL,
			    "asset code '%.16s' may hold only A-Z, 0-9 and _",
			    code);
	}
	return POINTS_OK;
}

static const int month_days[13] = {
	0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
};

/* A clearing date of a common year (no 29 Feb: it would not come every
 * year). */
static int
valid_year_end(int64_t month, int64_t day)
{
	return month >= 1 && month <= 12 && day >= 1 &&
	    day <= month_days[month];
}

static void
default_policy(points_asset *a)
{
	a->flags = 0;
	a->transfer_limit = 0;
	a->year_end_month = 12;
	a->year_end_day = 31;
}

static int
decode(points_db *db, const char *code, size_t n, const void *v, size_t vl,
    points_asset_rec *out)
{
	points_rd r;
	unsigned version;

	memset(out, 0, sizeof(*out));
	memcpy(out->a.code, code, n);
	default_policy(&out->a);
	points_rd__init(&r, v, vl);
	version = points_rd__u8(&r);
	if (version != ASSET_RECORD_V1 && version != ASSET_RECORD_V2)
		r.err = POINTS_ECORRUPT;
	out->id = (uint32_t)points_rd__uvar(&r);
	out->a.decimals = (int)points_rd__u8(&r);
	out->a.expiry_policy = (int)points_rd__u8(&r);
	out->a.expiry_n = (int)points_rd__uvar(&r);
	if (version == ASSET_RECORD_V2) {
		uint64_t flags = points_rd__uvar(&r);
		uint64_t limit = points_rd__uvar(&r);
		unsigned month = points_rd__u8(&r), day = points_rd__u8(&r);

		if (flags & ~(uint64_t)POINTS_ASSET_NO_TRANSFER ||
		    limit > INT64_MAX || !valid_year_end(month, day))
			r.err = POINTS_ECORRUPT;
		out->a.flags = (unsigned)flags;
		out->a.transfer_limit = (int64_t)limit;
		out->a.year_end_month = (int)month;
		out->a.year_end_day = (int)day;
	}
	if (r.err || r.p != r.end)
		return points_db__err(db, POINTS_ECORRUPT,
		    "asset %.*s: record unreadable", (int)n, code);
	return POINTS_OK;
}

int
points_asset__decode(points_db *db, const char *code, size_t n,
    const void *v, size_t vl, points_asset_rec *out)
{
	if (n == 0 || n > POINTS_ASSET_MAX)
		return points_db__err(db, POINTS_ECORRUPT, "asset key");
	return decode(db, code, n, v, vl, out);
}

/* The record of a: version 1 while the policy is the default. */
static int
encode(points_db *db, const points_asset_rec *a)
{
	int v2 = a->a.flags || a->a.transfer_limit ||
	    a->a.year_end_month != 12 || a->a.year_end_day != 31;

	points_buf__reset(&db->vbuf);
	points_buf__u8(&db->vbuf, v2 ? ASSET_RECORD_V2 : ASSET_RECORD_V1);
	points_buf__uvar(&db->vbuf, a->id);
	points_buf__u8(&db->vbuf, (unsigned)a->a.decimals);
	points_buf__u8(&db->vbuf, (unsigned)a->a.expiry_policy);
	points_buf__uvar(&db->vbuf, (uint64_t)a->a.expiry_n);
	if (v2) {
		points_buf__uvar(&db->vbuf, a->a.flags);
		points_buf__uvar(&db->vbuf, (uint64_t)a->a.transfer_limit);
		points_buf__u8(&db->vbuf, (unsigned)a->a.year_end_month);
		points_buf__u8(&db->vbuf, (unsigned)a->a.year_end_day);
	}
	if (db->vbuf.err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	return points_db__put(db, &points_asset__ks, a->a.code,
	    strlen(a->a.code), db->vbuf.data, db->vbuf.len);
}

static struct asset_cache *
cache(points_db *db)
{
	return points_db__state(db, &asset_module);
}

static void
cache_add(points_db *db, const points_asset_rec *a)
{
	struct asset_cache *c = cache(db);

	if (c->n < POINTS_ASSET_CACHE)
		c->assets[c->n++] = *a;
}

int
points_asset__find(points_db *db, const char *code, points_asset_rec *out)
{
	const void *v;
	size_t vl, n;
	int i, rc;

	struct asset_cache *c = cache(db);

	if ((rc = check_code(db, code)))
		return rc;
	for (i = 0; i < c->n; i++)
		if (strcmp(c->assets[i].a.code, code) == 0) {
			*out = c->assets[i];
			return POINTS_OK;
		}
	n = strlen(code);
	rc = points_db__get(db, &points_asset__ks, code, n, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, rc, "asset %s not found", code);
	if (rc)
		return rc;
	if ((rc = decode(db, code, n, v, vl, out)))
		return rc;
	cache_add(db, out);
	return POINTS_OK;
}

int
points_asset__by_id(points_db *db, uint32_t id, points_asset_rec *out)
{
	points_cursor *c;
	int i, rc;

	struct asset_cache *ac = cache(db);

	for (i = 0; i < ac->n; i++)
		if (ac->assets[i].id == id) {
			*out = ac->assets[i];
			return POINTS_OK;
		}
	/* a handful of assets: scan them */
	rc = db->store->cursor_open(db->store, db->ks[points_asset__ks.slot], NULL, 0,
	    NULL, 0, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "asset");
	for (;;) {
		const void *k, *v;
		size_t kl, vl;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			rc = points_db__err(db, POINTS_ECORRUPT,
			    "asset #%u not found", (unsigned)id);
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, "asset");
			break;
		}
		if (kl > POINTS_ASSET_MAX) {
			rc = points_db__err(db, POINTS_ECORRUPT, "asset key");
			break;
		}
		if ((rc = decode(db, k, kl, v, vl, out)))
			break;
		if (out->id == id) {
			cache_add(db, out);
			break;
		}
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

/* The asset's clearing date in year y (days since 1970). */
static int64_t
year_end(const points_asset *a, int64_t y)
{
	return points_cal__days(y, (unsigned)a->year_end_month,
	    (unsigned)a->year_end_day);
}

uint32_t
points_asset__expiry_day(points_db *db, const points_asset *a, int64_t t)
{
	int64_t day = points_db__day(db, t);

	switch (a->expiry_policy) {
	case POINTS_EXPIRE_DAYS:
		day += a->expiry_n;
		break;
	case POINTS_EXPIRE_YEAR_END: {
		/* the clearing date that ends the (financial) year of
		 * earning, then expiry_n years on */
		int64_t y = points_cal__civil(day).year;

		if (day > year_end(a, y))
			y++;
		day = year_end(a, y + a->expiry_n);
		break;
	}
	default:
		return POINTS_DAY_NEVER;
	}
	return points_asset__clamp_day(day);
}

uint32_t
points_asset__clamp_day(int64_t day)
{
	if (day >= (int64_t)POINTS_DAY_NEVER)
		return POINTS_DAY_NEVER;
	/* day 0 means "no lot" in a balance's index: 1970-01-01 and
	 * before all end on 1970-01-02, long past in any case */
	return day < 1 ? 1 : (uint32_t)day;
}

int64_t
points_asset__day_end(points_db *db, uint32_t day)
{
	if (day == POINTS_DAY_NEVER)
		return INT64_MAX;
	return ((int64_t)day + 1) * 86400 - db->utc_offset - 1;
}

POINTS_EXTERN int
points_asset_create(points_db *db, const char *code, int decimals,
    int expiry_policy, int expiry_n)
{
	points_asset_rec rec;
	points_cursor *c;
	const void *v;
	size_t vl;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if ((rc = check_code(db, code)))
		return rc;
	if (decimals < 0 || decimals > 9)
		return points_db__err(db, POINTS_EINVAL,
		    "asset %s: decimals must be 0-9", code);
	if ((expiry_policy == POINTS_EXPIRE_NEVER && expiry_n != 0) ||
	    (expiry_policy == POINTS_EXPIRE_DAYS &&
	    (expiry_n < 1 || expiry_n > 36500)) ||
	    (expiry_policy == POINTS_EXPIRE_YEAR_END &&
	    (expiry_n < 0 || expiry_n > 100)) ||
	    expiry_policy < POINTS_EXPIRE_NEVER ||
	    expiry_policy > POINTS_EXPIRE_YEAR_END)
		return points_db__err(db, POINTS_EINVAL,
		    "asset %s: bad expiry policy %d/%d (never: n 0; days: "
		    "n 1-36500; year end: n 0-100)", code, expiry_policy,
		    expiry_n);
	if ((rc = points_db__write_begin(db)))
		return rc;
	rc = points_db__get(db, &points_asset__ks, code, strlen(code), &v, &vl);
	if (rc == POINTS_OK)
		rc = points_db__err(db, POINTS_EEXISTS, "asset %s already exists",
		    code);
	else if (rc == POINTS_ENOTFOUND)
		rc = POINTS_OK;
	if (rc == POINTS_OK) {
		/* ids are dense: count the assets there are */
		rec.id = 1;
		rc = db->store->cursor_open(db->store, db->ks[points_asset__ks.slot], NULL,
		    0, NULL, 0, 0, &c);
		if (rc) {
			c = NULL;
			rc = points_db__store_err(db, rc, "asset");
		}
		while (rc == POINTS_OK) {
			const void *k;
			size_t kl;

			rc = db->store->cursor_next(db->store, c, &k, &kl, &v,
			    &vl);
			if (rc == POINTS_ITEROVER) {
				rc = POINTS_OK;
				break;
			}
			if (rc)
				rc = points_db__store_err(db, rc, "asset");
			else
				rec.id++;
		}
		if (c)
			db->store->cursor_close(db->store, c);
	}
	if (rc == POINTS_OK && rec.id > POINTS_ASSET__ID_MAX)
		rc = points_db__err(db, POINTS_ELIMIT, "asset %s: no asset ids "
		    "left (a ledger holds at most %u assets)", code,
		    POINTS_ASSET__ID_MAX);
	if (rc == POINTS_OK) {
		memset(&rec.a, 0, sizeof(rec.a));
		strcpy(rec.a.code, code);
		rec.a.decimals = decimals;
		rec.a.expiry_policy = expiry_policy;
		rec.a.expiry_n = expiry_n;
		default_policy(&rec.a);
		rc = encode(db, &rec);
	}
	return points_db__write_end(db, rc);
}

/* The asset as stored now (not the handle's cache: another handle may
 * have changed its policy). */
static int
load_fresh(points_db *db, const char *code, points_asset_rec *out)
{
	const void *v;
	size_t vl;
	int rc;

	if ((rc = check_code(db, code)))
		return rc;
	rc = points_db__get(db, &points_asset__ks, code, strlen(code), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, rc, "asset %s not found", code);
	if (rc)
		return rc;
	return decode(db, code, strlen(code), v, vl, out);
}

POINTS_EXTERN int
points_asset_get(points_db *db, const char *code, points_asset *out)
{
	points_asset_rec rec;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = load_fresh(db, code, &rec);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = rec.a;
	return rc;
}

void
points_asset__getreq(const points_asset_rec *a, points_getreq *r)
{
	r->ks = &points_asset__ks;
	r->key = a->a.code;
	r->klen = strlen(a->a.code);
}

int
points_asset__fetched(points_db *db, points_asset_rec *a, int rc,
    const void *v, size_t vl)
{
	char code[POINTS_ASSET_MAX + 1];
	uint32_t id = a->id;

	strcpy(code, a->a.code);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, POINTS_ECORRUPT, "asset %s vanished",
		    code);
	if ((rc = decode(db, code, strlen(code), v, vl, a)))
		return rc;
	if (a->id != id)
		return points_db__err(db, POINTS_ECORRUPT,
		    "asset %s: id changed from #%u to #%u", code,
		    (unsigned)id, (unsigned)a->id);
	return POINTS_OK;
}

/* ---- Policies ---- */

static const size_t policy_sizes[] = {
	0, sizeof(points_asset_policy), /* version 1 */
};

POINTS_EXTERN int
points_asset_policy_init(points_asset_policy *p, unsigned int version)
{
	static const points_asset_policy defaults = POINTS_ASSET_POLICY_INIT;

	if (!p)
		return POINTS_EINVAL;
	if (version == 0 || version > POINTS_ASSET_POLICY_VERSION)
		return POINTS_EVERSION;
	memcpy(p, &defaults, policy_sizes[version]);
	p->version = version;
	return POINTS_OK;
}

static int
check_policy(points_db *db, const char *code, const points_asset_policy *p)
{
	if (p->version == 0 || p->version > POINTS_ASSET_POLICY_VERSION)
		return points_db__err(db, POINTS_EVERSION,
		    "asset policy version %u is not supported (this library "
		    "knows 1-%u)", p->version, POINTS_ASSET_POLICY_VERSION);
	if (p->flags & ~POINTS_ASSET_NO_TRANSFER)
		return points_db__err(db, POINTS_EINVAL,
		    "asset %s: unknown policy flags 0x%x", code, p->flags);
	if (p->transfer_limit < 0)
		return points_db__err(db, POINTS_EINVAL,
		    "asset %s: transfer limit %lld is negative (0: none)", code,
		    (long long)p->transfer_limit);
	if (!valid_year_end(p->year_end_month, p->year_end_day))
		return points_db__err(db, POINTS_EINVAL,
		    "asset %s: clearing date %d-%d is not a date of every year "
		    "(month 1-12, a day of that month; not 29 Feb)", code,
		    p->year_end_month, p->year_end_day);
	return POINTS_OK;
}

POINTS_EXTERN int
points_asset_policy_set(points_db *db, const char *code,
    const points_asset_policy *p)
{
	points_asset_rec rec;
	struct asset_cache *c;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if ((rc = check_code(db, code)))
		return rc;
	if (!p)
		return points_db__err(db, POINTS_EINVAL, "policy is required");
	if ((rc = check_policy(db, code, p)))
		return rc;
	if ((rc = points_db__write_begin(db)))
		return rc;
	if ((rc = load_fresh(db, code, &rec)) == POINTS_OK) {
		rec.a.flags = p->flags;
		rec.a.transfer_limit = p->transfer_limit;
		rec.a.year_end_month = p->year_end_month;
		rec.a.year_end_day = p->year_end_day;
		rc = encode(db, &rec);
	}
	if (rc == POINTS_OK) {
		/* the cached copies are read again when next wanted */
		c = cache(db);
		c->n = c->committed = 0;
	}
	return points_db__write_end(db, rc);
}
