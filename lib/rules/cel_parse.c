/* cel_parse.c - the rule language's lexer and parser: CEL's grammar
 * (cel-spec, langdef.md), one pass that emits the postfix program as it
 * parses.  Parsing recurses, at most POINTS_CEL_MAX_DEPTH expressions
 * deep; the program it makes has only forward jumps, but for the one
 * backward jump at the end of each comprehension's body.  The parser
 * tracks the evaluation stack's depth exactly, so a comprehension's
 * variables are stack slots known here. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "rules/cel.h"

enum {
	T_EOF, T_INT, T_STR, T_IDENT, T_TRUE, T_FALSE, T_NULL, T_IN,
	T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_LBRACE, T_RBRACE,
	T_DOT, T_COMMA, T_COLON, T_QUEST, T_PLUS, T_MINUS, T_STAR, T_SLASH,
	T_PERCENT, T_NOT, T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_AND, T_OR
};

typedef struct {
	int kind;
	size_t pos;		/* byte offset in src */
	size_t len;
	uint64_t num;		/* T_INT: the magnitude */
	size_t str, strn;	/* T_STR: the decoded bytes in the pool */
} tok;

typedef struct {
	const char *src;
	const points_cel_decls *names;
	char *err;
	size_t errcap;
	int failed;		/* POINTS_EINVAL or POINTS_ENOMEM once failed */
	size_t pos;
	tok t;			/* the current token */
	int depth;
	int stack, maxstack;	/* the evaluation stack's depth, tracked */
	points_cel_prog *p;
	size_t capcode, capconst, capents, npool;
	/* the comprehensions' variables in scope, innermost last */
	struct {
		size_t pos, len;	/* the name in src */
		uint32_t slot;		/* the range's stack slot */
		int what;		/* POINTS_CEL_VAR_* */
	} scope[2 * POINTS_CEL_MAX_LOOPS];
	int nscope, loops;
	/* the declared type of the variable just parsed, and where its
	 * name ends */
	const points_cel_field *vtype;
	size_t vend;
} parser;

static void
fail(parser *ps, size_t pos, const char *fmt, const char *arg, size_t argn)
{
	char what[256];

	if (ps->failed)
		return;
	ps->failed = POINTS_EINVAL;
	if (arg)
		snprintf(what, sizeof(what), fmt, (int)(argn > 64 ? 64 : argn), arg);
	else
		snprintf(what, sizeof(what), "%s", fmt);
	if (ps->errcap)
		snprintf(ps->err, ps->errcap, "col %zu: %s", pos + 1, what);
}

static void
oom(parser *ps)
{
	if (ps->failed)
		return;
	ps->failed = POINTS_ENOMEM;
	if (ps->errcap)
		snprintf(ps->err, ps->errcap, "out of memory");
}

/* ---- Lexer ---- */

