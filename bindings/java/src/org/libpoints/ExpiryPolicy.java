package org.libpoints;

/** When an asset's points expire ({@code POINTS_EXPIRE_*}). */
public enum ExpiryPolicy {
    /** Never. */
    NEVER(capiConstants.POINTS_EXPIRE_NEVER),
    /** N days after the day of earning. */
    DAYS(capiConstants.POINTS_EXPIRE_DAYS),
    /** On 31 December of the Nth year after earning. */
    YEAR_END(capiConstants.POINTS_EXPIRE_YEAR_END);

    private final int code;

    ExpiryPolicy(int code) {
        this.code = code;
    }

    /** The C value. */
    public int code() {
        return code;
    }

    /** The policy of a C value; IllegalArgumentException if unknown. */
    public static ExpiryPolicy of(int code) {
        for (ExpiryPolicy p : values())
            if (p.code == code)
                return p;
        throw new IllegalArgumentException("unknown expiry policy " + code);
    }
}
