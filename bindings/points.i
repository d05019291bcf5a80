/*
 * points.i - what the SWIG interfaces of libpoints share.  Each language
 * has a small interface of its own that includes this file:
 * bindings/python/points_python.i and bindings/java/points_java.i.
 *
 * The generated modules are thin: every C function keeps its name and
 * argument order.  What this file adds:
 *  - one %exception: a negative return code becomes the target language's
 *    exception (each language defines POINTS_SWIG_RAISE), carrying
 *    points_strerror(code) and points_errmsg(db);
 *  - the result records, described once in records.def, as a table of
 *    fields (points_swig_records) that each language's one generic
 *    builder walks; their kinds are checked against the C members here,
 *    at compile time;
 *  - a settable clock cell, since a C clock callback cannot come from a
 *    garbage-collected language;
 *  - POINTS_SWIG_DECLARATIONS, the C API itself, which a language's
 *    interface expands after its own typemaps (a typemap applies only to
 *    the declarations that follow it).
 * A language's interface defines, before it includes this file,
 * POINTS_SWIG_RAISE(code, db) and POINTS_SWIG_RAISE_OPEN(code, db) (used
 * in %exception) and the SWIG macro POINTS_SWIG_RECORD_OUT(T) (the
 * typemaps of a record's out parameter).
 * The idiomatic layers (bindings/python/points,
 * bindings/java/src/org/libpoints) sit above and tie object lifetimes to
 * the ledger handle.
 */

%{
#include "points.h"
#include "points/sys/store.h"
#include "points/sys/fault.h"
#include <stddef.h>
#include <string.h>

/* The handle a wrapper's first argument is, if it is one: the error
 * message is per handle.  Iterators and stores carry none (the idiomatic
 * layers read an iterator's message from its ledger). */
#define POINTS_SWIG_DB(arg) _Generic((arg), points_db *: (arg), \
    default: (points_db *)0)

static const char *
points_swig_message(int code, points_db *db)
{
	if (db != NULL && points_errcode(db) == code)
		return points_errmsg(db);
	return points_strerror(code);
}

/* ---- The result records (records.def) as data. ---- */
typedef enum points_swig_kind {
	POINTS_SWIG_I64,  /* int64_t */
	POINTS_SWIG_INT,  /* int */
	POINTS_SWIG_UINT, /* unsigned int */
	POINTS_SWIG_STR   /* char[N], NUL-ended UTF-8 */
} points_swig_kind;

typedef struct points_swig_field {
	const char *member;    /* the C member */
	const char *py_name;   /* the Python tuple's field */
	const char *java_name; /* the Java record's component */
	const char *doc;
	size_t offset;
	points_swig_kind kind;
} points_swig_field;

typedef struct points_swig_record {
	const char *ctype;      /* "points_txn" */
	const char *py_class;   /* "Txn" */
	const char *java_class; /* "Txn", in package org.libpoints */
	const points_swig_field *fields;
	size_t nfields;
} points_swig_record;

/* A field's KIND must be its member's type.  An array's address keeps
 * its type (char (*)[N]); the array itself would decay to char *. */
#define POINTS_SWIG_MEMBER(T, M) (((T *)0)->M)
#define POINTS_SWIG_IS_I64(T, M) \
	_Generic(POINTS_SWIG_MEMBER(T, M), int64_t: 1, default: 0)
#define POINTS_SWIG_IS_INT(T, M) \
	_Generic(POINTS_SWIG_MEMBER(T, M), int: 1, default: 0)
#define POINTS_SWIG_IS_UINT(T, M) \
	_Generic(POINTS_SWIG_MEMBER(T, M), unsigned int: 1, default: 0)
#define POINTS_SWIG_IS_STR(T, M) _Generic(&POINTS_SWIG_MEMBER(T, M), \
	char (*)[sizeof(POINTS_SWIG_MEMBER(T, M))]: 1, default: 0)
