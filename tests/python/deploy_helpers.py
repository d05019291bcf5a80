"""Shared by the deployment tests (deploy_*.py, run by make check-deploy):
the tree's paths and a clean environment for programs run as a user
would run them."""

import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
PY_DIR = os.path.join(ROOT, "bindings", "python")
PY_PKG = os.path.join(PY_DIR, "points")
JAVA_OUT = os.path.join(ROOT, "build", "java")
JAR = os.path.join(JAVA_OUT, "libpoints.jar")
JNI = os.path.join(JAVA_OUT, "libpoints_jni.so")
JAVAC = os.environ.get("JAVAC", "javac")
JAVA = os.environ.get("JAVA", "java")


def clean_env(**extra):
    """The environment less whatever could lead a program to libpoints or
    to the tree's packages: a fresh shell's, plus extra."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_LIBRARY_PATH", "LD_PRELOAD", "PYTHONPATH",
                        "CLASSPATH", "JAVA_TOOL_OPTIONS")}
    env.update(extra)
    return env


def run(test, argv, cwd, env=None, timeout=300):
    """Run argv in cwd; fail test with its output unless it exits 0.
    Returns its standard output."""
    p = subprocess.run(argv, cwd=cwd, env=env or clean_env(),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout, universal_newlines=True)
    test.assertEqual(p.returncode, 0, "%s exited %d:\n%s"
                     % (" ".join(argv), p.returncode, p.stdout))
    return p.stdout


def needed(path):
    """The shared libraries path names (DT_NEEDED), as readelf lists them."""
    out = subprocess.run(["readelf", "-d", path], stdout=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout
    return [line.split("[", 1)[1].split("]", 1)[0]
            for line in out.splitlines() if "(NEEDED)" in line]


def ldd(path, env=None):
    return subprocess.run(["ldd", path], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, env=env or clean_env(),
                          universal_newlines=True).stdout
