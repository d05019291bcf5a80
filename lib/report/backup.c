/* backup.c - backup and restore of SQLite ledgers (points/export.h),
 * over SQLite's online backup API (store/sqlite.c).  Both verify what
 * they copy: a backup that does not verify is no backup, and a restore
 * must not put a damaged ledger in place of a sound one. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "points.h"
#include "util/alloc.h"
#include "store/store.h"
#include "core/db.h"

/* Open the ledger file at path (it must hold one) and verify it: its
 * message into err on failure. */
static int
verify_file(const char *path, char *err, size_t errlen)
{
	points_verify_report rep;
	points_db *copy = NULL;
	char *uri;
	size_t n = strlen(path);
	int rc;

	if (!(uri = points_alloc__malloc(n + 16)))
		return POINTS_ENOMEM;
	snprintf(uri, n + 16, "sqlite:%s?mode=rw", path);
	rc = points_open(uri, NULL, &copy);
	points_alloc__free(uri);
	if (rc == POINTS_OK)
		rc = points_verify(copy, &rep);
	if (rc != POINTS_OK)
		snprintf(err, errlen, "%s", copy ? points_errmsg(copy) :
		    points_strerror(rc));
	points_close(copy);
	return rc;
}

POINTS_EXTERN int
points_backup(points_db *db, const char *path)
{
	char err[512];
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!path || !*path || strchr(path, '?'))
		return points_db__err(db, POINTS_EINVAL, "backup: a file name "
		    "is required (without '?', which ends one in a URI)");
	if (!points_sqlite__is(db->store))
		return points_db__err(db, POINTS_EINVAL, "backup: the ledger "
		    "is on the %s store: only SQLite ledgers are backed up",
		    db->store->name ? db->store->name : "host's");
	if (db->in_batch)
		return points_db__err(db, POINTS_ESTATE, "backup: a batch is "
		    "open: commit or roll it back first");
	if (access(path, F_OK) == 0)
		return points_db__err(db, POINTS_EEXISTS, "backup: %s exists: "
		    "a backup goes to a new file", path);
	rc = points_sqlite__backup(db->store, path, err, sizeof(err));
	if (rc != POINTS_OK) {
		unlink(path);
		return points_db__err(db, rc, "backup to %s: %s", path, err);
	}
	if ((rc = verify_file(path, err, sizeof(err))) != POINTS_OK) {
		unlink(path);
		return points_db__err(db, rc, "backup to %s: the copy does not "
		    "verify, removed: %s", path, err);
	}
	return POINTS_OK;
}

POINTS_EXTERN int
points_restore(const char *path, const char *uri,
    const points_open_options *opts, points_db **out)
{
	points_store *st = NULL;
	char err[512], msg[1024];
	int rc;

	if (!out)
		return POINTS_EINVAL;
	*out = NULL;
	if (!path || !*path || strchr(path, '?') || !uri) {
		snprintf(msg, sizeof(msg), "restore: a backup file name (without "
		    "'?') and a ledger URI are required");
		return points_db__failed_new(POINTS_EINVAL, msg, out);
	}
	/* nothing is written until the backup is known sound */
	if ((rc = verify_file(path, err, sizeof(err))) != POINTS_OK) {
		snprintf(msg, sizeof(msg), "restore from %s: %s", path, err);
		return points_db__failed_new(rc, msg, out);
	}
	rc = points_store__open(uri, &st, NULL, err, sizeof(err));
	if (rc == POINTS_OK && !points_sqlite__is(st)) {
		snprintf(err, sizeof(err), "only SQLite ledgers are restored, "
		    "not those of the %s store", st->name ? st->name : "host's");
		rc = POINTS_EINVAL;
	}
	if (rc == POINTS_OK)
		rc = points_sqlite__restore(st, path, err, sizeof(err));
	points_store_close(st);
	if (rc != POINTS_OK) {
		snprintf(msg, sizeof(msg), "restore from %s into %.200s: %s",
		    path, uri, err);
		return points_db__failed_new(rc, msg, out);
	}
	return points_open(uri, opts, out);
}
