/* crash.c - the crash loop: a writer killed with SIGKILL at random moments.
 *
 *   crash DIR [KILLS [SEED [MAX_MS]]]
 *
 * The driver makes the starting ledger (tt_setup) in DIR/crash.db, then
 * KILLS times (default 100): forks a writer, lets it run for a random
 * time up to MAX_MS (default 60) milliseconds, kills it with SIGKILL and
 * checks the ledger.  The writer posts operations drawn from the table
 * (ops.c) in batches (points_batch_begin/commit), one in ten alone and
 * one batch in ten rolled back, and writes to DIR/crash.log, unbuffered:
 *
 *   P key T...   before the commit: the batch's transactions
 *   C key        after points_batch_commit returned POINTS_OK
 *   R key T...   after a batch was rolled back
 *   S key T...   after an operation outside a batch returned POINTS_OK
 *
 * where each T is a transaction as tt_txn_word writes it (or A:ext, a
 * leaver's account, closed).  After each kill the driver checks that
 * every batch and operation reported committed (C, S) is in the ledger
 * as logged, that a rolled-back one (R) is not, that the batch the kill
 * interrupted (a P without its C) is there whole or not at all, and the
 * invariants (tt_invariants: sums to zero, points_verify); at the end it
 * checks every committed one again.  Exit status 0 when all held. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "torture.h"

static char uri[640], logpath[640];

static void
put_line(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			TT_DIE("writer: log: %s", strerror(errno));
		s += w;
		n -= (size_t)w;
	}
}

/* Append the words of rec to line (at *len, within cap). */
static void
add_words(char **line, size_t *len, size_t *cap, const tt_rec *rec)
{
	char w[200];
	int i;

	for (i = 0; i <= rec->ntxn; i++) {
		size_t n;

		if (i < rec->ntxn)
			tt_txn_word(&rec->txn[i], w + 1, sizeof(w) - 1);
		else if (rec->account[0])
			snprintf(w + 1, sizeof(w) - 1, "A:%s", rec->account);
		else
			break;
		w[0] = ' ';
		n = strlen(w);
		if (*len + n + 2 > *cap) {
			*cap = (*cap + n) * 2;
			if (!(*line = realloc(*line, *cap)))
				TT_DIE("writer: out of memory");
		}
		memcpy(*line + *len, w, n + 1);
		*len += n;
	}
}

static int
run_op(tt_ctx *c, tt_rec *rec)
{
	const tt_op *op = tt_pick(c, getenv("TT_ONLY"));
	int rc;

	memset(rec, 0, sizeof(*rec));
	tt_now += 30;
	rc = op->run(c, rec);
	if (rc == TT_EBUG)
		TT_DIE("writer: %s: %s", op->name, c->err);
	if (rc != POINTS_OK && !tt_refusal(rc) && rc != POINTS_ECLOSED)
		TT_DIE("writer: %s: %s (%s)", op->name, points_errmsg(c->db),
		    points_strerror(rc));
	return rc;
}

static void
writer(int gen, uint64_t seed)
{
	tt_ctx c;
	points_db *db;
	char tag[32];
	char *line = NULL;
	size_t cap = 0;
	int fd;
	long n;

	tt_now = TT_T0 + (int64_t)gen * TT_DAY / 4;
	if ((fd = open(logpath, O_WRONLY | O_APPEND)) < 0)
		TT_DIE("writer: %s: %s", logpath, strerror(errno));
	if (!(db = tt_open(uri)))
		exit(2);
	snprintf(tag, sizeof(tag), "g%d", gen);
	if (tt_attach(&c, db, tag, seed))
		TT_DIE("writer: no starting ledger");
	for (n = 0;; n++) {
		char key[64];
		size_t len;
		tt_rec rec;
		int i, nops, rollback, rc;

		snprintf(key, sizeof(key), "%.20s.%ld", tag, n);
		if (tt_range(&c, 0, 9) == 0) {
			/* one operation alone: reported once it returned
			 * (what it wrote before a refusal too) */
			run_op(&c, &rec);
			len = 0;
			cap = 0;
			free(line);
			line = NULL;
			add_words(&line, &len, &cap, &rec);
			if (!line)
				continue;
			{
				char head[64];
				int hn = snprintf(head, sizeof(head), "S %s",
				    key);

				put_line(fd, head, (size_t)hn);
				put_line(fd, line, len);
				put_line(fd, "\n", 1);
			}
			continue;
		}
		if ((rc = points_batch_begin(db)))
			TT_DIE("writer: batch_begin: %s", points_errmsg(db));
		nops = (int)tt_range(&c, 1, 16);
		rollback = tt_range(&c, 0, 9) == 0;
		free(line);
		cap = 256;
		if (!(line = malloc(cap)))
			TT_DIE("writer: out of memory");
		len = (size_t)snprintf(line, cap, "%c %s", rollback ? 'R' : 'P',
		    key);
		/* (an operation of several calls refused part way keeps
		 * what its earlier calls wrote: each is its own savepoint) */
		for (i = 0; i < nops; i++) {
			run_op(&c, &rec);
			add_words(&line, &len, &cap, &rec);
		}
		line[len++] = '\n';
		if (rollback) {
			if ((rc = points_batch_rollback(db)))
				TT_DIE("writer: rollback: %s",
				    points_errmsg(db));
			put_line(fd, line, len);
			continue;
		}
		put_line(fd, line, len);
		if ((rc = points_batch_commit(db)))
			TT_DIE("writer: commit: %s", points_errmsg(db));
		{
			char done[64];
			int dn = snprintf(done, sizeof(done), "C %s\n", key);

			put_line(fd, done, (size_t)dn);
		}
	}
}

