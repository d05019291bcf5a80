/*
 * ledger_bench.c - libpoints against plain SQLite, in one run.
 *
 * Figures (see bench/README.md):
 *  1. floor: per posting one INSERT into an entries table and one UPDATE
 *     of a tiny balances row, prepared statements.
 *  2. hand-rolled: the SQL schema a competent developer would write to
 *     keep the facts libpoints keeps (txid, hash chain, balances, lots).
 *  3. libpoints on SQLite, 4. libpoints on memory: points_earn in batches.
 *  4b. memory floor: the least a hash-chained posting does in memory.
 *  5. random balance lookups, 6. the expiry sweep, 7. single-posting
 *     commits.
 * Every SQLite variant runs WAL with synchronous=NORMAL and batches of
 * --batch postings; all variants post the same amounts to the same random
 * accounts (fixed seed), with times 30 s apart so lots spread over days.
 *
 * Bytes written are counted by a VFS shim registered as the default VFS,
 * so they cover libpoints' own connection too: every byte SQLite hands to
 * write() for the WAL (frames and headers) and for the database file
 * (checkpoint copies), during the timed postings only.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "points.h"

#define T0 INT64_C(1735689600) /* 2025-01-01 00:00:00 UTC */
#define STEP 30                /* seconds between postings */
#define FIRST_USER 4           /* ids as libpoints': 1-3 are system */
#define ISSUER 1
#define EXPIRY 3
#define NVARIANTS 5

/* ---- Options and workload ---- */

static struct {
	long accounts, postings, batch, runs, lookups, single;
	/* raw variants' page cache: by default the 64 MiB libpoints' SQLite
	 * store takes, so that both run on equal terms; 0: SQLite's 2 MB */
	long cache_kb;
	/* raw variants' WAL checkpoint threshold, KiB; 0: SQLite's default
	 * (1,000 pages).  libpoints checkpoints at its own 64 MiB. */
	long wal_kb;
	const char *dir;
	int own_dir;   /* made with mkdtemp: removed at exit */
	int keep;      /* leave the files */
	int no_points; /* baselines only */
	uint64_t seed;
} opt = { 100000, 1000000, 1000, 3, 1000000, 2000, 65536, 0, NULL, 0, 0, 0,
    42 };

static uint32_t *w_acct;  /* posting i goes to user index w_acct[i] */
static int64_t *w_amt;    /* and earns w_amt[i] */
static int64_t *expected; /* per user index: the sum earned */
static int64_t total_points;
static char dirbuf[4096];

static uint64_t
splitmix64(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static double
now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this process: less disturbed than wall time when the
 * machine is shared. */
static double
cpu_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "ledger_bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* libpoints: the call and the handle's message. */
#define PT(db, call) do { \
	int rc_ = (call); \
	if (rc_ != POINTS_OK) \
		fail("%s:%d: %s: %s (%s)", __FILE__, __LINE__, #call, \
		    points_errmsg(db), points_strerror(rc_)); \
} while (0)

/* SQLite: expect a code, else the connection's message. */
#define SQ(s, want, call) do { \
	int rc_ = (call); \
	if (rc_ != (want)) \
		fail("%s:%d: %s: %s (%d)", __FILE__, __LINE__, #call, \
		    sqlite3_errmsg(s), rc_); \
} while (0)

static void
exec(sqlite3 *s, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(s, sql, NULL, NULL, &err) != SQLITE_OK)
		fail("%s: %s", sql, err ? err : sqlite3_errmsg(s));
}

static sqlite3_stmt *
prep(sqlite3 *s, const char *sql)
{
	sqlite3_stmt *st;

	SQ(s, SQLITE_OK, sqlite3_prepare_v3(s, sql, -1,
	    SQLITE_PREPARE_PERSISTENT, &st, NULL));
	return st;
}

static void
step_done(sqlite3 *s, sqlite3_stmt *st)
{
	SQ(s, SQLITE_DONE, sqlite3_step(st));
	SQ(s, SQLITE_OK, sqlite3_reset(st));
}

/* ---- Files ---- */

static void
path_of(char *buf, size_t n, const char *name, int run)
{
	int len = snprintf(buf, n, "%s/lb-%s-%d.db", opt.dir, name, run);

	if (len < 0 || (size_t)len >= n)
		fail("path too long: %s", opt.dir);
}

static void
remove_db(const char *path)
{
	char b[4200];

	unlink(path);
	snprintf(b, sizeof(b), "%s-wal", path);
	unlink(b);
	snprintf(b, sizeof(b), "%s-shm", path);
	unlink(b);
	snprintf(b, sizeof(b), "%s-journal", path);
	unlink(b);
}

static int64_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (int64_t)st.st_size : 0;
}

/* The database and its WAL, as they are now. */
static int64_t
db_files_size(const char *path)
{
	char b[4200];

	snprintf(b, sizeof(b), "%s-wal", path);
	return file_size(path) + file_size(b);
}

/* Only our own files go; the directory too when we made it. */
static void
cleanup(void)
{
	DIR *d;
	struct dirent *e;
	char b[4200];

	if (!opt.dir || opt.keep)
		return;
	d = opendir(opt.dir);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "lb-", 3) != 0)
			continue;
		snprintf(b, sizeof(b), "%s/%s", opt.dir, e->d_name);
		unlink(b);
	}
	closedir(d);
	if (opt.own_dir)
		rmdir(opt.dir);
}

/* ---- A counting VFS: bytes SQLite writes, by file kind ---- */

enum { K_DB, K_WAL, K_OTHER, K_COUNT };
static struct {
	int64_t bytes[K_COUNT];
	int64_t syncs[K_COUNT];
} io;
static sqlite3_vfs *orig_vfs;

typedef struct cnt_file {
	sqlite3_file base;
	sqlite3_file *real; /* the wrapped file, right after this struct */
	int kind;
} cnt_file;

#define REAL(f) (((cnt_file *)(f))->real)

static int
c_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int
c_read(sqlite3_file *f, void *b, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), b, n, off);
}

static int
c_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 off)
{
	io.bytes[((cnt_file *)f)->kind] += n;
	return REAL(f)->pMethods->xWrite(REAL(f), b, n, off);
}

