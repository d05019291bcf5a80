/* outbox.c - the durable event outbox (outbox.h, points/outbox.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "core/db.h"
#include "core/module.h"
#include "outbox/outbox.h"

#define OUTBOX_FORMAT 1
#define EVENT_V1 1
#define FLOOR_V1 1
#define PRUNE_CHUNK 256

static points_ksdef outbox_ks = { "outbox", POINTS_KS_INTKEY, 0 };
static points_ksdef meta_ks = { "outboxmeta", 0, 0 };
static points_ksdef *const keyspaces[] = { &outbox_ks, &meta_ks, NULL };
static points_module outbox_module = {
	.name = "outbox",
	.format = OUTBOX_FORMAT,
	.keyspaces = keyspaces,
};
POINTS_MODULE(outbox_module)

static const char floor_key[] = "floor";

/* ---- JSON ---- */

void
points_outbox__json_begin(points_outbox_json *j)
{
	j->buf[0] = '{';
	j->buf[1] = '\0';
	j->len = 1;
	j->n = 0;
	j->overflow = 0;
}

static void
put(points_outbox_json *j, const char *s, size_t n)
{
	if (j->overflow || j->len + n >= sizeof(j->buf)) {
		j->overflow = 1;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

/* s as a JSON string: the runs of characters that need no escape are
 * copied whole (an event is written with every order's change). */
static void
put_string(points_outbox_json *j, const char *s)
{
	put(j, "\"", 1);
	while (*s) {
		const char *run = s;
		unsigned char c;
		char esc[8];

		while ((c = (unsigned char)*s) >= 0x20 && c != '"' && c != '\\')
			s++;
		if (s > run)
			put(j, run, (size_t)(s - run));
		if (!c)
			break;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(j, esc, 2);
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(j, esc, 6);
		}
		s++;
	}
	put(j, "\"", 1);
}

static void
member(points_outbox_json *j, const char *name)
{
	if (j->n++)
		put(j, ",", 1);
	put_string(j, name);
	put(j, ":", 1);
}

void
points_outbox__json_str(points_outbox_json *j, const char *name,
    const char *value)
{
	member(j, name);
	put_string(j, value ? value : "");
}

void
points_outbox__json_int(points_outbox_json *j, const char *name,
    int64_t value)
{
	char num[24], *p = num + sizeof(num);
	/* the magnitude as unsigned: INT64_MIN has no positive int64 */
	uint64_t u = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (value < 0)
		*--p = '-';
	member(j, name);
	put(j, p, (size_t)(num + sizeof(num) - p));
}

int
points_outbox__json_end(points_outbox_json *j)
{
	put(j, "}", 1);
	return j->overflow ? POINTS_ELIMIT : POINTS_OK;
}

/* ---- Appending ---- */

static int
check_kind(points_db *db, const char *kind)
{
	size_t i;

	if (!kind || !*kind)
		return points_db__err(db, POINTS_EINVAL,
		    "outbox: an event's kind is required");
	for (i = 0; kind[i]; i++) {
		char c = kind[i];

		if (i >= POINTS_OUTBOX_KIND_MAX || !((c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		    c == '-'))
			return points_db__err(db, POINTS_EINVAL, "outbox: kind "
			    "'%s': 1-%d of a-z, 0-9, '_', '.' and '-'", kind,
			    POINTS_OUTBOX_KIND_MAX);
	}
	return POINTS_OK;
}

static int
read_floor(points_db *db, int64_t *floor)
{
	const void *v;
	size_t vl;
	points_rd r;
	int rc;

	rc = points_db__get(db, &meta_ks, floor_key, sizeof(floor_key) - 1,
	    &v, &vl);
	if (rc == POINTS_ENOTFOUND) {
		*floor = 0;
		return POINTS_OK;
	}
	if (rc)
		return rc;
	points_rd__init(&r, v, vl);
	if (points_rd__u8(&r) != FLOOR_V1)
		r.err = POINTS_ECORRUPT;
	*floor = (int64_t)points_rd__uvar(&r);
	if (r.err)
		return points_db__err(db, POINTS_ECORRUPT,
		    "outbox: floor record unreadable");
	return POINTS_OK;
}

int
points_outbox__append(points_db *db, const char *kind, const char *subject,
    int64_t account, const char *data, int64_t *seq)
{
	unsigned char k[8];
	int64_t last, floor;
	points_buf *b = &db->vbuf;
	int rc;

	if ((rc = check_kind(db, kind)) ||
	    (rc = points_db__check_str(db, "outbox: subject", subject,
	    POINTS_OUTBOX_SUBJECT_MAX, 0)) ||
	    (rc = points_db__check_str(db, "outbox: data", data,
	    POINTS_OUTBOX_DATA_MAX, 0)))
		return rc;
	if ((rc = points_db__last_key64(db, &outbox_ks, &last)))
		return rc;
	/* A prune deletes every event up to the floor it keeps, so the
	 * floor counts only when the outbox is empty: the next number is
	 * past what was pruned (read then, not with every event). */
	if (last == 0) {
		if ((rc = read_floor(db, &floor)))
			return rc;
		last = floor;
	}
	if (last == INT64_MAX)
		return points_db__err(db, POINTS_ELIMIT,
		    "outbox: no sequence numbers left");
	points_buf__reset(b);
	points_buf__u8(b, EVENT_V1);
	points_buf__svar(b, points_db__time(db, 0));
	points_buf__str(b, kind);
	points_buf__str(b, subject);
	points_buf__svar(b, account);
	points_buf__str(b, data);
	if (b->err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	points_codec__put_be64(k, (uint64_t)(last + 1));
	if ((rc = points_db__put(db, &outbox_ks, k, 8, b->data, b->len)))
		return rc;
	if (seq)
		*seq = last + 1;
	return POINTS_OK;
}

/* ---- Reading ---- */

static int
decode(points_db *db, const void *k, size_t kl, const void *v, size_t vl,
    points_outbox_event *e)
{
	points_rd r;

	memset(e, 0, sizeof(*e));
	points_rd__init(&r, v, vl);
	if (kl != 8 || points_rd__u8(&r) != EVENT_V1)
		r.err = POINTS_ECORRUPT;
	e->seq = kl == 8 ? (int64_t)points_codec__get_be64(k) : 0;
	e->time = points_rd__svar(&r);
	points_rd__str(&r, e->kind, sizeof(e->kind));
	points_rd__str(&r, e->subject, sizeof(e->subject));
	e->account = points_rd__svar(&r);
	points_rd__str(&r, e->data, sizeof(e->data));
	if (r.err)
		return points_db__err(db, POINTS_ECORRUPT,
		    "outbox: event %lld unreadable", (long long)e->seq);
	return POINTS_OK;
}

POINTS_EXTERN int
points_outbox_next(points_db *db, int64_t after_seq, points_outbox_event *out)
{
	points_outbox_event e = { 0 };
	unsigned char lo[8];
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if (after_seq < 0)
		return points_db__err(db, POINTS_EINVAL, "outbox: after_seq "
		    "must not be negative (got %lld)", (long long)after_seq);
	if (after_seq == INT64_MAX)
		return POINTS_ITEROVER;
	if ((rc = points_db__read_begin(db)))
		return rc;
	points_codec__put_be64(lo, (uint64_t)after_seq + 1);
	rc = db->store->cursor_open(db->store, db->ks[outbox_ks.slot], lo, 8,
	    NULL, 0, 0, &c);
	if (rc) {
		rc = points_db__store_err(db, rc, "outbox");
	} else {
		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_OK)
			rc = decode(db, k, kl, v, vl, &e);
		else if (rc != POINTS_ITEROVER)
			rc = points_db__store_err(db, rc, "outbox");
		db->store->cursor_close(db->store, c);
	}
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = e;
	return rc;
}

static int
prune_in(points_db *db, int64_t through, int64_t *count)
{
	unsigned char hi[8], keys[PRUNE_CHUNK * 8];
	int64_t floor, top = 0;
	size_t n, i;
	int rc;

	*count = 0;
	points_codec__put_be64(hi, (uint64_t)through + 1);
	for (;;) {
		if ((rc = points_db__collect_keys(db, &outbox_ks, NULL, 0,
		    through == INT64_MAX ? NULL : hi,
		    through == INT64_MAX ? 0 : 8, 8, keys, PRUNE_CHUNK, &n)))
			return rc;
		if (n == 0)
			break;
		for (i = 0; i < n; i++)
			if ((rc = points_db__del(db, &outbox_ks, keys + 8 * i,
			    8)))
				return rc;
		top = (int64_t)points_codec__get_be64(keys + 8 * (n - 1));
		*count += (int64_t)n;
	}
	if (*count == 0)
		return POINTS_OK;
	if ((rc = read_floor(db, &floor)))
		return rc;
	if (top > floor) {
		unsigned char v[1 + 10];
		points_buf b;
		size_t len;

		points_buf__init(&b);
		points_buf__u8(&b, FLOOR_V1);
		points_buf__uvar(&b, (uint64_t)top);
		len = b.len;
		memcpy(v, b.data, len); /* fits the inline buffer */
		points_buf__free(&b);
		rc = points_db__put(db, &meta_ks, floor_key,
		    sizeof(floor_key) - 1, v, len);
	}
	return rc;
}

POINTS_EXTERN int
points_outbox_prune(points_db *db, int64_t through_seq, int64_t *out)
{
	int64_t count = 0;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if (through_seq < 0)
		return points_db__err(db, POINTS_EINVAL, "outbox: through_seq "
		    "must not be negative (got %lld)", (long long)through_seq);
	if ((rc = points_db__write_begin(db)))
		return rc;
	rc = points_db__write_end(db, prune_in(db, through_seq, &count));
	if (rc == POINTS_OK)
		*out = count;
	return rc;
}
