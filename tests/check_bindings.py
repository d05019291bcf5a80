#!/usr/bin/env python3
"""Fail when a public C function is missing from a binding.

For each function declared POINTS_EXTERN in a header under include/
(points.h, the per-module headers in include/points/, the backend
interface in include/points/sys/), and each language asked for:
  1. the SWIG-generated module wraps it (Python: an attribute of
     points.capi; Java: a native method of the generated JNI class), and
  2. the idiomatic layer reaches it: its name appears in the layer's
     sources or in that language's section of bindings/points.i (where
     typemaps call points_free and points_posting_init).
Only EXEMPT functions may be missing from step 2, each with its reason.

    python3 tests/check_bindings.py python|java [--header FILE ...]
"""

import argparse
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADERS = sorted(os.path.relpath(p, ROOT) for p in glob.glob(
    os.path.join(ROOT, "include/**/*.h"), recursive=True))
EXEMPT = {
    "points_set_allocator": "a process-wide C allocator hook: neither "
    "Python nor a JVM can supply C function pointers",
}
DECL = re.compile(r"POINTS_EXTERN\s[^;(]*?\b(points_\w+)\s*\(", re.S)


def declared(headers):
    names = []
    for h in headers:
        with open(h, encoding="utf-8") as f:
            names += DECL.findall(f.read())
    return sorted(set(names))


def read(paths):
    text = ""
    for p in paths:
        with open(p, encoding="utf-8") as f:
            text += f.read() + "\n"
    return text


def interface_section(lang):
    """The common part of points.i plus the language's own section."""
    text = read([os.path.join(ROOT, "bindings/points.i")])
    own = {"python": "SWIGPYTHON", "java": "SWIGJAVA"}[lang]
    out, skipping = [], None
    for line in text.splitlines():
        m = re.match(r"#if defined\((SWIG\w+)\)", line)
        if m:
            skipping = m.group(1) != own
            continue
        if skipping is not None and line.startswith("#endif"):
            skipping = None
            continue
        if not skipping:
            out.append(line)
    return "\n".join(out)


def python_surface():
    sys.path.insert(0, os.path.join(ROOT, "bindings/python"))
    from points import capi
    generated = {n for n in dir(capi) if n.startswith("points_")}
    layer = glob.glob(os.path.join(ROOT, "bindings/python/points/*.py"))
    layer = [p for p in layer if os.path.basename(p) != "capi.py"]
    return generated, read(layer)


def java_surface():
    gen = glob.glob(os.path.join(ROOT, "build/java/gen/**/*JNI.java"),
                    recursive=True)
    if not gen:
        sys.exit("check_bindings: no generated JNI class under build/java/gen;"
                 " run make java first")
    generated = set(re.findall(r"\bnative\b[^;(]*\b(points_\w+)\s*\(",
                               read(gen)))
    layer = glob.glob(os.path.join(ROOT, "bindings/java/src/**/*.java"),
                      recursive=True)
    return generated, read(layer)


def check(lang, names):
    generated, layer = python_surface() if lang == "python" else \
        java_surface()
    reached = layer + "\n" + interface_section(lang)
    missing = []
    for n in names:
        if n not in generated:
            missing.append("%s: not wrapped by SWIG" % n)
        elif n not in EXEMPT and not re.search(r"\b%s\b" % n, reached):
            missing.append("%s: not reached by the %s layer" % (n, lang))
    return missing


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lang", nargs="+", choices=["python", "java"])
    ap.add_argument("--header", action="append", default=[],
                    help="an extra header to check (for testing the check)")
    args = ap.parse_args()
    names = declared([os.path.join(ROOT, h) for h in HEADERS] + args.header)
    failed = False
    for lang in args.lang:
        missing = check(lang, names)
        for m in missing:
            print("check_bindings: %s" % m, file=sys.stderr)
        failed |= bool(missing)
        print("check_bindings: %s: %d of %d public functions reached%s" % (
            lang, len(names) - len(missing), len(names),
            "" if not EXEMPT else " (%d exempt: %s)" % (
                len(EXEMPT), ", ".join(sorted(EXEMPT)))))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
