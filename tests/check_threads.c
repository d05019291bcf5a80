/* check_threads.c - handles, threads and fork(): what the README's
 * Concurrency note and libpoints(3)'s Threads section promise.
 *
 *  - A handle's transaction ids come from a ChaCha20 stream seeded when
 *    the handle is opened (lib/util/ids.c).  fork() copies the stream: a
 *    handle used on both sides of a fork repeats its ids, so a child
 *    opens its own handles, and those draw fresh ones.
 *  - Each "memory:" handle is a private ledger of its own.
 *  - Threads may each use their own handle at once, on one SQLite file.
 *  - The SQLite store refuses a SQLite built single-threaded
 *    (SQLITE_THREADSAFE=0) with POINTS_ESTORAGE.  The SQLite these tests
 *    link is thread-safe, so the refusal is reached through a test hook,
 *    points_sqlite__threadsafe, standing in for
 *    sqlite3_threadsafe(). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"
#include "testutil.h"

#define NIDS 32
/* A UUIDv7's text: 8-4-4 hex digits of time (and the version), then the
 * random bits.  Ids made within the same millisecond share the first
 * part, so only the random part tells two streams apart. */
#define RAND_AT 15 /* "xxxxxxxx-xxxx-7" */

static void
teardown(void)
{
	tu_cleanup();
}

/* n earns of 1 on a fresh account of db; their ids into ids. */
static void
earn_ids(points_db *db, const char *ext, int n,
    char ids[][POINTS_ID_LEN + 1])
{
	int64_t a = tu_account(db, ext);
	points_txn t;
	int i;

	for (i = 0; i < n; i++) {
		ck_assert_int_eq(tu_earn(db, a, "PTS", 1, &t), POINTS_OK);
		memcpy(ids[i], t.id, sizeof(ids[i]));
	}
}

/* Run child(db, fd) in a forked process writing n ids to a pipe; read
 * them into ids.  The child exits without running Check's handlers. */
static void
ids_from_child(points_db *db, int n, char ids[][POINTS_ID_LEN + 1],
    int (*child)(points_db *, int, char[][POINTS_ID_LEN + 1]))
{
	size_t want = (size_t)n * (POINTS_ID_LEN + 1);
	size_t got = 0;
	int fd[2], status;
	pid_t pid;
	ssize_t r;

	ck_assert_int_eq(pipe(fd), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char mine[NIDS][POINTS_ID_LEN + 1];
		int rc;

		close(fd[0]);
		rc = child(db, n, mine);
		if (rc == 0 && write(fd[1], mine, want) != (ssize_t)want)
			rc = 1;
		_exit(rc);
	}
	close(fd[1]);
	while (got < want && (r = read(fd[0], (char *)ids + got,
	    want - got)) > 0)
		got += (size_t)r;
	close(fd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child failed (status %d)", status);
	ck_assert_uint_eq(got, want);
}

/* In the child: n earns through the parent's handle, copied by fork. */
static int
child_uses_copied_handle(points_db *db, int n,
    char ids[][POINTS_ID_LEN + 1])
{
	points_account acct;
	points_txn t;
	int i;

	if (points_account_find(db, "E-fork", &acct) != POINTS_OK)
		return 2;
	for (i = 0; i < n; i++) {
		if (tu_earn(db, acct.id, "PTS", 1, &t) != POINTS_OK)
			return 3;
		memcpy(ids[i], t.id, sizeof(ids[i]));
	}
	return 0;
}

/* In the child: n earns through a handle of its own. */
static int
child_opens_own_handle(points_db *parent, int n,
    char ids[][POINTS_ID_LEN + 1])
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *db = NULL;
	int64_t a;
	points_txn t;
	int i;

	(void)parent; /* not used after fork */
	if (points_open("memory:", &o, &db) != POINTS_OK ||
	    points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER, 0) !=
	    POINTS_OK ||
	    points_account_create(db, "E-child", NULL, 0, &a) != POINTS_OK)
		return 2;
	for (i = 0; i < n; i++) {
		if (tu_earn(db, a, "PTS", 1, &t) != POINTS_OK)
			return 3;
		memcpy(ids[i], t.id, sizeof(ids[i]));
	}
	points_close(db);
	return 0;
}

/* What the documentation warns of: fork() copies a handle's id stream,
 * so a handle used on both sides gives both the same random bits.  (The
 * store is "memory:", so each side has its own copy of the ledger; an
 * SQLite connection must never cross a fork.) */
