/* check_account.c - accounts: create, look up, update, attributes,
 * freeze, close, iterate, and every error each of them can return.
 *
 * After each failing call of a write function the whole store is dumped
 * and compared byte for byte with the dump taken before it (FAILS). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "core/account.h"
#include "core/balance.h"
#include "core/db.h"

static points_db *db;
static int64_t alice, bob;

static void
setup(void)
{
	tu_now = TU_T0;
	db = tu_open("memory:");
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
}

static void
teardown(void)
{
	tu_invariants(db);
	points_close(db);
	db = NULL;
	tu_snap_free();
}


static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* Raw store access, as an attacker or a bad disk would. */
static void
raw_put(const points_ksdef *ks, const void *k, size_t kl, const void *v, size_t vl)
{
	points_store *s = db->store;

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->put(s, db->ks[ks->slot], k, kl, v, vl), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

static unsigned char *
raw_get(const points_ksdef *ks, const void *k, size_t kl, size_t *vl)
{
	points_store *s = db->store;
	const void *v;
	unsigned char *copy;

	ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
	ck_assert_int_eq(s->get(s, db->ks[ks->slot], k, kl, &v, vl), POINTS_OK);
	copy = malloc(*vl + 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, v, *vl);
	s->rollback(s);
	return copy;
}

static void
be64(unsigned char k[8], int64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		k[i] = (unsigned char)(v & 0xff);
}

/* ---- Create, get, find ---- */

START_TEST(test_builtin_system_accounts_exist)
{
	static const char *const ext[] = {
		"system:issuer", "system:sink", "system:expiry",
	};
	points_account a;
	int64_t id;

	for (id = 1; id <= 3; id++) {
		ck_assert_int_eq(points_account_get(db, id, &a), POINTS_OK);
		ck_assert_int_eq(a.id, id);
		ck_assert_str_eq(a.external_id, ext[id - 1]);
		/* only the issuer may go below zero */
		ck_assert_uint_eq(a.flags, id == POINTS_ACCOUNT_ISSUER ?
		    POINTS_ACCOUNT_SYSTEM | POINTS_ACCOUNT_ALLOW_NEGATIVE :
		    POINTS_ACCOUNT_SYSTEM);
		ck_assert_int_eq(a.status, POINTS_ACCOUNT_ACTIVE);
		ck_assert_int_eq(a.created_at, TU_T0);
		ck_assert_int_eq(points_account_find(db, ext[id - 1], &a),
		    POINTS_OK);
		ck_assert_int_eq(a.id, id);
	}
	ck_assert_int_eq(POINTS_ACCOUNT_ISSUER, 1);
	ck_assert_int_eq(POINTS_ACCOUNT_SINK, 2);
	ck_assert_int_eq(POINTS_ACCOUNT_EXPIRY, 3);
}
END_TEST

/* The balance record keeps a copy of the account's status and flags; a
 * flag past the sixth must survive it (it once went into one byte). */
START_TEST(test_balance_record_keeps_every_account_flag)
{
	points_balance_rec b, back;
	const void *v;
	size_t vl;

	points_balance__init(&b, alice, 1, 0);
	b.status = POINTS_ACCOUNT_FROZEN;
	b.flags = 0x40u | POINTS_ACCOUNT_ALLOW_NEGATIVE;
	b.available = 7;
	ck_assert_int_eq(points_db__write_begin(db), POINTS_OK);
	ck_assert_int_eq(points_balance__store(db, &b, 0), POINTS_OK);
	ck_assert_int_eq(points_db__write_end(db, POINTS_OK), POINTS_OK);
	ck_assert_int_eq(points_db__read_begin(db), POINTS_OK);
	{
		unsigned char k[8];

		ck_assert(points_balance__key(alice, 1, k));
		ck_assert_int_eq(points_db__get(db, &points_balance__ks, k,
		    sizeof(k), &v, &vl), POINTS_OK);
		points_balance__init(&back, alice, 1, 0);
		ck_assert_int_eq(points_balance__decode(db, v, vl, &back, 1),
		    POINTS_OK);
	}
	points_db__read_end(db);
	ck_assert_uint_eq(back.flags, 0x40u | POINTS_ACCOUNT_ALLOW_NEGATIVE);
	ck_assert_int_eq(back.status, POINTS_ACCOUNT_FROZEN);
	ck_assert_int_eq(back.available, 7);
	points_balance__free(&b);
	points_balance__free(&back);
	/* put the ledger back as it was: the invariants run at teardown */
	{
		unsigned char k[8];

		ck_assert(points_balance__key(alice, 1, k));
		ck_assert_int_eq(points_db__write_begin(db), POINTS_OK);
		ck_assert_int_eq(points_db__del(db, &points_balance__ks, k,
		    sizeof(k)), POINTS_OK);
		ck_assert_int_eq(points_db__write_end(db, POINTS_OK), POINTS_OK);
	}
}
END_TEST

START_TEST(test_create_gives_ascending_ids_from_4)
{
	points_account a;
	int64_t id = 0;

	ck_assert_int_eq(alice, tu_first_user());
	ck_assert_int_eq(bob, alice + 1);
	tu_now = TU_T0 + 77;
	ck_assert_int_eq(points_account_create(db, "E1003", "Carol",
	    POINTS_ACCOUNT_ALLOW_NEGATIVE, &id), POINTS_OK);
	ck_assert_int_eq(id, alice + 2);
	ck_assert_str_eq(points_errmsg(db), "ok");
	ck_assert_int_eq(points_account_get(db, id, &a), POINTS_OK);
	ck_assert_int_eq(a.id, alice + 2);
	ck_assert_str_eq(a.external_id, "E1003");
	ck_assert_str_eq(a.name, "Carol");
	ck_assert_str_eq(a.tier, "");
	ck_assert_str_eq(a.department, "");
	ck_assert_int_eq(a.status, POINTS_ACCOUNT_ACTIVE);
	ck_assert_uint_eq(a.flags, POINTS_ACCOUNT_ALLOW_NEGATIVE);
	ck_assert_int_eq(a.created_at, TU_T0 + 77);
}
END_TEST

START_TEST(test_create_with_null_name_and_system_flag)
{
	points_account a;
	int64_t id = 0;

	ck_assert_int_eq(points_account_create(db, "pool:x", NULL,
	    POINTS_ACCOUNT_SYSTEM, &id), POINTS_OK);
	ck_assert_int_eq(points_account_get(db, id, &a), POINTS_OK);
	ck_assert_str_eq(a.name, "");
	ck_assert_uint_eq(a.flags, POINTS_ACCOUNT_SYSTEM);
	ck_assert_int_eq(points_account_create(db, "E-empty-name", "", 0,
	    &id), POINTS_OK);
}
END_TEST

START_TEST(test_create_duplicate_external_id_is_eexists)
{
	int64_t id = -7;

	TU_FAILS(db, points_account_create(db, "E1001", "again", 0, &id),
	    POINTS_EEXISTS);
	ck_assert_str_eq(points_errmsg(db), "account E1001 already exists");
	ck_assert_int_eq(id, -7); /* out written only on success */
	TU_FAILS(db, points_account_create(db, "system:issuer", NULL, 0, &id),
	    POINTS_EEXISTS);
	/* external ids are compared exactly */
	ck_assert_int_eq(points_account_create(db, "e1001", NULL, 0, &id),
	    POINTS_OK);
}
END_TEST

START_TEST(test_create_refuses_bad_arguments)
{
	char *ext = repeat('x', POINTS_EXTID_MAX);
	char *ext_long = repeat('x', POINTS_EXTID_MAX + 1);
	char *name = repeat('n', POINTS_NAME_MAX);
	char *name_long = repeat('n', POINTS_NAME_MAX + 1);
	static const char *const bad_utf8[] = {
		"\xff", "E\xc3", "\xc0\xaf", "\xe0\x80\x80", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "\x80", "a\xe2\x82",
	};
	int64_t id = -7;
	size_t i;

	ck_assert_int_eq(points_account_create(NULL, "E9", NULL, 0, &id),
	    POINTS_EINVAL);
	TU_FAILS(db, points_account_create(db, NULL, NULL, 0, &id), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "external id is required");
	TU_FAILS(db, points_account_create(db, "", NULL, 0, &id), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "external id is empty");
	TU_FAILS(db, points_account_create(db, ext_long, NULL, 0, &id),
	    POINTS_EINVAL);
	for (i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
		TU_FAILS(db, points_account_create(db, bad_utf8[i], NULL, 0, &id),
		    POINTS_EINVAL);
		ck_assert_str_eq(points_errmsg(db),
		    "external id is not valid UTF-8");
	}
	TU_FAILS(db, points_account_create(db, "E9", name_long, 0, &id),
	    POINTS_EINVAL);
	TU_FAILS(db, points_account_create(db, "E9", "bad \xfe name", 0, &id),
	    POINTS_EINVAL);
	TU_FAILS(db, points_account_create(db, "E9", NULL, 0x08, &id),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "unknown account flags 0x8");
	TU_FAILS(db, points_account_create(db, "E9", NULL, 0x80000000u, &id),
	    POINTS_EINVAL);
	TU_FAILS(db, points_account_create(db, "E9", NULL, 0, NULL), POINTS_EINVAL);
	ck_assert_int_eq(id, -7);

	/* the limits themselves are fine */
	ck_assert_int_eq(points_account_create(db, ext, name, 0, &id),
	    POINTS_OK);
	ck_assert_int_eq(id, alice + 2);
	ck_assert_int_eq(points_account_create(db,
	    "Zo\xc3\xab-\xe2\x82\xac-\xf0\x9f\x98\x80", NULL, 0, &id),
	    POINTS_OK);
	free(ext);
	free(ext_long);
	free(name);
	free(name_long);
}
END_TEST

START_TEST(test_get_unknown_account_is_enotfound)
{
	points_account a;

	a.id = -7;
	ck_assert_int_eq(points_account_get(db, 999, &a), POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "account 999 not found");
	ck_assert_int_eq(points_errcode(db), POINTS_ENOTFOUND);
	ck_assert_int_eq(a.id, -7);
	ck_assert_int_eq(points_account_get(db, 0, &a), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_account_get(db, -1, &a), POINTS_ENOTFOUND);
	ck_assert_int_eq(points_account_get(db, INT64_MAX, &a),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(points_account_get(db, INT64_MIN, &a),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(a.id, -7);
	/* a success clears the message */
	ck_assert_int_eq(points_account_get(db, alice, &a), POINTS_OK);
	ck_assert_str_eq(points_errmsg(db), "ok");
	ck_assert_int_eq(points_errcode(db), POINTS_OK);
}
END_TEST

START_TEST(test_get_and_find_refuse_null_arguments)
{
	points_account a;

	ck_assert_int_eq(points_account_get(NULL, alice, &a), POINTS_EINVAL);
	ck_assert_int_eq(points_account_get(db, alice, NULL), POINTS_EINVAL);
	ck_assert_int_eq(points_account_find(NULL, "E1001", &a),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_account_find(db, NULL, &a), POINTS_EINVAL);
	ck_assert_int_eq(points_account_find(db, "", &a), POINTS_EINVAL);
	ck_assert_int_eq(points_account_find(db, "\xff", &a), POINTS_EINVAL);
	ck_assert_int_eq(points_account_find(db, "E1001", NULL),
	    POINTS_EINVAL);
}
END_TEST

START_TEST(test_find_by_external_id)
{
	points_account a;
	char *ext = repeat('y', POINTS_EXTID_MAX);
	char *ext_long = repeat('y', POINTS_EXTID_MAX + 1);
	int64_t id;

	ck_assert_int_eq(points_account_find(db, "E1002", &a), POINTS_OK);
	ck_assert_int_eq(a.id, bob);
	ck_assert_str_eq(a.name, "E1002");
	a.id = -7;
	ck_assert_int_eq(points_account_find(db, "E1009", &a),
	    POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "account E1009 not found");
	ck_assert_int_eq(a.id, -7);
	ck_assert_int_eq(points_account_find(db, ext_long, &a),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_account_create(db, ext, NULL, 0, &id),
	    POINTS_OK);
	ck_assert_int_eq(points_account_find(db, ext, &a), POINTS_OK);
	ck_assert_int_eq(a.id, id);
	/* a prefix is not a match */
	ck_assert_int_eq(points_account_find(db, "E100", &a),
	    POINTS_ENOTFOUND);
	free(ext);
	free(ext_long);
}
END_TEST

/* ---- Update ---- */

START_TEST(test_update_null_keeps_and_empty_clears)
{
	points_account a;

	ck_assert_int_eq(points_account_update(db, alice, "Alice", "gold",
	    "R&D"), POINTS_OK);
	ck_assert_int_eq(points_account_get(db, alice, &a), POINTS_OK);
	ck_assert_str_eq(a.name, "Alice");
	ck_assert_str_eq(a.tier, "gold");
	ck_assert_str_eq(a.department, "R&D");
	ck_assert_int_eq(points_account_update(db, alice, NULL, "silver",
	    NULL), POINTS_OK);
	ck_assert_int_eq(points_account_get(db, alice, &a), POINTS_OK);
	ck_assert_str_eq(a.name, "Alice");
	ck_assert_str_eq(a.tier, "silver");
	ck_assert_str_eq(a.department, "R&D");
	ck_assert_int_eq(points_account_update(db, alice, "", NULL, ""),
	    POINTS_OK);
	ck_assert_int_eq(points_account_get(db, alice, &a), POINTS_OK);
	ck_assert_str_eq(a.name, "");
	ck_assert_str_eq(a.tier, "silver");
	ck_assert_str_eq(a.department, "");
	/* nothing else moved */
	ck_assert_str_eq(a.external_id, "E1001");
	ck_assert_int_eq(a.status, POINTS_ACCOUNT_ACTIVE);
	ck_assert_int_eq(a.created_at, TU_T0);
	ck_assert_int_eq(points_account_get(db, bob, &a), POINTS_OK);
	ck_assert_str_eq(a.tier, "");
}
END_TEST

START_TEST(test_update_refuses_bad_arguments)
{
	char *name_long = repeat('n', POINTS_NAME_MAX + 1);
	char *tier = repeat('t', POINTS_TIER_MAX);
	char *tier_long = repeat('t', POINTS_TIER_MAX + 1);
	char *dept = repeat('d', POINTS_DEPT_MAX);
	char *dept_long = repeat('d', POINTS_DEPT_MAX + 1);
	points_account a;

	ck_assert_int_eq(points_account_update(NULL, alice, "x", NULL, NULL),
	    POINTS_EINVAL);
	TU_FAILS(db, points_account_update(db, alice, name_long, NULL, NULL),
	    POINTS_EINVAL);
	TU_FAILS(db, points_account_update(db, alice, NULL, tier_long, NULL),
	    POINTS_EINVAL);
	TU_FAILS(db, points_account_update(db, alice, NULL, NULL, dept_long),
	    POINTS_EINVAL);
	TU_FAILS(db, points_account_update(db, alice, "\xc3(", NULL, NULL),
	    POINTS_EINVAL);
	TU_FAILS(db, points_account_update(db, alice, NULL, "\xff", NULL),
	    POINTS_EINVAL);
	TU_FAILS(db, points_account_update(db, alice, NULL, NULL, "\xed\xb0\x80"),
	    POINTS_EINVAL);
	TU_FAILS(db, points_account_update(db, 999, "x", NULL, NULL),
	    POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "account 999 not found");
	TU_FAILS(db, points_account_update(db, 0, "x", NULL, NULL), POINTS_ENOTFOUND);
	TU_FAILS(db, points_account_update(db, -3, "x", NULL, NULL),
	    POINTS_ENOTFOUND);
	/* the limits themselves are fine */
	ck_assert_int_eq(points_account_update(db, alice, NULL, tier, dept),
	    POINTS_OK);
	ck_assert_int_eq(points_account_get(db, alice, &a), POINTS_OK);
	ck_assert_str_eq(a.tier, tier);
	ck_assert_str_eq(a.department, dept);
	free(name_long);
	free(tier);
	free(tier_long);
	free(dept);
	free(dept_long);
}
END_TEST

START_TEST(test_update_of_builtin_system_account_is_refused)
{
	points_account a;
	int64_t id, pool;

	for (id = 1; id <= 3; id++) {
		TU_FAILS(db, points_account_update(db, id, "mine", NULL, NULL),
		    POINTS_EINVAL);
		TU_FAILS(db, points_account_update(db, id, NULL, NULL, NULL),
		    POINTS_EINVAL);
	}
	ck_assert_str_eq(points_errmsg(db),
	    "account system:expiry is built in and cannot change");
	ck_assert_int_eq(points_account_get(db, 1, &a), POINTS_OK);
	ck_assert_str_eq(a.name, "Issuer");
	/* a system account the host made is the host's to rename */
	ck_assert_int_eq(points_account_create(db, "budget:rnd", "R&D",
	    POINTS_ACCOUNT_SYSTEM, &pool), POINTS_OK);
	ck_assert_int_eq(points_account_update(db, pool, "R&D budget", NULL,
	    "R&D"), POINTS_OK);
	ck_assert_int_eq(points_account_get(db, pool, &a), POINTS_OK);
	ck_assert_str_eq(a.name, "R&D budget");
}
END_TEST

/* ---- Attributes ---- */

START_TEST(test_attr_set_get_replace_remove)
{
	char *v = NULL;

	ck_assert_int_eq(points_account_attr_set(db, alice, "email",
	    "alice@example.com"), POINTS_OK);
	ck_assert_int_eq(points_account_attr_set(db, alice, "phone", "555"),
	    POINTS_OK);
	ck_assert_int_eq(points_account_attr_set(db, bob, "email",
	    "bob@example.com"), POINTS_OK);
	ck_assert_int_eq(points_account_attr_get(db, alice, "email", &v),
	    POINTS_OK);
	ck_assert_str_eq(v, "alice@example.com");
	points_free(v);
	/* replace */
	ck_assert_int_eq(points_account_attr_set(db, alice, "email",
	    "a@example.org"), POINTS_OK);
	ck_assert_int_eq(points_account_attr_get(db, alice, "email", &v),
	    POINTS_OK);
	ck_assert_str_eq(v, "a@example.org");
	points_free(v);
	ck_assert_int_eq(points_account_attr_get(db, alice, "phone", &v),
	    POINTS_OK);
	ck_assert_str_eq(v, "555");
	points_free(v);
	/* an empty value is a value */
	ck_assert_int_eq(points_account_attr_set(db, alice, "note", ""),
	    POINTS_OK);
	ck_assert_int_eq(points_account_attr_get(db, alice, "note", &v),
	    POINTS_OK);
	ck_assert_str_eq(v, "");
	points_free(v);
	/* remove */
	ck_assert_int_eq(points_account_attr_set(db, alice, "email", NULL),
	    POINTS_OK);
	v = (char *)"sentinel";
	ck_assert_int_eq(points_account_attr_get(db, alice, "email", &v),
	    POINTS_ENOTFOUND);
	ck_assert_str_eq(v, "sentinel");
	ck_assert_int_eq(points_account_attr_get(db, alice, "phone", &v),
	    POINTS_OK);
	ck_assert_str_eq(v, "555");
	points_free(v);
	/* bob's are his own */
	ck_assert_int_eq(points_account_attr_get(db, bob, "email", &v),
	    POINTS_OK);
	ck_assert_str_eq(v, "bob@example.com");
	points_free(v);
	ck_assert_int_eq(points_account_attr_get(db, bob, "phone", &v),
	    POINTS_ENOTFOUND);
}
END_TEST

START_TEST(test_attr_get_missing_key_is_enotfound)
{
	char *v = (char *)"sentinel";

	ck_assert_int_eq(points_account_attr_get(db, alice, "email", &v),
	    POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db),
	    "account E1001 has no attribute 'email'");
	ck_assert_int_eq(points_account_attr_set(db, alice, "emai", "x"),
	    POINTS_OK);
	ck_assert_int_eq(points_account_attr_get(db, alice, "email", &v),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(points_account_attr_get(db, alice, "e", &v),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(points_account_attr_get(db, 999, "email", &v),
	    POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "account 999 not found");
	ck_assert_int_eq(points_account_attr_get(db, 0, "email", &v),
	    POINTS_ENOTFOUND);
	ck_assert_str_eq(v, "sentinel");
}
END_TEST

START_TEST(test_attr_remove_of_missing_key_changes_nothing)
{
	char *v;
	int rc;

	ck_assert_int_eq(points_account_attr_set(db, alice, "a", "1"),
	    POINTS_OK);
	tu_snap(db);
	rc = points_account_attr_set(db, alice, "b", NULL);
	ck_assert_msg(rc == POINTS_OK || rc == POINTS_ENOTFOUND,
	    "removing a missing attribute: %d", rc);
	tu_unchanged(db);
	ck_assert_int_eq(points_account_attr_get(db, alice, "a", &v),
	    POINTS_OK);
	ck_assert_str_eq(v, "1");
	points_free(v);
}
END_TEST

START_TEST(test_attr_refuses_bad_arguments)
{
	char *key = repeat('k', POINTS_ATTR_KEY_MAX);
	char *key_long = repeat('k', POINTS_ATTR_KEY_MAX + 1);
	char *val = repeat('v', POINTS_ATTR_VALUE_MAX);
	char *val_long = repeat('v', POINTS_ATTR_VALUE_MAX + 1);
	char *v = (char *)"sentinel";

	ck_assert_int_eq(points_account_attr_set(NULL, alice, "k", "v"),
	    POINTS_EINVAL);
	TU_FAILS(db, points_account_attr_set(db, alice, NULL, "v"), POINTS_EINVAL);
	TU_FAILS(db, points_account_attr_set(db, alice, "", "v"), POINTS_EINVAL);
	TU_FAILS(db, points_account_attr_set(db, alice, key_long, "v"),
	    POINTS_EINVAL);
	TU_FAILS(db, points_account_attr_set(db, alice, "k", val_long),
	    POINTS_EINVAL);
	TU_FAILS(db, points_account_attr_set(db, alice, "\xff", "v"), POINTS_EINVAL);
	TU_FAILS(db, points_account_attr_set(db, alice, "k", "\xc3"), POINTS_EINVAL);
	TU_FAILS(db, points_account_attr_set(db, 999, "k", "v"), POINTS_ENOTFOUND);
	TU_FAILS(db, points_account_attr_set(db, 0, "k", "v"), POINTS_ENOTFOUND);
	TU_FAILS(db, points_account_attr_set(db, 999, "k", NULL), POINTS_ENOTFOUND);

	ck_assert_int_eq(points_account_attr_get(NULL, alice, "k", &v),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_account_attr_get(db, alice, NULL, &v),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_account_attr_get(db, alice, "", &v),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_account_attr_get(db, alice, key_long, &v),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_account_attr_get(db, alice, "\xff", &v),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_account_attr_get(db, alice, "k", NULL),
	    POINTS_EINVAL);
	ck_assert_str_eq(v, "sentinel");

	/* the limits themselves are fine */
	ck_assert_int_eq(points_account_attr_set(db, alice, key, val),
	    POINTS_OK);
	ck_assert_int_eq(points_account_attr_get(db, alice, key, &v),
	    POINTS_OK);
	ck_assert_str_eq(v, val);
	points_free(v);
	free(key);
	free(key_long);
	free(val);
	free(val_long);
}
END_TEST

/* Key i of a full set: two digits, then 'k' up to the longest key. */
static void
attr_key(char key[POINTS_ATTR_KEY_MAX + 1], int i)
{
	memset(key, 'k', POINTS_ATTR_KEY_MAX);
	key[POINTS_ATTR_KEY_MAX] = '\0';
	key[0] = (char)('0' + i / 10);
	key[1] = (char)('0' + i % 10);
}

START_TEST(test_attr_at_most_64)
{
	char key[POINTS_ATTR_KEY_MAX + 1], *val, *v;
	int i;

	/* 64 attributes at the longest key and value */
	val = repeat('v', POINTS_ATTR_VALUE_MAX);
	for (i = 0; i < 64; i++) {
		attr_key(key, i);
		val[0] = (char)('A' + i % 26);
		ck_assert_int_eq(points_account_attr_set(db, alice, key, val),
		    POINTS_OK);
	}
	TU_FAILS(db, points_account_attr_set(db, alice, "one-too-many", "x"),
	    POINTS_ELIMIT);
	ck_assert_str_eq(points_errmsg(db),
	    "account E1001: at most 64 attributes");
	/* replacing one of the 64 is fine */
	attr_key(key, 7);
	ck_assert_int_eq(points_account_attr_set(db, alice, key, "seven"),
	    POINTS_OK);
	for (i = 0; i < 64; i++) {
		attr_key(key, i);
		ck_assert_int_eq(points_account_attr_get(db, alice, key, &v),
		    POINTS_OK);
		if (i == 7) {
			ck_assert_str_eq(v, "seven");
		} else {
			ck_assert_uint_eq(strlen(v), POINTS_ATTR_VALUE_MAX);
			ck_assert_int_eq(v[0], 'A' + i % 26);
		}
		points_free(v);
	}
	/* after removing one there is room for another */
	attr_key(key, 63);
	ck_assert_int_eq(points_account_attr_set(db, alice, key, NULL),
	    POINTS_OK);
	ck_assert_int_eq(points_account_attr_get(db, alice, key, &v),
	    POINTS_ENOTFOUND);
	ck_assert_int_eq(points_account_attr_set(db, alice, "one-more", "x"),
	    POINTS_OK);
	TU_FAILS(db, points_account_attr_set(db, alice, "and-another", "y"),
	    POINTS_ELIMIT);
	/* the limit is per account */
	ck_assert_int_eq(points_account_attr_set(db, bob, "one-more", "x"),
	    POINTS_OK);
	free(val);
}
END_TEST

START_TEST(test_attrs_survive_update_freeze_and_postings)
{
	char *v;

	ck_assert_int_eq(points_account_attr_set(db, alice, "email", "a@x"),
	    POINTS_OK);
	ck_assert_int_eq(points_account_update(db, alice, "Alice", "gold",
	    NULL), POINTS_OK);
	ck_assert_int_eq(points_account_freeze(db, alice), POINTS_OK);
	ck_assert_int_eq(points_account_unfreeze(db, alice), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(points_account_attr_get(db, alice, "email", &v),
	    POINTS_OK);
	ck_assert_str_eq(v, "a@x");
	points_free(v);
}
END_TEST

/* ---- Freeze, unfreeze, close ---- */

START_TEST(test_freeze_and_unfreeze)
{
	points_account a;

	ck_assert_int_eq(points_account_freeze(db, alice), POINTS_OK);
	ck_assert_int_eq(points_account_get(db, alice, &a), POINTS_OK);
	ck_assert_int_eq(a.status, POINTS_ACCOUNT_FROZEN);
	TU_FAILS(db, points_account_freeze(db, alice), POINTS_ESTATE);
	ck_assert_str_eq(points_errmsg(db), "account E1001 is already frozen");
	ck_assert_int_eq(points_account_unfreeze(db, alice), POINTS_OK);
	ck_assert_int_eq(points_account_get(db, alice, &a), POINTS_OK);
	ck_assert_int_eq(a.status, POINTS_ACCOUNT_ACTIVE);
	TU_FAILS(db, points_account_unfreeze(db, alice), POINTS_ESTATE);
	ck_assert_str_eq(points_errmsg(db), "account E1001 is already active");
	TU_FAILS(db, points_account_unfreeze(db, bob), POINTS_ESTATE);
	ck_assert_int_eq(points_account_freeze(NULL, alice), POINTS_EINVAL);
	ck_assert_int_eq(points_account_unfreeze(NULL, alice), POINTS_EINVAL);
	TU_FAILS(db, points_account_freeze(db, 999), POINTS_ENOTFOUND);
	ck_assert_str_eq(points_errmsg(db), "account 999 not found");
	TU_FAILS(db, points_account_unfreeze(db, 999), POINTS_ENOTFOUND);
	TU_FAILS(db, points_account_freeze(db, 0), POINTS_ENOTFOUND);
	TU_FAILS(db, points_account_unfreeze(db, -1), POINTS_ENOTFOUND);
}
END_TEST

START_TEST(test_system_accounts_cannot_be_frozen_or_closed)
{
	int64_t id, pool;

	for (id = 1; id <= 3; id++) {
		TU_FAILS(db, points_account_freeze(db, id), POINTS_EINVAL);
		TU_FAILS(db, points_account_unfreeze(db, id), POINTS_EINVAL);
		TU_FAILS(db, points_account_close(db, id), POINTS_EINVAL);
	}
	ck_assert_int_eq(points_account_create(db, "budget:x", NULL,
	    POINTS_ACCOUNT_SYSTEM, &pool), POINTS_OK);
	TU_FAILS(db, points_account_freeze(db, pool), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db),
	    "account budget:x is a system account and cannot be frozen");
	TU_FAILS(db, points_account_close(db, pool), POINTS_EINVAL);
}
END_TEST

START_TEST(test_close_only_at_zero_balance)
{
	points_account a;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 30, NULL), POINTS_OK);
	TU_FAILS(db, points_account_close(db, alice), POINTS_ESTATE);
	ck_assert_str_eq(points_errmsg(db),
	    "account E1001 still has points (available 30, held 0): it can "
	    "be closed only at zero");
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 30, NULL), POINTS_OK);
	ck_assert_int_eq(points_account_close(db, alice), POINTS_OK);
	ck_assert_int_eq(points_account_get(db, alice, &a), POINTS_OK);
	ck_assert_int_eq(a.status, POINTS_ACCOUNT_CLOSED);
	/* an account that never held anything closes at once */
	ck_assert_int_eq(points_account_close(db, bob), POINTS_OK);
	ck_assert_int_eq(points_account_close(NULL, bob), POINTS_EINVAL);
	TU_FAILS(db, points_account_close(db, 999), POINTS_ENOTFOUND);
	TU_FAILS(db, points_account_close(db, 0), POINTS_ENOTFOUND);
}
END_TEST

