/* ids.h - UUIDv7 transaction ids from a per-handle random stream. */
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
} points_rng;

void points_ids__seed(points_rng *r);
void points_ids__wipe(points_rng *r);
/* Fresh UUIDv7 bytes: a millisecond timestamp, then random bits. */
void points_ids__uuid7(points_rng *r, unsigned char out[POINTS_UUID_LEN]);
/* Lower-case text, 36 characters and a NUL. */
void points_ids__format(const unsigned char u[POINTS_UUID_LEN],
    char out[POINTS_UUID_TEXT + 1]);
/* 0, or -1 when s is not the text of a UUID. */
int points_ids__parse(const char *s, unsigned char out[POINTS_UUID_LEN]);

#endif
