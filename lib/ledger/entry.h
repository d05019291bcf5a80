/* entry.h - entries, the hash chain and the transactions they record.
 *
 * One entry per transaction, appended to the log under a global sequence.
 * It moves amount from one account to another (HOLD and RELEASE move it
 * between available and held of one account) and records the lots taken
 * from the debited account (out_lots) and added to the credited one
 * (in_lots), so a reversal can put points back where they came from.
 * Each entry links to the previous entry of both its accounts in its
 * asset: a statement walks those links.  Its hash covers the previous
 * entry's hash, its sequence and its bytes.
 *
 * Forward compatibility.  A type number this library does not know
 * (above POINTS_LEDGER_TYPE_MAX) was written by a newer library, in the same
 * record layout: it is read, listed and verified as a generic movement
 * (from's available and to's available move by amount, from's spent and
 * to's earned grow by it, out_lots leave from's lots and in_lots join
 * to's), and operations that must know the type (a reversal) refuse it
 * with POINTS_EVERSION.  A newer library may add a type only if it
 * moves points that way; one that needs the older libraries to do more
 * raises the ledger module's format (LEDGER_FORMAT in entry.c), which
 * they refuse at open.  Type 0 and another record version are corrupt.
 *
 * Extensions.  What an entry carries beyond the movement (a category, an
 * actor, the parties' department and tier, a debt) goes in optional
 * extensions after the version-1 fields: each a tag, a length and that
 * many bytes, tags strictly ascending (record version 2).  An entry with
 * none is written as version 1, byte for byte as 0.1.0 wrote it, so
 * writes that use no extension cost nothing more.  Each module encodes
 * its own extension's bytes; this file only keeps them in order.  A tag
 * this library does not know is skipped: the hash covers the stored
 * bytes, so the entry still verifies.  A newer library adds a tag freely
 * when older ones may ignore it, and raises the ledger module's format
 * when they may not (a tag that changes what the entry moves). */
#ifndef POINTS_LEDGER_ENTRY_H
#define POINTS_LEDGER_ENTRY_H

#include "points.h"
#include "core/balance.h"
#include "core/db.h"
#include "core/lot.h"

extern points_ksdef points_entry__ks;
extern points_ksdef points_entry__txid_ks;
extern points_ksdef points_entry__time_ks;

/* The time index: one key per party of every entry (one when from is
 * to), empty value, so that an account's entries in a time window are a
 * few ranges (statement.c) whatever order their times came in.  The
 * time, as a big-endian number with its sign bit flipped, is split in
 * two around the account:
 *   bucket (6: the time's high 48 bits, about 18 hours) | balance key
 *   (8: account, asset) | the time's low 16 bits (2) | seq (8).
 * Keys of one bucket sit together, so a day's writes all land in one
 * small part of the index, as the log's do, instead of on a page of
 * each account's history (which doubled the pages a batch of earns over
 * many accounts dirties).  A window reads one range per bucket it
 * spans. */
#define POINTS_ENTRY_TIME_KEY_LEN 24
#define POINTS_ENTRY_TIME_BUCKET_BITS 16
/* The bucket of a time (its high 48 bits, sign flipped). */
uint64_t points_entry__time_bucket(int64_t time);
/* The first time of a bucket. */
int64_t points_entry__bucket_time(uint64_t bucket);
void points_entry__time_key(unsigned char k[POINTS_ENTRY_TIME_KEY_LEN],
    int64_t account, uint32_t asset, int64_t time, int64_t seq);
/* The parts of a time index key (1), or 0 when it is not one. */
int points_entry__time_key_parse(const void *k, size_t kl, int64_t *account,
    uint32_t *asset, int64_t *time, int64_t *seq);

/* Extension tags, allotted here so that modules do not collide. */
enum {
	POINTS_ENTRY_EXT_CATEGORY = 1,   /* the write's category */
	POINTS_ENTRY_EXT_ACTOR = 2,      /* who made the write */
	POINTS_ENTRY_EXT_FROM_PARTY = 3, /* from's department and tier then */
	POINTS_ENTRY_EXT_TO_PARTY = 4,   /* to's department and tier then */
	POINTS_ENTRY_EXT_DEBT = 5,       /* debts the entry records or repays:
	                                  * ledger/debt.h has its bytes */
	POINTS_ENTRY_EXT_REVERSED = 6,   /* a reversal after others of the
	                                  * same entry: what they returned
	                                  * (ledger/reversal.h) */
	POINTS_ENTRY_EXT_LEG = 7         /* one of two legs (below) */
};
/* The most bytes of extensions an entry carries. */
#define POINTS_ENTRY_EXT_MAX 1024

typedef struct points_entry_rec {
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
	size_t ext_len; /* bytes of ext in use: 0, none */
	unsigned char ext[POINTS_ENTRY_EXT_MAX];
	unsigned char hash[POINTS_HASH_LEN];
} points_entry_rec;

