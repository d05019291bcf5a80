/* util.c - the starting ledger, the clock, ids and the invariant checks
 * of the torture programs (torture.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "torture.h"

int64_t tt_now = TT_T0;
int64_t (*tt_clock_fn)(void);

int64_t
tt_clock_now(void)
{
	return tt_clock_fn ? tt_clock_fn() : tt_now;
}

static int64_t
clock_cb(void *ctx)
{
	(void)ctx;
	return tt_clock_now();
}

double
tt_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

uint64_t
tt_rand(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

int64_t
tt_range(tt_ctx *c, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(tt_rand(&c->rng) % (uint64_t)(hi - lo + 1));
}

static int
in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while ((p = strstr(p, name))) {
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

const tt_op *
tt_pick(tt_ctx *c, const char *only)
{
	unsigned total = 0, w;
	int i;

	for (i = 0; i < tt_nops; i++)
		if (!only || in_list(only, tt_ops[i].name))
			total += tt_ops[i].weight;
	if (!total)
		return NULL;
	w = (unsigned)(tt_rand(&c->rng) % total);
	for (i = 0; i < tt_nops; i++) {
		if (only && !in_list(only, tt_ops[i].name))
			continue;
		if (w < tt_ops[i].weight)
			return &tt_ops[i];
		w -= tt_ops[i].weight;
	}
	return NULL;
}

const tt_op *
tt_op_named(const char *name)
{
	int i;

	for (i = 0; i < tt_nops; i++)
		if (strcmp(tt_ops[i].name, name) == 0)
			return &tt_ops[i];
	return NULL;
}

const char *
tt_key(tt_ctx *c)
{
	snprintf(c->key, sizeof(c->key), "%s/%ld", c->tag, ++c->seq);
	return c->key;
}

void
tt_rec_txn(tt_ctx *c, tt_rec *r, const points_txn *t)
{
	(void)c;
	if (r->ntxn < TT_MAXTXN)
		r->txn[r->ntxn++] = *t;
}

void
tt_rec_account(tt_rec *r, const char *external_id)
{
	snprintf(r->account, sizeof(r->account), "%s", external_id);
}

void
tt_ring_add(tt_ring *r, const char *id)
{
	snprintf(r->id[r->next], sizeof(r->id[0]), "%s", id);
	r->next = (r->next + 1) % TT_RING;
	if (r->n < TT_RING)
		r->n++;
}

int
tt_ring_pick(tt_ctx *c, tt_ring *r, char *id)
{
	if (!r->n)
		return -1;
	memcpy(id, r->id[tt_rand(&c->rng) % (uint64_t)r->n], POINTS_ID_LEN + 1);
	return id[0] ? 0 : -1;
}

void
tt_ring_drop(tt_ring *r, const char *id)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->id[i], id) == 0)
			r->id[i][0] = '\0';
}

int
tt_refusal(int rc)
{
	switch (rc) {
	case POINTS_EINSUFFICIENT: /* not enough points */
	case POINTS_ESTATE:        /* settled, fully reversed */
	case POINTS_EFROZEN:       /* another process froze it */
	case POINTS_EINVAL:        /* not reversible, more than is left */
	case POINTS_ENOTFOUND:     /* a txn of a batch that was rolled back */
	case POINTS_ECLOSED:       /* a leaver's transaction */
		return 1;
	}
	return 0;
}

points_db *
tt_open(const char *uri)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;
	points_db *db = NULL;

	o.clock = clock_cb;
	if (points_open(uri, &o, &db) != POINTS_OK) {
		fprintf(stderr, "open %s: %s\n", uri, points_errmsg(db));
		points_close(db);
		return NULL;
	}
	return db;
}

