/*
 * points.c - the points command-line tool: a ledger's administration and
 * its cron jobs (man/man1/points.1).  It uses the public API only.
 *
 *   points [--ledger URI] [--asset CODE] [--json] COMMAND [ARGS]
 *
 * Each command is a row of the command table below and one function.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

int
usage(const char *fmt, const char *arg)
{
	fputs("points: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n(points help, or man points, lists the commands)\n", stderr);
	return EX_USAGE;
}

/* The exit code of a library error. */
static int
exit_code(int rc)
{
	switch (rc) {
	case POINTS_OK:
		return EX_OK;
	case POINTS_ENOTFOUND:
		return EX_NOTFOUND;
	case POINTS_EINSUFFICIENT:
		return EX_INSUFFICIENT;
	case POINTS_ESTORAGE:
	case POINTS_EBUSY:
	case POINTS_ENOMEM:
	case POINTS_ERETRY:
		return EX_STORAGE;
	case POINTS_ECORRUPT:
		return EX_VERIFY;
	default:
		return EX_REFUSED;
	}
}

/* A library error: the library's message names the object and the
 * reason; what names the command. */
int
fail(cli *c, const char *what, int rc)
{
	const char *msg = c->db ? points_errmsg(c->db) : "";

	if (!msg || !*msg)
		msg = points_strerror(rc);
	fprintf(stderr, "points: %s: %s\n", what, msg);
	return exit_code(rc);
}

/* ---- Output ---- */

void
json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", stdout);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

/* A CSV field, quoted when it must be (RFC 4180). */
static void
csv_str(const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

/* ISO 8601 in UTC: 2025-01-31T12:00:00Z. */
const char *
iso_time(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    !strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, 32, "%" PRId64, t);
	return buf;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* YYYY-MM-DD (midnight UTC; *date_only set) or YYYY-MM-DDTHH:MM:SS with
 * an optional Z: UTC. */
int
parse_time(const char *s, int64_t *out, int *date_only)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	*date_only = s[n] == '\0';
	if (!*date_only) {
		int n2 = 0;

		if (sscanf(s + n, "T%2d:%2d:%2d%n", &h, &mi, &sec, &n2) != 3 ||
		    n2 != 9)
			return -1;
		n += n2;
		if (s[n] == 'Z')
			n++;
		if (s[n] != '\0')
			return -1;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400))) ||
	    h > 23 || mi > 59 || sec > 59)
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}

int
parse_range(cli *c, int64_t *from, int64_t *to)
{
	int date_only;

	*from = *to = 0;
	if (c->from && parse_time(c->from, from, &date_only))
		return usage("--from: not a date or date-time (UTC): %s",
		    c->from);
	/* a date as --to includes its whole day */
	if (c->to) {
		if (parse_time(c->to, to, &date_only))
			return usage("--to: not a date or date-time (UTC): %s",
			    c->to);
		if (date_only)
			*to += 86400;
	}
	return EX_OK;
}

/* ---- Progress, on a terminal only ---- */

static int progress_shown;

void
progress(const char *what, int64_t done, int64_t total)
{
	static int tty = -1;
	char bar[41];
	int k;

	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	if (!tty)
		return;
	if (total > 0) {
		k = (int)(done > total ? 40 : done * 40 / total);
		memset(bar, '#', (size_t)k);
		memset(bar + k, '.', (size_t)(40 - k));
		bar[40] = '\0';
		fprintf(stderr, "\r%s [%s] %" PRId64 "/%" PRId64, what, bar,
		    done, total);
	} else
		fprintf(stderr, "\r%s: %" PRId64 "...", what, done);
	progress_shown = 1;
}

void
progress_end(void)
{
	if (progress_shown)
		fputs("\r\033[K", stderr);
	progress_shown = 0;
}

int
parse_int(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || errno)
		return -1;
	*out = v;
	return 0;
}

static const char *
status_name(int s)
{
	return s == POINTS_ACCOUNT_ACTIVE ? "active" :
	    s == POINTS_ACCOUNT_FROZEN ? "frozen" : "closed";
}

