package org.libpoints;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.libpoints.TestSupport.DAY;
import static org.libpoints.TestSupport.T0;
import static org.libpoints.TestSupport.assertConsistent;
import static org.libpoints.TestSupport.expect;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.Test;

/** The settable clock: expiry, hold deadlines, calendar rules. */
public class ClockTest {
    @Test
    public void clockStartsWhereToldAndMoves() {
        try (Ledger l = Ledger.open("memory:", new Ledger.Options().clock(T0))) {
            assertEquals(T0, l.now());
            l.setClock(T0 + 42);
            assertEquals(T0 + 42, l.now());
            l.advanceClock(DAY);
            assertEquals(T0 + 42 + DAY, l.nowInstant().getEpochSecond());
            l.setClock(Instant.ofEpochSecond(T0 + 7));
            assertEquals(T0 + 7, l.now());
            l.createAsset("PTS");
            long a = l.createAccount("C1", "Alice");
            assertEquals(T0 + 7, l.earn(Posting.of("PTS", a, 1)).time());
            l.setClock(0); /* back to the system clock */
            long sys = System.currentTimeMillis() / 1000;
            assertTrue(Math.abs(l.now() - sys) < 5);
        }
        try (Ledger l = Ledger.open("memory:")) {
            assertTrue(Math.abs(l.now() - System.currentTimeMillis() / 1000) < 5);
        }
    }

    @Test
    public void expirySweepFollowsTheClock() {
        try (Ledger l = Ledger.open("memory:", new Ledger.Options().clock(T0))) {
            l.createAsset("WELFARE", 0, ExpiryPolicy.DAYS, 30);
            long a = l.createAccount("E1", "Li");
            long b = l.createAccount("E2", "Wang");
            l.earn(Posting.of("WELFARE", a, 100));
            l.advanceClock(10 * DAY);
            l.earn(Posting.of("WELFARE", a, 50));
            l.earn(Posting.of("WELFARE", b, 20));
            l.spend(Posting.of("WELFARE", a, 30)); /* from the earliest lot */
            List<Lot> lots = l.lots(a, "WELFARE").toList();
            assertEquals(70, lots.get(0).amount());
            long firstExpiry = lots.get(0).expiresAt();

            l.setClock(firstExpiry);
            assertEquals(new SweepReport(0, 0, 0, 0, ""), l.expireSweep());
            l.setClock(firstExpiry + 1);
            SweepReport r = l.expireSweep();
            assertEquals(new SweepReport(1, 1, 70, 0, ""), r);
            Balance bal = l.getBalance(a, "WELFARE");
            assertEquals(50, bal.available());
            assertEquals(70, bal.expired());
            assertEquals(70, l.getBalance(Account.EXPIRY, "WELFARE").available());
            Entry last = l.statement(a, "WELFARE").toList().get(0);
            assertEquals(TxnType.EXPIRE, last.type());
            assertEquals(-70, last.amount());

            l.advanceClock(20 * DAY);
            assertEquals(new SweepReport(2, 2, 70, 0, ""), l.expireSweep());
            assertEquals(0, l.getBalance(a, "WELFARE").available());
            assertEquals(0, l.getBalance(b, "WELFARE").available());
            assertConsistent(l, "WELFARE");
        }
    }

    @Test
    public void holdDeadlinePassesWithTheClock() {
        try (Ledger l = Ledger.open("memory:", new Ledger.Options().clock(T0))) {
            l.createAsset("PTS");
            long a = l.createAccount("C1", "Alice");
            l.earn(Posting.of("PTS", a, 100));
            Hold h = l.createHold(Posting.of("PTS", a, 60).expiresAt(T0 + 3600));
            assertEquals(T0 + 3600, h.info().expiresAt());
            assertEquals(new SweepReport(0, 0, 0, 0, ""), l.expireSweep());
            l.advanceClock(7200);
            SweepReport r = l.expireSweep();
            assertEquals(1, r.holds());
            assertEquals(HoldState.EXPIRED, h.state());
            expect(StateException.class, () -> h.capture());
            h.close(); /* expired, not open: nothing to do */
            assertEquals(100, l.getBalance(a, "PTS").available());
        }
    }

