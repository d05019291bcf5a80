/* iter.h - what every iterator of the API shares.
 *
 * Each list of the API has its own iterator type (points_account_iterator,
 * points_statement_iterator, points_lot_iterator, ...), declared in its
 * module's public header and defined in its module's .c file, so that
 * passing one kind where another is expected does not compile.  Each
 * embeds struct points_iter as its first member and keeps its own
 * position and record buffer; adding an iterator edits no central file.
 *
 * The base does the rest, once for every kind:
 *  - refill: a step with nothing buffered calls the type's fill in its
 *    own short read transaction (or inside the open batch), so no
 *    transaction outlives a call and other calls may come in between;
 *  - retry: the type declares where its position lives, the base saves
 *    it before a fill and puts it back when the fill fails, so a retried
 *    step starts where the failed one did (nothing skipped or repeated);
 *  - the handle's life: the handle keeps a list of its live iterators.
 *    points_close detaches them (a later step is POINTS_EMISUSE and
 *    touches nothing freed; freeing stays fine), and the rollback of a
 *    batch invalidates those opened inside it (POINTS_ESTATE), since what
 *    they buffered and where they stand may never have existed. */
#ifndef POINTS_CORE_ITER_H
#define POINTS_CORE_ITER_H

#include <stddef.h>

#include "points.h"
#include "core/db.h"

/* Items a fill buffers at most, for every kind (the fuzzers build with
 * fewer, so that small ledgers cross chunks). */
#ifndef POINTS_ITER_CHUNK
#define POINTS_ITER_CHUNK 64
#endif

typedef struct points_iter points_iter;

/* One kind of iterator: a static description in its module. */
typedef struct points_iter_type {
	const char *name; /* "account iterator": messages say it */
	/* Buffer up to POINTS_ITER_CHUNK items from the position on, set
	 * it->n to how many, set it->done when the list ends, and move the
	 * position past them.  Runs inside a read transaction; returns
	 * POINTS_OK or an error (with the handle's message set). */
	int (*fill)(points_iter *it);
	/* Free what the iterator owns besides itself (NULL: nothing).
	 * Runs also for a detached iterator: it must not use it->db. */
	void (*fini)(points_iter *it);
	/* The position: pos_size bytes at pos_off in the iterator. */
	size_t pos_off, pos_size;
} points_iter_type;

/* A type whose position is the member POS of its iterator struct S. */
#define POINTS_ITER_TYPE(name, S, POS, fill, fini) \
	{ (name), (fill), (fini), offsetof(S, POS), sizeof(((S *)0)->POS) }

/* A module's iterator as its base: struct points_iter is its first
 * member (NULL stays NULL). */
#define POINTS_ITER_BASE(it) ((points_iter *)(void *)(it))

struct points_iter {
	const points_iter_type *type;
	points_db *db;            /* NULL once points_close detached it */
	points_iter *prev, *next; /* the handle's live iterators */
	int in_batch;             /* opened in the batch still open */
	int rolled_back;          /* that batch was rolled back */
	int done;                 /* fill reached the end */
	size_t n, i;              /* items buffered, items returned */
	unsigned char *saved;     /* room for the position during a fill */
};

/* Make an iterator of type: size bytes (the module's struct, with struct
 * points_iter first), zeroed, linked to the handle's live iterators.
 * POINTS_ENOMEM (with a message) or POINTS_OK. */
int points_iter__new(points_db *db, const points_iter_type *type,
    size_t size, points_iter **out);
/* Before a step of an iterator that must be of type: POINTS_OK when an
 * item is buffered at it->i (the caller copies it out and moves it->i
 * on), POINTS_ITEROVER at the end, or an error: POINTS_EINVAL (it or out
 * NULL, another kind), POINTS_EMISUSE (its handle was closed),
 * POINTS_ESTATE (its batch was rolled back), or the fill's. */
int points_iter__step(points_iter *it, const points_iter_type *type,
    const void *out);
/* Unlink it from its handle (if still attached) and free it; NULL is
 * accepted. */
void points_iter__free(points_iter *it);

#endif
