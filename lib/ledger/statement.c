/* statement.c - an account's entries in one asset, newest or oldest
 * first: a range of the time index (entry.h) in each bucket the window
 * spans, so a window costs what it holds and a seek per bucket (about 18
 * hours), not the account's history. */
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "util/codec.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/db.h"
#include "core/iter.h"
#include "core/party.h"
#include "ledger/debt.h"
#include "ledger/entry.h"
#include "ledger/meta.h"
#include "ledger/statement.h"


/* The link to the account's previous entry, and its view of e (owed
 * and repaid: the debt e makes and repays, debt.h). */
static int64_t
entry_view(const points_entry_rec *e, int64_t account, int64_t owed,
    int64_t repaid, points_entry *out)
{
	int is_from = e->from == account, role;
	int64_t peer, other;

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
		/* what was owed did not leave available, what repaid a
		 * debt did not join it */
		if (is_from && owed) {
			out->amount += owed;
			out->debt += owed;
		}
		if (e->to == account && repaid) {
			out->amount -= repaid;
			out->debt -= repaid;
		}
		if (e->from != e->to)
			out->counterparty = is_from ? e->to : e->from;
		/* a leg's user sees the other user, not the clearing
		 * account (entry.h) */
		if (points_entry__leg(e, &role, &peer, &other) == POINTS_OK &&
		    is_from == (role == POINTS_ENTRY_LEG_DEBIT))
			out->counterparty = peer;
	}
	return is_from ? e->prev_from : e->prev_to;
}

/* Where a statement stands: the bucket it reads, and the time index key
 * (entry.h) it returned last in that bucket, or none yet. */
struct statement_pos {
	uint64_t bucket;
	int started;
	unsigned char key[POINTS_ENTRY_TIME_KEY_LEN];
};

struct points_statement_iterator {
	points_iter base;
	int64_t account;
	uint32_t asset;
	char asset_code[POINTS_ASSET_MAX + 1];
	int order;
	/* the log's end when it was made, the last seq of each of its
	 * partitions (entry.h): no later entry */
	int64_t *tails;
	unsigned parts;
	int64_t from, to; /* the window: from <= time < to (to 0: no end) */
	/* The buckets to read, first <= last, both of the window and
	 * holding keys when it was made; none when empty. */
	uint64_t first, last;
	int empty;
	struct statement_pos pos;
	/* the last party read (statements of one account seldom change) */
	uint32_t party;
	char department[POINTS_DEPT_MAX + 1], tier[POINTS_TIER_MAX + 1];
	points_entry buf[POINTS_ITER_CHUNK];
};

static int statement_fill(points_iter *base);
static void statement_fini(points_iter *base);
static const points_iter_type statement_iter_type = POINTS_ITER_TYPE(
    "statement iterator", struct points_statement_iterator, pos,
    statement_fill, statement_fini);

static void
statement_fini(points_iter *base)
{
	points_alloc__free(((struct points_statement_iterator *)(void *)
	    base)->tails);
}

/* Whether entry seq was written after the iterator was made. */
static int
after_end(const struct points_statement_iterator *it, int64_t seq)
{
	unsigned p = points_entry__seq_partition(seq);

	return p >= it->parts || seq > it->tails[p];
}

/* The key after k (keys are fixed-length big-endian numbers). */
static void
key_next(unsigned char *k, size_t n)
{
	while (n > 0 && ++k[--n] == 0)
		;
}

/* The window's keys in bucket b: lo <= key < hi. */
static void
bucket_range(const struct points_statement_iterator *it, uint64_t b,
    unsigned char *lo, unsigned char *hi)
{
	int64_t start = points_entry__bucket_time(b);

	points_entry__time_key(lo, it->account, it->asset,
	    it->from > start ? it->from : start, 0);
	if (it->to && points_entry__time_bucket(it->to) == b)
		points_entry__time_key(hi, it->account, it->asset, it->to, 0);
	else {
		/* past the account's last key in the bucket */
		points_entry__time_key(hi, it->account, it->asset,
		    start | 0xffff, INT64_MAX);
		key_next(hi, POINTS_ENTRY_TIME_KEY_LEN);
	}
}

