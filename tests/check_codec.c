/* check_codec.c - the UTF-8 check every text input goes through: its
 * eight-bytes-at-a-time path for ASCII must decide exactly as a byte at
 * a time does, wherever a zero or a non-ASCII byte falls in a word; the
 * record readers, which must not read past a record's end; and the
 * calendar's dates, against a walk a day at a time. */
#include <stdint.h>
#include <string.h>

#include "testutil.h"
#include "util/calendar.h"
#include "util/codec.h"

/* The reference: RFC 3629, a byte at a time, written from the RFC. */
static int
utf8_reference(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i], len, k;
		uint32_t cp;

		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07;
		else
			return 0;
		if (n - i < len)
			return 0;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += len;
	}
	return 1;
}

START_TEST(test_known_texts)
{
	static const struct {
		const char *s;
		int ok;
	} t[] = {
		{ "", 1 },
		{ "order 0190a3b4-7c1d x1", 1 },
		{ "caf\xc3\xa9 \xe7\xa7\xaf\xe5\x88\x86 ok", 1 },
		{ "sixteen ascii ch\xf0\x9f\x8e\x81", 1 },
		{ "twelve ascii\xff", 0 },
		{ "eight by\xc3", 0 },        /* cut short at the end */
		{ "abcdefgh\xed\xa0\x80", 0 }, /* a surrogate */
		{ "abcdefg\xc0\xaf", 0 },      /* overlong */
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_msg(points_codec__utf8_valid(t[i].s, strlen(t[i].s)) ==
		    t[i].ok, "text %zu", i);
	/* a zero inside the length, in every position of a word */
	for (i = 0; i < 24; i++) {
		char b[24];

		memset(b, 'a', sizeof(b));
		b[i] = 0;
		ck_assert_msg(!points_codec__utf8_valid(b, sizeof(b)),
		    "zero at %zu", i);
	}
}
END_TEST

/* Random texts, mostly ASCII, with a rare byte of any value at any
 * offset: the check agrees with the reference on every one. */
START_TEST(test_random_against_reference)
{
	static const unsigned char rare[] = { 0x00, 0x7f, 0x80, 0xbf, 0xc2,
		0xc3, 0xa9, 0xe7, 0xa7, 0xed, 0xf0, 0x9f, 0xf4, 0xf5, 0xff };
	uint64_t rng = 0x2545f4914f6cdd1du;
	unsigned char b[64];
	long i, valid = 0;

	for (i = 0; i < 300000; i++) {
		size_t n, j;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		n = (size_t)(rng % sizeof(b));
		for (j = 0; j < n; j++) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			b[j] = rng % 40 == 0 ? rare[(rng >> 8) % sizeof(rare)] :
			    (unsigned char)(0x20 + (rng >> 16) % 95);
		}
		ck_assert_msg(points_codec__utf8_valid((const char *)b, n) ==
		    utf8_reference(b, n), "text %ld (%zu bytes)", i, n);
		valid += utf8_reference(b, n);
	}
	ck_assert_int_gt(valid, 30000); /* both outcomes were tried */
	ck_assert_int_lt(valid, 270000);
}
END_TEST

/* A record's readers stop at its end: the bytes after it (here valid
 * ones: another varint, the rest of a string) are never read, and a
 * read past the end fails the reader and gives 0 or nothing. */
START_TEST(test_readers_stop_at_the_end)
{
	/* the record is the first byte or bytes; what follows is not it */
	static const unsigned char b[] = { 0x05, 0x07, 0x03, 'a', 'b', 'c' };
	char out[8];
	const char *p;
	size_t n;
	points_rd r;

	points_rd__init(&r, b, 1);
	ck_assert_uint_eq(points_rd__uvar(&r), 5);
	ck_assert_int_eq(r.err, 0);
	ck_assert_uint_eq(points_rd__uvar(&r), 0); /* not the 7 after it */
	ck_assert_int_eq(r.err, POINTS_ECORRUPT);

	points_rd__init(&r, b, 0);
	ck_assert_int_eq(points_rd__svar(&r), 0);
	ck_assert_int_eq(r.err, POINTS_ECORRUPT);

	/* a string of 3 whose record ends after 2 of its bytes */
	points_rd__init(&r, b + 2, 3);
	points_rd__strref(&r, &p, &n);
	ck_assert_int_eq(r.err, POINTS_ECORRUPT);
	ck_assert_uint_eq(n, 0);
	points_rd__init(&r, b + 2, 3);
	points_rd__str(&r, out, sizeof(out));
	ck_assert_int_eq(r.err, POINTS_ECORRUPT);
	ck_assert_str_eq(out, "");
	/* the whole string when it is all there */
	points_rd__init(&r, b + 2, 4);
	points_rd__str(&r, out, sizeof(out));
	ck_assert_int_eq(r.err, 0);
	ck_assert_str_eq(out, "abc");
}
END_TEST

/* ---- The calendar (util/calendar.h) ---- */

static int
leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
month_len(int64_t y, unsigned m)
{
	static const unsigned len[13] = { 0, 31, 28, 31, 30, 31, 30, 31, 31,
	    30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : len[m];
}

/* Day by day from 1970-01-01 (a Thursday), a million days back (into
 * the year -768, across years before 0 and the Gregorian centuries)
 * and 200,000 ahead: the civil date, the day number of it, the ISO
 * weekday and the week's Monday, each as a model that counts the days
 * one at a time says. */
START_TEST(test_calendar_against_a_day_by_day_walk)
{
	int dir;

	for (dir = -1; dir <= 1; dir += 2) {
		int64_t z, y = 1970, end = dir < 0 ? -1000000 : 200000;
		unsigned m = 1, d = 1, w = 4;

		for (z = 0; z != end; z += dir) {
			points_civil c = points_cal__civil(z);

			/* checked without a call per day: a million of them
			 * would take the suite past its timeout */
			if (c.year != y || c.month != m || c.day != d ||
			    points_cal__days(y, m, d) != z ||
			    points_cal__weekday(z) != w ||
			    points_cal__week_start(z) != z - (int64_t)(w - 1))
				ck_abort_msg("day %lld: %lld-%u-%u weekday %u "
				    "(its day number %lld), not %lld-%u-%u "
				    "weekday %u", (long long)z,
				    (long long)c.year, c.month, c.day,
				    points_cal__weekday(z), (long long)
				    points_cal__days(c.year, c.month, c.day),
				    (long long)y, m, d, w);
			if (dir > 0) {
				w = w == 7 ? 1 : w + 1;
				if (d < month_len(y, m)) {
					d++;
				} else {
					d = 1;
					if (m == 12)
						m = 1, y++;
					else
						m++;
				}
			} else {
				w = w == 1 ? 7 : w - 1;
				if (d > 1) {
					d--;
				} else {
					if (m == 1)
						m = 12, y--;
					else
						m--;
					d = month_len(y, m);
				}
			}
		}
	}
}
END_TEST

static Suite *
codec_suite(void)
{
	Suite *s = suite_create("codec");
	TCase *tc = tcase_create("utf8");

	tcase_add_test(tc, test_known_texts);
	tcase_add_test(tc, test_random_against_reference);
	suite_add_tcase(s, tc);
	tc = tcase_create("readers");
	tcase_add_test(tc, test_readers_stop_at_the_end);
	tcase_add_test(tc, test_calendar_against_a_day_by_day_walk);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return tu_run(codec_suite());
}
