/* check_backup.c - backups of live SQLite ledgers that verify, restores
 * that refuse what does not, and refusals of other stores. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static char dir[64], live_uri[128], live_path[96], copy_path[96];
static points_db *db;
static int64_t alice;

static void
setup(void)
{
	strcpy(dir, "/tmp/points-backup-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(live_path, sizeof(live_path), "%s/live.db", dir);
	snprintf(live_uri, sizeof(live_uri), "sqlite:%s", live_path);
	snprintf(copy_path, sizeof(copy_path), "%s/copy.db", dir);
	db = tu_open(live_uri);
	alice = tu_account(db, "E1001");
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 100, NULL), POINTS_OK);
}

static void
teardown(void)
{
	char cmd[128];

	if (db) {
		tu_invariants(db);
		points_close(db);
	}
	db = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	tu_cleanup();
}

/* The ledger's keyspaces, for a comparison. */
static char *
dump_of(const char *uri, size_t *n)
{
	points_db *d = tu_open_bare(uri);
	char *s = tu_dump(d, n);

	points_close(d);
	return s;
}

START_TEST(test_backup_is_the_ledger_then_and_verifies)
{
	char uri[128], *a, *b;
	size_t an, bn;
	points_db *copy;

	ck_assert_int_eq(points_backup(db, copy_path), POINTS_OK);
	a = tu_dump(db, &an);
	/* written after the backup: not in it */
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_OK);
	snprintf(uri, sizeof(uri), "sqlite:%s", copy_path);
	copy = tu_open_bare(uri);
	b = tu_dump(copy, &bn);
	ck_assert_uint_eq(an, bn);
	ck_assert_int_eq(memcmp(a, b, an), 0);
	ck_assert_int_eq(tu_available(copy, alice, "PTS"), 100);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 105);
	tu_invariants(copy);
	points_close(copy);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_backup_refusals_write_nothing)
{
	points_db *mem = tu_open(TU_MEMORY);
	FILE *f;

	ck_assert_int_eq(points_backup(mem, copy_path), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(mem), "backup: the ledger is on the "
	    "memory store: only SQLite ledgers are backed up");
	ck_assert_int_ne(access(copy_path, F_OK), 0);
	points_close(mem);
	ck_assert_int_eq(points_backup(db, NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_backup(db, ""), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "backup: a file name is required "
	    "(without '?', which ends one in a URI)");
	ck_assert_int_eq(points_backup(db, "x?y"), POINTS_EINVAL);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(points_backup(db, copy_path), POINTS_ESTATE);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	ck_assert_int_ne(access(copy_path, F_OK), 0);
	/* an existing file is never overwritten */
	f = fopen(copy_path, "w");
	fputs("keep me", f);
	fclose(f);
	ck_assert_int_eq(points_backup(db, copy_path), POINTS_EEXISTS);
	ck_assert_str_eq(strstr(points_errmsg(db), "exists"),
	    "exists: a backup goes to a new file");
	{
		char buf[16] = "";

		f = fopen(copy_path, "r");
		ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
		fclose(f);
		ck_assert_str_eq(buf, "keep me");
	}
}
END_TEST

/* A backup that cannot be written (its directory is missing) is a
 * storage error naming the file and why; no file is left. */
START_TEST(test_backup_to_a_missing_directory_is_refused)
{
	char path[128], want[320];

	snprintf(path, sizeof(path), "%s/none/copy.db", dir);
	ck_assert_int_eq(points_backup(db, path), POINTS_ESTORAGE);
	ck_assert_int_eq(points_errcode(db), POINTS_ESTORAGE);
	snprintf(want, sizeof(want), "backup to %s: %s: unable to open "
	    "database file", path, path);
	ck_assert_str_eq(points_errmsg(db), want);
	ck_assert_int_ne(access(path, F_OK), 0);
}
END_TEST

/* A restore into a ledger another handle is writing waits no longer
 * than the URI's busy_timeout, then fails saying the file is locked,
 * and the ledger is as that handle left it. */
START_TEST(test_restore_into_a_busy_ledger_is_refused)
{
	points_db *r = NULL;
	char uri[160], *before, *after;
	size_t bn, an;

	ck_assert_int_eq(points_backup(db, copy_path), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 9, NULL), POINTS_OK);
	before = tu_dump(db, &bn);
	ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 1, NULL), POINTS_OK);
	snprintf(uri, sizeof(uri), "%s?busy_timeout=0", live_uri);
	ck_assert_int_eq(points_restore(copy_path, uri, NULL, &r),
	    POINTS_EBUSY);
	ck_assert_ptr_nonnull(r);
	ck_assert_msg(strstr(points_errmsg(r), "restore from ") &&
	    strstr(points_errmsg(r), "database is locked"), "%s",
	    points_errmsg(r));
	points_close(r);
	ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
	after = tu_dump(db, &an);
	ck_assert_uint_eq(an, bn);
	ck_assert_int_eq(memcmp(before, after, an), 0);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 109);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_restore_puts_the_backup_back)
{
	points_db *r = NULL;
	char *before, *after;
	size_t bn, an;

	ck_assert_int_eq(points_backup(db, copy_path), POINTS_OK);
	before = tu_dump(db, &bn);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 60, NULL), POINTS_OK);
	points_close(db);
	db = NULL;
	ck_assert_int_eq(points_restore(copy_path, live_uri, NULL, &r),
	    POINTS_OK);
	ck_assert_int_eq(tu_available(r, alice, "PTS"), 100);
	after = tu_dump(r, &an);
	ck_assert_uint_eq(an, bn);
	ck_assert_int_eq(memcmp(before, after, an), 0);
	db = r; /* teardown checks it */
	free(before);
	free(after);
}
END_TEST

