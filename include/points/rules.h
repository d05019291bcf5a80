/*
 * points/rules.h - earning rules: rules written in a subset of CEL
 * (points-rules(7)), kept in versions; the tier table; events applied
 * to the rules, each award posted, the event and its outcome kept.
 * Included by points.h.
 */
#ifndef POINTS_INCLUDE_RULES_H
#define POINTS_INCLUDE_RULES_H

#include "points/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define POINTS_RULE_NAME_MAX 64   /* [a-z0-9_.-], at least 1 */
#define POINTS_EVENT_TYPE_MAX 32  /* [a-z0-9_.-], at least 1 */
#define POINTS_EXPR_MAX 4096      /* a rule's expression, bytes */
#define POINTS_EVENT_ID_MAX 128   /* UTF-8, at least 1 byte */
#define POINTS_EVENT_ATTRS_MAX 16384 /* an event's attributes, JSON bytes */
#define POINTS_OUTCOME_REASON_MAX 200

/* ---- Rules ----
 * A rule listens to one event type.  When an event of that type is
 * applied, the rule's condition is evaluated; if true, its points
 * formula gives the points, which are multiplied by the window's and the
 * account's tier multipliers, rounded down, limited by the caps and the
 * budget, and credited.  Every save makes a new version (author, time,
 * reason), and an event is evaluated with the version in force at its
 * time. */
#define POINTS_RULE_DRAFT 0   /* saved, not in force */
#define POINTS_RULE_ACTIVE 1  /* in force */
#define POINTS_RULE_PAUSED 2  /* not in force for now */
#define POINTS_RULE_RETIRED 3 /* not in force, for good: a retired rule
                               * takes no new version */

/* points_rule_def.flags */
#define POINTS_RULE_EXCLUSIVE 0x01u   /* when it awards, no rule of lower
                                       * priority does for that event */
#define POINTS_RULE_NO_TIER 0x02u     /* the tier multiplier does not apply */
#define POINTS_RULE_WINDOW_ONLY 0x04u /* awards only inside its window */
#define POINTS_RULE_APPROVAL 0x08u    /* its awards wait for another actor's
                                       * approval (points_approval_*) */

/* points_rule_def.cap_unit: what the caps and cap_key_limit count */
#define POINTS_CAP_POINTS 0 /* points awarded */
#define POINTS_CAP_AWARDS 1 /* awards (events the rule paid for) */

/* Version 2 adds pending_days. */
#define POINTS_RULE_DEF_VERSION 2
/* The most days a rule's points may stay pending. */
#define POINTS_RULE_PENDING_DAYS_MAX 366
typedef struct points_rule_def {
	unsigned int version;    /* POINTS_RULE_DEF_VERSION */
	const char *name;        /* the rule: 1-64 of [a-z0-9_.-] */
	const char *event_type;  /* 1-32 of [a-z0-9_.-]: "purchase" */
	const char *condition;   /* CEL, a bool; NULL or "": always */
	const char *points;      /* CEL, an int >= 0: the points before the
	                          * multipliers */
	const char *asset;       /* the asset credited */
	const char *beneficiary; /* NULL: the event's account; else CEL
	                          * giving an account's external id (a
	                          * string) or id (an int): a referral pays
	                          * the sharer */
	int state;               /* POINTS_RULE_DRAFT ... _RETIRED */
	int priority;            /* higher first; equal: by name */
	unsigned int flags;      /* POINTS_RULE_EXCLUSIVE ... */
	int64_t active_from;     /* 0: no start; else in force from then */
	int64_t active_until;    /* 0: no end; else in force before then */
	const char *category;    /* the postings' category; NULL: "rule" */
	int64_t expires_days;    /* 0: the asset's policy; > 0: the points
	                          * expire that many days after the award */
	/* A recurring window in the ledger's UTC offset: the days of the
	 * week (bit 0 Monday ... bit 6 Sunday) and of the month (bit 0 the
	 * 1st ... bit 30 the 31st) on which window_percent multiplies the
	 * points ("double points on Saturdays": 1u << 5, 200).  0 for a
	 * mask: any day. */
	unsigned int window_weekdays;
	unsigned int window_monthdays;
	int64_t window_percent;  /* 0: no window; else > 0 */
	/* Caps per account: at most this much (cap_unit) from this rule a
	 * day, an ISO week, a calendar month, a calendar year and in all;
	 * 0: no cap.  An award that would pass one is cut to what is left
	 * (a partial award) or, with nothing left, not made.  A late event
	 * counts in its own period; the counters keep the latest period
	 * and one before, and an event older than both is not paid
	 * (points_event_apply(3)). */
	int cap_unit;            /* POINTS_CAP_POINTS or POINTS_CAP_AWARDS */
	int64_t cap_day, cap_week, cap_month, cap_year, cap_total;
	/* A cap on a value the event gives (CEL, a string or an int: the
	 * invited friend's id), across all accounts: at most
	 * cap_key_limit (cap_unit) for each value.  NULL: none. */
	const char *cap_key;
	int64_t cap_key_limit;
	/* The rule's budget: points and awards in all, across accounts;
	 * 0: none. */
	int64_t budget_points;
	int64_t budget_awards;
	const char *author;      /* who made this version: 1-64 bytes */
	const char *reason;      /* why: up to 256 bytes; may be NULL */
	/* version 2 */
	/* 0: the points are available at once; 1 to
	 * POINTS_RULE_PENDING_DAYS_MAX: they are pending (in the balance's
	 * pending, not spendable) through the day pending_days days after
	 * the event's time, in the ledger's UTC offset, and available from
	 * the start of the next (a purchase's points wait out its return
	 * window).  A refund takes pending points back first.  With
	 * expires_days, it must be the larger. */
	int64_t pending_days;
} points_rule_def;
#define POINTS_RULE_DEF_INIT { POINTS_RULE_DEF_VERSION, NULL, NULL, NULL, \
	NULL, NULL, NULL, POINTS_RULE_DRAFT, 0, 0, 0, 0, NULL, 0, 0, 0, 0, \
	POINTS_CAP_POINTS, 0, 0, 0, 0, 0, NULL, 0, 0, 0, NULL, NULL, 0 }
