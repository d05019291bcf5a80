"""The welfare mall in headless Chromium (Debian's chromium and
chromium-driver, through python3-selenium): an employee's journey (earn,
browse, an order sent twice, approval, shipping, delivery, return,
a lottery draw, a bid and the outbid notice) and an administrator's (edit
a rule and see the report change), asserting what the pages show, with a
screenshot of each page in $WEBMALL_SHOTS.

The application runs as a host would run it: demo.py makes the demo
ledger and app.py serves it, both on $WEBMALL_PYTHON with the binding on
$WEBMALL_PYTHONPATH (make check-webmall-browser sets them)."""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from urllib.parse import urlparse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

HERE = os.path.dirname(os.path.abspath(__file__))
APP_DIR = os.path.join(HERE, "..", "..", "examples", "webmall")
PYTHON = os.environ.get("WEBMALL_PYTHON", sys.executable)
SHOTS = os.environ.get("WEBMALL_SHOTS", os.path.join(
    HERE, "..", "..", "build", "webmall-shots"))

# Send form id (arguments[0]) twice at once, as a double click on a slow
# network does, and wait for both answers.
SUBMIT_TWICE = """
const form = document.getElementById(arguments[0]), done = arguments[1];
const send = () => fetch(form.action, {method: "POST",
                                       body: new FormData(form)});
Promise.all([send(), send()]).then(() => done(), () => done());
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Journeys(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="webmall-browser-")
        os.makedirs(SHOTS, exist_ok=True)
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        if os.environ.get("WEBMALL_PYTHONPATH"):
            env["PYTHONPATH"] = os.environ["WEBMALL_PYTHONPATH"]
        db = os.path.join(cls.dir, "demo.db")
        subprocess.run([PYTHON, os.path.join(APP_DIR, "demo.py"), db],
                       env=env, check=True)
        port = free_port()
        env.update(WEBMALL_DB=db, WEBMALL_PORT=str(port))
        cls.log = open(os.path.join(cls.dir, "server.log"), "w")
        cls.server = subprocess.Popen(
            [PYTHON, os.path.join(APP_DIR, "app.py")], env=env,
            stdout=cls.log, stderr=subprocess.STDOUT)
        cls.base = "http://127.0.0.1:%d" % port
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                if cls.server.poll() is not None:
                    raise RuntimeError("the application did not start: %s"
                                       % open(cls.log.name).read())
                time.sleep(0.1)
        opts = webdriver.ChromeOptions()
        opts.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
                  "--disable-dev-shm-usage", "--window-size=1280,1000"):
            opts.add_argument(a)
        cls.driver = webdriver.Chrome(service=Service(os.environ.get(
            "CHROMEDRIVER", "/usr/bin/chromedriver")), options=opts)
        cls.driver.implicitly_wait(2)
        cls.shot = 0

    @classmethod
    def tearDownClass(cls):
        cls.driver.quit()
        cls.server.terminate()
        cls.server.wait(10)
        cls.log.close()
        shutil.rmtree(cls.dir)

    # ---- helpers ----

    def go(self, path, name=None):
        self.driver.get(self.base + path)
        self.snap(name or path.strip("/").replace("/", "-") or "home")

    def snap(self, name):
        type(self).shot += 1
        self.driver.save_screenshot(os.path.join(
            SHOTS, "%02d-%s-%s.png" % (self.shot, self._testMethodName[5:],
                                       re.sub(r"[^a-z0-9-]", "", name))))

    def text(self, ident):
        return self.driver.find_element(By.ID, ident).text

    def num(self, ident):
        return int(self.text(ident))

    def fill(self, ident, value):
        el = self.driver.find_element(By.ID, ident)
        el.clear()
        el.send_keys(value)

    def click(self, ident, name=None):
        self.driver.find_element(By.ID, ident).click()
        if name:
            self.snap(name)

    def flash(self, cat="ok"):
        return [e.text for e in self.driver.find_elements(
            By.CSS_SELECTOR, "p.flash.%s" % cat)]

    def posts(self, path):
        """How many forms the application was sent at path so far."""
        self.log.flush()
        with open(self.log.name) as f:
            return f.read().count('"POST %s HTTP' % path)

    def award(self, ext):
        """The administrator applies a ten-year anniversary for ext (1000
        points or more, by the rules)."""
        self.login("hr.admin")
        self.go("/admin/rules", "rules")
        self.fill("ev-employee", ext)
        self.fill("ev-type", "anniversary")
        self.fill("ev-ref", "JOURNEY")
        self.fill("ev-amount", "10")
        self.click("apply", "anniversary")
        self.assertRegex(self.flash()[0],
                         r"%s/anniversary/JOURNEY: \d{4,} points" % ext)

    def login(self, user):
        self.driver.delete_all_cookies()
        self.go("/login", "login")
        Select(self.driver.find_element(By.ID, "user")).select_by_value(user)
        self.click("login")
        self.assertIn("(%s," % user, self.text("who"))

    # ---- the journeys ----

    def test_employee_journey(self):
        d = self.driver
        self.login("E1001")
        self.go("/balance")
        start = self.num("available")
        self.assertEqual(self.num("held"), 0)

        # earn: a training course, through the rules
        self.go("/earn")
        self.fill("ref", "FIRST-AID")
        self.click("report", "earned")
        m = re.search(r"training FIRST-AID: (\d+) points", self.flash()[0])
        self.assertIsNotNone(m, self.flash())
        earned = int(m.group(1))
        self.assertGreater(earned, 0)
        self.go("/balance", "balance-after-earn")
        self.assertEqual(self.num("available"), start + earned)
        self.go("/statement?category=training", "statement")
        self.assertIn("event E1001/training/FIRST-AID",
                      self.text("statement"))

        # browse: a price range, affordable now, recommendations
        self.go("/mall?min=200&max=700&affordable=1", "mall-filtered")
        rows = d.find_elements(By.CSS_SELECTOR, "#items tr td:nth-child(3)")
        prices = [int(r.text) for r in rows]
        self.assertTrue(prices)
        self.assertTrue(all(200 <= p <= 700 for p in prices), prices)
        self.assertIn("Popular in your department", d.page_source)
        self.fill("min", "cheap")
        self.click("filter", "mall-bad-filter")
        self.assertIn("lowest price: not a whole number: 'cheap'",
                      self.flash("error")[0])

        # order, with a double click on the button: one order
        self.go("/orders", "orders-before")
        n_orders = len(d.find_elements(By.CSS_SELECTOR, "#orders tr")) - 1
        if "No orders yet" in self.text("orders"):
            n_orders = 0
        self.go("/mall?max=700&affordable=1&sort=price", "mall-cheap")
        for row in d.find_elements(By.CSS_SELECTOR, "#items tr")[1:]:
            if row.find_elements(By.TAG_NAME, "td")[3].text != "0":
                row.find_element(By.TAG_NAME, "a").click()
                break
        self.snap("item")
        price = self.num("price")
        self.fill("quantity", "zero")
        self.click("order", "order-refused")
        self.assertIn("quantity: not a whole number: 'zero'",
                      self.flash("error")[0])
        # a double click: the form sent twice at once (Chromium drops a
        # second click's submit while the first is under way; a slow
        # network, or two tabs, would not), then the order page
        item_path = urlparse(d.current_url).path
        sent = self.posts(item_path)
        self.fill("quantity", "1")
        d.execute_async_script(SUBMIT_TWICE, "order-form")
        self.assertEqual(self.posts(item_path) - sent, 2)
        self.go("/orders", "orders")
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "#orders tr"))
                         - 1, n_orders + 1)
        d.find_element(By.CSS_SELECTOR, "#orders tr:nth-child(2) a").click()
        self.snap("order-placed")
        oid = self.text("order-id")
        self.assertEqual(self.text("state"), "submitted")
        self.go("/balance", "balance-held")
        self.assertEqual(self.num("held"), price)

        # the administrator approves, ships, delivers
        self.login("hr.admin")
        self.go("/admin/orders", "admin-orders")
        self.click("approve-" + oid, "approved")
        self.assertIn("order %s: approved" % oid, self.flash()[0])
        self.fill("tracking-" + oid, "SF2026120501")
        self.click("ship-" + oid, "shipped")
        self.click("deliver-" + oid, "delivered")
        self.assertIn("order %s: delivered" % oid, self.flash()[0])

        # the employee follows it and returns it
        self.login("E1001")
        self.go("/orders/" + oid, "order-delivered")
        self.assertEqual(self.text("state"), "delivered")
        self.assertEqual(self.text("tracking"), "SF2026120501")
        self.assertIn("approved", self.text("history"))
        self.assertIn("shipped", self.text("history"))
        self.fill("return-reason", "already read it")
        self.click("return", "order-returned")
        self.assertEqual(self.text("state"), "returned")
        self.go("/balance", "balance-after-return")
        self.assertEqual(self.num("available"), start + earned)
        self.assertEqual(self.num("held"), 0)

        # the lottery: a draw, the commitment, the results
        self.go("/lottery", "lotteries")
        d.find_element(By.LINK_TEXT, "Winter draw").click()
        commitment = self.text("commitment")
        self.assertRegex(commitment, r"^[0-9a-f]{64}$")
        results = self.text("results")
        self.click("draw", "lottery-drawn")
        self.assertRegex(self.flash()[0], r"^draw \d+: ")
        self.assertNotEqual(self.text("results"), results)
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR,
                                             "#my-draws tr")), 2)
        self.assertEqual(self.text("commitment"), commitment)
        # last month's lottery is closed: its seed and the audit
        self.go("/lottery", "lotteries")
        d.find_element(By.LINK_TEXT, "Autumn draw").click()
        self.snap("lottery-audit")
        self.assertTrue(self.text("audit").startswith("passed: all"))
        self.assertRegex(self.text("seed"), r"^[0-9a-f]{64}$")

        # an auction: a bid too low, a bid, then outbid by a colleague
        self.award("E1001")      # enough to bid, whatever the demo gave
        self.login("E1001")
        self.go("/auctions", "auctions")
        d.find_element(By.LINK_TEXT, "Team jersey signed by the squad").click()
        least = self.num("least")
        self.fill("amount", str(least - 1))
        self.click("bid", "bid-too-low")
        self.assertIn(str(least), self.flash("error")[0])
        self.fill("amount", str(least))
        self.click("bid", "bid")
        self.assertEqual(self.text("leader"), "you")
        url = d.current_url
        self.award("E1002")      # enough for a colleague to bid
        self.login("E1002")
        d.get(url)
        self.fill("amount", str(self.num("least")))
        self.click("bid", "outbidding")
        self.assertEqual(self.text("leader"), "you")
        self.login("E1001")
        self.go("/auctions", "outbid")
        self.assertIn("your bid of %d on Team jersey" % least,
                      self.text("outbid"))
        self.go("/notices", "notices")
        self.assertIn("auction.outbid", self.text("notices"))

    def test_admin_journey(self):
        d = self.driver
        self.login("E1003")
        self.go("/admin/reports", "employee-refused")
        self.assertIn("Forbidden", d.page_source)
        self.login("hr.admin")
        self.go("/admin", "overview")
        self.go("/admin/reports", "reports")
        self.assertEqual(len(d.find_elements(By.CSS_SELECTOR, "svg.chart")),
                         4)
        before = self.num("rule-training")

        # edit the training rule: a bad expression, then 80 points
        self.go("/admin/rules", "rules")
        d.find_element(By.LINK_TEXT, "training").click()
        self.snap("rule")
        version = self.num("version")
        self.fill("points", "event.amont +")
        self.fill("reason", "typo")
        self.click("save", "rule-refused")
        self.assertIn("rule 'training'", self.flash("error")[0])
        self.assertEqual(self.num("version"), version)
        self.fill("points", "80")
        self.fill("reason", "training week")
        self.click("save", "rule-saved")
        self.assertEqual(self.num("version"), version + 1)
        self.assertIn("training week", self.text("versions"))
        self.click("preview", "rule-preview")
        self.assertIn("would give", self.text("preview-result"))
        self.click("backtest", "rule-backtest")
        self.assertIn("points to", self.text("backtest-result"))

        # an event under the new version, and the report shows it
        self.go("/admin/rules", "rules")
        self.fill("ev-employee", "E1005")
        self.fill("ev-ref", "WEEK-1")
        self.click("apply", "event-applied")
        self.assertIn("E1005/training/WEEK-1: 80 points", self.flash()[0])
        self.go("/admin/reports", "reports-after")
        self.assertEqual(self.num("rule-training"), before + 80)

        # the catalogue and its stock alerts, the orders, the activities
        self.go("/admin/catalogue", "catalogue")
        self.fill("delta-HOTEL", "lots")
        self.click("restock-HOTEL", "restock-refused")
        self.assertIn("stock change: not a whole number",
                      self.flash("error")[0])
        self.fill("delta-HOTEL", "3")
        self.click("restock-HOTEL", "restocked")
        self.assertIn("HOTEL: stock now", self.flash()[0])
        self.go("/admin/orders", "orders")
        self.go("/admin/activities", "activities")

        # exports and the integrity check
        self.go("/admin/reports", "reports")
        self.assertTrue(d.find_element(By.ID, "export-csv")
                        .get_attribute("href").endswith("/admin/export.csv"))
        self.go("/admin/verify", "verify")
        self.click("verify", "verified")
        self.assertRegex(self.text("verify-result"),
                         r"^The ledger verifies: \d+ entries")


if __name__ == "__main__":
    unittest.main()
