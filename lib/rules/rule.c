/* rule.c - rules and their versions, the tier table, and the handle's
 * compiled copy of both (rule.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "util/codec.h"
#include "core/asset.h"
#include "core/db.h"
#include "core/iter.h"
#include "core/module.h"
#include "ledger/meta.h"
#include "ledger/write.h"
#include "rules/cel.h"
#include "rules/rule.h"

/* 2: a version may be a record of version 2 (pending days), which
 * format 1 cannot read; a ledger of format 1 has none.
 * 3: a tier may be a record of version 2 (a qualification), which
 * format 2 cannot read; a ledger of format 2 has none. */
#define RULE_FORMAT 3
#define RULE_HEAD_V1 1
#define RULE_VERSION_V1 1
/* Version 2 adds pending_days after the expressions; written only for
 * a rule with pending points, so the others stay version 1. */
#define RULE_VERSION_V2 2
#define TIER_V1 1
/* Version 2 adds the qualification; written only for a tier that has
 * one, so the others stay version 1. */
#define TIER_V2 2

static points_ksdef rule_ks = { "rule", 0, 0 };
static points_ksdef rulever_ks = { "rulever", 0, 0 };
static points_ksdef tier_ks = { "tier", 0, 0 };
static points_ksdef *const keyspaces[] = { &rule_ks, &rulever_ks, &tier_ks,
	NULL };

/* The key of the last number and the generation: no name has it. */
static const char meta_key[1] = { 0 };

static const char *const var_names[POINTS_RULE__NVARS] = {
	"event", "account",
};
/* The fields of event and account, as event.c's activation has them
 * (points-rules(7)): a rule naming another is refused when saved. */
static const points_cel_field event_fields[] = {
	{ "id", POINTS_CEL_STRING, NULL },
	{ "type", POINTS_CEL_STRING, NULL },
	{ "account", POINTS_CEL_INT, NULL },
	{ "time", POINTS_CEL_INT, NULL },
	{ "amount", POINTS_CEL_INT, NULL },
	{ "attrs", POINTS_CEL_MAP, NULL },
	{ NULL, POINTS_CEL_NULL, NULL }
};
static const points_cel_field account_fields[] = {
	{ "id", POINTS_CEL_INT, NULL },
	{ "external_id", POINTS_CEL_STRING, NULL },
	{ "tier", POINTS_CEL_STRING, NULL },
	{ "department", POINTS_CEL_STRING, NULL },
	{ "created_at", POINTS_CEL_INT, NULL },
	{ "attrs", POINTS_CEL_MAP, NULL },
	{ "birth_month", POINTS_CEL_INT, NULL },
	{ "birth_day", POINTS_CEL_INT, NULL },
	{ "tenure_days", POINTS_CEL_INT, NULL },
	{ NULL, POINTS_CEL_NULL, NULL }
};
static const points_cel_field var_types[POINTS_RULE__NVARS] = {
	{ "event", POINTS_CEL_MAP, event_fields },
	{ "account", POINTS_CEL_MAP, account_fields },
};
const points_cel_decls points_rule__decls = { var_names,
	POINTS_RULE__NVARS, var_types };
/* Versions saved before the fields were known load untyped. */
static const points_cel_decls untyped_decls = { var_names,
	POINTS_RULE__NVARS, NULL };

static const char *const expr_names[POINTS_RULE__NEXPR] = {
	"condition", "points", "beneficiary", "cap_key",
};

static void rules_close(points_db *db, void *state);
static void rules_txn_end(points_db *db, void *state, int committed);
static void rules_op_undone(points_db *db, void *state);
static int rules_ahead(points_db *db, void *state, unsigned type,
    points_getreq *r);
static int rules_ahead_got(points_db *db, void *state,
    const points_getreq *r);
static points_module rule_module = {
	.name = "rule",
	.format = RULE_FORMAT,
	.keyspaces = keyspaces,
	.state_size = sizeof(points_rules_set),
	.close = rules_close,
	.txn_end = rules_txn_end,
	.op_undone = rules_op_undone,
	.earning = points_tier__earning,
	.earned = points_tier__earned,
	.ahead = rules_ahead,
	.ahead_got = rules_ahead_got,
};
POINTS_MODULE(rule_module)

/* ---- The handle's copy ---- */

/* A transaction ended: the next reads the generation again (another
 * handle may raise it in between). */
static void
rules_txn_end(points_db *db, void *state, int committed)
{
	points_rules_set *s = state;

	(void)db;
	(void)committed;
	s->txn_fresh = 0;
}

/* An operation of a batch was undone: a generation it raised is gone. */
static void
rules_op_undone(points_db *db, void *state)
{
	points_rules_set *s = state;

	(void)db;
	s->txn_fresh = 0;
}

static void
free_versions(points_rule_ver *v, size_t n)
{
	size_t i;
	int k;

	for (i = 0; i < n; i++)
		for (k = 0; k < POINTS_RULE__NEXPR; k++) {
			points_alloc__free(v[i].src[k]);
			points_cel__free(v[i].prog[k]);
		}
	points_alloc__free(v);
}

static void
set_clear(points_rules_set *s)
{
	free_versions(s->v, s->n);
	points_alloc__free(s->tiers);
	memset(s, 0, sizeof(*s));
}

static void
rules_close(points_db *db, void *state)
{
	(void)db;
	set_clear(state);
}

int
points_rule__check_name(points_db *db, const char *what, const char *s,
    size_t max)
{
	size_t i;

	if (!s || !*s)
		return points_db__err(db, POINTS_EINVAL, "%s is required", what);
	for (i = 0; s[i]; i++) {
		char c = s[i];

		if (i >= max)
			return points_db__err(db, POINTS_EINVAL, "%s is too "
			    "long (at most %zu bytes)", what, max);
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '.' || c == '-'))
			return points_db__err(db, POINTS_EINVAL, "%s '%s': "
			    "only a-z, 0-9, '_', '.' and '-'", what, s);
	}
	return POINTS_OK;
}

/* ---- Records ---- */