static const char *
type_name(int t)
{
	static const char *const n[] = { "?", "earn", "spend", "transfer",
	    "adjust", "reversal", "expire", "hold", "capture", "release",
	    "fund", "defund", "forfeit" };

	return t > 0 && t < (int)(sizeof(n) / sizeof(n[0])) ? n[t] : "?";
}

/* The external id of account id, or its number when it cannot be read. */
const char *
ext_id(cli *c, int64_t id, char buf[POINTS_EXTID_MAX + 1])
{
	points_account a;

	if (id != 0 && points_account_get(c->db, id, &a) == POINTS_OK)
		snprintf(buf, POINTS_EXTID_MAX + 1, "%s", a.external_id);
	else
		snprintf(buf, POINTS_EXTID_MAX + 1, "%" PRId64, id);
	return buf;
}

static void
print_account(cli *c, const points_account *a)
{
	char t[32];

	if (c->json) {
		printf("{\"id\":%" PRId64 ",\"external_id\":", a->id);
		json_str(a->external_id);
		fputs(",\"name\":", stdout);
		json_str(a->name);
		fputs(",\"tier\":", stdout);
		json_str(a->tier);
		fputs(",\"department\":", stdout);
		json_str(a->department);
		printf(",\"status\":\"%s\",\"system\":%s,\"created_at\":\"%s\"}",
		    status_name(a->status),
		    a->flags & POINTS_ACCOUNT_SYSTEM ? "true" : "false",
		    iso_time(a->created_at, t));
		return;
	}
	printf("%-20s %-7s %-12s %-16s %s%s\n", a->external_id,
	    status_name(a->status), a->tier, a->department, a->name,
	    a->flags & POINTS_ACCOUNT_SYSTEM ? " (system)" : "");
}

static void
print_txn(cli *c, const points_txn *t)
{
	char tb[32], from[POINTS_EXTID_MAX + 1], to[POINTS_EXTID_MAX + 1];

	ext_id(c, t->from, from);
	ext_id(c, t->to, to);
	if (c->json) {
		printf("{\"id\":\"%s\",\"seq\":%" PRId64 ",\"type\":\"%s\","
		    "\"time\":\"%s\",\"asset\":", t->id, t->seq,
		    type_name(t->type), iso_time(t->time, tb));
		json_str(t->asset);
		fputs(",\"from\":", stdout);
		json_str(from);
		fputs(",\"to\":", stdout);
		json_str(to);
		printf(",\"amount\":%" PRId64 ",\"memo\":", t->amount);
		json_str(t->memo);
		fputs(",\"category\":", stdout);
		json_str(t->category);
		fputs(",\"actor\":", stdout);
		json_str(t->actor);
		printf(",\"debt\":%" PRId64 ",\"repaid\":%" PRId64
		    ",\"replayed\":%s}\n", t->debt, t->repaid,
		    t->replayed ? "true" : "false");
		return;
	}
	printf("%s %s %" PRId64 " %s %s -> %s%s\n", t->id, type_name(t->type),
	    t->amount, t->asset, from, to, t->replayed ? " (replayed)" : "");
}

/* ---- Opening the ledger ---- */

/* Every command but init opens an existing ledger only (mode=rw), so
 * that a mistyped path is an error and not a new empty ledger. */
static int
open_ledger(cli *c, int create)
{
	char *uri;
	size_t n;
	int rc;

	if (!c->ledger || !*c->ledger)
		return usage("%sno ledger: give --ledger URI or set POINTS_LEDGER",
		    "");
	n = strlen(c->ledger) + 16;
	if (!(uri = malloc(n)))
		return usage("%sout of memory", "");
	if (!create && strncmp(c->ledger, "sqlite:", 7) == 0 &&
	    !strstr(c->ledger, "mode="))
		snprintf(uri, n, "%s%cmode=rw", c->ledger,
		    strchr(c->ledger, '?') ? '&' : '?');
	else
		snprintf(uri, n, "%s", c->ledger);
	rc = points_open(uri, NULL, &c->db);
	free(uri);
	if (rc != POINTS_OK)
		return fail(c, c->ledger, rc);
	return EX_OK;
}