/* The highest transaction type this library knows. */
#define POINTS_LEDGER_TYPE_MAX POINTS_TXN_FORFEIT
/* 1 when this library knows type (points_entry_rec.type). */
#define points_entry__type_known(type) \
	((type) >= POINTS_TXN_EARN && (type) <= POINTS_LEDGER_TYPE_MAX)

void points_entry__init(points_entry_rec *e, int type, uint32_t asset, int64_t time);
void points_entry__free(points_entry_rec *e);
/* Decode a stored entry (seq is the key). */
int points_entry__decode(points_db *db, int64_t seq, const void *v, size_t vl,
    points_entry_rec *e);
/* Encode without the hash: the bytes the hash covers. */
int points_entry__encode(points_db *db, const points_entry_rec *e, points_buf *b);
/* The entry's link in the chain: BLAKE2b-256 over the previous entry's
 * hash, seq (8 bytes big-endian) and rec.  POINTS_ESTORAGE with a
 * message when libsodium fails. */
int points_entry__hash(points_db *db, const unsigned char prev[POINTS_HASH_LEN],
    int64_t seq, const void *rec, size_t len,
    unsigned char out[POINTS_HASH_LEN]);
int points_entry__load(points_db *db, int64_t seq, points_entry_rec *e);
/* Set extension tag of e to len bytes of v (replacing it if set): kept
 * in tag order.  POINTS_ELIMIT with a message when the entry's
 * extensions would pass POINTS_ENTRY_EXT_MAX. */
int points_entry__ext_set(points_db *db, points_entry_rec *e, unsigned tag,
    const void *v, size_t len);
/* The bytes of extension tag of e: POINTS_OK with *v, *len, or
 * POINTS_ENOTFOUND (no message) when e has none. */
int points_entry__ext_get(const points_entry_rec *e, unsigned tag,
    const void **v, size_t *len);

/* Partitions.  A ledger's log may be in partitions, fixed when it is
 * made: each has its own sequence, hash chain and tail, so that writes
 * to different partitions do not meet at one tail.  An entry's seq is
 * partition << POINTS_ENTRY_PART_BITS | n, n counting from 1 in its
 * partition: with one partition, seq is n, the layout of every ledger
 * made before partitions.  An entry goes to the partition of its user
 * account (account id mod partitions; an entry between two system
 * accounts: from's), so an account's entries are in one partition, in
 * the order they were made. */
#define POINTS_ENTRY_PART_BITS 40
#define POINTS_ENTRY_PARTITIONS_MAX POINTS_PARTITIONS_MAX
/* The partitions of the ledgers this library makes when the open asks
 * for none (points_open_options.partitions 0): 0, the store's default
 * (64 on PostgreSQL, else 1); tests set another. */
extern unsigned points_entry__partitions_new;
/* 1: the ledgers this library makes in partitions keep a system
 * account's entries of its home partition in its own record, as those
 * made before format 5 did (tests of such ledgers set it); 0, the
 * default: in its shard for that partition, as in every other. */
extern int points_entry__system_home_new;
#define points_entry__seq_partition(seq) \
	((unsigned)((uint64_t)(seq) >> POINTS_ENTRY_PART_BITS))
/* The record (core/balance.h) of account that an entry of partition p
 * of parts moves: 0, its own in its home partition, else p + 1, its
 * shard for p.  In a ledger made since format 5 a system account's is
 * its shard in its home partition too (points_entry__system_home): the
 * one record every entry of a partition writes is then written by no
 * entry of another, so writers of different partitions never meet. */
#define points_entry__shard(account, p, parts) \
	((parts) > 1 && (uint64_t)(account) % (parts) != (p) ? (p) + 1 : 0u)
/* The first seq of partition p. */
#define points_entry__part_first(p) \
	((int64_t)((uint64_t)(p) << POINTS_ENTRY_PART_BITS | 1))
/* The ledger's partition count (in a transaction; read once a handle). */
int points_entry__partitions(points_db *db, unsigned *out);
/* The partition of the entries of user account (in a transaction). */
int points_entry__account_partition(points_db *db, int64_t account,
    unsigned *out);
/* The newest entry of partition p as the transaction sees it; its
 * first seq less one when it has none. */
int points_entry__last_seq(points_db *db, unsigned p, int64_t *out);
/* The log's tail without a cursor of its own, read with a write's
 * other reads (in one store call), for the partition of its last append
 * (or the one points_entry__expect names):
 *  - a store that reads ranges (points_db__reads_last): the partition's
 *    last entry, into *last, with its bounds in k[0..16) (returns 1);
 *  - else when the handle knows the tail a committed transaction left
 *    there: the keys of that entry and of the one after it go to
 *    k[0..8) and k[8..16) (returns 2);
 *  - else 0 (an append reads its tail by itself).
 * Pass what the reads gave to points_entry__tail_probed (r the two
 * keys' answers, or last): the tail, and its hash, when it is one.
 * Makes no store call. */
