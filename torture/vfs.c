/* vfs.c - the failing and power-cutting VFS of the torture programs
 * (vfs.h). */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "vfs.h"

typedef struct pending {
	struct pending *next;
	sqlite3_int64 off;  /* a write at off, or (n < 0) a truncation to off */
	int n;
	unsigned char data[];
} pending;

typedef struct tv_file {
	sqlite3_file base;
	struct tv_file *next_open; /* all open files, for the cut */
	pending *head, *tail;      /* unsynced, in order */
	sqlite3_file real[];       /* the wrapped VFS's file */
} tv_file;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs tv_vfs;
static tv_file *open_files;
static unsigned armed;           /* classes counted and failed */
static int64_t fail_at, ncalls, nfail, nall, cut_at;
static int persist, power, cut_keep;
static uint64_t cut_rng;

static void cut(void);

/* Count a call of class c; nonzero when it must fail. */
static int
fault(unsigned c)
{
	nall++;
	if (cut_at && nall >= cut_at)
		cut();
	if (!(armed & c))
		return 0;
	ncalls++;
	if (ncalls == fail_at || (persist && ncalls > fail_at)) {
		nfail++;
		return 1;
	}
	return 0;
}

/* ---- Unsynced writes ---- */

static int
flush(tv_file *f)
{
	pending *p, *next;
	int rc = SQLITE_OK;

	for (p = f->head; p; p = next) {
		next = p->next;
		if (rc == SQLITE_OK)
			rc = p->n < 0 ? f->real->pMethods->xTruncate(f->real,
			    p->off) : f->real->pMethods->xWrite(f->real,
			    p->data, p->n, p->off);
		free(p);
	}
	f->head = f->tail = NULL;
	return rc;
}

static int
add_pending(tv_file *f, const void *buf, int n, sqlite3_int64 off)
{
	pending *p = malloc(sizeof(*p) + (n > 0 ? (size_t)n : 0));

	if (!p)
		return SQLITE_NOMEM;
	p->next = NULL;
	p->off = off;
	p->n = n;
	if (n > 0)
		memcpy(p->data, buf, (size_t)n);
	if (f->tail)
		f->tail->next = p;
	else
		f->head = p;
	f->tail = p;
	return SQLITE_OK;
}

static uint64_t
rnd(void)
{
	cut_rng ^= cut_rng >> 12;
	cut_rng ^= cut_rng << 25;
	cut_rng ^= cut_rng >> 27;
	return cut_rng * 2685821657736338717ull;
}

/* The power goes: some or none of the unsynced writes reach the disk. */
static void
cut(void)
{
	tv_file *f;

	for (f = open_files; f; f = f->next_open) {
		pending *p;

		for (p = f->head; p; p = p->next)
			if (cut_keep && rnd() % 2) {
				if (p->n < 0)
					f->real->pMethods->xTruncate(f->real,
					    p->off);
				else
					f->real->pMethods->xWrite(f->real,
					    p->data, p->n, p->off);
			}
	}
	raise(SIGKILL);
	_exit(9);
}

/* ---- File methods ---- */

static int
tv_close(sqlite3_file *pf)
{
	tv_file *f = (tv_file *)pf, **pp;
	int rc;

	flush(f);
	for (pp = &open_files; *pp; pp = &(*pp)->next_open)
		if (*pp == f) {
			*pp = f->next_open;
			break;
		}
	rc = f->real->pMethods ? f->real->pMethods->xClose(f->real) :
	    SQLITE_OK;
	return rc;
}

static int
tv_read(sqlite3_file *pf, void *buf, int n, sqlite3_int64 off)
{
	tv_file *f = (tv_file *)pf;
	sqlite3_int64 size;
	pending *p;
	int rc;

	if (fault(TV_READ))
		return SQLITE_IOERR_READ;
	rc = f->real->pMethods->xRead(f->real, buf, n, off);
	if (!f->head || (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ))
		return rc;
	/* the file as the unsynced writes left it */
	if (f->real->pMethods->xFileSize(f->real, &size) != SQLITE_OK)
		return SQLITE_IOERR_READ;
	for (p = f->head; p; p = p->next) {
		if (p->n < 0) {
			if (p->off < off + n) {
				sqlite3_int64 from = p->off > off ? p->off : off;

				memset((char *)buf + (from - off), 0,
				    (size_t)(off + n - from));
			}
			size = p->off;
			continue;
		}
		if (p->off < off + n && p->off + p->n > off) {
			sqlite3_int64 from = p->off > off ? p->off : off;
			sqlite3_int64 to = p->off + p->n < off + n ?
			    p->off + p->n : off + n;

			memcpy((char *)buf + (from - off), p->data +
			    (from - p->off), (size_t)(to - from));
		}
		if (p->off + p->n > size)
			size = p->off + p->n;
	}
	return off + n > size ? SQLITE_IOERR_SHORT_READ : SQLITE_OK;
}

