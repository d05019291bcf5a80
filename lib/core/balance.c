/* balance.c - the balance record; see balance.h.
 * Record: version, the account's flags << 2 | status (a varint), available,
 * held, earned, spent, expired, (version 2 only) debt, last_seq,
 * lot count, then per lot the day (delta from the previous) and amount,
 * then, when there are expiring lots, how many days before the first
 * one the sweep index key sits, then optional fields, each a tag and a
 * varint, tags ascending: 1, the account's party (party.h), only when
 * not 0 (so a record of an account without department and tier is as
 * before); 2, 3 and 4, only when lots are spilled (lot_spill.h), all
 * three: how many, their sum, and a day no spilled lot is later than
 * (so a record of an account that never spilled is as before).
 *
 * Key: one 64-bit integer, account << 16 | asset, big-endian, in an
 * INT64 keyspace (a rowid table on SQLite: integer comparisons, where a
 * WITHOUT ROWID table of blob keys spent a sixth of a batched posting's
 * time comparing keys).  So account ids go up to 2^47 - 1 and asset ids
 * up to 65,535 (account.h, asset.h); the order is still by account, then
 * asset, so an account's balances are one range. */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/balance.h"
#include "util/codec.h"
#include "core/db.h"
#include "core/party.h"

#define BALANCE_RECORD_V1 1
/* Version 2 adds the debt after expired.  A balance without a debt is
 * still written as version 1, byte for byte, so most records (and
 * every posting that touches no debt) cost nothing more; both are part
 * of the module's format 2. */
#define BALANCE_RECORD_V2 2
/* Version 3 adds pending points (balance.h, pend): the debt (0 or more)
 * after expired, then the number of pending items and each one's last
 * pending day (delta from the previous) and amount.  Written only while
 * points are pending. */
#define BALANCE_RECORD_V3 3
/* Pending items a record may carry: one a day, and a rule's points are
 * pending at most POINTS_PENDING_DAYS_MAX days (points/rules.h), so
 * only damage passes this. */
#define BALANCE_PEND_MAX 4096
/* The module's format: 1, balances keyed account (be64) + asset (be32)
 * in keyspace "balance"; 2, keyed by one integer in "bal"; 3, records
 * may carry spilled lots (tags 2-4), which format 2 cannot read; 4,
 * records may be of version 3 (pending points), which format 3 cannot
 * read; 5, records may carry module data (tags 16-63, balance.h),
 * which format 4 cannot read.  A ledger of format 2, 3 or 4 has none:
 * nothing to upgrade. */
#define BALANCE_FORMAT 5
#define ASSET_BITS 16
/* Tags of the record's optional fields. */
#define BALANCE_TAG_PARTY 1
#define BALANCE_TAG_SPILL_N 2
#define BALANCE_TAG_SPILL_SUM 3
#define BALANCE_TAG_SPILL_LAST 4
/* From POINTS_BALANCE_DATA_RULE_CAPS on: module data, the value its
 * length and the bytes after it; always last. */
#define BALANCE_TAG_DATA 16
/* In the flags of a system account's own record: its mark wide
 * (balance.h); no account flag is this high. */
#define BALANCE_WIDE 0x8000u

/* account << 16 | asset (be64) -> balance record */
points_ksdef points_balance__ks = { "bal", POINTS_KS_INT64 |
    POINTS_KS_REWRITTEN, 0 };
/* Format 1's: account (be64) + asset (be32) -> balance record.  Empty
 * once a ledger is upgraded; declared so that setup can read it. */
static points_ksdef balance_v1_ks = { "balance", 0, 0 };
/* day (be32) + account (be64) + asset (be32) -> "": who has lots that
 * expire on a day, for the sweep */
points_ksdef points_balance__sweep_ks = { "sweep", POINTS_KS_ORDERED, 0 };
/* account << 16 | asset (be64) + partition (be16) -> balance record: a
 * system account's shards (balance.h) */
points_ksdef points_balance__shard_ks = { "bal_shard", POINTS_KS_ORDERED |
    POINTS_KS_REWRITTEN, 0 };

static int balance_setup(points_db *db, unsigned int found);

static points_ksdef *const keyspaces[] = {
	&points_balance__ks, &points_balance__sweep_ks, &balance_v1_ks,
	&points_balance__shard_ks, NULL,
};
static points_module balance_module = {
	.name = "balance",
	.format = BALANCE_FORMAT,
	.keyspaces = keyspaces,
	.setup = balance_setup,
};
POINTS_MODULE(balance_module)

int
points_balance__unreadable(points_db *db, int64_t account)
{
	return points_db__err(db, POINTS_ECORRUPT, "balance of account %lld: "
	    "record unreadable", (long long)account);
}

int
points_balance__key(int64_t account, uint32_t asset, unsigned char k[8])
{
	if (account <= 0 || account > POINTS_ACCOUNT__ID_MAX || asset == 0 ||
	    asset > POINTS_ASSET__ID_MAX)
		return 0;
	points_codec__put_be64(k, (uint64_t)account << ASSET_BITS | asset);
	return 1;
}

void
points_balance__key_parse(const unsigned char k[8], int64_t *account,
    uint32_t *asset)
{
	uint64_t v = points_codec__get_be64(k);

	*account = (int64_t)(v >> ASSET_BITS);
	*asset = (uint32_t)(v & ((1u << ASSET_BITS) - 1));
}

void
points_balance__account_range(int64_t account, unsigned char lo[8],
    unsigned char hi[8])
{
	points_codec__put_be64(lo, (uint64_t)account << ASSET_BITS);
	points_codec__put_be64(hi, (uint64_t)(account + 1) << ASSET_BITS);
}

void
points_balance__shard_key(int64_t account, uint32_t asset, unsigned part,
    unsigned char k[POINTS_BALANCE_SHARD_KEY_LEN])
{
	points_codec__put_be64(k, (uint64_t)account << ASSET_BITS | asset);
	k[8] = (unsigned char)(part >> 8);
	k[9] = (unsigned char)part;
}

/* Format 1's key, and the sweep index's after its day. */
static void
key12(unsigned char k[12], int64_t account, uint32_t asset)
{
	points_codec__put_be64(k, (uint64_t)account);
	points_codec__put_be32(k + 8, asset);
}

void
points_balance__init(points_balance_rec *b, int64_t account, uint32_t asset, int system)
{
	memset(b, 0, sizeof(*b));
	b->account = account;
	b->asset = asset;
	b->system = system;
}

/* The balance's key, the prefix of its spill keys (lot_spill.h): made
 * when a spill key is touched, not kept (a posting zeroes and decodes
 * several balances). */
static const unsigned char *
spill_key(const points_balance_rec *b, unsigned char k[8])
{
	if (!points_balance__key(b->account, b->asset, k))
		memset(k, 0, 8);
	return k;
}

void
points_balance__free(points_balance_rec *b)
{
	points_lotlist__free(&b->lots);
	points_lotlist__free(&b->pend);
	points_alloc__free(b->data);
	b->data = NULL;
	b->datalen = b->datacap = 0;
}

/* Copy n bytes of module data into b (they replace what it had). */
static int
data_copy(points_db *db, points_balance_rec *b, const void *p, size_t n)
{
	if (n > b->datacap) {
		unsigned char *d = points_alloc__realloc(b->data, n);

		if (!d)
			return points_db__err(db, POINTS_ENOMEM, "out of memory");
		b->data = d;
		b->datacap = n;
	}
	if (n)
		memcpy(b->data, p, n);
	b->datalen = n;
	return POINTS_OK;
}

