"""The ledger through the idiomatic layer: every operation's success."""

import os
import unittest
from datetime import datetime, timezone

import points
from helpers import LedgerCase, T0, DAY


class AssetTest(LedgerCase):

    def test_create_and_get(self):
        a = self.ledger.create_asset("WELFARE", 2, points.EXPIRE_YEAR_END, 1)
        self.assertEqual(a, points.Asset("WELFARE", 2,
                                         points.EXPIRE_YEAR_END, 1))
        self.assertEqual(self.ledger.asset("PTS").expiry_policy,
                         points.EXPIRE_DAYS)
        self.assertEqual(self.ledger.asset("PTS").expiry_n, 365)

    def test_year_end_policy(self):
        self.ledger.create_asset("WELFARE", 0, points.EXPIRE_YEAR_END, 1)
        self.ledger.earn(self.alice, 10, "WELFARE")  # earned in 2023
        (lot,) = self.ledger.lots(self.alice, "WELFARE")
        self.assertEqual(lot.expires.date().isoformat(), "2024-12-31")


class AccountTest(LedgerCase):

    def test_create_get_find(self):
        a = self.ledger.account(self.alice.id)
        self.assertEqual(a, self.alice)
        self.assertEqual(a.external_id, "E1001")
        self.assertEqual(a.name, "Alice")
        self.assertEqual(a.status, points.ACTIVE)
        self.assertEqual(a.created_at, T0)
        self.assertEqual(a.created, datetime.fromtimestamp(T0, timezone.utc))
        self.assertFalse(a.system)
        self.assertEqual(self.ledger.find_account("E1002"), self.bob)
        self.assertEqual(self.ledger.account(self.bob), self.bob)
        issuer = self.ledger.account(points.ISSUER)
        self.assertTrue(issuer.system)
        self.assertEqual(issuer.external_id, "system:issuer")
        c = self.ledger.create_account("E1003", flags=points.ALLOW_NEGATIVE)
        self.assertEqual(c.name, "")
        self.assertEqual(c.flags, points.ALLOW_NEGATIVE)

    def test_update(self):
        a = self.ledger.update_account(self.alice, tier="gold",
                                       department="R&D")
        self.assertEqual((a.name, a.tier, a.department),
                         ("Alice", "gold", "R&D"))
        a = self.ledger.update_account(self.alice, name="Alice Liu",
                                       tier="")
        self.assertEqual((a.name, a.tier, a.department),
                         ("Alice Liu", "", "R&D"))
        self.assertEqual(self.ledger.account(self.alice), a)

    def test_attributes(self):
        self.ledger.set_attr(self.alice, "cost_center", "CC-7")
        self.ledger.set_attr(self.alice, "城市", "上海")
        self.assertEqual(self.ledger.get_attr(self.alice, "cost_center"),
                         "CC-7")
        self.assertEqual(self.ledger.get_attr(self.alice, "城市"), "上海")
        self.ledger.set_attr(self.alice, "cost_center", None)
        self.assertIsNone(self.ledger.get_attr(self.alice, "cost_center",
                                               None))
        self.assertEqual(self.ledger.get_attr(self.bob, "x", "d"), "d")

    def test_freeze_unfreeze_close(self):
        self.ledger.freeze(self.alice)
        self.assertTrue(self.ledger.account(self.alice).frozen)
        with self.assertRaises(points.Frozen):
            self.ledger.earn(self.alice, 10, "PTS")
        self.ledger.unfreeze(self.alice)
        self.ledger.earn(self.alice, 10, "PTS")
        self.assertFalse(self.ledger.account(self.alice).frozen)
        self.ledger.spend(self.alice, 10, "PTS")
        self.ledger.close_account(self.alice)
        self.assertTrue(self.ledger.account(self.alice).closed)

    def test_iterate(self):
        ids = [a.id for a in self.ledger.accounts()]
        self.assertEqual(ids, [1, 2, 3, self.alice.id, self.bob.id])
        from_alice = list(self.ledger.accounts(self.bob.id))
        self.assertEqual(from_alice, [self.bob])
        many = [self.ledger.create_account("N%04d" % i).id
                for i in range(300)]  # more than one buffer of the iterator
        self.assertEqual([a.id for a in self.ledger.accounts(many[0])], many)


