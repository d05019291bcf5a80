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
/* On the asset's yearly clearing date (31 Dec unless set otherwise:
 * points_asset_policy) of the Nth year after the one of earning. */
#define POINTS_EXPIRE_YEAR_END 2

/* Asset policy flags. */
#define POINTS_ASSET_NO_TRANSFER 0x01u /* points_transfer refuses it */

typedef struct points_asset {
	char code[POINTS_ASSET_MAX + 1]; /* [A-Z0-9_], 1-16 chars */
	int decimals;                     /* 0-9 */
	int expiry_policy;                /* POINTS_EXPIRE_* */
	int expiry_n;                     /* days, or years after earning */
	/* Since 0.2.0: the asset's policy (points_asset_policy). */
	unsigned int flags;               /* POINTS_ASSET_NO_TRANSFER */
	int64_t transfer_limit;           /* per account and day; 0: none */
	int year_end_month;               /* clearing date: 1-12 (12) */
	int year_end_day;                 /* 1-31 (31) */
} points_asset;
POINTS_EXTERN int points_asset_create(points_db *db, const char *code,
    int decimals, int expiry_policy, int expiry_n);
POINTS_EXTERN int points_asset_get(points_db *db, const char *code,
    points_asset *out);

/*
 * An asset's policy, set on an existing asset with points_asset_policy_set
 * (read back with points_asset_get).  A request struct: it starts with
 * its version and only grows at the end; initialize it with
 * POINTS_ASSET_POLICY_INIT or points_asset_policy_init, which give an
 * asset's defaults (transferable, no limit, clearing on 31 Dec).
 */
#define POINTS_ASSET_POLICY_VERSION 1
typedef struct points_asset_policy {
	unsigned int version;   /* POINTS_ASSET_POLICY_VERSION */
	unsigned int flags;     /* POINTS_ASSET_NO_TRANSFER */
	int64_t transfer_limit; /* points one account may transfer out in a
	                         * day (the ledger's local day); 0: no limit */
	int year_end_month;     /* POINTS_EXPIRE_YEAR_END's clearing date */
	int year_end_day;       /* (a date of a common year: no 29 Feb) */
} points_asset_policy;
#define POINTS_ASSET_POLICY_INIT { POINTS_ASSET_POLICY_VERSION, 0, 0, 12, 31 }
POINTS_EXTERN int points_asset_policy_init(points_asset_policy *p,
    unsigned int version);
/* Replace the policy of asset code as a whole. */
POINTS_EXTERN int points_asset_policy_set(points_db *db, const char *code,
    const points_asset_policy *p);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_ASSET_H */
