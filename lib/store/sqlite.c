/*
 * sqlite.c - the "sqlite:" backend, written against the public
 * points/sys/store.h only (plus the allocator hook and store.h): its
 * messages reach the library through the errmsg method, as a host
 * backend's do.
 *
 * One table per keyspace: ks_<name>(k BLOB PRIMARY KEY, v BLOB NOT NULL)
 * WITHOUT ROWID, or, for POINTS_KS_INTKEY and POINTS_KS_INT64 keyspaces, a
 * rowid table whose INTEGER PRIMARY KEY is the 8-byte big-endian key: its
 * b-tree compares integers, not blobs (a seek in a WITHOUT ROWID table
 * spends much of its time in the record comparison), and appends to the
 * entry log land on its right edge.  The two flags make the same table;
 * INT64 keyspaces also go through the read cache.
 *
 * get_many is a loop of gets here (a seek each, in process): it saves the
 * library's calls, not round trips.
 *
 * By default: WAL, synchronous=NORMAL, a 5 s busy timeout (see the URI
 * options) and a 64 MB page cache (SQLite's own is 2 MB).  Writes take the
 * lock at once (BEGIN IMMEDIATE), so a busy store shows up at begin, as
 * POINTS_EBUSY, and never as a lost write.  Every statement is prepared
 * once and cached; the only SQL text built at run time holds a validated
 * keyspace name ([a-z0-9_]{1,32}) or integers we parsed ourselves.
 *
 * Transactions: a failed commit rolls the transaction back before
 * returning, so it is over either way; the rollback callers issue after a
 * failed commit finds nothing to do and returns POINTS_OK.
 *
 * Cursors copy the key of each row they return.  When their keyspace was
 * written since (the contract lets a caller delete or replace the row it
 * was just given), they restart the query just past that key instead of
 * relying on how SQLite steps a statement over a changed table, which its
 * documentation leaves undefined.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "points.h"
#include "points/sys/store.h"
#include "util/alloc.h"
#include "store/readcache.h"
#include "store/store.h"

#define DEFAULT_BUSY_MS 5000
/* In the schema of a table made for an INT64 keyspace (check_schema). */
#define INT64_MARK "/* int64 */"
#define CACHE_KB "65536" /* page cache, KiB */
/* Checkpoint the WAL once it holds this many bytes, not SQLite's 4 MB:
 * a balance page rewritten by several batches is then copied into the
 * database once.  Measured here (100k accounts, 1M postings in batches
 * of 1,000): 35.6k postings/s at 4 MB, 52.7k at 64 MB, 57.8k at 256 MB. */
#define WAL_BUDGET_DEFAULT (64LL << 20)

/* Cursor statements, per keyspace.  Forward: lower bound none, >= or >
 * (the > form restarts after a returned key) times upper bound < or none.
 * Reverse: upper bound < (also the restart form) or none times lower
 * bound >= or none. */
enum { LO_NONE, LO_GE, LO_GT };
#define NCUR 10
#define FWD_SLOT(lo, hi) ((lo) * 2 + (hi))
#define REV_SLOT(lo, hi) (6 + (lo) * 2 + (hi))

enum { TXN_NONE, TXN_READ, TXN_WRITE };

typedef struct sql_store sql_store;

struct points_keyspace {
	struct points_keyspace *next;
	sql_store *store;
	char name[33];
	unsigned int flags;
	int intkey;
	sqlite3_stmt *get, *put, *del;
	sqlite3_stmt *ins; /* insert unless the key is there */
	sqlite3_stmt *cur[NCUR]; /* prepared on first use */
	int cur_busy[NCUR];      /* held by an open cursor */
	uint64_t mod;            /* bumped by writes: cursors restart */
	int cached;              /* point lookups go through rc */
	points_readcache rc;
};

struct points_cursor {
	struct points_cursor *prev, *next; /* the store's open cursors */
	points_keyspace *ks;
	sqlite3_stmt *stmt;
	int slot;  /* the cached statement held, or -1 for a private one */
	int reverse;
	int done;
	int invalid; /* the transaction ended under it */
	int reseek;  /* restart before the next step */
	int bad;     /* met a key out of order: fails from then on */
	uint64_t mod;
	/* Bounds: copies (blob keys) or integers (INTKEY). */
	const unsigned char *lo, *hi;
	size_t lolen, hilen;
	int has_lo, has_hi;
	sqlite3_int64 ilo, ihi;
	/* The key returned last. */
	int has_last;
	unsigned char *last;
	size_t lastlen, lastcap;
	sqlite3_int64 ilast;
	unsigned char ikey[8];
};

struct sql_store {
	points_store base;
	sqlite3 *db;
	int txn;
	points_keyspace *ks;
	points_cursor *cursors;
	sqlite3_stmt *begin_r, *begin_w, *commit, *rollback;
	/* Savepoints (version 3): an undo log of what the writes since the
	 * oldest open one replaced (see "Savepoints" below). */
	int nsp;                /* savepoints open */
	size_t sp_mark[64];     /* records in the log when each was opened */
	unsigned char *ulog;    /* the records, one after another */
	size_t ulen, ucap;
	size_t *uoff;           /* where each record starts */
	size_t un, uoffcap;
	unsigned char *buf; /* get's copy of the value */
	size_t bufcap;
	unsigned char *mbuf; /* get_many's copies of its values */
	size_t mbufcap;
	uint64_t gen; /* the read caches' generation: one per transaction */
	char errmsg[256];
};

typedef struct sql_opts {
	int busy_ms;
	const char *sync; /* PRAGMA synchronous value */
	int exclusive;
	long long wal_budget; /* checkpoint threshold, bytes */
	int create;           /* mode=rwc (1, the default) or rw (0) */
} sql_opts;

static void sql_close(points_store *st);
static void undo_clear(sql_store *s);

/* ---- Errors ---- */

static int
map_rc(int rc)
{
	/* A read transaction's snapshot went stale before it could write:
	 * WAL's serialization failure.  (Writes begin IMMEDIATE, so the
	 * library does not meet it; a retry would succeed.) */
	if (rc == SQLITE_BUSY_SNAPSHOT)
		return POINTS_ERETRY;
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return POINTS_EBUSY;
	case SQLITE_NOMEM:
		return POINTS_ENOMEM;
	case SQLITE_TOOBIG:
		return POINTS_ELIMIT;
	default:
		return POINTS_ESTORAGE;
	}
}

/* Record SQLite's message for a failed call; returns the mapped code. */
static int
sql_fail(sql_store *s, int rc, const char *what)
{
	snprintf(s->errmsg, sizeof(s->errmsg), "%.120s: %s", what,
	    sqlite3_errmsg(s->db));
	return map_rc(rc);
}

/* Record our own reason for a failure; returns code. */
static int
own_err(sql_store *s, int code, const char *what)
{
	snprintf(s->errmsg, sizeof(s->errmsg), "%s", what);
	return code;
}

static const char *
sql_errmsg(points_store *st)
{
	sql_store *s = (sql_store *)st;

	return s->errmsg[0] ? s->errmsg : NULL;
}

/* ---- Helpers ---- */

