/* json.c - JSON text into the rule language's values (json.h).
 *
 * Two passes over the text with the same parser: the first counts the
 * values, map entries and string bytes (and each container's size, in
 * the order the containers open), the second fills one allocation of
 * exactly that size.  A container's elements must be contiguous, so the
 * second pass reserves them from the sizes the first recorded. */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "util/codec.h"
#include "rules/json.h"

typedef struct jp {
	const char *p, *start, *end;
	int fill;              /* 0: count; 1: fill */
	size_t nvals, nents, nchars, nconts;
	size_t *sizes;         /* each container's size, in opening order */
	points_cel_value *vals;
	points_cel_entry *ents;
	char *chars;
	size_t vi, ei, ci, ki;  /* fill positions */
	char *err;
	size_t errcap;
	int depth;
} jp;

static int
fail(jp *j, const char *what)
{
	snprintf(j->err, j->errcap, "byte %zu: %s",
	    (size_t)(j->p - j->start) + 1, what);
	return POINTS_EINVAL;
}

static void
skip_ws(jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int
hex4(jp *j, unsigned *out)
{
	unsigned v = 0;
	int i;

	if (j->end - j->p < 4)
		return fail(j, "a \\u escape needs 4 hex digits");
	for (i = 0; i < 4; i++) {
		char c = j->p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return fail(j, "a \\u escape needs 4 hex digits");
	}
	j->p += 4;
	*out = v;
	return POINTS_OK;
}

/* Put one byte of a string (the fill pass writes, the count pass
 * counts). */
static void
put(jp *j, char c)
{
	if (j->fill)
		j->chars[j->ci++] = c;
	else
		j->nchars++;
}

static void
put_utf8(jp *j, unsigned cp)
{
	if (cp < 0x80) {
		put(j, (char)cp);
	} else if (cp < 0x800) {
		put(j, (char)(0xc0 | cp >> 6));
		put(j, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		put(j, (char)(0xe0 | cp >> 12));
		put(j, (char)(0x80 | (cp >> 6 & 0x3f)));
		put(j, (char)(0x80 | (cp & 0x3f)));
	} else {
		put(j, (char)(0xf0 | cp >> 18));
		put(j, (char)(0x80 | (cp >> 12 & 0x3f)));
		put(j, (char)(0x80 | (cp >> 6 & 0x3f)));
		put(j, (char)(0x80 | (cp & 0x3f)));
	}
}

/* A string; *out (fill pass) is its value.  j->p is at the quote. */
static int
string(jp *j, points_cel_value *out)
{
	size_t first = j->ci;
	const char *run;
	int rc;

	j->p++;
	for (;;) {
		unsigned cp, lo;

		run = j->p;
		while (j->p < j->end && *j->p != '"' && *j->p != '\\' &&
		    (unsigned char)*j->p >= 0x20)
			j->p++;
		if (!points_codec__utf8_valid(run, (size_t)(j->p - run)))
			return fail(j, "a string is not valid UTF-8");
		if (j->fill)
			memcpy(j->chars + j->ci, run, (size_t)(j->p - run));
		if (j->fill)
			j->ci += (size_t)(j->p - run);
		else
			j->nchars += (size_t)(j->p - run);
		if (j->p >= j->end)
			return fail(j, "a string is not closed");
		if (*j->p == '"')
			break;
		if (*j->p != '\\')
			return fail(j, "a control character in a string");
		if (++j->p >= j->end)
			return fail(j, "a string is not closed");
		switch (*j->p++) {
		case '"': put(j, '"'); break;
		case '\\': put(j, '\\'); break;
		case '/': put(j, '/'); break;
		case 'b': put(j, '\b'); break;
		case 'f': put(j, '\f'); break;
		case 'n': put(j, '\n'); break;
		case 'r': put(j, '\r'); break;
		case 't': put(j, '\t'); break;
		case 'u':
			if ((rc = hex4(j, &cp)))
				return rc;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return fail(j, "a lone low surrogate");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (j->end - j->p < 2 || j->p[0] != '\\' ||
				    j->p[1] != 'u')
					return fail(j, "a lone high surrogate");
				j->p += 2;
				if ((rc = hex4(j, &lo)))
					return rc;
				if (lo < 0xdc00 || lo > 0xdfff)
					return fail(j, "a lone high surrogate");
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			if (cp == 0)
				return fail(j, "a NUL character in a string");
			put_utf8(j, cp);
			break;
		default:
			j->p--;
			return fail(j, "an unknown escape in a string");
		}
	}
	j->p++;
	if (out) {
		out->type = POINTS_CEL_STRING;
		out->u.s.p = j->chars + first;
		out->u.s.n = j->ci - first;
	}
	return POINTS_OK;
}

static int
number(jp *j, points_cel_value *out)
{
	int neg = 0;
	uint64_t v = 0, lim;

	if (*j->p == '-') {
		neg = 1;
		j->p++;
	}
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return fail(j, "a number needs digits");
	if (*j->p == '0' && j->end - j->p > 1 && j->p[1] >= '0' &&
	    j->p[1] <= '9')
		return fail(j, "a number has a leading zero");
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
		unsigned d = (unsigned)(*j->p - '0');

		if (v > (lim - d) / 10)
			return fail(j, "a number is out of the int64 range");
		v = v * 10 + d;
		j->p++;
	}
	if (j->p < j->end && (*j->p == '.' || *j->p == 'e' || *j->p == 'E'))
		return fail(j, "a number with a fraction or an exponent: "
		    "the rule language has integers only");
	if (j->fill) {
		out->type = POINTS_CEL_INT;
		out->u.i = neg ? (int64_t)(0 - v) : (int64_t)v;
	}
	return POINTS_OK;
}

static int
word(jp *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return fail(j, "an unexpected character");
	j->p += n;
	return POINTS_OK;
}

static int value(jp *j, points_cel_value *out);

/* An array or an object: j->p is at its bracket. */
static int
container(jp *j, points_cel_value *out)
{
	int obj = *j->p == '{';
	char close = obj ? '}' : ']';
	size_t n = 0, my = j->nconts, base = 0, i;
	int rc;

	if (++j->depth > POINTS_CEL_MAX_DEPTH)
		return fail(j, "nested too deep");
	if (j->fill) {
		n = j->sizes[j->ki++];
		if (obj) {
			base = j->ei;
			j->ei += n;
		} else {
			base = j->vi;
			j->vi += n;
		}
	} else {
		j->nconts++;
	}
	j->p++;
	skip_ws(j);
	for (i = 0;; i++) {
		points_cel_value *slot = NULL;

		if (j->p < j->end && *j->p == close && i == 0)
			break;
		if (obj) {
			points_cel_value k, *kp = j->fill ? &k : NULL;

			skip_ws(j);
			if (j->p >= j->end || *j->p != '"')
				return fail(j, "an object key must be a "
				    "string");
			if ((rc = string(j, kp)))
				return rc;
			if (kp) {
				size_t e;

				for (e = base; e < base + i; e++)
					if (j->ents[e].key.u.s.n == k.u.s.n &&
					    memcmp(j->ents[e].key.u.s.p,
					    k.u.s.p, k.u.s.n) == 0)
						return fail(j, "a key appears "
						    "twice in an object");
				j->ents[base + i].key = k;
				slot = &j->ents[base + i].value;
			} else {
				j->nents++;
			}
			skip_ws(j);
			if (j->p >= j->end || *j->p != ':')
				return fail(j, "':' expected after a key");
			j->p++;
		} else if (j->fill) {
			slot = &j->vals[base + i];
		} else {
			j->nvals++;
		}
		if ((rc = value(j, slot)))
			return rc;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			skip_ws(j);
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			i++;
			break;
		}
		return fail(j, obj ? "',' or '}' expected" :
		    "',' or ']' expected");
	}
	j->p++;
	j->depth--;
	if (!j->fill) {
		if (j->sizes)
			j->sizes[my] = i;
		return POINTS_OK;
	}
	if (obj) {
		out->type = POINTS_CEL_MAP;
		out->u.map.e = j->ents + base;
		out->u.map.n = n;
	} else {
		out->type = POINTS_CEL_LIST;
		out->u.list.v = j->vals + base;
		out->u.list.n = n;
	}
	return POINTS_OK;
}

