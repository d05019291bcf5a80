/* ledger.c - entries, the hash chain, postings, idempotency, reversals
 * and statements; see ledger.h. */
#include <string.h>

#include <sodium.h>

#include "points.h"
#include "core/account.h"
#include "util/alloc.h"
#include "core/asset.h"
#include "core/balance.h"
#include "util/codec.h"
#include "core/db.h"
#include "core/iter.h"
#include "ledger/ledger.h"
#include "core/lot.h"

#define ENTRY_RECORD_V1 1
#define IDEM_RECORD_V1 1

/* seq (be64) -> entry record: the hash-chained log */
points_ksdef points_ledger__entry_ks = { "entry", POINTS_KS_INTKEY, 0 };
/* uuid (16) -> seq (be64); UUIDv7s grow */
points_ksdef points_ledger__txid_ks = { "txid", POINTS_KS_ORDERED, 0 };
/* idempotency key -> seq + request hash */
points_ksdef points_ledger__idem_ks = { "idem", 0, 0 };
/* seq (be64) -> amount reversed so far */
points_ksdef points_ledger__reversed_ks = { "reversed", 0, 0 };

/* The tail of the entry log, loaded on the first append of a write
 * transaction. */
struct ledger_tail {
	int loaded;
	int64_t seq;
	unsigned char hash[POINTS_HASH_LEN];
};

static void
tail_txn_end(points_db *db, void *state, int committed)
{
	(void)db;
	(void)committed;
	((struct ledger_tail *)state)->loaded = 0;
}

static points_ksdef *const keyspaces[] = {
	&points_ledger__entry_ks, &points_ledger__txid_ks,
	&points_ledger__idem_ks, &points_ledger__reversed_ks, NULL,
};
static points_module ledger_module = {
	"ledger", ENTRY_RECORD_V1, keyspaces, sizeof(struct ledger_tail),
	NULL, tail_txn_end, 0, NULL,
};
POINTS_MODULE(ledger_module)

static const char *const type_names[] = {
	"?", "earn", "spend", "transfer", "adjustment", "reversal", "expiry",
	"hold", "capture", "release",
};

/* ---- Entries ---- */

void
points_ent__init(points_ent *e, int type, uint32_t asset, int64_t time)
{
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->asset = asset;
	e->time = time;
}

void
points_ent__free(points_ent *e)
{
	points_lotlist__free(&e->out_lots);
	points_lotlist__free(&e->in_lots);
}

static void
encode_lots(points_buf *b, const points_lotlist *l)
{
	size_t i;

	points_buf__uvar(b, l->n);
	for (i = 0; i < l->n; i++) {
		points_buf__uvar(b, l->v[i].day);
		points_buf__uvar(b, (uint64_t)l->v[i].amount);
	}
}

int
points_ent__encode(points_db *db, const points_ent *e, points_buf *b)
{
	points_buf__reset(b);
	points_buf__u8(b, ENTRY_RECORD_V1);
	points_buf__u8(b, (unsigned)e->type);
	points_buf__bytes(b, e->txid, POINTS_UUID_LEN);
	points_buf__svar(b, e->time);
	points_buf__uvar(b, e->asset);
	points_buf__uvar(b, (uint64_t)e->from);
	points_buf__uvar(b, (uint64_t)e->to);
	points_buf__uvar(b, (uint64_t)e->amount);
	points_buf__uvar(b, (uint64_t)e->prev_from);
	points_buf__uvar(b, (uint64_t)e->prev_to);
	points_buf__uvar(b, (uint64_t)e->ref_seq);
	points_buf__str(b, e->memo);
	encode_lots(b, &e->out_lots);
	encode_lots(b, &e->in_lots);
	if (b->err)
		return points__err(db, POINTS_ENOMEM, "out of memory");
	return POINTS_OK;
}

static int
decode_lots(points_db *db, points_rd *r, points_lotlist *l)
{
	uint64_t i, n = points_rd__uvar(r);
	int rc;

	if (n > (uint64_t)(r->end - r->p)) /* each lot takes 2+ bytes */
		r->err = POINTS_ECORRUPT;
	for (i = 0; i < n && !r->err; i++) {
		uint64_t day = points_rd__uvar(r);
		uint64_t amount = points_rd__uvar(r);

		if (day > POINTS_DAY_NEVER || amount > INT64_MAX)
			r->err = POINTS_ECORRUPT;
		else if ((rc = points_lotlist__push(db, l, (uint32_t)day,
		    (int64_t)amount)))
			return rc;
	}
	return POINTS_OK;
}

