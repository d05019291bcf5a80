/* lottery.c - lotteries whose draws anyone can audit (points/lottery.h,
 * the scheme in points_lottery(3)).
 *
 * Stored:
 *   keyspace "lotteries" (INT64): id (be64) -> the lottery, with its
 *                                  secret seed
 *   keyspace "lotterydraw" (INT64): id << 32 | n (be64) -> draw n
 *   keyspace "lottery":
 *     'n'                          -> the last lottery id (be64)
 *     'p' | account (be64) | id (be64) -> the account's draws in the
 *                                  lottery: total, day, draws that day,
 *                                  the number of its last draw
 * Lottery ids and draw numbers stay below 2^31, so that a draw's key
 * (and its idempotency record) is one integer.  Lotteries and draws
 * have rowid tables on SQLite: a draw's puts into the blob-keyed table
 * that held them (format 3) cost four times a balance's, in record
 * comparisons.
 * A draw record names the account's previous draw in the lottery, so
 * that its draws are a chain from its last: listing them needs no key
 * per draw (a key per draw and account put a random page in every
 * draw's writes).
 * keyspace "lotteryidem": a draw's idempotency key -> the draw's
 * (lottery id << 32 | number), which names no entry. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "points.h"
#include "util/codec.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/db.h"
#include "core/module.h"
#include "ledger/posting.h"
#include "ledger/write.h"
#include "outbox/outbox.h"
#include "activity/eligible.h"
#include "mall/item.h"
#include "mall/window.h"
#include "activity/lottery.h"

/* 2: version-2 records (who may draw: tiers, departments, a
 * condition), which format 1's readers refuse (a format 1 ledger
 * upgrades as it is: version 1 reads on, as anyone may draw) */
/* 3: an account's counts under 'p' keys with its last draw, version-2
 * draws (the account's previous draw) and version-3 lotteries (the
 * participants), which setup makes from an older ledger's 'a' keys and
 * draws (format 2's writers would leave them out) */
/* version-4 lotteries (an item prize's SKU) and version-3 draws (an
 * item prize's order) are written as they change: older records read
 * on, their prizes naming no item */
/* 4: lotteries and draws in keyspaces of their own, keyed by an
 * integer, which setup moves an older ledger's 'l' and 'd' keys to */
#define LOTTERY_FORMAT 4
#define LOTTERY_V1 1
#define LOTTERY_V2 2 /* version 1's fields, then tiers, departments and
                      * the condition */
#define LOTTERY_V3 3 /* then the participants */
#define LOTTERY_V4 4 /* then each prize's SKU */
#define DRAW_V1 1
#define DRAW_V2 2 /* then the account's previous draw in the lottery */
#define DRAW_V3 3 /* then the item prize's order */
/* The fingerprint's first byte (the order's is 66). */
#define LOTTERY_DRAW_TYPE 67
/* The category of the lottery's postings (a draw's cost is a spend of
 * it, a prize's or consolation's points an earn). */
#define LOTTERY_CATEGORY "lottery"
#define DAY 86400

points_ksdef points_lottery__ks = { "lottery", 0, 0 };
#define lottery_ks points_lottery__ks
points_ksdef points_lottery__draw_ks = { "lotterydraw", POINTS_KS_INT64, 0 };
#define draw_ks points_lottery__draw_ks
static points_ksdef lots_ks = { "lotteries", POINTS_KS_INT64, 0 };
static points_ksdef idem_ks = { "lotteryidem", 0, 0 };
static points_ksdef *const keyspaces[] = { &lottery_ks, &lots_ks, &draw_ks,
	&idem_ks, NULL };
/* The lottery as stored, with its seed (secret until closed). */
typedef struct lottery_full {
	int64_t id;
	char name[POINTS_LOTTERY_NAME_MAX + 1];
	char asset[POINTS_ASSET_MAX + 1];
	int64_t cost, starts, ends, min_balance, limit_day, limit_total;
	int64_t lose_weight, consolation;
	int nprizes;
	points_lottery_prize prizes[POINTS_LOTTERY_PRIZES_MAX];
	int state;
	int64_t draws;
	int64_t participants; /* accounts that drew */
	unsigned char commitment[32];
	char tiers[POINTS_ELIGIBLE_LIST_MAX + 1];
	char departments[POINTS_ELIGIBLE_LIST_MAX + 1];
	char condition[POINTS_ELIGIBLE_CONDITION_MAX + 1];
} lottery_full;
typedef struct lottery_rec {
	lottery_full l;
	unsigned char seed[POINTS_LOTTERY_SEED_LEN];
} lottery_rec;

/* Per handle: the lottery last read or written in this transaction,
 * decoded, so that the draws of a batch decode their lottery once
 * (that was 2.7% of a draw's instructions).  Forgotten when the
 * transaction ends or an operation of a batch is undone. */
typedef struct lottery_state {
	int valid;
	lottery_rec r;
} lottery_state;

static int lottery_setup(points_db *db, unsigned int found);
static void lottery_txn_end(points_db *db, void *state, int committed);
static void lottery_op_undone(points_db *db, void *state);
static points_module lottery_module = {
	.name = "lottery",
	.format = LOTTERY_FORMAT,
	.keyspaces = keyspaces,
	.state_size = sizeof(lottery_state),
	.setup = lottery_setup,
	.txn_end = lottery_txn_end,
	.op_undone = lottery_op_undone,
};
POINTS_MODULE(lottery_module)

void (*points_lottery__seed_hook)(unsigned char seed[32]);

static void
lottery_txn_end(points_db *db, void *state, int committed)
{
	(void)db;
	(void)committed;
	((lottery_state *)state)->valid = 0;
}

/* The lottery may be one the undone operation wrote. */
static void
lottery_op_undone(points_db *db, void *state)
{
	(void)db;
	((lottery_state *)state)->valid = 0;
}

/* ---- The scheme ---- */

/* One 64-bit value of the stream: the first 8 bytes (big-endian) of
 * BLAKE2b-128 keyed with the seed of id (be64) | number (be64) |
 * attempt (be32). */
static uint64_t
stream(const unsigned char seed[32], int64_t id, int64_t number,
    uint32_t attempt)
{
	unsigned char msg[20], out[16];

	points_codec__put_be64(msg, (uint64_t)id);
	points_codec__put_be64(msg + 8, (uint64_t)number);
	points_codec__put_be32(msg + 16, attempt);
	crypto_generichash(out, sizeof(out), msg, sizeof(msg), seed, 32);
	return points_codec__get_be64(out);
}

