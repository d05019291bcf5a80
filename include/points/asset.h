/*
 * points/asset.h - assets and their expiry policies.  Included by
 * points.h.
 */
#ifndef POINTS_INCLUDE_ASSET_H
#define POINTS_INCLUDE_ASSET_H

#include "points/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Assets ---- */

#define POINTS_EXPIRE_NEVER 0
#define POINTS_EXPIRE_DAYS 1     /* N days after the day of earning */
#define POINTS_EXPIRE_YEAR_END 2 /* on 31 Dec of the Nth year after earning */

typedef struct points_asset {
	char code[POINTS_ASSET_MAX + 1]; /* [A-Z0-9_], 1-16 chars */
	int decimals;                     /* 0-9 */
	int expiry_policy;                /* POINTS_EXPIRE_* */
	int expiry_n;                     /* days, or years after earning */
} points_asset;
POINTS_EXTERN int points_asset_create(points_db *db, const char *code,
    int decimals, int expiry_policy, int expiry_n);
POINTS_EXTERN int points_asset_get(points_db *db, const char *code,
    points_asset *out);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_ASSET_H */
