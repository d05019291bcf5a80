/* readcache.c - see readcache.h. */
#include <string.h>

#include "util/alloc.h"
#include "store/readcache.h"
#include "store/store.h"

#define RCACHE_MIN_SLOTS 256
/* 131,072 slots: a transaction that reads 100k balances keeps most of
 * them; at ~100 bytes a record that is ~13 MB, next to SQLite's 64 MB. */
#define RCACHE_MAX_SLOTS ((size_t)1 << 17)
#define RCACHE_MAX_VALUE 4096 /* larger values are not worth a copy */
#define ABSENT_VLEN UINT32_MAX /* a slot's vlen: the key does not exist */

/* A key's two slots, side by side (one cache line): the set of ways. */
static rcache_slot *
set_of(const points_readcache *c, uint64_t h)
{
	return &c->slots[h & c->mask & ~(size_t)1];
}

/* The slot holds key, in any generation (0: it holds nothing). */
static int
holds_key(const rcache_slot *s, uint64_t h, const void *key, size_t klen)
{
	return s->gen != 0 && s->hash == h && s->klen == klen &&
	    (klen == 0 || memcmp(s->data, key, klen) == 0);
}

int
points_readcache__get(points_readcache *c, uint64_t gen, const void *key,
    size_t klen, const void **val, size_t *vlen)
{
	uint64_t h;
	rcache_slot *s;
	int w;

	if (c->mask == 0)
		return 0;
	h = points_store__key_hash(key, klen);
	s = set_of(c, h);
	for (w = 0; w < 2; w++, s++)
		if (s->gen == gen && holds_key(s, h, key, klen)) {
			if (s->vlen == ABSENT_VLEN)
				return RCACHE_ABSENT;
			*val = s->data + s->klen;
			*vlen = s->vlen;
			return RCACHE_HIT;
		}
	return RCACHE_MISS;
}

/* Double the table (or make the first), keeping this generation's
 * entries; older ones are freed.  Returns 0 when it cannot. */
static int
grow(points_readcache *c, uint64_t gen)
{
	size_t n = c->mask ? (c->mask + 1) * 2 : RCACHE_MIN_SLOTS, i;
	rcache_slot *t, *old = c->slots;

	if (!(t = points_alloc__calloc(n, sizeof(*t))))
		return 0;
	c->slots = t;
	c->filled = 0;
	for (i = 0; old && i <= c->mask; i++) {
		rcache_slot *o = &old[i], *s;

		if (o->gen != gen) {
			points_alloc__free(o->data);
			continue;
		}
		s = &t[o->hash & (n - 1) & ~(size_t)1];
		if (s->gen == gen)
			s++;
		if (s->gen == gen) { /* both ways taken: drop this one */
			points_alloc__free(o->data);
			continue;
		}
		*s = *o;
		c->filled++;
	}
	points_alloc__free(old);
	c->mask = n - 1;
	return 1;
}

/* The slot for key: the way that holds it, else a free one, else way 0
 * after its entry moved to way 1 (whose entry goes): the older of two
 * is dropped first. */
static rcache_slot *
way_for(points_readcache *c, uint64_t gen, uint64_t h, const void *key,
    size_t klen)
{
	rcache_slot *s = set_of(c, h);

	if (holds_key(&s[0], h, key, klen))
		return &s[0];
	if (holds_key(&s[1], h, key, klen))
		return &s[1];
	if (s[0].gen != gen)
		return &s[0];
	if (s[1].gen != gen)
		return &s[1];
	points_alloc__free(s[1].data);
	s[1] = s[0];
	s[0].data = NULL;
	s[0].gen = 0;
	c->filled--;
	return &s[0];
}

/* Keep key = val, or (absent) that key does not exist. */
static const void *
keep(points_readcache *c, uint64_t gen, const void *key, size_t klen,
    const void *val, size_t vlen, int absent)
{
	uint64_t h = points_store__key_hash(key, klen);
	rcache_slot *s;
	unsigned char *d;

	if (c->gen != gen) {
		c->gen = gen;
		c->filled = 0;
	}
	if (vlen > RCACHE_MAX_VALUE || klen > UINT32_MAX) {
		points_readcache__del(c, key, klen); /* never keep a stale copy */
		return NULL;
	}
	if ((c->mask == 0 || (c->filled >= (c->mask + 1) / 4 * 3 &&
	    c->mask + 1 < RCACHE_MAX_SLOTS)) && !grow(c, gen)) {
		points_readcache__del(c, key, klen);
		return NULL;
	}
	if (!(d = points_alloc__malloc(klen + vlen + 1))) {
		points_readcache__del(c, key, klen); /* never keep a stale copy */
		return NULL;
	}
	if (klen)
		memcpy(d, key, klen);
	if (vlen)
		memcpy(d + klen, val, vlen);
	s = way_for(c, gen, h, key, klen);
	if (s->gen != gen)
		c->filled++;
	points_alloc__free(s->data);
	s->data = d;
	s->gen = gen;
	s->hash = h;
	s->klen = (uint32_t)klen;
	s->vlen = absent ? ABSENT_VLEN : (uint32_t)vlen;
	return d + klen;
}

const void *
points_readcache__put(points_readcache *c, uint64_t gen, const void *key,
    size_t klen, const void *val, size_t vlen)
{
	return keep(c, gen, key, klen, val, vlen, 0);
}

void
points_readcache__absent(points_readcache *c, uint64_t gen, const void *key,
    size_t klen)
{
	keep(c, gen, key, klen, NULL, 0, 1);
}

void
points_readcache__del(points_readcache *c, const void *key, size_t klen)
{
	uint64_t h;
	rcache_slot *s;
	int w;

	if (c->mask == 0)
		return;
	h = points_store__key_hash(key, klen);
	s = set_of(c, h);
	for (w = 0; w < 2; w++, s++)
		if (holds_key(s, h, key, klen))
			s->gen = 0;
}

void
points_readcache__free(points_readcache *c)
{
	size_t i;

	for (i = 0; c->slots && i <= c->mask; i++)
		points_alloc__free(c->slots[i].data);
	points_alloc__free(c->slots);
	memset(c, 0, sizeof(*c));
}
