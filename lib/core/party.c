/* party.c - (department, tier) pairs under small ids; see party.h.
 * Record: version, department, tier.  Key: the id, be64.  Index key:
 * the department and tier as length-prefixed strings. */
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "core/db.h"
#include "core/party.h"

#define PARTY_RECORD_V1 1

points_ksdef points_party__ks = { "party", 0, 0 };
points_ksdef points_party__name_ks = { "partyname", 0, 0 };
static points_ksdef *const keyspaces[] = {
	&points_party__ks, &points_party__name_ks, NULL,
};
static points_module party_module = {
	.name = "party",
	.format = PARTY_RECORD_V1,
	.keyspaces = keyspaces,
};
POINTS_MODULE(party_module)

static void
pair(points_buf *b, const char *department, const char *tier)
{
	points_buf__reset(b);
	points_buf__str(b, department);
	points_buf__str(b, tier);
}

int
points_party__intern(points_db *db, const char *department, const char *tier,
    uint32_t *out)
{
	unsigned char k[8];
	points_buf name, rec;
	const void *v;
	size_t vl;
	int64_t last;
	int rc;

	if ((!department || !*department) && (!tier || !*tier)) {
		*out = 0;
		return POINTS_OK;
	}
	points_buf__init(&name);
	points_buf__init(&rec);
	pair(&name, department, tier);
	if (name.err) {
		rc = points_db__err(db, POINTS_ENOMEM, "out of memory");
		goto done;
	}
	rc = points_db__get(db, &points_party__name_ks, name.data, name.len,
	    &v, &vl);
	if (rc == POINTS_OK) {
		uint64_t id = vl == 8 ? points_codec__get_be64(v) : 0;

		if (id == 0 || id > UINT32_MAX)
			rc = points_db__err(db, POINTS_ECORRUPT,
			    "department %s, tier %s: index entry unreadable",
			    department ? department : "", tier ? tier : "");
		else
			*out = (uint32_t)id;
		goto done;
	}
	if (rc != POINTS_ENOTFOUND)
		goto done;
	if ((rc = points_db__last_key64(db, &points_party__ks, &last)))
		goto done;
	if (last >= (int64_t)UINT32_MAX) {
		rc = points_db__err(db, POINTS_ELIMIT, "department %s, tier "
		    "%s: too many distinct departments and tiers",
		    department ? department : "", tier ? tier : "");
		goto done;
	}
	points_codec__put_be64(k, (uint64_t)last + 1);
	points_buf__u8(&rec, PARTY_RECORD_V1);
	points_buf__bytes(&rec, name.data, name.len);
	if (rec.err) {
		rc = points_db__err(db, POINTS_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = points_db__put(db, &points_party__ks, k, 8, rec.data,
	    rec.len)) ||
	    (rc = points_db__put(db, &points_party__name_ks, name.data,
	    name.len, k, 8)))
		goto done;
	*out = (uint32_t)(last + 1);
done:
	points_buf__free(&name);
	points_buf__free(&rec);
	return rc;
}

int
points_party__load(points_db *db, uint32_t id,
    char department[POINTS_DEPT_MAX + 1], char tier[POINTS_TIER_MAX + 1])
{
	unsigned char k[8];
	const void *v;
	size_t vl;
	points_rd r;
	int rc;

	department[0] = tier[0] = '\0';
	if (id == 0)
		return POINTS_OK;
	points_codec__put_be64(k, id);
	rc = points_db__get(db, &points_party__ks, k, 8, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, POINTS_ECORRUPT,
		    "party %u is missing", (unsigned)id);
	if (rc)
		return rc;
	points_rd__init(&r, v, vl);
	if (points_rd__u8(&r) != PARTY_RECORD_V1)
		r.err = POINTS_ECORRUPT;
	points_rd__str(&r, department, POINTS_DEPT_MAX + 1);
	points_rd__str(&r, tier, POINTS_TIER_MAX + 1);
	if (r.err || r.p != r.end)
		return points_db__err(db, POINTS_ECORRUPT,
		    "party %u: record unreadable", (unsigned)id);
	return POINTS_OK;
}
