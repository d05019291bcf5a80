/* module.c - the registry of modules (see module.h).  Filled by
 * constructors while the library loads, read-only afterwards. */
#include "core/module.h"

static points_module *first, *last;
/* Those with a balance_storing hook: called on every balance write, so
 * the write walks only them. */
static points_module *first_storing, *last_storing;
static int nmodules, nkeyspaces;

void
points_module__register(points_module *m)
{
	points_ksdef *const *k;

	if (m->next || m == last)
		return; /* registered already */
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
}

points_module *
points_module__first_storing(void)
{
	return first_storing;
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
