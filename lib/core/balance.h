/* balance.h - one compact record per (account, asset): the balances and
 * the open lots inline.  88% of the pages a posting dirties are balance
 * pages, so this record is kept small (varints, lots merged by day).
 *
 * The sweep index holds one key per balance that has expiring lots, at a
 * day no later than its earliest lot (idx_day).  A credit writes the
 * index only when it brings the balance's first or earliest lot; a debit
 * never moves it, except to drop it with the last expiring lot.  The
 * sweep moves it to the earliest lot left. */
#ifndef POINTS_CORE_BALANCE_H
#define POINTS_CORE_BALANCE_H

#include "points.h"
#include "core/db.h"
#include "core/lot.h"
#include "core/lot_spill.h"

extern points_ksdef points_balance__ks;
extern points_ksdef points_balance__sweep_ks;
extern points_ksdef points_balance__shard_ks;

/* Shards.  When the log is in partitions (ledger/entry.h), an account's
 * record is the one of its home partition (account id mod the
 * partitions); a system account, whose entries are in every partition,
 * has one more record (a shard) for each other partition it has entries
 * in, under the shard keyspace: the balance key then the partition
 * (be16).  So writes to different partitions never write one record.
 * Its balance is the sum of its records.  The key of a shard: */
#define POINTS_BALANCE_SHARD_KEY_LEN 10
void points_balance__shard_key(int64_t account, uint32_t asset,
    unsigned part, unsigned char k[POINTS_BALANCE_SHARD_KEY_LEN]);

typedef struct points_balance_rec {
	int64_t account;
	uint32_t asset;
	int system;       /* a system account keeps no lots */
	/* The account's status and flags, kept here too so that a posting
	 * need not read the account; freeze and close rewrite them. */
	int status;
	unsigned flags;
	/* The account's department and tier (party.h; 0: none, and always
	 * for system accounts), kept for the entries as status is. */
	uint32_t party;
	int found;        /* the record existed */
	int64_t available, held, earned, spent, expired;
	/* available as the store holds it (decoded, or last stored; 0 for
	 * a new record): what a balance_storing hook compares with
	 * (module.h) */
	int64_t stored_available;
	/* Points the account owes (debt.h): a reversal took back more than
	 * it had available; its next credits repay it first.  >= 0. */
	int64_t debt;
	int64_t last_seq; /* the account's newest entry in this asset (in
	                   * this record's partition) */
	/* 0: the account's own record; p + 1: its shard for partition p.
	 * Loaded and stored under that key; a shard keeps the status,
	 * flags and party the own record had when it was placed. */
	unsigned shard;
	/* A system account of a ledger in partitions, placed: the number
	 * of partitions (else 0).  Its other records count in what a debit
	 * may take, and their sum must fit int64 (points_balance__place). */
	unsigned partitioned;
	/* Such an account's mark, kept in its own record: one of its
	 * records has held more than its share (points_balance__share) of
	 * available or of a lifetime counter, so a write to any of them
	 * checks their sum.  Without it each stays within its share, and
	 * so their sums fit: a write that keeps its record within its share
	 * need not read the others.  Stored in the own record's flags
	 * (POINTS_BALANCE_WIDE, never an account's); read into every record
	 * when it is placed. */
	int wide;
	/* Its other records (its own, its shards) as stored, summed once a
	 * write by points_balance__others: available exactly, as 128 bits
	 * (rest_hi:rest_lo), the lifetime counters saturated.  rest_read 0:
	 * not read yet. */
	int rest_read;
	int64_t rest_hi;
	uint64_t rest_lo;
	int64_t rest_earned, rest_spent;
	/* The lots: the earliest inline, at most a bound of them; later
	 * ones spilled to their own keys (lot_spill.h), which spill says
	 * how many and how much.  Go through the points_balance__*lot*
	 * functions below, which see both. */
	points_lotlist lots;
	points_lot_spill spill;
	/* Pending points (points_balance__pend): by the last day each is
	 * pending (lotrec.day), merged by day.  They are in available and
	 * in the lots like any credit, but not spendable until that day
	 * has passed in the ledger's clock; nothing is written when it
	 * passes (a store drops the items of past days). */
	points_lotlist pend;
	uint32_t idx_day; /* the balance's sweep index key; 0: none */
	int reindex;      /* lots expired: store moves the key exactly */
	/* Module data (points_balance__data_*): as stored, (tag, length,
	 * bytes) for each, tags ascending; kept as it is by every write.
	 * Heap memory, freed by points_balance__free. */
	unsigned char *data;
	size_t datalen, datacap;
} points_balance_rec;

/* Module data: a module above the core may keep a few bytes per
 * balance (account and asset) in its record, so that what it updates
 * beside a posting dirties no page of its own: the rules' cap counters
 * are written with the balance the award credits, not as one more
 * random write.  Each module owns a tag, listed here. */
