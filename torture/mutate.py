#!/usr/bin/env python3
"""mutate.py - the mutation check (make mutate; README "Mutations").

Each entry of MUTATIONS plants one plausible bug in lib/: an exact piece
of source, which must occur exactly once in its file, is replaced.  For
each, in a scratch copy of the tree, the suites the entry names are
rebuilt and run (on the memory store, and on SQLite files too when the
entry says so); the mutation is caught when a suite fails.  A mutation
whose text is no longer in its file, or whose build fails or warns, is
stale: the table must follow the code, so that is an error (exit 2),
never a catch.  Exit 1 when fewer than 90% are caught.

    torture/mutate.py [-k NAME]... [-j N] [--keep DIR] [--list]
"""
import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOAL = 0.90


class Mutation:
    def __init__(self, name, path, find, replace, suites, sqlite=False,
                 why=""):
        self.name = name
        self.path = path        # under lib/
        self.find = find        # occurs exactly once in path
        self.replace = replace
        self.suites = suites    # tests/<suite>.c
        self.sqlite = sqlite    # run them with POINTS_TEST_STORE=sqlite too
        self.why = why


M = Mutation
FIELD_HASHED = "\t    POINTS_FIELD_HASHED, 1),"
FIELD_DROPPED = "\t    POINTS_FIELD_REFUSED, 1),"  # in no fingerprint

