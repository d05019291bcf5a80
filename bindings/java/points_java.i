/*
 * points_java.i - the Java interface of libpoints: the package-private
 * classes capi and capiJNI of org.libpoints.  What both languages share
 * is in bindings/points.i; this file adds the Java exceptions, strings
 * as UTF-8, requests read from Java objects, and records built as Java
 * records through JNI (one builder and one constructor look-up, walking
 * bindings/records.def; the records' Java source is generated from the
 * same table by gen_records.py).
 */
%module capi

/* Records: an immutable Java object; null at the end of an iterator.
 * Their proxies would be dead code.  points.i applies this to every
 * record of records.def. */
%define POINTS_SWIG_RECORD_OUT(TYPE)
%ignore TYPE;
%typemap(in, numinputs=0) TYPE *out (TYPE temp) {
	memset(&temp, 0, sizeof(temp));
	$1 = &temp;
}
%typemap(argout) TYPE *out {
	if (result == POINTS_OK)
		$result = points_java_record(jenv, POINTS_SWIG_RECORD(TYPE), $1);
}
%enddef

%include "points.i"

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
	jclass exc, corrupt, posting, reversal, capture, release, forfeit;
	jmethodID exc_create, corrupt_attach;
	/* Each record's class and from-C constructor, by its index in
	 * points_swig_records. */
	jclass rec_class[POINTS_SWIG_NRECORDS];
	jmethodID rec_new[POINTS_SWIG_NRECORDS];
	jfieldID p_asset, p_account, p_counterparty, p_amount, p_memo, p_key,
	    p_time, p_expires_at;
	jfieldID r_txn_id, r_amount, r_memo, r_key, r_flags;
	jfieldID c_hold_id, c_amount, c_to, c_memo, c_key;
	jfieldID l_hold_id, l_memo, l_key;
	jfieldID f_account, f_to, f_memo, f_key;
	/* category8 and actor8 (Request.java) of Posting, Reversal,
	 * Capture, Release, Forfeit */
	jfieldID meta[5][2];
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

/* Each record's class, org/libpoints/<java_class>, and its from-C
 * constructor, whose parameters are the table's fields in order as JNI
 * passes them: J for I64, I for INT and UINT, [B for STR.  0 when one is
 * missing (an exception is pending). */
