package org.libpoints;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.libpoints.TestSupport.T0;
import static org.libpoints.TestSupport.expect;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Every exception family, provoked through the API; each failing business
 * check leaves the balances as they were.
 */
public class ErrorsTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Ledger ledger;
    private long alice, bob;

    @Before
    public void setUp() {
        ledger = TestSupport.memoryLedger();
        alice = ledger.createAccount("C1001", "Alice");
        bob = ledger.createAccount("C1002", "Bob");
        ledger.earn(Posting.of("PTS", alice, 100));
    }

    @After
    public void tearDown() {
        ledger.close();
    }

    private void assertUnchanged() {
        assertEquals(new Balance(alice, "PTS", 100, 0, 100, 0, 0, 0, 0), ledger.getBalance(alice, "PTS"));
        assertEquals(0, ledger.getBalance(bob, "PTS").available());
        assertEquals("ok", ledger.verify().message());
    }

    @Test
    public void invalidArgument() {
        InvalidArgumentException e = expect(InvalidArgumentException.class,
                () -> ledger.earn(Posting.of("PTS", alice, -5)));
        assertEquals(capiConstants.POINTS_EINVAL, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("amount"));
        assertEquals(Ledger.strerror(-1), e.strerror());
        expect(InvalidArgumentException.class, () -> ledger.spend(Posting.of("PTS", alice, 0)));
        expect(InvalidArgumentException.class, () -> ledger.earn(null));
        expect(InvalidArgumentException.class, () -> ledger.reverse((Reversal) null));
        expect(InvalidArgumentException.class, () -> ledger.captureHold((Capture) null));
        expect(InvalidArgumentException.class, () -> ledger.releaseHold((Release) null));
        InvalidArgumentException bad = expect(InvalidArgumentException.class,
                () -> ledger.reverse(Reversal.of("not-a-uuid")));
        assertTrue(bad.getMessage(), bad.getMessage().contains("not a transaction id"));
        expect(InvalidArgumentException.class, () -> ledger.captureHold(Capture.of(null)));
        expect(InvalidArgumentException.class, () -> ledger.earn(Posting.of(null, alice, 1)));
        expect(InvalidArgumentException.class, () -> ledger.createAsset("lower case"));
        expect(InvalidArgumentException.class, () -> ledger.adjust(Posting.of("PTS", alice, 5)));
        expect(InvalidArgumentException.class,
                () -> ledger.createAccount("x".repeat(capiConstants.POINTS_EXTID_MAX + 1), null));
        expect(InvalidArgumentException.class, () -> ledger.getTxn("not-a-uuid"));
        /* C strings cannot hold NUL: refused before the call */
        InvalidArgumentException nul = expect(InvalidArgumentException.class,
                () -> ledger.createAccount("a\0b", null));
        assertEquals(capiConstants.POINTS_EINVAL, nul.code());
        expect(InvalidArgumentException.class, () -> Posting.of("PTS", alice, 1).memo("a\0b"));
        expect(InvalidArgumentException.class, () -> Ledger.open("nosuchscheme:x"));
        assertUnchanged();
    }

    @Test
    public void notFound() {
        NotFoundException e = expect(NotFoundException.class, () -> ledger.getAccount(999));
        assertEquals(capiConstants.POINTS_ENOTFOUND, e.code());
        expect(NotFoundException.class, () -> ledger.findAccount("nobody"));
        expect(NotFoundException.class, () -> ledger.getAsset("NOPE"));
        expect(NotFoundException.class, () -> ledger.earn(Posting.of("NOPE", alice, 1)));
        expect(NotFoundException.class, () -> ledger.earn(Posting.of("PTS", 999, 1)));
        expect(NotFoundException.class, () -> ledger.getTxn("01900000-0000-7000-8000-000000000000"));
        expect(NotFoundException.class, () -> ledger.getHold("01900000-0000-7000-8000-000000000000"));
        expect(NotFoundException.class, () -> ledger.getAttribute(alice, "none"));
        assertUnchanged();
    }

    @Test
    public void alreadyExists() {
        AlreadyExistsException e = expect(AlreadyExistsException.class,
                () -> ledger.createAccount("C1001", "Alice again"));
        assertEquals(capiConstants.POINTS_EEXISTS, e.code());
        expect(AlreadyExistsException.class, () -> ledger.createAsset("PTS"));
        assertEquals("Alice", ledger.findAccount("C1001").name());
        assertUnchanged();
    }

    @Test
    public void insufficientPoints() {
        InsufficientPointsException e = expect(InsufficientPointsException.class,
                () -> ledger.spend(Posting.of("PTS", alice, 101)));
        assertEquals(capiConstants.POINTS_EINSUFFICIENT, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("C1001"));
        expect(InsufficientPointsException.class,
                () -> ledger.transfer(Posting.of("PTS", alice, 500).to(bob)));
        expect(InsufficientPointsException.class,
                () -> ledger.createHold(Posting.of("PTS", alice, 101)));
        assertUnchanged();
    }

    @Test
    public void frozen() {
        ledger.freezeAccount(alice);
        FrozenException e = expect(FrozenException.class, () -> ledger.spend(Posting.of("PTS", alice, 10)));
        assertEquals(capiConstants.POINTS_EFROZEN, e.code());
        expect(FrozenException.class, () -> ledger.earn(Posting.of("PTS", alice, 10)));
        expect(FrozenException.class, () -> ledger.transfer(Posting.of("PTS", alice, 10).to(bob)));
        ledger.unfreezeAccount(alice);
        assertUnchanged();
    }

    @Test
    public void conflict() {
        ledger.spend(Posting.of("PTS", alice, 10).idempotencyKey("order-1"));
        ConflictException e = expect(ConflictException.class,
                () -> ledger.spend(Posting.of("PTS", alice, 20).idempotencyKey("order-1")));
        assertEquals(capiConstants.POINTS_ECONFLICT, e.code());
        assertEquals(90, ledger.getBalance(alice, "PTS").available());
    }

    @Test
    public void emptyIdempotencyKeyIsRefused() {
        InvalidArgumentException e = expect(InvalidArgumentException.class,
                () -> ledger.spend(Posting.of("PTS", alice, 10).idempotencyKey("")));
        assertTrue(e.getMessage(), e.getMessage().contains("idempotency key is empty"));
        assertEquals(100, ledger.getBalance(alice, "PTS").available());
    }

    @Test
    public void overflow() {
        OverflowException e = expect(OverflowException.class,
                () -> ledger.earn(Posting.of("PTS", alice, Long.MAX_VALUE)));
        assertEquals(capiConstants.POINTS_EOVERFLOW, e.code());
        expect(OverflowException.class, () -> {
            ledger.earn(Posting.of("PTS", bob, Long.MAX_VALUE - 100));
            ledger.earn(Posting.of("PTS", bob, Long.MAX_VALUE - 100));
        });
        assertEquals(Long.MAX_VALUE - 100, ledger.getBalance(bob, "PTS").available());
        assertEquals(100, ledger.getBalance(alice, "PTS").available());
    }

    @Test
    public void state() {
        Hold h = ledger.createHold(Posting.of("PTS", alice, 30));
        h.release();
        StateException e = expect(StateException.class, () -> h.capture());
        assertEquals(capiConstants.POINTS_ESTATE, e.code());
        expect(StateException.class, () -> h.release());
        expect(StateException.class, () -> ledger.captureHold(h.id(), 0, 0, null));
        assertUnchanged();
    }

    @Test
    public void accountClosed() {
        long carol = ledger.createAccount("C1003", "Carol");
        ledger.closeAccount(carol);
        AccountClosedException e = expect(AccountClosedException.class,
                () -> ledger.earn(Posting.of("PTS", carol, 10)));
        assertEquals(capiConstants.POINTS_ECLOSED, e.code());
        expect(AccountClosedException.class, () -> ledger.transfer(Posting.of("PTS", alice, 10).to(carol)));
        assertEquals(0, ledger.getBalance(carol, "PTS").available());
        assertUnchanged();
    }

    @Test
    public void closingANonEmptyAccountIsRefused() {
        PointsException e = expect(StateException.class, () -> ledger.closeAccount(alice));
        assertTrue(e.getMessage(), e.getMessage().contains("C1001"));
        assertEquals(AccountStatus.ACTIVE, ledger.getAccount(alice).status());
        assertUnchanged();
    }

    @Test
    public void misuse() {
        MisuseException e = expect(MisuseException.class, () -> ledger.commit());
        assertEquals(capiConstants.POINTS_EMISUSE, e.code());
        expect(MisuseException.class, () -> ledger.rollback());
        ledger.begin();
        expect(MisuseException.class, () -> ledger.begin());
        ledger.rollback();
        Batch b = ledger.batch();
        b.commit();
        expect(MisuseException.class, () -> b.commit());
        assertUnchanged();
    }

    @Test
    public void storageFailureViaFaultStore() {
        try (Store mem = Store.open("memory:"); FaultStore faulty = Store.fault(mem);
                Ledger l = Ledger.open(faulty)) {
            l.createAsset("PTS");
            long a = l.createAccount("C1", "Alice");
            l.earn(Posting.of("PTS", a, 100));
            Balance before = l.getBalance(a, "PTS");
            for (long n = 1;; n++) {
                faulty.arm(n, false);
                try {
                    l.spend(Posting.of("PTS", a, 30));
                    break;
                } catch (StorageException e) {
                    assertEquals(capiConstants.POINTS_ESTORAGE, e.code());
                    assertEquals(1, faulty.failures());
                    faulty.disarm();
                    assertEquals("call " + n, before, l.getBalance(a, "PTS"));
                }
            }
            faulty.disarm();
            assertEquals(70, l.getBalance(a, "PTS").available());
            faulty.arm(1, true);
            expect(StorageException.class, () -> l.earn(Posting.of("PTS", a, 5)));
            expect(StorageException.class, () -> l.earn(Posting.of("PTS", a, 5)));
            assertTrue(faulty.failures() >= 2);
            faulty.disarm();
            assertEquals(70, l.getBalance(a, "PTS").available());
            assertEquals("ok", l.verify().message());
            /* calls per method: a spend is one transaction, and reads
             * what it needs, the log's last entry too, in one read_many
             * (the memory store has it) */
            faulty.disarm();
            l.spend(Posting.of("PTS", a, 1));
            assertEquals(1, faulty.methodCalls("begin"));
            assertEquals(1, faulty.methodCalls("read_many"));
            assertEquals(0, faulty.methodCalls("get_many"));
            assertEquals(0, faulty.methodCalls("get"));
            assertEquals(1, faulty.methodCalls("commit"));
            assertTrue(faulty.methodCalls("put") >= 3);
            expect(InvalidArgumentException.class, () -> faulty.methodCalls("nosuch"));
        }
    }

    @Test
    public void storageFailureInsideABatchUndoesOnlyTheOperation() {
        boolean sawRollback = false;
        for (int persistent = 0; persistent < 2; persistent++) {
            for (long n = 1;; n++) {
                try (Store mem = Store.open("memory:"); FaultStore faulty = Store.fault(mem);
                        Ledger l = Ledger.open(faulty)) {
                    l.createAsset("PTS");
                    long a = l.createAccount("C1", "Alice");
                    try (Batch b = l.batch()) {
                        l.earn(Posting.of("PTS", a, 10));
                        faulty.arm(n, persistent == 1);
                        try {
                            l.earn(Posting.of("PTS", a, 5));
                        } catch (StorageException e) {
                            faulty.disarm();
                            try {
                                l.earn(Posting.of("PTS", a, 1));
                                b.commit();
                                /* undone alone: the batch went on */
                                assertEquals(11, l.getBalance(a, "PTS").available());
                            } catch (StateException rolledBack) {
                                /* undoing it failed too: the batch is gone */
                                assertEquals(1, persistent);
                                sawRollback = true;
                                assertEquals(0, l.getBalance(a, "PTS").available());
                            }
                            assertEquals("ok", l.verify().message());
                            continue;
                        }
                        faulty.disarm();
                        b.commit();
                        assertEquals(15, l.getBalance(a, "PTS").available());
                    }
                    break;
                }
            }
        }
        assertTrue("a failed undo lost the batch", sawRollback);
    }

    @Test
    public void busy() throws Exception {
        String uri = "sqlite:" + new File(tmp.getRoot(), "busy.db").getPath();
        try (Ledger a = Ledger.open(uri); Ledger b = Ledger.open(uri + "?busy_timeout=20")) {
            a.createAsset("PTS");
            long id = a.createAccount("C1", "Alice");
            try (Batch batch = a.batch()) { /* holds the write lock */
                a.earn(Posting.of("PTS", id, 100));
                BusyException e = expect(BusyException.class, () -> b.earn(Posting.of("PTS", id, 1)));
                assertEquals(capiConstants.POINTS_EBUSY, e.code());
                batch.commit();
            }
            assertEquals(100, b.getBalance(id, "PTS").available());
        }
    }

    @Test
    public void corrupt() throws Exception {
        File f = new File(tmp.getRoot(), "tamper.db");
        String uri = "sqlite:" + f.getPath();
        try (Ledger l = Ledger.open(uri)) {
            l.createAsset("PTS");
            long a = l.createAccount("C1", "Alice");
            l.earn(Posting.of("PTS", a, 100).memo("TAMPER-ME-AAAA"));
            l.earn(Posting.of("PTS", a, 5).memo("later"));
        }
        /* Edit the memo inside the entry record: SQLite does not notice,
         * the hash chain does. */
        byte[] b = Files.readAllBytes(f.toPath());
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int at = s.indexOf("TAMPER-ME-AAAA");
        assertTrue("memo found in the file", at >= 0);
        b[at + 13] = 'B';
        Files.write(f.toPath(), b);
        try (Ledger l = Ledger.open(uri)) {
            CorruptException e = expect(CorruptException.class, () -> l.verify());
            assertEquals(capiConstants.POINTS_ECORRUPT, e.code());
            assertNotNull(e.report());
            assertEquals(1, e.report().badSeq());
            assertTrue(e.report().message(), e.getMessage().contains(e.report().message()));
        }
    }

    @Test
    public void everyCodeMapsToItsClass() {
        Class<?>[] byCode = {
            null, InvalidArgumentException.class, NotFoundException.class, AlreadyExistsException.class,
            InsufficientPointsException.class, FrozenException.class, ConflictException.class,
            OverflowException.class, BusyException.class, StorageException.class,
            OutOfMemoryException.class, StateException.class, AccountClosedException.class,
            VersionException.class, CorruptException.class, MisuseException.class,
            RetryException.class, LimitException.class, PermissionException.class,
            OutOfStockException.class, NotEligibleException.class, QuotaExceededException.class,
            WindowClosedException.class,
        };
        for (int i = 1; i < byCode.length; i++) {
            PointsException e = PointsException.of(-i, "m" + i);
            assertSame(byCode[i], e.getClass());
            assertEquals(-i, e.code());
            assertEquals("m" + i, e.getMessage());
            assertEquals(Ledger.strerror(-i), e.strerror());
            assertTrue(e instanceof RuntimeException);
        }
        assertSame(PointsException.class, PointsException.of(-99, "future").getClass());
        assertNull(new CorruptException("x").report());
        assertEquals(capiConstants.POINTS_ENOMEM, new OutOfMemoryException("x").code());
        assertEquals(capiConstants.POINTS_EVERSION, new VersionException("x").code());
        assertTrue(new LedgerClosedException("x") instanceof MisuseException);
        assertEquals(capiConstants.POINTS_ERETRY, new RetryException("x").code());
        assertEquals(capiConstants.POINTS_ELIMIT, new LimitException("x").code());
        assertEquals(capiConstants.POINTS_EPERM, new PermissionException("x").code());
    }

    @Test
    public void limit() {
        for (int i = 0; i < 64; i++)
            ledger.setAttribute(alice, "k" + i, "v");
        LimitException e = expect(LimitException.class,
                () -> ledger.setAttribute(alice, "one-too-many", "v"));
        assertEquals(capiConstants.POINTS_ELIMIT, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("at most 64 attributes"));
        expect(NotFoundException.class, () -> ledger.getAttribute(alice, "one-too-many"));
        ledger.setAttribute(alice, "k7", "replacing is fine");
        assertUnchanged();
    }

    @Test
    public void openFailureCarriesTheHandleMessage() throws Exception {
        File dir = tmp.newFolder("d");
        InvalidArgumentException e = expect(InvalidArgumentException.class,
                () -> Ledger.open("sqlite:" + dir.getPath() + "?sync=sometimes"));
        assertTrue(e.getMessage(), e.getMessage().contains("sync"));
        StorageException s = expect(StorageException.class,
                () -> Ledger.open("sqlite:" + dir.getPath() + "/no/such/dir/x.db"));
        assertTrue(s.getMessage(), s.getMessage().length() > 0);
    }

    @Test
    public void timeBeforeExpiry() {
        expect(InvalidArgumentException.class,
                () -> ledger.earn(Posting.of("PTS", bob, 1).time(T0).expiresAt(T0 - 10)));
        assertUnchanged();
    }
}
