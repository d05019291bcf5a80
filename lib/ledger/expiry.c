/* expiry.c - the expiry sweep, which moves what is left of expired lots
 * to the expiry account and releases holds past their deadline, and the
 * "expiring soon" query for reminders.  Both walk the sweep index: one
 * key per balance with expiring lots (see balance.h). */
#include <string.h>

#include "points.h"
#include "core/account.h"
#include "util/alloc.h"
#include "core/asset.h"
#include "core/balance.h"
#include "util/codec.h"
#include "core/db.h"
#include "ledger/hold.h"
#include "core/iter.h"
#include "ledger/entry.h"
#include "ledger/idem.h"
#include "ledger/posting.h"
#include "core/lot.h"
#include "ledger/expiry.h"

/* ---- The expiry sweep ---- */

/* Each write transaction of the sweep does at most this many units of
 * work: an expired hold, or a balance whose due lots it expires (one
 * entry each, a few hundred bytes written).  Not less: the index is in
 * day order, balances in account order, so each chunk of a big sweep
 * rewrites balance pages all over the table (README, design notes).
 * Tests lower it (expiry.h). */
size_t points_expiry__chunk = POINTS_SWEEP_CHUNK;

/* Due keys read from the sweep index at a time, inside a chunk. */
#define SWEEP_SCAN 256

/* The expiry account's balance per asset, loaded when a chunk first
 * needs it and written at the end of the chunk (as many assets as the
 * chunk meets), and the accounts that lost points in this call (an
 * account may lose them in several assets, and its index keys come at
 * several days and in several chunks). */
typedef struct sweep_sink {
	points_balance_rec *bal;
	int n, cap;
	int64_t *seen; /* open addressing, 0 = free; cap a power of 2 */
	size_t nseen, scap;
} sweep_sink;

/* One call of the sweep: what it sweeps, and where its walks of the
 * indexes go on from in the next chunk (keys of other assets stay
 * behind them). */
typedef struct sweep_run {
	uint32_t asset;   /* 0: every asset */
	uint32_t today;
	int64_t as_of;
	unsigned char lot_pos[17];
	size_t lot_poslen;
	unsigned char hold_pos[8 + POINTS_UUID_LEN + 1];
	size_t hold_poslen;
	int holds_done;
} sweep_run;

/* Count account once per sweep. */
static int
sweep_seen(points_db *db, sweep_sink *s, int64_t account,
    points_sweep_report *rep)
{
	size_t i;

	if ((s->nseen + 1) * 2 > s->scap) {
		size_t cap = s->scap ? s->scap * 2 : 256, j;
		int64_t *v = points_alloc__calloc(cap, sizeof(*v));

		if (!v)
			return points_db__err(db, POINTS_ENOMEM, "out of memory");
		for (j = 0; j < s->scap; j++) {
			if (!s->seen[j])
				continue;
			for (i = (size_t)s->seen[j] & (cap - 1); v[i];
			    i = (i + 1) & (cap - 1))
				;
			v[i] = s->seen[j];
		}
		points_alloc__free(s->seen);
		s->seen = v;
		s->scap = cap;
	}
	for (i = (size_t)account & (s->scap - 1); s->seen[i];
	    i = (i + 1) & (s->scap - 1))
		if (s->seen[i] == account)
			return POINTS_OK;
	s->seen[i] = account;
	s->nseen++;
	rep->accounts++;
	return POINTS_OK;
}

