/* summary.c - department and employee summaries: a position at the
 * start and the end of a range and what moved it between them
 * (points/report.h).
 *
 * Positions come from the balance records as stored now, less what the
 * entries after the range's ends moved: so an employee's summary reads
 * the account's entries from the range's start on (its walk of the
 * time index, ledger/statement.h), and the departments' every user
 * balance of the asset and every entry from the start on (period.h). */
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "util/codec.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "core/iter.h"
#include "core/party.h"
#include "ledger/entry.h"
#include "ledger/statement.h"
#include "report/balances.h"
#include "report/period.h"

/* One account's sums. */
struct acc {
	int64_t now, after_from, after_to;
	int64_t earned, spent, expired, other;
	int overflow;
};

static void
sum(struct acc *a, int64_t *to, int64_t v)
{
	if (points_codec__add(to, v))
		a->overflow = 1;
}

/* Count e for account (one of its sides): the change to its position
 * and where it goes.  A reversal goes where what it reverses went. */
static int
count(points_db *db, const points_entry_rec *e, int64_t account,
    int64_t to, struct acc *a)
{
	points_entry_rec orig;
	int64_t delta;
	int type = e->type, rc = POINTS_OK;

	if (e->from == e->to)
		return POINTS_OK; /* a hold or a release: no change */
	delta = account == e->to ? e->amount : -e->amount;
	sum(a, &a->after_from, delta);
	if (to && e->time >= to) {
		sum(a, &a->after_to, delta);
		return POINTS_OK;
	}
	if (type == POINTS_TXN_REVERSAL) {
		points_entry__init(&orig, 0, 0, 0);
		rc = points_entry__load(db, e->ref_seq, &orig);
		type = orig.type;
		points_entry__free(&orig);
		if (rc)
			return rc;
	}
	switch (type) {
	case POINTS_TXN_EARN:
		sum(a, &a->earned, delta);
		break;
	case POINTS_TXN_SPEND:
	case POINTS_TXN_CAPTURE:
		sum(a, &a->spent, -delta);
		break;
	case POINTS_TXN_EXPIRE:
		sum(a, &a->expired, -delta);
		break;
	default:
		sum(a, &a->other, delta);
	}
	return POINTS_OK;
}

/* Stored position: internal available (pending in it) + held - debt. */
static int64_t
position(const points_balance_rec *b)
{
	return b->available + b->held - b->debt;
}

/* Fill out from a's sums. */
static int
finish(points_db *db, const struct acc *a, const char *what,
    points_summary *out)
{
	int64_t end = a->now, start = end;

	if (a->overflow || points_codec__add(&end, -a->after_to) ||
	    points_codec__add(&start, -a->after_from))
		return points_db__err(db, POINTS_ELIMIT, "summary of %s: a "
		    "sum passes %lld", what, (long long)INT64_MAX);
	out->start = start;
	out->end = end;
	out->earned = a->earned;
	out->spent = a->spent;
	out->expired = a->expired;
	out->other = a->other;
	return POINTS_OK;
}

static int
check_range(points_db *db, int64_t from, int64_t to)
{
	if (from < 0 || to < 0 || (to && to <= from))
		return points_db__err(db, POINTS_EINVAL, "summary: bad time "
		    "range: from %lld, to %lld", (long long)from,
		    (long long)to);
	return POINTS_OK;
}

static int
account_summary(points_db *db, int64_t account, const char *asset,
    int64_t from, int64_t to, points_summary *out)
{
	points_statement_walk w;
	points_account acct;
	points_asset_rec a;
	points_balance_rec b;
	points_entry_rec e;
	struct acc s;
	int64_t seqs[POINTS_STATEMENT_WALK_MAX];
	size_t n, i;
	int rc;

	if ((rc = points_account__load(db, account, &acct)) ||
	    (rc = points_asset__find(db, asset, &a)))
		return rc;
	memset(&s, 0, sizeof(s));
	memset(out, 0, sizeof(*out));
	points_balance__init(&b, account, a.id, 0);
	rc = points_balance__load(db, &b);
	s.now = position(&b);
	points_balance__free(&b);
	strcpy(out->department, acct.department);
	if (rc == POINTS_OK)
		rc = points_statement__walk_start(db, &w, account, from, 0);
	points_entry__init(&e, 0, 0, 0);
	while (rc == POINTS_OK &&
	    (rc = points_statement__walk_next(db, &w, seqs,
	    POINTS_STATEMENT_WALK_MAX, &n)) == POINTS_OK && n > 0)
		for (i = 0; rc == POINTS_OK && i < n; i++) {
			rc = points_entry__load(db, seqs[i], &e);
			if (rc == POINTS_OK && e.asset == a.id)
				rc = count(db, &e, account, to, &s);
		}
	points_entry__free(&e);
	if (rc == POINTS_OK)
		rc = finish(db, &s, acct.external_id, out);
	if (rc)
		return rc;
	out->account = account;
	strcpy(out->external_id, acct.external_id);
	strcpy(out->asset, a.a.code);
	out->accounts = 1;
	return POINTS_OK;
}

