/* cel.h - the rule language: a subset of Google's Common Expression
 * Language (CEL, github.com/google/cel-spec), compiled once to a flat
 * postfix program and evaluated without allocating (issue 18).
 *
 * Internal: no public API, no bindings; rules (rule.c) compile it and
 * events (event.c) evaluate it.
 *
 * In the subset:
 *   - literals: int (int64, decimal or 0x hex), bool, string ('..' or
 *     "..", with the escapes \\ \" \' \` \? \a \b \f \n \r \t \v and
 *     the code points \xHH \uHHHH \UHHHHHHHH \ooo, stored as UTF-8),
 *     null, list [a, b], map {k: v} (keys int, string or bool);
 *   - variables: only the names declared at compile time; their values
 *     come from the activation at evaluation time;
 *   - field selection a.b (a map's string key), indexing l[i] and m[k];
 *   - + - * / % on ints (truncating, as CEL: overflow and division by
 *     zero are errors), unary -, + on strings and on lists;
 *   - == != (any two values; values of different types are unequal),
 *     < <= > >= on ints, strings (bytewise) and bools;
 *   - && || ! with CEL's error absorption (false && error is false,
 *     true || error is true, either order), c ? a : b (one side only);
 *   - x in list (membership), k in map (key present; a k of another
 *     type than int, string, bool is an error); has(a.b);
 *   - size(x) and x.size() on strings (code points), lists and maps;
 *     int(int|string), string(int|string|bool); s.startsWith(t),
 *     s.endsWith(t), s.contains(t);
 *   - the comprehension macros, over a list's elements or a map's keys:
 *     r.all(x, p), r.exists(x, p), r.exists_one(x, p), r.filter(x, p),
 *     r.map(x, t), r.map(x, p, t); and with two variables (index or
 *     key, then element or value) r.all(i, v, p), r.exists(i, v, p),
 *     r.existsOne(i, v, p), r.transformList(i, v, t) and
 *     r.transformList(i, v, p, t).  all and exists absorb errors as &&
 *     and || do (a false, a true decides); the others are strict;
 *   - dyn(x), x itself (a hint to CEL's type checker);
 *   - ours (not in CEL's standard library): min(a, b), max(a, b) and
 *     floor_div(a, b) on ints (floor_div rounds towards minus infinity);
 *     sum(list) of ints (overflow is an error); year(t), month(t),
 *     day(t), weekday(t) of t in seconds since 1970 in the activation's
 *     UTC offset: month and day 1-based, weekday 1 Monday .. 7 Sunday.
 * Outside the subset, each a compile error naming the construct and its
 * column: doubles, uints, bytes, raw and triple-quoted strings, the
 * macro transformMap, optionals (.?f, [?k]),
 * backquoted field names (a.`b-c`), message construction
 * (T{...}), type names and type(), timestamps and durations, matches(),
 * any other function, and variables not declared.
 * Declarations may carry types (points_cel_field): then selecting a
 * field a record does not have is a compile error ("unknown field
 * 'amout' of 'event'").  Operators are not type-checked: a type mismatch
 * ("a" - 1) is an error value at evaluation.
 *
 * A program nests at most POINTS_CEL_MAX_DEPTH levels of parentheses,
 * lists, maps and calls within the whole expression, at most
 * POINTS_CEL_MAX_LOOPS comprehensions within each other, and needs at
 * most POINTS_CEL_STACK values of stack (a comprehension keeps its
 * state there: range, index, accumulator).  Its only backward jumps
 * are a comprehension's, each pass counted: an evaluation spends at
 * most POINTS_CEL_MAX_STEPS steps (an instruction of a comprehension's
 * body, or an element visited by in, a map lookup or sum()), beyond
 * which its value is the error "step budget exceeded".
 * Evaluation allocates nothing: what it makes (concatenations,
 * string(), list and map literals, map() and filter() results) lives in
 * a caller's scratch. */
#ifndef POINTS_RULES_CEL_H
#define POINTS_RULES_CEL_H

#include <stddef.h>
#include <stdint.h>

