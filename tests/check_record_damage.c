/* check_record_damage.c - every stored record damaged in turn, as a disk
 * error or a hand edit would: cut short at each length, and each of its
 * first bytes changed three ways.  After each damage every read path
 * (accounts, balances, lots, statements, holds, transactions, the mall,
 * the rules, the outbox) and points_verify must answer POINTS_OK or an
 * error code of the library's with a message: never crash (the
 * sanitizers abort), never hang (the suite's timeout).  A damaged entry
 * is always found by points_verify: the hash covers all its bytes.
 * Each damage is undone before the next, and the ledger verifies at the
 * end.  The ledger holds every kind of record the modules keep. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "core/module.h"
#include "store/store.h"

static points_db *db;
static int64_t acct[4];
static char txns[32][POINTS_ID_LEN + 1], holds[4][POINTS_ID_LEN + 1];
static char order_id[POINTS_ID_LEN + 1];
static int ntxns, nholds;
static long damages, found_by_verify, found_by_reads;

#define MAX_RECORDS 3 /* damaged per keyspace */
#define MAX_BYTES 24  /* first bytes of a record changed */

static void
txn(const points_txn *t)
{
	if (ntxns < (int)(sizeof(txns) / sizeof(txns[0])))
		strcpy(txns[ntxns++], t->id);
}

static int64_t lottery_id, auction_id, approval_id;

/* The records of the later modules: pending points, an approval, a
 * refund by lines, a lottery drawn, an auction bid on, codes issued to
 * an order, a trigger. */
static void
build_more(void)
{
	points_rule_def rd;
	points_rule rule;
	points_event e = POINTS_EVENT_INIT;
	points_event_reversal rv = POINTS_EVENT_REVERSAL_INIT;
	points_event_result *er = NULL;
	points_approval ap;
	points_approval_iterator *ai;
	points_lottery_def l;
	points_lottery_draw w;
	points_auction_def a;
	points_bid b;
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_item it;
	points_code_pool cp;
	points_order_req r = POINTS_ORDER_REQ_INIT;
	points_order o;
	points_trigger tr;

	ck_assert_int_eq(points_rule_def_init(&rd, POINTS_RULE_DEF_VERSION),
	    POINTS_OK);
	rd.name = "later";
	rd.event_type = "order";
	rd.points = "event.amount / 100";
	rd.asset = "PTS";
	rd.state = POINTS_RULE_ACTIVE;
	rd.pending_days = 30;
	rd.author = "ops";
	ck_assert_int_eq(points_rule_save(db, &rd, &rule), POINTS_OK);
	rd.name = "idea";
	rd.event_type = "idea";
	rd.points = "20";
	rd.pending_days = 0;
	rd.flags = POINTS_RULE_APPROVAL;
	ck_assert_int_eq(points_rule_save(db, &rd, &rule), POINTS_OK);
	rd.name = "basket";
	rd.event_type = "basket";
	rd.points = "sum(event.attrs.lines.map(l, l.amount / 100))";
	rd.flags = 0;
	ck_assert_int_eq(points_rule_save(db, &rd, &rule), POINTS_OK);
	e.account = acct[2];
	e.id = "o-2";
	e.type = "order";
	e.amount = 4000;
	ck_assert_int_eq(points_event_apply(db, &e, &er), POINTS_OK);
	points_event_result_free(er);
	e.id = "i-1";
	e.type = "idea";
	e.amount = 0;
	e.actor = "mgr";
	ck_assert_int_eq(points_event_apply(db, &e, &er), POINTS_OK);
	points_event_result_free(er);
	ck_assert_int_eq(points_approval_iterator_new(db, 0, &ai), POINTS_OK);
	ck_assert_int_eq(points_approval_next(ai, &ap), POINTS_OK);
	points_approval_iterator_free(ai);
	approval_id = ap.id;
	e.id = "b-1";
	e.type = "basket";
	e.amount = 3500;
	e.actor = NULL;
	e.attrs = "{\"lines\": [{\"id\": \"A\", \"amount\": 2000}, "
	    "{\"id\": \"B\", \"amount\": 1500}]}";
	ck_assert_int_eq(points_event_apply(db, &e, &er), POINTS_OK);
	points_event_result_free(er);
	rv.event_id = "b-1";
	rv.lines = "[\"B\"]";
	ck_assert_int_eq(points_event_reverse(db, &rv, &er), POINTS_OK);
	points_event_result_free(er);
	memset(&l, 0, sizeof(l));
	strcpy(l.name, "draws");
	strcpy(l.asset, "PTS");
	l.cost = 10;
	l.starts = TU_T0;
	l.ends = TU_T0 + 400 * TU_DAY;
	l.lose_weight = 1;
	l.nprizes = 1;
	l.prizes[0].kind = POINTS_PRIZE_POINTS;
	strcpy(l.prizes[0].label, "points");
	l.prizes[0].weight = 1;
	l.prizes[0].stock = 5;
	l.prizes[0].amount = 7;
	ck_assert_int_eq(points_lottery_create(db, &l, &lottery_id),
	    POINTS_OK);
	ck_assert_int_eq(points_lottery_draw_once(db, lottery_id, acct[1],
	    NULL, &w), POINTS_OK);
	ck_assert_int_eq(points_lottery_draw_once(db, lottery_id, acct[1],
	    NULL, &w), POINTS_OK);
	memset(&a, 0, sizeof(a));
	strcpy(a.item, "a day off");
	strcpy(a.asset, "PTS");
	a.starts = TU_T0;
	a.ends = TU_T0 + 400 * TU_DAY;
	a.start_price = 50;
	a.increment = 5;
	ck_assert_int_eq(points_auction_create(db, &a, &auction_id),
	    POINTS_OK);
	ck_assert_int_eq(points_auction_bid(db, auction_id, acct[1], 60, NULL,
	    &b), POINTS_OK);
	d.sku = "VCARD";
	d.name = "Card";
	d.category = "virtual";
	d.asset = "PTS";
	d.price = 50;
	d.actor = "admin";
	ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
	ck_assert_int_eq(points_item_codes_add(db, "VCARD", "V1\nV2", "admin",
	    NULL, &cp), POINTS_OK);
	r.account = acct[1];
	r.sku = "VCARD";
	ck_assert_int_eq(points_order_place(db, &r, &o), POINTS_OK);
	ck_assert_int_eq(points_order_approve(db, o.id, "admin", NULL, &o),
	    POINTS_OK);
	ck_assert_int_eq(points_trigger_set(db, "rich", POINTS_TRIGGER_BALANCE,
	    "PTS", 10000, NULL, &tr), POINTS_OK);
}