int
points_lottery__pick(const unsigned char seed[32], int64_t id,
    int64_t number, const int64_t *w, const int64_t *s, int n, int64_t lose)
{
	uint64_t total = (uint64_t)lose, r, x;
	uint32_t attempt;
	int i;

	for (i = 0; i < n; i++)
		if (s[i] > 0)
			total += (uint64_t)w[i];
	if (total == 0)
		return -1;
	/* r = 2^64 mod total: values x >= 2^64 - r are rejected (the next
	 * attempt's value is taken), so every residue is equally likely */
	r = (UINT64_MAX % total + 1) % total;
	for (attempt = 0;; attempt++) {
		x = stream(seed, id, number, attempt);
		if (r == 0 || x <= UINT64_MAX - r)
			break;
	}
	x %= total;
	for (i = 0; i < n; i++) {
		if (s[i] <= 0)
			continue;
		if (x < (uint64_t)w[i])
			return i;
		x -= (uint64_t)w[i];
	}
	return n;
}

/* ---- Records ---- */

static size_t
lottery_key(unsigned char *k, int64_t id)
{
	points_codec__put_be64(k, (uint64_t)id);
	return 8;
}

size_t
points_lottery__draw_key(unsigned char *k, int64_t id, int64_t n)
{
	points_codec__put_be64(k, (uint64_t)id << 32 | (uint64_t)n);
	return 8;
}
#define draw_key points_lottery__draw_key

size_t
points_lottery__player_key(unsigned char *k, int64_t account, int64_t id)
{
	k[0] = 'p';
	points_codec__put_be64(k + 1, (uint64_t)account);
	points_codec__put_be64(k + 9, (uint64_t)id);
	return 17;
}

static int
lottery_store(points_db *db, const lottery_rec *r)
{
	lottery_state *st = points_db__state(db, &lottery_module);
	const lottery_full *l = &r->l;
	unsigned char k[8];
	points_buf b;
	int i, rc;

	points_buf__init(&b);
	points_buf__u8(&b, LOTTERY_V4);
	points_buf__str(&b, l->name);
	points_buf__str(&b, l->asset);
	points_buf__svar(&b, l->cost);
	points_buf__svar(&b, l->starts);
	points_buf__svar(&b, l->ends);
	points_buf__svar(&b, l->min_balance);
	points_buf__svar(&b, l->limit_day);
	points_buf__svar(&b, l->limit_total);
	points_buf__svar(&b, l->lose_weight);
	points_buf__svar(&b, l->consolation);
	points_buf__u8(&b, (unsigned)l->state);
	points_buf__svar(&b, l->draws);
	points_buf__bytes(&b, l->commitment, 32);
	points_buf__bytes(&b, r->seed, POINTS_LOTTERY_SEED_LEN);
	points_buf__u8(&b, (unsigned)l->nprizes);
	for (i = 0; i < l->nprizes; i++) {
		const points_lottery_prize *p = &l->prizes[i];

		points_buf__u8(&b, (unsigned)p->kind);
		points_buf__str(&b, p->label);
		points_buf__svar(&b, p->weight);
		points_buf__svar(&b, p->stock);
		points_buf__svar(&b, p->initial);
		points_buf__svar(&b, p->amount);
	}
	/* version 2 */
	points_buf__str(&b, l->tiers);
	points_buf__str(&b, l->departments);
	points_buf__str(&b, l->condition);
	/* version 3 */
	points_buf__svar(&b, l->participants);
	/* version 4 */
	for (i = 0; i < l->nprizes; i++)
		points_buf__str(&b, l->prizes[i].sku);
	if (b.err)
		rc = points_db__err(db, b.err, "lottery %lld: out of memory",
		    (long long)l->id);
	else
		rc = points_db__put(db, &lots_ks, k, lottery_key(k, l->id),
		    b.data, b.len);
	points_buf__free(&b);
	st->valid = rc == POINTS_OK;
	if (rc == POINTS_OK && r != &st->r)
		st->r = *r;
	return rc;
}

/* Lottery id, decoded in the handle's state: *out is valid until the
 * next lottery is read or written, or the transaction or operation
 * ends.  A change made to it must be stored (lottery_store) before the
 * operation can fail without having written: an undone operation
 * forgets it, one that wrote nothing does not. */
static int
lottery_ref(points_db *db, int64_t id, lottery_rec **out)
{
	lottery_state *st = points_db__state(db, &lottery_module);
	lottery_rec *r = &st->r;
	lottery_full *l = &r->l;
	unsigned char k[8];
	const void *v;
	size_t vl;
	points_rd d;
	unsigned ver;
	int i, rc;

	if (st->valid && st->r.l.id == id) {
		*out = r;
		return POINTS_OK;
	}
	st->valid = 0;
	/* ids past 31 bits are never made (nor keys for the keyspace) */
	rc = id <= 0 || id > INT32_MAX ? POINTS_ENOTFOUND :
	    points_db__get(db, &lots_ks, k, lottery_key(k, id), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, rc, "lottery %lld not found",
		    (long long)id);
	if (rc)
		return rc;
	memset(r, 0, sizeof(*r));
	l->id = id;
	points_rd__init(&d, v, vl);
	ver = points_rd__u8(&d);
	if (ver < LOTTERY_V1 || ver > LOTTERY_V4)
		d.err = POINTS_ECORRUPT;
	points_rd__str(&d, l->name, sizeof(l->name));
	points_rd__str(&d, l->asset, sizeof(l->asset));
	l->cost = points_rd__svar(&d);
	l->starts = points_rd__svar(&d);
	l->ends = points_rd__svar(&d);
	l->min_balance = points_rd__svar(&d);
	l->limit_day = points_rd__svar(&d);
	l->limit_total = points_rd__svar(&d);
	l->lose_weight = points_rd__svar(&d);
	l->consolation = points_rd__svar(&d);
	l->state = (int)points_rd__u8(&d);
	l->draws = points_rd__svar(&d);
	points_rd__bytes(&d, l->commitment, 32);
	points_rd__bytes(&d, r->seed, POINTS_LOTTERY_SEED_LEN);
	l->nprizes = (int)points_rd__u8(&d);
	if (l->nprizes < 1 || l->nprizes > POINTS_LOTTERY_PRIZES_MAX)
		d.err = POINTS_ECORRUPT;
	for (i = 0; i < l->nprizes && !d.err; i++) {
		points_lottery_prize *p = &l->prizes[i];

		p->kind = (int)points_rd__u8(&d);
		points_rd__str(&d, p->label, sizeof(p->label));
		p->weight = points_rd__svar(&d);
		p->stock = points_rd__svar(&d);
		p->initial = points_rd__svar(&d);
		p->amount = points_rd__svar(&d);
	}
	if (ver >= LOTTERY_V2) {
		points_rd__str(&d, l->tiers, sizeof(l->tiers));
		points_rd__str(&d, l->departments, sizeof(l->departments));
		points_rd__str(&d, l->condition, sizeof(l->condition));
	}
	if (ver >= LOTTERY_V3)
		l->participants = points_rd__svar(&d);
	for (i = 0; ver >= LOTTERY_V4 && i < l->nprizes && !d.err; i++)
		points_rd__str(&d, l->prizes[i].sku, sizeof(l->prizes[i].sku));
	if (d.err || d.p != d.end)
		return points_db__err(db, POINTS_ECORRUPT, "lottery %lld: "
		    "damaged record", (long long)id);
	st->valid = 1;
	*out = r;
	return POINTS_OK;
}

