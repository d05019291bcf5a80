/* iofault.c - I/O errors and power cuts under the SQLite store.
 *
 *   iofault DIR [faults|power|all [LONG [SEED]]]
 *
 * Both parts run the operations of the table (ops.c) on a copy of one
 * starting ledger (tt_setup, then a few operations so that there are
 * holds to settle and transactions to reverse), through the VFS of
 * vfs.c, which SQLite uses as its default: the library opens its file
 * as usual.
 *
 * faults: for each operation of the table, and a batch of four, fail
 * the nth VFS call the operation makes, n = 1, 2, ... until it makes
 * fewer than n (once only call n; with LONG also every call from n on,
 * and each class of call alone: reads, writes, syncs, locks, opens and
 * maps; under sync=full and sync=normal).  After each fault: the
 * operation returned POINTS_ESTORAGE (or succeeded: SQLite retried or
 * did without the call); the same handle then posts an earn; reopened,
 * the ledger verifies, the earn is there, and the balances are those of
 * the operation done (when it returned POINTS_OK) or of it not done
 * (when it failed; or done, when the fault hit after SQLite had
 * written the commit: the figures count these "ambiguous" failures).
 *
 * power: a child process posts eight batches of three operations into
 * the ledger with a VFS that keeps writes in memory until they are
 * synced, printing each batch's transactions before its commit and its
 * number after; the power is cut at its nth VFS call (n = 1, 2, ... over
 * the whole run; every 4th without LONG): the unsynced writes are lost,
 * or a random half of them reaches the disk, and the child dies.  The
 * parent reopens the ledger and checks that it verifies and that the
 * batches in it are whole and a prefix of those posted; under sync=full
 * every batch reported committed is there; under sync=normal some of the
 * last may be gone (README, "What each sync mode promises").  sync=off
 * is run too, and only reported. */
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
#include "vfs.h"

#define PREP_OPS 40
#define NBATCH 8
#define BATCH_OPS 3
#define FAULT_MAX 100000
#define TT_PARTIAL (-1001) /* a batch committed without a failed operation */

static char dir[400], work[480], uri[560];
static char *tmpl;        /* the starting ledger's file */
static size_t tmpl_len;
static tt_ctx tmpl_ctx;   /* its holds and transactions */
static uint64_t seed;
static int64_t t_run;     /* the clock of every run */

static void
restore(void)
{
	char p[600];
	FILE *fp;

	snprintf(p, sizeof(p), "%s-wal", work);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", work);
	unlink(p);
	if (!(fp = fopen(work, "wb")) || fwrite(tmpl, 1, tmpl_len, fp) !=
	    tmpl_len || fclose(fp))
		TT_DIE("iofault: %s: %s", work, strerror(errno));
}

static void
make_template(void)
{
	points_db *db;
	FILE *fp;
	long i;

	snprintf(uri, sizeof(uri), "sqlite:%s", work);
	unlink(work);
	if (tt_setup(uri) || !(db = tt_open(uri)) ||
	    tt_attach(&tmpl_ctx, db, "prep", seed))
		TT_DIE("iofault: no starting ledger");
	for (i = 0; i < PREP_OPS; i++) {
		const tt_op *op = tt_pick(&tmpl_ctx, NULL);
		tt_rec rec;
		int rc;

		tt_now += 600;
		memset(&rec, 0, sizeof(rec));
		rc = op->run(&tmpl_ctx, &rec);
		if (rc != POINTS_OK && !tt_refusal(rc) && rc != POINTS_ECLOSED)
			TT_DIE("iofault: prep %s: %s", op->name,
			    points_errmsg(db));
	}
	points_close(db); /* checkpoints and removes the WAL */
	tmpl_ctx.db = NULL;
	t_run = tt_now + 3600;
	if (!(fp = fopen(work, "rb")) || fseek(fp, 0, SEEK_END) ||
	    (i = ftell(fp)) <= 0 || fseek(fp, 0, SEEK_SET) ||
	    !(tmpl = malloc((size_t)i)) ||
	    fread(tmpl, 1, (size_t)i, fp) != (size_t)i)
		TT_DIE("iofault: read %s", work);
	fclose(fp);
	tmpl_len = (size_t)i;
}

