/* export.c - the ledger's entries as CSV or JSON lines (points/export.h).
 *
 * An iterator over the log by sequence: each fill formats up to a chunk
 * of lines into one buffer, which the next fill reuses, so an export of
 * any length holds one chunk.  A step hands out a copy of one line (the
 * caller's to free) rather than a pointer into the buffer: the bindings
 * then turn it into a string of their language with no lifetime to
 * explain.  A period is a filter on the entries' times, which need not
 * follow the log's order (a posting may carry its own time): a period's
 * export reads the whole log, and reports only what falls in it. */
#include <stdio.h>
#include <string.h>

#include "points.h"
#include "util/alloc.h"
#include "util/calendar.h"
#include "util/codec.h"
#include "util/ids.h"
#include "core/account.h"
#include "core/asset.h"
#include "core/balance.h"
#include "core/db.h"
#include "core/iter.h"
#include "ledger/debt.h"
#include "ledger/entry.h"

/* The columns, in order: CSV's header and JSON's keys (points_export(3)
 * says what each holds; only ever add at the end). */
static const char *const columns[] = {
	"seq", "txn_id", "time", "time_utc", "type", "asset", "decimals",
	"from", "from_external_id", "to", "to_external_id", "amount", "ref",
	"memo", "category", "actor", "debt", "repaid",
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

static const char *const type_names[] = {
	"", "earn", "spend", "transfer", "adjust", "reversal", "expire",
	"hold", "capture", "release", "fund", "defund", "forfeit",
};

/* Where an export stands: whether the header is out, the last entry;
 * a journal's assertions then, from the balance after key bkey (none
 * yet: bstarted 0), and the latest time of its entries (their date). */
struct export_pos {
	int header;
	int64_t seq;
	int assertions_done;
	int bstarted;
	unsigned char bkey[8];
	int64_t last_time;
};

struct points_export_iterator {
	points_iter base;
	int format;
	int64_t from, to;
	/* the log's end when it was made: the last seq of each of its
	 * partitions (ledger/entry.h), read in partition order */
	int64_t *tails;
	unsigned parts;
	struct export_pos pos;
	points_buf text; /* the chunk's lines, each ended by a NUL */
	size_t start[POINTS_ITER_CHUNK];
	points_asset_rec asset; /* the last asset read (id 0: none) */
};

static int export_fill(points_iter *base);
static void export_fini(points_iter *base);
static const points_iter_type export_iter_type = POINTS_ITER_TYPE(
    "export iterator", struct points_export_iterator, pos, export_fill,
    export_fini);

/* A field's separator before column i. */
static void
field_start(struct points_export_iterator *it, size_t i)
{
	points_buf *b = &it->text;
	const char *k = columns[i];

	if (it->format == POINTS_EXPORT_CSV) {
		if (i)
			points_buf__u8(b, ',');
		return;
	}
	points_buf__bytes(b, i ? ",\"" : "{\"", 2);
	points_buf__bytes(b, k, strlen(k));
	points_buf__bytes(b, "\":", 2);
}

static void
put_int(struct points_export_iterator *it, size_t i, int64_t v)
{
	char s[24];
	int n = snprintf(s, sizeof(s), "%lld", (long long)v);

	field_start(it, i);
	points_buf__bytes(&it->text, s, (size_t)n);
}

/* A text field: in CSV quoted (RFC 4180) when it holds a comma, a quote
 * or a line break, quotes doubled; in JSON a string, escaped. */
static void
put_str(struct points_export_iterator *it, size_t i, const char *s)
{
	points_buf *b = &it->text;
	const unsigned char *p;
	char esc[8];

	field_start(it, i);
	if (it->format == POINTS_EXPORT_CSV) {
		if (!strpbrk(s, ",\"\r\n")) {
			points_buf__bytes(b, s, strlen(s));
			return;
		}
		points_buf__u8(b, '"');
		for (; *s; s++) {
			if (*s == '"')
				points_buf__u8(b, '"');
			points_buf__u8(b, (unsigned char)*s);
		}
		points_buf__u8(b, '"');
		return;
	}
	points_buf__u8(b, '"');
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			points_buf__u8(b, '\\');
			points_buf__u8(b, *p);
		} else if (*p == '\n')
			points_buf__bytes(b, "\\n", 2);
		else if (*p == '\r')
			points_buf__bytes(b, "\\r", 2);
		else if (*p == '\t')
			points_buf__bytes(b, "\\t", 2);
		else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			points_buf__bytes(b, esc, 6);
		} else
			points_buf__u8(b, *p);
	}
	points_buf__u8(b, '"');
}