static int
points_java_load_records(JNIEnv *jenv)
{
	char name[64], sig[3 * POINTS_SWIG_MAX_FIELDS + 4];
	size_t i, j, n;

	for (i = 0; i < POINTS_SWIG_NRECORDS; i++) {
		const points_swig_record *d = &points_swig_records[i];

		if ((size_t)snprintf(name, sizeof(name), "org/libpoints/%s",
		    d->java_class) >= sizeof(name))
			return 0;
		if ((points_jni.rec_class[i] = points_java_class(jenv, name))
		    == NULL)
			return 0;
		n = 0;
		sig[n++] = '(';
		for (j = 0; j < d->nfields; j++) {
			switch (d->fields[j].kind) {
			case POINTS_SWIG_I64:
				sig[n++] = 'J';
				break;
			case POINTS_SWIG_INT:
			case POINTS_SWIG_UINT:
				sig[n++] = 'I';
				break;
			case POINTS_SWIG_STR:
				sig[n++] = '[';
				sig[n++] = 'B';
				break;
			}
		}
		memcpy(sig + n, ")V", 3);
		if ((points_jni.rec_new[i] = (*jenv)->GetMethodID(jenv,
		    points_jni.rec_class[i], "<init>", sig)) == NULL)
			return 0;
	}
	return 1;
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
#define POINTS_JNI_FIELD_OF(cls, field, name, sig) \
	if ((points_jni.field = (*jenv)->GetFieldID(jenv, points_jni.cls, \
	    name, sig)) == NULL) \
		return JNI_ERR
#define POINTS_JNI_FIELD(field, name, sig) \
	POINTS_JNI_FIELD_OF(posting, field, name, sig)
	POINTS_JNI_CLASS(exc, "org/libpoints/PointsException");
	POINTS_JNI_CLASS(corrupt, "org/libpoints/CorruptException");
	POINTS_JNI_CLASS(posting, "org/libpoints/Posting");
	POINTS_JNI_CLASS(reversal, "org/libpoints/Reversal");
	POINTS_JNI_CLASS(capture, "org/libpoints/Capture");
	POINTS_JNI_CLASS(release, "org/libpoints/Release");
	POINTS_JNI_CLASS(forfeit, "org/libpoints/Forfeit");
	if ((points_jni.exc_create = (*jenv)->GetStaticMethodID(jenv,
	    points_jni.exc, "create",
	    "(I[B[B)Lorg/libpoints/PointsException;")) == NULL)
		return JNI_ERR;
	if ((points_jni.corrupt_attach = (*jenv)->GetMethodID(jenv,
	    points_jni.corrupt, "attach", "(Lorg/libpoints/VerifyReport;)V"))
	    == NULL)
		return JNI_ERR;
	if (!points_java_load_records(jenv))
		return JNI_ERR;
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
	POINTS_JNI_FIELD_OF(reversal, r_flags, "flags", "I");
	POINTS_JNI_FIELD_OF(capture, c_hold_id, "holdId8", "[B");
	POINTS_JNI_FIELD_OF(capture, c_amount, "amount", "J");
	POINTS_JNI_FIELD_OF(capture, c_to, "to", "J");
	POINTS_JNI_FIELD_OF(capture, c_memo, "memo8", "[B");
	POINTS_JNI_FIELD_OF(capture, c_key, "idempotencyKey8", "[B");
	POINTS_JNI_FIELD_OF(release, l_hold_id, "holdId8", "[B");
	POINTS_JNI_FIELD_OF(forfeit, f_account, "account", "J");
	POINTS_JNI_FIELD_OF(forfeit, f_to, "to", "J");
	POINTS_JNI_FIELD_OF(forfeit, f_memo, "memo8", "[B");
	POINTS_JNI_FIELD_OF(forfeit, f_key, "idempotencyKey8", "[B");
	POINTS_JNI_FIELD_OF(release, l_memo, "memo8", "[B");
	POINTS_JNI_FIELD_OF(release, l_key, "idempotencyKey8", "[B");
	POINTS_JNI_FIELD_OF(posting, meta[0][0], "category8", "[B");
	POINTS_JNI_FIELD_OF(posting, meta[0][1], "actor8", "[B");
	POINTS_JNI_FIELD_OF(reversal, meta[1][0], "category8", "[B");
	POINTS_JNI_FIELD_OF(reversal, meta[1][1], "actor8", "[B");
	POINTS_JNI_FIELD_OF(capture, meta[2][0], "category8", "[B");
	POINTS_JNI_FIELD_OF(capture, meta[2][1], "actor8", "[B");
	POINTS_JNI_FIELD_OF(release, meta[3][0], "category8", "[B");
	POINTS_JNI_FIELD_OF(release, meta[3][1], "actor8", "[B");
	POINTS_JNI_FIELD_OF(forfeit, meta[4][0], "category8", "[B");
	POINTS_JNI_FIELD_OF(forfeit, meta[4][1], "actor8", "[B");
#undef POINTS_JNI_CLASS
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

/* A record as its Java object, built through the table: the from-C
 * constructor gets each field in order (strings as UTF-8 byte[]).  NULL
 * with an exception pending when that fails. */
static jobject
points_java_record(JNIEnv *jenv, const points_swig_record *d, const void *r)
{
	jvalue args[POINTS_SWIG_MAX_FIELDS];
	jobject o = NULL;
	size_t i;

	if ((*jenv)->ExceptionCheck(jenv))
		return NULL;
	memset(args, 0, sizeof(args));
	for (i = 0; i < d->nfields; i++) {
		const points_swig_field *f = &d->fields[i];
		const char *p = POINTS_SWIG_AT(r, f);
		int64_t i64;
		int n;
		unsigned int u;

		switch (f->kind) {
		case POINTS_SWIG_I64:
			memcpy(&i64, p, sizeof(i64));
			args[i].j = (jlong)i64;
			break;
		case POINTS_SWIG_INT:
			memcpy(&n, p, sizeof(n));
			args[i].i = (jint)n;
			break;
		case POINTS_SWIG_UINT:
			memcpy(&u, p, sizeof(u));
			args[i].i = (jint)u;
			break;
		case POINTS_SWIG_STR:
			args[i].l = points_java_bytes(jenv, p);
			break;
		}
	}
	if (!(*jenv)->ExceptionCheck(jenv))
		o = (*jenv)->NewObjectA(jenv,
		    points_jni.rec_class[d - points_swig_records],
		    points_jni.rec_new[d - points_swig_records], args);
	for (i = 0; i < d->nfields; i++)
		if (d->fields[i].kind == POINTS_SWIG_STR && args[i].l != NULL)
			(*jenv)->DeleteLocalRef(jenv, args[i].l);
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
	rep = points_java_record(jenv, POINTS_SWIG_RECORD(points_verify_report),
	    r);
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

/* A request's category and actor (version 2 of each request struct),
 * pinned while the call runs. */
typedef struct points_java_meta_strs {
	jbyteArray category, actor;
} points_java_meta_strs;

/* Pin the category8 and actor8 of request o, of kind k (0 Posting, 1
 * Reversal, 2 Capture, 3 Release, 4 Forfeit); 0 when an exception is
 * pending. */
static int
points_java_meta_pin(JNIEnv *jenv, jobject o, int k, points_java_meta_strs *s,
    const char **category, const char **actor)
{
	s->category = (*jenv)->GetObjectField(jenv, o, points_jni.meta[k][0]);
	s->actor = (*jenv)->GetObjectField(jenv, o, points_jni.meta[k][1]);
	*category = points_java_pin(jenv, s->category);
	*actor = points_java_pin(jenv, s->actor);
	return !(*jenv)->ExceptionCheck(jenv);
}

static void
points_java_meta_unpin(JNIEnv *jenv, points_java_meta_strs *s,
    const char *category, const char *actor)
{
	points_java_unpin(jenv, s->category, (char *)category);
	points_java_unpin(jenv, s->actor, (char *)actor);
}

/* A Posting's strings, pinned while the call runs. */
typedef struct points_java_posting_strs {
	jbyteArray asset, memo, key;
	points_java_meta_strs meta;
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
	if ((*jenv)->ExceptionCheck(jenv))
		return 0;
	return points_java_meta_pin(jenv, o, 0, &s->meta, &p->category,
	    &p->actor);
}

static void
points_java_posting_release(JNIEnv *jenv, const points_posting *p,
    points_java_posting_strs *s)
{
	points_java_unpin(jenv, s->asset, (char *)p->asset);
	points_java_unpin(jenv, s->memo, (char *)p->memo);
	points_java_unpin(jenv, s->key, (char *)p->idempotency_key);
	points_java_meta_unpin(jenv, &s->meta, p->category, p->actor);
}

/* The strings of a reversal, capture or release request, pinned while
 * the call runs: the id, the memo, the idempotency key. */
typedef struct points_java_request_strs {
	jbyteArray id, memo, key;
	points_java_meta_strs meta;
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
	r->flags = (unsigned int)(*jenv)->GetIntField(jenv, o,
	    points_jni.r_flags);
	return points_java_request_pin(jenv, o, points_jni.r_txn_id,
	    points_jni.r_memo, points_jni.r_key, s, &r->txn_id, &r->memo,
	    &r->idempotency_key) &&
	    points_java_meta_pin(jenv, o, 1, &s->meta, &r->category,
	    &r->actor);
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
	    &c->idempotency_key) &&
	    points_java_meta_pin(jenv, o, 2, &s->meta, &c->category,
	    &c->actor);
}

static int
points_java_release_in(JNIEnv *jenv, jobject o, points_release *r,
    points_java_request_strs *s)
{
	points_release_init(r, POINTS_RELEASE_VERSION);
	return points_java_request_pin(jenv, o, points_jni.l_hold_id,
	    points_jni.l_memo, points_jni.l_key, s, &r->hold_id, &r->memo,
	    &r->idempotency_key) &&
	    points_java_meta_pin(jenv, o, 3, &s->meta, &r->category,
	    &r->actor);
}

/* Fill a forfeiture from org.libpoints.Forfeit (no id string: s->id
 * stays NULL); 0 when an exception is pending. */
static int
points_java_forfeit_in(JNIEnv *jenv, jobject o, points_forfeit *f,
    points_java_request_strs *s)
{
	points_forfeit_init(f, POINTS_FORFEIT_VERSION);
	f->account = (*jenv)->GetLongField(jenv, o, points_jni.f_account);
	f->to = (*jenv)->GetLongField(jenv, o, points_jni.f_to);
	s->id = NULL;
	s->memo = (*jenv)->GetObjectField(jenv, o, points_jni.f_memo);
	s->key = (*jenv)->GetObjectField(jenv, o, points_jni.f_key);
	f->memo = points_java_pin(jenv, s->memo);
	f->idempotency_key = points_java_pin(jenv, s->key);
	if ((*jenv)->ExceptionCheck(jenv))
		return 0;
	return points_java_meta_pin(jenv, o, 4, &s->meta, &f->category,
	    &f->actor);
}

/* Kept chain heads: an org.libpoints.ChainHead[] (null: none), read into
 * *out (free it) field by field; 0 with an exception pending when one
 * is null, its hash too long to be one, or memory runs out. */
static int
points_java_heads_in(JNIEnv *jenv, jobjectArray a, points_chain_head **out,
    size_t *n)
{
	jsize i, len;
	char msg[96];

	*out = NULL;
	*n = 0;
	if (a == NULL || (len = (*jenv)->GetArrayLength(jenv, a)) == 0)
		return 1;
	if ((*out = calloc((size_t)len, sizeof(**out))) == NULL) {
		points_java_raise(jenv, POINTS_ENOMEM, "out of memory");
		return 0;
	}
	*n = (size_t)len;
	for (i = 0; i < len; i++) {
		jobject h = (*jenv)->GetObjectArrayElement(jenv, a, i);
		jclass c;
		jfieldID fp, fs, fh;
		jstring hash;
		const char *u;
		int ok = 0;

		if (h == NULL) {
			snprintf(msg, sizeof(msg), "kept head %d is null",
			    (int)i);
			points_java_raise(jenv, POINTS_EINVAL, msg);
			break;
		}
		c = (*jenv)->GetObjectClass(jenv, h);
		fp = (*jenv)->GetFieldID(jenv, c, "partition", "J");
		fs = fp ? (*jenv)->GetFieldID(jenv, c, "seq", "J") : NULL;
		fh = fs ? (*jenv)->GetFieldID(jenv, c, "hash",
		    "Ljava/lang/String;") : NULL;
		if (fh != NULL) {
			(*out)[i].partition = (*jenv)->GetLongField(jenv, h, fp);
			(*out)[i].seq = (*jenv)->GetLongField(jenv, h, fs);
			hash = (jstring)(*jenv)->GetObjectField(jenv, h, fh);
			u = hash ? (*jenv)->GetStringUTFChars(jenv, hash, NULL) :
			    "";
			if (u != NULL && strlen(u) <= POINTS_CHAIN_HASH_HEX) {
				strcpy((*out)[i].hash, u);
				ok = 1;
			} else if (u != NULL) {
				snprintf(msg, sizeof(msg), "kept head %d: the "
				    "hash must be %d lowercase hex digits",
				    (int)i, POINTS_CHAIN_HASH_HEX);
				points_java_raise(jenv, POINTS_EINVAL, msg);
			}
			if (hash && u)
				(*jenv)->ReleaseStringUTFChars(jenv, hash, u);
			if (hash)
				(*jenv)->DeleteLocalRef(jenv, hash);
		}
		(*jenv)->DeleteLocalRef(jenv, c);
		(*jenv)->DeleteLocalRef(jenv, h);
		if (!ok)
			break;
	}
	if (i < len) {
		free(*out);
		*out = NULL;
		return 0;
	}
	return 1;
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
%javaconstvalue(1) POINTS_REVERSE_NO_DEBT;
%javaconstvalue(1) POINTS_IMPORT_ALL_OR_NOTHING;
%javaconstvalue(4) POINTS_ACCOUNT_POOL;
%javaconstvalue(1) POINTS_ASSET_NO_TRANSFER;
%javaconstvalue(1) POINTS_DRAWS_WON;
%javaconstvalue(1) POINTS_KS_INTKEY;
%javaconstvalue(2) POINTS_KS_ORDERED;
%javaconstvalue(4) POINTS_KS_INT64;
%javaconstvalue(8) POINTS_KS_REWRITTEN;
%javaconstvalue(15) POINTS_KS_FLAGS;
%javaconstvalue(1) POINTS_RULE_EXCLUSIVE;
%javaconstvalue(1) POINTS_ITEMS_LISTED;
%javaconstvalue(2) POINTS_ITEMS_IN_STOCK;
%javaconstvalue(4) POINTS_ITEMS_AFFORDABLE;
%javaconstvalue(1) POINTS_ITEM_CHANGED_CREATED;
%javaconstvalue(2) POINTS_ITEM_CHANGED_DETAILS;
%javaconstvalue(4) POINTS_ITEM_CHANGED_PRICE;
%javaconstvalue(8) POINTS_ITEM_CHANGED_STOCK;
%javaconstvalue(16) POINTS_ITEM_CHANGED_LISTING;
%javaconstvalue(32) POINTS_ITEM_CHANGED_TIER_PRICE;
%javaconstvalue(64) POINTS_ITEM_CHANGED_FLASH;
%javaconstvalue(128) POINTS_ITEM_CHANGED_WINDOW;
%javaconstvalue(256) POINTS_ITEM_CHANGED_LIMITS;
%javaconstvalue(512) POINTS_ITEM_CHANGED_BUNDLE;
%javaconstvalue(2) POINTS_RULE_NO_TIER;
%javaconstvalue(4) POINTS_RULE_WINDOW_ONLY;
%javaconstvalue(8) POINTS_RULE_APPROVAL;
%javaconstvalue(1) POINTS_GRANT_EXPIRE_AT_END;
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


/* Strings: NUL-ended UTF-8 byte[] below, java.lang.String above. */
%typemap(jni) const char *, char * "jbyteArray"
%typemap(jtype) const char *, char * "byte[]"
%typemap(jstype) const char *, char * "String"
%typemap(javain) const char *, char * "Utf8.encode($javainput, \"$javainput\")"
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
			points_java_meta_unpin(jenv, &strs.meta, temp.category,
			    temp.actor);
			return $null;
		}
	}
}
%typemap(freearg) const CTYPE *req {
	points_java_request_unpin(jenv, &strs$argnum, temp$argnum.ID,
	    temp$argnum.memo, temp$argnum.idempotency_key);
	points_java_meta_unpin(jenv, &strs$argnum.meta, temp$argnum.category,
	    temp$argnum.actor);
}
%enddef
/* Kept chain heads: a ChainHead[]. */
%typemap(jni) (const points_chain_head *kept, size_t nkept) "jobjectArray"
%typemap(jtype) (const points_chain_head *kept, size_t nkept) "ChainHead[]"
%typemap(jstype) (const points_chain_head *kept, size_t nkept) "ChainHead[]"
%typemap(javain) (const points_chain_head *kept, size_t nkept) "$javainput"
%typemap(in) (const points_chain_head *kept, size_t nkept) {
	if (!points_java_heads_in(jenv, $input, &$1, &$2))
		return $null;
}
%typemap(freearg) (const points_chain_head *kept, size_t nkept) {
	free($1);
}

