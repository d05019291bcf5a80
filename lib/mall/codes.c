/* codes.c - code pools of virtual items (codes.h, points/mall.h): an
 * administrator uploads codes (shopping-card numbers) to an item, each
 * adding a unit to its stock; approving an order issues one per unit,
 * first uploaded first, and keeps them on the order.
 *
 * Codes are secrets: no message and no outbox event carries one; a
 * message names a code by its line in the upload. */
#include <string.h>

#include "points.h"
#include "util/codec.h"
#include "util/ids.h"
#include "core/db.h"
#include "core/iter.h"
#include "core/module.h"
#include "mall/codes.h"
#include "mall/item.h"

#define CODE_FORMAT 1
#define POOL_V1 1
#define CODE_V1 1

static points_ksdef pool_ks = { "mallcodepool", 0, 0 };
static points_ksdef code_ks = { "mallcode", POINTS_KS_ORDERED, 0 };
static points_ksdef seen_ks = { "mallcodeseen", 0, 0 };
static points_ksdef ocode_ks = { "mallordercode", POINTS_KS_ORDERED, 0 };
static points_ksdef *const keyspaces[] = { &pool_ks, &code_ks, &seen_ks,
	&ocode_ks, NULL };
static points_module code_module = {
	.name = "mall_code",
	.format = CODE_FORMAT,
	.keyspaces = keyspaces,
};
POINTS_MODULE(code_module)

/* ---- The pool's counts ---- */

typedef struct pool_rec {
	int64_t uploaded, issued;
} pool_rec;

