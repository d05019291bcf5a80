/* event.c - events applied to the rules: evaluation, caps and budgets,
 * the awards posted, and the event log (points/rules.h).
 *
 * Stored (each keyspace its own):
 *   ruleevent  seq (be64, appended) -> the event and every rule's
 *              outcome, as the result reports them
 *   ruleeid    event id -> seq + the request's fingerprint (idem.c's
 *              records): the event id is the idempotency key
 *   rulecap    account (be64) -> the account's counters of every capped
 *              rule that paid it: for each, the rule's number and the
 *              day, ISO week, month, year and all-time figures, each
 *              with the period it counts, and the same for the period
 *              counted before (a late event may fall there).  One
 *              record per account, so an event costs one counter write
 *              however many rules pay
 *   rulekey    rule number (be32) | the cap key's value -> its figure
 *   rulebudget rule number (be32) -> points and awards paid in all
 *   rulerefund refund seq (be64, appended) -> a refund: the event's
 *              seq, the amount, what each rule gave back and (format 3)
 *              the lines it covered
 *   rulerefsum event seq (be64) -> what the event's refunds came to:
 *              the amount refunded, whether in whole, the points each
 *              outcome gave back and (format 3) the lines refunded
 *   rulerefidem a refund's idempotency key -> its seq (idem.c's)
 *
 * An event's awards to one account, in one asset, category and expiry
 * are one posting (one entry), whose memo names the event: a purchase
 * paid by three rules is one line of the statement. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "util/calendar.h"
#include "util/codec.h"
#include "util/ids.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "core/module.h"
#include "ledger/idem.h"
#include "ledger/meta.h"
#include "ledger/posting.h"
#include "ledger/reversal.h"
#include "ledger/write.h"
#include "rules/cel.h"
#include "rules/account_value.h"
#include "rules/approval.h"
#include "rules/event.h"
#include "rules/json.h"
#include "rules/pending.h"
#include "rules/rule.h"

/* Format 2: the cap counters live in the balance records (balance.h,
 * POINTS_BALANCE_DATA_RULE_CAPS); "rulecap" of format 1 is read, never
 * written (book_load).
 * Format 3: refunds of line items (REFUND_V2, REFSUM_V2).  A ledger of
 * format 2 needs no upgrade: its V1 records read as refunds of no
 * lines; the format is raised so that an older library, which cannot
 * read V2 records, refuses the ledger. */
#define EVENT_FORMAT 3
#define EVENT_V1 1
#define CAP_V1 1 /* the latest period only */
#define CAP_V2 2 /* and the period before */
/* The fingerprint's first byte: no transaction type has it. */
#define EVENT_APPLY_TYPE 65

static points_ksdef event_ks = { "ruleevent", POINTS_KS_INTKEY, 0 };
static points_ksdef eid_ks = { "ruleeid", 0, 0 };
static points_ksdef cap_ks = { "rulecap", POINTS_KS_INT64, 0 };
static points_ksdef keycap_ks = { "rulekey", 0, 0 };
static points_ksdef budget_ks = { "rulebudget", 0, 0 };
static points_ksdef refund_ks = { "rulerefund", POINTS_KS_INTKEY, 0 };
static points_ksdef refsum_ks = { "rulerefsum", POINTS_KS_INT64, 0 };
static points_ksdef refidem_ks = { "rulerefidem", 0, 0 };
static points_ksdef *const keyspaces[] = { &event_ks, &eid_ks, &cap_ks,
	&keycap_ks, &budget_ks, &refund_ks, &refsum_ks, &refidem_ks, NULL };

/* Per handle: the evaluation's scratch, kept (22 KiB), and the rules in
 * force for the last event's type, by priority: the same for every
 * event of that type between two versions' times (lo <= t < hi), so
 * that a run of events sorts them once. */
typedef struct event_state {
	points_cel_scratch *scratch;
	uint64_t gen;      /* of the rules they were chosen from; 0: none */
	char type[POINTS_EVENT_TYPE_MAX + 1];
	int64_t lo, hi;
	const points_rule_ver **cand;
	size_t ncand, candcap;
} event_state;

static void event_close(points_db *db, void *state);
static points_module event_module = {
	.name = "rule_event",
	.format = EVENT_FORMAT,
	.keyspaces = keyspaces,
	.state_size = sizeof(event_state),
	.close = event_close,
};
POINTS_MODULE(event_module)

static void
event_close(points_db *db, void *state)
{
	event_state *s = state;

	(void)db;
	points_alloc__free(s->scratch);
	points_alloc__free(s->cand);
	memset(s, 0, sizeof(*s));
}

struct points_event_result {
	points_event_summary s;
	points_rule_outcome *o;
	size_t n, cap;
	/* read from the log (load_event), for a refund: each outcome's
	 * rule number, and the event's attributes */
	uint32_t *rid;
	size_t ridcap;
	char *attrs;
	/* a refund's lines: "[0,2]", or NULL */
	char *lines;
};

/* ---- Counters ---- */

/* The periods a cap counts over, in a counter's order. */
enum { P_DAY, P_WEEK, P_MONTH, P_YEAR, P_TOTAL, NPERIODS };
static const char *const period_names[NPERIODS] = {
	"daily", "weekly", "monthly", "yearly", "total",
};

/* For each period, the figure of the latest period counted (stamp,
 * val) and of one earlier (pstamp, pval; 0: none).  Figures only grow,
 * so 0 means never counted.  Below pstamp nothing is known: an event
 * there cannot be counted (see slot()). */
typedef struct capentry {
	uint32_t rule;
	int64_t stamp[NPERIODS];
	int64_t val[NPERIODS];
	int64_t pstamp[NPERIODS];
	int64_t pval[NPERIODS];
} capentry;

/* One account's counters of the rules of one asset, as read and then
 * changed by an event.  They are kept in the account's balance of that
 * asset (the record the award credits: no page of their own to dirty).
 * A ledger of format 1 kept them per account in "rulecap": those are
 * read for a rule that has none in the balance yet (old). */
typedef struct capbook {
	int64_t account;
	uint32_t asset;
	capentry *e;
	size_t n, cap;
	capentry *old;
	size_t nold;
	int dirty;
} capbook;

typedef struct keycount {
	uint32_t rule;
	char key[POINTS_EXTID_MAX * 2 + 1];
	int64_t val;
} keycount;

typedef struct budget {
	uint32_t rule;
	int64_t points, awards;
} budget;

/* What one event needs: kept in the caller's frame, reset for each
 * attempt (write.h: a retry runs the body again). */
typedef struct event_ctx {
	points_json attrs;         /* event.attrs, parsed by validate */
	points_event_result *res;
	int preview;
	/* per attempt */
	const points_rule_ver *const *cand; /* the state's */
	size_t ncand;
	capbook books[4];
	size_t nbooks;
	keycount *keys;
	size_t nkeys, keycap;
	budget *budgets;
	size_t nbudgets, budgetcap;
	points_rule_account acctv; /* the account as the rules see it */
	points_buf abuf;           /* their bytes */
	/* a refund of lines: the request's list, parsed by validate, and
	 * event.attrs without the lines refunded (per attempt) */
	points_json rlines;
	points_cel_entry *kents;
	points_cel_value *klines;
	int64_t *lidx;
	int internal; /* the mall's redemption: the reserved type allowed */
} event_ctx;

static void
ctx_reset(event_ctx *c)
{
	size_t i;

	for (i = 0; i < c->nbooks; i++) {
		points_alloc__free(c->books[i].e);
		points_alloc__free(c->books[i].old);
	}
	c->nbooks = 0;
	c->ncand = c->nkeys = c->nbudgets = 0;
	c->cand = NULL;
	if (c->res)
		c->res->n = 0;
	points_alloc__free(c->kents);
	points_alloc__free(c->klines);
	points_alloc__free(c->lidx);
	c->kents = NULL;
	c->klines = NULL;
	c->lidx = NULL;
}

static void
ctx_free(event_ctx *c)
{
	ctx_reset(c);
	points_alloc__free(c->keys);
	points_alloc__free(c->budgets);
	points_rule__account_free(&c->acctv);
	points_buf__free(&c->abuf);
	points_json__free(&c->attrs);
	points_json__free(&c->rlines);
}

/* Grow *p (of *cap items of size sz) to hold n + 1. */
static int
grow(points_db *db, void **p, size_t *cap, size_t n, size_t sz)
{
	size_t nc;
	void *q;

	if (n < *cap)
		return POINTS_OK;
	for (nc = *cap ? *cap * 2 : 8; nc <= n; nc *= 2)
		;
	if (!(q = points_alloc__realloc(*p, nc * sz)))
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	*p = q;
	*cap = nc;
	return POINTS_OK;
}

/* Decode a counters record (CAP_V1 or CAP_V2) into *e, n of them. */
static int
book_decode(points_db *db, int64_t account, const void *v, size_t vl,
    capentry **e, size_t *n)
{
	points_rd r;
	size_t i, k;
	int fmt;

	*e = NULL;
	*n = 0;
	points_rd__init(&r, v, vl);
	fmt = points_rd__u8(&r);
	if (fmt != CAP_V1 && fmt != CAP_V2)
		r.err = POINTS_ECORRUPT;
	k = (size_t)points_rd__uvar(&r);
	if (k > vl)
		r.err = POINTS_ECORRUPT;
	if (!r.err && k && !(*e = points_alloc__calloc(k, sizeof(**e))))
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	for (i = 0; i < k && !r.err; i++) {
		capentry *ce = &(*e)[i];
		unsigned mask;
		int p;

		ce->rule = (uint32_t)points_rd__uvar(&r);
		mask = points_rd__u8(&r);
		for (p = 0; p < NPERIODS; p++) {
			if (!(mask >> p & 1))
				continue;
			ce->stamp[p] = points_rd__svar(&r);
			ce->val[p] = points_rd__svar(&r);
		}
		mask = fmt == CAP_V2 ? points_rd__u8(&r) : 0;
		for (p = 0; p < NPERIODS; p++) {
			if (!(mask >> p & 1))
				continue;
			ce->pstamp[p] = points_rd__svar(&r);
			ce->pval[p] = points_rd__svar(&r);
		}
	}
	*n = k;
	if (r.err)
		return points_db__err(db, POINTS_ECORRUPT, "account %lld: rule "
		    "counters unreadable", (long long)account);
	return POINTS_OK;
}

