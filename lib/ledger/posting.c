/* posting.c - moving points: credits and debits of balances and their
 * lots, and the postings earn, spend, transfer and adjust. */
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "util/codec.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "core/lot.h"
#include "ledger/debt.h"
#include "ledger/entry.h"
#include "ledger/meta.h"
#include "ledger/policy.h"
#include "ledger/pool_party.h"
#include "ledger/posting.h"
#include "ledger/write.h"

/* ---- Moving points ---- */

/* b, a system account's record in log partitions, is to take amount
 * more in available, to hold now: the sum of its records must
 * fit int64 too.  While each record stays within its share (balance.h,
 * wide) their sum fits without reading the others; past it they are
 * read, and the account marked, so that its every write reads them from
 * then on (points_posting__counter_add and debit likewise). */
static int
credit_fits(points_db *db, points_balance_rec *b, int64_t amount,
    int64_t now)
{
	int64_t total;
	int rc;

	if (!b->wide && points_balance__in_share(b, now))
		return POINTS_OK;
	if ((rc = points_balance__others(db, b)) ||
	    (rc = points_balance__total_available(db, b, &total)))
		return rc;
	if (points_codec__add(&total, amount))
		return points_db__err(db, POINTS_EOVERFLOW,
		    "account %lld: balance would overflow",
		    (long long)b->account);
	if (!points_balance__in_share(b, now))
		return points_balance__mark_wide(db, b);
	return POINTS_OK;
}