int
points_ent__decode(points_db *db, int64_t seq, const void *v, size_t vl,
    points_ent *e)
{
	points_rd r;
	int rc;

	e->seq = seq;
	e->out_lots.n = e->in_lots.n = 0;
	if (vl < POINTS_HASH_LEN)
		return points__err(db, POINTS_ECORRUPT,
		    "entry %lld: record unreadable", (long long)seq);
	points_rd__init(&r, v, vl - POINTS_HASH_LEN);
	if (points_rd__u8(&r) != ENTRY_RECORD_V1)
		r.err = POINTS_ECORRUPT;
	e->type = (int)points_rd__u8(&r);
	points_rd__bytes(&r, e->txid, POINTS_UUID_LEN);
	e->time = points_rd__svar(&r);
	e->asset = (uint32_t)points_rd__uvar(&r);
	e->from = (int64_t)points_rd__uvar(&r);
	e->to = (int64_t)points_rd__uvar(&r);
	e->amount = (int64_t)points_rd__uvar(&r);
	e->prev_from = (int64_t)points_rd__uvar(&r);
	e->prev_to = (int64_t)points_rd__uvar(&r);
	e->ref_seq = (int64_t)points_rd__uvar(&r);
	points_rd__str(&r, e->memo, sizeof(e->memo));
	if ((rc = decode_lots(db, &r, &e->out_lots)) ||
	    (rc = decode_lots(db, &r, &e->in_lots)))
		return rc;
	if (r.err || r.p != r.end || e->type < POINTS_TXN_EARN ||
	    e->type > POINTS_TXN_RELEASE || e->amount < 0)
		return points__err(db, POINTS_ECORRUPT,
		    "entry %lld: record unreadable", (long long)seq);
	memcpy(e->hash, (const unsigned char *)v + vl - POINTS_HASH_LEN,
	    POINTS_HASH_LEN);
	return POINTS_OK;
}

void
points_ent__hash(const unsigned char prev[POINTS_HASH_LEN], int64_t seq,
    const void *rec, size_t len, unsigned char out[POINTS_HASH_LEN])
{
	crypto_generichash_state st;
	unsigned char k[8];

	points__put_be64(k, (uint64_t)seq);
	crypto_generichash_init(&st, NULL, 0, POINTS_HASH_LEN);
	crypto_generichash_update(&st, prev, POINTS_HASH_LEN);
	crypto_generichash_update(&st, k, sizeof(k));
	crypto_generichash_update(&st, rec, len);
	crypto_generichash_final(&st, out, POINTS_HASH_LEN);
}

int
points_ent__load(points_db *db, int64_t seq, points_ent *e)
{
	unsigned char k[8];
	const void *v;
	size_t vl;
	int rc;

	points__put_be64(k, (uint64_t)seq);
	rc = points__get(db, &points_ledger__entry_ks, k, 8, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points__err(db, POINTS_ECORRUPT,
		    "entry %lld is missing", (long long)seq);
	if (rc)
		return rc;
	return points_ent__decode(db, seq, v, vl, e);
}

static int
load_tail(points_db *db, struct ledger_tail *t)
{
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	int rc;

	rc = db->store->cursor_open(db->store, db->ks[points_ledger__entry_ks.slot], NULL, 0,
	    NULL, 0, 1, &c);
	if (rc)
		return points__store_err(db, rc, "entry");
	rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
	if (rc == POINTS_ITEROVER) {
		t->seq = 0;
		memset(t->hash, 0, POINTS_HASH_LEN);
		rc = POINTS_OK;
	} else if (rc == POINTS_OK) {
		if (kl != 8 || vl < POINTS_HASH_LEN)
			rc = points__err(db, POINTS_ECORRUPT,
			    "the last entry is unreadable");
		else {
			t->seq = (int64_t)points__get_be64(k);
			memcpy(t->hash, (const unsigned char *)v + vl -
			    POINTS_HASH_LEN, POINTS_HASH_LEN);
		}
	} else {
		rc = points__store_err(db, rc, "entry");
	}
	db->store->cursor_close(db->store, c);
	if (rc == POINTS_OK)
		t->loaded = 1;
	return rc;
}

int
points_ledger__append(points_db *db, points_ent *e, points_bal *from,
    points_bal *to)
{
	unsigned char k[8];
	unsigned char hash[POINTS_HASH_LEN];
	points_buf b;
	struct ledger_tail *t = points_db__state(db, &ledger_module);
	int64_t seq;
	int rc;

	if (!t->loaded && (rc = load_tail(db, t)))
		return rc;
	seq = t->seq + 1;
	e->seq = seq;
	points_ids__uuid7(&db->rng, e->txid);
	e->prev_from = from->last_seq;
	e->prev_to = to->last_seq;
	points_buf__init(&b);
	if ((rc = points_ent__encode(db, e, &b)) == POINTS_OK) {
		points_ent__hash(t->hash, seq, b.data, b.len, hash);
		points_buf__bytes(&b, hash, POINTS_HASH_LEN);
		if (b.err)
			rc = points__err(db, POINTS_ENOMEM, "out of memory");
	}
	points__put_be64(k, (uint64_t)seq);
	if (rc == POINTS_OK)
		rc = points__put(db, &points_ledger__entry_ks, k, 8, b.data, b.len);
	if (rc == POINTS_OK)
		rc = points__put(db, &points_ledger__txid_ks, e->txid, POINTS_UUID_LEN, k, 8);
	points_buf__free(&b);
	if (rc)
		return rc;
	memcpy(e->hash, hash, POINTS_HASH_LEN);
	t->seq = seq;
	memcpy(t->hash, hash, POINTS_HASH_LEN);
	from->last_seq = seq;
	to->last_seq = seq;
	return POINTS_OK;
}

/* The transaction id of the entry at seq. */
static int
seq_txid(points_db *db, int64_t seq, char out[POINTS_ID_LEN + 1])
{
	points_ent e;
	int rc;

	points_ent__init(&e, 0, 0, 0);
	rc = points_ent__load(db, seq, &e);
	if (rc == POINTS_OK)
		points_ids__format(e.txid, out);
	points_ent__free(&e);
	return rc;
}

int
points_ledger__txn(points_db *db, const points_ent *e, points_txn *out)
{
	points_asset_rec a;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = points_asset__by_id(db, e->asset, &a)))
		return rc;
	points_ids__format(e->txid, out->id);
	out->seq = e->seq;
	out->type = e->type;
	out->time = e->time;
	strcpy(out->asset, a.a.code);
	out->from = e->from;
	out->to = e->to;
	out->amount = e->amount;
	strcpy(out->memo, e->memo);
	if (e->ref_seq && (rc = seq_txid(db, e->ref_seq, out->ref)))
		return rc;
	return POINTS_OK;
}