static int
book_load(points_db *db, event_ctx *c, int64_t account, uint32_t asset,
    capbook **out)
{
	unsigned char k[8];
	const void *v;
	size_t vl, i;
	capbook *b = NULL;
	int64_t last;
	int rc;

	for (i = 0; i < c->nbooks; i++)
		if (c->books[i].account == account &&
		    c->books[i].asset == asset) {
			*out = &c->books[i];
			return POINTS_OK;
		}
	if (c->nbooks == sizeof(c->books) / sizeof(c->books[0]))
		return points_db__err(db, POINTS_ELIMIT, "an event pays at most "
		    "%zu accounts and assets", sizeof(c->books) /
		    sizeof(c->books[0]));
	b = &c->books[c->nbooks++];
	memset(b, 0, sizeof(*b));
	b->account = account;
	b->asset = asset;
	*out = b;
	rc = points_balance__data_peek(db, account, asset,
	    POINTS_BALANCE_DATA_RULE_CAPS, &v, &vl);
	if (rc == POINTS_OK) {
		if ((rc = book_decode(db, account, v, vl, &b->e, &b->n)))
			return rc;
		b->cap = b->n;
	} else if (rc != POINTS_ENOTFOUND) {
		return rc;
	}
	/* format 1's counters, while there are any (the last key is
	 * remembered through the transaction: one look a batch) */
	if ((rc = points_db__last_key64(db, &cap_ks, &last)) || last == 0)
		return rc;
	points_codec__put_be64(k, (uint64_t)account);
	rc = points_db__get(db, &cap_ks, k, 8, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		rc = POINTS_OK;
	else if (rc == POINTS_OK)
		rc = book_decode(db, account, v, vl, &b->old, &b->nold);
	return rc;
}

static int
book_entry(points_db *db, capbook *b, uint32_t rule, capentry **out)
{
	size_t i;
	int rc;

	for (i = 0; i < b->n; i++)
		if (b->e[i].rule == rule) {
			*out = &b->e[i];
			return POINTS_OK;
		}
	if ((rc = grow(db, (void **)&b->e, &b->cap, b->n, sizeof(*b->e))))
		return rc;
	memset(&b->e[b->n], 0, sizeof(b->e[0]));
	b->e[b->n].rule = rule;
	/* counted under format 1: carried over */
	for (i = 0; i < b->nold; i++)
		if (b->old[i].rule == rule)
			b->e[b->n] = b->old[i];
	*out = &b->e[b->n++];
	return POINTS_OK;
}

/* b's counters as stored, into out (the caller's, initialised; not
 * vbuf: the balance's store uses that). */
static int
book_encode(points_db *db, const capbook *b, points_buf *out)
{
	size_t i;
	int p;

	points_buf__u8(out, CAP_V2);
	points_buf__uvar(out, b->n);
	for (i = 0; i < b->n; i++) {
		const capentry *e = &b->e[i];
		unsigned mask = 0, pmask = 0;

		/* only the periods with a figure: those the rule caps */
		for (p = 0; p < NPERIODS; p++) {
			mask |= (unsigned)(e->val[p] != 0) << p;
			pmask |= (unsigned)(e->pval[p] != 0) << p;
		}
		points_buf__uvar(out, e->rule);
		points_buf__u8(out, mask);
		for (p = 0; p < NPERIODS; p++) {
			if (!(mask >> p & 1))
				continue;
			points_buf__svar(out, e->stamp[p]);
			points_buf__svar(out, e->val[p]);
		}
		points_buf__u8(out, pmask);
		for (p = 0; p < NPERIODS; p++) {
			if (!(pmask >> p & 1))
				continue;
			points_buf__svar(out, e->pstamp[p]);
			points_buf__svar(out, e->pval[p]);
		}
	}
	return out->err ? points_db__err(db, POINTS_ENOMEM, "out of memory") :
	    POINTS_OK;
}

static int
book_store(points_db *db, const capbook *b)
{
	points_buf out;
	int rc;

	points_buf__init(&out);
	if ((rc = book_encode(db, b, &out)) == POINTS_OK)
		rc = points_balance__data_write(db, b->account, b->asset,
		    POINTS_BALANCE_DATA_RULE_CAPS, out.data, out.len);
	points_buf__free(&out);
	return rc;
}

/* Post p, an award to p->account in asset, with the changed counters
 * of that balance, if any, in the same store of its record. */
static int
post_award(points_db *db, event_ctx *c, const points_posting *p,
    points_txn *txn, int64_t *seq)
{
	points_posting_data pd;
	points_asset_rec a;
	points_buf out;
	capbook *b = NULL;
	size_t i;
	int rc;

	if ((rc = points_asset__find(db, p->asset, &a)))
		return rc;
	for (i = 0; i < c->nbooks && !b; i++)
		if (c->books[i].dirty && c->books[i].account == p->account &&
		    c->books[i].asset == a.id)
			b = &c->books[i];
	if (!b)
		return points_posting__within(db, &points_posting__earn_op, p,
		    txn, seq);
	points_buf__init(&out);
	if ((rc = book_encode(db, b, &out)) == POINTS_OK) {
		pd.tag = POINTS_BALANCE_DATA_RULE_CAPS;
		pd.p = out.data;
		pd.n = out.len;
		rc = points_posting__within_data(db, &points_posting__earn_op,
		    p, &pd, txn, seq);
	}
	points_buf__free(&out);
	if (rc == POINTS_OK)
		b->dirty = 0; /* stored */
	return rc;
}

static void
keycap_key(points_buf *b, uint32_t rule, const char *key)
{
	unsigned char r[4];

	points_codec__put_be32(r, rule);
	points_buf__reset(b);
	points_buf__bytes(b, r, 4);
	points_buf__bytes(b, key, strlen(key));
}

static int
keycount_load(points_db *db, event_ctx *c, uint32_t rule, const char *key,
    keycount **out)
{
	const void *v;
	size_t vl, i;
	keycount *kc;
	points_rd r;
	int rc;

	for (i = 0; i < c->nkeys; i++)
		if (c->keys[i].rule == rule && strcmp(c->keys[i].key, key) == 0) {
			*out = &c->keys[i];
			return POINTS_OK;
		}
	if ((rc = grow(db, (void **)&c->keys, &c->keycap, c->nkeys,
	    sizeof(*c->keys))))
		return rc;
	kc = &c->keys[c->nkeys];
	kc->rule = rule;
	strcpy(kc->key, key);
	kc->val = 0;
	keycap_key(&db->kbuf, rule, key);
	if (db->kbuf.err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	rc = points_db__get(db, &keycap_ks, db->kbuf.data, db->kbuf.len, &v,
	    &vl);
	if (rc == POINTS_OK) {
		points_rd__init(&r, v, vl);
		kc->val = points_rd__svar(&r);
		if (r.err)
			return points_db__err(db, POINTS_ECORRUPT, "rule cap "
			    "key '%s': record unreadable", key);
	} else if (rc != POINTS_ENOTFOUND) {
		return rc;
	}
	c->nkeys++;
	*out = kc;
	return POINTS_OK;
}

static int
budget_load(points_db *db, event_ctx *c, uint32_t rule, budget **out)
{
	unsigned char k[4];
	const void *v;
	size_t vl, i;
	budget *bu;
	points_rd r;
	int rc;

	for (i = 0; i < c->nbudgets; i++)
		if (c->budgets[i].rule == rule) {
			*out = &c->budgets[i];
			return POINTS_OK;
		}
	if ((rc = grow(db, (void **)&c->budgets, &c->budgetcap, c->nbudgets,
	    sizeof(*c->budgets))))
		return rc;
	bu = &c->budgets[c->nbudgets];
	bu->rule = rule;
	bu->points = bu->awards = 0;
	points_codec__put_be32(k, rule);
	rc = points_db__get(db, &budget_ks, k, 4, &v, &vl);
	if (rc == POINTS_OK) {
		points_rd__init(&r, v, vl);
		bu->points = points_rd__svar(&r);
		bu->awards = points_rd__svar(&r);
		if (r.err)
			return points_db__err(db, POINTS_ECORRUPT, "rule "
			    "budget: record unreadable");
	} else if (rc != POINTS_ENOTFOUND) {
		return rc;
	}
	c->nbudgets++;
	*out = bu;
	return POINTS_OK;
}

/* ---- The result ---- */

static int
result_push(points_db *db, points_event_result *r, points_rule_outcome **out)
{
	int rc;

	if ((rc = grow(db, (void **)&r->o, &r->cap, r->n, sizeof(*r->o))))
		return rc;
	*out = &r->o[r->n++];
	memset(*out, 0, sizeof(**out));
	return POINTS_OK;
}

static void
reasonf(points_rule_outcome *o, const char *fmt, ...)
#ifdef __GNUC__
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#include <stdarg.h>
static void
reasonf(points_rule_outcome *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(o->reason, sizeof(o->reason), fmt, ap);
	va_end(ap);
}

/* The reasons most outcomes give, kept in the event log as a number:
 * index 0 is "another reason, kept as text". */
static const char *const std_reasons[] = {
	NULL,
	"condition is false",
	"paused",
	"outside its active period",
	"outside its window",
	"an exclusive rule of higher priority awarded",
	"the formula gave 0",
	"rounded down to 0",
	"",
};
enum { R_TEXT, R_CONDITION, R_PAUSED, R_PERIOD, R_WINDOW, R_EXCLUDED,
	R_FORMULA_ZERO, R_ROUNDED_ZERO, R_NONE, NREASONS };

static void
reason(points_rule_outcome *o, int code)
{
	strcpy(o->reason, std_reasons[code]);
}

static int
reason_code(const char *r)
{
	int i;

	for (i = 1; i < NREASONS; i++)
		if (strcmp(r, std_reasons[i]) == 0)
			return i;
	return R_TEXT;
}

/* ---- Evaluation ---- */

static const char *
type_name(points_cel_type t)
{
	static const char *const n[] = {
		"null", "bool", "int", "string", "list", "map", "error",
	};

	return n[t];
}

static void
entry(points_cel_entry *e, const char *k, points_cel_value v)
{
	e->key = points_cel__str(k);
	e->value = v;
}

static int
by_priority(const void *a, const void *b)
{
	const points_rule_ver *x = *(const points_rule_ver *const *)a;
	const points_rule_ver *y = *(const points_rule_ver *const *)b;

	if (x->r.priority != y->r.priority)
		return x->r.priority > y->r.priority ? -1 : 1;
	return strcmp(x->r.name, y->r.name);
}

/* Evaluate expression k of rv; *v is the value, or the outcome says
 * why not (an error): 1 then. */
static int
eval_expr(const points_rule_ver *rv, int k, const points_cel_activation *act,
    points_cel_scratch *s, points_cel_value *v, points_rule_outcome *o)
{
	static const char *const what[POINTS_RULE__NEXPR] = {
		"condition", "points", "beneficiary", "cap_key",
	};

	points_cel__eval(rv->prog[k], act, s, v);
	if (v->type == POINTS_CEL_ERROR) {
		o->status = POINTS_OUTCOME_ERROR;
		reasonf(o, "%s: %s", what[k], v->u.err);
		return 1;
	}
	return 0;
}

/* The beneficiary an expression named: an account id or external id. */
static int
find_beneficiary(points_db *db, const points_cel_value *v, points_account *a,
    points_rule_outcome *o)
{
	char ext[POINTS_EXTID_MAX + 1];
	int rc;

	if (v->type == POINTS_CEL_INT) {
		rc = points_account__load(db, v->u.i, a);
	} else if (v->type == POINTS_CEL_STRING && v->u.s.n > 0 &&
	    v->u.s.n <= POINTS_EXTID_MAX) {
		const void *val;
		size_t vl;

		memcpy(ext, v->u.s.p, v->u.s.n);
		ext[v->u.s.n] = '\0';
		rc = points_db__get(db, &points_account__extid_ks, ext,
		    v->u.s.n, &val, &vl);
		if (rc == POINTS_OK && vl == 8)
			rc = points_account__load(db,
			    (int64_t)points_codec__get_be64(val), a);
		else if (rc == POINTS_OK)
			rc = points_db__err(db, POINTS_ECORRUPT,
			    "account '%s': id unreadable", ext);
	} else {
		o->status = POINTS_OUTCOME_ERROR;
		reasonf(o, "beneficiary: gave a %s, not an account id or "
		    "external id", type_name(v->type));
		return 1;
	}
	if (rc == POINTS_ENOTFOUND) {
		points_db__clear_err(db);
		o->status = POINTS_OUTCOME_ERROR;
		if (v->type == POINTS_CEL_INT)
			reasonf(o, "beneficiary: account %lld not found",
			    (long long)v->u.i);
		else
			reasonf(o, "beneficiary: account '%s' not found", ext);
		return 1;
	}
	if (rc)
		return rc;
	if (a->flags & POINTS_ACCOUNT_SYSTEM ||
	    a->status != POINTS_ACCOUNT_ACTIVE) {
		o->status = POINTS_OUTCOME_ERROR;
		reasonf(o, "beneficiary: account %s is %s", a->external_id,
		    a->flags & POINTS_ACCOUNT_SYSTEM ? "a system account" :
		    points_account__status_name(a->status));
		return 1;
	}
	return 0;
}

/* The period stamps of day z. */
static void
stamps(int64_t z, int64_t st[NPERIODS])
{
	points_civil cv = points_cal__civil(z);

	st[P_DAY] = z;
	st[P_WEEK] = points_cal__week_start(z);
	st[P_MONTH] = cv.year * 12 + (int64_t)cv.month - 1;
	st[P_YEAR] = cv.year;
	st[P_TOTAL] = 0;
}

/* What period p of e counted in the period stamped st: 0 if nothing,
 * -1 when st is older than both periods e keeps (a late event whose
 * figure is no longer known, so it cannot be paid without risking the
 * cap). */
static int64_t
slot_used(const capentry *e, int p, int64_t st)
{
	if (!e->val[p] || st > e->stamp[p])
		return 0;
	if (st == e->stamp[p])
		return e->val[p];
	if (!e->pval[p] || st > e->pstamp[p])
		return 0;
	return st == e->pstamp[p] ? e->pval[p] : -1;
}

/* Count n in the period stamped st (slot_used(e, p, st) >= 0). */
static void
slot_count(capentry *e, int p, int64_t st, int64_t n)
{
	if (!e->val[p] || st == e->stamp[p]) {
		e->stamp[p] = st;
		e->val[p] += n;
	} else if (st > e->stamp[p]) {
		e->pstamp[p] = e->stamp[p];
		e->pval[p] = e->val[p];
		e->stamp[p] = st;
		e->val[p] = n;
	} else if (e->pval[p] && st == e->pstamp[p]) {
		e->pval[p] += n;
	} else {
		/* between the two: the older figure is dropped */
		e->pstamp[p] = st;
		e->pval[p] = n;
	}
}

/* Cut *pts to what the rule's caps and budget leave; the outcome says
 * which cut it.  Returns 1 when nothing is left. */
static int
apply_caps(points_db *db, event_ctx *c, const points_rule_ver *rv,
    int64_t account, const char *key, int64_t day, int64_t *pts,
    points_rule_outcome *o, int *rc)
{
	const points_rule *r = &rv->r;
	const int64_t caps[NPERIODS] = { r->cap_day, r->cap_week, r->cap_month,
		r->cap_year, r->cap_total };
	int awards = r->cap_unit == POINTS_CAP_AWARDS;
	int64_t want = *pts, allowed = *pts, st[NPERIODS];
	const char *by = NULL;
	capbook *cb = NULL;
	capentry *ce = NULL;
	keycount *kc = NULL;
	budget *bu = NULL;
	int p, any = 0, stale = 0;

	*rc = POINTS_OK;
	for (p = 0; p < NPERIODS; p++)
		any |= caps[p] > 0;
	stamps(day, st);
	if (any) {
		points_asset_rec ar;

		if ((*rc = points_asset__find(db, r->asset, &ar)) ||
		    (*rc = book_load(db, c, account, ar.id, &cb)) ||
		    (*rc = book_entry(db, cb, rv->id, &ce)))
			return 1;
		for (p = 0; p < NPERIODS; p++) {
			int64_t used, left;

			if (!caps[p])
				continue;
			if ((used = slot_used(ce, p, st[p])) < 0) {
				allowed = 0;
				by = period_names[p];
				stale = 1;
				break;
			}
			left = caps[p] - used;
			if (awards ? left < 1 : left < allowed) {
				allowed = awards ? 0 : (left > 0 ? left : 0);
				by = period_names[p];
			}
		}
	}
	if (key && !stale) {
		int64_t left;

		if ((*rc = keycount_load(db, c, rv->id, key, &kc)))
			return 1;
		left = r->cap_key_limit - kc->val;
		if (awards ? left < 1 : left < allowed) {
			allowed = awards ? 0 : (left > 0 ? left : 0);
			by = "cap_key";
		}
	}
	if ((r->budget_points || r->budget_awards) && !stale) {
		if ((*rc = budget_load(db, c, rv->id, &bu)))
			return 1;
		if (r->budget_awards && bu->awards >= r->budget_awards) {
			allowed = 0;
			by = "budget (awards)";
		} else if (r->budget_points &&
		    r->budget_points - bu->points < allowed) {
			allowed = r->budget_points - bu->points;
			if (allowed < 0)
				allowed = 0;
			by = "budget (points)";
		}
	}
	if (stale) {
		o->status = POINTS_OUTCOME_CAPPED;
		reasonf(o, "the %s cap's counters keep only the two latest "
		    "periods counted; the event is older", by);
		return 1;
	}
	if (allowed < want && !by)
		by = "cap"; /* not met: only a cap lowers it (pts > 0) */
	if (allowed <= 0) {
		o->status = POINTS_OUTCOME_CAPPED;
		if (key && strcmp(by, "cap_key") == 0)
			reasonf(o, "the cap on '%s' is reached", key);
		else
			reasonf(o, "the %s%s is reached", by,
			    strncmp(by, "budget", 6) == 0 ? "" : " cap");
		return 1;
	}
	if (allowed < want)
		reasonf(o, "cut from %lld to %lld by the %s%s",
		    (long long)want, (long long)allowed, by,
		    strncmp(by, "budget", 6) == 0 ? "" : " cap");
	/* count it */
	if (ce) {
		for (p = 0; p < NPERIODS; p++)
			if (caps[p])
				slot_count(ce, p, st[p], awards ? 1 : allowed);
		cb->dirty = 1;
	}
	if (kc)
		kc->val += awards ? 1 : allowed;
	if (bu) {
		bu->points += allowed;
		bu->awards++;
	}
	*pts = allowed;
	return 0;
}

/* Multiply by percent, rounding down; 1 on overflow. */
static int
percent(int64_t *v, int64_t pct)
{
	int64_t m;

	if (pct == 100)
		return 0;
	if (__builtin_mul_overflow(*v, pct, &m))
		return 1;
	*v = m / 100;
	return 0;
}

/* Evaluate one rule in force: the outcome, and *who the beneficiary
 * when it awards. */
static int
eval_rule(points_db *db, event_ctx *c, const points_rules_set *set,
    const points_rule_ver *rv, int64_t t, const points_account *acct,
    const points_cel_activation *act, points_cel_scratch *s, int excluded,
    points_rule_outcome *o)
{
	const points_rule *r = &rv->r;
	points_cel_value v;
	points_account ben;
	char keybuf[sizeof(((keycount *)0)->key)];
	const char *key = NULL;
	int64_t day = points_db__day(db, t), pts;
	int inwin, rc;

	strcpy(o->rule, r->name);
	o->version = r->version;
	strcpy(o->asset, r->asset);
	o->account = acct->id;
	if (r->state == POINTS_RULE_PAUSED) {
		o->status = POINTS_OUTCOME_INACTIVE;
		reason(o, R_PAUSED);
		return POINTS_OK;
	}
	if ((r->active_from && t < r->active_from) ||
	    (r->active_until && t >= r->active_until)) {
		o->status = POINTS_OUTCOME_INACTIVE;
		reason(o, R_PERIOD);
		return POINTS_OK;
	}
	inwin = r->window_percent > 0 &&
	    (!r->window_weekdays ||
	    (r->window_weekdays >> (points_cal__weekday(day) - 1) & 1)) &&
	    (!r->window_monthdays ||
	    (r->window_monthdays >> (points_cal__civil(day).day - 1) & 1));
	if ((r->flags & POINTS_RULE_WINDOW_ONLY) && !inwin) {
		o->status = POINTS_OUTCOME_INACTIVE;
		reason(o, R_WINDOW);
		return POINTS_OK;
	}
	if (excluded) {
		o->status = POINTS_OUTCOME_EXCLUDED;
		reason(o, R_EXCLUDED);
		return POINTS_OK;
	}
	if (rv->prog[POINTS_RULE_EXPR_CONDITION]) {
		if (eval_expr(rv, POINTS_RULE_EXPR_CONDITION, act, s, &v, o))
			return POINTS_OK;
		if (v.type != POINTS_CEL_BOOL) {
			o->status = POINTS_OUTCOME_ERROR;
			reasonf(o, "condition: gave a %s, not a bool",
			    type_name(v.type));
			return POINTS_OK;
		}
		if (!v.u.b) {
			o->status = POINTS_OUTCOME_CONDITION;
			reason(o, R_CONDITION);
			return POINTS_OK;
		}
	}
	if (eval_expr(rv, POINTS_RULE_EXPR_POINTS, act, s, &v, o))
		return POINTS_OK;
	if (v.type != POINTS_CEL_INT || v.u.i < 0) {
		o->status = POINTS_OUTCOME_ERROR;
		if (v.type != POINTS_CEL_INT)
			reasonf(o, "points: gave a %s, not an int",
			    type_name(v.type));
		else
			reasonf(o, "points: gave %lld, below zero",
			    (long long)v.u.i);
		return POINTS_OK;
	}
	o->formula = pts = v.u.i;
	ben = *acct;
	if (rv->prog[POINTS_RULE_EXPR_BENEFICIARY]) {
		if (eval_expr(rv, POINTS_RULE_EXPR_BENEFICIARY, act, s, &v, o))
			return POINTS_OK;
		if ((rc = find_beneficiary(db, &v, &ben, o)))
			return rc == 1 ? POINTS_OK : rc;
		o->account = ben.id;
	}
	if (rv->prog[POINTS_RULE_EXPR_CAP_KEY]) {
		if (eval_expr(rv, POINTS_RULE_EXPR_CAP_KEY, act, s, &v, o))
			return POINTS_OK;
		if (v.type == POINTS_CEL_INT) {
			snprintf(keybuf, sizeof(keybuf), "%lld",
			    (long long)v.u.i);
		} else if (v.type == POINTS_CEL_STRING && v.u.s.n > 0 &&
		    v.u.s.n < sizeof(keybuf)) {
			memcpy(keybuf, v.u.s.p, v.u.s.n);
			keybuf[v.u.s.n] = '\0';
		} else {
			o->status = POINTS_OUTCOME_ERROR;
			reasonf(o, "cap_key: gave a %s, not an int or a string "
			    "of 1-%zu bytes", type_name(v.type),
			    sizeof(keybuf) - 1);
			return POINTS_OK;
		}
		key = keybuf;
	}
	if ((inwin && percent(&pts, r->window_percent)) ||
	    (!(r->flags & POINTS_RULE_NO_TIER) && ben.tier[0] &&
	    percent(&pts, points_rule__tier_percent(set, ben.tier)))) {
		o->status = POINTS_OUTCOME_ERROR;
		reasonf(o, "points: %lld times the multipliers overflows",
		    (long long)o->formula);
		return POINTS_OK;
	}
	if (pts == 0) {
		o->status = POINTS_OUTCOME_ZERO;
		reason(o, o->formula ? R_ROUNDED_ZERO : R_FORMULA_ZERO);
		return POINTS_OK;
	}
	if (apply_caps(db, c, rv, ben.id, key, day, &pts, o, &rc))
		return rc;
	o->status = POINTS_OUTCOME_AWARDED;
	o->points = pts;
	if (r->flags & POINTS_RULE_APPROVAL) {
		/* nominated: posted when approved (approval.c) */
		char cut[POINTS_OUTCOME_REASON_MAX + 1];

		strcpy(cut, o->reason);
		o->status = POINTS_OUTCOME_APPROVAL;
		reasonf(o, "awaits approval%s%s", cut[0] ? "; " : "", cut);
	}
	return POINTS_OK;
}

/* The rules in force at t for events of type, by priority, into st
 * (unless there already). */
static int
choose(points_db *db, event_state *st, const points_rules_set *set,
    const char *type, int64_t t)
{
	size_t i, next;
	int rc;

	if (st->gen == set->gen && st->lo <= t && t < st->hi &&
	    strcmp(st->type, type) == 0)
		return POINTS_OK;
	st->gen = 0;
	st->ncand = 0;
	st->lo = INT64_MIN;
	st->hi = INT64_MAX;
	for (i = 0; i < set->n; i++) {
		int64_t vt = set->v[i].r.time;

		if (vt <= t && vt > st->lo)
			st->lo = vt;
		if (vt > t && vt < st->hi)
			st->hi = vt;
	}
	for (i = 0; i < set->n; i = next) {
		const points_rule_ver *rv = points_rule__in_force(set, i, t,
		    &next);

		if (!rv || rv->r.state == POINTS_RULE_RETIRED ||
		    strcmp(rv->r.event_type, type) != 0)
			continue;
		if ((rc = grow(db, (void **)&st->cand, &st->candcap, st->ncand,
		    sizeof(*st->cand))))
			return rc;
		st->cand[st->ncand++] = rv;
	}
	if (st->ncand > 1)
		qsort(st->cand, st->ncand, sizeof(*st->cand), by_priority);
	strcpy(st->type, type);
	st->gen = set->gen;
	return POINTS_OK;
}

/* What the expressions see: event and account as maps. */
typedef struct activation {
	points_account acct;
	points_cel_entry ev[6];
	points_cel_value vars[POINTS_RULE__NVARS];
	points_cel_activation act;
} activation;

/* The event e at time t, of an active user account, as the rules see
 * it (c->attrs holds e's attributes, parsed). */
static int
activate(points_db *db, event_ctx *c, const points_event *e, int64_t t,
    int any_status, activation *a)
{
	event_state *st = points_db__state(db, &event_module);
	int rc;

	if ((rc = points_account__load_attrs(db, e->account, &a->acct,
	    &c->abuf)))
		return rc;
	if (any_status)
		;
	else if (a->acct.flags & POINTS_ACCOUNT_SYSTEM)
		return points_db__err(db, POINTS_EINVAL, "event '%s': account "
		    "%s is a system account", e->id, a->acct.external_id);
	else if (a->acct.status == POINTS_ACCOUNT_FROZEN)
		return points_db__err(db, POINTS_EFROZEN, "event '%s': account "
		    "%s is frozen", e->id, a->acct.external_id);
	else if (a->acct.status == POINTS_ACCOUNT_CLOSED)
		return points_db__err(db, POINTS_ECLOSED, "event '%s': account "
		    "%s is closed", e->id, a->acct.external_id);
	if (!st->scratch &&
	    !(st->scratch = points_alloc__malloc(sizeof(*st->scratch))))
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	entry(&a->ev[0], "id", points_cel__str(e->id));
	entry(&a->ev[1], "type", points_cel__str(e->type));
	entry(&a->ev[2], "account", points_cel__int(e->account));
	entry(&a->ev[3], "time", points_cel__int(t));
	entry(&a->ev[4], "amount", points_cel__int(e->amount));
	a->ev[5].key = points_cel__str("attrs");
	if (c->attrs.mem) {
		a->ev[5].value = c->attrs.root;
	} else {
		a->ev[5].value.type = POINTS_CEL_MAP;
		a->ev[5].value.u.map.e = NULL;
		a->ev[5].value.u.map.n = 0;
	}
	if ((rc = points_rule__account_value(db, &a->acct, &c->abuf,
	    points_db__day(db, t), &c->acctv)))
		return rc;
	a->vars[POINTS_RULE__VAR_EVENT].type = POINTS_CEL_MAP;
	a->vars[POINTS_RULE__VAR_EVENT].u.map.e = a->ev;
	a->vars[POINTS_RULE__VAR_EVENT].u.map.n = 6;
	a->vars[POINTS_RULE__VAR_ACCOUNT].type = POINTS_CEL_MAP;
	a->vars[POINTS_RULE__VAR_ACCOUNT].u.map.e = c->acctv.fields;
	a->vars[POINTS_RULE__VAR_ACCOUNT].u.map.n = c->acctv.nfields;
	a->act.vals = a->vars;
	a->act.n = POINTS_RULE__NVARS;
	a->act.utc_offset = db->utc_offset;
	return POINTS_OK;
}

/* The event as the rules see it, and every rule in force evaluated:
 * c->res has the outcomes, c the counters as they would become. */
static int
evaluate(points_db *db, event_ctx *c, const points_event *e, int64_t t,
    const points_rules_set **setp)
{
	event_state *st = points_db__state(db, &event_module);
	const points_rules_set *set;
	activation a;
	size_t i;
	int excluded = 0, rc;

	ctx_reset(c);
	if ((rc = points_rule__load(db, &set)))
		return rc;
	*setp = set;
	if ((rc = activate(db, c, e, t, 0, &a)) ||
	    (rc = choose(db, st, set, e->type, t)))
		return rc;
	c->cand = st->cand;
	c->ncand = st->ncand;
	/* room for every outcome at once, not by doubling */
	if (c->ncand && (rc = grow(db, (void **)&c->res->o, &c->res->cap,
	    c->res->n + c->ncand - 1, sizeof(*c->res->o))))
		return rc;
	for (i = 0; i < c->ncand; i++) {
		points_rule_outcome *o;

		if ((rc = result_push(db, c->res, &o)) ||
		    (rc = eval_rule(db, c, set, c->cand[i], t, &a.acct, &a.act,
		    st->scratch, excluded, o)))
			return rc;
		if (o->status == POINTS_OUTCOME_AWARDED) {
			if ((rc = points_codec__add(&c->res->s.points,
			    o->points)))
				return points_db__err(db, rc, "event '%s': "
				    "points in all overflow", e->id);
			if (c->cand[i]->r.flags & POINTS_RULE_EXCLUSIVE)
				excluded = 1;
		} else if (o->status == POINTS_OUTCOME_APPROVAL) {
			/* four eyes: the event's actor nominates */
			if (!e->actor)
				return points_db__err(db, POINTS_EINVAL,
				    "event '%s': rule '%s' needs approval: the "
				    "event must name its actor (the nominator)",
				    e->id, o->rule);
			if (c->cand[i]->r.flags & POINTS_RULE_EXCLUSIVE)
				excluded = 1;
		}
	}
	return POINTS_OK;
}

/* Nominate the awards that wait for approval (approval.c), of the event
 * at time t. */
static int
nominate_awards(points_db *db, event_ctx *c, const points_event *e,
    int64_t t)
{
	size_t i;
	int rc;

	for (i = 0; i < c->res->n; i++) {
		const points_rule *r = &c->cand[i]->r;
		const points_rule_outcome *o = &c->res->o[i];
		points_approval a;

		if (o->status != POINTS_OUTCOME_APPROVAL)
			continue;
		memset(&a, 0, sizeof(a));
		a.account = o->account;
		strcpy(a.asset, r->asset);
		a.points = o->points;
		strcpy(a.category, r->category);
		a.expires_days = r->expires_days;
		a.pending_days = r->pending_days;
		strcpy(a.rule, r->name);
		a.rule_version = r->version;
		strcpy(a.event_id, e->id);
		a.event_time = t;
		strcpy(a.nominator, e->actor);
		if ((rc = points_approval__add(db, &a)))
			return rc;
	}
	return POINTS_OK;
}

/* " NAME vVERSION": an event builds its memo with points_codec__cat
 * because snprintf cost it 4% of its instructions. */
static size_t
memo_add_rule(char *m, size_t cap, size_t at, const char *name,
    int64_t version)
{
	at = points_codec__cat(m, cap, at, " ");
	at = points_codec__cat(m, cap, at, name);
	at = points_codec__cat(m, cap, at, " v");
	return points_codec__cat_int(m, cap, at, version < 0 ? 0 : version);
}

/* Whether outcome j is awarded in the earn of outcome i: awarded, to
 * the same account, asset, category, expiry and pending days. */
static int
one_earn(const points_event_result *res, const event_ctx *c, size_t i,
    size_t j)
{
	const points_rule *ri = &c->cand[i]->r, *rj = &c->cand[j]->r;

	return res->o[j].status == POINTS_OUTCOME_AWARDED &&
	    res->o[j].account == res->o[i].account &&
	    strcmp(rj->asset, ri->asset) == 0 &&
	    strcmp(rj->category, ri->category) == 0 &&
	    rj->expires_days == ri->expires_days &&
	    rj->pending_days == ri->pending_days;
}

/* Post the awards: one earn per account, asset, category, expiry and
 * pending days (counted from the event's time t; pending.h). */
static int
post_awards(points_db *db, event_ctx *c, const points_event *e, int64_t t,
    int64_t now)
{
	points_event_result *res = c->res;
	size_t i, j;
	int rc;

	for (i = 0; i < res->n; i++) {
		const points_rule *ri = &c->cand[i]->r;
		points_posting p = POINTS_POSTING_INIT;
		char memo[POINTS_MEMO_MAX + 1];
		points_txn txn;
		int64_t seq, amount = 0;
		size_t m;

		if (res->o[i].status != POINTS_OUTCOME_AWARDED ||
		    res->o[i].txn_id[0])
			continue;
		m = points_codec__cat(memo, sizeof(memo), 0, "event ");
		m = points_codec__cat(memo, sizeof(memo), m, e->id);
		m = points_codec__cat(memo, sizeof(memo), m, ":");
		for (j = i; j < res->n; j++) {
			const points_rule *rj = &c->cand[j]->r;

			if (!one_earn(res, c, i, j))
				continue;
			if ((rc = points_codec__add(&amount, res->o[j].points)))
				return points_db__err(db, rc, "event '%s': "
				    "points overflow", e->id);
			m = memo_add_rule(memo, sizeof(memo), m, rj->name,
			    rj->version);
		}
		if (m >= sizeof(memo))
			memcpy(memo + sizeof(memo) - 4, "...", 4);
		p.asset = ri->asset;
		p.account = res->o[i].account;
		p.amount = amount;
		p.memo = memo;
		p.category = ri->category;
		p.actor = e->actor;
		if (ri->expires_days)
			p.expires_at = now + ri->expires_days * 86400;
		if ((rc = post_award(db, c, &p, &txn, &seq)) ||
		    (rc = points_pending__mark(db, p.account, p.asset, t,
		    ri->pending_days, amount)))
			return rc;
		for (j = i; j < res->n; j++)
			if (one_earn(res, c, i, j))
				strcpy(res->o[j].txn_id, txn.id);
	}
	return POINTS_OK;
}

static int
store_counters(points_db *db, event_ctx *c)
{
	unsigned char k[4], v[1 + 20];
	size_t i;
	int rc;

	for (i = 0; i < c->nbooks; i++)
		if (c->books[i].dirty && (rc = book_store(db, &c->books[i])))
			return rc;
	for (i = 0; i < c->nkeys; i++) {
		points_buf b;
		size_t n;

		points_buf__init(&b);
		points_buf__svar(&b, c->keys[i].val);
		n = b.len;
		memcpy(v, b.data, n);
		points_buf__free(&b);
		keycap_key(&db->kbuf, c->keys[i].rule, c->keys[i].key);
		if (db->kbuf.err)
			return points_db__err(db, POINTS_ENOMEM,
			    "out of memory");
		if ((rc = points_db__put(db, &keycap_ks, db->kbuf.data,
		    db->kbuf.len, v, n)))
			return rc;
	}
	for (i = 0; i < c->nbudgets; i++) {
		points_buf b;
		size_t n;

		points_buf__init(&b);
		points_buf__svar(&b, c->budgets[i].points);
		points_buf__svar(&b, c->budgets[i].awards);
		n = b.len;
		memcpy(v, b.data, n);
		points_buf__free(&b);
		points_codec__put_be32(k, c->budgets[i].rule);
		if ((rc = points_db__put(db, &budget_ks, k, 4, v, n)))
			return rc;
	}
	return POINTS_OK;
}

/* ---- The event log ----
 *
 * An event's record: its fields, then each outcome as the rule's number
 * and version (the name and asset come from the rule), the status, the
 * points, the formula's value, the account when another than the
 * event's (else 0), the posting (an index into the event's postings, 0:
 * none) and the reason (a number for the usual ones, else its text);
 * then the postings' ids, 16 bytes each. */

static int
store_event(points_db *db, const event_ctx *c, const points_event *e,
    int64_t t, int64_t seq)
{
	const points_event_result *res = c->res;
	unsigned char k[8], ids[8][POINTS_UUID_LEN];
	points_buf *b = &db->vbuf;
	size_t i, j, nids = 0, last_tx = 0, last_txi = 0;

	points_buf__reset(b);
	points_buf__u8(b, EVENT_V1);
	points_buf__str(b, e->id);
	points_buf__str(b, e->type);
	points_buf__svar(b, e->account);
	points_buf__svar(b, t);
	points_buf__svar(b, e->amount);
	points_buf__str(b, e->attrs);
	points_buf__str(b, e->actor);
	points_buf__svar(b, res->s.points);
	points_buf__uvar(b, res->n);
	for (i = 0; i < res->n; i++) {
		const points_rule_outcome *o = &res->o[i];
		unsigned char u[POINTS_UUID_LEN];
		size_t tx = 0;
		int code = reason_code(o->reason);

		if (o->txn_id[0] && i > 0 &&
		    strcmp(o->txn_id, res->o[last_tx].txn_id) == 0) {
			tx = last_txi;
		} else if (o->txn_id[0]) {
			if (points_ids__parse(o->txn_id, u))
				return points_db__err(db, POINTS_ECORRUPT,
				    "event '%s': posting id", e->id);
			for (j = 0; j < nids && memcmp(ids[j], u, sizeof(u));
			    j++)
				;
			if (j == nids) {
				if (nids == sizeof(ids) / sizeof(ids[0]))
					return points_db__err(db, POINTS_ELIMIT,
					    "event '%s': more than %zu "
					    "postings", e->id, nids);
				memcpy(ids[nids++], u, sizeof(u));
			}
			tx = j + 1;
			last_tx = i;
			last_txi = tx;
		}
		points_buf__uvar(b, c->cand[i]->id);
		points_buf__uvar(b, (uint64_t)o->version);
		points_buf__u8(b, (unsigned)o->status);
		/* most rules of an event: the condition was false, and that
		 * is all there is to say */
		if (o->status == POINTS_OUTCOME_CONDITION && code == R_CONDITION &&
		    o->account == e->account && !tx && !o->formula)
			continue;
		points_buf__svar(b, o->points);
		points_buf__svar(b, o->formula);
		points_buf__svar(b, o->account == e->account ? 0 : o->account);
		points_buf__uvar(b, tx);
		points_buf__u8(b, (unsigned)code);
		if (code == R_TEXT)
			points_buf__str(b, o->reason);
	}
	points_buf__uvar(b, nids);
	for (j = 0; j < nids; j++)
		points_buf__bytes(b, ids[j], POINTS_UUID_LEN);
	if (b->err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	points_codec__put_be64(k, (uint64_t)seq);
	return points_db__put(db, &event_ks, k, 8, b->data, b->len);
}

/* The version of rule number id, from the handle's copy. */
static const points_rule_ver *
find_version(const points_rules_set *set, uint32_t id, int64_t version)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (set->v[i].id == id && set->v[i].r.version == version)
			return &set->v[i];
	return NULL;
}

/* Event seq as the log holds it, into r (its outcomes appended). */
static int
load_event(points_db *db, int64_t seq, points_event_result *r)
{
	const points_rules_set *set;
	unsigned char k[8];
	const unsigned char *txs = NULL;
	const void *v;
	size_t vl, i, n, ntx;
	size_t *txi = NULL;
	points_rd rd;
	int rc;

	if ((rc = points_rule__load(db, &set)))
		return rc;
	points_codec__put_be64(k, (uint64_t)seq);
	rc = points_db__get(db, &event_ks, k, 8, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, POINTS_ECORRUPT, "event %lld missing "
		    "from the event log", (long long)seq);
	if (rc)
		return rc;
	points_rd__init(&rd, v, vl);
	memset(&r->s, 0, sizeof(r->s));
	r->n = 0;
	if (points_rd__u8(&rd) != EVENT_V1)
		rd.err = POINTS_ECORRUPT;
	points_rd__str(&rd, r->s.id, sizeof(r->s.id));
	points_rd__str(&rd, r->s.type, sizeof(r->s.type));
	r->s.account = points_rd__svar(&rd);
	r->s.time = points_rd__svar(&rd);
	r->s.amount = points_rd__svar(&rd);
	{
		const char *p;
		size_t pn;

		points_rd__strref(&rd, &p, &pn); /* attrs */
		points_alloc__free(r->attrs);
		r->attrs = NULL;
		if (!rd.err && pn) {
			if (!(r->attrs = points_alloc__malloc(pn + 1)))
				return points_db__err(db, POINTS_ENOMEM,
				    "out of memory");
			memcpy(r->attrs, p, pn);
			r->attrs[pn] = '\0';
		}
		points_rd__strref(&rd, &p, &pn); /* actor */
	}
	r->s.points = points_rd__svar(&rd);
	n = (size_t)points_rd__uvar(&rd);
	if (n > vl)
		rd.err = POINTS_ECORRUPT;
	if (!rd.err && (rc = grow(db, (void **)&r->rid, &r->ridcap,
	    n ? n - 1 : 0, sizeof(*r->rid))))
		return rc;
	if (!rd.err && n && !(txi = points_alloc__calloc(n, sizeof(*txi))))
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	for (i = 0; i < n && !rd.err; i++) {
		const points_rule_ver *rv;
		points_rule_outcome *o;
		uint32_t id;
		int code;

		if ((rc = result_push(db, r, &o)))
			break;
		id = (uint32_t)points_rd__uvar(&rd);
		r->rid[i] = id;
		o->version = (int64_t)points_rd__uvar(&rd);
		o->status = (int)points_rd__u8(&rd);
		if (o->status == POINTS_OUTCOME_CONDITION) {
			o->account = r->s.account;
			reason(o, R_CONDITION);
			goto named;
		}
		o->points = points_rd__svar(&rd);
		o->formula = points_rd__svar(&rd);
		o->account = points_rd__svar(&rd);
		if (o->account == 0)
			o->account = r->s.account;
		txi[i] = (size_t)points_rd__uvar(&rd);
		code = (int)points_rd__u8(&rd);
		if (code == R_TEXT)
			points_rd__str(&rd, o->reason, sizeof(o->reason));
		else if (code < NREASONS)
			reason(o, code);
		else
			rd.err = POINTS_ECORRUPT;
named:
		if (rd.err)
			break;
		if (!(rv = find_version(set, id, o->version))) {
			rc = points_db__err(db, POINTS_ECORRUPT, "event %lld: "
			    "rule #%u version %lld not found", (long long)seq,
			    (unsigned)id, (long long)o->version);
			break;
		}
		strcpy(o->rule, rv->r.name);
		strcpy(o->asset, rv->r.asset);
	}
	if (rc == POINTS_OK && !rd.err) {
		ntx = (size_t)points_rd__uvar(&rd);
		if (ntx > vl / POINTS_UUID_LEN ||
		    (size_t)(rd.end - rd.p) != ntx * POINTS_UUID_LEN)
			rd.err = POINTS_ECORRUPT;
		else
			txs = rd.p;
		for (i = 0; i < n && !rd.err; i++) {
			if (txi[i] > ntx)
				rd.err = POINTS_ECORRUPT;
			else if (txi[i])
				points_ids__format(txs + (txi[i] - 1) *
				    POINTS_UUID_LEN, r->o[i].txn_id);
		}
	}
	points_alloc__free(txi);
	if (rc)
		return rc;
	if (rd.err)
		return points_db__err(db, POINTS_ECORRUPT, "event %lld: record "
		    "unreadable", (long long)seq);
	r->s.seq = seq;
	r->s.outcomes = (int64_t)r->n;
	return POINTS_OK;
}

/* ---- The write ---- */

static const points_field event_fields[] = {
	POINTS_FIELD(points_event, version, POINTS_FIELD_UINT,
	    POINTS_FIELD_VERSION, 1),
	POINTS_FIELD(points_event, id, POINTS_FIELD_STR, POINTS_FIELD_KEY, 1),
	POINTS_FIELD(points_event, type, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_event, account, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_event, time, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_event, amount, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_event, attrs, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_event, actor, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
};
static const size_t event_sizes[] = {
	0, POINTS_END_OF(points_event, actor), /* 1 */
};
static const points_event event_defaults = POINTS_EVENT_INIT;
const points_reqtype points_event__req = {
	"event", sizeof(points_event), POINTS_EVENT_VERSION, event_sizes,
	&event_defaults, event_fields,
	sizeof(event_fields) / sizeof(event_fields[0]),
	offsetof(points_event, id),
};
POINTS_WRITE_REQUEST_FITS(points_event);

static int
validate_event(points_db *db, const points_write_op *op, const void *req,
    void *ctx)
{
	const points_event *e = req;
	event_ctx *c = ctx;
	char err[128];
	int rc;

	(void)op;
	if (!e->id)
		return points_db__err(db, POINTS_EINVAL, "event id is required");
	if ((rc = points_db__check_str(db, "event id", e->id,
	    POINTS_EVENT_ID_MAX, 1)) ||
	    (rc = points_rule__check_name(db, "event type", e->type,
	    POINTS_EVENT_TYPE_MAX)))
		return rc;
	if (!c->internal && strcmp(e->type, POINTS_EVENT__REDEMPTION) == 0)
		return points_db__err(db, POINTS_EINVAL, "event '%s': type "
		    "'%s' is reserved: the mall applies it when an order is "
		    "approved", e->id, e->type);
	if (!c->internal && strncmp(e->id, POINTS_EVENT__REDEMPTION_PREFIX,
	    strlen(POINTS_EVENT__REDEMPTION_PREFIX)) == 0)
		return points_db__err(db, POINTS_EINVAL, "event '%s': ids "
		    "starting '%s' are reserved for the mall's redemptions",
		    e->id, POINTS_EVENT__REDEMPTION_PREFIX);
	if (e->account <= 0)
		return points_db__err(db, POINTS_ENOTFOUND, "event '%s': "
		    "account %lld not found", e->id, (long long)e->account);
	if (e->time < 0)
		return points_db__err(db, POINTS_EINVAL, "event '%s': time "
		    "must not be negative", e->id);
	if (e->actor && (rc = points_meta__check(db, "event", NULL, e->actor)))
		return rc;
	if (e->attrs) {
		size_t n = strnlen(e->attrs, POINTS_EVENT_ATTRS_MAX + 1);

		if (n > POINTS_EVENT_ATTRS_MAX)
			return points_db__err(db, POINTS_EINVAL, "event '%s': "
			    "attrs are longer than %d bytes", e->id,
			    POINTS_EVENT_ATTRS_MAX);
		points_json__free(&c->attrs);
		rc = points_json__parse(e->attrs, n, &c->attrs, err,
		    sizeof(err));
		if (rc == POINTS_ENOMEM)
			return points_db__err(db, rc, "out of memory");
		if (rc)
			return points_db__err(db, rc, "event '%s': attrs: %s",
			    e->id, err);
		if (c->attrs.root.type != POINTS_CEL_MAP)
			return points_db__err(db, POINTS_EINVAL, "event '%s': "
			    "attrs must be a JSON object", e->id);
	}
	return POINTS_OK;
}

/* The event's time: its own, not after the clock, or the clock. */
static int
event_time(points_db *db, const points_event *e, int64_t now, int64_t *t)
{
	if (e->time > now)
		return points_db__err(db, POINTS_EINVAL, "event '%s': time %lld "
		    "is after the ledger's clock (%lld)", e->id,
		    (long long)e->time, (long long)now);
	*t = e->time ? e->time : now;
	return POINTS_OK;
}

static void
summarize(points_event_result *r, const points_event *e, int64_t t,
    int64_t seq)
{
	points_event_summary *s = &r->s;

	strcpy(s->id, e->id);
	strcpy(s->type, e->type);
	s->account = e->account;
	s->time = t;
	s->amount = e->amount;
	s->seq = seq;
	s->outcomes = (int64_t)r->n;
}

static int
apply_body(points_db *db, const points_write_op *op, const void *req,
    void *ctx, void *result, int64_t *seq)
{
	const points_event *e = req;
	event_ctx *c = ctx;
	const points_rules_set *set;
	int64_t now = points_db__time(db, 0), t = 0, last;
	int rc;

	(void)op;
	(void)result;
	memset(&c->res->s, 0, sizeof(c->res->s));
	if ((rc = event_time(db, e, now, &t)) ||
	    (rc = evaluate(db, c, e, t, &set)) ||
	    (rc = post_awards(db, c, e, t, now)) ||
	    (rc = nominate_awards(db, c, e, t)) ||
	    (rc = store_counters(db, c)) ||
	    (rc = points_db__last_key64(db, &event_ks, &last)))
		return rc;
	if (last == INT64_MAX)
		return points_db__err(db, POINTS_ELIMIT, "the event log is full");
	if ((rc = store_event(db, c, e, t, last + 1)))
		return rc;
	*seq = last + 1;
	summarize(c->res, e, t, *seq);
	return POINTS_OK;
}

static int
apply_replay(points_db *db, const points_write_op *op, int64_t seq,
    void *result)
{
	(void)op;
	(void)result;
	(void)db;
	(void)seq;
	return POINTS_OK; /* apply_run reads the log (it has the ctx) */
}

static const points_write_op apply_op = {
	"event", EVENT_APPLY_TYPE, &points_event__req, 0, validate_event,
	apply_body, apply_replay, NULL, NULL,
};

static int
new_result(points_db *db, event_ctx *c)
{
	memset(c, 0, sizeof(*c));
	points_buf__init(&c->abuf);
	if (!(c->res = points_alloc__calloc(1, sizeof(*c->res))))
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	return POINTS_OK;
}

static void
hand_over(event_ctx *c, int rc, points_event_result **out)
{
	/* on failure NULL, so that a variable reused is not freed twice */
	if (out) {
		*out = rc == POINTS_OK ? c->res : NULL;
		if (rc == POINTS_OK)
			c->res = NULL;
	}
	points_event_result_free(c->res);
	c->res = NULL;
	ctx_free(c);
}

POINTS_EXTERN int
points_event_apply(points_db *db, const points_event *e,
    points_event_result **out)
{
	event_ctx c;
	char dummy;
	int rc;

	if (out)
		*out = NULL; /* on every failure (hand_over) */
	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = new_result(db, &c)))
		return rc;
	c.res->s.seq = 0;
	rc = points_write__run_ks(db, &apply_op, &eid_ks, e, &c, &dummy);
	if (rc == POINTS_OK && c.res->s.seq == 0) {
		/* a replay: the first result, from the log */
		int64_t seq;

		if ((rc = points_db__read_begin(db)) == POINTS_OK) {
			rc = points_idem__lookup(db, &eid_ks, e->id, &seq);
			if (rc == POINTS_OK)
				rc = load_event(db, seq, c.res);
			points_db__read_end(db);
		}
		c.res->s.replayed = 1;
	}
	hand_over(&c, rc, out);
	return rc;
}

POINTS_EXTERN int
points_event_preview(points_db *db, const points_event *e,
    points_event_result **out)
{
	points_write_req copy;
	const points_rules_set *set;
	event_ctx c;
	int64_t t = 0;
	unsigned int v;
	int rc;

	if (out)
		*out = NULL; /* on every failure (hand_over) */
	if ((rc = points_db__check_db(db)))
		return rc;
	if (!e)
		return points_db__err(db, POINTS_EINVAL, "event is required");
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	memcpy(&v, e, sizeof(v));
	if (v == 0 || v > POINTS_EVENT_VERSION)
		return points_write__bad_version(db, &apply_op, v);
	if (v < POINTS_EVENT_VERSION)
		e = points_write__older(&points_event__req, e, event_sizes[v],
		    copy.b);
	if ((rc = new_result(db, &c)))
		return rc;
	if ((rc = validate_event(db, &apply_op, e, &c)) == POINTS_OK &&
	    (rc = points_db__read_begin(db)) == POINTS_OK) {
		rc = event_time(db, e, points_db__time(db, 0), &t);
		if (rc == POINTS_OK)
			rc = evaluate(db, &c, e, t, &set);
		points_db__read_end(db);
		if (rc == POINTS_OK)
			summarize(c.res, e, t, 0);
	}
	hand_over(&c, rc, out);
	return rc;
}

POINTS_EXTERN int
points_event_get(points_db *db, const char *id, points_event_result **out)
{
	event_ctx c;
	int64_t seq;
	int rc;

	if (out)
		*out = NULL; /* on every failure (hand_over) */
	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_db__check_str(db, "event id", id, POINTS_EVENT_ID_MAX,
	    1)))
		return rc;
	if ((rc = new_result(db, &c)))
		return rc;
	if ((rc = points_db__read_begin(db)) == POINTS_OK) {
		rc = points_idem__lookup(db, &eid_ks, id, &seq);
		if (rc == POINTS_ENOTFOUND)
			rc = points_db__err(db, rc, "event '%s' not found", id);
		if (rc == POINTS_OK)
			rc = load_event(db, seq, c.res);
		points_db__read_end(db);
	}
	hand_over(&c, rc, out);
	return rc;
}