static void
encode_version(points_buf *b, const points_rule *r,
    char *const src[POINTS_RULE__NEXPR])
{
	int k;

	points_buf__reset(b);
	points_buf__u8(b, r->pending_days ? RULE_VERSION_V2 : RULE_VERSION_V1);
	points_buf__svar(b, r->time);
	points_buf__str(b, r->name);
	points_buf__str(b, r->event_type);
	points_buf__u8(b, (unsigned)r->state);
	points_buf__svar(b, r->priority);
	points_buf__uvar(b, r->flags);
	points_buf__str(b, r->asset);
	points_buf__str(b, r->category);
	points_buf__svar(b, r->active_from);
	points_buf__svar(b, r->active_until);
	points_buf__svar(b, r->expires_days);
	points_buf__uvar(b, r->window_weekdays);
	points_buf__uvar(b, r->window_monthdays);
	points_buf__svar(b, r->window_percent);
	points_buf__u8(b, (unsigned)r->cap_unit);
	points_buf__svar(b, r->cap_day);
	points_buf__svar(b, r->cap_week);
	points_buf__svar(b, r->cap_month);
	points_buf__svar(b, r->cap_year);
	points_buf__svar(b, r->cap_total);
	points_buf__svar(b, r->cap_key_limit);
	points_buf__svar(b, r->budget_points);
	points_buf__svar(b, r->budget_awards);
	points_buf__str(b, r->author);
	points_buf__str(b, r->reason);
	for (k = 0; k < POINTS_RULE__NEXPR; k++)
		points_buf__str(b, src[k]);
	if (r->pending_days)
		points_buf__svar(b, r->pending_days);
}

/* Decode a version; with src, copy its expressions' source (allocated)
 * into src[]. */
static int
decode_version(points_db *db, const void *v, size_t vl, points_rule *r,
    char *src[POINTS_RULE__NEXPR])
{
	points_rd rd;
	unsigned ver;
	int k, rc = POINTS_OK;

	points_rd__init(&rd, v, vl);
	memset(r, 0, sizeof(*r));
	ver = points_rd__u8(&rd);
	if (ver != RULE_VERSION_V1 && ver != RULE_VERSION_V2)
		rd.err = POINTS_ECORRUPT;
	r->time = points_rd__svar(&rd);
	points_rd__str(&rd, r->name, sizeof(r->name));
	points_rd__str(&rd, r->event_type, sizeof(r->event_type));
	r->state = (int)points_rd__u8(&rd);
	r->priority = (int)points_rd__svar(&rd);
	r->flags = (unsigned)points_rd__uvar(&rd);
	points_rd__str(&rd, r->asset, sizeof(r->asset));
	points_rd__str(&rd, r->category, sizeof(r->category));
	r->active_from = points_rd__svar(&rd);
	r->active_until = points_rd__svar(&rd);
	r->expires_days = points_rd__svar(&rd);
	r->window_weekdays = (unsigned)points_rd__uvar(&rd);
	r->window_monthdays = (unsigned)points_rd__uvar(&rd);
	r->window_percent = points_rd__svar(&rd);
	r->cap_unit = (int)points_rd__u8(&rd);
	r->cap_day = points_rd__svar(&rd);
	r->cap_week = points_rd__svar(&rd);
	r->cap_month = points_rd__svar(&rd);
	r->cap_year = points_rd__svar(&rd);
	r->cap_total = points_rd__svar(&rd);
	r->cap_key_limit = points_rd__svar(&rd);
	r->budget_points = points_rd__svar(&rd);
	r->budget_awards = points_rd__svar(&rd);
	points_rd__str(&rd, r->author, sizeof(r->author));
	points_rd__str(&rd, r->reason, sizeof(r->reason));
	for (k = 0; k < POINTS_RULE__NEXPR; k++) {
		const char *p;
		size_t n;

		points_rd__strref(&rd, &p, &n);
		if (!src || rd.err)
			continue;
		src[k] = NULL;
		if (n == 0)
			continue;
		if (!(src[k] = points_alloc__malloc(n + 1))) {
			rc = POINTS_ENOMEM;
			break;
		}
		memcpy(src[k], p, n);
		src[k][n] = '\0';
	}
	if (ver == RULE_VERSION_V2 && ((r->pending_days =
	    points_rd__svar(&rd)) <= 0 ||
	    r->pending_days > POINTS_RULE_PENDING_DAYS_MAX))
		rd.err = POINTS_ECORRUPT;
	if (rc == POINTS_OK && rd.err)
		rc = POINTS_ECORRUPT;
	if (rc && src)
		for (k = 0; k < POINTS_RULE__NEXPR; k++) {
			points_alloc__free(src[k]);
			src[k] = NULL;
		}
	if (rc == POINTS_ENOMEM)
		return points_db__err(db, rc, "out of memory");
	if (rc)
		return points_db__err(db, rc, "rule version unreadable");
	return POINTS_OK;
}

static void
ver_key(unsigned char k[8], uint32_t id, int64_t version)
{
	points_codec__put_be32(k, id);
	points_codec__put_be32(k + 4, (uint32_t)version);
}

/* The head of rule name: its number and latest version;
 * POINTS_ENOTFOUND (with a message) when there is none. */
static int
read_head(points_db *db, const char *name, uint32_t *id, int64_t *latest)
{
	const void *v;
	size_t vl;
	points_rd r;
	int rc;

	rc = points_db__get(db, &rule_ks, name, strlen(name), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, rc, "rule '%s' not found", name);
	if (rc)
		return rc;
	points_rd__init(&r, v, vl);
	if (points_rd__u8(&r) != RULE_HEAD_V1)
		r.err = POINTS_ECORRUPT;
	*id = (uint32_t)points_rd__uvar(&r);
	*latest = (int64_t)points_rd__uvar(&r);
	if (r.err)
		return points_db__err(db, POINTS_ECORRUPT,
		    "rule '%s': record unreadable", name);
	return POINTS_OK;
}

static int
write_head(points_db *db, const char *name, uint32_t id, int64_t latest)
{
	unsigned char v[1 + 10 + 10];
	points_buf b;
	size_t n;

	points_buf__init(&b);
	points_buf__u8(&b, RULE_HEAD_V1);
	points_buf__uvar(&b, id);
	points_buf__uvar(&b, (uint64_t)latest);
	n = b.len;
	memcpy(v, b.data, n); /* fits the inline buffer */
	points_buf__free(&b);
	return points_db__put(db, &rule_ks, name, strlen(name), v, n);
}