POINTS_EXTERN int points_rule_def_init(points_rule_def *d,
    unsigned int version);

/* A version of a rule as stored. */
typedef struct points_rule {
	char name[POINTS_RULE_NAME_MAX + 1];
	int64_t version;       /* 1, 2, ... */
	int64_t time;          /* when it was saved: in force from then */
	char event_type[POINTS_EVENT_TYPE_MAX + 1];
	int state;
	int priority;
	unsigned int flags;
	char asset[POINTS_ASSET_MAX + 1];
	char category[POINTS_CATEGORY_MAX + 1];
	int64_t active_from;
	int64_t active_until;
	int64_t expires_days;
	unsigned int window_weekdays;
	unsigned int window_monthdays;
	int64_t window_percent;
	int cap_unit;
	int64_t cap_day;
	int64_t cap_week;
	int64_t cap_month;
	int64_t cap_year;
	int64_t cap_total;
	int64_t cap_key_limit;
	int64_t budget_points;
	int64_t budget_awards;
	char author[POINTS_ACTOR_MAX + 1];
	char reason[POINTS_REASON_MAX + 1];
	int64_t pending_days;  /* 0: available at once */
} points_rule;

/* Save a rule: a new rule (version 1) or a new version of it.  The
 * expressions are compiled here: an error is POINTS_EINVAL naming the
 * expression, the column and the reason ("rule 'spend': condition: col
 * 7: unknown field 'amont' of 'event'").  A retired rule is
 * POINTS_ESTATE.  *out: the version saved. */
POINTS_EXTERN int points_rule_save(points_db *db, const points_rule_def *d,
    points_rule *out);
/* A new version of rule name with only its state changed. */
POINTS_EXTERN int points_rule_set_state(points_db *db, const char *name,
    int state, const char *author, const char *reason, points_rule *out);
/* Version version of rule name (0: the latest). */
POINTS_EXTERN int points_rule_get(points_db *db, const char *name,
    int64_t version, points_rule *out);
/* A rule's expressions as saved in a version (0: the latest): which is
 * POINTS_RULE_EXPR_*; "" when it has none.  *out is owned by the
 * caller: points_free() it. */
#define POINTS_RULE_EXPR_CONDITION 0
#define POINTS_RULE_EXPR_POINTS 1
#define POINTS_RULE_EXPR_BENEFICIARY 2
#define POINTS_RULE_EXPR_CAP_KEY 3
POINTS_EXTERN int points_rule_expr_get(points_db *db, const char *name,
    int64_t version, int which, char **out);

