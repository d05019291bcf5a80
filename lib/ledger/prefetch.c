/* prefetch.c - see prefetch.h.  A posting's reads are known before it
 * starts (its idempotency record, its two balances, the log's tail), so
 * a store with get_many serves them in one round trip: over a network,
 * that is most of what a posting waits for inside the writer lock. */
#include <string.h>

#include "points.h"
#include "core/balance.h"
#include "core/db.h"
#include "ledger/entry.h"
#include "ledger/idem.h"
#include "ledger/prefetch.h"

int
points_ledger__prefetch(points_db *db, const char *key,
    const unsigned char hash[16], points_txn *replay, points_bal *from,
    points_bal *to)
{
	unsigned char kf[8], kt[8], ktail[8];
	points_getreq r[4];
	int ri = -1, rf = -1, rt = -1, rtail = -1, n = 0, rc;
	int64_t seq = 0;

	memset(r, 0, sizeof(r));
	if (key) {
		r[n].ks = &points_ledger__idem_ks;
		r[n].key = key;
		r[n].klen = strlen(key);
		ri = n++;
	}
	/* Ids no balance can have are not read: such a balance is new,
	 * and the party check then finds no account. */
	if (points_balance__key(from->account, from->asset, kf)) {
		r[n].ks = &points_balance__ks;
		r[n].key = kf;
		r[n].klen = 8;
		rf = n++;
	}
	if (to != from && points_balance__key(to->account, to->asset, kt)) {
		r[n].ks = &points_balance__ks;
		r[n].key = kt;
		r[n].klen = 8;
		rt = n++;
	}
	if (points_ledger__tail_probe(db, ktail)) {
		r[n].ks = &points_ledger__entry_ks;
		r[n].key = ktail;
		r[n].klen = 8;
		rtail = n++;
	}
	if ((rc = points__get_many(db, r, (size_t)n)))
		return rc;
	/* Every value is decoded before the next store call, which may
	 * reuse the memory the values are in. */
	if (ri >= 0 && (rc = points_ledger__idem_fetched(db, key, hash,
	    r[ri].rc, r[ri].val, r[ri].vlen, &seq)) != POINTS_OK) {
		if (rc == POINTS_ITEROVER)
			rc = points_ledger__idem_replay(db, seq, replay);
		return rc;
	}
	if (rtail >= 0)
		points_ledger__tail_probed(db, r[rtail].rc);
	if (rf >= 0 && (rc = points_balance__fetched(db, from, r[rf].rc,
	    r[rf].val, r[rf].vlen)))
		return rc;
	if (rt >= 0 && (rc = points_balance__fetched(db, to, r[rt].rc,
	    r[rt].val, r[rt].vlen)))
		return rc;
	return POINTS_OK;
}
