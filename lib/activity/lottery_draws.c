/* lottery_draws.c - the draws of a lottery, or of an account in every
 * lottery (points_lottery_draw_iterator_new, points/lottery.h).
 *
 * A lottery's draws are its 'd' keys, by number; an account's are its
 * 'p' keys (lottery.c), by lottery and number.  Each fill collects a
 * chunk of keys past the position and reads each key's draw. */
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "core/db.h"
#include "core/iter.h"
#include "activity/lottery.h"

#define KEY_MAX 25

struct points_lottery_draw_iterator {
	points_iter base;
	int64_t lottery, account;
	unsigned int flags;
	struct {
		unsigned char key[KEY_MAX]; /* the last key read */
		size_t len;                 /* 0: none yet */
	} pos;
	points_lottery_draw buf[POINTS_ITER_CHUNK];
};

static int draws_fill(points_iter *base);
static const points_iter_type draws_iter_type = POINTS_ITER_TYPE(
    "lottery draw iterator", struct points_lottery_draw_iterator, pos,
    draws_fill, NULL);

/* The range of the iterator's keys: prefix lo (lolen bytes), and hi
 * just past it; *klen the length of each key. */
static void
key_range(const struct points_lottery_draw_iterator *it, unsigned char *lo,
    size_t *lolen, unsigned char *hi, size_t *klen)
{
	if (it->account) {
		lo[0] = 'p';
		points_codec__put_be64(lo + 1, (uint64_t)it->account);
		*lolen = 9;
		if (it->lottery) {
			points_codec__put_be64(lo + 9, (uint64_t)it->lottery);
			*lolen = 17;
		}
		*klen = 25;
	} else {
		lo[0] = 'd';
		points_codec__put_be64(lo + 1, (uint64_t)it->lottery);
		*lolen = 9;
		*klen = 17;
	}
	memcpy(hi, lo, *lolen);
	/* the prefix's last byte + 1: be64 ids are below 2^63, so the
	 * byte never wraps */
	hi[*lolen - 1]++;
}

static int
draws_fill(points_iter *base)
{
	struct points_lottery_draw_iterator *it = (void *)base;
	points_db *db = base->db;
	unsigned char keys[POINTS_ITER_CHUNK * KEY_MAX], lo[KEY_MAX];
	unsigned char hi[KEY_MAX];
	size_t lolen, plen, klen, want, n, i, j;
	points_lottery_draw w;
	int rc;

	key_range(it, lo, &plen, hi, &klen);
	lolen = plen;
	while (base->n < POINTS_ITER_CHUNK && !base->done) {
		if (it->pos.len) {
			/* just past the last key read */
			memcpy(lo, it->pos.key, it->pos.len);
			lolen = it->pos.len;
			for (j = lolen; j > 0 && ++lo[j - 1] == 0; j--)
				;
			if (j == 0) {
				base->done = 1;
				break;
			}
		}
		want = POINTS_ITER_CHUNK - base->n;
		if ((rc = points_db__collect_keys(db, &points_lottery__ks, lo,
		    lolen, hi, plen, klen, keys, want, &n)))
			return rc;
		for (i = 0; i < n; i++) {
			const unsigned char *k = keys + i * klen;
			int64_t id = (int64_t)points_codec__get_be64(k +
			    klen - 16);
			int64_t num = (int64_t)points_codec__get_be64(k +
			    klen - 8);
			unsigned char dk[17];
			const void *v;
			size_t vl;

			memcpy(it->pos.key, k, klen);
			it->pos.len = klen;
			/* 'p' | account | id | 0: its counts */
			if (num == 0)
				continue;
			dk[0] = 'd';
			points_codec__put_be64(dk + 1, (uint64_t)id);
			points_codec__put_be64(dk + 9, (uint64_t)num);
			rc = points_db__get(db, &points_lottery__ks, dk, 17, &v,
			    &vl);
			if (rc == POINTS_ENOTFOUND)
				rc = points_db__err(db, POINTS_ECORRUPT,
				    "lottery %lld: draw %lld is listed but "
				    "missing", (long long)id, (long long)num);
			if (rc || (rc = points_lottery__draw_decode(db, id, num,
			    v, vl, &w)))
				return rc;
			if ((it->flags & POINTS_DRAWS_WON) && w.outcome < 0)
				continue;
			it->buf[base->n++] = w;
		}
		if (n < want)
			base->done = 1;
	}
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
