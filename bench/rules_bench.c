/*
 * rules_bench.c - events applied to rules against bare earns, in one
 * run, on an SQLite file.
 *
 * A ledger of -a accounts (default 20,000; a third silver, a third gold
 * in a tier table of 150% and 200%) and 20 active rules for the event
 * type "purchase": three fire for every event (1 point per yuan with the
 * tier multiplier and a monthly cap; 20 points for an order of 50 yuan
 * or more, with a daily cap; 5 points for ordering in the app, with a
 * daily cap), seventeen do not (each waits for another channel, with a
 * daily cap).  Then -r runs (default 3), each of -n earns and -n
 * events (default 50,000) in batches of -b (default 1,000), a batch of
 * each in turn, so that both meet the ledger at the same size:
 *   - floor: earns to random accounts: the bare batched earn;
 *   - events: purchase events of random accounts, amounts and ids
 *     that grow (as order numbers do).
 * Printed: earns/s, events/s, their ratio (target: at least 0.5), and
 * the bytes written per earn and per event (every byte the process
 * hands to write(): WAL frames and checkpoints; /proc/self/io wchar),
 * each the median of the runs.
 * -q gives silver and gold qualifications (2,000 and 5,000 PTS in 12
 * months, points_tier_qualify(3)): every earn then also keeps the
 * account's monthly figure and may move it up.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "points.h"

#define T0 INT64_C(1735689600) /* 2025-01-01 00:00:00 UTC */
#define MAXRUNS 15
#define NRULES 20

