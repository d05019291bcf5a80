package org.libpoints;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.libpoints.TestSupport.T0;
import static org.libpoints.TestSupport.assertConsistent;
import static org.libpoints.TestSupport.expect;
import static org.libpoints.TestSupport.list;

import java.util.List;
import java.util.stream.Collectors;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The points mall: the catalogue, its history and the outbox. */
public class MallTest {
    private Ledger ledger;
    private long alice, bob;

    @Before
    public void setUp() {
        ledger = TestSupport.memoryLedger();
        alice = ledger.createAccount("E1001", "Alice");
        bob = ledger.createAccount("E1002", "Bob");
        ledger.setTier("normal", 0, 100);
        ledger.setTier("silver", 1, 100);
        ledger.setTier("gold", 2, 100);
    }

    @After
    public void tearDown() {
        if (!ledger.isClosed())
            assertConsistent(ledger, "PTS");
        ledger.close();
    }

    private static ItemDef hotel() {
        return ItemDef.of("HOTEL", "Hotel night", "travel/hotel", "PTS", 10000, 20)
                .lowStock(5).orderLimit(2).actor("admin");
    }

    private static List<String> skus(Iterable<Item> items) {
        return list(items).stream().map(Item::sku).collect(Collectors.toList());
    }

    @Test
    public void createGetUpdateHistory() {
        Item it = ledger.createItem(hotel().description("Sea view").reason("launch"));
        assertEquals("HOTEL", it.sku());
        assertEquals(10000, it.price());
        assertEquals(20, it.stock());
        assertEquals(7, it.returnDays());
        assertTrue(it.listed());
        assertFalse(it.unlimited());
        assertEquals(T0, it.created());
        assertEquals(it, ledger.item("HOTEL"));
        it = ledger.updateItem(hotel().description("Sea view").price(9000).reason("autumn"));
        assertEquals(2, it.changes());
        it = ledger.setItemListed("HOTEL", false, "ops", "works");
        assertFalse(it.listed());
        it = ledger.restockItem("HOTEL", -4, "ops", null);
        assertEquals(16, it.stock());
        List<ItemChange> h = list(ledger.itemHistory("HOTEL"));
        assertEquals(4, h.size());
        assertEquals(ItemChange.CREATED, h.get(0).what());
        assertEquals(ItemChange.PRICE, h.get(1).what());
        assertEquals(ItemChange.LISTING, h.get(2).what());
        assertEquals(ItemChange.STOCK, h.get(3).what());
        assertEquals("autumn", h.get(1).reason());
        assertEquals(9000, h.get(1).price());
        assertEquals(T0, h.get(0).instant().getEpochSecond());
        expect(AlreadyExistsException.class, () -> ledger.createItem(hotel()));
        expect(NotFoundException.class, () -> ledger.item("NOPE"));
        expect(InvalidArgumentException.class, () -> ledger.restockItem("HOTEL", -100, "ops",
                null));
    }

    @Test
    public void tierPrices() {
        ledger.createItem(hotel());
        ledger.setItemTierPrice("HOTEL", "silver", 8000, "admin", null);
        Item it = ledger.setItemTierPrice("HOTEL", "gold", 6000, "admin", null);
        assertEquals(2, it.tierPrices());
        assertEquals(6000, ledger.itemTierPrice("HOTEL", "gold"));
        expect(NotFoundException.class, () -> ledger.itemTierPrice("HOTEL", "normal"));
        ledger.updateAccount(bob, null, "silver", null);
        assertEquals(10000, ledger.itemPriceFor("HOTEL", alice));
        assertEquals(8000, ledger.itemPriceFor("HOTEL", bob));
        Item suite = ledger.createItem(ItemDef.of("SUITE", "Suite", "travel/hotel", "PTS", 20000,
                Item.STOCK_UNLIMITED).minTier("gold").actor("admin"));
        assertEquals("gold", suite.minTier());
        assertTrue(suite.unlimited());
    }