/* A line's end, and the NUL that parts it from the next in the chunk. */
static void
line_end(struct points_export_iterator *it)
{
	if (it->format == POINTS_EXPORT_CSV)
		points_buf__bytes(&it->text, "\r\n", 2);
	else
		points_buf__bytes(&it->text, "}\n", 2);
	points_buf__u8(&it->text, 0);
}

/* 2026-01-02T03:04:05Z */
static void
utc_text(int64_t t, char out[40])
{
	int64_t days = t / 86400, secs = t % 86400;
	points_civil c;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	c = points_cal__civil(days);
	snprintf(out, 40, "%04lld-%02u-%02uT%02d:%02d:%02dZ",
	    (long long)c.year, c.month, c.day, (int)(secs / 3600),
	    (int)(secs / 60 % 60), (int)(secs % 60));
}

static int
format_entry(points_db *db, struct points_export_iterator *it,
    const points_entry_rec *e)
{
	points_txn t;
	points_account from, to;
	char when[40], type[16];
	int rc;

	if ((rc = points_entry__txn(db, e, &t)) ||
	    (rc = points_account__load(db, e->from, &from)) ||
	    (rc = points_account__load(db, e->to, &to)))
		return rc;
	if (it->asset.id != e->asset &&
	    (rc = points_asset__by_id(db, e->asset, &it->asset)))
		return rc;
	utc_text(e->time, when);
	if (points_entry__type_known(e->type))
		snprintf(type, sizeof(type), "%s", type_names[e->type]);
	else
		snprintf(type, sizeof(type), "type_%d", e->type);
	put_int(it, 0, e->seq);
	put_str(it, 1, t.id);
	put_int(it, 2, e->time);
	put_str(it, 3, when);
	put_str(it, 4, type);
	put_str(it, 5, t.asset);
	put_int(it, 6, it->asset.a.decimals);
	put_int(it, 7, e->from);
	put_str(it, 8, from.external_id);
	put_int(it, 9, e->to);
	put_str(it, 10, to.external_id);
	put_int(it, 11, e->amount);
	put_str(it, 12, t.ref);
	put_str(it, 13, t.memo);
	put_str(it, 14, t.category);
	put_str(it, 15, t.actor);
	put_int(it, 16, t.debt);
	put_int(it, 17, t.repaid);
	line_end(it);
	return POINTS_OK;
}

/* ---- The journal (hledger and ledger's plain text accounting) ---- */

/* The parts of an account's balance, each an account of the journal. */
enum { PART_AVAILABLE, PART_HELD, PART_DEBT };
static const char *const part_names[] = { "available", "held", "debt" };

/* A text in a description or a comment: control characters, and the
 * ';' that would start a comment, become spaces. */
static void
put_plain(points_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		points_buf__u8(b, c < 0x20 || c == 0x7f || c == ';' ? ' ' : c);
	}
}

static void
put_text(points_buf *b, const char *s)
{
	points_buf__bytes(b, s, strlen(s));
}

/* An asset's code as a commodity: quoted unless all letters, as the
 * journal format wants of a symbol with digits or '_'. */
