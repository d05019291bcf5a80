/* check_write.c - the one write path (lib/ledger/write.h): request
 * structs and their versions, the request encoders and their
 * fingerprints (a test per field, driven by the encoders' own tables),
 * the bounded retry on POINTS_ERETRY, and which error wins when several
 * apply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "util/codec.h"
#include "util/ids.h"
#include "ledger/hold.h"
#include "ledger/idem.h"
#include "ledger/posting.h"
#include "ledger/forfeit.h"
#include "ledger/reversal.h"
#include "ledger/write.h"

static points_db *db;
static int64_t alice, bob, carol;

static void
setup(void)
{
	tu_now = TU_T0;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	carol = tu_account(db, "E1003");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1000, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 1000, NULL), POINTS_OK);
}

static void
teardown(void)
{
	points_close(db);
	db = NULL;
	tu_snap_free();
	tu_cleanup();
}

/* ---- The request types ---- */

/* Every request struct, as one buffer. */
typedef union any_req {
	unsigned int version;
	points_posting p;
	points_reversal r;
	points_capture c;
	points_release l;
} any_req;

/* One write: its op (and so its field table), a valid request with
 * whatever it needs made first (a transaction to reverse, a hold to
 * settle: a fresh one each call), and the public call. */
typedef struct write_case {
	const char *name;
	const points_write_op *op;
	void (*prepare)(any_req *r);
	int (*call)(points_db *d, const any_req *r, points_txn *out);
} write_case;

static char target[POINTS_ID_LEN + 1]; /* the txn or hold of a request */

static void
prep_earn(any_req *r)
{
	r->p = tu_posting("PTS", alice, 10);
}

static void
prep_spend(any_req *r)
{
	r->p = tu_posting("PTS", alice, 5);
}

static void
prep_transfer(any_req *r)
{
	r->p = tu_posting("PTS", alice, 5);
	r->p.counterparty = bob;
}

static void
prep_adjust(any_req *r)
{
	r->p = tu_posting("PTS", alice, 5);
	r->p.memo = "ticket 1";
}

static void
prep_hold(any_req *r)
{
	r->p = tu_posting("PTS", alice, 5);
}

static void
prep_reversal(any_req *r)
{
	points_txn t;

	ck_assert_int_eq(tu_spend(db, alice, "PTS", 7, &t), POINTS_OK);
	strcpy(target, t.id);
	ck_assert_int_eq(points_reversal_init(&r->r, POINTS_REVERSAL_VERSION),
	    POINTS_OK);
	r->r.txn_id = target;
}

static void
make_hold(void)
{
	points_posting p = tu_posting("PTS", alice, 9);
	points_txn t;

	ck_assert_int_eq(points_hold_create(db, &p, &t), POINTS_OK);
	strcpy(target, t.id);
}

static void
prep_capture(any_req *r)
{
	make_hold();
	ck_assert_int_eq(points_capture_init(&r->c, POINTS_CAPTURE_VERSION),
	    POINTS_OK);
	r->c.hold_id = target;
}

static void
prep_release(any_req *r)
{
	make_hold();
	ck_assert_int_eq(points_release_init(&r->l, POINTS_RELEASE_VERSION),
	    POINTS_OK);
	r->l.hold_id = target;
}

static int
call_earn(points_db *d, const any_req *r, points_txn *out)
{
	return points_earn(d, r ? &r->p : NULL, out);
}

static int
call_spend(points_db *d, const any_req *r, points_txn *out)
{
	return points_spend(d, r ? &r->p : NULL, out);
}

static int
call_transfer(points_db *d, const any_req *r, points_txn *out)
{
	return points_transfer(d, r ? &r->p : NULL, out);
}

static int
call_adjust(points_db *d, const any_req *r, points_txn *out)
{
	return points_adjust(d, r ? &r->p : NULL, out);
}

static int
call_hold(points_db *d, const any_req *r, points_txn *out)
{
	return points_hold_create(d, r ? &r->p : NULL, out);
}

static int
call_reverse(points_db *d, const any_req *r, points_txn *out)
{
	return points_reverse(d, r ? &r->r : NULL, out);
}

static int
call_capture(points_db *d, const any_req *r, points_txn *out)
{
	return points_hold_capture(d, r ? &r->c : NULL, out);
}

static int
call_release(points_db *d, const any_req *r, points_txn *out)
{
	return points_hold_release(d, r ? &r->l : NULL, out);
}

static const write_case cases[] = {
	{ "earn", &points_posting__earn_op, prep_earn, call_earn },
	{ "spend", &points_posting__spend_op, prep_spend, call_spend },
	{ "transfer", &points_posting__transfer_op, prep_transfer,
	    call_transfer },
	{ "adjust", &points_posting__adjust_op, prep_adjust, call_adjust },
	{ "hold", &points_hold__create_op, prep_hold, call_hold },
	{ "reverse", &points_reversal__op, prep_reversal, call_reverse },
	{ "capture", &points_hold__capture_op, prep_capture, call_capture },
	{ "release", &points_hold__release_op, prep_release, call_release },
};
#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

static void
set_key(const write_case *wc, any_req *r, const char *key)
{
	memcpy((unsigned char *)r + wc->op->req->key_offset, &key,
	    sizeof(key));
}

/* ---- The field tables cover their structs ---- */

static size_t
kind_size(unsigned kind)
{
	switch (kind) {
	case POINTS_FIELD_I64: return sizeof(int64_t);
	case POINTS_FIELD_INT: return sizeof(int);
	case POINTS_FIELD_UINT: return sizeof(unsigned int);
	default: return sizeof(const char *);
	}
}

static size_t
round_up(size_t n, size_t a)
{
	return (n + a - 1) / a * a;
}

/* The table names every member of the struct, in order, each with the
 * size its kind says: walking the fields from offset 0, each starts
 * where the previous one ends (after alignment padding) and the last
 * ends the struct.  A member missing from the table leaves a gap. */