int
tt_setup(const char *uri)
{
	points_db *db = tt_open(uri);
	points_posting p = POINTS_POSTING_INIT;
	points_txn t;
	int64_t id, pool;
	int i, rc;

	if (!db)
		return -1;
	if ((rc = points_batch_begin(db)) ||
	    (rc = points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER, 0)) ||
	    (rc = points_asset_create(db, "EXP", 0, POINTS_EXPIRE_DAYS, 365)) ||
	    (rc = points_account_create(db, "POOL", NULL, POINTS_ACCOUNT_POOL,
	    &pool)))
		goto fail;
	p.asset = "PTS";
	p.account = pool;
	p.amount = 100000;
	if ((rc = points_pool_fund(db, &p, &t)))
		goto fail;
	for (i = 0; i < TT_NACCT; i++) {
		char ext[16];

		snprintf(ext, sizeof(ext), "U%02d", i);
		if ((rc = points_account_create(db, ext, NULL, 0, &id)))
			goto fail;
		p.account = id;
		p.asset = "PTS";
		p.amount = 1000;
		if ((rc = points_earn(db, &p, &t)))
			goto fail;
		p.asset = "EXP";
		p.amount = 500;
		if ((rc = points_earn(db, &p, &t)))
			goto fail;
	}
	if ((rc = points_batch_commit(db)))
		goto fail;
	points_close(db);
	return 0;
fail:
	fprintf(stderr, "setup %s: %s\n", uri, points_errmsg(db));
	points_close(db);
	return -1;
}

int
tt_attach(tt_ctx *c, points_db *db, const char *tag, uint64_t seed)
{
	points_account a;
	int i;

	memset(c, 0, sizeof(*c));
	c->db = db;
	c->tag = tag;
	c->rng = seed ? seed : 88172645463325252ull;
	for (i = 0; i < TT_NACCT; i++) {
		char ext[16];

		snprintf(ext, sizeof(ext), "U%02d", i);
		if (points_account_find(db, ext, &a) != POINTS_OK)
			return -1;
		c->acct[i] = a.id;
	}
	if (points_account_find(db, "POOL", &a) != POINTS_OK)
		return -1;
	c->pool = a.id;
	return 0;
}

static const char *const assets[] = { "PTS", "EXP" };

int
tt_invariants(points_db *db, char *why, size_t whylen)
{
	points_verify_report rep;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(assets) / sizeof(assets[0]); i++) {
		points_account_iterator *it;
		points_account acct;
		int64_t sum = 0;

		if ((rc = points_account_iterator_new(db, 0, &it)))
			goto api;
		while ((rc = points_account_next(it, &acct)) == POINTS_OK) {
			points_balance b;
			points_lot_iterator *li;
			points_lot lot;
			int64_t lots = 0;

			if ((rc = points_balance_get(db, acct.id, assets[i],
			    &b))) {
				points_account_iterator_free(it);
				goto api;
			}
			sum += b.available + b.held - b.debt;
			if ((uint64_t)b.earned - (uint64_t)b.spent -
			    (uint64_t)b.expired != (uint64_t)b.available +
			    (uint64_t)b.held - (uint64_t)b.debt) {
				snprintf(why, whylen, "account %s in %s: "
				    "lifetime counters disagree with the "
				    "balance", acct.external_id, assets[i]);
				points_account_iterator_free(it);
				return -1;
			}
			if (acct.flags & (POINTS_ACCOUNT_SYSTEM |
			    POINTS_ACCOUNT_ALLOW_NEGATIVE))
				continue;
			if (b.available < 0 || b.held < 0 || b.debt < 0 ||
			    (b.debt && b.available)) {
				snprintf(why, whylen, "account %s in %s: "
				    "available %" PRId64 ", held %" PRId64
				    ", debt %" PRId64, acct.external_id,
				    assets[i], b.available, b.held, b.debt);
				points_account_iterator_free(it);
				return -1;
			}
			if ((rc = points_lot_iterator_new(db, acct.id,
			    assets[i], INT64_MAX, &li))) {
				points_account_iterator_free(it);
				goto api;
			}
			while ((rc = points_lot_next(li, &lot)) == POINTS_OK)
				lots += lot.amount;
			points_lot_iterator_free(li);
			if (rc != POINTS_ITEROVER || lots != b.available) {
				snprintf(why, whylen, "account %s in %s: lots "
				    "%" PRId64 " != available %" PRId64 " (%d)",
				    acct.external_id, assets[i], lots,
				    b.available, rc);
				points_account_iterator_free(it);
				return -1;
			}
		}
		points_account_iterator_free(it);
		if (rc != POINTS_ITEROVER)
			goto api;
		if (sum != 0) {
			snprintf(why, whylen, "asset %s sums to %" PRId64,
			    assets[i], sum);
			return -1;
		}
	}
	if ((rc = points_verify(db, &rep))) {
		snprintf(why, whylen, "points_verify: %s (%s)", rep.message,
		    points_strerror(rc));
		return -1;
	}
	return 0;
