"""Category and actor on every write, department and tier as posted, the
accounts' history, and erasing personal data, through the Python layer."""

import random
import unittest

import points
from helpers import LedgerCase, T0


class CategoryActorTest(LedgerCase):

    def test_every_write_keeps_them(self):
        l, a, b = self.ledger, self.alice, self.bob
        earn = l.earn(a, 100, "PTS", category="training", actor="hr:王芳")
        self.assertEqual((earn.category, earn.actor), ("training", "hr:王芳"))
        self.assertEqual(l.txn(earn).category, "training")
        t = l.spend(a, 5, "PTS", category="order", actor="shop")
        self.assertEqual((t.category, t.actor), ("order", "shop"))
        t = l.transfer(a, b, 5, "PTS", category="teamwork", actor="E1001")
        self.assertEqual(t.category, "teamwork")
        t = l.adjust(b, 1, "PTS", "fix", category="performance")
        self.assertEqual((t.category, t.actor), ("performance", ""))
        t = l.reverse(earn, 1, actor="ops")
        self.assertEqual((t.category, t.actor), ("", "ops"))
        h = l.hold(a, 10, "PTS", category="order", actor="shop")
        t = h.capture(4, category="order", actor="shop-2")
        self.assertEqual(t.actor, "shop-2")
        h = l.hold(a, 3, "PTS")
        t = h.release(category="cancel", actor="shop")
        self.assertEqual(t.category, "cancel")
        (e,) = list(l.statement(a, "PTS"))[:1]
        self.assertEqual((e.category, e.actor), ("cancel", "shop"))

    def test_bad_ones_are_invalid_arguments(self):
        for bad in ("", "Training", "two words", "x" * 33):
            with self.assertRaises(points.InvalidArgument):
                self.ledger.earn(self.alice, 1, "PTS", category=bad)
        for bad in ("", "x" * 65, "a\tb"):
            with self.assertRaises(points.InvalidArgument):
                self.ledger.earn(self.alice, 1, "PTS", actor=bad)
        self.assertEqual(self.available(self.alice), 0)

    def test_they_are_part_of_the_idempotent_request(self):
        l = self.ledger
        t = l.earn(self.alice, 5, "PTS", idempotency_key="k",
                   category="training")
        self.assertTrue(l.earn(self.alice, 5, "PTS", idempotency_key="k",
                               category="training").replayed)
        with self.assertRaises(points.Conflict):
            l.earn(self.alice, 5, "PTS", idempotency_key="k")
        with self.assertRaises(points.Conflict):
            l.earn(self.alice, 5, "PTS", idempotency_key="k",
                   category="training", actor="hr")
        self.assertEqual(self.available(self.alice), t.amount)


class PartyTest(LedgerCase):

    def test_entries_keep_department_and_tier_as_posted(self):
        l, a = self.ledger, self.alice
        l.update_account(a, tier="gold", department="R&D")
        l.earn(a, 10, "PTS")
        l.change_account(a, department="Sales", actor="hr", reason="moved")
        l.earn(a, 10, "PTS")
        newer, older = l.statement(a, "PTS")
        self.assertEqual((newer.department, newer.tier), ("Sales", "gold"))
        self.assertEqual((older.department, older.tier), ("R&D", "gold"))
        self.assertEqual(list(l.statement(self.bob, "PTS")), [])


class HistoryTest(LedgerCase):

    def test_changes_with_actor_and_reason(self):
        l, a = self.ledger, self.alice
        acct = l.change_account(a, tier="gold", department="R&D",
                                status=points.FROZEN, actor="hr:7",
                                reason="audit", idempotency_key="c1")
        self.assertEqual((acct.tier, acct.department, acct.status),
                         ("gold", "R&D", points.FROZEN))
        # a retry changes nothing; another request under the key conflicts
        self.assertEqual(l.change_account(
            a, tier="gold", department="R&D", status=points.FROZEN,
            actor="hr:7", reason="audit", idempotency_key="c1"), acct)
        with self.assertRaises(points.Conflict):
            l.change_account(a, tier="silver", idempotency_key="c1")
        l.unfreeze(a)
        changes = list(l.account_history(a))
        self.assertEqual([c.kind for c in changes],
                         ["department", "tier", "status", "status"])
        self.assertEqual(changes[2], points.AccountChange(
            a.id, 3, T0, points.CHANGE_STATUS, "active", "frozen", "hr:7",
            "audit"))
        self.assertEqual((changes[3].actor, changes[3].reason), ("", ""))
        self.assertEqual(len(list(l.account_history())), 4)
        with self.assertRaises(points.StateError):
            l.change_account(a, status=points.ACTIVE)
        with self.assertRaises(points.InvalidArgument):
            l.change_account(a)
        with self.assertRaises(points.NotFound):
            list(l.account_history(999))

    def test_erase_keeps_the_ledger_verifiable(self):
        l = self.ledger
        c = l.create_account("E9", "Zhang Xiuying")
        l.set_attr(c, "phone", "555")
        l.earn(c, 5, "PTS")
        with self.assertRaises(points.StateError):
            l.erase_account(c, actor="dpo", reason="request")
        l.spend(c, 5, "PTS")
        l.close_account(c)
        l.erase_account(c, actor="dpo", reason="request")
        l.erase_account(c)  # again: nothing
        acct = l.account(c)
        self.assertEqual((acct.external_id, acct.name), ("", ""))
        with self.assertRaises(points.NotFound):
            l.find_account("E9")
        self.assertIsNone(l.get_attr(c, "phone", None))
        last = list(l.account_history(c))[-1]
        self.assertEqual((last.kind, last.old_value, last.new_value,
                          last.actor), ("erase", "", "", "dpo"))
        self.assertEqual(l.verify().bad_seq, 0)


class RandomModelTest(LedgerCase):
    """A seeded walk of changes and postings against a small model."""

    def test_against_a_model(self):
        rng = random.Random(17)
        l = self.ledger
        depts, tiers = ["", "R&D", "Sales"], ["", "gold"]
        accts = [self.alice, self.bob]
        state = {x.id: {"dept": "", "tier": "", "hist": [], "entries": []}
                 for x in accts}
        for _ in range(150):
            x = rng.choice(accts)
            m = state[x.id]
            if rng.random() < 0.4:
                d, t = rng.choice(depts), rng.choice(tiers)
                actor = rng.choice([None, "hr"])
                l.change_account(x, department=d, tier=t, actor=actor)
                if d != m["dept"]:
                    m["hist"].append(("department", m["dept"], d,
                                      actor or ""))
                if t != m["tier"]:
                    m["hist"].append(("tier", m["tier"], t, actor or ""))
                m["dept"], m["tier"] = d, t
            else:
                cat = rng.choice([None, "training", "order"])
                l.earn(x, 1, "PTS", category=cat)
                m["entries"].append((cat or "", m["dept"], m["tier"]))
            got = [(c.kind, c.old_value, c.new_value, c.actor)
                   for c in l.account_history(x)]
            self.assertEqual(got, m["hist"])
            got = [(e.category, e.department, e.tier)
                   for e in l.statement(x, "PTS", oldest_first=True)]
            self.assertEqual(got, m["entries"])


class SqliteMetaTest(HistoryTest):
    uri = "sqlite"


if __name__ == "__main__":
    unittest.main()