static int
c_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
c_sync(sqlite3_file *f, int flags)
{
	io.syncs[((cnt_file *)f)->kind]++;
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
c_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
c_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int
c_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int
c_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
c_fcntl(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
c_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
c_devchar(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
c_shmmap(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, ext, pp);
}

static int
c_shmlock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void
c_shmbarrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
c_shmunmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int
c_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int
c_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods cnt_io = {
	3, c_close, c_read, c_write, c_truncate, c_sync, c_size, c_lock,
	c_unlock, c_reserved, c_fcntl, c_sector, c_devchar, c_shmmap,
	c_shmlock, c_shmbarrier, c_shmunmap, c_fetch, c_unfetch,
};

static int
v_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags,
    int *outflags)
{
	cnt_file *p = (cnt_file *)f;
	int rc;

	(void)v;
	p->real = (sqlite3_file *)&p[1];
	p->kind = (flags & SQLITE_OPEN_MAIN_DB) ? K_DB :
	    (flags & SQLITE_OPEN_WAL) ? K_WAL : K_OTHER;
	rc = orig_vfs->xOpen(orig_vfs, name, p->real, flags, outflags);
	/* SQLite closes the file only when pMethods is set. */
	p->base.pMethods = p->real->pMethods ? &cnt_io : NULL;
	return rc;
}

static int
v_delete(sqlite3_vfs *v, const char *name, int sync)
{
	(void)v;
	return orig_vfs->xDelete(orig_vfs, name, sync);
}

static int
v_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return orig_vfs->xAccess(orig_vfs, name, flags, out);
}

static int
v_fullpath(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return orig_vfs->xFullPathname(orig_vfs, name, n, out);
}

static void *
v_dlopen(sqlite3_vfs *v, const char *name)
{
	(void)v;
	return orig_vfs->xDlOpen(orig_vfs, name);
}

static void
v_dlerror(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	orig_vfs->xDlError(orig_vfs, n, out);
}

static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
	(void)v;
	return orig_vfs->xDlSym(orig_vfs, h, sym);
}

static void
v_dlclose(sqlite3_vfs *v, void *h)
{
	(void)v;
	orig_vfs->xDlClose(orig_vfs, h);
}

static int
v_random(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return orig_vfs->xRandomness(orig_vfs, n, out);
}

static int
v_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return orig_vfs->xSleep(orig_vfs, us);
}

static int
v_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return orig_vfs->xCurrentTime(orig_vfs, out);
}

static int
v_lasterr(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return orig_vfs->xGetLastError ?
	    orig_vfs->xGetLastError(orig_vfs, n, out) : 0;
}

static int
v_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return orig_vfs->xCurrentTimeInt64(orig_vfs, out);
}

static sqlite3_vfs cnt_vfs;

/* Registered as the default, so libpoints' connections use it too. */
static void
vfs_install(void)
{
	orig_vfs = sqlite3_vfs_find(NULL);
	if (!orig_vfs || orig_vfs->iVersion < 2)
		fail("no usable default SQLite VFS");
	cnt_vfs.iVersion = 2;
	cnt_vfs.szOsFile = (int)sizeof(cnt_file) + orig_vfs->szOsFile;
	cnt_vfs.mxPathname = orig_vfs->mxPathname;
	cnt_vfs.zName = "ledger_bench_count";
	cnt_vfs.xOpen = v_open;
	cnt_vfs.xDelete = v_delete;
	cnt_vfs.xAccess = v_access;
	cnt_vfs.xFullPathname = v_fullpath;
	cnt_vfs.xDlOpen = v_dlopen;
	cnt_vfs.xDlError = v_dlerror;
	cnt_vfs.xDlSym = v_dlsym;
	cnt_vfs.xDlClose = v_dlclose;
	cnt_vfs.xRandomness = v_random;
	cnt_vfs.xSleep = v_sleep;
	cnt_vfs.xCurrentTime = v_time;
	cnt_vfs.xGetLastError = v_lasterr;
	cnt_vfs.xCurrentTimeInt64 = v_time64;
	if (sqlite3_vfs_register(&cnt_vfs, 1) != SQLITE_OK)
		fail("cannot register the counting VFS");
}

static void
io_reset(void)
{
	memset(&io, 0, sizeof(io));
}

/* ---- Results ---- */

typedef struct result {
	double secs;
	double rate;        /* postings/s */
	double cpu;         /* CPU seconds (user + system) */
	double wal_bpp;     /* WAL bytes written per posting */
	double db_bpp;      /* database-file bytes written (checkpoints) */
	double files_bpp;   /* db + wal file size after the run, per posting */
	int sqlite;         /* the byte figures apply */
} result;

static const char *const vname[NVARIANTS] = {
	"floor", "hand-rolled", "points-sqlite", "points-memory",
	"memory-floor",
};

static void
finish(result *r, double t, double cpu, int sqlite, const char *path)
{
	r->secs = t;
	r->cpu = cpu;
	r->rate = (double)opt.postings / t;
	r->sqlite = sqlite;
	if (sqlite) {
		r->wal_bpp = (double)io.bytes[K_WAL] / (double)opt.postings;
		r->db_bpp = (double)io.bytes[K_DB] / (double)opt.postings;
		r->files_bpp = (double)db_files_size(path) /
		    (double)opt.postings;
	}
}

static void
print_result(const char *prefix, int v, const result *r)
{
	printf("%-7s %-14s %8.0f postings/s  %6.2f s (cpu %6.2f s)", prefix,
	    vname[v], r->rate, r->secs, r->cpu);
	if (r->sqlite)
		printf("  written %6.0f B/posting (WAL %.0f + db %.0f)"
		    "  files %.0f B/posting",
		    r->wal_bpp + r->db_bpp, r->wal_bpp, r->db_bpp,
		    r->files_bpp);
	putchar('\n');
	fflush(stdout);
}

/* ---- Raw SQLite ---- */

static sqlite3 *
raw_open(const char *path)
{
	sqlite3 *s = NULL;
	int rc = sqlite3_open_v2(path, &s,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);

	if (rc != SQLITE_OK)
		fail("open %s: %s", path, s ? sqlite3_errmsg(s) :
		    sqlite3_errstr(rc));
	exec(s, "PRAGMA journal_mode=WAL");
	exec(s, "PRAGMA synchronous=NORMAL");
	if (opt.cache_kb) {
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA cache_size=-%ld",
		    opt.cache_kb);
		exec(s, sql);
	}
	if (opt.wal_kb) {
		char sql[64];

		/* pages of SQLite's default 4 KiB size */
		snprintf(sql, sizeof(sql), "PRAGMA wal_autocheckpoint=%ld",
		    opt.wal_kb / 4);
		exec(s, sql);
	}
	sqlite3_busy_timeout(s, 5000);
	return s;
}

