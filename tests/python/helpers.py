"""Shared set-up for the Python binding's tests (standard library only)."""

import os
import shutil
import tempfile
import unittest

import points

T0 = 1_700_000_000  # 2023-11-14 22:13:20 UTC: the tests' clock
DAY = 86400


class LedgerCase(unittest.TestCase):
    """A fresh ledger per test, on a settable clock, with asset PTS
    (365-day expiry) and two members.  After each test the invariants
    hold: every asset's balances sum to zero and the ledger verifies."""

    uri = "memory:"

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="points-py-")
        self.ledger = points.Ledger.open(self.make_uri(), clock=T0)
        self.ledger.create_asset("PTS", 0, points.EXPIRE_DAYS, 365)
        self.alice = self.ledger.create_account("E1001", "Alice")
        self.bob = self.ledger.create_account("E1002", "Bob")

    def make_uri(self):
        if self.uri == "sqlite":
            return "sqlite:" + os.path.join(self.dir, "ledger.db")
        return self.uri

    def tearDown(self):
        if not self.ledger.closed:
            self.assert_invariants(self.ledger)
            self.ledger.close()
        shutil.rmtree(self.dir)

    def assert_invariants(self, ledger):
        # a read shows past-due points gone before their expiry is
        # posted; the balances as read sum to zero once it is
        ledger.expire_sweep()
        report = ledger.verify()
        self.assertEqual(report.bad_seq, 0)
        total = 0
        for account in ledger.accounts():
            b = ledger.balance(account, "PTS")
            # a debt is owed; pending points are the account's
            total += b.available + b.pending + b.held - b.debt
            if not account.system:
                self.assertGreaterEqual(b.available, 0)
        self.assertEqual(total, 0)

    def available(self, account, asset="PTS"):
        return self.ledger.balance(account, asset).available

    def snapshot(self):
        """Balances and entry counts, to show a failure changed nothing."""
        return ([self.ledger.balance(a, "PTS") for a in self.ledger.accounts()],
                self.ledger.verify().entries)
