"""Auctions through the Python binding: create, bid, outbid, settle,
cancel, the history."""

import unittest

import points
from helpers import LedgerCase, T0, DAY


class AuctionTest(LedgerCase):

    def held(self, account):
        return self.ledger.balance(account, "PTS").held

    def test_bids_settle_and_order(self):
        lg = self.ledger
        lg.item_create("TABLET", "Tablet", "physical", "PTS", 1000, 2,
                       "admin")
        lg.earn(self.alice, 500, "PTS")
        lg.earn(self.bob, 500, "PTS")
        a = lg.auction_create(T0, T0 + DAY, 100, 10, sku="TABLET",
                              reserve=120, snipe_window=300,
                              snipe_extend=600)
        self.assertIsInstance(a, points.Auction)
        self.assertEqual((a.sku, a.item, a.asset, a.state, a.leader),
                         ("TABLET", "Tablet", "PTS", points.AUCTION_OPEN,
                          0))
        self.assertEqual(lg.item("TABLET").stock, 1)
        b = lg.auction_bid(a.id, self.alice, 100, "a-1")
        self.assertIsInstance(b, points.Bid)
        self.assertEqual((b.number, b.amount, b.ends, b.replayed),
                         (1, 100, T0 + DAY, 0))
        self.assertEqual(lg.auction_bid(a.id, self.alice, 100,
                                        "a-1").replayed, 1)
        before = self.snapshot()
        with self.assertRaises(points.InvalidArgument) as e:
            lg.auction_bid(a.id, self.bob, 105)
        self.assertIn("the least bid now is 110", e.exception.message)
        self.assertEqual(self.snapshot(), before)
        lg.auction_bid(a.id, self.bob, 110)
        self.assertEqual((self.held(self.alice), self.held(self.bob)),
                         (0, 110))
        outbid = [e for e in lg.outbox()
                  if e.kind == points.OUTBOX_AUCTION_OUTBID]
        self.assertEqual([e.account for e in outbid],
                         [points.ledger.account_id(self.alice)])
        lg.auction_bid(a.id, self.bob, 150)   # his own bid raised
        self.assertEqual(self.held(self.bob), 150)
        self.assertEqual(self.available(self.bob), 350)
        lg.set_clock(T0 + DAY - 10)           # anti-sniping
        self.assertEqual(lg.auction_bid(a.id, self.alice, 160).ends,
                         T0 + DAY + 600)
        self.assertEqual([(x.account, x.amount) for x in lg.auction_bids(a.id)],
                         [(points.ledger.account_id(self.alice), 100),
                          (points.ledger.account_id(self.bob), 110),
                          (points.ledger.account_id(self.bob), 150),
                          (points.ledger.account_id(self.alice), 160)])
        self.assertEqual(lg.auction_bid_get(a.id, 2).amount, 110)
        lg.set_clock(T0 + DAY + 600)
        with self.assertRaises(points.WindowClosed):
            lg.auction_bid(a.id, self.bob, 500)
        self.assertTrue(lg.auction(a.id).sold)   # as of its end
        lg.auction_settle(a.id)
        done = lg.auction(a.id)
        self.assertEqual((done.state, done.price, self.held(self.alice),
                          self.available(self.alice)),
                         (points.AUCTION_SOLD, 160, 0, 340))
        order = lg.order(done.order_id)
        self.assertEqual((order.sku, order.amount, order.state),
                         ("TABLET", 160, points.ORDER_APPROVED))
        with self.assertRaises(points.StateError):
            lg.auction_settle(a.id)

    def test_reserve_cancel_and_refusals(self):
        lg = self.ledger
        lg.earn(self.alice, 300, "PTS")
        a = lg.auction_create(T0, T0 + DAY, 50, 5, item="Dinner",
                              asset="PTS", reserve=1000)
        lg.auction_bid(a.id, self.alice, 200)
        lg.set_clock(T0 + DAY)
        lg.expire_sweep()                     # the sweep settles it
        self.assertEqual(lg.auction(a.id).state, points.AUCTION_UNSOLD)
        self.assertEqual(self.held(self.alice), 0)
        c = lg.auction_create(T0 + DAY, T0 + 2 * DAY, 50, 5, item="Mug",
                              asset="PTS", departments="sales")
        with self.assertRaises(points.NotEligible) as e:
            lg.auction_bid(c.id, self.alice, 50)
        self.assertIn("account E1001 is not eligible", e.exception.message)
        lg.update_account(self.alice, department="sales")
        with self.assertRaises(points.InsufficientPoints):
            lg.auction_bid(c.id, self.alice, 301)
        lg.auction_bid(c.id, self.alice, 300)
        lg.auction_cancel(c.id)
        self.assertEqual(lg.auction(c.id).state, points.AUCTION_CANCELLED)
        self.assertEqual(self.available(self.alice), 300)
        with self.assertRaises(points.StateError):
            lg.auction_bid(c.id, self.alice, 60)
        with self.assertRaises(points.InvalidArgument) as e:
            lg.auction_create(T0, T0 + DAY, 50, 5, item="x" * 129,
                              asset="PTS")
        self.assertIn("item is too long", e.exception.message)
        with self.assertRaises(points.NotFound):
            lg.auction(99)


if __name__ == "__main__":
    unittest.main()
