package org.libpoints;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.libpoints.TestSupport.DAY;
import static org.libpoints.TestSupport.T0;
import static org.libpoints.TestSupport.assertConsistent;
import static org.libpoints.TestSupport.expect;

import java.util.ArrayList;
import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Auctions: create, bid, outbid, settle, cancel and the history. */
public class AuctionTest {
    private Ledger ledger;
    private long alice, bob;

    @Before
    public void setUp() {
        ledger = TestSupport.memoryLedger();
        alice = ledger.createAccount("E1001", "Alice");
        bob = ledger.createAccount("E1002", "Bob");
        ledger.earn(Posting.of("PTS", alice, 500));
        ledger.earn(Posting.of("PTS", bob, 500));
    }

    @After
    public void tearDown() {
        if (!ledger.isClosed())
            assertConsistent(ledger, "PTS");
        ledger.close();
    }

    private long held(long account) {
        return ledger.getBalance(account, "PTS").held();
    }

    @Test
    public void outbidRaiseSnipeAndSettle() {
        ledger.createItem(ItemDef.of("TABLET", "Tablet", "physical", "PTS", 1000, 2).actor("admin"));
        Auction a = ledger.createAuction(AuctionDef.ofSku("TABLET", T0, T0 + DAY, 100, 10)
                .reserve(120).antiSniping(300, 600));
        assertEquals("Tablet", a.item());
        assertEquals(Auction.OPEN, a.state());
        Bid b = ledger.bid(a.id(), alice, 100, "a-1");
        assertEquals(1, b.number());
        assertTrue(ledger.bid(a.id(), alice, 100, "a-1").replayed());
        InvalidArgumentException low = expect(InvalidArgumentException.class,
                () -> ledger.bid(a.id(), bob, 105, null));
        assertTrue(low.getMessage(), low.getMessage().contains("the least bid now is 110"));
        ledger.bid(a.id(), bob, 110, null);
        assertEquals(0, held(alice));
        assertEquals(110, held(bob));
        ledger.bid(a.id(), bob, 150, null);
        assertEquals(150, held(bob));
        ledger.setClock(T0 + DAY - 10);
        assertEquals(T0 + DAY + 600, ledger.bid(a.id(), alice, 160, null).ends());
        List<Long> amounts = new ArrayList<>();
        for (Bid x : ledger.auctionBids(a.id()))
            amounts.add(x.amount());
        assertEquals(List.of(100L, 110L, 150L, 160L), amounts);
        assertEquals(110, ledger.auctionBid(a.id(), 2).amount());
        ledger.setClock(T0 + DAY + 600);
        expect(WindowClosedException.class, () -> ledger.bid(a.id(), bob, 500, null));
        assertTrue(ledger.auction(a.id()).sold());
        ledger.settleAuction(a.id());
        Auction done = ledger.auction(a.id());
        assertEquals(0, held(alice));
        assertEquals(340, ledger.getBalance(alice, "PTS").available());
        assertEquals(160, ledger.order(done.orderId()).amount());
        expect(StateException.class, () -> ledger.settleAuction(a.id()));
    }

    @Test
    public void reserveCancelAndEligibility() {
        Auction a = ledger.createAuction(AuctionDef.ofItem("Dinner", "PTS", T0, T0 + DAY, 50, 5)
                .reserve(1000));
        ledger.bid(a.id(), alice, 200, null);
        ledger.setClock(T0 + DAY);
        ledger.settleAuction(a.id());
        assertEquals(Auction.UNSOLD, ledger.auction(a.id()).state());
        assertEquals(0, held(alice));
        Auction c = ledger.createAuction(AuctionDef.ofItem("Mug", "PTS", T0 + DAY, T0 + 2 * DAY, 50, 5)
                .departments("sales"));
        NotEligibleException ne = expect(NotEligibleException.class,
                () -> ledger.bid(c.id(), alice, 50, null));
        assertTrue(ne.getMessage(), ne.getMessage().contains("account E1001 is not eligible"));
        ledger.updateAccount(alice, null, null, "sales");
        ledger.bid(c.id(), alice, 300, null);
        ledger.cancelAuction(c.id());
        assertEquals(Auction.CANCELLED, ledger.auction(c.id()).state());
        assertEquals(500, ledger.getBalance(alice, "PTS").available());
    }
}