    @Test
    public void itemsByCategory() {
        ledger.createItem(ItemDef.of("A", "A", "physical", "PTS", 10, 1).actor("admin"));
        ledger.createItem(ItemDef.of("B", "B", "physical/kitchen", "PTS", 10, 0).actor("admin"));
        ledger.createItem(ItemDef.of("C", "C", "physical/kitchenware", "PTS", 10, 1)
                .listed(false).actor("admin"));
        ledger.createItem(ItemDef.of("D", "D", "virtual", "PTS", 10, 1).actor("admin"));
        assertEquals(List.of("A", "B", "C", "D"), skus(ledger.items(null, false, false)));
        assertEquals(List.of("A", "B", "C"), skus(ledger.items("physical", false, false)));
        assertEquals(List.of("B"), skus(ledger.items("physical/kitchen", false, false)));
        assertEquals(List.of("A", "B"), skus(ledger.items("physical", true, false)));
        assertEquals(List.of("A", "C", "D"), skus(ledger.items(null, false, true)));
    }

    @Test
    public void browse() {
        ledger.createItem(ItemDef.of("NIGHT", "Night", "travel/hotel", "PTS", 10000, 5)
                .actor("admin"));
        ledger.createItem(ItemDef.of("MUG", "Mug", "physical", "PTS", 100, 5).actor("admin"));
        ledger.createItem(ItemDef.of("PAN", "Pan", "physical/kitchen", "PTS", 700, 0)
                .actor("admin"));
        ledger.createItem(ItemDef.of("CARD", "Card", "virtual", "PTS", 500, 9).actor("admin"));
        ledger.setItemTierPrice("NIGHT", "gold", 6000, "admin", null);
        ledger.updateAccount(bob, null, "gold", null);
        ledger.earn(Posting.of("PTS", alice, 800));
        ledger.earn(Posting.of("PTS", bob, 7000));
        ledger.placeOrder(bob, "MUG", 3, null, null, null);
        assertEquals(List.of("CARD", "MUG", "NIGHT", "PAN"), skus(ledger.browse(ItemQuery.all())));
        assertEquals(List.of("PAN", "MUG"), skus(ledger.browse(ItemQuery.in("physical")
                .sort(ItemQuery.Sort.PRICE_DESC))));
        assertEquals(List.of("CARD", "PAN"),
                skus(ledger.browse(ItemQuery.all().prices(500, 1000))));
        assertEquals(List.of("MUG", "CARD", "NIGHT"), skus(ledger.browse(ItemQuery.all()
                .inStockOnly().sort(ItemQuery.Sort.POPULARITY))));
        assertEquals(List.of("CARD", "MUG", "PAN"),
                skus(ledger.browse(ItemQuery.all().forAccount(alice).affordable())));
        assertEquals(List.of("MUG", "CARD", "PAN", "NIGHT"), skus(ledger.browse(ItemQuery.all()
                .forAccount(bob).affordable().sort(ItemQuery.Sort.PRICE))));
        assertEquals(List.of("MUG"), skus(ledger.browse(ItemQuery.all().listedOnly()
                .prices(0, 100).sort(ItemQuery.Sort.NEWEST))));
        expect(InvalidArgumentException.class,
                () -> skus(ledger.browse(ItemQuery.all().affordable())));
        expect(InvalidArgumentException.class,
                () -> skus(ledger.browse(ItemQuery.all().prices(10, 5))));
        expect(NotFoundException.class,
                () -> skus(ledger.browse(ItemQuery.all().forAccount(99999))));
    }

    @Test
    public void accountTriggers() {
        Trigger t = ledger.setBalanceTrigger("hotel-ready", "PTS", 1000);
        assertEquals("hotel-ready", t.name());
        assertEquals(Trigger.BALANCE, t.kind());
        assertEquals(1000, t.level());
        ledger.setTierTrigger("any-tier", null);
        List<String> names = new java.util.ArrayList<>();
        for (Trigger x : ledger.triggers())
            names.add(x.name());
        assertEquals(List.of("any-tier", "hotel-ready"), names);
        ledger.earn(Posting.of("PTS", alice, 900));
        assertNull(ledger.outboxNext(0));
        ledger.earn(Posting.of("PTS", alice, 200));
        OutboxEvent e = ledger.outboxNext(0);
        assertEquals(OutboxEvent.ACCOUNT_TRIGGER, e.kind());
        assertEquals("hotel-ready", e.subject());
        assertEquals(alice, e.account());
        assertEquals("{\"trigger\":\"hotel-ready\",\"asset\":\"PTS\",\"level\":1000,"
                + "\"balance\":1100}", e.data());
        ledger.earn(Posting.of("PTS", alice, 10));
        assertNull(ledger.outboxNext(e.seq()));
        ledger.updateAccount(bob, null, "gold", null);
        OutboxEvent t2 = ledger.outboxNext(e.seq());
        assertEquals("{\"trigger\":\"any-tier\",\"from\":\"\",\"to\":\"gold\"}", t2.data());
        ledger.removeTrigger("any-tier");
        expect(NotFoundException.class, () -> ledger.removeTrigger("any-tier"));
        expect(InvalidArgumentException.class,
                () -> ledger.setBalanceTrigger("x", "PTS", 0));
    }