static void
assert_table_covers_struct(const points_reqtype *t)
{
	size_t i, end = 0, maxalign = 1, v;
	int versions = 0, keys = 0;
	const char *prev = "(start)";

	for (i = 0; i < t->nfields; i++) {
		const points_field *f = &t->fields[i];
		size_t sz = kind_size(f->kind);

		ck_assert_msg(f->offset == round_up(end, sz),
		    "request %s: the field table does not declare the "
		    "member(s) between '%s' (ends at byte %zu) and '%s' (at "
		    "byte %zu): every member must be declared, with its use",
		    t->name, prev, end, f->name, f->offset);
		end = f->offset + sz;
		if (sz > maxalign)
			maxalign = sz;
		ck_assert_msg(f->since >= 1 && f->since <= t->version,
		    "request %s: field '%s' added in version %u", t->name,
		    f->name, f->since);
		ck_assert_msg(i == 0 || f->since >= t->fields[i - 1].since,
		    "request %s: field '%s' of version %u after one of "
		    "version %u: structs grow at the end", t->name, f->name,
		    f->since, t->fields[i - 1].since);
		if (f->use == POINTS_FIELD_VERSION) {
			versions++;
			ck_assert_msg(f->offset == 0 &&
			    f->kind == POINTS_FIELD_UINT,
			    "request %s: the version comes first", t->name);
		}
		if (f->use == POINTS_FIELD_KEY) {
			keys++;
			ck_assert_int_eq(f->kind, POINTS_FIELD_STR);
			ck_assert_uint_eq(f->offset, t->key_offset);
		}
		prev = f->name;
	}
	ck_assert_msg(round_up(end, maxalign) == t->size,
	    "request %s: the field table does not declare the member(s) "
	    "after '%s' (ends at byte %zu of %zu)", t->name, prev, end,
	    t->size);
	ck_assert_int_eq(versions, 1);
	ck_assert_int_eq(keys, 1);
	/* each version's size: up to the end of its last field */
	for (v = 1; v <= t->version; v++) {
		size_t vend = 0;

		for (i = 0; i < t->nfields; i++)
			if (t->fields[i].since <= v)
				vend = t->fields[i].offset +
				    kind_size(t->fields[i].kind);
		ck_assert_msg(t->sizes[v] == vend, "request %s: version %zu "
		    "is %zu bytes, its fields end at %zu", t->name, v,
		    t->sizes[v], vend);
	}
}

START_TEST(test_field_tables_declare_every_member)
{
	assert_table_covers_struct(cases[_i].op->req);
}
END_TEST

/* A forfeiture returns a report, not a transaction: its own case here,
 * its fields' conflicts in check_forfeit.c. */
START_TEST(test_forfeit_table_declares_every_member)
{
	assert_table_covers_struct(&points_forfeit__req);
}
END_TEST

/* ---- A test per field: same key, only that field changed ---- */

static char mutated[POINTS_MEMO_MAX + 8];

/* Change the field at f in r to another value its op's validate still
 * accepts (so that only the fingerprint can tell): numbers by 100 (an
 * account then names none, and never the other side), flags and other
 * unsigned fields flip their lowest bit, strings get a
 * character more, an id another last digit. */
static void
mutate(const points_field *f, any_req *r)
{
	unsigned char *p = (unsigned char *)r + f->offset;

	switch (f->kind) {
	case POINTS_FIELD_I64: {
		int64_t v;

		memcpy(&v, p, sizeof(v));
		v += 100;
		memcpy(p, &v, sizeof(v));
		break;
	}
	case POINTS_FIELD_INT: {
		int v;

		memcpy(&v, p, sizeof(v));
		v += 100;
		memcpy(p, &v, sizeof(v));
		break;
	}
	case POINTS_FIELD_UINT: {
		unsigned int v;

		/* the lowest bit: flags stay among the known ones */
		memcpy(&v, p, sizeof(v));
		v ^= 1u;
		memcpy(p, &v, sizeof(v));
		break;
	}
	case POINTS_FIELD_UUID: {
		const char *s, *m = mutated;
		size_t n;

		memcpy(&s, p, sizeof(s));
		ck_assert_ptr_nonnull(s);
		n = strlen(s);
		memcpy(mutated, s, n + 1);
		mutated[n - 1] = mutated[n - 1] == '0' ? '1' : '0';
		memcpy(p, &m, sizeof(m));
		break;
	}
	default: {
		const char *s, *m = mutated;

		memcpy(&s, p, sizeof(s));
		/* a category is of [a-z0-9_.-] */
		snprintf(mutated, sizeof(mutated), "%s%s", s ? s : "",
		    strcmp(f->name, "category") ? "+" : "x");
		memcpy(p, &m, sizeof(m));
		break;
	}
	}
}

/* For each field the op's encoder declares: post once with a key, then
 * the same key with only that field changed is POINTS_ECONFLICT (or,
 * for a field the op refuses, POINTS_EINVAL) and changes nothing. */
START_TEST(test_changing_any_field_under_the_same_key_conflicts)
{
	const write_case *wc = &cases[_i];
	const points_reqtype *t = wc->op->req;
	size_t i;
	int hashed = 0;

	assert_table_covers_struct(t);
	for (i = 0; i < t->nfields; i++) {
		const points_field *f = &t->fields[i];
		char key[64];
		any_req r;
		points_txn first, again;
		int rc;

		if (f->use == POINTS_FIELD_VERSION || f->use == POINTS_FIELD_KEY)
			continue;
		snprintf(key, sizeof(key), "%s/%s", wc->name, f->name);
		wc->prepare(&r);
		set_key(wc, &r, key);
		rc = wc->call(db, &r, &first);
		ck_assert_msg(rc == POINTS_OK, "%s: %s", key, points_errmsg(db));
		ck_assert_int_eq(first.replayed, 0);

		mutate(f, &r);
		tu_snap(db);
		memset(&again, 0xa5, sizeof(again));
		rc = wc->call(db, &r, &again);
		if (f->use == POINTS_FIELD_REFUSED) {
			/* not part of the request: refused outright */
			ck_assert_msg(rc == POINTS_EINVAL, "%s: %s changed: "
			    "%d (%s), not POINTS_EINVAL", wc->name, f->name,
			    rc, points_errmsg(db));
			ck_assert_ptr_nonnull(strstr(points_errmsg(db),
			    f->name));
		} else {
			hashed++;
			ck_assert_msg(rc == POINTS_ECONFLICT, "%s: only %s "
			    "changed under the same key: %d (%s), not "
			    "POINTS_ECONFLICT", wc->name, f->name, rc,
			    points_errmsg(db));
			ck_assert_ptr_nonnull(strstr(points_errmsg(db), key));
		}
		ck_assert_int_eq(points_errcode(db), rc);
		ck_assert_int_eq(again.replayed, (int)0xa5a5a5a5);
		tu_unchanged(db);
	}
	ck_assert_int_gt(hashed, 0);
	tu_invariants(db);
}
END_TEST

