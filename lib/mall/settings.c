/* settings.c - the mall's own settings (points/mall.h, window.h): its
 * redemption window, and per asset the minimum balance an account needs
 * before it may redeem.  Each record keeps its last change's time,
 * actor and reason. */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "core/asset.h"
#include "core/db.h"
#include "core/module.h"
#include "mall/window.h"

/* 2: the window record of version 2 (the pay order), which format 1's
 * readers refuse */
#define SETTINGS_FORMAT 2
#define WINDOW_V1 1
#define WINDOW_V2 2 /* then the pay order (version 1: allowance first) */
#define MIN_V1 1

static points_ksdef set_ks = { "mallset", 0, 0 };
static points_ksdef *const keyspaces[] = { &set_ks, NULL };
static points_module settings_module = {
	.name = "mall_settings",
	.format = SETTINGS_FORMAT,
	.keyspaces = keyspaces,
};
POINTS_MODULE(settings_module)

static int
check_actor(points_db *db, const char *actor, const char *reason)
{
	int rc;

	if ((rc = points_db__check_str(db, "actor", actor, POINTS_ACTOR_MAX,
	    1)))
		return rc;
	return points_db__check_str(db, "reason", reason, POINTS_REASON_MAX,
	    0);
}

/* ---- The window ---- */

int
points_mall__settings(points_db *db, points_mall_settings *out)
{
	const void *v;
	size_t vl;
	points_rd rd;
	unsigned ver;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = points_db__get(db, &set_ks, "w", 1, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	points_rd__init(&rd, v, vl);
	ver = points_rd__u8(&rd);
	if (ver != WINDOW_V1 && ver != WINDOW_V2)
		rd.err = POINTS_ECORRUPT;
	out->window_weekdays = (unsigned)points_rd__uvar(&rd);
	out->window_monthdays = (unsigned)points_rd__uvar(&rd);
	out->updated = points_rd__svar(&rd);
	points_rd__str(&rd, out->actor, sizeof(out->actor));
	points_rd__str(&rd, out->reason, sizeof(out->reason));
	if (ver >= WINDOW_V2)
		out->pay_order = (int)points_rd__u8(&rd);
	if (rd.err || (out->pay_order != POINTS_PAY_ALLOWANCE_FIRST &&
	    out->pay_order != POINTS_PAY_POINTS_FIRST))
		return points_db__err(db, POINTS_ECORRUPT, "the mall's "
		    "settings: record unreadable");
	return POINTS_OK;
}

/* Store m as changed by actor for reason now. */
static int
settings_store(points_db *db, points_mall_settings *m, const char *actor,
    const char *reason)
{
	points_buf *b = &db->vbuf;

	m->updated = points_db__time(db, 0);
	snprintf(m->actor, sizeof(m->actor), "%s", actor);
	snprintf(m->reason, sizeof(m->reason), "%s", reason ? reason : "");
	points_buf__reset(b);
	points_buf__u8(b, WINDOW_V2);
	points_buf__uvar(b, m->window_weekdays);
	points_buf__uvar(b, m->window_monthdays);
	points_buf__svar(b, m->updated);
	points_buf__str(b, m->actor);
	points_buf__str(b, m->reason);
	points_buf__u8(b, (unsigned)m->pay_order);
	if (b->err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	return points_db__put(db, &set_ks, "w", 1, b->data, b->len);
}

static int
set_window_in(points_db *db, unsigned int weekdays, unsigned int monthdays,
    const char *actor, const char *reason, points_mall_settings *m)
{
	int rc;

	if ((rc = points_mall__settings(db, m)))
		return rc;
	if (m->window_weekdays == weekdays && m->window_monthdays == monthdays)
		return POINTS_OK; /* as it was */
	m->window_weekdays = weekdays;
	m->window_monthdays = monthdays;
	return settings_store(db, m, actor, reason);
}

static int
set_pay_order_in(points_db *db, int pay_order, const char *actor,
    const char *reason, points_mall_settings *m)
{
	int rc;

	if ((rc = points_mall__settings(db, m)))
		return rc;
	if (m->pay_order == pay_order)
		return POINTS_OK; /* as it was */
	m->pay_order = pay_order;
	return settings_store(db, m, actor, reason);
}

POINTS_EXTERN int
points_mall_set_pay_order(points_db *db, int pay_order, const char *actor,
    const char *reason, points_mall_settings *out)
{
	points_mall_settings m;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if (pay_order != POINTS_PAY_ALLOWANCE_FIRST &&
	    pay_order != POINTS_PAY_POINTS_FIRST)
		return points_db__err(db, POINTS_EINVAL, "the mall's pay order "
		    "must be POINTS_PAY_ALLOWANCE_FIRST or "
		    "POINTS_PAY_POINTS_FIRST (got %d)", pay_order);
	if ((rc = check_actor(db, actor, reason)) ||
	    (rc = points_db__write_begin(db)))
		return rc;
	rc = points_db__write_end(db, set_pay_order_in(db, pay_order, actor,
	    reason, &m));
	if (rc == POINTS_OK)
		*out = m;
	return rc;
}

POINTS_EXTERN int
points_mall_set_window(points_db *db, unsigned int weekdays,
    unsigned int monthdays, const char *actor, const char *reason,
    points_mall_settings *out)
{
	points_mall_settings m;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_window__check(db, "the mall", weekdays,
	    monthdays)) || (rc = check_actor(db, actor, reason)) ||
	    (rc = points_db__write_begin(db)))
		return rc;
	rc = points_db__write_end(db, set_window_in(db, weekdays, monthdays,
	    actor, reason, &m));
	if (rc == POINTS_OK)
		*out = m;
	return rc;
}

