/*
 * points_python.i - the Python interface of libpoints: the module
 * points.capi (its C part points._capi).  What both languages share is
 * in bindings/points.i; this file adds the Python exceptions, the
 * typemaps that turn output parameters into return values, records into
 * tuples (one builder, walking bindings/records.def) and tuples into
 * requests.  The package bindings/python/points names the tuples.
 */
%module(package="points") capi

/* Records come back as tuples in the table's order; the Python layer
 * names them (points/records.py).  A finished iterator gives None.
 * points.i applies this to every record of records.def. */
%define POINTS_SWIG_RECORD_OUT(TYPE)
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
		$result = points_py_record(POINTS_SWIG_RECORD(TYPE), $1);
		if ($result == NULL)
			SWIG_fail;
	}
}
%enddef

%include "points.i"

/* Members named like Python keywords (points_txn::from) are never seen
 * from Python: records come back as tuples that the package names. */
#pragma SWIG nowarn=314

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

/* A record as a tuple of its fields in the table's order: int for the
 * numbers, str for the strings (strict UTF-8, as the library stores). */
static PyObject *
points_py_record(const points_swig_record *d, const void *r)
{
	PyObject *t, *v;
	size_t i;

	if ((t = PyTuple_New((Py_ssize_t)d->nfields)) == NULL)
		return NULL;
	for (i = 0; i < d->nfields; i++) {
		const points_swig_field *f = &d->fields[i];
		const char *p = POINTS_SWIG_AT(r, f);
		int64_t i64;
		int n;
		unsigned int u;

		switch (f->kind) {
		case POINTS_SWIG_I64:
			memcpy(&i64, p, sizeof(i64));
			v = PyLong_FromLongLong((long long)i64);
			break;
		case POINTS_SWIG_INT:
			memcpy(&n, p, sizeof(n));
			v = PyLong_FromLong(n);
			break;
		case POINTS_SWIG_UINT:
			memcpy(&u, p, sizeof(u));
			v = PyLong_FromUnsignedLong(u);
			break;
		case POINTS_SWIG_STR:
			v = PyUnicode_FromString(p);
			break;
		default:
			v = NULL;
			PyErr_SetString(PyExc_SystemError, "bad record field");
		}
		if (v == NULL) {
			Py_DECREF(t);
			return NULL;
		}
		PyTuple_SET_ITEM(t, (Py_ssize_t)i, v);
	}
	return t;
}
%}

/* The table itself, for points/records.py to name the tuples: a tuple
 * of (C type, Python class, ((C member, Python name, doc), ...)).  It
 * builds Python objects, so it keeps the interpreter's lock. */
%nothread points_py_records;
%noexception points_py_records;
%inline %{
PyObject *
points_py_records(void)
{
	PyObject *all, *rec, *fields, *f;
	size_t i, j;

	if ((all = PyTuple_New(POINTS_SWIG_NRECORDS)) == NULL)
		return NULL;
	for (i = 0; i < POINTS_SWIG_NRECORDS; i++) {
		const points_swig_record *d = &points_swig_records[i];

		if ((fields = PyTuple_New((Py_ssize_t)d->nfields)) == NULL)
			goto fail;
		for (j = 0; j < d->nfields; j++) {
			f = Py_BuildValue("(sss)", d->fields[j].member,
			    d->fields[j].py_name, d->fields[j].doc);
			if (f == NULL) {
				Py_DECREF(fields);
				goto fail;
			}
			PyTuple_SET_ITEM(fields, (Py_ssize_t)j, f);
		}
		rec = Py_BuildValue("(ssN)", d->ctype, d->py_class, fields);
		if (rec == NULL)
			goto fail;
		PyTuple_SET_ITEM(all, (Py_ssize_t)i, rec);
	}
	return all;
fail:
	Py_DECREF(all);
	return NULL;
}
%}

