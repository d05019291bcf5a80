package org.libpoints;

/**
 * The request of {@link Ledger#saveRule(RuleDef)} ({@code points_rule_def}):
 * an earning rule, or a new version of one. A builder: each method sets a
 * field and returns this rule; the library checks the values when it is
 * saved ({@link InvalidArgumentException} naming the expression, the column
 * and the reason for a bad expression).
 *
 * <pre>{@code
 * ledger.saveRule(RuleDef.of("spend", "purchase", "event.amount / 100", "PTS")
 *         .condition("event.amount >= 1000").state(RuleState.ACTIVE).author("ops"));
 * }</pre>
 *
 * The expressions are CEL (points-rules(7)).
 */
public final class RuleDef {
    /** When it awards, no rule of lower priority does for that event. */
    public static final int EXCLUSIVE = (int) capiConstants.POINTS_RULE_EXCLUSIVE;
    /** The tier multiplier does not apply. */
    public static final int NO_TIER = (int) capiConstants.POINTS_RULE_NO_TIER;
    /** Awards only inside its window. */
    public static final int WINDOW_ONLY = (int) capiConstants.POINTS_RULE_WINDOW_ONLY;
    /** Its awards wait for another actor's approval ({@link Ledger#approve}). */
    public static final int APPROVAL = (int) capiConstants.POINTS_RULE_APPROVAL;
    /** The caps count points awarded. */
    public static final int CAP_POINTS = capiConstants.POINTS_CAP_POINTS;
    /** The caps count awards (events the rule paid for). */
    public static final int CAP_AWARDS = capiConstants.POINTS_CAP_AWARDS;

    String name, eventType, condition, points, asset, beneficiary, category, capKey, author,
            reason;
    RuleState state = RuleState.DRAFT;
    int priority, flags, windowWeekdays, windowMonthdays, capUnit = CAP_POINTS;
    long activeFrom, activeUntil, expiresDays, windowPercent, capDay, capWeek, capMonth, capYear,
            capTotal, capKeyLimit, budgetPoints, budgetAwards, pendingDays;

    private RuleDef() {
    }

    /** Rule name listens to eventType and gives points (CEL, an int) of asset. */
    public static RuleDef of(String name, String eventType, String points, String asset) {
        RuleDef d = new RuleDef();
        d.name = name;
        d.eventType = eventType;
        d.points = points;
        d.asset = asset;
        return d;
    }

    /** CEL, a bool; null: always. */
    public RuleDef condition(String v) { condition = v; return this; }
    /** CEL giving an account's external id or id; null: the event's account. */
    public RuleDef beneficiary(String v) { beneficiary = v; return this; }
    public RuleDef state(RuleState v) { state = v; return this; }
    /** Higher first; equal: by name. */
    public RuleDef priority(int v) { priority = v; return this; }
    /** {@link #EXCLUSIVE}, {@link #NO_TIER}, {@link #WINDOW_ONLY}, {@link #APPROVAL}. */
    public RuleDef flags(int v) { flags = v; return this; }
    /** In force from (0: no start) and before (0: no end), seconds since 1970. */
    public RuleDef active(long from, long until) {
        activeFrom = from;
        activeUntil = until;
        return this;
    }
    /** The postings' category; null: "rule". */
    public RuleDef category(String v) { category = v; return this; }
    /** 0: the asset's policy; else the points expire that many days after the award. */
    public RuleDef expiresDays(long v) { expiresDays = v; return this; }
    /**
     * A recurring window: the days of the week (bit 0 Monday) and of the
     * month (bit 0 the 1st), 0 for any, on which percent multiplies the points.
     */
    public RuleDef window(int weekdays, int monthdays, long percent) {
        windowWeekdays = weekdays;
        windowMonthdays = monthdays;
        windowPercent = percent;
        return this;
    }
    /** What the caps count: {@link #CAP_POINTS} or {@link #CAP_AWARDS}. */
    public RuleDef capUnit(int v) { capUnit = v; return this; }
    /** Caps per account a day, ISO week, calendar month, calendar year and in all; 0: none. */
    public RuleDef caps(long day, long week, long month, long year, long total) {
        capDay = day;
        capWeek = week;
        capMonth = month;
        capYear = year;
        capTotal = total;
        return this;
    }
    /** A cap on a value the event gives (CEL), across accounts: at most limit for each value. */
    public RuleDef capKey(String key, long limit) {
        capKey = key;
        capKeyLimit = limit;
        return this;
    }
    /** The rule's budget across accounts: points and awards in all; 0: none. */
    public RuleDef budget(long points, long awards) {
        budgetPoints = points;
        budgetAwards = awards;
        return this;
    }
    /** Who makes this version: required. */
    public RuleDef author(String v) { author = v; return this; }
    /** Why; may be null. */
    public RuleDef reason(String v) { reason = v; return this; }
    /**
     * 0: the points are available at once; else they are pending
     * ({@link Balance#pending()}, not spendable) through that many days after
     * the event's day, then available by themselves; a refund takes them back first.
     */
    public RuleDef pendingDays(long v) { pendingDays = v; return this; }
}
