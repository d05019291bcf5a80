"""Every error code reaches Python as its own exception class."""

import os
import sqlite3
import unittest

import points
from helpers import LedgerCase, T0


class ErrorClassTest(unittest.TestCase):

    def test_hierarchy(self):
        for cls in (points.InvalidArgument, points.NotFound,
                    points.AlreadyExists, points.InsufficientPoints,
                    points.Frozen, points.Conflict, points.Overflow,
                    points.Busy, points.StorageError, points.OutOfMemory,
                    points.StateError, points.AccountClosed,
                    points.VersionError, points.Corrupt, points.Misuse,
                    points.Retry, points.LimitExceeded, points.OutOfStock,
                    points.NotEligible, points.QuotaExceeded,
                    points.WindowClosed, points.LedgerClosed):
            self.assertTrue(issubclass(cls, points.Error), cls)
        self.assertTrue(issubclass(points.InvalidArgument, ValueError))
        self.assertTrue(issubclass(points.NotFound, LookupError))
        self.assertTrue(issubclass(points.Overflow, OverflowError))
        self.assertTrue(issubclass(points.LedgerClosed, points.Misuse))

    def test_codes_match_the_c_library(self):
        from points import capi
        pairs = {points.InvalidArgument: capi.POINTS_EINVAL,
                 points.NotFound: capi.POINTS_ENOTFOUND,
                 points.AlreadyExists: capi.POINTS_EEXISTS,
                 points.InsufficientPoints: capi.POINTS_EINSUFFICIENT,
                 points.Frozen: capi.POINTS_EFROZEN,
                 points.Conflict: capi.POINTS_ECONFLICT,
                 points.Overflow: capi.POINTS_EOVERFLOW,
                 points.Busy: capi.POINTS_EBUSY,
                 points.StorageError: capi.POINTS_ESTORAGE,
                 points.OutOfMemory: capi.POINTS_ENOMEM,
                 points.StateError: capi.POINTS_ESTATE,
                 points.AccountClosed: capi.POINTS_ECLOSED,
                 points.VersionError: capi.POINTS_EVERSION,
                 points.Corrupt: capi.POINTS_ECORRUPT,
                 points.Misuse: capi.POINTS_EMISUSE,
                 points.Retry: capi.POINTS_ERETRY,
                 points.LimitExceeded: capi.POINTS_ELIMIT,
                 points.NotPermitted: capi.POINTS_EPERM,
                 points.OutOfStock: capi.POINTS_EOUTOFSTOCK,
                 points.NotEligible: capi.POINTS_ENOTELIGIBLE,
                 points.QuotaExceeded: capi.POINTS_EQUOTA,
                 points.WindowClosed: capi.POINTS_EWINDOW}
        for cls, code in pairs.items():
            self.assertEqual(cls.code, code)
            e = points.errors.from_code(code, "m")
            self.assertIs(type(e), cls)
            self.assertEqual(e.strerror, points.strerror(code))
        self.assertIs(type(points.errors.from_code(-999, "x")), points.Error)

    def test_strerror(self):
        self.assertEqual(points.strerror(0), "ok")
        self.assertIn("insufficient", points.strerror(-4))


