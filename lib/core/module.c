/* module.c - the registry of modules (see module.h).  Filled by
 * constructors while the library loads, read-only afterwards. */
#include "core/module.h"

static points_module *first, *last;
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
