/* trigger.c - account triggers (points/outbox.h): conditions on an
 * account's figures that the host defines, each told through the outbox
 * once per crossing, in the transaction of the change that causes it.
 *
 * A balance trigger needs no state per account: every change of a user
 * balance is written by points_balance__store, whose balance_storing
 * hook (core/module.h) sees the available points the record held
 * (stored_available) and those it will hold, so "from below the level
 * to the level or above" is a comparison, and falling below re-arms the
 * trigger by itself.  A tier trigger listens to the tier_changed hook.
 *
 * The handle caches the triggers, keyed on the rules' generation
 * (rules/rule.h), which every set and remove raises: an earn reads that
 * generation anyway (the tiers count what accounts earn), once a
 * transaction, so a ledger without triggers pays no read of its own;
 * a rise that is not an earn (a release, a transfer in) reads it once a
 * transaction; a fall reads nothing.
 *
 * Stored:
 *   trigger   name -> kind, asset (code and id), level, tier, updated */
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "core/iter.h"
#include "core/module.h"
#include "rules/rule.h"
#include "outbox/outbox.h"

#define TRIGGER_FORMAT 1
#define TRIGGER_V1 1

static points_ksdef trig_ks = { "trigger", POINTS_KS_ORDERED, 0 };
static points_ksdef *const keyspaces[] = { &trig_ks, NULL };

typedef struct trig {
	points_trigger t;
	uint32_t asset; /* _BALANCE: the asset's id */
} trig;

/* The handle's cache: the triggers of generation gen. */
struct trig_state {
	uint64_t gen;
	int loaded; /* t holds the triggers of gen */
	int fresh;  /* gen checked in this transaction */
	int n, nbalance, ntier;
	trig t[POINTS_TRIGGERS_MAX];
};

static void trig_txn_end(points_db *db, void *state, int committed);
static void trig_op_undone(points_db *db, void *state);
static int trig_storing(points_db *db, void *state, points_balance_rec *b);
static int trig_tier_changed(points_db *db, void *state, int64_t account,
    const char *from, const char *to);

static points_module trigger_module = {
	.name = "outbox_trigger",
	.format = TRIGGER_FORMAT,
	.keyspaces = keyspaces,
	.state_size = sizeof(struct trig_state),
	.txn_end = trig_txn_end,
	.op_undone = trig_op_undone,
	.balance_storing = trig_storing,
	.tier_changed = trig_tier_changed,
};
POINTS_MODULE(trigger_module)

/* A transaction ended: the next checks the generation again; what a
 * rolled-back one set is forgotten. */
static void
trig_txn_end(points_db *db, void *state, int committed)
{
	struct trig_state *s = state;

	(void)db;
	s->fresh = 0;
	if (!committed)
		s->loaded = 0;
}

/* An operation of a batch was undone: a trigger it set is gone. */
static void
trig_op_undone(points_db *db, void *state)
{
	struct trig_state *s = state;

	(void)db;
	s->fresh = 0;
	s->loaded = 0;
}

/* ---- Records ---- */

static int
decode(points_db *db, const void *k, size_t kl, const void *v, size_t vl,
    trig *out)
{
	points_rd r;

	memset(out, 0, sizeof(*out));
	if (kl == 0 || kl > POINTS_TRIGGER_NAME_MAX)
		return points_db__err(db, POINTS_ECORRUPT, "trigger: bad key");
	memcpy(out->t.name, k, kl);
	points_rd__init(&r, v, vl);
	if (points_rd__u8(&r) != TRIGGER_V1)
		r.err = POINTS_ECORRUPT;
	out->t.kind = (int)points_rd__u8(&r);
	points_rd__str(&r, out->t.asset, sizeof(out->t.asset));
	out->asset = (uint32_t)points_rd__uvar(&r);
	out->t.level = points_rd__svar(&r);
	points_rd__str(&r, out->t.tier, sizeof(out->t.tier));
	out->t.updated = points_rd__svar(&r);
	if (r.err || (out->t.kind != POINTS_TRIGGER_BALANCE &&
	    out->t.kind != POINTS_TRIGGER_TIER))
		return points_db__err(db, POINTS_ECORRUPT, "trigger '%s': "
		    "record unreadable", out->t.name);
	return POINTS_OK;
}

/* Read every trigger into s (the generation gen). */
static int
load_all(points_db *db, struct trig_state *s, uint64_t gen)
{
	points_cursor *c;
	int rc;

	s->loaded = 0;
	s->n = s->nbalance = s->ntier = 0;
	rc = db->store->cursor_open(db->store, db->ks[trig_ks.slot], NULL, 0,
	    NULL, 0, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "trigger");
	for (;;) {
		const void *k, *v;
		size_t kl, vl;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, "trigger");
			break;
		}
		if (s->n == POINTS_TRIGGERS_MAX) {
			rc = points_db__err(db, POINTS_ECORRUPT, "trigger: "
			    "more than %d", POINTS_TRIGGERS_MAX);
			break;
		}
		if ((rc = decode(db, k, kl, v, vl, &s->t[s->n])))
			break;
		if (s->t[s->n].t.kind == POINTS_TRIGGER_BALANCE)
			s->nbalance++;
		else
			s->ntier++;
		s->n++;
	}
	db->store->cursor_close(db->store, c);
	if (rc == POINTS_OK) {
		s->gen = gen;
		s->loaded = 1;
	}
	return rc;
}

