/*
 * points/report.h - reports over the ledger for finance and HR: what
 * the company owes in points (liability) and when its points expire
 * (the breakage forecast).  Every figure is exact: sums of stored
 * integers, never rounded; a cash value comes with its remainder.
 * Included by points.h.
 */
#ifndef POINTS_INCLUDE_REPORT_H
#define POINTS_INCLUDE_REPORT_H

#include "points/common.h"
#include "points/mall.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Liability ---- */

/* What the user accounts hold of one asset now, each figure the sum of
 * what points_balance_get gives for every user account (system
 * accounts, the issuer's and the sink's, are left out), and their cash
 * value at the asset's ratio (points_mall_set_cash_ratio).
 * outstanding = available + pending + held: the points the company
 * still owes.  The cash value of outstanding is exactly
 * cash + cash_rem / ratio_points minor units (rounded down, the
 * remainder kept); with no ratio all three are 0. */
typedef struct points_liability {
	char asset[POINTS_ASSET_MAX + 1];
	int decimals;           /* the asset's */
	int64_t accounts;       /* user accounts holding or owing points */
	int64_t available;
	int64_t pending;        /* credited, not spendable yet */
	int64_t held;           /* on hold for an order or a capture */
	int64_t outstanding;    /* available + pending + held */
	int64_t debt;           /* points the user accounts owe */
	int64_t never_expires;  /* of available + pending: in lots that
	                         * never expire (the rest is in the
	                         * forecast, points_expiry_forecast) */
	int64_t ratio_points;   /* the asset's cash ratio: ratio_points */
	int64_t ratio_cash;     /* points are worth ratio_cash minor units */
	int64_t cash;           /* outstanding's cash value, rounded down */
	int64_t cash_rem;       /* its remainder, 0 <= cash_rem < ratio_points */
} points_liability;
/* The liability of asset as of the ledger's clock, read in one
 * transaction (one consistent figure).  It reads every balance record
 * of the ledger: its cost grows with accounts times assets, not with
 * entries.  An unknown asset is POINTS_ENOTFOUND; a sum that would pass
 * INT64_MAX is POINTS_ELIMIT. */
POINTS_EXTERN int points_liability_get(points_db *db, const char *asset,
    points_liability *out);

/* ---- The breakage forecast ---- */

/* The points of asset due to expire in one calendar month of the
 * ledger's local time (its UTC offset): lots still valid by the
 * ledger's clock whose last valid day falls in the month. */
typedef struct points_expiry_month {
	char asset[POINTS_ASSET_MAX + 1];
	int year;
	int month;        /* 1-12 */
	int64_t start;    /* the month's first second */
	int64_t end;      /* the next month's first second */
	int64_t points;
	int64_t accounts; /* user accounts with points expiring then */
} points_expiry_month;
/* An iterator over the months in which points of asset expire,
 * earliest first, from the current month on; months with nothing due
 * are left out.  The months' points add up to the liability's
 * available + pending - never_expires.  It is worked out in one
 * transaction at the first step (reading every balance record, as
 * points_liability_get does) and kept in memory, a month a row.  An
 * unknown asset is POINTS_ENOTFOUND at the first step. */
typedef struct points_expiry_forecast_iterator
    points_expiry_forecast_iterator;
POINTS_EXTERN int points_expiry_forecast_iterator_new(points_db *db,
    const char *asset, points_expiry_forecast_iterator **out);
/* POINTS_OK and the next month in *out, or POINTS_ITEROVER at the end. */
POINTS_EXTERN int points_expiry_forecast_next(
    points_expiry_forecast_iterator *it, points_expiry_month *out);
POINTS_EXTERN void points_expiry_forecast_iterator_free(
    points_expiry_forecast_iterator *it);

/* ---- Points issued and redeemed, per period ----
 * A report is named by its kind (POINTS_REPORT_*), the asset, the time
 * range from <= time < to (to 0: no end) and how
 * it is cut into periods: POINTS_PERIOD_ALL makes one period of the
 * range (its rows' period is from), the others calendar days, ISO weeks
 * (from Monday), months or years of the ledger's local time (its UTC
 * offset), each row's period its first second.  A period at either end
 * counts only what falls in the range.
 *
 * What counts, by an entry's time:
 *  issued    earns credited to user accounts (awards of rules, grants
 *            and approvals, points_earn), less the reversals of earns,
 *            counted when reversed under the earn's keys;
 *  redeemed  what user accounts spent (points_spend) and what was
 *            captured of their holds (a mall order's approval), less
 *            the reversals of those (a return), likewise.
 * Every figure is exact.  The rows come by period, then key (bytewise);
 * the most popular items by period, then units (most first), then
 * points (most first), then SKU.
 *
 * Cost: the entries of the range are found through the ledger's time
 * index (each entry is kept there under the time it carries, in buckets
 * of 18 hours), so a report reads the entries of its range, not the
 * whole log; its rows are kept in memory (one per period and key). */
