/* bundle.h - bundles (points/mall.h): what the orders need of them.
 *
 * A bundle is an item whose record lists its components (item.h: SKU
 * and units in a unit of the bundle); an order of it takes each
 * component's units from its stock besides the bundle's own, and keeps
 * what it took, so that changing the bundle later changes no open
 * order.
 *
 * Stored (a keyspace of its own):
 *   mallorderpart  order id (16) -> the components the order took: for
 *                  each its SKU, its units in a unit of the bundle and
 *                  the units taken */
#ifndef POINTS_MALL_BUNDLE_H
#define POINTS_MALL_BUNDLE_H

#include <stdint.h>

#include "points.h"
#include "core/db.h"
#include "mall/item.h"

/* Before an order of quantity units of r (nothing for an item that is
 * not a bundle): every component listed (POINTS_ESTATE) and with the
 * stock for it (POINTS_EOUTOFSTOCK), each message naming the component
 * and who (the account's external id). */
int points_bundle__check(points_db *db, const points_item_rec *r,
    int64_t quantity, const char *who);
/* Take the components of quantity units of r from their stocks for
 * order id, and keep what it took (nothing for an item that is not a
 * bundle).  After points_bundle__check, in the same write. */
int points_bundle__take(points_db *db, const unsigned char id[POINTS_UUID_LEN],
    const points_item_rec *r, int64_t quantity);
/* Order id is cancelled or returned: with restock, each component it
 * took gets its units back (nothing for an order of an item that is not
 * a bundle). */
int points_bundle__give_back(points_db *db,
    const unsigned char id[POINTS_UUID_LEN], int restock);
/* Order id (text: its id, for messages) is exchanged: the replacement
 * takes the units the order took of each component again
 * (POINTS_EOUTOFSTOCK naming a component without them). */
int points_bundle__retake(points_db *db,
    const unsigned char id[POINTS_UUID_LEN], const char *text);
/* 1 in *out when order id took components (an order of a bundle). */
int points_bundle__order_has(points_db *db,
    const unsigned char id[POINTS_UUID_LEN], int *out);

#endif
