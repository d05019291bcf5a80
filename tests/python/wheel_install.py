"""The wheel (make wheel) as a user installs it: pip, with no index, into
a fresh virtual environment, then `python3 -m points --version` and a
small program run from a directory outside the tree, with nothing in the
environment leading to the tree.  make check-wheel runs this after
building the wheel; POINTS_VERSION is the library's version."""

import base64
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

from deploy_helpers import ROOT, clean_env, needed, run

VERSION = os.environ.get("POINTS_VERSION", "")
DIST = os.path.join(ROOT, "build", "dist")

PROGRAM = r"""
import os, sys
import points
here = os.path.realpath(points.__file__)
assert here.startswith(os.path.realpath(sys.prefix)), here
with points.Ledger.open("sqlite:wheel.db") as ledger:
    ledger.create_asset("PTS", 0, points.EXPIRE_NEVER, 0)
    a = ledger.create_account("W1", "Wen")
    ledger.earn(a, 120, "PTS", "welcome")
    ledger.spend(a, 45, "PTS", "mug")
    print("available", ledger.balance(a, "PTS").available)
    print("verified entries", ledger.verify().entries)
"""


def wheels():
    return sorted(glob.glob(os.path.join(DIST, "points-*.whl")))


class Wheel(unittest.TestCase):

    def setUp(self):
        self.assertTrue(VERSION, "POINTS_VERSION is not set (run make "
                        "check-wheel)")
        found = wheels()
        self.assertEqual(len(found), 1, found)
        self.wheel = found[0]
        self.dir = tempfile.mkdtemp(prefix="points-wheel-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_name_carries_the_library_version_and_this_interpreter(self):
        py = "cp%d%d" % sys.version_info[:2]
        self.assertEqual(os.path.basename(self.wheel),
                         "points-%s-%s-%s-linux_x86_64.whl"
                         % (VERSION, py, py + sys.abiflags))

    def test_record_lists_every_member_with_its_hash(self):
        with zipfile.ZipFile(self.wheel) as z:
            names = z.namelist()
            info = "points-%s.dist-info/" % VERSION
            record = z.read(info + "RECORD").decode().splitlines()
            listed = {}
            for line in record:
                path, digest, size = line.rsplit(",", 2)
                listed[path] = (digest, size)
            self.assertEqual(sorted(listed), sorted(names))
            self.assertEqual(listed[info + "RECORD"], ("", ""))
            for path in names:
                if path == info + "RECORD":
                    continue
                data = z.read(path)
                digest = base64.urlsafe_b64encode(
                    hashlib.sha256(data).digest()).rstrip(b"=").decode()
                self.assertEqual(listed[path],
                                 ("sha256=" + digest, str(len(data))), path)
            for module in ("__init__.py", "__main__.py", "capi.py",
                           "ledger.py"):
                self.assertIn("points/" + module, names)
            meta = z.read(info + "METADATA").decode()
            self.assertIn("\nVersion: %s\n" % VERSION, meta)
            self.assertIn("Root-Is-Purelib: false",
                          z.read(info + "WHEEL").decode())

    def test_extension_needs_only_the_c_library(self):
        with zipfile.ZipFile(self.wheel) as z:
            exts = [n for n in z.namelist()
                    if n.startswith("points/_capi") and n.endswith(".so")]
            self.assertEqual(len(exts), 1, exts)
            z.extract(exts[0], self.dir)
        libs = needed(os.path.join(self.dir, exts[0]))
        for lib in libs:
            self.assertTrue(lib.startswith(("libc.so", "libm.so",
                                            "libpthread.so", "libdl.so",
                                            "libgcc_s.so")),
                            "the extension needs %s (%s)" % (lib, libs))

    def test_pip_installs_it_into_a_fresh_venv_and_it_runs(self):
        venv = os.path.join(self.dir, "venv")
        run(self, [sys.executable, "-m", "venv", venv], self.dir)
        py = os.path.join(venv, "bin", "python3")
        env = clean_env(PIP_DISABLE_PIP_VERSION_CHECK="1",
                        PYTHONDONTWRITEBYTECODE="1")
        out = run(self, [py, "-m", "pip", "install", "--no-index",
                         "--no-cache-dir", self.wheel], self.dir, env)
        self.assertIn("Successfully installed points-%s" % VERSION, out)
        work = os.path.join(self.dir, "work")
        os.mkdir(work)
        out = run(self, [py, "-m", "points", "--version"], work, env)
        self.assertEqual(out.strip(), "points %s (libpoints %s)"
                         % (VERSION, VERSION))
        out = run(self, [py, "-c", PROGRAM], work, env)
        self.assertEqual(out.split("\n")[:2], ["available 75",
                                               "verified entries 2"])
        self.assertTrue(os.path.isfile(os.path.join(work, "wheel.db")))
        # pip knows what it installed, and removes all of it.
        run(self, [py, "-m", "pip", "uninstall", "-y", "points"], work, env)
        p = subprocess.run([py, "-c", "import points"], cwd=work, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.assertNotEqual(p.returncode, 0)


if __name__ == "__main__":
    unittest.main()
