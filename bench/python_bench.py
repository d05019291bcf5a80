"""Postings per second through the Python binding's batch API, against a
hand-rolled ledger in Python's own sqlite3 module, in the same run.

Both post the same amounts to the same random accounts, in batches of
--batch postings per transaction, on SQLite files in WAL mode with
synchronous=NORMAL and a 64 MiB page cache.  The hand-rolled ledger does
the least a ledger must per posting: insert an entry row and update the
balance row.  libpoints does what it always does (double entry, a lot
with its expiry, a UUIDv7 id, the hash chain).  Target: >= 2x.

    PYTHONPATH=bindings/python python3 bench/python_bench.py
"""

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid

import points


def workload(accounts, postings, seed):
    rnd = random.Random(seed)
    return [(rnd.randrange(accounts), rnd.randrange(1, 500))
            for _ in range(postings)]


def connect(path, accounts):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA cache_size=-65536")
    db.execute("CREATE TABLE balance(account INTEGER, asset TEXT,"
               " available INTEGER, PRIMARY KEY(account, asset))"
               " WITHOUT ROWID")
    db.execute("BEGIN")
    db.executemany("INSERT INTO balance VALUES(?, 'PTS', 0)",
                   ((a,) for a in range(-1, accounts)))  # -1: the issuer
    db.execute("COMMIT")
    return db


def member_total(db):
    return db.execute("SELECT sum(available) FROM balance"
                      " WHERE account >= 0").fetchone()[0]


def hand_rolled(path, accounts, work, batch, ordered_ids=False):
    db = connect(path, accounts)
    db.execute("CREATE TABLE entry(seq INTEGER PRIMARY KEY, txn TEXT,"
               " account INTEGER, asset TEXT, amount INTEGER, time INTEGER,"
               " memo TEXT)")
    db.execute("CREATE TABLE txn(id TEXT PRIMARY KEY, type TEXT,"
               " time INTEGER) WITHOUT ROWID")
    now = int(time.time())
    uuid4 = uuid.uuid4
    seq = 0
    start = time.perf_counter()
    for i in range(0, len(work), batch):
        db.execute("BEGIN")
        for account, amount in work[i:i + batch]:
            if ordered_ids:
                seq += 1
                tid = "%016x-%s" % (seq, "0" * 19)
            else:
                tid = str(uuid4())
            db.execute("INSERT INTO txn VALUES(?, 'earn', ?)", (tid, now))
            db.executemany("INSERT INTO entry(txn, account, asset, amount,"
                           " time, memo) VALUES(?, ?, 'PTS', ?, ?, 'bench')",
                           ((tid, -1, -amount, now), (tid, account, amount,
                                                      now)))
            db.executemany("UPDATE balance SET available = available + ?"
                           " WHERE account = ? AND asset = 'PTS'",
                           ((-amount, -1), (amount, account)))
        db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    total = member_total(db)
    db.close()
    return elapsed, total


def hand_rolled_ordered(path, accounts, work, batch):
    return hand_rolled(path, accounts, work, batch, ordered_ids=True)


def bare(path, accounts, work, batch):
    db = connect(path, accounts)
    db.execute("CREATE TABLE entry(seq INTEGER PRIMARY KEY, account INTEGER,"
               " asset TEXT, amount INTEGER, time INTEGER, memo TEXT)")
    now = int(time.time())
    start = time.perf_counter()
    for i in range(0, len(work), batch):
        db.execute("BEGIN")
        for account, amount in work[i:i + batch]:
            db.execute("INSERT INTO entry(account, asset, amount, time, memo)"
                       " VALUES(?, 'PTS', ?, ?, 'bench')",
                       (account, amount, now))
            db.execute("UPDATE balance SET available = available + ?"
                       " WHERE account = ? AND asset = 'PTS'",
                       (amount, account))
        db.execute("COMMIT")
    elapsed = time.perf_counter() - start
    total = member_total(db)
    db.close()
    return elapsed, total


def libpoints(path, accounts, work, batch):
    with points.Ledger.open("sqlite:" + path) as ledger:
        ledger.create_asset("PTS", 0, points.EXPIRE_DAYS, 365)
        with ledger.batch():
            ids = [ledger.create_account("M%d" % a).id
                   for a in range(accounts)]
        earn = ledger.earn
        start = time.perf_counter()
        for i in range(0, len(work), batch):
            with ledger.batch():
                for account, amount in work[i:i + batch]:
                    earn(ids[account], amount, "PTS", "bench")
        elapsed = time.perf_counter() - start
        total = sum(ledger.balance(a, "PTS").available for a in ids)
    return elapsed, total


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, default=10000)
    ap.add_argument("--postings", type=int, default=200000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    work = workload(args.accounts, args.postings, args.seed)
    expect = sum(a for _, a in work)
    variants = (("hand-rolled", hand_rolled),
                ("hand-ordered", hand_rolled_ordered), ("bare", bare),
                ("libpoints", libpoints))
    rates = {name: [] for name, _ in variants}
    tmp = tempfile.mkdtemp(prefix="points-pybench-")
    try:
        for run in range(args.runs):
            for name, fn in variants:
                path = os.path.join(tmp, "%s-%d.db" % (name, run))
                elapsed, total = fn(path, args.accounts, work, args.batch)
                if total != expect:
                    sys.exit("%s: balances sum to %d, expected %d"
                             % (name, total, expect))
                rate = len(work) / elapsed
                rates[name].append(rate)
                print("run %d  %-13s %9.0f postings/s  %.2f s"
                      % (run + 1, name, rate, elapsed))
    finally:
        shutil.rmtree(tmp)
    med = {k: statistics.median(v) for k, v in rates.items()}
    for k, v in med.items():
        print("median  %-13s %9.0f postings/s" % (k, v))
    ratio = med["libpoints"] / med["hand-rolled"]
    print("ratio   libpoints / hand-rolled %.2f  (target >= 2.00: %s)"
          % (ratio, "met" if ratio >= 2 else "MISSED"))
    print("ratio   libpoints / hand-ordered %.2f (reference)"
          % (med["libpoints"] / med["hand-ordered"]))
    print("ratio   libpoints / bare        %.2f  (reference)"
          % (med["libpoints"] / med["bare"]))
    print("python  %s" % sys.version.split()[0])


if __name__ == "__main__":
    main()
