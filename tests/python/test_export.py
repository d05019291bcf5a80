"""Exports from Python: the ledger's entries as CSV and JSON lines."""

import csv
import io
import json

import points
from helpers import T0, LedgerCase


class ExportTest(LedgerCase):

    def setUp(self):
        super().setUp()
        self.earn = self.ledger.earn(self.alice, 100, "PTS",
                                     'bonus, "great"\nthanks',
                                     category="training")
        self.ledger.set_clock(T0 + 3600)
        self.spend = self.ledger.spend(self.alice, 30, "PTS", "mug")

    def test_csv_reads_back_with_the_csv_module(self):
        text = "".join(self.ledger.export("csv"))
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        self.assertEqual([(r["type"], r["amount"], r["to_external_id"],
                           r["memo"]) for r in rows],
                         [("earn", "100", "E1001", 'bonus, "great"\nthanks'),
                          ("spend", "30", "system:sink", "mug")])
        self.assertEqual(rows[0]["txn_id"], self.earn.id)
        self.assertTrue(text.startswith("seq,txn_id,time,time_utc,type,"))

    def test_jsonl_period_is_from_inclusive_to_exclusive(self):
        lines = list(self.ledger.export("jsonl", T0, T0 + 3600))
        self.assertEqual(len(lines), 1)
        self.assertTrue(lines[0].endswith("\n"))
        e = json.loads(lines[0])
        self.assertEqual((e["seq"], e["type"], e["amount"], e["category"],
                          e["decimals"]), (1, "earn", 100, "training", 0))
        later = [json.loads(l) for l in
                 self.ledger.export("jsonl", T0 + 3600)]
        self.assertEqual([e["txn_id"] for e in later], [self.spend.id])

    def test_journal_ends_with_the_balances(self):
        text = "".join(self.ledger.export("journal"))
        self.assertIn("commodity 1. PTS\n", text)
        self.assertIn("    user:%d:available  0 PTS = 70 PTS\n"
                      % self.alice.id, text)
        with self.assertRaises(points.InvalidArgument):
            list(self.ledger.export("journal", T0))

    def test_unknown_format_is_refused(self):
        with self.assertRaises(ValueError):
            self.ledger.export("xml")
        with self.assertRaises(points.InvalidArgument):
            list(self.ledger.export("csv", T0 + 10, T0))

    def test_iterator_refuses_after_close(self):
        it = self.ledger.export("csv")
        self.assertTrue(next(it).startswith("seq,"))
        self.ledger.close()
        with self.assertRaises(points.LedgerClosed):
            next(it)


class BackupTest(LedgerCase):

    uri = "sqlite"

    def test_backup_then_restore(self):
        import os
        self.ledger.earn(self.alice, 100, "PTS")
        path = os.path.join(self.dir, "copy.db")
        self.ledger.backup(path)
        with self.assertRaises(points.AlreadyExists):
            self.ledger.backup(path)
        self.ledger.spend(self.alice, 60, "PTS")
        self.ledger.close()
        self.ledger = points.Ledger.restore(path, self.make_uri(), clock=T0)
        self.assertEqual(self.available(self.alice), 100)

    def test_memory_ledgers_have_no_backup(self):
        mem = points.Ledger.open("memory:")
        with self.assertRaises(points.InvalidArgument):
            mem.backup(self.dir + "/x.db")
        mem.close()