#define POINTS_REPORT_ISSUED_BY_CATEGORY 1   /* key: the earn's category */
/* key: the rule that awarded the points (an event's earn that several
 * rules paid is split between them as the event log records it);
 * "": points no rule awarded (points_earn, grants, approvals) */
#define POINTS_REPORT_ISSUED_BY_RULE 2
/* key: the SKU of the mall order (its points only; an allowance's are
 * in the allowance's asset); "": redemptions of no order.  count:
 * units */
#define POINTS_REPORT_REDEEMED_BY_ITEM 3
/* key: the category of the order's item in the catalogue, or for a
 * redemption of no order the spend's category */
#define POINTS_REPORT_REDEEMED_BY_CATEGORY 4
/* key: "" for every account, then a row per department (of the user
 * account when the entry was posted; accounts of no department count
 * only in ""): points is what was redeemed, issued what was issued, the
 * rate points / issued */
#define POINTS_REPORT_REDEMPTION_RATE 5
/* REDEEMED_BY_ITEM's rows of items, the limit most popular of each
 * period (limit 0: all) */
#define POINTS_REPORT_POPULAR_ITEMS 6

#define POINTS_PERIOD_ALL 0
#define POINTS_PERIOD_DAY 1
#define POINTS_PERIOD_WEEK 2
#define POINTS_PERIOD_MONTH 3
#define POINTS_PERIOD_YEAR 4

#define POINTS_REPORT_KEY_MAX 128
typedef struct points_report_row {
	int64_t period;  /* the period's first second */
	char key[POINTS_REPORT_KEY_MAX + 1]; /* what the row counts, by kind */
	char asset[POINTS_ASSET_MAX + 1];
	int64_t points;  /* issued, or redeemed, net of reversals */
	int64_t count;   /* entries (items: units), reversals not counted */
	int64_t issued;  /* REDEMPTION_RATE: points issued; else 0 */
} points_report_row;
/* An iterator over the rows of report kind of asset over from <= time
 * < to (to 0: no end) by period (POINTS_PERIOD_*); limit: the rows a
 * period of POINTS_REPORT_POPULAR_ITEMS (0: all), 0 for the others.
 * Worked out in one transaction at the first step and kept in memory. */
typedef struct points_report_iterator points_report_iterator;
POINTS_EXTERN int points_report_iterator_new(points_db *db, int kind,
    const char *asset, int64_t from, int64_t to, int period, int64_t limit,
    points_report_iterator **out);
/* POINTS_OK and the next row in *out, or POINTS_ITEROVER at the end. */
POINTS_EXTERN int points_report_next(points_report_iterator *it,
    points_report_row *out);
POINTS_EXTERN void points_report_iterator_free(points_report_iterator *it);

/* ---- Settlement between issuers ----
 * Where several shops or departments issue points, each from its own
 * system account, and points are redeemed at several shops, the
 * programme settles with each: a party pays for the points it issued
 * and is paid for the points redeemed at it.  The parties are system
 * accounts, named as the write names them:
 *  issuer   the counterparty of an earn (points_posting.counterparty: a
 *           shop's account, made with POINTS_ACCOUNT_SYSTEM |
 *           POINTS_ACCOUNT_ALLOW_NEGATIVE, or a budget pool; 0: the
 *           ledger's issuer, "system:issuer");
 *  redeemer the counterparty of a spend, or the payee of a captured
 *           hold (points_hold_capture's to; 0: the sink, "system:sink",
 *           where the mall's orders go).
 * Over from <= time < to (to 0: no end), what a party issued to user
 * accounts and what user accounts redeemed at it, each less the
 * reversals posted in the range (counted as the reports above count
 * them), and net = issued - redeemed: above 0 the party owes the
 * programme, below 0 the programme owes it.  Its cash value is net *
 * ratio_cash / ratio_points exactly: cash + cash_rem / ratio_points
 * minor units, cash rounded toward minus infinity (so cash_rem is
 * never negative).  The rows' nets add up to the points issued less the
 * points redeemed in the range. */
