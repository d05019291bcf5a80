/* import.c - accounts and awards from CSV files (points/import.h).
 *
 * A reader of RFC 4180 records over the file (quoted fields, doubled
 * quotes, line breaks inside quotes, CRLF or LF), one record a step, and
 * the line's work done with the public calls (points_account_find,
 * _create, _update, points_earn), so an imported line is exactly what
 * the same calls by hand would make.
 *
 * Transactions.  Without POINTS_IMPORT_ALL_OR_NOTHING each line is one:
 * an award is one earn; an account line that makes an account with a
 * tier or department runs its two calls in a batch of its own.  All or
 * nothing, the import opens one batch when it is made and every line
 * runs in it (a refused line's call undoes only itself, as in any
 * batch); points_import_finish commits it when no line was refused and
 * rolls it back otherwise, and a failure of the store or of memory rolls
 * it back at once.  One transaction rather than a validation pass first:
 * a pass could not see what only the writes find (an idempotency key
 * used by another request, an account made by an earlier line of the
 * file), and its answers could change before the writes.
 *
 * The import embeds an iterator's base (core/iter.h) only for the
 * handle's life: points_close detaches it, and a later step is then
 * POINTS_EMISUSE, not a use of a freed handle. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "points.h"
#include "util/alloc.h"
#include "util/codec.h"
#include "core/db.h"
#include "core/iter.h"
#include "ledger/meta.h"

/* The longest line (record) read whole; a longer one is refused. */
#define LINE_MAX_BYTES 65536
/* Fields a line may have: the most columns a header may name. */
#define MAX_FIELDS 8

enum {
	C_EXTERNAL_ID, C_NAME, C_DEPARTMENT, C_TIER, C_ASSET, C_AMOUNT,
	C_IDEMPOTENCY_KEY, C_CATEGORY, C_MEMO, C_ACTOR, NCOLS
};
static const char *const col_names[NCOLS] = {
	"external_id", "name", "department", "tier", "asset", "amount",
	"idempotency_key", "category", "memo", "actor",
};
/* Which columns each kind has, and which it requires. */
static const unsigned char kind_has[3][NCOLS] = {
	{ 0 },
	/* accounts: 1 allowed, 2 required */
	{ 2, 1, 1, 1, 0, 0, 0, 0, 0, 0 },
	/* awards */
	{ 2, 0, 0, 0, 2, 2, 2, 1, 1, 1 },
};

/* Why a record could not be read (a line's fault, not the file's). */
struct rec_err {
	int field;        /* the field at fault, or -1 for the line */
	const char *what; /* "" when none */
};

struct points_import {
	points_iter base;
	int kind;
	unsigned int flags;
	FILE *f;
	int col[NCOLS];      /* each column's field, or -1 when absent */
	size_t ncols;        /* the header's fields */
	int64_t lineno;      /* the physical line the next record starts on */
	int peeked;          /* a character read ahead (EOF: none) */
	int has_peek;
	points_buf rec;      /* the record's fields, each NUL-ended */
	size_t fstart[MAX_FIELDS];
	size_t nfields;      /* all fields read, also those not kept */
	int batch;           /* all or nothing: its batch is open */
	int over;            /* the file is read to its end */
	int failed;          /* a store or memory failure ended it */
	int finished;
	points_import_summary sum;
};

static const points_iter_type import_type = {
	"import", NULL, NULL, 0, 0
};

/* ---- Reading records ---- */

static int
rd(struct points_import *imp)
{
	if (imp->has_peek) {
		imp->has_peek = 0;
		return imp->peeked;
	}
	return getc(imp->f);
}

static void
unrd(struct points_import *imp, int c)
{
	imp->peeked = c;
	imp->has_peek = 1;
}

static void
rec_err_set(struct rec_err *e, int field, const char *what)
{
	if (!*e->what) {
		e->field = field;
		e->what = what;
	}
}

static void
field_begin(struct points_import *imp)
{
	if (imp->nfields < MAX_FIELDS)
		imp->fstart[imp->nfields] = imp->rec.len;
}

static void
field_byte(struct points_import *imp, struct rec_err *e, int c)
{
	if (c == 0)
		rec_err_set(e, (int)imp->nfields, "holds a NUL byte");
	if (imp->rec.len >= LINE_MAX_BYTES) {
		rec_err_set(e, -1, "the line is longer than 65536 bytes");
		return;
	}
	if (imp->nfields < MAX_FIELDS)
		points_buf__u8(&imp->rec, (unsigned char)c);
}

