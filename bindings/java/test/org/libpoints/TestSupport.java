package org.libpoints;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;

/** Helpers shared by the suites. */
final class TestSupport {
    /** 2025-03-01T00:00:00Z */
    static final long T0 = 1740787200L;
    static final long DAY = 86400L;

    private TestSupport() {
    }

    interface Action {
        void run() throws Exception;
    }

    /** Run a, expect exactly type (not merely a supertype), return it. */
    static <T extends Throwable> T expect(Class<T> type, Action a) {
        try {
            a.run();
        } catch (Throwable t) {
            if (t.getClass() != type)
                throw new AssertionError("expected " + type.getSimpleName() + ", got " + t, t);
            return type.cast(t);
        }
        fail("expected " + type.getSimpleName() + ", nothing thrown");
        return null;
    }

    /** A memory ledger with its clock at T0 and asset PTS (never expires). */
    static Ledger memoryLedger() {
        Ledger l = Ledger.open("memory:", new Ledger.Options().clock(T0));
        l.createAsset("PTS");
        return l;
    }

    static <T> List<T> list(Iterable<T> it) {
        List<T> all = new ArrayList<>();
        for (T t : it)
            all.add(t);
        return all;
    }

    /** Every asset's balances over the given accounts sum to zero, and the ledger verifies. */
    static void assertConsistent(Ledger l, String asset) {
        long sum = 0;
        for (Account a : l.accounts()) {
            Balance b = l.getBalance(a.id(), asset);
            /* a debt is owed; pending points are the account's */
            sum += b.available() + b.pending() + b.held() - b.debt();
            if (!a.allowsNegative())
                assertTrue("negative balance of " + a.externalId(), b.available() >= 0);
        }
        assertEquals("balances of " + asset + " sum to zero", 0, sum);
        assertEquals("ok", l.verify().message());
    }

    /** Force several garbage collections so Cleaner actions run. */
    static void collectGarbage() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
        }
    }
}
