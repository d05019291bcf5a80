/* check_store_errors.c - how the built-in stores fail: a SQLite file
 * that is not a database, a directory, a read-only ledger, a write lock
 * another connection holds; the store methods' refusals of bad
 * arguments and of keys and values past the memory store's limits. */
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "testutil.h"

/* A path for a fresh file (removed, not created). */
static const char *
fresh_path(void)
{
	static char path[128];
	static int n;

	snprintf(path, sizeof(path), "/tmp/points-serr-%ld-%d.db",
	    (long)getpid(), n++);
	unlink(path);
	return path;
}

static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *b = malloc(1 << 16);

	ck_assert_ptr_nonnull(f);
	*n = fread(b, 1, 1 << 16, f);
	fclose(f);
	return b;
}

/* points_open(uri) fails with code and a message holding path and why. */
static void
open_fails(const char *uri, const char *path, int code, const char *why)
{
	points_db *d = NULL;
	int rc = points_open(uri, NULL, &d);

	ck_assert_msg(rc == code, "'%s': %d (%s), not %d", uri, rc,
	    points_errmsg(d), code);
	ck_assert_msg(strstr(points_errmsg(d), path) &&
	    strstr(points_errmsg(d), why), "'%s': message '%s', want '%s'",
	    uri, points_errmsg(d), why);
	points_close(d);
}

/* A file of text is no database: a storage error naming the file, and
 * the file is left byte for byte as it was. */
START_TEST(test_sqlite_not_a_database)
{
	const char *path = fresh_path();
	char uri[192], *before, *after;
	size_t nb, na;
	FILE *f = fopen(path, "w");
	int i;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < 200; i++)
		fprintf(f, "line %d of someone's notes\n", i);
	fclose(f);
	before = slurp(path, &nb);
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	open_fails(uri, path, POINTS_ESTORAGE, "file is not a database");
	after = slurp(path, &na);
	ck_assert_uint_eq(na, nb);
	ck_assert_int_eq(memcmp(before, after, nb), 0);
	free(before);
	free(after);
	unlink(path);
}
END_TEST

static void
sql_exec(const char *path, const char *sql)
{
	sqlite3 *h = NULL;

	ck_assert_int_eq(sqlite3_open(path, &h), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(h));
	ck_assert_int_eq(sqlite3_close(h), SQLITE_OK);
}

/* SQLite's own tables do not make a file another application's: a
 * ledger someone ran ANALYZE on still opens, with its accounts; a
 * database of another application's table (with its AUTOINCREMENT
 * counter table) is refused naming that table, and left as it was. */
START_TEST(test_sqlite_own_tables_are_not_another_application)
{
	const char *path = fresh_path();
	char uri[192];
	points_db *d = NULL;
	points_account a;
	int64_t id;

	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	d = tu_open(uri);
	id = tu_account(d, "E1001");
	points_close(d);
	sql_exec(path, "ANALYZE");
	d = NULL;
	ck_assert_int_eq(points_open(uri, NULL, &d), POINTS_OK);
	ck_assert_int_eq(points_account_find(d, "E1001", &a), POINTS_OK);
	ck_assert_int_eq(a.id, id);
	points_close(d);
	unlink(path);
	sql_exec(path, "CREATE TABLE notes(id INTEGER PRIMARY KEY "
	    "AUTOINCREMENT, body TEXT); INSERT INTO notes(body) VALUES('x')");
	open_fails(uri, path, POINTS_EINVAL, "is not a libpoints ledger: it "
	    "holds another application's table 'notes' (1 of its objects are "
	    "not a ledger's)");
	unlink(path);
}
END_TEST

/* A directory is no ledger file. */
START_TEST(test_sqlite_directory)
{
	char dir[128], uri[192];

	snprintf(dir, sizeof(dir), "/tmp/points-serr-dir-%ld", (long)getpid());
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(uri, sizeof(uri), "sqlite:%s", dir);
	open_fails(uri, dir, POINTS_ESTORAGE, "unable to open");
	rmdir(dir);
}
END_TEST

