/* check_fault.c - storage faults and out-of-memory, as SQLite tests them.
 *
 * Every public operation runs over the fault-injecting store with call
 * N = 1, 2, ... failing, once only call N and once every call from N on,
 * until the operation succeeds.  After each failure the code must be
 * POINTS_ESTORAGE (POINTS_ESTATE for the commit of a batch an earlier
 * failure rolled back) and the ledger must be byte for byte what it was;
 * after the success the operation's effect is there and the invariants
 * hold.  The same loops run with the Nth allocation failing: the code is
 * then POINTS_ENOMEM, and ASan (detect_leaks=1) sees no leak.
 *
 * tu_dump reads through the ledger's store, so it runs disarmed (and with
 * the normal allocator). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "ledger/expiry.h"

#define FAULT_MAX 10000 /* no operation makes this many store calls */

enum { FX_MEMORY, FX_SQLITE, FX_OOM, FX_V1, FX_V2, FX_V2_SQLITE };

static int fx_kind;
static points_store *inner, *fault;
static points_db *db;
static int64_t alice, bob, carol, dave, erin, frank, gus, hana, ivy, pool;
static int64_t jack, kim, lee;
static int64_t outbox_base; /* the outbox's last seq after populating */
static char ord_sub[POINTS_ID_LEN + 1], ord_appr[POINTS_ID_LEN + 1];
/* lee's orders of INK (as PEN), made after the redemption rule: submitted, and
 * approved (10 PTS back) and delivered */
static char ord_lsub[POINTS_ID_LEN + 1], ord_ldel[POINTS_ID_LEN + 1];
static char ord_del[POINTS_ID_LEN + 1];
/* mia's approved and submitted orders of VCARD, a code item whose pool
 * holds 2 more codes */
static int64_t mia;
static char ord_vappr[POINTS_ID_LEN + 1], ord_vsub[POINTS_ID_LEN + 1];
/* nina's orders of PEN paid 30 WEL (her allowance) + 70 PTS each:
 * submitted, approved, and delivered */
static int64_t nina;
static char ord_wsub[POINTS_ID_LEN + 1], ord_wappr[POINTS_ID_LEN + 1];
static char ord_wdel[POINTS_ID_LEN + 1];
static int64_t nora;
static char ord_ksub[POINTS_ID_LEN + 1];
static char earn_id[POINTS_ID_LEN + 1], spend_id[POINTS_ID_LEN + 1];
static char hold_open[POINTS_ID_LEN + 1], hold_due[POINTS_ID_LEN + 1];

/* Outputs of the operation under test. */
static points_txn txo;
static int64_t ido;
static points_sweep_report repo;
static points_forfeit_report fro;
/* the lottery made in populating (lee draws from it) */
static int64_t lot_id, lot_lee, zed, lot_stock;
/* the lottery whose one prize is 2 units of catalogue item LOTI (stock
 * 3), drawn free and always won */
static int64_t lot_item_id;
static points_lottery_draw lotdo;
/* the auction made in populating: olga leads it at 100 PTS */
static int64_t olga, pete, auc_id;
static points_bid bido;
#define AUC_END (TU_T0 + 1000 * TU_DAY)

static int64_t
fx_clock(void *ctx)
{
	(void)ctx;
	return tu_now;
}

static points_open_options
fx_options(void)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;

	o.clock = fx_clock;
	return o;
}

/* The starting state, small on purpose (each failure dumps the store):
 *   PTS  alice 100 earned, 30 spent, 20 on an open hold without deadline
 *        -> available 50, held 20; bob 40
 *   EXP  alice 50 (day 0) and 8 (day 2), 10 of them on a hold due on day
 *        5 -> available 48, held 10; bob 5 (day 1)
 *   carol has nothing (may close), dave is frozen, alice has team=red,
 *   bob is in department Sales, frank is closed (may be erased).
 *   POOL1, a budget pool, holds 60 EXP.
 *   LIM  an asset with a daily transfer limit of 10: alice 15, bob 5
 *        (transferred on day 2).
 *   erin holds ERIN_LOTS EXP lots of 1 point, expiring on days 500, 501,
 *        ...: more than a posting keeps on its stack (ledger.c).
 *   gus owes 10 PTS: he earned 10, spent them, and the earn was
 *        refunded (a debt, debt.h).
 *   hana has only 7 EXP, due on day 20 (past due from then on; may
 *        close: the close expires them).
 * The clock then stands at day 30. */
enum { ERIN_LOTS = 40, ERIN_DAY = 500 };

static void
fx_populate(void)
{
	points_asset_policy pol = POINTS_ASSET_POLICY_INIT;
	points_posting p;
	points_txn t;
	int i;

	tu_now = TU_T0;
	ck_assert_int_eq(points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "EXP", 0, POINTS_EXPIRE_DAYS,
	    365), POINTS_OK);
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	carol = tu_account(db, "E1003");
	dave = tu_account(db, "E1004");
	ck_assert_int_eq(points_account_attr_set(db, alice, "team", "red"),
	    POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 100, &t), POINTS_OK);
	strcpy(earn_id, t.id);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 30, &t), POINTS_OK);
	strcpy(spend_id, t.id);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 40, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 50, NULL), POINTS_OK);
	tu_now = TU_T0 + TU_DAY;
	ck_assert_int_eq(tu_earn(db, bob, "EXP", 5, NULL), POINTS_OK);
	tu_now = TU_T0 + 2 * TU_DAY;
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 8, NULL), POINTS_OK);
	p = tu_posting("PTS", alice, 20);
	ck_assert_int_eq(points_hold_create(db, &p, &t), POINTS_OK);
	strcpy(hold_open, t.id);
	p = tu_posting("EXP", alice, 10);
	p.expires_at = TU_T0 + 5 * TU_DAY;
	ck_assert_int_eq(points_hold_create(db, &p, &t), POINTS_OK);
	strcpy(hold_due, t.id);
	ck_assert_int_eq(points_account_freeze(db, dave), POINTS_OK);
	ck_assert_int_eq(points_account_create(db, "POOL1", NULL,
	    POINTS_ACCOUNT_POOL, &pool), POINTS_OK);
	p = tu_posting("EXP", pool, 60);
	ck_assert_int_eq(points_pool_fund(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "LIM", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	pol.transfer_limit = 10;
	ck_assert_int_eq(points_asset_policy_set(db, "LIM", &pol), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "LIM", 20, NULL), POINTS_OK);
	p = tu_posting("LIM", alice, 5);
	p.counterparty = bob;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_OK);
	erin = tu_account(db, "E1005");
	for (i = 0; i < ERIN_LOTS; i++) {
		p = tu_posting("EXP", erin, 1);
		p.expires_at = TU_T0 + (ERIN_DAY + i) * TU_DAY;
		ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	}
	ck_assert_int_eq(points_account_update(db, bob, NULL, NULL, "Sales"),
	    POINTS_OK);
	frank = tu_account(db, "E1006");
	ck_assert_int_eq(points_account_attr_set(db, frank, "phone", "555"),
	    POINTS_OK);
	ck_assert_int_eq(points_account_close(db, frank), POINTS_OK);
	gus = tu_account(db, "E1007");
	ck_assert_int_eq(tu_earn(db, gus, "PTS", 10, &t), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, gus, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(tu_reverse(db, t.id, 0, NULL, NULL, &t), POINTS_OK);
	hana = tu_account(db, "E1008");
	p = tu_posting("EXP", hana, 7);
	p.expires_at = TU_T0 + 20 * TU_DAY;
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	/* notices of EXP expiring within 30 days (no sweep in the fixture
	 * tells of any) */
	ck_assert_int_eq(points_outbox_expiring_set(db, "EXP", 30), POINTS_OK);
	/* rules: purchases earn 1 PTS per 100 (a daily cap of 50), and
	 * a referral pays the referrer 5 once per buyer; gold is 2x */
	{
		points_rule_def d = POINTS_RULE_DEF_INIT;
		points_rule r;

		d.name = "base";
		d.event_type = "purchase";
		d.points = "event.amount / 100";
		d.asset = "PTS";
		d.state = POINTS_RULE_ACTIVE;
		d.cap_day = 50;
		d.author = "admin";
		ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_OK);
		d.name = "referral";
		d.condition = "has(event.attrs.referrer)";
		d.points = "5";
		d.beneficiary = "event.attrs.referrer";
		d.cap_day = 0;
		d.cap_key = "event.account";
		d.cap_key_limit = 1;
		d.cap_unit = POINTS_CAP_AWARDS;
		d.budget_points = 1000;
		ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_OK);
		ck_assert_int_eq(points_tier_set(db, "gold", 2, 200), POINTS_OK);
		/* orders earn 1 PTS per 100, pending 60 days */
		memset(&d, 0, sizeof(d));
		ck_assert_int_eq(points_rule_def_init(&d,
		    POINTS_RULE_DEF_VERSION), POINTS_OK);
		d.name = "later";
		d.event_type = "order";
		d.points = "event.amount / 100";
		d.asset = "PTS";
		d.state = POINTS_RULE_ACTIVE;
		d.pending_days = 60;
		d.author = "admin";
		ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_OK);
		/* an adopted idea earns 20 PTS once approved */
		d.name = "idea";
		d.event_type = "idea";
		d.points = "20";
		d.pending_days = 0;
		d.flags = POINTS_RULE_APPROVAL;
		ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_OK);
	}
	/* ivy's purchase of 30.00 earned 30 PTS (refunded below) */
	{
		points_event e = POINTS_EVENT_INIT;
		points_event_result *res;

		ivy = tu_account(db, "E1010");
		e.id = "seed-1";
		e.type = "purchase";
		e.account = ivy;
		e.amount = 3000;
		ck_assert_int_eq(points_event_apply(db, &e, &res), POINTS_OK);
		points_event_result_free(res);
		/* and her order of 40.00 earned 40 PTS, pending */
		e.id = "seed-2";
		e.type = "order";
		e.amount = 4000;
		ck_assert_int_eq(points_event_apply(db, &e, &res), POINTS_OK);
		points_event_result_free(res);
		/* and her ideas wait for approval (1 and 2) */
		e.id = "seed-3";
		e.type = "idea";
		e.actor = "mgr.wang";
		ck_assert_int_eq(points_event_apply(db, &e, &res), POINTS_OK);
		points_event_result_free(res);
		e.id = "seed-4";
		ck_assert_int_eq(points_event_apply(db, &e, &res), POINTS_OK);
		points_event_result_free(res);
	}
	/* kim's basket of two lines, 1 PTS per 1.00 line by line: 20 + 15
	 * (a line refunded below) */
	{
		points_rule_def d = POINTS_RULE_DEF_INIT;
		points_event e = POINTS_EVENT_INIT;
		points_event_result *res;
		points_rule r;

		d.name = "basket";
		d.event_type = "basket";
		d.points = "sum(event.attrs.lines.map(l, l.amount / 100))";
		d.asset = "PTS";
		d.state = POINTS_RULE_ACTIVE;
		d.author = "admin";
		ck_assert_int_eq(points_rule_save(db, &d, &r), POINTS_OK);
		kim = tu_account(db, "E1012");
		e.id = "seed-5";
		e.type = "basket";
		e.account = kim;
		e.amount = 3500;
		e.attrs = "{\"lines\": [{\"id\": \"A\", \"amount\": 2000}, "
		    "{\"id\": \"B\", \"amount\": 1500}]}";
		ck_assert_int_eq(points_event_apply(db, &e, &res), POINTS_OK);
		points_event_result_free(res);
		lee = tu_account(db, "E1013");
		ck_assert_int_eq(tu_earn(db, lee, "PTS", 1000, NULL),
		    POINTS_OK);
	}
	/* the mall: MUG (10 PTS, 6 in stock, low at 5, silver pays 8),
	 * CUP (sold out: one outbox event) */
	{
		points_item_def d = POINTS_ITEM_DEF_INIT;
		points_item it;

		ck_assert_int_eq(points_tier_set(db, "silver", 1, 100),
		    POINTS_OK);
		d.sku = "MUG";
		d.name = "Mug";
		d.category = "physical/kitchen";
		d.asset = "PTS";
		d.price = 10;
		d.stock = 6;
		d.low_stock = 5;
		d.actor = "admin";
		ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
		ck_assert_int_eq(points_item_set_tier_price(db, "MUG",
		    "silver", 8, "admin", NULL, &it), POINTS_OK);
		d.sku = "CUP";
		d.stock = 1;
		ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
		ck_assert_int_eq(points_item_restock(db, "CUP", -1, "admin",
		    NULL, &it), POINTS_OK);
	}
	/* orders: jack has 1000 PTS and three orders of PEN (100 PTS,
	 * unlimited, returns within 60 days): submitted, approved, and
	 * delivered -> available 700 */
	{
		points_item_def d = POINTS_ITEM_DEF_INIT;
		points_order_req r = POINTS_ORDER_REQ_INIT;
		points_item it;
		points_order o;

		jack = tu_account(db, "E1011");
		ck_assert_int_eq(tu_earn(db, jack, "PTS", 1000, NULL),
		    POINTS_OK);
		d.sku = "PEN";
		d.name = "Pen";
		d.category = "physical";
		d.asset = "PTS";
		d.price = 100;
		d.stock = POINTS_STOCK_UNLIMITED;
		d.return_days = 60;
		d.actor = "admin";
		ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
		/* rules every order of PEN passes: a flash price at its
		 * price, a window of every day, a limit of 90 a month, the
		 * mall's minimum of 1 PTS */
		ck_assert_int_eq(points_item_set_flash(db, "PEN",
		    POINTS_FLASH_PRICE, 100, 0, INT64_MAX, "admin", NULL, &it),
		    POINTS_OK);
		ck_assert_int_eq(points_item_set_window(db, "PEN", 0x7f, 0,
		    "admin", NULL, &it), POINTS_OK);
		ck_assert_int_eq(points_item_set_period_limit(db, "PEN",
		    POINTS_PERIOD_MONTH, 90, "admin", NULL, &it), POINTS_OK);
		ck_assert_int_eq(points_mall_set_min_balance(db, "PTS", 1,
		    "admin", NULL), POINTS_OK);
		/* 100 PTS = 10.00 in cash (1000 minor units) */
		{
			points_cash_ratio cr;

			ck_assert_int_eq(points_mall_set_cash_ratio(db, "PTS",
			    100, 1000, "admin", NULL, &cr), POINTS_OK);
		}
		r.account = jack;
		r.sku = "PEN";
		ck_assert_int_eq(points_order_place(db, &r, &o), POINTS_OK);
		strcpy(ord_sub, o.id);
		ck_assert_int_eq(points_order_place(db, &r, &o), POINTS_OK);
		strcpy(ord_appr, o.id);
		ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL,
		    &o), POINTS_OK);
		ck_assert_int_eq(points_order_place(db, &r, &o), POINTS_OK);
		strcpy(ord_del, o.id);
		ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL,
		    &o), POINTS_OK);
		ck_assert_int_eq(points_order_deliver(db, o.id, NULL, NULL,
		    &o), POINTS_OK);
		/* redeeming earns lee 1 PTS per 10 spent: lee's two orders,
		 * submitted, and approved and delivered -> 1000 - 200 + 10 */
		{
			points_rule_def rd = POINTS_RULE_DEF_INIT;
			points_rule rule;

			rd.name = "pen-back";
			rd.event_type = "redemption";
			rd.condition = "account.external_id == 'E1013'";
			rd.points = "event.amount / 10";
			rd.asset = "PTS";
			rd.state = POINTS_RULE_ACTIVE;
			rd.author = "admin";
			ck_assert_int_eq(points_rule_save(db, &rd, &rule),
			    POINTS_OK);
		}
		d.sku = "INK";
		d.name = "Ink";
		ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
		r.account = lee;
		r.sku = "INK";
		ck_assert_int_eq(points_order_place(db, &r, &o), POINTS_OK);
		strcpy(ord_lsub, o.id);
		ck_assert_int_eq(points_order_place(db, &r, &o), POINTS_OK);
		strcpy(ord_ldel, o.id);
		ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL,
		    &o), POINTS_OK);
		ck_assert_int_eq(points_order_deliver(db, o.id, NULL, NULL,
		    &o), POINTS_OK);
		ck_assert_int_eq(tu_available(db, lee, "PTS"), 810);
		/* CUP's out of stock, then 10 changes of orders */
		outbox_base = 11;
	}
	/* codes: VCARD (50 PTS) with 3 codes uploaded; mia (100 PTS) has
	 * an approved order of 1 (code V1) and a submitted one: three more
	 * changes of orders.  GIFT (20 PTS), virtual too, has no codes yet
	 * (no pool, no stock) */
	{
		points_item_def d = POINTS_ITEM_DEF_INIT;
		points_order_req r = POINTS_ORDER_REQ_INIT;
		points_code_pool cp;
		points_item it;
		points_order o;

		mia = tu_account(db, "E1031");
		ck_assert_int_eq(tu_earn(db, mia, "PTS", 100, NULL),
		    POINTS_OK);
		d.sku = "VCARD";
		d.name = "Card";
		d.category = "virtual";
		d.asset = "PTS";
		d.price = 50;
		d.actor = "admin";
		ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
		ck_assert_int_eq(points_item_codes_add(db, "VCARD",
		    "V1\nV2\nV3", "admin", NULL, &cp), POINTS_OK);
		r.account = mia;
		r.sku = "VCARD";
		ck_assert_int_eq(points_order_place(db, &r, &o), POINTS_OK);
		strcpy(ord_vappr, o.id);
		ck_assert_int_eq(points_order_approve(db, o.id, NULL, NULL,
		    &o), POINTS_OK);
		ck_assert_int_eq(points_order_place(db, &r, &o), POINTS_OK);
		strcpy(ord_vsub, o.id);
		outbox_base += 3;
		d.sku = "GIFT";
		d.name = "Gift card";
		d.price = 20;
		ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
	}
	/* the welfare allowance: nina (1000 PTS) gets 30 WEL before each
	 * of her three orders of PEN (30 WEL + 70 PTS each, the allowance
	 * first) and 30 more: PTS 790 available, 70 held; WEL 30 and 30;
	 * six more changes of orders */
	{
		points_order_req r = POINTS_ORDER_REQ_INIT;
		points_order o;
		char *ids[3] = { ord_wsub, ord_wappr, ord_wdel };
		int i;

		nina = tu_account(db, "E1041");
		ck_assert_int_eq(points_asset_create(db, "WEL", 0,
		    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
		ck_assert_int_eq(tu_earn(db, nina, "PTS", 1000, NULL),
		    POINTS_OK);
		r.account = nina;
		r.sku = "PEN";
		r.allowance = "WEL";
		for (i = 0; i < 3; i++) {
			ck_assert_int_eq(tu_earn(db, nina, "WEL", 30, NULL),
			    POINTS_OK);
			ck_assert_int_eq(points_order_place(db, &r, &o),
			    POINTS_OK);
			ck_assert_int_eq(o.allowance_amount, 30);
			strcpy(ids[i], o.id);
			if (i > 0)
				ck_assert_int_eq(points_order_approve(db, o.id,
				    NULL, NULL, &o), POINTS_OK);
			if (i > 1)
				ck_assert_int_eq(points_order_deliver(db, o.id,
				    NULL, NULL, &o), POINTS_OK);
		}
		ck_assert_int_eq(tu_earn(db, nina, "WEL", 30, NULL),
		    POINTS_OK);
		outbox_base += 6;
	}
	/* bundles: KIT (30 PTS, no stock of its own) of a TEA (5 in
	 * stock) and two SPOONs (9); nora (100 PTS) has a submitted order
	 * of one KIT (TEA 4, SPOON 7): one more change of orders */
	{
		points_item_def d = POINTS_ITEM_DEF_INIT;
		points_order_req r = POINTS_ORDER_REQ_INIT;
		points_item it;
		points_order o;

		nora = tu_account(db, "E1051");
		ck_assert_int_eq(tu_earn(db, nora, "PTS", 100, NULL),
		    POINTS_OK);
		d.category = "physical";
		d.asset = "PTS";
		d.actor = "admin";
		d.sku = d.name = "TEA";
		d.price = 10;
		d.stock = 5;
		ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
		d.sku = d.name = "SPOON";
		d.price = 5;
		d.stock = 9;
		ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
		d.sku = d.name = "KIT";
		d.price = 30;
		d.stock = POINTS_STOCK_UNLIMITED;
		ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
		ck_assert_int_eq(points_bundle_set_part(db, "KIT", "TEA", 1,
		    "admin", NULL, &it), POINTS_OK);
		ck_assert_int_eq(points_bundle_set_part(db, "KIT", "SPOON", 2,
		    "admin", NULL, &it), POINTS_OK);
		r.account = nora;
		r.sku = "KIT";
		ck_assert_int_eq(points_order_place(db, &r, &o), POINTS_OK);
		strcpy(ord_ksub, o.id);
		outbox_base += 1;
	}
	/* a tier that qualifies: vip, 500 PTS earned in the calendar
	 * month (earn_upgrade crosses it); jack is vip by hand and short
	 * of it (tier_sweep moves him to silver, the base) */
	ck_assert_int_eq(points_tier_set(db, "vip", 3, 300), POINTS_OK);
	ck_assert_int_eq(points_tier_qualify(db, "vip", "PTS", 500, 1),
	    POINTS_OK);
	ck_assert_int_eq(points_account_update(db, jack, NULL, "vip", NULL),
	    POINTS_OK);
	/* grants: 12 PTS a month for Sales (bob), 9 EXP a month from
	 * POOL1 for a team (alice) */
	{
		points_grant_def d = POINTS_GRANT_DEF_INIT;
		points_grant g;

		d.name = "welfare";
		d.asset = "PTS";
		d.condition = "account.department == 'Sales'";
		d.points = "12";
		d.state = POINTS_RULE_ACTIVE;
		d.author = "hr";
		ck_assert_int_eq(points_grant_save(db, &d, &g), POINTS_OK);
		d.name = "teamfund";
		d.asset = "EXP";
		d.condition = "has(account.attrs.team)";
		d.points = "9";
		d.pool = pool;
		ck_assert_int_eq(points_grant_save(db, &d, &g), POINTS_OK);
	}
	/* account triggers: alice's EXP reaching 60 (she has 48: the
	 * earn op crosses it), any change of a tier (account_update) */
	{
		points_trigger t;

		ck_assert_int_eq(points_trigger_set(db, "alice-exp",
		    POINTS_TRIGGER_BALANCE, "EXP", 60, NULL, &t), POINTS_OK);
		ck_assert_int_eq(points_trigger_set(db, "tier-any",
		    POINTS_TRIGGER_TIER, NULL, 0, NULL, &t), POINTS_OK);
	}
	/* a lottery: 10 PTS a draw, 25 PTS won or 2 as a consolation */
	{
		points_lottery_def l;

		memset(&l, 0, sizeof(l));
		strcpy(l.name, "fair");
		strcpy(l.asset, "PTS");
		l.cost = 10;
		l.starts = TU_T0;
		l.ends = TU_T0 + 60 * TU_DAY;
		l.lose_weight = 1;
		l.consolation = 2;
		/* the draw evaluates it: its allocations meet the faults */
		strcpy(l.condition, "available >= 10 && account.id > 0");
		l.nprizes = 1;
		l.prizes[0].kind = POINTS_PRIZE_POINTS;
		strcpy(l.prizes[0].label, "25 points");
		l.prizes[0].weight = 1;
		l.prizes[0].stock = 5;
		l.prizes[0].amount = 25;
		ck_assert_int_eq(points_lottery_create(db, &l, &lot_id),
		    POINTS_OK);
		/* zed's two draws, made last: a win tells the outbox */
		zed = tu_account(db, "E1020");
		ck_assert_int_eq(tu_earn(db, zed, "PTS", 100, NULL),
		    POINTS_OK);
		lot_stock = 5;
		for (i = 1; i <= 2; i++) {
			ck_assert_int_eq(points_lottery_draw_once(db, lot_id,
			    zed, NULL, &lotdo), POINTS_OK);
			outbox_base += lotdo.outcome >= 0;
			lot_stock -= lotdo.outcome >= 0;
		}
		lot_lee = tu_available(db, lee, "PTS");
	}
	/* an auction of one AUC (stock 2), ending long after every other
	 * operation's times: olga leads at 100, pete has 1000 to bid */
	{
		points_item_def d = POINTS_ITEM_DEF_INIT;
		points_auction_def a;
		points_item it;
		points_outbox_event ev;
		points_bid w;
		int64_t s0 = 0, s1;

		while (points_outbox_next(db, s0, &ev) == POINTS_OK)
			s0 = ev.seq;
		olga = tu_account(db, "E1061");
		pete = tu_account(db, "E1062");
		ck_assert_int_eq(tu_earn(db, olga, "PTS", 1000, NULL),
		    POINTS_OK);
		ck_assert_int_eq(tu_earn(db, pete, "PTS", 1000, NULL),
		    POINTS_OK);
		d.sku = "AUC";
		d.name = "Auctioned";
		d.category = "physical";
		d.asset = "PTS";
		d.price = 1000;
		d.stock = 2;
		d.actor = "admin";
		ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
		memset(&a, 0, sizeof(a));
		strcpy(a.sku, "AUC");
		a.starts = TU_T0;
		a.ends = AUC_END - 100;
		a.start_price = 100;
		a.increment = 10;
		a.reserve = 100;
		a.snipe_window = 200;
		a.snipe_extend = 100;
		/* a bid evaluates it: its allocations meet the faults */
		strcpy(a.condition, "available >= 0 && account.id > 0");
		ck_assert_int_eq(points_auction_create(db, &a, &auc_id),
		    POINTS_OK);
		ck_assert_int_eq(points_auction_bid(db, auc_id, olga, 100,
		    "olga-1", &w), POINTS_OK);
		/* the events of these (the accounts' tier triggers) */
		for (s1 = s0; points_outbox_next(db, s1, &ev) == POINTS_OK;)
			s1 = ev.seq;
		outbox_base += s1 - s0;
	}
	/* a lottery of 2 units of item LOTI (stock 3): 1 left in stock */
	{
		points_item_def d = POINTS_ITEM_DEF_INIT;
		points_lottery_def l;
		points_item it;
		points_outbox_event ev;
		int64_t s0 = 0, s1;

		while (points_outbox_next(db, s0, &ev) == POINTS_OK)
			s0 = ev.seq;
		d.sku = "LOTI";
		d.name = "A lottery's tablet";
		d.category = "physical";
		d.asset = "PTS";
		d.price = 1000;
		d.stock = 3;
		d.actor = "admin";
		ck_assert_int_eq(points_item_create(db, &d, &it), POINTS_OK);
		memset(&l, 0, sizeof(l));
		strcpy(l.name, "tablets");
		strcpy(l.asset, "PTS");
		l.starts = TU_T0;
		l.ends = TU_T0 + 60 * TU_DAY;
		l.nprizes = 1;
		l.prizes[0].kind = POINTS_PRIZE_ITEM;
		strcpy(l.prizes[0].label, "tablet");
		strcpy(l.prizes[0].sku, "LOTI");
		l.prizes[0].weight = 1;
		l.prizes[0].stock = 2;
		ck_assert_int_eq(points_lottery_create(db, &l, &lot_item_id),
		    POINTS_OK);
		for (s1 = s0; points_outbox_next(db, s1, &ev) == POINTS_OK;)
			s1 = ev.seq;
		outbox_base += s1 - s0;
	}
	tu_now = TU_T0 + 30 * TU_DAY;
	/* The tier above changed the rules' generation: read the rules
	 * into the handle's cache, as the events above left it, so that
	 * every event operation meets its faults in its own reads and
	 * writes rather than only in reloading the rules (an operation
	 * short of store calls then never fails after writing). */
	{
		points_event e = POINTS_EVENT_INIT;
		points_event_result *res;

		e.id = "warm";
		e.type = "idea";
		e.account = ivy;
		e.actor = "mgr.wang";
		ck_assert_int_eq(points_event_preview(db, &e, &res), POINTS_OK);
		points_event_result_free(res);
	}
	tu_invariants(db);
}

static void
fx_open(int kind)
{
	points_open_options o = fx_options();
	int rc;

	fx_kind = kind;
	inner = fault = NULL;
	db = NULL;
	if (kind == FX_OOM) {
		/* the hook is process-wide: install it before any handle */
		tu_alloc_install();
		rc = points_open("memory:", &o, &db);
	} else {
		ck_assert_int_eq(points_store_open(kind == FX_SQLITE ||
		    kind == FX_V2_SQLITE ? tu_sqlite_uri() : "memory:",
		    &inner), POINTS_OK);
		if (kind == FX_V2_SQLITE)
			inner = tu_store_v2(inner);
		/* a store of version 1: a get per key, no messages */
		if (kind == FX_V1)
			inner = tu_store_v1(inner);
		/* a store of version 2: no savepoints */
		if (kind == FX_V2)
			inner = tu_store_v2(inner);
		ck_assert_int_eq(points_store_fault_new(inner, &fault),
		    POINTS_OK);
		rc = points_open_store(fault, &o, &db);
	}
	ck_assert_msg(rc == POINTS_OK, "open: %s", points_errmsg(db));
	fx_populate();
}

static void
setup_memory(void)
{
	fx_open(FX_MEMORY);
}

static void
setup_sqlite(void)
{
	fx_open(FX_SQLITE);
}

static void
setup_oom(void)
{
	fx_open(FX_OOM);
}

static void
setup_v1(void)
{
	fx_open(FX_V1);
}

static void
setup_v2(void)
{
	fx_open(FX_V2);
}

static void
setup_v2_sqlite(void)
{
	fx_open(FX_V2_SQLITE);
}

static void
teardown(void)
{
	/* the ledger, then the wrapper, then the store it wraps */
	points_close(db);
	points_store_close(fault);
	points_store_close(inner);
	db = NULL;
	fault = inner = NULL;
	if (fx_kind == FX_OOM)
		tu_alloc_uninstall();
	tu_cleanup();
}

/* ---- Comparing dumps ---- */

/* Fail unless the ledger dumps as before; name the keyspace and the
 * offset of the first difference. */
static void
assert_unchanged(const char *before, size_t bl, const char *what, long n,
    int persistent)
{
	size_t al, i, m;
	char *after = tu_dump(db, &al);
	const char *ks = "?";

	if (al == bl && memcmp(before, after, bl) == 0) {
		free(after);
		return;
	}
	m = al < bl ? al : bl;
	for (i = 0; i < m && before[i] == after[i]; i++)
		;
	{
		/* the last "[keyspace]" header before the difference */
		size_t j = i;
		static char name[40];

		while (j > 0 && !(before[j - 1] == '\n' && before[j] == '['))
			j--;
		if (before[j] == '[') {
			size_t k;

			for (k = 0; k + 1 < sizeof(name) && j + 1 + k < bl &&
			    before[j + 1 + k] != ']'; k++)
				name[k] = before[j + 1 + k];
			name[k] = '\0';
			ks = name;
		}
	}
	free(after);
	ck_abort_msg("%s: the ledger changed after a failure at %s %ld "
	    "(first difference in keyspace '%s', byte %zu; %zu -> %zu bytes)",
	    what, persistent ? "every call from" : "call", n, ks, i, bl, al);
}

/* ---- The operations under test ---- */

typedef struct fault_op {
	const char *name;
	int (*run)(void);
	void (*check)(void); /* after success */
	int batch;           /* ends with a rollback, which clears errcode */
} fault_op;

static int64_t
held(int64_t acct, const char *asset)
{
	points_balance b;

	ck_assert_int_eq(points_balance_get(db, acct, asset, &b), POINTS_OK);
	return b.held;
}

static int
account_status(int64_t id)
{
	points_account a;

	ck_assert_int_eq(points_account_get(db, id, &a), POINTS_OK);
	return a.status;
}

static int
run_asset_create(void)
{
	return points_asset_create(db, "NEW", 2, POINTS_EXPIRE_DAYS, 30);
}

static void
check_asset_create(void)
{
	points_asset a;

	ck_assert_int_eq(points_asset_get(db, "NEW", &a), POINTS_OK);
	ck_assert_int_eq(a.decimals, 2);
	ck_assert_int_eq(a.expiry_policy, POINTS_EXPIRE_DAYS);
	ck_assert_int_eq(a.expiry_n, 30);
	ck_assert_int_eq(tu_earn(db, alice, "NEW", 5, NULL), POINTS_OK);
}

static int
run_account_create(void)
{
	return points_account_create(db, "E1009", "Eve", 0, &ido);
}

static void
check_account_create(void)
{
	points_account a;

	ck_assert_int_eq(points_account_find(db, "E1009", &a), POINTS_OK);
	ck_assert_int_eq(a.id, ido);
	ck_assert_int_eq(a.id, pete + 1);
	ck_assert_str_eq(a.name, "Eve");
	ck_assert_int_eq(tu_earn(db, ido, "PTS", 1, NULL), POINTS_OK);
}

/* The newest event of the outbox. */
static points_outbox_event
last_event(void)
{
	points_outbox_event e, got;
	int64_t after = 0;

	memset(&got, 0, sizeof(got));
	while (points_outbox_next(db, after, &e) == POINTS_OK) {
		got = e;
		after = e.seq;
	}
	return got;
}

static int
run_account_update(void)
{
	return points_account_update(db, alice, "Alice A", "gold", "sales");
}

static void
check_account_update(void)
{
	points_account a;
	char *v = NULL;

	ck_assert_int_eq(points_account_get(db, alice, &a), POINTS_OK);
	ck_assert_str_eq(a.name, "Alice A");
	ck_assert_str_eq(a.tier, "gold");
	ck_assert_str_eq(a.department, "sales");
	ck_assert_str_eq(last_event().data, "{\"trigger\":\"tier-any\","
	    "\"from\":\"\",\"to\":\"gold\"}");
	ck_assert_int_eq(points_account_attr_get(db, alice, "team", &v),
	    POINTS_OK);
	ck_assert_str_eq(v, "red");
	points_free(v);
}

static int
run_attr_set(void)
{
	return points_account_attr_set(db, alice, "color", "blue");
}

static void
check_attr_set(void)
{
	char *v = NULL;

	ck_assert_int_eq(points_account_attr_get(db, alice, "color", &v),
	    POINTS_OK);
	ck_assert_str_eq(v, "blue");
	points_free(v);
	ck_assert_int_eq(points_account_attr_get(db, alice, "team", &v),
	    POINTS_OK);
	ck_assert_str_eq(v, "red");
	points_free(v);
}

static int
run_attr_remove(void)
{
	return points_account_attr_set(db, alice, "team", NULL);
}

static void
check_attr_remove(void)
{
	char *v = NULL;

	ck_assert_int_eq(points_account_attr_get(db, alice, "team", &v),
	    POINTS_ENOTFOUND);
	ck_assert_ptr_null(v);
}

static int
run_freeze(void)
{
	return points_account_freeze(db, bob);
}

static void
check_freeze(void)
{
	ck_assert_int_eq(account_status(bob), POINTS_ACCOUNT_FROZEN);
	ck_assert_int_eq(tu_spend(db, bob, "PTS", 1, NULL), POINTS_EFROZEN);
}

static int
run_unfreeze(void)
{
	return points_account_unfreeze(db, dave);
}

static void
check_unfreeze(void)
{
	ck_assert_int_eq(account_status(dave), POINTS_ACCOUNT_ACTIVE);
	ck_assert_int_eq(tu_earn(db, dave, "PTS", 1, NULL), POINTS_OK);
}

static int
run_close(void)
{
	return points_account_close(db, carol);
}

static void
check_close(void)
{
	ck_assert_int_eq(account_status(carol), POINTS_ACCOUNT_CLOSED);
	ck_assert_int_eq(tu_earn(db, carol, "PTS", 1, NULL), POINTS_ECLOSED);
}

/* Category, actor and bob's department, in a version-2 entry. */
static int
run_earn_meta(void)
{
	points_posting p = tu_posting("PTS", bob, 7);

	p.category = "training";
	p.actor = "hr:1";
	p.idempotency_key = "earn-meta";
	return points_earn(db, &p, &txo);
}

static void
check_earn_meta(void)
{
	points_statement_iterator *it;
	points_entry e;

	ck_assert_str_eq(txo.category, "training");
	ck_assert_str_eq(txo.actor, "hr:1");
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 47);
	ck_assert_int_eq(points_statement_iterator_new(db, bob, "PTS", 0, 0,
	    POINTS_NEWEST_FIRST, &it), POINTS_OK);
	ck_assert_int_eq(points_statement_next(it, &e), POINTS_OK);
	points_statement_iterator_free(it);
	ck_assert_str_eq(e.department, "Sales");
	ck_assert_str_eq(e.category, "training");
	ck_assert_int_eq(run_earn_meta(), POINTS_OK);
	ck_assert_int_eq(txo.replayed, 1);
}

