/* check_json.c - the event attributes' JSON reader (rules/json.h):
 * every refusal with its byte and reason, every escape and UTF-8 range,
 * the depth and int64 limits, duplicate keys, and random values written
 * by a reference writer here and read back. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "rules/json.h"

static int
parse(const char *text, size_t n, points_json *out, char *err)
{
	err[0] = '\0';
	return points_json__parse(text, n, out, err, 256);
}

/* Malformed texts: each refused with the byte (1-based) and reason. */
static const struct {
	const char *text;
	size_t n; /* 0: strlen */
	const char *msg;
} bad[] = {
	{ "", 0, "byte 1: a value expected" },
	{ " \t\r\n", 0, "byte 5: a value expected" },
	{ "[", 0, "byte 2: a value expected" },
	{ "{", 0, "byte 2: an object key must be a string" },
	{ "{1:2}", 0, "byte 2: an object key must be a string" },
	{ "{\"a\":1,}", 0, "byte 8: an object key must be a string" },
	{ "{\"a\" 1}", 0, "byte 6: ':' expected after a key" },
	{ "{\"a\"", 0, "byte 5: ':' expected after a key" },
	{ "{\"a\":}", 0, "byte 6: an unexpected character" },
	{ "{\"a\":1", 0, "byte 7: ',' or '}' expected" },
	{ "{\"a\":1]", 0, "byte 7: ',' or '}' expected" },
	{ "[1", 0, "byte 3: ',' or ']' expected" },
	{ "[1 2]", 0, "byte 4: ',' or ']' expected" },
	{ "[1,]", 0, "byte 4: an unexpected character" },
	{ "[,1]", 0, "byte 2: an unexpected character" },
	{ "\"abc", 0, "byte 5: a string is not closed" },
	{ "\"a\\", 0, "byte 4: a string is not closed" },
	{ "\"\\x\"", 0, "byte 3: an unknown escape in a string" },
	{ "\"\\U0041\"", 0, "byte 3: an unknown escape in a string" },
	{ "\"\\u12\"", 0, "byte 4: a \\u escape needs 4 hex digits" },
	{ "\"\\u12g4\"", 0, "byte 4: a \\u escape needs 4 hex digits" },
	{ "\"\\u:000\"", 0, "byte 4: a \\u escape needs 4 hex digits" },
	{ "\"\\uG000\"", 0, "byte 4: a \\u escape needs 4 hex digits" },
	{ "\"\\udc00\"", 0, "byte 8: a lone low surrogate" },
	{ "\"\\udfff\"", 0, "byte 8: a lone low surrogate" },
	{ "\"\\ud800\"", 0, "byte 8: a lone high surrogate" },
	{ "\"\\ud800", 0, "byte 8: a lone high surrogate" },
	{ "\"\\ud800\\n\"", 0, "byte 8: a lone high surrogate" },
	{ "\"\\udbff\\u0041\"", 0, "byte 14: a lone high surrogate" },
	{ "\"\\ud800\\ue000\"", 0, "byte 14: a lone high surrogate" },
	{ "\"\\ud800\\ud800\"", 0, "byte 14: a lone high surrogate" },
	{ "\"\\ud800\\uzzzz\"", 0, "byte 10: a \\u escape needs 4 hex digits" },
	{ "\"\\u0000\"", 0, "byte 8: a NUL character in a string" },
	{ "\"a\x01\"", 0, "byte 3: a control character in a string" },
	{ "\"a\x1f\"", 0, "byte 3: a control character in a string" },
	{ "\"a\0\"", 4, "byte 3: a control character in a string" },
	{ "\"a\xff\"", 0, "byte 4: a string is not valid UTF-8" },
	{ "\"\xc3\"", 0, "byte 3: a string is not valid UTF-8" },
	{ "\"\xc0\x80\"", 0, "byte 4: a string is not valid UTF-8" },
	{ "\"\xed\xa0\x80\"", 0, "byte 5: a string is not valid UTF-8" },
	{ "\"\xf4\x90\x80\x80\"", 0, "byte 6: a string is not valid UTF-8" },
	{ "-", 0, "byte 2: a number needs digits" },
	{ "-a", 0, "byte 2: a number needs digits" },
	{ "01", 0, "byte 1: a number has a leading zero" },
	{ "-01", 0, "byte 2: a number has a leading zero" },
	{ "1.5", 0, "byte 2: a number with a fraction or an exponent: "
	    "the rule language has integers only" },
	{ "1e3", 0, "byte 2: a number with a fraction or an exponent: "
	    "the rule language has integers only" },
	{ "[10E3]", 0, "byte 4: a number with a fraction or an exponent: "
	    "the rule language has integers only" },
	{ "9223372036854775808", 0,
	    "byte 19: a number is out of the int64 range" },
	{ "-9223372036854775809", 0,
	    "byte 20: a number is out of the int64 range" },
	{ "99999999999999999999", 0,
	    "byte 19: a number is out of the int64 range" },
	{ "+1", 0, "byte 1: an unexpected character" },
	{ "tru", 0, "byte 1: an unexpected character" },
	{ "trUe", 0, "byte 1: an unexpected character" },
	{ "fals", 0, "byte 1: an unexpected character" },
	{ "nul", 0, "byte 1: an unexpected character" },
	{ "x", 0, "byte 1: an unexpected character" },
	{ "'a'", 0, "byte 1: an unexpected character" },
	{ "1 2", 0, "byte 3: text after the value" },
	{ "{}}", 0, "byte 3: text after the value" },
	{ "1\0", 2, "byte 2: text after the value" },
	{ "truex", 0, "byte 5: text after the value" },
	{ "{\"a\":1,\"a\":2}", 0, "byte 11: a key appears twice in an object" },
	{ "{\"a\":1,\"\\u0061\":2}", 0,
	    "byte 16: a key appears twice in an object" },
	{ "{\"b\":1,\"a\":{},\"a\":[]}", 0,
	    "byte 18: a key appears twice in an object" },
};