/* 1: append an entry, bump one tiny balance row. */
static sqlite3 *
run_floor(int run, result *r, int keep)
{
	char path[4200];
	sqlite3 *s;
	sqlite3_stmt *ins, *upd;
	long i;
	double t, c;

	path_of(path, sizeof(path), "floor", run);
	remove_db(path);
	s = raw_open(path);
	exec(s, "CREATE TABLE entries(id INTEGER PRIMARY KEY, "
	    "account INTEGER NOT NULL, amount INTEGER NOT NULL, "
	    "time INTEGER NOT NULL);"
	    "CREATE TABLE balances(account INTEGER PRIMARY KEY, "
	    "b INTEGER NOT NULL);");
	exec(s, "BEGIN");
	upd = prep(s, "INSERT INTO balances(account, b) VALUES (?, 0)");
	for (i = 1; i < FIRST_USER + opt.accounts; i++) {
		SQ(s, SQLITE_OK, sqlite3_bind_int64(upd, 1, i));
		step_done(s, upd);
	}
	sqlite3_finalize(upd);
	exec(s, "COMMIT");
	exec(s, "PRAGMA wal_checkpoint(TRUNCATE)");

	ins = prep(s, "INSERT INTO entries(account, amount, time) "
	    "VALUES (?, ?, ?)");
	upd = prep(s, "UPDATE balances SET b = b + ? WHERE account = ?");
	io_reset();
	c = cpu_sec();
	t = now_sec();
	for (i = 0; i < opt.postings; i++) {
		int64_t acct = FIRST_USER + (int64_t)w_acct[i];

		if (i % opt.batch == 0)
			exec(s, "BEGIN");
		SQ(s, SQLITE_OK, sqlite3_bind_int64(ins, 1, acct));
		SQ(s, SQLITE_OK, sqlite3_bind_int64(ins, 2, w_amt[i]));
		SQ(s, SQLITE_OK, sqlite3_bind_int64(ins, 3, T0 + i * STEP));
		step_done(s, ins);
		SQ(s, SQLITE_OK, sqlite3_bind_int64(upd, 1, w_amt[i]));
		SQ(s, SQLITE_OK, sqlite3_bind_int64(upd, 2, acct));
		step_done(s, upd);
		if (i % opt.batch == opt.batch - 1 || i == opt.postings - 1)
			exec(s, "COMMIT");
	}
	t = now_sec() - t;
	finish(r, t, cpu_sec() - c, 1, path);
	sqlite3_finalize(ins);
	sqlite3_finalize(upd);
	if (keep)
		return s;
	SQ(s, SQLITE_OK, sqlite3_close(s));
	remove_db(path);
	return NULL;
}

/* 2: what a developer would write to keep libpoints' facts in SQL. */
typedef struct hand {
	sqlite3 *s;
	sqlite3_stmt *ins, *credit, *debit, *lot;
	unsigned char hash[32]; /* the chain's last hash */
	uint64_t rng;
} hand;

static void
put_le64(unsigned char *p, int64_t v)
{
	uint64_t u = (uint64_t)v;
	int k;

	for (k = 0; k < 8; k++)
		p[k] = (unsigned char)(u >> (8 * k));
}

static void
hand_prepare(hand *h)
{
	h->ins = prep(h->s, "INSERT INTO entries(txid, account, counter, "
	    "asset, amount, time, memo, hash) "
	    "VALUES (?, ?, ?, 'PTS', ?, ?, NULL, ?)");
	h->credit = prep(h->s, "UPDATE balances SET available = available "
	    "+ ?1, earned = earned + ?1 WHERE account = ?2 AND asset = 'PTS'");
	h->debit = prep(h->s, "UPDATE balances SET available = available "
	    "- ?1, spent = spent + ?1 WHERE account = ?2 AND asset = 'PTS'");
	h->lot = prep(h->s, "INSERT INTO lots(account, asset, expires_day, "
	    "amount) VALUES (?, 'PTS', ?, ?) "
	    "ON CONFLICT(account, asset, expires_day) "
	    "DO UPDATE SET amount = amount + excluded.amount");
}

static void
hand_finalize(hand *h)
{
	sqlite3_finalize(h->ins);
	sqlite3_finalize(h->credit);
	sqlite3_finalize(h->debit);
	sqlite3_finalize(h->lot);
}

/* One earn: entry (UUIDv7-like id, hash chained), both balances, the
 * user's lot for its expiry day. */
static void
hand_earn(hand *h, int64_t acct, int64_t amount, int64_t time)
{
	sqlite3 *s = h->s;
	unsigned char txid[16], buf[32 + 16 + 32];
	uint64_t ms = (uint64_t)time * 1000, r1, r2;
	int k;

	/* UUIDv7: 48-bit ms timestamp, version 7, variant 10, random. */
	r1 = splitmix64(&h->rng);
	r2 = splitmix64(&h->rng);
	for (k = 0; k < 6; k++)
		txid[k] = (unsigned char)(ms >> (40 - 8 * k));
	for (k = 6; k < 16; k++)
		txid[k] = (unsigned char)((k < 11 ? r1 : r2) >> (8 * (k % 5)));
	txid[6] = (unsigned char)(0x70 | (txid[6] & 0x0f));
	txid[8] = (unsigned char)(0x80 | (txid[8] & 0x3f));

	memcpy(buf, h->hash, 32);
	memcpy(buf + 32, txid, 16);
	put_le64(buf + 48, acct);
	put_le64(buf + 56, ISSUER);
	put_le64(buf + 64, amount);
	put_le64(buf + 72, time);
	crypto_generichash(h->hash, 32, buf, sizeof(buf), NULL, 0);

	SQ(s, SQLITE_OK, sqlite3_bind_blob(h->ins, 1, txid, 16,
	    SQLITE_TRANSIENT));
	SQ(s, SQLITE_OK, sqlite3_bind_int64(h->ins, 2, acct));
	SQ(s, SQLITE_OK, sqlite3_bind_int64(h->ins, 3, ISSUER));
	SQ(s, SQLITE_OK, sqlite3_bind_int64(h->ins, 4, amount));
	SQ(s, SQLITE_OK, sqlite3_bind_int64(h->ins, 5, time));
	SQ(s, SQLITE_OK, sqlite3_bind_blob(h->ins, 6, h->hash, 32,
	    SQLITE_TRANSIENT));
	step_done(s, h->ins);
	SQ(s, SQLITE_OK, sqlite3_bind_int64(h->credit, 1, amount));
	SQ(s, SQLITE_OK, sqlite3_bind_int64(h->credit, 2, acct));
	step_done(s, h->credit);
	SQ(s, SQLITE_OK, sqlite3_bind_int64(h->debit, 1, amount));
	SQ(s, SQLITE_OK, sqlite3_bind_int64(h->debit, 2, ISSUER));
	step_done(s, h->debit);
	SQ(s, SQLITE_OK, sqlite3_bind_int64(h->lot, 1, acct));
	SQ(s, SQLITE_OK, sqlite3_bind_int64(h->lot, 2, time / 86400 + 365));
	SQ(s, SQLITE_OK, sqlite3_bind_int64(h->lot, 3, amount));
	step_done(s, h->lot);
}

