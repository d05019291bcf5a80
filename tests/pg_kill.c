/* pg_kill.c - the PostgreSQL server dies in the middle of a run, twice,
 * and comes back (make check-pg runs it on its private server).
 *
 * A child process posts NPOST earns, alone and in batches of BATCH, each
 * with an idempotency key, to NACCT accounts; when a call fails because
 * the server is gone (POINTS_ESTORAGE, or POINTS_ERETRY / POINTS_EBUSY)
 * it checks that the failure says why, waits and tries the same posting
 * (or the whole batch) again with the same keys, until the server is
 * back: the handle connects again by itself.  The parent kills the
 * server as a crash would (pg_ctl stop -m immediate: no checkpoint, the
 * next start recovers from its WAL) after the child's 500th and 1,500th
 * acknowledged posting, and starts it again.  After the child is done:
 * every acknowledged posting is in the ledger exactly once (balances and
 * statements as the child's report says; an attempt whose commit
 * reached the server before it died is answered from its key, not
 * posted twice), nothing is half applied (a batch is there whole or not
 * at all, the log verifies), and the child felt both deaths.
 *
 * Needs POINTS_TEST_STORE=pg, POINTS_TEST_PG_URI and POINTS_TEST_PG_DIR
 * (the server's directory, for tests/pg_server.sh). */
