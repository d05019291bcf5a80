/* check_store.c - the storage conformance suite: the same cases against
 * every backend (memory, sqlite, and the fault wrapper, disarmed, around
 * each), then what is particular to each backend and to the wrapper. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "points.h"
#include "points/sys/store.h"
#include "points/sys/fault.h"
#include "store/store.h"
#include "testutil.h"

#define OK(x) ck_assert_int_eq((x), POINTS_OK)

enum { B_MEMORY, B_SQLITE, B_FAULT_MEMORY, B_FAULT_SQLITE, NBACKEND, B_PG,
	B_FAULT_PG };

/* The backends the conformance cases run against: built with TEST_PG
 * (make check-pg), the PostgreSQL store, bare and in the fault wrapper,
 * on the server POINTS_TEST_PG names; else the built-in ones. */
#ifdef TEST_PG
#include <sys/wait.h>

#include <libpq-fe.h>
#include "pg/pg.h"
#define BE_FIRST B_PG
#define BE_END (B_FAULT_PG + 1)
#else
#define BE_FIRST 0
#define BE_END NBACKEND
#endif

static char tmpdir[64];
static char dbpath[128];
static points_store *inner; /* the backend */
static points_store *st;    /* what the cases use: inner or a wrapper */
static points_keyspace *ks, *ks2, *iks, *nks;

/* ---- Fixture ---- */

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/check_store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	snprintf(dbpath, sizeof(dbpath), "%s/t.db", tmpdir);
}

static void
be_close(void)
{
	if (st && st != inner)
		points_store_close(st);
	points_store_close(inner);
	st = inner = NULL;
	ks = ks2 = iks = nks = NULL;
}

static void
teardown(void)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[160];
	size_t i;

	be_close();
	points_set_allocator(NULL, NULL, NULL);
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", dbpath, sfx[i]);
		unlink(p);
	}
	rmdir(tmpdir);
}

static void
sqlite_uri(char *out, size_t n, const char *opts)
{
	snprintf(out, n, "sqlite:%s%s%s", dbpath, opts ? "?" : "",
	    opts ? opts : "");
}

#ifdef TEST_PG
/* Drop schema (and what is in it) from the test server, so that a test
 * starts from nothing however often the suite runs on one server. */
static void
pg_drop_schema(const char *schema)
{
	const char *ci = getenv("POINTS_TEST_PG");
	char sql[160];
	PGconn *c;
	PGresult *r;

	ck_assert_msg(ci != NULL, "POINTS_TEST_PG names no server");
	c = PQconnectdb(ci);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	snprintf(sql, sizeof(sql), "SET client_min_messages = warning; "
	    "DROP SCHEMA IF EXISTS %s CASCADE", schema);
	r = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s",
	    PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

/* A store on an empty schema of the test server. */
static void
pg_open(void)
{
	char err[256];

	pg_drop_schema("conformance");
	ck_assert_msg(points_store_pg_open(getenv("POINTS_TEST_PG"),
	    "conformance", &inner, err, sizeof(err)) == POINTS_OK, "%s", err);
}
#endif

static void
be_open(int b)
{
	char uri[200];

	if (b == B_MEMORY || b == B_FAULT_MEMORY)
		OK(points_store_open("memory:", &inner));
#ifdef TEST_PG
	else if (b == B_PG || b == B_FAULT_PG)
		pg_open();
#endif
	else {
		sqlite_uri(uri, sizeof(uri), NULL);
		OK(points_store_open(uri, &inner));
	}
	if (b == B_FAULT_MEMORY || b == B_FAULT_SQLITE || b == B_FAULT_PG)
		OK(points_store_fault_new(inner, &st));
	else
		st = inner;
	OK(st->keyspace(st, "main", 0, &ks));
	OK(st->keyspace(st, "other", 0, &ks2));
	OK(st->keyspace(st, "log", POINTS_KS_INTKEY, &iks));
	OK(st->keyspace(st, "nums", POINTS_KS_INT64, &nks));
}

/* ---- Helpers ---- */

static void
put(points_keyspace *k, const void *key, size_t kl, const void *v, size_t vl)
{
	OK(st->put(st, k, key, kl, v, vl));
}

static void
put_s(points_keyspace *k, const char *key, const char *v)
{
	put(k, key, strlen(key), v, strlen(v));
}

/* Value of key as a NUL-terminated copy in buf, or NULL when missing. */
static char *
get_s(points_keyspace *k, const void *key, size_t kl, char *buf, size_t n)
{
	const void *v;
	size_t vl;
	int rc = st->get(st, k, key, kl, &v, &vl);

	if (rc == POINTS_ENOTFOUND)
		return NULL;
	OK(rc);
	ck_assert_uint_lt(vl, n);
	memcpy(buf, v, vl);
	buf[vl] = '\0';
	return buf;
}

static void
be64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)(v & 0xff);
}

/* A growable string. */
typedef struct sbuf {
	char *p;
	size_t n, cap;
} sbuf;

static void
sb_add(sbuf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		ck_assert_ptr_nonnull(b->p);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
sb_hex(sbuf *b, const void *p, size_t n)
{
	const unsigned char *u = p;
	char h[3];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(h, sizeof(h), "%02x", u[i]);
		sb_add(b, h, 2);
	}
}

static void
sb_row(sbuf *b, const void *k, size_t kl, const void *v, size_t vl)
{
	sb_hex(b, k, kl);
	sb_add(b, "=", 1);
	sb_hex(b, v, vl);
	sb_add(b, ";", 1);
}

/* Every row of k in range [lo, hi) as "key=value;" in hex, in cursor
 * order; inside the open transaction, or a read one of its own. */
static char *
dump_range(points_keyspace *k, const void *lo, size_t lolen, const void *hi,
    size_t hilen, int reverse, int own_txn)
{
	points_cursor *c;
	const void *key, *v;
	size_t kl, vl;
	sbuf b = { NULL, 0, 0 };
	int rc;

	if (own_txn)
		OK(st->begin(st, 0));
	OK(st->cursor_open(st, k, lo, lolen, hi, hilen, reverse, &c));
	sb_add(&b, "", 0);
	while ((rc = st->cursor_next(st, c, &key, &kl, &v, &vl)) == POINTS_OK)
		sb_row(&b, key, kl, v, vl);
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	/* Stays at the end. */
	ck_assert_int_eq(st->cursor_next(st, c, &key, &kl, &v, &vl),
	    POINTS_ITEROVER);
	st->cursor_close(st, c);
	if (own_txn)
		OK(st->rollback(st));
	return b.p;
}

static char *
dump(points_keyspace *k, int own_txn)
{
	return dump_range(k, NULL, 0, NULL, 0, 0, own_txn);
}

/* Compare dumps; on a mismatch show where, not megabytes of text. */
static void
ck_dump_eq(char *got, const char *want)
{
	size_t i = 0;

	while (got[i] && got[i] == want[i])
		i++;
	ck_assert_msg(got[i] == want[i],
	    "dumps differ at byte %zu: got '%.60s', want '%.60s'", i,
	    got + (i > 20 ? i - 20 : 0), want + (i > 20 ? i - 20 : 0));
	free(got);
}

/* memcmp order, shorter first on an equal prefix. */
static int
keycmp(const void *a, size_t al, const void *b, size_t bl)
{
	size_t n = al < bl ? al : bl;
	int c = n ? memcmp(a, b, n) : 0;

	return c ? c : (al > bl) - (al < bl);
}

/* A reference model: rows kept sorted. */
#define MODEL_MAX 4096
#define KMAX 24
#define VMAX 300
typedef struct mrow {
	unsigned char k[KMAX];
	size_t kl;
	unsigned char v[VMAX];
	size_t vl;
} mrow;
typedef struct model {
	mrow r[MODEL_MAX];
	int n;
} model;