int
find_account(cli *c, const char *ext, points_account *out)
{
	int rc = points_account_find(c->db, ext, out);

	return rc == POINTS_OK ? EX_OK : fail(c, ext, rc);
}

int
need_args(cli *c, int n, const char *synopsis)
{
	if (c->npos != n)
		return usage("usage: points %s", synopsis);
	return EX_OK;
}

/* ---- Commands ---- */

static int
cmd_init(cli *c)
{
	int64_t decimals = 0, days = 0;
	int rc;

	if (need_args(c, 0, "init [--asset CODE] [--decimals N] "
	    "[--expire-days N]"))
		return EX_USAGE;
	if ((c->decimals && parse_int(c->decimals, &decimals)) ||
	    decimals < 0 || decimals > 9)
		return usage("--decimals: not a number from 0 to 9: %s",
		    c->decimals);
	if ((c->expire_days && parse_int(c->expire_days, &days)) ||
	    days < 0 || days > INT_MAX)
		return usage("--expire-days: not a number of days: %s",
		    c->expire_days);
	if ((rc = open_ledger(c, 1)) != EX_OK)
		return rc;
	rc = points_asset_create(c->db, c->asset, (int)decimals,
	    days ? POINTS_EXPIRE_DAYS : POINTS_EXPIRE_NEVER, (int)days);
	if (rc != POINTS_OK)
		return fail(c, "init", rc);
	if (c->json) {
		fputs("{\"ledger\":", stdout);
		json_str(c->ledger);
		fputs(",\"asset\":", stdout);
		json_str(c->asset);
		printf(",\"decimals\":%d,\"expire_days\":%d}\n", (int)decimals,
		    (int)days);
	}
	return EX_OK;
}

static int
cmd_account_add(cli *c)
{
	points_account a;
	int64_t id;
	int rc;

	if (need_args(c, 1, "account add EXTERNAL_ID [--name NAME] "
	    "[--tier TIER] [--department DEPT]"))
		return EX_USAGE;
	/* one transaction: the account is there with its tier and
	 * department, or not at all */
	if ((rc = points_batch_begin(c->db)) != POINTS_OK)
		return fail(c, c->pos[0], rc);
	rc = points_account_create(c->db, c->pos[0], c->name, 0, &id);
	if (rc == POINTS_OK && (c->tier || c->department))
		rc = points_account_update(c->db, id, NULL, c->tier,
		    c->department);
	if (rc == POINTS_OK)
		rc = points_batch_commit(c->db);
	if (rc != POINTS_OK) {
		int code = fail(c, c->pos[0], rc);

		points_batch_rollback(c->db);
		return code;
	}
	if ((rc = points_account_get(c->db, id, &a)) != POINTS_OK)
		return fail(c, c->pos[0], rc);
	if (c->json) {
		print_account(c, &a);
		putchar('\n');
	}
	return EX_OK;
}

static int
cmd_account_list(cli *c)
{
	points_account_iterator *it;
	points_account a;
	int rc, n = 0;

	if (need_args(c, 0, "account list"))
		return EX_USAGE;
	if ((rc = points_account_iterator_new(c->db, 1, &it)) != POINTS_OK)
		return fail(c, "account list", rc);
	if (c->json)
		putchar('[');
	while ((rc = points_account_next(it, &a)) == POINTS_OK) {
		if (c->json && n)
			putchar(',');
		print_account(c, &a);
		n++;
	}
	points_account_iterator_free(it);
	if (c->json)
		puts("]");
	return rc == POINTS_ITEROVER ? EX_OK : fail(c, "account list", rc);
}

static int
cmd_account_show(cli *c)
{
	points_account a;
	int rc;

	if (need_args(c, 1, "account show EXTERNAL_ID"))
		return EX_USAGE;
	if ((rc = find_account(c, c->pos[0], &a)) != EX_OK)
		return rc;
	if (c->json) {
		print_account(c, &a);
		putchar('\n');
		return EX_OK;
	}
	{
		char t[32];

		printf("id          %" PRId64 "\nexternal_id %s\nname        %s\n"
		    "tier        %s\ndepartment  %s\nstatus      %s\n"
		    "created_at  %s\n", a.id, a.external_id, a.name, a.tier,
		    a.department, status_name(a.status),
		    iso_time(a.created_at, t));
	}
	return EX_OK;
}

