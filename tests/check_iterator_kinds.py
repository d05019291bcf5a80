#!/usr/bin/env python3
"""check_iterator_kinds.py - tests/iterator_kinds.c covers every kind.

The public headers declare the iterator kinds (a `typedef struct
points_X_iterator points_X_iterator;` each) and the functions that make,
step and free them (POINTS_EXTERN, a parameter of such a type).  Each of
those functions must be called in iterator_kinds.c's CASE 0 (used as it
should be) and be the one such call of a misuse case (`#elif CASE == n`)
of its own; the cases run 1..NCASES.  `make check-iterator-types` then
compiles every case.  Prints what is missing and exits 1; 0 when all is
covered.
Usage: check_iterator_kinds.py KINDS_C HEADER...
"""
import re
import sys

TYPEDEF = re.compile(r"typedef\s+struct\s+(points_\w+_iterator)\s+\1\s*;")
DECL = re.compile(r"POINTS_EXTERN\s[^;{]*?\b(points_\w+)\s*\(([^;{]*?)\)\s*;")
CASE = re.compile(r"^#\s*(?:el)?if\s+CASE\s*==\s*(\d+)\s*$", re.M)
NCASES = re.compile(r"^#define NCASES (\d+)$", re.M)


def iterator_functions(headers):
    """{function: iterator type} for every public function taking one."""
    kinds, decls = set(), []
    for text in headers:
        kinds.update(TYPEDEF.findall(text))
        decls += DECL.findall(text)
    funcs = {}
    for name, params in decls:
        for kind in kinds:
            if re.search(r"\b%s\b" % kind, params):
                funcs[name] = kind
    missing = kinds - set(funcs.values())
    return funcs, missing


def check(kinds_c, headers):
    errors = []
    funcs, lone = iterator_functions(headers)
    for kind in sorted(lone):
        errors.append("%s: no public function takes it" % kind)
    if not funcs:
        return errors + ["no iterator kinds found in the headers"]
    called = re.compile(r"\b(%s)\s*\(" % "|".join(sorted(funcs)))
    # the text of each case, up to the next #elif or the #endif
    cuts = list(CASE.finditer(kinds_c))
    cases = {}
    for i, m in enumerate(cuts):
        end = cuts[i + 1].start() if i + 1 < len(cuts) else \
            kinds_c.find("#endif", m.end())
        cases[int(m.group(1))] = set(called.findall(kinds_c[m.end():end]))
    n = NCASES.search(kinds_c)
    n = int(n.group(1)) if n else -1
    if sorted(cases) != list(range(n + 1)):
        errors.append("iterator_kinds.c: the cases are not 0..NCASES (%d)" %
                      n)
    misused = set()
    for c, calls in sorted(cases.items()):
        if c == 0:
            continue
        if len(calls) != 1:
            errors.append("iterator_kinds.c: case %d calls %d iterator "
                          "functions, not one" % (c, len(calls)))
        misused |= calls
    for f in sorted(funcs):
        if f not in cases.get(0, ()):
            errors.append("iterator_kinds.c: %s (%s) is not called in "
                          "case 0" % (f, funcs[f]))
        if f not in misused:
            errors.append("iterator_kinds.c: %s (%s) has no misuse case" %
                          (f, funcs[f]))
    return errors


def self_test():
    """A kind the file leaves out, or half covers, is found."""
    hdr = ("typedef struct points_a_iterator points_a_iterator;\n"
           "POINTS_EXTERN int points_a_next(points_a_iterator *it,\n"
           "    int *out);\n"
           "typedef struct points_b_iterator\n    points_b_iterator;\n"
           "POINTS_EXTERN int points_b_next(points_b_iterator *it);\n")
    good = ("#define NCASES 2\n#if CASE == 0\npoints_a_next(a, &x);\n"
            "points_b_next(b);\n#elif CASE == 1\npoints_a_next(b, &x);\n"
            "#elif CASE == 2\npoints_b_next(a);\n#endif\n")
    assert check(good, [hdr]) == [], check(good, [hdr])
    half = good.replace("points_b_next(a);", "x = 1;")
    errs = check(half, [hdr])
    assert any("points_b_next" in e and "misuse" in e for e in errs), errs
    assert any("case 2 calls 0" in e for e in errs), errs
    none = good.replace("points_b_next(b);\n", "")
    errs = check(none, [hdr])
    assert errs == ["iterator_kinds.c: points_b_next (points_b_iterator) "
                    "is not called in case 0"], errs


def main():
    self_test()
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[-1])
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        kinds_c = f.read()
    headers = []
    for h in sys.argv[2:]:
        with open(h, encoding="utf-8") as f:
            headers.append(f.read())
    errors = check(kinds_c, headers)
    for e in errors:
        print(e)
    if errors:
        return 1
    print("check_iterator_kinds: %d functions of %d iterator kinds, each "
          "used and misused" % (len(iterator_functions(headers)[0]),
                                len(set(iterator_functions(headers)[0]
                                        .values()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