/* The next module data item of [*p, end): its tag, bytes and length;
 * 0 at the end. */
static int
data_next(const unsigned char **p, const unsigned char *end, unsigned *tag,
    const unsigned char **v, size_t *n)
{
	points_rd r;
	uint64_t t, len;

	if (*p >= end)
		return 0;
	points_rd__init(&r, *p, (size_t)(end - *p));
	t = points_rd__uvar(&r);
	len = points_rd__uvar(&r);
	if (r.err || len > (uint64_t)(r.end - r.p))
		return 0; /* checked when decoded: not met */
	*tag = (unsigned)t;
	*v = r.p;
	*n = (size_t)len;
	*p = r.p + len;
	return 1;
}

int
points_balance__data_get(const points_balance_rec *b, unsigned tag,
    const unsigned char **p, size_t *n)
{
	const unsigned char *q = b->data, *end;
	unsigned t;

	if (!b->data)
		return 0;
	end = b->data + b->datalen;
	while (data_next(&q, end, &t, p, n))
		if (t == tag)
			return 1;
	return 0;
}

/* Append to out the module data [q, end) with tag set to the n bytes
 * at p (n == 0: removed), tags kept ascending. */
static void
data_merge(points_buf *out, const unsigned char *q, const unsigned char *end,
    unsigned tag, const void *p, size_t n)
{
	const unsigned char *v;
	unsigned t;
	size_t vl;
	int done = 0;

	while (q && data_next(&q, end, &t, &v, &vl)) {
		if (!done && t >= tag) {
			if (n) {
				points_buf__uvar(out, tag);
				points_buf__uvar(out, n);
				points_buf__bytes(out, p, n);
			}
			done = 1;
		}
		if (t == tag)
			continue;
		points_buf__uvar(out, t);
		points_buf__uvar(out, vl);
		points_buf__bytes(out, v, vl);
	}
	if (!done && n) {
		points_buf__uvar(out, tag);
		points_buf__uvar(out, n);
		points_buf__bytes(out, p, n);
	}
}

static int
data_check(points_db *db, int64_t account, unsigned tag, size_t n)
{
	if (tag < BALANCE_TAG_DATA || tag > POINTS_BALANCE_DATA_TAG_MAX ||
	    n > POINTS_BALANCE_DATA_MAX)
		return points_db__err(db, POINTS_EINVAL, "balance of account "
		    "%lld: module data tag %u of %zu bytes", (long long)account,
		    tag, n);
	return POINTS_OK;
}

int
points_balance__data_set(points_db *db, points_balance_rec *b, unsigned tag,
    const void *p, size_t n)
{
	points_buf out;
	int rc;

	if ((rc = data_check(db, b->account, tag, n)))
		return rc;
	points_buf__init(&out);
	data_merge(&out, b->data, b->data + b->datalen, tag, p, n);
	rc = out.err ? points_db__err(db, POINTS_ENOMEM, "out of memory") :
	    data_copy(db, b, out.data, out.len);
	points_buf__free(&out);
	return rc;
}

uint32_t
points_balance__first_day(const points_balance_rec *b)
{
	if (b->lots.n == 0 || b->lots.v[0].day == POINTS_DAY_NEVER)
		return 0;
	return b->lots.v[0].day;
}

void
points_balance__sweep_key(unsigned char k[16], uint32_t day, int64_t account,
    uint32_t asset)
{
	points_codec__put_be32(k, day);
	key12(k + 4, account, asset);
}

/* The pending items of a version-3 record at r: *np of them.  Each is
 * pushed to into (may be NULL: skipped); *locked (may be NULL) adds up
 * those still pending on day today. */
static int
pend_parse(points_db *db, points_rd *r, uint64_t np, points_lotlist *into,
    int64_t today, int64_t *locked)
{
	uint64_t i, day = 0;
	int rc;

	if (np == 0 || np > BALANCE_PEND_MAX)
		r->err = POINTS_ECORRUPT;
	for (i = 0; i < np && !r->err; i++) {
		uint64_t d = points_rd__uvar(r), amount = points_rd__uvar(r);

		if ((i > 0 && d == 0) || d >= POINTS_DAY_NEVER - day ||
		    amount == 0 || amount > INT64_MAX) {
			r->err = POINTS_ECORRUPT;
			break;
		}
		day += d;
		if (locked && (int64_t)day >= today &&
		    points_codec__add(locked, (int64_t)amount))
			r->err = POINTS_ECORRUPT;
		if (into && (rc = points_lotlist__push(db, into, (uint32_t)day,
		    (int64_t)amount)))
			return rc;
	}
	return POINTS_OK;
}

/* The record up to its lot count (*n): the counters and flags.  The
 * pending items of a version-3 record are skipped: *pend (may be NULL)
 * is where they start, *np how many. */
static void
decode_head(points_rd *r, points_balance_rec *b, uint64_t *n,
    points_rd *pend, uint64_t *np)
{
	uint64_t acct;
	unsigned ver;

	ver = points_rd__u8(r);
	if (ver != BALANCE_RECORD_V1 && ver != BALANCE_RECORD_V2 &&
	    ver != BALANCE_RECORD_V3)
		r->err = POINTS_ECORRUPT;
	acct = points_rd__uvar(r);
	b->status = (int)(acct & 3);
	b->flags = (unsigned)(acct >> 2) & ~BALANCE_WIDE;
	b->wide = (acct >> 2 & BALANCE_WIDE) != 0;
	b->system = (b->flags & POINTS_ACCOUNT_SYSTEM) != 0;
	b->found = 1;
	b->available = points_rd__svar(r);
	b->stored_available = b->available;
	b->held = points_rd__svar(r);
	b->earned = points_rd__svar(r);
	b->spent = points_rd__svar(r);
	b->expired = points_rd__svar(r);
	b->debt = 0;
	/* version 2 is written only for a debt, which is never negative */
	if (ver == BALANCE_RECORD_V2 && (b->debt = points_rd__svar(r)) <= 0)
		r->err = POINTS_ECORRUPT;
	b->pend.n = 0;
	if (np)
		*np = 0;
	if (ver == BALANCE_RECORD_V3) {
		uint64_t k;

		if ((b->debt = points_rd__svar(r)) < 0)
			r->err = POINTS_ECORRUPT;
		k = points_rd__uvar(r);
		if (pend)
			*pend = *r;
		if (np)
			*np = k;
		(void)pend_parse(NULL, r, k, NULL, 0, NULL);
	}
	b->last_seq = (int64_t)points_rd__uvar(r);
	*n = points_rd__uvar(r);
	b->lots.n = 0;
	b->idx_day = 0;
	b->spill.n = 0;
	b->spill.sum = 0;
	b->spill.last = 0;
}

/* The optional fields after the lots (and the sweep index's offset):
 * the party, the spill.  lotsum and last_day are the inline lots'. */
