/* check_multiproc.c - several processes write one SQLite ledger at once.
 *
 * The parent makes the ledger (asset PTS, 100 accounts) and closes it;
 * four children each open their own handle and post 2,000 earns to
 * random accounts (some alone, some in batches of 50) mixed with spends
 * of points they earned themselves, retrying on POINTS_EBUSY.  Each child
 * reports what it did through a pipe; the parent reopens the ledger and
 * checks that every point is where the reports say, that the entry log
 * and the statements hold every posting exactly once, and that the ledger
 * verifies.  Meanwhile a fifth process verifies the ledger over and over:
 * every snapshot a reader sees must verify (points_verify reads in one
 * transaction), and the log never shrinks.
 *
 * It runs twice: with busy_timeout=10000, where SQLite waits for the lock,
 * and with busy_timeout=0, where every conflict comes back as POINTS_EBUSY
 * and the children's retries do the waiting.
 *
 * With POINTS_TEST_STORE=pg (make check-pg) the same tests run with
 * eight processes on one ledger of the private PostgreSQL server: there
 * a conflict is a serialization failure, which the library retries
 * itself; a POINTS_ERETRY that still comes back (its retries ran out) is
 * retried by the children as POINTS_EBUSY is, and counted.
 *
 * Children never call Check: they report failure through their exit
 * status (and the message on stderr). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define MAXCHILD 8 /* processes: 4 on SQLite, 8 on PostgreSQL */
#define NACCT 100
#define NEARN 2000 /* earn postings per child (a quarter on PostgreSQL) */
#define BATCH 50
#define BUSY_TRIES 100000 /* at most ~2 ms apart */

typedef struct child_report {
	int64_t earned, spent;   /* points */
	int64_t nearn, nspend;   /* postings */
	int64_t nbatch;          /* batches committed */
	int64_t busy;            /* POINTS_EBUSY or _ERETRY seen (and retried) */
	int64_t replays;         /* retries answered from the idempotency key */
	int64_t net[NACCT];      /* points this child left in each account */
	int64_t entries[NACCT];  /* postings this child made to each account */
} child_report;

static char uri[300];
static int nchild = 4, nearn = NEARN;

/* Come back later: the store was busy (SQLite) or a writer that
 * conflicted won (PostgreSQL, after the library's own retries). */
#define BUSY(rc) ((rc) == POINTS_EBUSY || (rc) == POINTS_ERETRY)

/* The test's ledger: an SQLite file (busy_timeout ms), or a schema of
 * its own on the PostgreSQL server, with eight processes. */
static void
ledger_uri(int busy_timeout)
{
	if (tu_backend_pg()) {
		snprintf(uri, sizeof(uri), "%s", tu_uri("memory:"));
		nchild = MAXCHILD;
		nearn = NEARN / 4;
	} else {
		snprintf(uri, sizeof(uri), "%s?busy_timeout=%d",
		    tu_sqlite_uri(), busy_timeout);
		nchild = 4;
		nearn = NEARN;
	}
}
static int64_t acct[NACCT];

static uint64_t
rnd(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static void
nap(uint64_t *s)
{
	struct timespec ts = { 0, (long)(rnd(s) % 2000000) + 100000 };

	nanosleep(&ts, NULL);
}

#define CHILD_FAIL(...) do { \
	fprintf(stderr, "child %d: ", idx); \
	fprintf(stderr, __VA_ARGS__); \
	fputc('\n', stderr); \
	return 1; \
} while (0)

/* One posting, retried while the store is busy.  The idempotency key
 * makes a retry safe even if a failed attempt had committed. */
static int
post_retry(points_db *db, int spend, points_posting *p, child_report *r,
    uint64_t *seed)
{
	points_txn t;
	int rc, tries;

	for (tries = 0; tries < BUSY_TRIES; tries++) {
		rc = spend ? points_spend(db, p, &t) : points_earn(db, p, &t);
		if (!BUSY(rc)) {
			if (rc == POINTS_OK && t.replayed)
				r->replays++;
			return rc;
		}
		r->busy++;
		nap(seed);
	}
	return rc;
}

