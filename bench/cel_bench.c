/* cel_bench.c - the rule language's evaluation speed (issue 18):
 * nanoseconds per evaluation of five representative rules of the issue
 * (a tier condition, a formula, a referral, line items, a birthday
 * month), each compiled once and evaluated --evals times over one
 * activation (an event of three line items, a gold account, UTC+8), and
 * the allocations the evaluations made, counted by an allocator hook
 * (points_set_allocator): there must be none.  Prints a table, and with
 * --tsv one line a rule (name, ns, allocations, value, expression) for
 * bench/cel_bench.mjs, which runs it rule by rule (--rule NAME) in turn
 * with @bufbuild/cel on Node evaluating the same expressions, and prints
 * both side by side (make bench-cel). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "points.h"
#include "rules/cel.h"

static const struct {
	const char *name;
	const char *expr;
} rules[] = {
	{ "tier", "event.amount >= 100 && account.tier in [\"silver\", \"gold\"]" },
	{ "formula", "event.amount / 5 * 2" },
	{ "referral", "has(event.attrs.referrer) ? 50 : 0" },
	{ "lines", "sum(event.attrs.lines.map(l, l.collection == \"new\" ? "
	    "l.amount / 500 : l.amount / 1000))" },
	{ "birthday", "has(account.birth_month) && "
	    "month(event.time) == account.birth_month" },
};
#define NRULES (sizeof(rules) / sizeof(rules[0]))

static long allocations;

static void *
count_malloc(size_t n)
{
	allocations++;
	return malloc(n);
}

static void *
count_realloc(void *p, size_t n)
{
	allocations++;
	return realloc(p, n);
}

static points_cel_value
map_of(const points_cel_entry *e, size_t n)
{
	points_cel_value v;

	memset(&v, 0, sizeof(v));
	v.type = POINTS_CEL_MAP;
	v.u.map.e = e;
	v.u.map.n = n;
	return v;
}

static void
entry(points_cel_entry *e, const char *k, points_cel_value v)
{
	e->key = points_cel__str(k);
	e->value = v;
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* v as text, into buf. */
static const char *
value_text(const points_cel_value *v, char *buf, size_t cap)
{
	switch (v->type) {
	case POINTS_CEL_INT:
		snprintf(buf, cap, "%" PRId64, v->u.i);
		break;
	case POINTS_CEL_BOOL:
		snprintf(buf, cap, "%s", v->u.b ? "true" : "false");
		break;
	case POINTS_CEL_ERROR:
		snprintf(buf, cap, "error: %s", v->u.err);
		break;
	default:
		snprintf(buf, cap, "(type %d)", (int)v->type);
		break;
	}
	return buf;
}

