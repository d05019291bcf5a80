/* check_uri.c - the store URI grammar of points_open and
 * points_store_open: every form that opens, every malformed one refused
 * with its code and a message naming the URI and the reason, and a
 * seeded random walk over option strings checked against a model of the
 * grammar that db.h documents. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "store/store.h"

/* points_open(uri) must fail with code, leave a handle whose message
 * names the URI and holds why, and create no file at path (if any). */
static void
refused(const char *uri, int code, const char *why, const char *path)
{
	points_db *d = NULL;
	points_store *s = NULL;
	int rc = points_open(uri, NULL, &d);

	ck_assert_msg(rc == code, "'%s': %d, not %d", uri, rc, code);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(points_errcode(d), code);
	ck_assert_msg(strstr(points_errmsg(d), uri) != NULL,
	    "'%s': message '%s' does not name it", uri, points_errmsg(d));
	ck_assert_msg(strstr(points_errmsg(d), why) != NULL,
	    "'%s': message '%s' lacks '%s'", uri, points_errmsg(d), why);
	points_close(d);
	ck_assert_int_eq(points_store_open(uri, &s), code);
	ck_assert_ptr_null(s);
	if (path)
		ck_assert_msg(access(path, F_OK) != 0, "'%s' created %s", uri,
		    path);
}

/* A fresh path in a temporary directory (not created). */
static const char *
fresh_path(void)
{
	static char path[128];
	static int n;

	snprintf(path, sizeof(path), "/tmp/points-uri-%ld-%d.db",
	    (long)getpid(), n++);
	unlink(path);
	return path;
}

START_TEST(test_memory_forms)
{
	static const char *const ok[] = { "memory:", "memory:?",
	    "memory:?mode=rwc" };
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		points_db *d = NULL;
		points_store *s = NULL;

		ck_assert_int_eq(points_open(ok[i], NULL, &d), POINTS_OK);
		ck_assert_int_eq(tu_account(d, "u1") > 0, 1);
		points_close(d);
		ck_assert_int_eq(points_store_open(ok[i], &s), POINTS_OK);
		ck_assert_str_eq(s->name, "memory");
		points_store_close(s);
	}
	refused("memory:?mode=rw", POINTS_EINVAL, "holds no ledger", NULL);
	refused("memory:?mode=rwc&sync=full", POINTS_EINVAL,
	    "bad memory option in 'mode=rwc&sync=full' (only mode=rwc)", NULL);
}
END_TEST

START_TEST(test_unknown_schemes)
{
	static const char *const bad[] = {
		"", "memory", "MEMORY:", "memory:x", "sqlite", "SQLITE:/tmp/x",
		"file:/tmp/x.db", "mysql://h/db", "postgresql:/h", "postgres:",
		" memory:",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(bad[i], POINTS_EINVAL, "unknown scheme (use memory:, "
		    "sqlite:PATH or postgresql://...)", NULL);
}
END_TEST

/* Each option value the grammar refuses: nothing opened, no file made. */
START_TEST(test_sqlite_bad_options)
{
	static const char *const opts[] = {
		"bogus=1", "sync", "sync=", "sync=FULL", "sync=sometimes",
		"busy_timeout=", "busy_timeout=-1", "busy_timeout=1x",
		"busy_timeout=2147483648", "exclusive=2", "exclusive=",
		"exclusive=yes", "mode=r", "mode=RW", "mode=rwcx",
		"wal_budget=0", "wal_budget=", "wal_budget=9223372036854775808",
		"sync=full&", "&sync=full", "sync=full&&mode=rw",
		"sync=full&bogus", "=1",
	};
	char uri[256], why[128];
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		const char *path = fresh_path();

		snprintf(uri, sizeof(uri), "sqlite:%s?%s", path, opts[i]);
		snprintf(why, sizeof(why), "bad sqlite option in '%s'",
		    opts[i]);
		refused(uri, POINTS_EINVAL, why, path);
	}
	refused("sqlite:", POINTS_EINVAL, "no file name after sqlite:", NULL);
	refused("sqlite:?sync=full", POINTS_EINVAL,
	    "no file name after sqlite:", NULL);
}
END_TEST

/* The largest values the options take, and each spelling, open a
 * store; a ledger made with all of them opens again with mode=rw. */