/* The triggers as stored now, inside a transaction: one read when the
 * cache is of the stored generation. */
static int
load(points_db *db, struct trig_state *s)
{
	uint64_t gen;
	int rc;

	if (s->fresh)
		return POINTS_OK;
	if ((rc = points_rule__generation(db, &gen)))
		return rc;
	if ((!s->loaded || gen != s->gen) && (rc = load_all(db, s, gen)))
		return rc;
	s->fresh = 1;
	return POINTS_OK;
}

/* ---- The hooks ---- */

static int
trig_storing(points_db *db, void *state, points_balance_rec *b)
{
	struct trig_state *s = state;
	points_outbox_json j;
	points_asset_rec a;
	int i, rc;

	/* only a rise can cross a level upward: a spend, a hold or an
	 * expiry reads nothing */
	if (b->available <= b->stored_available)
		return POINTS_OK;
	if (!s->fresh && (rc = load(db, s)))
		return rc;
	if (!s->nbalance)
		return POINTS_OK;
	for (i = 0; i < s->n; i++) {
		const trig *t = &s->t[i];

		if (t->t.kind != POINTS_TRIGGER_BALANCE ||
		    t->asset != b->asset || b->stored_available >= t->t.level ||
		    b->available < t->t.level)
			continue;
		if ((rc = points_asset__by_id(db, b->asset, &a)))
			return rc;
		points_outbox__json_begin(&j);
		points_outbox__json_str(&j, "trigger", t->t.name);
		points_outbox__json_str(&j, "asset", a.a.code);
		points_outbox__json_int(&j, "level", t->t.level);
		points_outbox__json_int(&j, "balance", b->available);
		if ((rc = points_outbox__json_end(&j)) ||
		    (rc = points_outbox__append(db,
		    POINTS_OUTBOX_ACCOUNT_TRIGGER, t->t.name, b->account,
		    j.buf, NULL)))
			return rc;
	}
	return POINTS_OK;
}

static int
trig_tier_changed(points_db *db, void *state, int64_t account,
    const char *from, const char *to)
{
	struct trig_state *s = state;
	points_outbox_json j;
	int i, rc;

	if ((rc = load(db, s)) || !s->ntier)
		return rc;
	for (i = 0; i < s->n; i++) {
		const trig *t = &s->t[i];

		if (t->t.kind != POINTS_TRIGGER_TIER ||
		    (t->t.tier[0] && strcmp(t->t.tier, to) != 0))
			continue;
		points_outbox__json_begin(&j);
		points_outbox__json_str(&j, "trigger", t->t.name);
		points_outbox__json_str(&j, "from", from);
		points_outbox__json_str(&j, "to", to);
		if ((rc = points_outbox__json_end(&j)) ||
		    (rc = points_outbox__append(db,
		    POINTS_OUTBOX_ACCOUNT_TRIGGER, t->t.name, account, j.buf,
		    NULL)))
			return rc;
	}
	return POINTS_OK;
}

/* ---- Setting and removing ---- */

static int
set_in(points_db *db, trig *t, points_trigger *out)
{
	struct trig_state *s = points_db__state(db, &trigger_module);
	points_buf *b = &db->vbuf;
	points_asset_rec a;
	size_t kl = strlen(t->t.name);
	int i, rc, found = 0;

	if (t->t.kind == POINTS_TRIGGER_BALANCE) {
		if ((rc = points_asset__find(db, t->t.asset, &a)))
			return rc;
		t->asset = a.id;
	}
	/* the stored record of the name, read before anything is written
	 * (the cache may answer the rest without a store call) */
	{
		const void *v;
		size_t vl;

		rc = points_db__get(db, &trig_ks, t->t.name, kl, &v, &vl);
		if (rc && rc != POINTS_ENOTFOUND)
			return rc;
	}
	if ((rc = load(db, s)))
		return rc;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->t[i].t.name, t->t.name) == 0) {
			const trig *was = &s->t[i];

			found = 1;
			if (was->t.kind == t->t.kind &&
			    strcmp(was->t.asset, t->t.asset) == 0 &&
			    was->t.level == t->t.level &&
			    strcmp(was->t.tier, t->t.tier) == 0) {
				*out = was->t; /* as it is: nothing */
				return POINTS_OK;
			}
		}
	if (!found && s->n >= POINTS_TRIGGERS_MAX)
		return points_db__err(db, POINTS_ELIMIT, "trigger '%s': a "
		    "ledger has at most %d triggers", t->t.name,
		    POINTS_TRIGGERS_MAX);
	t->t.updated = points_db__time(db, 0);
	points_buf__reset(b);
	points_buf__u8(b, TRIGGER_V1);
	points_buf__u8(b, (unsigned)t->t.kind);
	points_buf__str(b, t->t.asset);
	points_buf__uvar(b, t->asset);
	points_buf__svar(b, t->t.level);
	points_buf__str(b, t->t.tier);
	points_buf__svar(b, t->t.updated);
	if (b->err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	if ((rc = points_db__put(db, &trig_ks, t->t.name, kl, b->data,
	    b->len)) || (rc = points_rule__bump(db)))
		return rc;
	s->fresh = 0;
	*out = t->t;
	return POINTS_OK;
}

