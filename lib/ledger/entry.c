/* entry.c - entries, the hash chain and the transactions they record;
 * see entry.h. */
#include <stddef.h>
#include <string.h>

#include <sodium.h>

#include "points.h"
#include "core/account.h"
#include "util/alloc.h"
#include "core/asset.h"
#include "core/balance.h"
#include "util/codec.h"
#include "core/db.h"
#include "ledger/debtext.h"
#include "ledger/entry.h"
#include "core/lot.h"

#define ENTRY_RECORD_V1 1
#define ENTRY_RECORD_V2 2 /* version 1, then extensions (entry.h) */
/* The ledger module's format.  2: entries may be of record version 2,
 * which 0.1.0 (format 1) cannot read, and have the time index, which
 * setup builds for a format-1 ledger.  3: the time index keys lead with
 * the time's bucket (entry.h); setup rebuilds a format-2 index.  4: the
 * log may be in partitions (entry.h), which format 3 would read as one
 * broken chain; a format-3 ledger has one and needs nothing.  5: a new
 * ledger in partitions keeps a system account's entries in a shard of
 * it in every partition (POINTS_DB_LAYOUT_SYSTEM_SHARDS), which format 4
 * would look for in its own record; a format-4 ledger keeps its layout
 * and needs nothing. */
#define LEDGER_FORMAT 5
/* meta: the log's partitions, when more than one (a uvar) */
#define PARTITIONS_KEY POINTS_DB_PARTITIONS_KEY
/* The partitions of a new ledger on PostgreSQL, when the open asks for
 * none: writers of many processes meet there. */
#define PARTITIONS_PG 64
/* the clearing account of the legs (entry.h) */
#define TRANSIT_EXTID "system:transit"

/* seq (be64) -> entry record: the hash-chained log */
points_ksdef points_entry__ks = { "entry", POINTS_KS_INTKEY, 0 };
/* uuid (16) -> seq (be64); UUIDv7s grow */
points_ksdef points_entry__txid_ks = { "txid", POINTS_KS_ORDERED, 0 };
/* (account, asset, time, seq) -> "": entry.h */
points_ksdef points_entry__time_ks = { "entry_time", POINTS_KS_ORDERED, 0 };

/* The tail of a partition of the entry log, loaded on the first append
 * of a write transaction, and the sequence a committed transaction left
 * it at (known).
 *
 * Entries are only ever appended, under consecutive sequences, so the
 * known tail is still the tail exactly when entry kseq + 1 is missing.
 * Its hash is read with it, not remembered: two point reads (that a
 * write makes in the same store call as its other reads,
 * points_entry__tail_probe) instead of a reverse cursor.  When another
 * handle or process appended meanwhile, the next entry is there and the
 * tail is read again from the log. */
struct ledger_tail {
	int loaded;
	int64_t seq;
	unsigned char hash[POINTS_HASH_LEN];
	int known;
	int64_t kseq;
};

/* The log's partitions (entry.h): their count, read from the ledger on
 * the first append (it never changes), and a tail for each; one, the
 * usual case, needs no allocation. */
struct ledger_log {
	unsigned parts; /* 0: not read yet */
	int sys_home; /* a system account's own record holds its home
	               * partition's entries (a ledger made before format 5) */
	unsigned last_part; /* the partition of the handle's last append */
	struct ledger_tail one;
	struct ledger_tail *tails; /* parts > 1 */
	int64_t transit; /* parts > 1: system:transit's id */
};

unsigned points_entry__partitions_new = 0;
int points_entry__system_home_new = 0;

static struct ledger_tail *
log_tail(struct ledger_log *l, unsigned p)
{
	return l->parts > 1 ? &l->tails[p] : &l->one;
}

static void
tail_txn_end(points_db *db, void *state, int committed)
{
	struct ledger_log *l = state;
	unsigned p;

	(void)db;
	for (p = 0; p < l->parts; p++) {
		struct ledger_tail *t = log_tail(l, p);

		/* A rolled-back transaction's appends are gone: what was
		 * known before it still holds. */
		if (committed && t->loaded) {
			t->known = 1;
			t->kseq = t->seq;
		}
		t->loaded = 0;
	}
}

/* An operation of a batch was undone: its appends are gone, and the
 * loaded tail may be one of them.  What a commit left (known) still
 * holds; the next append probes past it and finds the batch's own
 * entries, if any, in the log. */
static void
tail_op_undone(points_db *db, void *state)
{
	struct ledger_log *l = state;
	unsigned p;

	(void)db;
	for (p = 0; p < l->parts; p++)
		log_tail(l, p)->loaded = 0;
}

static void
log_close(points_db *db, void *state)
{
	struct ledger_log *l = state;

	(void)db;
	points_alloc__free(l->tails);
	l->tails = NULL;
}

static int ledger_setup(points_db *db, unsigned found);
static int make_transit(points_db *db);

static points_ksdef *const keyspaces[] = {
	&points_entry__ks, &points_entry__txid_ks, &points_entry__time_ks,
	NULL,
};
static points_module ledger_module = {
	.name = "ledger",
	.format = LEDGER_FORMAT,
	.keyspaces = keyspaces,
	.state_size = sizeof(struct ledger_log),
	.setup = ledger_setup,
	.txn_end = tail_txn_end,
	.op_undone = tail_op_undone,
	.close = log_close,
};
POINTS_MODULE(ledger_module)

/* ---- The time index ---- */

static uint64_t
time_bits(int64_t time)
{
	/* flipping the sign bit orders negative times first */
	return (uint64_t)time ^ UINT64_C(1) << 63;
}

uint64_t
points_entry__time_bucket(int64_t time)
{
	return time_bits(time) >> POINTS_ENTRY_TIME_BUCKET_BITS;
}

int64_t
points_entry__bucket_time(uint64_t bucket)
{
	return (int64_t)(bucket << POINTS_ENTRY_TIME_BUCKET_BITS ^
	    UINT64_C(1) << 63);
}

