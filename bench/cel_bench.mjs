#!/usr/bin/env node
// cel_bench.mjs - the rule language against @bufbuild/cel (issue 18):
// runs cel_bench (CEL_BENCH) for its rules, then, for each rule, ROUNDS
// times in turn: cel_bench on that rule alone, and @bufbuild/cel on the
// same expression, planned once and evaluated as many times over the
// same activation (an event of three line items, a gold account), with
// libpoints' own functions sum() and month() (UTC+8) given to it as
// custom functions.  The machines are shared: each side's figure is the
// best of its rounds, taken side by side.  Checks that both give the
// same value and that libpoints allocated nothing; prints both and their
// ratio.  make bench-cel runs it.
// Usage: cel_bench.mjs PACKAGE_DIR CEL_BENCH [ROUNDS] [EVALS]
import path from "node:path";
import { pathToFileURL } from "node:url";
import { execFileSync } from "node:child_process";

const [pkgDir, bench, roundsArg, evalsArg] = process.argv.slice(2);
const rounds = Number(roundsArg || 5);
const evals = Number(evalsArg || 500000);
const cel = await import(pathToFileURL(path.join(path.resolve(pkgDir),
  "node_modules/@bufbuild/cel/dist/esm/index.js")).href);
const { CelScalar, listType, celFunc, celEnv, plan, parse, isCelError } = cel;

const funcs = [
  celFunc("sum", [listType(CelScalar.INT)], CelScalar.INT, (l) => {
    let s = 0n;
    for (const x of l) s += x;
    if (s > 9223372036854775807n || s < -9223372036854775808n) throw new Error("int overflow");
    return s;
  }),
  celFunc("month", [CelScalar.INT], CelScalar.INT, (t) =>
    BigInt(new Date(Number(t + 8n * 3600n) * 1000).getUTCMonth() + 1)),
];
const env = celEnv({ funcs });
const line = (sku, collection, amount) => new Map([["sku", sku],
  ["collection", collection], ["amount", amount]]);
const bindings = {
  event: new Map([["id", "order-1001"], ["type", "purchase"], ["account", 7n],
    ["time", 1735689599n], ["amount", 23299n], ["attrs", new Map([
      ["channel", "app"], ["lines", [line("T1", "new", 12900n),
        line("B2", "basic", 9900n), line("T3", "new", 499n)]]])]]),
  account: new Map([["id", 7n], ["tier", "gold"], ["birth_month", 1n],
    ["attrs", new Map()]]),
};

function cRun(rule, n) {
  const args = ["--tsv", "--evals", String(n)];
  if (rule) args.push("--rule", rule);
  return execFileSync(bench, args, { encoding: "utf8" }).trim().split("\n").map((l) => {
    const [name, ns, allocs, value, expr] = l.split("\t");
    return { name, ns: Number(ns), allocs: Number(allocs), value, expr };
  });
}

function nodeRun(f, n) {
  let v;
  for (let i = 0; i < n / 10; i++) v = f(bindings);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) v = f(bindings);
  return { ns: Number(process.hrtime.bigint() - t0) / n, v };
}

let bad = 0;
console.log(`${"rule".padEnd(9)} ${"libpoints ns".padStart(12)} ${"allocs".padStart(6)} ` +
  `${"@bufbuild/cel ns".padStart(16)} ${"ratio".padStart(7)}  value`);
for (const r of cRun(null, 1000)) {
  const f = plan(env, parse(r.expr));
  let c = Infinity, js = Infinity, allocs = 0, v;
  for (let k = 0; k < rounds; k++) {
    const [x] = cRun(r.name, evals);
    c = Math.min(c, x.ns);
    allocs += x.allocs;
    const y = nodeRun(f, evals);
    js = Math.min(js, y.ns);
    v = y.v;
  }
  const text = isCelError(v) ? "error: " + v.message : String(v);
  if (text !== r.value || allocs) {
    console.log(`${r.name}: libpoints gives ${r.value} (${allocs} allocations), @bufbuild/cel ${text}`);
    bad++;
  }
  console.log(`${r.name.padEnd(9)} ${c.toFixed(1).padStart(12)} ${String(allocs).padStart(6)} ` +
    `${js.toFixed(1).padStart(16)} ${(js / c).toFixed(1).padStart(6)}x  ${r.value}`);
}
process.exit(bad ? 1 : 0);