class PostingTest(LedgerCase):

    def test_earn_spend_transfer(self):
        t = self.ledger.earn(self.alice, 200, "PTS", "certificate")
        self.assertEqual(t.kind, "earn")
        self.assertEqual((t.from_account, t.to_account, t.amount),
                         (points.ISSUER, self.alice.id, 200))
        self.assertEqual(t.memo, "certificate")
        self.assertEqual(t.time, T0)
        self.assertEqual(len(t.id), 36)
        self.assertEqual(t.id[14], "7")  # UUIDv7
        s = self.ledger.spend(self.alice, 100, "PTS", "gift")
        self.assertEqual((s.type, s.from_account, s.to_account),
                         (points.SPEND, self.alice.id, points.SINK))
        x = self.ledger.transfer(self.alice, self.bob, 30, "PTS", "thanks")
        self.assertEqual(x.kind, "transfer")
        self.assertEqual(self.available(self.alice), 70)
        self.assertEqual(self.available(self.bob), 30)
        b = self.ledger.balance(self.alice, "PTS")
        self.assertEqual((b.earned, b.spent, b.held, b.expired),
                         (200, 130, 0, 0))
        self.assertEqual(self.ledger.txn(s.id), s)
        self.assertGreater(s.seq, t.seq)

    def test_counterparties_and_times(self):
        when = datetime(2023, 11, 1, 12, 0, tzinfo=timezone.utc)
        t = self.ledger.earn(self.alice, 10, "PTS", time=when,
                             expires_at=when.replace(year=2030))
        self.assertEqual(t.time, int(when.timestamp()))
        self.assertEqual(t.when, when)
        (lot,) = self.ledger.lots(self.alice, "PTS")
        # lots keep whole days: valid to the last second of that day
        end = datetime(2030, 11, 1, 23, 59, 59, tzinfo=timezone.utc)
        self.assertEqual(lot.expires, end)
        naive = datetime(2023, 11, 2)  # naive datetimes are UTC
        t = self.ledger.earn(self.bob, 10, "PTS", time=naive)
        self.assertEqual(t.time, int(naive.replace(tzinfo=timezone.utc)
                                     .timestamp()))
        # a host's own system accounts: a budget to earn from, a shop's
        # account to spend into
        budget = self.ledger.create_account(
            "budget:2023", flags=points.SYSTEM | points.ALLOW_NEGATIVE)
        shop = self.ledger.create_account("shop:mall", flags=points.SYSTEM)
        t = self.ledger.earn(self.alice, 6, "PTS", counterparty=budget)
        self.assertEqual(t.from_account, budget.id)
        s = self.ledger.spend(self.alice, 4, "PTS", counterparty=shop)
        self.assertEqual(s.to_account, shop.id)
        self.assertEqual(self.available(shop), 4)
        self.assertEqual(self.available(budget), -6)

    def test_adjust(self):
        a = self.ledger.adjust(self.alice, 50, "PTS", "missed bonus")
        self.assertEqual((a.kind, a.to_account, a.memo),
                         ("adjust", self.alice.id, "missed bonus"))
        self.ledger.adjust(self.alice, -20, "PTS", "double entry fix")
        self.assertEqual(self.available(self.alice), 30)

    def test_reverse_whole_and_part(self):
        self.ledger.earn(self.alice, 100, "PTS")
        s = self.ledger.spend(self.alice, 60, "PTS")
        r = self.ledger.reverse(s, 20, "partial refund")
        self.assertEqual((r.kind, r.ref, r.amount),
                         ("reversal", s.id, 20))
        self.assertEqual(self.available(self.alice), 60)
        self.ledger.reverse(s.id)  # the rest: 40
        self.assertEqual(self.available(self.alice), 100)
        with self.assertRaises(points.StateError):
            self.ledger.reverse(s, 1)  # nothing left to reverse
        # the refunded points kept their lot's expiry
        (lot,) = self.ledger.lots(self.alice, "PTS")
        self.assertEqual(lot.amount, 100)

    def test_refund_of_spent_points_leaves_a_debt(self):
        e = self.ledger.earn(self.alice, 300, "PTS")
        self.ledger.spend(self.alice, 250, "PTS")
        with self.assertRaises(points.InsufficientPoints):
            self.ledger.reverse(e, no_debt=True)
        r = self.ledger.reverse(e, memo="order refunded")
        self.assertEqual((r.amount, r.debt, r.repaid), (300, 250, 0))
        b = self.ledger.balance(self.alice, "PTS")
        self.assertEqual((b.available, b.debt, b.earned, b.spent),
                         (0, 250, 0, 250))
        entry = next(iter(self.ledger.statement(self.alice, "PTS")))
        self.assertEqual((entry.kind, entry.amount, entry.debt),
                         ("reversal", -50, 250))
        # the next earn repays first
        t = self.ledger.earn(self.alice, 300, "PTS")
        self.assertEqual(t.repaid, 250)
        b = self.ledger.balance(self.alice, "PTS")
        self.assertEqual((b.available, b.debt), (50, 0))

    def test_forfeit_a_leaver(self):
        pool = self.ledger.create_account("system:forfeit",
                                          flags=points.SYSTEM)
        self.ledger.earn(self.alice, 100, "PTS")
        with self.ledger.hold(self.alice, 30, "PTS", "order") as h:
            r = self.ledger.forfeit(self.alice, "left", to=pool,
                                    idempotency_key="leaver-1")
            self.assertEqual(h.refresh().state, points.HOLD_RELEASED)
        self.assertEqual((r.account, r.holds, r.forfeited, r.written_off,
                          r.replayed), (self.alice.id, 1, 1, 0, 0))
        self.assertEqual(r.last_seq - r.first_seq, 1)
        self.assertEqual(r.when.timestamp(), r.time)
        self.assertEqual(self.available(pool), 100)
        self.assertEqual(self.ledger.account(self.alice).status,
                         points.CLOSED)
        entry = next(iter(self.ledger.statement(self.alice, "PTS")))
        self.assertEqual((entry.kind, entry.amount), ("forfeit", -100))
        again = self.ledger.forfeit(self.alice, "left", to=pool,
                                    idempotency_key="leaver-1")
        self.assertEqual(again._replace(replayed=0), r)
        self.assertEqual(again.replayed, 1)
        with self.assertRaises(points.AccountClosed):
            self.ledger.forfeit(self.alice)
        with self.assertRaises(points.InvalidArgument):
            self.ledger.forfeit(self.bob, to=self.alice)

    def test_forfeit_writes_a_debt_off(self):
        e = self.ledger.earn(self.alice, 300, "PTS")
        self.ledger.spend(self.alice, 250, "PTS")
        self.ledger.reverse(e)
        with self.assertRaises(points.StateError):
            self.ledger.close_account(self.alice)
        r = self.ledger.forfeit(self.alice)
        self.assertEqual((r.forfeited, r.written_off), (0, 1))
        b = self.ledger.balance(self.alice, "PTS")
        self.assertEqual((b.debt, b.earned, b.spent), (0, 250, 250))

    def test_reverse_idempotent(self):
        t = self.ledger.earn(self.alice, 10, "PTS")
        r1 = self.ledger.reverse(t, idempotency_key="r")
        r2 = self.ledger.reverse(t, idempotency_key="r")
        self.assertEqual(r1.id, r2.id)
        self.assertEqual(r2.replayed, 1)

    def test_reverse_key_with_another_request_conflicts(self):
        t = self.ledger.earn(self.alice, 10, "PTS")
        self.ledger.reverse(t, 4, "part", idempotency_key="r")
        for changed in (dict(amount=5), dict(memo="other"),
                        dict(no_debt=True)):
            args = dict(amount=4, memo="part")
            args.update(changed)
            with self.assertRaises(points.Conflict):
                self.ledger.reverse(t, idempotency_key="r", **args)
        self.assertEqual(self.available(self.alice), 6)