void
points_entry__time_key(unsigned char k[POINTS_ENTRY_TIME_KEY_LEN],
    int64_t account, uint32_t asset, int64_t time, int64_t seq)
{
	uint64_t t = time_bits(time);
	unsigned char hi[8];

	points_codec__put_be64(hi, t >> POINTS_ENTRY_TIME_BUCKET_BITS);
	memcpy(k, hi + 2, 6);
	(void)points_balance__key(account, asset, k + 6);
	k[14] = (unsigned char)(t >> 8);
	k[15] = (unsigned char)t;
	points_codec__put_be64(k + 16, (uint64_t)seq);
}

int
points_entry__time_key_parse(const void *k, size_t kl, int64_t *account,
    uint32_t *asset, int64_t *time, int64_t *seq)
{
	const unsigned char *p = k;
	unsigned char hi[8] = { 0 };
	uint64_t t;

	if (kl != POINTS_ENTRY_TIME_KEY_LEN)
		return 0;
	memcpy(hi + 2, p, 6);
	t = points_codec__get_be64(hi) << POINTS_ENTRY_TIME_BUCKET_BITS |
	    (uint64_t)p[14] << 8 | p[15];
	points_balance__key_parse(p + 6, account, asset);
	*time = (int64_t)(t ^ UINT64_C(1) << 63);
	*seq = (int64_t)points_codec__get_be64(p + 16);
	return *seq > 0;
}

/* Index e under each of its parties. */
static int
time_index(points_db *db, const points_entry_rec *e)
{
	unsigned char k[POINTS_ENTRY_TIME_KEY_LEN];
	int rc;

	points_entry__time_key(k, e->from, e->asset, e->time, e->seq);
	if ((rc = points_db__put(db, &points_entry__time_ks, k, sizeof(k),
	    "", 0)) || e->to == e->from)
		return rc;
	points_entry__time_key(k, e->to, e->asset, e->time, e->seq);
	return points_db__put(db, &points_entry__time_ks, k, sizeof(k), "", 0);
}

/* Remove every key of the time index. */
static int
time_index_clear(points_db *db)
{
	static const size_t len = POINTS_ENTRY_TIME_KEY_LEN;
	unsigned char keys[POINTS_ENTRY_TIME_KEY_LEN * 256];
	size_t n, i;
	int rc;

	do {
		if ((rc = points_db__collect_keys(db, &points_entry__time_ks,
		    NULL, 0, NULL, 0, len, keys, 256, &n)))
			return rc;
		for (i = 0; i < n && rc == POINTS_OK; i++)
			rc = points_db__del(db, &points_entry__time_ks,
			    keys + i * len, len);
	} while (rc == POINTS_OK && n == 256);
	return rc;
}

/* The partitions of a ledger this open makes. */
static unsigned
new_partitions(points_db *db)
{
	if (db->want_partitions)
		return db->want_partitions;
	if (points_entry__partitions_new)
		return points_entry__partitions_new;
	return db->store->name && strcmp(db->store->name, "postgresql") == 0 ?
	    PARTITIONS_PG : 1;
}

/* POINTS_ENOTFOUND when the log is a new ledger's: no partition count
 * and no entry.  POINTS_OK when a ledger made before modules recorded
 * their formats has either: its log stays as it is (a partition count
 * is never changed, and a log of entries made before partitions stays
 * in one). */
static int
log_is_new(points_db *db)
{
	unsigned char lo[8], key[8];
	const void *v;
	size_t vl, n;
	int rc;

	rc = points_db__get(db, &points_db__meta_ks, PARTITIONS_KEY,
	    strlen(PARTITIONS_KEY), &v, &vl);
	if (rc != POINTS_ENOTFOUND)
		return rc;
	memset(lo, 0, sizeof(lo));
	if ((rc = points_db__collect_keys(db, &points_entry__ks, lo, 8, NULL,
	    0, 8, key, 1, &n)))
		return rc;
	return n ? POINTS_OK : POINTS_ENOTFOUND;
}

/* A ledger of format 1 (or one made before modules recorded formats,
 * or a new one) gets the time index of the entries it has; one of
 * format 2 gets it again, in the layout of format 3. */
static int
ledger_setup(points_db *db, unsigned found)
{
	unsigned parts;
	unsigned char lo[8];
	int64_t next = 1;
	points_entry_rec e;
	int rc = POINTS_OK;

	if (found == 0 && (parts = new_partitions(db)) > 1 &&
	    (rc = log_is_new(db)) != POINTS_OK) {
		if (rc != POINTS_ENOTFOUND)
			return rc;
		/* a new ledger in partitions: stored once, never changed */
		points_buf__reset(&db->vbuf);
		points_buf__uvar(&db->vbuf, parts);
		if (!points_entry__system_home_new)
			points_buf__uvar(&db->vbuf,
			    POINTS_DB_LAYOUT_SYSTEM_SHARDS);
		if (db->vbuf.err)
			return points_db__err(db, POINTS_ENOMEM, "out of memory");
		if ((rc = points_db__put(db, &points_db__meta_ks,
		    PARTITIONS_KEY, strlen(PARTITIONS_KEY), db->vbuf.data,
		    db->vbuf.len)) || (rc = make_transit(db)))
			return rc;
	}
	if (found >= 3)
		return POINTS_OK;
	if (found == 2 && (rc = time_index_clear(db)))
		return rc;
	points_entry__init(&e, 0, 0, 0);
	/* a chunk of keys at a time: the index is another keyspace, but
	 * the decoding needs the values past the cursor's next call */
	for (;;) {
		unsigned char keys[8 * 256];
		size_t n, i;

		points_codec__put_be64(lo, (uint64_t)next);
		if ((rc = points_db__collect_keys(db, &points_entry__ks, lo, 8,
		    NULL, 0, 8, keys, 256, &n)) || n == 0)
			break;
		for (i = 0; i < n && rc == POINTS_OK; i++) {
			next = (int64_t)points_codec__get_be64(keys + 8 * i);
			if ((rc = points_entry__load(db, next, &e)) == POINTS_OK)
				rc = time_index(db, &e);
		}
		if (rc || n < 256)
			break;
		next++;
	}
	points_entry__free(&e);
	return rc;
}

/* ---- Entries ---- */

