"""Every value the binding hands to C is checked on the way, in one
place (the typemaps of points_python.i): a str holding NUL, which C would
cut there ("E1001\\0x" would find E1001), is InvalidArgument; True and
False are no amounts or ids (TypeError); a number outside the C type is
points.Overflow, never a bare OverflowError.  Each error names the
argument and changes nothing."""

import os
import shutil
import tempfile
import unittest

import points
from helpers import LedgerCase

NUL = "E1001\0x"


class ArgumentsTest(LedgerCase):

    def setUp(self):
        super().setUp()
        self.ledger.set_attr(self.alice, "site", "Shenzhen")
        self.t = self.ledger.earn(self.alice, 100, "PTS", "seed")
        self.h = self.ledger.hold(self.alice, 10, "PTS", "order")

    def refused(self, cls, what, fn, *args, **kw):
        """fn(*args, **kw) raises cls naming `what`, and writes nothing."""
        before = self.snapshot()
        with self.assertRaises(cls) as cm:
            fn(*args, **kw)
        if what:
            self.assertIn(what, str(cm.exception))
        self.assertEqual(self.snapshot(), before)
        return cm.exception

    def nul(self, what, fn, *args, **kw):
        e = self.refused(points.InvalidArgument, what, fn, *args, **kw)
        self.assertIsInstance(e, ValueError)
        self.assertEqual(e.code, points.capi.POINTS_EINVAL)
        self.assertIn("NUL", str(e))

    def test_find_account_does_not_stop_at_nul(self):
        self.nul("external_id", self.ledger.find_account, NUL)
        self.assertEqual(self.ledger.find_account("E1001").id, self.alice.id)

    def test_nul_refused_in_every_string(self):
        L, a, t, h = self.ledger, self.alice, self.t, self.h
        self.nul("code", L.create_asset, "P\0X")
        self.nul("code", L.asset, "PTS\0")
        self.nul("external_id", L.create_account, NUL)
        self.nul("name", L.create_account, "E9", "Li\0Wei")
        self.nul("name", L.update_account, a, name="A\0")
        self.nul("tier", L.update_account, a, tier="gold\0")
        self.nul("department", L.update_account, a, department="R\0D")
        self.nul("key", L.set_attr, a, "si\0te", "v")
        self.nul("value", L.set_attr, a, "site", "Shen\0zhen")
        self.nul("key", L.get_attr, a, "site\0")
        self.nul("posting asset", L.earn, a, 1, "PTS\0")
        self.nul("posting memo", L.earn, a, 1, "PTS", "m\0")
        self.nul("posting idempotency_key", L.earn, a, 1, "PTS",
                 idempotency_key="k\0")
        self.nul("posting memo", L.spend, a, 1, "PTS", "m\0")
        self.nul("posting memo", L.transfer, a, self.bob, 1, "PTS", "m\0")
        self.nul("posting memo", L.adjust, a, 1, "PTS", "why\0")
        self.nul("posting memo", L.hold, a, 1, "PTS", "m\0")
        self.nul("reversal txn_id", L.reverse, t.id + "\0")
        self.nul("reversal memo", L.reverse, t, 1, "m\0")
        self.nul("reversal idempotency_key", L.reverse, t,
                 idempotency_key="k\0")
        self.nul("id", L.txn, t.id + "\0")
        self.nul("asset", L.statement, a, "PTS\0")
        self.nul("asset", L.lots, a, "PTS\0")
        self.nul("id", L.get_hold, h.id + "\0")
        self.nul("capture memo", h.capture, 1, 0, "m\0")
        self.nul("capture idempotency_key", h.capture, idempotency_key="\0")
        self.nul("release memo", h.release, "m\0")
        self.nul("release idempotency_key", h.release, idempotency_key="k\0")

    def test_nul_refused_in_uris(self):
        d = tempfile.mkdtemp(prefix="points-py-")
        try:
            path = os.path.join(d, "l.db")
            with self.assertRaises(points.InvalidArgument) as cm:
                points.Ledger.open("sqlite:" + path + "\0.bak")
            self.assertIn("uri", str(cm.exception))
            with self.assertRaises(points.InvalidArgument):
                points.Store.open("sqlite:" + path + "\0x")
            self.assertFalse(os.path.exists(path))
            with self.assertRaises(points.InvalidArgument):
                points.Ledger.open("memory:\0")
        finally:
            shutil.rmtree(d)

    def test_bools_are_no_amounts_or_ids(self):
        L, a, t, h = self.ledger, self.alice, self.t, self.h
        for b in (True, False):
            self.refused(TypeError, "amount", L.earn, a, b, "PTS")
            self.refused(TypeError, "amount", L.spend, a, b, "PTS")
            self.refused(TypeError, "amount", L.transfer, a, self.bob, b,
                         "PTS")
            self.refused(TypeError, "amount", L.adjust, a, b, "PTS", "r")
            self.refused(TypeError, "amount", L.hold, a, b, "PTS")
            self.refused(TypeError, "amount", L.reverse, t, b)
            self.refused(TypeError, "amount", h.capture, b)
            self.refused(TypeError, None, L.earn, b, 1, "PTS")
            self.refused(TypeError, None, L.account, b)
            self.refused(TypeError, "from_id", L.accounts, b)
            self.refused(TypeError, "decimals", L.create_asset, "NEW", b)
            self.refused(TypeError, None, L.expire_sweep, b)
        self.assertEqual(self.available(a), 90)

    def test_numbers_outside_int64_are_overflow(self):
        L, a, t, h = self.ledger, self.alice, self.t, self.h
        for n in (2**63, -2**63 - 1, 2**64):
            self.refused(points.Overflow, "amount", L.earn, a, n, "PTS")
            self.refused(points.Overflow, "amount", L.spend, a, n, "PTS")
            self.refused(points.Overflow, "amount", L.hold, a, n, "PTS")
            self.refused(points.Overflow, "reversal amount", L.reverse, t, n)
            self.refused(points.Overflow, "capture amount", h.capture, n)
            self.refused(points.Overflow, "capture to", h.capture, 1, n)
            self.refused(points.Overflow, "posting time", L.earn, a, 1,
                         "PTS", time=n)
            self.refused(points.Overflow, "id", L.account, n)
            self.refused(points.Overflow, "from_id", L.accounts, n)
            self.refused(points.Overflow, "as_of", L.expire_sweep, n)
            self.refused(points.Overflow, None, L.lots, a, "PTS", n)
            self.refused(points.Overflow, None, L.statement, a, "PTS", n)
        self.refused(points.Overflow, "decimals", L.create_asset, "NEW",
                     2**31)
        # an OverflowError too, for callers that catch the built-in one
        with self.assertRaises(OverflowError):
            L.reverse(t, 2**63)

    def test_other_types_are_type_errors(self):
        L, a = self.ledger, self.alice
        self.refused(TypeError, "amount", L.earn, a, 1.0, "PTS")
        self.refused(TypeError, "amount", L.earn, a, "5", "PTS")
        self.refused(TypeError, "posting asset", L.earn, a, 1, b"PTS")
        self.refused(TypeError, "external_id", L.find_account, b"E1001")
        self.refused(TypeError, "external_id", L.find_account, 1001)


if __name__ == "__main__":
    unittest.main()