static points_account acco;

static int
run_account_apply(void)
{
	points_account_edit e = POINTS_ACCOUNT_EDIT_INIT;

	e.account = alice;
	e.tier = "gold";
	e.department = "R&D";
	e.status = POINTS_ACCOUNT_FROZEN;
	e.actor = "hr:1";
	e.reason = "audit";
	e.idempotency_key = "chg-1";
	return points_account_apply(db, &e, &acco);
}

/* The number of changes in account's history. */
static int
changes(int64_t account)
{
	points_account_history_iterator *it;
	points_account_change c;
	int n = 0;

	ck_assert_int_eq(points_account_history_iterator_new(db, account, &it),
	    POINTS_OK);
	while (points_account_history_next(it, &c) == POINTS_OK)
		n++;
	points_account_history_iterator_free(it);
	return n;
}

static void
check_account_apply(void)
{
	ck_assert_str_eq(acco.tier, "gold");
	ck_assert_str_eq(acco.department, "R&D");
	ck_assert_int_eq(account_status(alice), POINTS_ACCOUNT_FROZEN);
	ck_assert_int_eq(changes(alice), 3);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_EFROZEN);
	ck_assert_int_eq(run_account_apply(), POINTS_OK);
	ck_assert_int_eq(changes(alice), 3);
}

static int
run_account_erase(void)
{
	return points_account_erase(db, frank, "dpo", "request 1");
}

static void
check_account_erase(void)
{
	points_account a;

	ck_assert_int_eq(points_account_get(db, frank, &a), POINTS_OK);
	ck_assert_str_eq(a.external_id, "");
	ck_assert_int_eq(points_account_find(db, "E1006", &a),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(changes(frank), 2);
}

/* An earn of half of int64: with the log in partitions (make
 * check-partitions) it takes the issuer's record of bob's partition
 * past its share, which marks the issuer in its own record and reads
 * its other records (balance.h, wide). */
static int
run_earn_huge(void)
{
	points_posting p = tu_posting("PTS", bob, INT64_MAX / 2);

	return points_earn(db, &p, &txo);
}

static void
check_earn_huge(void)
{
	ck_assert_int_eq(txo.amount, INT64_MAX / 2);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 40 + INT64_MAX / 2);
}

static int
run_earn(void)
{
	points_posting p = tu_posting("EXP", alice, 15);

	p.idempotency_key = "earn-1";
	return points_earn(db, &p, &txo);
}

static void
check_earn(void)
{
	points_posting p = tu_posting("EXP", alice, 15);
	points_txn t;

	ck_assert_int_eq(txo.type, POINTS_TXN_EARN);
	ck_assert_int_eq(txo.amount, 15);
	ck_assert_int_eq(txo.replayed, 0);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 48 + 15);
	/* it crossed trigger alice-exp (60) */
	{
		points_outbox_event e = last_event();

		ck_assert_str_eq(e.kind, POINTS_OUTBOX_ACCOUNT_TRIGGER);
		ck_assert_str_eq(e.subject, "alice-exp");
		ck_assert_int_eq(e.account, alice);
		ck_assert_str_eq(e.data, "{\"trigger\":\"alice-exp\","
		    "\"asset\":\"EXP\",\"level\":60,\"balance\":63}");
	}
	/* the idempotency key was recorded with it */
	p.idempotency_key = "earn-1";
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(t.replayed, 1);
	ck_assert_str_eq(t.id, txo.id);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 48 + 15);
}

static int
run_spend(void)
{
	return tu_spend(db, alice, "EXP", 45, &txo);
}

static void
check_spend(void)
{
	points_balance b;

	ck_assert_int_eq(txo.type, POINTS_TXN_SPEND);
	ck_assert_int_eq(txo.amount, 45);
	ck_assert_int_eq(points_balance_get(db, alice, "EXP", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 3);
	ck_assert_int_eq(b.spent, 45);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_SINK, "EXP"), 45);
}

static int
run_transfer(void)
{
	points_posting p = tu_posting("EXP", alice, 20);

	p.counterparty = bob;
	return points_transfer(db, &p, &txo);
}

static int
run_pool_fund(void)
{
	points_posting p = tu_posting("EXP", pool, 25);

	p.idempotency_key = "fund-1";
	return points_pool_fund(db, &p, &txo);
}

static void
check_pool_fund(void)
{
	points_posting p = tu_posting("EXP", pool, 25);
	points_txn t;

	ck_assert_int_eq(txo.type, POINTS_TXN_FUND);
	ck_assert_int_eq(tu_available(db, pool, "EXP"), 85);
	p.idempotency_key = "fund-1";
	ck_assert_int_eq(points_pool_fund(db, &p, &t), POINTS_OK);
	ck_assert_int_eq(t.replayed, 1);
	ck_assert_int_eq(tu_available(db, pool, "EXP"), 85);
}

static int
run_pool_defund(void)
{
	points_posting p = tu_posting("EXP", pool, 60);

	return points_pool_defund(db, &p, &txo);
}

static void
check_pool_defund(void)
{
	ck_assert_int_eq(txo.type, POINTS_TXN_DEFUND);
	ck_assert_int_eq(tu_available(db, pool, "EXP"), 0);
	ck_assert_int_eq(points_account_close(db, pool), POINTS_OK);
}

static int
run_pool_award(void)
{
	points_posting p = tu_posting("EXP", bob, 45);

	p.counterparty = pool;
	return points_earn(db, &p, &txo);
}

static void
check_pool_award(void)
{
	ck_assert_int_eq(txo.from, pool);
	ck_assert_int_eq(tu_available(db, pool, "EXP"), 15);
	ck_assert_int_eq(tu_available(db, bob, "EXP"), 50);
}

static int
run_asset_policy_set(void)
{
	points_asset_policy p = POINTS_ASSET_POLICY_INIT;

	p.flags = POINTS_ASSET_NO_TRANSFER;
	p.year_end_month = 3;
	return points_asset_policy_set(db, "EXP", &p);
}

static void
check_asset_policy_set(void)
{
	points_asset a;
	points_posting p = tu_posting("EXP", alice, 1);
	points_txn t;

	ck_assert_int_eq(points_asset_get(db, "EXP", &a), POINTS_OK);
	ck_assert_uint_eq(a.flags, POINTS_ASSET_NO_TRANSFER);
	ck_assert_int_eq(a.year_end_month, 3);
	p.counterparty = bob;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_ESTATE);
}

/* A transfer against a daily limit that an earlier one used in part:
 * the counter is read and rewritten. */
static int
run_transfer_limited(void)
{
	points_posting p = tu_posting("LIM", alice, 5);

	p.counterparty = bob;
	return points_transfer(db, &p, &txo);
}

static void
check_transfer_limited(void)
{
	points_posting p = tu_posting("LIM", alice, 6);
	points_txn t;

	ck_assert_int_eq(tu_available(db, bob, "LIM"), 10);
	/* the populating transfer was on another day */
	p.counterparty = bob;
	ck_assert_int_eq(points_transfer(db, &p, &t), POINTS_ELIMIT);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "5 transferred today"));
}

/* Every list of the posting outgrows the room it has on the stack. */
static int
run_transfer_lots(void)
{
	points_posting p = tu_posting("EXP", erin, ERIN_LOTS - 4);

	p.counterparty = bob;
	return points_transfer(db, &p, &txo);
}

static void
check_transfer_lots(void)
{
	points_lot_iterator *it;
	points_lot lot;
	int i;

	ck_assert_int_eq(tu_available(db, erin, "EXP"), 4);
	ck_assert_int_eq(tu_available(db, bob, "EXP"), 5 + ERIN_LOTS - 4);
	/* bob's own lot, then erin's days, earliest first */
	ck_assert_int_eq(points_lot_iterator_new(db, bob, "EXP", INT64_MAX,
	    &it), POINTS_OK);
	ck_assert_int_eq(points_lot_next(it, &lot), POINTS_OK);
	ck_assert_int_eq(lot.amount, 5);
	for (i = 0; i < ERIN_LOTS - 4; i++) {
		ck_assert_int_eq(points_lot_next(it, &lot), POINTS_OK);
		ck_assert_int_eq(lot.amount, 1);
		/* an explicit expiry runs to the end of its day */
		ck_assert_int_eq(lot.expires_at, TU_T0 + (ERIN_DAY + i + 1) *
		    TU_DAY - 1);
	}
	ck_assert_int_eq(points_lot_next(it, &lot), POINTS_ITEROVER);
	points_lot_iterator_free(it);
}

static void
check_transfer(void)
{
	points_lot_iterator *it;
	points_lot lot;

	ck_assert_int_eq(txo.type, POINTS_TXN_TRANSFER);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 28);
	ck_assert_int_eq(tu_available(db, bob, "EXP"), 25);
	/* bob's new points keep alice's day-0 expiry */
	ck_assert_int_eq(points_lot_iterator_new(db, bob, "EXP", INT64_MAX,
	    &it), POINTS_OK);
	ck_assert_int_eq(points_lot_next(it, &lot), POINTS_OK);
	ck_assert_int_eq(lot.amount, 20);
	ck_assert_int_eq(lot.expires_at, TU_T0 + 366 * TU_DAY - 1);
	ck_assert_int_eq(points_lot_next(it, &lot), POINTS_OK);
	ck_assert_int_eq(lot.amount, 5);
	ck_assert_int_eq(points_lot_next(it, &lot), POINTS_ITEROVER);
	points_lot_iterator_free(it);
}

static int
run_adjust_credit(void)
{
	points_posting p = tu_posting("PTS", alice, 7);

	p.memo = "goodwill";
	return points_adjust(db, &p, &txo);
}

static void
check_adjust_credit(void)
{
	ck_assert_int_eq(txo.type, POINTS_TXN_ADJUST);
	ck_assert_int_eq(txo.to, alice);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 57);
}

static int
run_adjust_debit(void)
{
	points_posting p = tu_posting("PTS", alice, -5);

	p.memo = "double counted";
	return points_adjust(db, &p, &txo);
}

static void
check_adjust_debit(void)
{
	ck_assert_int_eq(txo.type, POINTS_TXN_ADJUST);
	ck_assert_int_eq(txo.from, alice);
	ck_assert_int_eq(txo.amount, 5);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 45);
}

static int
run_reverse_whole(void)
{
	points_reversal r = POINTS_REVERSAL_INIT;

	r.txn_id = spend_id;
	r.memo = "refund";
	r.idempotency_key = "rev-1";
	return points_reverse(db, &r, &txo);
}

static void
check_reverse_whole(void)
{
	points_txn t;
	points_balance b;

	ck_assert_int_eq(txo.type, POINTS_TXN_REVERSAL);
	ck_assert_int_eq(txo.amount, 30);
	ck_assert_str_eq(txo.ref, spend_id);
	ck_assert_int_eq(points_balance_get(db, alice, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 80);
	ck_assert_int_eq(b.spent, 0);
	ck_assert_int_eq(tu_reverse(db, spend_id, 0, NULL, NULL, &t),
	    POINTS_ESTATE);
	/* the idempotency key was recorded with it */
	ck_assert_int_eq(tu_reverse(db, spend_id, 0, "refund", "rev-1", &t),
	    POINTS_OK);
	ck_assert_int_eq(t.replayed, 1);
	ck_assert_str_eq(t.id, txo.id);
}

static int
run_reverse_partial(void)
{
	return tu_reverse(db, earn_id, 10, NULL, NULL, &txo);
}

static void
check_reverse_partial(void)
{
	points_txn t;

	ck_assert_int_eq(txo.type, POINTS_TXN_REVERSAL);
	ck_assert_int_eq(txo.amount, 10);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 40);
	/* 90 are left to reverse, not 100 */
	ck_assert_int_eq(tu_reverse(db, earn_id, 91, NULL, NULL, &t),
	    POINTS_EINVAL);
}

/* alice has 50 available (20 held) of the 100 earned: she owes 50 */
static int
run_reverse_debt(void)
{
	return tu_reverse(db, earn_id, 0, "refund", "rev-debt", &txo);
}