/* freeze, unfreeze, close: one call on one account. */
static int
cmd_account_state(cli *c, int (*fn)(points_db *, int64_t), const char *verb)
{
	points_account a;
	char syn[64];
	int rc;

	snprintf(syn, sizeof(syn), "account %s EXTERNAL_ID", verb);
	if (need_args(c, 1, syn))
		return EX_USAGE;
	if ((rc = find_account(c, c->pos[0], &a)) != EX_OK)
		return rc;
	if ((rc = fn(c->db, a.id)) != POINTS_OK)
		return fail(c, c->pos[0], rc);
	if (c->json && (rc = points_account_get(c->db, a.id, &a)) == POINTS_OK) {
		print_account(c, &a);
		putchar('\n');
	}
	return EX_OK;
}

static int cmd_account_freeze(cli *c)
{ return cmd_account_state(c, points_account_freeze, "freeze"); }
static int cmd_account_unfreeze(cli *c)
{ return cmd_account_state(c, points_account_unfreeze, "unfreeze"); }
static int cmd_account_close(cli *c)
{ return cmd_account_state(c, points_account_close, "close"); }

/* earn, spend, adjust: ACCOUNT AMOUNT with the posting's options. */
static int
cmd_posting(cli *c, const char *verb,
    int (*fn)(points_db *, const points_posting *, points_txn *))
{
	points_posting p = POINTS_POSTING_INIT;
	points_account a;
	points_txn t;
	char syn[128];
	int rc;

	snprintf(syn, sizeof(syn), "%s ACCOUNT AMOUNT [--memo TEXT] "
	    "[--key KEY] [--category CAT] [--actor WHO]", verb);
	if (need_args(c, 2, syn))
		return EX_USAGE;
	if (parse_int(c->pos[1], &p.amount))
		return usage("not an amount (an integer in the asset's smallest "
		    "unit): %s", c->pos[1]);
	if ((rc = find_account(c, c->pos[0], &a)) != EX_OK)
		return rc;
	p.asset = c->asset;
	p.account = a.id;
	p.memo = c->memo;
	p.idempotency_key = c->key;
	p.category = c->category;
	p.actor = c->actor;
	if ((rc = fn(c->db, &p, &t)) != POINTS_OK)
		return fail(c, verb, rc);
	if (c->json)
		print_txn(c, &t);
	return EX_OK;
}

static int cmd_earn(cli *c) { return cmd_posting(c, "earn", points_earn); }
static int cmd_spend(cli *c) { return cmd_posting(c, "spend", points_spend); }
static int cmd_adjust(cli *c)
{ return cmd_posting(c, "adjust", points_adjust); }

static int
cmd_balance(cli *c)
{
	points_account a;
	points_balance b;
	int rc;

	if (need_args(c, 1, "balance ACCOUNT"))
		return EX_USAGE;
	if ((rc = find_account(c, c->pos[0], &a)) != EX_OK)
		return rc;
	if ((rc = points_balance_get(c->db, a.id, c->asset, &b)) != POINTS_OK)
		return fail(c, c->pos[0], rc);
	if (c->json) {
		fputs("{\"account\":", stdout);
		json_str(a.external_id);
		fputs(",\"asset\":", stdout);
		json_str(b.asset);
		printf(",\"available\":%" PRId64 ",\"held\":%" PRId64
		    ",\"pending\":%" PRId64 ",\"debt\":%" PRId64 ",\"earned\":%"
		    PRId64 ",\"spent\":%" PRId64 ",\"expired\":%" PRId64 "}\n",
		    b.available, b.held, b.pending, b.debt, b.earned, b.spent,
		    b.expired);
		return EX_OK;
	}
	printf("%s %s available %" PRId64 " held %" PRId64 " pending %" PRId64
	    " debt %" PRId64 " earned %" PRId64 " spent %" PRId64 " expired %"
	    PRId64 "\n", a.external_id, b.asset, b.available, b.held, b.pending,
	    b.debt, b.earned, b.spent, b.expired);
	return EX_OK;
}