int
points_posting__credit(points_db *db, points_balance_rec *b, int64_t amount,
    const points_lotlist *src, uint32_t fallback_day, points_lotlist *in_lots)
{
	int64_t old = b->available, now = old, eligible, from_src;
	points_lotrec addbuf[8];
	points_lotlist add;
	size_t i;
	int rc = POINTS_OK;

	points_lotlist__lend(&add, addbuf);

	if (points_codec__add(&now, amount))
		return points_db__err(db, POINTS_EOVERFLOW,
		    "account %lld: balance would overflow",
		    (long long)b->account);
	/* a system account in log partitions: its records' sum too */
	if (b->partitioned && (rc = credit_fits(db, b, amount, now)))
		return rc;
	b->available = now;
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

/* points_posting__debit; pending 0: pending points may go too (a
 * reversal, which takes them before it makes a debt). */
static int
debit(points_db *db, points_balance_rec *b, int64_t amount,
    const points_lotlist *prefer, points_lotlist *out_lots, int pending)
{
	char label[POINTS_EXTID_MAX + 2];
	int64_t from_lots, have = 0, total = 0;
	int may_go_negative = (b->flags & POINTS_ACCOUNT_ALLOW_NEGATIVE) != 0;
	int summed = 0, rc;

	/* pending points (balance.h) are not spendable yet; a system
	 * account in log partitions (which has none pending) has the rest
	 * in its other records (balance.h, shards), some maybe below zero:
	 * its total counts, and may not pass int64 either (read only when
	 * the account may not go negative or the record leaves its share:
	 * sum_fits) */
	if (b->partitioned && (!may_go_negative || b->wide ||
	    b->available < INT64_MIN + amount ||
	    !points_balance__in_share(b, b->available - amount))) {
		if ((rc = points_balance__others(db, b)) ||
		    (rc = points_balance__total_available(db, b, &total)))
			return rc;
		summed = 1;
	}
	if (!may_go_negative)
		have = b->partitioned ? total : pending ?
		    points_balance__spendable(db, b) : b->available;
	if (!may_go_negative && have < amount) {
		points_balance__label(db, b->account, label, sizeof(label));
		if (!b->partitioned && have < b->available)
			return points_db__err(db, POINTS_EINSUFFICIENT,
			    "account %s: insufficient points: available %lld "
			    "(%lld more pending), needs %lld", label,
			    (long long)have, (long long)(b->available - have),
			    (long long)amount);
		return points_db__err(db, POINTS_EINSUFFICIENT,
		    "%s %s: insufficient points: available %lld, "
		    "needs %lld", b->flags & POINTS_ACCOUNT_POOL ? "pool" :
		    "account", label, (long long)have, (long long)amount);
	}
	if (b->available < INT64_MIN + amount ||
	    (summed && total < INT64_MIN + amount)) {
		points_balance__label(db, b->account, label, sizeof(label));
		return points_db__err(db, POINTS_EOVERFLOW,
		    "account %s: balance would overflow", label);
	}
	if (b->partitioned && !points_balance__in_share(b,
	    b->available - amount) && (rc = points_balance__mark_wide(db, b)))
		return rc;
	from_lots = b->system ? 0 : points_balance__lot_sum(b);
	if (from_lots > amount)
		from_lots = amount;
	b->available -= amount;
	if (from_lots > 0)
		return points_balance__take(db, b, from_lots, prefer, out_lots);
	return POINTS_OK;
}

int
points_posting__debit(points_db *db, points_balance_rec *b, int64_t amount,
    const points_lotlist *prefer, points_lotlist *out_lots)
{
	return debit(db, b, amount, prefer, out_lots, 1);
}

/* ---- Debts (debt.h): debits that owe, credits that repay ---- */

/* Can b owe?  User accounts that may not go negative. */
static int
can_owe(const points_balance_rec *b)
{
	return !b->system && !(b->flags & POINTS_ACCOUNT_ALLOW_NEGATIVE);
}

int
points_posting__credit_repaying(points_db *db, points_balance_rec *b, int64_t amount,
    const points_lotlist *src, uint32_t fallback_day, points_lotlist *in_lots,
    int64_t *repaid)
{
	int64_t r = 0;
	int rc;

	if (b->debt > 0)
		r = amount < b->debt ? amount : b->debt;
	/* The rest credits as usual: the lots it makes are the latest
	 * expiring part of src (posting.c); the repaid part makes none,
	 * and available stays 0 while a debt is left. */
	if (r < amount && (rc = points_posting__credit(db, b, amount - r, src,
	    fallback_day, in_lots)))
		return rc;
	b->debt -= r;
	*repaid = r;
	return POINTS_OK;
}

/* ---- Expiry when a write touches an account (posting.h) ---- */

int
points_posting__expiry_take_due(points_db *db, points_posting_expiry *r,
    points_balance_rec *b, int after)
{
	points_posting_due *d;
	int64_t x;
	int rc;

	if (b->system || b->lots.n == 0 || b->lots.v[0].day >= r->today)
		return POINTS_OK;
	if (r->n == POINTS_POSTING_DUE_MAX) /* a write's own bug */
		return points_db__err(db, POINTS_EMISUSE,
		    "account %lld: more expiries than a write can make",
		    (long long)b->account);
	d = &r->due[r->n];
	points_lotlist__lend(&d->lots, d->buf);
	/* the inline lots, and spilled ones when all those are due */
	if ((rc = points_balance__take_due(db, b, r->today, &d->lots, &x))) {
		points_lotlist__free(&d->lots);
		return rc;
	}
	/* x >= 0 (the decode refuses lots past int64); only a damaged
	 * available near INT64_MIN cannot give it */
	if (points_codec__add(&b->available, -x)) {
		points_lotlist__free(&d->lots);
		return points_balance__unreadable(db, b->account);
	}
	d->b = b;
	d->after = after;
	d->amount = x;
	r->n++;
	points_balance__counter_sat(&b->expired, x);
	b->reindex = 1;
	return POINTS_OK;
}

static int
is_expiry_balance(const points_balance_rec *b, uint32_t asset)
{
	return b && b->account == POINTS_ACCOUNT_EXPIRY && b->asset == asset;
}

/* The expiry account's record for the EXPIRE entry of due d: one the
 * run loaded for d's partition, or a new one. */
static int
due_expiry_balance(points_db *db, points_posting_expiry *r,
    points_posting_due *d)
{
	points_balance_rec *eb;
	unsigned p;
	size_t i;
	int rc;

	if ((rc = points_entry__account_partition(db, d->b->account, &p)))
		return rc;
	for (i = 0; i < r->own_n; i++)
		if (r->own_part[i] == p) {
			d->eb = &r->own[i];
			return POINTS_OK;
		}
	if (r->own_n == 2) /* a write's own bug: a third partition */
		return points_db__err(db, POINTS_EMISUSE, "account %lld: "
		    "expiries in more log partitions than a write can make",
		    (long long)d->b->account);
	eb = &r->own[r->own_n];
	points_balance__init(eb, POINTS_ACCOUNT_EXPIRY, d->b->asset, 1);
	r->own_part[r->own_n++] = p;
	if ((rc = points_balance__load_party(db, eb, -1, 1)) ||
	    (rc = points_entry__place(db, d->b, eb)))
		return rc;
	d->eb = eb;
	return POINTS_OK;
}

/* a and b are records of one account's balance of one asset; b is not
 * a. */
static int
same_record_set(const points_balance_rec *a, const points_balance_rec *b)
{
	return a != b && a->account == b->account && a->asset == b->asset;
}

int
points_posting__expiry_fits(points_db *db, points_balance_rec *eb,
    int64_t amount, int64_t now, points_balance_rec *const *held,
    size_t nheld)
{
	int64_t earned = eb->earned, total;
	size_t i;
	int rc;

	points_balance__counter_sat(&earned, amount);
	if (!eb->wide && points_balance__in_share(eb, now) &&
	    points_balance__in_share(eb, earned))
		return POINTS_OK;
	if (!eb->wide) {
		for (i = 0; i < nheld; i++)
			if (held[i] && same_record_set(held[i], eb) &&
			    !held[i]->shard)
				held[i]->wide = 1;
		/* the own record now, for the records placed after */
		if ((rc = points_balance__mark_wide(db, eb)) ||
		    (!eb->shard && (rc = points_balance__store(db, eb, 0))))
			return rc;
	}
	/* the sum reads the store: what the write holds goes there first
	 * (and is stored again after), and what eb read of it before is
	 * stale */
	for (i = 0; i < nheld; i++)
		if (held[i] && same_record_set(held[i], eb) &&
		    (rc = points_balance__store(db, held[i], 0)))
			return rc;
	eb->rest_read = 0;
	if ((rc = points_balance__others(db, eb)) ||
	    (rc = points_balance__total_available(db, eb, &total)))
		return rc;
	if (points_codec__add(&total, amount))
		return points_db__err(db, POINTS_EOVERFLOW,
		    "the expiry account's balance would overflow");
	return POINTS_OK;
}

int
points_posting__expiry_charge_due(points_db *db, points_posting_expiry *r,
    points_balance_rec *a, points_balance_rec *b)
{
	uint32_t asset = r->due[0].b->asset;
	points_balance_rec *held[2 + 2] = { a, b, &r->own[0], &r->own[1] };
	int64_t now;
	size_t i;
	int rc;

	for (i = 0; i < r->n; i++) {
		points_posting_due *d = &r->due[i];

		/* one side the expiry account: one partition, that record */
		if (is_expiry_balance(a, asset))
			d->eb = a;
		else if (is_expiry_balance(b, asset))
			d->eb = b;
		else if ((rc = due_expiry_balance(db, r, d)))
			return rc;
		now = d->eb->available;
		if (points_codec__add(&now, d->amount))
			return points_db__err(db, POINTS_EOVERFLOW,
			    "the expiry account's balance would overflow");
		if (d->eb->partitioned && (rc = points_posting__expiry_fits(db,
		    d->eb, d->amount, now, held, 2 + r->own_n)))
			return rc;
		d->eb->available = now;
		points_balance__counter_sat(&d->eb->earned, d->amount);
	}
	return POINTS_OK;
}

int
points_posting__expiry_store_due(points_db *db, points_posting_expiry *r)
{
	size_t i;
	int rc = POINTS_OK;

	for (i = 0; i < r->own_n && rc == POINTS_OK; i++)
		rc = points_balance__store(db, &r->own[i], 0);
	return rc;
}

int
points_posting__debit_owing(points_db *db, points_balance_rec *b, int64_t amount,
    const points_lotlist *prefer, points_lotlist *out_lots, int no_debt,
    const char *txn, int64_t *owed)
{
	char label[POINTS_EXTID_MAX + 2];
	int64_t have = b->available > 0 ? b->available : 0, o;
	int rc;

	/* What is spendable goes first, then pending points (the store
	 * trims the pending items to what is left: balance.h), then the
	 * account owes. */
	*owed = 0;
	if (!can_owe(b) || have >= amount)
		return debit(db, b, amount, prefer, out_lots, 0);
	o = amount - have;
	if (no_debt) {
		points_balance__label(db, b->account, label, sizeof(label));
		return points_db__err(db, POINTS_EINSUFFICIENT,
		    "account %s: insufficient points: available %lld, needs "
		    "%lld to reverse transaction %s (POINTS_REVERSE_NO_DEBT "
		    "refuses a debt of %lld)", label, (long long)have,
		    (long long)amount, txn, (long long)o);
	}
	if (points_codec__add(&b->debt, o)) {
		points_balance__label(db, b->account, label, sizeof(label));
		return points_db__err(db, POINTS_EOVERFLOW,
		    "account %s: debt would overflow", label);
	}
	if (have > 0 && (rc = debit(db, b, have, prefer, out_lots, 0))) {
		b->debt -= o;
		return rc;
	}
	*owed = o;
	return POINTS_OK;
}

int
points_posting__expiry_append_due(points_db *db, points_posting_expiry *r,
    int after)
{
	size_t i;
	int rc = POINTS_OK;

	for (i = 0; i < r->n && rc == POINTS_OK; i++) {
		points_posting_due *d = &r->due[i];
		points_entry_rec e;

		if (d->after != after)
			continue;
		points_entry__init(&e, POINTS_TXN_EXPIRE, d->b->asset, r->time);
		e.from = d->b->account;
		e.to = POINTS_ACCOUNT_EXPIRY;
		e.amount = d->amount;
		strcpy(e.memo, "expired");
		e.out_lots = d->lots; /* borrowed */
		rc = points_entry__append(db, &e, d->b, d->eb);
		memset(&e.out_lots, 0, sizeof(e.out_lots));
		points_entry__free(&e);
	}
	return rc;
}

void
points_posting__expiry_end_due(points_posting_expiry *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		points_lotlist__free(&r->due[i].lots);
	r->n = 0;
	for (i = 0; i < r->own_n; i++)
		points_balance__free(&r->own[i]);
	r->own_n = 0;
}

int
points_posting__expire_now(points_db *db, points_balance_rec *b)
{
	points_posting_expiry run;
	int rc;

	points_posting__expiry_begin(db, &run, points_db__time(db, 0));
	rc = points_posting__expiry_take(db, &run, b, 0);
	if (rc == POINTS_OK && run.n) {
		if ((rc = points_posting__expiry_charge(db, &run, NULL,
		    NULL)) == POINTS_OK &&
		    (rc = points_posting__expiry_append(db, &run, 0)) ==
		    POINTS_OK &&
		    (rc = points_balance__store(db, b, 0)) == POINTS_OK)
			rc = points_posting__expiry_store(db, &run);
	}
	points_posting__expiry_end(&run);
	return rc;
}

static int
expire_before_close(points_db *db, void *state, int64_t account)
{
	unsigned char lo[8], hi[8], keys[16][8];
	size_t n, i;
	int rc = POINTS_OK;

	(void)state;
	points_balance__account_range(account, lo, hi);
	do {
		/* a chunk of keys at a time: the writes go to this keyspace */
		if ((rc = points_db__collect_keys(db, &points_balance__ks, lo, 8,
		    hi, 8, 8, keys[0], 16, &n)))
			return rc;
		for (i = 0; i < n && rc == POINTS_OK; i++) {
			points_balance_rec b;
			int64_t acct;
			uint32_t asset;

			points_balance__key_parse(keys[i], &acct, &asset);
			points_balance__init(&b, acct, asset, 0);
			if ((rc = points_balance__load(db, &b)) == POINTS_OK &&
			    !b.system)
				rc = points_posting__expire_now(db, &b);
			points_balance__free(&b);
		}
		if (n > 0) /* resume just after the last key */
			points_codec__put_be64(lo,
			    points_codec__get_be64(keys[n - 1]) + 1);
	} while (rc == POINTS_OK && n == 16);
	return rc;
}

/* Stores nothing of its own: it expires an account's past-due points
 * before the account closes (module.h). */
static points_module expiry_now_module = {
	.name = "expiry_now",
	.closing = expire_before_close,
};
POINTS_MODULE(expiry_now_module)

/* ---- Postings: earn, spend, transfer, adjust ---- */

/* The posting as a request: every member, in order.  The fingerprint
 * (write.h) covers the type, then asset, account, counterparty, amount,
 * memo, time (as given: 0 is "the clock") and expires_at: the encoding
 * posting_hash had in 0.1.0; then version 2's category and actor, each
 * only when given. */
static const points_field posting_fields[] = {
	POINTS_FIELD(points_posting, version, POINTS_FIELD_UINT,
	    POINTS_FIELD_VERSION, 1),
	POINTS_FIELD(points_posting, asset, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_posting, account, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_posting, counterparty, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_posting, amount, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_posting, memo, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_posting, idempotency_key, POINTS_FIELD_STR,
	    POINTS_FIELD_KEY, 1),
	POINTS_FIELD(points_posting, time, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_posting, expires_at, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_posting, category, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 2),
	POINTS_FIELD(points_posting, actor, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 2),
};
const size_t points_posting__sizes[] = {
	0, POINTS_END_OF(points_posting, expires_at), /* version 1 */
	POINTS_END_OF(points_posting, actor),          /* 2: category, actor */
};
static const points_posting posting_defaults = POINTS_POSTING_INIT;
const points_reqtype points_posting__req = {
	"posting", sizeof(points_posting), POINTS_POSTING_VERSION,
	points_posting__sizes, &posting_defaults, posting_fields,
	sizeof(posting_fields) / sizeof(posting_fields[0]),
	offsetof(points_posting, idempotency_key),
};
POINTS_WRITE_REQUEST_FITS(points_posting);
POINTS_WRITE_RESULT_FITS(points_txn);

/* Who pays whom, worked out once by validate; then, for each attempt,
 * the asset and both balances, read with the idempotency record
 * (prefetch, fetched: write.h). */
typedef struct posting_ctx {
	int64_t from, to, amount;
	points_asset_rec asset;
	unsigned char kf[8], kt[8];
	unsigned char ks[POINTS_BALANCE_SHARD_KEY_LEN]; /* a shard's */
	int nf, nt; /* the balances' places among the keys; -1: not read */
	int na;     /* the asset's, when its policy matters (policy.h) */
	points_balance_rec fb, tb;
	points_policy_day xd; /* a transfer's daily counter (policy.h) */
	/* the lists' first lots live here: no allocation for most postings */
	points_lotrec fbuf[32], tbuf[32];
	const points_posting_data *data; /* within_data's; NULL: none */
} posting_ctx;

static void
ctx_init(posting_ctx *c)
{
	c->from = c->to = c->amount = 0;
	c->data = NULL;
}

/* The balances' keys; the asset first, for its id (a handle caches
 * assets, so this is seldom a read). */
POINTS_WRITE_HOT int
posting_prefetch(points_db *db, const points_write_op *op, const void *req,
    void *ctx, points_getreq *r, size_t *n)
{
	const points_posting *p = req;
	posting_ctx *c = ctx;
	int64_t user, sys;
	unsigned parts, part;
	unsigned char kb[8];
	int rc;

	(void)op;
	if ((rc = points_asset__find(db, p->asset, &c->asset)))
		return rc;
	c->nf = c->nt = -1;
	/* Ids no balance can have are not read: such a balance is new,
	 * and the party check then finds no account. */
	if (points_balance__key(c->from, c->asset.id, c->kf)) {
		r[*n].ks = &points_balance__ks;
		r[*n].key = c->kf;
		r[*n].klen = 8;
		c->nf = (int)(*n)++;
	}
	if (points_balance__key(c->to, c->asset.id, c->kt)) {
		r[*n].ks = &points_balance__ks;
		r[*n].key = c->kt;
		r[*n].klen = 8;
		c->nt = (int)(*n)++;
	}
	c->na = points_policy__prefetch(op->type, c->from, &c->asset, &c->xd,
	    r, n);
	/* the user's partition: an earn's payee, else most likely the payer
	 * (a spend, or a transfer's first leg) */
	user = op->type == POINTS_TXN_EARN ? c->to : c->from;
	sys = op->type == POINTS_TXN_EARN ? c->from : c->to;
	parts = points_entry__expect(db, user, &part);
	/* and the issuer's or sink's record of that partition (a shard:
	 * away from its home, or anywhere since ledger format 5), which
	 * placing the entry reads: named now, it
	 * is read with the rest (a store may answer the later read from
	 * this one: PostgreSQL's does, saving a round trip) */
	if (parts > 1 && (op->type == POINTS_TXN_EARN ||
	    op->type == POINTS_TXN_SPEND) &&
	    points_entry__system_away(db, sys, part) &&
	    points_balance__key(sys, c->asset.id, kb)) {
		points_balance__shard_key(sys, c->asset.id, part, c->ks);
		r[*n].ks = &points_balance__shard_ks;
		r[*n].key = c->ks;
		r[*n].klen = sizeof(c->ks);
		(*n)++;
	}
	return POINTS_OK;
}

POINTS_WRITE_HOT int
posting_fetched(points_db *db, const points_write_op *op, const void *req,
    void *ctx, const points_getreq *r, size_t n)
{
	posting_ctx *c = ctx;
	int rc = POINTS_OK;

	(void)op, (void)req, (void)n;
	points_balance__init(&c->fb, c->from, c->asset.id, 0);
	points_balance__init(&c->tb, c->to, c->asset.id, 0);
	points_lotlist__lend(&c->fb.lots, c->fbuf);
	points_lotlist__lend(&c->tb.lots, c->tbuf);
	if (c->nf >= 0)
		rc = points_balance__fetched(db, &c->fb, r[c->nf].rc,
		    r[c->nf].val, r[c->nf].vlen);
	if (rc == POINTS_OK && c->nt >= 0)
		rc = points_balance__fetched(db, &c->tb, r[c->nt].rc,
		    r[c->nt].val, r[c->nt].vlen);
	if (rc == POINTS_OK && c->na >= 0)
		rc = points_policy__fetched(db, &c->asset, &c->xd, r + c->na);
	if (rc) {
		points_balance__free(&c->fb);
		points_balance__free(&c->tb);
	}
	return rc;
}

/* A lot expires at the end of a day, and the last day a lot can have
 * is the day before POINTS_DAY_NEVER (some 11 million years on):
 * expires_at INT64_MAX says "never", as points_lot reports it, and any
 * other value past that day is refused rather than read as never. */
static int
check_expires_at(points_db *db, int64_t expires_at)
{
	if (expires_at == 0 || expires_at == INT64_MAX ||
	    points_db__day(db, expires_at) < (int64_t)POINTS_DAY_NEVER)
		return POINTS_OK;
	return points_db__err(db, POINTS_EINVAL, "expires_at %lld is past the "
	    "last second a lot can expire (%lld): INT64_MAX is never, 0 the "
	    "asset's policy", (long long)expires_at,
	    (long long)points_asset__day_end(db, POINTS_DAY_NEVER - 1));
}

POINTS_WRITE_HOT int
validate_posting(points_db *db, const points_write_op *op, const void *req,
    void *ctx)
{
	const points_posting *p = req;
	posting_ctx *c = ctx;
	int type = (int)op->type;
	int rc;

	if (type == POINTS_TXN_ADJUST) {
		if (p->amount == 0)
			return points_db__err(db, POINTS_EINVAL,
			    "adjustment amount must be non-zero");
		/* its size, the amount moved, must fit an int64 */
		if (p->amount == INT64_MIN)
			return points_db__err(db, POINTS_EINVAL,
			    "adjustment amount %lld is out of range (at least "
			    "%lld)", (long long)p->amount,
			    (long long)-INT64_MAX);
	} else if ((rc = points_db__check_amount(db, p->amount))) {
		return rc;
	}
	if (p->time < 0 || p->expires_at < 0)
		return points_db__err(db, POINTS_EINVAL,
		    "times must not be negative");
	if ((rc = check_expires_at(db, p->expires_at)))
		return rc;
	if ((rc = points_db__check_str(db, "memo", p->memo, POINTS_MEMO_MAX, 0)))
		return rc;
	if ((p->category || p->actor) &&
	    (rc = points_meta__check(db, op->name, p->category, p->actor)))
		return rc;
	if (type == POINTS_TXN_ADJUST && (!p->memo || !*p->memo))
		return points_db__err(db, POINTS_EINVAL,
		    "an adjustment needs a reason (memo)");
	c->amount = p->amount;
	switch (type) {
	case POINTS_TXN_EARN:
		c->from = p->counterparty ? p->counterparty :
		    POINTS_ACCOUNT_ISSUER;
		c->to = p->account;
		break;
	case POINTS_TXN_SPEND:
		c->from = p->account;
		c->to = p->counterparty ? p->counterparty : POINTS_ACCOUNT_SINK;
		break;
	case POINTS_TXN_TRANSFER:
		c->from = p->account;
		c->to = p->counterparty;
		if (c->to == c->from)
			return points_db__err(db, POINTS_EINVAL,
			    "a transfer needs two different accounts");
		break;
	case POINTS_TXN_FUND: case POINTS_TXN_DEFUND:
		return points_pool_party__route(db, type, p, &c->from, &c->to);
	default: /* adjustment: the sign says which way */
		if (p->amount > 0) {
			c->from = p->counterparty ? p->counterparty :
			    POINTS_ACCOUNT_ISSUER;
			c->to = p->account;
		} else {
			c->amount = -p->amount;
			c->from = p->account;
			c->to = p->counterparty ? p->counterparty :
			    POINTS_ACCOUNT_ISSUER;
		}
		if (c->to == c->from)
			return points_db__err(db, POINTS_EINVAL,
			    "an adjustment needs two different accounts");
		break;
	}
	return POINTS_OK;
}

/* Store both balances of a two-account movement. */
int
points_posting__store_pair(points_db *db, points_balance_rec *from, points_balance_rec *to)
{
	int rc = points_balance__store(db, from, 0);

	if (rc == POINTS_OK && to != from)
		rc = points_balance__store(db, to, 0);
	return rc;
}

int
points_posting__counter_add(points_db *db, points_balance_rec *b,
    const char *name, int64_t *c, int64_t v)
{
	char label[POINTS_EXTID_MAX + 2];
	int64_t now = *c;
	int ovf, rc;

	if (!b->partitioned) {
		if (!points_codec__add(c, v))
			return POINTS_OK;
		goto overflow;
	}
	ovf = points_codec__add(&now, v);
	/* a system account in log partitions: its records' sum too, read
	 * only past its share (credit_fits) */
	if ((c == &b->earned || c == &b->spent) &&
	    (b->wide || ovf || !points_balance__in_share(b, now))) {
		if ((rc = points_balance__others(db, b)))
			return rc;
		if (points_balance__total_counter(b, c == &b->earned ?
		    POINTS_BALANCE_EARNED : POINTS_BALANCE_SPENT, v))
			goto overflow;
		if (!ovf && !points_balance__in_share(b, now) &&
		    (rc = points_balance__mark_wide(db, b)))
			return rc;
	}
	if (!ovf) {
		*c = now;
		return POINTS_OK;
	}
overflow:
	points_balance__label(db, b->account, label, sizeof(label));
	return points_db__err(db, POINTS_EOVERFLOW, "account %s: its lifetime "
	    "%s points would overflow", label, name);
}

/* The expiry day of a new lot: the posting's own expires_at (the end of
 * its day; INT64_MAX or beyond the calendar: never) or the asset's. */
static uint32_t
lot_day(points_db *db, const points_asset *a, int64_t expires_at, int64_t t)
{
	if (!expires_at)
		return points_asset__expiry_day(db, a, t);
	return points_asset__clamp_day(points_db__day(db, expires_at));
}

POINTS_WRITE_HOT int
post_body(points_db *db, const points_write_op *op, const void *req,
    void *ctx, void *result, int64_t *seq)
{
	const points_posting *p = req;
	posting_ctx *c = ctx;
	int type = (int)op->type;
	const points_asset_rec *asset = &c->asset;
	/* read and decoded by prefetch and fetched; freed here */
	points_balance_rec *fb = &c->fb, *tb = &c->tb;
	points_entry_rec e;
	points_posting_expiry run;
	points_lotrec inbuf[8], outbuf[8];
	int64_t t = points_db__time(db, p->time), repaid;
	int rc;

	/* the clock, not the posting's time, says what is past due */
	points_posting__expiry_begin(db, &run, p->time ? points_db__time(db, 0) : t);
	points_entry__init(&e, type, asset->id, t);
	points_lotlist__lend(&e.in_lots, inbuf);
	points_lotlist__lend(&e.out_lots, outbuf);
	/* checked after the replay: a retry may come after expires_at */
	if (p->expires_at && p->expires_at < t) {
		rc = points_db__err(db, POINTS_EINVAL,
		    "expires_at is before the posting time");
		goto done;
	}
	/* User-facing postings need active users on the user side and a
	 * system account on the other; adjustments may touch frozen
	 * accounts. */
	switch (type) {
	case POINTS_TXN_EARN:
		if (!(rc = points_balance__check_party(db, tb, 1, 0)))
			rc = points_balance__check_party(db, fb, -1, 0);
		break;
	case POINTS_TXN_SPEND:
		if (!(rc = points_balance__check_party(db, fb, 1, 0)))
			rc = points_balance__check_party(db, tb, -1, 0);
		if (!rc)
			rc = points_pool_party__payee(db, tb, "spend");
		break;
	case POINTS_TXN_TRANSFER:
		if (!(rc = points_balance__check_party(db, fb, 1, 0)))
			rc = points_balance__check_party(db, tb, 1, 0);
		if (!rc)
			rc = points_policy__transfer_check(db, &c->asset, fb,
			    c->amount, &c->xd);
		break;
	case POINTS_TXN_FUND: case POINTS_TXN_DEFUND:
		rc = points_pool_party__check(db, type, fb, tb);
		break;
	default:
		if (!(rc = points_balance__check_party(db, fb, 0, 1)))
			rc = points_balance__check_party(db, tb, 0, 1);
		break;
	}
	/* the records of the entry's log partition (entry.h) */
	if (rc || (rc = points_entry__place(db, fb, tb)))
		goto done;
	/* Check and compute in memory; write only when all is well.
	 * Past-due points go first: they cannot be spent or moved. */
	if ((rc = points_posting__expiry_take(db, &run, fb, 0)) ||
	    (rc = points_posting__expiry_take(db, &run, tb, 0)))
		goto done;
	if ((rc = points_posting__debit(db, fb, c->amount, NULL, &e.out_lots)))
		goto done;
	/* a debt of the credited account is repaid first (debt.h) */
	if ((rc = points_posting__credit_repaying(db, tb, c->amount, &e.out_lots,
	    lot_day(db, &asset->a, p->expires_at, t), &e.in_lots, &repaid)))
		goto done;
	/* a backdated earn may bring lots that are past due already */
	if ((rc = points_posting__expiry_take(db, &run, tb, 1)))
		goto done;
	if ((rc = points_posting__counter_add(db, fb, "spent", &fb->spent,
	    c->amount)) || (rc = points_posting__counter_add(db, tb, "earned",
	    &tb->earned, c->amount)))
		goto done;
	e.from = c->from;
	e.to = c->to;
	e.amount = c->amount;
	if (p->memo)
		strcpy(e.memo, p->memo);
	if ((p->category || p->actor) &&
	    (rc = points_meta__set(db, &e, p->category, p->actor)))
		goto done;
	if (repaid && (rc = points_debt__note(db, &e, 0, repaid)))
		goto done;
	/* what the caller counted with the earn (within_data), and the
	 * modules that count what accounts earn (module.h): written with
	 * the balance, not after it */
	if (type == POINTS_TXN_EARN && c->data &&
	    (rc = points_balance__data_set(db, tb, c->data->tag, c->data->p,
	    c->data->n)))
		goto done;
	if (type == POINTS_TXN_EARN &&
	    (rc = points_db__earning(db, tb, t, c->amount)))
		goto done;
	if ((rc = points_posting__expiry_charge(db, &run, fb, tb)) ||
	    (rc = points_posting__expiry_append(db, &run, 0)) ||
	    (rc = points_entry__append(db, &e, fb, tb)) ||
	    (rc = points_posting__expiry_append(db, &run, 1)) ||
	    (rc = points_posting__store_pair(db, fb, tb)) ||
	    (rc = points_posting__expiry_store(db, &run)))
		goto done;
	if (type == POINTS_TXN_TRANSFER &&
	    (rc = points_policy__transfer_done(db, &c->xd)))
		goto done;
	if (type == POINTS_TXN_EARN &&
	    (rc = points_db__earned(db, c->to, asset->id, t, c->amount)))
		goto done;
	*seq = e.seq;
	rc = points_entry__txn(db, &e, result);
done:
	points_posting__expiry_end(&run);
	points_entry__free(&e);
	points_balance__free(fb);
	points_balance__free(tb);
	return rc;
}

#define POSTING_OP(name, type) { name, type, &points_posting__req, \
	sizeof(points_txn), validate_posting, post_body, NULL, \
	posting_prefetch, posting_fetched }
