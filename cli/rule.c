/*
 * rule.c - points rule show|history: earning rules and their versions
 * (points_rule_get(3)).  The rules are written by the host; the tool
 * reads them.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cli.h"

static const char *
rule_state(int s)
{
	static const char *const n[] = { "draft", "active", "paused",
	    "retired" };

	return s >= 0 && s < 4 ? n[s] : "?";
}

static void
print_rule(cli *c, const points_rule *r, char *const expr[4])
{
	static const char *const ek[] = { "condition", "points",
	    "beneficiary", "cap_key" };
	char tb[32];
	int i;

	if (!c->json) {
		printf("%s v%" PRId64 " %s %s on %s: %s %s, priority %d, by %s"
		    "%s%s\n", r->name, r->version, iso_time(r->time, tb),
		    rule_state(r->state), r->event_type, r->asset,
		    r->category, r->priority, r->author,
		    r->reason[0] ? ": " : "", r->reason);
		for (i = 0; expr && i < 4; i++)
			if (expr[i] && expr[i][0])
				printf("  %-11s %s\n", ek[i], expr[i]);
		return;
	}
	fputs("{\"name\":", stdout);
	json_str(r->name);
	printf(",\"version\":%" PRId64 ",\"time\":\"%s\",\"state\":\"%s\","
	    "\"event_type\":", r->version, iso_time(r->time, tb),
	    rule_state(r->state));
	json_str(r->event_type);
	fputs(",\"asset\":", stdout);
	json_str(r->asset);
	fputs(",\"category\":", stdout);
	json_str(r->category);
	printf(",\"priority\":%d,\"flags\":%u,\"active_from\":%" PRId64
	    ",\"active_until\":%" PRId64 ",\"expires_days\":%" PRId64
	    ",\"pending_days\":%" PRId64 ",\"cap_day\":%" PRId64 ",\"cap_week\":%"
	    PRId64 ",\"cap_month\":%" PRId64 ",\"cap_year\":%" PRId64
	    ",\"cap_total\":%" PRId64 ",\"budget_points\":%" PRId64
	    ",\"budget_awards\":%" PRId64 ",\"author\":", r->priority, r->flags,
	    r->active_from, r->active_until, r->expires_days, r->pending_days,
	    r->cap_day, r->cap_week, r->cap_month, r->cap_year, r->cap_total,
	    r->budget_points, r->budget_awards);
	json_str(r->author);
	fputs(",\"reason\":", stdout);
	json_str(r->reason);
	for (i = 0; expr && i < 4; i++) {
		printf(",\"%s\":", ek[i]);
		json_str(expr[i] ? expr[i] : "");
	}
	putchar('}');
}

/* rule show NAME [VERSION]: a version (the latest) with its expressions. */
int
cmd_rule_show(cli *c)
{
	points_rule r;
	char *expr[4] = { NULL, NULL, NULL, NULL };
	int64_t version = 0;
	int rc, i;

	if (c->npos < 1 || c->npos > 2)
		return usage("usage: points rule show NAME [VERSION]%s", "");
	if (c->npos == 2 && (parse_int(c->pos[1], &version) || version < 1))
		return usage("not a rule version (1, 2, ...): %s", c->pos[1]);
	if ((rc = points_rule_get(c->db, c->pos[0], version, &r)) != POINTS_OK)
		return fail(c, c->pos[0], rc);
	for (i = 0; i < 4 && rc == POINTS_OK; i++)
		rc = points_rule_expr_get(c->db, c->pos[0], r.version, i,
		    &expr[i]);
	if (rc == POINTS_OK) {
		print_rule(c, &r, expr);
		if (c->json)
			putchar('\n');
	} else {
		rc = fail(c, c->pos[0], rc);
	}
	for (i = 0; i < 4; i++)
		points_free(expr[i]);
	return rc;
}

/* rule history NAME: every version, oldest first. */
int
cmd_rule_history(cli *c)
{
	points_rule_history_iterator *it;
	points_rule r;
	int rc, n = 0;

	if (need_args(c, 1, "rule history NAME"))
		return EX_USAGE;
	rc = points_rule_history_iterator_new(c->db, c->pos[0], &it);
	if (rc != POINTS_OK)
		return fail(c, c->pos[0], rc);
	if (c->json)
		putchar('[');
	while ((rc = points_rule_history_next(it, &r)) == POINTS_OK) {
		if (c->json && n++)
			putchar(',');
		print_rule(c, &r, NULL);
	}
	points_rule_history_iterator_free(it);
	if (c->json)
		puts("]");
	return rc == POINTS_ITEROVER ? EX_OK : fail(c, c->pos[0], rc);
}

/* rule list: every rule by name, as its latest version. */
int
cmd_rule_list(cli *c)
{
	points_rule_iterator *it;
	points_rule r;
	int rc, n = 0;

	if (need_args(c, 0, "rule list"))
		return EX_USAGE;
	rc = points_rule_iterator_new(c->db, &it);
	if (rc != POINTS_OK)
		return fail(c, "rule list", rc);
	if (c->json)
		putchar('[');
	while ((rc = points_rule_next(it, &r)) == POINTS_OK) {
		if (c->json && n++)
			putchar(',');
		print_rule(c, &r, NULL);
	}
	points_rule_iterator_free(it);
	if (c->json)
		puts("]");
	return rc == POINTS_ITEROVER ? EX_OK : fail(c, "rule list", rc);
}