/* Lottery id, a copy of its own in *r. */
static int
lottery_load(points_db *db, int64_t id, lottery_rec *r)
{
	lottery_rec *p;
	int rc;

	if ((rc = lottery_ref(db, id, &p)) == POINTS_OK)
		*r = *p;
	return rc;
}

/* Draw w, with the account's previous draw in the lottery (0: none). */
static int
draw_store(points_db *db, const points_lottery_draw *w, int64_t prev)
{
	unsigned char k[8];
	points_buf b;
	int rc;

	points_buf__init(&b);
	points_buf__u8(&b, w->order_id[0] ? DRAW_V3 : DRAW_V2);
	points_buf__svar(&b, w->account);
	points_buf__svar(&b, w->time);
	points_buf__svar(&b, w->outcome);
	points_buf__svar(&b, w->cost);
	points_buf__svar(&b, w->credited);
	points_buf__svar(&b, prev);
	if (w->order_id[0])
		points_buf__str(&b, w->order_id);
	if (b.err)
		rc = points_db__err(db, b.err, "lottery %lld: out of memory",
		    (long long)w->lottery);
	else
		rc = points_db__put(db, &draw_ks, k, draw_key(k, w->lottery,
		    w->number), b.data, b.len);
	points_buf__free(&b);
	return rc;
}

int
points_lottery__draw_load(points_db *db, int64_t id, int64_t n,
    points_lottery_draw *w, int64_t *prev)
{
	unsigned char k[8];
	const void *v;
	size_t vl;
	int rc;

	/* past 31 bits, a key would be another draw's */
	rc = id <= 0 || id > INT32_MAX || n <= 0 || n > INT32_MAX ?
	    POINTS_ENOTFOUND : points_db__get(db, &draw_ks, k, draw_key(k,
	    id, n), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, rc, "lottery %lld: draw %lld not "
		    "found", (long long)id, (long long)n);
	if (rc)
		return rc;
	return points_lottery__draw_decode(db, id, n, v, vl, w, prev);
}
#define draw_load(db, id, n, w) points_lottery__draw_load(db, id, n, w, NULL)

int
points_lottery__draw_decode(points_db *db, int64_t id, int64_t n,
    const void *v, size_t vl, points_lottery_draw *w, int64_t *prev)
{
	points_rd d;
	unsigned ver;
	int64_t p = 0;

	memset(w, 0, sizeof(*w));
	w->lottery = id;
	w->number = n;
	points_rd__init(&d, v, vl);
	ver = points_rd__u8(&d);
	if (ver < DRAW_V1 || ver > DRAW_V3)
		d.err = POINTS_ECORRUPT;
	w->account = points_rd__svar(&d);
	w->time = points_rd__svar(&d);
	w->outcome = (int)points_rd__svar(&d);
	w->cost = points_rd__svar(&d);
	w->credited = points_rd__svar(&d);
	if (ver >= DRAW_V2)
		p = points_rd__svar(&d);
	if (ver >= DRAW_V3)
		points_rd__str(&d, w->order_id, sizeof(w->order_id));
	if (d.err || d.p != d.end || p < 0 || p >= n)
		return points_db__err(db, POINTS_ECORRUPT, "lottery %lld: draw "
		    "%lld: damaged record", (long long)id, (long long)n);
	if (prev)
		*prev = p;
	return POINTS_OK;
}

/* ---- An account's counts ---- */

int
points_lottery__count_decode(points_db *db, int64_t id, int64_t account,
    const void *v, size_t vl, points_lottery__count *c)
{
	points_rd d;

	memset(c, 0, sizeof(*c));
	points_rd__init(&d, v, vl);
	c->total = points_rd__svar(&d);
	c->day = points_rd__svar(&d);
	c->today = points_rd__svar(&d);
	/* format 2's records end here */
	if (d.p != d.end)
		c->last = points_rd__svar(&d);
	if (d.err || d.p != d.end || c->last < 0)
		return points_db__err(db, POINTS_ECORRUPT, "lottery %lld: "
		    "account %lld's counts: damaged record", (long long)id,
		    (long long)account);
	return POINTS_OK;
}

