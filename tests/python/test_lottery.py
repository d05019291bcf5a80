"""Lotteries through the Python binding: create, draw, close, audit."""

import hashlib
import unittest

import points
from helpers import LedgerCase, T0, DAY


class LotteryTest(LedgerCase):

    def anniversary(self, **kw):
        prizes = [(points.PRIZE_CUSTOM, "tablet", 1, 1, 0),
                  (points.PRIZE_CUSTOM, "smart watch", 2, 2, 0),
                  (points.PRIZE_POINTS, "shopping card", 7, 5, 30)]
        return self.ledger.lottery_create("anniversary", "PTS", 50, T0,
                                          T0 + 7 * DAY, prizes,
                                          min_balance=100, lose_weight=90,
                                          **kw)

    def test_create_draw_close_audit(self):
        lg = self.ledger
        lot = self.anniversary(limit_total=3)
        self.assertIsInstance(lot, points.Lottery)
        self.assertEqual((lot.name, lot.asset, lot.cost, lot.min_balance,
                          lot.limit_total, lot.lose_weight, lot.nprizes,
                          lot.state, lot.draws, lot.seed),
                         ("anniversary", "PTS", 50, 100, 3, 90, 3,
                          points.LOTTERY_OPEN, 0, ""))
        self.assertEqual(len(lot.commitment), 64)
        card = lg.lottery_prize(lot.id, 2)
        self.assertIsInstance(card, points.LotteryPrize)
        self.assertEqual((card.kind, card.label, card.weight, card.stock,
                          card.initial, card.amount),
                         (points.PRIZE_POINTS, "shopping card", 7, 5, 5, 30))
        self.assertEqual([p.label for p in lg.lottery_prizes(lot.id)],
                         ["tablet", "smart watch", "shopping card"])

        lg.earn(self.alice, 500, "PTS")
        d = lg.lottery_draw(lot.id, self.alice, "alice-1")
        self.assertIsInstance(d, points.LotteryDraw)
        self.assertEqual((d.lottery, d.number, d.account, d.time, d.cost,
                          d.replayed),
                         (lot.id, 1, points.ledger.account_id(self.alice),
                          T0, 50, 0))
        self.assertEqual(self.available(self.alice), 450 + d.credited)
        again = lg.lottery_draw(lot.id, self.alice, "alice-1")
        self.assertEqual(again._replace(replayed=0), d)
        self.assertEqual(again.replayed, 1)
        self.assertEqual(lg.lottery_draw_get(lot.id, 1), d)
        self.assertEqual(self.available(self.alice), 450 + d.credited)
        if d.won:
            self.assertEqual(lg.lottery_prize(lot.id, d.outcome).stock,
                             lg.lottery_prize(lot.id, d.outcome).initial - 1)

        # Refusals name the reason and write nothing.
        lg.earn(self.bob, 60, "PTS")
        before = self.snapshot()
        with self.assertRaises(points.NotEligible) as e:
            lg.lottery_draw(lot.id, self.bob)
        self.assertIn("at least 100", e.exception.message)
        lg.lottery_draw(lot.id, self.alice)
        lg.lottery_draw(lot.id, self.alice)
        before = self.snapshot()
        with self.assertRaises(points.QuotaExceeded) as e:
            lg.lottery_draw(lot.id, self.alice)
        self.assertIn("limit of 3 draws", e.exception.message)
        self.assertEqual(self.snapshot(), before)
        with self.assertRaises(points.NotFound):
            lg.lottery_draw_get(lot.id, 9)
        lg.set_clock(T0 + 7 * DAY)
        with self.assertRaises(points.WindowClosed):
            lg.lottery_draw(lot.id, self.bob)
        self.assertEqual(self.snapshot(), before)

        with self.assertRaises(points.StateError):
            lg.lottery_audit(lot.id)  # the seed is still secret
        lg.lottery_close(lot.id)
        with self.assertRaises(points.StateError):
            lg.lottery_close(lot.id)
        with self.assertRaises(points.StateError):
            lg.lottery_draw(lot.id, self.alice)
        closed = lg.lottery(lot.id)
        self.assertTrue(closed.closed)
        self.assertEqual(closed.draws, 3)
        self.assertEqual(closed.commitment, lot.commitment)
        # The revealed seed is the one committed to at creation.
        self.assertEqual(hashlib.blake2b(bytes.fromhex(closed.seed),
                                         digest_size=32).hexdigest(),
                         lot.commitment)
        self.assertIsNone(lg.lottery_audit(lot.id))
        # The results, and the draws listed by lottery and by account.
        r = lg.lottery_results(lot.id)
        self.assertIsInstance(r, points.LotteryResults)
        self.assertEqual((r.participants, r.draws, r.collected),
                         (1, 3, 150))
        draws = list(lg.lottery_draws(lot.id))
        self.assertEqual([d.number for d in draws], [1, 2, 3])
        self.assertEqual(r.wins, sum(d.won for d in draws))
        self.assertEqual(r.credited, sum(d.credited for d in draws))
        mine = list(lg.lottery_draws(account=self.alice, won=True))
        # an account's draws come newest first
        self.assertEqual(mine, [d for d in reversed(draws) if d.won])
        self.assertEqual(list(lg.lottery_draws(account=self.bob)), [])
        with self.assertRaises(points.InvalidArgument):
            list(lg.lottery_draws())

    def test_bad_definitions(self):
        lg = self.ledger
        before = self.snapshot()
        with self.assertRaises(points.InvalidArgument) as e:
            lg.lottery_create("x" * 65, "PTS", 1, T0, T0 + DAY,
                              [(points.PRIZE_CUSTOM, "p", 1, 1, 0)])
        self.assertIn("lottery name is too long (at most 64 bytes)",
                      e.exception.message)
        with self.assertRaises(points.InvalidArgument) as e:
            lg.lottery_create("l", "PTS", 1, T0, T0 + DAY,
                              [(points.PRIZE_CUSTOM, "\u00e9" * 33, 1, 1,
                                0)])
        self.assertIn("prize 0's label is too long", e.exception.message)
        with self.assertRaises(points.InvalidArgument) as e:
            lg.lottery_create("many", "PTS", 1, T0, T0 + DAY,
                              [(points.PRIZE_CUSTOM, "p", 1, 1, 0)] * 17)
        self.assertIn("1 to 16 prizes (got 17)", e.exception.message)
        with self.assertRaises(points.InvalidArgument) as e:
            lg.lottery_create("none", "PTS", 1, T0, T0 + DAY, [])
        self.assertIn("(got 0)", e.exception.message)
        with self.assertRaises(points.InvalidArgument) as e:
            lg.lottery_create("late", "PTS", 1, T0, T0,
                              [(points.PRIZE_CUSTOM, "p", 1, 1, 0)])
        self.assertIn("must end after it starts", e.exception.message)
        with self.assertRaises(points.InvalidArgument) as e:
            lg.lottery_create("card", "PTS", 1, T0, T0 + DAY,
                              [(points.PRIZE_POINTS, "card", 1, 1, 0)])
        self.assertIn("positive amount", e.exception.message)
        with self.assertRaises(points.NotFound):
            lg.lottery_create("nope", "NOPE", 1, T0, T0 + DAY,
                              [(points.PRIZE_CUSTOM, "p", 1, 1, 0)])
        with self.assertRaises(points.InvalidArgument) as e:
            lg.lottery_create("long asset", "A" * 17, 1, T0, T0 + DAY,
                              [(points.PRIZE_CUSTOM, "p", 1, 1, 0)])
        self.assertIn("asset is too long", e.exception.message)
        self.assertEqual(self.snapshot(), before)
        with self.assertRaises(points.NotFound):
            lg.lottery(1)

    def test_eligibility(self):
        """Tiers, departments and a condition: refusals name the account
        and the reason, and write nothing."""
        lg = self.ledger
        lot = lg.lottery_create("gold", "PTS", 10, T0, T0 + DAY,
                                [(points.PRIZE_CUSTOM, "mug", 1, 9, 0)],
                                tiers="gold,platinum", departments="sales",
                                condition="available >= 15")
        self.assertEqual((lot.tiers, lot.departments, lot.condition),
                         ("gold,platinum", "sales", "available >= 15"))
        lg.update_account(self.alice, tier="gold", department="sales")
        lg.update_account(self.bob, tier="silver", department="sales")
        lg.earn(self.alice, 20, "PTS")
        lg.earn(self.bob, 20, "PTS")
        before = self.snapshot()
        with self.assertRaises(points.NotEligible) as e:
            lg.lottery_draw(lot.id, self.bob)
        self.assertIn("its tier is 'silver', the tiers are gold,platinum",
                      e.exception.message)
        self.assertEqual(self.snapshot(), before)
        lg.lottery_draw(lot.id, self.alice)
        with self.assertRaises(points.NotEligible) as e:
            lg.lottery_draw(lot.id, self.alice)
        self.assertIn("the condition 'available >= 15' is false",
                      e.exception.message)
        with self.assertRaises(points.InvalidArgument) as e:
            lg.lottery_create("bad", "PTS", 1, T0, T0 + DAY,
                              [(points.PRIZE_CUSTOM, "p", 1, 1, 0)],
                              condition="available >")
        self.assertIn("condition: col", e.exception.message)
        with self.assertRaises(points.InvalidArgument) as e:
            lg.lottery_create("long", "PTS", 1, T0, T0 + DAY,
                              [(points.PRIZE_CUSTOM, "p", 1, 1, 0)],
                              tiers="t" * 257)
        self.assertIn("tiers is too long (at most 256 bytes)",
                      e.exception.message)

    def test_free_lottery_runs_out(self):
        """A free lottery with nothing to lose hands out every unit, then
        every draw loses; the audit agrees with each."""
        lg = self.ledger
        lot = lg.lottery_create("free", "PTS", 0, T0, T0 + DAY,
                                [(points.PRIZE_POINTS, "ten", 1, 2, 10),
                                 (points.PRIZE_CUSTOM, "mug", 1, 1, 0)])
        outcomes = [lg.lottery_draw(lot.id, self.bob).outcome
                    for _ in range(5)]
        self.assertEqual(sorted(outcomes), [-1, -1, 0, 0, 1])
        self.assertEqual(outcomes[3:], [points.LOTTERY_LOSE] * 2)
        self.assertEqual(self.available(self.bob), 20)
        self.assertEqual([p.stock for p in lg.lottery_prizes(lot.id)],
                         [0, 0])
        lg.lottery_close(lot.id)
        lg.lottery_audit(lot.id)

    def test_item_prize_order(self):
        lg = self.ledger
        lg.item_create("TABLET", "Tablet", "physical", "PTS", 1000, 5,
                       "admin")
        before = self.snapshot()
        with self.assertRaises(points.NotFound) as e:
            lg.lottery_create("tablets", "PTS", 0, T0, T0 + DAY,
                              [(points.PRIZE_ITEM, "tablet", 1, 2, 0,
                                "NOPE")])
        self.assertIn("prize 0: no item 'NOPE'", e.exception.message)
        self.assertEqual(self.snapshot(), before)
        lot = lg.lottery_create("tablets", "PTS", 0, T0, T0 + DAY,
                                [(points.PRIZE_ITEM, "tablet", 1, 2, 0,
                                  "TABLET")])
        prize = lg.lottery_prize(lot.id, 0)
        self.assertEqual((prize.kind, prize.sku, prize.stock),
                         (points.PRIZE_ITEM, "TABLET", 2))
        self.assertEqual(lg.item("TABLET").stock, 3)
        d = lg.lottery_draw(lot.id, self.alice)
        self.assertEqual(d.outcome, 0)
        o = lg.order(d.order_id)
        self.assertEqual((o.state, o.amount, o.sku, o.account),
                         (points.ORDER_APPROVED, 0, "TABLET",
                          points.ledger.account_id(self.alice)))
        self.assertEqual(lg.lottery_draw_get(lot.id, 1).order_id,
                         d.order_id)
        lg.order_ship(d.order_id, "DHL", "T1", "admin")
        self.assertEqual(lg.order_deliver(d.order_id, "admin").state,
                         points.ORDER_DELIVERED)
        lg.lottery_close(lot.id)
        self.assertEqual(lg.item("TABLET").stock, 4)
        lg.lottery_audit(lot.id)


if __name__ == "__main__":
    unittest.main()
