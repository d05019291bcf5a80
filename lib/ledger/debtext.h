/* debtext.h - the bytes of an entry's debt extension
 * (POINTS_ENTRY_EXT_DEBT): two varints, owed and repaid (see debt.h for
 * what they mean).  Kept apart from debt.c, which moves points, so that
 * entry.c can read them without depending on the postings. */
#ifndef POINTS_LEDGER_DEBTEXT_H
#define POINTS_LEDGER_DEBTEXT_H

#include <stddef.h>
#include <stdint.h>

/* The longest encoding: two 10-byte varints. */
#define POINTS_DEBTEXT_MAX 20

/* Encode owed and repaid (both >= 0) into out; returns the length. */
size_t points_debtext__encode(int64_t owed, int64_t repaid,
    unsigned char out[POINTS_DEBTEXT_MAX]);
/* Decode the extension of an entry of type with amount: POINTS_OK, or
 * POINTS_ECORRUPT (no message) for bytes debt.h's rules refuse: not
 * exactly two varints, both 0, either above amount, an owed on a type
 * other than a reversal (that this library knows), a repaid on a
 * HOLD. */
int points_debtext__decode(const void *v, size_t len, int type,
    int64_t amount, int64_t *owed, int64_t *repaid);

#endif
