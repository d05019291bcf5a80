package org.libpoints;

/**
 * The request of {@link Ledger#createItem(ItemDef)} and
 * {@link Ledger#updateItem(ItemDef)} ({@code points_item_def}): an item of
 * the mall's catalogue. A builder: each method sets a field and returns
 * this definition; the library checks the values when it is saved.
 *
 * <pre>{@code
 * ledger.createItem(ItemDef.of("THERMOS", "Thermos", "physical/kitchen", "PTS", 100, 50)
 *         .lowStock(5).orderLimit(2).actor("admin"));
 * }</pre>
 */
public final class ItemDef {
    String sku, name, description, imageUrl, category, asset, minTier, actor, reason;
    long price, stock, lowStock, orderLimit, cash,
            returnDays = capiConstants.POINTS_ITEM_RETURN_DAYS;
    boolean listed = true;

    private ItemDef() {
    }

    /**
     * Item sku, named name, in category ("physical/kitchen"), for price
     * points of asset a unit, with stock units ({@link Item#STOCK_UNLIMITED}:
     * none to run out of).
     */
    public static ItemDef of(String sku, String name, String category, String asset, long price,
            long stock) {
        ItemDef d = new ItemDef();
        d.sku = sku;
        d.name = name;
        d.category = category;
        d.asset = asset;
        d.price = price;
        d.stock = stock;
        return d;
    }

    public ItemDef description(String v) { description = v; return this; }
    public ItemDef imageUrl(String v) { imageUrl = v; return this; }
    public ItemDef price(long v) { price = v; return this; }
    /**
     * Cash a unit beside the price (points + cash), in minor units of the
     * host's currency (19.90 yuan: 1990); 0: none.
     */
    public ItemDef cash(long v) { cash = v; return this; }
    public ItemDef stock(long v) { stock = v; return this; }
    /** An outbox event when the stock falls to it or below; 0: none. */
    public ItemDef lowStock(long v) { lowStock = v; return this; }
    /** Units an order may take; 0: no limit. */
    public ItemDef orderLimit(long v) { orderLimit = v; return this; }
    /** Days after delivery an order may be returned (7 by default); 0: no returns. */
    public ItemDef returnDays(long v) { returnDays = v; return this; }
    /** Only accounts of this tier's rank or above may buy it; null: anyone. */
    public ItemDef minTier(String v) { minTier = v; return this; }
    public ItemDef listed(boolean v) { listed = v; return this; }
    /** Who makes the change (required). */
    public ItemDef actor(String v) { actor = v; return this; }
    /** Why; may be null. */
    public ItemDef reason(String v) { reason = v; return this; }
}