/* Another connection holds the write lock: a write on a ledger opened
 * with busy_timeout=0 is POINTS_EBUSY at once, and writes nothing. */
START_TEST(test_sqlite_busy_ledger)
{
	const char *path = fresh_path();
	char uri[192];
	points_db *a = NULL, *b = NULL;
	points_account acc;
	int64_t id;
	int rc;

	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	a = tu_open(uri);
	snprintf(uri, sizeof(uri), "sqlite:%s?busy_timeout=0", path);
	b = tu_open_bare(uri);
	id = tu_account(a, "first");
	ck_assert_int_eq(points_batch_begin(a), POINTS_OK);
	ck_assert_int_eq(tu_earn(a, id, "PTS", 5, NULL), POINTS_OK);
	rc = tu_earn(b, id, "PTS", 7, NULL);
	ck_assert_int_eq(rc, POINTS_EBUSY);
	ck_assert_int_eq(points_errcode(b), POINTS_EBUSY);
	ck_assert_msg(strstr(points_errmsg(b), "locked") != NULL,
	    "message '%s'", points_errmsg(b));
	ck_assert_int_eq(points_batch_rollback(a), POINTS_OK);
	/* neither write is there; the lock is free again */
	ck_assert_int_eq(tu_available(b, id, "PTS"), 0);
	ck_assert_int_eq(tu_earn(b, id, "PTS", 7, NULL), POINTS_OK);
	ck_assert_int_eq(tu_available(a, id, "PTS"), 7);
	ck_assert_int_eq(points_account_get(b, id, &acc), POINTS_OK);
	tu_invariants(a);
	points_close(b);
	points_close(a);
	unlink(path);
}
END_TEST

/* A ledger file the process may not write: reads work, a write is a
 * storage error, and the file is unchanged.  (Root writes any file:
 * nothing to test there.) */
START_TEST(test_sqlite_read_only_file)
{
	const char *path = fresh_path();
	char uri[192];
	points_db *d;
	int64_t id;

	if (geteuid() == 0)
		return;
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	d = tu_open(uri);
	id = tu_account(d, "u1");
	ck_assert_int_eq(tu_earn(d, id, "PTS", 3, NULL), POINTS_OK);
	points_close(d);
	ck_assert_int_eq(chmod(path, 0444), 0);
	if (points_open(uri, NULL, &d) == POINTS_OK) {
		ck_assert_int_eq(tu_available(d, id, "PTS"), 3);
		ck_assert_int_eq(tu_earn(d, id, "PTS", 1, NULL),
		    POINTS_ESTORAGE);
		ck_assert_msg(strstr(points_errmsg(d), "readonly") != NULL,
		    "message '%s'", points_errmsg(d));
	} else
		ck_assert_int_eq(points_errcode(d), POINTS_ESTORAGE);
	points_close(d);
	chmod(path, 0644);
	d = tu_open(uri);
	ck_assert_int_eq(tu_available(d, id, "PTS"), 3);
	points_close(d);
	unlink(path);
}
END_TEST

/* ---- Store methods, on the memory store (_i 0) and SQLite (_i 1) ---- */

/* The files open_store made, removed by close_store. */
static char store_paths[4][128];
static int nstore_paths;

static points_store *
open_store(int sqlite)
{
	points_store *s = NULL;
	char uri[192] = "memory:";

	if (sqlite) {
		ck_assert_int_lt(nstore_paths, 4);
		snprintf(store_paths[nstore_paths], sizeof(store_paths[0]),
		    "%s", fresh_path());
		snprintf(uri, sizeof(uri), "sqlite:%s",
		    store_paths[nstore_paths++]);
	}
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_OK);
	return s;
}