/* The versions of rule name, oldest first. */
typedef struct points_rule_history_iterator points_rule_history_iterator;
POINTS_EXTERN int points_rule_history_iterator_new(points_db *db,
    const char *name, points_rule_history_iterator **out);
POINTS_EXTERN int points_rule_history_next(points_rule_history_iterator *it,
    points_rule *out);
POINTS_EXTERN void points_rule_history_iterator_free(
    points_rule_history_iterator *it);

/* Every rule, by name (bytewise), each as its latest version is (retired
 * rules too: their state says so); as the account iterator for the
 * rest. */
typedef struct points_rule_iterator points_rule_iterator;
POINTS_EXTERN int points_rule_iterator_new(points_db *db,
    points_rule_iterator **out);
/* POINTS_OK and the next rule in *out, or POINTS_ITEROVER at the end. */
POINTS_EXTERN int points_rule_next(points_rule_iterator *it, points_rule *out);
POINTS_EXTERN void points_rule_iterator_free(points_rule_iterator *it);

/* ---- Tiers ----
 * The tier table: an account's tier (points_account.tier) names a row,
 * whose multiplier applies to every rule without POINTS_RULE_NO_TIER.
 * A tier not in the table multiplies by 100%.
 *
 * Qualification.  A row of rank > 0 may carry a qualification: at least
 * qualify_points of asset qualify_asset earned in the calendar month of
 * the evaluation and the qualify_months - 1 months before it, in the
 * ledger's UTC offset ("5,000 PTS in the last 12 months: gold").  What
 * counts as earned: every earn posted to the account (points_earn, a
 * rule's award, an approved award, pending points from their award),
 * counted in the month of its time; a reversal of an earn (a refund)
 * takes its points back from that month.  Transfers in, adjustments
 * and reversals of anything else do not count.  The figures are kept
 * per account from the moment a qualification names the asset:
 * earlier earns are not counted.
 * An earn that makes the account meet a tier of higher rank than its
 * own (a tier not in the table, or none, ranks below every row) moves
 * it there in the earn's transaction, so the next event earns with the
 * new multiplier.  Earns never move an account down: points_tier_sweep
 * does, when its figure has fallen below its tier's qualification.
 * Every such change is in the account's history (points_account_apply)
 * with actor "system:tiers" and the figures in the reason ("earned
 * 5,200 PTS in the 12 months to 2026-12-01; gold needs 5,000").
 * A tier set by hand (points_account_apply) stands until the next
 * evaluation: an earn may raise it, the sweep lowers it when it is a
 * qualifying tier the account does not meet.  A tier without a
 * qualification is never taken away by the sweep (a status match, a
 * staff tier): the way to keep an account in a tier by hand. */
#define POINTS_TIER_VERSION 2
#define POINTS_TIER_MONTHS_MAX 36 /* the longest qualifying window */
#define POINTS_TIER_ACTOR "system:tiers"
typedef struct points_tier {
	char name[POINTS_TIER_MAX + 1];
	int rank;          /* order: 0 the lowest */
	int64_t percent;   /* the multiplier: 150 is 1.5x; > 0 */
	/* version 2: the qualification; "" asset: none */
	char qualify_asset[POINTS_ASSET_MAX + 1];
	int64_t qualify_points; /* at least this much earned ... */
	int qualify_months;     /* ... in this many calendar months */
} points_tier;
/* Add or change a row (a row's qualification stays as it is). */
POINTS_EXTERN int points_tier_set(points_db *db, const char *name, int rank,
    int64_t percent);
POINTS_EXTERN int points_tier_get(points_db *db, const char *name,
    points_tier *out);
/* Set the qualification of tier name (a row of rank > 0): at least
 * points (> 0) of asset earned in months (1 to POINTS_TIER_MONTHS_MAX)
 * calendar months.  asset NULL or "" (points and months 0) removes it. */
POINTS_EXTERN int points_tier_qualify(points_db *db, const char *name,
    const char *asset, int64_t points, int months);
/* What account earned of asset in the calendar month of as_of (0: the
 * ledger's clock) and the months - 1 before it, as qualification counts
 * it. */
POINTS_EXTERN int points_tier_earned(points_db *db, int64_t account,
    const char *asset, int months, int64_t as_of, int64_t *out);

