/*
 * points.i - the one SWIG interface to libpoints, for Python and Java.
 *
 * The generated modules are thin: every C function keeps its name and
 * argument order.  What this file adds:
 *  - one %exception: a negative return code becomes the target language's
 *    exception, carrying points_strerror(code) and points_errmsg(db);
 *  - typemaps for the output parameters (all named "out" in points.h), so
 *    results come back as return values and owned memory is freed here;
 *  - a settable clock cell, since a C clock callback cannot come from a
 *    garbage-collected language.
 * The idiomatic layers (bindings/python/points, bindings/java/org/libpoints)
 * sit above and tie object lifetimes to the ledger handle.
 */
%module(package="points") capi

%{
#include "points.h"
#include "points_store.h"
#include <string.h>

/* The handle a wrapper's first argument is, if it is one: the error
 * message is per handle.  Iterators and stores carry none. */
#define POINTS_SWIG_DB(arg) _Generic((arg), points_db *: (arg), \
    default: (points_db *)0)

static const char *
points_swig_message(int code, points_db *db)
{
	if (db != NULL && points_errcode(db) == code)
		return points_errmsg(db);
	return points_strerror(code);
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

/* ==== Python ==== */
#if defined(SWIGPYTHON)
%{
/* points.errors.from_code(code, message) makes the exception to raise;
 * the class hierarchy lives in Python, where users read it. */
static PyObject *points_py_from_code;

static void
points_py_raise(int code, const char *msg)
{
	PyObject *mod, *text, *exc;

	if (points_py_from_code == NULL) {
		mod = PyImport_ImportModule("points.errors");
		if (mod == NULL)
			return;
		points_py_from_code = PyObject_GetAttrString(mod, "from_code");
		Py_DECREF(mod);
		if (points_py_from_code == NULL)
			return;
	}
	text = PyUnicode_DecodeUTF8(msg, (Py_ssize_t)strlen(msg), "replace");
	if (text == NULL)
		return;
	exc = PyObject_CallFunction(points_py_from_code, "iO", code, text);
	Py_DECREF(text);
	if (exc == NULL)
		return;
	PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
	Py_DECREF(exc);
}
%}
%{
#define POINTS_SWIG_RAISE(code, db) do { \
	points_py_raise((code), points_swig_message((code), (db))); \
	SWIG_fail; \
} while (0)
/* Raise first: the message lives in the handle about to be closed. */
#define POINTS_SWIG_RAISE_OPEN(code, db) do { \
	points_py_raise((code), points_swig_message((code), (db))); \
	points_close(db); \
	SWIG_fail; \
} while (0)
%}

/* Handles come back as opaque pointer objects. */
%define POINTS_PY_HANDLE_OUT(TYPE)
%typemap(in, numinputs=0) TYPE **out (TYPE *temp = NULL) { $1 = &temp; }
%typemap(argout) TYPE **out {
	Py_DECREF($result);
	$result = SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $*1_descriptor, 0);
}
%enddef
POINTS_PY_HANDLE_OUT(points_db)
POINTS_PY_HANDLE_OUT(points_iter)
POINTS_PY_HANDLE_OUT(points_store)

%typemap(in, numinputs=0) int64_t *out (int64_t temp = 0) { $1 = &temp; }
%typemap(argout) int64_t *out {
	Py_DECREF($result);
	$result = PyLong_FromLongLong((long long)*$1);
}

/* The caller owns the string: copy it, then free it here. */
%typemap(in, numinputs=0) char **out (char *temp = NULL) { $1 = &temp; }
%typemap(argout) char **out {
	Py_DECREF($result);
	$result = PyUnicode_DecodeUTF8(*$1, (Py_ssize_t)strlen(*$1), "replace");
	points_free(*$1);
	if ($result == NULL)
		SWIG_fail;
}

/* Records come back as tuples in field order; the Python layer names
 * them (points/records.py).  A finished iterator gives None. */
%define POINTS_PY_RECORD_OUT(TYPE, FORMAT, FIELDS...)
%typemap(in, numinputs=0) TYPE *out (TYPE temp) {
	memset(&temp, 0, sizeof(temp));
	$1 = &temp;
}
%typemap(argout) TYPE *out {
	Py_DECREF($result);
	if (result == POINTS_ITEROVER) {
		Py_INCREF(Py_None);
		$result = Py_None;
	} else {
		TYPE *r = $1;
		$result = Py_BuildValue(FORMAT, FIELDS);
		if ($result == NULL)
			SWIG_fail;
	}
}
%enddef
POINTS_PY_RECORD_OUT(points_asset, "(siii)", r->code, r->decimals,
    r->expiry_policy, r->expiry_n)
