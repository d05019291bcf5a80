/* entry.h - entries, the hash chain and the transactions they record.
 *
 * One entry per transaction, appended to the log under a global sequence.
 * It moves amount from one account to another (HOLD and RELEASE move it
 * between available and held of one account) and records the lots taken
 * from the debited account (out_lots) and added to the credited one
 * (in_lots), so a reversal can put points back where they came from.
 * Each entry links to the previous entry of both its accounts in its
 * asset: a statement walks those links.  Its hash covers the previous
 * entry's hash, its sequence and its bytes. */
#ifndef POINTS_LEDGER_ENTRY_H
#define POINTS_LEDGER_ENTRY_H

#include "points.h"
#include "core/balance.h"
#include "core/db.h"
#include "core/lot.h"

extern points_ksdef points_ledger__entry_ks;
extern points_ksdef points_ledger__txid_ks;

typedef struct points_ent {
	int64_t seq;
	unsigned char txid[POINTS_UUID_LEN];
	int type;
	int64_t time;
	uint32_t asset;
	int64_t from, to, amount;
	int64_t prev_from, prev_to;
	int64_t ref_seq; /* reversal: original; capture/release: the hold */
	char memo[POINTS_MEMO_MAX + 1];
	points_lotlist out_lots, in_lots;
	unsigned char hash[POINTS_HASH_LEN];
} points_ent;

void points_ent__init(points_ent *e, int type, uint32_t asset, int64_t time);
void points_ent__free(points_ent *e);
/* Decode a stored entry (seq is the key). */
int points_ent__decode(points_db *db, int64_t seq, const void *v, size_t vl,
    points_ent *e);
/* Encode without the hash: the bytes the hash covers. */
int points_ent__encode(points_db *db, const points_ent *e, points_buf *b);
void points_ent__hash(const unsigned char prev[POINTS_HASH_LEN], int64_t seq,
    const void *rec, size_t len, unsigned char out[POINTS_HASH_LEN]);
int points_ent__load(points_db *db, int64_t seq, points_ent *e);

/* The log's tail without a cursor: when the handle knows the tail a
 * committed transaction left, the key of the entry after it goes to k
 * (1; else 0): read it with the transaction's other reads and pass what
 * the read gave to points_ledger__tail_probed (POINTS_ENOTFOUND: the
 * known tail is the tail).  points_ledger__append does it by itself
 * otherwise. */
int points_ledger__tail_probe(points_db *db, unsigned char k[8]);
void points_ledger__tail_probed(points_db *db, int rc);
/* Append e: its sequence, id, links and hash; updates the balances'
 * last_seq (from may equal to).  The caller stores the balances. */
int points_ledger__append(points_db *db, points_ent *e, points_bal *from,
    points_bal *to);
/* Fill a points_txn from an entry. */
int points_ledger__txn(points_db *db, const points_ent *e, points_txn *out);
/* The sequence of the transaction with id txid (text: for messages). */
int points_ledger__txid_seq(points_db *db,
    const unsigned char txid[POINTS_UUID_LEN], const char *text,
    int64_t *seq);

#endif
