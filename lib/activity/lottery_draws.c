/* lottery_draws.c - the draws of a lottery, or of an account
 * (points_lottery_draw_iterator_new, points/lottery.h).
 *
 * A lottery's draws are its keys in the draws' keyspace, by number.  An account's are found
 * from its counts, a 'p' key per lottery it drew in (lottery.c): each
 * names its last draw there, and each draw the account's previous one,
 * so the walk goes lottery by lottery, each newest first. */
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "core/db.h"
#include "core/iter.h"
#include "activity/lottery.h"

struct points_lottery_draw_iterator {
	points_iter base;
	int64_t lottery, account;
	unsigned int flags;
	struct {
		int64_t id;   /* the lottery being read; 0: none yet */
		int64_t next; /* the next draw to read in it; 0: its end */
	} pos;
	points_lottery_draw buf[POINTS_ITER_CHUNK];
};

static int draws_fill(points_iter *base);
static const points_iter_type draws_iter_type = POINTS_ITER_TYPE(
    "lottery draw iterator", struct points_lottery_draw_iterator, pos,
    draws_fill, NULL);

static void
keep(struct points_lottery_draw_iterator *it, const points_lottery_draw *w)
{
	if (!(it->flags & POINTS_DRAWS_WON) || w->outcome >= 0)
		it->buf[it->base.n++] = *w;
}

/* A lottery's draws, by number: a chunk of keys past the last. */
static int
fill_lottery(struct points_lottery_draw_iterator *it)
{
	points_iter *base = &it->base;
	points_db *db = base->db;
	unsigned char keys[POINTS_ITER_CHUNK * 8], lo[8], hi[8];
	points_lottery_draw w;
	size_t want = POINTS_ITER_CHUNK - base->n, n, i;
	int rc;

	/* no lottery has a larger id, and its keys would be another's */
	if (it->lottery > INT32_MAX) {
		base->done = 1;
		return POINTS_OK;
	}
	if ((rc = points_db__collect_keys(db, &points_lottery__draw_ks, lo,
	    points_lottery__draw_key(lo, it->lottery, it->pos.next + 1), hi,
	    points_lottery__draw_key(hi, it->lottery + 1, 0), 8, keys, want,
	    &n)))
		return rc;
	for (i = 0; i < n; i++) {
		int64_t num = (int64_t)(points_codec__get_be64(keys + i * 8) &
		    0xffffffff);

		if ((rc = points_lottery__draw_load(db, it->lottery, num, &w,
		    NULL)))
			return rc;
		it->pos.next = num;
		keep(it, &w);
	}
	if (n < want)
		base->done = 1;
	return POINTS_OK;
}

/* The next lottery (after pos.id) in which the account drew: pos.next
 * its last draw; base->done when there is none. */
static int
next_lottery(struct points_lottery_draw_iterator *it)
{
	points_iter *base = &it->base;
	points_db *db = base->db;
	unsigned char key[17], lo[17], hi[17];
	points_lottery__count c;
	const void *v;
	size_t vl, n;
	int64_t from = it->pos.id + 1;
	int rc;

	if (it->lottery) {
		/* one lottery: its counts, once */
		if (it->pos.id) {
			base->done = 1;
			return POINTS_OK;
		}
		from = it->lottery;
	}
	points_lottery__player_key(lo, it->account, from);
	points_lottery__player_key(hi, it->account + 1, 0);
	if (it->lottery)
		points_lottery__player_key(hi, it->account, it->lottery + 1);
	if ((rc = points_db__collect_keys(db, &points_lottery__ks, lo, 17, hi,
	    17, 17, key, 1, &n)))
		return rc;
	if (n == 0) {
		base->done = 1;
		return POINTS_OK;
	}
	it->pos.id = (int64_t)points_codec__get_be64(key + 9);
	if ((rc = points_db__get(db, &points_lottery__ks, key, 17, &v, &vl)))
		return rc;
	if ((rc = points_lottery__count_decode(db, it->pos.id, it->account, v,
	    vl, &c)))
		return rc;
	it->pos.next = c.last;
	return POINTS_OK;
}

/* An account's draws: lottery by lottery, each newest first. */
static int
fill_account(struct points_lottery_draw_iterator *it)
{
	points_iter *base = &it->base;
	points_lottery_draw w;
	int64_t prev;
	int rc;

	while (base->n < POINTS_ITER_CHUNK && !base->done) {
		if (it->pos.next == 0) {
			if ((rc = next_lottery(it)))
				return rc;
			continue;
		}
		if ((rc = points_lottery__draw_load(base->db, it->pos.id,
		    it->pos.next, &w, &prev)))
			return rc;
		if (w.account != it->account)
			return points_db__err(base->db, POINTS_ECORRUPT,
			    "lottery %lld: draw %lld is not account %lld's",
			    (long long)w.lottery, (long long)w.number,
			    (long long)it->account);
		it->pos.next = prev;
		keep(it, &w);
	}
	return POINTS_OK;
}

static int
draws_fill(points_iter *base)
{
	struct points_lottery_draw_iterator *it = (void *)base;
	int rc;

	if (it->account)
		return fill_account(it);
	while (base->n < POINTS_ITER_CHUNK && !base->done)
		if ((rc = fill_lottery(it)))
			return rc;
	return POINTS_OK;
}

POINTS_EXTERN int
points_lottery_draw_iterator_new(points_db *db, int64_t lottery,
    int64_t account, unsigned int flags, points_lottery_draw_iterator **out)
{
	points_iter *base = NULL;
	struct points_lottery_draw_iterator *it;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if (lottery < 0 || account < 0 || (!lottery && !account))
		return points_db__err(db, POINTS_EINVAL, "lottery draws: name "
		    "a lottery (%lld), an account (%lld) or both",
		    (long long)lottery, (long long)account);
	if (flags & ~POINTS_DRAWS_WON)
		return points_db__err(db, POINTS_EINVAL, "lottery draws: "
		    "unknown flags 0x%x", flags & ~POINTS_DRAWS_WON);
	if ((rc = points_iter__new(db, &draws_iter_type, sizeof(*it), &base)))
		return rc;
	it = (void *)base;
	it->lottery = lottery;
	it->account = account;
	it->flags = flags;
	*out = it;
	return POINTS_OK;
}

POINTS_EXTERN int
points_lottery_draw_next(points_lottery_draw_iterator *it,
    points_lottery_draw *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &draws_iter_type,
	    out);

	if (rc != POINTS_OK)
		return rc;
	*out = it->buf[it->base.i++];
	return POINTS_OK;
}

POINTS_EXTERN void
points_lottery_draw_iterator_free(points_lottery_draw_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
