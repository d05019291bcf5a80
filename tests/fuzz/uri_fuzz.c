/* uri_fuzz.c - a libFuzzer target for the URI that points_open and
 * points_store_open parse ("memory:[?opts]", "sqlite:PATH[?opts]"):
 * each input (cut at a NUL, up to 1 KB) is opened both ways; an open
 * ledger takes an asset, an account and an earn, and is verified.
 *
 * The files stay in a directory of the target's own: a path goes
 * there (one with a '/' becomes "f"), and every file is removed after
 * each input.
 *
 * Besides what the sanitizers see, it aborts when points_open fails
 * without an error code of the library's and a message, or succeeds
 * with a ledger that cannot take a write, or a store opens for a URI
 * points_open refuses as a URI (POINTS_EINVAL) or the other way round.
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


static void
die(const char *uri, const char *what, int rc, const char *msg)
{
	fprintf(stderr, "uri_fuzz: '%s': %s: %d %s\n", uri, what, rc,
	    msg ? msg : "(no message)");
	abort();
}

static char dir[64];

/* A directory of our own. */
static void
make_dir(void)
{
	if (dir[0])
		return;
	strcpy(dir, "/tmp/points-uri-fuzz-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("uri_fuzz: temporary directory");
		abort();
	}
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[MAX_URI + 1], uri[MAX_URI + 100];
	const char *m;
	points_db *db = NULL;
	points_store *st = NULL;
	size_t n = size < MAX_URI ? size : MAX_URI;
	int rc, src;

	make_dir();
	memcpy(in, data, n);
	in[n] = '\0';
	/* a path goes in our directory: one with a '/' becomes "f" */
	if (strncmp(in, "sqlite:", 7) == 0) {
		const char *path = in + 7;
		char *q = strchr(path, '?');
		size_t pl = q ? (size_t)(q - path) : strlen(path);

		if (memchr(path, '/', pl))
			snprintf(uri, sizeof(uri), "sqlite:%s/f%s", dir,
			    q ? q : "");
		else if (pl)
			snprintf(uri, sizeof(uri), "sqlite:%s/%s", dir, path);
		else
			snprintf(uri, sizeof(uri), "%s", in);
	} else
		snprintf(uri, sizeof(uri), "%s", in);
	rc = points_open(uri, NULL, &db);
	m = points_errmsg(db);
	if (rc == POINTS_OK)
		use(uri, db);
	else if (rc > 0 || strcmp(points_strerror(rc), "unknown error") ==
	    0 || !db || !m || !*m)
		die(uri, "open", rc, m);
	points_close(db);
	clear_dir();
	src = points_store_open(uri, &st);
	if (src == POINTS_OK)
		points_store_close(st);
	if ((src == POINTS_EINVAL) != (rc == POINTS_EINVAL) &&
	    (rc == POINTS_OK || src == POINTS_OK))
		die(uri, "store open and open disagree", src, NULL);
	clear_dir();
	return 0;
}