static int
model_find(const model *m, const void *k, size_t kl, int *at)
{
	int lo = 0, hi = m->n;

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		int c = keycmp(m->r[mid].k, m->r[mid].kl, k, kl);

		if (c == 0) {
			*at = mid;
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return 0;
}

static void
model_put(model *m, const void *k, size_t kl, const void *v, size_t vl)
{
	int at;

	ck_assert_uint_le(kl, KMAX);
	ck_assert_uint_le(vl, VMAX);
	if (!model_find(m, k, kl, &at)) {
		ck_assert_int_lt(m->n, MODEL_MAX);
		memmove(&m->r[at + 1], &m->r[at],
		    (size_t)(m->n - at) * sizeof(m->r[0]));
		m->n++;
		memcpy(m->r[at].k, k, kl);
		m->r[at].kl = kl;
	}
	memcpy(m->r[at].v, v, vl);
	m->r[at].vl = vl;
}

static void
model_del(model *m, const void *k, size_t kl)
{
	int at;

	if (model_find(m, k, kl, &at)) {
		memmove(&m->r[at], &m->r[at + 1],
		    (size_t)(m->n - at - 1) * sizeof(m->r[0]));
		m->n--;
	}
}

static char *
model_dump(const model *m, const void *lo, size_t lolen, const void *hi,
    size_t hilen, int reverse)
{
	sbuf b = { NULL, 0, 0 };
	int i, j;

	sb_add(&b, "", 0);
	for (j = 0; j < m->n; j++) {
		const mrow *r = &m->r[reverse ? m->n - 1 - j : j];

		i = (!lo || keycmp(r->k, r->kl, lo, lolen) >= 0) &&
		    (!hi || keycmp(r->k, r->kl, hi, hilen) < 0);
		if (i)
			sb_row(&b, r->k, r->kl, r->v, r->vl);
	}
	return b.p;
}

static void
ck_model(points_keyspace *k, const model *m, int own_txn)
{
	char *want = model_dump(m, NULL, 0, NULL, 0, 0);
	char *wantr = model_dump(m, NULL, 0, NULL, 0, 1);

	ck_dump_eq(dump_range(k, NULL, 0, NULL, 0, 0, own_txn), want);
	ck_dump_eq(dump_range(k, NULL, 0, NULL, 0, 1, own_txn), wantr);
	free(want);
	free(wantr);
}

static uint64_t rng_state = 0x243f6a8885a308d3u;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ---- Conformance: every backend ---- */

START_TEST(test_get_missing_is_notfound)
{
	const void *v;
	size_t vl;

	be_open(_i);
	OK(st->begin(st, 0));
	ck_assert_int_eq(st->get(st, ks, "nope", 4, &v, &vl), POINTS_ENOTFOUND);
	OK(st->rollback(st));
}
END_TEST

START_TEST(test_put_get_roundtrip)
{
	char buf[64];

	be_open(_i);
	OK(st->begin(st, 1));
	put_s(ks, "alpha", "one");
	/* The transaction sees its own write. */
	ck_assert_str_eq(get_s(ks, "alpha", 5, buf, sizeof(buf)), "one");
	OK(st->commit(st));
	OK(st->begin(st, 0));
	ck_assert_str_eq(get_s(ks, "alpha", 5, buf, sizeof(buf)), "one");
	OK(st->rollback(st));
}
END_TEST

START_TEST(test_put_replaces_value)
{
	char big[250], buf[300];

	be_open(_i);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	OK(st->begin(st, 1));
	put_s(ks, "k", "first");
	OK(st->commit(st));
	OK(st->begin(st, 1));
	put_s(ks, "k", "2nd!!");          /* same size */
	ck_assert_str_eq(get_s(ks, "k", 1, buf, sizeof(buf)), "2nd!!");
	put_s(ks, "k", big);              /* grows past any slack */
	ck_assert_str_eq(get_s(ks, "k", 1, buf, sizeof(buf)), big);
	put_s(ks, "k", "s");              /* shrinks */
	OK(st->commit(st));
	OK(st->begin(st, 0));
	ck_assert_str_eq(get_s(ks, "k", 1, buf, sizeof(buf)), "s");
	OK(st->rollback(st));
	ck_dump_eq(dump(ks, 1), "6b=73;");
}
END_TEST

START_TEST(test_del_removes_and_missing_is_ok)
{
	char buf[16];

	be_open(_i);
	OK(st->begin(st, 1));
	put_s(ks, "a", "1");
	put_s(ks, "b", "2");
	OK(st->commit(st));
	OK(st->begin(st, 1));
	OK(st->del(st, ks, "a", 1));
	OK(st->del(st, ks, "a", 1));      /* again */
	OK(st->del(st, ks, "zzz", 3));    /* never there */
	ck_assert_ptr_null(get_s(ks, "a", 1, buf, sizeof(buf)));
	OK(st->commit(st));
	ck_dump_eq(dump(ks, 1), "62=32;");
}
END_TEST

START_TEST(test_empty_value_and_empty_key)
{
	const void *v;
	size_t vl = 99;

	be_open(_i);
	OK(st->begin(st, 1));
	put(ks, "e", 1, "", 0);
	put(ks, "n", 1, NULL, 0);
	put(ks, "", 0, "root", 4);
	OK(st->commit(st));
	OK(st->begin(st, 0));
	OK(st->get(st, ks, "e", 1, &v, &vl));
	ck_assert_uint_eq(vl, 0);
	ck_assert_ptr_nonnull(v);
	OK(st->get(st, ks, "n", 1, &v, &vl));
	ck_assert_uint_eq(vl, 0);
	OK(st->get(st, ks, NULL, 0, &v, &vl));
	ck_assert_uint_eq(vl, 4);
	ck_assert_mem_eq(v, "root", 4);
	OK(st->rollback(st));
	ck_dump_eq(dump(ks, 1), "=726f6f74;65=;6e=;");
}
END_TEST

START_TEST(test_binary_keys_with_nul_bytes)
{
	static const unsigned char k1[] = { 0, 0, 1 }, k2[] = { 0, 0, 2 },
	    k3[] = { 0, 0 }, v[] = { 0, 0xff, 0 };
	const void *got;
	size_t gl;

	be_open(_i);
	OK(st->begin(st, 1));
	put(ks, k1, 3, v, 3);
	put(ks, k2, 3, "b", 1);
	put(ks, k3, 2, "c", 1);
	OK(st->commit(st));
	OK(st->begin(st, 0));
	OK(st->get(st, ks, k1, 3, &got, &gl));
	ck_assert_uint_eq(gl, 3);
	ck_assert_mem_eq(got, v, 3);
	OK(st->rollback(st));
	ck_dump_eq(dump(ks, 1), "0000=63;000001=00ff00;000002=62;");
}
END_TEST

START_TEST(test_order_is_memcmp_shorter_first)
{
	/* Inserted out of order; keys past 8 bytes share long prefixes. */
	static const struct { const char *k; size_t n; } keys[] = {
		{ "ab", 2 }, { "a\0", 2 }, { "b", 1 }, { "a", 1 }, { "", 0 },
		{ "\xff", 1 }, { "a\0\0", 3 }, { "12345678\0", 9 },
		{ "12345678", 8 }, { "123456789", 9 }, { "1234567", 7 },
		{ "12345678a", 9 }, { "12345678ab", 10 }, { "1234567\xff", 8 },
	};
	size_t i;

	be_open(_i);
	OK(st->begin(st, 1));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		put(ks, keys[i].k, keys[i].n, "", 0);
	OK(st->commit(st));
	ck_dump_eq(dump(ks, 1),
	    "=;"
	    "31323334353637=;"
	    "3132333435363738=;"
	    "313233343536373800=;"
	    "313233343536373839=;"
	    "313233343536373861=;"
	    "31323334353637386162=;"
	    "31323334353637ff=;"
	    "61=;6100=;610000=;6162=;62=;ff=;");
}
END_TEST

/* Keys and bounds for the cursor cases: two-byte even numbers, with
 * bounds that hit keys, fall between, are prefixes or run longer. */
static void
fill_even(points_keyspace *k, model *m, int n)
{
	unsigned char key[2], v[16];
	int i;

	for (i = 0; i < n; i++) {
		key[0] = (unsigned char)(i * 2 >> 8);
		key[1] = (unsigned char)(i * 2);
		snprintf((char *)v, sizeof(v), "%03d", i % 1000);
		put(k, key, 2, v, 3);
		if (m)
			model_put(m, key, 2, v, 3);
	}
}

START_TEST(test_cursor_bounds_both_directions)
{
	static const struct { const char *b; size_t n; } bounds[] = {
		{ NULL, 0 }, { "", 0 }, { "\0\x0a", 2 }, { "\0\x0b", 2 },
		{ "\0", 1 }, { "\0\x0a\0", 3 }, { "\0\x30", 2 },
		{ "\x01", 1 }, { "\0\x3e", 2 },
	};
	static model m;
	size_t lo, hi;
	int rev;

	be_open(_i);
	m.n = 0;
	OK(st->begin(st, 1));
	fill_even(ks, &m, 32);
	OK(st->commit(st));
	OK(st->begin(st, 0));
	for (lo = 0; lo < sizeof(bounds) / sizeof(bounds[0]); lo++)
		for (hi = 0; hi < sizeof(bounds) / sizeof(bounds[0]); hi++)
			for (rev = 0; rev < 2; rev++) {
				char *want = model_dump(&m, bounds[lo].b,
				    bounds[lo].n, bounds[hi].b, bounds[hi].n,
				    rev);

				ck_dump_eq(dump_range(ks, bounds[lo].b,
				    bounds[lo].n, bounds[hi].b, bounds[hi].n,
				    rev, 0), want);
				free(want);
			}
	OK(st->rollback(st));
}
END_TEST

START_TEST(test_cursor_on_empty_range)
{
	be_open(_i);
	/* An empty keyspace. */
	ck_dump_eq(dump_range(ks, NULL, 0, NULL, 0, 0, 1), "");
	ck_dump_eq(dump_range(ks, NULL, 0, NULL, 0, 1, 1), "");
	OK(st->begin(st, 1));
	fill_even(ks, NULL, 10);
	OK(st->commit(st));
	/* lo == hi, lo > hi, and a gap between keys. */
	ck_dump_eq(dump_range(ks, "\0\x04", 2, "\0\x04", 2, 0, 1), "");
	ck_dump_eq(dump_range(ks, "\0\x04", 2, "\0\x04", 2, 1, 1), "");
	ck_dump_eq(dump_range(ks, "\0\x08", 2, "\0\x02", 2, 0, 1), "");
	ck_dump_eq(dump_range(ks, "\0\x08", 2, "\0\x02", 2, 1, 1), "");
	ck_dump_eq(dump_range(ks, "\0\x05", 2, "\0\x06", 2, 1, 1), "");
	ck_dump_eq(dump_range(ks, NULL, 0, "", 0, 0, 1), "");
	ck_dump_eq(dump_range(ks, "\x01", 1, NULL, 0, 1, 1), "");
}
END_TEST

/* Walk all rows, deleting (or replacing with a longer value) each one as
 * it is returned, or every other one; every row must come once. */
static void
walk_and_write(int reverse, int replace, int every_other)
{
	static model m;
	unsigned char seen[300][2];
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	char big[200];
	int n = 0, rc, i;

	memset(big, 'R', sizeof(big));
	m.n = 0;
	OK(st->begin(st, 1));
	fill_even(ks, &m, 300);
	OK(st->commit(st));

	OK(st->begin(st, 1));
	OK(st->cursor_open(st, ks, NULL, 0, NULL, 0, reverse, &c));
	while ((rc = st->cursor_next(st, c, &k, &kl, &v, &vl)) == POINTS_OK) {
		const mrow *want = &m.r[reverse ? m.n - 1 - n : n];
		unsigned char key[2];

		ck_assert_uint_eq(kl, want->kl);
		ck_assert_mem_eq(k, want->k, kl);
		memcpy(key, k, 2);
		memcpy(seen[n], k, 2);
		if (!every_other || n % 2 == 0) {
			if (replace)
				put(ks, key, 2, big, sizeof(big));
			else
				OK(st->del(st, ks, key, 2));
		}
		n++;
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	st->cursor_close(st, c);
	ck_assert_int_eq(n, m.n);
	for (i = 0; i < n; i++) {
		if (every_other && i % 2)
			continue;
		if (replace)
			model_put(&m, seen[i], 2, big, sizeof(big));
		else
			model_del(&m, seen[i], 2);
	}
	ck_model(ks, &m, 0);
	OK(st->commit(st));
	ck_model(ks, &m, 1);
}

START_TEST(test_cursor_delete_current_forward)
{
	be_open(_i);
	walk_and_write(0, 0, 0);
}
END_TEST

START_TEST(test_cursor_delete_current_reverse)
{
	be_open(_i);
	walk_and_write(1, 0, 0);
}
END_TEST

START_TEST(test_cursor_delete_every_other)
{
	be_open(_i);
	walk_and_write(_i % 2, 0, 1);
}
END_TEST

START_TEST(test_cursor_replace_current)
{
	be_open(_i);
	walk_and_write(0, 1, 0);
	be_close();
	be_open(_i);
	walk_and_write(1, 1, 1);
}
END_TEST

START_TEST(test_intkey_append_and_range_scan)
{
	static model m;
	unsigned char k[8], hi[8], v[16], lo9[9];
	const void *got;
	size_t gl;
	uint64_t i;
	char *want;

	be_open(_i);
	m.n = 0;
	OK(st->begin(st, 1));
	for (i = 1; i <= 1000; i++) {
		be64(k, i);
		snprintf((char *)v, sizeof(v), "e%llu", (unsigned long long)i);
		put(iks, k, 8, v, strlen((char *)v));
		model_put(&m, k, 8, v, strlen((char *)v));
	}
	OK(st->commit(st));
	OK(st->begin(st, 0));
	be64(k, 777);
	OK(st->get(st, iks, k, 8, &got, &gl));
	ck_assert_uint_eq(gl, 4);
	ck_assert_mem_eq(got, "e777", 4);
	be64(k, 1001);
	ck_assert_int_eq(st->get(st, iks, k, 8, &got, &gl), POINTS_ENOTFOUND);
	/* [100, 200) both ways, and the last entry (reverse, limit 1). */
	be64(k, 100);
	be64(hi, 200);
	want = model_dump(&m, k, 8, hi, 8, 0);
	ck_dump_eq(dump_range(iks, k, 8, hi, 8, 0, 0), want);
	free(want);
	want = model_dump(&m, k, 8, hi, 8, 1);
	ck_dump_eq(dump_range(iks, k, 8, hi, 8, 1, 0), want);
	free(want);
	/* Bounds that are not 8 bytes follow memcmp order too. */
	memcpy(lo9, k, 8); /* 100 + "\0": above 100 */
	lo9[8] = 0;
	for (i = 0; i < 2; i++) {
		want = model_dump(&m, lo9, 9, hi, 8, (int)i);
		ck_dump_eq(dump_range(iks, lo9, 9, hi, 8, (int)i, 0), want);
		free(want);
		want = model_dump(&m, lo9, 9, NULL, 0, (int)i);
		ck_dump_eq(dump_range(iks, lo9, 9, NULL, 0, (int)i, 0),
		    want);
		free(want);
		want = model_dump(&m, NULL, 0, lo9, 9, (int)i);
		ck_dump_eq(dump_range(iks, NULL, 0, lo9, 9, (int)i, 0),
		    want);
		free(want);
	}
	want = dump_range(iks, lo9, 9, NULL, 0, 0, 0);
	ck_assert_int_eq(strncmp(want, "0000000000000065=", 17), 0);
	free(want);
	be64(hi, 600);
	want = model_dump(&m, NULL, 0, hi, 7, 0);
	ck_dump_eq(dump_range(iks, NULL, 0, hi, 7, 0, 0), want);
	free(want);
	want = model_dump(&m, hi, 7, NULL, 0, 1);
	ck_dump_eq(dump_range(iks, hi, 7, NULL, 0, 1, 0), want);
	free(want);
	want = model_dump(&m, k, 3, "\x80", 1, 1);
	ck_dump_eq(dump_range(iks, k, 3, "\x80", 1, 1, 0), want);
	free(want);
	memset(lo9, 0xff, 9);
	ck_dump_eq(dump_range(iks, lo9, 9, NULL, 0, 0, 0), "");
	ck_dump_eq(dump_range(iks, "\x80", 1, NULL, 0, 1, 0), "");
	want = model_dump(&m, NULL, 0, lo9, 9, 0);
	ck_dump_eq(dump_range(iks, NULL, 0, lo9, 9, 0, 0), want);
	free(want);
	OK(st->rollback(st));
}
END_TEST

START_TEST(test_intkey_rejects_bad_keys)
{
	unsigned char k[8];
	const void *v;
	size_t vl;

	be_open(_i);
	OK(st->begin(st, 1));
	ck_assert_int_eq(st->put(st, iks, "short", 5, "v", 1), POINTS_EINVAL);
	ck_assert_int_eq(st->put(st, iks, "123456789", 9, "v", 1),
	    POINTS_EINVAL);
	be64(k, (uint64_t)1 << 63);
	ck_assert_int_eq(st->put(st, iks, k, 8, "v", 1), POINTS_EINVAL);
	ck_assert_int_eq(st->get(st, iks, k, 8, &v, &vl), POINTS_EINVAL);
	ck_assert_int_eq(st->del(st, iks, k, 8), POINTS_EINVAL);
	be64(k, INT64_MAX);
	put(iks, k, 8, "max", 3);
	OK(st->commit(st));
	ck_dump_eq(dump(iks, 1), "7fffffffffffffff=6d6178;");
}
END_TEST

/* The base contents of the rollback/commit cases: enough keys for
 * several tree nodes. */
static void
fill_base(model *m)
{
	char k[16], v[64];
	int i;

	m->n = 0;
	OK(st->begin(st, 1));
	for (i = 0; i < 400; i++) {
		snprintf(k, sizeof(k), "k%05d", i * 10);
		snprintf(v, sizeof(v), "value of %d", i);
		put_s(ks, k, v);
		model_put(m, k, strlen(k), v, strlen(v));
	}
	OK(st->commit(st));
}

/* Every kind of change: inserts that split nodes, deletes that empty
 * them, replaces that keep, grow and shrink, and mixes on one key. */
static void
change_all(model *m)
{
	char k[16], big[VMAX];
	int i;

	memset(big, 'G', sizeof(big));
	for (i = 0; i < 300; i++) { /* inserts between existing keys */
		snprintf(k, sizeof(k), "k%05d", 1000 + i * 3 + 1);
		put_s(ks, k, "new");
		model_put(m, k, strlen(k), "new", 3);
	}
	for (i = 200; i < 330; i++) { /* a run of deletes */
		snprintf(k, sizeof(k), "k%05d", i * 10);
		OK(st->del(st, ks, k, strlen(k)));
		model_del(m, k, strlen(k));
	}
	for (i = 0; i < 50; i++) { /* same size, grown, shrunk */
		snprintf(k, sizeof(k), "k%05d", i * 10);
		if (i % 3 == 0) {
			put_s(ks, k, "VALUE OF 0");
			model_put(m, k, strlen(k), "VALUE OF 0", 10);
		} else if (i % 3 == 1) {
			put(ks, k, strlen(k), big, sizeof(big));
			model_put(m, k, strlen(k), big, sizeof(big));
		} else {
			put_s(ks, k, "");
			model_put(m, k, strlen(k), "", 0);
		}
	}
	/* One key: grown, grown again, deleted, put back. */
	put(ks, "k00500", 6, big, 100);
	put(ks, "k00500", 6, big, 250);
	OK(st->del(st, ks, "k00500", 6));
	put_s(ks, "k00500", "back");
	model_put(m, "k00500", 6, "back", 4);
	/* A new key: replaced in place, grown, deleted. */
	put_s(ks, "zz", "1");
	put_s(ks, "zz", "2");
	put(ks, "zz", 2, big, 200);
	OK(st->del(st, ks, "zz", 2));
	/* Appends past the end. */
	for (i = 0; i < 100; i++) {
		snprintf(k, sizeof(k), "z%05d", i);
		put_s(ks, k, "tail");
		model_put(m, k, strlen(k), "tail", 4);
	}
	/* Another keyspace in the same transaction. */
	put_s(ks2, "other", "x");
}

START_TEST(test_rollback_restores_exact_contents)
{
	static model m, changed;
	char *before, *before2;

	be_open(_i);
	fill_base(&m);
	before = dump(ks, 1);
	before2 = dump(ks2, 1);
	OK(st->begin(st, 1));
	changed = m;
	change_all(&changed);
	ck_model(ks, &changed, 0); /* the transaction sees its changes */
	OK(st->rollback(st));
	ck_dump_eq(dump(ks, 1), before);
	ck_dump_eq(dump(ks2, 1), before2);
	ck_model(ks, &m, 1);
	free(before);
	free(before2);
	/* And the store still works after it. */
	OK(st->begin(st, 1));
	change_all(&m);
	OK(st->commit(st));
	ck_model(ks, &m, 1);
}
END_TEST

START_TEST(test_commit_persists)
{
	static model m;
	char buf[16];

	be_open(_i);
	fill_base(&m);
	OK(st->begin(st, 1));
	change_all(&m);
	OK(st->commit(st));
	ck_model(ks, &m, 1);
	OK(st->begin(st, 0));
	ck_assert_str_eq(get_s(ks2, "other", 5, buf, sizeof(buf)), "x");
	ck_assert_str_eq(get_s(ks, "k00500", 6, buf, sizeof(buf)), "back");
	ck_assert_ptr_null(get_s(ks, "zz", 2, buf, sizeof(buf)));
	OK(st->rollback(st));
	/* A read transaction's rollback changes nothing. */
	ck_model(ks, &m, 1);
}
END_TEST

START_TEST(test_keyspaces_are_independent)
{
	points_keyspace *again;
	char buf[16];

	be_open(_i);
	OK(st->keyspace(st, "main", 0, &again));
	ck_assert_ptr_eq(again, ks);
	OK(st->begin(st, 1));
	put_s(ks, "k", "main");
	put_s(ks2, "k", "other");
	OK(st->del(st, ks2, "j", 1));
	OK(st->commit(st));
	OK(st->begin(st, 1));
	ck_assert_str_eq(get_s(ks, "k", 1, buf, sizeof(buf)), "main");
	ck_assert_str_eq(get_s(ks2, "k", 1, buf, sizeof(buf)), "other");
	OK(st->del(st, ks, "k", 1));
	ck_assert_str_eq(get_s(ks2, "k", 1, buf, sizeof(buf)), "other");
	OK(st->commit(st));
	ck_dump_eq(dump(ks, 1), "");
	ck_dump_eq(dump(ks2, 1), "6b=6f74686572;");
}
END_TEST

START_TEST(test_keyspace_names_and_flags)
{
	points_keyspace *k;

	be_open(_i);
	ck_assert_int_eq(st->keyspace(st, "", 0, &k), POINTS_EINVAL);
	ck_assert_int_eq(st->keyspace(st, "Upper", 0, &k), POINTS_EINVAL);
	ck_assert_int_eq(st->keyspace(st, "semi;colon", 0, &k),
	    POINTS_EINVAL);
	ck_assert_int_eq(st->keyspace(st,
	    "a23456789012345678901234567890123", 0, &k), POINTS_EINVAL);
	OK(st->keyspace(st, "a2345678901234567890123456789012", 0, &k));
	ck_assert_int_eq(st->keyspace(st, "main", POINTS_KS_INTKEY, &k),
	    POINTS_EINVAL);
	ck_assert_int_eq(st->keyspace(st, "x", 0x80, &k), POINTS_EINVAL);
	OK(st->begin(st, 0));
	ck_assert_int_eq(st->keyspace(st, "intxn", 0, &k), POINTS_EMISUSE);
	OK(st->rollback(st));
}
END_TEST

START_TEST(test_begin_in_transaction_is_misuse)
{
	char buf[8];

	be_open(_i);
	OK(st->begin(st, 1));
	put_s(ks, "a", "1");
	ck_assert_int_eq(st->begin(st, 1), POINTS_EMISUSE);
	ck_assert_int_eq(st->begin(st, 0), POINTS_EMISUSE);
	/* The open transaction is untouched. */
	ck_assert_str_eq(get_s(ks, "a", 1, buf, sizeof(buf)), "1");
	OK(st->commit(st));
	OK(st->begin(st, 0));
	ck_assert_int_eq(st->begin(st, 0), POINTS_EMISUSE);
	OK(st->rollback(st));
	ck_dump_eq(dump(ks, 1), "61=31;");
}
END_TEST

START_TEST(test_access_outside_write_transaction_fails)
{
	points_cursor *c;
	const void *v;
	size_t vl;

	be_open(_i);
	ck_assert_int_eq(st->put(st, ks, "a", 1, "1", 1), POINTS_EMISUSE);
	ck_assert_int_eq(st->del(st, ks, "a", 1), POINTS_EMISUSE);
	ck_assert_int_eq(st->get(st, ks, "a", 1, &v, &vl), POINTS_EMISUSE);
	ck_assert_int_eq(st->cursor_open(st, ks, NULL, 0, NULL, 0, 0, &c),
	    POINTS_EMISUSE);
	ck_assert_int_eq(st->commit(st), POINTS_EMISUSE);
	OK(st->rollback(st)); /* nothing to end: fine */
	OK(st->begin(st, 0));
	ck_assert_int_eq(st->put(st, ks, "a", 1, "1", 1), POINTS_EMISUSE);
	ck_assert_int_eq(st->del(st, ks, "a", 1), POINTS_EMISUSE);
	OK(st->commit(st));
	ck_dump_eq(dump(ks, 1), "");
}
END_TEST

/* Calls that break the contract inside a write transaction (a keyspace
 * of another store or none, a NULL key of non-zero length, no value, no
 * output) are POINTS_EINVAL with a message, and leave the transaction
 * as it was: it writes and commits what it did before and after. */
START_TEST(test_bad_arguments_are_einval)
{
	points_store *other;
	points_keyspace *oks;
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	const char *m;

	be_open(_i);
	OK(points_store_open("memory:", &other));
	OK(other->keyspace(other, "main", 0, &oks));
	OK(st->begin(st, 1));
	put_s(ks, "a", "1");
	ck_assert_int_eq(st->get(st, oks, "a", 1, &v, &vl), POINTS_EINVAL);
	m = st->errmsg(st);
	ck_assert_msg(m && *m, "no message after a get on another store's "
	    "keyspace");
	ck_assert_int_eq(st->get(st, NULL, "a", 1, &v, &vl), POINTS_EINVAL);
	ck_assert_int_eq(st->get(st, ks, NULL, 1, &v, &vl), POINTS_EINVAL);
	ck_assert_int_eq(st->get(st, ks, "a", 1, NULL, &vl), POINTS_EINVAL);
	ck_assert_int_eq(st->put(st, oks, "b", 1, "2", 1), POINTS_EINVAL);
	ck_assert_int_eq(st->put(st, ks, NULL, 1, "2", 1), POINTS_EINVAL);
	ck_assert_int_eq(st->put(st, ks, "b", 1, NULL, 1), POINTS_EINVAL);
	ck_assert_int_eq(st->del(st, oks, "a", 1), POINTS_EINVAL);
	ck_assert_int_eq(st->del(st, ks, NULL, 1), POINTS_EINVAL);
	ck_assert_int_eq(st->cursor_open(st, oks, NULL, 0, NULL, 0, 0, &c),
	    POINTS_EINVAL);
	ck_assert_int_eq(st->cursor_open(st, NULL, NULL, 0, NULL, 0, 0, &c),
	    POINTS_EINVAL);
	ck_assert_int_eq(st->cursor_open(st, ks, NULL, 0, NULL, 0, 0, NULL),
	    POINTS_EINVAL);
	OK(st->cursor_open(st, ks, NULL, 0, NULL, 0, 0, &c));
	ck_assert_int_eq(st->cursor_next(st, c, NULL, &kl, &v, &vl),
	    POINTS_EINVAL);
	ck_assert_int_eq(st->cursor_next(st, c, &k, &kl, &v, NULL),
	    POINTS_EINVAL);
	OK(st->cursor_next(st, c, &k, &kl, &v, &vl));
	ck_assert_int_eq(kl, 1);
	ck_assert_int_eq(st->cursor_next(st, c, &k, &kl, &v, &vl),
	    POINTS_ITEROVER);
	st->cursor_close(st, c);
	put_s(ks, "c", "3");
	OK(st->commit(st));
	ck_dump_eq(dump(ks, 1), "61=31;63=33;");
	points_store_close(other);
}
END_TEST

START_TEST(test_cursor_after_transaction_end_is_misuse)
{
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;

	be_open(_i);
	OK(st->begin(st, 1));
	fill_even(ks, NULL, 5);
	OK(st->cursor_open(st, ks, NULL, 0, NULL, 0, 0, &c));
	OK(st->cursor_next(st, c, &k, &kl, &v, &vl));
	OK(st->commit(st));
	ck_assert_int_eq(st->cursor_next(st, c, &k, &kl, &v, &vl),
	    POINTS_EMISUSE);
	st->cursor_close(st, c);
	ck_dump_eq(dump_range(ks, NULL, 0, "\0\2", 2, 0, 1), "0000=303030;");
}
END_TEST

START_TEST(test_two_cursors_same_range)
{
	points_cursor *a, *b;
	const void *k1, *k2, *v;
	size_t l1, l2, vl;
	int i, rc;

	be_open(_i);
	OK(st->begin(st, 1));
	fill_even(ks, NULL, 20);
	OK(st->commit(st));
	OK(st->begin(st, 0));
	OK(st->cursor_open(st, ks, NULL, 0, NULL, 0, 0, &a));
	OK(st->cursor_open(st, ks, NULL, 0, NULL, 0, 0, &b));
	for (i = 0; i < 20; i++) {
		unsigned char ka[2];

		OK(st->cursor_next(st, a, &k1, &l1, &v, &vl));
		memcpy(ka, k1, 2);
		OK(st->cursor_next(st, b, &k2, &l2, &v, &vl));
		ck_assert_mem_eq(ka, k2, 2);
	}
	rc = st->cursor_next(st, a, &k1, &l1, &v, &vl);
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	st->cursor_close(st, a);
	st->cursor_close(st, b);
	st->cursor_close(st, NULL);
	OK(st->rollback(st));
}
END_TEST

/* Random operations against the model, committed or rolled back, with
 * the contents checked inside and after every transaction. */
START_TEST(test_random_against_model)
{
	static model m, txn;
	unsigned char k[KMAX], v[VMAX];
	int t, i;

	be_open(_i);
	rng_state = 0x243f6a8885a308d3u + (uint64_t)_i;
	m.n = 0;
	for (t = 0; t < 60; t++) {
		int nops = 1 + (int)(rng() % 150), commit = rng() % 3 != 0;

		txn = m;
		OK(st->begin(st, 1));
		for (i = 0; i < nops; i++) {
			uint64_t r = rng();
			size_t kl, vl = (size_t)(r >> 40) % 120;

			/* Keys: mostly a small random space (hits, deletes),
			 * some increasing (appends), some long. */
			if (r % 4 == 0) {
				be64(k, (uint64_t)(t * 1000 + i));
				kl = 8;
			} else {
				kl = 1 + (size_t)(r >> 8) % 12;
				memset(k, 'k', kl);
				k[kl - 1] = (unsigned char)(r >> 20) % 16;
				if (kl > 9)
					k[8] = (unsigned char)(r >> 30) % 4;
			}
			memset(v, (int)(r & 0xff), vl);
			if ((r >> 60) < 11) {
				put(ks, k, kl, v, vl);
				model_put(&txn, k, kl, v, vl);
			} else {
				OK(st->del(st, ks, k, kl));
				model_del(&txn, k, kl);
			}
		}
		ck_model(ks, &txn, 0);
		if (commit) {
			OK(st->commit(st));
			m = txn;
		} else
			OK(st->rollback(st));
		ck_model(ks, &m, 1);
	}
}
END_TEST

/* ---- Version 4: read_many ---- */

/* The memory and PostgreSQL stores read ranges' last keys; SQLite's,
 * with no round trip to save, leaves them to the library's cursor. */
static int
has_read_many(int b)
{
	if (b == B_SQLITE || b == B_FAULT_SQLITE) {
		ck_assert_ptr_null(st->read_many);
		return 0;
	}
	ck_assert_uint_ge(st->version, 4);
	ck_assert_ptr_nonnull(st->read_many);
	return 1;
}

static void
rd_key(points_store_read *r, points_keyspace *k, const void *key,
    size_t klen)
{
	memset(r, 0, sizeof(*r));
	r->ks = k;
	r->key = key;
	r->klen = klen;
}

static void
rd_last(points_store_read *r, points_keyspace *k, const void *lo,
    size_t lolen, const void *hi, size_t hilen)
{
	rd_key(r, k, hi, hilen);
	r->lo = lo;
	r->lolen = lolen;
}

/* r found key want (NULL: found none), with value wantv. */
static void
ck_read(const points_store_read *r, const char *want, size_t wl,
    const char *wantv)
{
	if (!want) {
		ck_assert_int_eq(r->rc, POINTS_ENOTFOUND);
		return;
	}
	ck_assert_int_eq(r->rc, POINTS_OK);
	ck_assert_uint_eq(r->fklen, wl);
	ck_assert_mem_eq(r->fkey, want, wl);
	ck_assert_uint_eq(r->vlen, strlen(wantv));
	ck_assert_mem_eq(r->val, wantv, r->vlen);
}

/* Keys and ranges' last keys in one call: memcmp order (the shorter
 * first), the high bound excluded and the low one included, the
 * transaction's own writes seen, an empty range, an integer keyspace
 * bounded past its keys. */
START_TEST(test_read_many_reads_keys_and_last_keys)
{
	points_store_read r[10];
	unsigned char e5[8], e6[8], lo[8], top[8];

	be_open(_i);
	if (!has_read_many(_i))
		return;
	be64(e5, 5);
	be64(e6, 6);
	be64(lo, 0);
	top[0] = 0x80;
	memset(top + 1, 0, 7);
	OK(st->begin(st, 1));
	put_s(ks, "a", "A");
	put(ks, "a\0", 2, "A0", 2);
	put_s(ks, "ab", "AB");
	put_s(ks, "b", "B");
	put(iks, e5, 8, "five", 4);
	OK(st->commit(st));

	OK(st->begin(st, 1));
	put_s(ks, "c", "C"); /* its own write */
	OK(st->del(st, ks, "ab", 2));
	rd_key(&r[0], ks, "a", 1);
	rd_last(&r[1], ks, "a", 1, "b", 1);   /* "a\0" ("ab" deleted) */
	rd_last(&r[2], ks, "", 0, "a\0", 2); /* "a": the bound excluded */
	rd_last(&r[3], ks, "b", 1, "zz", 2);  /* "c", not committed */
	rd_last(&r[4], ks, "b", 1, "b\0", 2); /* "b": the low bound */
	rd_last(&r[5], ks, "d", 1, "z", 1);   /* empty */
	rd_key(&r[6], ks, "missing", 7);
	rd_last(&r[7], iks, lo, 8, top, 8);   /* the last integer key */
	rd_last(&r[8], ks2, "", 0, "z", 1);   /* an empty keyspace */
	rd_key(&r[9], iks, e6, 8);
	OK(st->read_many(st, 10, r));
	ck_read(&r[0], "a", 1, "A");
	ck_read(&r[1], "a\0", 2, "A0");
	ck_read(&r[2], "a", 1, "A");
	ck_read(&r[3], "c", 1, "C");
	ck_read(&r[4], "b", 1, "B");
	ck_read(&r[5], NULL, 0, NULL);
	ck_read(&r[6], NULL, 0, NULL);
	ck_read(&r[7], (const char *)e5, 8, "five");
	ck_read(&r[8], NULL, 0, NULL);
	ck_read(&r[9], NULL, 0, NULL);
	/* the latest integer key, once written */
	put(iks, e6, 8, "six", 3);
	rd_last(&r[0], iks, lo, 8, top, 8);
	OK(st->read_many(st, 1, r));
	ck_read(&r[0], (const char *)e6, 8, "six");
	OK(st->read_many(st, 0, NULL));
	OK(st->rollback(st));
	/* Outside a transaction: misuse.  A read transaction sees what was
	 * committed. */
	ck_assert_int_eq(st->read_many(st, 1, r), POINTS_EMISUSE);
	OK(st->begin(st, 0));
	rd_last(&r[0], ks, "", 0, "zz", 2);
	rd_last(&r[1], iks, lo, 8, top, 8);
	OK(st->read_many(st, 2, r));
	ck_read(&r[0], "b", 1, "B");
	ck_read(&r[1], (const char *)e5, 8, "five");
	OK(st->rollback(st));
}
END_TEST

/* The model's last key in [lo, hi) as ck_read wants it. */
static const mrow *
model_last(const model *m, const void *lo, size_t lolen, const void *hi,
    size_t hilen)
{
	int at;

	model_find(m, hi, hilen, &at);
	if (at == 0 || keycmp(m->r[at - 1].k, m->r[at - 1].kl, lo, lolen) < 0)
		return NULL;
	return &m->r[at - 1];
}

/* Random writes in transactions committed or rolled back; after each
 * batch of writes, and after its end, random reads of keys and of
 * ranges' last keys agree with a model. */
START_TEST(test_read_many_random_against_model)
{
	static model m, txn;
	unsigned char k[KMAX], v[VMAX], b[8][2][4];
	points_store_read r[8];
	int t, i, pass;

	be_open(_i);
	if (!has_read_many(_i))
		return;
	rng_state = 0x9e3779b97f4a7c15u + (uint64_t)_i;
	m.n = 0;
	for (t = 0; t < 40; t++) {
		int nops = 1 + (int)(rng() % 60), commit = rng() % 3 != 0;

		txn = m;
		OK(st->begin(st, 1));
		for (i = 0; i < nops; i++) {
			uint64_t x = rng();
			size_t kl = 1 + (size_t)(x >> 8) % 3, vl = x % 9;

			memset(k, 'a' + (int)((x >> 12) % 4), kl);
			k[kl - 1] = (unsigned char)('a' + (x >> 16) % 4);
			memset(v, 'a' + (int)((x >> 24) % 26), vl);
			if ((x >> 60) < 11) {
				put(ks, k, kl, v, vl);
				model_put(&txn, k, kl, v, vl);
			} else {
				OK(st->del(st, ks, k, kl));
				model_del(&txn, k, kl);
			}
		}
		for (pass = 0; pass < 2; pass++) {
			const model *mm = pass ? &m : &txn;

			if (pass) {
				if (commit) {
					OK(st->commit(st));
					m = txn;
				} else
					OK(st->rollback(st));
				OK(st->begin(st, 0));
			}
			for (i = 0; i < 8; i++) {
				uint64_t x = rng();
				size_t ll = (size_t)(x % 3), hl = 1 + (size_t)
				    (x >> 4) % 3;

				memset(b[i][0], 'a' + (int)((x >> 8) % 4), 4);
				memset(b[i][1], 'a' + (int)((x >> 12) % 5), 4);
				if (x >> 63)
					rd_key(&r[i], ks, b[i][1], hl);
				else
					rd_last(&r[i], ks, b[i][0], ll, b[i][1],
					    hl);
			}
			OK(st->read_many(st, 8, r));
			for (i = 0; i < 8; i++) {
				const mrow *w;
				int at;

				if (!r[i].lo)
					w = model_find(mm, r[i].key, r[i].klen,
					    &at) ? &mm->r[at] : NULL;
				else
					w = model_last(mm, r[i].lo, r[i].lolen,
					    r[i].key, r[i].klen);
				if (!w) {
					ck_assert_int_eq(r[i].rc,
					    POINTS_ENOTFOUND);
					continue;
				}
				ck_assert_int_eq(r[i].rc, POINTS_OK);
				ck_assert_uint_eq(r[i].fklen, w->kl);
				ck_assert_mem_eq(r[i].fkey, w->k, w->kl);
				ck_assert_uint_eq(r[i].vlen, w->vl);
				if (w->vl)
					ck_assert_mem_eq(r[i].val, w->v, w->vl);
			}
		}
		OK(st->rollback(st));
	}
}
END_TEST

/* ---- Version 3: savepoints ---- */

static void
ck_get(points_keyspace *k, const char *key, const char *want)
{
	char buf[VMAX + 1];
	char *got = get_s(k, key, strlen(key), buf, sizeof(buf));

	if (!want)
		ck_assert_msg(got == NULL, "%s: got '%s', want none", key, got);
	else {
		ck_assert_msg(got != NULL, "%s: missing, want '%s'", key, want);
		ck_assert_str_eq(got, want);
	}
}

/* rollback_to undoes every kind of write since the savepoint (insert,
 * replace in place, replace by a longer value, delete), of keys made in
 * the transaction before it and of committed ones; get (SQLite: through
 * its read cache) and cursors see the state it marked; the transaction
 * goes on and commits that. */
START_TEST(test_rollback_to_undoes_only_since_the_savepoint)
{
	static const char longer[] = "a value much longer than the first one, "
	    "so that it cannot be written over it in place";

	be_open(_i);
	ck_assert_uint_ge(st->version, 3);
	OK(st->begin(st, 1));
	put_s(ks, "c1", "committed");
	put_s(ks, "c2", "committed");
	put_s(ks, "c3", "committed");
	OK(st->commit(st));
	OK(st->begin(st, 1));
	put_s(ks, "t1", "txn");
	put_s(ks, "t2", "txn");
	put_s(ks, "t3", "txn");
	ck_get(ks, "c1", "committed"); /* read before: cached */
	ck_get(ks, "t1", "txn");
	OK(st->savepoint(st));
	put_s(ks, "c1", "CHANGED"); /* in place */
	put_s(ks, "t1", "CHANGED");
	put_s(ks, "c2", longer);    /* moves */
	put_s(ks, "t2", longer);
	OK(st->del(st, ks, "c3", 2));
	OK(st->del(st, ks, "t3", 2));
	put_s(ks, "new", "new");
	put_s(ks2, "other", "new");
	ck_get(ks, "c1", "CHANGED");
	ck_get(ks, "t1", "CHANGED");
	ck_get(ks, "c3", NULL);
	OK(st->rollback_to(st));
	ck_get(ks, "c1", "committed");
	ck_get(ks, "t1", "txn");
	ck_get(ks, "c2", "committed");
	ck_get(ks, "t2", "txn");
	ck_get(ks, "c3", "committed");
	ck_get(ks, "t3", "txn");
	ck_get(ks, "new", NULL);
	ck_get(ks2, "other", NULL);
	ck_dump_eq(dump(ks, 0), "6331=636f6d6d6974746564;6332=636f6d6d6974746564;"
	    "6333=636f6d6d6974746564;7431=74786e;7432=74786e;7433=74786e;");
	/* the savepoint is gone; the transaction goes on */
	ck_assert_int_eq(st->release(st), POINTS_EMISUSE);
	put_s(ks, "t1", "after");
	OK(st->commit(st));
	ck_dump_eq(dump(ks, 1), "6331=636f6d6d6974746564;6332=636f6d6d6974746564;"
	    "6333=636f6d6d6974746564;7431=6166746572;7432=74786e;7433=74786e;");
	ck_dump_eq(dump(ks2, 1), "");
}
END_TEST

/* release keeps the writes in the transaction: the commit keeps them,
 * a rollback drops them with the rest. */
START_TEST(test_release_keeps_writes_in_the_transaction)
{
	be_open(_i);
	OK(st->begin(st, 1));
	put_s(ks, "a", "1");
	OK(st->savepoint(st));
	put_s(ks, "a", "2");
	put_s(ks, "b", "2");
	OK(st->release(st));
	ck_get(ks, "a", "2");
	OK(st->rollback(st));
	ck_dump_eq(dump(ks, 1), "");
	OK(st->begin(st, 1));
	put_s(ks, "a", "1");
	OK(st->savepoint(st));
	put_s(ks, "a", "2");
	put_s(ks, "b", "2");
	OK(st->release(st));
	/* written over after the release, then rolled back to a later
	 * savepoint: the released value comes back */
	OK(st->savepoint(st));
	put_s(ks, "a", "3");
	put_s(ks, "b", "3");
	OK(st->rollback_to(st));
	OK(st->commit(st));
	ck_dump_eq(dump(ks, 1), "61=32;62=32;");
}
END_TEST

/* Savepoints nest: each rollback_to and release acts on the newest. */
START_TEST(test_savepoints_nest)
{
	be_open(_i);
	OK(st->begin(st, 1));
	put_s(ks, "a", "0");
	OK(st->savepoint(st));
	put_s(ks, "a", "1");
	put_s(ks, "b", "1");
	OK(st->savepoint(st));
	put_s(ks, "a", "2");
	put_s(ks, "c", "2");
	OK(st->savepoint(st));
	put_s(ks, "d", "3");
	OK(st->release(st));      /* the third: d stays with the second */
	OK(st->rollback_to(st));  /* the second: a=1, b, no c, no d */
	ck_dump_eq(dump(ks, 0), "61=31;62=31;");
	OK(st->savepoint(st));
	OK(st->del(st, ks, "b", 1));
	OK(st->release(st));
	ck_dump_eq(dump(ks, 0), "61=31;");
	OK(st->rollback_to(st));  /* the first */
	ck_dump_eq(dump(ks, 0), "61=30;");
	ck_assert_int_eq(st->rollback_to(st), POINTS_EMISUSE);
	ck_assert_int_eq(st->release(st), POINTS_EMISUSE);
	OK(st->commit(st));
	ck_dump_eq(dump(ks, 1), "61=30;");
	/* commit and rollback end the savepoints still open */
	OK(st->begin(st, 1));
	OK(st->savepoint(st));
	put_s(ks, "x", "1");
	OK(st->savepoint(st));
	put_s(ks, "y", "1");
	OK(st->commit(st));
	ck_dump_eq(dump(ks, 1), "61=30;78=31;79=31;");
	OK(st->begin(st, 1));
	ck_assert_int_eq(st->release(st), POINTS_EMISUSE);
	OK(st->savepoint(st));
	OK(st->rollback(st));
	OK(st->begin(st, 1));
	ck_assert_int_eq(st->rollback_to(st), POINTS_EMISUSE);
	OK(st->rollback(st));
}
END_TEST

/* Only inside a write transaction. */
START_TEST(test_savepoint_outside_write_transaction_is_misuse)
{
	be_open(_i);
	ck_assert_int_eq(st->savepoint(st), POINTS_EMISUSE);
	ck_assert_int_eq(st->release(st), POINTS_EMISUSE);
	ck_assert_int_eq(st->rollback_to(st), POINTS_EMISUSE);
	OK(st->begin(st, 0));
	ck_assert_int_eq(st->savepoint(st), POINTS_EMISUSE);
	ck_assert_int_eq(st->rollback_to(st), POINTS_EMISUSE);
	OK(st->rollback(st));
}
END_TEST

/* Random writes with savepoints opened, released and rolled back to at
 * random (up to 4 deep), against the model with a copy per savepoint;
 * the contents are compared after every savepoint call, and the
 * transaction ends in a commit or a rollback. */
START_TEST(test_savepoints_random_against_model)
{
	static model m, txn, sp[4];
	unsigned char k[KMAX], v[VMAX];
	int t, i, depth;

	be_open(_i);
	rng_state = 0x13198a2e03707344u + (uint64_t)_i;
	m.n = 0;
	for (t = 0; t < 40; t++) {
		int nops = 1 + (int)(rng() % 200), commit = rng() % 3 != 0;

		txn = m;
		depth = 0;
		OK(st->begin(st, 1));
		for (i = 0; i < nops; i++) {
			uint64_t r = rng();
			size_t kl, vl = (size_t)(r >> 40) % 120;
			unsigned what = (unsigned)(r >> 56) % 16;

			if (what == 0 && depth < 4) {
				OK(st->savepoint(st));
				sp[depth++] = txn;
				ck_model(ks, &txn, 0);
				continue;
			}
			if (what == 1 && depth > 0) {
				OK(st->release(st));
				depth--;
				ck_model(ks, &txn, 0);
				continue;
			}
			if (what == 2 && depth > 0) {
				OK(st->rollback_to(st));
				txn = sp[--depth];
				ck_model(ks, &txn, 0);
				continue;
			}
			kl = 1 + (size_t)(r >> 8) % 6;
			memset(k, 'k', kl);
			k[kl - 1] = (unsigned char)(r >> 20) % 16;
			memset(v, (int)(r & 0xff), vl);
			if (what < 12) {
				put(ks, k, kl, v, vl);
				model_put(&txn, k, kl, v, vl);
			} else {
				OK(st->del(st, ks, k, kl));
				model_del(&txn, k, kl);
			}
		}
		ck_model(ks, &txn, 0);
		if (commit) {
			OK(st->commit(st));
			m = txn;
		} else
			OK(st->rollback(st));
		ck_model(ks, &m, 1);
	}
}
END_TEST

/* ---- Version 2: get_many, errmsg, INT64 keyspaces ---- */

START_TEST(test_get_many_reads_keys_at_once)
{
	points_keyspace *kss[8];
	const void *keys[8], *vals[8];
	size_t klens[8], vlens[8], i;
	unsigned char e5[8], e6[8], n9[8], copy[8][16];
	int rcs[8];

	be_open(_i);
	ck_assert_ptr_nonnull(st->get_many);
	be64(e5, 5);
	be64(e6, 6);
	be64(n9, 9);
	OK(st->begin(st, 1));
	put_s(ks, "a", "alpha");
	put_s(ks2, "a", "other");
	put(iks, e5, 8, "five", 4);
	put(iks, e6, 8, "six", 3);
	put(nks, n9, 8, "nine", 4);
	put(ks, "empty", 5, "", 0);
	OK(st->commit(st));

	OK(st->begin(st, 1));
	put_s(ks, "b", "beta"); /* the transaction's own write is seen */
	kss[0] = ks, keys[0] = "a", klens[0] = 1;
	kss[1] = ks2, keys[1] = "a", klens[1] = 1;
	kss[2] = iks, keys[2] = e5, klens[2] = 8;
	kss[3] = nks, keys[3] = n9, klens[3] = 8;
	kss[4] = ks, keys[4] = "missing", klens[4] = 7;
	kss[5] = ks, keys[5] = "b", klens[5] = 1;
	kss[6] = ks, keys[6] = "a", klens[6] = 1; /* twice */
	kss[7] = iks, keys[7] = e6, klens[7] = 8;
	OK(st->get_many(st, 8, kss, keys, klens, vals, vlens, rcs));
	/* Every value is valid at once: copy them only now. */
	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(rcs[i], i == 4 ? POINTS_ENOTFOUND : POINTS_OK);
		if (rcs[i] == POINTS_OK) {
			ck_assert_uint_lt(vlens[i], sizeof(copy[i]));
			memcpy(copy[i], vals[i], vlens[i]);
			copy[i][vlens[i]] = '\0';
		}
	}
	ck_assert_str_eq((char *)copy[0], "alpha");
	ck_assert_str_eq((char *)copy[1], "other");
	ck_assert_str_eq((char *)copy[2], "five");
	ck_assert_str_eq((char *)copy[3], "nine");
	ck_assert_str_eq((char *)copy[5], "beta");
	ck_assert_str_eq((char *)copy[6], "alpha");
	ck_assert_str_eq((char *)copy[7], "six");
	/* An empty value, and no keys at all. */
	kss[0] = ks, keys[0] = "empty", klens[0] = 5;
	OK(st->get_many(st, 1, kss, keys, klens, vals, vlens, rcs));
	ck_assert_int_eq(rcs[0], POINTS_OK);
	ck_assert_uint_eq(vlens[0], 0);
	ck_assert_ptr_nonnull(vals[0]);
	OK(st->get_many(st, 0, NULL, NULL, NULL, NULL, NULL, NULL));
	OK(st->rollback(st));
	/* Outside a transaction: misuse, as get. */
	ck_assert_int_eq(st->get_many(st, 1, kss, keys, klens, vals, vlens,
	    rcs), POINTS_EMISUSE);
	/* A read transaction sees the committed state only. */
	OK(st->begin(st, 0));
	kss[0] = ks, keys[0] = "b", klens[0] = 1;
	kss[1] = nks, keys[1] = n9, klens[1] = 8;
	OK(st->get_many(st, 2, kss, keys, klens, vals, vlens, rcs));
	ck_assert_int_eq(rcs[0], POINTS_ENOTFOUND);
	ck_assert_int_eq(rcs[1], POINTS_OK);
	ck_assert_mem_eq(vals[1], "nine", 4);
	OK(st->rollback(st));
}
END_TEST

/* Many keys of one keyspace, read in one call after writes that move
 * values around (grown, replaced, deleted) in the same transaction. */
START_TEST(test_get_many_agrees_with_get)
{
	enum { N = 16 };
	points_keyspace *kss[N];
	const void *keys[N], *vals[N];
	size_t klens[N], vlens[N], i;
	unsigned char kb[N][8];
	char big[300];
	int rcs[N], round;

	be_open(_i);
	memset(big, 'B', sizeof(big));
	for (round = 0; round < 3; round++) {
		OK(st->begin(st, 1));
		for (i = 0; i < N; i++) {
			be64(kb[i], i * 7919 + (uint64_t)round);
			if ((i + (size_t)round) % 3 == 0)
				put(nks, kb[i], 8, big, 10 + i * 17);
			else if ((i + (size_t)round) % 3 == 1)
				OK(st->del(st, nks, kb[i], 8));
			kss[i] = nks;
			keys[i] = kb[i];
			klens[i] = 8;
		}
		OK(st->get_many(st, N, kss, keys, klens, vals, vlens, rcs));
		for (i = 0; i < N; i++) {
			int want = (i + (size_t)round) % 3 == 0 ? POINTS_OK :
			    POINTS_ENOTFOUND;

			ck_assert_int_eq(rcs[i], want);
			if (want == POINTS_OK) {
				ck_assert_uint_eq(vlens[i], 10 + i * 17);
				ck_assert_mem_eq(vals[i], big, vlens[i]);
			}
		}
		OK(st->commit(st));
	}
}
END_TEST

/* A get after get_many answers as the store holds the key now: after
 * the transaction's own put or delete of it, after a rollback to a
 * savepoint it was written and read under, and for the same key bytes
 * in another keyspace (a store that answers gets from what get_many
 * read, as PostgreSQL's does, must let an answer go when its key is
 * written). */
START_TEST(test_get_after_get_many_sees_later_writes)
{
	points_keyspace *kss[3];
	const void *keys[3], *vals[3];
	size_t klens[3], vlens[3];
	int rcs[3];
	char buf[16];

	be_open(_i);
	OK(st->begin(st, 1));
	put_s(ks, "a", "1");
	put_s(ks, "b", "2");
	put_s(ks2, "a", "other");
	OK(st->commit(st));
	OK(st->begin(st, 1));
	kss[0] = kss[1] = kss[2] = ks;
	keys[0] = "a", keys[1] = "b", keys[2] = "c";
	klens[0] = klens[1] = klens[2] = 1;
	OK(st->get_many(st, 3, kss, keys, klens, vals, vlens, rcs));
	ck_assert_str_eq(get_s(ks, "a", 1, buf, sizeof(buf)), "1");
	ck_assert_ptr_null(get_s(ks, "c", 1, buf, sizeof(buf)));
	ck_assert_str_eq(get_s(ks2, "a", 1, buf, sizeof(buf)), "other");
	put_s(ks, "a", "one");
	ck_assert_str_eq(get_s(ks, "a", 1, buf, sizeof(buf)), "one");
	OK(st->del(st, ks, "b", 1));
	ck_assert_ptr_null(get_s(ks, "b", 1, buf, sizeof(buf)));
	put_s(ks, "c", "3");
	ck_assert_str_eq(get_s(ks, "c", 1, buf, sizeof(buf)), "3");
	if (st->savepoint) {
		OK(st->savepoint(st));
		put_s(ks, "a", "undone");
		OK(st->get_many(st, 1, kss, keys, klens, vals, vlens, rcs));
		ck_assert_int_eq(rcs[0], POINTS_OK);
		ck_assert_mem_eq(vals[0], "undone", 6);
		OK(st->rollback_to(st));
		ck_assert_str_eq(get_s(ks, "a", 1, buf, sizeof(buf)), "one");
	}
	OK(st->commit(st));
	OK(st->begin(st, 0));
	ck_assert_str_eq(get_s(ks, "a", 1, buf, sizeof(buf)), "one");
	ck_assert_ptr_null(get_s(ks, "b", 1, buf, sizeof(buf)));
	ck_assert_str_eq(get_s(ks, "c", 1, buf, sizeof(buf)), "3");
	OK(st->rollback(st));
}
END_TEST

START_TEST(test_errmsg_says_why_a_call_failed)
{
	const char *m;
	const void *v;
	size_t vl;

	be_open(_i);
	ck_assert_ptr_nonnull(st->errmsg);
	ck_assert_int_eq(st->put(st, ks, "a", 1, "1", 1), POINTS_EMISUSE);
	m = st->errmsg(st);
	ck_assert_msg(m && *m, "no message after a failed put");
	ck_assert_msg(strstr(m, "transaction") != NULL, "message: %s", m);
	OK(st->begin(st, 1));
	ck_assert_int_eq(st->put(st, nks, "short", 5, "v", 1), POINTS_EINVAL);
	m = st->errmsg(st);
	ck_assert_msg(m && strstr(m, "8 bytes"), "message: %s", m ? m : "-");
	ck_assert_int_eq(st->get(st, ks, "none", 4, &v, &vl),
	    POINTS_ENOTFOUND);
	OK(st->rollback(st));
	ck_assert_int_eq(st->keyspace(st, "x", POINTS_KS_INTKEY |
	    POINTS_KS_INT64, &nks), POINTS_EINVAL);
	m = st->errmsg(st);
	ck_assert_msg(m && strstr(m, "flags"), "message: %s", m ? m : "-");
}
END_TEST

/* INT64 keys come in any order and are read back in memcmp order,
 * with bounds of any length; keys at or past 2^63 and keys of another
 * length are refused. */
START_TEST(test_int64_keys_any_order_cursor_in_memcmp_order)
{
	static model m, txn;
	static const struct { const char *b; size_t n; } bounds[] = {
		{ NULL, 0 }, { "", 0 }, { "\x10", 1 }, { "\x10\0\0\0\0\0\0", 7 },
		{ "\x10\0\0\0\0\0\0\0", 8 }, { "\x10\0\0\0\0\0\0\0\0", 9 },
		{ "\x3f\xff\xff\xff\xff\xff\xff\xff", 8 }, { "\x7f", 1 },
		{ "\x7f\xff\xff\xff\xff\xff\xff\xff\xff", 9 }, { "\x80", 1 },
		{ "\xff\xff\xff\xff\xff\xff\xff\xff\xff", 9 },
	};
	unsigned char k[8], v[32];
	const void *got;
	size_t gl, lo, hi;
	int t, i, rev;

	be_open(_i);
	rng_state = 0x9e3779b97f4a7c15u + (uint64_t)_i;
	m.n = 0;
	for (t = 0; t < 12; t++) {
		int commit = t % 4 != 3;

		txn = m;
		OK(st->begin(st, 1));
		for (i = 0; i < 200; i++) {
			uint64_t r = rng(), key;

			/* Keys across the whole range: small ones, ones
			 * with high bits set, and (account << 16 | asset)
			 * as the balances use. */
			switch (r % 3) {
			case 0: key = r >> 54; break;
			case 1: key = (r >> 1) & INT64_MAX; break;
			default: key = ((r >> 20) % 500) << 16 | (r % 3);
			}
			be64(k, key);
			snprintf((char *)v, sizeof(v), "v%d.%d", t, i);
			if ((r >> 61) < 6) {
				put(nks, k, 8, v, strlen((char *)v));
				model_put(&txn, k, 8, v, strlen((char *)v));
			} else {
				OK(st->del(st, nks, k, 8));
				model_del(&txn, k, 8);
			}
		}
		ck_model(nks, &txn, 0);
		if (commit) {
			OK(st->commit(st));
			m = txn;
		} else
			OK(st->rollback(st));
		ck_model(nks, &m, 1);
	}
	OK(st->begin(st, 0));
	for (lo = 0; lo < sizeof(bounds) / sizeof(bounds[0]); lo++)
		for (hi = 0; hi < sizeof(bounds) / sizeof(bounds[0]); hi++)
			for (rev = 0; rev < 2; rev++) {
				char *want = model_dump(&m, bounds[lo].b,
				    bounds[lo].n, bounds[hi].b, bounds[hi].n,
				    rev);

				ck_dump_eq(dump_range(nks, bounds[lo].b,
				    bounds[lo].n, bounds[hi].b, bounds[hi].n,
				    rev, 0), want);
				free(want);
			}
	/* A point read of every key the model has. */
	for (i = 0; i < m.n; i++) {
		OK(st->get(st, nks, m.r[i].k, 8, &got, &gl));
		ck_assert_uint_eq(gl, m.r[i].vl);
		ck_assert_mem_eq(got, m.r[i].v, gl);
	}
	OK(st->rollback(st));
	OK(st->begin(st, 1));
	ck_assert_int_eq(st->put(st, nks, "1234567", 7, "v", 1),
	    POINTS_EINVAL);
	ck_assert_int_eq(st->put(st, nks, "123456789", 9, "v", 1),
	    POINTS_EINVAL);
	be64(k, (uint64_t)1 << 63);
	ck_assert_int_eq(st->put(st, nks, k, 8, "v", 1), POINTS_EINVAL);
	ck_assert_int_eq(st->get(st, nks, k, 8, &got, &gl), POINTS_EINVAL);
	OK(st->rollback(st));
}
END_TEST

START_TEST(test_int64_flag_is_its_own)
{
	points_keyspace *k;

	be_open(_i);
	ck_assert_int_eq(st->keyspace(st, "both", POINTS_KS_INTKEY |
	    POINTS_KS_INT64, &k), POINTS_EINVAL);
	ck_assert_int_eq(st->keyspace(st, "main", POINTS_KS_INT64, &k),
	    POINTS_EINVAL);
	ck_assert_int_eq(st->keyspace(st, "nums", 0, &k), POINTS_EINVAL);
	OK(st->keyspace(st, "nums", POINTS_KS_INT64, &k));
	ck_assert_ptr_eq(k, nks);
	OK(st->keyspace(st, "ordered", POINTS_KS_INT64 | POINTS_KS_ORDERED,
	    &k));
}
END_TEST

/* Version 5: REWRITTEN is a hint every backend takes, with the other
 * flags or alone, for a keyspace made with it or without; a flag past
 * it is refused. */
START_TEST(test_rewritten_flag_is_a_hint)
{
	points_keyspace *k, *k2;
	const void *got;
	size_t gl;

	be_open(_i);
	ck_assert_uint_ge(st->version, 5);
	OK(st->keyspace(st, "rw", POINTS_KS_INT64 | POINTS_KS_REWRITTEN, &k));
	OK(st->keyspace(st, "rw2", POINTS_KS_ORDERED | POINTS_KS_REWRITTEN,
	    &k2));
	ck_assert_int_eq(st->keyspace(st, "rw3", 0x10u, &k), POINTS_EINVAL);
	/* again with the hint or without it: the same keyspace */
	OK(st->keyspace(st, "rw2", POINTS_KS_ORDERED, &k));
	ck_assert_ptr_eq(k, k2);
	OK(st->keyspace(st, "nums", POINTS_KS_INT64 | POINTS_KS_REWRITTEN,
	    &k));
	ck_assert_ptr_eq(k, nks);
	ck_assert_int_eq(st->keyspace(st, "rw2", POINTS_KS_REWRITTEN, &k),
	    POINTS_EINVAL); /* but not without ORDERED */
	OK(st->begin(st, 1));
	OK(st->put(st, k2, "a", 1, "1", 1));
	OK(st->put(st, k2, "a", 1, "22", 2));
	OK(st->get(st, k2, "a", 1, &got, &gl));
	ck_assert_uint_eq(gl, 2);
	ck_assert_int_eq(memcmp(got, "22", 2), 0);
	OK(st->commit(st));
}
END_TEST

/* ---- URIs ---- */

START_TEST(test_bad_uris_are_einval)
{
	static const char *const bad[] = {
		"", "memory", "memory:x", "mem:", "sqlite:", "sqlite",
		"sqlite:?busy_timeout=1", "file:/tmp/x.db",
		"sqlite:/tmp/x.db?bogus=1", "sqlite:/tmp/x.db?busy_timeout=abc",
		"sqlite:/tmp/x.db?busy_timeout=-1",
		"sqlite:/tmp/x.db?busy_timeout=99999999999",
		"sqlite:/tmp/x.db?busy_timeout=", "sqlite:/tmp/x.db?busy_timeout",
		"sqlite:/tmp/x.db?sync=fast", "sqlite:/tmp/x.db?sync=FULL",
		"sqlite:/tmp/x.db?exclusive=2", "sqlite:/tmp/x.db?wal_budget=0",
		"sqlite:/tmp/x.db?busy_timeout=1&&sync=full",
		"sqlite:/tmp/x.db?sync=full&", "sqlite:/tmp/x.db?mode=ro",
		"sqlite:/tmp/x.db?wal_budget=x",
	};
	points_store *s = NULL;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(points_store_open(bad[i], &s) == POINTS_EINVAL,
		    "uri '%s' accepted", bad[i]);
		ck_assert_ptr_null(s); /* untouched */
	}
	ck_assert_int_eq(points_store_open(NULL, &s), POINTS_EINVAL);
	ck_assert_int_eq(points_store_open("memory:", NULL), POINTS_EINVAL);
	points_store_close(NULL);
}
END_TEST

