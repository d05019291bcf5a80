package org.libpoints;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.libpoints.TestSupport.DAY;
import static org.libpoints.TestSupport.T0;
import static org.libpoints.TestSupport.assertConsistent;
import static org.libpoints.TestSupport.expect;

import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Lotteries: create, draw, close and audit. */
public class LotteryTest {
    private Ledger ledger;
    private long alice, bob;

    @Before
    public void setUp() {
        ledger = TestSupport.memoryLedger();
        alice = ledger.createAccount("E1001", "Alice");
        bob = ledger.createAccount("E1002", "Bob");
    }

    @After
    public void tearDown() {
        if (!ledger.isClosed())
            assertConsistent(ledger, "PTS");
        ledger.close();
    }

    private static LotteryDef anniversary() {
        return LotteryDef.of("anniversary", "PTS", 50, T0, T0 + 7 * DAY).minBalance(100)
                .loseWeight(90).limitTotal(3).customPrize("tablet", 1, 1)
                .customPrize("smart watch", 2, 2).pointsPrize("shopping card", 7, 5, 30);
    }

    private long available(long account) {
        return ledger.getBalance(account, "PTS").available();
    }

    @Test
    public void createDrawCloseAudit() {
        Lottery lot = ledger.createLottery(anniversary());
        assertEquals("anniversary", lot.name());
        assertEquals(50, lot.cost());
        assertEquals(100, lot.minBalance());
        assertEquals(3, lot.nprizes());
        assertEquals(Lottery.OPEN, lot.state());
        assertEquals("", lot.seed());
        assertEquals(64, lot.commitment().length());
        LotteryPrize card = ledger.lotteryPrize(lot.id(), 2);
        assertEquals(LotteryPrize.POINTS, card.kind());
        assertEquals("shopping card", card.label());
        assertEquals(5, card.initial());
        assertEquals(30, card.amount());
        assertEquals(List.of("tablet", "smart watch", "shopping card"),
                ledger.lotteryPrizes(lot.id()).stream().map(LotteryPrize::label)
                        .collect(Collectors.toList()));

        ledger.earn(Posting.of("PTS", alice, 500));
        LotteryDraw d = ledger.drawLottery(lot.id(), alice, "alice-1");
        assertEquals(1, d.number());
        assertEquals(alice, d.account());
        assertEquals(T0, d.time());
        assertEquals(50, d.cost());
        assertFalse(d.replayed());
        assertEquals(450 + d.credited(), available(alice));
        LotteryDraw again = ledger.drawLottery(lot.id(), alice, "alice-1");
        assertTrue(again.replayed());
        assertEquals(d.outcome(), again.outcome());
        assertEquals(450 + d.credited(), available(alice));
        assertEquals(d, ledger.lotteryDraw(lot.id(), 1));

        ledger.earn(Posting.of("PTS", bob, 60));
        NotEligibleException ne = expect(NotEligibleException.class,
                () -> ledger.drawLottery(lot.id(), bob, null));
        assertTrue(ne.getMessage(), ne.getMessage().contains("at least 100"));
        assertEquals(60, available(bob));
        ledger.drawLottery(lot.id(), alice, null);
        ledger.drawLottery(lot.id(), alice, null);
        long before = available(alice);
        expect(QuotaExceededException.class, () -> ledger.drawLottery(lot.id(), alice, null));
        assertEquals(before, available(alice));
        expect(NotFoundException.class, () -> ledger.lotteryDraw(lot.id(), 9));
        ledger.setClock(T0 + 7 * DAY);
        expect(WindowClosedException.class, () -> ledger.drawLottery(lot.id(), bob, null));

        expect(StateException.class, () -> ledger.auditLottery(lot.id()));
        ledger.closeLottery(lot.id());
        expect(StateException.class, () -> ledger.closeLottery(lot.id()));
        expect(StateException.class, () -> ledger.drawLottery(lot.id(), alice, null));
        Lottery closed = ledger.lottery(lot.id());
        assertTrue(closed.closed());
        assertEquals(3, closed.draws());
        // BLAKE2b is not in the JDK: the audit checks the seed against the
        // commitment, here only its form.
        assertEquals(64, closed.seed().length());
        HexFormat.of().parseHex(closed.seed());
        ledger.auditLottery(lot.id());
    }

    @Test
    public void eligibilityByTierDepartmentAndCondition() {
        Lottery lot = ledger.createLottery(LotteryDef.of("gold", "PTS", 10, T0, T0 + DAY)
                .tiers("gold,platinum").departments("sales").condition("available >= 15")
                .customPrize("mug", 1, 9));
        assertEquals("gold,platinum", lot.tiers());
        assertEquals("sales", lot.departments());
        assertEquals("available >= 15", lot.condition());
        ledger.updateAccount(alice, null, "gold", "sales");
        ledger.updateAccount(bob, null, "silver", "sales");
        ledger.earn(Posting.of("PTS", alice, 20));
        ledger.earn(Posting.of("PTS", bob, 20));
        NotEligibleException ne = expect(NotEligibleException.class,
                () -> ledger.drawLottery(lot.id(), bob, null));
        assertTrue(ne.getMessage(), ne.getMessage().contains("its tier is 'silver'"));
        assertEquals(20, available(bob));
        ledger.drawLottery(lot.id(), alice, null);
        ne = expect(NotEligibleException.class, () -> ledger.drawLottery(lot.id(), alice, null));
        assertTrue(ne.getMessage(),
                ne.getMessage().contains("the condition 'available >= 15' is false"));
        InvalidArgumentException ie = expect(InvalidArgumentException.class,
                () -> ledger.createLottery(LotteryDef.of("bad", "PTS", 1, T0, T0 + DAY)
                        .condition("available >").customPrize("p", 1, 1)));
        assertTrue(ie.getMessage(), ie.getMessage().contains("condition: col"));
    }