static int
run_hand(int run, result *r, hand *keep)
{
	char path[4200];
	hand h;
	sqlite3_stmt *st;
	long i;
	double t, c;

	memset(&h, 0, sizeof(h));
	h.rng = opt.seed ^ UINT64_C(0x5555);
	path_of(path, sizeof(path), "hand", run);
	remove_db(path);
	h.s = raw_open(path);
	/* The same facts libpoints keeps, in several assets: balances and
	 * lots per (account, asset), as a developer would declare them. */
	exec(h.s, "CREATE TABLE entries(id INTEGER PRIMARY KEY, "
	    "txid BLOB NOT NULL UNIQUE, account INTEGER NOT NULL, "
	    "counter INTEGER NOT NULL, asset TEXT NOT NULL, "
	    "amount INTEGER NOT NULL, "
	    "time INTEGER NOT NULL, memo TEXT, hash BLOB NOT NULL);"
	    "CREATE INDEX entries_account_time ON entries(account, time);"
	    "CREATE TABLE balances(account INTEGER NOT NULL, "
	    "asset TEXT NOT NULL, "
	    "available INTEGER NOT NULL DEFAULT 0, "
	    "held INTEGER NOT NULL DEFAULT 0, "
	    "earned INTEGER NOT NULL DEFAULT 0, "
	    "spent INTEGER NOT NULL DEFAULT 0, "
	    "expired INTEGER NOT NULL DEFAULT 0, "
	    "PRIMARY KEY(account, asset));"
	    "CREATE TABLE lots(id INTEGER PRIMARY KEY, "
	    "account INTEGER NOT NULL, asset TEXT NOT NULL, "
	    "expires_day INTEGER NOT NULL, amount INTEGER NOT NULL);"
	    "CREATE UNIQUE INDEX lots_account_day ON lots(account, asset, "
	    "expires_day);"
	    "CREATE INDEX lots_day ON lots(expires_day);");
	exec(h.s, "BEGIN");
	st = prep(h.s, "INSERT INTO balances(account, asset) VALUES (?, 'PTS')");
	for (i = 1; i < FIRST_USER + opt.accounts; i++) {
		SQ(h.s, SQLITE_OK, sqlite3_bind_int64(st, 1, i));
		step_done(h.s, st);
	}
	sqlite3_finalize(st);
	exec(h.s, "COMMIT");
	exec(h.s, "PRAGMA wal_checkpoint(TRUNCATE)");
	hand_prepare(&h);

	io_reset();
	c = cpu_sec();
	t = now_sec();
	for (i = 0; i < opt.postings; i++) {
		if (i % opt.batch == 0)
			exec(h.s, "BEGIN");
		hand_earn(&h, FIRST_USER + (int64_t)w_acct[i], w_amt[i],
		    T0 + i * STEP);
		if (i % opt.batch == opt.batch - 1 || i == opt.postings - 1)
			exec(h.s, "COMMIT");
	}
	t = now_sec() - t;
	finish(r, t, cpu_sec() - c, 1, path);
	if (keep) {
		*keep = h;
		return 1;
	}
	hand_finalize(&h);
	SQ(h.s, SQLITE_OK, sqlite3_close(h.s));
	remove_db(path);
	return 0;
}

/* ---- libpoints ---- */

typedef struct bclock {
	int64_t now;
} bclock;

static int64_t
bench_clock(void *ctx)
{
	return ((bclock *)ctx)->now;
}

static bclock clk;
static int64_t *ids; /* libpoints account id of each user index */

static points_db *
pt_open(const char *uri)
{
	points_open_options o;
	points_db *db = NULL;
	int rc;

	if (points_open_options_init(&o, POINTS_OPEN_OPTIONS_VERSION) != POINTS_OK)
		fail("points_open_options_init failed");
	o.clock = bench_clock;
	o.clock_ctx = &clk;
	rc = points_open(uri, &o, &db);
	if (rc != POINTS_OK)
		fail("points_open(%s): %s (%s)", uri, points_errmsg(db),
		    points_strerror(rc));
	return db;
}

/* Every balance must be what was posted: a fast ledger that loses
 * points is no result. */
static void
pt_verify(points_db *db, const char *what)
{
	points_balance b;
	long i;

	for (i = 0; i < opt.accounts; i++) {
		PT(db, points_balance_get(db, ids[i], "PTS", &b));
		if (b.available != expected[i] || b.earned != expected[i])
			fail("%s: account %lld: available %lld earned %lld, "
			    "posted %lld", what, (long long)ids[i],
			    (long long)b.available, (long long)b.earned,
			    (long long)expected[i]);
	}
	PT(db, points_balance_get(db, POINTS_ACCOUNT_ISSUER, "PTS", &b));
	if (b.available != -total_points)
		fail("%s: issuer available %lld, expected %lld", what,
		    (long long)b.available, (long long)-total_points);
}

/* 3 and 4: accounts (untimed), then the timed earn postings. */
static points_db *
run_points(int run, int memory, result *r, int keep, double *setup)
{
	char path[4200], uri[4300];
	points_db *db;
	points_posting p;
	points_txn txn;
	long i;
	double t, c;

	path_of(path, sizeof(path), "points", run);
	if (memory) {
		snprintf(uri, sizeof(uri), "memory:");
	} else {
		remove_db(path);
		snprintf(uri, sizeof(uri), "sqlite:%s", path);
	}
	clk.now = T0 - 86400;
	t = now_sec();
	db = pt_open(uri);
	PT(db, points_asset_create(db, "PTS", 0, POINTS_EXPIRE_DAYS, 365));
	for (i = 0; i < opt.accounts; i++) {
		char ext[32];

		if (i % opt.batch == 0)
			PT(db, points_batch_begin(db));
		snprintf(ext, sizeof(ext), "u%ld", i);
		PT(db, points_account_create(db, ext, NULL, 0, &ids[i]));
		if (i % opt.batch == opt.batch - 1 || i == opt.accounts - 1)
			PT(db, points_batch_commit(db));
	}
	*setup = now_sec() - t;

	PT(db, points_posting_init(&p, POINTS_POSTING_VERSION));
	p.asset = "PTS";
	io_reset();
	c = cpu_sec();
	t = now_sec();
	for (i = 0; i < opt.postings; i++) {
		if (i % opt.batch == 0)
			PT(db, points_batch_begin(db));
		clk.now = T0 + i * STEP;
		p.account = ids[w_acct[i]];
		p.amount = w_amt[i];
		PT(db, points_earn(db, &p, &txn));
		if (i % opt.batch == opt.batch - 1 || i == opt.postings - 1)
			PT(db, points_batch_commit(db));
	}
	t = now_sec() - t;
	finish(r, t, cpu_sec() - c, !memory, path);
	pt_verify(db, memory ? "points-memory" : "points-sqlite");
	if (keep)
		return db;
	points_close(db);
	if (!memory)
		remove_db(path);
	return NULL;
}

/* ---- Memory floor ---- */

/* The least a tamper-evident posting can do in memory, and nothing a
 * ledger needs besides: find the user's balance (an open-addressing table
 * of pointers to records: the slot, then the record), add the amount, and
 * append the entry to a log whose pages were faulted in beforehand, with
 * its BLAKE2b hash chained to the previous entry's.  No transactions,
 * undo, lots, ids, encoding or second index: the bound the memory backend
 * is measured against, as the SQLite variants are against theirs. */
typedef struct fbal {
	int64_t account, available, earned;
} fbal;