static int
cmd_statement(cli *c)
{
	points_statement_iterator *it;
	points_account a;
	points_entry e;
	int64_t from = 0, to = 0;
	int rc, date_only, n = 0;

	if (need_args(c, 1, "statement ACCOUNT [--from TIME] [--to TIME] "
	    "[--csv]"))
		return EX_USAGE;
	if (c->json && c->csv)
		return usage("%s--json and --csv: choose one", "");
	if (c->from && parse_time(c->from, &from, &date_only))
		return usage("--from: not a date or date-time (UTC): %s", c->from);
	/* a date as --to includes its whole day */
	if (c->to) {
		if (parse_time(c->to, &to, &date_only))
			return usage("--to: not a date or date-time (UTC): %s",
			    c->to);
		if (date_only)
			to += 86400;
	}
	if ((rc = find_account(c, c->pos[0], &a)) != EX_OK)
		return rc;
	rc = points_statement_iterator_new(c->db, a.id, c->asset, from, to,
	    POINTS_OLDEST_FIRST, &it);
	if (rc != POINTS_OK)
		return fail(c, c->pos[0], rc);
	if (c->json)
		putchar('[');
	else if (c->csv)
		puts("seq,time,txn_id,type,asset,amount,held,debt,counterparty,"
		    "category,actor,memo");
	while ((rc = points_statement_next(it, &e)) == POINTS_OK) {
		char tb[32], cp[POINTS_EXTID_MAX + 1];

		iso_time(e.time, tb);
		ext_id(c, e.counterparty, cp);
		if (c->json) {
			printf("%s{\"seq\":%" PRId64 ",\"time\":\"%s\","
			    "\"txn_id\":\"%s\",\"type\":\"%s\",\"asset\":",
			    n ? "," : "", e.seq, tb, e.txn_id,
			    type_name(e.type));
			json_str(e.asset);
			printf(",\"amount\":%" PRId64 ",\"held\":%" PRId64
			    ",\"debt\":%" PRId64 ",\"counterparty\":", e.amount,
			    e.held, e.debt);
			json_str(cp);
			fputs(",\"category\":", stdout);
			json_str(e.category);
			fputs(",\"actor\":", stdout);
			json_str(e.actor);
			fputs(",\"memo\":", stdout);
			json_str(e.memo);
			putchar('}');
		} else if (c->csv) {
			printf("%" PRId64 ",%s,%s,%s,%s,%" PRId64 ",%" PRId64 ",%"
			    PRId64 ",", e.seq, tb, e.txn_id, type_name(e.type),
			    e.asset, e.amount, e.held, e.debt);
			csv_str(cp);
			putchar(',');
			csv_str(e.category);
			putchar(',');
			csv_str(e.actor);
			putchar(',');
			csv_str(e.memo);
			putchar('\n');
		} else {
			printf("%s %-8s %+8" PRId64 " %-20s %s\n", tb,
			    type_name(e.type), e.amount, cp, e.memo);
		}
		n++;
	}
	points_statement_iterator_free(it);
	if (c->json)
		puts("]");
	return rc == POINTS_ITEROVER ? EX_OK : fail(c, c->pos[0], rc);
}

/* For cron: nothing on stdout or stderr when it works (--json prints the
 * report). */
static int
cmd_sweep(cli *c)
{
	points_sweep_report r;
	int64_t as_of;
	int date_only, rc;

	if (need_args(c, 0, "sweep [--as-of TIME]"))
		return EX_USAGE;
	if (c->as_of && parse_time(c->as_of, &as_of, &date_only))
		return usage("--as-of: not a date or date-time (UTC): %s",
		    c->as_of);
	if (!c->as_of)
		as_of = points_now(c->db);
	progress("sweep", 0, 0);
	rc = points_expire_sweep_asset(c->db, c->asset, as_of,
	    as_of > points_now(c->db) ? POINTS_SWEEP_FUTURE : 0, &r);
	progress_end();
	if (rc != POINTS_OK)
		return fail(c, "sweep", rc);
	if (c->json) {
		char tb[32];

		fputs("{\"asset\":", stdout);
		json_str(r.asset);
		printf(",\"as_of\":\"%s\",\"accounts\":%" PRId64 ",\"lots\":%"
		    PRId64 ",\"points\":%" PRId64 ",\"holds\":%" PRId64 "}\n",
		    iso_time(as_of, tb), r.accounts, r.lots, r.points, r.holds);
	}
	return EX_OK;
}

