/* import_fuzz.c - a libFuzzer target for the CSV import
 * (points/import.h): each input is a file of accounts or of awards,
 * imported into a small ledger on the memory store.
 *
 * The input's first byte says how: bit 0 clear, accounts
 * (POINTS_IMPORT_ACCOUNTS), set, awards; bit 1 set, all or nothing
 * (POINTS_IMPORT_ALL_OR_NOTHING); the six bits above, how many lines
 * points_import_next reads one by one (63: all) before
 * points_import_finish applies the rest.  The rest of the input is the
 * file, written to a directory of the target's own (in /dev/shm when
 * there is one).
 *
 * The ledger (made once, the same every run): the assets PTS and EXP
 * (expiring) and the accounts E1, E2 (frozen) and E3 (closed), E1 with
 * an award whose idempotency key is "used".  Each input starts from it
 * as made: it runs inside one write transaction of the memory store,
 * rolled back after it (held_store.h), on a handle opened afresh.
 *
 * Besides what the sanitizers see, it aborts when:
 *   - points_import_new fails without an error code of the library's
 *     and a message, or changes the ledger;
 *   - a step returns other than POINTS_OK or POINTS_ITEROVER (a memory
 *     store does not fail), or a line's outcome is not one of the six,
 *     or a refused line has no error code or no reason, or a line
 *     applied has no account, or an award applied or replayed no
 *     transaction;
 *   - points_import_finish fails other than as all or nothing refusing a
 *     file (POINTS_EINVAL, with a message), or its summary's counts do
 *     not add up to its lines or fall short of the lines stepped
 *     through;
 *   - all or nothing: a refused file changed the ledger, or a file with
 *     a refused line was committed;
 *   - points_verify fails afterwards.
 * Built by `make fuzz-import`, which runs it FUZZ_SECONDS over
 * tests/fuzz/corpus/import. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "points.h"
#include "points/sys/store.h"
#include "ledger/verify.h"
#include "held_store.h"

#define T0 INT64_C(1767225600) /* 2026-01-01 UTC */
#define MAX_LINES 100000

static char dir[64], path[80];
/* the ledger's digest as made: every input starts from it */
static uint64_t made;

static int64_t
clock_now(void *ctx)
{
	(void)ctx;
	return T0;
}

static void
die(const char *what, points_db *db, int rc)
{
	fprintf(stderr, "import_fuzz: %s: %d %s\n", what, rc,
	    db && points_errmsg(db) ? points_errmsg(db) : "(no message)");
	abort();
}

#define MUST(call) do { \
	int rc_ = (call); \
	if (rc_) \
		die(#call, db, rc_); \
} while (0)

static void
make_ledger(points_store *store)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_posting p;
	points_txn t;
	points_db *db = NULL;
	int64_t id[3];
	int i;

	o.clock = clock_now;
	MUST(points_open_store(store, &o, &db));
	MUST(points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER, 0));
	MUST(points_asset_create(db, "EXP", 0, POINTS_EXPIRE_DAYS, 30));
	for (i = 0; i < 3; i++) {
		char ext[8];

		snprintf(ext, sizeof(ext), "E%d", i + 1);
		MUST(points_account_create(db, ext, NULL, 0, &id[i]));
	}
	MUST(points_posting_init(&p, POINTS_POSTING_VERSION));
	p.account = id[0];
	p.asset = "PTS";
	p.amount = 1;
	p.idempotency_key = "used";
	MUST(points_earn(db, &p, &t));
	MUST(points_account_freeze(db, id[1]));
	MUST(points_account_close(db, id[2]));
	points_close(db);
}

static void
remove_dir(void)
{
	(void)unlink(path);
	(void)rmdir(dir);
}

/* A file of our own, in a directory of our own (gone at exit). */
static void
make_path(void)
{
	strcpy(dir, access("/dev/shm", W_OK) == 0 ?
	    "/dev/shm/points-import-fuzz-XXXXXX" :
	    "/tmp/points-import-fuzz-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("import_fuzz: temporary directory");
		abort();
	}
	snprintf(path, sizeof(path), "%s/in.csv", dir);
	atexit(remove_dir);
}

static void
write_file(const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f)) {
		perror("import_fuzz: the input's file");
		abort();
	}
}

/* An error: a code of the library's and a message. */
static void
refused(points_db *db, int rc, const char *what)
{
	const char *m = points_errmsg(db);

	if (rc >= 0 || strcmp(points_strerror(rc), "unknown error") == 0 ||
	    !m || !*m)
		die(what, db, rc);
}

