/* iter.h - one iterator type for every list of the API.  Each refill
 * runs in its own short read transaction (or inside the open batch) and
 * remembers where it stopped, so no transaction outlives a call. */
#ifndef POINTS_CORE_ITER_H
#define POINTS_CORE_ITER_H

#include "points.h"
#include "core/db.h"

#define POINTS_ITER_CHUNK 64

enum points_iter_kind {
	POINTS_ITER_ACCOUNT = 1,
	POINTS_ITER_ENTRY,
	POINTS_ITER_LOT,
};

typedef int (*points_iter_fill_fn)(points_iter *it);

struct points_iter {
	points_db *db;
	int kind;
	points_iter_fill_fn fill;
	int done;    /* fill reached the end */
	size_t n, i; /* items buffered, items returned */

	/* Position and parameters, per kind. */
	int64_t pos;
	int64_t account;
	uint32_t asset;
	char asset_code[POINTS_ASSET_MAX + 1];
	int64_t from, to, limit;
	int order;
	unsigned char key[17]; /* lots of every account: resume after key */
	size_t keylen;
	int64_t *seqs; /* oldest-first statements: the account's entries */
	size_t nseqs;

	union {
		points_account accounts[POINTS_ITER_CHUNK];
		points_entry entries[POINTS_ITER_CHUNK];
		points_lot lots[POINTS_ITER_CHUNK];
	} u;
};

int points_iter__new(points_db *db, int kind, points_iter_fill_fn fill,
    points_iter **out);
/* POINTS_OK when it->u holds an item at it->i, POINTS_ITEROVER at the
 * end, or an error (bad arguments, storage). */
int points_iter__step(points_iter *it, int kind, void *out);

#endif