typedef struct points_settlement {
	int64_t party;                          /* the system account */
	char external_id[POINTS_EXTID_MAX + 1]; /* its external id */
	char asset[POINTS_ASSET_MAX + 1];
	int64_t issued;       /* earns it paid, less their reversals */
	int64_t redeemed;     /* redeemed at it, less their reversals */
	int64_t net;          /* issued - redeemed */
	int64_t ratio_points; /* the terms: ratio_points points ... */
	int64_t ratio_cash;   /* ... settle for ratio_cash minor units */
	int64_t cash;         /* net's cash value, rounded down */
	int64_t cash_rem;     /* 0 <= cash_rem < ratio_points */
} points_settlement;
/* An iterator over the parties that issued or took redemptions of asset
 * in the range, by account id.  ratio_points and ratio_cash are the
 * settlement's terms, each 1 to POINTS_CASH_RATIO_MAX; both 0: the
 * asset's cash ratio (points_mall_set_cash_ratio), and with none the
 * cash figures are 0.  Worked out in one transaction at the first step
 * from the entries of the range, read through the time index (as
 * points_report_iterator_new reads them), and kept in memory, a row a
 * party. */
typedef struct points_settlement_iterator points_settlement_iterator;
POINTS_EXTERN int points_settlement_iterator_new(points_db *db,
    const char *asset, int64_t from, int64_t to, int64_t ratio_points,
    int64_t ratio_cash, points_settlement_iterator **out);
/* POINTS_OK and the next party in *out, or POINTS_ITEROVER at the end. */
POINTS_EXTERN int points_settlement_next(points_settlement_iterator *it,
    points_settlement *out);
POINTS_EXTERN void points_settlement_iterator_free(
    points_settlement_iterator *it);

/* ---- Leaderboards ----
 * The accounts that earned most of an asset over from <= time < to
 * (to 0: no end): earns credited to user accounts, less the reversals
 * of earns posted in the range (as the reports above count them;
 * transfers are not earning).  Overall, or per department or tier as
 * each entry recorded its account's (an account that moved counts in
 * each group for what it earned there; "": none).  Each group ranks its
 * accounts by points, most first; a tie goes to the account that
 * reached its figure first (the earlier last entry), then to the lower
 * account id: ranks are never shared.  Accounts of 0 points or fewer
 * are left out.
 *
 * Cost: no index is kept on write.  The entries of the range are read
 * through the ledger's time index (as points_report_iterator_new does),
 * summed per account in memory and sorted: time linear in the entries
 * of the range, memory linear in the accounts that earned in it
 * (bench/leaderboard_bench.c measures it). */
#define POINTS_LEADERS_ALL 0
#define POINTS_LEADERS_BY_DEPARTMENT 1
#define POINTS_LEADERS_BY_TIER 2
typedef struct points_leader {
	char group[POINTS_DEPT_MAX + 1]; /* department or tier; "" overall
	                                  * or none */
	int64_t rank;                    /* 1, 2, ... within the group */
	int64_t account;
	char external_id[POINTS_EXTID_MAX + 1];
	char asset[POINTS_ASSET_MAX + 1];
	int64_t points;                  /* earned in the range */
	int64_t entries;                 /* earns counted */
	int64_t reached;                 /* the time of its last entry counted */
} points_leader;
/* An iterator over the top n accounts (0: all) of each group (by:
 * POINTS_LEADERS_*), by group (bytewise), then rank; worked out in one
 * transaction at the first step and kept in memory. */
typedef struct points_leaderboard_iterator points_leaderboard_iterator;
POINTS_EXTERN int points_leaderboard_iterator_new(points_db *db,
    const char *asset, int64_t from, int64_t to, int by, int64_t n,
    points_leaderboard_iterator **out);
/* POINTS_OK and the next account in *out, or POINTS_ITEROVER at the
 * end. */
POINTS_EXTERN int points_leaderboard_next(points_leaderboard_iterator *it,
    points_leader *out);
POINTS_EXTERN void points_leaderboard_iterator_free(
    points_leaderboard_iterator *it);

