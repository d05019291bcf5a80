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
import java.util.Random;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Budget pools and asset policies. */
public class PoolTest {
    private Ledger ledger;
    private long alice, bob, pool;

    @Before
    public void setUp() {
        ledger = TestSupport.memoryLedger();
        alice = ledger.createAccount("C1001", "Alice");
        bob = ledger.createAccount("C1002", "Bob");
        pool = ledger.createPool("POOL:Sales", "Sales budget");
    }

    @After
    public void tearDown() {
        assertConsistent(ledger, "PTS");
        ledger.close();
    }

    @Test
    public void fundAwardDefundClose() {
        Account a = ledger.getAccount(pool);
        assertTrue(a.isPool());
        assertTrue(a.isSystem());
        Txn f = ledger.fundPool(Posting.of("PTS", pool, 500).memo("Q1"));
        assertEquals(TxnType.FUND, f.type());
        assertEquals(Account.ISSUER, f.from());
        Txn w = ledger.earn(Posting.of("PTS", alice, 200).counterparty(pool).memo("award"));
        assertEquals(pool, w.from());
        Txn d = ledger.defundPool(Posting.of("PTS", pool, 300));
        assertEquals(TxnType.DEFUND, d.type());
        assertEquals(0, ledger.getBalance(pool, "PTS").available());
        List<Entry> st = list(ledger.statement(pool, "PTS", StatementOrder.OLDEST_FIRST));
        assertEquals(3, st.size());
        assertEquals(TxnType.FUND, st.get(0).type());
        assertEquals(500, st.get(0).amount());
        assertEquals(-200, st.get(1).amount());
        assertEquals(alice, st.get(1).counterparty());
        assertEquals(TxnType.DEFUND, st.get(2).type());
        ledger.closeAccount(pool);
        expect(AccountClosedException.class, () -> ledger.fundPool(Posting.of("PTS", pool, 1)));
    }

    @Test
    public void poolCannotOverspend() {
        ledger.fundPool(Posting.of("PTS", pool, 100));
        InsufficientPointsException e = expect(InsufficientPointsException.class,
                () -> ledger.earn(Posting.of("PTS", alice, 101).counterparty(pool)));
        assertEquals("pool POOL:Sales: insufficient points: available 100, needs 101", e.getMessage());
        expect(InvalidArgumentException.class, () -> ledger.earn(Posting.of("PTS", pool, 1)));
        expect(InvalidArgumentException.class, () -> ledger.fundPool(Posting.of("PTS", alice, 1)));
        assertEquals(100, ledger.getBalance(pool, "PTS").available());
    }

    @Test
    public void assetPolicies() {
        Asset a = ledger.getAsset("PTS");
        assertTrue(a.transferable());
        assertEquals(12, a.yearEndMonth());
        ledger.earn(Posting.of("PTS", alice, 1000));
        a = ledger.setAssetPolicy("PTS", AssetPolicy.defaults().transferable(false).yearEnd(3, 31));
        assertFalse(a.transferable());
        assertEquals(3, a.yearEndMonth());
        assertEquals(31, a.yearEndDay());
        StateException s = expect(StateException.class,
                () -> ledger.transfer(Posting.of("PTS", alice, 1).to(bob)));
        assertTrue(s.getMessage().contains("asset PTS: its points may not be transferred"));
        ledger.setAssetPolicy("PTS", AssetPolicy.defaults().transferLimit(100));
        ledger.transfer(Posting.of("PTS", alice, 80).to(bob));
        LimitException l = expect(LimitException.class,
                () -> ledger.transfer(Posting.of("PTS", alice, 21).to(bob)));
        assertTrue(l.getMessage().contains("100 a day, 80 transferred today, needs 21"));
        ledger.setClock(T0 + DAY);
        ledger.transfer(Posting.of("PTS", alice, 100).to(bob));
        expect(InvalidArgumentException.class,
                () -> ledger.setAssetPolicy("PTS", AssetPolicy.defaults().yearEnd(2, 29)));
        expect(InvalidArgumentException.class,
                () -> ledger.setAssetPolicy("PTS", AssetPolicy.defaults().transferLimit(-1)));
        expect(NotFoundException.class, () -> ledger.setAssetPolicy("NOPE", AssetPolicy.defaults()));
        assertEquals(100, ledger.getAsset("PTS").transferLimit());
    }

    /** Pools funded, awarding and defunded at random, against a model. */
    @Test
    public void randomPoolsMatchAModel() {
        Random rng = new Random(17);
        long[] pools = { pool, ledger.createPool("POOL:Ops", null) };
        long[] users = { alice, bob };
        long[] model = new long[2];
        for (int step = 0; step < 300; step++) {
            int p = rng.nextInt(2);
            long amount = 1 + rng.nextInt(100);
            boolean enough = model[p] >= amount;
            switch (rng.nextInt(3)) {
            case 0:
                ledger.fundPool(Posting.of("PTS", pools[p], amount));
                model[p] += amount;
                break;
            case 1:
                if (enough) {
                    ledger.earn(Posting.of("PTS", users[rng.nextInt(2)], amount).counterparty(pools[p]));
                    model[p] -= amount;
                } else {
                    expect(InsufficientPointsException.class, () -> ledger.earn(
                            Posting.of("PTS", alice, amount).counterparty(pools[p])));
                }
                break;
            default:
                if (enough) {
                    ledger.defundPool(Posting.of("PTS", pools[p], amount));
                    model[p] -= amount;
                } else {
                    expect(InsufficientPointsException.class,
                            () -> ledger.defundPool(Posting.of("PTS", pools[p], amount)));
                }
            }
            for (int i = 0; i < 2; i++)
                assertEquals("step " + step, model[i], ledger.getBalance(pools[i], "PTS").available());
        }
    }
}