static int
is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Write cp as UTF-8; returns the bytes written. */
static size_t
utf8_put(char *d, uint32_t cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xC0 | (cp >> 6));
		d[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xE0 | (cp >> 12));
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		d[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	d[0] = (char)(0xF0 | (cp >> 18));
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	d[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static void
lex_string(parser *ps, tok *t)
{
	const char *s = ps->src;
	size_t i = ps->pos;
	char q = s[i++];
	char *out = ps->p->pool + ps->npool;
	size_t n = 0;

	if (s[i] == q && s[i + 1] == q) {
		fail(ps, t->pos, "triple-quoted strings are outside the subset",
		    NULL, 0);
		return;
	}
	for (;;) {
		char c = s[i];

		if (c == '\0' || c == '\n' || c == '\r') {
			fail(ps, t->pos, "unterminated string", NULL, 0);
			return;
		}
		if (c == q) {
			i++;
			break;
		}
		if (c != '\\') {
			out[n++] = c;
			i++;
			continue;
		}
		c = s[i + 1];
		i += 2;
		switch (c) {
		case '\\': case '"': case '\'': case '`': case '?':
			out[n++] = c;
			break;
		case 'a': out[n++] = '\a'; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'v': out[n++] = '\v'; break;
		case 'x': case 'X': case 'u': case 'U': {
			/* A code point, written as UTF-8. */
			int digits = c == 'u' ? 4 : c == 'U' ? 8 : 2, k, h;
			uint32_t cp = 0;

			for (k = 0; k < digits; k++) {
				if ((h = hexval(s[i + k])) < 0) {
					fail(ps, i - 2, "bad \\%.*s escape", s + i - 1,
					    1);
					return;
				}
				cp = cp * 16 + (uint32_t)h;
			}
			i += (size_t)digits;
			if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
				fail(ps, i - 2 - (size_t)digits,
				    "escape is not a code point", NULL, 0);
				return;
			}
			n += utf8_put(out + n, cp);
			break;
		}
		case '0': case '1': case '2': case '3': {
			int k;
			uint32_t cp = (uint32_t)(c - '0');

			for (k = 0; k < 2; k++) {
				if (s[i + k] < '0' || s[i + k] > '7') {
					fail(ps, i - 2, "bad octal escape", NULL,
					    0);
					return;
				}
				cp = cp * 8 + (uint32_t)(s[i + k] - '0');
			}
			i += 2;
			n += utf8_put(out + n, cp);
			break;
		}
		default:
			fail(ps, i - 2, "escape '\\%.*s' is outside the subset",
			    s + i - 1, c ? 1 : 0);
			return;
		}
	}
	t->kind = T_STR;
	t->str = ps->npool;
	t->strn = n;
	ps->npool += n + 1;
	out[n] = '\0';
	ps->pos = i;
}

static void
lex_number(parser *ps, tok *t)
{
	const char *s = ps->src;
	size_t i = ps->pos;
	uint64_t v = 0;
	int over = 0;

	if (s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		i += 2;
		if (hexval(s[i]) < 0) {
			fail(ps, t->pos, "bad hex literal", NULL, 0);
			return;
		}
		for (; hexval(s[i]) >= 0; i++) {
			if (v > (UINT64_MAX >> 4))
				over = 1;
			v = v * 16 + (uint64_t)hexval(s[i]);
		}
	} else {
		for (; is_digit(s[i]); i++) {
			unsigned d = (unsigned)(s[i] - '0');

			if (v > (UINT64_MAX - d) / 10)
				over = 1;
			v = v * 10 + d;
		}
		if (s[i] == '.' && is_digit(s[i + 1])) {
			fail(ps, t->pos, "double literals are outside the subset",
			    NULL, 0);
			return;
		}
		if (s[i] == 'e' || s[i] == 'E') {
			fail(ps, t->pos, "double literals are outside the subset",
			    NULL, 0);
			return;
		}
	}
	if (s[i] == 'u' || s[i] == 'U') {
		fail(ps, t->pos, "uint literals are outside the subset", NULL, 0);
		return;
	}
	if (is_ident_start((unsigned char)s[i])) {
		fail(ps, i, "bad number", NULL, 0);
		return;
	}
	/* 2^63 is allowed here only as the operand of a unary minus. */
	if (over || v > (uint64_t)INT64_MAX + 1) {
		fail(ps, t->pos, "int literal out of range", NULL, 0);
		return;
	}
	t->kind = T_INT;
	t->num = v;
	ps->pos = i;
}

static const char *const reserved[] = {
	"as", "break", "const", "continue", "else", "for", "function", "if",
	"import", "let", "loop", "package", "namespace", "return", "var",
	"void", "while", NULL
};

static void
next(parser *ps)
{
	const char *s = ps->src;
	tok *t = &ps->t;
	char c;

	if (ps->failed) {
		t->kind = T_EOF;
		return;
	}
	for (;;) {
		c = s[ps->pos];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f') {
			ps->pos++;
		} else if (c == '/' && s[ps->pos + 1] == '/') {
			while (s[ps->pos] && s[ps->pos] != '\n')
				ps->pos++;
		} else {
			break;
		}
	}
	memset(t, 0, sizeof(*t));
	t->pos = ps->pos;
	if (c == '\0') {
		t->kind = T_EOF;
		return;
	}
	if (is_digit(c) || (c == '.' && is_digit(s[ps->pos + 1]))) {
		if (c == '.') {
			fail(ps, t->pos, "double literals are outside the subset",
			    NULL, 0);
			t->kind = T_EOF;
			return;
		}
		lex_number(ps, t);
		if (ps->failed)
			t->kind = T_EOF;
		t->len = ps->pos - t->pos;
		return;
	}
	if (c == '"' || c == '\'') {
		lex_string(ps, t);
		if (ps->failed)
			t->kind = T_EOF;
		t->len = ps->pos - t->pos;
		return;
	}
	if (is_ident_start((unsigned char)c)) {
		size_t i = ps->pos, n;
		int k;

		while (is_ident_start((unsigned char)s[i]) || is_digit(s[i]))
			i++;
		n = i - ps->pos;
		if ((s[i] == '"' || s[i] == '\'') && n <= 2 &&
		    strspn(s + ps->pos, "bBrR") >= n) {
			fail(ps, t->pos, (c == 'r' || c == 'R') && n == 1 ?
			    "raw strings are outside the subset" :
			    "bytes literals are outside the subset", NULL, 0);
			t->kind = T_EOF;
			return;
		}
		t->len = n;
		ps->pos = i;
		t->kind = T_IDENT;
		if (n == 4 && !memcmp(s + t->pos, "true", 4))
			t->kind = T_TRUE;
		else if (n == 5 && !memcmp(s + t->pos, "false", 5))
			t->kind = T_FALSE;
		else if (n == 4 && !memcmp(s + t->pos, "null", 4))
			t->kind = T_NULL;
		else if (n == 2 && !memcmp(s + t->pos, "in", 2))
			t->kind = T_IN;
		for (k = 0; reserved[k]; k++)
			if (strlen(reserved[k]) == n &&
			    !memcmp(reserved[k], s + t->pos, n)) {
				fail(ps, t->pos, "reserved word '%.*s'",
				    s + t->pos, n);
				t->kind = T_EOF;
				return;
			}
		return;
	}
	ps->pos++;
	t->len = 1;
#define TWO(ch, k2, k1) \
	if (s[ps->pos] == (ch)) { ps->pos++; t->len = 2; t->kind = (k2); } \
	else t->kind = (k1)
	switch (c) {
	case '(': t->kind = T_LPAREN; break;
	case ')': t->kind = T_RPAREN; break;
	case '[': t->kind = T_LBRACK; break;
	case ']': t->kind = T_RBRACK; break;
	case '{': t->kind = T_LBRACE; break;
	case '}': t->kind = T_RBRACE; break;
	case '.': t->kind = T_DOT; break;
	case ',': t->kind = T_COMMA; break;
	case ':': t->kind = T_COLON; break;
	case '?': t->kind = T_QUEST; break;
	case '+': t->kind = T_PLUS; break;
	case '-': t->kind = T_MINUS; break;
	case '*': t->kind = T_STAR; break;
	case '/': t->kind = T_SLASH; break;
	case '%': t->kind = T_PERCENT; break;
	case '!': TWO('=', T_NE, T_NOT); break;
	case '<': TWO('=', T_LE, T_LT); break;
	case '>': TWO('=', T_GE, T_GT); break;
	case '=':
		if (s[ps->pos] == '=') {
			ps->pos++;
			t->len = 2;
			t->kind = T_EQ;
			break;
		}
		fail(ps, t->pos, "unexpected '=' (equality is '==')", NULL, 0);
		t->kind = T_EOF;
		break;
	case '&':
		if (s[ps->pos] == '&') {
			ps->pos++;
			t->len = 2;
			t->kind = T_AND;
			break;
		}
		fail(ps, t->pos, "unexpected '&'", NULL, 0);
		t->kind = T_EOF;
		break;
	case '|':
		if (s[ps->pos] == '|') {
			ps->pos++;
			t->len = 2;
			t->kind = T_OR;
			break;
		}
		fail(ps, t->pos, "unexpected '|'", NULL, 0);
		t->kind = T_EOF;
		break;
	default:
		fail(ps, t->pos, "unexpected character '%.*s'", s + t->pos, 1);
		t->kind = T_EOF;
		break;
	}
#undef TWO
}

