#!/bin/sh
# run.sh - libpoints earns on PostgreSQL beside the floor, pgbench running
# an earn's shape of SQL (read two rows, update two, insert one: the
# account's row and the issuer's, and a log row) on the same private
# server (tests/pg_server.sh), at 1, 4 and 8 clients; make bench-pg.
# libpoints posts lone earns, batches of 100 earns to random accounts,
# and batches of 100 each process makes of the accounts of its own log
# partitions (earn_bench -g), as a host splits a bulk job; then lone
# earns so split.  Beside the batches of random accounts, the floor's
# script 100 times in one transaction.  For the
# floor and the lone earns it also gives the processor time the whole
# machine spent a transaction (server and clients: /proc/stat, so
# Linux), which bounds the rate once the processors are all busy.
#   bench/pg/run.sh [seconds a run, default 10] [client counts]
set -e
cd "$(dirname "$0")/../.."
secs=${1:-10}
counts=${2:-"1 4 8"}
dir=$(mktemp -d /tmp/points-pgbench.XXXXXX)
ci=$(tests/pg_server.sh start "$dir")
trap 'tests/pg_server.sh stop "$dir"' EXIT
# Serializable transactions track what they read with predicate locks;
# past two rows a page (or 32 pages a table) PostgreSQL merges them into
# one lock of the page (or the table), and writers of other rows there
# then fail as conflicts: room for more, as PostgreSQL's documentation
# advises for serializable work (README, PostgreSQL)
psql "$ci" -q -v ON_ERROR_STOP=1 \
    -c "ALTER SYSTEM SET max_pred_locks_per_transaction = 4096" \
    -c "ALTER SYSTEM SET max_pred_locks_per_page = 1000"
tests/pg_server.sh kill "$dir"
tests/pg_server.sh restart "$dir"
psql "$ci" -q -v ON_ERROR_STOP=1 <<'SQL'
-- half of each page left for updates, as the store leaves in its
-- balance tables (README, PostgreSQL)
CREATE TABLE acct (id int PRIMARY KEY, bal bigint NOT NULL)
    WITH (fillfactor = 50);
CREATE TABLE log (id bigserial PRIMARY KEY, acct int NOT NULL,
    amount bigint NOT NULL, at timestamptz NOT NULL DEFAULT now());
-- row 0 is the issuer, which every earn debits
INSERT INTO acct SELECT g, 0 FROM generate_series(0, 1000) g;
SQL
cat > "$dir/earn.sql" <<'SQL'
\set a random(1, 1000)
\set n random(1, 100)
BEGIN;
SELECT bal FROM acct WHERE id = :a;
SELECT bal FROM acct WHERE id = 0;
UPDATE acct SET bal = bal + :n WHERE id = :a;
UPDATE acct SET bal = bal - :n WHERE id = 0;
INSERT INTO log (acct, amount) VALUES (:a, :n);
END;
SQL
# the floor's batch: the same 100 times in one transaction, as a batch
# of libpoints earns is, run again on a deadlock (two batches locking
# the same rows in another order) or a serialization failure
{
	echo "BEGIN;"
	for i in $(seq 100); do sed -n '/^\\set/p; /^SELECT/p; /^UPDATE/p; /^INSERT/p' \
	    "$dir/earn.sql"; done
	echo "END;"
} > "$dir/batch.sql"
uri="postgresql://points@/postgres?host=$dir&schema=bench"
hz=$(getconf CLK_TCK)
# the machine's busy ticks so far: user, nice, system, irq, softirq
busy() { awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
# the ledger and its 1,000 accounts, made once
./build/bench/pg/earn_bench -u "$uri" -p 1 -s 1 >/dev/null
echo "clients  pgbench tps  earns/s  ratio  batched (100)  ratio  pgbench batched (100)  batched by partition (100)  ratio  lone by partition  ratio  retries  cpu us/txn: pgbench, earn"
for c in $counts; do
	b0=$(busy)
	floor=$(pgbench -h "$dir" -U points -n -M prepared -f "$dir/earn.sql" \
	    -c "$c" -j "$c" -T "$secs" postgres 2>/dev/null |
	    sed -n 's/^tps = \([0-9.]*\).*/\1/p')
	b1=$(busy)
	set -- $(./build/bench/pg/earn_bench -u "$uri" -p "$c" -s "$secs")
	single=$3 r1=$4
	b2=$(busy)
	set -- $(./build/bench/pg/earn_bench -u "$uri" -p "$c" -s "$secs" -b 100)
	batched=$3 r2=$4
	fbatch=$(pgbench -h "$dir" -U points -n -M prepared -f "$dir/batch.sql" \
	    -c "$c" -j "$c" -T "$secs" --max-tries=1000 postgres 2>/dev/null |
	    sed -n 's/^tps = \([0-9.]*\).*/\1/p')
	set -- $(./build/bench/pg/earn_bench -u "$uri" -p "$c" -s "$secs" -b 100 -g)
	grouped=$3 r3=$4
	set -- $(./build/bench/pg/earn_bench -u "$uri" -p "$c" -s "$secs" -g)
	lone=$3 r4=$4
	awk -v c="$c" -v f="$floor" -v s="$single" -v b="$batched" \
	    -v g="$grouped" -v l="$lone" -v r="$r1+$r2+$r3+$r4" -v hz="$hz" \
	    -v fb="$fbatch" \
	    -v t="$secs" -v cf="$((b1 - b0))" -v cs="$((b2 - b1))" 'BEGIN {
	    printf "%7d  %11.0f  %7.0f  %5.2f  %13.0f  %5.2f  %21.0f  %26.0f  %5.2f  %17.0f  %5.2f  %s  %.0f, %.0f\n",
	    c, f, s, s / f, b, b / f, fb * 100, g, g / f, l, l / f, r,
	    cf / hz * 1e6 / (f * t), cs / hz * 1e6 / (s * t) }'
done