static void
remove_store_files(void)
{
	char p[160];

	while (nstore_paths > 0) {
		const char *f = store_paths[--nstore_paths];

		unlink(f);
		snprintf(p, sizeof(p), "%s-wal", f);
		unlink(p);
		snprintf(p, sizeof(p), "%s-shm", f);
		unlink(p);
	}
}

static void
refused(points_store *s, int rc, int code, const char *why)
{
	ck_assert_int_eq(rc, code);
	ck_assert_msg(strstr(s->errmsg(s), why) != NULL, "%s: message '%s', "
	    "want '%s'", s->name, s->errmsg(s), why);
}

/* A keyspace of another store, a NULL key with a length, no output and
 * no value: POINTS_EINVAL saying which, and the store still works. */
START_TEST(test_method_refusals)
{
	points_store *s = open_store(_i), *o = open_store(_i);
	points_keyspace *ks, *other;
	const void *v = NULL;
	size_t vl = 0;

	ck_assert_int_eq(s->keyspace(s, "t", 0, &ks), POINTS_OK);
	ck_assert_int_eq(o->keyspace(o, "t", 0, &other), POINTS_OK);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, ks, "k", 1, "v", 1), POINTS_OK);
	refused(s, s->get(s, other, "k", 1, &v, &vl), POINTS_EINVAL,
	    "bad keyspace or key");
	refused(s, s->put(s, other, "k", 1, "w", 1), POINTS_EINVAL,
	    "bad keyspace or key");
	refused(s, s->get(s, ks, NULL, 3, &v, &vl), POINTS_EINVAL,
	    "bad keyspace or key");
	refused(s, s->get(s, ks, "k", 1, NULL, &vl), POINTS_EINVAL,
	    "no output");
	refused(s, s->get(s, ks, "k", 1, &v, NULL), POINTS_EINVAL,
	    "no output");
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->get(s, ks, "k", 1, &v, &vl), POINTS_OK);
	ck_assert_uint_eq(vl, 1);
	ck_assert_int_eq(memcmp(v, "v", 1), 0);
	ck_assert_int_eq(s->rollback(s), POINTS_OK);
	points_store_close(o);
	points_store_close(s);
	remove_store_files();
}
END_TEST

/* Each output or array a method needs, given as NULL, is POINTS_EINVAL
 * saying which call, and the store still works: keyspace without out,
 * get_many without any one of its six arrays (none needed for n 0),
 * cursor_open without out, cursor_next without any one of its four
 * outputs. */
START_TEST(test_null_outputs_refused)
{
	points_store *s = open_store(_i);
	points_keyspace *ks, *kss[1];
	points_cursor *c;
	const void *keys[1] = { "k" }, *vals[1], *k, *v;
	size_t klens[1] = { 1 }, vlens[1], kl, vl;
	int rcs[1], i;
	const char *many = "get_many", *cur = _i ? "bad cursor call" :
	    "cursor_next";

	ck_assert_int_eq(s->keyspace(s, "t", 0, NULL), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(s->errmsg(s), "keyspace"));
	ck_assert_int_eq(s->keyspace(s, "t", 0, &ks), POINTS_OK);
	kss[0] = ks;
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, ks, "k", 1, "v", 1), POINTS_OK);
	for (i = 0; i < 6; i++)
		refused(s, s->get_many(s, 1, i == 0 ? NULL : kss,
		    i == 1 ? NULL : keys, i == 2 ? NULL : klens,
		    i == 3 ? NULL : vals, i == 4 ? NULL : vlens,
		    i == 5 ? NULL : rcs), POINTS_EINVAL, many);
	ck_assert_int_eq(s->get_many(s, 0, NULL, NULL, NULL, NULL, NULL,
	    NULL), POINTS_OK);
	ck_assert_int_eq(s->get_many(s, 1, kss, keys, klens, vals, vlens,
	    rcs), POINTS_OK);
	ck_assert_int_eq(rcs[0], POINTS_OK);
	ck_assert_uint_eq(vlens[0], 1);
	refused(s, s->cursor_open(s, ks, NULL, 0, NULL, 0, 0, NULL),
	    POINTS_EINVAL, "bad keyspace");
	ck_assert_int_eq(s->cursor_open(s, ks, NULL, 0, NULL, 0, 0, &c),
	    POINTS_OK);
	refused(s, s->cursor_next(s, NULL, &k, &kl, &v, &vl), POINTS_EINVAL,
	    cur);
	refused(s, s->cursor_next(s, c, NULL, &kl, &v, &vl), POINTS_EINVAL,
	    cur);
	refused(s, s->cursor_next(s, c, &k, NULL, &v, &vl), POINTS_EINVAL,
	    cur);
	refused(s, s->cursor_next(s, c, &k, &kl, NULL, &vl), POINTS_EINVAL,
	    cur);
	refused(s, s->cursor_next(s, c, &k, &kl, &v, NULL), POINTS_EINVAL,
	    cur);
	ck_assert_int_eq(s->cursor_next(s, c, &k, &kl, &v, &vl), POINTS_OK);
	ck_assert_uint_eq(kl, 1);
	ck_assert_int_eq(memcmp(k, "k", 1), 0);
	ck_assert_int_eq(s->cursor_next(s, c, &k, &kl, &v, &vl),
	    POINTS_ITEROVER);
	s->cursor_close(s, c);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	points_store_close(s);
	remove_store_files();
}
END_TEST

