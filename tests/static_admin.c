/*
 * static_admin.c - the administrator's half of `make check-static`: a
 * program linked statically against lib/libpoints.a that sets up a
 * ledger file for static_mall.c, the host's half: the assets, an
 * employee, an account trigger (balance of PTS reaching 100) and
 * notices of EXP points expiring within 60 days.  The host calls none
 * of the trigger and notice functions, so that its static link draws
 * in nothing of theirs: what it writes must still fire them.  Public
 * API only.  Usage: static_admin sqlite:PATH
 */
#include <stdio.h>

#include <points.h>

#define T0 1735689600 /* 2025-01-01, the clock of both halves */

static int64_t
fixed_clock(void *ctx)
{
	(void)ctx;
	return T0;
}

static int
fail(points_db *db, const char *what)
{
	fprintf(stderr, "static_admin: %s: %s\n", what, points_errmsg(db));
	points_close(db);
	return 1;
}

int
main(int argc, char **argv)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_trigger t;
	points_db *db;
	int64_t id;

	if (argc != 2) {
		fprintf(stderr, "usage: static_admin sqlite:PATH\n");
		return 2;
	}
	o.clock = fixed_clock;
	if (points_open(argv[1], &o, &db) != POINTS_OK)
		return fail(db, "open");
	if (points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER, 0) ||
	    points_asset_create(db, "EXP", 0, POINTS_EXPIRE_DAYS, 30))
		return fail(db, "asset");
	if (points_account_create(db, "E1001", "Mei", 0, &id))
		return fail(db, "account");
	if (points_trigger_set(db, "rich", POINTS_TRIGGER_BALANCE, "PTS", 100,
	    NULL, &t))
		return fail(db, "trigger");
	if (points_outbox_expiring_set(db, "EXP", 60))
		return fail(db, "expiring");
	points_close(db);
	return 0;
}