START_TEST(test_close_refused_with_points_in_any_asset)
{
	ck_assert_int_eq(tu_earn(db, alice, "PTS", 5, NULL), POINTS_OK);
	ck_assert_int_eq(tu_earn(db, alice, "EXP", 7, NULL), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, alice, "PTS", 5, NULL), POINTS_OK);
	TU_FAILS(db, points_account_close(db, alice), POINTS_ESTATE);
	ck_assert_ptr_nonnull(strstr(points_errmsg(db), "available 7"));
	ck_assert_int_eq(tu_spend(db, alice, "EXP", 7, NULL), POINTS_OK);
	ck_assert_int_eq(points_account_close(db, alice), POINTS_OK);
}
END_TEST

START_TEST(test_close_refused_with_held_points)
{
	points_posting p = tu_posting("PTS", alice, 40);
	points_txn h, r;

	ck_assert_int_eq(tu_earn(db, alice, "PTS", 40, NULL), POINTS_OK);
	ck_assert_int_eq(points_hold_create(db, &p, &h), POINTS_OK);
	ck_assert_int_eq(tu_available(db, alice, "PTS"), 0);
	TU_FAILS(db, points_account_close(db, alice), POINTS_ESTATE);
	ck_assert_str_eq(points_errmsg(db),
	    "account E1001 still has points (available 0, held 40): it can "
	    "be closed only at zero");
	ck_assert_int_eq(tu_capture(db, h.id, 0, 0, NULL, &r),
	    POINTS_OK);
	ck_assert_int_eq(points_account_close(db, alice), POINTS_OK);
}
END_TEST