/* Every account's balances in every asset, as text. */
static char *
fingerprint(points_db *db)
{
	static const char *const assets[] = { "PTS", "EXP" };
	points_account_iterator *it;
	points_account a;
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	size_t i;
	int rc;

	if (!f)
		TT_DIE("iofault: out of memory");
	for (i = 0; i < 2; i++) {
		if (points_account_iterator_new(db, 0, &it))
			TT_DIE("iofault: %s", points_errmsg(db));
		while ((rc = points_account_next(it, &a)) == POINTS_OK) {
			points_balance b;

			if (points_balance_get(db, a.id, assets[i], &b))
				TT_DIE("iofault: %s", points_errmsg(db));
			fprintf(f, "%" PRId64 "/%s %d: %" PRId64 " %" PRId64
			    " %" PRId64 " %" PRId64 "\n", a.id, assets[i],
			    a.status, b.available, b.held, b.debt, b.expired);
		}
		points_account_iterator_free(it);
	}
	fclose(f);
	return out;
}

/* Print the lines of got that want lacks. */
static void
diff_lines(const char *got, const char *want, const char *what)
{
	const char *p = got;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p + 1) : strlen(p);
		const char *q;
		int found = 0;

		for (q = want; *q;) {
			const char *qe = strchr(q, '\n');
			size_t qn = qe ? (size_t)(qe - q + 1) : strlen(q);

			if (qn == n && memcmp(p, q, n) == 0) {
				found = 1;
				break;
			}
			q += qn;
		}
		if (!found)
			fprintf(stderr, "  %.*s (not so %s)\n", (int)n - 1, p,
			    what);
		p += n;
	}
}

/* ---- I/O faults ---- */

typedef struct scenario {
	const char *name;  /* an operation of the table, or "batch" */
} scenario;

/* Run the scenario on db from the template's context; its code. */
static int
run_scenario(points_db *db, const char *name)
{
	tt_ctx c = tmpl_ctx;
	tt_rec rec;
	int i, rc, failed = 0;

	c.db = db;
	c.tag = "run";
	c.rng = seed ^ 0x9e3779b97f4a7c15ull;
	tt_now = t_run;
	if (strcmp(name, "batch") != 0) {
		memset(&rec, 0, sizeof(rec));
		rc = tt_op_named(name)->run(&c, &rec);
		if (rc == TT_EBUG)
			TT_DIE("iofault: %s: %s", name, c.err);
		return rc;
	}
	if ((rc = points_batch_begin(db)))
		return rc;
	for (i = 0; i < 4; i++) {
		const tt_op *op = tt_pick(&c, "earn,spend,transfer,hold,"
		    "capture,reverse");

		memset(&rec, 0, sizeof(rec));
		rc = op->run(&c, &rec);
		/* a store failure inside a batch undoes only the operation
		 * and the batch goes on, as a host's would; or, when SQLite
		 * rolled the whole transaction back, the batch is lost and
		 * the rest say POINTS_ESTATE (README, "Batches") */
		if (rc == POINTS_ESTORAGE || rc == POINTS_EBUSY)
			failed = 1;
		else if (rc != POINTS_OK && !tt_refusal(rc))
			return rc;
	}
	rc = points_batch_commit(db);
	/* lost: nothing of it is there.  (Also when the operation that
	 * met the fault returned a refusal: SQLite had rolled back under
	 * a read the library made only to name an account in its message;
	 * the message says the batch went.) */
	if (rc == POINTS_ESTATE)
		return POINTS_ESTORAGE;
	if (failed && rc == POINTS_OK)
		return TT_PARTIAL;
	return rc;
}

typedef struct fault_figures {
	long loops, faults, failed, ok_anyway, ambiguous, partial;
} fault_figures;

