/* idem.c - idempotency keys: a retried request returns the first
 * result; the same key with another request is POINTS_ECONFLICT. */
#include <string.h>

#include <sodium.h>

#include "points.h"
#include "util/codec.h"
#include "core/db.h"
#include "ledger/idem.h"

#define IDEM_RECORD_V1 1

/* idempotency key -> seq + request hash */
points_ksdef points_idem__ks = { "idem", 0, 0 };
static points_ksdef *const keyspaces[] = { &points_idem__ks, NULL };
static points_module idem_module = {
	.name = "idem",
	.format = IDEM_RECORD_V1,
	.keyspaces = keyspaces,
};
POINTS_MODULE(idem_module)

int
points_idem__check_key(points_db *db, const char *key)
{
	int rc = points_db__check_str(db, "idempotency key", key,
	    POINTS_IDEM_MAX, 0);

	/* "" would be a key like any other, shared by every caller that
	 * meant "none" (an empty form field): only NULL is none */
	if (rc == POINTS_OK && key && !*key)
		rc = points_db__err(db, POINTS_EINVAL, "idempotency key is "
		    "empty (pass NULL for none)");
	return rc;
}

int
points_idem__req_hash(const points_buf *req, unsigned char out[16])
{
	return crypto_generichash(out, 16, req->data, req->len, NULL, 0) == 0 ?
	    POINTS_OK : POINTS_ESTORAGE;
}

int
points_idem__check(points_db *db, const points_ksdef *ks, const char *key,
    const unsigned char hash[16], int64_t *seq)
{
	const void *v = NULL;
	size_t vl = 0;
	int rc;

	if (!key)
		return POINTS_OK;
	rc = points_db__get(db, ks, key, strlen(key), &v, &vl);
	return points_idem__fetched(db, key, hash, rc, v, vl, seq);
}

int
points_idem__fetched(points_db *db, const char *key,
    const unsigned char hash[16], int rc, const void *v, size_t vl,
    int64_t *seq)
{
	points_rd r;
	unsigned char stored[16];
	int64_t s;

	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	points_rd__init(&r, v, vl);
	if (points_rd__u8(&r) != IDEM_RECORD_V1)
		r.err = POINTS_ECORRUPT;
	s = (int64_t)points_rd__uvar(&r);
	points_rd__bytes(&r, stored, 16);
	if (r.err)
		return points_db__err(db, POINTS_ECORRUPT,
		    "idempotency key '%s': record unreadable", key);
	if (memcmp(stored, hash, 16) != 0)
		return points_db__err(db, POINTS_ECONFLICT,
		    "idempotency key '%s' was used for a different request",
		    key);
	*seq = s;
	return POINTS_ITEROVER;
}

int
points_idem__lookup(points_db *db, const points_ksdef *ks, const char *key,
    int64_t *seq)
{
	const void *v;
	size_t vl;
	points_rd r;
	int rc;

	if ((rc = points_db__get(db, ks, key, strlen(key), &v, &vl)))
		return rc;
	points_rd__init(&r, v, vl);
	if (points_rd__u8(&r) != IDEM_RECORD_V1)
		r.err = POINTS_ECORRUPT;
	*seq = (int64_t)points_rd__uvar(&r);
	if (r.err)
		return points_db__err(db, POINTS_ECORRUPT,
		    "idempotency key '%s': record unreadable", key);
	return POINTS_OK;
}

int
points_idem__record(points_db *db, const points_ksdef *ks, const char *key,
    const unsigned char hash[16], int64_t seq)
{
	unsigned char v[1 + 10 + 16];
	points_buf b;
	int rc;

	if (!key)
		return POINTS_OK;
	points_buf__init(&b);
	points_buf__u8(&b, IDEM_RECORD_V1);
	points_buf__uvar(&b, (uint64_t)seq);
	points_buf__bytes(&b, hash, 16);
	memcpy(v, b.data, b.len); /* fits the inline buffer: no failure */
	rc = points_db__put(db, ks, key, strlen(key), v, b.len);
	points_buf__free(&b);
	return rc;
}