static void
put_commodity(points_buf *b, const char *code)
{
	int quote = code[strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")] != 0;

	if (quote)
		points_buf__u8(b, '"');
	put_text(b, code);
	if (quote)
		points_buf__u8(b, '"');
}

/* amount in the asset's smallest unit as a decimal number of its
 * places, then the commodity: -12.50 YE. */
static void
put_amount(points_buf *b, const points_asset *a, int64_t amount)
{
	uint64_t u = amount < 0 ? (uint64_t)0 - (uint64_t)amount :
	    (uint64_t)amount;
	uint64_t scale = 1;
	char s[48];
	int i, n;

	for (i = 0; i < a->decimals; i++)
		scale *= 10;
	if (a->decimals)
		n = snprintf(s, sizeof(s), "%s%llu.%0*llu", amount < 0 ? "-" :
		    "", (unsigned long long)(u / scale), a->decimals,
		    (unsigned long long)(u % scale));
	else
		n = snprintf(s, sizeof(s), "%s%llu", amount < 0 ? "-" : "",
		    (unsigned long long)u);
	points_buf__bytes(b, s, (size_t)n);
	points_buf__u8(b, ' ');
	put_commodity(b, a->code);
}

static void
put_account(points_buf *b, const points_account *acct, int part)
{
	char s[64];
	int n = snprintf(s, sizeof(s), "%s:%lld:%s",
	    acct->flags & POINTS_ACCOUNT_SYSTEM ? "system" : "user",
	    (long long)acct->id, part_names[part]);

	points_buf__bytes(b, s, (size_t)n);
}

/* The journal's date of time t (UTC). */
static void
put_date(points_buf *b, int64_t t)
{
	char when[40];

	utc_text(t, when);
	points_buf__bytes(b, when, 10);
}

/* The header: what the journal is, and a commodity directive for each
 * asset, which gives its decimal places. */
static int
journal_header(points_db *db, struct points_export_iterator *it)
{
	points_buf *b = &it->text;
	points_asset_rec a;
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	int rc, i, decoded = 1;

	put_text(b, "; libpoints journal: a transaction per ledger "
	    "transaction, dated in UTC;\n; accounts user:ID:PART and "
	    "system:ID:PART (available, held, debt: owed\n; points are "
	    "negative); the balances asserted at the end.\n");
	rc = db->store->cursor_open(db->store, db->ks[points_asset__ks.slot],
	    NULL, 0, NULL, 0, 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "asset");
	while ((rc = db->store->cursor_next(db->store, c, &k, &kl, &v,
	    &vl)) == POINTS_OK) {
		if ((rc = points_asset__decode(db, k, kl, v, vl, &a))) {
			decoded = 0; /* it has its message */
			break;
		}
		/* "commodity 1.00 YE": the point says which mark is the
		 * decimal one, the zeros how many places */
		put_text(b, "commodity 1.");
		for (i = 0; i < a.a.decimals; i++)
			points_buf__u8(b, '0');
		points_buf__u8(b, ' ');
		put_commodity(b, a.a.code);
		points_buf__u8(b, '\n');
	}
	db->store->cursor_close(db->store, c);
	if (rc == POINTS_ITEROVER)
		rc = POINTS_OK;
	else if (decoded)
		rc = points_db__store_err(db, rc, "asset");
	if (rc)
		return rc;
	points_buf__u8(b, '\n');
	points_buf__u8(b, 0);
	return POINTS_OK;
}

struct posting {
	const points_account *acct;
	int part;
	int64_t delta;
};

/* Add delta to the part of acct among the n postings p. */
static void
post(struct posting *p, size_t *n, const points_account *acct, int part,
    int64_t delta)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (p[i].acct->id == acct->id && p[i].part == part) {
			p[i].delta += delta;
			return;
		}
	p[*n].acct = acct;
	p[*n].part = part;
	p[(*n)++].delta = delta;
}

/* One transaction: its date, (seq), type and memo, its id and more as
 * tags, then a posting per part of an account that moved: what
 * statement.c's entry_view shows of each side. */