static int
count_load(points_db *db, int64_t id, int64_t account,
    points_lottery__count *c)
{
	unsigned char k[17];
	const void *v;
	size_t vl;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = points_db__get(db, &lottery_ks, k,
	    points_lottery__player_key(k, account, id), &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	return points_lottery__count_decode(db, id, account, v, vl, c);
}

static int
count_store(points_db *db, int64_t id, int64_t account,
    const points_lottery__count *c)
{
	unsigned char k[17];
	points_buf b;
	int rc;

	points_buf__init(&b);
	points_buf__svar(&b, c->total);
	points_buf__svar(&b, c->day);
	points_buf__svar(&b, c->today);
	points_buf__svar(&b, c->last);
	rc = b.err ? points_db__err(db, b.err, "lottery %lld: out of memory",
	    (long long)id) : points_db__put(db, &lottery_ks, k,
	    points_lottery__player_key(k, account, id), b.data, b.len);
	points_buf__free(&b);
	return rc;
}

/* ---- Upgrading format 2 ---- */

/* Format 2's counts, 'a' | id | account, move to 'p' | account | id,
 * and each lottery counts its participants. */
static int
move_counts(points_db *db)
{
	enum { CHUNK = 256 };
	unsigned char keys[CHUNK * 17], lo[1] = { 'a' }, hi[1] = { 'b' };
	size_t n, i, vl;
	const void *v;
	points_lottery__count c;
	lottery_rec l;
	int rc;

	do {
		/* each chunk's keys are deleted: the next starts at 'a' */
		if ((rc = points_db__collect_keys(db, &lottery_ks, lo, 1, hi, 1,
		    17, keys, CHUNK, &n)))
			return rc;
		for (i = 0; i < n; i++) {
			const unsigned char *k = keys + i * 17;
			int64_t id = (int64_t)points_codec__get_be64(k + 1);
			int64_t acct = (int64_t)points_codec__get_be64(k + 9);

			if ((rc = points_db__get(db, &lottery_ks, k, 17, &v,
			    &vl)) ||
			    (rc = points_lottery__count_decode(db, id, acct, v,
			    vl, &c)) ||
			    (rc = points_db__del(db, &lottery_ks, k, 17)) ||
			    (rc = count_store(db, id, acct, &c)) ||
			    (rc = lottery_load(db, id, &l)))
				return rc;
			l.l.participants++;
			if ((rc = lottery_store(db, &l)))
				return rc;
		}
	} while (n == CHUNK);
	return POINTS_OK;
}

/* ---- Upgrading format 3 ---- */

/* Format 3's records under tag ('l' | id: lotteries, 'd' | id | n:
 * draws; klen bytes) move to their keyspace of format 4, a chunk at a
 * time. */
static int
move_records(points_db *db, unsigned char tag, size_t klen,
    const points_ksdef *to)
{
	enum { CHUNK = 256 };
	unsigned char keys[CHUNK * 17], lo[1], hi[1], nk[8];
	size_t n, i, vl;
	const void *v;
	points_buf b;
	int rc;

	lo[0] = tag;
	hi[0] = (unsigned char)(tag + 1);
	do {
		/* each chunk's keys are deleted: the next starts at tag */
		if ((rc = points_db__collect_keys(db, &lottery_ks, lo, 1, hi, 1,
		    klen, keys, CHUNK, &n)))
			return rc;
		for (i = 0; i < n; i++) {
			const unsigned char *k = keys + i * klen;
			int64_t id = (int64_t)points_codec__get_be64(k + 1);
			int64_t num = klen == 17 ?
			    (int64_t)points_codec__get_be64(k + 9) : 0;

			if (id <= 0 || id > INT32_MAX || num < 0 ||
			    num > INT32_MAX)
				return points_db__err(db, POINTS_ECORRUPT,
				    "lottery %lld: draw %lld: damaged key",
				    (long long)id, (long long)num);
			if ((rc = points_db__get(db, &lottery_ks, k, klen, &v,
			    &vl)))
				return rc;
			/* the value is borrowed until the next store call */
			points_buf__init(&b);
			points_buf__bytes(&b, v, vl);
			if (b.err)
				rc = points_db__err(db, b.err, "lottery %lld: out "
				    "of memory", (long long)id);
			else if (!(rc = points_db__del(db, &lottery_ks, k,
			    klen)))
				rc = points_db__put(db, to, nk, klen == 17 ?
				    draw_key(nk, id, num) : lottery_key(nk, id),
				    b.data, b.len);
			points_buf__free(&b);
			if (rc)
				return rc;
		}
	} while (n == CHUNK);
	return POINTS_OK;
}

/* Format 3 moves its lotteries and draws to their keyspaces; formats 1
 * and 2 also get, as their draws are read in order, their account's
 * previous draw and its counts their last, a chunk of keys at a time
 * (a cursor must not see the keyspace written).  The move comes first,
 * so that the rest reads and writes format 4's keys. */
static int
lottery_setup(points_db *db, unsigned int found)
{
	enum { CHUNK = 256 };
	unsigned char keys[CHUNK * 8], lo[8];
	size_t n, i;
	points_lottery_draw w;
	points_lottery__count c;
	int from = 0, rc;

	if (found >= 4)
		return POINTS_OK;
	if ((rc = move_records(db, 'l', 9, &lots_ks)) ||
	    (rc = move_records(db, 'd', 17, &draw_ks)))
		return rc;
	if (found >= 3)
		return POINTS_OK;
	if ((rc = move_counts(db)))
		return rc;
	do {
		if ((rc = points_db__collect_keys(db, &draw_ks, from ? lo : NULL,
		    from ? 8 : 0, NULL, 0, 8, keys, CHUNK, &n)))
			return rc;
		for (i = 0; i < n; i++) {
			uint64_t k = points_codec__get_be64(keys + i * 8);
			int64_t id = (int64_t)(k >> 32);
			int64_t num = (int64_t)(k & 0xffffffff);

			if ((rc = draw_load(db, id, num, &w)) ||
			    (rc = count_load(db, id, w.account, &c)) ||
			    (rc = draw_store(db, &w, c.last)))
				return rc;
			c.last = num;
			if ((rc = count_store(db, id, w.account, &c)))
				return rc;
		}
		/* the next chunk starts past the last key */
		if (n == CHUNK)
			points_codec__put_be64(lo, points_codec__get_be64(keys +
			    (n - 1) * 8) + 1);
		from = 1;
	} while (n == CHUNK);
	return POINTS_OK;
}

/* ---- Creating ---- */

static int
check_def(points_db *db, const points_lottery_def *l)
{
	char what[POINTS_LOTTERY_NAME_MAX + 16];
	points_eligible e;
	int64_t total;
	int i, rc;

	if ((rc = points_db__check_str(db, "lottery name", l->name,
	    POINTS_LOTTERY_NAME_MAX, 1)))
		return rc;
	if (!l->asset[0])
		return points_db__err(db, POINTS_EINVAL, "lottery '%s': no "
		    "asset", l->name);
	if (l->cost < 0 || l->min_balance < 0 || l->limit_day < 0 ||
	    l->limit_total < 0 || l->lose_weight < 0 || l->consolation < 0)
		return points_db__err(db, POINTS_EINVAL, "lottery '%s': cost, "
		    "minimum balance, limits, losing weight and consolation "
		    "must not be negative", l->name);
	if (l->ends <= l->starts)
		return points_db__err(db, POINTS_EINVAL, "lottery '%s': it "
		    "must end after it starts", l->name);
	if (!memchr(l->tiers, 0, sizeof(l->tiers)) ||
	    !memchr(l->departments, 0, sizeof(l->departments)) ||
	    !memchr(l->condition, 0, sizeof(l->condition)))
		return points_db__err(db, POINTS_EINVAL, "lottery '%s': tiers, "
		    "departments and condition must end in a NUL", l->name);
	snprintf(what, sizeof(what), "lottery '%s'", l->name);
	e.asset = l->asset;
	e.min_balance = l->min_balance;
	e.tiers = l->tiers;
	e.departments = l->departments;
	e.condition = l->condition;
	if ((rc = points_eligible__check_def(db, what, &e)))
		return rc;
	if (l->nprizes < 1 || l->nprizes > POINTS_LOTTERY_PRIZES_MAX)
		return points_db__err(db, POINTS_EINVAL, "lottery '%s': 1 to "
		    "%d prizes (got %d)", l->name, POINTS_LOTTERY_PRIZES_MAX,
		    l->nprizes);
	total = l->lose_weight;
	for (i = 0; i < l->nprizes; i++) {
		const points_lottery_prize *p = &l->prizes[i];

		if (p->kind != POINTS_PRIZE_POINTS &&
		    p->kind != POINTS_PRIZE_CUSTOM &&
		    p->kind != POINTS_PRIZE_ITEM)
			return points_db__err(db, POINTS_EINVAL, "lottery "
			    "'%s': prize %d: unknown kind %d", l->name, i,
			    p->kind);
		if ((rc = points_db__check_str(db, "lottery prize label",
		    p->label, POINTS_LOTTERY_LABEL_MAX, 0)))
			return rc;
		if (p->weight <= 0 || p->stock <= 0)
			return points_db__err(db, POINTS_EINVAL, "lottery "
			    "'%s': prize %d: weight and stock must be "
			    "positive", l->name, i);
		if (p->kind == POINTS_PRIZE_POINTS && p->amount <= 0)
			return points_db__err(db, POINTS_EINVAL, "lottery "
			    "'%s': prize %d: a points prize credits a "
			    "positive amount", l->name, i);
		if (!memchr(p->sku, 0, sizeof(p->sku)))
			return points_db__err(db, POINTS_EINVAL, "lottery "
			    "'%s': prize %d: its SKU must end in a NUL",
			    l->name, i);
		if (p->kind == POINTS_PRIZE_ITEM &&
		    (rc = points_item__check_sku(db, p->sku)))
			return rc;
		if (p->kind != POINTS_PRIZE_ITEM && p->sku[0])
			return points_db__err(db, POINTS_EINVAL, "lottery "
			    "'%s': prize %d: only an item prize names a SKU "
			    "('%s')", l->name, i, p->sku);
		/* the weights' sum stays below 2^62: the mapping's total */
		if (p->weight > ((int64_t)1 << 62) - total)
			return points_db__err(db, POINTS_EINVAL, "lottery "
			    "'%s': the weights' sum must stay below 2^62",
			    l->name);
		total += p->weight;
	}
	return POINTS_OK;
}

/* Take the stock of item prize i of r out of the catalogue. */
static int
reserve(points_db *db, const lottery_rec *r, int i)
{
	const points_lottery_prize *p = &r->l.prizes[i];
	points_item_rec item;
	int rc;

	rc = points_item__load(db, p->sku, &item);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, rc, "lottery '%s': prize %d: no item "
		    "'%s' in the catalogue", r->l.name, i, p->sku);
	if (rc)
		return rc;
	if (item.it.bundle_parts)
		return points_db__err(db, POINTS_EINVAL, "lottery '%s': prize "
		    "%d: item '%s' is a bundle: it cannot be a prize",
		    r->l.name, i, p->sku);
	if (item.it.stock != POINTS_STOCK_UNLIMITED &&
	    item.it.stock < p->stock)
		return points_db__err(db, POINTS_EOUTOFSTOCK, "lottery '%s': "
		    "prize %d: item '%s' has %lld units, not %lld",
		    r->l.name, i, p->sku, (long long)item.it.stock,
		    (long long)p->stock);
	if ((rc = points_item__stock_move(db, &item, -p->stock)))
		return rc;
	return points_item__store(db, &item);
}