    @Test
    public void outbox() {
        ledger.createItem(ItemDef.of("MUG", "Mug", "physical", "PTS", 10, 6).lowStock(5)
                .actor("admin"));
        assertNull(ledger.outboxNext(0));
        ledger.restockItem("MUG", -2, "ops", null);
        ledger.restockItem("MUG", -4, "ops", null);
        OutboxEvent e1 = ledger.outboxNext(0);
        assertEquals(1, e1.seq());
        assertEquals(OutboxEvent.LOW_STOCK, e1.kind());
        assertEquals("{\"sku\":\"MUG\",\"stock\":4,\"threshold\":5}", e1.data());
        OutboxEvent e2 = ledger.outboxNext(e1.seq());
        assertEquals(OutboxEvent.OUT_OF_STOCK, e2.kind());
        assertEquals("MUG", e2.subject());
        assertEquals(0, e2.account());
        assertNull(ledger.outboxNext(e2.seq()));
        assertEquals(1, ledger.pruneOutbox(1));
        assertEquals(e2, ledger.outboxNext(0));
        expect(InvalidArgumentException.class, () -> ledger.outboxNext(-1));
    }

    @Test
    public void redemptionPointsBack() {
        /* redeeming earns only through a rule of "redemption" events */
        ledger.earn(Posting.of("PTS", alice, 500));
        ledger.createItem(ItemDef.of("MUG", "Mug", "physical", "PTS", 100, 5).actor("admin"));
        Order o = ledger.approveOrder(ledger.placeOrder(alice, "MUG").id(), null, null);
        assertEquals(400, ledger.getBalance(alice, "PTS").available());
        final String first = "redemption:" + o.id();
        expect(NotFoundException.class, () -> ledger.event(first));
        Rule r = ledger.saveRule(RuleDef.of("double-back", "redemption",
                "event.amount / 10 * 2", "PTS").state(RuleState.ACTIVE).author("ops"));
        assertEquals("redemption_bonus", r.category());
        o = ledger.approveOrder(ledger.placeOrder(alice, "MUG", 2, null, null, null).id(), null,
                null);
        assertEquals(400 - 200 + 40, ledger.getBalance(alice, "PTS").available());
        assertEquals(40, ledger.event("redemption:" + o.id()).points());
        ledger.cancelOrder(o.id(), null, "no stock");
        assertEquals(400, ledger.getBalance(alice, "PTS").available());
        expect(InvalidArgumentException.class,
                () -> ledger.applyEvent(Event.of("r1", "redemption", alice).amount(100)));
    }

    @Test
    public void orderLifeCycle() {
        ledger.earn(Posting.of("PTS", alice, 500));
        ledger.createItem(ItemDef.of("MUG", "Mug", "physical", "PTS", 100, 5).actor("admin"));
        Order o = ledger.placeOrder(alice, "MUG", 2, "desk 3", "k1", "app");
        assertEquals(OrderState.SUBMITTED, o.state());
        assertEquals(200, o.amount());
        assertEquals("desk 3", o.note());
        assertFalse(o.replayed());
        assertTrue(ledger.placeOrder(alice, "MUG", 2, "desk 3", "k1", "app").replayed());
        expect(ConflictException.class, () -> ledger.placeOrder(alice, "MUG", 1, null, "k1",
                null));
        assertEquals(300, ledger.getBalance(alice, "PTS").available());
        o = ledger.approveOrder(o.id(), "ops", null);
        assertEquals(OrderState.APPROVED, o.state());
        o = ledger.shipOrder(o.id(), "SF", "SF1", null, null);
        assertEquals("SF1", o.tracking());
        o = ledger.deliverOrder(o.id(), null, null);
        o = ledger.returnOrder(o.id(), true, "alice", "broken");
        assertEquals(OrderState.RETURNED, o.state());
        assertEquals(500, ledger.getBalance(alice, "PTS").available());
        assertEquals(5, ledger.item("MUG").stock());
        List<OrderChange> h = list(ledger.orderHistory(o.id()));
        assertEquals(5, h.size());
        assertEquals(-1, h.get(0).fromState());
        assertEquals(OrderState.RETURNED, h.get(4).toState());
        assertEquals("broken", h.get(4).reason());
        assertEquals(o, ledger.order(o.id()));
        String id = o.id();
        expect(StateException.class, () -> ledger.cancelOrder(id, null, null));
    }

