package org.libpoints;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.libpoints.TestSupport.DAY;
import static org.libpoints.TestSupport.T0;
import static org.libpoints.TestSupport.assertConsistent;
import static org.libpoints.TestSupport.expect;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Scheduled grants: periodic allowances, once a period, from a pool. */
public class GrantsTest {
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

    @Test
    public void monthlyAllowanceOnceAPeriod() {
        ledger.updateAccount(alice, null, "gold", null);
        ledger.setAttribute(alice, "payroll", "yes");
        ledger.setAttribute(bob, "payroll", "yes");
        Grant g = ledger.saveGrant(GrantDef.of("welfare", "account.tier == 'gold' ? 300 : 100",
                "PTS").condition("has(account.attrs.payroll)").state(RuleState.ACTIVE)
                .author("hr").reason("2025 policy"));
        assertEquals(1, g.version());
        assertEquals(GrantDef.MONTHLY, g.period());
        assertEquals(RuleState.ACTIVE, g.state());
        assertEquals("allowance", g.category());
        GrantReport r = ledger.runGrant("welfare", 0);
        assertEquals(2, r.granted());
        assertEquals(400, r.points());
        assertEquals(T0, r.periodStart());
        assertEquals(300, ledger.getBalance(alice, "PTS").available());
        r = ledger.runDueGrants(0);
        assertEquals(0, r.granted());
        assertEquals(2, r.already());
        GrantAward w = ledger.grantAward("welfare", 0, bob);
        assertEquals(100, w.points());
        assertEquals(1, w.version());
        java.util.List<GrantAward> all = TestSupport.list(ledger.grantAwards("welfare", 0));
        assertEquals(2, all.size());
        assertEquals(alice, all.get(0).account());
        assertEquals(300, all.get(0).points());
        ledger.setClock(T0 + 31 * DAY);
        assertEquals(2, ledger.runGrant("welfare", 0).granted());
        assertEquals(600, ledger.getBalance(alice, "PTS").available());
        assertEquals("has(account.attrs.payroll)",
                ledger.grantExpr("welfare", RuleExpr.CONDITION, 0));
    }

    @Test
    public void poolRunsDryAndStates() {
        long pool = ledger.createPool("pool:hr", "HR budget");
        ledger.fundPool(Posting.of("PTS", pool, 150));
        ledger.saveGrant(GrantDef.of("tenure", "100", "PTS").period(GrantDef.YEARLY)
                .pool(pool).flags(GrantDef.EXPIRE_AT_END).state(RuleState.ACTIVE).author("hr"));
        GrantReport r = ledger.runGrant("tenure", 0);
        assertEquals(1, r.granted());
        assertEquals(1, r.unpaid());
        assertEquals(100, r.unpaidPoints());
        Grant g = ledger.setGrantState("tenure", RuleState.PAUSED, "hr", "review");
        assertEquals(2, g.version());
        assertEquals(RuleState.ACTIVE, ledger.grant("tenure", 1).state());
        StateException e = expect(StateException.class, () -> ledger.runGrant("tenure", 0));
        assertTrue(e.getMessage(), e.getMessage().contains("only an active grant runs"));
    }

    @Test
    public void badInput() {
        InvalidArgumentException e = expect(InvalidArgumentException.class,
                () -> ledger.saveGrant(GrantDef.of("w", "acount.tier", "PTS").author("hr")));
        assertTrue(e.getMessage(), e.getMessage().contains("unknown variable 'acount'"));
        expect(NotFoundException.class, () -> ledger.runGrant("nope", 0));
        expect(InvalidArgumentException.class, () -> ledger.runDueGrants(T0 + DAY));
    }
}