int
points_event__awards_of(points_db *db, const char *memo, const char *txn_id,
    points_event__award_fn fn, void *arg)
{
	char id[POINTS_EVENT_ID_MAX + 1];
	const char *colon = strrchr(memo, ':');
	event_ctx c;
	int64_t seq;
	size_t n, i;
	int rc;

	/* "event ID: NAME vN ...": rule names hold no ':', an id may */
	if (strncmp(memo, "event ", 6) != 0 || !colon ||
	    (n = (size_t)(colon - memo - 6)) == 0 || n > POINTS_EVENT_ID_MAX)
		return POINTS_ENOTFOUND;
	memcpy(id, memo + 6, n);
	id[n] = 0;
	rc = points_idem__lookup(db, &eid_ks, id, &seq);
	if (rc)
		return rc;
	if ((rc = new_result(db, &c)))
		return rc;
	rc = load_event(db, seq, c.res);
	for (i = 0; rc == POINTS_OK && i < c.res->n; i++) {
		const points_rule_outcome *o = &c.res->o[i];

		if (o->status == POINTS_OUTCOME_AWARDED &&
		    strcmp(o->txn_id, txn_id) == 0)
			rc = fn(o->rule, o->points, arg);
	}
	hand_over(&c, rc, NULL);
	return rc;
}


