/* write.h - the one write path: every write operation of the ledger, and
 * of the modules above it, runs through points_write__run.
 *
 * An operation declares (points_write_op):
 *  - its request type (points_reqtype): the public request struct as a
 *    table of fields, each with its offset, kind and the struct version
 *    that added it, and the struct's size at each version;
 *  - validate: checks of the request alone, before any transaction;
 *  - body: the work, inside the write transaction, once the idempotency
 *    look-up found no earlier request;
 *  - replay (optional): the result of an earlier request, from the seq
 *    its key recorded.
 * The skeleton does the rest, in this order: check the handle, the
 * request pointer, out and the request's version; copy the request (only
 * the bytes of its version; later fields take their defaults); validate;
 * check the idempotency key; make the fingerprint (only when there is a
 * key); then begin, look the key up (a replay or POINTS_ECONFLICT), run
 * the body, record the key, commit; and copy the result out only once
 * committed.
 *
 * One read.  The key's record is read with one points_db__get_many, together
 * with a probe of the entry log's tail (every write appends an entry:
 * entry.h, two keys) and the keys the operation names in its optional
 * prefetch method (a posting: both balances), so that a store with
 * get_many serves a write's reads in one round trip.  prefetch may read what it
 * needs to name its keys (a posting: the asset, cached per handle); when
 * it fails and there is a key, the key is looked up alone first, so that
 * a replay or a conflict is reported as before.  fetched then decodes
 * what the keys gave into ctx, before any other store call (the values
 * live only until then); it runs only when the body will, and the body
 * releases what it decoded.  Both run again on a retry.
 *
 * The fingerprint.  Two requests under one key are "the same" when their
 * fingerprints are: BLAKE2b-128 over the operation's type byte, then
 * every field whose use is POINTS_FIELD_HASHED, in table order.  The
 * table must name every member of the struct (a test checks that the
 * fields cover the struct byte for byte), so a field cannot be left out
 * by accident: a member that must not count is declared with another use
 * (the version, the key, or a value the operation refuses).  Fields of
 * version 1 are encoded in place (i64 and int: zigzag varints; strings:
 * a length and the bytes, NULL as ""; UUIDs: their 16 bytes), which is
 * the format the hand-written hashes of 0.1.0 had, so keys recorded by
 * 0.1.0 replay.  A field added in a later version is encoded only when
 * it differs from its default, after its index in the table, so that
 * adding a field changes no fingerprint of a request that leaves it at
 * its default (as every request made before it existed does).
 *
 * Retries.  When any step returns POINTS_ERETRY (an optimistic store
 * conflict: another writer won), the transaction is rolled back and the
 * whole operation runs again, from begin, up to POINTS_WRITE_ATTEMPTS
 * times in all; then POINTS_ERETRY is returned.  The body must therefore
 * keep no state across attempts but what validate put in ctx.  Inside a
 * batch nothing is retried: the batch's transaction is lost
 * (points_db__write_end rolls it back) and the code is returned.
 *
 * The result.  The operation's result is result_size bytes, at most
 * POINTS_WRITE_RESULT_MAX: the skeleton keeps it in a buffer of its own
 * and copies it to the caller's out only on success.  The ledger's
 * writes return a points_txn; a later module's write may return another
 * record (an order, a draw) without changing this file: it sets
 * result_size and, if a replay is not simply the transaction the key
 * recorded, a replay method.  A pointer and a size were chosen over a
 * union of the result types so that no central list of them exists. */
#ifndef POINTS_LEDGER_WRITE_H
#define POINTS_LEDGER_WRITE_H

#include <stddef.h>
#include <string.h>

#include "points.h"
#include "core/db.h"
#include "ledger/entry.h"
#include "ledger/idem.h"

/* Attempts of one operation when the store reports a conflict. */
#define POINTS_WRITE_ATTEMPTS 8

/* The largest request struct and result the skeleton keeps. */
#define POINTS_WRITE_REQUEST_MAX 256
#define POINTS_WRITE_RESULT_MAX 1024

