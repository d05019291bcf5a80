/* cel_eval.c - the rule language's evaluator: one pass over the flat
 * program (forward jumps, and a comprehension's jump back to the top of
 * its body, each pass counted against POINTS_CEL_MAX_STEPS), on a fixed
 * stack that also holds the comprehensions' state, allocating nothing.
 * Errors are values, as CEL's are: the first error a strict operation
 * meets is its result. */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "rules/cel.h"
#include "util/calendar.h"

/* How deep == descends into nested lists and maps. */
#define EQ_DEPTH 32

/* What the compiler (cel_parse.c) guarantees of a program it made: the
 * stack's depth is tracked exactly (emit), so an instruction always
 * finds the values it reads below the top; a variable is a declared
 * one; a comprehension's state is below its body's values.  Said here
 * so that the static analyzer, which cannot see the compiler, follows
 * no path where it does not hold.  It costs the build nothing (the
 * C compiler drops the test), and UBSan (SANITIZE=1, the fuzzers)
 * stops on any that fails. */
#define HOLDS(c) do { \
	if (!(c)) \
		__builtin_unreachable(); \
} while (0)
#define STACK_HOLDS(n) HOLDS(sp >= (size_t)(n))

points_cel_value
points_cel__int(int64_t i)
{
	points_cel_value v;

	memset(&v, 0, sizeof(v));
	v.type = POINTS_CEL_INT;
	v.u.i = i;
	return v;
}

points_cel_value
points_cel__bool(int b)
{
	points_cel_value v;

	memset(&v, 0, sizeof(v));
	v.type = POINTS_CEL_BOOL;
	v.u.b = b != 0;
	return v;
}

points_cel_value
points_cel__str(const char *s)
{
	points_cel_value v;

	memset(&v, 0, sizeof(v));
	v.type = POINTS_CEL_STRING;
	v.u.s.p = s;
	v.u.s.n = strlen(s);
	return v;
}

static points_cel_value
err(const char *msg)
{
	points_cel_value v;

	memset(&v, 0, sizeof(v));
	v.type = POINTS_CEL_ERROR;
	v.u.err = msg;
	return v;
}

/* An error whose message names something (a key, a function); written
 * into the scratch, or the bare message when the scratch is full. */
static points_cel_value
errf(points_cel_scratch *s, const char *fmt, const char *arg, size_t n,
    const char *bare)
{
	size_t room = sizeof(s->chars) - s->nchars;
	char *d = s->chars + s->nchars;
	int w;

	if (room < 32)
		return err(bare);
	w = snprintf(d, room, fmt, (int)(n > 64 ? 64 : n), arg);
	if (w < 0 || (size_t)w >= room)
		return err(bare);
	s->nchars += (size_t)w + 1;
	return err(d);
}

static const char *
type_name(const points_cel_value *v)
{
	switch (v->type) {
	case POINTS_CEL_NULL: return "null";
	case POINTS_CEL_BOOL: return "bool";
	case POINTS_CEL_INT: return "int";
	case POINTS_CEL_STRING: return "string";
	case POINTS_CEL_LIST: return "list";
	case POINTS_CEL_MAP: return "map";
	default: return "error";
	}
}

static points_cel_value
no_overload(points_cel_scratch *s, const char *op, const points_cel_value *a,
    const points_cel_value *b)
{
	char what[80];

	if (b)
		snprintf(what, sizeof(what), "%s(%s, %s)", op, type_name(a),
		    type_name(b));
	else
		snprintf(what, sizeof(what), "%s(%s)", op, type_name(a));
	return errf(s, "no such overload: %.*s", what, strlen(what),
	    "no such overload");
}

static int
equal(const points_cel_value *a, const points_cel_value *b, int depth)
{
	size_t i, j;
	int r;

	if (depth > EQ_DEPTH)
		return -1;
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case POINTS_CEL_NULL:
		return 1;
	case POINTS_CEL_BOOL:
		return a->u.b == b->u.b;
	case POINTS_CEL_INT:
		return a->u.i == b->u.i;
	case POINTS_CEL_STRING:
		return a->u.s.n == b->u.s.n &&
		    !memcmp(a->u.s.p, b->u.s.p, a->u.s.n);
	case POINTS_CEL_LIST:
		if (a->u.list.n != b->u.list.n)
			return 0;
		for (i = 0; i < a->u.list.n; i++) {
			r = equal(&a->u.list.v[i], &b->u.list.v[i], depth + 1);
			if (r != 1)
				return r;
		}
		return 1;
	case POINTS_CEL_MAP:
		if (a->u.map.n != b->u.map.n)
			return 0;
		for (i = 0; i < a->u.map.n; i++) {
			for (j = 0; j < b->u.map.n; j++) {
				r = equal(&a->u.map.e[i].key, &b->u.map.e[j].key,
				    depth + 1);
				if (r < 0)
					return r;
				if (r)
					break;
			}
			if (j == b->u.map.n)
				return 0;
			r = equal(&a->u.map.e[i].value, &b->u.map.e[j].value,
			    depth + 1);
			if (r != 1)
				return r;
		}
		return 1;
	default:
		return 0;
	}
}