class LedgerErrorsTest(LedgerCase):

    def check(self, cls, fn, *args, contains=None, **kw):
        before = self.snapshot()
        with self.assertRaises(cls) as cm:
            fn(*args, **kw)
        e = cm.exception
        self.assertEqual(e.code, cls.code)
        self.assertTrue(e.message)
        self.assertEqual(str(e), e.message)
        if contains:
            self.assertIn(contains, e.message)
        self.assertEqual(self.snapshot(), before, "a failure changed the "
                         "ledger")
        return e

    def test_invalid_argument(self):
        self.check(points.InvalidArgument, self.ledger.earn, self.alice, 0,
                   "PTS", contains="positive")
        self.check(points.InvalidArgument, self.ledger.earn, self.alice, -5,
                   "PTS")
        self.check(points.InvalidArgument, self.ledger.adjust, self.alice, 5,
                   "PTS", None, contains="reason")
        self.check(points.InvalidArgument, self.ledger.create_asset,
                   "bad code")
        self.check(points.InvalidArgument, self.ledger.create_account,
                   "x" * 65)
        self.check(points.InvalidArgument, self.ledger.txn, "not-a-uuid")
        self.check(points.InvalidArgument, self.ledger.reverse, "not-a-uuid",
                   contains="not a transaction id")
        t = self.ledger.earn(self.alice, 5, "PTS")
        self.check(points.InvalidArgument, self.ledger.reverse, t, -1,
                   contains="negative")
        self.check(points.InvalidArgument, self.ledger.set_attr, self.alice,
                   "", "v")
        self.check(points.InvalidArgument, self.ledger.freeze,
                   points.ISSUER, contains="system account")
        # the library's message is also the ledger's last error
        with self.assertRaises(points.InvalidArgument):
            self.ledger.freeze(points.ISSUER)
        self.assertIn("system account", self.ledger.errmsg)
        self.assertEqual(self.ledger.errcode, points.InvalidArgument.code)
        self.ledger.account(self.alice)
        self.assertEqual(self.ledger.errcode, 0)

    def test_not_found(self):
        self.check(points.NotFound, self.ledger.account, 999)
        self.check(points.NotFound, self.ledger.find_account, "nobody",
                   contains="nobody")
        self.check(points.NotFound, self.ledger.earn, self.alice, 5, "NOPE",
                   contains="NOPE")
        self.check(points.NotFound, self.ledger.asset, "NOPE")
        self.check(points.NotFound, self.ledger.txn,
                   "01a20c1b-9ad1-7808-86de-19f1e0880b3a")
        self.check(points.NotFound, self.ledger.get_attr, self.alice, "k")
        self.check(points.NotFound, self.ledger.get_hold,
                   "01a20c1b-9ad1-7808-86de-19f1e0880b3a")
        self.check(points.NotFound, self.ledger.earn, 999, 5, "PTS")

    def test_already_exists(self):
        self.check(points.AlreadyExists, self.ledger.create_account, "E1001")
        self.check(points.AlreadyExists, self.ledger.create_asset, "PTS")

    def test_insufficient(self):
        self.ledger.earn(self.alice, 100, "PTS")
        e = self.check(points.InsufficientPoints, self.ledger.spend,
                       self.alice, 101, "PTS", contains="E1001")
        self.assertIn("100", e.message)
        self.check(points.InsufficientPoints, self.ledger.transfer,
                   self.alice, self.bob, 500, "PTS")
        self.check(points.InsufficientPoints, self.ledger.hold, self.alice,
                   101, "PTS")

    def test_frozen(self):
        self.ledger.earn(self.alice, 100, "PTS")
        self.ledger.freeze(self.alice)
        self.check(points.Frozen, self.ledger.spend, self.alice, 10, "PTS")
        self.check(points.Frozen, self.ledger.transfer, self.alice, self.bob,
                   10, "PTS")
        self.ledger.unfreeze(self.alice)
        self.ledger.spend(self.alice, 10, "PTS")

    def test_conflict(self):
        t = self.ledger.earn(self.alice, 50, "PTS", idempotency_key="k1")
        self.check(points.Conflict, self.ledger.earn, self.alice, 51, "PTS",
                   idempotency_key="k1")
        again = self.ledger.earn(self.alice, 50, "PTS", idempotency_key="k1")
        self.assertEqual(again.id, t.id)
        self.assertEqual(again.replayed, 1)
        self.assertEqual(t.replayed, 0)
        self.assertEqual(self.available(self.alice), 50)

    def test_empty_idempotency_key(self):
        e = self.check(points.InvalidArgument, self.ledger.earn, self.alice,
                       5, "PTS", idempotency_key="")
        self.assertIn("idempotency key is empty", e.message)
        t = self.ledger.earn(self.alice, 5, "PTS")
        self.check(points.InvalidArgument, self.ledger.reverse, t,
                   idempotency_key="", contains="idempotency key is empty")

    def test_adjust_of_int64_min_is_out_of_range(self):
        self.check(points.InvalidArgument, self.ledger.adjust, self.alice,
                   -2**63, "PTS", "fix", contains="out of range")

    def test_overflow(self):
        self.ledger.earn(self.alice, 2**63 - 1, "PTS")
        self.check(points.Overflow, self.ledger.earn, self.alice, 1,
                   "PTS", contains="overflow")
        self.ledger.spend(self.alice, 2**63 - 1, "PTS")
        # beyond int64 the binding refuses before the library sees it
        self.check(points.Overflow, self.ledger.earn, self.alice, 2**63,
                   "PTS")
        self.check(points.Overflow, self.ledger.spend, self.alice, -2**64,
                   "PTS")

    def test_overflow_in_a_request(self):
        t = self.ledger.earn(self.alice, 5, "PTS")
        self.check(points.Overflow, self.ledger.reverse, t, 2**63,
                   contains="reversal")
        h = self.ledger.hold(self.alice, 5, "PTS")
        self.check(points.Overflow, h.capture, 2**64, contains="capture")
        self.check(points.Overflow, h.capture, 1, -2**63 - 1)

    def test_state(self):
        self.ledger.earn(self.alice, 100, "PTS")
        h = self.ledger.hold(self.alice, 40, "PTS")
        h.release()
        self.check(points.StateError, h.capture)
        self.check(points.StateError, h.release)
        self.check(points.StateError, self.ledger.close_account, self.alice,
                   contains="zero")

    def test_account_closed(self):
        self.ledger.close_account(self.bob)
        self.assertTrue(self.ledger.account(self.bob).closed)
        self.check(points.AccountClosed, self.ledger.earn, self.bob, 5, "PTS")

    def test_misuse(self):
        self.check(points.Misuse, self.ledger.commit_batch)
        self.check(points.Misuse, self.ledger.rollback_batch)
        self.ledger.begin_batch()
        with self.assertRaises(points.Misuse):
            self.ledger.begin_batch()
        self.ledger.rollback_batch()

    def test_limit(self):
        for i in range(64):
            self.ledger.set_attr(self.alice, "k%d" % i, "v")
        self.check(points.LimitExceeded, self.ledger.set_attr, self.alice,
                   "one-too-many", "v", contains="at most 64 attributes")
        self.ledger.set_attr(self.alice, "k7", "replacing is fine")

    def test_python_type_errors(self):
        with self.assertRaises(TypeError):
            self.ledger.earn("E1001", 5, "PTS")
        with self.assertRaises(TypeError):
            self.ledger.earn(self.alice, 5, "PTS", time="yesterday")
        with self.assertRaises(TypeError):
            self.ledger.earn(self.alice, "5", "PTS")


