#!/usr/bin/env python3
"""check_layers.py - the library's layering, checked.

lib/ has one folder per layer.  A file may include headers of its own
layer or of the layers below it, never of a layer above:

    util < store (and pg, the PostgreSQL store) < core < ledger
        < rules, mall, activity, report, outbox

and no two modules (a .c with its .h) may depend on each other in a
cycle.  Prints what is wrong and exits 1; exits 0 when the tree is clean.
Usage: check_layers.py [LIBDIR]
"""
import os
import re
import sys

RANK = {"util": 0, "store": 1, "pg": 1, "core": 2, "ledger": 3,
        "rules": 4, "mall": 4, "activity": 5, "report": 6, "outbox": 4}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def modules(libdir):
    """{'core/db': [paths...]} for every .c and .h under libdir."""
    mods = {}
    for layer in sorted(os.listdir(libdir)):
        folder = os.path.join(libdir, layer)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith((".c", ".h")):
                mod = layer + "/" + name[:-2]
                mods.setdefault(mod, []).append(os.path.join(folder, name))
    return mods


def find_cycle(graph):
    """One cycle of the graph as a list of nodes, or None."""
    state = {}
    stack = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def check(libdir):
    errors = []
    mods = modules(libdir)
    graph = {}
    for mod, paths in mods.items():
        layer = mod.split("/")[0]
        if layer not in RANK:
            errors.append("%s: folder '%s' is not a known layer" %
                          (paths[0], layer))
            continue
        for path in paths:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for inc in INCLUDE.findall(text):
                if "/" not in inc:
                    if not inc.startswith("points"):
                        errors.append("%s: include \"%s\" names no layer"
                                      % (path, inc))
                    continue
                target = inc[:-2] if inc.endswith(".h") else inc
                tlayer = target.split("/")[0]
                if tlayer == "points":  # public headers: <points/...>
                    continue
                if tlayer not in RANK:
                    errors.append("%s: include \"%s\": unknown layer" %
                                  (path, inc))
                    continue
                if RANK[tlayer] > RANK[layer]:
                    errors.append("%s: includes \"%s\" from a higher layer "
                                  "(%s > %s)" % (path, inc, tlayer, layer))
                if target != mod:
                    graph.setdefault(mod, set()).add(target)
    cycle = find_cycle(graph)
    if cycle:
        errors.append("dependency cycle: " + " -> ".join(cycle))
    return errors


def self_test():
    """The check finds an upward include and a cycle in a made-up tree."""
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        def write(path, *incs):
            os.makedirs(os.path.dirname(os.path.join(d, path)),
                        exist_ok=True)
            with open(os.path.join(d, path), "w") as f:
                f.write("".join('#include "%s"\n' % i for i in incs))
        write("util/codec.c", "util/codec.h", "points.h")
        write("util/codec.h")
        write("core/db.c", "core/db.h", "util/codec.h")
        write("core/db.h")
        assert check(d) == [], check(d)
        write("util/codec.c", "util/codec.h", "core/db.h")
        errs = check(d)
        assert "higher layer" in errs[0], errs
        write("util/codec.c", "util/codec.h")
        write("core/a.c", "core/b.h")
        write("core/b.c", "core/a.h")
        errs = check(d)
        assert len(errs) == 1 and "cycle" in errs[0], errs


def main():
    self_test()
    libdir = sys.argv[1] if len(sys.argv) > 1 else "lib"
    errors = check(libdir)
    for e in errors:
        print(e)
    if errors:
        return 1
    print("layers: %d modules, no upward include, no cycle" %
          len(modules(libdir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