int
points_cel__equal(const points_cel_value *a, const points_cel_value *b)
{
	return equal(a, b, 0);
}

/* Whether x is the string k. */
static int
same_str(const points_cel_value *x, const points_cel_value *k)
{
	return x->type == POINTS_CEL_STRING && x->u.s.n == k->u.s.n &&
	    !memcmp(x->u.s.p, k->u.s.p, k->u.s.n);
}

/* The entry of m whose key equals k, or NULL. */
static const points_cel_entry *
lookup(const points_cel_value *m, const points_cel_value *k)
{
	size_t i;

	/* a string key, as a field selection has: compared here */
	if (k->type == POINTS_CEL_STRING) {
		for (i = 0; i < m->u.map.n; i++)
			if (same_str(&m->u.map.e[i].key, k))
				return &m->u.map.e[i];
		return NULL;
	}
	for (i = 0; i < m->u.map.n; i++)
		if (equal(&m->u.map.e[i].key, k, 0) == 1)
			return &m->u.map.e[i];
	return NULL;
}

/* Room for n values (or entries) in the scratch. */
static points_cel_value *
take_vals(points_cel_scratch *s, size_t n)
{
	points_cel_value *v;

	if (n > POINTS_CEL_SCRATCH_VALS - s->nvals)
		return NULL;
	v = s->vals + s->nvals;
	s->nvals += n;
	return v;
}

static char *
take_chars(points_cel_scratch *s, size_t n)
{
	char *c;

	if (n > POINTS_CEL_SCRATCH_CHARS - s->nchars)
		return NULL;
	c = s->chars + s->nchars;
	s->nchars += n;
	return c;
}

static points_cel_value
key_error(points_cel_scratch *s, const points_cel_value *k)
{
	char buf[24];

	if (k->type == POINTS_CEL_STRING)
		return errf(s, "no such key: '%.*s'", k->u.s.p, k->u.s.n,
		    "no such key");
	if (k->type == POINTS_CEL_INT) {
		snprintf(buf, sizeof(buf), "%lld", (long long)k->u.i);
		return errf(s, "no such key: %.*s", buf, strlen(buf),
		    "no such key");
	}
	if (k->type == POINTS_CEL_BOOL)
		return errf(s, "no such key: %.*s", k->u.b ? "true" : "false",
		    k->u.b ? 4 : 5, "no such key");
	return err("no such key");
}

static points_cel_value
arith(points_cel_scratch *s, int op, const points_cel_value *a,
    const points_cel_value *b)
{
	static const char *const names[] = { "_+_", "_-_", "_*_", "_/_",
	    "_%_" };
	int64_t x, y, r;

	if (a->type == POINTS_CEL_INT && b->type == POINTS_CEL_INT)
		goto ints;
	if (a->type == POINTS_CEL_ERROR)
		return *a;
	if (b->type == POINTS_CEL_ERROR)
		return *b;
	if (op == POINTS_CEL_OP_ADD && a->type == b->type &&
	    a->type == POINTS_CEL_STRING) {
		char *d;
		points_cel_value v;

		/* a + b + c: when a is the scratch's last string, b goes
		 * after it rather than copying both. */
		if (a->u.s.n && a->u.s.p + a->u.s.n == s->chars + s->nchars) {
			if (!(d = take_chars(s, b->u.s.n)))
				return err("string too long for the "
				    "evaluation's scratch");
			memcpy(d, b->u.s.p, b->u.s.n);
			v = *a;
			v.u.s.n = a->u.s.n + b->u.s.n;
			return v;
		}
		if (a->u.s.n > SIZE_MAX / 2 ||
		    !(d = take_chars(s, a->u.s.n + b->u.s.n)))
			return err("string too long for the evaluation's "
			    "scratch");
		memcpy(d, a->u.s.p, a->u.s.n);
		memcpy(d + a->u.s.n, b->u.s.p, b->u.s.n);
		v = *a;
		v.u.s.p = d;
		v.u.s.n = a->u.s.n + b->u.s.n;
		return v;
	}
	if (op == POINTS_CEL_OP_ADD && a->type == b->type &&
	    a->type == POINTS_CEL_LIST) {
		points_cel_value *d, v;

		if (a->u.list.n > SIZE_MAX / 2 ||
		    !(d = take_vals(s, a->u.list.n + b->u.list.n)))
			return err("list too long for the evaluation's "
			    "scratch");
		if (a->u.list.n)
			memcpy(d, a->u.list.v, a->u.list.n * sizeof(*d));
		if (b->u.list.n)
			memcpy(d + a->u.list.n, b->u.list.v,
			    b->u.list.n * sizeof(*d));
		v = *a;
		v.u.list.v = d;
		v.u.list.n = a->u.list.n + b->u.list.n;
		return v;
	}
	if (a->type != POINTS_CEL_INT || b->type != POINTS_CEL_INT)
		return no_overload(s, names[op - POINTS_CEL_OP_ADD], a, b);
ints:
	x = a->u.i;
	y = b->u.i;
	switch (op) {
	case POINTS_CEL_OP_ADD:
		if (__builtin_add_overflow(x, y, &r))
			return err("int overflow");
		return points_cel__int(r);
	case POINTS_CEL_OP_SUB:
		if (__builtin_sub_overflow(x, y, &r))
			return err("int overflow");
		return points_cel__int(r);
	case POINTS_CEL_OP_MUL:
		if (__builtin_mul_overflow(x, y, &r))
			return err("int overflow");
		return points_cel__int(r);
	case POINTS_CEL_OP_DIV:
		if (y == 0)
			return err("division by zero");
		if (x == INT64_MIN && y == -1)
			return err("int overflow");
		return points_cel__int(x / y);
	default:
		if (y == 0)
			return err("modulus by zero");
		if (x == INT64_MIN && y == -1)
			return err("int overflow");
		return points_cel__int(x % y);
	}
}

