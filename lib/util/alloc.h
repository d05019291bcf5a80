/* alloc.h - the library's allocator hook (points_set_allocator). */
#ifndef POINTS_UTIL_ALLOC_H
#define POINTS_UTIL_ALLOC_H

#include <stddef.h>

void *points_alloc__malloc(size_t n);
void *points_alloc__calloc(size_t count, size_t size);
void *points_alloc__realloc(void *p, size_t n);
void points_alloc__free(void *p);

#endif
