/* meta.c - an entry's category, actor and parties; see meta.h. */
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "core/db.h"
#include "core/party.h"
#include "ledger/entry.h"
#include "ledger/meta.h"

static int
category_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
	    c == '.' || c == '-';
}

int
points_meta__check(points_db *db, const char *what, const char *category,
    const char *actor)
{
	size_t i, n;
	int rc;

	if (category) {
		n = strnlen(category, POINTS_CATEGORY_MAX + 1);
		for (i = 0; i < n && category_char((unsigned char)category[i]);
		    i++)
			;
		if (n == 0 || n > POINTS_CATEGORY_MAX || i < n)
			return points_db__err(db, POINTS_EINVAL, "%s: category "
			    "must be 1-%d characters of a-z 0-9 _ . - (or "
			    "none)", what, POINTS_CATEGORY_MAX);
	}
	if (actor) {
		if (!*actor)
			return points_db__err(db, POINTS_EINVAL, "%s: actor is "
			    "empty (leave it out for none)", what);
		if ((rc = points_db__check_str(db, "actor", actor,
		    POINTS_ACTOR_MAX, 1)))
			return rc;
		for (i = 0; actor[i]; i++)
			if ((unsigned char)actor[i] < 0x20 || actor[i] == 0x7f)
				return points_db__err(db, POINTS_EINVAL,
				    "%s: actor has a control character", what);
	}
	return POINTS_OK;
}

int
points_meta__set(points_db *db, points_entry_rec *e, const char *category,
    const char *actor)
{
	int rc;

	if (category && (rc = points_entry__ext_set(db, e,
	    POINTS_ENTRY_EXT_CATEGORY, category, strlen(category))))
		return rc;
	if (actor && (rc = points_entry__ext_set(db, e, POINTS_ENTRY_EXT_ACTOR,
	    actor, strlen(actor))))
		return rc;
	return POINTS_OK;
}

int
points_meta__party(points_db *db, const points_entry_rec *e, int64_t account,
    uint32_t *out)
{
	unsigned tag = e->from == account ? POINTS_ENTRY_EXT_FROM_PARTY :
	    POINTS_ENTRY_EXT_TO_PARTY;
	const void *v;
	size_t n;
	points_rd r;
	uint64_t id;

	*out = 0;
	if (points_entry__ext_get(e, tag, &v, &n) != POINTS_OK)
		return POINTS_OK;
	points_rd__init(&r, v, n);
	id = points_rd__uvar(&r);
	if (r.err || r.p != r.end || id == 0 || id > UINT32_MAX)
		return points_db__err(db, POINTS_ECORRUPT,
		    "entry %lld: party unreadable", (long long)e->seq);
	*out = (uint32_t)id;
	return POINTS_OK;
}
