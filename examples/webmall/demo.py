#!/usr/bin/env python3
"""The welfare mall's demo ledger: a company of employees in departments,
a year of awards through the earning rules and direct earns with
categories, a catalogue with categories and stock, a year of orders, a
closed lottery (its audit), an open lottery and an open auction.

    python3 demo.py LEDGER.db [EMPLOYEES]

The year is written on a settable clock that walks from a year ago to
now, so every entry carries the time it would have had.  The same seed
makes the same company and the same year; the lotteries' draws differ
from one run to the next, as a lottery's secret seed is drawn when it
is created.
"""

import random
import sys
import time

import points

ASSET = "WELFARE"
DAY = 86400
DEPARTMENTS = ("R&D", "Sales", "Operations", "Finance", "HR", "Marketing")
FIRST = ("Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang",
         "Zhou", "Wu", "Xu", "Sun", "Hu", "Zhu", "Gao", "Lin")
GIVEN = ("Wei", "Fang", "Na", "Min", "Jing", "Lei", "Yan", "Jun", "Tao",
         "Ming", "Chao", "Xiu", "Hua", "Ping", "Gang", "Hui", "Yu", "Qiang")

# The earning rules: name, event type, points, condition, category.
RULES = (
    ("training", "training", "50", None, "training"),
    ("certificate", "certificate", "200", None, "certificate"),
    ("referral", "referral", "500", "event.attrs.hired == true",
     "referral"),
    ("anniversary", "anniversary", "100 * event.amount", None,
     "anniversary"),
)

# The catalogue: SKU, name, category, price, stock, low-stock alert level.
CATALOGUE = (
    ("THERMOS", "Custom thermos", "physical/kitchen", 300, 80, 10),
    ("KETTLE", "Electric kettle", "physical/kitchen", 900, 25, 5),
    ("EARBUDS", "Wireless earbuds", "physical/electronics", 2400, 15, 4),
    ("POWERBANK", "Power bank", "physical/electronics", 1100, 30, 5),
    ("BACKPACK", "Laptop backpack", "physical/bags", 1500, 20, 5),
    ("GIFT-50", "Supermarket card 50", "virtual/giftcard", 500,
     points.STOCK_UNLIMITED, 0),
    ("GIFT-200", "Supermarket card 200", "virtual/giftcard", 2000,
     points.STOCK_UNLIMITED, 0),
    ("MOVIE", "Two cinema tickets", "virtual/tickets", 600, 100, 10),
    ("SPA", "Spa afternoon", "experience/wellness", 3500, 6, 2),
    ("HOTEL", "A night at the Seaside hotel", "experience/travel", 6000,
     4, 1),
    ("BOOK", "Book of the month", "physical/books", 250, 40, 5),
    ("YOGA", "Ten yoga classes", "experience/wellness", 1800, 12, 3),
)
AUCTION_SKU = ("JERSEY", "Team jersey signed by the squad", "physical/collect",
               5000, 1, 0)


def employees(n, rng):
    """n employees: (external id, name, department), the first two known
    to the tests (E1001 in R&D, E1002 in Sales)."""
    out = []
    for i in range(n):
        name = "%s %s" % (rng.choice(FIRST), rng.choice(GIVEN))
        out.append(("E%d" % (1001 + i), name,
                    DEPARTMENTS[i % len(DEPARTMENTS)]))
    return out


def build(uri, *, n_employees=200, seed=2026, now=None):
    """Write the demo ledger at uri (a new one) as of now (default: the
    time); returns {external id: account id}."""
    rng = random.Random(seed)
    now = int(time.time()) if now is None else now
    # the year starts at a midnight, so that the company is the same
    # whatever the time of day
    start = now // DAY * DAY - 365 * DAY
    with points.Ledger.open(uri, clock=start) as ledger:
        ledger.create_asset(ASSET, 0, points.EXPIRE_DAYS, 365)
        ledger.tier_set("staff", 0, 100)
        ledger.tier_set("senior", 1, 120)
        staff = {}
        with ledger.batch():
            for ext, name, dept in employees(n_employees, rng):
                a = ledger.create_account(ext, name)
                ledger.update_account(a, department=dept,
                                      tier="senior" if rng.random() < 0.25
                                      else "staff")
                staff[ext] = a.id
            for name, etype, pts, cond, cat in RULES:
                ledger.rule_save(name, etype, pts, ASSET, "hr.admin",
                                 condition=cond, category=cat,
                                 state=points.RULE_ACTIVE,
                                 reason="welfare programme 2026")
            for sku, name, cat, price, stock, low in \
                    CATALOGUE + (AUCTION_SKU,):
                # the auction's item is not for sale in the mall
                ledger.item_create(sku, name, cat, ASSET, price, stock,
                                   "hr.admin", low_stock=low,
                                   return_days=14,
                                   listed=sku != AUCTION_SKU[0])
        _year(ledger, staff, rng, start, start + 364 * DAY)
        ledger.set_clock(now - 40 * DAY)
        _closed_lottery(ledger, staff, rng, now)
        ledger.set_clock(now - 2 * DAY)
        _open_activities(ledger, staff, rng, now)
        ledger.set_clock(now)
        ledger.verify()
    return staff