static int
sink_for(points_db *db, sweep_sink *s, const points_balance_rec *b,
    points_balance_rec **out)
{
	points_balance_rec probe;
	uint32_t asset = b->asset;
	unsigned shard, parts;
	int i, rc;

	/* the record of b's log partition (ledger/entry.h) */
	points_balance__init(&probe, POINTS_ACCOUNT_EXPIRY, asset, 1);
	if ((rc = points_entry__shard_of(db, b, &probe, &shard)))
		return rc;
	for (i = 0; i < s->n; i++)
		if (s->bal[i].asset == asset && s->bal[i].shard == shard) {
			*out = &s->bal[i];
			return POINTS_OK;
		}
	if (s->n == s->cap) {
		/* any number of assets (a fixed table of 16 once failed every
		 * sweep of a ledger with more) */
		int cap = s->cap ? s->cap * 2 : 8;
		points_balance_rec *v = points_alloc__realloc(s->bal,
		    (size_t)cap * sizeof(*v));

		if (!v)
			return points_db__err(db, POINTS_ENOMEM, "out of memory");
		s->bal = v;
		s->cap = cap;
	}
	/* placed in its partition, its home too (for its share: wide) */
	points_balance__init(&s->bal[s->n], POINTS_ACCOUNT_EXPIRY, asset, 1);
	if ((rc = points_balance__load_party(db, &s->bal[s->n], -1, 1)) ||
	    (rc = points_entry__partitions(db, &parts)) ||
	    (parts > 1 && (rc = points_entry__place_in(db, &s->bal[s->n],
	    shard ? shard - 1 : (unsigned)(POINTS_ACCOUNT_EXPIRY % parts))))) {
		points_balance__free(&s->bal[s->n]);
		return rc;
	}
	*out = &s->bal[s->n++];
	return POINTS_OK;
}

/* The sum of the expiry account's records (posting.h), with the ones
 * this sweep holds. */
static int
sink_fits(points_db *db, sweep_sink *s, points_balance_rec *eb, int64_t x,
    int64_t now)
{
	/* one a partition at most */
	points_balance_rec *held[POINTS_PARTITIONS_MAX];
	int i, n = 0;

	for (i = 0; i < s->n && n < POINTS_PARTITIONS_MAX; i++)
		if (s->bal[i].asset == eb->asset)
			held[n++] = &s->bal[i];
	return points_posting__expiry_fits(db, eb, x, now, held, (size_t)n);
}

/* The report of an all-asset sweep adds up points of several assets:
 * it saturates rather than overflow (a sweep of one asset is exact). */
static void
report_points(points_sweep_report *rep, int64_t x)
{
	points_balance__counter_sat(&rep->points, x);
}

/* Expire the lots of one balance that ended before today; its index key
 * (at day) moves to the earliest lot left. */
static int
expire_balance(points_db *db, sweep_sink *s, const sweep_run *w,
    uint32_t day, int64_t account, uint32_t asset, points_sweep_report *rep)
{
	points_balance_rec b, *eb = NULL;
	points_entry_rec e;
	int64_t x, now;
	size_t n = 0;
	int rc;

	points_balance__init(&b, account, asset, 0);
	points_entry__init(&e, POINTS_TXN_EXPIRE, asset, w->as_of);
	if ((rc = points_balance__load(db, &b)))
		goto done;
	if (b.idx_day != day) {
		/* not this balance's key: nothing points here, drop it */
		unsigned char k[16];

		points_balance__sweep_key(k, day, account, asset);
		rc = points_db__del(db, &points_balance__sweep_ks, k, sizeof(k));
		goto done;
	}
	/* the due lots, spilled ones too when every inline lot is due */
	if ((rc = points_balance__take_due(db, &b, w->today, &e.out_lots, &x)))
		goto done;
	if ((n = e.out_lots.n) == 0) {
		/* the due lots were spent since: just move the key */
		rc = points_balance__store(db, &b, 1);
		goto done;
	}
	/* x >= 0; only a damaged available near INT64_MIN cannot give it */
	if (b.available < INT64_MIN + x) {
		rc = points_balance__unreadable(db, account);
		goto done;
	}
	if ((rc = sink_for(db, s, &b, &eb)) ||
	    (rc = sweep_seen(db, s, account, rep)))
		goto done;
	now = eb->available;
	if (points_codec__add(&now, x)) {
		rc = points_db__err(db, POINTS_EOVERFLOW,
		    "the expiry account's balance would overflow");
		goto done;
	}
	/* in log partitions: the sum of its records too */
	if (eb->partitioned && (rc = sink_fits(db, s, eb, x, now)))
		goto done;
	eb->available = now;
	b.available -= x;
	/* lifetime counters saturate: they cannot block expiry */
	points_balance__counter_sat(&b.expired, x);
	points_balance__counter_sat(&eb->earned, x);
	e.from = account;
	e.to = POINTS_ACCOUNT_EXPIRY;
	e.amount = x;
	strcpy(e.memo, "expired");
	if ((rc = points_entry__append(db, &e, &b, eb)) ||
	    (rc = points_balance__store(db, &b, 1)))
		goto done;
	rep->lots += (int64_t)n;
	report_points(rep, x);
done:
	points_entry__free(&e);
	points_balance__free(&b);
	return rc;
}

