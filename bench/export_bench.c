/*
 * export_bench.c - a period report and a full CSV export over large
 * ledgers: for each size (-n, entries; default 100000, `make
 * bench-export` runs 1M and 10M), a ledger of that many entries (earns
 * and spends over -a accounts across a year, batched, on an SQLite
 * file), then, each in a child process of its own so that its peak RSS
 * (getrusage ru_maxrss) is its alone:
 *   - a month's report (points issued by category per day, June);
 *   - the full CSV export, written to /dev/null;
 *   - the floor: every record of the entry log read with SQLite alone
 *     (SELECT v FROM ks_entry), no decoding, no formatting.
 * Prints seconds, entries/s, peak RSS and the export's ratio to the
 * floor.  A flat RSS from 1M to 10M shows the export streams.
 *
 * Building is the slow part (earns in batches of 10,000 with
 * sync=off); -k DIR keeps each ledger in DIR (export-N.db) and reuses
 * one whose log already holds N entries, so a 10M ledger is built once.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "points.h"

#define T0 INT64_C(1735689600) /* 2025-01-01 00:00:00 UTC */
#define YEAR (INT64_C(365) * 86400)
#define JUNE_FROM INT64_C(1748736000) /* 2025-06-01 */
#define JUNE_TO INT64_C(1751328000)   /* 2025-07-01 */

static long accounts = 10000;
static int64_t now_t;

static int64_t
clock_cb(void *ctx)
{
	(void)ctx;
	return now_t;
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
fail(const char *what, const char *msg)
{
	fprintf(stderr, "export_bench: %s: %s\n", what, msg);
	exit(1);
}

/* Entry i's time: the n entries spread evenly over the year. */
static int64_t
entry_time(long i, long n)
{
	return T0 + (int64_t)((double)i * (double)YEAR / (double)n);
}

static long
entries_in(long n, int64_t from, int64_t to)
{
	long i, k = 0;

	for (i = 0; i < n; i++)
		k += entry_time(i, n) >= from && entry_time(i, n) < to;
	return k;
}

static int64_t
log_end(const char *path)
{
	char uri[300];
	points_db *db;
	points_chain_head h;
	int64_t seq = -1;

	snprintf(uri, sizeof(uri), "sqlite:%s?mode=rw", path);
	if (points_open(uri, NULL, &db) == POINTS_OK &&
	    points_chain_head_get(db, &h) == POINTS_OK)
		seq = h.seq;
	points_close(db);
	return seq;
}

/* n entries: 4 earns to 1 spend, to random accounts (a spend only of
 * what the account has), categories in turn. */
static void
build(const char *path, long n)
{
	static const char *const cats[] = { "training", "sales", "referral",
	    "bonus" };
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	char uri[300];
	points_db *db;
	int64_t *ids, *bal;
	long i;
	double t = mono();

	snprintf(uri, sizeof(uri), "sqlite:%s?sync=off", path);
	o.clock = clock_cb;
	now_t = T0;
	if (points_open(uri, &o, &db) != POINTS_OK)
		fail("open", points_errmsg(db));
	if (points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER, 0))
		fail("asset", points_errmsg(db));
	ids = calloc((size_t)accounts, sizeof(*ids));
	bal = calloc((size_t)accounts, sizeof(*bal));
	if (!ids || !bal)
		fail("calloc", "accounts");
	if (points_batch_begin(db))
		fail("batch", points_errmsg(db));
	for (i = 0; i < accounts; i++) {
		char ext[32], dept[16];

		snprintf(ext, sizeof(ext), "E%06ld", i);
		snprintf(dept, sizeof(dept), "D%ld", i % 10);
		if (points_account_create(db, ext, ext, 0, &ids[i]) ||
		    points_account_update(db, ids[i], NULL, NULL, dept))
			fail("account", points_errmsg(db));
	}
	if (points_batch_commit(db) || points_batch_begin(db))
		fail("commit", points_errmsg(db));
	srand(1);
	for (i = 0; i < n; i++) {
		points_posting p = POINTS_POSTING_INIT;
		points_txn tx;
		long a = rand() % accounts;
		int rc;

		now_t = entry_time(i, n);
		p.asset = "PTS";
		p.account = ids[a];
		if (i % 5 == 4 && bal[a] > 0) {
			p.amount = 1 + rand() % bal[a];
			p.category = "mall";
			rc = points_spend(db, &p, &tx);
			bal[a] -= p.amount;
		} else {
			p.amount = 1 + rand() % 100;
			p.category = cats[i % 4];
			rc = points_earn(db, &p, &tx);
			bal[a] += p.amount;
		}
		if (rc != POINTS_OK)
			fail("write", points_errmsg(db));
		if (i % 10000 == 9999 &&
		    (points_batch_commit(db) || points_batch_begin(db)))
			fail("commit", points_errmsg(db));
		if (i % 1000000 == 999999)
			fprintf(stderr, "export_bench: %ld of %ld entries, %.0f "
			    "s\n", i + 1, n, mono() - t);
	}
	if (points_batch_commit(db) != POINTS_OK)
		fail("commit", points_errmsg(db));
	points_close(db);
	free(ids);
	free(bal);
	fprintf(stderr, "export_bench: built %ld entries in %.1f s (%.0f/s)\n",
	    n, mono() - t, n / (mono() - t));
}

static points_db *
open_rw(const char *path)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	char uri[300];
	points_db *db;

	snprintf(uri, sizeof(uri), "sqlite:%s?mode=rw", path);
	o.clock = clock_cb;
	now_t = T0 + YEAR;
	if (points_open(uri, &o, &db) != POINTS_OK)
		fail("open", points_errmsg(db));
	return db;
}