static void
check_line(points_db *db, int kind, const points_import_line *l)
{
	switch (l->outcome) {
	case POINTS_IMPORT_REFUSED:
		if (l->code >= 0 || !l->reason[0] ||
		    strcmp(points_strerror(l->code), "unknown error") == 0)
			die("a refused line without a code or a reason", db,
			    l->code);
		return;
	case POINTS_IMPORT_CREATED:
	case POINTS_IMPORT_UPDATED:
	case POINTS_IMPORT_UNCHANGED:
		if (kind != POINTS_IMPORT_ACCOUNTS || l->account <= 0)
			die("an account line without its account", db, 0);
		return;
	case POINTS_IMPORT_APPLIED:
	case POINTS_IMPORT_REPLAYED:
		if (kind != POINTS_IMPORT_AWARDS || l->account <= 0 ||
		    !l->txn_id[0])
			die("an award without its transaction", db, 0);
		return;
	default:
		die("an outcome not of the six", db, l->outcome);
	}
}

static void
run(points_db *db, int kind, unsigned int flags, int64_t steps)
{
	points_import *imp = NULL;
	points_import_line l;
	points_import_summary sum;
	int64_t counts[7] = { 0 }, n = 0;
	int rc = POINTS_OK;

	rc = points_import_new(db, kind, path, flags, &imp);
	if (rc != POINTS_OK) {
		refused(db, rc, "import new");
		if (imp)
			die("an import made and refused", db, rc);
		if (held_store_digest() != made)
			die("a refused file changed the ledger", db, rc);
		return;
	}
	/* the first steps lines one by one, the rest in finish */
	while (n < steps && (rc = points_import_next(imp, &l)) == POINTS_OK) {
		check_line(db, kind, &l);
		counts[l.outcome]++;
		n++;
	}
	if (rc != POINTS_OK && rc != POINTS_ITEROVER)
		die("import next", db, rc);
	rc = points_import_finish(imp, &sum);
	points_import_free(imp);
	if ((flags & POINTS_IMPORT_ALL_OR_NOTHING) && rc != POINTS_OK) {
		/* refused (the summary is not written on failure) */
		if (rc != POINTS_EINVAL)
			die("all or nothing: finish", db, rc);
		refused(db, rc, "all or nothing: the refusal");
		if (held_store_digest() != made)
			die("all or nothing: a refused file changed the "
			    "ledger", db, rc);
		return;
	}
	if (rc != POINTS_OK || !sum.committed)
		die("import finish", db, rc);
	if (sum.lines < n || sum.created < counts[POINTS_IMPORT_CREATED] ||
	    sum.updated < counts[POINTS_IMPORT_UPDATED] ||
	    sum.unchanged < counts[POINTS_IMPORT_UNCHANGED] ||
	    sum.applied < counts[POINTS_IMPORT_APPLIED] ||
	    sum.replayed < counts[POINTS_IMPORT_REPLAYED] ||
	    sum.refused < counts[POINTS_IMPORT_REFUSED] ||
	    sum.created + sum.updated + sum.unchanged + sum.applied +
	    sum.replayed + sum.refused != sum.lines ||
	    (sum.refused > 0) != (sum.first_refused > 0))
		die("the summary's counts", db, rc);
	if ((flags & POINTS_IMPORT_ALL_OR_NOTHING) && sum.refused)
		die("all or nothing: a file with a refused line committed",
		    db, rc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static points_store *store;
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_verify_report rep;
	points_db *db = NULL;
	int rc;

	if (size < 1)
		return 0;
	/* a chunk of a few records per read: the check's 1000-record
	 * buffers, made afresh for every keyspace, cost more than the
	 * small ledger's import, and its steps between chunks are taken */
	points_verify__chunk = 7;
	if (!store) {
		points_store *mem = NULL;

		if (points_store_open("memory:", &mem))
			die("memory store", NULL, 0);
		make_ledger(mem);
		store = held_store_new(mem);
		held_store_begin();
		made = held_store_digest();
		held_store_end();
		make_path();
	}
	write_file(data + 1, size - 1);
	held_store_begin();
	o.clock = clock_now;
	if ((rc = points_open_store(store, &o, &db)))
		die("open", db, rc);
	run(db, data[0] & 1 ? POINTS_IMPORT_AWARDS : POINTS_IMPORT_ACCOUNTS,
	    data[0] & 2 ? POINTS_IMPORT_ALL_OR_NOTHING : 0,
	    data[0] >> 2 == 63 ? MAX_LINES : data[0] >> 2);
	if ((rc = points_verify(db, &rep)))
		die("verify", db, rc);
	points_close(db);
	held_store_end();
	return 0;
}
