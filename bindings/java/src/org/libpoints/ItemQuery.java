package org.libpoints;

/**
 * A query over the mall's catalogue for {@link Ledger#browse(ItemQuery)}
 * ({@code points_item_query}). A builder: each method sets a field and
 * returns this query; the library checks the values when it is run.
 *
 * <pre>{@code
 * for (Item i : ledger.browse(ItemQuery.in("physical").prices(500, 1000)
 *         .forAccount(alice).affordable().sort(ItemQuery.Sort.PRICE)))
 *     show(i);
 * }</pre>
 *
 * The price a query filters and sorts by is what the account pays for a
 * unit now (its tier's price, less a flash discount in force), or without
 * an account what an account of no tier pays. The catalogue is read at
 * the first item and sorted in memory.
 */
public final class ItemQuery {
    /** How the items come ({@code POINTS_ITEMS_BY_*}); ties by SKU. */
    public enum Sort {
        /** SKU ascending. */
        SKU(capiConstants.POINTS_ITEMS_BY_SKU),
        /** Units sold, most first. */
        POPULARITY(capiConstants.POINTS_ITEMS_BY_POPULARITY),
        /** Price ascending. */
        PRICE(capiConstants.POINTS_ITEMS_BY_PRICE),
        /** Price descending. */
        PRICE_DESC(capiConstants.POINTS_ITEMS_BY_PRICE_DESC),
        /** Newest first. */
        NEWEST(capiConstants.POINTS_ITEMS_BY_NEWEST);

        final int code;

        Sort(int code) {
            this.code = code;
        }
    }

    String category, allowance;
    long flags, priceMin, priceMax, account;
    Sort sort = Sort.SKU;

    private ItemQuery() {
    }

    /** Every item of the catalogue. */
    public static ItemQuery all() {
        return new ItemQuery();
    }

    /** The items of category and its sub-categories. */
    public static ItemQuery in(String category) {
        ItemQuery q = new ItemQuery();
        q.category = category;
        return q;
    }

    /** Prices from min through max ("500-1000 points"); 0: no bound. */
    public ItemQuery prices(long min, long max) {
        priceMin = min;
        priceMax = max;
        return this;
    }

    /** Only listed items. */
    public ItemQuery listedOnly() {
        flags |= capiConstants.POINTS_ITEMS_LISTED;
        return this;
    }

    /** Only items with stock (or unlimited). */
    public ItemQuery inStockOnly() {
        flags |= capiConstants.POINTS_ITEMS_IN_STOCK;
        return this;
    }

    /** The prices of account (its tier's, less a flash discount). */
    public ItemQuery forAccount(long account) {
        this.account = account;
        return this;
    }

    /**
     * Only what the account ({@link #forAccount(long)}) can pay for a
     * unit of now, as {@link Ledger#placeOrder} checks it.
     */
    public ItemQuery affordable() {
        flags |= capiConstants.POINTS_ITEMS_AFFORDABLE;
        return this;
    }

    /**
     * An asset an order would spend beside the item's, 1:1 (a welfare
     * allowance): {@link #affordable()} counts it as
     * {@link Ledger#placeOrder} splits the price.
     */
    public ItemQuery allowance(String asset) {
        allowance = asset;
        return this;
    }

    public ItemQuery sort(Sort s) {
        sort = s;
        return this;
    }
}