static void
field_end(struct points_import *imp)
{
	if (imp->nfields < MAX_FIELDS)
		points_buf__u8(&imp->rec, 0);
	imp->nfields++;
}

/* A line break seen (c is '\n' or '\r'): a CR LF is one. */
static void
line_break(struct points_import *imp, int c)
{
	int d;

	if (c == '\r' && (d = rd(imp)) != '\n' && d != EOF)
		unrd(imp, d);
	imp->lineno++;
}

/* Skip to the end of the physical line (after a malformed field). */
static void
skip_line(struct points_import *imp)
{
	int c;

	while ((c = rd(imp)) != EOF && c != '\n' && c != '\r')
		;
	if (c != EOF)
		line_break(imp, c);
}

/* Read one record: POINTS_OK (its fields in imp->rec, a fault in *e),
 * POINTS_ITEROVER at the end of the file, POINTS_ESTORAGE when the file
 * cannot be read, POINTS_ENOMEM. */
static int
read_record(struct points_import *imp, struct rec_err *e)
{
	int c, quoted;

	e->field = -1;
	e->what = "";
	points_buf__reset(&imp->rec);
	imp->nfields = 0;
	if ((c = rd(imp)) == EOF)
		goto end;
	unrd(imp, c);
	for (;;) {
		field_begin(imp);
		c = rd(imp);
		quoted = c == '"';
		if (quoted) {
			for (;;) {
				if ((c = rd(imp)) == EOF) {
					rec_err_set(e, (int)imp->nfields,
					    "a quoted field is not closed");
					break;
				}
				if (c == '"') {
					if ((c = rd(imp)) == '"') {
						field_byte(imp, e, '"');
						continue;
					}
					break;
				}
				if (c == '\n')
					imp->lineno++;
				field_byte(imp, e, c);
			}
			if (c != ',' && c != '\n' && c != '\r' && c != EOF) {
				rec_err_set(e, (int)imp->nfields,
				    "text after a closing quote");
				field_end(imp);
				skip_line(imp);
				break;
			}
		} else {
			for (; c != ',' && c != '\n' && c != '\r' && c != EOF;
			    c = rd(imp)) {
				if (c == '"')
					rec_err_set(e, (int)imp->nfields,
					    "a quote inside a field not quoted");
				field_byte(imp, e, c);
			}
		}
		field_end(imp);
		if (c == ',')
			continue;
		if (c != EOF)
			line_break(imp, c);
		break;
	}
end:
	if (ferror(imp->f))
		return POINTS_ESTORAGE;
	if (imp->rec.err)
		return POINTS_ENOMEM;
	return imp->nfields ? POINTS_OK : POINTS_ITEROVER;
}

static const char *
field(struct points_import *imp, size_t i)
{
	return (const char *)imp->rec.data + imp->fstart[i];
}

/* The column c's cell, or NULL when the file has no such column. */
static const char *
cell(struct points_import *imp, int c)
{
	return imp->col[c] < 0 ? NULL : field(imp, (size_t)imp->col[c]);
}

/* ---- The header ---- */

