/* write.c - the parts of the one write path (write.h) that are not on
 * its fast path: the request encoder and its fingerprint, the *_init of
 * request structs, older structs, the default replay, the messages. */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "util/ids.h"
#include "core/db.h"
#include "ledger/entry.h"
#include "ledger/write.h"

/* Does the field at p hold its default (the one at d)? */
static int
field_is_default(const points_field *f, const unsigned char *p,
    const unsigned char *d)
{
	const char *s, *t;

	switch (f->kind) {
	case POINTS_FIELD_STR:
	case POINTS_FIELD_UUID:
		memcpy(&s, p, sizeof(s));
		memcpy(&t, d, sizeof(t));
		return s == t || (s && t && strcmp(s, t) == 0);
	case POINTS_FIELD_I64:
		return memcmp(p, d, sizeof(int64_t)) == 0;
	case POINTS_FIELD_INT:
		return memcmp(p, d, sizeof(int)) == 0;
	default:
		return memcmp(p, d, sizeof(unsigned int)) == 0;
	}
}

static void
field_encode(points_buf *b, const points_field *f, const unsigned char *p)
{
	switch (f->kind) {
	case POINTS_FIELD_I64: {
		int64_t v;

		memcpy(&v, p, sizeof(v));
		points_buf__svar(b, v);
		break;
	}
	case POINTS_FIELD_INT: {
		int v;

		memcpy(&v, p, sizeof(v));
		points_buf__svar(b, v);
		break;
	}
	case POINTS_FIELD_UINT: {
		unsigned int v;

		memcpy(&v, p, sizeof(v));
		points_buf__uvar(b, v);
		break;
	}
	case POINTS_FIELD_UUID: {
		unsigned char u[POINTS_UUID_LEN];
		const char *s;

		/* validate refused anything else; were it not, the text
		 * still decides (it cannot equal 16 raw bytes' encoding in
		 * length: a string starts with its length) */
		memcpy(&s, p, sizeof(s));
		if (s && points_ids__parse(s, u) == 0)
			points_buf__bytes(b, u, sizeof(u));
		else
			points_buf__str(b, s);
		break;
	}
	default: {
		const char *s;

		memcpy(&s, p, sizeof(s));
		points_buf__str(b, s);
		break;
	}
	}
}

int
points_write__fingerprint(const points_write_op *op, const void *req,
    unsigned char out[16])
{
	const points_reqtype *t = op->req;
	const unsigned char *base = req;
	points_buf b;
	size_t i;
	int rc;

	points_buf__init(&b);
	points_buf__u8(&b, op->type);
	for (i = 0; i < t->nfields; i++) {
		const points_field *f = &t->fields[i];

		if (f->use != POINTS_FIELD_HASHED)
			continue;
		if (f->since > 1) {
			if (field_is_default(f, base + f->offset,
			    (const unsigned char *)t->defaults + f->offset))
				continue;
			points_buf__uvar(&b, i);
		}
		field_encode(&b, f, base + f->offset);
	}
	rc = b.err;
	if (rc == POINTS_OK)
		rc = points_idem__req_hash(&b, out);
	points_buf__free(&b);
	return rc;
}

int
points_write__init(const points_reqtype *t, void *req, unsigned int version)
{
	if (!req)
		return POINTS_EINVAL;
	if (version == 0 || version > t->version)
		return POINTS_EVERSION;
	memcpy(req, t->defaults, t->sizes[version]);
	memcpy(req, &version, sizeof(version));
	return POINTS_OK;
}

/* The default replay: the transaction the key recorded. */
int
points_write__replay(points_db *db, const points_write_op *op, int64_t seq,
    void *result)
{
	points_txn *out = result;
	points_entry_rec e;
	int rc;

	(void)op;
	points_entry__init(&e, 0, 0, 0);
	rc = points_entry__load(db, seq, &e);
	if (rc == POINTS_OK)
		rc = points_entry__txn(db, &e, out);
	points_entry__free(&e);
	if (rc == POINTS_OK)
		out->replayed = 1;
	return rc;
}

int
points_write__bad_version(points_db *db, const points_write_op *op,
    unsigned int version)
{
	return points_db__err(db, POINTS_EVERSION, "%s version %u not supported",
	    op->req->name, version);
}

/* Read only what the caller's version has: an older struct is copied,
 * and the fields it lacks take their defaults. */
const void *
points_write__older(const points_reqtype *t, const void *req, size_t have,
    void *copy)
{
	memcpy(copy, req, have);
	memcpy((unsigned char *)copy + have,
	    (const unsigned char *)t->defaults + have, t->size - have);
	return copy;
}

int
points_write__gave_up(points_db *db, const points_write_op *op, int attempts)
{
	char why[sizeof(db->errmsg)];

	snprintf(why, sizeof(why), "%s", points_errmsg(db));
	return points_db__err(db, POINTS_ERETRY, "%s: still conflicting after %d "
	    "attempts: %s", op->name, attempts, why);
}
