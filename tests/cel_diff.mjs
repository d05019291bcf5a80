#!/usr/bin/env node
// cel_diff.mjs - the rule language against a reference implementation
// of CEL, @bufbuild/cel (issue 18): COUNT random expressions of the
// subset, generated from SEED (the same ones every run), are evaluated
// by build/tests/cel_conform and by @bufbuild/cel; each must give the
// same value, or an error in both.  Expressions use literals, operators,
// the standard functions of the subset and the comprehension macros, so
// the reference needs no declarations.  Left out: libpoints' own
// functions, which are not CEL's; the two-variable macros, which the
// reference does not have; int('') and int(' 1'), which it takes for 0
// and 1 where CEL's specification and cel-go see no integer; and a
// negation (- or !) of a negation, which its parser takes away, even
// around parentheses and whatever the type.  Where the reference differs from cel-go, CEL's own
// implementation, cel-go is followed: the reference is given a _%_ that
// makes -9223372036854775808 % -1 an overflow (it says 0), and a list
// indexed by a bool, an error for cel-go and here, is let through (the
// reference takes false and true for 0 and 1).  Prints the counts and
// every difference; exits 1 on one.
// Usage: cel_diff.mjs CEL_CONFORM PACKAGE_DIR [COUNT] [SEED] [-v]
import { spawnSync } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2).filter((a) => a !== "-v");
const verbose = process.argv.includes("-v");
const [binary, pkgDir] = args;
const count = Number(args[2] || 2000);
const seed = Number(args[3] || 20261203);
const cel = await import(pathToFileURL(path.join(path.resolve(pkgDir),
  "node_modules/@bufbuild/cel/dist/esm/index.js")).href);

// ---- A seeded generator ----
let state = seed >>> 0 || 1;
function rnd(n) { // xorshift32: an int in [0, n)
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state % n;
}
const pick = (a) => a[rnd(a.length)];

const INTS = ["0", "1", "2", "3", "5", "7", "10", "100", "-1", "-7",
  "3037000499", "3037000500", "9223372036854775807",
  "(-9223372036854775807 - 1)", "0x10", "4611686018427387904"];
const STRS = ["''", "'a'", "'ab'", "'abc'", "\"b\"", "'new'", "'sale'",
  "'\\u00e9t\\u00e9'", "'A1'", "'12'", "'-3'", "'x y'"];
const DIGITS = ["'12'", "'-3'", "'+4'", "'a'", "'1a'", "'9223372036854775807'",
  "'9223372036854775808'", "'-9223372036854775808'", "'1.5'", "'007'", "'-0'"];
const TYPES = ["int", "bool", "string", "list", "map"];

// Scope: the comprehension variables in force, with their types.
let scope = [];
let nloops = 0;

function vars(type) {
  return scope.filter((v) => v.type === type);
}

function gen(type, depth, exact) {
  // now and then a value of another type: type errors on purpose
  if (depth > 0 && !exact && rnd(25) === 0) type = pick(TYPES);
  const vs = vars(type);
  if (vs.length && rnd(4) === 0) return pick(vs).name;
  if (depth > 0 && rnd(40) === 0) return "dyn(" + gen(type, depth - 1) + ")";
  if (depth <= 0) return leaf(type);
  switch (type) {
    case "int": return genInt(depth);
    case "bool": return genBool(depth);
    case "string": return genStr(depth);
    case "list": return genList(depth);
    default: return genMap(depth);
  }
}

function leaf(type) {
  switch (type) {
    case "int": return pick(INTS);
    case "bool": return pick(["true", "false"]);
    case "string": return pick(STRS);
    case "list": return pick(["[]", "[1, 2, 3]", "['a', 'b']", "[0, -1]"]);
    default: return pick(["{}", "{'a': 1, 'b': 2}", "{1: 'x', 2: 'y'}"]);
  }
}

function elemType() { return pick(["int", "int", "string", "bool"]); }

// A comprehension over a list of elements of type t, or a map's keys.
function loop(depth, body) {
  if (nloops >= 3) return null;
  const overMap = rnd(4) === 0;
  const et = overMap ? pick(["int", "string"]) : elemType();
  const range = overMap ? mapOf(et, "int", depth - 1) : listOf(et, depth - 1);
  const name = "x" + nloops;
  nloops++;
  scope.push({ name, type: et });
  const r = body(range, name, et);
  scope.pop();
  nloops--;
  return r;
}