/* The sweep: every user account that is not closed is evaluated at
 * as_of (0: the ledger's clock; not later than it).  One whose tier has
 * a qualification it no longer meets moves to the tier of highest rank
 * whose qualification it meets, or else to the base tier (the lowest
 * rank without a qualification; none: no tier); one that meets a tier
 * of higher rank than its own moves up.  POINTS_TIER_SWEEP_CHUNK
 * accounts a write transaction; idempotent; after a failure the chunks
 * committed stand and a rerun does the rest.  Run it with the expiry
 * sweep (points_expire_sweep), daily or at least monthly.  out may be
 * NULL. */
#define POINTS_TIER_SWEEP_CHUNK 1000
typedef struct points_tier_sweep_report {
	int64_t accounts;   /* user accounts (not closed) evaluated */
	int64_t upgraded;   /* moved up */
	int64_t downgraded; /* moved down */
	int64_t as_of;      /* the time evaluated at */
} points_tier_sweep_report;
POINTS_EXTERN int points_tier_sweep(points_db *db, int64_t as_of,
    points_tier_sweep_report *out);

/* ---- Events ----
 * A host reports what happened (a purchase, a course completed); the
 * rules say what it earns.  Applying an event evaluates every rule in
 * force for its type, in priority order, and posts the awards in one
 * transaction; the event and each rule's outcome are kept.  The event's
 * id is its idempotency key: the same event applied again returns the
 * first result (replayed 1) and posts nothing; the same id with another
 * event is POINTS_ECONFLICT. */
#define POINTS_EVENT_VERSION 1
typedef struct points_event {
	unsigned int version; /* POINTS_EVENT_VERSION */
	const char *id;       /* the host's id of the event: 1-128 bytes */
	const char *type;     /* 1-32 of [a-z0-9_.-] */
	int64_t account;      /* whose event */
	int64_t time;         /* 0: the ledger's clock; not later than it */
	int64_t amount;       /* event.amount: e.g. the price in cents */
	const char *attrs;    /* NULL, or a JSON object: event.attrs */
	const char *actor;    /* NULL, or who reported it: 1-64 bytes */
} points_event;
#define POINTS_EVENT_INIT { POINTS_EVENT_VERSION, NULL, NULL, 0, 0, 0, \
	NULL, NULL }
POINTS_EXTERN int points_event_init(points_event *e, unsigned int version);

/* points_rule_outcome.status: what a rule did with an event */
#define POINTS_OUTCOME_AWARDED 0     /* points credited (maybe cut by a cap) */
#define POINTS_OUTCOME_CONDITION 1   /* its condition was false */
#define POINTS_OUTCOME_ERROR 2       /* an expression gave an error */
#define POINTS_OUTCOME_CAPPED 3      /* a cap or the budget left nothing */
#define POINTS_OUTCOME_INACTIVE 4    /* outside its active period or window */
#define POINTS_OUTCOME_EXCLUDED 5    /* an exclusive rule awarded first */
#define POINTS_OUTCOME_ZERO 6        /* the formula gave 0 */
#define POINTS_OUTCOME_APPROVAL 7    /* points waiting for approval: an
                                      * approval was nominated, nothing
                                      * posted yet */

typedef struct points_rule_outcome {
	char rule[POINTS_RULE_NAME_MAX + 1];
	int64_t version;   /* the rule's version in force */
	int status;        /* POINTS_OUTCOME_* */
	int64_t points;    /* awarded (after multipliers and caps) */
	int64_t formula;   /* what the formula gave, before them */
	int64_t account;   /* who got them */
	char asset[POINTS_ASSET_MAX + 1];
	char txn_id[POINTS_ID_LEN + 1]; /* the posting; "" when none (or a
	                                 * preview) */
	char reason[POINTS_OUTCOME_REASON_MAX + 1]; /* why, in words */
} points_rule_outcome;

typedef struct points_event_summary {
	char id[POINTS_EVENT_ID_MAX + 1];
	char type[POINTS_EVENT_TYPE_MAX + 1];
	int64_t account;
	int64_t time;
	int64_t amount;
	int64_t seq;       /* the event's place in the event log; 0: preview */
	int64_t points;    /* awarded in all */
	int64_t outcomes;  /* rules evaluated */
	int replayed;      /* 1: the event had been applied before */
} points_event_summary;