static int
child_main(int idx, int fd)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *db = NULL;
	child_report r;
	uint64_t seed = 0x9e3779b97f4a7c15ull * (uint64_t)(idx + 1);
	int64_t mine[NACCT]; /* this child's unspent points per account */
	char key[POINTS_IDEM_MAX + 1];
	int64_t seq = 0;
	int rc, tries, i;
	ssize_t w;

	memset(&r, 0, sizeof(r));
	memset(mine, 0, sizeof(mine));
	for (tries = 0; tries < BUSY_TRIES; tries++) {
		rc = points_open(uri, &o, &db);
		if (!BUSY(rc))
			break;
		r.busy++;
		points_close(db);
		db = NULL;
		nap(&seed);
	}
	if (rc != POINTS_OK)
		CHILD_FAIL("open: %s", points_errmsg(db));

	while (r.nearn < nearn) {
		unsigned dice = (unsigned)(rnd(&seed) % 100);

		if (dice < 4 && r.nearn + BATCH <= nearn) {
			/* a batch of earns: all or nothing, retried whole */
			int64_t amt[BATCH], to[BATCH];
			int done = 0;

			for (i = 0; i < BATCH; i++) {
				to[i] = (int64_t)(rnd(&seed) % NACCT);
				amt[i] = 1 + (int64_t)(rnd(&seed) % 100);
			}
			for (tries = 0; !done && tries < BUSY_TRIES; tries++) {
				rc = points_batch_begin(db);
				if (BUSY(rc)) {
					r.busy++;
					nap(&seed);
					continue;
				}
				if (rc)
					CHILD_FAIL("batch begin: %s",
					    points_errmsg(db));
				for (i = 0; i < BATCH && rc == POINTS_OK; i++) {
					points_posting p = POINTS_POSTING_INIT;
					points_txn t;

					snprintf(key, sizeof(key),
					    "c%d-%lld-%d", idx,
					    (long long)seq, i);
					p.asset = "PTS";
					p.account = acct[to[i]];
					p.amount = amt[i];
					p.idempotency_key = key;
					rc = points_earn(db, &p, &t);
					if (rc == POINTS_OK && t.replayed)
						r.replays++;
				}
				if (rc) {
					int code = rc;
					char msg[512];

					/* the message, before the rollback
					 * clears it */
					snprintf(msg, sizeof(msg), "%s",
					    points_errmsg(db));
					points_batch_rollback(db);
					if (!BUSY(code))
						CHILD_FAIL("batch earn: %s (%s)",
						    points_strerror(code), msg);
					r.busy++;
					continue;
				}
				rc = points_batch_commit(db);
				if (BUSY(rc)) {
					r.busy++;
					nap(&seed);
					continue;
				}
				if (rc)
					CHILD_FAIL("batch commit: %s",
					    points_errmsg(db));
				done = 1;
			}
			if (!done)
				CHILD_FAIL("batch: busy %d times", tries);
			seq++;
			r.nbatch++;
			for (i = 0; i < BATCH; i++) {
				r.earned += amt[i];
				r.nearn++;
				r.net[to[i]] += amt[i];
				r.entries[to[i]]++;
				mine[to[i]] += amt[i];
			}
		} else if (dice < 25) {
			/* spend some of what this child put somewhere */
			points_posting p = POINTS_POSTING_INIT;
			int a = (int)(rnd(&seed) % NACCT);

			for (i = 0; i < NACCT && mine[a] == 0; i++)
				a = (a + 1) % NACCT;
			if (mine[a] == 0)
				continue;
			snprintf(key, sizeof(key), "c%d-%lld", idx,
			    (long long)seq++);
			p.asset = "PTS";
			p.account = acct[a];
			p.amount = 1 + (int64_t)(rnd(&seed) % (uint64_t)mine[a]);
			p.idempotency_key = key;
			if ((rc = post_retry(db, 1, &p, &r, &seed)))
				CHILD_FAIL("spend %lld from account %lld: %s",
				    (long long)p.amount, (long long)p.account,
				    points_errmsg(db));
			r.spent += p.amount;
			r.nspend++;
			r.net[a] -= p.amount;
			r.entries[a]++;
			mine[a] -= p.amount;
		} else {
			points_posting p = POINTS_POSTING_INIT;
			int a = (int)(rnd(&seed) % NACCT);

			snprintf(key, sizeof(key), "c%d-%lld", idx,
			    (long long)seq++);
			p.asset = "PTS";
			p.account = acct[a];
			p.amount = 1 + (int64_t)(rnd(&seed) % 100);
			p.idempotency_key = key;
			if ((rc = post_retry(db, 0, &p, &r, &seed)))
				CHILD_FAIL("earn: %s", points_errmsg(db));
			r.earned += p.amount;
			r.nearn++;
			r.net[a] += p.amount;
			r.entries[a]++;
			mine[a] += p.amount;
		}
	}
	points_close(db);
	w = write(fd, &r, sizeof(r));
	if (w != (ssize_t)sizeof(r))
		CHILD_FAIL("report: %s", strerror(errno));
	close(fd);
	return 0;
}