START_TEST(test_good_uris_open)
{
	static const char *const opts[] = {
		NULL, "", "busy_timeout=50", "sync=full", "sync=off",
		"sync=normal", "exclusive=1", "exclusive=0",
		"wal_budget=1048576", "wal_budget=1",
		"busy_timeout=0&sync=full&exclusive=1&wal_budget=4194304",
	};
	char uri[200];
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		sqlite_uri(uri, sizeof(uri), opts[i]);
		ck_assert_msg(points_store_open(uri, &inner) == POINTS_OK,
		    "uri '%s' refused", uri);
		ck_assert_str_eq(inner->name, "sqlite");
		OK(inner->keyspace(inner, "main", 0, &ks));
		OK(inner->begin(inner, 1));
		OK(inner->put(inner, ks, "k", 1, "v", 1));
		OK(inner->commit(inner));
		be_close();
	}
	OK(points_store_open("memory:", &inner));
	ck_assert_str_eq(inner->name, "memory");
	ck_assert_uint_eq(inner->version, POINTS_STORE_VERSION);
}
END_TEST

/* ---- SQLite ---- */

START_TEST(test_sqlite_persists_across_reopen)
{
	static model m;
	unsigned char k[8];

	be_open(B_SQLITE);
	fill_base(&m);
	OK(st->begin(st, 1));
	change_all(&m);
	be64(k, 42);
	put(iks, k, 8, "entry", 5);
	OK(st->commit(st));
	/* An open write transaction is rolled back by close. */
	OK(st->begin(st, 1));
	put_s(ks, "uncommitted", "x");
	be_close();
	be_open(B_SQLITE);
	ck_model(ks, &m, 1);
	ck_dump_eq(dump(iks, 1), "000000000000002a=656e747279;");
	ck_dump_eq(dump(ks2, 1), "6f74686572=78;");
}
END_TEST