/* The measures: each returns the entries it went through (the report:
 * its earns; the table shows the range's entries, which it reads). */
static long
run_report(const char *path)
{
	points_db *db = open_rw(path);
	points_report_iterator *it;
	points_report_row r;
	long rows = 0, entries = 0;
	int rc;

	if (points_report_iterator_new(db, POINTS_REPORT_ISSUED_BY_CATEGORY,
	    "PTS", JUNE_FROM, JUNE_TO, POINTS_PERIOD_DAY, 0, &it))
		fail("report", points_errmsg(db));
	while ((rc = points_report_next(it, &r)) == POINTS_OK) {
		rows++;
		entries += r.count;
	}
	if (rc != POINTS_ITEROVER)
		fail("report", points_errmsg(db));
	points_report_iterator_free(it);
	points_close(db);
	if (rows != 30 * 4)
		fail("report", "not a row per day and category");
	return entries;
}

static long
run_export(const char *path)
{
	points_db *db = open_rw(path);
	points_export_iterator *it;
	FILE *out = fopen("/dev/null", "w");
	char *line;
	long lines = 0;
	int rc;

	if (!out)
		fail("open", "/dev/null");
	if (points_export_iterator_new(db, POINTS_EXPORT_CSV, 0, 0, &it))
		fail("export", points_errmsg(db));
	while ((rc = points_export_next(it, &line)) == POINTS_OK) {
		fputs(line, out);
		points_free(line);
		lines++;
	}
	if (rc != POINTS_ITEROVER)
		fail("export", points_errmsg(db));
	points_export_iterator_free(it);
	points_close(db);
	fclose(out);
	return lines - 1; /* the header */
}

static long
run_floor(const char *path)
{
	sqlite3 *s;
	sqlite3_stmt *st;
	long rows = 0;
	int64_t bytes = 0;

	if (sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL) ||
	    sqlite3_prepare_v2(s, "SELECT v FROM ks_entry", -1, &st, NULL))
		fail("sqlite", sqlite3_errmsg(s));
	while (sqlite3_step(st) == SQLITE_ROW) {
		bytes += sqlite3_column_bytes(st, 0);
		rows++;
	}
	sqlite3_finalize(st);
	sqlite3_close(s);
	return bytes > 0 ? rows : 0;
}

/* Run fn on path in a child; its entries, seconds and peak RSS (KB)
 * come back through a pipe. */
static void
measure(const char *what, long (*fn)(const char *), const char *path,
    long n, long entries, double *secs_out)
{
	int fd[2], status;
	pid_t pid;
	struct { long entries; double secs; long rss; } r;

	if (pipe(fd))
		fail("pipe", what);
	if ((pid = fork()) < 0)
		fail("fork", what);
	if (pid == 0) {
		struct rusage ru;
		double t = mono();

		close(fd[0]);
		r.entries = fn(path);
		r.secs = mono() - t;
		getrusage(RUSAGE_SELF, &ru);
		r.rss = ru.ru_maxrss;
		if (write(fd[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	if (read(fd[0], &r, sizeof(r)) != (ssize_t)sizeof(r))
		fail(what, "the child failed");
	close(fd[0]);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		fail(what, "the child failed");
	*secs_out = r.secs;
	if (entries)
		r.entries = entries;
	printf("%10ld  %-24s %9ld %9.2f %11.0f %9ld\n", n, what, r.entries,
	    r.secs, r.entries / r.secs, r.rss);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	char sizes[256] = "100000", tmp[] = "/tmp/points-xbench-XXXXXX";
	const char *keep = NULL, *dir;
	char *tok, *save = NULL;
	int c;

	while ((c = getopt(argc, argv, "n:a:k:")) != -1) {
		if (c == 'n')
			snprintf(sizes, sizeof(sizes), "%s", optarg);
		else if (c == 'a')
			accounts = atol(optarg);
		else if (c == 'k')
			keep = optarg;
		else {
			fprintf(stderr, "usage: export_bench [-n N[,N...]] "
			    "[-a accounts] [-k DIR]\n");
			return 2;
		}
	}
	if (accounts < 1)
		fail("options", "-a: out of range");
	if (keep) {
		mkdir(keep, 0777);
		dir = keep;
	} else if (!(dir = mkdtemp(tmp)))
		fail("mkdtemp", tmp);
	printf("%10s  %-24s %9s %9s %11s %9s\n", "ledger", "", "entries",
	    "seconds", "entries/s", "RSS KB");
	for (tok = strtok_r(sizes, ",", &save); tok;
	    tok = strtok_r(NULL, ",", &save)) {
		long n = atol(tok);
		char path[300];
		double rs, xs, fs;

		if (n < 1000)
			fail("-n", "at least 1000 entries");
		snprintf(path, sizeof(path), "%s/export-%ld.db", dir, n);
		if (log_end(path) != n) {
			unlink(path);
			build(path, n);
		}
		measure("June report (by day)", run_report, path, n,
		    entries_in(n, JUNE_FROM, JUNE_TO), &rs);
		measure("CSV export, all", run_export, path, n, 0, &xs);
		measure("floor: SELECT v", run_floor, path, n, 0, &fs);
		printf("%10ld  export / floor: %.1f\n", n, xs / fs);
		if (!keep) {
			char wal[320];

			unlink(path);
			snprintf(wal, sizeof(wal), "%s-wal", path);
			unlink(wal);
			snprintf(wal, sizeof(wal), "%s-shm", path);
			unlink(wal);
		}
	}
	if (!keep)
		rmdir(dir);
	return 0;
}