class StatementTest(LedgerCase):

    def setUp(self):
        super().setUp()
        for day in range(5):
            self.ledger.earn(self.alice, 10 + day, "PTS", "day %d" % day,
                             time=T0 + day * DAY)
        self.ledger.spend(self.alice, 5, "PTS", time=T0 + 5 * DAY)

    def test_orders(self):
        newest = list(self.ledger.statement(self.alice, "PTS"))
        oldest = list(self.ledger.statement(self.alice, "PTS",
                                            oldest_first=True))
        self.assertEqual(len(newest), 6)
        self.assertEqual(newest, oldest[::-1])
        self.assertEqual(newest[0].amount, -5)
        self.assertEqual(newest[0].kind, "spend")
        self.assertEqual(oldest[0].memo, "day 0")
        self.assertEqual(oldest[0].counterparty, points.ISSUER)
        self.assertEqual(sum(e.amount for e in oldest), 55)

    def test_range(self):
        mid = list(self.ledger.statement(self.alice, "PTS", T0 + DAY,
                                         T0 + 3 * DAY, oldest_first=True))
        self.assertEqual([e.amount for e in mid], [11, 12])
        since = datetime.fromtimestamp(T0 + 4 * DAY, timezone.utc)
        self.assertEqual([e.amount for e in
                          self.ledger.statement(self.alice, "PTS", since)],
                         [-5, 14])
        self.assertEqual(list(self.ledger.statement(self.bob, "PTS")), [])

    def test_partial_iteration_and_close(self):
        it = self.ledger.statement(self.alice, "PTS")
        first = next(it)
        self.assertEqual(first.amount, -5)
        it.close()
        self.assertEqual(list(it), [])
        with self.ledger.statement(self.alice, "PTS") as it2:
            self.assertEqual(next(it2).amount, -5)


