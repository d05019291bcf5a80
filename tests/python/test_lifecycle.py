"""Handles and their lifetimes: close, use after close, garbage
collection, stores under ledgers, threads, fork(), the command line."""

import gc
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import unittest
import weakref

import points
from helpers import T0

# One call of every public Ledger method, for the use-after-close test.
ORDER = "01a20c1b-9ad1-7808-86de-19f1e0880b3a"
CALLS = {
    "errmsg": lambda l, a: l.errmsg,
    "errcode": lambda l, a: l.errcode,
    "now": lambda l, a: l.now(),
    "settings": lambda l, a: l.settings(),
    "utc_offset": lambda l, a: l.utc_offset,
    "set_clock": lambda l, a: l.set_clock(T0),
    "batch": lambda l, a: l.batch().__enter__(),
    "begin_batch": lambda l, a: l.begin_batch(),
    "commit_batch": lambda l, a: l.commit_batch(),
    "rollback_batch": lambda l, a: l.rollback_batch(),
    "create_asset": lambda l, a: l.create_asset("X"),
    "asset": lambda l, a: l.asset("PTS"),
    "set_asset_policy": lambda l, a: l.set_asset_policy("PTS"),
    "create_pool": lambda l, a: l.create_pool("P9"),
    "fund_pool": lambda l, a: l.fund_pool(a, 1, "PTS"),
    "defund_pool": lambda l, a: l.defund_pool(a, 1, "PTS"),
    "create_account": lambda l, a: l.create_account("E9"),
    "account": lambda l, a: l.account(a),
    "change_account": lambda l, a: l.change_account(a, tier="gold"),
    "account_history": lambda l, a: l.account_history(a),
    "erase_account": lambda l, a: l.erase_account(a),
    "find_account": lambda l, a: l.find_account("E1"),
    "update_account": lambda l, a: l.update_account(a, name="x"),
    "set_attr": lambda l, a: l.set_attr(a, "k", "v"),
    "get_attr": lambda l, a: l.get_attr(a, "k", None),
    "freeze": lambda l, a: l.freeze(a),
    "unfreeze": lambda l, a: l.unfreeze(a),
    "close_account": lambda l, a: l.close_account(a),
    "forfeit": lambda l, a: l.forfeit(a),
    "accounts": lambda l, a: l.accounts(),
    "balance": lambda l, a: l.balance(a, "PTS"),
    "earn": lambda l, a: l.earn(a, 1, "PTS"),
    "spend": lambda l, a: l.spend(a, 1, "PTS"),
    "transfer": lambda l, a: l.transfer(a, a, 1, "PTS"),
    "adjust": lambda l, a: l.adjust(a, 1, "PTS", "r"),
    "reverse": lambda l, a: l.reverse("01a20c1b-9ad1-7808-86de-19f1e0880b3a"),
    "txn": lambda l, a: l.txn("01a20c1b-9ad1-7808-86de-19f1e0880b3a"),
    "statement": lambda l, a: l.statement(a, "PTS"),
    "lots": lambda l, a: l.lots(a, "PTS"),
    "expiring": lambda l, a: l.expiring("PTS", 30),
    "expire_sweep": lambda l, a: l.expire_sweep(),
    "hold": lambda l, a: l.hold(a, 1, "PTS"),
    "get_hold": lambda l, a: l.get_hold("01a20c1b-9ad1-7808-86de-19f1e0880b3a"),
    "verify": lambda l, a: l.verify(),
    "export": lambda l, a: l.export("csv"),
    "import_accounts": lambda l, a: l.import_accounts("/nonexistent.csv"),
    "import_awards": lambda l, a: l.import_awards("/nonexistent.csv"),
    "rules": lambda l, a: l.rules(),
    "liability": lambda l, a: l.liability("PTS"),
    "expiry_forecast": lambda l, a: l.expiry_forecast("PTS"),
    "report": lambda l, a: l.report(points.REPORT_ISSUED_BY_RULE, "PTS"),
    "leaderboard": lambda l, a: l.leaderboard("PTS"),
    "settlement": lambda l, a: l.settlement("PTS"),
    "account_summary": lambda l, a: l.account_summary(a, "PTS"),
    "department_summaries": lambda l, a: l.department_summaries("PTS"),
    "recommendations": lambda l, a: l.recommendations(
        a, points.RECOMMEND_AFFORDABLE),
    "backup": lambda l, a: l.backup("/nonexistent/copy.db"),
    "chain_head": lambda l, a: l.chain_head(),
    "chain_heads": lambda l, a: l.chain_heads(),
    "rule_save": lambda l, a: l.rule_save("r", "t", "1", "PTS", "me"),
    "rule_set_state": lambda l, a: l.rule_set_state("r", 1, "me"),
    "rule_get": lambda l, a: l.rule_get("r"),
    "rule_expr": lambda l, a: l.rule_expr("r", 0),
    "rule_history": lambda l, a: l.rule_history("r"),
    "tier_set": lambda l, a: l.tier_set("gold", 1, 150),
    "tier_get": lambda l, a: l.tier_get("gold"),
    "tier_qualify": lambda l, a: l.tier_qualify("gold", "PTS", 1, 1),
    "tier_earned": lambda l, a: l.tier_earned(a, "PTS", 12),
    "tier_sweep": lambda l, a: l.tier_sweep(),
    "event_apply": lambda l, a: l.event_apply("e", "t", a),
    "event_preview": lambda l, a: l.event_preview("e", "t", a),
    "event_get": lambda l, a: l.event_get("e"),
    "rule_backtest": lambda l, a: l.rule_backtest("r"),
    "event_reverse": lambda l, a: l.event_reverse("e"),
    "approval_nominate": lambda l, a: l.approval_nominate(a, 1, "PTS", "m"),
    "approval_approve": lambda l, a: l.approval_approve(1, "h"),
    "approval_reject": lambda l, a: l.approval_reject(1, "h", "r"),
    "approval_get": lambda l, a: l.approval_get(1),
    "approvals": lambda l, a: l.approvals(),
    "grant_save": lambda l, a: l.grant_save("g", "1", "PTS", "me"),
    "grant_set_state": lambda l, a: l.grant_set_state("g", 1, "me"),
    "grant_get": lambda l, a: l.grant_get("g"),
    "grant_expr": lambda l, a: l.grant_expr("g", 0),
    "grant_run": lambda l, a: l.grant_run("g"),
    "grant_run_due": lambda l, a: l.grant_run_due(),
    "grant_award": lambda l, a: l.grant_award("g", a),
    "grant_awards": lambda l, a: l.grant_awards("g"),
    "item_create": lambda l, a: l.item_create("S", "S", "physical", "PTS", 1,
                                              1, "me"),
    "item_update": lambda l, a: l.item_update("S", "S", "physical", "PTS", 1,
                                              1, "me"),
    "item_restock": lambda l, a: l.item_restock("S", 1, "me"),
    "item_set_listed": lambda l, a: l.item_set_listed("S", False, "me"),
    "item_set_tier_price": lambda l, a: l.item_set_tier_price("S", "gold", 1,
                                                              "me"),
    "item": lambda l, a: l.item("S"),
    "item_tier_price": lambda l, a: l.item_tier_price("S", "gold"),
    "item_price_for": lambda l, a: l.item_price_for("S", a),
    "item_set_flash": lambda l, a: l.item_set_flash(
        "S", points.FLASH_PERCENT, 10, 0, T0 + 1, "x"),
    "item_set_window": lambda l, a: l.item_set_window("S", "x", 1),
    "item_next_opening": lambda l, a: l.item_next_opening("S"),
    "item_set_period_limit": lambda l, a: l.item_set_period_limit(
        "S", points.PERIOD_DAY, 1, "x"),
    "order_units_in_period": lambda l, a: l.order_units_in_period(
        a, "S", points.PERIOD_DAY),
    "mall_set_window": lambda l, a: l.mall_set_window("x", 1),
    "mall_settings": lambda l, a: l.mall_settings(),
    "mall_set_min_balance": lambda l, a: l.mall_set_min_balance(
        "PTS", 1, "x"),
    "mall_min_balance": lambda l, a: l.mall_min_balance("PTS"),
    "mall_set_cash_ratio": lambda l, a: l.mall_set_cash_ratio(
        "PTS", 1, 1, "x"),
    "mall_cash_ratio": lambda l, a: l.mall_cash_ratio("PTS"),
    "mall_set_pay_order": lambda l, a: l.mall_set_pay_order(0, "x"),
    "items": lambda l, a: l.items(),
    "browse": lambda l, a: l.browse(account=a, affordable=True),
    "item_history": lambda l, a: l.item_history("S"),
    "outbox_next": lambda l, a: l.outbox_next(0),
    "outbox": lambda l, a: next(l.outbox(0), None),
    "outbox_prune": lambda l, a: l.outbox_prune(1),
    "order_place": lambda l, a: l.order_place(a, "S"),
    "order_approve": lambda l, a: l.order_approve(ORDER),
    "order_cancel": lambda l, a: l.order_cancel(ORDER),
    "order_ship": lambda l, a: l.order_ship(ORDER, "c", "t"),
    "order_deliver": lambda l, a: l.order_deliver(ORDER),
    "order_return": lambda l, a: l.order_return(ORDER),
    "order": lambda l, a: l.order(ORDER),
    "orders": lambda l, a: l.orders(),
    "order_history": lambda l, a: l.order_history(ORDER),
    "order_exchange": lambda l, a: l.order_exchange(ORDER),
    "order_switch": lambda l, a: l.order_switch(ORDER, "S"),
    "item_codes_add": lambda l, a: l.item_codes_add("S", "C1", "me"),
    "item_codes": lambda l, a: l.item_codes("S"),
    "order_codes": lambda l, a: l.order_codes(ORDER),
    "bundle_set_part": lambda l, a: l.bundle_set_part("S", "T", 1, "me"),
    "bundle_parts": lambda l, a: l.bundle_parts("S"),
    "order_parts": lambda l, a: l.order_parts(ORDER),
    "outbox_expiring_set": lambda l, a: l.outbox_expiring_set("PTS", 3),
    "trigger_balance": lambda l, a: l.trigger_balance("t", "PTS", 5),
    "trigger_tier": lambda l, a: l.trigger_tier("t"),
    "trigger_remove": lambda l, a: l.trigger_remove("t"),
    "triggers": lambda l, a: l.triggers(),
    "outbox_expiring": lambda l, a: l.outbox_expiring("PTS"),
    "lottery_create": lambda l, a: l.lottery_create(
        "l", "PTS", 1, T0, T0 + 60, [(points.PRIZE_CUSTOM, "p", 1, 1, 0)]),
    "lottery": lambda l, a: l.lottery(1),
    "lottery_prize": lambda l, a: l.lottery_prize(1, 0),
    "lottery_prizes": lambda l, a: l.lottery_prizes(1),
    "lottery_draw": lambda l, a: l.lottery_draw(1, a),
    "lottery_draw_get": lambda l, a: l.lottery_draw_get(1, 1),
    "lottery_close": lambda l, a: l.lottery_close(1),
    "lottery_audit": lambda l, a: l.lottery_audit(1),
    "auction_create": lambda l, a: l.auction_create(
        T0, T0 + 60, 1, 1, item="i", asset="PTS"),
    "auction": lambda l, a: l.auction(1),
    "auction_bid": lambda l, a: l.auction_bid(1, a, 1),
    "auction_bid_get": lambda l, a: l.auction_bid_get(1, 1),
    "auction_bids": lambda l, a: l.auction_bids(1),
    "auction_settle": lambda l, a: l.auction_settle(1),
    "auction_cancel": lambda l, a: l.auction_cancel(1),
    "lottery_results": lambda l, a: l.lottery_results(1),
    "lottery_draws": lambda l, a: l.lottery_draws(1),
}


