#!/usr/bin/env node
// cel_spec_export.js - pin the cel-spec conformance cases the rule
// language may run: `make update-cel-spec` installs the npm package
// @bufbuild/cel-spec into build/cel-spec and writes, with this script,
// tests/cel_spec_cases.json, which check_cel_spec.py reads (so make
// check needs neither Node nor the network).  Kept: the cases with no
// bindings, type environment, container or unknowns whose expectation
// is a value of the subset's types (int, bool, string, null, list, map)
// or an evaluation error; the rest are counted as outside the subset.
// Usage: cel_spec_export.js PACKAGE_DIR > tests/cel_spec_cases.json
"use strict";
const path = require("path");

const pkg = path.resolve(process.argv[2]);
const { version } = require(path.join(pkg, "package.json"));
const { tests } = require(path.join(pkg, "dist/cjs/testdata/conformance.js"));
const TYPES = new Set(["int64Value", "boolValue", "stringValue", "nullValue",
  "listValue", "mapValue"]);

function inTypes(v) {
  const k = Object.keys(v);
  if (k.length !== 1 || !TYPES.has(k[0])) return false;
  if (k[0] === "listValue") return (v.listValue.values || []).every(inTypes);
  if (k[0] === "mapValue")
    return (v.mapValue.entries || []).every((e) => inTypes(e.key) && inTypes(e.value));
  return true;
}

const cases = [];
let total = 0;
(function walk(suite, prefix) {
  for (const s of suite.suites || []) walk(s, prefix + s.name + "/");
  for (const t of suite.tests || []) {
    const o = t.original || t;
    total++;
    const plain = !o.bindings && !o.typeEnv && !o.container && !o.checkOnly &&
      !o.disableMacros && !o.typedResult && !o.unknown && !o.anyEvalErrors &&
      !o.anyUnknowns && !o.expr.includes("\r");
    if (plain && o.value && inTypes(o.value))
      cases.push({ name: prefix + o.name, expr: o.expr, value: o.value });
    else if (plain && o.evalError)
      cases.push({ name: prefix + o.name, expr: o.expr, error: true });
  }
})(tests, "");
// The cases are Google's cel-spec conformance tests (Apache-2.0).
process.stdout.write(JSON.stringify({ package: "@bufbuild/cel-spec", version,
  license: "Apache-2.0 (github.com/google/cel-spec, tests/simple/testdata)",
  total, cases }, null, 0).replace(/\},\{"name"/g, '},\n{"name"') + "\n");