static void
decode_tail(points_rd *r, points_balance_rec *b, int64_t lotsum,
    size_t nlots, uint32_t last_day, const unsigned char **data)
{
	uint64_t prev = 0, spilled = 0;

	while (r->p < r->end && !r->err) {
		const unsigned char *at = r->p;
		uint64_t tag = points_rd__uvar(r), v = points_rd__uvar(r);

		if (tag <= prev)
			r->err = POINTS_ECORRUPT;
		prev = tag;
		if (tag >= BALANCE_TAG_DATA && !r->err) {
			/* module data: its bytes follow (none is empty) */
			if (tag > POINTS_BALANCE_DATA_TAG_MAX || v == 0 ||
			    v > POINTS_BALANCE_DATA_MAX ||
			    v > (uint64_t)(r->end - r->p))
				r->err = POINTS_ECORRUPT;
			else
				r->p += v;
			if (!*data)
				*data = at;
			continue;
		}
		switch (tag) {
		case BALANCE_TAG_PARTY:
			if (v == 0 || v > UINT32_MAX)
				r->err = POINTS_ECORRUPT;
			b->party = (uint32_t)v;
			break;
		case BALANCE_TAG_SPILL_N:
			if (v == 0 || v > UINT32_MAX)
				r->err = POINTS_ECORRUPT;
			b->spill.n = (uint32_t)v;
			spilled |= 1;
			break;
		case BALANCE_TAG_SPILL_SUM:
			/* each spilled lot holds a point at least, and all
			 * lots together fit an int64 */
			if (v > INT64_MAX || v < b->spill.n ||
			    points_codec__add(&lotsum, (int64_t)v))
				r->err = POINTS_ECORRUPT;
			b->spill.sum = (int64_t)v;
			spilled |= 2;
			break;
		case BALANCE_TAG_SPILL_LAST:
			/* later than every inline lot, which are there */
			if (nlots == 0 || v <= last_day || v > POINTS_DAY_NEVER)
				r->err = POINTS_ECORRUPT;
			b->spill.last = (uint32_t)v;
			spilled |= 4;
			break;
		default:
			r->err = POINTS_ECORRUPT;
		}
	}
	if (spilled != 0 && spilled != 7)
		r->err = POINTS_ECORRUPT;
}

int
points_balance__decode(points_db *db, const void *v, size_t vl, points_balance_rec *b,
    int lots)
{
	points_rd r, pr;
	uint64_t i, n, np;
	uint32_t day = 0, first = 0;
	int64_t lotsum = 0;
	const unsigned char *data = NULL;
	int rc;

	points_rd__init(&r, v, vl);
	b->datalen = 0;
	decode_head(&r, b, &n, &pr, &np);
	if (np && !r.err && (rc = pend_parse(db, &pr, np, &b->pend, 0, NULL)))
		return rc;
	if (!lots)
		return r.err ? points_balance__unreadable(db, b->account) :
		    POINTS_OK;
	/* a lot takes at least 2 bytes: a corrupt count cannot make a
	 * huge allocation */
	if (n <= (uint64_t)(r.end - r.p) / 2 &&
	    (rc = points_lotlist__reserve(db, &b->lots, (size_t)n)))
		return rc;
	for (i = 0; i < n && !r.err; i++) {
		uint64_t d = points_rd__uvar(&r);
		uint64_t amount = points_rd__uvar(&r);

		/* Lots past int64, alone or together, would be summed
		 * unchecked by the next debit: damage, refused here. */
		if (d > POINTS_DAY_NEVER - (uint64_t)day || (i > 0 && d == 0) ||
		    amount > INT64_MAX ||
		    points_codec__add(&lotsum, (int64_t)amount)) {
			r.err = POINTS_ECORRUPT;
			break;
		}
		day += (uint32_t)d;
		if (i == 0)
			first = day;
		rc = points_lotlist__push(db, &b->lots, day, (int64_t)amount);
		if (rc)
			return rc;
	}
	if (n > 0 && first != POINTS_DAY_NEVER) {
		uint64_t back = points_rd__uvar(&r);

		if (back >= first)
			r.err = POINTS_ECORRUPT;
		else
			b->idx_day = first - (uint32_t)back;
	}
	b->party = 0;
	if (r.p < r.end) /* most records have no optional field */
		decode_tail(&r, b, lotsum, b->lots.n, day, &data);
	if (r.err || r.p != r.end)
		return points_balance__unreadable(db, b->account);
	return data_copy(db, b, data, data ? (size_t)(r.end - data) : 0);
}

int
points_balance__load(points_db *db, points_balance_rec *b)
{
	unsigned char k[8];
	const void *v = NULL;
	size_t vl = 0;
	int rc;

	if (!points_balance__key(b->account, b->asset, k))
		return POINTS_OK; /* ids no balance can have: none */
	if (b->shard) {
		unsigned char sk[POINTS_BALANCE_SHARD_KEY_LEN];

		points_balance__shard_key(b->account, b->asset, b->shard - 1,
		    sk);
		rc = points_db__get(db, &points_balance__shard_ks, sk,
		    sizeof(sk), &v, &vl);
	} else {
		rc = points_db__get(db, &points_balance__ks, k, sizeof(k), &v,
		    &vl);
	}
	return points_balance__fetched(db, b, rc, v, vl);
}

int
points_balance__place(points_db *db, points_balance_rec *b, unsigned part,
    unsigned parts, int sys_home)
{
	char label[POINTS_EXTID_MAX + 2];
	int status = b->status, found = b->found, wide = b->wide;
	unsigned flags = b->flags;
	uint32_t party = b->party;
	int rc;

	if (parts <= 1)
		return POINTS_OK;
	b->partitioned = b->system ? parts : 0;
	if ((uint64_t)b->account % parts == part && (!b->system || sys_home))
		return POINTS_OK; /* its home: its own record */
	if (!b->system) {
		points_balance__label(db, b->account, label, sizeof(label));
		return points_db__err(db, POINTS_EINVAL, "account %s: its "
		    "entries are in partition %u of the log, not %u",
		    label, (unsigned)((uint64_t)b->account % parts), part);
	}
	if (b->shard == part + 1)
		return POINTS_OK;
	points_balance__free(b);
	points_balance__init(b, b->account, b->asset, 1);
	b->shard = part + 1;
	b->partitioned = parts;
	if ((rc = points_balance__load(db, b)))
		return rc;
	/* the own record says what the account is now */
	b->status = status;
	b->flags = flags;
	b->party = party;
	b->found = found;
	b->wide = wide;
	return POINTS_OK;
}

int
points_balance__mark_wide(points_db *db, points_balance_rec *b)
{
	points_balance_rec own;
	int rc;

	if (b->wide || !b->shard) {
		b->wide = 1;
		return POINTS_OK;
	}
	/* the own record may not be there yet: the account says what it is */
	points_balance__init(&own, b->account, b->asset, 1);
	if ((rc = points_balance__load_party(db, &own, -1, 1)) == POINTS_OK) {
		own.wide = 1;
		rc = points_balance__store(db, &own, 0);
	}
	points_balance__free(&own);
	if (rc == POINTS_OK)
		b->wide = 1;
	return rc;
}

/* An exact sum of int64 values, as 128 bits in two's complement
 * (hi:lo): what a system account's records hold together may pass
 * int64 on the way and come back (a shard at INT64_MAX, another below
 * zero), and only the whole must fit. */
typedef struct wide {
	int64_t hi;
	uint64_t lo;
} wide;

static void
wide_add(wide *w, int64_t v)
{
	uint64_t lo = w->lo + (uint64_t)v;

	w->hi += (lo < w->lo) - (v < 0);
	w->lo = lo;
}

/* 1 when w fits int64 (then in *out). */
static int
wide_get(const wide *w, int64_t *out)
{
	if (w->hi != ((w->lo >> 63) ? -1 : 0))
		return 0;
	*out = w->lo > (uint64_t)INT64_MAX ?
	    -(int64_t)(~w->lo) - 1 : (int64_t)w->lo;
	return 1;
}