class CloseTest(unittest.TestCase):

    def open(self):
        ledger = points.Ledger.open("memory:", clock=T0)
        ledger.create_asset("PTS")
        a = ledger.create_account("E1")
        ledger.earn(a, 100, "PTS")
        return ledger, a

    def test_every_method_is_covered(self):
        public = {n for n in dir(points.Ledger) if not n.startswith("_")}
        # the constructors, and what a closed ledger allows
        public -= {"open", "open_store", "restore", "close", "closed"}
        self.assertEqual(public, set(CALLS))

    def test_use_after_close_raises(self):
        ledger, a = self.open()
        ledger.close()
        self.assertTrue(ledger.closed)
        ledger.close()  # twice is fine
        for name, call in CALLS.items():
            with self.assertRaises(points.LedgerClosed, msg=name) as cm:
                call(ledger, a)
            self.assertIn("closed", str(cm.exception))
            self.assertEqual(cm.exception.code, points.Misuse.code)

    def test_context_manager_closes(self):
        with points.Ledger.open("memory:") as ledger:
            self.assertFalse(ledger.closed)
        self.assertTrue(ledger.closed)

    def test_iterator_after_close(self):
        ledger, a = self.open()
        for _ in range(3):
            ledger.earn(a, 1, "PTS")
        it = ledger.statement(a, "PTS")
        accounts = ledger.accounts()
        lots = ledger.lots(a, "PTS")
        self.assertEqual(next(it).amount, 1)
        ledger.close()
        for i in (it, accounts, lots):
            with self.assertRaises(points.LedgerClosed):
                next(i)
            self.assertEqual(list(i), [])  # and it stays finished

    def test_hold_after_close(self):
        ledger, a = self.open()
        h = ledger.hold(a, 10, "PTS")
        ledger.close()
        with self.assertRaises(points.LedgerClosed):
            h.capture()
        with self.assertRaises(points.LedgerClosed):
            h.release()
        with h:  # leaving the block on a closed ledger does nothing
            pass

    def test_garbage_after_close(self):
        for _ in range(20):
            ledger, a = self.open()
            its = [ledger.statement(a, "PTS"), ledger.accounts(),
                   ledger.lots(a, "PTS")]
            next(its[1])
            h = ledger.hold(a, 1, "PTS")
            ledger.close()
            del its, h
            gc.collect()
        # an iterator keeps its ledger open; a ledger dropped without
        # close() is closed by the collector
        ledger, a = self.open()
        it = ledger.accounts()
        ref = weakref.ref(ledger)
        del ledger
        gc.collect()
        self.assertEqual(next(it).id, points.ISSUER)
        del it
        gc.collect()
        self.assertIsNone(ref())

    def test_failed_open(self):
        with self.assertRaises(points.InvalidArgument) as cm:
            points.Ledger.open("bogus:")
        self.assertIn("bogus", str(cm.exception))
        with self.assertRaises(points.Error):
            points.Ledger.open("sqlite:/nonexistent-dir/x/y.db")
        with self.assertRaises(points.InvalidArgument):
            points.Ledger.open(None)


