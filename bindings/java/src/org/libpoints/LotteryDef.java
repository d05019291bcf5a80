package org.libpoints;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The request of {@link Ledger#createLottery(LotteryDef)}
 * ({@code points_lottery_def}): a lottery's draws, who may take them and its
 * prizes. A builder: each method sets a field and returns this definition;
 * the library checks the values when it is created.
 *
 * <pre>{@code
 * ledger.createLottery(LotteryDef.of("anniversary", "PTS", 50, start, start + 7 * 86400)
 *         .minBalance(100).loseWeight(90)
 *         .customPrize("tablet", 1, 1).customPrize("smart watch", 2, 2)
 *         .pointsPrize("shopping card", 7, 5, 30));
 * }</pre>
 */
public final class LotteryDef {
    /** Bytes of UTF-8 a name or a prize's label may have. */
    public static final int NAME_MAX = capiConstants.POINTS_LOTTERY_NAME_MAX;
    public static final int LABEL_MAX = capiConstants.POINTS_LOTTERY_LABEL_MAX;

    record Prize(int kind, String label, long weight, long stock, long amount, String sku) {
    }

    String name, asset, tiers = "", departments = "", condition = "";
    long cost, starts, ends, minBalance, limitDay, limitTotal, loseWeight, consolation;
    final List<Prize> prizes = new ArrayList<>();

    private LotteryDef() {
    }

    /**
     * Lottery name, whose draws cost cost points of asset each (0: free),
     * taken at starts &lt;= t &lt; ends (seconds since 1970).
     */
    public static LotteryDef of(String name, String asset, long cost, long starts, long ends) {
        LotteryDef d = new LotteryDef();
        d.name = name;
        d.asset = asset;
        d.cost = cost;
        d.starts = starts;
        d.ends = ends;
        return d;
    }

    /** Only accounts with at least this available may draw. */
    public LotteryDef minBalance(long v) { minBalance = v; return this; }
    /** Only accounts of one of these tiers (names separated by commas; "": any) may draw. */
    public LotteryDef tiers(String v) { tiers = v; return this; }
    /** Only accounts of one of these departments (names separated by commas; "": any) may draw. */
    public LotteryDef departments(String v) { departments = v; return this; }
    /**
     * Only accounts for which this rule-language condition over {@code account} and
     * {@code available} is true may draw ("": none).
     */
    public LotteryDef condition(String v) { condition = v; return this; }
    /** Draws an account may take a UTC day; 0: no limit. */
    public LotteryDef limitDay(long v) { limitDay = v; return this; }
    /** Draws an account may take in all; 0: no limit. */
    public LotteryDef limitTotal(long v) { limitTotal = v; return this; }
    /** The weight of a losing draw beside the prizes' (0: every draw wins while stock lasts). */
    public LotteryDef loseWeight(long v) { loseWeight = v; return this; }
    /** Points a losing draw credits; 0: none. */
    public LotteryDef consolation(long v) { consolation = v; return this; }

    /** A prize the host fulfils, with its weight and stock. */
    public LotteryDef customPrize(String label, long weight, long stock) {
        prizes.add(new Prize(LotteryPrize.CUSTOM, label, weight, stock, 0, ""));
        return this;
    }

    /** A prize crediting amount points, with its weight and stock. */
    public LotteryDef pointsPrize(String label, long weight, long stock, long amount) {
        prizes.add(new Prize(LotteryPrize.POINTS, label, weight, stock, amount, ""));
        return this;
    }

    /**
     * A unit of catalogue item sku, with its weight and stock: the stock leaves the
     * catalogue at creation, each win is a mall order approved at 0 points (the draw's
     * orderId), and closing gives back the units nobody won.
     */
    public LotteryDef itemPrize(String label, String sku, long weight, long stock) {
        prizes.add(new Prize(LotteryPrize.ITEM, label, weight, stock, 0, sku));
        return this;
    }

    /* The definition is copied into fixed arrays: a longer string is refused
     * here, named, rather than cut. */
    static void fits(String what, String s, int most) {
        if (s != null && s.getBytes(StandardCharsets.UTF_8).length > most)
            throw new InvalidArgumentException(what + " is too long (at most " + most
                    + " bytes)");
    }

    /* The C definition, built field by field; the caller deletes it. */
    points_lottery_def toC() {
        fits("lottery name", name, NAME_MAX);
        fits("lottery '" + name + "': asset", asset, capiConstants.POINTS_ASSET_MAX);
        for (int i = 0; i < prizes.size(); i++) {
            fits("lottery '" + name + "': prize " + i + "'s label", prizes.get(i).label(),
                    LABEL_MAX);
            fits("lottery '" + name + "': prize " + i + "'s SKU", prizes.get(i).sku(),
                    capiConstants.POINTS_SKU_MAX);
        }
        fits("lottery '" + name + "': tiers", tiers, capiConstants.POINTS_ELIGIBLE_LIST_MAX);
        fits("lottery '" + name + "': departments", departments,
                capiConstants.POINTS_ELIGIBLE_LIST_MAX);
        fits("lottery '" + name + "': condition", condition,
                capiConstants.POINTS_ELIGIBLE_CONDITION_MAX);
        points_lottery_def d = new points_lottery_def();
        try {
            capi.points_lottery_def_fields(d, name, asset, cost, starts, ends, minBalance,
                    limitDay, limitTotal, loseWeight, consolation);
            capi.points_lottery_def_eligible(d, tiers, departments, condition);
            for (Prize p : prizes)
                capi.points_lottery_def_prize(d, p.kind(), p.label(), p.weight(), p.stock(),
                        p.amount(), p.sku());
        } catch (RuntimeException e) {
            d.delete();
            throw e;
        }
        return d;
    }
}