/* Write the expiry account's balances that the chunk changed, and forget
 * them: the next chunk, another transaction, reads them afresh. */
static int
sink_flush(points_db *db, sweep_sink *s, int rc)
{
	int i;

	for (i = 0; i < s->n; i++) {
		if (rc == POINTS_OK)
			rc = points_balance__store(db, &s->bal[i], 0);
		points_balance__free(&s->bal[i]);
	}
	s->n = 0;
	return rc;
}

/* Expire the due lots of at most max balances.  Each key handled moves
 * to a day >= today or goes, so the keys left before today are exactly
 * the work left, after a chunk as after an interrupted sweep; a sweep
 * of one asset steps over the keys of the others (and goes on after
 * them in its next chunk).  *used says how many balances were handled;
 * fewer than max: none is left. */
static int
sweep_lots(points_db *db, sweep_sink *sink, sweep_run *w, size_t max,
    size_t *used, points_sweep_report *rep)
{
	unsigned char hi[4];
	unsigned char keys[SWEEP_SCAN][16];
	int rc = POINTS_OK;

	*used = 0;
	points_codec__put_be32(hi, w->today);
	while (*used < max) {
		size_t want = max - *used, nkeys, j, handled = 0;

		if (want > SWEEP_SCAN)
			want = SWEEP_SCAN;
		/* A batch of due keys; resume after the last. */
		rc = points_db__collect_keys(db, &points_balance__sweep_ks,
		    w->lot_poslen ? w->lot_pos : NULL, w->lot_poslen, hi,
		    sizeof(hi), 16, keys[0], want, &nkeys);
		if (rc || nkeys == 0)
			break;
		for (j = 0; j < nkeys && rc == POINTS_OK; j++) {
			uint32_t asset = points_codec__get_be32(keys[j] + 12);

			if (w->asset && asset != w->asset)
				continue;
			rc = expire_balance(db, sink, w,
			    points_codec__get_be32(keys[j]),
			    (int64_t)points_codec__get_be64(keys[j] + 4), asset,
			    rep);
			handled++;
		}
		if (rc)
			break;
		memcpy(w->lot_pos, keys[nkeys - 1], 16);
		w->lot_pos[16] = 0;
		w->lot_poslen = sizeof(w->lot_pos);
		*used += handled;
		if (nkeys < want)
			break;
	}
	return rc;
}

/* One chunk: holds first (what they release may itself be due), then
 * lots, at most max units of work in all.  *more is 0 when nothing is
 * left to do. */
static int
sweep_chunk(points_db *db, sweep_sink *sink, sweep_run *w, size_t max,
    points_sweep_report *rep, int *more)
{
	size_t used = 0, n;
	int rc = POINTS_OK;

	*more = 1;
	if (!w->holds_done) {
		int64_t h = 0;

		if ((rc = points_hold__expire(db, w->asset, w->as_of,
		    (int64_t)max, w->hold_pos, &w->hold_poslen, &h)))
			return rc;
		rep->holds += h;
		used = (size_t)h;
		if (used < max)
			w->holds_done = 1;
	}
	if (w->holds_done && used < max) {
		rc = sweep_lots(db, sink, w, max - used, &n, rep);
		if (rc == POINTS_OK && n < max - used)
			*more = 0;
	}
	return sink_flush(db, sink, rc);
}