typedef struct fslot {
	uint64_t h;
	fbal *b;
} fslot;

static uint64_t
fhash(int64_t account)
{
	uint64_t h = (uint64_t)account * 0x9e3779b97f4a7c15u;

	return h ^ h >> 29;
}

static void
run_memfloor(result *r)
{
	enum { ENTRY = 64 + crypto_generichash_BYTES };
	size_t cap = 16, i, off = 0;
	fslot *tab;
	unsigned char *log, prev[crypto_generichash_BYTES] = { 0 };
	long n;
	double t, c;

	while (cap < (size_t)opt.accounts * 2)
		cap *= 2;
	tab = calloc(cap, sizeof(*tab));
	log = malloc((size_t)opt.postings * ENTRY);
	if (!tab || !log)
		fail("out of memory");
	for (n = 0; n < opt.accounts; n++) {
		fbal *b = calloc(1, sizeof(*b));
		uint64_t h = fhash(FIRST_USER + n);

		if (!b)
			fail("out of memory");
		b->account = FIRST_USER + n;
		for (i = h & (cap - 1); tab[i].b; i = (i + 1) & (cap - 1))
			;
		tab[i].h = h;
		tab[i].b = b;
	}
	memset(log, 0, (size_t)opt.postings * ENTRY); /* fault in, untimed */

	c = cpu_sec();
	t = now_sec();
	for (n = 0; n < opt.postings; n++) {
		int64_t account = FIRST_USER + (int64_t)w_acct[n];
		int64_t v[4];
		uint64_t h = fhash(account);
		unsigned char *e = log + off;
		fbal *b;

		for (i = h & (cap - 1); tab[i].h != h ||
		    tab[i].b->account != account; i = (i + 1) & (cap - 1))
			;
		b = tab[i].b;
		b->available += w_amt[n];
		b->earned += w_amt[n];
		v[0] = n + 1;
		v[1] = account;
		v[2] = w_amt[n];
		v[3] = T0 + n * STEP;
		memcpy(e, prev, sizeof(prev));
		memcpy(e + sizeof(prev), v, sizeof(v));
		crypto_generichash(prev, sizeof(prev), e, 64, NULL, 0);
		memcpy(e + 64, prev, sizeof(prev));
		off += ENTRY;
	}
	t = now_sec() - t;
	finish(r, t, cpu_sec() - c, 0, NULL);

	for (i = 0; i < cap; i++) {
		if (!tab[i].b)
			continue;
		if (tab[i].b->available !=
		    expected[tab[i].b->account - FIRST_USER])
			fail("memory-floor: account %lld holds %lld, posted "
			    "%lld", (long long)tab[i].b->account,
			    (long long)tab[i].b->available,
			    (long long)expected[tab[i].b->account - FIRST_USER]);
		free(tab[i].b);
	}
	free(tab);
	free(log);
}

/* ---- Statistics ---- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(const double *v, long n)
{
	double *c = malloc((size_t)n * sizeof(*c));
	double m;

	if (!c)
		fail("out of memory");
	memcpy(c, v, (size_t)n * sizeof(*c));
	qsort(c, (size_t)n, sizeof(*c), cmp_double);
	m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return m;
}

static void
ratio(const char *what, double x, double y, double target)
{
	double r = y > 0 ? x / y : 0;

	if (target <= 0) {
		printf("ratio   %-36s %6.2f\n", what, r);
		return;
	}
	printf("ratio   %-36s %6.2f  (target >= %.2f: %s)\n", what, r, target,
	    r >= target ? "met" : "MISSED");
}

/* ---- Lookups, sweep, single commits ---- */

static uint64_t lookup_seed(void) { return opt.seed ^ UINT64_C(0xB00C); }

/* by_asset: the balances keyed by (account, asset) as a multi-asset
 * ledger must key them, WITHOUT ROWID; else the INTEGER PRIMARY KEY
 * table the postings wrote. */
static double
lookups_hand(hand *h, int by_asset)
{
	sqlite3_stmt *st = prep(h->s, by_asset ?
	    "SELECT available, held, earned, spent, expired FROM balances_aa "
	    "WHERE account = ? AND asset = 'PTS'" :
	    "SELECT available, held, earned, spent, expired FROM balances "
	    "WHERE account = ? AND asset = 'PTS'");
	uint64_t rng = lookup_seed();
	int64_t sum = 0;
	long i;
	double t = now_sec();

	exec(h->s, "BEGIN");
	for (i = 0; i < opt.lookups; i++) {
		int64_t a = FIRST_USER +
		    (int64_t)(splitmix64(&rng) % (uint64_t)opt.accounts);

		SQ(h->s, SQLITE_OK, sqlite3_bind_int64(st, 1, a));
		SQ(h->s, SQLITE_ROW, sqlite3_step(st));
		sum += sqlite3_column_int64(st, 0) +
		    sqlite3_column_int64(st, 1) +
		    sqlite3_column_int64(st, 2) +
		    sqlite3_column_int64(st, 3) +
		    sqlite3_column_int64(st, 4);
		SQ(h->s, SQLITE_OK, sqlite3_reset(st));
	}
	exec(h->s, "COMMIT");
	t = now_sec() - t;
	sqlite3_finalize(st);
	if (sum <= 0)
		fail("hand-rolled lookups read nothing");
	return (double)opt.lookups / t;
}

/* in_batch: all lookups in one store transaction (a batch); else each
 * points_balance_get opens and ends its own read transaction. */
static double
lookups_points(points_db *db, int in_batch)
{
	uint64_t rng = lookup_seed();
	points_balance b;
	int64_t sum = 0;
	long i;
	double t = now_sec();

	if (in_batch)
		PT(db, points_batch_begin(db));
	for (i = 0; i < opt.lookups; i++) {
		long u = (long)(splitmix64(&rng) % (uint64_t)opt.accounts);

		PT(db, points_balance_get(db, ids[u], "PTS", &b));
		sum += b.available + b.held + b.earned + b.spent + b.expired;
	}
	if (in_batch)
		PT(db, points_batch_commit(db));
	t = now_sec() - t;
	if (sum <= 0)
		fail("libpoints lookups read nothing");
	return (double)opt.lookups / t;
}

/* The hand-rolled sweep, for comparison: one expire entry per account
 * with expired lots, its balance and the expiry account's, then the lots
 * go.  One transaction, like points_expire_sweep. */