static int
journal_entry(points_db *db, struct points_export_iterator *it,
    const points_entry_rec *e)
{
	points_buf *b = &it->text;
	points_txn t;
	points_account from, to;
	struct posting p[6];
	char when[40], num[32];
	int64_t owed, repaid;
	size_t n = 0, i;
	int rc;

	if ((rc = points_entry__txn(db, e, &t)) ||
	    (rc = points_debt__of(db, e, &owed, &repaid)) ||
	    (rc = points_account__load(db, e->from, &from)) ||
	    (rc = points_account__load(db, e->to, &to)))
		return rc;
	if (it->asset.id != e->asset &&
	    (rc = points_asset__by_id(db, e->asset, &it->asset)))
		return rc;
	switch (e->type) {
	case POINTS_TXN_HOLD:
		post(p, &n, &from, PART_AVAILABLE, -e->amount);
		post(p, &n, &to, PART_HELD, e->amount);
		break;
	case POINTS_TXN_RELEASE:
		post(p, &n, &from, PART_HELD, -e->amount);
		post(p, &n, &to, PART_AVAILABLE, e->amount);
		break;
	case POINTS_TXN_CAPTURE:
		post(p, &n, &from, PART_HELD, -e->amount);
		post(p, &n, &to, PART_AVAILABLE, e->amount);
		break;
	default:
		post(p, &n, &from, PART_AVAILABLE, -e->amount);
		post(p, &n, &to, PART_AVAILABLE, e->amount);
		break;
	}
	/* what was owed did not leave available, what repaid a debt did
	 * not join it: debts are negative */
	if (owed) {
		post(p, &n, &from, PART_AVAILABLE, owed);
		post(p, &n, &from, PART_DEBT, -owed);
	}
	if (repaid) {
		post(p, &n, &to, PART_AVAILABLE, -repaid);
		post(p, &n, &to, PART_DEBT, repaid);
	}
	if (e->time > it->pos.last_time)
		it->pos.last_time = e->time;
	put_date(b, e->time);
	snprintf(num, sizeof(num), " (%lld) ", (long long)e->seq);
	put_text(b, num);
	if (points_entry__type_known(e->type))
		put_text(b, type_names[e->type]);
	else {
		snprintf(num, sizeof(num), "type_%d", e->type);
		put_text(b, num);
	}
	if (t.memo[0]) {
		put_text(b, " | ");
		put_plain(b, t.memo);
	}
	put_text(b, "  ; txn:");
	put_text(b, t.id);
	utc_text(e->time, when);
	put_text(b, ", time:");
	put_text(b, when);
	if (t.ref[0]) {
		put_text(b, ", ref:");
		put_text(b, t.ref);
	}
	if (t.category[0]) {
		put_text(b, ", category:");
		put_text(b, t.category);
	}
	points_buf__u8(b, '\n');
	if (t.actor[0]) {
		put_text(b, "    ; actor: ");
		put_plain(b, t.actor);
		points_buf__u8(b, '\n');
	}
	for (i = 0; i < n; i++) {
		if (!p[i].delta)
			continue;
		put_text(b, "    ");
		put_account(b, p[i].acct, p[i].part);
		put_text(b, "  ");
		put_amount(b, &it->asset.a, p[i].delta);
		points_buf__u8(b, '\n');
	}
	points_buf__u8(b, '\n');
	points_buf__u8(b, 0);
	return POINTS_OK;
}

/* Whether a record's newest entry is past the log's end the export
 * saw (its record moved meanwhile). */
static int
moved_after(const struct points_export_iterator *it, int64_t last_seq)
{
	unsigned p = points_entry__seq_partition(last_seq);

	return p >= it->parts || last_seq > it->tails[p];
}

/* Add the shards of system account b (balance.h: its records in the
 * log's other partitions) to b's figures: its balance is their sum.
 * POINTS_ERETRY when one moved after the export was made. */
