"""The points mall through the Python binding: the catalogue, its
history and the outbox."""

import unittest

import points
from helpers import LedgerCase, T0, DAY


class MallTest(LedgerCase):

    def setUp(self):
        super().setUp()
        for name, rank in (("normal", 0), ("silver", 1), ("gold", 2)):
            self.ledger.tier_set(name, rank, 100)

    def hotel(self, **kw):
        return self.ledger.item_create("HOTEL", "Hotel night",
                                       "travel/hotel", "PTS", 10000, 20,
                                       "admin", **kw)

    def test_create_get_update_history(self):
        it = self.hotel(description="Sea view", low_stock=5, order_limit=2,
                        reason="launch")
        self.assertIsInstance(it, points.Item)
        self.assertEqual((it.sku, it.price, it.stock, it.low_stock,
                          it.order_limit, it.return_days, it.listed,
                          it.changes), ("HOTEL", 10000, 20, 5, 2, 7, 1, 1))
        self.assertEqual(self.ledger.item("HOTEL"), it)
        self.assertFalse(it.unlimited)
        it = self.ledger.item_update("HOTEL", "Hotel night", "travel/hotel",
                                     "PTS", 9000, 20, "ops",
                                     description="Sea view", low_stock=5,
                                     order_limit=2, reason="autumn")
        self.assertEqual((it.price, it.changes), (9000, 2))
        it = self.ledger.item_set_listed("HOTEL", False, "ops", "works")
        self.assertEqual(it.listed, 0)
        it = self.ledger.item_restock("HOTEL", -4, "ops")
        self.assertEqual(it.stock, 16)
        hist = list(self.ledger.item_history("HOTEL"))
        self.assertEqual([c.n for c in hist], [1, 2, 3, 4])
        self.assertEqual([c.what for c in hist],
                         [points.ITEM_CHANGED_CREATED,
                          points.ITEM_CHANGED_PRICE,
                          points.ITEM_CHANGED_LISTING,
                          points.ITEM_CHANGED_STOCK])
        self.assertEqual((hist[1].price, hist[1].actor, hist[1].reason),
                         (9000, "ops", "autumn"))
        self.assertIsInstance(hist[0], points.ItemChange)
        self.assertEqual(hist[0].when.timestamp(), T0)
        with self.assertRaises(points.AlreadyExists):
            self.hotel()
        with self.assertRaises(points.NotFound):
            self.ledger.item("NOPE")
        with self.assertRaises(points.InvalidArgument):
            self.ledger.item_create("bad sku", "x", "physical", "PTS", 1, 1,
                                    "admin")
        with self.assertRaises(points.InvalidArgument):
            self.ledger.item_restock("HOTEL", -100, "ops")

    def test_tier_prices(self):
        self.hotel()
        self.ledger.item_set_tier_price("HOTEL", "silver", 8000, "admin")
        it = self.ledger.item_set_tier_price("HOTEL", "gold", 6000, "admin")
        self.assertEqual(it.tier_prices, 2)
        self.assertEqual(self.ledger.item_tier_price("HOTEL", "gold"), 6000)
        with self.assertRaises(points.NotFound):
            self.ledger.item_tier_price("HOTEL", "normal")
        self.ledger.change_account(self.bob, tier="silver")
        self.assertEqual(self.ledger.item_price_for("HOTEL", self.alice),
                         10000)
        self.assertEqual(self.ledger.item_price_for("HOTEL", self.bob), 8000)
        it = self.ledger.item_set_tier_price("HOTEL", "silver", 0, "admin")
        self.assertEqual(it.tier_prices, 1)
        self.assertEqual(self.ledger.item_price_for("HOTEL", self.bob),
                         10000)
        suite = self.ledger.item_create("SUITE", "Suite", "travel/hotel",
                                        "PTS", 20000,
                                        points.STOCK_UNLIMITED, "admin",
                                        min_tier="gold")
        self.assertEqual((suite.min_tier, suite.unlimited), ("gold", True))

    def test_browse(self):
        """A query: a category's items in a price range, sorted; what an
        account of a tier can afford; bad queries raise."""
        lg = self.ledger
        for sku, cat, price, stock in (("NIGHT", "travel/hotel", 10000, 5),
                                       ("MUG", "physical", 100, 5),
                                       ("PAN", "physical/kitchen", 700, 0),
                                       ("CARD", "virtual", 500, 9)):
            lg.item_create(sku, sku, cat, "PTS", price, stock, "admin")
        lg.item_set_tier_price("NIGHT", "gold", 6000, "admin")
        lg.change_account(self.bob, tier="gold")
        lg.earn(self.alice, 800, "PTS")
        lg.earn(self.bob, 7000, "PTS")
        lg.order_place(self.bob, "MUG", 3)
        skus = lambda it: [i.sku for i in it]  # noqa: E731
        self.assertEqual(skus(lg.browse()), ["CARD", "MUG", "NIGHT", "PAN"])
        self.assertEqual(skus(lg.browse("physical",
                                        sort=points.ITEMS_BY_PRICE_DESC)),
                         ["PAN", "MUG"])
        self.assertEqual(skus(lg.browse(price_min=500, price_max=1000)),
                         ["CARD", "PAN"])
        self.assertEqual(skus(lg.browse(in_stock_only=True,
                                        sort=points.ITEMS_BY_POPULARITY)),
                         ["MUG", "CARD", "NIGHT"])
        self.assertEqual(skus(lg.browse(account=self.alice,
                                        affordable=True)),
                         ["CARD", "MUG", "PAN"])
        # bob has 6,700 left to spend: the gold price of a night is 6,000
        self.assertEqual(skus(lg.browse(account=self.bob, affordable=True,
                                        sort=points.ITEMS_BY_PRICE)),
                         ["MUG", "CARD", "PAN", "NIGHT"])
        self.assertIsInstance(next(iter(lg.browse())), points.Item)
        with self.assertRaises(points.InvalidArgument):
            list(lg.browse(affordable=True))
        with self.assertRaises(points.InvalidArgument):
            list(lg.browse(price_min=10, price_max=5))
        with self.assertRaises(points.InvalidArgument):
            list(lg.browse(sort=9))
        with self.assertRaises(points.NotFound):
            list(lg.browse(account=99999))

    def test_items_by_category(self):
        for sku, cat, stock, listed in (("A", "physical", 1, True),
                                        ("B", "physical/kitchen", 0, True),
                                        ("C", "physical/kitchenware", 1,
                                         False),
                                        ("D", "virtual", 1, True)):
            self.ledger.item_create(sku, sku, cat, "PTS", 10, stock, "admin",
                                    listed=listed)
        skus = lambda it: [i.sku for i in it]  # noqa: E731
        self.assertEqual(skus(self.ledger.items()), ["A", "B", "C", "D"])
        self.assertEqual(skus(self.ledger.items("physical")),
                         ["A", "B", "C"])
        self.assertEqual(skus(self.ledger.items("physical/kitchen")), ["B"])
        self.assertEqual(skus(self.ledger.items("physical",
                                                listed_only=True)),
                         ["A", "B"])
        self.assertEqual(skus(self.ledger.items(in_stock_only=True)),
                         ["A", "C", "D"])

    def test_outbox(self):
        self.ledger.item_create("MUG", "Mug", "physical", "PTS", 10, 6,
                                "admin", low_stock=5)
        self.assertIsNone(self.ledger.outbox_next(0))
        self.ledger.item_restock("MUG", -2, "ops")
        self.ledger.item_restock("MUG", -4, "ops")
        events = list(self.ledger.outbox())
        self.assertEqual([e.kind for e in events],
                         [points.OUTBOX_LOW_STOCK, points.OUTBOX_OUT_OF_STOCK])
        self.assertEqual([e.seq for e in events], [1, 2])
        self.assertEqual(events[0].details,
                         {"sku": "MUG", "stock": 4, "threshold": 5})
        self.assertEqual((events[1].subject, events[1].account), ("MUG", 0))
        self.assertEqual(list(self.ledger.outbox(1)), events[1:])
        self.assertEqual(self.ledger.outbox_prune(1), 1)
        self.assertEqual(self.ledger.outbox_next(0), events[1])
        self.assertEqual(self.ledger.outbox_prune(10), 1)
        self.assertIsNone(self.ledger.outbox_next(0))
        with self.assertRaises(points.InvalidArgument):
            self.ledger.outbox_next(-1)

    def test_account_triggers(self):
        """A balance trigger tells once per upward crossing, a tier
        trigger each change; both are listed and removed."""
        lg = self.ledger
        t = lg.trigger_balance("hotel-ready", "PTS", 1000)
        self.assertIsInstance(t, points.Trigger)
        self.assertEqual((t.name, t.kind, t.asset, t.level),
                         ("hotel-ready", points.TRIGGER_BALANCE, "PTS", 1000))
        lg.trigger_tier("gold", "gold")
        self.assertEqual([x.name for x in lg.triggers()],
                         ["gold", "hotel-ready"])

        def news(after):
            return [(e.subject, e.account, e.details)
                    for e in lg.outbox(after)
                    if e.kind == points.OUTBOX_ACCOUNT_TRIGGER]
        last = max([e.seq for e in lg.outbox(0)], default=0)
        lg.earn(self.alice, 900, "PTS")
        lg.earn(self.alice, 200, "PTS")
        lg.earn(self.alice, 10, "PTS")
        self.assertEqual(news(last), [
            ("hotel-ready", points.ledger.account_id(self.alice),
             {"trigger": "hotel-ready", "asset": "PTS", "level": 1000,
              "balance": 1100})])
        last = max(e.seq for e in lg.outbox(0))
        lg.change_account(self.bob, tier="silver")
        lg.change_account(self.bob, tier="gold")
        self.assertEqual([e[2] for e in news(last)],
                         [{"trigger": "gold", "from": "silver",
                           "to": "gold"}])
        lg.trigger_remove("gold")
        with self.assertRaises(points.NotFound):
            lg.trigger_remove("gold")
        with self.assertRaises(points.InvalidArgument):
            lg.trigger_balance("Bad Name", "PTS", 10)
        with self.assertRaises(points.InvalidArgument):
            lg.trigger_balance("x", "PTS", 0)
        self.assertEqual([x.name for x in lg.triggers()], ["hotel-ready"])

    def test_expiring_notices(self):
        self.ledger.earn(self.alice, 30, "PTS", expires_at=T0 + 3 * DAY)
        self.ledger.earn(self.alice, 40, "PTS", expires_at=T0 + 30 * DAY)
        self.assertEqual(self.ledger.outbox_expiring("PTS"), 0)
        self.ledger.outbox_expiring_set("PTS", 7)
        self.assertEqual(self.ledger.outbox_expiring("PTS"), 7)
        self.ledger.expire_sweep()
        self.ledger.expire_sweep()
        told = [e for e in self.ledger.outbox()
                if e.kind == points.OUTBOX_POINTS_EXPIRING]
        self.assertEqual(len(told), 1)
        self.assertEqual((told[0].account, told[0].subject,
                          told[0].details["amount"],
                          told[0].details["window"]),
                         (self.alice.id, "PTS", 30, 7))
        with self.assertRaises(points.InvalidArgument):
            self.ledger.outbox_expiring_set("PTS", -1)

    def test_order_life_cycle(self):
        self.ledger.earn(self.alice, 500, "PTS")
        self.ledger.item_create("MUG", "Mug", "physical", "PTS", 100, 5,
                                "admin")
        o = self.ledger.order_place(self.alice, "MUG", 2, note="desk 3",
                                    idempotency_key="k1", actor="app")
        self.assertIsInstance(o, points.Order)
        self.assertEqual((o.state_name, o.amount, o.unit_price, o.quantity,
                          o.note, o.replayed), ("submitted", 200, 100, 2,
                                                "desk 3", 0))
        self.assertEqual(self.available(self.alice), 300)
        again = self.ledger.order_place(self.alice, "MUG", 2, note="desk 3",
                                        idempotency_key="k1", actor="app")
        self.assertEqual((again.id, again.replayed), (o.id, 1))
        with self.assertRaises(points.Conflict):
            self.ledger.order_place(self.alice, "MUG", 1,
                                    idempotency_key="k1")
        o = self.ledger.order_approve(o.id, "ops")
        self.assertEqual(o.state, points.ORDER_APPROVED)
        self.assertEqual(self.ledger.txn(o.capture_id).type, points.CAPTURE)
        o = self.ledger.order_ship(o.id, "SF", "SF1")
        self.assertEqual((o.carrier, o.tracking), ("SF", "SF1"))
        o = self.ledger.order_deliver(o.id)
        self.assertEqual(o.delivered_at, T0)
        self.ledger.set_clock(T0 + 7 * DAY)
        o = self.ledger.order_return(o.id, restock=True, reason="broken")
        self.assertEqual(o.state_name, "returned")
        self.assertEqual(self.available(self.alice), 500)
        self.assertEqual(self.ledger.item("MUG").stock, 5)
        hist = list(self.ledger.order_history(o.id))
        self.assertIsInstance(hist[0], points.OrderChange)
        self.assertEqual([(c.from_state, c.to_state) for c in hist],
                         [(-1, 0), (0, 1), (1, 2), (2, 3), (3, 5)])
        self.assertEqual(hist[-1].reason, "broken")
        with self.assertRaises(points.StateError):
            self.ledger.order_cancel(o.id)
        self.assertEqual(self.ledger.order(o.id), o)
        kinds = [e.details["to"] for e in self.ledger.outbox()
                 if e.kind == points.OUTBOX_ORDER_STATE]
        self.assertEqual(kinds, ["submitted", "approved", "shipped",
                                 "delivered", "returned"])

    def test_code_pool(self):
        self.ledger.earn(self.alice, 5000, "PTS")
        self.ledger.item_create("CARD", "Shopping card", "virtual", "PTS",
                                500, 0, "admin")
        pool = self.ledger.item_codes_add("CARD", ["JD-1", "JD-2"], "admin",
                                          "batch 1")
        self.assertIsInstance(pool, points.CodePool)
        self.assertEqual((pool.sku, pool.uploaded, pool.issued,
                          pool.available), ("CARD", 2, 0, 2))
        pool = self.ledger.item_codes_add("CARD", "JD-3\n", "admin")
        self.assertEqual(pool.uploaded, 3)
        self.assertEqual(self.ledger.item("CARD").stock, 3)
        with self.assertRaises(points.AlreadyExists) as cm:
            self.ledger.item_codes_add("CARD", ["JD-4", "JD-1"], "admin")
        self.assertNotIn("JD-1", str(cm.exception))
        self.assertEqual(self.ledger.item_codes("CARD").uploaded, 3)
        with self.assertRaises(points.OutOfStock):
            self.ledger.order_place(self.alice, "CARD", 4)
        o = self.ledger.order_place(self.alice, "CARD", 2)
        self.assertEqual(list(self.ledger.order_codes(o.id)), [])
        o = self.ledger.order_approve(o.id, "ops")
        codes = list(self.ledger.order_codes(o.id))
        self.assertIsInstance(codes[0], points.OrderCode)
        self.assertEqual([(c.n, c.code, c.sku) for c in codes],
                         [(1, "JD-1", "CARD"), (2, "JD-2", "CARD")])
        self.assertEqual(self.ledger.item_codes("CARD").available, 1)
        o = self.ledger.order_deliver(o.id)
        self.assertEqual(o.state, points.ORDER_DELIVERED)

    def test_bundle(self):
        self.ledger.earn(self.alice, 5000, "PTS")
        self.ledger.item_create("TEAPOT", "Teapot", "physical", "PTS", 300,
                                2, "admin")
        self.ledger.item_create("CUP", "Cup", "physical", "PTS", 50, 9,
                                "admin")
        self.ledger.item_create("TEA-SET", "Tea set", "physical", "PTS",
                                450, points.STOCK_UNLIMITED, "admin")
        self.ledger.bundle_set_part("TEA-SET", "TEAPOT", 1, "admin")
        it = self.ledger.bundle_set_part("TEA-SET", "CUP", 4, "admin",
                                         "a set of four")
        self.assertIsInstance(it, points.Item)
        self.assertEqual(it.bundle_parts, 2)
        parts = list(self.ledger.bundle_parts("TEA-SET"))
        self.assertIsInstance(parts[0], points.BundlePart)
        self.assertEqual([(p.sku, p.quantity, p.units, p.stock)
                          for p in parts],
                         [("TEAPOT", 1, 0, 2), ("CUP", 4, 0, 9)])
        last = list(self.ledger.item_history("TEA-SET"))[-1]
        self.assertEqual((last.what, last.part, last.part_quantity,
                          last.reason),
                         (points.ITEM_CHANGED_BUNDLE, "CUP", 4,
                          "a set of four"))
        o = self.ledger.order_place(self.alice, "TEA-SET", 2)
        self.assertEqual(o.amount, 900)
        self.assertEqual(self.ledger.item("CUP").stock, 1)
        with self.assertRaises(points.OutOfStock) as cm:
            self.ledger.order_place(self.alice, "TEA-SET", 1)
        self.assertIn("'TEAPOT'", str(cm.exception))
        # the bundle changes; the order keeps what it took
        self.ledger.bundle_set_part("TEA-SET", "CUP", 2, "admin")
        self.assertEqual([(p.sku, p.quantity, p.units) for p in
                          self.ledger.order_parts(o.id)],
                         [("TEAPOT", 1, 2), ("CUP", 4, 8)])
        self.ledger.order_cancel(o.id)
        self.assertEqual(self.ledger.item("TEAPOT").stock, 2)
        self.assertEqual(self.ledger.item("CUP").stock, 9)
        with self.assertRaises(points.InvalidArgument):
            self.ledger.bundle_set_part("TEA-SET", "TEA-SET", 1, "admin")
        with self.assertRaises(points.NotFound):
            self.ledger.bundle_set_part("TEA-SET", "SAUCER", 0, "admin")

    def test_exchange_and_switch(self):
        self.ledger.earn(self.alice, 5000, "PTS")
        self.ledger.item_create("MUG", "Mug", "physical", "PTS", 100, 5,
                                "admin")
        self.ledger.item_create("CUP", "Cup", "physical", "PTS", 80, 5,
                                "admin")
        o = self.ledger.order_place(self.alice, "MUG", 1)
        o = self.ledger.order_approve(o.id)
        o = self.ledger.order_deliver(o.id)
        o = self.ledger.order_exchange(o.id, "alice", "cracked")
        self.assertEqual((o.state, o.state_name),
                         (points.ORDER_EXCHANGING, "exchanging"))
        self.assertEqual(self.available(self.alice), 4900)
        self.assertEqual(self.ledger.item("MUG").stock, 3)
        o = self.ledger.order_ship(o.id, "SF", "SF2")
        self.assertEqual(o.state, points.ORDER_SHIPPED)
        with self.assertRaises(points.StateError):
            self.ledger.order_exchange(o.id)
        o2 = self.ledger.order_place(self.alice, "MUG", 2)
        o2 = self.ledger.order_approve(o2.id)
        o2 = self.ledger.order_switch(o2.id, "CUP", "ops", "no more mugs")
        self.assertEqual((o2.sku, o2.amount), ("CUP", 160))
        self.assertEqual(self.available(self.alice), 4740)
        e = [e for e in self.ledger.outbox()][-1]
        self.assertEqual((e.kind, e.account), (points.OUTBOX_ORDER_SWITCHED,
                                               self.alice.id))
        self.assertEqual(e.details["refund"], 40)
        self.ledger.item_create("BIG", "Big", "physical", "PTS", 500, 5,
                                "admin")
        with self.assertRaises(points.InvalidArgument):
            self.ledger.order_switch(o2.id, "BIG")

    def test_redemption_points_back(self):
        # redeeming earns only through a rule of "redemption" events
        self.ledger.earn(self.alice, 500, "PTS")
        self.ledger.item_create("MUG", "Mug", "physical", "PTS", 100, 5,
                                "admin")
        o = self.ledger.order_approve(
            self.ledger.order_place(self.alice, "MUG", 1).id)
        self.assertEqual(self.available(self.alice), 400)
        with self.assertRaises(points.NotFound):
            self.ledger.event_get("redemption:" + o.id)
        r = self.ledger.rule_save("double-back", "redemption",
                                  "event.amount / 10 * 2", "PTS", "ops",
                                  state=points.RULE_ACTIVE)
        self.assertEqual(r.category, "redemption_bonus")
        o = self.ledger.order_approve(
            self.ledger.order_place(self.alice, "MUG", 2).id)
        self.assertEqual(self.available(self.alice), 400 - 200 + 40)
        self.assertEqual(self.ledger.event_get("redemption:" + o.id).points,
                         40)
        o = self.ledger.order_cancel(o.id, reason="no stock")
        self.assertEqual(self.available(self.alice), 400)
        with self.assertRaises(points.InvalidArgument):
            self.ledger.event_apply("r1", "redemption", self.alice, 100)

    def test_order_refusals(self):
        self.ledger.earn(self.alice, 1000, "PTS")
        self.ledger.item_create("MUG", "Mug", "physical", "PTS", 100, 2,
                                "admin", order_limit=2)
        self.ledger.item_create("SUITE", "Suite", "travel", "PTS", 100, 9,
                                "admin", min_tier="gold")
        before = self.snapshot()
        with self.assertRaises(points.InsufficientPoints):
            self.ledger.order_place(self.bob, "MUG")
        with self.assertRaises(points.OutOfStock):
            self.ledger.order_place(self.alice, "MUG", 3)
        self.ledger.item_set_listed("MUG", True, "admin")  # no change
        self.ledger.item_restock("MUG", 5, "admin")
        with self.assertRaises(points.QuotaExceeded):
            self.ledger.order_place(self.alice, "MUG", 3)
        with self.assertRaises(points.NotEligible):
            self.ledger.order_place(self.alice, "SUITE")
        with self.assertRaises(points.NotFound):
            self.ledger.order_place(self.alice, "NOPE")
        self.ledger.freeze(self.alice)
        with self.assertRaises(points.Frozen):
            self.ledger.order_place(self.alice, "MUG")
        self.ledger.unfreeze(self.alice)
        self.ledger.item_set_listed("MUG", False, "admin")
        with self.assertRaises(points.StateError):
            self.ledger.order_place(self.alice, "MUG")
        self.assertEqual(self.snapshot()[0], before[0])
        self.ledger.change_account(self.alice, tier="gold")
        o = self.ledger.order_place(self.alice, "SUITE")
        o = self.ledger.order_cancel(o.id, "alice")
        self.assertEqual(o.state, points.ORDER_CANCELLED)
        self.assertEqual(self.available(self.alice), 1000)

    def test_points_plus_cash(self):
        self.ledger.earn(self.alice, 1000, "PTS")
        r = self.ledger.mall_cash_ratio("PTS")
        self.assertIsInstance(r, points.CashRatio)
        self.assertEqual((r.asset, r.points, r.cash), ("PTS", 0, 0))
        it = self.ledger.item_create("THERMOS", "Thermos", "physical", "PTS",
                                     500, 10, "admin", cash=1990)
        self.assertEqual(it.cash, 1990)
        before = self.snapshot()
        # no ratio: the rest cannot be paid in cash
        with self.assertRaises(points.NotFound):
            self.ledger.order_place(self.alice, "THERMOS", points_max=100)
        with self.assertRaises(points.InvalidArgument):
            self.ledger.order_place(self.alice, "THERMOS", points_max=0)
        with self.assertRaises(points.InvalidArgument):
            self.ledger.mall_set_cash_ratio("PTS", 0, 10, "admin")
        self.assertEqual(self.snapshot()[0], before[0])
        # 100 points = 10.00 yuan; 3 points = 1 fen rounds up
        r = self.ledger.mall_set_cash_ratio("PTS", 100, 1000, "admin",
                                            "policy")
        self.assertEqual((r.points, r.cash, r.actor, r.reason),
                         (100, 1000, "admin", "policy"))
        self.assertEqual(self.ledger.mall_cash_ratio("PTS"), r)
        o = self.ledger.order_place(self.alice, "THERMOS", 2, points_max=700)
        self.assertEqual((o.amount, o.cash_points, o.cash),
                         (700, 300, 2 * 1990 + 3000))
        self.assertEqual(self.available(self.alice), 300)
        self.ledger.order_cancel(o.id, "alice")
        self.assertEqual(self.available(self.alice), 1000)
        self.ledger.mall_set_cash_ratio("PTS", 3, 1, "admin")
        self.ledger.item_create("TEN", "Ten", "virtual", "PTS", 10,
                                points.STOCK_UNLIMITED, "admin")
        o = self.ledger.order_place(self.alice, "TEN", points_max=2)
        self.assertEqual((o.amount, o.cash_points, o.cash), (2, 8, 3))
        self.assertEqual(self.ledger.item_history("THERMOS").__next__().cash,
                         1990)

    def test_welfare_allowance(self):
        self.ledger.create_asset("WELFARE")
        self.ledger.earn(self.alice, 1000, "PTS")
        self.ledger.earn(self.alice, 300, "WELFARE")
        self.ledger.item_create("GIFT", "Gift", "physical", "PTS", 500, 10,
                                "admin")
        self.assertEqual(self.ledger.mall_settings().pay_order,
                         points.PAY_ALLOWANCE_FIRST)
        # the allowance first: all 300 of it, points the other 200
        o = self.ledger.order_place(self.alice, "GIFT", allowance="WELFARE")
        self.assertEqual((o.allowance, o.allowance_amount, o.amount),
                         ("WELFARE", 300, 200))
        self.assertEqual(o.hold_id, o.id)
        self.assertNotEqual(o.allowance_hold_id, "")
        self.assertEqual((self.available(self.alice, "WELFARE"),
                          self.available(self.alice)), (0, 800))
        o = self.ledger.order_approve(o.id)
        self.assertNotEqual(o.allowance_capture_id, "")
        o = self.ledger.order_cancel(o.id)
        self.assertNotEqual(o.allowance_refund_id, "")
        self.assertEqual((self.available(self.alice, "WELFARE"),
                          self.available(self.alice)), (300, 1000))
        # points first: points pay it all
        m = self.ledger.mall_set_pay_order(points.PAY_POINTS_FIRST, "admin",
                                           "points first")
        self.assertEqual((m.pay_order, m.reason),
                         (points.PAY_POINTS_FIRST, "points first"))
        o = self.ledger.order_place(self.alice, "GIFT", allowance="WELFARE")
        self.assertEqual((o.allowance_amount, o.amount, o.allowance),
                         (0, 500, ""))
        before = self.snapshot()
        with self.assertRaises(points.InvalidArgument):
            self.ledger.mall_set_pay_order(2, "admin")
        with self.assertRaises(points.InvalidArgument):
            self.ledger.order_place(self.alice, "GIFT", allowance="PTS")
        with self.assertRaises(points.NotFound):
            self.ledger.order_place(self.alice, "GIFT", allowance="NOPE")
        with self.assertRaises(points.InsufficientPoints):
            self.ledger.order_place(self.alice, "GIFT", 2,
                                    allowance="WELFARE")
        self.assertEqual(self.snapshot()[0], before[0])
        # browsing counts the allowance as an order would: 500 points
        # and 300 of it pay for 700
        self.ledger.item_create("BIG", "Big", "physical", "PTS", 700, 10,
                                "admin")
        skus = lambda it: [i.sku for i in it]  # noqa: E731
        self.assertEqual(skus(self.ledger.browse(account=self.alice,
                                                 affordable=True)),
                         ["GIFT"])
        self.assertEqual(skus(self.ledger.browse(account=self.alice,
                                                 affordable=True,
                                                 allowance="WELFARE")),
                         ["BIG", "GIFT"])
        with self.assertRaises(points.NotFound):
            list(self.ledger.browse(account=self.alice, affordable=True,
                                    allowance="NOPE"))

    def test_orders_lists(self):
        self.ledger.earn(self.alice, 1000, "PTS")
        self.ledger.earn(self.bob, 1000, "PTS")
        for sku in ("A", "B"):
            self.ledger.item_create(sku, sku, "physical", "PTS", 10,
                                    points.STOCK_UNLIMITED, "admin")
        a1 = self.ledger.order_place(self.alice, "A")
        b1 = self.ledger.order_place(self.bob, "B")
        a2 = self.ledger.order_place(self.alice, "B")
        self.ledger.order_approve(a2.id)
        ids = lambda it: [o.id for o in it]  # noqa: E731
        self.assertEqual(ids(self.ledger.orders()), [a1.id, b1.id, a2.id])
        self.assertEqual(ids(self.ledger.orders(self.alice)),
                         [a1.id, a2.id])
        self.assertEqual(ids(self.ledger.orders(sku="B")), [b1.id, a2.id])
        self.assertEqual(ids(self.ledger.orders(
            state=points.ORDER_SUBMITTED)), [a1.id, b1.id])
        self.assertEqual(ids(self.ledger.orders(self.bob,
                                                points.ORDER_APPROVED)), [])

    def test_closed_ledger(self):
        self.ledger.close()
        with self.assertRaises(points.LedgerClosed):
            self.ledger.item("HOTEL")


class MallSqliteTest(MallTest):
    """The same on an SQLite file."""
    uri = "sqlite"


if __name__ == "__main__":
    unittest.main()