static int
txid_seq(points_db *db, const unsigned char txid[POINTS_UUID_LEN],
    const char *text, int64_t *seq)
{
	const void *v;
	size_t vl;
	int rc;

	rc = points__get(db, &points_ledger__txid_ks, txid, POINTS_UUID_LEN, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points__err(db, rc, "transaction %s not found", text);
	if (rc)
		return rc;
	if (vl != 8)
		return points__err(db, POINTS_ECORRUPT,
		    "transaction %s: index entry unreadable", text);
	*seq = (int64_t)points__get_be64(v);
	return POINTS_OK;
}

/* ---- Idempotency ---- */

void
points_ledger__req_hash(const points_buf *req, unsigned char out[16])
{
	crypto_generichash(out, 16, req->data, req->len, NULL, 0);
}

int
points_ledger__idem_check(points_db *db, const char *key,
    const unsigned char hash[16], points_txn *out)
{
	const void *v;
	size_t vl;
	points_rd r;
	unsigned char stored[16];
	int64_t seq;
	points_ent e;
	int rc;

	if (!key)
		return POINTS_OK;
	rc = points__get(db, &points_ledger__idem_ks, key, strlen(key), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	points_rd__init(&r, v, vl);
	if (points_rd__u8(&r) != IDEM_RECORD_V1)
		r.err = POINTS_ECORRUPT;
	seq = (int64_t)points_rd__uvar(&r);
	points_rd__bytes(&r, stored, 16);
	if (r.err)
		return points__err(db, POINTS_ECORRUPT,
		    "idempotency key '%s': record unreadable", key);
	if (memcmp(stored, hash, 16) != 0)
		return points__err(db, POINTS_ECONFLICT,
		    "idempotency key '%s' was used for a different request",
		    key);
	points_ent__init(&e, 0, 0, 0);
	rc = points_ent__load(db, seq, &e);
	if (rc == POINTS_OK)
		rc = points_ledger__txn(db, &e, out);
	points_ent__free(&e);
	if (rc)
		return rc;
	out->replayed = 1;
	return POINTS_ITEROVER;
}

int
points_ledger__idem_record(points_db *db, const char *key,
    const unsigned char hash[16], int64_t seq)
{
	unsigned char v[1 + 10 + 16];
	points_buf b;
	int rc;

	if (!key)
		return POINTS_OK;
	points_buf__init(&b);
	points_buf__u8(&b, IDEM_RECORD_V1);
	points_buf__uvar(&b, (uint64_t)seq);
	points_buf__bytes(&b, hash, 16);
	memcpy(v, b.data, b.len); /* fits the inline buffer: no failure */
	rc = points__put(db, &points_ledger__idem_ks, key, strlen(key), v, b.len);
	points_buf__free(&b);
	return rc;
}

/* ---- Moving points ---- */

int
points_ledger__credit(points_db *db, points_bal *b, int64_t amount,
    const points_lotlist *src, uint32_t fallback_day, points_lotlist *in_lots)
{
	int64_t old = b->available, eligible, from_src;
	points_lotrec addbuf[8];
	points_lotlist add;
	size_t i;
	int rc = POINTS_OK;

	points_lotlist__lend(&add, addbuf);

	if (points__add(&b->available, amount))
		return points__err(db, POINTS_EOVERFLOW,
		    "account %lld: balance would overflow",
		    (long long)b->account);
	if (b->system)
		return POINTS_OK;
	/* Only the part above zero makes lots: a credit first pays back
	 * what an account allowed to go negative owes. */
	eligible = (b->available > 0 ? b->available : 0) - (old > 0 ? old : 0);
	from_src = src ? points_lotlist__sum(src) : 0;
	if (from_src > eligible)
		from_src = eligible;
	if (src && from_src > 0)
		rc = points_lotlist__tail(db, src, 0, from_src, &add);
	if (rc == POINTS_OK && eligible > from_src)
		rc = points_lotlist__add(db, &add, fallback_day,
		    eligible - from_src, NULL);
	for (i = 0; rc == POINTS_OK && i < add.n; i++) {
		rc = points_balance__add_lot(db, b, add.v[i].day,
		    add.v[i].amount);
		if (rc == POINTS_OK && in_lots)
			rc = points_lotlist__push(db, in_lots, add.v[i].day,
			    add.v[i].amount);
	}
	points_lotlist__free(&add);
	return rc;
}

int
points_ledger__debit(points_db *db, points_bal *b, int64_t amount,
    const points_lotlist *prefer, points_lotlist *out_lots)
{
	char label[POINTS_EXTID_MAX + 2];
	int64_t from_lots;

	if (!(b->flags & POINTS_ACCOUNT_ALLOW_NEGATIVE) &&
	    b->available < amount) {
		points_balance__label(db, b->account, label, sizeof(label));
		return points__err(db, POINTS_EINSUFFICIENT,
		    "account %s: insufficient points: available %lld, "
		    "needs %lld", label, (long long)b->available,
		    (long long)amount);
	}
	if (b->available < INT64_MIN + amount) {
		points_balance__label(db, b->account, label, sizeof(label));
		return points__err(db, POINTS_EOVERFLOW,
		    "account %s: balance would overflow", label);
	}
	from_lots = b->system ? 0 : points_lotlist__sum(&b->lots);
	if (from_lots > amount)
		from_lots = amount;
	b->available -= amount;
	if (from_lots > 0)
		return points_lotlist__take(db, &b->lots, from_lots, prefer,
		    out_lots);
	return POINTS_OK;
}

/* ---- Postings: earn, spend, transfer, adjust ---- */

static int
check_posting(points_db *db, const points_posting *p, points_txn *out,
    int signed_amount)
{
	int rc;

	if ((rc = points__check_db(db)))
		return rc;
	if (!p)
		return points__err(db, POINTS_EINVAL, "posting is required");
	if (!out)
		return points__err(db, POINTS_EINVAL, "out is required");
	if (p->version == 0 || p->version > POINTS_POSTING_VERSION)
		return points__err(db, POINTS_EVERSION,
		    "posting version %u not supported", p->version);
	if (signed_amount) {
		if (p->amount == 0 || p->amount == INT64_MIN)
			return points__err(db, POINTS_EINVAL,
			    "adjustment amount must be non-zero");
	} else if ((rc = points__check_amount(db, p->amount))) {
		return rc;
	}
	if (p->time < 0 || p->expires_at < 0)
		return points__err(db, POINTS_EINVAL,
		    "times must not be negative");
	if ((rc = points__check_str(db, "memo", p->memo, POINTS_MEMO_MAX, 0)) ||
	    (rc = points__check_str(db, "idempotency key",
	    p->idempotency_key, POINTS_IDEM_MAX, 0)))
		return rc;
	return POINTS_OK;
}

static void
posting_hash(int type, const points_posting *p, unsigned char out[16])
{
	points_buf b;

	points_buf__init(&b);
	points_buf__u8(&b, (unsigned)type);
	points_buf__str(&b, p->asset);
	points_buf__svar(&b, p->account);
	points_buf__svar(&b, p->counterparty);
	points_buf__svar(&b, p->amount);
	points_buf__str(&b, p->memo);
	points_buf__svar(&b, p->time);
	points_buf__svar(&b, p->expires_at);
	points_ledger__req_hash(&b, out);
	points_buf__free(&b);
}

/* Store both balances of a two-account movement. */
static int
store_pair(points_db *db, points_bal *from, points_bal *to)
{
	int rc = points_balance__store(db, from, 0);

	if (rc == POINTS_OK && to != from)
		rc = points_balance__store(db, to, 0);
	return rc;
}

static int
counter_add(points_db *db, int64_t *c, int64_t v)
{
	if (points__add(c, v))
		return points__err(db, POINTS_EOVERFLOW,
		    "lifetime counter would overflow");
	return POINTS_OK;
}

/* The expiry day of a new lot: the posting's own expires_at (the end of
 * its day; INT64_MAX or beyond the calendar: never) or the asset's. */
static uint32_t
lot_day(points_db *db, const points_asset *a, int64_t expires_at, int64_t t)
{
	if (!expires_at)
		return points_asset__expiry_day(db, a, t);
	return points_asset__clamp_day(points__day(db, expires_at));
}

static int
post(points_db *db, int type, const points_posting *p, points_txn *out)
{
	unsigned char hash[16] = { 0 };
	points_asset_rec asset;
	points_bal fb, tb;
	points_ent e;
	/* the lists' first lots live here: no allocation for most postings */
	points_lotrec fbuf[32], tbuf[32], inbuf[8], outbuf[8];
	points_txn res; /* copied to out only once committed */
	int64_t amount, t, from, to;
	int rc;

	if ((rc = check_posting(db, p, out, type == POINTS_TXN_ADJUST)))
		return rc;
	amount = p->amount;
	if (type == POINTS_TXN_ADJUST && (!p->memo || !*p->memo))
		return points__err(db, POINTS_EINVAL,
		    "an adjustment needs a reason (memo)");
	t = points__time(db, p->time);
	/* Who pays whom. */
	switch (type) {
	case POINTS_TXN_EARN:
		from = p->counterparty ? p->counterparty : POINTS_ACCOUNT_ISSUER;
		to = p->account;
		break;
	case POINTS_TXN_SPEND:
		from = p->account;
		to = p->counterparty ? p->counterparty : POINTS_ACCOUNT_SINK;
		break;
	case POINTS_TXN_TRANSFER:
		from = p->account;
		to = p->counterparty;
		if (to == from)
			return points__err(db, POINTS_EINVAL,
			    "a transfer needs two different accounts");
		break;
	default: /* adjustment: the sign says which way */
		if (amount > 0) {
			from = p->counterparty ? p->counterparty :
			    POINTS_ACCOUNT_ISSUER;
			to = p->account;
		} else {
			amount = -amount;
			from = p->account;
			to = p->counterparty ? p->counterparty :
			    POINTS_ACCOUNT_ISSUER;
		}
		if (to == from)
			return points__err(db, POINTS_EINVAL,
			    "an adjustment needs two different accounts");
		break;
	}
	/* only a request that can be replayed needs its fingerprint */
	if (p->idempotency_key)
		posting_hash(type, p, hash);

	if ((rc = points__write_begin(db)))
		return rc;
	points_ent__init(&e, type, 0, t);
	points_bal__init(&fb, from, 0, 0);
	points_bal__init(&tb, to, 0, 0);
	points_lotlist__lend(&fb.lots, fbuf);
	points_lotlist__lend(&tb.lots, tbuf);
	points_lotlist__lend(&e.in_lots, inbuf);
	points_lotlist__lend(&e.out_lots, outbuf);
	rc = points_ledger__idem_check(db, p->idempotency_key, hash, &res);
	if (rc == POINTS_ITEROVER) {
		rc = POINTS_OK;
		goto done;
	}
	/* checked after the replay: a retry may come after expires_at */
	if (rc == POINTS_OK && p->expires_at && p->expires_at < t)
		rc = points__err(db, POINTS_EINVAL,
		    "expires_at is before the posting time");
	if (rc == POINTS_OK)
		rc = points_asset__find(db, p->asset, &asset);
	if (rc)
		goto done;
	/* User-facing postings need active users on the user side and a
	 * system account on the other; adjustments may touch frozen
	 * accounts. */
	fb.asset = tb.asset = e.asset = asset.id;
	switch (type) {
	case POINTS_TXN_EARN:
		if (!(rc = points_balance__load_party(db, &tb, 1, 0)))
			rc = points_balance__load_party(db, &fb, -1, 0);
		break;
	case POINTS_TXN_SPEND:
		if (!(rc = points_balance__load_party(db, &fb, 1, 0)))
			rc = points_balance__load_party(db, &tb, -1, 0);
		break;
	case POINTS_TXN_TRANSFER:
		if (!(rc = points_balance__load_party(db, &fb, 1, 0)))
			rc = points_balance__load_party(db, &tb, 1, 0);
		break;
	default:
		if (!(rc = points_balance__load_party(db, &fb, 0, 1)))
			rc = points_balance__load_party(db, &tb, 0, 1);
		break;
	}
	if (rc)
		goto done;
	/* Check and compute in memory; write only when all is well. */
	if ((rc = points_ledger__debit(db, &fb, amount, NULL, &e.out_lots)))
		goto done;
	if ((rc = points_ledger__credit(db, &tb, amount, &e.out_lots,
	    lot_day(db, &asset.a, p->expires_at, t), &e.in_lots)))
		goto done;
	if ((rc = counter_add(db, &fb.spent, amount)) ||
	    (rc = counter_add(db, &tb.earned, amount)))
		goto done;
	e.from = from;
	e.to = to;
	e.amount = amount;
	if (p->memo)
		strcpy(e.memo, p->memo);
	if ((rc = points_ledger__append(db, &e, &fb, &tb)) ||
	    (rc = store_pair(db, &fb, &tb)) ||
	    (rc = points_ledger__idem_record(db, p->idempotency_key, hash,
	    e.seq)))
		goto done;
	rc = points_ledger__txn(db, &e, &res);
done:
	points_ent__free(&e);
	points_bal__free(&fb);
	points_bal__free(&tb);
	if ((rc = points__write_end(db, rc)) == POINTS_OK)
		*out = res;
	return rc;
}

POINTS_EXTERN int
points_earn(points_db *db, const points_posting *p, points_txn *out)
{
	return post(db, POINTS_TXN_EARN, p, out);
}

POINTS_EXTERN int
points_spend(points_db *db, const points_posting *p, points_txn *out)
{
	return post(db, POINTS_TXN_SPEND, p, out);
}

POINTS_EXTERN int
points_transfer(points_db *db, const points_posting *p, points_txn *out)
{
	return post(db, POINTS_TXN_TRANSFER, p, out);
}

POINTS_EXTERN int
points_adjust(points_db *db, const points_posting *p, points_txn *out)
{
	return post(db, POINTS_TXN_ADJUST, p, out);
}

POINTS_EXTERN int
points_posting_init(points_posting *p)
{
	static const points_posting init = POINTS_POSTING_INIT;

	if (!p)
		return POINTS_EINVAL;
	*p = init;
	return POINTS_OK;
}

/* ---- Reversals ---- */

static int
load_reversed(points_db *db, int64_t seq, int64_t *out)
{
	unsigned char k[8];
	const void *v;
	size_t vl;
	int rc;

	points__put_be64(k, (uint64_t)seq);
	rc = points__get(db, &points_ledger__reversed_ks, k, 8, &v, &vl);
	*out = 0;
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	if (vl != 8)
		return points__err(db, POINTS_ECORRUPT,
		    "reversal record of entry %lld unreadable", (long long)seq);
	*out = (int64_t)points__get_be64(v);
	return POINTS_OK;
}

static int
reverse(points_db *db, const unsigned char txid[POINTS_UUID_LEN],
    const char *txn_id, int64_t amount, const char *memo, points_txn *out)
{
	points_ent orig, e;
	points_bal fb, tb;
	points_lotlist back = { 0, 0, NULL, 0 }, give = { 0, 0, NULL, 0 };
	points_asset_rec asset;
	int64_t seq, done, left;
	unsigned char k[8], v[8];
	int rc;

	points_ent__init(&orig, 0, 0, 0);
	points_ent__init(&e, POINTS_TXN_REVERSAL, 0, points__time(db, 0));
	points_bal__init(&fb, 0, 0, 0);
	points_bal__init(&tb, 0, 0, 0);
	if ((rc = txid_seq(db, txid, txn_id, &seq)) ||
	    (rc = points_ent__load(db, seq, &orig)))
		goto done;
	switch (orig.type) {
	case POINTS_TXN_EARN: case POINTS_TXN_SPEND: case POINTS_TXN_TRANSFER:
	case POINTS_TXN_ADJUST: case POINTS_TXN_CAPTURE:
		break;
	default:
		rc = points__err(db, POINTS_EINVAL,
		    "transaction %s is a %s and cannot be reversed", txn_id,
		    type_names[orig.type]);
		goto done;
	}
	if ((rc = load_reversed(db, seq, &done)))
		goto done;
	left = orig.amount - done;
	if (left <= 0) {
		rc = points__err(db, POINTS_ESTATE,
		    "transaction %s is already fully reversed", txn_id);
		goto done;
	}
	if (amount == 0)
		amount = left;
	if (amount > left) {
		rc = points__err(db, POINTS_EINVAL,
		    "transaction %s: reversal of %lld exceeds the %lld left",
		    txn_id, (long long)amount, (long long)left);
		goto done;
	}
	/* The original's receiver pays back its sender. */
	tb.account = orig.to;
	fb.account = orig.from;
	tb.asset = fb.asset = e.asset = orig.asset;
	if ((rc = points_balance__load_party(db, &tb, 0, 1)) ||
	    (rc = points_balance__load_party(db, &fb, 0, 1)) ||
	    (rc = points_asset__by_id(db, orig.asset, &asset)))
		goto done;
	/* Both sides unwind from the end, past what earlier reversals
	 * returned: the receiver gives back the lots it got last (while it
	 * still has them), the sender gets back the lots consumed last. */
	if ((rc = points_lotlist__tail(db, &orig.in_lots, done, amount,
	    &give)) ||
	    (rc = points_ledger__debit(db, &tb, amount, &give, &e.out_lots)))
		goto done;
	if ((rc = points_lotlist__tail(db, &orig.out_lots, done, amount,
	    &back)) ||
	    (rc = points_ledger__credit(db, &fb, amount, &back,
	    points_asset__expiry_day(db, &asset.a, orig.time), &e.in_lots)))
		goto done;
	if ((rc = counter_add(db, &tb.earned, -amount)) ||
	    (rc = counter_add(db, &fb.spent, -amount)))
		goto done;
	e.from = orig.to;
	e.to = orig.from;
	e.amount = amount;
	e.ref_seq = seq;
	if (memo)
		strcpy(e.memo, memo);
	points__put_be64(k, (uint64_t)seq);
	points__put_be64(v, (uint64_t)(done + amount));
	if ((rc = points_ledger__append(db, &e, &tb, &fb)) ||
	    (rc = store_pair(db, &tb, &fb)) ||
	    (rc = points__put(db, &points_ledger__reversed_ks, k, 8, v, 8)))
		goto done;
	rc = points_ledger__txn(db, &e, out);
done:
	points_lotlist__free(&back);
	points_lotlist__free(&give);
	points_ent__free(&orig);
	points_ent__free(&e);
	points_bal__free(&fb);
	points_bal__free(&tb);
	return rc;
}

POINTS_EXTERN int
points_reverse(points_db *db, const char *txn_id, int64_t amount,
    const char *memo, const char *idempotency_key, points_txn *out)
{
	unsigned char txid[POINTS_UUID_LEN], hash[16] = { 0 };
	points_txn res;
	points_buf b;
	int rc;

	if ((rc = points__check_db(db)))
		return rc;
	if ((rc = points__uuid_parse(db, txn_id, txid)))
		return rc;
	if (amount < 0)
		return points__err(db, POINTS_EINVAL,
		    "reversal amount must not be negative (0: all)");
	if ((rc = points__check_str(db, "memo", memo, POINTS_MEMO_MAX, 0)) ||
	    (rc = points__check_str(db, "idempotency key", idempotency_key,
	    POINTS_IDEM_MAX, 0)))
		return rc;
	if (!out)
		return points__err(db, POINTS_EINVAL, "out is required");
	if (idempotency_key) {
		points_buf__init(&b);
		points_buf__u8(&b, POINTS_TXN_REVERSAL);
		points_buf__bytes(&b, txid, sizeof(txid));
		points_buf__svar(&b, amount);
		points_buf__str(&b, memo);
		points_ledger__req_hash(&b, hash);
		points_buf__free(&b);
	}

	if ((rc = points__write_begin(db)))
		return rc;
	rc = points_ledger__idem_check(db, idempotency_key, hash, &res);
	if (rc == POINTS_OK) {
		rc = reverse(db, txid, txn_id, amount, memo, &res);
		if (rc == POINTS_OK)
			rc = points_ledger__idem_record(db, idempotency_key,
			    hash, res.seq);
	} else if (rc == POINTS_ITEROVER) {
		rc = POINTS_OK; /* a replay */
	}
	if ((rc = points__write_end(db, rc)) == POINTS_OK)
		*out = res;
	return rc;
}

POINTS_EXTERN int
points_txn_get(points_db *db, const char *txn_id, points_txn *out)
{
	unsigned char txid[POINTS_UUID_LEN];
	points_txn t;
	points_ent e;
	int64_t seq;
	int rc;

	if ((rc = points__check_db(db)))
		return rc;
	if ((rc = points__uuid_parse(db, txn_id, txid)))
		return rc;
	if (!out)
		return points__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points__read_begin(db)))
		return rc;
	points_ent__init(&e, 0, 0, 0);
	rc = txid_seq(db, txid, txn_id, &seq);
	if (rc == POINTS_OK)
		rc = points_ent__load(db, seq, &e);
	if (rc == POINTS_OK)
		rc = points_ledger__txn(db, &e, &t);
	points_ent__free(&e);
	points__read_end(db);
	if (rc == POINTS_OK)
		*out = t;
	return rc;
}