    @Test
    public void exchangeAndSwitch() {
        ledger.earn(Posting.of("PTS", alice, 5000));
        ledger.createItem(ItemDef.of("MUG", "Mug", "physical", "PTS", 100, 5).actor("admin"));
        ledger.createItem(ItemDef.of("CUP", "Cup", "physical", "PTS", 80, 5).actor("admin"));
        Order o = ledger.placeOrder(alice, "MUG", 1, null, null, null);
        o = ledger.approveOrder(o.id(), null, null);
        o = ledger.deliverOrder(o.id(), null, null);
        o = ledger.exchangeOrder(o.id(), "alice", "cracked");
        assertEquals(OrderState.EXCHANGING, o.state());
        assertEquals(4900, ledger.getBalance(alice, "PTS").available());
        assertEquals(3, ledger.item("MUG").stock());
        o = ledger.shipOrder(o.id(), "SF", "SF2", null, null);
        assertEquals(OrderState.SHIPPED, o.state());
        Order o2 = ledger.placeOrder(alice, "MUG", 2, null, null, null);
        o2 = ledger.approveOrder(o2.id(), null, null);
        o2 = ledger.switchOrder(o2.id(), "CUP", "ops", "no more mugs");
        assertEquals("CUP", o2.sku());
        assertEquals(160, o2.amount());
        assertEquals(4740, ledger.getBalance(alice, "PTS").available());
        ledger.createItem(ItemDef.of("BIG", "Big", "physical", "PTS", 500, 5).actor("admin"));
        String id = o2.id();
        expect(InvalidArgumentException.class, () -> ledger.switchOrder(id, "BIG", null, null));
    }

    @Test
    public void expiringNotices() {
        ledger.earn(Posting.of("PTS", alice, 30).expiresAt(T0 + 3 * 86400));
        ledger.earn(Posting.of("PTS", alice, 40).expiresAt(T0 + 30 * 86400));
        assertEquals(0, ledger.expiringWindow("PTS"));
        ledger.setExpiringWindow("PTS", 7);
        assertEquals(7, ledger.expiringWindow("PTS"));
        ledger.expireSweep(T0);
        ledger.expireSweep(T0);
        OutboxEvent e = ledger.outboxNext(0);
        assertEquals(OutboxEvent.POINTS_EXPIRING, e.kind());
        assertEquals(alice, e.account());
        assertTrue(e.data().contains("\"amount\":30"));
        assertNull(ledger.outboxNext(e.seq()));
        expect(InvalidArgumentException.class, () -> ledger.setExpiringWindow("PTS", -1));
    }

    @Test
    public void codePool() {
        ledger.earn(Posting.of("PTS", alice, 5000));
        ledger.createItem(ItemDef.of("CARD", "Shopping card", "virtual", "PTS", 500, 0)
                .actor("admin"));
        CodePool p = ledger.itemCodesAdd("CARD", List.of("JD-1", "JD-2"), "admin", "batch 1");
        assertEquals(2, p.uploaded());
        assertEquals(2, p.available());
        p = ledger.itemCodesAdd("CARD", "JD-3\n", "admin", null);
        assertEquals(3, p.uploaded());
        assertEquals(3, ledger.item("CARD").stock());
        AlreadyExistsException e = expect(AlreadyExistsException.class,
                () -> ledger.itemCodesAdd("CARD", "JD-4\nJD-1", "admin", null));
        assertFalse(e.getMessage().contains("JD-1"));
        assertEquals(3, ledger.itemCodes("CARD").uploaded());
        Order o = ledger.placeOrder(alice, "CARD", 2, null, null, null);
        assertTrue(list(ledger.orderCodes(o.id())).isEmpty());
        o = ledger.approveOrder(o.id(), "ops", null);
        List<OrderCode> codes = list(ledger.orderCodes(o.id()));
        assertEquals(2, codes.size());
        assertEquals("JD-1", codes.get(0).code());
        assertEquals("JD-2", codes.get(1).code());
        assertEquals(1, codes.get(0).n());
        assertEquals("CARD", codes.get(1).sku());
        assertEquals(1, ledger.itemCodes("CARD").available());
    }

