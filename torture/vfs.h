/* vfs.h - an SQLite VFS that fails calls and cuts the power, as SQLite's
 * own tests do (its test_vfs.c and test6.c): it wraps the default VFS and
 * registers itself as the new default (sqlite3_vfs_register), so the
 * library's sqlite3_open_v2(path, ..., NULL) goes through it with no
 * change to the library.
 *
 * Faults: tv_arm(classes, n, persistent) fails the nth call (counted
 * from the arming) among those of the given classes, or every one from
 * the nth on, with the I/O error a failing disk gives (SQLITE_IOERR_READ,
 * _WRITE, _FSYNC, _LOCK, _SHMLOCK, ...).
 *
 * Power: tv_power(1) keeps every write (and truncation) in memory until
 * the file is synced: reads see them, the file does not.  tv_cut_at(n,
 * keep) cuts the power at the nth call of any class: of the writes not
 * yet synced it lets none reach the file (keep 0) or a random half of
 * them, each whole (keep 1: the disk reordered and lost some), then the
 * process dies with SIGKILL.  Closing a file normally hands its writes
 * to the file (the OS would, without a power cut).  The disk is the
 * file as the OS keeps it, so a sync hands the writes to the file and
 * does not call fsync. */
#ifndef POINTS_TORTURE_VFS_H
#define POINTS_TORTURE_VFS_H

#include <stdint.h>

#define TV_READ 0x01u
#define TV_WRITE 0x02u  /* writes and truncations */
#define TV_SYNC 0x04u
#define TV_LOCK 0x08u   /* file locks and the WAL index's locks */
#define TV_OPEN 0x10u   /* opening a file, mapping the WAL index */
#define TV_ALL 0x1fu

/* Register the shim as the default VFS (once). 0 on success. */
int tv_install(void);
void tv_arm(unsigned classes, int64_t n, int persistent);
void tv_disarm(void);
/* Calls of the armed classes since tv_arm; faults injected. */
int64_t tv_calls(void);
int64_t tv_failures(void);
/* Calls of every class since the last tv_count_reset. */
int64_t tv_count_all(void);
void tv_count_reset(void);
void tv_power(int on);
void tv_cut_at(int64_t n, int keep, uint64_t seed);

#endif