START_TEST(test_close_refused_below_zero)
{
	int64_t vip;

	ck_assert_int_eq(points_account_create(db, "VIP", NULL,
	    POINTS_ACCOUNT_ALLOW_NEGATIVE, &vip), POINTS_OK);
	ck_assert_int_eq(tu_spend(db, vip, "PTS", 5, NULL), POINTS_OK);
	TU_FAILS(db, points_account_close(db, vip), POINTS_ESTATE);
	ck_assert_int_eq(tu_earn(db, vip, "PTS", 5, NULL), POINTS_OK);
	ck_assert_int_eq(points_account_close(db, vip), POINTS_OK);
}
END_TEST

START_TEST(test_frozen_account_can_be_closed)
{
	points_account a;

	ck_assert_int_eq(points_account_freeze(db, alice), POINTS_OK);
	ck_assert_int_eq(points_account_close(db, alice), POINTS_OK);
	ck_assert_int_eq(points_account_get(db, alice, &a), POINTS_OK);
	ck_assert_int_eq(a.status, POINTS_ACCOUNT_CLOSED);
}
END_TEST

START_TEST(test_closed_account_refuses_freeze_and_postings)
{
	points_posting p = tu_posting("PTS", alice, 10);
	points_txn t;

	ck_assert_int_eq(points_account_close(db, alice), POINTS_OK);
	TU_FAILS(db, points_account_freeze(db, alice), POINTS_ECLOSED);
	ck_assert_str_eq(points_errmsg(db), "account E1001 is closed");
	TU_FAILS(db, points_account_unfreeze(db, alice), POINTS_ECLOSED);
	TU_FAILS(db, points_account_close(db, alice), POINTS_ECLOSED);
	TU_FAILS(db, tu_earn(db, alice, "PTS", 10, NULL), POINTS_ECLOSED);
	TU_FAILS(db, tu_spend(db, alice, "PTS", 1, NULL), POINTS_ECLOSED);
	TU_FAILS(db, points_hold_create(db, &p, &t), POINTS_ECLOSED);
	ck_assert_int_eq(tu_earn(db, bob, "PTS", 10, NULL), POINTS_OK);
	p.account = bob;
	p.counterparty = alice;
	TU_FAILS(db, points_transfer(db, &p, &t), POINTS_ECLOSED);
	p = tu_posting("PTS", alice, 10);
	p.memo = "goodwill";
	TU_FAILS(db, points_adjust(db, &p, &t), POINTS_ECLOSED);
}
END_TEST

