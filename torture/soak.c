/* soak.c - the concurrency soak: four processes write one SQLite ledger.
 *
 *   soak DIR [SECONDS [SEED [PROCS]]]
 *
 * The driver makes the starting ledger (tt_setup) in DIR/soak.db and
 * starts PROCS (4) workers for SECONDS (20).  Each opens its own handle
 * and draws operations from the table (ops.c), alone and now and then a
 * few in a batch.  The workers share what they may settle or reverse:
 * each appends the holds it placed to DIR/holds and the transactions it
 * wrote to DIR/txns, and reads the others' lines before each operation,
 * so holds are captured and released, and transactions reversed, by
 * processes other than the one that made them (and some by two at once:
 * one of them must lose).  Each worker logs every transaction it wrote
 * and got back to DIR/log.N.  The clocks move a day every 10 seconds
 * (all from the same start), so lots and holds lapse on the way.
 *
 * At the end the driver sweeps at the final clock and checks, for each
 * account U00..U23 and the pool, in each asset, that available + held
 * - debt + expired moved by exactly what the logs say (every
 * transaction moves its amount from its `from' to its `to'); that every
 * logged transaction is in the ledger as logged; that no hold was
 * settled twice (in the logs, and its state agrees: captured or
 * released as logged, else open or lapsed); that each account's held
 * points are its open holds; and the invariants (tt_invariants). */
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

#define MAXPROC 16
#define SPEED 8640 /* clock seconds per real second: a day in 10 s */
#define NASSET 2
#define NTRACK (TT_NACCT + 1) /* the users and the pool */

static const char *const assets[NASSET] = { "PTS", "EXP" };
static char dir[400], uri[540];
static double start; /* CLOCK_REALTIME at the start, shared */

static double
realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int64_t
soak_clock(void)
{
	return TT_T0 + (int64_t)((realtime() - start) * SPEED);
}

static void
append(int fd, const char *s)
{
	size_t n = strlen(s);

	/* O_APPEND: each line lands whole after the others' */
	if (write(fd, s, n) != (ssize_t)n)
		TT_DIE("soak: append: %s", strerror(errno));
}

/* Read the lines other workers appended to path since *off into r. */
static void
refresh(const char *path, long *off, tt_ring *r)
{
	FILE *fp = fopen(path, "r");
	char line[64];

	if (!fp)
		return;
	if (fseek(fp, *off, SEEK_SET) == 0)
		while (fgets(line, sizeof(line), fp)) {
			size_t n = strlen(line);

			if (!n || line[n - 1] != '\n')
				break;
			*off += (long)n;
			line[n - 1] = '\0';
			tt_ring_add(r, line);
		}
	fclose(fp);
}

typedef struct worker_stats {
	long ok, refused, busy, batches;
	long per_op[64];
} worker_stats;

static void
log_rec(int logfd, int holdfd, int txnfd, const tt_rec *rec)
{
	char w[256];
	int i;

	for (i = 0; i < rec->ntxn; i++) {
		const points_txn *t = &rec->txn[i];

		tt_txn_word(t, w, sizeof(w) - 1);
		strcat(w, "\n");
		append(logfd, w);
		snprintf(w, sizeof(w), "%s\n", t->id);
		append(t->type == POINTS_TXN_HOLD ? holdfd : txnfd, w);
	}
	if (rec->account[0]) {
		snprintf(w, sizeof(w), "A:%s\n", rec->account);
		append(logfd, w);
	}
}

