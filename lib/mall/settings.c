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

#define SETTINGS_FORMAT 1
#define WINDOW_V1 1
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
	int rc;

	memset(out, 0, sizeof(*out));
	rc = points_db__get(db, &set_ks, "w", 1, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	points_rd__init(&rd, v, vl);
	if (points_rd__u8(&rd) != WINDOW_V1)
		rd.err = POINTS_ECORRUPT;
	out->window_weekdays = (unsigned)points_rd__uvar(&rd);
	out->window_monthdays = (unsigned)points_rd__uvar(&rd);
	out->updated = points_rd__svar(&rd);
	points_rd__str(&rd, out->actor, sizeof(out->actor));
	points_rd__str(&rd, out->reason, sizeof(out->reason));
	if (rd.err)
		return points_db__err(db, POINTS_ECORRUPT, "the mall's "
		    "settings: record unreadable");
	return POINTS_OK;
}

static int
set_window_in(points_db *db, unsigned int weekdays, unsigned int monthdays,
    const char *actor, const char *reason, points_mall_settings *m)
{
	points_buf *b = &db->vbuf;
	int rc;

	if ((rc = points_mall__settings(db, m)))
		return rc;
	if (m->window_weekdays == weekdays && m->window_monthdays == monthdays)
		return POINTS_OK; /* as it was */
	m->window_weekdays = weekdays;
	m->window_monthdays = monthdays;
	m->updated = points_db__time(db, 0);
	snprintf(m->actor, sizeof(m->actor), "%s", actor);
	snprintf(m->reason, sizeof(m->reason), "%s", reason ? reason : "");
	points_buf__reset(b);
	points_buf__u8(b, WINDOW_V1);
	points_buf__uvar(b, weekdays);
	points_buf__uvar(b, monthdays);
	points_buf__svar(b, m->updated);
	points_buf__str(b, m->actor);
	points_buf__str(b, m->reason);
	if (b->err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	return points_db__put(db, &set_ks, "w", 1, b->data, b->len);
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
	have = b.available - b.pending;
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
