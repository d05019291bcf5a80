package org.libpoints;

/**
 * The request of {@link Ledger#saveGrant(GrantDef)} ({@code points_grant_def}):
 * a scheduled grant (a periodic allowance), or a new version of one. A
 * builder: each method sets a field and returns this grant; the library
 * checks the values when it is saved.
 *
 * <pre>{@code
 * ledger.saveGrant(GrantDef.of("welfare", "account.tier == 'gold' ? 300 : 100", "PTS")
 *         .condition("has(account.attrs.payroll)").state(RuleState.ACTIVE).author("hr"));
 * }</pre>
 *
 * The expressions are CEL over {@code account} and {@code period}
 * (points-rules(7)).
 */
public final class GrantDef {
    /** Paid once a calendar month. */
    public static final int MONTHLY = capiConstants.POINTS_GRANT_MONTHLY;
    /** Paid once a calendar quarter. */
    public static final int QUARTERLY = capiConstants.POINTS_GRANT_QUARTERLY;
    /** Paid once a calendar year. */
    public static final int YEARLY = capiConstants.POINTS_GRANT_YEARLY;
    /** The points expire at the end of the period they are for. */
    public static final int EXPIRE_AT_END = (int) capiConstants.POINTS_GRANT_EXPIRE_AT_END;

    String name, asset, condition, points, category, author, reason;
    int period = MONTHLY, flags;
    long pool, expiresDays;
    RuleState state = RuleState.DRAFT;

    private GrantDef() {
    }

    /** Grant name gives points (CEL, an int) of asset to every matching account. */
    public static GrantDef of(String name, String points, String asset) {
        GrantDef d = new GrantDef();
        d.name = name;
        d.points = points;
        d.asset = asset;
        return d;
    }

    /** {@link #MONTHLY} (the default), {@link #QUARTERLY} or {@link #YEARLY}. */
    public GrantDef period(int v) { period = v; return this; }
    /** CEL, a bool; null: every account. */
    public GrantDef condition(String v) { condition = v; return this; }
    /** A budget pool that pays; 0: the issuer. */
    public GrantDef pool(long v) { pool = v; return this; }
    /** The postings' category; null: "allowance". */
    public GrantDef category(String v) { category = v; return this; }
    /** 0: the asset's policy; else the points expire that many days after the grant. */
    public GrantDef expiresDays(long v) { expiresDays = v; return this; }
    /** {@link #EXPIRE_AT_END}. */
    public GrantDef flags(int v) { flags = v; return this; }
    public GrantDef state(RuleState v) { state = v; return this; }
    public GrantDef author(String v) { author = v; return this; }
    public GrantDef reason(String v) { reason = v; return this; }
}