/* points_verify fills its report on POINTS_ECORRUPT too: the exception
 * carries it as .report, a tuple the package names. */
%{
static void
points_py_attach_report(const points_verify_report *r)
{
	PyObject *type, *value, *tb, *rep;

	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	rep = points_py_record(POINTS_SWIG_RECORD(points_verify_report), r);
	if (rep == NULL || value == NULL ||
	    PyObject_SetAttrString(value, "report", rep) < 0)
		PyErr_Clear(); /* the exception itself matters more */
	Py_XDECREF(rep);
	PyErr_Restore(type, value, tb);
}
%}
%exception points_verify {
	$action
	if (result < 0) {
		points_py_raise(result, points_swig_message(result, arg1));
		if (result == POINTS_ECORRUPT)
			points_py_attach_report(arg2);
		SWIG_fail;
	}
}
%exception points_verify_head {
	$action
	if (result < 0) {
		points_py_raise(result, points_swig_message(result, arg1));
		if (result == POINTS_ECORRUPT)
			points_py_attach_report(arg4);
		SWIG_fail;
	}
}

/* Handles come back as opaque pointer objects. */
%define POINTS_PY_HANDLE_OUT(TYPE)
%typemap(in, numinputs=0) TYPE **out (TYPE *temp = NULL) { $1 = &temp; }
%typemap(argout) TYPE **out {
	Py_DECREF($result);
	$result = SWIG_NewPointerObj(SWIG_as_voidptr(*$1), $*1_descriptor, 0);
}
%enddef
POINTS_PY_HANDLE_OUT(points_db)
POINTS_PY_HANDLE_OUT(points_store)
/* One opaque type per list: a wrong kind is refused as a TypeError. */
POINTS_PY_HANDLE_OUT(points_account_iterator)
POINTS_PY_HANDLE_OUT(points_statement_iterator)
POINTS_PY_HANDLE_OUT(points_lot_iterator)
POINTS_PY_HANDLE_OUT(points_account_history_iterator)
POINTS_PY_HANDLE_OUT(points_rule_history_iterator)
POINTS_PY_HANDLE_OUT(points_rule_iterator)
POINTS_PY_HANDLE_OUT(points_approval_iterator)
POINTS_PY_HANDLE_OUT(points_grant_award_iterator)
POINTS_PY_HANDLE_OUT(points_export_iterator)
POINTS_PY_HANDLE_OUT(points_import)
POINTS_PY_HANDLE_OUT(points_expiry_forecast_iterator)
POINTS_PY_HANDLE_OUT(points_report_iterator)
POINTS_PY_HANDLE_OUT(points_leaderboard_iterator)
POINTS_PY_HANDLE_OUT(points_settlement_iterator)
POINTS_PY_HANDLE_OUT(points_lottery_draw_iterator)
POINTS_PY_HANDLE_OUT(points_summary_iterator)
POINTS_PY_HANDLE_OUT(points_recommendation_iterator)
/* An event's result: the layer reads it and frees it at once. */
POINTS_PY_HANDLE_OUT(points_event_result)
POINTS_PY_HANDLE_OUT(points_item_iterator)
POINTS_PY_HANDLE_OUT(points_trigger_iterator)
POINTS_PY_HANDLE_OUT(points_item_history_iterator)
POINTS_PY_HANDLE_OUT(points_order_iterator)
POINTS_PY_HANDLE_OUT(points_order_history_iterator)
POINTS_PY_HANDLE_OUT(points_order_code_iterator)
POINTS_PY_HANDLE_OUT(points_bundle_part_iterator)
POINTS_PY_HANDLE_OUT(points_auction_bid_iterator)
/* A backtest's result: the same. */
POINTS_PY_HANDLE_OUT(points_backtest)

%typemap(in, numinputs=0) int64_t *out (int64_t temp = 0) { $1 = &temp; }
%typemap(argout) int64_t *out {
	Py_DECREF($result);
	$result = PyLong_FromLongLong((long long)*$1);
}

