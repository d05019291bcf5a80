/* auction_bench.c - processes bidding on one auction at once, against a
 * floor of the holds a bid is made of (bench/README.md).
 *
 * A fresh SQLite file (busy_timeout=60000); -p processes (4), each with
 * an account of 10^9 points.  Then, each phase -s seconds (5) with every
 * process started at once through a pipe:
 *   - floor: each process, in its own account, releases its last hold
 *     and makes a new one, in one batch per pair (the writes of a bid
 *     that takes the lead, without the auction);
 *   - bids: each process reads the auction and bids the least it may
 *     (the leading bid plus the increment), over and over; a bid another
 *     process beat to it is refused as too low and tried again.
 * Prints each phase's rate and their ratio, then checks the invariants
 * after the run: the auction's bids are the bids the processes made, the
 * amounts rise by at least the increment, only the last bid's hold is
 * open and holds the price, every other one was released, each account
 * has its points (available + held), exactly one leads, nothing is held
 * twice, and the ledger verifies.  Any failure exits 1. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <points.h>

#define MAXPROC 16
#define POINTS_EACH 1000000000LL

typedef struct report {
	long ok;     /* bids (or hold pairs) written */
	long low;    /* bids refused as too low: another came first */
	long busy;   /* POINTS_EBUSY, retried */
} report;

static char uri[512];
static int64_t acct[MAXPROC], floor_acct[MAXPROC], auction;

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
check(points_db *db, int rc, const char *what)
{
	if (rc != POINTS_OK) {
		fprintf(stderr, "auction_bench: %s: %s (%s)\n", what,
		    points_strerror(rc), db ? points_errmsg(db) : "");
		exit(1);
	}
}

/* The floor: release the last hold, make a new one, one batch each. */
static report
floor_loop(points_db *db, int k, double until)
{
	char last[POINTS_ID_LEN + 1] = "";
	report r = { 0, 0, 0 };
	int64_t amount = 1;

	while (mono() < until) {
		points_posting p = POINTS_POSTING_INIT;
		points_release rl = POINTS_RELEASE_INIT;
		points_txn t;
		int rc;

		p.asset = "PTS";
		p.account = floor_acct[k];
		p.amount = amount;
		p.category = "auction";
		rc = points_batch_begin(db);
		if (rc == POINTS_OK && last[0]) {
			rl.hold_id = last;
			rc = points_hold_release(db, &rl, &t);
		}
		if (rc == POINTS_OK)
			rc = points_hold_create(db, &p, &t);
		if (rc == POINTS_OK)
			rc = points_batch_commit(db);
		else
			points_batch_rollback(db);
		if (rc == POINTS_EBUSY) {
			r.busy++;
			continue;
		}
		check(db, rc, "floor");
		memcpy(last, t.id, sizeof(last));
		amount++;
		r.ok++;
	}
	if (last[0]) {
		points_release rl = POINTS_RELEASE_INIT;
		points_txn t;

		rl.hold_id = last;
		check(db, points_hold_release(db, &rl, &t), "floor release");
	}
	return r;
}

static report
bid_loop(points_db *db, int k, double until)
{
	report r = { 0, 0, 0 };

	while (mono() < until) {
		points_auction a;
		points_bid b;
		int rc;

		rc = points_auction_get(db, auction, &a);
		if (rc == POINTS_EBUSY) {
			r.busy++;
			continue;
		}
		check(db, rc, "get");
		rc = points_auction_bid(db, auction, acct[k], a.leader ?
		    a.price + a.increment : a.start_price, NULL, &b);
		if (rc == POINTS_OK)
			r.ok++;
		else if (rc == POINTS_EINVAL)
			r.low++;
		else if (rc == POINTS_EBUSY)
			r.busy++;
		else
			check(db, rc, "bid");
	}
	return r;
}

/* Run phase (0: floor, 1: bids) in procs processes for secs seconds;
 * the reports summed in *sum; the wall time. */
