package org.libpoints;

/** What a report of points issued or redeemed counts (points_report_iterator_new(3)). */
public enum ReportKind {
    /** Points issued, by the earn's category. */
    ISSUED_BY_CATEGORY(capiConstants.POINTS_REPORT_ISSUED_BY_CATEGORY),
    /** Points issued, by the rule that awarded them ("": no rule). */
    ISSUED_BY_RULE(capiConstants.POINTS_REPORT_ISSUED_BY_RULE),
    /** Points redeemed, by the mall order's SKU ("": no order); count: units. */
    REDEEMED_BY_ITEM(capiConstants.POINTS_REPORT_REDEEMED_BY_ITEM),
    /** Points redeemed, by the item's catalogue category or the spend's category. */
    REDEEMED_BY_CATEGORY(capiConstants.POINTS_REPORT_REDEEMED_BY_CATEGORY),
    /** Redeemed and issued, for every account ("") and by department. */
    REDEMPTION_RATE(capiConstants.POINTS_REPORT_REDEMPTION_RATE),
    /** The items redeemed most (units, then points, then SKU). */
    POPULAR_ITEMS(capiConstants.POINTS_REPORT_POPULAR_ITEMS);

    final int code;

    ReportKind(int code) {
        this.code = code;
    }
}
