package org.libpoints;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.libpoints.TestSupport.T0;
import static org.libpoints.TestSupport.assertConsistent;
import static org.libpoints.TestSupport.expect;
import static org.libpoints.TestSupport.list;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Category and actor on writes, department and tier as posted, history, erasure. */
public class MetaTest {
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
        assertConsistent(ledger, "PTS");
        ledger.close();
    }

    @Test
    public void everyWriteKeepsCategoryAndActor() {
        Txn earn = ledger.earn(Posting.of("PTS", alice, 100).category("training").actor("hr:王芳"));
        assertEquals("training", earn.category());
        assertEquals("hr:王芳", earn.actor());
        assertEquals("training", ledger.getTxn(earn.id()).category());
        Txn t = ledger.transfer(Posting.of("PTS", alice, 5).to(bob).actor("C1001")
                .category("teamwork").memo("thanks"));
        assertEquals("teamwork", t.category());
        assertEquals("C1001", t.actor());
        assertEquals("thanks", t.memo());
        t = ledger.reverse(Reversal.of(earn.id()).amount(1).category("order").actor("ops"));
        assertEquals("order", t.category());
        Hold h = ledger.createHold(Posting.of("PTS", alice, 10));
        t = ledger.captureHold(Capture.of(h.id()).amount(4).category("order").actor("shop"));
        assertEquals("shop", t.actor());
        Entry last = list(ledger.statement(alice, "PTS")).get(0);
        assertEquals(TxnType.RELEASE, last.type());
        assertEquals("order", last.category());
        Hold h2 = ledger.createHold(Posting.of("PTS", alice, 1));
        t = ledger.releaseHold(Release.of(h2.id()).category("cancel"));
        assertEquals("cancel", t.category());
        assertEquals("", t.actor());
        expect(InvalidArgumentException.class,
                () -> ledger.earn(Posting.of("PTS", alice, 1).category("Bad Category")));
        expect(InvalidArgumentException.class,
                () -> ledger.earn(Posting.of("PTS", alice, 1).actor("")));
        // the requests keep them through every other method
        Posting p = Posting.of("PTS", alice, 1).category("x").actor("y").memo("m").amount(2);
        assertEquals("x", p.category());
        assertEquals("y", p.actor());
        assertEquals(p, Posting.of("PTS", alice, 2).memo("m").actor("y").category("x"));
        assertTrue(!p.equals(Posting.of("PTS", alice, 2).memo("m")));
    }

    @Test
    public void forfeitKeepsCategoryAndActor() {
        long pool = ledger.createAccount("system:forfeit", "Forfeited", Account.SYSTEM);
        ledger.earn(Posting.of("PTS", alice, 30));
        Forfeit f = Forfeit.of(alice).category("leaver").actor("hr:7").to(pool).memo("left")
                .idempotencyKey("leaver-meta");
        assertEquals("leaver", f.category());
        assertEquals("hr:7", f.actor());
        assertEquals(Forfeit.of(alice).to(pool).memo("left").idempotencyKey("leaver-meta")
                .actor("hr:7").category("leaver"), f);
        assertFalse(f.equals(Forfeit.of(alice).to(pool).memo("left").idempotencyKey("leaver-meta")));
        expect(InvalidArgumentException.class,
                () -> ledger.forfeit(Forfeit.of(alice).category("Bad Category")));
        ForfeitReport r = ledger.forfeit(f);
        assertEquals(1, r.forfeited());
        Entry e = list(ledger.statement(alice, "PTS")).get(0);
        assertEquals(TxnType.FORFEIT, e.type());
        assertEquals("leaver", e.category());
        assertEquals("hr:7", e.actor());
        assertEquals("left", e.memo());
        List<AccountChange> h = list(ledger.accountHistory(alice));
        assertEquals("hr:7", h.get(h.size() - 1).actor());
        assertTrue(ledger.forfeit(f).replayed());
        /* the actor is part of the request: another one under the key conflicts */
        expect(ConflictException.class, () -> ledger.forfeit(f.actor("hr:8")));
    }

    /** Every request keeps its category and actor through its other methods. */
    @Test
    public void requestsKeepCategoryAndActor() {
        String id = "018cc251-f400-7000-8000-000000000000";
        assertEquals(Reversal.of(id).category("c").actor("a").amount(3).memo("m").noDebt()
                .idempotencyKey("k"), Reversal.of(id).amount(3).memo("m").noDebt()
                .idempotencyKey("k").actor("a").category("c"));
        assertEquals(Capture.of(id).category("c").actor("a").amount(3).to(bob).memo("m")
                .idempotencyKey("k"), Capture.of(id).amount(3).to(bob).memo("m")
                .idempotencyKey("k").actor("a").category("c"));
        assertEquals(Release.of(id).category("c").actor("a").memo("m").idempotencyKey("k"),
                Release.of(id).memo("m").idempotencyKey("k").actor("a").category("c"));
        Reversal r = Reversal.of(id).category("c").actor("a").amount(3);
        assertEquals("c", r.category());
        assertEquals("a", r.actor());
        assertNotEquals(r, Reversal.of(id).amount(3));
        assertNotEquals(Release.of(id).actor("a"), Release.of(id).actor("b"));
        assertNotEquals(Capture.of(id).category("c"), Capture.of(id));
        assertTrue(Release.of(id).category("c").toString().contains("category=c"));
        assertTrue(Forfeit.of(alice).actor("a").toString().contains("actor=a"));
        /* a request stays as it was: each method returns a new one */
        Release plain = Release.of(id);
        plain.category("c");
        assertEquals(null, plain.category());
    }

    @Test
    public void entriesKeepDepartmentAndTierAsPosted() {
        ledger.updateAccount(alice, null, "gold", "R&D");
        ledger.earn(Posting.of("PTS", alice, 10));
        Account a = ledger.changeAccount(alice, null, "Sales", null, "hr", "moved", null);
        assertEquals("Sales", a.department());
        ledger.earn(Posting.of("PTS", alice, 10));
        List<Entry> s = list(ledger.statement(alice, "PTS"));
        assertEquals("Sales", s.get(0).department());
        assertEquals("R&D", s.get(1).department());
        assertEquals("gold", s.get(1).tier());
    }

    @Test
    public void historyAndIdempotentChanges() {
        Account a = ledger.changeAccount(alice, "gold", "R&D", AccountStatus.FROZEN, "hr:7",
                "audit", "c1");
        assertEquals(AccountStatus.FROZEN, a.status());
        assertEquals(a, ledger.changeAccount(alice, "gold", "R&D", AccountStatus.FROZEN, "hr:7",
                "audit", "c1"));
        expect(ConflictException.class,
                () -> ledger.changeAccount(alice, "silver", null, null, null, null, "c1"));
        expect(StateException.class,
                () -> ledger.changeAccount(alice, null, null, AccountStatus.FROZEN, null, null, null));
        ledger.unfreezeAccount(alice);
        List<AccountChange> h = list(ledger.accountHistory(alice));
        assertEquals(4, h.size());
        assertEquals(new AccountChange(alice, 3, T0, ChangeField.STATUS, "active", "frozen",
                "hr:7", "audit"), h.get(2));
        assertEquals("", h.get(3).actor());
        assertEquals(4, list(ledger.accountHistory(0)).size());
        expect(NotFoundException.class, () -> list(ledger.accountHistory(999)));
    }

    @Test
    public void eraseKeepsTheLedgerVerifiable() {
        long c = ledger.createAccount("C9", "Zhang Xiuying");
        ledger.setAttribute(c, "phone", "555");
        ledger.earn(Posting.of("PTS", c, 5));
        expect(StateException.class, () -> ledger.eraseAccount(c, "dpo", "request"));
        ledger.spend(Posting.of("PTS", c, 5));
        ledger.closeAccount(c);
        ledger.eraseAccount(c, "dpo", "request");
        ledger.eraseAccount(c, null, null);
        Account a = ledger.getAccount(c);
        assertEquals("", a.externalId());
        assertEquals("", a.name());
        expect(NotFoundException.class, () -> ledger.findAccount("C9"));
        expect(NotFoundException.class, () -> ledger.getAttribute(c, "phone"));
        List<AccountChange> h = list(ledger.accountHistory(c));
        AccountChange last = h.get(h.size() - 1);
        assertEquals(ChangeField.ERASE, last.field());
        assertEquals("dpo", last.actor());
    }

    /** A seeded walk of changes and earns against a small model. */
    @Test
    public void randomChangesMatchAModel() {
        Random rng = new Random(7);
        String[] depts = { "", "R&D", "Sales" };
        List<String> hist = new ArrayList<>(), entries = new ArrayList<>();
        String dept = "";
        for (int i = 0; i < 80; i++) {
            if (rng.nextBoolean()) {
                String d = depts[rng.nextInt(depts.length)];
                ledger.changeAccount(alice, null, d, null, "hr", null, null);
                if (!d.equals(dept))
                    hist.add(dept + ">" + d);
                dept = d;
            } else {
                ledger.earn(Posting.of("PTS", alice, 1).category("training"));
                entries.add(dept);
            }
            List<String> got = new ArrayList<>();
            for (AccountChange c : ledger.accountHistory(alice))
                got.add(c.oldValue() + ">" + c.newValue());
            assertEquals(hist, got);
            got.clear();
            for (Entry e : ledger.statement(alice, "PTS", StatementOrder.OLDEST_FIRST))
                got.add(e.department());
            assertEquals(entries, got);
        }
    }
}
