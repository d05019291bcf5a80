package org.libpoints;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.libpoints.TestSupport.DAY;
import static org.libpoints.TestSupport.T0;
import static org.libpoints.TestSupport.assertConsistent;
import static org.libpoints.TestSupport.expect;
import static org.libpoints.TestSupport.list;

import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Earning rules, the tier table and events. */
public class RulesTest {
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

    private static RuleDef spend() {
        return RuleDef.of("spend", "purchase", "event.amount / 100", "PTS")
                .condition("event.amount >= 1000").state(RuleState.ACTIVE).author("ops");
    }

    @Test
    public void saveVersionsHistory() {
        Rule r1 = ledger.saveRule(spend().reason("launch"));
        assertEquals("spend", r1.name());
        assertEquals(1, r1.version());
        assertEquals(RuleState.ACTIVE, r1.state());
        assertEquals("launch", r1.reason());
        assertEquals(T0, r1.time());
        Rule r2 = ledger.saveRule(spend().condition("event.amount >= 2000").priority(5)
                .flags(RuleDef.EXCLUSIVE).caps(0, 0, 0, 0, 900));
        assertEquals(2, r2.version());
        assertEquals(RuleDef.EXCLUSIVE, r2.flags());
        assertEquals(900, r2.capTotal());
        Rule r3 = ledger.setRuleState("spend", RuleState.PAUSED, "ops", null);
        assertEquals(3, r3.version());
        assertEquals(RuleState.PAUSED, ledger.rule("spend").state());
        assertEquals(0, ledger.rule("spend", 1).priority());
        assertEquals("event.amount >= 1000", ledger.ruleExpr("spend", RuleExpr.CONDITION, 1));
        assertEquals("event.amount >= 2000", ledger.ruleExpr("spend", RuleExpr.CONDITION, 0));
        assertEquals("", ledger.ruleExpr("spend", RuleExpr.CAP_KEY, 0));
        List<Rule> h = list(ledger.ruleHistory("spend"));
        assertEquals(3, h.size());
        assertEquals(1, h.get(0).version());
        assertEquals(RuleState.PAUSED, h.get(2).state());
        List<Rule> all = list(ledger.rules());
        assertEquals(1, all.size());
        assertEquals("spend", all.get(0).name());
        assertEquals(3, all.get(0).version());
        expect(NotFoundException.class, () -> ledger.rule("nope"));
    }

    @Test
    public void backtest() {
        ledger.saveRule(spend());
        ledger.saveRule(RuleDef.of("bonus", "purchase", "event.amount / 1000", "PTS")
                .author("ops").caps(15, 0, 0, 0, 0));
        ledger.applyEvent(Event.of("o1", "purchase", alice).amount(12000));
        ledger.applyEvent(Event.of("o2", "purchase", alice).amount(12000));
        ledger.applyEvent(Event.of("o3", "purchase", bob).amount(5000));
        long before = ledger.getBalance(alice, "PTS").available();
        Backtest b = ledger.ruleBacktest("bonus", 0, 0, 0);
        assertEquals(before, ledger.getBalance(alice, "PTS").available());
        /* 12, then 3 of 12 (the daily cap of 15), and 5 */
        assertEquals(3, b.summary().events());
        assertEquals(3, b.summary().awards());
        assertEquals(20, b.points());
        assertEquals(2, b.summary().accounts());
        assertEquals(0, b.summary().capped());
        assertEquals(2, b.rows().size());
        assertEquals(alice, b.rows().get(0).account());
        assertEquals(15, b.rows().get(0).points());
        assertEquals(2, b.rows().get(0).awards());
        assertEquals(bob, b.rows().get(1).account());
        assertEquals(5, b.rows().get(1).points());
        assertEquals(0, ledger.ruleBacktest("bonus", 1, T0 + 1, 0).summary().events());
        expect(NotFoundException.class, () -> ledger.ruleBacktest("nope", 0, 0, 0));
    }

