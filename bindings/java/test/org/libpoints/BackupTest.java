package org.libpoints;

import static org.junit.Assert.assertEquals;
import static org.libpoints.TestSupport.T0;
import static org.libpoints.TestSupport.expect;

import java.io.File;
import java.nio.file.Files;

import org.junit.Test;

/** Backups of SQLite ledgers, and restores. */
public class BackupTest {
    @Test
    public void backupThenRestore() throws Exception {
        File dir = Files.createTempDirectory("points-backup").toFile();
        String uri = "sqlite:" + new File(dir, "live.db").getPath();
        String copy = new File(dir, "copy.db").getPath();
        Ledger l = Ledger.open(uri, new Ledger.Options().clock(T0));
        l.createAsset("PTS");
        long a = l.createAccount("C1", "Ann");
        l.earn(Posting.of("PTS", a, 100));
        l.backup(copy);
        expect(AlreadyExistsException.class, () -> l.backup(copy));
        l.spend(Posting.of("PTS", a, 60));
        l.close();
        Ledger r = Ledger.restore(copy, uri, new Ledger.Options().clock(T0));
        assertEquals(100, r.getBalance(a, "PTS").available());
        r.close();
        Ledger m = TestSupport.memoryLedger();
        expect(InvalidArgumentException.class, () -> m.backup(copy + "x"));
        m.close();
        for (File f : dir.listFiles())
            f.delete();
        dir.delete();
    }
}