static void
report_add(points_sweep_report *to, const points_sweep_report *part)
{
	to->accounts += part->accounts;
	to->lots += part->lots;
	report_points(to, part->points);
	to->holds += part->holds;
}

/* The sweep commits a chunk at a time (points_expire_sweep(3)): engines
 * that limit a transaction's size or time can run it, and an interrupted
 * sweep leaves only whole chunks behind, which a rerun completes.  Inside
 * a batch it is one operation of the batch's transaction. */
POINTS_EXTERN int
points_expire_sweep_asset(points_db *db, const char *asset, int64_t as_of,
    unsigned int flags, points_sweep_report *out)
{
	points_sweep_report rep, part;
	points_asset_rec a;
	sweep_sink sink;
	sweep_run w;
	size_t max = points_expiry__chunk;
	int64_t today, now;
	int rc, more = 1, batch;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (as_of < 0)
		return points_db__err(db, POINTS_EINVAL,
		    "as_of must not be negative");
	if (flags & ~(unsigned)POINTS_SWEEP_FUTURE)
		return points_db__err(db, POINTS_EINVAL,
		    "unknown sweep flags 0x%x", flags);
	/* a sweep ahead of the clock expires points that are still valid:
	 * only on purpose (a wrong cron line is undone with points_reverse) */
	now = points_db__time(db, 0);
	if (as_of > now && !(flags & POINTS_SWEEP_FUTURE))
		return points_db__err(db, POINTS_EINVAL, "sweep as of %lld is "
		    "later than the ledger's clock (%lld): pass "
		    "POINTS_SWEEP_FUTURE to sweep ahead of it",
		    (long long)as_of, (long long)now);
	memset(&w, 0, sizeof(w));
	memset(&rep, 0, sizeof(rep));
	if (asset) {
		if ((rc = points_db__read_begin(db)))
			return rc;
		rc = points_asset__find(db, asset, &a);
		points_db__read_end(db);
		if (rc)
			return rc;
		w.asset = a.id;
		strcpy(rep.asset, a.a.code);
	}
	if (max == 0 || max > INT64_MAX / 2)
		max = max ? INT64_MAX / 2 : 1;
	today = points_db__day(db, as_of);
	if (today > (int64_t)POINTS_DAY_NEVER)
		today = POINTS_DAY_NEVER;
	w.today = (uint32_t)today;
	w.as_of = as_of;
	memset(&sink, 0, sizeof(sink));
	batch = db->in_batch;
	if ((rc = batch ? points_db__write_begin(db) : POINTS_OK))
		return rc;
	while (rc == POINTS_OK && more) {
		memset(&part, 0, sizeof(part));
		if (!batch && (rc = points_db__write_begin(db)))
			break;
		rc = sweep_chunk(db, &sink, &w, max, &part, &more);
		/* the last chunk's transaction: then the modules that look
		 * ahead (the outbox's notices of points expiring soon) */
		if (rc == POINTS_OK && !more)
			rc = points_db__swept(db, w.asset, as_of);
		if (!batch)
			rc = points_db__write_end(db, rc);
		if (rc == POINTS_OK)
			report_add(&rep, &part);
	}
	if (batch)
		rc = points_db__write_end(db, rc);
	points_alloc__free(sink.seen);
	points_alloc__free(sink.bal);
	if (rc == POINTS_OK) {
		if (out)
			*out = rep;
	} else if (!batch && (rep.lots || rep.holds)) {
		/* Chunks before the failure stand: say so.  (The report is
		 * an output, written only on success.) */
		char msg[sizeof(db->errmsg)];

		memcpy(msg, db->errmsg, sizeof(msg));
		points_db__err(db, rc, "%s (the sweep had committed %lld expired "
		    "lots and %lld expired holds; run it again to finish)",
		    msg, (long long)rep.lots, (long long)rep.holds);
	}
	return rc;
}

