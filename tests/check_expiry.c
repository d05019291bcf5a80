/* check_expiry.c - the expiry sweep in chunks (points_expire_sweep(3)):
 * a write transaction per chunk, resumable after a failure, an
 * allocation failure or a kill between chunks, and the same ledger as
 * one sweep in one go.
 *
 * Ledgers populated alike get different transaction and hold ids (a
 * UUIDv7 is a clock reading and random bits), so two ledgers are
 * compared with those ids taken out (ndump): entries without their id
 * and hash, and the id-keyed keyspaces as sorted lists of their values.
 * Everything else is compared byte for byte, and each ledger verifies
 * (which checks the hash chain). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "core/db.h"
#include "core/module.h"
#include "ledger/entry.h"
#include "ledger/expiry.h"

#define FAULT_MAX 100000

static points_db *db;

static int64_t
clock_fn(void *ctx)
{
	(void)ctx;
	return tu_now;
}

static points_db *
open_on(points_store *store)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *d = NULL;
	int rc;

	o.clock = clock_fn;
	tu_now = TU_T0; /* a new ledger's system accounts are made now */
	rc = points_open_store(store, &o, &d);
	ck_assert_msg(rc == POINTS_OK, "open: %s", points_errmsg(d));
	return d;
}

/* ---- The scenario ---- */

enum { NACC = 12 };
#define AS_OF (TU_T0 + 750 * TU_DAY)

/* Lots due on several days in EXP and YE, partly spent, transferred,
 * one account frozen, some lots not due, two accounts with lots due in
 * two assets; holds: two due (one on lots that are due themselves),
 * one not due, one without a deadline.  The clock ends at AS_OF. */