#define POINTS_BALANCE_DATA_RULE_CAPS 16 /* rules/event.c: cap counters */
#define POINTS_BALANCE_DATA_TIER_EARN 17 /* rules/tier.c: months earned */
#define POINTS_BALANCE_DATA_TAG_MAX 63
#define POINTS_BALANCE_DATA_MAX 65536 /* bytes of one module's data */

/* Add v to a lifetime counter that expiry moves (a user's expired, the
 * expiry account's earned): it saturates at INT64_MAX (and INT64_MIN)
 * instead of failing, so that no counter can block expiry.
 * points_verify recomputes these counters with the same rule. */
static inline void
points_balance__counter_sat(int64_t *c, int64_t v)
{
	if (v > 0 && *c > INT64_MAX - v)
		*c = INT64_MAX;
	else if (v < 0 && *c < INT64_MIN - v)
		*c = INT64_MIN;
	else
		*c += v;
}

void points_balance__init(points_balance_rec *b, int64_t account, uint32_t asset,
    int system);
void points_balance__free(points_balance_rec *b);
/* POINTS_ECORRUPT, saying account's balance record is unreadable. */
int points_balance__unreadable(points_db *db, int64_t account);
/* Load from the store; a missing record is a zero balance. */
int points_balance__load(points_db *db, points_balance_rec *b);
/* points_balance_get inside a transaction: what account has of asset
 * (code) now, as the public record; out is written only on success. */
int points_balance__read(points_db *db, int64_t account, const char *asset,
    points_balance *out);
/* Write the record and keep its sweep index key; exact moves the key to
 * the earliest lot even when it is earlier already (the sweep). */
int points_balance__store(points_db *db, points_balance_rec *b, int exact);
/* The balance's pending points on day today (points_db__today): those
 * of items whose last pending day is today or later, at most what is
 * available (expiry may have taken some).  Not spendable. */
int64_t points_balance__locked(const points_balance_rec *b, int64_t today);
/* available less the locked points: what a debit may take. */
int64_t points_balance__spendable(points_db *db, const points_balance_rec *b);
/* Mark amount of b's available points (just credited) pending through
 * day last (inclusive), at most what is available and not pending
 * already (a credit that repaid a debt made less available).  *out
 * (may be NULL): the amount marked.  In memory: the caller stores b. */
int points_balance__pend(points_db *db, points_balance_rec *b, uint32_t last,
    int64_t amount, int64_t *out);
/* Take up to amount out of b's item of day last (a refund of what made
 * it, before the reversal debits): those points become spendable for
 * the debit that follows.  In memory; *out (may be NULL): the amount. */
void points_balance__unpend(points_db *db, points_balance_rec *b,
    uint32_t last, int64_t amount, int64_t *out);
/* Credit lots of the balance (user accounts only). */
int points_balance__add_lot(points_db *db, points_balance_rec *b, uint32_t day,
    int64_t amount);
/* The points of all the balance's lots, inline and spilled. */
int64_t points_balance__lot_sum(const points_balance_rec *b);
/* Take amount from the lots as points_lotlist__take does (prefer first,
 * then earliest), spilled ones included. */
int points_balance__take(points_db *db, points_balance_rec *b, int64_t amount,
    const points_lotlist *prefer, points_lotlist *taken);
/* Take every lot due before today, spilled ones included, pushing them
 * to taken; *sum their points. */
int points_balance__take_due(points_db *db, points_balance_rec *b,
    uint32_t today, points_lotlist *taken, int64_t *sum);
/* Append the balance's spilled lots of days from from_day on to its
 * inline list (so b->lots lists them all in day order), at most max
 * of them (0: all): for reads that list lots.  The record must not be
 * stored after. */
int points_balance__load_spilled(points_db *db, points_balance_rec *b,
    uint32_t from_day, size_t max);
/* The earliest expiring lot's day, 0 when there is none. */
uint32_t points_balance__first_day(const points_balance_rec *b);
void points_balance__sweep_key(unsigned char k[16], uint32_t day,
    int64_t account, uint32_t asset);
/* Decode a record; with lots == 0 the lots are skipped (a lookup). */
int points_balance__decode(points_db *db, const void *v, size_t vl,
    points_balance_rec *b, int lots);
/* Load what a get of the balance's key gave (rc POINTS_OK with the
 * value, or POINTS_ENOTFOUND: a zero balance), as points_balance__load
 * does: for reads made together (points_db__get_many). */
int points_balance__fetched(points_db *db, points_balance_rec *b, int rc,
    const void *v, size_t vl);
/* Load the balance of a posting's party and check that the account may
 * take part: want_user 1 needs a user account, -1 a system account, 0
 * either; frozen accounts only when allow_frozen.  The account itself is
 * read only when the balance is new, or to name it in an error. */