    @Test
    public void pointsPlusCash() {
        ledger.earn(Posting.of("PTS", alice, 1000));
        CashRatio r = ledger.cashRatio("PTS");
        assertEquals("PTS", r.asset());
        assertEquals(0, r.points());
        Item it = ledger.createItem(ItemDef.of("THERMOS", "Thermos", "physical", "PTS", 500, 10)
                .cash(1990).actor("admin"));
        assertEquals(1990, it.cash());
        expect(NotFoundException.class, () -> ledger.placeOrder(alice, "THERMOS", 1, null, null,
                null, 100));
        expect(InvalidArgumentException.class, () -> ledger.placeOrder(alice, "THERMOS", 1, null,
                null, null, 0));
        expect(InvalidArgumentException.class, () -> ledger.setCashRatio("PTS", 10, 0, "admin",
                null));
        assertEquals(1000, ledger.getBalance(alice, "PTS").available());
        r = ledger.setCashRatio("PTS", 100, 1000, "admin", "policy");
        assertEquals(1000, r.cash());
        assertEquals("policy", r.reason());
        assertEquals(r, ledger.cashRatio("PTS"));
        Order o = ledger.placeOrder(alice, "THERMOS", 2, null, null, null, 700);
        assertEquals(700, o.amount());
        assertEquals(300, o.cashPoints());
        assertEquals(2 * 1990 + 3000, o.cash());
        assertEquals(300, ledger.getBalance(alice, "PTS").available());
        ledger.cancelOrder(o.id(), "alice", null);
        assertEquals(1000, ledger.getBalance(alice, "PTS").available());
        ledger.setCashRatio("PTS", 3, 1, "admin", null);
        ledger.createItem(ItemDef.of("TEN", "Ten", "virtual", "PTS", 10, Item.STOCK_UNLIMITED)
                .actor("admin"));
        o = ledger.placeOrder(alice, "TEN", 1, null, null, null, 2);
        assertEquals(2, o.amount());
        assertEquals(3, o.cash());
    }

    @Test
    public void bundle() {
        ledger.earn(Posting.of("PTS", alice, 5000));
        ledger.createItem(ItemDef.of("TEAPOT", "Teapot", "physical", "PTS", 300, 2)
                .actor("admin"));
        ledger.createItem(ItemDef.of("CUP", "Cup", "physical", "PTS", 50, 9).actor("admin"));
        ledger.createItem(ItemDef.of("TEA-SET", "Tea set", "physical", "PTS", 450,
                Item.STOCK_UNLIMITED).actor("admin"));
        ledger.bundleSetPart("TEA-SET", "TEAPOT", 1, "admin", null);
        Item it = ledger.bundleSetPart("TEA-SET", "CUP", 4, "admin", "a set of four");
        assertEquals(2, it.bundleParts());
        List<BundlePart> parts = list(ledger.bundleParts("TEA-SET"));
        assertEquals(2, parts.size());
        assertEquals("TEAPOT", parts.get(0).sku());
        assertEquals(4, parts.get(1).quantity());
        assertEquals(9, parts.get(1).stock());
        List<ItemChange> hist = list(ledger.itemHistory("TEA-SET"));
        ItemChange last = hist.get(hist.size() - 1);
        assertEquals(ItemChange.BUNDLE, last.what());
        assertEquals("CUP", last.part());
        assertEquals(4, last.partQuantity());
        Order o = ledger.placeOrder(alice, "TEA-SET", 2, null, null, null);
        assertEquals(900, o.amount());
        assertEquals(1, ledger.item("CUP").stock());
        OutOfStockException e = expect(OutOfStockException.class,
                () -> ledger.placeOrder(alice, "TEA-SET", 1, null, null, null));
        assertTrue(e.getMessage().contains("'TEAPOT'"));
        ledger.bundleSetPart("TEA-SET", "CUP", 2, "admin", null);
        List<BundlePart> took = list(ledger.orderParts(o.id()));
        assertEquals(8, took.get(1).units());
        ledger.cancelOrder(o.id(), null, null);
        assertEquals(2, ledger.item("TEAPOT").stock());
        assertEquals(9, ledger.item("CUP").stock());
        expect(InvalidArgumentException.class,
                () -> ledger.bundleSetPart("TEA-SET", "TEA-SET", 1, "admin", null));
    }