/* Up to POINTS_ITER_CHUNK index keys after the position, in order, into
 * keys, moving the position past them; *n says how many, *end whether
 * the window has no more.  Buckets without keys of the account cost a
 * seek each. */
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

	*n = 0;
	*end = it->empty;
	while (!*end) {
		bucket_range(it, it->pos.bucket, lo, hi);
		if (it->pos.started && newest)
			memcpy(hi, it->pos.key, sizeof(hi)); /* before it */
		else if (it->pos.started) {
			memcpy(lo, it->pos.key, sizeof(lo));
			key_next(lo, sizeof(lo)); /* after it */
		}
		rc = POINTS_ITEROVER;
		if (memcmp(lo, hi, sizeof(lo)) < 0) {
			rc = db->store->cursor_open(db->store,
			    db->ks[points_entry__time_ks.slot], lo, sizeof(lo),
			    hi, sizeof(hi), newest, &c);
			if (rc)
				return points_db__store_err(db, rc, "statement");
			while (*n < POINTS_ITER_CHUNK &&
			    (rc = db->store->cursor_next(db->store, c, &k, &kl,
			    &v, &vl)) == POINTS_OK &&
			    kl == POINTS_ENTRY_TIME_KEY_LEN)
				memcpy(keys[(*n)++], k, kl);
			db->store->cursor_close(db->store, c);
			if (rc == POINTS_OK && *n < POINTS_ITER_CHUNK)
				/* stopped at a key of another length */
				return points_db__err(db, POINTS_ECORRUPT,
				    "account %lld: statement index unreadable",
				    (long long)it->account);
			if (rc != POINTS_OK && rc != POINTS_ITEROVER)
				return points_db__store_err(db, rc,
				    "statement");
		}
		if (*n > 0) {
			it->pos.started = 1;
			memcpy(it->pos.key, keys[*n - 1], sizeof(it->pos.key));
		}
		if (rc == POINTS_OK)
			return POINTS_OK; /* a full chunk: maybe more here */
		/* this bucket is done: on to the next, if any */
		if (newest ? it->pos.bucket <= it->first :
		    it->pos.bucket >= it->last)
			*end = 1;
		else {
			it->pos.bucket += newest ? (uint64_t)-1 : 1;
			it->pos.started = 0;
		}
		if (*n > 0)
			return POINTS_OK;
	}
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
	int64_t account, time, seq, prev, owed, repaid;
	uint32_t asset, party = 0;
	int rc;

	points_entry__time_key_parse(k, POINTS_ENTRY_TIME_KEY_LEN, &account,
	    &asset, &time, &seq);
	if (e->time != time || e->asset != asset ||
	    (e->from != account && e->to != account))
		return points_db__err(db, POINTS_ECORRUPT,
		    "account %lld: statement index disagrees with entry %lld",
		    (long long)it->account, (long long)e->seq);
	if ((rc = points_debt__of(db, e, &owed, &repaid)))
		return rc;
	prev = entry_view(e, it->account, owed, repaid, out);
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
			else if (after_end(it, seq))
				continue;
			if (rc == POINTS_OK)
				rc = points_entry__load(db, seq, &e);
			if (rc == POINTS_OK)
				rc = statement_emit(db, it, keys[i], &e);
		}
	}
	points_entry__free(&e);
	if (rc)
		return rc;
	base->done = end;
	return POINTS_OK;
}

/* The bucket of the time index's first key (its last: reverse), in *b;
 * *found 0 when the index is empty.  The key must be its entry's: a
 * damaged one could claim a time far off, and a statement would seek
 * through every bucket up to it. */