/* The result of an event: a summary and one outcome per rule evaluated,
 * in the order evaluated.  Free it with points_event_result_free. */
typedef struct points_event_result points_event_result;
POINTS_EXTERN int points_event_apply(points_db *db, const points_event *e,
    points_event_result **out);
/* The same evaluation, writing nothing ("what would I earn"). */
POINTS_EXTERN int points_event_preview(points_db *db, const points_event *e,
    points_event_result **out);
/* An applied event's result, from the event log: why it earned what it
 * did. */
POINTS_EXTERN int points_event_get(points_db *db, const char *id,
    points_event_result **out);
POINTS_EXTERN int points_event_result_summary(const points_event_result *r,
    points_event_summary *out);
/* Outcome i (0 .. summary.outcomes - 1); POINTS_ENOTFOUND past them. */
POINTS_EXTERN int points_event_result_outcome(const points_event_result *r,
    int64_t i, points_rule_outcome *out);
POINTS_EXTERN void points_event_result_free(points_event_result *r);
/* The lines a refund covered, as a JSON list of their indexes in
 * event.attrs.lines ("[0,2]"); NULL for an event or a refund of no
 * lines.  Borrowed: valid until the result is freed. */
POINTS_EXTERN const char *points_event_result_lines(
    const points_event_result *r);

/* ---- Refunds ----
 * A refund takes back what an event gave.  amount 0 reverses the event
 * in whole: every point each rule gave.  A partial refund names the
 * part of the event's amount refunded; each rule that awarded is
 * evaluated again, in the version that awarded, on the event with its
 * amount less every refund so far (the account as it is now): a rule
 * whose condition no longer holds (a bonus for orders of 100 yuan or
 * more) gives all back, another keeps floor(points x new value of its
 * formula / first value), so that refunds in several parts take back
 * exactly what one refund of their sum would.  The points come back
 * from each award's posting (points_reverse): what the account has
 * spent becomes its debt, unless POINTS_REVERSE_NO_DEBT.  Caps and
 * budgets are not given back.
 * A refund of line items (version 2) names the lines of
 * event.attrs.lines it covers, as a JSON list: ints are indexes into
 * the list (0 the first, as event.attrs.lines[0] in a rule), strings
 * match a line's "id" field (which must name one line).  Each rule that
 * awarded is evaluated again on the event without every line refunded
 * so far, its amount less their "amount" fields (ints >= 0; a line
 * without one takes nothing off; never below 0): refunding lines one by
 * one takes back what refunding them together does, and under per-line
 * rounding exactly each line's points.  A line is refunded once
 * (POINTS_ESTATE after); an event is refunded by amounts or by lines,
 * not both (POINTS_EINVAL), and a whole refund takes back the rest
 * either way.
 * The result: the event's summary with amount the part refunded, seq
 * the refund's place in the refund log, points the points taken back
 * (as a negative number), and an outcome for each rule that awarded
 * (points: what it gave back, negative or 0; formula: the new value;
 * txn_id: the reversal); points_event_result_lines the lines
 * refunded. */
#define POINTS_EVENT_REVERSAL_VERSION 2
typedef struct points_event_reversal {
	unsigned int version;        /* POINTS_EVENT_REVERSAL_VERSION */
	const char *event_id;        /* the event applied */
	int64_t amount;              /* 0: all of it; else > 0, at most
	                              * what is not refunded yet */
	const char *memo;            /* may be NULL: on the reversals */
	const char *idempotency_key; /* may be NULL */
	const char *actor;           /* may be NULL: 1-64 bytes */
	unsigned int flags;          /* POINTS_REVERSE_NO_DEBT (txn.h) */
	/* version 2 */
	const char *lines;           /* NULL, or a JSON list of the lines
	                              * refunded: [0, 2] or ["T1"]; amount
	                              * must then be 0 */
} points_event_reversal;
#define POINTS_EVENT_REVERSAL_INIT { POINTS_EVENT_REVERSAL_VERSION, NULL, 0, \
	NULL, NULL, NULL, 0, NULL }
POINTS_EXTERN int points_event_reversal_init(points_event_reversal *r,
    unsigned int version);
POINTS_EXTERN int points_event_reverse(points_db *db,
    const points_event_reversal *r, points_event_result **out);