static int
pool_load(points_db *db, const char *sku, pool_rec *p)
{
	const void *v;
	size_t vl;
	points_rd rd;
	int rc;

	memset(p, 0, sizeof(*p));
	rc = points_db__get(db, &pool_ks, sku, strlen(sku), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	points_rd__init(&rd, v, vl);
	if (points_rd__u8(&rd) != POOL_V1)
		rd.err = POINTS_ECORRUPT;
	p->uploaded = points_rd__svar(&rd);
	p->issued = points_rd__svar(&rd);
	if (rd.err || p->uploaded < 0 || p->issued < 0 ||
	    p->issued > p->uploaded)
		return points_db__err(db, POINTS_ECORRUPT, "item '%s': code "
		    "pool record unreadable", sku);
	return POINTS_OK;
}

static int
pool_store(points_db *db, const char *sku, const pool_rec *p)
{
	points_buf *b = &db->vbuf;

	points_buf__reset(b);
	points_buf__u8(b, POOL_V1);
	points_buf__svar(b, p->uploaded);
	points_buf__svar(b, p->issued);
	if (b->err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	return points_db__put(db, &pool_ks, sku, strlen(sku), b->data, b->len);
}

static size_t
code_key(unsigned char *k, const char *sku, int64_t n)
{
	size_t l = strlen(sku);

	memcpy(k, sku, l);
	k[l] = 0;
	points_codec__put_be64(k + l + 1, (uint64_t)n);
	return l + 9;
}

static void
pool_out(const char *sku, const pool_rec *p, points_code_pool *out)
{
	memset(out, 0, sizeof(*out));
	strcpy(out->sku, sku);
	out->uploaded = p->uploaded;
	out->issued = p->issued;
	out->available = p->uploaded - p->issued;
}

/* ---- Uploads ---- */

/* The next line of codes from *pos: its start and length, without a
 * trailing '\r'; 0 at the end. */
static int
next_line(const char **pos, const char **s, size_t *l)
{
	const char *p = *pos, *e;

	if (!*p)
		return 0;
	e = strchr(p, '\n');
	*s = p;
	*l = e ? (size_t)(e - p) : strlen(p);
	*pos = e ? e + 1 : p + *l;
	if (*l && p[*l - 1] == '\r')
		(*l)--;
	return 1;
}

/* Check every line of the upload; *n: the codes in it. */
static int
check_codes(points_db *db, const char *sku, const char *codes, int64_t *n)
{
	const char *pos = codes, *s;
	int64_t line = 0;
	size_t l, i;

	*n = 0;
	while (next_line(&pos, &s, &l)) {
		line++;
		if (l == 0)
			continue;
		if (l > POINTS_CODE_MAX)
			return points_db__err(db, POINTS_EINVAL, "item '%s': "
			    "the code on line %lld of the upload is too long "
			    "(at most %d bytes)", sku, (long long)line,
			    POINTS_CODE_MAX);
		for (i = 0; i < l; i++)
			if ((unsigned char)s[i] < 0x21 ||
			    (unsigned char)s[i] > 0x7e)
				return points_db__err(db, POINTS_EINVAL, "item "
				    "'%s': the code on line %lld of the upload "
				    "has a byte other than printable ASCII "
				    "(no spaces)", sku, (long long)line);
		if (++*n > POINTS_CODES_UPLOAD_MAX)
			return points_db__err(db, POINTS_ELIMIT, "item '%s': "
			    "an upload holds at most %d codes", sku,
			    POINTS_CODES_UPLOAD_MAX);
	}
	if (*n == 0)
		return points_db__err(db, POINTS_EINVAL, "item '%s': the upload "
		    "holds no codes", sku);
	return POINTS_OK;
}

static int
add_in(points_db *db, const char *sku, const char *codes, int64_t n,
    const char *actor, const char *reason, pool_rec *p)
{
	unsigned char k[POINTS_SKU_MAX + 9];
	points_item_rec item;
	const char *pos = codes, *s;
	const void *v;
	size_t l, vl;
	int64_t line = 0;
	int rc;

	if ((rc = points_item__load(db, sku, &item)) ||
	    (rc = pool_load(db, sku, p)))
		return rc;
	if (item.it.stock == POINTS_STOCK_UNLIMITED)
		return points_db__err(db, POINTS_EINVAL, "item '%s' has "
		    "unlimited stock: a code pool needs counted stock", sku);
	/* a component's stock would no longer count its codes: a bundle
	 * takes units from it without issuing any (bundle.h).  An item
	 * with a pool cannot become one, so only a first upload looks. */
	if (p->uploaded == 0) {
		char bundle[POINTS_SKU_MAX + 1];

		if ((rc = points_item__bundle_of(db, sku, bundle)) == 1)
			return points_db__err(db, POINTS_EINVAL, "item '%s' "
			    "is a component of bundle '%s': a component has "
			    "no code pool", sku, bundle);
		if (rc)
			return rc;
	}
	if (item.it.stock > INT64_MAX - n || p->uploaded > INT64_MAX - n)
		return points_db__err(db, POINTS_EOVERFLOW, "item '%s': stock "
		    "would overflow", sku);
	while (next_line(&pos, &s, &l)) {
		char code[POINTS_CODE_MAX + 1];

		line++;
		if (l == 0)
			continue;
		memcpy(code, s, l);
		code[l] = 0;
		rc = points_db__get(db, &seen_ks, code, l, &v, &vl);
		if (rc == POINTS_OK)
			return points_db__err(db, POINTS_EEXISTS, "item '%s': "
			    "the code on line %lld of the upload was uploaded "
			    "before", sku, (long long)line);
		if (rc != POINTS_ENOTFOUND)
			return rc;
		p->uploaded++;
		if ((rc = points_db__put(db, &seen_ks, code, l, sku,
		    strlen(sku))) ||
		    (rc = points_db__put(db, &code_ks, k, code_key(k, sku,
		    p->uploaded), code, l)))
			return rc;
	}
	item.it.stock += n;
	if ((rc = points_item__log_stock(db, &item, actor, reason)) ||
	    (rc = points_item__store(db, &item)))
		return rc;
	return pool_store(db, sku, p);
}

POINTS_EXTERN int
points_item_codes_add(points_db *db, const char *sku, const char *codes,
    const char *actor, const char *reason, points_code_pool *out)
{
	pool_rec p = { 0 };
	int64_t n;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_item__check_sku(db, sku)) ||
	    (rc = points_db__check_str(db, "actor", actor, POINTS_ACTOR_MAX,
	    1)) ||
	    (rc = points_db__check_str(db, "reason", reason,
	    POINTS_REASON_MAX, 0)))
		return rc;
	if (!codes)
		return points_db__err(db, POINTS_EINVAL, "item '%s': codes are "
		    "required", sku);
	if ((rc = check_codes(db, sku, codes, &n)) ||
	    (rc = points_db__write_begin(db)))
		return rc;
	rc = points_db__write_end(db, add_in(db, sku, codes, n, actor, reason,
	    &p));
	if (rc == POINTS_OK)
		pool_out(sku, &p, out);
	return rc;
}

