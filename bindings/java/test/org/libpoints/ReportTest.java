package org.libpoints;

import static org.junit.Assert.assertEquals;
import static org.libpoints.TestSupport.T0;
import static org.libpoints.TestSupport.assertConsistent;
import static org.libpoints.TestSupport.expect;
import static org.libpoints.TestSupport.list;

import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Reports: the liability of an asset and the breakage forecast. */
public class ReportTest {
    private static final long DAY = 86400;
    private Ledger ledger;

    @Before
    public void setUp() {
        ledger = TestSupport.memoryLedger();
        long alice = ledger.createAccount("C1001", "Alice");
        long bob = ledger.createAccount("C1002", "Bob");
        /* 1 March 2025: alice's 100 expire on 11 March, bob's 40 on 10 April */
        ledger.earn(Posting.of("PTS", alice, 100).expiresAt(T0 + 10 * DAY));
        ledger.earn(Posting.of("PTS", bob, 40).expiresAt(T0 + 40 * DAY));
    }

    @After
    public void tearDown() {
        assertConsistent(ledger, "PTS");
        ledger.close();
    }

    @Test
    public void liabilityWithItsCashValue() {
        ledger.setCashRatio("PTS", 100, 7, "finance", "budget");
        Liability l = ledger.liability("PTS");
        assertEquals("PTS", l.asset());
        assertEquals(2, l.accounts());
        assertEquals(140, l.outstanding());
        assertEquals(0, l.neverExpires());
        /* 140 points at 100 = 7: 9.80 */
        assertEquals(9, l.cash());
        assertEquals(80, l.cashRem());
        expect(NotFoundException.class, () -> ledger.liability("NOPE"));
    }

    @Test
    public void issuedByCategoryAndPopularItems() {
        List<ReportRow> rows = list(ledger.report(ReportKind.ISSUED_BY_CATEGORY, "PTS", T0, 0,
                ReportPeriod.MONTH, 0));
        assertEquals(1, rows.size());
        assertEquals("", rows.get(0).key());
        assertEquals(140, rows.get(0).points());
        assertEquals(2, rows.get(0).count());
        assertEquals(T0, rows.get(0).period());
        assertEquals(0, list(ledger.report(ReportKind.POPULAR_ITEMS, "PTS", T0, 0,
                ReportPeriod.ALL, 3)).size());
        expect(InvalidArgumentException.class, () -> ledger.report(ReportKind.ISSUED_BY_RULE, "PTS", 5, 1,
                ReportPeriod.ALL, 0).iterator().hasNext());
    }

    @Test
    public void leaderboardRanksByPoints() {
        List<Leader> top = list(ledger.leaderboard("PTS", T0, 0, LeaderGroup.ALL, 1));
        assertEquals(1, top.size());
        assertEquals("C1001", top.get(0).externalId());
        assertEquals(1, top.get(0).rank());
        assertEquals(100, top.get(0).points());
        assertEquals(2, list(ledger.leaderboard("PTS", T0, 0, LeaderGroup.BY_TIER, 0)).size());
    }

    @Test
    public void shopsSettleWhatTheyIssuedLessWhatTheyTook() {
        long alice = ledger.findAccount("C1001").id();
        long shop = ledger.createAccount("shop:A", "Shop A", Account.SYSTEM | Account.ALLOW_NEGATIVE);
        ledger.earn(Posting.of("PTS", alice, 90).counterparty(shop));
        ledger.spend(Posting.of("PTS", alice, 20).counterparty(shop));
        /* 3 points settle for 2 minor units: 70 are 46 + 2/3 */
        List<Settlement> rows = list(ledger.settlement("PTS", T0, 0, 3, 2));
        Settlement s = rows.get(rows.size() - 1);
        assertEquals("shop:A", s.externalId());
        assertEquals(90, s.issued());
        assertEquals(20, s.redeemed());
        assertEquals(70, s.net());
        assertEquals(46, s.cash());
        assertEquals(2, s.cashRem());
        /* the programme's own issuer paid the setup's 140 */
        assertEquals("system:issuer", rows.get(0).externalId());
        assertEquals(140, rows.get(0).issued());
        expect(InvalidArgumentException.class, () -> ledger.settlement("PTS", 0, 0, 3, 0)
                .iterator().hasNext());
    }

    @Test
    public void summariesAddUp() {
        Summary s = ledger.accountSummary(ledger.accounts().iterator().next().id(), "PTS", 0, 0);
        assertEquals(s.end(), s.start() + s.earned() - s.spent() - s.expired() + s.other());
        List<Summary> depts = list(ledger.departmentSummaries("PTS", T0, 0));
        assertEquals(1, depts.size());
        assertEquals("", depts.get(0).department());
        assertEquals(2, depts.get(0).accounts());
        assertEquals(140, depts.get(0).earned());
    }

    @Test
    public void recommendationsOfNoOrders() {
        long alice = ledger.accounts().iterator().next().id();
        assertEquals(0, list(ledger.recommendations(alice, RecommendKind.ALSO_REDEEMED, 0)).size());
        expect(InvalidArgumentException.class, () -> ledger.recommendations(alice, RecommendKind.TIER, -1)
                .iterator().hasNext());
    }

    @Test
    public void forecastByMonth() {
        List<ExpiryMonth> months = list(ledger.expiryForecast("PTS"));
        assertEquals(2, months.size());
        assertEquals(3, months.get(0).month());
        assertEquals(100, months.get(0).points());
        assertEquals(4, months.get(1).month());
        assertEquals(40, months.get(1).points());
        assertEquals(T0, months.get(0).start());
    }
}