#define POINTS_CEL_MAX_DEPTH 32
#define POINTS_CEL_STACK 128
#define POINTS_CEL_MAX_LOOPS 8
#define POINTS_CEL_MAX_STEPS 100000
/* The UTC offsets the calendar functions accept, in seconds. */
#define POINTS_CEL_MAX_UTC_OFFSET 86400
#define POINTS_CEL_SCRATCH_CHARS 4096
#define POINTS_CEL_SCRATCH_VALS 512
#define POINTS_CEL_SCRATCH_ENTRIES 128

typedef enum {
	POINTS_CEL_NULL,
	POINTS_CEL_BOOL,
	POINTS_CEL_INT,
	POINTS_CEL_STRING,
	POINTS_CEL_LIST,
	POINTS_CEL_MAP,
	POINTS_CEL_ERROR
} points_cel_type;

typedef struct points_cel_value points_cel_value;
typedef struct points_cel_entry points_cel_entry;

/* A value.  Strings are UTF-8 with a length (not NUL-terminated); what
 * a value points to is borrowed: from the caller (the activation), the
 * program (its constants) or the scratch of the evaluation. */
struct points_cel_value {
	points_cel_type type;
	union {
		int b;
		int64_t i;
		struct {
			const char *p;
			size_t n;
		} s;
		struct {
			const points_cel_value *v;
			size_t n;
		} list;
		struct {
			const points_cel_entry *e;
			size_t n;
		} map;
		const char *err; /* NUL-terminated message */
	} u;
};

struct points_cel_entry {
	points_cel_value key;
	points_cel_value value;
};

/* What the compiler knows of a variable or a field: the type of its
 * values and, for a map whose keys are known (a record such as event),
 * its fields, ended by one whose name is NULL.  A map with fields NULL
 * may have any key. */
typedef struct points_cel_field {
	const char *name;
	points_cel_type type;
	const struct points_cel_field *fields;
} points_cel_field;

/* The variables a program may name, in order; the activation gives
 * their values in the same order.  types: NULL (nothing is known of
 * them), or one for each name, in the same order. */
typedef struct {
	const char *const *names;
	size_t n;
	const points_cel_field *types;
} points_cel_decls;

/* The values of the declared variables, and the UTC offset (seconds
 * east, at most POINTS_CEL_MAX_UTC_OFFSET either way) in which the
 * calendar functions see times. */
typedef struct {
	const points_cel_value *vals;
	size_t n;
	int64_t utc_offset;
} points_cel_activation;

/* Where an evaluation puts what it makes; results may point into it,
 * so it lives as long as the caller reads them. */
typedef struct {
	char chars[POINTS_CEL_SCRATCH_CHARS];
	points_cel_value vals[POINTS_CEL_SCRATCH_VALS];
	points_cel_entry ents[POINTS_CEL_SCRATCH_ENTRIES];
	size_t nchars, nvals, nents;
} points_cel_scratch;

typedef struct points_cel_prog points_cel_prog;

/* Compile src against names.  POINTS_OK and *out (freed by
 * points_cel__free), or POINTS_EINVAL with "col N: reason" in err
 * (columns count bytes from 1), or POINTS_ENOMEM. */
int points_cel__compile(const char *src, const points_cel_decls *names,
    points_cel_prog **out, char *err, size_t errcap);

/* Evaluate p over a (whose values must outlive the result), using s
 * (reset here).  *out is the value, an error value included (its
 * message in u.err); it returns POINTS_OK, or POINTS_EINVAL when the
 * activation has fewer values than the program's declarations. */
int points_cel__eval(const points_cel_prog *p, const points_cel_activation *a,
    points_cel_scratch *s, points_cel_value *out);

void points_cel__free(points_cel_prog *p);

/* Values, for callers and tests. */
points_cel_value points_cel__int(int64_t i);
points_cel_value points_cel__bool(int b);
points_cel_value points_cel__str(const char *s);
/* Equality as == computes it: 1, 0, or -1 (nesting too deep). */
int points_cel__equal(const points_cel_value *a, const points_cel_value *b);

