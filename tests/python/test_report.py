"""Reports from Python: the liability of an asset and the breakage
forecast, on a small ledger worked out by hand."""

from fractions import Fraction

import points
from helpers import T0, LedgerCase

DAY = 86400


class ReportTest(LedgerCase):

    def setUp(self):
        super().setUp()
        # 2023-11-14: alice's 100 expire on 4 Dec, her 50 on 13 Jan;
        # bob's 30 never
        self.ledger.earn(self.alice, 100, "PTS", expires_at=T0 + 20 * DAY)
        self.ledger.earn(self.alice, 50, "PTS", expires_at=T0 + 60 * DAY)
        self.ledger.earn(self.bob, 30, "PTS", expires_at=points.NEVER)

    def test_liability_and_its_cash_value(self):
        l = self.ledger.liability("PTS")
        self.assertEqual((l.asset, l.accounts, l.available, l.pending,
                          l.held, l.outstanding, l.debt, l.never_expires),
                         ("PTS", 2, 180, 0, 0, 180, 0, 30))
        self.assertIsNone(l.cash_value)
        # 100 points = 7 minor units: 180 are 12.6
        self.ledger.mall_set_cash_ratio("PTS", 100, 7, "finance")
        l = self.ledger.liability("PTS")
        self.assertEqual((l.cash, l.cash_rem), (12, 60))
        self.assertEqual(l.cash_value, Fraction(126, 10))
        with self.assertRaises(points.NotFound):
            self.ledger.liability("NOPE")

    def test_forecast_by_month(self):
        months = [(m.year, m.month, m.points, m.accounts)
                  for m in self.ledger.expiry_forecast("PTS")]
        self.assertEqual(months, [(2023, 12, 100, 1), (2024, 1, 50, 1)])
        first = next(iter(self.ledger.expiry_forecast("PTS")))
        self.assertEqual((first.start, first.end), (1701388800, 1704067200))
        with self.assertRaises(points.NotFound):
            list(self.ledger.expiry_forecast("NOPE"))


class FlowsTest(LedgerCase):

    def test_issued_by_category_and_the_redemption_rate(self):
        self.ledger.update_account(self.alice, department="Sales")
        self.ledger.earn(self.alice, 100, "PTS", category="training")
        self.ledger.earn(self.bob, 40, "PTS", category="welcome")
        self.ledger.set_clock(T0 + DAY)
        self.ledger.spend(self.alice, 30, "PTS")
        rows = [(r.key, r.points, r.count) for r in self.ledger.report(
            points.REPORT_ISSUED_BY_CATEGORY, "PTS", T0, T0 + 2 * DAY)]
        self.assertEqual(rows, [("training", 100, 1), ("welcome", 40, 1)])
        rows = [((r.period - T0) // DAY, r.key, r.points, r.issued)
                for r in self.ledger.report(points.REPORT_REDEMPTION_RATE,
                                            "PTS", T0,
                                            period=points.PERIOD_ALL)]
        self.assertEqual(rows, [(0, "", 30, 140), (0, "Sales", 30, 100)])
        with self.assertRaises(points.InvalidArgument):
            list(self.ledger.report(99, "PTS"))


class LeaderboardTest(LedgerCase):

    def test_top_accounts_and_ties(self):
        self.ledger.update_account(self.alice, department="Sales")
        self.ledger.earn(self.bob, 50, "PTS")
        self.ledger.set_clock(T0 + 60)
        self.ledger.earn(self.alice, 50, "PTS")
        rows = [(l.group, l.rank, l.external_id, l.points)
                for l in self.ledger.leaderboard("PTS", T0)]
        # a tie: bob reached 50 first
        self.assertEqual(rows, [("", 1, "E1002", 50), ("", 2, "E1001", 50)])
        rows = [(l.group, l.rank, l.external_id) for l in
                self.ledger.leaderboard("PTS", T0,
                                        by=points.LEADERS_BY_DEPARTMENT,
                                        top=1)]
        self.assertEqual(rows, [("", 1, "E1002"), ("Sales", 1, "E1001")])


class SettlementTest(LedgerCase):

    def test_shops_settle_what_they_issued_less_what_they_took(self):
        shop_a = self.ledger.create_account(
            "shop:A", "Shop A", flags=points.SYSTEM | points.ALLOW_NEGATIVE)
        shop_b = self.ledger.create_account(
            "shop:B", "Shop B", flags=points.SYSTEM | points.ALLOW_NEGATIVE)
        self.ledger.earn(self.alice, 300, "PTS", counterparty=shop_a)
        self.ledger.spend(self.alice, 120, "PTS", counterparty=shop_b)
        self.ledger.spend(self.alice, 50, "PTS", counterparty=shop_a)
        # 3 points settle for 2 minor units: 250 are 166 + 2/3
        rows = [(s.external_id, s.issued, s.redeemed, s.net, s.cash,
                 s.cash_rem)
                for s in self.ledger.settlement("PTS", T0, 0, 3, 2)]
        self.assertEqual(rows, [("shop:A", 300, 50, 250, 166, 2),
                                ("shop:B", 0, 120, -120, -80, 0)])
        with self.assertRaises(points.InvalidArgument):
            list(self.ledger.settlement("PTS", ratio_points=3))


class SummaryTest(LedgerCase):

    def test_employee_and_department_summaries(self):
        self.ledger.update_account(self.alice, department="Sales")
        self.ledger.earn(self.alice, 100, "PTS")
        self.ledger.set_clock(T0 + DAY)
        self.ledger.spend(self.alice, 30, "PTS")
        self.ledger.transfer(self.alice, self.bob, 20, "PTS")
        s = self.ledger.account_summary(self.alice, "PTS", T0 + 1)
        self.assertEqual((s.department, s.start, s.earned, s.spent,
                          s.expired, s.other, s.end),
                         ("Sales", 100, 0, 30, 0, -20, 50))
        rows = [(d.department, d.accounts, d.start, d.end)
                for d in self.ledger.department_summaries("PTS", T0 + 1)]
        self.assertEqual(rows, [("", 1, 0, 20), ("Sales", 1, 100, 50)])


class RecommendationTest(LedgerCase):

    def test_affordable_items_first(self):
        self.ledger.earn(self.alice, 60, "PTS")
        for sku, price in (("MUG", 100), ("PEN", 30), ("CAP", 50)):
            self.ledger.item_create(sku, sku, "office", "PTS", price, 10,
                                    "admin")
        self.assertEqual(
            [(r.rank, r.sku, r.price) for r in self.ledger.recommendations(
                self.alice, points.RECOMMEND_AFFORDABLE)],
            [(1, "CAP", 50), (2, "PEN", 30)])
        self.assertEqual(list(self.ledger.recommendations(
            self.alice, points.RECOMMEND_DEPARTMENT)), [])
