package org.libpoints;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** One Ledger per thread on one SQLite file: no write is lost. */
public class ConcurrencyTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void threadsEachWithTheirOwnLedger() throws Exception {
        String uri = "sqlite:" + new File(tmp.getRoot(), "shared.db").getPath() + "?busy_timeout=30000";
        final int threads = 6, perThread = 150;
        long shared;
        try (Ledger l = Ledger.open(uri)) {
            l.createAsset("PTS");
            shared = l.createAccount("pool", "Shared");
            for (int t = 0; t < threads; t++)
                l.createAccount("T" + t, "Thread " + t);
            l.earn(Posting.of("PTS", shared, 1_000_000));
        }
        final long pool = shared;
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final int n = t;
            Thread w = new Thread(() -> {
                try (Ledger l = Ledger.open(uri)) {
                    long me = l.findAccount("T" + n).id();
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        l.earn(Posting.of("PTS", me, 10).idempotencyKey("earn-" + n + "-" + i));
                        l.transfer(Posting.of("PTS", pool, 1).to(me));
                        if (i % 3 == 0)
                            l.spend(Posting.of("PTS", me, 2));
                        if (i % 50 == 0)
                            l.statement(me, "PTS").toList();
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            workers.add(w);
            w.start();
        }
        start.countDown();
        for (Thread w : workers)
            w.join();
        assertTrue("errors: " + errors, errors.isEmpty());
        try (Ledger l = Ledger.open(uri)) {
            long spends = (perThread + 2) / 3;
            for (int t = 0; t < threads; t++) {
                Balance b = l.getBalance(l.findAccount("T" + t).id(), "PTS");
                assertEquals(perThread * 11L - spends * 2, b.available());
            }
            assertEquals(1_000_000 - threads * perThread, l.getBalance(pool, "PTS").available());
            assertEquals(threads * spends * 2, l.getBalance(Account.SINK, "PTS").available());
            TestSupport.assertConsistent(l, "PTS");
        }
    }

    @Test
    public void aSharedLedgerTakesOneCallAtATime() throws Exception {
        try (Ledger l = TestSupport.memoryLedger()) {
            long a = l.createAccount("C1", "Alice");
            List<Thread> workers = new ArrayList<>();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            for (int t = 0; t < 4; t++) {
                Thread w = new Thread(() -> {
                    try {
                        for (int i = 0; i < 500; i++) {
                            l.earn(Posting.of("PTS", a, 2));
                            l.spend(Posting.of("PTS", a, 1));
                            if (i % 100 == 0)
                                for (Entry e : l.statement(a, "PTS"))
                                    assertTrue(e.seq() > 0);
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                });
                workers.add(w);
                w.start();
            }
            for (Thread w : workers)
                w.join();
            assertTrue("errors: " + errors, errors.isEmpty());
            assertEquals(4 * 500, l.getBalance(a, "PTS").available());
            assertEquals("ok", l.verify().message());
        }
    }

    @Test
    public void closeRacingWithCallsNeverCrashes() throws Exception {
        for (int round = 0; round < 20; round++) {
            Ledger l = TestSupport.memoryLedger();
            long a = l.createAccount("C1", "Alice");
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            Thread w = new Thread(() -> {
                try {
                    LedgerIterator<Account> it = l.accounts().iterator();
                    for (;;) {
                        l.earn(Posting.of("PTS", a, 1));
                        it.hasNext();
                    }
                } catch (LedgerClosedException expected) {
                    /* the other thread closed it */
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            w.start();
            Thread.sleep(2);
            l.close();
            w.join();
            assertTrue("errors: " + errors, errors.isEmpty());
        }
    }
}