/* The read cache lives for one transaction: what another connection
 * wrote in between, and what a rollback undid, is read afresh. */
START_TEST(test_sqlite_reads_see_other_writers_and_rollbacks)
{
	char uri[200], buf[64];
	points_store *other;
	points_keyspace *oks;

	be_open(B_SQLITE);
	sqlite_uri(uri, sizeof(uri), NULL);
	OK(points_store_open(uri, &other));
	OK(other->keyspace(other, "main", 0, &oks));

	OK(st->begin(st, 1));
	put_s(ks, "balance", "100");
	OK(st->commit(st));
	OK(st->begin(st, 0));
	ck_assert_str_eq(get_s(ks, "balance", 7, buf, sizeof(buf)), "100");
	ck_assert_str_eq(get_s(ks, "balance", 7, buf, sizeof(buf)), "100");
	OK(st->commit(st));

	/* another connection changes and deletes rows */
	OK(other->begin(other, 1));
	OK(other->put(other, oks, "balance", 7, "250", 3));
	OK(other->put(other, oks, "new", 3, "n", 1));
	OK(other->commit(other));
	OK(st->begin(st, 0));
	ck_assert_str_eq(get_s(ks, "balance", 7, buf, sizeof(buf)), "250");
	ck_assert_str_eq(get_s(ks, "new", 3, buf, sizeof(buf)), "n");
	OK(st->commit(st));
	OK(other->begin(other, 1));
	OK(other->del(other, oks, "balance", 7));
	OK(other->commit(other));
	OK(st->begin(st, 1));
	ck_assert_ptr_null(get_s(ks, "balance", 7, buf, sizeof(buf)));

	/* writes inside a transaction are read back, and gone after a
	 * rollback */
	put_s(ks, "balance", "1");
	ck_assert_str_eq(get_s(ks, "balance", 7, buf, sizeof(buf)), "1");
	put_s(ks, "new", "changed");
	OK(st->del(st, ks, "new", 3));
	ck_assert_ptr_null(get_s(ks, "new", 3, buf, sizeof(buf)));
	OK(st->rollback(st));
	OK(st->begin(st, 0));
	ck_assert_ptr_null(get_s(ks, "balance", 7, buf, sizeof(buf)));
	ck_assert_str_eq(get_s(ks, "new", 3, buf, sizeof(buf)), "n");
	OK(st->commit(st));
	points_store_close(other);
}
END_TEST