START_TEST(test_sqlite_good_options)
{
	static const char *const opts[] = {
		"", "busy_timeout=0", "busy_timeout=2147483647",
		"exclusive=0", "exclusive=1", "sync=normal", "sync=full",
		"sync=off", "mode=rwc", "wal_budget=1",
		"wal_budget=9223372036854775807", "sync=off&sync=full",
	};
	const char *all =
	    "busy_timeout=10&exclusive=1&sync=full&wal_budget=4096&mode=rwc";
	char uri[256];
	const char *path;
	points_db *d = NULL;
	points_account acc;
	int64_t a;
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		points_store *s = NULL;

		path = fresh_path();
		snprintf(uri, sizeof(uri), "sqlite:%s%s%s", path,
		    *opts[i] ? "?" : "", opts[i]);
		ck_assert_msg(points_store_open(uri, &s) == POINTS_OK, "'%s'",
		    uri);
		ck_assert_str_eq(s->name, "sqlite");
		points_store_close(s);
		unlink(path);
	}
	path = fresh_path();
	snprintf(uri, sizeof(uri), "sqlite:%s?%s", path, all);
	ck_assert_msg(points_open(uri, NULL, &d) == POINTS_OK, "'%s': %s",
	    uri, points_errmsg(d));
	a = tu_account(d, "u1");
	points_close(d);
	snprintf(uri, sizeof(uri), "sqlite:%s?mode=rw", path);
	ck_assert_int_eq(points_open(uri, NULL, &d), POINTS_OK);
	ck_assert_int_eq(points_account_get(d, a, &acc), POINTS_OK);
	points_close(d);
	unlink(path);
}
END_TEST

/* mode=rw opens an existing ledger only: a missing file, an empty
 * database, none created. */
START_TEST(test_sqlite_mode_rw)
{
	const char *path = fresh_path();
	char uri[256];
	FILE *f;

	snprintf(uri, sizeof(uri), "sqlite:%s?mode=rw", path);
	refused(uri, POINTS_ENOTFOUND, "no ledger there (no such file); "
	    "mode=rw opens an existing ledger only", path);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	refused(uri, POINTS_ENOTFOUND, "no ledger there (an empty "
	    "database)", NULL);
	unlink(path);
}
END_TEST

/* postgresql:// loads its store from a library; one that cannot be
 * loaded, or lacks the entry point, is a storage error saying which. */
START_TEST(test_postgres_library)
{
	const char *uri = "postgresql://nohost/db?schema=s1";

	setenv("POINTS_PG_LIBRARY", "/nonexistent/libpoints_pg.so", 1);
	refused(uri, POINTS_ESTORAGE, "postgresql: cannot load "
	    "/nonexistent/libpoints_pg.so (install libpoints_pg)", NULL);
	refused("postgres://nohost/db", POINTS_ESTORAGE, "cannot load", NULL);
	setenv("POINTS_PG_LIBRARY", "libm.so.6", 1);
	refused(uri, POINTS_ESTORAGE, "postgresql: libm.so.6 has no ", NULL);
	unsetenv("POINTS_PG_LIBRARY");
}
END_TEST

/* The stand-in store library (tests/pg_stub.c) beside this program. */
static const char *
stub_path(void)
{
	static char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 32);
	char *slash;

	ck_assert_int_gt(n, 0);
	path[n] = '\0';
	ck_assert_ptr_nonnull(slash = strrchr(path, '/'));
	strcpy(slash + 1, "pg_stub.so");
	return path;
}

/* A postgresql:// URI reaches the store's library as it is, less the
 * option schema=NAME wherever it stands among the others (with one
 * '&' of its own) and passed as the schema; an empty schema= or an
 * option only like it stays in the URI; a name of 64 bytes or more is
 * refused before the library is called. */