/* Verify again and again until the parent closes stop (EOF).  Exit
 * status: 0, or 1 with the reason on stderr. */
static int
reader_main(int stop)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *db = NULL;
	points_verify_report vr;
	struct pollfd pfd;
	int64_t last = 0, rounds = 0;
	uint64_t seed = 42;
	int rc, idx = nchild, tries;

	for (tries = 0; tries < BUSY_TRIES; tries++) {
		rc = points_open(uri, &o, &db);
		if (!BUSY(rc))
			break;
		points_close(db);
		db = NULL;
		nap(&seed);
	}
	if (rc != POINTS_OK)
		CHILD_FAIL("reader open: %s", points_errmsg(db));
	pfd.fd = stop;
	pfd.events = POLLIN;
	for (;;) {
		int done = poll(&pfd, 1, 0) > 0;

		rc = points_verify(db, &vr);
		if (BUSY(rc)) {
			nap(&seed);
			continue;
		}
		if (rc != POINTS_OK)
			CHILD_FAIL("verify after %lld rounds: %s (%s)",
			    (long long)rounds, points_errmsg(db), vr.message);
		if (vr.entries < last)
			CHILD_FAIL("the log shrank from %lld to %lld entries",
			    (long long)last, (long long)vr.entries);
		last = vr.entries;
		rounds++;
		if (done)
			break;
	}
	points_close(db);
	if (rounds < 2)
		CHILD_FAIL("only %lld rounds", (long long)rounds);
	return 0;
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

/* _i: 0 SQLite waits for locks, 1 the callers do (busy_timeout=0) */
START_TEST(test_four_processes_lose_no_posting)
{
	points_db *db;
	child_report rep[MAXCHILD], total;
	pid_t pid[MAXCHILD], reader;
	int fds[MAXCHILD][2], stop[2], status;
	points_verify_report vr;
	points_balance b;
	int64_t sum = 0;
	int i, j;

	if (_i && tu_backend_pg())
		return; /* busy_timeout is SQLite's: one run on PostgreSQL */
	ledger_uri(_i ? 0 : 10000);
	db = tu_open_bare(uri);
	ck_assert_int_eq(points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	for (i = 0; i < NACCT; i++) {
		char ext[16];

		snprintf(ext, sizeof(ext), "U%03d", i);
		acct[i] = tu_account(db, ext);
	}
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	points_close(db);

	fflush(NULL); /* children must not flush the parent's buffers */
	ck_assert_int_eq(pipe(stop), 0);
	reader = fork();
	ck_assert_int_ge(reader, 0);
	if (reader == 0) {
		close(stop[1]);
		exit(reader_main(stop[0]));
	}
	close(stop[0]);
	for (i = 0; i < nchild; i++) {
		ck_assert_int_eq(pipe(fds[i]), 0);
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0) {
			int rc;

			for (j = 0; j <= i; j++)
				close(fds[j][0]);
			close(stop[1]);
			rc = child_main(i, fds[i][1]);
			exit(rc); /* exit, not _exit: LeakSanitizer runs */
		}
		close(fds[i][1]);
	}

	memset(&total, 0, sizeof(total));
	for (i = 0; i < nchild; i++) {
		ssize_t n;

		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "child %d failed (status 0x%x)", i, status);
		n = read(fds[i][0], &rep[i], sizeof(rep[i]));
		ck_assert_int_eq(n, (ssize_t)sizeof(rep[i]));
		close(fds[i][0]);
		ck_assert_int_eq(rep[i].nearn, nearn);
		total.earned += rep[i].earned;
		total.spent += rep[i].spent;
		total.nearn += rep[i].nearn;
		total.nspend += rep[i].nspend;
		total.nbatch += rep[i].nbatch;
		total.busy += rep[i].busy;
		total.replays += rep[i].replays;
		for (j = 0; j < NACCT; j++) {
			total.net[j] += rep[i].net[j];
			total.entries[j] += rep[i].entries[j];
		}
	}
	close(stop[1]); /* the writers are done: the reader may stop */
	ck_assert_int_eq(waitpid(reader, &status, 0), reader);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the reader failed (status 0x%x)", status);
	/* a retry is only replayed if a "failed" attempt had committed */
	ck_assert_int_eq(total.replays, 0);
	ck_assert_int_gt(total.nspend, 0);
	ck_assert_int_gt(total.nbatch, 0);
	if (_i)
		ck_assert_msg(total.busy > 0, "no process ever found the "
		    "store busy: the test did not contend");
	printf("multiproc: %d processes, %lld postings in %lld batches and "
	    "alone, %lld retried by the processes (busy or conflicted)\n",
	    nchild, (long long)(total.nearn + total.nspend),
	    (long long)total.nbatch, (long long)total.busy);

	db = tu_open_bare(uri);
	for (j = 0; j < NACCT; j++) {
		ck_assert_int_eq(points_balance_get(db, acct[j], "PTS", &b),
		    POINTS_OK);
		ck_assert_msg(b.available == total.net[j], "account %lld: "
		    "available %lld, the children left %lld",
		    (long long)acct[j], (long long)b.available,
		    (long long)total.net[j]);
		ck_assert_int_eq(b.held, 0);
		ck_assert_int_eq(statement_length(db, acct[j]),
		    total.entries[j]);
		sum += b.available;
	}
	ck_assert_int_eq(sum, total.earned - total.spent);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_ISSUER, "PTS"),
	    -total.earned);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_SINK, "PTS"),
	    total.spent);
	ck_assert_int_eq(statement_length(db, POINTS_ACCOUNT_ISSUER),
	    total.nearn);
	ck_assert_int_eq(statement_length(db, POINTS_ACCOUNT_SINK),
	    total.nspend);
	ck_assert_int_eq(points_verify(db, &vr), POINTS_OK);
	ck_assert_int_eq(vr.entries, total.nearn + total.nspend);
	tu_invariants(db);
	points_close(db);
	tu_cleanup();
}
END_TEST