static double
sweep_hand(hand *h, int64_t as_of, int64_t *accounts, int64_t *lots,
    int64_t *points)
{
	sqlite3 *s = h->s;
	sqlite3_stmt *sel, *upd_user, *upd_exp, *del;
	int64_t day = as_of / 86400;
	int rc;
	double t = now_sec();

	*accounts = *lots = *points = 0;
	sel = prep(s, "SELECT account, sum(amount), count(*) FROM lots "
	    "WHERE expires_day < ? GROUP BY account");
	upd_user = prep(s, "UPDATE balances SET available = available - ?1, "
	    "expired = expired + ?1 WHERE account = ?2 AND asset = 'PTS'");
	upd_exp = prep(s, "UPDATE balances SET available = available + ?1, "
	    "earned = earned + ?1 WHERE account = ?2 AND asset = 'PTS'");
	del = prep(s, "DELETE FROM lots WHERE expires_day < ?");
	exec(s, "BEGIN");
	SQ(s, SQLITE_OK, sqlite3_bind_int64(sel, 1, day));
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		int64_t a = sqlite3_column_int64(sel, 0);
		int64_t amt = sqlite3_column_int64(sel, 1);

		*lots += sqlite3_column_int64(sel, 2);
		*points += amt;
		(*accounts)++;
		{
			/* An entry user -> expiry account, chained like any. */
			unsigned char buf[32 + 24];

			memcpy(buf, h->hash, 32);
			put_le64(buf + 32, a);
			put_le64(buf + 40, amt);
			put_le64(buf + 48, as_of);
			crypto_generichash(h->hash, 32, buf, sizeof(buf),
			    NULL, 0);
		}
		{
			unsigned char txid[16];
			uint64_t r1 = splitmix64(&h->rng);
			uint64_t r2 = splitmix64(&h->rng);

			memcpy(txid, &r1, 8);
			memcpy(txid + 8, &r2, 8);
			txid[0] = 0xff; /* after every earn id */
			SQ(s, SQLITE_OK, sqlite3_bind_blob(h->ins, 1, txid,
			    16, SQLITE_TRANSIENT));
		}
		SQ(s, SQLITE_OK, sqlite3_bind_int64(h->ins, 2, a));
		SQ(s, SQLITE_OK, sqlite3_bind_int64(h->ins, 3, EXPIRY));
		SQ(s, SQLITE_OK, sqlite3_bind_int64(h->ins, 4, -amt));
		SQ(s, SQLITE_OK, sqlite3_bind_int64(h->ins, 5, as_of));
		SQ(s, SQLITE_OK, sqlite3_bind_blob(h->ins, 6, h->hash, 32,
		    SQLITE_TRANSIENT));
		step_done(s, h->ins);
		SQ(s, SQLITE_OK, sqlite3_bind_int64(upd_user, 1, amt));
		SQ(s, SQLITE_OK, sqlite3_bind_int64(upd_user, 2, a));
		step_done(s, upd_user);
		SQ(s, SQLITE_OK, sqlite3_bind_int64(upd_exp, 1, amt));
		SQ(s, SQLITE_OK, sqlite3_bind_int64(upd_exp, 2, EXPIRY));
		step_done(s, upd_exp);
	}
	if (rc != SQLITE_DONE)
		fail("sweep select: %s", sqlite3_errmsg(s));
	SQ(s, SQLITE_OK, sqlite3_reset(sel));
	SQ(s, SQLITE_OK, sqlite3_bind_int64(del, 1, day));
	step_done(s, del);
	exec(s, "COMMIT");
	t = now_sec() - t;
	sqlite3_finalize(sel);
	sqlite3_finalize(upd_user);
	sqlite3_finalize(upd_exp);
	sqlite3_finalize(del);
	return t;
}

static double
sweep_points(points_db *db, int64_t as_of, points_sweep_report *rep)
{
	double t;

	clk.now = as_of;
	t = now_sec();
	PT(db, points_expire_sweep(db, as_of, rep));
	return now_sec() - t;
}

/* 7: n postings, each its own transaction (BEGIN IMMEDIATE, like the
 * libpoints store), on the floor schema.  syncs[0]: fsyncs, syncs[1]:
 * WAL bytes written. */
static double
single_raw(sqlite3 *s, long n, int64_t syncs[2])
{
	sqlite3_stmt *ins = prep(s, "INSERT INTO entries(account, amount, "
	    "time) VALUES (?, ?, ?)");
	sqlite3_stmt *upd = prep(s, "UPDATE balances SET b = b + ? "
	    "WHERE account = ?");
	sqlite3_stmt *begin = prep(s, "BEGIN IMMEDIATE");
	sqlite3_stmt *commit = prep(s, "COMMIT");
	long i;
	double t;

	io_reset();
	t = now_sec();
	for (i = 0; i < n; i++) {
		long k = i % opt.postings;
		int64_t acct = FIRST_USER + (int64_t)w_acct[k];

		step_done(s, begin);
		SQ(s, SQLITE_OK, sqlite3_bind_int64(ins, 1, acct));
		SQ(s, SQLITE_OK, sqlite3_bind_int64(ins, 2, w_amt[k]));
		SQ(s, SQLITE_OK, sqlite3_bind_int64(ins, 3, T0 + k * STEP));
		step_done(s, ins);
		SQ(s, SQLITE_OK, sqlite3_bind_int64(upd, 1, w_amt[k]));
		SQ(s, SQLITE_OK, sqlite3_bind_int64(upd, 2, acct));
		step_done(s, upd);
		step_done(s, commit);
	}
	t = now_sec() - t;
	syncs[0] = io.syncs[K_DB] + io.syncs[K_WAL];
	syncs[1] = io.bytes[K_WAL];
	sqlite3_finalize(ins);
	sqlite3_finalize(upd);
	sqlite3_finalize(begin);
	sqlite3_finalize(commit);
	return (double)n / t;
}

static double
single_hand(hand *h, long n, int64_t *syncs)
{
	long i;
	double t;

	io_reset();
	t = now_sec();

	for (i = 0; i < n; i++) {
		long k = i % opt.postings;

		exec(h->s, "BEGIN IMMEDIATE");
		hand_earn(h, FIRST_USER + (int64_t)w_acct[k], w_amt[k],
		    T0 + (opt.postings + k) * STEP);
		exec(h->s, "COMMIT");
	}
	t = now_sec() - t;
	syncs[0] = io.syncs[K_DB] + io.syncs[K_WAL];
	syncs[1] = io.bytes[K_WAL];
	return (double)n / t;
}

static double
single_points(const char *uri, long n, int64_t syncs[2])
{
	points_db *db = pt_open(uri);
	points_posting p;
	points_txn txn;
	long i;
	double t;

	PT(db, points_posting_init(&p, POINTS_POSTING_VERSION));
	p.asset = "PTS";
	io_reset();
	t = now_sec();
	for (i = 0; i < n; i++) {
		long k = i % opt.postings;

		clk.now += STEP;
		p.account = ids[w_acct[k]];
		p.amount = w_amt[k];
		PT(db, points_earn(db, &p, &txn));
	}
	t = now_sec() - t;
	syncs[0] = io.syncs[K_DB] + io.syncs[K_WAL];
	syncs[1] = io.bytes[K_WAL];
	points_close(db);
	return (double)n / t;
}

/* ---- Main ---- */