POINTS_EXTERN int
points_expire_sweep(points_db *db, int64_t as_of, points_sweep_report *out)
{
	return points_expire_sweep_asset(db, NULL, as_of, 0, out);
}

/* ---- Lots and the "expiring soon" query ---- */

struct points_lot_iterator {
	points_iter base;
	int64_t account; /* 0: every account's */
	uint32_t asset;
	char asset_code[POINTS_ASSET_MAX + 1];
	int64_t limit; /* the last day listed */
	struct lot_pos {
		/* One account: the first day to list.  Every account: the
		 * day to go on from inside the balance of the sweep key
		 * after key (0: from its first lot). */
		int64_t day;
		unsigned char key[17]; /* resume after this key */
		size_t keylen;         /* 0: from the first key */
	} pos;
	points_lot buf[POINTS_ITER_CHUNK];
};

static int lots_fill(points_iter *base);
static const points_iter_type lot_iter_type = POINTS_ITER_TYPE(
    "lot iterator", struct points_lot_iterator, pos, lots_fill, NULL);

/* The first day whose lots are still valid by the ledger's clock:
 * "expiring soon" lists no points that are gone already. */
static int64_t
lots_today(points_db *db)
{
	return points_db__day(db, points_db__time(db, 0));
}

static void
lot_out(struct points_lot_iterator *it, int64_t account,
    const points_lotrec *l)
{
	points_lot *o = &it->buf[it->base.n++];

	memset(o, 0, sizeof(*o));
	o->account = account;
	strcpy(o->asset, it->asset_code);
	o->expires_at = points_asset__day_end(it->base.db, l->day);
	o->amount = l->amount;
}

/* Append b's spilled lots from day from (or today) on to its list: a
 * chunk's worth and one more, so that the walks below fill a chunk or
 * pass the limit before they run out of what was read (lot_spill.h). */
static int
lots_spilled(points_db *db, points_balance_rec *b, int64_t from,
    int64_t today)
{
	if (b->spill.n == 0)
		return POINTS_OK;
	if (from < today)
		from = today;
	if (from < 0)
		from = 0;
	if (from > (int64_t)POINTS_DAY_NEVER)
		return POINTS_OK;
	return points_balance__load_spilled(db, b, (uint32_t)from,
	    POINTS_ITER_CHUNK + 1);
}

/* One account: its lots from day pos.day on, up to the limit day. */
static int
lots_fill_account(struct points_lot_iterator *it)
{
	points_iter *base = &it->base;
	points_balance_rec b;
	int64_t today = lots_today(base->db);
	size_t i;
	int rc;

	points_balance__init(&b, it->account, it->asset, 0);
	rc = points_balance__load(base->db, &b);
	if (rc == POINTS_OK)
		rc = lots_spilled(base->db, &b, it->pos.day, today);
	for (i = 0; rc == POINTS_OK && i < b.lots.n; i++) {
		const points_lotrec *l = &b.lots.v[i];

		if ((int64_t)l->day < it->pos.day || (int64_t)l->day < today)
			continue;
		if ((int64_t)l->day > it->limit || base->n == POINTS_ITER_CHUNK)
			break;
		lot_out(it, it->account, l);
		it->pos.day = (int64_t)l->day + 1;
	}
	if (i == b.lots.n || (i < b.lots.n && (int64_t)b.lots.v[i].day >
	    it->limit))
		base->done = 1;
	points_balance__free(&b);
	return rc;
}

/* Every account: walk the sweep index, one key per balance, at a day no
 * later than its earliest lot; pos.day is the day to go on from inside
 * the current key's balance when a chunk filled up. */
