/* check_outbox_errors.c - the outbox, account triggers and expiry
 * notices refusing bad arguments, the edges of pruning, resuming after
 * the last sequence, and damaged records read back through the store.
 * The ledgers are "memory:" (make check-c runs the suite on SQLite
 * too). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "outbox/outbox.h"

static points_db *db;

static void
setup(void)
{
	tu_now = TU_T0 + 10 * 3600;
	db = tu_open("memory:");
}

static void
teardown(void)
{
	tu_invariants(db);
	points_close(db);
	db = NULL;
	tu_snap_free();
	tu_cleanup();
}

/* Write (or with v NULL delete) a record straight into keyspace ks. */
static void
raw_put(const char *ks, const void *k, size_t kl, const void *v, size_t vl)
{
	points_store *s = tu_store(db);
	struct points_keyspace *sp = tu_keyspace(db, ks);

	ck_assert_int_eq(s->begin(s, 1), POINTS_OK);
	if (v)
		ck_assert_int_eq(s->put(s, sp, k, kl, v, vl), POINTS_OK);
	else
		ck_assert_int_eq(s->del(s, sp, k, kl), POINTS_OK);
	ck_assert_int_eq(s->commit(s), POINTS_OK);
}

static int
has(const char *what)
{
	return strstr(points_errmsg(db), what) != NULL;
}

/* Events: a balance trigger crossed by each earn of 10 after a spend. */
static int64_t
three_events(void)
{
	points_trigger t;
	int64_t a = tu_account(db, "u1");
	int i;

	ck_assert_int_eq(points_trigger_set(db, "rich", POINTS_TRIGGER_BALANCE,
	    "PTS", 10, NULL, &t), POINTS_OK);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(tu_earn(db, a, "PTS", 10, NULL), POINTS_OK);
		ck_assert_int_eq(tu_spend(db, a, "PTS", 10, NULL), POINTS_OK);
	}
	return a;
}

START_TEST(test_next_and_prune_arguments)
{
	points_outbox_event e;
	int64_t n = -1;

	three_events();
	ck_assert_int_eq(points_outbox_next(db, 0, NULL), POINTS_EINVAL);
	ck_assert(has("out is required"));
	ck_assert_int_eq(points_outbox_next(db, -1, &e), POINTS_EINVAL);
	ck_assert(has("after_seq") && has("-1"));
	/* the last possible sequence: nothing can follow it */
	ck_assert_int_eq(points_outbox_next(db, INT64_MAX, &e),
	    POINTS_ITEROVER);
	TU_FAILS(db, points_outbox_prune(db, 1, NULL), POINTS_EINVAL);
	ck_assert(has("out is required"));
	TU_FAILS(db, points_outbox_prune(db, -5, &n), POINTS_EINVAL);
	ck_assert(has("through_seq") && has("-5"));
	ck_assert_int_eq(n, -1);
}
END_TEST

/* Pruning nothing writes nothing; pruning everything keeps the numbers
 * going: the next event gets the sequence after the last one, and a
 * host resuming after the last it delivered sees exactly it. */