/* <, <=, >, >=: -1, 0, 1 in *c, or an error value. */
static int
order(points_cel_scratch *s, const char *op, const points_cel_value *a,
    const points_cel_value *b, int *c, points_cel_value *e)
{
	if (a->type == POINTS_CEL_ERROR || b->type == POINTS_CEL_ERROR) {
		*e = a->type == POINTS_CEL_ERROR ? *a : *b;
		return -1;
	}
	if (a->type != b->type)
		goto bad;
	switch (a->type) {
	case POINTS_CEL_INT:
		*c = a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
		return 0;
	case POINTS_CEL_BOOL:
		*c = a->u.b - b->u.b;
		return 0;
	case POINTS_CEL_STRING: {
		size_t n = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
		int r = n ? memcmp(a->u.s.p, b->u.s.p, n) : 0;

		if (r == 0)
			r = a->u.s.n < b->u.s.n ? -1 : a->u.s.n > b->u.s.n;
		*c = r < 0 ? -1 : r > 0;
		return 0;
	}
	default:
		break;
	}
bad:
	*e = no_overload(s, op, a, b);
	return -1;
}

static size_t
utf8_len(const char *p, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)p[i] & 0xC0) != 0x80)
			k++;
	return k;
}

static int
has_sub(const points_cel_value *a, const points_cel_value *b, int where)
{
	size_t i;

	if (b->u.s.n > a->u.s.n)
		return 0;
	if (where < 0)
		return !memcmp(a->u.s.p, b->u.s.p, b->u.s.n);
	if (where > 0)
		return !memcmp(a->u.s.p + a->u.s.n - b->u.s.n, b->u.s.p,
		    b->u.s.n);
	for (i = 0; i + b->u.s.n <= a->u.s.n; i++)
		if (!memcmp(a->u.s.p + i, b->u.s.p, b->u.s.n))
			return 1;
	return 0;
}

/* The civil day of t (seconds since 1970) at UTC offset off: its
 * number, without overflow for any t. */
static int64_t
day_of(int64_t t, int64_t off)
{
	int64_t q = t / 86400, r = t % 86400;

	if (r < 0) {
		r += 86400;
		q--;
	}
	r += off; /* -86400 .. 172799 */
	return q + (r < 0 ? -1 : r / 86400);
}

static points_cel_value
calendar(int fn, int64_t t, int64_t off)
{
	int64_t z;
	points_civil c;

	if (off < -POINTS_CEL_MAX_UTC_OFFSET || off > POINTS_CEL_MAX_UTC_OFFSET)
		return err("utc offset out of range");
	z = day_of(t, off);
	if (fn == POINTS_CEL_FN_WEEKDAY)
		return points_cel__int(points_cal__weekday(z));
	c = points_cal__civil(z);
	if (fn == POINTS_CEL_FN_YEAR)
		return points_cel__int(c.year);
	return points_cel__int(fn == POINTS_CEL_FN_MONTH ? c.month : c.day);
}