class IteratorTest(unittest.TestCase):
    """Iterators and the life of their ledger and batches."""

    def open(self):
        ledger = points.Ledger.open("memory:", clock=T0)
        ledger.create_asset("PTS")
        a = ledger.create_account("E1")
        ledger.earn(a, 100, "PTS")
        return ledger, a

    def listings(self, ledger, a):
        return [ledger.accounts(), ledger.statement(a, "PTS"),
                ledger.statement(a, "PTS", oldest_first=True),
                ledger.lots(a, "PTS"), ledger.lots(None, "PTS")]

    def test_opened_in_a_rolled_back_batch_is_state_error(self):
        with self.open()[0] as ledger:
            a = ledger.account(4)
            ledger.begin_batch()
            ledger.earn(a, 20, "PTS")
            its = self.listings(ledger, a)
            stepped = ledger.statement(a, "PTS")
            self.assertEqual(next(stepped).amount, 20)  # a chunk buffered
            ledger.rollback_batch()
            for it in its + [stepped]:
                with self.assertRaises(points.StateError) as cm:
                    next(it)
                self.assertIn("rolled back", str(cm.exception))
                self.assertIn("iterator", str(cm.exception))
                self.assertEqual(list(it), [])  # and it is over
            self.assertEqual(ledger.verify().bad_seq, 0)
            self.assertEqual([e.amount for e in ledger.statement(a, "PTS")],
                             [100])

    def test_batch_block_that_raises_invalidates_its_iterators(self):
        ledger, a = self.open()
        with ledger:
            with self.assertRaises(KeyError):
                with ledger.batch():
                    ledger.earn(a, 20, "PTS")
                    it = ledger.statement(a, "PTS")
                    raise KeyError("abandon the batch")
            with self.assertRaises(points.StateError):
                next(it)

    def test_opened_outside_or_committed_batch_goes_on(self):
        ledger, a = self.open()
        with ledger:
            before = ledger.statement(a, "PTS")
            with ledger.batch():
                ledger.earn(a, 20, "PTS")
                inside = ledger.statement(a, "PTS")
            ledger.begin_batch()
            ledger.earn(a, 30, "PTS")
            ledger.rollback_batch()
            self.assertEqual([e.amount for e in before], [100])
            self.assertEqual([e.amount for e in inside], [20, 100])

    def test_c_iterator_after_points_close_is_misuse(self):
        # below the Ledger layer (which raises LedgerClosed first): the C
        # library detached the iterators, so a step is POINTS_EMISUSE and
        # a free after the close is fine
        c = points._capi
        db = c.points_open("memory:", None)
        c.points_asset_create(db, "PTS", 0, points.EXPIRE_NEVER, 0)
        its = [(c.points_account_iterator_new(db, 0), c.points_account_next,
                c.points_account_iterator_free),
               (c.points_statement_iterator_new(db, 1, "PTS", 0, 0, 0),
                c.points_statement_next, c.points_statement_iterator_free),
               (c.points_lot_iterator_new(db, 1, "PTS", points.NEVER),
                c.points_lot_next, c.points_lot_iterator_free)]
        self.assertEqual(c.points_account_next(its[0][0])[0], points.ISSUER)
        c.points_close(db)
        for it, step, free in its:
            with self.assertRaises(points.Misuse):
                step(it)
            free(it)

    def test_c_iterator_kinds_are_distinct_types(self):
        c = points._capi
        db = c.points_open("memory:", None)
        try:
            c.points_asset_create(db, "PTS", 0, points.EXPIRE_NEVER, 0)
            st = c.points_statement_iterator_new(db, 1, "PTS", 0, 0, 0)
            with self.assertRaises(TypeError):
                c.points_account_next(st)
            with self.assertRaises(TypeError):
                c.points_lot_iterator_free(st)
            c.points_statement_iterator_free(st)
        finally:
            c.points_close(db)

    def test_iterators_dropped_by_threads_sharing_a_ledger(self):
        # freeing a C iterator unlinks it from its handle: the layer does
        # it under the ledger's lock, whatever thread drops it
        with points.Ledger.open("memory:") as ledger:
            ledger.create_asset("PTS")
            ids = [ledger.create_account("E%d" % i).id for i in range(4)]
            errors = []

            def work(account):
                try:
                    for i in range(200):
                        ledger.earn(account, 1, "PTS")
                        it = ledger.statement(account, "PTS")
                        next(it)
                        if i % 2:
                            it.close()
                        del it  # the rest go to the collector
                        if i % 50 == 0:
                            gc.collect()
                except Exception as e:  # reported below
                    errors.append(e)

            threads = [threading.Thread(target=work, args=(a,)) for a in ids]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(errors, [])
            self.assertEqual(ledger.verify().bad_seq, 0)