static const char *
class_name(unsigned k)
{
	switch (k) {
	case TV_READ: return "read";
	case TV_WRITE: return "write";
	case TV_SYNC: return "sync";
	case TV_LOCK: return "lock";
	case TV_OPEN: return "open";
	}
	return "any";
}

static int
fault_loop(const char *name, unsigned classes, int persistent,
    const char *sync, fault_figures *fig)
{
	char *before, *done, *fp, why[512];
	const tt_op *op = tt_op_named(name);
	int multi = op && (op->flags & TT_MULTI);
	points_db *db;
	int64_t n;
	int base_rc, rc, erc;

	snprintf(uri, sizeof(uri), "sqlite:%s?sync=%s", work, sync);
	/* the ledger before and after the operation, without faults */
	restore();
	if (!(db = tt_open(uri)))
		return -1;
	before = fingerprint(db);
	base_rc = run_scenario(db, name);
	points_close(db);
	if (!(db = tt_open(uri)))
		return -1;
	done = fingerprint(db);
	points_close(db);
	fig->loops++;
	for (n = 1; n < FAULT_MAX; n++) {
		points_posting p = POINTS_POSTING_INIT;
		points_txn t;
		int64_t calls, failures;

		restore();
		if (!(db = tt_open(uri)))
			return -1;
		tv_arm(classes, n, persistent);
		rc = run_scenario(db, name);
		calls = tv_calls();
		failures = tv_failures();
		tv_disarm();
		/* the handle goes on */
		tt_now = t_run;
		p.asset = "PTS";
		p.account = tmpl_ctx.acct[0];
		p.amount = 7;
		p.memo = "after the fault";
		erc = points_earn(db, &p, &t);
		/* freeze is two writes: a fault in the unfreeze leaves the
		 * account frozen, as it should; the handle is what is tested */
		if (erc == POINTS_EFROZEN && multi &&
		    points_account_unfreeze(db, p.account) == POINTS_OK)
			erc = points_earn(db, &p, &t);
		if (erc != POINTS_OK) {
			fprintf(stderr, "iofault: %s, %s fault at call %" PRId64
			    "%s (sync=%s): the handle cannot write afterwards: "
			    "%s\n", name, class_name(classes), n,
			    persistent ? " on" : "", sync, points_errmsg(db));
			points_close(db);
			return -1;
		}
		points_close(db);
		tt_now = t_run;
		if (!(db = tt_open(uri)))
			return -1;
		if (tt_invariants(db, why, sizeof(why)) ||
		    tt_txn_present(db, &t, why, sizeof(why))) {
			fprintf(stderr, "iofault: %s, %s fault at call %" PRId64
			    "%s (sync=%s): %s\n", name, class_name(classes), n,
			    persistent ? " on" : "", sync, why);
			points_close(db);
			return -1;
		}
		/* undo the earn of 7 for the comparison */
		{
			points_reversal r = POINTS_REVERSAL_INIT;
			points_txn rt;

			r.txn_id = t.id;
			if (points_reverse(db, &r, &rt))
				TT_DIE("iofault: %s", points_errmsg(db));
		}
		fp = fingerprint(db);
		points_close(db);
		if (!failures) {
			free(fp);
			if (rc != base_rc) {
				fprintf(stderr, "iofault: %s returned %d without "
				    "a fault, %d before\n", name, rc, base_rc);
				return -1;
			}
			break;
		}
		fig->faults++;
		if (rc == TT_PARTIAL) {
			/* the batch without the operation that failed: the
			 * invariants and the earn after it were checked */
			fig->partial++;
		} else if (multi) {
			/* between its transactions: the invariants only */
			if (rc == base_rc)
				fig->ok_anyway++;
			else
				fig->failed++;
		} else if (rc == base_rc) {
			/* SQLite retried, or did without the call */
			fig->ok_anyway++;
			if (strcmp(fp, done))
				goto wrong;
		} else if (rc == POINTS_ESTORAGE || rc == POINTS_EBUSY) {
			fig->failed++;
			if (strcmp(fp, before)) {
				if (strcmp(fp, done))
					goto wrong;
				fig->ambiguous++;
			}
		} else {
			fprintf(stderr, "iofault: %s, %s fault at call %" PRId64
			    "%s of %" PRId64 " (sync=%s): returned %s, not "
			    "POINTS_ESTORAGE\n", name, class_name(classes), n,
			    persistent ? " on" : "", calls, sync,
			    points_strerror(rc));
			free(fp);
			return -1;
		}
		free(fp);
		continue;
wrong:
		fprintf(stderr, "iofault: %s, %s fault at call %" PRId64 "%s "
		    "(sync=%s) returned %s: the ledger is neither as before "
		    "nor as after the operation\n", name, class_name(classes),
		    n, persistent ? " on" : "", sync, points_strerror(rc));
		diff_lines(fp, before, "before");
		diff_lines(fp, done, "after");
		free(fp);
		return -1;
	}
	free(before);
	free(done);
	return 0;
}