POINTS_JAVA_REQUEST_IN(points_reversal, Reversal, points_java_reversal_in,
    txn_id)
POINTS_JAVA_REQUEST_IN(points_capture, Capture, points_java_capture_in,
    hold_id)
POINTS_JAVA_REQUEST_IN(points_release, Release, points_java_release_in,
    hold_id)

/* A forfeiture: org.libpoints.Forfeit. */
%typemap(jni) const points_forfeit *req "jobject"
%typemap(jtype) const points_forfeit *req "Forfeit"
%typemap(jstype) const points_forfeit *req "Forfeit"
%typemap(javain) const points_forfeit *req "$javainput"
%typemap(in) const points_forfeit *req (points_forfeit temp,
    points_java_request_strs strs) {
	memset(&strs, 0, sizeof(strs));
	memset(&temp, 0, sizeof(temp));
	$1 = NULL;
	if ($input != NULL) {
		$1 = &temp;
		if (!points_java_forfeit_in(jenv, $input, &temp, &strs)) {
			points_java_request_unpin(jenv, &strs, NULL, temp.memo,
			    temp.idempotency_key);
			points_java_meta_unpin(jenv, &strs.meta, temp.category,
			    temp.actor);
			return $null;
		}
	}
}
%typemap(freearg) const points_forfeit *req {
	points_java_request_unpin(jenv, &strs$argnum, NULL, temp$argnum.memo,
	    temp$argnum.idempotency_key);
	points_java_meta_unpin(jenv, &strs$argnum.meta, temp$argnum.category,
	    temp$argnum.actor);
}

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
POINTS_JAVA_HANDLE_OUT(points_account_history_iterator)
POINTS_JAVA_HANDLE_OUT(points_rule_history_iterator)
POINTS_JAVA_HANDLE_OUT(points_rule_iterator)
POINTS_JAVA_HANDLE_OUT(points_approval_iterator)
POINTS_JAVA_HANDLE_OUT(points_grant_award_iterator)
POINTS_JAVA_HANDLE_OUT(points_export_iterator)
POINTS_JAVA_HANDLE_OUT(points_import)
POINTS_JAVA_HANDLE_OUT(points_expiry_forecast_iterator)
POINTS_JAVA_HANDLE_OUT(points_report_iterator)
POINTS_JAVA_HANDLE_OUT(points_leaderboard_iterator)
POINTS_JAVA_HANDLE_OUT(points_settlement_iterator)
POINTS_JAVA_HANDLE_OUT(points_lottery_draw_iterator)
POINTS_JAVA_HANDLE_OUT(points_summary_iterator)
POINTS_JAVA_HANDLE_OUT(points_recommendation_iterator)
POINTS_JAVA_HANDLE_OUT(points_event_result)
POINTS_JAVA_HANDLE_OUT(points_item_iterator)
POINTS_JAVA_HANDLE_OUT(points_trigger_iterator)
POINTS_JAVA_HANDLE_OUT(points_item_history_iterator)
POINTS_JAVA_HANDLE_OUT(points_order_iterator)
POINTS_JAVA_HANDLE_OUT(points_order_history_iterator)
POINTS_JAVA_HANDLE_OUT(points_order_code_iterator)
POINTS_JAVA_HANDLE_OUT(points_bundle_part_iterator)
POINTS_JAVA_HANDLE_OUT(points_auction_bid_iterator)
POINTS_JAVA_HANDLE_OUT(points_backtest)
POINTS_JAVA_RETURNS_HANDLE(points_open, SWIGTYPE_p_points_db)
POINTS_JAVA_RETURNS_HANDLE(points_open_store, SWIGTYPE_p_points_db)
POINTS_JAVA_RETURNS_HANDLE(points_restore, SWIGTYPE_p_points_db)
/* One opaque type per list, as in C: a wrong kind does not compile. */
POINTS_JAVA_RETURNS_HANDLE(points_account_iterator_new,
    SWIGTYPE_p_points_account_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_statement_iterator_new,
    SWIGTYPE_p_points_statement_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_lot_iterator_new,
    SWIGTYPE_p_points_lot_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_account_history_iterator_new,
    SWIGTYPE_p_points_account_history_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_rule_history_iterator_new,
    SWIGTYPE_p_points_rule_history_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_rule_iterator_new,
    SWIGTYPE_p_points_rule_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_approval_iterator_new,
    SWIGTYPE_p_points_approval_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_grant_award_iterator_new,
    SWIGTYPE_p_points_grant_award_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_export_iterator_new,
    SWIGTYPE_p_points_export_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_import_new, SWIGTYPE_p_points_import)