class StoreTest(unittest.TestCase):

    def test_ledger_over_a_store(self):
        store = points.Store.open("memory:")
        ledger = points.Ledger.open_store(store)
        ledger.create_asset("PTS")
        with self.assertRaises(points.Misuse):
            store.close()  # a ledger is still open on it
        self.assertFalse(store.closed)
        ledger.close()
        store.close()
        store.close()
        self.assertTrue(store.closed)
        with self.assertRaises(points.LedgerClosed):
            points.Ledger.open_store(store)

    def test_wrapper_order(self):
        inner = points.Store.open("memory:")
        fault = points.Store.fault(inner)
        with self.assertRaises(points.Misuse):
            inner.close()  # the wrapper is still open
        with self.assertRaises(points.Misuse):
            inner.arm(1)  # not a wrapper
        self.assertEqual(fault.failures, 0)
        fault.close()
        inner.close()
        with self.assertRaises(points.LedgerClosed):
            fault.arm(1)

    def test_persistent_fault(self):
        with points.Store.open("memory:") as inner:
            with points.Store.fault(inner) as fault:
                with points.Ledger.open_store(fault) as ledger:
                    ledger.create_asset("PTS")
                    a = ledger.create_account("E1")
                    fault.arm(1, persistent=True)
                    for _ in range(3):
                        with self.assertRaises(points.StorageError):
                            ledger.earn(a, 5, "PTS")
                    self.assertGreaterEqual(fault.failures, 3)
                    fault.arm(0)
                    ledger.earn(a, 5, "PTS")
                    self.assertEqual(ledger.balance(a, "PTS").available, 5)

    def test_bad_store_uri(self):
        with self.assertRaises(points.InvalidArgument):
            points.Store.open("nope:")

    def test_postgresql_uri_loads_the_pg_store(self):
        """A postgresql:// URI loads libpoints_pg and calls its
        points_store_pg_open: a library that is not there is named, and
        a server that is not there is StorageError with libpq's reason
        (the suites against a real server are make check-pg's)."""
        root = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
        lib = os.path.join(root, "lib", "libpoints_pg.so.0")
        uri = ("postgresql://points@/points?host=/nonexistent/points-py"
               "&connect_timeout=2")
        old = os.environ.get("POINTS_PG_LIBRARY")
        try:
            os.environ["POINTS_PG_LIBRARY"] = "/nonexistent/libpoints_pg.so"
            with self.assertRaisesRegex(
                    points.StorageError,
                    "cannot load /nonexistent/libpoints_pg.so"):
                points.Ledger.open(uri)
            if not os.path.exists(lib):
                self.skipTest("no " + lib + ": make builds it where "
                              "libpq's headers are (libpq-dev)")
            os.environ["POINTS_PG_LIBRARY"] = lib
            with self.assertRaisesRegex(
                    points.StorageError,
                    'socket "/nonexistent/points-py/.s.PGSQL.5432"'):
                points.Ledger.open(uri)
        finally:
            if old is None:
                os.environ.pop("POINTS_PG_LIBRARY", None)
            else:
                os.environ["POINTS_PG_LIBRARY"] = old


