/*
 * points.h - libpoints, an embeddable points ledger.
 *
 * Conventions (see README.md):
 *  - Every fallible function returns int: POINTS_OK (0) or a negative
 *    POINTS_E* code.  POINTS_ITEROVER (positive) ends an iteration.
 *  - The handle comes first, output parameters last; they are written
 *    only on success.
 *  - points_errmsg(db) explains the last error on that handle.
 *  - Amounts are int64_t in the asset's smallest unit; times are int64_t
 *    seconds since 1970-01-01 UTC.
 *  - Records returned in caller structs hold no pointers unless said;
 *    strings the caller must free are freed with points_free().
 *  - A handle is used by one thread at a time; open one per thread.
 *  - Each list has its own iterator type: points_<list>_iterator_new,
 *    points_<list>_next (POINTS_ITEROVER at the end) and
 *    points_<list>_iterator_free.  An iterator outlives neither its
 *    handle (after points_close a step is POINTS_EMISUSE) nor the batch
 *    it was opened in, if that is rolled back (POINTS_ESTATE).
 */
#ifndef POINTS_H
#define POINTS_H

/*
 * The one header applications include.  It declares nothing itself: it
 * gathers the per-module headers, each of which has its own include guard
 * and extern "C" and compiles on its own.  The storage backend interface
 * is separate: points/sys/store.h (the vtable) and points/sys/fault.h (the
 * fault-injecting store, a testing aid).
 */
#include "points/common.h"
#include "points/db.h"
#include "points/asset.h"
#include "points/account.h"
#include "points/balance.h"
#include "points/txn.h"
#include "points/pool.h"
#include "points/statement.h"
#include "points/lot.h"
#include "points/hold.h"
#include "points/verify.h"
#include "points/rules.h"
#include "points/outbox.h"
#include "points/mall.h"
#include "points/export.h"
#include "points/eligible.h"
#include "points/import.h"
#include "points/lottery.h"
#include "points/auction.h"
#include "points/report.h"

#endif /* POINTS_H */
