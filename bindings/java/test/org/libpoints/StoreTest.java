package org.libpoints;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.libpoints.TestSupport.collectGarbage;
import static org.libpoints.TestSupport.expect;

import java.io.File;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Stores, the fault wrapper, and their closing order. */
public class StoreTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void ledgerOverAnSqliteStore() {
        String uri = "sqlite:" + new File(tmp.getRoot(), "s.db").getPath();
        try (Store s = Store.open(uri)) {
            try (Ledger l = Ledger.open(s)) {
                l.createAsset("PTS");
                long a = l.createAccount("C1", "Alice");
                l.earn(Posting.of("PTS", a, 12));
            }
            try (Ledger l = Ledger.open(s)) { /* the store outlives a ledger */
                assertEquals(12, l.getBalance(l.findAccount("C1").id(), "PTS").available());
            }
        }
        try (Ledger l = Ledger.open(uri)) {
            assertEquals(12, l.getBalance(l.findAccount("C1").id(), "PTS").available());
        }
    }

    @Test
    public void storeClosesAfterItsLedgers() {
        Store s = Store.open("memory:");
        Ledger l = Ledger.open(s, new Ledger.Options().clock(TestSupport.T0));
        l.createAsset("PTS");
        MisuseException e = expect(MisuseException.class, () -> s.close());
        assertTrue(e.getMessage(), e.getMessage().contains("ledger"));
        assertFalse(s.isClosed());
        l.createAccount("C1", "still works"); /* the refused close changed nothing */
        l.close();
        s.close();
        assertTrue(s.isClosed());
        s.close(); /* twice: no-op */
        expect(MisuseException.class, () -> Ledger.open(s));
        expect(MisuseException.class, () -> Store.fault(s));
    }

    @Test
    public void faultStoreClosesBeforeItsInner() {
        Store mem = Store.open("memory:");
        FaultStore f = Store.fault(mem);
        expect(MisuseException.class, () -> mem.close());
        Ledger l = Ledger.open(f);
        expect(MisuseException.class, () -> f.close());
        l.close();
        f.close();
        expect(MisuseException.class, () -> f.arm(1, false));
        expect(MisuseException.class, () -> f.calls());
        mem.close();
    }

    @Test
    public void faultCountsCallsAndFailures() {
        try (Store mem = Store.open("memory:"); FaultStore f = Store.fault(mem); Ledger l = Ledger.open(f)) {
            l.createAsset("PTS");
            long a = l.createAccount("C1", "Alice");
            f.arm(0, false);
            assertEquals(0, f.calls());
            l.earn(Posting.of("PTS", a, 5));
            long perEarn = f.calls();
            assertTrue(perEarn > 0);
            assertEquals(0, f.failures());
            f.arm(10_000, false); /* beyond one earn: nothing fails */
            l.earn(Posting.of("PTS", a, 5));
            assertTrue(f.calls() > 0 && f.calls() < 10_000);
            assertEquals(0, f.failures());
            f.arm(2, true);
            expect(StorageException.class, () -> l.getBalance(a, "PTS").available());
            expect(StorageException.class, () -> l.spend(Posting.of("PTS", a, 1)));
            assertTrue(f.failures() >= 2);
            f.disarm();
            assertEquals(10, l.getBalance(a, "PTS").available());
            expect(InvalidArgumentException.class, () -> f.arm(-1, false));
        }
    }

    @Test
    public void iteratorStepFailsAndRetries() {
        try (Store mem = Store.open("memory:"); FaultStore f = Store.fault(mem); Ledger l = Ledger.open(f)) {
            LedgerIterator<Account> it = l.accounts().iterator();
            f.arm(1, false);
            expect(StorageException.class, () -> it.hasNext());
            assertTrue(it.hasNext()); /* the retry starts where it was */
            assertEquals(Account.ISSUER, it.next().id());
            it.close();
        }
    }

    @Test
    public void unclosedStoresAndLedgersAreCollectedInAnyOrder() throws Exception {
        for (int i = 0; i < 50; i++) {
            Store mem = Store.open("memory:");
            FaultStore f = Store.fault(mem);
            Ledger l = Ledger.open(f);
            l.batch(); /* an open transaction that closing must roll back through the stores */
            l.createAsset("PTS");
            l.accounts().iterator().hasNext();
        }
        collectGarbage();
        try (Store mem = Store.open("memory:"); Ledger l = Ledger.open(mem)) {
            assertEquals(3, l.accounts().toList().size());
        }
    }
}