/* ---- Caps and budgets under four processes (eight on PostgreSQL) ----
 *
 * Four processes apply 150 events each, all of one account, at one
 * moment (a fixed clock), some alone and some in batches of 10: every
 * rule's cap or budget is far below what the events ask for, so each
 * must come out exact, however the writers interleave.  Each child
 * reports the points each rule gave it; the parent checks the totals
 * against the caps, the balance against the reports, and verify. */

#define CAP_EVENTS 150
#define CAP_KEYS 30
#define CAP_RULES 4
static const char *const cap_rule[CAP_RULES] = {
	"daily", "awards", "budget", "once",
};

static int64_t
cap_clock(void *ctx)
{
	(void)ctx;
	return TU_T0 + 10 * 3600;
}

/* Apply e, again while busy; in a batch a POINTS_ERETRY is the whole
 * batch's to retry (its transaction lost), so it comes back. */
static int
apply_retry(points_db *db, points_event *e, int in_batch,
    int64_t got[CAP_RULES], uint64_t *seed)
{
	points_event_result *res;
	points_event_summary s;
	points_rule_outcome o;
	int rc, tries, i, k;

	for (tries = 0; tries < BUSY_TRIES; tries++) {
		rc = points_event_apply(db, e, &res);
		if (!BUSY(rc) || (rc == POINTS_ERETRY && in_batch))
			break;
		nap(seed);
	}
	if (rc)
		return rc;
	points_event_result_summary(res, &s);
	for (i = 0; i < s.outcomes; i++) {
		points_event_result_outcome(res, i, &o);
		for (k = 0; k < CAP_RULES; k++)
			if (strcmp(o.rule, cap_rule[k]) == 0)
				got[k] += o.points;
	}
	points_event_result_free(res);
	return POINTS_OK;
}

static int
cap_child(int idx, int fd, int64_t account)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *db = NULL;
	uint64_t seed = 0x2545f4914f6cdd1dull * (uint64_t)(idx + 1);
	int64_t got[CAP_RULES] = { 0 };
	char id[32], attrs[32];
	int rc = POINTS_EBUSY, tries, n = 0;

	o.clock = cap_clock;
	for (tries = 0; tries < BUSY_TRIES && BUSY(rc); tries++) {
		points_close(db);
		db = NULL;
		rc = points_open(uri, &o, &db);
	}
	if (rc != POINTS_OK)
		CHILD_FAIL("open: %s", points_errmsg(db));
	while (n < CAP_EVENTS) {
		int batch = rnd(&seed) % 4 == 0, m = batch ? 10 : 1, i;
		int64_t before[CAP_RULES];

		memcpy(before, got, sizeof(got));
		if (batch) {
			for (tries = 0; tries < BUSY_TRIES; tries++) {
				rc = points_batch_begin(db);
				if (!BUSY(rc))
					break;
				nap(&seed);
			}
			if (rc)
				CHILD_FAIL("batch: %s", points_errmsg(db));
		}
		for (i = 0; i < m; i++) {
			points_event e = POINTS_EVENT_INIT;

			snprintf(id, sizeof(id), "c%d-%d", idx, n + i);
			snprintf(attrs, sizeof(attrs), "{\"k\": %d}",
			    (int)(rnd(&seed) % CAP_KEYS));
			e.id = id;
			e.type = "visit";
			e.account = account;
			e.attrs = attrs;
			if ((rc = apply_retry(db, &e, batch, got, &seed)))
				break;
		}
		if (batch) {
			if (rc == POINTS_OK)
				rc = points_batch_commit(db);
			else
				points_batch_rollback(db);
			if (BUSY(rc)) {
				/* the batch is lost: again, the same ids */
				memcpy(got, before, sizeof(got));
				nap(&seed);
				continue;
			}
		}
		if (rc)
			CHILD_FAIL("event %s: %s", id, points_errmsg(db));
		n += m;
	}
	points_close(db);
	if (write(fd, got, sizeof(got)) != (ssize_t)sizeof(got))
		return 1;
	close(fd);
	return 0;
}