/* ---- Iteration ---- */

START_TEST(test_iter_from_an_id_across_chunks)
{
	points_account_iterator *it;
	points_account a;
	char ext[32];
	int64_t id, want;
	int i, rc;

	for (i = 0; i < 150; i++) {
		snprintf(ext, sizeof(ext), "U%03d", i);
		id = tu_account(db, ext);
		ck_assert_int_eq(id, alice + 2 + i);
	}
	/* everything: the system accounts, alice, bob and 150 */
	ck_assert_int_eq(points_account_iterator_new(db, 0, &it), POINTS_OK);
	for (want = 1; (rc = points_account_next(it, &a)) == POINTS_OK; want++)
		ck_assert_int_eq(a.id, want);
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	ck_assert_int_eq(want, alice + 152);
	ck_assert_int_eq(points_account_next(it, &a), POINTS_ITEROVER);
	points_account_iterator_free(it);

	/* from the middle, across two chunk boundaries */
	ck_assert_int_eq(points_account_iterator_new(db, 20, &it), POINTS_OK);
	for (want = 20; (rc = points_account_next(it, &a)) == POINTS_OK;
	    want++) {
		ck_assert_int_eq(a.id, want);
		if (want >= alice + 2) {
			snprintf(ext, sizeof(ext), "U%03d", (int)(want - alice - 2));
			ck_assert_str_eq(a.external_id, ext);
		}
	}
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	ck_assert_int_eq(want, alice + 152);
	points_account_iterator_free(it);

	/* exactly one chunk's worth is left from 92 (92..155 with
	 * three system accounts) */
	ck_assert_int_eq(points_account_iterator_new(db, alice + 88, &it), POINTS_OK);
	for (i = 0; (rc = points_account_next(it, &a)) == POINTS_OK; i++)
		ck_assert_int_eq(a.id, alice + 88 + i);
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	ck_assert_int_eq(i, 64);
	points_account_iterator_free(it);

	/* past the end, and negative */
	ck_assert_int_eq(points_account_iterator_new(db, alice + 152, &it), POINTS_OK);
	ck_assert_int_eq(points_account_next(it, &a), POINTS_ITEROVER);
	points_account_iterator_free(it);
	ck_assert_int_eq(points_account_iterator_new(db, INT64_MAX, &it),
	    POINTS_OK);
	ck_assert_int_eq(points_account_next(it, &a), POINTS_ITEROVER);
	points_account_iterator_free(it);
	ck_assert_int_eq(points_account_iterator_new(db, -5, &it), POINTS_OK);
	ck_assert_int_eq(points_account_next(it, &a), POINTS_OK);
	ck_assert_int_eq(a.id, 1);
	points_account_iterator_free(it);
}
END_TEST