static int
add_shards(points_db *db, struct points_export_iterator *it,
    points_balance_rec *b)
{
	unsigned char lo[POINTS_BALANCE_SHARD_KEY_LEN],
	    hi[POINTS_BALANCE_SHARD_KEY_LEN];
	points_balance_rec o;
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	int rc, moved = 0, bad = 0;

	points_balance__shard_key(b->account, b->asset, 0, lo);
	points_balance__shard_key(b->account, b->asset, 0xffff, hi);
	rc = db->store->cursor_open(db->store,
	    db->ks[points_balance__shard_ks.slot], lo, sizeof(lo), hi,
	    sizeof(hi), 0, &c);
	if (rc)
		return points_db__store_err(db, rc, "bal_shard");
	while ((rc = db->store->cursor_next(db->store, c, &k, &kl, &v,
	    &vl)) == POINTS_OK) {
		bad = 1;
		if (kl != sizeof(lo)) {
			rc = points_balance__unreadable(db, b->account);
			break;
		}
		points_balance__init(&o, b->account, b->asset, 1);
		rc = points_balance__decode(db, v, vl, &o, 0);
		points_balance__free(&o); /* the figures stay */
		if (rc)
			break;
		if (points_codec__add(&b->available, o.available) ||
		    points_codec__add(&b->held, o.held) ||
		    points_codec__add(&b->debt, o.debt)) {
			rc = points_balance__unreadable(db, b->account);
			break;
		}
		bad = 0;
		moved |= moved_after(it, o.last_seq);
	}
	db->store->cursor_close(db->store, c);
	if (rc != POINTS_ITEROVER)
		return bad ? rc : points_db__store_err(db, rc, "bal_shard");
	if (moved)
		return points_db__err(db, POINTS_ERETRY, "journal: account "
		    "%lld's balance moved during the export: export again",
		    (long long)b->account);
	return POINTS_OK;
}

/* The balances asserted, a transaction per balance record (account and
 * asset) after the position, up to a chunk, dated with the latest
 * entry: each part of the balance as stored.  A balance that moved
 * after the iterator was made would not match the entries exported:
 * POINTS_ERETRY. */
static int
journal_assertions(points_db *db, struct points_export_iterator *it,
    int *end)
{
	points_iter *base = &it->base;
	points_buf *b = &it->text;
	points_balance_rec bal;
	points_account acct;
	points_cursor *c;
	const void *k, *v;
	size_t kl, vl;
	int64_t accounts[POINTS_ITER_CHUNK];
	uint32_t assets[POINTS_ITER_CHUNK];
	size_t n = 0, i;
	unsigned char lo[8];
	int rc, part, bad_key = 0;

	*end = 0;
	if (it->pos.bstarted) {
		memcpy(lo, it->pos.bkey, 8);
		for (i = 8; i > 0 && ++lo[i - 1] == 0; i--)
			;
		if (i == 0) {
			*end = 1;
			return POINTS_OK;
		}
	}
	/* the keys first: other reads must not run under the cursor */
	rc = db->store->cursor_open(db->store, db->ks[points_balance__ks.slot],
	    it->pos.bstarted ? lo : NULL, it->pos.bstarted ? 8 : 0, NULL, 0,
	    0, &c);
	if (rc)
		return points_db__store_err(db, rc, "balance");
	/* as many as the chunk has room for, after its entries */
	while (n < POINTS_ITER_CHUNK - base->n && (rc = db->store->cursor_next(
	    db->store, c, &k, &kl, &v, &vl)) == POINTS_OK) {
		if (kl != 8) {
			rc = points_db__err(db, POINTS_ECORRUPT,
			    "balance key unreadable");
			bad_key = 1;
			break;
		}
		points_balance__key_parse(k, &accounts[n], &assets[n]);
		n++;
	}
	db->store->cursor_close(db->store, c);
	if (rc == POINTS_ITEROVER)
		*end = 1;
	else if (rc != POINTS_OK)
		return bad_key ? rc : points_db__store_err(db, rc, "balance");
	for (i = 0; i < n; i++) {
		points_balance__init(&bal, accounts[i], assets[i], 0);
		rc = points_balance__load(db, &bal);
		points_balance__free(&bal); /* the figures stay */
		if (rc == POINTS_OK && moved_after(it, bal.last_seq))
			rc = points_db__err(db, POINTS_ERETRY, "journal: "
			    "account %lld's balance moved during the export: "
			    "export again", (long long)accounts[i]);
		if (rc == POINTS_OK && bal.system && it->parts > 1)
			rc = add_shards(db, it, &bal);
		if (rc == POINTS_OK)
			rc = points_account__load(db, accounts[i], &acct);
		if (rc == POINTS_OK && it->asset.id != assets[i])
			rc = points_asset__by_id(db, assets[i], &it->asset);
		if (rc)
			return rc;
		it->start[base->n++] = b->len;
		put_date(b, it->pos.last_time);
		put_text(b, " balances  ; ");
		put_plain(b, acct.external_id);
		points_buf__u8(b, '\n');
		for (part = PART_AVAILABLE; part <= PART_DEBT; part++) {
			int64_t have = part == PART_AVAILABLE ? bal.available :
			    part == PART_HELD ? bal.held : -bal.debt;

			put_text(b, "    ");
			put_account(b, &acct, part);
			put_text(b, "  ");
			put_amount(b, &it->asset.a, 0);
			put_text(b, " = ");
			put_amount(b, &it->asset.a, have);
			points_buf__u8(b, '\n');
		}
		points_buf__u8(b, '\n');
		points_buf__u8(b, 0);
		points_balance__key(accounts[i], assets[i], it->pos.bkey);
		it->pos.bstarted = 1;
	}
	return POINTS_OK;
}

