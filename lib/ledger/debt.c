/* debt.c - debts in entries: the extension that says what an entry owes
 * and repays (debt.h has the rules; the debits that owe and the credits
 * that repay are in posting.c, the bytes in debtext.c). */

#include "points.h"
#include "core/db.h"
#include "ledger/debt.h"
#include "ledger/debtext.h"
#include "ledger/entry.h"

int
points_debt__note(points_db *db, points_entry_rec *e, int64_t owed,
    int64_t repaid)
{
	unsigned char v[POINTS_DEBTEXT_MAX];

	if (owed == 0 && repaid == 0)
		return POINTS_OK;
	return points_entry__ext_set(db, e, POINTS_ENTRY_EXT_DEBT, v,
	    points_debtext__encode(owed, repaid, v));
}

int
points_debt__of(points_db *db, const points_entry_rec *e, int64_t *owed,
    int64_t *repaid)
{
	const void *v;
	size_t len;

	*owed = *repaid = 0;
	if (points_entry__ext_get(e, POINTS_ENTRY_EXT_DEBT, &v, &len))
		return POINTS_OK;
	if (points_debtext__decode(v, len, e->type, e->amount, owed, repaid))
		return points_db__err(db, POINTS_ECORRUPT,
		    "entry %lld: debt record unreadable", (long long)e->seq);
	return POINTS_OK;
}
