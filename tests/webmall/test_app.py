"""The welfare mall example (examples/webmall) through Flask's test
client: each page over a small demo ledger on a settable clock, the
roles, every form's refusals (the library's message, nothing written),
the order's idempotency key, and a seeded random walk of an employee's
forms against a model of their points."""

import os
import random
import re
import shutil
import sys
import tempfile
import unittest
from html import unescape

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples", "webmall"))

import points  # noqa: E402
import demo  # noqa: E402
import app as webmall  # noqa: E402

NOW = 1_780_000_000  # 2026-05-28
ASSET = demo.ASSET


def text_of(resp):
    """A page's text, tags dropped, spaces squeezed."""
    body = resp.get_data(as_text=True)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body)))


def field(resp, ident):
    """The text of the element with id ident."""
    body = resp.get_data(as_text=True)
    m = re.search(r'id="%s"[^>]*>(.*?)</' % re.escape(ident), body, re.S)
    if m is None:
        raise AssertionError("no element %s in %s" % (ident, body[:2000]))
    return unescape(m.group(1)).strip()


def flashes(resp, cat="error"):
    """The texts of the page's messages of category cat."""
    body = resp.get_data(as_text=True)
    return [unescape(m) for m in re.findall(
        r'<p class="flash %s">(.*?)</p>' % cat, body, re.S)]


def key_of(resp):
    m = re.search(r'name="key" value="([0-9a-f]+)"',
                  resp.get_data(as_text=True))
    assert m, "the form has no key"
    return m.group(1)


