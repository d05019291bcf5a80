/*
 * report.c - points report NAME: the library's reports, as text or
 * JSON (points_report_iterator_new(3), points_leaderboard_iterator_new(3),
 * points_liability_get(3), points_account_summary_get(3),
 * points_settlement_iterator_new(3)).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct flow {
	const char *name;
	int kind;
} flows[] = {
	{ "issued-by-category", POINTS_REPORT_ISSUED_BY_CATEGORY },
	{ "issued-by-rule", POINTS_REPORT_ISSUED_BY_RULE },
	{ "redeemed-by-item", POINTS_REPORT_REDEEMED_BY_ITEM },
	{ "redeemed-by-category", POINTS_REPORT_REDEEMED_BY_CATEGORY },
	{ "redemption-rate", POINTS_REPORT_REDEMPTION_RATE },
	{ "popular-items", POINTS_REPORT_POPULAR_ITEMS },
};
#define NFLOWS (sizeof(flows) / sizeof(flows[0]))

static const char *const periods[] = { "all", "day", "week", "month",
	"year" };

/* A row's opening: "[" or "," in JSON. */
static void
row_start(cli *c, int *n)
{
	if (c->json)
		putchar((*n)++ ? ',' : '[');
}

static int
rows_end(cli *c, int n, int rc, const char *name)
{
	if (c->json)
		puts(n ? "]" : "[]");
	return rc == POINTS_ITEROVER ? EX_OK : fail(c, name, rc);
}

static int
report_flow(cli *c, int kind, const char *name, int64_t from, int64_t to,
    int period, int64_t limit)
{
	points_report_iterator *it;
	points_report_row r;
	int rc, n = 0;

	rc = points_report_iterator_new(c->db, kind, c->asset, from, to,
	    period, limit, &it);
	if (rc != POINTS_OK)
		return fail(c, name, rc);
	while ((rc = points_report_next(it, &r)) == POINTS_OK) {
		char tb[32];

		row_start(c, &n);
		iso_time(r.period, tb);
		if (c->json) {
			printf("{\"period\":\"%s\",\"key\":", tb);
			json_str(r.key);
			fputs(",\"asset\":", stdout);
			json_str(r.asset);
			printf(",\"points\":%" PRId64 ",\"count\":%" PRId64
			    ",\"issued\":%" PRId64 "}", r.points, r.count,
			    r.issued);
		} else if (kind == POINTS_REPORT_REDEMPTION_RATE)
			printf("%s %-20s redeemed %" PRId64 " of %" PRId64
			    " issued\n", tb, r.key[0] ? r.key : "(all)",
			    r.points, r.issued);
		else
			printf("%s %-20s %" PRId64 " %s in %" PRId64 "\n", tb,
			    r.key[0] ? r.key : "(none)", r.points, r.asset,
			    r.count);
	}
	points_report_iterator_free(it);
	return rows_end(c, n, rc, name);
}

static int
report_leaderboard(cli *c, int64_t from, int64_t to, int64_t limit)
{
	points_leaderboard_iterator *it;
	points_leader l;
	int by = POINTS_LEADERS_ALL, rc, n = 0;

	if (c->by && strcmp(c->by, "department") == 0)
		by = POINTS_LEADERS_BY_DEPARTMENT;
	else if (c->by && strcmp(c->by, "tier") == 0)
		by = POINTS_LEADERS_BY_TIER;
	else if (c->by)
		return usage("--by: department or tier, not %s", c->by);
	rc = points_leaderboard_iterator_new(c->db, c->asset, from, to, by,
	    limit ? limit : 10, &it);
	if (rc != POINTS_OK)
		return fail(c, "leaderboard", rc);
	while ((rc = points_leaderboard_next(it, &l)) == POINTS_OK) {
		row_start(c, &n);
		if (c->json) {
			fputs("{\"group\":", stdout);
			json_str(l.group);
			printf(",\"rank\":%" PRId64 ",\"account\":%" PRId64
			    ",\"external_id\":", l.rank, l.account);
			json_str(l.external_id);
			printf(",\"points\":%" PRId64 ",\"entries\":%" PRId64 "}",
			    l.points, l.entries);
		} else
			printf("%s%s%3" PRId64 ". %-20s %" PRId64 "\n", l.group,
			    l.group[0] ? " " : "", l.rank, l.external_id,
			    l.points);
	}
	points_leaderboard_iterator_free(it);
	return rows_end(c, n, rc, "leaderboard");
}