/* The generation record as a read gave it (rc, v, vl). */
static int
meta_decode(points_db *db, int rc, const void *v, size_t vl,
    uint32_t *last_id, uint64_t *gen)
{
	points_rd r;

	if (rc == POINTS_ENOTFOUND) {
		*last_id = 0;
		*gen = 1;
		return POINTS_OK;
	}
	if (rc)
		return rc;
	points_rd__init(&r, v, vl);
	if (points_rd__u8(&r) != RULE_HEAD_V1)
		r.err = POINTS_ECORRUPT;
	*last_id = (uint32_t)points_rd__uvar(&r);
	*gen = points_rd__uvar(&r);
	if (r.err || *gen == 0)
		return points_db__err(db, POINTS_ECORRUPT,
		    "rules: generation record unreadable");
	return POINTS_OK;
}

static int
read_meta(points_db *db, uint32_t *last_id, uint64_t *gen)
{
	const void *v = NULL;
	size_t vl = 0;
	int rc = points_db__get(db, &rule_ks, meta_key, 1, &v, &vl);

	return meta_decode(db, rc, v, vl, last_id, gen);
}

/* An earn reads the generation (tier.c, through points_rule__load):
 * read with its other keys, once a transaction (module.h, ahead). */
static int
rules_ahead(points_db *db, void *state, unsigned type, points_getreq *r)
{
	points_rules_set *s = state;

	(void)db;
	if (s->txn_fresh || type != POINTS_TXN_EARN)
		return 0;
	r->ks = &rule_ks;
	r->key = meta_key;
	r->klen = 1;
	return 1;
}

static int
rules_ahead_got(points_db *db, void *state, const points_getreq *r)
{
	points_rules_set *s = state;
	uint32_t last;
	int rc = meta_decode(db, r->rc, r->val, r->vlen, &last, &s->txn_gen);

	if (rc == POINTS_OK)
		s->txn_fresh = 1;
	return rc;
}

/* Raise the generation (every handle reloads); *id, when asked, a new
 * rule number. */
static int
bump(points_db *db, uint32_t *new_id)
{
	points_rules_set *s;
	unsigned char v[1 + 10 + 10];
	uint32_t last;
	uint64_t gen;
	points_buf b;
	size_t n;
	int rc;

	if ((rc = read_meta(db, &last, &gen)))
		return rc;
	if (new_id) {
		if (last == UINT32_MAX)
			return points_db__err(db, POINTS_ELIMIT,
			    "rules: no rule numbers left");
		*new_id = ++last;
	}
	points_buf__init(&b);
	points_buf__u8(&b, RULE_HEAD_V1);
	points_buf__uvar(&b, last);
	points_buf__uvar(&b, gen + 1);
	n = b.len;
	memcpy(v, b.data, n);
	points_buf__free(&b);
	if ((rc = points_db__put(db, &rule_ks, meta_key, 1, v, n)))
		return rc;
	s = points_db__state(db, &rule_module);
	s->txn_gen = gen + 1;
	s->txn_fresh = 1;
	return POINTS_OK;
}

int
points_rule__bump(points_db *db)
{
	return bump(db, NULL);
}

int
points_rule__generation(points_db *db, uint64_t *out)
{
	points_rules_set *s = points_db__state(db, &rule_module);
	uint32_t last;
	int rc;

	if (!s->txn_fresh) {
		if ((rc = read_meta(db, &last, &s->txn_gen)))
			return rc;
		s->txn_fresh = 1;
	}
	*out = s->txn_gen;
	return POINTS_OK;
}

/* ---- Loading ---- */

static int
compile_all(points_db *db, points_rule_ver *rv)
{
	char err[160];
	int k, rc;

	for (k = 0; k < POINTS_RULE__NEXPR; k++) {
		if (!rv->src[k])
			continue;
		rc = points_cel__compile(rv->src[k], &points_rule__decls,
		    &rv->prog[k], err, sizeof(err));
		if (rc == POINTS_EINVAL)
			rc = points_cel__compile(rv->src[k], &untyped_decls,
			    &rv->prog[k], err, sizeof(err));
		if (rc == POINTS_ENOMEM)
			return points_db__err(db, rc, "out of memory");
		if (rc)
			return points_db__err(db, POINTS_ECORRUPT, "rule '%s' "
			    "version %lld: %s: %s", rv->r.name,
			    (long long)rv->r.version, expr_names[k], err);
	}
	return POINTS_OK;
}

static int
load_versions(points_db *db, points_rules_set *s)
{
	points_cursor *c;
	size_t cap = 0;
	int rc;

	rc = db->store->cursor_open(db->store, db->ks[rulever_ks.slot], NULL,
	    0, NULL, 0, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "rulever");
	for (;;) {
		const void *k, *v;
		size_t kl, vl;
		points_rule_ver *rv;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, "rulever");
			break;
		}
		if (kl != 8) {
			rc = points_db__err(db, POINTS_ECORRUPT,
			    "rule version key");
			break;
		}
		if (s->n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			void *p = points_alloc__realloc(s->v,
			    nc * sizeof(*s->v));

			if (!p) {
				rc = points_db__err(db, POINTS_ENOMEM,
				    "out of memory");
				break;
			}
			s->v = p;
			cap = nc;
		}
		rv = &s->v[s->n];
		memset(rv, 0, sizeof(*rv));
		if ((rc = decode_version(db, v, vl, &rv->r, rv->src)))
			break;
		s->n++;
		rv->id = points_codec__get_be32(k);
		rv->r.version = points_codec__get_be32((const unsigned char *)k
		    + 4);
		if ((rc = compile_all(db, rv)))
			break;
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

/* A tier record (either version) into t, whose name is set. */
static void
tier_decode(points_rd *r, points_tier *t)
{
	unsigned v = points_rd__u8(r);

	if (v != TIER_V1 && v != TIER_V2)
		r->err = POINTS_ECORRUPT;
	t->rank = (int)points_rd__svar(r);
	t->percent = points_rd__svar(r);
	if (v == TIER_V2) {
		points_rd__str(r, t->qualify_asset, sizeof(t->qualify_asset));
		t->qualify_points = points_rd__svar(r);
		t->qualify_months = (int)points_rd__svar(r);
		if (!t->qualify_asset[0] || t->qualify_points <= 0 ||
		    t->qualify_months < 1 ||
		    t->qualify_months > POINTS_TIER_MONTHS_MAX)
			r->err = POINTS_ECORRUPT;
	}
}

