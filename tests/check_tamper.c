/* check_tamper.c - what someone with write access to the store can do,
 * and that points_verify finds it: a table of edits made on the stored
 * records (as the sqlite3 shell would: change a value, delete a record,
 * add one, recompute the hash chain, put back an older copy), each
 * against the memory and the SQLite backend and at several chunk sizes.
 * An edit that keeps the ledger consistent (a chain recomputed after
 * the edit, a log cut short with its balances, an older copy) is found
 * only against a head kept outside the ledger: for those the test also
 * shows that plain verification passes.  The later cases are the
 * arithmetic (defect 6), the number of assets (defect 1) and the
 * statement links (defect 7). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "util/codec.h"
#include "ledger/entry.h"
#include "ledger/hold.h"
#include "ledger/verify.h"

static points_db *db;
static int64_t alice, bob;
static uint32_t exp_id, pts_id;
static points_txn t_earn, t_spend, t_rev, t_rev2, t_hold_c, t_hold_o, t_last,
    t_x;
static points_chain_head head;

/* ---- Raw access to the stored records ---- */

static points_keyspace *
ks(const char *name)
{
	return tu_keyspace(db, name);
}

static void
be64(unsigned char k[8], int64_t v)
{
	points_codec__put_be64(k, (uint64_t)v);
}

/* A copy of a record (free it), NULL when missing. */
static unsigned char *
raw_get(const char *space, const void *k, size_t kl, size_t *vl)
{
	points_store *s = tu_store(db);
	const void *v;
	unsigned char *out = NULL;
	int rc;

	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	rc = s->get(s, ks(space), k, kl, &v, vl);
	if (rc == POINTS_OK) {
		out = malloc(*vl + 1);
		ck_assert_ptr_nonnull(out);
		memcpy(out, v, *vl);
	} else {
		ck_assert_int_eq(rc, POINTS_ENOTFOUND);
	}
	s->rollback(s);
	return out;
}

static void
raw_put(const char *space, const void *k, size_t kl, const void *v,
    size_t vl)
{
	points_store *s = tu_store(db);

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, ks(space), k, kl, v, vl), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