static double
phase(int which, int procs, double secs, report *sum)
{
	pid_t pid[MAXPROC];
	int go[2], res[2], i, status;
	double t;

	memset(sum, 0, sizeof(*sum));
	if (pipe(go) || pipe(res)) {
		perror("auction_bench: pipe");
		exit(1);
	}
	for (i = 0; i < procs; i++) {
		pid[i] = fork();
		if (pid[i] < 0) {
			perror("auction_bench: fork");
			exit(1);
		}
		if (pid[i] == 0) {
			points_db *db = NULL;
			report r;
			char c;

			close(go[1]);
			close(res[0]);
			check(db, points_open(uri, NULL, &db), "open");
			/* wait for the start: EOF when the parent closes */
			while (read(go[0], &c, 1) < 0 && errno == EINTR)
				;
			t = mono();
			r = which ? bid_loop(db, i, t + secs) :
			    floor_loop(db, i, t + secs);
			points_close(db);
			if (write(res[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
				_exit(1);
			_exit(0);
		}
	}
	close(go[0]);
	close(res[1]);
	{
		struct timespec ts = { 0, 200000000 };

		nanosleep(&ts, NULL); /* every process opened its ledger */
	}
	t = mono();
	close(go[1]);
	for (i = 0; i < procs; i++) {
		report r;

		if (waitpid(pid[i], &status, 0) != pid[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "auction_bench: process %d failed\n", i);
			exit(1);
		}
		if (read(res[0], &r, sizeof(r)) != (ssize_t)sizeof(r))
			exit(1);
		sum->ok += r.ok;
		sum->low += r.low;
		sum->busy += r.busy;
	}
	close(res[0]);
	return mono() - t;
}

static void
fail(const char *why)
{
	fprintf(stderr, "auction_bench: FAILED: %s\n", why);
	exit(1);
}

/* The invariants after the bids: see the top of the file. */
static void
check_after(long bids)
{
	points_db *db = NULL;
	points_auction a;
	points_auction_bid_iterator *it;
	points_verify_report v;
	points_bid b;
	int64_t last = 0, n = 0, held = 0, leaders = 0;
	int i;

	check(db, points_open(uri, NULL, &db), "open");
	check(db, points_auction_get(db, auction, &a), "get");
	if (a.bids != bids)
		fail("the auction's bids are not the processes' bids");
	check(db, points_auction_bid_iterator_new(db, auction, &it), "bids");
	while (points_auction_bid_next(it, &b) == POINTS_OK) {
		points_hold h;

		n++;
		if (b.number != n || (last && b.amount < last + a.increment))
			fail("a bid out of order or below the increment");
		last = b.amount;
		check(db, points_hold_get(db, b.hold_id, &h), "hold");
		if (h.amount != b.amount || h.state != (n == a.bids ?
		    POINTS_HOLD_OPEN : POINTS_HOLD_RELEASED))
			fail("a bid's hold is not as it should be");
	}
	points_auction_bid_iterator_free(it);
	if (n != a.bids || last != a.price)
		fail("the bids' list does not end at the price");
	for (i = 0; i < MAXPROC && acct[i]; i++) {
		points_balance bl, fb;

		check(db, points_balance_get(db, acct[i], "PTS", &bl),
		    "balance");
		check(db, points_balance_get(db, floor_acct[i], "PTS", &fb),
		    "balance");
		if (bl.available + bl.held != POINTS_EACH ||
		    fb.available != POINTS_EACH || fb.held != 0)
			fail("an account's points moved");
		held += bl.held;
		if (bl.held) {
			leaders++;
			if (acct[i] != a.leader || bl.held != a.price)
				fail("a hold not the leader's");
		}
	}
	if (held != a.price || leaders != (a.bids ? 1 : 0))
		fail("not exactly one leader holding the price");
	check(db, points_verify(db, &v), "verify");
	printf("invariants: %lld bids rising by >= %lld, one open hold "
	    "(the leader's, %lld = the price), %lld released, %lld entries "
	    "verified\n", (long long)a.bids, (long long)a.increment,
	    (long long)a.price, (long long)(a.bids ? a.bids - 1 : 0),
	    (long long)v.entries);
	points_close(db);
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/auction_bench.XXXXXX", path[600];
	points_auction_def d;
	points_db *db = NULL;
	report fr, br;
	double secs = 5, ft, bt;
	int procs = 4, opt, i, keep = 0;

	while ((opt = getopt(argc, argv, "p:s:k")) != -1) {
		switch (opt) {
		case 'p':
			procs = atoi(optarg);
			break;
		case 's':
			secs = atof(optarg);
			break;
		case 'k':
			keep = 1;
			break;
		default:
			fprintf(stderr, "usage: auction_bench [-p processes] "
			    "[-s seconds] [-k]\n");
			return 2;
		}
	}
	if (procs < 1 || procs > MAXPROC || secs <= 0) {
		fprintf(stderr, "auction_bench: 1 to %d processes, seconds "
		    "> 0\n", MAXPROC);
		return 2;
	}
	if (!mkdtemp(dir)) {
		perror("auction_bench: mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/auction.db", dir);
	snprintf(uri, sizeof(uri), "sqlite:%s?busy_timeout=60000", path);
	check(db, points_open(uri, NULL, &db), "open");
	check(db, points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER, 0),
	    "asset");
	for (i = 0; i < procs; i++) {
		points_posting p = POINTS_POSTING_INIT;
		points_txn t;
		char ext[32];

		snprintf(ext, sizeof(ext), "B%d", i);
		check(db, points_account_create(db, ext, NULL, 0, &acct[i]),
		    "account");
		snprintf(ext, sizeof(ext), "F%d", i);
		check(db, points_account_create(db, ext, NULL, 0,
		    &floor_acct[i]), "account");
		p.asset = "PTS";
		p.amount = POINTS_EACH;
		p.account = acct[i];
		check(db, points_earn(db, &p, &t), "earn");
		p.account = floor_acct[i];
		check(db, points_earn(db, &p, &t), "earn");
	}
	memset(&d, 0, sizeof(d));
	strcpy(d.item, "A tablet");
	strcpy(d.asset, "PTS");
	d.starts = points_now(db);
	d.ends = d.starts + 30 * 86400;
	d.start_price = 1;
	d.increment = 1;
	check(db, points_auction_create(db, &d, &auction), "auction");
	points_close(db);

	ft = phase(0, procs, secs, &fr);
	bt = phase(1, procs, secs, &br);
	printf("floor: %d processes, release + hold in a batch: %ld in "
	    "%.2f s = %.0f/s (%ld busy)\n", procs, fr.ok, ft,
	    (double)fr.ok / ft, fr.busy);
	printf("bids:  %d processes on one auction: %ld in %.2f s = %.0f "
	    "bids/s (%ld beaten to it and retried, %ld busy)\n", procs,
	    br.ok, bt, (double)br.ok / bt, br.low, br.busy);
	printf("ratio bids / floor: %.2f\n", ((double)br.ok / bt) /
	    ((double)fr.ok / ft));
	check_after(br.ok);
	if (!keep) {
		char wal[620];

		unlink(path);
		snprintf(wal, sizeof(wal), "%s-wal", path);
		unlink(wal);
		snprintf(wal, sizeof(wal), "%s-shm", path);
		unlink(wal);
		rmdir(dir);
	}
	return 0;
}