class LotsAndExpiryTest(LedgerCase):

    def test_fifo_lots_and_sweep(self):
        self.ledger.earn(self.alice, 100, "PTS", time=T0)
        self.ledger.earn(self.alice, 50, "PTS", time=T0 + 100 * DAY)
        self.ledger.spend(self.alice, 30, "PTS", time=T0 + 101 * DAY)
        lots = list(self.ledger.lots(self.alice, "PTS"))
        self.assertEqual([l.amount for l in lots], [70, 50])
        self.assertLess(lots[0].expires_at, lots[1].expires_at)
        self.assertFalse(lots[0].never_expires)
        # expiring within 366 days of T0: only the first lot
        soon = list(self.ledger.expiring("PTS", 366))
        self.assertEqual([(l.account, l.amount) for l in soon],
                         [(self.alice.id, 70)])
        self.assertEqual(list(self.ledger.expiring("PTS", 366, self.bob)),
                         [])
        self.ledger.set_clock(T0 + 400 * DAY)
        report = self.ledger.expire_sweep(T0 + 400 * DAY)
        self.assertEqual(report, points.SweepReport(1, 1, 70, 0, ""))
        self.assertEqual(self.ledger.expire_sweep(T0 + 400 * DAY),
                         points.SweepReport(0, 0, 0, 0, ""))  # idempotent
        b = self.ledger.balance(self.alice, "PTS")
        self.assertEqual((b.available, b.expired), (50, 70))
        self.assertEqual(self.available(points.EXPIRY), 70)

    def test_sweep_defaults_to_the_clock(self):
        self.ledger.earn(self.alice, 10, "PTS")
        self.assertEqual(self.ledger.expire_sweep().lots, 0)
        self.ledger.set_clock(T0 + 400 * DAY)
        self.assertEqual(self.ledger.now(), T0 + 400 * DAY)
        self.assertEqual(self.ledger.expire_sweep().points, 10)

    def test_expiry_takes_effect_at_its_moment(self):
        self.ledger.earn(self.alice, 100, "PTS")
        self.ledger.set_clock(T0 + 366 * DAY)
        # gone without a sweep: the read, the lots, a spend
        b = self.ledger.balance(self.alice, "PTS")
        self.assertEqual((b.available, b.expired), (0, 100))
        self.assertEqual(list(self.ledger.lots(self.alice, "PTS")), [])
        with self.assertRaises(points.InsufficientPoints):
            self.ledger.spend(self.alice, 1, "PTS")
        # a write touching the account posts the expiry first
        t = self.ledger.earn(self.alice, 5, "PTS")
        (e, prev) = list(self.ledger.statement(self.alice, "PTS"))[:2]
        self.assertEqual((e.seq, prev.kind, prev.amount),
                         (t.seq, "expire", -100))
        self.assertEqual(self.available(points.EXPIRY), 100)

    def test_sweep_ahead_of_the_clock_and_its_reversal(self):
        self.ledger.earn(self.alice, 100, "PTS")
        with self.assertRaises(points.InvalidArgument):
            self.ledger.expire_sweep(T0 + 400 * DAY)
        report = self.ledger.expire_sweep(T0 + 400 * DAY, future=True)
        self.assertEqual(report.points, 100)
        self.assertEqual(self.available(self.alice), 0)
        # the wrong cron line is undone: the lot comes back as it was
        (e,) = list(self.ledger.statement(self.alice, "PTS"))[:1]
        self.assertEqual(e.kind, "expire")
        self.ledger.reverse(e.txn_id, memo="wrong cron line")
        b = self.ledger.balance(self.alice, "PTS")
        self.assertEqual((b.available, b.expired), (100, 0))
        (lot,) = self.ledger.lots(self.alice, "PTS")
        self.assertEqual(lot.expires_at, T0 - T0 % DAY + 366 * DAY - 1)

    def test_sweep_of_one_asset(self):
        self.ledger.create_asset("EXQ", 0, points.EXPIRE_DAYS, 1)
        self.ledger.earn(self.alice, 7, "EXQ")
        self.ledger.earn(self.bob, 9, "PTS")
        self.ledger.set_clock(T0 + 400 * DAY)
        report = self.ledger.expire_sweep(asset="EXQ")
        self.assertEqual(report, points.SweepReport(1, 1, 7, 0, "EXQ"))
        self.assertEqual(self.available(points.EXPIRY, "PTS"), 0)
        self.assertEqual(self.ledger.expire_sweep(asset="PTS").points, 9)
        with self.assertRaises(points.NotFound):
            self.ledger.expire_sweep(asset="NOPE")

    def test_expires_at_past_the_last_lot_day_is_refused(self):
        with self.assertRaises(points.InvalidArgument):
            self.ledger.earn(self.alice, 5, "PTS", expires_at=2**63 - 2)
        self.ledger.earn(self.alice, 5, "PTS", expires_at=points.NEVER)
        (lot,) = self.ledger.lots(self.alice, "PTS")
        self.assertTrue(lot.never_expires)

    def test_never_expiring(self):
        self.ledger.create_asset("COIN")
        self.ledger.earn(self.alice, 5, "COIN")
        (lot,) = self.ledger.lots(self.alice, "COIN")
        self.assertTrue(lot.never_expires)
        self.assertIsNone(lot.expires)
        self.assertEqual(lot.expires_at, points.NEVER)


