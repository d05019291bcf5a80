/*
 * mall_bench.c - orders placed and approved against the bare holds and
 * captures they are made of, in one run, on an SQLite file; and a flash
 * sale of four processes on one SQLite file.
 *
 * A ledger of -a accounts (default 20,000, each with 1,000,000 PTS) and
 * -i items (default 100, prices 100-1,090 points, a stock no run uses
 * up).  Then -r runs (default 5), each:
 *   - floor: -n orders' worth (default 20,000) of points_hold_create and
 *     points_hold_capture, the hold of an order's account and amount
 *     captured at once, in batches of -b (default 1,000): what an order
 *     is made of, bare;
 *   - orders: -n points_order_place and points_order_approve, the same
 *     accounts and amounts in the same sequence, in batches of -b;
 * the two in turns (the floor first in odd runs, the orders first in
 * even ones), so that neither always runs on the fuller file.
 * Printed: holds+captures/s, orders/s, their ratio (target: at least
 * 0.5) and the bytes written per order and per hold+capture (every
 * byte the process hands to write(); /proc/self/io wchar), each the
 * median of the runs.
 *
 * Then the flash sale (-F skips it): a fresh SQLite file, one item of
 * -u units (default 100), -s buyers (default 2,000) with points for it;
 * -p processes (default 4) each place -s/-p orders of one unit, each
 * its own transaction, all starting at once.  Checked: exactly -u
 * orders, the stock 0, the points held equal to the orders' amounts,
 * every other attempt refused with POINTS_EOUTOFSTOCK, the ledger's
 * entries -u more than before, points_verify passes.  Printed: the
 * time from the start to the last process's end.
 *
 * The timed loops are the functions holds_captures and orders, so that
 * an instruction counter can count each alone (bench/README.md).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "points.h"

#define T0 INT64_C(1735689600) /* 2025-01-01 00:00:00 UTC */
#define MAXRUNS 15
#define MAXPROCS 16
#define FIRST 4 /* the first user account's id: 1-3 are the system's */

static long accounts = 20000, norders = 20000, batch = 1000, runs = 5,
    nitems = 100;
static long units = 100, attempts = 2000, procs = 4;
static int flash = 1;
static int64_t now_t = T0 + 8 * 3600;
static uint64_t rng = 0x9e3779b97f4a7c15u;

/* A run's workload: the account and the item of each order. */
static int64_t *w_acct;
static int *w_item;
static int64_t *price;
static char (*skus)[24]; /* each item's, formatted once: not timed */

