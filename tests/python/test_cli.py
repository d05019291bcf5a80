"""The points command-line tool (cli/points.c, man/man1/points.1), driven
as a script or cron would drive it, on temporary SQLite ledgers.

POINTS_CLI names the built tool (make check-python sets it); without it
the tests look for build/cli/points beside the tree.
"""
import csv
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest

try:
    import points  # the binding, to write what the tool only reads
except ImportError:
    points = None

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
CLI = os.environ.get("POINTS_CLI") or os.path.join(ROOT, "build", "cli",
                                                   "points")

# The exit codes points(1) documents.
OK, USAGE, NOTFOUND, INSUFFICIENT, REFUSED, STORAGE, VERIFY = range(7)


@unittest.skipUnless(os.access(CLI, os.X_OK), "no points tool at " + CLI)
class ToolCase(unittest.TestCase):
    """A fresh ledger with two accounts, and the tool's runners."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="points-cli-")
        self.path = os.path.join(self.dir, "ledger.db")
        self.uri = "sqlite:" + self.path
        self.ok("init", "--expire-days", "30")
        self.ok("account", "add", "E1001", "--name", "Li Wei",
                "--tier", "gold", "--department", "eng")
        self.ok("account", "add", "E1002", "--name", "Wang Fang")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def run_cli(self, *args, env=None, ledger=True):
        e = dict(os.environ)
        e.pop("POINTS_ASSET", None)
        e.pop("POINTS_LEDGER", None)
        if ledger:
            e["POINTS_LEDGER"] = self.uri
        e.update(env or {})
        p = subprocess.run([CLI] + list(args), env=e, capture_output=True,
                           text=True, timeout=30)
        return p.returncode, p.stdout, p.stderr

    def ok(self, *args, **kw):
        rc, out, err = self.run_cli(*args, **kw)
        self.assertEqual(rc, OK, "points %s: %s" % (" ".join(args), err))
        self.assertEqual(err, "")
        return out

    def js(self, *args, **kw):
        return json.loads(self.ok("--json", *args, **kw))

    def refused(self, code, *args, **kw):
        """The command fails with code and a message on stderr only."""
        rc, out, err = self.run_cli(*args, **kw)
        self.assertEqual(rc, code, "points %s: %r" % (" ".join(args), err))
        self.assertEqual(out, "")
        self.assertTrue(err.startswith("points: "), err)
        return err

    def state(self):
        """What a refused command must leave as it was."""
        return (self.js("balance", "E1001"), self.js("balance", "E1002"),
                self.js("statement", "E1001"), self.js("account", "list"))


class PointsTool(ToolCase):

    # ---- the commands' output ----

    def test_init_json_and_existing_asset(self):
        other = "sqlite:" + os.path.join(self.dir, "other.db")
        got = self.js("--ledger", other, "init", "--asset", "WELFARE",
                      "--decimals", "2", ledger=False)
        self.assertEqual(got, {"ledger": other, "asset": "WELFARE",
                               "decimals": 2, "expire_days": 0})
        err = self.refused(REFUSED, "init")
        self.assertIn("POINTS", err)

    def test_accounts(self):
        got = self.js("account", "show", "E1001")
        self.assertEqual(
            {k: got[k] for k in ("external_id", "name", "tier",
                                 "department", "status", "system")},
            {"external_id": "E1001", "name": "Li Wei", "tier": "gold",
             "department": "eng", "status": "active", "system": False})
        self.assertRegex(got["created_at"],
                         r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        text = self.ok("account", "show", "E1001")
        self.assertIn("external_id E1001", text)
        self.assertIn("department  eng", text)
        users = [a for a in self.js("account", "list") if not a["system"]]
        self.assertEqual([a["external_id"] for a in users],
                         ["E1001", "E1002"])
        listed = self.ok("account", "list").splitlines()
        self.assertTrue(any(l.startswith("E1002") for l in listed))
        self.assertEqual(self.js("account", "freeze", "E1002")["status"],
                         "frozen")
        self.assertEqual(self.js("account", "unfreeze", "E1002")["status"],
                         "active")
        self.ok("account", "close", "E1002")
        self.assertEqual(self.js("account", "show", "E1002")["status"],
                         "closed")

    def test_earn_spend_adjust_balance(self):
        t = self.js("earn", "E1001", "100", "--memo", "training, \"sec\"",
                    "--category", "training", "--actor", "hr")
        self.assertEqual((t["type"], t["from"], t["to"], t["amount"],
                          t["memo"], t["category"], t["actor"],
                          t["replayed"]),
                         ("earn", "system:issuer", "E1001", 100,
                          "training, \"sec\"", "training", "hr", False))
        t = self.js("spend", "E1001", "30")
        self.assertEqual((t["type"], t["from"], t["to"], t["amount"]),
                         ("spend", "E1001", "system:sink", 30))
        t = self.js("adjust", "E1001", "-5", "--memo", "typo")
        # a debit: the points go from the account to the issuer
        self.assertEqual((t["type"], t["from"], t["to"], t["amount"]),
                         ("adjust", "E1001", "system:issuer", 5))
        self.assertEqual(self.ok("adjust", "E1001", "7", "--memo", "back"),
                         "")
        b = self.js("balance", "E1001")
        self.assertEqual(b, {"account": "E1001", "asset": "POINTS",
                             "available": 72, "held": 0, "pending": 0,
                             "debt": 0, "earned": 107, "spent": 35,
                             "expired": 0})
        self.assertIn("available 72", self.ok("balance", "E1001"))

    def test_idempotency_key_pays_once(self):
        a = self.js("earn", "E1001", "50", "--key", "award-7")
        b = self.js("earn", "E1001", "50", "--key", "award-7")
        self.assertEqual((a["id"], a["replayed"], b["replayed"]),
                         (b["id"], False, True))
        self.assertEqual(self.js("balance", "E1001")["available"], 50)

    def test_statement_text_csv_json_and_period(self):
        self.ok("earn", "E1001", "100", "--memo", "a, b")
        self.ok("spend", "E1001", "40", "--category", "gift")
        entries = self.js("statement", "E1001")
        self.assertEqual([(e["type"], e["amount"], e["counterparty"])
                          for e in entries],
                         [("earn", 100, "system:issuer"),
                          ("spend", -40, "system:sink")])
        self.assertEqual(entries[0]["memo"], "a, b")
        rows = list(csv.DictReader(io.StringIO(
            self.ok("statement", "E1001", "--csv"))))
        self.assertEqual([(r["seq"], r["type"], r["amount"], r["memo"],
                           r["category"]) for r in rows],
                         [(str(entries[0]["seq"]), "earn", "100", "a, b", ""),
                          (str(entries[1]["seq"]), "spend", "-40", "",
                           "gift")])
        self.assertEqual(len(self.ok("statement", "E1001").splitlines()), 2)
        # a date as --to takes in its whole day
        today = time.strftime("%Y-%m-%d", time.gmtime())
        yesterday = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))
        self.assertEqual(len(self.js("statement", "E1001", "--to", today)), 2)
        self.assertEqual(self.js("statement", "E1001", "--to", yesterday), [])
        self.assertEqual(self.js("statement", "E1001", "--from",
                                 "2099-01-01T00:00:00Z"), [])
        self.assertEqual(len(self.js("statement", "E1001", "--from",
                                     yesterday + "T00:00:00")), 2)

    # ---- refusals: their exit code, their message, nothing written ----

    def test_refusals_write_nothing(self):
        self.ok("earn", "E1001", "100")
        before = self.state()
        err = self.refused(INSUFFICIENT, "spend", "E1001", "500")
        self.assertIn("E1001", err)
        self.assertIn("insufficient", err)
        err = self.refused(NOTFOUND, "earn", "E9999", "10")
        self.assertIn("E9999", err)
        self.refused(NOTFOUND, "balance", "E9999")
        self.refused(NOTFOUND, "--asset", "NOPE", "earn", "E1001", "10")
        self.refused(REFUSED, "earn", "E1001", "0")
        self.refused(REFUSED, "adjust", "E1001", "5")  # no memo: no reason
        self.refused(REFUSED, "account", "add", "E1001")
        self.refused(REFUSED, "account", "close", "E1001")  # has points
        self.ok("account", "freeze", "E1002")
        err = self.refused(REFUSED, "earn", "E1002", "10")
        self.assertIn("frozen", err)
        self.ok("account", "unfreeze", "E1002")
        self.assertEqual(self.state(), before)

    def test_account_add_is_all_or_nothing(self):
        self.refused(REFUSED, "account", "add", "E1003", "--department",
                     "d" * 65)
        self.refused(NOTFOUND, "account", "show", "E1003")

    def test_bad_arguments(self):
        before = self.state()
        for args in (["earn", "E1001"], ["earn", "E1001", "ten"],
                     ["earn", "E1001", "10", "extra"], ["frobnicate"],
                     [], ["account"], ["account", "rename", "E1001"],
                     ["balance", "E1001", "--bogus"],
                     ["balance", "E1001", "--csv"],
                     ["statement", "E1001", "--json", "--csv"],
                     ["statement", "E1001", "--from", "2025-02-30"],
                     ["statement", "E1001", "--to", "yesterday"],
                     ["sweep", "--as-of", "2025-01-01T25:00:00Z"],
                     ["earn", "E1001", "10", "--memo"]):
            self.refused(USAGE, *args)
        self.assertEqual(self.state(), before)

    def test_missing_ledger(self):
        err = self.refused(USAGE, "balance", "E1001", ledger=False)
        self.assertIn("POINTS_LEDGER", err)
        gone = os.path.join(self.dir, "gone.db")
        err = self.refused(NOTFOUND, "--ledger", "sqlite:" + gone, "balance",
                           "E1001")
        self.assertIn(gone, err)
        self.assertFalse(os.path.exists(gone))
        # --ledger wins over the environment
        self.refused(NOTFOUND, "balance", "E1001",
                     env={"POINTS_LEDGER": "sqlite:" + gone})
        self.ok("--ledger", self.uri, "balance", "E1001",
                env={"POINTS_LEDGER": "sqlite:" + gone})

    def test_version(self):
        with open(os.path.join(ROOT, "include", "points", "common.h")) as f:
            header = re.search(r'#define POINTS_VERSION "(.*)"',
                               f.read()).group(1)
        # no ledger needed, and none opened even when one is named
        gone = os.path.join(self.dir, "gone.db")
        for env in ({}, {"POINTS_LEDGER": "sqlite:" + gone}):
            rc, out, err = self.run_cli("--version", env=env, ledger=False)
            self.assertEqual((rc, err), (OK, ""))
            self.assertEqual(out, "points %s (libpoints %s)\n"
                             % (header, header))
        self.assertFalse(os.path.exists(gone))

    def test_asset_from_environment(self):
        self.ok("--asset", "GIFT", "init")
        self.ok("earn", "E1001", "9", env={"POINTS_ASSET": "GIFT"})
        self.assertEqual(self.js("balance", "E1001", "--asset",
                                 "GIFT")["available"], 9)
        self.assertEqual(self.js("balance", "E1001")["available"], 0)

    # ---- the cron jobs ----

    def test_sweep_is_quiet_for_cron(self):
        self.ok("earn", "E1001", "100")
        rc, out, err = self.run_cli("sweep")
        self.assertEqual((rc, out, err), (OK, "", ""))
        self.assertEqual(self.js("balance", "E1001")["available"], 100)
        rc, out, err = self.run_cli("sweep", "--as-of", "2099-01-01")
        self.assertEqual((rc, out, err), (OK, "", ""))
        b = self.js("balance", "E1001")
        self.assertEqual((b["available"], b["expired"]), (0, 100))
        r = self.js("sweep", "--as-of", "2099-01-02T00:00:00Z")
        self.assertEqual(r, {"asset": "POINTS",
                             "as_of": "2099-01-02T00:00:00Z", "accounts": 0,
                             "lots": 0, "points": 0, "holds": 0})

    def test_sweep_failure_speaks(self):
        err = self.refused(NOTFOUND, "--ledger",
                           "sqlite:" + os.path.join(self.dir, "x.db"),
                           "sweep")
        self.assertIn("no ledger", err)
        self.refused(NOTFOUND, "sweep", "--asset", "NOPE")

    def test_verify(self):
        self.ok("earn", "E1001", "100")
        self.ok("spend", "E1001", "10")
        self.assertEqual(self.ok("verify"),
                         "ok: 2 entries, %d balances\n"
                         % self.js("verify")["balances"])
        self.assertEqual(self.js("verify")["ok"], True)
        # one bit of the first entry flipped in the file
        db = sqlite3.connect(self.path)
        k, v = db.execute(
            "SELECT k, v FROM ks_entry ORDER BY k LIMIT 1").fetchone()
        v = bytearray(v)
        v[len(v) // 2] ^= 1
        db.execute("UPDATE ks_entry SET v = ? WHERE k = ?", (bytes(v), k))
        db.commit()
        db.close()
        err = self.refused(VERIFY, "verify")
        self.assertIn("entry 1", err)
        rc, out, err = self.run_cli("--json", "verify")
        self.assertEqual(rc, VERIFY)
        got = json.loads(out)
        self.assertEqual((got["ok"], got["bad_seq"]), (False, 1))
        self.assertIn("entry 1", got["message"])


@unittest.skipUnless(points is not None, "no points binding on PYTHONPATH")
class PointsToolReads(ToolCase):
    """rule, order and outbox: written through the binding, read by the
    tool."""

    def setUp(self):
        super().setUp()
        self.ok("earn", "E1001", "1000")
        led = points.Ledger.open(self.uri)
        try:
            led.rule_save("buy", "purchase", "event.amount / 10", "POINTS",
                          "hr", condition="event.amount > 0",
                          state=points.RULE_ACTIVE, reason="launch")
            led.rule_set_state("buy", points.RULE_PAUSED, "ops", "audit")
            led.item_create("MUG", "Mug", "home", "POINTS", 100, 3, "admin",
                            low_stock=2)
            acc = led.find_account("E1001")
            self.order = led.order_place(acc, "MUG", 2).id
            led.order_approve(self.order, "mgr", "ok")
            led.item_create("PEN", "Pen", "office", "POINTS", 10, 9, "admin")
            self.pen = led.order_place(acc, "PEN", 1).id
        finally:
            led.close()

    def test_rule_show_and_history(self):
        r = self.js("rule", "show", "buy")
        self.assertEqual((r["name"], r["version"], r["state"], r["author"],
                          r["reason"], r["event_type"], r["condition"],
                          r["points"], r["beneficiary"]),
                         ("buy", 2, "paused", "ops", "audit", "purchase",
                          "event.amount > 0", "event.amount / 10", ""))
        r = self.js("rule", "show", "buy", "1")
        self.assertEqual((r["version"], r["state"], r["reason"]),
                         (1, "active", "launch"))
        text = self.ok("rule", "show", "buy")
        self.assertIn("buy v2", text)
        self.assertIn("condition   event.amount > 0", text)
        self.assertEqual([(v["version"], v["state"])
                          for v in self.js("rule", "history", "buy")],
                         [(1, "active"), (2, "paused")])
        self.assertEqual(len(self.ok("rule", "history", "buy").splitlines()),
                         2)
        self.assertIn("nope", self.refused(NOTFOUND, "rule", "show", "nope"))
        self.refused(NOTFOUND, "rule", "show", "buy", "3")
        self.refused(USAGE, "rule", "show", "buy", "0")
        self.refused(USAGE, "rule", "history")

    def test_order_list_and_show(self):
        got = self.js("order", "list")
        self.assertEqual([(o["id"], o["sku"], o["state"], o["amount"],
                           o["account"]) for o in got],
                         [(self.order, "MUG", "approved", 200, "E1001"),
                          (self.pen, "PEN", "submitted", 10, "E1001")])
        self.assertEqual([o["id"] for o in self.js(
            "order", "list", "--state", "submitted")], [self.pen])
        self.assertEqual([o["id"] for o in self.js(
            "order", "list", "--sku", "MUG")], [self.order])
        self.assertEqual(self.js("order", "list", "--account", "E1002"), [])
        self.assertEqual(len(self.ok("order", "list").splitlines()), 2)
        got = self.js("order", "show", self.order)
        self.assertEqual(got["order"]["state"], "approved")
        self.assertEqual([(h["from"], h["to"], h["actor"])
                          for h in got["history"]],
                         [(None, "submitted", ""),
                          ("submitted", "approved", "mgr")])
        self.assertIn("submitted -> approved by mgr: ok",
                      self.ok("order", "show", self.order))
        self.refused(NOTFOUND, "order", "show",
                     "01a24425-0000-7000-8000-000000000000")
        self.refused(REFUSED, "order", "show", "not-an-id")
        self.refused(USAGE, "order", "list", "--state", "lost")
        self.refused(NOTFOUND, "order", "list", "--account", "E9999")

    def test_outbox_tail(self):
        every = self.js("outbox", "tail", "--after", "0")
        kinds = [e["kind"] for e in every]
        self.assertEqual(kinds, ["item.low_stock", "order.state",
                                 "order.state", "order.state"])
        self.assertEqual(every[1]["data"]["to"], "submitted")
        self.assertEqual(every[0]["account"], None)
        self.assertEqual(every[1]["account"], "E1001")
        self.assertEqual(self.js("outbox", "tail"), every)
        self.assertEqual(self.js("outbox", "tail", "--limit", "2"), every[2:])
        seq = every[0]["seq"]
        self.assertEqual(self.js("outbox", "tail", "--after", str(seq),
                                 "--limit", "1"), every[1:2])
        self.assertEqual(len(self.ok("outbox", "tail").splitlines()), 4)
        self.refused(USAGE, "outbox", "tail", "--limit", "0")
        self.refused(USAGE, "outbox", "tail", "--after", "x")


class FilesAndReports(ToolCase):
    """import, export, backup, restore and report."""

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w", newline="") as f:
            f.write(text)
        return path

    def test_import_reports_each_bad_line_and_applies_the_rest(self):
        acc = self.write("acc.csv", "external_id,name,department\r\n"
                         "E1001,Li Wei,eng\r\nE2001,\"Zhao, Min\",ops\r\n")
        got = self.js("import", "accounts", acc)
        self.assertEqual([(l["line"], l["outcome"]) for l in got["lines"]],
                         [(2, "unchanged"), (3, "created")])
        self.assertTrue(got["committed"])
        self.assertEqual(self.js("account", "show", "E2001")["name"],
                         "Zhao, Min")
        aw = self.write("aw.csv", "external_id,asset,amount,idempotency_key\n"
                        "E1001,POINTS,30,q1/1\n"
                        "E9,POINTS,5,q1/2\n"
                        "E2001,POINTS,1.5,q1/3\n")
        before = self.state()
        err = self.refused(REFUSED, "import", "awards", aw,
                           "--all-or-nothing")
        self.assertIn('aw.csv:3: account E9: column external_id: no '
                      'account with external id "E9"\n', err)
        self.assertIn('aw.csv:4: account E2001: column amount: amount '
                      '"1.5" is not a whole number', err)
        self.assertIn("nothing imported", err)
        self.assertEqual(self.state(), before)
        rc, out, err = self.run_cli("import", "awards", aw)
        self.assertEqual(rc, REFUSED)
        self.assertIn("1 applied", out)
        self.assertIn("2 refused", out)
        self.assertEqual(err.count("\n"), 2)
        self.assertEqual(self.js("balance", "E1001")["available"], 30)
        # a re-run replays: nothing twice
        rc, out, _ = self.run_cli("--json", "import", "awards", aw)
        self.assertEqual([l["outcome"] for l in json.loads(out)["lines"]],
                         ["replayed", "refused", "refused"])
        self.assertEqual(self.js("balance", "E1001")["available"], 30)
        # no progress bar when stderr is no terminal; usage errors
        self.assertIn("unknown column", self.refused(
            REFUSED, "import", "accounts", aw))
        self.refused(NOTFOUND, "import", "accounts",
                     os.path.join(self.dir, "none.csv"))
        self.refused(USAGE, "import", "people", acc)
        self.refused(USAGE, "earn", "E1001", "5", "--all-or-nothing")

    def test_export_to_stdout_and_to_a_file(self):
        self.ok("earn", "E1001", "100", "--memo", "a, b")
        text = self.ok("export", "csv")
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        self.assertEqual([(r["to_external_id"], r["amount"], r["memo"])
                          for r in rows], [("E1001", "100", "a, b")])
        out = os.path.join(self.dir, "e.jsonl")
        got = self.js("export", "jsonl", "-o", out)
        self.assertEqual((got["format"], got["lines"]), ("jsonl", 1))
        with open(out) as f:
            self.assertEqual(json.loads(f.readline())["amount"], 100)
        self.assertEqual(self.ok("export", "jsonl", "--from", "2000-01-01",
                                 "--to", "2000-01-01"), "")
        self.assertIn("commodity", self.ok("export", "journal"))
        self.refused(USAGE, "export", "xml")
        self.refused(USAGE, "--json", "export", "csv")
        self.refused(REFUSED, "export", "journal", "--from", "2000-01-01")

    def test_backup_and_restore(self):
        self.ok("earn", "E1001", "100")
        copy = os.path.join(self.dir, "copy.db")
        self.assertEqual(self.js("backup", copy),
                         {"backup": copy, "verified": True})
        self.refused(REFUSED, "backup", copy)  # exists
        self.ok("earn", "E1001", "5")
        self.ok("restore", copy)
        self.assertEqual(self.js("balance", "E1001")["available"], 100)

    def test_reports_text_and_json(self):
        self.ok("earn", "E1001", "100", "--category", "training")
        self.ok("earn", "E1002", "40", "--category", "bonus")
        self.ok("spend", "E1001", "30")
        rows = self.js("report", "issued-by-category", "--period", "month")
        self.assertEqual(sorted((r["key"], r["points"]) for r in rows),
                         [("bonus", 40), ("training", 100)])
        self.assertEqual([(l["rank"], l["external_id"], l["points"])
                          for l in self.js("report", "leaderboard")],
                         [(1, "E1001", 100), (2, "E1002", 40)])
        by = self.js("report", "leaderboard", "--by", "department")
        self.assertEqual({l["group"] for l in by}, {"", "eng"})
        lia = self.js("report", "liability")
        self.assertEqual((lia["available"], lia["accounts"]), (110, 2))
        self.assertEqual(sum(m["points"] for m in
                             self.js("report", "forecast")), 110)
        eng = [d for d in self.js("report", "summary")
               if d["department"] == "eng"]
        self.assertEqual((eng[0]["earned"], eng[0]["spent"], eng[0]["end"]),
                         (100, 30, 70))
        self.assertEqual(self.js("report", "summary", "E1002")["end"], 40)
        rate = self.js("report", "redemption-rate")
        self.assertEqual((rate[0]["points"], rate[0]["issued"]), (30, 140))
        for name in ("issued-by-rule", "redeemed-by-item",
                     "redeemed-by-category", "popular-items", "settlement"):
            self.assertIsInstance(self.js("report", name), list, name)
        self.assertIn("E1001", self.ok("report", "leaderboard"))
        self.refused(USAGE, "report", "nope")
        self.refused(USAGE, "report", "liability", "--period", "day")
        self.refused(USAGE, "report", "issued-by-rule", "--period", "hour")
        self.refused(USAGE, "report", "leaderboard", "--by", "team")

    def test_rule_list(self):
        self.assertEqual(self.js("rule", "list"), [])
        if points is None:
            return
        led = points.Ledger.open(self.uri)
        try:
            for name in ("zeta", "alpha"):
                led.rule_save(name, "purchase", "1", "POINTS", "hr")
        finally:
            led.close()
        self.assertEqual([(r["name"], r["version"], r["state"])
                          for r in self.js("rule", "list")],
                         [("alpha", 1, "draft"), ("zeta", 1, "draft")])
        self.assertEqual(len(self.ok("rule", "list").splitlines()), 2)


if __name__ == "__main__":
    unittest.main()