/* The same request under the same key replays: the first result, and
 * nothing written. */
START_TEST(test_same_request_under_the_same_key_replays)
{
	const write_case *wc = &cases[_i];
	points_txn first, again;
	any_req r;
	int rc;

	wc->prepare(&r);
	set_key(wc, &r, "replay-me");
	rc = wc->call(db, &r, &first);
	ck_assert_msg(rc == POINTS_OK, "%s: %s", wc->name, points_errmsg(db));
	ck_assert_int_eq(first.replayed, 0);
	tu_snap(db);
	rc = wc->call(db, &r, &again);
	ck_assert_msg(rc == POINTS_OK, "%s replay: %s", wc->name,
	    points_errmsg(db));
	ck_assert_int_eq(again.replayed, 1);
	ck_assert_str_eq(again.id, first.id);
	ck_assert_int_eq(again.seq, first.seq);
	ck_assert_int_eq(again.type, first.type);
	ck_assert_int_eq(again.amount, first.amount);
	tu_unchanged(db);
	tu_invariants(db);
}
END_TEST

/* An empty key is refused by every write, with a message, and writes
 * nothing: it was a key like any other, so every caller that sent ""
 * for "no key" shared one, and the second got the first's result. */
START_TEST(test_empty_key_is_refused)
{
	const write_case *wc = &cases[_i];
	points_txn t;
	any_req r;

	wc->prepare(&r);
	set_key(wc, &r, "");
	TU_FAILS(db, wc->call(db, &r, &t), POINTS_EINVAL);
	ck_assert_msg(strstr(points_errmsg(db), "idempotency key is empty") !=
	    NULL, "%s: %s", wc->name, points_errmsg(db));
	/* and no key at all is still fine */
	set_key(wc, &r, NULL);
	ck_assert_msg(wc->call(db, &r, &t) == POINTS_OK, "%s: %s", wc->name,
	    points_errmsg(db));
}
END_TEST

/* An adjustment of INT64_MIN moves an amount no int64 holds: it is out
 * of range, which is what the message says (it said "must be
 * non-zero"). */
START_TEST(test_adjust_int64_min_is_out_of_range)
{
	points_posting p = tu_posting("PTS", alice, INT64_MIN);
	points_txn t;

	p.memo = "correction";
	TU_FAILS(db, points_adjust(db, &p, &t), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "adjustment amount "
	    "-9223372036854775808 is out of range (at least "
	    "-9223372036854775807)");
	p.amount = 0;
	TU_FAILS(db, points_adjust(db, &p, &t), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db),
	    "adjustment amount must be non-zero");
}
END_TEST

/* One key, two operations: the operation is part of the request. */
START_TEST(test_same_key_on_another_operation_conflicts)
{
	const write_case *wc = &cases[_i];
	const write_case *other = &cases[(_i + 1) % NCASES];
	points_txn t;
	any_req r;

	wc->prepare(&r);
	set_key(wc, &r, "shared");
	ck_assert_int_eq(wc->call(db, &r, &t), POINTS_OK);
	other->prepare(&r);
	set_key(other, &r, "shared");
	TU_FAILS(db, other->call(db, &r, &t), POINTS_ECONFLICT);
}
END_TEST

/* The bug this suite is for: a retry aimed at another account. */
START_TEST(test_retry_to_another_counterparty_conflicts)
{
	points_posting p = tu_posting("PTS", alice, 50);
	points_txn t;

	p.counterparty = bob;
	p.idempotency_key = "gift-1";
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	p.counterparty = carol;
	TU_FAILS(db, points_transfer(db, &p, &t), POINTS_ECONFLICT);
	ck_assert_int_eq(tu_available(db, carol, "PTS"), 0);
}
END_TEST

/* ---- The fingerprint format of 0.1.0 ---- */

/* The hand-written hashes of 0.1.0, verbatim: keys they recorded must
 * still replay. */
static void
old_posting_hash(int type, const points_posting *p, unsigned char out[16])
{
	points_buf b;

	points_buf__init(&b);
	points_buf__u8(&b, (unsigned)type);
	points_buf__str(&b, p->asset);
	points_buf__svar(&b, p->account);
	points_buf__svar(&b, p->counterparty);
	points_buf__svar(&b, p->amount);
	points_buf__str(&b, p->memo);
	points_buf__svar(&b, p->time);
	points_buf__svar(&b, p->expires_at);
	points_idem__req_hash(&b, out);
	points_buf__free(&b);
}

static void
old_hold_hash(const points_posting *p, unsigned char out[16])
{
	points_buf req;

	points_buf__init(&req);
	points_buf__u8(&req, POINTS_TXN_HOLD);
	points_buf__str(&req, p->asset);
	points_buf__svar(&req, p->account);
	points_buf__svar(&req, p->amount);
	points_buf__str(&req, p->memo);
	points_buf__svar(&req, p->time);
	points_buf__svar(&req, p->expires_at);
	points_idem__req_hash(&req, out);
	points_buf__free(&req);
}

static void
old_reversal_hash(const unsigned char txid[16], int64_t amount,
    const char *memo, unsigned char out[16])
{
	points_buf b;

	points_buf__init(&b);
	points_buf__u8(&b, POINTS_TXN_REVERSAL);
	points_buf__bytes(&b, txid, 16);
	points_buf__svar(&b, amount);
	points_buf__str(&b, memo);
	points_idem__req_hash(&b, out);
	points_buf__free(&b);
}