static int64_t
clock_cb(void *ctx)
{
	(void)ctx;
	return now_t;
}

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long long
wchar(void)
{
	FILE *f = fopen("/proc/self/io", "r");
	char line[128];
	long long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "wchar: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static void
check(points_db *db, int rc, const char *what)
{
	if (rc) {
		fprintf(stderr, "mall_bench: %s: %s\n", what,
		    points_errmsg(db));
		exit(1);
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, long n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static void
sku_of(long i, char *buf, size_t n)
{
	snprintf(buf, n, "GIFT-%04ld", i);
}

static void
setup(points_db *db)
{
	char ext[32], sku[32];
	long i;
	int64_t id;

	check(db, points_asset_create(db, "PTS", 0, POINTS_EXPIRE_DAYS, 365),
	    "asset");
	check(db, points_batch_begin(db), "batch");
	for (i = 0; i < accounts; i++) {
		points_posting p = POINTS_POSTING_INIT;
		points_txn t;

		snprintf(ext, sizeof(ext), "E%07ld", i);
		check(db, points_account_create(db, ext, NULL, 0, &id),
		    "account");
		p.asset = "PTS";
		p.account = id;
		p.amount = 1000000;
		check(db, points_earn(db, &p, &t), "earn");
		if (i % 1000 == 999) {
			check(db, points_batch_commit(db), "commit");
			check(db, points_batch_begin(db), "batch");
		}
	}
	check(db, points_batch_commit(db), "commit");
	for (i = 0; i < nitems; i++) {
		points_item_def d = POINTS_ITEM_DEF_INIT;
		points_item it;

		sku_of(i, sku, sizeof(sku));
		d.sku = sku;
		d.name = sku;
		d.category = i % 2 ? "physical/kitchen" : "virtual";
		d.asset = "PTS";
		d.price = price[i] = 100 + 10 * (i % 100);
		d.stock = 1000000000;
		d.low_stock = 10;
		d.actor = "bench";
		check(db, points_item_create(db, &d, &it), sku);
	}
}

static void
workload(void)
{
	long i;

	for (i = 0; i < norders; i++) {
		w_acct[i] = FIRST + (int64_t)(rnd() % (uint64_t)accounts);
		w_item[i] = (int)(rnd() % (uint64_t)nitems);
	}
}

/* One batch of each, pairs from .. to - 1 of the workload; not
 * inlined: an instruction counter can count each alone. */
__attribute__((noinline)) static void
holds_captures(points_db *db, long from, long to)
{
	long i;

	check(db, points_batch_begin(db), "batch");
	for (i = from; i < to; i++) {
		points_posting p = POINTS_POSTING_INIT;
		points_capture c = POINTS_CAPTURE_INIT;
		points_txn h, t;

		p.asset = "PTS";
		p.account = w_acct[i];
		p.amount = price[w_item[i]];
		p.category = "mall";
		check(db, points_hold_create(db, &p, &h), "hold");
		c.hold_id = h.id;
		c.category = "mall";
		check(db, points_hold_capture(db, &c, &t), "capture");
	}
	check(db, points_batch_commit(db), "commit");
}

__attribute__((noinline)) static void
orders(points_db *db, long from, long to)
{
	long i;

	check(db, points_batch_begin(db), "batch");
	for (i = from; i < to; i++) {
		points_order_req r = POINTS_ORDER_REQ_INIT;
		points_order o;

		r.account = w_acct[i];
		r.sku = skus[w_item[i]];
		check(db, points_order_place(db, &r, &o), "order");
		check(db, points_order_approve(db, o.id, NULL, NULL, &o),
		    "approve");
	}
	check(db, points_batch_commit(db), "commit");
}

static void
remove_files(const char *dir)
{
	static const char *const tails[] = { "", "-wal", "-shm" };
	char path[160];
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/ledger.db%s", dir, tails[i]);
		unlink(path);
		snprintf(path, sizeof(path), "%s/sale.db%s", dir, tails[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* ---- The flash sale ---- */

/* One process's attempts: buyers first .. first + n - 1, one order of
 * a unit each.  Exits 0 when every attempt was an order or
 * POINTS_EOUTOFSTOCK, writing the orders' count to fd. */
static void
buyer_process(const char *uri, int64_t first, long n, int go, int fd)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *db = NULL;
	long i, won = 0;
	char b;

	if (points_open(uri, &o, &db) != POINTS_OK)
		_exit(1);
	if (read(go, &b, 1) < 0)
		_exit(1);
	for (i = 0; i < n; i++) {
		points_order_req r = POINTS_ORDER_REQ_INIT;
		points_order out;
		int rc;

		r.account = first + i;
		r.sku = "FLASH";
		rc = points_order_place(db, &r, &out);
		if (rc == POINTS_OK) {
			won++;
		} else if (rc != POINTS_EOUTOFSTOCK) {
			fprintf(stderr, "mall_bench: flash sale: %s\n",
			    points_errmsg(db));
			_exit(1);
		}
	}
	points_close(db);
	if (write(fd, &won, sizeof(won)) != (ssize_t)sizeof(won))
		_exit(1);
	_exit(0);
}

static void
flash_sale(const char *dir)
{
	char path[160], uri[200];
	points_db *db = NULL;
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_item it;
	points_verify_report before, after;
	points_order_iterator *oi;
	points_order o;
	pid_t pid[MAXPROCS];
	int go[2], res[2], status;
	long i, won = 0, per = attempts / procs;
	int64_t held = 0, amounts = 0, nord = 0, id;
	double t;

	snprintf(path, sizeof(path), "%s/sale.db", dir);
	snprintf(uri, sizeof(uri), "sqlite:%s?busy_timeout=60000", path);
	check(db, points_open(uri, NULL, &db), "open");
	check(db, points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER, 0),
	    "asset");
	check(db, points_batch_begin(db), "batch");
	for (i = 0; i < attempts; i++) {
		points_posting p = POINTS_POSTING_INIT;
		points_txn tx;
		char ext[32];

		snprintf(ext, sizeof(ext), "B%07ld", i);
		check(db, points_account_create(db, ext, NULL, 0, &id),
		    "account");
		if (id != FIRST + i) {
			fprintf(stderr, "mall_bench: buyer %ld is account "
			    "%lld\n", i, (long long)id);
			exit(1);
		}
		p.asset = "PTS";
		p.account = id;
		p.amount = 1000;
		check(db, points_earn(db, &p, &tx), "earn");
	}
	check(db, points_batch_commit(db), "commit");
	d.sku = "FLASH";
	d.name = "Thermos, flash sale";
	d.category = "physical";
	d.asset = "PTS";
	d.price = 600;
	d.stock = units;
	d.actor = "bench";
	check(db, points_item_create(db, &d, &it), "item");
	check(db, points_verify(db, &before), "verify");
	points_close(db);
	db = NULL;

	if (pipe(go) || pipe(res)) {
		perror("mall_bench: pipe");
		exit(1);
	}
	for (i = 0; i < procs; i++) {
		pid[i] = fork();
		if (pid[i] < 0) {
			perror("mall_bench: fork");
			exit(1);
		}
		if (pid[i] == 0) {
			close(go[1]);
			close(res[0]);
			buyer_process(uri, FIRST + i * per, i == procs - 1 ?
			    attempts - i * per : per, go[0], res[1]);
		}
	}
	close(go[0]);
	close(res[1]);
	{
		struct timespec ts = { 0, 200000000 };

		/* every process opened its ledger */
		nanosleep(&ts, NULL);
	}
	t = mono();
	close(go[1]); /* they all read EOF at once: go */
	for (i = 0; i < procs; i++) {
		long w;

		if (waitpid(pid[i], &status, 0) != pid[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "mall_bench: flash sale: process %ld "
			    "failed\n", i);
			exit(1);
		}
		if (read(res[0], &w, sizeof(w)) != (ssize_t)sizeof(w))
			exit(1);
		won += w;
	}
	t = mono() - t;
	close(res[0]);

	check(db, points_open(uri, NULL, &db), "open");
	check(db, points_item_get(db, "FLASH", &it), "item");
	check(db, points_order_iterator_new(db, 0, -1, "FLASH", &oi), "list");
	while (points_order_next(oi, &o) == POINTS_OK) {
		nord++;
		amounts += o.amount;
	}
	points_order_iterator_free(oi);
	for (i = 0; i < attempts; i++) {
		points_balance b;

		check(db, points_balance_get(db, FIRST + i, "PTS", &b),
		    "balance");
		held += b.held;
		if (b.available + b.held != 1000) {
			fprintf(stderr, "mall_bench: flash sale: buyer %ld "
			    "has %lld + %lld held\n", i, (long long)b.available,
			    (long long)b.held);
			exit(1);
		}
	}
	check(db, points_verify(db, &after), "verify");
	printf("flash sale: %ld processes, %ld attempts on %ld units: "
	    "%.3f s (%.0f attempts/s)\n", procs, attempts, units, t,
	    (double)attempts / t);
	printf("  orders %lld (won %ld), stock left %lld, held %lld = "
	    "orders' amounts %lld, entries %lld -> %lld\n", (long long)nord,
	    won, (long long)it.stock, (long long)held, (long long)amounts,
	    (long long)before.entries, (long long)after.entries);
	if (nord != units || won != units || it.stock != 0 ||
	    held != amounts || it.orders != units ||
	    after.entries != before.entries + units) {
		fprintf(stderr, "mall_bench: flash sale: FAILED\n");
		exit(1);
	}
	points_close(db);
}

int
main(int argc, char **argv)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	double sum_h = 0, sum_o = 0;
	double hr[MAXRUNS], orr[MAXRUNS], ratio[MAXRUNS], hb[MAXRUNS],
	    ob[MAXRUNS];
	char dir[] = "/tmp/mall-bench-XXXXXX", uri[128];
	points_db *db = NULL;
	long r;
	int c;

	while ((c = getopt(argc, argv, "a:n:b:r:i:u:s:p:F")) != -1) {
		switch (c) {
		case 'a': accounts = atol(optarg); break;
		case 'n': norders = atol(optarg); break;
		case 'b': batch = atol(optarg); break;
		case 'r': runs = atol(optarg); break;
		case 'i': nitems = atol(optarg); break;
		case 'u': units = atol(optarg); break;
		case 's': attempts = atol(optarg); break;
		case 'p': procs = atol(optarg); break;
		case 'F': flash = 0; break;
		default:
			fprintf(stderr, "usage: mall_bench [-a accounts] "
			    "[-n orders] [-b batch] [-r runs] [-i items] "
			    "[-u units] [-s attempts] [-p processes] [-F]\n");
			return 2;
		}
	}
	if (accounts < 1 || norders < 1 || batch < 1 || runs < 0 ||
	    runs > MAXRUNS || nitems < 1 || units < 1 || procs < 1 ||
	    procs > MAXPROCS || attempts < procs)
		return 2;
	w_acct = malloc((size_t)norders * sizeof(*w_acct));
	w_item = malloc((size_t)norders * sizeof(*w_item));
	price = malloc((size_t)nitems * sizeof(*price));
	skus = malloc((size_t)nitems * sizeof(*skus));
	if (!w_acct || !w_item || !price || !skus || !mkdtemp(dir))
		return 1;
	for (r = 0; r < nitems; r++)
		sku_of(r, skus[r], sizeof(skus[r]));
	snprintf(uri, sizeof(uri), "sqlite:%s/ledger.db", dir);
	o.clock = clock_cb;
	if (runs > 0) {
		if (points_open(uri, &o, &db)) {
			fprintf(stderr, "mall_bench: open: %s\n",
			    points_errmsg(db));
			return 1;
		}
		setup(db);
	}
	for (r = 0; r < runs; r++) {
		double t, th, to;
		long long w, wh, wo;
		long b;
		int k;

		workload();
		/* a batch of each in turn, the first of each pair
		 * alternating: both meet the ledger at the same size, and
		 * the checkpoints that SQLite's log runs at a commit fall
		 * on both alike */
		th = to = 0;
		wh = wo = 0;
		for (b = 0; b < norders; b += batch) {
			long e = b + batch < norders ? b + batch : norders;

			for (k = 0; k < 2; k++) {
				w = wchar();
				t = mono();
				if ((k == 0) == ((b / batch) % 2 == 0)) {
					holds_captures(db, b, e);
					th += mono() - t;
					wh += wchar() - w;
				} else {
					orders(db, b, e);
					to += mono() - t;
					wo += wchar() - w;
				}
			}
		}
		hr[r] = (double)norders / th;
		orr[r] = (double)norders / to;
		hb[r] = (double)wh / (double)norders;
		ob[r] = (double)wo / (double)norders;
		ratio[r] = orr[r] / hr[r];
		sum_h += th;
		sum_o += to;
		printf("run %ld: holds+captures %.0f/s (%.0f B each), orders "
		    "%.0f/s (%.0f B each), ratio %.2f\n", r + 1, hr[r], hb[r],
		    orr[r], ob[r], ratio[r]);
		now_t += 3600;
	}
	if (runs > 0) {
		printf("mall_bench: %ld accounts, %ld items, %ld orders a run, "
		    "batches of %ld\n", accounts, nitems, norders, batch);
		printf("  bare hold+capture  %10.0f/s  %6.0f bytes written "
		    "each\n", median(hr, runs), median(hb, runs));
		printf("  order+approve      %10.0f/s  %6.0f bytes written "
		    "each\n", median(orr, runs), median(ob, runs));
		printf("  orders / holds     %10.2f   (median of the runs)\n",
		    median(ratio, runs));
		/* a checkpoint of SQLite's log falls on the phase whose
		 * commit reaches the mark: single runs swing with it, the
		 * sum of all runs' times does not */
		printf("  all runs           %10.2f   (target >= 0.5: the "
		    "holds' time / the orders' time)\n", sum_h / sum_o);
		points_close(db);
	}
	if (flash)
		flash_sale(dir);
	remove_files(dir);
	free(w_acct);
	free(w_item);
	free(price);
	free(skus);
	return 0;
}