static void
check_reverse_debt(void)
{
	points_balance b;

	ck_assert_int_eq(txo.amount, 100);
	ck_assert_int_eq(txo.debt, 50);
	ck_assert_int_eq(points_balance_get(db, alice, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 0);
	ck_assert_int_eq(b.held, 20);
	ck_assert_int_eq(b.debt, 50);
}

/* gus's next earn repays his debt first */
static int
run_earn_repays(void)
{
	return tu_earn(db, gus, "PTS", 15, &txo);
}

static void
check_earn_repays(void)
{
	points_balance b;

	ck_assert_int_eq(txo.repaid, 10);
	ck_assert_int_eq(points_balance_get(db, gus, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 5);
	ck_assert_int_eq(b.debt, 0);
}

/* alice leaves: two holds released, PTS and EXP forfeited, closed */
static int
run_forfeit(void)
{
	points_forfeit f = POINTS_FORFEIT_INIT;

	f.account = alice;
	f.memo = "left";
	f.idempotency_key = "leaver-alice";
	return points_account_forfeit(db, &f, &fro);
}

static void
check_forfeit(void)
{
	points_hold h;

	ck_assert_int_eq(fro.holds, 2);
	ck_assert_int_eq(fro.forfeited, 3); /* PTS, EXP, LIM */
	ck_assert_int_eq(fro.written_off, 0);
	ck_assert_int_eq(account_status(alice), POINTS_ACCOUNT_CLOSED);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 0);
	ck_assert_int_eq(held(alice, "EXP"), 0);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "PTS"), 70);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"), 58);
	ck_assert_int_eq(points_hold_get(db, hold_due, &h), POINTS_OK);
	ck_assert_int_eq(h.state, POINTS_HOLD_RELEASED);
	/* the key replays */
	ck_assert_int_eq(run_forfeit(), POINTS_OK);
	ck_assert_int_eq(fro.replayed, 1);
	ck_assert_int_eq(fro.holds, 2);
}

/* gus leaves owing 10: written off */
static int
run_forfeit_debt(void)
{
	points_forfeit f = POINTS_FORFEIT_INIT;

	f.account = gus;
	return points_account_forfeit(db, &f, &fro);
}

static void
check_forfeit_debt(void)
{
	points_balance b;

	ck_assert_int_eq(fro.written_off, 1);
	ck_assert_int_eq(account_status(gus), POINTS_ACCOUNT_CLOSED);
	ck_assert_int_eq(points_balance_get(db, gus, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.debt, 0);
	ck_assert_int_eq(b.earned, 10);
}

static int
run_hold_create(void)
{
	points_posting p = tu_posting("PTS", alice, 15);

	p.expires_at = tu_now + TU_DAY;
	return points_hold_create(db, &p, &txo);
}

static void
check_hold_create(void)
{
	points_hold h;

	ck_assert_int_eq(txo.type, POINTS_TXN_HOLD);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 35);
	ck_assert_int_eq(held(alice, "PTS"), 35);
	ck_assert_int_eq(points_hold_get(db, txo.id, &h), POINTS_OK);
	ck_assert_int_eq(h.state, POINTS_HOLD_OPEN);
	ck_assert_int_eq(h.amount, 15);
	ck_assert_int_eq(h.expires_at, tu_now + TU_DAY);
}

static int
run_capture_full(void)
{
	points_capture c = POINTS_CAPTURE_INIT;

	c.hold_id = hold_open;
	c.memo = "order 7";
	c.idempotency_key = "cap-1";
	return points_hold_capture(db, &c, &txo);
}

static void
check_capture_full(void)
{
	points_hold h;

	ck_assert_int_eq(txo.type, POINTS_TXN_CAPTURE);
	ck_assert_int_eq(txo.amount, 20);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 50);
	ck_assert_int_eq(held(alice, "PTS"), 0);
	/* alice's 30 spent, gus's 10, jack's two orders' 200, lee's 100,
	 * mia's 50, nina's two orders' 70 each, zed's two draws' 20 and
	 * this 20 */
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_SINK, "PTS"), 570);
	ck_assert_int_eq(points_hold_get(db, hold_open, &h), POINTS_OK);
	ck_assert_int_eq(h.state, POINTS_HOLD_CAPTURED);
	ck_assert_int_eq(h.captured, 20);
	/* the idempotency key was recorded with it: a retry replays */
	ck_assert_int_eq(run_capture_full(), POINTS_OK);
	ck_assert_int_eq(txo.replayed, 1);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_SINK, "PTS"), 570);
}

static int
run_capture_partial(void)
{
	return tu_capture(db, hold_open, 5, bob, NULL, &txo);
}

static void
check_capture_partial(void)
{
	points_hold h;

	ck_assert_int_eq(txo.type, POINTS_TXN_CAPTURE);
	ck_assert_int_eq(txo.amount, 5);
	ck_assert_int_eq(txo.to, bob);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 65);
	ck_assert_int_eq(held(alice, "PTS"), 0);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 45);
	ck_assert_int_eq(points_hold_get(db, hold_open, &h), POINTS_OK);
	ck_assert_int_eq(h.state, POINTS_HOLD_CAPTURED);
	ck_assert_int_eq(h.captured, 5);
}

static int
run_release(void)
{
	points_release r = POINTS_RELEASE_INIT;

	r.hold_id = hold_open;
	r.memo = "cancelled";
	r.idempotency_key = "rel-1";
	return points_hold_release(db, &r, &txo);
}

static void
check_release(void)
{
	points_hold h;

	ck_assert_int_eq(txo.type, POINTS_TXN_RELEASE);
	ck_assert_int_eq(txo.amount, 20);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 70);
	ck_assert_int_eq(held(alice, "PTS"), 0);
	ck_assert_int_eq(points_hold_get(db, hold_open, &h), POINTS_OK);
	ck_assert_int_eq(h.state, POINTS_HOLD_RELEASED);
	/* the idempotency key was recorded with it: a retry replays */
	ck_assert_int_eq(run_release(), POINTS_OK);
	ck_assert_int_eq(txo.replayed, 1);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 70);
}

static int
run_sweep(void)
{
	return points_expire_sweep_asset(db, NULL, TU_T0 + 400 * TU_DAY,
	    POINTS_SWEEP_FUTURE, &repo);
}

static void
check_sweep(void)
{
	points_balance b;
	points_hold h;
	points_sweep_report r;

	ck_assert_int_eq(repo.holds, 1);
	ck_assert_int_eq(repo.accounts, 3);
	ck_assert_int_eq(repo.lots, 4);
	ck_assert_int_eq(repo.points, 70);
	ck_assert_int_eq(points_balance_get(db, alice, "EXP", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 0);
	ck_assert_int_eq(b.held, 0);
	ck_assert_int_eq(b.expired, 58);
	ck_assert_int_eq(tu_available(db, bob, "EXP"), 0);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"), 70);
	ck_assert_int_eq(points_hold_get(db, hold_due, &h), POINTS_OK);
	ck_assert_int_eq(h.state, POINTS_HOLD_EXPIRED);
	/* the open hold without deadline is untouched */
	ck_assert_int_eq(held(alice, "PTS"), 20);
	/* idempotent */
	ck_assert_int_eq(points_expire_sweep_asset(db, NULL, TU_T0 + 400 * TU_DAY,
	    POINTS_SWEEP_FUTURE, &r),
	    POINTS_OK);
	ck_assert_int_eq(r.points, 0);
	ck_assert_int_eq(r.holds, 0);
}

/* The sweep of one asset, at the clock (day 400). */
static int
run_sweep_asset(void)
{
	tu_now = TU_T0 + 400 * TU_DAY;
	return points_expire_sweep_asset(db, "EXP", tu_now, 0, &repo);
}

static void
check_sweep_asset(void)
{
	ck_assert_str_eq(repo.asset, "EXP");
	check_sweep();
}

/* A write that posts expiries first: on day 400 erin (lots due from
 * day 500) gives alice 3 EXP; alice's 48 in lots are past due and
 * expire before the transfer, in its transaction. */
static int
run_transfer_expiring(void)
{
	points_posting p = tu_posting("EXP", erin, 3);

	tu_now = TU_T0 + 400 * TU_DAY;
	p.counterparty = alice;
	return points_transfer(db, &p, &txo);
}

static void
check_transfer_expiring(void)
{
	points_balance b;

	ck_assert_int_eq(txo.type, POINTS_TXN_TRANSFER);
	ck_assert_int_eq(points_balance_get(db, alice, "EXP", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 3);
	ck_assert_int_eq(b.held, 10);
	ck_assert_int_eq(b.expired, 48);
	ck_assert_int_eq(tu_available(db, erin, "EXP"), ERIN_LOTS - 3);
	/* posted: bob's 5 are not, until a write or the sweep */
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"), 48);
	ck_assert_int_eq(tu_available(db, bob, "EXP"), 0);
}

/* ---- erin past the bound: her lots beyond the 32 kept inline are
 * spilled to their own keys (core/lot_spill.h) ---- */

/* An earn at one of her spilled days: that lot's key is read and
 * rewritten. */
static int
run_earn_spilled(void)
{
	points_posting p = tu_posting("EXP", erin, 5);

	p.expires_at = TU_T0 + (ERIN_DAY + ERIN_LOTS - 2) * TU_DAY;
	return points_earn(db, &p, &txo);
}

static void
erin_lots_are(int64_t first_day, int64_t n, int64_t extra_day,
    int64_t extra)
{
	points_lot_iterator *it;
	points_lot lot;
	int64_t i, prev = 0, sum = 0, count = 0;
	int rc;

	ck_assert_int_eq(points_lot_iterator_new(db, erin, "EXP", INT64_MAX,
	    &it), POINTS_OK);
	while ((rc = points_lot_next(it, &lot)) == POINTS_OK) {
		ck_assert_int_gt(lot.expires_at, prev);
		prev = lot.expires_at;
		i = (lot.expires_at + 1 - TU_T0) / TU_DAY - 1;
		ck_assert_int_eq(lot.amount, i == extra_day ? 1 + extra : 1);
		ck_assert(i >= first_day && i < ERIN_DAY + ERIN_LOTS);
		sum += lot.amount;
		count++;
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	points_lot_iterator_free(it);
	ck_assert_int_eq(count, n);
	ck_assert_int_eq(sum, tu_available(db, erin, "EXP"));
}

static void
check_earn_spilled(void)
{
	ck_assert_int_eq(tu_available(db, erin, "EXP"), ERIN_LOTS + 5);
	erin_lots_are(ERIN_DAY, ERIN_LOTS, ERIN_DAY + ERIN_LOTS - 2, 5);
}

/* An earn at a day before all of hers: the latest inline lot spills. */
static int
run_earn_early(void)
{
	points_posting p = tu_posting("EXP", erin, 1);

	p.expires_at = TU_T0 + (ERIN_DAY - 1) * TU_DAY;
	return points_earn(db, &p, &txo);
}

static void
check_earn_early(void)
{
	erin_lots_are(ERIN_DAY - 1, ERIN_LOTS + 1, -1, 0);
}

/* A spend that uses her inline lots up: the spilled ones move in. */
static int
run_spend_spilled(void)
{
	points_posting p = tu_posting("EXP", erin, ERIN_LOTS - 3);

	return points_spend(db, &p, &txo);
}

static void
check_spend_spilled(void)
{
	erin_lots_are(ERIN_DAY + ERIN_LOTS - 3, 3, -1, 0);
}

/* A hold that takes spilled lots, then its release puts them back
 * (across the bound again), in one batch. */
static int
run_hold_release_spilled(void)
{
	points_posting p = tu_posting("EXP", erin, ERIN_LOTS - 2);
	points_txn t;
	int rc, code;

	if ((rc = points_batch_begin(db)))
		return rc;
	if ((rc = points_hold_create(db, &p, &t)) == POINTS_OK &&
	    (rc = tu_release(db, t.id, NULL, &txo)) == POINTS_OK)
		return points_batch_commit(db);
	code = points_errcode(db);
	ck_assert_int_eq(code, rc);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	return rc;
}

static void
check_hold_release_spilled(void)
{
	ck_assert_int_eq(held(erin, "EXP"), 0);
	erin_lots_are(ERIN_DAY, ERIN_LOTS, -1, 0);
}

/* A write on a day when every inline lot and some spilled ones are past
 * due: it expires them all first. */
static int
run_expire_spilled(void)
{
	tu_now = TU_T0 + (ERIN_DAY + ERIN_LOTS - 4) * TU_DAY;
	return tu_earn(db, erin, "EXP", 2, &txo);
}

static void
check_expire_spilled(void)
{
	points_balance b;

	ck_assert_int_eq(points_balance_get(db, erin, "EXP", &b), POINTS_OK);
	ck_assert_int_eq(b.expired, ERIN_LOTS - 4);
	ck_assert_int_eq(b.available, 4 + 2);
}

/* The sweep, past every one of her lots. */
static int
run_sweep_spilled(void)
{
	return points_expire_sweep_asset(db, "EXP", TU_T0 + (ERIN_DAY +
	    ERIN_LOTS + 1) * TU_DAY, POINTS_SWEEP_FUTURE, &repo);
}

static void
check_sweep_spilled(void)
{
	points_balance b;

	ck_assert_int_eq(points_balance_get(db, erin, "EXP", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 0);
	ck_assert_int_eq(b.expired, ERIN_LOTS);
}

/* alice leaves on day 400: her 48 EXP in lots are past due and expire
 * (and the 10 the due hold gave back, right after its release), PTS and
 * LIM are forfeited: nothing past due moves to the forfeiture account. */
static int
run_forfeit_expiring(void)
{
	tu_now = TU_T0 + 400 * TU_DAY;
	return run_forfeit();
}

static void
check_forfeit_expiring(void)
{
	points_balance b;

	ck_assert_int_eq(fro.holds, 2);
	ck_assert_int_eq(fro.forfeited, 2); /* PTS, LIM */
	ck_assert_int_eq(account_status(alice), POINTS_ACCOUNT_CLOSED);
	ck_assert_int_eq(points_balance_get(db, alice, "EXP", &b), POINTS_OK);
	ck_assert_int_eq(b.expired, 58);
	ck_assert_int_eq(b.spent, 0);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"), 58);
}

/* hana closes: her only points are past due, and the close expires
 * them first. */
static int
run_close_expiring(void)
{
	return points_account_close(db, hana);
}

static void
check_close_expiring(void)
{
	points_balance b;

	ck_assert_int_eq(account_status(hana), POINTS_ACCOUNT_CLOSED);
	ck_assert_int_eq(points_balance_get(db, hana, "EXP", &b), POINTS_OK);
	ck_assert_int_eq(b.expired, 7);
	ck_assert_int_eq(tu_available(db, POINTS_ACCOUNT_EXPIRY, "EXP"), 7);
}

/* begin + 3 earns + commit; on a failure, roll back as a caller would
 * and report the first error. */
static int
run_batch(void)
{
	int rc, code;

	if ((rc = points_batch_begin(db)))
		return rc;
	if ((rc = tu_earn(db, alice, "PTS", 1, NULL)) == POINTS_OK &&
	    (rc = tu_earn(db, bob, "PTS", 2, NULL)) == POINTS_OK &&
	    (rc = tu_earn(db, alice, "EXP", 3, NULL)) == POINTS_OK)
		return points_batch_commit(db);
	code = points_errcode(db);
	ck_assert_int_eq(code, rc);
	/* (this clears the handle's error: fault_loop knows) */
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	return rc;
}

static void
check_batch(void)
{
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 51);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 42);
	ck_assert_int_eq(tu_available(db, alice, "EXP"), 51);
}

/* A batch big enough to split the memory store's B+tree leaves (64 keys)
 * and grow its hash tables in several keyspaces, so that a late failure
 * rolls back splits and growth.  Needs big_setup(). */
#define NBIG 70
static int64_t big[NBIG];

static void
big_setup(void)
{
	int i;

	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	for (i = 0; i < NBIG; i++) {
		char ext[16];

		snprintf(ext, sizeof(ext), "B%03d", i);
		big[i] = tu_account(db, ext);
	}
	ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
}

static int
run_big_batch(void)
{
	int i, rc;

	if ((rc = points_batch_begin(db)))
		return rc;
	for (i = 0; i < NBIG; i++)
		if ((rc = tu_earn(db, big[i], i % 2 ? "PTS" : "EXP", i + 1,
		    NULL)))
			break;
	if (rc == POINTS_OK)
		return points_batch_commit(db);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	return rc;
}

static void
check_big_batch(void)
{
	int i;

	for (i = 0; i < NBIG; i++)
		ck_assert_int_eq(tu_available(db, big[i], i % 2 ? "PTS" :
		    "EXP"), i + 1);
}


/* ---- Rules ---- */

static points_rule ruleo;
static points_event_result *evo;

static int
run_rule_save(void)
{
	points_rule_def d = POINTS_RULE_DEF_INIT;

	d.name = "training";
	d.event_type = "course";
	d.condition = "event.attrs.days >= 2";
	d.points = "30";
	d.asset = "EXP";
	d.state = POINTS_RULE_ACTIVE;
	d.cap_unit = POINTS_CAP_AWARDS;
	d.cap_year = 4;
	d.author = "hr";
	d.reason = "training plan";
	return points_rule_save(db, &d, &ruleo);
}

static void
check_rule_save(void)
{
	points_rule r;

	ck_assert_int_eq(ruleo.version, 1);
	ck_assert_int_eq(points_rule_get(db, "training", 0, &r), POINTS_OK);
	ck_assert_str_eq(r.reason, "training plan");
	ck_assert_int_eq(r.cap_year, 4);
}

static int
run_rule_set_state(void)
{
	return points_rule_set_state(db, "base", POINTS_RULE_PAUSED, "admin",
	    "review", &ruleo);
}

static void
check_rule_set_state(void)
{
	points_rule r;

	ck_assert_int_eq(ruleo.version, 2);
	ck_assert_int_eq(points_rule_get(db, "base", 0, &r), POINTS_OK);
	ck_assert_int_eq(r.state, POINTS_RULE_PAUSED);
	ck_assert_int_eq(r.cap_day, 50);
}

static int
run_tier_set(void)
{
	return points_tier_set(db, "silver", 1, 150);
}

static void
check_tier_set(void)
{
	points_tier t;

	ck_assert_int_eq(points_tier_get(db, "silver", &t), POINTS_OK);
	ck_assert_int_eq(t.percent, 150);
}

static int
run_tier_qualify(void)
{
	return points_tier_qualify(db, "gold", "PTS", 5000, 12);
}

static void
check_tier_qualify(void)
{
	points_tier t;

	ck_assert_int_eq(points_tier_get(db, "gold", &t), POINTS_OK);
	ck_assert_int_eq(t.qualify_points, 5000);
	ck_assert_int_eq(t.qualify_months, 12);
}

/* bob earns 500 PTS: vip, in the same transaction */
static int
run_earn_upgrade(void)
{
	points_posting p = tu_posting("PTS", bob, 500);

	return points_earn(db, &p, &txo);
}

static void
check_earn_upgrade(void)
{
	points_account a;
	int64_t v;

	ck_assert_int_eq(points_account_get(db, bob, &a), POINTS_OK);
	ck_assert_str_eq(a.tier, "vip");
	ck_assert_int_eq(points_tier_earned(db, bob, "PTS", 1, 0, &v),
	    POINTS_OK);
	ck_assert_int_eq(v, 500);
}

static points_tier_sweep_report tso;

/* jack, vip by hand, earned nothing since: silver */
static int
run_tier_sweep(void)
{
	return points_tier_sweep(db, 0, &tso);
}

static void
check_tier_sweep(void)
{
	points_account a;

	ck_assert_int_eq(tso.downgraded, 1);
	ck_assert_int_eq(tso.upgraded, 0);
	ck_assert_int_eq(points_account_get(db, jack, &a), POINTS_OK);
	ck_assert_str_eq(a.tier, "silver");
}

/* bob buys for 80.00 through alice's link: 80 capped to 50 for bob,
 * 5 for alice */
static int
run_event_apply(void)
{
	points_event e = POINTS_EVENT_INIT;
	int rc;

	e.id = "order-1";
	e.type = "purchase";
	e.account = bob;
	e.amount = 8000;
	e.attrs = "{\"referrer\": \"E1001\", \"lines\": [1, 2]}";
	e.actor = "shop";
	points_event_result_free(evo);
	evo = NULL;
	rc = points_event_apply(db, &e, &evo);
	if (rc)
		ck_assert_ptr_null(evo);
	return rc;
}

static void
check_event_apply(void)
{
	points_event_summary s;

	ck_assert_int_eq(points_event_result_summary(evo, &s), POINTS_OK);
	ck_assert_int_eq(s.points, 55);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 40 + 50);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 50 + 5);
	points_event_result_free(evo);
	evo = NULL;
	/* the counters were written: again, another id, the cap holds */
	evo = NULL;
	{
		points_event e = POINTS_EVENT_INIT;

		e.id = "order-2";
		e.type = "purchase";
		e.account = bob;
		e.amount = 8000;
		e.attrs = "{\"referrer\": \"E1001\"}";
		ck_assert_int_eq(points_event_apply(db, &e, &evo), POINTS_OK);
		ck_assert_int_eq(points_event_result_summary(evo, &s),
		    POINTS_OK);
		ck_assert_int_eq(s.points, 0);
		points_event_result_free(evo);
		evo = NULL;
	}
}

/* a refund of 10.00 of ivy's 30.00: 10 PTS back */
static int
run_event_reverse(void)
{
	points_event_reversal r = POINTS_EVENT_REVERSAL_INIT;
	int rc;

	r.event_id = "seed-1";
	r.amount = 1000;
	r.idempotency_key = "refund-1";
	points_event_result_free(evo);
	evo = NULL;
	rc = points_event_reverse(db, &r, &evo);
	if (rc)
		ck_assert_ptr_null(evo);
	return rc;
}

static void
check_event_reverse(void)
{
	points_event_summary s;

	ck_assert_int_eq(points_event_result_summary(evo, &s), POINTS_OK);
	ck_assert_int_eq(s.points, -10);
	points_event_result_free(evo);
	evo = NULL;
	ck_assert_int_eq(tu_available(db, ivy, "PTS"), 20);
	ck_assert_int_eq(run_event_reverse(), POINTS_OK);
	ck_assert_int_eq(points_event_result_summary(evo, &s), POINTS_OK);
	ck_assert_int_eq(s.replayed, 1);
	points_event_result_free(evo);
	evo = NULL;
	ck_assert_int_eq(tu_available(db, ivy, "PTS"), 20);
}

/* bob's order of 25.00: 25 PTS pending */
static int
run_event_pending(void)
{
	points_event e = POINTS_EVENT_INIT;
	int rc;

	e.id = "order-p";
	e.type = "order";
	e.account = bob;
	e.amount = 2500;
	points_event_result_free(evo);
	evo = NULL;
	rc = points_event_apply(db, &e, &evo);
	if (rc)
		ck_assert_ptr_null(evo);
	return rc;
}