POINTS_EXTERN int
points_mall_settings_get(points_db *db, points_mall_settings *out)
{
	points_mall_settings m;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = points_mall__settings(db, &m);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = m;
	return rc;
}

/* ---- Minimum balances ---- */

static size_t
min_key(unsigned char *k, const char *asset)
{
	size_t l = strlen(asset);

	k[0] = 'm';
	memcpy(k + 1, asset, l);
	return l + 1;
}

int
points_mall__min_balance(points_db *db, const char *asset, int64_t *out)
{
	unsigned char k[1 + POINTS_ASSET_MAX];
	const void *v;
	size_t vl;
	points_rd rd;
	int64_t min;
	int rc;

	rc = points_db__get(db, &set_ks, k, min_key(k, asset), &v, &vl);
	if (rc == POINTS_ENOTFOUND) {
		*out = 0;
		return POINTS_OK;
	}
	if (rc)
		return rc;
	points_rd__init(&rd, v, vl);
	if (points_rd__u8(&rd) != MIN_V1)
		rd.err = POINTS_ECORRUPT;
	min = points_rd__svar(&rd);
	if (rd.err || min <= 0)
		return points_db__err(db, POINTS_ECORRUPT, "the mall's minimum "
		    "balance of %s: record unreadable", asset);
	*out = min;
	return POINTS_OK;
}

int
points_mall__min_balance_check(points_db *db, int64_t account,
    const char *ext, const char *asset)
{
	points_balance b;
	int64_t min, have;
	int rc;

	if ((rc = points_mall__min_balance(db, asset, &min)) || min == 0)
		return rc;
	if ((rc = points_balance_get(db, account, asset, &b)))
		return rc;
	have = points_mall__min_balance_have(&b);
	if (have >= min)
		return POINTS_OK;
	return points_db__err(db, POINTS_EINSUFFICIENT, "account %s has %lld "
	    "%s to spend: the mall needs at least %lld %s before an account "
	    "may redeem", ext, (long long)have, asset, (long long)min,
	    asset);
}

