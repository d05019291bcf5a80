/* calendar.c - civil dates of day numbers (calendar.h). */
#include "util/calendar.h"

int64_t
points_cal__days(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

points_civil
points_cal__civil(int64_t z)
{
	points_civil c;
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	c.day = doy - (153 * mp + 2) / 5 + 1;
	c.month = mp < 10 ? mp + 3 : mp - 9;
	/* a March-based year: January and February belong to the next */
	c.year = (int64_t)yoe + era * 400 + (c.month <= 2);
	return c;
}

unsigned
points_cal__weekday(int64_t z)
{
	/* 1970-01-01 was a Thursday (4) */
	int64_t w = (z + 3) % 7;

	return (unsigned)(w < 0 ? w + 7 : w) + 1;
}

int64_t
points_cal__week_start(int64_t z)
{
	return z - (int64_t)(points_cal__weekday(z) - 1);
}
