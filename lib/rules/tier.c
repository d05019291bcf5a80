/* tier.c - tier qualification (points/rules.h): what accounts earn per
 * calendar month, upgrades in the earn's transaction, the sweep.
 *
 * Stored: what an account earned in each calendar month of one asset
 * (months since year 0, in the ledger's UTC offset), the last month,
 * and how many months n (1 to POINTS_TIER_MONTHS_MAX), oldest first, as
 * module data of its balance record of that asset
 * (POINTS_BALANCE_DATA_TIER_EARN, core/balance.h).  An earn already
 * rewrites that record: the figures add no random write of their own,
 * and never a scan of the entry log.  Months older than
 * POINTS_TIER_MONTHS_MAX before the last are dropped: no window reaches
 * them.  A reversal of an earn takes its points back from the earn's
 * month (not below 0).  Figures are kept only for assets a
 * qualification names, from when it does.  Format 1 kept them in a
 * keyspace of their own, tierearn (account be64 | asset be32); setup
 * moves them.
 *
 * The ledger tells of every earn and every reversal of one through the
 * module hook earned (core/module.h; the rule module's, see below):
 * the ledger knows nothing of tiers, and every path that earns
 * (points_earn, rule awards, approved awards) is covered without each
 * calling in. */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "util/calendar.h"
#include "util/codec.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "core/module.h"
#include "rules/rule.h"

#define TIEREARN_V1 1 /* the figures' encoding */
/* 1: figures in keyspace tierearn; 2: in the balance records */
#define TIER_FORMAT 2
#define MONTHS POINTS_TIER_MONTHS_MAX

static points_ksdef tierearn_ks = { "tierearn", 0, 0 };
static points_ksdef *const keyspaces[] = { &tierearn_ks, NULL };

/* The earn hook is the rule module's (rule.c names
 * points_tier__earned), so that whatever links the rules links this
 * file too: a static link takes an object only for a symbol it needs,
 * and a module registers itself only when its object is linked. */
static int tier_setup(points_db *db, unsigned int found);

static points_module tier_module = {
	.name = "tier",
	.format = TIER_FORMAT,
	.keyspaces = keyspaces,
	.setup = tier_setup,
};
POINTS_MODULE(tier_module)

/* An account's months of one asset. */
typedef struct buckets {
	int64_t last; /* the last month */
	int n;        /* months kept: last - n + 1 .. last; 0: none */
	int64_t v[MONTHS];
} buckets;

static int64_t
month_of(points_db *db, int64_t t)
{
	points_civil c = points_cal__civil(points_db__day(db, t));

	return c.year * 12 + (int64_t)c.month - 1;
}

static int
decode_buckets(points_db *db, int64_t account, uint32_t asset,
    const void *v, size_t vl, buckets *b)
{
	points_rd r;
	int i;

	points_rd__init(&r, v, vl);
	if (points_rd__u8(&r) != TIEREARN_V1)
		r.err = POINTS_ECORRUPT;
	b->last = points_rd__svar(&r);
	b->n = (int)points_rd__uvar(&r);
	if (b->n < 1 || b->n > MONTHS)
		r.err = POINTS_ECORRUPT;
	for (i = 0; !r.err && i < b->n; i++)
		b->v[i] = points_rd__svar(&r);
	if (r.err || r.p != r.end)
		return points_db__err(db, POINTS_ECORRUPT, "account %lld: "
		    "tier figures of asset %u unreadable", (long long)account,
		    (unsigned)asset);
	return POINTS_OK;
}

