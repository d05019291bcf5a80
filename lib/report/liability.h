/* liability.h - the cash value of points, shared by the reports that
 * give one (liability.c, settle.c). */
#ifndef POINTS_REPORT_LIABILITY_H
#define POINTS_REPORT_LIABILITY_H

#include <stdint.h>

/* points * ratio_cash / ratio_points exactly, without a wider type:
 * *cash rounded toward minus infinity and *rem its remainder,
 * 0 <= *rem < ratio_points (each ratio term 1 to
 * POINTS_CASH_RATIO_MAX).  POINTS_ELIMIT when *cash would not fit. */
int points_report__cash_value(int64_t points, int64_t ratio_points,
    int64_t ratio_cash, int64_t *cash, int64_t *rem);

#endif