static void
raw_del(const char *space, const void *k, size_t kl)
{
	points_store *s = tu_store(db);

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->del(s, ks(space), k, kl), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

static void
uuid_of(const char *text, unsigned char out[16])
{
	ck_assert_int_eq(points_ids__parse(text, out), 0);
}

/* Every record of every keyspace, to put back later: an older copy. */
typedef struct saved {
	char *space;
	unsigned char *k, *v;
	size_t kl, vl;
} saved;

static saved *copy;
static size_t ncopy;

static void
copy_all(void)
{
	points_store *s = tu_store(db);
	points_module *m;
	points_ksdef *const *d;
	int rc;

	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	for (m = points_module__first(); m; m = m->next)
	for (d = m->keyspaces; d && *d; d++) {
		points_cursor *c;
		const void *k, *v;
		size_t kl, vl;

		ck_assert_int_eq(s->cursor_open(s, ks((*d)->name), NULL, 0,
		    NULL, 0, 0, &c), POINTS_OK);
		while ((rc = s->cursor_next(s, c, &k, &kl, &v, &vl)) ==
		    POINTS_OK) {
			saved *x;

			copy = realloc(copy, (ncopy + 1) * sizeof(*copy));
			ck_assert_ptr_nonnull(copy);
			x = &copy[ncopy++];
			x->space = strdup((*d)->name);
			x->k = malloc(kl + 1);
			x->v = malloc(vl + 1);
			ck_assert(x->space && x->k && x->v);
			memcpy(x->k, k, kl);
			memcpy(x->v, v, vl);
			x->kl = kl;
			x->vl = vl;
		}
		ck_assert_int_eq(rc, POINTS_ITEROVER);
		s->cursor_close(s, c);
	}
	s->rollback(s);
}

static void
copy_free(void)
{
	size_t i;

	for (i = 0; i < ncopy; i++) {
		free(copy[i].space);
		free(copy[i].k);
		free(copy[i].v);
	}
	free(copy);
	copy = NULL;
	ncopy = 0;
}

/* Put the copy back in place of everything: the file replaced by an
 * older copy of itself. */
static void
restore_all(void)
{
	points_store *s = tu_store(db);
	points_module *m;
	points_ksdef *const *d;
	size_t i;

	for (m = points_module__first(); m; m = m->next)
	for (d = m->keyspaces; d && *d; d++) {
		unsigned char keys[64][64];
		size_t n;

		do { /* keys of one length at a time is all collect gives */
			points_cursor *c;
			const void *k, *v;
			size_t kl, vl;

			n = 0;
			ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
			ck_assert_int_eq(s->cursor_open(s, ks((*d)->name),
			    NULL, 0, NULL, 0, 0, &c), POINTS_OK);
			while (n < 64 && s->cursor_next(s, c, &k, &kl, &v,
			    &vl) == POINTS_OK) {
				ck_assert_uint_lt(kl, 63);
				keys[n][0] = (unsigned char)kl;
				memcpy(keys[n] + 1, k, kl);
				n++;
			}
			s->cursor_close(s, c);
			for (i = 0; i < n; i++)
				ck_assert_int_eq(s->del(s, ks((*d)->name),
				    keys[i] + 1, keys[i][0]), POINTS_OK);
			ck_assert_int_eq(s->commit(s), POINTS_OK);
		} while (n == 64);
	}
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	for (i = 0; i < ncopy; i++)
		ck_assert_int_eq(s->put(s, ks(copy[i].space), copy[i].k,
		    copy[i].kl, copy[i].v, copy[i].vl), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

/* ---- Records decoded, changed and put back ---- */

static void
balance_edit(int64_t account, uint32_t asset,
    void (*edit)(points_balance_rec *))
{
	points_store *s = tu_store(db);
	points_balance_rec b;

	points_balance__init(&b, account, asset, 0);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(points_balance__load(db, &b), POINTS_OK);
	ck_assert(b.found);
	edit(&b);
	ck_assert_int_eq(points_balance__store(db, &b, 0), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	points_balance__free(&b);
}

/* The entry at seq re-encoded after edit, keeping its stored hash. */
static void
entry_edit(int64_t seq, void (*edit)(points_entry_rec *), int rechain)
{
	points_store *s = tu_store(db);
	unsigned char k[8], prev[POINTS_HASH_LEN], h[POINTS_HASH_LEN];
	const void *v;
	size_t vl;
	int64_t i, last = head.seq;
	points_entry_rec e;
	points_buf b;

	points_buf__init(&b);
	points_entry__init(&e, 0, 0, 0);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	memset(prev, 0, sizeof(prev));
	/* the first entry of its log partition links to zeros */
	if (seq > points_entry__part_first(points_entry__seq_partition(seq))) {
		be64(k, seq - 1);
		ck_assert_int_eq(s->get(s, ks("entry"), k, 8, &v, &vl),
		    POINTS_OK);
		memcpy(prev, (const unsigned char *)v + vl - POINTS_HASH_LEN,
		    POINTS_HASH_LEN);
	}
	for (i = seq; i <= (rechain ? last : seq); i++) {
		be64(k, i);
		ck_assert_int_eq(s->get(s, ks("entry"), k, 8, &v, &vl),
		    POINTS_OK);
		ck_assert_int_eq(points_entry__decode(db, i, v, vl, &e),
		    POINTS_OK);
		memcpy(h, (const unsigned char *)v + vl - POINTS_HASH_LEN,
		    POINTS_HASH_LEN);
		if (i == seq)
			edit(&e);
		ck_assert_int_eq(points_entry__encode(db, &e, &b), POINTS_OK);
		if (rechain)
			ck_assert_int_eq(points_entry__hash(db, prev, i, b.data,
			    b.len, h), POINTS_OK);
		memcpy(prev, h, sizeof(h));
		points_buf__bytes(&b, h, POINTS_HASH_LEN);
		ck_assert_int_eq(s->put(s, ks("entry"), k, 8, b.data, b.len),
		    POINTS_OK);
	}
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	points_entry__free(&e);
	points_buf__free(&b);
}

/* A hold record in hold.c's layout, after edit. */
static void
hold_edit(const char *id, void (*edit)(points_hold_rec *))
{
	unsigned char k[16], *v;
	size_t vl, i;
	points_hold_rec h;
	points_buf b;

	uuid_of(id, k);
	v = raw_get("hold", k, 16, &vl);
	ck_assert_ptr_nonnull(v);
	memset(&h, 0, sizeof(h));
	ck_assert_int_eq(points_hold__decode(db, k, id, v, vl, &h), POINTS_OK);
	free(v);
	edit(&h);
	points_buf__init(&b);
	points_buf__u8(&b, 1);
	points_buf__u8(&b, (unsigned)h.state);
	points_buf__uvar(&b, (uint64_t)h.account);
	points_buf__uvar(&b, h.asset);
	points_buf__uvar(&b, (uint64_t)h.amount);
	points_buf__uvar(&b, (uint64_t)h.captured);
	points_buf__svar(&b, h.expires_at);
	points_buf__uvar(&b, (uint64_t)h.seq);
	points_buf__uvar(&b, h.lots.n);
	for (i = 0; i < h.lots.n; i++) {
		points_buf__uvar(&b, h.lots.v[i].day);
		points_buf__uvar(&b, (uint64_t)h.lots.v[i].amount);
	}
	raw_put("hold", k, 16, b.data, b.len);
	points_buf__free(&b);
	points_lotlist__free(&h.lots);
}

static void
idem_put(const char *key, int64_t seq)
{
	unsigned char *v;
	size_t vl;
	points_buf b;

	v = raw_get("idem", key, strlen(key), &vl);
	ck_assert_ptr_nonnull(v);
	points_buf__init(&b);
	points_buf__u8(&b, 1);
	points_buf__uvar(&b, (uint64_t)seq);
	points_buf__bytes(&b, v + vl - 16, 16); /* the fingerprint kept */
	raw_put("idem", key, strlen(key), b.data, b.len);
	points_buf__free(&b);
	free(v);
}

/* ---- The ledger the edits are made on ---- */

static const char *uris[] = { TU_MEMORY, NULL /* SQLite */ };

static void
build(int backend)
{
	points_posting p;
	points_asset_rec a;
	points_store *s;

	tu_now = TU_T0;
	db = tu_open(backend ? tu_sqlite_uri() : uris[0]);
	alice = tu_account(db, "E1001");
	/* with the log in partitions, in alice's: one chain holds every
	 * entry of the ledger (ledger/entry.h) */
	bob = tu_account_near(db, "E1002", alice);
	p = tu_posting("EXP", alice, 300);
	p.idempotency_key = "k-earn";
	ck_assert_int_eq(points_earn(db, &p, &t_earn), POINTS_OK);
	p = tu_posting("EXP", alice, 50);
	p.idempotency_key = "k-spend";
	ck_assert_int_eq(points_spend(db, &p, &t_spend), POINTS_OK);
	ck_assert_int_eq(tu_reverse(db, t_spend.id, 10, "partly", "k-rev",
	    &t_rev), POINTS_OK);
	ck_assert_int_eq(tu_reverse(db, t_spend.id, 5, "more", "k-rev2",
	    &t_rev2), POINTS_OK);
	p = tu_posting("EXP", alice, 40);
	p.expires_at = TU_T0 + 10 * TU_DAY;
	ck_assert_int_eq(points_hold_create(db, &p, &t_hold_c), POINTS_OK);
	ck_assert_msg(tu_capture(db, t_hold_c.id, 30, 0, "order", &t_x) ==
	    POINTS_OK, "%s", points_errmsg(db));
	p = tu_posting("EXP", alice, 25);
	p.expires_at = TU_T0 + 20 * TU_DAY;
	ck_assert_int_eq(points_hold_create(db, &p, &t_hold_o), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 4, NULL), POINTS_OK);
	p = tu_posting("EXP", alice, 5);
	p.counterparty = bob;
	ck_assert_int_eq(points_transfer(db, &p, &t_x), POINTS_OK);
	/* an older copy, two writes ago */
	copy_all();
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 6, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 7, &t_last), POINTS_OK);
	s = tu_store(db);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(points_asset__find(db, "EXP", &a), POINTS_OK);
	exp_id = a.id;
	ck_assert_int_eq(points_asset__find(db, "PTS", &a), POINTS_OK);
	pts_id = a.id;
	s->rollback(s);
	tu_invariants(db);
	{
		static points_chain_head h[POINTS_ENTRY_PARTITIONS_MAX];
		size_t n, i;

		ck_assert_int_eq(points_chain_heads_get(db, h,
		    POINTS_ENTRY_PARTITIONS_MAX, &n), POINTS_OK);
		for (i = 0; i < n && h[i].partition !=
		    (int64_t)points_entry__seq_partition(t_last.seq); i++)
			;
		ck_assert_uint_lt(i, n);
		head = h[i];
	}
	ck_assert_int_eq(head.seq, t_last.seq);
}

static void
teardown(void)
{
	points_close(db);
	db = NULL;
	copy_free();
	points_verify__chunk = POINTS_VERIFY_CHUNK;
	tu_cleanup();
}

/* ---- The edits ---- */

static void amount_up(points_entry_rec *e) { e->amount += 100; }
static void memo_changed(points_entry_rec *e) { strcpy(e->memo, "forged"); }
static void available_up(points_balance_rec *b) { b->available += 100; }
static void held_down(points_balance_rec *b) { b->held -= 25; b->available += 25; }

static void
lot_up(points_balance_rec *b)
{
	b->lots.v[0].amount += 100;
	b->available += 100;
}

static void
zero_lot(points_balance_rec *b)
{
	ck_assert_int_eq(points_lotlist__add(db, &b->lots,
	    b->lots.v[b->lots.n - 1].day + 1, 0, NULL), POINTS_OK);
}

static void
open_again(points_hold_rec *h)
{
	h->state = POINTS_HOLD_OPEN; /* captured stays: the byte alone */
}

static void
open_again_fully(points_hold_rec *h)
{
	h->state = POINTS_HOLD_OPEN;
	h->captured = 0;
}

static void hold_amount_up(points_hold_rec *h) { h->amount += 1000; }

static void
hold_lots_never(points_hold_rec *h)
{
	h->lots.v[0].day = POINTS_DAY_NEVER;
}

static void
e_entry_amount(void)
{
	entry_edit(t_earn.seq, amount_up, 0);
}

static void
e_rechain(void)
{
	entry_edit(t_earn.seq, memo_changed, 1);
}

/* A link cut to "no previous entry", the chain recomputed: only the
 * links show it (the PTS earn of 7: the issuer pays alice). */
static void link_from_cut(points_entry_rec *e) { e->prev_from = 0; }
static void link_to_cut(points_entry_rec *e) { e->prev_to = 0; }

static void
e_link_from(void)
{
	entry_edit(t_last.seq, link_from_cut, 1);
}

static void
e_link_to(void)
{
	entry_edit(t_last.seq, link_to_cut, 1);
}

static void
e_last_entry_deleted(void)
{
	unsigned char k[8];

	be64(k, t_last.seq);
	raw_del("entry", k, 8);
}

/* The log cut short with its balances: the last earn's entry, its
 * id and both balances as they were before it. */
static void
e_truncated(void)
{
	points_store *s = tu_store(db);
	points_balance_rec b;
	unsigned char u[16];
	unsigned p;

	e_last_entry_deleted();
	uuid_of(t_last.id, u);
	raw_del("txid", u, 16);
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	/* alice's PTS: back to its earn of 4, three entries before */
	points_balance__init(&b, alice, pts_id, 0);
	ck_assert_int_eq(points_balance__load(db, &b), POINTS_OK);
	b.available -= 7;
	b.earned -= 7;
	b.lots.v[0].amount -= 7;
	b.last_seq = t_last.seq - 3;
	ck_assert_int_eq(points_balance__store(db, &b, 0), POINTS_OK);
	points_balance__free(&b);
	/* the issuer's record of alice's partition (ledger/entry.h):
	 * back to bob's earn just before */
	points_balance__init(&b, POINTS_ACCOUNT_ISSUER, pts_id, 1);
	ck_assert_int_eq(points_balance__load(db, &b), POINTS_OK);
	ck_assert_int_eq(points_entry__account_partition(db, alice, &p),
	    POINTS_OK);
	ck_assert_int_eq(points_entry__place_in(db, &b, p), POINTS_OK);
	b.available += 7;
	b.spent -= 7;
	b.last_seq = t_last.seq - 1;
	ck_assert_int_eq(points_balance__store(db, &b, 0), POINTS_OK);
	points_balance__free(&b);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

static void
e_older_copy(void)
{
	restore_all();
}

static void
e_balance_available(void)
{
	balance_edit(bob, pts_id, available_up);
}

static void
e_balance_held(void)
{
	balance_edit(alice, exp_id, held_down);
}

static void
e_lot_amount(void)
{
	balance_edit(alice, exp_id, lot_up);
}

static void
e_zero_lot(void)
{
	balance_edit(alice, exp_id, zero_lot);
}

/* A lot past INT64_MAX, in balance.c's layout. */
static void
e_lot_past_int64(void)
{
	unsigned char k[8];
	points_buf b;

	ck_assert(points_balance__key(bob, exp_id, k));
	points_buf__init(&b);
	points_buf__u8(&b, 1);
	points_buf__uvar(&b, 0);                  /* flags, status */
	points_buf__svar(&b, 5);                  /* available */
	points_buf__svar(&b, 0);
	points_buf__svar(&b, 5);                  /* earned */
	points_buf__svar(&b, 0);
	points_buf__svar(&b, 0);
	points_buf__uvar(&b, (uint64_t)head.seq); /* last_seq */
	points_buf__uvar(&b, 1);                  /* one lot */
	points_buf__uvar(&b, 20000);
	points_buf__uvar(&b, (uint64_t)INT64_MAX + 6);
	points_buf__uvar(&b, 0);                  /* its index key: the day */
	raw_put("bal", k, 8, b.data, b.len);
	points_buf__free(&b);
}

static void
e_hold_captured_to_open(void)
{
	hold_edit(t_hold_c.id, open_again);
}

static void
e_hold_captured_to_open_fully(void)
{
	hold_edit(t_hold_c.id, open_again_fully);
}

static void
e_hold_amount(void)
{
	hold_edit(t_hold_o.id, hold_amount_up);
}

static void
e_hold_deleted(void)
{
	unsigned char k[16];

	uuid_of(t_hold_o.id, k);
	raw_del("hold", k, 16);
}

static void
e_hold_lots(void)
{
	hold_edit(t_hold_o.id, hold_lots_never);
}

static void
e_hold_deadline_deleted(void)
{
	unsigned char k[24];

	be64(k, TU_T0 + 20 * TU_DAY);
	uuid_of(t_hold_o.id, k + 8);
	raw_del("holdexp", k, 24);
}

static void
e_hold_deadline_stray(void)
{
	unsigned char k[24];

	be64(k, TU_T0 + 10 * TU_DAY);
	uuid_of(t_hold_c.id, k + 8);
	raw_put("holdexp", k, 24, "", 0);
}

static void
e_reversal_deleted(void)
{
	unsigned char k[8];

	be64(k, t_spend.seq);
	raw_del("reversed", k, 8);
}

static void
e_reversal_lowered(void)
{
	unsigned char k[8], v[8];

	be64(k, t_spend.seq);
	be64(v, 4);
	raw_put("reversed", k, 8, v, 8);
}

static void
e_idem_to_another_entry(void)
{
	idem_put("k-earn", t_spend.seq);
}

static void
e_idem_past_the_log(void)
{
	idem_put("k-rev", head.seq + 5);
}

static void
e_idem_to_an_expiry(void)
{
	points_store *s = tu_store(db);
	points_entry_rec e;
	int64_t seq;

	/* expiry entries after the lots' expiry (and the hold's release
	 * at its deadline) */
	tu_now = TU_T0 + 400 * TU_DAY;
	ck_assert_int_eq(points_expire_sweep(db, tu_now, NULL), POINTS_OK);
	points_entry__init(&e, 0, 0, 0);
	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	for (seq = head.seq + 1;; seq++) {
		ck_assert_int_eq(points_entry__load(db, seq, &e), POINTS_OK);
		if (e.type == POINTS_TXN_EXPIRE)
			break;
	}
	s->rollback(s);
	points_entry__free(&e);
	idem_put("k-spend", seq);
}

static void
e_txid_to_another_entry(void)
{
	unsigned char u[16], v[8];

	uuid_of(t_earn.id, u);
	be64(v, t_spend.seq);
	raw_put("txid", u, 16, v, 8);
}

static void
e_txid_deleted(void)
{
	unsigned char u[16];

	uuid_of(t_spend.id, u);
	raw_del("txid", u, 16);
}

static void
e_txid_stray(void)
{
	unsigned char u[16], v[8];

	uuid_of(t_earn.id, u);
	u[15] ^= 1; /* another id, next to it */
	be64(v, t_earn.seq);
	raw_put("txid", u, 16, v, 8);
}

/* A stray id that maps past the log's end. */
static void
e_txid_past_the_log(void)
{
	unsigned char u[16], v[8];

	uuid_of(t_last.id, u);
	u[15] ^= 1;
	be64(v, head.seq + 1);
	raw_put("txid", u, 16, v, 8);
}

/* points_account_find("E1001") would answer with bob */
static void
e_extid_to_another_account(void)
{
	unsigned char v[8];

	be64(v, bob);
	raw_put("extid", "E1001", 5, v, 8);
}

static void
e_extid_deleted(void)
{
	raw_del("extid", "E1002", 5);
}

static void
e_extid_stray(void)
{
	unsigned char v[8];

	be64(v, 4242);
	raw_put("extid", "E9999", 5, v, 8);
}

static void
e_account_garbled(void)
{
	unsigned char k[8];

	be64(k, alice);
	raw_put("account", k, 8, "\xff\xff", 2);
}

static void
e_asset_garbled(void)
{
	raw_put("asset", "PTS", 3, "\x07", 1);
}

/* A hold's, a reversal's, an idempotency record's value garbled; keys
 * of the wrong length in the indexes (a stray row added by hand). */
static void
e_hold_garbled(void)
{
	unsigned char k[16];

	uuid_of(t_hold_o.id, k);
	raw_put("hold", k, 16, "\x01", 1);
}

static void
e_hold_key_short(void)
{
	raw_put("hold", "abc", 3, "\x01", 1);
}

static void hold_seq_to_earn(points_hold_rec *h) { h->seq = t_earn.seq; }
static void hold_captured_less(points_hold_rec *h) { h->captured -= 5; }

static void
e_hold_entry_another(void)
{
	hold_edit(t_hold_o.id, hold_seq_to_earn);
}

static void
e_hold_captured_amount(void)
{
	hold_edit(t_hold_c.id, hold_captured_less);
}

static void
e_reversal_garbled(void)
{
	unsigned char k[8];

	be64(k, t_spend.seq);
	raw_put("reversed", k, 8, "\x01", 1);
}

static void
e_reversal_stray(void)
{
	unsigned char k[8], v[8];

	be64(k, t_earn.seq);
	be64(v, 5);
	raw_put("reversed", k, 8, v, 8);
}

static void
e_idem_garbled(void)
{
	raw_put("idem", "k-earn", 6, "\x02\x01", 2);
}

static void
e_txid_key_short(void)
{
	unsigned char v[8];

	be64(v, t_earn.seq);
	raw_put("txid", "abc", 3, v, 8);
}

static void
e_extid_value_short(void)
{
	raw_put("extid", "E7777", 5, "\x01", 1);
}

static void
e_time_key_short(void)
{
	raw_put("entry_time", "abc", 3, "", 0);
}

static void
e_spill_key_short(void)
{
	raw_put("lot_spill", "abc", 3, "\x01", 1);
}

static void
e_sweep_key_short(void)
{
	raw_put("sweep", "abc", 3, "", 0);
}

/* An external id that names an account whose own id is another, keys
 * of the external-id index that no id can be (empty, past the longest),
 * an account key of 3 bytes, an idempotency record with a byte past its
 * end and one garbled under a key too long to show whole. */
static void
e_extid_to_an_account_of_another_id(void)
{
	unsigned char v[8];

	be64(v, alice);
	raw_put("extid", "E7777", 5, v, 8);
}

static void
e_extid_key_empty(void)
{
	unsigned char v[8];

	be64(v, alice);
	raw_put("extid", "", 0, v, 8);
}

static void
e_extid_key_long(void)
{
	char k[POINTS_EXTID_MAX + 1];
	unsigned char v[8];

	memset(k, 'E', sizeof(k));
	be64(v, alice);
	raw_put("extid", k, sizeof(k), v, 8);
}

static void
e_account_key_short(void)
{
	raw_put("account", "abc", 3, "\x01", 1);
}

static void
e_idem_byte_past_its_end(void)
{
	unsigned char *v, *w;
	size_t vl;

	v = raw_get("idem", "k-earn", 6, &vl);
	ck_assert_ptr_nonnull(v);
	w = malloc(vl + 1);
	ck_assert_ptr_nonnull(w);
	memcpy(w, v, vl);
	w[vl] = 0;
	raw_put("idem", "k-earn", 6, w, vl + 1);
	free(w);
	free(v);
}

static void
e_idem_long_key_garbled(void)
{
	char k[200];

	memset(k, 'k', sizeof(k));
	raw_put("idem", k, sizeof(k), "\x02\x01", 2);
}

/* bob's EXP balance rewritten in balance.c's layout with one field out
 * of its range: the version, a debt, the pending items, the lots, the
 * sweep index's offset, the optional fields after the lots.  Each makes
 * the record unreadable.  bal_begin writes the counters of version ver
 * (5 available, 5 earned), bal_lots one lot of 5 on day 20000. */
static void
bal_begin(points_buf *b, unsigned ver)
{
	points_buf__init(b);
	points_buf__u8(b, ver);
	points_buf__uvar(b, 0);  /* flags, status */
	points_buf__svar(b, 5);  /* available */
	points_buf__svar(b, 0);  /* held */
	points_buf__svar(b, 5);  /* earned */
	points_buf__svar(b, 0);  /* spent */
	points_buf__svar(b, 0);  /* expired */
}

static void
bal_lots(points_buf *b, int64_t back)
{
	points_buf__uvar(b, (uint64_t)head.seq); /* last_seq */
	points_buf__uvar(b, 1);
	points_buf__uvar(b, 20000);
	points_buf__uvar(b, 5);
	points_buf__uvar(b, (uint64_t)back);     /* the index key's day */
}

static void
bal_put(points_buf *b)
{
	unsigned char k[8];

	ck_assert(points_balance__key(bob, exp_id, k));
	ck_assert(!b->err);
	raw_put("bal", k, 8, b->data, b->len);
	points_buf__free(b);
}

/* a version 3 record: debt, a count of np pending items and n numbers
 * (day deltas and amounts) */
static void
bal_v3(int64_t debt, uint64_t np, const uint64_t *items, size_t n)
{
	points_buf b;
	size_t i;

	bal_begin(&b, 3);
	points_buf__svar(&b, debt);
	points_buf__uvar(&b, np);
	for (i = 0; i < n; i++)
		points_buf__uvar(&b, items[i]);
	bal_lots(&b, 0);
	bal_put(&b);
}

/* one lot record, then the optional fields (tag, value pairs; a data
 * tag's bytes after its length) */
static void
bal_tail(const uint64_t *tv, size_t n, size_t extra)
{
	points_buf b;
	size_t i;

	bal_begin(&b, 1);
	bal_lots(&b, 0);
	for (i = 0; i < n; i++)
		points_buf__uvar(&b, tv[i]);
	for (i = 0; i < extra; i++)
		points_buf__u8(&b, 1);
	bal_put(&b);
}

static void
b_version_4(void)
{
	points_buf b;

	bal_begin(&b, 4);
	bal_lots(&b, 0);
	bal_put(&b);
}

static void
b_v2_debt_0(void)
{
	points_buf b;

	bal_begin(&b, 2);
	points_buf__svar(&b, 0);
	bal_lots(&b, 0);
	bal_put(&b);
}

static const uint64_t pend_ok[] = { 20001, 3 }, pend_twice[] = { 20001, 3,
    0, 2 }, pend_zero[] = { 20001, 0 };
static void b_v3_debt_negative(void) { bal_v3(-1, 1, pend_ok, 2); }
static void b_v3_no_pending(void) { bal_v3(0, 0, NULL, 0); }
static void b_v3_too_many_pending(void) { bal_v3(0, 4097, pend_ok, 2); }
static void b_v3_pending_day_twice(void) { bal_v3(0, 2, pend_twice, 4); }
static void b_v3_pending_of_0(void) { bal_v3(0, 1, pend_zero, 2); }

static void
b_lot_day_twice(void)
{
	points_buf b;

	bal_begin(&b, 1);
	points_buf__uvar(&b, (uint64_t)head.seq);
	points_buf__uvar(&b, 2);
	points_buf__uvar(&b, 20000);
	points_buf__uvar(&b, 2);
	points_buf__uvar(&b, 0);
	points_buf__uvar(&b, 3);
	points_buf__uvar(&b, 0);
	bal_put(&b);
}

static void
b_index_day_before_day_0(void)
{
	points_buf b;

	bal_begin(&b, 1);
	bal_lots(&b, 20000);
	bal_put(&b);
}

static const uint64_t t_party_twice[] = { 1, 1, 1, 1 }, t_party_0[] = { 1,
    0 }, t_spill_n_alone[] = { 2, 1 }, t_spill_sum_below_n[] = { 2, 3, 3,
    2, 4, 20001 }, t_spill_last_early[] = { 2, 1, 3, 1, 4, 19999 },
    t_unknown[] = { 5, 1 }, t_data_past_max[] = { 64, 1 },
    t_data_empty[] = { 16, 0 }, t_data_past_end[] = { 16, 10 };
static void b_party_twice(void) { bal_tail(t_party_twice, 4, 0); }
static void b_party_0(void) { bal_tail(t_party_0, 2, 0); }
static void b_spill_n_alone(void) { bal_tail(t_spill_n_alone, 2, 0); }
static void b_spill_sum_below_n(void) { bal_tail(t_spill_sum_below_n, 6, 0); }
static void b_spill_last_early(void) { bal_tail(t_spill_last_early, 6, 0); }
static void b_tag_unknown(void) { bal_tail(t_unknown, 2, 0); }
static void b_data_past_max(void) { bal_tail(t_data_past_max, 2, 1); }
static void b_data_empty(void) { bal_tail(t_data_empty, 2, 0); }
static void b_data_past_end(void) { bal_tail(t_data_past_end, 2, 2); }

/* PTS's record rewritten as version 2 (a policy of its own) with flags,
 * a transfer limit and a year-end date (month, day) as given. */
static void
asset_v2(uint64_t flags, uint64_t limit, unsigned month, unsigned day)
{
	unsigned char *v;
	size_t vl;
	points_buf b;

	v = raw_get("asset", "PTS", 3, &vl);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(v[0], 1);
	points_buf__init(&b);
	points_buf__u8(&b, 2);
	points_buf__bytes(&b, v + 1, vl - 1);
	points_buf__uvar(&b, flags);
	points_buf__uvar(&b, limit);
	points_buf__u8(&b, month);
	points_buf__u8(&b, day);
	ck_assert(!b.err);
	raw_put("asset", "PTS", 3, b.data, b.len);
	points_buf__free(&b);
	free(v);
}

static void a_month_13(void) { asset_v2(0, 0, 13, 1); }
static void a_month_0(void) { asset_v2(0, 0, 0, 1); }
static void a_day_0(void) { asset_v2(0, 0, 12, 0); }
static void a_feb_29(void) { asset_v2(0, 0, 2, 29); }
static void a_limit_past_int64(void) { asset_v2(0, (uint64_t)1 << 63, 12, 31); }
static void a_unknown_flag(void) { asset_v2(0x80, 0, 12, 31); }

/* The reversal's entry made to name a later entry, or the capture's a
 * transfer, the chain recomputed: the replay finds it. */
static void rev_of_later(points_entry_rec *e) { e->ref_seq = t_last.seq; }
static void capture_of_earn(points_entry_rec *e) { e->ref_seq = t_earn.seq; }

static void
e_reversal_of_a_later_entry(void)
{
	entry_edit(t_rev.seq, rev_of_later, 1);
}

static void
e_capture_of_no_hold(void)
{
	entry_edit(t_hold_c.seq + 1, capture_of_earn, 1);
}

/* More edits the replay and the record checks must find. */
static void capture_more(points_entry_rec *e) { e->amount = 45; }
static void rev_of_nothing(points_entry_rec *e) { e->ref_seq = 0; }
static void lots_elsewhen(points_entry_rec *e) { e->out_lots.v[0].day += 7; }
static void frozen(points_balance_rec *b) { b->status = POINTS_ACCOUNT_FROZEN; }
static void released(points_hold_rec *h) { h->state = POINTS_HOLD_RELEASED; }
static void hold_of_other(points_hold_rec *h) { h->seq = t_hold_o.seq; }

static void
e_capture_over_the_hold(void)
{
	entry_edit(t_hold_c.seq + 1, capture_more, 1);
}

/* The second reversal says the first returned 3, not 10. */
static void
rev_before_other(points_entry_rec *e)
{
	ck_assert_int_eq(points_entry__ext_set(db, e, POINTS_ENTRY_EXT_REVERSED,
	    "\x03", 1), POINTS_OK);
}

static void
e_reversal_before_other(void)
{
	entry_edit(t_rev2.seq, rev_before_other, 1);
}

static void
e_reversal_of_nothing(void)
{
	entry_edit(t_rev.seq, rev_of_nothing, 1);
}

static void
e_spend_of_lots_never_had(void)
{
	entry_edit(t_spend.seq, lots_elsewhen, 1);
}

static void
e_balance_status(void)
{
	balance_edit(alice, exp_id, frozen);
}

static void
e_hold_captured_to_released(void)
{
	hold_edit(t_hold_c.id, released);
}

static void
e_hold_of_another_hold(void)
{
	hold_edit(t_hold_c.id, hold_of_other);
}

/* A deadline key for a hold that does not exist, and one 3 bytes long. */
static void
e_hold_deadline_of_no_hold(void)
{
	unsigned char k[24];

	be64(k, TU_T0 + 10 * TU_DAY);
	memset(k + 8, 0x5a, 16);
	raw_put("holdexp", k, 24, "", 0);
}

static void
e_hold_deadline_key_short(void)
{
	raw_put("holdexp", "abc", 3, "", 0);
}

typedef struct tamper {
	const char *name;
	void (*edit)(void);
	int head_only;      /* only a kept head shows it */
	const char *needle; /* in the report's message */
} tamper;

static const tamper tampers[] = {
	{ "an entry's amount", e_entry_amount, 0, "hash mismatch" },
	{ "the chain recomputed after editing an entry", e_rechain, 1,
	  "not the kept head's" },
	{ "the spender's link, the chain recomputed", e_link_from, 0,
	  "broken link of account" },
	{ "the receiver's link, the chain recomputed", e_link_to, 0,
	  "broken link of account" },
	{ "the last entry deleted", e_last_entry_deleted, 0,
	  "differs from its entries" },
	{ "the log truncated with its balances", e_truncated, 1,
	  "before the kept head's entry" },
	{ "the file replaced by an older copy", e_older_copy, 1,
	  "before the kept head's entry" },
	{ "a balance's available", e_balance_available, 0,
	  "differs from its entries" },
	{ "a balance's held", e_balance_held, 0, "differs from its entries" },
	{ "a lot's amount", e_lot_amount, 0, "differs from its entries" },
	{ "a lot of zero added", e_zero_lot, 0, "has a lot of 0 points" },
	{ "a lot past INT64_MAX", e_lot_past_int64, 0,
	  "balance record unreadable" },
	{ "a hold's state from captured back to open",
	  e_hold_captured_to_open, 0, "it is open, but entries settled it" },
	{ "a hold from captured back to open, captured cleared",
	  e_hold_captured_to_open_fully, 0,
	  "it is open, but entries settled it" },
	{ "an open hold's amount", e_hold_amount, 0,
	  "its account, asset or amount is not its entry's" },
	{ "an open hold deleted", e_hold_deleted, 0, "made is missing" },
	{ "an open hold's lots made never-expiring", e_hold_lots, 0,
	  "its lots are not those its entry reserved" },
	{ "an open hold's deadline key deleted", e_hold_deadline_deleted, 0,
	  "its deadline is missing" },
	{ "a deadline key for a captured hold", e_hold_deadline_stray, 0,
	  "which is not open with that deadline" },
	{ "the reversal record deleted", e_reversal_deleted, 0,
	  "its reversal record is missing" },
	{ "the reversal record lowered", e_reversal_lowered, 0,
	  "says 4 reversed, its reversal entries 15" },
	{ "an idempotency record pointed at another key's entry",
	  e_idem_to_another_entry, 0, "its entry is another key's too" },
	{ "an idempotency record pointed past the log", e_idem_past_the_log,
	  0, "its entry is not in the log" },
	{ "an idempotency record pointed at an expiry entry",
	  e_idem_to_an_expiry, 0, "its entry is an expiry" },
	{ "a transaction id mapped to another entry",
	  e_txid_to_another_entry, 0, "whose id is another" },
	{ "a transaction id deleted", e_txid_deleted, 0,
	  "the transaction-id index does not match the log" },
	{ "a stray transaction id", e_txid_stray, 0, "whose id is another" },
	{ "a stray transaction id past the log", e_txid_past_the_log, 0,
	  "which is not in the log" },
	{ "an external id mapped to another account",
	  e_extid_to_another_account, 0, "maps to another account" },
	{ "an external id deleted from its index", e_extid_deleted, 0,
	  "missing from the external-id index" },
	{ "a stray external id", e_extid_stray, 0,
	  "'E9999' maps to account 4242, which does not exist" },
	{ "an account record garbled", e_account_garbled, 0,
	  "record unreadable" },
	{ "an asset record garbled", e_asset_garbled, 0,
	  "asset PTS: record unreadable" },
	{ "a hold record garbled", e_hold_garbled, 0, "record unreadable" },
	{ "a hold key of 3 bytes", e_hold_key_short, 0, "a hold's key is" },
	{ "a hold pointed at another entry", e_hold_entry_another, 0,
	  "its entry is not its HOLD entry" },
	{ "a captured hold's captured amount", e_hold_captured_amount, 0,
	  "its state or captured amount is not what its entries did" },
	{ "a reversal record garbled", e_reversal_garbled, 0,
	  "a reversal record is unreadable" },
	{ "a reversal record for an entry never reversed", e_reversal_stray,
	  0, "says 5 reversed, its reversal entries 0" },
	{ "an idempotency record garbled", e_idem_garbled, 0,
	  "record unreadable" },
	{ "a transaction-id key of 3 bytes", e_txid_key_short, 0,
	  "a key of the transaction-id index is unreadable" },
	{ "an external id mapped to 1 byte", e_extid_value_short, 0,
	  "a key of the external-id index is unreadable" },
	{ "a statement index key of 3 bytes", e_time_key_short, 0,
	  "statement index key unreadable" },
	{ "a spilled lot key of 3 bytes", e_spill_key_short, 0,
	  "spilled lot key unreadable" },
	{ "an expiry index key of 3 bytes", e_sweep_key_short, 0,
	  "expiry index key unreadable" },
	{ "a reversal naming a later entry, rechained",
	  e_reversal_of_a_later_entry, 0, "which is not an earlier one" },
	{ "a capture naming an earn, rechained", e_capture_of_no_hold, 0,
	  "settles no hold of account" },
	{ "a capture for more than its hold, rechained",
	  e_capture_over_the_hold, 0, "again, or for more than it holds" },
	{ "a reversal naming no entry, rechained", e_reversal_of_nothing, 0,
	  "which is not an earlier one" },
	{ "what a reversal says the reversals before it returned, "
	  "rechained", e_reversal_before_other, 0,
	  "after reversals of 10, not 3 as it says" },
	{ "a spend of lots the account never had, rechained",
	  e_spend_of_lots_never_had, 0, "does not have" },
	{ "a balance's account status", e_balance_status, 0,
	  "disagrees with its account record" },
	{ "a captured hold's state to released", e_hold_captured_to_released,
	  0, "its state or captured amount is not what its entries did" },
	{ "a hold pointed at another hold's entry", e_hold_of_another_hold, 0,
	  "its entry is not its HOLD entry" },
	{ "a deadline key for no hold", e_hold_deadline_of_no_hold, 0,
	  "which is not open with that deadline" },
	{ "a deadline key of 3 bytes", e_hold_deadline_key_short, 0,
	  "for hold ?, which is not open" },
	{ "an external id naming an account of another id",
	  e_extid_to_an_account_of_another_id, 0,
	  "whose external id is another" }, /* alice's: 4, or 5 */
	{ "an external-id key of 0 bytes", e_extid_key_empty, 0,
	  "a key of the external-id index is unreadable" },
	{ "an external-id key past the longest", e_extid_key_long, 0,
	  "a key of the external-id index is unreadable" },
	{ "an account key of 3 bytes", e_account_key_short, 0,
	  "a key of the accounts is unreadable" },
	{ "an idempotency record with a byte past its end",
	  e_idem_byte_past_its_end, 0,
	  "idempotency key 'k-earn': record unreadable" },
	{ "an idempotency record garbled under a long key",
	  e_idem_long_key_garbled, 0, "kkkk'...: record unreadable" },
	{ "a balance record of version 4", b_version_4, 0,
	  "balance record unreadable" },
	{ "a version 2 balance with a debt of 0", b_v2_debt_0, 0,
	  "balance record unreadable" },
	{ "a version 3 balance with a debt below 0", b_v3_debt_negative, 0,
	  "balance record unreadable" },
	{ "a version 3 balance with no pending items", b_v3_no_pending, 0,
	  "balance record unreadable" },
	{ "a balance with 4097 pending items", b_v3_too_many_pending, 0,
	  "balance record unreadable" },
	{ "two pending items on one day", b_v3_pending_day_twice, 0,
	  "balance record unreadable" },
	{ "a pending item of 0 points", b_v3_pending_of_0, 0,
	  "balance record unreadable" },
	{ "two lots on one day", b_lot_day_twice, 0,
	  "balance record unreadable" },
	{ "an expiry index day before day 0", b_index_day_before_day_0, 0,
	  "balance record unreadable" },
	{ "a balance's party given twice", b_party_twice, 0,
	  "balance record unreadable" },
	{ "a balance's party 0", b_party_0, 0,
	  "balance record unreadable" },
	{ "a spill count without its sum and last day", b_spill_n_alone, 0,
	  "balance record unreadable" },
	{ "a spill of 3 lots summing to 2", b_spill_sum_below_n, 0,
	  "balance record unreadable" },
	{ "a spill's last day before the inline lots'", b_spill_last_early, 0,
	  "balance record unreadable" },
	{ "an unknown field in a balance", b_tag_unknown, 0,
	  "balance record unreadable" },
	{ "module data past the last tag", b_data_past_max, 0,
	  "balance record unreadable" },
	{ "empty module data", b_data_empty, 0,
	  "balance record unreadable" },
	{ "module data past the record's end", b_data_past_end, 0,
	  "balance record unreadable" },
	{ "an asset's year end in month 13", a_month_13, 0,
	  "asset PTS: record unreadable" },
	{ "an asset's year end in month 0", a_month_0, 0,
	  "asset PTS: record unreadable" },
	{ "an asset's year end on day 0", a_day_0, 0,
	  "asset PTS: record unreadable" },
	{ "an asset's year end on 29 February", a_feb_29, 0,
	  "asset PTS: record unreadable" },
	{ "an asset's transfer limit past INT64_MAX", a_limit_past_int64, 0,
	  "asset PTS: record unreadable" },
	{ "an asset flag no library knows", a_unknown_flag, 0,
	  "asset PTS: record unreadable" },
};
#define NTAMPERS (sizeof(tampers) / sizeof(tampers[0]))

/* Verify at several chunk sizes, with the kept head or without: the
 * same code and message each time. */
static int
verify_all(const tamper *t, int with_head, points_verify_report *first)
{
	static const size_t chunks[] = { POINTS_VERIFY_CHUNK, 1, 2, 3 };
	points_verify_report rep;
	size_t i;
	int rc = 0, rc0 = 0;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		points_verify__chunk = chunks[i];
		memset(&rep, 0, sizeof(rep));
		rc = with_head ? points_verify_head(db, &head, 1, &rep) :
		    points_verify(db, &rep);
		if (i == 0) {
			rc0 = rc;
			*first = rep;
		}
		ck_assert_msg(rc == rc0 && strcmp(rep.message,
		    first->message) == 0 && rep.bad_seq == first->bad_seq,
		    "%s, chunk %zu: '%s' (%d), at chunk %d: '%s' (%d)",
		    t->name, chunks[i], rep.message, rc, POINTS_VERIFY_CHUNK,
		    first->message, rc0);
	}
	points_verify__chunk = POINTS_VERIFY_CHUNK;
	return rc0;
}

/* _i: the edit (_i / 2), on memory (even) or SQLite (odd) */
START_TEST(test_tamper_is_found)
{
	const tamper *t = &tampers[_i / 2];
	points_verify_report rep;
	int rc;

	build(_i % 2);
	ck_assert_int_eq(points_verify_head(db, &head, 1, &rep), POINTS_OK);
	t->edit();
	/* without the head: found, or (a consistent edit) not */
	rc = verify_all(t, 0, &rep);
	if (t->head_only) {
		ck_assert_msg(rc == POINTS_OK, "%s: verify without the head: "
		    "%s", t->name, rep.message);
		rc = verify_all(t, 1, &rep);
	}
	ck_assert_msg(rc == POINTS_ECORRUPT, "%s: not found (%d, %s)",
	    t->name, rc, rep.message);
	ck_assert_msg(strstr(rep.message, t->needle) != NULL,
	    "%s: '%s' does not say '%s'", t->name, rep.message, t->needle);
	ck_assert_int_eq(points_errcode(db), POINTS_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), t->needle));
	/* with the head too, whichever finding comes first */
	ck_assert_int_eq(verify_all(t, 1, &rep), POINTS_ECORRUPT);
}
END_TEST