/* The fault-injecting wrapper refuses a store lacking any required
 * method (POINTS_EINVAL) or of a version it does not know
 * (POINTS_EVERSION), writing no output; over a store of version 1 it
 * offers no get_many and no message of its own until it fails a call,
 * over version 2 no savepoints, nor over a store with only some of
 * them; its counters refuse a store that is not one. */
START_TEST(test_fault_store_wraps_only_what_it_can)
{
	static const size_t required[] = {
		offsetof(points_store, keyspace),
		offsetof(points_store, begin),
		offsetof(points_store, commit),
		offsetof(points_store, rollback),
		offsetof(points_store, get),
		offsetof(points_store, put),
		offsetof(points_store, del),
		offsetof(points_store, cursor_open),
		offsetof(points_store, cursor_next),
		offsetof(points_store, cursor_close),
	};
	points_store *mem, *f, *mark = (points_store *)&required, *out;
	points_store copy;
	void *none = NULL;
	size_t i;

	ck_assert_int_eq(points_store_open("memory:", &mem), POINTS_OK);
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		copy = *mem;
		memcpy((char *)&copy + required[i], &none, sizeof(none));
		out = mark;
		ck_assert_int_eq(points_store_fault_new(&copy, &out),
		    POINTS_EINVAL);
		ck_assert_ptr_eq(out, mark);
	}
	copy = *mem;
	copy.version = 0;
	out = mark;
	ck_assert_int_eq(points_store_fault_new(&copy, &out), POINTS_EVERSION);
	copy.version = POINTS_STORE_VERSION + 1;
	ck_assert_int_eq(points_store_fault_new(&copy, &out), POINTS_EVERSION);
	ck_assert_int_eq(points_store_fault_new(NULL, &out), POINTS_EINVAL);
	ck_assert_int_eq(points_store_fault_new(mem, NULL), POINTS_EINVAL);
	ck_assert_ptr_eq(out, mark);

	/* savepoint without release or rollback_to: none offered */
	copy = *mem;
	copy.release = NULL;
	ck_assert_int_eq(points_store_fault_new(&copy, &f), POINTS_OK);
	ck_assert_ptr_null(f->savepoint);
	ck_assert_ptr_null(f->release);
	ck_assert_ptr_null(f->rollback_to);
	ck_assert_ptr_nonnull(f->get_many);
	points_store_close(f);
	copy = *mem;
	copy.rollback_to = NULL;
	ck_assert_int_eq(points_store_fault_new(&copy, &f), POINTS_OK);
	ck_assert_ptr_null(f->savepoint);
	points_store_close(f);
	ck_assert_int_eq(points_store_fault_new(mem, &f), POINTS_OK);
	ck_assert_ptr_nonnull(f->savepoint);
	ck_assert_ptr_nonnull(f->release);
	ck_assert_ptr_nonnull(f->rollback_to);
	/* a commit that fails with no transaction begun rolls nothing
	 * back: the inner store is still usable */
	ck_assert_int_eq(points_store_fault_arm(f, 1, 0), POINTS_OK);
	ck_assert_int_eq(f->commit(f), POINTS_ESTORAGE);
	ck_assert_str_eq(f->errmsg(f), "fault injected at call 1");
	ck_assert_int_eq(points_store_fault_failures(f), 1);
	ck_assert_int_eq(mem->begin(mem, 0), POINTS_OK);
	ck_assert_int_eq(mem->rollback(mem), POINTS_OK);
	points_store_close(f);

	/* the counters and the arm refuse what is not a fault store */
	ck_assert_int_eq(points_store_fault_arm(mem, 1, 0), POINTS_EINVAL);
	ck_assert_int_eq(points_store_fault_arm(NULL, 1, 0), POINTS_EINVAL);
	ck_assert_int_eq(points_store_fault_calls(mem), POINTS_EINVAL);
	ck_assert_int_eq(points_store_fault_failures(mem), POINTS_EINVAL);
	ck_assert_int_eq(points_store_fault_method_calls(mem, "get"),
	    POINTS_EINVAL);

	/* version 2: get_many, no savepoints */
	mem = tu_store_v2(mem);
	ck_assert_int_eq(points_store_fault_new(mem, &f), POINTS_OK);
	ck_assert_ptr_nonnull(f->get_many);
	ck_assert_ptr_null(f->savepoint);
	ck_assert_int_eq(points_store_fault_arm(f, -1, 0), POINTS_EINVAL);
	points_store_close(f);
	/* version 1: neither, and no message from the inner store */
	mem = tu_store_v1(mem);
	ck_assert_int_eq(points_store_fault_new(mem, &f), POINTS_OK);
	ck_assert_ptr_null(f->get_many);
	ck_assert_ptr_null(f->savepoint);
	ck_assert_ptr_null(f->errmsg(f));
	ck_assert_int_eq(f->begin(f, 0), POINTS_OK);
	ck_assert_int_eq(f->rollback(f), POINTS_OK);
	ck_assert_int_eq(points_store_fault_method_calls(f, "begin"), 1);
	ck_assert_int_eq(points_store_fault_method_calls(f, "bogus"),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_store_fault_method_calls(f, NULL),
	    POINTS_EINVAL);
	points_store_close(f);
	points_store_close(mem);
}
END_TEST