/* How a field is stored in the struct, and so how it is encoded. */
enum {
	POINTS_FIELD_I64,  /* int64_t: zigzag varint */
	POINTS_FIELD_INT,  /* int: zigzag varint */
	POINTS_FIELD_UINT, /* unsigned int: varint */
	POINTS_FIELD_STR,  /* const char *: length varint, bytes; NULL as "" */
	POINTS_FIELD_UUID  /* const char *, a UUID's text: its 16 bytes */
};

/* What a field is to the fingerprint. */
enum {
	POINTS_FIELD_HASHED,  /* it makes the request: in the fingerprint */
	POINTS_FIELD_VERSION, /* the struct's version (UINT, first) */
	POINTS_FIELD_KEY,     /* the idempotency key (STR) */
	POINTS_FIELD_REFUSED  /* the operation refuses any value but 0/NULL */
};

typedef struct points_field {
	const char *name;    /* the member's name, for tests and messages */
	size_t offset;
	unsigned char kind;  /* POINTS_FIELD_I64 ... */
	unsigned char use;   /* POINTS_FIELD_HASHED ... */
	unsigned char since; /* the struct version that added it (1, 2, ...) */
} points_field;

#define POINTS_FIELD(type, member, kind, use, since) \
	{ #member, offsetof(type, member), kind, use, since }
/* The bytes of a struct up to the end of member: a version's size. */
#define POINTS_END_OF(type, member) \
	(offsetof(type, member) + sizeof(((type *)0)->member))

/* A request struct as an operation reads it. */
typedef struct points_reqtype {
	const char *name;     /* "posting": for messages */
	size_t size;          /* the library's sizeof */
	unsigned int version; /* the newest version, POINTS_*_VERSION */
	const size_t *sizes;  /* sizes[v]: the bytes of version v, 1..version */
	const void *defaults; /* POINTS_*_INIT: what absent fields read as */
	const points_field *fields;
	size_t nfields;
	size_t key_offset; /* the POINTS_FIELD_KEY field's offset */
} points_reqtype;

/* Does a request struct fit the skeleton's buffer?  At file scope. */
#define POINTS_WRITE_REQUEST_FITS(type) \
	typedef char points_write_fits_##type[ \
	    sizeof(type) <= POINTS_WRITE_REQUEST_MAX ? 1 : -1]
#define POINTS_WRITE_RESULT_FITS(type) \
	typedef char points_write_result_fits_##type[ \
	    sizeof(type) <= POINTS_WRITE_RESULT_MAX ? 1 : -1]

typedef struct points_write_op points_write_op;
struct points_write_op {
	const char *name;           /* "earn": for messages */
	unsigned int type;          /* the fingerprint's first byte, POINTS_TXN_* */
	const points_reqtype *req;
	size_t result_size;         /* bytes copied to out on success */
	/* Check the request (as of the library's version: a caller's
	 * older struct is copied first, the fields it lacks defaulted);
	 * may fill ctx for the body.  No store access. */
	int (*validate)(points_db *db, const points_write_op *op,
	    const void *req, void *ctx);
	/* The work, inside the transaction: fill result and *seq, the
	 * entry the idempotency key will name.  Runs again on a retry. */
	int (*body)(points_db *db, const points_write_op *op, const void *req,
	    void *ctx, void *result, int64_t *seq);
	/* The result of the earlier request that recorded seq under the
	 * same key; NULL: the points_txn of entry seq, replayed = 1. */
	int (*replay)(points_db *db, const points_write_op *op, int64_t seq,
	    void *result);
	/* Optional (NULL: the body reads for itself).  Name the keys the
	 * body reads: fill r[0..] (at most POINTS_WRITE_PREFETCH_MAX) and
	 * *n, the key bytes kept in ctx.  Inside the transaction, before
	 * the key's record is read. */
	int (*prefetch)(points_db *db, const points_write_op *op,
	    const void *req, void *ctx, points_getreq *r, size_t *n);
	/* What they gave (r[i].rc POINTS_OK with r[i].val, or
	 * POINTS_ENOTFOUND), to decode into ctx; no store call. */
	int (*fetched)(points_db *db, const points_write_op *op,
	    const void *req, void *ctx, const points_getreq *r, size_t n);
};