/* A write that meets the edit refuses rather than build on it: the
 * capture of an open hold whose account's held points were lowered
 * below it is ECORRUPT, naming the account and the hold, and writes
 * nothing. */
START_TEST(test_capture_over_lowered_held_points_is_refused)
{
	points_txn t;

	build(_i);
	e_balance_held();
	TU_FAILS(db, tu_capture(db, t_hold_o.id, 25, 0, "order", &t),
	    POINTS_ECORRUPT);
	ck_assert_msg(strstr(points_errmsg(db), "holds less than hold") !=
	    NULL, "%s", points_errmsg(db));
	tu_snap_free();
}
END_TEST

/* The issue's consequences: the edits that paid twice are found before
 * a second capture or a second refund goes unnoticed. */
START_TEST(test_second_capture_after_the_edit_is_flagged)
{
	points_verify_report rep;

	points_posting p;
	points_txn t;

	build(0);
	e_hold_captured_to_open_fully();
	/* another hold keeps enough held for the second capture */
	p = tu_posting("EXP", alice, 50);
	ck_assert_int_eq(points_hold_create(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(tu_capture(db, t_hold_c.id, 10, 0, NULL, &t),
	    POINTS_OK);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(rep.message, "settles the hold of "
	    "entry"));
}
END_TEST

START_TEST(test_second_refund_after_the_edit_is_flagged)
{
	points_verify_report rep;

	build(0);
	e_reversal_deleted();
	/* 40 of the 50 refunded again: the record forgot the first 15 */
	ck_assert_int_eq(tu_reverse(db, t_spend.id, 40, NULL, NULL, &t_x),
	    POINTS_OK);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
	ck_assert_msg(strstr(rep.message, "says 40 reversed, its reversal "
	    "entries 55") != NULL, "%s", rep.message);
}
END_TEST

/* ---- Kept heads ---- */

START_TEST(test_chain_head_of_an_empty_and_a_growing_log)
{
	points_chain_head h, h2;
	points_verify_report rep;
	size_t i;

	/* points_chain_head_get: a log in one partition (check_verify
	 * has the heads of one in partitions) */
	points_entry__partitions_new = 1;
	tu_now = TU_T0;
	db = tu_open(_i ? tu_sqlite_uri() : "memory:");
	memset(&h, 0x5a, sizeof(h));
	ck_assert_int_eq(points_chain_head_get(db, &h), POINTS_OK);
	ck_assert_int_eq(h.partition, 0);
	ck_assert_int_eq(h.seq, 0);
	ck_assert_uint_eq(strlen(h.hash), POINTS_CHAIN_HASH_HEX);
	for (i = 0; i < POINTS_CHAIN_HASH_HEX; i++)
		ck_assert_int_eq(h.hash[i], '0');
	ck_assert_int_eq(points_verify_head(db, &h, 1, &rep), POINTS_OK);
	alice = tu_account(db, "E1001");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_OK);
	ck_assert_int_eq(points_chain_head_get(db, &h2), POINTS_OK);
	ck_assert_int_eq(h2.seq, 1);
	ck_assert_str_ne(h2.hash, h.hash);
	for (i = 0; i < POINTS_CHAIN_HASH_HEX; i++)
		ck_assert(strchr("0123456789abcdef", h2.hash[i]));
	/* a head kept earlier still holds as the log grows */
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_OK);
	ck_assert_int_eq(points_verify_head(db, &h2, 1, &rep), POINTS_OK);
	ck_assert_int_eq(rep.entries, 2);
	ck_assert_int_eq(points_verify_head(db, NULL, 0, &rep), POINTS_OK);
	ck_assert_int_eq(points_verify_head(db, &h, 1, NULL), POINTS_OK);
	/* the head of a write inside a batch is the batch's */
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_OK);
	ck_assert_int_eq(points_chain_head_get(db, &h), POINTS_OK);
	ck_assert_int_eq(h.seq, 3);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	/* ...and a head the rollback took back is past the log */
	ck_assert_int_eq(points_verify_head(db, &h, 1, &rep),
	    POINTS_ECORRUPT);
	ck_assert_int_eq(rep.bad_seq, 3);
	points_close(db);
	db = NULL;
}
END_TEST

