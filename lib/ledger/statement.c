/* statement.c - an account's entries in one asset, newest or oldest
 * first: a walk along the links each entry keeps to the account's
 * previous one. */
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "util/codec.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "core/lot.h"
#include "core/iter.h"
#include "ledger/entry.h"


/* The link to the account's previous entry, and its view of e. */
static int64_t
entry_view(const points_entry_rec *e, int64_t account, points_entry *out)
{
	int is_from = e->from == account;

	if (out) {
		memset(out, 0, sizeof(*out));
		points_ids__format(e->txid, out->txn_id);
		out->seq = e->seq;
		out->type = e->type;
		out->time = e->time;
		out->account = account;
		strcpy(out->memo, e->memo);
		switch (e->type) {
		case POINTS_TXN_HOLD:
			out->amount = -e->amount;
			out->held = e->amount;
			break;
		case POINTS_TXN_RELEASE:
			out->amount = e->amount;
			out->held = -e->amount;
			break;
		case POINTS_TXN_CAPTURE:
			if (is_from)
				out->held = -e->amount;
			else
				out->amount = e->amount;
			break;
		default:
			out->amount = is_from ? -e->amount : e->amount;
			break;
		}
		if (e->from != e->to)
			out->counterparty = is_from ? e->to : e->from;
	}
	return is_from ? e->prev_from : e->prev_to;
}

/* The link from entry e of the account's statement to the previous one,
 * in *prev: links only go back, and e must be the account's, in the
 * statement's asset; a damaged entry whose link points forward (or at
 * itself) would make the walk loop for ever. */
static int
statement_link(points_db *db, const points_entry_rec *e, int64_t account,
    uint32_t asset, int64_t *prev)
{
	int64_t p = entry_view(e, account, NULL);

	if ((e->from != account && e->to != account) || e->asset != asset)
		return points_db__err(db, POINTS_ECORRUPT, "entry %lld: not "
		    "an entry of account %lld in this asset, though the "
		    "statement links to it", (long long)e->seq,
		    (long long)account);
	if (p < 0 || p >= e->seq)
		return points_db__err(db, POINTS_ECORRUPT, "entry %lld: its "
		    "link to account %lld's previous entry points forward "
		    "(to %lld)", (long long)e->seq, (long long)account,
		    (long long)p);
	*prev = p;
	return POINTS_OK;
}

struct points_statement_iterator {
	points_iter base;
	int64_t account;
	uint32_t asset;
	char asset_code[POINTS_ASSET_MAX + 1];
	int64_t from, to;
	int order;
	/* Newest first: the next entry's seq (0: none left).  Oldest
	 * first: how many of seqs are consumed from the end. */
	int64_t pos;
	int64_t *seqs; /* oldest first: the account's entries, newest first */
	size_t nseqs;
	points_entry buf[POINTS_ITER_CHUNK];
};

static int statement_fill(points_iter *base);
static void statement_fini(points_iter *base);
static const points_iter_type statement_iter_type = POINTS_ITER_TYPE(
    "statement iterator", struct points_statement_iterator, pos,
    statement_fill, statement_fini);

static int
statement_emit(struct points_statement_iterator *it, const points_entry_rec *e)
{
	points_entry *out = &it->buf[it->base.n];

	if (e->time < it->from || (it->to && e->time >= it->to))
		return POINTS_OK;
	entry_view(e, it->account, out);
	strcpy(out->asset, it->asset_code);
	it->base.n++;
	return POINTS_OK;
}

