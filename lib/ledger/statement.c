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
entry_view(const points_ent *e, int64_t account, points_entry *out)
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

static int
statement_emit(points_iter *it, const points_ent *e)
{
	points_entry *out = &it->u.entries[it->n];

	if (e->time < it->from || (it->to && e->time >= it->to))
		return POINTS_OK;
	entry_view(e, it->account, out);
	strcpy(out->asset, it->asset_code);
	it->n++;
	return POINTS_OK;
}

static int
statement_fill(points_iter *it)
{
	points_db *db = it->db;
	points_ent e;
	int rc = POINTS_OK;

	points_ent__init(&e, 0, 0, 0);
	if (it->order == POINTS_NEWEST_FIRST) {
		while (it->n < POINTS_ITER_CHUNK && it->pos > 0) {
			if ((rc = points_ent__load(db, it->pos, &e)))
				break;
			it->pos = entry_view(&e, it->account, NULL);
			statement_emit(it, &e);
		}
		if (it->pos == 0)
			it->done = 1;
	} else {
		/* it->seqs holds the account's entries newest first; pos
		 * counts how many are consumed from the end. */
		while (it->n < POINTS_ITER_CHUNK && (size_t)it->pos < it->nseqs) {
			rc = points_ent__load(db,
			    it->seqs[it->nseqs - 1 - (size_t)it->pos], &e);
			if (rc)
				break;
			it->pos++;
			statement_emit(it, &e);
		}
		if ((size_t)it->pos == it->nseqs)
			it->done = 1;
	}
	points_ent__free(&e);
	return rc;
}

/* Collect the seqs of the account's chain for an oldest-first walk. */
static int
statement_collect(points_db *db, points_iter *it, int64_t seq)
{
	size_t cap = 0;
	points_ent e;
	int rc = POINTS_OK;

	points_ent__init(&e, 0, 0, 0);
	while (seq > 0) {
		if (it->nseqs == cap) {
			int64_t *v;

			cap = cap ? cap * 2 : 64;
			v = points__realloc(it->seqs, cap * sizeof(*v));
			if (!v) {
				rc = points__err(db, POINTS_ENOMEM,
				    "out of memory");
				break;
			}
			it->seqs = v;
		}
		it->seqs[it->nseqs++] = seq;
		if ((rc = points_ent__load(db, seq, &e)))
			break;
		seq = entry_view(&e, it->account, NULL);
	}
	points_ent__free(&e);
	return rc;
}

POINTS_EXTERN int
points_statement(points_db *db, int64_t account, const char *asset,
    int64_t from, int64_t to, int order, points_iter **out)
{
	points_asset_rec a;
	points_account acct;
	points_bal b;
	points_iter *it = NULL;
	int rc;

	if ((rc = points__check_db(db)))
		return rc;
	if (!out)
		return points__err(db, POINTS_EINVAL, "out is required");
	if (order != POINTS_NEWEST_FIRST && order != POINTS_OLDEST_FIRST)
		return points__err(db, POINTS_EINVAL, "unknown order %d", order);
	if (from < 0 || to < 0 || (to && to < from))
		return points__err(db, POINTS_EINVAL, "bad time range");
	if ((rc = points__read_begin(db)))
		return rc;
	points_bal__init(&b, account, 0, 1);
	rc = points_asset__find(db, asset, &a);
	if (rc == POINTS_OK)
		rc = points_account__load(db, account, &acct);
	if (rc == POINTS_OK) {
		b.asset = a.id;
		rc = points_balance__load(db, &b);
	}
	if (rc == POINTS_OK)
		rc = points_iter__new(db, POINTS_ITER_ENTRY, statement_fill,
		    &it);
	if (rc == POINTS_OK) {
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
	points__read_end(db);
	points_bal__free(&b);
	if (rc) {
		points_iter_free(it);
		return rc;
	}
	*out = it;
	return POINTS_OK;
}

POINTS_EXTERN int
points_entry_next(points_iter *it, points_entry *out)
{
	int rc = points_iter__step(it, POINTS_ITER_ENTRY, out);

	if (rc == POINTS_OK)
		*out = it->u.entries[it->i++];
	return rc;
}