POINTS_JAVA_RETURNS_HANDLE(points_expiry_forecast_iterator_new,
    SWIGTYPE_p_points_expiry_forecast_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_report_iterator_new,
    SWIGTYPE_p_points_report_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_leaderboard_iterator_new,
    SWIGTYPE_p_points_leaderboard_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_settlement_iterator_new,
    SWIGTYPE_p_points_settlement_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_lottery_draw_iterator_new,
    SWIGTYPE_p_points_lottery_draw_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_department_summary_iterator_new,
    SWIGTYPE_p_points_summary_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_recommendation_iterator_new,
    SWIGTYPE_p_points_recommendation_iterator)
/* An event's result: EventResult reads it and frees it at once. */
POINTS_JAVA_RETURNS_HANDLE(points_event_apply, SWIGTYPE_p_points_event_result)
POINTS_JAVA_RETURNS_HANDLE(points_event_preview,
    SWIGTYPE_p_points_event_result)
POINTS_JAVA_RETURNS_HANDLE(points_event_get, SWIGTYPE_p_points_event_result)
POINTS_JAVA_RETURNS_HANDLE(points_event_reverse,
    SWIGTYPE_p_points_event_result)
POINTS_JAVA_RETURNS_HANDLE(points_event_fields, SWIGTYPE_p_points_event_result)
POINTS_JAVA_RETURNS_HANDLE(points_event_reverse_fields,
    SWIGTYPE_p_points_event_result)
