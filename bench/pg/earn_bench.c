/*
 * earn_bench.c - earns per second on a PostgreSQL ledger from -p
 * processes at once, for bench/pg/run.sh (make bench-pg), which sets it
 * beside pgbench running an earn's shape of SQL on the same server.
 *
 *   earn_bench -u URI [-p procs] [-s seconds] [-b batch] [-a accounts] [-g]
 *       [-P partitions]
 *
 * The parent makes the ledger in URI's schema (asset PTS, -a accounts,
 * default 1,000, its log in -P partitions, default the store's) unless
 * it is there; then -p processes (default 1) each
 * open a handle and post earns of 1-100 points to random accounts for -s
 * seconds (default 10), one at a time (-b 1, the default) or -b to a
 * batch.  A batch that comes back POINTS_ERETRY (a conflicting writer
 * won, after the library's own retries) is posted again and counted.
 * With -g each process posts only to the accounts of its own partitions
 * of the log (an account's is its id mod the count), as a host splits a
 * bulk job among processes: batches of random accounts write to every
 * partition and conflict with every other process's.
 * Printed: one line, "procs batch earns/s retries", the rate being the
 * sum of the processes' own (each over its own -s seconds).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "points.h"

#define MAXPROCS 64

typedef struct report {
	long earns, retries;
	double seconds; /* the process's own clock over its earns */
} report;

static const char *uri;
static long procs = 1, seconds = 10, batch = 1, accounts = 1000;
static unsigned partitions;
static int grouped;

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
die(points_db *db, const char *what)
{
	fprintf(stderr, "earn_bench: %s: %s\n", what,
	    db ? points_errmsg(db) : "");
	exit(1);
}

/* The ledger, made the first time: accounts A0, A1, ... (the children
 * look them up by external id once, before they start the clock). */
static void
setup(void)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *db = NULL;
	points_account a;
	int64_t id;
	long i;

	o.partitions = partitions;
	if (points_open(uri, &o, &db))
		die(db, "open");
	if (points_account_find(db, "A0", &a) == POINTS_OK) {
		points_close(db);
		return;
	}
	if (points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER, 0))
		die(db, "asset");
	if (points_batch_begin(db))
		die(db, "batch");
	for (i = 0; i < accounts; i++) {
		char ext[32];

		snprintf(ext, sizeof(ext), "A%ld", i);
		if (points_account_create(db, ext, ext, 0, &id))
			die(db, "account");
	}
	if (points_batch_commit(db))
		die(db, "commit");
	points_close(db);
}

static int
child(int fd, long idx)
{
	points_db *db = NULL;
	report r = { 0, 0, 0 };
	uint64_t seed = 0x9e3779b97f4a7c15u * (uint64_t)(idx + 1);
	int64_t *ids;
	double end;
	long i;

	if (points_open(uri, NULL, &db))
		die(db, "open");
	if (!(ids = malloc((size_t)accounts * sizeof(*ids))))
		die(NULL, "out of memory");
	for (i = 0; i < accounts; i++) {
		points_account a;
		char ext[32];

		snprintf(ext, sizeof(ext), "A%ld", i);
		if (points_account_find(db, ext, &a))
			die(db, "account");
		ids[i] = a.id;
	}
	if (grouped) {
		size_t parts = 0;
		long n = 0, groups;

		if (points_chain_heads_get(db, NULL, 0, &parts))
			die(db, "partitions");
		groups = (long)parts < procs ? (long)parts : procs;
		for (i = 0; i < accounts; i++)
			if ((ids[i] % (int64_t)parts) % groups == idx % groups)
				ids[n++] = ids[i];
		accounts = n;
	}
	r.seconds = mono();
	end = r.seconds + (double)seconds;
	while (mono() < end) {
		uint64_t s0 = seed;
		int rc = batch > 1 ? points_batch_begin(db) : POINTS_OK;

		for (i = 0; i < batch && rc == POINTS_OK; i++) {
			points_posting p = POINTS_POSTING_INIT;
			points_txn t;

			p.asset = "PTS";
			p.account = ids[rnd(&seed) % (uint64_t)accounts];
			p.amount = 1 + (int64_t)(rnd(&seed) % 100);
			rc = points_earn(db, &p, &t);
		}
		if (batch > 1) {
			if (rc == POINTS_OK)
				rc = points_batch_commit(db);
			else
				(void)points_batch_rollback(db);
		}
		if (rc == POINTS_ERETRY || rc == POINTS_EBUSY) {
			r.retries++;
			seed = s0; /* the same earns again */
			continue;
		}
		if (rc)
			die(db, "earn");
		r.earns += batch;
	}
	r.seconds = mono() - r.seconds;
	points_close(db);
	free(ids);
	if (write(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		return 1;
	return 0;
}

int
main(int argc, char **argv)
{
	int fds[MAXPROCS][2], status, c;
	pid_t pid[MAXPROCS];
	report total = { 0, 0, 0 };
	double rate = 0;
	long i;

	while ((c = getopt(argc, argv, "u:p:s:b:a:gP:")) != -1) {
		switch (c) {
		case 'u': uri = optarg; break;
		case 'p': procs = atol(optarg); break;
		case 's': seconds = atol(optarg); break;
		case 'b': batch = atol(optarg); break;
		case 'a': accounts = atol(optarg); break;
		case 'g': grouped = 1; break;
		case 'P': partitions = (unsigned)atol(optarg); break;
		default: uri = NULL; optind = argc; break;
		}
	}
	if (!uri || procs < 1 || procs > MAXPROCS || seconds < 1 ||
	    batch < 1 || accounts < 1) {
		fprintf(stderr, "usage: earn_bench -u URI [-p procs] "
		    "[-s seconds] [-b batch] [-a accounts] [-g] "
		    "[-P partitions]\n");
		return 2;
	}
	setup();
	fflush(NULL);
	for (i = 0; i < procs; i++) {
		if (pipe(fds[i]))
			die(NULL, strerror(errno));
		if ((pid[i] = fork()) < 0)
			die(NULL, strerror(errno));
		if (pid[i] == 0) {
			close(fds[i][0]);
			exit(child(fds[i][1], i));
		}
		close(fds[i][1]);
	}
	for (i = 0; i < procs; i++) {
		report r;

		if (read(fds[i][0], &r, sizeof(r)) != (ssize_t)sizeof(r))
			die(NULL, "a process failed");
		close(fds[i][0]);
		if (waitpid(pid[i], &status, 0) != pid[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			die(NULL, "a process failed");
		total.earns += r.earns;
		total.retries += r.retries;
		rate += (double)r.earns / r.seconds;
	}
	printf("%ld %ld %.0f %ld\n", procs, batch, rate, total.retries);
	return 0;
}
