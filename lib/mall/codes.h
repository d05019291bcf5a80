/* codes.h - the code pools of virtual items (points/mall.h): what the
 * orders need of them.
 *
 * Stored (each keyspace its own):
 *   mallcodepool  SKU -> the pool's counts: codes uploaded, issued
 *   mallcode      SKU | 0 | n (be64) -> the nth code uploaded to the item,
 *                 until it is issued (the pool, first uploaded first out)
 *   mallcodeseen  code -> SKU: every code ever uploaded, so that none is
 *                 uploaded twice
 *   mallordercode order id (16) | n (be32) -> the nth code issued to the
 *                 order, and the SKU it came from */
#ifndef POINTS_MALL_CODES_H
#define POINTS_MALL_CODES_H

#include <stdint.h>

#include "points.h"
#include "core/db.h"

/* Issue quantity codes of item sku's pool to order id (text: its id
 * for messages), first uploaded first, inside a write.  An item without
 * a pool (no code ever uploaded) issues none (*issued 0); a pool with
 * fewer codes than quantity is POINTS_EOUTOFSTOCK with a message (no
 * code in it). */
int points_code__issue(points_db *db, const unsigned char id[POINTS_UUID_LEN],
    const char *text, const char *sku, int64_t quantity, int64_t *issued);
/* 1 in *out when order id holds codes. */
int points_code__order_has(points_db *db,
    const unsigned char id[POINTS_UUID_LEN], int *out);
/* Item sku's pool: *has 1 when a code was ever uploaded to it, *left the
 * codes in it. */
int points_code__pool(points_db *db, const char *sku, int *has,
    int64_t *left);

#endif