static void
build(void)
{
	static const char *const ext[] = { "E1001", "E1002", "E1003", "E1004" };
	points_posting p;
	points_txn t;
	points_item_def d = POINTS_ITEM_DEF_INIT;
	points_item it;
	points_order_req r = POINTS_ORDER_REQ_INIT;
	points_order o;
	points_rule_def rd;
	points_rule rule;
	points_event e = POINTS_EVENT_INIT;
	points_event_result *er = NULL;
	points_account a;
	int i;

	ntxns = nholds = 0;
	damages = found_by_verify = found_by_reads = 0;
	tu_now = TU_T0;
	db = tu_open("memory:");
	for (i = 0; i < 4; i++)
		acct[i] = tu_account(db, ext[i]);
	ck_assert_int_eq(points_account_attr_set(db, acct[0], "dept", "R&D"),
	    POINTS_OK);
	ck_assert_int_eq(points_tier_set(db, "normal", 0, 100), POINTS_OK);
	ck_assert_int_eq(points_tier_set(db, "gold", 1, 150), POINTS_OK);
	ck_assert_int_eq(points_account_get(db, acct[1], &a), POINTS_OK);
	/* lots on many days (spilled past the balance's own record) */
	for (i = 0; i < 40; i++) {
		tu_now = TU_T0 + i * TU_DAY;
		p = tu_posting("EXP", acct[0], 10 + i);
		ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
		if (i % 10 == 0)
			txn(&t);
	}
	p = tu_posting("PTS", acct[1], 5000);
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	txn(&t);
	p = tu_posting("EXP", acct[0], 120);
	p.memo = "gift card";
	ck_assert_int_eq(points_spend(db, &p, &t), POINTS_OK);
	txn(&t);
	ck_assert_int_eq(tu_reverse(db, t.id, 20, "partly back", NULL, &t),
	    POINTS_OK);
	txn(&t);
	p = tu_posting("EXP", acct[0], 30);
	p.counterparty = acct[2];
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	txn(&t);
	p = tu_posting("EXP", acct[0], 40);
	ck_assert_int_eq(points_hold_create(db, &p, &t), POINTS_OK);
	strcpy(holds[nholds++], t.id);
	ck_assert_int_eq(tu_capture(db, t.id, 25, 0, "order", &t), POINTS_OK);
	txn(&t);
	p = tu_posting("EXP", acct[0], 15);
	p.expires_at = tu_now + 5 * TU_DAY;
	ck_assert_int_eq(points_hold_create(db, &p, &t), POINTS_OK);
	strcpy(holds[nholds++], t.id);
	/* a debt: carol spends what a reversed earn gave her */
	p = tu_posting("PTS", acct[3], 50);
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	txn(&t);
	p = tu_posting("PTS", acct[3], 40);
	ck_assert_int_eq(points_spend(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(tu_reverse(db, txns[ntxns - 1], 0, NULL, NULL, &t),
	    POINTS_OK);
	txn(&t);
	/* the mall */
	d.sku = "MUG";
	d.name = "Mug";
	d.category = "physical";
	d.asset = "PTS";
	d.price = 100;
	d.stock = 10;
	d.actor = "admin";
	ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
	r.account = acct[1];
	r.sku = "MUG";
	r.quantity = 2;
	r.actor = "shop";
	ck_assert_int_eq(points_order_place(db, &r, &o), POINTS_OK);
	strcpy(order_id, o.id);
	ck_assert_int_eq(points_order_approve(db, o.id, "admin", NULL, &o),
	    POINTS_OK);
	/* the rules */
	ck_assert_int_eq(points_rule_def_init(&rd, POINTS_RULE_DEF_VERSION),
	    POINTS_OK);
	rd.name = "spend";
	rd.event_type = "purchase";
	rd.points = "event.amount / 100";
	rd.asset = "PTS";
	rd.state = POINTS_RULE_ACTIVE;
	rd.author = "ops";
	rd.cap_day = 500;
	ck_assert_int_eq(points_rule_save(db, &rd, &rule), POINTS_OK);
	e.id = "o-1";
	e.type = "purchase";
	e.account = acct[1];
	e.amount = 12800;
	ck_assert_int_eq(points_event_apply(db, &e, &er), POINTS_OK);
	points_event_result_free(er);
	build_more();
	tu_invariants(db);
}

/* rc is the library's: OK, the end of an iteration, or an error with a
 * message.  Returns 1 for an error. */
static int
met(int rc, const char *what)
{
	if (rc == POINTS_OK || rc == POINTS_ITEROVER)
		return 0;
	ck_assert_msg(rc < 0 && points_strerror(rc) != NULL &&
	    strcmp(points_strerror(rc), "unknown error") != 0,
	    "%s: %d is no code of the library's", what, rc);
	ck_assert_msg(points_errmsg(db)[0] != '\0', "%s: code %d and no "
	    "message", what, rc);
	return 1;
}

/* Every read path over the damaged ledger: how many reads failed. */
static int
read_all(void)
{
	static const char *const assets[] = { "PTS", "EXP" };
	int errors = 0, i, a, rc;

	for (i = 0; i < 4; i++) {
		points_account got;
		points_account_iterator *ai = NULL;

		errors += met(points_account_get(db, acct[i], &got),
		    "account get");
		errors += met(points_account_find(db, "E1002", &got),
		    "account find");
		if ((rc = points_account_iterator_new(db, 0, &ai)) ==
		    POINTS_OK) {
			while ((rc = points_account_next(ai, &got)) ==
			    POINTS_OK)
				;
			points_account_iterator_free(ai);
		}
		errors += met(rc, "account iterator");
		for (a = 0; a < 2; a++) {
			points_balance b;
			points_lot_iterator *li = NULL;
			points_statement_iterator *si = NULL;
			points_lot lot;
			points_entry en;

			errors += met(points_balance_get(db, acct[i], assets[a],
			    &b), "balance get");
			if ((rc = points_lot_iterator_new(db, acct[i],
			    assets[a], INT64_MAX, &li)) == POINTS_OK) {
				while ((rc = points_lot_next(li, &lot)) ==
				    POINTS_OK)
					;
				points_lot_iterator_free(li);
			}
			errors += met(rc, "lots");
			if ((rc = points_statement_iterator_new(db, acct[i],
			    assets[a], 0, 0, POINTS_OLDEST_FIRST, &si)) ==
			    POINTS_OK) {
				while ((rc = points_statement_next(si, &en)) ==
				    POINTS_OK)
					;
				points_statement_iterator_free(si);
			}
			errors += met(rc, "statement");
		}
	}
	for (i = 0; i < nholds; i++) {
		points_hold h;

		errors += met(points_hold_get(db, holds[i], &h), "hold get");
	}
	for (i = 0; i < ntxns; i++) {
		points_txn t;

		errors += met(points_txn_get(db, txns[i], &t), "txn get");
	}
	{
		points_item it;
		points_order o;
		points_order_iterator *oi = NULL;
		points_rule rule;
		points_tier tier;
		points_asset as;
		points_event_result *er = NULL;
		points_chain_head head[16];
		size_t nhead;

		errors += met(points_item_get(db, "MUG", &it), "item get");
		errors += met(points_order_get(db, order_id, &o), "order get");
		if ((rc = points_order_iterator_new(db, acct[1], -1, NULL, &oi)) ==
		    POINTS_OK) {
			while ((rc = points_order_next(oi, &o)) == POINTS_OK)
				;
			points_order_iterator_free(oi);
		}
		errors += met(rc, "orders");
		errors += met(points_rule_get(db, "spend", 0, &rule),
		    "rule get");
		errors += met(points_tier_get(db, "gold", &tier), "tier get");
		errors += met(points_asset_get(db, "EXP", &as), "asset get");
		rc = points_event_get(db, "o-1", &er);
		points_event_result_free(er);
		errors += met(rc, "event get");
		/* one head a log partition (one: the head) */
		errors += met(points_chain_heads_get(db, head, 16, &nhead),
		    "chain heads");
	}
	{
		points_event_result *er = NULL;
		points_approval ap;
		points_lottery lo;
		points_lottery_results lr;
		points_lottery_draw w;
		points_auction au;
		points_bid b;
		points_code_pool cp;
		points_trigger tr;
		points_trigger_iterator *ti = NULL;

		rc = points_event_get(db, "b-1", &er);
		points_event_result_free(er);
		errors += met(rc, "event get (refunded)");
		rc = points_event_get(db, "o-2", &er);
		points_event_result_free(er);
		errors += met(rc, "event get (pending)");
		errors += met(points_approval_get(db, approval_id, &ap),
		    "approval get");
		errors += met(points_lottery_get(db, lottery_id, &lo),
		    "lottery get");
		errors += met(points_lottery_results_get(db, lottery_id, &lr),
		    "lottery results");
		errors += met(points_lottery_draw_get(db, lottery_id, 2, &w),
		    "lottery draw get");
		errors += met(points_auction_get(db, auction_id, &au),
		    "auction get");
		errors += met(points_auction_bid_get(db, auction_id, 1, &b),
		    "auction bid get");
		errors += met(points_item_codes_get(db, "VCARD", &cp),
		    "codes get");
		if ((rc = points_trigger_iterator_new(db, &ti)) == POINTS_OK) {
			while ((rc = points_trigger_next(ti, &tr)) == POINTS_OK)
				;
			points_trigger_iterator_free(ti);
		}
		errors += met(rc, "triggers");
	}
	{
		points_outbox_event ev;
		int64_t after = 0;
		int n = 0;

		/* (a damaged seq could point back: at most 1000 events) */
		while (n++ < 1000 && (rc = points_outbox_next(db, after, &ev)) ==
		    POINTS_OK && ev.seq > after)
			after = ev.seq;
		errors += met(rc, "outbox");
	}
	return errors;
}

/* Damage the record (space, k) to v (vl bytes), read everything, verify,
 * and put orig back. */
static void
try_damage(points_store *s, points_keyspace *ks, const char *space,
    const void *k, size_t kl, const void *v, size_t vl, const void *orig,
    size_t ol)
{
	points_verify_report rep;
	int rc, reads;

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, ks, k, kl, v, vl), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
	reads = read_all();
	rc = points_verify(db, &rep);
	if (met(rc, "verify")) {
		ck_assert_int_eq(rc, POINTS_ECORRUPT);
		ck_assert(rep.message[0] != '\0');
		found_by_verify++;
	} else if (strcmp(space, "entry") == 0) {
		ck_abort_msg("an entry damaged (%zu of %zu bytes) passes "
		    "verify", vl, ol);
	}
	if (reads)
		found_by_reads++;
	damages++;
	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, ks, k, kl, orig, ol), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

/* The records of one keyspace (at most MAX_RECORDS), copied out. */
typedef struct rec {
	unsigned char *k, *v;
	size_t kl, vl;
} rec;

static int
records(points_store *s, points_keyspace *ks, rec *out)
{
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	int n = 0;

	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->cursor_open(s, ks, NULL, 0, NULL, 0, 0, &c),
	    POINTS_OK);
	while (n < MAX_RECORDS && s->cursor_next(s, c, &k, &kl, &v, &vl) ==
	    POINTS_OK) {
		out[n].k = malloc(kl + 1);
		out[n].v = malloc(vl + 1);
		ck_assert(out[n].k && out[n].v);
		memcpy(out[n].k, k, kl);
		memcpy(out[n].v, v, vl);
		out[n].kl = kl;
		out[n].vl = vl;
		n++;
	}
	s->cursor_close(s, c);
	s->rollback(s);
	return n;
}

