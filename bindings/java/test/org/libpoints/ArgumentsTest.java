package org.libpoints;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.libpoints.TestSupport.expect;

import java.io.File;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A String holding NUL never reaches C, where it would be cut there
 * ("E1001\0x" would find E1001): every String of the API is refused with
 * InvalidArgumentException, before the call, and nothing changes.
 */
public class ArgumentsTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Ledger ledger;
    private long alice;
    private Txn earned;
    private Hold hold;

    @Before
    public void setUp() {
        ledger = TestSupport.memoryLedger();
        alice = ledger.createAccount("E1001", "Alice");
        ledger.setAttribute(alice, "site", "Shenzhen");
        earned = ledger.earn(Posting.of("PTS", alice, 100));
        hold = ledger.createHold(Posting.of("PTS", alice, 10));
    }

    @After
    public void tearDown() {
        hold.close();
        ledger.close();
    }

    private void refused(String name, TestSupport.Action a) {
        long entries = ledger.verify().entries();
        InvalidArgumentException e = expect(InvalidArgumentException.class, a);
        assertEquals(capiConstants.POINTS_EINVAL, e.code());
        assertTrue(e.getMessage(), e.getMessage().contains("NUL"));
        if (name != null)
            assertTrue(e.getMessage(), e.getMessage().contains(name));
        assertEquals(entries, ledger.verify().entries());
        assertEquals(90, ledger.getBalance(alice, "PTS").available());
    }

    @Test
    public void findAccountDoesNotStopAtNul() {
        refused("external_id", () -> ledger.findAccount("E1001\0x"));
        assertEquals(alice, ledger.findAccount("E1001").id());
    }

    @Test
    public void nulRefusedInEveryString() {
        String id = earned.id(), h = hold.id();
        refused("code", () -> ledger.createAsset("P\0X"));
        refused("code", () -> ledger.getAsset("PTS\0"));
        refused("external_id", () -> ledger.createAccount("E9\0", "x"));
        refused("name", () -> ledger.createAccount("E9", "Li\0Wei"));
        refused("name", () -> ledger.updateAccount(alice, "A\0", null, null));
        refused("tier", () -> ledger.updateAccount(alice, null, "gold\0", null));
        refused("department", () -> ledger.updateAccount(alice, null, null, "R\0D"));
        refused("key", () -> ledger.setAttribute(alice, "si\0te", "v"));
        refused("value", () -> ledger.setAttribute(alice, "site", "Shen\0zhen"));
        refused("key", () -> ledger.getAttribute(alice, "site\0"));
        refused("key", () -> ledger.removeAttribute(alice, "site\0"));
        refused("asset", () -> ledger.getBalance(alice, "PTS\0"));
        refused(null, () -> ledger.earn(Posting.of("PTS\0", alice, 1)));
        refused(null, () -> ledger.earn(Posting.of("PTS", alice, 1).memo("m\0")));
        refused(null, () -> ledger.earn(Posting.of("PTS", alice, 1).idempotencyKey("k\0")));
        refused(null, () -> ledger.reverse(Reversal.of(id + "\0")));
        refused(null, () -> ledger.reverse(Reversal.of(id).memo("m\0")));
        refused(null, () -> ledger.reverse(Reversal.of(id).idempotencyKey("k\0")));
        refused(null, () -> ledger.reverse(id, "m\0"));
        refused("txn_id", () -> ledger.getTxn(id + "\0"));
        refused("asset", () -> TestSupport.list(ledger.statement(alice, "PTS\0")));
        refused("asset", () -> TestSupport.list(ledger.lots(alice, "PTS\0")));
        refused("hold_id", () -> ledger.getHold(h + "\0"));
        refused(null, () -> ledger.captureHold(Capture.of(h + "\0")));
        refused(null, () -> ledger.captureHold(Capture.of(h).memo("m\0")));
        refused(null, () -> ledger.captureHold(Capture.of(h).idempotencyKey("k\0")));
        refused(null, () -> hold.capture(1, 0, "m\0"));
        refused(null, () -> ledger.releaseHold(Release.of(h + "\0")));
        refused(null, () -> ledger.releaseHold(Release.of(h).memo("m\0")));
        refused(null, () -> ledger.releaseHold(Release.of(h).idempotencyKey("k\0")));
        refused(null, () -> hold.release("m\0"));
    }

    @Test
    public void nulRefusedInUris() throws Exception {
        File f = new File(tmp.getRoot(), "l.db");
        refused("uri", () -> Ledger.open("sqlite:" + f + "\0.bak"));
        refused("uri", () -> Store.open("sqlite:" + f + "\0x"));
        refused("uri", () -> Ledger.open("memory:\0"));
        assertFalse(f.exists());
    }
}