static uint64_t
get_be64(const unsigned char *p)
{
	return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 |
	    (uint64_t)p[2] << 40 | (uint64_t)p[3] << 32 |
	    (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
	    (uint64_t)p[6] << 8 | (uint64_t)p[7];
}

static void
put_be64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

/* Run a statement that returns no rows we need; leaves it reset. */
static int
run(sql_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
		sqlite3_reset(st);
		return POINTS_OK;
	}
	rc = sql_fail(s, rc, what);
	sqlite3_reset(st);
	return rc;
}

static int
prepare(sql_store *s, const char *sql, int persistent, sqlite3_stmt **out)
{
	int rc = sqlite3_prepare_v3(s->db, sql, -1,
	    persistent ? SQLITE_PREPARE_PERSISTENT : 0, out, NULL);

	if (rc != SQLITE_OK) {
		*out = NULL;
		return sql_fail(s, rc, "prepare");
	}
	return POINTS_OK;
}

static int
exec(sql_store *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? POINTS_OK : sql_fail(s, rc, sql);
}

/* Inside a transaction (a write one when write != 0) that SQLite still
 * has: some errors (disk full, I/O) roll it back behind our back, and the
 * next statement must not then run in autocommit mode. */
static int
check_txn(sql_store *s, int write)
{
	s->errmsg[0] = '\0';
	if (s->txn == TXN_NONE)
		return own_err(s, POINTS_EMISUSE, "no transaction");
	if (write && s->txn != TXN_WRITE)
		return own_err(s, POINTS_EMISUSE,
		    "write in a read transaction");
	if (sqlite3_get_autocommit(s->db))
		return own_err(s, POINTS_ESTORAGE,
		    "the transaction was rolled back by an earlier error");
	return POINTS_OK;
}

/* Bind key k as parameter i: a blob, or for INTKEY and INT64 the integer
 * it encodes (8 bytes, below 2^63; else POINTS_EINVAL). */
static int
bind_key(sql_store *s, points_keyspace *ks, sqlite3_stmt *st, int i,
    const void *k, size_t kl)
{
	int rc;

	if (ks->intkey) {
		uint64_t v;

		if (kl != 8)
			return own_err(s, POINTS_EINVAL,
			    "integer keys are 8 bytes");
		v = get_be64(k);
		if (v > INT64_MAX)
			return own_err(s, POINTS_EINVAL,
			    "integer keys are below 2^63");
		rc = sqlite3_bind_int64(st, i, (sqlite3_int64)v);
	} else
		/* A NULL pointer would bind SQL NULL, not an empty blob. */
		rc = sqlite3_bind_blob64(st, i, kl ? k : "", kl,
		    SQLITE_STATIC);
	return rc == SQLITE_OK ? POINTS_OK : sql_fail(s, rc, "bind");
}

static int
check_ks(sql_store *s, points_keyspace *ks, const void *key, size_t klen)
{
	if (!ks || ks->store != s || (!key && klen))
		return own_err(s, POINTS_EINVAL, "bad keyspace or key");
	return POINTS_OK;
}

/* ---- Options ---- */

