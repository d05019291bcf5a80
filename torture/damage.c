/* damage.c - damaged SQLite ledger files.
 *
 *   damage DIR [N [SEED]]
 *
 * Makes a ledger (tt_setup, then random operations of the table: holds,
 * reversals, expiring lots, leavers), reads all of it through every
 * read path (accounts, balances, lots, statements, account histories,
 * holds, transactions, the chain head) into a text, the truth, and
 * keeps its chain head.  Then, N times: a copy of the file is damaged
 * (1 to 8 random bytes flipped anywhere, a truncation at a random
 * length, or a random run of bytes zeroed), and a child process opens
 * it and reads it all again, then runs points_verify and
 * points_verify_head against the kept head.  Each read must return
 * POINTS_OK or an error code with a message; the child must not crash
 * (the sanitizers abort it), nor hang (killed after 60 s); and when
 * both verifications pass, every read must have answered as before
 * (what they protect: balances, lots, entries, holds, transactions).
 * An account's name, tier and attributes are not covered by the chain:
 * they are read, not compared.  A damage that verify finds, or that a
 * read reports, is "detected"; one that changes nothing read
 * (free space, an unused byte) is "harmless".  With DAMAGE_SAY=1 in
 * the environment, a damage found by a read but not by verify prints
 * which reads failed: a gap in what verify covers. */
#include <errno.h>
#include <fcntl.h>
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

#define SETUP_OPS 300
#define HANG_SECONDS 60

static char dir[400], base[480], work[480], uri[560];
static unsigned char *file;     /* the sound ledger's bytes */
static size_t file_len;
static char *truth;
static size_t truth_len;
static points_chain_head head;
static tt_ctx ctx;
static uint64_t rng, seed;

/* What the reads met: a code other than these is a failure. */
static int bad_code;
static char bad_what[200];

static char first_err[300];

static void
met(int rc, const char *what, points_db *db)
{
	if (rc != POINTS_OK && !first_err[0])
		snprintf(first_err, sizeof(first_err), "%s: %d %s", what, rc,
		    points_errmsg(db) ? points_errmsg(db) : "");
	if (rc == POINTS_OK || bad_code)
		return;
	/* a code of the library's (points_strerror knows every one, the
	 * mall's past POINTS_ELIMIT too), with a message */
	if (rc > 0 || strcmp(points_strerror(rc), "unknown error") == 0 ||
	    !points_errmsg(db) ||
	    !*points_errmsg(db)) {
		bad_code = rc ? rc : 1;
		snprintf(bad_what, sizeof(bad_what), "%s: code %d, message "
		    "'%s'", what, rc, points_errmsg(db) ? points_errmsg(db) :
		    "(null)");
	}
}

static void
put_entry(FILE *f, const points_entry *e)
{
	fprintf(f, "  e %s %lld %d %lld %lld %s %lld %lld %lld '%s' %lld %s "
	    "%s %s %s\n", e->txn_id, (long long)e->seq, e->type,
	    (long long)e->time, (long long)e->account, e->asset,
	    (long long)e->amount, (long long)e->held,
	    (long long)e->counterparty, e->memo, (long long)e->debt,
	    e->category, e->actor, e->department, e->tier);
}

/* Everything the ledger answers, as text; *errors counts the reads that
 * failed (each with a code and a message, else bad_code). */