/* ---- Statements: walk the account's links ---- */

/* The link to the account's previous entry, and its view of e. */
static int64_t
entry_view(const points_ent *e, int64_t account, points_entry *out)
{
	int is_from = e->from == account;

	if (out) {
		memset(out, 0, sizeof(*out));
		points_ids__format(e->txid, out->txn_id);
		out->seq = e->seq;
		out->type = e->type;
		out->time = e->time;
		out->account = account;
		strcpy(out->memo, e->memo);
		switch (e->type) {
		case POINTS_TXN_HOLD:
			out->amount = -e->amount;
			out->held = e->amount;
			break;
		case POINTS_TXN_RELEASE:
			out->amount = e->amount;
			out->held = -e->amount;
			break;
		case POINTS_TXN_CAPTURE:
			if (is_from)
				out->held = -e->amount;
			else
				out->amount = e->amount;
			break;
		default:
			out->amount = is_from ? -e->amount : e->amount;
			break;
		}
		if (e->from != e->to)
			out->counterparty = is_from ? e->to : e->from;
	}
	return is_from ? e->prev_from : e->prev_to;
}

static int
statement_emit(points_iter *it, const points_ent *e)
{
	points_entry *out = &it->u.entries[it->n];

	if (e->time < it->from || (it->to && e->time >= it->to))
		return POINTS_OK;
	entry_view(e, it->account, out);
	strcpy(out->asset, it->asset_code);
	it->n++;
	return POINTS_OK;
}