static int
set_min_in(points_db *db, const char *asset, int64_t points,
    const char *actor, const char *reason)
{
	unsigned char k[1 + POINTS_ASSET_MAX];
	points_asset_rec a;
	points_buf *b = &db->vbuf;
	size_t kl = min_key(k, asset);
	int64_t was;
	int rc;

	if ((rc = points_asset__find(db, asset, &a)) ||
	    (rc = points_mall__min_balance(db, asset, &was)))
		return rc;
	if (was == points)
		return POINTS_OK;
	if (points == 0)
		return points_db__del(db, &set_ks, k, kl);
	points_buf__reset(b);
	points_buf__u8(b, MIN_V1);
	points_buf__svar(b, points);
	points_buf__svar(b, points_db__time(db, 0));
	points_buf__str(b, actor);
	points_buf__str(b, reason ? reason : "");
	if (b->err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	return points_db__put(db, &set_ks, k, kl, b->data, b->len);
}

POINTS_EXTERN int
points_mall_set_min_balance(points_db *db, const char *asset, int64_t points,
    const char *actor, const char *reason)
{
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if ((rc = points_db__check_str(db, "asset", asset, POINTS_ASSET_MAX,
	    1)) || (rc = check_actor(db, actor, reason)))
		return rc;
	if (points < 0)
		return points_db__err(db, POINTS_EINVAL, "the mall's minimum "
		    "balance of %s must not be negative (0 removes it; got "
		    "%lld)", asset, (long long)points);
	if ((rc = points_db__write_begin(db)))
		return rc;
	return points_db__write_end(db, set_min_in(db, asset, points, actor,
	    reason));
}

POINTS_EXTERN int
points_mall_min_balance_get(points_db *db, const char *asset, int64_t *out)
{
	points_asset_rec a;
	int64_t min = 0;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__check_str(db, "asset", asset, POINTS_ASSET_MAX,
	    1)) || (rc = points_db__read_begin(db)))
		return rc;
	if ((rc = points_asset__find(db, asset, &a)) == POINTS_OK)
		rc = points_mall__min_balance(db, asset, &min);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = min;
	return rc;
}

/* ---- Points to cash ----
 * Per asset: points points are worth cash minor units of cash (100
 * points = 1000 fen, 10.00 yuan), each term 1 to POINTS_CASH_RATIO_MAX,
 * so that the conversion's products fit in 64 bits (cash_of). */

#define CASH_V1 1

static size_t
cash_key(unsigned char *k, const char *asset)
{
	size_t l = strlen(asset);

	k[0] = 'c';
	memcpy(k + 1, asset, l);
	return l + 1;
}

int
points_mall__cash_ratio(points_db *db, const char *asset,
    points_cash_ratio *out)
{
	unsigned char k[1 + POINTS_ASSET_MAX];
	const void *v;
	size_t vl;
	points_rd rd;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->asset, sizeof(out->asset), "%s", asset);
	rc = points_db__get(db, &set_ks, k, cash_key(k, asset), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	points_rd__init(&rd, v, vl);
	if (points_rd__u8(&rd) != CASH_V1)
		rd.err = POINTS_ECORRUPT;
	out->points = points_rd__svar(&rd);
	out->cash = points_rd__svar(&rd);
	out->updated = points_rd__svar(&rd);
	points_rd__str(&rd, out->actor, sizeof(out->actor));
	points_rd__str(&rd, out->reason, sizeof(out->reason));
	if (rd.err || out->points < 1 || out->points > POINTS_CASH_RATIO_MAX ||
	    out->cash < 1 || out->cash > POINTS_CASH_RATIO_MAX)
		return points_db__err(db, POINTS_ECORRUPT, "the mall's cash "
		    "ratio of %s: record unreadable", asset);
	return POINTS_OK;
}

