/* lot.c - point lots: lists merged by expiry day, consumed earliest
 * first.  The sweep and the "expiring soon" query are in expiry.c. */
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "core/db.h"
#include "core/lot.h"

void
points_lotlist__init_with(points_lotlist *l, points_lotrec *buf, size_t cap)
{
	l->n = 0;
	l->cap = cap;
	l->v = buf;
	l->lent = 1;
}

void
points_lotlist__free(points_lotlist *l)
{
	if (!l->lent)
		points_alloc__free(l->v);
	memset(l, 0, sizeof(*l));
}

int64_t
points_lotlist__sum(const points_lotlist *l)
{
	int64_t s = 0;
	size_t i;

	for (i = 0; i < l->n; i++)
		s += l->v[i].amount;
	return s;
}

int
points_lotlist__due(points_db *db, const points_lotlist *l, uint32_t today,
    size_t *n, int64_t *sum)
{
	size_t i;

	*sum = 0;
	for (i = 0; i < l->n && l->v[i].day < today; i++)
		if (points_codec__add(sum, l->v[i].amount))
			return points_db__err(db, POINTS_ECORRUPT,
			    "lots past due add up past 2^63");
	if (n)
		*n = i;
	return POINTS_OK;
}

int
points_lotlist__reserve(points_db *db, points_lotlist *l, size_t n)
{
	size_t cap;
	points_lotrec *v;

	if (n <= l->cap)
		return POINTS_OK;
	cap = l->cap ? l->cap * 2 : 4;
	while (cap < n)
		cap *= 2;
	v = points_alloc__realloc(l->lent ? NULL : l->v, cap * sizeof(*v));
	if (!v)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	if (l->lent && l->n)
		memcpy(v, l->v, l->n * sizeof(*v));
	l->v = v;
	l->cap = cap;
	l->lent = 0;
	return POINTS_OK;
}

int
points_lotlist__push(points_db *db, points_lotlist *l, uint32_t day,
    int64_t amount)
{
	int rc = points_lotlist__reserve(db, l, l->n + 1);

	if (rc)
		return rc;
	l->v[l->n].day = day;
	l->v[l->n].amount = amount;
	l->n++;
	return POINTS_OK;
}

int
points_lotlist__add(points_db *db, points_lotlist *l, uint32_t day,
    int64_t amount, int *is_new)
{
	size_t lo = 0, hi = l->n;
	int rc;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (l->v[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < l->n && l->v[lo].day == day) {
		if (is_new)
			*is_new = 0;
		return points_codec__add(&l->v[lo].amount, amount) ?
		    points_db__err(db, POINTS_EOVERFLOW, "lot amount overflow") :
		    POINTS_OK;
	}
	if ((rc = points_lotlist__reserve(db, l, l->n + 1)))
		return rc;
	memmove(l->v + lo + 1, l->v + lo, (l->n - lo) * sizeof(*l->v));
	l->v[lo].day = day;
	l->v[lo].amount = amount;
	l->n++;
	if (is_new)
		*is_new = 1;
	return POINTS_OK;
}

/* Take up to *want from lot i; drop it when empty. */
static int
take_from(points_db *db, points_lotlist *l, size_t i, int64_t *want,
    points_lotrec *got)
{
	int64_t t = l->v[i].amount < *want ? l->v[i].amount : *want;

	got->day = l->v[i].day;
	got->amount = t;
	l->v[i].amount -= t;
	*want -= t;
	if (l->v[i].amount == 0) {
		memmove(l->v + i, l->v + i + 1, (l->n - i - 1) * sizeof(*l->v));
		l->n--;
	}
	(void)db;
	return POINTS_OK;
}

int
points_lotlist__take(points_db *db, points_lotlist *l, int64_t amount,
    const points_lotlist *prefer, points_lotlist *taken)
{
	size_t i, j;
	int rc;

	/* Room for every possible movement first, so that nothing below
	 * can fail halfway. */
	if (taken && (rc = points_lotlist__reserve(db, taken, taken->n + l->n +
	    (prefer ? prefer->n : 0))))
		return rc;
	for (j = 0; prefer && j < prefer->n && amount > 0; j++) {
		for (i = 0; i < l->n; i++) {
			points_lotrec got;
			int64_t want, left;

			if (l->v[i].day != prefer->v[j].day)
				continue;
			/* no more of a preferred day than the list names */
			want = amount < prefer->v[j].amount ? amount :
			    prefer->v[j].amount;
			left = amount - want;
			take_from(db, l, i, &want, &got);
			amount = left + want;
			if (taken)
				points_lotlist__push(db, taken, got.day,
				    got.amount);
			break;
		}
	}
	while (amount > 0 && l->n > 0) {
		points_lotrec got;

		take_from(db, l, 0, &amount, &got);
		if (taken)
			points_lotlist__push(db, taken, got.day, got.amount);
	}
	if (amount > 0)
		return points_db__err(db, POINTS_ECORRUPT,
		    "lots hold less than the balance says");
	return POINTS_OK;
}

int
points_lotlist__tail(points_db *db, const points_lotlist *src, int64_t skip,
    int64_t amount, points_lotlist *out)
{
	size_t i = src->n;
	int rc;

	while (i > 0 && amount > 0) {
		int64_t a = src->v[--i].amount;

		if (skip >= a) {
			skip -= a;
			continue;
		}
		a -= skip;
		skip = 0;
		if (a > amount)
			a = amount;
		if ((rc = points_lotlist__add(db, out, src->v[i].day, a, NULL)))
			return rc;
		amount -= a;
	}
	return POINTS_OK;
}
