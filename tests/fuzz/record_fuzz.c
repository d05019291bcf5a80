/* record_fuzz.c - a libFuzzer target for the record and key decoders:
 * each input edits the stored records of a small ledger on the memory
 * store, through the storage vtable, and then every read path reads it
 * all (accounts by id, by external id and in order, account histories,
 * balances, lots, statements oldest and newest first and in a window,
 * holds, transactions, the chain head) and points_verify checks it.
 *
 * The ledger (made once, the same every run): two assets, one expiring
 * a day after; three accounts; earns, an expiring earn, a spend, a
 * transfer, holds open, captured and released, a reversal, an expiry
 * sweep three days on (the lots and the open hold expire), an earn; four
 * days in all, so that a statement steps through a few time buckets of
 * its index, some empty (not fifty: each is a seek);
 * points_verify reads 7 records a chunk.  Each input starts from it as
 * made: the input runs inside one write transaction of the memory store
 * that is rolled back after it (held_store.h), and the ledger is opened
 * afresh on it for each input, so no handle's cache outlives an input.  The input is a list of edits, each
 *   op (1 byte) | keyspace (1) | which key (1) | length (1) | bytes
 * op % 6, on the keyspace's which-th key (in key order, modulo their
 * number): 0 replaces its value with the bytes; 1 puts a key made of
 * the bytes (value: the which-th key's, or empty); 2 deletes it; 3
 * flips bits of its value: the first byte is where, the rest are XORed
 * in from there (wrapping); 4 cuts its value to as many bytes as the
 * edit has; 5 moves it to a key with the bytes XORed in as in 3.  The
 * keyspace is the library's which-th (modulo their number, in module
 * order).
 *
 * Besides what the sanitizers see (and libFuzzer's timeout: a read that
 * hangs), it aborts when a call returns neither POINTS_OK (or
 * POINTS_ITEROVER, POINTS_ENOTFOUND where a record may be missing) nor
 * an error code of the library's with a message.  Built by
 * `make fuzz-record`, which runs it FUZZ_SECONDS over
 * tests/fuzz/corpus/record. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "points.h"
#include "points/sys/store.h"
#include "core/db.h"
#include "core/module.h"
#include "ledger/verify.h"
#include "held_store.h"

#define T0 INT64_C(1767225600) /* 2026-01-01 UTC */
#define DAY INT64_C(86400)
#define MAX_KEYS 512
#define MAX_EDITS 16

static int64_t now;
static int64_t ids[3];
static char txns[16][POINTS_ID_LEN + 1], holds[4][POINTS_ID_LEN + 1];
static int ntxn, nhold;

static int64_t
clock_now(void *ctx)
{
	(void)ctx;
	return now;
}

static void
die(const char *what, points_db *db, int rc)
{
	fprintf(stderr, "record_fuzz: %s: %d %s\n", what, rc,
	    db && points_errmsg(db) ? points_errmsg(db) : "(no message)");
	abort();
}

/* A read's answer: OK, or a code of the library's with a message. */
static void
met(points_db *db, int rc, const char *what)
{
	const char *m = points_errmsg(db);

	if (rc == POINTS_OK)
		return;
	if (rc > 0 || strcmp(points_strerror(rc), "unknown error") == 0 ||
	    !m || !*m)
		die(what, db, rc);
}

static void
keep_txn(const points_txn *t)
{
	if (ntxn < 16)
		snprintf(txns[ntxn++], sizeof(txns[0]), "%s", t->id);
}

#define MUST(call) do { \
	int rc_ = (call); \
	if (rc_) \
		die(#call, db, rc_); \
} while (0)