START_TEST(test_fingerprints_keep_the_format_of_0_1_0)
{
	static const points_write_op *const posting_ops[] = {
		&points_posting__earn_op, &points_posting__spend_op,
		&points_posting__transfer_op, &points_posting__adjust_op,
	};
	points_posting p = tu_posting("PTS", 4, -12345678901LL);
	points_reversal r = POINTS_REVERSAL_INIT;
	unsigned char want[16], got[16], txid[16];
	size_t i;

	p.counterparty = 7;
	p.memo = "a memo, UTF-8: \xe7\xa7\xaf\xe5\x88\x86";
	p.idempotency_key = "k";
	p.time = TU_T0 + 5;
	p.expires_at = TU_T0 + 400 * TU_DAY;
	for (i = 0; i < sizeof(posting_ops) / sizeof(posting_ops[0]); i++) {
		old_posting_hash((int)posting_ops[i]->type, &p, want);
		ck_assert_int_eq(points_write__fingerprint(posting_ops[i], &p,
		    got), POINTS_OK);
		ck_assert_mem_eq(got, want, 16);
	}
	p.counterparty = 0; /* holds have none */
	old_hold_hash(&p, want);
	ck_assert_int_eq(points_write__fingerprint(&points_hold__create_op, &p,
	    got), POINTS_OK);
	ck_assert_mem_eq(got, want, 16);

	r.txn_id = "0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b";
	r.amount = 30;
	r.memo = "refund";
	ck_assert_int_eq(points_ids__parse(r.txn_id, txid), 0);
	old_reversal_hash(txid, r.amount, r.memo, want);
	ck_assert_int_eq(points_write__fingerprint(&points_reversal__op, &r,
	    got), POINTS_OK);
	ck_assert_mem_eq(got, want, 16);
	/* NULL and absent are one thing to both */
	r.memo = NULL;
	old_reversal_hash(txid, r.amount, NULL, want);
	ck_assert_int_eq(points_write__fingerprint(&points_reversal__op, &r,
	    got), POINTS_OK);
	ck_assert_mem_eq(got, want, 16);
}
END_TEST

/* A key recorded by 0.1.0 (its record format, its hash) replays. */
START_TEST(test_key_recorded_by_0_1_0_replays)
{
	points_posting p = tu_posting("PTS", alice, 25);
	points_keyspace *ks = tu_keyspace(db, "idem");
	points_store *s = tu_store(db);
	unsigned char hash[16];
	points_buf b;
	points_txn first, again;

	ck_assert_int_eq(points_earn(db, &p, &first), POINTS_OK);
	/* what 0.1.0 wrote for key "old-key": version 1, seq, hash */
	p.idempotency_key = "old-key";
	old_posting_hash(POINTS_TXN_EARN, &p, hash);
	points_buf__init(&b);
	points_buf__u8(&b, 1);
	points_buf__uvar(&b, (uint64_t)first.seq);
	points_buf__bytes(&b, hash, 16);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, ks, "old-key", 7, b.data, b.len),
	    POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	points_buf__free(&b);

	tu_snap(db);
	ck_assert_int_eq(points_earn(db, &p, &again), POINTS_OK);
	ck_assert_int_eq(again.replayed, 1);
	ck_assert_str_eq(again.id, first.id);
	tu_unchanged(db);
	p.amount = 26;
	TU_FAILS(db, points_earn(db, &p, &again), POINTS_ECONFLICT);
}
END_TEST

/* ---- Request versions ---- */

/* A request of a later version, to show how one grows: version 2 adds
 * `actor` at the end. */
typedef struct req_v2 {
	unsigned int version;
	const char *what;
	int64_t amount;
	const char *idempotency_key;
	const char *actor; /* version 2 */
} req_v2;