/* A decimal number in [0, max]; 0 on success. */
static int
parse_num(const char *p, size_t n, long long max, long long *out)
{
	long long v = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		if (v > (max - (p[i] - '0')) / 10)
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

static int
opt_is(const char *p, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(p, word, n) == 0;
}

/* "busy_timeout=MS&exclusive=1&sync=full&wal_budget=BYTES&mode=rw" */
static int
parse_opts(const char *opts, sql_opts *o, char *err, size_t errlen)
{
	const char *p = opts;

	o->busy_ms = DEFAULT_BUSY_MS;
	o->sync = "NORMAL";
	o->exclusive = 0;
	o->wal_budget = WAL_BUDGET_DEFAULT;
	o->create = 1;
	if (!p || !*p)
		return POINTS_OK;
	for (;;) {
		const char *end = strchr(p, '&');
		size_t n = end ? (size_t)(end - p) : strlen(p), nl;
		const char *eq = memchr(p, '=', n), *v;
		long long num;

		if (!eq)
			goto bad;
		nl = (size_t)(eq - p);
		v = eq + 1;
		n -= nl + 1; /* n: value length from here */
		if (opt_is(p, nl, "busy_timeout")) {
			if (parse_num(v, n, INT_MAX, &num))
				goto bad;
			o->busy_ms = (int)num;
		} else if (opt_is(p, nl, "exclusive")) {
			if (opt_is(v, n, "1"))
				o->exclusive = 1;
			else if (opt_is(v, n, "0"))
				o->exclusive = 0;
			else
				goto bad;
		} else if (opt_is(p, nl, "sync")) {
			if (opt_is(v, n, "normal"))
				o->sync = "NORMAL";
			else if (opt_is(v, n, "full"))
				o->sync = "FULL";
			else if (opt_is(v, n, "off"))
				o->sync = "OFF";
			else
				goto bad;
		} else if (opt_is(p, nl, "mode")) {
			/* as SQLite's own URI parameter */
			if (opt_is(v, n, "rwc"))
				o->create = 1;
			else if (opt_is(v, n, "rw"))
				o->create = 0;
			else
				goto bad;
		} else if (opt_is(p, nl, "wal_budget")) {
			if (parse_num(v, n, LLONG_MAX, &num) || num == 0)
				goto bad;
			o->wal_budget = num;
		} else
			goto bad;
		if (!end)
			return POINTS_OK;
		p = end + 1;
	}
bad:
	if (errlen)
		snprintf(err, errlen, "bad sqlite option in '%s'", opts);
	return POINTS_EINVAL;
}

/* ---- Transactions ---- */

static void cur_release(points_cursor *c);

/* Before a transaction ends: cursors must be closed by now; stop the
 * stray ones so they fail cleanly instead of reading the next one. */
static void
cursors_end(sql_store *s)
{
	points_cursor *c;

	for (c = s->cursors; c; c = c->next) {
		cur_release(c);
		c->invalid = 1;
	}
}

static int
sql_begin(points_store *st, int write)
{
	sql_store *s = (sql_store *)st;
	int rc;

	s->errmsg[0] = '\0';
	if (s->txn != TXN_NONE)
		return own_err(s, POINTS_EMISUSE,
		    "a transaction is already open");
	/* A rollback that failed may have left SQLite in a transaction:
	 * end it first, and if that fails too, say so (BEGIN would only
	 * say "cannot start a transaction within a transaction"). */
	if (!sqlite3_get_autocommit(s->db) &&
	    (rc = run(s, s->rollback, "rollback of an earlier transaction")))
		return rc;
	rc = run(s, write ? s->begin_w : s->begin_r, "begin");
	if (rc == POINTS_OK) {
		s->txn = write ? TXN_WRITE : TXN_READ;
		s->gen++; /* what earlier transactions read may be stale now */
	}
	return rc;
}

static int
sql_commit(points_store *st)
{
	sql_store *s = (sql_store *)st;
	int rc;

	s->errmsg[0] = '\0';
	if (s->txn == TXN_NONE)
		return own_err(s, POINTS_EMISUSE, "no transaction");
	cursors_end(s);
	s->txn = TXN_NONE;
	undo_clear(s);
	if (sqlite3_get_autocommit(s->db))
		return own_err(s, POINTS_ESTORAGE,
		    "the transaction was rolled back by an earlier error");
	rc = run(s, s->commit, "commit");
	/* Failed (even busy): end it here, see the top of the file. */
	if (rc != POINTS_OK && !sqlite3_get_autocommit(s->db)) {
		sqlite3_step(s->rollback);
		sqlite3_reset(s->rollback);
	}
	return rc;
}

static int
sql_rollback(points_store *st)
{
	sql_store *s = (sql_store *)st;

	s->errmsg[0] = '\0';
	if (s->txn == TXN_NONE)
		return POINTS_OK;
	cursors_end(s);
	s->txn = TXN_NONE;
	undo_clear(s);
	if (sqlite3_get_autocommit(s->db))
		return POINTS_OK; /* SQLite already rolled it back */
	/* On failure we still count the transaction as ended; begin
	 * retries the rollback. */
	return run(s, s->rollback, "rollback");
}

/* ---- Savepoints ----
 *
 * SQL's SAVEPOINT copies every page a savepoint's statements change into
 * a statement journal: a batch's earn dirties five pages, so each paid
 * ~20 KiB of copies and the malloc and free of their chunks (~30% of an
 * earn's instructions).  The store keeps its own undo log instead, of
 * the keys written since the oldest open savepoint and what each held
 * before: a key new to the table (most are: the log and its indexes
 * append) is noted by its insert alone, one statement as before; a key
 * that was there costs a read only when the read cache does not have
 * it, which for a balance the operation read first it has.  rollback_to
 * puts the old values back, newest first, with the prepared statements
 * (no memory needed); if SQLite fails that, the library gives the
 * transaction up, as it does when SQLite rolls one back under it. */

#define SP_MAX 64 /* deep enough for any caller (sp_mark's size) */
#define UNDO_ABSENT SIZE_MAX /* a record's vlen: the key was not there */

static void
undo_clear(sql_store *s)
{
	s->nsp = 0;
	s->un = 0;
	s->ulen = 0;
}

/* Room for one more record of a klen-byte key and a vlen-byte value. */
static int
undo_reserve(sql_store *s, size_t klen, size_t vlen)
{
	size_t need = sizeof(points_keyspace *) + 2 * sizeof(size_t) + klen;

	if (vlen != UNDO_ABSENT)
		need += vlen;
	if (s->un == s->uoffcap) {
		size_t cap = s->uoffcap ? 2 * s->uoffcap : 16;
		size_t *o = points_alloc__realloc(s->uoff, cap * sizeof(*o));

		if (!o)
			return own_err(s, POINTS_ENOMEM, "savepoint: out of memory");
		s->uoff = o;
		s->uoffcap = cap;
	}
	if (need > s->ucap - s->ulen) {
		size_t cap = s->ucap ? 2 * s->ucap : 1024;
		unsigned char *b;

		while (cap - s->ulen < need)
			cap *= 2;
		if (!(b = points_alloc__realloc(s->ulog, cap)))
			return own_err(s, POINTS_ENOMEM, "savepoint: out of memory");
		s->ulog = b;
		s->ucap = cap;
	}
	return POINTS_OK;
}

/* Note that key held val (vlen bytes, or UNDO_ABSENT: nothing); room
 * was reserved. */
static void
undo_note(sql_store *s, points_keyspace *ks, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	unsigned char *p = s->ulog + s->ulen;

	s->uoff[s->un++] = s->ulen;
	memcpy(p, &ks, sizeof(ks));
	p += sizeof(ks);
	memcpy(p, &klen, sizeof(klen));
	p += sizeof(klen);
	memcpy(p, &vlen, sizeof(vlen));
	p += sizeof(vlen);
	memcpy(p, key, klen);
	p += klen;
	if (vlen != UNDO_ABSENT && vlen) {
		memcpy(p, val, vlen);
		p += vlen;
	}
	s->ulen = (size_t)(p - s->ulog);
}

static int sql_get(points_store *st, points_keyspace *ks, const void *key,
    size_t klen, const void **val, size_t *vlen);

/* Before a put (del: 0) of key under an open savepoint: note what it
 * holds.  For a put, *done says that it was new and is written already
 * (the insert that found it new). */
static int
undo_before(sql_store *s, points_keyspace *ks, const void *key, size_t klen,
    const void *val, size_t vlen, int put, int *done)
{
	const void *old;
	size_t olen;
	int rc, known;

	*done = 0;
	known = ks->cached ? points_readcache__get(&ks->rc, s->gen, key, klen,
	    &old, &olen) : RCACHE_MISS;
	if (known == RCACHE_ABSENT && !put)
		return POINTS_OK; /* a delete of nothing */
	if (known != RCACHE_HIT) {
		if (put) {
			if ((rc = undo_reserve(s, klen, UNDO_ABSENT)) ||
			    (rc = bind_key(s, ks, ks->ins, 1, key, klen)))
				return rc;
			rc = sqlite3_bind_blob64(ks->ins, 2, vlen ? val : "",
			    vlen, SQLITE_STATIC);
			if (rc != SQLITE_OK)
				return sql_fail(s, rc, "bind");
			if ((rc = run(s, ks->ins, "put")))
				return rc;
			if (sqlite3_changes(s->db) == 1) {
				undo_note(s, ks, key, klen, NULL, UNDO_ABSENT);
				*done = 1;
				return POINTS_OK;
			}
		}
		rc = sql_get(&s->base, ks, key, klen, &old, &olen);
		if (rc == POINTS_ENOTFOUND)
			return POINTS_OK; /* a delete of nothing */
		if (rc)
			return rc;
	}
	if ((rc = undo_reserve(s, klen, olen)) == POINTS_OK)
		undo_note(s, ks, key, klen, old, olen);
	return rc;
}

static int
sql_savepoint(points_store *st)
{
	sql_store *s = (sql_store *)st;
	int rc;

	if ((rc = check_txn(s, 1)))
		return rc;
	if (s->nsp >= SP_MAX)
		return own_err(s, POINTS_ELIMIT, "savepoint: too many open");
	s->sp_mark[s->nsp++] = s->un;
	return POINTS_OK;
}

/* The records stay while an older savepoint is open: its rollback_to
 * undoes them too. */
static int
sql_release(points_store *st)
{
	sql_store *s = (sql_store *)st;
	int rc;

	if ((rc = check_txn(s, 1)))
		return rc;
	if (s->nsp == 0)
		return own_err(s, POINTS_EMISUSE, "release: no savepoint");
	if (--s->nsp == 0)
		undo_clear(s);
	return POINTS_OK;
}

/* What the read caches hold may have been undone: a new generation.
 * When SQLite rolled the whole transaction back under us (disk full,
 * I/O), check_txn says so and the library gives the transaction up. */
static int
sql_rollback_to(points_store *st)
{
	sql_store *s = (sql_store *)st;
	size_t mark, top = s->un;
	int rc;

	if ((rc = check_txn(s, 1)))
		return rc;
	if (s->nsp == 0)
		return own_err(s, POINTS_EMISUSE, "rollback_to: no savepoint");
	cursors_end(s);
	s->gen++;
	mark = s->sp_mark[s->nsp - 1];
	while (rc == POINTS_OK && s->un > mark) {
		const unsigned char *p = s->ulog + s->uoff[s->un - 1];
		points_keyspace *ks;
		size_t klen, vlen;

		memcpy(&ks, p, sizeof(ks));
		p += sizeof(ks);
		memcpy(&klen, p, sizeof(klen));
		p += sizeof(klen);
		memcpy(&vlen, p, sizeof(vlen));
		p += sizeof(vlen);
		if (vlen == UNDO_ABSENT) {
			if ((rc = bind_key(s, ks, ks->del, 1, p, klen)) ==
			    POINTS_OK)
				rc = run(s, ks->del, "rollback_to");
		} else if ((rc = bind_key(s, ks, ks->put, 1, p, klen)) ==
		    POINTS_OK) {
			rc = sqlite3_bind_blob64(ks->put, 2, vlen ? p + klen :
			    (const void *)"", vlen, SQLITE_STATIC);
			rc = rc == SQLITE_OK ? run(s, ks->put, "rollback_to") :
			    sql_fail(s, rc, "bind");
		}
		ks->mod++;
		s->un--;
	}
	if (rc)
		return rc;
	if (top > mark)
		s->ulen = s->uoff[mark];
	if (--s->nsp == 0)
		undo_clear(s);
	return check_txn(s, 1);
}

/* ---- Keyspaces ---- */

static void
ks_free(points_keyspace *ks)
{
	int i;

	sqlite3_finalize(ks->get);
	sqlite3_finalize(ks->put);
	sqlite3_finalize(ks->ins);
	sqlite3_finalize(ks->del);
	for (i = 0; i < NCUR; i++)
		sqlite3_finalize(ks->cur[i]);
	points_readcache__free(&ks->rc);
	points_alloc__free(ks);
}

/* The table must suit the flags: one made by an earlier open with other
 * flags would compare keys differently.  INT64 is a hint, and a
 * version-1 store (or a wrapper of that version) opens the same keyspace
 * without it, so these pass both ways: a blob table made without it
 * serves an INT64 keyspace as blobs, and an integer table made with it
 * (marked "int64" in its schema) serves a keyspace opened without it as
 * integers (keys of 8 bytes below 2^63; others are refused).  An INTKEY
 * table is never taken for a blob one, nor a blob one for integers. */
static int
check_schema(sql_store *s, points_keyspace *ks, const char *table)
{
	sqlite3_stmt *st;
	const unsigned char *type, *sql;
	int rc, integer, int64;

	rc = prepare(s, "SELECT p.type, m.sql FROM pragma_table_info(?1) p, "
	    "sqlite_schema m WHERE p.name = 'k' AND m.name = ?1", 0, &st);
	if (rc)
		return rc;
	rc = sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		rc = own_err(s, POINTS_ESTORAGE, "keyspace table has no k");
	else if (rc != SQLITE_ROW)
		rc = sql_fail(s, rc, "keyspace schema");
	else {
		type = sqlite3_column_text(st, 0);
		sql = sqlite3_column_text(st, 1);
		integer = type && sqlite3_stricmp((const char *)type,
		    "INTEGER") == 0;
		int64 = integer && sql && strstr((const char *)sql,
		    INT64_MARK) != NULL;
		if (ks->flags & POINTS_KS_INT64)
			ks->intkey = integer;
		else if (!ks->intkey && int64)
			ks->intkey = 1;
		rc = ks->intkey == integer ? POINTS_OK : own_err(s,
		    POINTS_EINVAL, "keyspace exists with other flags");
	}
	sqlite3_finalize(st);
	return rc;
}

static int
sql_keyspace(points_store *st, const char *name, unsigned int flags,
    points_keyspace **out)
{
	sql_store *s = (sql_store *)st;
	points_keyspace *ks;
	char table[40], sql[256];
	int rc;

	s->errmsg[0] = '\0';
	if (!out || !points_store__valid_name(name) ||
	    (flags & ~POINTS_KS_FLAGS) || ((flags & POINTS_KS_INTKEY) &&
	    (flags & POINTS_KS_INT64)))
		return own_err(s, POINTS_EINVAL, "bad keyspace name or flags");
	if (s->txn != TXN_NONE)
		return own_err(s, POINTS_EMISUSE,
		    "keyspaces are opened outside transactions");
	for (ks = s->ks; ks; ks = ks->next)
		if (strcmp(ks->name, name) == 0) {
			/* REWRITTEN is a hint: opened with it or not */
			if ((ks->flags ^ flags) & ~POINTS_KS_REWRITTEN)
				return own_err(s, POINTS_EINVAL,
				    "keyspace opened with other flags");
			*out = ks;
			return POINTS_OK;
		}
	if (!(ks = points_alloc__calloc(1, sizeof(*ks))))
		return POINTS_ENOMEM;
	ks->store = s;
	strcpy(ks->name, name);
	ks->flags = flags;
	ks->intkey = (flags & (POINTS_KS_INTKEY | POINTS_KS_INT64)) != 0;
	/* Appends and range scans gain nothing from a cache of point reads. */
	ks->cached = !(flags & (POINTS_KS_INTKEY | POINTS_KS_ORDERED));
	/* name is [a-z0-9_]{1,32}: safe to splice into SQL. */
	snprintf(table, sizeof(table), "ks_%s", name);
	snprintf(sql, sizeof(sql), (flags & POINTS_KS_INT64) ?
	    "CREATE TABLE IF NOT EXISTS %s"
	    "(k INTEGER PRIMARY KEY " INT64_MARK ", v BLOB NOT NULL)" :
	    ks->intkey ?
	    "CREATE TABLE IF NOT EXISTS %s"
	    "(k INTEGER PRIMARY KEY, v BLOB NOT NULL)" :
	    "CREATE TABLE IF NOT EXISTS %s"
	    "(k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID", table);
	rc = exec(s, sql);
	if (rc == POINTS_OK)
		rc = check_schema(s, ks, table);
	if (rc == POINTS_OK) {
		snprintf(sql, sizeof(sql), "SELECT v FROM %s WHERE k = ?1",
		    table);
		rc = prepare(s, sql, 1, &ks->get);
	}
	if (rc == POINTS_OK) {
		snprintf(sql, sizeof(sql),
		    "INSERT OR REPLACE INTO %s(k, v) VALUES (?1, ?2)", table);
		rc = prepare(s, sql, 1, &ks->put);
	}
	if (rc == POINTS_OK) {
		snprintf(sql, sizeof(sql),
		    "INSERT OR IGNORE INTO %s(k, v) VALUES (?1, ?2)", table);
		rc = prepare(s, sql, 1, &ks->ins);
	}
	if (rc == POINTS_OK) {
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE k = ?1",
		    table);
		rc = prepare(s, sql, 1, &ks->del);
	}
	if (rc != POINTS_OK) {
		ks_free(ks);
		return rc;
	}
	ks->next = s->ks;
	s->ks = ks;
	*out = ks;
	return POINTS_OK;
}