/* Internal to the two files: the program. */
enum {
	POINTS_CEL_OP_CONST,
	POINTS_CEL_OP_VAR,
	POINTS_CEL_OP_SELECT,
	POINTS_CEL_OP_HAS,
	POINTS_CEL_OP_INDEX,
	POINTS_CEL_OP_NEG,
	POINTS_CEL_OP_NOT,
	POINTS_CEL_OP_ADD,
	POINTS_CEL_OP_SUB,
	POINTS_CEL_OP_MUL,
	POINTS_CEL_OP_DIV,
	POINTS_CEL_OP_MOD,
	POINTS_CEL_OP_EQ,
	POINTS_CEL_OP_NE,
	POINTS_CEL_OP_LT,
	POINTS_CEL_OP_LE,
	POINTS_CEL_OP_GT,
	POINTS_CEL_OP_GE,
	POINTS_CEL_OP_IN,
	POINTS_CEL_OP_AND_JUMP,
	POINTS_CEL_OP_AND,
	POINTS_CEL_OP_OR_JUMP,
	POINTS_CEL_OP_OR,
	POINTS_CEL_OP_COND,
	POINTS_CEL_OP_JUMP,
	POINTS_CEL_OP_LIST,
	POINTS_CEL_OP_MAP,
	POINTS_CEL_OP_CALL,
	POINTS_CEL_OP_LOOP_INIT,	/* a: the exit; fn: the kind */
	POINTS_CEL_OP_LOOP_NEXT,	/* a: LOOP_END; b: the body's length */
	POINTS_CEL_OP_LOOP_VAR,	/* a: the range's slot; fn: what */
	POINTS_CEL_OP_LOOP_FILTER,	/* a: the backward JUMP */
	POINTS_CEL_OP_LOOP_STEP,	/* fn: the kind */
	POINTS_CEL_OP_LOOP_END	/* fn: the kind */
};
/* Comprehensions, and what LOOP_VAR reads. */
enum {
	POINTS_CEL_LOOP_ALL,
	POINTS_CEL_LOOP_EXISTS,
	POINTS_CEL_LOOP_ONE,
	POINTS_CEL_LOOP_MAP,
	POINTS_CEL_LOOP_FILTER
};
enum {
	POINTS_CEL_VAR_ELEM,	/* a list's element or a map's key */
	POINTS_CEL_VAR_INDEX,	/* a list's index or a map's key */
	POINTS_CEL_VAR_VALUE	/* a list's element or a map's value */
};
enum {
	POINTS_CEL_FN_SIZE,
	POINTS_CEL_FN_INT,
	POINTS_CEL_FN_STRING,
	POINTS_CEL_FN_STARTS,
	POINTS_CEL_FN_ENDS,
	POINTS_CEL_FN_CONTAINS,
	POINTS_CEL_FN_MIN,
	POINTS_CEL_FN_MAX,
	POINTS_CEL_FN_FLOOR_DIV,
	POINTS_CEL_FN_SUM,
	POINTS_CEL_FN_YEAR,
	POINTS_CEL_FN_MONTH,
	POINTS_CEL_FN_DAY,
	POINTS_CEL_FN_WEEKDAY,
	POINTS_CEL_FN_DYN
};

typedef struct {
	uint8_t op;
	uint8_t fn;	/* CALL: the function; LOOP_*: the kind */
	uint16_t col;	/* where in the source, for errors */
	uint32_t a;	/* const, variable, jump target, count */
	uint32_t b;	/* COND: the end; LOOP_NEXT: the body's length;
			 * SELECT, HAS: 0, or 1 + the field's place in its
			 * declared record (a hint) */
} points_cel_insn;

struct points_cel_prog {
	points_cel_insn *code;
	size_t ncode;
	points_cel_value *consts;
	size_t nconst;
	char *pool;		/* the string constants' bytes */
	size_t nvars;		/* how many declarations */
	points_cel_entry *ents;	/* the map constants' entries */
	size_t nents;
};

#endif
