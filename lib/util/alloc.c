/* alloc.c - every allocation of the library goes through here, so that
 * tests can fail the Nth one (points_set_allocator), as SQLite's do. */
#include <stdlib.h>
#include <string.h>

#include "points.h"
#include "util/alloc.h"

static points_malloc_fn alloc_malloc = malloc;
static points_realloc_fn alloc_realloc = realloc;
static points_free_fn alloc_free = free;

POINTS_EXTERN int
points_set_allocator(points_malloc_fn m, points_realloc_fn r, points_free_fn f)
{
	if (!m && !r && !f) {
		alloc_malloc = malloc;
		alloc_realloc = realloc;
		alloc_free = free;
		return POINTS_OK;
	}
	if (!m || !r || !f)
		return POINTS_EINVAL;
	alloc_malloc = m;
	alloc_realloc = r;
	alloc_free = f;
	return POINTS_OK;
}

POINTS_EXTERN void
points_free(void *p)
{
	if (p)
		alloc_free(p);
}

void *
points_alloc__malloc(size_t n)
{
	return alloc_malloc(n ? n : 1);
}

void *
points_alloc__calloc(size_t count, size_t size)
{
	void *p;

	if (size && count > (size_t)-1 / size)
		return NULL;
	p = points_alloc__malloc(count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

void *
points_alloc__realloc(void *p, size_t n)
{
	return alloc_realloc(p, n ? n : 1);
}

void
points_alloc__free(void *p)
{
	if (p)
		alloc_free(p);
}