api:
	snprintf(why, whylen, "%s", points_errmsg(db));
	return -1;
}

void
tt_txn_word(const points_txn *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%d:%" PRId64 ":%" PRId64 ":%" PRId64 ":%s:%s",
	    t->id, t->type, t->from, t->to, t->amount, t->asset, t->ref);
}

int
tt_txn_parse(const char *word, points_txn *out)
{
	memset(out, 0, sizeof(*out));
	/* (36: POINTS_ID_LEN, 16: POINTS_ASSET_MAX) */
	if (sscanf(word, "%36[^:]:%d:%" SCNd64 ":%" SCNd64 ":%" SCNd64
	    ":%16[^: \n]", out->id, &out->type, &out->from, &out->to,
	    &out->amount, out->asset) != 6)
		return -1;
	/* then ":" and the reference, perhaps empty */
	sscanf(word, "%*[^:]:%*[^:]:%*[^:]:%*[^:]:%*[^:]:%*[^:]:%36[^: \n]",
	    out->ref);
	return 0;
}

int
tt_txn_present(points_db *db, const points_txn *want, char *why,
    size_t whylen)
{
	points_txn t;
	int rc = points_txn_get(db, want->id, &t);

	if (rc != POINTS_OK) {
		snprintf(why, whylen, "txn %s (type %d, %" PRId64 " %s): %s",
		    want->id, want->type, want->amount, want->asset,
		    points_strerror(rc));
		return -1;
	}
	if (t.type != want->type || t.from != want->from ||
	    t.to != want->to || t.amount != want->amount ||
	    strcmp(t.asset, want->asset) != 0) {
		char a[160], b[160];

		tt_txn_word(want, a, sizeof(a));
		tt_txn_word(&t, b, sizeof(b));
		snprintf(why, whylen, "txn logged as %s reads %s", a, b);
		return -1;
	}
	return 0;
}

/* How many of the words of a P/R/S line are in the ledger (*present)
 * out of *total; -1 with why when one is there but not as logged. */
int
tt_words_present(points_db *db, char *words, int *present, int *total,
    char *why, size_t whylen)
{
	char *save = NULL, *w;

	*present = *total = 0;
	for (w = strtok_r(words, " \n", &save); w;
	    w = strtok_r(NULL, " \n", &save)) {
		points_txn t;
		points_account a;

		(*total)++;
		if (strncmp(w, "A:", 2) == 0) {
			int rc = points_account_find(db, w + 2, &a);

			if (rc == POINTS_OK) {
				if (a.status != POINTS_ACCOUNT_CLOSED) {
					snprintf(why, whylen, "leaver %s is "
					    "not closed", w + 2);
					return -1;
				}
				(*present)++;
			} else if (rc != POINTS_ENOTFOUND) {
				snprintf(why, whylen, "account %s: %s", w + 2,
				    points_errmsg(db));
				return -1;
			}
			continue;
		}
		if (tt_txn_parse(w, &t)) {
			snprintf(why, whylen, "bad log word '%s'", w);
			return -1;
		}
		{
			points_txn got;

			if (points_txn_get(db, t.id, &got) == POINTS_ENOTFOUND)
				continue;
		}
		if (tt_txn_present(db, &t, why, whylen))
			return -1;
		(*present)++;
	}
	return 0;
}