/* Whether the export has read every entry up to the log's end it saw:
 * first past the partitions it has read to their end (pos.seq then
 * stands before the next one's first). */
static int
entries_done(struct points_export_iterator *it)
{
	unsigned p = points_entry__seq_partition(it->pos.seq);

	while (it->pos.seq >= it->tails[p] && p + 1 < it->parts) {
		p++;
		it->pos.seq = points_entry__part_first(p) - 1;
	}
	return it->pos.seq >= it->tails[p];
}

/* Whether the log had no entry when the export was made. */
static int
log_empty(const struct points_export_iterator *it)
{
	unsigned p;

	for (p = 0; p < it->parts; p++)
		if (it->tails[p] >= points_entry__part_first(p))
			return 0;
	return 1;
}

static int
export_fill(points_iter *base)
{
	struct points_export_iterator *it = (void *)base;
	points_db *db = base->db;
	points_entry_rec e;
	size_t i;
	int rc = POINTS_OK, end;

	points_buf__reset(&it->text);
	if (!it->pos.header && it->format == POINTS_EXPORT_CSV) {
		it->start[base->n++] = 0;
		for (i = 0; i < NCOLUMNS; i++) {
			if (i)
				points_buf__u8(&it->text, ',');
			points_buf__bytes(&it->text, columns[i],
			    strlen(columns[i]));
		}
		points_buf__bytes(&it->text, "\r\n", 2);
		points_buf__u8(&it->text, 0);
	} else if (!it->pos.header && it->format == POINTS_EXPORT_JOURNAL) {
		it->start[base->n++] = 0;
		rc = journal_header(db, it);
	}
	it->pos.header = 1;
	points_entry__init(&e, 0, 0, 0);
	while (rc == POINTS_OK && base->n < POINTS_ITER_CHUNK &&
	    !entries_done(it)) {
		if ((rc = points_entry__load(db, it->pos.seq + 1, &e)))
			break;
		it->pos.seq++;
		if (e.time < it->from || (it->to && e.time >= it->to))
			continue;
		it->start[base->n++] = it->text.len;
		rc = it->format == POINTS_EXPORT_JOURNAL ?
		    journal_entry(db, it, &e) : format_entry(db, it, &e);
	}
	points_entry__free(&e);
	/* a journal ends with its balances, if it has an entry */
	if (rc == POINTS_OK && it->format == POINTS_EXPORT_JOURNAL &&
	    entries_done(it) && !it->pos.assertions_done &&
	    base->n < POINTS_ITER_CHUNK) {
		if (log_empty(it))
			it->pos.assertions_done = 1;
		else if ((rc = journal_assertions(db, it, &end)) == POINTS_OK)
			it->pos.assertions_done = end;
	}
	if (rc == POINTS_OK && it->text.err)
		rc = points_db__err(db, POINTS_ENOMEM, "out of memory");
	if (rc)
		return rc;
	base->done = entries_done(it) &&
	    (it->format != POINTS_EXPORT_JOURNAL || it->pos.assertions_done);
	return POINTS_OK;
}