START_TEST(test_iter_sees_accounts_made_between_chunks)
{
	points_account_iterator *it;
	points_account a;
	char ext[32];
	int64_t want;
	int i, rc;

	for (i = 0; i < 100; i++) {
		snprintf(ext, sizeof(ext), "U%03d", i);
		tu_account(db, ext);
	}
	ck_assert_int_eq(points_account_iterator_new(db, 0, &it), POINTS_OK);
	ck_assert_int_eq(points_account_next(it, &a), POINTS_OK);
	/* no transaction is held between calls: writes go on */
	ck_assert_int_eq(tu_account(db, "late"), alice + 102);
	for (want = 2; (rc = points_account_next(it, &a)) == POINTS_OK; want++)
		ck_assert_int_eq(a.id, want);
	ck_assert_int_eq(rc, POINTS_ITEROVER);
	ck_assert_int_eq(want, alice + 103);
	points_account_iterator_free(it);
}
END_TEST

START_TEST(test_iter_errors)
{
	points_account_iterator *it = (points_account_iterator *)&it;
	points_statement_iterator *st;
	points_lot_iterator *li;
	points_account a;

	ck_assert_int_eq(points_account_iterator_new(NULL, 0, &it),
	    POINTS_EINVAL);
	ck_assert_ptr_eq(it, (points_account_iterator *)&it);
	ck_assert_int_eq(points_account_iterator_new(db, 0, NULL),
	    POINTS_EINVAL);
	ck_assert_int_eq(points_account_next(NULL, &a), POINTS_EINVAL);
	ck_assert_int_eq(points_account_iterator_new(db, 0, &it), POINTS_OK);
	ck_assert_int_eq(points_account_next(it, NULL), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db),
	    "account iterator: out is required");
	/* and still works after the misuse */
	ck_assert_int_eq(points_account_next(it, &a), POINTS_OK);
	ck_assert_int_eq(a.id, 1);
	points_account_iterator_free(it);

	/* Another kind does not compile (make check-iterator-types); one
	 * forced through a cast is refused at run time. */
	ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS", 0, 0,
	    POINTS_OLDEST_FIRST, &st), POINTS_OK);
	ck_assert_int_eq(points_account_next(
	    (points_account_iterator *)(void *)st, &a), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "this call steps account "
	    "iterators, not statement iterators");
	points_statement_iterator_free(st);
	ck_assert_int_eq(points_lot_iterator_new(db, alice, "PTS", INT64_MAX,
	    &li), POINTS_OK);
	ck_assert_int_eq(points_account_next(
	    (points_account_iterator *)(void *)li, &a), POINTS_EINVAL);
	points_lot_iterator_free(li);
	points_account_iterator_free(NULL);
}
END_TEST

