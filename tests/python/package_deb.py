"""The Debian packages make deb builds (packaging/mkdeb.sh), as a Debian
user meets them: their control fields, which files each holds, and,
installed with dpkg into a scratch root, the quickstart built against
their headers and pkg-config file and run on their library, the points
tool run, their man pages read, and dpkg -r leaving nothing behind.

make check-deb builds the packages and runs this; POINTS_DEB_DIR names
their directory (default build/deb).  With POINTS_DEB_SYSTEM=1, as root
(CI, on a machine of its own), they are also installed into the running
system with dpkg -i, used as the README says, and removed."""

import glob
import os
import re
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
DEB_DIR = os.environ.get("POINTS_DEB_DIR") or os.path.join(ROOT, "build",
                                                           "deb")
HAVE_DPKG = shutil.which("dpkg-deb") is not None


def out(*args, **kw):
    """The standard output of a command that must succeed."""
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, **kw)
    if p.returncode != 0:
        raise AssertionError("%s: exit %d\n%s" % (" ".join(args),
                                                  p.returncode, p.stderr))
    return p.stdout


def owner(path):
    """The package of an installed file (named either side of /usr)."""
    alt = path[4:] if path.startswith("/usr/") else "/usr" + path
    for f in (path, alt):
        p = subprocess.run(["dpkg", "-S", f], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL,
                           universal_newlines=True)
        if p.returncode == 0:
            return p.stdout.split(":")[0]
    return None


def make_var(name):
    with open(os.path.join(ROOT, "Makefile")) as f:
        return re.search(r"^%s = (\S+)$" % name, f.read(), re.M).group(1)


def header_version():
    with open(os.path.join(ROOT, "include", "points", "common.h")) as f:
        return re.search(r'#define POINTS_VERSION "(.*)"', f.read()).group(1)


def dep_names(field):
    """The package names of a Depends field."""
    return {re.match(r"\s*([a-z0-9.+-]+)", d).group(1)
            for d in field.split(",")}


def soname(path):
    m = re.search(r"\(SONAME\)\s+Library soname: \[(.*)\]",
                  out("readelf", "-d", path))
    return m.group(1) if m else None


