/* balances.c - the user accounts' balance records of one asset
 * (balances.h). */
#include <string.h>

#include "points.h"
#include "core/balance.h"
#include "core/db.h"
#include "report/balances.h"

/* Keys a chunk holds: the cursor is closed before the records are
 * read, as other reads must not run under it. */
#define CHUNK 256

int
points_report__balances(points_db *db, uint32_t asset,
    points_report__visit_fn visit, void *arg)
{
	unsigned char keys[CHUNK * 8], lo[8];
	size_t n, i, j;
	int started = 0, rc;

	do {
		rc = points_db__collect_keys(db, &points_balance__ks,
		    started ? lo : NULL, started ? 8 : 0, NULL, 0, 8, keys,
		    CHUNK, &n);
		for (i = 0; rc == POINTS_OK && i < n; i++) {
			points_balance_rec b;
			int64_t account;
			uint32_t a;

			points_balance__key_parse(keys + i * 8, &account, &a);
			if (a != asset)
				continue;
			points_balance__init(&b, account, a, 0);
			rc = points_balance__load(db, &b);
			if (rc == POINTS_OK && !b.system)
				rc = points_balance__load_spilled(db, &b, 0, 0);
			if (rc == POINTS_OK && !b.system)
				rc = visit(db, &b, arg);
			points_balance__free(&b);
		}
		if (rc || n < CHUNK)
			break;
		/* the next chunk starts just past the last key */
		memcpy(lo, keys + (n - 1) * 8, 8);
		for (j = 8; j > 0 && ++lo[j - 1] == 0; j--)
			;
		started = 1;
		if (j == 0)
			break;
	} while (1);
	return rc;
}