void
points_entry__init(points_entry_rec *e, int type, uint32_t asset, int64_t time)
{
	/* not the extensions' bytes: ext_len says how many are in use */
	memset(e, 0, offsetof(points_entry_rec, ext));
	memset(e->hash, 0, sizeof(e->hash));
	e->type = type;
	e->asset = asset;
	e->time = time;
}

void
points_entry__free(points_entry_rec *e)
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
points_entry__encode(points_db *db, const points_entry_rec *e, points_buf *b)
{
	points_buf__reset(b);
	points_buf__u8(b, e->ext_len ? ENTRY_RECORD_V2 : ENTRY_RECORD_V1);
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
	points_buf__bytes(b, e->ext, e->ext_len);
	if (b->err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
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

/* Check the extensions in r (the rest of a version-2 record): at least
 * one, each within the record, tags strictly ascending. */
static void
decode_ext(points_rd *r, points_entry_rec *e)
{
	const unsigned char *start = r->p;
	uint64_t tag, len, last = 0;

	if (r->p == r->end)
		r->err = POINTS_ECORRUPT; /* version 2 says there are some */
	while (r->p < r->end && !r->err) {
		tag = points_rd__uvar(r);
		len = points_rd__uvar(r);
		if (tag <= last || len > (uint64_t)(r->end - r->p)) {
			r->err = POINTS_ECORRUPT;
			return;
		}
		last = tag;
		r->p += len;
	}
	if (r->err || (size_t)(r->p - start) > sizeof(e->ext)) {
		r->err = POINTS_ECORRUPT;
		return;
	}
	e->ext_len = (size_t)(r->p - start);
	memcpy(e->ext, start, e->ext_len);
}

int
points_entry__decode(points_db *db, int64_t seq, const void *v, size_t vl,
    points_entry_rec *e)
{
	points_rd r;
	unsigned version;
	int rc;

	e->seq = seq;
	e->out_lots.n = e->in_lots.n = 0;
	e->ext_len = 0;
	if (vl < POINTS_HASH_LEN)
		return points_db__err(db, POINTS_ECORRUPT,
		    "entry %lld: record unreadable", (long long)seq);
	points_rd__init(&r, v, vl - POINTS_HASH_LEN);
	version = points_rd__u8(&r);
	if (version != ENTRY_RECORD_V1 && version != ENTRY_RECORD_V2)
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
	if (version == ENTRY_RECORD_V2)
		decode_ext(&r, e);
	/* a type above the known ones is a newer library's (entry.h) */
	if (r.err || r.p != r.end || e->type < POINTS_TXN_EARN ||
	    e->amount < 0)
		return points_db__err(db, POINTS_ECORRUPT,
		    "entry %lld: record unreadable", (long long)seq);
	memcpy(e->hash, (const unsigned char *)v + vl - POINTS_HASH_LEN,
	    POINTS_HASH_LEN);
	return POINTS_OK;
}

/* Where extension tag is in ext[0..len), or would go (*found 0): the
 * offset of the first extension with a tag at least tag; *end is that
 * extension's end. */
static size_t
ext_find(const unsigned char *ext, size_t len, unsigned tag, int *found,
    size_t *end)
{
	points_rd r;
	const unsigned char *at;
	uint64_t t, n;

	points_rd__init(&r, ext, len);
	*found = 0;
	while (r.p < r.end) {
		at = r.p;
		t = points_rd__uvar(&r);
		n = points_rd__uvar(&r);
		if (t >= tag) {
			*found = t == tag;
			*end = (size_t)(r.p - ext) + (size_t)n;
			return (size_t)(at - ext);
		}
		r.p += n; /* checked when it was decoded or set */
	}
	return len;
}

int
points_entry__ext_set(points_db *db, points_entry_rec *e, unsigned tag,
    const void *v, size_t len)
{
	unsigned char head[20];
	points_buf h;
	size_t at, end = 0, keep, hl;
	int found;

	points_buf__init(&h);
	points_buf__uvar(&h, tag);
	points_buf__uvar(&h, len);
	hl = h.len; /* two varints: at most 20 bytes, in h's own storage */
	memcpy(head, h.data, hl);
	points_buf__free(&h);
	at = ext_find(e->ext, e->ext_len, tag, &found, &end);
	if (!found)
		end = at;
	keep = e->ext_len - end;
	if (len > sizeof(e->ext) || at + hl + len + keep > sizeof(e->ext))
		return points_db__err(db, POINTS_ELIMIT,
		    "entry: more than %d bytes of category, actor and the "
		    "like", POINTS_ENTRY_EXT_MAX);
	memmove(e->ext + at + hl + len, e->ext + end, keep);
	memcpy(e->ext + at, head, hl);
	memcpy(e->ext + at + hl, v, len);
	e->ext_len = at + hl + len + keep;
	return POINTS_OK;
}

int
points_entry__ext_get(const points_entry_rec *e, unsigned tag,
    const void **v, size_t *len)
{
	points_rd r;
	size_t at, end = 0;
	int found;

	at = ext_find(e->ext, e->ext_len, tag, &found, &end);
	if (!found)
		return POINTS_ENOTFOUND;
	points_rd__init(&r, e->ext + at, end - at);
	(void)points_rd__uvar(&r); /* the tag */
	*len = (size_t)points_rd__uvar(&r);
	*v = r.p;
	return POINTS_OK;
}

int
points_entry__hash(points_db *db, const unsigned char prev[POINTS_HASH_LEN],
    int64_t seq, const void *rec, size_t len,
    unsigned char out[POINTS_HASH_LEN])
{
	crypto_generichash_state st;
	unsigned char k[8];

	/* libsodium refuses only bad lengths, which these are not; were it
	 * to fail, out would be no hash, and a chain built on it no chain */
	points_codec__put_be64(k, (uint64_t)seq);
	if (crypto_generichash_init(&st, NULL, 0, POINTS_HASH_LEN) != 0 ||
	    crypto_generichash_update(&st, prev, POINTS_HASH_LEN) != 0 ||
	    crypto_generichash_update(&st, k, sizeof(k)) != 0 ||
	    crypto_generichash_update(&st, rec, len) != 0 ||
	    crypto_generichash_final(&st, out, POINTS_HASH_LEN) != 0)
		return points_db__err(db, POINTS_ESTORAGE, "entry %lld: "
		    "BLAKE2b failed (libsodium crypto_generichash)",
		    (long long)seq);
	return POINTS_OK;
}

int
points_entry__load(points_db *db, int64_t seq, points_entry_rec *e)
{
	unsigned char k[8];
	const void *v;
	size_t vl;
	int rc;

	points_codec__put_be64(k, (uint64_t)seq);
	rc = points_db__get(db, &points_entry__ks, k, 8, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, POINTS_ECORRUPT,
		    "entry %lld is missing", (long long)seq);
	if (rc)
		return rc;
	return points_entry__decode(db, seq, v, vl, e);
}

/* The clearing account of a new ledger in partitions (the account
 * module has made the built-in ones: it sets up first). */
static int
make_transit(points_db *db)
{
	points_account a;

	memset(&a, 0, sizeof(a));
	strcpy(a.external_id, TRANSIT_EXTID);
	strcpy(a.name, "Between log partitions");
	a.flags = POINTS_ACCOUNT_SYSTEM | POINTS_ACCOUNT_ALLOW_NEGATIVE;
	a.created_at = points_db__time(db, 0);
	return points_account__insert(db, &a);
}

static int
read_transit(points_db *db, int64_t *out)
{
	const void *v;
	size_t vl;
	int rc;

	rc = points_db__get(db, &points_account__extid_ks, TRANSIT_EXTID,
	    strlen(TRANSIT_EXTID), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, POINTS_ECORRUPT, "the ledger's log "
		    "is in partitions but account %s is missing",
		    TRANSIT_EXTID);
	if (rc)
		return rc;
	if (vl != 8 || (*out = (int64_t)points_codec__get_be64(v)) <= 0)
		return points_db__err(db, POINTS_ECORRUPT,
		    "account %s: index entry unreadable", TRANSIT_EXTID);
	return POINTS_OK;
}

/* The handle's log, its partitions read (inside a transaction). */
static int
log_get(points_db *db, struct ledger_log **out)
{
	struct ledger_log *l = points_db__state(db, &ledger_module);
	unsigned n, layout;
	int rc;

	if (l->parts == 0) {
		if ((rc = points_db__partitions(db, &n, &layout)) ||
		    (n > 1 && (rc = read_transit(db, &l->transit))))
			return rc;
		if (n > 1 && !(l->tails = points_alloc__calloc(n,
		    sizeof(*l->tails))))
			return points_db__err(db, POINTS_ENOMEM,
			    "out of memory");
		l->parts = n;
		l->sys_home = !(layout & POINTS_DB_LAYOUT_SYSTEM_SHARDS);
	}
	*out = l;
	return POINTS_OK;
}

int
points_entry__partitions(points_db *db, unsigned *out)
{
	struct ledger_log *l;
	int rc;

	if ((rc = log_get(db, &l)))
		return rc;
	*out = l->parts;
	return POINTS_OK;
}

int
points_entry__transit(points_db *db, int64_t *out)
{
	struct ledger_log *l;
	int rc;

	if ((rc = log_get(db, &l)))
		return rc;
	*out = l->parts > 1 ? l->transit : 0;
	return POINTS_OK;
}

int
points_entry__account_partition(points_db *db, int64_t account,
    unsigned *out)
{
	struct ledger_log *l;
	int rc;

	if ((rc = log_get(db, &l)))
		return rc;
	*out = (unsigned)((uint64_t)account % l->parts);
	return POINTS_OK;
}

/* Partition p's key range, [lo, hi): with one partition, every key
 * (all below 2^63). */
static void
part_range(unsigned p, unsigned parts, unsigned char lo[8],
    unsigned char hi[8])
{
	points_codec__put_be64(lo, parts > 1 ?
	    (uint64_t)p << POINTS_ENTRY_PART_BITS : 0);
	points_codec__put_be64(hi, parts > 1 ?
	    (uint64_t)(p + 1) << POINTS_ENTRY_PART_BITS : (uint64_t)1 << 63);
}

/* The read of partition p's last entry, its bounds in k[0..16). */
static void
last_req(unsigned p, unsigned parts, unsigned char k[16],
    points_lastreq *last)
{
	part_range(p, parts, k, k + 8);
	last->ks = &points_entry__ks;
	last->lo = k;
	last->hi = k + 8;
	last->lolen = last->hilen = 8;
}

/* What the read of partition p's last entry gave: its seq, and its
 * hash when hash is not NULL.  An empty partition's last is the
 * sequence before its first, hash all zeros. */
static int
last_got(points_db *db, const points_lastreq *last, unsigned p,
    int64_t *seq, unsigned char *hash)
{
	if (last->rc == POINTS_ENOTFOUND) {
		*seq = points_entry__part_first(p) - 1;
		if (hash)
			memset(hash, 0, POINTS_HASH_LEN);
		return POINTS_OK;
	}
	if (last->klen != 8 || (hash && last->vlen < POINTS_HASH_LEN))
		return points_db__err(db, POINTS_ECORRUPT,
		    "the last entry is unreadable");
	*seq = (int64_t)points_codec__get_be64(last->key);
	if (hash)
		memcpy(hash, (const unsigned char *)last->val + last->vlen -
		    POINTS_HASH_LEN, POINTS_HASH_LEN);
	return POINTS_OK;
}

/* The last entry of partition p (of parts): last_got's. */
static int
last_entry(points_db *db, unsigned p, unsigned parts, int64_t *seq,
    unsigned char *hash)
{
	unsigned char k[16];
	points_lastreq last;
	int rc;

	last_req(p, parts, k, &last);
	if ((rc = points_db__get_many_last(db, NULL, 0, &last)))
		return rc;
	return last_got(db, &last, p, seq, hash);
}

int
points_entry__last_seq(points_db *db, unsigned p, int64_t *out)
{
	unsigned parts;
	int rc;

	if ((rc = points_entry__partitions(db, &parts)))
		return rc;
	if (parts == 1) /* the whole log's last key, which the handle keeps */
		return points_db__last_key64(db, &points_entry__ks, out);
	return last_entry(db, p, parts, out, NULL);
}

/* Partition p's tail from the log. */
static int
load_tail(points_db *db, struct ledger_tail *t, unsigned p, unsigned parts)
{
	int rc = last_entry(db, p, parts, &t->seq, t->hash);

	if (rc == POINTS_OK)
		t->loaded = 1;
	return rc;
}

/* ---- Category, actor and parties: the encodings of ledger/meta.h ---- */

/* A party as a varint in v[0..5); its length. */
static size_t
party_varint(unsigned char v[5], uint32_t party)
{
	size_t n = 0;

	do {
		v[n++] = (unsigned char)((party & 0x7f) | (party > 0x7f ? 0x80 :
		    0));
		party >>= 7;
	} while (party);
	return n;
}

static int
set_party(points_db *db, points_entry_rec *e, unsigned tag, uint32_t party)
{
	unsigned char v[5];

	return points_entry__ext_set(db, e, tag, v, party_varint(v, party));
}

static int
set_parties(points_db *db, points_entry_rec *e, uint32_t from,
    uint32_t to)
{
	int rc;

	/* one account on both sides (a hold): its party once */
	if (e->to == e->from)
		to = 0;
	if (e->ext_len == 0) {
		/* most postings: no other extension, so the tags go last,
		 * in order, each a byte (3, 4), then a length and the id */
		unsigned char *p = e->ext;

		if (from) {
			*p++ = POINTS_ENTRY_EXT_FROM_PARTY;
			*p = (unsigned char)party_varint(p + 1, from);
			p += 1 + *p;
		}
		if (to) {
			*p++ = POINTS_ENTRY_EXT_TO_PARTY;
			*p = (unsigned char)party_varint(p + 1, to);
			p += 1 + *p;
		}
		e->ext_len = (size_t)(p - e->ext);
		return POINTS_OK;
	}
	if (from && (rc = set_party(db, e, POINTS_ENTRY_EXT_FROM_PARTY, from)))
		return rc;
	if (to && (rc = set_party(db, e, POINTS_ENTRY_EXT_TO_PARTY, to)))
		return rc;
	return POINTS_OK;
}

static void
get_text(const points_entry_rec *e, unsigned tag, char *out, size_t cap)
{
	const void *v;
	size_t n;

	out[0] = '\0';
	if (points_entry__ext_get(e, tag, &v, &n) != POINTS_OK)
		return;
	if (n >= cap)
		n = cap - 1; /* a newer library's longer text: cut */
	memcpy(out, v, n);
	out[n] = '\0';
}

void
points_entry__meta(const points_entry_rec *e,
    char category[POINTS_CATEGORY_MAX + 1], char actor[POINTS_ACTOR_MAX + 1])
{
	/* tags ascend and those below 128 are one byte: a first tag past
	 * the actor's means neither is there */
	if (e->ext_len == 0 || (e->ext[0] > POINTS_ENTRY_EXT_ACTOR &&
	    e->ext[0] < 0x80)) {
		category[0] = actor[0] = '\0';
		return;
	}
	get_text(e, POINTS_ENTRY_EXT_CATEGORY, category,
	    POINTS_CATEGORY_MAX + 1);
	get_text(e, POINTS_ENTRY_EXT_ACTOR, actor, POINTS_ACTOR_MAX + 1);
}

int
points_entry__tail_probe(points_db *db, unsigned char k[16],
    points_lastreq *last)
{
	struct ledger_log *l = points_db__state(db, &ledger_module);
	struct ledger_tail *t;

	if (l->parts == 0)
		return 0; /* nothing known yet */
	t = log_tail(l, l->last_part);
	if (t->loaded)
		return 0;
	if (points_db__reads_last(db)) {
		last_req(l->last_part, l->parts, k, last);
		return 1;
	}
	if (!t->known)
		return 0;
	points_codec__put_be64(k, (uint64_t)t->kseq);
	points_codec__put_be64(k + 8, (uint64_t)t->kseq + 1);
	return 2;
}

unsigned
points_entry__expect(points_db *db, int64_t account, unsigned *part)
{
	struct ledger_log *l = points_db__state(db, &ledger_module);

	*part = 0;
	if (l->parts > 1)
		*part = l->last_part = (unsigned)((uint64_t)account % l->parts);
	return l->parts;
}

/* What the probe of t found: the entry found, the next one missing: the
 * tail, and its hash.  Else another writer appended since: the known
 * tail is of no more use, and the tail is read from the log. */
static void
tail_found(struct ledger_tail *t, const points_getreq r[2])
{
	if (t->loaded || !t->known)
		return;
	if (r[0].rc != POINTS_OK || r[0].vlen < POINTS_HASH_LEN ||
	    r[1].rc != POINTS_ENOTFOUND) {
		t->known = 0;
		return;
	}
	t->seq = t->kseq;
	memcpy(t->hash, (const unsigned char *)r[0].val + r[0].vlen -
	    POINTS_HASH_LEN, POINTS_HASH_LEN);
	t->loaded = 1;
}

void
points_entry__tail_probed(points_db *db, const points_getreq r[2],
    const points_lastreq *last)
{
	struct ledger_log *l = points_db__state(db, &ledger_module);
	struct ledger_tail *t = log_tail(l, l->last_part);

	if (!last) {
		tail_found(t, r);
		return;
	}
	/* a last entry that is unreadable is left to the append, which
	 * reads it again and says so */
	if (!t->loaded && last_got(db, last, l->last_part, &t->seq,
	    t->hash) == POINTS_OK)
		t->loaded = 1;
}

/* The tail of partition p for an append: the known one when the entry
 * after it is missing (one get_many), else from the log (a reverse
 * cursor, or a store's range read). */
static int
tail_for_append(points_db *db, struct ledger_log *l, unsigned p)
{
	struct ledger_tail *t = log_tail(l, p);
	unsigned char k[16];
	points_getreq r[2];
	int rc;

	if (t->known && !points_db__reads_last(db)) {
		points_codec__put_be64(k, (uint64_t)t->kseq);
		points_codec__put_be64(k + 8, (uint64_t)t->kseq + 1);
		r[0].ks = r[1].ks = &points_entry__ks;
		r[0].key = k;
		r[1].key = k + 8;
		r[0].klen = r[1].klen = 8;
		if ((rc = points_db__get_many(db, r, 2)))
			return rc;
		tail_found(t, r);
		if (t->loaded)
			return POINTS_OK;
	}
	return load_tail(db, t, p, l->parts);
}

/* The partition of an entry between from and to: its user account's
 * (entry.h). */
static unsigned
entry_partition(const points_balance_rec *from, const points_balance_rec *to,
    unsigned parts)
{
	int64_t a = !from->system || to->system ? from->account : to->account;

	return parts > 1 ? (unsigned)((uint64_t)a % parts) : 0;
}

/* The record of b that an entry of partition p moves: a system
 * account's shard for p, in a ledger made since format 5; else as
 * points_entry__shard says (entry.h). */
static unsigned
side_shard(const struct ledger_log *l, const points_balance_rec *b,
    unsigned p)
{
	if (l->parts > 1 && b->system && !l->sys_home)
		return p + 1;
	return points_entry__shard(b->account, p, l->parts);
}

int
points_entry__shard_of(points_db *db, const points_balance_rec *from,
    const points_balance_rec *to, unsigned *out)
{
	struct ledger_log *l;
	int rc;

	if ((rc = log_get(db, &l)))
		return rc;
	*out = side_shard(l, to, entry_partition(from, to, l->parts));
	return POINTS_OK;
}

int
points_entry__system_home(points_db *db, int *out)
{
	struct ledger_log *l;
	int rc;

	if ((rc = log_get(db, &l)))
		return rc;
	*out = l->sys_home;
	return POINTS_OK;
}

int
points_entry__system_away(points_db *db, int64_t account, unsigned p)
{
	struct ledger_log *l = points_db__state(db, &ledger_module);

	return l->parts > 1 && (!l->sys_home ||
	    (uint64_t)account % l->parts != p);
}

int
points_entry__place_in(points_db *db, points_balance_rec *b, unsigned p)
{
	struct ledger_log *l;
	int rc;

	if ((rc = log_get(db, &l)) || l->parts == 1)
		return rc;
	return points_balance__place(db, b, p, l->parts, l->sys_home);
}

/* 1 when an entry between from and to is two legs (entry.h). */
static int
is_legs(const struct ledger_log *l, const points_balance_rec *from,
    const points_balance_rec *to)
{
	return l->parts > 1 && !from->system && !to->system &&
	    (uint64_t)from->account % l->parts !=
	    (uint64_t)to->account % l->parts;
}

int
points_entry__place(points_db *db, points_balance_rec *from,
    points_balance_rec *to)
{
	struct ledger_log *l;
	unsigned p;
	int rc;

	if ((rc = log_get(db, &l)) || l->parts == 1)
		return rc;
	if (is_legs(l, from, to)) /* each user in its own record */
		return POINTS_OK;
	p = entry_partition(from, to, l->parts);
	if ((rc = points_balance__place(db, from, p, l->parts, l->sys_home)))
		return rc;
	return to == from ? POINTS_OK :
	    points_balance__place(db, to, p, l->parts, l->sys_home);
}

/* Append e to partition p: its seq (the tail's next), id (txid, or a
 * new one, indexed), links and hash. */
static inline int
append_one(points_db *db, struct ledger_log *l, unsigned p,
    points_entry_rec *e, points_balance_rec *from, points_balance_rec *to,
    const unsigned char *txid)
{
	unsigned char k[8];
	unsigned char hash[POINTS_HASH_LEN];
	points_buf b;
	struct ledger_tail *t = log_tail(l, p);
	int64_t seq;
	uint64_t ms;
	int rc;

	if (!t->loaded && (rc = tail_for_append(db, l, p)))
		return rc;
	/* the last seq of p is the one before p + 1's first, less one */
	if (t->seq >= points_entry__part_first(p + 1) - 2)
		return points_db__err(db, POINTS_ELIMIT, "ledger log "
		    "partition %u is full (%lld entries)", p,
		    (long long)(t->seq - points_entry__part_first(p) + 1));
	seq = t->seq + 1;
	e->seq = seq;
	if (txid) {
		memcpy(e->txid, txid, POINTS_UUID_LEN);
	} else {
		if ((rc = points_db__id_ms(db, &ms)))
			return rc;
		points_ids__uuid7(&db->rng, ms, e->txid);
	}
	e->prev_from = from->last_seq;
	e->prev_to = to->last_seq;
	/* the accounts' department and tier as of now (meta.h) */
	if ((from->party || to->party) &&
	    (rc = set_parties(db, e, from->party, to->party)))
		return rc;
	points_buf__init(&b);
	if ((rc = points_entry__encode(db, e, &b)) == POINTS_OK &&
	    (rc = points_entry__hash(db, t->hash, seq, b.data, b.len,
	    hash)) == POINTS_OK) {
		points_buf__bytes(&b, hash, POINTS_HASH_LEN);
		if (b.err)
			rc = points_db__err(db, POINTS_ENOMEM, "out of memory");
	}
	points_codec__put_be64(k, (uint64_t)seq);
	if (rc == POINTS_OK)
		rc = points_db__put(db, &points_entry__ks, k, 8, b.data, b.len);
	if (rc == POINTS_OK && !txid)
		rc = points_db__put(db, &points_entry__txid_ks, e->txid,
		    POINTS_UUID_LEN, k, 8);
	if (rc == POINTS_OK)
		rc = time_index(db, e);
	points_buf__free(&b);
	if (rc)
		return rc;
	memcpy(e->hash, hash, POINTS_HASH_LEN);
	l->last_part = p; /* the next write's probe guesses it again */
	t->seq = seq;
	memcpy(t->hash, hash, POINTS_HASH_LEN);
	from->last_seq = seq;
	to->last_seq = seq;
	return POINTS_OK;
}

int
points_entry__leg(const points_entry_rec *e, int *role, int64_t *peer,
    int64_t *other)
{
	const void *v;
	size_t len;
	points_rd r;
	uint64_t a, b;

	if (points_entry__ext_get(e, POINTS_ENTRY_EXT_LEG, &v, &len))
		return POINTS_ENOTFOUND;
	points_rd__init(&r, v, len);
	*role = (int)points_rd__u8(&r);
	a = points_rd__uvar(&r);
	b = points_rd__uvar(&r);
	if (r.err || r.p != r.end || (*role != POINTS_ENTRY_LEG_DEBIT &&
	    *role != POINTS_ENTRY_LEG_CREDIT) || a == 0 || a > INT64_MAX ||
	    b == 0 || b > INT64_MAX)
		return POINTS_ECORRUPT;
	*peer = (int64_t)a;
	*other = (int64_t)b;
	return POINTS_OK;
}

/* Remove extension tag of e, if it has it. */
static void
ext_del(points_entry_rec *e, unsigned tag)
{
	size_t at, end = 0;
	int found;

	at = ext_find(e->ext, e->ext_len, tag, &found, &end);
	if (!found)
		return;
	memmove(e->ext + at, e->ext + end, e->ext_len - end);
	e->ext_len -= end - at;
}

/* Set e's debt extension to owed and repaid (none when both are 0). */
static int
set_debt(points_db *db, points_entry_rec *e, int64_t owed, int64_t repaid)
{
	unsigned char v[POINTS_DEBTEXT_MAX];

	ext_del(e, POINTS_ENTRY_EXT_DEBT);
	if (owed == 0 && repaid == 0)
		return POINTS_OK;
	return points_entry__ext_set(db, e, POINTS_ENTRY_EXT_DEBT, v,
	    points_debtext__encode(owed, repaid, v));
}

/* e's debt extension: owed and repaid (0 when none). */
static int
get_debt(points_db *db, const points_entry_rec *e, int64_t *owed,
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

/* Leg role of movement e (entry.h): its fields, extensions and debt
 * side; no lots (the caller lends them). */
static int
leg_init(points_db *db, const points_entry_rec *e, points_entry_rec *leg,
    int role, int64_t peer, int64_t other, int64_t debt)
{
	points_buf b;
	int rc;

	points_entry__init(leg, e->type, e->asset, e->time);
	leg->amount = e->amount;
	leg->ref_seq = e->ref_seq;
	strcpy(leg->memo, e->memo);
	memcpy(leg->ext, e->ext, e->ext_len);
	leg->ext_len = e->ext_len;
	if ((rc = set_debt(db, leg, role == POINTS_ENTRY_LEG_DEBIT ? debt : 0,
	    role == POINTS_ENTRY_LEG_CREDIT ? debt : 0)))
		return rc;
	points_buf__init(&b);
	points_buf__u8(&b, (unsigned)role);
	points_buf__uvar(&b, (uint64_t)peer);
	points_buf__uvar(&b, (uint64_t)other);
	rc = b.err ? points_db__err(db, POINTS_ENOMEM, "out of memory") :
	    points_entry__ext_set(db, leg, POINTS_ENTRY_EXT_LEG, b.data,
	    b.len);
	points_buf__free(&b);
	return rc;
}

/* Transit's record in asset for partition p, loaded and placed. */
static int
transit_load(points_db *db, struct ledger_log *l, uint32_t asset,
    unsigned p, points_balance_rec *b)
{
	int rc;

	points_balance__init(b, l->transit, asset, 1);
	if ((rc = points_balance__load_party(db, b, -1, 1)))
		return rc;
	return points_balance__place(db, b, p, l->parts, l->sys_home);
}

/* The two legs of e between users from and to (entry.h). */
static int
append_legs(points_db *db, struct ledger_log *l, points_entry_rec *e,
    points_balance_rec *from, points_balance_rec *to)
{
	unsigned pf = (unsigned)((uint64_t)from->account % l->parts);
	unsigned pt = (unsigned)((uint64_t)to->account % l->parts);
	points_balance_rec tf, tt;
	points_entry_rec d, c;
	int64_t owed, repaid, ds, cs;
	int rc;

	points_balance__init(&tf, 0, 0, 1);
	points_balance__init(&tt, 0, 0, 1);
	points_entry__init(&d, 0, 0, 0);
	points_entry__init(&c, 0, 0, 0);
	/* both tails first: each leg names the other's seq */
	if ((!log_tail(l, pf)->loaded && (rc = tail_for_append(db, l, pf))) ||
	    (!log_tail(l, pt)->loaded && (rc = tail_for_append(db, l, pt))))
		goto done;
	ds = log_tail(l, pf)->seq + 1;
	cs = log_tail(l, pt)->seq + 1;
	if ((rc = get_debt(db, e, &owed, &repaid)) ||
	    (rc = leg_init(db, e, &d, POINTS_ENTRY_LEG_DEBIT, to->account, cs,
	    owed)) ||
	    (rc = leg_init(db, e, &c, POINTS_ENTRY_LEG_CREDIT, from->account,
	    ds, repaid)) ||
	    (rc = transit_load(db, l, e->asset, pf, &tf)) ||
	    (rc = transit_load(db, l, e->asset, pt, &tt)))
		goto done;
	if (points_codec__add(&tf.available, e->amount) ||
	    points_codec__add(&tt.available, -e->amount)) {
		rc = points_db__err(db, POINTS_EOVERFLOW, "account %s: "
		    "balance would overflow", TRANSIT_EXTID);
		goto done;
	}
	d.from = from->account;
	d.to = l->transit;
	d.out_lots = e->out_lots; /* borrowed */
	c.from = l->transit;
	c.to = to->account;
	c.in_lots = e->in_lots; /* borrowed */
	if ((rc = append_one(db, l, pf, &d, from, &tf, NULL)) ||
	    (rc = append_one(db, l, pt, &c, &tt, to, d.txid)) ||
	    (rc = points_balance__store(db, &tf, 0)) ||
	    (rc = points_balance__store(db, &tt, 0)))
		goto done;
	e->seq = d.seq;
	memcpy(e->txid, d.txid, POINTS_UUID_LEN);
	memcpy(e->hash, d.hash, POINTS_HASH_LEN);
	e->prev_from = d.prev_from;
	e->prev_to = c.prev_to;
done:
	memset(&d.out_lots, 0, sizeof(d.out_lots));
	memset(&c.in_lots, 0, sizeof(c.in_lots));
	points_entry__free(&d);
	points_entry__free(&c);
	points_balance__free(&tf);
	points_balance__free(&tt);
	return rc;
}

int
points_entry__append(points_db *db, points_entry_rec *e, points_balance_rec *from,
    points_balance_rec *to)
{
	struct ledger_log *l;
	unsigned p;
	int rc;

	if ((rc = log_get(db, &l)))
		return rc;
	if (is_legs(l, from, to)) {
		if (from->shard || to->shard)
			return points_db__err(db, POINTS_EMISUSE, "entry "
			    "between accounts %lld and %lld: a user's "
			    "balance in a shard", (long long)from->account,
			    (long long)to->account);
		return append_legs(db, l, e, from, to);
	}
	p = entry_partition(from, to, l->parts);
	/* a write's own bug: a side not placed (points_entry__place) */
	if (from->shard != side_shard(l, from, p) ||
	    to->shard != side_shard(l, to, p))
		return points_db__err(db, POINTS_EMISUSE, "entry between "
		    "accounts %lld and %lld: a balance is not placed in log "
		    "partition %u", (long long)from->account,
		    (long long)to->account, p);
	return append_one(db, l, p, e, from, to, NULL);
}

int
points_entry__load_whole(points_db *db, int64_t seq, points_entry_rec *e)
{
	points_entry_rec o;
	int64_t peer, other, owed, repaid, o_owed, o_repaid;
	int role, rc;

	if ((rc = points_entry__load(db, seq, e)))
		return rc;
	rc = points_entry__leg(e, &role, &peer, &other);
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return points_db__err(db, POINTS_ECORRUPT,
		    "entry %lld: leg record unreadable", (long long)seq);
	if (role == POINTS_ENTRY_LEG_CREDIT) {
		points_entry__free(e);
		points_entry__init(e, 0, 0, 0);
		return points_entry__load_whole(db, other, e);
	}
	points_entry__init(&o, 0, 0, 0);
	if ((rc = points_entry__load(db, other, &o)) == POINTS_OK &&
	    (rc = get_debt(db, e, &owed, &repaid)) == POINTS_OK &&
	    (rc = get_debt(db, &o, &o_owed, &o_repaid)) == POINTS_OK) {
		points_lotlist__free(&e->in_lots);
		e->in_lots = o.in_lots; /* taken */
		memset(&o.in_lots, 0, sizeof(o.in_lots));
		e->to = o.to;
		e->prev_to = o.prev_to;
		rc = set_debt(db, e, owed, o_repaid);
	}
	points_entry__free(&o);
	return rc;
}

/* The transaction id of the entry at seq. */
static int
seq_txid(points_db *db, int64_t seq, char out[POINTS_ID_LEN + 1])
{
	points_entry_rec e;
	int rc;

	points_entry__init(&e, 0, 0, 0);
	rc = points_entry__load(db, seq, &e);
	if (rc == POINTS_OK)
		points_ids__format(e.txid, out);
	points_entry__free(&e);
	return rc;
}

int
points_entry__txn(points_db *db, const points_entry_rec *e, points_txn *out)
{
	points_asset_rec a;
	const void *dv;
	size_t dl;
	struct ledger_log *l;
	int64_t peer, other;
	int role, rc;

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
	/* a leg reads as the movement (entry.h); only legs touch transit */
	l = points_db__state(db, &ledger_module);
	if (!l->parts && (rc = log_get(db, &l)))
		return rc;
	if (l->parts > 1 && (e->from == l->transit || e->to == l->transit)) {
		switch (points_entry__leg(e, &role, &peer, &other)) {
		case POINTS_OK:
			if (role == POINTS_ENTRY_LEG_DEBIT)
				out->to = peer;
			else
				out->from = peer;
			break;
		case POINTS_ECORRUPT:
			return points_db__err(db, POINTS_ECORRUPT, "entry "
			    "%lld: leg record unreadable", (long long)e->seq);
		}
	}
	out->amount = e->amount;
	strcpy(out->memo, e->memo);
	if (e->ext_len) /* out is zeroed: most entries have none */
		points_entry__meta(e, out->category, out->actor);
	if (points_entry__ext_get(e, POINTS_ENTRY_EXT_DEBT, &dv, &dl) ==
	    POINTS_OK && points_debtext__decode(dv, dl, e->type, e->amount,
	    &out->debt, &out->repaid))
		return points_db__err(db, POINTS_ECORRUPT,
		    "entry %lld: debt record unreadable", (long long)e->seq);
	if (e->ref_seq && (rc = seq_txid(db, e->ref_seq, out->ref)))
		return rc;
	return POINTS_OK;
}

int
points_entry__txid_seq(points_db *db, const unsigned char txid[POINTS_UUID_LEN],
    const char *text, int64_t *seq)
{
	const void *v;
	size_t vl;
	int rc;

	rc = points_db__get(db, &points_entry__txid_ks, txid, POINTS_UUID_LEN, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, rc, "transaction %s not found", text);
	if (rc)
		return rc;
	if (vl != 8)
		return points_db__err(db, POINTS_ECORRUPT,
		    "transaction %s: index entry unreadable", text);
	*seq = (int64_t)points_codec__get_be64(v);
	return POINTS_OK;
}

POINTS_EXTERN int
points_txn_get(points_db *db, const char *txn_id, points_txn *out)
{
	unsigned char txid[POINTS_UUID_LEN];
	points_txn t;
	points_entry_rec e;
	int64_t seq;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if ((rc = points_db__uuid_parse(db, txn_id, txid)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__read_begin(db)))
		return rc;
	points_entry__init(&e, 0, 0, 0);
	rc = points_entry__txid_seq(db, txid, txn_id, &seq);
	if (rc == POINTS_OK)
		rc = points_entry__load(db, seq, &e);
	if (rc == POINTS_OK)
		rc = points_entry__txn(db, &e, &t);
	points_entry__free(&e);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = t;
	return rc;
}