@unittest.skipUnless(hasattr(os, "fork"), "no fork()")
class ForkTest(unittest.TestCase):
    """A child of fork() cannot use (or close) its parent's ledgers and
    stores, and the ledgers it opens draw ids of their own."""

    N = 20

    def child(self, ledger, store, account, uri, w):
        try:
            for use in (lambda: ledger.earn(account, 1, "PTS"),
                        lambda: store.calls):
                try:
                    use()
                except points.LedgerClosed as e:
                    assert "fork()" in str(e), e
                else:
                    raise AssertionError("the parent's handle worked")
            ledger.close()  # no-ops: not the child's to close
            store.close()
            with points.Ledger.open(uri) as mine:
                ids = [mine.earn(account, 1, "PTS").id
                       for _ in range(self.N)]
            os.write(w, "\n".join(ids).encode())
            return 0
        except BaseException:
            import traceback
            traceback.print_exc()
            return 1

    def test_a_child_opens_its_own_ledger(self):
        d = tempfile.mkdtemp()
        try:
            uri = "sqlite:" + os.path.join(d, "l.db") + "?busy_timeout=10000"
            ledger = points.Ledger.open(uri)
            ledger.create_asset("PTS")
            a = ledger.create_account("E1")
            store = points.Store.fault(points.Store.open("memory:"))
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    os.close(r)
                    code = self.child(ledger, store, a, uri, w)
                finally:
                    os._exit(code)
            os.close(w)
            mine = [ledger.earn(a, 1, "PTS").id for _ in range(self.N)]
            with os.fdopen(r, "rb") as f:
                data = f.read().decode()
            _, status = os.waitpid(pid, 0)
            self.assertEqual(status, 0)
            theirs = data.split("\n")
            self.assertEqual(len(theirs), self.N)
            # A UUIDv7's random bits follow its time: "xxxxxxxx-xxxx-7".
            self.assertFalse({i[15:] for i in mine} & {i[15:] for i in theirs})
            # The parent's ledger and store go on, and the child's
            # postings are in the shared file.
            self.assertEqual(ledger.balance(a, "PTS").available, 2 * self.N)
            self.assertEqual(ledger.verify().bad_seq, 0)
            self.assertEqual(store.calls, 0)
            ledger.close()
            store.close()
            store._inner.close()
        finally:
            shutil.rmtree(d)