/* ---- Reads and writes ---- */

static int
sql_get(points_store *st, points_keyspace *ks, const void *key, size_t klen,
    const void **val, size_t *vlen)
{
	sql_store *s = (sql_store *)st;
	const void *v, *c;
	size_t n;
	int rc;

	if ((rc = check_txn(s, 0)) || (rc = check_ks(s, ks, key, klen)))
		return rc;
	if (!val || !vlen)
		return own_err(s, POINTS_EINVAL, "no output");
	switch (ks->cached ? points_readcache__get(&ks->rc, s->gen, key, klen,
	    val, vlen) : RCACHE_MISS) {
	case RCACHE_HIT:
		return POINTS_OK;
	case RCACHE_ABSENT:
		return POINTS_ENOTFOUND;
	}
	if ((rc = bind_key(s, ks, ks->get, 1, key, klen)))
		return rc;
	rc = sqlite3_step(ks->get);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(ks->get);
		if (ks->cached)
			points_readcache__absent(&ks->rc, s->gen, key, klen);
		return POINTS_ENOTFOUND;
	}
	if (rc != SQLITE_ROW) {
		rc = sql_fail(s, rc, "get");
		sqlite3_reset(ks->get);
		return rc;
	}
	/* Copy: the value lives in the statement, which is reset now so
	 * that it holds no read cursor. */
	v = sqlite3_column_blob(ks->get, 0);
	n = (size_t)sqlite3_column_bytes(ks->get, 0);
	if (!v && n) { /* the column could not be converted */
		sqlite3_reset(ks->get);
		return POINTS_ENOMEM;
	}
	/* The cache's copy serves the caller; else get's own buffer does. */
	if (ks->cached && (c = points_readcache__put(&ks->rc, s->gen, key, klen,
	    v, n)) != NULL) {
		sqlite3_reset(ks->get);
		*val = c;
		*vlen = n;
		return POINTS_OK;
	}
	if (n > s->bufcap) {
		size_t cap = n < 256 ? 256 : n + n / 2;
		unsigned char *b = points_alloc__realloc(s->buf, cap);

		if (!b) {
			sqlite3_reset(ks->get);
			return POINTS_ENOMEM;
		}
		s->buf = b;
		s->bufcap = cap;
	}
	if (n)
		memcpy(s->buf, v, n);
	sqlite3_reset(ks->get);
	*val = s->buf ? (const void *)s->buf : (const void *)"";
	*vlen = n;
	return POINTS_OK;
}