static char *
read_all(points_db *db, size_t *len, int *errors)
{
	static const char *const assets[] = { "PTS", "EXP" };
	points_account_iterator *ai = NULL;
	points_account acct;
	char *out = NULL;
	FILE *f = open_memstream(&out, len);
	int64_t ids[256];
	int nids = 0, i, a, rc;

	if (!f)
		TT_DIE("damage: out of memory");
	*errors = 0;
#define READ(call, what) do { \
	rc = (call); \
	met(rc, what, db); \
	if (rc != POINTS_OK) { \
		(*errors)++; \
		fprintf(f, "! %s\n", what); \
	} \
} while (0)
	READ(points_account_iterator_new(db, 0, &ai), "account iterator");
	while (rc == POINTS_OK) {
		rc = points_account_next(ai, &acct);
		if (rc == POINTS_ITEROVER)
			break;
		met(rc, "account next", db);
		if (rc) {
			(*errors)++;
			break;
		}
		fprintf(f, "a %lld %s %d %d\n", (long long)acct.id,
		    acct.external_id, acct.status, acct.flags);
		if (nids < (int)(sizeof(ids) / sizeof(ids[0])))
			ids[nids++] = acct.id;
	}
	points_account_iterator_free(ai);
	for (i = 0; i < nids; i++) {
		points_account_history_iterator *hi = NULL;
		points_account_change ch;
		points_account got;

		READ(points_account_get(db, ids[i], &got), "account get");
		if (rc == POINTS_OK) {
			points_account same;

			READ(points_account_find(db, got.external_id, &same),
			    "account find");
			if (rc == POINTS_OK)
				fprintf(f, " f %s %lld\n", got.external_id,
				    (long long)same.id);
		}
		READ(points_account_history_iterator_new(db, ids[i], &hi),
		    "history iterator");
		while (rc == POINTS_OK &&
		    (rc = points_account_history_next(hi, &ch)) == POINTS_OK)
			;
		if (rc != POINTS_ITEROVER && hi) {
			met(rc, "history next", db);
			(*errors)++;
		}
		points_account_history_iterator_free(hi);
		for (a = 0; a < 2; a++) {
			points_balance b;
			points_lot_iterator *li = NULL;
			points_statement_iterator *si = NULL;
			points_lot lot;
			points_entry e;

			READ(points_balance_get(db, ids[i], assets[a], &b),
			    "balance get");
			if (rc == POINTS_OK)
				fprintf(f, " b %lld %s %lld %lld %lld %lld %lld "
				    "%lld\n", (long long)ids[i], assets[a],
				    (long long)b.available, (long long)b.held,
				    (long long)b.earned, (long long)b.spent,
				    (long long)b.expired, (long long)b.debt);
			READ(points_lot_iterator_new(db, ids[i], assets[a],
			    INT64_MAX, &li), "lot iterator");
			while (rc == POINTS_OK &&
			    (rc = points_lot_next(li, &lot)) == POINTS_OK)
				fprintf(f, "  l %lld %lld\n",
				    (long long)lot.expires_at,
				    (long long)lot.amount);
			if (rc != POINTS_ITEROVER && li) {
				met(rc, "lot next", db);
				(*errors)++;
				fprintf(f, "! lot next\n");
			}
			points_lot_iterator_free(li);
			READ(points_statement_iterator_new(db, ids[i],
			    assets[a], 0, 0, POINTS_OLDEST_FIRST, &si),
			    "statement iterator");
			while (rc == POINTS_OK &&
			    (rc = points_statement_next(si, &e)) == POINTS_OK)
				put_entry(f, &e);
			if (rc != POINTS_ITEROVER && si) {
				met(rc, "statement next", db);
				(*errors)++;
				fprintf(f, "! statement next\n");
			}
			points_statement_iterator_free(si);
		}
	}
	for (i = 0; i < ctx.holds.n; i++) {
		points_hold h;

		READ(points_hold_get(db, ctx.holds.id[i], &h), "hold get");
		if (rc == POINTS_OK)
			fprintf(f, "h %s %lld %s %lld %lld %lld %d\n", h.id,
			    (long long)h.account, h.asset, (long long)h.amount,
			    (long long)h.captured, (long long)h.expires_at,
			    h.state);
	}
	for (i = 0; i < ctx.txns.n; i++) {
		points_txn t;

		READ(points_txn_get(db, ctx.txns.id[i], &t), "txn get");
		if (rc == POINTS_OK)
			fprintf(f, "t %s %lld %d %s %lld %lld %lld %s %lld\n",
			    t.id, (long long)t.seq, t.type, t.asset,
			    (long long)t.from, (long long)t.to,
			    (long long)t.amount, t.ref, (long long)t.debt);
	}
	{
		points_chain_head h;

		READ(points_chain_head_get(db, &h), "chain head");
	}
#undef READ
	fclose(f);
	return out;
}