class ThreadTest(unittest.TestCase):

    def test_threads_with_their_own_ledgers(self):
        d = tempfile.mkdtemp()
        try:
            uri = "sqlite:" + os.path.join(d, "l.db") + "?busy_timeout=10000"
            with points.Ledger.open(uri) as ledger:
                ledger.create_asset("PTS")
                ids = [ledger.create_account("E%d" % i).id for i in range(4)]
            errors = []

            def work(account):
                try:
                    with points.Ledger.open(uri) as mine:
                        for i in range(200):
                            if i % 50 == 0:
                                with mine.batch():
                                    for _ in range(10):
                                        mine.earn(account, 1, "PTS")
                            else:
                                mine.earn(account, 2, "PTS")
                        mine.spend(account, 100, "PTS")
                except Exception as e:  # reported below
                    errors.append(e)

            threads = [threading.Thread(target=work, args=(a,)) for a in ids]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(errors, [])
            with points.Ledger.open(uri) as ledger:
                for a in ids:
                    # 4 batches of 10 x 1, 196 single earns of 2, less 100
                    self.assertEqual(ledger.balance(a, "PTS").available,
                                     40 + 392 - 100)
                report = ledger.verify()
                self.assertEqual(report.bad_seq, 0)
        finally:
            shutil.rmtree(d)


    def test_a_shared_ledger_takes_one_call_at_a_time(self):
        with points.Ledger.open("memory:") as ledger:
            ledger.create_asset("PTS")
            ids = [ledger.create_account("E%d" % i).id for i in range(4)]
            errors = []

            def work(account):
                try:
                    for _ in range(300):
                        ledger.earn(account, 1, "PTS")
                        ledger.balance(account, "PTS")
                    n = sum(1 for _ in ledger.statement(account, "PTS"))
                    self.assertEqual(n, 300)
                except Exception as e:  # reported below
                    errors.append(e)

            threads = [threading.Thread(target=work, args=(a,)) for a in ids]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(errors, [])
            for a in ids:
                self.assertEqual(ledger.balance(a, "PTS").available, 300)
            self.assertEqual(ledger.verify().bad_seq, 0)