/* Another ledger's head at the same seq: another chain. */
START_TEST(test_head_of_another_ledger_is_refused)
{
	points_db *other;
	points_chain_head h;
	points_verify_report rep;

	/* points_chain_head_get: a log in one partition (check_verify
	 * has the heads of one in partitions) */
	points_entry__partitions_new = 1;
	tu_now = TU_T0;
	db = tu_open("memory:");
	other = tu_open("memory:");
	alice = tu_account(db, "E1001");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_OK);
	bob = tu_account(other, "E1001");
	ck_assert_int_eq(tu_earn(other, bob, "PTS", 5, NULL), POINTS_OK);
	ck_assert_int_eq(points_chain_head_get(other, &h), POINTS_OK);
	ck_assert_int_eq(points_verify_head(db, &h, 1, &rep),
	    POINTS_ECORRUPT);
	ck_assert_int_eq(rep.bad_seq, 1);
	ck_assert_ptr_nonnull(strstr(rep.message, "not the kept head's"));
	points_close(other);
	points_close(db);
	db = NULL;
}
END_TEST

START_TEST(test_bad_kept_heads_are_refused)
{
	points_chain_head h, two[2];
	points_verify_report rep;
	unsigned char k[8];

	/* points_chain_head_get: a log in one partition (check_verify
	 * has the heads of one in partitions) */
	points_entry__partitions_new = 1;
	tu_now = TU_T0;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_OK);
	ck_assert_int_eq(points_chain_head_get(db, &h), POINTS_OK);
	memset(&rep, 0x5a, sizeof(rep));
	two[0] = two[1] = h;
	ck_assert_int_eq(points_verify_head(db, two, 2, &rep), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "of one partition"));
	ck_assert_int_eq(points_verify_head(db, NULL, 1, &rep), POINTS_EINVAL);
	two[0].partition = 1;
	ck_assert_int_eq(points_verify_head(db, two, 1, &rep), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "no partition 1"));
	two[0] = h;
	two[0].seq = -1;
	ck_assert_int_eq(points_verify_head(db, two, 1, &rep), POINTS_EINVAL);
	two[0] = h;
	two[0].hash[3] = 'G';
	ck_assert_int_eq(points_verify_head(db, two, 1, &rep), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "lowercase hex"));
	two[0] = h;
	two[0].hash[POINTS_CHAIN_HASH_HEX - 1] = '\0';
	ck_assert_int_eq(points_verify_head(db, two, 1, &rep), POINTS_EINVAL);
	two[0] = h;
	two[0].seq = 0;
	ck_assert_int_eq(points_verify_head(db, two, 1, &rep), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "all zeros"));
	/* 128 hex digits and no end */
	two[0] = h;
	two[0].hash[POINTS_CHAIN_HASH_HEX] = 'a';
	ck_assert_int_eq(points_verify_head(db, two, 1, &rep), POINTS_EINVAL);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "lowercase hex"));
	/* the report is left alone on a bad argument */
	ck_assert_int_eq(rep.entries, 0x5a5a5a5a5a5a5a5all);
	ck_assert_int_eq(points_chain_head_get(db, NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_chain_head_get(NULL, &h), POINTS_EINVAL);
	ck_assert_int_eq(points_verify_head(NULL, &h, 1, &rep), POINTS_EINVAL);
	/* a last entry too short to hold its hash: no head to give */
	be64(k, h.seq);
	raw_put("entry", k, 8, "abc", 3);
	ck_assert_int_eq(points_chain_head_get(db, &two[1]), POINTS_ECORRUPT);
	ck_assert_msg(strstr(points_errmsg(db), "record unreadable"), "%s",
	    points_errmsg(db));
	points_close(db);
	db = NULL;
}
END_TEST