/* ---- Power cuts ---- */

static void
put(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w <= 0) {
			if (w < 0 && errno == EINTR)
				continue;
			_exit(4);
		}
		s += w;
		n -= (size_t)w;
	}
}

static void
power_child(int fd, const char *sync, int64_t cut, int keep)
{
	tt_ctx c = tmpl_ctx;
	points_db *db;
	char line[8192], w[200];
	int b, i, rc;

	tv_power(1);
	tv_count_reset();
	tv_cut_at(cut, keep, seed + (uint64_t)cut);
	snprintf(uri, sizeof(uri), "sqlite:%s?sync=%s&wal_budget=32768", work,
	    sync);
	if (!(db = tt_open(uri)))
		_exit(3);
	c.db = db;
	c.tag = "pw";
	c.rng = seed ^ 0x51ed27ull;
	for (b = 0; b < NBATCH; b++) {
		size_t len;

		tt_now = t_run + b * 60;
		if (points_batch_begin(db))
			_exit(2);
		len = (size_t)snprintf(line, sizeof(line), "P %d", b);
		for (i = 0; i < BATCH_OPS; i++) {
			const tt_op *op = tt_pick(&c, NULL);
			tt_rec rec;
			int j;

			memset(&rec, 0, sizeof(rec));
			rc = op->run(&c, &rec);
			if (rc != POINTS_OK && !tt_refusal(rc) &&
			    rc != POINTS_ECLOSED) {
				fprintf(stderr, "power child: %s: %s\n",
				    op->name, points_errmsg(db));
				_exit(2);
			}
			for (j = 0; j <= rec.ntxn; j++) {
				if (j < rec.ntxn)
					tt_txn_word(&rec.txn[j], w, sizeof(w));
				else if (rec.account[0])
					snprintf(w, sizeof(w), "A:%s",
					    rec.account);
				else
					break;
				if (len + strlen(w) + 3 < sizeof(line))
					len += (size_t)snprintf(line + len,
					    sizeof(line) - len, " %s", w);
			}
		}
		line[len++] = '\n';
		put(fd, line, len);
		if ((rc = points_batch_commit(db))) {
			fprintf(stderr, "power child: commit: %s\n",
			    points_errmsg(db));
			_exit(2);
		}
		len = (size_t)snprintf(line, sizeof(line), "C %d\n", b);
		put(fd, line, len);
	}
	points_close(db);
	snprintf(line, sizeof(line), "T %" PRId64 "\n", tv_count_all());
	put(fd, line, strlen(line));
	_exit(0);
}

typedef struct power_figures {
	long cuts, reported, lost, inflight_whole, verify_failed;
	int64_t calls;
} power_figures;