class StoreErrorsTest(unittest.TestCase):

    def test_failure_inside_a_batch_undoes_only_the_operation(self):
        for persistent in (False, True):
            lost = 0
            n = 1
            while True:
                with points.Store.open("memory:") as inner:
                    fault = points.Store.fault(inner)
                    ledger = points.Ledger.open_store(fault, clock=T0)
                    ledger.create_asset("PTS")
                    a = ledger.create_account("E1")
                    ledger.begin_batch()
                    ledger.earn(a, 10, "PTS")
                    fault.arm(n, persistent=persistent)
                    try:
                        ledger.earn(a, 5, "PTS")
                        done = True
                    except points.StorageError:
                        done = False
                    fault.arm(0)
                    try:
                        ledger.earn(a, 1, "PTS")
                        ledger.commit_batch()
                        want = 16 if done else 11  # undone alone
                    except points.StateError:
                        # undoing it failed too (every call failing):
                        # the batch is lost
                        self.assertTrue(persistent)
                        ledger.rollback_batch()
                        want = 0
                        lost += 1
                    self.assertEqual(ledger.balance(a, "PTS").available, want)
                    self.assertEqual(ledger.verify().bad_seq, 0)
                    ledger.close()
                    fault.close()
                if done:
                    break
                n += 1
            self.assertGreater(n, 3)
            self.assertEqual(lost > 0, persistent)

    def test_storage_error_leaves_the_ledger_as_it_was(self):
        with points.Store.open("memory:") as inner:
            fault = points.Store.fault(inner)
            ledger = points.Ledger.open_store(fault, clock=T0)
            ledger.create_asset("PTS")
            a = ledger.create_account("E1")
            ledger.earn(a, 100, "PTS")
            n = 1
            while True:  # fail call n, for n = 1, 2, ... until it succeeds
                fault.arm(n)
                try:
                    ledger.spend(a, 30, "PTS")
                    break
                except points.StorageError as e:
                    self.assertEqual(e.code, points.StorageError.code)
                    self.assertEqual(ledger.balance(a, "PTS").available, 100)
                    self.assertEqual(fault.failures, 1)
                n += 1
            self.assertGreater(n, 1)
            fault.arm(0)
            self.assertEqual(ledger.balance(a, "PTS").available, 70)
            self.assertGreater(fault.calls, 0)
            # calls per method: a spend is one transaction, and reads
            # what it needs, the log's last entry too, in one read_many
            # (the memory store has it)
            fault.arm(0)
            ledger.spend(a, 1, "PTS")
            self.assertEqual(fault.method_calls("begin"), 1)
            self.assertEqual(fault.method_calls("read_many"), 1)
            self.assertEqual(fault.method_calls("get_many"), 0)
            self.assertEqual(fault.method_calls("get"), 0)
            self.assertEqual(fault.method_calls("commit"), 1)
            self.assertGreaterEqual(fault.method_calls("put"), 3)
            with self.assertRaises(points.InvalidArgument):
                fault.method_calls("nosuch")
            ledger.verify()
            ledger.close()
            fault.close()

    def test_busy(self):
        import tempfile
        import shutil
        d = tempfile.mkdtemp()
        try:
            uri = "sqlite:" + os.path.join(d, "l.db") + "?busy_timeout=0"
            with points.Ledger.open(uri) as one, \
                    points.Ledger.open(uri) as two:
                one.create_asset("PTS")
                a = one.create_account("E1")
                with one.batch():  # holds the write lock
                    one.earn(a, 5, "PTS")
                    with self.assertRaises(points.Busy):
                        two.earn(a, 5, "PTS")
                self.assertEqual(two.balance(a, "PTS").available, 5)
        finally:
            shutil.rmtree(d)

    def test_version_and_corrupt(self):
        import tempfile
        import shutil
        d = tempfile.mkdtemp()
        try:
            path = os.path.join(d, "l.db")
            with points.Ledger.open("sqlite:" + path) as ledger:
                ledger.create_asset("PTS")
                a = ledger.create_account("E1")
                ledger.earn(a, 100, "PTS")
                ledger.spend(a, 30, "PTS")
            raw = sqlite3.connect(path)
            old = raw.execute("SELECT v FROM ks_meta WHERE k = ?",
                              (b"format",)).fetchone()[0]
            raw.execute("UPDATE ks_meta SET v = ? WHERE k = ?",
                        (b"\x63", b"format"))
            raw.commit()
            with self.assertRaises(points.VersionError) as cm:
                points.Ledger.open("sqlite:" + path)
            self.assertIn("newer", cm.exception.message)
            raw.execute("UPDATE ks_meta SET v = ? WHERE k = ?",
                        (old, b"format"))
            # tamper with the first entry's bytes
            k, v = raw.execute("SELECT k, v FROM ks_entry ORDER BY k"
                               " LIMIT 1").fetchone()
            v = bytearray(v)
            v[-1] ^= 0xff
            raw.execute("UPDATE ks_entry SET v = ? WHERE k = ?",
                        (bytes(v), k))
            raw.commit()
            raw.close()
            with points.Ledger.open("sqlite:" + path) as ledger:
                with self.assertRaises(points.Corrupt) as cm:
                    ledger.verify()
                e = cm.exception
                self.assertTrue(e.message)
                # the report names the first bad entry, the tampered one
                self.assertIsInstance(e.report, points.VerifyReport)
                self.assertEqual(e.report.bad_seq, k)
                self.assertIn(e.report.message, e.message)
        finally:
            shutil.rmtree(d)


if __name__ == "__main__":
    unittest.main()
