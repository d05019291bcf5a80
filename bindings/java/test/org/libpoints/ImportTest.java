package org.libpoints;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.libpoints.TestSupport.assertConsistent;
import static org.libpoints.TestSupport.expect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Imports: accounts and awards from CSV files, line by line or all or nothing. */
public class ImportTest {
    private Ledger ledger;
    private Path file;

    @Before
    public void setUp() throws IOException {
        ledger = TestSupport.memoryLedger();
        ledger.createAccount("E1001", "Alice");
        file = Files.createTempFile("points-import", ".csv");
    }

    @After
    public void tearDown() throws IOException {
        if (!ledger.isClosed()) {
            assertConsistent(ledger, "PTS");
            ledger.close();
        }
        Files.deleteIfExists(file);
    }

    private String csv(String text) throws IOException {
        Files.write(file, text.getBytes(StandardCharsets.UTF_8));
        return file.toString();
    }

    @Test
    public void accountsAreCreatedUpdatedOrLeftAlone() throws IOException {
        String path = csv("external_id,name,department\r\nE1001,Alice,R&D\r\n\"E2001\",\"Lee, \"\"Jr\"\"\",Sales\r\n");
        List<ImportLine> lines = ledger.importAccounts(path, false);
        assertEquals(2, lines.size());
        assertEquals(ImportOutcome.UPDATED, lines.get(0).outcome());
        assertEquals(ImportOutcome.CREATED, lines.get(1).outcome());
        assertEquals(3, lines.get(1).line());
        Account lee = ledger.findAccount("E2001");
        assertEquals(lee.id(), lines.get(1).account());
        assertEquals("Lee, \"Jr\"", lee.name());
        assertEquals("Sales", lee.department());
        for (ImportLine l : ledger.importAccounts(path, true))
            assertEquals(ImportOutcome.UNCHANGED, l.outcome());
    }

    @Test
    public void awardsReplayOnARerun() throws IOException {
        String path = csv("external_id,asset,amount,idempotency_key,category\nE1001,PTS,30,q1/a,training\n");
        List<ImportLine> lines = ledger.importAwards(path, false);
        assertEquals(ImportOutcome.APPLIED, lines.get(0).outcome());
        assertEquals("training", ledger.getTxn(lines.get(0).txnId()).category());
        assertEquals(ImportOutcome.REPLAYED, ledger.importAwards(path, false).get(0).outcome());
        assertEquals(30, ledger.getBalance(ledger.findAccount("E1001").id(), "PTS").available());
    }

    @Test
    public void aBadLineIsReportedWithItsColumn() throws IOException {
        String path = csv("external_id,asset,amount,idempotency_key\nE1001,PTS,10,a\nE9,PTS,10,b\n");
        List<ImportLine> lines = ledger.importAwards(path, false);
        assertTrue(lines.get(1).isRefused());
        assertEquals("external_id", lines.get(1).column());
        assertEquals(capiConstants.POINTS_ENOTFOUND, lines.get(1).code());
        assertEquals("line 3, column external_id: no account with external id \"E9\"", lines.get(1).toString());
        assertEquals(10, ledger.getBalance(ledger.findAccount("E1001").id(), "PTS").available());
    }

    @Test
    public void allOrNothingThrowsNamingEachBadLine() throws IOException {
        String path = csv("external_id,asset,amount,idempotency_key\nE1001,PTS,10,a\nE1001,PTS,x,b\n");
        InvalidArgumentException e = expect(InvalidArgumentException.class, () -> ledger.importAwards(path, true));
        assertTrue(e.getMessage(), e.getMessage().contains("1 of 2 lines refused, the first at line 3"));
        assertTrue(e.getMessage(), e.getMessage().contains("line 3, column amount: amount \"x\""));
        assertEquals(0, ledger.getBalance(ledger.findAccount("E1001").id(), "PTS").available());
        InvalidArgumentException h = expect(InvalidArgumentException.class,
                () -> ledger.importAccounts(csv("external_id,email\n"), false));
        assertTrue(h.getMessage(), h.getMessage().contains("unknown column \"email\""));
    }
}
