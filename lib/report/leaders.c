/* leaders.c - leaderboards: the accounts that earned most in a range,
 * overall or per department or tier (points/report.h).
 *
 * The first step reads the range's entries (period.h) and sums each
 * account's earns, net of their reversals, per group in an open
 * addressing table keyed by (account, group); then sorts the sums by
 * group and rank and keeps the first n of each group.  The steps hand
 * them out. */
#include <stdlib.h>
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "util/codec.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/db.h"
#include "core/iter.h"
#include "core/party.h"
#include "ledger/entry.h"
#include "ledger/meta.h"
#include "report/period.h"

struct sum {
	int64_t account; /* 0: an empty slot */
	uint32_t group;  /* index into the group names */
	uint32_t grank;  /* the group's place among the names, bytewise */
	int64_t rank;    /* set once sorted */
	int64_t points, entries, reached;
};

/* A party's group: party id -> index of its name. */
struct party_group {
	uint32_t party;
	uint32_t group;
};

struct points_leaderboard_iterator {
	points_iter base;
	char code[POINTS_ASSET_MAX + 1];
	int64_t from, to, limit;
	int by;
	size_t pos;
	int computed;
	int overflow;
	struct sum *t;          /* the table, then the sorted leaders */
	size_t cap, n;
	char (*names)[POINTS_DEPT_MAX + 1];
	size_t nnames, names_cap;
	struct party_group *pg;
	size_t npg, pg_cap;
	points_report__users users;
	points_leader buf[POINTS_ITER_CHUNK];
};

static int board_fill(points_iter *base);
static void board_fini(points_iter *base);
static const points_iter_type board_iter_type = POINTS_ITER_TYPE(
    "leaderboard iterator", struct points_leaderboard_iterator, pos,
    board_fill, board_fini);

static int
oom(points_db *db)
{
	return points_db__err(db, POINTS_ENOMEM, "out of memory");
}

/* The group of account's side of e: its department or tier as e
 * recorded it (0, "", overall). */
static int
group_of(points_db *db, struct points_leaderboard_iterator *it,
    const points_entry_rec *e, int64_t account, uint32_t *out)
{
	char dept[POINTS_DEPT_MAX + 1], tier[POINTS_TIER_MAX + 1];
	const char *name;
	uint32_t party;
	size_t i;
	int rc;

	if (it->by == POINTS_LEADERS_ALL)
		party = 0;
	else if ((rc = points_meta__party(db, e, account, &party)))
		return rc;
	for (i = 0; i < it->npg; i++)
		if (it->pg[i].party == party) {
			*out = it->pg[i].group;
			return POINTS_OK;
		}
	dept[0] = tier[0] = 0;
	if (party && (rc = points_party__load(db, party, dept, tier)))
		return rc;
	name = it->by == POINTS_LEADERS_BY_TIER ? tier : dept;
	for (i = 0; i < it->nnames && strcmp(it->names[i], name) != 0; i++)
		;
	if (i == it->nnames) {
		if (it->nnames == it->names_cap) {
			size_t cap = it->names_cap ? it->names_cap * 2 : 8;
			void *p = points_alloc__realloc(it->names,
			    cap * sizeof(*it->names));

			if (!p)
				return oom(db);
			it->names = p;
			it->names_cap = cap;
		}
		strcpy(it->names[it->nnames++], name);
	}
	if (it->npg == it->pg_cap) {
		size_t cap = it->pg_cap ? it->pg_cap * 2 : 8;
		void *p = points_alloc__realloc(it->pg, cap * sizeof(*it->pg));

		if (!p)
			return oom(db);
		it->pg = p;
		it->pg_cap = cap;
	}
	it->pg[it->npg].party = party;
	it->pg[it->npg++].group = (uint32_t)i;
	*out = (uint32_t)i;
	return POINTS_OK;
}

static size_t
slot_of(const struct points_leaderboard_iterator *it, int64_t account,
    uint32_t group)
{
	uint64_t h = (uint64_t)account * UINT64_C(0x9e3779b97f4a7c15) ^
	    (uint64_t)group * UINT64_C(0xc2b2ae3d27d4eb4f);

	return (size_t)(h >> 17) & (it->cap - 1);
}