static int
worker(int idx, double seconds, uint64_t seed)
{
	char path[520], tag[16];
	long hoff = 0, toff = 0;
	int logfd, holdfd, txnfd;
	worker_stats st;
	tt_ctx c;
	points_db *db;

	memset(&st, 0, sizeof(st));
	tt_clock_fn = soak_clock;
	snprintf(path, sizeof(path), "%s/log.%d", dir, idx);
	logfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0666);
	snprintf(path, sizeof(path), "%s/holds", dir);
	holdfd = open(path, O_WRONLY | O_APPEND);
	snprintf(path, sizeof(path), "%s/txns", dir);
	txnfd = open(path, O_WRONLY | O_APPEND);
	if (logfd < 0 || holdfd < 0 || txnfd < 0)
		TT_DIE("soak %d: %s", idx, strerror(errno));
	if (!(db = tt_open(uri)))
		return 2;
	snprintf(tag, sizeof(tag), "w%d", idx);
	if (tt_attach(&c, db, tag, seed))
		TT_DIE("soak %d: no starting ledger", idx);
	while (realtime() - start < seconds) {
		int i, n = 1, batch = tt_range(&c, 0, 7) == 0, rc;
		tt_rec recs[6];

		snprintf(path, sizeof(path), "%s/holds", dir);
		refresh(path, &hoff, &c.holds);
		snprintf(path, sizeof(path), "%s/txns", dir);
		refresh(path, &toff, &c.txns);
		if (batch) {
			if ((rc = points_batch_begin(db)) == POINTS_EBUSY) {
				st.busy++;
				continue;
			}
			if (rc)
				TT_DIE("soak %d: batch_begin: %s", idx,
				    points_errmsg(db));
			n = (int)tt_range(&c, 2, 6);
		}
		for (i = 0; i < n; i++) {
			const tt_op *op = tt_pick(&c, getenv("TT_ONLY"));

			memset(&recs[i], 0, sizeof(recs[i]));
			rc = op->run(&c, &recs[i]);
			if (rc == TT_EBUG)
				TT_DIE("soak %d: %s: %s", idx, op->name, c.err);
			if (rc == POINTS_OK) {
				st.ok++;
				st.per_op[op - tt_ops]++;
			} else if (rc == POINTS_EBUSY)
				st.busy++;
			else if (tt_refusal(rc) || rc == POINTS_ECLOSED)
				st.refused++;
			else
				TT_DIE("soak %d: %s: %s (%s)", idx, op->name,
				    points_errmsg(db), points_strerror(rc));
			if (!batch)
				log_rec(logfd, holdfd, txnfd, &recs[i]);
		}
		if (batch) {
			if ((rc = points_batch_commit(db)))
				TT_DIE("soak %d: commit: %s", idx,
				    points_errmsg(db));
			st.batches++;
			for (i = 0; i < n; i++)
				log_rec(logfd, holdfd, txnfd, &recs[i]);
		}
	}
	points_close(db);
	{
		char line[128];

		snprintf(line, sizeof(line), "# %ld %ld %ld %ld\n", st.ok,
		    st.refused, st.busy, st.batches);
		append(logfd, line);
	}
	close(logfd);
	return 0;
}

/* ---- The driver's checks ---- */

typedef struct held_hold {
	char id[POINTS_ID_LEN + 1];
	int64_t account;
	char asset[POINTS_ASSET_MAX + 1];
	int settled; /* 0, or POINTS_TXN_CAPTURE / _RELEASE */
	int times;
} held_hold;

static held_hold *holds;
static size_t nholds, capholds;

static held_hold *
hold_find(const char *id)
{
	size_t i;

	for (i = 0; i < nholds; i++)
		if (strcmp(holds[i].id, id) == 0)
			return &holds[i];
	return NULL;
}

static int
track(const int64_t *ids, int64_t acct)
{
	int i;

	for (i = 0; i < NTRACK; i++)
		if (ids[i] == acct)
			return i;
	return -1;
}

static int
asset_ix(const char *code)
{
	return strcmp(code, "PTS") == 0 ? 0 : strcmp(code, "EXP") == 0 ? 1 :
	    -1;
}

/* available + held - debt + expired: what only logged writes move (an
 * expiry moves points from available to expired). */
static int
net(points_db *db, int64_t acct, int a, int64_t *out)
{
	points_balance b;
	int rc = points_balance_get(db, acct, assets[a], &b);

	if (rc)
		return rc;
	*out = b.available + b.held - b.debt + b.expired;
	return 0;
}

