#!/usr/bin/env python3
"""Fail when a public C function or a field of a result record is missing
from a binding.

Functions: for each function declared POINTS_EXTERN in a header under
include/ (points.h, the per-module headers in include/points/, the backend
interface in include/points/sys/), and each language asked for:
  1. the SWIG-generated module wraps it (Python: an attribute of
     points.capi; Java: a native method of the generated JNI class), and
  2. the idiomatic layer reaches it: its name appears in the layer's
     sources or in the language's interface (bindings/points.i and
     bindings/python/points_python.i or bindings/java/points_java.i, where
     typemaps call points_free and points_posting_init).
Only EXEMPT functions may be missing from step 2, each with its reason.

Fields: a result record is a struct defined in those headers that a
public function fills through its "out" parameter.
  3. Every result record is in the table bindings/records.def, with every
     member of its struct, in the struct's order, each with its C type's
     kind; the table names no member the struct lacks.
  4. Python: the built module carries the same table (not a stale one),
     and each record's class in the points package has the table's
     fields in order (a named tuple's _fields, or Hold's slots).
  5. Java: each record class in build/java/libpoints.jar (read with
     javap) has the table's components, with their types, in order, and
     the from-C constructor whose signature JNI looks up.

    python3 tests/check_bindings.py python|java [--header FILE ...]
        [--records FILE]

--header adds a header (a struct it defines replaces one of the same
name) and --records reads another table: both are for testing the check.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bindings"))
import recordtable  # noqa: E402

# points/pg.h declares libpoints_pg's one call, which the bindings'
# module does not link: they reach it through a postgresql:// URI
# (Store.open, Ledger.open), which loads that library.
OTHER_LIBRARY = {"include/points/pg.h"}
HEADERS = sorted(p for p in (os.path.relpath(p, ROOT) for p in glob.glob(
    os.path.join(ROOT, "include/**/*.h"), recursive=True))
    if p not in OTHER_LIBRARY)
INTERFACES = {"python": "bindings/python/points_python.i",
              "java": "bindings/java/points_java.i"}
JAR = os.path.join(ROOT, "build/java/libpoints.jar")
EXEMPT = {
    "points_set_allocator": "a process-wide C allocator hook: neither "
    "Python nor a JVM can supply C function pointers",
}
DECL = re.compile(r"POINTS_EXTERN\s[^;(]*?\b(points_\w+)\s*\(", re.S)
PROTO = re.compile(r"POINTS_EXTERN\s[^;]*?;", re.S)
# A struct the caller passes for the library to fill: "points_x *out".
OUT_RECORD = re.compile(r"(?<!const )\b(points_\w+)\s*\*\s*out\b")
STRUCT = re.compile(r"typedef\s+struct\s+(\w+)\s*\{(.*?)\}\s*(\w+)\s*;",
                    re.S)


def read(paths):
    text = ""
    for p in paths:
        with open(p, encoding="utf-8") as f:
            text += f.read() + "\n"
    return text


def strip_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", " ", text, flags=re.S)


# ---- Functions ----

def declared(headers):
    names = []
    for h in headers:
        with open(h, encoding="utf-8") as f:
            names += DECL.findall(f.read())
    return sorted(set(names))


def python_surface():
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
    layer += glob.glob(os.path.join(ROOT, "bindings/java/records/*.java.in"))
    return generated, read(layer)


def check_functions(lang, names):
    generated, layer = python_surface() if lang == "python" else \
        java_surface()
    reached = layer + "\n" + read([os.path.join(ROOT, "bindings/points.i"),
                                   os.path.join(ROOT, INTERFACES[lang])])
    missing = []
    for n in names:
        if n not in generated:
            missing.append("%s: not wrapped by SWIG" % n)
        elif n not in EXEMPT and not re.search(r"\b%s\b" % n, reached):
            missing.append("%s: not reached by the %s layer" % (n, lang))
    return missing


# ---- Fields ----

def c_kind(decl):
    """(member, kind) of a member declaration; kind None when the table
    has no kind for its type."""
    decl = " ".join(decl.split())
    m = re.match(r"(.*?)\b(\w+)\s*\[[^\]]*\]$", decl)
    if m:
        return m.group(2), "STR" if m.group(1).strip() == "char" else None
    m = re.match(r"(.*?)\b(\w+)$", decl)
    if not m:
        return decl, None
    ctype = " ".join(m.group(1).split())
    return m.group(2), {"int64_t": "I64", "int": "INT", "unsigned": "UINT",
                        "unsigned int": "UINT"}.get(ctype)


def structs(headers):
    """{struct: [(member, kind), ...]} of the structs the headers define
    (a later header's definition replaces an earlier one's), and the
    names of those that a public function fills through out."""
    defs, filled = {}, set()
    for h in headers:
        with open(h, encoding="utf-8") as f:
            text = strip_comments(f.read())
        for m in STRUCT.finditer(text):
            members = []
            for decl in m.group(2).split(";"):
                if not decl.strip():
                    continue
                if "(" in decl:  # a function pointer: never in a record
                    members.append((decl.strip(), None))
                    continue
                # "int64_t a, b": the type is the first declarator's.
                first, *rest = [d.strip() for d in decl.split(",")]
                members.append(c_kind(first))
                base = first.rsplit(None, 1)[0]
                members += [c_kind(base + " " + d) for d in rest]
            defs[m.group(3)] = members
        for proto in PROTO.findall(text):
            filled.update(OUT_RECORD.findall(proto))
    return defs, filled & set(defs)


def check_table(records, defs, filled, table_name):
    missing = []
    by_ctype = {r.ctype: r for r in records}
    for name in sorted(filled - set(by_ctype)):
        missing.append("%s: a result record not in %s" % (name, table_name))
    for rec in records:
        if rec.ctype not in defs:
            missing.append("%s: in %s but no struct in include/points/" % (
                rec.ctype, table_name))
            continue
        c_members = defs[rec.ctype]
        listed = [f.member for f in rec.fields]
        for member, kind in c_members:
            if member not in listed:
                missing.append("%s.%s: not in %s" % (rec.ctype, member,
                                                     table_name))
        kinds = dict(c_members)
        for f in rec.fields:
            if f.member not in kinds:
                missing.append("%s.%s: in %s but not a member of the "
                               "struct" % (rec.ctype, f.member, table_name))
            elif kinds[f.member] != f.kind:
                missing.append("%s.%s: %s says %s, the header %s" % (
                    rec.ctype, f.member, table_name, f.kind,
                    kinds[f.member] or "a type the table cannot hold"))
        order = [m for m, _k in c_members if m in listed]
        if order != [m for m in listed if m in kinds]:
            missing.append("%s: %s lists its members in another order "
                           "than the struct (%s)" % (
                               rec.ctype, table_name, ", ".join(order)))
    return missing


def compare(rec, lang, cls, have, want, table_name):
    """Messages for the names in want (table order) that have lacks,
    has extra, or holds in another order."""
    out = []
    for name, member in want:
        if name not in have:
            out.append("%s.%s: not in the %s record %s (no %s)" % (
                rec.ctype, member, lang, cls, name))
    names = [n for n, _m in want]
    for name in have:
        if name not in names:
            out.append("%s: the %s record %s has %s, which %s does not "
                       "list" % (rec.ctype, lang, cls, name, table_name))
    if not out and list(have) != names:
        out.append("%s: the %s record %s has its fields in another order "
                   "(%s)" % (rec.ctype, lang, cls, ", ".join(have)))
    return out


def check_python_records(records, table_name):
    import points
    from points import _capi
    out = []
    built = {c: (cls, [m for m, _n, _d in fields])
             for c, cls, fields in _capi.points_py_records()}
    for rec in records:
        want = [(f.py_name, f.member) for f in rec.fields]
        if rec.ctype not in built:
            out.append("%s: not in the built Python module's table (make "
                       "python)" % rec.ctype)
        elif built[rec.ctype] != (rec.py_class,
                                  [f.member for f in rec.fields]):
            out.append("%s: the built Python module's table differs from "
                       "%s: %s %s (make python)" % (
                           rec.ctype, table_name, built[rec.ctype][0],
                           ", ".join(built[rec.ctype][1])))
        cls = getattr(points, rec.py_class, None)
        if cls is None:
            out.append("%s: no Python class points.%s" % (rec.ctype,
                                                          rec.py_class))
            continue
        if hasattr(cls, "_fields"):
            have = list(cls._fields)
        else:
            have = [s for s in getattr(cls, "__slots__", ())
                    if not s.startswith("_")]
        out += compare(rec, "Python", "points." + rec.py_class, have, want,
                       table_name)
    return out


def javap(classes):
    tool = shutil.which("javap")
    javac = shutil.which(os.environ.get("JAVAC", "javac"))
    if javac:
        beside = os.path.join(os.path.dirname(os.path.realpath(javac)),
                              "javap")
        tool = beside if os.path.exists(beside) else tool
    if tool is None:
        sys.exit("check_bindings: no javap (a JDK) to read the Java records")
    if not os.path.exists(JAR):
        sys.exit("check_bindings: no %s; run make java first" % JAR)
    r = subprocess.run([tool, "-v", "-p", "-cp", JAR] + classes,
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("check_bindings: javap failed: %s" % r.stderr.strip())
    return r.stdout


def java_classes(text):
    """{class: (components [(type, name)], constructor descriptors)} from
    javap -v -p output."""
    out = {}
    for block in re.split(r"(?m)^Classfile ", text)[1:]:
        m = re.search(r"(?m)^(?:public )?(?:final )?(?:class|record) "
                      r"org\.libpoints\.(\w+)", block)
        if not m:
            continue
        name = m.group(1)
        comps = []
        rec = re.search(r"(?ms)^Record:\n(.*?)(?=^\S)", block)
        if rec:
            comps = re.findall(r"(?m)^  (\S+) (\w+);$", rec.group(1))
        ctors = re.findall(
            r"(?m)^  (?:(?:public|protected|private) )?org\.libpoints\.%s"
            r"\([^)]*\);\n    descriptor: (\S+)" % name, block)
        out[name] = (comps, ctors)
    return out


def java_type(jtype):
    if jtype in ("long", "int", "boolean"):
        return jtype
    if jtype == "String":
        return "java.lang.String"
    return "org.libpoints." + jtype


def check_java_records(records, table_name):
    out = []
    found = java_classes(javap(["org.libpoints." + r.java_class
                                for r in records]))
    for rec in records:
        cls = "org.libpoints." + rec.java_class
        if rec.java_class not in found:
            out.append("%s: no Java record %s in %s" % (
                rec.ctype, cls, os.path.relpath(JAR, ROOT)))
            continue
        comps, ctors = found[rec.java_class]
        want = [(c[0], c[3]) for c in recordtable.java_components(rec)]
        have = [n for _t, n in comps]
        msgs = compare(rec, "Java", cls, have, want, table_name)
        if not msgs:
            types = dict((n, t) for t, n in comps)
            for name, jtype, _d, _m, _h in recordtable.java_components(rec):
                if types[name] != java_type(jtype):
                    msgs.append("%s: %s.%s is a %s, %s says %s" % (
                        rec.ctype, cls, name, types[name], table_name,
                        jtype))
        sig = recordtable.jni_signature(rec)
        if sig not in ctors:
            msgs.append("%s: %s has no constructor %s for JNI (the table's "
                        "fields in order)" % (rec.ctype, cls, sig))
        out += msgs
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lang", nargs="+", choices=["python", "java"])
    ap.add_argument("--header", action="append", default=[],
                    help="an extra header to check (for testing the check)")
    ap.add_argument("--records", default=recordtable.DEFAULT,
                    help="another table of records (for testing the check)")
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(ROOT, "bindings/python"))
    headers = [os.path.join(ROOT, h) for h in HEADERS] + args.header
    names = declared(headers)
    table_name = os.path.relpath(os.path.abspath(args.records), ROOT)
    if table_name.startswith(".."):
        table_name = args.records
    try:
        records = recordtable.parse(args.records)
    except recordtable.TableError as e:
        print("check_bindings: %s" % e, file=sys.stderr)
        return 1
    defs, filled = structs(headers)
    nfields = sum(len(r.fields) for r in records)
    failed = False
    problems = check_table(records, defs, filled, table_name)
    for m in problems:
        print("check_bindings: %s" % m, file=sys.stderr)
    failed |= bool(problems)
    print("check_bindings: %s: %d records, %d fields%s" % (
        table_name, len(records), nfields,
        "" if not problems else ", %d problem%s" % (
            len(problems), "" if len(problems) == 1 else "s")))
    for lang in args.lang:
        missing = check_functions(lang, names)
        fields = check_python_records(records, table_name) \
            if lang == "python" else check_java_records(records, table_name)
        for m in missing + fields:
            print("check_bindings: %s" % m, file=sys.stderr)
        failed |= bool(missing) or bool(fields)
        print("check_bindings: %s: %d of %d public functions reached%s" % (
            lang, len(names) - len(missing), len(names),
            "" if not EXEMPT else " (%d exempt: %s)" % (
                len(EXEMPT), ", ".join(sorted(EXEMPT)))))
        print("check_bindings: %s: %d records, %d fields%s" % (
            lang, len(records), nfields,
            " match the table" if not fields else
            ": %d problem%s" % (len(fields),
                                "" if len(fields) == 1 else "s")))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