/* The caller owns the string: copy it, then free it here.  None when
 * the call gave none (an iterator's end: POINTS_ITEROVER). */
%typemap(in, numinputs=0) char **out (char *temp = NULL) { $1 = &temp; }
%typemap(argout) char **out {
	Py_DECREF($result);
	if (*$1 == NULL) {
		Py_INCREF(Py_None);
		$result = Py_None;
	} else {
		$result = PyUnicode_DecodeUTF8(*$1, (Py_ssize_t)strlen(*$1),
		    "replace");
		points_free(*$1);
		if ($result == NULL)
			SWIG_fail;
	}
}


/* ---- Python values into C arguments ----
 * One check for every argument and every request field: a str must not
 * hold NUL (C would read it only up to there: "E1001\0x" would find
 * E1001), is InvalidArgument; a number must be an int and not a bool
 * (True is no amount), else TypeError; one outside the C type is
 * Overflow.  Each names the argument. */
%{
#include <limits.h>

static int
points_py_str(PyObject *o, const char *what, const char **out)
{
	Py_ssize_t n;
	const char *s;
	char msg[160];

	if (o == Py_None) {
		*out = NULL;
		return 1;
	}
	if (!PyUnicode_Check(o)) {
		PyErr_Format(PyExc_TypeError, "%s must be a str or None, not %.80s",
		    what, Py_TYPE(o)->tp_name);
		return 0;
	}
	if ((s = PyUnicode_AsUTF8AndSize(o, &n)) == NULL)
		return 0;
	if (strlen(s) != (size_t)n) {
		snprintf(msg, sizeof(msg), "%s holds a NUL character, which a C "
		    "string cannot", what);
		points_py_raise(POINTS_EINVAL, msg);
		return 0;
	}
	*out = s;
	return 1;
}

static int
points_py_int(PyObject *o, const char *what, long long lo, long long hi,
    long long *out)
{
	PyObject *n;
	long long v;
	int over;
	char msg[160];

	if (PyBool_Check(o) || !PyIndex_Check(o)) {
		PyErr_Format(PyExc_TypeError, "%s must be an int, not %.80s", what,
		    Py_TYPE(o)->tp_name);
		return 0;
	}
	if ((n = PyNumber_Index(o)) == NULL)
		return 0;
	v = PyLong_AsLongLongAndOverflow(n, &over);
	Py_DECREF(n);
	if (v == -1 && PyErr_Occurred())
		return 0;
	if (over || v < lo || v > hi) {
		snprintf(msg, sizeof(msg), "%s is outside %lld..%lld", what, lo,
		    hi);
		points_py_raise(POINTS_EOVERFLOW, msg);
		return 0;
	}
	*out = v;
	return 1;
}

/* Check a request tuple against its PyArg_ParseTuple format (z and L
 * only) and its fields' names, one word each, before parsing it. */
static int
points_py_request(PyObject *t, const char *what, const char *fmt,
    const char *names)
{
	char name[64], field[96];
	const char *s;
	long long v;
	Py_ssize_t i;
	size_t len;

	if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != (Py_ssize_t)strlen(fmt)) {
		PyErr_Format(PyExc_TypeError, "a %s is a tuple of %d fields", what,
		    (int)strlen(fmt));
		return 0;
	}
	for (i = 0; fmt[i]; i++) {
		names += strspn(names, " ");
		len = strcspn(names, " ");
		snprintf(name, sizeof(name), "%.*s", (int)len, names);
		names += len;
		snprintf(field, sizeof(field), "%s %s", what, name);
		if (fmt[i] == 'z' &&
		    !points_py_str(PyTuple_GET_ITEM(t, i), field, &s))
			return 0;
		if (fmt[i] == 'L' && !points_py_int(PyTuple_GET_ITEM(t, i), field,
		    LLONG_MIN, LLONG_MAX, &v))
			return 0;
	}
	return 1;
}

