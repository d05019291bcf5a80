/* asset.h - assets and their expiry policies. */
#ifndef POINTS_CORE_ASSET_H
#define POINTS_CORE_ASSET_H

#include "points.h"
#include "core/db.h"

typedef struct points_asset_rec {
	uint32_t id;
	points_asset a;
} points_asset_rec;

extern points_ksdef points_asset__ks; /* code -> asset record */

/* The largest asset id: a balance's key holds it in 16 bits
 * (balance.h). */
#define POINTS_ASSET__ID_MAX 0xffffu

/* Assets a handle caches (a ledger has a handful). */
#define POINTS_ASSET_CACHE 16

/* A lot day that never comes. */
#define POINTS_DAY_NEVER 0xFFFFFFFFu

/* Look an asset up by code (cache, then store).  Messages on failure. */
int points_asset__find(points_db *db, const char *code, points_asset_rec *out);
int points_asset__by_id(points_db *db, uint32_t id, points_asset_rec *out);
/* An asset record as stored under key code (n bytes): for a scan. */
int points_asset__decode(points_db *db, const char *code, size_t n,
    const void *v, size_t vl, points_asset_rec *out);
/* The asset's key as one read of a points_db__get_many (the key is
 * a->a.code: keep a alive until the read), and what it gave, decoded
 * into a (the policy as stored now; the id must not have changed). */
void points_asset__getreq(const points_asset_rec *a, points_getreq *r);
int points_asset__fetched(points_db *db, points_asset_rec *a, int rc,
    const void *v, size_t vl);
/* The expiry day of points earned at t under the asset's policy. */
uint32_t points_asset__expiry_day(points_db *db, const points_asset *a,
    int64_t t);
/* A lot day for calendar day day: beyond the calendar is never, and
 * nothing comes before day 1. */
uint32_t points_asset__clamp_day(int64_t day);
/* The last second of a lot day, INT64_MAX for never. */
int64_t points_asset__day_end(points_db *db, uint32_t day);

#endif