static points_cel_value
call(points_cel_scratch *s, int fn, const points_cel_value *args, int argc,
    int64_t off, uint64_t *steps)
{
	static const char *const names[] = { "size", "int", "string",
	    "startsWith", "endsWith", "contains", "min", "max", "floor_div",
	    "sum", "year", "month", "day", "weekday", "dyn" };
	const points_cel_value *a = &args[0], *b = argc > 1 ? &args[1] : NULL;
	int i;

	for (i = 0; i < argc; i++)
		if (args[i].type == POINTS_CEL_ERROR)
			return args[i];
	switch (fn) {
	case POINTS_CEL_FN_SIZE:
		if (a->type == POINTS_CEL_STRING)
			return points_cel__int((int64_t)utf8_len(a->u.s.p,
			    a->u.s.n));
		if (a->type == POINTS_CEL_LIST)
			return points_cel__int((int64_t)a->u.list.n);
		if (a->type == POINTS_CEL_MAP)
			return points_cel__int((int64_t)a->u.map.n);
		break;
	case POINTS_CEL_FN_INT:
		if (a->type == POINTS_CEL_INT)
			return *a;
		if (a->type == POINTS_CEL_STRING) {
			/* As CEL: an optional sign and decimal digits. */
			size_t k = 0;
			int neg = 0;
			uint64_t v = 0, lim;

			if (k < a->u.s.n && (a->u.s.p[k] == '-' ||
			    a->u.s.p[k] == '+'))
				neg = a->u.s.p[k++] == '-';
			if (k == a->u.s.n)
				return err("int(): not an integer");
			lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
			for (; k < a->u.s.n; k++) {
				char c = a->u.s.p[k];

				if (c < '0' || c > '9')
					return err("int(): not an integer");
				if (v > (lim - (uint64_t)(c - '0')) / 10)
					return err("int overflow");
				v = v * 10 + (uint64_t)(c - '0');
			}
			if (neg)
				return points_cel__int(v == (uint64_t)INT64_MAX + 1 ?
				    INT64_MIN : -(int64_t)v);
			return points_cel__int((int64_t)v);
		}
		break;
	case POINTS_CEL_FN_STRING:
		if (a->type == POINTS_CEL_STRING)
			return *a;
		if (a->type == POINTS_CEL_BOOL)
			return points_cel__str(a->u.b ? "true" : "false");
		if (a->type == POINTS_CEL_INT) {
			char buf[24], *d;
			int n = snprintf(buf, sizeof(buf), "%lld",
			    (long long)a->u.i);
			points_cel_value v;

			if (!(d = take_chars(s, (size_t)n)))
				return err("string too long for the "
				    "evaluation's scratch");
			memcpy(d, buf, (size_t)n);
			v = points_cel__str("");
			v.u.s.p = d;
			v.u.s.n = (size_t)n;
			return v;
		}
		break;
	case POINTS_CEL_FN_STARTS:
	case POINTS_CEL_FN_ENDS:
	case POINTS_CEL_FN_CONTAINS:
		if (b && a->type == POINTS_CEL_STRING &&
		    b->type == POINTS_CEL_STRING)
			return points_cel__bool(has_sub(a, b,
			    fn == POINTS_CEL_FN_STARTS ? -1 : fn == POINTS_CEL_FN_ENDS));
		break;
	case POINTS_CEL_FN_MIN:
	case POINTS_CEL_FN_MAX:
		if (b && a->type == POINTS_CEL_INT && b->type == POINTS_CEL_INT)
			return (a->u.i < b->u.i) == (fn == POINTS_CEL_FN_MIN) ? *a : *b;
		break;
	case POINTS_CEL_FN_FLOOR_DIV:
		if (b && a->type == POINTS_CEL_INT && b->type == POINTS_CEL_INT) {
			int64_t x = a->u.i, y = b->u.i, q;

			if (y == 0)
				return err("division by zero");
			if (x == INT64_MIN && y == -1)
				return err("int overflow");
			q = x / y;
			if (x % y != 0 && ((x < 0) != (y < 0)))
				q--;
			return points_cel__int(q);
		}
		break;
	case POINTS_CEL_FN_DYN:
		/* a hint to CEL's type checker; nothing at evaluation */
		return *a;
	case POINTS_CEL_FN_SUM:
		if (a->type == POINTS_CEL_LIST) {
			int64_t r = 0;
			size_t k;

			*steps += a->u.list.n;
			for (k = 0; k < a->u.list.n; k++) {
				const points_cel_value *e = &a->u.list.v[k];

				if (e->type != POINTS_CEL_INT)
					return errf(s, "sum(): not an int: %.*s",
					    type_name(e), strlen(type_name(e)),
					    "sum(): not an int");
				if (__builtin_add_overflow(r, e->u.i, &r))
					return err("int overflow");
			}
			return points_cel__int(r);
		}
		break;
	case POINTS_CEL_FN_YEAR:
	case POINTS_CEL_FN_MONTH:
	case POINTS_CEL_FN_DAY:
	case POINTS_CEL_FN_WEEKDAY:
		if (a->type == POINTS_CEL_INT)
			return calendar(fn, a->u.i, off);
		break;
	}
	return no_overload(s, names[fn], a, b);
}