static int
load_buckets(points_db *db, int64_t account, uint32_t asset, buckets *b)
{
	const void *v;
	size_t vl;
	int rc;

	memset(b, 0, sizeof(*b));
	rc = points_balance__data_peek(db, account, asset,
	    POINTS_BALANCE_DATA_TIER_EARN, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	return decode_buckets(db, account, asset, v, vl, b);
}

static int encode_buckets(points_db *db, const buckets *b, points_buf *buf);

static int
store_buckets(points_db *db, int64_t account, uint32_t asset,
    const buckets *b)
{
	points_buf buf;
	int rc;

	if ((rc = encode_buckets(db, b, &buf)))
		return rc;
	rc = points_balance__data_write(db, account, asset,
	    POINTS_BALANCE_DATA_TIER_EARN, buf.data, buf.len);
	points_buf__free(&buf);
	return rc;
}

/* Format 1 kept the figures in keyspace tierearn: move each record into
 * its balance and delete it, a chunk of keys at a time. */
static int
upgrade_v1(points_db *db)
{
	unsigned char keys[64][12], lo[12];
	const void *v;
	size_t n, vl, i;
	buckets b;
	int rc;

	memset(lo, 0, sizeof(lo));
	do {
		if ((rc = points_db__collect_keys(db, &tierearn_ks, lo, 12,
		    NULL, 0, 12, keys[0], 64, &n)))
			return rc;
		for (i = 0; i < n; i++) {
			int64_t account = (int64_t)points_codec__get_be64(
			    keys[i]);
			uint32_t asset = points_codec__get_be32(keys[i] + 8);

			if ((rc = points_db__get(db, &tierearn_ks, keys[i], 12,
			    &v, &vl)) ||
			    (rc = decode_buckets(db, account, asset, v, vl,
			    &b)))
				return rc;
			/* a closed account's figures go: nothing reads them */
			rc = store_buckets(db, account, asset, &b);
			if (rc == POINTS_ECLOSED)
				rc = POINTS_OK;
			if (rc || (rc = points_db__del(db, &tierearn_ks,
			    keys[i], 12)))
				return rc;
		}
	} while (n == 64);
	return POINTS_OK;
}

static int
tier_setup(points_db *db, unsigned int found)
{
	return found == TIEREARN_V1 ? upgrade_v1(db) : POINTS_OK;
}

/* Add amount (either sign) to month m; 0 when m is too old to keep.
 * A month never goes below 0 nor above INT64_MAX. */
static int
buckets_add(buckets *b, int64_t m, int64_t amount)
{
	int64_t first, *x;
	int i, shift;

	if (b->n == 0) {
		if (amount <= 0)
			return 0;
		b->last = m;
		b->n = 1;
		b->v[0] = 0;
	} else if (m > b->last) {
		/* newer months: drop the oldest past the bound */
		if (amount <= 0)
			return 0; /* a reversal of what was never counted */
		shift = m - b->last >= MONTHS ? MONTHS : (int)(m - b->last);
		if (b->n + shift > MONTHS) {
			int drop = b->n + shift - MONTHS;

			if (drop >= b->n) {
				b->n = 0;
			} else {
				memmove(b->v, b->v + drop,
				    (size_t)(b->n - drop) * sizeof(b->v[0]));
				b->n -= drop;
			}
		}
		for (i = 0; i < shift; i++)
			b->v[b->n++] = 0;
		b->last = m;
	}
	first = b->last - b->n + 1;
	if (m <= b->last - MONTHS)
		return 0;
	if (m < first) {
		if (amount <= 0)
			return 0;
		shift = (int)(first - m);
		memmove(b->v + shift, b->v, (size_t)b->n * sizeof(b->v[0]));
		for (i = 0; i < shift; i++)
			b->v[i] = 0;
		b->n += shift;
		first = m;
	}
	x = &b->v[m - first];
	if (amount > 0)
		*x = *x > INT64_MAX - amount ? INT64_MAX : *x + amount;
	else
		*x = *x < -amount ? 0 : *x + amount;
	return 1;
}

/* What was earned in months m - months + 1 .. m (saturating). */
static int64_t
buckets_sum(const buckets *b, int64_t m, int months)
{
	int64_t first = b->last - b->n + 1, sum = 0, j;

	for (j = m - months + 1; j <= m; j++)
		if (j >= first && j <= b->last) {
			int64_t x = b->v[j - first];

			sum = sum > INT64_MAX - x ? INT64_MAX : sum + x;
		}
	return sum;
}

/* ---- Evaluation ---- */

static const points_tier *
find_tier(const points_rules_set *s, const char *name)
{
	size_t i;

	if (!name[0])
		return NULL;
	for (i = 0; i < s->ntiers; i++)
		if (strcmp(s->tiers[i].name, name) == 0)
			return &s->tiers[i];
	return NULL;
}

/* Is a of higher rank than b (NULL: below every row)?  Equal ranks: the
 * name first in byte order. */
static int
above(const points_tier *a, const points_tier *b)
{
	if (!b)
		return 1;
	if (a->rank != b->rank)
		return a->rank > b->rank;
	return strcmp(a->name, b->name) < 0;
}

/* "5,200" or "5,200.50": amount in the asset's unit. */
static void
fmt_points(char *out, size_t cap, int64_t v, int decimals)
{
	char digits[32], tmp[64];
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	int n, i, o = 0, ip;

	n = snprintf(digits, sizeof(digits), "%0*llu", decimals + 1,
	    (unsigned long long)u);
	ip = n - decimals;
	if (v < 0)
		tmp[o++] = '-';
	for (i = 0; i < ip; i++) {
		if (i > 0 && (ip - i) % 3 == 0)
			tmp[o++] = ',';
		tmp[o++] = digits[i];
	}
	if (decimals > 0) {
		tmp[o++] = '.';
		for (i = ip; i < n; i++)
			tmp[o++] = digits[i];
	}
	tmp[o] = 0;
	snprintf(out, cap, "%s", tmp);
}

/* The figure of t's qualification for account at month m, and the
 * asset's decimals. */
static int
figure(points_db *db, int64_t account, const points_tier *t, int64_t m,
    int64_t *out, int *decimals)
{
	points_asset_rec a;
	buckets b;
	int rc;

	if ((rc = points_asset__find(db, t->qualify_asset, &a)) ||
	    (rc = load_buckets(db, account, a.id, &b)))
		return rc;
	*out = buckets_sum(&b, m, t->qualify_months);
	if (decimals)
		*decimals = a.a.decimals;
	return POINTS_OK;
}

/* "earned 5,200 PTS in the 12 months to 2026-12-01; gold needs 5,000" */
static void
reason_for(points_db *db, char *out, size_t cap, const points_tier *t,
    int64_t fig, int decimals, int64_t now)
{
	char have[40], need[40];
	points_civil c = points_cal__civil(points_db__day(db, now));

	fmt_points(have, sizeof(have), fig, decimals);
	fmt_points(need, sizeof(need), t->qualify_points, decimals);
	snprintf(out, cap, "earned %s %s in the %d month%s to "
	    "%04lld-%02u-%02u; %s needs %s", have, t->qualify_asset,
	    t->qualify_months, t->qualify_months == 1 ? "" : "s",
	    (long long)c.year, c.month, c.day, t->name, need);
}

static int
move(points_db *db, int64_t account, const char *tier, const char *reason)
{
	points_account_changes c;

	memset(&c, 0, sizeof(c));
	c.tier = tier;
	c.status = POINTS_ACCOUNT_KEEP;
	c.actor = POINTS_TIER_ACTOR;
	c.reason = reason;
	return points_account__edit_in(db, account,
	    points_account__edit_changes, &c);
}

/* Whether a qualification names asset: *s the rules, a the asset
 * (*named 0: no tier counts it). */
static int
counted(points_db *db, uint32_t asset, const points_rules_set **s,
    points_asset_rec *a, int *named)
{
	size_t i;
	int rc;

	*named = 0;
	if ((rc = points_rule__load(db, s)))
		return rc;
	for (i = 0; i < (*s)->ntiers && !*named; i++)
		*named = (*s)->tiers[i].qualify_asset[0] != 0;
	if (!*named)
		return POINTS_OK;
	if ((rc = points_asset__by_id(db, asset, a)))
		return rc;
	*named = 0;
	for (i = 0; i < (*s)->ntiers && !*named; i++)
		*named = strcmp((*s)->tiers[i].qualify_asset, a->a.code) == 0;
	return POINTS_OK;
}

static int
encode_buckets(points_db *db, const buckets *b, points_buf *buf)
{
	int i;

	points_buf__init(buf);
	points_buf__u8(buf, TIEREARN_V1);
	points_buf__svar(buf, b->last);
	points_buf__uvar(buf, (uint64_t)b->n);
	for (i = 0; i < b->n; i++)
		points_buf__svar(buf, b->v[i]);
	if (buf->err) {
		points_buf__free(buf);
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	}
	return POINTS_OK;
}

/* The earning hook: count the earn in the balance being posted. */
int
points_tier__earning(points_db *db, void *state, points_balance_rec *bal,
    int64_t time, int64_t amount)
{
	const points_rules_set *s;
	const unsigned char *p;
	points_asset_rec a;
	points_buf buf;
	buckets b;
	size_t n;
	int rc, named;

	(void)state;
	if (bal->system)
		return POINTS_OK;
	if ((rc = counted(db, bal->asset, &s, &a, &named)) || !named)
		return rc;
	memset(&b, 0, sizeof(b));
	if (points_balance__data_get(bal, POINTS_BALANCE_DATA_TIER_EARN, &p,
	    &n) && (rc = decode_buckets(db, bal->account, bal->asset, p, n,
	    &b)))
		return rc;
	if (!buckets_add(&b, month_of(db, time), amount))
		return POINTS_OK;
	if ((rc = encode_buckets(db, &b, &buf)))
		return rc;
	rc = points_balance__data_set(db, bal, POINTS_BALANCE_DATA_TIER_EARN,
	    buf.data, buf.len);
	points_buf__free(&buf);
	return rc;
}

/* The earned hook: move the account up if it now meets a tier of this
 * asset above its own. */
int
points_tier__earned(points_db *db, void *state, int64_t account,
    uint32_t asset, int64_t time, int64_t amount)
{
	const points_rules_set *s;
	const points_tier *best = NULL, *cur;
	points_asset_rec a;
	points_account acct;
	buckets b;
	char reason[POINTS_REASON_MAX + 1];
	int64_t now, m, fig = 0;
	size_t i;
	int rc, named;

	(void)state;
	(void)time;
	if (amount <= 0)
		return POINTS_OK; /* earns move accounts up only */
	if ((rc = counted(db, asset, &s, &a, &named)) || !named)
		return rc;
	if ((rc = load_buckets(db, account, asset, &b)))
		return rc;
	now = points_db__time(db, 0);
	m = month_of(db, now);
	for (i = 0; i < s->ntiers; i++) {
		const points_tier *t = &s->tiers[i];
		int64_t f;

		if (strcmp(t->qualify_asset, a.a.code) != 0)
			continue;
		f = buckets_sum(&b, m, t->qualify_months);
		if (f >= t->qualify_points && (!best || above(t, best))) {
			best = t;
			fig = f;
		}
	}
	if (!best)
		return POINTS_OK;
	if ((rc = points_account__load(db, account, &acct)))
		return rc;
	cur = find_tier(s, acct.tier);
	if (cur && cur->rank >= best->rank)
		return POINTS_OK;
	reason_for(db, reason, sizeof(reason), best, fig, a.a.decimals, now);
	return move(db, account, best->name, reason);
}

/* ---- The sweep ---- */

/* Evaluate account at as_of: *moved 1 up, -1 down, 0 not, 2 passed
 * over (a system account or a closed one). */
static int
evaluate(points_db *db, const points_rules_set *s, int64_t account,
    int64_t as_of, int *moved)
{
	const points_tier *best = NULL, *cur, *base = NULL, *to;
	points_account acct;
	char reason[POINTS_REASON_MAX + 1];
	int64_t m = month_of(db, as_of), f, bestfig = 0, curfig = 0;
	int curdec = 0, bestdec = 0, dec, met = 1;
	size_t i;
	int rc;

	*moved = 0;
	if ((rc = points_account__load(db, account, &acct)))
		return rc;
	if ((acct.flags & POINTS_ACCOUNT_SYSTEM) ||
	    acct.status == POINTS_ACCOUNT_CLOSED) {
		*moved = 2;
		return POINTS_OK;
	}
	cur = find_tier(s, acct.tier);
	for (i = 0; i < s->ntiers; i++) {
		const points_tier *t = &s->tiers[i];

		if (!t->qualify_asset[0]) {
			if (!base || above(base, t))
				base = t;
			continue;
		}
		if ((rc = figure(db, account, t, m, &f, &dec)))
			return rc;
		if (t == cur) {
			met = f >= t->qualify_points;
			curfig = f;
			curdec = dec;
		}
		if (f >= t->qualify_points && (!best || above(t, best))) {
			best = t;
			bestfig = f;
			bestdec = dec;
		}
	}
	if (cur && cur->qualify_asset[0] && !met) {
		to = best ? best : base;
		reason_for(db, reason, sizeof(reason), cur, curfig, curdec,
		    as_of);
		*moved = to && above(to, cur) ? 1 : -1;
		return move(db, account, to ? to->name : "", reason);
	}
	if (best && (!cur || best->rank > cur->rank)) {
		reason_for(db, reason, sizeof(reason), best, bestfig, bestdec,
		    as_of);
		*moved = 1;
		return move(db, account, best->name, reason);
	}
	return POINTS_OK;
}

/* One chunk: the accounts from *from on; *from past the last, or 0 at
 * the end. */
static int
sweep_chunk(points_db *db, int64_t as_of, int64_t *from,
    points_tier_sweep_report *rep)
{
	unsigned char keys[POINTS_TIER_SWEEP_CHUNK * 8];
	const points_rules_set *s;
	unsigned char lo[8];
	size_t n, i;
	int rc, moved;

	if ((rc = points_rule__load(db, &s)))
		return rc;
	points_codec__put_be64(lo, (uint64_t)*from);
	if ((rc = points_db__collect_keys(db, &points_account__ks, lo, 8,
	    NULL, 0, 8, keys, POINTS_TIER_SWEEP_CHUNK, &n)))
		return rc;
	for (i = 0; i < n; i++) {
		int64_t id = (int64_t)points_codec__get_be64(keys + i * 8);

		if ((rc = evaluate(db, s, id, as_of, &moved)))
			return rc;
		if (moved != 2)
			rep->accounts++;
		if (moved == 1)
			rep->upgraded++;
		else if (moved < 0)
			rep->downgraded++;
		*from = id + 1;
	}
	if (n < POINTS_TIER_SWEEP_CHUNK)
		*from = 0;
	return POINTS_OK;
}

POINTS_EXTERN int
points_tier_sweep(points_db *db, int64_t as_of,
    points_tier_sweep_report *out)
{
	points_tier_sweep_report rep, part;
	int64_t from = 1, now;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	now = points_db__time(db, 0);
	if (as_of < 0)
		return points_db__err(db, POINTS_EINVAL, "tier sweep: as_of "
		    "must not be negative (got %lld)", (long long)as_of);
	if (as_of > now)
		return points_db__err(db, POINTS_EINVAL, "tier sweep: as_of "
		    "%lld is later than the ledger's clock (%lld)",
		    (long long)as_of, (long long)now);
	if (!as_of)
		as_of = now;
	memset(&rep, 0, sizeof(rep));
	rep.as_of = as_of;
	do {
		int64_t next = from;

		part = rep;
		if ((rc = points_db__write_begin(db)))
			break;
		rc = points_db__write_end(db, sweep_chunk(db, as_of, &next,
		    &part));
		if (rc)
			break;
		rep = part;
		from = next;
	} while (from);
	if (rc == POINTS_OK && out)
		*out = rep;
	return rc;
}

POINTS_EXTERN int
points_tier_earned(points_db *db, int64_t account, const char *asset,
    int months, int64_t as_of, int64_t *out)
{
	points_asset_rec a;
	points_account acct;
	buckets b;
	int64_t now;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__check_str(db, "asset", asset, POINTS_ASSET_MAX,
	    1)))
		return rc;
	if (months < 1 || months > POINTS_TIER_MONTHS_MAX)
		return points_db__err(db, POINTS_EINVAL, "months must be 1 to "
		    "%d (got %d)", POINTS_TIER_MONTHS_MAX, months);
	now = points_db__time(db, 0);
	if (as_of < 0)
		return points_db__err(db, POINTS_EINVAL, "as_of must not be "
		    "negative (got %lld)", (long long)as_of);
	if (!as_of)
		as_of = now;
	if ((rc = points_db__read_begin(db)))
		return rc;
	if (!(rc = points_account__load(db, account, &acct)) &&
	    !(rc = points_asset__find(db, asset, &a)) &&
	    !(rc = load_buckets(db, account, a.id, &b)))
		*out = buckets_sum(&b, month_of(db, as_of), months);
	points_db__read_end(db);
	return rc;
}