static int
create_in(points_db *db, const points_lottery_def *def, int64_t *out_id)
{
	static const unsigned char nk[1] = { 'n' };
	unsigned char idb[8];
	points_asset_rec aa;
	lottery_rec r;
	const void *v;
	size_t vl;
	int64_t id = 0;
	int i, rc;

	if ((rc = points_asset__find(db, def->asset, &aa)))
		return rc;
	rc = points_db__get(db, &lottery_ks, nk, 1, &v, &vl);
	if (rc == POINTS_OK) {
		if (vl != 8)
			return points_db__err(db, POINTS_ECORRUPT, "lottery: "
			    "damaged id counter");
		id = (int64_t)points_codec__get_be64(v);
	} else if (rc != POINTS_ENOTFOUND)
		return rc;
	/* a draw's key and idempotency record hold the id in 31 bits */
	if (id >= INT32_MAX)
		return points_db__err(db, POINTS_ELIMIT, "lottery '%s': no "
		    "more than %d lotteries", def->name, INT32_MAX);
	id++;
	points_codec__put_be64(idb, (uint64_t)id);
	if ((rc = points_db__put(db, &lottery_ks, nk, 1, idb, 8)))
		return rc;
	memset(&r, 0, sizeof(r));
	r.l.id = id;
	memcpy(r.l.name, def->name, sizeof(r.l.name));
	memcpy(r.l.asset, def->asset, sizeof(r.l.asset));
	r.l.cost = def->cost;
	r.l.starts = def->starts;
	r.l.ends = def->ends;
	r.l.min_balance = def->min_balance;
	r.l.limit_day = def->limit_day;
	r.l.limit_total = def->limit_total;
	r.l.lose_weight = def->lose_weight;
	r.l.consolation = def->consolation;
	r.l.nprizes = def->nprizes;
	memcpy(r.l.prizes, def->prizes, sizeof(r.l.prizes));
	memcpy(r.l.tiers, def->tiers, sizeof(r.l.tiers));
	memcpy(r.l.departments, def->departments, sizeof(r.l.departments));
	memcpy(r.l.condition, def->condition, sizeof(r.l.condition));
	r.l.state = POINTS_LOTTERY_OPEN;
	for (i = 0; i < r.l.nprizes; i++) {
		r.l.prizes[i].initial = r.l.prizes[i].stock;
		if (r.l.prizes[i].kind == POINTS_PRIZE_ITEM &&
		    (rc = reserve(db, &r, i)))
			return rc;
	}
	if (points_lottery__seed_hook)
		points_lottery__seed_hook(r.seed);
	else
		randombytes_buf(r.seed, sizeof(r.seed));
	crypto_generichash(r.l.commitment, 32, r.seed, sizeof(r.seed), NULL,
	    0);
	if ((rc = lottery_store(db, &r)))
		return rc;
	*out_id = id;
	return POINTS_OK;
}

POINTS_EXTERN int
points_lottery_create(points_db *db, const points_lottery_def *def,
    int64_t *out)
{
	int64_t id = 0;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!def || !out)
		return points_db__err(db, POINTS_EINVAL, "lottery and out "
		    "are required");
	if ((rc = check_def(db, def)) || (rc = points_db__write_begin(db)))
		return rc;
	rc = points_db__write_end(db, create_in(db, def, &id));
	if (rc == POINTS_OK)
		*out = id;
	return rc;
}

/* The lottery as the public sees it: the seed only once closed. */
static void
to_public(const lottery_rec *r, points_lottery *out)
{
	const lottery_full *l = &r->l;

	memset(out, 0, sizeof(*out));
	out->id = l->id;
	memcpy(out->name, l->name, sizeof(out->name));
	memcpy(out->asset, l->asset, sizeof(out->asset));
	out->cost = l->cost;
	out->starts = l->starts;
	out->ends = l->ends;
	out->min_balance = l->min_balance;
	out->limit_day = l->limit_day;
	out->limit_total = l->limit_total;
	out->lose_weight = l->lose_weight;
	out->consolation = l->consolation;
	out->nprizes = l->nprizes;
	out->state = l->state;
	out->draws = l->draws;
	sodium_bin2hex(out->commitment, sizeof(out->commitment),
	    l->commitment, 32);
	if (l->state == POINTS_LOTTERY_CLOSED)
		sodium_bin2hex(out->seed, sizeof(out->seed), r->seed,
		    sizeof(r->seed));
	memcpy(out->tiers, l->tiers, sizeof(out->tiers));
	memcpy(out->departments, l->departments, sizeof(out->departments));
	memcpy(out->condition, l->condition, sizeof(out->condition));
}