POINTS_EXTERN int
points_item_codes_get(points_db *db, const char *sku, points_code_pool *out)
{
	points_item_rec item;
	pool_rec p;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_item__check_sku(db, sku)) ||
	    (rc = points_db__read_begin(db)))
		return rc;
	if ((rc = points_item__load(db, sku, &item)) == POINTS_OK)
		rc = pool_load(db, sku, &p);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		pool_out(sku, &p, out);
	return rc;
}

/* ---- Issuing ---- */

static size_t
ocode_key(unsigned char *k, const unsigned char id[POINTS_UUID_LEN],
    int64_t n)
{
	memcpy(k, id, POINTS_UUID_LEN);
	points_codec__put_be32(k + POINTS_UUID_LEN, (uint32_t)n);
	return POINTS_UUID_LEN + 4;
}

int
points_code__issue(points_db *db, const unsigned char id[POINTS_UUID_LEN],
    const char *text, const char *sku, int64_t quantity, int64_t *issued)
{
	unsigned char k[POINTS_SKU_MAX + 9], ok[POINTS_UUID_LEN + 4];
	points_buf *b = &db->vbuf;
	pool_rec p;
	int64_t i;
	int rc;

	*issued = 0;
	if ((rc = pool_load(db, sku, &p)))
		return rc;
	if (p.uploaded == 0)
		return POINTS_OK;
	if (p.uploaded - p.issued < quantity)
		return points_db__err(db, POINTS_EOUTOFSTOCK, "order %s: item "
		    "'%s' has %lld codes left in its pool, the order needs "
		    "%lld", text, sku, (long long)(p.uploaded - p.issued),
		    (long long)quantity);
	if (quantity > UINT32_MAX - 1)
		return points_db__err(db, POINTS_ELIMIT, "order %s: too many "
		    "codes for one order", text);
	for (i = 1; i <= quantity; i++) {
		char code[POINTS_CODE_MAX + 1];
		const void *v;
		size_t vl, kl = code_key(k, sku, p.issued + 1);

		rc = points_db__get(db, &code_ks, k, kl, &v, &vl);
		if (rc == POINTS_ENOTFOUND || (rc == POINTS_OK &&
		    (vl == 0 || vl > POINTS_CODE_MAX)))
			return points_db__err(db, POINTS_ECORRUPT, "item '%s': "
			    "code %lld of its pool is missing", sku,
			    (long long)(p.issued + 1));
		if (rc)
			return rc;
		memcpy(code, v, vl);
		code[vl] = 0;
		points_buf__reset(b);
		points_buf__u8(b, CODE_V1);
		points_buf__str(b, code);
		points_buf__str(b, sku);
		if (b->err)
			return points_db__err(db, POINTS_ENOMEM,
			    "out of memory");
		if ((rc = points_db__put(db, &ocode_ks, ok, ocode_key(ok, id,
		    i), b->data, b->len)) ||
		    (rc = points_db__del(db, &code_ks, k, kl)))
			return rc;
		p.issued++;
	}
	*issued = quantity;
	return pool_store(db, sku, &p);
}