const points_write_op points_posting__earn_op =
    POSTING_OP("earn", POINTS_TXN_EARN);
const points_write_op points_posting__spend_op =
    POSTING_OP("spend", POINTS_TXN_SPEND);
const points_write_op points_posting__transfer_op =
    POSTING_OP("transfer", POINTS_TXN_TRANSFER);
const points_write_op points_posting__adjust_op =
    POSTING_OP("adjustment", POINTS_TXN_ADJUST);
const points_write_op points_posting__fund_op =
    POSTING_OP("pool funding", POINTS_TXN_FUND);
const points_write_op points_posting__defund_op =
    POSTING_OP("pool defunding", POINTS_TXN_DEFUND);

/* For the postings of other files (pool.c): the skeleton with a
 * posting's scratch, out of line. */
int
points_posting__run(points_db *db, const points_write_op *op,
    const points_posting *p, points_txn *out)
{
	posting_ctx c;

	ctx_init(&c);
	return points_write__run(db, op, p, &c, out);
}

/* A posting inside a write that is running (write.h's body of another
 * operation): checked, read and done as the skeleton would, without an
 * idempotency key of its own. */
int
points_posting__within(points_db *db, const points_write_op *op,
    const points_posting *p, points_txn *out, int64_t *seq)
{
	return points_posting__within_data(db, op, p, NULL, out, seq);
}