static void
raw_del(const points_ksdef *ks, const void *k, size_t kl)
{
	points_store *s = db->store;

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(s->del(s, db->ks[ks->slot], k, kl), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

/* A key in the account list that is no account id (9 bytes, or past
 * 2^63 so that it reads as negative) is POINTS_ECORRUPT when the walk
 * meets it: it was read as id 0, and the walk started over from the
 * first account, for ever. */
START_TEST(test_iter_malformed_key_is_ecorrupt)
{
	unsigned char k[9], *rec;
	points_account a;
	points_account_iterator *it;
	size_t rl, klen = _i ? 8 : 9;
	int rc, n = 0;

	be64(k, alice);
	rec = raw_get(&points_account__ks, k, 8, &rl);
	if (_i)
		memset(k, 0xff, 8); /* past every id, sorted last */
	else
		k[8] = 0; /* right after alice's key */
	raw_put(&points_account__ks, k, klen, rec, rl);
	ck_assert_int_eq(points_account_iterator_new(db, 0, &it), POINTS_OK);
	while ((rc = points_account_next(it, &a)) == POINTS_OK && n < 100)
		n++;
	ck_assert_int_eq(rc, POINTS_ECORRUPT);
	ck_assert_int_eq(n, 0); /* its chunk is refused whole */
	ck_assert_msg(strstr(points_errmsg(db), "account list: a key of ") !=
	    NULL, "%s", points_errmsg(db));
	points_account_iterator_free(it);
	/* from past the bad key, the walk goes on */
	if (!_i) {
		ck_assert_int_eq(points_account_iterator_new(db, bob, &it),
		    POINTS_OK);
		ck_assert_int_eq(points_account_next(it, &a), POINTS_OK);
		ck_assert_int_eq(a.id, bob);
		points_account_iterator_free(it);
	}
	raw_del(&points_account__ks, k, klen);
	free(rec);
}
END_TEST

START_TEST(test_corrupt_account_record_is_ecorrupt)
{
	unsigned char k[8], *orig;
	static const unsigned char junk[] = { 0x07, 0x01, 0x02 };
	points_account a;
	points_account_iterator *it;
	char *v = NULL, want[64];
	size_t ol;
	int rc;

	ck_assert_int_eq(points_account_attr_set(db, alice, "k", "v"),
	    POINTS_OK);
	be64(k, alice);
	orig = raw_get(&points_account__ks, k, 8, &ol);
	raw_put(&points_account__ks, k, 8, junk, sizeof(junk));

	ck_assert_int_eq(points_account_get(db, alice, &a), POINTS_ECORRUPT);
	snprintf(want, sizeof(want), "account %lld: record unreadable",
	    (long long)alice);
	ck_assert_str_eq(points_errmsg(db), want);
	ck_assert_int_eq(points_account_find(db, "E1001", &a),
	    POINTS_ECORRUPT);
	ck_assert_int_eq(points_account_attr_get(db, alice, "k", &v),
	    POINTS_ECORRUPT);
	ck_assert_ptr_null(v);
	TU_FAILS(db, points_account_update(db, alice, "x", NULL, NULL),
	    POINTS_ECORRUPT);
	TU_FAILS(db, points_account_attr_set(db, alice, "k", "w"), POINTS_ECORRUPT);
	TU_FAILS(db, points_account_freeze(db, alice), POINTS_ECORRUPT);
	TU_FAILS(db, points_account_unfreeze(db, alice), POINTS_ECORRUPT);
	TU_FAILS(db, points_account_close(db, alice), POINTS_ECORRUPT);
	ck_assert_int_eq(points_account_iterator_new(db, 0, &it), POINTS_OK);
	while ((rc = points_account_next(it, &a)) == POINTS_OK)
		ck_assert_int_lt(a.id, alice);
	ck_assert_int_eq(rc, POINTS_ECORRUPT);
	points_account_iterator_free(it);
	/* another account is unaffected */
	ck_assert_int_eq(points_account_get(db, bob, &a), POINTS_OK);

	raw_put(&points_account__ks, k, 8, orig, ol);
	ck_assert_int_eq(points_account_get(db, alice, &a), POINTS_OK);
	free(orig);
}
END_TEST

START_TEST(test_corrupt_attributes_are_ecorrupt)
{
	unsigned char k[8], *orig, *bad;
	points_account a;
	char *v = NULL;
	size_t ol;

	be64(k, alice);
	orig = raw_get(&points_account__ks, k, 8, &ol);
	/* a key said to be 5 bytes long, with one */
	bad = malloc(ol + 2);
	ck_assert_ptr_nonnull(bad);
	memcpy(bad, orig, ol);
	bad[ol] = 5;
	bad[ol + 1] = 'a';
	raw_put(&points_account__ks, k, 8, bad, ol + 2);

	/* the fixed fields still read */
	ck_assert_int_eq(points_account_get(db, alice, &a), POINTS_OK);
	ck_assert_str_eq(a.external_id, "E1001");
	ck_assert_int_eq(points_account_attr_get(db, alice, "a", &v),
	    POINTS_ECORRUPT);
	ck_assert_str_eq(points_errmsg(db),
	    "account E1001: attributes unreadable");
	ck_assert_ptr_null(v);
	TU_FAILS(db, points_account_attr_set(db, alice, "a", "b"), POINTS_ECORRUPT);
	TU_FAILS(db, points_account_attr_set(db, alice, "a", NULL), POINTS_ECORRUPT);

	raw_put(&points_account__ks, k, 8, orig, ol);
	free(orig);
	free(bad);
}
END_TEST

START_TEST(test_corrupt_external_id_index_is_ecorrupt)
{
	points_account a;
	static const unsigned char three[] = { 0, 0, 4 };
	unsigned char k[8];

	raw_put(&points_account__extid_ks, "E1001", 5, three, sizeof(three));
	a.id = -7;
	ck_assert_int_eq(points_account_find(db, "E1001", &a),
	    POINTS_ECORRUPT);
	ck_assert_str_eq(points_errmsg(db),
	    "account E1001: index entry unreadable");
	ck_assert_int_eq(a.id, -7);
	be64(k, alice);
	raw_put(&points_account__extid_ks, "E1001", 5, k, 8);
	ck_assert_int_eq(points_account_find(db, "E1001", &a), POINTS_OK);
}
END_TEST

/* ---- Storage failures: a fault-injecting store under the ledger ---- */

static points_store *inner, *fault;

static int64_t
test_clock(void *ctx)
{
	(void)ctx;
	return tu_now;
}

static void
setup_fault(void)
{
	points_open_options o = POINTS_OPEN_OPTIONS_INIT;

	tu_now = TU_T0;
	ck_assert_int_eq(points_store_open("memory:", &inner), POINTS_OK);
	ck_assert_int_eq(points_store_fault_new(inner, &fault), POINTS_OK);
	o.clock = test_clock;
	ck_assert_int_eq(points_open_store(fault, &o, &db), POINTS_OK);
	ck_assert_int_eq(points_asset_create(db, "PTS", 0,
	    POINTS_EXPIRE_NEVER, 0), POINTS_OK);
	alice = tu_account(db, "E1001");
	bob = tu_account(db, "E1002");
	ck_assert_int_eq(points_account_attr_set(db, alice, "email", "a@x"),
	    POINTS_OK);
}

static void
teardown_fault(void)
{
	points_store_fault_arm(fault, 0, 0);
	tu_invariants(db);
	points_close(db);
	db = NULL;
	points_store_close(fault);
	points_store_close(inner);
	tu_snap_free();
}

enum op {
	OP_CREATE, OP_UPDATE, OP_ATTR_SET, OP_ATTR_DEL, OP_FREEZE,
	OP_UNFREEZE, OP_CLOSE, OP_GET, OP_FIND, OP_ATTR_GET, OP_ITER,
	OP_COUNT
};
static const char *const op_names[OP_COUNT] = {
	"create", "update", "attr_set", "attr_del", "freeze", "unfreeze",
	"close", "get", "find", "attr_get", "iter",
};

/* The first failing code after which an output was written anyway. */
static int out_touched;

/* Run op once; what it returned.  A read checks its result itself. */
static int
run_op(int op)
{
	points_account a;
	points_account_iterator *it = NULL;
	char *v = NULL;
	int64_t id = -7;
	int rc, n;

	memset(&a, 0x5a, sizeof(a));
	switch (op) {
	case OP_CREATE:
		rc = points_account_create(db, "E2000", "New", 0, &id);
		if (rc == POINTS_OK)
			ck_assert_int_eq(id, alice + 2);
		else if (id != -7 && !out_touched)
			out_touched = rc; /* reported after the loop */
		return rc;
	case OP_UPDATE:
		return points_account_update(db, alice, "Alice", "gold",
		    "R&D");
	case OP_ATTR_SET:
		return points_account_attr_set(db, alice, "phone", "555");
	case OP_ATTR_DEL:
		return points_account_attr_set(db, alice, "email", NULL);
	case OP_FREEZE:
		return points_account_freeze(db, alice);
	case OP_UNFREEZE:
		return points_account_unfreeze(db, bob);
	case OP_CLOSE:
		return points_account_close(db, alice);
	case OP_GET:
		rc = points_account_get(db, alice, &a);
		ck_assert_int_eq(a.id, (rc == POINTS_OK ? alice :
		    (int64_t)0x5a5a5a5a5a5a5a5all));
		return rc;
	case OP_FIND:
		rc = points_account_find(db, "E1002", &a);
		ck_assert_int_eq(a.id, (rc == POINTS_OK ? bob :
		    (int64_t)0x5a5a5a5a5a5a5a5all));
		return rc;
	case OP_ATTR_GET:
		rc = points_account_attr_get(db, alice, "email", &v);
		if (rc == POINTS_OK)
			ck_assert_str_eq(v, "a@x");
		else
			ck_assert_ptr_null(v);
		points_free(v);
		return rc;
	case OP_ITER:
		rc = points_account_iterator_new(db, 0, &it);
		if (rc != POINTS_OK) {
			ck_assert_ptr_null(it);
			return rc;
		}
		for (n = 0; (rc = points_account_next(it, &a)) == POINTS_OK;
		    n++)
			ck_assert_int_eq(a.id, n + 1);
		points_account_iterator_free(it);
		if (rc == POINTS_ITEROVER) {
			ck_assert_int_eq(n, bob);
			rc = POINTS_OK;
		}
		return rc;
	}
	return POINTS_EINVAL;
}

static int
op_writes(int op)
{
	return op <= OP_CLOSE;
}

/* Fail store call n = 1, 2, ... of op until it succeeds, once failing
 * only call n, once failing every call from n on. */
static void
store_fault_loop(int op)
{
	int persistent;

	if (op == OP_UNFREEZE)
		ck_assert_int_eq(points_account_freeze(db, bob), POINTS_OK);
	for (persistent = 0; persistent <= 1; persistent++) {
		int64_t n;
		int rc;

		for (n = 1;; n++) {
			ck_assert_msg(n < 1000, "%s never succeeds",
			    op_names[op]);
			tu_snap(db);
			points_store_fault_arm(fault, n, persistent);
			rc = run_op(op);
			points_store_fault_arm(fault, 0, 0);
			if (rc == POINTS_OK)
				break;
			ck_assert_msg(rc == POINTS_ESTORAGE,
			    "%s, fault at %lld: %d (%s)", op_names[op],
			    (long long)n, rc, points_errmsg(db));
			ck_assert_int_eq(points_errcode(db), rc);
			ck_assert_ptr_nonnull(strstr(points_errmsg(db),
			    "fault injected"));
			if (op_writes(op))
				tu_unchanged(db);
		}
		ck_assert_msg(n > 1, "%s made no store call", op_names[op]);
		ck_assert_msg(out_touched == 0, "%s wrote its output although "
		    "it failed (%d)", op_names[op], out_touched);
		if (op_writes(op) && persistent == 0) {
			/* undo it so the persistent round starts alike */
			points_close(db);
			db = NULL;
			points_store_close(fault);
			points_store_close(inner);
			setup_fault();
			if (op == OP_UNFREEZE)
				ck_assert_int_eq(points_account_freeze(db,
				    bob), POINTS_OK);
		}
	}
}

START_TEST(test_store_failure_is_estorage_and_changes_nothing)
{
	store_fault_loop(_i);
}
END_TEST

/* A failure inside a batch: undone alone (the batch goes on), unless
 * undoing it fails too (every call fails from n on), which drops the
 * batch with POINTS_ESTATE. */
START_TEST(test_failure_inside_batch_drops_it_with_estate)
{
	int64_t n, id;
	int rc, dropped = 0, persistent;

	tu_snap(db);
	for (persistent = 0; persistent < 2; persistent++)
	for (n = 1;; n++) {
		ck_assert(n < 1000);
		ck_assert_int_eq(points_batch_begin(db), POINTS_OK);
		points_store_fault_arm(fault, n, persistent);
		rc = points_account_create(db, "E3000", NULL, 0, &id);
		points_store_fault_arm(fault, 0, 0);
		if (rc == POINTS_OK) {
			ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
			break;
		}
		ck_assert_int_eq(rc, POINTS_ESTORAGE);
		/* a failure before the first write, or one undone, lets
		 * the batch go on; one whose undo failed drops it */
		rc = points_account_create(db, "E3001", NULL, 0, &id);
		if (rc == POINTS_ESTATE) {
			ck_assert(persistent);
			dropped++;
			ck_assert_int_eq(points_account_update(db, alice, "x",
			    NULL, NULL), POINTS_ESTATE);
			ck_assert_int_eq(points_account_attr_set(db, alice,
			    "k", "v"), POINTS_ESTATE);
			ck_assert_int_eq(points_account_freeze(db, alice),
			    POINTS_ESTATE);
			ck_assert_int_eq(points_batch_commit(db),
			    POINTS_ESTATE);
			ck_assert_int_eq(points_batch_rollback(db),
			    POINTS_EMISUSE);
		} else {
			ck_assert_int_eq(rc, POINTS_OK);
			ck_assert_int_eq(points_batch_rollback(db), POINTS_OK);
		}
		tu_unchanged(db);
	}
	ck_assert_int_gt(dropped, 0);
	tu_unchanged(db);
}
END_TEST

/* A refill that fails is retried from where it stopped: no account is
 * skipped or repeated. */
START_TEST(test_iter_resumes_after_a_failed_refill)
{
	points_account_iterator *it;
	points_account a;
	char ext[32];
	int64_t n, want;
	int i, rc, failed;

	for (i = 0; i < 100; i++) {
		snprintf(ext, sizeof(ext), "U%03d", i);
		tu_account(db, ext);
	}
	for (n = 1;; n++) {
		ck_assert(n < 1000);
		ck_assert_int_eq(points_account_iterator_new(db, 0, &it),
		    POINTS_OK);
		for (want = 1; want <= 64; want++) {
			ck_assert_int_eq(points_account_next(it, &a),
			    POINTS_OK);
			ck_assert_int_eq(a.id, want);
		}
		/* the second chunk's refill fails at store call n */
		points_store_fault_arm(fault, n, 0);
		rc = points_account_next(it, &a);
		points_store_fault_arm(fault, 0, 0);
		failed = rc != POINTS_OK;
		if (failed)
			ck_assert_int_eq(rc, POINTS_ESTORAGE);
		else
			ck_assert_int_eq(a.id, want++);
		while ((rc = points_account_next(it, &a)) == POINTS_OK)
			ck_assert_int_eq(a.id, want++);
		ck_assert_int_eq(rc, POINTS_ITEROVER);
		ck_assert_int_eq(want, alice + 102);
		points_account_iterator_free(it);
		if (!failed)
			break;
	}
	ck_assert_int_gt(n, 1);
}
END_TEST

/* ---- Memory failures: fail allocation n, or every one from n ---- */

static long fa_count, fa_at;
static int fa_persistent;

static int
fa_fails(void)
{
	if (!fa_at)
		return 0;
	fa_count++;
	return fa_count == fa_at || (fa_persistent && fa_count > fa_at);
}

static void *
fa_malloc(size_t n)
{
	return fa_fails() ? NULL : malloc(n);
}

static void *
fa_realloc(void *p, size_t n)
{
	return fa_fails() ? NULL : realloc(p, n);
}

static void
fa_arm(long at, int persistent)
{
	fa_count = 0;
	fa_at = at;
	fa_persistent = persistent;
}

static void
setup_alloc(void)
{
	fa_arm(0, 0);
	ck_assert_int_eq(points_set_allocator(fa_malloc, fa_realloc, free),
	    POINTS_OK);
	setup();
	ck_assert_int_eq(points_account_attr_set(db, alice, "email", "a@x"),
	    POINTS_OK);
}

static void
teardown_alloc(void)
{
	fa_arm(0, 0);
	teardown();
	ck_assert_int_eq(points_set_allocator(NULL, NULL, NULL), POINTS_OK);
}

static void
alloc_fault_loop(int op)
{
	int persistent, seen_nomem = 0;

	if (op == OP_UNFREEZE)
		ck_assert_int_eq(points_account_freeze(db, bob), POINTS_OK);
	for (persistent = 0; persistent <= 1; persistent++) {
		long n;
		int rc;

		for (n = 1;; n++) {
			ck_assert_msg(n < 100000, "%s never succeeds",
			    op_names[op]);
			tu_snap(db);
			fa_arm(n, persistent);
			rc = run_op(op);
			fa_arm(0, 0);
			if (rc == POINTS_OK)
				break;
			ck_assert_msg(rc == POINTS_ENOMEM,
			    "%s, allocation %ld fails: %d (%s)", op_names[op],
			    n, rc, points_errmsg(db));
			ck_assert_int_eq(points_errcode(db), rc);
			seen_nomem = 1;
			ck_assert_msg(out_touched == 0, "%s wrote its output "
			    "although it failed (%d)", op_names[op],
			    out_touched);
			if (op_writes(op))
				tu_unchanged(db);
		}
		if (op_writes(op) && persistent == 0) {
			teardown_alloc();
			setup_alloc();
			if (op == OP_UNFREEZE)
				ck_assert_int_eq(points_account_freeze(db,
				    bob), POINTS_OK);
		}
	}
	/* every account call but get and find allocates (in the store:
	 * the PostgreSQL store's memory is libpq's, outside the allocator) */
	if (op != OP_GET && op != OP_FIND && !tu_backend_pg())
		ck_assert_msg(seen_nomem, "%s never ran out of memory",
		    op_names[op]);
}

START_TEST(test_out_of_memory_is_enomem_and_changes_nothing)
{
	alloc_fault_loop(_i);
}
END_TEST

/* ---- A locked SQLite store ---- */

START_TEST(test_write_on_locked_store_is_ebusy)
{
	char uri[160];
	points_db *a, *b;
	points_account acct;
	int64_t id = -7, e1001;

	snprintf(uri, sizeof(uri), "%s?busy_timeout=0", tu_sqlite_uri());
	a = tu_open(uri);
	b = tu_open_bare(uri);
	e1001 = tu_account(a, "E1001");
	ck_assert_int_eq(points_batch_begin(a), POINTS_OK); /* write lock */
	ck_assert_int_eq(points_account_create(b, "E1002", NULL, 0, &id),
	    POINTS_EBUSY);
	ck_assert_int_eq(id, -7);
	ck_assert_int_eq(points_account_update(b, e1001, "x", NULL, NULL),
	    POINTS_EBUSY);
	ck_assert_int_eq(points_account_attr_set(b, e1001, "k", "v"),
	    POINTS_EBUSY);
	ck_assert_int_eq(points_account_freeze(b, 4), POINTS_EBUSY);
	ck_assert_int_eq(points_account_unfreeze(b, 4), POINTS_EBUSY);
	ck_assert_int_eq(points_account_close(b, 4), POINTS_EBUSY);
	ck_assert_int_eq(points_errcode(b), POINTS_EBUSY);
	/* readers are not blocked by a writer (WAL) */
	ck_assert_int_eq(points_account_get(b, e1001, &acct), POINTS_OK);
	ck_assert_int_eq(points_batch_rollback(a), POINTS_OK);
	ck_assert_int_eq(points_account_create(b, "E1002", NULL, 0, &id),
	    POINTS_OK);
	ck_assert_int_eq(id, e1001 + 1);
	tu_invariants(a);
	points_close(a);
	points_close(b);
	tu_cleanup();
}
END_TEST

/* ---- Damaged department and tier records ---- */

static void
party_put(const char *space, const void *k, size_t kl, const void *v,
    size_t vl)
{
	points_store *s = tu_store(db);

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	ck_assert_int_eq(v ? s->put(s, tu_keyspace(db, space), k, kl, v, vl) :
	    s->del(s, tu_keyspace(db, space), k, kl), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

/* alice in sales, gold earns with a category, so her entry names the
 * pair (party 1).  _i: the damage; then the update that puts bob in a
 * pair refuses, saying which and why, writing nothing, or the
 * statement that names the pair does. */
START_TEST(test_damaged_party_records_are_refused)
{
	static const unsigned char one[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
	static const unsigned char last[8] = { 0, 0, 0, 0, 0xff, 0xff, 0xff,
	    0xff };
	points_posting p = tu_posting("PTS", alice, 10);
	points_statement_iterator *it;
	points_entry e;
	points_txn t;
	unsigned char name[16];
	const char *want;

	ck_assert_int_eq(points_account_update(db, alice, NULL, "gold",
	    "sales"), POINTS_OK);
	p.category = "welcome";
	ck_assert_int_eq(points_earn(db, &p, &t), POINTS_OK);
	/* the index key: the pair as length-prefixed strings */
	memcpy(name, "\x05sales\x04gold", 11);
	switch (_i) {
	case 0: /* the index entry of sales, gold cut to 3 bytes */
		party_put("partyname", name, 11, "abc", 3);
		want = "department sales, tier gold: index entry unreadable";
		TU_FAILS(db, points_account_update(db, bob, NULL, "gold",
		    "sales"), POINTS_ECORRUPT);
		break;
	case 1: /* the last id taken: no new pair can be made */
		party_put("party", last, 8, "\x01\x01x\x01y", 5);
		want = "department ops, tier silver: too many distinct "
		    "departments and tiers";
		TU_FAILS(db, points_account_update(db, bob, NULL, "silver",
		    "ops"), POINTS_ELIMIT);
		break;
	case 2: /* the pair's record gone */
		party_put("party", one, 8, NULL, 0);
		want = "party 1 is missing";
		break;
	default: /* the pair's record of another version */
		party_put("party", one, 8, "\x02\x05sales\x04gold", 12);
		want = "party 1: record unreadable";
		break;
	}
	if (_i >= 2) {
		ck_assert_int_eq(points_statement_iterator_new(db, alice, "PTS",
		    0, 0, POINTS_OLDEST_FIRST, &it), POINTS_OK);
		ck_assert_int_eq(points_statement_next(it, &e), POINTS_ECORRUPT);
		points_statement_iterator_free(it);
	}
	ck_assert_msg(strstr(points_errmsg(db), want) != NULL, "'%s', not "
	    "'%s'", points_errmsg(db), want);
	/* the teardown's checks would read the damage */
	points_close(db);
	db = tu_open("memory:");
}
END_TEST

static Suite *
account_suite(void)
{
	Suite *s = suite_create("account");
	TCase *tc = tcase_create("account");
	TCase *tf = tcase_create("store_failure");
	TCase *tm = tcase_create("out_of_memory");
	TCase *tl = tcase_create("locked");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_builtin_system_accounts_exist);
	tcase_add_test(tc, test_create_gives_ascending_ids_from_4);
	tcase_add_test(tc, test_create_with_null_name_and_system_flag);
	tcase_add_test(tc, test_balance_record_keeps_every_account_flag);
	tcase_add_test(tc, test_create_duplicate_external_id_is_eexists);
	tcase_add_test(tc, test_create_refuses_bad_arguments);
	tcase_add_test(tc, test_get_unknown_account_is_enotfound);
	tcase_add_test(tc, test_get_and_find_refuse_null_arguments);
	tcase_add_test(tc, test_find_by_external_id);
	tcase_add_test(tc, test_update_null_keeps_and_empty_clears);
	tcase_add_test(tc, test_update_refuses_bad_arguments);
	tcase_add_test(tc, test_update_of_builtin_system_account_is_refused);
	tcase_add_test(tc, test_attr_set_get_replace_remove);
	tcase_add_test(tc, test_attr_get_missing_key_is_enotfound);
	tcase_add_test(tc, test_attr_remove_of_missing_key_changes_nothing);
	tcase_add_test(tc, test_attr_refuses_bad_arguments);
	tcase_add_test(tc, test_attr_at_most_64);
	tcase_add_test(tc, test_attrs_survive_update_freeze_and_postings);
	tcase_add_test(tc, test_freeze_and_unfreeze);
	tcase_add_test(tc, test_system_accounts_cannot_be_frozen_or_closed);
	tcase_add_test(tc, test_close_only_at_zero_balance);
	tcase_add_test(tc, test_close_refused_with_points_in_any_asset);
	tcase_add_test(tc, test_close_refused_with_held_points);
	tcase_add_test(tc, test_close_refused_below_zero);
	tcase_add_test(tc, test_frozen_account_can_be_closed);
	tcase_add_test(tc, test_closed_account_refuses_freeze_and_postings);
	tcase_add_test(tc, test_iter_from_an_id_across_chunks);
	tcase_add_test(tc, test_iter_sees_accounts_made_between_chunks);
	tcase_add_test(tc, test_iter_errors);
	tcase_add_test(tc, test_corrupt_account_record_is_ecorrupt);
	tcase_add_loop_test(tc, test_iter_malformed_key_is_ecorrupt, 0, 2);
	tcase_add_test(tc, test_corrupt_attributes_are_ecorrupt);
	tcase_add_test(tc, test_corrupt_external_id_index_is_ecorrupt);
	tcase_add_loop_test(tc, test_damaged_party_records_are_refused, 0, 4);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tf, setup_fault, teardown_fault);
	tcase_add_loop_test(tf,
	    test_store_failure_is_estorage_and_changes_nothing, 0, OP_COUNT);
	tcase_add_test(tf, test_failure_inside_batch_drops_it_with_estate);
	tcase_add_test(tf, test_iter_resumes_after_a_failed_refill);
	suite_add_tcase(s, tf);

	tcase_add_checked_fixture(tm, setup_alloc, teardown_alloc);
	tcase_add_loop_test(tm,
	    test_out_of_memory_is_enomem_and_changes_nothing, 0, OP_COUNT);
	suite_add_tcase(s, tm);

	tcase_add_test(tl, test_write_on_locked_store_is_ebusy);
	suite_add_tcase(s, tl);
	return s;
}

int
main(void)
{
	return tu_run(account_suite());
}