POINTS_EXTERN int
points_account_summary_get(points_db *db, int64_t account, const char *asset,
    int64_t from, int64_t to, points_summary *out)
{
	points_summary s;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__check_str(db, "asset", asset, POINTS_ASSET_MAX,
	    1)) || (rc = check_range(db, from, to)))
		return rc;
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = account_summary(db, account, asset, from, to, &s);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = s;
	return rc;
}

/* ---- Departments ---- */

struct dept_acc {
	int64_t account;  /* 0: an empty slot */
	uint32_t dept;    /* index into the names */
	struct acc s;
};

struct points_summary_iterator {
	points_iter base;
	char code[POINTS_ASSET_MAX + 1];
	int64_t from, to;
	size_t pos;
	int computed;
	struct dept_acc *t;   /* accounts by id, open addressing */
	size_t cap, n;
	char (*names)[POINTS_DEPT_MAX + 1];
	uint32_t *party_of;   /* the party each name came from (a cache) */
	size_t nnames, names_cap;
	points_summary *rows; /* a department each, by name */
	size_t nrows;
	points_summary buf[POINTS_ITER_CHUNK];
};

static int dept_fill(points_iter *base);
static void dept_fini(points_iter *base);
static const points_iter_type dept_iter_type = POINTS_ITER_TYPE(
    "department summary iterator", struct points_summary_iterator, pos,
    dept_fill, dept_fini);

static size_t
slot_of(const struct points_summary_iterator *it, int64_t account)
{
	return (size_t)(((uint64_t)account * UINT64_C(0x9e3779b97f4a7c15)) >>
	    17) & (it->cap - 1);
}

static struct dept_acc *
find(struct points_summary_iterator *it, int64_t account)
{
	size_t i;

	if (!it->cap)
		return NULL;
	for (i = slot_of(it, account); it->t[i].account;
	    i = (i + 1) & (it->cap - 1))
		if (it->t[i].account == account)
			return &it->t[i];
	return NULL;
}

/* Room for one more account (the table at most half full). */
static int
grow(points_db *db, struct points_summary_iterator *it)
{
	struct dept_acc *old = it->t;
	size_t oldcap = it->cap, i, j;

	if (2 * (it->n + 1) <= it->cap)
		return POINTS_OK;
	it->cap = it->cap ? it->cap * 2 : 1024;
	if (!(it->t = points_alloc__malloc(it->cap * sizeof(*it->t)))) {
		it->t = old;
		it->cap = oldcap;
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	}
	memset(it->t, 0, it->cap * sizeof(*it->t));
	for (j = 0; j < oldcap; j++) {
		if (!old[j].account)
			continue;
		for (i = slot_of(it, old[j].account); it->t[i].account;
		    i = (i + 1) & (it->cap - 1))
			;
		it->t[i] = old[j];
	}
	points_alloc__free(old);
	return POINTS_OK;
}

/* The index of the department of party (its name, made when new). */
static int
dept_of(points_db *db, struct points_summary_iterator *it, uint32_t party,
    uint32_t *out)
{
	char dept[POINTS_DEPT_MAX + 1], tier[POINTS_TIER_MAX + 1];
	size_t i;
	int rc;

	for (i = 0; i < it->nnames; i++)
		if (it->party_of[i] == party) {
			*out = (uint32_t)i;
			return POINTS_OK;
		}
	dept[0] = 0;
	if (party && (rc = points_party__load(db, party, dept, tier)))
		return rc;
	if (it->nnames == it->names_cap) {
		size_t cap = it->names_cap ? it->names_cap * 2 : 8;
		void *p = points_alloc__realloc(it->names,
		    cap * sizeof(*it->names));
		void *q;

		if (!p)
			return points_db__err(db, POINTS_ENOMEM,
			    "out of memory");
		it->names = p;
		if (!(q = points_alloc__realloc(it->party_of,
		    cap * sizeof(*it->party_of))))
			return points_db__err(db, POINTS_ENOMEM,
			    "out of memory");
		it->party_of = q;
		it->names_cap = cap;
	}
	strcpy(it->names[it->nnames], dept);
	it->party_of[it->nnames] = party;
	*out = (uint32_t)it->nnames++;
	return POINTS_OK;
}

static int
visit_balance(points_db *db, const points_balance_rec *b, void *arg)
{
	struct points_summary_iterator *it = arg;
	uint32_t dept;
	size_t i;
	int rc;

	if ((rc = dept_of(db, it, b->party, &dept)) || (rc = grow(db, it)))
		return rc;
	for (i = slot_of(it, b->account); it->t[i].account;
	    i = (i + 1) & (it->cap - 1))
		;
	memset(&it->t[i], 0, sizeof(it->t[i]));
	it->t[i].account = b->account;
	it->t[i].dept = dept;
	it->t[i].s.now = position(b);
	it->n++;
	return POINTS_OK;
}