static void
export_fini(points_iter *base)
{
	struct points_export_iterator *it = (void *)base;

	points_buf__free(&it->text);
	points_alloc__free(it->tails);
}

POINTS_EXTERN int
points_export_iterator_new(points_db *db, int format, int64_t from,
    int64_t to, points_export_iterator **out)
{
	points_iter *base = NULL;
	struct points_export_iterator *it;
	int64_t *tails = NULL;
	unsigned parts = 0, p;
	int rc;

	if ((rc = points_db__check_db(db)))
		return rc;
	if (!out)
		return points_db__err(db, POINTS_EINVAL, "out is required");
	if (format != POINTS_EXPORT_CSV && format != POINTS_EXPORT_JSONL &&
	    format != POINTS_EXPORT_JOURNAL)
		return points_db__err(db, POINTS_EINVAL,
		    "export: unknown format %d", format);
	/* its balances assert the whole history */
	if (format == POINTS_EXPORT_JOURNAL && (from || to))
		return points_db__err(db, POINTS_EINVAL, "export: a journal "
		    "holds the whole ledger (from 0, to 0), as its balance "
		    "assertions need");
	if (from < 0 || to < 0 || (to && to < from))
		return points_db__err(db, POINTS_EINVAL, "export: bad time "
		    "range: from %lld, to %lld", (long long)from,
		    (long long)to);
	if ((rc = points_db__read_begin(db)))
		return rc;
	rc = points_entry__partitions(db, &parts);
	if (rc == POINTS_OK && !(tails = points_alloc__malloc(
	    parts * sizeof(*tails))))
		rc = points_db__err(db, POINTS_ENOMEM, "out of memory");
	for (p = 0; rc == POINTS_OK && p < parts; p++)
		rc = points_entry__last_seq(db, p, &tails[p]);
	if (rc == POINTS_OK)
		rc = points_iter__new(db, &export_iter_type, sizeof(*it), &base);
	points_db__read_end(db);
	if (rc) {
		points_alloc__free(tails);
		return rc;
	}
	it = (void *)base;
	it->format = format;
	it->from = from;
	it->to = to;
	it->tails = tails;
	it->parts = parts;
	points_buf__init(&it->text);
	*out = it;
	return POINTS_OK;
}

POINTS_EXTERN int
points_export_next(points_export_iterator *it, char **out)
{
	int rc = points_iter__step(POINTS_ITER_BASE(it), &export_iter_type,
	    out);
	const char *line;
	char *copy;
	size_t n;

	if (rc != POINTS_OK)
		return rc;
	line = (const char *)it->text.data + it->start[it->base.i];
	n = strlen(line);
	if (!(copy = points_alloc__malloc(n + 1)))
		return points_db__err(it->base.db, POINTS_ENOMEM,
		    "out of memory");
	memcpy(copy, line, n + 1);
	it->base.i++;
	*out = copy;
	return POINTS_OK;
}

POINTS_EXTERN void
points_export_iterator_free(points_export_iterator *it)
{
	points_iter__free(POINTS_ITER_BASE(it));
}