static const points_field v2_fields[] = {
	POINTS_FIELD(req_v2, version, POINTS_FIELD_UINT, POINTS_FIELD_VERSION,
	    1),
	POINTS_FIELD(req_v2, what, POINTS_FIELD_STR, POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(req_v2, amount, POINTS_FIELD_I64, POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(req_v2, idempotency_key, POINTS_FIELD_STR,
	    POINTS_FIELD_KEY, 1),
	POINTS_FIELD(req_v2, actor, POINTS_FIELD_STR, POINTS_FIELD_HASHED, 2),
};
static const size_t v2_sizes[] = {
	0, POINTS_END_OF(req_v2, idempotency_key), POINTS_END_OF(req_v2, actor),
};
static const req_v2 v2_defaults = { 2, NULL, 0, NULL, "nobody" };
static const points_reqtype v2_type = {
	"test request", sizeof(req_v2), 2, v2_sizes, &v2_defaults, v2_fields,
	sizeof(v2_fields) / sizeof(v2_fields[0]),
	offsetof(req_v2, idempotency_key),
};
/* the same request as version 1 knew it */
static const points_reqtype v1_type = {
	"test request", POINTS_END_OF(req_v2, idempotency_key), 1, v2_sizes,
	&v2_defaults, v2_fields, 4, offsetof(req_v2, idempotency_key),
};

static req_v2 seen; /* what the body was given */

static int
v2_validate(points_db *d, const points_write_op *op, const void *req,
    void *ctx)
{
	(void)d;
	(void)op;
	(void)ctx;
	memcpy(&seen, req, sizeof(seen));
	return POINTS_OK;
}

static int
v2_body(points_db *d, const points_write_op *op, const void *req, void *ctx,
    void *result, int64_t *seq)
{
	const req_v2 *r = req;

	(void)d;
	(void)op;
	(void)ctx;
	*(int64_t *)result = r->amount * 2;
	*seq = 1;
	return POINTS_OK;
}

static const points_write_op v2_op = {
	"test write", 200, &v2_type, sizeof(int64_t), v2_validate, v2_body,
	NULL, NULL, NULL,
};
static const points_write_op v1_op = {
	"test write", 200, &v1_type, sizeof(int64_t), v2_validate, v2_body,
	NULL, NULL, NULL,
};

START_TEST(test_field_added_later_changes_no_old_fingerprint)
{
	char nobody[] = "nobody"; /* the default's text, not its pointer */
	req_v2 r = { 2, "x", 5, "k", nobody };
	unsigned char v1[16], v2[16];

	assert_table_covers_struct(&v2_type);
	ck_assert_int_eq(points_write__fingerprint(&v1_op, &r, v1), POINTS_OK);
	/* at its default: as before the field existed */
	ck_assert_int_eq(points_write__fingerprint(&v2_op, &r, v2), POINTS_OK);
	ck_assert_mem_eq(v1, v2, 16);
	/* anything else is another request, NULL included */
	r.actor = "alice";
	ck_assert_int_eq(points_write__fingerprint(&v2_op, &r, v2), POINTS_OK);
	ck_assert(memcmp(v1, v2, 16) != 0);
	r.actor = NULL;
	ck_assert_int_eq(points_write__fingerprint(&v2_op, &r, v2), POINTS_OK);
	ck_assert(memcmp(v1, v2, 16) != 0);
}
END_TEST

/* A caller of version 1 passes a struct without actor: the library
 * reads only version 1's bytes, and actor takes its default. */
START_TEST(test_older_request_is_read_up_to_its_version)
{
	struct {
		req_v2 r;
		unsigned char guard[8];
	} mem;
	int64_t out = 0;

	memset(&mem, 0x5a, sizeof(mem));
	mem.r.version = 1;
	mem.r.what = "x";
	mem.r.amount = 21;
	mem.r.idempotency_key = NULL;
	/* mem.r.actor is garbage: beyond what version 1 has */
	ck_assert_int_eq(points_write__run(db, &v2_op, &mem.r, NULL, &out),
	    POINTS_OK);
	ck_assert_int_eq(out, 42);
	ck_assert_uint_eq(seen.version, 1);
	ck_assert_str_eq(seen.actor, "nobody");
	ck_assert_int_eq(seen.amount, 21);

	mem.r.version = 2;
	mem.r.actor = "alice";
	ck_assert_int_eq(points_write__run(db, &v2_op, &mem.r, NULL, &out),
	    POINTS_OK);
	ck_assert_str_eq(seen.actor, "alice");
}
END_TEST

/* Version 0, a version newer than the library's, a NULL request or out:
 * refused, with a message, before anything is read or written. */
START_TEST(test_bad_request_versions_are_refused)
{
	const write_case *wc = &cases[_i];
	points_txn t;
	any_req r;

	wc->prepare(&r);
	r.version = 0;
	TU_FAILS(db, wc->call(db, &r, &t), POINTS_EVERSION);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "version 0"));
	r.version = wc->op->req->version + 1;
	TU_FAILS(db, wc->call(db, &r, &t), POINTS_EVERSION);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "not supported"));
	r.version = wc->op->req->version;
	TU_FAILS(db, wc->call(db, &r, NULL), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "out is required");
	TU_FAILS(db, wc->call(db, NULL, &t), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "is required"));
}
END_TEST

/* ---- *_init: the caller's version, only its bytes ---- */

typedef struct init_case {
	const char *name;
	int (*init)(void *req, unsigned int version);
	unsigned int version; /* the header's POINTS_*_VERSION */
	size_t size;          /* the header's sizeof */
	const void *want;     /* POINTS_*_INIT */
} init_case;

static int
init_posting(void *r, unsigned int v)
{
	return points_posting_init(r, v);
}

static int
init_reversal(void *r, unsigned int v)
{
	return points_reversal_init(r, v);
}

static int
init_capture(void *r, unsigned int v)
{
	return points_capture_init(r, v);
}

static int
init_release(void *r, unsigned int v)
{
	return points_release_init(r, v);
}

static const points_posting want_posting = POINTS_POSTING_INIT;
static const points_reversal want_reversal = POINTS_REVERSAL_INIT;
static const points_capture want_capture = POINTS_CAPTURE_INIT;
static const points_release want_release = POINTS_RELEASE_INIT;

static const init_case inits[] = {
	{ "posting", init_posting, POINTS_POSTING_VERSION,
	    sizeof(points_posting), &want_posting },
	{ "reversal", init_reversal, POINTS_REVERSAL_VERSION,
	    sizeof(points_reversal), &want_reversal },
	{ "capture", init_capture, POINTS_CAPTURE_VERSION,
	    sizeof(points_capture), &want_capture },
	{ "release", init_release, POINTS_RELEASE_VERSION,
	    sizeof(points_release), &want_release },
};

/* Memory for a request struct and what lies after it. */
typedef union init_mem {
	any_req r;
	unsigned char b[sizeof(any_req) + 64];
} init_mem;

START_TEST(test_init_writes_only_its_versions_bytes)
{
	const init_case *c = &inits[_i];
	init_mem mem, fresh;

	memset(&fresh, 0xa5, sizeof(fresh));
	mem = fresh;
	ck_assert_int_eq(c->init(&mem, c->version), POINTS_OK);
	/* the bytes of POINTS_*_INIT (both come from static initializers,
	 * whose padding is zero) ... */
	ck_assert_mem_eq(mem.b, c->want, c->size);
	/* ... and not one byte past the struct of that version */
	ck_assert_mem_eq(mem.b + c->size, fresh.b + c->size,
	    sizeof(mem) - c->size);
	/* refused: nothing written */
	mem = fresh;
	ck_assert_int_eq(c->init(&mem, 0), POINTS_EVERSION);
	ck_assert_int_eq(c->init(&mem, c->version + 1), POINTS_EVERSION);
	ck_assert_mem_eq(mem.b, fresh.b, sizeof(mem));
	ck_assert_int_eq(c->init(NULL, c->version), POINTS_EINVAL);
}
END_TEST

/* ---- Retries: a store that reports conflicts ---- */

/* A host store over the memory store whose commit (or put) reports
 * POINTS_ERETRY, as an optimistic store does when another writer won,
 * the next n times. */
typedef struct conflict_store {
	points_store base;
	points_store *inner;
	int commit_conflicts, put_conflicts, get_conflicts;
	long begins, commits, puts, gets;
} conflict_store;

