/* period.c - the entries of a time range and the reports' periods
 * (period.h). */
#include <string.h>

#include "points.h"
#include "util/calendar.h"
#include "util/codec.h"
#include "core/account.h"
#include "core/db.h"
#include "ledger/entry.h"
#include "report/period.h"

#define KEY_CHUNK 256

int64_t
points_report__period(points_db *db, int period, int64_t from, int64_t t)
{
	int64_t day = points_db__day(db, t), start;
	points_civil c;

	switch (period) {
	case POINTS_PERIOD_DAY:
		start = day;
		break;
	case POINTS_PERIOD_WEEK:
		start = points_cal__week_start(day);
		break;
	case POINTS_PERIOD_MONTH:
		c = points_cal__civil(day);
		start = points_cal__days(c.year, c.month, 1);
		break;
	case POINTS_PERIOD_YEAR:
		c = points_cal__civil(day);
		start = points_cal__days(c.year, 1, 1);
		break;
	default:
		return from;
	}
	return start * 86400 - db->utc_offset;
}

int
points_report__is_user(points_db *db, points_report__users *c,
    int64_t account, int *out)
{
	size_t slot = (size_t)account % POINTS_REPORT_USERS_CACHE;
	points_account a;
	int rc;

	if (c->id[slot] != account || !c->kind[slot]) {
		if ((rc = points_account__load(db, account, &a)))
			return rc;
		c->id[slot] = account;
		c->kind[slot] = (a.flags & POINTS_ACCOUNT_SYSTEM) ? 1 : 2;
	}
	*out = c->kind[slot] == 2;
	return POINTS_OK;
}

int
points_report__entries(points_db *db, uint32_t asset, int64_t from,
    int64_t to, points_report__entry_fn fn, void *arg)
{
	unsigned char keys[KEY_CHUNK * POINTS_ENTRY_TIME_KEY_LEN];
	unsigned char lo[POINTS_ENTRY_TIME_KEY_LEN], hi[8], b[8];
	size_t lolen, n, i, j;
	int has_hi = 0, rc;
	points_entry_rec e;

	points_codec__put_be64(b, points_entry__time_bucket(from));
	memcpy(lo, b + 2, 6);
	lolen = 6;
	if (to) {
		uint64_t last = points_entry__time_bucket(to - 1);

		if (last + 1 < UINT64_C(1) << 48) {
			points_codec__put_be64(b, last + 1);
			memcpy(hi, b + 2, 6);
			has_hi = 1;
		}
	}
	points_entry__init(&e, 0, 0, 0);
	do {
		rc = points_db__collect_keys(db, &points_entry__time_ks, lo,
		    lolen, has_hi ? hi : NULL, has_hi ? 6 : 0,
		    POINTS_ENTRY_TIME_KEY_LEN, keys, KEY_CHUNK, &n);
		for (i = 0; rc == POINTS_OK && i < n; i++) {
			const unsigned char *k = keys +
			    i * POINTS_ENTRY_TIME_KEY_LEN;
			int64_t account, time, seq;
			uint32_t a;

			if (!points_entry__time_key_parse(k,
			    POINTS_ENTRY_TIME_KEY_LEN, &account, &a, &time,
			    &seq)) {
				rc = points_db__err(db, POINTS_ECORRUPT,
				    "time index: key unreadable");
				break;
			}
			if (a != asset || time < from || (to && time >= to))
				continue;
			if ((rc = points_entry__load(db, seq, &e)))
				break;
			/* each entry once: at its credited account's key */
			if (e.to == account)
				rc = fn(db, &e, arg);
		}
		if (rc || n < KEY_CHUNK)
			break;
		/* the next chunk starts just past the last key */
		memcpy(lo, keys + (n - 1) * POINTS_ENTRY_TIME_KEY_LEN,
		    POINTS_ENTRY_TIME_KEY_LEN);
		lolen = POINTS_ENTRY_TIME_KEY_LEN;
		for (j = lolen; j > 0 && ++lo[j - 1] == 0; j--)
			;
		if (j == 0)
			break;
	} while (1);
	points_entry__free(&e);
	return rc;
}
