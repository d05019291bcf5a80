/* iterator_kinds.c - each list has its own iterator type, so passing one
 * kind where another is expected does not compile.  Not a program:
 * `make check-iterator-types` compiles it with -DCASE=0 (every function
 * of every iterator kind, used as it should be: it must compile) and
 * with every other CASE (one call each, given the iterator of another
 * kind: it must fail with an incompatible pointer type).  The check
 * also reads the public headers: every function that takes or makes an
 * iterator (its type a points_*_iterator typedef) must be called in
 * CASE 0 and misused in a case of its own
 * (tests/check_iterator_kinds.py). */
#include "points.h"

#ifndef CASE
#define CASE 0
#endif

#define NCASES 74

#define ORDER "0190a0a0-0000-7000-8000-000000000000"

int iterator_kinds(points_db *db);

int
iterator_kinds(points_db *db)
{
	points_account_iterator *ai = NULL;
	points_account_history_iterator *ahi = NULL;
	points_statement_iterator *si = NULL;
	points_lot_iterator *li = NULL;
	points_item_iterator *ii = NULL;
	points_item_history_iterator *ihi = NULL;
	points_order_iterator *oi = NULL;
	points_order_history_iterator *ohi = NULL;
	points_order_code_iterator *oci = NULL;
	points_bundle_part_iterator *bpi = NULL;
	points_trigger_iterator *ti = NULL;
	points_rule_history_iterator *rhi = NULL;
	points_rule_iterator *rli = NULL;
	points_approval_iterator *api = NULL;
	points_grant_award_iterator *gai = NULL;
	points_export_iterator *xi = NULL;
	char *line = NULL;
	points_expiry_forecast_iterator *fi = NULL;
	points_expiry_month em;
	points_report_iterator *ri = NULL;
	points_report_row rr;
	points_leaderboard_iterator *lbi = NULL;
	points_leader ld;
	points_summary_iterator *dsi = NULL;
	points_summary sm;
	points_recommendation_iterator *rci = NULL;
	points_recommendation rec;
	points_settlement_iterator *sti = NULL;
	points_settlement st;
	points_auction_bid_iterator *abi = NULL;
	points_bid bid;
	points_lottery_draw_iterator *ldi = NULL;
	points_lottery_draw ldw;
	points_account a;
	points_account_change ac;
	points_entry e;
	points_lot l;
	points_item item;
	points_item_change ic;
	points_order ord;
	points_order_change oc;
	points_order_code code;
	points_bundle_part part;
	points_trigger trig;
	points_rule rule;
	points_approval ap;
	points_grant_award ga;
	points_item_query q = POINTS_ITEM_QUERY_INIT;
	int rc = 0;

#if CASE == 0
	rc |= points_account_iterator_new(db, 0, &ai);
	rc |= points_account_next(ai, &a);
	points_account_iterator_free(ai);
	rc |= points_account_history_iterator_new(db, 4, &ahi);
	rc |= points_account_history_next(ahi, &ac);
	points_account_history_iterator_free(ahi);
	rc |= points_statement_iterator_new(db, 4, "PTS", 0, 0,
	    POINTS_NEWEST_FIRST, &si);
	rc |= points_statement_next(si, &e);
	points_statement_iterator_free(si);
	rc |= points_lot_iterator_new(db, 4, "PTS", INT64_MAX, &li);
	rc |= points_lot_next(li, &l);
	points_lot_iterator_free(li);
	rc |= points_item_iterator_new(db, NULL, 0, &ii);
	rc |= points_item_next(ii, &item);
	points_item_iterator_free(ii);
	rc |= points_item_query_iterator_new(db, &q, &ii);
	rc |= points_item_next(ii, &item);
	points_item_iterator_free(ii);
	rc |= points_item_history_iterator_new(db, "MUG", &ihi);
	rc |= points_item_history_next(ihi, &ic);
	points_item_history_iterator_free(ihi);
	rc |= points_order_iterator_new(db, 0, -1, NULL, &oi);
	rc |= points_order_next(oi, &ord);
	points_order_iterator_free(oi);
	rc |= points_order_history_iterator_new(db, ORDER, &ohi);
	rc |= points_order_history_next(ohi, &oc);
	points_order_history_iterator_free(ohi);
	rc |= points_order_code_iterator_new(db, ORDER, &oci);
	rc |= points_order_code_next(oci, &code);
	points_order_code_iterator_free(oci);
	rc |= points_bundle_part_iterator_new(db, "KIT", &bpi);
	rc |= points_bundle_part_next(bpi, &part);
	points_bundle_part_iterator_free(bpi);
	rc |= points_order_part_iterator_new(db, ORDER, &bpi);
	rc |= points_bundle_part_next(bpi, &part);
	points_bundle_part_iterator_free(bpi);
	rc |= points_trigger_iterator_new(db, &ti);
	rc |= points_trigger_next(ti, &trig);
	points_trigger_iterator_free(ti);
	rc |= points_rule_history_iterator_new(db, "base", &rhi);
	rc |= points_rule_history_next(rhi, &rule);
	points_rule_history_iterator_free(rhi);
	rc |= points_rule_iterator_new(db, &rli);
	rc |= points_rule_next(rli, &rule);
	points_rule_iterator_free(rli);
	rc |= points_approval_iterator_new(db, 0, &api);
	rc |= points_approval_next(api, &ap);
	points_approval_iterator_free(api);
	rc |= points_grant_award_iterator_new(db, "yearly", 0, &gai);
	rc |= points_grant_award_next(gai, &ga);
	points_grant_award_iterator_free(gai);
	rc |= points_export_iterator_new(db, POINTS_EXPORT_CSV, 0, 0, &xi);
	rc |= points_export_next(xi, &line);
	points_export_iterator_free(xi);
	rc |= points_expiry_forecast_iterator_new(db, "PTS", &fi);
	rc |= points_expiry_forecast_next(fi, &em);
	points_expiry_forecast_iterator_free(fi);
	rc |= points_report_iterator_new(db, POINTS_REPORT_ISSUED_BY_RULE,
	    "PTS", 0, 0, POINTS_PERIOD_ALL, 0, &ri);
	rc |= points_report_next(ri, &rr);
	points_report_iterator_free(ri);
	rc |= points_leaderboard_iterator_new(db, "PTS", 0, 0,
	    POINTS_LEADERS_ALL, 10, &lbi);
	rc |= points_leaderboard_next(lbi, &ld);
	points_leaderboard_iterator_free(lbi);
	rc |= points_department_summary_iterator_new(db, "PTS", 0, 0, &dsi);
	rc |= points_department_summary_next(dsi, &sm);
	points_department_summary_iterator_free(dsi);
	rc |= points_recommendation_iterator_new(db, 4,
	    POINTS_RECOMMEND_AFFORDABLE, 5, &rci);
	rc |= points_recommendation_next(rci, &rec);
	points_recommendation_iterator_free(rci);
	rc |= points_settlement_iterator_new(db, "PTS", 0, 0, 0, 0, &sti);
	rc |= points_settlement_next(sti, &st);
	points_settlement_iterator_free(sti);
	rc |= points_auction_bid_iterator_new(db, 1, &abi);
	rc |= points_auction_bid_next(abi, &bid);
	points_auction_bid_iterator_free(abi);
	rc |= points_lottery_draw_iterator_new(db, 1, 0, 0, &ldi);
	rc |= points_lottery_draw_next(ldi, &ldw);
	points_lottery_draw_iterator_free(ldi);
#elif CASE == 1
	rc = points_account_next(ahi, &a);
#elif CASE == 2
	rc = points_account_history_next(ai, &ac);
#elif CASE == 3
	rc = points_statement_next(li, &e);
#elif CASE == 4
	rc = points_lot_next(si, &l);
#elif CASE == 5
	rc = points_item_next(ihi, &item);
#elif CASE == 6
	rc = points_item_history_next(ii, &ic);
#elif CASE == 7
	rc = points_order_next(ohi, &ord);
#elif CASE == 8
	rc = points_order_history_next(oi, &oc);
#elif CASE == 9
	rc = points_order_code_next(bpi, &code);
#elif CASE == 10
	rc = points_bundle_part_next(oci, &part);
#elif CASE == 11
	rc = points_trigger_next(rhi, &trig);
#elif CASE == 12
	rc = points_rule_history_next(api, &rule);
#elif CASE == 13
	rc = points_approval_next(gai, &ap);
#elif CASE == 14
	rc = points_grant_award_next(ai, &ga);
#elif CASE == 15
	points_account_iterator_free(si);
#elif CASE == 16
	points_account_history_iterator_free(li);
#elif CASE == 17
	points_statement_iterator_free(ii);
#elif CASE == 18
	points_lot_iterator_free(ihi);
#elif CASE == 19
	points_item_iterator_free(oi);
#elif CASE == 20
	points_item_history_iterator_free(ohi);
#elif CASE == 21
	points_order_iterator_free(oci);
#elif CASE == 22
	points_order_history_iterator_free(bpi);
#elif CASE == 23
	points_order_code_iterator_free(ti);
#elif CASE == 24
	points_bundle_part_iterator_free(rhi);
#elif CASE == 25
	points_trigger_iterator_free(api);
#elif CASE == 26
	points_rule_history_iterator_free(gai);
#elif CASE == 27
	points_approval_iterator_free(ai);
#elif CASE == 28
	points_grant_award_iterator_free(ahi);
#elif CASE == 29
	rc = points_account_iterator_new(db, 0, &li);
#elif CASE == 30
	rc = points_account_history_iterator_new(db, 4, &ai);
#elif CASE == 31
	rc = points_statement_iterator_new(db, 4, "PTS", 0, 0,
	    POINTS_NEWEST_FIRST, &ihi);
#elif CASE == 32
	rc = points_lot_iterator_new(db, 4, "PTS", INT64_MAX, &oi);
#elif CASE == 33
	rc = points_item_iterator_new(db, NULL, 0, &ohi);
#elif CASE == 34
	rc = points_item_query_iterator_new(db, &q, &oci);
#elif CASE == 35
	rc = points_item_history_iterator_new(db, "MUG", &ii);
#elif CASE == 36
	rc = points_order_iterator_new(db, 0, -1, NULL, &bpi);
#elif CASE == 37
	rc = points_order_history_iterator_new(db, ORDER, &oi);
#elif CASE == 38
	rc = points_order_code_iterator_new(db, ORDER, &bpi);
#elif CASE == 39
	rc = points_bundle_part_iterator_new(db, "KIT", &ii);
#elif CASE == 40
	rc = points_order_part_iterator_new(db, ORDER, &oci);
#elif CASE == 41
	rc = points_trigger_iterator_new(db, &gai);
#elif CASE == 42
	rc = points_rule_history_iterator_new(db, "base", &ai);
#elif CASE == 43
	rc = points_approval_iterator_new(db, 0, &ahi);
#elif CASE == 44
	rc = points_grant_award_iterator_new(db, "yearly", 0, &si);
#elif CASE == 45
	rc = points_export_next(si, &line);
#elif CASE == 46
	points_export_iterator_free(li);
#elif CASE == 47
	rc = points_export_iterator_new(db, POINTS_EXPORT_CSV, 0, 0, &ai);
#elif CASE == 48
	rc = points_expiry_forecast_next(xi, &em);
#elif CASE == 49
	points_expiry_forecast_iterator_free(li);
#elif CASE == 50
	rc = points_expiry_forecast_iterator_new(db, "PTS", &ai);
#elif CASE == 51
	rc = points_report_next(fi, &rr);
#elif CASE == 52
	points_report_iterator_free(xi);
#elif CASE == 53
	rc = points_report_iterator_new(db, POINTS_REPORT_ISSUED_BY_RULE,
	    "PTS", 0, 0, POINTS_PERIOD_ALL, 0, &fi);
#elif CASE == 54
	rc = points_leaderboard_next(ri, &ld);
#elif CASE == 55
	points_leaderboard_iterator_free(fi);
#elif CASE == 56
	rc = points_leaderboard_iterator_new(db, "PTS", 0, 0,
	    POINTS_LEADERS_ALL, 10, &ri);
#elif CASE == 57
	rc = points_department_summary_next(lbi, &sm);
#elif CASE == 58
	points_department_summary_iterator_free(ri);
#elif CASE == 59
	rc = points_department_summary_iterator_new(db, "PTS", 0, 0, &lbi);
#elif CASE == 60
	rc = points_recommendation_next(dsi, &rec);
#elif CASE == 61
	points_recommendation_iterator_free(lbi);
#elif CASE == 62
	rc = points_recommendation_iterator_new(db, 4,
	    POINTS_RECOMMEND_AFFORDABLE, 5, &dsi);
#elif CASE == 63
	rc = points_settlement_next(rci, &st);
#elif CASE == 64
	points_settlement_iterator_free(dsi);
#elif CASE == 65
	rc = points_settlement_iterator_new(db, "PTS", 0, 0, 0, 0, &rci);
#elif CASE == 66
	rc = points_auction_bid_next(rci, &bid);
#elif CASE == 67
	points_auction_bid_iterator_free(rci);
#elif CASE == 68
	rc = points_auction_bid_iterator_new(db, 1, &rci);
#elif CASE == 69
	rc = points_lottery_draw_next(sti, &ldw);
#elif CASE == 70
	points_lottery_draw_iterator_free(sti);
#elif CASE == 71
	rc = points_lottery_draw_iterator_new(db, 1, 0, 0, &sti);
#elif CASE == 72
	rc = points_rule_next(rhi, &rule);
#elif CASE == 73
	points_rule_iterator_free(rhi);
#elif CASE == 74
	rc = points_rule_iterator_new(db, &rhi);
#endif
	(void)rli;
	(void)sti;
	(void)ldi;
	(void)ldw;
	(void)st;
	(void)ai;
	(void)abi;
	(void)bid;
	(void)ahi;
	(void)si;
	(void)li;
	(void)ii;
	(void)ihi;
	(void)oi;
	(void)ohi;
	(void)oci;
	(void)bpi;
	(void)ti;
	(void)rhi;
	(void)api;
	(void)gai;
	(void)xi;
	(void)line;
	(void)fi;
	(void)em;
	(void)ri;
	(void)rr;
	(void)lbi;
	(void)ld;
	(void)dsi;
	(void)sm;
	(void)rci;
	(void)rec;
	(void)a;
	(void)ac;
	(void)e;
	(void)l;
	(void)item;
	(void)ic;
	(void)ord;
	(void)oc;
	(void)code;
	(void)part;
	(void)trig;
	(void)rule;
	(void)ap;
	(void)ga;
	(void)q;
	(void)db;
	return rc;
}
