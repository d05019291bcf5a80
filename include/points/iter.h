/*
 * points/iter.h - iterators (accounts, statements, lots).  Included by
 * points.h.
 */
#ifndef POINTS_INCLUDE_ITER_H
#define POINTS_INCLUDE_ITER_H

#include "points/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Iterators ----
 * An iterator borrows its handle: step it only while the handle is open
 * (freeing it later is fine).  Each step reads in its own short
 * transaction, so other calls on the handle may come in between. */
POINTS_EXTERN void points_iter_free(points_iter *it); /* NULL is accepted */

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_ITER_H */
