/* period.h - the entries of a time range, through the ledger's time
 * index, and the calendar periods the reports cut a range into.
 *
 * The time index holds one key per party of every entry, by time
 * bucket (about 18 hours; ledger/entry.h): the keys of the buckets the
 * range spans are read a chunk at a time and each entry is taken at the
 * key of its credited account, so that each comes once.  The cost is
 * the entries of those buckets, each read twice (once per party),
 * however long the log. */
#ifndef POINTS_REPORT_PERIOD_H
#define POINTS_REPORT_PERIOD_H

#include "points.h"
#include "core/db.h"
#include "ledger/entry.h"

/* Called with each entry of asset with from <= time < to (to 0: no
 * end), in the index's order (by bucket, then account); a non-zero
 * return stops the walk and is returned. */
typedef int (*points_report__entry_fn)(points_db *db,
    const points_entry_rec *e, void *arg);
int points_report__entries(points_db *db, uint32_t asset, int64_t from,
    int64_t to, points_report__entry_fn fn, void *arg);

/* Which accounts are user accounts, remembered over a report's walk
 * (a slot per id, modulo the size): the entries name the same few
 * accounts again and again.  Zero it before the walk. */
#define POINTS_REPORT_USERS_CACHE 64
typedef struct points_report__users {
	int64_t id[POINTS_REPORT_USERS_CACHE];
	int kind[POINTS_REPORT_USERS_CACHE]; /* 0: unknown, 1: system, 2: user */
} points_report__users;
/* 1 in *out when account is a user account, 0 when it is a system
 * account (the issuer, the sink, a pool, a shop). */
int points_report__is_user(points_db *db, points_report__users *c,
    int64_t account, int *out);

/* The first second of the period (POINTS_PERIOD_*) of t in the
 * ledger's local time; from for POINTS_PERIOD_ALL. */
int64_t points_report__period(points_db *db, int period, int64_t from,
    int64_t t);

#endif