    @Test
    public void yearEndExpiryUsesTheUtcOffset() {
        /* 2024-12-31 20:00 UTC is already 2025-01-01 in UTC+8 */
        long t = LocalDate.of(2024, 12, 31).atTime(20, 0).toEpochSecond(ZoneOffset.UTC);
        long utcEnd2025 = LocalDate.of(2026, 1, 1).atStartOfDay().toEpochSecond(ZoneOffset.UTC) - 1;
        long utcEnd2026 = LocalDate.of(2027, 1, 1).atStartOfDay().toEpochSecond(ZoneOffset.UTC) - 1;
        try (Ledger utc = Ledger.open("memory:", new Ledger.Options().clock(t));
                Ledger cn = Ledger.open("memory:", new Ledger.Options().clock(t).utcOffset(8 * 3600))) {
            for (Ledger l : List.of(utc, cn)) {
                l.createAsset("PTS", 0, ExpiryPolicy.YEAR_END, 1);
                l.createAccount("C1", "Alice");
                l.earn(Posting.of("PTS", 4, 10));
            }
            /* earned in 2024 (UTC): valid through 2025-12-31 */
            assertEquals(utcEnd2025, utc.lots(4, "PTS").toList().get(0).expiresAt());
            /* earned in 2025 (UTC+8): valid through 2026-12-31 at UTC+8 */
            assertEquals(utcEnd2026 - 8 * 3600, cn.lots(4, "PTS").toList().get(0).expiresAt());
        }
    }

    @Test
    public void partitionsAreFixedWhenTheLedgerIsMade() throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("points-java-");
        String uri = "sqlite:" + dir.resolve("parts.db");
        try {
            try (Ledger l = Ledger.open(uri, new Ledger.Options().partitions(4))) {
                l.createAsset("PTS");
                long a = l.createAccount("E1", "Li"), b = l.createAccount("E2", "Wang");
                l.earn(Posting.of("PTS", a, 100));
                Txn t = l.transfer(Posting.of("PTS", a, 30).to(b));
                assertEquals(a, t.from());
                assertEquals(b, t.to());
                assertEquals(30, l.getBalance(b, "PTS").available());
                assertEquals(3, l.verify().entries()); /* the earn, two legs */
                InvalidArgumentException e = expect(InvalidArgumentException.class, l::chainHead);
                assertTrue(e.getMessage(), e.getMessage().contains("4 partitions"));
            }
            InvalidArgumentException e = expect(InvalidArgumentException.class,
                    () -> Ledger.open(uri, new Ledger.Options().partitions(2)));
            assertTrue(e.getMessage(), e.getMessage().contains("made in 4 partitions"));
            try (Ledger l = Ledger.open(uri)) { /* the ledger's */
                assertEquals(70, l.getBalance(l.findAccount("E1").id(), "PTS").available());
            }
            expect(InvalidArgumentException.class, () -> new Ledger.Options().partitions(0));
        } finally {
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path f : files.toList())
                    java.nio.file.Files.delete(f);
            }
            java.nio.file.Files.delete(dir);
        }
    }

    @Test
    public void utcOffsetIsStoredInTheLedger() throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("points-java-");
        String uri = "sqlite:" + dir.resolve("cn.db");
        try {
            try (Ledger l = Ledger.open(uri, new Ledger.Options().utcOffset(8 * 3600))) {
                assertEquals(new Settings(8 * 3600), l.settings());
            }
            try (Ledger l = Ledger.open(uri)) { /* the ledger's */
                assertEquals(8 * 3600, l.utcOffset());
            }
            try (Ledger l = Ledger.open(uri, new Ledger.Options().utcOffset(8 * 3600))) {
                assertEquals(8 * 3600, l.settings().utcOffset());
            }
            InvalidArgumentException e = expect(InvalidArgumentException.class,
                    () -> Ledger.open(uri, new Ledger.Options().utcOffset(0)));
            assertTrue(e.getMessage(), e.getMessage().contains(
                    "conflicts with the ledger's UTC offset 28800 (+08:00)"));
            try (Ledger l = Ledger.open("memory:")) {
                assertEquals(0, l.utcOffset());
            }
            /* mode=rw: an existing ledger only */
            try (Ledger l = Ledger.open(uri + "?mode=rw")) {
                assertEquals(8 * 3600, l.utcOffset());
            }
            String missing = "sqlite:" + dir.resolve("missing.db") + "?mode=rw";
            expect(NotFoundException.class, () -> Ledger.open(missing));
            assertTrue(!java.nio.file.Files.exists(dir.resolve("missing.db")));
            expect(InvalidArgumentException.class, () -> Ledger.open("memory:?mode=rw"));
        } finally {
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path f : files.toList())
                    java.nio.file.Files.delete(f);
            }
            java.nio.file.Files.delete(dir);
        }
    }

    @Test
    public void explicitLotExpiry() {
        try (Ledger l = Ledger.open("memory:", new Ledger.Options().clock(Instant.ofEpochSecond(T0)))) {
            l.createAsset("PTS");
            long a = l.createAccount("C1", "Alice");
            l.earn(Posting.of("PTS", a, 9).expiresAt(Instant.ofEpochSecond(T0 + 2 * DAY)));
            Lot lot = l.lots(a, "PTS").toList().get(0);
            assertTrue(lot.expiresAt() >= T0 + 2 * DAY && lot.expiresAt() < T0 + 3 * DAY);
            l.setClock(T0 + 4 * DAY);
            assertEquals(9, l.expireSweep().points());
        }
    }
}