POINTS_EXTERN int
points_lottery_get(points_db *db, int64_t id, points_lottery *out)
{
	lottery_rec r;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = lottery_load(db, id, &r);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		to_public(&r, out);
	return rc;
}

POINTS_EXTERN int
points_lottery_prize_get(points_db *db, int64_t id, int index,
    points_lottery_prize *out)
{
	lottery_rec r;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = lottery_load(db, id, &r);
	points_db__read_end(db);
	if (rc)
		return rc;
	if (index < 0 || index >= r.l.nprizes)
		return points_db__err(db, POINTS_ENOTFOUND, "lottery %lld has "
		    "no prize %d (it has %d)", (long long)id, index,
		    r.l.nprizes);
	*out = r.l.prizes[index];
	return POINTS_OK;
}

/* *acc += n * v, 1 when it would pass INT64_MAX (n, v >= 0). */
static int
add_times(int64_t *acc, int64_t n, int64_t v)
{
	if (v && n > INT64_MAX / v)
		return 1;
	return points_codec__add(acc, n * v);
}

static int
results_in(points_db *db, int64_t id, points_lottery_results *out)
{
	lottery_rec l;
	int64_t won;
	int i, over, rc;

	if ((rc = lottery_load(db, id, &l)))
		return rc;
	memset(out, 0, sizeof(*out));
	out->lottery = id;
	out->state = l.l.state;
	out->draws = l.l.draws;
	over = add_times(&out->collected, l.l.draws, l.l.cost);
	for (i = 0; i < l.l.nprizes; i++) {
		const points_lottery_prize *p = &l.l.prizes[i];

		won = p->initial - p->stock;
		out->wins += won;
		if (p->kind == POINTS_PRIZE_POINTS)
			over |= add_times(&out->credited, won, p->amount);
	}
	over |= add_times(&out->credited, l.l.draws - out->wins,
	    l.l.consolation);
	if (over)
		return points_db__err(db, POINTS_ELIMIT, "lottery %lld: its "
		    "points pass %lld", (long long)id, (long long)INT64_MAX);
	out->participants = l.l.participants;
	return POINTS_OK;
}

POINTS_EXTERN int
points_lottery_results_get(points_db *db, int64_t lottery,
    points_lottery_results *out)
{
	points_lottery_results r;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = results_in(db, lottery, &r);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = r;
	return rc;
}

/* ---- Drawing ---- */

/* The request of a draw (private: points_lottery_draw_once's
 * arguments). */
typedef struct draw_req {
	unsigned int version;
	int64_t lottery;
	int64_t account;
	const char *idempotency_key;
} draw_req;