MUTATIONS = [
    # ---- util: records and varints ----
    M("varint reader reads one byte past the end", "lib/util/codec.c",
      "if (!r->err && r->p < r->end && *r->p < 0x80)",
      "if (!r->err && r->p <= r->end && *r->p < 0x80)",
      ["check_codec", "check_compat", "check_store"]),
    M("string reader skips its length check", "lib/util/codec.c",
      "if (r->err || !rd_need(r, (size_t)len))",
      "if (r->err)",
      ["check_codec", "check_store"]),
    M("checked addition without its overflow check", "lib/util/codec.c",
      "\tif ((v > 0 && *acc > INT64_MAX - v) || (v < 0 && *acc < INT64_MIN - v))\n"
      "\t\treturn POINTS_EOVERFLOW;\n",
      "",
      ["check_tamper", "check_ledger"]),
    # ---- ledger: the hash chain and verify ----
    M("entry hash leaves out the sequence number", "lib/ledger/entry.c",
      "\t    crypto_generichash_update(&st, k, sizeof(k)) != 0 ||\n",
      "",
      ["check_compat", "check_verify", "check_tamper"]),
    M("verify skips the hash comparison", "lib/ledger/verify.c",
      "if (memcmp(hash, (const unsigned char *)v + vl -",
      "if (0 && memcmp(hash, (const unsigned char *)v + vl -",
      ["check_tamper"]),
    M("verify skips the spender's chain link", "lib/ledger/verify.c",
      "if (f->last_seq != e->prev_from) {",
      "if (0 && f->last_seq != e->prev_from) {",
      ["check_tamper"]),
    M("verify skips the receiver's chain link", "lib/ledger/verify.c",
      "if (to->last_seq != e->prev_to) {",
      "if (0 && to->last_seq != e->prev_to) {",
      ["check_tamper"]),
    # ---- ledger: postings, lots, expiry, debt ----
    M("a credit to a negative account makes lots for all of it",
      "lib/ledger/posting.c",
      "eligible = (b->available > 0 ? b->available : 0) - (old > 0 ? old : 0);",
      "eligible = b->available - old;",
      ["check_debt", "check_ledger"]),
    M("lots expire a day early (due on their last day)", "lib/core/lot.c",
      "l->v[i].day < today; i++)",
      "l->v[i].day <= today; i++)",
      ["check_expiry", "check_lot"]),
    M("debits take the latest-expiring lot first", "lib/core/lot.c",
      "take_from(db, l, 0, &amount, &got);",
      "take_from(db, l, l->n - 1, &amount, &got);",
      ["check_lot", "check_ledger"]),
    M("a credit repays a debt only when it covers all of it",
      "lib/ledger/posting.c",
      "\tif (b->debt > 0)\n\t\tr = amount < b->debt ? amount : b->debt;",
      "\tif (b->debt > amount)\n\t\tr = amount;",
      ["check_debt"]),
    M("a posting's amount dropped from its fingerprint",
      "lib/ledger/posting.c",
      "POINTS_FIELD(points_posting, amount, POINTS_FIELD_I64,\n" + FIELD_HASHED,
      "POINTS_FIELD(points_posting, amount, POINTS_FIELD_I64,\n" + FIELD_DROPPED,
      ["check_ledger", "check_write"]),
    M("daily transfer limit forgets what was sent today",
      "lib/ledger/policy.c",
      "amount > a->a.transfer_limit - sent",
      "amount > a->a.transfer_limit",
      ["check_pool"]),
    # ---- ledger: reversals ----
    M("a reversal may take one point more than is left",
      "lib/ledger/reversal.c",
      "if (amount > left) {",
      "if (amount > left + 1) {",
      ["check_ledger", "check_debt"]),
    M("a reversal forgets earlier partial reversals",
      "lib/ledger/reversal.c",
      "left = orig.amount - done;",
      "left = orig.amount;",
      ["check_ledger"]),
    M("a reversal's amount dropped from its fingerprint",
      "lib/ledger/reversal.c",
      "POINTS_FIELD(points_reversal, amount, POINTS_FIELD_I64,\n" + FIELD_HASHED,
      "POINTS_FIELD(points_reversal, amount, POINTS_FIELD_I64,\n" + FIELD_DROPPED,
      ["check_ledger", "check_write"]),
    # ---- ledger: holds ----
    M("a released hold can be settled again", "lib/ledger/hold.c",
      "if (h->state != POINTS_HOLD_OPEN) {",
      "if (h->state == POINTS_HOLD_CAPTURED) {",
      ["check_hold"]),
    M("a capture may take one point more than is held", "lib/ledger/hold.c",
      "if (amount > h->amount) {",
      "if (amount > h->amount + 1) {",
      ["check_hold"]),
    M("a release adds to held instead of taking from it",
      "lib/ledger/hold.c",
      "\tb->held -= rest;",
      "\tb->held += rest;",
      ["check_hold"]),
    M("a capture's amount dropped from its fingerprint", "lib/ledger/hold.c",
      "POINTS_FIELD(points_capture, amount, POINTS_FIELD_I64,\n" + FIELD_HASHED,
      "POINTS_FIELD(points_capture, amount, POINTS_FIELD_I64,\n" + FIELD_DROPPED,
      ["check_hold", "check_write"]),
    # ---- core: transactions and batches ----
    M("a failed operation in a batch is not rolled back", "lib/core/db.c",
      "if (rc == POINTS_OK || !db->op_wrote) {",
      "if (1) {",
      ["check_savepoint"]),
    M("a failed write that wrote commits what it wrote", "lib/core/db.c",
      "\tif (rc < 0) {\n\t\ttxn_abort(db);\n\t\treturn rc;\n\t}\n"
      "\treturn txn_commit(db);",
      "\tif (rc < 0 && !db->op_wrote) {\n\t\ttxn_abort(db);\n\t\treturn rc;\n\t}\n"
      "\treturn rc < 0 ? (txn_commit(db), rc) : txn_commit(db);",
      ["check_savepoint", "check_order"]),
    # ---- store: the SQLite store's read cache ----
    M("read cache answers from an older transaction",
      "lib/store/readcache.c",
      "if (s->gen == gen && holds_key(s, h, key, klen)) {",
      "if (s->gen + 1 >= gen && holds_key(s, h, key, klen)) {",
      ["check_readcache"]),
    M("read cache deletes a key from its first way only",
      "lib/store/readcache.c",
      "\tfor (w = 0; w < 2; w++, s++)\n\t\tif (holds_key(s, h, key, klen))\n"
      "\t\t\ts->gen = 0;",
      "\tfor (w = 0; w < 1; w++, s++)\n\t\tif (holds_key(s, h, key, klen))\n"
      "\t\t\ts->gen = 0;",
      ["check_readcache"]),
    M("read cache keeps a stale copy of a key rewritten too large",
      "lib/store/readcache.c",
      "\tif (vlen > RCACHE_MAX_VALUE || klen > UINT32_MAX) {\n"
      "\t\tpoints_readcache__del(c, key, klen); /* never keep a stale copy */\n",
      "\tif (vlen > RCACHE_MAX_VALUE || klen > UINT32_MAX) {\n",
      ["check_readcache"]),
    M("SQLite put leaves the cached old value", "lib/store/sqlite.c",
      "\t\tif (rc == POINTS_OK)\n"
      "\t\t\tpoints_readcache__put(&ks->rc, s->gen, key, klen, val, vlen);\n"
      "\t\telse\n",
      "\t\tif (rc != POINTS_OK)\n",
      ["check_ledger"], sqlite=True),
    # ---- rules ----
    M("tier qualification counts one month too many", "lib/rules/tier.c",
      "for (j = m - months + 1; j <= m; j++)",
      "for (j = m - months; j <= m; j++)",
      ["check_tier"]),
    M("tier threshold reached only past it", "lib/rules/tier.c",
      "f = buckets_sum(&b, m, t->qualify_months);\n"
      "\t\tif (f >= t->qualify_points",
      "f = buckets_sum(&b, m, t->qualify_months);\n"
      "\t\tif (f > t->qualify_points",
      ["check_tier"]),
    M("rule arithmetic multiplies without an overflow check",
      "lib/rules/cel_eval.c",
      "\t\tif (__builtin_mul_overflow(x, y, &r))\n"
      "\t\t\treturn err(\"int overflow\");\n",
      "\t\tr = (int64_t)((uint64_t)x * (uint64_t)y);\n",
      ["check_cel"]),
    M("an event's amount dropped from its fingerprint", "lib/rules/event.c",
      "POINTS_FIELD(points_event, amount, POINTS_FIELD_I64,\n" + FIELD_HASHED,
      "POINTS_FIELD(points_event, amount, POINTS_FIELD_I64,\n" + FIELD_DROPPED,
      ["check_rules"]),
    # ---- mall ----
    M("flash discount still in force at its end", "lib/mall/price.c",
      "t >= it->flash_ends)",
      "t > it->flash_ends)",
      ["check_mallrules", "check_browse"]),
    M("flash percentage drops the remainder's share", "lib/mall/price.c",
      "off = base / 100 * pct + base % 100 * pct / 100;",
      "off = base / 100 * pct;",
      ["check_mallrules", "check_browse"]),
    M("flash price charged even above the regular price", "lib/mall/price.c",
      "return it->flash_value < base ? it->flash_value : base;",
      "return it->flash_value;",
      ["check_mallrules", "check_browse"]),
    M("minimum balance: exactly the minimum is refused",
      "lib/mall/settings.c",
      "if (have >= min)\n\t\treturn POINTS_OK;",
      "if (have > min)\n\t\treturn POINTS_OK;",
      ["check_mallrules", "check_browse"]),
    M("order limit refuses the limit itself", "lib/mall/order.c",
      "r->quantity > item.it.order_limit)",
      "r->quantity >= item.it.order_limit)",
      ["check_order"]),
    M("order total without its overflow check", "lib/mall/order.c",
      "if (r->quantity > INT64_MAX / unit)",
      "if (0 && r->quantity > INT64_MAX / unit)",
      ["check_order"]),
    M("return refused on the last day of the period", "lib/mall/order.c",
      "\t\tif (days > o->o.return_days)",
      "\t\tif (days >= o->o.return_days)",
      ["check_order"]),
    M("a cancelled order's units not restocked", "lib/mall/order.c",
      "(rc = give_back(db, o, !codes)))",
      "(rc = give_back(db, o, 0)))",
      ["check_order", "check_codes"]),
    M("an order's quantity dropped from its fingerprint", "lib/mall/order.c",
      "POINTS_FIELD(points_order_req, quantity, POINTS_FIELD_I64,\n"
      + FIELD_HASHED,
      "POINTS_FIELD(points_order_req, quantity, POINTS_FIELD_I64,\n"
      + FIELD_DROPPED,
      ["check_order"]),
    M("low-stock event only below the mark, not at it", "lib/mall/item.c",
      "after <= it->low_stock &&",
      "after < it->low_stock &&",
      ["check_item"]),
    M("code pool lets an order take one code more than is left",
      "lib/mall/codes.c",
      "if (p.uploaded - p.issued < quantity)",
      "if (p.uploaded - p.issued < quantity - 1)",
      ["check_codes"]),
    # ---- outbox ----
    M("outbox prune forgets the floor it pruned to", "lib/outbox/outbox.c",
      "if (top > floor) {",
      "if (top < floor) {",
      ["check_item"]),
    M("outbox next returns the event it was given again",
      "lib/outbox/outbox.c",
      "points_codec__put_be64(lo, (uint64_t)after_seq + 1);",
      "points_codec__put_be64(lo, (uint64_t)after_seq);",
      ["check_item", "check_order"]),
]


