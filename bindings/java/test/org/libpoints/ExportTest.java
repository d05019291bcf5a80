package org.libpoints;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.libpoints.TestSupport.T0;
import static org.libpoints.TestSupport.assertConsistent;
import static org.libpoints.TestSupport.expect;
import static org.libpoints.TestSupport.list;

import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Exports: the ledger's entries as CSV and JSON lines. */
public class ExportTest {
    private Ledger ledger;
    private long alice;
    private Txn earn;

    @Before
    public void setUp() {
        ledger = TestSupport.memoryLedger();
        alice = ledger.createAccount("C1001", "Alice");
        earn = ledger.earn(Posting.of("PTS", alice, 100).memo("Gr\u00fc\u00dfe, \"all\""));
    }

    @After
    public void tearDown() {
        if (!ledger.isClosed()) {
            assertConsistent(ledger, "PTS");
            ledger.close();
        }
    }

    @Test
    public void csvHasTheHeaderThenAQuotedLinePerEntry() {
        List<String> lines = list(ledger.export(ExportFormat.CSV, 0, 0));
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).startsWith("seq,txn_id,time,time_utc,type,asset,"));
        assertTrue(lines.get(0).endsWith(",debt,repaid\r\n"));
        String want = "1," + earn.id() + "," + earn.time() + ",";
        assertTrue(lines.get(1), lines.get(1).startsWith(want));
        assertTrue(lines.get(1), lines.get(1).contains(
                ",C1001,100,,\"Gr\u00fc\u00dfe, \"\"all\"\"\",,,0,0\r\n"));
    }

    @Test
    public void journalAssertsTheBalances() {
        String all = String.join("", list(ledger.export(ExportFormat.JOURNAL, 0, 0)));
        assertTrue(all, all.contains("    user:" + alice + ":available  0 PTS = 100 PTS\n"));
        expect(InvalidArgumentException.class, () -> ledger.export(ExportFormat.JOURNAL, T0, 0).iterator().hasNext());
    }

    @Test
    public void jsonlPeriodLeavesOutItsEnd() {
        assertEquals(1, list(ledger.export(ExportFormat.JSONL, T0, T0 + 1)).size());
        assertEquals(0, list(ledger.export(ExportFormat.JSONL, T0 + 1, 0)).size());
        expect(InvalidArgumentException.class, () -> ledger.export(ExportFormat.JSONL, 5, 1).iterator().hasNext());
    }
}