POINTS_JAVA_RETURNS_HANDLE(points_item_iterator_new,
    SWIGTYPE_p_points_item_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_trigger_iterator_new,
    SWIGTYPE_p_points_trigger_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_auction_bid_iterator_new,
    SWIGTYPE_p_points_auction_bid_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_item_query_iterator_new,
    SWIGTYPE_p_points_item_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_item_query_fields,
    SWIGTYPE_p_points_item_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_item_history_iterator_new,
    SWIGTYPE_p_points_item_history_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_order_iterator_new,
    SWIGTYPE_p_points_order_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_order_history_iterator_new,
    SWIGTYPE_p_points_order_history_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_order_code_iterator_new,
    SWIGTYPE_p_points_order_code_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_bundle_part_iterator_new,
    SWIGTYPE_p_points_bundle_part_iterator)
POINTS_JAVA_RETURNS_HANDLE(points_order_part_iterator_new,
    SWIGTYPE_p_points_bundle_part_iterator)
/* A backtest's result: Backtest reads it and frees it at once. */
POINTS_JAVA_RETURNS_HANDLE(points_rule_backtest, SWIGTYPE_p_points_backtest)
POINTS_JAVA_RETURNS_HANDLE(points_store_open, SWIGTYPE_p_points_store)
POINTS_JAVA_RETURNS_HANDLE(points_store_fault_new, SWIGTYPE_p_points_store)