static void
check_event_pending(void)
{
	points_balance b;

	points_event_result_free(evo);
	evo = NULL;
	ck_assert_int_eq(points_balance_get(db, bob, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 40);
	ck_assert_int_eq(b.pending, 25);
	ck_assert_int_eq(tu_spend(db, bob, "PTS", 41, NULL),
	    POINTS_EINSUFFICIENT);
}

/* a refund of kim's line B: its 15 PTS back */
static int
run_event_reverse_lines(void)
{
	points_event_reversal r = POINTS_EVENT_REVERSAL_INIT;
	int rc;

	r.event_id = "seed-5";
	r.lines = "[\"B\"]";
	r.idempotency_key = "refund-lines-1";
	points_event_result_free(evo);
	evo = NULL;
	rc = points_event_reverse(db, &r, &evo);
	if (rc)
		ck_assert_ptr_null(evo);
	return rc;
}

static void
check_event_reverse_lines(void)
{
	points_event_summary s;

	ck_assert_int_eq(points_event_result_summary(evo, &s), POINTS_OK);
	ck_assert_int_eq(s.points, -15);
	ck_assert_int_eq(s.amount, 1500);
	ck_assert_str_eq(points_event_result_lines(evo), "[1]");
	points_event_result_free(evo);
	evo = NULL;
	ck_assert_int_eq(tu_available(db, kim, "PTS"), 20);
	/* again: the first result; the line again, under no key: refused */
	ck_assert_int_eq(run_event_reverse_lines(), POINTS_OK);
	ck_assert_int_eq(points_event_result_summary(evo, &s), POINTS_OK);
	ck_assert_int_eq(s.replayed, 1);
	ck_assert_str_eq(points_event_result_lines(evo), "[1]");
	points_event_result_free(evo);
	evo = NULL;
	{
		points_event_reversal r = POINTS_EVENT_REVERSAL_INIT;

		r.event_id = "seed-5";
		r.lines = "[1]";
		ck_assert_int_eq(points_event_reverse(db, &r, &evo),
		    POINTS_ESTATE);
	}
	ck_assert_int_eq(tu_available(db, kim, "PTS"), 20);
}

/* a refund of 15.00 of ivy's pending 40.00: 15 pending PTS back */
static int
run_event_reverse_pending(void)
{
	points_event_reversal r = POINTS_EVENT_REVERSAL_INIT;
	int rc;

	r.event_id = "seed-2";
	r.amount = 1500;
	points_event_result_free(evo);
	evo = NULL;
	rc = points_event_reverse(db, &r, &evo);
	if (rc)
		ck_assert_ptr_null(evo);
	return rc;
}

static void
check_event_reverse_pending(void)
{
	points_balance b;

	points_event_result_free(evo);
	evo = NULL;
	ck_assert_int_eq(points_balance_get(db, ivy, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 30);
	ck_assert_int_eq(b.pending, 25);
	ck_assert_int_eq(b.debt, 0);
}

/* bob's idea, nominated by his manager: an approval, nothing posted */
static int
run_event_approval(void)
{
	points_event e = POINTS_EVENT_INIT;
	int rc;

	e.id = "idea-b";
	e.type = "idea";
	e.account = bob;
	e.actor = "mgr.wang";
	points_event_result_free(evo);
	evo = NULL;
	rc = points_event_apply(db, &e, &evo);
	if (rc)
		ck_assert_ptr_null(evo);
	return rc;
}

static void
check_event_approval(void)
{
	points_approval a;

	points_event_result_free(evo);
	evo = NULL;
	ck_assert_int_eq(points_approval_get(db, 3, &a), POINTS_OK);
	ck_assert_int_eq(a.account, bob);
	ck_assert_int_eq(a.points, 20);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 40);
}

static points_approval apo;

/* a manual award of 7 PTS to bob, nominated */
static int
run_approval_nominate(void)
{
	points_nomination n = POINTS_NOMINATION_INIT;

	n.account = bob;
	n.asset = "PTS";
	n.points = 7;
	n.memo = "helped the audit";
	n.nominator = "mgr.wang";
	n.idempotency_key = "nominate-audit";
	return points_approval_nominate(db, &n, &apo);
}

static void
check_approval_nominate(void)
{
	points_approval a;

	ck_assert_int_eq(apo.id, 3);
	ck_assert_int_eq(points_approval_get(db, 3, &a), POINTS_OK);
	ck_assert_str_eq(a.memo, "helped the audit");
	ck_assert_int_eq(a.state, POINTS_APPROVAL_PENDING);
}

/* HR approves ivy's idea: 20 PTS */
static int
run_approval_approve(void)
{
	return points_approval_approve(db, 1, "hr.li", "adopted", &apo);
}

static void
check_approval_approve(void)
{
	ck_assert_int_eq(apo.state, POINTS_APPROVAL_APPROVED);
	ck_assert_int_eq(tu_available(db, ivy, "PTS"), 50);
	ck_assert_int_eq(points_approval_approve(db, 1, "hr.li", NULL, &apo),
	    POINTS_ESTATE);
}

static int
run_approval_reject(void)
{
	return points_approval_reject(db, 2, "hr.li", "a duplicate", &apo);
}

static void
check_approval_reject(void)
{
	points_approval a;

	ck_assert_int_eq(points_approval_get(db, 2, &a), POINTS_OK);
	ck_assert_int_eq(a.state, POINTS_APPROVAL_REJECTED);
	ck_assert_str_eq(a.reason, "a duplicate");
	ck_assert_int_eq(tu_available(db, ivy, "PTS"), 30);
}

/* ---- The mall ---- */

static points_item itemo;
static int64_t prunedo;

static int
run_item_create(void)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;

	d.sku = "HOTEL";
	d.name = "Hotel night";
	d.description = "A night for two";
	d.category = "travel/hotel";
	d.asset = "PTS";
	d.price = 10000;
	d.stock = POINTS_STOCK_UNLIMITED;
	d.min_tier = "silver";
	d.actor = "admin";
	d.reason = "launch";
	return points_item_create(db, &d, &itemo);
}

static void
check_item_create(void)
{
	points_item it;

	ck_assert_int_eq(points_item_get(db, "HOTEL", &it), POINTS_OK);
	ck_assert_mem_eq(&it, &itemo, sizeof(it));
	ck_assert_str_eq(it.min_tier, "silver");
	ck_assert_int_eq(it.changes, 1);
}

/* MUG down to 4 and its price up: a low-stock event */
static int
run_item_update(void)
{
	points_item_def d = POINTS_ITEM_DEF_INIT;

	d.sku = "MUG";
	d.name = "Mug, blue";
	d.category = "physical/kitchen";
	d.asset = "PTS";
	d.price = 12;
	d.stock = 4;
	d.low_stock = 5;
	d.actor = "ops";
	return points_item_update(db, &d, &itemo);
}

static void
check_item_update(void)
{
	points_outbox_event e;

	ck_assert_int_eq(itemo.price, 12);
	ck_assert_int_eq(itemo.stock, 4);
	ck_assert_int_eq(itemo.changes, 3);
	ck_assert_int_eq(points_outbox_next(db, outbox_base, &e), POINTS_OK);
	ck_assert_str_eq(e.kind, POINTS_OUTBOX_LOW_STOCK);
}

static int
run_item_restock(void)
{
	return points_item_restock(db, "MUG", -2, "ops", "broken", &itemo);
}

static void
check_item_restock(void)
{
	points_outbox_event e;

	ck_assert_int_eq(itemo.stock, 4);
	ck_assert_int_eq(points_outbox_next(db, outbox_base, &e), POINTS_OK);
	ck_assert_int_eq(e.seq, outbox_base + 1);
	ck_assert_str_eq(e.kind, POINTS_OUTBOX_LOW_STOCK);
}

static int
run_item_set_listed(void)
{
	return points_item_set_listed(db, "MUG", 0, "ops", "recall", &itemo);
}

static void
check_item_set_listed(void)
{
	ck_assert_int_eq(itemo.listed, 0);
	ck_assert_int_eq(itemo.changes, 3);
}

static int
run_item_set_tier_price(void)
{
	return points_item_set_tier_price(db, "MUG", "gold", 6, "admin", NULL,
	    &itemo);
}

static void
check_item_set_tier_price(void)
{
	int64_t p;

	ck_assert_int_eq(itemo.tier_prices, 2);
	ck_assert_int_eq(points_item_tier_price_get(db, "MUG", "gold", &p),
	    POINTS_OK);
	ck_assert_int_eq(p, 6);
}

static int
run_item_set_flash(void)
{
	return points_item_set_flash(db, "MUG", POINTS_FLASH_PERCENT, 50, 0,
	    INT64_MAX, "admin", "sale", &itemo);
}

static void
check_item_set_flash(void)
{
	int64_t p;

	ck_assert_int_eq(itemo.flash_value, 50);
	ck_assert_int_eq(itemo.changes, 3);
	ck_assert_int_eq(points_item_price_for(db, "MUG", alice, &p),
	    POINTS_OK);
	ck_assert_int_eq(p, 5);
}

static int
run_item_set_window(void)
{
	return points_item_set_window(db, "MUG", 0, 0x1f, "admin", NULL,
	    &itemo);
}

static void
check_item_set_window(void)
{
	points_item it;

	ck_assert_int_eq(points_item_get(db, "MUG", &it), POINTS_OK);
	ck_assert_uint_eq(it.window_monthdays, 0x1f);
	ck_assert_int_eq(it.changes, 3);
}

static int
run_item_set_period_limit(void)
{
	return points_item_set_period_limit(db, "MUG", POINTS_PERIOD_WEEK, 2,
	    "admin", NULL, &itemo);
}

static void
check_item_set_period_limit(void)
{
	points_item it;

	ck_assert_int_eq(points_item_get(db, "MUG", &it), POINTS_OK);
	ck_assert_int_eq(it.limit_week, 2);
	ck_assert_int_eq(it.changes, 3);
}

static points_mall_settings mallo;

static int
run_mall_set_window(void)
{
	return points_mall_set_window(db, 0x1f, 0, "admin", "weekdays",
	    &mallo);
}

static void
check_mall_set_window(void)
{
	points_mall_settings m;

	ck_assert_int_eq(points_mall_settings_get(db, &m), POINTS_OK);
	ck_assert_uint_eq(m.window_weekdays, 0x1f);
	ck_assert_str_eq(m.reason, "weekdays");
}

static int
run_mall_set_min_balance(void)
{
	return points_mall_set_min_balance(db, "PTS", 50, "admin", NULL);
}

static void
check_mall_set_min_balance(void)
{
	int64_t m;

	ck_assert_int_eq(points_mall_min_balance_get(db, "PTS", &m),
	    POINTS_OK);
	ck_assert_int_eq(m, 50);
}

static points_cash_ratio cratioo;

static int
run_mall_set_cash_ratio(void)
{
	return points_mall_set_cash_ratio(db, "EXP", 3, 1, "admin", "policy",
	    &cratioo);
}

static void
check_mall_set_cash_ratio(void)
{
	points_cash_ratio r;

	ck_assert_int_eq(points_mall_cash_ratio_get(db, "EXP", &r), POINTS_OK);
	ck_assert_int_eq(r.points, 3);
	ck_assert_int_eq(r.cash, 1);
	ck_assert_str_eq(r.reason, "policy");
	ck_assert_int_eq(cratioo.points, 3);
}

static points_trigger trigo;

static int
run_trigger_set(void)
{
	return points_trigger_set(db, "bob-1000", POINTS_TRIGGER_BALANCE,
	    "PTS", 1000, NULL, &trigo);
}

/* The names of the triggers, in order. */
static const char *
trigger_names(void)
{
	static char out[256];
	points_trigger_iterator *it;
	points_trigger t;

	out[0] = 0;
	ck_assert_int_eq(points_trigger_iterator_new(db, &it), POINTS_OK);
	while (points_trigger_next(it, &t) == POINTS_OK)
		strcat(strcat(out, t.name), " ");
	points_trigger_iterator_free(it);
	return out;
}

static void
check_trigger_set(void)
{
	ck_assert_str_eq(trigo.name, "bob-1000");
	ck_assert_int_eq(trigo.level, 1000);
	ck_assert_str_eq(trigger_names(), "alice-exp bob-1000 tier-any ");
}

static int
run_trigger_remove(void)
{
	return points_trigger_remove(db, "alice-exp");
}

static void
check_trigger_remove(void)
{
	points_outbox_event e;
	int64_t last = 0;

	ck_assert_str_eq(trigger_names(), "tier-any ");
	/* alice's earn past 60 tells nothing now */
	while (points_outbox_next(db, last, &e) == POINTS_OK)
		last = e.seq;
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 20, NULL), POINTS_OK);
	ck_assert_int_eq(points_outbox_next(db, last, &e), POINTS_ITEROVER);
}

static int
run_outbox_prune(void)
{
	return points_outbox_prune(db, outbox_base, &prunedo);
}

static void
check_outbox_prune(void)
{
	points_outbox_event e;

	ck_assert_int_eq(prunedo, outbox_base);
	ck_assert_int_eq(points_outbox_next(db, 0, &e), POINTS_ITEROVER);
}

static points_order ordero;

static int
run_order_place(void)
{
	points_order_req r = POINTS_ORDER_REQ_INIT;

	r.account = jack;
	r.sku = "PEN";
	r.quantity = 2;
	r.note = "desk 12";
	r.idempotency_key = "o-1";
	r.actor = "app";
	return points_order_place(db, &r, &ordero);
}

static void
check_order_place(void)
{
	points_order o;
	points_item it;

	ck_assert_int_eq(ordero.amount, 200);
	ck_assert_int_eq(ordero.state, POINTS_ORDER_SUBMITTED);
	ck_assert_int_eq(tu_available(db, jack, "PTS"), 500);
	ck_assert_int_eq(points_order_get(db, ordero.id, &o), POINTS_OK);
	ck_assert_str_eq(o.note, "desk 12");
	ck_assert_int_eq(points_item_get(db, "PEN", &it), POINTS_OK);
	ck_assert_int_eq(it.units, 8);
	ck_assert_int_eq(run_order_place(), POINTS_OK);
	ck_assert_int_eq(ordero.replayed, 1);
	ck_assert_int_eq(tu_available(db, jack, "PTS"), 500);
}

static int
run_mall_set_pay_order(void)
{
	return points_mall_set_pay_order(db, POINTS_PAY_POINTS_FIRST, "admin",
	    "points first", &mallo);
}

static void
check_mall_set_pay_order(void)
{
	points_mall_settings m;

	ck_assert_int_eq(points_mall_settings_get(db, &m), POINTS_OK);
	ck_assert_int_eq(m.pay_order, POINTS_PAY_POINTS_FIRST);
	ck_assert_str_eq(m.reason, "points first");
	ck_assert_int_eq(mallo.pay_order, POINTS_PAY_POINTS_FIRST);
}

/* nina's order of a PEN with her allowance: 30 WEL + 70 PTS */
static int
run_order_place_allowance(void)
{
	points_order_req r = POINTS_ORDER_REQ_INIT;

	r.account = nina;
	r.sku = "PEN";
	r.allowance = "WEL";
	r.idempotency_key = "o-wel";
	return points_order_place(db, &r, &ordero);
}

static void
nina_has(int64_t pts, int64_t wel)
{
	ck_assert_int_eq(tu_available(db, nina, "PTS"), pts);
	ck_assert_int_eq(tu_available(db, nina, "WEL"), wel);
}

static void
check_order_place_allowance(void)
{
	points_order o;

	ck_assert_int_eq(ordero.allowance_amount, 30);
	ck_assert_int_eq(ordero.amount, 70);
	nina_has(720, 0);
	ck_assert_int_eq(points_order_get(db, ordero.id, &o), POINTS_OK);
	ck_assert_str_eq(o.allowance_hold_id, ordero.allowance_hold_id);
	ck_assert_int_eq(run_order_place_allowance(), POINTS_OK);
	ck_assert_int_eq(ordero.replayed, 1);
	nina_has(720, 0);
}

static int
run_order_approve_allowance(void)
{
	return points_order_approve(db, ord_wsub, NULL, NULL, &ordero);
}

static void
check_order_approve_allowance(void)
{
	points_balance b;

	ck_assert_int_eq(ordero.state, POINTS_ORDER_APPROVED);
	ck_assert_int_eq(points_balance_get(db, nina, "WEL", &b), POINTS_OK);
	ck_assert_int_eq(b.held, 0);
	ck_assert_int_eq(points_balance_get(db, nina, "PTS", &b), POINTS_OK);
	ck_assert_int_eq(b.held, 0);
	nina_has(790, 30);
}

static int
run_order_cancel_allowance(void)
{
	return points_order_cancel(db, ord_wsub, NULL, NULL, &ordero);
}

static void
check_order_cancel_allowance(void)
{
	ck_assert_int_eq(ordero.state, POINTS_ORDER_CANCELLED);
	nina_has(860, 60);
}

static int
run_order_cancel_allowance_approved(void)
{
	return points_order_cancel(db, ord_wappr, NULL, NULL, &ordero);
}

static void
check_order_cancel_allowance_approved(void)
{
	ck_assert_int_eq(ordero.state, POINTS_ORDER_CANCELLED);
	nina_has(860, 60);
}

static int
run_order_return_allowance(void)
{
	return points_order_return(db, ord_wdel, 1, NULL, NULL, &ordero);
}

static void
check_order_return_allowance(void)
{
	ck_assert_int_eq(ordero.state, POINTS_ORDER_RETURNED);
	nina_has(860, 60);
}

/* jack's two PENs (200 PTS) for at most 150 PTS: 50 PTS in cash, 5.00 */
static int
run_order_place_cash(void)
{
	points_order_req r = POINTS_ORDER_REQ_INIT;

	r.account = jack;
	r.sku = "PEN";
	r.quantity = 2;
	r.points_max = 150;
	r.idempotency_key = "o-cash";
	return points_order_place(db, &r, &ordero);
}

static void
check_order_place_cash(void)
{
	points_order o;

	ck_assert_int_eq(ordero.amount, 150);
	ck_assert_int_eq(ordero.cash_points, 50);
	ck_assert_int_eq(ordero.cash, 500);
	ck_assert_int_eq(tu_available(db, jack, "PTS"), 550);
	ck_assert_int_eq(points_order_get(db, ordero.id, &o), POINTS_OK);
	ck_assert_int_eq(o.cash, 500);
	ck_assert_int_eq(run_order_place_cash(), POINTS_OK);
	ck_assert_int_eq(ordero.replayed, 1);
	ck_assert_int_eq(ordero.cash, 500);
	ck_assert_int_eq(tu_available(db, jack, "PTS"), 550);
}

static int
run_order_approve(void)
{
	return points_order_approve(db, ord_sub, "ops", "ok", &ordero);
}

static void
check_order_approve(void)
{
	points_hold h;

	ck_assert_int_eq(ordero.state, POINTS_ORDER_APPROVED);
	ck_assert_int_eq(points_hold_get(db, ord_sub, &h), POINTS_OK);
	ck_assert_int_eq(h.state, POINTS_HOLD_CAPTURED);
	ck_assert_int_eq(tu_available(db, jack, "PTS"), 700);
}

static int
run_order_cancel(void)
{
	return points_order_cancel(db, ord_sub, "jack", NULL, &ordero);
}

static void
check_order_cancel(void)
{
	ck_assert_int_eq(ordero.state, POINTS_ORDER_CANCELLED);
	ck_assert_int_eq(tu_available(db, jack, "PTS"), 800);
}

static int
run_order_cancel_approved(void)
{
	return points_order_cancel(db, ord_appr, "ops", "lost", &ordero);
}

static void
check_order_cancel_approved(void)
{
	points_txn t;

	ck_assert_int_eq(ordero.state, POINTS_ORDER_CANCELLED);
	ck_assert_int_eq(points_txn_get(db, ordero.refund_id, &t),
	    POINTS_OK);
	ck_assert_int_eq(t.type, POINTS_TXN_REVERSAL);
	ck_assert_int_eq(tu_available(db, jack, "PTS"), 800);
}

static int
run_order_ship(void)
{
	return points_order_ship(db, ord_appr, "SF", "SF1", NULL, NULL,
	    &ordero);
}

static void
check_order_ship(void)
{
	ck_assert_int_eq(ordero.state, POINTS_ORDER_SHIPPED);
	ck_assert_str_eq(ordero.tracking, "SF1");
}

static int
run_order_deliver(void)
{
	return points_order_deliver(db, ord_appr, NULL, NULL, &ordero);
}

static void
check_order_deliver(void)
{
	ck_assert_int_eq(ordero.state, POINTS_ORDER_DELIVERED);
	ck_assert_int_eq(ordero.delivered_at, tu_now);
}

static int
run_order_return(void)
{
	return points_order_return(db, ord_del, 1, "jack", "too big",
	    &ordero);
}

static void
check_order_return(void)
{
	points_item it;

	ck_assert_int_eq(ordero.state, POINTS_ORDER_RETURNED);
	ck_assert_int_eq(tu_available(db, jack, "PTS"), 800);
	ck_assert_int_eq(points_item_get(db, "PEN", &it), POINTS_OK);
	ck_assert_int_eq(it.orders, 5);
}

/* code pools */
static points_code_pool poolo;

static int
run_item_codes_add(void)
{
	return points_item_codes_add(db, "VCARD", "V4\r\nV5\n", "admin",
	    "batch 2", &poolo);
}

static void
check_item_codes_add(void)
{
	points_item it;

	ck_assert_int_eq(poolo.uploaded, 5);
	ck_assert_int_eq(poolo.available, 4);
	ck_assert_int_eq(points_item_get(db, "VCARD", &it), POINTS_OK);
	ck_assert_int_eq(it.stock, 3);
}

/* GIFT's first upload: the pool is made, after the check that GIFT is
 * no bundle's component (a walk over the catalogue) */
static int
run_item_codes_first(void)
{
	return points_item_codes_add(db, "GIFT", "G1\nG2", "admin",
	    "first batch", &poolo);
}

static void
check_item_codes_first(void)
{
	points_code_pool p;
	points_item it;

	ck_assert_str_eq(poolo.sku, "GIFT");
	ck_assert_int_eq(poolo.uploaded, 2);
	ck_assert_int_eq(poolo.issued, 0);
	ck_assert_int_eq(poolo.available, 2);
	ck_assert_int_eq(points_item_codes_get(db, "GIFT", &p), POINTS_OK);
	ck_assert_int_eq(p.uploaded, 2);
	ck_assert_int_eq(p.available, 2);
	ck_assert_int_eq(points_item_get(db, "GIFT", &it), POINTS_OK);
	ck_assert_int_eq(it.stock, 2);
}

static int
run_order_approve_codes(void)
{
	return points_order_approve(db, ord_vsub, "ops", NULL, &ordero);
}

static void
check_order_approve_codes(void)
{
	points_order_code_iterator *it;
	points_order_code c;

	ck_assert_int_eq(ordero.state, POINTS_ORDER_APPROVED);
	ck_assert_int_eq(points_order_code_iterator_new(db, ord_vsub, &it),
	    POINTS_OK);
	ck_assert_int_eq(points_order_code_next(it, &c), POINTS_OK);
	ck_assert_str_eq(c.code, "V2");
	ck_assert_int_eq(points_order_code_next(it, &c), POINTS_ITEROVER);
	points_order_code_iterator_free(it);
	ck_assert_int_eq(points_item_codes_get(db, "VCARD", &poolo),
	    POINTS_OK);
	ck_assert_int_eq(poolo.available, 1);
	ck_assert_int_eq(tu_available(db, mia, "PTS"), 0);
}

/* notices of points about to expire */
static int
run_expiring_set(void)
{
	return points_outbox_expiring_set(db, "PTS", 14);
}

static void
check_expiring_set(void)
{
	int64_t d;

	ck_assert_int_eq(points_outbox_expiring_get(db, "PTS", &d), POINTS_OK);
	ck_assert_int_eq(d, 14);
}

/* as of day 480: erin's lots of days 500 to 510 are told of */
static int
run_sweep_notices(void)
{
	return points_expire_sweep_asset(db, "EXP", TU_T0 + 480 * TU_DAY,
	    POINTS_SWEEP_FUTURE, &repo);
}

static int
count_notices(int64_t *after)
{
	points_outbox_event e;
	int n = 0;

	while (points_outbox_next(db, *after, &e) == POINTS_OK) {
		*after = e.seq;
		if (strcmp(e.kind, POINTS_OUTBOX_POINTS_EXPIRING) == 0) {
			ck_assert_int_eq(e.account, erin);
			n++;
		}
	}
	return n;
}

static void
check_sweep_notices(void)
{
	int64_t after = 0;

	ck_assert_int_eq(count_notices(&after), 11);
	/* once per lot and window */
	ck_assert_int_eq(run_sweep_notices(), POINTS_OK);
	ck_assert_int_eq(count_notices(&after), 0);
}

/* exchanges and switches */
static int
run_order_exchange(void)
{
	return points_order_exchange(db, ord_del, "jack", "cracked", &ordero);
}

static void
check_order_exchange(void)
{
	ck_assert_int_eq(ordero.state, POINTS_ORDER_EXCHANGING);
	ck_assert_int_eq(tu_available(db, jack, "PTS"), 700);
}

static int
run_order_switch(void)
{
	return points_order_switch(db, ord_sub, "MUG", "ops", "pen gone",
	    &ordero);
}

static void
check_order_switch(void)
{
	points_item it;

	ck_assert_str_eq(ordero.sku, "MUG");
	ck_assert_int_eq(ordero.amount, 10);
	ck_assert_int_eq(ordero.state, POINTS_ORDER_SUBMITTED);
	ck_assert_int_eq(tu_available(db, jack, "PTS"), 700);
	ck_assert_int_eq(points_item_get(db, "MUG", &it), POINTS_OK);
	ck_assert_int_eq(it.stock, 5);
}

static int
run_order_switch_approved(void)
{
	return points_order_switch(db, ord_appr, "MUG", "ops", NULL, &ordero);
}

static void
check_order_switch_approved(void)
{
	ck_assert_int_eq(ordero.amount, 10);
	ck_assert_int_eq(ordero.state, POINTS_ORDER_APPROVED);
	ck_assert_int_eq(tu_available(db, jack, "PTS"), 790);
}

/* bundles */
static int64_t
stock_of(const char *sku)
{
	points_item it;

	ck_assert_int_eq(points_item_get(db, sku, &it), POINTS_OK);
	return it.stock;
}

static int
run_bundle_set_part(void)
{
	return points_bundle_set_part(db, "KIT", "SPOON", 3, "admin",
	    "bigger", &itemo);
}

static void
check_bundle_set_part(void)
{
	points_bundle_part_iterator *it;
	points_bundle_part p;

	ck_assert_int_eq(itemo.bundle_parts, 2);
	ck_assert_int_eq(points_bundle_part_iterator_new(db, "KIT", &it),
	    POINTS_OK);
	ck_assert_int_eq(points_bundle_part_next(it, &p), POINTS_OK);
	ck_assert_str_eq(p.sku, "TEA");
	ck_assert_int_eq(points_bundle_part_next(it, &p), POINTS_OK);
	ck_assert_str_eq(p.sku, "SPOON");
	ck_assert_int_eq(p.quantity, 3);
	points_bundle_part_iterator_free(it);
}

