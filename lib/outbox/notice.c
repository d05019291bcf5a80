/* notice.c - notices of points about to expire (points/outbox.h): an
 * asset may have a window of days; the expiry sweep (its swept hook,
 * core/module.h) writes an outbox event for each lot (an account's
 * points of the asset that expire on one day) expiring within the
 * window, once per lot and window.
 *
 * Stored (each keyspace its own):
 *   outboxexpwin   asset id (be32) -> the window in days
 *   outboxexpsent  asset id (be32) | day (be32) | account (be64) |
 *                  window (be32) -> "": the lot was told of with this
 *                  window; keys of past days are dropped by the next
 *                  sweep */
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "core/lot.h"
#include "core/module.h"
#include "outbox/outbox.h"

#define NOTICE_FORMAT 1
#define SCAN 256

static points_ksdef win_ks = { "outboxexpwin", POINTS_KS_ORDERED, 0 };
static points_ksdef sent_ks = { "outboxexpsent", POINTS_KS_ORDERED, 0 };
static points_ksdef *const keyspaces[] = { &win_ks, &sent_ks, NULL };

static int notice_swept(points_db *db, void *state, uint32_t asset,
    int64_t as_of);

static points_module notice_module = {
	.name = "outbox_notice",
	.format = NOTICE_FORMAT,
	.keyspaces = keyspaces,
	.swept = notice_swept,
};
POINTS_MODULE(notice_module)

static int
window_get(points_db *db, uint32_t asset, int64_t *days)
{
	unsigned char k[4];
	const void *v;
	size_t vl;
	points_rd rd;
	int rc;

	points_codec__put_be32(k, asset);
	*days = 0;
	rc = points_db__get(db, &win_ks, k, sizeof(k), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	points_rd__init(&rd, v, vl);
	*days = points_rd__svar(&rd);
	if (rd.err || *days <= 0 || *days > POINTS_EXPIRING_DAYS_MAX)
		return points_db__err(db, POINTS_ECORRUPT, "outboxexpwin: "
		    "asset %u: record unreadable", (unsigned)asset);
	return POINTS_OK;
}

POINTS_EXTERN int
points_outbox_expiring_set(points_db *db, const char *asset, int64_t days)
{
	points_asset_rec a;
	unsigned char k[4];
	int64_t cur = 0;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!asset)
		return points_db__err(db, POINTS_EINVAL, "asset is required");
	if (days < 0 || days > POINTS_EXPIRING_DAYS_MAX)
		return points_db__err(db, POINTS_EINVAL, "asset %s: a notice "
		    "window of %lld days (0 to %d)", asset, (long long)days,
		    POINTS_EXPIRING_DAYS_MAX);
	if ((rc = points_db__write_begin(db)))
		return rc;
	rc = points_asset__find(db, asset, &a);
	if (rc == POINTS_OK)
		rc = window_get(db, a.id, &cur);
	if (rc == POINTS_OK && cur != days) { /* as it was: nothing */
		points_codec__put_be32(k, a.id);
		if (days == 0) {
			rc = points_db__del(db, &win_ks, k, sizeof(k));
			if (rc == POINTS_ENOTFOUND)
				rc = POINTS_OK;
		} else {
			points_buf *b = &db->vbuf;

			points_buf__reset(b);
			points_buf__svar(b, days);
			rc = b->err ? points_db__err(db, POINTS_ENOMEM,
			    "out of memory") : points_db__put(db, &win_ks, k,
			    sizeof(k), b->data, b->len);
		}
	}
	return points_db__write_end(db, rc);
}

POINTS_EXTERN int
points_outbox_expiring_get(points_db *db, const char *asset, int64_t *out)
{
	points_asset_rec a;
	int64_t days = 0;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!asset || !out)
		return points_db__err(db, POINTS_EINVAL, "asset and out are "
		    "required");
	if ((rc = points_db__read_begin(db)))
		return rc;
	if ((rc = points_asset__find(db, asset, &a)) == POINTS_OK)
		rc = window_get(db, a.id, &days);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = days;
	return rc;
}

/* ---- The sweep's notices ---- */

static void
sent_key(unsigned char k[20], uint32_t asset, uint32_t day, int64_t account,
    uint32_t window)
{
	points_codec__put_be32(k, asset);
	points_codec__put_be32(k + 4, day);
	points_codec__put_be64(k + 8, (uint64_t)account);
	points_codec__put_be32(k + 16, window);
}

/* Drop the keys of lots of asset that expired before day today. */
static int
drop_past(points_db *db, uint32_t asset, uint32_t today)
{
	unsigned char lo[4], hi[8], keys[SCAN * 20];
	size_t n, i;
	int rc;

	points_codec__put_be32(lo, asset);
	points_codec__put_be32(hi, asset);
	points_codec__put_be32(hi + 4, today);
	do {
		if ((rc = points_db__collect_keys(db, &sent_ks, lo, sizeof(lo),
		    hi, sizeof(hi), 20, keys, SCAN, &n)))
			return rc;
		for (i = 0; i < n; i++)
			if ((rc = points_db__del(db, &sent_ks, keys + 20 * i,
			    20)))
				return rc;
	} while (n == SCAN);
	return POINTS_OK;
}