%typemap(in, numinputs=0) int64_t *out (int64_t temp = 0) { $1 = &temp; }
%typemap(argout) int64_t *out {
	if (result >= 0)
		$result = (jlong)*$1;
}
POINTS_JAVA_RETURNS(points_account_create, jlong, long)
POINTS_JAVA_RETURNS(points_item_tier_price_get, jlong, long)
POINTS_JAVA_RETURNS(points_item_price_for, jlong, long)
POINTS_JAVA_RETURNS(points_item_next_opening, jlong, long)
POINTS_JAVA_RETURNS(points_order_units_in_period, jlong, long)
POINTS_JAVA_RETURNS(points_mall_min_balance_get, jlong, long)
POINTS_JAVA_RETURNS(points_outbox_prune, jlong, long)
POINTS_JAVA_RETURNS(points_outbox_expiring_get, jlong, long)
POINTS_JAVA_RETURNS(points_lottery_create, jlong, long)
POINTS_JAVA_RETURNS(points_lottery_audit, jlong, long)
POINTS_JAVA_RETURNS(points_auction_create, jlong, long)

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
%typemap(jni) int points_rule_expr_get "jbyteArray"
%typemap(jtype) int points_rule_expr_get "byte[]"
%typemap(jstype) int points_rule_expr_get "String"
%typemap(javaout) int points_rule_expr_get {
    return Utf8.decode($jnicall);
  }
%typemap(out) int points_rule_expr_get ""
%typemap(jni) int points_grant_expr_get "jbyteArray"
%typemap(jtype) int points_grant_expr_get "byte[]"
%typemap(jstype) int points_grant_expr_get "String"
%typemap(javaout) int points_grant_expr_get {
    return Utf8.decode($jnicall);
  }
%typemap(out) int points_grant_expr_get ""
/* An export's line, or null at the end (POINTS_ITEROVER). */
%typemap(jni) int points_export_next "jbyteArray"
%typemap(jtype) int points_export_next "byte[]"
%typemap(jstype) int points_export_next "String"
%typemap(javaout) int points_export_next {
    return Utf8.decode($jnicall);
  }
%typemap(out) int points_export_next ""

/* Records: the generic typemaps (POINTS_SWIG_RECORD_OUT, applied by
 * points.i to every record), but a verify report also goes with
 * POINTS_ECORRUPT. */
