/* alloc.h - the library's allocator hook (points_set_allocator). */
#ifndef POINTS_UTIL_ALLOC_H
#define POINTS_UTIL_ALLOC_H

#include <stddef.h>

void *points__malloc(size_t n);
void *points__calloc(size_t count, size_t size);
void *points__realloc(void *p, size_t n);
void points__free(void *p);

#endif