/* Logical and (is_and) or or, as CEL: a false (true) operand decides
 * whichever side it is on; otherwise an error or a non-bool is the
 * result. */
static points_cel_value
logic(points_cel_scratch *s, int is_and, const points_cel_value *a,
    const points_cel_value *b)
{
	int decide = !is_and;

	if ((a->type == POINTS_CEL_BOOL && a->u.b == decide) ||
	    (b->type == POINTS_CEL_BOOL && b->u.b == decide))
		return points_cel__bool(decide);
	if (a->type == POINTS_CEL_ERROR)
		return *a;
	if (b->type == POINTS_CEL_ERROR)
		return *b;
	if (a->type != POINTS_CEL_BOOL || b->type != POINTS_CEL_BOOL)
		return no_overload(s, is_and ? "_&&_" : "_||_", a, b);
	return points_cel__bool(!decide);
}

static const char *const loop_names[] = { "all", "exists", "exists_one",
    "map", "filter" };

/* Append v to the list *l (map() and filter() results): in place when
 * *l ends the scratch's values, else copied to its end. */
static points_cel_value
append(points_cel_scratch *s, const points_cel_value *l,
    const points_cel_value *v)
{
	points_cel_value r = *l;
	points_cel_value *d;
	size_t n = l->u.list.n;

	if (l->u.list.v + n == s->vals + s->nvals) {
		if (!(d = take_vals(s, 1)))
			return err("list too long for the evaluation's scratch");
		*d = *v;
	} else {
		if (!(d = take_vals(s, n + 1)))
			return err("list too long for the evaluation's scratch");
		if (n)
			memcpy(d, l->u.list.v, n * sizeof(*d));
		d[n] = *v;
		r.u.list.v = d;
	}
	r.u.list.n = n + 1;
	return r;
}

/* The current element of the comprehension whose range is st[0] and
 * index (one past the element) st[1]: what (POINTS_CEL_VAR_*) of it. */
static points_cel_value
loop_var(const points_cel_value *st, int what)
{
	const points_cel_value *r = &st[0];
	size_t i = (size_t)st[1].u.i - 1;

	if (r->type == POINTS_CEL_LIST)
		return what == POINTS_CEL_VAR_INDEX ?
		    points_cel__int((int64_t)i) : r->u.list.v[i];
	return what == POINTS_CEL_VAR_VALUE ? r->u.map.e[i].value :
	    r->u.map.e[i].key;
}

