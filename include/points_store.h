/*
 * points_store.h - compatibility header: what it declared now lives in
 * points.h, points/sys/store.h and points/sys/fault.h.  New code includes
 * those.
 */
#ifndef POINTS_STORE_H
#define POINTS_STORE_H

#include "points.h"
#include "points/sys/store.h"
#include "points/sys/fault.h"

#endif /* POINTS_STORE_H */