class WebmallCase(unittest.TestCase):
    """A demo ledger of 30 employees made once; each test works on a
    copy of it, on a clock stopped at NOW."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="webmall-test-")
        cls.master = os.path.join(cls.dir, "master.db")
        demo.build("sqlite:" + cls.master, n_employees=30, seed=7, now=NOW)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def setUp(self):
        path = os.path.join(self.dir, "%s.db" % self.id().split(".")[-1])
        shutil.copy(self.master, path)
        self.app = webmall.create_app("sqlite:%s?mode=rw" % path, clock=NOW,
                                      secret=b"test")
        self.ledger = self.app.config["LEDGER"]
        self.addCleanup(self.ledger.close)
        self.client = self.app.test_client()

    def login(self, user, client=None):
        c = client or self.client
        c.post("/logout")
        r = c.post("/login", data={"user": user}, follow_redirects=True)
        self.assertEqual(r.status_code, 200)
        return r

    def acct(self, ext):
        return self.ledger.find_account(ext)

    def bal(self, ext):
        return self.ledger.balance(self.acct(ext), ASSET)

    def rich(self, ext, points_=20000):
        """Give ext enough points for anything in the catalogue."""
        self.ledger.earn(self.acct(ext), points_, ASSET, "test",
                         category="test")

    def place(self, sku, qty="1", key=None):
        page = self.client.get("/item/%s" % sku)
        return self.client.post("/item/%s" % sku, data={
            "quantity": qty, "key": key or key_of(page)},
            follow_redirects=True)

    def order_count(self, ext):
        return sum(1 for _ in self.ledger.orders(self.acct(ext)))

    def admin_order(self, oid, action, **extra):
        self.login("hr.admin")
        data = dict(order=oid, action=action, **extra)
        r = self.client.post("/admin/orders", data=data,
                             follow_redirects=True)
        return r

    def assertSame(self, ext, before):
        self.assertEqual(self.bal(ext), before)


class Roles(WebmallCase):
    def test_anonymous_is_sent_to_login(self):
        r = self.client.get("/balance")
        self.assertEqual(r.status_code, 302)
        self.assertIn("/login", r.headers["Location"])
        self.assertEqual(self.client.get("/admin/reports").status_code, 302)

    def test_employee_cannot_reach_admin_pages(self):
        self.login("E1001")
        for p in ("/admin", "/admin/rules", "/admin/rules/training",
                  "/admin/catalogue", "/admin/orders", "/admin/reports",
                  "/admin/export.csv", "/admin/verify?run=1",
                  "/admin/activities"):
            self.assertEqual(self.client.get(p).status_code, 403, p)
        r = self.client.post("/admin/catalogue", data={
            "sku": "THERMOS", "delta": "5"})
        self.assertEqual(r.status_code, 403)
        self.assertEqual(self.ledger.item("THERMOS").changes, 1)

    def test_admin_has_no_employee_pages(self):
        self.login("hr.admin")
        self.assertEqual(self.client.get("/balance").status_code, 403)
        self.assertEqual(self.client.get("/admin").status_code, 200)

    def test_login_returns_to_the_page_asked_for_on_this_site_only(self):
        r = self.client.get("/mall?max=500")
        self.assertEqual(r.status_code, 302)
        nxt = r.headers["Location"]
        r = self.client.post(nxt, data={"user": "E1001"})
        self.assertTrue(r.headers["Location"].endswith("/mall?max=500"),
                        r.headers["Location"])
        for away in ("https://evil.example/", "//evil.example/x"):
            self.client.post("/logout")
            r = self.client.post("/login?next=%s" % away,
                                 data={"user": "E1001"})
            self.assertNotIn("evil", r.headers["Location"])

    def test_unknown_user_is_refused(self):
        r = self.client.post("/login", data={"user": "E9999"},
                             follow_redirects=True)
        self.assertIn("no such user: 'E9999'", text_of(r))
        self.assertEqual(self.client.get("/balance").status_code, 302)


class Employee(WebmallCase):
    def test_balance_shows_the_ledgers_figures(self):
        lots = list(self.ledger.expiring(ASSET, 30))
        self.assertTrue(lots, "the demo has points expiring soon")
        ext = self.ledger.account(lots[0].account).external_id
        self.login(ext)
        r = self.client.get("/balance")
        b = self.bal(ext)
        self.assertEqual(int(field(r, "available")), b.available)
        self.assertEqual(int(field(r, "held")), b.held)
        self.assertEqual(int(field(r, "pending")), b.pending)
        soon = sum(l.amount for l in lots if l.account == b.account)
        self.assertGreater(soon, 0)
        self.assertEqual(int(field(r, "expiring")), soon)

    def test_statement_filters_by_category(self):
        self.login("E1001")
        r = self.client.get("/statement?category=training")
        rows = re.findall(r"<tr><td>[^<]*</td><td>(\w+)</td><td>(\w*)</td>",
                          r.get_data(as_text=True))
        self.assertTrue(rows)
        self.assertEqual({c for _k, c in rows}, {"training"})

    def test_earn_reports_an_activity_once(self):
        self.login("E1001")
        before = self.bal("E1001").available
        r = self.client.post("/earn", data={"kind": "training",
                                            "ref": "SAFETY-1"},
                             follow_redirects=True)
        self.assertIn("training SAFETY-1: 50 points", text_of(r))
        r = self.client.post("/earn", data={"kind": "training",
                                            "ref": "SAFETY-1"},
                             follow_redirects=True)
        self.assertIn("reported before", text_of(r))
        self.assertEqual(self.bal("E1001").available, before + 50)

    def test_earn_refuses_bad_input(self):
        self.login("E1001")
        before = self.bal("E1001")
        r = self.client.post("/earn", data={"kind": "training", "ref": ""},
                             follow_redirects=True)
        self.assertIn("course or certificate: required", text_of(r))
        r = self.client.post("/earn", data={"kind": "bonus", "ref": "x"},
                             follow_redirects=True)
        self.assertIn("unknown kind 'bonus'", text_of(r))
        self.assertSame("E1001", before)

    def test_mall_filters_by_price_and_affordability(self):
        self.login("E1001")
        r = self.client.get("/mall?min=500&max=2000")
        prices = [int(p) for p in re.findall(
            r'<td class="num">(\d+)</td><td class="num">',
            r.get_data(as_text=True))]
        self.assertTrue(prices)
        self.assertTrue(all(500 <= p <= 2000 for p in prices), prices)
        avail = self.bal("E1001").available
        r = self.client.get("/mall?affordable=1")
        prices = [int(p) for p in re.findall(
            r'<td class="num">(\d+)</td><td class="num">',
            r.get_data(as_text=True))]
        self.assertTrue(all(p <= avail for p in prices), (prices, avail))
        r = self.client.get("/mall?category=virtual")
        self.assertIn("Supermarket card 50", text_of(r))
        self.assertNotIn("Custom thermos", text_of(r).split("For you")[0])
        self.assertIn("Popular in your department", text_of(r))

    def test_mall_refuses_a_bad_price(self):
        self.login("E1001")
        r = self.client.get("/mall?min=cheap")
        self.assertEqual(r.status_code, 400)
        self.assertIn("lowest price: not a whole number: 'cheap'",
                      text_of(r))
        r = self.client.get("/mall?min=-5")
        self.assertEqual(r.status_code, 400)   # the library's refusal
        self.assertIn("price", text_of(r))

    def test_an_order_sent_twice_is_one_order(self):
        self.rich("E1001")
        self.login("E1001")
        page = self.client.get("/item/KETTLE")
        key = key_of(page)
        n, stock = self.order_count("E1001"), self.ledger.item("KETTLE").stock
        r1 = self.place("KETTLE", key=key)
        r2 = self.place("KETTLE", key=key)
        self.assertIn("placed:", text_of(r1))
        self.assertIn("placed already", text_of(r2))
        self.assertEqual(self.order_count("E1001"), n + 1)
        self.assertEqual(self.ledger.item("KETTLE").stock, stock - 1)
        self.assertEqual(field(r1, "order-id"), field(r2, "order-id"))
        # a new page is a new key: a second order
        self.place("KETTLE")
        self.assertEqual(self.order_count("E1001"), n + 2)

    def test_order_refusals_write_nothing(self):
        self.login("E1001")
        before, n = self.bal("E1001"), self.order_count("E1001")
        stock = self.ledger.item("HOTEL").stock
        cases = (("HOTEL", "two", "quantity: not a whole number: 'two'"),
                 ("HOTEL", "", "quantity: required"),
                 ("HOTEL", "0", "quantity"),
                 ("HOTEL", "-1", "quantity"),
                 ("HOTEL", "1", "insufficient points"))
        for sku, qty, msg in cases:
            r = self.place(sku, qty)
            self.assertIn(msg, text_of(r), (qty, text_of(r)[:500]))
            self.assertIn('class="flash error"', r.get_data(as_text=True))
        r = self.client.post("/item/HOTEL", data={"quantity": "1"},
                             follow_redirects=True)
        self.assertIn("no request key", text_of(r))
        self.assertSame("E1001", before)
        self.assertEqual(self.order_count("E1001"), n)
        self.assertEqual(self.ledger.item("HOTEL").stock, stock)

    def test_order_through_approval_shipping_delivery_and_return(self):
        self.rich("E1001")
        self.login("E1001")
        before = self.bal("E1001")
        r = self.place("EARBUDS")
        oid = field(r, "order-id")
        self.assertEqual(field(r, "state"), "submitted")
        self.assertEqual(self.bal("E1001").held, before.held + 2400)
        r = self.admin_order(oid, "approve")
        self.assertIn("order %s: approved" % oid, text_of(r))
        r = self.admin_order(oid, "ship", carrier="SF Express", tracking="")
        self.assertIn("tracking number: required", text_of(r))
        self.assertEqual(self.ledger.order(oid).state, points.ORDER_APPROVED)
        self.admin_order(oid, "ship", carrier="SF Express",
                         tracking="SF0001")
        self.admin_order(oid, "deliver")
        self.login("E1001")
        r = self.client.get("/orders/%s" % oid)
        self.assertEqual(field(r, "state"), "delivered")
        self.assertEqual(field(r, "tracking"), "SF0001")
        self.assertIn("approved shipped", text_of(r))
        self.assertEqual(self.bal("E1001").available, before.available - 2400)
        r = self.client.post("/orders/%s" % oid, data={
            "action": "return", "reason": "too loud"}, follow_redirects=True)
        self.assertEqual(field(r, "state"), "returned")
        self.assertEqual(self.bal("E1001").available, before.available)

    def test_a_return_after_the_return_days_is_refused(self):
        self.rich("E1001")
        self.login("E1001")
        oid = field(self.place("BOOK"), "order-id")
        for action, extra in (("approve", {}), ("ship", {
                "carrier": "SF", "tracking": "SF1"}), ("deliver", {})):
            self.admin_order(oid, action, **extra)
        self.ledger.set_clock(NOW + 15 * 86400)     # BOOK: 14 days
        self.login("E1001")
        before = self.bal("E1001")
        r = self.client.post("/orders/%s" % oid, data={"action": "return"},
                             follow_redirects=True)
        self.assertEqual(len(flashes(r)), 1)
        self.assertIn(oid, flashes(r)[0])
        self.assertEqual(field(r, "state"), "delivered")
        self.assertSame("E1001", before)

    def test_cancel_and_a_second_cancel(self):
        self.rich("E1001")
        self.login("E1001")
        before = self.bal("E1001")
        oid = field(self.place("BOOK"), "order-id")
        r = self.client.post("/orders/%s" % oid, data={"action": "cancel"},
                             follow_redirects=True)
        self.assertEqual(field(r, "state"), "cancelled")
        self.assertSame("E1001", before)
        r = self.client.post("/orders/%s" % oid, data={"action": "cancel"},
                             follow_redirects=True)
        self.assertIn('class="flash error"', r.get_data(as_text=True))
        self.assertIn(oid, text_of(r))        # the library names the order

    def test_another_employees_order_is_not_found(self):
        self.rich("E1001")
        self.login("E1001")
        oid = field(self.place("BOOK"), "order-id")
        self.login("E1002")
        self.assertEqual(self.client.get("/orders/%s" % oid).status_code,
                         404)
        r = self.client.post("/orders/%s" % oid, data={"action": "cancel"})
        self.assertEqual(r.status_code, 404)
        self.assertEqual(self.ledger.order(oid).state,
                         points.ORDER_SUBMITTED)

    def test_lottery_draw_once_per_key_then_audit_after_close(self):
        self.login("E1001")
        lot = [l for l in webmall.lotteries(self.ledger) if not l.state][0]
        page = self.client.get("/lottery/%d" % lot.id)
        self.assertEqual(field(page, "commitment"), lot.commitment)
        key = key_of(page)
        r = self.client.post("/lottery/%d" % lot.id, data={"key": key},
                             follow_redirects=True)
        self.assertIn("draw %d:" % (lot.draws + 1), text_of(r))
        self.client.post("/lottery/%d" % lot.id, data={"key": key})
        self.assertEqual(self.ledger.lottery(lot.id).draws, lot.draws + 1)
        self.assertEqual(len(list(self.ledger.lottery_draws(
            lot.id, self.acct("E1001")))), 1)
        self.login("hr.admin")
        self.client.post("/admin/activities", data={
            "action": "close", "lottery": str(lot.id)})
        self.login("E1001")
        r = self.client.get("/lottery/%d" % lot.id)
        self.assertTrue(field(r, "audit").startswith("passed: all %d draws"
                                                     % (lot.draws + 1)))
        self.assertEqual(field(r, "seed"), self.ledger.lottery(lot.id).seed)

    def test_a_draw_past_the_daily_limit_is_refused(self):
        self.rich("E1001")
        self.login("E1001")
        lot = [l for l in webmall.lotteries(self.ledger) if not l.state][0]
        for _ in range(lot.limit_day):
            page = self.client.get("/lottery/%d" % lot.id)
            self.client.post("/lottery/%d" % lot.id,
                             data={"key": key_of(page)})
        before = self.bal("E1001")
        page = self.client.get("/lottery/%d" % lot.id)
        r = self.client.post("/lottery/%d" % lot.id,
                             data={"key": key_of(page)}, follow_redirects=True)
        self.assertEqual(len(flashes(r)), 1)
        self.assertIn("E1001", flashes(r)[0])
        self.assertEqual(self.ledger.lottery(lot.id).draws,
                         lot.draws + lot.limit_day)
        self.assertSame("E1001", before)

    def test_auction_bids_and_the_outbid_notice(self):
        self.rich("E1001")
        self.rich("E1002")
        a = webmall.auctions(self.ledger)[0]
        self.login("E1001")
        page = self.client.get("/auction/%d" % a.id)
        least = int(field(page, "least"))
        r = self.client.post("/auction/%d" % a.id, data={
            "amount": str(least - 1), "key": key_of(page)},
            follow_redirects=True)
        self.assertIn(str(least), text_of(r).split("Next bid")[0])
        self.assertEqual(self.ledger.auction(a.id).bids, a.bids)
        r = self.client.post("/auction/%d" % a.id, data={
            "amount": str(least), "key": key_of(page)},
            follow_redirects=True)
        self.assertEqual(field(r, "leader"), "you")
        self.login("E1002")
        page = self.client.get("/auction/%d" % a.id)
        self.client.post("/auction/%d" % a.id, data={
            "amount": str(least + a.increment), "key": key_of(page)})
        self.login("E1001")
        r = self.client.get("/auctions")
        self.assertIn("your bid of %d on %s was beaten" % (least, a.item),
                      text_of(r))
        self.assertEqual(self.bal("E1001").held, 0)


class Admin(WebmallCase):
    def test_rule_edit_makes_a_version_and_the_report_changes(self):
        self.login("hr.admin")
        by_rule = lambda: {r.key: r.points for r in self.ledger.report(
            points.REPORT_ISSUED_BY_RULE, ASSET)}
        was = by_rule()["training"]
        r = self.client.post("/admin/rules/training", data={
            "points": "80", "condition": "", "state": "active",
            "reason": "training week"}, follow_redirects=True)
        self.assertIn("saved as version 2", text_of(r))
        self.assertIn("2 2026-05-28 20:26 hr.admin active training week",
                      text_of(r))        # the versions, newest first
        self.client.post("/admin/rules", data={
            "employee": "E1003", "type": "training", "ref": "WEEK-1",
            "amount": "0"})
        self.assertEqual(by_rule()["training"], was + 80)
        r = self.client.get("/admin/reports")
        self.assertEqual(int(field(r, "rule-training")), was + 80)

    def test_an_event_for_no_employee_is_refused(self):
        self.login("hr.admin")
        n = sum(1 for _ in self.ledger.export("csv"))
        for data, msg in (({"employee": "E9999", "type": "training",
                            "ref": "X", "amount": "0"}, "E9999"),
                          ({"employee": "E1001", "type": "training",
                            "ref": "", "amount": "0"}, "reference: required"),
                          ({"employee": "E1001", "type": "training",
                            "ref": "X", "amount": "ten"},
                           "amount: not a whole number")):
            r = self.client.post("/admin/rules", data=data,
                                 follow_redirects=True)
            self.assertEqual(len(flashes(r)), 1, data)
            self.assertIn(msg, flashes(r)[0])
        self.assertEqual(sum(1 for _ in self.ledger.export("csv")), n)

    def test_rule_edit_refusals_keep_the_version(self):
        self.login("hr.admin")
        for data, msg in (
                ({"points": "event.amont +", "state": "active",
                  "reason": "x"}, "rule 'training'"),
                ({"points": "80", "state": "active", "reason": ""},
                 "reason for the change: required"),
                ({"points": "80", "state": "gone", "reason": "x"},
                 "unknown state 'gone'")):
            r = self.client.post("/admin/rules/training", data=data,
                                 follow_redirects=True)
            self.assertIn(msg, text_of(r))
            self.assertEqual(field(r, "version"), "1")
        self.assertEqual(self.ledger.rule_get("training").version, 1)

    def test_auction_settles_only_after_its_end(self):
        a = webmall.auctions(self.ledger)[0]
        self.rich("E1001")
        self.ledger.auction_bid(a.id, self.acct("E1001"), 1000)
        self.login("hr.admin")
        r = self.client.post("/admin/activities", data={
            "action": "settle", "auction": str(a.id)}, follow_redirects=True)
        self.assertEqual(len(flashes(r)), 1)
        self.assertIn("auction %d" % a.id, flashes(r)[0])
        self.assertEqual(self.ledger.auction(a.id).state, points.AUCTION_OPEN)
        self.ledger.set_clock(self.ledger.auction(a.id).ends)
        r = self.client.post("/admin/activities", data={
            "action": "settle", "auction": str(a.id)}, follow_redirects=True)
        self.assertEqual(flashes(r, "ok"), ["auction %d settled" % a.id])
        done = self.ledger.auction(a.id)
        self.assertEqual((done.state, done.price), (points.AUCTION_SOLD,
                                                    1000))
        self.login("E1001")
        r = self.client.get("/orders/%s" % done.order_id)
        self.assertEqual(field(r, "state"), "approved")

    def test_rule_preview_and_backtest(self):
        self.login("hr.admin")
        r = self.client.get("/admin/rules/certificate?preview=1"
                            "&employee=E1001&amount=0")
        self.assertIn("would give 200 points", field(r, "preview-result"))
        r = self.client.get("/admin/rules/certificate?backtest=1&version=1"
                            "&days=365")
        bt = self.ledger.rule_backtest("certificate", 1, NOW - 365 * 86400)
        self.assertIn("%d points" % bt.summary.points,
                      field(r, "backtest-result"))
        r = self.client.get("/admin/rules/certificate?preview=1"
                            "&employee=E9999&amount=0")
        self.assertEqual(r.status_code, 400)
        self.assertIn("E9999", text_of(r))

    def test_restock_and_stock_alerts(self):
        self.login("hr.admin")
        stock = self.ledger.item("SPA").stock
        r = self.client.post("/admin/catalogue", data={
            "sku": "SPA", "delta": "lots"}, follow_redirects=True)
        self.assertIn("stock change: not a whole number", text_of(r))
        r = self.client.post("/admin/catalogue", data={
            "sku": "SPA", "delta": str(-stock - 1)}, follow_redirects=True)
        self.assertEqual(len(flashes(r)), 1)
        self.assertIn("SPA", flashes(r)[0])
        self.assertEqual(self.ledger.item("SPA").stock, stock)
        r = self.client.post("/admin/catalogue", data={
            "sku": "SPA", "delta": str(2 - stock), "reason": "count"},
            follow_redirects=True)
        self.assertIn("SPA: stock now 2", text_of(r))
        self.assertIn("LOW", field(r, "stock-SPA"))
        self.assertIn("item.low_stock: SPA", text_of(r))

    def test_reports_draw_their_charts(self):
        self.login("hr.admin")
        r = self.client.get("/admin/reports")
        body = r.get_data(as_text=True)
        self.assertEqual(body.count("<svg"), 4)
        top = list(self.ledger.leaderboard(ASSET, NOW - 365 * 86400, 0,
                                           top=1))[0]
        self.assertIn("%s" % top.external_id, body)
        liab = self.ledger.liability(ASSET)
        self.assertIn(str(liab.outstanding), text_of(r))

    def test_exports_and_the_integrity_check(self):
        self.login("hr.admin")
        r = self.client.get("/admin/export.csv")
        self.assertIn("attachment", r.headers["Content-Disposition"])
        lines = r.get_data(as_text=True).splitlines()
        self.assertEqual(len(lines) - 1, sum(
            1 for _ in self.ledger.export("csv")) - 1)
        # a download under way does not stop a write, nor the write it
        n = len(lines)
        r = self.client.get("/admin/export.csv", buffered=False)
        chunks = iter(r.response)
        self.assertTrue(next(chunks).startswith(b"seq,txn_id,"))
        self.ledger.earn(self.acct("E1001"), 5, ASSET, "during export")
        self.assertGreaterEqual(1 + sum(1 for _ in chunks), n)
        r.close()
        r = self.client.get("/admin/export.journal")
        self.assertIn("WELFARE", r.get_data(as_text=True))
        self.assertEqual(self.client.get("/admin/export.xls").status_code,
                         404)
        r = self.client.get("/admin/verify?run=1")
        self.assertIn("The ledger verifies", field(r, "verify-result"))


class Demo(unittest.TestCase):
    """make webmall's ledger is what the README says it is."""

    def test_the_demo_company(self):
        d = tempfile.mkdtemp(prefix="webmall-demo-")
        self.addCleanup(shutil.rmtree, d)
        uri = "sqlite:" + os.path.join(d, "demo.db")
        demo.build(uri, now=NOW)
        with points.Ledger.open(uri, clock=NOW) as ledger:
            staff = webmall.employees(ledger)
            self.assertEqual(len(staff), 200)
            self.assertEqual({a.department for a in staff},
                             set(demo.DEPARTMENTS))
            months = {r.period for r in ledger.report(
                points.REPORT_ISSUED_BY_CATEGORY, ASSET, NOW - 365 * 86400,
                0, points.PERIOD_MONTH)}
            self.assertGreaterEqual(len(months), 12)
            rules = {r.key for r in ledger.report(
                points.REPORT_ISSUED_BY_RULE, ASSET)}
            self.assertEqual(rules, {"", "training", "certificate",
                                     "referral", "anniversary"})
            cats = {r.key for r in ledger.report(
                points.REPORT_ISSUED_BY_CATEGORY, ASSET)}
            self.assertTrue({"spot", "festival", "training"} <= cats, cats)
            states = {o.state for o in ledger.orders()}
            self.assertTrue({points.ORDER_DELIVERED, points.ORDER_RETURNED,
                             points.ORDER_CANCELLED} <= states, states)
            self.assertEqual(sorted(l.state for l in
                                    webmall.lotteries(ledger)),
                             [points.LOTTERY_OPEN, points.LOTTERY_CLOSED])
            self.assertEqual([a.state for a in webmall.auctions(ledger)],
                             [points.AUCTION_OPEN])
            self.assertTrue(any(0 <= i.stock <= i.low_stock and i.listed
                                for i in ledger.items()))
            self.assertTrue(list(ledger.expiring(ASSET, 30)))
            ledger.verify()


