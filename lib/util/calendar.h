/* calendar.h - civil dates of day numbers (days since 1970-01-01), for
 * year-end expiry, rule windows, caps per week, month and year.  The
 * proleptic Gregorian calendar, exact for every int32 year (Howard
 * Hinnant's algorithms); the caller turns times into day numbers in the
 * ledger's UTC offset (points_db__day). */
#ifndef POINTS_UTIL_CALENDAR_H
#define POINTS_UTIL_CALENDAR_H

#include <stdint.h>

typedef struct points_civil {
	int64_t year;
	unsigned month; /* 1-12 */
	unsigned day;   /* 1-31 */
} points_civil;

/* Days since 1970-01-01 of y-m-d (m 1-12, d 1-31; |y| below 2^40). */
int64_t points_cal__days(int64_t y, unsigned m, unsigned d);
/* The civil date of day z (|z| below 2^50). */
points_civil points_cal__civil(int64_t z);
/* ISO weekday of day z: 1 Monday ... 7 Sunday. */
unsigned points_cal__weekday(int64_t z);
/* The first day (a Monday) of the ISO week of day z. */
int64_t points_cal__week_start(int64_t z);

#endif