/* ---- Backtest ----
 * What a saved version of a rule (a draft, typically) would have
 * awarded over the events of the log with from <= time < until (0: no
 * bound), had it been in force alone: each event of its type, in the
 * order applied, evaluated against the version as events are (active
 * period, window, tier multiplier, caps, cap key and budget, all
 * counted from zero at the start), with the accounts as they are now
 * (tier, attributes; frozen or closed ones count too).  Nothing is
 * written: the run is one write transaction rolled back at its end, so
 * other writers wait for it.  The result: a summary and the points per
 * account that would have earned, by account id. */
typedef struct points_backtest_summary {
	int64_t events;   /* events of the rule's type in the period */
	int64_t awards;   /* events that would have paid */
	int64_t points;   /* the points in all */
	int64_t accounts; /* accounts that would have earned: rows */
	int64_t capped;   /* events a cap or the budget cut to nothing */
	int64_t errors;   /* events whose expressions gave an error */
} points_backtest_summary;

typedef struct points_backtest_row {
	int64_t account;
	int64_t points;
	int64_t awards;
} points_backtest_row;

typedef struct points_backtest points_backtest;
/* version 0: the latest. */
POINTS_EXTERN int points_rule_backtest(points_db *db, const char *name,
    int64_t version, int64_t from, int64_t until, points_backtest **out);
POINTS_EXTERN int points_backtest_summary_get(const points_backtest *b,
    points_backtest_summary *out);
/* Row i (0 .. summary.accounts - 1), by account id; POINTS_ENOTFOUND
 * past them. */
POINTS_EXTERN int points_backtest_row_get(const points_backtest *b, int64_t i,
    points_backtest_row *out);
POINTS_EXTERN void points_backtest_free(points_backtest *b);

/* ---- Approval (four eyes) ----
 * An award that waits for a second actor: the awards of a rule with
 * POINTS_RULE_APPROVAL (nominated by the event's actor, which such an
 * event must name) or a manual award (points_approval_nominate).
 * Nothing is posted until another actor approves it; then the points
 * are earned as the rule's awards are (its category, expiry and pending
 * days, these counted from the event's time).  A rejection records its
 * reason and posts nothing.  An approver or rejecter who is the
 * nominator is refused (POINTS_EPERM). */
#define POINTS_APPROVAL_PENDING 0
#define POINTS_APPROVAL_APPROVED 1
#define POINTS_APPROVAL_REJECTED 2

typedef struct points_approval {
	int64_t id;            /* 1, 2, ... in the order nominated */
	int state;             /* POINTS_APPROVAL_* */
	int64_t account;       /* who gets the points */
	char asset[POINTS_ASSET_MAX + 1];
	int64_t points;
	char category[POINTS_CATEGORY_MAX + 1];
	int64_t expires_days;  /* 0: the asset's policy */
	int64_t pending_days;  /* from the event's time; 0: none */
	char rule[POINTS_RULE_NAME_MAX + 1];  /* "": a manual award */
	int64_t rule_version;
	char event_id[POINTS_EVENT_ID_MAX + 1]; /* "": a manual award */
	int64_t event_time;    /* the event's (a manual award: nominated_at) */
	char nominator[POINTS_ACTOR_MAX + 1];
	int64_t nominated_at;
	char memo[POINTS_MEMO_MAX + 1]; /* why it was nominated */
	char decided_by[POINTS_ACTOR_MAX + 1]; /* "": pending */
	int64_t decided_at;    /* 0: pending */
	char reason[POINTS_REASON_MAX + 1]; /* the decision's reason */
	char txn_id[POINTS_ID_LEN + 1]; /* approved: the earn */
} points_approval;

/* A manual award, nominated for approval.  Version 2 adds the
 * idempotency key. */
#define POINTS_NOMINATION_VERSION 2
typedef struct points_nomination {
	unsigned int version;  /* POINTS_NOMINATION_VERSION */
	int64_t account;       /* a user account */
	const char *asset;
	int64_t points;        /* > 0 */
	const char *category;  /* NULL: "award" */
	int64_t expires_days;  /* 0: the asset's policy; else 1-36525 */
	const char *memo;      /* why: may be NULL */
	const char *nominator; /* who asks: 1-64 bytes */
	/* version 2 */
	const char *idempotency_key; /* may be NULL: a retry with the same
	                              * key and request returns the
	                              * approval it made, as it is now; the
	                              * same key with another request is
	                              * POINTS_ECONFLICT */
} points_nomination;
#define POINTS_NOMINATION_INIT { POINTS_NOMINATION_VERSION, 0, NULL, 0, \
	NULL, 0, NULL, NULL, NULL }
