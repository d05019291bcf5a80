/* slab.h - big blocks carved into many small allocations that are seldom
 * freed (the memory backend's appended entries: the log, UUIDv7 ids).
 *
 * Each allocation is a bump of the current slab's top; a slab is given
 * back when the last allocation in it is freed.  A slab's pages are
 * faulted in at once when it is made: touching new pages one by one
 * cost about 14 us a page on the VMs measured, populating a whole slab
 * about 2 us a page.  Allocations are 8-byte aligned.  The slabs come
 * from the library's allocator hook, so out-of-memory tests reach them. */
#ifndef POINTS_UTIL_SLAB_H
#define POINTS_UTIL_SLAB_H

#include <stddef.h>
#include <stdint.h>

/* A build may choose smaller slabs (the fuzz targets, which make a
 * small ledger for each input, do). */
#ifndef POINTS_SLAB_SIZE
#define POINTS_SLAB_SIZE ((size_t)1 << 20)
#endif
/* Larger allocations are left to malloc. */
#define POINTS_SLAB_MAX (POINTS_SLAB_SIZE / 16)

typedef struct points_slab {
	unsigned char *base; /* NULL: a free table slot */
	size_t top;          /* bytes handed out */
	size_t live;         /* allocations not yet freed */
} points_slab;

typedef struct points_slabs {
	points_slab *v;
	uint32_t n, cap; /* table slots used and allocated */
	uint32_t cur;    /* slot + 1 of the slab being filled; 0: none */
} points_slabs;

/* n bytes (0 < n <= POINTS_SLAB_MAX), or NULL when out of memory.  *id
 * names the slab, for points_slab__free; it is never 0. */
void *points_slab__alloc(points_slabs *s, size_t n, uint32_t *id);
/* Give back p (n bytes, from slab id).  Freeing the newest allocations
 * in reverse order (a rollback) lowers the top again. */
void points_slab__free(points_slabs *s, void *p, size_t n, uint32_t id);
/* Free every slab; s is empty afterwards. */
void points_slab__destroy(points_slabs *s);

#endif