START_TEST(test_prune_edges_and_resume)
{
	points_outbox_event e;
	int64_t a, first, last, n = -1;

	a = three_events();
	ck_assert_int_eq(points_outbox_next(db, 0, &e), POINTS_OK);
	first = e.seq;
	last = first;
	while (points_outbox_next(db, last, &e) == POINTS_OK)
		last = e.seq;
	ck_assert_int_eq(last - first, 2);
	/* before the first event: none pruned, nothing written */
	tu_snap(db);
	ck_assert_int_eq(points_outbox_prune(db, first - 1, &n), POINTS_OK);
	ck_assert_int_eq(n, 0);
	tu_unchanged(db);
	/* through the first only */
	ck_assert_int_eq(points_outbox_prune(db, first, &n), POINTS_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(points_outbox_next(db, 0, &e), POINTS_OK);
	ck_assert_int_eq(e.seq, first + 1);
	/* everything, by the widest bound */
	ck_assert_int_eq(points_outbox_prune(db, INT64_MAX, &n), POINTS_OK);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(points_outbox_next(db, 0, &e), POINTS_ITEROVER);
	ck_assert_int_eq(points_outbox_next(db, last, &e), POINTS_ITEROVER);
	/* again: nothing left, nothing written */
	tu_snap(db);
	ck_assert_int_eq(points_outbox_prune(db, INT64_MAX, &n), POINTS_OK);
	ck_assert_int_eq(n, 0);
	tu_unchanged(db);
	/* a new event after the pruned ones is numbered after them */
	ck_assert_int_eq(tu_earn(db, a, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(points_outbox_next(db, last, &e), POINTS_OK);
	ck_assert_int_eq(e.seq, last + 1);
	ck_assert_str_eq(e.kind, POINTS_OUTBOX_ACCOUNT_TRIGGER);
	ck_assert_int_eq(e.account, a);
	ck_assert_int_eq(points_outbox_next(db, last + 1, &e),
	    POINTS_ITEROVER);
}
END_TEST

START_TEST(test_trigger_arguments)
{
	points_trigger t;

	TU_FAILS(db, points_trigger_set(db, "t1", POINTS_TRIGGER_BALANCE,
	    "PTS", 10, "gold", &t), POINTS_EINVAL);
	ck_assert(has("trigger 't1'") && has("no tier") && has("gold"));
	TU_FAILS(db, points_trigger_set(db, "t2", POINTS_TRIGGER_TIER,
	    "PTS", 0, "gold", &t), POINTS_EINVAL);
	ck_assert(has("trigger 't2'") && has("no asset and no level"));
	TU_FAILS(db, points_trigger_set(db, "t3", POINTS_TRIGGER_TIER,
	    NULL, 5, NULL, &t), POINTS_EINVAL);
	ck_assert(has("trigger 't3'") && has("no asset and no level"));
	TU_FAILS(db, points_trigger_set(db, "t4", POINTS_TRIGGER_BALANCE,
	    "PTS", 0, NULL, &t), POINTS_EINVAL);
	ck_assert(has("trigger 't4'") && has("positive"));
	TU_FAILS(db, points_trigger_set(db, "t5", POINTS_TRIGGER_BALANCE,
	    "PTS", 1, NULL, NULL), POINTS_EINVAL);
	ck_assert(has("out is required"));
	/* an empty tier or asset is none */
	ck_assert_int_eq(points_trigger_set(db, "t6", POINTS_TRIGGER_BALANCE,
	    "PTS", 10, "", &t), POINTS_OK);
	ck_assert_str_eq(t.tier, "");
	ck_assert_int_eq(t.level, 10);
	ck_assert_int_eq(points_trigger_set(db, "t7", POINTS_TRIGGER_TIER,
	    "", 0, "gold", &t), POINTS_OK);
	ck_assert_str_eq(t.asset, "");
	ck_assert_str_eq(t.tier, "gold");
	TU_FAILS(db, points_trigger_set(db, "t8", POINTS_TRIGGER_TIER,
	    "", 3, "gold", &t), POINTS_EINVAL);
	ck_assert(has("trigger 't8'") && has("no asset and no level"));
	TU_FAILS(db, points_trigger_remove(db, "none"), POINTS_ENOTFOUND);
	ck_assert(has("trigger 'none'"));
}
END_TEST

/* An event's kind, which the library names (its modules append the
 * events), is refused unless it is 1-32 of a-z, 0-9, '_', '.' and '-':
 * code and message naming the kind, and nothing written. */
START_TEST(test_append_refuses_bad_kinds)
{
	static const char *const bad[] = {
		"Order.state", "order state", "order-state.Z", "order/state",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 33 */
	};
	char want[128];
	int64_t seq = -1;
	size_t i;

	three_events();
	tu_snap(db);
	ck_assert_int_eq(points_outbox__append(db, NULL, "MUG", 0, NULL,
	    &seq), POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "outbox: an event's kind is "
	    "required");
	ck_assert_int_eq(points_outbox__append(db, "", "MUG", 0, NULL, &seq),
	    POINTS_EINVAL);
	ck_assert_str_eq(points_errmsg(db), "outbox: an event's kind is "
	    "required");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(points_outbox__append(db, bad[i], "MUG", 0,
		    NULL, &seq), POINTS_EINVAL);
		snprintf(want, sizeof(want), "outbox: kind '%s': 1-%d of a-z, "
		    "0-9, '_', '.' and '-'", bad[i], POINTS_OUTBOX_KIND_MAX);
		ck_assert_str_eq(points_errmsg(db), want);
	}
	ck_assert_int_eq(seq, -1);
	tu_unchanged(db);
}
END_TEST

/* A damaged event is reported with its sequence number, not skipped
 * nor handed out half read. */
START_TEST(test_damaged_event)
{
	static const unsigned char bad[] = { 0x7f, 1, 2 };
	points_outbox_event e;
	unsigned char k[8];
	int64_t last, seq;
	int i;

	three_events();
	ck_assert_int_eq(points_outbox_next(db, 0, &e), POINTS_OK);
	seq = e.seq;
	for (i = 7; i >= 0; i--, seq >>= 8)
		k[i] = (unsigned char)(seq & 0xff);
	raw_put("outbox", k, 8, bad, sizeof(bad));
	ck_assert_int_eq(points_outbox_next(db, 0, &e), POINTS_ECORRUPT);
	ck_assert_msg(has("outbox: event") && has("unreadable"), "%s",
	    points_errmsg(db));
	/* the next ones still read */
	ck_assert_int_eq(points_outbox_next(db, e.seq > 0 ? e.seq : 1, &e),
	    POINTS_OK);
	last = e.seq;
	ck_assert_int_eq(points_outbox_prune(db, last, &seq), POINTS_OK);
	ck_assert_int_eq(seq, 2);
}
END_TEST

/* Once every event is pruned, the next event's number comes from the
 * floor the prune kept.  _i: the floor unreadable (a write that makes an
 * event is refused as ECORRUPT) or at INT64_MAX (no number left:
 * ELIMIT); the refused write writes nothing. */
START_TEST(test_damaged_or_last_floor)
{
	static const unsigned char floor_max[] = { 1, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0x7f }; /* INT64_MAX as a varint */
	points_outbox_event e;
	int64_t a = three_events(), seq;

	ck_assert_int_eq(points_outbox_prune(db, INT64_MAX, &seq), POINTS_OK);
	ck_assert_int_eq(points_outbox_next(db, 0, &e), POINTS_ITEROVER);
	if (_i == 0)
		raw_put("outboxmeta", "floor", 5, "\x02\x03", 2);
	else
		raw_put("outboxmeta", "floor", 5, floor_max, sizeof(floor_max));
	/* an earn of 10 crosses the trigger: an event */
	TU_FAILS(db, tu_earn(db, a, "PTS", 10, NULL), _i == 0 ?
	    POINTS_ECORRUPT : POINTS_ELIMIT);
	ck_assert_msg(has(_i == 0 ? "outbox: floor record unreadable" :
	    "outbox: no sequence numbers left"), "%s", points_errmsg(db));
	/* the floor put back as a prune keeps it, the event is made */
	raw_put("outboxmeta", "floor", 5, "\x01\x07", 2);
	ck_assert_int_eq(tu_earn(db, a, "PTS", 10, NULL), POINTS_OK);
	ck_assert_int_eq(points_outbox_next(db, 0, &e), POINTS_OK);
	ck_assert_int_eq(e.seq, 8);
}
END_TEST

/* An event's data as the JSON builder writes it: integers at both ends
 * of int64, strings with quotes, backslashes and control characters
 * escaped, NULL as "", and data past POINTS_OUTBOX_DATA_MAX refused
 * (ELIMIT) rather than cut. */
START_TEST(test_event_data_json)
{
	static points_outbox_json j;
	char big[600];
	int i;

	points_outbox__json_begin(&j);
	points_outbox__json_int(&j, "min", INT64_MIN);
	points_outbox__json_int(&j, "max", INT64_MAX);
	points_outbox__json_int(&j, "neg", -5);
	points_outbox__json_str(&j, "s", "a\"b\\c\n\x01");
	points_outbox__json_str(&j, "none", NULL);
	ck_assert_int_eq(points_outbox__json_end(&j), POINTS_OK);
	ck_assert_str_eq(j.buf, "{\"min\":-9223372036854775808,"
	    "\"max\":9223372036854775807,\"neg\":-5,"
	    "\"s\":\"a\\\"b\\\\c\\u000a\\u0001\",\"none\":\"\"}");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	points_outbox__json_begin(&j);
	for (i = 0; i < 2 * POINTS_OUTBOX_DATA_MAX / 600 + 2; i++)
		points_outbox__json_str(&j, "k", big);
	ck_assert_int_eq(points_outbox__json_end(&j), POINTS_ELIMIT);
	ck_assert_uint_le(strlen(j.buf), POINTS_OUTBOX_DATA_MAX);
}
END_TEST

/* A damaged trigger fails its listing and the writes that would look at
 * it, naming it. */
START_TEST(test_damaged_trigger)
{
	static const unsigned char bad[] = { 0x7f };
	points_trigger_iterator *it;
	points_trigger t;
	int64_t a = tu_account(db, "u1");

	ck_assert_int_eq(points_trigger_set(db, "rich", POINTS_TRIGGER_BALANCE,
	    "PTS", 10, NULL, &t), POINTS_OK);
	raw_put("trigger", "rich", 4, bad, sizeof(bad));
	ck_assert_int_eq(points_trigger_iterator_new(db, &it), POINTS_OK);
	ck_assert_int_eq(points_trigger_next(it, &t), POINTS_ECORRUPT);
	ck_assert_msg(has("trigger 'rich'") && has("unreadable"), "%s",
	    points_errmsg(db));
	points_trigger_iterator_free(it);
	/* a record of an unknown kind is damaged too */
	{
		static const unsigned char kind9[] = { 1, 9, 0, 0, 0, 0, 0 };

		raw_put("trigger", "rich", 4, kind9, sizeof(kind9));
		ck_assert_int_eq(points_trigger_iterator_new(db, &it),
		    POINTS_OK);
		ck_assert_int_eq(points_trigger_next(it, &t),
		    POINTS_ECORRUPT);
		ck_assert(has("trigger 'rich'"));
		points_trigger_iterator_free(it);
	}
	raw_put("trigger", "rich", 4, NULL, 0);
	/* a name longer than any trigger may have */
	{
		static const char key[] = "a-name-longer-than-thirty-two-bytes";

		ck_assert_uint_gt(sizeof(key) - 1, POINTS_TRIGGER_NAME_MAX);
		raw_put("trigger", key, sizeof(key) - 1, bad, sizeof(bad));
		ck_assert_int_eq(points_trigger_iterator_new(db, &it),
		    POINTS_OK);
		ck_assert_int_eq(points_trigger_next(it, &t),
		    POINTS_ECORRUPT);
		ck_assert(has("trigger: bad key"));
		points_trigger_iterator_free(it);
		raw_put("trigger", key, sizeof(key) - 1, NULL, 0);
	}
	ck_assert_int_eq(tu_earn(db, a, "PTS", 10, NULL), POINTS_OK);
}
END_TEST

/* A damaged notice window is refused when read, naming the record. */
START_TEST(test_damaged_expiry_window)
{
	static const unsigned char bad[] = { 0x80 }; /* a cut varint */
	int64_t days = -1;

	ck_assert_int_eq(points_outbox_expiring_set(db, "EXP", 30),
	    POINTS_OK);
	ck_assert_int_eq(points_outbox_expiring_get(db, "EXP", &days),
	    POINTS_OK);
	ck_assert_int_eq(days, 30);
	{
		points_store *s = tu_store(db);
		struct points_keyspace *sp = tu_keyspace(db, "outboxexpwin");
		points_cursor *c;
		const void *k, *v;
		size_t kl, vl;
		unsigned char key[64], val[64];
		size_t keyl, vall;

		/* the one window record, whatever its key */
		ck_assert_int_eq(s->begin(s, 0), POINTS_OK);
		ck_assert_int_eq(s->cursor_open(s, sp, NULL, 0, NULL, 0, 0,
		    &c), POINTS_OK);
		ck_assert_int_eq(s->cursor_next(s, c, &k, &kl, &v, &vl),
		    POINTS_OK);
		ck_assert_uint_le(kl, sizeof(key));
		ck_assert_uint_le(vl, sizeof(val));
		memcpy(key, k, kl);
		memcpy(val, v, vl);
		keyl = kl;
		vall = vl;
		s->cursor_close(s, c);
		ck_assert_int_eq(s->commit(s), POINTS_OK);
		raw_put("outboxexpwin", key, keyl, bad, sizeof(bad));
		ck_assert_int_eq(points_outbox_expiring_get(db, "EXP", &days),
		    POINTS_ECORRUPT);
		ck_assert_msg(has("outboxexpwin") && has("unreadable"), "%s",
		    points_errmsg(db));
		/* nor is a damaged window overwritten blindly */
		TU_FAILS(db, points_outbox_expiring_set(db, "EXP", 7),
		    POINTS_ECORRUPT);
		raw_put("outboxexpwin", key, keyl, val, vall);
	}
	ck_assert_int_eq(points_outbox_expiring_get(db, "EXP", &days),
	    POINTS_OK);
	ck_assert_int_eq(days, 30);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("outbox_errors");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_next_and_prune_arguments);
	tcase_add_test(tc, test_prune_edges_and_resume);
	tcase_add_test(tc, test_trigger_arguments);
	tcase_add_test(tc, test_append_refuses_bad_kinds);
	tcase_add_test(tc, test_damaged_event);
	tcase_add_test(tc, test_event_data_json);
	tcase_add_loop_test(tc, test_damaged_or_last_floor, 0, 2);
	tcase_add_test(tc, test_damaged_trigger);
	tcase_add_test(tc, test_damaged_expiry_window);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(suite());
}