function listOf(t, depth) {
  const n = rnd(4);
  const e = [];
  for (let i = 0; i < n; i++) e.push(gen(t, depth - 1));
  return "[" + e.join(", ") + "]";
}

function mapOf(kt, vt, depth) {
  const n = rnd(3);
  const e = [];
  for (let i = 0; i < n; i++) {
    // mostly distinct constant keys; sometimes computed (maybe equal)
    const k = rnd(6) === 0 ? gen(kt, depth - 1) :
      kt === "int" ? String(i + rnd(2)) : "'" + "kq"[rnd(2)] + i + "'";
    e.push(k + ": " + gen(vt, depth - 1));
  }
  return "{" + e.join(", ") + "}";
}

function genInt(depth) {
  const d = depth - 1;
  switch (rnd(11)) {
    case 0: case 1: return "(" + gen("int", d) + " " + pick(["+", "-", "*", "/", "%"]) +
      " " + gen("int", d) + ")";
    case 2: {
      const x = gen("int", d);
      return x.startsWith("-") ? x : "-(" + x + ")";
    }
    case 3: return "(" + gen("bool", d) + " ? " + gen("int", d) + " : " + gen("int", d) + ")";
    case 4: return "size(" + gen(pick(["string", "list", "map"]), d) + ")";
    case 5: return gen(pick(["string", "list", "map"]), d) + ".size()";
    // not of a string that may be empty: the reference takes int('')
    // for 0, where CEL's specification and cel-go see no integer
    case 6: return "int(" + pick([gen("int", d, true), pick(DIGITS)]) + ")";
    case 7: return listOf("int", d) + "[" + gen("int", d) + "]";
    case 8: return "{1: " + gen("int", d) + ", 2: 20}[" + pick(["1", "2", "3", gen("int", d)]) + "]";
    case 9: {
      const r = loop(depth, (range, x) => "size(" + range + ".filter(" + x + ", " + gen("bool", d) + "))");
      return r || pick(INTS);
    }
    default: return pick(INTS);
  }
}

function genBool(depth) {
  const d = depth - 1;
  switch (rnd(11)) {
    case 0: return "(" + gen("bool", d) + " && " + gen("bool", d) + ")";
    case 1: return "(" + gen("bool", d) + " || " + gen("bool", d) + ")";
    case 2: {
      const x = gen("bool", d);
      return x.startsWith("!") ? x : "!(" + x + ")";
    }
    case 3: {
      const t = pick(["int", "int", "string", "bool", "list"]);
      const op = t === "list" ? pick(["==", "!="]) : pick(["==", "!=", "<", "<=", ">", ">="]);
      return "(" + gen(t, d) + " " + op + " " + gen(t, d) + ")";
    }
    case 4: return "(" + gen("int", d) + " in " + listOf("int", d) + ")";
    case 5: return "(" + pick(["'a'", "'b'", "1", gen("string", d)]) + " in " +
      pick(["{'a': 1, 'b': 2}", "{1: 2}", mapOf("string", "int", d)]) + ")";
    case 6: return "has(" + pick(["{'a': 1}", mapOf("string", "int", d)]) + "." + pick(["a", "k0", "q1", "b"]) + ")";
    case 7: return gen("string", d) + "." + pick(["startsWith", "endsWith", "contains"]) +
      "(" + gen("string", d) + ")";
    case 8: case 9: {
      const r = loop(depth, (range, x) => range + "." + pick(["all", "exists", "exists_one"]) +
        "(" + x + ", " + gen("bool", d) + ")");
      return r || "true";
    }
    default: return pick(["true", "false"]);
  }
}

function genStr(depth) {
  const d = depth - 1;
  switch (rnd(5)) {
    case 0: return "(" + gen("string", d) + " + " + gen("string", d) + ")";
    case 1: return "string(" + pick([gen("int", d), gen("string", d), gen("bool", d)]) + ")";
    case 2: return "(" + gen("bool", d) + " ? " + gen("string", d) + " : " + gen("string", d) + ")";
    case 3: return "{'s': " + gen("string", d) + "}.s";
    default: return pick(STRS);
  }
}