static int
run_order_place_bundle(void)
{
	points_order_req r = POINTS_ORDER_REQ_INIT;

	r.account = nora;
	r.sku = "KIT";
	r.quantity = 2;
	return points_order_place(db, &r, &ordero);
}

static void
check_order_place_bundle(void)
{
	ck_assert_int_eq(ordero.amount, 60);
	ck_assert_int_eq(stock_of("TEA"), 2);
	ck_assert_int_eq(stock_of("SPOON"), 3);
	ck_assert_int_eq(tu_available(db, nora, "PTS"), 10);
}

static int
run_order_cancel_bundle(void)
{
	return points_order_cancel(db, ord_ksub, "nora", NULL, &ordero);
}

static void
check_order_cancel_bundle(void)
{
	ck_assert_int_eq(ordero.state, POINTS_ORDER_CANCELLED);
	ck_assert_int_eq(stock_of("TEA"), 5);
	ck_assert_int_eq(stock_of("SPOON"), 9);
	ck_assert_int_eq(tu_available(db, nora, "PTS"), 100);
}

/* grants */
static points_grant gro;
static points_grant_report grr;

static int
run_grant_save(void)
{
	points_grant_def d = POINTS_GRANT_DEF_INIT;

	d.name = "yearly";
	d.asset = "PTS";
	d.period = POINTS_GRANT_YEARLY;
	d.condition = "account.tier == 'gold'";
	d.points = "100";
	d.flags = POINTS_GRANT_EXPIRE_AT_END;
	d.state = POINTS_RULE_ACTIVE;
	d.author = "hr";
	return points_grant_save(db, &d, &gro);
}

static void
check_grant_save(void)
{
	points_grant g;

	ck_assert_int_eq(points_grant_get(db, "yearly", 0, &g), POINTS_OK);
	ck_assert_int_eq(g.version, 1);
	ck_assert_int_eq(g.period, POINTS_GRANT_YEARLY);
}

static int
run_grant_set_state(void)
{
	return points_grant_set_state(db, "welfare", POINTS_RULE_PAUSED, "hr",
	    "review", &gro);
}

static void
check_grant_set_state(void)
{
	ck_assert_int_eq(gro.version, 2);
	ck_assert_int_eq(points_grant_run(db, "welfare", 0, &grr),
	    POINTS_ESTATE);
}

static int
run_grant_run(void)
{
	return points_grant_run(db, "welfare", 0, &grr);
}

static void
check_grant_run(void)
{
	points_grant_award w;

	ck_assert_int_eq(grr.granted, 1);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 52);
	ck_assert_int_eq(points_grant_award_get(db, "welfare", 0, bob, &w),
	    POINTS_OK);
	ck_assert_int_eq(points_grant_run(db, "welfare", 0, &grr), POINTS_OK);
	ck_assert_int_eq(grr.granted, 0);
	ck_assert_int_eq(grr.already, 1);
}

static int
run_grant_run_due(void)
{
	return points_grant_run_due(db, 0, &grr);
}

static void
check_grant_run_due(void)
{
	points_balance b;

	ck_assert_int_eq(grr.grants, 2);
	ck_assert_int_eq(grr.granted, 2);
	ck_assert_int_eq(grr.points, 21);
	ck_assert_int_eq(tu_available(db, bob, "PTS"), 52);
	ck_assert_int_eq(points_balance_get(db, pool, "EXP", &b), POINTS_OK);
	ck_assert_int_eq(b.available, 51);
}

/* lee's submitted order approved: its redemption earns 10 PTS */
static int
run_order_approve_redeem(void)
{
	return points_order_approve(db, ord_lsub, "ops", NULL, &ordero);
}

static void
check_order_approve_redeem(void)
{
	char id[POINTS_EVENT_ID_MAX + 1];
	points_event_result *r;
	points_event_summary s;

	ck_assert_int_eq(ordero.state, POINTS_ORDER_APPROVED);
	ck_assert_int_eq(tu_available(db, lee, "PTS"), 820);
	snprintf(id, sizeof(id), "redemption:%s", ord_lsub);
	ck_assert_int_eq(points_event_get(db, id, &r), POINTS_OK);
	ck_assert_int_eq(points_event_result_summary(r, &s), POINTS_OK);
	ck_assert_int_eq(s.points, 10);
	ck_assert_int_eq(s.amount, 100);
	points_event_result_free(r);
}

/* lee's delivered order returned: 100 back, the 10 it earned taken */
static int
run_order_return_redeem(void)
{
	return points_order_return(db, ord_ldel, 1, "lee", "too big",
	    &ordero);
}

static void
check_order_return_redeem(void)
{
	ck_assert_int_eq(ordero.state, POINTS_ORDER_RETURNED);
	ck_assert_int_eq(tu_available(db, lee, "PTS"), 900);
}

/* ---- Lotteries ---- */

static int
run_lottery_create(void)
{
	points_lottery_def l;

	memset(&l, 0, sizeof(l));
	strcpy(l.name, "second");
	strcpy(l.asset, "PTS");
	strcpy(l.tiers, "gold,silver");
	strcpy(l.condition, "account.tier != 'bronze'");
	l.starts = TU_T0;
	l.ends = TU_T0 + 90 * TU_DAY;
	l.nprizes = 1;
	l.prizes[0].kind = POINTS_PRIZE_CUSTOM;
	l.prizes[0].weight = 1;
	l.prizes[0].stock = 1;
	return points_lottery_create(db, &l, &ido);
}

static void
check_lottery_create(void)
{
	points_lottery l;
	points_lottery_prize p;

	ck_assert_int_eq(ido, lot_item_id + 1);
	ck_assert_int_eq(points_lottery_get(db, ido, &l), POINTS_OK);
	ck_assert_str_eq(l.name, "second");
	ck_assert_str_eq(l.condition, "account.tier != 'bronze'");
	ck_assert_int_eq(points_lottery_prize_get(db, ido, 0, &p), POINTS_OK);
	ck_assert_int_eq(p.initial, 1);
}

/* lee draws: 10 PTS, then 25 won or 2 as a consolation */
static int
run_lottery_draw(void)
{
	return points_lottery_draw_once(db, lot_id, lee, "lee-1", &lotdo);
}

static void
check_lottery_draw(void)
{
	points_lottery l;
	points_lottery_prize p;

	ck_assert_int_eq(lotdo.number, 3);
	ck_assert_int_eq(lotdo.credited, lotdo.outcome == 0 ? 25 : 2);
	ck_assert_int_eq(tu_available(db, lee, "PTS"),
	    lot_lee - 10 + lotdo.credited);
	ck_assert_int_eq(points_lottery_get(db, lot_id, &l), POINTS_OK);
	ck_assert_int_eq(l.draws, 3);
	ck_assert_int_eq(points_lottery_prize_get(db, lot_id, 0, &p),
	    POINTS_OK);
	ck_assert_int_eq(p.stock, lot_stock - (lotdo.outcome == 0));
}

static int
run_lottery_close(void)
{
	return points_lottery_close(db, lot_id);
}

static void
check_lottery_close(void)
{
	points_lottery l;

	ck_assert_int_eq(points_lottery_get(db, lot_id, &l), POINTS_OK);
	ck_assert_int_eq(l.state, POINTS_LOTTERY_CLOSED);
	ck_assert_int_eq(strlen(l.seed), 64);
	ck_assert_int_eq(points_lottery_audit(db, lot_id, NULL), POINTS_OK);
}

/* a lottery of the last unit of LOTI */
static int
run_lottery_create_item(void)
{
	points_lottery_def l;

	memset(&l, 0, sizeof(l));
	strcpy(l.name, "last tablet");
	strcpy(l.asset, "PTS");
	l.starts = TU_T0;
	l.ends = TU_T0 + 90 * TU_DAY;
	l.nprizes = 1;
	l.prizes[0].kind = POINTS_PRIZE_ITEM;
	strcpy(l.prizes[0].sku, "LOTI");
	l.prizes[0].weight = 1;
	l.prizes[0].stock = 1;
	return points_lottery_create(db, &l, &ido);
}

static void
check_lottery_create_item(void)
{
	points_lottery_prize p;
	points_item it;

	ck_assert_int_eq(points_lottery_prize_get(db, ido, 0, &p), POINTS_OK);
	ck_assert_str_eq(p.sku, "LOTI");
	ck_assert_int_eq(points_item_get(db, "LOTI", &it), POINTS_OK);
	ck_assert_int_eq(it.stock, 0);
}

/* lee wins a tablet: its order, approved at 0 points */
static int
run_lottery_draw_item(void)
{
	return points_lottery_draw_once(db, lot_item_id, lee, "lee-t",
	    &lotdo);
}

static void
check_lottery_draw_item(void)
{
	points_lottery_prize p;
	points_order o;
	points_item it;

	ck_assert_int_eq(lotdo.outcome, 0);
	ck_assert_int_eq(points_order_get(db, lotdo.order_id, &o), POINTS_OK);
	ck_assert_int_eq(o.state, POINTS_ORDER_APPROVED);
	ck_assert_int_eq(o.amount, 0);
	ck_assert_int_eq(o.account, lee);
	ck_assert_int_eq(points_lottery_prize_get(db, lot_item_id, 0, &p),
	    POINTS_OK);
	ck_assert_int_eq(p.stock, 1);
	ck_assert_int_eq(points_item_get(db, "LOTI", &it), POINTS_OK);
	ck_assert_int_eq(it.stock, 1);
}

/* close gives the unit nobody won back */
static int
run_lottery_close_item(void)
{
	return points_lottery_close(db, lot_item_id);
}

static void
check_lottery_close_item(void)
{
	points_item it;

	ck_assert_int_eq(points_item_get(db, "LOTI", &it), POINTS_OK);
	ck_assert_int_eq(it.stock, 3);
}

/* ---- Auctions ---- */

static int64_t
avail(int64_t acct)
{
	return tu_available(db, acct, "PTS");
}

static int
run_auction_create(void)
{
	points_auction_def a;

	memset(&a, 0, sizeof(a));
	strcpy(a.item, "A dinner");
	strcpy(a.asset, "PTS");
	strcpy(a.tiers, "gold,silver");
	a.starts = TU_T0;
	a.ends = AUC_END;
	a.start_price = 5;
	a.increment = 1;
	return points_auction_create(db, &a, &ido);
}

static void
check_auction_create(void)
{
	points_auction a;

	ck_assert_int_eq(ido, auc_id + 1);
	ck_assert_int_eq(points_auction_get(db, ido, &a), POINTS_OK);
	ck_assert_str_eq(a.item, "A dinner");
	ck_assert_str_eq(a.tiers, "gold,silver");
	ck_assert_int_eq(a.state, POINTS_AUCTION_OPEN);
}

/* pete outbids olga, in the anti-sniping window: her hold released,
 * his made, the end moved, an event for her */
static int
run_auction_bid(void)
{
	tu_now = AUC_END - 150;
	return points_auction_bid(db, auc_id, pete, 150, "pete-1", &bido);
}

static void
check_auction_bid(void)
{
	points_auction a;
	points_outbox_event e = last_event();

	ck_assert_int_eq(bido.number, 2);
	ck_assert_int_eq(bido.ends, AUC_END);
	ck_assert_int_eq(points_auction_get(db, auc_id, &a), POINTS_OK);
	ck_assert_int_eq(a.leader, pete);
	ck_assert_int_eq(a.price, 150);
	ck_assert_int_eq(held(olga, "PTS"), 0);
	ck_assert_int_eq(held(pete, "PTS"), 150);
	ck_assert_int_eq(avail(olga), 1000);
	ck_assert_int_eq(avail(pete), 850);
	ck_assert_str_eq(e.kind, POINTS_OUTBOX_AUCTION_OUTBID);
	ck_assert_int_eq(e.account, olga);
}

/* olga raises her own bid: one hold, of the new amount */
static int
run_auction_bid_raise(void)
{
	return points_auction_bid(db, auc_id, olga, 130, NULL, &bido);
}

static void
check_auction_bid_raise(void)
{
	ck_assert_int_eq(bido.number, 2);
	ck_assert_int_eq(held(olga, "PTS"), 130);
	ck_assert_int_eq(avail(olga), 870);
}

/* past the end: olga's 100 captured, her order of AUC approved */
static int
run_auction_settle(void)
{
	tu_now = AUC_END;
	return points_auction_settle(db, auc_id);
}

static void
check_auction_settle(void)
{
	points_auction a;
	points_order o;

	ck_assert_int_eq(points_auction_get(db, auc_id, &a), POINTS_OK);
	ck_assert_int_eq(a.state, POINTS_AUCTION_SOLD);
	ck_assert_int_eq(held(olga, "PTS"), 0);
	ck_assert_int_eq(avail(olga), 900);
	ck_assert_int_eq(points_order_get(db, a.order_id, &o), POINTS_OK);
	ck_assert_int_eq(o.amount, 100);
	ck_assert_int_eq(o.state, POINTS_ORDER_APPROVED);
}

/* the sweep settles it the same way */
static int
run_auction_sweep(void)
{
	return points_expire_sweep_asset(db, "PTS", AUC_END,
	    POINTS_SWEEP_FUTURE, &repo);
}

static void
check_auction_sweep(void)
{
	check_auction_settle();
}

static int
run_auction_cancel(void)
{
	return points_auction_cancel(db, auc_id);
}

static void
check_auction_cancel(void)
{
	points_auction a;
	points_item it;

	ck_assert_int_eq(points_auction_get(db, auc_id, &a), POINTS_OK);
	ck_assert_int_eq(a.state, POINTS_AUCTION_CANCELLED);
	ck_assert_int_eq(held(olga, "PTS"), 0);
	ck_assert_int_eq(avail(olga), 1000);
	ck_assert_int_eq(points_item_get(db, "AUC", &it), POINTS_OK);
	ck_assert_int_eq(it.stock, 2);
}

/* Imports (points_import_new): the file written afresh each run; the
 * whole import is the operation (an import makes its own batch: it
 * does not run inside another). */
static int
run_import_file(int kind, const char *text, unsigned flags)
{
	char path[] = "/tmp/points-fault-import-XXXXXX";
	points_import *imp = NULL;
	int fd = mkstemp(path), rc;
	FILE *f;

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(f = fdopen(fd, "w"));
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	rc = points_import_new(db, kind, path, flags, &imp);
	if (rc == POINTS_OK)
		rc = points_import_finish(imp, NULL);
	points_import_free(imp);
	unlink(path);
	return rc;
}

/* all or nothing: an update, a new account, an unchanged one */
static int
run_import_accounts(void)
{
	return run_import_file(POINTS_IMPORT_ACCOUNTS,
	    "external_id,name,department,tier\n"
	    "E1001,Alice,R&D,gold\n"
	    "E2001,Zed,HR,\n"
	    "E1002,E1002,Sales,\n", POINTS_IMPORT_ALL_OR_NOTHING);
}

static void
check_import_accounts(void)
{
	points_account a;

	ck_assert_int_eq(points_account_get(db, alice, &a), POINTS_OK);
	ck_assert_str_eq(a.name, "Alice");
	ck_assert_str_eq(a.department, "R&D");
	ck_assert_str_eq(a.tier, "gold");
	ck_assert_int_eq(points_account_find(db, "E2001", &a), POINTS_OK);
	ck_assert_str_eq(a.name, "Zed");
	ck_assert_str_eq(a.department, "HR");
	ck_assert_int_eq(points_account_get(db, bob, &a), POINTS_OK);
	ck_assert_str_eq(a.department, "Sales");
}

/* all or nothing: two awards */
static int
run_import_awards(void)
{
	return run_import_file(POINTS_IMPORT_AWARDS,
	    "external_id,asset,amount,idempotency_key,category\n"
	    "E1001,PTS,5,imp-1,training\n"
	    "E1002,EXP,7,imp-2,\n", POINTS_IMPORT_ALL_OR_NOTHING);
}

static void
check_import_awards(void)
{
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 55);
	ck_assert_int_eq(tu_available(db, bob, "EXP"), 12);
	/* a re-run is a replay */
	ck_assert_int_eq(run_import_awards(), POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 55);
}

/* line by line: an account made with its department (its own batch) */
static int
run_import_account_line(void)
{
	return run_import_file(POINTS_IMPORT_ACCOUNTS,
	    "external_id,department\nE3001,Ops\n", 0);
}

static void
check_import_account_line(void)
{
	points_account a;

	ck_assert_int_eq(points_account_find(db, "E3001", &a), POINTS_OK);
	ck_assert_str_eq(a.department, "Ops");
}

#define OP(x) { #x, run_##x, check_##x, 0 }
static const fault_op write_ops[] = {
	OP(asset_create), OP(account_create), OP(account_update),
	OP(attr_set), OP(attr_remove), OP(freeze), OP(unfreeze), OP(close),
	OP(earn), OP(earn_huge), OP(spend), OP(transfer), OP(transfer_lots),
	OP(adjust_credit),
	OP(adjust_debit), OP(reverse_whole), OP(reverse_partial),
	OP(reverse_debt), OP(earn_repays), OP(forfeit), OP(forfeit_debt),
	OP(hold_create), OP(capture_full), OP(capture_partial), OP(release),
	OP(sweep), OP(sweep_asset), OP(transfer_expiring),
	OP(forfeit_expiring), OP(close_expiring),
	{ "batch", run_batch, check_batch, 1 },
	OP(earn_meta), OP(account_apply), OP(account_erase),
	OP(pool_fund), OP(pool_defund), OP(pool_award), OP(asset_policy_set),
	OP(transfer_limited),
	OP(earn_spilled), OP(earn_early), OP(spend_spilled),
	{ "hold_release_spilled", run_hold_release_spilled,
	    check_hold_release_spilled, 1 },
	OP(expire_spilled), OP(sweep_spilled),
	OP(rule_save), OP(rule_set_state), OP(tier_set), OP(tier_qualify),
	OP(earn_upgrade), OP(tier_sweep), OP(event_apply),
	OP(event_reverse), OP(event_reverse_lines), OP(event_pending),
	OP(event_reverse_pending),
	OP(event_approval), OP(approval_nominate), OP(approval_approve),
	OP(approval_reject),
	OP(item_create), OP(item_update), OP(item_restock),
	OP(item_set_listed), OP(item_set_tier_price), OP(outbox_prune),
	OP(item_set_flash), OP(item_set_window), OP(item_set_period_limit),
	OP(mall_set_window), OP(mall_set_min_balance),
	OP(mall_set_cash_ratio), OP(order_place_cash),
	OP(mall_set_pay_order), OP(order_place_allowance),
	OP(order_approve_allowance), OP(order_cancel_allowance),
	OP(order_cancel_allowance_approved), OP(order_return_allowance),
	OP(order_place), OP(order_approve), OP(order_cancel),
	OP(order_cancel_approved), OP(order_ship), OP(order_deliver),
	OP(order_return), OP(order_approve_redeem), OP(order_return_redeem),
	OP(item_codes_add), OP(item_codes_first), OP(order_approve_codes), OP(order_exchange),
	OP(order_switch), OP(order_switch_approved), OP(expiring_set),
	OP(sweep_notices), OP(bundle_set_part), OP(order_place_bundle),
	OP(order_cancel_bundle),
	OP(grant_save), OP(grant_set_state), OP(grant_run), OP(grant_run_due),
	OP(trigger_set), OP(trigger_remove),
	OP(lottery_create), OP(lottery_draw), OP(lottery_close),
	OP(lottery_create_item), OP(lottery_draw_item), OP(lottery_close_item),
	OP(auction_create), OP(auction_bid), OP(auction_bid_raise),
	OP(auction_settle), OP(auction_sweep), OP(auction_cancel),
	{ "import_accounts", run_import_accounts, check_import_accounts, 1 },
	{ "import_awards", run_import_awards, check_import_awards, 1 },
	{ "import_account_line", run_import_account_line,
	    check_import_account_line, 1 },
};
static const fault_op big_batch_op = {
	"big batch", run_big_batch, check_big_batch, 1
};
#define NWRITE ((int)(sizeof(write_ops) / sizeof(write_ops[0])))

/* ---- The fault loops ----
 *
 * One loop, driven by how a fault is injected (a fault_kind: the nth
 * store call, once or every call from n on, or the nth allocation) and
 * by where the operation runs (plain, or in a batch between two other
 * operations). */

/* The batch around the operation under test: op1 before it and op3
 * after it, earns to erin in PTS, which no operation under test reads
 * or checks. */
#define OP1_AMOUNT 3
#define OP3_AMOUNT 4

static int64_t
puts_and_dels(void)
{
	return points_store_fault_method_calls(fault, "put") +
	    points_store_fault_method_calls(fault, "del");
}

typedef struct fault_kind {
	const char *what; /* "call", "allocation": for messages */
	int code;         /* what an operation that met the fault returns */
	void (*arm)(int64_t n, int persistent);
	/* Disarm; *calls: the calls (allocations) the operation made,
	 * *writes: its puts and deletes (-1: not counted).  Nonzero when a
	 * fault was injected. */
	int (*disarm)(int64_t n, int64_t *calls, int64_t *writes);
} fault_kind;

static void
store_arm(int64_t n, int persistent)
{
	ck_assert_int_eq(points_store_fault_arm(fault, n, persistent),
	    POINTS_OK);
}

static int
store_disarm(int64_t n, int64_t *calls, int64_t *writes)
{
	int64_t fails = points_store_fault_failures(fault);

	(void)n;
	*calls = points_store_fault_calls(fault);
	*writes = puts_and_dels();
	ck_assert_int_eq(points_store_fault_arm(fault, 0, 0), POINTS_OK);
	return fails > 0;
}

/* (the hook fails only the nth allocation: no persistent mode) */
static void
alloc_arm(int64_t n, int persistent)
{
	(void)persistent;
	tu_alloc_fail_at((long)n);
}

static int
alloc_disarm(int64_t n, int64_t *calls, int64_t *writes)
{
	*calls = tu_alloc_count();
	*writes = -1;
	tu_alloc_fail_at(0);
	return *calls >= n;
}

static const fault_kind store_faults = {
	"call", POINTS_ESTORAGE, store_arm, store_disarm
};
static const fault_kind alloc_faults = {
	"allocation", POINTS_ENOMEM, alloc_arm, alloc_disarm
};

/* Fail the nth store call (every call from n on when persistent) or
 * allocation, n = 1, 1 + stride, ... (tu_fault_next), until op
 * succeeds; then its effect is there (op->check) and the invariants
 * hold.  Each failure returns k->code, which the handle keeps (but
 * after a batch's rollback, op->batch), and a fault is never
 * swallowed.
 *
 * Plain: after each failure the ledger is byte for byte what it was.
 *
 * In a batch: op1 succeeds, the operation fails, op3 succeeds, the
 * batch commits: op1 and op3 are there, the failed operation left no
 * trace (the batch's view is byte for byte what it was before it), and
 * the invariants and points_verify hold.  When every store call from n
 * on fails, rolling back to the operation's savepoint fails too (n > 1:
 * it follows the savepoint, call 1): the batch is lost, op3 and the
 * commit say POINTS_ESTATE and the ledger is as before the batch.
 * Under store faults every operation must fail after it has written at
 * least once (a put or delete succeeded before the failed call). */