/* Tell of lot l of balance b, unless it was told of with this window. */
static int
notice_lot(points_db *db, const points_asset_rec *a, const points_balance_rec *b,
    const points_lotrec *l, uint32_t today, uint32_t window)
{
	unsigned char k[20];
	points_outbox_json j;
	const void *v;
	size_t vl;
	int rc;

	sent_key(k, a->id, l->day, b->account, window);
	rc = points_db__get(db, &sent_ks, k, sizeof(k), &v, &vl);
	if (rc != POINTS_ENOTFOUND)
		return rc; /* told already, or an error */
	points_outbox__json_begin(&j);
	points_outbox__json_str(&j, "asset", a->a.code);
	points_outbox__json_int(&j, "amount", l->amount);
	points_outbox__json_int(&j, "expires_at",
	    points_asset__day_end(db, l->day));
	points_outbox__json_int(&j, "days_left", (int64_t)l->day - today);
	points_outbox__json_int(&j, "window", window);
	if ((rc = points_outbox__json_end(&j)))
		return points_db__err(db, rc, "outbox: event too long");
	if ((rc = points_outbox__append(db, POINTS_OUTBOX_POINTS_EXPIRING,
	    a->a.code, b->account, j.buf, NULL)))
		return rc;
	return points_db__put(db, &sent_ks, k, sizeof(k), "", 0);
}

/* The lots of asset a expiring from day today through today + window. */
static int
notice_asset(points_db *db, const points_asset_rec *a, uint32_t today,
    uint32_t window)
{
	unsigned char hi[4], pos[17], keys[SCAN * 16];
	size_t poslen = 0, n, i, k;
	uint32_t last = today + window;
	int rc;

	if ((rc = drop_past(db, a->id, today)))
		return rc;
	points_codec__put_be32(hi, last + 1);
	do {
		if ((rc = points_db__collect_keys(db, &points_balance__sweep_ks,
		    poslen ? pos : NULL, poslen, hi, sizeof(hi), 16, keys,
		    SCAN, &n)))
			return rc;
		for (i = 0; i < n; i++) {
			const unsigned char *key = keys + 16 * i;
			points_balance_rec b;

			if (points_codec__get_be32(key + 12) != a->id)
				continue;
			points_balance__init(&b, (int64_t)points_codec__get_be64(
			    key + 4), a->id, 0);
			rc = points_balance__load(db, &b);
			/* its key is at its earliest lot's day: another
			 * key is not its own (as the lot iterator reads) */
			if (rc == POINTS_OK && (b.system || b.idx_day !=
			    points_codec__get_be32(key))) {
				points_balance__free(&b);
				continue;
			}
			if (rc == POINTS_OK)
				rc = points_balance__load_spilled(db, &b, today,
				    (size_t)window + 2);
			for (k = 0; rc == POINTS_OK && k < b.lots.n; k++) {
				const points_lotrec *l = &b.lots.v[k];

				if (l->day < today || l->amount <= 0)
					continue;
				if (l->day > last)
					break;
				rc = notice_lot(db, a, &b, l, today, window);
			}
			points_balance__free(&b);
			if (rc)
				return rc;
		}
		if (n) {
			memcpy(pos, keys + 16 * (n - 1), 16);
			pos[16] = 0; /* just after the last key */
			poslen = 17;
		}
	} while (n == SCAN);
	return POINTS_OK;
}

static int
notice_swept(points_db *db, void *state, uint32_t asset, int64_t as_of)
{
	unsigned char pos[5], keys[SCAN * 4];
	size_t poslen = 0, n, i;
	int64_t today = points_db__day(db, as_of), days;
	int rc;

	(void)state;
	if (today < 0 || today >= (int64_t)POINTS_DAY_NEVER -
	    POINTS_EXPIRING_DAYS_MAX - 1)
		return POINTS_OK;
	do {
		if ((rc = points_db__collect_keys(db, &win_ks, poslen ? pos :
		    NULL, poslen, NULL, 0, 4, keys, SCAN, &n)))
			return rc;
		for (i = 0; i < n; i++) {
			uint32_t id = points_codec__get_be32(keys + 4 * i);
			points_asset_rec a;

			if (asset && id != asset)
				continue;
			if ((rc = window_get(db, id, &days)) ||
			    (rc = points_asset__by_id(db, id, &a)) ||
			    (rc = notice_asset(db, &a, (uint32_t)today,
			    (uint32_t)days)))
				return rc;
		}
		if (n) {
			memcpy(pos, keys + 4 * (n - 1), 4);
			pos[4] = 0;
			poslen = 5;
		}
	} while (n == SCAN);
	return POINTS_OK;
}