static int
load_tiers(points_db *db, points_rules_set *s)
{
	points_cursor *c;
	size_t cap = 0;
	int rc;

	rc = db->store->cursor_open(db->store, db->ks[tier_ks.slot], NULL, 0,
	    NULL, 0, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "tier");
	for (;;) {
		const void *k, *v;
		size_t kl, vl;
		points_rd r;
		points_tier *t;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, "tier");
			break;
		}
		if (s->ntiers == cap) {
			size_t nc = cap ? cap * 2 : 8;
			void *p = points_alloc__realloc(s->tiers,
			    nc * sizeof(*s->tiers));

			if (!p) {
				rc = points_db__err(db, POINTS_ENOMEM,
				    "out of memory");
				break;
			}
			s->tiers = p;
			cap = nc;
		}
		t = &s->tiers[s->ntiers];
		memset(t, 0, sizeof(*t));
		points_rd__init(&r, v, vl);
		tier_decode(&r, t);
		if (kl == 0 || kl > POINTS_TIER_MAX)
			r.err = POINTS_ECORRUPT;
		if (r.err) {
			rc = points_db__err(db, POINTS_ECORRUPT,
			    "tier record unreadable");
			break;
		}
		memcpy(t->name, k, kl);
		s->ntiers++;
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

int
points_rule__load(points_db *db, const points_rules_set **out)
{
	points_rules_set *s = points_db__state(db, &rule_module), fresh;
	uint64_t gen;
	int rc;

	if ((rc = points_rule__generation(db, &gen)))
		return rc;
	if (gen != s->gen) {
		memset(&fresh, 0, sizeof(fresh));
		if ((rc = load_versions(db, &fresh)) ||
		    (rc = load_tiers(db, &fresh))) {
			set_clear(&fresh);
			return rc;
		}
		fresh.txn_gen = s->txn_gen;
		fresh.txn_fresh = s->txn_fresh;
		set_clear(s);
		*s = fresh;
		s->gen = gen;
	}
	*out = s;
	return POINTS_OK;
}

const points_rule_ver *
points_rule__in_force(const points_rules_set *s, size_t i, int64_t t,
    size_t *next)
{
	const points_rule_ver *found = NULL;
	size_t j;

	for (j = i; j < s->n && s->v[j].id == s->v[i].id; j++)
		if (s->v[j].r.time <= t && s->v[j].r.state != POINTS_RULE_DRAFT)
			found = &s->v[j];
	*next = j;
	return found;
}

int64_t
points_rule__tier_percent(const points_rules_set *s, const char *tier)
{
	size_t i;

	for (i = 0; i < s->ntiers; i++)
		if (strcmp(s->tiers[i].name, tier) == 0)
			return s->tiers[i].percent;
	return 100;
}

/* ---- Saving ---- */

static const points_field def_fields[] = {
	POINTS_FIELD(points_rule_def, version, POINTS_FIELD_UINT,
	    POINTS_FIELD_VERSION, 1),
};
static const size_t def_sizes[] = {
	0, POINTS_END_OF(points_rule_def, reason), /* 1 */
	POINTS_END_OF(points_rule_def, pending_days), /* 2 */
};
static const points_rule_def def_defaults = POINTS_RULE_DEF_INIT;
static const points_reqtype def_req = {
	"rule definition", sizeof(points_rule_def), POINTS_RULE_DEF_VERSION,
	def_sizes, &def_defaults, def_fields, 1, 0,
};

static int
check_nonneg(points_db *db, const char *rule, const char *what, int64_t v)
{
	if (v < 0)
		return points_db__err(db, POINTS_EINVAL, "rule '%s': %s must "
		    "not be negative (got %lld)", rule, what, (long long)v);
	return POINTS_OK;
}