/* ---- Emitting ---- */

/* Append an instruction whose effect on the stack is delta. */
static size_t
emit(parser *ps, int op, size_t pos, uint32_t a, int delta)
{
	points_cel_prog *p = ps->p;
	points_cel_insn *in;

	if (ps->failed)
		return 0;
	if (p->ncode == ps->capcode) {
		size_t cap = ps->capcode ? ps->capcode * 2 : 32;
		points_cel_insn *c = points_alloc__realloc(p->code,
		    cap * sizeof(*c));

		if (!c) {
			oom(ps);
			return 0;
		}
		p->code = c;
		ps->capcode = cap;
	}
	if (p->ncode >= UINT32_MAX / 2) {
		fail(ps, pos, "expression too long", NULL, 0);
		return 0;
	}
	in = &p->code[p->ncode];
	memset(in, 0, sizeof(*in));
	in->op = (uint8_t)op;
	in->col = pos + 1 > UINT16_MAX ? UINT16_MAX : (uint16_t)(pos + 1);
	in->a = a;
	ps->stack += delta;
	if (ps->stack > ps->maxstack)
		ps->maxstack = ps->stack;
	if (ps->stack > POINTS_CEL_STACK)
		fail(ps, pos, "expression too large", NULL, 0);
	return p->ncode++;
}

static uint32_t
constant(parser *ps, points_cel_value v)
{
	points_cel_prog *p = ps->p;

	if (ps->failed)
		return 0;
	if (p->nconst == ps->capconst) {
		size_t cap = ps->capconst ? ps->capconst * 2 : 8;
		points_cel_value *c = points_alloc__realloc(p->consts,
		    cap * sizeof(*c));

		if (!c) {
			oom(ps);
			return 0;
		}
		p->consts = c;
		ps->capconst = cap;
	}
	p->consts[p->nconst] = v;
	return (uint32_t)p->nconst++;
}

/* ---- Constant lists and maps ----
 * A literal whose elements are all constants is folded into one
 * constant, so that evaluating it (in a comprehension's body, many
 * times) takes nothing from the scratch.  While compiling, a folded
 * constant's elements are named by their index in consts (ents for a
 * map), as the arrays may still move; fix_consts makes them pointers
 * when the program is done. */

/* Whether the code since at is one CONST. */
static int
one_const(parser *ps, size_t at)
{
	return !ps->failed && ps->p->ncode == at + 1 &&
	    ps->p->code[at].op == POINTS_CEL_OP_CONST;
}

static points_cel_entry *
take_ents(parser *ps, size_t n)
{
	points_cel_prog *p = ps->p;

	if (p->nents + n > ps->capents) {
		size_t cap = ps->capents ? ps->capents * 2 : 8;
		points_cel_entry *e;

		while (cap < p->nents + n)
			cap *= 2;
		if (!(e = points_alloc__realloc(p->ents, cap * sizeof(*e)))) {
			oom(ps);
			return NULL;
		}
		p->ents = e;
		ps->capents = cap;
	}
	p->nents += n;
	return p->ents + p->nents - n;
}

/* The last n values (2n keys and values for a map) are CONSTs: one
 * constant instead, unless a map's keys are not valid (evaluation then
 * says why). */
static void
fold(parser *ps, size_t pos, uint32_t n, int is_map)
{
	points_cel_prog *p = ps->p;
	size_t first = p->ncode - (is_map ? 2 * (size_t)n : n), k, j;
	points_cel_value v;

	if (ps->failed)
		return;
	memset(&v, 0, sizeof(v));
	if (!is_map) {
		size_t start = p->nconst;

		for (k = 0; k < n && !ps->failed; k++) {
			points_cel_value e = p->consts[p->code[first + k].a];

			constant(ps, e);
		}
		v.type = POINTS_CEL_LIST;
		v.u.list.v = (const points_cel_value *)(uintptr_t)start;
		v.u.list.n = n;
	} else {
		size_t start = p->nents;
		points_cel_entry *e = NULL;

		for (k = 0; k < n; k++) {
			const points_cel_value *key =
			    &p->consts[p->code[first + 2 * k].a];

			if (key->type != POINTS_CEL_INT &&
			    key->type != POINTS_CEL_STRING &&
			    key->type != POINTS_CEL_BOOL)
				goto keep;
			for (j = 0; j < k; j++)
				if (points_cel__equal(key,
				    &p->consts[p->code[first + 2 * j].a]) == 1)
					goto keep;
		}
		if (n && !(e = take_ents(ps, n)))
			return;
		for (k = 0; k < n; k++) {
			e[k].key = p->consts[p->code[first + 2 * k].a];
			e[k].value = p->consts[p->code[first + 2 * k + 1].a];
		}
		v.type = POINTS_CEL_MAP;
		v.u.map.e = (const points_cel_entry *)(uintptr_t)start;
		v.u.map.n = n;
	}
	if (ps->failed)
		return;
	p->ncode = first;
	emit(ps, POINTS_CEL_OP_CONST, pos, constant(ps, v),
	    1 - (int)(is_map ? 2 * n : n));
	return;
keep:
	emit(ps, POINTS_CEL_OP_MAP, pos, n, 1 - 2 * (int)n);
}