    @Test
    public void tierMultiplier() {
        ledger.saveRule(spend());
        ledger.setTier("gold", 2, 150);
        Tier t = ledger.tier("gold");
        assertEquals(2, t.rank());
        assertEquals(150, t.percent());
        ledger.changeAccount(alice, "gold", null, null, "hr", null, null);
        EventResult r = ledger.applyEvent(Event.of("o1", "purchase", alice).amount(12345));
        assertEquals(123, r.outcomes().get(0).formula());
        assertEquals(184, r.points()); /* 123 x 150% = 184.5, rounded down */
        assertEquals(184, ledger.getBalance(alice, "PTS").available());
        EventResult b = ledger.applyEvent(Event.of("o2", "purchase", bob).amount(12345));
        assertEquals(123, b.points()); /* no tier: 100% */
    }

    @Test
    public void tierQualification() {
        ledger.saveRule(spend());
        ledger.setTier("normal", 0, 100);
        ledger.setTier("gold", 2, 200);
        ledger.qualifyTier("gold", "PTS", 5000, 12);
        Tier t = ledger.tier("gold");
        assertEquals("PTS", t.qualifyAsset());
        assertEquals(5000, t.qualifyPoints());
        assertEquals(12, t.qualifyMonths());
        /* the event that crosses earns 1x; the next 2x */
        assertEquals(5200, ledger.applyEvent(Event.of("o1", "purchase", alice).amount(520000)).points());
        assertEquals("gold", ledger.getAccount(alice).tier());
        assertEquals(200, ledger.applyEvent(Event.of("o2", "purchase", alice).amount(10000)).points());
        assertEquals(5400, ledger.tierEarned(alice, "PTS", 12, 0));
        List<AccountChange> h = list(ledger.accountHistory(alice));
        AccountChange c = h.get(h.size() - 1);
        assertEquals("gold", c.newValue());
        assertEquals("system:tiers", c.actor());
        assertTrue(c.reason(), c.reason().contains("gold needs 5,000"));
        /* a year on, the sweep moves alice down to the base */
        ledger.setClock(T0 + 400 * DAY);
        TierSweepReport r = ledger.tierSweep(0);
        assertEquals(1, r.downgraded());
        assertEquals(0, r.upgraded());
        assertEquals("normal", ledger.getAccount(alice).tier());
        assertEquals(0, ledger.tierSweep(0).downgraded());
        InvalidArgumentException e = expect(InvalidArgumentException.class,
                () -> ledger.qualifyTier("gold", "PTS", 0, 12));
        assertTrue(e.getMessage(), e.getMessage().contains("the points to qualify must be positive"));
        expect(NotFoundException.class, () -> ledger.qualifyTier("nope", "PTS", 1, 1));
        ledger.qualifyTier("gold", null, 0, 0);
        assertEquals("", ledger.tier("gold").qualifyAsset());
    }

    @Test
    public void applyPreviewGet() {
        ledger.saveRule(spend());
        ledger.saveRule(RuleDef.of("store", "purchase", "50", "PTS")
                .condition("event.attrs.channel == \"store\"").state(RuleState.ACTIVE)
                .author("ops"));
        Event e = Event.of("o1", "purchase", alice).amount(5000).attrs("{\"channel\":\"app\"}");
        EventResult p = ledger.previewEvent(e);
        assertEquals(50, p.points());
        assertEquals(0, p.summary().seq());
        assertEquals(0, ledger.getBalance(alice, "PTS").available());
        EventResult r = ledger.applyEvent(e.actor("shop"));
        assertFalse(r.replayed());
        assertTrue(r.summary().seq() > 0);
        assertEquals(2, r.outcomes().size());
        RuleOutcome spend = r.outcomes().stream().filter(o -> o.rule().equals("spend"))
                .findFirst().get();
        RuleOutcome store = r.outcomes().stream().filter(o -> o.rule().equals("store"))
                .findFirst().get();
        assertTrue(spend.awarded());
        assertEquals(50, spend.points());
        assertEquals(alice, spend.account());
        assertFalse(spend.txnId().isEmpty());
        assertEquals(OutcomeStatus.CONDITION, store.status());
        assertEquals("condition is false", store.reason());
        EventResult g = ledger.event("o1");
        assertEquals(r, g);
        assertEquals(50, ledger.getBalance(alice, "PTS").available());
    }