/* Room for n bytes in get_many's buffer; its old contents are kept. */
static int
mbuf_reserve(sql_store *s, size_t n)
{
	unsigned char *b;
	size_t cap;

	if (n <= s->mbufcap)
		return POINTS_OK;
	cap = n < 1024 ? 1024 : n + n / 2;
	if (!(b = points_alloc__realloc(s->mbuf, cap)))
		return own_err(s, POINTS_ENOMEM, "get_many: out of memory");
	s->mbuf = b;
	s->mbufcap = cap;
	return POINTS_OK;
}

/* A get each: a value is copied at once, since the next get may reuse
 * the buffer (or the cache slot) it came in. */
static int
sql_get_many(points_store *st, size_t n, points_keyspace *const *kss,
    const void *const *keys, const size_t *klens, const void **vals,
    size_t *vlens, int *rcs)
{
	sql_store *s = (sql_store *)st;
	size_t i, used = 0;
	int rc;

	if (n && (!kss || !keys || !klens || !vals || !vlens || !rcs))
		return own_err(s, POINTS_EINVAL, "get_many: no arrays");
	for (i = 0; i < n; i++) {
		const void *v;
		size_t vl;

		rc = sql_get(st, kss[i], keys[i], klens[i], &v, &vl);
		rcs[i] = rc;
		vlens[i] = 0;
		if (rc == POINTS_ENOTFOUND)
			continue;
		if (rc)
			return rc;
		if (vl > (size_t)-1 - used)
			return own_err(s, POINTS_ENOMEM, "get_many: too much");
		if ((rc = mbuf_reserve(s, used + vl)))
			return rc;
		if (vl)
			memcpy(s->mbuf + used, v, vl);
		vlens[i] = vl;
		used += vl;
	}
	/* The buffer may have moved while it grew: point into it now. */
	for (i = 0, used = 0; i < n; i++)
		if (rcs[i] == POINTS_OK) {
			vals[i] = s->mbuf ? (const void *)(s->mbuf + used) :
			    (const void *)"";
			used += vlens[i];
		}
	s->errmsg[0] = '\0';
	return POINTS_OK;
}

static int
sql_put(points_store *st, points_keyspace *ks, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	sql_store *s = (sql_store *)st;
	int rc, done = 0;

	if ((rc = check_txn(s, 1)) || (rc = check_ks(s, ks, key, klen)))
		return rc;
	if (!val && vlen)
		return own_err(s, POINTS_EINVAL, "no value");
	if (s->nsp && (rc = undo_before(s, ks, key, klen, val, vlen, 1,
	    &done)) == POINTS_OK && done)
		goto written;
	if (rc)
		return rc;
	if ((rc = bind_key(s, ks, ks->put, 1, key, klen)))
		return rc;
	rc = sqlite3_bind_blob64(ks->put, 2, vlen ? val : "", vlen,
	    SQLITE_STATIC);
	if (rc != SQLITE_OK)
		return sql_fail(s, rc, "bind");
	rc = run(s, ks->put, "put");
written:
	if (rc == POINTS_OK)
		ks->mod++;
	if (ks->cached) {
		if (rc == POINTS_OK)
			points_readcache__put(&ks->rc, s->gen, key, klen, val, vlen);
		else
			points_readcache__del(&ks->rc, key, klen);
	}
	return rc;
}

static int
sql_del(points_store *st, points_keyspace *ks, const void *key, size_t klen)
{
	sql_store *s = (sql_store *)st;
	int rc, done;

	if ((rc = check_txn(s, 1)) || (rc = check_ks(s, ks, key, klen)))
		return rc;
	if (s->nsp && (rc = undo_before(s, ks, key, klen, NULL, 0, 0, &done)))
		return rc;
	if ((rc = bind_key(s, ks, ks->del, 1, key, klen)))
		return rc;
	if ((rc = run(s, ks->del, "del")) == POINTS_OK)
		ks->mod++;
	if (ks->cached && rc == POINTS_OK)
		points_readcache__absent(&ks->rc, s->gen, key, klen);
	else if (ks->cached)
		points_readcache__del(&ks->rc, key, klen);
	return rc;
}

/* ---- Cursors ---- */

/* The least 8-byte key K0 such that, for every 8-byte key K, K >= b in
 * memcmp order exactly when K >= K0.  *inf: no 8-byte key is >= b. */
static void
intkey_bound(const unsigned char *b, size_t n, uint64_t *k0, int *inf)
{
	unsigned char t[8] = { 0 };
	uint64_t x;

	if (n)
		memcpy(t, b, n < 8 ? n : 8);
	x = get_be64(t);
	*inf = 0;
	if (n > 8) { /* K >= b means K > b's first 8 bytes */
		if (x == UINT64_MAX)
			*inf = 1;
		else
			x++;
	}
	*k0 = x;
}

static void
cur_release(points_cursor *c)
{
	if (!c->stmt)
		return;
	if (c->slot >= 0) {
		sqlite3_reset(c->stmt);
		c->ks->cur_busy[c->slot] = 0;
	} else
		sqlite3_finalize(c->stmt);
	c->stmt = NULL;
}

static const char *
cur_sql(int slot)
{
	/* %s: the table; ?1: lower bound, ?2: upper bound. */
	static const char *const sql[NCUR] = {
		"SELECT k, v FROM %s ORDER BY k",
		"SELECT k, v FROM %s WHERE k < ?2 ORDER BY k",
		"SELECT k, v FROM %s WHERE k >= ?1 ORDER BY k",
		"SELECT k, v FROM %s WHERE k >= ?1 AND k < ?2 ORDER BY k",
		"SELECT k, v FROM %s WHERE k > ?1 ORDER BY k",
		"SELECT k, v FROM %s WHERE k > ?1 AND k < ?2 ORDER BY k",
		"SELECT k, v FROM %s ORDER BY k DESC",
		"SELECT k, v FROM %s WHERE k < ?2 ORDER BY k DESC",
		"SELECT k, v FROM %s WHERE k >= ?1 ORDER BY k DESC",
		"SELECT k, v FROM %s WHERE k >= ?1 AND k < ?2 ORDER BY k DESC",
	};

	return sql[slot];
}