static void
usage(int code)
{
	fprintf(code ? stderr : stdout,
	    "usage: ledger_bench [--accounts N] [--postings N] [--batch N]\n"
	    "                    [--runs N] [--lookups N] [--single N]\n"
	    "                    [--dir DIR] [--seed N] [--cache-kb N] [--wal-kb N] "
	    "[--keep] [--no-points]\n");
	exit(code);
}

static long
num_arg(int argc, char **argv, int *i, long min)
{
	char *end;
	long v;

	if (*i + 1 >= argc)
		usage(2);
	errno = 0;
	v = strtol(argv[++*i], &end, 10);
	if (errno || *end || end == argv[*i] || v < min)
		fail("%s: expected an integer >= %ld, got '%s'", argv[*i - 1],
		    min, argv[*i]);
	return v;
}

static void
parse(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--accounts"))
			opt.accounts = num_arg(argc, argv, &i, 1);
		else if (!strcmp(a, "--postings"))
			opt.postings = num_arg(argc, argv, &i, 1);
		else if (!strcmp(a, "--batch"))
			opt.batch = num_arg(argc, argv, &i, 1);
		else if (!strcmp(a, "--runs"))
			opt.runs = num_arg(argc, argv, &i, 1);
		else if (!strcmp(a, "--lookups"))
			opt.lookups = num_arg(argc, argv, &i, 1);
		else if (!strcmp(a, "--single"))
			opt.single = num_arg(argc, argv, &i, 1);
		else if (!strcmp(a, "--cache-kb"))
			opt.cache_kb = num_arg(argc, argv, &i, 0);
		else if (!strcmp(a, "--wal-kb"))
			opt.wal_kb = num_arg(argc, argv, &i, 0);
		else if (!strcmp(a, "--seed"))
			opt.seed = (uint64_t)num_arg(argc, argv, &i, 0);
		else if (!strcmp(a, "--dir")) {
			if (i + 1 >= argc)
				usage(2);
			opt.dir = argv[++i];
		} else if (!strcmp(a, "--keep"))
			opt.keep = 1;
		else if (!strcmp(a, "--no-points"))
			opt.no_points = 1;
		else if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			usage(0);
		else
			usage(2);
	}
}

static void
make_workload(void)
{
	uint64_t rng = opt.seed;
	long i;

	w_acct = malloc((size_t)opt.postings * sizeof(*w_acct));
	w_amt = malloc((size_t)opt.postings * sizeof(*w_amt));
	expected = calloc((size_t)opt.accounts, sizeof(*expected));
	ids = calloc((size_t)opt.accounts, sizeof(*ids));
	if (!w_acct || !w_amt || !expected || !ids)
		fail("out of memory");
	for (i = 0; i < opt.postings; i++) {
		w_acct[i] = (uint32_t)(splitmix64(&rng) %
		    (uint64_t)opt.accounts);
		w_amt[i] = 1 + (int64_t)(splitmix64(&rng) % 100);
		expected[w_acct[i]] += w_amt[i];
		total_points += w_amt[i];
	}
}

