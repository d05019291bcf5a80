/*
 * points/pg.h - the PostgreSQL store, for a host that links
 * libpoints_pg.so itself (pkg-config points-pg) rather than let
 * points_open load it for a "postgresql://" URI.  Not included by
 * points.h: libpoints.so never depends on libpq.
 */
#ifndef POINTS_INCLUDE_PG_H
#define POINTS_INCLUDE_PG_H

#include <stddef.h>

#include "points/common.h"
#include "points/sys/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Connect with conninfo (libpq's "key=value ..." or a postgresql://
 * URI) and make *out a store over the ledger in schema (1-63 of
 * [a-z0-9_]; NULL: "public") of that database, for points_open_store.
 * POINTS_ESTORAGE when the server cannot be reached, with libpq's
 * message in err (errlen bytes; err may be NULL when errlen is 0),
 * POINTS_EINVAL for a bad schema name, POINTS_ENOMEM. */
POINTS_EXTERN int points_store_pg_open(const char *conninfo,
    const char *schema, points_store **out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_PG_H */