static wide
wide_of(int64_t v)
{
	wide w = { 0, 0 };

	wide_add(&w, v);
	return w;
}

/* Add what each shard of b's account (but skip, p + 1: none 0) holds
 * to *avail, *held and sum's lifetime counters (saturated, as each
 * record's are); none when it has no shards. */
static int
shards_add(points_db *db, const points_balance_rec *b, unsigned skip,
    wide *avail, wide *held, points_balance_rec *sum)
{
	unsigned char lo[POINTS_BALANCE_SHARD_KEY_LEN],
	    hi[POINTS_BALANCE_SHARD_KEY_LEN], sk[POINTS_BALANCE_SHARD_KEY_LEN];
	points_balance_rec o;
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	int rc;

	points_balance__shard_key(b->account, b->asset, 0, lo);
	points_balance__shard_key(b->account, b->asset, 0xffff, hi);
	points_balance__shard_key(b->account, b->asset, skip - 1, sk);
	rc = db->store->cursor_open(db->store,
	    db->ks[points_balance__shard_ks.slot], lo, sizeof(lo), hi,
	    sizeof(hi), 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "bal_shard");
	while ((rc = db->store->cursor_next(db->store, c, &k, &kl, &v,
	    &vl)) == POINTS_OK) {
		if (kl != sizeof(lo)) {
			rc = points_balance__unreadable(db, b->account);
			break;
		}
		if (skip && memcmp(k, sk, sizeof(sk)) == 0)
			continue;
		points_balance__init(&o, b->account, b->asset, 1);
		rc = points_balance__decode(db, v, vl, &o, 0);
		points_balance__free(&o);
		if (rc)
			break;
		wide_add(avail, o.available);
		wide_add(held, o.held);
		/* lifetime counters saturate, as each record's do */
		points_balance__counter_sat(&sum->earned, o.earned);
		points_balance__counter_sat(&sum->spent, o.spent);
		points_balance__counter_sat(&sum->expired, o.expired);
	}
	db->store->cursor_close(db->store, c);
	if (rc == POINTS_ITEROVER)
		return POINTS_OK;
	if (rc != POINTS_ECORRUPT && rc != POINTS_ENOMEM)
		rc = points_db__store_err(db, rc, "bal_shard");
	return rc;
}

/* b's record and its shards: their sum into b (available and held
 * exactly: POINTS_ECORRUPT when a sum does not fit). */
static int
shards_sum(points_db *db, points_balance_rec *b)
{
	wide avail = wide_of(b->available), held = wide_of(b->held);
	int rc = shards_add(db, b, 0, &avail, &held, b);

	if (rc == POINTS_OK && (!wide_get(&avail, &b->available) ||
	    !wide_get(&held, &b->held)))
		rc = points_balance__unreadable(db, b->account);
	return rc;
}

int
points_balance__others(points_db *db, points_balance_rec *b)
{
	points_balance_rec o;
	wide avail = { 0, 0 }, held = { 0, 0 };
	int rc;

	if (b->rest_read)
		return POINTS_OK;
	points_balance__init(&o, b->account, b->asset, 1);
	/* b's own record has the rest in its shards */
	if ((rc = b->shard ? points_balance__load(db, &o) : POINTS_OK) ==
	    POINTS_OK) {
		avail = wide_of(o.available);
		held = wide_of(o.held);
		rc = shards_add(db, b, b->shard, &avail, &held, &o);
	}
	if (rc == POINTS_OK) {
		b->rest_read = 1;
		b->rest_hi = avail.hi;
		b->rest_lo = avail.lo;
		b->rest_earned = o.earned;
		b->rest_spent = o.spent;
	}
	points_balance__free(&o);
	return rc;
}

int
points_balance__total_available(points_db *db, const points_balance_rec *b,
    int64_t *out)
{
	wide w = { b->rest_hi, b->rest_lo };

	wide_add(&w, b->available);
	if (!wide_get(&w, out))
		return points_balance__unreadable(db, b->account);
	return POINTS_OK;
}

int
points_balance__total_counter(const points_balance_rec *b, int which,
    int64_t v)
{
	int64_t sum = which == POINTS_BALANCE_EARNED ? b->rest_earned :
	    b->rest_spent;

	/* the other records' sum saturates: at INT64_MAX it is full */
	points_balance__counter_sat(&sum, which == POINTS_BALANCE_EARNED ?
	    b->earned : b->spent);
	return points_codec__add(&sum, v) ? POINTS_EOVERFLOW : POINTS_OK;
}

int
points_balance__fetched(points_db *db, points_balance_rec *b, int rc, const void *v,
    size_t vl)
{
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	return points_balance__decode(db, v, vl, b, 1);
}

/* The paths that touch spill keys, out of line: the common ones (no
 * spill, room inline) then need no frame for the key. */
#ifdef __GNUC__
__attribute__((noinline))
#endif
static int
add_lot_spilling(points_db *db, points_balance_rec *b, uint32_t day,
    int64_t amount)
{
	unsigned char k[8];

	return points_lot_spill__add(db, spill_key(b, k), &b->lots, &b->spill,
	    day, amount);
}

#ifdef __GNUC__
__attribute__((noinline))
#endif
static int
trim(points_db *db, points_balance_rec *b)
{
	unsigned char k[8];

	return points_lot_spill__trim(db, spill_key(b, k), &b->lots, &b->spill);
}

int
points_balance__add_lot(points_db *db, points_balance_rec *b, uint32_t day,
    int64_t amount)
{
	if (b->system)
		return POINTS_OK;
	/* nothing spilled and room inline: as before the spill */
	if (b->spill.n == 0 && b->lots.n < points_lot_spill__bound(db))
		return points_lotlist__add(db, &b->lots, day, amount, NULL);
	return add_lot_spilling(db, b, day, amount);
}

int64_t
points_balance__lot_sum(const points_balance_rec *b)
{
	/* no overflow: the decoder and every credit checked the total */
	return points_lotlist__sum(&b->lots) + b->spill.sum;
}

int
points_balance__take(points_db *db, points_balance_rec *b, int64_t amount,
    const points_lotlist *prefer, points_lotlist *taken)
{
	unsigned char k[8];

	if (b->spill.n == 0)
		return points_lotlist__take(db, &b->lots, amount, prefer, taken);
	return points_lot_spill__take(db, spill_key(b, k), &b->lots, &b->spill,
	    amount, prefer, taken);
}

int
points_balance__take_due(points_db *db, points_balance_rec *b, uint32_t today,
    points_lotlist *taken, int64_t *sum)
{
	unsigned char k[8];

	return points_lot_spill__take_due(db, spill_key(b, k), &b->lots,
	    &b->spill, today, taken, sum);
}

int
points_balance__load_spilled(points_db *db, points_balance_rec *b,
    uint32_t from_day, size_t max)
{
	unsigned char k[8];

	return points_lot_spill__read(db, spill_key(b, k), &b->spill, from_day,
	    max, &b->lots);
}