class RandomWalk(WebmallCase):
    """An employee's forms in a seeded random order, good and bad, against
    a model of their points written from the pages' promises: an order
    holds quantity x price, a cancel gives it back, a refused form
    changes nothing; the balance page agrees after every step."""

    def test_random_forms_against_a_model(self):
        seed = int(os.environ.get("WEBMALL_SEED", "20261205"))
        rng = random.Random(seed)
        self.rich("E1004", 5000)
        self.login("E1004")
        b = self.bal("E1004")
        avail, held = b.available, b.held
        prices = {i.sku: i.price for i in self.ledger.items()}
        open_orders = []
        for step in range(60):
            what = rng.choice(("order", "order", "bad", "cancel", "twice"))
            sku = rng.choice(sorted(prices))
            ctx = "seed %d step %d %s %s" % (seed, step, what, sku)
            if what == "order" or what == "twice":
                qty = rng.randint(1, 3)
                stock = self.ledger.item(sku).stock
                page = self.client.get("/item/%s" % sku)
                key = key_of(page)
                for _ in range(2 if what == "twice" else 1):
                    r = self.place(sku, str(qty), key)
                cost = qty * prices[sku]
                ok = cost <= avail and (stock < 0 or stock >= qty)
                if ok:
                    avail, held = avail - cost, held + cost
                    open_orders.append((field(r, "order-id"), cost))
                else:
                    self.assertIn('class="flash error"',
                                  r.get_data(as_text=True), ctx)
            elif what == "bad":
                r = self.place(sku, rng.choice(("x", "", "1.5", "-2", "0")))
                self.assertIn('class="flash error"',
                              r.get_data(as_text=True), ctx)
            elif open_orders:
                oid, cost = open_orders.pop(rng.randrange(len(open_orders)))
                self.client.post("/orders/%s" % oid,
                                 data={"action": "cancel"})
                avail, held = avail + cost, held - cost
            r = self.client.get("/balance")
            self.assertEqual((int(field(r, "available")),
                              int(field(r, "held"))), (avail, held), ctx)
        self.ledger.verify()


if __name__ == "__main__":
    unittest.main()
