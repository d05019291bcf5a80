/* store.c - opening a built-in store from a URI, and the helpers the
 * backends share.
 *
 *   "memory:[?mode=rwc]"        memory.c
 *   "sqlite:PATH[?opt&opt...]"  sqlite.c (it parses the options)
 *   "postgresql://..." or "postgres://..."  libpq's URI, less our
 *                               option schema=NAME: the store of
 *                               libpoints_pg.so (pg/pg.h), loaded when
 *                               first used, so that libpoints.so never
 *                               depends on libpq
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "points.h"
#include "points/sys/store.h"
#include "util/alloc.h"
#include "store/store.h"
#include "pg/pg.h" /* what to load: libpoints.so never links it */

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

/* uri less its option schema=NAME (copied to schema, cap bytes; "" when
 * none), into conn (heap memory: the caller frees it). */
static int
pg_split(const char *uri, char **conn, char *schema, size_t cap)
{
	const char *q = strchr(uri, '?'), *p;
	size_t n = strlen(uri);
	char *c;

	schema[0] = '\0';
	if (!(c = points_alloc__malloc(n + 1)))
		return POINTS_ENOMEM;
	memcpy(c, uri, n + 1);
	*conn = c;
	if (!q)
		return POINTS_OK;
	for (p = q + 1; *p;) {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > 7 && strncmp(p, "schema=", 7) == 0) {
			size_t vl = len - 7, at = (size_t)(p - uri);

			if (vl >= cap)
				return POINTS_EINVAL;
			memcpy(schema, p + 7, vl);
			schema[vl] = '\0';
			/* cut "schema=NAME" and the separator after (or, at
			 * the end, before) it */
			if (end)
				memmove(c + at, c + at + len + 1,
				    n - at - len);
			else
				c[at - 1] = '\0';
			return POINTS_OK;
		}
		p += len + (end != NULL);
	}
	return POINTS_OK;
}

/* The PostgreSQL store, from libpoints_pg.so (the file the environment's
 * POINTS_PG_LIBRARY names, if set). */
static int
pg_open(const char *uri, points_store **out, char *err, size_t errlen)
{
	const char *lib = getenv("POINTS_PG_LIBRARY");
	char schema[64], *conn = NULL;
	points_pg_open_fn *open_fn;
	void *h;
	int rc;

	if (!lib || !*lib)
		lib = POINTS_PG_SONAME;
	if (!(h = dlopen(lib, RTLD_NOW | RTLD_LOCAL))) {
		if (errlen)
			snprintf(err, errlen, "postgresql: cannot load %s "
			    "(install libpoints_pg): %s", lib, dlerror());
		return POINTS_ESTORAGE;
	}
	/* C cannot convert an object pointer to a function pointer; POSIX
	 * guarantees dlsym's result can be: copy the bytes */
	{
		void *sym = dlsym(h, POINTS_PG_OPEN_SYMBOL);

		if (!sym) {
			if (errlen)
				snprintf(err, errlen, "postgresql: %s has no "
				    "%s", lib, POINTS_PG_OPEN_SYMBOL);
			return POINTS_ESTORAGE;
		}
		memcpy(&open_fn, &sym, sizeof(open_fn));
	}
	/* the library stays loaded: its store may outlive this call */
	if ((rc = pg_split(uri, &conn, schema, sizeof(schema)))) {
		points_alloc__free(conn);
		if (errlen && rc == POINTS_EINVAL)
			snprintf(err, errlen, "postgresql: schema name too "
			    "long");
		return rc;
	}
	rc = open_fn(conn, schema[0] ? schema : NULL, out, err, errlen);
	points_alloc__free(conn);
	return rc;
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
	if (strncmp(uri, "postgresql://", 13) == 0 ||
	    strncmp(uri, "postgres://", 11) == 0)
		return pg_open(uri, out, err, errlen);
	if (strncmp(uri, SQLITE_SCHEME, sizeof(SQLITE_SCHEME) - 1) != 0) {
		if (errlen)
			snprintf(err, errlen, "unknown scheme (use memory:, "
			    "sqlite:PATH or postgresql://...)");
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