static int
tv_write(sqlite3_file *pf, const void *buf, int n, sqlite3_int64 off)
{
	tv_file *f = (tv_file *)pf;

	if (fault(TV_WRITE))
		return SQLITE_IOERR_WRITE;
	if (power)
		return add_pending(f, buf, n, off);
	return f->real->pMethods->xWrite(f->real, buf, n, off);
}

static int
tv_truncate(sqlite3_file *pf, sqlite3_int64 size)
{
	tv_file *f = (tv_file *)pf;

	if (fault(TV_WRITE))
		return SQLITE_IOERR_TRUNCATE;
	if (power)
		return add_pending(f, NULL, -1, size);
	return f->real->pMethods->xTruncate(f->real, size);
}

static int
tv_sync(sqlite3_file *pf, int flags)
{
	tv_file *f = (tv_file *)pf;
	int rc;

	if (fault(TV_SYNC))
		return SQLITE_IOERR_FSYNC;
	if ((rc = flush(f)) != SQLITE_OK)
		return rc;
	/* The disk of these tests is the file as the OS keeps it: a
	 * process that dies leaves it, a power cut is tv_cut.  A real
	 * fsync would only cost time. */
	(void)flags;
	return SQLITE_OK;
}

static int
tv_file_size(sqlite3_file *pf, sqlite3_int64 *out)
{
	tv_file *f = (tv_file *)pf;
	sqlite3_int64 size;
	pending *p;
	int rc;

	if (fault(TV_READ))
		return SQLITE_IOERR_FSTAT;
	if ((rc = f->real->pMethods->xFileSize(f->real, &size)) != SQLITE_OK)
		return rc;
	for (p = f->head; p; p = p->next)
		if (p->n < 0)
			size = p->off;
		else if (p->off + p->n > size)
			size = p->off + p->n;
	*out = size;
	return SQLITE_OK;
}

static int
tv_lock(sqlite3_file *pf, int lock)
{
	tv_file *f = (tv_file *)pf;

	if (fault(TV_LOCK))
		return SQLITE_IOERR_LOCK;
	return f->real->pMethods->xLock(f->real, lock);
}

static int
tv_unlock(sqlite3_file *pf, int lock)
{
	tv_file *f = (tv_file *)pf;

	if (fault(TV_LOCK))
		return SQLITE_IOERR_UNLOCK;
	return f->real->pMethods->xUnlock(f->real, lock);
}