%typemap(in, numinputs=0) points_verify_report *out (points_verify_report temp) {
	memset(&temp, 0, sizeof(temp));
	$1 = &temp;
}
%typemap(argout) points_verify_report *out {
	if (result == POINTS_OK)
		$result = points_java_record(jenv,
		    POINTS_SWIG_RECORD(points_verify_report), $1);
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
POINTS_JAVA_RETURNS(points_pool_fund, jobject, Txn)
POINTS_JAVA_RETURNS(points_pool_defund, jobject, Txn)
POINTS_JAVA_RETURNS(points_reverse, jobject, Txn)
POINTS_JAVA_RETURNS(points_txn_get, jobject, Txn)
POINTS_JAVA_RETURNS(points_hold_create, jobject, Txn)
POINTS_JAVA_RETURNS(points_hold_capture, jobject, Txn)
POINTS_JAVA_RETURNS(points_hold_release, jobject, Txn)
POINTS_JAVA_RETURNS(points_statement_next, jobject, Entry)
POINTS_JAVA_RETURNS(points_lot_next, jobject, Lot)
POINTS_JAVA_RETURNS(points_liability_get, jobject, Liability)
POINTS_JAVA_RETURNS(points_import_next, jobject, ImportLine)
POINTS_JAVA_RETURNS(points_import_finish, jobject, ImportSummary)
POINTS_JAVA_RETURNS(points_expiry_forecast_next, jobject, ExpiryMonth)
POINTS_JAVA_RETURNS(points_report_next, jobject, ReportRow)
POINTS_JAVA_RETURNS(points_leaderboard_next, jobject, Leader)
POINTS_JAVA_RETURNS(points_settlement_next, jobject, Settlement)
POINTS_JAVA_RETURNS(points_department_summary_next, jobject, Summary)
POINTS_JAVA_RETURNS(points_account_summary_get, jobject, Summary)
POINTS_JAVA_RETURNS(points_recommendation_next, jobject, Recommendation)
POINTS_JAVA_RETURNS(points_hold_get, jobject, HoldInfo)
POINTS_JAVA_RETURNS(points_expire_sweep, jobject, SweepReport)
POINTS_JAVA_RETURNS(points_account_forfeit, jobject, ForfeitReport)
POINTS_JAVA_RETURNS(points_expire_sweep_asset, jobject, SweepReport)
POINTS_JAVA_RETURNS(points_verify, jobject, VerifyReport)
POINTS_JAVA_RETURNS(points_verify_head, jobject, VerifyReport)
POINTS_JAVA_RETURNS(points_chain_head_get, jobject, ChainHead)
POINTS_JAVA_RETURNS(points_settings_get, jobject, Settings)
POINTS_JAVA_RETURNS(points_account_apply, jobject, Account)
POINTS_JAVA_RETURNS(points_account_apply_fields, jobject, Account)
POINTS_JAVA_RETURNS(points_account_history_next, jobject, AccountChange)
POINTS_JAVA_RETURNS(points_rule_save, jobject, Rule)
POINTS_JAVA_RETURNS(points_rule_save_fields, jobject, Rule)
POINTS_JAVA_RETURNS(points_rule_set_state, jobject, Rule)
POINTS_JAVA_RETURNS(points_rule_get, jobject, Rule)
POINTS_JAVA_RETURNS(points_rule_history_next, jobject, Rule)
POINTS_JAVA_RETURNS(points_rule_next, jobject, Rule)
POINTS_JAVA_RETURNS(points_tier_get, jobject, Tier)
POINTS_JAVA_RETURNS(points_tier_sweep, jobject, TierSweepReport)
POINTS_JAVA_RETURNS(points_tier_earned, jlong, long)
POINTS_JAVA_RETURNS(points_event_result_summary, jobject, EventSummary)
POINTS_JAVA_RETURNS(points_event_result_outcome, jobject, RuleOutcome)
POINTS_JAVA_RETURNS(points_item_create, jobject, Item)
POINTS_JAVA_RETURNS(points_item_update, jobject, Item)
POINTS_JAVA_RETURNS(points_item_save_fields, jobject, Item)
POINTS_JAVA_RETURNS(points_item_restock, jobject, Item)
POINTS_JAVA_RETURNS(points_item_set_listed, jobject, Item)
POINTS_JAVA_RETURNS(points_item_set_tier_price, jobject, Item)
POINTS_JAVA_RETURNS(points_item_set_flash, jobject, Item)
POINTS_JAVA_RETURNS(points_item_set_window, jobject, Item)
POINTS_JAVA_RETURNS(points_bundle_set_part, jobject, Item)
POINTS_JAVA_RETURNS(points_item_set_period_limit, jobject, Item)
POINTS_JAVA_RETURNS(points_mall_set_window, jobject, MallSettings)
POINTS_JAVA_RETURNS(points_mall_settings_get, jobject, MallSettings)
POINTS_JAVA_RETURNS(points_mall_set_cash_ratio, jobject, CashRatio)
POINTS_JAVA_RETURNS(points_mall_set_pay_order, jobject, MallSettings)
POINTS_JAVA_RETURNS(points_mall_cash_ratio_get, jobject, CashRatio)
POINTS_JAVA_RETURNS(points_item_get, jobject, Item)
POINTS_JAVA_RETURNS(points_item_next, jobject, Item)
POINTS_JAVA_RETURNS(points_item_history_next, jobject, ItemChange)
POINTS_JAVA_RETURNS(points_outbox_next, jobject, OutboxEvent)
POINTS_JAVA_RETURNS(points_trigger_set, jobject, Trigger)
POINTS_JAVA_RETURNS(points_trigger_next, jobject, Trigger)
POINTS_JAVA_RETURNS(points_order_place, jobject, Order)
POINTS_JAVA_RETURNS(points_order_place_fields, jobject, Order)
POINTS_JAVA_RETURNS(points_order_approve, jobject, Order)
POINTS_JAVA_RETURNS(points_order_cancel, jobject, Order)
POINTS_JAVA_RETURNS(points_order_ship, jobject, Order)
POINTS_JAVA_RETURNS(points_order_deliver, jobject, Order)
POINTS_JAVA_RETURNS(points_order_return, jobject, Order)
POINTS_JAVA_RETURNS(points_order_get, jobject, Order)
POINTS_JAVA_RETURNS(points_order_exchange, jobject, Order)
POINTS_JAVA_RETURNS(points_order_switch, jobject, Order)
POINTS_JAVA_RETURNS(points_order_next, jobject, Order)
POINTS_JAVA_RETURNS(points_order_history_next, jobject, OrderChange)
POINTS_JAVA_RETURNS(points_order_code_next, jobject, OrderCode)
POINTS_JAVA_RETURNS(points_item_codes_add, jobject, CodePool)
POINTS_JAVA_RETURNS(points_item_codes_get, jobject, CodePool)
POINTS_JAVA_RETURNS(points_bundle_part_next, jobject, BundlePart)
POINTS_JAVA_RETURNS(points_backtest_summary_get, jobject, BacktestSummary)
POINTS_JAVA_RETURNS(points_backtest_row_get, jobject, BacktestRow)
POINTS_JAVA_RETURNS(points_approval_nominate, jobject, Approval)
POINTS_JAVA_RETURNS(points_approval_nominate_fields, jobject, Approval)
POINTS_JAVA_RETURNS(points_approval_approve, jobject, Approval)
POINTS_JAVA_RETURNS(points_approval_reject, jobject, Approval)
POINTS_JAVA_RETURNS(points_approval_get, jobject, Approval)
POINTS_JAVA_RETURNS(points_approval_next, jobject, Approval)
POINTS_JAVA_RETURNS(points_grant_save, jobject, Grant)
POINTS_JAVA_RETURNS(points_grant_save_fields, jobject, Grant)
POINTS_JAVA_RETURNS(points_grant_set_state, jobject, Grant)
POINTS_JAVA_RETURNS(points_grant_get, jobject, Grant)
POINTS_JAVA_RETURNS(points_grant_run, jobject, GrantReport)
POINTS_JAVA_RETURNS(points_grant_run_due, jobject, GrantReport)
POINTS_JAVA_RETURNS(points_grant_award_get, jobject, GrantAward)
POINTS_JAVA_RETURNS(points_grant_award_next, jobject, GrantAward)
POINTS_JAVA_RETURNS(points_lottery_get, jobject, Lottery)
POINTS_JAVA_RETURNS(points_lottery_prize_get, jobject, LotteryPrize)
POINTS_JAVA_RETURNS(points_lottery_draw_once, jobject, LotteryDraw)
POINTS_JAVA_RETURNS(points_lottery_draw_get, jobject, LotteryDraw)
POINTS_JAVA_RETURNS(points_auction_get, jobject, Auction)
POINTS_JAVA_RETURNS(points_auction_bid, jobject, Bid)
POINTS_JAVA_RETURNS(points_auction_bid_get, jobject, Bid)
POINTS_JAVA_RETURNS(points_auction_bid_next, jobject, Bid)
POINTS_JAVA_RETURNS(points_lottery_draw_next, jobject, LotteryDraw)
POINTS_JAVA_RETURNS(points_lottery_results_get, jobject, LotteryResults)
/* Every partition's head comes back as a ChainHead[]: the count is asked
 * first, so the array holds them all. */
POINTS_JAVA_RETURNS(points_chain_heads_get, jobjectArray, ChainHead[])
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
			points_java_raise(jenv, POINTS_ENOMEM, "out of memory");
			return $null;
		}
		$2 = *$3;
	}
}
%typemap(argout) (points_chain_head *out, size_t cap, size_t *n) {
	if (result == POINTS_OK) {
		size_t i, k = *$3 < $2 ? *$3 : $2;
		jobjectArray a = (*jenv)->NewObjectArray(jenv, (jsize)k,
		    points_jni.rec_class[POINTS_SWIG_REC_points_chain_head],
		    NULL);

		for (i = 0; a != NULL && i < k; i++) {
			jobject h = points_java_record(jenv,
			    POINTS_SWIG_RECORD(points_chain_head), &$1[i]);

			if (h == NULL) {
				a = NULL;
				break;
			}
			(*jenv)->SetObjectArrayElement(jenv, a, (jsize)i, h);
			(*jenv)->DeleteLocalRef(jenv, h);
		}
		$result = a;
	}
}
%typemap(freearg) (points_chain_head *out, size_t cap, size_t *n) {
	free($1);
}

POINTS_SWIG_DECLARATIONS
