/* policy.c - asset policies applied to postings: transferability and
 * the daily transfer counter; see policy.h. */
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "ledger/policy.h"

#define DAY_RECORD_V1 1

/* balance key (account << 16 | asset, be64) -> day, points sent */
points_ksdef points_policy__day_ks = { "xfer_day", POINTS_KS_INT64, 0 };
static points_ksdef *const keyspaces[] = { &points_policy__day_ks, NULL };
static points_module policy_module = {
	.name = "policy",
	.format = DAY_RECORD_V1,
	.keyspaces = keyspaces,
};
POINTS_MODULE(policy_module)

int
points_policy__prefetch(unsigned type, int64_t from,
    const points_asset_rec *a, points_policy_day *xd, points_getreq *r,
    size_t *n)
{
	int at;

	xd->want = 0;
	/* the policy's other fields only matter to transfers, the clearing
	 * date only to a year-end asset's new lots */
	if (type != POINTS_TXN_TRANSFER &&
	    a->a.expiry_policy != POINTS_EXPIRE_YEAR_END)
		return -1;
	at = (int)*n;
	points_asset__getreq(a, &r[(*n)++]);
	if (type == POINTS_TXN_TRANSFER &&
	    points_balance__key(from, a->id, xd->key)) {
		r[*n].ks = &points_policy__day_ks;
		r[*n].key = xd->key;
		r[*n].klen = 8;
		(*n)++;
		xd->want = 1;
	}
	return at;
}

int
points_policy__fetched(points_db *db, points_asset_rec *a,
    points_policy_day *xd, const points_getreq *r)
{
	points_rd rd;
	uint64_t day, sent;
	int rc;

	if ((rc = points_asset__fetched(db, a, r[0].rc, r[0].val, r[0].vlen)))
		return rc;
	xd->day = 0;
	xd->sent = 0;
	if (!xd->want || r[1].rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	points_rd__init(&rd, r[1].val, r[1].vlen);
	if (points_rd__u8(&rd) != DAY_RECORD_V1)
		rd.err = POINTS_ECORRUPT;
	day = points_rd__uvar(&rd);
	sent = points_rd__uvar(&rd);
	if (rd.err || rd.p != rd.end || day > UINT32_MAX || sent > INT64_MAX)
		return points_db__err(db, POINTS_ECORRUPT,
		    "asset %s: daily transfer counter of account %lld "
		    "unreadable", a->a.code,
		    (long long)(points_codec__get_be64(xd->key) >> 16));
	xd->day = (uint32_t)day;
	xd->sent = (int64_t)sent;
	return POINTS_OK;
}

int
points_policy__transfer_check(points_db *db, const points_asset_rec *a,
    const points_balance_rec *from, int64_t amount, points_policy_day *xd)
{
	char label[POINTS_EXTID_MAX + 2];
	int64_t today = points_db__day(db, points_db__time(db, 0));
	int64_t sent;

	if (a->a.flags & POINTS_ASSET_NO_TRANSFER)
		return points_db__err(db, POINTS_ESTATE,
		    "asset %s: its points may not be transferred (the asset's "
		    "policy)", a->a.code);
	if (today < 0 || today > (int64_t)UINT32_MAX)
		today = 0; /* off the calendar: one day for all */
	sent = xd->day == (uint32_t)today ? xd->sent : 0;
	if (a->a.transfer_limit && amount > a->a.transfer_limit - sent) {
		points_balance__label(db, from->account, label, sizeof(label));
		return points_db__err(db, POINTS_ELIMIT,
		    "account %s: daily transfer limit of asset %s: %lld a "
		    "day, %lld transferred today, needs %lld", label,
		    a->a.code, (long long)a->a.transfer_limit,
		    (long long)sent, (long long)amount);
	}
	xd->day = (uint32_t)today;
	/* without a limit the count may reach the top: it stays there */
	xd->sent = points_codec__add(&sent, amount) ? INT64_MAX : sent;
	return POINTS_OK;
}

int
points_policy__transfer_done(points_db *db, const points_policy_day *xd)
{
	if (!xd->want)
		return POINTS_OK;
	points_buf__reset(&db->vbuf);
	points_buf__u8(&db->vbuf, DAY_RECORD_V1);
	points_buf__uvar(&db->vbuf, xd->day);
	points_buf__uvar(&db->vbuf, (uint64_t)xd->sent);
	if (db->vbuf.err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	return points_db__put(db, &points_policy__day_ks, xd->key, 8,
	    db->vbuf.data, db->vbuf.len);
}