int
main(int argc, char **argv)
{
	double seconds = argc > 2 ? atof(argv[2]) : 20;
	uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 0) : 0;
	int nproc = argc > 4 ? atoi(argv[4]) : 4;
	int64_t ids[NTRACK], before[NTRACK][NASSET], model[NTRACK][NASSET];
	int64_t held[NTRACK][NASSET];
	long ok = 0, refused = 0, busy = 0, batches = 0, txns = 0, settles = 0;
	int64_t moved = 0;
	pid_t pids[MAXPROC];
	char path[520], why[512];
	points_db *db;
	tt_ctx c;
	int i, a, fd, fail = 0;
	size_t h;

	if (argc < 2 || seconds <= 0 || nproc < 1 || nproc > MAXPROC) {
		fprintf(stderr, "usage: soak DIR [SECONDS [SEED [PROCS]]]\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	if (!seed)
		seed = (uint64_t)time(NULL);
	mkdir(dir, 0777);
	snprintf(path, sizeof(path), "%s/soak.db", dir);
	unlink(path);
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	strcat(path, "-wal");
	unlink(path);
	snprintf(path, sizeof(path), "%s/soak.db-shm", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/holds", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666)) < 0)
		TT_DIE("soak: %s: %s", path, strerror(errno));
	close(fd);
	snprintf(path, sizeof(path), "%s/txns", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666)) < 0)
		TT_DIE("soak: %s: %s", path, strerror(errno));
	close(fd);
	printf("soak: %d processes for %.0f s, seed %" PRIu64 ", ledger %s\n",
	    nproc, seconds, seed, uri);
	fflush(stdout);
	if (tt_setup(uri))
		return 1;
	if (!(db = tt_open(uri)) || tt_attach(&c, db, "driver", 1))
		return 1;
	memcpy(ids, c.acct, sizeof(c.acct));
	ids[TT_NACCT] = c.pool;
	for (i = 0; i < NTRACK; i++)
		for (a = 0; a < NASSET; a++)
			if (net(db, ids[i], a, &before[i][a]))
				TT_DIE("soak: %s", points_errmsg(db));
	points_close(db);

	start = realtime();
	for (i = 0; i < nproc; i++) {
		fflush(NULL);
		if ((pids[i] = fork()) < 0)
			TT_DIE("soak: fork: %s", strerror(errno));
		if (pids[i] == 0)
			_exit(worker(i, seconds, seed * 7919u + (uint64_t)i));
	}
	for (i = 0; i < nproc; i++) {
		int status;

		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "soak: worker %d failed (status %d)\n",
			    i, status);
			fail = 1;
		}
	}
	if (fail)
		return 1;

	/* The checker reads at the final clock, after a sweep at it: no
	 * past-due point is left unposted. */
	tt_now = soak_clock();
	if (!(db = tt_open(uri)))
		return 1;
	if (points_expire_sweep(db, tt_now, NULL))
		TT_DIE("soak: final sweep: %s", points_errmsg(db));
	memcpy(model, before, sizeof(model));
	for (i = 0; i < nproc; i++) {
		FILE *fp;
		char line[300];

		snprintf(path, sizeof(path), "%s/log.%d", dir, i);
		if (!(fp = fopen(path, "r")))
			TT_DIE("soak: %s: %s", path, strerror(errno));
		while (fgets(line, sizeof(line), fp)) {
			points_txn t;
			held_hold *hh;
			int f, to, ax;

			if (line[0] == '#') {
				long s1, s2, s3, s4;

				if (sscanf(line, "# %ld %ld %ld %ld", &s1, &s2,
				    &s3, &s4) == 4) {
					ok += s1;
					refused += s2;
					busy += s3;
					batches += s4;
				}
				continue;
			}
			if (strncmp(line, "A:", 2) == 0)
				continue; /* leavers: not tracked */
			if (tt_txn_parse(line, &t))
				TT_DIE("soak: bad log line %s", line);
			if (tt_txn_present(db, &t, why, sizeof(why))) {
				fprintf(stderr, "soak: worker %d logged %s", i,
				    line);
				fprintf(stderr, "soak: %s\n", why);
				return 1;
			}
			txns++;
			ax = asset_ix(t.asset);
			f = track(ids, t.from);
			to = track(ids, t.to);
			if (ax < 0)
				TT_DIE("soak: asset %s", t.asset);
			if (f >= 0)
				model[f][ax] -= t.amount;
			if (to >= 0)
				model[to][ax] += t.amount;
			if (t.from != t.to)
				moved += t.amount;
			if (t.type == POINTS_TXN_HOLD && f >= 0) {
				if (nholds == capholds) {
					capholds = capholds ? capholds * 2 : 256;
					holds = realloc(holds, capholds *
					    sizeof(*holds));
					if (!holds)
						TT_DIE("soak: out of memory");
				}
				hh = &holds[nholds++];
				memset(hh, 0, sizeof(*hh));
				snprintf(hh->id, sizeof(hh->id), "%s", t.id);
				snprintf(hh->asset, sizeof(hh->asset), "%s",
				    t.asset);
				hh->account = t.from;
			}
		}
		fclose(fp);
	}
	/* settlements, once the holds are all known */
	for (i = 0; i < nproc; i++) {
		FILE *fp;
		char line[300];

		snprintf(path, sizeof(path), "%s/log.%d", dir, i);
		fp = fopen(path, "r");
		while (fp && fgets(line, sizeof(line), fp)) {
			points_txn t;
			held_hold *hh;

			if (line[0] == '#' || line[0] == 'A' ||
			    tt_txn_parse(line, &t) ||
			    (t.type != POINTS_TXN_CAPTURE &&
			    t.type != POINTS_TXN_RELEASE))
				continue;
			if (!(hh = hold_find(t.ref)))
				continue; /* a leaver's */
			hh->times++;
			hh->settled = t.type;
			settles++;
			if (hh->times > 1) {
				fprintf(stderr, "soak: hold %s settled twice "
				    "(the second by worker %d: %s)\n", t.ref,
				    i, line);
				return 1;
			}
		}
		if (fp)
			fclose(fp);
	}
	memset(held, 0, sizeof(held));
	for (h = 0; h < nholds; h++) {
		points_hold ph;
		int ix = track(ids, holds[h].account), ax;
		int want_ok;

		if (points_hold_get(db, holds[h].id, &ph))
			TT_DIE("soak: hold %s: %s", holds[h].id,
			    points_errmsg(db));
		switch (holds[h].settled) {
		case POINTS_TXN_CAPTURE:
			want_ok = ph.state == POINTS_HOLD_CAPTURED;
			break;
		case POINTS_TXN_RELEASE:
			want_ok = ph.state == POINTS_HOLD_RELEASED;
			break;
		default:
			want_ok = ph.state == POINTS_HOLD_OPEN ||
			    ph.state == POINTS_HOLD_EXPIRED;
		}
		if (!want_ok) {
			fprintf(stderr, "soak: hold %s is in state %d, the logs "
			    "say settled by %d\n", holds[h].id, ph.state,
			    holds[h].settled);
			return 1;
		}
		ax = asset_ix(ph.asset);
		if (ph.state == POINTS_HOLD_OPEN && ix >= 0 && ax >= 0)
			held[ix][ax] += ph.amount - ph.captured;
	}
	for (i = 0; i < NTRACK; i++)
		for (a = 0; a < NASSET; a++) {
			points_balance b;
			int64_t got;

			if (net(db, ids[i], a, &got) ||
			    points_balance_get(db, ids[i], assets[a], &b))
				TT_DIE("soak: %s", points_errmsg(db));
			if (got != model[i][a]) {
				fprintf(stderr, "soak: account %" PRId64 " in "
				    "%s: available + held - debt + expired is "
				    "%" PRId64 ", the logs say %" PRId64 "\n",
				    ids[i], assets[a], got, model[i][a]);
				fail = 1;
			}
			if (b.held != held[i][a]) {
				fprintf(stderr, "soak: account %" PRId64 " in "
				    "%s holds %" PRId64 ", its open holds %"
				    PRId64 "\n", ids[i], assets[a], b.held,
				    held[i][a]);
				fail = 1;
			}
		}
	if (tt_invariants(db, why, sizeof(why))) {
		fprintf(stderr, "soak: %s\n", why);
		fail = 1;
	}
	points_close(db);
	if (fail) {
		fprintf(stderr, "soak: failed (seed %" PRIu64 ")\n", seed);
		return 1;
	}
	printf("soak: %d processes, %.0f s: %ld operations succeeded "
	    "(%.0f/s), %ld refused, %ld busy, %ld batches; %ld transactions "
	    "logged, all in the ledger, %" PRId64 " points moved between "
	    "accounts; %zu holds, %ld settled once each; balances exact "
	    "against the logs\n", nproc, seconds, ok, ok / seconds, refused,
	    busy, batches, txns, moved, nholds, settles);
	free(holds);
	return 0;
}
