package org.libpoints;

/**
 * An asset's policy ({@code points_asset_policy}), for
 * {@link Ledger#setAssetPolicy}: whether users may transfer its points, how
 * many one account may transfer out in a day (the ledger's local day; 0: no
 * limit), and the yearly clearing date on which its
 * {@link ExpiryPolicy#YEAR_END} points expire. Immutable: each method
 * returns a new policy.
 *
 * <pre>{@code
 * ledger.setAssetPolicy("WELFARE", AssetPolicy.defaults().transferable(false).yearEnd(3, 31));
 * }</pre>
 */
public final class AssetPolicy {
    private final boolean transferable;
    private final long transferLimit;
    private final int yearEndMonth, yearEndDay;

    private AssetPolicy(boolean transferable, long transferLimit, int yearEndMonth, int yearEndDay) {
        this.transferable = transferable;
        this.transferLimit = transferLimit;
        this.yearEndMonth = yearEndMonth;
        this.yearEndDay = yearEndDay;
    }

    /** An asset's defaults: transferable, no limit, clearing on 31 December. */
    public static AssetPolicy defaults() {
        return new AssetPolicy(true, 0, 12, 31);
    }

    public AssetPolicy transferable(boolean t) {
        return new AssetPolicy(t, transferLimit, yearEndMonth, yearEndDay);
    }

    /** Points one account may transfer out a day; 0: no limit. */
    public AssetPolicy transferLimit(long perDay) {
        return new AssetPolicy(transferable, perDay, yearEndMonth, yearEndDay);
    }

    /** The clearing date: a month (1-12) and a day of it (not 29 February). */
    public AssetPolicy yearEnd(int month, int day) {
        return new AssetPolicy(transferable, transferLimit, month, day);
    }

    public boolean transferable() {
        return transferable;
    }

    public long transferLimit() {
        return transferLimit;
    }

    public int yearEndMonth() {
        return yearEndMonth;
    }

    public int yearEndDay() {
        return yearEndDay;
    }

    /* Fill a C policy (initialized as of this binding's version). */
    void fill(points_asset_policy p) {
        capi.points_asset_policy_init(p, capiConstants.POINTS_ASSET_POLICY_VERSION);
        p.setFlags(transferable ? 0 : capiConstants.POINTS_ASSET_NO_TRANSFER);
        p.setTransfer_limit(transferLimit);
        p.setYear_end_month(yearEndMonth);
        p.setYear_end_day(yearEndDay);
    }
}