/* Move the balance's sweep index key from idx_day to day (0: none). */
static int
move_sweep_key(points_db *db, points_balance_rec *b, uint32_t day)
{
	unsigned char k[16];
	int rc;

	if (b->idx_day) {
		points_balance__sweep_key(k, b->idx_day, b->account, b->asset);
		if ((rc = points_db__del(db, &points_balance__sweep_ks, k, sizeof(k))))
			return rc;
	}
	if (day) {
		points_balance__sweep_key(k, day, b->account, b->asset);
		if ((rc = points_db__put(db, &points_balance__sweep_ks, k, sizeof(k), "", 0)))
			return rc;
	}
	b->idx_day = day;
	return POINTS_OK;
}

/* Drop the items whose last pending day is before today, and trim the
 * rest, latest first, to what is available: points that left the
 * balance (a reversal takes pending points before it makes a debt,
 * expiry takes lots) were pending no more. */
static void
pend_prune(points_balance_rec *b, int64_t today)
{
	int64_t have = b->available > 0 ? b->available : 0, sum = 0;
	size_t i = 0;

	while (i < b->pend.n && (int64_t)b->pend.v[i].day < today)
		i++;
	if (i > 0) {
		memmove(b->pend.v, b->pend.v + i,
		    (b->pend.n - i) * sizeof(*b->pend.v));
		b->pend.n -= i;
	}
	for (i = 0; i < b->pend.n; i++)
		if (points_codec__add(&sum, b->pend.v[i].amount))
			sum = INT64_MAX;
	while (sum > have && b->pend.n > 0) {
		points_lotrec *last = &b->pend.v[b->pend.n - 1];
		int64_t x = sum - have < last->amount ? sum - have :
		    last->amount;

		last->amount -= x;
		sum -= x;
		if (last->amount == 0)
			b->pend.n--;
	}
}

int64_t
points_balance__locked(const points_balance_rec *b, int64_t today)
{
	int64_t sum = 0, have = b->available > 0 ? b->available : 0;
	size_t i;

	for (i = b->pend.n; i > 0 && (int64_t)b->pend.v[i - 1].day >= today;
	    i--)
		if (points_codec__add(&sum, b->pend.v[i - 1].amount))
			sum = INT64_MAX;
	return sum < have ? sum : have;
}

int64_t
points_balance__spendable(points_db *db, const points_balance_rec *b)
{
	if (b->pend.n == 0)
		return b->available;
	return b->available - points_balance__locked(b,
	    points_db__day(db, points_db__time(db, 0)));
}

int
points_balance__pend(points_db *db, points_balance_rec *b, uint32_t last,
    int64_t amount, int64_t *out)
{
	int64_t today = points_db__day(db, points_db__time(db, 0)), free_;
	int rc;

	if (out)
		*out = 0;
	if ((int64_t)last < today || amount <= 0 || b->system)
		return POINTS_OK; /* over already: spendable */
	pend_prune(b, today);
	free_ = (b->available > 0 ? b->available : 0) -
	    points_balance__locked(b, today);
	if (amount > free_)
		amount = free_;
	if (amount <= 0)
		return POINTS_OK;
	if (b->pend.n >= BALANCE_PEND_MAX)
		return points_db__err(db, POINTS_ELIMIT, "account %lld: more "
		    "than %d days with pending points", (long long)b->account,
		    BALANCE_PEND_MAX);
	if ((rc = points_lotlist__add(db, &b->pend, last, amount, NULL)))
		return rc;
	if (out)
		*out = amount;
	return POINTS_OK;
}

void
points_balance__unpend(points_db *db, points_balance_rec *b, uint32_t last,
    int64_t amount, int64_t *out)
{
	int64_t today = points_db__day(db, points_db__time(db, 0)), x = 0;
	size_t i;

	for (i = 0; i < b->pend.n; i++)
		if (b->pend.v[i].day == last && (int64_t)last >= today) {
			x = amount < b->pend.v[i].amount ? amount :
			    b->pend.v[i].amount;
			if (x < 0)
				x = 0;
			b->pend.v[i].amount -= x;
			if (b->pend.v[i].amount == 0) {
				memmove(b->pend.v + i, b->pend.v + i + 1,
				    (b->pend.n - i - 1) * sizeof(*b->pend.v));
				b->pend.n--;
			}
			break;
		}
	if (out)
		*out = x;
}

