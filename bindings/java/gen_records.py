#!/usr/bin/env python3
"""Write the Java records of org.libpoints from bindings/records.def.

For each record of the table, bindings/java/records/<Class>.java.in holds
what is written by hand (imports, the class comment, constants, helper
methods) with three markers that this script fills in from the table:

    @@PARAMS@@      a line of the class comment: one @param per component
    @@COMPONENTS@@  inside "record <Class>(...)": the components
    @@FROM_C@@      a line of the body: the constructor JNI calls, taking
                    the C fields in order (long, int, byte[]) and
                    converting them (Utf8.decode, Enum.of(int), != 0)

    gen_records.py [--table records.def] TEMPLATE_DIR OUT_DIR

writes OUT_DIR/<Class>.java for every record, and fails when a template
is missing, a marker is not there exactly once, or a template has no
record in the table.
"""

import argparse
import html
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
import recordtable  # noqa: E402

WIDTH = 100  # the Java sources' line length


class GenError(Exception):
    pass


def convert(kind, jtype, arg):
    if kind == "STR":
        return "Utf8.decode(%s)" % arg
    if jtype == "boolean":
        return "%s != 0" % arg
    if jtype in ("long", "int"):
        return arg
    return "%s.of(%s)" % (jtype, arg)


def wrap(head, items, tail, indent):
    """head + items joined by ", " + tail, wrapped at WIDTH."""
    lines, line = [], head
    for i, item in enumerate(items):
        piece = item + (", " if i < len(items) - 1 else tail)
        if len(line) + len(piece.rstrip()) > WIDTH and line.strip():
            lines.append(line.rstrip())
            line = " " * indent
        line += piece
    lines.append(line.rstrip())
    return "\n".join(lines)


def params(rec, prefix):
    """The @param lines, the docs aligned and wrapped at WIDTH."""
    comps = recordtable.java_components(rec)
    width = max(len(c[0]) for c in comps)
    lines = []
    for name, _t, doc, _m, _h in comps:
        head = "%s@param %s " % (prefix, name.ljust(width))
        line = head
        for word in html.escape(doc, quote=False).split():
            if len(line) + len(word) > WIDTH and line.strip() != \
                    head.strip():
                lines.append(line.rstrip())
                line = prefix + " " * (len(head) - len(prefix))
            line += word + " "
        lines.append(line.rstrip())
    return "\n".join(lines)


def from_c(rec, indent):
    kinds = {f.member: f for f in rec.fields}
    comps = recordtable.java_components(rec)
    ptypes = [recordtable.JNI_TYPE[f.kind] for f in rec.fields]
    if ptypes == [c[1] for c in comps]:
        return (indent + "/* From C: JNI calls the canonical constructor "
                "(records.def). */")
    pad = " " * len(indent)
    head = "%s%s(" % (indent, rec.java_class)
    sig = wrap(head, ["%s %s" % (t, f.java_name)
                      for t, f in zip(ptypes, rec.fields)], ") {",
               len(indent) + 8)
    args = []
    for name, jtype, _doc, member, how in comps:
        f = kinds[member]
        args.append(f.java_name if how == "code" else
                    convert(f.kind, jtype, f.java_name))
    call = wrap(indent + "    this(", args, ");", len(indent) + 12)
    return "\n".join([
        indent + "/* From C (records.def): the struct's fields in order, "
        "as JNI passes them. */",
        sig, call, pad + "}"])


def generate(rec, template, source):
    for marker in ("@@PARAMS@@", "@@COMPONENTS@@", "@@FROM_C@@"):
        n = template.count(marker)
        if n != 1:
            raise GenError("%s: %s appears %d times, not once" % (
                source, marker, n))
    if not re.search(r"\brecord\s+%s\s*\(@@COMPONENTS@@\)" %
                     re.escape(rec.java_class), template):
        raise GenError("%s: no \"record %s(@@COMPONENTS@@)\"" % (
            source, rec.java_class))
    out = re.sub(r"(?m)^([ \t]*\*[ \t]*)@@PARAMS@@[ \t]*$",
                 lambda m: params(rec, m.group(1)), template)
    out = re.sub(r"(?m)^([ \t]*)@@FROM_C@@[ \t]*$",
                 lambda m: from_c(rec, m.group(1)), out)
    m = re.search(r"(?m)^(.*)@@COMPONENTS@@(.*)$", out)
    if "@@PARAMS@@" in out or "@@FROM_C@@" in out or not m:
        raise GenError("%s: @@PARAMS@@ and @@FROM_C@@ must stand on lines "
                       "of their own" % source)
    comps = ["%s %s" % (t, n) for n, t, _d, _m, _h in
             recordtable.java_components(rec)]
    line = wrap(m.group(1), comps, m.group(2), 8)
    out = out[:m.start()] + line + out[m.end():]
    note = ("// Generated from bindings/records.def and %s by\n"
            "// bindings/java/gen_records.py: edit those, not this file.\n"
            % source)
    return note + out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--table", default=recordtable.DEFAULT)
    ap.add_argument("templates")
    ap.add_argument("out")
    args = ap.parse_args()
    try:
        records = recordtable.parse(args.table)
        names = {r.java_class for r in records}
        extra = sorted(f[:-len(".java.in")] for f in os.listdir(args.templates)
                       if f.endswith(".java.in")
                       and f[:-len(".java.in")] not in names)
        if extra:
            raise GenError("%s: templates of no record in %s: %s" % (
                args.templates, os.path.basename(args.table),
                ", ".join(extra)))
        os.makedirs(args.out, exist_ok=True)
        for rec in records:
            path = os.path.join(args.templates, rec.java_class + ".java.in")
            if not os.path.exists(path):
                raise GenError("%s: missing (the hand-written part of %s)"
                               % (path, rec.ctype))
            with open(path, encoding="utf-8") as f:
                text = generate(rec, f.read(),
                                os.path.relpath(path).replace(os.sep, "/"))
            dest = os.path.join(args.out, rec.java_class + ".java")
            with open(dest + ".tmp", "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(dest + ".tmp", dest)
    except (GenError, recordtable.TableError, OSError) as e:
        print("gen_records: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