static int
statement_fill(points_iter *it)
{
	points_db *db = it->db;
	points_ent e;
	int rc = POINTS_OK;

	points_ent__init(&e, 0, 0, 0);
	if (it->order == POINTS_NEWEST_FIRST) {
		while (it->n < POINTS_ITER_CHUNK && it->pos > 0) {
			if ((rc = points_ent__load(db, it->pos, &e)))
				break;
			it->pos = entry_view(&e, it->account, NULL);
			statement_emit(it, &e);
		}
		if (it->pos == 0)
			it->done = 1;
	} else {
		/* it->seqs holds the account's entries newest first; pos
		 * counts how many are consumed from the end. */
		while (it->n < POINTS_ITER_CHUNK && (size_t)it->pos < it->nseqs) {
			rc = points_ent__load(db,
			    it->seqs[it->nseqs - 1 - (size_t)it->pos], &e);
			if (rc)
				break;
			it->pos++;
			statement_emit(it, &e);
		}
		if ((size_t)it->pos == it->nseqs)
			it->done = 1;
	}
	points_ent__free(&e);
	return rc;
}

/* Collect the seqs of the account's chain for an oldest-first walk. */
static int
statement_collect(points_db *db, points_iter *it, int64_t seq)
{
	size_t cap = 0;
	points_ent e;
	int rc = POINTS_OK;

	points_ent__init(&e, 0, 0, 0);
	while (seq > 0) {
		if (it->nseqs == cap) {
			int64_t *v;

			cap = cap ? cap * 2 : 64;
			v = points__realloc(it->seqs, cap * sizeof(*v));
			if (!v) {
				rc = points__err(db, POINTS_ENOMEM,
				    "out of memory");
				break;
			}
			it->seqs = v;
		}
		it->seqs[it->nseqs++] = seq;
		if ((rc = points_ent__load(db, seq, &e)))
			break;
		seq = entry_view(&e, it->account, NULL);
	}
	points_ent__free(&e);
	return rc;
}