/* ---- Refunds ---- */

#define REFUND_V1 1
#define REFUND_V2 2 /* and the lines refunded */
#define REFSUM_V1 1
#define REFSUM_V2 2 /* and the lines refunded */
#define EVENT_REFUND_TYPE 66

/* What an event's refunds came to (rulerefsum). */
typedef struct refsum {
	int64_t amount; /* refunded */
	int whole;
	size_t n;
	int64_t *taken; /* per outcome, >= 0 */
	size_t nl;
	int64_t *lines; /* the lines refunded (indexes), ascending */
} refsum;

static int
refsum_load(points_db *db, int64_t eseq, size_t n, refsum *rs)
{
	unsigned char k[8];
	const void *v;
	size_t vl, i;
	points_rd r;
	int rc;

	memset(rs, 0, sizeof(*rs));
	rs->n = n;
	if (n && !(rs->taken = points_alloc__calloc(n, sizeof(*rs->taken))))
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	points_codec__put_be64(k, (uint64_t)eseq);
	rc = points_db__get(db, &refsum_ks, k, 8, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK;
	if (rc)
		return rc;
	points_rd__init(&r, v, vl);
	i = points_rd__u8(&r);
	if (i != REFSUM_V1 && i != REFSUM_V2)
		r.err = POINTS_ECORRUPT;
	rs->amount = points_rd__svar(&r);
	rs->whole = (int)points_rd__u8(&r);
	if ((size_t)points_rd__uvar(&r) != n)
		r.err = POINTS_ECORRUPT;
	for (i = 0; i < n && !r.err; i++)
		rs->taken[i] = points_rd__svar(&r);
	if (!r.err && *(const unsigned char *)v == REFSUM_V2) {
		size_t nl = (size_t)points_rd__uvar(&r);

		if (nl > vl)
			r.err = POINTS_ECORRUPT;
		else if (nl && !(rs->lines = points_alloc__calloc(nl,
		    sizeof(*rs->lines))))
			return points_db__err(db, POINTS_ENOMEM,
			    "out of memory");
		for (i = 0; i < nl && !r.err; i++)
			rs->lines[i] = (int64_t)points_rd__uvar(&r);
		rs->nl = nl;
	}
	if (r.err)
		return points_db__err(db, POINTS_ECORRUPT, "event %lld: refunds "
		    "record unreadable", (long long)eseq);
	return POINTS_OK;
}

static int
refsum_store(points_db *db, int64_t eseq, const refsum *rs)
{
	unsigned char k[8];
	size_t i;

	points_buf__reset(&db->vbuf);
	points_buf__u8(&db->vbuf, REFSUM_V2);
	points_buf__svar(&db->vbuf, rs->amount);
	points_buf__u8(&db->vbuf, (unsigned)rs->whole);
	points_buf__uvar(&db->vbuf, rs->n);
	for (i = 0; i < rs->n; i++)
		points_buf__svar(&db->vbuf, rs->taken[i]);
	points_buf__uvar(&db->vbuf, rs->nl);
	for (i = 0; i < rs->nl; i++)
		points_buf__uvar(&db->vbuf, (uint64_t)rs->lines[i]);
	if (db->vbuf.err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	points_codec__put_be64(k, (uint64_t)eseq);
	return points_db__put(db, &refsum_ks, k, 8, db->vbuf.data,
	    db->vbuf.len);
}

/* floor(p * num / den) for 0 <= num <= den, 0 < den, p >= 0, without
 * overflowing: (p / den) * num + (p % den) * num / den. */
static int
scale(int64_t p, int64_t num, int64_t den, int64_t *out)
{
	int64_t a, b;

	if (__builtin_mul_overflow(p / den, num, &a) ||
	    __builtin_mul_overflow(p % den, num, &b))
		return 1;
	*out = a + b / den;
	return 0;
}

/* The points outcome o of the event would keep on the event as a
 * (its amount reduced): 0 when the condition no longer holds. */
static int
kept_points(points_db *db, const points_rule_ver *rv,
    const points_rule_outcome *o, const activation *a, points_cel_scratch *s,
    int64_t *kept, int64_t *fnew)
{
	points_cel_value v;

	*kept = *fnew = 0;
	if (rv->prog[POINTS_RULE_EXPR_CONDITION]) {
		points_cel__eval(rv->prog[POINTS_RULE_EXPR_CONDITION], &a->act,
		    s, &v);
		if (v.type != POINTS_CEL_BOOL || !v.u.b)
			return POINTS_OK;
	}
	points_cel__eval(rv->prog[POINTS_RULE_EXPR_POINTS], &a->act, s, &v);
	if (v.type != POINTS_CEL_INT || v.u.i <= 0 || o->formula <= 0)
		return POINTS_OK;
	*fnew = v.u.i < o->formula ? v.u.i : o->formula;
	if (scale(o->points, *fnew, o->formula, kept))
		return points_db__err(db, POINTS_EOVERFLOW, "rule '%s': %lld "
		    "points scaled by %lld/%lld overflow", rv->r.name,
		    (long long)o->points, (long long)*fnew,
		    (long long)o->formula);
	return POINTS_OK;
}

static const points_field refund_fields[] = {
	POINTS_FIELD(points_event_reversal, version, POINTS_FIELD_UINT,
	    POINTS_FIELD_VERSION, 1),
	POINTS_FIELD(points_event_reversal, event_id, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_event_reversal, amount, POINTS_FIELD_I64,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_event_reversal, memo, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_event_reversal, idempotency_key, POINTS_FIELD_STR,
	    POINTS_FIELD_KEY, 1),
	POINTS_FIELD(points_event_reversal, actor, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_event_reversal, flags, POINTS_FIELD_UINT,
	    POINTS_FIELD_HASHED, 1),
	POINTS_FIELD(points_event_reversal, lines, POINTS_FIELD_STR,
	    POINTS_FIELD_HASHED, 2),
};
static const size_t refund_sizes[] = {
	0, POINTS_END_OF(points_event_reversal, flags), /* 1 */
	POINTS_END_OF(points_event_reversal, lines),    /* 2 */
};
static const points_event_reversal refund_defaults = POINTS_EVENT_REVERSAL_INIT;
const points_reqtype points_event_reversal__req = {
	"event refund", sizeof(points_event_reversal), POINTS_EVENT_REVERSAL_VERSION,
	refund_sizes, &refund_defaults, refund_fields,
	sizeof(refund_fields) / sizeof(refund_fields[0]),
	offsetof(points_event_reversal, idempotency_key),
};
POINTS_WRITE_REQUEST_FITS(points_event_reversal);

/* The request's lines: a JSON list, not empty, of line indexes (ints
 * >= 0) or of line ids (strings), not both; parsed into *out. */
static int
validate_lines(points_db *db, const points_event_reversal *r,
    points_json *out)
{
	const points_cel_value *v;
	size_t n = strnlen(r->lines, POINTS_EVENT_ATTRS_MAX + 1), i;
	char err[128];
	int rc;

	if (r->amount)
		return points_db__err(db, POINTS_EINVAL, "event '%s': a refund "
		    "names an amount or lines, not both", r->event_id);
	if (n > POINTS_EVENT_ATTRS_MAX)
		return points_db__err(db, POINTS_EINVAL, "event '%s': the "
		    "refund's lines are longer than %d bytes", r->event_id,
		    POINTS_EVENT_ATTRS_MAX);
	points_json__free(out);
	rc = points_json__parse(r->lines, n, out, err, sizeof(err));
	if (rc == POINTS_ENOMEM)
		return points_db__err(db, rc, "out of memory");
	if (rc)
		return points_db__err(db, rc, "event '%s': the refund's lines: "
		    "%s", r->event_id, err);
	if (out->root.type != POINTS_CEL_LIST || out->root.u.list.n == 0)
		return points_db__err(db, POINTS_EINVAL, "event '%s': the "
		    "refund's lines must be a JSON list of line indexes or "
		    "line ids, not empty", r->event_id);
	v = out->root.u.list.v;
	for (i = 0; i < out->root.u.list.n; i++) {
		if (v[i].type != v[0].type ||
		    (v[i].type != POINTS_CEL_INT &&
		    v[i].type != POINTS_CEL_STRING))
			return points_db__err(db, POINTS_EINVAL, "event '%s': "
			    "the refund's lines: item %zu: lines are named all "
			    "by index (ints) or all by id (strings)",
			    r->event_id, i);
		if (v[i].type == POINTS_CEL_INT && v[i].u.i < 0)
			return points_db__err(db, POINTS_EINVAL, "event '%s': "
			    "the refund's lines: item %zu: an index must not "
			    "be negative", r->event_id, i);
		if (v[i].type == POINTS_CEL_STRING && (v[i].u.s.n == 0 ||
		    v[i].u.s.n > POINTS_EVENT_ID_MAX))
			return points_db__err(db, POINTS_EINVAL, "event '%s': "
			    "the refund's lines: item %zu: a line id has 1-%d "
			    "bytes", r->event_id, i, POINTS_EVENT_ID_MAX);
	}
	return POINTS_OK;
}

static int
validate_refund(points_db *db, const points_write_op *op, const void *req,
    void *ctx)
{
	const points_event_reversal *r = req;
	event_ctx *c = ctx;
	int rc;

	(void)op;
	if ((rc = points_db__check_str(db, "event id", r->event_id,
	    POINTS_EVENT_ID_MAX, 1)) ||
	    (rc = points_db__check_str(db, "memo", r->memo, POINTS_MEMO_MAX,
	    0)))
		return rc;
	if (r->amount < 0)
		return points_db__err(db, POINTS_EINVAL, "event '%s': a refund "
		    "amount must not be negative (0: all)", r->event_id);
	if (r->flags & ~POINTS_REVERSE_NO_DEBT)
		return points_db__err(db, POINTS_EINVAL, "event refund: "
		    "unknown flags 0x%x", r->flags);
	if (r->actor && (rc = points_meta__check(db, "event refund", NULL,
	    r->actor)))
		return rc;
	if (r->lines)
		return validate_lines(db, r, &c->rlines);
	return POINTS_OK;
}

/* The refund's record: the event, the amount, per outcome of the event
 * that awarded: the points given back, the new formula value and the
 * reversal; then (V2) the lines it covered. */
static int
store_refund(points_db *db, int64_t rseq, int64_t eseq,
    const points_event_result *res, const int64_t *lines, size_t nl)
{
	unsigned char k[8];
	size_t i;

	points_buf__reset(&db->vbuf);
	points_buf__u8(&db->vbuf, REFUND_V2);
	points_buf__uvar(&db->vbuf, (uint64_t)eseq);
	points_buf__svar(&db->vbuf, res->s.amount);
	points_buf__svar(&db->vbuf, res->s.points);
	points_buf__uvar(&db->vbuf, res->n);
	for (i = 0; i < res->n; i++) {
		points_buf__str(&db->vbuf, res->o[i].rule);
		points_buf__uvar(&db->vbuf, (uint64_t)res->o[i].version);
		points_buf__svar(&db->vbuf, res->o[i].points);
		points_buf__svar(&db->vbuf, res->o[i].formula);
		points_buf__svar(&db->vbuf, res->o[i].account);
		points_buf__str(&db->vbuf, res->o[i].asset);
		points_buf__str(&db->vbuf, res->o[i].txn_id);
		points_buf__str(&db->vbuf, res->o[i].reason);
	}
	points_buf__uvar(&db->vbuf, nl);
	for (i = 0; i < nl; i++)
		points_buf__uvar(&db->vbuf, (uint64_t)lines[i]);
	if (db->vbuf.err)
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	points_codec__put_be64(k, (uint64_t)rseq);
	return points_db__put(db, &refund_ks, k, 8, db->vbuf.data,
	    db->vbuf.len);
}

/* res->lines: the JSON list of lines[0..n). */
static int
set_lines(points_db *db, points_event_result *res, const int64_t *lines,
    size_t n)
{
	size_t i, m = 0, cap = 3 + n * 21;

	points_alloc__free(res->lines);
	res->lines = NULL;
	if (!n)
		return POINTS_OK;
	if (!(res->lines = points_alloc__malloc(cap)))
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	res->lines[m++] = '[';
	for (i = 0; i < n; i++)
		m += (size_t)snprintf(res->lines + m, cap - m, "%s%lld",
		    i ? "," : "", (long long)lines[i]);
	res->lines[m++] = ']';
	res->lines[m] = '\0';
	return POINTS_OK;
}

static int
load_refund(points_db *db, int64_t rseq, points_event_result *res)
{
	points_event_result ev;
	unsigned char k[8];
	const void *v;
	size_t vl, i, n;
	int64_t eseq, amount, points;
	unsigned ver;
	points_rd r;
	int rc;

	points_codec__put_be64(k, (uint64_t)rseq);
	rc = points_db__get(db, &refund_ks, k, 8, &v, &vl);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, POINTS_ECORRUPT, "refund %lld missing",
		    (long long)rseq);
	if (rc)
		return rc;
	points_rd__init(&r, v, vl);
	ver = points_rd__u8(&r);
	if (ver != REFUND_V1 && ver != REFUND_V2)
		r.err = POINTS_ECORRUPT;
	eseq = (int64_t)points_rd__uvar(&r);
	if (r.err)
		return points_db__err(db, POINTS_ECORRUPT, "refund %lld: record "
		    "unreadable", (long long)rseq);
	/* the event's summary first (a read that moves v) */
	memset(&ev, 0, sizeof(ev));
	rc = load_event(db, eseq, &ev);
	res->s = ev.s;
	points_alloc__free(ev.o);
	points_alloc__free(ev.rid);
	points_alloc__free(ev.attrs);
	if (rc)
		return rc;
	if ((rc = points_db__get(db, &refund_ks, k, 8, &v, &vl)))
		return rc;
	points_rd__init(&r, v, vl);
	points_rd__u8(&r);
	points_rd__uvar(&r);
	amount = points_rd__svar(&r);
	points = points_rd__svar(&r);
	n = (size_t)points_rd__uvar(&r);
	if (n > vl)
		r.err = POINTS_ECORRUPT;
	res->n = 0;
	for (i = 0; i < n && !r.err; i++) {
		points_rule_outcome *o;

		if ((rc = result_push(db, res, &o)))
			return rc;
		points_rd__str(&r, o->rule, sizeof(o->rule));
		o->version = (int64_t)points_rd__uvar(&r);
		o->status = POINTS_OUTCOME_AWARDED;
		o->points = points_rd__svar(&r);
		o->formula = points_rd__svar(&r);
		o->account = points_rd__svar(&r);
		points_rd__str(&r, o->asset, sizeof(o->asset));
		points_rd__str(&r, o->txn_id, sizeof(o->txn_id));
		points_rd__str(&r, o->reason, sizeof(o->reason));
	}
	if (!r.err && ver == REFUND_V2) {
		size_t nl = (size_t)points_rd__uvar(&r);
		int64_t *lines;

		if (nl > vl)
			r.err = POINTS_ECORRUPT;
		if (!r.err && nl) {
			if (!(lines = points_alloc__calloc(nl,
			    sizeof(*lines))))
				return points_db__err(db, POINTS_ENOMEM,
				    "out of memory");
			for (i = 0; i < nl; i++)
				lines[i] = (int64_t)points_rd__uvar(&r);
			rc = r.err ? POINTS_OK : set_lines(db, res, lines, nl);
			points_alloc__free(lines);
			if (rc)
				return rc;
		}
	}
	if (r.err)
		return points_db__err(db, POINTS_ECORRUPT, "refund %lld: record "
		    "unreadable", (long long)rseq);
	res->s.amount = amount;
	res->s.points = points;
	res->s.seq = rseq;
	res->s.outcomes = (int64_t)res->n;
	return POINTS_OK;
}

/* Before a refund reverses the posting of outcome o (amount points):
 * what of it is still pending is taken back first (pending.h).  The
 * rules of one posting share their pending days (post_awards). */
static int
unmark_posting(points_db *db, const points_rules_set *set,
    const points_event_result *ev, const points_rule_outcome *o,
    int64_t amount)
{
	const points_rule_ver *rv;
	size_t j;

	for (j = 0; j < ev->n; j++)
		if (ev->o[j].status == POINTS_OUTCOME_AWARDED &&
		    strcmp(ev->o[j].txn_id, o->txn_id) == 0)
			break;
	if (j == ev->n || !(rv = find_version(set, ev->rid[j],
	    ev->o[j].version)) || rv->r.pending_days == 0)
		return POINTS_OK;
	return points_pending__unmark(db, o->account, o->asset, ev->s.time,
	    rv->r.pending_days, amount, NULL);
}

/* The value of key k of map m, or NULL. */
static const points_cel_value *
map_get(const points_cel_value *m, const char *k)
{
	size_t i, n = strlen(k);

	if (m->type != POINTS_CEL_MAP)
		return NULL;
	for (i = 0; i < m->u.map.n; i++) {
		const points_cel_value *key = &m->u.map.e[i].key;

		if (key->type == POINTS_CEL_STRING && key->u.s.n == n &&
		    memcmp(key->u.s.p, k, n) == 0)
			return &m->u.map.e[i].value;
	}
	return NULL;
}

static int
by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The lines r names, of the event whose attributes c->attrs holds:
 * each found, named once and not refunded before; into c->lidx (their
 * indexes, ascending) and rs->lines; *part: what their "amount" fields
 * take off the amount not refunded yet (left), at most all of it. */
static int
refund_lines(points_db *db, event_ctx *c, const points_event_reversal *r,
    int64_t left, refsum *rs, int64_t *part)
{
	const points_cel_value *lines = c->attrs.mem ?
	    map_get(&c->attrs.root, "lines") : NULL;
	const points_cel_value *req = c->rlines.root.u.list.v;
	size_t n = c->rlines.root.u.list.n, i, j, found;
	int64_t sum = 0, *all;

	if (!lines || lines->type != POINTS_CEL_LIST)
		return points_db__err(db, POINTS_EINVAL, "event '%s' has no "
		    "lines (event.attrs.lines) to refund", r->event_id);
	if (!(c->lidx = points_alloc__calloc(n, sizeof(*c->lidx))))
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		const points_cel_value *l, *v;

		if (req[i].type == POINTS_CEL_INT) {
			if ((uint64_t)req[i].u.i >= lines->u.list.n)
				return points_db__err(db, POINTS_EINVAL,
				    "event '%s': no line %lld: the event has "
				    "%zu lines", r->event_id,
				    (long long)req[i].u.i, lines->u.list.n);
			c->lidx[i] = req[i].u.i;
		} else {
			for (j = 0, found = 0; j < lines->u.list.n; j++) {
				v = map_get(&lines->u.list.v[j], "id");
				if (v && v->type == POINTS_CEL_STRING &&
				    v->u.s.n == req[i].u.s.n &&
				    memcmp(v->u.s.p, req[i].u.s.p,
				    v->u.s.n) == 0 && found++ == 0)
					c->lidx[i] = (int64_t)j;
			}
			if (found != 1)
				return points_db__err(db, POINTS_EINVAL,
				    "event '%s': %s line has id '%.*s'",
				    r->event_id, found ? "more than one" : "no",
				    (int)req[i].u.s.n, req[i].u.s.p);
		}
		for (j = 0; j < i; j++)
			if (c->lidx[j] == c->lidx[i])
				return points_db__err(db, POINTS_EINVAL,
				    "event '%s': line %lld is named twice",
				    r->event_id, (long long)c->lidx[i]);
		for (j = 0; j < rs->nl; j++)
			if (rs->lines[j] == c->lidx[i])
				return points_db__err(db, POINTS_ESTATE,
				    "event '%s': line %lld is refunded "
				    "already", r->event_id,
				    (long long)c->lidx[i]);
		l = &lines->u.list.v[c->lidx[i]];
		if ((v = map_get(l, "amount"))) {
			if (v->type != POINTS_CEL_INT || v->u.i < 0)
				return points_db__err(db, POINTS_EINVAL,
				    "event '%s': line %lld: its amount must be "
				    "an int >= 0", r->event_id,
				    (long long)c->lidx[i]);
			if (points_codec__add(&sum, v->u.i))
				return points_db__err(db, POINTS_EOVERFLOW,
				    "event '%s': the lines' amounts overflow",
				    r->event_id);
		}
	}
	qsort(c->lidx, n, sizeof(*c->lidx), by_value);
	if (!(all = points_alloc__calloc(rs->nl + n, sizeof(*all))))
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	if (rs->nl)
		memcpy(all, rs->lines, rs->nl * sizeof(*all));
	memcpy(all + rs->nl, c->lidx, n * sizeof(*all));
	qsort(all, rs->nl + n, sizeof(*all), by_value);
	points_alloc__free(rs->lines);
	rs->lines = all;
	rs->nl += n;
	*part = sum < left ? sum : left;
	return POINTS_OK;
}

