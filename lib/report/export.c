/* export.c - the ledger's entries as CSV or JSON lines (points/export.h).
 *
 * An iterator over the log by sequence: each fill formats up to a chunk
 * of lines into one buffer, which the next fill reuses, so an export of
 * any length holds one chunk.  A step hands out a copy of one line (the
 * caller's to free) rather than a pointer into the buffer: the bindings
 * then turn it into a string of their language with no lifetime to
 * explain.  A period is a filter on the entries' times, which need not
 * follow the log's order (a posting may carry its own time): a period's
 * export reads the whole log, and reports only what falls in it. */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "util/calendar.h"
#include "util/codec.h"
#include "util/ids.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/db.h"
#include "core/iter.h"
#include "ledger/entry.h"

/* The columns, in order: CSV's header and JSON's keys (points_export(3)
 * says what each holds; only ever add at the end). */
static const char *const columns[] = {
	"seq", "txn_id", "time", "time_utc", "type", "asset", "decimals",
	"from", "from_external_id", "to", "to_external_id", "amount", "ref",
	"memo", "category", "actor", "debt", "repaid",
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

static const char *const type_names[] = {
	"", "earn", "spend", "transfer", "adjust", "reversal", "expire",
	"hold", "capture", "release", "fund", "defund", "forfeit",
};

/* Where an export stands: whether the header is out, the last entry. */
struct export_pos {
	int header;
	int64_t seq;
};

struct points_export_iterator {
	points_iter base;
	int format;
	int64_t from, to;
	int64_t max_seq; /* the log's end when it was made */
	struct export_pos pos;
	points_buf text; /* the chunk's lines, each ended by a NUL */
	size_t start[POINTS_ITER_CHUNK];
	points_asset_rec asset; /* the last asset read (id 0: none) */
};

static int export_fill(points_iter *base);
static void export_fini(points_iter *base);
static const points_iter_type export_iter_type = POINTS_ITER_TYPE(
    "export iterator", struct points_export_iterator, pos, export_fill,
    export_fini);

/* A field's separator before column i. */
static void
field_start(struct points_export_iterator *it, size_t i)
{
	points_buf *b = &it->text;
	const char *k = columns[i];

	if (it->format == POINTS_EXPORT_CSV) {
		if (i)
			points_buf__u8(b, ',');
		return;
	}
	points_buf__bytes(b, i ? ",\"" : "{\"", 2);
	points_buf__bytes(b, k, strlen(k));
	points_buf__bytes(b, "\":", 2);
}

static void
put_int(struct points_export_iterator *it, size_t i, int64_t v)
{
	char s[24];
	int n = snprintf(s, sizeof(s), "%lld", (long long)v);

	field_start(it, i);
	points_buf__bytes(&it->text, s, (size_t)n);
}

/* A text field: in CSV quoted (RFC 4180) when it holds a comma, a quote
 * or a line break, quotes doubled; in JSON a string, escaped. */
static void
put_str(struct points_export_iterator *it, size_t i, const char *s)
{
	points_buf *b = &it->text;
	const unsigned char *p;
	char esc[8];

	field_start(it, i);
	if (it->format == POINTS_EXPORT_CSV) {
		if (!strpbrk(s, ",\"\r\n")) {
			points_buf__bytes(b, s, strlen(s));
			return;
		}
		points_buf__u8(b, '"');
		for (; *s; s++) {
			if (*s == '"')
				points_buf__u8(b, '"');
			points_buf__u8(b, (unsigned char)*s);
		}
		points_buf__u8(b, '"');
		return;
	}
	points_buf__u8(b, '"');
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			points_buf__u8(b, '\\');
			points_buf__u8(b, *p);
		} else if (*p == '\n')
			points_buf__bytes(b, "\\n", 2);
		else if (*p == '\r')
			points_buf__bytes(b, "\\r", 2);
		else if (*p == '\t')
			points_buf__bytes(b, "\\t", 2);
		else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			points_buf__bytes(b, esc, 6);
		} else
			points_buf__u8(b, *p);
	}
	points_buf__u8(b, '"');
}

/* A line's end, and the NUL that parts it from the next in the chunk. */
static void
line_end(struct points_export_iterator *it)
{
	if (it->format == POINTS_EXPORT_CSV)
		points_buf__bytes(&it->text, "\r\n", 2);
	else
		points_buf__bytes(&it->text, "}\n", 2);
	points_buf__u8(&it->text, 0);
}

/* 2026-01-02T03:04:05Z */
static void
utc_text(int64_t t, char out[40])
{
	int64_t days = t / 86400, secs = t % 86400;
	points_civil c;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	c = points_cal__civil(days);
	snprintf(out, 40, "%04lld-%02u-%02uT%02d:%02d:%02dZ",
	    (long long)c.year, c.month, c.day, (int)(secs / 3600),
	    (int)(secs / 60 % 60), (int)(secs % 60));
}

