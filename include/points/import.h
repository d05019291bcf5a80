/*
 * points/import.h - accounts and awards from CSV files (RFC 4180), a
 * line at a time, each line's outcome reported.  Included by points.h.
 */
#ifndef POINTS_INCLUDE_IMPORT_H
#define POINTS_INCLUDE_IMPORT_H

#include "points/common.h"
#include "points/db.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Imports ----
 * A file of accounts (created, or updated by external id) or of awards
 * (an earn per line), with a header line naming its columns, in any
 * order; points_import_new(3) lists them.  A re-run imports nothing
 * twice: an account is compared before it is updated, an award carries
 * its own idempotency key. */

#define POINTS_IMPORT_ACCOUNTS 1 /* external_id, name, department, tier */
#define POINTS_IMPORT_AWARDS 2   /* external_id, asset, amount,
                                  * idempotency_key, category, memo, actor */

/* Nothing is written unless every line is good: the whole file in one
 * transaction, rolled back by points_import_finish when a line was
 * refused.  Without it each line is its own transaction. */
#define POINTS_IMPORT_ALL_OR_NOTHING 0x01u

/* A line's outcome. */
#define POINTS_IMPORT_CREATED 1   /* an account made */
#define POINTS_IMPORT_UPDATED 2   /* an account changed */
#define POINTS_IMPORT_UNCHANGED 3 /* an account already as the line says */
#define POINTS_IMPORT_APPLIED 4   /* an award earned */
#define POINTS_IMPORT_REPLAYED 5  /* an award already imported (its key) */
#define POINTS_IMPORT_REFUSED 6   /* a bad line: nothing of it written */

#define POINTS_IMPORT_COLUMN_MAX 32
#define POINTS_IMPORT_REASON_MAX 511

typedef struct points_import_line {
	int64_t line;    /* where the line starts in the file (1: the header) */
	int outcome;     /* POINTS_IMPORT_CREATED ... */
	int64_t account; /* the account's id; 0 when refused before it was found */
	char external_id[POINTS_EXTID_MAX + 1]; /* as the line gives it, or "" */
	char txn_id[POINTS_ID_LEN + 1];        /* an award's transaction, or "" */
	/* Refused: the column at fault ("" when the line as a whole is), the
	 * error code (POINTS_EINVAL, POINTS_ENOTFOUND, ...) and the reason. */
	char column[POINTS_IMPORT_COLUMN_MAX + 1];
	int code;
	char reason[POINTS_IMPORT_REASON_MAX + 1];
} points_import_line;

typedef struct points_import_summary {
	int64_t lines;     /* data lines read (the header and blank lines not) */
	int64_t created, updated, unchanged, applied, replayed, refused;
	int64_t first_refused; /* the first refused line's number, or 0 */
	int committed;     /* 1: the lines' writes are in the ledger */
} points_import_summary;

typedef struct points_import points_import;

/* Open the CSV file at path and read its header; *out is the import, to
 * be stepped with points_import_next, ended by points_import_finish and
 * freed with points_import_free (the handle's close detaches it, as an
 * iterator).  kind is POINTS_IMPORT_ACCOUNTS or _AWARDS; flags 0 or
 * POINTS_IMPORT_ALL_OR_NOTHING.  A header with an unknown, repeated or
 * missing required column is POINTS_EINVAL, naming it; a file that cannot
 * be read, POINTS_ENOTFOUND or POINTS_ESTORAGE; inside a batch,
 * POINTS_EMISUSE (an import makes its own transactions). */
POINTS_EXTERN int points_import_new(points_db *db, int kind, const char *path,
    unsigned int flags, points_import **out);
/* Read and apply the next line: POINTS_OK and its outcome in *out
 * (a bad line is POINTS_OK too, with the outcome POINTS_IMPORT_REFUSED),
 * or POINTS_ITEROVER at the end.  A failure of the store or of memory is
 * returned as such (POINTS_ESTORAGE, POINTS_ENOMEM, POINTS_EBUSY, ...):
 * the line is not applied and the import ends there (all or nothing:
 * nothing of it is). */
POINTS_EXTERN int points_import_next(points_import *imp,
    points_import_line *out);
/* Apply the lines not yet read, then conclude: all or nothing, commit
 * when no line was refused, else roll everything back and return
 * POINTS_EINVAL naming the first refused line.  The counts of every
 * line, read by points_import_next or here, in *out (may be NULL). */
POINTS_EXTERN int points_import_finish(points_import *imp,
    points_import_summary *out);
/* Close the file and free the import; an all-or-nothing import not
 * finished is rolled back.  NULL is accepted. */
POINTS_EXTERN void points_import_free(points_import *imp);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_IMPORT_H */
