/* module.c - the registry of modules (see module.h).  Filled from the
 * build's list of them while the library loads, read-only afterwards. */
#include <stddef.h>

#include "core/module.h"

/* Every module of lib/: build/gen/points_modules.def holds a
 * POINTS_MODULE_LISTED(name) line for each POINTS_MODULE(name) line of
 * lib/, in the order of their files (the Makefile writes it).  Referring
 * to each here draws each into every program linked with libpoints.a,
 * whichever of its functions it calls. */
#define POINTS_MODULE_LISTED(m) extern points_module *const points_module__##m;
#include "points_modules.def"
#undef POINTS_MODULE_LISTED
static points_module *const *const listed[] = {
#define POINTS_MODULE_LISTED(m) &points_module__##m,
#include "points_modules.def"
#undef POINTS_MODULE_LISTED
};

static points_module *first, *last;
/* Those with a balance_storing hook: called on every balance write, so
 * the write walks only them. */
static points_module *first_storing, *last_storing;
/* Those with an ahead hook: asked at every write's first read. */
static points_module *first_ahead, *last_ahead;
static int nmodules, nkeyspaces;

static void
register_one(points_module *m)
{
	points_ksdef *const *k;

	m->slot = nmodules++;
	for (k = m->keyspaces; k && *k; k++)
		(*k)->slot = nkeyspaces++;
	if (last)
		last->next = m;
	else
		first = m;
	last = m;
	if (m->balance_storing) {
		if (last_storing)
			last_storing->next_storing = m;
		else
			first_storing = m;
		last_storing = m;
	}
	if (m->ahead) {
		if (last_ahead)
			last_ahead->next_ahead = m;
		else
			first_ahead = m;
		last_ahead = m;
	}
}

/* This file is in every program that opens a ledger (db.c calls it), so
 * its constructor runs in each, however the library was linked. */
static void register_all(void) __attribute__((constructor));
static void
register_all(void)
{
	size_t i;

	for (i = 0; i < sizeof(listed) / sizeof(listed[0]); i++)
		register_one(*listed[i]);
}

points_module *
points_module__first_storing(void)
{
	return first_storing;
}

points_module *
points_module__first_ahead(void)
{
	return first_ahead;
}

points_module *
points_module__first(void)
{
	return first;
}

int
points_module__count(void)
{
	return nmodules;
}

int
points_module__keyspaces(void)
{
	return nkeyspaces;
}