static int
check_def(points_db *db, const points_rule_def *d)
{
	const char *n = d->name;
	int rc;

	if ((rc = points_rule__check_name(db, "rule name", d->name,
	    POINTS_RULE_NAME_MAX)) ||
	    (rc = points_rule__check_name(db, "event type", d->event_type,
	    POINTS_EVENT_TYPE_MAX)))
		return rc;
	if (!d->points || !*d->points)
		return points_db__err(db, POINTS_EINVAL, "rule '%s': the points "
		    "formula is required", n);
	if ((rc = points_db__check_str(db, "asset", d->asset,
	    POINTS_ASSET_MAX, 1)))
		return rc;
	if (d->state < POINTS_RULE_DRAFT || d->state > POINTS_RULE_RETIRED)
		return points_db__err(db, POINTS_EINVAL, "rule '%s': unknown "
		    "state %d", n, d->state);
	if (d->flags & ~(POINTS_RULE_EXCLUSIVE | POINTS_RULE_NO_TIER |
	    POINTS_RULE_WINDOW_ONLY | POINTS_RULE_APPROVAL))
		return points_db__err(db, POINTS_EINVAL, "rule '%s': unknown "
		    "flags 0x%x", n, d->flags);
	if ((rc = check_nonneg(db, n, "active_from", d->active_from)) ||
	    (rc = check_nonneg(db, n, "active_until", d->active_until)) ||
	    (rc = check_nonneg(db, n, "expires_days", d->expires_days)) ||
	    (rc = check_nonneg(db, n, "window_percent", d->window_percent)) ||
	    (rc = check_nonneg(db, n, "cap_day", d->cap_day)) ||
	    (rc = check_nonneg(db, n, "cap_week", d->cap_week)) ||
	    (rc = check_nonneg(db, n, "cap_month", d->cap_month)) ||
	    (rc = check_nonneg(db, n, "cap_year", d->cap_year)) ||
	    (rc = check_nonneg(db, n, "cap_total", d->cap_total)) ||
	    (rc = check_nonneg(db, n, "cap_key_limit", d->cap_key_limit)) ||
	    (rc = check_nonneg(db, n, "budget_points", d->budget_points)) ||
	    (rc = check_nonneg(db, n, "budget_awards", d->budget_awards)) ||
	    (rc = check_nonneg(db, n, "pending_days", d->pending_days)))
		return rc;
	if (d->pending_days > POINTS_RULE_PENDING_DAYS_MAX)
		return points_db__err(db, POINTS_EINVAL, "rule '%s': "
		    "pending_days %lld is more than %d", n,
		    (long long)d->pending_days, POINTS_RULE_PENDING_DAYS_MAX);
	if (d->pending_days && d->expires_days &&
	    d->expires_days <= d->pending_days)
		return points_db__err(db, POINTS_EINVAL, "rule '%s': the points "
		    "would expire (expires_days %lld) before they are "
		    "available (pending_days %lld)", n,
		    (long long)d->expires_days, (long long)d->pending_days);
	if (d->active_from && d->active_until &&
	    d->active_until <= d->active_from)
		return points_db__err(db, POINTS_EINVAL, "rule '%s': "
		    "active_until must be after active_from", n);
	/* 100 years of days: a longer life is "never" (the asset's) */
	if (d->expires_days > 36525)
		return points_db__err(db, POINTS_EINVAL, "rule '%s': "
		    "expires_days %lld is more than 36525 (100 years)", n,
		    (long long)d->expires_days);
	if (d->window_weekdays >= 1u << 7 || d->window_monthdays >= 1u << 31)
		return points_db__err(db, POINTS_EINVAL, "rule '%s': a window "
		    "mask has bits past Sunday or the 31st", n);
	if (!d->window_percent && (d->window_weekdays ||
	    d->window_monthdays || (d->flags & POINTS_RULE_WINDOW_ONLY)))
		return points_db__err(db, POINTS_EINVAL, "rule '%s': a window "
		    "needs window_percent (100 for none)", n);
	if (d->window_percent > 100000)
		return points_db__err(db, POINTS_EINVAL, "rule '%s': "
		    "window_percent is more than 100000", n);
	if (d->cap_unit != POINTS_CAP_POINTS && d->cap_unit != POINTS_CAP_AWARDS)
		return points_db__err(db, POINTS_EINVAL, "rule '%s': unknown "
		    "cap_unit %d", n, d->cap_unit);
	if ((d->cap_key && *d->cap_key) != (d->cap_key_limit > 0))
		return points_db__err(db, POINTS_EINVAL, "rule '%s': cap_key "
		    "and cap_key_limit go together", n);
	if ((d->category && (rc = points_meta__check(db, "rule", d->category,
	    NULL))))
		return rc;
	/* what redeeming earns is not itself a redemption: never in the
	 * mall's category (rules/event.h: "redemption" events) */
	if (strcmp(d->event_type, "redemption") == 0 && d->category &&
	    strcmp(d->category, "mall") == 0)
		return points_db__err(db, POINTS_EINVAL, "rule '%s': a rule of "
		    "redemption events cannot post in category 'mall' (the "
		    "mall's redemptions)", n);
	if ((rc = points_db__check_str(db, "author", d->author,
	    POINTS_ACTOR_MAX, 1)) ||
	    (rc = points_db__check_str(db, "reason", d->reason,
	    POINTS_REASON_MAX, 0)))
		return rc;
	return POINTS_OK;
}

/* Compile the expressions of d, to check them and copy their source. */
static int
check_exprs(points_db *db, const points_rule_def *d,
    char *src[POINTS_RULE__NEXPR])
{
	const char *e[POINTS_RULE__NEXPR];
	char err[160];
	int k, rc;

	e[POINTS_RULE_EXPR_CONDITION] = d->condition;
	e[POINTS_RULE_EXPR_POINTS] = d->points;
	e[POINTS_RULE_EXPR_BENEFICIARY] = d->beneficiary;
	e[POINTS_RULE_EXPR_CAP_KEY] = d->cap_key;
	for (k = 0; k < POINTS_RULE__NEXPR; k++) {
		points_cel_prog *p;

		src[k] = NULL;
		if (!e[k] || !*e[k])
			continue;
		if ((rc = points_db__check_str(db, expr_names[k], e[k],
		    POINTS_EXPR_MAX, 0)))
			return rc;
		rc = points_cel__compile(e[k], &points_rule__decls, &p, err,
		    sizeof(err));
		if (rc == POINTS_ENOMEM)
			return points_db__err(db, rc, "out of memory");
		if (rc)
			return points_db__err(db, POINTS_EINVAL,
			    "rule '%s': %s: %s", d->name, expr_names[k], err);
		points_cel__free(p);
		src[k] = (char *)e[k];
	}
	return POINTS_OK;
}

