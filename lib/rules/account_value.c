/* account_value.c - an account as the expressions of rules and grants
 * see it (account_value.h). */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "util/calendar.h"
#include "util/codec.h"
#include "core/db.h"
#include "rules/account_value.h"

static void
entry(points_cel_entry *e, const char *k, points_cel_value v)
{
	e->key = points_cel__str(k);
	e->value = v;
}

/* An attribute "YYYY-MM-DD" (or "MM-DD" for a birthday): its parts. */
static int
parse_date(const char *s, size_t n, int64_t *y, int *m, int *d)
{
	char buf[16];
	int yy = 0, mm, dd;
	points_civil c;

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (n == 10 && sscanf(buf, "%4d-%2d-%2d", &yy, &mm, &dd) == 3)
		;
	else if (n == 5 && sscanf(buf, "%2d-%2d", &mm, &dd) == 2)
		yy = 0;
	else
		return -1;
	if (mm < 1 || mm > 12 || dd < 1 || dd > 31)
		return -1;
	/* a day the month has (a birthday without its year: Feb 29 is one) */
	c = points_cal__civil(points_cal__days(yy ? yy : 2000, (unsigned)mm,
	    (unsigned)dd));
	if (c.day != (unsigned)dd)
		return -1;
	*y = yy;
	*m = mm;
	*d = dd;
	return 0;
}

int
points_rule__account_value(points_db *db, const points_account *a,
    const points_buf *abuf, int64_t today, points_rule_account *v)
{
	points_cel_entry *fields = v->fields;
	points_rd r;
	size_t n = 0, na = 0;
	int bday = 0, hired = 0;

	/* the attributes: entries pointing into abuf */
	points_rd__init(&r, abuf->data, abuf->len);
	while (r.p < r.end && !r.err) {
		const char *k, *s;
		size_t kl, sl;
		points_cel_entry *e;
		int64_t y;
		int m, d;

		points_rd__strref(&r, &k, &kl);
		points_rd__strref(&r, &s, &sl);
		if (r.err)
			break;
		if (na == v->aentcap) {
			size_t nc = v->aentcap ? v->aentcap * 2 : 16;
			void *p = points_alloc__realloc(v->aents,
			    nc * sizeof(*v->aents));

			if (!p)
				return points_db__err(db, POINTS_ENOMEM,
				    "out of memory");
			v->aents = p;
			v->aentcap = nc;
		}
		e = &v->aents[na++];
		e->key.type = e->value.type = POINTS_CEL_STRING;
		e->key.u.s.p = k;
		e->key.u.s.n = kl;
		e->value.u.s.p = s;
		e->value.u.s.n = sl;
		if (!bday && kl == 8 && memcmp(k, "birthday", 8) == 0 &&
		    parse_date(s, sl, &y, &m, &d) == 0) {
			bday = 1;
			entry(&fields[n++], "birth_month", points_cel__int(m));
			entry(&fields[n++], "birth_day", points_cel__int(d));
		} else if (!hired && kl == 9 &&
		    memcmp(k, "hire_date", 9) == 0 && sl == 10 &&
		    parse_date(s, sl, &y, &m, &d) == 0) {
			hired = 1;
			entry(&fields[n++], "tenure_days",
			    points_cel__int(today - points_cal__days(y,
			    (unsigned)m, (unsigned)d)));
		}
	}
	if (r.err)
		return points_db__err(db, POINTS_ECORRUPT, "account %lld: "
		    "attributes unreadable", (long long)a->id);
	v->naents = na;
	entry(&fields[n++], "id", points_cel__int(a->id));
	entry(&fields[n++], "external_id", points_cel__str(a->external_id));
	entry(&fields[n++], "tier", points_cel__str(a->tier));
	entry(&fields[n++], "department", points_cel__str(a->department));
	entry(&fields[n++], "created_at", points_cel__int(a->created_at));
	fields[n].key = points_cel__str("attrs");
	fields[n].value.type = POINTS_CEL_MAP;
	fields[n].value.u.map.e = v->aents;
	fields[n].value.u.map.n = na;
	v->nfields = n + 1;
	return POINTS_OK;
}

void
points_rule__account_free(points_rule_account *v)
{
	points_alloc__free(v->aents);
	v->aents = NULL;
	v->naents = v->aentcap = 0;
}
