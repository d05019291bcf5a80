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


/* A number of a request that does not fit int64_t is an Overflow. */
%{
static void
points_py_request_failed(const char *what)
{
	if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
		char msg[80];

		PyErr_Clear();
		snprintf(msg, sizeof(msg), "a %s's number is outside int64",
		    what);
		points_py_raise(POINTS_EOVERFLOW, msg);
	}
}
%}

/* A posting is a tuple (asset, account, counterparty, amount, memo,
 * idempotency_key, time, expires_at): no proxy object per call.  The
 * struct is initialized as of the version this wrapper was compiled
 * with, as every caller of the library should. */
%typemap(in) const points_posting *p (points_posting temp) {
	long long account, counterparty, amount, time, expires_at;

	points_posting_init(&temp, POINTS_POSTING_VERSION);
	if (!PyArg_ParseTuple($input, "zLLLzzLL:posting", &temp.asset,
	    &account, &counterparty, &amount, &temp.memo,
	    &temp.idempotency_key, &time, &expires_at)) {
		points_py_request_failed("posting");
		SWIG_fail;
	}
	temp.account = account;
	temp.counterparty = counterparty;
	temp.amount = amount;
	temp.time = time;
	temp.expires_at = expires_at;
	$1 = &temp;
}

/* A reversal is a tuple (txn_id, amount, memo, idempotency_key). */
%typemap(in) const points_reversal *req (points_reversal temp) {
	long long amount;

	points_reversal_init(&temp, POINTS_REVERSAL_VERSION);
	if (!PyArg_ParseTuple($input, "zLzz:reversal", &temp.txn_id, &amount,
	    &temp.memo, &temp.idempotency_key)) {
		points_py_request_failed("reversal");
		SWIG_fail;
	}
	temp.amount = amount;
	$1 = &temp;
}

/* A capture is a tuple (hold_id, amount, to, memo, idempotency_key). */
%typemap(in) const points_capture *req (points_capture temp) {
	long long amount, to;

	points_capture_init(&temp, POINTS_CAPTURE_VERSION);
	if (!PyArg_ParseTuple($input, "zLLzz:capture", &temp.hold_id, &amount,
	    &to, &temp.memo, &temp.idempotency_key)) {
		points_py_request_failed("capture");
		SWIG_fail;
	}
	temp.amount = amount;
	temp.to = to;
	$1 = &temp;
}

/* A release is a tuple (hold_id, memo, idempotency_key). */
%typemap(in) const points_release *req (points_release temp) {
	points_release_init(&temp, POINTS_RELEASE_VERSION);
	if (!PyArg_ParseTuple($input, "zzz:release", &temp.hold_id,
	    &temp.memo, &temp.idempotency_key)) {
		points_py_request_failed("release");
		SWIG_fail;
	}
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

		if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(pyseq, i),
		    "LLs:chain head", &part, &s, &hash)) {
			points_py_request_failed("chain head");
			SWIG_fail;
		}
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

POINTS_SWIG_DECLARATIONS
