/* approval.h - four eyes: what the events need of the approvals
 * (points/rules.h, "Approval"). */
#ifndef POINTS_RULES_APPROVAL_H
#define POINTS_RULES_APPROVAL_H

#include "points.h"
#include "core/db.h"

/* Record a pending approval (inside the write): a's fields but id,
 * state and nominated_at, which this sets. */
int points_approval__add(points_db *db, points_approval *a);

#endif
