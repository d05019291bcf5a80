/* debt.h - debts: what a reversal could not take back, repaid first by
 * the account's next credits.
 *
 * The rules (README, "Refunds and debts"):
 * - Only a reversal makes a debt.  It takes its amount from the debited
 *   account's available points (the original's own lots first, then the
 *   earliest expiring); when a user account that may not go negative has
 *   less available, it gives all it has and owes the rest: its debt
 *   grows, its available stays 0.  Held points are not taken (their
 *   release repays).  POINTS_REVERSE_NO_DEBT refuses such a reversal
 *   instead (POINTS_EINSUFFICIENT).  Accounts allowed to go negative go
 *   below zero as before; system accounts refuse as before.
 * - Every credit to an account with a debt repays it first, whatever
 *   brings it: an earn, a transfer in, a positive adjustment, a capture
 *   into the account, the reversal of a debit (a refunded spend), the
 *   release of a hold, a forfeiture's write-off.  The repaid part makes
 *   no lot; the rest makes lots as any credit does.  Since the credit
 *   keeps the latest-expiring part of the lots it brings (posting.c),
 *   the repaid part is the part that would expire first.
 * - So a debt and available points never coexist: debt > 0 means
 *   available == 0.
 * - Lifetime counters: earned counts every credit in full (the repaid
 *   part too), spent every debit, and a reversal subtracts its whole
 *   amount from earned (or spent), the part that became a debt too.  So
 *   earned - spent - expired == available + held - debt, always.
 * - An account with a debt cannot be closed; a forfeiture writes the
 *   debt off (forfeit.c).
 *
 * Where.  The debits that owe and the credits that repay are
 * points_posting__debit_owing and points_posting__credit_repaying
 * (posting.c); the extension's bytes are in debtext.c; this file reads
 * and writes the extension of an entry.
 *
 * The entry.  An entry that makes or repays a debt says so in extension
 * POINTS_ENTRY_EXT_DEBT (entry.h): two varints, owed (the debt its
 * debited account, from, took on) and repaid (the debt of its credited
 * account, to, it repaid), each at most the entry's amount, not both 0
 * (an entry without debt moves carries no extension).  The entry's
 * movement is then: from's available falls by amount - owed and its
 * debt grows by owed; to's available grows by amount - repaid and its
 * debt falls by repaid.  Only a reversal owes; a HOLD carries neither,
 * a RELEASE, CAPTURE or EXPIRE no owed.
 *
 * Format.  An older library that skipped this extension would misread
 * such an entry's movement, so it must not open a ledger that may hold
 * one: the extension is part of the ledger module's format 2 (entry.c),
 * which 0.1.0 (format 1) refuses at open with POINTS_EVERSION.  Format 2
 * has never been written without it, so no library reads a format-2
 * ledger without knowing debts.  A later change to these bytes raises
 * the ledger format again. */
#ifndef POINTS_LEDGER_DEBT_H
#define POINTS_LEDGER_DEBT_H

#include "points.h"
#include "core/db.h"
#include "ledger/entry.h"

/* Record in e the debt it makes (owed by e->from) and repays (repaid of
 * e->to): the extension, when either is not 0. */
int points_debt__note(points_db *db, points_entry_rec *e, int64_t owed,
    int64_t repaid);
/* The debt e makes and repays (0, 0 without the extension);
 * POINTS_ECORRUPT, with a message, for bytes the rules above refuse. */
int points_debt__of(points_db *db, const points_entry_rec *e, int64_t *owed,
    int64_t *repaid);

#endif