int
points_balance__store(points_db *db, points_balance_rec *b, int exact)
{
	unsigned char k[8];
	points_buf *buf = &db->vbuf;
	uint32_t prev = 0, first = points_balance__first_day(b);
	size_t i;
	int rc;

	/* Accounts and assets are made with ids that fit: never met. */
	if (!points_balance__key(b->account, b->asset, k))
		return points_db__err(db, POINTS_ELIMIT, "balance of account %lld "
		    "in asset #%u: ids past a balance key's 47 and 16 bits",
		    (long long)b->account, (unsigned)b->asset);

	/* what the modules watch (module.h) */
	if (!b->system && (rc = points_db__balance_storing(db, b)))
		return rc;

	/* A list longer than the bound (a record of an older library)
	 * spills its latest lots now. */
	if (b->lots.n > points_lot_spill__bound(db) && (rc = trim(db, b)))
		return rc;

	/* The key must sit no later than the earliest lot. */
	if (b->reindex)
		exact = 1;
	if (!first || !b->idx_day || first < b->idx_day ||
	    (exact && first != b->idx_day))
		if (first != b->idx_day && (rc = move_sweep_key(db, b, first)))
			return rc;

	/* pending items of past days: their points are spendable now */
	if (b->pend.n > 0)
		pend_prune(b, points_db__day(db, points_db__time(db, 0)));

	points_buf__reset(buf);
	points_buf__u8(buf, b->pend.n ? BALANCE_RECORD_V3 : b->debt ?
	    BALANCE_RECORD_V2 : BALANCE_RECORD_V1);
	points_buf__uvar(buf, (uint64_t)(b->flags | (b->wide && !b->shard ?
	    BALANCE_WIDE : 0)) << 2 | (unsigned)b->status);
	points_buf__svar(buf, b->available);
	points_buf__svar(buf, b->held);
	points_buf__svar(buf, b->earned);
	points_buf__svar(buf, b->spent);
	points_buf__svar(buf, b->expired);
	if (b->debt || b->pend.n)
		points_buf__svar(buf, b->debt);
	if (b->pend.n) {
		points_buf__uvar(buf, b->pend.n);
		for (i = 0, prev = 0; i < b->pend.n; i++) {
			points_buf__uvar(buf, b->pend.v[i].day - prev);
			points_buf__uvar(buf, (uint64_t)b->pend.v[i].amount);
			prev = b->pend.v[i].day;
		}
		prev = 0;
	}
	points_buf__uvar(buf, (uint64_t)b->last_seq);
	points_buf__uvar(buf, b->lots.n);
	for (i = 0; i < b->lots.n; i++) {
		points_buf__uvar(buf, b->lots.v[i].day - prev);
		points_buf__uvar(buf, (uint64_t)b->lots.v[i].amount);
		prev = b->lots.v[i].day;
	}
	if (first)
		points_buf__uvar(buf, first - b->idx_day);
	if (b->party) {
		points_buf__u8(buf, BALANCE_TAG_PARTY);
		points_buf__uvar(buf, b->party);
	}
	if (b->spill.n) {
		points_buf__u8(buf, BALANCE_TAG_SPILL_N);
		points_buf__uvar(buf, b->spill.n);
		points_buf__u8(buf, BALANCE_TAG_SPILL_SUM);
		points_buf__uvar(buf, (uint64_t)b->spill.sum);
		points_buf__u8(buf, BALANCE_TAG_SPILL_LAST);
		points_buf__uvar(buf, b->spill.last);
	}
	if (b->datalen)
		points_buf__bytes(buf, b->data, b->datalen);
	if (buf->err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	if (b->shard) {
		unsigned char sk[POINTS_BALANCE_SHARD_KEY_LEN];

		points_balance__shard_key(b->account, b->asset, b->shard - 1,
		    sk);
		rc = points_db__put(db, &points_balance__shard_ks, sk,
		    sizeof(sk), buf->data, buf->len);
	} else {
		rc = points_db__put(db, &points_balance__ks, k, sizeof(k),
		    buf->data, buf->len);
	}
	if (rc)
		return rc;
	b->stored_available = b->available;
	/* a shard's account has its own record too, made with its first
	 * entry in the asset as a user's is: a list of balances (a
	 * journal's) finds the account there, and the next write reads its
	 * status there */
	if (b->shard && !b->found) {
		points_balance_rec own;
		const void *v;
		size_t vl;

		/* made since b was loaded (by this write's other record of
		 * its home partition, in a ledger made before format 5) */
		rc = points_db__get(db, &points_balance__ks, k, sizeof(k), &v,
		    &vl);
		if (rc == POINTS_ENOTFOUND) {
			points_balance__init(&own, b->account, b->asset, 1);
			own.status = b->status;
			own.flags = b->flags;
			own.party = b->party;
			own.wide = b->wide;
			rc = points_balance__store(db, &own, 0);
			points_balance__free(&own);
		}
		if (rc)
			return rc;
		b->found = 1;
	}
	return POINTS_OK;
}

/* The stored balance of (account, asset), read without decoding its
 * lots: *v and *vl its bytes (borrowed until the next store call), *data
 * where its module data starts (NULL: it has none), b its head (status,
 * flags, counters). */
static int
locate(points_db *db, int64_t account, uint32_t asset, points_balance_rec *b,
    const unsigned char **v, size_t *vl, const unsigned char **data)
{
	unsigned char k[8];
	points_rd r;
	uint64_t i, nl, np;
	uint32_t day = 0, first = 0;
	int rc;

	*data = NULL;
	if (!points_balance__key(account, asset, k))
		return POINTS_ENOTFOUND;
	rc = points_db__get(db, &points_balance__ks, k, 8, (const void **)v,
	    vl);
	if (rc)
		return rc;
	/* the record's walk as points_balance__decode's, keeping nothing */
	points_balance__init(b, account, asset, 0);
	points_rd__init(&r, *v, *vl);
	decode_head(&r, b, &nl, NULL, &np);
	for (i = 0; i < nl && !r.err; i++) {
		uint64_t d = points_rd__uvar(&r);

		(void)points_rd__uvar(&r);
		if (d > POINTS_DAY_NEVER - (uint64_t)day || (i > 0 && d == 0))
			r.err = POINTS_ECORRUPT;
		day += (uint32_t)d;
		if (i == 0)
			first = day;
	}
	if (nl > 0 && first != POINTS_DAY_NEVER)
		(void)points_rd__uvar(&r);
	if (r.p < r.end && !r.err)
		decode_tail(&r, b, 0, (size_t)nl, day, data);
	if (r.err || r.p != r.end)
		return points_balance__unreadable(db, account);
	return POINTS_OK;
}

int
points_balance__data_peek(points_db *db, int64_t account, uint32_t asset,
    unsigned tag, const void **p, size_t *n)
{
	points_balance_rec b;
	const unsigned char *v, *data, *q, *x;
	size_t vl, xl;
	unsigned t;
	int rc;

	if ((rc = locate(db, account, asset, &b, &v, &vl, &data)))
		return rc;
	for (q = data; data && data_next(&q, v + vl, &t, &x, &xl);)
		if (t == tag) {
			*p = x;
			*n = xl;
			return POINTS_OK;
		}
	return POINTS_ENOTFOUND;
}

int
points_balance__data_write(points_db *db, int64_t account, uint32_t asset,
    unsigned tag, const void *p, size_t n)
{
	points_balance_rec b;
	const unsigned char *v, *data;
	unsigned char k[8];
	points_buf out;
	size_t vl;
	int rc;

	if ((rc = data_check(db, account, tag, n)))
		return rc;
	rc = locate(db, account, asset, &b, &v, &vl, &data);
	if (rc == POINTS_ENOTFOUND) {
		/* none yet: a zero balance, made as a posting makes one */
		points_balance__init(&b, account, asset, 0);
		if ((rc = points_balance__load_party(db, &b, 1, 1)) ==
		    POINTS_OK &&
		    (rc = points_balance__data_set(db, &b, tag, p, n)) ==
		    POINTS_OK)
			rc = points_balance__store(db, &b, 0);
		points_balance__free(&b);
		return rc;
	}
	if (rc || (rc = points_balance__check_party(db, &b, 1, 1)))
		return rc;
	/* Splice: the bytes before the module data as they are (nothing
	 * else changes, so the lots need no decoding), then the data with
	 * tag replaced. */
	points_buf__init(&out);
	points_buf__bytes(&out, v, data ? (size_t)(data - v) : vl);
	data_merge(&out, data, v + vl, tag, p, n);
	(void)points_balance__key(account, asset, k);
	rc = out.err ? points_db__err(db, POINTS_ENOMEM, "out of memory") :
	    points_db__put(db, &points_balance__ks, k, 8, out.data, out.len);
	points_buf__free(&out);
	return rc;
}

void
points_balance__label(points_db *db, int64_t account, char *out, size_t cap)
{
	points_account a;
	int code = db->errcode;
	char msg[sizeof(db->errmsg)];

	/* naming the account must not replace the error being reported */
	memcpy(msg, db->errmsg, sizeof(msg));
	/* an erased account has no external id left */
	if (points_account__load(db, account, &a) == POINTS_OK &&
	    a.external_id[0])
		snprintf(out, cap, "%s", a.external_id);
	else
		snprintf(out, cap, "#%lld", (long long)account);
	db->errcode = code;
	memcpy(db->errmsg, msg, sizeof(msg));
}

int
points_balance__load_party(points_db *db, points_balance_rec *b, int want_user,
    int allow_frozen)
{
	int rc;

	if ((rc = points_balance__load(db, b)))
		return rc;
	return points_balance__check_party(db, b, want_user, allow_frozen);
}

int
points_balance__check_party(points_db *db, points_balance_rec *b, int want_user,
    int allow_frozen)
{
	char label[POINTS_EXTID_MAX + 2];
	points_account a;
	int rc;

	if (!b->found) {
		/* a first posting in this asset: the account says */
		if ((rc = points_account__load_party(db, b->account, &a)))
			return rc;
		b->status = a.status;
		b->flags = a.flags;
		b->system = (a.flags & POINTS_ACCOUNT_SYSTEM) != 0;
		if ((rc = points_balance__party_of(db, &a, &b->party)))
			return rc;
	}
	if ((want_user > 0 && b->system) || (want_user < 0 && !b->system)) {
		points_balance__label(db, b->account, label, sizeof(label));
		return points_db__err(db, POINTS_EINVAL,
		    "account %s is %sa system account", label,
		    b->system ? "" : "not ");
	}
	if (b->status == POINTS_ACCOUNT_CLOSED ||
	    (b->status == POINTS_ACCOUNT_FROZEN && !allow_frozen)) {
		points_balance__label(db, b->account, label, sizeof(label));
		return points_db__err(db, b->status == POINTS_ACCOUNT_CLOSED ?
		    POINTS_ECLOSED : POINTS_EFROZEN, "account %s is %s", label,
		    b->status == POINTS_ACCOUNT_CLOSED ? "closed" : "frozen");
	}
	return POINTS_OK;
}

int
points_balance__party_of(points_db *db, const points_account *a,
    uint32_t *out)
{
	if ((a->flags & POINTS_ACCOUNT_SYSTEM) ||
	    (!a->department[0] && !a->tier[0])) {
		*out = 0;
		return POINTS_OK;
	}
	return points_party__intern(db, a->department, a->tier, out);
}

/* Rewrite each balance record of account: its status (party < 0) or its
 * party. */
static int
restamp(points_db *db, int64_t account, int status, int64_t party)
{
	unsigned char lo[8], hi[8], keys[16][8];
	size_t n, i;
	int rc = POINTS_OK;

	points_balance__account_range(account, lo, hi);
	do {
		/* a chunk of keys at a time: the writes go to this keyspace */
		rc = points_db__collect_keys(db, &points_balance__ks, lo, 8, hi, 8,
		    8, keys[0], 16, &n);
		for (i = 0; rc == POINTS_OK && i < n; i++) {
			points_balance_rec b;
			int64_t acct;
			uint32_t asset;

			points_balance__key_parse(keys[i], &acct, &asset);
			points_balance__init(&b, account, asset, 0);
			rc = points_balance__load(db, &b);
			if (rc == POINTS_OK) {
				if (party < 0)
					b.status = status;
				else
					b.party = (uint32_t)party;
				rc = points_balance__store(db, &b, 0);
			}
			points_balance__free(&b);
		}
		if (n > 0) /* resume just after the last key */
			points_codec__put_be64(lo, points_codec__get_be64(keys[n - 1]) + 1);
	} while (rc == POINTS_OK && n == 16);
	return rc;
}

int
points_balance__set_status(points_db *db, int64_t account, int status)
{
	return restamp(db, account, status, -1);
}

int
points_balance__set_party(points_db *db, int64_t account, uint32_t party)
{
	return restamp(db, account, 0, party);
}

/* What a system account has of each asset in its own records and its
 * shards (log partitions): each total must be zero. */
static int
system_all_zero(points_db *db, const points_account *a)
{
	unsigned char lo[8], hi[8];
	points_balance_rec b;
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	uint32_t asset;
	int64_t id;
	int rc, pass;

	points_balance__account_range(a->id, lo, hi);
	/* the assets it has records of: own ones, then shards'; each total
	 * read as a balance read sums it */
	for (pass = 0; pass < 2; pass++) {
		const points_ksdef *ks = pass ? &points_balance__shard_ks :
		    &points_balance__ks;

		rc = db->store->cursor_open(db->store, db->ks[ks->slot], lo, 8,
		    hi, 8, 0, &c);
		if (rc)
			return points_db__store_err(db, rc, ks->name);
		while ((rc = db->store->cursor_next(db->store, c, &k, &kl, &v,
		    &vl)) == POINTS_OK) {
			int64_t total;

			if (kl < 8) {
				rc = points_balance__unreadable(db, a->id);
				break;
			}
			points_balance__key_parse(k, &id, &asset);
			points_balance__init(&b, a->id, asset, 1);
			if ((rc = points_balance__load(db, &b)) == POINTS_OK &&
			    (rc = points_balance__others(db, &b)) == POINTS_OK)
				rc = points_balance__total_available(db, &b,
				    &total);
			points_balance__free(&b);
			if (rc)
				break;
			if (total != 0 || b.held != 0) {
				rc = points_db__err(db, POINTS_ESTATE,
				    "account %s still has points (available "
				    "%lld, held %lld): it can be closed only at "
				    "zero", a->external_id, (long long)total,
				    (long long)b.held);
				break;
			}
		}
		db->store->cursor_close(db->store, c);
		if (rc == POINTS_ITEROVER)
			rc = POINTS_OK;
		else if (rc != POINTS_ESTATE && rc != POINTS_ECORRUPT &&
		    rc != POINTS_ENOMEM)
			rc = points_db__store_err(db, rc, ks->name);
		if (rc)
			return rc;
	}
	return POINTS_OK;
}

int
points_balance__all_zero(points_db *db, const points_account *a)
{
	unsigned char lo[8], hi[8];
	points_cursor *c;
	int rc;

	if (a->flags & POINTS_ACCOUNT_SYSTEM)
		return system_all_zero(db, a);

	points_balance__account_range(a->id, lo, hi);
	rc = db->store->cursor_open(db->store, db->ks[points_balance__ks.slot], lo, 8, hi,
	    8, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "balance");
	for (;;) {
		const void *k, *v;
		size_t kl, vl;
		points_balance_rec b;

		rc = db->store->cursor_next(db->store, c, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, "balance");
			break;
		}
		points_balance__init(&b, a->id, 0, 1);
		rc = points_balance__decode(db, v, vl, &b, 0);
		points_balance__free(&b);
		if (rc)
			break;
		if (b.available != 0 || b.held != 0) {
			rc = points_db__err(db, POINTS_ESTATE,
			    "account %s still has points (available %lld, "
			    "held %lld): it can be closed only at zero",
			    a->external_id, (long long)b.available,
			    (long long)b.held);
			break;
		}
		if (b.debt != 0) {
			/* a debt is not zero either: a forfeiture writes it
			 * off (points_account_forfeit) */
			rc = points_db__err(db, POINTS_ESTATE,
			    "account %s still has a debt of %lld: it can be "
			    "closed only at zero (a forfeiture writes a debt "
			    "off)", a->external_id, (long long)b.debt);
			break;
		}
	}
	db->store->cursor_close(db->store, c);
	return rc;
}