#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define NACCT 20
#define NPOST 3000
#define BATCH 5
#define DOWN_MS 60000 /* the longest a child waits for the server */
#define STUCK_S 240    /* a child still running then is stuck: it says
                        * where (the test's own limit is 600 s) */

typedef struct kill_report {
	int64_t posted[NACCT];   /* points acknowledged per account */
	int64_t entries[NACCT];  /* postings acknowledged per account */
	int64_t failures;        /* calls that failed while it was down */
	int64_t replays;         /* retries answered from their key */
	int64_t batches;
	char first_error[200];
} kill_report;

static char uri[300];
static int64_t acct[NACCT];
static volatile int child_at, child_tries; /* for stuck() */

/* The child's alarm: a call that never returns (a read from a server
 * that will not answer) would hold the test to its limit and say
 * nothing; this says which posting and where in libpq, and ends it. */
static void
stuck(int sig)
{
	char m[120];
	void *frames[32];
	int n, len;

	(void)sig;
	len = snprintf(m, sizeof(m), "pg_kill child: stuck for %d s at "
	    "posting %d, attempt %d; stack:\n", STUCK_S, child_at,
	    child_tries);
	if (write(2, m, (size_t)len) < 0)
		_exit(3);
	n = backtrace(frames, 32);
	backtrace_symbols_fd(frames, n, 2);
	_exit(3);
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int
server_gone(int rc)
{
	return rc == POINTS_ESTORAGE || rc == POINTS_ERETRY ||
	    rc == POINTS_EBUSY;
}

/* A failure while the server is gone (its message m): counted, the
 * first message kept. */
static int
failed(const char *m, int rc, kill_report *r, long *waited)
{
	if (!server_gone(rc) || !*m || *waited > DOWN_MS)
		return 1;
	if (!r->first_error[0])
		snprintf(r->first_error, sizeof(r->first_error), "%s", m);
	r->failures++;
	nap_ms(20);
	*waited += 20;
	return 0;
}

#define CHILD_FAIL(...) do { \
	fprintf(stderr, "pg_kill child: "); \
	fprintf(stderr, __VA_ARGS__); \
	fputc('\n', stderr); \
	return 1; \
} while (0)

static int
child_main(int report_fd, int progress_fd)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *db = NULL;
	kill_report r;
	int n = 0, rc;
	long waited = 0;

	memset(&r, 0, sizeof(r));
	signal(SIGALRM, stuck);
	alarm(STUCK_S);
	if ((rc = points_open(uri, &o, &db)) != POINTS_OK)
		CHILD_FAIL("open: %s", points_errmsg(db));
	while (n < NPOST) {
		int m = n % 50 == 7 && n + BATCH <= NPOST ? BATCH : 1, i;
		int64_t amt[BATCH];
		char key[BATCH][32];

		for (i = 0; i < m; i++) {
			snprintf(key[i], sizeof(key[i]), "k-%d", n + i);
			amt[i] = 1 + (n + i) % 7;
		}
		waited = 0;
		child_at = n;
		child_tries = 0;
		for (;;) {
			char why[200] = "";
			int replays = 0;

			child_tries++;

			rc = m > 1 ? points_batch_begin(db) : POINTS_OK;
			for (i = 0; i < m && rc == POINTS_OK; i++) {
				points_posting p = POINTS_POSTING_INIT;
				points_txn t;

				p.asset = "PTS";
				p.account = acct[(n + i) % NACCT];
				p.amount = amt[i];
				p.idempotency_key = key[i];
				rc = points_earn(db, &p, &t);
				if (rc == POINTS_OK && t.replayed)
					replays++;
			}
			if (m > 1 && rc == POINTS_OK)
				rc = points_batch_commit(db);
			if (rc == POINTS_OK) {
				r.replays += replays;
				break;
			}
			snprintf(why, sizeof(why), "%s", points_errmsg(db) ?
			    points_errmsg(db) : "");
			if (m > 1) /* if the failure has not ended it */
				(void)points_batch_rollback(db);
			if (failed(why, rc, &r, &waited))
				CHILD_FAIL("posting %d: %s (%s) after %ld ms", n,
				    points_strerror(rc), why, waited);
		}
		for (i = 0; i < m; i++) {
			r.posted[(n + i) % NACCT] += amt[i];
			r.entries[(n + i) % NACCT]++;
		}
		if (m > 1)
			r.batches++;
		n += m;
		if (n / 100 != (n - m) / 100 &&
		    write(progress_fd, "x", 1) != 1)
			CHILD_FAIL("progress: %s", strerror(errno));
	}
	points_close(db);
	if (write(report_fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		CHILD_FAIL("report: %s", strerror(errno));
	return 0;
}

static void
server(const char *cmd)
{
	char line[600];

	snprintf(line, sizeof(line), "tests/pg_server.sh %s '%s'", cmd,
	    getenv("POINTS_TEST_PG_DIR"));
	ck_assert_msg(system(line) == 0, "%s failed", line);
}

/* Read the child's progress (a byte a hundred postings) up to n
 * hundreds. */
static void
wait_progress(int fd, int *seen, int n)
{
	char c;

	while (*seen < n) {
		ck_assert_msg(read(fd, &c, 1) == 1, "the child stopped early");
		(*seen)++;
	}
}

static int64_t
statement_length(points_db *db, int64_t id)
{
	points_statement_iterator *it;
	points_entry e;
	int64_t n = 0;
	int rc;

	ck_assert_int_eq(points_statement_iterator_new(db, id, "PTS", 0, 0,
	    POINTS_OLDEST_FIRST, &it), POINTS_OK);
	while ((rc = points_statement_next(it, &e)) == POINTS_OK)
		n++;
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	points_statement_iterator_free(it);
	return n;
}

START_TEST(test_server_killed_twice_loses_nothing)
{
	points_verify_report vr;
	points_db *db;
	kill_report r;
	pid_t pid;
	int rep[2], prog[2], status, seen = 0, i;
	int64_t total = 0;
	char c;

	ck_assert_msg(tu_backend_pg() && getenv("POINTS_TEST_PG_DIR"),
	    "pg_kill needs POINTS_TEST_STORE=pg and POINTS_TEST_PG_DIR");
	snprintf(uri, sizeof(uri), "%s", tu_uri("memory:"));
	db = tu_open_bare(uri);
	ck_assert_int_eq(points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	for (i = 0; i < NACCT; i++) {
		char ext[16];

		snprintf(ext, sizeof(ext), "K%02d", i);
		acct[i] = tu_account(db, ext);
	}
	points_close(db);

	ck_assert_int_eq(pipe(rep), 0);
	ck_assert_int_eq(pipe(prog), 0);
	fflush(NULL);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(rep[0]);
		close(prog[0]);
		exit(child_main(rep[1], prog[1]));
	}
	close(rep[1]);
	close(prog[1]);
	wait_progress(prog[0], &seen, 5);
	server("kill");
	nap_ms(300);
	server("restart");
	wait_progress(prog[0], &seen, 15);
	server("kill");
	nap_ms(300);
	server("restart");
	while (read(prog[0], &c, 1) == 1)
		;
	close(prog[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the child failed (status 0x%x)", status);
	ck_assert_int_eq(read(rep[0], &r, sizeof(r)), (ssize_t)sizeof(r));
	close(rep[0]);
	printf("pg_kill: %d postings (%lld batches), %lld calls failed while "
	    "the server was down, %lld retries answered from their key; "
	    "first failure: %s\n", NPOST, (long long)r.batches,
	    (long long)r.failures, (long long)r.replays, r.first_error);
	ck_assert_msg(r.failures >= 2, "the child did not feel the server "
	    "die (%lld failures)", (long long)r.failures);
	ck_assert_int_gt(r.batches, 0);

	db = tu_open_bare(uri);
	for (i = 0; i < NACCT; i++) {
		ck_assert_msg(tu_available(db, acct[i], "PTS") == r.posted[i],
		    "account %d: %lld, the child posted %lld", i,
		    (long long)tu_available(db, acct[i], "PTS"),
		    (long long)r.posted[i]);
		ck_assert_int_eq(statement_length(db, acct[i]), r.entries[i]);
		total += r.posted[i];
	}
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_ISSUER, "PTS"),
	    -total);
	ck_assert_int_eq(points_verify(db, &vr), POINTS_OK);
	ck_assert_int_eq(vr.entries, NPOST);
	tu_invariants(db);
	points_close(db);
	tu_cleanup();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pg_kill");
	TCase *tc = tcase_create("pg_kill");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_server_killed_twice_loses_nothing);
	suite_add_tcase(s, tc);
	return tu_run(s);
}