POINTS_PY_RECORD_OUT(points_account, "(LssssiIL)", (long long)r->id,
    r->external_id, r->name, r->tier, r->department, r->status, r->flags,
    (long long)r->created_at)
POINTS_PY_RECORD_OUT(points_balance, "(LsLLLLL)", (long long)r->account,
    r->asset, (long long)r->available, (long long)r->held,
    (long long)r->earned, (long long)r->spent, (long long)r->expired)
POINTS_PY_RECORD_OUT(points_txn, "(sLiLsLLLssi)", r->id, (long long)r->seq,
    r->type, (long long)r->time, r->asset, (long long)r->from,
    (long long)r->to, (long long)r->amount, r->ref, r->memo, r->replayed)
POINTS_PY_RECORD_OUT(points_entry, "(sLiLLsLLLs)", r->txn_id,
    (long long)r->seq, r->type, (long long)r->time, (long long)r->account,
    r->asset, (long long)r->amount, (long long)r->held,
    (long long)r->counterparty, r->memo)
POINTS_PY_RECORD_OUT(points_lot, "(LsLL)", (long long)r->account, r->asset,
    (long long)r->expires_at, (long long)r->amount)
POINTS_PY_RECORD_OUT(points_hold, "(sLsLLLi)", r->id, (long long)r->account,
    r->asset, (long long)r->amount, (long long)r->captured,
    (long long)r->expires_at, r->state)
POINTS_PY_RECORD_OUT(points_sweep_report, "(LLLL)", (long long)r->accounts,
    (long long)r->lots, (long long)r->points, (long long)r->holds)
POINTS_PY_RECORD_OUT(points_verify_report, "(LLLs)", (long long)r->entries,
    (long long)r->balances, (long long)r->bad_seq, r->message)

/* Postings come in as tuples, so the proxy's strings are never set. */
%immutable points_posting::asset;
%immutable points_posting::memo;
%immutable points_posting::idempotency_key;

/* A posting is a tuple (asset, account, counterparty, amount, memo,
 * idempotency_key, time, expires_at): no proxy object per call. */
%typemap(in) const points_posting *p (points_posting temp) {
	long long account, counterparty, amount, time, expires_at;

	points_posting_init(&temp);
	if (!PyArg_ParseTuple($input, "zLLLzzLL:posting", &temp.asset,
	    &account, &counterparty, &amount, &temp.memo,
	    &temp.idempotency_key, &time, &expires_at)) {
		if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
			PyErr_Clear();
			points_py_raise(POINTS_EOVERFLOW,
			    "a posting's number is outside int64");
		}
		SWIG_fail;
	}
	temp.account = account;
	temp.counterparty = counterparty;
	temp.amount = amount;
	temp.time = time;
	temp.expires_at = expires_at;
	$1 = &temp;
}
#endif /* SWIGPYTHON */

/* ==== Java (owned by the Java binding) ==== */
#if defined(SWIGJAVA)
/* JAVA-SECTION */
#endif /* SWIGJAVA */

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
/* These return values, not status codes. */
%noexception points_version;
%noexception points_strerror;
%noexception points_free;
%noexception points_close;
%noexception points_errmsg;
%noexception points_errcode;
%noexception points_now;
%noexception points_iter_free;
%noexception points_store_close;
%noexception points_store_fault_calls;
%noexception points_store_fault_failures;
%noexception points_clock_cell_install;
/* Nor do the records' constructors and destructors. */
%define POINTS_RECORD(T)
%noexception T::T;
%noexception T::~T;
%enddef
POINTS_RECORD(points_clock_cell)
POINTS_RECORD(points_open_options)
POINTS_RECORD(points_asset)
POINTS_RECORD(points_account)
POINTS_RECORD(points_balance)
POINTS_RECORD(points_posting)
POINTS_RECORD(points_txn)
POINTS_RECORD(points_entry)
POINTS_RECORD(points_lot)
POINTS_RECORD(points_sweep_report)
POINTS_RECORD(points_hold)
POINTS_RECORD(points_verify_report)

/* A store's vtable is for C backends; here a store is an opaque handle. */
%ignore points_store;

%include "points.h"
%include "points_store.h"
