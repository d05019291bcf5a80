/*
 * points/export.h - the ledger's entries as text, a line at a time:
 * CSV (RFC 4180) or JSON lines, with the columns points_export(3) lists.
 * Included by points.h.
 */
#ifndef POINTS_INCLUDE_EXPORT_H
#define POINTS_INCLUDE_EXPORT_H

#include "points/common.h"

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

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_EXPORT_H */