START_TEST(test_fork_copies_a_handles_id_stream)
{
	points_db *db = tu_open(TU_MEMORY);
	char mine[NIDS][POINTS_ID_LEN + 1], theirs[NIDS][POINTS_ID_LEN + 1];
	int i;

	tu_account(db, "E-fork");
	ids_from_child(db, NIDS, theirs, child_uses_copied_handle);
	{
		points_account acct;
		points_txn t;

		ck_assert_int_eq(points_account_find(db, "E-fork", &acct),
		    POINTS_OK);
		for (i = 0; i < NIDS; i++) {
			ck_assert_int_eq(tu_earn(db, acct.id, "PTS", 1, &t),
			    POINTS_OK);
			memcpy(mine[i], t.id, sizeof(mine[i]));
		}
	}
	for (i = 0; i < NIDS; i++)
		ck_assert_str_eq(mine[i] + RAND_AT, theirs[i] + RAND_AT);
	tu_invariants(db);
	points_close(db);
}
END_TEST

/* What the documentation asks for: a child opens its own handle, whose
 * stream is seeded afresh, while the parent goes on with its own. */
START_TEST(test_forked_child_with_its_own_handle_gets_distinct_ids)
{
	points_db *db = tu_open("memory:");
	char mine[NIDS][POINTS_ID_LEN + 1], theirs[NIDS][POINTS_ID_LEN + 1];
	int i, j;

	ids_from_child(db, NIDS, theirs, child_opens_own_handle);
	earn_ids(db, "E-parent", NIDS, mine);
	for (i = 0; i < NIDS; i++)
		for (j = 0; j < NIDS; j++)
			ck_assert_str_ne(mine[i] + RAND_AT,
			    theirs[j] + RAND_AT);
	tu_invariants(db);
	points_close(db);
}
END_TEST

/* Two handles opened one after the other in one process draw distinct
 * streams too. */
START_TEST(test_two_handles_draw_distinct_ids)
{
	points_db *a = tu_open("memory:"), *b = tu_open("memory:");
	char ia[NIDS][POINTS_ID_LEN + 1], ib[NIDS][POINTS_ID_LEN + 1];
	int i, j;

	earn_ids(a, "E1", NIDS, ia);
	earn_ids(b, "E1", NIDS, ib);
	for (i = 0; i < NIDS; i++)
		for (j = 0; j < NIDS; j++)
			ck_assert_str_ne(ia[i] + RAND_AT, ib[j] + RAND_AT);
	points_close(a);
	points_close(b);
}
END_TEST

/* Each "memory:" handle is a private ledger: nothing one writes is seen
 * by another, even in the same thread. */
START_TEST(test_memory_handles_are_private_ledgers)
{
	points_db *a = tu_open(TU_MEMORY), *b = tu_open(TU_MEMORY);
	points_account acct;
	int64_t ida, idb;

	ida = tu_account(a, "E1001");
	ck_assert_int_eq(tu_earn(a, ida, "PTS", 50, NULL), POINTS_OK);
	ck_assert_int_eq(points_account_find(b, "E1001", &acct),
	    POINTS_ENOTFOUND);
	idb = tu_account(b, "E1001"); /* the same external id: no clash */
	ck_assert_int_eq(tu_available(a, ida, "PTS"), 50);
	ck_assert_int_eq(tu_available(b, idb, "PTS"), 0);
	tu_invariants(a);
	tu_invariants(b);
	points_close(a);
	/* Closing one leaves the other whole. */
	ck_assert_int_eq(tu_earn(b, idb, "PTS", 5, NULL), POINTS_OK);
	ck_assert_int_eq(tu_available(b, idb, "PTS"), 5);
	tu_invariants(b);
	points_close(b);
}
END_TEST

#define NTHREAD 4
#define NPOST 200

typedef struct worker {
	const char *uri;
	int idx;
	int rc;          /* 0, or the step that failed */
	char ids[NPOST][POINTS_ID_LEN + 1];
} worker;

/* A thread with a handle of its own: NPOST earns to its own account,
 * retried while another thread holds SQLite's write lock. */
static void *
worker_main(void *arg)
{
	worker *w = arg;
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_posting p;
	points_db *db = NULL;
	points_account acct;
	points_txn t;
	char ext[16];
	int i, rc;

	if (points_open(w->uri, &o, &db) != POINTS_OK) {
		w->rc = 1;
		points_close(db);
		return NULL;
	}
	snprintf(ext, sizeof(ext), "T%d", w->idx);
	if (points_account_find(db, ext, &acct) != POINTS_OK) {
		w->rc = 2;
		points_close(db);
		return NULL;
	}
	for (i = 0; i < NPOST; i++) {
		p = tu_posting("PTS", acct.id, 1);
		while ((rc = points_earn(db, &p, &t)) == POINTS_EBUSY)
			;
		if (rc != POINTS_OK) {
			w->rc = 3;
			break;
		}
		memcpy(w->ids[i], t.id, sizeof(w->ids[i]));
	}
	points_close(db);
	return NULL;
}