def log(msg):
    print(msg, flush=True)


def stale(msg):
    log("mutate: stale: " + msg)
    sys.exit(2)


def check_table(muts):
    """Every text occurs exactly once; every suite exists."""
    for m in muts:
        p = os.path.join(ROOT, m.path)
        if not os.path.isfile(p):
            stale("%s: no file %s" % (m.name, m.path))
        with open(p, encoding="utf-8") as f:
            n = f.read().count(m.find)
        if n != 1:
            stale("%s: the text occurs %d times in %s, not once" %
                  (m.name, n, m.path))
        for s in m.suites:
            if not os.path.isfile(os.path.join(ROOT, "tests", s + ".c")):
                stale("%s: no suite tests/%s.c" % (m.name, s))


def same_bytes(a, b):
    with open(a, "rb") as f, open(b, "rb") as g:
        return f.read() == g.read()


def copy_tree(dst):
    """The tree as it is (committed or not), without build products.
    Into a kept copy only the files that differ, stamped now: a file a
    mutation was restored in keeps its later time, so make rebuilds
    what was built from the mutation."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                          "--exclude-standard"], cwd=ROOT, check=True,
                         capture_output=True).stdout
    for rel in out.decode().split("\0"):
        src = os.path.join(ROOT, rel)
        if not rel or not os.path.isfile(src) or os.path.islink(src):
            continue
        d = os.path.join(dst, rel)
        if os.path.isfile(d):
            if not same_bytes(src, d):
                shutil.copyfile(src, d)
                shutil.copymode(src, d)
            continue
        os.makedirs(os.path.dirname(d), exist_ok=True)
        shutil.copy2(src, d)


def make(tree, targets, jobs=1):
    """Build targets; (ok, output).  Warnings count as a failed build:
    CI builds with -Werror."""
    r = subprocess.run(["make", "-j%d" % jobs, "WERROR=0"] + targets,
                       cwd=tree, capture_output=True, text=True)
    out = r.stdout + r.stderr
    return r.returncode == 0 and "warning:" not in out, out


def run_suite(tree, suite, sqlite, timeout):
    """True when the suite passes; a hang past timeout fails it."""
    env = dict(os.environ, CK_DEFAULT_TIMEOUT="300")
    env.pop("CK_RUN_SUITE", None)
    env.pop("CK_RUN_CASE", None)
    if sqlite:
        env["POINTS_TEST_STORE"] = "sqlite"
    else:
        env.pop("POINTS_TEST_STORE", None)
    try:
        r = subprocess.run(["./build/tests/" + suite], cwd=tree, env=env,
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=timeout,
                           start_new_session=True)
    except subprocess.TimeoutExpired:
        return False
    return r.returncode == 0


def runs_of(m):
    return [(s, False) for s in m.suites] + \
        ([(s, True) for s in m.suites] if m.sqlite else [])


def label(suite, sqlite):
    return suite + (" (sqlite)" if sqlite else "")


def try_mutation(tree, m, timeout):
    """('caught', by) or ('survived', None) or ('stale', why)."""
    path = os.path.join(tree, m.path)
    with open(path, encoding="utf-8") as f:
        orig = f.read()
    if orig.count(m.find) != 1:
        return "stale", "the text is not in %s once" % m.path
    with open(path, "w", encoding="utf-8") as f:
        f.write(orig.replace(m.find, m.replace))
    try:
        ok, out = make(tree, ["build/tests/" + s for s in m.suites])
        if not ok:
            lines = [l for l in out.splitlines()
                     if "error" in l or "warning:" in l]
            return "stale", "does not build cleanly: " + \
                " | ".join(lines[:3])
        for s, sq in runs_of(m):
            if not run_suite(tree, s, sq, timeout):
                return "caught", label(s, sq)
        return "survived", None
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(orig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-k", action="append", default=[], metavar="NAME",
                    help="only the mutations whose name contains NAME")
    ap.add_argument("-j", type=int, default=1, metavar="N",
                    help="N scratch copies working at once (default 1)")
    ap.add_argument("--keep", metavar="DIR",
                    help="scratch copies in DIR, kept afterwards")
    ap.add_argument("--list", action="store_true",
                    help="list the mutations and exit")
    ap.add_argument("--timeout", type=int, default=1800,
                    help="seconds a suite may take before it counts as "
                    "hung, i.e. failed (default 1800)")
    a = ap.parse_args()

    muts = [m for m in MUTATIONS
            if not a.k or any(k.lower() in m.name.lower() for k in a.k)]
    check_table(MUTATIONS)
    if a.list:
        for m in muts:
            log("%-60s %s: %s" % (m.name, m.path, " ".join(
                label(s, q) for s, q in runs_of(m))))
        return 0
    if not muts:
        log("mutate: no mutation matches")
        return 2
    start = time.time()
    if a.keep:
        scratch = os.path.abspath(a.keep)
        os.makedirs(scratch, exist_ok=True)
    else:
        scratch = tempfile.mkdtemp(prefix="points-mutate-")
    nw = max(1, min(a.j, len(muts)))
    trees = [os.path.join(scratch, "tree%d" % i) for i in range(nw)]
    suites = sorted({s for m in muts for s in m.suites})
    cpus = os.cpu_count() or 1
    try:
        # One build of the library and the suites, then copies of it:
        # each mutation rebuilds its file, the archive and its suites.
        log("mutate: building %d suites in %s" % (len(suites), scratch))
        for i, t in enumerate(trees):
            if i > 0 and not os.path.isdir(t):
                shutil.copytree(trees[0], t, symlinks=True)
                continue
            copy_tree(t)
            ok, out = make(t, ["lib/libpoints.a"] +
                           ["build/tests/" + s for s in suites], cpus)
            if not ok:
                log(out[-3000:])
                stale("the unmutated tree does not build cleanly")
        # The suites must pass before anything is planted.
        runs = sorted({r for m in muts for r in runs_of(m)})
        log("mutate: %d suite runs on the unmutated tree" % len(runs))
        with concurrent.futures.ThreadPoolExecutor(nw) as ex:
            res = list(ex.map(lambda r: run_suite(trees[0], r[0], r[1],
                                                  a.timeout), runs))
        bad = [label(*r) for r, ok in zip(runs, res) if not ok]
        if bad:
            log("mutate: without a mutation these fail: " + ", ".join(bad))
            return 2
        log("mutate: %d mutations (%.0f s so far)" %
            (len(muts), time.time() - start))

        free = list(trees)
        lock = threading.Lock()

        def one(m):
            with lock:
                tree = free.pop()
            try:
                t0 = time.time()
                r = try_mutation(tree, m, a.timeout)
                with lock:
                    if r[0] == "caught":
                        log("caught    %-60s by %s (%.0f s)" %
                            (m.name, r[1], time.time() - t0))
                    elif r[0] == "survived":
                        log("SURVIVED  %-60s %s, by %s" % (
                            m.name, m.path, ", ".join(
                                label(s, q) for s, q in runs_of(m))))
                    else:
                        log("STALE     %-60s %s" % (m.name, r[1]))
                return r[0]
            finally:
                with lock:
                    free.append(tree)

        with concurrent.futures.ThreadPoolExecutor(nw) as ex:
            results = list(ex.map(one, muts))
    finally:
        if not a.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    n = len(muts)
    caught = results.count("caught")
    log("mutations: %d caught of %d (%.0f%%) in %.0f s" %
        (caught, n, 100.0 * caught / n, time.time() - start))
    if "stale" in results:
        log("mutate: %d stale mutations: the table must follow lib/" %
            results.count("stale"))
        return 2
    return 0 if caught >= GOAL * n else 1


if __name__ == "__main__":
    sys.exit(main())