#define CS(s) ((conflict_store *)(s))

static int
cs_keyspace(points_store *s, const char *name, unsigned int flags,
    points_keyspace **out)
{
	return CS(s)->inner->keyspace(CS(s)->inner, name, flags, out);
}

static int
cs_begin(points_store *s, int write)
{
	if (write)
		CS(s)->begins++;
	return CS(s)->inner->begin(CS(s)->inner, write);
}

static int
cs_commit(points_store *s)
{
	CS(s)->commits++;
	if (CS(s)->commit_conflicts > 0) {
		CS(s)->commit_conflicts--;
		return POINTS_ERETRY; /* the caller rolls back */
	}
	return CS(s)->inner->commit(CS(s)->inner);
}

static int
cs_rollback(points_store *s)
{
	return CS(s)->inner->rollback(CS(s)->inner);
}

static int
cs_get(points_store *s, points_keyspace *ks, const void *k, size_t kl,
    const void **v, size_t *vl)
{
	CS(s)->gets++;
	if (CS(s)->get_conflicts > 0) {
		CS(s)->get_conflicts--;
		return POINTS_ERETRY;
	}
	return CS(s)->inner->get(CS(s)->inner, ks, k, kl, v, vl);
}

static int
cs_put(points_store *s, points_keyspace *ks, const void *k, size_t kl,
    const void *v, size_t vl)
{
	CS(s)->puts++;
	if (CS(s)->put_conflicts > 0) {
		CS(s)->put_conflicts--;
		return POINTS_ERETRY;
	}
	return CS(s)->inner->put(CS(s)->inner, ks, k, kl, v, vl);
}

static int
cs_del(points_store *s, points_keyspace *ks, const void *k, size_t kl)
{
	return CS(s)->inner->del(CS(s)->inner, ks, k, kl);
}

static int
cs_cursor_open(points_store *s, points_keyspace *ks, const void *lo,
    size_t lolen, const void *hi, size_t hilen, int reverse,
    points_cursor **out)
{
	return CS(s)->inner->cursor_open(CS(s)->inner, ks, lo, lolen, hi,
	    hilen, reverse, out);
}

static int
cs_cursor_next(points_store *s, points_cursor *c, const void **k,
    size_t *kl, const void **v, size_t *vl)
{
	return CS(s)->inner->cursor_next(CS(s)->inner, c, k, kl, v, vl);
}

static void
cs_cursor_close(points_store *s, points_cursor *c)
{
	CS(s)->inner->cursor_close(CS(s)->inner, c);
}

static void
cs_close(points_store *s)
{
	points_store_close(CS(s)->inner);
	CS(s)->inner = NULL;
}

static conflict_store cstore;

static int64_t
cs_clock(void *ctx)
{
	(void)ctx;
	return tu_now;
}

/* The fixture's ledger, over a conflict store. */
static void
setup_conflicts(void)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	int rc;

	memset(&cstore, 0, sizeof(cstore));
	cstore.base.version = POINTS_STORE_VERSION;
	cstore.base.name = "conflicting";
	cstore.base.keyspace = cs_keyspace;
	cstore.base.begin = cs_begin;
	cstore.base.commit = cs_commit;
	cstore.base.rollback = cs_rollback;
	cstore.base.get = cs_get;
	cstore.base.put = cs_put;
	cstore.base.del = cs_del;
	cstore.base.cursor_open = cs_cursor_open;
	cstore.base.cursor_next = cs_cursor_next;
	cstore.base.cursor_close = cs_cursor_close;
	cstore.base.close = cs_close;
	ck_assert_int_eq(points_store_open("memory:", &cstore.inner),
	    POINTS_OK);
	tu_now = TU_T0;
	o.clock = cs_clock;
	rc = points_open_store(&cstore.base, &o, &db);
	ck_assert_msg(rc == POINTS_OK, "open: %s", points_errmsg(db));
	ck_assert_int_eq(points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	carol = tu_account(db, "E1003");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1000, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 1000, NULL), POINTS_OK);
}

static void
teardown_conflicts(void)
{
	points_close(db);
	db = NULL;
	points_store_close(&cstore.base);
	tu_snap_free();
}

static void
arm(int commits, int puts, int gets)
{
	cstore.commit_conflicts = commits;
	cstore.put_conflicts = puts;
	cstore.get_conflicts = gets;
	cstore.begins = cstore.commits = cstore.puts = cstore.gets = 0;
}

/* The commit conflicts n times (n < the attempts): the operation runs
 * again from the start and its effect is there once. */
START_TEST(test_conflicting_commit_is_retried)
{
	static const int conflicts[] = { 1, 3, POINTS_WRITE_ATTEMPTS - 1 };
	int n = conflicts[_i];
	points_posting p = tu_posting("PTS", alice, 10);
	points_txn t, again;
	int64_t before = tu_available(db, alice, "PTS");

	p.idempotency_key = "retried";
	arm(n, 0, 0);
	ck_assert_msg(points_earn(db, &p, &t) == POINTS_OK, "%s",
	    points_errmsg(db));
	ck_assert_int_eq(cstore.begins, n + 1);
	ck_assert_int_eq(cstore.commits, n + 1);
	ck_assert_int_eq(t.replayed, 0);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), before + 10);
	/* the key was recorded once, with the committed attempt */
	ck_assert_int_eq(points_earn(db, &p, &again), POINTS_OK);
	ck_assert_int_eq(again.replayed, 1);
	ck_assert_str_eq(again.id, t.id);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), before + 10);
	tu_invariants(db);
}
END_TEST

/* Conflicting on every attempt: POINTS_ERETRY after exactly
 * POINTS_WRITE_ATTEMPTS, nothing written, output untouched. */