static int
statement_fill(points_iter *base)
{
	struct points_statement_iterator *it = (void *)base;
	points_db *db = base->db;
	points_entry_rec e;
	int rc = POINTS_OK;

	points_entry__init(&e, 0, 0, 0);
	if (it->order == POINTS_NEWEST_FIRST) {
		while (base->n < POINTS_ITER_CHUNK && it->pos > 0) {
			if ((rc = points_entry__load(db, it->pos, &e)) ||
			    (rc = statement_link(db, &e, it->account, it->asset,
			    &it->pos)))
				break;
			statement_emit(it, &e);
		}
		if (it->pos == 0)
			base->done = 1;
	} else {
		/* it->seqs holds the account's entries newest first; pos
		 * counts how many are consumed from the end. */
		while (base->n < POINTS_ITER_CHUNK &&
		    (size_t)it->pos < it->nseqs) {
			rc = points_entry__load(db,
			    it->seqs[it->nseqs - 1 - (size_t)it->pos], &e);
			if (rc)
				break;
			it->pos++;
			statement_emit(it, &e);
		}
		if ((size_t)it->pos == it->nseqs)
			base->done = 1;
	}
	points_entry__free(&e);
	return rc;
}

static void
statement_fini(points_iter *base)
{
	struct points_statement_iterator *it = (void *)base;

	points_alloc__free(it->seqs);
}

/* Collect the seqs of the account's chain for an oldest-first walk. */
static int
statement_collect(points_db *db, struct points_statement_iterator *it,
    int64_t seq)
{
	size_t cap = 0;
	points_entry_rec e;
	int rc = POINTS_OK;

	points_entry__init(&e, 0, 0, 0);
	while (seq > 0) {
		if (it->nseqs == cap) {
			int64_t *v;

			cap = cap ? cap * 2 : 64;
			v = points_alloc__realloc(it->seqs, cap * sizeof(*v));
			if (!v) {
				rc = points_db__err(db, POINTS_ENOMEM,
				    "out of memory");
				break;
			}
			it->seqs = v;
		}
		it->seqs[it->nseqs++] = seq;
		if ((rc = points_entry__load(db, seq, &e)) ||
		    (rc = statement_link(db, &e, it->account, it->asset,
		    &seq)))
			break;
	}
	points_entry__free(&e);
	return rc;
}

POINTS_EXTERN int
points_statement_iterator_new(points_db *db, int64_t account,
    const char *asset, int64_t from, int64_t to, int order,
    points_statement_iterator **out)
{
	points_asset_rec a;
	points_account acct;
	points_balance_rec b;
	points_iter *base = NULL;
	struct points_statement_iterator *it = NULL;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if (order != POINTS_NEWEST_FIRST && order != POINTS_OLDEST_FIRST)
		return points_db__err(db, POINTS_EINVAL, "unknown order %d", order);
	if (from < 0 || to < 0 || (to && to < from))
		return points_db__err(db, POINTS_EINVAL, "bad time range");
	if ((rc = points_db__read_begin(db)))
		return rc;
	points_balance__init(&b, account, 0, 1);
	rc = points_asset__find(db, asset, &a);
	if (rc == POINTS_OK)
		rc = points_account__load(db, account, &acct);
	if (rc == POINTS_OK) {
		b.asset = a.id;
		rc = points_balance__load(db, &b);
	}
	if (rc == POINTS_OK)
		rc = points_iter__new(db, &statement_iter_type, sizeof(*it),
		    &base);
	if (rc == POINTS_OK) {
		it = (void *)base;
		it->account = account;
		it->asset = a.id;
		strcpy(it->asset_code, a.a.code);
		it->from = from;
		it->to = to;
		it->order = order;
		it->pos = b.last_seq;
		if (order == POINTS_OLDEST_FIRST) {
			it->pos = 0;
			rc = statement_collect(db, it, b.last_seq);
		}
	}
	points_db__read_end(db);
	points_balance__free(&b);
	if (rc) {
		points_iter__free(base);
		return rc;
	}
	*out = it;
	return POINTS_OK;
}

POINTS_EXTERN int
points_statement_next(points_statement_iterator *it, points_entry *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &statement_iter_type,
	    out);

	if (rc == POINTS_OK)
		*out = it->buf[it->base.i++];
	return rc;
}

POINTS_EXTERN void
points_statement_iterator_free(points_statement_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