/* *attrs (event.attrs as activate made it) without the lines rs
 * refunded: a copy of the map whose "lines" keeps the others, in their
 * order, in c's arrays. */
static int
without_lines(points_db *db, event_ctx *c, const refsum *rs,
    points_cel_value *attrs)
{
	const points_cel_value *lines = map_get(attrs, "lines");
	size_t i, k = 0, m = 0, n;

	if (!lines || lines->type != POINTS_CEL_LIST)
		return POINTS_OK;
	n = attrs->u.map.n;
	if (!(c->kents = points_alloc__calloc(n, sizeof(*c->kents))) ||
	    !(c->klines = points_alloc__calloc(lines->u.list.n + 1,
	    sizeof(*c->klines))))
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	for (i = 0; i < lines->u.list.n; i++) {
		while (k < rs->nl && rs->lines[k] < (int64_t)i)
			k++;
		if (k < rs->nl && rs->lines[k] == (int64_t)i)
			continue;
		c->klines[m++] = lines->u.list.v[i];
	}
	memcpy(c->kents, attrs->u.map.e, n * sizeof(*c->kents));
	for (i = 0; i < n; i++)
		if (&attrs->u.map.e[i].value == lines) {
			c->kents[i].value.u.list.v = c->klines;
			c->kents[i].value.u.list.n = m;
		}
	attrs->u.map.e = c->kents;
	return POINTS_OK;
}

