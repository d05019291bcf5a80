"""The jar (make java) as an application and Maven meet it: it carries the
JNI library for this platform and its pom; a program run with only the
jar on its class path, from a directory of its own with nothing beside
it, works (the library loaded from inside the jar, through a temporary
file it leaves no trace of); and `mvn install:install-file` puts it into
a scratch local repository, offline, with Debian's Maven repository as
the only source of plugins.  make check-jar runs this; POINTS_VERSION is
the library's version, MAVEN_REQUIRED=1 (CI) fails what would otherwise
be skipped for want of Maven."""

import os
import platform
import shutil
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET
import zipfile

from deploy_helpers import JAR, JAVA, JAVA_OUT, clean_env, needed, run

VERSION = os.environ.get("POINTS_VERSION", "")
POM = os.path.join(JAVA_OUT, "pom.xml")
NATIVE = "org/libpoints/native/linux-%s/libpoints_jni.so" % platform.machine()
MAVEN_REPO = "/usr/share/maven-repo"
MAVEN_REQUIRED = os.environ.get("MAVEN_REQUIRED") == "1"
NS = {"m": "http://maven.apache.org/POM/4.0.0"}

PROGRAM = r"""
import org.libpoints.*;

public class JarOnly {
    public static void main(String[] args) {
        try (Ledger ledger = Ledger.open("sqlite:jar.db")) {
            ledger.createAsset("PTS", 0, ExpiryPolicy.NEVER, 0);
            long a = ledger.createAccount("J1", "Jo");
            ledger.earn(Posting.of("PTS", a, 120).memo("welcome"));
            ledger.spend(Posting.of("PTS", a, 45).memo("mug"));
            System.out.println("available " + ledger.getBalance(a, "PTS").available());
            System.out.println("libpoints " + Ledger.version());
        }
    }
}
"""

SETTINGS = """<settings>
  <mirrors>
    <mirror><id>debian</id><mirrorOf>*</mirrorOf><url>file://%s</url></mirror>
  </mirrors>
</settings>
""" % MAVEN_REPO


class Jar(unittest.TestCase):

    def setUp(self):
        self.assertTrue(VERSION, "POINTS_VERSION is not set (run make "
                        "check-jar)")
        self.dir = tempfile.mkdtemp(prefix="points-jar-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_jar_carries_the_jni_library_and_its_pom(self):
        with zipfile.ZipFile(JAR) as z:
            names = z.namelist()
            self.assertIn(NATIVE, names)
            so = z.extract(NATIVE, self.dir)
            pom = z.read("META-INF/maven/org.libpoints/libpoints/pom.xml")
            props = z.read("META-INF/maven/org.libpoints/libpoints/"
                           "pom.properties").decode()
            manifest = z.read("META-INF/MANIFEST.MF").decode()
        with open(POM, "rb") as f:
            self.assertEqual(pom, f.read())
        self.assertIn("version=%s\n" % VERSION, props)
        self.assertIn("Implementation-Version: %s" % VERSION, manifest)
        # Linked with libpoints, SQLite, libuuid and libsodium inside.
        libs = needed(so)
        for lib in libs:
            self.assertTrue(lib.startswith(("libc.so", "libm.so",
                                            "libpthread.so", "libdl.so",
                                            "libgcc_s.so")),
                            "the JNI library needs %s (%s)" % (lib, libs))

    def test_pom_names_the_artifact_and_the_library_version(self):
        root = ET.parse(POM).getroot()
        self.assertEqual(root.tag, "{%s}project" % NS["m"])
        got = {k: root.findtext("m:" + k, namespaces=NS) for k in
               ("modelVersion", "groupId", "artifactId", "version",
                "packaging")}
        self.assertEqual(got, {"modelVersion": "4.0.0",
                               "groupId": "org.libpoints",
                               "artifactId": "libpoints",
                               "version": VERSION, "packaging": "jar"})
        self.assertIsNone(root.find("m:dependencies", NS))

    def test_a_program_runs_with_only_the_jar(self):
        work = os.path.join(self.dir, "app")
        tmp = os.path.join(self.dir, "tmp")
        os.mkdir(work)
        os.mkdir(tmp)
        shutil.copy(JAR, work)
        src = os.path.join(work, "JarOnly.java")
        with open(src, "w") as f:
            f.write(PROGRAM)
        # The source launcher: the class path is the jar and nothing else,
        # and nothing but the jar and the program is in the directory.
        out = run(self, [JAVA, "-Djava.io.tmpdir=" + tmp, "-cp",
                         "libpoints.jar", "JarOnly.java"], work)
        self.assertEqual(out.splitlines(), ["available 75",
                                            "libpoints " + VERSION])
        self.assertEqual(sorted(os.listdir(work)),
                         ["JarOnly.java", "jar.db", "libpoints.jar"])
        # The library was written to java.io.tmpdir, and removed there.
        self.assertEqual(os.listdir(tmp), [])

    def test_an_unwritable_tmpdir_is_a_clear_error(self):
        work = os.path.join(self.dir, "app")
        os.mkdir(work)
        shutil.copy(JAR, work)
        with open(os.path.join(work, "JarOnly.java"), "w") as f:
            f.write(PROGRAM)
        p = subprocess.run([JAVA, "-Djava.io.tmpdir=" + os.path.join(
            self.dir, "missing"), "-cp", "libpoints.jar", "JarOnly.java"],
            cwd=work, env=clean_env(), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, universal_newlines=True, timeout=300)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("UnsatisfiedLinkError: libpoints: cannot write "
                      "/org/libpoints/native/", p.stdout)
        self.assertIn(os.path.join(self.dir, "missing"), p.stdout)

    def maven(self):
        """mvn, with the install plugin in Debian's repository, or skip
        (fail under MAVEN_REQUIRED=1) saying what is missing."""
        mvn = shutil.which("mvn")
        plugin = os.path.join(MAVEN_REPO, "org/apache/maven/plugins/"
                              "maven-install-plugin")
        why = None
        if mvn is None:
            why = "no mvn (Debian: maven)"
        elif not os.path.isdir(plugin):
            why = "no %s (Debian: libmaven-install-plugin-java)" % plugin
        if why:
            if MAVEN_REQUIRED:
                self.fail(why)
            self.skipTest(why)
        return mvn

    def test_maven_installs_it_into_a_local_repository_offline(self):
        mvn = self.maven()
        settings = os.path.join(self.dir, "settings.xml")
        with open(settings, "w") as f:
            f.write(SETTINGS)
        repo = os.path.join(self.dir, "repo")
        # -o: no network; file: repositories (Debian's) are still read.
        run(self, [mvn, "-B", "-o", "-Daether.offline.protocols=file",
                   "-s", settings, "-Dmaven.repo.local=" + repo,
                   "install:install-file", "-Dfile=" + JAR,
                   "-DpomFile=" + POM], self.dir)
        there = os.path.join(repo, "org", "libpoints", "libpoints", VERSION)
        with open(os.path.join(there, "libpoints-%s.jar" % VERSION),
                  "rb") as f, open(JAR, "rb") as g:
            self.assertEqual(f.read(), g.read())
        with open(os.path.join(there, "libpoints-%s.pom" % VERSION),
                  "rb") as f, open(POM, "rb") as g:
            self.assertEqual(f.read(), g.read())


if __name__ == "__main__":
    unittest.main()