static points_db *
make_ledger(points_store *store)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_posting p;
	points_txn t;
	points_capture cap = POINTS_CAPTURE_INIT;
	points_release rel = POINTS_RELEASE_INIT;
	points_reversal rev = POINTS_REVERSAL_INIT;
	points_sweep_report sweep;
	points_db *db = NULL;
	int i;

	now = T0;
	ntxn = nhold = 0;
	o.clock = clock_now;
	MUST(points_open_store(store, &o, &db));
	MUST(points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER, 0));
	MUST(points_asset_create(db, "EXP", 0, POINTS_EXPIRE_DAYS, 1));
	for (i = 0; i < 3; i++) {
		char ext[8];

		snprintf(ext, sizeof(ext), "F%d", i);
		MUST(points_account_create(db, ext, NULL, 0, &ids[i]));
	}
	MUST(points_posting_init(&p, POINTS_POSTING_VERSION));
	for (i = 0; i < 3; i++) {
		now += DAY / 3;
		p.account = ids[i];
		p.asset = "PTS";
		p.amount = 100 + i;
		MUST(points_earn(db, &p, &t));
		keep_txn(&t);
		p.asset = "EXP";
		p.amount = 50;
		MUST(points_earn(db, &p, &t));
		keep_txn(&t);
	}
	p.account = ids[0];
	p.asset = "PTS";
	p.amount = 7;
	MUST(points_spend(db, &p, &t));
	keep_txn(&t);
	p.counterparty = ids[1];
	p.asset = "EXP";
	p.amount = 9;
	MUST(points_transfer(db, &p, &t));
	keep_txn(&t);
	p.counterparty = 0;
	for (i = 0; i < 3; i++) {
		p.account = ids[i];
		p.asset = i == 1 ? "EXP" : "PTS";
		p.amount = 5;
		p.expires_at = now + DAY;
		MUST(points_hold_create(db, &p, &t));
		keep_txn(&t);
		snprintf(holds[nhold++], sizeof(holds[0]), "%s", t.id);
	}
	p.expires_at = 0;
	cap.hold_id = holds[0];
	cap.amount = 3;
	MUST(points_hold_capture(db, &cap, &t));
	keep_txn(&t);
	rel.hold_id = holds[1];
	MUST(points_hold_release(db, &rel, &t));
	keep_txn(&t);
	rev.txn_id = txns[0];
	rev.amount = 4;
	rev.memo = "oops";
	MUST(points_reverse(db, &rev, &t));
	keep_txn(&t);
	now += 3 * DAY;
	MUST(points_expire_sweep(db, now, &sweep));
	if (sweep.lots < 3 || sweep.holds != 1)
		die("the sweep expired too little", db, 0);
	p.account = ids[2];
	p.asset = "PTS";
	p.amount = 11;
	MUST(points_earn(db, &p, &t));
	keep_txn(&t);
	return db;
}

/* The keyspaces, in module order. */
static points_keyspace *
keyspace_at(points_db *db, unsigned which, const char **name)
{
	points_module *m;
	points_ksdef *const *ks;
	unsigned n = 0, i = 0;

	for (m = points_module__first(); m; m = m->next)
		for (ks = m->keyspaces; ks && *ks; ks++)
			n++;
	which %= n;
	for (m = points_module__first(); m; m = m->next)
		for (ks = m->keyspaces; ks && *ks; ks++)
			if (i++ == which) {
				*name = (*ks)->name;
				return db->ks[(*ks)->slot];
			}
	return NULL;
}

/* XOR b[1..n) into p[0..len) from b[0] on, wrapping. */
static void
xor_in(unsigned char *p, size_t len, const uint8_t *b, size_t n)
{
	size_t i, at = b[0] % len;

	for (i = 1; i < n; i++, at = (at + 1) % len)
		p[at] ^= b[i];
}

/* Apply one edit in the store's own transaction. */
static void
edit(points_db *db, int op, unsigned ks_sel, unsigned key_sel,
    const uint8_t *b, size_t n)
{
	static unsigned char keys[MAX_KEYS][64], val[4096];
	static size_t klen[MAX_KEYS];
	points_store *s = db->store;
	points_keyspace *ks;
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl, nk = 0, vlen = 0;
	const char *name;
	int rc;

	ks = keyspace_at(db, ks_sel, &name);
	if (s->begin(s, 1))
		die("begin", db, 0);
	if (s->cursor_open(s, ks, NULL, 0, NULL, 0, 0, &c))
		die("cursor", db, 0);
	while (nk < MAX_KEYS && s->cursor_next(s, c, &k, &kl, &v, &vl) ==
	    POINTS_OK) {
		if (kl > sizeof(keys[0]))
			continue;
		memcpy(keys[nk], k, kl);
		klen[nk] = kl;
		nk++;
	}
	s->cursor_close(s, c);
	key_sel = nk ? key_sel % nk : 0;
	if (nk && s->get(s, ks, keys[key_sel], klen[key_sel], &v, &vl) ==
	    POINTS_OK) {
		vlen = vl < sizeof(val) ? vl : sizeof(val);
		memcpy(val, v, vlen);
	}
	rc = POINTS_OK;
	if (op == 0 && nk)
		rc = s->put(s, ks, keys[key_sel], klen[key_sel], b, n);
	else if (op == 1)
		rc = s->put(s, ks, b, n, val, nk ? vlen : 0);
	else if (op == 2 && nk)
		rc = s->del(s, ks, keys[key_sel], klen[key_sel]);
	else if (op == 3 && nk && vlen && n) {
		xor_in(val, vlen, b, n);
		rc = s->put(s, ks, keys[key_sel], klen[key_sel], val, vlen);
	} else if (op == 4 && nk)
		rc = s->put(s, ks, keys[key_sel], klen[key_sel], val,
		    n < vlen ? n : vlen);
	else if (op == 5 && nk && klen[key_sel] && n) {
		unsigned char moved[sizeof(keys[0])];

		memcpy(moved, keys[key_sel], klen[key_sel]);
		xor_in(moved, klen[key_sel], b, n);
		if ((rc = s->del(s, ks, keys[key_sel], klen[key_sel])) ==
		    POINTS_OK)
			rc = s->put(s, ks, moved, klen[key_sel], val, vlen);
	}
	/* an empty key, or one the store refuses: no edit */
	(void)rc;
	if (s->commit(s))
		die("commit", db, 0);
}