START_TEST(test_sqlite_schema_and_pragmas)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	const char *sql;

	be_open(B_SQLITE);
	be_close();
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db,
	    "SELECT sql FROM sqlite_master WHERE name = ?1", -1, &q, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(q, 1, "ks_main", -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	sql = (const char *)sqlite3_column_text(q, 0);
	ck_assert_ptr_nonnull(strstr(sql, "k BLOB PRIMARY KEY"));
	ck_assert_ptr_nonnull(strstr(sql, "WITHOUT ROWID"));
	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, "ks_log", -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	sql = (const char *)sqlite3_column_text(q, 0);
	ck_assert_ptr_nonnull(strstr(sql, "k INTEGER PRIMARY KEY"));
	ck_assert_ptr_null(strstr(sql, "WITHOUT ROWID"));
	/* INT64 keyspaces are rowid tables too: integer comparisons. */
	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, "ks_nums", -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	sql = (const char *)sqlite3_column_text(q, 0);
	ck_assert_ptr_nonnull(strstr(sql, "k INTEGER PRIMARY KEY"));
	ck_assert_ptr_null(strstr(sql, "WITHOUT ROWID"));
	sqlite3_finalize(q);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q,
	    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(q, 0), "wal");
	sqlite3_finalize(q);
	sqlite3_close(db);
}
END_TEST

/* A table whose tree is not in its keys' order (as a damaged page
 * leaves it; here its schema is edited behind SQLite's back, so that
 * rows stored in one order are compared in another): a cursor meeting a
 * key out of order, or out of its range, fails with a message, and
 * again on the next call, instead of passing the key on as if in
 * order. */
