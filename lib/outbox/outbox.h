/* outbox.h - the durable event outbox (points/outbox.h): the call every
 * module uses to tell the host something, inside its write.
 *
 * Stored:
 *   outbox      seq (be64, appended) -> time, kind, subject, account, data
 *   outboxmeta  "floor" -> the highest seq ever pruned, so that a seq is
 *               never given twice when every event has been pruned */
#ifndef POINTS_OUTBOX_OUTBOX_H
#define POINTS_OUTBOX_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "points.h"
#include "core/db.h"

/* Append an event inside the running write transaction (it commits or
 * rolls back with the write).  kind: 1-32 of [a-z0-9_.-]; subject: up to
 * 64 bytes (may be NULL); data: NULL or a JSON object of up to 1024
 * bytes (the caller builds it: points_outbox__json_*).  *seq (may be
 * NULL): the event's. */
int points_outbox__append(points_db *db, const char *kind,
    const char *subject, int64_t account, const char *data, int64_t *seq);

/* A JSON object built in a fixed buffer: begin, then members; an
 * overflow is remembered and makes points_outbox__json_end fail
 * (POINTS_ELIMIT, no message). */
typedef struct points_outbox_json {
	char buf[POINTS_OUTBOX_DATA_MAX + 1];
	size_t len;
	int n;        /* members so far */
	int overflow;
} points_outbox_json;
void points_outbox__json_begin(points_outbox_json *j);
void points_outbox__json_str(points_outbox_json *j, const char *name,
    const char *value);
void points_outbox__json_int(points_outbox_json *j, const char *name,
    int64_t value);
int points_outbox__json_end(points_outbox_json *j);

#endif