/* The memory store holds keys and values up to 2^31-1 bytes: longer
 * ones are POINTS_ELIMIT (the lengths are refused before any byte is
 * read), and a value pointer of NULL with a length is POINTS_EINVAL. */
START_TEST(test_memory_limits)
{
	points_store *s = open_store(0);
	points_keyspace *ks;
	const size_t big = (size_t)0x7fffffffu + 1;
	const void *v;
	size_t vl;

	ck_assert_int_eq(s->keyspace(s, "t", 0, &ks), POINTS_OK);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	refused(s, s->put(s, ks, "k", big, "v", 1), POINTS_ELIMIT,
	    "key too long");
	refused(s, s->get(s, ks, "k", big, &v, &vl), POINTS_ELIMIT,
	    "key too long");
	refused(s, s->put(s, ks, "k", 1, "v", big), POINTS_ELIMIT,
	    "value too large");
	refused(s, s->put(s, ks, "k", 1, NULL, 1), POINTS_EINVAL,
	    "no value");
	ck_assert_int_eq(s->get(s, ks, "k", 1, &v, &vl), POINTS_ENOTFOUND);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	points_store_close(s);
}
END_TEST

/* SQLite nests 64 savepoints; the 65th is POINTS_ELIMIT and the 64
 * still roll back what was written inside them. */