/* ---- The driver's checks ---- */

typedef struct figures {
	long batches, singles, rolled_back, txns, leavers;
	long inflight_whole, inflight_none, inflight_empty;
} figures;

/* Check the log from *off to its end (only complete lines); fills f. */
static int
check_log(points_db *db, long *off, figures *f, int final)
{
	FILE *fp = fopen(logpath, "r");
	char *line = NULL, *pending = NULL, why[512];
	size_t cap = 0;
	ssize_t n;
	int present, total, bad = 0;

	if (!fp || fseek(fp, *off, SEEK_SET)) {
		fprintf(stderr, "crash: %s: %s\n", logpath, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, fp)) > 0) {
		char kind = line[0], key[48];
		char *rest;

		if (line[n - 1] != '\n')
			break; /* a line cut by the kill */
		*off += n;
		if (sscanf(line + 2, "%47s", key) != 1) {
			fprintf(stderr, "crash: bad log line: %s", line);
			bad = 1;
			break;
		}
		rest = line + 2 + strlen(key);
		if (kind == 'C') {
			char pkey[48];

			if (!pending || sscanf(pending + 2, "%47s", pkey) != 1 ||
			    strcmp(pkey, key) != 0) {
				fprintf(stderr, "crash: C %s without its P\n",
				    key);
				bad = 1;
				break;
			}
			if (tt_words_present(db, pending + 2 + strlen(pkey),
			    &present, &total, why, sizeof(why))) {
				fprintf(stderr, "crash: batch %s: %s\n", key,
				    why);
				bad = 1;
				break;
			}
			if (present != total) {
				fprintf(stderr, "crash: batch %s reported "
				    "committed: %d of its %d writes are "
				    "missing\n", key, total - present, total);
				bad = 1;
				break;
			}
			f->batches++;
			f->txns += total;
			free(pending);
			pending = NULL;
			continue;
		}
		if (pending) {
			/* the P of a writer killed before its C */
			char pkey[48];

			sscanf(pending + 2, "%47s", pkey);
			if (tt_words_present(db, pending + 2 + strlen(pkey),
			    &present, &total, why, sizeof(why))) {
				fprintf(stderr, "crash: batch %s: %s\n", pkey,
				    why);
				bad = 1;
				break;
			}
			if (present && present != total) {
				fprintf(stderr, "crash: batch %s half applied: "
				    "%d of its %d writes\n", pkey, present,
				    total);
				bad = 1;
				break;
			}
			if (!final) {
				if (!total)
					f->inflight_empty++;
				else if (present)
					f->inflight_whole++;
				else
					f->inflight_none++;
			}
			free(pending);
			pending = NULL;
		}
		if (kind == 'P') {
			pending = strdup(line);
			continue;
		}
		if (tt_words_present(db, rest, &present, &total, why,
		    sizeof(why))) {
			fprintf(stderr, "crash: %s: %s\n", key, why);
			bad = 1;
			break;
		}
		if (kind == 'S' && present != total) {
			fprintf(stderr, "crash: operation %s reported "
			    "committed is missing\n", key);
			bad = 1;
			break;
		}
		if (kind == 'R' && present) {
			fprintf(stderr, "crash: batch %s was rolled back but "
			    "%d of its %d writes are there\n", key, present,
			    total);
			bad = 1;
			break;
		}
		if (kind == 'S') {
			f->singles++;
			f->txns += total;
		} else
			f->rolled_back++;
	}
	if (!bad && pending) {
		/* the last writer was killed between P and C */
		char pkey[48];

		sscanf(pending + 2, "%47s", pkey);
		if (tt_words_present(db, pending + 2 + strlen(pkey), &present,
		    &total, why, sizeof(why))) {
			fprintf(stderr, "crash: batch %s: %s\n", pkey, why);
			bad = 1;
		} else if (present && present != total) {
			fprintf(stderr, "crash: batch %s half applied: %d of "
			    "its %d writes\n", pkey, present, total);
			bad = 1;
		} else if (!final) {
			if (!total)
				f->inflight_empty++;
			else if (present)
				f->inflight_whole++;
			else
				f->inflight_none++;
		}
	}
	free(pending);
	free(line);
	fclose(fp);
	return bad ? -1 : 0;
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : NULL;
	int kills = argc > 2 ? atoi(argv[2]) : 100;
	uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 0) : 0;
	int max_ms = argc > 4 ? atoi(argv[4]) : 60;
	uint64_t rng;
	figures f = { 0 };
	long off = 0, finaloff = 0;
	double t0 = tt_seconds();
	int k, fd;
	char path[600];

	if (!dir || kills < 1 || max_ms < 1) {
		fprintf(stderr, "usage: crash DIR [KILLS [SEED [MAX_MS]]]\n");
		return 2;
	}
	if (!seed)
		seed = (uint64_t)time(NULL);
	rng = seed;
	mkdir(dir, 0777);
	snprintf(path, sizeof(path), "%s/crash.db", dir);
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	snprintf(logpath, sizeof(logpath), "%s/crash.log", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/crash.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/crash.db-shm", dir);
	unlink(path);
	if ((fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0666)) < 0) {
		fprintf(stderr, "crash: %s: %s\n", logpath, strerror(errno));
		return 2;
	}
	close(fd);
	printf("crash: %d kills, seed %" PRIu64 ", writers live up to %d ms, "
	    "ledger %s\n", kills, seed, max_ms, uri);
	fflush(stdout);
	if (tt_setup(uri))
		return 1;
	for (k = 0; k < kills; k++) {
		struct timespec ts;
		long us = (long)(tt_rand(&rng) % ((uint64_t)max_ms * 1000));
		points_db *db;
		pid_t pid;
		int status;
		char why[512];

		fflush(NULL);
		if ((pid = fork()) < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0)
			writer(k, seed * 1000003u + (uint64_t)k + 1);
		ts.tv_sec = us / 1000000;
		ts.tv_nsec = (us % 1000000) * 1000;
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) != pid) {
			perror("waitpid");
			return 2;
		}
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
			fprintf(stderr, "crash: writer %d ended by itself "
			    "(status %d)\n", k, status);
			return 1;
		}
		/* the checker reads at the first writer's clock: no lot is
		 * past due by it, so reads show the stored balances */
		tt_now = TT_T0;
		if (!(db = tt_open(uri))) {
			fprintf(stderr, "crash: after kill %d the ledger does "
			    "not open\n", k + 1);
			return 1;
		}
		if (check_log(db, &off, &f, 0) == 0) {
			/* drop a line the kill cut short */
			if (truncate(logpath, off)) {
				perror("truncate");
				return 2;
			}
			if (tt_invariants(db, why, sizeof(why)) == 0) {
				points_close(db);
				continue;
			}
			fprintf(stderr, "crash: after kill %d: %s\n", k + 1,
			    why);
		}
		fprintf(stderr, "crash: failed after kill %d (seed %" PRIu64
		    ")\n", k + 1, seed);
		points_close(db);
		return 1;
	}
	{
		points_db *db;
		figures g = { 0 };
		points_verify_report rep;

		tt_now = TT_T0;
		if (!(db = tt_open(uri)) || check_log(db, &finaloff, &g, 1) ||
		    points_verify(db, &rep)) {
			fprintf(stderr, "crash: the final check failed (seed %"
			    PRIu64 ")\n", seed);
			return 1;
		}
		points_close(db);
		printf("crash: %d kills in %.1f s: %ld batches and %ld single "
		    "operations committed (%ld writes, all present after every "
		    "kill), %ld batches rolled back (absent); the batch a kill "
		    "interrupted was there whole %ld times, absent %ld times "
		    "(%ld had no write yet); %" PRId64 " entries verified\n",
		    kills, tt_seconds() - t0, g.batches, g.singles, g.txns,
		    g.rolled_back, f.inflight_whole, f.inflight_none,
		    f.inflight_empty, rep.entries);
	}
	return 0;
}