static int
format_entry(points_db *db, struct points_export_iterator *it,
    const points_entry_rec *e)
{
	points_txn t;
	points_account from, to;
	char when[40], type[16];
	int rc;

	if ((rc = points_entry__txn(db, e, &t)) ||
	    (rc = points_account__load(db, e->from, &from)) ||
	    (rc = points_account__load(db, e->to, &to)))
		return rc;
	if (it->asset.id != e->asset &&
	    (rc = points_asset__by_id(db, e->asset, &it->asset)))
		return rc;
	utc_text(e->time, when);
	if (points_entry__type_known(e->type))
		snprintf(type, sizeof(type), "%s", type_names[e->type]);
	else
		snprintf(type, sizeof(type), "type_%d", e->type);
	put_int(it, 0, e->seq);
	put_str(it, 1, t.id);
	put_int(it, 2, e->time);
	put_str(it, 3, when);
	put_str(it, 4, type);
	put_str(it, 5, t.asset);
	put_int(it, 6, it->asset.a.decimals);
	put_int(it, 7, e->from);
	put_str(it, 8, from.external_id);
	put_int(it, 9, e->to);
	put_str(it, 10, to.external_id);
	put_int(it, 11, e->amount);
	put_str(it, 12, t.ref);
	put_str(it, 13, t.memo);
	put_str(it, 14, t.category);
	put_str(it, 15, t.actor);
	put_int(it, 16, t.debt);
	put_int(it, 17, t.repaid);
	line_end(it);
	return POINTS_OK;
}

static int
export_fill(points_iter *base)
{
	struct points_export_iterator *it = (void *)base;
	points_db *db = base->db;
	points_entry_rec e;
	size_t i;
	int rc = POINTS_OK;

	points_buf__reset(&it->text);
	if (!it->pos.header && it->format == POINTS_EXPORT_CSV) {
		it->start[base->n++] = 0;
		for (i = 0; i < NCOLUMNS; i++) {
			if (i)
				points_buf__u8(&it->text, ',');
			points_buf__bytes(&it->text, columns[i],
			    strlen(columns[i]));
		}
		points_buf__bytes(&it->text, "\r\n", 2);
		points_buf__u8(&it->text, 0);
	}
	it->pos.header = 1;
	points_entry__init(&e, 0, 0, 0);
	while (rc == POINTS_OK && base->n < POINTS_ITER_CHUNK &&
	    it->pos.seq < it->max_seq) {
		if ((rc = points_entry__load(db, it->pos.seq + 1, &e)))
			break;
		it->pos.seq++;
		if (e.time < it->from || (it->to && e.time >= it->to))
			continue;
		it->start[base->n++] = it->text.len;
		rc = format_entry(db, it, &e);
	}
	points_entry__free(&e);
	if (rc == POINTS_OK && it->text.err)
		rc = points_db__err(db, POINTS_ENOMEM, "out of memory");
	if (rc)
		return rc;
	base->done = it->pos.seq >= it->max_seq;
	return POINTS_OK;
}

static void
export_fini(points_iter *base)
{
	struct points_export_iterator *it = (void *)base;

	points_buf__free(&it->text);
}

POINTS_EXTERN int
points_export_iterator_new(points_db *db, int format, int64_t from,
    int64_t to, points_export_iterator **out)
{
	points_iter *base = NULL;
	struct points_export_iterator *it;
	int64_t max_seq = 0;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if (format != POINTS_EXPORT_CSV && format != POINTS_EXPORT_JSONL)
		return points_db__err(db, POINTS_EINVAL,
		    "export: unknown format %d", format);
	if (from < 0 || to < 0 || (to && to < from))
		return points_db__err(db, POINTS_EINVAL, "export: bad time "
		    "range: from %lld, to %lld", (long long)from,
		    (long long)to);
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = points_db__last_key64(db, &points_entry__ks, &max_seq);
	if (rc == POINTS_OK)
		rc = points_iter__new(db, &export_iter_type, sizeof(*it), &base);
	points_db__read_end(db);
	if (rc)
		return rc;
	it = (void *)base;
	it->format = format;
	it->from = from;
	it->to = to;
	it->max_seq = max_seq;
	points_buf__init(&it->text);
	*out = it;
	return POINTS_OK;
}

POINTS_EXTERN int
points_export_next(points_export_iterator *it, char **out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &export_iter_type,
	    out);
	const char *line;
	char *copy;
	size_t n;

	if (rc != POINTS_OK)
		return rc;
	line = (const char *)it->text.data + it->start[it->base.i];
	n = strlen(line);
	if (!(copy = points_alloc__malloc(n + 1)))
		return points_db__err(it->base.db, POINTS_ENOMEM,
		    "out of memory");
	memcpy(copy, line, n + 1);
	it->base.i++;
	*out = copy;
	return POINTS_OK;
}

POINTS_EXTERN void
points_export_iterator_free(points_export_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