START_TEST(test_sqlite_key_out_of_order_is_an_error)
{
	static const char *const bent =
	    "CREATE TABLE ks_bent(k BLOB PRIMARY KEY COLLATE NOCASE, "
	    "v BLOB NOT NULL) WITHOUT ROWID;"
	    "INSERT INTO ks_bent VALUES ('a', x''), ('B', x''), ('c', x'');"
	    "PRAGMA writable_schema = ON;"
	    "UPDATE sqlite_master SET sql = 'CREATE TABLE ks_bent(k BLOB "
	    "PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID' "
	    "WHERE name = 'ks_bent';";
	points_keyspace *k;
	points_cursor *c;
	const void *key, *v;
	size_t kl, vl;
	sqlite3 *db;
	char uri[200];
	int rev;

	be_open(B_SQLITE);
	be_close();
	ck_assert_int_eq(sqlite3_open(dbpath, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, bent, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	sqlite_uri(uri, sizeof(uri), NULL);
	OK(points_store_open(uri, &inner));
	st = inner;
	OK(st->keyspace(st, "bent", 0, &k));
	OK(st->begin(st, 0));
	for (rev = 0; rev < 2; rev++) {
		/* stored a, B, c: B is before a in bytes (a B is out of
		 * order, and c B a at a) */
		OK(st->cursor_open(st, k, NULL, 0, NULL, 0, rev, &c));
		OK(st->cursor_next(st, c, &key, &kl, &v, &vl));
		ck_assert_int_eq(kl, 1);
		ck_assert_int_eq(*(const char *)key, rev ? 'c' : 'a');
		if (rev) {
			OK(st->cursor_next(st, c, &key, &kl, &v, &vl));
			ck_assert_int_eq(*(const char *)key, 'B');
		}
		ck_assert_int_eq(st->cursor_next(st, c, &key, &kl, &v, &vl),
		    POINTS_ESTORAGE);
		ck_assert_ptr_nonnull(strstr(st->errmsg(st),
		    "keyspace bent: a key out of order"));
		ck_assert_int_eq(st->cursor_next(st, c, &key, &kl, &v, &vl),
		    POINTS_ESTORAGE);
		st->cursor_close(st, c);
	}
	/* below C, descending: the keys are text, which SQLite sorts
	 * before the bound, a blob, so it returns c, past the range */
	OK(st->cursor_open(st, k, NULL, 0, "C", 1, 1, &c));
	ck_assert_int_eq(st->cursor_next(st, c, &key, &kl, &v, &vl),
	    POINTS_ESTORAGE);
	st->cursor_close(st, c);
	OK(st->commit(st));
}
END_TEST

START_TEST(test_sqlite_keyspace_flags_checked_on_reopen)
{
	points_keyspace *k;
	char uri[200];

	be_open(B_SQLITE);
	be_close();
	sqlite_uri(uri, sizeof(uri), NULL);
	OK(points_store_open(uri, &inner));
	st = inner;
	/* "main" was made a blob table, "log" a rowid one. */
	ck_assert_int_eq(inner->keyspace(inner, "main", POINTS_KS_INTKEY, &k),
	    POINTS_EINVAL);
	ck_assert_ptr_nonnull(inner->errmsg(inner));
	ck_assert_ptr_nonnull(strstr(inner->errmsg(inner), "flags"));
	ck_assert_int_eq(inner->keyspace(inner, "log", 0, &k), POINTS_EINVAL);
	OK(inner->keyspace(inner, "log", POINTS_KS_INTKEY, &k));
	/* INT64 is a hint, which a version-1 store never passes: a blob
	 * table made without it serves an INT64 keyspace as blobs, in the
	 * same order, and an integer table made with it serves a keyspace
	 * opened without it as integers (so 8-byte keys below 2^63 only). */
	OK(inner->keyspace(inner, "nums", 0, &k));
	OK(inner->begin(inner, 1));
	OK(inner->put(inner, k, "\0\0\0\0\0\0\0\7", 8, "7", 1));
	ck_assert_int_eq(inner->put(inner, k, "seven", 5, "7", 1),
	    POINTS_EINVAL);
	OK(inner->commit(inner));
	ck_dump_eq(dump(k, 1), "0000000000000007=37;");
	OK(inner->keyspace(inner, "main", POINTS_KS_INT64, &k));
	OK(inner->begin(inner, 1));
	OK(inner->put(inner, k, "\0\0\0\0\0\0\0\2", 8, "2", 1));
	OK(inner->put(inner, k, "\0\0\0\0\0\0\0\1", 8, "1", 1));
	OK(inner->commit(inner));
	ks = k;
	ck_dump_eq(dump(ks, 1), "0000000000000001=31;0000000000000002=32;");
}
END_TEST

START_TEST(test_sqlite_busy_writer_gives_ebusy)
{
	points_store *a, *b;
	points_keyspace *ka, *kb;
	char uri[200];
	const void *v;
	size_t vl;
	struct timespec t0, t1;
	double ms;

	sqlite_uri(uri, sizeof(uri), NULL);
	OK(points_store_open(uri, &a));
	sqlite_uri(uri, sizeof(uri), "busy_timeout=50");
	OK(points_store_open(uri, &b));
	OK(a->keyspace(a, "main", 0, &ka));
	OK(b->keyspace(b, "main", 0, &kb));
	OK(a->begin(a, 1));
	OK(a->put(a, ka, "k", 1, "1", 1));
	OK(a->commit(a));

	OK(a->begin(a, 1));
	OK(a->put(a, ka, "k", 1, "2", 1));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(b->begin(b, 1), POINTS_EBUSY);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	ck_assert_msg(ms >= 40 && ms < 2000, "busy after %.0f ms", ms);
	ck_assert_ptr_nonnull(b->errmsg(b));
	ck_assert_ptr_nonnull(strstr(b->errmsg(b), "begin"));
	/* WAL: a reader is not blocked and sees the committed value. */
	OK(b->begin(b, 0));
	OK(b->get(b, kb, "k", 1, &v, &vl));
	ck_assert_mem_eq(v, "1", 1);
	OK(b->rollback(b));
	OK(a->commit(a));
	OK(b->begin(b, 1));
	OK(b->get(b, kb, "k", 1, &v, &vl));
	ck_assert_mem_eq(v, "2", 1);
	OK(b->commit(b));
	points_store_close(b);
	points_store_close(a);
}
END_TEST

START_TEST(test_sqlite_exclusive_locks_out_others)
{
	points_store *a, *b = NULL;
	points_keyspace *ka, *kb;
	char uri[200];
	const void *v;
	size_t vl;
	int rc;

	sqlite_uri(uri, sizeof(uri), "exclusive=1");
	OK(points_store_open(uri, &a));
	OK(a->keyspace(a, "main", 0, &ka));
	OK(a->begin(a, 1));
	OK(a->put(a, ka, "k", 1, "1", 1));
	OK(a->commit(a));
	sqlite_uri(uri, sizeof(uri), "busy_timeout=10");
	rc = points_store_open(uri, &b);
	if (rc == POINTS_OK) { /* the lock may only show at first use */
		rc = b->keyspace(b, "main", 0, &kb);
		if (rc == POINTS_OK && (rc = b->begin(b, 0)) == POINTS_OK) {
			rc = b->get(b, kb, "k", 1, &v, &vl);
			b->rollback(b);
		}
		points_store_close(b);
	}
	ck_assert_int_eq(rc, POINTS_EBUSY);
	points_store_close(a);
}
END_TEST

/* ---- The fault wrapper ---- */

static void
fault_open(int b)
{
	be_open(b == 0 ? B_FAULT_MEMORY : B_FAULT_SQLITE);
}

START_TEST(test_fault_fails_exactly_call_n)
{
	char buf[8];
	const void *v;
	size_t vl;

	fault_open(_i);
	OK(points_store_fault_arm(st, 3, 0));
	OK(st->begin(st, 1));                                /* 1 */
	put_s(ks, "a", "1");                                 /* 2 */
	ck_assert_int_eq(st->put(st, ks, "b", 1, "2", 1),    /* 3 */
	    POINTS_ESTORAGE);
	put_s(ks, "c", "3");                                 /* 4 */
	ck_assert_int_eq(points_store_fault_calls(st), 4);
	ck_assert_int_eq(points_store_fault_failures(st), 1);
	/* The failed put never reached the backend. */
	ck_assert_int_eq(inner->get(inner, ks, "b", 1, &v, &vl),
	    POINTS_ENOTFOUND);
	OK(st->commit(st));                                  /* 5 */
	ck_assert_int_eq(points_store_fault_calls(st), 5);
	ck_dump_eq(dump(ks, 1), "61=31;63=33;");
	/* Disarmed (n = 0): counts, never fails. */
	OK(points_store_fault_arm(st, 0, 0));
	ck_assert_int_eq(points_store_fault_calls(st), 0);
	OK(st->begin(st, 0));
	ck_assert_str_eq(get_s(ks, "a", 1, buf, sizeof(buf)), "1");
	OK(st->rollback(st));
	ck_assert_int_eq(points_store_fault_calls(st), 2);
	ck_assert_int_eq(points_store_fault_failures(st), 0);
}
END_TEST

START_TEST(test_fault_persistent_fails_from_n)
{
	const void *v;
	size_t vl;
	points_cursor *c;

	fault_open(_i);
	OK(points_store_fault_arm(st, 2, 1));
	OK(st->begin(st, 0));
	ck_assert_int_eq(st->get(st, ks, "a", 1, &v, &vl), POINTS_ESTORAGE);
	ck_assert_int_eq(st->get(st, ks, "a", 1, &v, &vl), POINTS_ESTORAGE);
	ck_assert_int_eq(st->cursor_open(st, ks, NULL, 0, NULL, 0, 0, &c),
	    POINTS_ESTORAGE);
	ck_assert_int_eq(st->commit(st), POINTS_ESTORAGE);
	OK(st->rollback(st)); /* never failed */
	ck_assert_int_eq(st->begin(st, 1), POINTS_ESTORAGE);
	ck_assert_int_eq(points_store_fault_calls(st), 6);
	ck_assert_int_eq(points_store_fault_failures(st), 5);
	OK(points_store_fault_arm(st, 0, 0));
	OK(st->begin(st, 1));
	OK(st->commit(st));
}
END_TEST

START_TEST(test_fault_commit_failure_rolls_back_inner)
{
	fault_open(_i);
	OK(st->begin(st, 1));
	put_s(ks, "a", "1");
	OK(points_store_fault_arm(st, 1, 0));
	ck_assert_int_eq(st->commit(st), POINTS_ESTORAGE);
	/* Inner is out of its transaction and kept nothing... */
	OK(inner->begin(inner, 0));
	OK(inner->rollback(inner));
	ck_dump_eq(dump(ks, 1), "");
	/* ...and the caller's rollback that follows is harmless. */
	OK(st->rollback(st));
	OK(st->begin(st, 1));
	put_s(ks, "b", "2");
	OK(st->commit(st));
	ck_dump_eq(dump(ks, 1), "62=32;");
}
END_TEST

START_TEST(test_fault_cursor_next_failure)
{
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;

	fault_open(_i);
	OK(st->begin(st, 1));
	fill_even(ks, NULL, 3);
	OK(st->commit(st));
	OK(st->begin(st, 0));
	OK(st->cursor_open(st, ks, NULL, 0, NULL, 0, 0, &c));
	OK(points_store_fault_arm(st, 2, 0));
	OK(st->cursor_next(st, c, &k, &kl, &v, &vl));
	ck_assert_mem_eq(k, "\0\0", 2);
	ck_assert_int_eq(st->cursor_next(st, c, &k, &kl, &v, &vl),
	    POINTS_ESTORAGE);
	/* Not forwarded: the next call returns the next row. */
	OK(st->cursor_next(st, c, &k, &kl, &v, &vl));
	ck_assert_mem_eq(k, "\0\2", 2);
	st->cursor_close(st, c);
	OK(st->rollback(st));
}
END_TEST

START_TEST(test_fault_arm_needs_a_fault_store)
{
	points_store *m;

	OK(points_store_open("memory:", &m));
	ck_assert_int_eq(points_store_fault_arm(m, 1, 0), POINTS_EINVAL);
	ck_assert_int_eq(points_store_fault_calls(m), POINTS_EINVAL);
	ck_assert_int_eq(points_store_fault_failures(m), POINTS_EINVAL);
	ck_assert_int_eq(points_store_fault_arm(NULL, 1, 0), POINTS_EINVAL);
	ck_assert_int_eq(points_store_fault_new(NULL, &st), POINTS_EINVAL);
	ck_assert_int_eq(points_store_fault_new(m, NULL), POINTS_EINVAL);
	ck_assert_ptr_null(m->errmsg(m)); /* nothing failed yet */
	points_store_close(m);
}
END_TEST

START_TEST(test_fault_new_checks_inner_version)
{
	points_store fake;

	memset(&fake, 0, sizeof(fake));
	ck_assert_int_eq(points_store_fault_new(&fake, &st), POINTS_EVERSION);
	fake.version = POINTS_STORE_VERSION + 1;
	ck_assert_int_eq(points_store_fault_new(&fake, &st), POINTS_EVERSION);
	fake.version = POINTS_STORE_VERSION;
	ck_assert_int_eq(points_store_fault_new(&fake, &st), POINTS_EINVAL);
	st = NULL;
}
END_TEST

START_TEST(test_fault_close_keeps_inner_open)
{
	fault_open(_i);
	OK(st->begin(st, 1));
	put_s(ks, "a", "1");
	/* Closing the wrapper rolls back what it began, not more. */
	points_store_close(st);
	st = inner;
	ck_dump_eq(dump(ks, 1), "");
	OK(st->begin(st, 1));
	put_s(ks, "b", "2");
	OK(st->commit(st));
	ck_dump_eq(dump(ks, 1), "62=32;");
}
END_TEST

START_TEST(test_fault_errmsg_names_the_fault)
{
	const char *m;

	fault_open(_i);
	OK(points_store_fault_arm(st, 1, 0));
	ck_assert_int_eq(st->begin(st, 1), POINTS_ESTORAGE);
	m = st->errmsg(st);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(strstr(m, "fault"));
	ck_assert_str_eq(st->name, "fault");
}
END_TEST

/* get_many is one call; every method is counted on its own, those that
 * never fail too. */
START_TEST(test_fault_counts_calls_per_method)
{
	points_keyspace *kss[3];
	const void *keys[3], *vals[3];
	size_t klens[3], vlens[3];
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	int rcs[3];

	fault_open(_i);
	OK(points_store_fault_arm(st, 0, 0)); /* counts from here */
	OK(st->begin(st, 1));
	put_s(ks, "a", "1");
	put_s(ks, "b", "2");
	OK(st->del(st, ks, "c", 1));
	kss[0] = kss[1] = kss[2] = ks;
	keys[0] = "a", keys[1] = "b", keys[2] = "c";
	klens[0] = klens[1] = klens[2] = 1;
	OK(st->get_many(st, 3, kss, keys, klens, vals, vlens, rcs));
	OK(st->cursor_open(st, ks, NULL, 0, NULL, 0, 0, &c));
	OK(st->cursor_next(st, c, &k, &kl, &v, &vl));
	st->cursor_close(st, c);
	OK(st->commit(st));
	OK(st->rollback(st));
	ck_assert_int_eq(points_store_fault_calls(st), 8);
	ck_assert_int_eq(points_store_fault_method_calls(st, "begin"), 1);
	ck_assert_int_eq(points_store_fault_method_calls(st, "put"), 2);
	ck_assert_int_eq(points_store_fault_method_calls(st, "del"), 1);
	ck_assert_int_eq(points_store_fault_method_calls(st, "get_many"), 1);
	ck_assert_int_eq(points_store_fault_method_calls(st, "get"), 0);
	ck_assert_int_eq(points_store_fault_method_calls(st, "cursor_open"),
	    1);
	ck_assert_int_eq(points_store_fault_method_calls(st, "cursor_next"),
	    1);
	ck_assert_int_eq(points_store_fault_method_calls(st, "cursor_close"),
	    1);
	ck_assert_int_eq(points_store_fault_method_calls(st, "commit"), 1);
	ck_assert_int_eq(points_store_fault_method_calls(st, "rollback"), 1);
	ck_assert_int_eq(points_store_fault_method_calls(st, "keyspace"), 0);
	ck_assert_int_eq(points_store_fault_method_calls(st, "close"),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_store_fault_method_calls(st, NULL),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_store_fault_method_calls(inner, "get"),
	    POINTS_EINVAL);
	/* Arming starts the counts again; a failed get_many is one. */
	OK(points_store_fault_arm(st, 2, 0));
	OK(st->begin(st, 0));
	ck_assert_int_eq(st->get_many(st, 3, kss, keys, klens, vals, vlens,
	    rcs), POINTS_ESTORAGE);
	ck_assert_ptr_nonnull(strstr(st->errmsg(st), "fault injected at call 2"));
	OK(st->rollback(st));
	ck_assert_int_eq(points_store_fault_method_calls(st, "get_many"), 1);
	ck_assert_int_eq(points_store_fault_method_calls(st, "put"), 0);
	ck_assert_int_eq(points_store_fault_failures(st), 1);
}
END_TEST

/* A backend of version 1 (no errmsg, no get_many): the wrapper stacks on
 * it without them, and reads none of its version-2 members (they
 * trap). */
START_TEST(test_fault_over_version_1_store)
{
	const void *v;
	size_t vl;

	OK(points_store_open("memory:", &inner));
	inner = tu_store_v1(inner);
	OK(points_store_fault_new(inner, &st));
	ck_assert_uint_eq(st->version, POINTS_STORE_VERSION);
	ck_assert_ptr_null(st->get_many);
	ck_assert_ptr_nonnull(st->errmsg);
	ck_assert_ptr_null(st->savepoint);
	ck_assert_ptr_null(st->release);
	ck_assert_ptr_null(st->rollback_to);
	OK(st->keyspace(st, "main", 0, &ks));
	OK(st->begin(st, 1));
	put_s(ks, "a", "1");
	OK(st->commit(st));
	/* The inner store's failure: no words from a version-1 store. */
	ck_assert_int_eq(st->put(st, ks, "b", 1, "2", 1), POINTS_EMISUSE);
	ck_assert_ptr_null(st->errmsg(st));
	/* An injected one: the wrapper's own. */
	OK(points_store_fault_arm(st, 1, 0));
	ck_assert_int_eq(st->begin(st, 0), POINTS_ESTORAGE);
	ck_assert_ptr_nonnull(strstr(st->errmsg(st), "fault"));
	OK(points_store_fault_arm(st, 0, 0));
	OK(st->begin(st, 0));
	OK(st->get(st, ks, "a", 1, &v, &vl));
	OK(st->rollback(st));
}
END_TEST

/* Savepoints are counted and failed like other calls, and a failed one
 * is not forwarded: a failed release leaves the savepoint open, a failed
 * rollback_to leaves the writes since it. */
START_TEST(test_fault_counts_and_fails_savepoints)
{
	fault_open(_i);
	OK(points_store_fault_arm(st, 0, 0));
	OK(st->begin(st, 1));                                 /* 1 */
	OK(st->savepoint(st));                                /* 2 */
	put_s(ks, "a", "1");                                  /* 3 */
	OK(st->release(st));                                  /* 4 */
	OK(st->savepoint(st));                                /* 5 */
	put_s(ks, "b", "1");                                  /* 6 */
	OK(st->rollback_to(st));                              /* 7 */
	ck_assert_int_eq(points_store_fault_calls(st), 7);
	ck_assert_int_eq(points_store_fault_method_calls(st, "savepoint"), 2);
	ck_assert_int_eq(points_store_fault_method_calls(st, "release"), 1);
	ck_assert_int_eq(points_store_fault_method_calls(st, "rollback_to"),
	    1);
	/* a failed savepoint opens none */
	OK(points_store_fault_arm(st, 1, 0));
	ck_assert_int_eq(st->savepoint(st), POINTS_ESTORAGE);
	ck_assert_int_eq(st->release(st), POINTS_EMISUSE);
	/* a failed release leaves it open: rollback_to still undoes */
	OK(points_store_fault_arm(st, 0, 0));
	OK(st->savepoint(st));
	put_s(ks, "c", "1");
	OK(points_store_fault_arm(st, 1, 0));
	ck_assert_int_eq(st->release(st), POINTS_ESTORAGE);
	ck_assert_ptr_nonnull(strstr(st->errmsg(st), "fault injected"));
	OK(st->rollback_to(st));
	/* a failed rollback_to undoes nothing */
	OK(st->savepoint(st));
	put_s(ks, "d", "1");
	OK(points_store_fault_arm(st, 1, 0));
	ck_assert_int_eq(st->rollback_to(st), POINTS_ESTORAGE);
	ck_get(ks, "d", "1");
	OK(points_store_fault_arm(st, 0, 0));
	OK(st->rollback_to(st));
	OK(st->commit(st));
	ck_dump_eq(dump(ks, 1), "61=31;");
}
END_TEST

/* Over a store of version 2 the wrapper has no savepoints either, so a
 * ledger on it keeps the fallback (and never calls past the end). */
START_TEST(test_fault_over_version_2_store)
{
	OK(points_store_open("memory:", &inner));
	inner = tu_store_v2(inner);
	OK(points_store_fault_new(inner, &st));
	ck_assert_ptr_nonnull(st->get_many);
	ck_assert_ptr_null(st->savepoint);
	ck_assert_ptr_null(st->release);
	ck_assert_ptr_null(st->rollback_to);
}
END_TEST

/* SQLite's fault loop: fail call N = 1, 2, ... of an operation until it
 * succeeds, once only call N and once every call from N; after each
 * failure and rollback the contents are exactly as before. */
static int
operation(void)
{
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	int rc;

	if ((rc = st->begin(st, 1)))
		return rc;
	if ((rc = st->get(st, ks, "\0\2", 2, &v, &vl)) ||
	    (rc = st->put(st, ks, "new", 3, "v", 1)) ||
	    (rc = st->del(st, ks, "\0\4", 2)) ||
	    (rc = st->cursor_open(st, ks, "\0\6", 2, NULL, 0, 0, &c)))
		goto out;
	while ((rc = st->cursor_next(st, c, &k, &kl, &v, &vl)) == POINTS_OK)
		if (kl == 2 && (rc = st->del(st, ks, k, kl)))
			break;
	st->cursor_close(st, c);
	if (rc != POINTS_ITEROVER)
		goto out;
	if ((rc = st->put(st, ks, "newer", 5, "w", 1)) ||
	    (rc = st->commit(st)))
		goto out;
	return POINTS_OK;
out:
	st->rollback(st);
	return rc;
}

START_TEST(test_fault_loop_leaves_store_unchanged)
{
	char *before;
	int64_t n, failures;
	int persistent, rc;

	for (persistent = 0; persistent < 2; persistent++) {
		fault_open(_i);
		OK(st->begin(st, 1));
		fill_even(ks, NULL, 10);
		OK(st->commit(st));
		before = dump(ks, 1);
		for (n = 1;; n++) {
			OK(points_store_fault_arm(st, n, persistent));
			rc = operation();
			failures = points_store_fault_failures(st);
			OK(points_store_fault_arm(st, 0, 0));
			if (rc == POINTS_OK) {
				ck_assert_int_eq(failures, 0);
				break;
			}
			ck_assert_int_eq(rc, POINTS_ESTORAGE);
			ck_assert_int_ge(failures, 1);
			ck_dump_eq(dump(ks, 1), before);
		}
		ck_assert_int_gt(n, 10);
		ck_dump_eq(dump(ks, 1), "0000=303030;0002=303031;"
		    "6e6577=76;6e65776572=77;");
		free(before);
		be_close();
	}
}
END_TEST

/* ---- The memory backend under allocation failure ---- */

static long alloc_calls, alloc_fail_at, alloc_live;
static int alloc_fail_from, alloc_fail_all, alloc_paused;

static int
alloc_should_fail(void)
{
	if (alloc_paused)
		return 0;
	alloc_calls++;
	return alloc_fail_all || (alloc_fail_at && (alloc_calls ==
	    alloc_fail_at || (alloc_fail_from && alloc_calls > alloc_fail_at)));
}

static void *
t_malloc(size_t n)
{
	void *p;

	if (alloc_should_fail())
		return NULL;
	if ((p = malloc(n)))
		alloc_live++;
	return p;
}

static void *
t_realloc(void *p, size_t n)
{
	void *q;

	if (alloc_should_fail())
		return NULL;
	if ((q = realloc(p, n)) && !p)
		alloc_live++;
	return q;
}

static void
t_free(void *p)
{
	if (p)
		alloc_live--;
	free(p);
}

static void
alloc_arm(long n, int from)
{
	alloc_calls = 0;
	alloc_fail_at = n;
	alloc_fail_from = from;
	alloc_fail_all = 0;
}

static char *
dump_paused(points_keyspace *k)
{
	char *d;

	alloc_paused = 1;
	d = dump(k, 0);
	alloc_paused = 0;
	return d;
}

/* One operation under allocation failure, each on a fresh store set up
 * so that the operation needs memory at a given place. */
enum {
	OP_SPLIT,      /* insert into a full leaf */
	OP_HASH_GROW,  /* the insert that doubles the hash table */
	OP_INPLACE,    /* replace in place: the old value is saved */
	OP_SAVED_GROW, /* ...when the saved-bytes buffer is full */
	OP_MOVE,       /* a value that outgrew its entry */
	OP_DEL,        /* delete when the undo log is full */
	OP_APPEND,     /* append to the entry log: a split at the right edge */
	OP_CURSOR,     /* open a cursor */
	NOPS
};

static const char *const op_key[NOPS] = {
	"k00005", "n00008", "k00010", "k00020", "k00030", "k00040", NULL, NULL
};

/* A fresh store, its committed contents in base[], and a write
 * transaction open, filled so that op needs memory where it says. */
static void
enomem_setup(int op, char *base[3])
{
	char key[16], val[64];
	unsigned char k[8];
	int i;

	be_open(B_MEMORY);
	memset(val, 'v', sizeof(val));
	/* Small transactions: the undo log keeps its first size. */
	for (i = 0; i < 640; i++) {
		if (i % 16 == 0)
			OK(st->begin(st, 1));
		snprintf(key, sizeof(key), "k%05d", i * 10);
		put(ks, key, strlen(key), "value", 5);
		be64(k, (uint64_t)i);
		put(iks, k, 8, "entry", 5);
		if (i < 8) { /* the next insert doubles the table */
			snprintf(key, sizeof(key), "n%05d", i);
			put(ks2, key, strlen(key), "n", 1);
		}
		if (i >= 100 && i < 164) { /* 64 values of 64 bytes */
			snprintf(key, sizeof(key), "v%05d", i);
			put(ks, key, strlen(key), val, sizeof(val));
		}
		if (i % 16 == 15)
			OK(st->commit(st));
	}
	base[0] = dump(ks, 1);
	base[1] = dump(ks2, 1);
	base[2] = dump(iks, 1);
	OK(st->begin(st, 1));
	for (i = 100; i < 164; i++) {
		if (op == OP_SAVED_GROW) { /* 64 saved values: 4096 bytes */
			snprintf(key, sizeof(key), "v%05d", i);
			put(ks, key, strlen(key), "w", 1);
		} else if (op == OP_DEL) { /* 64 undo records */
			snprintf(key, sizeof(key), "x%05d", i);
			put(ks2, key, strlen(key), "x", 1);
		}
	}
}

static int
enomem_op(int op, points_cursor **c)
{
	unsigned char k[8];
	char big[150];

	memset(big, 'B', sizeof(big));
	switch (op) {
	case OP_SPLIT:
	case OP_INPLACE:
		return st->put(st, ks, op_key[op], 6, "NEW", 3);
	case OP_HASH_GROW:
		return st->put(st, ks2, op_key[op], 6, "NEW", 3);
	case OP_SAVED_GROW:
		return st->put(st, ks, op_key[op], 6, "NEW", 3);
	case OP_MOVE:
		return st->put(st, ks, op_key[op], 6, big, sizeof(big));
	case OP_DEL:
		return st->del(st, ks, op_key[op], 6);
	case OP_APPEND:
		be64(k, 640);
		return st->put(st, iks, k, 8, big, 60);
	default:
		return st->cursor_open(st, ks, "k", 1, NULL, 0, 1, c);
	}
}

/* The value of key (or "-" when missing) in buf, without failures. */
static const char *
peek(points_keyspace *k, const char *key, char *buf, size_t n)
{
	const char *r;

	alloc_paused = 1;
	r = key ? get_s(k, key, strlen(key), buf, n) : "";
	alloc_paused = 0;
	return r ? r : "-";
}

static void
enomem_loop(int from)
{
	char *base[3], *pre[3], b1[256], b2[256];
	points_keyspace **all[3], *opks;
	points_cursor *c = NULL;
	int op, i, rc;
	long n;

	all[0] = &ks;
	all[1] = &ks2;
	all[2] = &iks;
	OK(points_set_allocator(t_malloc, t_realloc, t_free));
	for (op = 0; op < NOPS; op++) {
		for (n = 1;; n++) {
			alloc_arm(0, 0);
			alloc_live = 0;
			enomem_setup(op, base);
			opks = op == OP_HASH_GROW ? ks2 : ks;
			for (i = 0; i < 3; i++)
				pre[i] = dump_paused(*all[i]);
			strcpy(b1, peek(opks, op_key[op], b2, sizeof(b2)));
			alloc_arm(n, from);
			rc = enomem_op(op, &c);
			alloc_arm(0, 0);
			if (rc == POINTS_OK) {
				if (op == OP_CURSOR)
					st->cursor_close(st, c);
				OK(st->commit(st));
			} else {
				ck_assert_int_eq(rc, POINTS_ENOMEM);
				/* Unchanged, seen by cursors and by get. */
				for (i = 0; i < 3; i++)
					ck_dump_eq(dump_paused(*all[i]),
					    pre[i]);
				ck_assert_str_eq(peek(opks, op_key[op], b2,
				    sizeof(b2)), b1);
				/* Rollback must not need memory at all. */
				alloc_fail_all = 1;
				OK(st->rollback(st));
				alloc_fail_all = 0;
				for (i = 0; i < 3; i++)
					ck_dump_eq(dump(*all[i], 1), base[i]);
			}
			for (i = 0; i < 3; i++) {
				free(base[i]);
				free(pre[i]);
			}
			be_close();
			ck_assert_int_eq(alloc_live, 0); /* nothing leaked */
			if (rc == POINTS_OK)
				break;
		}
		ck_assert_msg(n > 1, "op %d needed no memory", op);
	}
	OK(points_set_allocator(NULL, NULL, NULL));
}

START_TEST(test_memory_enomem_fails_cleanly_once)
{
	enomem_loop(0);
}
END_TEST

START_TEST(test_memory_enomem_fails_cleanly_persistent)
{
	enomem_loop(1);
}
END_TEST

START_TEST(test_memory_open_under_enomem)
{
	long n;
	int rc;

	alloc_arm(0, 0);
	OK(points_set_allocator(t_malloc, t_realloc, t_free));
	alloc_live = 0;
	for (n = 1;; n++) {
		alloc_arm(n, 1);
		rc = points_store_open("memory:", &inner);
		if (rc == POINTS_OK) {
			rc = inner->keyspace(inner, "main", 0, &ks);
			if (rc == POINTS_OK)
				rc = inner->keyspace(inner, "log",
				    POINTS_KS_INTKEY, &iks);
			alloc_arm(0, 0);
			points_store_close(inner);
			inner = NULL;
			if (rc == POINTS_OK)
				break;
		}
		ck_assert_int_eq(rc, POINTS_ENOMEM);
		ck_assert_int_eq(alloc_live, 0);
	}
	ck_assert_int_eq(alloc_live, 0);
	OK(points_set_allocator(NULL, NULL, NULL));
}
END_TEST

/* Rolling back to a savepoint needs no memory, after writes that split
 * leaves, grew the hash table and moved values; and a savepoint that
 * cannot get memory for its stack fails cleanly. */
START_TEST(test_memory_rollback_to_needs_no_memory)
{
	unsigned char k[8];
	char *before;
	uint64_t i;

	alloc_arm(0, 0);
	OK(points_set_allocator(t_malloc, t_realloc, t_free));
	alloc_live = 0;
	be_open(B_MEMORY);
	OK(st->begin(st, 1));
	for (i = 0; i < 500; i++) {
		be64(k, i * 7);
		put(ks, k, 8, "v", 1);
	}
	OK(st->commit(st));
	before = dump(ks, 1);
	OK(st->begin(st, 1));
	for (i = 0; i < 100; i++) { /* made before the savepoint */
		be64(k, i * 7 + 1);
		put(ks, k, 8, "w", 1);
	}
	alloc_arm(1, 0);
	ck_assert_int_eq(st->savepoint(st), POINTS_ENOMEM);
	ck_assert_int_eq(st->release(st), POINTS_EMISUSE);
	alloc_arm(0, 0);
	OK(st->savepoint(st));
	for (i = 0; i < 2000; i++) {
		be64(k, i * 3);
		if (i % 5 == 0)
			OK(st->del(st, ks, k, 8));
		else
			put(ks, k, 8, "a longer value than before", 26);
	}
	alloc_fail_all = 1;
	OK(st->rollback_to(st));
	alloc_fail_all = 0;
	OK(st->rollback(st));
	ck_dump_eq(dump(ks, 1), before);
	free(before);
	be_close();
	ck_assert_int_eq(alloc_live, 0);
	OK(points_set_allocator(NULL, NULL, NULL));
}
END_TEST

/* A queue: keys appended at one end, deleted at the other.  Emptied
 * leaves must be given back, so memory stays bounded. */
START_TEST(test_memory_queue_pattern_stays_bounded)
{
	unsigned char k[8];
	long peak = 0;
	uint64_t i;

	alloc_arm(0, 0);
	OK(points_set_allocator(t_malloc, t_realloc, t_free));
	alloc_live = 0;
	be_open(B_MEMORY);
	for (i = 0; i < 50000; i++) {
		OK(st->begin(st, 1));
		be64(k, i);
		put(ks, k, 8, "payload", 7);
		put(iks, k, 8, "payload", 7);
		if (i >= 100) {
			be64(k, i - 100);
			OK(st->del(st, ks, k, 8));
			OK(st->del(st, iks, k, 8));
		}
		OK(st->commit(st));
		if (i > 1000 && alloc_live > peak)
			peak = alloc_live;
	}
	ck_assert_msg(peak < 400, "live allocations grew to %ld", peak);
	be_close();
	ck_assert_int_eq(alloc_live, 0);
	OK(points_set_allocator(NULL, NULL, NULL));
}
END_TEST

/* Large enough for a three-level tree, with many leaves emptied and
 * refilled inside one transaction, then rolled back. */
START_TEST(test_memory_big_tree_rollback)
{
	unsigned char k[8];
	char *before;
	const void *v;
	size_t vl;
	uint64_t i;

	be_open(B_MEMORY);
	OK(st->begin(st, 1));
	for (i = 0; i < 300000; i += 2) {
		be64(k, i * 7919 % 300007);
		put(ks, k, 8, &i, sizeof(i));
		be64(k, i);
		put(iks, k, 8, &i, sizeof(i));
	}
	OK(st->commit(st));
	before = dump(ks, 1);
	OK(st->begin(st, 1));
	for (i = 0; i < 300007; i++) {
		be64(k, i);
		if (i % 3)
			OK(st->del(st, ks, k, 8));
		else
			put(ks, k, 8, "x", 1);
	}
	OK(st->rollback(st));
	ck_dump_eq(dump(ks, 1), before);
	free(before);
	OK(st->begin(st, 1));
	for (i = 0; i < 300007; i++) { /* empty it, then refill a bit */
		be64(k, i);
		OK(st->del(st, ks, k, 8));
	}
	OK(st->commit(st));
	ck_dump_eq(dump(ks, 1), "");
	OK(st->begin(st, 1));
	put(ks, "a", 1, "b", 1);
	OK(st->commit(st));
	ck_dump_eq(dump(ks, 1), "61=62;");
	OK(st->begin(st, 0));
	be64(k, 299998);
	OK(st->get(st, iks, k, 8, &v, &vl));
	ck_assert_uint_eq(vl, sizeof(i));
	OK(st->rollback(st));
}
END_TEST

#ifdef TEST_PG
/* ---- PostgreSQL particulars ---- */

/* The test server as a URI (POINTS_TEST_PG_URI: postgresql://...?...)
 * with schema name. */
static void
pg_uri(char *out, size_t n, const char *schema)
{
	const char *u = getenv("POINTS_TEST_PG_URI");

	ck_assert_msg(u != NULL, "POINTS_TEST_PG_URI names no server");
	snprintf(out, n, "%s&schema=%s", u, schema);
}

/* A ledger opened by URI (the store loaded from libpoints_pg.so) keeps
 * what was committed across a reopen, in its own schema. */
START_TEST(test_pg_uri_opens_a_lasting_ledger)
{
	char uri[512];
	points_db *db;
	points_posting p = POINTS_POSTING_INIT;
	points_balance b;
	points_txn t;
	int64_t id;

	pg_drop_schema("uri_ledger");
	pg_drop_schema("uri_other");
	pg_uri(uri, sizeof(uri), "uri_ledger");
	ck_assert_msg(points_open(uri, NULL, &db) == POINTS_OK, "%s",
	    points_errmsg(db));
	OK(points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER, 0));
	OK(points_account_create(db, "E1", NULL, 0, &id));
	p.asset = "PTS";
	p.account = id;
	p.amount = 42;
	ck_assert_msg(points_earn(db, &p, &t) == POINTS_OK, "%s",
	    points_errmsg(db));
	points_close(db);
	ck_assert_int_eq(points_open(uri, NULL, &db), POINTS_OK);
	OK(points_balance_get(db, id, "PTS", &b));
	ck_assert_int_eq(b.available, 42);
	points_close(db);
	/* another schema is another ledger */
	pg_uri(uri, sizeof(uri), "uri_other");
	ck_assert_int_eq(points_open(uri, NULL, &db), POINTS_OK);
	ck_assert_int_eq(points_balance_get(db, id, "PTS", &b),
	    POINTS_ENOTFOUND);
	points_close(db);
}
END_TEST

/* What cannot be opened says why. */
START_TEST(test_pg_open_failures_say_why)
{
	char uri[512], err[256], name[80];
	const char *u, *q;
	points_db *db;

	pg_uri(uri, sizeof(uri), "Bad-Name");
	ck_assert_int_eq(points_open(uri, NULL, &db), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "schema"));
	points_close(db);
	ck_assert_int_eq(points_store_pg_open("host=/nonexistent-dir "
	    "dbname=x connect_timeout=2", NULL, &inner, err, sizeof(err)),
	    POINTS_ESTORAGE);
	ck_assert_msg(strstr(err, "nonexistent-dir") != NULL, "%s", err);
	inner = NULL;
	setenv("POINTS_PG_LIBRARY", "/nonexistent/libpoints_pg.so.0", 1);
	pg_uri(uri, sizeof(uri), "never");
	ck_assert_int_eq(points_open(uri, NULL, &db), POINTS_ESTORAGE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "cannot load"));
	points_close(db);
	/* a library that loads but is not the store's */
	setenv("POINTS_PG_LIBRARY", "libm.so.6", 1);
	ck_assert_int_eq(points_open(uri, NULL, &db), POINTS_ESTORAGE);
	ck_assert_msg(strstr(points_errmsg(db), "libm.so.6 has no "
	    "points_store_pg_open") != NULL, "%s", points_errmsg(db));
	points_close(db);
	unsetenv("POINTS_PG_LIBRARY");
	/* a schema name longer than any */
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	pg_uri(uri, sizeof(uri), name);
	ck_assert_int_eq(points_open(uri, NULL, &db), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "schema name too "
	    "long"));
	points_close(db);
	/* schema= first among the options, the others after it kept */
	u = getenv("POINTS_TEST_PG_URI");
	q = strchr(u, '?');
	ck_assert_ptr_nonnull(q);
	snprintf(uri, sizeof(uri), "%.*s?schema=first_opt&%s", (int)(q - u),
	    u, q + 1);
	ck_assert_msg(points_open(uri, NULL, &db) == POINTS_OK, "%s",
	    points_errmsg(db));
	points_close(db);
}
END_TEST