static void
read_all(points_db *db)
{
	static const char *const assets[] = { "PTS", "EXP" };
	points_account_iterator *ai = NULL;
	points_account acct, same;
	points_verify_report rep;
	points_chain_head head;
	int i, a, rc, n;

	rc = points_account_iterator_new(db, 0, &ai);
	met(db, rc, "account iterator");
	for (n = 0; rc == POINTS_OK && n < 1000; n++) {
		rc = points_account_next(ai, &acct);
		if (rc == POINTS_ITEROVER)
			break;
		met(db, rc, "account next");
	}
	points_account_iterator_free(ai);
	for (i = -1; i < 3; i++) {
		int64_t id = i < 0 ? POINTS_ACCOUNT_ISSUER : ids[i];
		points_account_history_iterator *hi = NULL;
		points_account_change ch;

		rc = points_account_get(db, id, &acct);
		if (rc != POINTS_ENOTFOUND)
			met(db, rc, "account get");
		if (rc == POINTS_OK && acct.external_id[0]) {
			rc = points_account_find(db, acct.external_id, &same);
			if (rc != POINTS_ENOTFOUND)
				met(db, rc, "account find");
		}
		rc = points_account_history_iterator_new(db, id, &hi);
		if (rc != POINTS_ENOTFOUND)
			met(db, rc, "history iterator");
		for (n = 0; rc == POINTS_OK && n < 1000; n++) {
			rc = points_account_history_next(hi, &ch);
			if (rc != POINTS_ITEROVER)
				met(db, rc, "history next");
		}
		points_account_history_iterator_free(hi);
		for (a = 0; a < 2; a++) {
			points_balance b;
			points_lot_iterator *li = NULL;
			points_statement_iterator *si = NULL;
			points_lot lot;
			points_entry e;
			int order, w;

			rc = points_balance_get(db, id, assets[a], &b);
			if (rc != POINTS_ENOTFOUND)
				met(db, rc, "balance get");
			rc = points_lot_iterator_new(db, id, assets[a],
			    INT64_MAX, &li);
			if (rc != POINTS_ENOTFOUND)
				met(db, rc, "lot iterator");
			for (n = 0; rc == POINTS_OK && n < 10000; n++) {
				rc = points_lot_next(li, &lot);
				if (rc != POINTS_ITEROVER)
					met(db, rc, "lot next");
			}
			points_lot_iterator_free(li);
			for (w = 0; w < 2; w++)
				for (order = 0; order < 2; order++) {
					rc = points_statement_iterator_new(db,
					    id, assets[a], w ? T0 + DAY / 2 : 0,
					    w ? T0 + 2 * DAY : 0, order, &si);
					if (rc != POINTS_ENOTFOUND)
						met(db, rc, "statement iterator");
					for (n = 0; rc == POINTS_OK && n < 10000;
					    n++) {
						rc = points_statement_next(si, &e);
						if (rc != POINTS_ITEROVER)
							met(db, rc,
							    "statement next");
					}
					points_statement_iterator_free(si);
				}
		}
	}
	for (i = 0; i < nhold; i++) {
		points_hold h;

		rc = points_hold_get(db, holds[i], &h);
		if (rc != POINTS_ENOTFOUND)
			met(db, rc, "hold get");
	}
	for (i = 0; i < ntxn; i++) {
		points_txn t;

		rc = points_txn_get(db, txns[i], &t);
		if (rc != POINTS_ENOTFOUND)
			met(db, rc, "txn get");
	}
	met(db, points_chain_head_get(db, &head), "chain head");
	met(db, points_verify(db, &rep), "verify");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	static points_store *store;
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *db = NULL;
	size_t at = 0;
	int edits = 0, rc;

	/* chunks of a few records: the check's buffers are small, and
	 * its steps between chunks are taken */
	points_verify__chunk = 7;
	if (!ready) {
		points_store *mem = NULL;

		if (points_store_open("memory:", &mem))
			die("memory store", NULL, 0);
		points_close(make_ledger(mem));
		store = held_store_new(mem);
		ready = 1;
	}
	held_store_begin();
	o.clock = clock_now;
	if ((rc = points_open_store(store, &o, &db)))
		die("open", db, rc);

	while (at + 4 <= size && edits++ < MAX_EDITS) {
		size_t n = data[at + 3];

		if (n > size - at - 4)
			n = size - at - 4;
		edit(db, data[at] % 6, data[at + 1], data[at + 2],
		    data + at + 4, n);
		at += 4 + n;
	}
	read_all(db);
	points_close(db);
	held_store_end(); /* the ledger as it was made, for the next input */
	return 0;
}