START_TEST(test_retry_gives_up_after_the_last_attempt)
{
	points_posting p = tu_posting("PTS", alice, 10);
	points_txn t;
	char want[64];

	arm(POINTS_WRITE_ATTEMPTS, 0, 0);
	memset(&t, 0xa5, sizeof(t));
	TU_FAILS(db, points_earn(db, &p, &t), POINTS_ERETRY);
	ck_assert_int_eq(cstore.begins, POINTS_WRITE_ATTEMPTS);
	ck_assert_int_eq(cstore.commits, POINTS_WRITE_ATTEMPTS);
	ck_assert_int_eq(t.replayed, (int)0xa5a5a5a5);
	snprintf(want, sizeof(want), "earn: still conflicting after %d "
	    "attempts", POINTS_WRITE_ATTEMPTS);
	ck_assert_msg(strstr(points_errmsg(db), want) != NULL, "message: %s",
	    points_errmsg(db));
	/* and the next call starts afresh */
	arm(0, 0, 0);
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(cstore.begins, 1);
	tu_invariants(db);
}
END_TEST

/* Every write goes through the skeleton: a conflict at the commit, and
 * one in the body (a put), are retried, and the write happens once. */
START_TEST(test_every_write_retries_a_conflict)
{
	const write_case *wc = &cases[_i / 2];
	int in_body = _i % 2;
	points_txn t, again;
	any_req r;
	int rc;

	wc->prepare(&r);
	set_key(wc, &r, "once");
	arm(in_body ? 0 : 1, in_body ? 1 : 0, 0);
	rc = wc->call(db, &r, &t);
	ck_assert_msg(rc == POINTS_OK, "%s: %s", wc->name, points_errmsg(db));
	ck_assert_int_eq(cstore.begins, 2);
	ck_assert_int_eq(cstore.commit_conflicts + cstore.put_conflicts, 0);
	tu_snap(db);
	arm(0, 0, 0);
	ck_assert_int_eq(wc->call(db, &r, &again), POINTS_OK);
	ck_assert_int_eq(again.replayed, 1);
	ck_assert_str_eq(again.id, t.id);
	tu_unchanged(db);
	tu_invariants(db);
}
END_TEST

/* Inside a batch nothing is retried: the batch's transaction is lost
 * (also when the conflict comes before the operation wrote anything: a
 * read), the code comes back at once, and the batch is dead. */
START_TEST(test_conflict_inside_a_batch_is_not_retried)
{
	points_txn t;
	int64_t before = tu_available(db, alice, "PTS");
	int on_read = _i;

	tu_snap(db);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_OK);
	arm(0, on_read ? 0 : 1, on_read ? 1 : 0);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 7, &t), POINTS_ERETRY);
	ck_assert_int_eq(points_errcode(db), POINTS_ERETRY);
	/* one attempt, no more */
	ck_assert_int_eq(on_read ? cstore.gets : cstore.puts, 1);
	arm(0, 0, 0);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_ESTATE);
	ck_assert_int_eq(points_batch_commit(db), POINTS_ESTATE);
	ck_assert_int_eq(cstore.commits, 0);
	tu_unchanged(db);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), before);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_OK);
	tu_invariants(db);
}
END_TEST

/* The commit of a batch is the caller's to retry: the library cannot
 * run the batch's operations again. */
START_TEST(test_conflicting_batch_commit_is_returned)
{
	tu_snap(db);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_OK);
	arm(1, 0, 0);
	ck_assert_int_eq(points_batch_commit(db), POINTS_ERETRY);
	ck_assert_int_eq(cstore.commits, 1);
	tu_unchanged(db);
	tu_invariants(db);
}
END_TEST

/* ---- Which error wins ----
 *
 * When several errors apply at once, the order is (README, "What a
 * model of the ledger has to know"): the request's own fields, then the
 * idempotency key (its record replays or conflicts before the ledger is
 * read), then the asset, then each account (exists, kind, closed,
 * frozen; the user side first), then the asset's policy, then the
 * funds.  Each test takes the errors away one at a time; every refusal
 * changes nothing. */

static int
spend_of(int64_t account, const char *asset, int64_t amount)
{
	points_posting p = tu_posting(asset, account, amount);
	points_txn t;

	return points_spend(db, &p, &t);
}

static int
transfer_of(int64_t from, int64_t to, int64_t amount)
{
	points_posting p = tu_posting("PTS", from, amount);
	points_txn t;

	p.counterparty = to;
	return points_transfer(db, &p, &t);
}

static void
errmsg_has(const char *what)
{
	ck_assert_msg(strstr(points_errmsg(db), what) != NULL,
	    "message '%s' does not name '%s'", points_errmsg(db), what);
}

/* carol has nothing and is frozen; the spend names an unknown asset
 * and an amount of 0: four errors, and the argument wins. */
START_TEST(test_bad_argument_then_asset_then_status_then_funds)
{
	ck_assert_int_eq(points_account_freeze(db, carol), POINTS_OK);
	TU_FAILS(db, spend_of(carol, "NOPE", 0), POINTS_EINVAL);
	errmsg_has("amount must be positive");
	TU_FAILS(db, spend_of(carol, "NOPE", 50), POINTS_ENOTFOUND);
	errmsg_has("asset NOPE not found");
	TU_FAILS(db, spend_of(carol, "PTS", 50), POINTS_EFROZEN);
	errmsg_has("account E1003 is frozen");
	ck_assert_int_eq(points_account_unfreeze(db, carol), POINTS_OK);
	TU_FAILS(db, spend_of(carol, "PTS", 50), POINTS_EINSUFFICIENT);
	errmsg_has("account E1003: insufficient points");
	/* an unknown account comes after an unknown asset too */
	TU_FAILS(db, spend_of(999, "NOPE", 50), POINTS_ENOTFOUND);
	errmsg_has("asset NOPE not found");
	TU_FAILS(db, spend_of(999, "PTS", 50), POINTS_ENOTFOUND);
	errmsg_has("account 999 not found");
}
END_TEST

/* A transfer from frozen carol, who has nothing, to a closed account,
 * in an asset that may not be transferred: the sender's status, then
 * the receiver's, then the policy, then the funds. */