    @Test
    public void badDefinitions() {
        InvalidArgumentException e = expect(InvalidArgumentException.class,
                () -> ledger.createLottery(LotteryDef.of("x".repeat(65), "PTS", 1, T0, T0 + DAY)
                        .customPrize("p", 1, 1)));
        assertEquals("lottery name is too long (at most 64 bytes)", e.getMessage());
        e = expect(InvalidArgumentException.class,
                () -> ledger.createLottery(LotteryDef.of("l", "PTS", 1, T0, T0 + DAY)
                        .customPrize("\u00e9".repeat(33), 1, 1)));
        assertTrue(e.getMessage(), e.getMessage().contains("prize 0's label is too long"));
        LotteryDef many = LotteryDef.of("many", "PTS", 1, T0, T0 + DAY);
        for (int i = 0; i < 17; i++)
            many.customPrize("p" + i, 1, 1);
        e = expect(InvalidArgumentException.class, () -> ledger.createLottery(many));
        assertTrue(e.getMessage(), e.getMessage().contains("1 to 16 prizes (got 17)"));
        e = expect(InvalidArgumentException.class,
                () -> ledger.createLottery(LotteryDef.of("card", "PTS", 1, T0, T0 + DAY)
                        .pointsPrize("card", 1, 1, 0)));
        assertTrue(e.getMessage(), e.getMessage().contains("positive amount"));
        expect(NotFoundException.class,
                () -> ledger.createLottery(LotteryDef.of("nope", "NOPE", 1, T0, T0 + DAY)
                        .customPrize("p", 1, 1)));
        expect(NotFoundException.class, () -> ledger.lottery(1));
    }

    @Test
    public void freeLotteryRunsOut() {
        Lottery lot = ledger.createLottery(LotteryDef.of("free", "PTS", 0, T0, T0 + DAY)
                .pointsPrize("ten", 1, 2, 10).customPrize("mug", 1, 1));
        int[] outcomes = new int[5];
        for (int i = 0; i < 5; i++)
            outcomes[i] = ledger.drawLottery(lot.id(), bob, null).outcome();
        assertEquals(LotteryDraw.LOSE, outcomes[3]);
        assertEquals(LotteryDraw.LOSE, outcomes[4]);
        assertEquals(20, available(bob));
        for (LotteryPrize p : ledger.lotteryPrizes(lot.id()))
            assertEquals(0, p.stock());
        ledger.closeLottery(lot.id());
        ledger.auditLottery(lot.id());
        /* the results and the draws: 5 made, 3 won (every unit), 20 points credited */
        LotteryResults r = ledger.lotteryResults(lot.id());
        assertEquals(1, r.participants());
        assertEquals(5, r.draws());
        assertEquals(3, r.wins());
        assertEquals(0, r.collected());
        assertEquals(20, r.credited());
        List<LotteryDraw> draws = TestSupport.list(ledger.lotteryDraws(lot.id(), 0, false));
        assertEquals(5, draws.size());
        assertEquals(5, draws.get(4).number());
        List<LotteryDraw> won = TestSupport.list(ledger.lotteryDraws(0, bob, true));
        assertEquals(3, won.size());
        for (LotteryDraw d : won)
            assertTrue(d.won());
    }
    /* An item prize: its units leave the catalogue, a win is an approved order at 0
     * points the host ships and delivers, close gives back the rest. */
    @Test
    public void itemPrizeBecomesAnOrder() {
        ledger.createItem(ItemDef.of("TABLET", "Tablet", "physical", "PTS", 1000, 5).actor("admin"));
        NotFoundException nf = expect(NotFoundException.class, () -> ledger.createLottery(
                LotteryDef.of("tablets", "PTS", 0, T0, T0 + DAY).itemPrize("tablet", "NOPE", 1, 2)));
        assertTrue(nf.getMessage(), nf.getMessage().contains("prize 0: no item 'NOPE'"));
        assertEquals(5, ledger.item("TABLET").stock());
        Lottery lot = ledger.createLottery(
                LotteryDef.of("tablets", "PTS", 0, T0, T0 + DAY).itemPrize("tablet", "TABLET", 1, 2));
        LotteryPrize p = ledger.lotteryPrize(lot.id(), 0);
        assertEquals(LotteryPrize.ITEM, p.kind());
        assertEquals("TABLET", p.sku());
        assertEquals(3, ledger.item("TABLET").stock());
        LotteryDraw d = ledger.drawLottery(lot.id(), alice, null);
        assertEquals(0, d.outcome());
        Order o = ledger.order(d.orderId());
        assertEquals(OrderState.APPROVED, o.state());
        assertEquals(0, o.amount());
        assertEquals("TABLET", o.sku());
        assertEquals(d.orderId(), ledger.lotteryDraw(lot.id(), 1).orderId());
        ledger.shipOrder(d.orderId(), "DHL", "T1", "admin", null);
        assertEquals(OrderState.DELIVERED, ledger.deliverOrder(d.orderId(), "admin", null).state());
        ledger.closeLottery(lot.id());
        assertEquals(4, ledger.item("TABLET").stock());
        ledger.auditLottery(lot.id());
    }
}