/* One cut at call n; 1 when the child ran to its end (n past its calls). */
static int
power_cut(const char *sync, int64_t n, int keep, power_figures *fig)
{
	char *buf = NULL, *line, *save = NULL, why[512];
	char *pline[NBATCH];
	int committed[NBATCH], b, fds[2], status, ended, strict, damaged = 0;
	size_t len = 0, cap = 0;
	points_db *db;
	pid_t pid;

	strict = strcmp(sync, "off") != 0;
	memset(pline, 0, sizeof(pline));
	memset(committed, 0, sizeof(committed));
	restore();
	if (pipe(fds))
		TT_DIE("iofault: pipe: %s", strerror(errno));
	fflush(NULL);
	if ((pid = fork()) < 0)
		TT_DIE("iofault: fork: %s", strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		power_child(fds[1], sync, n, keep);
	}
	close(fds[1]);
	for (;;) {
		ssize_t r;

		if (len + 4096 > cap && !(buf = realloc(buf, cap = cap * 2 +
		    8192)))
			TT_DIE("iofault: out of memory");
		if ((r = read(fds[0], buf + len, cap - len - 1)) <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			break;
		}
		len += (size_t)r;
	}
	close(fds[0]);
	buf[len] = '\0';
	if (waitpid(pid, &status, 0) != pid)
		TT_DIE("iofault: waitpid: %s", strerror(errno));
	ended = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (!ended && !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
		fprintf(stderr, "iofault: power, sync=%s, cut at %" PRId64
		    ": the child failed (status %d)\n", sync, n, status);
		free(buf);
		return -1;
	}
	for (line = strtok_r(buf, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save)) {
		int i;

		if (line[0] == 'T')
			fig->calls = strtoll(line + 2, NULL, 10);
		else if (sscanf(line + 2, "%d", &i) == 1 && i >= 0 &&
		    i < NBATCH) {
			if (line[0] == 'P')
				pline[i] = line + 2;
			else if (line[0] == 'C')
				committed[i] = 1;
		}
	}
	if (!ended)
		fig->cuts++;
	snprintf(uri, sizeof(uri), "sqlite:%s", work);
	tt_now = t_run + NBATCH * 60;
	if (!(db = tt_open(uri))) {
		fig->verify_failed++;
		free(buf);
		return strict ? -1 : ended;
	}
	if (tt_invariants(db, why, sizeof(why))) {
		damaged = 1;
		if (strict) {
			fprintf(stderr, "iofault: power, sync=%s, cut at %"
			    PRId64 "%s: %s\n", sync, n, keep ? " (half the "
			    "writes kept)" : "", why);
			goto fail;
		}
	}
	{
		int gone = 0;

		for (b = 0; b < NBATCH && pline[b]; b++) {
			int present, total;
			char *words = strchr(pline[b], ' ');

			if (!words)
				words = pline[b] + strlen(pline[b]);
			if (tt_words_present(db, words, &present, &total, why,
			    sizeof(why))) {
				if (!strict) {
					/* sync=off promises nothing: the
					 * library finding damage is all */
					damaged = 1;
					break;
				}
				fprintf(stderr, "iofault: power, sync=%s, cut "
				    "at %" PRId64 ", batch %d: %s\n", sync, n,
				    b, why);
				goto fail;
			}
			if (committed[b])
				fig->reported++;
			if (!total)
				continue;
			if (present && present != total) {
				fprintf(stderr, "iofault: power, sync=%s, cut "
				    "at %" PRId64 ": batch %d torn: %d of %d "
				    "writes\n", sync, n, b, present, total);
				if (strict)
					goto fail;
			}
			if (present && gone) {
				fprintf(stderr, "iofault: power, sync=%s, cut "
				    "at %" PRId64 ": batch %d is there, an "
				    "earlier one is not\n", sync, n, b);
				if (strict)
					goto fail;
			}
			if (!present) {
				gone = 1;
				if (committed[b]) {
					fig->lost++;
					if (strcmp(sync, "full") == 0) {
						fprintf(stderr, "iofault: "
						    "power, sync=full, cut at "
						    "%" PRId64 ": batch %d was "
						    "reported committed and is "
						    "gone\n", n, b);
						goto fail;
					}
				}
			} else if (!committed[b])
				fig->inflight_whole++;
		}
	}
	fig->verify_failed += damaged;
	points_close(db);
	free(buf);
	return ended;
fail:
	points_close(db);
	free(buf);
	return -1;
}