/* Take the statement for slot: the cached one, or a private one when
 * another cursor holds it. */
static int
cur_acquire(points_cursor *c, int slot)
{
	points_keyspace *ks = c->ks;
	sql_store *s = ks->store;
	char sql[160], table[40];
	sqlite3_stmt *st;
	int rc, cached = !ks->cur_busy[slot];

	if (cached && ks->cur[slot]) {
		st = ks->cur[slot];
	} else {
		snprintf(table, sizeof(table), "ks_%s", ks->name);
		snprintf(sql, sizeof(sql), cur_sql(slot), table);
		if ((rc = prepare(s, sql, cached, &st)))
			return rc;
		if (cached)
			ks->cur[slot] = st;
	}
	if (cached)
		ks->cur_busy[slot] = 1;
	c->stmt = st;
	c->slot = cached ? slot : -1;
	return POINTS_OK;
}

static int
cur_bind(points_cursor *c, int i, const unsigned char *b, size_t n,
    sqlite3_int64 iv)
{
	int rc;

	if (c->ks->intkey)
		rc = sqlite3_bind_int64(c->stmt, i, iv);
	else
		rc = sqlite3_bind_blob64(c->stmt, i, n ? (const void *)b : "",
		    n, SQLITE_STATIC);
	return rc == SQLITE_OK ? POINTS_OK : sql_fail(c->ks->store, rc,
	    "bind");
}

/* (Re)start the query: from the bounds, or just past the key returned
 * last. */
static int
cur_start(points_cursor *c)
{
	int lo = c->has_lo, hi = c->has_hi, slot, rc;
	const unsigned char *lb = c->lo, *hb = c->hi;
	size_t ll = c->lolen, hl = c->hilen;
	sqlite3_int64 il = c->ilo, ih = c->ihi;

	cur_release(c);
	if (c->has_last && !c->reverse) {
		lo = 1;
		lb = c->last, ll = c->lastlen, il = c->ilast;
	} else if (c->has_last) {
		hi = 1;
		hb = c->last, hl = c->lastlen, ih = c->ilast;
	}
	if (!c->reverse)
		slot = FWD_SLOT(!lo ? LO_NONE : c->has_last ? LO_GT : LO_GE,
		    hi);
	else
		slot = REV_SLOT(lo, hi);
	if ((rc = cur_acquire(c, slot)))
		return rc;
	if (lo && (rc = cur_bind(c, 1, lb, ll, il)))
		return rc;
	if (hi && (rc = cur_bind(c, 2, hb, hl, ih)))
		return rc;
	c->mod = c->ks->mod;
	c->reseek = 0;
	return POINTS_OK;
}

static int
sql_cursor_open(points_store *st, points_keyspace *ks, const void *lo,
    size_t lolen, const void *hi, size_t hilen, int reverse,
    points_cursor **out)
{
	sql_store *s = (sql_store *)st;
	points_cursor *c;
	unsigned char *b;
	int rc;

	if ((rc = check_txn(s, 0)))
		return rc;
	if (!ks || ks->store != s || !out)
		return own_err(s, POINTS_EINVAL, "bad keyspace");
	if (!lo)
		lolen = 0;
	if (!hi)
		hilen = 0;
	if (lolen > (size_t)-1 / 2 - sizeof(*c) ||
	    hilen > (size_t)-1 / 2 - sizeof(*c))
		return POINTS_EINVAL;
	/* Bounds are copied: the caller's buffers may not outlive us. */
	if (!(c = points_alloc__calloc(1, sizeof(*c) + lolen + hilen)))
		return POINTS_ENOMEM;
	b = (unsigned char *)(c + 1);
	c->ks = ks;
	c->slot = -1;
	c->reverse = reverse != 0;
	if (ks->intkey) {
		uint64_t k0;
		int inf;

		if (lo) {
			intkey_bound(lo, lolen, &k0, &inf);
			if (inf || k0 > INT64_MAX)
				c->done = 1; /* above every key */
			else {
				c->has_lo = 1;
				c->ilo = (sqlite3_int64)k0;
			}
		}
		if (hi) {
			intkey_bound(hi, hilen, &k0, &inf);
			if (!inf && k0 <= INT64_MAX) {
				c->has_hi = 1;
				c->ihi = (sqlite3_int64)k0;
			}
		}
	} else {
		if (lo) {
			if (lolen)
				memcpy(b, lo, lolen);
			c->lo = b;
			c->lolen = lolen;
			c->has_lo = 1;
		}
		if (hi) {
			if (hilen)
				memcpy(b + lolen, hi, hilen);
			c->hi = b + lolen;
			c->hilen = hilen;
			c->has_hi = 1;
		}
	}
	if (!c->done && (rc = cur_start(c))) {
		cur_release(c);
		points_alloc__free(c);
		return rc;
	}
	c->next = s->cursors;
	if (c->next)
		c->next->prev = c;
	s->cursors = c;
	*out = c;
	return POINTS_OK;
}

/* A key out of its cursor's range or order: this call and every one
 * after it fail. */
static int
bad_order(sql_store *s, points_cursor *c)
{
	snprintf(s->errmsg, sizeof(s->errmsg), "cursor: keyspace %s: a key "
	    "out of order (the database file is damaged)", c->ks->name);
	c->bad = 1;
	cur_release(c);
	return POINTS_ESTORAGE;
}

/* Blob keys in SQLite's order: bytes, then the shorter first. */
static int
blob_cmp(const void *a, size_t al, const void *b, size_t bl)
{
	int r = al && bl ? memcmp(a, b, al < bl ? al : bl) : 0;

	return r ? r : (al > bl) - (al < bl);
}

/* Whether the key a cursor's query returned is within its bounds and
 * after the last one it returned: SQLite checks neither the lower bound
 * of an ascending query (nor the upper of a descending one) nor the
 * order of rows, so a damaged page of the table's tree could send a
 * row from outside the range, or one out of order, as if in it. */
static int
cur_key_in_order(const points_cursor *c, const void *kb, size_t n,
    sqlite3_int64 ik)
{
	if (c->ks->intkey)
		return !(c->has_lo && ik < c->ilo) &&
		    !(c->has_hi && ik >= c->ihi) &&
		    !(c->has_last && (c->reverse ? ik >= c->ilast :
		    ik <= c->ilast));
	return !(c->has_lo && blob_cmp(kb, n, c->lo, c->lolen) < 0) &&
	    !(c->has_hi && blob_cmp(kb, n, c->hi, c->hilen) >= 0) &&
	    !(c->has_last && (c->reverse ?
	    blob_cmp(kb, n, c->last, c->lastlen) >= 0 :
	    blob_cmp(kb, n, c->last, c->lastlen) <= 0));
}

