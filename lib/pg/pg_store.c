/* pg_store.c - the storage vtable over PostgreSQL (pg.h), with libpq.
 *
 * A keyspace is a table pk_NAME (k bytea primary key, v bytea not null):
 * bytea compares as memcmp, the shorter first on a common prefix, which
 * is the order the contract asks for.  Every statement is prepared once
 * per connection, with keys and values as binary parameters.  A cursor
 * reads its range in batches, each a fresh ranged SELECT after the last
 * key it returned: the library only deletes or replaces that key while
 * a cursor is open, so the rows of a batch stay what the range holds.
 * get_many sends its lookups in one pipeline: one round trip; so does
 * read_many, a range's last key a reverse SELECT of one row.
 *
 * Puts, deletes, savepoints and releases are buffered (keys and values
 * copied) and sent as one pipeline with the next call that must reach
 * the server, as BEGIN is: a read (get, get_many, a cursor's next batch), commit
 * (with its COMMIT) or rollback_to; or on their own when the buffer
 * passes BUF_OPS operations or BUF_BYTES bytes.  A read sent after them
 * sees them.  rollback_to whose savepoint is still in the buffer drops
 * what follows it there, with no round trip.  A buffered operation that
 * fails when sent fails the call that sent it, and every call after it
 * but rollback: the transaction is over.
 *
 * get_many's answers are kept, with their keys, until the transaction
 * writes one of those keys (a put or delete lets that one go), rolls
 * back to a savepoint or ends: a get of one of them is answered from
 * what get_many read, with no round trip (a transaction reads one
 * snapshot, and its own writes).  A write names in its first get_many
 * a record it reads later, so that the later read costs nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "points.h"
#include "pg/pg.h"

#define NAME_MAX_ 32
#define SP_MAX 64
#define BATCH_FIRST "16"  /* rows a cursor reads first: most read few */
#define BATCH_NEXT "256"
#define BUF_OPS 256          /* buffered operations sent on their own */
#define BUF_BYTES (1u << 20) /* past this many bytes of keys and values */
#define READ_MAX 64          /* reads of one read_many */
/* How long a statement waits for a row another transaction holds.
 * Under SERIALIZABLE the wait buys nothing when that transaction
 * commits (ours then fails as a serialization failure), and a write
 * between log partitions that waits on another waiting for it is a
 * deadlock, which the server finds only after deadlock_timeout (1 s by
 * default): giving up early (SQLSTATE 55P03) is the core's retry code,
 * as the others are. */
#define LOCK_TIMEOUT "50ms"
/* A write transaction that follows conflicts on its connection
 * (ALONE_AFTER) runs alone among writers.  Every write transaction
 * locks the gate, a table of no rows, before its first write reaches
 * the server: shared (ROW EXCLUSIVE) as a rule; EXCLUSIVE, and before
 * it reads (LOCK sets no snapshot), when it runs alone.  That one so
 * waits for the writers in flight, reads what they committed, and no
 * other writes until it ends: it cannot conflict again.  Transactions
 * that conflict over and over (batches of accounts all over the
 * ledger) then take turns instead of failing each other.  It waits up
 * to ALONE_WAIT for the writers in flight; one it holds up at its first
 * write gives up after LOCK_TIMEOUT, a conflict as any other.  A writer
 * waits for the gate holding no other lock a writer takes: no
 * deadlock. */
#define ALONE_WAIT "1s"
/* Conflicts in a row before a transaction runs alone: one that runs
 * alone holds every writer up, and a lone earn run again right away
 * mostly gets through.  After one alone commits, one more conflict is
 * enough: a connection whose batches conflict runs them alone, with
 * one attempt lost in between, not two. */
#define ALONE_AFTER 2
enum { GATE_SHARED = 1, GATE_ALONE };

enum { S_GET, S_PUT, S_DEL, S_FWD, S_FWD_HI, S_REV, S_REV_LO, NSTMT };

struct points_keyspace {
	struct pg_store *store;
	char name[NAME_MAX_ + 1];
	unsigned int flags;
	int intkey;       /* keys are 8 bytes below 2^63 */
	unsigned gen;     /* the connection its statements were made on */
	int nprep;        /* how many of them are made on it */
	points_keyspace *next;
};

struct points_cursor {
	struct pg_store *s;
	points_keyspace *ks;
	int reverse, done, dead;
	unsigned char *lo, *hi; /* copies; NULL: unbounded */
	size_t lolen, hilen;
	unsigned char *last;    /* the last key returned */
	size_t lastlen, lastcap;
	int started;
	PGresult *batch;
	int row, nrows, full;   /* full: the batch had all the rows asked */
	points_cursor *next;
};

/* A buffered operation: its key, then its value, at bytes + off. */
enum { OP_PUT, OP_DEL, OP_SAVEPOINT, OP_RELEASE };

typedef struct pg_op {
	int kind;
	int sp;                 /* savepoint, release: the savepoint's number */
	points_keyspace *ks;
	size_t off, klen, vlen;
} pg_op;

typedef struct pg_store {
	points_store base;
	PGconn *conn;
	unsigned gen;           /* connections made: statements per one */
	int broken;             /* a pipeline left unread: connect again */
	int in_txn, write, nsp;
	PGresult *res;          /* what the last get returned */
	PGresult **many;        /* get_many's results (NULL: let go) */
	size_t nmany, manycap;
	size_t ahead;           /* of them, the ones a get may answer from */
	points_keyspace **mks;  /* their keyspaces, and keys at mkeys + moff */
	size_t *moff, *mlen;
	unsigned char *mkeys;
	size_t mkeycap;
	points_keyspace *kss;
	points_cursor *cursors;
	pg_op *ops;             /* buffered, not yet sent */
	size_t nops, opcap;
	unsigned char *bytes;   /* their keys and values */
	size_t nbytes, bytecap;
	int piping;             /* in pipeline mode, sending */
	const char *begin;      /* the BEGIN not sent yet, or NULL */
	size_t begin_sent;      /* the pipeline starts with so many: BEGIN,
	                         * and what runs a transaction alone */
	int gated;              /* this transaction locked the gate:
	                         * GATE_SHARED or GATE_ALONE */
	int conflicted;         /* this write transaction conflicted */
	int conflicts;          /* so many in a row did (ALONE_AFTER) */
	int failed;             /* a buffered operation failed: its code */
	char schema[64];        /* the ledger's */
	char errmsg[512];
} pg_store;

/* ---- Errors ---- */

static int
own_err(pg_store *s, int code, const char *fmt, const char *what)
{
	snprintf(s->errmsg, sizeof(s->errmsg), fmt, what);
	return code;
}