/* Take back what an event gave, as r says (points_event_reverse). */
static int
refund_in(points_db *db, event_ctx *c, const points_event_reversal *r,
    points_event_result *ev, refsum *rs, int64_t *rseq)
{
	event_state *st = points_db__state(db, &event_module);
	const points_rules_set *set;
	points_event_result *res = c->res;
	char (*rid)[POINTS_ID_LEN + 1] = NULL;
	activation a;
	int64_t eseq, left, last, part, total = 0;
	size_t i, j, nl;
	int rc;

	rc = points_idem__lookup(db, &eid_ks, r->event_id, &eseq);
	if (rc == POINTS_ENOTFOUND)
		return points_db__err(db, rc, "event '%s' not found",
		    r->event_id);
	if (rc || (rc = load_event(db, eseq, ev)) ||
	    (rc = refsum_load(db, eseq, ev->n, rs)) ||
	    (rc = points_rule__load(db, &set)))
		return rc;
	if (rs->whole)
		return points_db__err(db, POINTS_ESTATE, "event '%s' is "
		    "refunded in whole", r->event_id);
	left = ev->s.amount - rs->amount;
	if (r->amount > left)
		return points_db__err(db, POINTS_EINVAL, "event '%s': a refund "
		    "of %lld is more than the %lld not refunded", r->event_id,
		    (long long)r->amount, (long long)left);
	if (r->amount && rs->nl)
		return points_db__err(db, POINTS_EINVAL, "event '%s' is "
		    "refunded by lines: refund the rest by lines or in whole, "
		    "not by amount", r->event_id);
	if (r->lines && rs->amount && !rs->nl)
		return points_db__err(db, POINTS_EINVAL, "event '%s' is "
		    "refunded by amount: refund the rest by amount or in "
		    "whole, not by lines", r->event_id);
	if (r->amount || r->lines) {
		points_event e = POINTS_EVENT_INIT;
		char err[128];

		points_json__free(&c->attrs);
		if (ev->attrs && (rc = points_json__parse(ev->attrs,
		    strlen(ev->attrs), &c->attrs, err, sizeof(err))))
			return rc == POINTS_ENOMEM ? points_db__err(db, rc,
			    "out of memory") : points_db__err(db,
			    POINTS_ECORRUPT, "event '%s': attrs: %s",
			    r->event_id, err);
		part = r->amount;
		if (r->lines && (rc = refund_lines(db, c, r, left, rs, &part)))
			return rc;
		e.id = ev->s.id;
		e.type = ev->s.type;
		e.account = ev->s.account;
		e.amount = left - part;
		if ((rc = activate(db, c, &e, ev->s.time, 1, &a)))
			return rc;
		if (rs->nl && (rc = without_lines(db, c, rs, &a.ev[5].value)))
			return rc;
		if (!st->scratch && !(st->scratch =
		    points_alloc__malloc(sizeof(*st->scratch))))
			return points_db__err(db, POINTS_ENOMEM,
			    "out of memory");
	} else {
		part = left;
	}
	res->n = 0;
	for (i = 0; i < ev->n; i++) {
		const points_rule_outcome *eo = &ev->o[i];
		points_rule_outcome *o;
		int64_t kept = 0, fnew = 0, take;

		if (eo->status != POINTS_OUTCOME_AWARDED)
			continue;
		if (r->amount || r->lines) {
			const points_rule_ver *rv = find_version(set,
			    ev->rid[i], eo->version);

			if (!rv)
				return points_db__err(db, POINTS_ECORRUPT,
				    "event '%s': rule '%s' version %lld not "
				    "found", r->event_id, eo->rule,
				    (long long)eo->version);
			if ((rc = kept_points(db, rv, eo, &a, st->scratch,
			    &kept, &fnew)))
				return rc;
		}
		take = eo->points - rs->taken[i] - kept;
		if (take < 0)
			take = 0;
		if ((rc = result_push(db, res, &o)))
			return rc;
		strcpy(o->rule, eo->rule);
		o->version = eo->version;
		o->status = POINTS_OUTCOME_AWARDED;
		o->points = -take;
		o->formula = fnew;
		o->account = eo->account;
		strcpy(o->asset, eo->asset);
		/* the posting to reverse, for now */
		strcpy(o->txn_id, eo->txn_id);
		reasonf(o, "keeps %lld of %lld", (long long)(eo->points -
		    rs->taken[i] - take), (long long)eo->points);
		rs->taken[i] += take;
		total += take;
	}
	/* one reversal per posting; the outcomes then name it */
	if (res->n && !(rid = points_alloc__calloc(res->n, sizeof(*rid))))
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	for (i = 0; i < res->n; i++) {
		points_reversal rv = POINTS_REVERSAL_INIT;
		char memo[POINTS_MEMO_MAX + 1];
		points_txn t;
		int64_t amount = 0;

		if (res->o[i].points == 0 || rid[i][0] ||
		    strlen(res->o[i].txn_id) != POINTS_ID_LEN)
			continue;
		for (j = i; j < res->n; j++)
			if (strcmp(res->o[j].txn_id, res->o[i].txn_id) == 0)
				amount -= res->o[j].points;
		snprintf(memo, sizeof(memo), "refund of event %s",
		    r->event_id);
		/* pending points of the award first (pending.h) */
		if ((rc = unmark_posting(db, set, ev, &res->o[i], amount))) {
			points_alloc__free(rid);
			return rc;
		}
		rv.txn_id = res->o[i].txn_id;
		rv.amount = amount;
		rv.memo = r->memo ? r->memo : memo;
		rv.actor = r->actor;
		rv.flags = r->flags;
		if ((rc = points_reversal__within(db, &rv, &t))) {
			points_alloc__free(rid);
			return rc;
		}
		for (j = i; j < res->n; j++)
			if (strcmp(res->o[j].txn_id, res->o[i].txn_id) == 0 &&
			    res->o[j].points)
				strcpy(rid[j], t.id);
	}
	for (i = 0; i < res->n; i++)
		strcpy(res->o[i].txn_id, rid[i]);
	points_alloc__free(rid);
	rs->amount += part;
	rs->whole = !r->amount && !r->lines;
	res->s = ev->s;
	res->s.amount = part;
	res->s.points = -total;
	res->s.outcomes = (int64_t)res->n;
	nl = r->lines ? c->rlines.root.u.list.n : 0;
	if ((rc = set_lines(db, res, c->lidx, nl)) ||
	    (rc = refsum_store(db, eseq, rs)) ||
	    (rc = points_db__last_key64(db, &refund_ks, &last)))
		return rc;
	res->s.seq = *rseq = last + 1;
	return store_refund(db, *rseq, eseq, res, c->lidx, nl);
}