static void
fix_value(points_cel_prog *p, points_cel_value *v)
{
	/* an empty one points nowhere (ents may be NULL then) */
	if (v->type == POINTS_CEL_LIST)
		v->u.list.v = v->u.list.n ?
		    p->consts + (uintptr_t)v->u.list.v : NULL;
	else if (v->type == POINTS_CEL_MAP)
		v->u.map.e = v->u.map.n ?
		    p->ents + (uintptr_t)v->u.map.e : NULL;
}

static void
fix_consts(points_cel_prog *p)
{
	size_t k;

	for (k = 0; k < p->nconst; k++)
		fix_value(p, &p->consts[k]);
	for (k = 0; k < p->nents; k++)
		fix_value(p, &p->ents[k].value);
}

/* A string constant of the bytes src[pos..pos+n) copied to the pool. */
static uint32_t
name_constant(parser *ps, size_t pos, size_t n)
{
	points_cel_value v;
	char *d = ps->p->pool + ps->npool;

	memcpy(d, ps->src + pos, n);
	d[n] = '\0';
	ps->npool += n + 1;
	v.type = POINTS_CEL_STRING;
	v.u.s.p = d;
	v.u.s.n = n;
	return constant(ps, v);
}

static void
expect(parser *ps, int kind, const char *what)
{
	if (ps->failed)
		return;
	if (ps->t.kind != kind) {
		if (ps->t.kind == T_EOF)
			fail(ps, ps->t.pos, "expected %.*s, found the end",
			    what, strlen(what));
		else
			fail(ps, ps->t.pos, "expected %.*s", what, strlen(what));
		return;
	}
	next(ps);
}

/* ---- Parser ---- */

static void parse_expr(parser *ps);
static void parse_or(parser *ps);

static int
ident_is(parser *ps, const tok *t, const char *w)
{
	return t->len == strlen(w) && !memcmp(ps->src + t->pos, w, t->len);
}

static const char *const macros[] = {
	"all", "exists", "exists_one", "map", "filter", "existsOne",
	"transformList", "transformMap", NULL
};

/* Arguments up to ')'; returns how many. */
static int
parse_args(parser *ps)
{
	int n = 0;

	next(ps);	/* ( */
	if (ps->t.kind != T_RPAREN) {
		for (;;) {
			parse_expr(ps);
			n++;
			if (ps->t.kind != T_COMMA)
				break;
			next(ps);
		}
	}
	expect(ps, T_RPAREN, "')'");
	return n;
}

static void
call(parser *ps, const tok *name, int fn, int argc, int want)
{
	size_t at;

	if (ps->failed)
		return;
	if (argc != want) {
		char buf[96];

		snprintf(buf, sizeof(buf), "%.*s() takes %d argument%s, not %d",
		    (int)(name->len > 32 ? 32 : name->len),
		    ps->src + name->pos, want, want == 1 ? "" : "s", argc);
		fail(ps, name->pos, buf, NULL, 0);
		return;
	}
	at = emit(ps, POINTS_CEL_OP_CALL, name->pos, (uint32_t)argc, 1 - argc);
	if (!ps->failed)
		ps->p->code[at].fn = (uint8_t)fn;
}

static void
unknown_function(parser *ps, const tok *name, int method)
{
	int k;

	for (k = 0; macros[k]; k++)
		if (ident_is(ps, name, macros[k])) {
			fail(ps, name->pos, method ?
			    "macro '%.*s' is outside the subset" :
			    "macro '%.*s' is called on a list or a map, "
			    "like r.all(x, p)",
			    ps->src + name->pos, name->len);
			return;
		}
	if (method && ident_is(ps, name, "sum")) {
		fail(ps, name->pos, "sum is a function: sum(list), not "
		    "list.sum()", NULL, 0);
		return;
	}
	if (ident_is(ps, name, "matches") || ident_is(ps, name, "type") ||
	    ident_is(ps, name, "double") || ident_is(ps, name, "uint") ||
	    ident_is(ps, name, "bytes") || ident_is(ps, name, "timestamp") ||
	    ident_is(ps, name, "duration")) {
		fail(ps, name->pos, "function '%.*s' is outside the subset",
		    ps->src + name->pos, name->len);
		return;
	}
	fail(ps, name->pos, method ? "unknown method '%.*s'" :
	    "unknown function '%.*s'", ps->src + name->pos, name->len);
}

