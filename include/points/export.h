/*
 * points/export.h - the ledger's entries as text, a line at a time:
 * CSV (RFC 4180) or JSON lines, with the columns points_export(3) lists.
 * Included by points.h.
 */
#ifndef POINTS_INCLUDE_EXPORT_H
#define POINTS_INCLUDE_EXPORT_H

#include "points/common.h"
#include "points/db.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Exports ---- */

#define POINTS_EXPORT_CSV 1   /* a header line, then a line per entry */
#define POINTS_EXPORT_JSONL 2 /* a JSON object per entry, one a line */
/* A journal for hledger and ledger: a header with a commodity directive
 * per asset, a transaction per entry, then a transaction asserting each
 * balance; each step gives one of those blocks (several lines).  The
 * whole ledger only (from 0, to 0). */
#define POINTS_EXPORT_JOURNAL 3

/* An iterator over the ledger's entries with from <= time < to (to 0:
 * no end), in the log's order, as lines of format (POINTS_EXPORT_*).
 * It holds a few dozen lines at a time, however long the ledger: an
 * export streams.  Each step reads in its own short transaction, as
 * every iterator does; entries written after it was made are left out. */
typedef struct points_export_iterator points_export_iterator;
POINTS_EXTERN int points_export_iterator_new(points_db *db, int format,
    int64_t from, int64_t to, points_export_iterator **out);
/* POINTS_OK and the next line, its end included ("\r\n" in CSV, "\n"
 * in JSON lines; a journal's block of lines), in *out, owned by the caller (points_free), or
 * POINTS_ITEROVER at the end. */
POINTS_EXTERN int points_export_next(points_export_iterator *it, char **out);
POINTS_EXTERN void points_export_iterator_free(points_export_iterator *it);

/* ---- Backup and restore (SQLite ledgers) ---- */

/* Copy the ledger of db, an SQLite ledger, into a new file at path with
 * SQLite's online backup API: the ledger at one moment, while other
 * handles and processes go on writing.  The copy is then verified
 * (points_verify); one that fails is removed.  Another store is refused
 * (POINTS_EINVAL), so is a path that exists (POINTS_EEXISTS) and an open
 * batch (POINTS_ESTATE). */
POINTS_EXTERN int points_backup(points_db *db, const char *path);
/* Replace the SQLite ledger at uri ("sqlite:PATH", made if missing) by
 * the backup at path, verified first (a backup that fails is refused and
 * nothing written), in one SQLite transaction; then open it, as
 * points_open does: *out is a handle even on failure, for its message.
 * No handle may be open on the ledger at uri meanwhile (points_restore(3)). */
POINTS_EXTERN int points_restore(const char *path, const char *uri,
    const points_open_options *opts, points_db **out);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_EXPORT_H */
