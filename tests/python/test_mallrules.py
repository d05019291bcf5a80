"""What an order pays and when it may be placed, through the Python
binding: flash discounts, redemption windows, limits per period and the
mall's minimum balance."""

import unittest

import points
from helpers import LedgerCase, T0, DAY


class MallRulesTest(LedgerCase):

    def setUp(self):
        super().setUp()
        self.ledger.earn(self.alice, 5000, "PTS")
        self.ledger.item_create("MUG", "Mug", "physical", "PTS", 999, 50,
                                "admin")

    def test_flash_discount(self):
        it = self.ledger.item_set_flash("MUG", points.FLASH_PERCENT, 20, T0,
                                        T0 + 3 * DAY, "admin", "sale")
        self.assertEqual((it.flash_kind, it.flash_value, it.flash_ends),
                         (points.FLASH_PERCENT, 20, T0 + 3 * DAY))
        self.assertEqual(self.ledger.item_price_for("MUG", self.alice), 800)
        o = self.ledger.order_place(self.alice, "MUG")
        self.assertEqual(o.amount, 800)
        self.ledger.set_clock(T0 + 3 * DAY)
        self.assertEqual(self.ledger.order_place(self.alice, "MUG").amount,
                         999)
        it = self.ledger.item_set_flash("MUG", points.FLASH_PRICE, 500, 0,
                                        T0 + 9 * DAY, "admin")
        self.assertEqual(self.ledger.item_price_for("MUG", self.alice), 500)
        it = self.ledger.item_set_flash("MUG", 0, 0, 0, 0, "admin")
        self.assertEqual(it.flash_value, 0)
        hist = list(self.ledger.item_history("MUG"))
        self.assertEqual([c.what for c in hist[1:]],
                         [points.ITEM_CHANGED_FLASH] * 3)
        self.assertEqual(hist[1].flash_value, 20)
        with self.assertRaises(points.InvalidArgument):
            self.ledger.item_set_flash("MUG", points.FLASH_PERCENT, 100, 0,
                                       T0 + DAY, "admin")

    def test_window(self):
        # T0 is Tuesday 2023-11-14: the item opens from the 1st to the
        # 5th of the month
        it = self.ledger.item_set_window("MUG", "admin", monthdays=0x1f)
        self.assertEqual(it.window_monthdays, 0x1f)
        before = self.snapshot()
        with self.assertRaises(points.WindowClosed) as cm:
            self.ledger.order_place(self.alice, "MUG")
        self.assertIn("opens 2023-12-01", str(cm.exception))
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(self.ledger.item_next_opening("MUG"),
                         1701388800)  # 2023-12-01 00:00 UTC
        m = self.ledger.mall_set_window("admin", weekdays=0x60,
                                        reason="weekends")
        self.assertIsInstance(m, points.MallSettings)
        self.assertEqual(self.ledger.mall_settings().window_weekdays, 0x60)
        # 2023-12-02 is a Saturday
        self.assertEqual(self.ledger.item_next_opening("MUG"),
                         1701388800 + DAY)
        self.ledger.set_clock(1701388800 + DAY)
        self.ledger.order_place(self.alice, "MUG")

    def test_period_limit(self):
        it = self.ledger.item_set_period_limit("MUG", points.PERIOD_WEEK, 2,
                                               "admin")
        self.assertEqual(it.limit_week, 2)
        o = self.ledger.order_place(self.alice, "MUG", 2)
        with self.assertRaises(points.QuotaExceeded):
            self.ledger.order_place(self.alice, "MUG")
        self.assertEqual(self.ledger.order_units_in_period(
            self.alice, "MUG", points.PERIOD_WEEK), 2)
        self.ledger.order_cancel(o.id)
        self.assertEqual(self.ledger.order_units_in_period(
            self.alice, "MUG", points.PERIOD_WEEK), 0)
        self.ledger.order_place(self.alice, "MUG")

    def test_min_balance(self):
        self.ledger.mall_set_min_balance("PTS", 6000, "admin")
        self.assertEqual(self.ledger.mall_min_balance("PTS"), 6000)
        with self.assertRaises(points.InsufficientPoints) as cm:
            self.ledger.order_place(self.alice, "MUG")
        self.assertIn("at least 6000 PTS", str(cm.exception))
        self.ledger.mall_set_min_balance("PTS", 0, "admin")
        self.assertEqual(self.ledger.mall_min_balance("PTS"), 0)
        self.ledger.order_place(self.alice, "MUG")


if __name__ == "__main__":
    unittest.main()
