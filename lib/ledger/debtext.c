/* debtext.c - the bytes of an entry's debt extension; see debtext.h. */
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "ledger/debtext.h"

size_t
points_debtext__encode(int64_t owed, int64_t repaid,
    unsigned char out[POINTS_DEBTEXT_MAX])
{
	points_buf b;
	size_t n;

	/* two varints fit the buffer's own storage: no allocation */
	points_buf__init(&b);
	points_buf__uvar(&b, (uint64_t)owed);
	points_buf__uvar(&b, (uint64_t)repaid);
	n = b.len;
	memcpy(out, b.data, n);
	points_buf__free(&b);
	return n;
}

int
points_debtext__decode(const void *v, size_t len, int type, int64_t amount,
    int64_t *owed, int64_t *repaid)
{
	points_rd r;
	uint64_t o, p;

	points_rd__init(&r, v, len);
	o = points_rd__uvar(&r);
	p = points_rd__uvar(&r);
	if (r.err || r.p != r.end || (o == 0 && p == 0) || amount < 0 ||
	    o > (uint64_t)amount || p > (uint64_t)amount ||
	    (o && type != POINTS_TXN_REVERSAL && type >= POINTS_TXN_EARN &&
	    type <= POINTS_TXN_FORFEIT) || (p && type == POINTS_TXN_HOLD))
		return POINTS_ECORRUPT;
	*owed = (int64_t)o;
	*repaid = (int64_t)p;
	return POINTS_OK;
}
