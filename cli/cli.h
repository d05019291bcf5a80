/*
 * cli.h - what the points tool's files share: the parsed command line,
 * the exit codes, and the helpers for output and errors (points.c).
 */
#ifndef POINTS_CLI_H
#define POINTS_CLI_H

#include <stdint.h>

#include <points.h>

/* Exit codes (points(1), EXIT STATUS): one per class of library error. */
#define EX_OK 0
#define EX_USAGE 1
#define EX_NOTFOUND 2
#define EX_INSUFFICIENT 3
#define EX_REFUSED 4
#define EX_STORAGE 5
#define EX_VERIFY 6

/* What the command line said: global options and the command's own. */
typedef struct cli {
	const char *ledger;
	const char *asset;
	int json;
	int csv;
	const char *from, *to, *as_of;
	const char *memo, *key, *category, *actor;
	const char *name, *tier, *department;
	const char *decimals, *expire_days;
	const char *account, *state, *sku, *after, *limit;
	const char *output, *period, *by;
	int all_or_nothing;
	int npos;
	char **pos; /* the positional words after the command's name(s) */
	points_db *db;
} cli;

/* A usage error: fmt with one %s for arg; exit status EX_USAGE. */
int usage(const char *fmt, const char *arg);
/* A library error rc on what, with the library's message; its status. */
int fail(cli *c, const char *what, int rc);
/* Check the number of positional words. */
int need_args(cli *c, int n, const char *synopsis);
int parse_int(const char *s, int64_t *out);
/* ISO 8601 date or date-time in UTC (points(1), "Dates and times"). */
int parse_time(const char *s, int64_t *out, int *date_only);
void json_str(const char *s);
const char *iso_time(int64_t t, char buf[32]);
/* The external id of an account (its number when it has none). */
const char *ext_id(cli *c, int64_t id, char buf[POINTS_EXTID_MAX + 1]);
int find_account(cli *c, const char *ext, points_account *out);

/* rule.c, order.c, outbox.c */
/* --from and --to (a date as --to includes its whole day); 0: none.
 * EX_OK or a usage error. */
int parse_range(cli *c, int64_t *from, int64_t *to);
/* A progress line on stderr, only when stderr is a terminal: done of
 * total (total 0: a count alone); progress_end clears it. */
void progress(const char *what, int64_t done, int64_t total);
void progress_end(void);

int cmd_rule_list(cli *c);
int cmd_rule_show(cli *c);
int cmd_rule_history(cli *c);
int cmd_order_list(cli *c);
int cmd_order_show(cli *c);
int cmd_outbox_tail(cli *c);
int cmd_import(cli *c);
int cmd_export(cli *c);
int cmd_backup(cli *c);
int cmd_restore(cli *c);
int cmd_report(cli *c);

#endif /* POINTS_CLI_H */
