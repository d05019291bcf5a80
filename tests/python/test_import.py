"""Imports from Python: accounts and awards from CSV files, each line's
outcome, a re-run that imports nothing, and all or nothing."""

import os

import points
from helpers import LedgerCase


class ImportTest(LedgerCase):

    def write(self, text, name="in.csv"):
        path = os.path.join(self.dir, name)
        with open(path, "w", newline="", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_accounts_are_created_updated_and_left_alone(self):
        path = self.write("external_id,name,department,tier\r\n"
                          "E1001,Alice,R&D,\r\n"
                          "E1002,Bob,,\r\n"
                          '"E2001","Lee, ""Jr""",Sales,gold\r\n')
        lines = self.ledger.import_accounts(path)
        self.assertEqual([(r.line, r.outcome, r.external_id)
                          for r in lines],
                         [(2, points.IMPORT_UPDATED, "E1001"),
                          (3, points.IMPORT_UNCHANGED, "E1002"),
                          (4, points.IMPORT_CREATED, "E2001")])
        lee = self.ledger.find_account("E2001")
        self.assertEqual(lines[2].account, lee.id)
        self.assertEqual((lee.name, lee.department, lee.tier),
                         ('Lee, "Jr"', "Sales", "gold"))
        self.assertEqual(self.ledger.find_account("E1001").department,
                         "R&D")
        again = self.ledger.import_accounts(path)
        self.assertEqual({r.outcome for r in again},
                         {points.IMPORT_UNCHANGED})

    def test_awards_replay_on_a_rerun(self):
        path = self.write("external_id,asset,amount,idempotency_key,memo\n"
                          "E1001,PTS,30,q1/E1001,course\n"
                          "E1002,PTS,5,q1/E1002,\n")
        lines = self.ledger.import_awards(path)
        self.assertEqual([r.outcome for r in lines],
                         [points.IMPORT_APPLIED] * 2)
        self.assertEqual(self.ledger.balance(self.alice, "PTS").available,
                         30)
        self.assertEqual(self.ledger.txn(lines[0].txn_id).memo, "course")
        again = self.ledger.import_awards(path, all_or_nothing=True)
        self.assertEqual([r.outcome for r in again],
                         [points.IMPORT_REPLAYED] * 2)
        self.assertEqual(self.ledger.balance(self.alice, "PTS").available,
                         30)

    def test_a_bad_line_is_reported_and_the_rest_applied(self):
        path = self.write("external_id,asset,amount,idempotency_key\n"
                          "E1001,PTS,10,a\n"
                          "E9,PTS,10,b\n"
                          "E1002,PTS,1.5,c\n")
        lines = self.ledger.import_awards(path)
        self.assertEqual([r.refused for r in lines], [False, True, True])
        self.assertEqual((lines[1].line, lines[1].column, lines[1].code),
                         (3, "external_id", points.NotFound.code))
        self.assertEqual(str(lines[1]), 'line 3, column external_id: no '
                         'account with external id "E9"')
        self.assertEqual(lines[2].column, "amount")
        self.assertEqual(self.ledger.balance(self.alice, "PTS").available,
                         10)

    def test_all_or_nothing_raises_naming_every_bad_line(self):
        path = self.write("external_id,asset,amount,idempotency_key\n"
                          "E1001,PTS,10,a\n"
                          "E9,PTS,10,b\n"
                          "E1002,PTS,x,c\n")
        with self.assertRaises(points.InvalidArgument) as cm:
            self.ledger.import_awards(path, all_or_nothing=True)
        msg = str(cm.exception)
        self.assertIn("2 of 3 lines refused, the first at line 3", msg)
        self.assertIn("line 3, column external_id", msg)
        self.assertIn("line 4, column amount", msg)
        self.assertEqual(self.ledger.balance(self.alice, "PTS").available,
                         0)
        # the ledger goes on (no batch left open)
        self.ledger.earn(self.alice, 1, "PTS", "after")

    def test_a_bad_header_names_the_column(self):
        path = self.write("external_id,name,email\nE1,Ann,a@b\n")
        with self.assertRaises(points.InvalidArgument) as cm:
            self.ledger.import_accounts(path)
        self.assertIn('unknown column "email"', str(cm.exception))
        with self.assertRaises(points.NotFound):
            self.ledger.import_accounts(os.path.join(self.dir, "none.csv"))
        with self.assertRaises(points.Misuse):
            with self.ledger.batch():
                self.ledger.import_accounts(path)


class ImportSqliteTest(ImportTest):
    uri = "sqlite"