START_TEST(test_sqlite_savepoint_depth)
{
	points_store *s = open_store(1);
	points_keyspace *ks;
	const void *v;
	size_t vl;
	int i;

	ck_assert_int_eq(s->keyspace(s, "t", 0, &ks), POINTS_OK);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, ks, "a", 1, "1", 1), POINTS_OK);
	for (i = 0; i < 64; i++)
		ck_assert_int_eq(s->savepoint(s), POINTS_OK);
	ck_assert_int_eq(s->put(s, ks, "b", 1, "2", 1), POINTS_OK);
	refused(s, s->savepoint(s), POINTS_ELIMIT, "too many open");
	for (i = 0; i < 64; i++)
		ck_assert_int_eq(s->rollback_to(s), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->get(s, ks, "a", 1, &v, &vl), POINTS_OK);
	ck_assert_int_eq(s->get(s, ks, "b", 1, &v, &vl), POINTS_ENOTFOUND);
	ck_assert_int_eq(s->rollback(s), POINTS_OK);
	points_store_close(s);
	remove_store_files();
}
END_TEST

/* Every code has its own text, which callers print; past the last one
 * the text says it is unknown. */
START_TEST(test_strerror_texts)
{
	int a, b;

	ck_assert_str_eq(points_strerror(POINTS_ELIMIT), "limit reached");
	ck_assert_str_eq(points_strerror(POINTS_EOUTOFSTOCK), "out of stock");
	ck_assert_str_eq(points_strerror(POINTS_ENOTELIGIBLE), "not eligible");
	ck_assert_str_eq(points_strerror(POINTS_EQUOTA), "over the limit");
	ck_assert_str_eq(points_strerror(POINTS_EWINDOW),
	    "outside the redemption window");
	ck_assert_str_eq(points_strerror(-999), "unknown error");
	for (a = POINTS_EWINDOW; a <= POINTS_OK; a++) {
		ck_assert_str_ne(points_strerror(a), "unknown error");
		for (b = a + 1; b <= POINTS_OK; b++)
			ck_assert_str_ne(points_strerror(a),
			    points_strerror(b));
	}
}
END_TEST

/* Account ids start at 1: zero and below are not found, by id. */
START_TEST(test_account_id_not_positive)
{
	points_db *d = tu_open("memory:");
	static const int64_t ids[] = { 0, -1, INT64_MIN };
	points_account acc;
	size_t i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		char want[64];

		snprintf(want, sizeof(want), "account %lld not found",
		    (long long)ids[i]);
		ck_assert_int_eq(points_account_get(d, ids[i], &acc),
		    POINTS_ENOTFOUND);
		ck_assert_str_eq(points_errmsg(d), want);
	}
	points_close(d);
}
END_TEST

static Suite *
store_errors_suite(void)
{
	Suite *s = suite_create("store_errors");
	TCase *tc = tcase_create("store_errors");

	tcase_add_test(tc, test_sqlite_not_a_database);
	tcase_add_test(tc, test_sqlite_directory);
	tcase_add_test(tc, test_sqlite_own_tables_are_not_another_application);
	tcase_add_test(tc, test_sqlite_busy_ledger);
	tcase_add_test(tc, test_sqlite_read_only_file);
	tcase_add_loop_test(tc, test_method_refusals, 0, 2);
	tcase_add_loop_test(tc, test_null_outputs_refused, 0, 2);
	tcase_add_test(tc, test_memory_limits);
	tcase_add_test(tc, test_fault_store_wraps_only_what_it_can);
	tcase_add_test(tc, test_sqlite_savepoint_depth);
	tcase_add_test(tc, test_strerror_texts);
	tcase_add_test(tc, test_account_id_not_positive);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(store_errors_suite());
}