static int
sql_cursor_next(points_store *st, points_cursor *c, const void **key,
    size_t *klen, const void **val, size_t *vlen)
{
	sql_store *s = (sql_store *)st;
	const void *k, *v;
	size_t n, vn;
	int rc;

	s->errmsg[0] = '\0';
	if (!c || !key || !klen || !val || !vlen)
		return own_err(s, POINTS_EINVAL, "bad cursor call");
	if (c->invalid)
		return own_err(s, POINTS_EMISUSE,
		    "cursor used after its transaction ended");
	if (c->bad)
		return own_err(s, POINTS_ESTORAGE, "cursor: a key out of "
		    "order met before (the database file is damaged)");
	if (c->done)
		return POINTS_ITEROVER;
	if ((c->reseek || c->mod != c->ks->mod) && (rc = cur_start(c))) {
		c->reseek = 1;
		return rc;
	}
	rc = sqlite3_step(c->stmt);
	if (rc == SQLITE_DONE) {
		cur_release(c);
		c->done = 1;
		return POINTS_ITEROVER;
	}
	if (rc != SQLITE_ROW) {
		rc = sql_fail(s, rc, "cursor");
		c->reseek = 1; /* a retry starts over from the last key */
		return rc;
	}
	/* A failure from here on leaves the last key as it was, so that the
	 * restart returns this row again. */
	v = sqlite3_column_blob(c->stmt, 1);
	vn = (size_t)sqlite3_column_bytes(c->stmt, 1);
	if (!v && vn) { /* the column could not be converted */
		c->reseek = 1;
		return POINTS_ENOMEM;
	}
	if (c->ks->intkey) {
		sqlite3_int64 ik = sqlite3_column_int64(c->stmt, 0);

		if (!cur_key_in_order(c, NULL, 0, ik))
			return bad_order(s, c);
		c->ilast = ik;
		put_be64(c->ikey, (uint64_t)c->ilast);
		k = c->ikey;
		n = 8;
	} else {
		/* Keep the key: a restart after a write seeks past it. */
		const void *kb = sqlite3_column_blob(c->stmt, 0);

		n = (size_t)sqlite3_column_bytes(c->stmt, 0);
		if (!kb && n) {
			c->reseek = 1;
			return POINTS_ENOMEM;
		}
		if (!cur_key_in_order(c, kb, n, 0))
			return bad_order(s, c);
		if (n > c->lastcap) {
			size_t cap = n < 64 ? 64 : n * 2;
			unsigned char *p = points_alloc__realloc(c->last, cap);

			if (!p) {
				c->reseek = 1;
				return POINTS_ENOMEM;
			}
			c->last = p;
			c->lastcap = cap;
		}
		if (n)
			memcpy(c->last, kb, n);
		c->lastlen = n;
		k = c->last ? (const void *)c->last : (const void *)"";
	}
	c->has_last = 1;
	c->mod = c->ks->mod;
	*val = v ? v : "";
	*vlen = vn;
	*key = k;
	*klen = n;
	return POINTS_OK;
}

static void
sql_cursor_close(points_store *st, points_cursor *c)
{
	sql_store *s = (sql_store *)st;

	if (!c)
		return;
	cur_release(c);
	if (c->prev)
		c->prev->next = c->next;
	else if (s->cursors == c)
		s->cursors = c->next;
	if (c->next)
		c->next->prev = c->prev;
	points_alloc__free(c->last);
	points_alloc__free(c);
}

/* ---- The store ---- */

static void
sql_close(points_store *st)
{
	sql_store *s = (sql_store *)st;
	points_keyspace *ks;

	if (!s)
		return;
	sql_rollback(st);
	while (s->cursors) { /* leaked by the caller: detach them */
		points_cursor *c = s->cursors;

		cur_release(c);
		s->cursors = c->next;
		c->prev = c->next = NULL;
	}
	while ((ks = s->ks) != NULL) {
		s->ks = ks->next;
		ks_free(ks);
	}
	sqlite3_finalize(s->begin_r);
	sqlite3_finalize(s->begin_w);
	sqlite3_finalize(s->commit);
	sqlite3_finalize(s->rollback);
	points_alloc__free(s->ulog);
	points_alloc__free(s->uoff);
	sqlite3_close(s->db);
	points_alloc__free(s->buf);
	points_alloc__free(s->mbuf);
	points_alloc__free(s);
}

/* PRAGMAs from parsed options.  PRAGMA takes no bound parameters, so the
 * numbers (ours, range-checked) are formatted into the text. */
static int
configure(sql_store *s, const sql_opts *o)
{
	char sql[96];
	sqlite3_stmt *st;
	long long page = 0;
	int rc;

	sqlite3_busy_timeout(s->db, o->busy_ms);
	/* Before journal_mode: exclusive WAL needs no shared memory. */
	if (o->exclusive && (rc = exec(s, "PRAGMA locking_mode=EXCLUSIVE")))
		return rc;
	if ((rc = exec(s, "PRAGMA journal_mode=WAL")))
		return rc;
	snprintf(sql, sizeof(sql), "PRAGMA synchronous=%s", o->sync);
	if ((rc = exec(s, sql)))
		return rc;
	/* A batch's savepoints keep their statement journal in memory: on
	 * a temporary file, every page an operation changes was written
	 * out once more. */
	if ((rc = exec(s, "PRAGMA temp_store=MEMORY")))
		return rc;
	/* SQLite's default page cache is 2 MB; a ledger of 100k accounts
	 * outgrows it and every miss is a pread.  64 MB (filled only as
	 * pages are read) doubled random balance lookups when measured. */
	if ((rc = exec(s, "PRAGMA cache_size=-" CACHE_KB)))
		return rc;
	if (o->wal_budget) {
		long long pages;

		if ((rc = prepare(s, "PRAGMA page_size", 0, &st)))
			return rc;
		if (sqlite3_step(st) == SQLITE_ROW)
			page = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (page <= 0)
			page = 4096;
		pages = o->wal_budget / page;
		if (pages < 1)
			pages = 1;
		if (pages > INT_MAX)
			pages = INT_MAX;
		snprintf(sql, sizeof(sql), "PRAGMA wal_autocheckpoint=%lld",
		    pages);
		if ((rc = exec(s, sql)))
			return rc;
		snprintf(sql, sizeof(sql), "PRAGMA journal_size_limit=%lld",
		    o->wal_budget);
		if ((rc = exec(s, sql)))
			return rc;
	}
	if ((rc = prepare(s, "BEGIN", 1, &s->begin_r)) ||
	    (rc = prepare(s, "BEGIN IMMEDIATE", 1, &s->begin_w)) ||
	    (rc = prepare(s, "COMMIT", 1, &s->commit)) ||
	    (rc = prepare(s, "ROLLBACK", 1, &s->rollback)))
		return rc;
	return POINTS_OK;
}

/* Is the file a ledger, before anything is written to it (configure
 * switches it to WAL for good, keyspace() adds tables)?  A ledger has
 * only tables ks_<name>, ks_meta among them; SQLite's own (sqlite_*)
 * do not count.  An empty database is a new ledger under mode=rwc.  A
 * file of ks_ tables without ks_meta is a ledger whose first open was
 * cut short (keyspaces are made one by one, outside transactions).
 * Anything else is another application's database: refused. */
