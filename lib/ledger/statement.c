/* statement.c - an account's entries in one asset, newest or oldest
 * first: a range of the time index (entry.h), so a window costs what it
 * holds, not the account's history. */
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/db.h"
#include "core/iter.h"
#include "core/party.h"
#include "ledger/entry.h"
#include "ledger/meta.h"


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

/* Where a statement stands: the time index key (entry.h) it returned
 * last, or none yet. */
struct statement_pos {
	int started;
	unsigned char key[POINTS_ENTRY_TIME_KEY_LEN];
};

struct points_statement_iterator {
	points_iter base;
	int64_t account;
	uint32_t asset;
	char asset_code[POINTS_ASSET_MAX + 1];
	int order;
	int64_t max_seq; /* the log's end when it was made: no later entry */
	/* The window's bounds in the time index: lo <= key < hi. */
	unsigned char lo[POINTS_ENTRY_TIME_KEY_LEN];
	unsigned char hi[POINTS_ENTRY_TIME_KEY_LEN];
	struct statement_pos pos;
	/* the last party read (statements of one account seldom change) */
	uint32_t party;
	char department[POINTS_DEPT_MAX + 1], tier[POINTS_TIER_MAX + 1];
	points_entry buf[POINTS_ITER_CHUNK];
};

static int statement_fill(points_iter *base);
static const points_iter_type statement_iter_type = POINTS_ITER_TYPE(
    "statement iterator", struct points_statement_iterator, pos,
    statement_fill, NULL);

/* The key after k (keys are fixed-length big-endian numbers). */
static void
key_next(unsigned char *k, size_t n)
{
	while (n > 0 && ++k[--n] == 0)
		;
}

/* Up to POINTS_ITER_CHUNK index keys after the position, in order, into
 * keys; *n says how many, *end whether the window has no more. */
static int
statement_keys(points_db *db, struct points_statement_iterator *it,
    unsigned char keys[][POINTS_ENTRY_TIME_KEY_LEN], size_t *n, int *end)
{
	unsigned char lo[POINTS_ENTRY_TIME_KEY_LEN], hi[POINTS_ENTRY_TIME_KEY_LEN];
	int newest = it->order == POINTS_NEWEST_FIRST;
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	int rc;

	memcpy(lo, it->lo, sizeof(lo));
	memcpy(hi, it->hi, sizeof(hi));
	if (it->pos.started && newest)
		memcpy(hi, it->pos.key, sizeof(hi)); /* before it */
	else if (it->pos.started) {
		memcpy(lo, it->pos.key, sizeof(lo));
		key_next(lo, sizeof(lo)); /* after it */
	}
	*n = 0;
	*end = 0;
	if (memcmp(lo, hi, sizeof(lo)) >= 0) {
		*end = 1;
		return POINTS_OK;
	}
	rc = db->store->cursor_open(db->store,
	    db->ks[points_entry__time_ks.slot], lo, sizeof(lo), hi, sizeof(hi),
	    newest, &c);
	if (rc)
		return points_db__store_err(db, rc, "statement");
	while (*n < POINTS_ITER_CHUNK &&
	    (rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl)) ==
	    POINTS_OK && kl == POINTS_ENTRY_TIME_KEY_LEN)
		memcpy(keys[(*n)++], k, kl);
	db->store->cursor_close(db->store, c);
	if (rc == POINTS_ITEROVER) {
		*end = 1;
		return POINTS_OK;
	}
	if (rc)
		return points_db__store_err(db, rc, "statement");
	if (*n < POINTS_ITER_CHUNK) /* stopped at a key of another length */
		return points_db__err(db, POINTS_ECORRUPT,
		    "account %lld: statement index unreadable",
		    (long long)it->account);
	return POINTS_OK;
}

/* Check that index key k names entry e of the statement's account (a
 * key and its entry that disagree, or an entry whose link to the
 * account's previous entry does not point back, are corrupt), and
 * buffer e. */