START_TEST(test_postgres_uri_reaches_the_store_without_its_schema)
{
	static const struct {
		const char *uri, *conninfo, *schema;
	} cases[] = {
		{ "postgresql://h/db", "postgresql://h/db", "(none)" },
		{ "postgres://h/db", "postgres://h/db", "(none)" },
		{ "postgresql://h/db?", "postgresql://h/db?", "(none)" },
		{ "postgresql://h/db?schema=hr", "postgresql://h/db", "hr" },
		{ "postgres://h/db?schema=hr&connect_timeout=2",
		    "postgres://h/db?connect_timeout=2", "hr" },
		{ "postgresql://h/db?sslmode=disable&schema=hr",
		    "postgresql://h/db?sslmode=disable", "hr" },
		{ "postgresql://h/db?sslmode=disable&schema=hr&"
		    "connect_timeout=2",
		    "postgresql://h/db?sslmode=disable&connect_timeout=2",
		    "hr" },
		{ "postgresql://h/db?schema=&sslmode=disable",
		    "postgresql://h/db?schema=&sslmode=disable", "(none)" },
		{ "postgresql://h/db?schemas=x&xschema=y",
		    "postgresql://h/db?schemas=x&xschema=y", "(none)" },
		{ "postgresql://h/db?a=1&&schema=s_2&schema=t",
		    "postgresql://h/db?a=1&&schema=t", "s_2" },
	};
	char uri[160], want[256], name[80];
	size_t i;

	setenv("POINTS_PG_LIBRARY", stub_path(), 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "stub: conninfo [%s] schema [%s]",
		    cases[i].conninfo, cases[i].schema);
		refused(cases[i].uri, POINTS_ESTORAGE, want, NULL);
	}
	/* 63 bytes pass, 64 do not */
	memset(name, 'a', 63);
	name[63] = '\0';
	snprintf(uri, sizeof(uri), "postgresql://h/db?schema=%s&x=1", name);
	snprintf(want, sizeof(want), "stub: conninfo [postgresql://h/db?x=1] "
	    "schema [%s]", name);
	refused(uri, POINTS_ESTORAGE, want, NULL);
	snprintf(uri, sizeof(uri), "postgresql://h/db?x=1&schema=%sa", name);
	refused(uri, POINTS_EINVAL, "postgresql: schema name too long", NULL);
	unsetenv("POINTS_PG_LIBRARY");
}
END_TEST

/* The opener of every store, called with no room for a message (as a
 * caller that wants only the code does): each refusal gives its code
 * and writes not one byte of the message buffer. */
START_TEST(test_refusals_with_no_room_for_a_message)
{
	const char *path = fresh_path();
	char uri[300], sentinel[8], long_schema[80];
	points_store *s;
	FILE *f;
	struct {
		const char *uri;
		int code;
	} cases[12];
	size_t n = 0, i;

	memset(long_schema, 's', 70);
	long_schema[70] = '\0';
	cases[n].uri = "nope:x"; cases[n++].code = POINTS_EINVAL;
	cases[n].uri = "sqlite:"; cases[n++].code = POINTS_EINVAL;
	cases[n].uri = "memory:?mode=rw"; cases[n++].code = POINTS_EINVAL;
	cases[n].uri = "memory:?sync=full"; cases[n++].code = POINTS_EINVAL;
	cases[n].uri = "sqlite:/tmp/x.db?bogus=1";
	cases[n++].code = POINTS_EINVAL;
	for (i = 0; i < n; i++) {
		memset(sentinel, 'x', sizeof(sentinel));
		s = NULL;
		ck_assert_msg(points_store__open(cases[i].uri, &s, NULL,
		    sentinel, 0) == cases[i].code, "%s", cases[i].uri);
		ck_assert_ptr_null(s);
		ck_assert_int_eq(memcmp(sentinel, "xxxxxxxx", 8), 0);
	}
	/* a file that is not there, an empty one, one that is not a
	 * database */
	snprintf(uri, sizeof(uri), "sqlite:%s?mode=rw", path);
	ck_assert_int_eq(points_store__open(uri, &s, NULL, sentinel, 0),
	    POINTS_ENOTFOUND);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(points_store__open(uri, &s, NULL, sentinel, 0),
	    POINTS_ENOTFOUND);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < 4096; i++)
		fputc('z', f);
	fclose(f);
	snprintf(uri, sizeof(uri), "sqlite:%s", path);
	ck_assert_int_lt(points_store__open(uri, &s, NULL, sentinel, 0), 0);
	ck_assert_int_eq(memcmp(sentinel, "xxxxxxxx", 8), 0);
	unlink(path);
	/* the PostgreSQL library missing, without the entry point, and a
	 * schema name too long for it */
	setenv("POINTS_PG_LIBRARY", "/nonexistent/libpoints_pg.so", 1);
	ck_assert_int_eq(points_store__open("postgresql://h/db", &s, NULL,
	    sentinel, 0), POINTS_ESTORAGE);
	setenv("POINTS_PG_LIBRARY", "libm.so.6", 1);
	ck_assert_int_eq(points_store__open("postgresql://h/db", &s, NULL,
	    sentinel, 0), POINTS_ESTORAGE);
	setenv("POINTS_PG_LIBRARY", stub_path(), 1);
	snprintf(uri, sizeof(uri), "postgresql://h/db?schema=%s",
	    long_schema);
	ck_assert_int_eq(points_store__open(uri, &s, NULL, sentinel, 0),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_store__open("postgresql://h/db", &s, NULL,
	    sentinel, 0), POINTS_ESTORAGE);
	unsetenv("POINTS_PG_LIBRARY");
	ck_assert_int_eq(memcmp(sentinel, "xxxxxxxx", 8), 0);
}
END_TEST