/* Parse a request tuple once points_py_request has passed it. */
#define POINTS_PY_REQUEST(t, what, fmt, names, ...) \
	(points_py_request((t), (what), (fmt), (names)) && \
	    PyArg_ParseTuple((t), fmt ":" what, __VA_ARGS__))
%}

%typemap(in) const char * {
	if (!points_py_str($input, "$1_name", (const char **)&$1))
		SWIG_fail;
}
%typemap(freearg) const char * ""
%define POINTS_PY_INT_IN(TYPE, LO, HI)
%typemap(in) TYPE (long long v) {
	if (!points_py_int($input, "$1_name", LO, HI, &v))
		SWIG_fail;
	$1 = (TYPE)v;
}
%enddef
POINTS_PY_INT_IN(int64_t, INT64_MIN, INT64_MAX)
POINTS_PY_INT_IN(int, INT_MIN, INT_MAX)
POINTS_PY_INT_IN(unsigned int, 0, UINT_MAX)

/* A posting is a tuple (asset, account, counterparty, amount, memo,
 * idempotency_key, time, expires_at, category, actor): no proxy object
 * per call.  The struct is initialized as of the version this wrapper
 * was compiled with, as every caller of the library should. */
%typemap(in) const points_posting *p (points_posting temp) {
	long long account, counterparty, amount, time, expires_at;

	points_posting_init(&temp, POINTS_POSTING_VERSION);
	if (!POINTS_PY_REQUEST($input, "posting", "zLLLzzLLzz",
	    "asset account counterparty amount memo idempotency_key time "
	    "expires_at category actor", &temp.asset, &account, &counterparty,
	    &amount, &temp.memo, &temp.idempotency_key, &time, &expires_at,
	    &temp.category, &temp.actor))
		SWIG_fail;
	temp.account = account;
	temp.counterparty = counterparty;
	temp.amount = amount;
	temp.time = time;
	temp.expires_at = expires_at;
	$1 = &temp;
}

/* A reversal is a tuple (txn_id, amount, memo, idempotency_key,
 * category, actor, flags). */
%typemap(in) const points_reversal *req (points_reversal temp) {
	long long amount;

	points_reversal_init(&temp, POINTS_REVERSAL_VERSION);
	if (!POINTS_PY_REQUEST($input, "reversal", "zLzzzzI",
	    "txn_id amount memo idempotency_key category actor flags",
	    &temp.txn_id, &amount, &temp.memo, &temp.idempotency_key,
	    &temp.category, &temp.actor, &temp.flags))
		SWIG_fail;
	temp.amount = amount;
	$1 = &temp;
}

/* A capture is a tuple (hold_id, amount, to, memo, idempotency_key,
 * category, actor). */
%typemap(in) const points_capture *req (points_capture temp) {
	long long amount, to;

	points_capture_init(&temp, POINTS_CAPTURE_VERSION);
	if (!POINTS_PY_REQUEST($input, "capture", "zLLzzzz",
	    "hold_id amount to memo idempotency_key category actor",
	    &temp.hold_id, &amount, &to, &temp.memo, &temp.idempotency_key,
	    &temp.category, &temp.actor))
		SWIG_fail;
	temp.amount = amount;
	temp.to = to;
	$1 = &temp;
}

/* A release is a tuple (hold_id, memo, idempotency_key, category,
 * actor). */
%typemap(in) const points_release *req (points_release temp) {
	points_release_init(&temp, POINTS_RELEASE_VERSION);
	if (!POINTS_PY_REQUEST($input, "release", "zzzzz",
	    "hold_id memo idempotency_key category actor", &temp.hold_id,
	    &temp.memo, &temp.idempotency_key, &temp.category, &temp.actor))
		SWIG_fail;
	$1 = &temp;
}

