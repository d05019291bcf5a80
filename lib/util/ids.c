/* ids.c - transaction ids: UUIDv7 (RFC 9562), a millisecond timestamp
 * (the ledger's clock, given by the caller), a counter, then random
 * bits, so that the id index grows by appends.  The random
 * bits come from a per-handle ChaCha20 stream seeded once, refilled a
 * block at a time: a syscall per id would cost more than a posting. */
#include <string.h>

#include <sodium.h>
#include <uuid/uuid.h>

#include "util/ids.h"

void
points_ids__seed(points_rng *r)
{
	randombytes_buf(r->key, sizeof(r->key));
	r->nonce = 0;
	r->pos = sizeof(r->buf); /* empty: refill on first use */
	r->last_ms = 0;
	r->seq = 0;
}

void
points_ids__wipe(points_rng *r)
{
	sodium_memzero(r->key, sizeof(r->key));
}

static void
rnd_bytes(points_rng *r, unsigned char *out, size_t n)
{
	while (n > 0) {
		size_t take;

		if (r->pos == sizeof(r->buf)) {
			unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];

			memset(nonce, 0, sizeof(nonce));
			memcpy(nonce, &r->nonce, sizeof(r->nonce));
			r->nonce++;
			crypto_stream_chacha20(r->buf, sizeof(r->buf), nonce,
			    r->key);
			r->pos = 0;
		}
		take = sizeof(r->buf) - r->pos;
		if (take > n)
			take = n;
		memcpy(out, r->buf + r->pos, take);
		r->pos += take;
		out += take;
		n -= take;
	}
}

void
points_ids__uuid7(points_rng *r, uint64_t ms, unsigned char u[POINTS_UUID_LEN])
{
	unsigned char c[2];

	if (ms > POINTS_UUID_MS_MAX)
		ms = POINTS_UUID_MS_MAX;
	if (ms > r->last_ms) {
		/* a new millisecond: the counter starts at a random point
		 * in its lower half, leaving room to count up */
		rnd_bytes(r, c, sizeof(c));
		r->last_ms = ms;
		r->seq = ((unsigned)c[0] << 8 | c[1]) & 0x7ff;
	} else if (++r->seq > 0xfff) {
		r->seq = 0;
		if (r->last_ms < POINTS_UUID_MS_MAX)
			r->last_ms++;
	}
	ms = r->last_ms;
	u[0] = (unsigned char)(ms >> 40);
	u[1] = (unsigned char)(ms >> 32);
	u[2] = (unsigned char)(ms >> 24);
	u[3] = (unsigned char)(ms >> 16);
	u[4] = (unsigned char)(ms >> 8);
	u[5] = (unsigned char)ms;
	u[6] = (unsigned char)(0x70 | (r->seq >> 8)); /* version 7 */
	u[7] = (unsigned char)(r->seq & 0xff);
	rnd_bytes(r, u + 8, POINTS_UUID_LEN - 8);
	u[8] = (unsigned char)(0x80 | (u[8] & 0x3f)); /* variant 10 */
}

void
points_ids__format(const unsigned char u[POINTS_UUID_LEN],
    char out[POINTS_UUID_TEXT + 1])
{
	uuid_unparse_lower(u, out);
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* As uuid_parse(3) (8-4-4-4-12 hex digits of either case), by hand:
 * every event's log record parses its postings' ids, and libuuid's
 * parser costs ten times this. */
int
points_ids__parse(const char *s, unsigned char out[POINTS_UUID_LEN])
{
	unsigned char u[POINTS_UUID_LEN];
	size_t i, n = 0;

	for (i = 0; i < POINTS_UUID_TEXT; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -1;
			continue;
		}
		if ((hi = hex_digit(s[i])) < 0 || (lo = hex_digit(s[i + 1])) < 0)
			return -1;
		u[n++] = (unsigned char)(hi << 4 | lo);
		i++;
	}
	if (s[POINTS_UUID_TEXT] != '\0')
		return -1;
	memcpy(out, u, sizeof(u));
	return 0;
}