static int
cmd_verify(cli *c)
{
	points_verify_report r;
	int rc;

	if (need_args(c, 0, "verify"))
		return EX_USAGE;
	memset(&r, 0, sizeof(r));
	rc = points_verify(c->db, &r);
	if (c->json) {
		printf("{\"ok\":%s,\"entries\":%" PRId64 ",\"balances\":%" PRId64
		    ",\"bad_seq\":%" PRId64 ",\"message\":",
		    rc == POINTS_OK ? "true" : "false", r.entries, r.balances,
		    r.bad_seq);
		json_str(rc == POINTS_OK ? "" : r.message[0] ? r.message :
		    points_errmsg(c->db));
		puts("}");
	} else if (rc == POINTS_OK) {
		printf("ok: %" PRId64 " entries, %" PRId64 " balances\n",
		    r.entries, r.balances);
	}
	if (rc != POINTS_OK) {
		fprintf(stderr, "points: verify: %s\n", r.message[0] ? r.message :
		    points_errmsg(c->db));
		return exit_code(rc);
	}
	return EX_OK;
}

/* ---- Dispatch ---- */

typedef struct command {
	const char *group; /* NULL: a command of one word */
	const char *name;
	int (*fn)(cli *);
	int opens;         /* 1: opens an existing ledger first */
} command;

static int cmd_help(cli *c);

static const command commands[] = {
	{ NULL, "help", cmd_help, 0 },
	{ NULL, "init", cmd_init, 0 },
	{ "account", "add", cmd_account_add, 1 },
	{ "account", "list", cmd_account_list, 1 },
	{ "account", "show", cmd_account_show, 1 },
	{ "account", "freeze", cmd_account_freeze, 1 },
	{ "account", "unfreeze", cmd_account_unfreeze, 1 },
	{ "account", "close", cmd_account_close, 1 },
	{ NULL, "earn", cmd_earn, 1 },
	{ NULL, "spend", cmd_spend, 1 },
	{ NULL, "adjust", cmd_adjust, 1 },
	{ NULL, "balance", cmd_balance, 1 },
	{ NULL, "statement", cmd_statement, 1 },
	{ NULL, "sweep", cmd_sweep, 1 },
	{ NULL, "verify", cmd_verify, 1 },
	{ "rule", "list", cmd_rule_list, 1 },
	{ "rule", "show", cmd_rule_show, 1 },
	{ "rule", "history", cmd_rule_history, 1 },
	{ "order", "list", cmd_order_list, 1 },
	{ "order", "show", cmd_order_show, 1 },
	{ "outbox", "tail", cmd_outbox_tail, 1 },
	{ NULL, "import", cmd_import, 1 },
	{ NULL, "export", cmd_export, 1 },
	{ NULL, "report", cmd_report, 1 },
	{ NULL, "backup", cmd_backup, 1 },
	{ NULL, "restore", cmd_restore, 0 },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static int
cmd_help(cli *c)
{
	size_t i;

	(void)c;
	puts("usage: points [--ledger URI] [--asset CODE] [--json] COMMAND "
	    "[ARGS]\ncommands:");
	for (i = 0; i < NCOMMANDS; i++)
		printf("  %s%s%s\n", commands[i].group ? commands[i].group : "",
		    commands[i].group ? " " : "", commands[i].name);
	return EX_OK;
}

/* Options that take a value, and where it goes. */
static const char **
option_slot(cli *c, const char *opt)
{
	static const struct { const char *name; size_t off; } opts[] = {
#define O(n, f) { n, offsetof(cli, f) }
		O("--ledger", ledger), O("--asset", asset), O("--from", from),
		O("--to", to), O("--as-of", as_of), O("--memo", memo),
		O("--key", key), O("--category", category),
		O("--actor", actor), O("--name", name), O("--tier", tier),
		O("--department", department), O("--decimals", decimals),
		O("--expire-days", expire_days), O("--account", account),
		O("--state", state), O("--sku", sku), O("--after", after),
		O("--limit", limit), O("--output", output), O("-o", output),
		O("--period", period), O("--by", by),
#undef O
	};
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strcmp(opt, opts[i].name) == 0)
			return (const char **)(void *)((char *)c + opts[i].off);
	return NULL;
}

