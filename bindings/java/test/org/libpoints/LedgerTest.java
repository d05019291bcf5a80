package org.libpoints;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.libpoints.TestSupport.DAY;
import static org.libpoints.TestSupport.T0;
import static org.libpoints.TestSupport.assertConsistent;
import static org.libpoints.TestSupport.expect;
import static org.libpoints.TestSupport.list;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The API's success paths, through the idiomatic layer. */
public class LedgerTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Ledger ledger;
    private long alice, bob;

    @Before
    public void setUp() {
        ledger = TestSupport.memoryLedger();
        alice = ledger.createAccount("C1001", "Alice");
        bob = ledger.createAccount("C1002", "Bob");
    }

    @After
    public void tearDown() {
        ledger.close();
    }

    @Test
    public void versionAndStrerror() {
        assertEquals(capiConstants.POINTS_VERSION, Ledger.version());
        assertTrue(Ledger.version().matches("\\d+\\.\\d+\\.\\d+"));
        assertEquals(capiConstants.POINTS_VERSION_NUMBER, Ledger.versionNumber());
        assertEquals("insufficient points", Ledger.strerror(capiConstants.POINTS_EINSUFFICIENT).toLowerCase());
        assertNotEquals(Ledger.strerror(-1), Ledger.strerror(-2));
    }

    @Test
    public void assetsCreateAndGet() {
        ledger.createAsset("WELFARE", 2, ExpiryPolicy.DAYS, 365);
        Asset a = ledger.getAsset("WELFARE");
        assertEquals(new Asset("WELFARE", 2, ExpiryPolicy.DAYS, 365), a);
        ledger.createAsset("YE", 0, ExpiryPolicy.YEAR_END, 1);
        assertEquals(ExpiryPolicy.YEAR_END, ledger.getAsset("YE").expiryPolicy());
        assertEquals(ExpiryPolicy.NEVER, ledger.getAsset("PTS").expiryPolicy());
    }

    @Test
    public void accountsCreateGetFindUpdate() {
        Account a = ledger.getAccount(alice);
        assertEquals(alice, a.id());
        assertEquals("C1001", a.externalId());
        assertEquals("Alice", a.name());
        assertEquals("", a.tier());
        assertEquals(AccountStatus.ACTIVE, a.status());
        assertEquals(T0, a.createdAt());
        assertEquals(T0, a.createdAtInstant().getEpochSecond());
        assertFalse(a.isSystem());
        assertEquals(a, ledger.findAccount("C1001"));

        ledger.updateAccount(alice, null, "gold", "R&D");
        a = ledger.getAccount(alice);
        assertEquals("Alice", a.name()); /* null: unchanged */
        assertEquals("gold", a.tier());
        assertEquals("R&D", a.department());
        ledger.updateAccount(alice, "Alice Li", "", null);
        a = ledger.getAccount(alice);
        assertEquals("Alice Li", a.name());
        assertEquals("", a.tier()); /* "": cleared */
        assertEquals("R&D", a.department());

        long pool = ledger.createAccount("pool:rnd", null, Account.SYSTEM);
        assertTrue(ledger.getAccount(pool).isSystem());
        assertFalse(ledger.getAccount(pool).allowsNegative());
        long neg = ledger.createAccount("pool:neg", "Budget", Account.SYSTEM | Account.ALLOW_NEGATIVE);
        assertTrue(ledger.getAccount(neg).allowsNegative());
        assertEquals("", ledger.getAccount(pool).name());
    }

    @Test
    public void systemAccounts() {
        assertEquals("system:issuer", ledger.getAccount(Account.ISSUER).externalId());
        assertEquals("system:sink", ledger.getAccount(Account.SINK).externalId());
        assertEquals("system:expiry", ledger.getAccount(Account.EXPIRY).externalId());
        assertTrue(ledger.getAccount(Account.ISSUER).isSystem());
    }

    @Test
    public void unicodeTextRoundTrips() {
        long li = ledger.createAccount("E-李伟", "李伟 🎁");
        ledger.updateAccount(li, null, "金牌", "研发部");
        ledger.setAttribute(li, "city", "深圳 🏙");
        Account a = ledger.findAccount("E-李伟");
        assertEquals("李伟 🎁", a.name());
        assertEquals("金牌", a.tier());
        assertEquals("研发部", a.department());
        assertEquals("深圳 🏙", ledger.getAttribute(li, "city"));
        Txn t = ledger.earn(Posting.of("PTS", li, 5).memo("生日快乐 🎂"));
        assertEquals("生日快乐 🎂", ledger.getTxn(t.id()).memo());
        assertEquals("生日快乐 🎂", ledger.statement(li, "PTS").toList().get(0).memo());
    }

    @Test
    public void attributes() {
        ledger.setAttribute(alice, "site", "Shenzhen");
        ledger.setAttribute(alice, "badge", "42");
        assertEquals("Shenzhen", ledger.getAttribute(alice, "site"));
        ledger.setAttribute(alice, "site", "Beijing");
        assertEquals("Beijing", ledger.getAttribute(alice, "site"));
        ledger.removeAttribute(alice, "site");
        expect(NotFoundException.class, () -> ledger.getAttribute(alice, "site"));
        assertEquals("42", ledger.getAttribute(alice, "badge"));
        expect(InvalidArgumentException.class, () -> ledger.setAttribute(alice, "x", null));
    }

    @Test
    public void freezeUnfreezeClose() {
        ledger.freezeAccount(alice);
        assertEquals(AccountStatus.FROZEN, ledger.getAccount(alice).status());
        ledger.unfreezeAccount(alice);
        assertEquals(AccountStatus.ACTIVE, ledger.getAccount(alice).status());
        ledger.earn(Posting.of("PTS", alice, 10));
        ledger.earn(Posting.of("PTS", alice, 10).amount(5)); /* a template, changed */
        assertEquals(15, ledger.getBalance(alice, "PTS").available());
        ledger.spend(Posting.of("PTS", alice, 15));
        ledger.closeAccount(alice);
        assertEquals(AccountStatus.CLOSED, ledger.getAccount(alice).status());
    }

    @Test
    public void accountIteration() {
        List<Account> all = list(ledger.accounts());
        assertEquals(5, all.size());
        assertEquals(Account.ISSUER, all.get(0).id());
        assertEquals(bob, all.get(4).id());
        List<Long> ids = ledger.accounts(alice).stream().map(Account::id).collect(Collectors.toList());
        assertEquals(List.of(alice, bob), ids);
        assertTrue(ledger.accounts(bob + 1).toList().isEmpty());
        /* a second pass starts again */
        Results<Account> r = ledger.accounts(alice);
        assertEquals(2, r.toList().size());
        assertEquals(2, r.toList().size());
        /* more than one chunk of the C iterator (64) */
        for (int i = 0; i < 150; i++)
            ledger.createAccount("bulk-" + i, null);
        List<Account> bulk = ledger.accounts(bob + 1).toList();
        assertEquals(150, bulk.size());
        for (int i = 0; i < 150; i++)
            assertEquals("bulk-" + i, bulk.get(i).externalId());
    }

    @Test
    public void earnSpendTransferAdjust() {
        Txn e = ledger.earn(Posting.of("PTS", alice, 500).memo("welcome"));
        assertEquals(TxnType.EARN, e.type());
        assertEquals(36, e.id().length());
        assertEquals(Account.ISSUER, e.from());
        assertEquals(alice, e.to());
        assertEquals(500, e.amount());
        assertEquals("PTS", e.asset());
        assertEquals("welcome", e.memo());
        assertEquals(T0, e.time());
        assertFalse(e.replayed());

        Txn s = ledger.spend(Posting.of("PTS", alice, 120).memo("mug"));
        assertEquals(TxnType.SPEND, s.type());
        assertEquals(alice, s.from());
        assertEquals(Account.SINK, s.to());
        assertTrue(s.seq() > e.seq());

        Txn t = ledger.transfer(Posting.of("PTS", alice, 80).to(bob).memo("gift"));
        assertEquals(TxnType.TRANSFER, t.type());
        assertEquals(bob, t.to());

        Txn plus = ledger.adjust(Posting.of("PTS", bob, 7).memo("goodwill"));
        assertEquals(TxnType.ADJUST, plus.type());
        Txn minus = ledger.adjust(Posting.of("PTS", bob, -2).memo("typo"));
        assertEquals(TxnType.ADJUST, minus.type());

        Balance a = ledger.getBalance(alice, "PTS");
        assertEquals(new Balance(alice, "PTS", 300, 0, 500, 200, 0, 0, 0), a);
        Balance b = ledger.getBalance(bob, "PTS");
        assertEquals(85, b.available());
        assertEquals(85, b.total());
        assertEquals(120, ledger.getBalance(Account.SINK, "PTS").available());
        assertEquals(0, ledger.getBalance(alice, "PTS").held());
        assertEquals(e, ledger.getTxn(e.id()));
        assertConsistent(ledger, "PTS");
    }

    @Test
    public void postingTimeAndExplicitPayer() {
        long budget = ledger.createAccount("pool", "Budget", Account.SYSTEM | Account.ALLOW_NEGATIVE);
        Txn e = ledger.earn(Posting.of("PTS", alice, 40).counterparty(budget).time(T0 - 3600));
        assertEquals(budget, e.from());
        assertEquals(T0 - 3600, e.time());
        assertEquals(-40, ledger.getBalance(budget, "PTS").available());
        Posting p = Posting.of("PTS", alice, 1).memo("m").idempotencyKey("k").time(5).expiresAt(9);
        assertEquals("PTS", p.asset());
        assertEquals("m", p.memo());
        assertEquals("k", p.idempotencyKey());
        assertEquals(5, p.time());
        assertEquals(9, p.expiresAt());
        assertEquals(p, Posting.of("PTS", alice, 1).memo("m").idempotencyKey("k").time(5).expiresAt(9));
    }

    @Test
    public void idempotentReplay() {
        Posting p = Posting.of("PTS", alice, 100).memo("order 7").idempotencyKey("order-7");
        Txn first = ledger.earn(p);
        Txn again = ledger.earn(p);
        assertFalse(first.replayed());
        assertTrue(again.replayed());
        assertEquals(first.id(), again.id());
        assertEquals(100, ledger.getBalance(alice, "PTS").available());
    }

    @Test
    public void reverseWholeAndPart() {
        ledger.earn(Posting.of("PTS", alice, 100));
        Txn s = ledger.spend(Posting.of("PTS", alice, 60).memo("order"));
        Txn r1 = ledger.reverse(s.id(), 20, "partial refund", "refund-1");
        assertEquals(TxnType.REVERSAL, r1.type());
        assertEquals(s.id(), r1.ref());
        assertEquals(20, r1.amount());
        assertEquals(60, ledger.getBalance(alice, "PTS").available());
        Txn r2 = ledger.reverse(s.id(), "cancelled"); /* the rest */
        assertEquals(40, r2.amount());
        assertEquals(100, ledger.getBalance(alice, "PTS").available());
        assertEquals(0, ledger.getBalance(Account.SINK, "PTS").available());
        assertConsistent(ledger, "PTS");
    }

    @Test
    public void reverseTakesARequest() {
        ledger.earn(Posting.of("PTS", alice, 100));
        Txn s = ledger.spend(Posting.of("PTS", alice, 60));
        Reversal r = Reversal.of(s.id()).amount(20).memo("one item back").idempotencyKey("refund-7");
        assertEquals(Reversal.of(s.id()).amount(20).memo("one item back").idempotencyKey("refund-7"), r);
        assertEquals(s.id(), r.txnId());
        Txn first = ledger.reverse(r);
        Txn again = ledger.reverse(r);
        assertFalse(first.replayed());
        assertTrue(again.replayed());
        assertEquals(first.id(), again.id());
        assertEquals("one item back", first.memo());
        /* the same key, another amount: a different request */
        ConflictException e = expect(ConflictException.class, () -> ledger.reverse(r.amount(21)));
        assertTrue(e.getMessage().contains("refund-7"));
        assertEquals(60, ledger.getBalance(alice, "PTS").available());
        assertConsistent(ledger, "PTS");
    }

    @Test
    public void refundOfSpentPointsLeavesADebt() {
        Txn e = ledger.earn(Posting.of("PTS", alice, 300));
        ledger.spend(Posting.of("PTS", alice, 250));
        Reversal r = Reversal.of(e.id()).memo("order refunded");
        assertFalse(r.isNoDebt());
        assertTrue(r.noDebt().isNoDebt());
        expect(InsufficientPointsException.class, () -> ledger.reverse(r.noDebt()));
        Txn t = ledger.reverse(r);
        assertEquals(300, t.amount());
        assertEquals(250, t.debt());
        Balance b = ledger.getBalance(alice, "PTS");
        assertEquals(0, b.available());
        assertEquals(250, b.debt());
        Entry s = ledger.statement(alice, "PTS").iterator().next();
        assertEquals(-50, s.amount());
        assertEquals(250, s.debt());
        /* the next earn repays first */
        Txn pay = ledger.earn(Posting.of("PTS", alice, 300));
        assertEquals(250, pay.repaid());
        assertEquals(50, ledger.getBalance(alice, "PTS").available());
        assertEquals(0, ledger.getBalance(alice, "PTS").debt());
        assertConsistent(ledger, "PTS");
    }

    @Test
    public void forfeitALeaver() {
        long pool = ledger.createAccount("system:forfeit", "Forfeited", Account.SYSTEM);
        Txn e = ledger.earn(Posting.of("PTS", alice, 300));
        ledger.createHold(Posting.of("PTS", alice, 50).memo("order"));
        ledger.spend(Posting.of("PTS", alice, 250));
        /* nothing available: owes 100; the release repays 50 of it */
        assertEquals(100, ledger.reverse(Reversal.of(e.id()).amount(100)).debt());
        Forfeit f = Forfeit.of(alice).to(pool).memo("left").idempotencyKey("leaver-1");
        assertEquals(Forfeit.of(alice).to(pool).memo("left").idempotencyKey("leaver-1"), f);
        assertEquals(pool, f.to());
        ForfeitReport r = ledger.forfeit(f);
        assertEquals(alice, r.account());
        assertEquals(1, r.holds());
        assertEquals(0, r.forfeited());
        assertEquals(1, r.writtenOff());
        assertFalse(r.replayed());
        ForfeitReport again = ledger.forfeit(f);
        assertTrue(again.replayed());
        assertEquals(r.lastSeq(), again.lastSeq());
        assertEquals(AccountStatus.CLOSED, ledger.getAccount(alice).status());
        assertEquals(0, ledger.getBalance(alice, "PTS").debt());
        expect(AccountClosedException.class, () -> ledger.forfeit(alice, null));
        expect(InvalidArgumentException.class, () -> ledger.forfeit(Forfeit.of(bob).to(alice)));
        assertConsistent(ledger, "PTS");
    }

    @Test
    public void settlingTakesRequestsAndKeys() {
        ledger.earn(Posting.of("PTS", alice, 100));
        Hold h1 = ledger.createHold(Posting.of("PTS", alice, 30));
        Capture c = Capture.of(h1.id()).amount(20).to(bob).memo("shipped").idempotencyKey("ship-1");
        assertEquals(20, c.amount());
        assertEquals(bob, c.to());
        Txn first = ledger.captureHold(c);
        Txn again = ledger.captureHold(c);
        assertTrue(again.replayed());
        assertEquals(first.id(), again.id());
        expect(ConflictException.class, () -> ledger.captureHold(c.to(0)));
        expect(StateException.class, () -> ledger.captureHold(c.idempotencyKey(null)));
        assertEquals(20, ledger.getBalance(bob, "PTS").available());

        Hold h2 = ledger.createHold(Posting.of("PTS", alice, 5));
        Release r = Release.of(h2.id()).memo("cancelled").idempotencyKey("cancel-2");
        Txn rel = ledger.releaseHold(r);
        assertEquals(TxnType.RELEASE, rel.type());
        assertTrue(ledger.releaseHold(r).replayed());
        expect(ConflictException.class, () -> ledger.releaseHold(r.memo("other")));

        /* the Hold's own forms */
        Hold h3 = ledger.createHold(Posting.of("PTS", alice, 5));
        Txn t3 = h3.capture(0, 0, null, "ship-3");
        assertEquals(t3.id(), h3.capture(0, 0, null, "ship-3").id());
        Hold h4 = ledger.createHold(Posting.of("PTS", alice, 5));
        Txn t4 = h4.release(null, "cancel-4");
        assertTrue(h4.release(null, "cancel-4").replayed());
        assertEquals(TxnType.RELEASE, t4.type());
        assertEquals(75, ledger.getBalance(alice, "PTS").available());
        assertConsistent(ledger, "PTS");
    }

    @Test
    public void statementOrdersAndRanges() {
        for (int i = 1; i <= 5; i++) {
            ledger.setClock(T0 + i * 100);
            ledger.earn(Posting.of("PTS", alice, i).memo("e" + i));
        }
        List<Entry> newest = ledger.statement(alice, "PTS").toList();
        assertEquals(5, newest.size());
        assertEquals("e5", newest.get(0).memo());
        assertEquals("e1", newest.get(4).memo());
        assertEquals(5, newest.get(0).amount());
        assertEquals(Account.ISSUER, newest.get(0).counterparty());
        assertEquals(alice, newest.get(0).account());
        assertEquals(TxnType.EARN, newest.get(0).type());
        assertEquals(T0 + 500, newest.get(0).time());

        List<Entry> oldest = ledger.statement(alice, "PTS", StatementOrder.OLDEST_FIRST).toList();
        assertEquals("e1", oldest.get(0).memo());
        assertEquals("e5", oldest.get(4).memo());
        assertTrue(oldest.get(0).seq() < oldest.get(1).seq());

        /* from <= time < to */
        List<String> mid = new ArrayList<>();
        for (Entry e : ledger.statement(alice, "PTS", T0 + 200, T0 + 400, StatementOrder.OLDEST_FIRST))
            mid.add(e.memo());
        assertEquals(List.of("e2", "e3"), mid);
        List<String> tail = new ArrayList<>();
        for (Entry e : ledger.statement(alice, "PTS", T0 + 400, 0, StatementOrder.NEWEST_FIRST))
            tail.add(e.memo());
        assertEquals(List.of("e5", "e4"), tail);
        assertTrue(ledger.statement(bob, "PTS").toList().isEmpty());
    }

    @Test
    public void statementShowsHolds() {
        ledger.earn(Posting.of("PTS", alice, 50));
        try (Hold h = ledger.createHold(Posting.of("PTS", alice, 20))) {
            Entry e = ledger.statement(alice, "PTS").toList().get(0);
            assertEquals(TxnType.HOLD, e.type());
            assertEquals(-20, e.amount());
            assertEquals(20, e.held());
            assertEquals(h.id(), e.txnId());
        }
    }

    @Test
    public void lotsListing() {
        ledger.createAsset("EXP", 0, ExpiryPolicy.DAYS, 30);
        ledger.earn(Posting.of("EXP", alice, 10));
        ledger.earn(Posting.of("EXP", bob, 5).expiresAt(T0 + 3 * DAY));
        ledger.setClock(T0 + 10 * DAY);
        ledger.earn(Posting.of("EXP", alice, 20));
        ledger.earn(Posting.of("PTS", alice, 7));

        List<Lot> lots = ledger.lots(alice, "EXP").toList();
        assertEquals(2, lots.size());
        assertEquals(10, lots.get(0).amount());
        assertEquals(20, lots.get(1).amount());
        assertTrue(lots.get(0).expiresAt() < lots.get(1).expiresAt());
        assertTrue(lots.get(0).expiresAt() >= T0 + 30 * DAY);
        assertTrue(lots.get(0).expiresAt() < T0 + 32 * DAY);
        assertNotNull(lots.get(0).expiresAtInstant());

        /* until */
        assertEquals(1, ledger.lots(alice, "EXP", T0 + 31 * DAY).toList().size());
        /* every account's: bob's lot is past due (day 3), so gone */
        List<Lot> all = ledger.lots(0, "EXP", Long.MAX_VALUE).toList();
        assertEquals(2, all.size());
        assertEquals(30, all.stream().mapToLong(Lot::amount).sum());
        assertEquals(alice, all.get(0).account());
        assertEquals(0, ledger.getBalance(bob, "EXP").available());
        assertEquals(5, ledger.getBalance(bob, "EXP").expired());

        Lot never = ledger.lots(alice, "PTS").toList().get(0);
        assertTrue(never.neverExpires());
        assertEquals(Long.MAX_VALUE, never.expiresAt());
        assertEquals(null, never.expiresAtInstant());
        assertTrue(ledger.lots(0, "PTS", Long.MAX_VALUE).toList().isEmpty());
    }

    @Test
    public void holdsCaptureAllPartAndRelease() {
        ledger.earn(Posting.of("PTS", alice, 100));
        Hold h1 = ledger.createHold(Posting.of("PTS", alice, 30).memo("order 1"));
        assertEquals(TxnType.HOLD, h1.txn().type());
        HoldInfo info = h1.info();
        assertEquals(new HoldInfo(h1.id(), alice, "PTS", 30, 0, 0, HoldState.OPEN), info);
        assertTrue(info.isOpen());
        assertEquals(new Balance(alice, "PTS", 70, 30, 100, 0, 0, 0, 0), ledger.getBalance(alice, "PTS"));

        Txn c = h1.capture();
        assertEquals(TxnType.CAPTURE, c.type());
        assertEquals(h1.id(), c.ref());
        assertEquals(30, c.amount());
        assertEquals(HoldState.CAPTURED, h1.state());
        assertEquals(30, ledger.getHold(h1.id()).captured());

        Hold h2 = ledger.createHold(Posting.of("PTS", alice, 40));
        h2.capture(15, bob, "part to bob");
        assertEquals(HoldState.CAPTURED, h2.state());
        assertEquals(15, h2.info().captured());
        assertEquals(15, ledger.getBalance(bob, "PTS").available());
        assertEquals(55, ledger.getBalance(alice, "PTS").available()); /* 25 came back */

        Hold h3 = ledger.createHold(Posting.of("PTS", alice, 5));
        Txn rel = h3.release("changed my mind");
        assertEquals(TxnType.RELEASE, rel.type());
        assertEquals(HoldState.RELEASED, h3.state());

        Hold h4 = ledger.createHold(Posting.of("PTS", alice, 5));
        h4.capture(2);
        assertEquals(2, ledger.getHold(h4.id()).captured());

        /* the ledger-level forms, and a Hold for an existing id */
        Hold h5 = ledger.createHold(Posting.of("PTS", alice, 8));
        Hold again = ledger.hold(h5.id());
        assertEquals(h5.id(), again.id());
        ledger.captureHold(h5.id(), 0, 0, null);
        assertEquals(HoldState.CAPTURED, again.state());
        Hold h6 = ledger.createHold(Posting.of("PTS", alice, 1));
        ledger.releaseHold(h6.id(), null);
        assertEquals(HoldState.RELEASED, h6.state());
        h6.close(); /* already settled: nothing to do */
        assertEquals(0, ledger.getBalance(alice, "PTS").held());
        assertConsistent(ledger, "PTS");
    }

    @Test
    public void batchCommitAndRollback() {
        try (Batch b = ledger.batch()) {
            for (int i = 0; i < 100; i++)
                ledger.earn(Posting.of("PTS", alice, 1));
            b.commit();
            assertTrue(b.isDone());
        }
        assertEquals(100, ledger.getBalance(alice, "PTS").available());

        try (Batch b = ledger.batch()) {
            ledger.earn(Posting.of("PTS", alice, 1000));
            b.rollback();
        }
        assertEquals(100, ledger.getBalance(alice, "PTS").available());

        ledger.begin();
        ledger.earn(Posting.of("PTS", bob, 3));
        ledger.commit();
        ledger.begin();
        ledger.earn(Posting.of("PTS", bob, 3));
        ledger.rollback();
        assertEquals(3, ledger.getBalance(bob, "PTS").available());
    }

    @Test
    public void batchGoesOnAfterAFailedCheck() {
        try (Batch b = ledger.batch()) {
            ledger.earn(Posting.of("PTS", alice, 10));
            expect(InsufficientPointsException.class, () -> ledger.spend(Posting.of("PTS", alice, 11)));
            ledger.spend(Posting.of("PTS", alice, 4));
            b.commit();
        }
        assertEquals(6, ledger.getBalance(alice, "PTS").available());
    }

    @Test
    public void expireSweepReport() {
        ledger.createAsset("EXP", 0, ExpiryPolicy.DAYS, 1);
        ledger.earn(Posting.of("EXP", alice, 10));
        ledger.earn(Posting.of("EXP", bob, 4));
        SweepReport none = ledger.expireSweep(T0);
        assertEquals(new SweepReport(0, 0, 0, 0, ""), none);
        /* ahead of the clock only when asked */
        expect(InvalidArgumentException.class, () -> ledger.expireSweep(T0 + 5 * DAY));
        SweepReport r = ledger.expireSweep(null, T0 + 5 * DAY, true);
        assertEquals(new SweepReport(2, 2, 14, 0, ""), r);
        assertEquals(10, ledger.getBalance(alice, "EXP").expired());
        assertEquals(14, ledger.getBalance(Account.EXPIRY, "EXP").available());
        assertEquals(new SweepReport(0, 0, 0, 0, ""), ledger.expireSweep(null, T0 + 5 * DAY, true)); /* idempotent */
    }

    @Test
    public void expiryTakesEffectAtItsMoment() {
        ledger.createAsset("EXP", 0, ExpiryPolicy.DAYS, 1);
        ledger.createAsset("EXQ", 0, ExpiryPolicy.DAYS, 1);
        ledger.earn(Posting.of("EXP", alice, 10));
        ledger.earn(Posting.of("EXQ", alice, 3));
        ledger.setClock(T0 + 5 * DAY);
        /* gone without a sweep: a read shows it, a spend cannot use it */
        Balance b = ledger.getBalance(alice, "EXP");
        assertEquals(0, b.available());
        assertEquals(10, b.expired());
        assertEquals(0, ledger.lots(alice, "EXP").toList().size());
        expect(InsufficientPointsException.class, () -> ledger.spend(Posting.of("EXP", alice, 1)));
        /* a sweep of one asset reports that asset */
        SweepReport r = ledger.expireSweep("EXQ", T0 + 5 * DAY, false);
        assertEquals(new SweepReport(1, 1, 3, 0, "EXQ"), r);
        assertEquals(0, ledger.getBalance(Account.EXPIRY, "EXP").available());
        /* an expiry is reversed: the points return to their lot, past due, and expire again */
        Entry e = ledger.statement(alice, "EXQ").toList().get(0);
        assertEquals(TxnType.EXPIRE, e.type());
        ledger.reverse(e.txnId(), "undo");
        assertEquals(0, ledger.getBalance(alice, "EXQ").available());
        assertEquals(3, ledger.getBalance(alice, "EXQ").expired());
    }

    @Test
    public void verifyReport() {
        ledger.earn(Posting.of("PTS", alice, 10));
        ledger.spend(Posting.of("PTS", alice, 3));
        VerifyReport r = ledger.verify();
        assertEquals(2, r.entries());
        assertTrue(r.balances() >= 2);
        assertEquals(0, r.badSeq());
        assertEquals("ok", r.message());
    }

    @Test
    public void errmsgAndErrcode() {
        expect(InsufficientPointsException.class, () -> ledger.spend(Posting.of("PTS", alice, 1)));
        assertEquals(capiConstants.POINTS_EINSUFFICIENT, ledger.errcode());
        assertTrue(ledger.errmsg(), ledger.errmsg().contains("C1001"));
        ledger.earn(Posting.of("PTS", alice, 1));
        assertEquals(0, ledger.errcode());
    }

    @Test
    public void persistenceAcrossReopen() throws Exception {
        File f = new File(tmp.getRoot(), "shop.db");
        String uri = "sqlite:" + f.getPath();
        String id;
        try (Ledger l = Ledger.open(uri)) {
            l.createAsset("PTS", 0, ExpiryPolicy.NEVER, 0);
            long a = l.createAccount("C1", "Alice");
            l.setAttribute(a, "tier-note", "vip");
            id = l.earn(Posting.of("PTS", a, 250).memo("first order")).id();
            l.spend(Posting.of("PTS", a, 50));
        }
        assertTrue(f.isFile());
        try (Ledger l = Ledger.open(uri + "?sync=full")) {
            Account a = l.findAccount("C1");
            assertEquals("Alice", a.name());
            assertEquals("vip", l.getAttribute(a.id(), "tier-note"));
            assertEquals(200, l.getBalance(a.id(), "PTS").available());
            assertEquals("first order", l.getTxn(id).memo());
            assertEquals(2, l.statement(a.id(), "PTS").toList().size());
            assertEquals("ok", l.verify().message());
        }
    }
    /* A transaction type a newer library wrote comes as UNKNOWN with its number kept. */
    @Test
    public void unknownTransactionTypeKeepsItsNumber() {
        byte[] id = "0190a8f0-0000-7000-8000-000000000000".getBytes(StandardCharsets.UTF_8);
        byte[] pts = "PTS".getBytes(StandardCharsets.UTF_8);
        byte[] none = new byte[0];
        Txn t = new Txn(id, 3, 42, T0, pts, alice, bob, 30, none, none, 0, 0, 0, none, none);
        assertEquals(TxnType.UNKNOWN, t.type());
        assertEquals(42, t.typeCode());
        assertEquals(30, t.amount());
        Entry e = new Entry(id, 3, 42, T0, alice, pts, -30, 0, bob, none, 0, none, none, none, none);
        assertEquals(TxnType.UNKNOWN, e.type());
        assertEquals(42, e.typeCode());
        assertEquals(bob, e.counterparty());
        assertEquals(TxnType.UNKNOWN, TxnType.of(0));
        Txn earned = ledger.earn(Posting.of("PTS", alice, 5));
        assertEquals(TxnType.EARN, earned.type());
        assertEquals(TxnType.EARN.code(), earned.typeCode());
    }
}
