/* slab.c - bump allocation in big, prefaulted blocks; see slab.h. */
#define _DEFAULT_SOURCE /* madvise */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/slab.h"

static size_t
round8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Fault in the pages of a new slab in one call; where the kernel cannot
 * (before Linux 5.14, or elsewhere) they fault in as they are used. */
static void
prefault(unsigned char *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t hi = ((uintptr_t)p + n) & ~(page - 1);

	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)n;
#endif
}

/* A new current slab, in a free table slot or a new one. */
static int
slab_new(points_slabs *s)
{
	uint32_t i;
	unsigned char *base;

	for (i = 0; i < s->n && s->v[i].base; i++)
		;
	if (i == s->n && s->n == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 16;
		points_slab *v;

		if (cap > UINT32_MAX / 2 ||
		    !(v = points_alloc__realloc(s->v, cap * sizeof(*v))))
			return 0;
		s->v = v;
		s->cap = cap;
	}
	if (!(base = points_alloc__malloc(POINTS_SLAB_SIZE)))
		return 0;
	prefault(base, POINTS_SLAB_SIZE);
	if (i == s->n)
		s->n++;
	s->v[i].base = base;
	s->v[i].top = 0;
	s->v[i].live = 0;
	s->cur = i + 1;
	return 1;
}

void *
points_slab__alloc(points_slabs *s, size_t n, uint32_t *id)
{
	points_slab *sl;
	void *p;

	n = round8(n);
	if (n == 0 || n > POINTS_SLAB_MAX)
		return NULL;
	/* A full slab is freed with its last allocation: the current one
	 * never holds nothing with its top above 0. */
	if ((!s->cur || POINTS_SLAB_SIZE - s->v[s->cur - 1].top < n) &&
	    !slab_new(s))
		return NULL;
	sl = &s->v[s->cur - 1];
	p = sl->base + sl->top;
	sl->top += n;
	sl->live++;
	*id = s->cur;
	return p;
}

void
points_slab__free(points_slabs *s, void *p, size_t n, uint32_t id)
{
	points_slab *sl = &s->v[id - 1];

	n = round8(n);
	if ((unsigned char *)p + n == sl->base + sl->top)
		sl->top -= n;
	if (--sl->live > 0)
		return;
	if (id == s->cur) {
		sl->top = 0; /* keep filling it */
		return;
	}
	points_alloc__free(sl->base);
	sl->base = NULL;
}

void
points_slab__destroy(points_slabs *s)
{
	uint32_t i;

	for (i = 0; i < s->n; i++)
		points_alloc__free(s->v[i].base);
	points_alloc__free(s->v);
	memset(s, 0, sizeof(*s));
}
