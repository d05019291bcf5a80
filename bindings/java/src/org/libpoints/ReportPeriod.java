package org.libpoints;

/** How a report cuts its range into periods, in the ledger's local time. */
public enum ReportPeriod {
    /** One period: the whole range. */
    ALL(capiConstants.POINTS_PERIOD_ALL),
    DAY(capiConstants.POINTS_PERIOD_DAY),
    /** ISO weeks, from Monday. */
    WEEK(capiConstants.POINTS_PERIOD_WEEK),
    MONTH(capiConstants.POINTS_PERIOD_MONTH),
    YEAR(capiConstants.POINTS_PERIOD_YEAR);

    final int code;

    ReportPeriod(int code) {
        this.code = code;
    }
}