#define POINTS_BIND_RECORD(T, PY, JAVA)
#define POINTS_BIND_FIELD(T, M, KIND, PY, JAVA, JTYPE, DOC) \
	_Static_assert(POINTS_SWIG_IS_##KIND(T, M), \
	    "bindings/records.def: " #T "." #M " is not " #KIND);
#define POINTS_BIND_JAVA_CODE(T, M, JAVA, DOC)
#define POINTS_BIND_END(T)
#include "records.def"

/* The fields of each record, in the table's order. */
#define POINTS_BIND_RECORD(T, PY, JAVA) \
	static const points_swig_field points_swig_fields_##T[] = {
#define POINTS_BIND_FIELD(T, M, KIND, PY, JAVA, JTYPE, DOC) \
	{ #M, #PY, #JAVA, DOC, offsetof(T, M), POINTS_SWIG_##KIND },
#define POINTS_BIND_JAVA_CODE(T, M, JAVA, DOC)
#define POINTS_BIND_END(T) };
#include "records.def"

/* POINTS_SWIG_REC_points_txn, ...: a record's index in the table. */
enum {
#define POINTS_BIND_RECORD(T, PY, JAVA) POINTS_SWIG_REC_##T,
#define POINTS_BIND_FIELD(T, M, KIND, PY, JAVA, JTYPE, DOC)
#define POINTS_BIND_JAVA_CODE(T, M, JAVA, DOC)
#define POINTS_BIND_END(T)
#include "records.def"
	POINTS_SWIG_NRECORDS
};

static const points_swig_record points_swig_records[] = {
#define POINTS_BIND_RECORD(T, PY, JAVA) { #T, #PY, #JAVA, \
	points_swig_fields_##T, \
	sizeof(points_swig_fields_##T) / sizeof(points_swig_fields_##T[0]) },
#define POINTS_BIND_FIELD(T, M, KIND, PY, JAVA, JTYPE, DOC)
#define POINTS_BIND_JAVA_CODE(T, M, JAVA, DOC)
#define POINTS_BIND_END(T)
#include "records.def"
};

/* The table's entry of record type T. */
#define POINTS_SWIG_RECORD(T) (&points_swig_records[POINTS_SWIG_REC_##T])

/* The builders keep a record's values in an array on the stack. */
#define POINTS_SWIG_MAX_FIELDS 32
#define POINTS_BIND_RECORD(T, PY, JAVA) _Static_assert( \
	sizeof(points_swig_fields_##T) / sizeof(points_swig_fields_##T[0]) \
	<= POINTS_SWIG_MAX_FIELDS, "bindings/records.def: " #T \
	" has more than POINTS_SWIG_MAX_FIELDS fields");
#define POINTS_BIND_FIELD(T, M, KIND, PY, JAVA, JTYPE, DOC)
#define POINTS_BIND_JAVA_CODE(T, M, JAVA, DOC)
#define POINTS_BIND_END(T)
#include "records.def"

/* The address of a record's field. */
#define POINTS_SWIG_AT(r, f) ((const char *)(r) + (f)->offset)

/* points_account_apply with its request's fields as arguments (the
 * bindings' change_account and changeAccount): the struct is made here,
 * as of the version this wrapper was compiled with. */
static int
points_account_apply_fields(points_db *db, int64_t account, const char *tier,
    const char *department, int status, const char *actor,
    const char *reason, const char *idempotency_key, points_account *out)
{
	points_account_edit e;

	points_account_edit_init(&e, POINTS_ACCOUNT_EDIT_VERSION);
	e.account = account;
	e.tier = tier;
	e.department = department;
	e.status = status;
	e.actor = actor;
	e.reason = reason;
	e.idempotency_key = idempotency_key;
	return points_account_apply(db, &e, out);
}

/* points_rule_save with its request's fields as arguments (the bindings'
 * rule_save and saveRule), made here as of the version this wrapper was
 * compiled with: the strings come from the language and are never set on
 * a proxy. */
static int
points_rule_save_fields(points_db *db, const char *name,
    const char *event_type, const char *condition, const char *points,
    const char *asset, const char *beneficiary, int state, int priority,
    unsigned int flags, int64_t active_from, int64_t active_until,
    const char *category, int64_t expires_days, unsigned int window_weekdays,
    unsigned int window_monthdays, int64_t window_percent, int cap_unit,
    int64_t cap_day, int64_t cap_week, int64_t cap_month, int64_t cap_year,
    int64_t cap_total, const char *cap_key, int64_t cap_key_limit,
    int64_t budget_points, int64_t budget_awards, const char *author,
    const char *reason, int64_t pending_days, points_rule *out)
{
	points_rule_def d;

	points_rule_def_init(&d, POINTS_RULE_DEF_VERSION);
	d.name = name;
	d.event_type = event_type;
	d.condition = condition;
	d.points = points;
	d.asset = asset;
	d.beneficiary = beneficiary;
	d.state = state;
	d.priority = priority;
	d.flags = flags;
	d.active_from = active_from;
	d.active_until = active_until;
	d.category = category;
	d.expires_days = expires_days;
	d.window_weekdays = window_weekdays;
	d.window_monthdays = window_monthdays;
	d.window_percent = window_percent;
	d.cap_unit = cap_unit;
	d.cap_day = cap_day;
	d.cap_week = cap_week;
	d.cap_month = cap_month;
	d.cap_year = cap_year;
	d.cap_total = cap_total;
	d.cap_key = cap_key;
	d.cap_key_limit = cap_key_limit;
	d.budget_points = budget_points;
	d.budget_awards = budget_awards;
	d.author = author;
	d.reason = reason;
	d.pending_days = pending_days;
	return points_rule_save(db, &d, out);
}

/* points_event_apply (preview 0) or points_event_preview (preview 1) with
 * the event's fields as arguments. */
static int
points_event_fields(points_db *db, int preview, const char *id,
    const char *type, int64_t account, int64_t time, int64_t amount,
    const char *attrs, const char *actor, points_event_result **out)
{
	points_event e;

	points_event_init(&e, POINTS_EVENT_VERSION);
	e.id = id;
	e.type = type;
	e.account = account;
	e.time = time;
	e.amount = amount;
	e.attrs = attrs;
	e.actor = actor;
	return preview ? points_event_preview(db, &e, out) :
	    points_event_apply(db, &e, out);
}

/* points_approval_nominate with the nomination's fields as arguments. */
static int
points_approval_nominate_fields(points_db *db, int64_t account,
    const char *asset, int64_t points, const char *category,
    int64_t expires_days, const char *memo, const char *nominator,
    const char *idempotency_key, points_approval *out)
{
	points_nomination n;

	points_nomination_init(&n, POINTS_NOMINATION_VERSION);
	n.account = account;
	n.asset = asset;
	n.points = points;
	n.category = category;
	n.expires_days = expires_days;
	n.memo = memo;
	n.nominator = nominator;
	n.idempotency_key = idempotency_key;
	return points_approval_nominate(db, &n, out);
}

/* points_grant_save with the definition's fields as arguments. */
static int
points_grant_save_fields(points_db *db, const char *name, const char *asset,
    int period, const char *condition, const char *points, int64_t pool,
    const char *category, int64_t expires_days, unsigned int flags,
    int state, const char *author, const char *reason, points_grant *out)
{
	points_grant_def d;

	points_grant_def_init(&d, POINTS_GRANT_DEF_VERSION);
	d.name = name;
	d.asset = asset;
	d.period = period;
	d.condition = condition;
	d.points = points;
	d.pool = pool;
	d.category = category;
	d.expires_days = expires_days;
	d.flags = flags;
	d.state = state;
	d.author = author;
	d.reason = reason;
	return points_grant_save(db, &d, out);
}

/* points_event_reverse with the refund's fields as arguments. */
static int
points_event_reverse_fields(points_db *db, const char *event_id,
    int64_t amount, const char *memo, const char *idempotency_key,
    const char *actor, unsigned int flags, const char *lines,
    points_event_result **out)
{
	points_event_reversal r;

	points_event_reversal_init(&r, POINTS_EVENT_REVERSAL_VERSION);
	r.event_id = event_id;
	r.amount = amount;
	r.memo = memo;
	r.idempotency_key = idempotency_key;
	r.actor = actor;
	r.flags = flags;
	r.lines = lines;
	return points_event_reverse(db, &r, out);
}

/* points_item_create (create 1) or points_item_update (create 0) with
 * the definition's fields as arguments. */
static int
points_item_save_fields(points_db *db, int create, const char *sku,
    const char *name, const char *description, const char *image_url,
    const char *category, const char *asset, int64_t price, int64_t stock,
    int64_t low_stock, int64_t order_limit, int64_t return_days,
    const char *min_tier, int listed, const char *actor, const char *reason,
    int64_t cash, points_item *out)
{
	points_item_def d;

	points_item_def_init(&d, POINTS_ITEM_DEF_VERSION);
	d.sku = sku;
	d.name = name;
	d.description = description;
	d.image_url = image_url;
	d.category = category;
	d.asset = asset;
	d.price = price;
	d.stock = stock;
	d.low_stock = low_stock;
	d.order_limit = order_limit;
	d.return_days = return_days;
	d.min_tier = min_tier;
	d.listed = listed;
	d.actor = actor;
	d.reason = reason;
	d.cash = cash;
	return create ? points_item_create(db, &d, out) :
	    points_item_update(db, &d, out);
}

/* points_item_query_iterator_new with the query's fields as
 * arguments. */
static int
points_item_query_fields(points_db *db, const char *category,
    unsigned int flags, int64_t price_min, int64_t price_max,
    int64_t account, int sort, const char *allowance,
    points_item_iterator **out)
{
	points_item_query q;
	int rc;

	if ((rc = points_item_query_init(&q, POINTS_ITEM_QUERY_VERSION)))
		return rc;
	q.category = category;
	q.flags = flags;
	q.price_min = price_min;
	q.price_max = price_max;
	q.account = account;
	q.sort = sort;
	q.allowance = allowance;
	return points_item_query_iterator_new(db, &q, out);
}

/* points_order_place with the request's fields as arguments. */
static int
points_order_place_fields(points_db *db, int64_t account, const char *sku,
    int64_t quantity, const char *note, const char *idempotency_key,
    const char *actor, int64_t points_max, const char *allowance,
    points_order *out)
{
	points_order_req r;

	points_order_req_init(&r, POINTS_ORDER_REQ_VERSION);
	r.account = account;
	r.sku = sku;
	r.quantity = quantity;
	r.note = note;
	r.idempotency_key = idempotency_key;
	r.actor = actor;
	r.points_max = points_max;
	r.allowance = allowance;
	return points_order_place(db, &r, out);
}

/* A lottery's definition is built in a points_lottery_def the layer
 * allocates (its strings are arrays, copied in): its fields, then each
 * prize.  A string too long for its array is refused (POINTS_EINVAL),
 * never cut; the layers check the lengths first, to name the string.
 * A prize past the last slot is counted, not kept, so that
 * points_lottery_create refuses the count with its own message. */
static int
points_lottery_def_fields(points_lottery_def *d, const char *name,
    const char *asset, int64_t cost, int64_t starts, int64_t ends,
    int64_t min_balance, int64_t limit_day, int64_t limit_total,
    int64_t lose_weight, int64_t consolation)
{
	if (d == NULL || (name && strlen(name) >= sizeof(d->name)) ||
	    (asset && strlen(asset) >= sizeof(d->asset)))
		return POINTS_EINVAL;
	memset(d, 0, sizeof(*d));
	strcpy(d->name, name ? name : "");
	strcpy(d->asset, asset ? asset : "");
	d->cost = cost;
	d->starts = starts;
	d->ends = ends;
	d->min_balance = min_balance;
	d->limit_day = limit_day;
	d->limit_total = limit_total;
	d->lose_weight = lose_weight;
	d->consolation = consolation;
	return POINTS_OK;
}

/* An auction's definition, built in a points_auction_def the layer
 * allocates (its strings are arrays, copied in); a string too long for
 * its array is refused (POINTS_EINVAL), never cut. */
static int
points_auction_def_fields(points_auction_def *d, const char *sku,
    const char *item, const char *asset, int64_t starts, int64_t ends,
    int64_t start_price, int64_t increment, int64_t reserve,
    int64_t snipe_window, int64_t snipe_extend, int64_t min_balance,
    const char *tiers, const char *departments, const char *condition)
{
	if (d == NULL || (sku && strlen(sku) >= sizeof(d->sku)) ||
	    (item && strlen(item) >= sizeof(d->item)) ||
	    (asset && strlen(asset) >= sizeof(d->asset)) ||
	    (tiers && strlen(tiers) >= sizeof(d->tiers)) ||
	    (departments && strlen(departments) >= sizeof(d->departments)) ||
	    (condition && strlen(condition) >= sizeof(d->condition)))
		return POINTS_EINVAL;
	memset(d, 0, sizeof(*d));
	strcpy(d->sku, sku ? sku : "");
	strcpy(d->item, item ? item : "");
	strcpy(d->asset, asset ? asset : "");
	d->starts = starts;
	d->ends = ends;
	d->start_price = start_price;
	d->increment = increment;
	d->reserve = reserve;
	d->snipe_window = snipe_window;
	d->snipe_extend = snipe_extend;
	d->min_balance = min_balance;
	strcpy(d->tiers, tiers ? tiers : "");
	strcpy(d->departments, departments ? departments : "");
	strcpy(d->condition, condition ? condition : "");
	return POINTS_OK;
}

/* Who may draw beyond the minimum balance (points/eligible.h); NULL
 * leaves a string empty. */
static int
points_lottery_def_eligible(points_lottery_def *d, const char *tiers,
    const char *departments, const char *condition)
{
	if (d == NULL || (tiers && strlen(tiers) >= sizeof(d->tiers)) ||
	    (departments && strlen(departments) >= sizeof(d->departments)) ||
	    (condition && strlen(condition) >= sizeof(d->condition)))
		return POINTS_EINVAL;
	strcpy(d->tiers, tiers ? tiers : "");
	strcpy(d->departments, departments ? departments : "");
	strcpy(d->condition, condition ? condition : "");
	return POINTS_OK;
}

static int
points_lottery_def_prize(points_lottery_def *d, int kind, const char *label,
    int64_t weight, int64_t stock, int64_t amount, const char *sku)
{
	points_lottery_prize *p;

	if (d == NULL || d->nprizes < 0 ||
	    (label && strlen(label) >= sizeof(p->label)) ||
	    (sku && strlen(sku) >= sizeof(p->sku)))
		return POINTS_EINVAL;
	if (d->nprizes >= POINTS_LOTTERY_PRIZES_MAX) {
		d->nprizes++;
		return POINTS_OK;
	}
	p = &d->prizes[d->nprizes++];
	p->kind = kind;
	strcpy(p->label, label ? label : "");
	p->weight = weight;
	p->stock = stock;
	p->amount = amount;
	strcpy(p->sku, sku ? sku : "");
	return POINTS_OK;
}
%}

%include <stdint.i>

/* ---- The clock cell: a host or a test moves time by setting now. ---- */
%inline %{
typedef struct points_clock_cell {
	int64_t now; /* seconds since 1970; 0 means the system clock */
} points_clock_cell;
%}
%{
#include <time.h>
static int64_t
points_swig_clock(void *ctx)
{
	const points_clock_cell *c = ctx;

	return c->now != 0 ? c->now : (int64_t)time(NULL);
}
%}
%inline %{
/* Point opts at cell; the cell must outlive the handle opened with opts. */
void
points_clock_cell_install(points_open_options *opts, points_clock_cell *cell)
{
	opts->clock = cell != NULL ? points_swig_clock : NULL;
	opts->clock_ctx = cell;
}
%}

/* Function pointers cannot come from the target languages. */
%immutable points_open_options::clock;
%immutable points_open_options::clock_ctx;

/* Requests come in as the language's own objects (Python tuples, Java
 * Posting, Reversal, ...), so no proxy's string is ever set: a setter
 * would leak a copy. */
%immutable points_posting::asset;
%immutable points_posting::memo;
%immutable points_posting::idempotency_key;
%immutable points_posting::category;
%immutable points_posting::actor;
%immutable points_reversal::category;
%immutable points_reversal::actor;
%immutable points_capture::category;
%immutable points_capture::actor;
%immutable points_release::category;
%immutable points_release::actor;
%immutable points_account_edit::tier;
%immutable points_account_edit::department;
%immutable points_account_edit::actor;
%immutable points_account_edit::reason;
%immutable points_account_edit::idempotency_key;
%immutable points_reversal::txn_id;
%immutable points_reversal::memo;
%immutable points_reversal::idempotency_key;
%immutable points_reversal::category;
%immutable points_reversal::actor;
%immutable points_capture::hold_id;
%immutable points_capture::memo;
%immutable points_capture::idempotency_key;
%immutable points_release::hold_id;
%immutable points_release::memo;
%immutable points_release::idempotency_key;
%immutable points_forfeit::memo;
%immutable points_forfeit::idempotency_key;
%immutable points_forfeit::category;
%immutable points_forfeit::actor;
%immutable points_rule_def::name;
%immutable points_rule_def::event_type;
%immutable points_rule_def::condition;
%immutable points_rule_def::points;
%immutable points_rule_def::asset;
%immutable points_rule_def::beneficiary;
%immutable points_rule_def::category;
%immutable points_rule_def::cap_key;
%immutable points_rule_def::author;
%immutable points_rule_def::reason;
%immutable points_event::id;
%immutable points_event::type;
%immutable points_event::attrs;
%immutable points_event::actor;
%immutable points_event_reversal::event_id;
%immutable points_event_reversal::memo;
%immutable points_event_reversal::idempotency_key;
%immutable points_event_reversal::actor;
%immutable points_event_reversal::lines;
%immutable points_nomination::asset;
%immutable points_nomination::category;
%immutable points_nomination::memo;
%immutable points_nomination::nominator;
%immutable points_grant_def::name;
%immutable points_grant_def::asset;
%immutable points_grant_def::condition;
%immutable points_grant_def::points;
%immutable points_grant_def::category;
%immutable points_grant_def::author;
%immutable points_grant_def::reason;
%immutable points_item_def::sku;
%immutable points_item_def::name;
%immutable points_item_def::description;
%immutable points_item_def::image_url;
%immutable points_item_def::category;
%immutable points_item_def::asset;
%immutable points_item_def::min_tier;
%immutable points_item_def::actor;
%immutable points_item_def::reason;
%immutable points_item_query::category;
%immutable points_order_req::sku;
%immutable points_order_req::note;
%immutable points_order_req::idempotency_key;
%immutable points_order_req::actor;
/* A lottery's definition is filled by points_lottery_def_fields and
 * points_lottery_def_prize, never member by member. */
%ignore points_lottery_def::name;
%ignore points_lottery_def::asset;
%ignore points_lottery_def::cost;
%ignore points_lottery_def::starts;
%ignore points_lottery_def::ends;
%ignore points_lottery_def::min_balance;
%ignore points_lottery_def::limit_day;
%ignore points_lottery_def::limit_total;
%ignore points_lottery_def::lose_weight;
%ignore points_lottery_def::consolation;
%ignore points_lottery_def::nprizes;
%ignore points_lottery_def::prizes;
%ignore points_lottery_def::tiers;
%ignore points_lottery_def::departments;
%ignore points_lottery_def::condition;
/* An auction's definition is filled by points_auction_def_fields. */
%ignore points_auction_def::sku;
%ignore points_auction_def::item;
%ignore points_auction_def::asset;
%ignore points_auction_def::starts;
%ignore points_auction_def::ends;
%ignore points_auction_def::start_price;
%ignore points_auction_def::increment;
%ignore points_auction_def::reserve;
%ignore points_auction_def::snipe_window;
%ignore points_auction_def::snipe_extend;
%ignore points_auction_def::min_balance;
%ignore points_auction_def::tiers;
%ignore points_auction_def::departments;
%ignore points_auction_def::condition;

/* ---- Errors: one mapping for every int-returning function. ---- */
%exception {
	$action
	if (result < 0)
		POINTS_SWIG_RAISE(result, POINTS_SWIG_DB(arg1));
}
/* A failed open still hands back a handle for its message; close it. */
%exception points_open {
	$action
	if (result < 0)
		POINTS_SWIG_RAISE_OPEN(result, *arg3);
}
%exception points_open_store {
	$action
	if (result < 0)
		POINTS_SWIG_RAISE_OPEN(result, *arg3);
}
%exception points_restore {
	$action
	if (result < 0)
		POINTS_SWIG_RAISE_OPEN(result, *arg4);
}
/* These return values, not status codes. */
%noexception points_version;
%noexception points_version_number;
%noexception points_strerror;
%noexception points_free;
%noexception points_close;
%noexception points_errmsg;
%noexception points_errcode;
%noexception points_now;
%noexception points_account_iterator_free;
%noexception points_statement_iterator_free;
%noexception points_lot_iterator_free;
%noexception points_account_history_iterator_free;
%noexception points_rule_history_iterator_free;
%noexception points_rule_iterator_free;
%noexception points_approval_iterator_free;
%noexception points_grant_award_iterator_free;
%noexception points_export_iterator_free;
%noexception points_import_free;
%noexception points_expiry_forecast_iterator_free;
%noexception points_report_iterator_free;
%noexception points_leaderboard_iterator_free;
%noexception points_settlement_iterator_free;
%noexception points_lottery_draw_iterator_free;
%noexception points_department_summary_iterator_free;
%noexception points_recommendation_iterator_free;
%noexception points_event_result_free;
%noexception points_event_result_lines;
%noexception points_item_iterator_free;
%noexception points_trigger_iterator_free;
%noexception points_item_history_iterator_free;
%noexception points_order_iterator_free;
%noexception points_order_history_iterator_free;
%noexception points_order_code_iterator_free;
%noexception points_bundle_part_iterator_free;
%noexception points_auction_bid_iterator_free;
%noexception points_backtest_free;
%noexception points_store_close;
%noexception points_store_fault_calls;
%noexception points_store_fault_failures;
%noexception points_store_fault_method_calls;
%noexception points_clock_cell_install;
/* Nor do the structs' constructors and destructors. */
%define POINTS_SWIG_PLAIN_STRUCT(T)
%noexception T::T;
%noexception T::~T;
%enddef
/* Each record of the table: a plain struct, and an out parameter of its
 * type comes back as the language's record (POINTS_SWIG_RECORD_OUT,
 * which the language's interface defines before it includes this file:
 * SWIG reads records.def only once). */
#define POINTS_BIND_RECORD(T, PY, JAVA) POINTS_SWIG_PLAIN_STRUCT(T) \
	POINTS_SWIG_RECORD_OUT(T)
#define POINTS_BIND_FIELD(T, M, KIND, PY, JAVA, JTYPE, DOC)
#define POINTS_BIND_JAVA_CODE(T, M, JAVA, DOC)
#define POINTS_BIND_END(T)
%include "records.def"
POINTS_SWIG_PLAIN_STRUCT(points_clock_cell)
POINTS_SWIG_PLAIN_STRUCT(points_open_options)
POINTS_SWIG_PLAIN_STRUCT(points_posting)
POINTS_SWIG_PLAIN_STRUCT(points_reversal)
POINTS_SWIG_PLAIN_STRUCT(points_capture)
POINTS_SWIG_PLAIN_STRUCT(points_release)
POINTS_SWIG_PLAIN_STRUCT(points_forfeit)
POINTS_SWIG_PLAIN_STRUCT(points_account_edit)
POINTS_SWIG_PLAIN_STRUCT(points_rule_def)
POINTS_SWIG_PLAIN_STRUCT(points_event)
POINTS_SWIG_PLAIN_STRUCT(points_event_reversal)
POINTS_SWIG_PLAIN_STRUCT(points_nomination)
POINTS_SWIG_PLAIN_STRUCT(points_grant_def)
POINTS_SWIG_PLAIN_STRUCT(points_item_def)
POINTS_SWIG_PLAIN_STRUCT(points_order_req)
POINTS_SWIG_PLAIN_STRUCT(points_item_query)
POINTS_SWIG_PLAIN_STRUCT(points_lottery_def)
POINTS_SWIG_PLAIN_STRUCT(points_auction_def)
/* No strings: the layers fill a proxy (points_asset_policy_init, then
 * its fields). */
POINTS_SWIG_PLAIN_STRUCT(points_asset_policy)

/* A store's vtable is for C backends; here a store is an opaque handle. */
%ignore points_store;
%ignore points_store_read;

/* SWIG does not follow #include: every public header, in the order
 * points.h gathers them, then the backend interface. */
%define POINTS_SWIG_DECLARATIONS
%include "points/common.h"
%include "points/db.h"
%include "points/asset.h"
%include "points/account.h"
%include "points/balance.h"
%include "points/txn.h"
%include "points/pool.h"
%include "points/statement.h"
%include "points/lot.h"
%include "points/hold.h"
%include "points/verify.h"
%include "points/rules.h"
%include "points/outbox.h"
%include "points/mall.h"
%include "points/export.h"
%include "points/eligible.h"
%include "points/import.h"
%include "points/lottery.h"
%include "points/auction.h"
%include "points/report.h"
%include "points/sys/store.h"
%include "points/sys/fault.h"
int points_account_apply_fields(points_db *db, int64_t account,
    const char *tier, const char *department, int status, const char *actor,
    const char *reason, const char *idempotency_key, points_account *out);
int points_rule_save_fields(points_db *db, const char *name,
    const char *event_type, const char *condition, const char *points,
    const char *asset, const char *beneficiary, int state, int priority,
    unsigned int flags, int64_t active_from, int64_t active_until,
    const char *category, int64_t expires_days, unsigned int window_weekdays,
    unsigned int window_monthdays, int64_t window_percent, int cap_unit,
    int64_t cap_day, int64_t cap_week, int64_t cap_month, int64_t cap_year,
    int64_t cap_total, const char *cap_key, int64_t cap_key_limit,
    int64_t budget_points, int64_t budget_awards, const char *author,
    const char *reason, int64_t pending_days, points_rule *out);
int points_event_fields(points_db *db, int preview, const char *id,
    const char *type, int64_t account, int64_t time, int64_t amount,
    const char *attrs, const char *actor, points_event_result **out);
int points_event_reverse_fields(points_db *db, const char *event_id,
    int64_t amount, const char *memo, const char *idempotency_key,
    const char *actor, unsigned int flags, const char *lines,
    points_event_result **out);
int points_approval_nominate_fields(points_db *db, int64_t account,
    const char *asset, int64_t points, const char *category,
    int64_t expires_days, const char *memo, const char *nominator,
    const char *idempotency_key, points_approval *out);
int points_grant_save_fields(points_db *db, const char *name,
    const char *asset, int period, const char *condition, const char *points,
    int64_t pool, const char *category, int64_t expires_days,
    unsigned int flags, int state, const char *author, const char *reason,
    points_grant *out);
int points_item_save_fields(points_db *db, int create, const char *sku,
    const char *name, const char *description, const char *image_url,
    const char *category, const char *asset, int64_t price, int64_t stock,
    int64_t low_stock, int64_t order_limit, int64_t return_days,
    const char *min_tier, int listed, const char *actor, const char *reason,
    int64_t cash, points_item *out);
int points_order_place_fields(points_db *db, int64_t account,
    const char *sku, int64_t quantity, const char *note,
    const char *idempotency_key, const char *actor, int64_t points_max,
    const char *allowance, points_order *out);
int points_item_query_fields(points_db *db, const char *category,
    unsigned int flags, int64_t price_min, int64_t price_max,
    int64_t account, int sort, const char *allowance,
    points_item_iterator **out);
int points_lottery_def_fields(points_lottery_def *d, const char *name,
    const char *asset, int64_t cost, int64_t starts, int64_t ends,
    int64_t min_balance, int64_t limit_day, int64_t limit_total,
    int64_t lose_weight, int64_t consolation);
int points_lottery_def_prize(points_lottery_def *d, int kind,
    const char *label, int64_t weight, int64_t stock, int64_t amount,
    const char *sku);
int points_lottery_def_eligible(points_lottery_def *d, const char *tiers,
    const char *departments, const char *condition);
int points_auction_def_fields(points_auction_def *d, const char *sku,
    const char *item, const char *asset, int64_t starts, int64_t ends,
    int64_t start_price, int64_t increment, int64_t reserve,
    int64_t snipe_window, int64_t snipe_extend, int64_t min_balance,
    const char *tiers, const char *departments, const char *condition);
%enddef