/* ---- Upgrades ---- */

#define MIGRATE_CHUNK 64

/* A format-1 balance of the sink or the expiry account, moved to "bal"
 * without the flag allow-negative. */
static int
system_v1(points_db *db, int64_t account, uint32_t asset, const void *v,
    size_t vl)
{
	points_balance_rec b;
	int rc;

	points_balance__init(&b, account, asset, 1);
	rc = points_balance__decode(db, v, vl, &b, 1);
	if (rc == POINTS_OK) {
		b.flags &= ~POINTS_ACCOUNT_ALLOW_NEGATIVE;
		rc = points_balance__store(db, &b, 0);
	}
	points_balance__free(&b);
	return rc;
}

/* Format 1 -> 2: every record of "balance" moves to "bal" under its
 * integer key, unchanged.  A chunk of keys at a time, since the deletes
 * go to the keyspace a cursor would walk. */
static int
migrate_v1(points_db *db)
{
	unsigned char keys[MIGRATE_CHUNK][12], k[8];
	size_t n, i;
	int rc;

	do {
		rc = points_db__collect_keys(db, &balance_v1_ks, NULL, 0, NULL, 0,
		    12, keys[0], MIGRATE_CHUNK, &n);
		for (i = 0; rc == POINTS_OK && i < n; i++) {
			int64_t account = (int64_t)points_codec__get_be64(keys[i]);
			uint32_t asset = points_codec__get_be32(keys[i] + 8);
			const void *v;
			size_t vl;

			if (!points_balance__key(account, asset, k)) {
				rc = points_db__err(db, POINTS_ELIMIT, "balance of "
				    "account %lld in asset #%u: ids past a "
				    "balance key's 47 and 16 bits: this ledger "
				    "cannot be upgraded", (long long)account,
				    (unsigned)asset);
				break;
			}
			rc = points_db__get(db, &balance_v1_ks, keys[i], 12, &v,
			    &vl);
			if (rc == POINTS_ENOTFOUND)
				rc = points_db__err(db, POINTS_ECORRUPT, "balance "
				    "of account %lld vanished while upgrading",
				    (long long)account);
			/* 0.1.0 let the sink and the expiry account go
			 * negative; the account module's upgrade takes the
			 * flag off them, in whichever keyspace it finds */
			if (rc == POINTS_OK && (account == POINTS_ACCOUNT_SINK ||
			    account == POINTS_ACCOUNT_EXPIRY))
				rc = system_v1(db, account, asset, v, vl);
			else if (rc == POINTS_OK)
				rc = points_db__put(db, &points_balance__ks, k, 8,
				    v, vl);
			if (rc == POINTS_OK)
				rc = points_db__del(db, &balance_v1_ks, keys[i], 12);
		}
	} while (rc == POINTS_OK && n == MIGRATE_CHUNK);
	return rc;
}