START_TEST(test_sender_then_receiver_then_policy_then_funds)
{
	points_asset_policy pol = POINTS_ASSET_POLICY_INIT;
	int64_t gone = tu_account(db, "E1009");

	ck_assert_int_eq(points_account_close(db, gone), POINTS_OK);
	ck_assert_int_eq(points_account_freeze(db, carol), POINTS_OK);
	pol.flags = POINTS_ASSET_NO_TRANSFER;
	ck_assert_int_eq(points_asset_policy_set(db, "PTS", &pol), POINTS_OK);
	TU_FAILS(db, transfer_of(carol, gone, 50), POINTS_EFROZEN);
	errmsg_has("account E1003 is frozen");
	ck_assert_int_eq(points_account_unfreeze(db, carol), POINTS_OK);
	TU_FAILS(db, transfer_of(carol, gone, 50), POINTS_ECLOSED);
	errmsg_has("account E1009 is closed");
	TU_FAILS(db, transfer_of(carol, 999, 50), POINTS_ENOTFOUND);
	errmsg_has("account 999 not found");
	TU_FAILS(db, transfer_of(carol, bob, 50), POINTS_ESTATE);
	errmsg_has("asset PTS");
	pol.flags = 0;
	ck_assert_int_eq(points_asset_policy_set(db, "PTS", &pol), POINTS_OK);
	TU_FAILS(db, transfer_of(carol, bob, 50), POINTS_EINSUFFICIENT);
	errmsg_has("account E1003: insufficient points");
}
END_TEST

/* The key is checked after the request's fields and decides before the
 * ledger is read: a recorded request replays whatever changed since,
 * another one under its key conflicts, whatever else is wrong with it. */
START_TEST(test_key_comes_after_the_fields_and_before_the_ledger)
{
	points_posting p = tu_posting("PTS", alice, 5);
	points_txn t;

	p.idempotency_key = "";
	p.amount = 0;
	TU_FAILS(db, points_spend(db, &p, &t), POINTS_EINVAL);
	errmsg_has("amount must be positive");
	p.amount = 5;
	TU_FAILS(db, points_spend(db, &p, &t), POINTS_EINVAL);
	errmsg_has("idempotency key is empty");
	p.idempotency_key = "k-precedence";
	ck_assert_int_eq(points_spend(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(points_account_freeze(db, alice), POINTS_OK);
	ck_assert_int_eq(points_spend(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(t.replayed, 1);
	p.asset = "NOPE";
	p.amount = 5000;
	TU_FAILS(db, points_spend(db, &p, &t), POINTS_ECONFLICT);
}
END_TEST

/* A reversal: the original's state, then the amount left, then the
 * accounts (a frozen one does not refuse), then the funds. */
START_TEST(test_reversal_state_then_amount_then_funds)
{
	points_txn e, r;

	ck_assert_int_eq(tu_earn(db, carol, "PTS", 10, &e), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, carol, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(points_account_freeze(db, carol), POINTS_OK);
	{
		points_reversal q = POINTS_REVERSAL_INIT;

		q.txn_id = e.id;
		q.amount = 50;
		q.flags = POINTS_REVERSE_NO_DEBT;
		TU_FAILS(db, points_reverse(db, &q, &r), POINTS_EINVAL);
		errmsg_has("exceeds the 10 left");
		q.amount = 5;
		TU_FAILS(db, points_reverse(db, &q, &r), POINTS_EINSUFFICIENT);
		errmsg_has("POINTS_REVERSE_NO_DEBT");
		q.flags = 0;
		q.amount = 0;
		ck_assert_int_eq(points_reverse(db, &q, &r), POINTS_OK);
		ck_assert_int_eq(r.debt, 10);
		q.amount = 50;
		TU_FAILS(db, points_reverse(db, &q, &r), POINTS_ESTATE);
		errmsg_has("already fully reversed");
	}
}
END_TEST

static Suite *
write_suite(void)
{
	Suite *s = suite_create("write");
	TCase *tc;

	tc = tcase_create("fingerprint");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_forfeit_table_declares_every_member);
	tcase_add_loop_test(tc, test_field_tables_declare_every_member, 0,
	    NCASES);
	tcase_add_loop_test(tc,
	    test_changing_any_field_under_the_same_key_conflicts, 0, NCASES);
	tcase_add_loop_test(tc, test_same_request_under_the_same_key_replays,
	    0, NCASES);
	tcase_add_loop_test(tc, test_same_key_on_another_operation_conflicts,
	    0, NCASES);
	tcase_add_test(tc, test_retry_to_another_counterparty_conflicts);
	tcase_add_loop_test(tc, test_empty_key_is_refused, 0, NCASES);
	tcase_add_test(tc, test_adjust_int64_min_is_out_of_range);
	tcase_add_test(tc, test_fingerprints_keep_the_format_of_0_1_0);
	tcase_add_test(tc, test_key_recorded_by_0_1_0_replays);
	tcase_add_test(tc, test_field_added_later_changes_no_old_fingerprint);
	suite_add_tcase(s, tc);

	tc = tcase_create("version");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_older_request_is_read_up_to_its_version);
	tcase_add_loop_test(tc, test_bad_request_versions_are_refused, 0,
	    NCASES);
	tcase_add_loop_test(tc, test_init_writes_only_its_versions_bytes, 0,
	    (int)(sizeof(inits) / sizeof(inits[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("retry");
	tcase_add_checked_fixture(tc, setup_conflicts, teardown_conflicts);
	tcase_add_loop_test(tc, test_conflicting_commit_is_retried, 0, 3);
	tcase_add_test(tc, test_retry_gives_up_after_the_last_attempt);
	tcase_add_loop_test(tc, test_every_write_retries_a_conflict, 0,
	    2 * NCASES);
	tcase_add_loop_test(tc, test_conflict_inside_a_batch_is_not_retried,
	    0, 2);
	tcase_add_test(tc, test_conflicting_batch_commit_is_returned);
	suite_add_tcase(s, tc);

	tc = tcase_create("precedence");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bad_argument_then_asset_then_status_then_funds);
	tcase_add_test(tc, test_sender_then_receiver_then_policy_then_funds);
	tcase_add_test(tc, test_key_comes_after_the_fields_and_before_the_ledger);
	tcase_add_test(tc, test_reversal_state_then_amount_then_funds);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(write_suite());
}