class HoldTest(LedgerCase):

    def setUp(self):
        super().setUp()
        self.ledger.earn(self.alice, 100, "PTS")

    def test_capture_part(self):
        h = self.ledger.hold(self.alice, 60, "PTS", "order 42")
        self.assertTrue(h.open)
        b = self.ledger.balance(self.alice, "PTS")
        self.assertEqual((b.available, b.held), (40, 60))
        t = h.capture(45, memo="shipped")
        self.assertEqual((t.kind, t.amount, t.ref), ("capture", 45, h.id))
        self.assertEqual((h.state, h.captured), (points.HOLD_CAPTURED, 45))
        b = self.ledger.balance(self.alice, "PTS")
        self.assertEqual((b.available, b.held), (55, 0))
        self.assertEqual(self.ledger.get_hold(h.id).captured, 45)

    def test_capture_into_account(self):
        h = self.ledger.hold(self.alice, 30, "PTS")
        h.capture(to=self.bob)
        self.assertEqual(self.available(self.bob), 30)

    def test_with_block_releases(self):
        with self.ledger.hold(self.alice, 70, "PTS") as h:
            self.assertEqual(self.ledger.balance(self.alice, "PTS").held, 70)
        self.assertEqual(h.state, points.HOLD_RELEASED)
        self.assertEqual(self.available(self.alice), 100)
        with self.assertRaises(RuntimeError):
            with self.ledger.hold(self.alice, 10, "PTS") as h2:
                raise RuntimeError("checkout failed")
        self.assertEqual(h2.state, points.HOLD_RELEASED)
        with self.ledger.hold(self.alice, 10, "PTS") as h3:
            h3.capture()
        self.assertEqual(h3.state, points.HOLD_CAPTURED)
        self.assertEqual(self.available(self.alice), 90)

    def test_settling_with_a_key_replays(self):
        h = self.ledger.hold(self.alice, 60, "PTS")
        t1 = h.capture(45, memo="shipped", idempotency_key="ship-42")
        t2 = h.capture(45, memo="shipped", idempotency_key="ship-42")
        self.assertEqual((t2.id, t2.replayed), (t1.id, 1))
        with self.assertRaises(points.Conflict):
            h.capture(44, memo="shipped", idempotency_key="ship-42")
        with self.assertRaises(points.StateError):
            h.capture(45, memo="shipped")  # no key: settled once
        h2 = self.ledger.hold(self.alice, 10, "PTS")
        r1 = h2.release("cancelled", idempotency_key="cancel-43")
        r2 = h2.release("cancelled", idempotency_key="cancel-43")
        self.assertEqual((r2.id, r2.replayed), (r1.id, 1))
        self.assertEqual(self.available(self.alice), 55)

    def test_release_and_expiry(self):
        h = self.ledger.hold(self.alice, 10, "PTS")
        t = h.release("cancelled")
        self.assertEqual((t.kind, h.state), ("release", points.HOLD_RELEASED))
        h2 = self.ledger.hold(self.alice, 20, "PTS", expires_at=T0 + DAY)
        self.assertEqual(h2.expires_at, T0 + DAY)
        report = self.ledger.expire_sweep(T0 + 2 * DAY, future=True)
        self.assertEqual(report.holds, 1)
        self.assertEqual(h2.refresh().state, points.HOLD_EXPIRED)
        with self.assertRaises(points.StateError):
            h2.capture()
        self.assertEqual(self.available(self.alice), 100)


