"""Budget pools and asset policies from Python."""

import random
import unittest

import points
from helpers import DAY, T0, LedgerCase


class PoolTest(LedgerCase):

    def setUp(self):
        super().setUp()
        self.pool = self.ledger.create_pool("POOL:R&D", "R&D budget")

    def test_pool_is_a_system_account(self):
        self.assertEqual(self.pool.flags, points.POOL | points.SYSTEM)
        with self.assertRaises(points.InvalidArgument):
            self.ledger.create_account("POOL:X", flags=points.POOL |
                                       points.ALLOW_NEGATIVE)

    def test_fund_award_defund_close(self):
        t = self.ledger.fund_pool(self.pool, 1000, "PTS", "Q1 budget")
        self.assertEqual((t.type, t.kind, t.from_account, t.to_account),
                         (points.FUND, "fund", points.ISSUER, self.pool.id))
        award = self.ledger.earn(self.alice, 300, "PTS", "award",
                                 counterparty=self.pool)
        self.assertEqual(award.from_account, self.pool.id)
        lots = list(self.ledger.lots(self.alice, "PTS"))
        self.assertEqual([(l.amount, l.expires_at) for l in lots],
                         [(300, (T0 // DAY + 366) * DAY - 1)])
        t = self.ledger.defund_pool(self.pool, 700, "PTS", "unused")
        self.assertEqual(t.kind, "defund")
        self.ledger.close_account(self.pool)
        with self.assertRaises(points.AccountClosed):
            self.ledger.fund_pool(self.pool, 1, "PTS")
        entries = list(self.ledger.statement(self.pool, "PTS",
                                             oldest_first=True))
        self.assertEqual([(e.kind, e.amount, e.counterparty, e.memo)
                          for e in entries],
                         [("fund", 1000, points.ISSUER, "Q1 budget"),
                          ("earn", -300, self.alice.id, "award"),
                          ("defund", -700, points.ISSUER, "unused")])

    def test_pool_cannot_overspend(self):
        self.ledger.fund_pool(self.pool, 100, "PTS")
        before = self.snapshot()
        with self.assertRaises(points.InsufficientPoints) as cm:
            self.ledger.earn(self.alice, 101, "PTS", counterparty=self.pool)
        self.assertEqual(str(cm.exception), "pool POOL:R&D: insufficient "
                         "points: available 100, needs 101")
        with self.assertRaises(points.InsufficientPoints):
            self.ledger.defund_pool(self.pool, 101, "PTS")
        self.assertEqual(self.snapshot(), before)

    def test_pool_only_takes_part_as_a_pool(self):
        self.ledger.fund_pool(self.pool, 100, "PTS")
        self.ledger.earn(self.alice, 10, "PTS")
        for call in (lambda: self.ledger.earn(self.pool, 1, "PTS"),
                     lambda: self.ledger.spend(self.alice, 1, "PTS",
                                               counterparty=self.pool),
                     lambda: self.ledger.transfer(self.alice, self.pool, 1,
                                                  "PTS"),
                     lambda: self.ledger.fund_pool(self.alice, 1, "PTS"),
                     lambda: self.ledger.fund_pool(self.pool, 1, "PTS",
                                                   source=self.alice),
                     lambda: self.ledger.defund_pool(self.pool, 1, "PTS",
                                                     to=self.alice)):
            with self.assertRaises(points.InvalidArgument):
                call()
        sub = self.ledger.create_pool("POOL:R&D/Li")
        self.ledger.fund_pool(sub, 40, "PTS", source=self.pool)
        self.assertEqual(self.available(self.pool), 60)
        self.assertEqual(self.available(sub), 40)

    def test_idempotent_funding(self):
        a = self.ledger.fund_pool(self.pool, 10, "PTS", idempotency_key="b1")
        b = self.ledger.fund_pool(self.pool, 10, "PTS", idempotency_key="b1")
        self.assertEqual((a.id, b.replayed), (b.id, 1))
        with self.assertRaises(points.Conflict):
            self.ledger.defund_pool(self.pool, 10, "PTS",
                                    idempotency_key="b1")
        self.assertEqual(self.available(self.pool), 10)

    def test_pool_postings_reverse(self):
        f = self.ledger.fund_pool(self.pool, 50, "PTS")
        a = self.ledger.earn(self.alice, 20, "PTS", counterparty=self.pool)
        with self.assertRaises(points.InsufficientPoints):
            self.ledger.reverse(f)
        self.ledger.reverse(a)
        self.ledger.reverse(f)
        self.assertEqual(self.available(self.pool), 0)


class AssetPolicyTest(LedgerCase):

    def test_defaults_and_set(self):
        a = self.ledger.asset("PTS")
        self.assertEqual((a.flags, a.transfer_limit, a.year_end_month,
                          a.year_end_day), (0, 0, 12, 31))
        a = self.ledger.set_asset_policy("PTS", transferable=False,
                                         transfer_limit=500, year_end=(3, 31))
        self.assertEqual((a.flags, a.transfer_limit, a.year_end_month,
                          a.year_end_day),
                         (points.NO_TRANSFER, 500, 3, 31))
        self.assertEqual(self.ledger.asset("PTS"), a)

    def test_bad_policies(self):
        for kw in ({"transfer_limit": -1}, {"year_end": (2, 29)},
                   {"year_end": (13, 1)}, {"year_end": (4, 31)}):
            with self.assertRaises(points.InvalidArgument):
                self.ledger.set_asset_policy("PTS", **kw)
        with self.assertRaises(points.Overflow):
            self.ledger.set_asset_policy("PTS", transfer_limit=2**63)
        with self.assertRaises(points.NotFound):
            self.ledger.set_asset_policy("NOPE")
        self.assertEqual(self.ledger.asset("PTS").transfer_limit, 0)

    def test_no_transfer(self):
        self.ledger.earn(self.alice, 100, "PTS")
        self.ledger.set_asset_policy("PTS", transferable=False)
        with self.assertRaises(points.StateError) as cm:
            self.ledger.transfer(self.alice, self.bob, 1, "PTS")
        self.assertIn("asset PTS: its points may not be transferred",
                      str(cm.exception))
        self.ledger.spend(self.alice, 1, "PTS")

    def test_daily_limit(self):
        self.ledger.earn(self.alice, 1000, "PTS")
        self.ledger.set_asset_policy("PTS", transfer_limit=100)
        self.ledger.transfer(self.alice, self.bob, 70, "PTS")
        with self.assertRaises(points.LimitExceeded) as cm:
            self.ledger.transfer(self.alice, self.bob, 31, "PTS")
        self.assertIn("100 a day, 70 transferred today, needs 31",
                      str(cm.exception))
        self.ledger.set_clock(T0 + DAY)
        self.ledger.transfer(self.alice, self.bob, 100, "PTS")
        self.assertEqual(self.available(self.bob), 170)

    def test_year_end(self):
        self.ledger.create_asset("FY", 0, points.EXPIRE_YEAR_END, 0)
        self.ledger.set_asset_policy("FY", year_end=(3, 31))
        self.ledger.earn(self.alice, 5, "FY")   # 2023-11-14
        lot = next(iter(self.ledger.lots(self.alice, "FY")))
        self.assertEqual(points.utc(lot.expires_at).isoformat(),
                         "2024-03-31T23:59:59+00:00")

    def test_random_transfers_against_a_model(self):
        rng = random.Random(17)
        users = [self.alice, self.bob, self.ledger.create_account("E1003")]
        for u in users:
            self.ledger.earn(u, 10_000, "PTS")
        bal = {u.id: 10_000 for u in users}
        sent, limit, now = {}, 0, T0
        for step in range(300):
            op = rng.randrange(4)
            if op == 0:
                limit = rng.choice((0, 50, 120, 300))
                self.ledger.set_asset_policy("PTS", transfer_limit=limit)
                continue
            if op == 1:
                now += rng.randrange(1, 20) * 3600
                self.ledger.set_clock(now)
                continue
            a, b = rng.sample(users, 2)
            amount = rng.randrange(1, 150)
            day = now // DAY
            used = sent.get(a.id, (day, 0))
            used = used[1] if used[0] == day else 0
            if limit and used + amount > limit:
                with self.assertRaises(points.LimitExceeded, msg=step):
                    self.ledger.transfer(a, b, amount, "PTS")
            else:
                self.ledger.transfer(a, b, amount, "PTS")
                sent[a.id] = (day, used + amount)
                bal[a.id] -= amount
                bal[b.id] += amount
            for u in users:
                self.assertEqual(self.available(u), bal[u.id], step)


class SqlitePoolTest(PoolTest):
    uri = "sqlite"


class SqliteAssetPolicyTest(AssetPolicyTest):
    uri = "sqlite"


if __name__ == "__main__":
    unittest.main()
