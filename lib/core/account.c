/* account.c - accounts: create, look up, update, attributes, freeze,
 * close, iterate.  Record: version, external id, name, tier, department,
 * status, flags, created_at, then the attributes as key/value pairs. */
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "core/account.h"
#include "util/codec.h"
#include "core/db.h"
#include "core/iter.h"

#define ACCOUNT_RECORD_V1 1
/* The module's format: 1, the sink and expiry accounts were allowed to
 * go negative (0.1.0); 2, only the issuer is. */
#define ACCOUNT_FORMAT 2
#define ATTR_MAX 64

static void
key_id(unsigned char k[8], int64_t id)
{
	points_codec__put_be64(k, (uint64_t)id);
}

static void
encode(points_buf *b, const points_account *a, const void *attrs,
    size_t attrs_len)
{
	points_buf__reset(b);
	points_buf__u8(b, ACCOUNT_RECORD_V1);
	points_buf__str(b, a->external_id);
	points_buf__str(b, a->name);
	points_buf__str(b, a->tier);
	points_buf__str(b, a->department);
	points_buf__u8(b, (unsigned)a->status);
	points_buf__uvar(b, a->flags);
	points_buf__svar(b, a->created_at);
	points_buf__bytes(b, attrs, attrs_len);
}

/* Decode a record; *attrs points at the attribute pairs inside it. */
static int
decode(points_db *db, int64_t id, const void *v, size_t vl, points_account *a,
    const unsigned char **attrs, size_t *attrs_len)
{
	points_rd r;

	points_rd__init(&r, v, vl);
	memset(a, 0, sizeof(*a));
	a->id = id;
	if (points_rd__u8(&r) != ACCOUNT_RECORD_V1)
		r.err = POINTS_ECORRUPT;
	points_rd__str(&r, a->external_id, sizeof(a->external_id));
	points_rd__str(&r, a->name, sizeof(a->name));
	points_rd__str(&r, a->tier, sizeof(a->tier));
	points_rd__str(&r, a->department, sizeof(a->department));
	a->status = (int)points_rd__u8(&r);
	a->flags = (unsigned)points_rd__uvar(&r);
	a->created_at = points_rd__svar(&r);
	if (r.err)
		return points_db__err(db, POINTS_ECORRUPT,
		    "account %lld: record unreadable", (long long)id);
	if (attrs) {
		*attrs = r.p;
		*attrs_len = (size_t)(r.end - r.p);
	}
	return POINTS_OK;
}

int
points_account__load(points_db *db, int64_t id, points_account *out)
{
	unsigned char k[8];
	const void *v;
	size_t vl;
	int rc;

	if (id <= 0)
		return points_db__err(db, POINTS_ENOTFOUND,
		    "account %lld not found", (long long)id);
	key_id(k, id);
	rc = points_db__get(db, &points_account__ks, k, 8, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, rc, "account %lld not found",
		    (long long)id);
	if (rc)
		return rc;
	return decode(db, id, v, vl, out, NULL, NULL);
}

