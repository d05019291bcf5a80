"""The bindings reach every public C function and every field of every
result record (tests/check_bindings.py), and that check fails when a
function or a field is missing.

The Java cases read build/java/libpoints.jar: make check-bindings runs
them (POINTS_CHECK_JAVA=1) after building it.
"""

import os
import re
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
CHECK = os.path.join(ROOT, "tests", "check_bindings.py")
TABLE = os.path.join(ROOT, "bindings", "records.def")
TXN_H = os.path.join(ROOT, "include", "points", "txn.h")
PLANTED = ('POINTS_BIND_FIELD(points_txn, planted, I64, planted, planted, '
           'long,\n    "a field the C struct has and no binding")\n')


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def txn_struct(extra_member):
    """The points_txn of txn.h with one more member at its end."""
    m = re.search(r"typedef struct points_txn \{.*?\} points_txn;",
                  read(TXN_H), re.S)
    return m.group(0).replace("} points_txn;",
                              "\t%s\n} points_txn;" % extra_member)


def table_without(member):
    """records.def without points_txn's field member."""
    text, n = re.subn(r'POINTS_BIND_FIELD\(points_txn, %s,.*?"\)\n' % member,
                      "", read(TABLE), flags=re.S)
    assert n == 1, member
    return text


def table_with_planted():
    return read(TABLE).replace("POINTS_BIND_END(points_txn)",
                               PLANTED + "POINTS_BIND_END(points_txn)")


class Files:
    """Temporary files for the check's --header and --records."""

    def __init__(self):
        self.dir = tempfile.TemporaryDirectory()
        self.n = 0

    def write(self, suffix, text):
        self.n += 1
        path = os.path.join(self.dir.name, "f%d%s" % (self.n, suffix))
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.dir.cleanup()


class CoverageCases:
    lang = None

    def run_check(self, *args):
        return subprocess.run([sys.executable, CHECK, self.lang, *args],
                              capture_output=True, text=True)

    def assertFails(self, r, *messages):
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        for m in messages:
            self.assertIn(m, r.stderr)

    def test_every_function_and_field_is_bound(self):
        r = self.run_check()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("public functions reached", r.stdout)
        with open(os.path.join(ROOT, "bindings", "records.def")) as f:
            n = sum(1 for line in f
                    if line.startswith("POINTS_BIND_RECORD("))
        self.assertIn("%s: %d records" % (self.lang, n), r.stdout)
        self.assertIn("fields match the table", r.stdout)

    def test_a_field_the_built_record_lacks_fails_the_check(self):
        # Table and header agree; the built binding (made from the real
        # table) has no such field.
        with Files() as f:
            h = f.write(".h", txn_struct("int64_t planted;"))
            t = f.write(".def", table_with_planted())
            r = self.run_check("--header", h, "--records", t)
        lang = {"python": "Python record points.Txn",
                "java": "Java record org.libpoints.Txn"}[self.lang]
        self.assertFails(r, "points_txn.planted: not in the %s" % lang)
        self.assertNotIn("not in " + t, r.stderr)

    def test_a_field_the_table_dropped_but_the_record_has_fails(self):
        with Files() as f:
            h = f.write(".h", txn_struct("").replace(
                "char memo[POINTS_MEMO_MAX + 1];", ""))
            t = f.write(".def", table_without("memo"))
            r = self.run_check("--header", h, "--records", t)
        self.assertFails(r, "has memo, which %s does not list" % t)


class TableCases:
    """What the check finds in the headers and the table, whatever the
    language."""

    def test_a_missing_function_fails_the_check(self):
        with Files() as f:
            h = f.write(".h", "POINTS_EXTERN int points_not_bound("
                        "points_db *db,\n    int64_t x);\n")
            r = self.run_check("--header", h)
        self.assertFails(r, "points_not_bound: not wrapped by SWIG")

    def test_a_field_added_in_c_alone_fails_the_check(self):
        # The planted bug: a member added to the struct, not to the table.
        with Files() as f:
            h = f.write(".h", txn_struct("int64_t planted;"))
            r = self.run_check("--header", h)
        self.assertFails(r, "points_txn.planted: not in ")

    def test_a_field_dropped_from_the_table_fails_the_check(self):
        with Files() as f:
            t = f.write(".def", table_without("memo"))
            r = self.run_check("--records", t)
        self.assertFails(r, "points_txn.memo: not in ")

    def test_a_kind_other_than_the_members_type_fails_the_check(self):
        with Files() as f:
            t = f.write(".def", read(TABLE).replace(
                "POINTS_BIND_FIELD(points_txn, seq, I64, seq, seq, long,",
                "POINTS_BIND_FIELD(points_txn, seq, INT, seq, seq, int,"))
            r = self.run_check("--records", t)
        self.assertFails(r, "points_txn.seq: %s says INT, the header I64" % t)

    def test_a_new_result_record_must_be_in_the_table(self):
        with Files() as f:
            h = f.write(".h", "typedef struct points_widget {\n"
                        "\tint64_t id;\n} points_widget;\n"
                        "POINTS_EXTERN int points_widget_get(points_db *db,"
                        "\n    int64_t id, points_widget *out);\n")
            r = self.run_check("--header", h)
        self.assertFails(r, "points_widget: a result record not in "
                         "bindings/records.def")


class PythonCoverageTest(CoverageCases, TableCases, unittest.TestCase):
    lang = "python"


@unittest.skipUnless(os.environ.get("POINTS_CHECK_JAVA"),
                     "make check-bindings runs these, on the built jar")
class JavaCoverageTest(CoverageCases, unittest.TestCase):
    lang = "java"


if __name__ == "__main__":
    unittest.main()