/* What the PostgreSQL store alone refuses: open without a conninfo or
 * an out, a schema name that is empty, too long or of other characters
 * (with or without room for a message); a value past 1 GiB (ELIMIT,
 * before a byte of it is read); a bound of non-zero length without
 * bytes; savepoints past 64 deep.  The transaction goes on after each. */
START_TEST(test_pg_refuses_bad_calls)
{
	const char *ci = getenv("POINTS_TEST_PG");
	char err[256], name[80], buf[8];
	points_cursor *c;
	int i;

	ck_assert_ptr_nonnull(ci);
	ck_assert_int_eq(points_store_pg_open(NULL, "x", &inner, err,
	    sizeof(err)), POINTS_EINVAL);
	ck_assert_int_eq(points_store_pg_open(ci, "x", NULL, err,
	    sizeof(err)), POINTS_EINVAL);
	memset(name, 'a', 64);
	name[64] = '\0';
	ck_assert_int_eq(points_store_pg_open(ci, name, &inner, err,
	    sizeof(err)), POINTS_EINVAL);
	ck_assert_msg(strstr(err, "bad schema name") != NULL, "%s", err);
	ck_assert_int_eq(points_store_pg_open(ci, "", &inner, err,
	    sizeof(err)), POINTS_EINVAL);
	ck_assert_int_eq(points_store_pg_open(ci, "No", &inner, NULL, 0),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_store_pg_open("host=/nonexistent-dir "
	    "dbname=x connect_timeout=2", NULL, &inner, NULL, 0),
	    POINTS_ESTORAGE);
	inner = NULL;
	be_open(B_PG);
	OK(st->begin(st, 1));
	put_s(ks, "a", "1");
	ck_assert_int_eq(st->put(st, ks, "b", 1, "2", 0x40000000),
	    POINTS_ELIMIT);
	ck_assert_ptr_nonnull(strstr(st->errmsg(st), "bad value"));
	ck_assert_int_eq(st->cursor_open(st, ks, NULL, 3, NULL, 0, 0, &c),
	    POINTS_EINVAL);
	ck_assert_int_eq(st->cursor_open(st, ks, NULL, 0, NULL, 3, 0, &c),
	    POINTS_EINVAL);
	for (i = 0; i < 64; i++)
		OK(st->savepoint(st));
	ck_assert_int_eq(st->savepoint(st), POINTS_ELIMIT);
	ck_assert_ptr_nonnull(strstr(st->errmsg(st), "too many open"));
	put_s(ks, "c", "3");
	OK(st->commit(st));
	OK(st->begin(st, 0));
	ck_assert_str_eq(get_s(ks, "a", 1, buf, sizeof(buf)), "1");
	ck_assert_ptr_null(get_s(ks, "b", 1, buf, sizeof(buf)));
	ck_assert_str_eq(get_s(ks, "c", 1, buf, sizeof(buf)), "3");
	OK(st->rollback(st));
}
END_TEST

/* A writer whose snapshot another writer's commit made stale fails with
 * POINTS_ERETRY (serializable) at commit, where its buffered put is
 * sent, having written nothing; and the retry succeeds. */
/* The PostgreSQL store with "k" at "0" committed, and a second store
 * on its ledger: *other, its keyspace "main" *oks. */
static void
pg_other_store(points_store **other, points_keyspace **oks)
{
	char err[256];

	be_open(B_PG);
	OK(st->begin(st, 1));
	put_s(ks, "k", "0");
	OK(st->commit(st));
	ck_assert_int_eq(points_store_pg_open(getenv("POINTS_TEST_PG"),
	    "conformance", other, err, sizeof(err)), POINTS_OK);
	OK((*other)->keyspace(*other, "main", 0, oks));
}

START_TEST(test_pg_serialization_failure_is_eretry)
{
	points_store *other;
	points_keyspace *oks;
	char buf[16];

	pg_other_store(&other, &oks);
	OK(st->begin(st, 1));
	ck_assert_str_eq(get_s(ks, "k", 1, buf, sizeof(buf)), "0");
	OK(other->begin(other, 1));
	OK(other->put(other, oks, "k", 1, "1", 1));
	OK(other->commit(other));
	put_s(ks, "k", "2");
	put_s(ks, "j", "2");
	ck_assert_int_eq(st->commit(st), POINTS_ERETRY);
	ck_assert_ptr_nonnull(strstr(st->errmsg(st), "serialize"));
	ck_assert_ptr_nonnull(strstr(st->errmsg(st), "put, sent with commit"));
	OK(st->rollback(st));
	OK(other->begin(other, 0));
	{
		const void *v;
		size_t vl;

		OK(other->get(other, oks, "k", 1, &v, &vl));
		ck_assert_int_eq((int)vl, 1);
		ck_assert_int_eq(*(const char *)v, '1');
		ck_assert_int_eq(other->get(other, oks, "j", 1, &v, &vl),
		    POINTS_ENOTFOUND);
	}
	OK(other->rollback(other));
	OK(st->begin(st, 1));
	put_s(ks, "k", "2");
	OK(st->commit(st));
	OK(other->begin(other, 0));
	{
		const void *v;
		size_t vl;

		OK(other->get(other, oks, "k", 1, &v, &vl));
		ck_assert_int_eq((int)vl, 1);
		ck_assert_int_eq(*(const char *)v, '2');
	}
	OK(other->rollback(other));
	points_store_close(other);
}
END_TEST

/* Two transactions that each read and write their own row of a table
 * of a few rows, counted by ANALYZE, both commit.  Scanned whole (the
 * cheaper plan there), each read locked the whole table under
 * serializable isolation, and the second commit failed as a conflict:
 * processes failed each other's earns on the issuer's records, and a
 * bench of 8 processes fell from about 4,500 earns a second to 1,200. */
/* A keyspace whose values are rewritten gets a table with room left in
 * its pages for their next versions (fillfactor 50); others, none. */
START_TEST(test_pg_rewritten_table_leaves_room)
{
	points_keyspace *k;
	PGconn *c;
	PGresult *r;

	be_open(B_PG);
	OK(st->keyspace(st, "rw", POINTS_KS_INT64 | POINTS_KS_REWRITTEN, &k));
	c = PQconnectdb(getenv("POINTS_TEST_PG"));
	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
	r = PQexec(c, "SELECT c.relname, coalesce(array_to_string("
	    "c.reloptions, ','), '') FROM pg_class c JOIN pg_namespace n ON "
	    "n.oid = c.relnamespace WHERE n.nspname = 'conformance' AND "
	    "c.relname IN ('pk_rw', 'pk_main') ORDER BY 1");
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s",
	    PQerrorMessage(c));
	ck_assert_int_eq(PQntuples(r), 2);
	ck_assert_str_eq(PQgetvalue(r, 0, 0), "pk_main");
	ck_assert_str_eq(PQgetvalue(r, 0, 1), "");
	ck_assert_str_eq(PQgetvalue(r, 1, 0), "pk_rw");
	ck_assert_str_eq(PQgetvalue(r, 1, 1), "fillfactor=50");
	PQclear(r);
	PQfinish(c);
}
END_TEST

START_TEST(test_pg_small_table_reads_by_index)
{
	points_store *other;
	points_keyspace *oks;
	char err[256], key[16], buf[16];
	PGconn *c;
	PGresult *r;
	int i;

	be_open(B_PG);
	OK(st->begin(st, 1));
	for (i = 0; i < 20; i++) {
		snprintf(key, sizeof(key), "k%02d", i);
		put_s(ks, key, "0");
	}
	OK(st->commit(st));
	c = PQconnectdb(getenv("POINTS_TEST_PG"));
	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
	r = PQexec(c, "ANALYZE conformance.pk_main");
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s",
	    PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	ck_assert_int_eq(points_store_pg_open(getenv("POINTS_TEST_PG"),
	    "conformance", &other, err, sizeof(err)), POINTS_OK);
	OK(other->keyspace(other, "main", 0, &oks));
	OK(st->begin(st, 1));
	OK(other->begin(other, 1));
	ck_assert_str_eq(get_s(ks, "k03", 3, buf, sizeof(buf)), "0");
	{
		const void *v;
		size_t vl;

		OK(other->get(other, oks, "k11", 3, &v, &vl));
	}
	put_s(ks, "k03", "1");
	OK(other->put(other, oks, "k11", 3, "1", 1));
	OK(st->commit(st));
	ck_assert_msg(other->commit(other) == POINTS_OK, "%s",
	    other->errmsg(other));
	points_store_close(other);
	OK(st->begin(st, 0));
	ck_assert_str_eq(get_s(ks, "k03", 3, buf, sizeof(buf)), "1");
	ck_assert_str_eq(get_s(ks, "k11", 3, buf, sizeof(buf)), "1");
	OK(st->rollback(st));
}
END_TEST

/* st's write transaction conflicts: other commits a put of "k"
 * between st's read of it and st's put. */
static void
pg_conflict(points_store *other, points_keyspace *oks)
{
	char buf[16];

	OK(st->begin(st, 1));
	get_s(ks, "k", 1, buf, sizeof(buf));
	OK(other->begin(other, 1));
	OK(other->put(other, oks, "k", 1, "1", 1));
	OK(other->commit(other));
	put_s(ks, "k", "2");
	ck_assert_int_eq(st->commit(st), POINTS_ERETRY);
}

/* The ledger's gate is held in the modes modes ("A,B", or ""). */
static void
pg_gate_held(PGconn *c, const char *modes)
{
	PGresult *r = PQexec(c, "SELECT coalesce(string_agg(l.mode, ',' "
	    "ORDER BY l.mode), '') FROM pg_locks l JOIN pg_class c ON c.oid = "
	    "l.relation JOIN pg_namespace s ON s.oid = c.relnamespace WHERE "
	    "s.nspname = 'conformance' AND c.relname = 'points_gate' AND "
	    "l.granted");

	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s",
	    PQerrorMessage(c));
	ck_assert_str_eq(PQgetvalue(r, 0, 0), modes);
	PQclear(r);
}

/* st begins a write transaction and reads "k": it is want, and the
 * gate is then held in modes. */
static void
pg_write_reads_k(PGconn *c, const char *want, const char *modes)
{
	char buf[16];

	OK(st->begin(st, 1));
	ck_assert_str_eq(get_s(ks, "k", 1, buf, sizeof(buf)), want);
	pg_gate_held(c, modes);
}

/* other puts "j" in a transaction of its own: the commit gives want. */
static void
pg_other_puts_j(points_store *other, points_keyspace *oks, const char *v,
    int want)
{
	OK(other->begin(other, 1));
	OK(other->put(other, oks, "j", 1, v, strlen(v)));
	ck_assert_msg(other->commit(other) == want, "%s",
	    other->errmsg(other));
}

/* One conflict, and the next write transaction runs as any other; two
 * in a row, and it runs alone: it holds the gate from before its first
 * read, and another writer gives up (after the lock timeout) instead
 * of making it conflict again.  After one alone, one conflict is
 * enough; with none, writers share the gate. */
START_TEST(test_pg_writer_after_conflicts_runs_alone)
{
	points_store *other;
	points_keyspace *oks;
	char buf[16];
	PGconn *c;

	pg_other_store(&other, &oks);
	c = PQconnectdb(getenv("POINTS_TEST_PG"));
	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);

	/* one conflict: not alone */
	pg_conflict(other, oks);
	pg_write_reads_k(c, "1", "");
	pg_other_puts_j(other, oks, "1", POINTS_OK);
	put_s(ks, "k", "2");
	OK(st->commit(st));

	/* two: alone */
	pg_conflict(other, oks);
	pg_conflict(other, oks);
	pg_write_reads_k(c, "1", "ExclusiveLock");
	pg_other_puts_j(other, oks, "2", POINTS_ERETRY);
	ck_assert_msg(strstr(other->errmsg(other), "lock timeout") != NULL,
	    "%s", other->errmsg(other));
	put_s(ks, "k", "3");
	ck_assert_msg(st->commit(st) == POINTS_OK, "%s", st->errmsg(st));

	/* after one alone, one conflict is enough */
	pg_conflict(other, oks);
	pg_write_reads_k(c, "1", "ExclusiveLock");
	put_s(ks, "k", "3");
	ck_assert_msg(st->commit(st) == POINTS_OK, "%s", st->errmsg(st));

	/* after it, shared: a write sent holds the gate so, and another
	 * writer goes on beside it */
	pg_write_reads_k(c, "3", "");
	put_s(ks, "i", "1");
	ck_assert_str_eq(get_s(ks, "i", 1, buf, sizeof(buf)), "1");
	pg_gate_held(c, "RowExclusiveLock");
	pg_other_puts_j(other, oks, "3", POINTS_OK);
	OK(st->commit(st));
	OK(st->begin(st, 0));
	ck_assert_str_eq(get_s(ks, "j", 1, buf, sizeof(buf)), "3");
	ck_assert_str_eq(get_s(ks, "k", 1, buf, sizeof(buf)), "3");
	OK(st->rollback(st));
	PQfinish(c);
	points_store_close(other);
}
END_TEST

/* Cancel, from a process of its own, the first statement of this
 * database that waits for a lock on pk_main, as soon as it waits:
 * within about a millisecond, well inside the store's 50 ms lock
 * timeout.  Returns the process. */
static pid_t
pg_cancel_waiter(void)
{
	pid_t pid = fork();
	PGconn *c;
	int tries;

	ck_assert_int_ge(pid, 0);
	if (pid > 0)
		return pid;
	c = PQconnectdb(getenv("POINTS_TEST_PG"));
	for (tries = 0; PQstatus(c) == CONNECTION_OK && tries < 20000;
	    tries++) {
		PGresult *r = PQexec(c, "SELECT pg_cancel_backend(pid) FROM "
		    "pg_stat_activity WHERE pid <> pg_backend_pid() AND "
		    "wait_event_type = 'Lock' AND query LIKE '%pk_main%'");
		int done = PQresultStatus(r) == PGRES_TUPLES_OK &&
		    PQntuples(r) > 0;

		PQclear(r);
		if (done)
			break;
	}
	PQfinish(c);
	_exit(0);
}