/* ---- Arithmetic (defect 6) and many assets (defect 1) ---- */

/* Legal calls whose balances add up past int64: a user with INT64_MAX
 * available and 1 held, another credited from a budget pool that may go
 * negative.  The check's sums are exact (this test fails under
 * UndefinedBehaviorSanitizer with a wrapping int64 sum). */
START_TEST(test_sums_past_int64_from_legal_calls_verify)
{
	points_verify_report rep;
	points_posting p;
	points_txn t;
	int64_t pool, carol;

	tu_now = TU_T0;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	carol = tu_account(db, "E1003");
	ck_assert_int_eq(points_account_create(db, "POOL", NULL,
	    POINTS_ACCOUNT_SYSTEM | POINTS_ACCOUNT_ALLOW_NEGATIVE, &pool),
	    POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", INT64_MAX - 1, NULL),
	    POINTS_OK);
	p = tu_posting("PTS", alice, 1);
	ck_assert_int_eq(points_hold_create(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_OK);
	p = tu_posting("PTS", carol, INT64_MAX);
	p.counterparty = pool;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_OK);
	ck_assert_int_eq(rep.entries, 4);
	points_close(db);
	db = NULL;
}
END_TEST

/* An entry, chain and all, that would take a balance past int64 is
 * corrupt, not wrapped: the chain is recomputed after the edit. */
