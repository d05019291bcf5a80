package org.libpoints;

/**
 * The request of {@link Ledger#createAuction(AuctionDef)}
 * ({@code points_auction_def}): the item, the times, the prices and who may
 * bid. A builder: each method sets a field and returns this definition; the
 * library checks the values when it is created.
 *
 * <pre>{@code
 * ledger.createAuction(AuctionDef.ofSku("TABLET", start, start + 86400, 100, 10)
 *         .reserve(150).antiSniping(300, 600).minBalance(100));
 * }</pre>
 */
public final class AuctionDef {
    String sku = "", item = "", asset = "", tiers = "", departments = "", condition = "";
    long starts, ends, startPrice, increment, reserve, snipeWindow, snipeExtend, minBalance;

    private AuctionDef() {
    }

    private static AuctionDef of(long starts, long ends, long startPrice, long increment) {
        AuctionDef d = new AuctionDef();
        d.starts = starts;
        d.ends = ends;
        d.startPrice = startPrice;
        d.increment = increment;
        return d;
    }

    /**
     * An auction of one unit of catalogue item sku, in its asset, taking bids
     * at starts &lt;= t &lt; ends: the first at least startPrice, each next
     * beating the leader by increment.
     */
    public static AuctionDef ofSku(String sku, long starts, long ends, long startPrice,
            long increment) {
        AuctionDef d = of(starts, ends, startPrice, increment);
        d.sku = sku;
        return d;
    }

    /** The same for an item described (the host fulfils it), bid in asset. */
    public static AuctionDef ofItem(String item, String asset, long starts, long ends,
            long startPrice, long increment) {
        AuctionDef d = of(starts, ends, startPrice, increment);
        d.item = item;
        d.asset = asset;
        return d;
    }

    /** Sold only at this price or over (0: no reserve). */
    public AuctionDef reserve(long v) { reserve = v; return this; }
    /** A bid in the last window seconds moves the end extend seconds later. */
    public AuctionDef antiSniping(long window, long extend) {
        snipeWindow = window;
        snipeExtend = extend;
        return this;
    }
    /** Only accounts with at least this available may bid. */
    public AuctionDef minBalance(long v) { minBalance = v; return this; }
    /** Only accounts of one of these tiers (comma-separated; "": any) may bid. */
    public AuctionDef tiers(String v) { tiers = v; return this; }
    /** Only accounts of one of these departments (comma-separated; "": any) may bid. */
    public AuctionDef departments(String v) { departments = v; return this; }
    /** Only accounts for which this rule-language condition is true may bid ("": none). */
    public AuctionDef condition(String v) { condition = v; return this; }

    /* The C definition; the caller deletes it. */
    points_auction_def toC() {
        LotteryDef.fits("auction: sku", sku, capiConstants.POINTS_SKU_MAX);
        LotteryDef.fits("auction: item", item, capiConstants.POINTS_AUCTION_ITEM_MAX);
        LotteryDef.fits("auction: asset", asset, capiConstants.POINTS_ASSET_MAX);
        LotteryDef.fits("auction: tiers", tiers, capiConstants.POINTS_ELIGIBLE_LIST_MAX);
        LotteryDef.fits("auction: departments", departments,
                capiConstants.POINTS_ELIGIBLE_LIST_MAX);
        LotteryDef.fits("auction: condition", condition,
                capiConstants.POINTS_ELIGIBLE_CONDITION_MAX);
        points_auction_def d = new points_auction_def();
        try {
            capi.points_auction_def_fields(d, sku, item, asset, starts, ends, startPrice,
                    increment, reserve, snipeWindow, snipeExtend, minBalance, tiers,
                    departments, condition);
        } catch (RuntimeException e) {
            d.delete();
            throw e;
        }
        return d;
    }
}