    @Test
    public void welfareAllowance() {
        ledger.createAsset("WELFARE");
        ledger.earn(Posting.of("PTS", alice, 1000));
        ledger.earn(Posting.of("WELFARE", alice, 300));
        ledger.createItem(ItemDef.of("GIFT", "Gift", "physical", "PTS", 500, 10).actor("admin"));
        assertEquals(Ledger.PAY_ALLOWANCE_FIRST, ledger.mallSettings().payOrder());
        Order o = ledger.placeOrder(alice, "GIFT", 1, null, null, null, -1, "WELFARE");
        assertEquals("WELFARE", o.allowance());
        assertEquals(300, o.allowanceAmount());
        assertEquals(200, o.amount());
        assertEquals(o.id(), o.holdId());
        assertFalse(o.allowanceHoldId().isEmpty());
        assertEquals(0, ledger.getBalance(alice, "WELFARE").available());
        o = ledger.approveOrder(o.id(), null, null);
        assertFalse(o.allowanceCaptureId().isEmpty());
        o = ledger.cancelOrder(o.id(), null, null);
        assertFalse(o.allowanceRefundId().isEmpty());
        assertEquals(300, ledger.getBalance(alice, "WELFARE").available());
        assertEquals(1000, ledger.getBalance(alice, "PTS").available());
        MallSettings m = ledger.setMallPayOrder(Ledger.PAY_POINTS_FIRST, "admin", "points first");
        assertEquals(Ledger.PAY_POINTS_FIRST, m.payOrder());
        o = ledger.placeOrder(alice, "GIFT", 1, null, null, null, -1, "WELFARE");
        assertEquals(0, o.allowanceAmount());
        assertEquals(500, o.amount());
        expect(InvalidArgumentException.class, () -> ledger.setMallPayOrder(2, "admin", null));
        expect(InvalidArgumentException.class, () -> ledger.placeOrder(alice, "GIFT", 1, null,
                null, null, -1, "PTS"));
        expect(InsufficientPointsException.class, () -> ledger.placeOrder(alice, "GIFT", 2, null,
                null, null, -1, "WELFARE"));
        assertEquals(500, ledger.getBalance(alice, "PTS").available());
        assertEquals(300, ledger.getBalance(alice, "WELFARE").available());
        // browsing counts the allowance as an order would: 500 + 300 pay 700
        ledger.createItem(ItemDef.of("BIG", "Big", "physical", "PTS", 700, 10).actor("admin"));
        assertEquals(List.of("GIFT"),
                skus(ledger.browse(ItemQuery.all().forAccount(alice).affordable())));
        assertEquals(List.of("BIG", "GIFT"), skus(ledger.browse(ItemQuery.all()
                .forAccount(alice).affordable().allowance("WELFARE"))));
    }

    @Test
    public void orderRefusalsAndLists() {
        ledger.earn(Posting.of("PTS", alice, 1000));
        ledger.createItem(ItemDef.of("MUG", "Mug", "physical", "PTS", 100, 3).orderLimit(2)
                .actor("admin"));
        ledger.createItem(ItemDef.of("SUITE", "Suite", "travel", "PTS", 100, 9).minTier("gold")
                .actor("admin"));
        expect(InsufficientPointsException.class, () -> ledger.placeOrder(bob, "MUG"));
        expect(OutOfStockException.class, () -> ledger.placeOrder(alice, "MUG", 4, null, null,
                null));
        expect(QuotaExceededException.class, () -> ledger.placeOrder(alice, "MUG", 3, null,
                null, null));
        expect(NotEligibleException.class, () -> ledger.placeOrder(alice, "SUITE"));
        assertEquals(1000, ledger.getBalance(alice, "PTS").available());
        Order a1 = ledger.placeOrder(alice, "MUG");
        Order a2 = ledger.placeOrder(alice, "MUG");
        ledger.cancelOrder(a2.id(), "alice", null);
        assertEquals(900, ledger.getBalance(alice, "PTS").available());
        assertEquals(List.of(a1.id(), a2.id()), list(ledger.orders(alice, null, null)).stream()
                .map(Order::id).collect(Collectors.toList()));
        assertEquals(List.of(a2.id()), list(ledger.orders(0, OrderState.CANCELLED, "MUG"))
                .stream().map(Order::id).collect(Collectors.toList()));
        assertEquals(List.of(), list(ledger.orders(bob, null, null)));
    }
}