static int
statement_emit(points_db *db, struct points_statement_iterator *it,
    const unsigned char *k, const points_entry_rec *e)
{
	points_entry *out = &it->buf[it->base.n];
	int64_t account, time, seq, prev;
	uint32_t asset, party = 0;
	int rc;

	points_entry__time_key_parse(k, POINTS_ENTRY_TIME_KEY_LEN, &account,
	    &asset, &time, &seq);
	if (e->time != time || e->asset != asset ||
	    (e->from != account && e->to != account))
		return points_db__err(db, POINTS_ECORRUPT,
		    "account %lld: statement index disagrees with entry %lld",
		    (long long)it->account, (long long)e->seq);
	prev = entry_view(e, it->account, out);
	if (prev < 0 || prev >= e->seq)
		return points_db__err(db, POINTS_ECORRUPT,
		    "entry %lld: link to account %lld's previous entry points "
		    "forward", (long long)e->seq, (long long)it->account);
	strcpy(out->asset, it->asset_code);
	if (e->ext_len) {
		points_entry__meta(e, out->category, out->actor);
		if ((rc = points_meta__party(db, e, it->account, &party)))
			return rc;
	}
	if (party && party != it->party) {
		if ((rc = points_party__load(db, party, it->department,
		    it->tier)))
			return rc;
		it->party = party;
	}
	if (party) {
		strcpy(out->department, it->department);
		strcpy(out->tier, it->tier);
	}
	it->base.n++;
	return POINTS_OK;
}

static int
statement_fill(points_iter *base)
{
	struct points_statement_iterator *it = (void *)base;
	points_db *db = base->db;
	unsigned char keys[POINTS_ITER_CHUNK][POINTS_ENTRY_TIME_KEY_LEN];
	points_entry_rec e;
	int64_t account, time, seq;
	uint32_t asset;
	size_t n, i;
	int rc = POINTS_OK, end = 0;

	points_entry__init(&e, 0, 0, 0);
	/* until something is buffered: a chunk may hold only entries
	 * written after the iterator was made, which it skips */
	while (rc == POINTS_OK && base->n == 0 && !end) {
		if ((rc = statement_keys(db, it, keys, &n, &end)))
			break;
		for (i = 0; i < n && rc == POINTS_OK; i++) {
			if (!points_entry__time_key_parse(keys[i],
			    sizeof(keys[i]), &account, &asset, &time, &seq))
				rc = points_db__err(db, POINTS_ECORRUPT,
				    "account %lld: statement index unreadable",
				    (long long)it->account);
			else if (seq > it->max_seq)
				continue;
			if (rc == POINTS_OK)
				rc = points_entry__load(db, seq, &e);
			if (rc == POINTS_OK)
				rc = statement_emit(db, it, keys[i], &e);
		}
		if (rc == POINTS_OK && n > 0) {
			it->pos.started = 1;
			memcpy(it->pos.key, keys[n - 1], sizeof(it->pos.key));
		}
	}
	points_entry__free(&e);
	if (rc)
		return rc;
	base->done = end;
	return POINTS_OK;
}

POINTS_EXTERN int
points_statement_iterator_new(points_db *db, int64_t account,
    const char *asset, int64_t from, int64_t to, int order,
    points_statement_iterator **out)
{
	points_asset_rec a;
	points_account acct;
	points_iter *base = NULL;
	struct points_statement_iterator *it = NULL;
	int64_t max_seq = 0;
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
	rc = points_asset__find(db, asset, &a);
	if (rc == POINTS_OK)
		rc = points_account__load(db, account, &acct);
	if (rc == POINTS_OK)
		rc = points_db__last_key64(db, &points_entry__ks, &max_seq);
	if (rc == POINTS_OK)
		rc = points_iter__new(db, &statement_iter_type, sizeof(*it),
		    &base);
	points_db__read_end(db);
	if (rc)
		return rc;
	it = (void *)base;
	it->max_seq = max_seq;
	it->account = account;
	it->asset = a.id;
	strcpy(it->asset_code, a.a.code);
	it->order = order;
	points_entry__time_key(it->lo, account, a.id, from, 0);
	if (to)
		points_entry__time_key(it->hi, account, a.id, to, 0);
	else {
		/* past the account's last key: the next balance key */
		points_entry__time_key(it->hi, account, a.id, INT64_MAX,
		    INT64_MAX);
		key_next(it->hi, sizeof(it->hi));
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