@unittest.skipUnless(HAVE_DPKG, "no dpkg-deb: not a Debian system")
class DebianPackages(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.version = header_version()
        cls.somajor = make_var("SOMAJOR")
        cls.pg_somajor = make_var("PG_SOMAJOR")
        cls.arch = out("dpkg", "--print-architecture").strip()
        cls.multiarch = out("dpkg-architecture",
                            "-qDEB_HOST_MULTIARCH").strip()
        cls.libdir = "usr/lib/" + cls.multiarch
        cls.lib = "libpoints" + cls.somajor
        cls.pglib = "libpoints-pg" + cls.pg_somajor
        cls.with_pg = os.path.exists(os.path.join(ROOT, "lib",
                                                  "libpoints_pg.so"))
        cls.debs = {}     # package: the .deb
        cls.fields = {}   # package: {field: value}
        cls.files = {}    # package: {path: link target or None}
        cls.tmp = tempfile.mkdtemp(prefix="points-deb-")
        for deb in sorted(glob.glob(os.path.join(DEB_DIR, "*.deb"))):
            fields = {}
            for line in out("dpkg-deb", "-f", deb).splitlines():
                if not line.startswith(" "):
                    k, _, v = line.partition(":")
                    fields[k] = v.strip()
            p = fields["Package"]
            cls.debs[p], cls.fields[p] = deb, fields
            x = os.path.join(cls.tmp, "x", p)
            os.makedirs(x)
            out("dpkg-deb", "-x", deb, x)
            cls.files[p] = {}
            for d, _, names in os.walk(x):
                for n in names:
                    f = os.path.join(d, n)
                    cls.files[p][os.path.relpath(f, x)] = \
                        os.readlink(f) if os.path.islink(f) else None

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def extracted(self, package, path):
        return os.path.join(self.tmp, "x", package, path)

    def test_the_packages_and_their_names(self):
        want = {self.lib, "libpoints-dev", "points-tools"}
        if self.with_pg:
            want |= {self.pglib, "libpoints-pg-dev"}
        self.assertEqual(set(self.debs), want)
        # a library package is named for its library's soname
        so = "%s/libpoints.so.%s" % (self.libdir, self.version)
        self.assertEqual(soname(self.extracted(self.lib, so)),
                         "libpoints.so." + self.somajor)
        if self.with_pg:
            so = "%s/libpoints_pg.so.%s" % (self.libdir, self.version)
            self.assertEqual(soname(self.extracted(self.pglib, so)),
                             "libpoints_pg.so." + self.pg_somajor)
        for p, deb in self.debs.items():
            self.assertEqual(os.path.basename(deb), "%s_%s_%s.deb"
                             % (p, self.version, self.arch))

    def test_control_fields(self):
        for p, f in self.fields.items():
            self.assertEqual(f["Version"], self.version, p)
            self.assertEqual(f["Architecture"], self.arch, p)
            self.assertRegex(f["Maintainer"], r"^[^<>]+ <[^@<>]+@[^@<>]+>$")
            self.assertTrue(f["Description"], p)
            self.assertIn(f["Section"], ("libs", "libdevel", "utils"), p)
        dev = self.fields["libpoints-dev"]["Depends"]
        self.assertIn("%s (= %s)" % (self.lib, self.version), dev)
        self.assertLessEqual({"libsqlite3-dev", "uuid-dev", "libsodium-dev"},
                             dep_names(dev))
        self.assertIn(self.lib, dep_names(
            self.fields["points-tools"]["Depends"]))
        if self.with_pg:
            self.assertIn("%s (= %s)" % (self.lib, self.version),
                          self.fields[self.pglib]["Depends"])
            self.assertIn("%s (= %s)" % (self.pglib, self.version),
                          self.fields["libpoints-pg-dev"]["Depends"])

    def test_depends_name_the_packages_of_the_libraries_linked(self):
        """Each library a binary needs is in a package its Depends names
        (dpkg -S finds which), so installing it brings them."""
        cases = [(self.lib, "%s/libpoints.so.%s" % (self.libdir,
                                                    self.version)),
                 ("points-tools", "usr/bin/points")]
        if self.with_pg:
            cases.append((self.pglib, "%s/libpoints_pg.so.%s"
                          % (self.libdir, self.version)))
        cache = out("/sbin/ldconfig", "-p")
        for p, path in cases:
            deps = dep_names(self.fields[p]["Depends"])
            needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.*)\]",
                                out("readelf", "-d",
                                    self.extracted(p, path)))
            self.assertTrue(needed, path)
            for lib in needed:
                if lib.startswith("libpoints"):
                    pkg = self.lib if lib.startswith("libpoints.") \
                        else self.pglib
                else:
                    where = re.search(r"\s%s \(libc6,x86-64\) => (\S+)"
                                      % re.escape(lib), cache)
                    self.assertTrue(where, lib)
                    pkg = owner(where.group(1))
                self.assertIn(pkg, deps, "%s needs %s" % (path, lib))
        self.assertLessEqual({"libsqlite3-0", "libuuid1", "libsodium23"},
                             dep_names(self.fields[self.lib]["Depends"]))

    def test_every_file_installed_is_in_one_package(self):
        def tree(d):
            return {os.path.relpath(os.path.join(w, n), ROOT)
                    for w, _, ns in os.walk(os.path.join(ROOT, d))
                    for n in ns}
        want = {}  # path in a package: (package, link target)
        for h in tree("include"):
            if h.endswith(".h"):
                want["usr/" + h] = ("libpoints-dev", None)
        for m in tree("man"):
            p = "points-tools" if m.startswith("man/man1/") \
                else "libpoints-dev"
            link = os.readlink(os.path.join(ROOT, m)) + ".gz" \
                if os.path.islink(os.path.join(ROOT, m)) else None
            want["usr/share/" + m + ".gz"] = (p, link)
        v, lib = self.version, self.libdir
        want.update({
            "usr/bin/points": ("points-tools", None),
            "%s/libpoints.so.%s" % (lib, v): (self.lib, None),
            "%s/libpoints.so.%s" % (lib, self.somajor):
                (self.lib, "libpoints.so." + v),
            lib + "/libpoints.so": ("libpoints-dev", "libpoints.so." + v),
            lib + "/libpoints.a": ("libpoints-dev", None),
            lib + "/pkgconfig/points.pc": ("libpoints-dev", None),
        })
        if self.with_pg:
            want.update({
                "%s/libpoints_pg.so.%s" % (lib, v): (self.pglib, None),
                "%s/libpoints_pg.so.%s" % (lib, self.pg_somajor):
                    (self.pglib, "libpoints_pg.so." + v),
                lib + "/libpoints_pg.so":
                    ("libpoints-pg-dev", "libpoints_pg.so." + v),
                lib + "/pkgconfig/points-pg.pc": ("libpoints-pg-dev", None),
            })
        got = {}
        for p, files in self.files.items():
            for path, link in files.items():
                if path.startswith("usr/share/doc/%s/" % p):
                    continue
                self.assertNotIn(path, got, "in %s and %s"
                                 % (p, got.get(path, ("",))[0]))
                got[path] = (p, link)
            for doc in ("copyright", "changelog.gz"):
                self.assertIn("usr/share/doc/%s/%s" % (p, doc), files)
        self.assertEqual(got, want)

    def test_binaries_have_no_rpath_and_libraries_are_not_executable(self):
        tool = self.extracted("points-tools", "usr/bin/points")
        self.assertNotRegex(out("readelf", "-d", tool), r"R(UN)?PATH")
        self.assertNotIn(".debug_info", out("readelf", "-S", tool))
        so = self.extracted(self.lib, "%s/libpoints.so.%s"
                            % (self.libdir, self.version))
        self.assertEqual(os.stat(so).st_mode & 0o777, 0o644)

    def dpkg(self, root, *args):
        extra = ["--force-not-root"] if os.geteuid() != 0 else []
        return out("dpkg", "--root=" + root, "--log=/dev/null",
                   "--force-depends", *(extra + list(args)))

    def test_install_into_a_scratch_root_build_and_run(self):
        root = os.path.join(self.tmp, "root")
        for d in ("var/lib/dpkg/info", "var/lib/dpkg/updates"):
            os.makedirs(os.path.join(root, d))
        open(os.path.join(root, "var/lib/dpkg/status"), "w").close()
        work = os.path.join(self.tmp, "work")
        os.mkdir(work)
        libdir = os.path.join(root, self.libdir)
        env = dict(os.environ, LD_LIBRARY_PATH=libdir,
                   PKG_CONFIG_SYSROOT_DIR=root,
                   PKG_CONFIG_PATH=os.path.join(libdir, "pkgconfig"))
        env.pop("POINTS_PG_LIBRARY", None)
        tool = [os.path.join(root, "usr/bin/points")]
        pg_uri = "postgresql://points@/points?host=/nonexistent/points-deb"

        # the library and the tool, then the rest (the dev files, the
        # PostgreSQL store)
        self.dpkg(root, "-i", self.debs[self.lib], self.debs["points-tools"])
        status = out("dpkg", "--root=" + root, "-l")
        self.assertRegex(status, r"(?m)^ii  points-tools ")
        self.assertEqual(out(*tool, "--version", env=env),
                         "points %s (libpoints %s)\n"
                         % (self.version, self.version))
        p = subprocess.run(tool + ["--ledger", pg_uri, "balance", "E1"],
                           env=env, stderr=subprocess.PIPE,
                           universal_newlines=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cannot load libpoints_pg.so." + self.pg_somajor,
                      p.stderr)
        rest = [d for p, d in self.debs.items()
                if p not in (self.lib, "points-tools")]
        self.dpkg(root, "-i", *rest)
        for p in self.debs:
            self.assertRegex(out("dpkg", "--root=" + root, "-s", p),
                             r"Status: install ok installed")
        # each file as its md5sums say
        self.assertEqual(out("dpkg", "--root=" + root, "--verify"), "")

        # the quickstart against the installed headers and points.pc
        flags = out("pkg-config", "--cflags", "--libs", "points",
                    env=env).split()
        self.assertIn("-L" + libdir, flags)
        self.assertIn("-I" + os.path.join(root, "usr/include"), flags)
        qs = os.path.join(work, "quickstart")
        out("cc", os.path.join(ROOT, "examples", "quickstart.c"),
            *flags, "-o", qs)
        self.assertIn(os.path.join(libdir, "libpoints.so." + self.somajor),
                      out("ldd", qs, env=env))
        shown = out(qs, os.path.join(work, "hr.db"), env=env, cwd=work)
        self.assertRegex(shown, r"verified \d+ entries and \d+ balances: "
                         r"ok")
        # and linked with the archive: no libpoints needed to run
        static = os.path.join(work, "quickstart-static")
        out("cc", os.path.join(ROOT, "examples", "quickstart.c"),
            *out("pkg-config", "--cflags", "points", env=env).split(),
            os.path.join(libdir, "libpoints.a"),
            *out("pkg-config", "--libs", "sqlite3", "uuid",
                 "libsodium").split(), "-o", static)
        self.assertNotIn("libpoints", out("readelf", "-d", static))
        uuid = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")
        self.assertEqual(uuid.sub("ID", out(static, os.path.join(
            work, "static.db"), cwd=work)), uuid.sub("ID", shown))

        # the tool on a ledger
        ledger = ["--ledger", "sqlite:" + os.path.join(work, "t.db")]
        out(*tool, *ledger, "init", env=env)
        out(*tool, *ledger, "account", "add", "E1001", env=env)
        out(*tool, *ledger, "earn", "E1001", "120", env=env)
        self.assertRegex(out(*tool, *ledger, "--json", "balance", "E1001",
                             env=env), r'"available":120\b')

        if self.with_pg:
            # libpoints now finds the PostgreSQL store (and the server
            # is what is missing)
            p = subprocess.run(tool + ["--ledger", pg_uri, "balance", "E1"],
                               env=env, stderr=subprocess.PIPE,
                               universal_newlines=True)
            self.assertNotEqual(p.returncode, 0)
            self.assertNotIn("cannot load", p.stderr)
            pg = os.path.join(work, "pg_link")
            out("cc", os.path.join(ROOT, "tests", "pg_link.c"),
                *out("pkg-config", "--cflags", "--libs", "points-pg",
                     env=env).split(), "-o", pg)
            out(pg, env=env)

        # the man pages, a link's page among them
        man = os.path.join(root, "usr/share/man")
        for page in ("man1/points.1.gz", "man3/libpoints.3.gz",
                     "man3/points_earn.3.gz", "man7/points-rules.7.gz"):
            self.assertTrue(os.path.exists(os.path.join(man, page)), page)
            text = re.sub(".\b", "", out("mandoc", "-T", "ascii",
                                           os.path.join(man, page)))
            self.assertIn(os.path.basename(page).split(".")[0], text)
        for link in glob.glob(os.path.join(man, "man3", "*.gz")):
            self.assertTrue(os.path.exists(link), link)  # no dangling link

        # removed: nothing of them is left
        self.dpkg(root, "--purge", *self.debs)
        left = [os.path.join(w, n) for w, _, ns in
                os.walk(os.path.join(root, "usr")) for n in ns]
        self.assertEqual(left, [])

    @unittest.skipUnless(os.environ.get("POINTS_DEB_SYSTEM") == "1",
                         "POINTS_DEB_SYSTEM=1 installs into the system (CI)")
    def test_install_into_the_system_and_remove(self):
        self.assertEqual(os.geteuid(), 0, "dpkg -i needs root")
        st = subprocess.run(["dpkg", "-s", self.lib], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
        self.assertNotEqual(st.returncode, 0, "%s is installed already"
                            % self.lib)
        self.addCleanup(subprocess.run, ["dpkg", "--purge"] + list(self.debs),
                        stdout=subprocess.DEVNULL)
        out("dpkg", "-i", *self.debs.values())
        env = dict(os.environ)
        for k in ("LD_LIBRARY_PATH", "PKG_CONFIG_PATH",
                  "PKG_CONFIG_SYSROOT_DIR"):
            env.pop(k, None)
        work = tempfile.mkdtemp(prefix="points-deb-sys-")
        self.addCleanup(shutil.rmtree, work)
        # the ldconfig trigger ran: the loader's cache has the library
        self.assertTrue(re.search(r"libpoints\.so\.%s .*=> (/usr)?/%s/"
                                  % (self.somajor, self.libdir[4:]),
                                  out("/sbin/ldconfig", "-p")),
                        "libpoints.so.%s not in ldconfig -p" % self.somajor)
        qs = os.path.join(work, "quickstart")
        out("sh", "-c", "cc %s $(pkg-config --cflags --libs points) -o %s"
            % (os.path.join(ROOT, "examples", "quickstart.c"), qs), env=env)
        self.assertNotRegex(out("readelf", "-d", qs), r"R(UN)?PATH")
        self.assertRegex(out("ldd", qs, env=env), r"libpoints\.so\.%s => "
                         r"(/usr)?/%s/" % (self.somajor, self.libdir[4:]))
        self.assertTrue(out(qs, os.path.join(work, "hr.db"), env=env,
                            cwd=work))
        self.assertEqual(out("/usr/bin/points", "--version", env=env),
                         "points %s (libpoints %s)\n"
                         % (self.version, self.version))
        out("dpkg", "--purge", *self.debs)
        self.assertFalse("libpoints.so.%s " % self.somajor in
                         out("/sbin/ldconfig", "-p"),
                         "libpoints.so.%s still in ldconfig -p" % self.somajor)
        self.assertFalse(os.path.exists("/usr/bin/points"))


if __name__ == "__main__":
    unittest.main()