static void
amount_huge(points_entry_rec *e)
{
	e->amount = INT64_MAX;
	e->in_lots.v[0].amount = INT64_MAX;
}

START_TEST(test_entry_overflowing_a_balance_is_corrupt)
{
	points_verify_report rep;

	build(0);
	entry_edit(t_last.seq, amount_huge, 1);
	ck_assert_int_eq(points_verify(db, &rep), POINTS_ECORRUPT);
	ck_assert_msg(strstr(rep.message, "past 64 bits") != NULL, "%s",
	    rep.message);
	ck_assert_int_eq(rep.bad_seq, t_last.seq);
}
END_TEST

/* The decoder refuses a balance whose lots sum past INT64_MAX (each
 * alone fits), so no debit sums them unchecked. */
START_TEST(test_lots_summing_past_int64_are_refused_by_the_decoder)
{
	unsigned char k[8];
	points_buf b;
	int64_t acct;

	build(0);
	ck_assert(points_balance__key(bob, exp_id, k));
	points_buf__init(&b);
	points_buf__u8(&b, 1);
	points_buf__uvar(&b, 0);
	points_buf__svar(&b, 5);
	points_buf__svar(&b, 0);
	points_buf__svar(&b, 5);
	points_buf__svar(&b, 0);
	points_buf__svar(&b, 0);
	points_buf__uvar(&b, (uint64_t)head.seq);
	points_buf__uvar(&b, 2);
	points_buf__uvar(&b, 20000);
	points_buf__uvar(&b, (uint64_t)INT64_MAX);
	points_buf__uvar(&b, 1);
	points_buf__uvar(&b, 2);
	points_buf__uvar(&b, 0);
	raw_put("bal", k, 8, b.data, b.len);
	points_buf__free(&b);
	acct = bob;
	ck_assert_int_eq(tu_spend(db, acct, "EXP", 1, NULL), POINTS_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "record unreadable"));
}
END_TEST

