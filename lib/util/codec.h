/* codec.h - order-preserving keys and compact, versioned records.
 *
 * Keys: big-endian fixed-width integers, so memcmp order is numeric order.
 * Records: a version byte, then LEB128 varints (zigzag for signed values)
 * and length-prefixed byte strings. */
#ifndef POINTS_UTIL_CODEC_H
#define POINTS_UTIL_CODEC_H

#include <stddef.h>
#include <stdint.h>

/* A growable output buffer.  After an allocation failure, err is set and
 * every later write is ignored; check it once at the end. */
typedef struct points_buf {
	unsigned char *data;
	size_t len;
	size_t cap;
	int err; /* POINTS_ENOMEM once a write could not grow the buffer */
	unsigned char small[256]; /* first bytes live here: no allocation */
} points_buf;

void points_buf__init(points_buf *b);
void points_buf__reset(points_buf *b); /* len = 0, keep the memory */
void points_buf__free(points_buf *b);
void points_buf__bytes(points_buf *b, const void *p, size_t n);
void points_buf__u8(points_buf *b, unsigned v);
void points_buf__uvar(points_buf *b, uint64_t v);
void points_buf__svar(points_buf *b, int64_t v);
/* length varint, then the bytes; s may be NULL (empty) */
void points_buf__str(points_buf *b, const char *s);

/* A bounds-checked reader.  After a short or malformed read, err is set
 * (POINTS_ECORRUPT) and reads return zeros. */
typedef struct points_rd {
	const unsigned char *p;
	const unsigned char *end;
	int err;
} points_rd;

void points_rd__init(points_rd *r, const void *p, size_t n);
unsigned points_rd__u8(points_rd *r);
uint64_t points_rd__uvar(points_rd *r);
int64_t points_rd__svar(points_rd *r);
/* Copy a length-prefixed string into out[cap] (NUL-terminated); too long
 * is corrupt. */
void points_rd__str(points_rd *r, char *out, size_t cap);
/* Borrow a length-prefixed string: *p points into the record. */
void points_rd__strref(points_rd *r, const char **p, size_t *n);
void points_rd__bytes(points_rd *r, void *out, size_t n);

void points_codec__put_be32(unsigned char *p, uint32_t v);
void points_codec__put_be64(unsigned char *p, uint64_t v);
uint32_t points_codec__get_be32(const unsigned char *p);
uint64_t points_codec__get_be64(const unsigned char *p);

/* Checked arithmetic: 0 on success, POINTS_EOVERFLOW otherwise. */
int points_codec__add(int64_t *acc, int64_t v);

/* 1 when s[0..n) is valid UTF-8 without NUL bytes. */
int points_codec__utf8_valid(const char *s, size_t n);

/* Append s (the decimal v) to the text t of size cap, now at bytes
 * long, snprintf's way: cut to fit, always terminated, and return the
 * length it would have without the cut.  Memos on hot paths are built
 * this way: snprintf costs several times more. */
size_t points_codec__cat(char *t, size_t cap, size_t at, const char *s);
size_t points_codec__cat_int(char *t, size_t cap, size_t at, int64_t v);

#endif
