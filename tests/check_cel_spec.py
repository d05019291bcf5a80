#!/usr/bin/env python3
"""check_cel_spec.py - the rule language against the cel-spec
conformance tests (issue 18).

Reads the cases pinned in tests/cel_spec_cases.json (from the npm
package @bufbuild/cel-spec; `make update-cel-spec` refreshes them), runs
each expression through build/tests/cel_conform and compares its value
with the expected one.  A case the compiler refuses, or one the export
left out (bindings, other types), is outside the subset.  Prints passed
/ failed / outside counts and every failure; exits 1 on a failure.
Usage: check_cel_spec.py CEL_CONFORM [CASES_JSON] [-v]
"""
import json
import os
import re
import subprocess
import sys


def equal(a, b):
    (ka, va), = a.items()
    (kb, vb), = b.items()
    if ka != kb:
        return False
    if ka == "nullValue":
        return True
    if ka == "int64Value":
        return str(va) == str(vb)
    if ka in ("boolValue", "stringValue"):
        return va == vb
    if ka == "listValue":
        x, y = va.get("values", []), vb.get("values", [])
        return len(x) == len(y) and all(equal(p, q) for p, q in zip(x, y))
    if ka == "mapValue":
        x, y = va.get("entries", []), vb.get("entries", [])
        return len(x) == len(y) and all(
            any(equal(e["key"], f["key"]) and equal(e["value"], f["value"])
                for f in y) for e in x)
    return False


def escape(expr):
    return expr.replace("\\", "\\\\").replace("\n", "\\n")


def main():
    args = [a for a in sys.argv[1:] if a != "-v"]
    binary = args[0]
    path = args[1] if len(args) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "cel_spec_cases.json")
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    cases = spec["cases"]
    data = "".join(escape(c["expr"]) + "\n" for c in cases).encode("utf-8")
    out = subprocess.run([binary], input=data, stdout=subprocess.PIPE,
                         check=True).stdout.decode("utf-8").split("\n")
    passed = failed = 0
    outside = spec["total"] - len(cases)
    reasons = {}
    for c, line in zip(cases, out):
        got = json.loads(line)
        if "compileError" in got:
            outside += 1
            why = re.sub(r"'[^']*'", "'...'",
                         re.sub(r"^col \d+: ", "", got["compileError"]))
            reasons[why] = reasons.get(why, 0) + 1
            continue
        if c.get("error"):
            ok = "evalError" in got
        else:
            ok = "evalError" not in got and equal(got, c["value"])
        if ok:
            passed += 1
            continue
        failed += 1
        print("FAIL %s: %s\n  want %s\n  got  %s" % (
            c["name"], c["expr"],
            "an error" if c.get("error") else json.dumps(c["value"]),
            json.dumps(got)))
    if len(out) < len(cases):
        print("FAIL: %s stopped after %d of %d cases" % (
            binary, len(out), len(cases)))
        failed += 1
    if "-v" in sys.argv:
        for why, n in sorted(reasons.items(), key=lambda r: -r[1]):
            print("  outside: %4d %s" % (n, why))
    print("cel-spec %s conformance: %d passed, %d failed, %d outside the "
          "subset" % (spec["version"], passed, failed, outside))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
