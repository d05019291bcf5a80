/* ids.h - UUIDv7 transaction ids from a per-handle random stream, at
 * times the caller gives (the ledger's clock). */
#ifndef POINTS_UTIL_IDS_H
#define POINTS_UTIL_IDS_H

#include <stddef.h>
#include <stdint.h>

#define POINTS_UUID_LEN 16
#define POINTS_UUID_TEXT 36

/* A ChaCha20 stream seeded once from the system, refilled a block at a
 * time.  A fork() copies it: a child must open its own handle. */
typedef struct points_rng {
	unsigned char key[32];
	uint64_t nonce;
	unsigned char buf[512];
	size_t pos;
	/* The newest id's time and counter: ids made with one rng
	 * increase. */
	uint64_t last_ms;
	unsigned seq;
} points_rng;

/* The largest time a UUIDv7 holds: 48 bits of milliseconds. */
#define POINTS_UUID_MS_MAX ((UINT64_C(1) << 48) - 1)

void points_ids__seed(points_rng *r);
void points_ids__wipe(points_rng *r);
/* Fresh UUIDv7 bytes for time ms (milliseconds since 1970; more than
 * POINTS_UUID_MS_MAX counts as that): the time, a 12-bit counter (RFC
 * 9562's method 1), then 62 random bits.  The ids one rng makes
 * increase even when ms stands still or goes back: such an id takes the
 * last one's time and the counter one up, and a counter that runs out
 * moves the time a millisecond on.  (Past POINTS_UUID_MS_MAX, in the
 * year 10889, they are only unique.) */
void points_ids__uuid7(points_rng *r, uint64_t ms,
    unsigned char out[POINTS_UUID_LEN]);
/* Lower-case text, 36 characters and a NUL. */
void points_ids__format(const unsigned char u[POINTS_UUID_LEN],
    char out[POINTS_UUID_TEXT + 1]);
/* 0, or -1 when s is not the text of a UUID. */
int points_ids__parse(const char *s, unsigned char out[POINTS_UUID_LEN]);

#endif