static void
populate(points_db *d)
{
	static const char *const assets[] = { "EXP", "YE" };
	int64_t acct[NACC];
	points_posting p;
	points_txn t;
	char ext[16];
	int i;

	tu_now = TU_T0;
	ck_assert_int_eq(points_asset_create(d, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	ck_assert_int_eq(points_asset_create(d, "EXP", 0, POINTS_EXPIRE_DAYS,
	    365), POINTS_OK);
	ck_assert_int_eq(points_asset_create(d, "YE", 2,
	    POINTS_EXPIRE_YEAR_END, 1), POINTS_OK);
	for (i = 0; i < NACC; i++) {
		snprintf(ext, sizeof(ext), "S%02d", i);
		acct[i] = tu_account(d, ext);
	}
	for (i = 0; i < NACC; i++) {
		tu_now = TU_T0 + (i % 4) * TU_DAY;
		ck_assert_int_eq(tu_earn(d, acct[i], "EXP", 10 + i, NULL),
		    POINTS_OK);
		ck_assert_int_eq(tu_earn(d, acct[i], "PTS", 7, NULL), POINTS_OK);
		if (i % 3 == 0)
			ck_assert_int_eq(tu_earn(d, acct[i], assets[1], 500 + i,
			    NULL), POINTS_OK);
	}
	tu_now = TU_T0 + 5 * TU_DAY;
	ck_assert_int_eq(tu_spend(d, acct[1], "EXP", 3, NULL), POINTS_OK);
	ck_assert_int_eq(tu_spend(d, acct[5], "EXP", 15, NULL), POINTS_OK);
	p = tu_posting("EXP", acct[2], 4);
	p.counterparty = acct[3];
	ck_assert_int_eq(points_transfer(d, &p, &t), POINTS_OK);
	/* an explicit expiry, partly spent */
	p = tu_posting("EXP", acct[11], 10);
	p.expires_at = TU_T0 + 50 * TU_DAY;
	ck_assert_int_eq(points_earn(d, &p, &t), POINTS_OK);
	ck_assert_int_eq(tu_spend(d, acct[11], "EXP", 14, NULL), POINTS_OK);
	/* holds */
	p = tu_posting("EXP", acct[7], 6);
	p.expires_at = TU_T0 + 10 * TU_DAY;
	ck_assert_int_eq(points_hold_create(d, &p, &t), POINTS_OK);
	p = tu_posting("EXP", acct[8], 5);
	p.expires_at = TU_T0 + 760 * TU_DAY;
	ck_assert_int_eq(points_hold_create(d, &p, &t), POINTS_OK);
	p = tu_posting("PTS", acct[9], 3);
	ck_assert_int_eq(points_hold_create(d, &p, &t), POINTS_OK);
	p = tu_posting("YE", acct[9], 200);
	p.expires_at = TU_T0 + 20 * TU_DAY;
	ck_assert_int_eq(points_hold_create(d, &p, &t), POINTS_OK);
	ck_assert_int_eq(points_account_freeze(d, acct[6]), POINTS_OK);
	/* lots not due at AS_OF */
	tu_now = TU_T0 + 400 * TU_DAY;
	ck_assert_int_eq(tu_earn(d, acct[4], "EXP", 9, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(d, acct[10], "EXP", 4, NULL), POINTS_OK);
	tu_now = AS_OF;
}

/* ---- Comparing ledgers without their ids ---- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
hex(FILE *f, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
}

/* A canonical dump of the ledger with transaction and hold ids left
 * out.  Caller frees. */
static char *
ndump(points_db *d, size_t *len)
{
	points_store *s = d->store;
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	points_module *m;
	points_ksdef *const *ks;
	int rc;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	for (m = points_module__first(); m; m = m->next)
	for (ks = m->keyspaces; ks && *ks; ks++) {
		const char *name = (*ks)->name;
		int sorted = !strcmp(name, "txid") || !strcmp(name, "hold") ||
		    !strcmp(name, "holdexp");
		char **lines = NULL;
		size_t nlines = 0, i;
		points_cursor *c;
		const void *k, *v;
		size_t kl, vl;

		fprintf(f, "[%s]\n", name);
		ck_assert_int_eq(s->cursor_open(s, d->ks[(*ks)->slot], NULL, 0,
		    NULL, 0, 0, &c), POINTS_OK);
		while ((rc = s->cursor_next(s, c, &k, &kl, &v, &vl)) ==
		    POINTS_OK) {
			char *line = NULL;
			size_t ll = 0;
			FILE *lf = open_memstream(&line, &ll);

			ck_assert_ptr_nonnull(lf);
			if (!strcmp(name, "entry")) {
				unsigned char copy[4096];

				ck_assert_uint_le(vl, sizeof(copy));
				ck_assert_uint_gt(vl, 18 + POINTS_HASH_LEN);
				memcpy(copy, v, vl);
				memset(copy + 2, 0, POINTS_UUID_LEN);
				memset(copy + vl - POINTS_HASH_LEN, 0,
				    POINTS_HASH_LEN);
				hex(lf, k, kl);
				fputc('=', lf);
				hex(lf, copy, vl);
			} else if (!strcmp(name, "txid") ||
			    !strcmp(name, "hold")) {
				hex(lf, v, vl); /* the key is an id */
			} else if (!strcmp(name, "holdexp")) {
				hex(lf, k, 8); /* the deadline, then an id */
			} else {
				hex(lf, k, kl);
				fputc('=', lf);
				hex(lf, v, vl);
			}
			fclose(lf);
			lines = realloc(lines, (nlines + 1) * sizeof(*lines));
			ck_assert_ptr_nonnull(lines);
			lines[nlines++] = line;
		}
		ck_assert_int_eq(rc, POINTS_ITEROVER);
		s->cursor_close(s, c);
		if (sorted)
			qsort(lines, nlines, sizeof(*lines), cmp_str);
		for (i = 0; i < nlines; i++) {
			fprintf(f, "%s\n", lines[i]);
			free(lines[i]);
		}
		free(lines);
	}
	s->rollback(s);
	fclose(f);
	*len = n;
	return out;
}

/* What the sweep entries after seq did: the counts a report gives. */
static points_sweep_report
counts_since(points_db *d, int64_t seq, int64_t *last)
{
	points_sweep_report r;
	points_store *s = d->store;
	int64_t seen[64];
	size_t nseen = 0, i;
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	points_entry_rec e;
	int rc;

	memset(&r, 0, sizeof(r));
	*last = 0;
	points_entry__init(&e, 0, 0, 0);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->cursor_open(s,
	    d->ks[points_entry__ks.slot], NULL, 0, NULL, 0, 0, &c),
	    POINTS_OK);
	while ((rc = s->cursor_next(s, c, &k, &kl, &v, &vl)) == POINTS_OK) {
		int64_t q = (int64_t)points_codec__get_be64(k);

		*last = q;
		if (q <= seq)
			continue;
		ck_assert_int_eq(points_entry__decode(d, q, v, vl, &e),
		    POINTS_OK);
		if (e.type == POINTS_TXN_RELEASE &&
		    !strcmp(e.memo, "hold expired"))
			r.holds++;
		if (e.type != POINTS_TXN_EXPIRE)
			continue;
		r.lots += (int64_t)e.out_lots.n;
		r.points += e.amount;
		for (i = 0; i < nseen && seen[i] != e.from; i++)
			;
		if (i == nseen) {
			ck_assert_uint_lt(nseen, 64);
			seen[nseen++] = e.from;
			r.accounts++;
		}
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	s->cursor_close(s, c);
	s->rollback(s);
	points_entry__free(&e);
	return r;
}

static void
assert_same_report(const points_sweep_report *a, const points_sweep_report *b)
{
	ck_assert_int_eq(a->accounts, b->accounts);
	ck_assert_int_eq(a->lots, b->lots);
	ck_assert_int_eq(a->points, b->points);
	ck_assert_int_eq(a->holds, b->holds);
}

/* Keys of keyspace name before hi (8 or 4 bytes, big-endian). */
static long
keys_before(points_db *d, const char *name, uint64_t hi, size_t hilen)
{
	points_store *s = d->store;
	unsigned char h[8];
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	long n = 0;

	if (hilen == 8)
		points_codec__put_be64(h, hi);
	else
		points_codec__put_be32(h, (uint32_t)hi);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->cursor_open(s, tu_keyspace(d, name), NULL, 0, h,
	    hilen, 0, &c), POINTS_OK);
	while (s->cursor_next(s, c, &k, &kl, &v, &vl) == POINTS_OK)
		n++;
	s->cursor_close(s, c);
	s->rollback(s);
	return n;
}

/* The reference: the scenario swept in one go (one transaction). */
static char *ref;
static size_t ref_len;
static points_sweep_report ref_rep;
static long ref_units; /* holds due and balances with lots due */

static void
make_reference(void)
{
	points_db *d;

	tu_now = TU_T0;
	d = tu_open_bare("memory:");
	populate(d);
	ref_units = keys_before(d, "holdexp", AS_OF, 8) +
	    keys_before(d, "sweep", AS_OF / TU_DAY, 4);
	points_expiry__chunk = 1000000;
	ck_assert_int_eq(points_expire_sweep(d, AS_OF, &ref_rep), POINTS_OK);
	points_expiry__chunk = POINTS_SWEEP_CHUNK;
	/* the scenario is what it says */
	ck_assert_int_eq(ref_rep.holds, 2);
	ck_assert_int_gt(ref_rep.lots, 15);
	ck_assert_int_eq(ref_rep.accounts, 11);
	tu_invariants(d);
	ref = ndump(d, &ref_len);
	points_close(d);
}

static void
assert_reference(points_db *d, const char *what, long n)
{
	size_t len;
	char *got;

	tu_invariants(d);
	got = ndump(d, &len);
	ck_assert_msg(len == ref_len && memcmp(got, ref, len) == 0,
	    "%s %ld: the ledger differs from one swept in one go", what, n);
	free(got);
}

static void
setup(void)
{
	make_reference();
}

static void
teardown(void)
{
	free(ref);
	ref = NULL;
	points_expiry__chunk = POINTS_SWEEP_CHUNK;
	tu_cleanup();
}

/* ---- Chunks ---- */

START_TEST(test_sweep_in_chunks_equals_sweep_in_one_go)
{
	static const size_t chunks[] = { 1, 2, 3, 4, 7, POINTS_SWEEP_CHUNK };
	points_sweep_report r, again;
	points_store *mem;
	tu_spy spy;

	ck_assert_int_eq(points_store_open("memory:", &mem), POINTS_OK);
	tu_spy_init(&spy, mem);
	db = open_on(&spy.base);
	populate(db);
	points_expiry__chunk = chunks[_i];
	spy.commits = 0;
	ck_assert_int_eq(points_expire_sweep(db, AS_OF, &r), POINTS_OK);
	assert_same_report(&r, &ref_rep);
	/* a commit per chunk of holds and balances (and one that finds
	 * nothing left when the last chunk was full) */
	ck_assert_int_eq(spy.commits, ref_units / (long)chunks[_i] + 1);
	assert_reference(db, "chunk", (long)chunks[_i]);
	/* and a second sweep finds nothing */
	ck_assert_int_eq(points_expire_sweep(db, AS_OF, &again), POINTS_OK);
	ck_assert_int_eq(again.lots + again.holds + again.points +
	    again.accounts, 0);
	points_close(db);
	db = NULL;
	points_store_close(mem);
}
END_TEST

/* Sweep over a fresh copy of the scenario through a fault store armed
 * at call n; then, if it failed, the ledger is sound, and a sweep
 * without faults completes it: the ledger is the reference, and the
 * report of the rerun counts exactly what the rerun did, which with
 * what the failed sweep committed adds up to the reference's report.
 * Returns 1 once the armed sweep succeeds. */
static int
interrupted_sweep(const char *uri, int64_t n, int persistent,
    int populated)
{
	points_store *inner, *fault;
	points_sweep_report r, done, rest;
	int64_t mid, last;
	char msg[600];
	int rc, ok;

	ck_assert_int_eq(points_store_open(uri, &inner), POINTS_OK);
	ck_assert_int_eq(points_store_fault_new(inner, &fault), POINTS_OK);
	db = open_on(fault);
	if (populated)
		tu_now = AS_OF;
	else
		populate(db);
	ck_assert_int_eq(points_store_fault_arm(fault, n, persistent),
	    POINTS_OK);
	rc = points_expire_sweep(db, AS_OF, &r);
	ok = rc == POINTS_OK && points_store_fault_failures(fault) == 0;
	points_store_fault_arm(fault, 0, 0);
	snprintf(msg, sizeof(msg), "%s", points_errmsg(db));
	if (rc == POINTS_OK) {
		/* a store failure must never be swallowed */
		ck_assert_msg(ok, "the sweep succeeded although call %lld "
		    "failed", (long long)n);
		assert_same_report(&r, &ref_rep);
	} else {
		ck_assert_msg(rc == POINTS_ESTORAGE, "call %lld failed: %d "
		    "(%s)", (long long)n, rc, msg);
		done = counts_since(db, 0, &mid);
		/* what committed is whole chunks: the ledger is sound */
		tu_invariants(db);
		if (done.lots || done.holds)
			ck_assert_msg(strstr(msg, "run it again") != NULL,
			    "no word of the committed chunks: %s", msg);
		ck_assert_int_eq(points_expire_sweep(db, AS_OF, &r),
		    POINTS_OK);
		rest = counts_since(db, mid, &last);
		assert_same_report(&r, &rest);
		ck_assert_int_eq(done.lots + r.lots, ref_rep.lots);
		ck_assert_int_eq(done.points + r.points, ref_rep.points);
		ck_assert_int_eq(done.holds + r.holds, ref_rep.holds);
		ck_assert_int_ge(done.accounts + r.accounts, ref_rep.accounts);
	}
	assert_reference(db, "fault at call", (long)n);
	points_close(db);
	db = NULL;
	points_store_close(fault);
	points_store_close(inner);
	return ok;
}

/* _i: chunk size 1 or 2, persistent or not */
START_TEST(test_interrupted_sweep_resumes_memory)
{
	int64_t n;

	points_expiry__chunk = (size_t)(_i / 2 + 1);
	for (n = 1; !interrupted_sweep("memory:", n, _i % 2, 0); n++)
		ck_assert_int_lt(n, FAULT_MAX);
	ck_assert_int_gt(n, 50);
}
END_TEST

/* The scenario in an SQLite file, read back whole: each round of the
 * loop starts from a copy. */
static char *
sqlite_template(size_t *len)
{
	const char *uri = tu_sqlite_uri();
	char *buf;
	long sz;
	FILE *f;

	tu_now = TU_T0;
	db = tu_open_bare(uri);
	populate(db);
	points_close(db); /* checkpoints: the file holds it all */
	db = NULL;
	f = fopen(uri + strlen("sqlite:"), "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	sz = ftell(f);
	ck_assert_int_gt(sz, 0);
	rewind(f);
	buf = malloc((size_t)sz);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	*len = (size_t)sz;
	return buf;
}

/* A fresh copy, opened without syncs: a power cut is not the question
 * here. */
static const char *
sqlite_copy(const char *buf, size_t len)
{
	static char nosync[128];
	const char *uri = tu_sqlite_uri();
	FILE *f = fopen(uri + strlen("sqlite:"), "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(nosync, sizeof(nosync), "%s?sync=off", uri);
	return nosync;
}

START_TEST(test_interrupted_sweep_resumes_sqlite)
{
	size_t len;
	char *tmpl = sqlite_template(&len);
	int64_t n;

	points_expiry__chunk = 2;
	for (n = 1; !interrupted_sweep(sqlite_copy(tmpl, len), n, _i, 1);
	    n++)
		ck_assert_int_lt(n, FAULT_MAX);
	ck_assert_int_gt(n, 50);
	free(tmpl);
}
END_TEST

/* The same with allocation n failing. */
START_TEST(test_sweep_out_of_memory_resumes)
{
	points_sweep_report r;
	points_store *mem;
	long n;
	int rc;

	points_expiry__chunk = 2;
	tu_alloc_install();
	for (n = 1;; n++) {
		ck_assert_int_lt(n, FAULT_MAX);
		ck_assert_int_eq(points_store_open("memory:", &mem), POINTS_OK);
		db = open_on(mem);
		populate(db);
		tu_alloc_fail_at(n);
		rc = points_expire_sweep(db, AS_OF, &r);
		tu_alloc_fail_at(0);
		if (rc != POINTS_OK) {
			ck_assert_msg(rc == POINTS_ENOMEM, "allocation %ld "
			    "failed: %d (%s)", n, rc, points_errmsg(db));
			tu_invariants(db);
			ck_assert_int_eq(points_expire_sweep(db, AS_OF, &r),
			    POINTS_OK);
		}
		assert_reference(db, "allocation", n);
		points_close(db);
		db = NULL;
		points_store_close(mem);
		if (rc == POINTS_OK)
			break;
	}
	tu_alloc_uninstall();
}
END_TEST

/* A sweep killed (SIGKILL) just after its kth commit leaves a ledger
 * that opens, verifies and is completed by the next sweep. */
static void
kill_after_commit(tu_spy *s)
{
	if (s->commits == *(long *)s->ctx)
		raise(SIGKILL);
}

START_TEST(test_sweep_killed_between_chunks_resumes)
{
	long k, chunks = 0;

	points_expiry__chunk = 3;
	for (k = 1;; k++) {
		const char *uri = tu_sqlite_uri();
		points_sweep_report r;
		int status;
		pid_t pid;

		tu_now = TU_T0;
		db = tu_open_bare(uri);
		populate(db);
		points_close(db);
		db = NULL;
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			points_store *s;
			tu_spy spy;

			if (points_store_open(uri, &s) != POINTS_OK)
				_exit(2);
			tu_spy_init(&spy, s);
			spy.on_commit = kill_after_commit;
			spy.ctx = &k;
			db = open_on(&spy.base);
			tu_now = AS_OF;
			spy.commits = 0;
			if (points_expire_sweep(db, AS_OF, &r) != POINTS_OK)
				_exit(3);
			_exit(spy.commits < k ? 0 : 4);
		}
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		if (WIFEXITED(status)) {
			/* the sweep ended before its kth commit */
			ck_assert_int_eq(WEXITSTATUS(status), 0);
			chunks = k - 1;
			break;
		}
		ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		db = tu_open_bare(uri);
		tu_invariants(db);
		ck_assert_int_eq(points_expire_sweep(db, AS_OF, &r), POINTS_OK);
		assert_reference(db, "killed after commit", k);
		points_close(db);
		db = NULL;
	}
	/* it was killed between chunks, not just after the last */
	ck_assert_int_gt(chunks, 3);
}
END_TEST

/* In a batch the sweep is one operation of the batch's transaction: no
 * commit of its own, undone by a rollback. */
START_TEST(test_sweep_in_batch_runs_in_the_batch_transaction)
{
	points_sweep_report r;
	points_store *mem;
	tu_spy spy;

	ck_assert_int_eq(points_store_open("memory:", &mem), POINTS_OK);
	tu_spy_init(&spy, mem);
	db = open_on(&spy.base);
	populate(db);
	points_expiry__chunk = 1;
	tu_snap(db);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	spy.commits = 0;
	ck_assert_int_eq(points_expire_sweep(db, AS_OF, &r), POINTS_OK);
	assert_same_report(&r, &ref_rep);
	ck_assert_int_eq(spy.commits, 0);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	tu_unchanged(db);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(points_expire_sweep(db, AS_OF, &r), POINTS_OK);
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	ck_assert_int_eq(spy.commits, 1);
	assert_same_report(&r, &ref_rep);
	assert_reference(db, "batch", 1);
	tu_snap_free();
	points_close(db);
	db = NULL;
	points_store_close(mem);
}
END_TEST

/* A sweep in a batch that fails part way leaves none of its chunks in
 * the batch: the batch commits what it had before, or is dropped. */
START_TEST(test_failed_sweep_in_batch_leaves_no_chunk_behind)
{
	points_store *inner, *fault;
	points_sweep_report r;
	int64_t n;
	int rc, crc;

	points_expiry__chunk = 1;
	for (n = 1;; n++) {
		char *before, *after;
		size_t bl, al;

		ck_assert_int_lt(n, FAULT_MAX);
		ck_assert_int_eq(points_store_open("memory:", &inner),
		    POINTS_OK);
		ck_assert_int_eq(points_store_fault_new(inner, &fault),
		    POINTS_OK);
		db = open_on(fault);
		populate(db);
		before = tu_dump(db, &bl);
		ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
		points_store_fault_arm(fault, n, 0);
		rc = points_expire_sweep(db, AS_OF, &r);
		points_store_fault_arm(fault, 0, 0);
		if (rc == POINTS_OK) {
			ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
			assert_reference(db, "batch", (long)n);
		} else {
			ck_assert_int_eq(rc, POINTS_ESTORAGE);
			crc = points_batch_commit(db);
			ck_assert_msg(crc == POINTS_OK || crc == POINTS_ESTATE,
			    "commit: %d", crc);
			after = tu_dump(db, &al);
			ck_assert_msg(al == bl && memcmp(after, before, bl) == 0,
			    "fault at call %lld: the failed sweep left chunks "
			    "in the batch", (long long)n);
			free(after);
		}
		free(before);
		points_close(db);
		db = NULL;
		points_store_close(fault);
		points_store_close(inner);
		if (rc == POINTS_OK)
			break;
	}
}
END_TEST

/* With the default chunk: a ledger of 1.5 chunks of balances to expire
 * takes two write transactions, none with more than a chunk's work. */
START_TEST(test_sweep_commits_a_chunk_at_a_time)
{
	enum { N = POINTS_SWEEP_CHUNK * 3 / 2 };
	points_sweep_report r;
	points_store *mem;
	tu_spy spy;
	int64_t id;
	char ext[16];
	int i;

	ck_assert_int_eq(points_store_open("memory:", &mem), POINTS_OK);
	tu_spy_init(&spy, mem);
	db = open_on(&spy.base);
	tu_now = TU_T0;
	ck_assert_int_eq(points_asset_create(db, "EXP", 0, POINTS_EXPIRE_DAYS,
	    365), POINTS_OK);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	for (i = 0; i < N; i++) {
		snprintf(ext, sizeof(ext), "C%05d", i);
		ck_assert_int_eq(points_account_create(db, ext, NULL, 0, &id),
		    POINTS_OK);
		tu_now = TU_T0 + (i % 3) * TU_DAY;
		ck_assert_int_eq(tu_earn(db, id, "EXP", 1 + i % 5, NULL),
		    POINTS_OK);
	}
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
	spy.commits = spy.begins[1] = spy.max_writes = 0;
	ck_assert_int_eq(points_expire_sweep(db, TU_T0 + 400 * TU_DAY, &r),
	    POINTS_OK);
	ck_assert_int_eq(r.accounts, N);
	ck_assert_int_eq(r.lots, N);
	ck_assert_int_eq(spy.commits, 2);
	ck_assert_int_eq(spy.begins[1], 2);
	/* per balance: entry, id, its two time index keys, balance, sweep
	 * index key moved: 6-7 writes */
	ck_assert_int_le(spy.max_writes, 7 * POINTS_SWEEP_CHUNK + 2);
	ck_assert_int_ge(spy.max_writes, 6 * POINTS_SWEEP_CHUNK);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"),
	    r.points);
	tu_invariants(db);
	points_close(db);
	db = NULL;
	points_store_close(mem);
}
END_TEST

static Suite *
expiry_suite(void)
{
	Suite *s = suite_create("expiry");
	TCase *tc = tcase_create("chunks");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_sweep_in_chunks_equals_sweep_in_one_go,
	    0, 6);
	tcase_add_loop_test(tc, test_interrupted_sweep_resumes_memory, 0, 4);
	tcase_add_loop_test(tc, test_interrupted_sweep_resumes_sqlite, 0, 2);
	tcase_add_test(tc, test_sweep_out_of_memory_resumes);
	tcase_add_test(tc, test_sweep_killed_between_chunks_resumes);
	tcase_add_test(tc, test_sweep_in_batch_runs_in_the_batch_transaction);
	tcase_add_test(tc, test_failed_sweep_in_batch_leaves_no_chunk_behind);
	tcase_add_test(tc, test_sweep_commits_a_chunk_at_a_time);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(expiry_suite());
}