int
points_code__order_has(points_db *db, const unsigned char id[POINTS_UUID_LEN],
    int *out)
{
	unsigned char k[POINTS_UUID_LEN + 4];
	const void *v;
	size_t vl;
	int rc;

	rc = points_db__get(db, &ocode_ks, k, ocode_key(k, id, 1), &v, &vl);
	if (rc && rc != POINTS_ENOTFOUND)
		return rc;
	*out = rc == POINTS_OK;
	return POINTS_OK;
}

int
points_code__pool(points_db *db, const char *sku, int *has, int64_t *left)
{
	pool_rec p;
	int rc;

	if ((rc = pool_load(db, sku, &p)))
		return rc;
	*has = p.uploaded > 0;
	*left = p.uploaded - p.issued;
	return POINTS_OK;
}

/* ---- An order's codes ---- */

#define CODE_BUF 16

struct points_order_code_iterator {
	points_iter base;
	int64_t next;
	unsigned char id[POINTS_UUID_LEN];
	points_order_code buf[CODE_BUF];
};

static int codes_fill(points_iter *base);
static const points_iter_type codes_type = POINTS_ITER_TYPE(
    "order code iterator", struct points_order_code_iterator, next,
    codes_fill, NULL);

static int
codes_fill(points_iter *base)
{
	struct points_order_code_iterator *it = (void *)base;
	points_db *db = base->db;
	unsigned char lo[POINTS_UUID_LEN + 4], hi[POINTS_UUID_LEN + 4];
	points_cursor *c;
	int rc;

	ocode_key(lo, it->id, it->next);
	memcpy(hi, it->id, POINTS_UUID_LEN);
	memset(hi + POINTS_UUID_LEN, 0xff, 4);
	rc = db->store->cursor_open(db->store, db->ks[ocode_ks.slot], lo,
	    sizeof(lo), hi, sizeof(hi), 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "mallordercode");
	while (base->n < CODE_BUF) {
		const void *k, *v;
		size_t kl, vl;
		points_order_code *out = &it->buf[base->n];
		points_rd rd;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			base->done = 1;
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, "mallordercode");
			break;
		}
		memset(out, 0, sizeof(*out));
		points_rd__init(&rd, v, vl);
		if (kl != POINTS_UUID_LEN + 4 || points_rd__u8(&rd) != CODE_V1)
			rd.err = POINTS_ECORRUPT;
		points_rd__str(&rd, out->code, sizeof(out->code));
		points_rd__str(&rd, out->sku, sizeof(out->sku));
		if (rd.err) {
			rc = points_db__err(db, POINTS_ECORRUPT,
			    "order code record unreadable");
			break;
		}
		points_ids__format(it->id, out->order_id);
		out->n = points_codec__get_be32((const unsigned char *)k +
		    POINTS_UUID_LEN);
		base->n++;
		it->next = out->n + 1;
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

POINTS_EXTERN int
points_order_code_iterator_new(points_db *db, const char *order_id,
    points_order_code_iterator **out)
{
	unsigned char id[POINTS_UUID_LEN];
	points_order o;
	points_iter *base;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if (!order_id)
		return points_db__err(db, POINTS_EINVAL, "order id is required");
	if ((rc = points_db__uuid_parse(db, order_id, id)) ||
	    (rc = points_order_get(db, order_id, &o)))
		return rc;
	if ((rc = points_iter__new(db, &codes_type,
	    sizeof(struct points_order_code_iterator), &base)))
		return rc;
	*out = (points_order_code_iterator *)(void *)base;
	(*out)->next = 1;
	memcpy((*out)->id, id, POINTS_UUID_LEN);
	return POINTS_OK;
}

POINTS_EXTERN int
points_order_code_next(points_order_code_iterator *it, points_order_code *out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &codes_type, out);

	if (rc == POINTS_OK)
		*out = it->buf[it->base.i++];
	return rc;
}

POINTS_EXTERN void
points_order_code_iterator_free(points_order_code_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