/* A statement cancelled while it waits on a lock is POINTS_ERETRY, as
 * the lock timeout is: the server reports that timeout as a cancel
 * ("canceling statement due to user request", SQLSTATE 57014) when the
 * wait ends just as it fires, and eight processes' batches then failed
 * as storage errors now and then. */
START_TEST(test_pg_cancelled_statement_is_eretry)
{
	PGconn *locker;
	PGresult *r;
	char buf[16];
	int i, cancelled = 0;

	be_open(B_PG);
	OK(st->begin(st, 1));
	put_s(ks, "k", "0");
	OK(st->commit(st));
	locker = PQconnectdb(getenv("POINTS_TEST_PG"));
	ck_assert_int_eq(PQstatus(locker), CONNECTION_OK);
	for (i = 0; i < 10 && !cancelled; i++) {
		const void *v;
		size_t vl;
		pid_t pid;
		int status;

		r = PQexec(locker, "BEGIN; LOCK TABLE conformance.pk_main IN "
		    "ACCESS EXCLUSIVE MODE");
		ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s",
		    PQerrorMessage(locker));
		PQclear(r);
		pid = pg_cancel_waiter();
		OK(st->begin(st, 0));
		ck_assert_int_eq(st->get(st, ks, "k", 1, &v, &vl),
		    POINTS_ERETRY);
		/* the cancel, or the lock timeout when the cancel came late */
		cancelled = strstr(st->errmsg(st), "user request") != NULL;
		ck_assert_msg(cancelled || strstr(st->errmsg(st),
		    "lock timeout"), "%s", st->errmsg(st));
		OK(st->rollback(st));
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		r = PQexec(locker, "ROLLBACK");
		PQclear(r);
	}
	PQfinish(locker);
	ck_assert_msg(cancelled, "no statement was cancelled in 10 tries");
	OK(st->begin(st, 0));
	ck_assert_str_eq(get_s(ks, "k", 1, buf, sizeof(buf)), "0");
	OK(st->rollback(st));
}
END_TEST

/* The server drops every connection but this one's. */
static void
pg_drop_clients(void)
{
	PGconn *c;
	PGresult *r;

	c = PQconnectdb(getenv("POINTS_TEST_PG"));
	ck_assert_int_eq(PQstatus(c), CONNECTION_OK);
	r = PQexec(c, "SELECT pg_terminate_backend(pid) FROM "
	    "pg_stat_activity WHERE pid <> pg_backend_pid() AND "
	    "datname = current_database() AND backend_type = 'client backend'");
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	PQclear(r);
	PQfinish(c);
}

/* A connection the server drops fails the call in progress with the
 * server's message; the next transaction connects again. */
START_TEST(test_pg_lost_connection_reconnects)
{
	char buf[16];
	int rc;

	be_open(B_PG);
	OK(st->begin(st, 1));
	put_s(ks, "k", "v");
	OK(st->commit(st));
	pg_drop_clients();
	/* libpq may notice at begin, or only at the first read */
	rc = st->begin(st, 0);
	if (rc != POINTS_OK) {
		ck_assert_int_eq(rc, POINTS_ESTORAGE);
		ck_assert_msg(strlen(st->errmsg(st)) > 5, "%s",
		    st->errmsg(st));
		OK(st->begin(st, 0));
	} else {
		const void *v;
		size_t vl;

		rc = st->get(st, ks, "k", 1, &v, &vl);
		ck_assert_int_eq(rc, POINTS_ESTORAGE);
		ck_assert_msg(strlen(st->errmsg(st)) > 5, "%s",
		    st->errmsg(st));
		OK(st->rollback(st));
		OK(st->begin(st, 0));
	}
	ck_assert_str_eq(get_s(ks, "k", 1, buf, sizeof(buf)), "v");
	OK(st->rollback(st));
}
END_TEST

/* Buffered puts and deletes are seen by get, get_many and cursors in
 * both directions, before and after a read sent them; nothing of them
 * outlives a rollback, and a commit keeps all of them. */
START_TEST(test_pg_buffered_writes_are_seen_by_reads)
{
	const void *const keys[4] = { "a", "b", "c", "d" };
	const size_t klens[4] = { 1, 1, 1, 1 };
	points_keyspace *kss[4];
	const void *vals[4];
	size_t vlens[4];
	int rcs[4], i, round;
	char buf[16], *d;

	be_open(B_PG);
	for (i = 0; i < 4; i++)
		kss[i] = ks;
	OK(st->begin(st, 1));
	put_s(ks, "a", "0");
	put_s(ks, "b", "0");
	OK(st->commit(st));
	for (round = 0; round < 2; round++) {
		OK(st->begin(st, 1));
		put_s(ks, "c", "1");
		OK(st->del(st, ks, "a", 1));
		put_s(ks, "b", "1");
		put_s(ks2, "b", "other");
		/* a cursor first: its first batch sends them */
		d = dump_range(ks, NULL, 0, NULL, 0, 0, 0);
		ck_assert_str_eq(d, "62=31;63=31;");
		free(d);
		put_s(ks, "d", "1");
		OK(st->get_many(st, 4, kss, keys, klens, vals, vlens, rcs));
		ck_assert_int_eq(rcs[0], POINTS_ENOTFOUND);
		for (i = 1; i < 4; i++) {
			OK(rcs[i]);
			ck_assert_int_eq((int)vlens[i], 1);
			ck_assert_int_eq(*(const char *)vals[i], '1');
		}
		OK(st->del(st, ks, "c", 1));
		ck_assert_ptr_null(get_s(ks, "c", 1, buf, sizeof(buf)));
		put_s(ks, "a", "2");
		ck_assert_str_eq(get_s(ks, "a", 1, buf, sizeof(buf)), "2");
		put_s(ks, "e", "3");
		d = dump_range(ks, NULL, 0, NULL, 0, 1, 0);
		ck_assert_str_eq(d, "65=33;64=31;62=31;61=32;");
		free(d);
		ck_assert_str_eq(get_s(ks2, "b", 1, buf, sizeof(buf)),
		    "other");
		if (round == 0)
			OK(st->rollback(st));
		else
			OK(st->commit(st));
		d = dump_range(ks, NULL, 0, NULL, 0, 0, 1);
		ck_assert_str_eq(d, round == 0 ? "61=30;62=30;" :
		    "61=32;62=31;64=31;65=33;");
		free(d);
	}
}
END_TEST

/* rollback_to drops exactly the writes since its savepoint: one still
 * buffered with them, one a read sent, one nested in another. */
START_TEST(test_pg_rollback_to_drops_exactly_its_writes)
{
	char buf[16], *d;

	be_open(B_PG);
	OK(st->begin(st, 1));
	put_s(ks, "a", "0");
	put_s(ks, "b", "0");
	OK(st->commit(st));

	OK(st->begin(st, 1));
	put_s(ks, "a", "1");
	OK(st->savepoint(st));
	put_s(ks, "b", "1");
	put_s(ks, "c", "1");
	OK(st->del(st, ks, "a", 1));
	OK(st->rollback_to(st));      /* buffered: nothing sent */
	d = dump_range(ks, NULL, 0, NULL, 0, 0, 0);
	ck_assert_str_eq(d, "61=31;62=30;");
	free(d);

	OK(st->savepoint(st));
	put_s(ks, "b", "2");
	ck_assert_str_eq(get_s(ks, "b", 1, buf, sizeof(buf)), "2"); /* sent */
	put_s(ks, "c", "2");
	OK(st->del(st, ks, "a", 1));
	OK(st->rollback_to(st));
	d = dump_range(ks, NULL, 0, NULL, 0, 0, 0);
	ck_assert_str_eq(d, "61=31;62=30;");
	free(d);

	OK(st->savepoint(st));
	put_s(ks, "x", "1");
	OK(st->savepoint(st));
	put_s(ks, "y", "1");
	ck_assert_str_eq(get_s(ks, "y", 1, buf, sizeof(buf)), "1");
	put_s(ks, "z", "1");
	OK(st->rollback_to(st));      /* the inner one: y and z */
	put_s(ks, "w", "1");
	OK(st->release(st));          /* the outer keeps x and w */
	OK(st->savepoint(st));
	put_s(ks, "v", "1");
	OK(st->release(st));
	OK(st->commit(st));
	d = dump_range(ks, NULL, 0, NULL, 0, 0, 1);
	ck_assert_str_eq(d, "61=31;62=30;76=31;77=31;78=31;");
	free(d);
}
END_TEST

/* A buffered write that fails when a read sends it (a serialization
 * failure) fails that read with POINTS_ERETRY naming the write, and
 * every call after it but rollback; after the rollback nothing of the
 * transaction is there and the store works on. */
START_TEST(test_pg_failed_write_ends_the_transaction)
{
	points_store *other;
	points_keyspace *oks;
	const void *v;
	size_t vl;
	char buf[16];

	pg_other_store(&other, &oks);
	OK(st->begin(st, 1));
	ck_assert_str_eq(get_s(ks, "k", 1, buf, sizeof(buf)), "0");
	OK(other->begin(other, 1));
	OK(other->put(other, oks, "k", 1, "1", 1));
	OK(other->commit(other));
	put_s(ks, "n", "2");
	put_s(ks, "k", "2");         /* buffered: it fails when sent */
	ck_assert_int_eq(st->get(st, ks, "n", 1, &v, &vl), POINTS_ERETRY);
	ck_assert_ptr_nonnull(strstr(st->errmsg(st), "put, sent with get"));
	ck_assert_int_eq(st->put(st, ks, "m", 1, "2", 1), POINTS_ERETRY);
	ck_assert_int_eq(st->get(st, ks, "k", 1, &v, &vl), POINTS_ERETRY);
	OK(st->rollback(st));
	OK(st->begin(st, 0));
	ck_assert_str_eq(get_s(ks, "k", 1, buf, sizeof(buf)), "1");
	ck_assert_ptr_null(get_s(ks, "n", 1, buf, sizeof(buf)));
	OK(st->rollback(st));
	OK(st->begin(st, 1));
	put_s(ks, "k", "3");
	OK(st->commit(st));
	OK(other->begin(other, 0));
	OK(other->get(other, oks, "k", 1, &v, &vl));
	ck_assert_int_eq(*(const char *)v, '3');
	OK(other->rollback(other));
	points_store_close(other);

	/* a connection lost under buffered writes: a storage error where
	 * they are sent, the same after, and the next transaction connects
	 * again */
	OK(st->begin(st, 1));
	put_s(ks, "k", "4");
	pg_drop_clients();
	put_s(ks, "n", "4");         /* buffered: no round trip to fail */
	ck_assert_int_eq(st->get(st, ks, "n", 1, &v, &vl), POINTS_ESTORAGE);
	ck_assert_int_eq(st->put(st, ks, "n", 1, "5", 1), POINTS_ESTORAGE);
	ck_assert_int_eq(st->commit(st), POINTS_ESTORAGE);
	OK(st->rollback(st));
	OK(st->begin(st, 0));
	ck_assert_str_eq(get_s(ks, "k", 1, buf, sizeof(buf)), "3");
	ck_assert_ptr_null(get_s(ks, "n", 1, buf, sizeof(buf)));
	OK(st->rollback(st));
}
END_TEST

/* Past its bounds (256 operations, 1 MB) the buffer is sent on its
 * own: a transaction of many writes and large values, savepoints among
 * them, reads them back and commits them all. */
START_TEST(test_pg_buffer_bounds_keep_every_write)
{
	static unsigned char big[1536 * 1024];
	const void *v;
	size_t vl, n = 0;
	points_cursor *c;
	const void *k;
	size_t kl;
	unsigned char key[8];
	int i, rc;

	be_open(B_PG);
	memset(big, 0xab, sizeof(big));
	OK(st->begin(st, 1));
	for (i = 0; i < 700; i++) {
		be64(key, (uint64_t)i);
		if (i % 100 == 50)
			OK(st->savepoint(st));
		put(iks, key, 8, &i, sizeof(i));
		if (i % 100 == 60)
			OK(st->release(st));
	}
	OK(st->savepoint(st));
	for (i = 0; i < 300; i++) {
		be64(key, (uint64_t)(1000 + i));
		put(iks, key, 8, &i, sizeof(i));
	}
	OK(st->rollback_to(st));     /* past a flush: on the server */
	put(ks, "big1", 4, big, sizeof(big));
	put(ks, "big2", 4, big, sizeof(big));
	be64(key, 699);
	OK(st->get(st, iks, key, 8, &v, &vl));
	ck_assert_uint_eq(vl, sizeof(i));
	OK(st->commit(st));
	OK(st->begin(st, 0));
	OK(st->get(st, ks, "big2", 4, &v, &vl));
	ck_assert_uint_eq(vl, sizeof(big));
	ck_assert_int_eq(memcmp(v, big, vl), 0);
	OK(st->cursor_open(st, iks, NULL, 0, NULL, 0, 0, &c));
	while ((rc = st->cursor_next(st, c, &k, &kl, &v, &vl)) == POINTS_OK) {
		be64(key, (uint64_t)n);
		ck_assert_int_eq(memcmp(k, key, 8), 0);
		n++;
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	st->cursor_close(st, c);
	OK(st->rollback(st));
	ck_assert_uint_eq(n, 700);
}
END_TEST
#endif

static Suite *
store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc;

	tc = tcase_create("conformance");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_get_missing_is_notfound, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_put_get_roundtrip, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_put_replaces_value, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_del_removes_and_missing_is_ok, BE_FIRST,
	    BE_END);
	tcase_add_loop_test(tc, test_empty_value_and_empty_key, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_binary_keys_with_nul_bytes, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_order_is_memcmp_shorter_first, BE_FIRST,
	    BE_END);
	tcase_add_loop_test(tc, test_cursor_bounds_both_directions, BE_FIRST,
	    BE_END);
	tcase_add_loop_test(tc, test_cursor_on_empty_range, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_cursor_delete_current_forward, BE_FIRST,
	    BE_END);
	tcase_add_loop_test(tc, test_cursor_delete_current_reverse, BE_FIRST,
	    BE_END);
	tcase_add_loop_test(tc, test_cursor_delete_every_other, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_cursor_replace_current, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_intkey_append_and_range_scan, BE_FIRST,
	    BE_END);
	tcase_add_loop_test(tc, test_intkey_rejects_bad_keys, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_rollback_restores_exact_contents, BE_FIRST,
	    BE_END);
	tcase_add_loop_test(tc, test_commit_persists, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_keyspaces_are_independent, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_keyspace_names_and_flags, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_begin_in_transaction_is_misuse, BE_FIRST,
	    BE_END);
	tcase_add_loop_test(tc, test_access_outside_write_transaction_fails,
	    BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_cursor_after_transaction_end_is_misuse,
	    BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_bad_arguments_are_einval, BE_FIRST,
	    BE_END);
	tcase_add_loop_test(tc, test_two_cursors_same_range, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_random_against_model, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_get_many_reads_keys_at_once, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_read_many_reads_keys_and_last_keys,
	    BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_read_many_random_against_model, BE_FIRST,
	    BE_END);
	tcase_add_loop_test(tc, test_get_many_agrees_with_get, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_get_after_get_many_sees_later_writes,
	    BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_errmsg_says_why_a_call_failed, BE_FIRST,
	    BE_END);
	tcase_add_loop_test(tc,
	    test_int64_keys_any_order_cursor_in_memcmp_order, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_int64_flag_is_its_own, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_rewritten_flag_is_a_hint, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_rollback_to_undoes_only_since_the_savepoint,
	    BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_release_keeps_writes_in_the_transaction,
	    BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_savepoints_nest, BE_FIRST, BE_END);
	tcase_add_loop_test(tc,
	    test_savepoint_outside_write_transaction_is_misuse, BE_FIRST, BE_END);
	tcase_add_loop_test(tc, test_savepoints_random_against_model, BE_FIRST,
	    BE_END);
	suite_add_tcase(s, tc);
#ifdef TEST_PG
	tc = tcase_create("pg");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_pg_uri_opens_a_lasting_ledger);
	tcase_add_test(tc, test_pg_open_failures_say_why);
	tcase_add_test(tc, test_pg_refuses_bad_calls);
	tcase_add_test(tc, test_pg_serialization_failure_is_eretry);
	tcase_add_test(tc, test_pg_small_table_reads_by_index);
	tcase_add_test(tc, test_pg_rewritten_table_leaves_room);
	tcase_add_test(tc, test_pg_cancelled_statement_is_eretry);
	tcase_add_test(tc, test_pg_writer_after_conflicts_runs_alone);
	tcase_add_test(tc, test_pg_lost_connection_reconnects);
	tcase_add_test(tc, test_pg_buffered_writes_are_seen_by_reads);
	tcase_add_test(tc, test_pg_rollback_to_drops_exactly_its_writes);
	tcase_add_test(tc, test_pg_failed_write_ends_the_transaction);
	tcase_add_test(tc, test_pg_buffer_bounds_keep_every_write);
	suite_add_tcase(s, tc);
	return s;
#endif

	tc = tcase_create("uri");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bad_uris_are_einval);
	tcase_add_test(tc, test_good_uris_open);
	suite_add_tcase(s, tc);

	tc = tcase_create("sqlite");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sqlite_persists_across_reopen);
	tcase_add_test(tc, test_sqlite_schema_and_pragmas);
	tcase_add_test(tc, test_sqlite_reads_see_other_writers_and_rollbacks);
	tcase_add_test(tc, test_sqlite_keyspace_flags_checked_on_reopen);
	tcase_add_test(tc, test_sqlite_key_out_of_order_is_an_error);
	tcase_add_test(tc, test_sqlite_busy_writer_gives_ebusy);
	tcase_add_test(tc, test_sqlite_exclusive_locks_out_others);
	suite_add_tcase(s, tc);

	tc = tcase_create("fault");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_fault_fails_exactly_call_n, 0, 2);
	tcase_add_loop_test(tc, test_fault_persistent_fails_from_n, 0, 2);
	tcase_add_loop_test(tc, test_fault_commit_failure_rolls_back_inner,
	    0, 2);
	tcase_add_loop_test(tc, test_fault_cursor_next_failure, 0, 2);
	tcase_add_test(tc, test_fault_arm_needs_a_fault_store);
	tcase_add_test(tc, test_fault_new_checks_inner_version);
	tcase_add_loop_test(tc, test_fault_close_keeps_inner_open, 0, 2);
	tcase_add_loop_test(tc, test_fault_errmsg_names_the_fault, 0, 2);
	tcase_add_loop_test(tc, test_fault_counts_calls_per_method, 0, 2);
	tcase_add_test(tc, test_fault_over_version_1_store);
	tcase_add_loop_test(tc, test_fault_counts_and_fails_savepoints, 0, 2);
	tcase_add_test(tc, test_fault_over_version_2_store);
	tcase_add_loop_test(tc, test_fault_loop_leaves_store_unchanged, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("memory");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_memory_enomem_fails_cleanly_once);
	tcase_add_test(tc, test_memory_enomem_fails_cleanly_persistent);
	tcase_add_test(tc, test_memory_open_under_enomem);
	tcase_add_test(tc, test_memory_queue_pattern_stays_bounded);
	tcase_add_test(tc, test_memory_rollback_to_needs_no_memory);
	tcase_add_test(tc, test_memory_big_tree_rollback);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(store_suite());
}
