/* forfeit.h - leavers: the request and the write, for the tests. */
#ifndef POINTS_LEDGER_FORFEIT_H
#define POINTS_LEDGER_FORFEIT_H

#include "ledger/write.h"

extern const points_reqtype points_forfeit__req;
extern const points_write_op points_forfeit__op;

#endif