static const points_field draw_fields[] = {
	POINTS_FIELD(draw_req, version, POINTS_FIELD_UINT,
	    POINTS_FIELD_VERSION, 1),
	POINTS_FIELD(draw_req, lottery, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(draw_req, account, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(draw_req, idempotency_key, POINTS_FIELD_STR,
	    POINTS_FIELD_KEY, 1),
};
static const size_t draw_sizes[] = { 0, sizeof(draw_req) };
static const draw_req draw_defaults = { 1, 0, 0, NULL };
static const points_reqtype draw_reqtype = {
	"lottery draw", sizeof(draw_req), 1, draw_sizes, &draw_defaults,
	draw_fields, sizeof(draw_fields) / sizeof(draw_fields[0]),
	offsetof(draw_req, idempotency_key),
};
POINTS_WRITE_REQUEST_FITS(draw_req);
POINTS_WRITE_RESULT_FITS(points_lottery_draw);

static int
validate_draw(points_db *db, const points_write_op *op, const void *req,
    void *ctx)
{
	const draw_req *r = req;

	(void)op;
	(void)ctx;
	if (r->lottery <= 0)
		return points_db__err(db, POINTS_EINVAL, "lottery: bad id "
		    "%lld", (long long)r->lottery);
	if (r->account <= 0)
		return points_db__err(db, POINTS_EINVAL, "lottery %lld: bad "
		    "account %lld", (long long)r->lottery,
		    (long long)r->account);
	return POINTS_OK;
}

/* Post amount of the lottery's asset to or from account. */
static int
post(points_db *db, const points_write_op *pop, const lottery_rec *l,
    int64_t account, int64_t amount, const char *memo)
{
	points_posting p = POINTS_POSTING_INIT;
	points_txn t;
	int64_t seq;

	p.asset = l->l.asset;
	p.account = account;
	p.amount = amount;
	p.memo = memo;
	p.category = LOTTERY_CATEGORY;
	return points_posting__within(db, pop, &p, &t, &seq);
}

/* The outcome of draw number of l, as its stock stands. */
static int
pick(const lottery_rec *l, int64_t number)
{
	int64_t w[POINTS_LOTTERY_PRIZES_MAX], s[POINTS_LOTTERY_PRIZES_MAX];
	int n = l->l.nprizes, i, o;

	for (i = 0; i < n; i++) {
		w[i] = l->l.prizes[i].weight;
		s[i] = l->l.prizes[i].stock;
	}
	o = points_lottery__pick(l->seed, l->l.id, number, w, s, n,
	    l->l.lose_weight);
	return o == n ? POINTS_LOTTERY_LOSE : o;
}

/* Write n (>= 0) in decimal at p; returns the end of its digits. */
static char *
put_dec(char *p, int64_t n)
{
	char d[20];
	size_t i = 0;

	do {
		d[i++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (i)
		*p++ = d[--i];
	return p;
}

/* The memo of draw n of lottery id, "lottery ID draw N", by hand: with
 * snprintf it took 1.5% of a draw's instructions. */
static void
draw_memo(char *m, int64_t id, int64_t n)
{
	memcpy(m, "lottery ", 8);
	m = put_dec(m + 8, id);
	memcpy(m, " draw ", 6);
	m = put_dec(m + 6, n);
	*m = '\0';
}

/* The outbox's event of a winning draw w of l by account a. */
static int
tell_win(points_db *db, const lottery_rec *l, const points_lottery_draw *w,
    const points_account *a)
{
	const points_lottery_prize *p = &l->l.prizes[w->outcome];
	points_outbox_json j;
	char subject[32];

	points_outbox__json_begin(&j);
	points_outbox__json_int(&j, "lottery", l->l.id);
	points_outbox__json_str(&j, "name", l->l.name);
	points_outbox__json_int(&j, "draw", w->number);
	points_outbox__json_str(&j, "account", a->external_id);
	points_outbox__json_int(&j, "prize", w->outcome);
	points_outbox__json_str(&j, "label", p->label);
	points_outbox__json_str(&j, "kind", p->kind == POINTS_PRIZE_POINTS ?
	    "points" : p->kind == POINTS_PRIZE_ITEM ? "item" : "custom");
	points_outbox__json_int(&j, "credited", w->credited);
	if (p->kind == POINTS_PRIZE_ITEM) {
		points_outbox__json_str(&j, "sku", p->sku);
		points_outbox__json_str(&j, "order", w->order_id);
	}
	if (points_outbox__json_end(&j))
		return points_db__err(db, POINTS_ELIMIT, "lottery %lld: the "
		    "event of draw %lld is too long", (long long)l->l.id,
		    (long long)w->number);
	memcpy(subject, "lottery:", 8);
	*put_dec(subject + 8, l->l.id) = '\0';
	return points_outbox__append(db, POINTS_OUTBOX_LOTTERY_WON, subject,
	    w->account, j.buf, NULL);
}

/* The mall order of item prize w->outcome of l won by draw w: its id
 * is BLAKE2b-128 of "lottery order", the lottery id and the draw's
 * number (both 8 bytes big-endian), as a version-8 UUID. */
static int
prize_order(points_db *db, const lottery_rec *l, points_lottery_draw *w,
    const char *memo)
{
	static const char tag[] = "lottery order";
	unsigned char in[sizeof(tag) - 1 + 16], id[POINTS_UUID_LEN];
	points_order o;
	int rc;

	memcpy(in, tag, sizeof(tag) - 1);
	points_codec__put_be64(in + sizeof(tag) - 1, (uint64_t)l->l.id);
	points_codec__put_be64(in + sizeof(tag) - 1 + 8, (uint64_t)w->number);
	crypto_generichash(id, sizeof(id), in, sizeof(in), NULL, 0);
	id[6] = (unsigned char)((id[6] & 0x0f) | 0x80);
	id[8] = (unsigned char)((id[8] & 0x3f) | 0x80);
	if ((rc = points_order__of_prize(db, id, w->account,
	    l->l.prizes[w->outcome].sku, memo, &o)))
		return rc;
	memcpy(w->order_id, o.id, sizeof(w->order_id));
	return POINTS_OK;
}

static int
draw_body(points_db *db, const points_write_op *op, const void *req,
    void *ctx, void *result, int64_t *seq)
{
	const draw_req *r = req;
	points_account a;
	points_eligible e;
	char what[32];
	lottery_rec *l;
	points_lottery_draw w;
	points_lottery__count c;
	int64_t now, day;
	char memo[POINTS_MEMO_MAX + 1];
	int rc;

	(void)op;
	(void)ctx;
	if ((rc = lottery_ref(db, r->lottery, &l)) ||
	    (rc = points_account__load(db, r->account, &a)))
		return rc;
	if (l->l.state != POINTS_LOTTERY_OPEN)
		return points_db__err(db, POINTS_ESTATE, "lottery %lld is "
		    "closed: account %s cannot draw", (long long)l->l.id,
		    a.external_id);
	if (a.flags & POINTS_ACCOUNT_SYSTEM)
		return points_db__err(db, POINTS_EINVAL, "account %s is a "
		    "system account: it cannot draw", a.external_id);
	if (a.status != POINTS_ACCOUNT_ACTIVE)
		return points_db__err(db, a.status == POINTS_ACCOUNT_FROZEN ?
		    POINTS_EFROZEN : POINTS_ECLOSED, "account %s is %s: it "
		    "cannot draw", a.external_id,
		    a.status == POINTS_ACCOUNT_FROZEN ? "frozen" : "closed");
	now = points_db__time(db, 0);
	if (now < l->l.starts || now >= l->l.ends)
		return points_db__err(db, POINTS_EWINDOW, "lottery %lld runs "
		    "from %lld to %lld: account %s cannot draw at %lld",
		    (long long)l->l.id, (long long)l->l.starts,
		    (long long)l->l.ends, a.external_id, (long long)now);
	e.asset = l->l.asset;
	e.min_balance = l->l.min_balance;
	e.tiers = l->l.tiers;
	e.departments = l->l.departments;
	e.condition = l->l.condition;
	/* the name for the messages only when there are terms to check */
	if (points_eligible__any(&e)) {
		snprintf(what, sizeof(what), "lottery %lld", (long long)l->l.id);
		if ((rc = points_eligible__check(db, what, &e, &a, NULL)))
			return rc;
	}
	if ((rc = count_load(db, l->l.id, r->account, &c)))
		return rc;
	day = now >= 0 ? now / DAY : -((-now + DAY - 1) / DAY);
	if (c.day != day)
		c.today = 0;
	c.day = day;
	if (l->l.limit_total && c.total >= l->l.limit_total)
		return points_db__err(db, POINTS_EQUOTA, "lottery %lld: "
		    "account %s reached its limit of %lld draws",
		    (long long)l->l.id, a.external_id,
		    (long long)l->l.limit_total);
	if (l->l.limit_day && c.today >= l->l.limit_day)
		return points_db__err(db, POINTS_EQUOTA, "lottery %lld: "
		    "account %s reached its limit of %lld draws a day",
		    (long long)l->l.id, a.external_id,
		    (long long)l->l.limit_day);
	if (l->l.draws >= INT32_MAX)
		return points_db__err(db, POINTS_ELIMIT, "lottery %lld: no "
		    "more than %d draws", (long long)l->l.id, INT32_MAX);
	memset(&w, 0, sizeof(w));
	w.lottery = l->l.id;
	w.number = l->l.draws + 1;
	w.account = r->account;
	w.time = now;
	w.cost = l->l.cost;
	/* the cost, refused here when the account lacks it */
	draw_memo(memo, l->l.id, w.number);
	if (l->l.cost && (rc = post(db, &points_posting__spend_op, l,
	    r->account, l->l.cost, memo)))
		return rc;
	w.outcome = pick(l, w.number);
	if (w.outcome >= 0) {
		const points_lottery_prize *p = &l->l.prizes[w.outcome];

		if (p->kind == POINTS_PRIZE_POINTS)
			w.credited = p->amount;
		if (p->kind == POINTS_PRIZE_ITEM &&
		    (rc = prize_order(db, l, &w, memo)))
			return rc;
	} else
		w.credited = l->l.consolation;
	if (w.credited && (rc = post(db, &points_posting__earn_op, l,
	    r->account, w.credited, memo)))
		return rc;
	/* the lottery changes in its decoded copy, stored at once
	 * (lottery_ref) */
	if (w.outcome >= 0)
		l->l.prizes[w.outcome].stock--;
	l->l.draws = w.number;
	if (c.total == 0)
		l->l.participants++;
	c.total++;
	c.today++;
	if ((rc = lottery_store(db, l)) || (rc = draw_store(db, &w, c.last)))
		return rc;
	c.last = w.number;
	if ((rc = count_store(db, l->l.id, r->account, &c)))
		return rc;
	if (w.outcome >= 0 && (rc = tell_win(db, l, &w, &a)))
		return rc;
	*seq = (int64_t)((uint64_t)l->l.id << 32 | (uint64_t)w.number);
	memcpy(result, &w, sizeof(w));
	return POINTS_OK;
}

/* A repeated key: the draw its first request made. */
static int
draw_replay(points_db *db, const points_write_op *op, int64_t seq,
    void *result)
{
	points_lottery_draw w;
	int rc;

	(void)op;
	if ((rc = draw_load(db, (int64_t)((uint64_t)seq >> 32),
	    seq & 0xffffffff, &w)))
		return rc;
	w.replayed = 1;
	memcpy(result, &w, sizeof(w));
	return POINTS_OK;
}

static const points_write_op draw_op = {
	"lottery draw", LOTTERY_DRAW_TYPE, &draw_reqtype,
	sizeof(points_lottery_draw), validate_draw, draw_body, draw_replay,
	NULL, NULL,
};

POINTS_EXTERN int
points_lottery_draw_once(points_db *db, int64_t lottery, int64_t account,
    const char *idempotency_key, points_lottery_draw *out)
{
	draw_req r = { 1, 0, 0, NULL };

	r.lottery = lottery;
	r.account = account;
	r.idempotency_key = idempotency_key;
	return points_write__run_ks(db, &draw_op, &idem_ks, &r, NULL, out);
}

POINTS_EXTERN int
points_lottery_draw_get(points_db *db, int64_t lottery, int64_t number,
    points_lottery_draw *out)
{
	points_lottery_draw w;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = draw_load(db, lottery, number, &w);
	points_db__read_end(db);
	if (rc == POINTS_OK)
		*out = w;
	return rc;
}

/* ---- Closing and the audit ---- */

static int
close_in(points_db *db, int64_t id)
{
	lottery_rec l;
	int i, rc;

	if ((rc = lottery_load(db, id, &l)))
		return rc;
	if (l.l.state == POINTS_LOTTERY_CLOSED)
		return points_db__err(db, POINTS_ESTATE, "lottery %lld is "
		    "already closed", (long long)id);
	l.l.state = POINTS_LOTTERY_CLOSED;
	/* the units of item prizes nobody won go back to the catalogue */
	for (i = 0; i < l.l.nprizes; i++) {
		const points_lottery_prize *p = &l.l.prizes[i];
		points_item_rec item;

		if (p->kind != POINTS_PRIZE_ITEM || p->stock == 0)
			continue;
		if ((rc = points_item__load(db, p->sku, &item)) ||
		    (rc = points_item__stock_move(db, &item, p->stock)) ||
		    (rc = points_item__store(db, &item)))
			return rc;
	}
	return lottery_store(db, &l);
}

POINTS_EXTERN int
points_lottery_close(points_db *db, int64_t lottery)
{
	int rc;

	if ((rc = points_db__check_db(db)) ||
	    (rc = points_db__write_begin(db)))
		return rc;
	return points_db__write_end(db, close_in(db, lottery));
}

/* Replay every draw from the lottery's first stock, reading the draws
 * in order with one cursor. */
static int
audit_in(points_db *db, int64_t id, int64_t *bad)
{
	unsigned char c[32], lo[8], hi[8];
	lottery_rec l;
	points_lottery_draw w;
	points_cursor *cur;
	int64_t n = 0;
	int i, o, rc;

	if ((rc = lottery_load(db, id, &l)))
		return rc;
	if (l.l.state != POINTS_LOTTERY_CLOSED)
		return points_db__err(db, POINTS_ESTATE, "lottery %lld is "
		    "open: its seed is not revealed yet", (long long)id);
	crypto_generichash(c, 32, l.seed, sizeof(l.seed), NULL, 0);
	if (sodium_memcmp(c, l.l.commitment, 32) != 0)
		return points_db__err(db, POINTS_ECORRUPT, "lottery %lld: the "
		    "seed does not match its commitment", (long long)id);
	/* from the stock at creation, each draw taking its prize's unit */
	for (i = 0; i < l.l.nprizes; i++)
		l.l.prizes[i].stock = l.l.prizes[i].initial;
	rc = db->store->cursor_open(db->store, db->ks[draw_ks.slot], lo,
	    draw_key(lo, id, 0), hi, draw_key(hi, id + 1, 0), 0, &cur);
	if (rc)
		return points_db__store_err(db, rc, draw_ks.name);
	for (;;) {
		const void *k, *v;
		size_t kl, vl;

		rc = db->store->cursor_next(db->store, cur, &k, &kl, &v, &vl);
		if (rc == POINTS_ITEROVER) {
			rc = POINTS_OK;
			break;
		}
		if (rc) {
			rc = points_db__store_err(db, rc, draw_ks.name);
			break;
		}
		n++;
		/* draws are numbered 1, 2, ...: a gap is a draw missing */
		if (kl != 8 || (int64_t)(points_codec__get_be64(k) &
		    0xffffffff) != n) {
			*bad = n;
			rc = points_db__err(db, POINTS_ECORRUPT, "lottery %lld: "
			    "draw %lld is missing", (long long)id, (long long)n);
			break;
		}
		if ((rc = points_lottery__draw_decode(db, id, n, v, vl, &w,
		    NULL)))
			break;
		o = pick(&l, n);
		if (o != w.outcome) {
			*bad = n;
			rc = points_db__err(db, POINTS_ECORRUPT, "lottery %lld: "
			    "draw %lld is stored as outcome %d, the seed gives "
			    "%d", (long long)id, (long long)n, w.outcome, o);
			break;
		}
		if (o >= 0)
			l.l.prizes[o].stock--;
	}
	db->store->cursor_close(db->store, cur);
	if (rc == POINTS_OK && n != l.l.draws) {
		*bad = n + 1;
		rc = points_db__err(db, POINTS_ECORRUPT, "lottery %lld: %lld "
		    "draws stored, %lld made", (long long)id, (long long)n,
		    (long long)l.l.draws);
	}
	return rc;
}

POINTS_EXTERN int
points_lottery_audit(points_db *db, int64_t lottery, int64_t *out)
{
	int64_t bad = 0;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = audit_in(db, lottery, &bad);
	points_db__read_end(db);
	if (out)
		*out = bad;
	return rc;
}