static long accounts = 20000, events = 50000, batch = 1000, runs = 3;
static int qualify; /* -q: gold and silver by qualification */
static int64_t now_t = T0 + 8 * 3600;
static uint64_t rng = 0x9e3779b97f4a7c15u;
static long next_event;

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
		fprintf(stderr, "rules_bench: %s: %s\n", what,
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
rule(points_db *db, const char *name, const char *cond, const char *pts,
    int64_t cap_day, int64_t cap_month)
{
	points_rule_def d = POINTS_RULE_DEF_INIT;
	points_rule r;

	d.name = name;
	d.event_type = "purchase";
	d.condition = cond;
	d.points = pts;
	d.asset = "PTS";
	d.state = POINTS_RULE_ACTIVE;
	d.category = "shopping";
	d.cap_day = cap_day;
	d.cap_month = cap_month;
	d.author = "bench";
	check(db, points_rule_save(db, &d, &r), name);
}

static void
setup(points_db *db)
{
	char ext[32], name[32], cond[64];
	long i;
	int64_t id;

	check(db, points_asset_create(db, "PTS", 0, POINTS_EXPIRE_DAYS, 365),
	    "asset");
	check(db, points_tier_set(db, "silver", 1, 150), "tier");
	check(db, points_tier_set(db, "gold", 2, 200), "tier");
	if (qualify) {
		check(db, points_tier_qualify(db, "silver", "PTS", 2000, 12),
		    "qualify");
		check(db, points_tier_qualify(db, "gold", "PTS", 5000, 12),
		    "qualify");
	}
	check(db, points_batch_begin(db), "batch");
	for (i = 0; i < accounts; i++) {
		snprintf(ext, sizeof(ext), "C%07ld", i);
		check(db, points_account_create(db, ext, NULL, 0, &id),
		    "account");
		if (i % 3)
			check(db, points_account_update(db, id, NULL,
			    i % 3 == 1 ? "silver" : "gold", NULL), "tier");
		if (i % 1000 == 999) {
			check(db, points_batch_commit(db), "commit");
			check(db, points_batch_begin(db), "batch");
		}
	}
	check(db, points_batch_commit(db), "commit");
	rule(db, "spend", NULL, "event.amount / 100", 0, 1000000);
	rule(db, "big-order", "event.amount >= 5000", "20", 100, 0);
	rule(db, "app", "event.attrs.channel == 'app'", "5", 50, 0);
	for (i = 3; i < NRULES; i++) {
		snprintf(name, sizeof(name), "store-%ld", i);
		snprintf(cond, sizeof(cond), "event.attrs.channel == 'store-%ld'",
		    i);
		rule(db, name, cond, "10", 100, 0);
	}
}

/* The first user account's id: 1-3 are the system accounts. */
#define FIRST 4

/* not inlined: an instruction counter can count each alone */
/* One batch of n bare earns to random accounts. */
__attribute__((noinline)) static void
earns(points_db *db, long n)
{
	long i;

	check(db, points_batch_begin(db), "batch");
	for (i = 0; i < n; i++) {
		points_posting p = POINTS_POSTING_INIT;
		points_txn t;

		p.asset = "PTS";
		p.account = FIRST + (int64_t)(rnd() % (uint64_t)accounts);
		p.amount = 50 + (int64_t)(rnd() % 150);
		p.category = "shopping";
		check(db, points_earn(db, &p, &t), "earn");
	}
	check(db, points_batch_commit(db), "commit");
}

/* One batch of n purchase events of random accounts. */
__attribute__((noinline)) static void
apply_events(points_db *db, long n)
{
	char id[32];
	long i;

	check(db, points_batch_begin(db), "batch");
	for (i = 0; i < n; i++) {
		points_event e = POINTS_EVENT_INIT;
		points_event_result *r;

		snprintf(id, sizeof(id), "ord-%010ld", next_event++);
		e.id = id;
		e.type = "purchase";
		e.account = FIRST + (int64_t)(rnd() % (uint64_t)accounts);
		e.amount = 5000 + (int64_t)(rnd() % 15000);
		e.attrs = "{\"channel\": \"app\", \"sku\": \"A-1001\"}";
		check(db, points_event_apply(db, &e, &r), "event");
		points_event_result_free(r);
	}
	check(db, points_batch_commit(db), "commit");
}

int
main(int argc, char **argv)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	double er[MAXRUNS], ev[MAXRUNS], ratio[MAXRUNS], eb[MAXRUNS],
	    vb[MAXRUNS];
	char dir[] = "/tmp/rules-bench-XXXXXX", uri[128], path[96];
	points_db *db = NULL;
	long r;
	int c;

	while ((c = getopt(argc, argv, "a:n:b:r:q")) != -1) {
		switch (c) {
		case 'a': accounts = atol(optarg); break;
		case 'n': events = atol(optarg); break;
		case 'b': batch = atol(optarg); break;
		case 'r': runs = atol(optarg); break;
		case 'q': qualify = 1; break;
		default:
			fprintf(stderr, "usage: rules_bench [-a accounts] "
			    "[-n events] [-b batch] [-r runs] [-q]\n");
			return 2;
		}
	}
	if (accounts < 1 || events < 1 || batch < 1 || runs < 1 ||
	    runs > MAXRUNS)
		return 2;
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/ledger.db", dir);
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	o.clock = clock_cb;
	if (points_open(uri, &o, &db)) {
		fprintf(stderr, "rules_bench: open: %s\n", points_errmsg(db));
		return 1;
	}
	setup(db);
	for (r = 0; r < runs; r++) {
		double t, te = 0, tv = 0;
		long long w, we = 0, wv = 0;
		long done, n;

		/* a batch of earns, then a batch of events, and again: both
		 * meet the ledger (its records, its log) as it grows */
		for (done = 0; done < events; done += n) {
			n = events - done < batch ? events - done : batch;
			w = wchar();
			t = mono();
			earns(db, n);
			te += mono() - t;
			we += wchar() - w;
			w = wchar();
			t = mono();
			apply_events(db, n);
			tv += mono() - t;
			wv += wchar() - w;
		}
		er[r] = (double)events / te;
		eb[r] = (double)we / (double)events;
		ev[r] = (double)events / tv;
		vb[r] = (double)wv / (double)events;
		ratio[r] = ev[r] / er[r];
		printf("run %ld: earns %.0f/s (%.0f B each), events %.0f/s "
		    "(%.0f B each), ratio %.2f\n", r + 1, er[r], eb[r], ev[r],
		    vb[r], ratio[r]);
		/* the next run on another day: the daily caps start again */
		now_t += 86400;
	}
	printf("rules_bench: %ld accounts, %ld operations a run, batches of "
	    "%ld, %d rules (3 fire)\n", accounts, events, batch, NRULES);
	printf("  bare batched earn  %10.0f/s  %6.0f bytes written each\n",
	    median(er, runs), median(eb, runs));
	printf("  events             %10.0f/s  %6.0f bytes written each\n",
	    median(ev, runs), median(vb, runs));
	printf("  events / earns     %10.2f   (target >= 0.5)\n",
	    median(ratio, runs));
	points_close(db);
	unlink(path);
	snprintf(path, sizeof(path), "%s/ledger.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/ledger.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return 0;
}