int
main(int argc, char **argv)
{
	cli c;
	char **words;
	int nwords = 0, i, rc;
	size_t k;
	const command *cmd = NULL;

	memset(&c, 0, sizeof(c));
	c.ledger = getenv("POINTS_LEDGER");
	c.asset = getenv("POINTS_ASSET");
	if (!c.asset || !*c.asset)
		c.asset = "POINTS";
	if (!(words = calloc((size_t)argc + 1, sizeof(*words))))
		return EX_STORAGE;
	/* options may come anywhere; "--" ends them (a negative amount
	 * such as -50 is a word, not an option) */
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], **slot;
		const char *eq = strchr(a, '=');
		char opt[32];

		if (strcmp(a, "--") == 0) {
			while (++i < argc)
				words[nwords++] = argv[i];
			break;
		}
		if (strncmp(a, "--", 2) != 0 && strcmp(a, "-o") != 0) {
			words[nwords++] = argv[i];
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			c.json = 1;
			continue;
		}
		if (strcmp(a, "--all-or-nothing") == 0) {
			c.all_or_nothing = 1;
			continue;
		}
		if (strcmp(a, "--csv") == 0) {
			c.csv = 1;
			continue;
		}
		if (strcmp(a, "--help") == 0) {
			free(words);
			return cmd_help(&c);
		}
		if (strcmp(a, "--version") == 0) {
			/* the tool's and the library it runs with */
			free(words);
			printf("points %s (libpoints %s)\n", POINTS_VERSION,
			    points_version());
			return EX_OK;
		}
		snprintf(opt, sizeof(opt), "%.*s",
		    (int)(eq ? (size_t)(eq - a) : strlen(a)), a);
		if (!(slot = option_slot(&c, opt))) {
			free(words);
			return usage("unknown option: %s", a);
		}
		if (eq)
			*slot = eq + 1;
		else if (i + 1 < argc)
			*slot = argv[++i];
		else {
			free(words);
			return usage("%s needs a value", opt);
		}
	}
	if (nwords == 0) {
		free(words);
		return usage("%sno command", "");
	}
	for (k = 0; k < NCOMMANDS; k++) {
		const command *m = &commands[k];

		if (m->group ? nwords >= 2 && strcmp(words[0], m->group) == 0 &&
		    strcmp(words[1], m->name) == 0 :
		    strcmp(words[0], m->name) == 0) {
			cmd = m;
			break;
		}
	}
	if (!cmd) {
		rc = usage("unknown command: %s", words[0]);
		free(words);
		return rc;
	}
	c.pos = words + (cmd->group ? 2 : 1);
	c.npos = nwords - (cmd->group ? 2 : 1);
	if (c.csv && cmd->fn != cmd_statement) {
		free(words);
		return usage("--csv: only for statement%s", "");
	}
	if (c.all_or_nothing && cmd->fn != cmd_import) {
		free(words);
		return usage("--all-or-nothing: only for import%s", "");
	}
	rc = cmd->opens ? open_ledger(&c, 0) : EX_OK;
	if (rc == EX_OK)
		rc = cmd->fn(&c);
	points_close(c.db);
	free(words);
	if (fflush(stdout) != 0 && rc == EX_OK) {
		fprintf(stderr, "points: writing the output: %s\n",
		    strerror(errno));
		rc = EX_STORAGE;
	}
	return rc;
}
