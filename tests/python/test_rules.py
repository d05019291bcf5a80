"""Earning rules, the tier table and events through the Python binding."""

import unittest

import points
from helpers import LedgerCase, T0, DAY


class RulesTest(LedgerCase):

    def save_spend(self, **kw):
        args = dict(condition="event.amount >= 1000", state=points.RULE_ACTIVE)
        args.update(kw)
        return self.ledger.rule_save("spend", "purchase", "event.amount / 100",
                                     "PTS", "ops", **args)

    def test_save_versions_history(self):
        r1 = self.save_spend(reason="launch")
        self.assertIsInstance(r1, points.Rule)
        self.assertEqual((r1.name, r1.version, r1.event_type, r1.state_name),
                         ("spend", 1, "purchase", "active"))
        self.assertEqual((r1.author, r1.reason, r1.asset), ("ops", "launch",
                                                            "PTS"))
        r2 = self.save_spend(condition="event.amount >= 2000", priority=5)
        self.assertEqual((r2.version, r2.priority), (2, 5))
        r3 = self.ledger.rule_set_state("spend", points.RULE_PAUSED, "ops",
                                        "pause")
        self.assertEqual((r3.version, r3.state), (3, points.RULE_PAUSED))
        self.assertEqual(self.ledger.rule_get("spend").version, 3)
        self.assertEqual(self.ledger.rule_get("spend", 1).priority, 0)
        self.assertEqual(self.ledger.rule_expr("spend", points.EXPR_CONDITION,
                                               1), "event.amount >= 1000")
        self.assertEqual(self.ledger.rule_expr("spend", points.EXPR_CONDITION),
                         "event.amount >= 2000")
        self.assertEqual(self.ledger.rule_expr("spend", points.EXPR_POINTS),
                         "event.amount / 100")
        self.assertEqual(self.ledger.rule_expr("spend",
                                               points.EXPR_BENEFICIARY), "")
        hist = list(self.ledger.rule_history("spend"))
        self.assertEqual([r.version for r in hist], [1, 2, 3])
        self.assertEqual([r.state_name for r in hist],
                         ["active", "active", "paused"])
        # every rule by name, each as its latest version
        self.ledger.rule_save("bonus", "signup", "5", "PTS", "ops")
        self.assertEqual([(r.name, r.version, r.state_name)
                          for r in self.ledger.rules()],
                         [("bonus", 1, "draft"), ("spend", 3, "paused")])
        with self.assertRaises(points.NotFound):
            self.ledger.rule_get("nope")

    def test_tier_multiplier(self):
        self.save_spend()
        self.ledger.tier_set("gold", 2, 150)
        t = self.ledger.tier_get("gold")
        self.assertEqual((t.name, t.rank, t.percent), ("gold", 2, 150))
        self.ledger.change_account(self.alice, tier="gold")
        r = self.ledger.event_apply("o1", "purchase", self.alice, 12345)
        # 123 points x 150% = 184.5, rounded down
        self.assertEqual(r.points, 184)
        self.assertEqual(r.outcomes[0].formula, 123)
        self.assertEqual(self.available(self.alice), 184)
        r = self.ledger.event_apply("o2", "purchase", self.bob, 12345)
        self.assertEqual(r.points, 123)  # no tier: 100%

    def test_tier_qualification(self):
        self.save_spend(condition=None)
        self.ledger.tier_set("normal", 0, 100)
        self.ledger.tier_set("gold", 2, 200)
        self.ledger.tier_qualify("gold", "PTS", 5000, 12)
        t = self.ledger.tier_get("gold")
        self.assertEqual((t.qualify_asset, t.qualify_points,
                          t.qualify_months), ("PTS", 5000, 12))
        # the event that crosses earns 1x; the next 2x
        self.assertEqual(self.ledger.event_apply(
            "o1", "purchase", self.alice, 520000).points, 5200)
        self.assertEqual(self.ledger.account(self.alice).tier, "gold")
        self.assertEqual(self.ledger.event_apply(
            "o2", "purchase", self.alice, 10000).points, 200)
        self.assertEqual(self.ledger.tier_earned(self.alice, "PTS", 12),
                         5400)
        change = [c for c in self.ledger.account_history(self.alice)][-1]
        self.assertEqual((change.new_value, change.actor),
                         ("gold", "system:tiers"))
        self.assertIn("earned 5,200 PTS in the 12 months to 2023-11-14; "
                      "gold needs 5,000", change.reason)
        # a year on, the sweep moves alice down to the base
        self.ledger.set_clock(T0 + 400 * DAY)
        r = self.ledger.tier_sweep()
        self.assertIsInstance(r, points.TierSweepReport)
        self.assertEqual((r.downgraded, r.upgraded), (1, 0))
        self.assertEqual(self.ledger.account(self.alice).tier, "normal")
        self.assertEqual(self.ledger.tier_sweep().downgraded, 0)
        with self.assertRaises(points.InvalidArgument) as e:
            self.ledger.tier_qualify("gold", "PTS", 0, 12)
        self.assertIn("the points to qualify must be positive",
                      str(e.exception))
        with self.assertRaises(points.NotFound):
            self.ledger.tier_qualify("nope", "PTS", 1, 1)
        self.ledger.tier_qualify("gold", None)
        self.assertEqual(self.ledger.tier_get("gold").qualify_asset, "")

    def test_apply_preview_get(self):
        self.save_spend()
        self.ledger.rule_save("store", "purchase", "50", "PTS", "ops",
                              condition='event.attrs.channel == "store"',
                              state=points.RULE_ACTIVE)
        p = self.ledger.event_preview("o1", "purchase", self.alice, 5000,
                                      {"channel": "app"})
        self.assertIsInstance(p, points.EventResult)
        self.assertEqual((p.points, p.seq), (50, 0))
        self.assertEqual(self.available(self.alice), 0)  # nothing written
        r = self.ledger.event_apply("o1", "purchase", self.alice, 5000,
                                    '{"channel": "app"}', actor="shop")
        self.assertFalse(r.replayed)
        self.assertGreater(r.seq, 0)
        self.assertEqual((r.id, r.type, r.account, r.amount, r.outcomes and
                          len(r.outcomes)), ("o1", "purchase", self.alice.id,
                                             5000, 2))
        by = {o.rule: o for o in r.outcomes}
        self.assertEqual(by["spend"].status, points.OUTCOME_AWARDED)
        self.assertTrue(by["spend"].awarded)
        self.assertEqual(by["spend"].points, 50)
        self.assertTrue(by["spend"].txn_id)
        self.assertEqual(by["store"].status_name, "condition")
        self.assertEqual(by["store"].reason, "condition is false")
        self.assertEqual(self.ledger.txn(by["spend"].txn_id).to_account,
                         self.alice.id)
        g = self.ledger.event_get("o1")
        self.assertEqual(g.summary, r.summary)
        self.assertEqual(g.outcomes, r.outcomes)
        self.assertEqual(self.available(self.alice), 50)

    def test_replay_and_conflict(self):
        self.save_spend()
        r = self.ledger.event_apply("o1", "purchase", self.alice, 5000)
        again = self.ledger.event_apply("o1", "purchase", self.alice, 5000)
        self.assertTrue(again.replayed)
        self.assertEqual(again.points, r.points)
        self.assertEqual(self.available(self.alice), 50)
        with self.assertRaises(points.Conflict):
            self.ledger.event_apply("o1", "purchase", self.alice, 6000)
        self.assertEqual(self.available(self.alice), 50)

    def test_language_error(self):
        with self.assertRaises(points.InvalidArgument) as cm:
            self.save_spend(condition="evnt.amount > 1")
        self.assertIn("col 1", str(cm.exception))
        self.assertIn("condition", str(cm.exception))
        with self.assertRaises(points.NotFound):
            self.ledger.rule_get("spend")  # nothing saved

    def test_frozen(self):
        self.save_spend()
        self.ledger.freeze(self.alice)
        with self.assertRaises(points.Frozen):
            self.ledger.event_apply("o1", "purchase", self.alice, 5000)
        with self.assertRaises(points.Frozen):
            self.ledger.event_preview("o1", "purchase", self.alice, 5000)
        with self.assertRaises(points.NotFound):
            self.ledger.event_get("o1")

    def test_refund(self):
        self.save_spend()
        self.ledger.event_apply("o1", "purchase", self.alice, 5000)
        r = self.ledger.event_reverse("o1", 2000)
        self.assertEqual(r.points, -20)
        self.assertEqual(self.available(self.alice), 30)

    def test_refund_lines(self):
        # 1 point per 10 yuan on basic lines, per 5 on the new collection
        self.ledger.rule_save(
            "shop", "purchase", "sum(event.attrs.lines.map(l, "
            "l.collection == 'new' ? l.amount / 500 : l.amount / 1000))",
            "PTS", "admin", state=points.RULE_ACTIVE)
        lines = [{"id": "T1", "collection": "new", "amount": 12900},
                 {"id": "B2", "collection": "basic", "amount": 9900}]
        self.assertEqual(self.ledger.event_apply(
            "o1", "purchase", self.alice, 22800, {"lines": lines}).points,
            25 + 9)
        self.assertIsNone(self.ledger.event_get("o1").lines)
        r = self.ledger.event_reverse("o1", lines=["B2"],
                                      idempotency_key="rf-B2")
        self.assertEqual((r.points, r.amount, r.lines), (-9, 9900, [1]))
        r = self.ledger.event_reverse("o1", lines=["B2"],
                                      idempotency_key="rf-B2")
        self.assertTrue(r.replayed)
        self.assertEqual(r.lines, [1])
        with self.assertRaises(points.StateError):
            self.ledger.event_reverse("o1", lines=[1])
        with self.assertRaises(points.InvalidArgument) as cm:
            self.ledger.event_reverse("o1", 100)
        self.assertIn("refunded by lines", str(cm.exception))
        self.assertEqual(self.ledger.event_reverse("o1", lines="[0]").points,
                         -25)
        self.assertEqual(self.available(self.alice), 0)

    def test_pending_points(self):
        r = self.save_spend(pending_days=7)
        self.assertEqual(r.pending_days, 7)
        self.assertEqual(self.ledger.rule_get("spend").pending_days, 7)
        self.ledger.event_apply("o1", "purchase", self.alice, 5000)
        b = self.ledger.balance(self.alice, "PTS")
        self.assertEqual((b.available, b.pending), (0, 50))
        with self.assertRaises(points.InsufficientPoints):
            self.ledger.spend(self.alice, 1, "PTS")
        # a refund takes pending points back first
        self.assertEqual(self.ledger.event_reverse("o1", 2000).points, -20)
        b = self.ledger.balance(self.alice, "PTS")
        self.assertEqual((b.available, b.pending), (0, 30))
        # pending through 2023-11-21 (7 days after the event's day),
        # available from 2023-11-22 00:00 UTC by themselves
        self.ledger.set_clock(T0 + 7 * DAY + 6400 - 1)
        self.assertEqual(self.ledger.balance(self.alice, "PTS").pending, 30)
        self.ledger.set_clock(T0 + 7 * DAY + 6400)
        b = self.ledger.balance(self.alice, "PTS")
        self.assertEqual((b.available, b.pending), (30, 0))
        self.ledger.spend(self.alice, 30, "PTS")
        with self.assertRaises(points.InvalidArgument):
            self.save_spend(pending_days=-1)

    def test_approval(self):
        self.ledger.rule_save("idea", "idea.adopted", "20", "PTS", "hr",
                              flags=points.RULE_APPROVAL,
                              state=points.RULE_ACTIVE)
        r = self.ledger.event_apply("i1", "idea.adopted", self.alice,
                                    actor="mgr.wang")
        self.assertEqual(r.points, 0)
        self.assertEqual(r.outcomes[0].status_name, "approval")
        self.assertEqual(r.outcomes[0].points, 20)
        [a] = list(self.ledger.approvals())
        self.assertIsInstance(a, points.Approval)
        self.assertEqual((a.id, a.state_name, a.account, a.points, a.rule,
                          a.event_id, a.nominator),
                         (1, "pending", self.alice.id, 20, "idea", "i1",
                          "mgr.wang"))
        with self.assertRaises(points.NotPermitted) as cm:
            self.ledger.approval_approve(1, "mgr.wang")
        self.assertIn("four eyes", str(cm.exception))
        a = self.ledger.approval_approve(1, "hr.li", "adopted")
        self.assertEqual((a.state, a.decided_by, a.reason),
                         (points.APPROVAL_APPROVED, "hr.li", "adopted"))
        self.assertEqual(self.ledger.txn(a.txn_id).amount, 20)
        self.assertEqual(self.available(self.alice), 20)
        with self.assertRaises(points.StateError):
            self.ledger.approval_reject(1, "hr.zhao", "late")
        # a manual award, rejected: nothing posted
        a = self.ledger.approval_nominate(self.bob, 200, "PTS", "mgr.wang",
                                          memo="certificate")
        self.assertEqual((a.id, a.category, a.memo), (2, "award",
                                                      "certificate"))
        self.assertEqual([x.id for x in self.ledger.approvals(self.bob)], [2])
        self.assertEqual(list(self.ledger.approvals(self.alice)), [])
        with self.assertRaises(points.InvalidArgument):
            self.ledger.approval_reject(2, "hr.li", None)
        a = self.ledger.approval_reject(2, "hr.li", "not on the list")
        self.assertEqual(a.state_name, "rejected")
        self.assertEqual(self.ledger.approval_get(2), a)
        self.assertEqual(self.available(self.bob), 0)
        self.assertEqual(list(self.ledger.approvals()), [])
        with self.assertRaises(points.NotFound):
            self.ledger.approval_get(9)
        # a retried nomination with its key is one approval
        a = self.ledger.approval_nominate(self.bob, 30, "PTS", "mgr.wang",
                                          idempotency_key="nom-7")
        b = self.ledger.approval_nominate(self.bob, 30, "PTS", "mgr.wang",
                                          idempotency_key="nom-7")
        self.assertEqual(a, b)
        self.assertEqual([x.id for x in self.ledger.approvals(self.bob)],
                         [a.id])
        with self.assertRaises(points.Conflict):
            self.ledger.approval_nominate(self.bob, 40, "PTS", "mgr.wang",
                                          idempotency_key="nom-7")

    def test_attrs_and_account_fields(self):
        self.ledger.set_attr(self.alice, "birthday", "1990-11-02")
        self.ledger.rule_save(
            "bday", "login", "100", "PTS", "hr", state=points.RULE_ACTIVE,
            condition="account.birth_month == 11 && event.attrs.n >= 2")
        # the version in force at the event's time: none the day before
        r = self.ledger.event_apply("l0", "login", self.alice,
                                    attrs={"n": 2}, time=T0 - DAY)
        self.assertEqual((r.points, r.outcomes), (0, []))
        r = self.ledger.event_apply("l1", "login", self.alice,
                                    attrs={"n": 2})
        self.assertEqual(r.points, 100)
        r = self.ledger.event_apply("l2", "login", self.alice,
                                    attrs={"n": 1})
        self.assertEqual(r.outcomes[0].status, points.OUTCOME_CONDITION)
        with self.assertRaises(points.InvalidArgument):
            self.ledger.event_apply("l3", "login", self.alice,
                                    attrs='{"n": 1.5}')

    def test_backtest(self):
        self.save_spend()
        self.ledger.rule_save("bonus", "purchase", "event.amount / 1000",
                              "PTS", "ops", cap_day=15)
        self.ledger.event_apply("o1", "purchase", self.alice, 12000)
        self.ledger.event_apply("o2", "purchase", self.alice, 12000)
        self.ledger.event_apply("o3", "purchase", self.bob, 5000)
        before = self.snapshot()
        b = self.ledger.rule_backtest("bonus")
        self.assertEqual(self.snapshot(), before)
        self.assertIsInstance(b, points.Backtest)
        # 12, then 3 of 12 (the daily cap of 15), and 5
        self.assertEqual((b.events, b.awards, b.points, b.accounts,
                          b.capped, b.errors), (3, 3, 20, 2, 0, 0))
        self.assertEqual([(r.account, r.points, r.awards) for r in b.rows],
                         [(self.alice.id, 15, 2), (self.bob.id, 5, 1)])
        self.assertEqual(self.ledger.rule_backtest("bonus", 1, since=T0 + 1)
                         .events, 0)
        self.assertEqual(self.ledger.rule_backtest("spend").points,
                         120 + 120 + 50)
        with self.assertRaises(points.NotFound):
            self.ledger.rule_backtest("nope")
        with self.assertRaises(points.NotFound):
            self.ledger.rule_backtest("bonus", 2)

    def test_closed_ledger(self):
        self.ledger.close()
        with self.assertRaises(points.LedgerClosed):
            self.ledger.event_get("o1")


class RulesSqliteTest(RulesTest):
    """The same on an SQLite file."""
    uri = "sqlite"


if __name__ == "__main__":
    unittest.main()
