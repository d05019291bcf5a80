"""Tamper evidence from Python: chain heads kept outside the ledger, and
edits made with the sqlite3 module that verify finds."""

import os
import shutil
import sqlite3
import unittest

import points
from helpers import T0, LedgerCase


class ChainHeadTest(LedgerCase):

    def test_head_of_an_empty_log_is_zeros(self):
        head = self.ledger.chain_head()
        self.assertIsInstance(head, points.ChainHead)
        self.assertEqual((head.partition, head.seq), (0, 0))
        self.assertEqual(head.hash, "0" * 64)
        self.assertEqual(self.ledger.verify(kept=head).message, "ok")

    def test_head_moves_with_the_log_and_an_old_one_still_holds(self):
        self.ledger.earn(self.alice, 10, "PTS")
        first = self.ledger.chain_head()
        self.assertEqual(first.seq, 1)
        self.assertRegex(first.hash, "^[0-9a-f]{64}$")
        self.ledger.earn(self.bob, 10, "PTS")
        now = self.ledger.chain_head()
        self.assertEqual(now.seq, 2)
        self.assertNotEqual(now.hash, first.hash)
        self.assertEqual(self.ledger.verify(kept=first).entries, 2)
        self.assertEqual(self.ledger.verify(kept=[now]).entries, 2)
        self.assertEqual(self.ledger.verify(kept=[]).entries, 2)

    def test_heads_of_a_log_in_one_partition_are_its_head(self):
        self.assertEqual(self.ledger.chain_heads(), [self.ledger.chain_head()])
        self.ledger.earn(self.alice, 10, "PTS")
        heads = self.ledger.chain_heads()
        self.assertIsInstance(heads, list)
        self.assertIsInstance(heads[0], points.ChainHead)
        self.assertEqual(heads, [self.ledger.chain_head()])
        self.assertEqual(heads[0].seq, 1)
        self.assertEqual(self.ledger.verify(kept=heads).entries, 1)

    def test_heads_kept_inside_a_batch_rolled_back_find_it_missing(self):
        self.ledger.earn(self.alice, 10, "PTS")
        self.ledger.begin_batch()
        self.ledger.earn(self.bob, 5, "PTS")
        kept = self.ledger.chain_heads()
        self.ledger.rollback_batch()
        self.assertEqual(kept[0].seq, 2)
        with self.assertRaises(points.Corrupt) as cm:
            self.ledger.verify(kept=kept)
        self.assertEqual(cm.exception.report.bad_seq, 2)
        self.assertEqual(self.ledger.verify(
            kept=self.ledger.chain_heads()).entries, 1)

    def test_head_past_the_log_is_corrupt(self):
        self.ledger.earn(self.alice, 10, "PTS")
        head = self.ledger.chain_head()
        with self.assertRaises(points.Corrupt) as cm:
            self.ledger.verify(kept=head._replace(seq=5))
        self.assertEqual(cm.exception.report.bad_seq, 5)
        self.assertIn("before the kept head's entry 5",
                      cm.exception.report.message)

    def test_head_of_another_ledger_is_corrupt(self):
        self.ledger.earn(self.alice, 10, "PTS")
        with points.Ledger.open("memory:") as other:
            other.create_asset("PTS")
            a = other.create_account("X1")
            other.earn(a, 10, "PTS")
            theirs = other.chain_head()
        with self.assertRaises(points.Corrupt) as cm:
            self.ledger.verify(kept=theirs)
        self.assertIn("not the kept head's", str(cm.exception))

    def test_malformed_heads_are_invalid(self):
        self.ledger.earn(self.alice, 10, "PTS")
        head = self.ledger.chain_head()
        bad = [head._replace(partition=1), head._replace(seq=-1),
               head._replace(hash=head.hash.upper()),
               head._replace(hash=head.hash[:-1]),
               head._replace(hash=head.hash + "0")]
        for h in bad:
            with self.assertRaises(points.InvalidArgument, msg=h):
                self.ledger.verify(kept=h)
        with self.assertRaises(points.InvalidArgument):
            self.ledger.verify(kept=[head, head])
        with self.assertRaises(points.Overflow):
            self.ledger.verify(kept=(0, 2**63, head.hash))
        with self.assertRaises(TypeError):
            self.ledger.verify(kept=[(0, "1", head.hash)])


class SqliteTamperTest(LedgerCase):
    """Edits with the sqlite3 shell's library on a closed ledger file."""

    uri = "sqlite"

    def path(self):
        return os.path.join(self.dir, "ledger.db")

    def reopen(self):
        self.ledger = points.Ledger.open(self.make_uri(), clock=T0)

    def sql(self, statement, *args):
        con = sqlite3.connect(self.path())
        try:
            n = con.execute(statement, args).rowcount
            con.commit()
        finally:
            con.close()
        return n

    def test_older_copy_is_found_only_with_a_kept_head(self):
        self.ledger.earn(self.alice, 100, "PTS")
        self.ledger.close()
        shutil.copy(self.path(), self.path() + ".old")
        self.reopen()
        self.ledger.spend(self.alice, 60, "PTS")
        head = self.ledger.chain_head()
        self.ledger.close()
        shutil.copy(self.path() + ".old", self.path())
        self.reopen()
        self.assertEqual(self.ledger.verify().message, "ok")
        with self.assertRaises(points.Corrupt) as cm:
            self.ledger.verify(kept=head)
        self.assertIn("older copy", cm.exception.report.message)
        self.assertEqual(cm.exception.report.bad_seq, head.seq)

    def test_deleted_reversal_record_is_found(self):
        self.ledger.earn(self.alice, 100, "PTS")
        t = self.ledger.spend(self.alice, 50, "PTS")
        self.ledger.reverse(t, amount=10)
        self.ledger.close()
        self.assertEqual(self.sql("DELETE FROM ks_reversed"), 1)
        self.reopen()
        with self.assertRaises(points.Corrupt) as cm:
            self.ledger.verify()
        self.assertIn("its reversal record is missing",
                      cm.exception.report.message)
        self.ledger.close()

    def test_hold_edited_back_to_open_is_found(self):
        self.ledger.earn(self.alice, 100, "PTS")
        with self.ledger.hold(self.alice, 40, "PTS") as hold:
            hold.capture(40)
        self.ledger.close()
        # the state byte, second of the record: captured (1) -> open (0)
        self.assertEqual(self.sql(
            "UPDATE ks_hold SET v = substr(v, 1, 1) || x'00' || "
            "substr(v, 3)"), 1)
        self.reopen()
        with self.assertRaises(points.Corrupt) as cm:
            self.ledger.verify()
        self.assertIn("it is open, but entries settled it", str(cm.exception))
        self.ledger.close()


if __name__ == "__main__":
    unittest.main()