/* The code for a failed result (or none: the connection) of what, with
 * PostgreSQL's message. */
static int
pg_fail(pg_store *s, PGresult *r, const char *what)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorMessage(r) : "";
	size_t n;
	int code = POINTS_ESTORAGE;

	if (!msg || !*msg)
		msg = PQerrorMessage(s->conn);
	snprintf(s->errmsg, sizeof(s->errmsg), "%s: %s", what, msg);
	n = strlen(s->errmsg);
	while (n > 0 && (s->errmsg[n - 1] == '\n' || s->errmsg[n - 1] == ' '))
		s->errmsg[--n] = '\0';
	/* 57014, a cancel: the server reports the lock timeout so when the
	 * wait ended just as it fired (seen under eight writers) */
	if (state && (strcmp(state, "40001") == 0 ||
	    strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0 ||
	    strcmp(state, "57014") == 0)) {
		code = POINTS_ERETRY;
		if (s->in_txn && s->write)
			s->conflicted = 1;
	}
	else if (state && (strcmp(state, "54000") == 0 ||
	    strcmp(state, "54001") == 0))
		code = POINTS_ELIMIT;
	else if (state && strcmp(state, "53200") == 0)
		code = POINTS_ENOMEM;
	return code;
}

/* Run sql (no parameters) and expect no rows. */
static int
exec_cmd(pg_store *s, const char *sql, const char *what)
{
	PGresult *r = PQexec(s->conn, sql);
	int rc = POINTS_OK;

	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = pg_fail(s, r, what);
	PQclear(r);
	return rc;
}

/* ---- Statements ---- */

static void
stmt_name(char *out, size_t n, const points_keyspace *ks, int i)
{
	snprintf(out, n, "p%d_%s", i, ks->name);
}

