/* lot_spill.c - a balance's lots past a bound, under their own keys; see
 * lot_spill.h.
 *
 * Why this shape: a balance record is read and rewritten by every
 * posting, so an account with thousands of expiry days made every
 * earn decode and re-encode thousands of lots (~200 us at 20,000 days,
 * a spend ~1 ms).  The inline list keeps the earliest lots, the ones
 * debits and expiry take first; an earn brings the latest lot (an
 * asset's policy puts it after every other), which goes to its own key
 * with one put (the record's `last` says no spilled lot is later, so
 * no read is needed).  Debits that use the inline lots up move the
 * earliest spilled ones inline, a bound's worth at a time (one cursor
 * and a delete per lot), so a run of spends pays a store call per lot
 * it uses up.  The record carries the spill's count and sum, so
 * balances, debits and verify's sums need no scan, and a record of an
 * account that never spilled is as before, byte for byte; a record
 * with more lots inline than the bound (written before the spill)
 * spills the excess at its next write.
 *
 * The spill keys are written as a debit or credit computes, not
 * deferred to the balance's store: a pending-writes list would have to
 * be merged into every cursor over the spill.  A write's checks that
 * can refuse it (funds, status, policy) come before it takes or adds
 * lots; a later failure (an overflow, the store) rolls the operation
 * back with its savepoint, or, on a store without savepoints, the
 * batch, as any write that fails after writing does (core/db.h). */
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "core/db.h"
#include "core/lot.h"
#include "core/lot_spill.h"

/* The module's format: 1, lots keyed balance key (be64) + day (be32) ->
 * amount (varint).  No ledger before it had spilled lots: nothing to
 * set up. */
#define LOT_SPILL_FORMAT 1

points_ksdef points_lot_spill__ks = { "lot_spill", POINTS_KS_ORDERED, 0 };

static points_ksdef *const keyspaces[] = { &points_lot_spill__ks, NULL };
static points_module lot_spill_module = {
	.name = "lot_spill",
	.format = LOT_SPILL_FORMAT,
	.keyspaces = keyspaces,
};
POINTS_MODULE(lot_spill_module)

void
points_lot_spill__set_bound(points_db *db, size_t bound)
{
	db->lot_bound = bound;
}

void
points_lot_spill__key(unsigned char k[12], const unsigned char bkey[8],
    uint32_t day)
{
	memcpy(k, bkey, 8);
	points_codec__put_be32(k + 8, day);
}

static int
corrupt(points_db *db, const unsigned char *bkey, const char *why)
{
	return points_db__err(db, POINTS_ECORRUPT, "balance of account %lld: "
	    "spilled lots %s", (long long)(points_codec__get_be64(bkey) >> 16),
	    why);
}

static int
put_lot(points_db *db, const unsigned char *bkey, uint32_t day,
    int64_t amount)
{
	unsigned char k[12], v[10];
	uint64_t a = (uint64_t)amount;
	size_t n = 0;

	/* a LEB128 varint, as points_buf__uvar writes it */
	while (a >= 0x80) {
		v[n++] = (unsigned char)(a | 0x80);
		a >>= 7;
	}
	v[n++] = (unsigned char)a;
	points_lot_spill__key(k, bkey, day);
	return points_db__put(db, &points_lot_spill__ks, k, sizeof(k), v, n);
}

static int
del_lot(points_db *db, const unsigned char *bkey, uint32_t day)
{
	unsigned char k[12];

	points_lot_spill__key(k, bkey, day);
	return points_db__del(db, &points_lot_spill__ks, k, sizeof(k));
}