/* A damaged backup is refused and the ledger left as it was. */
START_TEST(test_restore_refuses_a_damaged_backup)
{
	points_db *r = NULL;
	char *before, *after;
	size_t bn, an;
	FILE *f;
	long size, i;

	ck_assert_int_eq(points_backup(db, copy_path), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 7, NULL), POINTS_OK);
	points_close(db);
	db = NULL;
	before = dump_of(live_uri, &bn);
	/* garble a byte in every 97 past the first page */
	f = fopen(copy_path, "r+b");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	ck_assert_int_gt(size, 8192);
	for (i = 4096; i < size; i += 97) {
		fseek(f, i, SEEK_SET);
		fputc(0x5a, f);
	}
	fclose(f);
	ck_assert_int_lt(points_restore(copy_path, live_uri, NULL, &r), 0);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(strstr(points_errmsg(r), "restore from "));
	points_close(r);
	after = dump_of(live_uri, &an);
	ck_assert_uint_eq(an, bn);
	ck_assert_int_eq(memcmp(before, after, an), 0);
	free(before);
	free(after);
}
END_TEST

START_TEST(test_restore_refuses_other_stores)
{
	points_db *r = NULL;

	ck_assert_int_eq(points_backup(db, copy_path), POINTS_OK);
	ck_assert_int_eq(points_restore(copy_path, "memory:", NULL, &r),
	    POINTS_EINVAL);
	ck_assert_str_eq(strstr(points_errmsg(r), "only"), "only SQLite "
	    "ledgers are restored, not those of the memory store");
	points_close(r);
	ck_assert_int_eq(points_restore(NULL, live_uri, NULL, &r),
	    POINTS_EINVAL);
	points_close(r);
	ck_assert_int_eq(points_restore(copy_path, live_uri, NULL, NULL),
	    POINTS_EINVAL);
	/* no file name, one with '?', no URI: refused alike */
	ck_assert_int_eq(points_restore("", live_uri, NULL, &r),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(r), "restore: a backup file name "
	    "(without '?') and a ledger URI are required");
	points_close(r);
	ck_assert_int_eq(points_restore("x?y", live_uri, NULL, &r),
	    POINTS_EINVAL);
	points_close(r);
	ck_assert_int_eq(points_restore(copy_path, NULL, NULL, &r),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_errcode(r), POINTS_EINVAL);
	points_close(r);
}
END_TEST

/* Fail the Nth allocation of a restore, N = 1, 2, ... until it goes
 * through: each failure leaves the ledger as it was and a handle with a
 * message. */
START_TEST(test_restore_fault_loop)
{
	points_db *r;
	char *before, *now;
	size_t bn, nn;
	long n;
	int rc;

	ck_assert_int_eq(points_backup(db, copy_path), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 9, NULL), POINTS_OK);
	points_close(db);
	db = NULL;
	before = dump_of(live_uri, &bn);
	for (n = 1;; n++) {
		r = NULL;
		tu_alloc_install();
		tu_alloc_fail_at(n);
		rc = points_restore(copy_path, live_uri, NULL, &r);
		tu_alloc_uninstall();
		if (rc == POINTS_OK)
			break;
		ck_assert_msg(rc == POINTS_ENOMEM || rc == POINTS_ESTORAGE,
		    "allocation %ld: %d %s", n, rc, r ? points_errmsg(r) : "");
		if (r)
			ck_assert_str_ne(points_errmsg(r), "");
		points_close(r);
		/* failed before the copy: the ledger is as it was; after
		 * it (opening the restored ledger), it is the backup */
		now = dump_of(live_uri, &nn);
		if (nn == bn && memcmp(now, before, nn) == 0) {
			free(now);
			continue;
		}
		free(now);
		ck_assert_int_eq(tu_available(r = tu_open_bare(live_uri), alice,
		    "PTS"), 100);
		points_close(r);
		r = NULL;
		/* put it back for the next round */
		points_close(db);
		{
			points_db *w = tu_open_bare(live_uri);

			ck_assert_int_eq(tu_earn(w, alice, "PTS", 9, NULL),
			    POINTS_OK);
			points_close(w);
		}
		now = dump_of(live_uri, &nn);
		free(before);
		before = now;
		bn = nn;
	}
	ck_assert_int_gt(n, 1);
	db = r;
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 100);
	free(before);
}
END_TEST

static Suite *
backup_suite(void)
{
	Suite *s = suite_create("backup");
	TCase *tc = tcase_create("backup");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_backup_is_the_ledger_then_and_verifies);
	tcase_add_test(tc, test_backup_refusals_write_nothing);
	tcase_add_test(tc, test_backup_to_a_missing_directory_is_refused);
	tcase_add_test(tc, test_restore_into_a_busy_ledger_is_refused);
	tcase_add_test(tc, test_restore_puts_the_backup_back);
	tcase_add_test(tc, test_restore_refuses_a_damaged_backup);
	tcase_add_test(tc, test_restore_refuses_other_stores);
	tcase_add_test(tc, test_restore_fault_loop);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(backup_suite());
}