static void
cap_rule_save(points_db *db, const char *name, const char *pts,
    int awards, int64_t cap_day, int64_t cap_total, int64_t budget,
    const char *key)
{
	points_rule_def d = POINTS_RULE_DEF_INIT;
	points_rule r;

	d.name = name;
	d.event_type = "visit";
	d.points = pts;
	d.asset = "PTS";
	d.state = POINTS_RULE_ACTIVE;
	d.cap_unit = awards ? POINTS_CAP_AWARDS : POINTS_CAP_POINTS;
	d.cap_day = cap_day;
	d.cap_total = cap_total;
	d.budget_points = budget;
	d.cap_key = key;
	d.cap_key_limit = key ? 1 : 0;
	d.author = "admin";
	ck_assert_msg(points_rule_save(db, &d, &r) == POINTS_OK, "%s",
	    points_errmsg(db));
}

START_TEST(test_caps_hold_under_four_processes)
{
	points_verify_report vr;
	points_db *db;
	pid_t pid[MAXCHILD];
	int fds[MAXCHILD][2], status, i, k;
	int64_t got[CAP_RULES], total[CAP_RULES] = { 0 }, account, sum = 0;

	ledger_uri(10000);
	tu_now = TU_T0;
	db = tu_open_bare(uri);
	ck_assert_int_eq(points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	account = tu_account(db, "E1");
	/* 7 a visit, 100 a day; 1 a visit, 50 visits in all; 3 a visit
	 * from a budget of 200; 5 once for each of 30 keys */
	cap_rule_save(db, "daily", "7", 0, 100, 0, 0, NULL);
	cap_rule_save(db, "awards", "1", 1, 0, 50, 0, NULL);
	cap_rule_save(db, "budget", "3", 0, 0, 0, 200, NULL);
	cap_rule_save(db, "once", "5", 1, 0, 0, 0, "event.attrs.k");
	points_close(db);

	fflush(NULL);
	for (i = 0; i < nchild; i++) {
		ck_assert_int_eq(pipe(fds[i]), 0);
		pid[i] = fork();
		ck_assert_int_ge(pid[i], 0);
		if (pid[i] == 0) {
			int j;

			for (j = 0; j <= i; j++)
				close(fds[j][0]);
			exit(cap_child(i, fds[i][1], account));
		}
		close(fds[i][1]);
	}
	for (i = 0; i < nchild; i++) {
		ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "child %d failed (status 0x%x)", i, status);
		ck_assert_int_eq(read(fds[i][0], got, sizeof(got)),
		    (ssize_t)sizeof(got));
		close(fds[i][0]);
		for (k = 0; k < CAP_RULES; k++)
			total[k] += got[k];
	}
	ck_assert_int_eq(total[0], 100);
	ck_assert_int_eq(total[1], 50);
	ck_assert_int_eq(total[2], 200 / 3 * 3 + 200 % 3);
	ck_assert_int_eq(total[3], 5 * CAP_KEYS);
	for (k = 0; k < CAP_RULES; k++)
		sum += total[k];
	db = tu_open_bare(uri);
	ck_assert_int_eq(tu_available(db, account, "PTS"), sum);
	ck_assert_int_eq(points_verify(db, &vr), POINTS_OK);
	tu_invariants(db);
	points_close(db);
	tu_cleanup();
}
END_TEST

static Suite *
multiproc_suite(void)
{
	Suite *s = suite_create("multiproc");
	TCase *tc = tcase_create(tu_backend_pg() ? "pg_processes" :
	    "sqlite_processes");

	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_four_processes_lose_no_posting, 0, 2);
	tcase_add_test(tc, test_caps_hold_under_four_processes);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(multiproc_suite());
}