def _year(ledger, staff, rng, start, end):
    """A year of events, earns and orders from start until end, in time
    order, a batch a day."""
    ids = sorted(staff)
    acts = []
    for ext in ids:
        hired = rng.randrange(12)
        for month in range(12):
            t = start + month * 30 * DAY + rng.randrange(28 * DAY)
            if rng.random() < 0.55:
                acts.append((t, "training", ext, "T%02d" % month))
            if rng.random() < 0.08:
                acts.append((t + 3600, "certificate", ext, "C%02d" % month))
            if rng.random() < 0.03:
                acts.append((t + 7200, "referral", ext, "R%02d" % month))
            if month == hired:
                acts.append((t + 10800, "anniversary", ext, "Y%02d" % month))
            if rng.random() < 0.12:
                acts.append((t + 14400, "spot", ext, "S%02d" % month))
            if month >= 2 and rng.random() < 0.12:
                acts.append((t + 5 * DAY, "order", ext, "O%02d" % month))
    for month in (1, 8):  # the two festivals: everyone gets a gift
        t = start + month * 30 * DAY + 12 * DAY
        for ext in ids:
            acts.append((t, "festival", ext, "F%02d" % month))
    acts.sort()
    pending = []  # orders the administrators move along: (due, order, step)
    day = month = None
    batch = False
    for t, what, ext, ref in acts:
        if t >= end:
            continue
        if day != t // DAY:
            if batch:
                ledger.commit_batch()
            day = t // DAY
            pending = _advance(ledger, pending, t, rng)
            ledger.set_clock(t)
            ledger.begin_batch()
            batch = True
            if month != (t - start) // (30 * DAY):
                month = (t - start) // (30 * DAY)
                _restock(ledger, month)
        ledger.set_clock(t)
        a = staff[ext]
        if what in ("training", "certificate", "referral", "anniversary"):
            attrs = {"course": ref} if what == "training" else {}
            if what == "referral":
                attrs = {"hired": True}
            amount = rng.randrange(1, 8) if what == "anniversary" else 0
            ledger.event_apply("%s/%s/%s" % (ext, what, ref), what, a,
                               amount, attrs, actor="hr.admin")
        elif what == "spot":
            ledger.earn(a, rng.choice((100, 150, 300)), ASSET,
                        "spot award", category="spot", actor="mgr",
                        idempotency_key="%s/spot/%s" % (ext, ref))
        elif what == "festival":
            ledger.earn(a, 300, ASSET, "festival gift", category="festival",
                        actor="hr.admin",
                        idempotency_key="%s/festival/%s" % (ext, ref))
        elif what == "order":
            avail = ledger.balance(a, ASSET).available
            can = [c for c in CATALOGUE if c[3] <= avail and
                   (c[4] < 0 or ledger.item(c[0]).stock > 0)]
            if can:
                sku = rng.choice(can)[0]
                try:
                    o = ledger.order_place(
                        a, sku, 1, idempotency_key="%s/%s" % (ext, ref))
                except points.Error:
                    continue
                pending.append((t + DAY, o.id, "approve"))
    if batch:
        ledger.commit_batch()
    ledger.set_clock(end)
    _advance(ledger, pending, end, rng)