int points_balance__load_party(points_db *db, points_balance_rec *b, int want_user,
    int allow_frozen);
/* The check of points_balance__load_party, on a balance loaded already
 * (reads the account when the balance is new). */
int points_balance__check_party(points_db *db, points_balance_rec *b, int want_user,
    int allow_frozen);
/* The account's external id for a message, or "#id". */
void points_balance__label(points_db *db, int64_t account, char *out,
    size_t cap);
/* Write the account's status into each of its balance records. */
int points_balance__set_status(points_db *db, int64_t account, int status);
/* Write the account's party (party.h) into each of its balance records. */
int points_balance__set_party(points_db *db, int64_t account, uint32_t party);
/* The party a user account's balances keep: its department and tier's
 * (0 for a system account or none), made when new. */
int points_balance__party_of(points_db *db, const points_account *a,
    uint32_t *out);
/* POINTS_ESTATE with a message unless every asset balance is zero. */
int points_balance__all_zero(points_db *db, const points_account *a);
/* Module data tag of a decoded record: *p and *n the bytes (borrowed
 * from b), or 0 when it has none. */
int points_balance__data_get(const points_balance_rec *b, unsigned tag,
    const unsigned char **p, size_t *n);
/* Set (n > 0) or remove (n == 0) module data tag of b, in memory: the
 * caller stores b. */
int points_balance__data_set(points_db *db, points_balance_rec *b,
    unsigned tag, const void *p, size_t n);
/* Module data tag of the stored balance of (account, asset), read
 * without decoding its lots: POINTS_OK with *p and *n borrowed until the
 * next store call, or POINTS_ENOTFOUND (no balance, or no such data). */
int points_balance__data_peek(points_db *db, int64_t account, uint32_t asset,
    unsigned tag, const void **p, size_t *n);
/* Write module data tag of a user account's balance of asset (n == 0:
 * remove it), all else as it is; a balance not there yet is made, at
 * zero (points_verify accepts a record of nothing but module data). */
int points_balance__data_write(points_db *db, int64_t account, uint32_t asset,
    unsigned tag, const void *p, size_t n);

/* Make b, loaded as the account's own record, the record of log
 * partition part (of parts) when that is not the account's home, or b
 * is a system account's and not sys_home (ledger/entry.h: a ledger made
 * since format 5): its shard, loaded, with the own record's status,
 * flags and party.  Only a system account has shards: a user account's
 * records are all its own (POINTS_EINVAL, naming it).  Before b is
 * changed. */
int points_balance__place(points_db *db, points_balance_rec *b, unsigned part,
    unsigned parts, int sys_home);
/* What one record of a system account in partitions may hold without
 * the mark wide (balance.h): INT64_MAX / partitions, either way, so that
 * the sum of its records fits int64. */
static inline int
points_balance__in_share(const points_balance_rec *b, int64_t v)
{
	int64_t share = INT64_MAX / (int64_t)b->partitioned;

	return v <= share && v >= -share;
}
/* Set the mark wide of b's account (b: one of its records): in its own
 * record, stored now unless b is it (then stored with b). */
int points_balance__mark_wide(points_db *db, points_balance_rec *b);
/* Read the sums of b's other records (b: a system account's record, own
 * or shard) into b's rest_* fields, once: a second call reads nothing. */
int points_balance__others(points_db *db, points_balance_rec *b);
/* The available points of b's account: b's (as it is now) and its other
 * records' (points_balance__others, read first).  POINTS_ECORRUPT, the
 * record unreadable, when the sum passes int64. */
int points_balance__total_available(points_db *db, const points_balance_rec *b,
    int64_t *out);
/* The same for a lifetime counter (POINTS_BALANCE_EARNED or _SPENT) of
 * b's with v added: POINTS_EOVERFLOW (no message) when the sum of the
 * records' would pass int64, as a record's own counter may not. */
#define POINTS_BALANCE_EARNED 1
#define POINTS_BALANCE_SPENT 2
int points_balance__total_counter(const points_balance_rec *b, int which,
    int64_t v);

/* The key of the balance of (account, asset): account << 16 | asset,
 * big-endian.  0 when the ids cannot have a balance (an account id not
 * in 1..POINTS_ACCOUNT__ID_MAX, an asset id not in
 * 1..POINTS_ASSET__ID_MAX): no such account or asset can exist. */
int points_balance__key(int64_t account, uint32_t asset, unsigned char k[8]);
/* The first key of an account's balances (lo) and the first past them
 * (hi). */
void points_balance__account_range(int64_t account, unsigned char lo[8],
    unsigned char hi[8]);
/* The account and asset of a balance key. */
void points_balance__key_parse(const unsigned char k[8], int64_t *account,
    uint32_t *asset);

#endif