int
points_mall__cash_of(points_db *db, const char *asset, int64_t points,
    int64_t *out)
{
	points_cash_ratio r;
	int64_t whole, part;
	int rc;

	if (points == 0) {
		*out = 0;
		return POINTS_OK;
	}
	if ((rc = points_mall__cash_ratio(db, asset, &r)))
		return rc;
	if (r.points == 0)
		return points_db__err(db, POINTS_ENOTFOUND, "asset %s has no "
		    "points-to-cash ratio (points_mall_set_cash_ratio): %lld "
		    "points cannot be paid in cash", asset, (long long)points);
	/* ceil(points * cash / r.points), exactly: points = q * r.points +
	 * m, so it is q * cash + ceil(m * cash / r.points); m and cash are
	 * below 2^30, so m * cash fits; only q * cash and the sum can
	 * overflow, and then the figure itself does */
	if (__builtin_mul_overflow(points / r.points, r.cash, &whole))
		goto overflow;
	part = points % r.points * r.cash;
	part = part / r.points + (part % r.points != 0);
	if (__builtin_add_overflow(whole, part, out))
		goto overflow;
	return POINTS_OK;
overflow:
	return points_db__err(db, POINTS_EOVERFLOW, "%lld %s in cash at %lld "
	    "points = %lld overflows", (long long)points, asset,
	    (long long)r.points, (long long)r.cash);
}

static int
set_cash_in(points_db *db, const char *asset, int64_t points, int64_t cash,
    const char *actor, const char *reason, points_cash_ratio *out)
{
	unsigned char k[1 + POINTS_ASSET_MAX];
	points_asset_rec a;
	points_cash_ratio was;
	points_buf *b = &db->vbuf;
	size_t kl = cash_key(k, asset);
	int rc;

	if ((rc = points_asset__find(db, asset, &a)) ||
	    (rc = points_mall__cash_ratio(db, asset, &was)))
		return rc;
	*out = was;
	if (was.points == points && was.cash == cash)
		return POINTS_OK; /* as it was */
	if (points == 0) {
		memset(out, 0, sizeof(*out));
		strcpy(out->asset, asset);
		return points_db__del(db, &set_ks, k, kl);
	}
	out->points = points;
	out->cash = cash;
	out->updated = points_db__time(db, 0);
	snprintf(out->actor, sizeof(out->actor), "%s", actor);
	snprintf(out->reason, sizeof(out->reason), "%s", reason ? reason : "");
	points_buf__reset(b);
	points_buf__u8(b, CASH_V1);
	points_buf__svar(b, out->points);
	points_buf__svar(b, out->cash);
	points_buf__svar(b, out->updated);
	points_buf__str(b, out->actor);
	points_buf__str(b, out->reason);
	if (b->err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	return points_db__put(db, &set_ks, k, kl, b->data, b->len);
}

POINTS_EXTERN int
points_mall_set_cash_ratio(points_db *db, const char *asset, int64_t points,
    int64_t cash, const char *actor, const char *reason,
    points_cash_ratio *out)
{
	points_cash_ratio r;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__check_str(db, "asset", asset, POINTS_ASSET_MAX,
	    1)) || (rc = check_actor(db, actor, reason)))
		return rc;
	if (points == 0 && cash == 0)
		; /* removes it */
	else if (points < 1 || points > POINTS_CASH_RATIO_MAX || cash < 1 ||
	    cash > POINTS_CASH_RATIO_MAX)
		return points_db__err(db, POINTS_EINVAL, "the cash ratio of %s: "
		    "%lld points = %lld cash: each must be 1 to %lld (both 0 "
		    "remove it)", asset, (long long)points, (long long)cash,
		    (long long)POINTS_CASH_RATIO_MAX);
	if ((rc = points_db__write_begin(db)))
		return rc;
	rc = points_db__write_end(db, set_cash_in(db, asset, points, cash,
	    actor, reason, &r));
	if (rc == POINTS_OK)
		*out = r;
	return rc;
}

POINTS_EXTERN int
points_mall_cash_ratio_get(points_db *db, const char *asset,
    points_cash_ratio *out)
{
	points_asset_rec a;
	points_cash_ratio r;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__check_str(db, "asset", asset, POINTS_ASSET_MAX,
	    1)) || (rc = points_db__read_begin(db)))
		return rc;
	memset(&r, 0, sizeof(r)); /* cppcheck cannot see the read set it */
	if ((rc = points_asset__find(db, asset, &a)) == POINTS_OK)
		rc = points_mall__cash_ratio(db, asset, &r);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = r;
	return rc;
}