/* The sum check itself, on balances made up: no ledger's entries can
 * make a sum other than zero, so only this shows that an asset is
 * summed at all.  Defect 1: sums were kept for 64 assets and the rest
 * dropped without a word. */
static int
sums_of(const points_balance_rec *b, size_t n, char *msg)
{
	points_db *d = tu_open_bare("memory:");
	int rc = points_verify__sums(d, b, n, sizeof(*b), msg, 160);

	points_close(d);
	return rc;
}

START_TEST(test_sums_are_checked_past_64_assets)
{
	points_balance_rec b[2 * 70 + 1];
	char msg[160];
	int i;

	memset(b, 0, sizeof(b));
	for (i = 0; i < 70; i++) {
		b[2 * i].account = 1;
		b[2 * i].asset = (uint32_t)i + 1;
		b[2 * i].available = -(10 + i);
		b[2 * i + 1].account = 5;
		b[2 * i + 1].asset = (uint32_t)i + 1;
		b[2 * i + 1].available = 10 + i;
	}
	ck_assert_int_eq(sums_of(b, 140, msg), POINTS_OK);
	/* one point too many in the 70th asset */
	b[2 * 70].account = 6;
	b[2 * 70].asset = 70;
	b[2 * 70].held = 1;
	ck_assert_int_eq(sums_of(b, 141, msg), POINTS_ECORRUPT);
	ck_assert_str_eq(msg, "asset #70 does not sum to zero (1)");
}
END_TEST