/* Prepare ks's statements on this connection, if not yet. */
static int
prepare(pg_store *s, points_keyspace *ks)
{
	static const char *const sql[NSTMT] = {
		"SELECT v FROM pk_%s WHERE k = $1",
		"INSERT INTO pk_%s (k, v) VALUES ($1, $2) ON CONFLICT (k) "
		    "DO UPDATE SET v = EXCLUDED.v",
		"DELETE FROM pk_%s WHERE k = $1",
		"SELECT k, v FROM pk_%s WHERE k >= $1 ORDER BY k LIMIT $2",
		"SELECT k, v FROM pk_%s WHERE k >= $1 AND k < $2 ORDER BY k "
		    "LIMIT $3",
		"SELECT k, v FROM pk_%s ORDER BY k DESC LIMIT $1",
		"SELECT k, v FROM pk_%s WHERE k < $1 AND k >= $2 ORDER BY k "
		    "DESC LIMIT $3",
	};
	char text[256], name[64];
	int rc = POINTS_OK;

	if (ks->gen != s->gen) {
		ks->gen = s->gen;
		ks->nprep = 0;
	}
	/* one that failed (a lock it waited for) is made again next time,
	 * after those made already */
	while (ks->nprep < NSTMT && rc == POINTS_OK) {
		PGresult *r;

		snprintf(text, sizeof(text), sql[ks->nprep], ks->name);
		stmt_name(name, sizeof(name), ks, ks->nprep);
		r = PQprepare(s->conn, name, text, 0, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = pg_fail(s, r, "prepare");
		else
			ks->nprep++;
		PQclear(r);
	}
	return rc;
}

/* ---- The buffer and pipelines ---- */

static void
buf_clear(pg_store *s)
{
	s->nops = 0;
	s->nbytes = 0;
	/* one large value does not keep its memory for the store's life */
	if (s->bytecap > 2 * BUF_BYTES) {
		free(s->bytes);
		s->bytes = NULL;
		s->bytecap = 0;
	}
}

static const char *
op_name(int kind)
{
	static const char *const names[] = { "put", "del", "savepoint",
	    "release" };

	return names[kind];
}

/* Queue one buffered operation in the pipeline. */
static int
send_op(pg_store *s, const pg_op *op)
{
	char name[64];
	const char *v[2];
	int len[2], fmt[2] = { 1, 1 };

	if (op->kind == OP_SAVEPOINT || op->kind == OP_RELEASE) {
		snprintf(name, sizeof(name), "%s p%d", op->kind == OP_SAVEPOINT ?
		    "SAVEPOINT" : "RELEASE SAVEPOINT", op->sp);
		return PQsendQueryParams(s->conn, name, 0, NULL, NULL, NULL,
		    NULL, 1);
	}
	v[0] = (const char *)s->bytes + op->off;
	len[0] = (int)op->klen;
	v[1] = (const char *)s->bytes + op->off + op->klen;
	len[1] = (int)op->vlen;
	stmt_name(name, sizeof(name), op->ks, op->kind == OP_PUT ? S_PUT :
	    S_DEL);
	return PQsendQueryPrepared(s->conn, name, op->kind == OP_PUT ? 2 : 1,
	    v, len, fmt, 1);
}

/* The code and message of a transaction a buffered operation failed. */
static int
txn_failed(pg_store *s, const char *what)
{
	if (!s->failed)
		return POINTS_OK;
	return own_err(s, s->failed, "%s: a write sent earlier in this "
	    "transaction failed; roll it back", what);
}

/* Queue a statement of no parameters, counted with BEGIN. */
static int
send_cmd(pg_store *s, const char *sql)
{
	if (!PQsendQueryParams(s->conn, sql, 0, NULL, NULL, NULL, NULL, 1))
		return 0;
	s->begin_sent++;
	return 1;
}

/* Queue the gate's lock: shared before a write, or alone (ALONE_WAIT)
 * before a read. */
static int
send_gate(pg_store *s, int alone)
{
	s->gated = alone ? GATE_ALONE : GATE_SHARED;
	if (!alone)
		return send_cmd(s, "LOCK TABLE points_gate IN ROW EXCLUSIVE MODE");
	return send_cmd(s, "SET LOCAL lock_timeout = '" ALONE_WAIT "'") &&
	    send_cmd(s, "LOCK TABLE points_gate IN EXCLUSIVE MODE") &&
	    send_cmd(s, "SET LOCAL lock_timeout = '" LOCK_TIMEOUT "'");
}

/* Start a pipeline with what is buffered.  Whatever it returns,
 * pipe_end follows. */
static int
pipe_begin(pg_store *s, const char *what)
{
	size_t i;
	int rc;

	if ((rc = txn_failed(s, what)))
		return rc;
	if (s->broken)
		return own_err(s, POINTS_ESTORAGE, "%s: the connection was "
		    "lost", what);
	if (!PQenterPipelineMode(s->conn))
		return pg_fail(s, NULL, what);
	s->piping = 1;
	if (s->begin) {
		if (!send_cmd(s, s->begin))
			return pg_fail(s, NULL, what);
		if (s->write && s->conflicts >= ALONE_AFTER &&
		    !send_gate(s, 1))
			return pg_fail(s, NULL, what);
	}
	if (s->write && !s->gated && s->nops > 0 && !send_gate(s, 0))
		return pg_fail(s, NULL, what);
	for (i = 0; i < s->nops; i++)
		if (!send_op(s, &s->ops[i]))
			return pg_fail(s, NULL, what);
	return POINTS_OK;
}

/* Queue ks's statement i with n parameters (binary, unless fmt says
 * text), after what pipe_begin sent. */
static int
pipe_query(pg_store *s, points_keyspace *ks, int i, int n,
    const void *const *v, const size_t *len, const int *fmt,
    const char *what)
{
	char name[64];
	const char *vals[3];
	int lens[3], fmts[3], k;

	for (k = 0; k < n; k++) {
		vals[k] = v[k] ? v[k] : "";
		lens[k] = (int)len[k];
		fmts[k] = fmt ? fmt[k] : 1;
	}
	stmt_name(name, sizeof(name), ks, i);
	if (!PQsendQueryPrepared(s->conn, name, n, vals, lens, fmts, 1))
		return pg_fail(s, NULL, what);
	return POINTS_OK;
}

/* End the pipeline (rc: how its sending went): read every result to
 * the sync, whatever happened.  The buffered operations must each have
 * succeeded; then the results of the queries queued after them that
 * return rows go to out[0..nout) (*got of them; none on failure).  The
 * buffer is empty after it: sent, or lost with the transaction.  A
 * failure of a buffered operation, or of the connection while any was
 * sent, fails the transaction (txn_failed). */
static int
pipe_end(pg_store *s, int rc, PGresult **out, size_t nout, size_t *got,
    const char *what)
{
	size_t idx = 0, nb = s->begin_sent, nsent = s->nops + nb, j;
	int lost_buffered = rc != POINTS_OK && (nsent > 0 || s->begin);

	*got = 0;
	if (!s->piping)
		goto done;
	/* the sync ends the pipeline even after a failed send: without it
	 * the reads below would wait for a sync that never comes */
	if (!PQpipelineSync(s->conn)) {
		if (rc == POINTS_OK)
			rc = pg_fail(s, NULL, what);
		s->broken = 1; /* what is left unread: reset it */
		s->piping = 0;
		lost_buffered = 1;
		goto done;
	}
	for (;;) {
		PGresult *r = PQgetResult(s->conn);
		int st;

		if (!r) {
			if (PQstatus(s->conn) != CONNECTION_OK) {
				if (rc == POINTS_OK) {
					rc = pg_fail(s, NULL, what);
					lost_buffered = nsent > 0 ||
					    s->begin;
				}
				s->broken = 1;
				break;
			}
			continue; /* the end of one query's results */
		}
		st = PQresultStatus(r);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		if (idx < nsent ? st == PGRES_COMMAND_OK :
		    st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
			if (st == PGRES_TUPLES_OK && *got < nout)
				out[(*got)++] = r;
			else
				PQclear(r);
		} else if (rc == POINTS_OK) {
			char w[64];

			if (idx < nsent) {
				snprintf(w, sizeof(w), "%s, sent with %s",
				    idx == 0 && s->begin ? "begin" :
				    idx < nb ? "the gate" :
				    op_name(s->ops[idx - nb].kind), what);
				lost_buffered = 1;
			}
			rc = pg_fail(s, r, idx < nsent ? w : what);
			PQclear(r);
		} else
			PQclear(r);
		idx++;
	}
	if (!PQexitPipelineMode(s->conn))
		s->broken = 1;
	s->piping = 0;
	if (rc == POINTS_OK && *got != nout)
		rc = own_err(s, POINTS_ESTORAGE, "%s: results missing", what);
done:
	buf_clear(s);
	s->begin = NULL;
	s->begin_sent = 0;
	if (rc != POINTS_OK) {
		for (j = 0; j < *got; j++) {
			PQclear(out[j]);
			out[j] = NULL;
		}
		*got = 0;
		if (lost_buffered)
			s->failed = rc;
	}
	return rc;
}

/* Send what is buffered, on its own. */
static int
flush(pg_store *s, const char *what)
{
	size_t got;
	int rc = pipe_begin(s, what);

	return pipe_end(s, rc, NULL, 0, &got, what);
}

/* Run ks's statement i with n parameters (binary, but for the LIMIT
 * given as text), in one pipeline after what is buffered; the result
 * in *out, or an error. */
static int
run(pg_store *s, points_keyspace *ks, int i, int n, const void *const *v,
    const size_t *len, const int *fmt, const char *what, PGresult **out)
{
	size_t got;
	int rc;

	*out = NULL;
	if ((rc = prepare(s, ks)))
		return rc;
	if ((rc = pipe_begin(s, what)) == POINTS_OK)
		rc = pipe_query(s, ks, i, n, v, len, fmt, what);
	return pipe_end(s, rc, out, 1, &got, what);
}

/* ---- Checks ---- */

static int
check_txn(pg_store *s, int write, const char *what)
{
	if (!s->in_txn)
		return own_err(s, POINTS_EMISUSE, "%s: no transaction", what);
	if (write && !s->write)
		return own_err(s, POINTS_EMISUSE, "%s: in a read transaction",
		    what);
	return txn_failed(s, what);
}

static int
check_key(pg_store *s, points_keyspace *ks, const void *key, size_t klen,
    const char *what)
{
	const unsigned char *k = key;

	if (!ks || ks->store != s || (!key && klen))
		return own_err(s, POINTS_EINVAL, "%s: bad keyspace or key",
		    what);
	if (ks->intkey && (klen != 8 || (k[0] & 0x80)))
		return own_err(s, POINTS_EINVAL, "%s: an integer key is 8 "
		    "bytes below 2^63", what);
	if (klen > 0x7fffffff)
		return own_err(s, POINTS_ELIMIT, "%s: key too large", what);
	return POINTS_OK;
}

static void
drop_res(pg_store *s)
{
	PQclear(s->res);
	s->res = NULL;
}

/* Let go of get_many's answers. */
static void
ahead_clear(pg_store *s)
{
	size_t i;

	for (i = 0; i < s->nmany; i++)
		PQclear(s->many[i]);
	s->nmany = s->ahead = 0;
}

/* The index of get_many's answer for key of ks, or -1. */
static long
ahead_find(const pg_store *s, const points_keyspace *ks, const void *key,
    size_t klen)
{
	size_t i;

	for (i = 0; i < s->ahead; i++)
		if (s->many[i] && s->mks[i] == ks && s->mlen[i] == klen &&
		    (klen == 0 || memcmp(s->mkeys + s->moff[i], key,
		    klen) == 0))
			return (long)i;
	return -1;
}

/* The transaction wrote key of ks: get_many's answer for it is stale. */
static void
ahead_drop(pg_store *s, const points_keyspace *ks, const void *key,
    size_t klen)
{
	long i;

	while ((i = ahead_find(s, ks, key, klen)) >= 0) {
		PQclear(s->many[i]);
		s->many[i] = NULL;
	}
}

/* Keep the keys of get_many's n answers, so that a get may find them;
 * without the memory, none is kept (each get then asks the server). */
static void
ahead_keep(pg_store *s, size_t n, points_keyspace *const *kss,
    const void *const *keys, const size_t *klens)
{
	size_t i, total = 0;

	s->ahead = 0;
	for (i = 0; i < n; i++)
		total += klens[i];
	if (total > s->mkeycap) {
		unsigned char *p = realloc(s->mkeys, total);

		if (!p)
			return;
		s->mkeys = p;
		s->mkeycap = total;
	}
	for (i = 0, total = 0; i < n; i++) {
		s->mks[i] = kss[i];
		s->moff[i] = total;
		s->mlen[i] = klens[i];
		if (klens[i])
			memcpy(s->mkeys + total, keys[i], klens[i]);
		total += klens[i];
	}
	s->ahead = n;
}

/* ---- Transactions ---- */

/* The session as the store wants it: quiet (notices are not errors),
 * in the ledger's schema, made when missing, not waiting long for a
 * row another transaction wrote (LOCK_TIMEOUT), and reading by index
 * only.  A table of a few rows (a system account's records of each
 * partition) costs less to scan whole once ANALYZE has counted them,
 * and a serializable transaction that scans a table holds a read lock
 * on all of it: every writer of any of its rows then conflicts, and
 * processes fail each other's earns (PostgreSQL's documentation on
 * serializable isolation advises encouraging index scans).  Every
 * statement of the store reads by the primary key. */
static int
session(pg_store *s)
{
	char sql[360];
	int rc;

	snprintf(sql, sizeof(sql), "SET client_min_messages = warning; "
	    "SET lock_timeout = '%s'; SET enable_seqscan = off; "
	    "CREATE SCHEMA IF NOT EXISTS %s; SET search_path = %s",
	    LOCK_TIMEOUT, s->schema, s->schema);
	if ((rc = exec_cmd(s, sql, "connect")) == POINTS_ESTORAGE) {
		/* two first connections racing to make the schema */
		rc = exec_cmd(s, sql, "connect");
	}
	return rc;
}

/* A connection that was lost is made again, its statements with it. */
static int
connected(pg_store *s)
{
	if (PQstatus(s->conn) == CONNECTION_OK && !s->broken)
		return POINTS_OK;
	s->broken = 0;
	PQreset(s->conn);
	if (PQstatus(s->conn) != CONNECTION_OK)
		return pg_fail(s, NULL, "connect");
	s->gen++;
	return session(s);
}

static void
cursors_end(pg_store *s)
{
	points_cursor *c;

	for (c = s->cursors; c; c = c->next) {
		c->dead = 1;
		PQclear(c->batch);
		c->batch = NULL;
	}
}

static int
pg_begin(points_store *st, int write)
{
	pg_store *s = (pg_store *)st;
	int rc;

	if (s->in_txn)
		return own_err(s, POINTS_EMISUSE, "%s: a transaction is open",
		    "begin");
	drop_res(s);
	ahead_clear(s);
	if ((rc = connected(s)))
		return rc;
	/* sent with the first call that reaches the server */
	s->begin = write ? "BEGIN ISOLATION LEVEL SERIALIZABLE" :
	    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
	s->begin_sent = 0;
	s->in_txn = 1;
	s->write = write != 0;
	s->nsp = 0;
	return POINTS_OK;
}

static void
txn_over(pg_store *s)
{
	cursors_end(s);
	ahead_clear(s);
	buf_clear(s);
	s->begin = NULL;
	s->in_txn = s->write = s->nsp = s->failed = s->gated = 0;
	if (s->conflicted)
		s->conflicts++;
	s->conflicted = 0;
}

static int
pg_rollback(points_store *st)
{
	pg_store *s = (pg_store *)st;
	int rc, unsent;

	if (!s->in_txn)
		return POINTS_OK;
	drop_res(s);
	unsent = s->begin != NULL;
	txn_over(s);
	if (s->broken || unsent) /* no transaction on the server */ /* the next call connects again: no transaction */
		return POINTS_OK;
	rc = exec_cmd(s, "ROLLBACK", "rollback");
	/* a dead connection has no transaction left to end */
	return PQstatus(s->conn) == CONNECTION_OK ? rc : POINTS_OK;
}

/* What is buffered and the COMMIT, in one pipeline. */
static int
pg_commit(points_store *st)
{
	pg_store *s = (pg_store *)st;
	size_t got;
	int rc;

	if (!s->in_txn)
		return own_err(s, POINTS_EMISUSE, "%s: no transaction",
		    "commit");
	drop_res(s);
	if (s->begin && s->nops == 0 && !s->failed) {
		txn_over(s); /* nothing reached the server */
		return POINTS_OK;
	}
	if ((rc = pipe_begin(s, "commit")) == POINTS_OK &&
	    !PQsendQueryParams(s->conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 1))
		rc = pg_fail(s, NULL, "commit");
	rc = pipe_end(s, rc, NULL, 0, &got, "commit");
	if (rc == POINTS_OK)
		s->conflicts = s->gated == GATE_ALONE ? ALONE_AFTER - 1 : 0;
	txn_over(s);
	/* a COMMIT that failed (a serialization failure) has ended the
	 * transaction already; one a failed write kept from running has
	 * not */
	if (rc && !s->broken && PQstatus(s->conn) == CONNECTION_OK &&
	    PQtransactionStatus(s->conn) != PQTRANS_IDLE)
		PQclear(PQexec(s->conn, "ROLLBACK"));
	return rc;
}

/* ---- Keyspaces ---- */

static int
valid_name(const char *name)
{
	size_t i;

	if (!name)
		return 0;
	for (i = 0; name[i]; i++)
		if (i >= NAME_MAX_ || !((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return 0;
	return i > 0;
}

/* Create the keyspace's table and record its flags, or read the flags
 * recorded: *got. */
static int
ks_create(pg_store *s, const char *name, unsigned int flags, unsigned *got)
{
	char sql[192], f[16];
	const char *vals[2];
	PGresult *r;
	int rc;

	snprintf(f, sizeof(f), "%u", flags);
	/* half of each page left for the next versions of its rows: an
	 * update then stays on its page (HOT) and adds no index entry to
	 * pages every writer reads, a conflict with each (README) */
	snprintf(sql, sizeof(sql), "CREATE TABLE IF NOT EXISTS pk_%s (k bytea "
	    "PRIMARY KEY, v bytea NOT NULL)%s", name,
	    flags & POINTS_KS_REWRITTEN ? " WITH (fillfactor = 50)" : "");
	vals[0] = name;
	vals[1] = f;
	if ((rc = connected(s)) ||
	    (rc = exec_cmd(s, "BEGIN; SET LOCAL lock_timeout = 0",
	    "keyspace")) ||
	    /* one creator at a time: CREATE ... IF NOT EXISTS races */
	    (rc = exec_cmd(s, "SELECT pg_advisory_xact_lock(7467391)",
	    "keyspace")) ||
	    (rc = exec_cmd(s, "CREATE TABLE IF NOT EXISTS points_keyspaces "
	    "(name text PRIMARY KEY, flags integer NOT NULL)", "keyspace")) ||
	    (rc = exec_cmd(s, "CREATE TABLE IF NOT EXISTS points_gate ()",
	    "keyspace")) ||
	    (rc = exec_cmd(s, sql, "keyspace")))
		goto fail;
	r = PQexecParams(s->conn, "INSERT INTO points_keyspaces (name, flags) "
	    "VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", 2, NULL, vals,
	    NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		rc = pg_fail(s, r, "keyspace");
		PQclear(r);
		goto fail;
	}
	PQclear(r);
	r = PQexecParams(s->conn, "SELECT flags FROM points_keyspaces WHERE "
	    "name = $1", 1, NULL, vals, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		rc = pg_fail(s, r, "keyspace");
		PQclear(r);
		goto fail;
	}
	*got = (unsigned)strtoul(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return exec_cmd(s, "COMMIT", "keyspace");
fail:
	(void)exec_cmd(s, "ROLLBACK", "keyspace");
	return rc;
}

static int
pg_keyspace(points_store *st, const char *name, unsigned int flags,
    points_keyspace **out)
{
	pg_store *s = (pg_store *)st;
	points_keyspace *ks;
	unsigned got = 0;
	int rc;

	if (!out || !valid_name(name) || (flags & ~POINTS_KS_FLAGS) ||
	    ((flags & POINTS_KS_INTKEY) && (flags & POINTS_KS_INT64)))
		return own_err(s, POINTS_EINVAL, "%s: bad name or flags",
		    "keyspace");
	if (s->in_txn)
		return own_err(s, POINTS_EMISUSE, "%s: inside a transaction",
		    "keyspace");
	for (ks = s->kss; ks; ks = ks->next)
		if (strcmp(ks->name, name) == 0) {
			/* REWRITTEN is a hint: opened with it or not */
			if ((ks->flags ^ flags) & ~POINTS_KS_REWRITTEN)
				return own_err(s, POINTS_EINVAL, "keyspace %s: "
				    "opened with other flags", name);
			*out = ks;
			return POINTS_OK;
		}
	drop_res(s);
	if ((rc = ks_create(s, name, flags, &got)))
		return rc;
	/* the integer flags only say how keys may be stored here */
	if ((got & POINTS_KS_INTKEY) != (flags & POINTS_KS_INTKEY))
		return own_err(s, POINTS_EINVAL, "keyspace %s: made with other "
		    "flags", name);
	if (!(ks = calloc(1, sizeof(*ks))))
		return own_err(s, POINTS_ENOMEM, "%s: out of memory",
		    "keyspace");
	ks->store = s;
	strcpy(ks->name, name);
	ks->flags = flags;
	ks->intkey = (flags & (POINTS_KS_INTKEY | POINTS_KS_INT64)) != 0;
	ks->next = s->kss;
	s->kss = ks;
	*out = ks;
	return POINTS_OK;
}

/* ---- Reads and writes ---- */

static int
pg_get(points_store *st, points_keyspace *ks, const void *key, size_t klen,
    const void **val, size_t *vlen)
{
	pg_store *s = (pg_store *)st;
	const void *v[1] = { key };
	size_t l[1] = { klen };
	int rc;

	long a;

	drop_res(s);
	if ((rc = check_txn(s, 0, "get")) ||
	    (rc = check_key(s, ks, key, klen, "get")))
		return rc;
	if (!val || !vlen)
		return own_err(s, POINTS_EINVAL, "%s: no output", "get");
	if ((a = ahead_find(s, ks, key, klen)) >= 0) {
		if (PQntuples(s->many[a]) == 0)
			return POINTS_ENOTFOUND;
		*val = PQgetvalue(s->many[a], 0, 0);
		*vlen = (size_t)PQgetlength(s->many[a], 0, 0);
		return POINTS_OK;
	}
	if ((rc = run(s, ks, S_GET, 1, v, l, NULL, "get", &s->res)))
		return rc;
	if (PQntuples(s->res) == 0)
		return POINTS_ENOTFOUND;
	*val = PQgetvalue(s->res, 0, 0);
	*vlen = (size_t)PQgetlength(s->res, 0, 0);
	return POINTS_OK;
}

/* Buffer an operation (key and value copied), after sending what is
 * buffered when it is full. */
static int
buf_add(pg_store *s, int kind, points_keyspace *ks, const void *key,
    size_t klen, const void *val, size_t vlen, int sp, const char *what)
{
	pg_op *op;
	int rc;

	if ((s->nops >= BUF_OPS || s->nbytes >= BUF_BYTES) &&
	    (rc = flush(s, what)))
		return rc;
	if (s->nops == s->opcap) {
		size_t cap = s->opcap ? 2 * s->opcap : 32;
		pg_op *p = realloc(s->ops, cap * sizeof(*p));

		if (!p)
			return own_err(s, POINTS_ENOMEM, "%s: out of memory",
			    what);
		s->ops = p;
		s->opcap = cap;
	}
	if (klen + vlen > s->bytecap - s->nbytes) {
		size_t cap = s->bytecap ? s->bytecap : 4096;
		unsigned char *p;

		while (cap - s->nbytes < klen + vlen)
			cap *= 2;
		if (!(p = realloc(s->bytes, cap)))
			return own_err(s, POINTS_ENOMEM, "%s: out of memory",
			    what);
		s->bytes = p;
		s->bytecap = cap;
	}
	op = &s->ops[s->nops++];
	op->kind = kind;
	op->sp = sp;
	op->ks = ks;
	op->off = s->nbytes;
	op->klen = klen;
	op->vlen = vlen;
	if (klen)
		memcpy(s->bytes + s->nbytes, key, klen);
	if (vlen)
		memcpy(s->bytes + s->nbytes + klen, val, vlen);
	s->nbytes += klen + vlen;
	return POINTS_OK;
}

static int
pg_put(points_store *st, points_keyspace *ks, const void *key, size_t klen,
    const void *val, size_t vlen)
{
	pg_store *s = (pg_store *)st;
	int rc;

	if ((rc = check_txn(s, 1, "put")) ||
	    (rc = check_key(s, ks, key, klen, "put")))
		return rc;
	if ((!val && vlen) || vlen > 0x3fffffff)
		return own_err(s, vlen > 0x3fffffff ? POINTS_ELIMIT :
		    POINTS_EINVAL, "%s: bad value", "put");
	/* copied before the last get's value (key and val may be it) is
	 * let go */
	if ((rc = prepare(s, ks)) == POINTS_OK)
		rc = buf_add(s, OP_PUT, ks, key, klen, val, vlen, 0, "put");
	drop_res(s);
	ahead_drop(s, ks, key, klen);
	return rc;
}

static int
pg_del(points_store *st, points_keyspace *ks, const void *key, size_t klen)
{
	pg_store *s = (pg_store *)st;
	int rc;

	if ((rc = check_txn(s, 1, "del")) ||
	    (rc = check_key(s, ks, key, klen, "del")))
		return rc;
	if ((rc = prepare(s, ks)) == POINTS_OK)
		rc = buf_add(s, OP_DEL, ks, key, klen, NULL, 0, 0, "del");
	drop_res(s);
	ahead_drop(s, ks, key, klen);
	return rc;
}

/* Room for n answers of get_many or read_many. */
static int
many_room(pg_store *s, size_t n, const char *what)
{
	PGresult **m;
	points_keyspace **mk;
	size_t *mo, *ml;

	if (n <= s->manycap)
		return POINTS_OK;
	if ((m = realloc(s->many, n * sizeof(*m))))
		s->many = m;
	mk = m ? realloc(s->mks, n * sizeof(*mk)) : NULL;
	if (mk)
		s->mks = mk;
	mo = mk ? realloc(s->moff, n * sizeof(*mo)) : NULL;
	if (mo)
		s->moff = mo;
	ml = mo ? realloc(s->mlen, n * sizeof(*ml)) : NULL;
	if (!ml)
		return own_err(s, POINTS_ENOMEM, "%s: out of memory", what);
	s->mlen = ml;
	s->manycap = n;
	return POINTS_OK;
}

/* One pipeline: what is buffered and every read sent, then every
 * result read into s->many.  Read i is key i of kss[i], or, when los
 * and los[i] are not NULL, the last key in [los[i], keys[i]) (a reverse
 * range of one row). */
static int
many(pg_store *s, size_t n, points_keyspace *const *kss,
    const void *const *keys, const size_t *klens, const void *const *los,
    const size_t *lolens, const char *what)
{
	size_t i;
	int rc;

	drop_res(s);
	ahead_clear(s);
	if ((rc = check_txn(s, 0, what)))
		return rc;
	for (i = 0; i < n; i++) {
		/* a range's bounds are no keys: any bytes, as a cursor's */
		if (los && los[i]) {
			if (!kss[i] || kss[i]->store != s || !keys[i] ||
			    klens[i] > 0x7fffffff || lolens[i] > 0x7fffffff)
				return own_err(s, POINTS_EINVAL, "%s: bad "
				    "keyspace or bounds", what);
		} else if ((rc = check_key(s, kss[i], keys[i], klens[i],
		    what)))
			return rc;
		if ((rc = prepare(s, kss[i])))
			return rc;
	}
	if (n == 0)
		return POINTS_OK;
	if ((rc = many_room(s, n, what)))
		return rc;
	if ((rc = pipe_begin(s, what)) == POINTS_OK)
		for (i = 0; i < n && rc == POINTS_OK; i++) {
			const void *v[3];
			size_t l[3];
			int f[3] = { 1, 1, 0 };

			if (!los || !los[i]) {
				rc = pipe_query(s, kss[i], S_GET, 1, &keys[i],
				    &klens[i], NULL, what);
				continue;
			}
			v[0] = keys[i];
			l[0] = klens[i];
			v[1] = los[i];
			l[1] = lolens[i];
			v[2] = "1";
			l[2] = 1;
			rc = pipe_query(s, kss[i], S_REV_LO, 3, v, l, f, what);
		}
	return pipe_end(s, rc, s->many, n, &s->nmany, what);
}

static int
pg_get_many(points_store *st, size_t n, points_keyspace *const *kss,
    const void *const *keys, const size_t *klens, const void **vals,
    size_t *vlens, int *rcs)
{
	pg_store *s = (pg_store *)st;
	size_t i;
	int rc;

	if ((rc = many(s, n, kss, keys, klens, NULL, NULL, "get_many")))
		return rc;
	ahead_keep(s, n, kss, keys, klens);
	for (i = 0; i < n; i++) {
		if (PQntuples(s->many[i]) == 0) {
			rcs[i] = POINTS_ENOTFOUND;
			continue;
		}
		rcs[i] = POINTS_OK;
		vals[i] = PQgetvalue(s->many[i], 0, 0);
		vlens[i] = (size_t)PQgetlength(s->many[i], 0, 0);
	}
	return POINTS_OK;
}

/* get_many with ranges' last keys, in the same pipeline.  The keys read
 * are kept for a later get as get_many's are; a range's answer is not
 * (its key is no key a get asks for). */
static int
pg_read_many(points_store *st, size_t n, points_store_read *r)
{
	pg_store *s = (pg_store *)st;
	/* zeroed: gcc cannot see that the loop below fills the first n */
	points_keyspace *kss[READ_MAX] = { NULL };
	const void *keys[READ_MAX] = { NULL }, *los[READ_MAX] = { NULL };
	size_t klens[READ_MAX] = { 0 }, lolens[READ_MAX] = { 0 }, i;
	int rc;

	if (n > READ_MAX || (n && !r))
		return own_err(s, POINTS_EINVAL, "%s: bad reads", "read_many");
	for (i = 0; i < n; i++) {
		kss[i] = r[i].ks;
		keys[i] = r[i].key;
		klens[i] = r[i].klen;
		los[i] = r[i].lo;
		lolens[i] = r[i].lolen;
	}
	if ((rc = many(s, n, kss, keys, klens, los, lolens, "read_many")))
		return rc;
	ahead_keep(s, n, kss, keys, klens);
	for (i = 0; i < n; i++) {
		PGresult *res = s->many[i];
		int col = r[i].lo ? 1 : 0;

		if (r[i].lo)
			s->mks[i] = NULL; /* no get finds a range's */
		if (PQntuples(res) == 0) {
			r[i].rc = POINTS_ENOTFOUND;
			continue;
		}
		r[i].rc = POINTS_OK;
		r[i].fkey = r[i].lo ? PQgetvalue(res, 0, 0) : r[i].key;
		r[i].fklen = r[i].lo ? (size_t)PQgetlength(res, 0, 0) :
		    r[i].klen;
		r[i].val = PQgetvalue(res, 0, col);
		r[i].vlen = (size_t)PQgetlength(res, 0, col);
	}
	return POINTS_OK;
}

/* ---- Cursors ---- */

static int
copy_bytes(unsigned char **dst, const void *src, size_t n)
{
	if (!src) {
		*dst = NULL;
		return 0;
	}
	if (!(*dst = malloc(n ? n : 1)))
		return -1;
	if (n)
		memcpy(*dst, src, n);
	return 0;
}

static void
cursor_free(points_cursor *c)
{
	PQclear(c->batch);
	free(c->lo);
	free(c->hi);
	free(c->last);
	free(c);
}

static int
pg_cursor_open(points_store *st, points_keyspace *ks, const void *lo,
    size_t lolen, const void *hi, size_t hilen, int reverse,
    points_cursor **out)
{
	pg_store *s = (pg_store *)st;
	points_cursor *c;
	int rc;

	if ((rc = check_txn(s, 0, "cursor_open")))
		return rc;
	if (!ks || ks->store != s || !out || (!lo && lolen) || (!hi && hilen))
		return own_err(s, POINTS_EINVAL, "%s: bad keyspace or bounds",
		    "cursor_open");
	if (!(c = calloc(1, sizeof(*c))) ||
	    copy_bytes(&c->lo, lo, lolen) || copy_bytes(&c->hi, hi, hilen)) {
		if (c)
			cursor_free(c);
		return own_err(s, POINTS_ENOMEM, "%s: out of memory",
		    "cursor_open");
	}
	c->s = s;
	c->ks = ks;
	c->reverse = reverse != 0;
	c->lolen = lolen;
	c->hilen = hilen;
	c->next = s->cursors;
	s->cursors = c;
	*out = c;
	return POINTS_OK;
}

/* Read the next batch: after the last key returned, within the
 * bounds. */
static int
fetch(pg_store *s, points_cursor *c)
{
	const void *v[3];
	size_t l[3];
	int f[3] = { 1, 1, 1 }, n = 0, i, rc;
	const char *limit = c->started ? BATCH_NEXT : BATCH_FIRST;
	unsigned char *from = NULL;

	PQclear(c->batch);
	c->batch = NULL;
	if (!c->reverse) {
		/* forward: from lo, then from the least key after last
		 * (last followed by a zero byte) */
		if (c->started) {
			if (!(from = malloc(c->lastlen + 1)))
				return own_err(s, POINTS_ENOMEM, "%s: out of "
				    "memory", "cursor_next");
			memcpy(from, c->last, c->lastlen);
			from[c->lastlen] = 0;
			v[n] = from;
			l[n++] = c->lastlen + 1;
		} else {
			v[n] = c->lo;
			l[n++] = c->lo ? c->lolen : 0;
		}
		if (c->hi) {
			v[n] = c->hi;
			l[n++] = c->hilen;
		}
		i = c->hi ? S_FWD_HI : S_FWD;
	} else {
		/* reverse: below hi, then below last; with neither, from
		 * the top (keys below lo are cut in cursor_next) */
		const void *top = c->started ? c->last : c->hi;
		size_t toplen = c->started ? c->lastlen : c->hilen;

		i = S_REV;
		if (top) {
			v[n] = top;
			l[n++] = toplen;
			v[n] = c->lo;
			l[n++] = c->lo ? c->lolen : 0;
			i = S_REV_LO;
		}
	}
	v[n] = limit;
	l[n] = strlen(limit);
	f[n++] = 0;
	rc = run(s, c->ks, i, n, v, l, f, "cursor_next", &c->batch);
	free(from);
	if (rc)
		return rc;
	c->started = 1;
	c->row = 0;
	c->nrows = PQntuples(c->batch);
	c->full = c->nrows == atoi(limit);
	return POINTS_OK;
}

static int
remember(pg_store *s, points_cursor *c, const void *k, size_t kl)
{
	if (kl > c->lastcap) {
		unsigned char *p = realloc(c->last, kl ? kl : 1);

		if (!p)
			return own_err(s, POINTS_ENOMEM, "%s: out of memory",
			    "cursor_next");
		c->last = p;
		c->lastcap = kl;
	}
	if (kl)
		memcpy(c->last, k, kl);
	c->lastlen = kl;
	if (!c->last && !(c->last = malloc(1)))
		return own_err(s, POINTS_ENOMEM, "%s: out of memory",
		    "cursor_next");
	return POINTS_OK;
}

/* Whether k is below lo (a reverse scan without hi reads unbounded). */
static int
below(const points_cursor *c, const void *k, size_t kl)
{
	size_t n = kl < c->lolen ? kl : c->lolen;
	int d;

	if (!c->lo)
		return 0;
	d = memcmp(k, c->lo, n);
	return d < 0 || (d == 0 && kl < c->lolen);
}

static int
pg_cursor_next(points_store *st, points_cursor *c, const void **key,
    size_t *klen, const void **val, size_t *vlen)
{
	pg_store *s = (pg_store *)st;
	const char *k;
	size_t kl;
	int rc;

	if (!c || c->s != s || !key || !klen || !val || !vlen)
		return own_err(s, POINTS_EINVAL, "%s: bad cursor call",
		    "cursor_next");
	if (c->dead)
		return own_err(s, POINTS_EMISUSE, "%s: its transaction ended",
		    "cursor_next");
	if (c->done)
		return POINTS_ITEROVER;
	if (!c->started || (c->row >= c->nrows && c->full)) {
		if ((rc = fetch(s, c)))
			return rc;
	}
	if (c->row >= c->nrows) {
		c->done = 1;
		return POINTS_ITEROVER;
	}
	k = PQgetvalue(c->batch, c->row, 0);
	kl = (size_t)PQgetlength(c->batch, c->row, 0);
	if (c->reverse && !c->hi && below(c, k, kl)) {
		c->done = 1;
		return POINTS_ITEROVER;
	}
	if ((rc = remember(s, c, k, kl)))
		return rc;
	*key = k;
	*klen = kl;
	*val = PQgetvalue(c->batch, c->row, 1);
	*vlen = (size_t)PQgetlength(c->batch, c->row, 1);
	c->row++;
	return POINTS_OK;
}

static void
pg_cursor_close(points_store *st, points_cursor *c)
{
	pg_store *s = (pg_store *)st;
	points_cursor **p;

	if (!c)
		return;
	for (p = &s->cursors; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	cursor_free(c);
}

/* ---- Savepoints ---- */

/* Savepoints are buffered as puts are: pN, N its depth. */
static int
pg_savepoint(points_store *st)
{
	pg_store *s = (pg_store *)st;
	int rc;

	if ((rc = check_txn(s, 1, "savepoint")))
		return rc;
	if (s->nsp >= SP_MAX)
		return own_err(s, POINTS_ELIMIT, "%s: too many open",
		    "savepoint");
	drop_res(s);
	if ((rc = buf_add(s, OP_SAVEPOINT, NULL, NULL, 0, NULL, 0, s->nsp,
	    "savepoint")))
		return rc;
	s->nsp++;
	return POINTS_OK;
}

static int
pg_release(points_store *st)
{
	pg_store *s = (pg_store *)st;
	int rc;

	if ((rc = check_txn(s, 1, "release")))
		return rc;
	if (s->nsp == 0)
		return own_err(s, POINTS_EMISUSE, "%s: no savepoint",
		    "release");
	drop_res(s);
	if ((rc = buf_add(s, OP_RELEASE, NULL, NULL, 0, NULL, 0, s->nsp - 1,
	    "release")))
		return rc;
	s->nsp--;
	return POINTS_OK;
}

/* A savepoint still in the buffer takes what follows it there with it,
 * and nothing is sent; one sent already is rolled back to on the
 * server, and what is buffered (all after it) is dropped. */
static int
pg_rollback_to(points_store *st)
{
	pg_store *s = (pg_store *)st;
	char sql[80];
	size_t i;
	int rc, n;

	if ((rc = check_txn(s, 1, "rollback_to")))
		return rc;
	if (s->nsp == 0)
		return own_err(s, POINTS_EMISUSE, "%s: no savepoint",
		    "rollback_to");
	drop_res(s);
	ahead_clear(s); /* what it read may have been written since */
	n = s->nsp - 1;
	for (i = s->nops; i-- > 0;)
		if (s->ops[i].kind == OP_SAVEPOINT && s->ops[i].sp == n) {
			s->nbytes = s->ops[i].off;
			s->nops = i;
			s->nsp--;
			return POINTS_OK;
		}
	buf_clear(s);
	snprintf(sql, sizeof(sql), "ROLLBACK TO SAVEPOINT p%d; "
	    "RELEASE SAVEPOINT p%d", n, n);
	if ((rc = exec_cmd(s, sql, "rollback_to")))
		return rc;
	s->nsp--;
	return POINTS_OK;
}

/* ---- The store ---- */

static const char *
pg_errmsg(points_store *st)
{
	return ((pg_store *)st)->errmsg;
}

static void
pg_close(points_store *st)
{
	pg_store *s = (pg_store *)st;
	points_keyspace *ks, *nk;

	if (!s)
		return;
	(void)pg_rollback(st);
	while (s->cursors) {
		points_cursor *c = s->cursors;

		s->cursors = c->next;
		cursor_free(c);
	}
	drop_res(s);
	ahead_clear(s);
	free(s->many);
	free(s->mks);
	free(s->moff);
	free(s->mlen);
	free(s->mkeys);
	free(s->ops);
	free(s->bytes);
	for (ks = s->kss; ks; ks = nk) {
		nk = ks->next;
		free(ks);
	}
	PQfinish(s->conn);
	free(s);
}

static void
ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

int
points_store_pg_open(const char *conninfo, const char *schema,
    points_store **out, char *err, size_t errlen)
{
	static const points_store vt = POINTS_STORE_INIT;
	pg_store *s;
	size_t i;

	if (errlen)
		err[0] = '\0';
	if (!conninfo || !out)
		return POINTS_EINVAL;
	if (!schema)
		schema = "public";
	for (i = 0; schema[i]; i++)
		if (i >= 63 || !((schema[i] >= 'a' && schema[i] <= 'z') ||
		    (schema[i] >= '0' && schema[i] <= '9') || schema[i] == '_'))
			break;
	if (i == 0 || schema[i]) {
		if (errlen)
			snprintf(err, errlen, "bad schema name (1-63 of "
			    "[a-z0-9_])");
		return POINTS_EINVAL;
	}
	if (!(s = calloc(1, sizeof(*s))))
		return POINTS_ENOMEM;
	s->base = vt;
	s->base.name = "postgresql";
	s->base.keyspace = pg_keyspace;
	s->base.begin = pg_begin;
	s->base.commit = pg_commit;
	s->base.rollback = pg_rollback;
	s->base.get = pg_get;
	s->base.put = pg_put;
	s->base.del = pg_del;
	s->base.cursor_open = pg_cursor_open;
	s->base.cursor_next = pg_cursor_next;
	s->base.cursor_close = pg_cursor_close;
	s->base.close = pg_close;
	s->base.errmsg = pg_errmsg;
	s->base.get_many = pg_get_many;
	s->base.read_many = pg_read_many;
	s->base.savepoint = pg_savepoint;
	s->base.release = pg_release;
	s->base.rollback_to = pg_rollback_to;
	s->gen = 1;
	strcpy(s->schema, schema);
	s->conn = PQconnectdb(conninfo);
	/* the server's notices are not the host's stderr's (PQreset keeps
	 * the processor) */
	if (s->conn)
		PQsetNoticeProcessor(s->conn, ignore_notice, NULL);
	if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
		int rc = s->conn ? POINTS_ESTORAGE : POINTS_ENOMEM;

		if (errlen) {
			size_t n;

			snprintf(err, errlen, "%s", s->conn ?
			    PQerrorMessage(s->conn) : "out of memory");
			n = strlen(err);
			while (n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' '))
				err[--n] = '\0';
		}
		PQfinish(s->conn);
		free(s);
		return rc;
	}
	if (session(s)) {
		if (errlen)
			snprintf(err, errlen, "%s", s->errmsg);
		PQfinish(s->conn);
		free(s);
		return POINTS_ESTORAGE;
	}
	*out = &s->base;
	return POINTS_OK;
}
