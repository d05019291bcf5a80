/*
 * pg_link.c - a host that links libpoints_pg itself, built by .ci/run
 * against an installed prefix with `pkg-config --cflags --libs
 * points-pg`: the header, the library and its exported symbol are
 * there, and a server that cannot be reached or a bad schema name is a
 * clear error.  Usage: pg_link [conninfo], default a socket directory
 * that does not exist.
 */
#include <stdio.h>
#include <string.h>

#include <points.h>
#include <points/pg.h>

int
main(int argc, char **argv)
{
	const char *ci = argc > 1 ? argv[1] :
	    "host=/nonexistent/points-pg-link dbname=points connect_timeout=2";
	points_store *st = NULL;
	char why[512];
	int rc;

	rc = points_store_pg_open(ci, "Bad-Name", &st, why, sizeof(why));
	if (rc != POINTS_EINVAL || !strstr(why, "schema")) {
		fprintf(stderr, "pg_link: bad schema: %d '%s'\n", rc, why);
		return 1;
	}
	rc = points_store_pg_open(ci, "hr", &st, why, sizeof(why));
	if (rc != POINTS_ESTORAGE || why[0] == '\0') {
		fprintf(stderr, "pg_link: no server: %d '%s'\n", rc, why);
		return 1;
	}
	why[strcspn(why, "\n")] = '\0';
	printf("pg_link: %s: %s\n", points_strerror(rc), why);
	return 0;
}