static int
index_edge(points_db *db, int reverse, uint64_t *b, int *found)
{
	points_cursor *c;
	points_entry_rec e;
	const void *k, *v;
	size_t kl, vl;
	int64_t account = 0, time = 0, seq = 0;
	uint32_t asset = 0;
	int rc;

	*found = 0;
	rc = db->store->cursor_open(db->store,
	    db->ks[points_entry__time_ks.slot], NULL, 0, NULL, 0, reverse, &c);
	if (rc)
		return points_db__store_err(db, rc, "statement");
	rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
	if (rc == POINTS_OK && !points_entry__time_key_parse(k, kl, &account,
	    &asset, &time, &seq))
		rc = points_db__err(db, POINTS_ECORRUPT,
		    "statement index unreadable");
	else if (rc == POINTS_OK) {
		*b = points_entry__time_bucket(time);
		*found = 1;
	} else if (rc == POINTS_ITEROVER)
		rc = POINTS_OK;
	else
		rc = points_db__store_err(db, rc, "statement");
	db->store->cursor_close(db->store, c);
	if (rc || !*found)
		return rc;
	points_entry__init(&e, 0, 0, 0);
	rc = points_entry__load(db, seq, &e);
	if (rc == POINTS_OK && (e.time != time || e.asset != asset ||
	    (e.from != account && e.to != account)))
		rc = points_db__err(db, POINTS_ECORRUPT, "statement index "
		    "disagrees with entry %lld", (long long)seq);
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
	points_iter *base = NULL;
	struct points_statement_iterator *it = NULL;
	int64_t *tails = NULL;
	unsigned parts = 0, p, home = 0;
	uint64_t first = 0, last = 0;
	int rc, found = 0;

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
		rc = points_entry__partitions(db, &parts);
	if (rc == POINTS_OK && !(tails = points_alloc__malloc(
	    parts * sizeof(*tails))))
		rc = points_db__err(db, POINTS_ENOMEM, "out of memory");
	/* a user account's entries are all in its partition: only that
	 * one's end is read (the others list nothing) */
	if (rc == POINTS_OK && !(acct.flags & POINTS_ACCOUNT_SYSTEM))
		rc = points_entry__account_partition(db, account, &home);
	for (p = 0; rc == POINTS_OK && p < parts; p++)
		if ((acct.flags & POINTS_ACCOUNT_SYSTEM) || p == home)
			rc = points_entry__last_seq(db, p, &tails[p]);
		else
			tails[p] = points_entry__part_first(p) - 1;
	/* the buckets that hold keys bound the window's: a window of all
	 * time reads the ledger's span, not every bucket there could be */
	if (rc == POINTS_OK)
		rc = index_edge(db, 0, &first, &found);
	if (rc == POINTS_OK && found)
		rc = index_edge(db, 1, &last, &found);
	if (rc == POINTS_OK)
		rc = points_iter__new(db, &statement_iter_type, sizeof(*it),
		    &base);
	points_db__read_end(db);
	if (rc) {
		points_alloc__free(tails);
		return rc;
	}
	it = (void *)base;
	it->tails = tails;
	it->parts = parts;
	it->account = account;
	it->asset = a.id;
	strcpy(it->asset_code, a.a.code);
	it->order = order;
	it->from = from;
	it->to = to;
	if (first < points_entry__time_bucket(from))
		first = points_entry__time_bucket(from);
	if (to && last > points_entry__time_bucket(to - 1))
		last = points_entry__time_bucket(to - 1);
	it->empty = !found || first > last || (to && to == from);
	it->first = first;
	it->last = last;
	it->pos.bucket = order == POINTS_NEWEST_FIRST ? last : first;
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

/* ---- An account's entries in every asset (statement.h) ---- */

/* The bucket's 6 bytes of a time index key (entry.h). */
static void
bucket_bytes(unsigned char *k, uint64_t b)
{
	unsigned char be[8];

	points_codec__put_be64(be, b);
	memcpy(k, be + 2, 6);
}

int
points_statement__walk_start(points_db *db, points_statement_walk *w,
    int64_t account, int64_t from, int64_t to)
{
	uint64_t first = 0, last = 0;
	int rc, found = 0;

	memset(w, 0, sizeof(*w));
	w->account = account;
	w->from = from;
	w->to = to ? to : INT64_MAX;
	if ((rc = index_edge(db, 0, &first, &found)) || !found ||
	    (rc = index_edge(db, 1, &last, &found)) || !found) {
		w->done = 1;
		return rc;
	}
	if (first < points_entry__time_bucket(from))
		first = points_entry__time_bucket(from);
	if (last > points_entry__time_bucket(w->to - 1))
		last = points_entry__time_bucket(w->to - 1);
	w->bucket = first;
	w->last = last;
	w->done = first > last || from >= w->to;
	return POINTS_OK;
}

/* Keep seq among the (at most max) smallest in seqs[0..*n), ascending. */
static void
keep_smallest(int64_t *seqs, size_t max, size_t *n, int64_t seq)
{
	size_t i = *n;

	if (i == max) {
		if (seq >= seqs[max - 1])
			return;
		i--;
	} else
		(*n)++;
	for (; i > 0 && seqs[i - 1] > seq; i--)
		seqs[i] = seqs[i - 1];
	seqs[i] = seq;
}

int
points_statement__walk_next(points_db *db, points_statement_walk *w,
    int64_t *seqs, size_t max, size_t *n)
{
	unsigned char lo[14], hi[14];
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl, more;
	int64_t account, time, seq;
	uint32_t asset;
	int rc;

	*n = 0;
	if (max > POINTS_STATEMENT_WALK_MAX)
		max = POINTS_STATEMENT_WALK_MAX;
	while (*n == 0 && !w->done) {
		/* the account's keys in the bucket, every asset: within a
		 * bucket they sort by asset, so the smallest seqs past the
		 * position are picked from all of them */
		bucket_bytes(lo, w->bucket);
		memcpy(hi, lo, 6);
		points_balance__account_range(w->account, lo + 6, hi + 6);
		rc = db->store->cursor_open(db->store,
		    db->ks[points_entry__time_ks.slot], lo, sizeof(lo), hi,
		    sizeof(hi), 0, &c);
		if (rc)
			return points_db__store_err(db, rc, "statement");
		more = 0;
		while ((rc = db->store->cursor_next(db->store, c, &k, &kl, &v,
		    &vl)) == POINTS_OK) {
			if (!points_entry__time_key_parse(k, kl, &account,
			    &asset, &time, &seq) || account != w->account)
				break;
			if (seq <= w->after || time < w->from || time >= w->to)
				continue;
			if (*n == max)
				more = 1;
			keep_smallest(seqs, max, n, seq);
		}
		db->store->cursor_close(db->store, c);
		if (rc != POINTS_ITEROVER) {
			*n = 0;
			return rc == POINTS_OK ? points_db__err(db,
			    POINTS_ECORRUPT, "account %lld: statement index "
			    "unreadable", (long long)w->account) :
			    points_db__store_err(db, rc, "statement");
		}
		if (more)
			w->after = seqs[*n - 1]; /* more in this bucket */
		else if (w->bucket >= w->last)
			w->done = 1;
		else {
			w->bucket++;
			w->after = 0;
		}
	}
	return POINTS_OK;
}
