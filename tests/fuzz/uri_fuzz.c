/* uri_fuzz.c - a libFuzzer target for the URI that points_open and
 * points_store_open parse ("memory:[?opts]", "sqlite:PATH[?opts]"):
 * each input (cut at a NUL, up to 1 KB) is opened both ways; an open
 * ledger takes an asset, an account and an earn, and is verified.
 *
 * The files stay in a directory of the target's own (in /dev/shm when
 * there is one: no disk to wait for): a path goes there (one with a
 * '/', or "." or "..", becomes "f"), every file is removed after each
 * input, and the directory at exit.
 *
 * Opening a file costs thousands of parses, so a sqlite: URI is first
 * opened both ways with its path in a directory that does not exist:
 * its options are parsed all the same (they are read before the file is
 * opened), and the open fails there.  Only when they parse, and then
 * for one URI in FILE_EVERY (chosen by a hash of the URI, so the same
 * input always does the same), is it opened again in the directory,
 * for real, and used.  Other URIs (memory:, other schemes) are opened
 * and used every time.
 *
 * Besides what the sanitizers see, it aborts when points_open fails
 * without an error code of the library's and a message, or succeeds
 * with a ledger that cannot take a write, or a store opens for a URI
 * points_open refuses as a URI (POINTS_EINVAL) or the other way round,
 * or either opens a file in the directory that does not exist.
 * A postgresql:// URI would connect to whatever host it names: the
 * PostgreSQL store's library is set to one that does not exist, so such
 * a URI fails to load it (POINTS_ESTORAGE, with a message) every time.
 * Built by `make fuzz-uri`, which runs it FUZZ_SECONDS over
 * tests/fuzz/corpus/uri. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "points.h"

#define MAX_URI 1024
#define FILE_EVERY 16


static void
die(const char *uri, const char *what, int rc, const char *msg)
{
	fprintf(stderr, "uri_fuzz: '%s': %s: %d %s\n", uri, what, rc,
	    msg ? msg : "(no message)");
	abort();
}

static char dir[64], missing[80];

static void remove_dir(void);

/* A directory of our own, and the name of one that does not exist. */
static void
make_dir(void)
{
	if (dir[0])
		return;
	strcpy(dir, access("/dev/shm", W_OK) == 0 ?
	    "/dev/shm/points-uri-fuzz-XXXXXX" : "/tmp/points-uri-fuzz-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("uri_fuzz: temporary directory");
		abort();
	}
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	atexit(remove_dir);
}

static void
clear_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[400];

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			(void)unlink(path);
		}
	closedir(d);
}

static void
remove_dir(void)
{
	clear_dir();
	(void)rmdir(dir);
}

static void
use(const char *uri, points_db *db)
{
	points_posting p;
	points_txn t;
	points_verify_report rep;
	int64_t id;
	int rc;

	if ((rc = points_asset_create(db, "PTS", 0, POINTS_EXPIRE_NEVER, 0)) &&
	    rc != POINTS_EEXISTS)
		die(uri, "asset", rc, points_errmsg(db));
	rc = points_account_create(db, "U1", NULL, 0, &id);
	if (rc == POINTS_EEXISTS)
		return;
	if (rc)
		die(uri, "account", rc, points_errmsg(db));
	if ((rc = points_posting_init(&p, POINTS_POSTING_VERSION)))
		die(uri, "posting", rc, NULL);
	p.account = id;
	p.asset = "PTS";
	p.amount = 5;
	if ((rc = points_earn(db, &p, &t)))
		die(uri, "earn", rc, points_errmsg(db));
	if ((rc = points_verify(db, &rep)))
		die(uri, "verify", rc, points_errmsg(db));
}

/* A sqlite: URI's path in directory d ("" when it has none: as it is). */
static void
place(char *uri, size_t cap, const char *in, const char *d)
{
	const char *path = in + 7;
	const char *q = strchr(path, '?');
	size_t pl = q ? (size_t)(q - path) : strlen(path);

	/* "." and ".." would name the directory or the one above */
	if (memchr(path, '/', pl) || (pl == 1 && path[0] == '.') ||
	    (pl == 2 && path[0] == '.' && path[1] == '.'))
		snprintf(uri, cap, "sqlite:%s/f%s", d, q ? q : "");
	else if (pl)
		snprintf(uri, cap, "sqlite:%s/%s", d, path);
	else
		snprintf(uri, cap, "%s", in);
}

/* Open uri with points_open (and use the ledger when use) and with
 * points_store_open; points_open's code. */
static int
open_both(const char *uri, int use_it)
{
	const char *m;
	points_db *db = NULL;
	points_store *st = NULL;
	int rc, src;

	rc = points_open(uri, NULL, &db);
	m = points_errmsg(db);
	if (rc == POINTS_OK && !use_it)
		die(uri, "opened where nothing can be", rc, NULL);
	if (rc == POINTS_OK)
		use(uri, db);
	else if (rc > 0 || strcmp(points_strerror(rc), "unknown error") ==
	    0 || !db || !m || !*m)
		die(uri, "open", rc, m);
	points_close(db);
	if (use_it)
		clear_dir();
	src = points_store_open(uri, &st);
	if (src == POINTS_OK && !use_it)
		die(uri, "store opened where nothing can be", src, NULL);
	if (src == POINTS_OK)
		points_store_close(st);
	if ((src == POINTS_EINVAL) != (rc == POINTS_EINVAL) &&
	    (rc == POINTS_OK || src == POINTS_OK || !use_it))
		die(uri, "store open and open disagree", src, NULL);
	if (use_it)
		clear_dir();
	return rc;
}

/* FNV-1a */
static uint32_t
hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[MAX_URI + 1], uri[MAX_URI + 100];
	size_t n = size < MAX_URI ? size : MAX_URI;

	make_dir();
	setenv("POINTS_PG_LIBRARY", "/nonexistent/libpoints_pg.so.0", 1);
	memcpy(in, data, n);
	in[n] = '\0';
	if (strncmp(in, "sqlite:", 7) != 0) {
		open_both(in, 1);
		return 0;
	}
	/* the options parsed, without a file */
	place(uri, sizeof(uri), in, missing);
	if (open_both(uri, 0) == POINTS_EINVAL ||
	    hash(in) % FILE_EVERY != 0)
		return 0;
	place(uri, sizeof(uri), in, dir);
	open_both(uri, 1);
	return 0;
}