/* The spilled lot of day: *amount, 0 when there is none. */
static int
get_lot(points_db *db, const unsigned char *bkey, const points_lot_spill *s,
    uint32_t day, int64_t *amount)
{
	unsigned char k[12];
	const void *v;
	size_t vl;
	points_rd r;
	uint64_t a;
	int rc;

	*amount = 0;
	if (s->n == 0 || day > s->last)
		return POINTS_OK;
	points_lot_spill__key(k, bkey, day);
	rc = points_db__get(db, &points_lot_spill__ks, k, sizeof(k), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	points_rd__init(&r, v, vl);
	a = points_rd__uvar(&r);
	if (r.err || r.p != r.end || a == 0 || a > INT64_MAX)
		return corrupt(db, bkey, "unreadable");
	*amount = (int64_t)a;
	return POINTS_OK;
}

/* A lot of day and amount joins the spill (no lot of day is there). */
static int
spill_new(points_db *db, const unsigned char *bkey, points_lot_spill *s,
    uint32_t day, int64_t amount)
{
	int rc;

	if (points_codec__add(&s->sum, amount))
		return points_db__err(db, POINTS_EOVERFLOW,
		    "lot amount overflow");
	if ((rc = put_lot(db, bkey, day, amount)))
		return rc;
	s->n++;
	if (day > s->last)
		s->last = day;
	return POINTS_OK;
}

/* The next spilled lot of the cursor c over balance bkey's keys: its day
 * and amount (POINTS_OK), POINTS_ITEROVER at the end, or an error (a
 * key or amount that cannot be a lot is POINTS_ECORRUPT). */
static int
spill_next(points_db *db, points_cursor *c, const unsigned char *bkey,
    uint32_t *day, int64_t *amount)
{
	const void *k, *v;
	size_t kl, vl;
	points_rd r;
	uint64_t a;
	int rc;

	rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
	if (rc == POINTS_ITEROVER)
		return rc;
	if (rc)
		return points_db__store_err(db, rc, points_lot_spill__ks.name);
	points_rd__init(&r, v, vl);
	a = points_rd__uvar(&r);
	if (kl != 12 || r.err || r.p != r.end || a == 0 || a > INT64_MAX)
		return corrupt(db, bkey, "unreadable");
	*day = points_codec__get_be32((const unsigned char *)k + 8);
	*amount = (int64_t)a;
	return POINTS_OK;
}

int
points_lot_spill__read(points_db *db, const unsigned char *bkey,
    const points_lot_spill *s, uint32_t from_day, size_t max,
    points_lotlist *out)
{
	unsigned char lo[12], hi[12];
	points_cursor *c;
	size_t got = 0;
	int rc;

	if (s->n == 0)
		return POINTS_OK;
	points_lot_spill__key(lo, bkey, from_day);
	points_codec__put_be64(hi, points_codec__get_be64(bkey) + 1);
	rc = db->store->cursor_open(db->store,
	    db->ks[points_lot_spill__ks.slot], lo, sizeof(lo), hi, 8, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, points_lot_spill__ks.name);
	while (max == 0 || got < max) {
		uint32_t day = 0;
		int64_t a = 0;

		if ((rc = spill_next(db, c, bkey, &day, &a)) ||
		    (rc = points_lotlist__push(db, out, day, a)))
			break;
		got++;
	}
	if (rc == POINTS_ITEROVER)
		rc = POINTS_OK;
	db->store->cursor_close(db->store, c);
	return rc;
}

/* Move the earliest spilled lots inline, up to the bound in all: the
 * inline list has run out (or is about to).  Their keys go. */
static int
refill(points_db *db, const unsigned char *bkey, points_lotlist *l,
    points_lot_spill *s)
{
	size_t bound = points_lot_spill__bound(db), want, i, n0 = l->n;
	int rc;

	if (s->n == 0)
		return POINTS_OK;
	want = l->n < bound ? bound - l->n : 1;
	if ((rc = points_lot_spill__read(db, bkey, s, 0, want, l)))
		return rc;
	if (l->n == n0 || (n0 > 0 && l->v[n0].day <= l->v[n0 - 1].day))
		return corrupt(db, bkey, "are missing or out of order");
	for (i = n0; i < l->n; i++) {
		if ((rc = del_lot(db, bkey, l->v[i].day)))
			return rc;
		s->n--;
		s->sum -= l->v[i].amount;
	}
	if (s->n == 0) {
		if (s->sum != 0)
			return corrupt(db, bkey, "add up to other than the "
			    "balance says");
		s->last = 0;
	}
	return POINTS_OK;
}

int
points_lot_spill__add(points_db *db, const unsigned char *bkey,
    points_lotlist *l, points_lot_spill *s, uint32_t day, int64_t amount)
{
	size_t bound = points_lot_spill__bound(db);
	int64_t old;
	int rc;

	if (l->n > 0 && day <= l->v[l->n - 1].day) {
		/* among the inline days: merged, or a new one that pushes
		 * the latest inline lot out when the list is full */
		size_t lo = 0, hi = l->n;

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (l->v[mid].day < day)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (l->v[lo].day != day && l->n >= bound) {
			points_lotrec *z = &l->v[l->n - 1];

			if ((rc = spill_new(db, bkey, s, z->day, z->amount)))
				return rc;
			l->n--;
		}
		return points_lotlist__add(db, l, day, amount, NULL);
	}
	/* later than every inline lot: inline while nothing is spilled
	 * and there is room */
	if (s->n == 0 && l->n < bound)
		return points_lotlist__add(db, l, day, amount, NULL);
	if ((rc = get_lot(db, bkey, s, day, &old)))
		return rc;
	if (old == 0)
		return spill_new(db, bkey, s, day, amount);
	if (points_codec__add(&old, amount) || points_codec__add(&s->sum, amount))
		return points_db__err(db, POINTS_EOVERFLOW,
		    "lot amount overflow");
	return put_lot(db, bkey, day, old);
}

int
points_lot_spill__trim(points_db *db, const unsigned char *bkey,
    points_lotlist *l, points_lot_spill *s)
{
	size_t bound = points_lot_spill__bound(db);
	int rc;

	/* the latest inline lots go, each earlier than every spilled one */
	while (l->n > bound) {
		points_lotrec *z = &l->v[l->n - 1];

		if ((rc = spill_new(db, bkey, s, z->day, z->amount)))
			return rc;
		l->n--;
	}
	return POINTS_OK;
}

/* The inline lot of day, or -1. */
static long
find_inline(const points_lotlist *l, uint32_t day)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (l->v[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < l->n && l->v[lo].day == day ? (long)lo : -1;
}

int
points_lot_spill__take(points_db *db, const unsigned char *bkey,
    points_lotlist *l, points_lot_spill *s, int64_t amount,
    const points_lotlist *prefer, points_lotlist *taken)
{
	size_t j;
	long i;
	int rc;

	if (s->n == 0)
		return points_lotlist__take(db, l, amount, prefer, taken);
	/* the preferred days first, in their order, wherever they are */
	for (j = 0; prefer && j < prefer->n && amount > 0; j++) {
		uint32_t day = prefer->v[j].day;
		int64_t want = amount < prefer->v[j].amount ? amount :
		    prefer->v[j].amount, have;

		if ((i = find_inline(l, day)) >= 0) {
			points_lotrec *z = &l->v[i];

			if (want > z->amount)
				want = z->amount;
			z->amount -= want;
			amount -= want;
			if (z->amount == 0) {
				memmove(z, z + 1, (l->n - (size_t)i - 1) *
				    sizeof(*z));
				l->n--;
			}
			if (taken && (rc = points_lotlist__push(db, taken,
			    day, want)))
				return rc;
			continue;
		}
		/* not inline: spilled, or nowhere */
		if ((rc = get_lot(db, bkey, s, day, &have)) || have == 0) {
			if (rc)
				return rc;
			continue;
		}
		if (want > have)
			want = have;
		rc = have == want ? del_lot(db, bkey, day) :
		    put_lot(db, bkey, day, have - want);
		if (rc)
			return rc;
		if (have == want)
			s->n--;
		s->sum -= want;
		amount -= want;
		if (taken && (rc = points_lotlist__push(db, taken, day, want)))
			return rc;
	}
	if (s->n == 0)
		s->last = 0;
	/* then the earliest first: the inline lots, refilled as they run
	 * out */
	while (amount > 0) {
		int64_t have = points_lotlist__sum(l), t;

		t = have < amount ? have : amount;
		if (t > 0 && (rc = points_lotlist__take(db, l, t, NULL, taken)))
			return rc;
		amount -= t;
		if (amount == 0 || s->n == 0)
			break;
		if ((rc = refill(db, bkey, l, s)))
			return rc;
	}
	if (amount > 0)
		return points_db__err(db, POINTS_ECORRUPT,
		    "lots hold less than the balance says");
	/* the earliest lot stays inline */
	if (l->n == 0 && s->n > 0)
		return refill(db, bkey, l, s);
	return POINTS_OK;
}

int
points_lot_spill__take_due(points_db *db, const unsigned char *bkey,
    points_lotlist *l, points_lot_spill *s, uint32_t today,
    points_lotlist *taken, int64_t *sum)
{
	int64_t x;
	size_t n, i;
	int rc;

	*sum = 0;
	for (;;) {
		if ((rc = points_lotlist__due(db, l, today, &n, &x)))
			return rc;
		if (n == 0)
			break;
		if (points_codec__add(sum, x))
			return points_db__err(db, POINTS_ECORRUPT,
			    "lots past due add up past 2^63");
		for (i = 0; i < n; i++)
			if ((rc = points_lotlist__push(db, taken, l->v[i].day,
			    l->v[i].amount)))
				return rc;
		memmove(l->v, l->v + n, (l->n - n) * sizeof(*l->v));
		l->n -= n;
		/* a spilled lot is due only when every inline one was */
		if (l->n > 0 || s->n == 0)
			break;
		if ((rc = refill(db, bkey, l, s)))
			return rc;
	}
	return POINTS_OK;
}

int
points_lot_spill__due(points_db *db, const unsigned char *bkey,
    const points_lot_spill *s, uint32_t today, int64_t *sum)
{
	unsigned char lo[12], hi[12];
	points_cursor *c;
	int rc;

	*sum = 0;
	if (s->n == 0)
		return POINTS_OK;
	points_lot_spill__key(lo, bkey, 0);
	points_lot_spill__key(hi, bkey, today);
	rc = db->store->cursor_open(db->store,
	    db->ks[points_lot_spill__ks.slot], lo, sizeof(lo), hi, sizeof(hi),
	    0, &c);
	if (rc)
		return points_db__store_err(db, rc, points_lot_spill__ks.name);
	for (;;) {
		uint32_t day;
		int64_t a = 0;

		if ((rc = spill_next(db, c, bkey, &day, &a)))
			break;
		if (points_codec__add(sum, a)) {
			rc = corrupt(db, bkey, "unreadable");
			break;
		}
	}
	if (rc == POINTS_ITEROVER)
		rc = POINTS_OK;
	db->store->cursor_close(db->store, c);
	return rc;
}