POINTS_EXTERN int points_nomination_init(points_nomination *n,
    unsigned int version);
/* Nominate n: *out is the approval, pending.  Nothing is posted. */
POINTS_EXTERN int points_approval_nominate(points_db *db,
    const points_nomination *n, points_approval *out);
/* Approve approval id as approver (not its nominator: POINTS_EPERM),
 * with reason (may be NULL): its points are earned now.  An approval
 * decided already is POINTS_ESTATE. */
POINTS_EXTERN int points_approval_approve(points_db *db, int64_t id,
    const char *approver, const char *reason, points_approval *out);
/* Reject it, with reason (required): nothing is posted. */
POINTS_EXTERN int points_approval_reject(points_db *db, int64_t id,
    const char *approver, const char *reason, points_approval *out);
POINTS_EXTERN int points_approval_get(points_db *db, int64_t id,
    points_approval *out);
/* The approvals still pending, of account (0: every account's), oldest
 * first.  Each step reads in its own short transaction. */
typedef struct points_approval_iterator points_approval_iterator;
POINTS_EXTERN int points_approval_iterator_new(points_db *db,
    int64_t account, points_approval_iterator **out);
POINTS_EXTERN int points_approval_next(points_approval_iterator *it,
    points_approval *out);
POINTS_EXTERN void points_approval_iterator_free(
    points_approval_iterator *it);

/* ---- Scheduled grants ----
 * A periodic allowance (a monthly welfare allowance by grade, a yearly
 * one by tenure): a grant gives every active user account whose
 * condition holds the points of its formula once a period (a calendar
 * month, quarter or year in the ledger's UTC offset).  Definitions are
 * kept in versions as rules are; a run (by the host's sweep or the
 * command line) pays the period that contains its as_of, in chunks of
 * accounts, and marks each account paid for that period in the
 * transaction of its earn: running again pays no one twice, and a run
 * that failed part way is finished by running it again.  Both
 * expressions see account (the fields rules see, points-rules(7), with
 * tenure_days counted at the period's first day) and period (kind,
 * start, end, year, month, quarter). */
#define POINTS_GRANT_MONTHLY 1
#define POINTS_GRANT_QUARTERLY 2
#define POINTS_GRANT_YEARLY 3

/* points_grant_def.flags */
#define POINTS_GRANT_EXPIRE_AT_END 0x01u /* the points expire at the end
                                          * of the period they are for */

#define POINTS_GRANT_DEF_VERSION 1
typedef struct points_grant_def {
	unsigned int version;   /* POINTS_GRANT_DEF_VERSION */
	const char *name;       /* 1-64 of [a-z0-9_.-] */
	const char *asset;      /* the asset granted */
	int period;             /* POINTS_GRANT_MONTHLY ... _YEARLY */
	const char *condition;  /* CEL, a bool; NULL or "": every account */
	const char *points;     /* CEL, an int >= 0: the points */
	int64_t pool;           /* 0: the issuer pays; else a budget pool
	                         * (POINTS_ACCOUNT_POOL) that pays */
	const char *category;   /* the postings' category; NULL:
	                         * "allowance" */
	int64_t expires_days;   /* 0: the asset's policy; else 1-36525
	                         * days after the grant */
	unsigned int flags;     /* POINTS_GRANT_EXPIRE_AT_END */
	int state;              /* POINTS_RULE_DRAFT ... _RETIRED: only an
	                         * active grant runs */
	const char *author;     /* 1-64 bytes */
	const char *reason;     /* up to 256 bytes; may be NULL */
} points_grant_def;
#define POINTS_GRANT_DEF_INIT { POINTS_GRANT_DEF_VERSION, NULL, NULL, \
	POINTS_GRANT_MONTHLY, NULL, NULL, 0, NULL, 0, 0, POINTS_RULE_DRAFT, \
	NULL, NULL }
POINTS_EXTERN int points_grant_def_init(points_grant_def *d,
    unsigned int version);

