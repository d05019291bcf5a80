/* testutil.c - shared fixtures and invariant checks; see testutil.h. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "core/db.h"
#include "core/asset.h"
#include "core/balance.h"
#include "ledger/entry.h"
#include "util/codec.h"

int64_t tu_now = TU_T0;

static int64_t
tu_clock(void *ctx)
{
	(void)ctx;
	return tu_now;
}

/* ---- The backend under test ---- */

/* 0: memory, 1: sqlite, 2: pg (POINTS_TEST_PG_URI names the server, a
 * postgresql:// URI with a '?'; each ledger gets a schema of its own). */
static int
tu_backend(void)
{
	const char *s = getenv("POINTS_TEST_STORE");

	if (!s || !*s || strcmp(s, "memory") == 0)
		return 0;
	if (strcmp(s, "sqlite") == 0)
		return 1;
	if (strcmp(s, "pg") == 0) {
		s = getenv("POINTS_TEST_PG_URI");
		if (s && strncmp(s, "postgresql://", 13) == 0 &&
		    strchr(s, '?'))
			return 2;
		fprintf(stderr, "POINTS_TEST_STORE=pg: POINTS_TEST_PG_URI "
		    "must be a postgresql:// URI with a '?'\n");
		exit(EXIT_FAILURE);
	}
	fprintf(stderr, "POINTS_TEST_STORE=%s: not memory, sqlite or pg\n",
	    s);
	exit(EXIT_FAILURE);
}

int
tu_backend_sqlite(void)
{
	return tu_backend() == 1;
}

int
tu_backend_pg(void)
{
	return tu_backend() == 2;
}

/* The ledgers of an SQLite run live in one directory, made by tu_run
 * before the tests fork and removed by it after them (or at exit when
 * a test opens one without tu_run), so a crashed test leaves nothing. */
static char tu_dir[64];
static unsigned long tu_nfiles;

static void
tu_dir_remove(void)
{
	DIR *d;
	struct dirent *e;
	char p[384];

	if (!tu_dir[0] || !(d = opendir(tu_dir)))
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(p, sizeof(p), "%s/%s", tu_dir, e->d_name);
			unlink(p);
		}
	closedir(d);
	rmdir(tu_dir);
	tu_dir[0] = '\0';
}

static void
tu_dir_make(void)
{
	if (tu_dir[0])
		return;
	strcpy(tu_dir, "/tmp/points-suite-XXXXXX");
	if (!mkdtemp(tu_dir)) {
		perror("mkdtemp");
		exit(EXIT_FAILURE);
	}
}

const char *
tu_uri(const char *uri)
{
	static char buf[8][256];
	static unsigned slot;
	char *u;

	if (strcmp(uri, TU_MEMORY) == 0)
		return "memory:";
	if (strcmp(uri, "memory:") != 0 || tu_backend() == 0)
		return uri;
	if (tu_backend() == 2) {
		u = buf[slot++ % 8];
		snprintf(u, sizeof(buf[0]), "%s&schema=t%ld_%lu",
		    getenv("POINTS_TEST_PG_URI"), (long)getpid(), ++tu_nfiles);
		return u;
	}
	if (!tu_dir[0]) {
		tu_dir_make();
		atexit(tu_dir_remove);
	}
	/* A test's ledger needs no fsync: crash tests name their own. */
	u = buf[slot++ % 8];
	snprintf(u, sizeof(buf[0]), "sqlite:%s/%ld-%lu.db?sync=off", tu_dir,
	    (long)getpid(), ++tu_nfiles);
	return u;
}

points_db *
tu_open_bare(const char *uri)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *db = NULL;
	int rc;

	uri = tu_uri(uri);
	o.clock = tu_clock;
	rc = points_open(uri, &o, &db);
	ck_assert_msg(rc == POINTS_OK, "open %s: %s", uri, points_errmsg(db));
	return db;
}

points_db *
tu_open(const char *uri)
{
	points_db *db = tu_open_bare(uri);

	ck_assert_int_eq(points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "EXP", 0, POINTS_EXPIRE_DAYS,
	    365), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "YE", 2,
	    POINTS_EXPIRE_YEAR_END, 1), POINTS_OK);
	return db;
}

static char tu_path[64];
static char tu_sqlite_buf[96];