class BatchTest(LedgerCase):

    def test_commit(self):
        with self.ledger.batch():
            for _ in range(10):
                self.ledger.earn(self.alice, 1, "PTS")
        self.assertEqual(self.available(self.alice), 10)

    def test_exception_rolls_back(self):
        with self.assertRaises(KeyError):
            with self.ledger.batch():
                self.ledger.earn(self.alice, 10, "PTS")
                raise KeyError("host failure")
        self.assertEqual(self.available(self.alice), 0)

    def test_failed_check_inside_goes_on(self):
        with self.ledger.batch():
            self.ledger.earn(self.alice, 10, "PTS")
            with self.assertRaises(points.InsufficientPoints):
                self.ledger.spend(self.alice, 50, "PTS")
            self.ledger.spend(self.alice, 4, "PTS")
        self.assertEqual(self.available(self.alice), 6)

    def test_explicit_calls(self):
        self.ledger.begin_batch()
        self.ledger.earn(self.alice, 10, "PTS")
        self.ledger.rollback_batch()
        self.ledger.begin_batch()
        self.ledger.earn(self.alice, 7, "PTS")
        self.ledger.commit_batch()
        self.assertEqual(self.available(self.alice), 7)


class ClockTest(unittest.TestCase):

    def test_system_clock(self):
        import time
        with points.Ledger.open("memory:") as ledger:
            self.assertLessEqual(abs(ledger.now() - time.time()), 5)
            with self.assertRaises(points.Misuse):
                ledger.set_clock(T0)

    def test_settable_clock_and_utc_offset(self):
        # 2023-12-31 20:00 UTC is already 2024 at UTC+8
        t = int(datetime(2023, 12, 31, 20, tzinfo=timezone.utc).timestamp())
        with points.Ledger.open("memory:", clock=t,
                                utc_offset=8 * 3600) as ledger:
            ledger.create_asset("PTS", 0, points.EXPIRE_YEAR_END, 1)
            a = ledger.create_account("E1")
            ledger.earn(a, 1, "PTS")
            (lot,) = ledger.lots(a, "PTS")
            # earned in 2024 (local): expires at the end of 2025, local time
            end = datetime(2025, 12, 31, 23, 59, 59, tzinfo=timezone.utc)
            self.assertEqual(lot.expires_at, int(end.timestamp()) - 8 * 3600)
            ledger.set_clock(datetime(2030, 1, 1))
            self.assertEqual(ledger.now(),
                             int(datetime(2030, 1, 1, tzinfo=timezone.utc)
                                 .timestamp()))


