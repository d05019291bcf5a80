"""Scheduled grants (periodic allowances) through the Python binding."""

import unittest

import points
from helpers import LedgerCase, T0, DAY


class GrantsTest(LedgerCase):

    def welfare(self, **kw):
        args = dict(condition="has(account.attrs.payroll)",
                    state=points.RULE_ACTIVE, reason="2023 policy")
        args.update(kw)
        return self.ledger.grant_save(
            "welfare", "account.tier == 'gold' ? 300 : 100", "PTS", "hr",
            **args)

    def test_monthly_allowance_once_a_period(self):
        self.ledger.update_account(self.alice, tier="gold")
        self.ledger.set_attr(self.alice, "payroll", "yes")
        self.ledger.set_attr(self.bob, "payroll", "yes")
        g = self.welfare()
        self.assertIsInstance(g, points.Grant)
        self.assertEqual((g.name, g.version, g.period_name, g.state_name,
                          g.category, g.pool),
                         ("welfare", 1, "monthly", "active", "allowance", 0))
        r = self.ledger.grant_run("welfare")
        self.assertIsInstance(r, points.GrantReport)
        self.assertEqual((r.grants, r.accounts, r.granted, r.points),
                         (1, 2, 2, 400))
        self.assertEqual(self.available(self.alice), 300)
        self.assertEqual(self.available(self.bob), 100)
        # again in the same month: nothing
        r = self.ledger.grant_run_due()
        self.assertEqual((r.grants, r.granted, r.already), (1, 0, 2))
        w = self.ledger.grant_award("welfare", self.alice)
        self.assertIsInstance(w, points.GrantAward)
        self.assertEqual((w.grant, w.version, w.points, w.account),
                         ("welfare", 1, 300, self.alice.id))
        self.assertEqual(self.ledger.txn(w.txn_id).category, "allowance")
        self.assertEqual([(x.account, x.points) for x in
                          self.ledger.grant_awards("welfare")],
                         [(self.alice.id, 300), (self.bob.id, 100)])
        # the next month pays again
        self.ledger.set_clock(T0 + 31 * DAY)
        r = self.ledger.grant_run("welfare")
        self.assertEqual(r.granted, 2)
        self.assertEqual(self.available(self.alice), 600)

    def test_pool_and_states(self):
        pool = self.ledger.create_pool("pool:hr")
        self.ledger.fund_pool(pool, 150, "PTS")
        self.ledger.grant_save("tenure", "100", "PTS", "hr",
                               period=points.GRANT_YEARLY, pool=pool,
                               flags=points.GRANT_EXPIRE_AT_END,
                               state=points.RULE_ACTIVE)
        r = self.ledger.grant_run("tenure")
        self.assertEqual((r.granted, r.unpaid, r.unpaid_points), (1, 1, 100))
        self.assertEqual(self.ledger.grant_expr("tenure",
                                                points.EXPR_POINTS), "100")
        self.assertEqual(self.ledger.grant_expr("tenure",
                                                points.EXPR_CONDITION), "")
        g = self.ledger.grant_set_state("tenure", points.RULE_PAUSED, "hr")
        self.assertEqual((g.version, g.state), (2, points.RULE_PAUSED))
        self.assertEqual(self.ledger.grant_get("tenure", 1).state,
                         points.RULE_ACTIVE)
        with self.assertRaises(points.StateError) as cm:
            self.ledger.grant_run("tenure")
        self.assertIn("only an active grant runs", str(cm.exception))

    def test_bad_input(self):
        with self.assertRaises(points.InvalidArgument) as cm:
            self.ledger.grant_save("w", "acount.tier", "PTS", "hr")
        self.assertIn("unknown variable 'acount'", str(cm.exception))
        with self.assertRaises(points.NotFound):
            self.ledger.grant_run("nope")
        with self.assertRaises(points.InvalidArgument):
            self.ledger.grant_run_due(T0 + DAY)
        self.welfare()
        with self.assertRaises(points.NotFound):
            self.ledger.grant_award("welfare", self.bob)


class GrantsSqliteTest(GrantsTest):
    """The same on an SQLite file."""
    uri = "sqlite"


if __name__ == "__main__":
    unittest.main()