START_TEST(test_malformed)
{
	points_json j;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = bad[i].n ? bad[i].n : strlen(bad[i].text);

		j.mem = (void *)&j; /* the parser clears it on failure */
		ck_assert_msg(parse(bad[i].text, n, &j, err) == POINTS_EINVAL,
		    "case %zu accepted", i);
		ck_assert_msg(strcmp(err, bad[i].msg) == 0,
		    "case %zu: got \"%s\", want \"%s\"", i, err, bad[i].msg);
		ck_assert_ptr_null(j.mem);
	}
}
END_TEST

/* One string value: its bytes must equal want[0..wn). */
static void
check_string(const char *text, const char *want, size_t wn)
{
	points_json j;
	char err[256];

	ck_assert_msg(parse(text, strlen(text), &j, err) == POINTS_OK,
	    "%s: %s", text, err);
	ck_assert_int_eq(j.root.type, POINTS_CEL_STRING);
	ck_assert_msg(j.root.u.s.n == wn && memcmp(j.root.u.s.p, want, wn) == 0,
	    "%s: got %zu bytes", text, j.root.u.s.n);
	points_json__free(&j);
}

START_TEST(test_escapes_and_utf8)
{
	check_string("\"\"", "", 0);
	check_string("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8);
	/* each encoded length, at both ends of its range */
	check_string("\"\\u0001\\u007f\"", "\x01\x7f", 2);
	check_string("\"\\u0080\\u07FF\"", "\xc2\x80\xdf\xbf", 4);
	check_string("\"\\u0800\\uffff\"", "\xe0\xa0\x80\xef\xbf\xbf", 6);
	check_string("\"\\ud7ff\\ue000\"", "\xed\x9f\xbf\xee\x80\x80", 6);
	check_string("\"\\uD800\\uDC00\"", "\xf0\x90\x80\x80", 4);
	check_string("\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf", 4);
	check_string("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4);
	/* raw UTF-8 passes through, between escapes too */
	check_string("\"a\xc3\xa9\\n\xe2\x82\xac\\t\xf0\x9f\x98\x80z\"",
	    "a\xc3\xa9\n\xe2\x82\xac\t\xf0\x9f\x98\x80z", 13);
	check_string("\"\x7f\"", "\x7f", 1);
}
END_TEST

static int64_t
int_of(const char *text)
{
	points_json j;
	char err[256];
	int64_t v;

	ck_assert_msg(parse(text, strlen(text), &j, err) == POINTS_OK,
	    "%s: %s", text, err);
	ck_assert_int_eq(j.root.type, POINTS_CEL_INT);
	v = j.root.u.i;
	points_json__free(&j);
	return v;
}

START_TEST(test_integers)
{
	ck_assert_int_eq(int_of("0"), 0);
	ck_assert_int_eq(int_of("-0"), 0);
	ck_assert_int_eq(int_of(" 42 "), 42);
	ck_assert_int_eq(int_of("-17"), -17);
	ck_assert_int_eq(int_of("9223372036854775807"), INT64_MAX);
	ck_assert_int_eq(int_of("-9223372036854775808"), INT64_MIN);
	ck_assert_int_eq(int_of("922337203685477580"), 922337203685477580);
}
END_TEST

START_TEST(test_words_and_containers)
{
	points_json j;
	char err[256];
	const char *t = "\t{ \"on\" : true ,\"off\":false,\r\n\"none\":null,"
	    "\"l\":[ ],\"m\":{ },\"n\":[1,[2,[]],{\"x\":\"y\"}]}\n";

	ck_assert_int_eq(parse(t, strlen(t), &j, err), POINTS_OK);
	ck_assert_int_eq(j.root.type, POINTS_CEL_MAP);
	ck_assert_uint_eq(j.root.u.map.n, 6);
	ck_assert_int_eq(j.root.u.map.e[0].value.type, POINTS_CEL_BOOL);
	ck_assert_int_eq(j.root.u.map.e[0].value.u.b, 1);
	ck_assert_int_eq(j.root.u.map.e[1].value.type, POINTS_CEL_BOOL);
	ck_assert_int_eq(j.root.u.map.e[1].value.u.b, 0);
	ck_assert_int_eq(j.root.u.map.e[2].value.type, POINTS_CEL_NULL);
	ck_assert_int_eq(j.root.u.map.e[3].value.type, POINTS_CEL_LIST);
	ck_assert_uint_eq(j.root.u.map.e[3].value.u.list.n, 0);
	ck_assert_int_eq(j.root.u.map.e[4].value.type, POINTS_CEL_MAP);
	ck_assert_uint_eq(j.root.u.map.e[4].value.u.map.n, 0);
	ck_assert_uint_eq(j.root.u.map.e[5].value.u.list.n, 3);
	ck_assert_uint_eq(j.root.u.map.e[5].value.u.list.v[1].u.list.n, 2);
	ck_assert_int_eq(j.root.u.map.e[5].value.u.list.v[1].u.list.v[0].u.i,
	    2);
	ck_assert_int_eq(j.root.u.map.e[5].value.u.list.v[2].u.map.e[0]
	    .value.u.s.n, 1);
	points_json__free(&j);
	points_json__free(&j); /* freeing twice is harmless */
	points_json__free(NULL);
	/* keys that share a prefix are distinct */
	t = "{\"a\":1,\"ab\":2,\"\":3}";
	ck_assert_int_eq(parse(t, strlen(t), &j, err), POINTS_OK);
	ck_assert_uint_eq(j.root.u.map.n, 3);
	points_json__free(&j);
}
END_TEST

START_TEST(test_depth)
{
	char t[2 * (POINTS_CEL_MAX_DEPTH + 1) + 8];
	points_json j;
	char err[256], want[64];
	int d;

	/* POINTS_CEL_MAX_DEPTH levels are read, one more is refused */
	for (d = 0; d < POINTS_CEL_MAX_DEPTH; d++) {
		t[d] = '[';
		t[2 * POINTS_CEL_MAX_DEPTH - 1 - d] = ']';
	}
	ck_assert_int_eq(parse(t, 2 * POINTS_CEL_MAX_DEPTH, &j, err),
	    POINTS_OK);
	points_json__free(&j);
	memset(t, '[', POINTS_CEL_MAX_DEPTH + 1);
	ck_assert_int_eq(parse(t, POINTS_CEL_MAX_DEPTH + 1, &j, err),
	    POINTS_EINVAL);
	snprintf(want, sizeof(want), "byte %d: nested too deep",
	    POINTS_CEL_MAX_DEPTH + 1);
	ck_assert_str_eq(err, want);
	/* objects count as levels too */
	{
		char o[6 * (POINTS_CEL_MAX_DEPTH + 1) + 8];
		size_t n = 0;

		for (d = 0; d <= POINTS_CEL_MAX_DEPTH; d++) {
			memcpy(o + n, "{\"k\":", 5);
			n += 5;
		}
		o[n++] = '1';
		for (d = 0; d <= POINTS_CEL_MAX_DEPTH; d++)
			o[n++] = '}';
		ck_assert_int_eq(parse(o, n, &j, err), POINTS_EINVAL);
		snprintf(want, sizeof(want), "byte %d: nested too deep",
		    5 * POINTS_CEL_MAX_DEPTH + 1);
		ck_assert_str_eq(err, want);
		/* one level less is read */
		ck_assert_int_eq(parse(o + 5, n - 6, &j, err), POINTS_OK);
		points_json__free(&j);
	}
}
END_TEST

/* Random values, a reference writer, and a comparison. */

static uint64_t seed;

static uint32_t
rnd(uint32_t n)
{
	seed = seed * 6364136223846793005u + 1442695040888963407u;
	return (uint32_t)(seed >> 33) % n;
}

typedef struct buf {
	char *p;
	size_t n, cap;
} buf;

static void
out(buf *b, const char *s, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
		ck_assert_ptr_nonnull(b->p);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}

static void
outs(buf *b, const char *s)
{
	out(b, s, strlen(s));
}

static void
ws(buf *b)
{
	static const char w[] = " \t\n\r";

	while (rnd(4) == 0)
		out(b, &w[rnd(4)], 1);
}

static size_t
utf8(uint32_t cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static uint32_t
random_cp(void)
{
	uint32_t cp;

	switch (rnd(5)) {
	case 0: return 1 + rnd(0x7f);
	case 1: return 0x20 + rnd(0x5f);
	case 2: return 0x80 + rnd(0x800 - 0x80);
	case 3:
		do
			cp = 0x800 + rnd(0x10000 - 0x800);
		while (cp >= 0xd800 && cp <= 0xdfff);
		return cp;
	default: return 0x10000 + rnd(0x110000 - 0x10000);
	}
}

/* A random string value (its bytes in fresh memory). */
static points_cel_value
random_string(int key)
{
	points_cel_value v;
	char *p = malloc(8 * 4 + 16);
	size_t n = 0;
	int len = (int)rnd(8), i;

	ck_assert_ptr_nonnull(p);
	if (key >= 0) /* distinct keys: the index first */
		n = (size_t)sprintf(p, "%d", key);
	for (i = 0; i < len; i++)
		n += utf8(random_cp(), p + n);
	v.type = POINTS_CEL_STRING;
	v.u.s.p = p;
	v.u.s.n = n;
	return v;
}

/* A random value of at most depth levels; free with free_value. */
static points_cel_value
random_value(int depth)
{
	points_cel_value v;
	size_t i, n;

	switch (depth > 0 ? rnd(8) : rnd(6)) {
	case 0:
		v.type = POINTS_CEL_NULL;
		break;
	case 1:
		v.type = POINTS_CEL_BOOL;
		v.u.b = (int)rnd(2);
		break;
	case 2:
		v.type = POINTS_CEL_INT;
		v.u.i = rnd(4) == 0 ? (rnd(2) ? INT64_MIN : INT64_MAX) :
		    (int64_t)rnd(2000000) - 1000000;
		break;
	case 3: case 4: case 5:
		v = random_string(-1);
		break;
	case 6: {
		points_cel_value *l;

		n = rnd(5);
		l = calloc(n + 1, sizeof(*l));
		ck_assert_ptr_nonnull(l);
		for (i = 0; i < n; i++)
			l[i] = random_value(depth - 1);
		v.type = POINTS_CEL_LIST;
		v.u.list.v = l;
		v.u.list.n = n;
		break;
	}
	default: {
		points_cel_entry *e;

		n = rnd(5);
		e = calloc(n + 1, sizeof(*e));
		ck_assert_ptr_nonnull(e);
		for (i = 0; i < n; i++) {
			e[i].key = random_string((int)i);
			e[i].value = random_value(depth - 1);
		}
		v.type = POINTS_CEL_MAP;
		v.u.map.e = e;
		v.u.map.n = n;
		break;
	}
	}
	return v;
}

static void
free_value(points_cel_value *v)
{
	size_t i;

	if (v->type == POINTS_CEL_STRING) {
		free((void *)v->u.s.p);
	} else if (v->type == POINTS_CEL_LIST) {
		for (i = 0; i < v->u.list.n; i++)
			free_value((points_cel_value *)&v->u.list.v[i]);
		free((void *)v->u.list.v);
	} else if (v->type == POINTS_CEL_MAP) {
		for (i = 0; i < v->u.map.n; i++) {
			free_value((points_cel_value *)&v->u.map.e[i].key);
			free_value((points_cel_value *)&v->u.map.e[i].value);
		}
		free((void *)v->u.map.e);
	}
}

/* The reference writer: each character raw where JSON allows it, or
 * escaped (short or \u, a surrogate pair above the BMP) at random. */
static void
write_string(buf *b, const points_cel_value *v)
{
	static const char esc[] = "\"\\/\b\f\n\r\t";
	static const char name[] = "\"\\/bfnrt";
	const unsigned char *p = (const unsigned char *)v->u.s.p;
	const unsigned char *end = p + v->u.s.n;

	outs(b, "\"");
	while (p < end) {
		size_t len = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
		uint32_t cp = len == 1 ? *p : len == 2 ? *p & 0x1fu :
		    len == 3 ? *p & 0x0fu : *p & 0x07u;
		const char *e = *p ? strchr(esc, *p) : NULL;
		char u[16];
		size_t k;

		for (k = 1; k < len; k++)
			cp = cp << 6 | (p[k] & 0x3fu);
		if (e && (*p != '/' || rnd(2))) {
			u[0] = '\\';
			u[1] = name[e - esc];
			out(b, u, 2);
		} else if (cp < 0x20 || rnd(3) == 0) {
			if (cp >= 0x10000)
				snprintf(u, sizeof(u), "\\u%04x\\u%04X",
				    (unsigned)(0xd800 + ((cp - 0x10000) >> 10)),
				    (unsigned)(0xdc00 + (cp & 0x3ff)));
			else
				snprintf(u, sizeof(u), rnd(2) ? "\\u%04x" :
				    "\\u%04X", (unsigned)cp);
			outs(b, u);
		} else {
			out(b, (const char *)p, len);
		}
		p += len;
	}
	outs(b, "\"");
}

static void
write_value(buf *b, const points_cel_value *v)
{
	char num[32];
	size_t i;

	ws(b);
	switch (v->type) {
	case POINTS_CEL_NULL: outs(b, "null"); break;
	case POINTS_CEL_BOOL: outs(b, v->u.b ? "true" : "false"); break;
	case POINTS_CEL_INT:
		snprintf(num, sizeof(num), "%lld", (long long)v->u.i);
		outs(b, num);
		break;
	case POINTS_CEL_STRING: write_string(b, v); break;
	case POINTS_CEL_LIST:
		outs(b, "[");
		for (i = 0; i < v->u.list.n; i++) {
			if (i)
				outs(b, ",");
			write_value(b, &v->u.list.v[i]);
		}
		ws(b);
		outs(b, "]");
		break;
	default:
		outs(b, "{");
		for (i = 0; i < v->u.map.n; i++) {
			if (i)
				outs(b, ",");
			ws(b);
			write_string(b, &v->u.map.e[i].key);
			ws(b);
			outs(b, ":");
			write_value(b, &v->u.map.e[i].value);
		}
		ws(b);
		outs(b, "}");
		break;
	}
	ws(b);
}

static int
same(const points_cel_value *a, const points_cel_value *b)
{
	size_t i;

	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case POINTS_CEL_NULL: return 1;
	case POINTS_CEL_BOOL: return !a->u.b == !b->u.b;
	case POINTS_CEL_INT: return a->u.i == b->u.i;
	case POINTS_CEL_STRING:
		return a->u.s.n == b->u.s.n &&
		    memcmp(a->u.s.p, b->u.s.p, a->u.s.n) == 0;
	case POINTS_CEL_LIST:
		if (a->u.list.n != b->u.list.n)
			return 0;
		for (i = 0; i < a->u.list.n; i++)
			if (!same(&a->u.list.v[i], &b->u.list.v[i]))
				return 0;
		return 1;
	default:
		if (a->u.map.n != b->u.map.n)
			return 0;
		for (i = 0; i < a->u.map.n; i++)
			if (!same(&a->u.map.e[i].key, &b->u.map.e[i].key) ||
			    !same(&a->u.map.e[i].value, &b->u.map.e[i].value))
				return 0;
		return 1;
	}
}

/* A refusal names a byte within the text (or just past it). */
static void
check_refusal(const char *err, size_t n)
{
	unsigned long at;

	ck_assert_msg(sscanf(err, "byte %lu: ", &at) == 1 && at >= 1 &&
	    at <= n + 1, "bad message \"%s\" for %zu bytes", err, n);
}

START_TEST(test_random_roundtrip)
{
	int iter;

	seed = 20240101;
	for (iter = 0; iter < 3000; iter++) {
		points_cel_value want = random_value(1 + (int)rnd(5));
		buf b = { 0 };
		points_json j;
		char err[256];
		int c;

		write_value(&b, &want);
		ck_assert_msg(parse(b.p, b.n, &j, err) == POINTS_OK,
		    "iteration %d: %s in %.*s", iter, err, (int)b.n, b.p);
		ck_assert_msg(same(&j.root, &want), "iteration %d: %.*s",
		    iter, (int)b.n, b.p);
		points_json__free(&j);
		/* damaged copies: refused with a byte in range, or read */
		for (c = 0; c < 8; c++) {
			char *d = malloc(b.n + 1);
			size_t n = b.n, at = rnd((uint32_t)b.n);

			ck_assert_ptr_nonnull(d);
			memcpy(d, b.p, b.n);
			switch (c % 4) {
			case 0: d[at] = (char)rnd(256); break;
			case 1: n = at; break; /* cut short */
			case 2:
				memmove(d + at, d + at + 1, n - at - 1);
				n--;
				break;
			default:
				d[at] = "{}[]\":,\\"[rnd(8)];
				break;
			}
			if (parse(d, n, &j, err) == POINTS_OK) {
				points_json__free(&j);
			} else {
				check_refusal(err, n);
			}
			free(d);
		}
		free_value(&want);
		free(b.p);
	}
}
END_TEST

/* A text whose value is a container, cut anywhere, is refused. */
START_TEST(test_truncated_containers)
{
	int iter;

	seed = 77;
	for (iter = 0; iter < 500; iter++) {
		points_cel_value want;
		buf b = { 0 };
		size_t n, lead;
		points_json j;
		char err[256];

		do {
			want = random_value(3);
			if (want.type == POINTS_CEL_LIST ||
			    want.type == POINTS_CEL_MAP)
				break;
			free_value(&want);
		} while (1);
		write_value(&b, &want);
		/* the cut must fall after the first bracket, before the
		 * last */
		for (lead = 0; b.p[lead] != '[' && b.p[lead] != '{'; lead++)
			;
		n = b.n;
		while (b.p[n - 1] != ']' && b.p[n - 1] != '}')
			n--;
		for (; n-- > lead + 0;) {
			ck_assert_msg(parse(b.p, n, &j, err) == POINTS_EINVAL,
			    "%.*s accepted", (int)n, b.p);
			check_refusal(err, n);
			if (n == lead)
				break;
		}
		free_value(&want);
		free(b.p);
	}
}
END_TEST

static Suite *
json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("known");

	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_escapes_and_utf8);
	tcase_add_test(tc, test_integers);
	tcase_add_test(tc, test_words_and_containers);
	tcase_add_test(tc, test_depth);
	suite_add_tcase(s, tc);
	tc = tcase_create("random");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_random_roundtrip);
	tcase_add_test(tc, test_truncated_containers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(json_suite());
}
