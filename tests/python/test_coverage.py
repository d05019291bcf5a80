"""The binding reaches every public C function (tests/check_bindings.py),
and that check fails when one is missing."""

import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
CHECK = os.path.join(ROOT, "tests", "check_bindings.py")


def run(*args):
    return subprocess.run([sys.executable, CHECK, "python", *args],
                          capture_output=True, text=True)


class CoverageTest(unittest.TestCase):

    def test_every_function_is_reached(self):
        r = run()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("public functions reached", r.stdout)

    def test_a_missing_function_fails_the_check(self):
        with tempfile.NamedTemporaryFile("w", suffix=".h") as h:
            h.write("POINTS_EXTERN int points_not_bound(points_db *db,\n"
                    "    int64_t x);\n")
            h.flush()
            r = run("--header", h.name)
        self.assertEqual(r.returncode, 1)
        self.assertIn("points_not_bound: not wrapped by SWIG", r.stderr)


if __name__ == "__main__":
    unittest.main()
