/*
 * points/sys/fault.h - the fault-injecting store of libpoints.
 *
 * A testing aid, not for production use: it wraps any store and fails
 * the calls it is told to, so tests can check that every operation
 * leaves the ledger as it was when the store fails (see
 * points_store_fault_new(3)).
 */
#ifndef POINTS_INCLUDE_SYS_FAULT_H
#define POINTS_INCLUDE_SYS_FAULT_H

#include <stdint.h>

#include "points/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The fault-injecting wrapper: forwards every call to inner, and once
 * armed fails call number n (counting from 1 after arming) with
 * POINTS_ESTORAGE; when persistent != 0, every call from n on fails.
 * n == 0 disarms.  Rollback, cursor_close and close are never failed.
 * inner is borrowed: close the wrapper before inner. */
POINTS_EXTERN int points_store_fault_new(points_store *inner,
    points_store **out);
POINTS_EXTERN int points_store_fault_arm(points_store *fault, int64_t n,
    int persistent);
/* Calls seen since arming (or since creation), and failures injected.
 * get_many counts as one call, however many keys it reads. */
POINTS_EXTERN int64_t points_store_fault_calls(points_store *fault);
POINTS_EXTERN int64_t points_store_fault_failures(points_store *fault);
/* Calls of one method since arming (or since creation), by its name in
 * struct points_store ("begin", "get", "get_many", "put", ...), those
 * never failed (rollback, cursor_close) included; POINTS_EINVAL for
 * another name.  To count a store's round trips. */
POINTS_EXTERN int64_t points_store_fault_method_calls(points_store *fault,
    const char *method);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_SYS_FAULT_H */