const char *
tu_sqlite_uri(void)
{
	int fd;

	tu_cleanup();
	strcpy(tu_path, "/tmp/points-test-XXXXXX");
	fd = mkstemp(tu_path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(tu_path);
	snprintf(tu_sqlite_buf, sizeof(tu_sqlite_buf), "sqlite:%s", tu_path);
	return tu_sqlite_buf;
}

void
tu_cleanup(void)
{
	char p[80];

	if (!tu_path[0])
		return;
	unlink(tu_path);
	snprintf(p, sizeof(p), "%s-wal", tu_path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", tu_path);
	unlink(p);
	tu_path[0] = '\0';
}

int64_t
tu_account(points_db *db, const char *ext)
{
	int64_t id = 0;
	int rc = points_account_create(db, ext, ext, 0, &id);

	ck_assert_msg(rc == POINTS_OK, "create %s: %s", ext, points_errmsg(db));
	return id;
}

int64_t
tu_first_user(void)
{
	return points_entry__partitions_new > 1 ? 5 : 4;
}

int64_t
tu_account_near(points_db *db, const char *ext, int64_t near)
{
	int64_t parts = points_entry__partitions_new > 1 ?
	    points_entry__partitions_new : 1, id = tu_account(db, ext);
	char name[POINTS_EXTID_MAX + 1];
	int n = 2;

	while (id % parts != near % parts) {
		snprintf(name, sizeof(name), "%s-%d", ext, n++);
		id = tu_account(db, name);
	}
	return id;
}

points_posting
tu_posting(const char *asset, int64_t account, int64_t amount)
{
	points_posting p = POINTS_POSTING_INIT;

	p.asset = asset;
	p.account = account;
	p.amount = amount;
	return p;
}

int
tu_reverse(points_db *db, const char *txn_id, int64_t amount,
    const char *memo, const char *key, points_txn *out)
{
	points_reversal r = POINTS_REVERSAL_INIT;

	r.txn_id = txn_id;
	r.amount = amount;
	r.memo = memo;
	r.idempotency_key = key;
	return points_reverse(db, &r, out);
}

int
tu_capture(points_db *db, const char *hold_id, int64_t amount, int64_t to,
    const char *memo, points_txn *out)
{
	points_capture c = POINTS_CAPTURE_INIT;

	c.hold_id = hold_id;
	c.amount = amount;
	c.to = to;
	c.memo = memo;
	return points_hold_capture(db, &c, out);
}

int
tu_release(points_db *db, const char *hold_id, const char *memo,
    points_txn *out)
{
	points_release r = POINTS_RELEASE_INIT;

	r.hold_id = hold_id;
	r.memo = memo;
	return points_hold_release(db, &r, out);
}

int
tu_earn(points_db *db, int64_t acct, const char *asset, int64_t amount,
    points_txn *out)
{
	points_posting p = tu_posting(asset, acct, amount);
	points_txn t;

	return points_earn(db, &p, out ? out : &t);
}

int
tu_spend(points_db *db, int64_t acct, const char *asset, int64_t amount,
    points_txn *out)
{
	points_posting p = tu_posting(asset, acct, amount);
	points_txn t;

	return points_spend(db, &p, out ? out : &t);
}

int64_t
tu_available(points_db *db, int64_t acct, const char *asset)
{
	points_balance b;
	int rc = points_balance_get(db, acct, asset, &b);

	ck_assert_msg(rc == POINTS_OK, "balance: %s", points_errmsg(db));
	return b.available;
}

/* The stored available + held of a balance, after checking that the
 * read (b) shows it less its past-due lots, which count as expired. */
static int64_t
stored_vs_read(points_db *db, int64_t account, const char *asset,
    const points_balance *b)
{
	points_asset_rec a;
	points_balance_rec r;
	int64_t today = points_db__day(db, points_now(db)), due = 0, sum;
	int64_t left, pend;
	size_t i;

	TU_EQ(points_db__read_begin(db), POINTS_OK);
	TU_EQ(points_asset__find(db, asset, &a), POINTS_OK);
	points_balance__init(&r, account, a.id, 0);
	TU_EQ(points_balance__load(db, &r), POINTS_OK);
	/* spilled lots too (core/lot_spill.h): all of them, in day order */
	TU_EQ(points_balance__load_spilled(db, &r, 0, 0), POINTS_OK);
	/* a system account's records in other log partitions (balance.h,
	 * shards) hold the rest of it (none: a user account) */
	TU_EQ(points_balance__others(db, &r), POINTS_OK);
	TU_EQ(points_balance__total_available(db, &r,
	    &r.available), POINTS_OK);
	points_db__read_end(db);
	for (i = 0; i < r.lots.n && (int64_t)r.lots.v[i].day < today; i++)
		due += r.lots.v[i].amount;
	/* pending points (balance.h): in the stored available, shown
	 * apart, never more than what is left */
	left = r.available - due > 0 ? r.available - due : 0;
	pend = points_balance__locked(&r, today);
	TU_ASSERT(b->pending == (pend < left ? pend : left),
	    "account %lld in %s: pending %lld, stored %lld, %lld left",
	    (long long)account, asset, (long long)b->pending,
	    (long long)pend, (long long)left);
	TU_ASSERT(b->available + b->pending == r.available - due &&
	    b->expired == r.expired + due && b->held == r.held,
	    "account %lld in %s: read %lld/%lld expired %lld, stored "
	    "%lld/%lld expired %lld, %lld past due", (long long)account,
	    asset, (long long)b->available, (long long)b->held,
	    (long long)b->expired, (long long)r.available, (long long)r.held,
	    (long long)r.expired, (long long)due);
	sum = r.available + r.held;
	points_balance__free(&r);
	return sum;
}

void
tu_invariants(points_db *db)
{
	static const char *const assets[] = { "PTS", "EXP", "YE" };
	points_verify_report rep;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(assets) / sizeof(assets[0]); i++) {
		points_asset a;
		points_account_iterator *it;
		points_account acct;
		int64_t sum = 0;

		if (points_asset_get(db, assets[i], &a) != POINTS_OK)
			continue;
		TU_EQ(points_account_iterator_new(db, 0, &it),
		    POINTS_OK);
		while ((rc = points_account_next(it, &acct)) == POINTS_OK) {
			points_balance b;
			points_lot_iterator *li;
			points_lot lot;
			int64_t lots = 0;

			TU_EQ(points_balance_get(db, acct.id,
			    assets[i], &b), POINTS_OK);
			/* the stored balances sum to zero; a read shows
			 * past-due points gone before a write or the sweep
			 * posts their expiry; a debt counts below zero
			 * (README, "Refunds and debts") */
			sum += stored_vs_read(db, acct.id, assets[i], &b) -
			    b.debt;
			/* (unless a counter expiry moves saturated,
			 * balance.h; modulo 2^64 against overflow) */
			TU_ASSERT(b.earned == INT64_MAX ||
			    b.earned == INT64_MIN || b.expired == INT64_MAX ||
			    b.expired == INT64_MIN ||
			    (uint64_t)b.earned - (uint64_t)b.spent -
			    (uint64_t)b.expired == (uint64_t)b.available +
			    (uint64_t)b.pending +
			    (uint64_t)b.held - (uint64_t)b.debt, "account %s: "
			    "lifetime counters disagree with the balance",
			    acct.external_id);
			if (acct.flags & (POINTS_ACCOUNT_SYSTEM |
			    POINTS_ACCOUNT_ALLOW_NEGATIVE)) {
				TU_EQ(b.debt, 0);
				continue;
			}
			TU_ASSERT(b.debt >= 0 && (b.debt == 0 ||
			    (b.available == 0 && b.pending == 0)),
			    "account %s: debt %lld with %lld available, "
			    "%lld pending", acct.external_id,
			    (long long)b.debt, (long long)b.available,
			    (long long)b.pending);
			TU_ASSERT(b.available >= 0 && b.held >= 0,
			    "account %s negative in %s: %lld/%lld",
			    acct.external_id, assets[i],
			    (long long)b.available, (long long)b.held);
			TU_EQ(points_lot_iterator_new(db, acct.id,
			    assets[i], INT64_MAX, &li), POINTS_OK);
			while (points_lot_next(li, &lot) == POINTS_OK)
				lots += lot.amount;
			points_lot_iterator_free(li);
			/* pending points have their lots */
			TU_ASSERT(lots == b.available + b.pending,
			    "account %s: lots %lld != available %lld + "
			    "pending %lld", acct.external_id,
			    (long long)lots, (long long)b.available,
			    (long long)b.pending);
		}
		TU_EQ(rc, POINTS_ITEROVER);
		points_account_iterator_free(it);
		TU_ASSERT(sum == 0, "asset %s sums to %lld", assets[i],
		    (long long)sum);
	}
	rc = points_verify(db, &rep);
	TU_ASSERT(rc == POINTS_OK, "verify: %s", rep.message);
}

/* A dump's text, grown as it is written (fprintf to a memory stream
 * cost most of a fault loop's time under AddressSanitizer). */
typedef struct dumpbuf {
	char *p;
	size_t n, cap;
} dumpbuf;

static size_t dump_hint = 4096; /* the largest dump yet */

static void
dump_put(dumpbuf *d, const void *s, size_t n)
{
	if (d->n + n + 1 > d->cap) {
		size_t cap = d->cap ? d->cap : dump_hint;

		while (cap < d->n + n + 1)
			cap *= 2;
		d->p = realloc(d->p, cap);
		TU_ASSERT(d->p, "out of memory for a dump of %zu bytes", cap);
		d->cap = cap;
	}
	memcpy(d->p + d->n, s, n);
	d->n += n;
	d->p[d->n] = '\0';
}

/* n in decimal, then c */
static void
dump_len(dumpbuf *d, size_t n, char c)
{
	char t[24];
	size_t i = sizeof(t);

	t[--i] = c;
	do {
		t[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	dump_put(d, t + i, sizeof(t) - i);
}

/* Every keyspace, "[name]" on a line, then a line per record:
 * "<key length>:<key>=<value length>:<value>". */
static char *
dump_db(points_db *db, size_t *len, int own_txn)
{
	points_store *s = db->store;
	dumpbuf d = { NULL, 0, 0 };
	points_module *m;
	points_ksdef *const *ks;
	int rc;

	if (own_txn)
		TU_EQ(s->begin(s, 0), POINTS_OK);
	else
		TU_ASSERT(db->in_txn, "tu_dump_txn outside a transaction");
	dump_put(&d, "", 0);
	for (m = points_module__first(); m; m = m->next)
	for (ks = m->keyspaces; ks && *ks; ks++) {
		points_cursor *c;
		const void *k, *v;
		size_t kl, vl;

		dump_put(&d, "[", 1);
		dump_put(&d, (*ks)->name, strlen((*ks)->name));
		dump_put(&d, "]\n", 2);
		TU_EQ(s->cursor_open(s, db->ks[(*ks)->slot], NULL, 0, NULL, 0,
		    0, &c), POINTS_OK);
		while ((rc = s->cursor_next(s, c, &k, &kl, &v, &vl)) ==
		    POINTS_OK) {
			dump_len(&d, kl, ':');
			dump_put(&d, k, kl);
			dump_put(&d, "=", 1);
			dump_len(&d, vl, ':');
			dump_put(&d, v, vl);
			dump_put(&d, "\n", 1);
		}
		TU_EQ(rc, POINTS_ITEROVER);
		s->cursor_close(s, c);
	}
	if (own_txn)
		s->rollback(s);
	if (d.cap > dump_hint)
		dump_hint = d.cap;
	*len = d.n;
	return d.p;
}

char *
tu_dump(points_db *db, size_t *len)
{
	return dump_db(db, len, 1);
}

char *
tu_dump_txn(points_db *db, size_t *len)
{
	return dump_db(db, len, 0);
}

static char *snap_buf;
static size_t snap_len;

void
tu_snap(points_db *db)
{
	free(snap_buf);
	snap_buf = tu_dump(db, &snap_len);
}

void
tu_unchanged(points_db *db)
{
	size_t n;
	char *d = tu_dump(db, &n);

	ck_assert_msg(n == snap_len && memcmp(d, snap_buf, n) == 0,
	    "the ledger changed after a failed call");
	free(d);
}

void
tu_snap_free(void)
{
	free(snap_buf);
	snap_buf = NULL;
}

points_store *
tu_store(points_db *db)
{
	return db->store;
}

struct points_keyspace *
tu_keyspace(points_db *db, const char *name)
{
	points_module *m;
	points_ksdef *const *ks;

	for (m = points_module__first(); m; m = m->next)
		for (ks = m->keyspaces; ks && *ks; ks++)
			if (strcmp((*ks)->name, name) == 0)
				return db->ks[(*ks)->slot];
	ck_abort_msg("no keyspace %s", name);
	return NULL;
}

/* ---- A store that counts and calls hooks ---- */

#define SPY(s) ((tu_spy *)(s))

static void
spy_txn_end(tu_spy *s)
{
	if (s->txn_reads > s->max_reads)
		s->max_reads = s->txn_reads;
	if (s->txn_writes > s->max_writes)
		s->max_writes = s->txn_writes;
	s->txn_reads = s->txn_writes = 0;
}

static int
spy_keyspace(points_store *s, const char *name, unsigned int flags,
    points_keyspace **out)
{
	return SPY(s)->inner->keyspace(SPY(s)->inner, name, flags, out);
}

static int
spy_begin(points_store *s, int write)
{
	if (SPY(s)->on_begin)
		SPY(s)->on_begin(SPY(s), write);
	SPY(s)->begins[write != 0]++;
	return SPY(s)->inner->begin(SPY(s)->inner, write);
}

static int
spy_commit(points_store *s)
{
	int rc = SPY(s)->inner->commit(SPY(s)->inner);

	spy_txn_end(SPY(s));
	if (rc == POINTS_OK) {
		SPY(s)->commits++;
		if (SPY(s)->on_commit)
			SPY(s)->on_commit(SPY(s));
	}
	return rc;
}

static int
spy_rollback(points_store *s)
{
	spy_txn_end(SPY(s));
	return SPY(s)->inner->rollback(SPY(s)->inner);
}

static int
spy_get(points_store *s, points_keyspace *ks, const void *k, size_t kl,
    const void **v, size_t *vl)
{
	SPY(s)->reads++;
	SPY(s)->txn_reads++;
	return SPY(s)->inner->get(SPY(s)->inner, ks, k, kl, v, vl);
}

static int
spy_put(points_store *s, points_keyspace *ks, const void *k, size_t kl,
    const void *v, size_t vl)
{
	SPY(s)->writes++;
	SPY(s)->txn_writes++;
	return SPY(s)->inner->put(SPY(s)->inner, ks, k, kl, v, vl);
}

static int
spy_del(points_store *s, points_keyspace *ks, const void *k, size_t kl)
{
	SPY(s)->writes++;
	SPY(s)->txn_writes++;
	return SPY(s)->inner->del(SPY(s)->inner, ks, k, kl);
}

static int
spy_cursor_open(points_store *s, points_keyspace *ks, const void *lo,
    size_t lolen, const void *hi, size_t hilen, int reverse,
    points_cursor **out)
{
	return SPY(s)->inner->cursor_open(SPY(s)->inner, ks, lo, lolen, hi,
	    hilen, reverse, out);
}

static int
spy_cursor_next(points_store *s, points_cursor *c, const void **k,
    size_t *kl, const void **v, size_t *vl)
{
	SPY(s)->reads++;
	SPY(s)->txn_reads++;
	return SPY(s)->inner->cursor_next(SPY(s)->inner, c, k, kl, v, vl);
}

static void
spy_cursor_close(points_store *s, points_cursor *c)
{
	SPY(s)->inner->cursor_close(SPY(s)->inner, c);
}

static void
spy_close(points_store *s)
{
	(void)s; /* the inner store is the caller's */
}

void
tu_spy_init(tu_spy *s, points_store *inner)
{
	memset(s, 0, sizeof(*s));
	s->base.version = 1;
	s->base.name = "spy";
	s->base.keyspace = spy_keyspace;
	s->base.begin = spy_begin;
	s->base.commit = spy_commit;
	s->base.rollback = spy_rollback;
	s->base.get = spy_get;
	s->base.put = spy_put;
	s->base.del = spy_del;
	s->base.cursor_open = spy_cursor_open;
	s->base.cursor_next = spy_cursor_next;
	s->base.cursor_close = spy_cursor_close;
	s->base.close = spy_close;
	s->inner = inner;
}

/* ---- A failing allocator ---- */

static long alloc_n, alloc_fail;

static void *
tu_malloc(size_t n)
{
	if (alloc_fail && ++alloc_n == alloc_fail)
		return NULL;
	return malloc(n);
}

static void *
tu_realloc(void *p, size_t n)
{
	if (alloc_fail && ++alloc_n == alloc_fail)
		return NULL;
	return realloc(p, n);
}

static int64_t fault_stride, fault_offset; /* 0: not read yet */

static void
fault_points_read(void)
{
	const char *s = getenv("POINTS_TEST_FAULT_STRIDE");
	const char *o = getenv("POINTS_TEST_FAULT_OFFSET");

	fault_stride = s && atoi(s) > 1 ? atoi(s) : 1;
	if (o && atoi(o) >= 1 && atoi(o) <= fault_stride)
		fault_offset = atoi(o);
	else
		fault_offset = 1 + (int64_t)((unsigned)time(NULL) ^
		    (unsigned)getpid()) % fault_stride;
}

int64_t
tu_fault_next(int64_t n, int step)
{
	int64_t k = (n - 1) / step; /* n is point k of the loop */

	if (!fault_stride)
		fault_points_read();
	if (k < TU_FAULT_DENSE - 1)
		return n + step;
	if (k == TU_FAULT_DENSE - 1)
		return n + step * fault_offset;
	return n + step * fault_stride;
}

void
tu_alloc_fail_at(long n)
{
	alloc_n = 0;
	alloc_fail = n;
}

long
tu_alloc_count(void)
{
	return alloc_n;
}

void
tu_alloc_install(void)
{
	points_set_allocator(tu_malloc, tu_realloc, free);
}

void
tu_alloc_uninstall(void)
{
	tu_alloc_fail_at(0);
	points_set_allocator(NULL, NULL, NULL);
}

int
tu_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	const char *parts = getenv("POINTS_TEST_PARTITIONS");
	int failed;

	/* the ledgers the suite makes have their log in this many
	 * partitions (ledger/entry.h) */
	if (parts && atoi(parts) > 1) {
		points_entry__partitions_new = (unsigned)atoi(parts);
		printf("(log partitions: %u)\n", points_entry__partitions_new);
	} else {
		points_entry__partitions_new = 1; /* PostgreSQL's too */
	}
	fault_points_read();
	if (fault_stride > 1) {
		printf("(fault points: 1 to %d, then one in %lld from %lld: "
		    "POINTS_TEST_FAULT_OFFSET=%lld)\n",
		    TU_FAULT_DENSE, (long long)fault_stride,
		    (long long)(TU_FAULT_DENSE + fault_offset),
		    (long long)fault_offset);
		fflush(stdout);
	}
	if (tu_backend_sqlite()) {
		tu_dir_make();
		printf("(backend: sqlite, ledgers in %s)\n", tu_dir);
		fflush(stdout);
	} else if (tu_backend() == 2) {
		printf("(backend: pg, %s)\n", getenv("POINTS_TEST_PG_URI"));
		fflush(stdout);
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_dir_remove();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* ---- A version-1 store ---- */

/* A backend written against version 1 of the vtable: every call goes to
 * the store it wraps, but it has no errmsg and no get_many, and it is
 * never given the version-2 keyspace flags. */
typedef struct v1_store {
	points_store base;
	points_store *inner; /* owned */
} v1_store;

#define V1_INNER(s) (((v1_store *)(s))->inner)

static int
v1_keyspace(points_store *s, const char *name, unsigned int flags,
    points_keyspace **out)
{
	ck_assert_msg(!(flags & POINTS_KS_INT64),
	    "a version-1 store was given POINTS_KS_INT64 (%s)", name);
	ck_assert_msg(!(flags & POINTS_KS_REWRITTEN),
	    "a version-1 store was given POINTS_KS_REWRITTEN (%s)", name);
	return V1_INNER(s)->keyspace(V1_INNER(s), name, flags, out);
}

static int
v1_begin(points_store *s, int write)
{
	return V1_INNER(s)->begin(V1_INNER(s), write);
}

static int
v1_commit(points_store *s)
{
	return V1_INNER(s)->commit(V1_INNER(s));
}

static int
v1_rollback(points_store *s)
{
	return V1_INNER(s)->rollback(V1_INNER(s));
}

static int
v1_get(points_store *s, points_keyspace *ks, const void *key, size_t klen,
    const void **val, size_t *vlen)
{
	return V1_INNER(s)->get(V1_INNER(s), ks, key, klen, val, vlen);
}

static int
v1_put(points_store *s, points_keyspace *ks, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	return V1_INNER(s)->put(V1_INNER(s), ks, key, klen, val, vlen);
}

static int
v1_del(points_store *s, points_keyspace *ks, const void *key, size_t klen)
{
	return V1_INNER(s)->del(V1_INNER(s), ks, key, klen);
}

static int
v1_cursor_open(points_store *s, points_keyspace *ks, const void *lo,
    size_t lolen, const void *hi, size_t hilen, int reverse,
    points_cursor **out)
{
	return V1_INNER(s)->cursor_open(V1_INNER(s), ks, lo, lolen, hi, hilen,
	    reverse, out);
}

static int
v1_cursor_next(points_store *s, points_cursor *c, const void **key,
    size_t *klen, const void **val, size_t *vlen)
{
	return V1_INNER(s)->cursor_next(V1_INNER(s), c, key, klen, val, vlen);
}

static void
v1_cursor_close(points_store *s, points_cursor *c)
{
	V1_INNER(s)->cursor_close(V1_INNER(s), c);
}

static void
v1_close(points_store *s)
{
	if (!s)
		return;
	points_store_close(V1_INNER(s));
	free(s);
}

/* A struct compiled against version 1 ends at close: what lies past it
 * is the backend's own.  Here it traps, so that a library reading a
 * version-2 member of a version-1 store fails the test. */
static const char *
v1_past_the_end_errmsg(points_store *s)
{
	(void)s;
	ck_abort_msg("errmsg of a version-1 store was called");
	return NULL;
}

static int
v1_past_the_end_get_many(points_store *s, size_t n,
    points_keyspace *const *kss, const void *const *keys,
    const size_t *klens, const void **vals, size_t *vlens, int *rcs)
{
	(void)s, (void)n, (void)kss, (void)keys, (void)klens, (void)vals;
	(void)vlens, (void)rcs;
	ck_abort_msg("get_many of a version-1 store was called");
	return POINTS_ESTORAGE;
}

static int
v1_past_the_end_read_many(points_store *s, size_t n, points_store_read *r)
{
	(void)s, (void)n, (void)r;
	ck_abort_msg("read_many of a store before version 4 was called");
	return POINTS_ESTORAGE;
}

points_store *
tu_store_v1(points_store *inner)
{
	v1_store *v = calloc(1, sizeof(*v));

	ck_assert_ptr_nonnull(v);
	v->base.version = 1;
	v->base.name = "v1";
	v->base.keyspace = v1_keyspace;
	v->base.begin = v1_begin;
	v->base.commit = v1_commit;
	v->base.rollback = v1_rollback;
	v->base.get = v1_get;
	v->base.put = v1_put;
	v->base.del = v1_del;
	v->base.cursor_open = v1_cursor_open;
	v->base.cursor_next = v1_cursor_next;
	v->base.cursor_close = v1_cursor_close;
	v->base.close = v1_close;
	v->base.errmsg = v1_past_the_end_errmsg;
	v->base.get_many = v1_past_the_end_get_many;
	v->base.read_many = v1_past_the_end_read_many;
	v->inner = inner;
	return &v->base;
}

/* ---- A version-2 store ---- */

/* A backend written against version 2: errmsg and get_many go to the
 * store it wraps, but it has no savepoints, so a batch falls back to
 * losing itself when an operation fails after writing. */
static int
v2_keyspace(points_store *s, const char *name, unsigned int flags,
    points_keyspace **out)
{
	return V1_INNER(s)->keyspace(V1_INNER(s), name, flags, out);
}

static const char *
v2_errmsg(points_store *s)
{
	points_store *in = V1_INNER(s);

	return in->errmsg ? in->errmsg(in) : NULL;
}

static int
v2_get_many(points_store *s, size_t n, points_keyspace *const *kss,
    const void *const *keys, const size_t *klens, const void **vals,
    size_t *vlens, int *rcs)
{
	return V1_INNER(s)->get_many(V1_INNER(s), n, kss, keys, klens, vals,
	    vlens, rcs);
}

/* Past the end of a version-2 struct: trap, as for version 1. */
static int
v2_past_the_end_savepoint(points_store *s)
{
	(void)s;
	ck_abort_msg("a savepoint method of a version-2 store was called");
	return POINTS_ESTORAGE;
}

points_store *
tu_store_v2(points_store *inner)
{
	points_store *s = tu_store_v1(inner);

	ck_assert_uint_ge(inner->version, 2);
	s->version = 2;
	s->name = "v2";
	s->keyspace = v2_keyspace;
	s->errmsg = v2_errmsg;
	s->get_many = inner->get_many ? v2_get_many : NULL;
	s->savepoint = v2_past_the_end_savepoint;
	s->release = v2_past_the_end_savepoint;
	s->rollback_to = v2_past_the_end_savepoint;
	return s;
}

/* ---- A version-3 store ---- */

/* A backend written against version 3: savepoints too, but no
 * read_many, so the library reads a range with a cursor of its own. */
static int
v3_savepoint(points_store *s)
{
	return V1_INNER(s)->savepoint(V1_INNER(s));
}

static int
v3_release(points_store *s)
{
	return V1_INNER(s)->release(V1_INNER(s));
}

static int
v3_rollback_to(points_store *s)
{
	return V1_INNER(s)->rollback_to(V1_INNER(s));
}

points_store *
tu_store_v3(points_store *inner)
{
	points_store *s = tu_store_v2(inner);

	ck_assert_uint_ge(inner->version, 3);
	s->version = 3;
	s->name = "v3";
	s->savepoint = inner->savepoint ? v3_savepoint : NULL;
	s->release = inner->savepoint ? v3_release : NULL;
	s->rollback_to = inner->savepoint ? v3_rollback_to : NULL;
	return s;
}

/* ---- Raw stores ---- */

char *
tu_store_dump(points_store *s, size_t *len)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	points_module *m;
	points_ksdef *const *kd;
	int rc;

	ck_assert_ptr_nonnull(f);
	for (m = points_module__first(); m; m = m->next)
	for (kd = m->keyspaces; kd && *kd; kd++) {
		points_keyspace *ks;
		points_cursor *c;
		const void *k, *v;
		size_t kl, vl;
		unsigned flags = (*kd)->flags;

		if (s->version < 2)
			flags &= ~POINTS_KS_INT64;
		if (s->version < 5)
			flags &= ~POINTS_KS_REWRITTEN;
		ck_assert_int_eq(s->keyspace(s, (*kd)->name, flags, &ks),
		    POINTS_OK);
		ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
		fprintf(f, "[%s]\n", (*kd)->name);
		ck_assert_int_eq(s->cursor_open(s, ks, NULL, 0, NULL, 0, 0, &c),
		    POINTS_OK);
		while ((rc = s->cursor_next(s, c, &k, &kl, &v, &vl)) ==
		    POINTS_OK) {
			fprintf(f, "%zu:", kl);
			fwrite(k, 1, kl, f);
			fprintf(f, "=%zu:", vl);
			fwrite(v, 1, vl, f);
			fputc('\n', f);
		}
		ck_assert_int_eq(rc, POINTS_ITEROVER);
		s->cursor_close(s, c);
		s->rollback(s);
	}
	fclose(f);
	*len = n;
	return out;
}

/* Format 1 of the balance module: keyspace "balance", keys account
 * (be64) + asset (be32). */
void
tu_balances_to_format_1(points_store *s)
{
	points_keyspace *bal, *old, *meta;
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl, n = 0, i, cap = 0;
	unsigned char (*keys)[8] = NULL, **vals = NULL;
	size_t *vlens = NULL;
	int rc;

	ck_assert_int_eq(s->keyspace(s, "bal", s->version >= 5 ?
	    POINTS_KS_INT64 | POINTS_KS_REWRITTEN : s->version >= 2 ?
	    POINTS_KS_INT64 : 0, &bal), POINTS_OK);
	ck_assert_int_eq(s->keyspace(s, "balance", 0, &old), POINTS_OK);
	ck_assert_int_eq(s->keyspace(s, "meta", 0, &meta), POINTS_OK);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->cursor_open(s, bal, NULL, 0, NULL, 0, 0, &c),
	    POINTS_OK);
	while ((rc = s->cursor_next(s, c, &k, &kl, &v, &vl)) == POINTS_OK) {
		ck_assert_uint_eq(kl, 8);
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			keys = realloc(keys, cap * sizeof(*keys));
			vals = realloc(vals, cap * sizeof(*vals));
			vlens = realloc(vlens, cap * sizeof(*vlens));
			ck_assert(keys && vals && vlens);
		}
		memcpy(keys[n], k, 8);
		ck_assert_ptr_nonnull(vals[n] = malloc(vl + 1));
		memcpy(vals[n], v, vl);
		vlens[n++] = vl;
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	s->cursor_close(s, c);
	for (i = 0; i < n; i++) {
		uint64_t x = points_codec__get_be64(keys[i]);
		unsigned char k12[12];

		points_codec__put_be64(k12, x >> 16);
		points_codec__put_be32(k12 + 8, (uint32_t)(x & 0xffff));
		ck_assert_int_eq(s->put(s, old, k12, 12, vals[i], vlens[i]),
		    POINTS_OK);
		ck_assert_int_eq(s->del(s, bal, keys[i], 8), POINTS_OK);
		free(vals[i]);
	}
	ck_assert_int_eq(s->put(s, meta, "module:balance", 14, "\x01", 1),
	    POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	free(keys);
	free(vals);
	free(vlens);
}

/* Rewrite value byte at (account record: the flags after version, four
 * strings and status) to flags; a short record's strings have one-byte
 * lengths. */
static void
set_account_flags_v1(points_store *s, points_keyspace *acct, int64_t id,
    unsigned char flags)
{
	unsigned char k[8], buf[512];
	const void *v;
	size_t vl, off = 1;
	int i;

	points_codec__put_be64(k, (uint64_t)id);
	ck_assert_int_eq(s->get(s, acct, k, 8, &v, &vl), POINTS_OK);
	ck_assert_uint_le(vl, sizeof(buf));
	memcpy(buf, v, vl);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_lt(buf[off], 128);
		off += 1 + buf[off];
	}
	off++; /* status */
	ck_assert_uint_lt(off, vl);
	buf[off] = flags;
	ck_assert_int_eq(s->put(s, acct, k, 8, buf, vl), POINTS_OK);
}

void
tu_ledger_to_0_1_0(points_store *s)
{
	points_keyspace *old, *acct, *meta;
	points_cursor *c;
	unsigned char lo[8], hi[8], keys[64][12], vals[64][256];
	size_t vlens[64], n = 0, i;
	const void *k, *v;
	size_t kl, vl;
	int64_t id;
	int rc;

	tu_balances_to_format_1(s);
	ck_assert_int_eq(s->keyspace(s, "balance", 0, &old), POINTS_OK);
	ck_assert_int_eq(s->keyspace(s, "account", 0, &acct), POINTS_OK);
	ck_assert_int_eq(s->keyspace(s, "meta", 0, &meta), POINTS_OK);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	/* 0.1.0 let the sink (2) and the expiry account (3) go negative:
	 * flags SYSTEM | ALLOW_NEGATIVE in their records and balances */
	for (id = POINTS_ACCOUNT_SINK; id <= POINTS_ACCOUNT_EXPIRY; id++)
		set_account_flags_v1(s, acct, id, POINTS_ACCOUNT_SYSTEM |
		    POINTS_ACCOUNT_ALLOW_NEGATIVE);
	points_codec__put_be64(lo, POINTS_ACCOUNT_SINK);
	points_codec__put_be64(hi, POINTS_ACCOUNT_EXPIRY + 1);
	ck_assert_int_eq(s->cursor_open(s, old, lo, 8, hi, 8, 0, &c),
	    POINTS_OK);
	while ((rc = s->cursor_next(s, c, &k, &kl, &v, &vl)) == POINTS_OK) {
		ck_assert_uint_eq(kl, 12);
		ck_assert_uint_lt(n, 64);
		ck_assert_uint_le(vl, sizeof(vals[0]));
		memcpy(keys[n], k, 12);
		memcpy(vals[n], v, vl);
		vlens[n++] = vl;
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	s->cursor_close(s, c);
	for (i = 0; i < n; i++) {
		/* flags << 2 | status, one byte: SYSTEM, active */
		ck_assert_uint_eq(vals[i][1], POINTS_ACCOUNT_SYSTEM << 2);
		vals[i][1] = (POINTS_ACCOUNT_SYSTEM |
		    POINTS_ACCOUNT_ALLOW_NEGATIVE) << 2;
		ck_assert_int_eq(s->put(s, old, keys[i], 12, vals[i],
		    vlens[i]), POINTS_OK);
	}
	ck_assert_int_eq(s->put(s, meta, "module:account", 14, "\x01", 1),
	    POINTS_OK);
	ck_assert_int_eq(s->put(s, meta, "module:ledger", 13, "\x01", 1),
	    POINTS_OK);
	/* the ledger's own format 1 kept no settings */
	ck_assert_int_eq(s->put(s, meta, "format", 6, "\x01", 1), POINTS_OK);
	ck_assert_int_eq(s->del(s, meta, "utc_offset", 10), POINTS_OK);
	/* assets without policies (their records are version 1 as long as
	 * the policy is the default), and no transfer counters */
	ck_assert_int_eq(s->put(s, meta, "module:asset", 12, "\x01", 1),
	    POINTS_OK);
	rc = s->del(s, meta, "module:policy", 13);
	ck_assert(rc == POINTS_OK || rc == POINTS_ENOTFOUND);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

size_t
tu_record_set(const void *v, size_t vl, const char *layout, int field,
    int64_t value, unsigned char *out, size_t cap)
{
	points_rd r;
	points_buf b;
	const unsigned char *at = NULL;
	const char *str;
	size_t n;
	int i;

	points_rd__init(&r, v, vl);
	for (i = 0; layout[i]; i++) {
		if (i == field)
			at = r.p;
		switch (layout[i]) {
		case 'u': points_rd__u8(&r); break;
		case 'v': points_rd__svar(&r); break;
		case 'w': points_rd__uvar(&r); break;
		case 's': points_rd__strref(&r, &str, &n); break;
		default: ck_abort_msg("layout '%s': '%c'", layout, layout[i]);
		}
		if (i == field)
			break;
	}
	ck_assert_msg(at && !r.err, "layout '%s' does not fit the record "
	    "(field %d)", layout, field);
	points_buf__init(&b);
	switch (layout[field]) {
	case 'u': points_buf__u8(&b, (unsigned)value); break;
	case 'v': points_buf__svar(&b, value); break;
	case 'w': points_buf__uvar(&b, (uint64_t)value); break;
	default: ck_abort_msg("field %d is a string", field);
	}
	ck_assert(!b.err);
	n = (size_t)(at - (const unsigned char *)v);
	ck_assert_uint_le(n + b.len + (size_t)(r.end - r.p), cap);
	memcpy(out, v, n);
	memcpy(out + n, b.data, b.len);
	memcpy(out + n + b.len, r.p, (size_t)(r.end - r.p));
	n += b.len + (size_t)(r.end - r.p);
	points_buf__free(&b);
	return n;
}

size_t
tu_raw_get(points_db *db, const char *ks, const void *k, size_t kl,
    void *v, size_t cap)
{
	points_store *s = tu_store(db);
	const void *p;
	size_t n;

	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->get(s, tu_keyspace(db, ks), k, kl, &p, &n),
	    POINTS_OK);
	ck_assert_uint_le(n, cap);
	memcpy(v, p, n);
	s->rollback(s);
	return n;
}

void
tu_raw_put(points_db *db, const char *ks, const void *k, size_t kl,
    const void *v, size_t vl)
{
	points_store *s = tu_store(db);

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, tu_keyspace(db, ks), k, kl, v, vl),
	    POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}
