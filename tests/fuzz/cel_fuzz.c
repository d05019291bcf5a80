/* cel_fuzz.c - a libFuzzer target for the rule language (lib/rules/cel.h):
 * each input is an expression (up to POINTS_EXPR_MAX bytes, cut at a
 * NUL), compiled once against event and account with their fields
 * known, as rules are, and once without; what compiles is evaluated
 * over a fixed activation (an event with line items, an account, UTC+8)
 * twice.  Besides what the sanitizers see, it aborts when:
 *   - a compile error's message is not "col N: ..." or "out of memory";
 *   - an evaluation allocates, or returns other than POINTS_OK;
 *   - the two evaluations give different values;
 *   - a value reaches memory outside its scratch, program or activation
 *     (every byte of the result is read: the sanitizers watch).
 * Built by `make fuzz-cel` (clang -fsanitize=fuzzer,address,undefined),
 * which runs it FUZZ_SECONDS over tests/fuzz/corpus/cel. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "points.h"
#include "rules/cel.h"

#define MAX_SRC 4096

static const char *const names[] = { "event", "account" };

static const points_cel_field event_fields[] = {
	{ "id", POINTS_CEL_STRING, NULL },
	{ "type", POINTS_CEL_STRING, NULL },
	{ "account", POINTS_CEL_INT, NULL },
	{ "time", POINTS_CEL_INT, NULL },
	{ "amount", POINTS_CEL_INT, NULL },
	{ "attrs", POINTS_CEL_MAP, NULL },
	{ NULL, POINTS_CEL_NULL, NULL }
};
static const points_cel_field account_fields[] = {
	{ "id", POINTS_CEL_INT, NULL },
	{ "tier", POINTS_CEL_STRING, NULL },
	{ "birth_month", POINTS_CEL_INT, NULL },
	{ "attrs", POINTS_CEL_MAP, NULL },
	{ NULL, POINTS_CEL_NULL, NULL }
};
static const points_cel_field types[] = {
	{ "event", POINTS_CEL_MAP, event_fields },
	{ "account", POINTS_CEL_MAP, account_fields },
};
static const points_cel_decls typed = { names, 2, types };
static const points_cel_decls untyped = { names, 2, NULL };

static points_cel_entry line_ents[3][3], attr_ents[3], ev_ents[6],
    acct_ents[4];
static points_cel_value lines[3], tags[2], vars[2];
static points_cel_scratch scratch[2];
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
map_of(points_cel_entry *e, size_t n)
{
	points_cel_value v;

	memset(&v, 0, sizeof(v));
	v.type = POINTS_CEL_MAP;
	v.u.map.e = e;
	v.u.map.n = n;
	return v;
}

static points_cel_value
list_of(points_cel_value *l, size_t n)
{
	points_cel_value v;

	memset(&v, 0, sizeof(v));
	v.type = POINTS_CEL_LIST;
	v.u.list.v = l;
	v.u.list.n = n;
	return v;
}

static void
entry(points_cel_entry *e, const char *k, points_cel_value v)
{
	e->key = points_cel__str(k);
	e->value = v;
}

static void
setup(void)
{
	static const char *const coll[3] = { "new", "basic", "new" };
	static const int64_t amount[3] = { 12900, 9900, 499 };
	static const char *const sku[3] = { "T1", "B2", "T3" };
	int i;

	for (i = 0; i < 3; i++) {
		entry(&line_ents[i][0], "sku", points_cel__str(sku[i]));
		entry(&line_ents[i][1], "collection", points_cel__str(coll[i]));
		entry(&line_ents[i][2], "amount", points_cel__int(amount[i]));
		lines[i] = map_of(line_ents[i], 3);
	}
	tags[0] = points_cel__str("new");
	tags[1] = points_cel__str("sale");
	entry(&attr_ents[0], "lines", list_of(lines, 3));
	entry(&attr_ents[1], "tags", list_of(tags, 2));
	entry(&attr_ents[2], "channel", points_cel__str("app"));
	entry(&ev_ents[0], "id", points_cel__str("order-1001"));
	entry(&ev_ents[1], "type", points_cel__str("purchase"));
	entry(&ev_ents[2], "account", points_cel__int(7));
	entry(&ev_ents[3], "time", points_cel__int(1735689599));
	entry(&ev_ents[4], "amount", points_cel__int(23299));
	entry(&ev_ents[5], "attrs", map_of(attr_ents, 3));
	entry(&acct_ents[0], "id", points_cel__int(7));
	entry(&acct_ents[1], "tier", points_cel__str("gold"));
	entry(&acct_ents[2], "birth_month", points_cel__int(1));
	entry(&acct_ents[3], "attrs", map_of(NULL, 0));
	vars[0] = map_of(ev_ents, 6);
	vars[1] = map_of(acct_ents, 4);
	points_set_allocator(count_malloc, count_realloc, free);
}

/* Read every byte v reaches; its size in values. */
static size_t
touch(const points_cel_value *v, int depth)
{
	volatile char sink = 0;
	size_t i, n = 1;

	if (depth > 2 * POINTS_CEL_MAX_DEPTH + 8)
		abort(); /* deeper than anything a program builds */
	switch (v->type) {
	case POINTS_CEL_STRING:
		for (i = 0; i < v->u.s.n; i++)
			sink ^= v->u.s.p[i];
		break;
	case POINTS_CEL_ERROR:
		n += strlen(v->u.err);
		break;
	case POINTS_CEL_LIST:
		for (i = 0; i < v->u.list.n; i++)
			n += touch(&v->u.list.v[i], depth + 1);
		break;
	case POINTS_CEL_MAP:
		for (i = 0; i < v->u.map.n; i++) {
			n += touch(&v->u.map.e[i].key, depth + 1);
			n += touch(&v->u.map.e[i].value, depth + 1);
		}
		break;
	case POINTS_CEL_NULL:
	case POINTS_CEL_BOOL:
	case POINTS_CEL_INT:
		break;
	default:
		abort();
	}
	(void)sink;
	return n;
}

static void
run(const char *src, const points_cel_decls *d)
{
	points_cel_activation a = { vars, 2, 8 * 3600 };
	points_cel_prog *p = NULL;
	points_cel_value v[2];
	char err[200];
	long before;
	int rc, k;

	rc = points_cel__compile(src, d, &p, err, sizeof(err));
	if (rc != POINTS_OK) {
		if (p || (rc != POINTS_EINVAL && rc != POINTS_ENOMEM) ||
		    (rc == POINTS_EINVAL && strncmp(err, "col ", 4)))
			abort();
		return;
	}
	for (k = 0; k < 2; k++) {
		before = allocations;
		if (points_cel__eval(p, &a, &scratch[k], &v[k]) != POINTS_OK)
			abort();
		if (allocations != before)
			abort();
		touch(&v[k], 0);
	}
	if (v[0].type != v[1].type)
		abort();
	if (v[0].type == POINTS_CEL_ERROR ? strcmp(v[0].u.err, v[1].u.err) :
	    points_cel__equal(&v[0], &v[1]) == 0)
		abort();
	points_cel__free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	char src[MAX_SRC + 1];

	if (!ready) {
		setup();
		ready = 1;
	}
	if (size > MAX_SRC)
		size = MAX_SRC;
	memcpy(src, data, size);
	src[size] = '\0';
	run(src, &typed);
	run(src, &untyped);
	return 0;
}
