#!/usr/bin/env python3
"""lottery_audit.py - an independent audit of a closed lottery, from its
published data only, with Python's standard library (no libpoints).

Usage: lottery_audit.py FILE.json

FILE holds the published data of one lottery (points_lottery(3)):
  {"lottery": ID, "seed": HEX (revealed at close), "commitment": HEX,
   "lose_weight": W, "prizes": [{"weight": W, "initial": N}, ...],
   "draws": [[NUMBER, OUTCOME], ...]}    (OUTCOME -1: a losing draw)

It checks that the seed hashes to the commitment (BLAKE2b-256), then
replays every draw in order from the prizes' stock at creation: value
ATTEMPT of draw NUMBER is the first 8 bytes, big-endian, of BLAKE2b-128
keyed with the seed over ID (8 bytes, big-endian) | NUMBER (8) | ATTEMPT
(4); with TOTAL the weights of the prizes in stock plus the losing
weight, values at or above 2^64 - (2^64 mod TOTAL) are rejected (the next
attempt is taken); x mod TOTAL falls in the prizes in stock in their
order, then the losing outcome.  Exit 0 when every draw agrees, 1 with
the first draw that does not."""
import hashlib
import json
import sys


def value(seed, lottery, number, attempt):
    msg = (lottery.to_bytes(8, "big") + number.to_bytes(8, "big") +
           attempt.to_bytes(4, "big"))
    h = hashlib.blake2b(msg, key=seed, digest_size=16).digest()
    return int.from_bytes(h[:8], "big")


def pick(seed, lottery, number, weights, stock, lose_weight):
    live = [i for i in range(len(weights)) if stock[i] > 0]
    total = sum(weights[i] for i in live) + lose_weight
    if total == 0:
        return None
    limit = 2 ** 64 - 2 ** 64 % total
    attempt = 0
    while True:
        x = value(seed, lottery, number, attempt)
        if x < limit:
            break
        attempt += 1
    x %= total
    for i in live:
        if x < weights[i]:
            return i
        x -= weights[i]
    return -1


def audit(data):
    seed = bytes.fromhex(data["seed"])
    if hashlib.blake2b(seed, digest_size=32).hexdigest() != \
            data["commitment"].lower():
        return "the seed does not match its commitment"
    weights = [p["weight"] for p in data["prizes"]]
    stock = [p["initial"] for p in data["prizes"]]
    expect = 1
    for number, outcome in data["draws"]:
        if number != expect:
            return "draw %d is missing" % expect
        got = pick(seed, data["lottery"], number, weights, stock,
                   data["lose_weight"])
        if got != outcome:
            return "draw %d: published %d, the seed gives %s" % (
                number, outcome, got)
        if got >= 0:
            stock[got] -= 1
        expect += 1
    return None


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: lottery_audit.py FILE.json")
    with open(sys.argv[1]) as f:
        data = json.load(f)
    err = audit(data)
    if err:
        print("lottery %d: %s" % (data["lottery"], err))
        return 1
    print("lottery %d: %d draws agree" % (data["lottery"],
                                          len(data["draws"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