/* Keys an operation's prefetch may name. */
#define POINTS_WRITE_PREFETCH_MAX 8

/* The fingerprint of a request (as validate sees it); POINTS_ENOMEM when
 * the encoding could not grow, POINTS_ESTORAGE when libsodium failed (no
 * message). */
int points_write__fingerprint(const points_write_op *op, const void *req,
    unsigned char out[16]);

/* The *_init of a request struct: write the defaults of version
 * version, only that version's bytes.  POINTS_EINVAL (req NULL) or
 * POINTS_EVERSION (0 or newer than the library). */
int points_write__init(const points_reqtype *t, void *req,
    unsigned int version);

/* Parts of points_write__run kept out of line (write.c): the message of
 * a bad version; an older struct copied into copy, with the defaults
 * after it; the default replay; the message after the last attempt. */
int points_write__bad_version(points_db *db, const points_write_op *op,
    unsigned int version);
const void *points_write__older(const points_reqtype *t, const void *req,
    size_t have, void *copy);
int points_write__replay(points_db *db, const points_write_op *op,
    int64_t seq, void *result);
int points_write__gave_up(points_db *db, const points_write_op *op,
    int attempts);

/* The reads before the body (see "One read" above): POINTS_OK (a new
 * request: the op's keys decoded), POINTS_ITEROVER (a replay of *seq) or
 * an error. */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline int
points_write__read(points_db *db, const points_write_op *op,
    const points_ksdef *idem_ks, const void *req, void *ctx, const char *key,
    const unsigned char hash[16], int64_t *seq)
{
	points_getreq r[3 + POINTS_WRITE_PREFETCH_MAX + POINTS_DB_AHEAD_MAX];
	points_module *who[POINTS_DB_AHEAD_MAX];
	unsigned char tail[16];
	points_lastreq last;
	size_t n = 0, first, k = 0, na, ra;
	int rc, ri = -1, rt = -1, probe;

	if (key) {
		r[n].ks = idem_ks;
		r[n].key = key;
		r[n].klen = strlen(key);
		ri = (int)n++;
	}
	first = n;
	/* the op's keys first: its prefetch may say where it appends */
	if (op->prefetch) {
		rc = op->prefetch(db, op, req, ctx, r + first, &k);
		if (rc) {
			/* as when the key was looked up first */
			int irc = points_idem__check(db, idem_ks, key,
			    hash, seq);

			return irc == POINTS_OK ? rc : irc;
		}
		n += k;
	}
	if ((probe = points_entry__tail_probe(db, tail, &last)) == 2) {
		r[n].ks = r[n + 1].ks = &points_entry__ks;
		r[n].key = tail;
		r[n + 1].key = tail + 8;
		r[n].klen = r[n + 1].klen = 8;
		rt = (int)n;
		n += 2;
	}
	/* what the modules will read in it (module.h, ahead) */
	ra = n;
	na = db->ahead_asked ? 0 : points_db__ahead(db, op->type, r + ra, who);
	n += na;
	if ((rc = points_db__get_many_last(db, r, n, probe == 1 ? &last :
	    NULL)))
		return rc;
	if (ri >= 0 && (rc = points_idem__fetched(db, key, hash,
	    r[ri].rc, r[ri].val, r[ri].vlen, seq)))
		return rc;
	if (na && (rc = points_db__ahead_got(db, r + ra, who, na)))
		return rc;
	if (probe)
		points_entry__tail_probed(db, probe == 2 ? r + rt : NULL,
		    probe == 1 ? &last : NULL);
	if (op->fetched)
		return op->fetched(db, op, req, ctx, r + first, k);
	return POINTS_OK;
}

/* For the validate and body of a hot write (earn): inlined into each
 * public function, where the skeleton calls them with constant
 * arguments. */