/* ---- Department and employee summaries ----
 * What an account, or the accounts of a department, did with an asset
 * over from <= time < to (to 0: no end): its position (available +
 * pending + held - debt, as the ledger stores it: points past due that
 * the sweep has not expired yet are still in it) at from and at to, and
 * between them, so that start + earned - spent - expired + other = end:
 *  earned   earns credited, less reversals of earns;
 *  spent    spends and captured holds, less their reversals;
 *  expired  points the sweep expired, less reversed expiries;
 *  other    the rest: transfers, adjustments, forfeits, ...
 * A department's summary adds up its accounts as they are now (an
 * account that moved counts wholly in its department of today). */
typedef struct points_summary {
	char department[POINTS_DEPT_MAX + 1];
	int64_t account;                /* an employee's; 0: a department */
	char external_id[POINTS_EXTID_MAX + 1]; /* an employee's; else "" */
	char asset[POINTS_ASSET_MAX + 1];
	int64_t accounts;               /* accounts summed */
	int64_t start;                  /* the position at from */
	int64_t earned;
	int64_t spent;
	int64_t expired;
	int64_t other;
	int64_t end;                    /* the position at to */
} points_summary;
/* The summary of account in asset: it reads the account's entries from
 * from on (the entries after to too, to work out its position then). */
POINTS_EXTERN int points_account_summary_get(points_db *db, int64_t account,
    const char *asset, int64_t from, int64_t to, points_summary *out);
/* An iterator over the departments' summaries ("": accounts of none),
 * by name, bytewise; worked out in one transaction at the first step:
 * it reads every balance record of the asset and the entries from from
 * on. */
typedef struct points_summary_iterator points_summary_iterator;
POINTS_EXTERN int points_department_summary_iterator_new(points_db *db,
    const char *asset, int64_t from, int64_t to,
    points_summary_iterator **out);
/* POINTS_OK and the next department in *out, or POINTS_ITEROVER. */
POINTS_EXTERN int points_department_summary_next(
    points_summary_iterator *it, points_summary *out);
POINTS_EXTERN void points_department_summary_iterator_free(
    points_summary_iterator *it);

/* ---- Recommendations ----
 * Items to suggest to an account, from the catalogue and the orders
 * (an order counts unless cancelled or returned):
 *  AFFORDABLE      listed items in stock it can pay for a unit of now,
 *                  as points_order_place checks it (POINTS_ITEMS_
 *                  AFFORDABLE); score: units sold; most sold first
 *  DEPARTMENT      items the other accounts of its department (as they
 *                  are now) ordered; score: their units
 *  TIER            the same for its tier
 *  ALSO_REDEEMED   items ordered by the accounts that ordered an item it
 *                  ordered; score: how many of those accounts
 * The last three leave out what the account ordered itself and items
 * no longer listed; an account of no department (tier) gets none from
 * DEPARTMENT (TIER).  Ranked by score, most first, then SKU; price is
 * what the account pays a unit now.  They read every order: the cost
 * grows with the orders and the catalogue, not with entries. */
#define POINTS_RECOMMEND_AFFORDABLE 1
#define POINTS_RECOMMEND_DEPARTMENT 2
#define POINTS_RECOMMEND_TIER 3
#define POINTS_RECOMMEND_ALSO_REDEEMED 4
typedef struct points_recommendation {
	int64_t rank;   /* 1, 2, ... */
	char sku[POINTS_SKU_MAX + 1];
	char name[POINTS_ITEM_NAME_MAX + 1];
	char asset[POINTS_ASSET_MAX + 1];
	int64_t price;
	int64_t score;
} points_recommendation;
/* An iterator over the n best (0: all) recommendations of kind
 * (POINTS_RECOMMEND_*) for account, worked out in one transaction at
 * the first step. */
typedef struct points_recommendation_iterator
    points_recommendation_iterator;
POINTS_EXTERN int points_recommendation_iterator_new(points_db *db,
    int64_t account, int kind, int64_t n,
    points_recommendation_iterator **out);
POINTS_EXTERN int points_recommendation_next(
    points_recommendation_iterator *it, points_recommendation *out);
POINTS_EXTERN void points_recommendation_iterator_free(
    points_recommendation_iterator *it);

#ifdef __cplusplus
}
#endif
#endif /* POINTS_INCLUDE_REPORT_H */