static void
fault_loop(const fault_kind *k, int in_batch, const fault_op *op,
    int persistent, int stride)
{
	int64_t n, calls, writes, erin_pts = tu_available(db, erin, "PTS");
	int rc, rc3, lost, wrote_then_failed = 0;
	const char *on = persistent ? " on" : "";

	for (n = 1;; n = tu_fault_next(n, stride)) {
		char *before, *mid = NULL, *after, msg[600];
		size_t bl, ml = 0, al;

		ck_assert_msg(n < FAULT_MAX, "%s: still failing with %s %lld "
		    "failed", op->name, k->what, (long long)n);
		before = tu_dump(db, &bl);
		if (in_batch) {
			ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
			ck_assert_int_eq(tu_earn(db, erin, "PTS", OP1_AMOUNT,
			    NULL), POINTS_OK);
			mid = tu_dump_txn(db, &ml);
		}
		k->arm(n, persistent);
		rc = op->run();
		if (k->disarm(n, &calls, &writes)) {
			snprintf(msg, sizeof(msg), "%s", points_errmsg(db));
			ck_assert_msg(rc != POINTS_OK, "%s succeeded although "
			    "%s %lld of %lld failed", op->name, k->what,
			    (long long)n, (long long)calls);
			ck_assert_msg(rc == k->code, "%s%s, fault at %s "
			    "%lld%s: returned %d (%s), not %d: %s", op->name,
			    in_batch ? " in a batch" : "", k->what,
			    (long long)n, on, rc, points_strerror(rc),
			    k->code, msg);
			if (!op->batch)
				ck_assert_int_eq(points_errcode(db), rc);
			/* the failed call was a write after a write, or
			 * came after one */
			if (writes >= 2 || (writes == 1 && calls > n))
				wrote_then_failed = 1;
		} else {
			ck_assert_msg(rc == POINTS_OK, "%s failed without a "
			    "fault (%s %lld of %lld): %s", op->name, k->what,
			    (long long)n, (long long)calls, points_errmsg(db));
		}
		if (!in_batch) {
			if (rc != POINTS_OK)
				assert_unchanged(before, bl, op->name, (long)n,
				    persistent);
			free(before);
			if (rc == POINTS_OK)
				break;
			continue;
		}
		lost = rc != POINTS_OK && persistent && n > 1;
		if (rc != POINTS_OK && !lost) {
			/* the batch goes on as it was before the operation */
			after = tu_dump_txn(db, &al);
			ck_assert_msg(al == ml && memcmp(after, mid, ml) == 0,
			    "%s, fault at %s %lld: the failed operation left "
			    "a trace in the batch", op->name, k->what,
			    (long long)n);
			free(after);
		}
		free(mid);
		rc3 = tu_earn(db, erin, "PTS", OP3_AMOUNT, NULL);
		if (lost) {
			/* undoing it failed too: the batch is lost */
			ck_assert_msg(strstr(msg, "the batch was rolled back"),
			    "%s, fault from %lld: %s", op->name, (long long)n,
			    msg);
			ck_assert_int_eq(rc3, POINTS_ESTATE);
			ck_assert_int_eq(points_batch_commit(db),
			    POINTS_ESTATE);
			assert_unchanged(before, bl, op->name, (long)n, 1);
			free(before);
			continue;
		}
		ck_assert_msg(rc3 == POINTS_OK, "%s, fault at %s %lld: the "
		    "batch did not go on: %s", op->name, k->what,
		    (long long)n, points_errmsg(db));
		ck_assert_msg(points_batch_commit(db) == POINTS_OK, "%s, fault "
		    "at %s %lld: commit: %s", op->name, k->what, (long long)n,
		    points_errmsg(db));
		erin_pts += OP1_AMOUNT + OP3_AMOUNT;
		ck_assert_int_eq(tu_available(db, erin, "PTS"), erin_pts);
		free(before);
		if (rc == POINTS_OK)
			break;
		tu_invariants(db);
	}
	op->check();
	tu_invariants(db);
	ck_assert_msg(!in_batch || k != &store_faults || wrote_then_failed,
	    "%s never failed after writing", op->name);
}

/* _i: write_ops index * 2 + persistent */
START_TEST(test_write_operation_survives_store_faults)
{
	fault_loop(&store_faults, 0, &write_ops[_i / 2], _i % 2, 1);
}
END_TEST

/* ~850 store calls: every 7th fails, which still lands failures after
 * the splits (and keeps the run short under ASan) */
START_TEST(test_big_batch_rolls_back_node_splits_on_store_faults)
{
	big_setup();
	fault_loop(&store_faults, 0, &big_batch_op, _i, 7);
}
END_TEST

START_TEST(test_write_operation_survives_sqlite_store_faults)
{
	fault_loop(&store_faults, 0, &write_ops[_i / 2], _i % 2, 1);
}
END_TEST

/* What a batch commits is exactly the earns that said POINTS_OK: a
 * failed one is undone alone (a store with savepoints) or, when it had
 * written, loses the batch (a store without; or when every call fails,
 * rolling back to the savepoint too), and then the commit says
 * POINTS_ESTATE and nothing is written. */
static void
batch_commit_anyway_loop(int persistent)
{
	static const int64_t amount[3] = { 1, 2, 3 };
	int64_t n;

	for (n = 1;; n = tu_fault_next(n, 1)) {
		int64_t a0, b0, e0;
		int rc[3], brc, crc, i, all_ok;
		char *before;
		size_t bl;

		ck_assert_msg(n < FAULT_MAX, "batch: still failing at %lld",
		    (long long)n);
		before = tu_dump(db, &bl);
		a0 = tu_available(db, alice, "PTS");
		b0 = tu_available(db, bob, "PTS");
		e0 = tu_available(db, alice, "EXP");
		points_store_fault_arm(fault, n, persistent);
		brc = points_batch_begin(db);
		if (brc != POINTS_OK) {
			points_store_fault_arm(fault, 0, 0);
			ck_assert_int_eq(brc, POINTS_ESTORAGE);
			assert_unchanged(before, bl, "batch begin", (long)n,
			    persistent);
			free(before);
			continue;
		}
		rc[0] = tu_earn(db, alice, "PTS", amount[0], NULL);
		rc[1] = tu_earn(db, bob, "PTS", amount[1], NULL);
		rc[2] = tu_earn(db, alice, "EXP", amount[2], NULL);
		crc = points_batch_commit(db);
		points_store_fault_arm(fault, 0, 0);
		all_ok = crc == POINTS_OK;
		for (i = 0; i < 3; i++) {
			ck_assert_msg(rc[i] == POINTS_OK ||
			    rc[i] == POINTS_ESTORAGE || rc[i] == POINTS_ESTATE,
			    "batch earn %d, fault at %lld: %d", i,
			    (long long)n, rc[i]);
			all_ok = all_ok && rc[i] == POINTS_OK;
		}
		if (crc == POINTS_OK) {
			for (i = 0; i < 3; i++)
				ck_assert_msg(rc[i] != POINTS_ESTATE,
				    "a batch that refused earn %d committed",
				    i);
			ck_assert_int_eq(tu_available(db, alice, "PTS"), a0 +
			    (rc[0] == POINTS_OK ? amount[0] : 0));
			ck_assert_int_eq(tu_available(db, bob, "PTS"), b0 +
			    (rc[1] == POINTS_OK ? amount[1] : 0));
			ck_assert_int_eq(tu_available(db, alice, "EXP"), e0 +
			    (rc[2] == POINTS_OK ? amount[2] : 0));
			tu_invariants(db);
		} else {
			ck_assert_msg(crc == POINTS_ESTATE ||
			    crc == POINTS_ESTORAGE, "batch commit, fault at "
			    "%lld: %d (%s)", (long long)n, crc,
			    points_errmsg(db));
			if (crc == POINTS_ESTATE)
				ck_assert(rc[0] || rc[1] || rc[2]);
			assert_unchanged(before, bl, "batch", (long)n,
			    persistent);
		}
		free(before);
		if (all_ok)
			break;
	}
	tu_invariants(db);
}

START_TEST(test_batch_commits_exactly_the_earns_that_succeeded)
{
	batch_commit_anyway_loop(_i);
}
END_TEST

/* A batch made an asset, used it, then failed to commit: the asset is
 * gone from the store, so the handle must not remember it either. */
START_TEST(test_failed_batch_forgets_the_assets_it_made)
{
	points_asset a;
	char *before;
	size_t bl;

	before = tu_dump(db, &bl);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "NEW", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "NEW", 5, NULL), POINTS_OK);
	points_store_fault_arm(fault, 1, 0); /* the commit */
	ck_assert_int_eq(points_batch_commit(db), POINTS_ESTORAGE);
	points_store_fault_arm(fault, 0, 0);
	assert_unchanged(before, bl, "batch with asset", 1, 0);
	free(before);
	ck_assert_msg(points_asset_get(db, "NEW", &a) == POINTS_ENOTFOUND,
	    "asset NEW of a failed batch is still visible");
	ck_assert_int_eq(tu_earn(db, alice, "NEW", 5, NULL), POINTS_ENOTFOUND);
	tu_invariants(db);
}
END_TEST

/* The same with a plain rollback: no fault needed. */
START_TEST(test_rolled_back_batch_forgets_the_assets_it_made)
{
	points_asset a;

	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "NEW", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "NEW", 5, NULL), POINTS_OK);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	ck_assert_msg(points_asset_get(db, "NEW", &a) == POINTS_ENOTFOUND,
	    "asset NEW of a rolled-back batch is still visible");
	ck_assert_int_eq(tu_earn(db, alice, "NEW", 5, NULL), POINTS_ENOTFOUND);
	tu_invariants(db);
}
END_TEST

/* ---- Inside a batch: a failed operation undoes only itself ---- */

/* A store without savepoints (version 2) keeps the documented
 * fallback: a failure after the operation's first write (a put or
 * delete was tried, the failed one included) rolls the whole batch
 * back, op1 too; op3 and the commit say POINTS_ESTATE and the ledger is
 * as before the batch.  A failure before it leaves the batch going. */
static void
batch_fallback_loop(const fault_op *op)
{
	int64_t n, writes, erin_pts = tu_available(db, erin, "PTS");
	int rc, rc3, lost = 0, kept = 0;

	for (n = 1;; n = tu_fault_next(n, 1)) {
		char *before;
		size_t bl;

		ck_assert_msg(n < FAULT_MAX, "%s: still failing with call %lld "
		    "failed", op->name, (long long)n);
		before = tu_dump(db, &bl);
		ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
		ck_assert_int_eq(tu_earn(db, erin, "PTS", OP1_AMOUNT, NULL),
		    POINTS_OK);
		ck_assert_int_eq(points_store_fault_arm(fault, n, 0),
		    POINTS_OK);
		rc = op->run();
		writes = puts_and_dels();
		ck_assert_int_eq(points_store_fault_arm(fault, 0, 0),
		    POINTS_OK);
		ck_assert_msg(rc == POINTS_OK || rc == POINTS_ESTORAGE,
		    "%s, fault at %lld: %d (%s)", op->name, (long long)n, rc,
		    points_errmsg(db));
		rc3 = tu_earn(db, erin, "PTS", OP3_AMOUNT, NULL);
		if (rc != POINTS_OK && writes > 0) {
			ck_assert_int_eq(rc3, POINTS_ESTATE);
			ck_assert_int_eq(points_batch_commit(db),
			    POINTS_ESTATE);
			assert_unchanged(before, bl, op->name, (long)n, 0);
			lost = 1;
		} else {
			ck_assert_msg(rc3 == POINTS_OK, "%s, fault at %lld: "
			    "%s", op->name, (long long)n, points_errmsg(db));
			ck_assert_int_eq(points_batch_commit(db), POINTS_OK);
			erin_pts += OP1_AMOUNT + OP3_AMOUNT;
			kept += rc != POINTS_OK;
		}
		ck_assert_int_eq(tu_available(db, erin, "PTS"), erin_pts);
		free(before);
		if (rc == POINTS_OK)
			break;
	}
	ck_assert_msg(lost && kept, "%s: lost %d, kept %d", op->name, lost,
	    kept);
	op->check();
	tu_invariants(db);
}

/* The operations that run inside a batch: all but the batches
 * themselves (batches do not nest: "batch", "hold_release_spilled" and
 * the imports, which make their own); the ith of them. */
#define NSINGLE (NWRITE - 5)

static const fault_op *
single_op(int i)
{
	int k;

	for (k = 0; k < NWRITE; k++)
		if (!write_ops[k].batch && i-- == 0)
			return &write_ops[k];
	ck_abort_msg("no single operation %d", i);
	return NULL;
}

/* _i: single_op index * 2 + persistent */
START_TEST(test_failed_operation_in_batch_undoes_only_itself)
{
	fault_loop(&store_faults, 1, single_op(_i / 2), _i % 2, 1);
}
END_TEST

/* The sweep in chunks of one unit of work, inside a batch: chunks are
 * not committed there, and a failure in a late chunk undoes the whole
 * sweep and nothing else. */
START_TEST(test_chunked_sweep_in_batch_undoes_only_itself)
{
	static const fault_op sweep = { "sweep", run_sweep, check_sweep, 0 };

	points_expiry__chunk = 1;
	fault_loop(&store_faults, 1, &sweep, _i, 1);
	points_expiry__chunk = POINTS_SWEEP_CHUNK;
}
END_TEST

START_TEST(test_failed_operation_in_batch_survives_out_of_memory)
{
	fault_loop(&alloc_faults, 1, single_op(_i), 0, 1);
}
END_TEST

START_TEST(test_store_without_savepoints_loses_the_batch)
{
	batch_fallback_loop(single_op(_i));
}
END_TEST

/* ---- Outputs are written only on success (points.h) ---- */

typedef struct out_op {
	const char *name;
	int (*run)(void);
	void *out;
	size_t len;
} out_op;

static const out_op out_ops[] = {
	{ "earn", run_earn, &txo, sizeof(txo) },
	{ "spend", run_spend, &txo, sizeof(txo) },
	{ "adjust", run_adjust_credit, &txo, sizeof(txo) },
	{ "reverse", run_reverse_whole, &txo, sizeof(txo) },
	{ "hold_create", run_hold_create, &txo, sizeof(txo) },
	{ "hold_capture", run_capture_partial, &txo, sizeof(txo) },
	{ "hold_release", run_release, &txo, sizeof(txo) },
	{ "account_create", run_account_create, &ido, sizeof(ido) },
	{ "expire_sweep", run_sweep, &repo, sizeof(repo) },
	{ "account_forfeit", run_forfeit, &fro, sizeof(fro) },
	{ "expire_sweep_asset", run_sweep_asset, &repo, sizeof(repo) },
	{ "transfer_expiring", run_transfer_expiring, &txo, sizeof(txo) },
	{ "item_create", run_item_create, &itemo, sizeof(itemo) },
	{ "item_update", run_item_update, &itemo, sizeof(itemo) },
	{ "item_restock", run_item_restock, &itemo, sizeof(itemo) },
	{ "item_set_tier_price", run_item_set_tier_price, &itemo,
	    sizeof(itemo) },
	{ "item_set_flash", run_item_set_flash, &itemo, sizeof(itemo) },
	{ "mall_set_window", run_mall_set_window, &mallo, sizeof(mallo) },
	{ "outbox_prune", run_outbox_prune, &prunedo, sizeof(prunedo) },
	{ "trigger_set", run_trigger_set, &trigo, sizeof(trigo) },
	{ "order_place", run_order_place, &ordero, sizeof(ordero) },
	{ "mall_set_cash_ratio", run_mall_set_cash_ratio, &cratioo,
	    sizeof(cratioo) },
	{ "order_place_cash", run_order_place_cash, &ordero,
	    sizeof(ordero) },
	{ "mall_set_pay_order", run_mall_set_pay_order, &mallo,
	    sizeof(mallo) },
	{ "order_place_allowance", run_order_place_allowance, &ordero,
	    sizeof(ordero) },
	{ "order_cancel_allowance_approved",
	    run_order_cancel_allowance_approved, &ordero, sizeof(ordero) },
	{ "order_return_allowance", run_order_return_allowance, &ordero,
	    sizeof(ordero) },
	{ "order_approve", run_order_approve, &ordero, sizeof(ordero) },
	{ "order_cancel_approved", run_order_cancel_approved, &ordero,
	    sizeof(ordero) },
	{ "order_return", run_order_return, &ordero, sizeof(ordero) },
	{ "order_approve_redeem", run_order_approve_redeem, &ordero,
	    sizeof(ordero) },
	{ "order_return_redeem", run_order_return_redeem, &ordero,
	    sizeof(ordero) },
	{ "item_codes_add", run_item_codes_add, &poolo, sizeof(poolo) },
	{ "item_codes_first", run_item_codes_first, &poolo, sizeof(poolo) },
	{ "order_approve_codes", run_order_approve_codes, &ordero,
	    sizeof(ordero) },
	{ "order_exchange", run_order_exchange, &ordero, sizeof(ordero) },
	{ "order_switch", run_order_switch, &ordero, sizeof(ordero) },
	{ "order_switch_approved", run_order_switch_approved, &ordero,
	    sizeof(ordero) },
	{ "bundle_set_part", run_bundle_set_part, &itemo, sizeof(itemo) },
	{ "order_place_bundle", run_order_place_bundle, &ordero,
	    sizeof(ordero) },
	{ "lottery_create", run_lottery_create, &ido, sizeof(ido) },
	{ "lottery_draw", run_lottery_draw, &lotdo, sizeof(lotdo) },
	{ "lottery_create_item", run_lottery_create_item, &ido, sizeof(ido) },
	{ "lottery_draw_item", run_lottery_draw_item, &lotdo, sizeof(lotdo) },
	{ "auction_create", run_auction_create, &ido, sizeof(ido) },
	{ "auction_bid", run_auction_bid, &bido, sizeof(bido) },
};
#define NOUT ((int)(sizeof(out_ops) / sizeof(out_ops[0])))

START_TEST(test_failed_operation_leaves_its_output_unwritten)
{
	const out_op *op = &out_ops[_i];
	unsigned char *shadow = malloc(op->len);
	int64_t n;
	int rc;

	ck_assert_ptr_nonnull(shadow);
	memset(shadow, 0xa5, op->len);
	for (n = 1; n < FAULT_MAX; n = tu_fault_next(n, 1)) {
		int64_t calls;

		memset(op->out, 0xa5, op->len);
		points_store_fault_arm(fault, n, 0);
		rc = op->run();
		calls = points_store_fault_calls(fault);
		points_store_fault_arm(fault, 0, 0);
		if (rc == POINTS_OK)
			break;
		ck_assert_msg(memcmp(op->out, shadow, op->len) == 0,
		    "%s failed (%s; call %lld of %lld failed) but wrote its "
		    "output", op->name, points_errmsg(db), (long long)n,
		    (long long)calls);
	}
	free(shadow);
	ck_assert_int_lt(n, FAULT_MAX);
}
END_TEST

/* ---- Reads under faults ---- */

typedef struct read_op {
	const char *name;
	/* POINTS_OK and a description of what was read into buf, or the
	 * error; never crashes. */
	int (*run)(char *buf, size_t len);
} read_op;

#define RBUF 16384

static void
cat(char *buf, size_t len, const char *fmt, long long a, long long b,
    long long c, const char *s)
{
	size_t n = strlen(buf);

	if (n < len)
		snprintf(buf + n, len - n, fmt, a, b, c, s);
}

static int
read_balance(char *buf, size_t len)
{
	points_balance b;
	int rc = points_balance_get(db, alice, "EXP", &b);

	if (rc == POINTS_OK)
		snprintf(buf, len, "%lld %lld %lld %lld %lld",
		    (long long)b.available, (long long)b.held,
		    (long long)b.earned, (long long)b.spent,
		    (long long)b.expired);
	return rc;
}

static int
read_account(char *buf, size_t len)
{
	points_account a;
	int rc = points_account_get(db, alice, &a);

	if (rc == POINTS_OK)
		snprintf(buf, len, "%s %s %d", a.external_id, a.name,
		    a.status);
	return rc;
}

static int
read_account_find(char *buf, size_t len)
{
	points_account a;
	int rc = points_account_find(db, "E1002", &a);

	if (rc == POINTS_OK)
		snprintf(buf, len, "%lld", (long long)a.id);
	return rc;
}

static int
read_attr(char *buf, size_t len)
{
	char *v = NULL;
	int rc = points_account_attr_get(db, alice, "team", &v);

	if (rc == POINTS_OK)
		snprintf(buf, len, "%s", v);
	points_free(v);
	return rc;
}

static int
read_asset(char *buf, size_t len)
{
	points_asset a;
	int rc = points_asset_get(db, "EXP", &a);

	if (rc == POINTS_OK)
		snprintf(buf, len, "%s %d", a.code, a.expiry_n);
	return rc;
}

static int
read_txn(char *buf, size_t len)
{
	points_txn t;
	int rc = points_txn_get(db, spend_id, &t);

	if (rc == POINTS_OK)
		snprintf(buf, len, "%lld %lld %s", (long long)t.seq,
		    (long long)t.amount, t.id);
	return rc;
}

static int
read_hold(char *buf, size_t len)
{
	points_hold h;
	int rc = points_hold_get(db, hold_due, &h);

	if (rc == POINTS_OK)
		snprintf(buf, len, "%s %lld %d", h.asset, (long long)h.amount,
		    h.state);
	return rc;
}

static int
read_statement_order(char *buf, size_t len, int64_t acct, const char *asset,
    int order)
{
	points_statement_iterator *it = NULL;
	points_entry e;
	int rc;

	buf[0] = '\0';
	if ((rc = points_statement_iterator_new(db, acct, asset, 0, 0, order,
	    &it)))
		return rc;
	while ((rc = points_statement_next(it, &e)) == POINTS_OK)
		cat(buf, len, "%lld:%lld:%lld:%s;", (long long)e.seq,
		    (long long)e.amount, (long long)e.held, e.txn_id);
	points_statement_iterator_free(it);
	return rc == POINTS_ITEROVER ? POINTS_OK : rc;
}

static int
read_statement_newest(char *buf, size_t len)
{
	return read_statement_order(buf, len, alice, "PTS",
	    POINTS_NEWEST_FIRST);
}

static int
read_statement_oldest(char *buf, size_t len)
{
	return read_statement_order(buf, len, alice, "EXP",
	    POINTS_OLDEST_FIRST);
}

static int
read_lots_of(char *buf, size_t len, int64_t acct)
{
	points_lot_iterator *it = NULL;
	points_lot l;
	int rc;

	buf[0] = '\0';
	if ((rc = points_lot_iterator_new(db, acct, "EXP", INT64_MAX, &it)))
		return rc;
	while ((rc = points_lot_next(it, &l)) == POINTS_OK)
		cat(buf, len, "%lld:%lld:%lld%s;", (long long)l.account,
		    (long long)l.expires_at, (long long)l.amount, "");
	points_lot_iterator_free(it);
	return rc == POINTS_ITEROVER ? POINTS_OK : rc;
}

static int
read_lots(char *buf, size_t len)
{
	return read_lots_of(buf, len, alice);
}

static int
read_lots_all(char *buf, size_t len)
{
	return read_lots_of(buf, len, 0);
}

static int
read_accounts(char *buf, size_t len)
{
	points_account_iterator *it = NULL;
	points_account a;
	int rc;

	buf[0] = '\0';
	if ((rc = points_account_iterator_new(db, 0, &it)))
		return rc;
	while ((rc = points_account_next(it, &a)) == POINTS_OK)
		cat(buf, len, "%lld:%lld:%lld:%s;", (long long)a.id,
		    (long long)a.status, (long long)a.flags, a.external_id);
	points_account_iterator_free(it);
	return rc == POINTS_ITEROVER ? POINTS_OK : rc;
}

static int
read_verify(char *buf, size_t len)
{
	points_verify_report r;
	int rc = points_verify(db, &r);

	if (rc == POINTS_OK)
		snprintf(buf, len, "%lld %lld", (long long)r.entries,
		    (long long)r.balances);
	return rc;
}

static int
read_item(char *buf, size_t len)
{
	points_item it;
	int rc = points_item_get(db, "MUG", &it);

	if (rc == POINTS_OK)
		snprintf(buf, len, "%s %lld %lld %lld", it.sku,
		    (long long)it.price, (long long)it.stock,
		    (long long)it.changes);
	return rc;
}

static int
read_item_price(char *buf, size_t len)
{
	int64_t p;
	int rc = points_item_price_for(db, "MUG", bob, &p);

	if (rc == POINTS_OK)
		snprintf(buf, len, "%lld", (long long)p);
	return rc;
}

static int
read_outbox(char *buf, size_t len)
{
	points_outbox_event e;
	int rc = points_outbox_next(db, 0, &e);

	if (rc == POINTS_OK)
		snprintf(buf, len, "%lld %s %s", (long long)e.seq, e.kind,
		    e.data);
	return rc;
}

static int
read_backtest(char *buf, size_t len)
{
	points_backtest *b = NULL;
	points_backtest_summary s;
	points_backtest_row row;
	int rc = points_rule_backtest(db, "base", 0, 0, 0, &b);

	if (rc) {
		ck_assert_ptr_null(b);
		return rc;
	}
	ck_assert_int_eq(points_backtest_summary_get(b, &s), POINTS_OK);
	ck_assert_int_eq(points_backtest_row_get(b, 0, &row), POINTS_OK);
	snprintf(buf, len, "%lld %lld %lld %lld: %lld %lld",
	    (long long)s.events, (long long)s.awards, (long long)s.points,
	    (long long)s.accounts, (long long)row.account,
	    (long long)row.points);
	points_backtest_free(b);
	return POINTS_OK;
}

static int
read_order(char *buf, size_t len)
{
	points_order o;
	int rc = points_order_get(db, ord_del, &o);

	if (rc == POINTS_OK)
		snprintf(buf, len, "%s %d %lld", o.id, o.state,
		    (long long)o.amount);
	return rc;
}