/* A global call name(...), the current token at '('. */
static void
global_call(parser *ps, const tok *name)
{
	int argc, fn, want;

	if (ident_is(ps, name, "has")) {
		next(ps);	/* ( */
		/* has(e.f): e, then HAS with f's name. */
		ps->depth++;
		if (ps->depth > POINTS_CEL_MAX_DEPTH + 1) {
			fail(ps, ps->t.pos, "expression nested too deeply "
			    "(limit 32)", NULL, 0);
			return;
		}
		{
			/* Parse a member expression and require that its
			 * last step be a field selection: compile it, then
			 * turn the final SELECT into HAS. */
			size_t start = ps->p->ncode;

			parse_or(ps);
			if (ps->failed)
				return;
			if (ps->p->ncode == start ||
			    ps->p->code[ps->p->ncode - 1].op != POINTS_CEL_OP_SELECT ||
			    ps->t.kind != T_RPAREN) {
				fail(ps, name->pos, "has() takes a field "
				    "selection, like has(a.b)", NULL, 0);
				return;
			}
			ps->p->code[ps->p->ncode - 1].op = POINTS_CEL_OP_HAS;
		}
		ps->depth--;
		expect(ps, T_RPAREN, "')'");
		return;
	}
	/* Name the function before its arguments, whose errors would
	 * hide that the function is outside the subset (a macro's
	 * variable). */
	if (ident_is(ps, name, "size"))
		fn = POINTS_CEL_FN_SIZE, want = 1;
	else if (ident_is(ps, name, "int"))
		fn = POINTS_CEL_FN_INT, want = 1;
	else if (ident_is(ps, name, "string"))
		fn = POINTS_CEL_FN_STRING, want = 1;
	else if (ident_is(ps, name, "min"))
		fn = POINTS_CEL_FN_MIN, want = 2;
	else if (ident_is(ps, name, "max"))
		fn = POINTS_CEL_FN_MAX, want = 2;
	else if (ident_is(ps, name, "floor_div"))
		fn = POINTS_CEL_FN_FLOOR_DIV, want = 2;
	else if (ident_is(ps, name, "dyn"))
		fn = POINTS_CEL_FN_DYN, want = 1;
	else if (ident_is(ps, name, "sum"))
		fn = POINTS_CEL_FN_SUM, want = 1;
	else if (ident_is(ps, name, "year"))
		fn = POINTS_CEL_FN_YEAR, want = 1;
	else if (ident_is(ps, name, "month"))
		fn = POINTS_CEL_FN_MONTH, want = 1;
	else if (ident_is(ps, name, "day"))
		fn = POINTS_CEL_FN_DAY, want = 1;
	else if (ident_is(ps, name, "weekday"))
		fn = POINTS_CEL_FN_WEEKDAY, want = 1;
	else {
		unknown_function(ps, name, 0);
		return;
	}
	argc = parse_args(ps);
	call(ps, name, fn, argc, want);
}

/* A name: a comprehension's variable (the innermost of that name), or
 * a declared one, whose type ps->vtype then is. */
static void
variable(parser *ps, const tok *name)
{
	size_t k;
	int i;

	for (i = ps->nscope - 1; i >= 0; i--)
		if (ps->scope[i].len == name->len &&
		    !memcmp(ps->src + ps->scope[i].pos, ps->src + name->pos,
		    name->len)) {
			k = emit(ps, POINTS_CEL_OP_LOOP_VAR, name->pos,
			    ps->scope[i].slot, 1);
			if (!ps->failed)
				ps->p->code[k].fn = (uint8_t)ps->scope[i].what;
			return;
		}
	for (k = 0; ps->names && k < ps->names->n; k++) {
		const char *nm = ps->names->names[k];

		if (strlen(nm) == name->len &&
		    !memcmp(nm, ps->src + name->pos, name->len)) {
			emit(ps, POINTS_CEL_OP_VAR, name->pos, (uint32_t)k, 1);
			if (ps->names->types) {
				ps->vtype = &ps->names->types[k];
				ps->vend = name->pos + name->len;
			}
			return;
		}
	}
	fail(ps, name->pos, "unknown variable '%.*s'", ps->src + name->pos,
	    name->len);
}

static void
parse_primary(parser *ps)
{
	tok t = ps->t;
	points_cel_value v;

	switch (t.kind) {
	case T_INT:
		if (t.num > (uint64_t)INT64_MAX) {
			fail(ps, t.pos, "int literal out of range", NULL, 0);
			return;
		}
		emit(ps, POINTS_CEL_OP_CONST, t.pos,
		    constant(ps, points_cel__int((int64_t)t.num)), 1);
		next(ps);
		return;
	case T_STR:
		v.type = POINTS_CEL_STRING;
		v.u.s.p = ps->p->pool + t.str;
		v.u.s.n = t.strn;
		emit(ps, POINTS_CEL_OP_CONST, t.pos, constant(ps, v), 1);
		next(ps);
		return;
	case T_TRUE:
	case T_FALSE:
		emit(ps, POINTS_CEL_OP_CONST, t.pos,
		    constant(ps, points_cel__bool(t.kind == T_TRUE)), 1);
		next(ps);
		return;
	case T_NULL:
		v.type = POINTS_CEL_NULL;
		emit(ps, POINTS_CEL_OP_CONST, t.pos, constant(ps, v), 1);
		next(ps);
		return;
	case T_LPAREN:
		next(ps);
		parse_expr(ps);
		expect(ps, T_RPAREN, "')'");
		return;
	case T_LBRACK: {
		uint32_t n = 0;
		int consts = 1;

		next(ps);
		while (!ps->failed && ps->t.kind != T_RBRACK) {
			size_t at = ps->p->ncode;

			parse_expr(ps);
			consts &= one_const(ps, at);
			n++;
			if (ps->t.kind != T_COMMA)
				break;
			next(ps);
		}
		expect(ps, T_RBRACK, "']'");
		if (consts)
			fold(ps, t.pos, n, 0);
		else
			emit(ps, POINTS_CEL_OP_LIST, t.pos, n, 1 - (int)n);
		return;
	}
	case T_LBRACE: {
		uint32_t n = 0;
		int consts = 1;

		next(ps);
		while (!ps->failed && ps->t.kind != T_RBRACE) {
			size_t at = ps->p->ncode;

			parse_expr(ps);
			consts &= one_const(ps, at);
			expect(ps, T_COLON, "':'");
			at = ps->p->ncode;
			parse_expr(ps);
			consts &= one_const(ps, at);
			n++;
			if (ps->t.kind != T_COMMA)
				break;
			next(ps);
		}
		expect(ps, T_RBRACE, "'}'");
		if (consts)
			fold(ps, t.pos, n, 1);
		else
			emit(ps, POINTS_CEL_OP_MAP, t.pos, n, 1 - 2 * (int)n);
		return;
	}
	case T_DOT:
		fail(ps, t.pos, "leading '.' (root namespace) is outside the "
		    "subset", NULL, 0);
		return;
	case T_IDENT:
		next(ps);
		if (ps->t.kind == T_LPAREN) {
			global_call(ps, &t);
			return;
		}
		if (ps->t.kind == T_LBRACE) {
			fail(ps, t.pos, "message construction is outside the "
			    "subset", NULL, 0);
			return;
		}
		variable(ps, &t);
		return;
	case T_EOF:
		if (!ps->failed)
			fail(ps, t.pos, "unexpected end of expression", NULL, 0);
		return;
	default:
		fail(ps, t.pos, "unexpected '%.*s'", ps->src + t.pos, t.len);
		return;
	}
}

