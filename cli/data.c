/*
 * data.c - points import|export|backup|restore: files in and out of a
 * ledger (points_import_new(3), points_export_iterator_new(3),
 * points_backup(3)).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *const outcome_names[] = {
	"", "created", "updated", "unchanged", "applied", "replayed",
	"refused",
};

/* The lines of the file at path (for the progress bar); 0 when it
 * cannot be read (the import then says why). */
static int64_t
count_lines(const char *path)
{
	FILE *f = fopen(path, "rb");
	int64_t n = 0;
	int ch;

	if (!f)
		return 0;
	while ((ch = getc(f)) != EOF)
		n += ch == '\n';
	fclose(f);
	return n;
}

/* import accounts|awards FILE [--all-or-nothing]: a line a step, each
 * bad line on stderr with its number, account, column and reason. */
int
cmd_import(cli *c)
{
	points_import *imp;
	points_import_line l;
	points_import_summary s;
	int64_t total, refused = 0;
	int kind, rc, n = 0;
	const char *path;

	if (need_args(c, 2, "import accounts|awards FILE [--all-or-nothing]"))
		return EX_USAGE;
	if (strcmp(c->pos[0], "accounts") == 0)
		kind = POINTS_IMPORT_ACCOUNTS;
	else if (strcmp(c->pos[0], "awards") == 0)
		kind = POINTS_IMPORT_AWARDS;
	else
		return usage("import: accounts or awards, not %s", c->pos[0]);
	path = c->pos[1];
	total = count_lines(path);
	rc = points_import_new(c->db, kind, path, c->all_or_nothing ?
	    POINTS_IMPORT_ALL_OR_NOTHING : 0, &imp);
	if (rc != POINTS_OK)
		return fail(c, "import", rc);
	if (c->json)
		fputs("{\"lines\":[", stdout);
	while ((rc = points_import_next(imp, &l)) == POINTS_OK) {
		progress("import", l.line, total);
		if (c->json) {
			printf("%s{\"line\":%" PRId64 ",\"outcome\":\"%s\","
			    "\"account\":%" PRId64 ",\"external_id\":",
			    n++ ? "," : "", l.line, outcome_names[l.outcome],
			    l.account);
			json_str(l.external_id);
			fputs(",\"txn_id\":", stdout);
			json_str(l.txn_id);
			fputs(",\"column\":", stdout);
			json_str(l.column);
			printf(",\"code\":%d,\"reason\":", l.code);
			json_str(l.reason);
			putchar('}');
		}
		if (l.outcome != POINTS_IMPORT_REFUSED)
			continue;
		refused++;
		progress_end();
		fprintf(stderr, "points: %s:%" PRId64 ": account %s: %s%s%s%s\n",
		    path, l.line, l.external_id[0] ? l.external_id : "(none)",
		    l.column[0] ? "column " : "", l.column,
		    l.column[0] ? ": " : "", l.reason);
	}
	progress_end();
	if (rc == POINTS_ITEROVER)
		rc = points_import_finish(imp, &s);
	points_import_free(imp);
	if (c->json)
		printf("],\"committed\":%s}\n", rc == POINTS_OK ? "true" :
		    "false");
	if (rc != POINTS_OK)
		return fail(c, path, rc);
	if (!c->json)
		printf("%s: %" PRId64 " lines: %" PRId64 " created, %" PRId64
		    " updated, %" PRId64 " unchanged, %" PRId64 " applied, %"
		    PRId64 " replayed, %" PRId64 " refused\n", path, s.lines,
		    s.created, s.updated, s.unchanged, s.applied, s.replayed,
		    s.refused);
	return refused ? EX_REFUSED : EX_OK;
}

/* export csv|jsonl|journal [--from --to] [-o FILE]: streamed a line at
 * a time, to stdout or the file. */
int
cmd_export(cli *c)
{
	points_export_iterator *it;
	int64_t from, to, lines = 0;
	FILE *out = stdout;
	char *line;
	int format, rc;

	if (need_args(c, 1, "export csv|jsonl|journal [--from TIME] "
	    "[--to TIME] [-o FILE]"))
		return EX_USAGE;
	if (strcmp(c->pos[0], "csv") == 0)
		format = POINTS_EXPORT_CSV;
	else if (strcmp(c->pos[0], "jsonl") == 0)
		format = POINTS_EXPORT_JSONL;
	else if (strcmp(c->pos[0], "journal") == 0)
		format = POINTS_EXPORT_JOURNAL;
	else
		return usage("export: csv, jsonl or journal, not %s",
		    c->pos[0]);
	if (c->json && !c->output)
		return usage("export: --json reports on a file written with "
		    "-o%s", "");
	if ((rc = parse_range(c, &from, &to)) != EX_OK)
		return rc;
	rc = points_export_iterator_new(c->db, format, from, to, &it);
	if (rc != POINTS_OK)
		return fail(c, "export", rc);
	if (c->output && !(out = fopen(c->output, "wb"))) {
		fprintf(stderr, "points: export: %s: %s\n", c->output,
		    strerror(errno));
		points_export_iterator_free(it);
		return EX_STORAGE;
	}
	while ((rc = points_export_next(it, &line)) == POINTS_OK) {
		fputs(line, out);
		points_free(line);
		if (++lines % 1024 == 0)
			progress("export", lines, 0);
	}
	progress_end();
	points_export_iterator_free(it);
	if (out != stdout && fclose(out) != 0 && rc == POINTS_ITEROVER) {
		fprintf(stderr, "points: export: %s: %s\n", c->output,
		    strerror(errno));
		return EX_STORAGE;
	}
	if (rc != POINTS_ITEROVER)
		return fail(c, "export", rc);
	if (c->json) {
		fputs("{\"format\":", stdout);
		json_str(c->pos[0]);
		fputs(",\"file\":", stdout);
		json_str(c->output);
		printf(",\"lines\":%" PRId64 "}\n", lines);
	}
	return EX_OK;
}

/* backup FILE: a verified copy of the (SQLite) ledger. */
int
cmd_backup(cli *c)
{
	int rc;

	if (need_args(c, 1, "backup FILE"))
		return EX_USAGE;
	if ((rc = points_backup(c->db, c->pos[0])) != POINTS_OK)
		return fail(c, c->pos[0], rc);
	if (c->json) {
		fputs("{\"backup\":", stdout);
		json_str(c->pos[0]);
		puts(",\"verified\":true}");
	}
	return EX_OK;
}

/* restore FILE: the ledger replaced by a verified backup. */
int
cmd_restore(cli *c)
{
	int rc;

	if (need_args(c, 1, "restore FILE"))
		return EX_USAGE;
	if (!c->ledger || !*c->ledger)
		return usage("%sno ledger: give --ledger URI or set "
		    "POINTS_LEDGER", "");
	rc = points_restore(c->pos[0], c->ledger, NULL, &c->db);
	if (rc != POINTS_OK)
		return fail(c, c->pos[0], rc);
	if (c->json) {
		fputs("{\"restored\":", stdout);
		json_str(c->pos[0]);
		fputs(",\"ledger\":", stdout);
		json_str(c->ledger);
		puts("}");
	}
	return EX_OK;
}