    @Test
    public void replayAndConflict() {
        ledger.saveRule(spend());
        EventResult r = ledger.applyEvent(Event.of("o1", "purchase", alice).amount(5000));
        EventResult again = ledger.applyEvent(Event.of("o1", "purchase", alice).amount(5000));
        assertTrue(again.replayed());
        assertEquals(r.points(), again.points());
        expect(ConflictException.class,
                () -> ledger.applyEvent(Event.of("o1", "purchase", alice).amount(6000)));
        assertEquals(50, ledger.getBalance(alice, "PTS").available());
    }

    @Test
    public void languageError() {
        InvalidArgumentException e = expect(InvalidArgumentException.class,
                () -> ledger.saveRule(spend().condition("evnt.amount > 1")));
        assertTrue(e.getMessage(), e.getMessage().contains("condition: col 1"));
        expect(NotFoundException.class, () -> ledger.rule("spend"));
    }

    @Test
    public void frozen() {
        ledger.saveRule(spend());
        ledger.freezeAccount(alice);
        expect(FrozenException.class,
                () -> ledger.applyEvent(Event.of("o1", "purchase", alice).amount(5000)));
        expect(FrozenException.class,
                () -> ledger.previewEvent(Event.of("o1", "purchase", alice).amount(5000)));
        expect(NotFoundException.class, () -> ledger.event("o1"));
        ledger.unfreezeAccount(alice);
    }

    @Test
    public void refund() {
        ledger.saveRule(spend());
        ledger.applyEvent(Event.of("o1", "purchase", alice).amount(5000));
        EventResult r = ledger.reverseEvent("o1", 2000, null, null, null, false);
        assertEquals(-20, r.points());
        assertEquals(30, ledger.getBalance(alice, "PTS").available());
    }

    @Test
    public void refundLines() {
        /* 1 point per 10 yuan on basic lines, per 5 on the new collection */
        ledger.saveRule(RuleDef.of("shop", "purchase", "sum(event.attrs.lines.map(l, "
                + "l.collection == 'new' ? l.amount / 500 : l.amount / 1000))", "PTS")
                .state(RuleState.ACTIVE).author("ops"));
        ledger.applyEvent(Event.of("o1", "purchase", alice).amount(22800).attrs(
                "{\"lines\": [{\"id\": \"T1\", \"collection\": \"new\", \"amount\": 12900},"
                + " {\"id\": \"B2\", \"collection\": \"basic\", \"amount\": 9900}]}"));
        assertEquals(List.of(), ledger.event("o1").lines());
        EventResult r = ledger.reverseEventLines("o1", "[\"B2\"]", null, "rf-B2", null, false);
        assertEquals(-9, r.points());
        assertEquals(9900, r.summary().amount());
        assertEquals(List.of(1), r.lines());
        r = ledger.reverseEventLines("o1", "[\"B2\"]", null, "rf-B2", null, false);
        assertTrue(r.replayed());
        assertEquals(List.of(1), r.lines());
        expect(StateException.class,
                () -> ledger.reverseEventLines("o1", "[1]", null, null, null, false));
        expect(InvalidArgumentException.class,
                () -> ledger.reverseEvent("o1", 100, null, null, null, false));
        assertEquals(-25, ledger.reverseEventLines("o1", "[0]", null, null, null, false)
                .points());
        assertEquals(0, ledger.getBalance(alice, "PTS").available());
    }