/* Threads each with their own handle write one SQLite file at once;
 * every posting lands, and every id is distinct. */
START_TEST(test_threads_with_their_own_handles_share_a_sqlite_file)
{
	const char *uri = tu_sqlite_uri();
	points_db *db = tu_open(uri);
	static worker w[NTHREAD];
	pthread_t th[NTHREAD];
	char ext[16];
	int i, j, k, l;

	for (i = 0; i < NTHREAD; i++) {
		snprintf(ext, sizeof(ext), "T%d", i);
		tu_account(db, ext);
	}
	points_close(db);
	for (i = 0; i < NTHREAD; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].uri = uri;
		w[i].idx = i;
		ck_assert_int_eq(pthread_create(&th[i], NULL, worker_main,
		    &w[i]), 0);
	}
	for (i = 0; i < NTHREAD; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_msg(w[i].rc == 0, "thread %d failed at step %d", i,
		    w[i].rc);
	}
	db = tu_open_bare(uri);
	for (i = 0; i < NTHREAD; i++) {
		points_account acct;

		snprintf(ext, sizeof(ext), "T%d", i);
		ck_assert_int_eq(points_account_find(db, ext, &acct),
		    POINTS_OK);
		ck_assert_int_eq(tu_available(db, acct.id, "PTS"), NPOST);
	}
	for (i = 0; i < NTHREAD; i++)
		for (j = i + 1; j < NTHREAD; j++)
			for (k = 0; k < NPOST; k++)
				for (l = 0; l < NPOST; l++)
					ck_assert_str_ne(w[i].ids[k],
					    w[j].ids[l]);
	tu_invariants(db);
	points_close(db);
}
END_TEST

/* The SQLite these tests run on is thread-safe: the check below only
 * refuses what the hook pretends. */
START_TEST(test_linked_sqlite_is_threadsafe)
{
	ck_assert_int_ne(sqlite3_threadsafe(), 0);
	ck_assert_int_ne(points_sqlite__threadsafe(), 0);
}
END_TEST

static int
single_threaded(void)
{
	return 0;
}

START_TEST(test_single_threaded_sqlite_is_refused_at_open)
{
	int (*saved)(void) = points_sqlite__threadsafe;
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	const char *uri = tu_sqlite_uri();
	points_store *s = NULL;
	points_db *db = NULL;

	points_sqlite__threadsafe = single_threaded;
	ck_assert_int_eq(points_open(uri, &o, &db), POINTS_ESTORAGE);
	ck_assert_ptr_nonnull(db);
	ck_assert_int_eq(points_errcode(db), POINTS_ESTORAGE);
	ck_assert_msg(strstr(points_errmsg(db), "SQLITE_THREADSAFE=0") !=
	    NULL, "message: %s", points_errmsg(db));
	points_close(db);
	ck_assert_int_eq(points_store_open(uri, &s), POINTS_ESTORAGE);
	ck_assert_ptr_null(s);
	/* The memory store needs no SQLite. */
	db = NULL;
	ck_assert_int_eq(points_open("memory:", &o, &db), POINTS_OK);
	points_close(db);
	/* Nothing was made on disk. */
	ck_assert_int_ne(access(uri + strlen("sqlite:"), F_OK), 0);
	points_sqlite__threadsafe = saved;
	ck_assert_int_eq(points_open(uri, &o, &db), POINTS_OK);
	points_close(db);
}
END_TEST

static Suite *
threads_suite(void)
{
	Suite *s = suite_create("threads");
	TCase *tf = tcase_create("fork");
	TCase *tm = tcase_create("memory");
	TCase *tt = tcase_create("threads");
	TCase *ts = tcase_create("sqlite_threadsafe");

	tcase_add_checked_fixture(tf, NULL, teardown);
	tcase_add_test(tf, test_fork_copies_a_handles_id_stream);
	tcase_add_test(tf, test_forked_child_with_its_own_handle_gets_distinct_ids);
	tcase_add_test(tf, test_two_handles_draw_distinct_ids);
	suite_add_tcase(s, tf);
	tcase_add_checked_fixture(tm, NULL, teardown);
	tcase_add_test(tm, test_memory_handles_are_private_ledgers);
	suite_add_tcase(s, tm);
	tcase_add_checked_fixture(tt, NULL, teardown);
	tcase_add_test(tt, test_threads_with_their_own_handles_share_a_sqlite_file);
	suite_add_tcase(s, tt);
	tcase_add_checked_fixture(ts, NULL, teardown);
	tcase_add_test(ts, test_linked_sqlite_is_threadsafe);
	tcase_add_test(ts, test_single_threaded_sqlite_is_refused_at_open);
	suite_add_tcase(s, ts);
	return s;
}

int
main(void)
{
	return tu_run(threads_suite());
}