/* _i: the module (in registration order) whose records are damaged. */
START_TEST(test_every_record_damaged)
{
	static const unsigned char edits[] = { 0xff, 0x01, 0x80 };
	points_store *s;
	points_module *m;
	points_ksdef *const *d;
	points_verify_report rep;
	int i, n, j;

	build();
	s = tu_store(db);
	for (m = points_module__first(), i = 0; m && i < _i; m = m->next)
		i++;
	ck_assert_ptr_nonnull(m);
	for (d = m->keyspaces; d && *d; d++) {
		points_keyspace *ks = tu_keyspace(db, (*d)->name);
		rec r[MAX_RECORDS];

		n = records(s, ks, r);
		for (j = 0; j < n; j++) {
			unsigned char *v = malloc(r[j].vl + 1);
			size_t len, b;
			unsigned e;

			ck_assert_ptr_nonnull(v);
			for (len = 0; len < r[j].vl; len++)
				try_damage(s, ks, (*d)->name, r[j].k, r[j].kl,
				    r[j].v, len, r[j].v, r[j].vl);
			for (b = 0; b < r[j].vl && b < MAX_BYTES; b++)
			for (e = 0; e < sizeof(edits); e++) {
				memcpy(v, r[j].v, r[j].vl);
				v[b] ^= edits[e];
				try_damage(s, ks, (*d)->name, r[j].k, r[j].kl,
				    v, r[j].vl, r[j].v, r[j].vl);
			}
			free(v);
			free(r[j].k);
			free(r[j].v);
		}
	}
	if (getenv("DAMAGE_SAY"))
		fprintf(stderr, "%s: %ld damages, %ld found by verify, %ld by "
		    "reads\n", m->name, damages, found_by_verify,
		    found_by_reads);
	/* every damage undone */
	ck_assert_msg(points_verify(db, &rep) == POINTS_OK, "%s", rep.message);
	ck_assert_int_eq(read_all(), 0);
	points_close(db);
	db = NULL;
	tu_cleanup();
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("record_damage");
	TCase *tc = tcase_create("modules");
	int n = 0;
	points_module *m;

	for (m = points_module__first(); m; m = m->next)
		n++;
	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_every_record_damaged, 0, n);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(suite());
}
