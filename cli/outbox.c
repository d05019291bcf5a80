/*
 * outbox.c - points outbox tail: the events the library wrote for the
 * host (points_outbox_next(3)), read and never consumed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static void
print_event(cli *c, const points_outbox_event *e, int first)
{
	char tb[32], acc[POINTS_EXTID_MAX + 1];

	iso_time(e->time, tb);
	ext_id(c, e->account, acc);
	if (!c->json) {
		printf("%" PRId64 " %s %s %s %s %s\n", e->seq, tb, e->kind,
		    e->subject, e->account ? acc : "-", e->data);
		return;
	}
	printf("%s{\"seq\":%" PRId64 ",\"time\":\"%s\",\"kind\":",
	    first ? "" : ",", e->seq, tb);
	json_str(e->kind);
	fputs(",\"subject\":", stdout);
	json_str(e->subject);
	fputs(",\"account\":", stdout);
	if (e->account)
		json_str(acc);
	else
		fputs("null", stdout);
	/* data is the library's JSON object: it goes in as it is */
	printf(",\"data\":%s}", e->data[0] ? e->data : "{}");
}

/* outbox tail [--limit N] [--after SEQ]: without --after the last N
 * events (10), as tail(1); with it the events after SEQ, oldest first,
 * at most N (all), as a consumer resuming at its last seq reads them. */
int
cmd_outbox_tail(cli *c)
{
	points_outbox_event *ring;
	int64_t after = 0, limit, seen = 0, i, first;
	int rc = POINTS_ITEROVER; /* limit >= 1: set by the loop */

	if (need_args(c, 0, "outbox tail [--limit N] [--after SEQ]"))
		return EX_USAGE;
	if (c->after && (parse_int(c->after, &after) || after < 0))
		return usage("--after: not a sequence number: %s", c->after);
	limit = c->after ? INT64_MAX : 10;
	if (c->limit && (parse_int(c->limit, &limit) || limit < 1 ||
	    limit > 100000))
		return usage("--limit: not a number from 1 to 100000: %s",
		    c->limit);
	if (c->json)
		putchar('[');
	if (c->after) {
		points_outbox_event e;

		while (seen < limit &&
		    (rc = points_outbox_next(c->db, after, &e)) == POINTS_OK) {
			print_event(c, &e, seen++ == 0);
			after = e.seq;
		}
		if (seen == limit)
			rc = POINTS_ITEROVER;
	} else {
		/* the last limit events, in a ring */
		if (!(ring = malloc((size_t)limit * sizeof(*ring))))
			return fail(c, "outbox tail", POINTS_ENOMEM);
		while ((rc = points_outbox_next(c->db, after,
		    &ring[seen % limit])) == POINTS_OK)
			after = ring[seen++ % limit].seq;
		first = seen > limit ? seen - limit : 0;
		for (i = first; rc == POINTS_ITEROVER && i < seen; i++)
			print_event(c, &ring[i % limit], i == first);
		free(ring);
	}
	if (c->json)
		puts("]");
	return rc == POINTS_ITEROVER ? EX_OK : fail(c, "outbox tail", rc);
}