static int
read_header(points_db *db, struct points_import *imp, const char *path)
{
	struct rec_err e;
	size_t i;
	int c, rc;

	/* a byte order mark, as spreadsheets write, is skipped */
	if ((c = rd(imp)) == 0xEF) {
		if (rd(imp) != 0xBB || rd(imp) != 0xBF)
			return points_db__err(db, POINTS_EINVAL, "import %.200s: "
			    "line 1: not UTF-8", path);
	} else
		unrd(imp, c);
	rc = read_record(imp, &e);
	if (rc == POINTS_ITEROVER)
		return points_db__err(db, POINTS_EINVAL, "import %.200s: the "
		    "file is empty (a header line is required)", path);
	if (rc == POINTS_ENOMEM)
		return points_db__err(db, rc, "out of memory");
	if (rc)
		return points_db__err(db, rc, "import %.200s: cannot read: %s",
		    path, strerror(errno));
	if (*e.what)
		return points_db__err(db, POINTS_EINVAL, "import %.200s: line 1 "
		    "(the header): %s", path, e.what);
	if (imp->nfields > MAX_FIELDS)
		return points_db__err(db, POINTS_EINVAL, "import %.200s: line 1 "
		    "(the header): %zu columns, more than a file of %s has",
		    path, imp->nfields, imp->kind == POINTS_IMPORT_ACCOUNTS ?
		    "accounts" : "awards");
	for (c = 0; c < NCOLS; c++)
		imp->col[c] = -1;
	for (i = 0; i < imp->nfields; i++) {
		char name[40];
		const char *s = field(imp, i);
		size_t n;

		/* names are read as written, but for spaces around them */
		while (*s == ' ')
			s++;
		n = strlen(s);
		while (n && s[n - 1] == ' ')
			n--;
		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, s, n);
		name[n] = '\0';
		for (c = 0; c < NCOLS; c++)
			if (kind_has[imp->kind][c] &&
			    strcasecmp(name, col_names[c]) == 0)
				break;
		if (c == NCOLS)
			return points_db__err(db, POINTS_EINVAL, "import %.200s: "
			    "line 1 (the header): unknown column \"%s\"", path,
			    name);
		if (imp->col[c] >= 0)
			return points_db__err(db, POINTS_EINVAL, "import %.200s: "
			    "line 1 (the header): column \"%s\" twice", path,
			    col_names[c]);
		imp->col[c] = (int)i;
	}
	for (c = 0; c < NCOLS; c++)
		if (kind_has[imp->kind][c] == 2 && imp->col[c] < 0)
			return points_db__err(db, POINTS_EINVAL, "import %.200s: "
			    "line 1 (the header): the column \"%s\" is required",
			    path, col_names[c]);
	imp->ncols = imp->nfields;
	return POINTS_OK;
}

/* ---- Opening ---- */

static int
import_free_parts(struct points_import *imp)
{
	int rc = POINTS_OK;

	if (imp->f && fclose(imp->f) != 0)
		rc = POINTS_ESTORAGE;
	imp->f = NULL;
	points_buf__free(&imp->rec);
	return rc;
}

POINTS_EXTERN int
points_import_new(points_db *db, int kind, const char *path,
    unsigned int flags, points_import **out)
{
	struct points_import *imp;
	points_iter *base;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (kind != POINTS_IMPORT_ACCOUNTS && kind != POINTS_IMPORT_AWARDS)
		return points_db__err(db, POINTS_EINVAL, "import: unknown kind "
		    "%d", kind);
	if (flags & ~POINTS_IMPORT_ALL_OR_NOTHING)
		return points_db__err(db, POINTS_EINVAL, "import: unknown flags "
		    "0x%x", flags);
	if (!path || !*path)
		return points_db__err(db, POINTS_EINVAL, "import: path is "
		    "required");
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "import: out is "
		    "required");
	if (db->in_batch)
		return points_db__err(db, POINTS_EMISUSE, "import: not inside "
		    "a batch (an import makes its own transactions)");
	if ((rc = points_iter__new(db, &import_type, sizeof(*imp), &base)))
		return rc;
	imp = (struct points_import *)(void *)base;
	imp->kind = kind;
	imp->flags = flags;
	imp->lineno = 1;
	points_buf__init(&imp->rec);
	if (!(imp->f = fopen(path, "rb"))) {
		rc = points_db__err(db, errno == ENOENT ? POINTS_ENOTFOUND :
		    POINTS_ESTORAGE, "import: cannot open %.200s: %s", path,
		    strerror(errno));
		goto fail;
	}
	if ((rc = read_header(db, imp, path)))
		goto fail;
	if ((flags & POINTS_IMPORT_ALL_OR_NOTHING) &&
	    (rc = points_batch_begin(db)))
		goto fail;
	imp->batch = (flags & POINTS_IMPORT_ALL_OR_NOTHING) != 0;
	*out = imp;
	return POINTS_OK;
fail:
	(void)import_free_parts(imp);
	points_iter__free(base);
	return rc;
}

/* ---- A line ---- */

/* Codes that say the line is bad, not the store or the process. */
static int
line_fault(int rc)
{
	switch (rc) {
	case POINTS_EINVAL: case POINTS_ENOTFOUND: case POINTS_EEXISTS:
	case POINTS_EINSUFFICIENT: case POINTS_EFROZEN: case POINTS_ECONFLICT:
	case POINTS_EOVERFLOW: case POINTS_ECLOSED: case POINTS_EPERM:
		return 1;
	default:
		return 0;
	}
}