function genList(depth) {
  const d = depth - 1;
  switch (rnd(6)) {
    case 0: return listOf(elemType(), d);
    case 1: return "(" + listOf("int", d) + " + " + listOf("int", d) + ")";
    case 2: {
      const r = loop(depth, (range, x) => range + ".map(" + x + ", " + gen(elemType(), d) + ")");
      return r || "[]";
    }
    case 3: {
      const r = loop(depth, (range, x) => range + ".map(" + x + ", " + gen("bool", d) + ", " +
        gen(elemType(), d) + ")");
      return r || "[]";
    }
    case 4: {
      const r = loop(depth, (range, x) => range + ".filter(" + x + ", " + gen("bool", d) + ")");
      return r || "[]";
    }
    default: return leaf("list");
  }
}

function genMap(depth) {
  return mapOf(pick(["int", "string", "bool"]), elemType(), depth - 1);
}

// ---- Values in cel-spec's JSON form, as cel_conform prints them ----
function toJson(v) {
  if (cel.isCelError(v)) return { evalError: String(v.message) };
  if (v === null) return { nullValue: null };
  switch (typeof v) {
    case "boolean": return { boolValue: v };
    case "bigint": return { int64Value: v.toString() };
    case "string": return { stringValue: v };
    default: break;
  }
  if (cel.isCelList(v)) return { listValue: { values: [...v].map(toJson) } };
  if (cel.isCelMap(v))
    return { mapValue: { entries: [...v.entries()].map(([k, x]) =>
      ({ key: toJson(k), value: toJson(x) })) } };
  return { other: String(v) };
}

function equal(a, b) {
  const [ka] = Object.keys(a), [kb] = Object.keys(b);
  if (ka !== kb) return false;
  switch (ka) {
    case "nullValue": return true;
    case "listValue": {
      const x = a.listValue.values || [], y = b.listValue.values || [];
      return x.length === y.length && x.every((e, i) => equal(e, y[i]));
    }
    case "mapValue": {
      const x = a.mapValue.entries || [], y = b.mapValue.entries || [];
      return x.length === y.length && x.every((e) =>
        y.some((f) => equal(e.key, f.key) && equal(e.value, f.value)));
    }
    default: return a[ka] === b[kb];
  }
}

// ---- Run ----
const exprs = [];
for (let i = 0; i < count; i++) exprs.push(gen(pick(TYPES.concat(["int", "bool", "bool"])), 1 + rnd(5)));
const input = exprs.map((e) => e.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")).join("\n") + "\n";
const run = spawnSync(binary, [], { input, maxBuffer: 1 << 28 });
if (run.status !== 0) {
  console.log(`FAIL: ${binary} exited ${run.status}`);
  process.exit(1);
}
const lines = run.stdout.toString("utf8").split("\n");
const env = cel.celEnv({ funcs: [
  cel.celFunc("_%_", [cel.CelScalar.INT, cel.CelScalar.INT], cel.CelScalar.INT, (x, y) => {
    if (y === 0n) throw new Error("modulus by zero");
    if (x === -9223372036854775808n && y === -1n) throw new Error("int overflow");
    return x % y;
  }),
] });
let same = 0, bothErr = 0, failed = 0, values = 0;
for (let i = 0; i < exprs.length; i++) {
  const ours = JSON.parse(lines[i]);
  let ref;
  try {
    ref = toJson(cel.plan(env, cel.parse(exprs[i]))({}));
  } catch (e) {
    ref = { evalError: "threw: " + e.message };
  }
  let ok;
  if ("compileError" in ours) ok = false;
  else if (String(ours.evalError).startsWith("no such overload: _[_](list, bool)") &&
      !("evalError" in ref)) ok = true; // see above: a list indexed by a bool
  else if ("evalError" in ours || "evalError" in ref) ok = "evalError" in ours && "evalError" in ref;
  else ok = equal(ours, ref);
  if (!ok) {
    failed++;
    console.log(`FAIL ${i}: ${exprs[i]}\n  ours      ${JSON.stringify(ours)}\n  reference ${JSON.stringify(ref)}`);
    continue;
  }
  if ("evalError" in ours) bothErr++;
  else values++;
  same++;
  if (verbose) console.log(`${exprs[i]}\n  = ${JSON.stringify(ours)}`);
}
const macros = exprs.filter((e) => /\.(all|exists|exists_one|map|filter)\(/.test(e)).length;
console.log(`differential against @bufbuild/cel: ${count} expressions (seed ${seed}, ${macros} with macros): ` +
  `${same} agree (${values} values, ${bothErr} errors in both), ${failed} differ`);
process.exit(failed ? 1 : 0);