static int
save_in(points_db *db, const points_rule_def *d, char *const src[],
    points_rule *out)
{
	points_asset_rec asset;
	points_rule r;
	uint32_t id;
	int64_t latest = 0;
	unsigned char k[8];
	int rc;

	rc = read_head(db, d->name, &id, &latest);
	if (rc == POINTS_ENOTFOUND) {
		points_db__clear_err(db);
		if ((rc = bump(db, &id)))
			return rc;
	} else if (rc) {
		return rc;
	} else {
		points_rule prev;
		const void *v;
		size_t vl;

		ver_key(k, id, latest);
		if ((rc = points_db__get(db, &rulever_ks, k, 8, &v, &vl)) ||
		    (rc = decode_version(db, v, vl, &prev, NULL)))
			return rc == POINTS_ENOTFOUND ? points_db__err(db,
			    POINTS_ECORRUPT, "rule '%s': version %lld "
			    "missing", d->name, (long long)latest) : rc;
		if (prev.state == POINTS_RULE_RETIRED)
			return points_db__err(db, POINTS_ESTATE, "rule '%s' is "
			    "retired: it takes no new version", d->name);
		if (latest >= UINT32_MAX)
			return points_db__err(db, POINTS_ELIMIT, "rule '%s': "
			    "no versions left", d->name);
		if ((rc = bump(db, NULL)))
			return rc;
	}
	if ((rc = points_asset__find(db, d->asset, &asset)))
		return rc;
	memset(&r, 0, sizeof(r));
	strcpy(r.name, d->name);
	r.version = latest + 1;
	r.time = points_db__time(db, 0);
	strcpy(r.event_type, d->event_type);
	r.state = d->state;
	r.priority = d->priority;
	r.flags = d->flags;
	strcpy(r.asset, d->asset);
	strcpy(r.category, d->category ? d->category :
	    strcmp(d->event_type, "redemption") == 0 ? "redemption_bonus" :
	    "rule");
	r.active_from = d->active_from;
	r.active_until = d->active_until;
	r.expires_days = d->expires_days;
	r.window_weekdays = d->window_weekdays;
	r.window_monthdays = d->window_monthdays;
	r.window_percent = d->window_percent;
	r.cap_unit = d->cap_unit;
	r.cap_day = d->cap_day;
	r.cap_week = d->cap_week;
	r.cap_month = d->cap_month;
	r.cap_year = d->cap_year;
	r.cap_total = d->cap_total;
	r.cap_key_limit = d->cap_key_limit;
	r.budget_points = d->budget_points;
	r.budget_awards = d->budget_awards;
	r.pending_days = d->pending_days;
	strcpy(r.author, d->author);
	if (d->reason)
		strcpy(r.reason, d->reason);
	encode_version(&db->vbuf, &r, src);
	if (db->vbuf.err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	ver_key(k, id, r.version);
	if ((rc = points_db__put(db, &rulever_ks, k, 8, db->vbuf.data,
	    db->vbuf.len)) ||
	    (rc = write_head(db, d->name, id, r.version)))
		return rc;
	*out = r;
	return POINTS_OK;
}

static int
save(points_db *db, const points_rule_def *d, char *const src[],
    points_rule *out)
{
	points_rule r;
	int rc;

	if ((rc = points_db__write_begin(db)))
		return rc;
	rc = points_db__write_end(db, save_in(db, d, src, &r));
	if (rc == POINTS_OK)
		*out = r;
	return rc;
}

POINTS_EXTERN int
points_rule_save(points_db *db, const points_rule_def *d, points_rule *out)
{
	points_write_req copy;
	char *src[POINTS_RULE__NEXPR];
	unsigned int v;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!d)
		return points_db__err(db, POINTS_EINVAL,
		    "rule definition is required");
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	memcpy(&v, d, sizeof(v));
	if (v == 0 || v > POINTS_RULE_DEF_VERSION)
		return points_db__err(db, POINTS_EVERSION, "rule definition "
		    "version %u (this library knows 1 to %u)", v,
		    POINTS_RULE_DEF_VERSION);
	if (v < POINTS_RULE_DEF_VERSION)
		d = points_write__older(&def_req, d, def_sizes[v], copy.b);
	if ((rc = check_def(db, d)) || (rc = check_exprs(db, d, src)))
		return rc;
	return save(db, d, src, out);
}

POINTS_EXTERN int
points_rule_def_init(points_rule_def *d, unsigned int version)
{
	return points_write__init(&def_req, d, version);
}

/* The version asked for (0: the latest), with its source when src. */
static int
get_in(points_db *db, const char *name, int64_t version, points_rule *out,
    char *src[POINTS_RULE__NEXPR])
{
	uint32_t id;
	int64_t latest;
	unsigned char k[8];
	const void *v;
	size_t vl;
	int rc;

	if ((rc = read_head(db, name, &id, &latest)))
		return rc;
	if (version == 0)
		version = latest;
	if (version < 0 || version > latest)
		return points_db__err(db, POINTS_ENOTFOUND, "rule '%s' has no "
		    "version %lld (latest %lld)", name, (long long)version,
		    (long long)latest);
	ver_key(k, id, version);
	rc = points_db__get(db, &rulever_ks, k, 8, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, POINTS_ECORRUPT, "rule '%s': version "
		    "%lld missing", name, (long long)version);
	if (rc || (rc = decode_version(db, v, vl, out, src)))
		return rc;
	out->version = version;
	return POINTS_OK;
}

static int
check_get(points_db *db, const char *name, void *out)
{
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	return points_rule__check_name(db, "rule name", name,
	    POINTS_RULE_NAME_MAX);
}

POINTS_EXTERN int
points_rule_get(points_db *db, const char *name, int64_t version,
    points_rule *out)
{
	points_rule r;
	int rc;

	if ((rc = check_get(db, name, out)) ||
	    (rc = points_db__read_begin(db)))
		return rc;
	rc = get_in(db, name, version, &r, NULL);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = r;
	return rc;
}

POINTS_EXTERN int
points_rule_expr_get(points_db *db, const char *name, int64_t version,
    int which, char **out)
{
	char *src[POINTS_RULE__NEXPR] = { NULL };
	points_rule r;
	char *s;
	int k, rc;

	if ((rc = check_get(db, name, out)))
		return rc;
	if (which < 0 || which >= POINTS_RULE__NEXPR)
		return points_db__err(db, POINTS_EINVAL, "unknown rule "
		    "expression %d", which);
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = get_in(db, name, version, &r, src);
	points_db__read_end(db);
	if (rc)
		return rc;
	s = src[which];
	src[which] = NULL;
	for (k = 0; k < POINTS_RULE__NEXPR; k++)
		points_alloc__free(src[k]);
	if (!s && !(s = points_alloc__calloc(1, 1)))
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	*out = s;
	return POINTS_OK;
}

/* A new version with only the state changed: the latest's fields and
 * source, read and saved in one transaction. */
static int
set_state_in(points_db *db, const char *name, int state, const char *author,
    const char *reason, points_rule *out)
{
	char *src[POINTS_RULE__NEXPR] = { NULL };
	points_rule_def d = POINTS_RULE_DEF_INIT;
	points_rule r;
	int k, rc;

	if ((rc = get_in(db, name, 0, &r, src)))
		return rc;
	d.name = name;
	d.event_type = r.event_type;
	d.condition = src[POINTS_RULE_EXPR_CONDITION];
	d.points = src[POINTS_RULE_EXPR_POINTS];
	d.asset = r.asset;
	d.beneficiary = src[POINTS_RULE_EXPR_BENEFICIARY];
	d.state = state;
	d.priority = r.priority;
	d.flags = r.flags;
	d.active_from = r.active_from;
	d.active_until = r.active_until;
	d.category = r.category;
	d.expires_days = r.expires_days;
	d.window_weekdays = r.window_weekdays;
	d.window_monthdays = r.window_monthdays;
	d.window_percent = r.window_percent;
	d.cap_unit = r.cap_unit;
	d.cap_day = r.cap_day;
	d.cap_week = r.cap_week;
	d.cap_month = r.cap_month;
	d.cap_year = r.cap_year;
	d.cap_total = r.cap_total;
	d.cap_key = src[POINTS_RULE_EXPR_CAP_KEY];
	d.cap_key_limit = r.cap_key_limit;
	d.budget_points = r.budget_points;
	d.budget_awards = r.budget_awards;
	d.pending_days = r.pending_days;
	d.author = author;
	d.reason = reason;
	rc = save_in(db, &d, src, out);
	for (k = 0; k < POINTS_RULE__NEXPR; k++)
		points_alloc__free(src[k]);
	return rc;
}