int
points_posting__within_data(points_db *db, const points_write_op *op,
    const points_posting *p, const points_posting_data *data,
    points_txn *out, int64_t *seq)
{
	posting_ctx c;
	points_getreq r[POINTS_WRITE_PREFETCH_MAX];
	size_t n = 0;
	int rc;

	ctx_init(&c);
	c.data = data;
	if (p->idempotency_key)
		return points_db__err(db, POINTS_EINVAL, "%s: a posting "
		    "within another write has no idempotency key", op->name);
	if ((rc = validate_posting(db, op, p, &c)) ||
	    (rc = posting_prefetch(db, op, p, &c, r, &n)) ||
	    (rc = points_db__get_many(db, r, n)) ||
	    (rc = posting_fetched(db, op, p, &c, r, n)))
		return rc;
	return post_body(db, op, p, &c, out, seq);
}

POINTS_EXTERN int
points_earn(points_db *db, const points_posting *p, points_txn *out)
{
	posting_ctx c;

	ctx_init(&c);
	return points_write__run(db, &points_posting__earn_op, p, &c, out);
}

POINTS_EXTERN int
points_spend(points_db *db, const points_posting *p, points_txn *out)
{
	posting_ctx c;

	ctx_init(&c);
	return points_write__run(db, &points_posting__spend_op, p, &c, out);
}

POINTS_EXTERN int
points_transfer(points_db *db, const points_posting *p, points_txn *out)
{
	posting_ctx c;

	ctx_init(&c);
	return points_write__run(db, &points_posting__transfer_op, p, &c,
	    out);
}

POINTS_EXTERN int
points_adjust(points_db *db, const points_posting *p, points_txn *out)
{
	posting_ctx c;

	ctx_init(&c);
	return points_write__run(db, &points_posting__adjust_op, p, &c, out);
}

POINTS_EXTERN int
points_posting_init(points_posting *p, unsigned int version)
{
	return points_write__init(&points_posting__req, p, version);
}
