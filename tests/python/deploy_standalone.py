"""The bindings carry libpoints inside them: the Python package directory,
or the jar with libpoints_jni.so, copied to a fresh directory works from
there with no LD_LIBRARY_PATH, and neither extension needs libpoints.so
(so no libpoints.so.N anywhere matters to them).  make check-deploy runs
this after building both bindings."""

import glob
import os
import shutil
import tempfile
import unittest

from deploy_helpers import (JAR, JAVA, JAVAC, JNI, PY_PKG, clean_env, ldd,
                            needed, run)

PY_PROGRAM = r"""
import os, sys
import points
here = os.path.realpath(os.path.dirname(points.__file__))
assert here.startswith(os.path.realpath(sys.argv[1])), here
with points.Ledger.open("sqlite:copied.db") as ledger:
    ledger.create_asset("PTS", 0, points.EXPIRE_NEVER, 0)
    a = ledger.create_account("C1", "Ann")
    ledger.earn(a, 70, "PTS", "welcome")
    print("available", ledger.balance(a, "PTS").available,
          "libpoints", points.library_version())
"""

JAVA_PROGRAM = r"""
import org.libpoints.*;

public class Copied {
    public static void main(String[] args) {
        try (Ledger ledger = Ledger.open("sqlite:copied.db")) {
            ledger.createAsset("PTS", 0, ExpiryPolicy.NEVER, 0);
            long a = ledger.createAccount("C1", "Ann");
            ledger.earn(Posting.of("PTS", a, 70).memo("welcome"));
            System.out.println("available " + ledger.getBalance(a, "PTS").available()
                    + " libpoints " + Ledger.version());
        }
    }
}
"""


class Standalone(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="points-deploy-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def assert_carries_libpoints(self, path):
        self.assertFalse([n for n in needed(path) if "libpoints" in n],
                         "%s needs %s" % (path, needed(path)))
        self.assertNotIn("libpoints", ldd(path))

    def test_python_extension_needs_no_libpoints_so(self):
        exts = glob.glob(os.path.join(PY_PKG, "_capi*.so"))
        self.assertEqual(len(exts), 1, exts)
        self.assert_carries_libpoints(exts[0])

    def test_python_package_copied_elsewhere_works(self):
        site = os.path.join(self.dir, "site")
        shutil.copytree(PY_PKG, os.path.join(site, "points"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        out = run(self, ["python3", "-c", PY_PROGRAM, site], self.dir,
                  clean_env(PYTHONPATH=site, PYTHONDONTWRITEBYTECODE="1"))
        self.assertIn("available 70 libpoints", out)

    def test_jni_library_needs_no_libpoints_so(self):
        self.assert_carries_libpoints(JNI)

    def test_jar_and_jni_library_copied_elsewhere_work(self):
        for f in (JAR, JNI):
            shutil.copy(f, self.dir)
        with open(os.path.join(self.dir, "Copied.java"), "w") as f:
            f.write(JAVA_PROGRAM)
        run(self, [JAVAC, "-cp", "libpoints.jar", "-d", ".", "Copied.java"],
            self.dir)
        out = run(self, [JAVA, "-cp", "libpoints.jar:.", "Copied"], self.dir)
        self.assertIn("available 70 libpoints", out)


if __name__ == "__main__":
    unittest.main()