POINTS_EXTERN int
points_rule_set_state(points_db *db, const char *name, int state,
    const char *author, const char *reason, points_rule *out)
{
	points_rule r;
	int rc;

	if ((rc = check_get(db, name, out)))
		return rc;
	if (state < POINTS_RULE_DRAFT || state > POINTS_RULE_RETIRED)
		return points_db__err(db, POINTS_EINVAL, "rule '%s': unknown "
		    "state %d", name, state);
	if ((rc = points_db__check_str(db, "author", author,
	    POINTS_ACTOR_MAX, 1)) ||
	    (rc = points_db__check_str(db, "reason", reason,
	    POINTS_REASON_MAX, 0)))
		return rc;
	if ((rc = points_db__write_begin(db)))
		return rc;
	rc = points_db__write_end(db, set_state_in(db, name, state, author,
	    reason, &r));
	if (rc == POINTS_OK)
		*out = r;
	return rc;
}

/* ---- A rule's history ---- */

struct points_rule_history_iterator {
	points_iter base;
	int64_t next;   /* the next version to read */
	uint32_t id;
	char name[POINTS_RULE_NAME_MAX + 1];
	points_rule buf[16];
};

static int history_fill(points_iter *base);
static const points_iter_type history_type = POINTS_ITER_TYPE(
    "rule history iterator", struct points_rule_history_iterator, next,
    history_fill, NULL);

static int
history_fill(points_iter *base)
{
	struct points_rule_history_iterator *it = (void *)base;
	points_db *db = base->db;
	unsigned char lo[8], hi[8];
	points_cursor *c;
	int rc;

	ver_key(lo, it->id, it->next);
	points_codec__put_be32(hi, it->id + 1);
	memset(hi + 4, 0, 4);
	rc = db->store->cursor_open(db->store, db->ks[rulever_ks.slot], lo, 8,
	    it->id == UINT32_MAX ? NULL : hi, it->id == UINT32_MAX ? 0 : 8,
	    0, &c);
	if (rc)
		return points_db__store_err(db, rc, "rulever");
	while (base->n < sizeof(it->buf) / sizeof(it->buf[0])) {
		const void *k, *v;
		size_t kl, vl;
		points_rule *out = &it->buf[base->n];

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			base->done = 1;
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, "rulever");
			break;
		}
		if (kl != 8) {
			rc = points_db__err(db, POINTS_ECORRUPT,
			    "rule version key");
			break;
		}
		if ((rc = decode_version(db, v, vl, out, NULL)))
			break;
		out->version = points_codec__get_be32((const unsigned char *)k
		    + 4);
		base->n++;
		it->next = out->version + 1;
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

POINTS_EXTERN int
points_rule_history_iterator_new(points_db *db, const char *name,
    points_rule_history_iterator **out)
{
	points_iter *base;
	uint32_t id;
	int64_t latest;
	int rc;

	if ((rc = check_get(db, name, out)) ||
	    (rc = points_db__read_begin(db)))
		return rc;
	rc = read_head(db, name, &id, &latest);
	points_db__read_end(db);
	if (rc)
		return rc;
	if ((rc = points_iter__new(db, &history_type,
	    sizeof(struct points_rule_history_iterator), &base)))
		return rc;
	*out = (points_rule_history_iterator *)(void *)base;
	(*out)->id = id;
	(*out)->next = 1;
	strcpy((*out)->name, name);
	return POINTS_OK;
}

POINTS_EXTERN int
points_rule_history_next(points_rule_history_iterator *it, points_rule *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &history_type, out);

	if (rc == POINTS_OK)
		*out = it->buf[it->base.i++];
	return rc;
}

POINTS_EXTERN void
points_rule_history_iterator_free(points_rule_history_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}

/* ---- Listing rules ---- */

struct points_rule_iterator {
	points_iter base;
	/* the last name returned; the list goes on after it */
	struct rule_pos {
		int started;
		char last[POINTS_RULE_NAME_MAX + 1];
	} pos;
	points_rule buf[16];
};

static int list_fill(points_iter *base);
static const points_iter_type list_type = POINTS_ITER_TYPE(
    "rule iterator", struct points_rule_iterator, pos, list_fill, NULL);

/* The names after the position first (the cursor closed), then each
 * one's latest version. */
static int
list_fill(points_iter *base)
{
	struct points_rule_iterator *it = (void *)base;
	enum { N = sizeof(it->buf) / sizeof(it->buf[0]) };
	char names[N][POINTS_RULE_NAME_MAX + 1], lo[POINTS_RULE_NAME_MAX + 2];
	points_db *db = base->db;
	size_t n = 0, lol = 0, i;
	points_cursor *c;
	int rc;

	if (it->pos.started) {
		lol = strlen(it->pos.last);
		memcpy(lo, it->pos.last, lol);
		lo[lol++] = '\0'; /* the name's successor: none holds a NUL */
	}
	rc = db->store->cursor_open(db->store, db->ks[rule_ks.slot],
	    lol ? lo : NULL, lol, NULL, 0, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "rule");
	while (n < N) {
		const void *k, *v;
		size_t kl, vl;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			base->done = 1;
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, "rule");
			break;
		}
		if (kl == sizeof(meta_key) && !memcmp(k, meta_key, kl))
			continue;
		if (kl == 0 || kl > POINTS_RULE_NAME_MAX) {
			rc = points_db__err(db, POINTS_ECORRUPT, "rule name key");
			break;
		}
		memcpy(names[n], k, kl);
		names[n++][kl] = '\0';
	}
	db->store->cursor_close(db->store, c);
	for (i = 0; rc == POINTS_OK && i < n; i++) {
		if ((rc = get_in(db, names[i], 0, &it->buf[i], NULL)))
			break;
		base->n++;
		it->pos.started = 1;
		strcpy(it->pos.last, names[i]);
	}
	return rc;
}

POINTS_EXTERN int
points_rule_iterator_new(points_db *db, points_rule_iterator **out)
{
	points_iter *base;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_iter__new(db, &list_type,
	    sizeof(struct points_rule_iterator), &base)))
		return rc;
	*out = (points_rule_iterator *)(void *)base;
	return POINTS_OK;
}