/* ---- The grammar as a model ---- */

static const char *const names[] = {
	"busy_timeout", "exclusive", "sync", "mode", "wal_budget", "bogus",
	"", "SYNC",
};
static const char *const values[] = {
	"", "0", "1", "2", "rw", "rwc", "full", "normal", "off", "-1",
	"2147483647", "2147483648", "9223372036854775807",
	"9223372036854775808", "x",
};

/* Whether v is a decimal number in [min, max]. */
static int
model_num(const char *v, unsigned long long min, unsigned long long max)
{
	unsigned long long n = 0;

	if (!*v || strlen(v) > 19)
		return 0;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return 0;
		n = n * 10 + (unsigned long long)(*v - '0');
	}
	return n >= min && n <= max;
}

static int
model_opt(const char *name, const char *v)
{
	if (strcmp(name, "busy_timeout") == 0)
		return model_num(v, 0, 2147483647ull);
	if (strcmp(name, "wal_budget") == 0)
		return model_num(v, 1, 9223372036854775807ull);
	if (strcmp(name, "exclusive") == 0)
		return !strcmp(v, "0") || !strcmp(v, "1");
	if (strcmp(name, "sync") == 0)
		return !strcmp(v, "normal") || !strcmp(v, "full") ||
		    !strcmp(v, "off");
	if (strcmp(name, "mode") == 0)
		return !strcmp(v, "rw") || !strcmp(v, "rwc");
	return 0;
}

static uint64_t rng;

static unsigned
pick(unsigned n)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)((rng >> 33) % n);
}

/* Random option strings on a fresh path: the store opens exactly when
 * the model says every option is well formed, and then mode=rw (the
 * last mode given) finds no ledger in the missing file. */
START_TEST(test_random_options)
{
	int i;

	rng = 20240101;
	for (i = 0; i < 300; i++) {
		char opts[192] = "", uri[320];
		const char *path = fresh_path();
		int valid = 1, rw = 0, k, n = 1 + (int)pick(3);
		points_store *s = NULL;
		int want, rc;

		for (k = 0; k < n; k++) {
			const char *name = names[pick(8)];
			const char *v = values[pick(15)];
			int eq = pick(10) != 0;

			if (k)
				strcat(opts, "&");
			strcat(opts, name);
			if (eq) {
				strcat(opts, "=");
				strcat(opts, v);
			}
			valid &= eq && model_opt(name, v);
			if (eq && strcmp(name, "mode") == 0)
				rw = strcmp(v, "rw") == 0;
		}
		snprintf(uri, sizeof(uri), "sqlite:%s?%s", path, opts);
		want = !valid ? POINTS_EINVAL : rw ? POINTS_ENOTFOUND :
		    POINTS_OK;
		rc = points_store_open(uri, &s);
		ck_assert_msg(rc == want, "seed 20240101 step %d '%s': %d, "
		    "model %d", i, uri, rc, want);
		ck_assert_int_eq(access(path, F_OK) == 0, want == POINTS_OK);
		points_store_close(s);
		unlink(path);
	}
}
END_TEST

static Suite *
uri_suite(void)
{
	Suite *s = suite_create("uri");
	TCase *tc = tcase_create("uri");

	tcase_add_test(tc, test_memory_forms);
	tcase_add_test(tc, test_unknown_schemes);
	tcase_add_test(tc, test_sqlite_bad_options);
	tcase_add_test(tc, test_sqlite_good_options);
	tcase_add_test(tc, test_sqlite_mode_rw);
	tcase_add_test(tc, test_postgres_library);
	tcase_add_test(tc,
	    test_postgres_uri_reaches_the_store_without_its_schema);
	tcase_add_test(tc, test_refusals_with_no_room_for_a_message);
	tcase_add_test(tc, test_random_options);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(uri_suite());
}