/* Balances made before they kept their account's party: each user
 * account with a department or tier stamps its balances. */
static int
stamp_parties(points_db *db)
{
	unsigned char lo[8], keys[MIGRATE_CHUNK][8];
	size_t n, i;
	int rc = POINTS_OK;

	points_codec__put_be64(lo, 1);
	do {
		rc = points_db__collect_keys(db, &points_account__ks, lo, 8, NULL,
		    0, 8, keys[0], MIGRATE_CHUNK, &n);
		for (i = 0; rc == POINTS_OK && i < n; i++) {
			points_account a;
			uint32_t party = 0;

			rc = points_account__load(db,
			    (int64_t)points_codec__get_be64(keys[i]), &a);
			if (rc == POINTS_OK)
				rc = points_balance__party_of(db, &a, &party);
			if (rc == POINTS_OK && party)
				rc = points_balance__set_party(db, a.id, party);
		}
		if (n > 0)
			points_codec__put_be64(lo,
			    points_codec__get_be64(keys[n - 1]) + 1);
	} while (rc == POINTS_OK && n == MIGRATE_CHUNK);
	return rc;
}

/* A new ledger, one made before modules recorded their formats, or one
 * of format 1: balances in "balance" move to "bal" (none in a new
 * ledger), and take their account's party.  In the transaction that
 * records format 2: all or nothing. */
static int
balance_setup(points_db *db, unsigned int found)
{
	int rc = POINTS_OK;

	if (found < 2 && (rc = migrate_v1(db)) == POINTS_OK)
		rc = stamp_parties(db);
	return rc;
}

/* Decode a stored balance for a read, with *due, the points of its lots
 * that are past due by the ledger's clock: a read shows them expired
 * whether or not a write or a sweep has posted their expiry yet (writes
 * expire them first: ledger/posting.h).  The lots follow the counters in
 * day order, so the walk stops at the first lot still valid: a lookup
 * decodes little more of the record than the counters. */
static int
decode_read(points_db *db, const void *v, size_t vl, points_balance_rec *b,
    int64_t *due, int64_t *locked)
{
	points_rd r, pr;
	uint64_t i, n, np;
	int64_t today = 0, day = 0;

	points_rd__init(&r, v, vl);
	decode_head(&r, b, &n, &pr, &np);
	*due = 0;
	*locked = 0;
	if ((n > 0 || np > 0) && !r.err)
		today = points_db__day(db, points_db__time(db, 0));
	if (np > 0 && !r.err)
		(void)pend_parse(NULL, &pr, np, NULL, today, locked);
	for (i = 0; i < n && !r.err; i++) {
		uint64_t d = points_rd__uvar(&r);
		uint64_t amount = points_rd__uvar(&r);

		/* a damaged gap must not overflow day: the full decode
		 * reports it */
		if (d > POINTS_DAY_NEVER)
			break;
		day += (int64_t)d;
		if (day >= today)
			break;
		/* a lot past int64 is damage (as the full decode says):
		 * *due stays >= 0 */
		if (amount > INT64_MAX || points_codec__add(due,
		    (int64_t)amount))
			r.err = POINTS_ECORRUPT;
	}
	/* Every inline lot is past due: so may spilled ones be (seldom:
	 * only an account nothing wrote to since they were due). */
	if (n > 0 && i == n && !r.err) {
		const unsigned char *data = NULL;
		int64_t x;
		int rc;

		(void)points_rd__uvar(&r); /* the sweep index's offset */
		b->party = 0;
		decode_tail(&r, b, 0, (size_t)n, (uint32_t)day, &data);
		if (!r.err && b->spill.n > 0) {
			unsigned char k[8];

			if ((rc = points_lot_spill__due(db, spill_key(b, k),
			    &b->spill, (uint32_t)today, &x)))
				return rc;
			if (points_codec__add(due, x))
				r.err = POINTS_ECORRUPT;
		}
	}
	if (r.err)
		return points_balance__unreadable(db, b->account);
	return POINTS_OK;
}

int
points_balance__read(points_db *db, int64_t account, const char *asset,
    points_balance *out)
{
	points_asset_rec a;
	points_account acct;
	points_balance_rec b;
	int64_t due = 0, locked = 0;
	int rc;

	points_balance__init(&b, account, 0, 1);
	rc = points_asset__find(db, asset, &a);
	if (rc == POINTS_OK) {
		unsigned char k[8];
		const void *v;
		size_t vl;

		/* A balance record proves the account; only without one
		 * is the account looked up, to tell zero from unknown. */
		b.asset = a.id;
		rc = points_balance__key(account, a.id, k) ?
		    points_db__get(db, &points_balance__ks, k, sizeof(k), &v, &vl) :
		    POINTS_ENOTFOUND;
		if (rc == POINTS_ENOTFOUND) {
			rc = points_account__load(db, account, &acct);
			b.flags = rc == POINTS_OK ? acct.flags : 0;
		} else if (rc == POINTS_OK) {
			rc = decode_read(db, v, vl, &b, &due, &locked);
		}
		/* a system account's balance is its records' sum */
		if (rc == POINTS_OK && (b.flags & POINTS_ACCOUNT_SYSTEM))
			rc = shards_sum(db, &b);
	}
	/* what a sweep now would do: past-due lots are gone (due >= 0; a
	 * damaged available near INT64_MIN cannot take it) */
	if (rc == POINTS_OK && points_codec__add(&b.available, -due))
		rc = points_balance__unreadable(db, account);
	if (rc == POINTS_OK) {
		memset(out, 0, sizeof(*out));
		out->account = account;
		strcpy(out->asset, a.a.code);
		out->available = b.available;
		/* pending points not yet spendable: no more than what
		 * is left (expiry may have taken some) */
		if (locked > (out->available > 0 ? out->available : 0))
			locked = out->available > 0 ? out->available : 0;
		out->available -= locked;
		out->pending = locked;
		out->held = b.held;
		out->earned = b.earned;
		out->spent = b.spent;
		out->expired = b.expired;
		out->debt = b.debt;
		points_balance__counter_sat(&out->expired, due);
	}
	points_balance__free(&b);
	return rc;
}

POINTS_EXTERN int
points_balance_get(points_db *db, int64_t account, const char *asset,
    points_balance *out)
{
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = points_balance__read(db, account, asset, out);
	points_db__read_end(db);
	return rc;
}