static void
make_ledger(int ops)
{
	points_db *db;
	int i;

	snprintf(uri, sizeof(uri), "sqlite:%s", base);
	if (tt_setup(uri))
		TT_DIE("damage: setup failed");
	if (!(db = tt_open(uri)) || tt_attach(&ctx, db, "D", rng))
		TT_DIE("damage: open failed");
	for (i = 0; i < ops; i++) {
		const tt_op *op = tt_pick(&ctx, NULL);
		tt_rec rec;
		int rc, k;

		memset(&rec, 0, sizeof(rec));
		tt_now += tt_range(&ctx, 0, TT_DAY / 4);
		rc = op->run(&ctx, &rec);
		if (rc && !tt_refusal(rc))
			TT_DIE("damage: %s: %d %s", op->name, rc,
			    points_errmsg(db));
		for (k = 0; k < rec.ntxn; k++)
			tt_ring_add(&ctx.txns, rec.txn[k].id);
	}
	if (points_chain_head_get(db, &head) != POINTS_OK)
		TT_DIE("damage: chain head: %s", points_errmsg(db));
	points_close(db);
}

/* The rings keep ids of holds and transactions that a rolled-back
 * batch made too: read only those the sound ledger has. */
static void
keep_found(points_db *db)
{
	int i, n;

	for (i = n = 0; i < ctx.holds.n; i++) {
		points_hold h;

		if (points_hold_get(db, ctx.holds.id[i], &h) == POINTS_OK)
			memmove(ctx.holds.id[n++], ctx.holds.id[i],
			    sizeof(ctx.holds.id[0]));
	}
	ctx.holds.n = n;
	for (i = n = 0; i < ctx.txns.n; i++) {
		points_txn t;

		if (points_txn_get(db, ctx.txns.id[i], &t) == POINTS_OK)
			memmove(ctx.txns.id[n++], ctx.txns.id[i],
			    sizeof(ctx.txns.id[0]));
	}
	ctx.txns.n = n;
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *b;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		TT_DIE("damage: %s: %s", path, strerror(errno));
	if (!(b = malloc((size_t)n + 1)) ||
	    fread(b, 1, (size_t)n, f) != (size_t)n)
		TT_DIE("damage: %s: cannot read", path);
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* Write a damaged copy to work; what was done, in how. */
static void
damage(char *how, size_t howlen)
{
	unsigned char *b = malloc(file_len);
	size_t n = file_len, i;
	int kind = (int)(tt_rand(&rng) % 3), fd;

	if (!b)
		TT_DIE("damage: out of memory");
	memcpy(b, file, file_len);
	if (kind == 0) {
		int k = 1 + (int)(tt_rand(&rng) % 8), len;

		len = snprintf(how, howlen, "flipped");
		while (k--) {
			size_t at = (size_t)(tt_rand(&rng) % file_len);
			unsigned char bit = (unsigned char)(1u <<
			    (tt_rand(&rng) % 8));

			b[at] ^= bit;
			if (len < (int)howlen)
				len += snprintf(how + len, howlen - (size_t)len,
				    " %zu^%02x", at, bit);
		}
	} else if (kind == 1) {
		n = (size_t)(tt_rand(&rng) % file_len);
		snprintf(how, howlen, "truncated to %zu of %zu bytes", n,
		    file_len);
	} else {
		size_t at = (size_t)(tt_rand(&rng) % file_len);
		size_t len = 1 + (size_t)(tt_rand(&rng) % 4096);

		if (len > file_len - at)
			len = file_len - at;
		for (i = 0; i < len; i++)
			b[at + i] = 0;
		snprintf(how, howlen, "zeroed %zu bytes at %zu", len, at);
	}
	unlink(work);
	if ((fd = open(work, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0 ||
	    write(fd, b, n) != (ssize_t)n || close(fd))
		TT_DIE("damage: %s: %s", work, strerror(errno));
	free(b);
}

static int64_t
clock_now(void *c)
{
	(void)c;
	return tt_clock_now();
}

/* The child: 0 found by verify, 4 found by a read only, 1 harmless,
 * 2 a wrong answer, 3 a bad code. */
static int
child(void)
{
	points_verify_report rep;
	points_db *db;
	char *got;
	size_t len;
	int errors, v1, v2;

	alarm(HANG_SECONDS);
	snprintf(uri, sizeof(uri), "sqlite:%s", work);
	{
		points_open_options o = POINTS_OPEN_OPTIONS_INIT;
		int rc;

		o.clock = clock_now;
		db = NULL;
		if ((rc = points_open(uri, &o, &db)) != POINTS_OK) {
			met(rc, "open", db);
			points_close(db);
			if (bad_code)
				fprintf(stderr, "damage: %s\n", bad_what);
			return bad_code ? 3 : 0;
		}
	}
	got = read_all(db, &len, &errors);
	v1 = points_verify(db, &rep);
	met(v1, "verify", db);
	v2 = points_verify_head(db, &head, 1, &rep);
	met(v2, "verify_head", db);
	points_close(db);
	if (bad_code) {
		fprintf(stderr, "damage: %s\n", bad_what);
		free(got);
		return 3;
	}
	if (v1 == POINTS_OK && v2 == POINTS_OK && !errors &&
	    (len != truth_len || memcmp(got, truth, len) != 0)) {
		fprintf(stderr, "damage: both verifications and every read "
		    "passed, but the reads answered differently\n");
		free(got);
		return 2;
	}
	if (!v1 && !v2 && errors && getenv("DAMAGE_SAY")) {
		char *p = got, *nl;

		/* which reads find what verify does not */
		fprintf(stderr, "first: %s\n", first_err);
		for (; (nl = strchr(p, '\n')); p = nl + 1)
			if (*p == '!')
				fprintf(stderr, "%.*s\n", (int)(nl - p), p);
	}
	free(got);
	if (v1 || v2)
		return 0;
	return errors ? 4 : 1;
}

int
main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 200, i;
	long detected = 0, by_read = 0, harmless = 0;
	double t0 = tt_seconds();
	int errors;

	if (argc < 2 || n < 1)
		TT_DIE("usage: damage DIR [N [SEED]]");
	rng = seed = argc > 3 && atoll(argv[3]) ?
	    (uint64_t)atoll(argv[3]) :
	    (uint64_t)time(NULL) ^ (uint64_t)getpid() << 16;
	printf("damage: %ld damaged copies, seed %llu\n", n,
	    (unsigned long long)rng);
	fflush(stdout);
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	mkdir(dir, 0755);
	snprintf(base, sizeof(base), "%s/ledger.db", dir);
	snprintf(work, sizeof(work), "%s/damaged.db", dir);
	unlink(base);
	tt_now = TT_T0;
	make_ledger(SETUP_OPS);
	{
		points_db *db;

		snprintf(uri, sizeof(uri), "sqlite:%s", base);
		if (!(db = tt_open(uri)))
			TT_DIE("damage: reopen failed");
		keep_found(db);
		truth = read_all(db, &truth_len, &errors);
		if (errors || bad_code) {
			fwrite(truth, 1, truth_len, stderr);
			TT_DIE("damage: the sound ledger fails %d reads: %s",
			    errors, bad_what);
		}
		points_close(db);
	}
	file = slurp(base, &file_len);
	for (i = 0; i < n; i++) {
		char how[300];
		pid_t pid;
		int st;

		damage(how, sizeof(how));
		fflush(stdout);
		fflush(stderr);
		if ((pid = fork()) < 0)
			TT_DIE("damage: fork: %s", strerror(errno));
		if (pid == 0)
			_exit(child());
		if (waitpid(pid, &st, 0) != pid)
			TT_DIE("damage: wait: %s", strerror(errno));
		if (WIFSIGNALED(st))
			TT_DIE("damage: seed %llu, copy %ld (%s): the reader "
			    "died of signal %d%s", (unsigned long long)seed, i,
			    how, WTERMSIG(st),
			    WTERMSIG(st) == SIGALRM ? " (a hang)" : "");
		if (!WIFEXITED(st) || WEXITSTATUS(st) == 2 ||
		    WEXITSTATUS(st) == 3 || WEXITSTATUS(st) > 4)
			TT_DIE("damage: seed %llu, copy %ld (%s): %s",
			    (unsigned long long)seed, i, how,
			    WIFEXITED(st) && WEXITSTATUS(st) == 2 ?
			    "a silent wrong answer" : WIFEXITED(st) &&
			    WEXITSTATUS(st) == 3 ? "a read failed without a "
			    "proper code and message" : "the reader failed");
		if (WEXITSTATUS(st) == 0)
			detected++;
		else if (WEXITSTATUS(st) == 4)
			by_read++;
		else
			harmless++;
	}
	printf("damage: %ld damaged copies of a %zu-byte ledger in %.1f s: "
	    "%ld found by opening or verify, %ld by a read only (verify "
	    "passed: an index or record verify does not cover), %ld "
	    "harmless (every read answered as before); no crash, hang, "
	    "wrong answer or read failing without its code\n", n, file_len,
	    tt_seconds() - t0, detected, by_read, harmless);
	free(file);
	free(truth);
	return 0;
}
