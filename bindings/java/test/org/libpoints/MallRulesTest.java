package org.libpoints;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.libpoints.TestSupport.T0;
import static org.libpoints.TestSupport.assertConsistent;
import static org.libpoints.TestSupport.expect;
import static org.libpoints.TestSupport.list;

import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** What an order pays and when it may be placed: flash discounts, windows, limits, minimum. */
public class MallRulesTest {
    private static final long DAY = 86400;
    private Ledger ledger;
    private long alice;

    @Before
    public void setUp() {
        ledger = TestSupport.memoryLedger();
        alice = ledger.createAccount("E1001", "Alice");
        ledger.earn(Posting.of("PTS", alice, 5000));
        ledger.createItem(ItemDef.of("MUG", "Mug", "physical", "PTS", 999, 50).actor("admin"));
    }

    @After
    public void tearDown() {
        if (!ledger.isClosed())
            assertConsistent(ledger, "PTS");
        ledger.close();
    }

    @Test
    public void flashDiscount() {
        Item it = ledger.setItemFlash("MUG", Ledger.FLASH_PERCENT, 20, T0, T0 + 3 * DAY, "admin",
                "sale");
        assertEquals(20, it.flashValue());
        assertEquals(Ledger.FLASH_PERCENT, it.flashKind());
        assertEquals(800, ledger.itemPriceFor("MUG", alice));
        assertEquals(800, ledger.placeOrder(alice, "MUG").amount());
        ledger.setClock(T0 + 3 * DAY);
        assertEquals(999, ledger.placeOrder(alice, "MUG").amount());
        ledger.setItemFlash("MUG", Ledger.FLASH_PRICE, 500, 0, T0 + 9 * DAY, "admin", null);
        assertEquals(500, ledger.itemPriceFor("MUG", alice));
        List<ItemChange> h = list(ledger.itemHistory("MUG"));
        assertEquals(capiConstants.POINTS_ITEM_CHANGED_FLASH, h.get(2).what());
        assertEquals(500, h.get(2).flashValue());
        expect(InvalidArgumentException.class, () -> ledger.setItemFlash("MUG",
                Ledger.FLASH_PERCENT, 100, 0, T0 + DAY, "admin", null));
    }

    /* T0 is 2025-03-01: the 1st to the 5th open, refused on the 6th. */
    @Test
    public void windowClosesOnThe6th() {
        Item it = ledger.setItemWindow("MUG", 0, 0x1f, "admin", "first week");
        assertEquals(0x1f, it.windowMonthdays());
        ledger.placeOrder(alice, "MUG");
        ledger.setClock(T0 + 5 * DAY);
        WindowClosedException e = expect(WindowClosedException.class,
                () -> ledger.placeOrder(alice, "MUG"));
        assertTrue(e.getMessage(), e.getMessage().contains("opens 2025-04-01"));
        assertEquals(T0 + 31 * DAY, ledger.itemNextOpening("MUG", 0));
        MallSettings m = ledger.setMallWindow(0x1f, 0, "admin", "weekdays");
        assertEquals(0x1f, m.windowWeekdays());
        assertEquals("weekdays", ledger.mallSettings().reason());
        /* 2025-04-01 is a Tuesday */
        assertEquals(T0 + 31 * DAY, ledger.itemNextOpening("MUG", 0));
    }

    @Test
    public void periodLimitAndMinimumBalance() {
        ledger.setItemPeriodLimit("MUG", Ledger.PERIOD_MONTH, 1, "admin", null);
        Order o = ledger.placeOrder(alice, "MUG");
        expect(QuotaExceededException.class, () -> ledger.placeOrder(alice, "MUG"));
        assertEquals(1, ledger.orderUnitsInPeriod(alice, "MUG", Ledger.PERIOD_MONTH, 0));
        ledger.cancelOrder(o.id(), null, null);
        assertEquals(0, ledger.orderUnitsInPeriod(alice, "MUG", Ledger.PERIOD_MONTH, 0));
        ledger.setMallMinBalance("PTS", 6000, "admin", null);
        assertEquals(6000, ledger.mallMinBalance("PTS"));
        InsufficientPointsException e = expect(InsufficientPointsException.class,
                () -> ledger.placeOrder(alice, "MUG"));
        assertTrue(e.getMessage(), e.getMessage().contains("at least 6000 PTS"));
        ledger.setMallMinBalance("PTS", 0, "admin", null);
        ledger.placeOrder(alice, "MUG");
    }
}