#ifdef __GNUC__
#define POINTS_WRITE_HOT static inline __attribute__((always_inline))
#else
#define POINTS_WRITE_HOT static
#endif

/* Aligned scratch for a request copy and a result. */
typedef union points_write_req {
	int64_t align_i;
	void *align_p;
	long double align_d;
	unsigned char b[POINTS_WRITE_REQUEST_MAX];
} points_write_req;
typedef union points_write_res {
	int64_t align_i;
	void *align_p;
	long double align_d;
	unsigned char b[POINTS_WRITE_RESULT_MAX];
} points_write_res;

/* Run op on req (the caller's struct, read up to its version's size);
 * ctx is the op's scratch, from its public wrapper (may be NULL); out
 * receives result_size bytes on success only.  idem_ks is where the
 * idempotency keys live: points_idem__ks (points_write__run), whose
 * records name entries, or, for a write that appends none (an account's
 * change), a keyspace of its own whose records name what it names.
 *
 * Inline on purpose: called with a constant op, the compiler calls the
 * op's validate and body directly (often inlines them), which keeps a
 * posting as cheap as when each write had this code written out. */
#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline int
points_write__run_ks(points_db *db, const points_write_op *op,
    const points_ksdef *idem_ks, const void *req, void *ctx, void *out)
{
	points_write_req copy;
	points_write_res result;
	unsigned char hash[16] = { 0 };
	const char *key;
	unsigned int v;
	int64_t seq;
	int rc, n;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!req)
		return points_db__err(db, POINTS_EINVAL, "%s is required",
		    op->req->name);
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	memcpy(&v, req, sizeof(v));
	if (v == 0 || v > op->req->version) {
		/* the code here, where the caller sees it is an error */
		points_write__bad_version(db, op, v);
		return POINTS_EVERSION;
	}
	/* Read only what the caller's version has: an older struct is
	 * copied, the fields it lacks defaulted; one of the library's own
	 * version is read in place. */
	if (v < op->req->version)
		req = points_write__older(op->req, req, op->req->sizes[v],
		    copy.b);
	if ((rc = op->validate(db, op, req, ctx)))
		return rc;
	memcpy(&key, (const unsigned char *)req + op->req->key_offset,
	    sizeof(key));
	if ((rc = points_idem__check_key(db, key)))
		return rc;
	/* only a request that can be replayed needs its fingerprint */
	if (key && (rc = points_write__fingerprint(op, req, hash)))
		return rc == POINTS_ENOMEM ? points_db__err(db, rc,
		    "out of memory") : points_db__err(db, rc, "idempotency key "
		    "'%s': BLAKE2b failed (libsodium crypto_generichash)", key);
	for (n = 1;; n++) {
		if ((rc = points_db__write_begin(db)) == POINTS_OK) {
			seq = 0;
			rc = points_write__read(db, op, idem_ks, req, ctx,
			    key, hash, &seq);
			if (rc == POINTS_ITEROVER) {
				rc = op->replay ?
				    op->replay(db, op, seq, result.b) :
				    points_write__replay(db, op, seq, result.b);
			} else if (rc == POINTS_OK) {
				rc = op->body(db, op, req, ctx, result.b, &seq);
				if (rc == POINTS_OK)
					rc = points_idem__record(db,
					    idem_ks, key, hash, seq);
			}
			rc = points_db__write_end(db, rc);
		}
		if (rc != POINTS_ERETRY || db->in_batch ||
		    n >= POINTS_WRITE_ATTEMPTS)
			break;
	}
	if (rc == POINTS_ERETRY && n > 1) {
		points_write__gave_up(db, op, n);
		return POINTS_ERETRY;
	}
	if (rc == POINTS_OK)
		memcpy(out, result.b, op->result_size);
	return rc;
}

#ifdef __GNUC__
__attribute__((always_inline))
#endif
static inline int
points_write__run(points_db *db, const points_write_op *op, const void *req,
    void *ctx, void *out)
{
	return points_write__run_ks(db, op, &points_idem__ks, req, ctx, out);
}

#endif