POINTS_EXTERN int
points_trigger_set(points_db *db, const char *name, int kind,
    const char *asset, int64_t level, const char *tier, points_trigger *out)
{
	points_trigger r;
	trig t;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_rule__check_name(db, "trigger", name,
	    POINTS_TRIGGER_NAME_MAX)))
		return rc;
	memset(&t, 0, sizeof(t));
	strcpy(t.t.name, name);
	t.t.kind = kind;
	if (kind == POINTS_TRIGGER_BALANCE) {
		if ((rc = points_db__check_str(db, "asset", asset,
		    POINTS_ASSET_MAX, 1)))
			return rc;
		if (level <= 0)
			return points_db__err(db, POINTS_EINVAL, "trigger '%s': "
			    "the level must be positive (got %lld)", name,
			    (long long)level);
		if (tier && *tier)
			return points_db__err(db, POINTS_EINVAL, "trigger '%s': "
			    "a balance trigger has no tier (got '%s')", name,
			    tier);
		strcpy(t.t.asset, asset);
		t.t.level = level;
	} else if (kind == POINTS_TRIGGER_TIER) {
		if ((rc = points_db__check_str(db, "tier", tier,
		    POINTS_TIER_MAX, 0)))
			return rc;
		if ((asset && *asset) || level)
			return points_db__err(db, POINTS_EINVAL, "trigger '%s': "
			    "a tier trigger has no asset and no level", name);
		if (tier)
			strcpy(t.t.tier, tier);
	} else {
		return points_db__err(db, POINTS_EINVAL, "trigger '%s': kind "
		    "must be POINTS_TRIGGER_BALANCE or POINTS_TRIGGER_TIER "
		    "(got %d)", name, kind);
	}
	if ((rc = points_db__write_begin(db)))
		return rc;
	rc = points_db__write_end(db, set_in(db, &t, &r));
	if (rc == POINTS_OK)
		*out = r;
	return rc;
}

static int
remove_in(points_db *db, const char *name)
{
	struct trig_state *s = points_db__state(db, &trigger_module);
	const void *v;
	size_t vl;
	int rc;

	rc = points_db__get(db, &trig_ks, name, strlen(name), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, rc, "trigger '%s' not found", name);
	if (rc || (rc = points_db__del(db, &trig_ks, name, strlen(name))) ||
	    (rc = points_rule__bump(db)))
		return rc;
	s->fresh = 0;
	return POINTS_OK;
}

POINTS_EXTERN int
points_trigger_remove(points_db *db, const char *name)
{
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if ((rc = points_rule__check_name(db, "trigger", name,
	    POINTS_TRIGGER_NAME_MAX)) || (rc = points_db__write_begin(db)))
		return rc;
	return points_db__write_end(db, remove_in(db, name));
}

/* ---- The list ---- */

#define TRIG_BUF 16

struct points_trigger_iterator {
	points_iter base;
	char pos[POINTS_TRIGGER_NAME_MAX + 1]; /* the last name given */
	points_trigger buf[TRIG_BUF];
};

static int list_fill(points_iter *base);
static const points_iter_type list_type = POINTS_ITER_TYPE(
    "trigger iterator", struct points_trigger_iterator, pos, list_fill,
    NULL);

static int
list_fill(points_iter *base)
{
	struct points_trigger_iterator *it = (void *)base;
	points_db *db = base->db;
	unsigned char lo[POINTS_TRIGGER_NAME_MAX + 1];
	size_t lol = strlen(it->pos);
	points_cursor *c;
	int rc;

	/* after the last name: it with a 0 appended */
	memcpy(lo, it->pos, lol);
	lo[lol] = 0;
	rc = db->store->cursor_open(db->store, db->ks[trig_ks.slot], lo,
	    lol ? lol + 1 : 0, NULL, 0, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "trigger");
	while (base->n < TRIG_BUF) {
		const void *k, *v;
		size_t kl, vl;
		trig t;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			base->done = 1;
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, "trigger");
			break;
		}
		if ((rc = decode(db, k, kl, v, vl, &t)))
			break;
		strcpy(it->pos, t.t.name);
		it->buf[base->n++] = t.t;
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

POINTS_EXTERN int
points_trigger_iterator_new(points_db *db, points_trigger_iterator **out)
{
	points_iter *base;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_iter__new(db, &list_type,
	    sizeof(struct points_trigger_iterator), &base)))
		return rc;
	*out = (points_trigger_iterator *)(void *)base;
	return POINTS_OK;
}

POINTS_EXTERN int
points_trigger_next(points_trigger_iterator *it, points_trigger *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &list_type, out);

	if (rc == POINTS_OK)
		*out = it->buf[it->base.i++];
	return rc;
}

POINTS_EXTERN void
points_trigger_iterator_free(points_trigger_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