/* The macro named name, or -1; *two: it takes two variables. */
static int
macro_kind(parser *ps, const tok *name, int *two)
{
	*two = 0;
	if (ident_is(ps, name, "all"))
		return POINTS_CEL_LOOP_ALL;
	if (ident_is(ps, name, "exists"))
		return POINTS_CEL_LOOP_EXISTS;
	if (ident_is(ps, name, "exists_one"))
		return POINTS_CEL_LOOP_ONE;
	if (ident_is(ps, name, "map"))
		return POINTS_CEL_LOOP_MAP;
	if (ident_is(ps, name, "filter"))
		return POINTS_CEL_LOOP_FILTER;
	if (ident_is(ps, name, "existsOne")) {
		*two = 1;
		return POINTS_CEL_LOOP_ONE;
	}
	if (ident_is(ps, name, "transformList")) {
		*two = 1;
		return POINTS_CEL_LOOP_MAP;
	}
	return -1;
}

static void
patch(parser *ps, size_t at, int fn, uint32_t a, uint32_t b)
{
	if (ps->failed)
		return;
	if (fn >= 0)
		ps->p->code[at].fn = (uint8_t)fn;
	ps->p->code[at].a = a;
	ps->p->code[at].b = b;
}

/* A comprehension r.name(x, ...), r on the stack, the current token at
 * '(': as the CEL specification expands it (langdef.md, "Macros"),
 *	r LOOP_INIT(exit) [index, accumulator pushed]
 *	top: LOOP_NEXT(end)  body LOOP_STEP  JUMP top
 *	end: LOOP_END [the result replaces r, index, accumulator]  exit:
 * map(x, p, t) puts LOOP_FILTER(to the JUMP) between p and t. */
static void
comprehension(parser *ps, const tok *name, int kind, int two)
{
	uint32_t slot = (uint32_t)(ps->stack - 1);
	size_t init, top, filter = 0, jump;
	tok var[2];
	int nvars = 1, k, argc;
	char buf[96];

	memset(var, 0, sizeof(var));
	if (ps->failed)
		return;
	if (++ps->loops > POINTS_CEL_MAX_LOOPS) {
		fail(ps, name->pos, "comprehensions nested too deeply (limit 8)",
		    NULL, 0);
		return;
	}
	next(ps);	/* ( */
	var[0] = ps->t;
	if (var[0].kind == T_IDENT) {
		next(ps);
		if (ps->t.kind == T_COMMA) {
			next(ps);
			/* all, exists, existsOne: (i, v, p);
			 * transformList: (i, v, t), (i, v, p, t) */
			if (((kind != POINTS_CEL_LOOP_MAP &&
			    kind != POINTS_CEL_LOOP_FILTER) || two) &&
			    ps->t.kind == T_IDENT) {
				/* a look ahead: what it lexed is lexed
				 * again, and a string's bytes go to the
				 * pool again (found by the fuzzer) */
				size_t save = ps->pos, pool = ps->npool;

				var[1] = ps->t;
				next(ps);
				if (ps->t.kind == T_COMMA) {
					next(ps);
					nvars = 2;
				} else {
					ps->pos = save;
					ps->npool = pool;
					ps->t = var[1];
				}
			}
		} else if (ps->t.kind == T_RPAREN) {
			goto arity;
		} else {
			expect(ps, T_COMMA, "','");
			return;
		}
	} else {
		snprintf(buf, sizeof(buf), "%.*s(): the first argument must "
		    "be a variable name", (int)name->len, ps->src + name->pos);
		fail(ps, var[0].pos, buf, NULL, 0);
		return;
	}
	/* existsOne and transformList take two variables, exists_one
	 * one */
	if ((two && nvars != 2) ||
	    (kind == POINTS_CEL_LOOP_ONE && !two && nvars == 2))
		goto arity;
	if (ps->failed)
		return;
	init = emit(ps, POINTS_CEL_OP_LOOP_INIT, name->pos, 0, 2);
	top = emit(ps, POINTS_CEL_OP_LOOP_NEXT, name->pos, 0, 0);
	for (k = 0; k < nvars; k++) {
		ps->scope[ps->nscope].pos = var[k].pos;
		ps->scope[ps->nscope].len = var[k].len;
		ps->scope[ps->nscope].slot = slot;
		ps->scope[ps->nscope].what = nvars == 1 ? POINTS_CEL_VAR_ELEM :
		    k == 0 ? POINTS_CEL_VAR_INDEX : POINTS_CEL_VAR_VALUE;
		ps->nscope++;
	}
	parse_expr(ps);
	argc = nvars + 1;
	if (kind == POINTS_CEL_LOOP_MAP && ps->t.kind == T_COMMA) {
		/* map(x, p, t): p decides whether t is taken */
		filter = emit(ps, POINTS_CEL_OP_LOOP_FILTER, name->pos, 0, -1);
		next(ps);
		parse_expr(ps);
		argc++;
	}
	ps->nscope -= nvars;
	if (ps->failed)
		return;
	if (ps->t.kind == T_COMMA)
		goto arity;
	expect(ps, T_RPAREN, "')'");
	emit(ps, POINTS_CEL_OP_LOOP_STEP, name->pos, 0, -1);
	jump = emit(ps, POINTS_CEL_OP_JUMP, name->pos, (uint32_t)top, 0);
	if (filter)
		patch(ps, filter, -1, (uint32_t)jump, 0);
	patch(ps, top, kind, (uint32_t)(jump + 1), (uint32_t)(jump - top + 1));
	patch(ps, jump - 1, kind, 0, 0);
	emit(ps, POINTS_CEL_OP_LOOP_END, name->pos, 0, -2);
	patch(ps, jump + 1, kind, 0, 0);
	patch(ps, init, kind, (uint32_t)ps->p->ncode, 0);
	ps->loops--;
	return;
arity:
	(void)argc;
	snprintf(buf, sizeof(buf), "%.*s() takes %s arguments",
	    (int)name->len, ps->src + name->pos,
	    kind == POINTS_CEL_LOOP_MAP ? (two ? "3 or 4" : "2 or 3") :
	    two ? "3" :
	    kind == POINTS_CEL_LOOP_ONE || kind == POINTS_CEL_LOOP_FILTER ?
	    "2" : "2 or 3");
	fail(ps, name->pos, buf, NULL, 0);
}

