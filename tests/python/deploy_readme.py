"""Every C, Python and Java snippet of README.md (and of
bindings/java/README.md) runs as written, in a fresh directory, so the
READMEs stay true.

A C or Java snippet that is a list of statements is put in a main()
(its #include or import lines first); one that has its own main is
compiled as it is.  "<!-- not run -->" on the line before a fence
leaves out a block that is not a program (a declaration, an excerpt).
make check-deploy runs this after building the library and both
bindings."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from deploy_helpers import JAR, JAVA, JAVAC, PY_DIR, ROOT, clean_env, run

README = os.path.join(ROOT, "README.md")
READMES = (README, os.path.join(ROOT, "bindings", "java", "README.md"))
FENCE = re.compile(r"^(?:<!-- (?P<note>[^>]*) -->\n)?```(?P<lang>\w+)\n"
                   r"(?P<body>.*?)^```\n", re.M | re.S)


def snippets(lang, readmes=READMES):
    """("file:line", body) of each ```lang block of the READMEs."""
    for path in readmes:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for m in FENCE.finditer(text):
            if m.group("lang") == lang and m.group("note") != "not run":
                yield ("%s:%d" % (os.path.relpath(path, ROOT),
                                  text.count("\n", 0, m.start("body")) + 1),
                       m.group("body"))


def pkg_libs():
    out = subprocess.run(["pkg-config", "--libs", "sqlite3", "uuid",
                          "libsodium"], stdout=subprocess.PIPE,
                         universal_newlines=True)
    return out.stdout.split() if out.returncode == 0 else \
        ["-lsqlite3", "-luuid", "-lsodium"]


def c_program(body):
    if re.search(r"\bmain\(", body):
        return body
    head = [l for l in body.splitlines() if l.startswith("#include")]
    rest = [l for l in body.splitlines() if not l.startswith("#include")]
    return ("#include <stdio.h>\n%s\n\nint\nmain(void)\n{\n%s\n"
            "    return 0;\n}\n" % ("\n".join(head), "\n".join(rest)))


def java_program(body):
    if re.search(r"\bclass\s+\w+", body):
        return body
    head = [l for l in body.splitlines() if l.startswith("import ")]
    rest = [l for l in body.splitlines() if not l.startswith("import ")]
    return ("%s\n\npublic class Snippet {\n    public static void "
            "main(String[] args) throws Exception {\n%s\n    }\n}\n"
            % ("\n".join(head), "\n".join(rest)))


class ReadmeSnippets(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="points-readme-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def fresh(self, where):
        d = os.path.join(self.dir, re.sub(r"[^\w]", "_", where))
        os.mkdir(d)
        return d

    def test_there_are_snippets_in_each_language(self):
        for lang in ("c", "python", "java"):
            self.assertTrue(list(snippets(lang, [README])), lang)

    def test_c_snippets_compile_and_run(self):
        for where, body in snippets("c"):
            with self.subTest(snippet=where):
                d = self.fresh(where)
                with open(os.path.join(d, "app.c"), "w") as f:
                    f.write(c_program(body))
                run(self, ["cc", "-std=c99", "-Wall", "-I" + os.path.join(
                    ROOT, "include"), "app.c", "-o", "app",
                    "-L" + os.path.join(ROOT, "lib"), "-lpoints",
                    "-Wl,-rpath," + os.path.join(ROOT, "lib")] + pkg_libs(),
                    d)
                run(self, ["./app"], d)

    def test_python_snippets_run(self):
        for where, body in snippets("python"):
            with self.subTest(snippet=where):
                d = self.fresh(where)
                with open(os.path.join(d, "snippet.py"), "w") as f:
                    f.write(body)
                run(self, ["python3", "snippet.py"], d,
                    clean_env(PYTHONPATH=PY_DIR,
                              PYTHONDONTWRITEBYTECODE="1"))

    def test_java_snippets_run(self):
        for where, body in snippets("java"):
            with self.subTest(snippet=where):
                d = self.fresh(where)
                program = java_program(body)
                name = re.search(r"public\s+class\s+(\w+)", program).group(1)
                with open(os.path.join(d, name + ".java"), "w") as f:
                    f.write(program)
                run(self, [JAVAC, "-cp", JAR, "-d", ".", name + ".java"], d)
                run(self, [JAVA, "-cp", JAR + ":.", name], d)


if __name__ == "__main__":
    unittest.main()
