/* testutil.h - shared fixtures and invariant checks for the Check suites. */
#ifndef POINTS_TESTUTIL_H
#define POINTS_TESTUTIL_H

#include <check.h>
#include "points.h"

/* Run a suite; honours CK_RUN_SUITE / CK_RUN_CASE.  Returns exit status. */
int tu_run(Suite *s);

#endif