/* A selection of field name (the token) of a value whose declared type
 * is *ty, the path from src[start] to ps->vend: the field's type, or
 * NULL (not known). */
static const points_cel_field *
typed_field(parser *ps, const points_cel_field *ty, size_t start,
    const tok *name)
{
	const points_cel_field *f;
	char buf[160];

	if (!ty || (ty->type == POINTS_CEL_MAP && !ty->fields))
		return NULL;
	for (f = ty->type == POINTS_CEL_MAP ? ty->fields : NULL; f && f->name;
	    f++)
		if (ident_is(ps, name, f->name)) {
			ps->vend = name->pos + name->len;
			return f;
		}
	snprintf(buf, sizeof(buf), "unknown field '%.*s' of '%.*s'",
	    (int)(name->len > 40 ? 40 : name->len), ps->src + name->pos,
	    (int)(ps->vend - start > 60 ? 60 : ps->vend - start),
	    ps->src + start);
	fail(ps, name->pos, buf, NULL, 0);
	return NULL;
}

static void
parse_member(parser *ps)
{
	const points_cel_field *ty;
	size_t start = ps->t.pos;

	ps->vtype = NULL;
	parse_primary(ps);
	ty = ps->vtype;
	ps->vtype = NULL;
	while (!ps->failed) {
		if (ps->t.kind == T_DOT) {
			tok name;

			next(ps);
			name = ps->t;
			if (name.kind != T_IDENT) {
				fail(ps, name.pos, "expected a field name after "
				    "'.'", NULL, 0);
				return;
			}
			next(ps);
			if (ps->t.kind == T_LPAREN) {
				/* A method: the receiver is the first
				 * argument. */
				int fn, want, two;

				ty = NULL;
				if ((fn = macro_kind(ps, &name, &two)) >= 0) {
					comprehension(ps, &name, fn, two);
					continue;
				}
				if (ident_is(ps, &name, "size"))
					fn = POINTS_CEL_FN_SIZE, want = 1;
				else if (ident_is(ps, &name, "startsWith"))
					fn = POINTS_CEL_FN_STARTS, want = 2;
				else if (ident_is(ps, &name, "endsWith"))
					fn = POINTS_CEL_FN_ENDS, want = 2;
				else if (ident_is(ps, &name, "contains"))
					fn = POINTS_CEL_FN_CONTAINS, want = 2;
				else {
					unknown_function(ps, &name, 1);
					return;
				}
				call(ps, &name, fn, parse_args(ps) + 1, want);
				continue;
			}
			{
				const points_cel_field *rec = ty;
				size_t at;

				ty = typed_field(ps, ty, start, &name);
				at = emit(ps, POINTS_CEL_OP_SELECT, name.pos,
				    name_constant(ps, name.pos, name.len), 0);
				/* where a record's field should be: tried
				 * first (the activation may differ) */
				if (ty && rec && !ps->failed)
					ps->p->code[at].b =
					    (uint32_t)(ty - rec->fields) + 1;
			}
		} else if (ps->t.kind == T_LBRACK) {
			size_t pos = ps->t.pos;

			ty = NULL;
			next(ps);
			parse_expr(ps);
			expect(ps, T_RBRACK, "']'");
			emit(ps, POINTS_CEL_OP_INDEX, pos, 0, -1);
		} else {
			return;
		}
	}
}

static void
parse_unary(parser *ps)
{
	tok t = ps->t;
	int n = 0;

	if (t.kind == T_NOT) {
		while (ps->t.kind == T_NOT) {
			n++;
			next(ps);
		}
		parse_member(ps);
		while (n--)
			emit(ps, POINTS_CEL_OP_NOT, t.pos, 0, 0);
		return;
	}
	if (t.kind == T_MINUS) {
		while (ps->t.kind == T_MINUS) {
			n++;
			next(ps);
		}
		/* -<int literal> is the literal: -9223372036854775808 is
		 * an int (CEL's grammar folds the sign in the same way). */
		if (ps->t.kind == T_INT) {
			tok lit = ps->t;
			size_t save = ps->pos;
			int k;

			next(ps);
			if (ps->t.kind != T_DOT && ps->t.kind != T_LBRACK) {
				int64_t v = lit.num > (uint64_t)INT64_MAX ?
				    INT64_MIN : -(int64_t)lit.num;

				emit(ps, POINTS_CEL_OP_CONST, t.pos,
				    constant(ps, points_cel__int(v)), 1);
				for (k = 1; k < n; k++)
					emit(ps, POINTS_CEL_OP_NEG, t.pos, 0, 0);
				return;
			}
			/* A member of the literal: back up. */
			ps->pos = save;
			ps->t = lit;
		}
		parse_member(ps);
		while (n--)
			emit(ps, POINTS_CEL_OP_NEG, t.pos, 0, 0);
		return;
	}
	parse_member(ps);
}