static int
read_cash_ratio(char *buf, size_t len)
{
	points_cash_ratio r;
	int rc = points_mall_cash_ratio_get(db, "PTS", &r);

	if (rc == POINTS_OK)
		snprintf(buf, len, "%lld %lld", (long long)r.points,
		    (long long)r.cash);
	return rc;
}

static int
read_item_codes(char *buf, size_t len)
{
	points_code_pool p;
	int rc = points_item_codes_get(db, "VCARD", &p);

	if (rc == POINTS_OK)
		snprintf(buf, len, "%lld %lld", (long long)p.uploaded,
		    (long long)p.issued);
	return rc;
}

/* The catalogue as a query sees it: what jack can afford, dearest
 * first (browse.c reads it all at the first step). */
static int
open_item_query(void **out)
{
	points_item_query q = POINTS_ITEM_QUERY_INIT;
	points_item_iterator *it = NULL;
	int rc;

	q.flags = POINTS_ITEMS_AFFORDABLE | POINTS_ITEMS_LISTED;
	q.account = jack;
	q.sort = POINTS_ITEMS_BY_PRICE_DESC;
	rc = points_item_query_iterator_new(db, &q, &it);
	*out = it;
	return rc;
}

static int
read_item_query(char *buf, size_t len)
{
	void *it = NULL;
	points_item i;
	size_t n = 0;
	int rc = open_item_query(&it);

	buf[0] = 0;
	while (rc == POINTS_OK && (rc = points_item_next(it, &i)) ==
	    POINTS_OK)
		n += (size_t)snprintf(buf + n, len - n, "%s %lld;", i.sku,
		    (long long)i.units);
	points_item_iterator_free(it);
	return rc == POINTS_ITEROVER ? POINTS_OK : rc;
}

/* More reads, each with what it read as text.  An iterator's records
 * are drained by DRAIN, one description per record. */
static void
catf(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

#define DRAIN(buf, len, it, next, freefn, rec, ...) do {		\
	int rc_;							\
	while ((rc_ = next(it, &rec)) == POINTS_OK)			\
		catf(buf, len, __VA_ARGS__);				\
	freefn(it);							\
	return rc_ == POINTS_ITEROVER ? POINTS_OK : rc_;		\
} while (0)

#define LL(x) ((long long)(x))

static int
read_account_history(char *buf, size_t len)
{
	points_account_history_iterator *it = NULL;
	points_account_change c;
	int rc;

	buf[0] = '\0';
	if ((rc = points_account_history_iterator_new(db, jack, &it)))
		return rc;
	DRAIN(buf, len, it, points_account_history_next,
	    points_account_history_iterator_free, c, "%lld:%d:%s>%s;",
	    LL(c.seq), c.field, c.old_value, c.new_value);
}

static int
read_approvals(char *buf, size_t len)
{
	points_approval_iterator *it = NULL;
	points_approval a;
	int rc;

	buf[0] = '\0';
	if ((rc = points_approval_get(db, 1, &a)))
		return rc;
	catf(buf, len, "%lld:%d:%lld|", LL(a.id), a.state, LL(a.points));
	if ((rc = points_approval_iterator_new(db, 0, &it)))
		return rc;
	DRAIN(buf, len, it, points_approval_next,
	    points_approval_iterator_free, a, "%lld:%d:%lld:%s;", LL(a.id),
	    a.state, LL(a.account), a.rule);
}

static int
read_bundle_parts(char *buf, size_t len)
{
	points_bundle_part_iterator *it = NULL;
	points_bundle_part p;
	int rc;

	buf[0] = '\0';
	if ((rc = points_bundle_part_iterator_new(db, "KIT", &it)))
		return rc;
	DRAIN(buf, len, it, points_bundle_part_next,
	    points_bundle_part_iterator_free, p, "%s:%lld:%lld;", p.sku,
	    LL(p.quantity), LL(p.stock));
}

static int
read_order_parts(char *buf, size_t len)
{
	points_bundle_part_iterator *it = NULL;
	points_bundle_part p;
	int rc;

	buf[0] = '\0';
	if ((rc = points_order_part_iterator_new(db, ord_ksub, &it)))
		return rc;
	DRAIN(buf, len, it, points_bundle_part_next,
	    points_bundle_part_iterator_free, p, "%s:%lld:%lld;", p.sku,
	    LL(p.quantity), LL(p.units));
}

static int
read_order_codes(char *buf, size_t len)
{
	points_order_code_iterator *it = NULL;
	points_order_code c;
	int rc;

	buf[0] = '\0';
	if ((rc = points_order_code_iterator_new(db, ord_vappr, &it)))
		return rc;
	DRAIN(buf, len, it, points_order_code_next,
	    points_order_code_iterator_free, c, "%lld:%s:%s;", LL(c.n), c.sku,
	    c.code);
}

static int
read_order_history(char *buf, size_t len)
{
	points_order_history_iterator *it = NULL;
	points_order_change c;
	int rc;

	buf[0] = '\0';
	if ((rc = points_order_history_iterator_new(db, ord_del, &it)))
		return rc;
	DRAIN(buf, len, it, points_order_history_next,
	    points_order_history_iterator_free, c, "%lld:%d>%d:%s;", LL(c.n),
	    c.from_state, c.to_state, c.actor);
}

/* nina's orders: read from her entries, bucket by bucket */
static int
read_orders_of_account(char *buf, size_t len)
{
	points_order_iterator *it = NULL;
	points_order o;
	int rc;

	buf[0] = '\0';
	if ((rc = points_order_iterator_new(db, nina, 0, NULL, &it)))
		return rc;
	DRAIN(buf, len, it, points_order_next, points_order_iterator_free, o,
	    "%s:%d:%lld;", o.id, o.state, LL(o.amount));
}

static int
read_items(char *buf, size_t len)
{
	points_item_iterator *it = NULL;
	points_item i;
	int rc;

	buf[0] = '\0';
	if ((rc = points_item_iterator_new(db, NULL, 0, &it)))
		return rc;
	DRAIN(buf, len, it, points_item_next, points_item_iterator_free, i,
	    "%s:%lld:%lld;", i.sku, LL(i.price), LL(i.stock));
}

static int
read_item_history(char *buf, size_t len)
{
	points_item_history_iterator *it = NULL;
	points_item_change c;
	int rc;

	buf[0] = '\0';
	if ((rc = points_item_history_iterator_new(db, "PEN", &it)))
		return rc;
	DRAIN(buf, len, it, points_item_history_next,
	    points_item_history_iterator_free, c, "%lld:%u:%lld:%lld;",
	    LL(c.n), c.what, LL(c.price), LL(c.stock));
}

static int
read_rule_history(char *buf, size_t len)
{
	points_rule_history_iterator *it = NULL;
	points_rule r;
	int rc;

	buf[0] = '\0';
	if ((rc = points_rule_history_iterator_new(db, "base", &it)))
		return rc;
	DRAIN(buf, len, it, points_rule_history_next,
	    points_rule_history_iterator_free, r, "%s:%lld:%d;", r.name,
	    LL(r.version), r.state);
}

static int
read_rules(char *buf, size_t len)
{
	points_rule_iterator *it = NULL;
	points_rule r;
	int rc;

	buf[0] = '\0';
	if ((rc = points_rule_iterator_new(db, &it)))
		return rc;
	DRAIN(buf, len, it, points_rule_next, points_rule_iterator_free, r,
	    "%s:%lld:%d;", r.name, LL(r.version), r.state);
}

static int
read_triggers(char *buf, size_t len)
{
	points_trigger_iterator *it = NULL;
	points_trigger t;
	int rc;

	buf[0] = '\0';
	if ((rc = points_trigger_iterator_new(db, &it)))
		return rc;
	DRAIN(buf, len, it, points_trigger_next, points_trigger_iterator_free,
	    t, "%s:%d:%s:%lld;", t.name, t.kind, t.asset, LL(t.level));
}

static int
read_grant_awards(char *buf, size_t len)
{
	points_grant_award_iterator *it = NULL;
	points_grant_award w;
	int rc;

	buf[0] = '\0';
	if ((rc = points_grant_award_iterator_new(db, "welfare", 0, &it)))
		return rc;
	DRAIN(buf, len, it, points_grant_award_next,
	    points_grant_award_iterator_free, w, "%lld:%lld:%lld;",
	    LL(w.account), LL(w.points), LL(w.period_start));
}

