/* store.c - opening a built-in store from a URI, and the helpers the
 * backends share.
 *
 *   "memory:[?mode=rwc]"        memory.c
 *   "sqlite:PATH[?opt&opt...]"  sqlite.c (it parses the options)
 */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "points/sys/store.h"
#include "util/alloc.h"
#include "store/store.h"

#define MEMORY_SCHEME "memory:"
#define SQLITE_SCHEME "sqlite:"

/* "memory:" takes one option, mode=rwc (what it always does); mode=rw
 * would open an existing ledger, and a new memory store holds none. */
static int
memory_open(const char *opts, points_store **out, char *err, size_t errlen)
{
	if (!opts || !*opts || strcmp(opts, "mode=rwc") == 0)
		return points_memory__new(out);
	if (errlen) {
		if (strcmp(opts, "mode=rw") == 0)
			snprintf(err, errlen, "memory: holds no ledger to open "
			    "(mode=rw opens an existing one; a memory store "
			    "is new and empty)");
		else
			snprintf(err, errlen, "bad memory option in '%s' (only "
			    "mode=rwc)", opts);
	}
	return POINTS_EINVAL;
}

int
points_store__open(const char *uri, points_store **out, int *existing,
    char *err, size_t errlen)
{
	const char *path, *q;
	char *p;
	size_t n;
	int rc;

	if (errlen)
		err[0] = '\0';
	if (existing)
		*existing = 0;
	if (!uri || !out)
		return POINTS_EINVAL;
	if (strcmp(uri, MEMORY_SCHEME) == 0)
		return points_memory__new(out);
	if (strncmp(uri, MEMORY_SCHEME "?", sizeof(MEMORY_SCHEME)) == 0)
		return memory_open(uri + sizeof(MEMORY_SCHEME), out, err,
		    errlen);
	if (strncmp(uri, SQLITE_SCHEME, sizeof(SQLITE_SCHEME) - 1) != 0) {
		if (errlen)
			snprintf(err, errlen, "unknown scheme (use memory: or "
			    "sqlite:PATH)");
		return POINTS_EINVAL;
	}

	/* The path runs to the first '?': a file name cannot hold one. */
	path = uri + sizeof(SQLITE_SCHEME) - 1;
	q = strchr(path, '?');
	n = q ? (size_t)(q - path) : strlen(path);
	if (n == 0) {
		if (errlen)
			snprintf(err, errlen, "no file name after sqlite:");
		return POINTS_EINVAL;
	}
	if (!(p = points_alloc__malloc(n + 1)))
		return POINTS_ENOMEM;
	memcpy(p, path, n);
	p[n] = '\0';
	rc = points_sqlite__new(p, q ? q + 1 : NULL, out, existing, err,
	    errlen);
	points_alloc__free(p);
	return rc;
}

POINTS_EXTERN int
points_store_open(const char *uri, points_store **out)
{
	char err[256];

	return points_store__open(uri, out, NULL, err, sizeof(err));
}

POINTS_EXTERN void
points_store_close(points_store *s)
{
	if (s && s->close)
		s->close(s);
}

const char *
points_store__message(points_store *s)
{
	const char *m;

	if (!s || s->version < 2 || !s->errmsg || !(m = s->errmsg(s)) || !*m)
		return NULL;
	return m;
}

int
points_store__valid_name(const char *name)
{
	size_t i;

	if (!name)
		return 0;
	for (i = 0; name[i]; i++) {
		char c = name[i];

		if (i >= 32)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_'))
			return 0;
	}
	return i > 0;
}

/* Reads 8-byte words with memcpy (alignment, C99); mixes like
 * splitmix64.  Hashes live in memory only, so byte order does not
 * matter. */
uint64_t
points_store__key_hash(const void *key, size_t n)
{
	const unsigned char *k = key;
	uint64_t h = 0x9e3779b97f4a7c15u ^ ((uint64_t)n * 0xff51afd7ed558ccdu);
	uint64_t w;

	for (; n >= 8; k += 8, n -= 8) {
		memcpy(&w, k, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9u;
		h ^= h >> 31;
	}
	if (n) {
		w = 0;
		memcpy(&w, k, n);
		h = (h ^ w) * 0x94d049bb133111ebu;
		h ^= h >> 31;
	}
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93u;
	h ^= h >> 32;
	return h;
}