static void
parse_mul(parser *ps)
{
	parse_unary(ps);
	while (!ps->failed && (ps->t.kind == T_STAR || ps->t.kind == T_SLASH ||
	    ps->t.kind == T_PERCENT)) {
		tok op = ps->t;

		next(ps);
		parse_unary(ps);
		emit(ps, op.kind == T_STAR ? POINTS_CEL_OP_MUL : op.kind == T_SLASH ?
		    POINTS_CEL_OP_DIV : POINTS_CEL_OP_MOD, op.pos, 0, -1);
	}
}

static void
parse_add(parser *ps)
{
	parse_mul(ps);
	while (!ps->failed && (ps->t.kind == T_PLUS || ps->t.kind == T_MINUS)) {
		tok op = ps->t;

		next(ps);
		parse_mul(ps);
		emit(ps, op.kind == T_PLUS ? POINTS_CEL_OP_ADD : POINTS_CEL_OP_SUB, op.pos,
		    0, -1);
	}
}

static void
parse_rel(parser *ps)
{
	parse_add(ps);
	for (;;) {
		tok op = ps->t;
		int code;

		if (ps->failed)
			return;
		switch (op.kind) {
		case T_EQ: code = POINTS_CEL_OP_EQ; break;
		case T_NE: code = POINTS_CEL_OP_NE; break;
		case T_LT: code = POINTS_CEL_OP_LT; break;
		case T_LE: code = POINTS_CEL_OP_LE; break;
		case T_GT: code = POINTS_CEL_OP_GT; break;
		case T_GE: code = POINTS_CEL_OP_GE; break;
		case T_IN: code = POINTS_CEL_OP_IN; break;
		default: return;
		}
		next(ps);
		parse_add(ps);
		emit(ps, code, op.pos, 0, -1);
	}
}

static void
parse_and(parser *ps)
{
	parse_rel(ps);
	while (!ps->failed && ps->t.kind == T_AND) {
		tok op = ps->t;
		size_t j;

		next(ps);
		/* If the left is false, skip the right: the stack keeps
		 * the false. */
		j = emit(ps, POINTS_CEL_OP_AND_JUMP, op.pos, 0, 0);
		parse_rel(ps);
		emit(ps, POINTS_CEL_OP_AND, op.pos, 0, -1);
		if (!ps->failed)
			ps->p->code[j].a = (uint32_t)ps->p->ncode;
	}
}

static void
parse_or(parser *ps)
{
	parse_and(ps);
	while (!ps->failed && ps->t.kind == T_OR) {
		tok op = ps->t;
		size_t j;

		next(ps);
		j = emit(ps, POINTS_CEL_OP_OR_JUMP, op.pos, 0, 0);
		parse_and(ps);
		emit(ps, POINTS_CEL_OP_OR, op.pos, 0, -1);
		if (!ps->failed)
			ps->p->code[j].a = (uint32_t)ps->p->ncode;
	}
}

static void
parse_expr(parser *ps)
{
	if (ps->failed)
		return;
	/* The whole expression is level 0: CEL asks for 32 nested
	 * parentheses at least. */
	if (++ps->depth > POINTS_CEL_MAX_DEPTH + 1) {
		fail(ps, ps->t.pos, "expression nested too deeply (limit 32)",
		    NULL, 0);
		return;
	}
	parse_or(ps);
	if (!ps->failed && ps->t.kind == T_QUEST) {
		tok q = ps->t;
		size_t c, j;

		next(ps);
		/* COND pops the condition; false jumps to the else part,
		 * an error pushes itself and jumps to the end. */
		c = emit(ps, POINTS_CEL_OP_COND, q.pos, 0, -1);
		parse_or(ps);
		j = emit(ps, POINTS_CEL_OP_JUMP, q.pos, 0, -1);
		expect(ps, T_COLON, "':'");
		if (!ps->failed)
			ps->p->code[c].a = (uint32_t)ps->p->ncode;
		parse_expr(ps);
		if (!ps->failed) {
			ps->p->code[j].a = (uint32_t)ps->p->ncode;
			ps->p->code[c].b = (uint32_t)ps->p->ncode;
		}
	}
	ps->depth--;
}

void
points_cel__free(points_cel_prog *p)
{
	if (!p)
		return;
	points_alloc__free(p->code);
	points_alloc__free(p->consts);
	points_alloc__free(p->pool);
	points_alloc__free(p->ents);
	points_alloc__free(p);
}

int
points_cel__compile(const char *src, const points_cel_decls *names,
    points_cel_prog **out, char *err, size_t errcap)
{
	parser ps;
	size_t len;

	if (errcap)
		err[0] = '\0';
	if (!src || !out) {
		if (errcap)
			snprintf(err, errcap, "no expression");
		return POINTS_EINVAL;
	}
	memset(&ps, 0, sizeof(ps));
	ps.src = src;
	ps.names = names;
	ps.err = err;
	ps.errcap = errcap;
	ps.p = points_alloc__calloc(1, sizeof(*ps.p));
	if (!ps.p) {
		oom(&ps);
		return POINTS_ENOMEM;
	}
	/* Decoded strings and names are never longer than their source
	 * (each with a NUL), so the pool never moves. */
	len = strlen(src);
	ps.p->pool = points_alloc__malloc(len + 2);
	if (!ps.p->pool) {
		points_cel__free(ps.p);
		oom(&ps);
		return POINTS_ENOMEM;
	}
	ps.p->nvars = names ? names->n : 0;
	next(&ps);
	parse_expr(&ps);
	if (!ps.failed && ps.t.kind != T_EOF)
		fail(&ps, ps.t.pos, "unexpected '%.*s'", src + ps.t.pos,
		    ps.t.len);
	if (ps.failed) {
		points_cel__free(ps.p);
		return ps.failed;
	}
	fix_consts(ps.p);
	*out = ps.p;
	return POINTS_OK;
}