class SqliteTest(LedgerCase):
    uri = "sqlite"

    def test_persistence(self):
        t = self.ledger.earn(self.alice, 25, "PTS", "kept")
        self.ledger.set_attr(self.alice, "k", "v")
        self.ledger.close()
        with points.Ledger.open(self.make_uri(), clock=T0) as again:
            self.assertEqual(again.balance(self.alice, "PTS").available, 25)
            self.assertEqual(again.txn(t.id), t)
            self.assertEqual(again.get_attr(self.alice, "k"), "v")
            self.assertEqual(again.find_account("E1002"), self.bob)
            self.assert_invariants(again)

    def test_open_options_in_uri(self):
        uri = self.make_uri() + "?busy_timeout=100&sync=full"
        with points.Ledger.open(uri) as other:
            self.assertEqual(other.account(self.alice), self.alice)
        with self.assertRaises(points.InvalidArgument):
            points.Ledger.open(self.make_uri() + "?sync=sometimes")


class SettingsTest(LedgerCase):
    """The UTC offset is stored in the ledger when it is created."""
    uri = "sqlite"

    def test_offset_is_the_ledgers(self):
        self.assertEqual(self.ledger.settings(), points.Settings(0))
        self.assertEqual(self.ledger.utc_offset, 0)
        uri = "sqlite:" + os.path.join(self.dir, "beijing.db")
        with points.Ledger.open(uri, utc_offset=8 * 3600) as ledger:
            self.assertEqual(ledger.settings().utc_offset, 8 * 3600)
        with points.Ledger.open(uri) as ledger:  # the ledger's
            self.assertEqual(ledger.utc_offset, 8 * 3600)
        with points.Ledger.open(uri, utc_offset=8 * 3600) as ledger:
            self.assertEqual(ledger.utc_offset, 8 * 3600)
        for other in (0, 3600):
            with self.assertRaises(points.InvalidArgument) as cm:
                points.Ledger.open(uri, utc_offset=other)
            self.assertIn("conflicts with the ledger's UTC offset 28800 "
                          "(+08:00)", cm.exception.message)
        with self.assertRaises(points.InvalidArgument):
            points.Ledger.open(uri, utc_offset=15 * 3600)
        with self.assertRaises(TypeError):
            points.Ledger.open(uri, utc_offset=True)

    def test_partitions_are_fixed_when_the_ledger_is_made(self):
        uri = "sqlite:" + os.path.join(self.dir, "parts.db")
        with points.Ledger.open(uri, partitions=4) as ledger:
            ledger.create_asset("PTS")
            a = ledger.create_account("E1")
            b = ledger.create_account("E2")  # in another partition
            ledger.earn(a, 100, "PTS")
            t = ledger.transfer(a, b, 30, "PTS")
            self.assertEqual((t.from_account, t.to_account), (a.id, b.id))
            self.assertEqual(ledger.balance(b, "PTS").available, 30)
            # the earn, and the transfer's two legs
            self.assertEqual(ledger.verify().entries, 3)
            # one head per partition: the single head is refused
            with self.assertRaises(points.InvalidArgument) as cm:
                ledger.chain_head()
            self.assertIn("4 partitions", cm.exception.message)
        with self.assertRaises(points.InvalidArgument) as cm:
            points.Ledger.open(uri, partitions=2)
        self.assertIn("made in 4 partitions", cm.exception.message)
        with points.Ledger.open(uri) as ledger:  # the ledger's
            self.assertEqual(ledger.balance(a, "PTS").available, 70)
        with points.Ledger.open(uri, partitions=4) as ledger:
            self.assertEqual(ledger.verify().entries, 3)
        # the default here: one partition, one head
        self.ledger.chain_head()
        with self.assertRaises(points.InvalidArgument):
            points.Ledger.open(uri, partitions=0)
        with self.assertRaises(TypeError):
            points.Ledger.open(uri, partitions="4")

    def test_mode_rw_opens_only_an_existing_ledger(self):
        missing = os.path.join(self.dir, "missing.db")
        with self.assertRaises(points.NotFound) as cm:
            points.Ledger.open("sqlite:" + missing + "?mode=rw")
        self.assertIn("mode=rw opens an existing ledger only",
                      cm.exception.message)
        self.assertFalse(os.path.exists(missing))
        with points.Ledger.open(self.make_uri() + "?mode=rw") as again:
            self.assertEqual(again.account(self.alice), self.alice)
        with self.assertRaises(points.InvalidArgument):
            points.Ledger.open("memory:?mode=rw")

    def test_foreign_database_is_refused_untouched(self):
        import sqlite3
        path = os.path.join(self.dir, "app.db")
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE orders(id INTEGER PRIMARY KEY)")
        con.commit()
        con.close()
        with open(path, "rb") as f:
            before = f.read()
        with self.assertRaises(points.InvalidArgument) as cm:
            points.Ledger.open("sqlite:" + path)
        self.assertIn("is not a libpoints ledger", cm.exception.message)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), before)
        self.assertFalse(os.path.exists(path + "-wal"))