/* The sum of (account, group), made when new. */
static int
sum_at(points_db *db, struct points_leaderboard_iterator *it,
    int64_t account, uint32_t group, struct sum **out)
{
	size_t i;

	/* at most half full */
	if (2 * (it->n + 1) > it->cap) {
		struct sum *old = it->t;
		size_t oldcap = it->cap, j;

		it->cap = it->cap ? it->cap * 2 : 1024;
		if (!(it->t = points_alloc__malloc(it->cap * sizeof(*it->t)))) {
			it->t = old;
			it->cap = oldcap;
			return oom(db);
		}
		memset(it->t, 0, it->cap * sizeof(*it->t));
		for (j = 0; j < oldcap; j++) {
			if (!old[j].account)
				continue;
			for (i = slot_of(it, old[j].account, old[j].group);
			    it->t[i].account; i = (i + 1) & (it->cap - 1))
				;
			it->t[i] = old[j];
		}
		points_alloc__free(old);
	}
	for (i = slot_of(it, account, group); it->t[i].account;
	    i = (i + 1) & (it->cap - 1))
		if (it->t[i].account == account && it->t[i].group == group) {
			*out = &it->t[i];
			return POINTS_OK;
		}
	it->t[i].account = account;
	it->t[i].group = group;
	it->n++;
	*out = &it->t[i];
	return POINTS_OK;
}

/* An earn to a user account adds to it; a reversal of one takes back,
 * under the earn's account and group. */
static int
visit(points_db *db, const points_entry_rec *e, void *arg)
{
	struct points_leaderboard_iterator *it = arg;
	points_entry_rec orig;
	const points_entry_rec *src = e;
	struct sum *s;
	int64_t amount = e->amount;
	uint32_t group;
	int user, rc = POINTS_OK;

	points_entry__init(&orig, 0, 0, 0);
	if (e->type == POINTS_TXN_REVERSAL) {
		if ((rc = points_entry__load(db, e->ref_seq, &orig)))
			goto out;
		src = &orig;
		amount = -amount;
	}
	if (src->type != POINTS_TXN_EARN)
		goto out;
	if ((rc = points_report__is_user(db, &it->users, src->to, &user)) ||
	    !user)
		goto out;
	if ((rc = group_of(db, it, src, src->to, &group)) ||
	    (rc = sum_at(db, it, src->to, group, &s)))
		goto out;
	if (points_codec__add(&s->points, amount))
		it->overflow = 1;
	if (src == e)
		s->entries++;
	if (e->time > s->reached)
		s->reached = e->time;
out:
	points_entry__free(&orig);
	return rc;
}

/* By group name, then points (most first), reached (earliest first),
 * account id. */
static int
leader_cmp(const void *a, const void *b)
{
	const struct sum *x = a, *y = b;

	if (x->grank != y->grank)
		return x->grank < y->grank ? -1 : 1;
	if (x->points != y->points)
		return x->points > y->points ? -1 : 1;
	if (x->reached != y->reached)
		return x->reached < y->reached ? -1 : 1;
	return x->account < y->account ? -1 : x->account > y->account;
}

/* Sort the table's sums into leaders; keep the first limit of each
 * group, above 0 points, and number them. */
static int
rank(points_db *db, struct points_leaderboard_iterator *it)
{
	uint32_t *order, *ranks;
	size_t i, j, out = 0;
	int64_t in_group = 0;

	order = points_alloc__malloc((it->nnames + 1) * sizeof(*order));
	ranks = points_alloc__malloc((it->nnames + 1) * sizeof(*ranks));
	if (!order || !ranks) {
		points_alloc__free(order);
		points_alloc__free(ranks);
		return oom(db);
	}
	/* the names, a handful: an insertion sort */
	for (i = 0; i < it->nnames; i++) {
		for (j = i; j > 0 && strcmp(it->names[order[j - 1]],
		    it->names[i]) > 0; j--)
			order[j] = order[j - 1];
		order[j] = (uint32_t)i;
	}
	for (i = 0; i < it->nnames; i++)
		ranks[order[i]] = (uint32_t)i;
	for (i = 0; i < it->cap; i++)
		if (it->t[i].account && it->t[i].points > 0) {
			it->t[out] = it->t[i];
			it->t[out++].grank = ranks[it->t[i].group];
		}
	it->n = out;
	points_alloc__free(order);
	points_alloc__free(ranks);
	/* rows may be NULL when there are none: qsort must not see it */
	if (it->n)
		qsort(it->t, it->n, sizeof(*it->t), leader_cmp);
	for (i = 0, out = 0; i < it->n; i++) {
		if (i == 0 || it->t[i].group != it->t[i - 1].group)
			in_group = 0;
		if (it->limit && in_group >= it->limit)
			continue;
		it->t[out] = it->t[i];
		it->t[out++].rank = ++in_group;
	}
	it->n = out;
	return POINTS_OK;
}