static int
refund_body(points_db *db, const points_write_op *op, const void *req,
    void *ctx, void *result, int64_t *seq)
{
	event_ctx *c = ctx;
	points_event_result ev;
	refsum rs;
	int rc;

	(void)op;
	(void)result;
	memset(&ev, 0, sizeof(ev));
	memset(&rs, 0, sizeof(rs));
	ctx_reset(c);
	rc = refund_in(db, c, req, &ev, &rs, seq);
	points_alloc__free(ev.o);
	points_alloc__free(ev.rid);
	points_alloc__free(ev.attrs);
	points_alloc__free(ev.lines);
	points_alloc__free(rs.taken);
	points_alloc__free(rs.lines);
	return rc;
}

static int
refund_replay(points_db *db, const points_write_op *op, int64_t seq,
    void *result)
{
	(void)op;
	(void)result;
	(void)db;
	(void)seq;
	return POINTS_OK; /* points_event_reverse reads the log */
}

static const points_write_op refund_op = {
	"event refund", EVENT_REFUND_TYPE, &points_event_reversal__req, 0,
	validate_refund, refund_body, refund_replay, NULL, NULL,
};

POINTS_EXTERN int
points_event_reverse(points_db *db, const points_event_reversal *r,
    points_event_result **out)
{
	event_ctx c;
	char dummy;
	int rc;

	if (out)
		*out = NULL; /* on every failure (hand_over) */
	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = new_result(db, &c)))
		return rc;
	rc = points_write__run_ks(db, &refund_op, &refidem_ks, r, &c, &dummy);
	if (rc == POINTS_OK && c.res->s.seq == 0) {
		/* a replay: the refund the key made, from the log */
		int64_t seq;

		if ((rc = points_db__read_begin(db)) == POINTS_OK) {
			rc = points_idem__lookup(db, &refidem_ks,
			    r->idempotency_key, &seq);
			if (rc == POINTS_OK)
				rc = load_refund(db, seq, c.res);
			points_db__read_end(db);
		}
		c.res->s.replayed = 1;
	}
	hand_over(&c, rc, out);
	return rc;
}

POINTS_EXTERN int
points_event_reversal_init(points_event_reversal *r, unsigned int version)
{
	return points_write__init(&points_event_reversal__req, r, version);
}