/* A version of a grant as stored. */
typedef struct points_grant {
	char name[POINTS_RULE_NAME_MAX + 1];
	int64_t version;       /* 1, 2, ... */
	int64_t time;          /* when it was saved */
	char asset[POINTS_ASSET_MAX + 1];
	int period;
	int64_t pool;
	char category[POINTS_CATEGORY_MAX + 1];
	int64_t expires_days;
	unsigned int flags;
	int state;
	char author[POINTS_ACTOR_MAX + 1];
	char reason[POINTS_REASON_MAX + 1];
} points_grant;

/* Save a grant: a new one (version 1) or a new version of it; the
 * expressions are compiled here (an error is POINTS_EINVAL naming the
 * expression, the column and the reason).  A retired grant takes no
 * new version (POINTS_ESTATE). */
POINTS_EXTERN int points_grant_save(points_db *db, const points_grant_def *d,
    points_grant *out);
/* A new version of grant name with only its state changed. */
POINTS_EXTERN int points_grant_set_state(points_db *db, const char *name,
    int state, const char *author, const char *reason, points_grant *out);
/* Version version of grant name (0: the latest). */
POINTS_EXTERN int points_grant_get(points_db *db, const char *name,
    int64_t version, points_grant *out);
/* Its condition (POINTS_RULE_EXPR_CONDITION) or points formula
 * (POINTS_RULE_EXPR_POINTS) as saved; "" when none.  *out is owned by
 * the caller: points_free() it. */
POINTS_EXTERN int points_grant_expr_get(points_db *db, const char *name,
    int64_t version, int which, char **out);

/* What a run did.  The counts are of this call: an account paid for
 * the period before it counts in already. */
typedef struct points_grant_report {
	int64_t grants;        /* grants run */
	int64_t period_start;  /* points_grant_run: the period, from ... */
	int64_t period_end;    /* ... up to (not included); run_due: 0 */
	int64_t accounts;      /* user accounts looked at */
	int64_t granted;       /* accounts paid by this call */
	int64_t points;        /* the points they were paid */
	int64_t already;       /* accounts paid for the period before */
	int64_t condition;     /* the condition was false */
	int64_t zero;          /* the formula gave 0 */
	int64_t inactive;      /* frozen or closed: not paid */
	int64_t errors;        /* an expression gave an error: not paid */
	int64_t unpaid;        /* the pool could not pay them: not paid */
	int64_t unpaid_points; /* ... the points they were due */
} points_grant_report;

/* Accounts a run reads and pays in one write transaction. */
#define POINTS_GRANT_CHUNK 500

/* Pay active grant name for the period that contains as_of (0: the
 * ledger's clock; not later than it).  A pool that cannot pay an
 * account's points in full pays no one else in this call: they are
 * counted unpaid, and a run after the pool is funded pays them.  out
 * may be NULL. */
POINTS_EXTERN int points_grant_run(points_db *db, const char *name,
    int64_t as_of, points_grant_report *out);
/* The same for every active grant, in the order of their names; the
 * report adds theirs up. */
POINTS_EXTERN int points_grant_run_due(points_db *db, int64_t as_of,
    points_grant_report *out);

/* What a run paid an account for a period. */
typedef struct points_grant_award {
	char grant[POINTS_RULE_NAME_MAX + 1];
	int64_t version;       /* the grant's version that paid */
	int64_t period_start;
	int64_t account;
	int64_t points;
	int64_t time;          /* when */
	char txn_id[POINTS_ID_LEN + 1]; /* the earn */
} points_grant_award;
/* The award of grant name to account for the period that contains
 * as_of (0: the ledger's clock); POINTS_ENOTFOUND when it was not paid. */
POINTS_EXTERN int points_grant_award_get(points_db *db, const char *name,
    int64_t as_of, int64_t account, points_grant_award *out);
/* What grant name paid for the period that contains as_of (0: the
 * ledger's clock), by account id.  Each step reads in its own short
 * transaction. */
typedef struct points_grant_award_iterator points_grant_award_iterator;
POINTS_EXTERN int points_grant_award_iterator_new(points_db *db,
    const char *name, int64_t as_of, points_grant_award_iterator **out);
POINTS_EXTERN int points_grant_award_next(points_grant_award_iterator *it,
    points_grant_award *out);
POINTS_EXTERN void points_grant_award_iterator_free(
    points_grant_award_iterator *it);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_RULES_H */