/* Refuse the line: column c (-1: the line as a whole), code and the
 * reason (a printf format).  Returns POINTS_OK: the step goes on. */
static int
refuse(points_import_line *l, int c, int code, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static int
refuse(points_import_line *l, int c, int code, const char *fmt, ...)
{
	va_list ap;

	l->outcome = POINTS_IMPORT_REFUSED;
	l->code = code;
	snprintf(l->column, sizeof(l->column), "%s", c < 0 ? "" : col_names[c]);
	va_start(ap, fmt);
	vsnprintf(l->reason, sizeof(l->reason), fmt, ap);
	va_end(ap);
	return POINTS_OK;
}

/* The library refused the line's call with rc: a line's fault is the
 * line's outcome (in column c), anything else the import's failure. */
static int
refused_by(points_db *db, points_import_line *l, int c, int rc)
{
	if (!line_fault(rc))
		return rc;
	return refuse(l, c, rc, "%s", points_errmsg(db));
}

/* A cell's text, checked as the library checks a string: 0, or 1 and
 * the line refused in column c. */
static int
check_cell(points_db *db, points_import_line *l, int c, const char *s,
    size_t max, int required)
{
	if (!points_db__check_str(db, col_names[c], s, max, required))
		return 0;
	(void)refuse(l, c, POINTS_EINVAL, "%s", points_errmsg(db));
	return 1;
}

/* The number in s: a whole number above 0, in the asset's smallest unit. */
static int
parse_amount(const char *s, int64_t *out)
{
	int64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (INT64_MAX - (*s - '0')) / 10)
			return -2;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

/* NULL for a missing or empty cell (the library's "none"). */
static const char *
opt(const char *s)
{
	return s && *s ? s : NULL;
}

static int
differs(const char *cell_text, const char *stored)
{
	return cell_text && strcmp(cell_text, stored) != 0;
}

static int
apply_account(points_db *db, struct points_import *imp, points_import_line *l)
{
	const char *ext = cell(imp, C_EXTERNAL_ID), *name = cell(imp, C_NAME);
	const char *dept = cell(imp, C_DEPARTMENT), *tier = cell(imp, C_TIER);
	points_account a;
	int64_t id;
	int rc, own_batch;

	if (check_cell(db, l, C_EXTERNAL_ID, ext, POINTS_EXTID_MAX, 1) ||
	    check_cell(db, l, C_NAME, name, POINTS_NAME_MAX, 0) ||
	    check_cell(db, l, C_DEPARTMENT, dept, POINTS_DEPT_MAX, 0) ||
	    check_cell(db, l, C_TIER, tier, POINTS_TIER_MAX, 0))
		return POINTS_OK;
	rc = points_account_find(db, ext, &a);
	if (rc == POINTS_OK) {
		l->account = a.id;
		if (!differs(name, a.name) && !differs(dept, a.department) &&
		    !differs(tier, a.tier)) {
			l->outcome = POINTS_IMPORT_UNCHANGED;
			return POINTS_OK;
		}
		if ((rc = points_account_update(db, a.id, name, tier, dept)))
			return refused_by(db, l, C_EXTERNAL_ID, rc);
		l->outcome = POINTS_IMPORT_UPDATED;
		return POINTS_OK;
	}
	if (rc != POINTS_ENOTFOUND)
		return rc;
	/* made with its tier and department in one transaction */
	own_batch = !imp->batch && (opt(dept) || opt(tier));
	if (own_batch && (rc = points_batch_begin(db)))
		return rc;
	rc = points_account_create(db, ext, opt(name), 0, &id);
	if (rc == POINTS_OK && (opt(dept) || opt(tier)))
		rc = points_account_update(db, id, NULL, opt(tier), opt(dept));
	if (own_batch) {
		if (rc == POINTS_OK)
			rc = points_batch_commit(db);
		else {
			/* keep the failure's code and message */
			char msg[sizeof(db->errmsg)];

			memcpy(msg, db->errmsg, sizeof(msg));
			(void)points_batch_rollback(db);
			points_db__err(db, rc, "%s", msg);
		}
	}
	if (rc)
		return refused_by(db, l, C_EXTERNAL_ID, rc);
	l->account = id;
	l->outcome = POINTS_IMPORT_CREATED;
	return POINTS_OK;
}

/* The column an earn's refusal is about (the account was found). */
static int
earn_column(int rc)
{
	switch (rc) {
	case POINTS_ENOTFOUND: return C_ASSET;
	case POINTS_ECONFLICT: return C_IDEMPOTENCY_KEY;
	case POINTS_EOVERFLOW: return C_AMOUNT;
	case POINTS_EFROZEN: case POINTS_ECLOSED: case POINTS_EPERM:
		return C_EXTERNAL_ID;
	default: return -1;
	}
}

static int
apply_award(points_db *db, struct points_import *imp, points_import_line *l)
{
	const char *ext = cell(imp, C_EXTERNAL_ID), *asset = cell(imp, C_ASSET);
	const char *amount = cell(imp, C_AMOUNT);
	const char *key = cell(imp, C_IDEMPOTENCY_KEY);
	const char *category = opt(cell(imp, C_CATEGORY));
	const char *memo = opt(cell(imp, C_MEMO));
	const char *actor = opt(cell(imp, C_ACTOR));
	points_posting p = POINTS_POSTING_INIT;
	points_account a;
	points_txn t;
	int64_t v = 0;
	int rc;

	if (check_cell(db, l, C_EXTERNAL_ID, ext, POINTS_EXTID_MAX, 1) ||
	    check_cell(db, l, C_ASSET, asset, POINTS_ASSET_MAX, 1))
		return POINTS_OK;
	switch (parse_amount(amount, &v)) {
	case -1:
		return refuse(l, C_AMOUNT, POINTS_EINVAL, "amount \"%.40s\" is "
		    "not a whole number (in the asset's smallest unit)",
		    amount);
	case -2:
		return refuse(l, C_AMOUNT, POINTS_EOVERFLOW, "amount \"%.40s\" "
		    "is too large", amount);
	}
	if (v == 0)
		return refuse(l, C_AMOUNT, POINTS_EINVAL, "amount must be "
		    "above 0");
	if (check_cell(db, l, C_IDEMPOTENCY_KEY, key, POINTS_IDEM_MAX, 1) ||
	    check_cell(db, l, C_MEMO, memo, POINTS_MEMO_MAX, 0))
		return POINTS_OK;
	if (points_meta__check(db, "award", category, NULL))
		return refuse(l, C_CATEGORY, POINTS_EINVAL, "%s",
		    points_errmsg(db));
	if (points_meta__check(db, "award", NULL, actor))
		return refuse(l, C_ACTOR, POINTS_EINVAL, "%s",
		    points_errmsg(db));
	rc = points_account_find(db, ext, &a);
	if (rc == POINTS_ENOTFOUND)
		return refuse(l, C_EXTERNAL_ID, rc, "no account with external "
		    "id \"%s\"", ext);
	if (rc)
		return rc;
	l->account = a.id;
	p.asset = asset;
	p.account = a.id;
	p.amount = v;
	p.memo = memo;
	p.idempotency_key = key;
	p.category = category;
	p.actor = actor;
	if ((rc = points_earn(db, &p, &t)))
		return refused_by(db, l, earn_column(rc), rc);
	memcpy(l->txn_id, t.id, sizeof(l->txn_id));
	l->outcome = t.replayed ? POINTS_IMPORT_REPLAYED :
	    POINTS_IMPORT_APPLIED;
	return POINTS_OK;
}

/* The import cannot go on (rc, with the handle's message): all or
 * nothing, everything is rolled back. */
static int
import_fail(points_db *db, struct points_import *imp, int rc)
{
	imp->failed = 1;
	if (imp->batch) {
		char msg[sizeof(db->errmsg)];

		memcpy(msg, db->errmsg, sizeof(msg));
		imp->batch = 0;
		if (db->in_batch)
			(void)points_batch_rollback(db);
		points_db__err(db, rc, "%s (the import is rolled back)", msg);
	}
	return rc;
}

static void
count(struct points_import *imp, const points_import_line *l)
{
	points_import_summary *s = &imp->sum;

	s->lines++;
	switch (l->outcome) {
	case POINTS_IMPORT_CREATED: s->created++; break;
	case POINTS_IMPORT_UPDATED: s->updated++; break;
	case POINTS_IMPORT_UNCHANGED: s->unchanged++; break;
	case POINTS_IMPORT_APPLIED: s->applied++; break;
	case POINTS_IMPORT_REPLAYED: s->replayed++; break;
	default:
		s->refused++;
		if (!s->first_refused)
			s->first_refused = l->line;
	}
}

/* Step without the argument checks. */
static int
import_step(points_db *db, struct points_import *imp, points_import_line *out)
{
	points_import_line l;
	struct rec_err e;
	int rc;

	if (imp->batch && !db->in_batch)
		return import_fail(db, imp, points_db__err(db, POINTS_ESTATE,
		    "import: its batch was ended by another call"));
	do {
		memset(&l, 0, sizeof(l));
		l.line = imp->lineno;
		rc = read_record(imp, &e);
		if (rc == POINTS_ITEROVER) {
			imp->over = 1;
			return rc;
		}
		if (rc == POINTS_ENOMEM)
			return import_fail(db, imp, points_db__err(db, rc,
			    "out of memory"));
		if (rc)
			return import_fail(db, imp, points_db__err(db, rc,
			    "import: line %lld: cannot read the file: %s",
			    (long long)l.line, strerror(errno)));
		/* a blank line is skipped */
	} while (imp->nfields == 1 && !*field(imp, 0) && !*e.what);
	if (imp->col[C_EXTERNAL_ID] >= 0 &&
	    (size_t)imp->col[C_EXTERNAL_ID] < imp->nfields &&
	    imp->nfields <= MAX_FIELDS)
		snprintf(l.external_id, sizeof(l.external_id), "%s",
		    cell(imp, C_EXTERNAL_ID));
	if (*e.what) {
		int c = -1, k;

		for (k = 0; k < NCOLS && e.field >= 0; k++)
			if (imp->col[k] == e.field)
				c = k;
		refuse(&l, c, POINTS_EINVAL, "%s", e.what);
	} else if (imp->nfields != imp->ncols)
		refuse(&l, -1, POINTS_EINVAL, "%zu fields, but the header has "
		    "%zu", imp->nfields, imp->ncols);
	else {
		rc = imp->kind == POINTS_IMPORT_ACCOUNTS ?
		    apply_account(db, imp, &l) : apply_award(db, imp, &l);
		if (rc)
			return import_fail(db, imp, rc);
	}
	count(imp, &l);
	if (out)
		*out = l;
	return POINTS_OK;
}

static int
import_check(struct points_import *imp, points_db **db)
{
	int rc;

	if (!imp)
		return POINTS_EINVAL;
	if (!(*db = imp->base.db))
		return POINTS_EMISUSE; /* the handle is gone: no message */
	if ((rc = points_db__check_db(*db)))
		return rc;
	if (imp->base.type != &import_type)
		return points_db__err(*db, POINTS_EINVAL, "not an import");
	if (imp->finished)
		return points_db__err(*db, POINTS_EMISUSE, "import: finished "
		    "already");
	if (imp->failed)
		return points_db__err(*db, POINTS_ESTATE, "import: ended by an "
		    "earlier failure");
	return POINTS_OK;
}

POINTS_EXTERN int
points_import_next(points_import *imp, points_import_line *out)
{
	points_db *db;
	int rc;

	if ((rc = import_check(imp, &db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "import: out is "
		    "required");
	if (imp->over)
		return POINTS_ITEROVER;
	return import_step(db, imp, out);
}

POINTS_EXTERN int
points_import_finish(points_import *imp, points_import_summary *out)
{
	points_db *db;
	int rc;

	if ((rc = import_check(imp, &db)))
		return rc;
	while (!imp->over)
		if ((rc = import_step(db, imp, NULL)) != POINTS_OK)
			break;
	if (rc != POINTS_OK && rc != POINTS_ITEROVER)
		return rc;
	imp->finished = 1;
	if (imp->batch) {
		imp->batch = 0;
		if (imp->sum.refused) {
			(void)points_batch_rollback(db);
			return points_db__err(db, POINTS_EINVAL, "import: %lld of "
			    "%lld lines refused, the first at line %lld; "
			    "nothing imported", (long long)imp->sum.refused,
			    (long long)imp->sum.lines,
			    (long long)imp->sum.first_refused);
		}
		if ((rc = points_batch_commit(db)))
			return rc;
	}
	imp->sum.committed = 1;
	if (out)
		*out = imp->sum;
	return POINTS_OK;
}

POINTS_EXTERN void
points_import_free(points_import *imp)
{
	if (!imp)
		return;
	if (imp->batch && imp->base.db && imp->base.db->in_batch)
		(void)points_batch_rollback(imp->base.db);
	(void)import_free_parts(imp);
	points_iter__free(POINTS_ITER_BASE(imp));
}