int
points_account__load_attrs(points_db *db, int64_t id, points_account *out,
    points_buf *attrs)
{
	unsigned char k[8];
	const unsigned char *ap;
	const void *v;
	size_t vl, al;
	int rc;

	if (id <= 0)
		return points_db__err(db, POINTS_ENOTFOUND,
		    "account %lld not found", (long long)id);
	key_id(k, id);
	rc = points_db__get(db, &points_account__ks, k, 8, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, rc, "account %lld not found",
		    (long long)id);
	if (rc || (rc = decode(db, id, v, vl, out, &ap, &al)))
		return rc;
	points_buf__reset(attrs);
	points_buf__bytes(attrs, ap, al);
	if (attrs->err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	return POINTS_OK;
}

/* The built-in system accounts, ids 1-3. */
static const char *const system_ext[] = {
	"system:issuer", "system:sink", "system:expiry",
};

/* Only the issuer may go below zero: the sink and the expiry account
 * pay, when they pay (a reversal of a spend, of an expiry), from what
 * they received. */
static unsigned
system_flags(int64_t id)
{
	return id == POINTS_ACCOUNT_ISSUER ? POINTS_ACCOUNT_SYSTEM |
	    POINTS_ACCOUNT_ALLOW_NEGATIVE : POINTS_ACCOUNT_SYSTEM;
}

int
points_account__load_party(points_db *db, int64_t id, points_account *out)
{

	if (id < POINTS_ACCOUNT_ISSUER || id > POINTS_ACCOUNT_EXPIRY)
		return points_account__load(db, id, out);
	memset(out, 0, sizeof(*out));
	out->id = id;
	strcpy(out->external_id, system_ext[id - 1]);
	out->flags = system_flags(id);
	return POINTS_OK;
}

int
points_account__insert(points_db *db, points_account *a)
{
	unsigned char k[8];
	const void *v;
	size_t vl;
	size_t n = strlen(a->external_id);
	int64_t last;
	int rc;

	rc = points_db__get(db, &points_account__extid_ks, a->external_id, n, &v, &vl);
	if (rc == POINTS_OK)
		return points_db__err(db, POINTS_EEXISTS,
		    "account %s already exists", a->external_id);
	if (rc != POINTS_ENOTFOUND)
		return rc;
	if ((rc = points_db__last_key64(db, &points_account__ks, &last)))
		return rc;
	if (last >= POINTS_ACCOUNT__ID_MAX)
		return points_db__err(db, POINTS_ELIMIT, "account %s: no account "
		    "ids left (a ledger holds at most %lld accounts)",
		    a->external_id, (long long)POINTS_ACCOUNT__ID_MAX);
	a->id = last + 1;
	encode(&db->vbuf, a, NULL, 0);
	if (db->vbuf.err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	key_id(k, a->id);
	if ((rc = points_db__put(db, &points_account__ks, k, 8, db->vbuf.data,
	    db->vbuf.len)))
		return rc;
	return points_db__put(db, &points_account__extid_ks, a->external_id, n, k, 8);
}

/* Format 1 -> 2: the sink and the expiry account lose the flag
 * allow-negative in their account records; the copies their balance
 * records keep are 0.1.0's balance format 1, which the balance module
 * upgrades (balance.c, system_v1).  A balance that went below zero
 * under 0.1.0 stays there: it is owed, and only credits bring it back. */
static int
fix_system_flags(points_db *db)
{
	int64_t id;
	int rc;

	for (id = POINTS_ACCOUNT_SINK; id <= POINTS_ACCOUNT_EXPIRY; id++) {
		unsigned char k[8];
		const void *v;
		size_t vl;
		points_account a;
		const unsigned char *attrs;
		size_t attrs_len;

		key_id(k, id);
		rc = points_db__get(db, &points_account__ks, k, 8, &v, &vl);
		if (rc == POINTS_ENOTFOUND)
			continue; /* made just now, with the right flags */
		if (rc || (rc = decode(db, id, v, vl, &a, &attrs, &attrs_len)))
			return rc;
		if (a.flags == system_flags(id))
			continue;
		a.flags = system_flags(id);
		/* attrs point into v: encode before the next store call */
		encode(&db->vbuf, &a, attrs, attrs_len);
		if (db->vbuf.err)
			return points_db__err(db, POINTS_ENOMEM, "out of memory");
		if ((rc = points_db__put(db, &points_account__ks, k, 8,
		    db->vbuf.data, db->vbuf.len)))
			return rc;
	}
	return POINTS_OK;
}

/* A new ledger's system accounts (a ledger may have them already: it
 * was made before modules recorded their versions); a ledger of format
 * 1 is upgraded. */
static int
account_setup(points_db *db, unsigned int found)
{
	static const char *const name[] = {
		"Issuer", "Redemptions", "Expired points",
	};
	size_t i;
	int rc;

	for (i = 0; found == 0 && i < sizeof(system_ext) / sizeof(system_ext[0]);
	    i++) {
		points_account a;
		const void *v;
		size_t vl;

		rc = points_db__get(db, &points_account__extid_ks, system_ext[i],
		    strlen(system_ext[i]), &v, &vl);
		if (rc == POINTS_OK)
			continue;
		if (rc != POINTS_ENOTFOUND)
			return rc;
		memset(&a, 0, sizeof(a));
		strcpy(a.external_id, system_ext[i]);
		strcpy(a.name, name[i]);
		a.flags = system_flags((int64_t)i + 1);
		a.created_at = points_db__time(db, 0);
		if ((rc = points_account__insert(db, &a)))
			return rc;
	}
	return fix_system_flags(db);
}

points_ksdef points_account__ks = { "account", 0, 0 };
points_ksdef points_account__extid_ks = { "extid", 0, 0 };
static points_ksdef *const keyspaces[] = {
	&points_account__ks, &points_account__extid_ks, NULL,
};
static points_module account_module = {
	.name = "account",
	.format = ACCOUNT_FORMAT,
	.keyspaces = keyspaces,
	.setup = account_setup,
};
POINTS_MODULE(account_module)

POINTS_EXTERN int
points_account_create(points_db *db, const char *external_id, const char *name,
    unsigned flags, int64_t *out)
{
	points_account a;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if ((rc = points_db__check_str(db, "external id", external_id,
	    POINTS_EXTID_MAX, 1)) ||
	    (rc = points_db__check_str(db, "name", name, POINTS_NAME_MAX, 0)))
		return rc;
	if (flags & ~(POINTS_ACCOUNT_SYSTEM | POINTS_ACCOUNT_ALLOW_NEGATIVE |
	    POINTS_ACCOUNT_POOL))
		return points_db__err(db, POINTS_EINVAL,
		    "unknown account flags 0x%x", flags);
	/* a pool pays only from what it was given */
	if ((flags & POINTS_ACCOUNT_POOL) &&
	    (flags & POINTS_ACCOUNT_ALLOW_NEGATIVE))
		return points_db__err(db, POINTS_EINVAL,
		    "account %.64s: a pool may not go negative", external_id);
	if (flags & POINTS_ACCOUNT_POOL)
		flags |= POINTS_ACCOUNT_SYSTEM;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	memset(&a, 0, sizeof(a));
	strcpy(a.external_id, external_id);
	if (name)
		strcpy(a.name, name);
	a.flags = flags;
	a.status = POINTS_ACCOUNT_ACTIVE;
	a.created_at = points_db__time(db, 0);
	if ((rc = points_db__write_begin(db)))
		return rc;
	rc = points_account__insert(db, &a);
	if ((rc = points_db__write_end(db, rc)) == POINTS_OK)
		*out = a.id;
	return rc;
}

POINTS_EXTERN int
points_account_get(points_db *db, int64_t id, points_account *out)
{
	points_account a;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = points_account__load(db, id, &a);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = a;
	return rc;
}

POINTS_EXTERN int
points_account_find(points_db *db, const char *external_id,
    points_account *out)
{
	points_account a;
	const void *v;
	size_t vl;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if ((rc = points_db__check_str(db, "external id", external_id,
	    POINTS_EXTID_MAX, 1)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = points_db__get(db, &points_account__extid_ks, external_id, strlen(external_id), &v,
	    &vl);
	if (rc == POINTS_ENOTFOUND)
		rc = points_db__err(db, rc, "account %s not found", external_id);
	else if (rc == POINTS_OK && vl != 8)
		rc = points_db__err(db, POINTS_ECORRUPT,
		    "account %s: index entry unreadable", external_id);
	if (rc == POINTS_OK)
		rc = points_account__load(db, (int64_t)points_codec__get_be64(v), &a);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = a;
	return rc;
}

int
points_account__edit(points_db *db, int64_t id, points_account_edit_fn edit,
    void *ctx)
{
	int rc;

	if ((rc = points_db__write_begin(db)))
		return rc;
	return points_db__write_end(db, points_account__edit_in(db, id, edit,
	    ctx));
}

int
points_account__edit_in(points_db *db, int64_t id, points_account_edit_fn edit,
    void *ctx)
{
	unsigned char k[8];
	points_account a;
	const unsigned char *attrs;
	size_t attrs_len;
	const void *v;
	void *copy = NULL;
	size_t vl;
	int new_attrs = 0;
	int rc;

	key_id(k, id);
	rc = id > 0 ? points_db__get(db, &points_account__ks, k, 8, &v, &vl) :
	    POINTS_ENOTFOUND;
	if (rc == POINTS_ENOTFOUND)
		rc = points_db__err(db, rc, "account %lld not found",
		    (long long)id);
	/* The value is borrowed until the next store call; edit() may
	 * make some, so keep a copy. */
	if (rc == POINTS_OK && !(copy = points_alloc__malloc(vl)))
		rc = points_db__err(db, POINTS_ENOMEM, "out of memory");
	if (rc == POINTS_OK) {
		memcpy(copy, v, vl);
		rc = decode(db, id, copy, vl, &a, &attrs, &attrs_len);
	}
	if (rc == POINTS_OK) {
		points_buf__reset(&db->kbuf);
		rc = edit(db, &a, attrs, attrs_len, &new_attrs, ctx);
	}
	if (rc == POINTS_OK) {
		if (new_attrs)
			encode(&db->vbuf, &a, db->kbuf.data, db->kbuf.len);
		else
			encode(&db->vbuf, &a, attrs, attrs_len);
		if (db->vbuf.err || db->kbuf.err)
			rc = points_db__err(db, POINTS_ENOMEM, "out of memory");
	}
	points_alloc__free(copy);
	if (rc == POINTS_OK)
		rc = points_db__put(db, &points_account__ks, k, 8, db->vbuf.data,
		    db->vbuf.len);
	return rc;
}

struct update_ctx {
	const char *name, *tier, *department;
};

static int
edit_update(points_db *db, points_account *a, const unsigned char *attrs,
    size_t attrs_len, int *new_attrs, void *ctx)
{
	struct update_ctx *u = ctx;
	points_account_changes c = { NULL, NULL, POINTS_ACCOUNT_KEEP, NULL,
	    NULL };

	(void)attrs;
	(void)attrs_len;
	(void)new_attrs;
	if ((a->flags & POINTS_ACCOUNT_SYSTEM) && a->id <= POINTS_ACCOUNT_EXPIRY)
		return points_db__err(db, POINTS_EINVAL,
		    "account %s is built in and cannot change",
		    a->external_id);
	if (u->name)
		strcpy(a->name, u->name);
	/* tier and department are history: no actor, no reason here */
	c.tier = u->tier;
	c.department = u->department;
	return points_account__change(db, a, &c);
}

POINTS_EXTERN int
points_account_update(points_db *db, int64_t id, const char *name,
    const char *tier, const char *department)
{
	struct update_ctx u;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if ((rc = points_db__check_str(db, "name", name, POINTS_NAME_MAX, 0)) ||
	    (rc = points_db__check_str(db, "tier", tier, POINTS_TIER_MAX, 0)) ||
	    (rc = points_db__check_str(db, "department", department,
	    POINTS_DEPT_MAX, 0)))
		return rc;
	u.name = name;
	u.tier = tier;
	u.department = department;
	return points_account__edit(db, id, edit_update, &u);
}

struct attr_ctx {
	const char *key, *value;
};

static int
edit_attr(points_db *db, points_account *a, const unsigned char *attrs,
    size_t attrs_len, int *new_attrs, void *ctx)
{
	struct attr_ctx *c = ctx;
	size_t klen = strlen(c->key);
	points_rd r;
	int count = 0;

	/* Copy every other pair, then append the new one: rewriting a
	 * key moves it last, which keeps this simple. */
	points_rd__init(&r, attrs, attrs_len);
	while (r.p < r.end && !r.err) {
		const char *k, *v;
		size_t kl, vl;

		points_rd__strref(&r, &k, &kl);
		points_rd__strref(&r, &v, &vl);
		if (r.err)
			break;
		if (kl == klen && memcmp(k, c->key, kl) == 0)
			continue;
		points_buf__uvar(&db->kbuf, kl);
		points_buf__bytes(&db->kbuf, k, kl);
		points_buf__uvar(&db->kbuf, vl);
		points_buf__bytes(&db->kbuf, v, vl);
		count++;
	}
	if (r.err)
		return points_db__err(db, POINTS_ECORRUPT,
		    "account %s: attributes unreadable", a->external_id);
	if (c->value) {
		if (count >= ATTR_MAX)
			return points_db__err(db, POINTS_ELIMIT,
			    "account %s: at most %d attributes",
			    a->external_id, ATTR_MAX);
		points_buf__str(&db->kbuf, c->key);
		points_buf__str(&db->kbuf, c->value);
	}
	*new_attrs = 1;
	return POINTS_OK;
}

POINTS_EXTERN int
points_account_attr_set(points_db *db, int64_t id, const char *key,
    const char *value)
{
	struct attr_ctx c;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if ((rc = points_db__check_str(db, "attribute key", key,
	    POINTS_ATTR_KEY_MAX, 1)) ||
	    (rc = points_db__check_str(db, "attribute value", value,
	    POINTS_ATTR_VALUE_MAX, 0)))
		return rc;
	c.key = key;
	c.value = value;
	return points_account__edit(db, id, edit_attr, &c);
}

POINTS_EXTERN int
points_account_attr_get(points_db *db, int64_t id, const char *key, char **out)
{
	unsigned char k[8];
	points_account a;
	const unsigned char *attrs;
	size_t attrs_len, klen;
	const void *v;
	size_t vl;
	char *found = NULL;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if ((rc = points_db__check_str(db, "attribute key", key,
	    POINTS_ATTR_KEY_MAX, 1)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	klen = strlen(key);
	if ((rc = points_db__read_begin(db)))
		return rc;
	key_id(k, id);
	rc = id > 0 ? points_db__get(db, &points_account__ks, k, 8, &v, &vl) :
	    POINTS_ENOTFOUND;
	if (rc == POINTS_ENOTFOUND)
		rc = points_db__err(db, rc, "account %lld not found",
		    (long long)id);
	if (rc == POINTS_OK)
		rc = decode(db, id, v, vl, &a, &attrs, &attrs_len);
	if (rc == POINTS_OK) {
		points_rd r;

		rc = points_db__err(db, POINTS_ENOTFOUND,
		    "account %s has no attribute '%s'", a.external_id, key);
		points_rd__init(&r, attrs, attrs_len);
		while (r.p < r.end && !r.err) {
			const char *ak, *av;
			size_t akl, avl;

			points_rd__strref(&r, &ak, &akl);
			points_rd__strref(&r, &av, &avl);
			if (r.err || akl != klen || memcmp(ak, key, klen))
				continue;
			found = points_alloc__malloc(avl + 1);
			if (!found) {
				rc = points_db__err(db, POINTS_ENOMEM,
				    "out of memory");
				break;
			}
			memcpy(found, av, avl);
			found[avl] = '\0';
			points_db__clear_err(db);
			rc = POINTS_OK;
			break;
		}
		if (r.err)
			rc = points_db__err(db, POINTS_ECORRUPT,
			    "account %s: attributes unreadable",
			    a.external_id);
	}
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = found;
	else
		points_alloc__free(found);
	return rc;
}


/* ---- Iteration: a chunk of accounts per read transaction ---- */

struct points_account_iterator {
	points_iter base;
	int64_t pos; /* the next id to read */
	points_account buf[POINTS_ITER_CHUNK];
};

static int account_fill(points_iter *base);
static const points_iter_type account_iter_type = POINTS_ITER_TYPE(
    "account iterator", struct points_account_iterator, pos, account_fill,
    NULL);

static int
account_fill(points_iter *base)
{
	struct points_account_iterator *it = (void *)base;
	points_db *db = base->db;
	points_cursor *c;
	unsigned char lo[8];
	int rc;

	key_id(lo, it->pos);
	rc = db->store->cursor_open(db->store, db->ks[points_account__ks.slot], lo, 8,
	    NULL, 0, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "account");
	while (base->n < POINTS_ITER_CHUNK) {
		const void *k, *v;
		size_t kl, vl;
		int64_t id;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			base->done = 1;
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, "account");
			break;
		}
		/* ids are 1..ID_MAX and come in order from pos on: a key
		 * that is not one must not restart the walk (id 0) */
		id = kl == 8 ? (int64_t)points_codec__get_be64(k) : 0;
		if (kl != 8 || id < it->pos || id > POINTS_ACCOUNT__ID_MAX) {
			rc = points_db__err(db, POINTS_ECORRUPT, "account list: "
			    "a key of %zu bytes (%s) after account %lld",
			    kl, kl != 8 ? "not 8" : "not an account id",
			    (long long)(it->pos - 1));
			break;
		}
		rc = decode(db, id, v, vl, &it->buf[base->n], NULL, NULL);
		if (rc)
			break;
		base->n++;
		it->pos = id + 1;
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

POINTS_EXTERN int
points_account_iterator_new(points_db *db, int64_t from_id,
    points_account_iterator **out)
{
	points_iter *base;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_iter__new(db, &account_iter_type,
	    sizeof(struct points_account_iterator), &base)))
		return rc;
	*out = (points_account_iterator *)(void *)base;
	(*out)->pos = from_id > 0 ? from_id : 1;
	return POINTS_OK;
}

POINTS_EXTERN int
points_account_next(points_account_iterator *it, points_account *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it),
	    &account_iter_type, out);

	if (rc == POINTS_OK)
		*out = it->buf[it->base.i++];
	return rc;
}

POINTS_EXTERN void
points_account_iterator_free(points_account_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
