/*
 * welfare_mall.c - an employee of an HR welfare mall, from earning to a
 * delivered gift: a training course earns points through an earning
 * rule, she orders a thermos (the points held), the order is approved
 * (the points spent), shipped and delivered; a second order is cancelled
 * and its points come back; a third spends her yearly allowance first
 * and points for the rest; the warehouse reads the outbox.
 *
 *   cc welfare_mall.c $(pkg-config --cflags --libs points) -o welfare_mall
 *   ./welfare_mall [mall.db]        (an in-memory ledger without one)
 */
#include <stdio.h>
#include <stdlib.h>

#include <points.h>

#define DAY 86400

static int64_t now = 1735689600; /* 2025-01-01: a clock the demo moves */

static int64_t
demo_clock(void *ctx)
{
	(void)ctx;
	return now;
}

static void
check(points_db *db, int rc, const char *what)
{
	if (rc == POINTS_OK)
		return;
	fprintf(stderr, "%s: %s\n", what, points_errmsg(db));
	points_close(db);
	exit(1);
}

static int64_t
available(points_db *db, int64_t who)
{
	points_balance b;

	check(db, points_balance_get(db, who, "WELFARE", &b), "balance");
	return b.available;
}

int
main(int argc, char **argv)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_rule_def rule = POINTS_RULE_DEF_INIT;
	points_item_def item = POINTS_ITEM_DEF_INIT;
	points_event ev = POINTS_EVENT_INIT;
	points_order_req req = POINTS_ORDER_REQ_INIT;
	points_event_result *res;
	points_event_summary sum;
	points_outbox_event e;
	points_rule r;
	points_item it;
	points_order ord, other;
	points_db *db;
	int64_t mei, seen = 0;

	o.clock = demo_clock;
	if (points_open(argc > 1 ? argv[1] : "memory:", &o, &db) != POINTS_OK) {
		fprintf(stderr, "open: %s\n", points_errmsg(db));
		points_close(db);
		return 1;
	}
	check(db, points_asset_create(db, "WELFARE", 0, POINTS_EXPIRE_NEVER,
	    0), "asset");
	check(db, points_account_create(db, "E2024", "Mei", 0, &mei),
	    "account");

	/* HR's rule: 50 points a training day */
	rule.name = "training";
	rule.event_type = "course";
	rule.points = "event.attrs.days * 50";
	rule.asset = "WELFARE";
	rule.state = POINTS_RULE_ACTIVE;
	rule.author = "hr";
	check(db, points_rule_save(db, &rule, &r), "rule");
	ev.id = "course-2025-014";
	ev.type = "course";
	ev.account = mei;
	ev.attrs = "{\"days\": 4}";
	check(db, points_event_apply(db, &ev, &res), "event");
	points_event_result_summary(res, &sum);
	points_event_result_free(res);
	printf("Mei earns %lld points for a 4-day course\n",
	    (long long)sum.points);

	/* the mall's thermos: 100 points, low stock at 5 */
	item.sku = "THERMOS";
	item.name = "Custom thermos, 500 ml";
	item.category = "physical/kitchen";
	item.asset = "WELFARE";
	item.price = 100;
	item.stock = 6;
	item.low_stock = 5;
	item.order_limit = 2;
	item.actor = "welfare-office";
	check(db, points_item_create(db, &item, &it), "item");

	now += DAY;
	req.account = mei;
	req.sku = "THERMOS";
	req.note = "Building B, desk 12";
	req.idempotency_key = "cart-mei-1";
	check(db, points_order_place(db, &req, &ord), "order");
	printf("order %s: %lld points held, %lld available\n", ord.id,
	    (long long)ord.amount, (long long)available(db, mei));
	/* a double click: the same order */
	check(db, points_order_place(db, &req, &other), "order again");
	printf("the same key again: %s (replayed %d)\n", other.id,
	    other.replayed);

	check(db, points_order_approve(db, ord.id, "welfare-office", NULL,
	    &ord), "approve");
	check(db, points_order_ship(db, ord.id, "SF Express", "SF1234567",
	    "warehouse", NULL, &ord), "ship");
	now += 2 * DAY;
	check(db, points_order_deliver(db, ord.id, "courier", NULL, &ord),
	    "deliver");
	printf("delivered; %lld points left\n", (long long)available(db, mei));

	/* a second order, cancelled before shipping: the points come back */
	req.idempotency_key = "cart-mei-2";
	req.note = NULL;
	check(db, points_order_place(db, &req, &other), "second order");
	check(db, points_order_cancel(db, other.id, "E2024", "ordered twice",
	    &other), "cancel");
	printf("second order cancelled; %lld points available again\n",
	    (long long)available(db, mei));

	/* her yearly allowance (an asset of its own, 1:1 in prices) pays
	 * first, the points the rest: two holds, approved together */
	check(db, points_asset_create(db, "ALLOWANCE", 0, POINTS_EXPIRE_NEVER,
	    0), "allowance asset");
	{
		points_posting p = POINTS_POSTING_INIT;
		points_txn t;

		p.asset = "ALLOWANCE";
		p.account = mei;
		p.amount = 60;
		p.memo = "2025 welfare allowance";
		check(db, points_earn(db, &p, &t), "allowance");
	}
	req.idempotency_key = "cart-mei-3";
	req.allowance = "ALLOWANCE";
	check(db, points_order_place(db, &req, &other), "third order");
	check(db, points_order_approve(db, other.id, "welfare-office", NULL,
	    &other), "approve third");
	printf("third order: %lld of the allowance + %lld points; %lld "
	    "points left\n", (long long)other.allowance_amount,
	    (long long)other.amount, (long long)available(db, mei));

	/* what the warehouse and the notifier read */
	while (points_outbox_next(db, seen, &e) == POINTS_OK) {
		printf("outbox %lld %s %s\n", (long long)e.seq, e.kind, e.data);
		seen = e.seq;
	}
	check(db, points_item_get(db, "THERMOS", &it), "item");
	printf("THERMOS: %lld in stock, %lld orders, %lld points taken\n",
	    (long long)it.stock, (long long)it.orders, (long long)it.points);
	points_close(db);
	return 0;
}