int
main(int argc, char **argv)
{
	result res[NVARIANTS][64];
	double rates[64], setup, t;
	sqlite3 *floor_db = NULL;
	hand hk;
	int have_hand = 0;
	points_db *psql = NULL, *pmem = NULL;
	int nvar, run, k;
	char path[4200], uri[4300];
	int64_t as_of, hand_lots = 0;

	parse(argc, argv);
	if (opt.runs > 64)
		fail("--runs: at most 64");
	if (!opt.dir) {
		const char *tmp = getenv("TMPDIR");

		snprintf(dirbuf, sizeof(dirbuf), "%s/ledger_bench.XXXXXX",
		    tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dirbuf))
			fail("mkdtemp %s: %s", dirbuf, strerror(errno));
		opt.dir = dirbuf;
		opt.own_dir = 1;
	}
	atexit(cleanup);
	if (sodium_init() < 0)
		fail("sodium_init failed");
	vfs_install();
	make_workload();
	nvar = opt.no_points ? 2 : NVARIANTS;

	printf("ledger_bench: libpoints %s, SQLite %s; accounts %ld, "
	    "postings %ld, batch %ld, runs %ld, dir %s\n",
	    points_version(), sqlite3_libversion(), opt.accounts,
	    opt.postings, opt.batch, opt.runs, opt.dir);
	if (opt.cache_kb)
		printf("raw SQLite variants: PRAGMA cache_size=-%ld\n",
		    opt.cache_kb);
	if (opt.wal_kb)
		printf("raw SQLite variants: PRAGMA wal_autocheckpoint=%ld\n",
		    opt.wal_kb / 4);
	printf("all SQLite variants: WAL, synchronous=NORMAL; "
	    "\"written\" = bytes SQLite wrote (WAL frames + checkpoint "
	    "copies into the db) during the timed postings\n");
	fflush(stdout);

	/* 1-4, each run on fresh files; the order rotates per run so no
	 * variant always goes first (cold cache) or last. */
	for (run = 0; run < opt.runs; run++) {
		int last = run == opt.runs - 1;
		char tag[16];

		snprintf(tag, sizeof(tag), "run %d", run + 1);
		for (k = 0; k < nvar; k++) {
			int v = (k + run) % nvar;
			result *r = &res[v][run];

			switch (v) {
			case 0:
				floor_db = run_floor(run, r, last);
				break;
			case 1:
				have_hand = run_hand(run, r, last ? &hk : NULL);
				break;
			case 2:
				psql = run_points(run, 0, r, last, &setup);
				break;
			case 3:
				pmem = run_points(run, 1, r, last, &setup);
				break;
			case 4:
				run_memfloor(r);
				break;
			}
			print_result(tag, v, r);
			if (v == 2 || v == 3)
				printf("        (%s: %ld accounts created in "
				    "%.2f s, untimed; balances verified)\n",
				    vname[v], opt.accounts, setup);
		}
	}

	/* Medians and ratios. */
	{
		double med[NVARIANTS], medc[NVARIANTS];

		for (k = 0; k < nvar; k++) {
			result m;

			memset(&m, 0, sizeof(m));
			for (run = 0; run < opt.runs; run++)
				rates[run] = res[k][run].rate;
			m.rate = median(rates, opt.runs);
			for (run = 0; run < opt.runs; run++)
				rates[run] = res[k][run].secs;
			m.secs = median(rates, opt.runs);
			for (run = 0; run < opt.runs; run++)
				rates[run] = res[k][run].cpu;
			m.cpu = median(rates, opt.runs);
			m.sqlite = res[k][0].sqlite;
			for (run = 0; run < opt.runs; run++)
				rates[run] = res[k][run].wal_bpp;
			m.wal_bpp = median(rates, opt.runs);
			for (run = 0; run < opt.runs; run++)
				rates[run] = res[k][run].db_bpp;
			m.db_bpp = median(rates, opt.runs);
			for (run = 0; run < opt.runs; run++)
				rates[run] = res[k][run].files_bpp;
			m.files_bpp = median(rates, opt.runs);
			med[k] = m.rate;
			medc[k] = m.cpu > 0 ? (double)opt.postings / m.cpu : 0;
			print_result("median", k, &m);
		}
		ratio("hand-rolled / floor", med[1], med[0], 0);
		if (!opt.no_points) {
			ratio("points-sqlite / hand-rolled", med[2], med[1],
			    3);
			ratio("points-sqlite / floor", med[2], med[0], 0.25);
			printf("target  points-memory >= 1000000 postings/s: "
			    "%s\n", med[3] >= 1e6 ? "met" : "MISSED");
			ratio("points-memory / memory-floor", med[3], med[4],
			    0);
			/* The same by CPU time, for a busy machine. */
			ratio("by cpu: points-sqlite / hand-rolled", medc[2],
			    medc[1], 0);
			ratio("by cpu: points-sqlite / floor", medc[2], medc[0],
			    0);
		}
	}

	/* 5: random balance lookups on the last run's ledgers. */
	{
		double h = lookups_hand(&hk, 0), h2;

		/* A copy keyed as libpoints keys balances (untimed). */
		exec(hk.s, "CREATE TABLE balances_aa(account INTEGER, "
		    "asset TEXT, available INTEGER, held INTEGER, "
		    "earned INTEGER, spent INTEGER, expired INTEGER, "
		    "PRIMARY KEY(account, asset)) WITHOUT ROWID;"
		    "INSERT INTO balances_aa SELECT account, 'PTS', "
		    "available, held, earned, spent, expired FROM balances");
		h2 = lookups_hand(&hk, 1);
		printf("lookups hand-rolled    %10.0f /s  (SELECT from "
		    "balances by PRIMARY KEY(account, asset), one read "
		    "transaction)\n", h);
		printf("lookups hand-rolled    %10.0f /s  (same, keyed by "
		    "(account, asset) WITHOUT ROWID; for reference)\n", h2);
		if (!opt.no_points) {
			double loop = lookups_points(psql, 0);
			double batch = lookups_points(psql, 1);
			double mem = lookups_points(pmem, 0);

			printf("lookups points-sqlite  %10.0f /s  "
			    "(points_balance_get in a loop: a read "
			    "transaction each)\n", loop);
			printf("lookups points-sqlite  %10.0f /s  "
			    "(points_balance_get inside one batch)\n", batch);
			printf("lookups points-memory  %10.0f /s  "
			    "(loop)\n", mem);
			ratio("lookups points(batch) / hand-rolled", batch, h,
			    1.2);
			ratio("lookups points(loop) / hand-rolled", loop, h,
			    1.2);
		}
		fflush(stdout);
	}

	/* 6: expire everything. */
	as_of = T0 + (int64_t)opt.postings * STEP + 800 * INT64_C(86400);
	{
		int64_t acc, lots, pts;

		double c = cpu_sec();

		t = sweep_hand(&hk, as_of, &acc, &lots, &pts);
		hand_lots = lots;
		printf("sweep   hand-rolled    %7.2f s (cpu %5.2f s)  accounts "
		    "%lld, lots %lld, points %lld\n", t, cpu_sec() - c,
		    (long long)acc, (long long)lots, (long long)pts);
	}
	if (!opt.no_points) {
		points_sweep_report rep;
		points_balance b;

		double c = cpu_sec();

		memset(&rep, 0, sizeof(rep));
		t = sweep_points(psql, as_of, &rep);
		printf("sweep   points-sqlite  %7.2f s (cpu %5.2f s)  accounts "
		    "%lld, lots %lld, points %lld  (target <= 3 s: %s)\n", t,
		    cpu_sec() - c, (long long)rep.accounts,
		    (long long)rep.lots, (long long)rep.points,
		    t <= 3 ? "met" : "MISSED");
		if (rep.points != total_points || rep.lots != hand_lots)
			printf("WARNING: sweep report differs from the "
			    "postings: lots %lld (expected %lld), points "
			    "%lld (expected %lld)\n", (long long)rep.lots,
			    (long long)hand_lots, (long long)rep.points,
			    (long long)total_points);
		PT(psql, points_balance_get(psql, POINTS_ACCOUNT_EXPIRY,
		    "PTS", &b));
		if (b.available != total_points)
			printf("WARNING: expiry account holds %lld, expected "
			    "%lld\n", (long long)b.available,
			    (long long)total_points);
		memset(&rep, 0, sizeof(rep));
		c = cpu_sec();
		t = sweep_points(pmem, as_of, &rep);
		printf("sweep   points-memory  %7.2f s (cpu %5.2f s)  accounts "
		    "%lld, lots %lld, points %lld\n", t, cpu_sec() - c,
		    (long long)rep.accounts, (long long)rep.lots,
		    (long long)rep.points);
		points_close(pmem);
		points_close(psql);
	}

	/* 7: one transaction per posting, on the last run's files. */
	{
		int64_t sy[2];
		double raw = single_raw(floor_db, opt.single, sy), hs;
		double n = (double)opt.single;

		printf("single  raw SQLite     %8.0f commits/s  (BEGIN "
		    "IMMEDIATE; INSERT; UPDATE; COMMIT)  WAL %.0f B, "
		    "%.3f syncs per commit\n", raw, (double)sy[1] / n,
		    (double)sy[0] / n);
		hs = single_hand(&hk, opt.single, sy);
		printf("single  hand-rolled    %8.0f commits/s  "
		    "WAL %.0f B, %.3f syncs per commit\n", hs,
		    (double)sy[1] / n, (double)sy[0] / n);
		if (!opt.no_points) {
			double p1, p2;
			int64_t s1[2], s2[2];

			path_of(path, sizeof(path), "points",
			    (int)opt.runs - 1);
			snprintf(uri, sizeof(uri), "sqlite:%s", path);
			p1 = single_points(uri, opt.single, s1);
			snprintf(uri, sizeof(uri), "sqlite:%s?exclusive=1",
			    path);
			p2 = single_points(uri, opt.single, s2);
			printf("single  points-sqlite  %8.0f commits/s  "
			    "(points_earn, no batch)  WAL %.0f B, %.3f syncs "
			    "per commit\n", p1, (double)s1[1] / n,
			    (double)s1[0] / n);
			printf("single  points-sqlite  %8.0f commits/s  "
			    "(exclusive=1)  WAL %.0f B, %.3f syncs per "
			    "commit\n", p2, (double)s2[1] / n,
			    (double)s2[0] / n);
			ratio("single points / raw", p1, raw, 0.8);
			ratio("single points(exclusive) / raw", p2, raw, 0.8);
		}
	}

	if (have_hand) {
		hand_finalize(&hk);
		SQ(hk.s, SQLITE_OK, sqlite3_close(hk.s));
	}
	SQ(floor_db, SQLITE_OK, sqlite3_close(floor_db));
	free(w_acct);
	free(w_amt);
	free(expected);
	free(ids);
	return 0;
}