static int
board_fill(points_iter *base)
{
	struct points_leaderboard_iterator *it = (void *)base;
	points_db *db = base->db;
	points_asset_rec a;
	int rc;

	if ((rc = points_asset__find(db, it->code, &a)))
		return rc;
	if (!it->computed) {
		points_alloc__free(it->t);
		it->t = NULL;
		it->cap = it->n = it->npg = it->nnames = 0;
		it->overflow = 0;
		if ((rc = points_report__entries(db, a.id, it->from, it->to,
		    visit, it)))
			return rc;
		if (it->overflow)
			return points_db__err(db, POINTS_ELIMIT, "leaderboard "
			    "of %s: an account's points pass %lld", a.a.code,
			    (long long)INT64_MAX);
		if (it->n && (rc = rank(db, it)))
			return rc;
		it->computed = 1;
	}
	while (base->n < POINTS_ITER_CHUNK && it->pos < it->n) {
		const struct sum *s = &it->t[it->pos];
		points_leader *o = &it->buf[base->n];
		points_account acct;

		if ((rc = points_account__load(db, s->account, &acct)))
			return rc;
		memset(o, 0, sizeof(*o));
		strcpy(o->group, it->names[s->group]);
		o->rank = s->rank;
		o->account = s->account;
		strcpy(o->external_id, acct.external_id);
		strcpy(o->asset, a.a.code);
		o->points = s->points;
		o->entries = s->entries;
		o->reached = s->reached;
		base->n++;
		it->pos++;
	}
	base->done = it->pos >= it->n;
	return POINTS_OK;
}

static void
board_fini(points_iter *base)
{
	struct points_leaderboard_iterator *it = (void *)base;

	points_alloc__free(it->t);
	points_alloc__free(it->names);
	points_alloc__free(it->pg);
}

POINTS_EXTERN int
points_leaderboard_iterator_new(points_db *db, const char *asset,
    int64_t from, int64_t to, int by, int64_t n,
    points_leaderboard_iterator **out)
{
	points_iter *base = NULL;
	struct points_leaderboard_iterator *it;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__check_str(db, "asset", asset, POINTS_ASSET_MAX,
	    1)))
		return rc;
	if (from < 0 || to < 0 || (to && to <= from))
		return points_db__err(db, POINTS_EINVAL, "leaderboard: bad "
		    "time range: from %lld, to %lld", (long long)from,
		    (long long)to);
	if (by < POINTS_LEADERS_ALL || by > POINTS_LEADERS_BY_TIER)
		return points_db__err(db, POINTS_EINVAL, "leaderboard: "
		    "unknown grouping %d", by);
	if (n < 0)
		return points_db__err(db, POINTS_EINVAL, "leaderboard: top "
		    "%lld (0: all)", (long long)n);
	if ((rc = points_iter__new(db, &board_iter_type, sizeof(*it),
	    &base)))
		return rc;
	it = (void *)base;
	strcpy(it->code, asset);
	it->from = from;
	it->to = to;
	it->by = by;
	it->limit = n;
	*out = it;
	return POINTS_OK;
}

POINTS_EXTERN int
points_leaderboard_next(points_leaderboard_iterator *it, points_leader *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &board_iter_type,
	    out);

	if (rc != POINTS_OK)
		return rc;
	*out = it->buf[it->base.i++];
	return POINTS_OK;
}

POINTS_EXTERN void
points_leaderboard_iterator_free(points_leaderboard_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