POINTS_EXTERN int
points_statement(points_db *db, int64_t account, const char *asset,
    int64_t from, int64_t to, int order, points_iter **out)
{
	points_asset_rec a;
	points_account acct;
	points_bal b;
	points_iter *it = NULL;
	int rc;

	if ((rc = points__check_db(db)))
		return rc;
	if (!out)
		return points__err(db, POINTS_EINVAL, "out is required");
	if (order != POINTS_NEWEST_FIRST && order != POINTS_OLDEST_FIRST)
		return points__err(db, POINTS_EINVAL, "unknown order %d", order);
	if (from < 0 || to < 0 || (to && to < from))
		return points__err(db, POINTS_EINVAL, "bad time range");
	if ((rc = points__read_begin(db)))
		return rc;
	points_bal__init(&b, account, 0, 1);
	rc = points_asset__find(db, asset, &a);
	if (rc == POINTS_OK)
		rc = points_account__load(db, account, &acct);
	if (rc == POINTS_OK) {
		b.asset = a.id;
		rc = points_balance__load(db, &b);
	}
	if (rc == POINTS_OK)
		rc = points_iter__new(db, POINTS_ITER_ENTRY, statement_fill,
		    &it);
	if (rc == POINTS_OK) {
		it->account = account;
		it->asset = a.id;
		strcpy(it->asset_code, a.a.code);
		it->from = from;
		it->to = to;
		it->order = order;
		it->pos = b.last_seq;
		if (order == POINTS_OLDEST_FIRST) {
			it->pos = 0;
			rc = statement_collect(db, it, b.last_seq);
		}
	}
	points__read_end(db);
	points_bal__free(&b);
	if (rc) {
		points_iter_free(it);
		return rc;
	}
	*out = it;
	return POINTS_OK;
}

POINTS_EXTERN int
points_entry_next(points_iter *it, points_entry *out)
{
	int rc = points_iter__step(it, POINTS_ITER_ENTRY, out);

	if (rc == POINTS_OK)
		*out = it->u.entries[it->i++];
	return rc;
}
