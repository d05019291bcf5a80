/* iter.c - the shared iterator; see iter.h. */
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "core/db.h"
#include "core/iter.h"

int
points_iter__new(points_db *db, int kind, points_iter_fill_fn fill,
    points_iter **out)
{
	points_iter *it = points__calloc(1, sizeof(*it));

	if (!it)
		return points__err(db, POINTS_ENOMEM, "out of memory");
	it->db = db;
	it->kind = kind;
	it->fill = fill;
	*out = it;
	return POINTS_OK;
}

int
points_iter__step(points_iter *it, int kind, void *out)
{
	points_db *db;
	int64_t pos;
	unsigned char key[sizeof(it->key)];
	size_t keylen;
	int rc;

	if (!it)
		return POINTS_EINVAL;
	db = it->db;
	if (it->kind != kind)
		return points__err(db, POINTS_EINVAL,
		    "iterator is of another kind");
	if (!out)
		return points__err(db, POINTS_EINVAL, "out is required");
	if (it->i < it->n)
		return POINTS_OK;
	if (it->done)
		return POINTS_ITEROVER;
	if ((rc = points__check_db(db)))
		return rc;
	it->n = it->i = 0;
	pos = it->pos;
	memcpy(key, it->key, sizeof(key));
	keylen = it->keylen;
	if ((rc = points__read_begin(db)))
		return rc;
	rc = it->fill(it);
	points__read_end(db);
	if (rc != POINTS_OK) {
		/* forget the partial chunk so a retry starts where it was */
		it->n = 0;
		it->done = 0;
		it->pos = pos;
		memcpy(it->key, key, sizeof(key));
		it->keylen = keylen;
		return rc;
	}
	return it->n > 0 ? POINTS_OK : POINTS_ITEROVER;
}

POINTS_EXTERN void
points_iter_free(points_iter *it)
{
	if (!it)
		return;
	points__free(it->seqs);
	points__free(it);
}
