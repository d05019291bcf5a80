package org.libpoints;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.libpoints.TestSupport.T0;
import static org.libpoints.TestSupport.expect;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Chain heads kept outside the ledger, and what verification against them finds. */
public class VerifyTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Ledger ledger;
    private long alice;

    @Before
    public void setUp() {
        ledger = TestSupport.memoryLedger();
        alice = ledger.createAccount("C1001", "Alice");
    }

    @After
    public void tearDown() {
        ledger.close();
    }

    @Test
    public void headOfAnEmptyLogIsZeros() {
        ChainHead h = ledger.chainHead();
        assertEquals(0, h.partition());
        assertEquals(0, h.seq());
        assertEquals("0".repeat(64), h.hash());
        assertEquals("ok", ledger.verify(h).message());
    }

    @Test
    public void anOlderHeadStillHoldsAsTheLogGrows() {
        ledger.earn(Posting.of("PTS", alice, 10));
        ChainHead first = ledger.chainHead();
        assertEquals(1, first.seq());
        assertTrue(first.hash().matches("[0-9a-f]{64}"));
        ledger.earn(Posting.of("PTS", alice, 10));
        ChainHead now = ledger.chainHead();
        assertNotEquals(first.hash(), now.hash());
        assertEquals(2, ledger.verify(first).entries());
        assertEquals(2, ledger.verify(now).entries());
        assertEquals(2, ledger.verify(new ChainHead[0]).entries());
    }

    @Test
    public void headsOfALogInOnePartitionAreItsHead() {
        assertArrayEquals(new ChainHead[] {ledger.chainHead()}, ledger.chainHeads());
        ledger.earn(Posting.of("PTS", alice, 10));
        ChainHead[] heads = ledger.chainHeads();
        assertEquals(1, heads.length);
        assertEquals(ledger.chainHead(), heads[0]);
        assertEquals(1, heads[0].seq());
        assertEquals(1, ledger.verify(heads).entries());
    }

    @Test
    public void headsKeptInsideABatchRolledBackFindItMissing() {
        ledger.earn(Posting.of("PTS", alice, 10));
        ledger.begin();
        ledger.earn(Posting.of("PTS", alice, 5));
        ChainHead[] kept = ledger.chainHeads();
        ledger.rollback();
        assertEquals(2, kept[0].seq());
        CorruptException e = expect(CorruptException.class, () -> ledger.verify(kept));
        assertEquals(2, e.report().badSeq());
        assertEquals(1, ledger.verify(ledger.chainHeads()).entries());
    }

    @Test
    public void aHeadPastTheLogIsCorrupt() {
        ledger.earn(Posting.of("PTS", alice, 10));
        ChainHead h = ledger.chainHead();
        CorruptException e = expect(CorruptException.class,
                () -> ledger.verify(new ChainHead(0, 4, h.hash())));
        assertEquals(4, e.report().badSeq());
        assertTrue(e.report().message(), e.report().message().contains("older copy"));
    }

    @Test
    public void malformedHeadsAreInvalid() {
        ledger.earn(Posting.of("PTS", alice, 10));
        ChainHead h = ledger.chainHead();
        expect(InvalidArgumentException.class,
                () -> ledger.verify(new ChainHead(1, h.seq(), h.hash())));
        expect(InvalidArgumentException.class,
                () -> ledger.verify(new ChainHead(0, -1, h.hash())));
        expect(InvalidArgumentException.class,
                () -> ledger.verify(new ChainHead(0, h.seq(), h.hash().toUpperCase())));
        expect(InvalidArgumentException.class,
                () -> ledger.verify(new ChainHead(0, h.seq(), h.hash() + "0")));
        expect(InvalidArgumentException.class,
                () -> ledger.verify(new ChainHead(0, h.seq(), (String) null)));
        expect(InvalidArgumentException.class, () -> ledger.verify(h, h));
        expect(InvalidArgumentException.class, () -> ledger.verify(h, null));
    }

    /** The file replaced by an older copy of itself: only the kept head shows it. */
    @Test
    public void anOlderCopyOfTheFileIsFoundWithAKeptHead() throws IOException {
        File f = new File(tmp.getRoot(), "shop.db");
        File old = new File(tmp.getRoot(), "shop.db.old");
        String uri = "sqlite:" + f.getPath();
        ChainHead head;
        try (Ledger l = Ledger.open(uri, new Ledger.Options().clock(T0))) {
            l.createAsset("PTS");
            long a = l.createAccount("C1", "A");
            l.earn(Posting.of("PTS", a, 100));
        }
        Files.copy(f.toPath(), old.toPath());
        try (Ledger l = Ledger.open(uri, new Ledger.Options().clock(T0))) {
            long a = l.findAccount("C1").id();
            l.spend(Posting.of("PTS", a, 60));
            head = l.chainHead();
        }
        Files.copy(old.toPath(), f.toPath(), StandardCopyOption.REPLACE_EXISTING);
        try (Ledger l = Ledger.open(uri, new Ledger.Options().clock(T0))) {
            assertEquals("ok", l.verify().message());
            CorruptException e = expect(CorruptException.class, () -> l.verify(head));
            assertEquals(head.seq(), e.report().badSeq());
        }
    }
}