static int
lots_fill_all(struct points_lot_iterator *it)
{
	points_iter *base = &it->base;
	points_db *db = base->db;
	unsigned char hi[4];
	int64_t today = lots_today(db);
	int rc = POINTS_OK;

	points_codec__put_be32(hi, (uint32_t)it->limit + 1);
	while (base->n < POINTS_ITER_CHUNK && rc == POINTS_OK) {
		unsigned char key[16];
		points_balance_rec b;
		size_t i, n;
		int full = 0;

		rc = points_db__collect_keys(db, &points_balance__sweep_ks,
		    it->pos.keylen ? it->pos.key : NULL, it->pos.keylen, hi,
		    sizeof(hi), 16, key, 1, &n);
		if (rc)
			return rc;
		if (n == 0) {
			base->done = 1;
			return POINTS_OK;
		}
		if (points_codec__get_be32(key + 12) == it->asset) {
			points_balance__init(&b, (int64_t)points_codec__get_be64(key + 4),
			    it->asset, 0);
			rc = points_balance__load(db, &b);
			if (rc == POINTS_OK && b.idx_day ==
			    points_codec__get_be32(key))
				rc = lots_spilled(db, &b, it->pos.day, today);
			for (i = 0; rc == POINTS_OK && b.idx_day ==
			    points_codec__get_be32(key) && i < b.lots.n; i++) {
				const points_lotrec *l = &b.lots.v[i];

				if ((int64_t)l->day < it->pos.day ||
				    (int64_t)l->day < today)
					continue;
				if ((int64_t)l->day > it->limit)
					break;
				if (base->n == POINTS_ITER_CHUNK) {
					it->pos.day = l->day; /* go on here */
					full = 1;
					break;
				}
				lot_out(it, b.account, l);
			}
			points_balance__free(&b);
			if (rc || full)
				break;
		}
		memcpy(it->pos.key, key, 16);
		it->pos.key[16] = 0; /* resume just after this key */
		it->pos.keylen = 17;
		it->pos.day = 0;
	}
	return rc;
}

static int
lots_fill(points_iter *base)
{
	struct points_lot_iterator *it = (void *)base;

	return it->account ? lots_fill_account(it) : lots_fill_all(it);
}

POINTS_EXTERN int
points_lot_iterator_new(points_db *db, int64_t account, const char *asset,
    int64_t until, points_lot_iterator **out)
{
	points_asset_rec a;
	points_account acct;
	points_iter *base = NULL;
	struct points_lot_iterator *it;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if (account < 0 || until < 0)
		return points_db__err(db, POINTS_EINVAL,
		    "account and until must not be negative");
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = points_asset__find(db, asset, &a);
	if (rc == POINTS_OK && account)
		rc = points_account__load(db, account, &acct);
	if (rc == POINTS_OK)
		rc = points_iter__new(db, &lot_iter_type, sizeof(*it), &base);
	points_db__read_end(db);
	if (rc)
		return rc;
	it = (void *)base;
	it->account = account;
	it->asset = a.id;
	strcpy(it->asset_code, a.a.code);
	/* the last day whose lots end at or before until; only INT64_MAX
	 * takes in the lots that never expire, and only for one account
	 * (the sweep index has no key for them) */
	if (until == INT64_MAX)
		it->limit = POINTS_DAY_NEVER;
	else
		it->limit = points_db__day(db, until + 1) - 1;
	if (it->limit > (int64_t)POINTS_DAY_NEVER - 1 &&
	    (until != INT64_MAX || !account))
		it->limit = (int64_t)POINTS_DAY_NEVER - 1;
	*out = it;
	return POINTS_OK;
}

POINTS_EXTERN int
points_lot_next(points_lot_iterator *it, points_lot *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &lot_iter_type, out);

	if (rc == POINTS_OK)
		*out = it->buf[it->base.i++];
	return rc;
}

POINTS_EXTERN void
points_lot_iterator_free(points_lot_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