class CommandLineTest(unittest.TestCase):

    def run_points(self, *args):
        return subprocess.run([sys.executable, "-m", "points", *args],
                              capture_output=True, text=True)

    def test_version(self):
        r = self.run_points("--version")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "points %s (libpoints %s)" % (
            points.__version__, points.library_version()))

    def test_verify(self):
        d = tempfile.mkdtemp()
        try:
            uri = "sqlite:" + os.path.join(d, "l.db")
            with points.Ledger.open(uri) as ledger:
                ledger.create_asset("PTS")
                ledger.earn(ledger.create_account("E1"), 5, "PTS")
            r = self.run_points("verify", uri)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertRegex(r.stdout, r"^ok: 1 entries, 2 balances")
            r = self.run_points("verify", "bogus:")
            self.assertEqual(r.returncode, 1)
            self.assertIn("unknown scheme", r.stderr)
        finally:
            shutil.rmtree(d)

    def test_verify_of_a_missing_file_is_an_error(self):
        """Not "ok: 0 entries" for a ledger that is not there (a typo in
        a cron line), and no empty ledger made in its place: the library
        says so, as verify opens with mode=rw."""
        d = tempfile.mkdtemp()
        try:
            for name in ("missing.db", "missing.db?busy_timeout=100"):
                path = os.path.join(d, "missing.db")
                r = self.run_points("verify", "sqlite:" + os.path.join(d, name))
                self.assertEqual(r.returncode, 1, r.stdout)
                self.assertNotIn("ok", r.stdout)
                self.assertIn(path, r.stderr)
                self.assertIn("no ledger there (no such file)", r.stderr)
                self.assertIn("mode=rw", r.stderr)
                self.assertEqual(os.listdir(d), [])
        finally:
            shutil.rmtree(d)

    def test_verify_of_a_file_that_is_not_a_ledger_is_an_error(self):
        """An empty file, or another application's SQLite database: the
        library's error, exit code 1, and the file as it was (no ledger
        made in the empty one, no WAL file)."""
        d = tempfile.mkdtemp()
        try:
            empty = os.path.join(d, "empty.db")
            open(empty, "wb").close()
            other = os.path.join(d, "other.db")
            with sqlite3.connect(other) as c:
                c.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
            with open(other, "rb") as f:
                before = f.read()
            for path, why in ((empty, "no ledger there (an empty database)"),
                              (other, "is not a libpoints ledger")):
                r = self.run_points("verify", "sqlite:" + path)
                self.assertEqual(r.returncode, 1, r.stdout)
                self.assertNotIn("ok", r.stdout)
                self.assertIn(why, r.stderr)
            self.assertEqual(os.path.getsize(empty), 0)
            with open(other, "rb") as f:
                self.assertEqual(f.read(), before)
            self.assertEqual(sorted(os.listdir(d)), ["empty.db", "other.db"])
        finally:
            shutil.rmtree(d)


if __name__ == "__main__":
    unittest.main()
