/*
 * pg_stub.c - a stand-in for libpoints_pg.so (build/tests/pg_stub.so,
 * loaded by check_uri through POINTS_PG_LIBRARY): its entry point opens
 * nothing and answers, as a storage error, the connection string and
 * schema the loader passed it, so that a suite can check what
 * points_open makes of a postgresql:// URI without a server.
 */
#include <stdio.h>

#include "pg/pg.h"

int
points_store_pg_open(const char *conninfo, const char *schema,
    points_store **out, char *err, size_t errlen)
{
	(void)out;
	if (errlen)
		snprintf(err, errlen, "stub: conninfo [%s] schema [%s]",
		    conninfo, schema ? schema : "(none)");
	return POINTS_ESTORAGE;
}