/* The export's lines, as a hash: they are longer than the buffer. */
static int
read_export(char *buf, size_t len)
{
	points_export_iterator *it = NULL;
	uint64_t h = 1469598103934665603u;
	int64_t lines = 0;
	char *line;
	int rc;

	if ((rc = points_export_iterator_new(db, POINTS_EXPORT_JSONL, 0, 0,
	    &it)))
		return rc;
	while ((rc = points_export_next(it, &line)) == POINTS_OK) {
		const char *c;

		for (c = line; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211u;
		lines++;
		points_free(line);
	}
	points_export_iterator_free(it);
	snprintf(buf, len, "%lld %llx", LL(lines), (unsigned long long)h);
	return rc == POINTS_ITEROVER ? POINTS_OK : rc;
}

static int
read_rule(char *buf, size_t len)
{
	points_rule r;
	char *expr = NULL;
	int rc;

	if ((rc = points_rule_get(db, "referral", 0, &r)))
		return rc;
	if ((rc = points_rule_expr_get(db, "referral", 0, POINTS_RULE_EXPR_POINTS,
	    &expr)))
		return rc;
	snprintf(buf, len, "%s %lld %s", r.name, LL(r.version), expr);
	points_free(expr);
	return POINTS_OK;
}

static int
read_grant(char *buf, size_t len)
{
	points_grant g;
	points_grant_award w;
	char *expr = NULL;
	int rc;

	if ((rc = points_grant_get(db, "teamfund", 0, &g)))
		return rc;
	if ((rc = points_grant_expr_get(db, "teamfund", 0,
	    POINTS_RULE_EXPR_CONDITION, &expr)))
		return rc;
	rc = points_grant_award_get(db, "welfare", 0, bob, &w);
	if (rc != POINTS_OK && rc != POINTS_ENOTFOUND) {
		points_free(expr);
		return rc;
	}
	snprintf(buf, len, "%s %lld %lld %s %d", g.name, LL(g.version),
	    LL(g.pool), expr, rc);
	points_free(expr);
	return POINTS_OK;
}

static int
read_event_result(char *buf, size_t len, int preview)
{
	points_event e = POINTS_EVENT_INIT;
	points_event_result *r = NULL;
	points_event_summary s;
	points_rule_outcome o;
	int rc;

	e.id = "probe";
	e.type = "purchase";
	e.account = bob;
	e.amount = 4200;
	rc = preview ? points_event_preview(db, &e, &r) :
	    points_event_get(db, "seed-5", &r);
	if (rc)
		return rc;
	ck_assert_int_eq(points_event_result_summary(r, &s), POINTS_OK);
	snprintf(buf, len, "%s %lld %lld", s.type, LL(s.points),
	    LL(s.outcomes));
	if (s.outcomes > 0) {
		ck_assert_int_eq(points_event_result_outcome(r, 0, &o),
		    POINTS_OK);
		catf(buf, len, " %s %lld", o.rule, LL(o.points));
	}
	points_event_result_free(r);
	return POINTS_OK;
}

static int
read_event_get(char *buf, size_t len)
{
	return read_event_result(buf, len, 0);
}

static int
read_event_preview(char *buf, size_t len)
{
	return read_event_result(buf, len, 1);
}

static int
read_tier(char *buf, size_t len)
{
	points_tier t;
	int64_t price;
	int rc;

	if ((rc = points_tier_get(db, "vip", &t)))
		return rc;
	if ((rc = points_item_tier_price_get(db, "MUG", "silver", &price)))
		return rc;
	snprintf(buf, len, "%s %d %lld %lld %lld", t.name, t.rank,
	    LL(t.percent), LL(t.qualify_points), LL(price));
	return POINTS_OK;
}

static int
read_settings(char *buf, size_t len)
{
	points_settings s;
	points_mall_settings m;
	int64_t min, days;
	int rc;

	if ((rc = points_settings_get(db, &s)) ||
	    (rc = points_mall_settings_get(db, &m)) ||
	    (rc = points_mall_min_balance_get(db, "PTS", &min)) ||
	    (rc = points_outbox_expiring_get(db, "EXP", &days)))
		return rc;
	snprintf(buf, len, "%d %u %d %lld %lld", s.utc_offset,
	    m.window_weekdays, m.pay_order, LL(min), LL(days));
	return POINTS_OK;
}

/* The heads kept (one a log partition), then verified against. */
static int
read_verify_head(char *buf, size_t len)
{
	points_chain_head h[16];
	points_verify_report r;
	size_t n, i, at;
	int rc;

	if ((rc = points_chain_heads_get(db, h, 16, &n)))
		return rc;
	ck_assert_uint_le(n, 16);
	if ((rc = points_verify_head(db, h, n, &r)))
		return rc;
	at = (size_t)snprintf(buf, len, "%lld", LL(r.entries));
	for (i = 0; i < n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, " %lld %s",
		    LL(h[i].seq), h[i].hash);
	return POINTS_OK;
}

static int
read_liability(char *buf, size_t len)
{
	points_liability l;
	int rc = points_liability_get(db, "EXP", &l);

	if (rc == POINTS_OK)
		snprintf(buf, len, "%lld %lld %lld %lld %lld", LL(l.accounts),
		    LL(l.available), LL(l.pending), LL(l.held), LL(l.debt));
	return rc;
}

static int
read_forecast(char *buf, size_t len)
{
	points_expiry_forecast_iterator *it = NULL;
	points_expiry_month m;
	int rc;

	buf[0] = '\0';
	if ((rc = points_expiry_forecast_iterator_new(db, "EXP", &it)))
		return rc;
	DRAIN(buf, len, it, points_expiry_forecast_next,
	    points_expiry_forecast_iterator_free, m, "%d-%d:%lld:%lld;",
	    m.year, m.month, LL(m.points), LL(m.accounts));
}

static int
read_report(char *buf, size_t len)
{
	points_report_iterator *it = NULL;
	points_report_row r;
	int rc;

	buf[0] = '\0';
	if ((rc = points_report_iterator_new(db,
	    POINTS_REPORT_ISSUED_BY_CATEGORY, "PTS", 0, 0, POINTS_PERIOD_DAY,
	    0, &it)))
		return rc;
	DRAIN(buf, len, it, points_report_next, points_report_iterator_free,
	    r, "%lld:%s:%lld:%lld;", LL(r.period), r.key, LL(r.points),
	    LL(r.count));
}

static int
read_leaderboard(char *buf, size_t len)
{
	points_leaderboard_iterator *it = NULL;
	points_leader l;
	int rc;

	buf[0] = '\0';
	if ((rc = points_leaderboard_iterator_new(db, "PTS", 0, 0,
	    POINTS_LEADERS_BY_DEPARTMENT, 3, &it)))
		return rc;
	DRAIN(buf, len, it, points_leaderboard_next,
	    points_leaderboard_iterator_free, l, "%s:%lld:%lld:%lld;",
	    l.group, LL(l.rank), LL(l.account), LL(l.points));
}

static int
read_summaries(char *buf, size_t len)
{
	points_summary_iterator *it = NULL;
	points_summary s;
	int rc;

	buf[0] = '\0';
	if ((rc = points_account_summary_get(db, alice, "EXP", 0, 0, &s)))
		return rc;
	catf(buf, len, "%lld %lld %lld %lld|", LL(s.start), LL(s.earned),
	    LL(s.spent), LL(s.end));
	if ((rc = points_department_summary_iterator_new(db, "PTS", 0, 0,
	    &it)))
		return rc;
	DRAIN(buf, len, it, points_department_summary_next,
	    points_department_summary_iterator_free, s, "%s:%lld:%lld:%lld;",
	    s.department, LL(s.accounts), LL(s.earned), LL(s.end));
}

static int
read_recommendations(char *buf, size_t len)
{
	points_recommendation_iterator *it = NULL;
	points_recommendation r;
	int rc;

	buf[0] = '\0';
	if ((rc = points_recommendation_iterator_new(db, jack,
	    POINTS_RECOMMEND_AFFORDABLE, 5, &it)))
		return rc;
	DRAIN(buf, len, it, points_recommendation_next,
	    points_recommendation_iterator_free, r, "%lld:%s:%lld;",
	    LL(r.rank), r.sku, LL(r.price));
}

/* The pool's grant and the ledger's issuer: two parties. */
static int
read_settlement(char *buf, size_t len)
{
	points_settlement_iterator *it = NULL;
	points_settlement s;
	int rc;

	buf[0] = '\0';
	if ((rc = points_settlement_iterator_new(db, "EXP", 0, 0, 3, 2,
	    &it)))
		return rc;
	DRAIN(buf, len, it, points_settlement_next,
	    points_settlement_iterator_free, s, "%s:%lld:%lld:%lld:%lld;",
	    s.external_id, LL(s.issued), LL(s.redeemed), LL(s.cash),
	    LL(s.cash_rem));
}

static int
read_lottery_draws(char *buf, size_t len, int64_t lottery, int64_t account,
    unsigned flags)
{
	points_lottery_draw_iterator *it = NULL;
	points_lottery_results r;
	points_lottery_draw w;
	int rc;

	buf[0] = '\0';
	if ((rc = points_lottery_results_get(db, lot_id, &r)))
		return rc;
	catf(buf, len, "%lld %lld %lld %lld %lld|", LL(r.participants),
	    LL(r.draws), LL(r.wins), LL(r.collected), LL(r.credited));
	if ((rc = points_lottery_draw_iterator_new(db, lottery, account, flags,
	    &it)))
		return rc;
	DRAIN(buf, len, it, points_lottery_draw_next,
	    points_lottery_draw_iterator_free, w, "%lld:%lld:%lld:%d;",
	    LL(w.lottery), LL(w.number), LL(w.account), w.outcome);
}

static int
read_lottery_by_number(char *buf, size_t len)
{
	return read_lottery_draws(buf, len, lot_id, 0, 0);
}

static int
read_lottery_of_zed(char *buf, size_t len)
{
	return read_lottery_draws(buf, len, 0, zed, 0);
}

static int
read_lottery(char *buf, size_t len)
{
	points_lottery l;
	points_lottery_prize p;
	int rc;

	if ((rc = points_lottery_get(db, lot_id, &l)) ||
	    (rc = points_lottery_prize_get(db, lot_id, 0, &p)))
		return rc;
	snprintf(buf, len, "%s %lld %lld %s %s %lld", l.name, LL(l.cost),
	    LL(l.draws), l.commitment, p.label, LL(p.stock));
	return POINTS_OK;
}

static const read_op read_ops[] = {
	{ "item_query", read_item_query },
	{ "order_get", read_order },
	{ "mall_cash_ratio_get", read_cash_ratio },
	{ "item_codes_get", read_item_codes },
	{ "item_get", read_item },
	{ "item_price_for", read_item_price },
	{ "outbox_next", read_outbox },
	{ "balance_get", read_balance },
	{ "account_get", read_account },
	{ "account_find", read_account_find },
	{ "account_attr_get", read_attr },
	{ "asset_get", read_asset },
	{ "txn_get", read_txn },
	{ "hold_get", read_hold },
	{ "statement newest first", read_statement_newest },
	{ "statement oldest first", read_statement_oldest },
	{ "lots of one account", read_lots },
	{ "lots of every account", read_lots_all },
	{ "account_iter", read_accounts },
	{ "verify", read_verify },
	{ "rule_backtest", read_backtest },
	{ "account_history_iter", read_account_history },
	{ "approval_get and approval_iter", read_approvals },
	{ "bundle_part_iter", read_bundle_parts },
	{ "order_part_iter", read_order_parts },
	{ "order_code_iter", read_order_codes },
	{ "order_history_iter", read_order_history },
	{ "order_iter of an account", read_orders_of_account },
	{ "item_iter", read_items },
	{ "item_history_iter", read_item_history },
	{ "rule_history_iter", read_rule_history },
	{ "rules_iter", read_rules },
	{ "trigger_iter", read_triggers },
	{ "grant_award_iter", read_grant_awards },
	{ "export_iter", read_export },
	{ "rule_get and rule_expr_get", read_rule },
	{ "grant_get, grant_expr_get, grant_award_get", read_grant },
	{ "event_get", read_event_get },
	{ "event_preview", read_event_preview },
	{ "tier_get and item_tier_price_get", read_tier },
	{ "settings", read_settings },
	{ "chain_heads_get and verify_head", read_verify_head },
	{ "liability_get", read_liability },
	{ "expiry_forecast_iter", read_forecast },
	{ "report_iter", read_report },
	{ "leaderboard_iter", read_leaderboard },
	{ "summaries", read_summaries },
	{ "recommendation_iter", read_recommendations },
	{ "settlement_iter", read_settlement },
	{ "lottery_get and lottery_prize_get", read_lottery },
	{ "lottery results and draws by number", read_lottery_by_number },
	{ "lottery results and an account's draws", read_lottery_of_zed },
};
#define NREAD ((int)(sizeof(read_ops) / sizeof(read_ops[0])))

START_TEST(test_read_operation_fails_cleanly_under_store_faults)
{
	const read_op *op = &read_ops[_i / 2];
	int persistent = _i % 2;
	char *base = calloc(1, RBUF), *got = calloc(1, RBUF);
	int64_t n, fails;
	int rc;

	ck_assert(base && got);
	ck_assert_int_eq(op->run(base, RBUF), POINTS_OK);
	for (n = 1;; n = tu_fault_next(n, 1)) {
		char *before;
		size_t bl;

		ck_assert_msg(n < FAULT_MAX, "%s: still failing", op->name);
		before = tu_dump(db, &bl);
		points_store_fault_arm(fault, n, persistent);
		got[0] = '\0';
		rc = op->run(got, RBUF);
		fails = points_store_fault_failures(fault);
		points_store_fault_arm(fault, 0, 0);
		if (rc == POINTS_OK) {
			ck_assert_msg(fails == 0, "%s succeeded although call "
			    "%lld failed", op->name, (long long)n);
			ck_assert_str_eq(got, base);
			free(before);
			break;
		}
		ck_assert_msg(rc == POINTS_ESTORAGE, "%s, fault at call %lld: "
		    "%d (%s)", op->name, (long long)n, rc, points_errmsg(db));
		assert_unchanged(before, bl, op->name, (long)n, persistent);
		free(before);
		/* the handle is still good */
		rc = op->run(got, RBUF);
		ck_assert_msg(rc == POINTS_OK, "%s after a fault at call %lld: "
		    "%s", op->name, (long long)n, points_errmsg(db));
		ck_assert_str_eq(got, base);
	}
	free(base);
	free(got);
}
END_TEST

/* A failed step of an iterator can be retried: it goes on where it was
 * (iter.c: "forget the partial chunk so a retry starts where it was").
 * Each kind has its own type; the table sees them as void *. */
typedef struct iter_op {
	const char *name;
	int (*open)(void **it);
	int (*next)(void *it, char *buf, size_t len);
	void (*free)(void *it);
} iter_op;

static int
open_statement(void **out, const char *asset, int order)
{
	points_statement_iterator *it = NULL;
	int rc = points_statement_iterator_new(db, alice, asset, 0, 0, order,
	    &it);

	*out = it;
	return rc;
}

static int
open_statement_newest(void **it)
{
	return open_statement(it, "PTS", POINTS_NEWEST_FIRST);
}

static int
open_statement_oldest(void **it)
{
	return open_statement(it, "EXP", POINTS_OLDEST_FIRST);
}

static int
next_entry(void *it, char *buf, size_t len)
{
	points_entry e;
	int rc = points_statement_next(it, &e);

	if (rc == POINTS_OK)
		cat(buf, len, "%lld:%lld:%lld:%s;", (long long)e.seq,
		    (long long)e.amount, (long long)e.held, e.txn_id);
	return rc;
}

static void
free_statement(void *it)
{
	points_statement_iterator_free(it);
}

static int
open_lots(void **out, int64_t account)
{
	points_lot_iterator *it = NULL;
	int rc = points_lot_iterator_new(db, account, "EXP", INT64_MAX, &it);

	*out = it;
	return rc;
}

static int
open_lots_alice(void **it)
{
	return open_lots(it, alice);
}

static int
open_lots_all(void **it)
{
	return open_lots(it, 0);
}

static int
next_lot(void *it, char *buf, size_t len)
{
	points_lot l;
	int rc = points_lot_next(it, &l);

	if (rc == POINTS_OK)
		cat(buf, len, "%lld:%lld:%lld%s;", (long long)l.account,
		    (long long)l.expires_at, (long long)l.amount, "");
	return rc;
}

static void
free_lots(void *it)
{
	points_lot_iterator_free(it);
}

static int
open_accounts(void **out)
{
	points_account_iterator *it = NULL;
	int rc = points_account_iterator_new(db, 0, &it);

	*out = it;
	return rc;
}

static int
next_account(void *it, char *buf, size_t len)
{
	points_account a;
	int rc = points_account_next(it, &a);

	if (rc == POINTS_OK)
		cat(buf, len, "%lld:%lld:%lld:%s;", (long long)a.id,
		    (long long)a.status, (long long)a.flags, a.external_id);
	return rc;
}

static void
free_accounts(void *it)
{
	points_account_iterator_free(it);
}

static int
open_items(void **out)
{
	points_item_iterator *it = NULL;
	int rc = points_item_iterator_new(db, "physical", 0, &it);

	*out = it;
	return rc;
}

static int
next_item(void *it, char *buf, size_t len)
{
	points_item i;
	int rc = points_item_next(it, &i);

	if (rc == POINTS_OK)
		cat(buf, len, "%lld:%lld:%lld:%s;", (long long)i.price,
		    (long long)i.stock, (long long)i.changes, i.sku);
	return rc;
}

static void
free_items(void *it)
{
	points_item_iterator_free(it);
}

static int
open_item_history(void **out)
{
	points_item_history_iterator *it = NULL;
	int rc = points_item_history_iterator_new(db, "MUG", &it);

	*out = it;
	return rc;
}

static int
next_item_change(void *it, char *buf, size_t len)
{
	points_item_change c;
	int rc = points_item_history_next(it, &c);

	if (rc == POINTS_OK)
		cat(buf, len, "%lld:%lld:%lld:%s;", (long long)c.n,
		    (long long)c.what, (long long)c.tier_price, c.tier);
	return rc;
}

static void
free_item_history(void *it)
{
	points_item_history_iterator_free(it);
}

static int
open_orders(void **out)
{
	points_order_iterator *it = NULL;
	int rc = points_order_iterator_new(db, jack, -1, NULL, &it);

	*out = it;
	return rc;
}

static int
next_order(void *it, char *buf, size_t len)
{
	points_order o;
	int rc = points_order_next(it, &o);

	if (rc == POINTS_OK)
		cat(buf, len, "%lld:%lld:%lld:%s;", (long long)o.account,
		    (long long)o.state, (long long)o.amount, o.id);
	return rc;
}

static void
free_orders(void *it)
{
	points_order_iterator_free(it);
}

static int
open_order_history(void **out)
{
	points_order_history_iterator *it = NULL;
	int rc = points_order_history_iterator_new(db, ord_del, &it);

	*out = it;
	return rc;
}

static int
next_order_change(void *it, char *buf, size_t len)
{
	points_order_change c;
	int rc = points_order_history_next(it, &c);

	if (rc == POINTS_OK)
		cat(buf, len, "%lld:%lld:%lld:%s;", (long long)c.n,
		    (long long)c.from_state, (long long)c.to_state, c.actor);
	return rc;
}

static void
free_order_history(void *it)
{
	points_order_history_iterator_free(it);
}

static int
open_order_codes(void **out)
{
	points_order_code_iterator *it = NULL;
	int rc = points_order_code_iterator_new(db, ord_vappr, &it);

	*out = it;
	return rc;
}

static int
next_order_code(void *it, char *buf, size_t len)
{
	points_order_code c;
	int rc = points_order_code_next(it, &c);

	if (rc == POINTS_OK)
		cat(buf, len, "%lld:%lld:%lld:%s;", (long long)c.n, 0, 0, c.code);
	return rc;
}

static void
free_order_codes(void *it)
{
	points_order_code_iterator_free(it);
}

static const iter_op iter_ops[] = {
	{ "orders", open_orders, next_order, free_orders },
	{ "order codes", open_order_codes, next_order_code,
	    free_order_codes },
	{ "order history", open_order_history, next_order_change,
	    free_order_history },
	{ "items", open_items, next_item, free_items },
	{ "item query", open_item_query, next_item, free_items },
	{ "item history", open_item_history, next_item_change,
	    free_item_history },
	{ "statement newest first", open_statement_newest, next_entry,
	    free_statement },
	{ "statement oldest first", open_statement_oldest, next_entry,
	    free_statement },
	{ "lots of one account", open_lots_alice, next_lot, free_lots },
	{ "lots of every account", open_lots_all, next_lot, free_lots },
	{ "accounts", open_accounts, next_account, free_accounts },
};
#define NITER ((int)(sizeof(iter_ops) / sizeof(iter_ops[0])))

static void
iterate(const iter_op *op, char *buf, int64_t n)
{
	void *it = NULL;
	int rc, retries = 0;

	buf[0] = '\0';
	ck_assert_int_eq(op->open(&it), POINTS_OK);
	points_store_fault_arm(fault, n, 0);
	while ((rc = op->next(it, buf, RBUF)) != POINTS_ITEROVER) {
		if (rc == POINTS_OK)
			continue;
		ck_assert_msg(rc == POINTS_ESTORAGE, "%s: step failed with %d",
		    op->name, rc);
		ck_assert_int_lt(++retries, 100);
		points_store_fault_arm(fault, 0, 0);
	}
	points_store_fault_arm(fault, 0, 0);
	op->free(it);
}

START_TEST(test_iterator_step_resumes_after_a_fault)
{
	const iter_op *op = &iter_ops[_i];
	char *base = calloc(1, RBUF), *got = calloc(1, RBUF);
	int64_t n;

	ck_assert(base && got);
	iterate(op, base, 0);
	ck_assert_msg(base[0], "%s: nothing to list", op->name);
	for (n = 1; n < 200; n++) {
		iterate(op, got, n);
		ck_assert_msg(strcmp(got, base) == 0, "%s retried after a "
		    "fault at call %lld of its steps lists\n  %s\nnot\n  %s",
		    op->name, (long long)n, got, base);
	}
	free(base);
	free(got);
}
END_TEST

/* ---- Opening under faults ---- */

START_TEST(test_open_store_survives_store_faults)
{
	points_open_options o = fx_options();
	points_store *in2 = NULL, *f2 = NULL;
	points_db *d = NULL;
	int64_t n;
	int rc, persistent = _i;

	ck_assert_int_eq(points_store_open("memory:", &in2), POINTS_OK);
	ck_assert_int_eq(points_store_fault_new(in2, &f2), POINTS_OK);
	for (n = 1; n < FAULT_MAX; n++) {
		points_store_fault_arm(f2, n, persistent);
		rc = points_open_store(f2, &o, &d);
		points_store_fault_arm(f2, 0, 0);
		if (rc == POINTS_OK)
			break;
		ck_assert_msg(rc == POINTS_ESTORAGE, "open, fault at %lld: %d",
		    (long long)n, rc);
		ck_assert_ptr_nonnull(d);
		ck_assert_int_eq(points_errcode(d), rc);
		ck_assert_int_eq(tu_earn(d, POINTS_ACCOUNT_ISSUER, "PTS", 1,
		    NULL), POINTS_EMISUSE);
		points_close(d);
		d = NULL;
	}
	ck_assert_int_lt(n, FAULT_MAX);
	/* the ledger made by the open that worked is whole */
	db = d;
	ck_assert_int_eq(points_asset_create(d, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	ck_assert_int_eq(tu_earn(d, tu_account(d, "X1"), "PTS", 5, NULL),
	    POINTS_OK);
	tu_invariants(d);
	points_close(d);
	db = NULL;
	/* and reopens */
	ck_assert_int_eq(points_open_store(f2, &o, &d), POINTS_OK);
	tu_invariants(d);
	points_close(d);
	points_store_close(f2);
	points_store_close(in2);
}
END_TEST

/* ---- Upgrading a ledger under faults ---- */

/* A ledger as 0.1.0 wrote it (balances of format 1, a sink allowed to
 * go negative) on a fresh memory store (inner); *want is the dump of
 * the same ledger in the current format. */
static points_store *
format_1_ledger(char **want, size_t *wl)
{
	points_open_options o = fx_options();
	points_store *s;
	points_db *d;
	points_posting p;
	points_txn t;
	int64_t a, b;

	ck_assert_int_eq(points_store_open("memory:", &s), POINTS_OK);
	ck_assert_int_eq(points_open_store(s, &o, &d), POINTS_OK);
	tu_now = TU_T0;
	ck_assert_int_eq(points_asset_create(d, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	ck_assert_int_eq(points_asset_create(d, "EXP", 0, POINTS_EXPIRE_DAYS,
	    9), POINTS_OK);
	a = tu_account(d, "E1");
	b = tu_account(d, "E2");
	ck_assert_int_eq(tu_earn(d, a, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(tu_spend(d, a, "PTS", 3, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(d, a, "EXP", 20, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(d, b, "EXP", 30, NULL), POINTS_OK);
	p = tu_posting("EXP", b, 4);
	ck_assert_int_eq(points_hold_create(d, &p, &t), POINTS_OK);
	ck_assert_int_eq(points_account_freeze(d, a), POINTS_OK);
	*want = tu_dump(d, wl);
	points_close(d);
	tu_ledger_to_0_1_0(s);
	return s;
}

static void
upgraded_as_wanted(points_db *d, const char *want, size_t wl)
{
	size_t gl;
	char *got = tu_dump(d, &gl);

	ck_assert_msg(gl == wl && memcmp(got, want, wl) == 0,
	    "the upgraded ledger differs from the one before");
	free(got);
	tu_invariants(d);
}

/* Opening a ledger of 0.1.0 upgrades it in one transaction: a store
 * failure at any call leaves it exactly as it was, and the next open
 * upgrades it. */
START_TEST(test_upgrade_survives_store_faults)
{
	points_open_options o = fx_options();
	points_store *s, *f;
	points_db *d = NULL;
	char *want, *before, *after;
	size_t wl, bl, al;
	int64_t n;
	int rc, persistent = _i;

	s = format_1_ledger(&want, &wl);
	ck_assert_int_eq(points_store_fault_new(s, &f), POINTS_OK);
	before = tu_store_dump(s, &bl);
	for (n = 1; n < FAULT_MAX; n++) {
		points_store_fault_arm(f, n, persistent);
		rc = points_open_store(f, &o, &d);
		points_store_fault_arm(f, 0, 0);
		if (rc == POINTS_OK)
			break;
		ck_assert_msg(rc == POINTS_ESTORAGE, "upgrade, fault at %lld: "
		    "%d (%s)", (long long)n, rc, points_errmsg(d));
		points_close(d);
		d = NULL;
		after = tu_store_dump(s, &al);
		ck_assert_msg(al == bl && memcmp(after, before, bl) == 0,
		    "a failed upgrade (fault at %lld) changed the ledger",
		    (long long)n);
		free(after);
	}
	ck_assert_int_gt(n, 10);
	db = d;
	upgraded_as_wanted(d, want, wl);
	points_close(d);
	db = NULL;
	points_store_close(f);
	points_store_close(s);
	free(want);
	free(before);
}
END_TEST

START_TEST(test_upgrade_survives_out_of_memory)
{
	points_open_options o = fx_options();
	points_store *s;
	points_db *d = NULL;
	char *want, *before, *after;
	size_t wl, bl, al;
	long n;
	int rc;

	tu_alloc_install();
	s = format_1_ledger(&want, &wl);
	before = tu_store_dump(s, &bl);
	for (n = 1; n < FAULT_MAX; n++) {
		tu_alloc_fail_at(n);
		rc = points_open_store(s, &o, &d);
		tu_alloc_fail_at(0);
		if (rc == POINTS_OK)
			break;
		ck_assert_msg(rc == POINTS_ENOMEM, "upgrade, allocation %ld "
		    "failed: %d (%s)", n, rc, d ? points_errmsg(d) : "");
		points_close(d);
		d = NULL;
		after = tu_store_dump(s, &al);
		ck_assert_msg(al == bl && memcmp(after, before, bl) == 0,
		    "a failed upgrade (allocation %ld) changed the ledger", n);
		free(after);
	}
	ck_assert_int_lt(n, FAULT_MAX);
	db = d;
	upgraded_as_wanted(d, want, wl);
	points_close(d);
	db = NULL;
	points_store_close(s);
	free(want);
	free(before);
	tu_alloc_uninstall();
}
END_TEST

/* ---- Out of memory ---- */

START_TEST(test_write_operation_survives_out_of_memory)
{
	fault_loop(&alloc_faults, 0, &write_ops[_i], 0, 1);
}
END_TEST

START_TEST(test_big_batch_rolls_back_node_splits_on_out_of_memory)
{
	big_setup();
	fault_loop(&alloc_faults, 0, &big_batch_op, 0, 1);
}
END_TEST

START_TEST(test_read_operation_survives_out_of_memory)
{
	const read_op *op = &read_ops[_i];
	char *base = calloc(1, RBUF), *got = calloc(1, RBUF);
	long n;
	int rc;

	ck_assert(base && got);
	ck_assert_int_eq(op->run(base, RBUF), POINTS_OK);
	for (n = 1;; n = tu_fault_next(n, 1)) {
		char *before;
		size_t bl;
		long count;

		ck_assert_msg(n < FAULT_MAX, "%s: still failing", op->name);
		tu_alloc_fail_at(0);
		before = tu_dump(db, &bl);
		tu_alloc_fail_at(n);
		got[0] = '\0';
		rc = op->run(got, RBUF);
		count = tu_alloc_count();
		tu_alloc_fail_at(0);
		if (rc == POINTS_OK) {
			ck_assert_msg(count < n, "%s succeeded although "
			    "allocation %ld failed", op->name, n);
			ck_assert_str_eq(got, base);
			free(before);
			break;
		}
		ck_assert_msg(rc == POINTS_ENOMEM, "%s, allocation %ld failed: "
		    "%d (%s)", op->name, n, rc, points_errmsg(db));
		assert_unchanged(before, bl, op->name, n, 0);
		free(before);
		ck_assert_int_eq(op->run(got, RBUF), POINTS_OK);
		ck_assert_str_eq(got, base);
	}
	free(base);
	free(got);
}
END_TEST

/* Retry one call of a script with allocation 1, 2, ... failing until it
 * succeeds; each failure must be ENOMEM and leave the ledger as it was. */
#define OOM_STEP(call) do { \
	long n_, c_; \
	int rc_; \
	for (n_ = 1;; n_ = (long)tu_fault_next(n_, 1)) { \
		char *b_; \
		size_t bl_; \
		ck_assert_int_lt(n_, FAULT_MAX); \
		tu_alloc_fail_at(0); \
		b_ = tu_dump(db, &bl_); \
		tu_alloc_fail_at(n_); \
		rc_ = (call); \
		c_ = tu_alloc_count(); \
		tu_alloc_fail_at(0); \
		if (rc_ == POINTS_OK) { \
			ck_assert_msg(c_ < n_, "%s succeeded although " \
			    "allocation %ld failed", #call, n_); \
			free(b_); \
			break; \
		} \
		ck_assert_msg(rc_ == POINTS_ENOMEM, "%s, allocation %ld " \
		    "failed: %d (%s)", #call, n_, rc_, points_errmsg(db)); \
		assert_unchanged(b_, bl_, #call, n_, 0); \
		free(b_); \
	} \
} while (0)

/* A new ledger filled call by call, each under the OOM loop: the first
 * key of every keyspace, the first growth of every table and the first
 * splits all meet a failing allocation. */
START_TEST(test_new_ledger_built_under_out_of_memory)
{
	points_open_options o = fx_options();
	points_posting p;
	points_txn t;
	int64_t ids[NBIG];
	char ext[16];
	int i;

	tu_alloc_install();
	ck_assert_int_eq(points_open("memory:", &o, &db), POINTS_OK);
	tu_now = TU_T0;
	OOM_STEP(points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER, 0));
	OOM_STEP(points_asset_create(db, "EXP", 0, POINTS_EXPIRE_DAYS, 365));
	for (i = 0; i < NBIG; i++) {
		snprintf(ext, sizeof(ext), "N%03d", i);
		OOM_STEP(points_account_create(db, ext, NULL, 0, &ids[i]));
		OOM_STEP(points_account_attr_set(db, ids[i], "k", ext));
	}
	for (i = 0; i < NBIG; i++) {
		tu_now = TU_T0 + (i % 5) * TU_DAY;
		OOM_STEP(tu_earn(db, ids[i], "EXP", 10 + i, NULL));
		OOM_STEP(tu_earn(db, ids[i], "PTS", 10 + i, NULL));
	}
	for (i = 0; i < NBIG; i += 3) {
		OOM_STEP(tu_spend(db, ids[i], "EXP", 5, NULL));
		p = tu_posting("PTS", ids[i], 7);
		p.expires_at = tu_now + TU_DAY;
		OOM_STEP(points_hold_create(db, &p, &t));
		p = tu_posting("EXP", ids[i], 2);
		p.counterparty = ids[(i + 1) % NBIG];
		OOM_STEP(points_transfer(db, &p, &t));
	}
	OOM_STEP(points_expire_sweep_asset(db, NULL, TU_T0 + 400 * TU_DAY,
	    POINTS_SWEEP_FUTURE, &repo));
	ck_assert_int_eq(repo.holds, (NBIG + 2) / 3);
	for (i = 0; i < NBIG; i++) {
		ck_assert_int_eq(tu_available(db, ids[i], "EXP"), 0);
		ck_assert_int_eq(tu_available(db, ids[i], "PTS"), 10 + i);
		ck_assert_int_eq(held(ids[i], "PTS"), 0);
	}
	tu_invariants(db);
	points_close(db);
	db = NULL;
	tu_alloc_uninstall();
}
END_TEST

static int
open_ok_and_usable(points_db *d)
{
	int64_t id = 0;

	ck_assert_int_eq(points_asset_create(d, "PTS", 0, POINTS_EXPIRE_NEVER,
	    0), POINTS_OK);
	ck_assert_int_eq(points_account_create(d, "X1", NULL, 0, &id),
	    POINTS_OK);
	ck_assert_int_eq(tu_earn(d, id, "PTS", 5, NULL), POINTS_OK);
	return POINTS_OK;
}

static void
open_oom_loop(const char *uri)
{
	points_open_options o = fx_options();
	points_db *d = NULL;
	long n;
	int rc;

	for (n = 1; n < FAULT_MAX; n++) {
		d = NULL;
		tu_alloc_fail_at(n);
		rc = points_open(uri, &o, &d);
		tu_alloc_fail_at(0);
		if (rc == POINTS_OK)
			break;
		ck_assert_msg(rc == POINTS_ENOMEM, "open %s, allocation %ld "
		    "failed: %d (%s)", uri, n, rc, d ? points_errmsg(d) : "");
		if (d) {
			ck_assert_int_eq(points_errcode(d), POINTS_ENOMEM);
			ck_assert_ptr_nonnull(points_errmsg(d));
			ck_assert_int_eq(tu_earn(d, 4, "PTS", 1, NULL),
			    POINTS_EMISUSE);
		}
		points_close(d); /* NULL or the failed handle */
	}
	ck_assert_int_lt(n, FAULT_MAX);
	db = d;
	open_ok_and_usable(d);
	tu_invariants(d);
	points_close(d);
	db = NULL;
}

START_TEST(test_open_memory_survives_out_of_memory)
{
	tu_alloc_install();
	open_oom_loop("memory:");
	tu_alloc_uninstall();
}
END_TEST

START_TEST(test_open_sqlite_survives_out_of_memory)
{
	points_open_options o = fx_options();
	const char *uri = tu_sqlite_uri();
	points_db *d = NULL;

	tu_alloc_install();
	open_oom_loop(uri);
	/* the file holds exactly what the successful open and the checks
	 * made */
	ck_assert_int_eq(points_open(uri, &o, &d), POINTS_OK);
	db = d;
	tu_invariants(d);
	ck_assert_int_eq(tu_available(d, tu_first_user(), "PTS"), 5);
	points_close(d);
	db = NULL;
	tu_alloc_uninstall();
	tu_cleanup();
}
END_TEST

static Suite *
fault_suite(void)
{
	Suite *s = suite_create("fault");
	TCase *tc;

	tc = tcase_create("store_faults");
	tcase_add_checked_fixture(tc, setup_memory, teardown);
	tcase_add_loop_test(tc, test_write_operation_survives_store_faults, 0,
	    2 * NWRITE);
	tcase_add_loop_test(tc,
	    test_batch_commits_exactly_the_earns_that_succeeded, 0, 2);
	tcase_add_loop_test(tc,
	    test_big_batch_rolls_back_node_splits_on_store_faults, 0, 2);
	tcase_add_test(tc, test_failed_batch_forgets_the_assets_it_made);
	tcase_add_test(tc, test_rolled_back_batch_forgets_the_assets_it_made);
	tcase_add_loop_test(tc,
	    test_failed_operation_leaves_its_output_unwritten, 0, NOUT);
	tcase_add_loop_test(tc,
	    test_read_operation_fails_cleanly_under_store_faults, 0,
	    2 * NREAD);
	tcase_add_loop_test(tc, test_iterator_step_resumes_after_a_fault, 0,
	    NITER);
	suite_add_tcase(s, tc);

	/* The same over a store of version 1 (no get_many, no errmsg). */
	tc = tcase_create("v1_store_faults");
	tcase_add_checked_fixture(tc, setup_v1, teardown);
	tcase_add_loop_test(tc, test_write_operation_survives_store_faults, 0,
	    2 * NWRITE);
	suite_add_tcase(s, tc);

	tc = tcase_create("open_faults");
	tcase_add_loop_test(tc, test_open_store_survives_store_faults, 0, 2);
	tcase_add_loop_test(tc, test_upgrade_survives_store_faults, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("sqlite_faults");
	tcase_add_checked_fixture(tc, setup_sqlite, teardown);
	tcase_add_loop_test(tc,
	    test_write_operation_survives_sqlite_store_faults, 0, 2 * NWRITE);
	tcase_add_loop_test(tc,
	    test_batch_commits_exactly_the_earns_that_succeeded, 0, 2);
	tcase_add_loop_test(tc,
	    test_read_operation_fails_cleanly_under_store_faults, 0,
	    2 * NREAD);
	suite_add_tcase(s, tc);

	/* Inside a batch: op1, the operation failing, op3, commit. */
	tc = tcase_create("batch_faults");
	tcase_add_checked_fixture(tc, setup_memory, teardown);
	tcase_add_loop_test(tc,
	    test_failed_operation_in_batch_undoes_only_itself, 0,
	    2 * NSINGLE);
	tcase_add_loop_test(tc,
	    test_chunked_sweep_in_batch_undoes_only_itself, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("batch_sqlite_faults");
	tcase_add_checked_fixture(tc, setup_sqlite, teardown);
	tcase_add_loop_test(tc,
	    test_failed_operation_in_batch_undoes_only_itself, 0,
	    2 * NSINGLE);
	tcase_add_loop_test(tc,
	    test_chunked_sweep_in_batch_undoes_only_itself, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("batch_out_of_memory");
	tcase_add_checked_fixture(tc, setup_oom, teardown);
	tcase_add_loop_test(tc,
	    test_failed_operation_in_batch_survives_out_of_memory, 0,
	    NSINGLE);
	suite_add_tcase(s, tc);

	/* Stores of version 2 (no savepoints): the fallback. */
	tc = tcase_create("batch_v2_faults");
	tcase_add_checked_fixture(tc, setup_v2, teardown);
	tcase_add_loop_test(tc, test_store_without_savepoints_loses_the_batch,
	    0, NSINGLE);
	tcase_add_loop_test(tc,
	    test_batch_commits_exactly_the_earns_that_succeeded, 0, 2);
	suite_add_tcase(s, tc);

	tc = tcase_create("batch_v2_sqlite_faults");
	tcase_add_checked_fixture(tc, setup_v2_sqlite, teardown);
	tcase_add_loop_test(tc, test_store_without_savepoints_loses_the_batch,
	    0, NSINGLE);
	suite_add_tcase(s, tc);

	tc = tcase_create("out_of_memory");
	tcase_add_checked_fixture(tc, setup_oom, teardown);
	tcase_add_loop_test(tc, test_write_operation_survives_out_of_memory,
	    0, NWRITE);
	tcase_add_test(tc,
	    test_big_batch_rolls_back_node_splits_on_out_of_memory);
	tcase_add_loop_test(tc, test_read_operation_survives_out_of_memory, 0,
	    NREAD);
	suite_add_tcase(s, tc);

	tc = tcase_create("open_out_of_memory");
	tcase_add_test(tc, test_open_memory_survives_out_of_memory);
	tcase_add_test(tc, test_new_ledger_built_under_out_of_memory);
	tcase_add_test(tc, test_open_sqlite_survives_out_of_memory);
	tcase_add_test(tc, test_upgrade_survives_out_of_memory);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(fault_suite());
}