static int
check_ledger_file(sql_store *s, const char *path, int create, char *err,
    size_t errlen)
{
	sqlite3_stmt *st;
	int rc, objects = 0, ours = 0, meta = 0;
	char other[64] = "";

	rc = prepare(s, "SELECT type, name FROM sqlite_schema", 0, &st);
	if (rc)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);

		if (!type || !name || strncmp(name, "sqlite_", 7) == 0)
			continue;
		objects++;
		if (strcmp(type, "table") == 0 && strncmp(name, "ks_", 3) == 0) {
			ours++;
			meta |= strcmp(name, "ks_meta") == 0;
		} else if (!other[0])
			snprintf(other, sizeof(other), "%s '%.40s'", type,
			    name);
	}
	if (rc != SQLITE_DONE) {
		rc = sql_fail(s, rc, "read the schema");
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	if (objects > ours) {
		if (errlen)
			snprintf(err, errlen, "%s is not a libpoints ledger: it "
			    "holds another application's %s (%d of its objects "
			    "are not a ledger's); it was left as it was", path,
			    other, objects - ours);
		return POINTS_EINVAL;
	}
	if (!create && !meta) {
		if (errlen)
			snprintf(err, errlen, "%s: no ledger there (%s); "
			    "mode=rw opens an existing ledger only", path,
			    objects ? "an unfinished one" :
			    "an empty database");
		return POINTS_ENOTFOUND;
	}
	return POINTS_OK;
}

/* sqlite3_threadsafe(), unless a test stands in for it (store.h). */
int (*points_sqlite__threadsafe)(void) = sqlite3_threadsafe;

int
points_sqlite__new(const char *path, const char *opts,
    points_store **out, int *existing, char *err, size_t errlen)
{
	sql_store *s;
	sql_opts o;
	int rc;

	if (errlen)
		err[0] = '\0';
	if (!path || !*path || !out)
		return POINTS_EINVAL;
	if ((rc = parse_opts(opts, &o, err, errlen)))
		return rc;
	/* Each connection is opened SQLITE_OPEN_NOMUTEX, for one thread at
	 * a time, while other threads use their own: a SQLite built with
	 * SQLITE_THREADSAFE=0 has no locks at all, and would corrupt its
	 * own state under two handles in two threads.  Refuse it here rather
	 * than fail later, where no one could tell why. */
	if (points_sqlite__threadsafe() == 0) {
		if (errlen)
			snprintf(err, errlen, "%s: SQLite %s was built "
			    "single-threaded (SQLITE_THREADSAFE=0); libpoints "
			    "needs a thread-safe SQLite", path,
			    sqlite3_libversion());
		return POINTS_ESTORAGE;
	}
	if (!(s = points_alloc__calloc(1, sizeof(*s))))
		return POINTS_ENOMEM;
	s->base.version = POINTS_STORE_VERSION;
	s->base.name = "sqlite";
	s->base.keyspace = sql_keyspace;
	s->base.begin = sql_begin;
	s->base.commit = sql_commit;
	s->base.rollback = sql_rollback;
	s->base.get = sql_get;
	s->base.put = sql_put;
	s->base.del = sql_del;
	s->base.cursor_open = sql_cursor_open;
	s->base.cursor_next = sql_cursor_next;
	s->base.cursor_close = sql_cursor_close;
	s->base.close = sql_close;
	s->base.errmsg = sql_errmsg;
	s->base.get_many = sql_get_many;
	s->base.savepoint = sql_savepoint;
	s->base.release = sql_release;
	s->base.rollback_to = sql_rollback_to;
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    (o.create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK && !o.create && (rc & 0xff) == SQLITE_CANTOPEN) {
		/* mode=rw: a file that is not there holds no ledger */
		if (errlen)
			snprintf(err, errlen, "%s: no ledger there (no such "
			    "file); mode=rw opens an existing ledger only", path);
		sql_close(&s->base);
		return POINTS_ENOTFOUND;
	}
	if (rc != SQLITE_OK) {
		if (s->db)
			sql_fail(s, rc, "open");
		else
			snprintf(s->errmsg, sizeof(s->errmsg), "open: %s",
			    sqlite3_errstr(rc));
		rc = map_rc(rc);
	} else {
		/* another process may be writing: wait as for any read */
		sqlite3_busy_timeout(s->db, o.busy_ms);
		rc = check_ledger_file(s, path, o.create, err, errlen);
		if (rc == POINTS_EINVAL || rc == POINTS_ENOTFOUND) {
			sql_close(&s->base);
			return rc;
		}
		if (rc == POINTS_OK)
			rc = configure(s, &o);
	}
	if (rc != POINTS_OK) {
		if (errlen)
			snprintf(err, errlen, "%s: %s", path, s->errmsg);
		sql_close(&s->base);
		return rc;
	}
	if (existing)
		*existing = !o.create;
	*out = &s->base;
	return POINTS_OK;
}

/* ---- Backups (report/backup.c) ----
 * SQLite's online backup API copies a database's pages from one
 * connection to another.  In one step (-1) it copies them all under one
 * read transaction of the source, so the copy is the ledger at one
 * moment, whatever other connections write meanwhile; and it writes them
 * in one transaction of the destination, so a copy that fails part way
 * leaves the destination as it was. */

int
points_sqlite__is(const points_store *s)
{
	return s && s->close == sql_close;
}

/* Every page of src's main database into dst's, in one step. */
static int
copy_pages(sqlite3 *dst, sqlite3 *src, char *err, size_t errlen)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	int rc;

	if (!b) {
		rc = sqlite3_extended_errcode(dst);
		snprintf(err, errlen, "%s", sqlite3_errmsg(dst));
		return map_rc(rc);
	}
	rc = sqlite3_backup_step(b, -1);
	/* finish gives the step's error, or its own */
	if (sqlite3_backup_finish(b) != SQLITE_OK && rc == SQLITE_DONE)
		rc = sqlite3_extended_errcode(dst);
	if (rc == SQLITE_DONE)
		return POINTS_OK;
	snprintf(err, errlen, "%s", sqlite3_errstr(rc));
	return map_rc(rc);
}

/* Open path for a copy: from (read only) or to (created). */
static int
open_file(const char *path, int to, sqlite3 **out, char *err, size_t errlen)
{
	int rc = sqlite3_open_v2(path, out, to ? SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX : SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL);

	if (rc == SQLITE_OK) {
		/* a writer elsewhere: wait as a ledger's reads do */
		sqlite3_busy_timeout(*out, 5000);
		return POINTS_OK;
	}
	snprintf(err, errlen, "%s: %s", path, *out ? sqlite3_errmsg(*out) :
	    sqlite3_errstr(rc));
	sqlite3_close(*out);
	*out = NULL;
	return map_rc(rc);
}

int
points_sqlite__backup(points_store *st, const char *path, char *err,
    size_t errlen)
{
	sql_store *s = (sql_store *)st;
	sqlite3 *dst;
	int rc;

	if ((rc = open_file(path, 1, &dst, err, errlen)))
		return rc;
	rc = copy_pages(dst, s->db, err, errlen);
	if (sqlite3_close(dst) != SQLITE_OK && rc == POINTS_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(dst));
		rc = POINTS_ESTORAGE;
	}
	return rc;
}

int
points_sqlite__restore(points_store *st, const char *from, char *err,
    size_t errlen)
{
	sql_store *s = (sql_store *)st;
	sqlite3 *src;
	int rc;

	if ((rc = open_file(from, 0, &src, err, errlen)))
		return rc;
	rc = copy_pages(s->db, src, err, errlen);
	sqlite3_close(src);
	return rc;
}
