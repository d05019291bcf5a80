"""Read bindings/records.def, the table of result records, in Python.

The C side expands the table with the preprocessor; the Java generator
(bindings/java/gen_records.py) and the bindings check
(tests/check_bindings.py) read it here.  The file holds only the four
macro calls, comments and #undef lines; anything else is an error, so
the table cannot say more to C than it says to these readers.
"""

import os
import re
from collections import namedtuple

DEFAULT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "records.def")

KINDS = ("I64", "INT", "UINT", "STR")
# The JNI type each kind crosses as: what the from-C constructor takes.
JNI_TYPE = {"I64": "long", "INT": "int", "UINT": "int", "STR": "byte[]"}
JNI_DESCRIPTOR = {"long": "J", "int": "I", "byte[]": "[B"}
# Java component types a kind may become; any other capitalized name is an
# enum with a static of(int), allowed for INT.
JAVA_TYPES = {"I64": {"long"}, "INT": {"int", "boolean"}, "UINT": {"int"},
              "STR": {"String"}}

Record = namedtuple("Record", "ctype py_class java_class fields java_codes")
Field = namedtuple("Field", "member kind py_name java_name java_type doc")
JavaCode = namedtuple("JavaCode", "member java_name doc")

_ARITY = {"POINTS_BIND_RECORD": 3, "POINTS_BIND_FIELD": 7,
          "POINTS_BIND_JAVA_CODE": 4, "POINTS_BIND_END": 1}
_CALL = re.compile(r"\b(POINTS_BIND_\w+)\s*\(")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_IDENT = re.compile(r"[A-Za-z_]\w*$")


class TableError(Exception):
    pass


def _strip_comments(text):
    # Keep the newlines so that line numbers stay right.
    def blank(m):
        return re.sub(r"[^\n]", " ", m.group(0))
    return re.sub(r"/\*.*?\*/|//[^\n]*", blank, text, flags=re.S)


def _split_args(text, start, where):
    """The arguments of a call whose '(' is at text[start - 1]; returns
    (args, index after ')')."""
    args, cur, depth, i = [], "", 0, start
    while i < len(text):
        c = text[i]
        if c == '"':
            m = _STRING.match(text, i)
            if not m:
                raise TableError("%s: unterminated string" % where)
            cur += m.group(0)
            i = m.end()
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                args.append(cur.strip())
                return args, i + 1
            depth -= 1
        elif c == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
            i += 1
            continue
        cur += c
        i += 1
    raise TableError("%s: unterminated call" % where)


def _string(arg, where):
    """A C string literal, or adjacent ones, as text."""
    parts, pos = [], 0
    for m in _STRING.finditer(arg):
        if arg[pos:m.start()].strip():
            break
        parts.append(m.group(1))
        pos = m.end()
    if not parts or arg[pos:].strip():
        raise TableError("%s: %r is not a string literal" % (where, arg))
    # Only \" and \\ are used in the table: the docs are plain text.
    return "".join(re.sub(r"\\(.)", r"\1", p) for p in parts)


def _ident(arg, where):
    if not _IDENT.match(arg):
        raise TableError("%s: %r is not a name" % (where, arg))
    return arg


def parse(path=DEFAULT):
    """The records of the table at path, in order."""
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    text = _strip_comments(raw)
    records, cur, pos = [], None, 0
    for m in _CALL.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        where = "%s:%d" % (os.path.basename(path), line)
        between = text[pos:m.start()]
        for l in between.splitlines():
            if l.strip() and not re.match(r"\s*#undef\s+POINTS_BIND_\w+\s*$",
                                          l):
                raise TableError("%s: unexpected %r" % (where, l.strip()))
        name = m.group(1)
        if name not in _ARITY:
            raise TableError("%s: unknown macro %s" % (where, name))
        args, pos = _split_args(text, m.end(), where)
        if len(args) != _ARITY[name]:
            raise TableError("%s: %s takes %d arguments, not %d" % (
                where, name, _ARITY[name], len(args)))
        if name == "POINTS_BIND_RECORD":
            if cur is not None:
                raise TableError("%s: %s before POINTS_BIND_END(%s)" % (
                    where, name, cur.ctype))
            cur = Record(*[_ident(a, where) for a in args], [], [])
            continue
        if cur is None or _ident(args[0], where) != cur.ctype:
            raise TableError("%s: %s(%s) outside its record" % (
                where, name, args[0]))
        if name == "POINTS_BIND_END":
            if not cur.fields:
                raise TableError("%s: %s has no fields" % (where, cur.ctype))
            records.append(cur)
            cur = None
        elif name == "POINTS_BIND_FIELD":
            member, kind, py, java, jtype = [_ident(a, where)
                                             for a in args[1:6]]
            if kind not in KINDS:
                raise TableError("%s: %s.%s: kind %s is none of %s" % (
                    where, cur.ctype, member, kind, ", ".join(KINDS)))
            if jtype not in JAVA_TYPES[kind] and not (
                    kind == "INT" and jtype[0].isupper() and
                    jtype != "String"):
                raise TableError("%s: %s.%s: a field of kind %s cannot be "
                                 "a Java %s" % (
                    where, cur.ctype, member, kind, jtype))
            cur.fields.append(Field(member, kind, py, java, jtype,
                                    _string(args[6], where)))
        else:
            member, java = [_ident(a, where) for a in args[1:3]]
            if member not in [f.member for f in cur.fields]:
                raise TableError("%s: %s.%s: POINTS_BIND_JAVA_CODE before "
                                 "its field" % (where, cur.ctype, member))
            cur.java_codes.append(JavaCode(member, java,
                                           _string(args[3], where)))
    tail = text[pos:]
    for l in tail.splitlines():
        if l.strip() and not re.match(r"\s*#undef\s+POINTS_BIND_\w+\s*$", l):
            raise TableError("%s: unexpected %r after the last record" % (
                os.path.basename(path), l.strip()))
    if cur is not None:
        raise TableError("%s: %s has no POINTS_BIND_END" % (
            os.path.basename(path), cur.ctype))
    return records


def java_components(rec):
    """The Java record's components in order: (name, type, doc, member,
    how), how being "value" (the member converted to the type) or "code"
    (the member's number, after the member's own component)."""
    out = []
    for f in rec.fields:
        out.append((f.java_name, f.java_type, f.doc, f.member, "value"))
        for c in rec.java_codes:
            if c.member == f.member:
                out.append((c.java_name, "int", c.doc, f.member, "code"))
    return out


def jni_signature(rec):
    """The JNI descriptor of the from-C constructor."""
    return "(%s)V" % "".join(JNI_DESCRIPTOR[JNI_TYPE[f.kind]]
                             for f in rec.fields)