POINTS_EXTERN int
points_event_init(points_event *e, unsigned int version)
{
	return points_write__init(&points_event__req, e, version);
}

POINTS_EXTERN int
points_event_result_summary(const points_event_result *r,
    points_event_summary *out)
{
	if (!r || !out)
		return POINTS_EINVAL;
	*out = r->s;
	return POINTS_OK;
}

POINTS_EXTERN int
points_event_result_outcome(const points_event_result *r, int64_t i,
    points_rule_outcome *out)
{
	if (!r || !out || i < 0)
		return POINTS_EINVAL;
	if ((uint64_t)i >= r->n)
		return POINTS_ENOTFOUND;
	*out = r->o[i];
	return POINTS_OK;
}

POINTS_EXTERN void
points_event_result_free(points_event_result *r)
{
	if (r) {
		points_alloc__free(r->o);
		points_alloc__free(r->rid);
		points_alloc__free(r->attrs);
		points_alloc__free(r->lines);
		points_alloc__free(r);
	}
}

POINTS_EXTERN const char *
points_event_result_lines(const points_event_result *r)
{
	return r ? r->lines : NULL;
}

/* ---- Redemptions (event.h) ---- */

int
points_event__redeemed(points_db *db, const char *order_id, int64_t account,
    int64_t points, const char *sku, const char *asset, int64_t quantity,
    const char *actor)
{
	event_state *st = points_db__state(db, &event_module);
	const points_rules_set *set;
	points_event e = POINTS_EVENT_INIT;
	points_account acct;
	unsigned char hash[16];
	char id[POINTS_EVENT_ID_MAX + 1], attrs[256];
	int64_t now = points_db__time(db, 0), seq;
	event_ctx c;
	int rc;

	/* no rule listens: nothing to apply, nothing logged */
	if ((rc = points_rule__load(db, &set)) ||
	    (rc = choose(db, st, set, POINTS_EVENT__REDEMPTION, now)))
		return rc;
	if (st->ncand == 0)
		return POINTS_OK;
	if ((rc = points_account__load(db, account, &acct)))
		return rc;
	if (acct.status != POINTS_ACCOUNT_ACTIVE ||
	    (acct.flags & POINTS_ACCOUNT_SYSTEM))
		return POINTS_OK;
	snprintf(id, sizeof(id), "%s%s", POINTS_EVENT__REDEMPTION_PREFIX,
	    order_id);
	/* sku and asset are [A-Za-z0-9_.-] (item.h, asset.h): no escapes */
	snprintf(attrs, sizeof(attrs), "{\"order\": \"%s\", \"sku\": \"%s\", "
	    "\"asset\": \"%s\", \"quantity\": %lld}", order_id, sku, asset,
	    (long long)quantity);
	e.id = id;
	e.type = POINTS_EVENT__REDEMPTION;
	e.account = account;
	e.amount = points;
	e.attrs = attrs;
	e.actor = actor ? actor : "mall";
	rc = points_idem__lookup(db, &eid_ks, id, &seq);
	if (rc != POINTS_ENOTFOUND)
		return rc; /* POINTS_OK: applied before */
	if ((rc = new_result(db, &c)))
		return rc;
	c.internal = 1;
	if ((rc = validate_event(db, &apply_op, &e, &c)) == POINTS_OK &&
	    (rc = apply_body(db, &apply_op, &e, &c, NULL, &seq)) == POINTS_OK) {
		rc = points_write__fingerprint(&apply_op, &e, hash);
		if (rc == POINTS_ENOMEM)
			rc = points_db__err(db, rc, "out of memory");
		else if (rc)
			rc = points_db__err(db, rc, "event '%s': BLAKE2b "
			    "failed", id);
		else
			rc = points_idem__record(db, &eid_ks, id, hash, seq);
	}
	hand_over(&c, rc, NULL);
	return rc;
}

int
points_event__unredeemed(points_db *db, const char *order_id,
    const char *memo, const char *actor)
{
	points_event_reversal r = POINTS_EVENT_REVERSAL_INIT;
	char id[POINTS_EVENT_ID_MAX + 1];
	points_event_result ev;
	event_ctx c;
	refsum rs;
	int64_t seq;
	int rc;

	snprintf(id, sizeof(id), "%s%s", POINTS_EVENT__REDEMPTION_PREFIX,
	    order_id);
	rc = points_idem__lookup(db, &eid_ks, id, &seq);
	if (rc == POINTS_ENOTFOUND)
		return POINTS_OK; /* no rule listened */
	if (rc)
		return rc;
	r.event_id = id;
	r.memo = memo;
	r.actor = actor;
	memset(&ev, 0, sizeof(ev));
	memset(&rs, 0, sizeof(rs));
	if ((rc = new_result(db, &c)))
		return rc;
	if ((rc = load_event(db, seq, &ev)) == POINTS_OK &&
	    (rc = refsum_load(db, seq, ev.n, &rs)) == POINTS_OK &&
	    !rs.whole) {
		points_alloc__free(rs.taken);
		points_alloc__free(rs.lines);
		memset(&rs, 0, sizeof(rs));
		rc = refund_in(db, &c, &r, &ev, &rs, &seq);
	}
	points_alloc__free(ev.o);
	points_alloc__free(ev.rid);
	points_alloc__free(ev.attrs);
	points_alloc__free(ev.lines);
	points_alloc__free(rs.taken);
	points_alloc__free(rs.lines);
	hand_over(&c, rc, NULL);
	return rc;
}

/* ---- Backtest ---- */

struct points_backtest {
	points_backtest_summary s;
	points_backtest_row *rows; /* one per award, then one per account */
	size_t n, cap;
};

/* Version version (0: the latest) of rule name, from the handle's copy. */
static int
find_named(points_db *db, const points_rules_set *set, const char *name,
    int64_t version, const points_rule_ver **out)
{
	const points_rule_ver *best = NULL;
	size_t i;

	for (i = 0; i < set->n; i++) {
		const points_rule_ver *rv = &set->v[i];

		if (strcmp(rv->r.name, name) != 0)
			continue;
		if (version ? rv->r.version == version :
		    !best || rv->r.version > best->r.version)
			best = rv;
	}
	if (!best && version)
		return points_db__err(db, POINTS_ENOTFOUND, "rule '%s' has no "
		    "version %lld", name, (long long)version);
	if (!best)
		return points_db__err(db, POINTS_ENOTFOUND, "rule '%s' not "
		    "found", name);
	*out = best;
	return POINTS_OK;
}

/* One logged event (in log) evaluated against rv, its award tallied. */
static int
backtest_event(points_db *db, event_ctx *c, const points_rules_set *set,
    const points_rule_ver *rv, const points_event_result *log,
    points_backtest *bt)
{
	event_state *st = points_db__state(db, &event_module);
	points_event e = POINTS_EVENT_INIT;
	points_rule_outcome o;
	activation a;
	char err[128];
	int rc;

	e.id = log->s.id;
	e.type = log->s.type;
	e.account = log->s.account;
	e.amount = log->s.amount;
	e.attrs = log->attrs;
	points_json__free(&c->attrs);
	if (log->attrs) {
		rc = points_json__parse(log->attrs, strlen(log->attrs),
		    &c->attrs, err, sizeof(err));
		if (rc == POINTS_ENOMEM)
			return points_db__err(db, rc, "out of memory");
		if (rc)
			return points_db__err(db, POINTS_ECORRUPT, "event '%s': "
			    "logged attrs: %s", e.id, err);
	}
	ctx_reset(c);
	memset(&o, 0, sizeof(o));
	if ((rc = activate(db, c, &e, log->s.time, 1, &a)) ||
	    (rc = eval_rule(db, c, set, rv, log->s.time, &a.acct, &a.act,
	    st->scratch, 0, &o)) ||
	    (rc = store_counters(db, c)))
		return rc;
	bt->s.events++;
	if (o.status == POINTS_OUTCOME_CAPPED)
		bt->s.capped++;
	else if (o.status == POINTS_OUTCOME_ERROR)
		bt->s.errors++;
	/* an award that would wait for approval counts: what approving
	 * them all would cost */
	if (o.status != POINTS_OUTCOME_AWARDED &&
	    o.status != POINTS_OUTCOME_APPROVAL)
		return POINTS_OK;
	if ((rc = grow(db, (void **)&bt->rows, &bt->cap, bt->n,
	    sizeof(*bt->rows))))
		return rc;
	bt->rows[bt->n].account = o.account;
	bt->rows[bt->n].points = o.points;
	bt->rows[bt->n++].awards = 1;
	bt->s.awards++;
	if (points_codec__add(&bt->s.points, o.points))
		return points_db__err(db, POINTS_EOVERFLOW, "backtest of rule "
		    "'%s': points in all overflow", rv->r.name);
	return POINTS_OK;
}

#define BACKTEST_CHUNK 256

static int
backtest_in(points_db *db, const char *name, int64_t version, int64_t from,
    int64_t until, points_backtest *bt)
{
	const points_rules_set *set;
	const points_rule_ver *found = NULL;
	points_rule_ver rv;
	unsigned char lo[8], *keys = NULL;
	points_event_result *log = NULL;
	event_ctx c;
	int64_t next = 1;
	size_t i, n;
	uint32_t fresh = 0;
	int rc;

	if ((rc = points_rule__load(db, &set)) ||
	    (rc = find_named(db, set, name, version, &found)))
		return rc;
	/* in force for the run, counting from zero under a number no rule
	 * has (the counters written go with the rollback) */
	rv = *found;
	rv.r.state = POINTS_RULE_ACTIVE;
	for (i = 0; i < set->n; i++)
		if (set->v[i].id >= fresh)
			fresh = set->v[i].id + 1;
	rv.id = fresh;
	if ((rc = new_result(db, &c)))
		return rc;
	log = c.res;
	c.res = NULL;
	if (!(keys = points_alloc__malloc(BACKTEST_CHUNK * 8))) {
		rc = points_db__err(db, POINTS_ENOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		points_codec__put_be64(lo, (uint64_t)next);
		if ((rc = points_db__collect_keys(db, &event_ks, lo, 8, NULL, 0,
		    8, keys, BACKTEST_CHUNK, &n)) || n == 0)
			break;
		for (i = 0; i < n && rc == POINTS_OK; i++) {
			int64_t seq = (int64_t)points_codec__get_be64(keys +
			    i * 8);

			if ((rc = load_event(db, seq, log)))
				break;
			if (strcmp(log->s.type, rv.r.event_type) != 0 ||
			    (from && log->s.time < from) ||
			    (until && log->s.time >= until))
				continue;
			rc = backtest_event(db, &c, set, &rv, log, bt);
		}
		if (rc)
			break;
		next = (int64_t)points_codec__get_be64(keys + (n - 1) * 8) + 1;
	}
out:
	points_alloc__free(keys);
	points_event_result_free(log);
	ctx_free(&c);
	return rc;
}

static int
by_account(const void *a, const void *b)
{
	const points_backtest_row *x = a, *y = b;

	return x->account < y->account ? -1 : x->account > y->account;
}

/* One row per account: the awards, sorted, summed. */
static void
backtest_merge(points_backtest *bt)
{
	size_t i, m = 0;

	if (bt->n > 1)
		qsort(bt->rows, bt->n, sizeof(*bt->rows), by_account);
	for (i = 0; i < bt->n; i++) {
		if (m && bt->rows[m - 1].account == bt->rows[i].account) {
			/* within the total, which did not overflow */
			bt->rows[m - 1].points += bt->rows[i].points;
			bt->rows[m - 1].awards += bt->rows[i].awards;
		} else {
			bt->rows[m++] = bt->rows[i];
		}
	}
	bt->n = m;
	bt->s.accounts = (int64_t)m;
}

POINTS_EXTERN int
points_rule_backtest(points_db *db, const char *name, int64_t version,
    int64_t from, int64_t until, points_backtest **out)
{
	points_backtest *bt;
	int rc, in;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if ((rc = points_rule__check_name(db, "rule name", name,
	    POINTS_RULE_NAME_MAX)))
		return rc;
	if (version < 0 || from < 0 || until < 0)
		return points_db__err(db, POINTS_EINVAL, "backtest of rule '%s': "
		    "version, from and until must not be negative", name);
	if (until && until <= from)
		return points_db__err(db, POINTS_EINVAL, "backtest of rule '%s': "
		    "until must be after from", name);
	if (db->in_batch)
		return points_db__err(db, POINTS_EMISUSE, "backtest of rule "
		    "'%s': not inside a batch (it rolls its transaction back)",
		    name);
	if (!(bt = points_alloc__calloc(1, sizeof(*bt))))
		return points_db__err(db, POINTS_ENOMEM, "out of memory");
	if ((rc = points_db__write_begin(db)) == POINTS_OK) {
		in = backtest_in(db, name, version, from, until, bt);
		/* never kept: any code below zero rolls back */
		rc = points_db__write_end(db, in ? in : POINTS_ESTATE);
		if (in == POINTS_OK)
			rc = POINTS_OK;
	}
	if (rc) {
		points_backtest_free(bt);
		return rc;
	}
	backtest_merge(bt);
	*out = bt;
	return POINTS_OK;
}

POINTS_EXTERN int
points_backtest_summary_get(const points_backtest *b,
    points_backtest_summary *out)
{
	if (!b || !out)
		return POINTS_EINVAL;
	*out = b->s;
	return POINTS_OK;
}

POINTS_EXTERN int
points_backtest_row_get(const points_backtest *b, int64_t i,
    points_backtest_row *out)
{
	if (!b || !out || i < 0)
		return POINTS_EINVAL;
	if ((uint64_t)i >= b->n)
		return POINTS_ENOTFOUND;
	*out = b->rows[i];
	return POINTS_OK;
}

POINTS_EXTERN void
points_backtest_free(points_backtest *b)
{
	if (b) {
		points_alloc__free(b->rows);
		points_alloc__free(b);
	}
}