POINTS_EXTERN int
points_rule_next(points_rule_iterator *it, points_rule *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &list_type, out);

	if (rc == POINTS_OK)
		*out = it->buf[it->base.i++];
	return rc;
}

POINTS_EXTERN void
points_rule_iterator_free(points_rule_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}

/* ---- Tiers ---- */

int
points_tier__read(points_db *db, const char *name, points_tier *t)
{
	const void *v;
	size_t vl;
	points_rd r;
	int rc;

	rc = points_db__get(db, &tier_ks, name, strlen(name), &v, &vl);
	if (rc)
		return rc;
	memset(t, 0, sizeof(*t));
	points_rd__init(&r, v, vl);
	tier_decode(&r, t);
	if (r.err)
		return points_db__err(db, POINTS_ECORRUPT,
		    "tier '%s': record unreadable", name);
	strcpy(t->name, name);
	return POINTS_OK;
}

static int
tier_write(points_db *db, const points_tier *t)
{
	points_buf b;
	int rc;

	if ((rc = bump(db, NULL)))
		return rc;
	points_buf__init(&b);
	points_buf__u8(&b, t->qualify_asset[0] ? TIER_V2 : TIER_V1);
	points_buf__svar(&b, t->rank);
	points_buf__svar(&b, t->percent);
	if (t->qualify_asset[0]) {
		points_buf__str(&b, t->qualify_asset);
		points_buf__svar(&b, t->qualify_points);
		points_buf__svar(&b, t->qualify_months);
	}
	if (b.err)
		rc = points_db__err(db, POINTS_ENOMEM, "out of memory");
	else
		rc = points_db__put(db, &tier_ks, t->name, strlen(t->name),
		    b.data, b.len);
	points_buf__free(&b);
	return rc;
}

static int
tier_set_in(points_db *db, const char *name, int rank, int64_t percent)
{
	points_tier t;
	int rc = points_tier__read(db, name, &t);

	if (rc == POINTS_ENOTFOUND) {
		memset(&t, 0, sizeof(t));
		strcpy(t.name, name);
	} else if (rc) {
		return rc;
	}
	if (rank == 0 && t.qualify_asset[0])
		return points_db__err(db, POINTS_EINVAL, "tier '%s': rank 0 "
		    "is the base and needs no qualification, and this tier "
		    "has one (%lld %s in %d months): remove it first "
		    "(points_tier_qualify)", name,
		    (long long)t.qualify_points, t.qualify_asset,
		    t.qualify_months);
	t.rank = rank;
	t.percent = percent;
	return tier_write(db, &t);
}

POINTS_EXTERN int
points_tier_set(points_db *db, const char *name, int rank, int64_t percent)
{
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if ((rc = points_db__check_str(db, "tier", name, POINTS_TIER_MAX, 1)))
		return rc;
	if (rank < 0)
		return points_db__err(db, POINTS_EINVAL, "tier '%s': rank must "
		    "not be negative (got %d)", name, rank);
	if (percent <= 0 || percent > 100000)
		return points_db__err(db, POINTS_EINVAL, "tier '%s': percent "
		    "must be 1 to 100000 (got %lld)", name, (long long)percent);
	if ((rc = points_db__write_begin(db)))
		return rc;
	return points_db__write_end(db, tier_set_in(db, name, rank, percent));
}

static int
tier_qualify_in(points_db *db, const char *name, const char *asset,
    int64_t points, int months)
{
	points_tier t;
	points_asset_rec a;
	int rc = points_tier__read(db, name, &t);

	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, rc, "tier '%s' not found: add it "
		    "first (points_tier_set)", name);
	if (rc)
		return rc;
	if (asset && *asset) {
		if (t.rank == 0)
			return points_db__err(db, POINTS_EINVAL, "tier '%s': "
			    "rank 0 is the base and needs no qualification",
			    name);
		if ((rc = points_asset__find(db, asset, &a)))
			return rc;
		strcpy(t.qualify_asset, asset);
		t.qualify_points = points;
		t.qualify_months = months;
	} else {
		memset(t.qualify_asset, 0, sizeof(t.qualify_asset));
		t.qualify_points = 0;
		t.qualify_months = 0;
	}
	return tier_write(db, &t);
}

POINTS_EXTERN int
points_tier_qualify(points_db *db, const char *name, const char *asset,
    int64_t points, int months)
{
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if ((rc = points_db__check_str(db, "tier", name, POINTS_TIER_MAX, 1)) ||
	    (rc = points_db__check_str(db, "asset", asset, POINTS_ASSET_MAX,
	    0)))
		return rc;
	if (!asset || !*asset) {
		if (points || months)
			return points_db__err(db, POINTS_EINVAL, "tier '%s': "
			    "no asset removes the qualification: points and "
			    "months must be 0 (got %lld, %d)", name,
			    (long long)points, months);
	} else if (points <= 0) {
		return points_db__err(db, POINTS_EINVAL, "tier '%s': the "
		    "points to qualify must be positive (got %lld)", name,
		    (long long)points);
	} else if (months < 1 || months > POINTS_TIER_MONTHS_MAX) {
		return points_db__err(db, POINTS_EINVAL, "tier '%s': months "
		    "must be 1 to %d (got %d)", name, POINTS_TIER_MONTHS_MAX,
		    months);
	}
	if ((rc = points_db__write_begin(db)))
		return rc;
	return points_db__write_end(db, tier_qualify_in(db, name, asset,
	    points, months));
}

POINTS_EXTERN int
points_tier_get(points_db *db, const char *name, points_tier *out)
{
	const void *v;
	size_t vl;
	points_rd r;
	points_tier t;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__check_str(db, "tier", name, POINTS_TIER_MAX, 1)) ||
	    (rc = points_db__read_begin(db)))
		return rc;
	rc = points_db__get(db, &tier_ks, name, strlen(name), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		rc = points_db__err(db, rc, "tier '%s' not found", name);
	if (rc == POINTS_OK) {
		memset(&t, 0, sizeof(t));
		points_rd__init(&r, v, vl);
		tier_decode(&r, &t);
		if (r.err)
			rc = points_db__err(db, POINTS_ECORRUPT,
			    "tier '%s': record unreadable", name);
		strcpy(t.name, name);
	}
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = t;
	return rc;
}
