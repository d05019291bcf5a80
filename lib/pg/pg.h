/* pg.h - the PostgreSQL store, in libpoints_pg.so: a library of its own
 * so that libpoints.so never depends on libpq.  points_open opens a
 * "postgresql://" or "postgres://" URI by loading it (store/store.c);
 * a host may also call it directly and pass the store to
 * points_open_store.
 *
 * Each keyspace is a table of its own (pk_NAME: k bytea primary key, v
 * bytea), in the ledger's schema (made when missing; "public" when none
 * is named), and the keyspaces' flags are in its table
 * points_keyspaces: one database may hold several ledgers, a schema
 * each.  Write
 * transactions are SERIALIZABLE, reads REPEATABLE READ READ ONLY (one
 * snapshot); a serialization failure or a deadlock (SQLSTATE 40001,
 * 40P01) is POINTS_ERETRY, and the library runs the whole operation
 * again.  A lost connection is POINTS_ESTORAGE with libpq's message; the
 * next transaction reconnects.  Statements are prepared once per
 * connection; keys and values are only ever parameters (the table names
 * in their text are keyspace names, [a-z0-9_]). */
#ifndef POINTS_PG_PG_H
#define POINTS_PG_PG_H

#include <stddef.h>

#include "points/common.h"
#include "points/pg.h"
#include "points/sys/store.h"

/* The symbol store/store.c looks up in the loaded library. */
#define POINTS_PG_OPEN_SYMBOL "points_store_pg_open"
/* The file it loads (the soname's major). */
#define POINTS_PG_SONAME "libpoints_pg.so.0"

/* points_store_pg_open's type (points/pg.h), for the loader; declaring
 * the function again with it makes the compiler check that they agree. */
typedef int points_pg_open_fn(const char *conninfo, const char *schema,
    points_store **out, char *err, size_t errlen);
points_pg_open_fn points_store_pg_open;

#endif
