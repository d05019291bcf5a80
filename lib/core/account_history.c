/* account_history.c - accounts' changes, appended with time, actor and
 * reason; see account_history.h. */
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "core/account.h"
#include "core/account_history.h"
#include "core/db.h"
#include "core/iter.h"

#define HISTORY_RECORD_V1 1

points_ksdef points_account_history__ks = { "acchist", 0, 0 };
static points_ksdef *const keyspaces[] = {
	&points_account_history__ks, NULL,
};
static points_module history_module = {
	.name = "history",
	.format = HISTORY_RECORD_V1,
	.keyspaces = keyspaces,
};
POINTS_MODULE(history_module)

int
points_account_history__check(points_db *db, const char *actor,
    const char *reason)
{
	size_t i;
	int rc;

	if (actor) {
		if ((rc = points_db__check_str(db, "actor", actor,
		    POINTS_ACTOR_MAX, 1)))
			return rc;
		for (i = 0; actor[i]; i++)
			if ((unsigned char)actor[i] < 0x20 || actor[i] == 0x7f)
				return points_db__err(db, POINTS_EINVAL,
				    "actor has a control character");
	}
	return points_db__check_str(db, "reason", reason, POINTS_REASON_MAX,
	    0);
}

/* The number of account's last change, 0 when none. */
static int
last_change(points_db *db, int64_t account, int64_t *out)
{
	unsigned char lo[8], hi[8];
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	int rc;

	points_codec__put_be64(lo, (uint64_t)account);
	points_codec__put_be64(hi, (uint64_t)account + 1);
	rc = db->store->cursor_open(db->store,
	    db->ks[points_account_history__ks.slot], lo, 8, hi, 8, 1, &c);
	if (rc)
		return points_db__store_err(db, rc, "acchist");
	rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
	if (rc == POINTS_ITEROVER) {
		*out = 0;
		rc = POINTS_OK;
	} else if (rc == POINTS_OK) {
		if (kl != 16)
			rc = points_db__err(db, POINTS_ECORRUPT, "history of "
			    "account %lld: key unreadable", (long long)account);
		else
			*out = (int64_t)points_codec__get_be64(
			    (const unsigned char *)k + 8);
	} else {
		rc = points_db__store_err(db, rc, "acchist");
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

int
points_account_history__add(points_db *db, int64_t account, int64_t *last,
    int field, const char *old_value, const char *new_value,
    const char *actor, const char *reason)
{
	unsigned char k[16];
	points_buf b;
	int rc;

	if (*last < 0 && (rc = last_change(db, account, last)))
		return rc;
	points_codec__put_be64(k, (uint64_t)account);
	points_codec__put_be64(k + 8, (uint64_t)*last + 1);
	points_buf__init(&b);
	points_buf__u8(&b, HISTORY_RECORD_V1);
	points_buf__svar(&b, points_db__time(db, 0));
	points_buf__u8(&b, (unsigned)field);
	points_buf__str(&b, old_value);
	points_buf__str(&b, new_value);
	points_buf__str(&b, actor);
	points_buf__str(&b, reason);
	rc = b.err ? points_db__err(db, POINTS_ENOMEM, "out of memory") :
	    points_db__put(db, &points_account_history__ks, k, sizeof(k),
	    b.data, b.len);
	points_buf__free(&b);
	if (rc == POINTS_OK)
		++*last;
	return rc;
}

static int
decode(points_db *db, const void *k, size_t kl, const void *v, size_t vl,
    points_account_change *out)
{
	points_rd r;

	memset(out, 0, sizeof(*out));
	if (kl != 16)
		return points_db__err(db, POINTS_ECORRUPT,
		    "account history: key unreadable");
	out->account = (int64_t)points_codec__get_be64(k);
	out->seq = (int64_t)points_codec__get_be64((const unsigned char *)k +
	    8);
	points_rd__init(&r, v, vl);
	if (points_rd__u8(&r) != HISTORY_RECORD_V1)
		r.err = POINTS_ECORRUPT;
	out->time = points_rd__svar(&r);
	out->field = (int)points_rd__u8(&r);
	points_rd__str(&r, out->old_value, sizeof(out->old_value));
	points_rd__str(&r, out->new_value, sizeof(out->new_value));
	points_rd__str(&r, out->actor, sizeof(out->actor));
	points_rd__str(&r, out->reason, sizeof(out->reason));
	if (r.err || r.p != r.end || out->field < POINTS_CHANGE_DEPARTMENT ||
	    out->field > POINTS_CHANGE_ERASE)
		return points_db__err(db, POINTS_ECORRUPT, "history of account "
		    "%lld: change %lld unreadable", (long long)out->account,
		    (long long)out->seq);
	return POINTS_OK;
}

/* ---- Iteration: a chunk of changes per read transaction ---- */

struct points_account_history_iterator {
	points_iter base;
	unsigned char pos[16]; /* the next key to read */
	int64_t account;       /* 0: every account */
	points_account_change buf[POINTS_ITER_CHUNK];
};

static int history_fill(points_iter *base);
static const points_iter_type history_iter_type = POINTS_ITER_TYPE(
    "account history iterator", struct points_account_history_iterator,
    pos, history_fill, NULL);

static int
history_fill(points_iter *base)
{
	struct points_account_history_iterator *it = (void *)base;
	points_db *db = base->db;
	unsigned char hi[8];
	points_cursor *c;
	int rc;

	points_codec__put_be64(hi, (uint64_t)it->account + 1);
	rc = db->store->cursor_open(db->store,
	    db->ks[points_account_history__ks.slot], it->pos, 16,
	    it->account ? hi : NULL, it->account ? 8 : 0, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "acchist");
	while (base->n < POINTS_ITER_CHUNK) {
		const void *k, *v;
		size_t kl, vl;
		points_account_change *out = &it->buf[base->n];

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			base->done = 1;
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, "acchist");
			break;
		}
		if ((rc = decode(db, k, kl, v, vl, out)))
			break;
		base->n++;
		/* the next key: this one's number + 1 */
		points_codec__put_be64(it->pos, (uint64_t)out->account);
		points_codec__put_be64(it->pos + 8, (uint64_t)out->seq + 1);
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

POINTS_EXTERN int
points_account_history_iterator_new(points_db *db, int64_t account,
    points_account_history_iterator **out)
{
	points_iter *base;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if (account < 0)
		return points_db__err(db, POINTS_EINVAL, "bad account %lld",
		    (long long)account);
	if (account > 0) {
		points_account a;

		if ((rc = points_db__read_begin(db)))
			return rc;
		rc = points_account__load(db, account, &a);
		points_db__read_end(db);
		if (rc)
			return rc;
	}
	if ((rc = points_iter__new(db, &history_iter_type,
	    sizeof(struct points_account_history_iterator), &base)))
		return rc;
	*out = (points_account_history_iterator *)(void *)base;
	(*out)->account = account;
	points_codec__put_be64((*out)->pos, (uint64_t)account);
	return POINTS_OK;
}

POINTS_EXTERN int
points_account_history_next(points_account_history_iterator *it,
    points_account_change *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &history_iter_type,
	    out);

	if (rc == POINTS_OK)
		*out = it->buf[it->base.i++];
	return rc;
}

POINTS_EXTERN void
points_account_history_iterator_free(points_account_history_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