static int
value(jp *j, points_cel_value *out)
{
	points_cel_value dummy;
	int rc;

	if (!out)
		out = &dummy;
	skip_ws(j);
	if (j->p >= j->end)
		return fail(j, "a value expected");
	switch (*j->p) {
	case '{': case '[':
		return container(j, out);
	case '"':
		return string(j, out);
	case 't':
		if ((rc = word(j, "true")) == POINTS_OK)
			*out = points_cel__bool(1);
		return rc;
	case 'f':
		if ((rc = word(j, "false")) == POINTS_OK)
			*out = points_cel__bool(0);
		return rc;
	case 'n':
		if ((rc = word(j, "null")) == POINTS_OK)
			out->type = POINTS_CEL_NULL;
		return rc;
	default:
		if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9'))
			return number(j, out);
		return fail(j, "an unexpected character");
	}
}

static int
pass(jp *j, points_cel_value *root)
{
	int rc;

	j->p = j->start;
	j->depth = 0;
	if ((rc = value(j, root)))
		return rc;
	skip_ws(j);
	if (j->p != j->end)
		return fail(j, "text after the value");
	return POINTS_OK;
}

int
points_json__parse(const char *text, size_t n, points_json *out,
    char *err, size_t errcap)
{
	jp j;
	size_t sz_sizes, sz_vals, sz_ents;
	unsigned char *mem;
	int rc;

	memset(&j, 0, sizeof(j));
	j.start = text;
	j.end = text + n;
	j.err = err;
	j.errcap = errcap;
	out->mem = NULL;
	out->root.type = POINTS_CEL_NULL;
	/* count, with no sizes kept; then again, keeping them */
	if ((rc = pass(&j, NULL)))
		return rc;
	sz_sizes = j.nconts * sizeof(size_t);
	sz_vals = j.nvals * sizeof(points_cel_value);
	sz_ents = j.nents * sizeof(points_cel_entry);
	mem = points_alloc__malloc(sz_vals + sz_ents + sz_sizes + j.nchars + 1);
	if (!mem)
		return POINTS_ENOMEM;
	j.vals = (points_cel_value *)mem;
	j.ents = (points_cel_entry *)(mem + sz_vals);
	j.sizes = (size_t *)(mem + sz_vals + sz_ents);
	j.chars = (char *)(mem + sz_vals + sz_ents + sz_sizes);
	j.nconts = j.nvals = j.nents = j.nchars = 0;
	if ((rc = pass(&j, NULL)) == POINTS_OK) {
		j.fill = 1;
		rc = pass(&j, &out->root);
	}
	if (rc) {
		points_alloc__free(mem);
		return rc;
	}
	out->mem = mem;
	return POINTS_OK;
}

void
points_json__free(points_json *j)
{
	if (j) {
		points_alloc__free(j->mem);
		j->mem = NULL;
	}
}