def _restock(ledger, month):
    """The monthly restock of what runs low, but in the last month, so
    that the catalogue shows its alerts."""
    if month >= 11:
        return
    for sku, _name, _cat, _price, stock, low in CATALOGUE:
        left = ledger.item(sku).stock
        if 0 <= left <= low:
            ledger.item_restock(sku, stock - left, "hr.admin",
                                "monthly restock")


def _advance(ledger, pending, t, rng):
    """Move the orders due by t a step on (approve, ship, deliver, and
    now and then a cancel or a return); returns those still waiting."""
    left = []
    for due, oid, step in sorted(pending):
        if due > t:
            left.append((due, oid, step))
            continue
        ledger.set_clock(due)
        if step == "approve":
            if rng.random() < 0.05:
                ledger.order_cancel(oid, "hr.admin", "out of budget")
                continue
            ledger.order_approve(oid, "hr.admin")
            virtual = ledger.order(oid).sku.startswith(("GIFT", "MOVIE"))
            left.append((due + DAY, oid, "deliver" if virtual else "ship"))
        elif step == "ship":
            ledger.order_ship(oid, "SF Express",
                              "SF%010d" % rng.randrange(10**10), "hr.admin")
            left.append((due + 2 * DAY, oid, "deliver"))
        elif step == "deliver":
            ledger.order_deliver(oid, "hr.admin")
            if rng.random() < 0.04:
                left.append((due + 3 * DAY, oid, "return"))
        elif step == "return":
            ledger.order_return(oid, True, "hr.admin", "did not fit")
    return left


def _closed_lottery(ledger, staff, rng, now):
    """Last month's lottery: drawn, closed, its seed revealed."""
    t = now - 40 * DAY
    lot = ledger.lottery_create(
        "Autumn draw", ASSET, 20, t, t + 10 * DAY,
        [(points.PRIZE_POINTS, "500 points", 1, 5, 500),
         (points.PRIZE_POINTS, "100 points", 5, 30, 100),
         (points.PRIZE_CUSTOM, "An extra day off", 1, 2, 0)],
        lose_weight=20, consolation=5, limit_day=3)
    for i, ext in enumerate(rng.sample(sorted(staff), min(40, len(staff)))):
        ledger.set_clock(t + 3600 + i * 600)
        try:
            ledger.lottery_draw(lot.id, staff[ext], "%s/autumn/%d" % (ext, i))
        except points.Error:
            pass
    ledger.set_clock(t + 11 * DAY)
    ledger.lottery_close(lot.id)


def _open_activities(ledger, staff, rng, now):
    """This month's lottery and an auction, both open, with a few draws
    and bids already."""
    t = now - 2 * DAY
    lot = ledger.lottery_create(
        "Winter draw", ASSET, 20, t, now + 30 * DAY,
        [(points.PRIZE_POINTS, "1000 points", 1, 3, 1000),
         (points.PRIZE_POINTS, "100 points", 6, 50, 100),
         (points.PRIZE_ITEM, "A custom thermos", 3, 10, 0, "THERMOS"),
         (points.PRIZE_CUSTOM, "Lunch with the CEO", 1, 1, 0)],
        lose_weight=20, consolation=5, limit_day=5)
    auc = ledger.auction_create(t, now + 7 * DAY, 500, 50, sku="JERSEY",
                                reserve=800, snipe_window=600,
                                snipe_extend=900, min_balance=100)
    ids = sorted(staff)
    bidders = [e for e in ids[2:12]]
    price = 500
    for i, ext in enumerate(bidders[:4]):
        ledger.set_clock(t + 3600 * (i + 1))
        try:
            ledger.auction_bid(auc.id, staff[ext], price,
                               "%s/jersey/%d" % (ext, price))
            price += 50
        except points.Error:
            pass
    for i, ext in enumerate(rng.sample(ids, min(15, len(ids)))):
        ledger.set_clock(t + 7200 + i * 60)
        try:
            ledger.lottery_draw(lot.id, staff[ext], "%s/winter/%d" % (ext, i))
        except points.Error:
            pass


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit("usage: demo.py LEDGER.db [EMPLOYEES]")
    n = int(argv[2]) if len(argv) == 3 else 200
    t0 = time.time()
    staff = build("sqlite:" + argv[1], n_employees=n)
    print("demo ledger %s: %d employees, a year of awards (%.1f s)" % (
        argv[1], len(staff), time.time() - t0))


if __name__ == "__main__":
    main(sys.argv)