/* A forfeiture is a tuple (account, to, memo, idempotency_key, category,
 * actor). */
%typemap(in) const points_forfeit *req (points_forfeit temp) {
	long long account, to;

	points_forfeit_init(&temp, POINTS_FORFEIT_VERSION);
	if (!POINTS_PY_REQUEST($input, "forfeit", "LLzzzz",
	    "account to memo idempotency_key category actor", &account, &to,
	    &temp.memo, &temp.idempotency_key, &temp.category, &temp.actor))
		SWIG_fail;
	temp.account = account;
	temp.to = to;
	$1 = &temp;
}

/* Kept heads are a sequence of tuples (partition, seq, hash): ChainHead
 * records, or any such tuples.  A hash that is not text, or too long to
 * be one, is refused as the library refuses a malformed one. */
%typemap(in) (const points_chain_head *kept, size_t nkept)
    (PyObject *pyseq = NULL) {
	Py_ssize_t i, n;

	pyseq = PySequence_Fast($input, "kept heads: a sequence of ChainHead");
	if (pyseq == NULL)
		SWIG_fail;
	n = PySequence_Fast_GET_SIZE(pyseq);
	$1 = NULL;
	$2 = (size_t)n;
	if (n > 0 && ($1 = calloc((size_t)n, sizeof(*$1))) == NULL) {
		PyErr_NoMemory();
		SWIG_fail;
	}
	for (i = 0; i < n; i++) {
		long long part, s;
		const char *hash;
		char msg[96];

		if (!POINTS_PY_REQUEST(PySequence_Fast_GET_ITEM(pyseq, i),
		    "chain head", "LLz", "partition seq hash", &part, &s,
		    &hash))
			SWIG_fail;
		if (hash == NULL)
			hash = ""; /* refused by the library */
		if (strlen(hash) > POINTS_CHAIN_HASH_HEX) {
			snprintf(msg, sizeof(msg), "kept head %zd: the hash "
			    "must be %d lowercase hex digits", i,
			    POINTS_CHAIN_HASH_HEX);
			points_py_raise(POINTS_EINVAL, msg);
			SWIG_fail;
		}
		$1[i].partition = part;
		$1[i].seq = s;
		strcpy($1[i].hash, hash);
	}
}
%typemap(freearg) (const points_chain_head *kept, size_t nkept) {
	free($1);
	Py_XDECREF(pyseq$argnum);
}

/* Every partition's head comes back as a list of tuples (partition, seq,
 * hash): the count is asked first, so the list holds them all. */
%typemap(in, numinputs=0) (points_chain_head *out, size_t cap, size_t *n)
    (size_t count = 0) {
	$1 = NULL;
	$2 = 0;
	$3 = &count;
}
/* After every in typemap: the handle is converted by then. */
%typemap(check) (points_chain_head *out, size_t cap, size_t *n) {
	if (points_chain_heads_get(arg1, NULL, 0, $3) == POINTS_OK &&
	    *$3 > 0) {
		if (($1 = calloc(*$3, sizeof(*$1))) == NULL) {
			PyErr_NoMemory();
			SWIG_fail;
		}
		$2 = *$3;
	}
}
%typemap(argout) (points_chain_head *out, size_t cap, size_t *n) {
	size_t i, k = *$3 < $2 ? *$3 : $2;
	PyObject *list, *h;

	Py_DECREF($result);
	if ((list = PyList_New((Py_ssize_t)k)) == NULL)
		SWIG_fail;
	$result = list;
	for (i = 0; i < k; i++) {
		h = points_py_record(POINTS_SWIG_RECORD(points_chain_head),
		    &$1[i]);
		if (h == NULL)
			SWIG_fail;
		PyList_SET_ITEM(list, (Py_ssize_t)i, h);
	}
}
%typemap(freearg) (points_chain_head *out, size_t cap, size_t *n) {
	free($1);
}

POINTS_SWIG_DECLARATIONS
