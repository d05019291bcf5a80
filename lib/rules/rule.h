/* rule.h - rules and their versions, the tier table, and the handle's
 * cache of both, for the events that are evaluated against them.
 *
 * Stored (each keyspace its own):
 *   rule      name -> the rule's number and latest version; and under
 *             the key "\0" (no name has it) the last number given and
 *             the generation, raised by every save of a rule or a tier
 *   rulever   number (be32) | version (be32) -> the version: its fields,
 *             author, time, reason and expressions' source
 *   tier      name -> rank and multiplier
 * A handle keeps every version compiled, and the tier table, and reads
 * them again when the generation it holds is not the stored one: one
 * read per event tells. */
#ifndef POINTS_RULES_RULE_H
#define POINTS_RULES_RULE_H

#include <stdint.h>

#include "points.h"
#include "core/db.h"
#include "rules/cel.h"

/* The expressions of a version, by POINTS_RULE_EXPR_*. */
#define POINTS_RULE__NEXPR 4

typedef struct points_rule_ver {
	points_rule r;
	uint32_t id;                 /* the rule's number */
	char *src[POINTS_RULE__NEXPR];            /* NULL: none */
	points_cel_prog *prog[POINTS_RULE__NEXPR]; /* compiled */
} points_rule_ver;

typedef struct points_rules_set {
	uint64_t gen;       /* 0: nothing loaded */
	/* The stored generation as read in the running transaction
	 * (txn_fresh 1), so that the reads of one transaction read it
	 * once; txn_end and op_undone forget it. */
	uint64_t txn_gen;
	int txn_fresh;
	points_rule_ver *v; /* by number, then version */
	size_t n;
	points_tier *tiers;
	size_t ntiers;
} points_rules_set;

/* The names rule expressions may use, in the order of their values in
 * an activation. */
enum { POINTS_RULE__VAR_EVENT, POINTS_RULE__VAR_ACCOUNT, POINTS_RULE__NVARS };
extern const points_cel_decls points_rule__decls;

/* The handle's rules and tiers as the store has them (inside a
 * transaction); *out stays valid until the next call. */
int points_rule__load(points_db *db, const points_rules_set **out);
/* The rules' generation as stored now (inside a transaction), read once
 * a transaction: raised by every save of a rule or a tier, and by
 * points_rule__bump.  What other modules key a cache of their own on
 * (the outbox's account triggers), so that the read every event makes
 * anyway tells them too. */
int points_rule__generation(points_db *db, uint64_t *out);
/* Raise the generation, inside a write: every handle reloads its rules
 * and what is keyed on it. */
int points_rule__bump(points_db *db);
/* The version of the rule whose versions start at v[i] in force at t:
 * the latest one saved at or before t that is not a draft; NULL: none.
 * *next is where the next rule's versions start. */
const points_rule_ver *points_rule__in_force(const points_rules_set *s,
    size_t i, int64_t t, size_t *next);
/* The multiplier of tier (percent; 100 when not in the table). */
int64_t points_rule__tier_percent(const points_rules_set *s,
    const char *tier);
/* The earn hooks of core/module.h (tier.c): count what b's account
 * earns in b, before the posting stores it; then move the account up to
 * a tier it now qualifies for. */
int points_tier__earning(points_db *db, void *state,
    struct points_balance_rec *b, int64_t time, int64_t amount);
int points_tier__earned(points_db *db, void *state, int64_t account,
    uint32_t asset, int64_t time, int64_t amount);
/* Read tier name into *t inside a transaction: POINTS_ENOTFOUND (no
 * message) when missing. */
int points_tier__read(points_db *db, const char *name, points_tier *t);
/* Check a name of a rule or an event type: 1-max of [a-z0-9_.-]. */
int points_rule__check_name(points_db *db, const char *what, const char *s,
    size_t max);

#endif
