/* readcache.h - a cache of values read in one store transaction.
 *
 * A backend whose reads are costly (SQLite: a b-tree seek per get) keeps
 * one per keyspace.  It is write-through: the backend stores every put in
 * it and drops every delete, after the write succeeded.  Entries carry the
 * generation they were made in; the backend starts a new generation with
 * every transaction, which is what makes the cache safe: inside a
 * transaction nobody else changes what this connection reads (a write
 * transaction holds the lock, a read transaction sees one snapshot).
 *
 * A key known to be absent (a get that found nothing, a delete) is kept
 * too: settings and counters that were never written are read by many
 * writes, and each such miss would be an SQLite seek.
 *
 * Two-way set-associative: a key has two slots side by side, and a new
 * key pushes out the older of two.  The table grows with what one
 * transaction reads, up to RCACHE_MAX_SLOTS.
 * Failing to allocate only means not caching; never an error. */
#ifndef POINTS_STORE_READCACHE_H
#define POINTS_STORE_READCACHE_H

#include <stddef.h>
#include <stdint.h>

typedef struct rcache_slot {
	uint64_t gen;        /* 0: empty */
	uint64_t hash;
	unsigned char *data; /* key, then value */
	uint32_t klen, vlen;
} rcache_slot;

typedef struct points_readcache {
	rcache_slot *slots;
	size_t mask;   /* slots - 1; 0 with no table */
	size_t filled; /* slots taken in this generation */
	uint64_t gen;  /* the generation filled counts */
} points_readcache;

#define RCACHE_MISS 0   /* not cached: ask the store */
#define RCACHE_HIT 1    /* cached, with its value */
#define RCACHE_ABSENT 2 /* known not to exist */

/* What the cache knows of key in generation gen: RCACHE_HIT and the
 * value (valid until the next call on c), RCACHE_ABSENT or RCACHE_MISS. */
int points_readcache__get(points_readcache *c, uint64_t gen, const void *key,
    size_t klen, const void **val, size_t *vlen);
/* Remember key = val in generation gen (a get's result or a put).
 * Returns the cached copy of the value (valid until the next call on c),
 * or NULL when it was not kept. */
const void *points_readcache__put(points_readcache *c, uint64_t gen, const void *key,
    size_t klen, const void *val, size_t vlen);
/* Remember that key does not exist in generation gen (a get that found
 * nothing, a delete). */
void points_readcache__absent(points_readcache *c, uint64_t gen,
    const void *key, size_t klen);
/* Forget key (a write that failed: its outcome is unknown). */
void points_readcache__del(points_readcache *c, const void *key, size_t klen);
/* Free everything; c is empty afterwards. */
void points_readcache__free(points_readcache *c);

#endif