/* Sums past int64 are exact: ones that wrap to zero are not zero, and
 * ones that are zero pass however large their terms. */
START_TEST(test_sums_past_int64_are_exact)
{
	points_balance_rec b[4];
	char msg[160];

	memset(b, 0, sizeof(b));
	b[0].account = b[1].account = b[2].account = b[3].account = 7;
	b[0].asset = b[1].asset = b[2].asset = b[3].asset = 1;
	b[0].available = INT64_MAX;
	b[0].held = 1;
	b[1].available = INT64_MAX;
	b[2].available = INT64_MIN;
	b[3].available = -INT64_MAX;
	ck_assert_int_eq(sums_of(b, 4, msg), POINTS_OK);
	/* 2^64 wraps to zero in int64 */
	b[0].available = b[1].available = INT64_MAX;
	b[0].held = b[1].held = 1;
	b[2].available = b[3].available = b[2].held = b[3].held = 0;
	ck_assert_int_eq(sums_of(b, 4, msg), POINTS_ECORRUPT);
	ck_assert_str_eq(msg, "asset #1 does not sum to zero (its sum is "
	    "past 64 bits)");
	/* -2^64 too */
	b[0].available = b[1].available = INT64_MIN;
	b[0].held = b[1].held = 0;
	ck_assert_int_eq(sums_of(b, 4, msg), POINTS_ECORRUPT);
	/* and a small sum is told as it is */
	b[0].available = INT64_MIN;
	b[1].available = INT64_MAX;
	ck_assert_int_eq(sums_of(b, 4, msg), POINTS_ECORRUPT);
	ck_assert_str_eq(msg, "asset #1 does not sum to zero (-1)");
}
END_TEST

/* ---- Statements (defect 7) ---- */

static int64_t link_to;

static void
link_forward(points_entry_rec *e)
{
	if (e->from == alice)
		e->prev_from = link_to;
	else
		e->prev_to = link_to;
}

/* _i: 0 forward, 1 to itself; newest and oldest first */
START_TEST(test_statement_link_forward_is_corrupt)
{
	points_statement_iterator *it;
	points_entry e;
	int order, rc, n;

	build(0);
	/* alice's PTS entries: the earn of 4 and the last earn of 7 */
	link_to = _i ? t_last.seq - 3 : t_last.seq;
	entry_edit(t_last.seq - 3, link_forward, 1);
	for (order = POINTS_NEWEST_FIRST; order <= POINTS_OLDEST_FIRST;
	    order++) {
		rc = points_statement_iterator_new(db, alice, "PTS", 0, 0,
		    order, &it);
		n = 0;
		if (rc == POINTS_OK) {
			while ((rc = points_statement_next(it, &e)) ==
			    POINTS_OK)
				ck_assert_int_lt(++n, 10);
			points_statement_iterator_free(it);
		}
		ck_assert_msg(rc == POINTS_ECORRUPT, "order %d: %d", order,
		    rc);
		ck_assert_ptr_nonnull(strstr(points_errmsg(db),
		    "points forward"));
	}
}
END_TEST

static Suite *
tamper_suite(void)
{
	Suite *s = suite_create("tamper");
	TCase *tc = tcase_create("edits");
	TCase *th = tcase_create("heads");
	TCase *ta = tcase_create("arithmetic");
	TCase *ts = tcase_create("statement");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_loop_test(tc, test_tamper_is_found, 0, (int)NTAMPERS * 2);
	tcase_add_test(tc, test_second_capture_after_the_edit_is_flagged);
	tcase_add_loop_test(tc, test_capture_over_lowered_held_points_is_refused,
	    0, 2);
	tcase_add_test(tc, test_second_refund_after_the_edit_is_flagged);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(th, NULL, teardown);
	tcase_add_loop_test(th, test_chain_head_of_an_empty_and_a_growing_log,
	    0, 2);
	tcase_add_test(th, test_head_of_another_ledger_is_refused);
	tcase_add_test(th, test_bad_kept_heads_are_refused);
	suite_add_tcase(s, th);

	tcase_add_checked_fixture(ta, NULL, teardown);
	tcase_add_test(ta, test_sums_past_int64_from_legal_calls_verify);
	tcase_add_test(ta, test_entry_overflowing_a_balance_is_corrupt);
	tcase_add_test(ta,
	    test_lots_summing_past_int64_are_refused_by_the_decoder);
	tcase_add_test(ta, test_sums_are_checked_past_64_assets);
	tcase_add_test(ta, test_sums_past_int64_are_exact);
	suite_add_tcase(s, ta);

	tcase_add_checked_fixture(ts, NULL, teardown);
	tcase_add_loop_test(ts, test_statement_link_forward_is_corrupt, 0, 2);
	suite_add_tcase(s, ts);
	return s;
}

int
main(void)
{
	return tu_run(tamper_suite());
}