int
points_cel__eval(const points_cel_prog *p, const points_cel_activation *a,
    points_cel_scratch *s, points_cel_value *out)
{
	points_cel_value st[POINTS_CEL_STACK + 1];
	size_t sp = 0, pc = 0;
	uint64_t steps = 0;
	int64_t off = a ? a->utc_offset : 0;

	if (!p || !s || !out || (p->nvars && (!a || a->n < p->nvars)))
		return POINTS_EINVAL;
	s->nchars = s->nvals = s->nents = 0;
	while (pc < p->ncode) {
		const points_cel_insn *in = &p->code[pc++];
		points_cel_value *t = sp ? &st[sp - 1] : NULL;
		points_cel_value r;
		int c = 0;

		switch (in->op) {
		case POINTS_CEL_OP_CONST:
			st[sp++] = p->consts[in->a];
			break;
		case POINTS_CEL_OP_VAR:
			/* the compiler names declared variables only, whose
			 * values the activation has (checked above) */
			HOLDS(in->a < p->nvars);
			st[sp++] = a->vals[in->a];
			break;
		case POINTS_CEL_OP_SELECT:
		case POINTS_CEL_OP_HAS: {
			const points_cel_value *k = &p->consts[in->a];
			const points_cel_entry *e;

			STACK_HOLDS(1);
			if (t->type == POINTS_CEL_ERROR)
				break;
			if (t->type != POINTS_CEL_MAP) {
				*t = no_overload(s, in->op == POINTS_CEL_OP_HAS ?
				    "has" : "_._", t, NULL);
				break;
			}
			steps += t->u.map.n;
			/* the field's declared place first, then a search */
			if (in->b && in->b <= t->u.map.n &&
			    same_str(&t->u.map.e[in->b - 1].key, k))
				e = &t->u.map.e[in->b - 1];
			else
				e = lookup(t, k);
			if (in->op == POINTS_CEL_OP_HAS)
				*t = points_cel__bool(e != NULL);
			else
				*t = e ? e->value : key_error(s, k);
			break;
		}
		case POINTS_CEL_OP_INDEX: {
			points_cel_value *x;
			const points_cel_entry *e;

			STACK_HOLDS(2);
			x = &st[--sp - 1];
			if (x->type == POINTS_CEL_ERROR)
				break;
			if (t->type == POINTS_CEL_ERROR) {
				*x = *t;
				break;
			}
			if (x->type == POINTS_CEL_MAP) {
				steps += x->u.map.n;
				e = lookup(x, t);
				*x = e ? e->value : key_error(s, t);
			} else if (x->type == POINTS_CEL_LIST &&
			    t->type == POINTS_CEL_INT) {
				if (t->u.i < 0 || (uint64_t)t->u.i >= x->u.list.n) {
					char buf[24];

					snprintf(buf, sizeof(buf), "%lld",
					    (long long)t->u.i);
					*x = errf(s, "index out of range: %.*s",
					    buf, strlen(buf),
					    "index out of range");
				} else {
					*x = x->u.list.v[t->u.i];
				}
			} else {
				*x = no_overload(s, "_[_]", x, t);
			}
			break;
		}
		case POINTS_CEL_OP_NEG:
			STACK_HOLDS(1);
			if (t->type == POINTS_CEL_ERROR)
				break;
			if (t->type != POINTS_CEL_INT)
				*t = no_overload(s, "-_", t, NULL);
			else if (t->u.i == INT64_MIN)
				*t = err("int overflow");
			else
				t->u.i = -t->u.i;
			break;
		case POINTS_CEL_OP_NOT:
			STACK_HOLDS(1);
			if (t->type == POINTS_CEL_ERROR)
				break;
			if (t->type != POINTS_CEL_BOOL)
				*t = no_overload(s, "!_", t, NULL);
			else
				t->u.b = !t->u.b;
			break;
		case POINTS_CEL_OP_ADD:
		case POINTS_CEL_OP_SUB:
		case POINTS_CEL_OP_MUL:
		case POINTS_CEL_OP_DIV:
		case POINTS_CEL_OP_MOD:
			STACK_HOLDS(2);
			st[sp - 2] = arith(s, in->op, &st[sp - 2], t);
			sp--;
			break;
		case POINTS_CEL_OP_EQ:
		case POINTS_CEL_OP_NE: {
			points_cel_value *x;

			STACK_HOLDS(2);
			x = &st[--sp - 1];
			if (x->type == POINTS_CEL_ERROR)
				break;
			if (t->type == POINTS_CEL_ERROR) {
				*x = *t;
				break;
			}
			if (x->type == POINTS_CEL_LIST)
				steps += x->u.list.n;
			else if (x->type == POINTS_CEL_MAP)
				steps += x->u.map.n;
			c = equal(x, t, 0);
			if (c < 0)
				*x = err("value nested too deeply");
			else
				*x = points_cel__bool(c == (in->op == POINTS_CEL_OP_EQ));
			break;
		}
		case POINTS_CEL_OP_LT:
		case POINTS_CEL_OP_LE:
		case POINTS_CEL_OP_GT:
		case POINTS_CEL_OP_GE: {
			static const char *const ops[] = { "_<_", "_<=_", "_>_",
			    "_>=_" };
			points_cel_value *x;

			STACK_HOLDS(2);
			x = &st[--sp - 1];
			if (order(s, ops[in->op - POINTS_CEL_OP_LT], x, t, &c, &r) < 0) {
				*x = r;
				break;
			}
			switch (in->op) {
			case POINTS_CEL_OP_LT: *x = points_cel__bool(c < 0); break;
			case POINTS_CEL_OP_LE: *x = points_cel__bool(c <= 0); break;
			case POINTS_CEL_OP_GT: *x = points_cel__bool(c > 0); break;
			default: *x = points_cel__bool(c >= 0); break;
			}
			break;
		}
		case POINTS_CEL_OP_IN: {
			points_cel_value *x;
			size_t i;
			int found = 0;

			STACK_HOLDS(2);
			x = &st[--sp - 1];
			if (x->type == POINTS_CEL_ERROR)
				break;
			if (t->type == POINTS_CEL_ERROR) {
				*x = *t;
				break;
			}
			if (t->type == POINTS_CEL_MAP) {
				/* a key is an int, a string or a bool */
				if (x->type != POINTS_CEL_INT &&
				    x->type != POINTS_CEL_STRING &&
				    x->type != POINTS_CEL_BOOL) {
					*x = no_overload(s, "@in", x, t);
					break;
				}
				steps += t->u.map.n;
				*x = points_cel__bool(lookup(t, x) != NULL);
				break;
			}
			if (t->type != POINTS_CEL_LIST) {
				*x = no_overload(s, "@in", x, t);
				break;
			}
			steps += t->u.list.n;
			for (i = 0; i < t->u.list.n && !found; i++) {
				c = equal(x, &t->u.list.v[i], 0);
				if (c < 0)
					break;
				found = c;
			}
			*x = c < 0 && !found ? err("value nested too deeply") :
			    points_cel__bool(found);
			break;
		}
		case POINTS_CEL_OP_AND_JUMP:
			STACK_HOLDS(1);
			if (t->type == POINTS_CEL_BOOL && !t->u.b)
				pc = in->a;
			break;
		case POINTS_CEL_OP_OR_JUMP:
			STACK_HOLDS(1);
			if (t->type == POINTS_CEL_BOOL && t->u.b)
				pc = in->a;
			break;
		case POINTS_CEL_OP_AND:
		case POINTS_CEL_OP_OR:
			STACK_HOLDS(2);
			st[sp - 2] = logic(s, in->op == POINTS_CEL_OP_AND, &st[sp - 2],
			    t);
			sp--;
			break;
		case POINTS_CEL_OP_COND:
			STACK_HOLDS(1);
			sp--;
			if (t->type == POINTS_CEL_BOOL) {
				if (!t->u.b)
					pc = in->a;
				break;
			}
			r = t->type == POINTS_CEL_ERROR ? *t :
			    no_overload(s, "_?_:_", t, NULL);
			st[sp++] = r;
			pc = in->b;
			break;
		case POINTS_CEL_OP_JUMP:
			pc = in->a;
			break;
		case POINTS_CEL_OP_LIST: {
			size_t n = in->a, i;
			points_cel_value *d, v;

			STACK_HOLDS(n);
			memset(&v, 0, sizeof(v));
			v.type = POINTS_CEL_LIST;
			for (i = sp - n; i < sp; i++)
				if (st[i].type == POINTS_CEL_ERROR) {
					v = st[i];
					break;
				}
			if (v.type == POINTS_CEL_LIST) {
				if (!(d = take_vals(s, n))) {
					v = err("list too long for the "
					    "evaluation's scratch");
				} else {
					if (n)
						memcpy(d, &st[sp - n],
						    n * sizeof(*d));
					v.u.list.v = d;
					v.u.list.n = n;
				}
			}
			sp -= n;
			st[sp++] = v;
			break;
		}
		case POINTS_CEL_OP_MAP: {
			/* n entries: m values, key and value in turn */
			size_t n = in->a, m = 2 * n, i, j;
			points_cel_entry *d = NULL;
			points_cel_value v;
			const points_cel_value *base;

			STACK_HOLDS(m);
			base = &st[sp - m];
			memset(&v, 0, sizeof(v));
			v.type = POINTS_CEL_MAP;
			for (i = 0; i < m; i++)
				if (base[i].type == POINTS_CEL_ERROR) {
					v = base[i];
					break;
				}
			for (i = 0; v.type == POINTS_CEL_MAP && i < m; i += 2) {
				const points_cel_value *k = &base[i];

				if (k->type != POINTS_CEL_INT &&
				    k->type != POINTS_CEL_STRING &&
				    k->type != POINTS_CEL_BOOL) {
					v = errf(s, "unsupported key type: %.*s",
					    type_name(k), strlen(type_name(k)),
					    "unsupported key type");
					break;
				}
				for (j = 0; j < i; j += 2)
					if (equal(&base[j], k, 0) == 1) {
						v = err("duplicate map key");
						break;
					}
			}
			if (v.type == POINTS_CEL_MAP) {
				if (n > POINTS_CEL_SCRATCH_ENTRIES - s->nents) {
					v = err("map too large for the "
					    "evaluation's scratch");
				} else {
					d = s->ents + s->nents;
					s->nents += n;
					for (i = 0; i < n; i++) {
						d[i].key = base[2 * i];
						d[i].value = base[2 * i + 1];
					}
					v.u.map.e = d;
					v.u.map.n = n;
				}
			}
			sp -= m;
			st[sp++] = v;
			break;
		}
		case POINTS_CEL_OP_CALL: {
			size_t n = in->a;

			/* every function takes its receiver or an argument */
			STACK_HOLDS(n);
			STACK_HOLDS(1);
			r = call(s, in->fn, &st[sp - n], (int)n, off, &steps);
			sp -= n;
			st[sp++] = r;
			break;
		}
		case POINTS_CEL_OP_LOOP_INIT:
			/* r: push the index and the accumulator */
			STACK_HOLDS(1);
			if (t->type != POINTS_CEL_LIST &&
			    t->type != POINTS_CEL_MAP) {
				if (t->type != POINTS_CEL_ERROR)
					*t = no_overload(s, loop_names[in->fn], t,
					    NULL);
				pc = in->a;
				break;
			}
			st[sp++] = points_cel__int(0);
			switch (in->fn) {
			case POINTS_CEL_LOOP_ALL:
			case POINTS_CEL_LOOP_EXISTS:
				r = points_cel__bool(in->fn == POINTS_CEL_LOOP_ALL);
				break;
			case POINTS_CEL_LOOP_ONE:
				r = points_cel__int(0);
				break;
			default:
				memset(&r, 0, sizeof(r));
				r.type = POINTS_CEL_LIST;
				r.u.list.v = s->vals + s->nvals;
				break;
			}
			st[sp++] = r;
			break;
		case POINTS_CEL_OP_LOOP_NEXT: {
			/* r index accumulator: the next element, or done */
			points_cel_value *x;
			size_t n;
			int done;

			STACK_HOLDS(3);
			x = &st[sp - 3];
			n = x->type == POINTS_CEL_LIST ? x->u.list.n : x->u.map.n;

			if (in->fn == POINTS_CEL_LOOP_ALL ||
			    in->fn == POINTS_CEL_LOOP_EXISTS)
				/* as CEL's loop condition, @not_strictly_false:
				 * only a decision ends the loop early */
				done = t->type == POINTS_CEL_BOOL &&
				    t->u.b == (in->fn == POINTS_CEL_LOOP_EXISTS);
			else
				/* an error stays one: the loop is done */
				done = t->type == POINTS_CEL_ERROR;
			if (done || (uint64_t)st[sp - 2].u.i >= n) {
				pc = in->a;
				break;
			}
			st[sp - 2].u.i++;
			steps += in->b;
			if (steps > POINTS_CEL_MAX_STEPS) {
				*out = err("step budget exceeded");
				return POINTS_OK;
			}
			break;
		}
		case POINTS_CEL_OP_LOOP_VAR:
			/* the range (slot in->a), its index, the accumulator,
			 * and what the body pushed since */
			STACK_HOLDS(3);
			HOLDS(in->a <= sp - 3);
			st[sp++] = loop_var(&st[in->a], in->fn);
			break;
		case POINTS_CEL_OP_LOOP_FILTER:
			/* map(x, p, t): p false skips t, not a bool ends */
			STACK_HOLDS(2);
			sp--;
			if (t->type == POINTS_CEL_BOOL) {
				if (!t->u.b)
					pc = in->a;
				break;
			}
			st[sp - 1] = t->type == POINTS_CEL_ERROR ? *t :
			    no_overload(s, "map", t, NULL);
			pc = in->a;
			break;
		case POINTS_CEL_OP_LOOP_STEP: {
			/* the range, its index, the accumulator and the
			 * body's value */
			points_cel_value *acc;

			STACK_HOLDS(4);
			acc = &st[--sp - 1];
			switch (in->fn) {
			case POINTS_CEL_LOOP_ALL:
			case POINTS_CEL_LOOP_EXISTS:
				*acc = logic(s, in->fn == POINTS_CEL_LOOP_ALL, acc,
				    t);
				break;
			case POINTS_CEL_LOOP_MAP:
				*acc = t->type == POINTS_CEL_ERROR ? *t :
				    append(s, acc, t);
				break;
			default:
				/* exists_one, filter: p */
				if (t->type != POINTS_CEL_BOOL) {
					*acc = t->type == POINTS_CEL_ERROR ? *t :
					    no_overload(s, loop_names[in->fn], t,
					    NULL);
				} else if (!t->u.b) {
					;
				} else if (in->fn == POINTS_CEL_LOOP_ONE) {
					acc->u.i++;
				} else {
					r = loop_var(&st[sp - 3],
					    POINTS_CEL_VAR_ELEM);
					*acc = append(s, acc, &r);
				}
				break;
			}
			break;
		}
		case POINTS_CEL_OP_LOOP_END:
			/* r index accumulator: the result */
			STACK_HOLDS(3);
			r = st[sp - 1];
			if (in->fn == POINTS_CEL_LOOP_ONE &&
			    r.type == POINTS_CEL_INT)
				r = points_cel__bool(r.u.i == 1);
			sp -= 3;
			st[sp++] = r;
			break;
		default:
			return POINTS_EINVAL;
		}
	}
	if (sp != 1)
		return POINTS_EINVAL;
	*out = st[0];
	return POINTS_OK;
}
