package org.libpoints;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.libpoints.TestSupport.collectGarbage;
import static org.libpoints.TestSupport.expect;

import java.io.File;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Closing, use after close, try-with-resources, garbage collection. */
public class LifecycleTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void closeTwiceIsANoOp() {
        Ledger l = TestSupport.memoryLedger();
        assertFalse(l.isClosed());
        l.close();
        assertTrue(l.isClosed());
        l.close();
        assertTrue(l.isClosed());
        assertEquals("Ledger[closed]", l.toString());
    }

    @Test
    public void everyMethodThrowsAfterClose() {
        Ledger l = TestSupport.memoryLedger();
        long a = l.createAccount("C1", "Alice");
        String id = l.earn(Posting.of("PTS", a, 10)).id();
        Hold h = l.createHold(Posting.of("PTS", a, 1));
        Results<Account> accounts = l.accounts();
        l.close();
        List<TestSupport.Action> calls = List.of(
                () -> l.errmsg(), () -> l.errcode(), () -> l.now(), () -> l.setClock(5),
                () -> l.settings(), () -> l.utcOffset(),
                () -> l.advanceClock(5), () -> l.batch(), () -> l.begin(), () -> l.commit(),
                () -> l.rollback(), () -> l.createAsset("X"), () -> l.getAsset("PTS"),
                () -> l.createAccount("C2", null), () -> l.getAccount(a), () -> l.findAccount("C1"),
                () -> l.updateAccount(a, "n", null, null), () -> l.setAttribute(a, "k", "v"),
                () -> l.getAttribute(a, "k"), () -> l.removeAttribute(a, "k"),
                () -> l.freezeAccount(a), () -> l.unfreezeAccount(a), () -> l.closeAccount(a),
                () -> l.accounts().iterator(), () -> accounts.iterator(),
                () -> l.getBalance(a, "PTS"), () -> l.earn(Posting.of("PTS", a, 1)),
                () -> l.spend(Posting.of("PTS", a, 1)), () -> l.transfer(Posting.of("PTS", a, 1)),
                () -> l.adjust(Posting.of("PTS", a, 1)), () -> l.reverse(id, null),
                () -> l.getTxn(id), () -> l.statement(a, "PTS").iterator(),
                () -> l.lots(a, "PTS").toList(), () -> l.expireSweep(0), () -> l.expireSweep(),
                () -> l.createHold(Posting.of("PTS", a, 1)), () -> l.getHold(id), () -> l.hold(id),
                () -> l.captureHold(id, 0, 0, null), () -> l.releaseHold(id, null),
                () -> l.verify(), () -> l.verify(new ChainHead(0, 0, "0".repeat(64))),
                () -> l.chainHead(), () -> l.chainHeads(), () -> h.capture(), () -> h.release(), () -> h.info(),
                () -> h.close(),
                () -> l.saveRule(RuleDef.of("r", "t", "1", "PTS").author("me")),
                () -> l.setRuleState("r", RuleState.ACTIVE, "me", null), () -> l.rule("r"),
                () -> l.ruleExpr("r", RuleExpr.POINTS, 0), () -> l.ruleHistory("r"),
                () -> l.setTier("gold", 1, 150), () -> l.tier("gold"),
                () -> l.qualifyTier("gold", "PTS", 1, 1), () -> l.tierEarned(a, "PTS", 12, 0),
                () -> l.tierSweep(0),
                () -> l.applyEvent(Event.of("e", "t", a)), () -> l.previewEvent(Event.of("e", "t", a)),
                () -> l.event("e"), () -> l.reverseEvent("e", 0, null, null, null, false),
                () -> l.nominateAward(a, "PTS", 1, null, 0, null, "m"),
                () -> l.approve(1, "h", null), () -> l.reject(1, "h", "r"),
                () -> l.approval(1), () -> l.pendingApprovals(0),
                () -> l.saveGrant(GrantDef.of("g", "1", "PTS").author("me")),
                () -> l.setGrantState("g", RuleState.ACTIVE, "me", null), () -> l.grant("g", 0),
                () -> l.grantExpr("g", RuleExpr.POINTS, 0), () -> l.runGrant("g", 0),
                () -> l.runDueGrants(0), () -> l.grantAward("g", 0, a),
                () -> l.grantAwards("g", 0),
                () -> l.createItem(ItemDef.of("S", "S", "physical", "PTS", 1, 1).actor("me")),
                () -> l.updateItem(ItemDef.of("S", "S", "physical", "PTS", 1, 1).actor("me")),
                () -> l.restockItem("S", 1, "me", null), () -> l.setItemListed("S", false, "me", null),
                () -> l.setItemTierPrice("S", "gold", 1, "me", null), () -> l.item("S"),
                () -> l.itemTierPrice("S", "gold"), () -> l.itemPriceFor("S", a),
                () -> l.setItemFlash("S", Ledger.FLASH_PERCENT, 10, 0, 1, "me", null),
                () -> l.setItemWindow("S", 1, 0, "me", null), () -> l.itemNextOpening("S", 0),
                () -> l.setItemPeriodLimit("S", Ledger.PERIOD_DAY, 1, "me", null),
                () -> l.orderUnitsInPeriod(a, "S", Ledger.PERIOD_DAY, 0),
                () -> l.setMallWindow(1, 0, "me", null), () -> l.mallSettings(),
                () -> l.setMallMinBalance("PTS", 1, "me", null), () -> l.mallMinBalance("PTS"),
                () -> l.setCashRatio("PTS", 1, 1, "me", null), () -> l.cashRatio("PTS"),
                () -> l.placeOrder(a, "S", 1, null, null, null, 1),
                () -> l.placeOrder(a, "S", 1, null, null, null, -1, "W"),
                () -> l.setMallPayOrder(Ledger.PAY_POINTS_FIRST, "me", null),
                () -> l.items(null, false, false), () -> l.itemHistory("S"),
                () -> l.browse(ItemQuery.all().forAccount(a).affordable()),
                () -> l.outboxNext(0), () -> l.pruneOutbox(1),
                () -> l.placeOrder(a, "S"), () -> l.approveOrder(id, null, null),
                () -> l.cancelOrder(id, null, null), () -> l.shipOrder(id, "c", "t", null, null),
                () -> l.deliverOrder(id, null, null), () -> l.returnOrder(id, true, null, null),
                () -> l.order(id), () -> l.orders(0, null, null), () -> l.orderHistory(id),
                () -> l.exchangeOrder(id, null, null), () -> l.switchOrder(id, "S", null, null),
                () -> l.itemCodesAdd("S", "C1", "me", null), () -> l.itemCodes("S"),
                () -> l.orderCodes(id), () -> l.setExpiringWindow("PTS", 3),
                () -> l.expiringWindow("PTS"), () -> l.setBalanceTrigger("t", "PTS", 5),
                () -> l.setTierTrigger("t", null), () -> l.removeTrigger("t"),
                () -> l.triggers(),
                () -> l.createLottery(LotteryDef.of("l", "PTS", 1, 0, 60).customPrize("p", 1, 1)),
                () -> l.lottery(1), () -> l.lotteryPrize(1, 0), () -> l.lotteryPrizes(1),
                () -> l.drawLottery(1, a, null), () -> l.lotteryDraw(1, 1),
                () -> l.closeLottery(1), () -> l.auditLottery(1), () -> l.lotteryResults(1));
        for (TestSupport.Action c : calls) {
            LedgerClosedException e = expect(LedgerClosedException.class, c);
            assertEquals(capiConstants.POINTS_EMISUSE, e.code());
            assertTrue(e.getMessage().contains("closed"));
        }
    }

    @Test
    public void iteratorMadeBeforeCloseRefusesToStepAfter() {
        Ledger l = TestSupport.memoryLedger();
        long a = l.createAccount("C1", "Alice");
        for (int i = 0; i < 3; i++)
            l.earn(Posting.of("PTS", a, 1 + i));
        Iterator<Account> accounts = l.accounts().iterator();
        Iterator<Entry> entries = l.statement(a, "PTS").iterator();
        Iterator<Lot> lots = l.lots(a, "PTS").iterator();
        assertTrue(entries.hasNext());
        assertEquals(3, entries.next().amount());
        l.close();
        expect(LedgerClosedException.class, () -> accounts.hasNext());
        expect(LedgerClosedException.class, () -> accounts.next());
        expect(LedgerClosedException.class, () -> entries.hasNext());
        expect(LedgerClosedException.class, () -> entries.next());
        expect(LedgerClosedException.class, () -> lots.next());
        ((LedgerIterator<Entry>) entries).close(); /* freeing later is fine */
        ((LedgerIterator<Entry>) entries).close();
    }

    @Test
    public void iteratorStartedInARolledBackBatchThrowsState() {
        try (Ledger l = TestSupport.memoryLedger()) {
            long a = l.createAccount("C1", "Alice");
            l.earn(Posting.of("PTS", a, 100));
            LedgerIterator<Entry> before = l.statement(a, "PTS").iterator();
            l.begin();
            l.earn(Posting.of("PTS", a, 20));
            List<LedgerIterator<?>> inside = List.of(l.accounts().iterator(),
                    l.statement(a, "PTS").iterator(),
                    l.statement(a, "PTS", StatementOrder.OLDEST_FIRST).iterator(),
                    l.lots(a, "PTS").iterator(), l.lots(0, "PTS", Long.MAX_VALUE).iterator());
            LedgerIterator<Entry> stepped = l.statement(a, "PTS").iterator();
            assertEquals(20, stepped.next().amount()); /* a chunk buffered in the batch */
            l.rollback();
            List<LedgerIterator<?>> all = new ArrayList<>(inside);
            all.add(stepped);
            for (LedgerIterator<?> it : all) {
                StateException e = expect(StateException.class, () -> it.hasNext());
                assertTrue(e.getMessage(), e.getMessage().contains("iterator: the batch it was "
                        + "opened in was rolled back"));
                expect(StateException.class, () -> it.next()); /* and stays so */
                it.close();
            }
            /* opened before the batch: unaffected */
            assertEquals(100, before.next().amount());
            assertFalse(before.hasNext());
            assertEquals(List.of(100L), l.statement(a, "PTS").stream().map(Entry::amount)
                    .collect(java.util.stream.Collectors.toList()));
            assertEquals("ok", l.verify().message());
        }
    }

    @Test
    public void batchClosedUncommittedInvalidatesItsIterators() {
        try (Ledger l = TestSupport.memoryLedger()) {
            long a = l.createAccount("C1", "Alice");
            LedgerIterator<Entry> it;
            LedgerIterator<Entry> committed;
            try (Batch b = l.batch()) {
                l.earn(Posting.of("PTS", a, 50));
                committed = l.statement(a, "PTS").iterator();
                b.commit();
            }
            try (Batch b = l.batch()) {
                l.earn(Posting.of("PTS", a, 60));
                it = l.statement(a, "PTS").iterator();
            }
            expect(StateException.class, () -> it.hasNext());
            it.close();
            assertEquals(50, committed.next().amount());
            assertFalse(committed.hasNext());
        }
    }

    /* Below the Ledger (which throws LedgerClosedException first): the C
     * library detaches a handle's iterators when it closes, so a step is
     * POINTS_EMISUSE and a free after the close is fine. */
    @Test
    public void cIteratorAfterPointsCloseIsMisuse() {
        SWIGTYPE_p_points_db db = capi.points_open("memory:", null);
        capi.points_asset_create(db, "PTS", 0, capiConstants.POINTS_EXPIRE_NEVER, 0);
        SWIGTYPE_p_points_account_iterator ai = capi.points_account_iterator_new(db, 0);
        SWIGTYPE_p_points_statement_iterator si = capi.points_statement_iterator_new(db, 1, "PTS",
                0, 0, capiConstants.POINTS_NEWEST_FIRST);
        SWIGTYPE_p_points_lot_iterator li = capi.points_lot_iterator_new(db, 1, "PTS", Long.MAX_VALUE);
        assertEquals(Account.ISSUER, capi.points_account_next(ai).id());
        capi.points_close(db);
        expect(MisuseException.class, () -> capi.points_account_next(ai));
        expect(MisuseException.class, () -> capi.points_statement_next(si));
        expect(MisuseException.class, () -> capi.points_lot_next(li));
        capi.points_account_iterator_free(ai);
        capi.points_statement_iterator_free(si);
        capi.points_lot_iterator_free(li);
    }

    @Test
    public void iteratorEndsAndCloses() {
        try (Ledger l = TestSupport.memoryLedger()) {
            LedgerIterator<Account> it = l.accounts().iterator();
            int n = 0;
            while (it.hasNext()) {
                it.next();
                n++;
            }
            assertEquals(3, n);
            assertFalse(it.hasNext());
            expect(NoSuchElementException.class, () -> it.next());
            LedgerIterator<Account> early = l.accounts().iterator();
            assertTrue(early.hasNext());
            early.close();
            assertFalse(early.hasNext());
        }
    }

    @Test
    public void streamCloseFreesTheIterator() {
        try (Ledger l = TestSupport.memoryLedger()) {
            try (var s = l.accounts().stream()) {
                assertEquals(Account.ISSUER, s.findFirst().get().id());
            }
        }
    }

    @Test
    public void tryWithResourcesLedgerBatchHold() {
        Ledger outer;
        long a;
        try (Ledger l = TestSupport.memoryLedger()) {
            outer = l;
            a = l.createAccount("C1", "Alice");
            l.earn(Posting.of("PTS", a, 100));
            try (Batch b = l.batch()) {
                l.earn(Posting.of("PTS", a, 50));
                /* no commit: close rolls back */
            }
            assertEquals(100, l.getBalance(a, "PTS").available());
            try {
                try (Batch b = l.batch()) {
                    l.spend(Posting.of("PTS", a, 60));
                    throw new IllegalStateException("payment service down");
                }
            } catch (IllegalStateException expected) {
                /* the batch was rolled back on the way out */
            }
            assertEquals(100, l.getBalance(a, "PTS").available());
            l.begin(); /* no batch is left open */
            l.rollback();

            String id;
            try (Hold h = l.createHold(Posting.of("PTS", a, 40))) {
                id = h.id();
                assertEquals(40, l.getBalance(a, "PTS").held());
            }
            assertEquals(HoldState.RELEASED, l.getHold(id).state());
            assertEquals(100, l.getBalance(a, "PTS").available());
            try (Hold h = l.createHold(Posting.of("PTS", a, 40))) {
                h.capture(10);
            }
            assertEquals(90, l.getBalance(a, "PTS").available());
            assertEquals(0, l.getBalance(a, "PTS").held());
            Hold h = l.createHold(Posting.of("PTS", a, 5));
            l.captureHold(h.id(), 0, 0, null); /* settled elsewhere */
            h.close(); /* sees it is not open: nothing to release */
            assertEquals(HoldState.CAPTURED, h.state());
        }
        assertTrue(outer.isClosed());
    }

    @Test
    public void batchLeftOpenWhenTheLedgerClosesIsRolledBack() throws Exception {
        String uri = "sqlite:" + new File(tmp.getRoot(), "b.db").getPath();
        long a;
        try (Ledger l = Ledger.open(uri)) {
            l.createAsset("PTS");
            a = l.createAccount("C1", "Alice");
        }
        Batch b;
        try (Ledger l = Ledger.open(uri)) {
            b = l.batch();
            l.earn(Posting.of("PTS", a, 10));
        }
        b.close(); /* the ledger's close rolled it back already */
        try (Ledger l = Ledger.open(uri)) {
            assertEquals(0, l.getBalance(a, "PTS").available());
        }
    }

    @Test
    public void garbageAfterCloseDoesNotCrash() throws Exception {
        for (int round = 0; round < 20; round++) {
            Ledger l = TestSupport.memoryLedger();
            long a = l.createAccount("C1", "Alice");
            for (int i = 0; i < 100; i++)
                l.earn(Posting.of("PTS", a, 1));
            for (int i = 0; i < 10; i++) {
                Iterator<Entry> it = l.statement(a, "PTS").iterator();
                it.next(); /* a started C iterator, never finished */
                l.accounts().iterator().hasNext();
                l.lots(a, "PTS").iterator();
            }
            l.createHold(Posting.of("PTS", a, 1));
            l.batch();
            l.close();
        }
        collectGarbage();
        try (Ledger l = TestSupport.memoryLedger()) {
            assertEquals(3, l.accounts().toList().size());
        }
    }

    @Test
    public void unclosedLedgersAreClosedWhenCollected() throws Exception {
        String uri = "sqlite:" + new File(tmp.getRoot(), "leak.db").getPath();
        try (Ledger l = Ledger.open(uri)) {
            l.createAsset("PTS");
            l.createAccount("C1", "Alice");
        }
        for (int i = 0; i < 20; i++) {
            /* the last one's lock goes when the cleaner closes it: on a
             * loaded machine that may take a moment after collectGarbage */
            Ledger l = Ledger.open(uri + "?busy_timeout=5000");
            l.batch(); /* takes the write lock; only closing releases it */
            l.earn(Posting.of("PTS", 4, 1));
            l.statement(4, "PTS").iterator().hasNext();
            l = null;
            collectGarbage();
        }
        collectGarbage();
        try (Ledger l = Ledger.open(uri + "?busy_timeout=5000")) {
            l.earn(Posting.of("PTS", 4, 7)); /* the leaked write locks are gone */
            assertEquals(7, l.getBalance(4, "PTS").available());
        }
    }

    @Test
    public void iteratorsCollectedWhileTheLedgerIsInUse() throws Exception {
        try (Ledger l = TestSupport.memoryLedger()) {
            long a = l.createAccount("C1", "Alice");
            for (int i = 0; i < 2000; i++) {
                l.earn(Posting.of("PTS", a, 1));
                l.statement(a, "PTS").iterator().hasNext(); /* dropped at once */
                if (i % 500 == 0)
                    System.gc();
            }
            collectGarbage();
            assertEquals(2000, l.getBalance(a, "PTS").available());
            assertEquals("ok", l.verify().message());
        }
    }

    @Test
    public void objectsOutliveTheirLedgerSafely() throws Exception {
        AtomicReference<List<Object>> keep = new AtomicReference<>();
        try (Ledger l = TestSupport.memoryLedger()) {
            long a = l.createAccount("C1", "Alice");
            Txn t = l.earn(Posting.of("PTS", a, 5));
            List<Object> objs = new ArrayList<>();
            objs.add(l.getAccount(a));
            objs.add(t);
            objs.add(l.getBalance(a, "PTS"));
            objs.add(l.statement(a, "PTS").toList());
            keep.set(objs);
        }
        collectGarbage();
        /* records are plain Java values, usable after the ledger closed */
        List<Object> objs = keep.get();
        assertEquals("Alice", ((Account) objs.get(0)).name());
        assertEquals(5, ((Txn) objs.get(1)).amount());
        assertEquals(5, ((Balance) objs.get(2)).available());
    }
}
