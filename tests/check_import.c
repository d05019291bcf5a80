/* check_import.c - accounts and awards from CSV: small files with known
 * outcomes, RFC 4180 (quotes, doubled quotes, CRLF, line breaks inside
 * quotes, columns in any order), re-runs that import nothing, every
 * refusal's message, all or nothing, and a seeded random test against a
 * small model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static points_db *db;
static char csv_path[64];

static void
setup(void)
{
	int fd;

	db = tu_open("memory:");
	strcpy(csv_path, "/tmp/points-import-XXXXXX");
	fd = mkstemp(csv_path);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void
teardown(void)
{
	if (db) {
		tu_invariants(db);
		points_close(db);
	}
	db = NULL;
	unlink(csv_path);
	tu_cleanup();
}

/* Write text (its exact bytes, n of them; n 0: strlen) as the CSV file. */
static const char *
csv_n(const char *text, size_t n)
{
	FILE *f = fopen(csv_path, "wb");

	ck_assert_ptr_nonnull(f);
	if (!n)
		n = strlen(text);
	ck_assert_uint_eq(fwrite(text, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
	return csv_path;
}

static const char *
csv(const char *text)
{
	return csv_n(text, 0);
}

/* Import the file at path: every line's outcome into lines (up to max),
 * their number into *n; the finish's code. */
static int
run_import(int kind, const char *path, unsigned flags,
    points_import_line *lines, size_t max, size_t *n,
    points_import_summary *sum)
{
	points_import *imp = NULL;
	points_import_line l;
	int rc;

	*n = 0;
	ck_assert_int_eq(points_import_new(db, kind, path, flags, &imp),
	    POINTS_OK);
	while ((rc = points_import_next(imp, &l)) == POINTS_OK) {
		ck_assert_uint_lt(*n, max);
		lines[(*n)++] = l;
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	/* the end stays the end */
	ck_assert_int_eq(points_import_next(imp, &l), POINTS_ITEROVER);
	rc = points_import_finish(imp, sum);
	points_import_free(imp);
	return rc;
}

static points_account
account(const char *ext)
{
	points_account a;

	ck_assert_int_eq(points_account_find(db, ext, &a), POINTS_OK);
	return a;
}

static void
assert_account(const char *ext, const char *name, const char *dept,
    const char *tier)
{
	points_account a = account(ext);

	ck_assert_str_eq(a.name, name);
	ck_assert_str_eq(a.department, dept);
	ck_assert_str_eq(a.tier, tier);
}

static void
assert_line(const points_import_line *l, int64_t line, int outcome,
    const char *ext)
{
	ck_assert_msg(l->outcome == outcome, "line %lld: outcome %d, not %d "
	    "(%s: %s)", (long long)l->line, l->outcome, outcome, l->column,
	    l->reason);
	ck_assert_int_eq(l->line, line);
	ck_assert_str_eq(l->external_id, ext);
	if (outcome != POINTS_IMPORT_REFUSED) {
		ck_assert_int_eq(l->code, 0);
		ck_assert_str_eq(l->reason, "");
		ck_assert_int_eq(l->account, account(ext).id);
	}
}

START_TEST(test_accounts_are_created_updated_or_left_as_they_are)
{
	points_import_line l[8];
	points_import_summary s;
	size_t n;
	int64_t ann;

	ann = tu_account(db, "E1");
	ck_assert_int_eq(points_account_update(db, ann, "Ann", "gold", "R&D"),
	    POINTS_OK);
	ck_assert_int_eq(points_account_create(db, "E2", "Bo", 0, &ann),
	    POINTS_OK);
	/* columns in any order; a missing column leaves the field as it is */
	ck_assert_int_eq(run_import(POINTS_IMPORT_ACCOUNTS, csv(
	    "department,external_id,name\n"
	    "R&D,E1,Ann\n"
	    "Sales,E2,Bo\n"
	    "HR,E3,Cy\n"
	    ",E4,\n"), 0, l, 8, &n, &s), POINTS_OK);
	ck_assert_uint_eq(n, 4);
	assert_line(&l[0], 2, POINTS_IMPORT_UNCHANGED, "E1");
	assert_line(&l[1], 3, POINTS_IMPORT_UPDATED, "E2");
	assert_line(&l[2], 4, POINTS_IMPORT_CREATED, "E3");
	assert_line(&l[3], 5, POINTS_IMPORT_CREATED, "E4");
	ck_assert_str_eq(l[0].txn_id, "");
	assert_account("E1", "Ann", "R&D", "gold");
	assert_account("E2", "Bo", "Sales", "");
	assert_account("E3", "Cy", "HR", "");
	assert_account("E4", "", "", "");
	ck_assert_int_eq(s.lines, 4);
	ck_assert_int_eq(s.created, 2);
	ck_assert_int_eq(s.updated, 1);
	ck_assert_int_eq(s.unchanged, 1);
	ck_assert_int_eq(s.applied + s.replayed + s.refused, 0);
	ck_assert_int_eq(s.first_refused, 0);
	ck_assert_int_eq(s.committed, 1);
	/* an empty cell clears the field; the tier column sets it */
	ck_assert_int_eq(run_import(POINTS_IMPORT_ACCOUNTS, csv(
	    "external_id,tier,department\n"
	    "E1,,R&D\n"
	    "E3,silver,HR\n"), 0, l, 8, &n, &s), POINTS_OK);
	assert_line(&l[0], 2, POINTS_IMPORT_UPDATED, "E1");
	assert_line(&l[1], 3, POINTS_IMPORT_UPDATED, "E3");
	assert_account("E1", "Ann", "R&D", "");
	assert_account("E3", "Cy", "HR", "silver");
}
END_TEST

START_TEST(test_a_rerun_imports_nothing_twice)
{
	static const char accounts[] =
	    "external_id,name,department,tier\n"
	    "E1,Ann,R&D,gold\n"
	    "E2,Bo,Sales,\n";
	static const char awards[] =
	    "external_id,asset,amount,idempotency_key,category,memo,actor\n"
	    "E1,PTS,30,2026Q1/E1/training,training,course,hr:ann\n"
	    "E2,PTS,200,2026Q1/E2/cert,,certificate,\n"
	    "E1,EXP,5,2026Q1/E1/exp,,,\n";
	points_import_line l[8];
	points_import_summary s;
	points_txn t;
	size_t n, i;

	ck_assert_int_eq(run_import(POINTS_IMPORT_ACCOUNTS, csv(accounts), 0,
	    l, 8, &n, &s), POINTS_OK);
	ck_assert_int_eq(s.created, 2);
	ck_assert_int_eq(run_import(POINTS_IMPORT_AWARDS, csv(awards), 0, l, 8,
	    &n, &s), POINTS_OK);
	ck_assert_int_eq(s.applied, 3);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(l[i].outcome, POINTS_IMPORT_APPLIED);
	ck_assert_int_eq(points_txn_get(db, l[0].txn_id, &t), POINTS_OK);
	ck_assert_int_eq(t.amount, 30);
	ck_assert_int_eq(t.type, POINTS_TXN_EARN);
	ck_assert_str_eq(t.memo, "course");
	ck_assert_str_eq(t.category, "training");
	ck_assert_str_eq(t.actor, "hr:ann");
	ck_assert_int_eq(points_txn_get(db, l[1].txn_id, &t), POINTS_OK);
	ck_assert_str_eq(t.category, "");
	ck_assert_str_eq(t.actor, "");
	ck_assert_int_eq(tu_available(db, account("E1").id, "PTS"), 30);
	ck_assert_int_eq(tu_available(db, account("E2").id, "PTS"), 200);
	ck_assert_int_eq(tu_available(db, account("E1").id, "EXP"), 5);
	/* again: nothing written at all */
	tu_snap(db);
	ck_assert_int_eq(run_import(POINTS_IMPORT_ACCOUNTS, csv(accounts), 0,
	    l, 8, &n, &s), POINTS_OK);
	ck_assert_int_eq(s.unchanged, 2);
	ck_assert_int_eq(run_import(POINTS_IMPORT_AWARDS, csv(awards), 0, l, 8,
	    &n, &s), POINTS_OK);
	ck_assert_int_eq(s.replayed, 3);
	ck_assert_int_eq(s.applied, 0);
	assert_line(&l[1], 3, POINTS_IMPORT_REPLAYED, "E2");
	ck_assert_int_eq(points_txn_get(db, l[1].txn_id, &t), POINTS_OK);
	ck_assert_int_eq(t.amount, 200);
	tu_unchanged(db);
	tu_snap_free();
	/* all or nothing, the same */
	tu_snap(db);
	ck_assert_int_eq(run_import(POINTS_IMPORT_AWARDS, csv(awards),
	    POINTS_IMPORT_ALL_OR_NOTHING, l, 8, &n, &s), POINTS_OK);
	ck_assert_int_eq(s.replayed, 3);
	tu_unchanged(db);
	tu_snap_free();
}
END_TEST

/* Only the columns a kind requires: accounts of an external id alone
 * (no name, department or tier), awards without category, memo or
 * actor, which are then none. */
START_TEST(test_optional_columns_may_be_left_out)
{
	static const char accounts[] = "external_id\nE1\nE2\n";
	static const char awards[] =
	    "idempotency_key,amount,asset,external_id\n"
	    "k1,30,PTS,E1\n"
	    "k2,7,PTS,E2\n";
	points_import_line l[4];
	points_import_summary s;
	points_txn t;
	size_t n;

	ck_assert_int_eq(run_import(POINTS_IMPORT_ACCOUNTS, csv(accounts), 0,
	    l, 4, &n, &s), POINTS_OK);
	ck_assert_int_eq(s.created, 2);
	assert_account("E1", "", "", "");
	ck_assert_int_eq(run_import(POINTS_IMPORT_AWARDS, csv(awards), 0, l, 4,
	    &n, &s), POINTS_OK);
	ck_assert_int_eq(s.applied, 2);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(points_txn_get(db, l[0].txn_id, &t), POINTS_OK);
	ck_assert_int_eq(t.amount, 30);
	ck_assert_str_eq(t.memo, "");
	ck_assert_str_eq(t.category, "");
	ck_assert_str_eq(t.actor, "");
	ck_assert_int_eq(tu_available(db, account("E2").id, "PTS"), 7);
}
END_TEST

START_TEST(test_rfc4180_quotes_crlf_and_line_breaks_in_fields)
{
	/* a byte order mark, CRLF, a quoted header, a doubled quote, a
	 * comma and a line break inside quotes (the next line's number
	 * counts it), a blank line (skipped), and no line break at the
	 * end */
	static const char text[] =
	    "\xEF\xBB\xBF\"external_id\", name ,department\r\n"
	    "E1,\"Ann \"\"the boss\"\" Lee\",\"R&D, Lab 2\"\r\n"
	    "\"E2\",\"two\r\nlines\",\r\n"
	    "\r\n"
	    "E3,\"\",\"\"";
	points_import_line l[8];
	points_import_summary s;
	size_t n;

	ck_assert_int_eq(run_import(POINTS_IMPORT_ACCOUNTS, csv(text), 0, l, 8,
	    &n, &s), POINTS_OK);
	ck_assert_uint_eq(n, 3);
	assert_line(&l[0], 2, POINTS_IMPORT_CREATED, "E1");
	assert_line(&l[1], 3, POINTS_IMPORT_CREATED, "E2");
	assert_line(&l[2], 6, POINTS_IMPORT_CREATED, "E3");
	assert_account("E1", "Ann \"the boss\" Lee", "R&D, Lab 2", "");
	assert_account("E2", "two\r\nlines", "", "");
	assert_account("E3", "", "", "");
	ck_assert_int_eq(s.lines, 3);
	/* LF alone, and a last line ended */
	ck_assert_int_eq(run_import(POINTS_IMPORT_AWARDS, csv(
	    "amount,idempotency_key,external_id,asset\n"
	    "7,\"k,1\",E1,PTS\n"
	    "\"8\",k2,E2,\"PTS\"\n"), 0, l, 8, &n, &s), POINTS_OK);
	ck_assert_int_eq(s.applied, 2);
	ck_assert_int_eq(tu_available(db, account("E1").id, "PTS"), 7);
	ck_assert_int_eq(tu_available(db, account("E2").id, "PTS"), 8);
}
END_TEST

/* points_import_new refuses the file (POINTS_EINVAL unless said), with
 * a message holding want; nothing written. */
static void
header_refused(int kind, const char *text, int code, const char *want)
{
	points_import *imp = (points_import *)&imp;

	tu_snap(db);
	ck_assert_int_eq(points_import_new(db, kind, csv(text), 0, &imp),
	    code);
	ck_assert_ptr_eq(imp, (points_import *)&imp);
	ck_assert_msg(strstr(points_errmsg(db), want), "\"%s\" is not in "
	    "\"%s\"", want, points_errmsg(db));
	tu_unchanged(db);
	tu_snap_free();
}

START_TEST(test_a_bad_header_is_refused_naming_the_column)
{
	points_import *imp = NULL;

	header_refused(POINTS_IMPORT_ACCOUNTS, "external_id,name,email\n"
	    "E1,Ann,a@b\n", POINTS_EINVAL,
	    "line 1 (the header): unknown column \"email\"");
	/* a column of the other kind is unknown too */
	header_refused(POINTS_IMPORT_ACCOUNTS, "external_id,amount\n",
	    POINTS_EINVAL, "unknown column \"amount\"");
	header_refused(POINTS_IMPORT_AWARDS, "external_id,asset,amount,"
	    "idempotency_key,name\n", POINTS_EINVAL,
	    "unknown column \"name\"");
	header_refused(POINTS_IMPORT_ACCOUNTS, "external_id,name,Name\n",
	    POINTS_EINVAL, "column \"name\" twice");
	header_refused(POINTS_IMPORT_ACCOUNTS, "name,department\n",
	    POINTS_EINVAL, "the column \"external_id\" is required");
	header_refused(POINTS_IMPORT_AWARDS, "external_id,asset,amount\n",
	    POINTS_EINVAL, "the column \"idempotency_key\" is required");
	header_refused(POINTS_IMPORT_AWARDS, "", POINTS_EINVAL,
	    "the file is empty");
	header_refused(POINTS_IMPORT_ACCOUNTS, "external_id,\"name\n",
	    POINTS_EINVAL, "line 1 (the header): a quoted field is not "
	    "closed");
	header_refused(POINTS_IMPORT_ACCOUNTS, "a,b,c,d,e,f,g,h,i\n",
	    POINTS_EINVAL, "line 1 (the header): 9 columns");
	/* a byte order mark cut short is not UTF-8: neither skipped nor
	 * read as the first column's name */
	header_refused(POINTS_IMPORT_ACCOUNTS, "\xEF" "external_id\n",
	    POINTS_EINVAL, "line 1: not UTF-8");
	header_refused(POINTS_IMPORT_ACCOUNTS, "\xEF\xBB" "external_id\n",
	    POINTS_EINVAL, "line 1: not UTF-8");
	/* the arguments */
	ck_assert_int_eq(points_import_new(db, 3, csv("external_id\n"), 0,
	    &imp), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "import: unknown kind 3");
	ck_assert_int_eq(points_import_new(db, POINTS_IMPORT_ACCOUNTS,
	    csv_path, 0x2, &imp), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "import: unknown flags 0x2");
	ck_assert_int_eq(points_import_new(db, POINTS_IMPORT_ACCOUNTS, NULL, 0,
	    &imp), POINTS_EINVAL);
	ck_assert_int_eq(points_import_new(db, POINTS_IMPORT_ACCOUNTS, "", 0,
	    &imp), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "import: path is required");
	ck_assert_int_eq(points_import_new(db, POINTS_IMPORT_ACCOUNTS,
	    csv_path, 0, NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_import_new(NULL, POINTS_IMPORT_ACCOUNTS,
	    csv_path, 0, &imp), POINTS_EINVAL);
	ck_assert_int_eq(points_import_new(db, POINTS_IMPORT_ACCOUNTS,
	    "/nonexistent/x.csv", 0, &imp), POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "import: cannot open "
	    "/nonexistent/x.csv: No such file or directory");
	ck_assert_int_eq(points_import_new(db, POINTS_IMPORT_ACCOUNTS, "/tmp",
	    0, &imp), POINTS_ESTORAGE);
	ck_assert_ptr_null(imp);
	/* not inside a batch */
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(points_import_new(db, POINTS_IMPORT_ACCOUNTS,
	    csv_path, 0, &imp), POINTS_EMISUSE);
	ck_assert_str_eq(points_errmsg(db), "import: not inside a batch (an "
	    "import makes its own transactions)");
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	ck_assert_ptr_null(imp);
}
END_TEST

/* Each refusal: a line of an award file, the column it names, the code
 * and the reason. */
static const struct refusal {
	const char *line;
	const char *column;
	int code;
	const char *reason;
} award_refusals[] = {
	{ "E1,PTS,10", "", POINTS_EINVAL, "3 fields, but the header has 4" },
	{ "E1,PTS,10,k,x", "", POINTS_EINVAL,
	    "5 fields, but the header has 4" },
	{ ",PTS,10,k", "external_id", POINTS_EINVAL,
	    "external_id is empty" },
	{ "E9,PTS,10,k", "external_id", POINTS_ENOTFOUND,
	    "no account with external id \"E9\"" },
	{ "E1,,10,k", "asset", POINTS_EINVAL, "asset is empty" },
	{ "E1,NOPE,10,k", "asset", POINTS_ENOTFOUND, "asset NOPE not found" },
	{ "E1,PTS,,k", "amount", POINTS_EINVAL,
	    "amount \"\" is not a whole number (in the asset's smallest "
	    "unit)" },
	{ "E1,PTS,12.5,k", "amount", POINTS_EINVAL,
	    "amount \"12.5\" is not a whole number (in the asset's smallest "
	    "unit)" },
	{ "E1,PTS,-3,k", "amount", POINTS_EINVAL,
	    "amount \"-3\" is not a whole number (in the asset's smallest "
	    "unit)" },
	{ "E1,PTS,0,k", "amount", POINTS_EINVAL, "amount must be above 0" },
	{ "E1,PTS,99999999999999999999,k", "amount", POINTS_EOVERFLOW,
	    "amount \"99999999999999999999\" is too large" },
	{ "E1,PTS,10,", "idempotency_key", POINTS_EINVAL,
	    "idempotency_key is empty" },
	{ "E1,PTS,10,used", "idempotency_key", POINTS_ECONFLICT, "used" },
	{ "E2,PTS,10,k", "external_id", POINTS_EFROZEN, "frozen" },
	{ "E3,PTS,10,k", "external_id", POINTS_ECLOSED, "closed" },
	{ "E1,PTS,10,k\"x", "idempotency_key", POINTS_EINVAL,
	    "a quote inside a field not quoted" },
	{ "E1,PTS,\"10\"x,k", "amount", POINTS_EINVAL,
	    "text after a closing quote" },
	{ "E1,PTS,10,\"k", "idempotency_key", POINTS_EINVAL,
	    "a quoted field is not closed" },
	{ "E1,PTS,10,k\xff", "idempotency_key", POINTS_EINVAL,
	    "idempotency_key is not valid UTF-8" },
};
#define NREFUSALS (sizeof(award_refusals) / sizeof(award_refusals[0]))

/* Refusals of columns a file may leave out: the file's header has them. */
static const struct refusal award_meta_refusals[] = {
	{ "E1,PTS,10,k,Training,,", "category", POINTS_EINVAL,
	    "award: category must be 1-32 characters of a-z 0-9 _ . - (or "
	    "none)" },
	{ "E1,PTS,10,k,,,\"a\tb\"", "actor", POINTS_EINVAL,
	    "award: actor has a control character" },
};

static void
refusal_setup(void)
{
	int64_t id;

	tu_account(db, "E1");
	id = tu_account(db, "E2");
	ck_assert_int_eq(points_account_freeze(db, id), POINTS_OK);
	id = tu_account(db, "E3");
	ck_assert_int_eq(points_account_close(db, id), POINTS_OK);
	ck_assert_int_eq(run_import(POINTS_IMPORT_AWARDS, csv(
	    "external_id,asset,amount,idempotency_key\n"
	    "E1,PTS,1,used\n"), 0, (points_import_line[1]){ { 0 } }, 1,
	    &(size_t){ 0 }, NULL), POINTS_OK);
}

static void
assert_refused(const char *header, const struct refusal *r)
{
	char text[256];
	points_import_line l[2];
	size_t n;

	snprintf(text, sizeof(text), "%s\n%s\n", header, r->line);
	tu_snap(db);
	ck_assert_int_eq(run_import(POINTS_IMPORT_AWARDS, csv(text), 0, l, 2,
	    &n, NULL), POINTS_OK);
	tu_unchanged(db);
	tu_snap_free();
	ck_assert_uint_eq(n, 1);
	ck_assert_msg(l[0].outcome == POINTS_IMPORT_REFUSED, "%s: outcome %d",
	    r->line, l[0].outcome);
	ck_assert_int_eq(l[0].line, 2);
	ck_assert_msg(strcmp(l[0].column, r->column) == 0, "%s: column "
	    "\"%s\", not \"%s\"", r->line, l[0].column, r->column);
	ck_assert_msg(l[0].code == r->code, "%s: code %d, not %d (%s)",
	    r->line, l[0].code, r->code, l[0].reason);
	ck_assert_msg(strstr(l[0].reason, r->reason), "%s: reason \"%s\" "
	    "lacks \"%s\"", r->line, l[0].reason, r->reason);
	ck_assert_str_eq(l[0].txn_id, "");
}

START_TEST(test_every_refusal_names_line_column_and_reason)
{
	size_t i;

	refusal_setup();
	for (i = 0; i < NREFUSALS; i++)
		assert_refused("external_id,asset,amount,idempotency_key",
		    &award_refusals[i]);
	for (i = 0; i < 2; i++)
		assert_refused("external_id,asset,amount,idempotency_key,"
		    "category,memo,actor", &award_meta_refusals[i]);
}
END_TEST

/* Bytes no CSV line may hold: a NUL in a field and a line past 65536
 * bytes are each refused by line and reason, writing nothing, and the
 * lines after them (one ended by a lone CR) are read as they are. */
START_TEST(test_nul_bytes_and_overlong_lines_are_refused)
{
	static const char head[] = "external_id,asset,amount,idempotency_key\n";
	size_t hl = sizeof(head) - 1, n, at;
	char *text = malloc(hl + 70000 + 200);
	points_import_line l[4];

	ck_assert_ptr_nonnull(text);
	tu_account(db, "E1");
	memcpy(text, head, hl);
	at = hl;
	memcpy(text + at, "E1,PTS,1,k\0x\n", 13); /* line 2: a NUL */
	at += 13;
	memcpy(text + at, "E1,PTS,2,", 9);        /* line 3: 70009 bytes */
	at += 9;
	memset(text + at, 'k', 70000);
	at += 70000;
	memcpy(text + at, "\nE1,PTS,3,k3\rE1,PTS,4,k4\n", 25);
	at += 25;
	tu_snap(db);
	ck_assert_int_eq(run_import(POINTS_IMPORT_AWARDS, csv_n(text, at),
	    POINTS_IMPORT_ALL_OR_NOTHING, l, 4, &n, NULL), POINTS_EINVAL);
	tu_unchanged(db);
	tu_snap_free();
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(l[0].line, 2);
	ck_assert_int_eq(l[0].outcome, POINTS_IMPORT_REFUSED);
	ck_assert_str_eq(l[0].column, "idempotency_key");
	ck_assert_msg(strstr(l[0].reason, "holds a NUL byte"), "%s",
	    l[0].reason);
	ck_assert_int_eq(l[1].line, 3);
	ck_assert_int_eq(l[1].outcome, POINTS_IMPORT_REFUSED);
	ck_assert_msg(strstr(l[1].reason, "the line is longer than 65536 "
	    "bytes"), "%s", l[1].reason);
	ck_assert_int_eq(l[2].line, 4);
	ck_assert_int_eq(l[3].line, 5);
	ck_assert_int_ne(l[2].outcome, POINTS_IMPORT_REFUSED);
	ck_assert_int_ne(l[3].outcome, POINTS_IMPORT_REFUSED);
	free(text);
}
END_TEST

START_TEST(test_account_refusals_name_the_column)
{
	char longname[POINTS_NAME_MAX + 8], text[512];
	points_import_line l[4];
	size_t n;

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	snprintf(text, sizeof(text), "external_id,name,tier\n"
	    ",Ann,\n"
	    "E1,%s,\n"
	    "E2,Bo,\"gold\nplus\"x\n"
	    "E3,Cy,\xc3\n", longname);
	tu_snap(db);
	ck_assert_int_eq(run_import(POINTS_IMPORT_ACCOUNTS, csv(text), 0, l, 4,
	    &n, NULL), POINTS_OK);
	tu_unchanged(db);
	tu_snap_free();
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(l[0].line, 2);
	ck_assert_str_eq(l[0].column, "external_id");
	ck_assert_str_eq(l[0].reason, "external_id is empty");
	ck_assert_int_eq(l[1].line, 3);
	ck_assert_str_eq(l[1].column, "name");
	ck_assert_str_eq(l[1].reason, "name is too long (at most 128 bytes)");
	ck_assert_str_eq(l[1].external_id, "E1");
	ck_assert_int_eq(l[2].line, 4);
	ck_assert_str_eq(l[2].column, "tier");
	ck_assert_str_eq(l[2].reason, "text after a closing quote");
	ck_assert_int_eq(l[3].line, 6);
	ck_assert_str_eq(l[3].column, "tier");
	ck_assert_str_eq(l[3].reason, "tier is not valid UTF-8");
	ck_assert_int_eq(l[3].code, POINTS_EINVAL);
}
END_TEST

START_TEST(test_good_lines_are_applied_around_a_bad_one)
{
	points_import_line l[4];
	points_import_summary s;
	size_t n;

	tu_account(db, "E1");
	ck_assert_int_eq(run_import(POINTS_IMPORT_AWARDS, csv(
	    "external_id,asset,amount,idempotency_key\n"
	    "E1,PTS,10,a\n"
	    "E1,PTS,ten,b\n"
	    "E1,PTS,5,c\n"), 0, l, 4, &n, &s), POINTS_OK);
	ck_assert_int_eq(l[1].outcome, POINTS_IMPORT_REFUSED);
	ck_assert_int_eq(s.applied, 2);
	ck_assert_int_eq(s.refused, 1);
	ck_assert_int_eq(s.first_refused, 3);
	ck_assert_int_eq(s.committed, 1);
	ck_assert_int_eq(tu_available(db, account("E1").id, "PTS"), 15);
}
END_TEST

START_TEST(test_all_or_nothing_writes_nothing_when_a_line_is_bad)
{
	static const char bad[] =
	    "external_id,name,department\n"
	    "E1,Ann,R&D\n"
	    "E2,Bo,\"Sales\"x\n"
	    "E3,Cy,HR\n";
	points_import_line l[4];
	points_import_summary s;
	points_account a;
	size_t n;

	tu_snap(db);
	memset(&s, 0x5a, sizeof(s));
	ck_assert_int_eq(run_import(POINTS_IMPORT_ACCOUNTS, csv(bad),
	    POINTS_IMPORT_ALL_OR_NOTHING, l, 4, &n, &s), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "import: 1 of 3 lines refused, "
	    "the first at line 3; nothing imported");
	/* each line says what it would have done; the summary is not
	 * written on failure */
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(l[0].outcome, POINTS_IMPORT_CREATED);
	ck_assert_int_eq(l[1].outcome, POINTS_IMPORT_REFUSED);
	ck_assert_int_eq(l[2].outcome, POINTS_IMPORT_CREATED);
	ck_assert_int_eq(s.lines, 0x5a5a5a5a5a5a5a5aLL);
	tu_unchanged(db);
	tu_snap_free();
	ck_assert_int_eq(points_account_find(db, "E1", &a), POINTS_ENOTFOUND);
	/* the handle works on (no batch left open) */
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	/* a good file: all of it */
	ck_assert_int_eq(run_import(POINTS_IMPORT_ACCOUNTS, csv(
	    "external_id,name,department\n"
	    "E1,Ann,R&D\n"
	    "E1,Ann,Sales\n"
	    "E3,Cy,HR\n"), POINTS_IMPORT_ALL_OR_NOTHING, l, 4, &n, &s),
	    POINTS_OK);
	assert_line(&l[0], 2, POINTS_IMPORT_CREATED, "E1");
	assert_line(&l[1], 3, POINTS_IMPORT_UPDATED, "E1");
	ck_assert_int_eq(s.committed, 1);
	assert_account("E1", "Ann", "Sales", "");
	assert_account("E3", "Cy", "HR", "");
}
END_TEST

START_TEST(test_an_import_freed_unfinished_is_rolled_back)
{
	points_import *imp;
	points_import_line l;
	points_import_summary s;

	tu_snap(db);
	ck_assert_int_eq(points_import_new(db, POINTS_IMPORT_ACCOUNTS, csv(
	    "external_id\nE1\nE2\n"), POINTS_IMPORT_ALL_OR_NOTHING, &imp),
	    POINTS_OK);
	ck_assert_int_eq(points_import_next(imp, &l), POINTS_OK);
	ck_assert_int_eq(l.outcome, POINTS_IMPORT_CREATED);
	points_import_free(imp);
	tu_unchanged(db);
	tu_snap_free();
	/* finish alone reads the whole file */
	ck_assert_int_eq(points_import_new(db, POINTS_IMPORT_ACCOUNTS,
	    csv_path, 0, &imp), POINTS_OK);
	ck_assert_int_eq(points_import_finish(imp, &s), POINTS_OK);
	ck_assert_int_eq(s.created, 2);
	ck_assert_int_eq(points_import_next(imp, &l), POINTS_EMISUSE);
	ck_assert_int_eq(points_import_finish(imp, &s), POINTS_EMISUSE);
	ck_assert_str_eq(points_errmsg(db), "import: finished already");
	ck_assert_int_eq(points_import_next(NULL, &l), POINTS_EINVAL);
	points_import_free(imp);
	points_import_free(NULL);
	account("E2");
}
END_TEST

START_TEST(test_an_import_outlives_its_handle_safely)
{
	points_import *imp;
	points_import_line l;

	ck_assert_int_eq(points_import_new(db, POINTS_IMPORT_ACCOUNTS, csv(
	    "external_id\nE1\nE2\n"), POINTS_IMPORT_ALL_OR_NOTHING, &imp),
	    POINTS_OK);
	ck_assert_int_eq(points_import_next(imp, &l), POINTS_OK);
	ck_assert_int_eq(points_import_next(imp, NULL), POINTS_EINVAL);
	points_close(db);
	db = NULL;
	ck_assert_int_eq(points_import_next(imp, &l), POINTS_EMISUSE);
	ck_assert_int_eq(points_import_finish(imp, NULL), POINTS_EMISUSE);
	points_import_free(imp);
}
END_TEST

START_TEST(test_a_batch_ended_under_an_import_ends_it)
{
	points_import *imp;
	points_import_line l;

	ck_assert_int_eq(points_import_new(db, POINTS_IMPORT_ACCOUNTS, csv(
	    "external_id\nE1\nE2\n"), POINTS_IMPORT_ALL_OR_NOTHING, &imp),
	    POINTS_OK);
	ck_assert_int_eq(points_import_next(imp, &l), POINTS_OK);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	ck_assert_int_eq(points_import_next(imp, &l), POINTS_ESTATE);
	ck_assert_int_eq(points_import_next(imp, &l), POINTS_ESTATE);
	ck_assert_str_eq(points_errmsg(db), "import: ended by an earlier "
	    "failure");
	points_import_free(imp);
	ck_assert_int_eq(points_account_find(db, "E1", &l.account == NULL ?
	    NULL : &(points_account){ 0 }), POINTS_ENOTFOUND);
}
END_TEST

/* ---- A seeded random test against a model ----
 * Files of account and award lines, some bad, imported line by line;
 * the model (written from points_import_new(3)) says each line's
 * outcome, and after each line the account it names is compared. */

#define M_ACCOUNTS 12
#define M_KEYS 16

struct m_account {
	int exists;
	char name[8], dept[8], tier[8];
	int64_t pts;
};
static struct m_account model[M_ACCOUNTS];
static int64_t key_amount[M_KEYS]; /* 0: unused; else its award's amount */
static int key_account[M_KEYS];

static uint64_t rng_state;

static unsigned
rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

static const char *const m_names[] = { "", "Ann", "Bo", "x,y", "q\"t",
	"a\nb" };
static const char *const m_depts[] = { "", "R&D", "Sales", "HR" };
static const char *const m_tiers[] = { "", "gold", "silver" };

/* A field as CSV writes it: quoted when it must be, or at random. */
static void
put_field(char *buf, size_t cap, const char *s, int first)
{
	size_t n = strlen(buf);

	if (!first)
		buf[n++] = ',';
	if (strpbrk(s, ",\"\r\n") || rnd(4) == 0) {
		buf[n++] = '"';
		for (; *s; s++) {
			if (*s == '"')
				buf[n++] = '"';
			buf[n++] = *s;
		}
		buf[n++] = '"';
	} else {
		memcpy(buf + n, s, strlen(s));
		n += strlen(s);
	}
	ck_assert_uint_lt(n, cap);
	buf[n] = '\0';
}

/* Account Mi in the ledger is m (and its PTS). */
static void
compare_with(int i, const struct m_account *m)
{
	points_account a;
	char ext[16];

	snprintf(ext, sizeof(ext), "M%d", i);
	if (!m->exists) {
		ck_assert_int_eq(points_account_find(db, ext, &a),
		    POINTS_ENOTFOUND);
		return;
	}
	a = account(ext);
	ck_assert_str_eq(a.name, m->name);
	ck_assert_str_eq(a.department, m->dept);
	ck_assert_str_eq(a.tier, m->tier);
	ck_assert_int_eq(tu_available(db, a.id, "PTS"), m->pts);
}

static void
compare_account(int i)
{
	compare_with(i, &model[i]);
}

/* One file of accounts, written with the outcome the model expects of
 * each line and the line's account as the model has it after the line;
 * then imported, and each line's outcome and account compared (within
 * an all-or-nothing import too: its batch's reads see its writes). */
static void
random_accounts_file(void)
{
	static char text[16384];
	enum { MAXL = 40 };
	int expect[MAXL], who[MAXL], cols[4], i, k, nl = 5 + (int)rnd(20);
	int nc = 1, bad = 0, aon = rnd(3) == 0;
	struct m_account saved[M_ACCOUNTS], snap[MAXL];
	points_import *imp;
	points_import_line l;
	int64_t line = 2, lines[MAXL];

	/* external_id and any of the others, in a random order */
	cols[0] = 0;
	for (k = 1; k < 4; k++)
		if (rnd(2))
			cols[nc++] = k;
	for (k = nc - 1; k > 0; k--) {
		int j = (int)rnd((unsigned)k + 1), t = cols[k];

		cols[k] = cols[j];
		cols[j] = t;
	}
	text[0] = '\0';
	for (k = 0; k < nc; k++)
		put_field(text, sizeof(text), (const char *[]){ "external_id",
		    "name", "department", "tier" }[cols[k]], k == 0);
	strcat(text, rnd(2) ? "\r\n" : "\n");
	memcpy(saved, model, sizeof(model));
	for (i = 0; i < nl; i++) {
		int a = (int)rnd(M_ACCOUNTS), changed = 0, creates;
		const char *v[4];
		char ext[16];

		snprintf(ext, sizeof(ext), "M%d", a);
		/* (a line of one empty field is blank: skipped) */
		v[0] = rnd(12) || nc == 1 ? ext : "";
		v[1] = m_names[rnd(6)];
		v[2] = m_depts[rnd(4)];
		v[3] = m_tiers[rnd(3)];
		lines[i] = line;
		who[i] = a;
		for (k = 0; k < nc; k++) {
			put_field(text, sizeof(text), v[cols[k]], k == 0);
			if (strchr(v[cols[k]], '\n'))
				line++;
		}
		if (rnd(15) == 0) {
			strcat(text, ",extra");
			expect[i] = POINTS_IMPORT_REFUSED;
		} else if (!*v[0])
			expect[i] = POINTS_IMPORT_REFUSED;
		else {
			creates = !model[a].exists;
			for (k = 0; k < nc; k++) {
				char *f = cols[k] == 0 ? NULL :
				    cols[k] == 1 ? model[a].name :
				    cols[k] == 2 ? model[a].dept :
				    model[a].tier;

				if (f && strcmp(f, v[cols[k]])) {
					changed = 1;
					strcpy(f, v[cols[k]]);
				}
			}
			model[a].exists = 1;
			expect[i] = creates ? POINTS_IMPORT_CREATED :
			    changed ? POINTS_IMPORT_UPDATED :
			    POINTS_IMPORT_UNCHANGED;
		}
		snap[i] = model[a];
		bad |= expect[i] == POINTS_IMPORT_REFUSED;
		strcat(text, rnd(2) ? "\r\n" : "\n");
		line++;
	}
	ck_assert_int_eq(points_import_new(db, POINTS_IMPORT_ACCOUNTS,
	    csv(text), aon ? POINTS_IMPORT_ALL_OR_NOTHING : 0, &imp),
	    POINTS_OK);
	for (i = 0; i < nl; i++) {
		ck_assert_int_eq(points_import_next(imp, &l), POINTS_OK);
		ck_assert_msg(l.outcome == expect[i], "line %lld: outcome %d, "
		    "not %d (%s)\n%s", (long long)l.line, l.outcome,
		    expect[i], l.reason, text);
		ck_assert_int_eq(l.line, lines[i]);
		compare_with(who[i], &snap[i]);
	}
	ck_assert_int_eq(points_import_next(imp, &l), POINTS_ITEROVER);
	k = points_import_finish(imp, NULL);
	points_import_free(imp);
	ck_assert_int_eq(k, aon && bad ? POINTS_EINVAL : POINTS_OK);
	if (aon && bad)
		memcpy(model, saved, sizeof(model));
	for (i = 0; i < M_ACCOUNTS; i++)
		compare_account(i);
}

static void
random_awards_file(void)
{
	static char text[8192];
	int64_t saved_pts[M_ACCOUNTS], saved_key[M_KEYS];
	int saved_kacct[M_KEYS], i, nl = 3 + (int)rnd(15), bad = 0;
	int aon = rnd(3) == 0;
	points_import *imp;
	points_import_line l;

	for (i = 0; i < M_ACCOUNTS; i++)
		saved_pts[i] = model[i].pts;
	memcpy(saved_key, key_amount, sizeof(key_amount));
	memcpy(saved_kacct, key_account, sizeof(key_account));
	strcpy(text, "idempotency_key,external_id,amount,asset\n");
	for (i = 0; i < nl; i++) {
		int a = (int)rnd(M_ACCOUNTS), key = (int)rnd(M_KEYS);
		int64_t amount = 1 + rnd(50);
		char f[64];

		snprintf(f, sizeof(f), "k%d", key);
		put_field(text, sizeof(text), f, 1);
		snprintf(f, sizeof(f), "M%d", a);
		put_field(text, sizeof(text), f, 0);
		if (rnd(10) == 0)
			snprintf(f, sizeof(f), "%lld.5", (long long)amount);
		else
			snprintf(f, sizeof(f), "%lld", (long long)amount);
		put_field(text, sizeof(text), f, 0);
		put_field(text, sizeof(text), "PTS", 0);
		strcat(text, "\n");
	}
	/* each line's expected outcome, from its fields read back */
	ck_assert_int_eq(points_import_new(db, POINTS_IMPORT_AWARDS, csv(text),
	    aon ? POINTS_IMPORT_ALL_OR_NOTHING : 0, &imp), POINTS_OK);
	{
		const char *p = strchr(text, '\n') + 1;

		for (i = 0; i < nl; i++) {
			int key, a, want;
			char amount[32];
			long long v;

			while (*p == '"')
				p++;
			ck_assert_int_eq(sscanf(p, "k%d%*[\",]M%d%*[\",]"
			    "%31[0-9.]", &key, &a, amount), 3);
			p = strchr(p, '\n') + 1;
			v = atoll(amount);
			if (strchr(amount, '.'))
				want = POINTS_IMPORT_REFUSED;
			else if (!model[a].exists)
				want = POINTS_IMPORT_REFUSED;
			else if (key_amount[key] == 0) {
				want = POINTS_IMPORT_APPLIED;
				key_amount[key] = v;
				key_account[key] = a;
				model[a].pts += v;
			} else if (key_amount[key] == v &&
			    key_account[key] == a)
				want = POINTS_IMPORT_REPLAYED;
			else
				want = POINTS_IMPORT_REFUSED;
			bad |= want == POINTS_IMPORT_REFUSED;
			ck_assert_int_eq(points_import_next(imp, &l),
			    POINTS_OK);
			ck_assert_msg(l.outcome == want, "line %lld: outcome "
			    "%d, not %d (%s)\n%s", (long long)l.line,
			    l.outcome, want, l.reason, text);
			ck_assert_int_eq(l.line, i + 2);
			if (model[a].exists)
				compare_account(a);
		}
	}
	ck_assert_int_eq(points_import_next(imp, &l), POINTS_ITEROVER);
	i = points_import_finish(imp, NULL);
	points_import_free(imp);
	ck_assert_int_eq(i, aon && bad ? POINTS_EINVAL : POINTS_OK);
	if (aon && bad) {
		for (i = 0; i < M_ACCOUNTS; i++)
			model[i].pts = saved_pts[i];
		memcpy(key_amount, saved_key, sizeof(key_amount));
		memcpy(key_account, saved_kacct, sizeof(key_account));
	}
	for (i = 0; i < M_ACCOUNTS; i++)
		compare_account(i);
}

START_TEST(test_random_files_agree_with_a_model)
{
	int step;

	rng_state = 0x1d2b3c4d5e6f7081ULL + (uint64_t)_i;
	memset(model, 0, sizeof(model));
	memset(key_amount, 0, sizeof(key_amount));
	memset(key_account, 0, sizeof(key_account));
	for (step = 0; step < 30; step++) {
		if (rnd(2))
			random_accounts_file();
		else
			random_awards_file();
	}
}
END_TEST

static Suite *
import_suite(void)
{
	Suite *s = suite_create("import");
	TCase *tc = tcase_create("import");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_accounts_are_created_updated_or_left_as_they_are);
	tcase_add_test(tc, test_a_rerun_imports_nothing_twice);
	tcase_add_test(tc, test_optional_columns_may_be_left_out);
	tcase_add_test(tc, test_rfc4180_quotes_crlf_and_line_breaks_in_fields);
	tcase_add_test(tc, test_a_bad_header_is_refused_naming_the_column);
	tcase_add_test(tc, test_every_refusal_names_line_column_and_reason);
	tcase_add_test(tc, test_nul_bytes_and_overlong_lines_are_refused);
	tcase_add_test(tc, test_account_refusals_name_the_column);
	tcase_add_test(tc, test_good_lines_are_applied_around_a_bad_one);
	tcase_add_test(tc, test_all_or_nothing_writes_nothing_when_a_line_is_bad);
	tcase_add_test(tc, test_an_import_freed_unfinished_is_rolled_back);
	tcase_add_test(tc, test_an_import_outlives_its_handle_safely);
	tcase_add_test(tc, test_a_batch_ended_under_an_import_ends_it);
	tcase_add_loop_test(tc, test_random_files_agree_with_a_model, 0, 8);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(import_suite());
}
