#!/usr/bin/env python3
"""An employee auction: three employees bid points for a tablet from the
catalogue, with a reserve and anti-sniping; the winner's points are
captured and a mall order made.  Runs on its own clock, in memory.

    python3 employee_auction.py

Each bid holds the bidder's points; a bid that takes the lead releases
the previous leader's hold in the same transaction, and the outbox tells
that employee they were outbid.
"""

import points

START = 1_767_225_600  # 2026-01-01 00:00 UTC
HOUR = 3600


def main():
    with points.Ledger.open("memory:", clock=START) as ledger:
        ledger.create_asset("PTS")
        ledger.item_create("TABLET", "Tablet", "electronics", "PTS", 5000, 1,
                           "admin")
        staff = {}
        for ext, name, pts in (("E1001", "Alice", 800), ("E1002", "Bob", 600),
                               ("E1003", "Carol", 900)):
            staff[ext] = ledger.create_account(ext, name)
            ledger.earn(staff[ext], pts, "PTS")
        names = {points.ledger.account_id(a): ext for ext, a in staff.items()}

        auction = ledger.auction_create(START, START + 24 * HOUR, 100, 20,
                                        sku="TABLET", reserve=300,
                                        snipe_window=10 * 60,
                                        snipe_extend=15 * 60,
                                        min_balance=100)
        print("auction %d of %s: from %d, reserve %d" % (
            auction.id, auction.item, auction.start_price, auction.reserve))

        def bid(ext, amount, at):
            ledger.set_clock(at)
            try:
                b = ledger.auction_bid(auction.id, staff[ext], amount,
                                       "%s-%d" % (ext, amount))
                print("  %s bids %d (ends %d)" % (ext, amount, b.ends))
            except (points.InvalidArgument, points.InsufficientPoints,
                    points.WindowClosed) as e:
                print("  %s refused: %s" % (ext, e.message))

        bid("E1001", 100, START + HOUR)
        bid("E1002", 110, START + 2 * HOUR)      # below 100 + 20: refused
        bid("E1002", 150, START + 2 * HOUR)
        bid("E1001", 200, START + 3 * HOUR)
        bid("E1003", 320, START + 24 * HOUR - 60)  # last minute: extended
        bid("E1001", 400, START + 24 * HOUR + 5 * 60)
        bid("E1002", 700, START + 24 * HOUR + 6 * 60)  # has only 600

        for e in ledger.outbox():
            if e.kind == points.OUTBOX_AUCTION_OUTBID:
                print("  outbid: %s %s" % (names[e.account], e.data))

        end = ledger.auction(auction.id).ends
        ledger.set_clock(end)
        ledger.auction_settle(auction.id)
        done = ledger.auction(auction.id)
        winner = names[done.leader]
        order = ledger.order(done.order_id)
        print("sold to %s for %d: order %s (%s)" % (
            winner, done.price, order.id, points.ORDER_STATES[order.state]))
        for ext, acct in sorted(staff.items()):
            b = ledger.balance(acct, "PTS")
            print("  %s: available %d, held %d" % (ext, b.available, b.held))
        assert done.sold and winner == "E1001" and done.price == 400
        assert all(ledger.balance(a, "PTS").held == 0 for a in staff.values())
        print("bids:", [(names[b.account], b.amount)
                        for b in ledger.auction_bids(auction.id)])


if __name__ == "__main__":
    main()