int
main(int argc, char **argv)
{
	static const char *const names[] = { "event", "account" };
	static const char *const coll[3] = { "new", "basic", "new" };
	static const int64_t amount[3] = { 12900, 9900, 499 };
	static const char *const sku[3] = { "T1", "B2", "T3" };
	static points_cel_scratch scratch;
	points_cel_entry line_ents[3][3], attr_ents[2], ev[6], acct[4];
	points_cel_value lines[3], vars[2], v;
	/* declared as rules have them (lib/rules/rule.c), in the order of
	 * the activation's entries (lib/rules/event.c) */
	static const points_cel_field ev_fields[] = {
		{ "id", POINTS_CEL_STRING, NULL },
		{ "type", POINTS_CEL_STRING, NULL },
		{ "account", POINTS_CEL_INT, NULL },
		{ "time", POINTS_CEL_INT, NULL },
		{ "amount", POINTS_CEL_INT, NULL },
		{ "attrs", POINTS_CEL_MAP, NULL },
		{ NULL, POINTS_CEL_NULL, NULL }
	};
	static const points_cel_field acct_fields[] = {
		{ "id", POINTS_CEL_INT, NULL },
		{ "tier", POINTS_CEL_STRING, NULL },
		{ "birth_month", POINTS_CEL_INT, NULL },
		{ "attrs", POINTS_CEL_MAP, NULL },
		{ NULL, POINTS_CEL_NULL, NULL }
	};
	static const points_cel_field types[] = {
		{ "event", POINTS_CEL_MAP, ev_fields },
		{ "account", POINTS_CEL_MAP, acct_fields },
	};
	points_cel_decls decls = { names, 2, types };
	points_cel_activation act = { vars, 2, 8 * 3600 };
	const char *only = NULL;
	long evals = 2000000;
	int tsv = 0, i;
	size_t k;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--evals") && i + 1 < argc)
			evals = atol(argv[++i]);
		else if (!strcmp(argv[i], "--tsv"))
			tsv = 1;
		else if (!strcmp(argv[i], "--rule") && i + 1 < argc)
			only = argv[++i];
		else {
			fprintf(stderr, "usage: %s [--evals N] [--rule NAME] "
			    "[--tsv]\n",
			    argv[0]);
			return 2;
		}
	}
	for (i = 0; i < 3; i++) {
		entry(&line_ents[i][0], "sku", points_cel__str(sku[i]));
		entry(&line_ents[i][1], "collection", points_cel__str(coll[i]));
		entry(&line_ents[i][2], "amount", points_cel__int(amount[i]));
		lines[i] = map_of(line_ents[i], 3);
	}
	memset(&v, 0, sizeof(v));
	v.type = POINTS_CEL_LIST;
	v.u.list.v = lines;
	v.u.list.n = 3;
	entry(&attr_ents[0], "channel", points_cel__str("app"));
	entry(&attr_ents[1], "lines", v);
	entry(&ev[0], "id", points_cel__str("order-1001"));
	entry(&ev[1], "type", points_cel__str("purchase"));
	entry(&ev[2], "account", points_cel__int(7));
	entry(&ev[3], "time", points_cel__int(1735689599));
	entry(&ev[4], "amount", points_cel__int(23299));
	entry(&ev[5], "attrs", map_of(attr_ents, 2));
	entry(&acct[0], "id", points_cel__int(7));
	entry(&acct[1], "tier", points_cel__str("gold"));
	entry(&acct[2], "birth_month", points_cel__int(1));
	entry(&acct[3], "attrs", map_of(NULL, 0));
	vars[0] = map_of(ev, 6);
	vars[1] = map_of(acct, 4);

	if (!tsv)
		printf("%-9s %10s %8s  %-8s %s\n", "rule", "ns/eval", "allocs",
		    "value", "expression");
	for (k = 0; k < NRULES; k++) {
		points_cel_prog *p = NULL;
		char err[200], buf[64];
		double t0, t1;
		long n, allocs;

		if (only && strcmp(only, rules[k].name))
			continue;
		if (points_cel__compile(rules[k].expr, &decls, &p, err,
		    sizeof(err)) != POINTS_OK) {
			fprintf(stderr, "%s: %s\n", rules[k].name, err);
			return 1;
		}
		/* warm up, then count the allocations of the timed loop */
		for (n = 0; n < evals / 10; n++)
			points_cel__eval(p, &act, &scratch, &v);
		points_set_allocator(count_malloc, count_realloc, free);
		allocations = 0;
		t0 = now_ns();
		for (n = 0; n < evals; n++)
			if (points_cel__eval(p, &act, &scratch, &v) != POINTS_OK)
				return 1;
		t1 = now_ns();
		allocs = allocations;
		points_set_allocator(NULL, NULL, NULL);
		printf(tsv ? "%s\t%.1f\t%ld\t%s\t%s\n" :
		    "%-9s %10.1f %8ld  %-8s %s\n", rules[k].name,
		    (t1 - t0) / (double)evals, allocs,
		    value_text(&v, buf, sizeof(buf)), rules[k].expr);
		points_cel__free(p);
		if (allocs) {
			fprintf(stderr, "%s: %ld allocations in %ld "
			    "evaluations\n", rules[k].name, allocs, evals);
			return 1;
		}
	}
	return 0;
}
