/* uuid7.c - transaction ids: UUIDv7 (RFC 9562), a millisecond timestamp
 * then random bits, so that the id index grows by appends.  The random
 * bits come from a per-handle ChaCha20 stream seeded once, refilled a
 * block at a time: a syscall per id would cost more than a posting. */
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <uuid/uuid.h>

#include "points.h"
#include "db.h"

static void
rnd_bytes(points_db *db, unsigned char *out, size_t n)
{
	while (n > 0) {
		size_t take;

		if (db->rnd_pos == sizeof(db->rnd_buf)) {
			unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];

			memset(nonce, 0, sizeof(nonce));
			memcpy(nonce, &db->rnd_nonce, sizeof(db->rnd_nonce));
			db->rnd_nonce++;
			crypto_stream_chacha20(db->rnd_buf, sizeof(db->rnd_buf),
			    nonce, db->rnd_key);
			db->rnd_pos = 0;
		}
		take = sizeof(db->rnd_buf) - db->rnd_pos;
		if (take > n)
			take = n;
		memcpy(out, db->rnd_buf + db->rnd_pos, take);
		db->rnd_pos += take;
		out += take;
		n -= take;
	}
}

void
points__uuid7(points_db *db, unsigned char u[POINTS_UUID_LEN])
{
	struct timespec ts;
	uint64_t ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	u[0] = (unsigned char)(ms >> 40);
	u[1] = (unsigned char)(ms >> 32);
	u[2] = (unsigned char)(ms >> 24);
	u[3] = (unsigned char)(ms >> 16);
	u[4] = (unsigned char)(ms >> 8);
	u[5] = (unsigned char)ms;
	rnd_bytes(db, u + 6, POINTS_UUID_LEN - 6);
	u[6] = (unsigned char)(0x70 | (u[6] & 0x0f)); /* version 7 */
	u[8] = (unsigned char)(0x80 | (u[8] & 0x3f)); /* variant 10 */
}

void
points__uuid_format(const unsigned char u[POINTS_UUID_LEN],
    char out[POINTS_ID_LEN + 1])
{
	uuid_unparse_lower(u, out);
}

int
points__uuid_parse(points_db *db, const char *s,
    unsigned char out[POINTS_UUID_LEN])
{
	if (!s)
		return points__err(db, POINTS_EINVAL,
		    "transaction id is required");
	if (strnlen(s, POINTS_ID_LEN + 1) != POINTS_ID_LEN ||
	    uuid_parse(s, out) != 0)
		return points__err(db, POINTS_EINVAL,
		    "'%.40s' is not a transaction id (a UUID)", s);
	return POINTS_OK;
}
