/* iterator_kinds.c - each list has its own iterator type, so passing one
 * kind where another is expected does not compile.  Not a program:
 * `make check-iterator-types` compiles it with -DCASE=0 (all correct: it
 * must compile) and with every other CASE (one misuse each: it must fail
 * with an incompatible pointer type). */
#include "points.h"

#ifndef CASE
#define CASE 0
#endif
#define NCASES 15

int iterator_kinds(points_db *db, points_account_iterator *ai,
    points_statement_iterator *si, points_lot_iterator *li);

int
iterator_kinds(points_db *db, points_account_iterator *ai,
    points_statement_iterator *si, points_lot_iterator *li)
{
	points_account a;
	points_entry e;
	points_lot l;
	points_item item;
	points_item_change ch;
	points_order ord;
	points_order_change och;
	int rc = 0;

	(void)db;
#if CASE == 0
	rc |= points_account_iterator_new(db, 0, &ai);
	rc |= points_statement_iterator_new(db, 4, "PTS", 0, 0,
	    POINTS_NEWEST_FIRST, &si);
	rc |= points_lot_iterator_new(db, 4, "PTS", INT64_MAX, &li);
	rc |= points_account_next(ai, &a);
	rc |= points_statement_next(si, &e);
	rc |= points_lot_next(li, &l);
	points_account_iterator_free(ai);
	points_statement_iterator_free(si);
	points_lot_iterator_free(li);
#elif CASE == 1
	rc = points_account_next(si, &a);
#elif CASE == 2
	rc = points_account_next(li, &a);
#elif CASE == 3
	rc = points_statement_next(ai, &e);
#elif CASE == 4
	rc = points_statement_next(li, &e);
#elif CASE == 5
	rc = points_lot_next(ai, &l);
#elif CASE == 6
	rc = points_lot_next(si, &l);
#elif CASE == 7
	points_account_iterator_free(si);
#elif CASE == 8
	points_statement_iterator_free(li);
#elif CASE == 9
	points_lot_iterator_free(ai);
#elif CASE == 10
	rc = points_statement_iterator_new(db, 4, "PTS", 0, 0,
	    POINTS_NEWEST_FIRST, &ai);
#elif CASE == 11
	rc = points_item_next((points_item_history_iterator *)0, &item);
#elif CASE == 12
	rc = points_item_history_next((points_item_iterator *)0, &ch);
#elif CASE == 13
	rc = points_item_iterator_new(db, NULL, 0,
	    (points_item_history_iterator **)0);
#elif CASE == 14
	rc = points_order_next((points_order_history_iterator *)0, &ord);
#elif CASE == 15
	rc = points_order_history_next((points_order_iterator *)0, &och);
#endif
	(void)ord;
	(void)och;
	(void)item;
	(void)ch;
	(void)a;
	(void)e;
	(void)l;
	(void)ai;
	(void)si;
	(void)li;
	return rc;
}