static int
tv_check_reserved(sqlite3_file *pf, int *out)
{
	tv_file *f = (tv_file *)pf;

	if (fault(TV_LOCK))
		return SQLITE_IOERR_CHECKRESERVEDLOCK;
	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int
tv_file_control(sqlite3_file *pf, int op, void *arg)
{
	tv_file *f = (tv_file *)pf;

	return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int
tv_sector_size(sqlite3_file *pf)
{
	tv_file *f = (tv_file *)pf;

	return f->real->pMethods->xSectorSize(f->real);
}

static int
tv_device(sqlite3_file *pf)
{
	tv_file *f = (tv_file *)pf;

	return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int
tv_shm_map(sqlite3_file *pf, int region, int size, int extend,
    void volatile **out)
{
	tv_file *f = (tv_file *)pf;

	if (fault(TV_OPEN))
		return SQLITE_IOERR_SHMMAP;
	return f->real->pMethods->xShmMap(f->real, region, size, extend, out);
}

static int
tv_shm_lock(sqlite3_file *pf, int ofst, int n, int flags)
{
	tv_file *f = (tv_file *)pf;

	/* (SQLite takes an unlock's failure for granted: only locks fail) */
	if ((flags & SQLITE_SHM_LOCK) && fault(TV_LOCK))
		return SQLITE_IOERR_SHMLOCK;
	return f->real->pMethods->xShmLock(f->real, ofst, n, flags);
}

static void
tv_shm_barrier(sqlite3_file *pf)
{
	tv_file *f = (tv_file *)pf;

	f->real->pMethods->xShmBarrier(f->real);
}

static int
tv_shm_unmap(sqlite3_file *pf, int del)
{
	tv_file *f = (tv_file *)pf;

	return f->real->pMethods->xShmUnmap(f->real, del);
}

/* Version 2: no xFetch, so SQLite never maps the file and every read
 * comes through tv_read. */
static const sqlite3_io_methods tv_io = {
	2, tv_close, tv_read, tv_write, tv_truncate, tv_sync, tv_file_size,
	tv_lock, tv_unlock, tv_check_reserved, tv_file_control,
	tv_sector_size, tv_device, tv_shm_map, tv_shm_lock, tv_shm_barrier,
	tv_shm_unmap, NULL, NULL
};

/* ---- VFS methods: the wrapped VFS's, but opening files through us ---- */

static int
tv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *pf, int flags,
    int *out_flags)
{
	tv_file *f = (tv_file *)pf;
	int rc;

	(void)vfs;
	memset(f, 0, sizeof(*f));
	if (fault(TV_OPEN))
		return SQLITE_CANTOPEN;
	rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		f->base.pMethods = NULL;
		return rc;
	}
	f->base.pMethods = &tv_io;
	f->next_open = open_files;
	open_files = f;
	return SQLITE_OK;
}

static int
tv_delete(sqlite3_vfs *vfs, const char *name, int dirsync)
{
	(void)vfs;
	if (fault(TV_WRITE))
		return SQLITE_IOERR_DELETE;
	return real_vfs->xDelete(real_vfs, name, dirsync);
}

static int
tv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int
tv_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static void *
tv_dlopen(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return real_vfs->xDlOpen(real_vfs, name);
}

static void
tv_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	real_vfs->xDlError(real_vfs, n, out);
}

static void (*tv_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	(void)vfs;
	return real_vfs->xDlSym(real_vfs, h, sym);
}

static void
tv_dlclose(sqlite3_vfs *vfs, void *h)
{
	(void)vfs;
	real_vfs->xDlClose(real_vfs, h);
}

static int
tv_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xRandomness(real_vfs, n, out);
}

static int
tv_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return real_vfs->xSleep(real_vfs, us);
}

static int
tv_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return real_vfs->xCurrentTime(real_vfs, out);
}

static int
tv_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xGetLastError(real_vfs, n, out);
}

static int
tv_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

int
tv_install(void)
{
	if (real_vfs)
		return 0;
	if (sqlite3_initialize() != SQLITE_OK ||
	    !(real_vfs = sqlite3_vfs_find(NULL)))
		return -1;
	tv_vfs.iVersion = 2;
	tv_vfs.szOsFile = (int)sizeof(tv_file) + real_vfs->szOsFile;
	tv_vfs.mxPathname = real_vfs->mxPathname;
	tv_vfs.zName = "torture";
	tv_vfs.xOpen = tv_open;
	tv_vfs.xDelete = tv_delete;
	tv_vfs.xAccess = tv_access;
	tv_vfs.xFullPathname = tv_full_pathname;
	tv_vfs.xDlOpen = tv_dlopen;
	tv_vfs.xDlError = tv_dlerror;
	tv_vfs.xDlSym = tv_dlsym;
	tv_vfs.xDlClose = tv_dlclose;
	tv_vfs.xRandomness = tv_randomness;
	tv_vfs.xSleep = tv_sleep;
	tv_vfs.xCurrentTime = tv_current_time;
	tv_vfs.xGetLastError = tv_last_error;
	tv_vfs.xCurrentTimeInt64 = tv_current_time64;
	return sqlite3_vfs_register(&tv_vfs, 1) == SQLITE_OK ? 0 : -1;
}

void
tv_arm(unsigned classes, int64_t n, int persistent)
{
	armed = classes;
	fail_at = n;
	persist = persistent;
	ncalls = nfail = 0;
}

void
tv_disarm(void)
{
	armed = 0;
}

int64_t
tv_calls(void)
{
	return ncalls;
}

int64_t
tv_failures(void)
{
	return nfail;
}

int64_t
tv_count_all(void)
{
	return nall;
}

void
tv_count_reset(void)
{
	nall = 0;
}

void
tv_power(int on)
{
	power = on;
}

void
tv_cut_at(int64_t n, int keep, uint64_t seed)
{
	cut_at = n;
	cut_keep = keep;
	cut_rng = seed ? seed : 1;
}
