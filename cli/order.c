/*
 * order.c - points order list|show: the mall's orders and their
 * changes of state (points_order_get(3)); the host places and moves
 * them, the tool reads them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *const states[] = { "submitted", "approved", "shipped",
    "delivered", "cancelled", "returned", "exchanging" };
#define NSTATES ((int)(sizeof(states) / sizeof(states[0])))

static const char *
order_state(int s)
{
	return s >= 0 && s < NSTATES ? states[s] : "?";
}

static void
print_order(cli *c, const points_order *o)
{
	char tb[32], ub[32], acc[POINTS_EXTID_MAX + 1];

	ext_id(c, o->account, acc);
	if (!c->json) {
		printf("%s %-10s %-20s %s x%" PRId64 " %" PRId64 " %s\n", o->id,
		    order_state(o->state), acc, o->sku, o->quantity, o->amount,
		    o->asset);
		return;
	}
	printf("{\"id\":\"%s\",\"account\":", o->id);
	json_str(acc);
	fputs(",\"sku\":", stdout);
	json_str(o->sku);
	fputs(",\"asset\":", stdout);
	json_str(o->asset);
	printf(",\"quantity\":%" PRId64 ",\"unit_price\":%" PRId64
	    ",\"amount\":%" PRId64 ",\"cash\":%" PRId64 ",\"state\":\"%s\","
	    "\"created\":\"%s\",\"updated\":\"%s\",\"carrier\":", o->quantity,
	    o->unit_price, o->amount, o->cash, order_state(o->state),
	    iso_time(o->created, tb), iso_time(o->updated, ub));
	json_str(o->carrier);
	fputs(",\"tracking\":", stdout);
	json_str(o->tracking);
	fputs(",\"note\":", stdout);
	json_str(o->note);
	printf(",\"changes\":%" PRId64 "}", o->changes);
}

/* order list [--account ID] [--state STATE] [--sku SKU]: oldest first. */
int
cmd_order_list(cli *c)
{
	points_order_iterator *it;
	points_account a;
	points_order o;
	int rc, state = -1, n = 0;

	if (need_args(c, 0, "order list [--account ID] [--state STATE] "
	    "[--sku SKU]"))
		return EX_USAGE;
	if (c->state) {
		for (state = 0; state < NSTATES; state++)
			if (strcmp(c->state, states[state]) == 0)
				break;
		if (state == NSTATES)
			return usage("--state: not an order state (submitted, "
			    "approved, shipped, delivered, cancelled, returned, "
			    "exchanging): %s", c->state);
	}
	a.id = 0;
	if (c->account && (rc = find_account(c, c->account, &a)) != EX_OK)
		return rc;
	rc = points_order_iterator_new(c->db, a.id, state, c->sku, &it);
	if (rc != POINTS_OK)
		return fail(c, "order list", rc);
	if (c->json)
		putchar('[');
	while ((rc = points_order_next(it, &o)) == POINTS_OK) {
		if (c->json && n++)
			putchar(',');
		print_order(c, &o);
	}
	points_order_iterator_free(it);
	if (c->json)
		puts("]");
	return rc == POINTS_ITEROVER ? EX_OK : fail(c, "order list", rc);
}

/* order show ORDER_ID: the order and its changes of state (JSON: an
 * object with the keys order and history). */
int
cmd_order_show(cli *c)
{
	points_order_history_iterator *it;
	points_order_change ch;
	points_order o;
	int rc, n = 0;

	if (need_args(c, 1, "order show ORDER_ID"))
		return EX_USAGE;
	if ((rc = points_order_get(c->db, c->pos[0], &o)) != POINTS_OK)
		return fail(c, c->pos[0], rc);
	rc = points_order_history_iterator_new(c->db, o.id, &it);
	if (rc != POINTS_OK)
		return fail(c, c->pos[0], rc);
	if (c->json)
		fputs("{\"order\":", stdout);
	print_order(c, &o);
	if (c->json)
		fputs(",\"history\":[", stdout);
	while ((rc = points_order_history_next(it, &ch)) == POINTS_OK) {
		char tb[32];

		iso_time(ch.time, tb);
		if (!c->json) {
			printf("  %s %s -> %s%s%s%s%s\n", tb,
			    ch.from_state < 0 ? "placed" :
			    order_state(ch.from_state), order_state(ch.to_state),
			    ch.actor[0] ? " by " : "", ch.actor,
			    ch.reason[0] ? ": " : "", ch.reason);
			continue;
		}
		printf("%s{\"time\":\"%s\",\"from\":", n++ ? "," : "", tb);
		if (ch.from_state < 0)
			fputs("null", stdout);
		else
			printf("\"%s\"", order_state(ch.from_state));
		printf(",\"to\":\"%s\",\"actor\":", order_state(ch.to_state));
		json_str(ch.actor);
		fputs(",\"reason\":", stdout);
		json_str(ch.reason);
		putchar('}');
	}
	points_order_history_iterator_free(it);
	if (c->json)
		puts("]}");
	return rc == POINTS_ITEROVER ? EX_OK : fail(c, c->pos[0], rc);
}