static int
power_loop(const char *sync, int keep, int stride)
{
	power_figures fig;
	int64_t n;
	int rc = 0;

	memset(&fig, 0, sizeof(fig));
	for (n = 1; n < FAULT_MAX; n += stride)
		if ((rc = power_cut(sync, n, keep, &fig)) != 0)
			break;
	if (rc < 0)
		return -1;
	printf("iofault: power cuts, sync=%s, %s: %ld cuts over %" PRId64
	    " calls (every %d%s): %ld batches reported committed, %ld of "
	    "them lost, %ld unreported batches there whole; %ld cuts left a "
	    "ledger that fails its checks\n", sync, keep ? "half the unsynced "
	    "writes kept" : "unsynced writes lost", fig.cuts, fig.calls,
	    stride, stride == 1 ? "st" : "th", fig.reported, fig.lost,
	    fig.inflight_whole, fig.verify_failed);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *part = argc > 2 ? argv[2] : "all";
	int lng = argc > 3 ? atoi(argv[3]) : 0;
	static const unsigned classes[] = {
		TV_READ, TV_WRITE, TV_SYNC, TV_LOCK, TV_OPEN, TV_ALL
	};
	static const char *const syncs[] = { "normal", "full" };
	double t0 = tt_seconds();
	int i, k, s, pers;

	if (argc < 2) {
		fprintf(stderr, "usage: iofault DIR [faults|power|all "
		    "[LONG [SEED]]]\n");
		return 2;
	}
	seed = argc > 4 ? strtoull(argv[4], NULL, 0) : 0;
	if (!seed)
		seed = (uint64_t)time(NULL);
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	mkdir(dir, 0777);
	snprintf(work, sizeof(work), "%s/io.db", dir);
	if (tv_install())
		TT_DIE("iofault: cannot register the VFS");
	printf("iofault: %s%s, seed %" PRIu64 "\n", part, lng ? ", long" : "",
	    seed);
	fflush(stdout);
	tt_now = TT_T0;
	make_template();
	if (strcmp(part, "faults") == 0 || strcmp(part, "all") == 0) {
		fault_figures fig;
		long points = 0;

		memset(&fig, 0, sizeof(fig));
		for (s = 0; s < 2; s++)
		for (k = 0; k < (int)(sizeof(classes) / sizeof(classes[0]));
		    k++)
		for (pers = 0; pers < 2; pers++) {
			/* short: every call once under full, every call
			 * from n on under normal */
			if (!lng && (classes[k] != TV_ALL || pers != s))
				continue;
			for (i = 0; i <= tt_nops; i++) {
				const char *name = i < tt_nops ?
				    tt_ops[i].name : "batch";
				long before = fig.faults;

				if (fault_loop(name, classes[k], pers,
				    syncs[1 - s], &fig))
					return 1;
				points += fig.faults - before;
			}
		}
		printf("iofault: faults: %ld loops, %ld faults injected: %ld "
		    "operations failed (%ld of them had committed: the fault "
		    "hit after the commit was written), %ld succeeded "
		    "anyway, %ld batches committed without the operation that "
		    "failed; every time the ledger verified and held exactly "
		    "the operations reported (%.1f s)\n", fig.loops,
		    fig.faults, fig.failed, fig.ambiguous, fig.ok_anyway,
		    fig.partial, tt_seconds() - t0);
		(void)points;
	}
	if (strcmp(part, "power") == 0 || strcmp(part, "all") == 0) {
		static const char *const psync[] = { "full", "normal", "off" };
		int keep;

		for (s = 0; s < (lng ? 3 : 2); s++)
			for (keep = 0; keep < 2; keep++)
				if (power_loop(psync[s], keep, lng ? 1 : 4))
					return 1;
		printf("iofault: done in %.1f s\n", tt_seconds() - t0);
	}
	return 0;
}