int points_entry__tail_probe(points_db *db, unsigned char k[16],
    points_lastreq *last);
void points_entry__tail_probed(points_db *db, const points_getreq r[2],
    const points_lastreq *last);
/* The write about to read will append to account's partition (a
 * guess: the user account of a posting): the probe above reads that
 * partition's tail instead of the last append's.  Returns the log's
 * partitions (0: not known yet, before the handle's first append), and
 * account's in *part. */
unsigned points_entry__expect(points_db *db, int64_t account,
    unsigned *part);
/* Put the balances of an entry between from and to (loaded as their
 * accounts' own records, from may be to) in the records of its
 * partition (balance.h, shards), before they are changed: every write
 * does, and points_entry__append refuses (POINTS_EMISUSE) a balance not
 * placed.  With one partition, nothing to do. */
int points_entry__place(points_db *db, points_balance_rec *from,
    points_balance_rec *to);
/* The record (balance.h: its shard) to's balance is in for an entry
 * between from and to: what points_entry__place would make it. */
int points_entry__shard_of(points_db *db, const points_balance_rec *from,
    const points_balance_rec *to, unsigned *out);
/* Place b alone in partition p, as points_entry__place does a side. */
int points_entry__place_in(points_db *db, points_balance_rec *b, unsigned p);
/* *out 1 when a system account's own record holds its entries of its
 * home partition (a ledger in partitions made before format 5), 0 when
 * a shard does, as for every other partition (in a transaction). */
int points_entry__system_home(points_db *db, int *out);
/* 1 when system account's entries in partition p move a shard of it,
 * not its own record (the log read: after points_entry__expect named
 * partitions); no store call. */
int points_entry__system_away(points_db *db, int64_t account, unsigned p);
/* Legs.  A movement between two user accounts of different partitions
 * (a transfer, an adjustment, a capture to another user, and their
 * reversals) cannot be one entry: each user's entries are in its own
 * partition.  points_entry__append writes it as two entries of the same
 * type, transaction id, time, amount, memo, ref_seq, category and
 * actor, through the clearing account system:transit (made with every
 * ledger in partitions):
 *   the debit leg, in the payer's partition: payer -> transit, with the
 *     lots the payer gave (out_lots) and the debt it took on (owed);
 *   the credit leg, in the payee's partition: transit -> payee, with
 *     the lots the payee got (in_lots) and the debt they repaid.
 * Each carries extension POINTS_ENTRY_EXT_LEG: a byte, its role (1
 * debit, 2 credit), then varints: the other user, the other leg's seq.
 * Only the debit leg is in the transaction-id index.  Of transit's
 * records only available moves: up by the amount in the payer's
 * partition, down in the payee's, so that they sum to zero.  A reader
 * that wants the movement (points_entry__txn, a reversal) sees from ->
 * to: points_entry__load_whole. */
#define POINTS_ENTRY_LEG_DEBIT 1
#define POINTS_ENTRY_LEG_CREDIT 2
/* The leg extension of e: POINTS_OK with its role, the other user and
 * the other leg's seq; POINTS_ENOTFOUND when e is no leg;
 * POINTS_ECORRUPT (no message) when the bytes are wrong. */
int points_entry__leg(const points_entry_rec *e, int *role, int64_t *peer,
    int64_t *other);
/* The clearing account of a ledger in partitions (0: one partition). */
int points_entry__transit(points_db *db, int64_t *out);
/* Load the entry at seq as the movement it records: a leg as the whole
 * (from the payer to the payee, seq and id of the debit leg, both legs'
 * lots and debts); any other entry as it is. */
int points_entry__load_whole(points_db *db, int64_t seq, points_entry_rec *e);

/* Append e: its sequence, id, links and hash; updates the balances'
 * last_seq (from may equal to).  The caller stores the balances.  From
 * and to, two users of different partitions: the two legs (above), and
 * transit's records are stored here; e gets the debit leg's seq, id and
 * hash. */
int points_entry__append(points_db *db, points_entry_rec *e, points_balance_rec *from,
    points_balance_rec *to);
/* e's category and actor (ledger/meta.h) into out ("" when none). */
void points_entry__meta(const points_entry_rec *e,
    char category[POINTS_CATEGORY_MAX + 1], char actor[POINTS_ACTOR_MAX + 1]);
/* Fill a points_txn from an entry. */
int points_entry__txn(points_db *db, const points_entry_rec *e, points_txn *out);
/* The sequence of the transaction with id txid (text: for messages). */
int points_entry__txid_seq(points_db *db,
    const unsigned char txid[POINTS_UUID_LEN], const char *text,
    int64_t *seq);

#endif