static int
visit_entry(points_db *db, const points_entry_rec *e, void *arg)
{
	struct points_summary_iterator *it = arg;
	struct dept_acc *d;
	int rc = POINTS_OK;

	if ((d = find(it, e->from)) != NULL)
		rc = count(db, e, e->from, it->to, &d->s);
	if (rc == POINTS_OK && e->to != e->from &&
	    (d = find(it, e->to)) != NULL)
		rc = count(db, e, e->to, it->to, &d->s);
	return rc;
}

/* The departments' rows, by name. */
static int
dept_rows(points_db *db, struct points_summary_iterator *it,
    const char *code)
{
	size_t i, j, k;
	int rc;

	it->rows = points_alloc__malloc((it->nnames + 1) *
	    sizeof(*it->rows));
	if (!it->rows)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	/* several parties may share a department (tiers differ) */
	it->nrows = 0;
	for (i = 0; i < it->nnames; i++) {
		for (j = 0; j < it->nrows &&
		    strcmp(it->rows[j].department, it->names[i]) < 0; j++)
			;
		if (j < it->nrows &&
		    strcmp(it->rows[j].department, it->names[i]) == 0)
			continue;
		memmove(&it->rows[j + 1], &it->rows[j],
		    (it->nrows - j) * sizeof(*it->rows));
		memset(&it->rows[j], 0, sizeof(it->rows[j]));
		strcpy(it->rows[j].department, it->names[i]);
		strcpy(it->rows[j].asset, code);
		it->nrows++;
	}
	for (k = 0; k < it->cap; k++) {
		const struct dept_acc *d = &it->t[k];
		points_summary one, *r;

		if (!d->account)
			continue;
		for (j = 0; strcmp(it->rows[j].department,
		    it->names[d->dept]) != 0; j++)
			;
		r = &it->rows[j];
		memset(&one, 0, sizeof(one));
		if ((rc = finish(db, &d->s, r->department, &one)))
			return rc;
		r->accounts++;
		if (points_codec__add(&r->start, one.start) ||
		    points_codec__add(&r->earned, one.earned) ||
		    points_codec__add(&r->spent, one.spent) ||
		    points_codec__add(&r->expired, one.expired) ||
		    points_codec__add(&r->other, one.other) ||
		    points_codec__add(&r->end, one.end))
			return points_db__err(db, POINTS_ELIMIT, "summary of "
			    "%s: a sum passes %lld", r->department,
			    (long long)INT64_MAX);
	}
	return POINTS_OK;
}

static void
dept_reset(struct points_summary_iterator *it)
{
	points_alloc__free(it->t);
	points_alloc__free(it->names);
	points_alloc__free(it->party_of);
	points_alloc__free(it->rows);
	it->t = NULL;
	it->names = NULL;
	it->party_of = NULL;
	it->rows = NULL;
	it->cap = it->n = it->nnames = it->names_cap = it->nrows = 0;
}

static int
dept_fill(points_iter *base)
{
	struct points_summary_iterator *it = (void *)base;
	points_db *db = base->db;
	points_asset_rec a;
	int rc;

	if (!it->computed) {
		dept_reset(it);
		if ((rc = points_asset__find(db, it->code, &a)) ||
		    (rc = points_report__balances(db, a.id, visit_balance,
		    it)) ||
		    (rc = points_report__entries(db, a.id, it->from, 0,
		    visit_entry, it)) ||
		    (rc = dept_rows(db, it, a.a.code)))
			return rc;
		it->computed = 1;
	}
	while (base->n < POINTS_ITER_CHUNK && it->pos < it->nrows)
		it->buf[base->n++] = it->rows[it->pos++];
	base->done = it->pos >= it->nrows;
	return POINTS_OK;
}

static void
dept_fini(points_iter *base)
{
	dept_reset((struct points_summary_iterator *)(void *)base);
}

POINTS_EXTERN int
points_department_summary_iterator_new(points_db *db, const char *asset,
    int64_t from, int64_t to, points_summary_iterator **out)
{
	points_iter *base = NULL;
	struct points_summary_iterator *it;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__check_str(db, "asset", asset, POINTS_ASSET_MAX,
	    1)) || (rc = check_range(db, from, to)))
		return rc;
	if ((rc = points_iter__new(db, &dept_iter_type, sizeof(*it), &base)))
		return rc;
	it = (void *)base;
	strcpy(it->code, asset);
	it->from = from;
	it->to = to;
	*out = it;
	return POINTS_OK;
}

POINTS_EXTERN int
points_department_summary_next(points_summary_iterator *it,
    points_summary *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &dept_iter_type,
	    out);

	if (rc != POINTS_OK)
		return rc;
	*out = it->buf[it->base.i++];
	return POINTS_OK;
}

POINTS_EXTERN void
points_department_summary_iterator_free(points_summary_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
