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
 * The idiomatic layers (bindings/python/points,
 * bindings/java/src/org/libpoints)
 * sit above and tie object lifetimes to the ledger handle.
 */
%module(package="points") capi

%{
#include "points.h"
#include "points/sys/store.h"
#include "points/sys/fault.h"
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

/* points_verify fills its report on POINTS_ECORRUPT too: the exception
 * carries it as .report, a tuple the package names. */
%{
static void
points_py_attach_report(const points_verify_report *r)
{
	PyObject *type, *value, *tb, *rep;

	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	rep = Py_BuildValue("(LLLs)", (long long)r->entries,
	    (long long)r->balances, (long long)r->bad_seq, r->message);
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

/* Requests come in as tuples, so the proxies' strings are never set. */
%immutable points_posting::asset;
%immutable points_posting::memo;
%immutable points_posting::idempotency_key;
%immutable points_reversal::txn_id;
%immutable points_reversal::memo;
%immutable points_reversal::idempotency_key;
%immutable points_capture::hold_id;
%immutable points_capture::memo;
%immutable points_capture::idempotency_key;
%immutable points_release::hold_id;
%immutable points_release::memo;
%immutable points_release::idempotency_key;

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
#endif /* SWIGPYTHON */

/* ==== Java (owned by the Java binding) ==== */
#if defined(SWIGJAVA)
/*
 * The generated layer lives in package org.libpoints (swig -package) and
 * is package-private: users see only the idiomatic classes written by
 * hand in bindings/java/src/org/libpoints.  Strings cross as NUL-ended
 * UTF-8 byte arrays (Utf8.java), not through GetStringUTFChars, whose
 * "modified UTF-8" the library rejects for characters beyond the BMP.
 * Records come back as immutable Java objects built here through JNI.
 */
%{
/* Classes, constructors and fields, looked up once in JNI_OnLoad (where
 * FindClass uses the class loader that loaded this library). */
static struct {
	jclass exc, corrupt, asset, account, balance, txn, entry, lot, hold,
	    sweep, verify, posting, reversal, capture, release;
	jmethodID exc_create, corrupt_attach, asset_new, account_new,
	    balance_new, txn_new, entry_new, lot_new, hold_new, sweep_new,
	    verify_new;
	jfieldID p_asset, p_account, p_counterparty, p_amount, p_memo, p_key,
	    p_time, p_expires_at;
	jfieldID r_txn_id, r_amount, r_memo, r_key;
	jfieldID c_hold_id, c_amount, c_to, c_memo, c_key;
	jfieldID l_hold_id, l_memo, l_key;
} points_jni;

static jclass
points_java_class(JNIEnv *jenv, const char *name)
{
	jclass local = (*jenv)->FindClass(jenv, name), global;

	if (local == NULL)
		return NULL;
	global = (*jenv)->NewGlobalRef(jenv, local);
	(*jenv)->DeleteLocalRef(jenv, local);
	return global;
}

SWIGEXPORT jint JNICALL
JNI_OnLoad(JavaVM *vm, void *reserved)
{
	JNIEnv *jenv;

	(void)reserved;
	if ((*vm)->GetEnv(vm, (void **)&jenv, JNI_VERSION_1_8) != JNI_OK)
		return JNI_ERR;
#define POINTS_JNI_CLASS(field, name) \
	if ((points_jni.field = points_java_class(jenv, name)) == NULL) \
		return JNI_ERR
#define POINTS_JNI_CTOR(field, cls, sig) \
	if ((points_jni.field = (*jenv)->GetMethodID(jenv, points_jni.cls, \
	    "<init>", sig)) == NULL) \
		return JNI_ERR
#define POINTS_JNI_FIELD_OF(cls, field, name, sig) \
	if ((points_jni.field = (*jenv)->GetFieldID(jenv, points_jni.cls, \
	    name, sig)) == NULL) \
		return JNI_ERR
#define POINTS_JNI_FIELD(field, name, sig) \
	POINTS_JNI_FIELD_OF(posting, field, name, sig)
	POINTS_JNI_CLASS(exc, "org/libpoints/PointsException");
	POINTS_JNI_CLASS(corrupt, "org/libpoints/CorruptException");
	POINTS_JNI_CLASS(asset, "org/libpoints/Asset");
	POINTS_JNI_CLASS(account, "org/libpoints/Account");
	POINTS_JNI_CLASS(balance, "org/libpoints/Balance");
	POINTS_JNI_CLASS(txn, "org/libpoints/Txn");
	POINTS_JNI_CLASS(entry, "org/libpoints/Entry");
	POINTS_JNI_CLASS(lot, "org/libpoints/Lot");
	POINTS_JNI_CLASS(hold, "org/libpoints/HoldInfo");
	POINTS_JNI_CLASS(sweep, "org/libpoints/SweepReport");
	POINTS_JNI_CLASS(verify, "org/libpoints/VerifyReport");
	POINTS_JNI_CLASS(posting, "org/libpoints/Posting");
	POINTS_JNI_CLASS(reversal, "org/libpoints/Reversal");
	POINTS_JNI_CLASS(capture, "org/libpoints/Capture");
	POINTS_JNI_CLASS(release, "org/libpoints/Release");
	if ((points_jni.exc_create = (*jenv)->GetStaticMethodID(jenv,
	    points_jni.exc, "create",
	    "(I[B[B)Lorg/libpoints/PointsException;")) == NULL)
		return JNI_ERR;
	if ((points_jni.corrupt_attach = (*jenv)->GetMethodID(jenv,
	    points_jni.corrupt, "attach", "(Lorg/libpoints/VerifyReport;)V"))
	    == NULL)
		return JNI_ERR;
	/* The constructors take the C struct's fields in their order. */
	POINTS_JNI_CTOR(asset_new, asset, "([BIII)V");
	POINTS_JNI_CTOR(account_new, account, "(J[B[B[B[BIIJ)V");
	POINTS_JNI_CTOR(balance_new, balance, "(J[BJJJJJ)V");
	POINTS_JNI_CTOR(txn_new, txn, "([BJIJ[BJJJ[B[BI)V");
	POINTS_JNI_CTOR(entry_new, entry, "([BJIJJ[BJJJ[B)V");
	POINTS_JNI_CTOR(lot_new, lot, "(J[BJJ)V");
	POINTS_JNI_CTOR(hold_new, hold, "([BJ[BJJJI)V");
	POINTS_JNI_CTOR(sweep_new, sweep, "(JJJJ)V");
	POINTS_JNI_CTOR(verify_new, verify, "(JJJ[B)V");
	POINTS_JNI_FIELD(p_asset, "asset8", "[B");
	POINTS_JNI_FIELD(p_account, "account", "J");
	POINTS_JNI_FIELD(p_counterparty, "counterparty", "J");
	POINTS_JNI_FIELD(p_amount, "amount", "J");
	POINTS_JNI_FIELD(p_memo, "memo8", "[B");
	POINTS_JNI_FIELD(p_key, "idempotencyKey8", "[B");
	POINTS_JNI_FIELD(p_time, "time", "J");
	POINTS_JNI_FIELD(p_expires_at, "expiresAt", "J");
	POINTS_JNI_FIELD_OF(reversal, r_txn_id, "txnId8", "[B");
	POINTS_JNI_FIELD_OF(reversal, r_amount, "amount", "J");
	POINTS_JNI_FIELD_OF(reversal, r_memo, "memo8", "[B");
	POINTS_JNI_FIELD_OF(reversal, r_key, "idempotencyKey8", "[B");
	POINTS_JNI_FIELD_OF(capture, c_hold_id, "holdId8", "[B");
	POINTS_JNI_FIELD_OF(capture, c_amount, "amount", "J");
	POINTS_JNI_FIELD_OF(capture, c_to, "to", "J");
	POINTS_JNI_FIELD_OF(capture, c_memo, "memo8", "[B");
	POINTS_JNI_FIELD_OF(capture, c_key, "idempotencyKey8", "[B");
	POINTS_JNI_FIELD_OF(release, l_hold_id, "holdId8", "[B");
	POINTS_JNI_FIELD_OF(release, l_memo, "memo8", "[B");
	POINTS_JNI_FIELD_OF(release, l_key, "idempotencyKey8", "[B");
#undef POINTS_JNI_CLASS
#undef POINTS_JNI_CTOR
#undef POINTS_JNI_FIELD
#undef POINTS_JNI_FIELD_OF
	return JNI_VERSION_1_8;
}

/* A C string as a Java byte[] (UTF-8, no NUL); NULL stays null.  Does
 * nothing while an exception is pending, so calls can be chained. */
static jbyteArray
points_java_bytes(JNIEnv *jenv, const char *s)
{
	jbyteArray a;
	jsize n;

	if (s == NULL || (*jenv)->ExceptionCheck(jenv))
		return NULL;
	n = (jsize)strlen(s);
	if ((a = (*jenv)->NewByteArray(jenv, n)) == NULL)
		return NULL;
	(*jenv)->SetByteArrayRegion(jenv, a, 0, n, (const jbyte *)s);
	return a;
}

static void
points_java_unref(JNIEnv *jenv, jobject a, jobject b, jobject c, jobject d)
{
	if (a != NULL)
		(*jenv)->DeleteLocalRef(jenv, a);
	if (b != NULL)
		(*jenv)->DeleteLocalRef(jenv, b);
	if (c != NULL)
		(*jenv)->DeleteLocalRef(jenv, c);
	if (d != NULL)
		(*jenv)->DeleteLocalRef(jenv, d);
}

/* Throw PointsException.create(code, strerror, message): the class
 * hierarchy lives in Java (PointsException.java), where users read it. */
static void
points_java_raise(JNIEnv *jenv, int code, const char *msg)
{
	jbyteArray name, text;
	jobject exc = NULL;

	if ((*jenv)->ExceptionCheck(jenv))
		return;
	name = points_java_bytes(jenv, points_strerror(code));
	text = points_java_bytes(jenv, msg);
	if (!(*jenv)->ExceptionCheck(jenv))
		exc = (*jenv)->CallStaticObjectMethod(jenv, points_jni.exc,
		    points_jni.exc_create, (jint)code, name, text);
	if (exc != NULL && !(*jenv)->ExceptionCheck(jenv))
		(*jenv)->Throw(jenv, (jthrowable)exc);
	points_java_unref(jenv, name, text, exc, NULL);
}

static jobject
points_java_asset(JNIEnv *jenv, const points_asset *r)
{
	jbyteArray code = points_java_bytes(jenv, r->code);
	jobject o = NULL;

	if (!(*jenv)->ExceptionCheck(jenv))
		o = (*jenv)->NewObject(jenv, points_jni.asset,
		    points_jni.asset_new, code, (jint)r->decimals,
		    (jint)r->expiry_policy, (jint)r->expiry_n);
	points_java_unref(jenv, code, NULL, NULL, NULL);
	return o;
}

static jobject
points_java_account(JNIEnv *jenv, const points_account *r)
{
	jbyteArray ext = points_java_bytes(jenv, r->external_id);
	jbyteArray name = points_java_bytes(jenv, r->name);
	jbyteArray tier = points_java_bytes(jenv, r->tier);
	jbyteArray dept = points_java_bytes(jenv, r->department);
	jobject o = NULL;

	if (!(*jenv)->ExceptionCheck(jenv))
		o = (*jenv)->NewObject(jenv, points_jni.account,
		    points_jni.account_new, (jlong)r->id, ext, name, tier,
		    dept, (jint)r->status, (jint)r->flags,
		    (jlong)r->created_at);
	points_java_unref(jenv, ext, name, tier, dept);
	return o;
}

static jobject
points_java_balance(JNIEnv *jenv, const points_balance *r)
{
	jbyteArray asset = points_java_bytes(jenv, r->asset);
	jobject o = NULL;

	if (!(*jenv)->ExceptionCheck(jenv))
		o = (*jenv)->NewObject(jenv, points_jni.balance,
		    points_jni.balance_new, (jlong)r->account, asset,
		    (jlong)r->available, (jlong)r->held, (jlong)r->earned,
		    (jlong)r->spent, (jlong)r->expired);
	points_java_unref(jenv, asset, NULL, NULL, NULL);
	return o;
}

static jobject
points_java_txn(JNIEnv *jenv, const points_txn *r)
{
	jbyteArray id = points_java_bytes(jenv, r->id);
	jbyteArray asset = points_java_bytes(jenv, r->asset);
	jbyteArray ref = points_java_bytes(jenv, r->ref);
	jbyteArray memo = points_java_bytes(jenv, r->memo);
	jobject o = NULL;

	if (!(*jenv)->ExceptionCheck(jenv))
		o = (*jenv)->NewObject(jenv, points_jni.txn,
		    points_jni.txn_new, id, (jlong)r->seq, (jint)r->type,
		    (jlong)r->time, asset, (jlong)r->from, (jlong)r->to,
		    (jlong)r->amount, ref, memo, (jint)r->replayed);
	points_java_unref(jenv, id, asset, ref, memo);
	return o;
}

static jobject
points_java_entry(JNIEnv *jenv, const points_entry *r)
{
	jbyteArray id = points_java_bytes(jenv, r->txn_id);
	jbyteArray asset = points_java_bytes(jenv, r->asset);
	jbyteArray memo = points_java_bytes(jenv, r->memo);
	jobject o = NULL;

	if (!(*jenv)->ExceptionCheck(jenv))
		o = (*jenv)->NewObject(jenv, points_jni.entry,
		    points_jni.entry_new, id, (jlong)r->seq, (jint)r->type,
		    (jlong)r->time, (jlong)r->account, asset,
		    (jlong)r->amount, (jlong)r->held, (jlong)r->counterparty,
		    memo);
	points_java_unref(jenv, id, asset, memo, NULL);
	return o;
}

static jobject
points_java_lot(JNIEnv *jenv, const points_lot *r)
{
	jbyteArray asset = points_java_bytes(jenv, r->asset);
	jobject o = NULL;

	if (!(*jenv)->ExceptionCheck(jenv))
		o = (*jenv)->NewObject(jenv, points_jni.lot,
		    points_jni.lot_new, (jlong)r->account, asset,
		    (jlong)r->expires_at, (jlong)r->amount);
	points_java_unref(jenv, asset, NULL, NULL, NULL);
	return o;
}

static jobject
points_java_hold(JNIEnv *jenv, const points_hold *r)
{
	jbyteArray id = points_java_bytes(jenv, r->id);
	jbyteArray asset = points_java_bytes(jenv, r->asset);
	jobject o = NULL;

	if (!(*jenv)->ExceptionCheck(jenv))
		o = (*jenv)->NewObject(jenv, points_jni.hold,
		    points_jni.hold_new, id, (jlong)r->account, asset,
		    (jlong)r->amount, (jlong)r->captured,
		    (jlong)r->expires_at, (jint)r->state);
	points_java_unref(jenv, id, asset, NULL, NULL);
	return o;
}

static jobject
points_java_sweep_report(JNIEnv *jenv, const points_sweep_report *r)
{
	if ((*jenv)->ExceptionCheck(jenv))
		return NULL;
	return (*jenv)->NewObject(jenv, points_jni.sweep, points_jni.sweep_new,
	    (jlong)r->accounts, (jlong)r->lots, (jlong)r->points,
	    (jlong)r->holds);
}

static jobject
points_java_verify_report(JNIEnv *jenv, const points_verify_report *r)
{
	jbyteArray msg = points_java_bytes(jenv, r->message);
	jobject o = NULL;

	if (!(*jenv)->ExceptionCheck(jenv))
		o = (*jenv)->NewObject(jenv, points_jni.verify,
		    points_jni.verify_new, (jlong)r->entries,
		    (jlong)r->balances, (jlong)r->bad_seq, msg);
	points_java_unref(jenv, msg, NULL, NULL, NULL);
	return o;
}

/* points_verify fills its report on POINTS_ECORRUPT too: hand it to the
 * CorruptException already thrown, so report() names the bad entry. */
static void
points_java_attach_report(JNIEnv *jenv, const points_verify_report *r)
{
	jthrowable exc = (*jenv)->ExceptionOccurred(jenv);
	jobject rep;

	if (exc == NULL)
		return;
	(*jenv)->ExceptionClear(jenv);
	rep = points_java_verify_report(jenv, r);
	if (rep != NULL && (*jenv)->IsInstanceOf(jenv, exc, points_jni.corrupt))
		(*jenv)->CallVoidMethod(jenv, exc, points_jni.corrupt_attach,
		    rep);
	(*jenv)->ExceptionClear(jenv); /* the first exception wins */
	(*jenv)->Throw(jenv, exc);
	points_java_unref(jenv, rep, exc, NULL, NULL);
}

/* A byte[] argument pinned (or copied) for the call; see freearg. */
static char *
points_java_pin(JNIEnv *jenv, jbyteArray a)
{
	if (a == NULL || (*jenv)->ExceptionCheck(jenv))
		return NULL;
	return (char *)(*jenv)->GetByteArrayElements(jenv, a, NULL);
}

static void
points_java_unpin(JNIEnv *jenv, jbyteArray a, char *s)
{
	if (a != NULL && s != NULL)
		(*jenv)->ReleaseByteArrayElements(jenv, a, (jbyte *)s,
		    JNI_ABORT);
}

/* A Posting's strings, pinned while the call runs. */
typedef struct points_java_posting_strs {
	jbyteArray asset, memo, key;
} points_java_posting_strs;

/* Fill p from an org.libpoints.Posting; 0 when an exception is pending. */
static int
points_java_posting_in(JNIEnv *jenv, jobject o, points_posting *p,
    points_java_posting_strs *s)
{
	points_posting_init(p, POINTS_POSTING_VERSION);
	s->asset = (*jenv)->GetObjectField(jenv, o, points_jni.p_asset);
	s->memo = (*jenv)->GetObjectField(jenv, o, points_jni.p_memo);
	s->key = (*jenv)->GetObjectField(jenv, o, points_jni.p_key);
	p->account = (*jenv)->GetLongField(jenv, o, points_jni.p_account);
	p->counterparty = (*jenv)->GetLongField(jenv, o,
	    points_jni.p_counterparty);
	p->amount = (*jenv)->GetLongField(jenv, o, points_jni.p_amount);
	p->time = (*jenv)->GetLongField(jenv, o, points_jni.p_time);
	p->expires_at = (*jenv)->GetLongField(jenv, o, points_jni.p_expires_at);
	p->asset = points_java_pin(jenv, s->asset);
	p->memo = points_java_pin(jenv, s->memo);
	p->idempotency_key = points_java_pin(jenv, s->key);
	return !(*jenv)->ExceptionCheck(jenv);
}

static void
points_java_posting_release(JNIEnv *jenv, const points_posting *p,
    points_java_posting_strs *s)
{
	points_java_unpin(jenv, s->asset, (char *)p->asset);
	points_java_unpin(jenv, s->memo, (char *)p->memo);
	points_java_unpin(jenv, s->key, (char *)p->idempotency_key);
}

/* The strings of a reversal, capture or release request, pinned while
 * the call runs: the id, the memo, the idempotency key. */
typedef struct points_java_request_strs {
	jbyteArray id, memo, key;
} points_java_request_strs;

/* Pin the request's strings: 0 when an exception is pending. */
static int
points_java_request_pin(JNIEnv *jenv, jobject o, jfieldID id, jfieldID memo,
    jfieldID key, points_java_request_strs *s, const char **ids,
    const char **memos, const char **keys)
{
	s->id = (*jenv)->GetObjectField(jenv, o, id);
	s->memo = (*jenv)->GetObjectField(jenv, o, memo);
	s->key = (*jenv)->GetObjectField(jenv, o, key);
	*ids = points_java_pin(jenv, s->id);
	*memos = points_java_pin(jenv, s->memo);
	*keys = points_java_pin(jenv, s->key);
	return !(*jenv)->ExceptionCheck(jenv);
}

static void
points_java_request_unpin(JNIEnv *jenv, points_java_request_strs *s,
    const char *id, const char *memo, const char *key)
{
	points_java_unpin(jenv, s->id, (char *)id);
	points_java_unpin(jenv, s->memo, (char *)memo);
	points_java_unpin(jenv, s->key, (char *)key);
}

/* Fill a request struct from org.libpoints.Reversal, Capture or
 * Release, each initialized as of the version this wrapper was compiled
 * with; 0 when an exception is pending. */
static int
points_java_reversal_in(JNIEnv *jenv, jobject o, points_reversal *r,
    points_java_request_strs *s)
{
	points_reversal_init(r, POINTS_REVERSAL_VERSION);
	r->amount = (*jenv)->GetLongField(jenv, o, points_jni.r_amount);
	return points_java_request_pin(jenv, o, points_jni.r_txn_id,
	    points_jni.r_memo, points_jni.r_key, s, &r->txn_id, &r->memo,
	    &r->idempotency_key);
}

static int
points_java_capture_in(JNIEnv *jenv, jobject o, points_capture *c,
    points_java_request_strs *s)
{
	points_capture_init(c, POINTS_CAPTURE_VERSION);
	c->amount = (*jenv)->GetLongField(jenv, o, points_jni.c_amount);
	c->to = (*jenv)->GetLongField(jenv, o, points_jni.c_to);
	return points_java_request_pin(jenv, o, points_jni.c_hold_id,
	    points_jni.c_memo, points_jni.c_key, s, &c->hold_id, &c->memo,
	    &c->idempotency_key);
}

static int
points_java_release_in(JNIEnv *jenv, jobject o, points_release *r,
    points_java_request_strs *s)
{
	points_release_init(r, POINTS_RELEASE_VERSION);
	return points_java_request_pin(jenv, o, points_jni.l_hold_id,
	    points_jni.l_memo, points_jni.l_key, s, &r->hold_id, &r->memo,
	    &r->idempotency_key);
}

/* Throw, and go on: the typemaps below check result, and the freearg
 * typemaps still run to unpin the arguments (JNI allows releasing with an
 * exception pending).  Java ignores the value returned with it. */
#define POINTS_SWIG_RAISE(code, db) \
	points_java_raise(jenv, (code), points_swig_message((code), (db)))
/* Raise first: the message lives in the handle about to be closed. */
#define POINTS_SWIG_RAISE_OPEN(code, db) do { \
	points_java_raise(jenv, (code), points_swig_message((code), (db))); \
	points_close(db); \
} while (0)
%}

%javaconst(1);
/* Java has no unsigned literals. */
%javaconstvalue(1) POINTS_ACCOUNT_SYSTEM;
%javaconstvalue(2) POINTS_ACCOUNT_ALLOW_NEGATIVE;
%javaconstvalue(1) POINTS_KS_INTKEY;
%javaconstvalue(2) POINTS_KS_ORDERED;
%javaconstvalue(3) POINTS_KS_FLAGS;
%pragma(java) jniclassclassmodifiers="final class"
%pragma(java) moduleclassmodifiers="final class"
%pragma(java) jniclasscode=%{
  static {
    NativeLoader.load();
  }
%}
%typemap(javaclassmodifiers) SWIGTYPE, SWIGTYPE *, SWIGTYPE &,
    SWIGTYPE [] "final class"
/* No finalize(): the idiomatic layer deletes what it allocates. */
%typemap(javafinalize) SWIGTYPE ""

/* The records come back as Java objects (below), so their proxies would
 * be dead code.  The requests' proxies stay for their *_init functions;
 * their strings are read-only so no setter can leak a copy. */
%ignore points_asset;
%ignore points_account;
%ignore points_balance;
%ignore points_txn;
%ignore points_entry;
%ignore points_lot;
%ignore points_hold;
%ignore points_sweep_report;
%ignore points_verify_report;
%immutable points_posting::asset;
%immutable points_posting::memo;
%immutable points_posting::idempotency_key;
%immutable points_reversal::txn_id;
%immutable points_reversal::memo;
%immutable points_reversal::idempotency_key;
%immutable points_capture::hold_id;
%immutable points_capture::memo;
%immutable points_capture::idempotency_key;
%immutable points_release::hold_id;
%immutable points_release::memo;
%immutable points_release::idempotency_key;

/* Strings: NUL-ended UTF-8 byte[] below, java.lang.String above. */
%typemap(jni) const char *, char * "jbyteArray"
%typemap(jtype) const char *, char * "byte[]"
%typemap(jstype) const char *, char * "String"
%typemap(javain) const char *, char * "Utf8.encode($javainput)"
%typemap(javaout) const char *, char * { return Utf8.decode($jnicall); }
/* Pinning fails only when the JVM is out of memory (OutOfMemoryError is
 * pending); the wrapper then returns before the call. */
%typemap(in) const char *, char * {
	$1 = points_java_pin(jenv, $input);
	if ($input != NULL && $1 == NULL)
		return $null;
}
%typemap(freearg) const char *, char * {
	points_java_unpin(jenv, $input, (char *)$1);
}
%typemap(out) const char *, char * { $result = points_java_bytes(jenv, $1); }

/* A posting is an org.libpoints.Posting, read field by field; null is
 * passed on as NULL (the library says POINTS_EINVAL). */
%typemap(jni) const points_posting *p "jobject"
%typemap(jtype) const points_posting *p "Posting"
%typemap(jstype) const points_posting *p "Posting"
%typemap(javain) const points_posting *p "$javainput"
%typemap(in) const points_posting *p (points_posting temp,
    points_java_posting_strs strs) {
	memset(&strs, 0, sizeof(strs));
	memset(&temp, 0, sizeof(temp));
	$1 = NULL;
	if ($input != NULL) {
		$1 = &temp;
		if (!points_java_posting_in(jenv, $input, &temp, &strs)) {
			points_java_posting_release(jenv, &temp, &strs);
			return $null;
		}
	}
}
%typemap(freearg) const points_posting *p {
	points_java_posting_release(jenv, &temp$argnum, &strs$argnum);
}

/* Reversals, captures and releases: org.libpoints.Reversal, Capture and
 * Release, read field by field as postings are. */
%define POINTS_JAVA_REQUEST_IN(CTYPE, JTYPE, READ, ID)
%typemap(jni) const CTYPE *req "jobject"
%typemap(jtype) const CTYPE *req #JTYPE
%typemap(jstype) const CTYPE *req #JTYPE
%typemap(javain) const CTYPE *req "$javainput"
%typemap(in) const CTYPE *req (CTYPE temp, points_java_request_strs strs) {
	memset(&strs, 0, sizeof(strs));
	memset(&temp, 0, sizeof(temp));
	$1 = NULL;
	if ($input != NULL) {
		$1 = &temp;
		if (!READ(jenv, $input, &temp, &strs)) {
			points_java_request_unpin(jenv, &strs, temp.ID,
			    temp.memo, temp.idempotency_key);
			return $null;
		}
	}
}
%typemap(freearg) const CTYPE *req {
	points_java_request_unpin(jenv, &strs$argnum, temp$argnum.ID,
	    temp$argnum.memo, temp$argnum.idempotency_key);
}
%enddef
POINTS_JAVA_REQUEST_IN(points_reversal, Reversal, points_java_reversal_in,
    txn_id)
POINTS_JAVA_REQUEST_IN(points_capture, Capture, points_java_capture_in,
    hold_id)
POINTS_JAVA_REQUEST_IN(points_release, Release, points_java_release_in,
    hold_id)

/* ---- Output parameters become return values. ---- */
/* The return value's typemaps are chosen by function name: what a
 * function returns in Java is what its out parameter holds. */
%define POINTS_JAVA_RETURNS(FUNC, JNI, JTYPE)
%typemap(jni) int FUNC #JNI
%typemap(jtype) int FUNC #JTYPE
%typemap(jstype) int FUNC #JTYPE
%typemap(javaout) int FUNC { return $jnicall; }
%typemap(out) int FUNC ""
%enddef
%define POINTS_JAVA_RETURNS_HANDLE(FUNC, JSTYPE)
%typemap(jni) int FUNC "jlong"
%typemap(jtype) int FUNC "long"
%typemap(jstype) int FUNC #JSTYPE
%typemap(javaout) int FUNC {
    long cPtr = $jnicall;
    return (cPtr == 0) ? null : new JSTYPE(cPtr, false);
  }
%typemap(out) int FUNC ""
%enddef

/* Handles: the new handle, or nothing when the call threw. */
%define POINTS_JAVA_HANDLE_OUT(TYPE)
%typemap(in, numinputs=0) TYPE **out (TYPE *temp = NULL) { $1 = &temp; }
%typemap(argout) TYPE **out {
	if (result >= 0)
		*(TYPE **)&$result = *$1;
}
%enddef
POINTS_JAVA_HANDLE_OUT(points_db)
POINTS_JAVA_HANDLE_OUT(points_store)
POINTS_JAVA_HANDLE_OUT(points_account_iterator)
POINTS_JAVA_HANDLE_OUT(points_statement_iterator)
POINTS_JAVA_HANDLE_OUT(points_lot_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_open, SWIGTYPE_p_points_db)
POINTS_JAVA_RETURNS_HANDLE(points_open_store, SWIGTYPE_p_points_db)
/* One opaque type per list, as in C: a wrong kind does not compile. */
POINTS_JAVA_RETURNS_HANDLE(points_account_iterator_new,
    SWIGTYPE_p_points_account_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_statement_iterator_new,
    SWIGTYPE_p_points_statement_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_lot_iterator_new,
    SWIGTYPE_p_points_lot_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_store_open, SWIGTYPE_p_points_store)
POINTS_JAVA_RETURNS_HANDLE(points_store_fault_new, SWIGTYPE_p_points_store)

%typemap(in, numinputs=0) int64_t *out (int64_t temp = 0) { $1 = &temp; }
%typemap(argout) int64_t *out {
	if (result >= 0)
		$result = (jlong)*$1;
}
POINTS_JAVA_RETURNS(points_account_create, jlong, long)

/* The caller owns the string: copy it, then points_free it. */
%typemap(in, numinputs=0) char **out (char *temp = NULL) { $1 = &temp; }
%typemap(argout) char **out {
	if (result >= 0)
		$result = points_java_bytes(jenv, *$1);
}
%typemap(freearg) char **out { points_free(*$1); }
%typemap(jni) int points_account_attr_get "jbyteArray"
%typemap(jtype) int points_account_attr_get "byte[]"
%typemap(jstype) int points_account_attr_get "String"
%typemap(javaout) int points_account_attr_get {
    return Utf8.decode($jnicall);
  }
%typemap(out) int points_account_attr_get ""

/* Records: an immutable Java object; null at the end of an iterator. */
%define POINTS_JAVA_RECORD_OUT(TYPE, MAKE)
%typemap(in, numinputs=0) TYPE *out (TYPE temp) {
	memset(&temp, 0, sizeof(temp));
	$1 = &temp;
}
%typemap(argout) TYPE *out {
	if (result == POINTS_OK)
		$result = MAKE(jenv, $1);
}
%enddef
POINTS_JAVA_RECORD_OUT(points_asset, points_java_asset)
POINTS_JAVA_RECORD_OUT(points_account, points_java_account)
POINTS_JAVA_RECORD_OUT(points_balance, points_java_balance)
POINTS_JAVA_RECORD_OUT(points_txn, points_java_txn)
POINTS_JAVA_RECORD_OUT(points_entry, points_java_entry)
POINTS_JAVA_RECORD_OUT(points_lot, points_java_lot)
POINTS_JAVA_RECORD_OUT(points_hold, points_java_hold)
POINTS_JAVA_RECORD_OUT(points_sweep_report, points_java_sweep_report)
%typemap(in, numinputs=0) points_verify_report *out (points_verify_report temp) {
	memset(&temp, 0, sizeof(temp));
	$1 = &temp;
}
%typemap(argout) points_verify_report *out {
	if (result == POINTS_OK)
		$result = points_java_verify_report(jenv, $1);
	else if (result == POINTS_ECORRUPT)
		points_java_attach_report(jenv, $1);
}

POINTS_JAVA_RETURNS(points_asset_get, jobject, Asset)
POINTS_JAVA_RETURNS(points_account_get, jobject, Account)
POINTS_JAVA_RETURNS(points_account_find, jobject, Account)
POINTS_JAVA_RETURNS(points_account_next, jobject, Account)
POINTS_JAVA_RETURNS(points_balance_get, jobject, Balance)
POINTS_JAVA_RETURNS(points_earn, jobject, Txn)
POINTS_JAVA_RETURNS(points_spend, jobject, Txn)
POINTS_JAVA_RETURNS(points_transfer, jobject, Txn)
POINTS_JAVA_RETURNS(points_adjust, jobject, Txn)
POINTS_JAVA_RETURNS(points_reverse, jobject, Txn)
POINTS_JAVA_RETURNS(points_txn_get, jobject, Txn)
POINTS_JAVA_RETURNS(points_hold_create, jobject, Txn)
POINTS_JAVA_RETURNS(points_hold_capture, jobject, Txn)
POINTS_JAVA_RETURNS(points_hold_release, jobject, Txn)
POINTS_JAVA_RETURNS(points_statement_next, jobject, Entry)
POINTS_JAVA_RETURNS(points_lot_next, jobject, Lot)
POINTS_JAVA_RETURNS(points_hold_get, jobject, HoldInfo)
POINTS_JAVA_RETURNS(points_expire_sweep, jobject, SweepReport)
POINTS_JAVA_RETURNS(points_verify, jobject, VerifyReport)
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
POINTS_RECORD(points_reversal)
POINTS_RECORD(points_capture)
POINTS_RECORD(points_release)
POINTS_RECORD(points_txn)
POINTS_RECORD(points_entry)
POINTS_RECORD(points_lot)
POINTS_RECORD(points_sweep_report)
POINTS_RECORD(points_hold)
POINTS_RECORD(points_verify_report)

/* A store's vtable is for C backends; here a store is an opaque handle. */
%ignore points_store;

/* SWIG does not follow #include: every public header, in the order
 * points.h gathers them, then the backend interface. */
%include "points/common.h"
%include "points/db.h"
%include "points/asset.h"
%include "points/account.h"
%include "points/balance.h"
%include "points/txn.h"
%include "points/statement.h"
%include "points/lot.h"
%include "points/hold.h"
%include "points/verify.h"
%include "points/sys/store.h"
%include "points/sys/fault.h"