static int
report_liability(cli *c)
{
	points_liability l;
	int rc;

	if ((rc = points_liability_get(c->db, c->asset, &l)) != POINTS_OK)
		return fail(c, "liability", rc);
	if (c->json) {
		fputs("{\"asset\":", stdout);
		json_str(l.asset);
		printf(",\"accounts\":%" PRId64 ",\"available\":%" PRId64
		    ",\"pending\":%" PRId64 ",\"held\":%" PRId64
		    ",\"outstanding\":%" PRId64 ",\"debt\":%" PRId64
		    ",\"never_expires\":%" PRId64 ",\"cash\":%" PRId64
		    ",\"cash_rem\":%" PRId64 ",\"ratio_points\":%" PRId64
		    ",\"ratio_cash\":%" PRId64 "}\n", l.accounts, l.available,
		    l.pending, l.held, l.outstanding, l.debt, l.never_expires,
		    l.cash, l.cash_rem, l.ratio_points, l.ratio_cash);
		return EX_OK;
	}
	printf("%s: %" PRId64 " outstanding (%" PRId64 " available, %" PRId64
	    " pending, %" PRId64 " held) in %" PRId64 " accounts; debt %"
	    PRId64 "; never expiring %" PRId64 "; cash value %" PRId64 "\n",
	    l.asset, l.outstanding, l.available, l.pending, l.held, l.accounts,
	    l.debt, l.never_expires, l.cash);
	return EX_OK;
}

static int
report_forecast(cli *c)
{
	points_expiry_forecast_iterator *it;
	points_expiry_month m;
	int rc, n = 0;

	rc = points_expiry_forecast_iterator_new(c->db, c->asset, &it);
	if (rc != POINTS_OK)
		return fail(c, "forecast", rc);
	while ((rc = points_expiry_forecast_next(it, &m)) == POINTS_OK) {
		row_start(c, &n);
		if (c->json)
			printf("{\"year\":%d,\"month\":%d,\"points\":%" PRId64
			    ",\"accounts\":%" PRId64 "}", m.year, m.month,
			    m.points, m.accounts);
		else
			printf("%04d-%02d %" PRId64 " %s in %" PRId64
			    " accounts\n", m.year, m.month, m.points, m.asset,
			    m.accounts);
	}
	points_expiry_forecast_iterator_free(it);
	return rows_end(c, n, rc, "forecast");
}

static void
print_summary(cli *c, const points_summary *s)
{
	if (c->json) {
		fputs("{\"department\":", stdout);
		json_str(s->department);
		fputs(",\"external_id\":", stdout);
		json_str(s->external_id);
		printf(",\"accounts\":%" PRId64 ",\"start\":%" PRId64
		    ",\"earned\":%" PRId64 ",\"spent\":%" PRId64 ",\"expired\":%"
		    PRId64 ",\"other\":%" PRId64 ",\"end\":%" PRId64 "}",
		    s->accounts, s->start, s->earned, s->spent, s->expired,
		    s->other, s->end);
		return;
	}
	printf("%-20s start %" PRId64 " earned %" PRId64 " spent %" PRId64
	    " expired %" PRId64 " other %" PRId64 " end %" PRId64 "\n",
	    s->account ? s->external_id : s->department[0] ? s->department :
	    "(none)", s->start, s->earned, s->spent, s->expired, s->other,
	    s->end);
}