class NewerLedgerTest(LedgerCase):
    """An entry of a type a newer library wrote (42): the same record
    layout with another type byte, the hash chain recomputed from it on
    (BLAKE2b-256 over the previous hash, the seq as 8 bytes big-endian
    and the record before its hash)."""
    uri = "sqlite"

    def retype(self, seq, type_):
        import hashlib
        import sqlite3
        path = self.make_uri()[len("sqlite:"):]
        con = sqlite3.connect(path)
        rows = con.execute("SELECT k, v FROM ks_entry ORDER BY k").fetchall()
        prev = bytes(32)
        for k, v in rows:
            v = bytearray(v)
            if k == seq:
                v[1] = type_
            if k >= seq:
                h = hashlib.blake2b(digest_size=32)
                h.update(prev + k.to_bytes(8, "big") + bytes(v[:-32]))
                v[-32:] = h.digest()
                con.execute("UPDATE ks_entry SET v = ? WHERE k = ?",
                            (bytes(v), k))
            prev = bytes(v[-32:])
        con.commit()
        con.close()

    def test_unknown_type_is_read_generically(self):
        self.ledger.earn(self.alice, 100, "PTS", "first")
        t = self.ledger.transfer(self.alice, self.bob, 30, "PTS", "future")
        self.ledger.earn(self.bob, 5, "PTS", "after")
        self.ledger.close()
        self.retype(t.seq, 42)
        self.ledger = points.Ledger.open(self.make_uri(), clock=T0)
        self.assertEqual(self.ledger.verify().entries, 3)
        got = self.ledger.txn(t.id)
        self.assertEqual((got.type, got.kind, got.amount), (42, "42", 30))
        self.assertEqual((got.from_account, got.to_account),
                         (self.alice.id, self.bob.id))
        first = next(iter(self.ledger.statement(self.alice, "PTS")))
        self.assertEqual((first.type, first.amount, first.counterparty),
                         (42, -30, self.bob.id))
        with self.assertRaises(points.VersionError) as cm:
            self.ledger.reverse(t.id)
        self.assertIn("type 42", str(cm.exception))
        self.assertEqual(self.available(self.alice), 70)


class VersionTest(unittest.TestCase):

    def test_versions(self):
        self.assertEqual(points.library_version(), points.capi.POINTS_VERSION)
        self.assertEqual(points.library_version_number(),
                         points.capi.POINTS_VERSION_NUMBER)
        self.assertEqual(points.__version__, points.library_version())


if __name__ == "__main__":
    unittest.main()
