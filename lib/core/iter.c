/* iter.c - the machinery every iterator shares; see iter.h.
 *
 * The handle's live iterators are this module's per-handle state: a
 * module with no keyspaces that hears when a transaction ends (to settle
 * the iterators of a batch) and when the handle closes (to detach them). */
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "core/db.h"
#include "core/iter.h"
#include "core/module.h"

struct iter_state {
	points_iter *head; /* the handle's live iterators, newest first */
};

static void iter_txn_end(points_db *db, void *state, int committed);
static void iter_close(points_db *db, void *state);
static void iter_op_undone(points_db *db, void *state);

/* Stores nothing (format 0: no marker in the ledger). */
static points_module iter_module = {
	.name = "iter",
	.format = 0,
	.state_size = sizeof(struct iter_state),
	.txn_end = iter_txn_end,
	.close = iter_close,
	.op_undone = iter_op_undone,
};
POINTS_MODULE(iter_module)

/* The batch's transaction ended: iterators opened in it stand on what it
 * wrote.  Committed, they go on as any other; rolled back, what they
 * buffered and where they stand may never have existed. */
static void
iter_txn_end(points_db *db, void *state, int committed)
{
	struct iter_state *s = state;
	points_iter *it;

	if (!s || !db->in_batch)
		return;
	for (it = s->head; it; it = it->next) {
		if (!it->in_batch)
			continue;
		it->in_batch = 0;
		if (!committed)
			it->rolled_back = 1;
	}
}

/* An operation of the batch was undone.  Iterators fill between calls,
 * never during one, so none stands on what the operation wrote: those
 * of the batch stand on its earlier operations, which are still there. */
static void
iter_op_undone(points_db *db, void *state)
{
	(void)db;
	(void)state;
}

/* The handle is closing: its iterators forget it, so that a later step
 * is POINTS_EMISUSE and a later free touches only the iterator. */
static void
iter_close(points_db *db, void *state)
{
	struct iter_state *s = state;
	points_iter *it, *next;

	(void)db;
	for (it = s->head; it; it = next) {
		next = it->next;
		it->db = NULL;
		it->prev = it->next = NULL;
	}
	s->head = NULL;
}

int
points_iter__new(points_db *db, const points_iter_type *type, size_t size,
    points_iter **out)
{
	struct iter_state *s = points_db__state(db, &iter_module);
	points_iter *it;

	/* the position is saved behind the iterator during a fill */
	if (!(it = points_alloc__calloc(1, size + type->pos_size)))
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	it->type = type;
	it->db = db;
	it->saved = (unsigned char *)it + size;
	/* Opened where the batch's transaction is open (not in a read of
	 * its own after the batch failed): it stands on the batch. */
	it->in_batch = db->in_batch && db->in_txn && !db->read_owned;
	it->next = s->head;
	if (s->head)
		s->head->prev = it;
	s->head = it;
	*out = it;
	return POINTS_OK;
}

int
points_iter__step(points_iter *it, const points_iter_type *type,
    const void *out)
{
	unsigned char *pos;
	points_db *db;
	int rc;

	if (!it)
		return POINTS_EINVAL;
	if (!(db = it->db))
		return POINTS_EMISUSE; /* the handle is gone: no message */
	if ((rc = points_db__check_db(db)))
		return rc;
	if (it->type != type)
		return points_db__err(db, POINTS_EINVAL, "this call steps %ss, "
		    "not %ss", type->name, it->type->name);
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "%s: out is required",
		    type->name);
	if (it->rolled_back)
		return points_db__err(db, POINTS_ESTATE, "%s: the batch it was "
		    "opened in was rolled back: open a new one", type->name);
	if (it->i < it->n)
		return POINTS_OK;
	if (it->done)
		return POINTS_ITEROVER;
	it->n = it->i = 0;
	pos = (unsigned char *)it + type->pos_off;
	memcpy(it->saved, pos, type->pos_size);
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = type->fill(it);
	points_db__read_end(db);
	if (rc != POINTS_OK) {
		/* forget the partial chunk so a retry starts where it was */
		it->n = 0;
		it->done = 0;
		memcpy(pos, it->saved, type->pos_size);
		return rc;
	}
	return it->n > 0 ? POINTS_OK : POINTS_ITEROVER;
}

void
points_iter__free(points_iter *it)
{
	if (!it)
		return;
	if (it->db) {
		struct iter_state *s = points_db__state(it->db, &iter_module);

		if (it->prev)
			it->prev->next = it->next;
		else
			s->head = it->next;
		if (it->next)
			it->next->prev = it->prev;
	}
	if (it->type->fini)
		it->type->fini(it);
	points_alloc__free(it);
}