/* summary [ACCOUNT]: an employee's, or every department's */
static int
report_summary(cli *c, int64_t from, int64_t to)
{
	points_summary_iterator *it;
	points_summary s;
	points_account a;
	int rc, n = 0;

	if (c->npos == 2) {
		if ((rc = find_account(c, c->pos[1], &a)) != EX_OK)
			return rc;
		rc = points_account_summary_get(c->db, a.id, c->asset, from, to,
		    &s);
		if (rc != POINTS_OK)
			return fail(c, c->pos[1], rc);
		print_summary(c, &s);
		if (c->json)
			putchar('\n');
		return EX_OK;
	}
	rc = points_department_summary_iterator_new(c->db, c->asset, from, to,
	    &it);
	if (rc != POINTS_OK)
		return fail(c, "summary", rc);
	while ((rc = points_department_summary_next(it, &s)) == POINTS_OK) {
		row_start(c, &n);
		print_summary(c, &s);
	}
	points_department_summary_iterator_free(it);
	return rows_end(c, n, rc, "summary");
}

static int
report_settlement(cli *c, int64_t from, int64_t to)
{
	points_settlement_iterator *it;
	points_settlement s;
	int rc, n = 0;

	rc = points_settlement_iterator_new(c->db, c->asset, from, to, 0, 0,
	    &it);
	if (rc != POINTS_OK)
		return fail(c, "settlement", rc);
	while ((rc = points_settlement_next(it, &s)) == POINTS_OK) {
		row_start(c, &n);
		if (c->json) {
			fputs("{\"external_id\":", stdout);
			json_str(s.external_id);
			printf(",\"issued\":%" PRId64 ",\"redeemed\":%" PRId64
			    ",\"net\":%" PRId64 ",\"cash\":%" PRId64 "}",
			    s.issued, s.redeemed, s.net, s.cash);
		} else
			printf("%-20s issued %" PRId64 " redeemed %" PRId64
			    " net %" PRId64 " cash %" PRId64 "\n",
			    s.external_id, s.issued, s.redeemed, s.net, s.cash);
	}
	points_settlement_iterator_free(it);
	return rows_end(c, n, rc, "settlement");
}

int
cmd_report(cli *c)
{
	int64_t from, to, limit = 0;
	int period = POINTS_PERIOD_ALL, rc;
	const char *name;
	size_t i;

	if (c->npos < 1 || c->npos > 2)
		return usage("usage: points report NAME [--period day|week|"
		    "month|year] [--from TIME] [--to TIME]%s", "");
	name = c->pos[0];
	if (c->npos == 2 && strcmp(name, "summary") != 0)
		return usage("report %s: no argument", name);
	if ((rc = parse_range(c, &from, &to)) != EX_OK)
		return rc;
	if (c->limit && (parse_int(c->limit, &limit) || limit < 0))
		return usage("--limit: not a count: %s", c->limit);
	if (c->period) {
		for (i = 0; i < 5 && strcmp(c->period, periods[i]); i++)
			;
		if (i == 5)
			return usage("--period: day, week, month or year, not %s",
			    c->period);
		period = (int)i;
	}
	for (i = 0; i < NFLOWS; i++)
		if (strcmp(name, flows[i].name) == 0)
			return report_flow(c, flows[i].kind, name, from, to,
			    period, flows[i].kind == POINTS_REPORT_POPULAR_ITEMS ?
			    limit : 0);
	if (c->period)
		return usage("--period: only for the reports of points issued "
		    "and redeemed, not %s", name);
	if (strcmp(name, "leaderboard") == 0)
		return report_leaderboard(c, from, to, limit);
	if (strcmp(name, "liability") == 0)
		return report_liability(c);
	if (strcmp(name, "forecast") == 0)
		return report_forecast(c);
	if (strcmp(name, "summary") == 0)
		return report_summary(c, from, to);
	if (strcmp(name, "settlement") == 0)
		return report_settlement(c, from, to);
	return usage("unknown report: %s (points help lists them)", name);
}
