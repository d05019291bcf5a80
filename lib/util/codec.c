/* codec.c - key and record encoding; see codec.h. */
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "util/codec.h"

void
points_buf__init(points_buf *b)
{
	b->data = b->small;
	b->len = 0;
	b->cap = sizeof(b->small);
	b->err = 0;
}

void
points_buf__reset(points_buf *b)
{
	b->len = 0;
	b->err = 0;
}

void
points_buf__free(points_buf *b)
{
	if (b->data != b->small)
		points_alloc__free(b->data);
	points_buf__init(b);
}

static int
buf_grow(points_buf *b, size_t need)
{
	size_t cap = b->cap;
	unsigned char *d;

	if (b->err)
		return 0;
	if (b->len + need <= cap)
		return 1;
	while (cap < b->len + need)
		cap *= 2;
	if (b->data == b->small) {
		d = points_alloc__malloc(cap);
		if (d)
			memcpy(d, b->small, b->len);
	} else {
		d = points_alloc__realloc(b->data, cap);
	}
	if (!d) {
		b->err = POINTS_ENOMEM;
		return 0;
	}
	b->data = d;
	b->cap = cap;
	return 1;
}

void
points_buf__bytes(points_buf *b, const void *p, size_t n)
{
	if (n == 0 || !buf_grow(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
points_buf__u8(points_buf *b, unsigned v)
{
	if ((b->err || b->len == b->cap) && !buf_grow(b, 1))
		return;
	b->data[b->len++] = (unsigned char)v;
}

/* Records are mostly varints: each is written in place, after one check
 * that the longest (10 bytes) fits, not through points_buf__bytes. */
void
points_buf__uvar(points_buf *b, uint64_t v)
{
	unsigned char *p;

	if ((b->err || b->cap - b->len < 10) && !buf_grow(b, 10))
		return;
	p = b->data + b->len;
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	b->len = (size_t)(p - b->data);
}

void
points_buf__svar(points_buf *b, int64_t v)
{
	uint64_t u = (uint64_t)v;

	points_buf__uvar(b, (u << 1) ^ (v < 0 ? ~(uint64_t)0 : 0));
}

void
points_buf__str(points_buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	points_buf__uvar(b, n);
	points_buf__bytes(b, s, n);
}

void
points_rd__init(points_rd *r, const void *p, size_t n)
{
	r->p = p;
	r->end = r->p + n;
	r->err = 0;
}

static int
rd_need(points_rd *r, size_t n)
{
	if (r->err || (size_t)(r->end - r->p) < n) {
		r->err = POINTS_ECORRUPT;
		return 0;
	}
	return 1;
}

unsigned
points_rd__u8(points_rd *r)
{
	if (!rd_need(r, 1))
		return 0;
	return *r->p++;
}

uint64_t
points_rd__uvar(points_rd *r)
{
	uint64_t v = 0;
	unsigned shift = 0;

	/* most values (deltas, small counts) take one byte */
	if (!r->err && r->p < r->end && *r->p < 0x80)
		return *r->p++;
	for (;;) {
		unsigned c;

		if (!rd_need(r, 1) || shift > 63) {
			r->err = POINTS_ECORRUPT;
			return 0;
		}
		c = *r->p++;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
		shift += 7;
	}
}

int64_t
points_rd__svar(points_rd *r)
{
	uint64_t u = points_rd__uvar(r);

	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

void
points_rd__strref(points_rd *r, const char **p, size_t *n)
{
	uint64_t len = points_rd__uvar(r);

	*p = "";
	*n = 0;
	if (r->err || !rd_need(r, (size_t)len))
		return;
	*p = (const char *)r->p;
	*n = (size_t)len;
	r->p += len;
}

void
points_rd__str(points_rd *r, char *out, size_t cap)
{
	const char *p;
	size_t n;

	points_rd__strref(r, &p, &n);
	if (n >= cap) {
		r->err = POINTS_ECORRUPT;
		n = 0;
	}
	memcpy(out, p, n);
	out[n] = '\0';
}

void
points_rd__bytes(points_rd *r, void *out, size_t n)
{
	if (!rd_need(r, n)) {
		memset(out, 0, n);
		return;
	}
	memcpy(out, r->p, n);
	r->p += n;
}

void
points_codec__put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

void
points_codec__put_be64(unsigned char *p, uint64_t v)
{
	points_codec__put_be32(p, (uint32_t)(v >> 32));
	points_codec__put_be32(p + 4, (uint32_t)v);
}

uint32_t
points_codec__get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

uint64_t
points_codec__get_be64(const unsigned char *p)
{
	return (uint64_t)points_codec__get_be32(p) << 32 | points_codec__get_be32(p + 4);
}

int
points_codec__add(int64_t *acc, int64_t v)
{
	if ((v > 0 && *acc > INT64_MAX - v) || (v < 0 && *acc < INT64_MIN - v))
		return POINTS_EOVERFLOW;
	*acc += v;
	return POINTS_OK;
}

int
points_codec__utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + n;

	while (p < end) {
		unsigned c;
		unsigned need;
		uint32_t cp;

		/* eight ASCII bytes, none 0, at a time: most text is */
		while (end - p >= 8) {
			uint64_t w;

			memcpy(&w, p, 8);
			if ((w | ((w - 0x0101010101010101u) & ~w)) &
			    0x8080808080808080u)
				break;
			p += 8;
		}
		if (p == end)
			break;
		c = *p++;
		if (c == 0)
			return 0;
		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if ((size_t)(end - p) < need)
			return 0;
		while (need--) {
			if ((*p & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (*p++ & 0x3f);
		}
		/* overlong, surrogates, beyond U+10FFFF */
		if ((cp < 0x800 && c >= 0xe0) || (cp < 0x10000 && c >= 0xf0) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
	}
	return 1;
}

size_t
points_codec__cat(char *t, size_t cap, size_t at, const char *s)
{
	size_t n = strlen(s);

	if (at + 1 < cap) {
		size_t room = cap - 1 - at, k = n < room ? n : room;

		memcpy(t + at, s, k);
		t[at + k] = '\0';
	}
	return at + n;
}

size_t
points_codec__cat_int(char *t, size_t cap, size_t at, int64_t v)
{
	char d[24], *p = d + sizeof(d);
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	*--p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	return points_codec__cat(t, cap, at, p);
}