    @Test
    public void pendingPoints() {
        assertEquals(7, ledger.saveRule(spend().pendingDays(7)).pendingDays());
        assertEquals(7, ledger.rule("spend").pendingDays());
        ledger.applyEvent(Event.of("o1", "purchase", alice).amount(5000));
        Balance b = ledger.getBalance(alice, "PTS");
        assertEquals(0, b.available());
        assertEquals(50, b.pending());
        expect(InsufficientPointsException.class,
                () -> ledger.spend(Posting.of("PTS", alice, 1)));
        /* a refund takes pending points back first */
        assertEquals(-20, ledger.reverseEvent("o1", 2000, null, null, null, false).points());
        assertEquals(30, ledger.getBalance(alice, "PTS").pending());
        /* T0 is 2025-03-01 00:00 UTC: pending through 2025-03-08, available from
         * 2025-03-09 00:00 by themselves */
        ledger.setClock(T0 + 8 * DAY - 1);
        assertEquals(30, ledger.getBalance(alice, "PTS").pending());
        ledger.setClock(T0 + 8 * DAY);
        b = ledger.getBalance(alice, "PTS");
        assertEquals(30, b.available());
        assertEquals(0, b.pending());
        ledger.spend(Posting.of("PTS", alice, 30));
        expect(InvalidArgumentException.class,
                () -> ledger.saveRule(spend().pendingDays(-1)));
    }

    @Test
    public void approval() {
        ledger.saveRule(RuleDef.of("idea", "idea.adopted", "20", "PTS").flags(RuleDef.APPROVAL)
                .state(RuleState.ACTIVE).author("hr"));
        EventResult r = ledger.applyEvent(Event.of("i1", "idea.adopted", alice).actor("mgr.wang"));
        assertEquals(0, r.points());
        assertEquals(OutcomeStatus.APPROVAL, r.outcomes().get(0).status());
        List<Approval> open = list(ledger.pendingApprovals(0));
        assertEquals(1, open.size());
        Approval a = open.get(0);
        assertTrue(a.pending());
        assertEquals(alice, a.account());
        assertEquals("idea", a.rule());
        assertEquals("mgr.wang", a.nominator());
        PermissionException e = expect(PermissionException.class,
                () -> ledger.approve(1, "mgr.wang", null));
        assertTrue(e.getMessage().contains("four eyes"));
        a = ledger.approve(1, "hr.li", "adopted");
        assertEquals(ApprovalState.APPROVED, a.state());
        assertEquals(20, ledger.getBalance(alice, "PTS").available());
        assertEquals(20, ledger.getTxn(a.txnId()).amount());
        expect(StateException.class, () -> ledger.reject(1, "hr.zhao", "late"));
        /* a manual award, rejected: nothing posted */
        a = ledger.nominateAward(bob, "PTS", 200, null, 0, "certificate", "mgr.wang");
        assertEquals(2, a.id());
        assertEquals("award", a.category());
        assertEquals(1, list(ledger.pendingApprovals(bob)).size());
        assertTrue(list(ledger.pendingApprovals(alice)).isEmpty());
        a = ledger.reject(2, "hr.li", "not on the list");
        assertEquals(ApprovalState.REJECTED, a.state());
        assertEquals(a, ledger.approval(2));
        assertEquals(0, ledger.getBalance(bob, "PTS").available());
        expect(NotFoundException.class, () -> ledger.approval(9));
        /* a retried nomination with its key is one approval */
        a = ledger.nominateAward(bob, "PTS", 30, null, 0, null, "mgr.wang", "nom-7");
        assertEquals(a, ledger.nominateAward(bob, "PTS", 30, null, 0, null, "mgr.wang",
                "nom-7"));
        assertEquals(1, list(ledger.pendingApprovals(bob)).size());
        expect(ConflictException.class,
                () -> ledger.nominateAward(bob, "PTS", 40, null, 0, null, "mgr.wang", "nom-7"));
    }

    @Test
    public void versionInForceAtTheEventsTime() {
        ledger.saveRule(spend());
        EventResult r = ledger.applyEvent(Event.of("o0", "purchase", alice).amount(5000)
                .time(T0 - DAY));
        assertEquals(0, r.points());
        assertTrue(r.outcomes().isEmpty());
    }

    @Test
    public void closedLedger() {
        ledger.close();
        expect(LedgerClosedException.class, () -> ledger.event("o1"));
    }
}
