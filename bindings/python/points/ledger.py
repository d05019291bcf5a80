"""Ledger, Batch, Hold and the iterators: the idiomatic layer over capi.

Rules the layer keeps so that misuse raises instead of crashing:
 - every call checks that the ledger is open (LedgerClosed otherwise);
 - an iterator refuses to step once its ledger is closed, and frees its
   C iterator when exhausted, closed or collected (freeing after the
   ledger closed is allowed by the C API; before, freeing unlinks the
   iterator from its handle, so it takes the ledger's lock);
 - an iterator opened inside a batch that is rolled back raises
   StateError on its next step (the C library invalidates it);
 - a ledger opened over a Store keeps the store alive and open;
 - in a child made by fork(), the ledgers (and stores) of the parent are
   closed for the child without calling C: a handle must not cross a fork
   (its id stream would repeat the parent's ids; an SQLite connection must
   not even be closed there), so the child opens its own.
The C calls release the GIL, so threads with their own ledgers run in
parallel; a ledger shared by threads takes one call at a time (a lock per
ledger), which is safe but serial: open one per thread.
"""

import json
import os
import threading
import weakref
from datetime import datetime, timezone

from . import _capi as _c
from . import capi
from .errors import (Corrupt, Error, InvalidArgument, LedgerClosed, Misuse,
                     NotFound, Overflow)
from .records import (Account, AccountChange, Approval, Asset, Balance,
                      ChainHead,
                      Entry, ForfeitReport, HOLD_OPEN, Lot, Settings,
                      SweepReport, Txn, Rule, Tier, TierSweepReport,
                      RuleOutcome,
                      EventSummary, EventResult, RULE_DRAFT, CAP_POINTS,
                      Item, ItemChange, MallSettings, OutboxEvent,
                      CashRatio, Liability, ExpiryMonth,
                      ImportLine, IMPORT_ACCOUNTS, IMPORT_AWARDS,
                      IMPORT_ALL_OR_NOTHING, ReportRow, Leader, Settlement, Summary, Recommendation,
                      Trigger, TRIGGER_BALANCE, TRIGGER_TIER,
                      ITEMS_LISTED,
                      ITEMS_IN_STOCK, ITEMS_AFFORDABLE, ITEMS_BY_SKU,
                      Order, OrderChange, CodePool,
                      OrderCode, BundlePart,
                      BacktestSummary, BacktestRow, Backtest,
                      VerifyReport, EXPIRE_NEVER, NEVER, NO_TRANSFER, POOL,
                      Grant, GrantReport, GrantAward, GRANT_MONTHLY,
                      Lottery, LotteryPrize, LotteryDraw, LotteryResults,
                      DRAWS_WON,
                      LOTTERY_NAME_MAX, LOTTERY_LABEL_MAX,
                      ELIGIBLE_LIST_MAX, ELIGIBLE_CONDITION_MAX,
                      Auction, Bid, AUCTION_ITEM_MAX,
                      _fields_of)

KEEP = -1  # change_account's status: unchanged


def seconds(t):
    """int seconds since 1970 from an int or a datetime (naive = UTC)."""
    if t is None:
        return 0
    if isinstance(t, datetime):
        if t.tzinfo is None:
            t = t.replace(tzinfo=timezone.utc)
        return int(t.timestamp())
    if isinstance(t, int) and not isinstance(t, bool):
        return t
    raise TypeError("a time is an int (seconds since 1970) or a datetime, "
                    "not %s" % type(t).__name__)


def account_id(a):
    """An account id from an int or an Account."""
    if type(a) is int:
        return a
    if isinstance(a, Account):
        return a.id
    if a is None:
        return 0
    if isinstance(a, int) and not isinstance(a, bool):
        return int(a)
    raise TypeError("an account is an int id or an Account, not %s"
                    % type(a).__name__)


def _fits(what, s, most):
    """Refuse a string longer than most bytes of UTF-8, as the library
    does (a lottery's strings are copied into arrays of that size)."""
    if isinstance(s, str) and len(s.encode("utf-8", "surrogatepass")) > most:
        raise InvalidArgument("%s is too long (at most %d bytes)"
                              % (what, most))


def txn_id(t):
    return t.id if isinstance(t, (Txn, Hold)) else t


# The open ledgers and stores of this process, for _after_fork.
_OPEN = weakref.WeakSet()
_FORKED = ("opened before fork(), in the parent process: open a new one "
           "in this process")


def _after_fork():
    """In the child of fork(): what the parent opened is not the child's
    to use or close.  Only this thread runs, so no lock is taken (one
    held by another thread of the parent would never be released)."""
    for obj in list(_OPEN):
        obj._forget(_FORKED)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


class Ledger:
    """An open ledger.  Use ``Ledger.open(uri)``, preferably in ``with``."""

    def __init__(self, db, clock, store=None):
        self._db = db
        # reentrant: an iterator collected while its own thread holds the
        # lock frees its C iterator under it (see _Iter.close)
        self._lock = threading.RLock()
        self._clock = clock
        self._store = store
        self._why = None  # why _db is None, when not for close()
        if store is not None:
            store._users += 1
        _OPEN.add(self)

    def _forget(self, why):
        """Drop the handle without closing it (see _after_fork)."""
        self._lock = threading.RLock()
        self._db, self._why = None, why

    # ---- Opening and closing ----

    @classmethod
    def open(cls, uri, *, clock=None, utc_offset=None, partitions=None):
        """Open "memory:" or "sqlite:PATH[?opt=val&...]" (mode=rw opens
        an existing ledger only).

        clock: None for the system clock, or a start time (int seconds or
        datetime) for a settable clock that set_clock() moves.
        utc_offset: seconds east of UTC, for calendar expiry rules.  A
        ledger stores it when it is created (None: 0) and keeps it; None
        takes the ledger's, another value must be the ledger's
        (InvalidArgument otherwise).  settings() says which it is.
        partitions: the partitions of the ledger's log, fixed when it is
        created (None: the store's default, 64 on PostgreSQL, else 1);
        another count than an existing ledger's is InvalidArgument.
        """
        opts, cell = cls._options(clock, utc_offset, partitions)
        return cls(_c.points_open(uri, opts), cell)

    @classmethod
    def restore(cls, path, uri, *, clock=None, utc_offset=None,
                partitions=None):
        """Replace the SQLite ledger at uri by the backup at path (made
        by backup()), which is verified first, and open it.  No ledger
        may be open on uri meanwhile."""
        opts, cell = cls._options(clock, utc_offset, partitions)
        return cls(_c.points_restore(path, uri, opts), cell)

    @classmethod
    def open_store(cls, store, *, clock=None, utc_offset=None,
                   partitions=None):
        """Open a ledger over a Store (memory, sqlite, or a fault wrapper).
        The store stays open at least as long as the ledger."""
        handle = store._handle()
        opts, cell = cls._options(clock, utc_offset, partitions)
        return cls(_c.points_open_store(handle, opts), cell, store)

    @staticmethod
    def _options(clock, utc_offset, partitions=None):
        opts = capi.points_open_options()
        capi.points_open_options_init(opts, capi.POINTS_OPEN_OPTIONS_VERSION)
        if utc_offset is not None:
            if isinstance(utc_offset, bool) or not isinstance(utc_offset,
                                                              int):
                raise TypeError("utc_offset must be an int (seconds)")
            if not -14 * 3600 <= utc_offset <= 14 * 3600:
                raise InvalidArgument(
                    "utc_offset %d out of range (+-14 hours)" % utc_offset)
            opts.utc_offset = utc_offset
        if partitions is not None:
            if isinstance(partitions, bool) or not isinstance(partitions,
                                                              int):
                raise TypeError("partitions must be an int")
            if not 1 <= partitions <= capi.POINTS_PARTITIONS_MAX:
                raise InvalidArgument(
                    "partitions %d out of range (1 to %d)"
                    % (partitions, capi.POINTS_PARTITIONS_MAX))
            opts.partitions = partitions
        cell = None
        if clock is not None:
            cell = capi.points_clock_cell()
            cell.now = seconds(clock)
            capi.points_clock_cell_install(opts, cell)
        return opts, cell

    def close(self):
        """Close the ledger; closing twice is fine."""
        with self._lock:
            db, self._db = self._db, None
            if db is not None:
                _c.points_close(db)
                if self._store is not None:
                    self._store._users -= 1

    @property
    def closed(self):
        return self._db is None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_db", None) is not None:
            self.close()

    def _call(self, fn, *args):
        """fn(handle, *args), one thread at a time: a handle must not be
        in two C calls at once, and the calls release the GIL."""
        with self._lock:
            db = self._db
            if db is None:
                raise LedgerClosed(*(self._why,) if self._why else ())
            return fn(db, *args)

    @property
    def errmsg(self):
        """The message of the last error on this ledger."""
        return self._call(_c.points_errmsg)

    @property
    def errcode(self):
        return self._call(_c.points_errcode)

    # ---- Settings ----

    def settings(self):
        """The settings the ledger stored when it was created: a
        Settings(utc_offset=...) record."""
        return Settings._make(self._call(_c.points_settings_get))

    @property
    def utc_offset(self):
        """The ledger's UTC offset in seconds east of UTC (stored in the
        ledger: the same for every handle)."""
        return self.settings().utc_offset

    # ---- Clock ----

    def now(self):
        """The ledger's clock, in seconds since 1970."""
        return self._call(_c.points_now)

    def set_clock(self, t):
        """Move a settable clock (see open's clock=) to t; None returns
        it to the system clock."""
        if self._db is None:
            raise LedgerClosed()
        if self._clock is None:
            raise Misuse(
                "this ledger was opened with the system clock; pass "
                "clock= to Ledger.open for a settable one")
        self._clock.now = seconds(t)

    # ---- Batches ----

    def batch(self):
        """A context manager: commits on success, rolls back on an
        exception.  An operation that fails inside (a business check, or
        the store after it began writing) is undone alone and the batch
        goes on."""
        return Batch(self)

    def begin_batch(self):
        self._call(_c.points_batch_begin)

    def commit_batch(self):
        self._call(_c.points_batch_commit)

    def rollback_batch(self):
        self._call(_c.points_batch_rollback)

    # ---- Assets ----

    def create_asset(self, code, decimals=0, expiry=EXPIRE_NEVER, n=0):
        """Create an asset; expiry is EXPIRE_NEVER, EXPIRE_DAYS (n days)
        or EXPIRE_YEAR_END (31 Dec of the nth year after earning)."""
        self._call(_c.points_asset_create, code, decimals, expiry, n)
        return Asset._make(self._call(_c.points_asset_get, code))

    def asset(self, code):
        return Asset._make(self._call(_c.points_asset_get, code))

    def set_asset_policy(self, code, *, transferable=True, transfer_limit=0,
                         year_end=(12, 31)):
        """Replace an asset's policy: whether users may transfer its
        points, how many one account may transfer out a day (0: no
        limit), and the (month, day) its EXPIRE_YEAR_END points expire
        on.  Returns the asset."""
        pol = capi.points_asset_policy()
        capi.points_asset_policy_init(pol, capi.POINTS_ASSET_POLICY_VERSION)
        pol.flags = 0 if transferable else NO_TRANSFER
        month, day = year_end
        try:
            pol.transfer_limit = transfer_limit
            pol.year_end_month = month
            pol.year_end_day = day
        except OverflowError:
            raise Overflow("asset %s: a policy's number is outside its C "
                           "type" % code, capi.POINTS_EOVERFLOW) from None
        self._call(_c.points_asset_policy_set, code, pol)
        return Asset._make(self._call(_c.points_asset_get, code))

    # ---- Accounts ----

    def create_account(self, external_id, name=None, *, flags=0):
        """Create an account with the host's unique external id."""
        aid = self._call(_c.points_account_create, external_id, name, flags)
        return Account._make(self._call(_c.points_account_get, aid))

    def create_pool(self, external_id, name=None):
        """Create a budget pool (an account with flags POOL): fund it
        with fund_pool, pay awards with earn(..., counterparty=pool)."""
        return self.create_account(external_id, name, flags=POOL)

    def account(self, account):
        """The account with this id (NotFound if none)."""
        return Account._make(self._call(_c.points_account_get,
                                        account_id(account)))

    def find_account(self, external_id):
        """The account with this external id (NotFound if none)."""
        return Account._make(self._call(_c.points_account_find, external_id))

    def update_account(self, account, *, name=None, tier=None,
                       department=None):
        """Change name, tier, department; None keeps, "" clears."""
        aid = account_id(account)
        self._call(_c.points_account_update, aid, name, tier, department)
        return Account._make(self._call(_c.points_account_get, aid))

    def set_attr(self, account, key, value):
        """Set a free attribute; value None removes it."""
        self._call(_c.points_account_attr_set, account_id(account), key, value)

    _MISSING = object()

    def get_attr(self, account, key, default=_MISSING):
        """An attribute's value; NotFound (or default) if it is not set."""
        try:
            return self._call(_c.points_account_attr_get, account_id(account),
                                              key)
        except NotFound:
            if default is self._MISSING:
                raise
            return default

    def freeze(self, account):
        self._call(_c.points_account_freeze, account_id(account))

    def unfreeze(self, account):
        self._call(_c.points_account_unfreeze, account_id(account))

    def close_account(self, account):
        """Close an account; only at zero balance (and no debt) in every
        asset.  forfeit() closes one that still has points."""
        self._call(_c.points_account_close, account_id(account))

    def forfeit(self, account, memo=None, *, to=0, idempotency_key=None,
                category=None, actor=None):
        """A leaver: release the account's open holds, move what it has
        left in every asset to the forfeiture account (to: a system
        account; by default the expiry account), write off its debts
        (the issuer's loss) and close it, all in one transaction; category
        and actor go on every entry (actor and memo also in the account's
        history).  Returns a ForfeitReport."""
        return ForfeitReport._make(self._call(_c.points_account_forfeit, (
            account_id(account), account_id(to), memo, idempotency_key,
            category, actor)))

    def change_account(self, account, *, tier=None, department=None,
                       status=KEEP, actor=None, reason=None,
                       idempotency_key=None):
        """Change tier, department (None keeps, "" clears) and status
        (ACTIVE, FROZEN, CLOSED; KEEP leaves it) in one call, kept in the
        account's history with actor and reason; returns the Account.  A
        retry with the same idempotency_key changes nothing."""
        return Account._make(self._call(
            _c.points_account_apply_fields, account_id(account), tier,
            department, status, actor, reason, idempotency_key))

    def account_history(self, account=0):
        """The changes of account's department, tier and status (and its
        erasure), oldest first, as AccountChange; account 0: every
        account's."""
        it = self._call(_c.points_account_history_iterator_new,
                        account_id(account))
        return _Iter(self, it, _c.points_account_history_next,
                     _c.points_account_history_iterator_free,
                     AccountChange._make)

    def erase_account(self, account, *, actor=None, reason=None):
        """Erase a closed account's personal data (external id, name,
        attributes); its entries, balances and history stay and still
        verify.  Erasing twice changes nothing."""
        self._call(_c.points_account_erase, account_id(account), actor,
                   reason)

    def accounts(self, from_id=0):
        """Iterate the accounts with id >= from_id, ascending."""
        it = self._call(_c.points_account_iterator_new, from_id)
        return _Iter(self, it, _c.points_account_next,
                     _c.points_account_iterator_free, Account._make)

    # ---- Balances and postings ----

    def balance(self, account, asset):
        return Balance._make(self._call(_c.points_balance_get,
                                        account_id(account), asset))

    # Every write takes category= (1-32 of [a-z0-9_.-], e.g. "training")
    # and actor= (who made it, 1-64 bytes): kept with its entries,
    # returned by txn() and statement(), part of the idempotency key's
    # request.  None: none.

    def earn(self, account, amount, asset, memo=None, *, idempotency_key=None,
             time=None, expires_at=None, counterparty=0, category=None,
             actor=None):
        """Issuer (or counterparty) -> account; makes a lot that expires
        per the asset's policy unless expires_at is given."""
        return Txn._make(self._call(_c.points_earn, (
            asset, account_id(account),
            account_id(counterparty), amount, memo, idempotency_key,
            0 if time is None else seconds(time),
            0 if expires_at is None else seconds(expires_at), category,
            actor)))

    def spend(self, account, amount, asset, memo=None, *,
              idempotency_key=None, time=None, counterparty=0, category=None,
              actor=None):
        """Account -> sink (or counterparty): redeem, earliest lots first."""
        return Txn._make(self._call(_c.points_spend, (
            asset, account_id(account),
            account_id(counterparty), amount, memo, idempotency_key,
            0 if time is None else seconds(time), 0, category, actor)))

    def transfer(self, from_account, to_account, amount, asset, memo=None, *,
                 idempotency_key=None, time=None, category=None, actor=None):
        """User -> user; the points keep their expiry."""
        return Txn._make(self._call(_c.points_transfer, (
            asset, account_id(from_account), account_id(to_account), amount,
            memo, idempotency_key, 0 if time is None else seconds(time), 0,
            category, actor)))

    def fund_pool(self, pool, amount, asset, memo=None, *,
                  idempotency_key=None, time=None, source=0, category=None,
                  actor=None):
        """The issuer (or source, a system account such as another pool)
        -> pool."""
        return Txn._make(self._call(_c.points_pool_fund, (
            asset, account_id(pool), account_id(source), amount, memo,
            idempotency_key, 0 if time is None else seconds(time), 0,
            category, actor)))

    def defund_pool(self, pool, amount, asset, memo=None, *,
                    idempotency_key=None, time=None, to=0, category=None,
                    actor=None):
        """Pool -> the issuer (or to, a system account): return what a
        pool has not paid out."""
        return Txn._make(self._call(_c.points_pool_defund, (
            asset, account_id(pool), account_id(to), amount, memo,
            idempotency_key, 0 if time is None else seconds(time), 0,
            category, actor)))

    def adjust(self, account, amount, asset, reason, *, idempotency_key=None,
               time=None, category=None, actor=None):
        """An administrator's correction: amount > 0 credits, < 0 debits;
        the reason is required."""
        return Txn._make(self._call(_c.points_adjust, (
            asset, account_id(account), 0, amount, reason, idempotency_key,
            seconds(time), 0, category, actor)))

    def reverse(self, txn, amount=0, memo=None, *, idempotency_key=None,
                category=None, actor=None, no_debt=False):
        """Reverse a transaction in whole (amount 0) or in part; points
        return to the lots they came from.  When the account giving them
        back has spent some, it gives what it has and owes the rest as a
        debt its next credits repay (the Txn's debt); no_debt=True raises
        InsufficientPoints instead.  A retry with the same
        idempotency_key and request returns the first result."""
        return Txn._make(self._call(_c.points_reverse, (
            txn_id(txn), amount, memo, idempotency_key, category, actor,
            _c.POINTS_REVERSE_NO_DEBT if no_debt else 0)))

    # ---- Earning rules and events ----

    def rule_save(self, name, event_type, points, asset, author, *,
                  condition=None, beneficiary=None, state=RULE_DRAFT,
                  priority=0, flags=0, active_from=0, active_until=0,
                  category=None, expires_days=0, window_weekdays=0,
                  window_monthdays=0, window_percent=0, cap_unit=CAP_POINTS,
                  cap_day=0, cap_week=0, cap_month=0, cap_year=0,
                  cap_total=0, cap_key=None, cap_key_limit=0,
                  budget_points=0, budget_awards=0, reason=None,
                  pending_days=0):
        """Save a rule (version 1) or a new version of it: when an event
        of event_type is applied and condition (CEL, a bool; None:
        always) holds, points (CEL, an int) of asset go to the event's
        account (or beneficiary's, CEL), multiplied by the window's and
        the tier's percent, rounded down, within the caps and budget
        (see points_rule_save(3) and points-rules(7)).  With
        pending_days the points are pending (Balance.pending, not
        spendable) through that many days after the event's day, then
        available by themselves.  A bad
        expression raises InvalidArgument naming the expression and
        its column.  Returns the Rule saved."""
        return Rule._make(self._call(
            _c.points_rule_save_fields, name, event_type, condition, points,
            asset, beneficiary, state, priority, flags,
            0 if not active_from else seconds(active_from),
            0 if not active_until else seconds(active_until), category,
            expires_days, window_weekdays, window_monthdays, window_percent,
            cap_unit, cap_day, cap_week, cap_month, cap_year, cap_total,
            cap_key, cap_key_limit, budget_points, budget_awards, author,
            reason, pending_days))

    def rule_set_state(self, name, state, author, reason=None):
        """A new version of rule name with only its state changed
        (RULE_ACTIVE, RULE_PAUSED, RULE_RETIRED, RULE_DRAFT)."""
        return Rule._make(self._call(_c.points_rule_set_state, name, state,
                                     author, reason))

    def rule_get(self, name, version=0):
        """Version version of rule name (0: the latest)."""
        return Rule._make(self._call(_c.points_rule_get, name, version))

    def rule_expr(self, name, which, version=0):
        """A rule's expression as saved (which: EXPR_CONDITION,
        EXPR_POINTS, EXPR_BENEFICIARY, EXPR_CAP_KEY); "" when none."""
        return self._call(_c.points_rule_expr_get, name, version, which)

    def rule_history(self, name):
        """The versions of rule name, oldest first, as Rule."""
        it = self._call(_c.points_rule_history_iterator_new, name)
        return _Iter(self, it, _c.points_rule_history_next,
                     _c.points_rule_history_iterator_free, Rule._make)

    def rules(self):
        """Every rule by name, each as its latest version (Rule;
        retired ones too: their state says so)."""
        it = self._call(_c.points_rule_iterator_new)
        return _Iter(self, it, _c.points_rule_next,
                     _c.points_rule_iterator_free, Rule._make)

    def tier_set(self, name, rank, percent):
        """Add or change a row of the tier table: an account whose tier
        is name earns percent (150: 1.5x) of what rules give."""
        self._call(_c.points_tier_set, name, rank, percent)

    def tier_get(self, name):
        return Tier._make(self._call(_c.points_tier_get, name))

    def tier_qualify(self, name, asset, points=0, months=0):
        """Set the qualification of tier name (rank above 0): at least
        points of asset earned in months calendar months (1-36).  asset
        None removes it.  An earn that makes an account meet a tier
        above its own moves it up at once; tier_sweep moves accounts
        down (points_tier_qualify(3))."""
        self._call(_c.points_tier_qualify, name, asset, points, months)

    def tier_earned(self, account, asset, months, as_of=None):
        """What account earned of asset in the calendar month of as_of
        (default: now) and the months - 1 before it, as tier
        qualification counts it."""
        t = 0 if as_of is None else seconds(as_of)
        return self._call(_c.points_tier_earned, account_id(account),
                          asset, months, t)

    def tier_sweep(self, as_of=None):
        """Evaluate every account's tier at as_of (default: now): down
        when its figure fell below its tier's qualification, up when it
        meets a higher tier.  Idempotent; run it with expire_sweep.
        Returns a TierSweepReport."""
        t = 0 if as_of is None else seconds(as_of)
        return TierSweepReport._make(self._call(_c.points_tier_sweep, t))

    def rule_backtest(self, name, version=0, since=None, until=None):
        """What version (0: the latest) of rule name, a draft typically,
        would have awarded over the logged events with since <= time <
        until (None: no bound), had it been in force alone; nothing is
        written (points_rule_backtest(3)).  Returns a Backtest."""
        with self._lock:
            b = self._call(_c.points_rule_backtest, name, version,
                           0 if since is None else seconds(since),
                           0 if until is None else seconds(until))
            try:
                s = BacktestSummary._make(_c.points_backtest_summary_get(b))
                rows = [BacktestRow._make(_c.points_backtest_row_get(b, i))
                        for i in range(s.accounts)]
            finally:
                _c.points_backtest_free(b)
        return Backtest(s, rows)

    def _event_result(self, fn, *args):
        """Call fn for a C result, read it into an EventResult and free
        it, under the ledger's lock."""
        with self._lock:
            db = self._db
            if db is None:
                raise LedgerClosed(*(self._why,) if self._why else ())
            r = fn(db, *args)
            try:
                s = EventSummary._make(_c.points_event_result_summary(r))
                outs = [RuleOutcome._make(_c.points_event_result_outcome(r, i))
                        for i in range(s.outcomes)]
                lines = _c.points_event_result_lines(r)
            finally:
                _c.points_event_result_free(r)
        return EventResult(s, outs, None if lines is None else
                           json.loads(lines))

    @staticmethod
    def _event_args(id, type, account, amount, attrs, time, actor):
        if attrs is not None and not isinstance(attrs, str):
            attrs = json.dumps(attrs)
        return (id, type, account_id(account), 0 if time is None else
                seconds(time), amount, attrs, actor)

    def event_apply(self, id, type, account, amount=0, attrs=None, *,
                    time=None, actor=None):
        """Apply an event: every rule in force for type evaluates it and
        the awards are posted in one transaction.  attrs: a dict (ints,
        strings, lists, dicts) or a JSON object as a str.  The same id
        again returns the first result (replayed True); the same id with
        another event raises Conflict.  Returns an EventResult."""
        return self._event_result(_c.points_event_fields, 0, *self._event_args(
            id, type, account, amount, attrs, time, actor))

    def event_preview(self, id, type, account, amount=0, attrs=None, *,
                      time=None, actor=None):
        """What event_apply would give, writing nothing."""
        return self._event_result(_c.points_event_fields, 1, *self._event_args(
            id, type, account, amount, attrs, time, actor))

    def event_get(self, id):
        """An applied event's result, from the event log."""
        return self._event_result(_c.points_event_get, id)

    def event_reverse(self, event_id, amount=0, memo=None, *,
                      idempotency_key=None, actor=None, no_debt=False,
                      lines=None):
        """A refund: take back what an event gave, in whole (amount 0),
        for the part amount of its amount, or for some of its line items
        (points_event_reverse(3)): lines, a list of indexes into
        event.attrs.lines (ints) or of line ids (strings), or the same
        as a JSON str.  Returns an EventResult whose points are negative
        and whose lines are the indexes of the lines refunded (None
        without lines)."""
        if lines is not None and not isinstance(lines, str):
            lines = json.dumps(list(lines))
        return self._event_result(
            _c.points_event_reverse_fields, event_id, amount, memo,
            idempotency_key, actor, _c.POINTS_REVERSE_NO_DEBT if no_debt
            else 0, lines)

    # ---- Approval (four eyes) ----

    def approval_nominate(self, account, points, asset, nominator, *,
                          category=None, expires_days=0, memo=None,
                          idempotency_key=None):
        """Nominate a manual award for approval: nothing is posted until
        another actor approves it (approval_approve).  Returns the
        Approval, pending.  A retry with the same idempotency_key
        returns the approval it made, as it is now; the key with
        another request raises Conflict."""
        return Approval._make(self._call(
            _c.points_approval_nominate_fields, account_id(account), asset,
            points, category, expires_days, memo, nominator,
            idempotency_key))

    def approval_approve(self, id, approver, reason=None):
        """Approve approval id: its points are earned now.  The
        nominator may not (NotPermitted); a decided approval raises
        StateError."""
        return Approval._make(self._call(_c.points_approval_approve, id,
                                         approver, reason))

    def approval_reject(self, id, approver, reason):
        """Reject approval id, with a reason: nothing is posted."""
        return Approval._make(self._call(_c.points_approval_reject, id,
                                         approver, reason))

    def approval_get(self, id):
        return Approval._make(self._call(_c.points_approval_get, id))

    def approvals(self, account=None):
        """The approvals still pending, of account (None: every
        account's), oldest first, as Approval."""
        it = self._call(_c.points_approval_iterator_new,
                        0 if account is None else account_id(account))
        return _Iter(self, it, _c.points_approval_next,
                     _c.points_approval_iterator_free, Approval._make)

    # ---- Scheduled grants ----

    def grant_save(self, name, points, asset, author, *,
                   period=GRANT_MONTHLY, condition=None, pool=None,
                   category=None, expires_days=0, flags=0,
                   state=RULE_DRAFT, reason=None):
        """Save a scheduled grant (version 1) or a new version of it: once
        a period (GRANT_MONTHLY, GRANT_QUARTERLY, GRANT_YEARLY) every
        active user account whose condition (CEL over account and
        period, a bool; None: every account) holds gets points (CEL, an
        int) of asset, paid by the issuer or by pool, a budget pool
        account (see points_grant_save(3)).  flags GRANT_EXPIRE_AT_END:
        the points expire at the period's end.  Returns the Grant."""
        return Grant._make(self._call(
            _c.points_grant_save_fields, name, asset, period, condition,
            points, 0 if pool is None else account_id(pool), category,
            expires_days, flags, state, author, reason))

    def grant_set_state(self, name, state, author, reason=None):
        """A new version of grant name with only its state changed."""
        return Grant._make(self._call(_c.points_grant_set_state, name, state,
                                      author, reason))

    def grant_get(self, name, version=0):
        """Version version of grant name (0: the latest)."""
        return Grant._make(self._call(_c.points_grant_get, name, version))

    def grant_expr(self, name, which, version=0):
        """A grant's condition (EXPR_CONDITION) or points formula
        (EXPR_POINTS) as saved; "" when none."""
        return self._call(_c.points_grant_expr_get, name, version, which)

    def grant_run(self, name, as_of=None):
        """Pay active grant name for the period containing as_of (None:
        now): each matching account once a period however often it
        runs.  Returns a GrantReport."""
        return GrantReport._make(self._call(
            _c.points_grant_run, name, 0 if as_of is None else seconds(as_of)))

    def grant_run_due(self, as_of=None):
        """Run every active grant for the period containing as_of (None:
        now), as the sweep or the command line does.  Returns a
        GrantReport adding them up."""
        return GrantReport._make(self._call(
            _c.points_grant_run_due, 0 if as_of is None else seconds(as_of)))

    def grant_award(self, name, account, as_of=None):
        """What grant name paid account for the period containing as_of
        (None: now), as a GrantAward; NotFound when it was not paid."""
        return GrantAward._make(self._call(
            _c.points_grant_award_get, name,
            0 if as_of is None else seconds(as_of), account_id(account)))

    def grant_awards(self, name, as_of=None):
        """What grant name paid for the period containing as_of (None:
        now), as GrantAward, by account id."""
        it = self._call(_c.points_grant_award_iterator_new, name,
                        0 if as_of is None else seconds(as_of))
        return _Iter(self, it, _c.points_grant_award_next,
                     _c.points_grant_award_iterator_free, GrantAward._make)

    # ---- The points mall: the catalogue ----

    def _item_save(self, create, sku, name, category, asset, price, stock,
                   actor, description, image_url, low_stock, order_limit,
                   return_days, min_tier, listed, reason, cash):
        return Item._make(self._call(
            _c.points_item_save_fields, 1 if create else 0, sku, name,
            description, image_url, category, asset, price, stock,
            low_stock, order_limit, return_days, min_tier,
            1 if listed else 0, actor, reason, cash))

    def item_create(self, sku, name, category, asset, price, stock, actor, *,
                    description=None, image_url=None, low_stock=0,
                    order_limit=0, return_days=7, min_tier=None,
                    listed=True, reason=None, cash=0):
        """Add an item to the catalogue: price points of asset a unit,
        stock units (STOCK_UNLIMITED: none to run out of), category such
        as "physical/kitchen"; min_tier makes it tier-only; cash: a cash
        part a unit beside price, in minor units (points + cash).  Raises
        AlreadyExists when the SKU is taken.  Returns the Item."""
        return self._item_save(True, sku, name, category, asset, price,
                               stock, actor, description, image_url,
                               low_stock, order_limit, return_days,
                               min_tier, listed, reason, cash)

    def item_update(self, sku, name, category, asset, price, stock, actor, *,
                    description=None, image_url=None, low_stock=0,
                    order_limit=0, return_days=7, min_tier=None,
                    listed=True, reason=None, cash=0):
        """Change every field of item sku as given, the stock included
        (an absolute figure; item_restock moves it by a delta).  Each
        change is kept in the item's history."""
        return self._item_save(False, sku, name, category, asset, price,
                               stock, actor, description, image_url,
                               low_stock, order_limit, return_days,
                               min_tier, listed, reason, cash)

    def item_restock(self, sku, delta, actor, reason=None):
        """Move item sku's stock by delta (> 0 adds, < 0 takes away)."""
        return Item._make(self._call(_c.points_item_restock, sku, delta,
                                     actor, reason))

    def item_set_listed(self, sku, listed, actor, reason=None):
        """List (True) or delist (False) item sku."""
        return Item._make(self._call(_c.points_item_set_listed, sku,
                                     1 if listed else 0, actor, reason))

    def item_set_tier_price(self, sku, tier, price, actor, reason=None):
        """What accounts of tier pay a unit of item sku; 0 removes the
        tier price."""
        return Item._make(self._call(_c.points_item_set_tier_price, sku,
                                     tier, price, actor, reason))

    def item_set_flash(self, sku, kind, value, starts, ends, actor,
                       reason=None):
        """A flash discount on item sku from starts until (before) ends
        (seconds or datetimes; starts 0: now): kind FLASH_PERCENT takes
        value percent (1-99) off the account's price, the points off
        rounded down; FLASH_PRICE caps it at value.  Value 0 removes
        it.  An order pays the price in force when placed."""
        if value == 0:
            kind, starts, ends = 0, 0, 0
        return Item._make(self._call(_c.points_item_set_flash, sku, kind,
                                     value, seconds(starts), seconds(ends),
                                     actor, reason))

    def item_set_window(self, sku, actor, weekdays=0, monthdays=0,
                        reason=None):
        """Item sku's redemption window: the days of the week (bit 0
        Monday) and of the month (bit 0 the 1st) it may be ordered on,
        in the ledger's UTC offset; 0 for both: always."""
        return Item._make(self._call(_c.points_item_set_window, sku,
                                     weekdays, monthdays, actor, reason))

    def item_next_opening(self, sku, at=0):
        """The first time (seconds) at or after at (0: now) item sku may
        be ordered; 0 when the mall's and its windows never meet."""
        return self._call(_c.points_item_next_opening, sku, seconds(at))

    def item_set_period_limit(self, sku, period, units, actor,
                              reason=None):
        """At most units of item sku an account may order in a period
        (PERIOD_DAY, _WEEK, _MONTH, _YEAR); 0 removes the limit."""
        return Item._make(self._call(_c.points_item_set_period_limit, sku,
                                     period, units, actor, reason))

    def order_units_in_period(self, account, sku, period, at=0):
        """The units account ordered of item sku in the period holding
        at (0: now), cancelled and returned orders left out."""
        return self._call(_c.points_order_units_in_period,
                          account_id(account), sku, period, seconds(at))

    def mall_set_window(self, actor, weekdays=0, monthdays=0, reason=None):
        """The mall's redemption window (as an item's: an order needs
        both open)."""
        return MallSettings._make(self._call(_c.points_mall_set_window,
                                             weekdays, monthdays, actor,
                                             reason))

    def mall_settings(self):
        """The mall's own settings, as MallSettings."""
        return MallSettings._make(self._call(_c.points_mall_settings_get))

    def mall_set_min_balance(self, asset, points, actor, reason=None):
        """The balance of asset an account needs to spend before it may
        redeem at all; 0 removes it."""
        self._call(_c.points_mall_set_min_balance, asset, points, actor,
                   reason)

    def mall_min_balance(self, asset):
        """The mall's minimum balance of asset; 0: none."""
        return self._call(_c.points_mall_min_balance_get, asset)

    def mall_set_cash_ratio(self, asset, points, cash, actor, reason=None):
        """What asset's points are worth in cash: points points = cash
        minor units of the host's currency (100 points = 10.00 yuan:
        100, 1000), each 1 to 10**9; 0 and 0 remove it.  Points paid in
        cash cost their cash rounded up.  Returns the CashRatio."""
        return CashRatio._make(self._call(_c.points_mall_set_cash_ratio,
                                          asset, points, cash, actor,
                                          reason))

    def mall_set_pay_order(self, pay_order, actor, reason=None):
        """Which of an order's allowance and points pays first:
        PAY_ALLOWANCE_FIRST (the default) or PAY_POINTS_FIRST.  Returns
        the MallSettings."""
        return MallSettings._make(self._call(_c.points_mall_set_pay_order,
                                             pay_order, actor, reason))

    def mall_cash_ratio(self, asset):
        """The points-to-cash ratio of asset, as CashRatio (points and
        cash 0: none)."""
        return CashRatio._make(self._call(_c.points_mall_cash_ratio_get,
                                          asset))

    def item(self, sku):
        """Item sku of the catalogue."""
        return Item._make(self._call(_c.points_item_get, sku))

    def item_tier_price(self, sku, tier):
        """Item sku's price for tier; NotFound when it has none."""
        return self._call(_c.points_item_tier_price_get, sku, tier)

    def item_price_for(self, sku, account):
        """What account pays a unit of item sku (its tier's price, else
        the item's)."""
        return self._call(_c.points_item_price_for, sku,
                          account_id(account))

    def items(self, category=None, *, listed_only=False, in_stock_only=False):
        """The catalogue by SKU: the items of category and its
        sub-categories (None: every item), as Item."""
        flags = (ITEMS_LISTED if listed_only else 0) | \
            (ITEMS_IN_STOCK if in_stock_only else 0)
        it = self._call(_c.points_item_iterator_new, category, flags)
        return _Iter(self, it, _c.points_item_next,
                     _c.points_item_iterator_free, Item._make)

    def browse(self, category=None, *, price_min=0, price_max=0,
               listed_only=False, in_stock_only=False, account=None,
               affordable=False, sort=ITEMS_BY_SKU, allowance=None):
        """A query over the catalogue, as Item: the items of category
        and its sub-categories (None: every item) whose price is within
        price_min..price_max (0: no bound), listed and in stock only
        when asked; with account, the prices are that account's (its
        tier's, less a flash discount in force) and affordable=True
        keeps what it can pay for a unit of now, as order_place checks
        it (with allowance, an asset an order would spend beside the
        item's, 1:1, as order_place(allowance=) splits the price).
        sort: ITEMS_BY_SKU, ITEMS_BY_POPULARITY (units sold),
        ITEMS_BY_PRICE, ITEMS_BY_PRICE_DESC or ITEMS_BY_NEWEST.  The
        catalogue is read at the first item and sorted in memory."""
        flags = (ITEMS_LISTED if listed_only else 0) | \
            (ITEMS_IN_STOCK if in_stock_only else 0) | \
            (ITEMS_AFFORDABLE if affordable else 0)
        it = self._call(_c.points_item_query_fields, category, flags,
                        price_min, price_max,
                        account_id(account) if account is not None else 0,
                        sort, allowance)
        return _Iter(self, it, _c.points_item_next,
                     _c.points_item_iterator_free, Item._make)

    def item_history(self, sku):
        """The changes of item sku, oldest first, as ItemChange."""
        it = self._call(_c.points_item_history_iterator_new, sku)
        return _Iter(self, it, _c.points_item_history_next,
                     _c.points_item_history_iterator_free, ItemChange._make)

    # ---- The points mall: orders ----

    def order_place(self, account, sku, quantity=1, *, note=None,
                    idempotency_key=None, actor=None, points_max=-1,
                    allowance=None):
        """Place an order: checks the account, the item (listed, tier,
        order limit, stock) and what the account has, then holds the
        points and takes the stock, in one transaction.  Each refusal
        has its own exception (Frozen, AccountClosed, NotFound,
        StateError for a delisted item, NotEligible, QuotaExceeded,
        OutOfStock, InsufficientPoints) and writes nothing.  The same
        idempotency_key again returns the first order (replayed True).
        points_max (-1: all in points) caps the points it spends: the
        rest of the points price is paid in cash at the asset's ratio,
        rounded up (Order.cash, Order.cash_points; the host collects
        it).  allowance (None: none) is another asset it may spend, 1:1
        in the price, in the mall's pay order (mall_set_pay_order): the
        order holds both, and approving, cancelling and returning it move
        both.  Returns the Order."""
        return Order._make(self._call(
            _c.points_order_place_fields, account_id(account), sku,
            quantity, note, idempotency_key, actor, points_max, allowance))

    def order_approve(self, order_id, actor=None, reason=None):
        """submitted -> approved: the points are captured (spent)."""
        return Order._make(self._call(_c.points_order_approve, order_id,
                                      actor, reason))

    def order_cancel(self, order_id, actor=None, reason=None):
        """submitted or approved -> cancelled: the points come back (the
        hold released, or the capture reversed), and the stock."""
        return Order._make(self._call(_c.points_order_cancel, order_id,
                                      actor, reason))

    def order_ship(self, order_id, carrier, tracking, actor=None,
                   reason=None):
        """approved -> shipped, with the carrier and tracking number."""
        return Order._make(self._call(_c.points_order_ship, order_id,
                                      carrier, tracking, actor, reason))

    def order_deliver(self, order_id, actor=None, reason=None):
        """shipped (or approved: a virtual item, a service) ->
        delivered."""
        return Order._make(self._call(_c.points_order_deliver, order_id,
                                      actor, reason))

    def order_return(self, order_id, restock=True, actor=None, reason=None):
        """delivered -> returned, within the item's return days after
        the delivery: the points refunded; restock gives the units back
        to the stock."""
        return Order._make(self._call(_c.points_order_return, order_id,
                                      1 if restock else 0, actor, reason))

    def order_exchange(self, order_id, actor=None, reason=None):
        """delivered -> exchanging, within the return period: a
        replacement of the same item is to be shipped (order_ship, then
        order_deliver), its units taken from the stock; no points
        move."""
        return Order._make(self._call(_c.points_order_exchange, order_id,
                                      actor, reason))

    def order_switch(self, order_id, sku, actor=None, reason=None):
        """Switch a submitted or approved order to replacement item sku
        (no dearer a unit for the account), in the same state; the
        difference is refunded, and the outbox tells the employee
        (OUTBOX_ORDER_SWITCHED)."""
        return Order._make(self._call(_c.points_order_switch, order_id,
                                      sku, actor, reason))

    def order(self, order_id):
        """The order with this id."""
        return Order._make(self._call(_c.points_order_get, order_id))

    def orders(self, account=None, state=None, sku=None):
        """Orders, oldest first: of account, in state (ORDER_*), of item
        sku (each None: any), as Order."""
        it = self._call(_c.points_order_iterator_new,
                        0 if account is None else account_id(account),
                        -1 if state is None else state, sku)
        return _Iter(self, it, _c.points_order_next,
                     _c.points_order_iterator_free, Order._make)

    def order_history(self, order_id):
        """An order's changes of state, oldest first, as OrderChange."""
        it = self._call(_c.points_order_history_iterator_new, order_id)
        return _Iter(self, it, _c.points_order_history_next,
                     _c.points_order_history_iterator_free,
                     OrderChange._make)

    def item_codes_add(self, sku, codes, actor, reason=None):
        """Upload codes (shopping-card numbers) to item sku: an iterable
        of strings, or one string with a code a line.  Each adds a unit
        to the item's stock; approving an order issues one a unit.  A
        code uploaded before (to any item) refuses the whole upload
        (AlreadyExists).  Returns the CodePool."""
        if not isinstance(codes, str):
            codes = "\n".join(codes)
        return CodePool._make(self._call(_c.points_item_codes_add, sku,
                                         codes, actor, reason))

    def item_codes(self, sku):
        """Item sku's code pool, as CodePool (all 0 when it has none)."""
        return CodePool._make(self._call(_c.points_item_codes_get, sku))

    def order_codes(self, order_id):
        """The codes issued to an order when it was approved, as
        OrderCode, in the order they were issued."""
        it = self._call(_c.points_order_code_iterator_new, order_id)
        return _Iter(self, it, _c.points_order_code_next,
                     _c.points_order_code_iterator_free, OrderCode._make)

    # ---- Bundles ----

    def bundle_set_part(self, sku, part, quantity, actor, reason=None):
        """Set the units of item part in a unit of bundle sku (0 removes
        the component): an item with components is a bundle, sold at its
        own price, whose orders take each component's units from its
        stock.  Kept in the item's history.  Returns the Item."""
        return Item._make(self._call(_c.points_bundle_set_part, sku, part,
                                     quantity, actor, reason))

    def bundle_parts(self, sku):
        """The components of item sku, as BundlePart, in the order they
        were added (none for an item that is not a bundle)."""
        it = self._call(_c.points_bundle_part_iterator_new, sku)
        return _Iter(self, it, _c.points_bundle_part_next,
                     _c.points_bundle_part_iterator_free, BundlePart._make)

    def order_parts(self, order_id):
        """The components an order of a bundle took when it was placed,
        as BundlePart (units: what it took); a cancel gives those back."""
        it = self._call(_c.points_order_part_iterator_new, order_id)
        return _Iter(self, it, _c.points_bundle_part_next,
                     _c.points_bundle_part_iterator_free, BundlePart._make)

    # ---- Lotteries ----

    def lottery_create(self, name, asset, cost, starts, ends, prizes, *,
                       min_balance=0, limit_day=0, limit_total=0,
                       lose_weight=0, consolation=0, tiers="",
                       departments="", condition=""):
        """Create a lottery: draws of asset cost points each (0: free) from
        starts until ends (ints or datetimes), by accounts with at least
        min_balance available, of one of tiers and departments (names
        separated by commas, "" any) meeting condition (a rule-language
        expression over account and available, "" none; NotEligible
        otherwise), at most limit_day a UTC day and
        limit_total in all (0: no limit).  prizes: (kind, label, weight,
        stock, amount) tuples, amount the points a PRIZE_POINTS prize
        credits (0 for PRIZE_CUSTOM, which the host fulfils), or (
        PRIZE_ITEM, label, weight, stock, 0, sku) for catalogue item sku:
        its stock units leave the catalogue now, each win is a mall order
        approved at 0 points (the draw's order_id), close gives back the
        units nobody won; a losing
        draw has lose_weight and credits consolation points.  Its secret
        seed is drawn now and its commitment published.  Returns the
        Lottery."""
        d = capi.points_lottery_def()
        _fits("lottery name", name, LOTTERY_NAME_MAX)
        _fits("lottery '%s': asset" % name, asset, capi.POINTS_ASSET_MAX)
        _c.points_lottery_def_fields(d, name, asset, cost, seconds(starts),
                                     seconds(ends), min_balance, limit_day,
                                     limit_total, lose_weight, consolation)
        _fits("lottery '%s': tiers" % name, tiers, ELIGIBLE_LIST_MAX)
        _fits("lottery '%s': departments" % name, departments,
              ELIGIBLE_LIST_MAX)
        _fits("lottery '%s': condition" % name, condition,
              ELIGIBLE_CONDITION_MAX)
        _c.points_lottery_def_eligible(d, tiers, departments, condition)
        for i, prize in enumerate(prizes):
            kind, label, weight, stock, amount = prize[:5]
            sku = prize[5] if len(prize) > 5 else ""
            _fits("lottery '%s': prize %d's label" % (name, i), label,
                  LOTTERY_LABEL_MAX)
            _fits("lottery '%s': prize %d's SKU" % (name, i), sku,
                  capi.POINTS_SKU_MAX)
            _c.points_lottery_def_prize(d, kind, label, weight, stock,
                                        amount, sku)
        return self.lottery(self._call(_c.points_lottery_create, d))

    def lottery(self, lottery_id):
        """The lottery with this id, as it stands."""
        return Lottery._make(self._call(_c.points_lottery_get, lottery_id))

    def lottery_prize(self, lottery_id, index):
        """Prize index (0, 1, ...) of a lottery, its stock as it stands."""
        return LotteryPrize._make(self._call(_c.points_lottery_prize_get,
                                             lottery_id, index))

    def lottery_prizes(self, lottery_id):
        """A lottery's prizes, in order, as a list of LotteryPrize."""
        n = self.lottery(lottery_id).nprizes
        return [self.lottery_prize(lottery_id, i) for i in range(n)]

    def lottery_draw(self, lottery_id, account, idempotency_key=None):
        """One draw for account, in one transaction: its cost debited, the
        outcome picked from the seed, a unit of the prize's stock taken,
        a points prize or consolation credited.  Refusals (WindowClosed,
        NotEligible, QuotaExceeded, InsufficientPoints, StateError once
        closed) write nothing.  The same idempotency_key again returns
        the first draw (replayed 1).  Returns the LotteryDraw."""
        return LotteryDraw._make(self._call(
            _c.points_lottery_draw_once, lottery_id, account_id(account),
            idempotency_key))

    def lottery_draw_get(self, lottery_id, number):
        """Draw number (1, 2, ...) of a lottery."""
        return LotteryDraw._make(self._call(_c.points_lottery_draw_get,
                                            lottery_id, number))

    def lottery_results(self, lottery_id):
        """What a lottery has done so far, as LotteryResults: accounts
        that drew, draws, wins, points collected and credited (each
        prize's units won: its initial - stock)."""
        return LotteryResults._make(self._call(
            _c.points_lottery_results_get, lottery_id))

    def lottery_draws(self, lottery_id=0, account=0, won=False):
        """The draws of a lottery by number, or of an account (in one
        lottery, or in every lottery when lottery_id is 0) lottery by
        lottery, each newest first, as LotteryDraw; won: the winning draws only
        (points_lottery_draw_iterator_new(3))."""
        it = self._call(_c.points_lottery_draw_iterator_new, lottery_id,
                        account_id(account) if account else 0,
                        DRAWS_WON if won else 0)
        return _Iter(self, it, _c.points_lottery_draw_next,
                     _c.points_lottery_draw_iterator_free, LotteryDraw._make)

    def lottery_close(self, lottery_id):
        """Close a lottery: no more draws, its seed revealed."""
        self._call(_c.points_lottery_close, lottery_id)

    def lottery_audit(self, lottery_id):
        """Recompute every draw of a closed lottery from its revealed
        seed; Corrupt, naming the first draw that differs, when one
        does."""
        self._call(_c.points_lottery_audit, lottery_id)


    # ---- Auctions ----

    def auction_create(self, starts, ends, start_price, increment, *,
                       sku="", item="", asset="", reserve=0,
                       snipe_window=0, snipe_extend=0, min_balance=0,
                       tiers="", departments="", condition=""):
        """Create an auction of a catalogue item (sku; its unit leaves the
        stock now, its asset is bid) or of an item described (item and
        asset), taking bids from starts until ends (ints or datetimes):
        the first at least start_price, each next one beating the leader
        by increment.  Sold at the end only at reserve or over (0: no
        reserve); a bid in the last snipe_window seconds moves the end
        snipe_extend seconds later.  Bidders need min_balance available,
        one of tiers and departments ("" any) and condition (a
        rule-language expression over account and available, "" none).
        Returns the Auction."""
        d = capi.points_auction_def()
        _fits("auction: sku", sku, capi.POINTS_SKU_MAX)
        _fits("auction: item", item, AUCTION_ITEM_MAX)
        _fits("auction: asset", asset, capi.POINTS_ASSET_MAX)
        _fits("auction: tiers", tiers, ELIGIBLE_LIST_MAX)
        _fits("auction: departments", departments, ELIGIBLE_LIST_MAX)
        _fits("auction: condition", condition, ELIGIBLE_CONDITION_MAX)
        _c.points_auction_def_fields(d, sku, item, asset, seconds(starts),
                                     seconds(ends), start_price, increment,
                                     reserve, snipe_window, snipe_extend,
                                     min_balance, tiers, departments,
                                     condition)
        return self.auction(self._call(_c.points_auction_create, d))

    def auction(self, auction_id):
        """The auction with this id, as it stands."""
        return Auction._make(self._call(_c.points_auction_get, auction_id))

    def auction_bid(self, auction_id, account, amount, idempotency_key=None):
        """Bid amount points for account: its points are held and the
        leader's released in one transaction (a leader raising its bid
        holds the new amount instead of the old).  Refusals (not started
        or ended: WindowClosed; too low, with the least bid:
        InvalidArgument; NotEligible; InsufficientPoints) write nothing.
        The same idempotency_key again returns the first bid (replayed
        1).  Returns the Bid."""
        return Bid._make(self._call(_c.points_auction_bid, auction_id,
                                    account_id(account), amount,
                                    idempotency_key))

    def auction_bid_get(self, auction_id, number):
        """Bid number (1, 2, ...) of an auction."""
        return Bid._make(self._call(_c.points_auction_bid_get, auction_id,
                                    number))

    def auction_bids(self, auction_id):
        """The bids of an auction, first to last, as Bid."""
        it = self._call(_c.points_auction_bid_iterator_new, auction_id)
        return _Iter(self, it, _c.points_auction_bid_next,
                     _c.points_auction_bid_iterator_free, Bid._make)

    def auction_settle(self, auction_id):
        """Write the settlement of an auction past its end: the leader's
        hold captured (and a catalogue item's order made), or, with no bid
        at the reserve, every hold released.  The expiry sweep does the
        same for auctions nobody settles."""
        self._call(_c.points_auction_settle, auction_id)

    def auction_cancel(self, auction_id):
        """Cancel an open auction before its end: every hold released,
        the unit back in stock."""
        self._call(_c.points_auction_cancel, auction_id)
    # ---- The outbox ----

    def outbox_next(self, after_seq=0):
        """The first outbox event after sequence number after_seq, or
        None when there is none yet."""
        rec = self._call(_c.points_outbox_next, after_seq)
        return None if rec is None else OutboxEvent._make(rec)

    def outbox(self, after_seq=0):
        """The outbox events after after_seq, oldest first (a generator:
        each step reads the next)."""
        while True:
            e = self.outbox_next(after_seq)
            if e is None:
                return
            yield e
            after_seq = e.seq

    def trigger_balance(self, name, asset, level):
        """Set account trigger name: an OUTBOX_ACCOUNT_TRIGGER event each
        time a user account's balance of asset (available + pending)
        rises from below level to level or above, in the transaction of
        the change.  Replaces a trigger of that name.  Returns the
        Trigger."""
        return Trigger._make(self._call(_c.points_trigger_set, name,
                                        TRIGGER_BALANCE, asset, level,
                                        None))

    def trigger_tier(self, name, tier=None):
        """Set account trigger name: an event each time an account's
        tier changes to tier (None: any change)."""
        return Trigger._make(self._call(_c.points_trigger_set, name,
                                        TRIGGER_TIER, None, 0, tier))

    def trigger_remove(self, name):
        """Remove account trigger name (NotFound when there is none)."""
        self._call(_c.points_trigger_remove, name)

    def triggers(self):
        """The account triggers, by name, as Trigger."""
        it = self._call(_c.points_trigger_iterator_new)
        return _Iter(self, it, _c.points_trigger_next,
                     _c.points_trigger_iterator_free, Trigger._make)

    def outbox_expiring_set(self, asset, days):
        """Notices of points about to expire: every expiry sweep of asset
        writes an OUTBOX_POINTS_EXPIRING event for each lot expiring
        within days days, once per lot and window; 0 turns them off."""
        self._call(_c.points_outbox_expiring_set, asset, days)

    def outbox_expiring(self, asset):
        """The notice window of asset in days (0: none)."""
        return self._call(_c.points_outbox_expiring_get, asset)

    def outbox_prune(self, through_seq):
        """Delete the outbox events up to and including through_seq;
        returns how many."""
        return self._call(_c.points_outbox_prune, through_seq)

    def txn(self, txn):
        """The transaction with this id."""
        return Txn._make(self._call(_c.points_txn_get, txn_id(txn)))

    def statement(self, account, asset, since=None, until=None, *,
                  oldest_first=False):
        """Entries of account in asset with since <= time < until,
        newest first unless oldest_first."""
        it = self._call(_c.points_statement_iterator_new, account_id(account),
                        asset, seconds(since), seconds(until),
                        1 if oldest_first else 0)
        return _Iter(self, it, _c.points_statement_next,
                     _c.points_statement_iterator_free, Entry._make)

    # ---- Backups ----

    def backup(self, path):
        """Copy this SQLite ledger, as it is now, into a new file at
        path, and verify the copy (InvalidArgument for other stores,
        AlreadyExists when path exists)."""
        self._call(_c.points_backup, path)

    # ---- Exports ----

    def export(self, fmt="csv", since=None, until=None):
        """The ledger's entries with since <= time < until as lines of
        text, their ends included: fmt "csv" (a header line first,
        RFC 4180) or "jsonl" (a JSON object a line); or "journal", for
        hledger and ledger, the whole ledger in blocks of lines (a
        transaction each, its balances asserted at the end).
        points_export_iterator_new(3) lists the columns.  It streams:
        write each line as it comes."""
        formats = {"csv": _c.POINTS_EXPORT_CSV,
                   "jsonl": _c.POINTS_EXPORT_JSONL,
                   "journal": _c.POINTS_EXPORT_JOURNAL}
        if fmt not in formats:
            raise ValueError("export: unknown format %r (csv, jsonl or "
                             "journal)" % (fmt,))
        it = self._call(_c.points_export_iterator_new, formats[fmt],
                        seconds(since), seconds(until))
        return _Iter(self, it, _c.points_export_next,
                     _c.points_export_iterator_free, str)

    # ---- Imports ----

    def import_accounts(self, path, all_or_nothing=False):
        """Create or update accounts from the CSV file at path (columns
        external_id, name, department, tier; points_import_new(3)).
        Returns an ImportLine per line: created, updated, unchanged or
        refused (with its column and reason).  all_or_nothing: nothing
        is written unless every line is good; a bad line then raises
        InvalidArgument naming each bad line."""
        return self._import(IMPORT_ACCOUNTS, path, all_or_nothing)

    def import_awards(self, path, all_or_nothing=False):
        """Earn points from the CSV file at path, a line per award
        (columns external_id, asset, amount, idempotency_key, and
        category, memo, actor); a re-run is a replay (IMPORT_REPLAYED).
        Returns an ImportLine per line, as import_accounts."""
        return self._import(IMPORT_AWARDS, path, all_or_nothing)

    def _import(self, kind, path, all_or_nothing):
        flags = IMPORT_ALL_OR_NOTHING if all_or_nothing else 0
        imp = self._call(_c.points_import_new, kind, os.fspath(path), flags)
        lines = []
        try:
            step = _Iter(self, imp, _c.points_import_next,
                         lambda _imp: None, ImportLine._make)
            lines.extend(step)
            try:
                self._call(lambda _db: _c.points_import_finish(imp))
            except Error as e:
                # the import has no message of its own: the handle has
                e.message = self._call(_c.points_errmsg)
                e.args = (e.message,)
                if not isinstance(e, InvalidArgument):
                    raise
                bad = [str(r) for r in lines if r.refused]
                raise InvalidArgument("%s: %s" % (e.message,
                                                  "; ".join(bad)),
                                      e.code) from None
        finally:
            with self._lock:
                _c.points_import_free(imp)
        return lines

    # ---- Reports ----

    def liability(self, asset):
        """What the user accounts hold of asset now and owe, and its
        cash value at the asset's ratio (points_liability_get(3))."""
        return Liability._make(self._call(_c.points_liability_get, asset))

    def expiry_forecast(self, asset):
        """The months in which points of asset expire, earliest first,
        from this month on: the breakage forecast
        (points_liability_get(3))."""
        it = self._call(_c.points_expiry_forecast_iterator_new, asset)
        return _Iter(self, it, _c.points_expiry_forecast_next,
                     _c.points_expiry_forecast_iterator_free,
                     ExpiryMonth._make)

    def report(self, kind, asset, since=0, until=0, period=0, limit=0):
        """The rows of report kind (REPORT_*: issued by category or
        rule, redeemed by item or category, the redemption rate by
        department, the most popular items) of asset over since <= time
        < until (0: no end), by period (PERIOD_*: all, day, week, month,
        year), as ReportRow (points_report_iterator_new(3)); limit: the
        popular items a period (0: all)."""
        it = self._call(_c.points_report_iterator_new, kind, asset,
                        seconds(since), seconds(until), period, limit)
        return _Iter(self, it, _c.points_report_next,
                     _c.points_report_iterator_free, ReportRow._make)

    def leaderboard(self, asset, since=0, until=0, by=0, top=0):
        """The top accounts (top 0: all) by points of asset earned over
        since <= time < until (0: no end), as Leader: overall
        (LEADERS_ALL) or per department or tier as each entry recorded
        it; a tie goes to who reached the figure first, then the lower
        account id (points_leaderboard_iterator_new(3))."""
        it = self._call(_c.points_leaderboard_iterator_new, asset,
                        seconds(since), seconds(until), by, top)
        return _Iter(self, it, _c.points_leaderboard_next,
                     _c.points_leaderboard_iterator_free, Leader._make)

    def settlement(self, asset, since=0, until=0, ratio_points=0,
                   ratio_cash=0):
        """What each system account issued of asset over since <= time <
        until (0: no end) and what was redeemed at it, as Settlement by
        account id, with the net's cash value at ratio_points :
        ratio_cash (both 0: the asset's cash ratio)
        (points_settlement_iterator_new(3))."""
        it = self._call(_c.points_settlement_iterator_new, asset,
                        seconds(since), seconds(until), ratio_points,
                        ratio_cash)
        return _Iter(self, it, _c.points_settlement_next,
                     _c.points_settlement_iterator_free, Settlement._make)

    def account_summary(self, account, asset, since=0, until=0):
        """What account did with asset over since <= time < until (0:
        no end): its position at both ends, earned, spent, expired and
        other (points_account_summary_get(3))."""
        return Summary._make(self._call(_c.points_account_summary_get,
                                        account_id(account), asset,
                                        seconds(since), seconds(until)))

    def department_summaries(self, asset, since=0, until=0):
        """The departments' summaries ("": accounts of none), by name."""
        it = self._call(_c.points_department_summary_iterator_new, asset,
                        seconds(since), seconds(until))
        return _Iter(self, it, _c.points_department_summary_next,
                     _c.points_department_summary_iterator_free,
                     Summary._make)

    def recommendations(self, account, kind, top=0):
        """Items to suggest to account, as Recommendation: kind
        RECOMMEND_AFFORDABLE, _DEPARTMENT, _TIER or _ALSO_REDEEMED;
        top 0: all (points_recommendation_iterator_new(3))."""
        it = self._call(_c.points_recommendation_iterator_new,
                        account_id(account), kind, top)
        return _Iter(self, it, _c.points_recommendation_next,
                     _c.points_recommendation_iterator_free,
                     Recommendation._make)

    # ---- Lots and expiry ----

    def lots(self, account, asset, until=None):
        """Open lots expiring at or before until (None: all), earliest
        first.  account None or 0: every account's due lots, grouped by
        account (never-expiring lots are not listed then)."""
        limit = NEVER if until is None else seconds(until)
        it = self._call(_c.points_lot_iterator_new, account_id(account), asset,
                        limit)
        return _Iter(self, it, _c.points_lot_next,
                     _c.points_lot_iterator_free, Lot._make)

    def expiring(self, asset, days, account=None):
        """Lots expiring within the next `days` days (for reminders)."""
        return self.lots(account, asset, self.now() + days * 86400)

    def expire_sweep(self, as_of=None, asset=None, *, future=False):
        """Expire lots with expires_at < as_of (default: now) and holds
        past their deadline, of asset (None: every asset; the report's
        points then saturate at 2**63 - 1).  Idempotent.  An as_of later
        than the ledger's clock raises InvalidArgument unless future is
        true.  An expiry is undone with reverse()."""
        t = self._call(_c.points_now) if as_of is None else seconds(as_of)
        if asset is None and not future:
            return SweepReport._make(self._call(_c.points_expire_sweep, t))
        flags = _c.POINTS_SWEEP_FUTURE if future else 0
        return SweepReport._make(self._call(
            _c.points_expire_sweep_asset, asset, t, flags))

    # ---- Holds ----

    def hold(self, account, amount, asset, memo=None, *, expires_at=None,
             idempotency_key=None, time=None, category=None, actor=None):
        """Reserve points; returns a Hold.  In a ``with`` block the hold
        is released at the end unless it was captured or released."""
        t = Txn._make(self._call(_c.points_hold_create, (
            asset, account_id(account), 0, amount, memo, idempotency_key,
            seconds(time), seconds(expires_at), category, actor)))
        return Hold(self, self._call(_c.points_hold_get, t.id))

    def get_hold(self, hold_id):
        return Hold(self, self._call(_c.points_hold_get, txn_id(hold_id)))

    # ---- Integrity ----

    def verify(self, kept=None):
        """Recompute the hash chain and balances and check every record
        against them; Corrupt names the first mismatch.  kept: a
        ChainHead kept outside the ledger (or a list of them), which the
        chain must pass through: then a recomputed chain, a truncated
        log and an older copy are found too."""
        try:
            if kept is None:
                return VerifyReport._make(self._call(_c.points_verify))
            if isinstance(kept, tuple) and not (
                    kept and isinstance(kept[0], tuple)):
                kept = [kept]
            return VerifyReport._make(
                self._call(_c.points_verify_head, list(kept)))
        except Corrupt as e:
            if isinstance(e.report, tuple):
                e.report = VerifyReport._make(e.report)
            raise

    def chain_head(self):
        """The head of the hash chain now (ChainHead: partition, seq and
        hash as hex): keep it elsewhere, and verify(kept=head) later."""
        return ChainHead._make(self._call(_c.points_chain_head_get))

    def chain_heads(self):
        """The head of each of the log's partitions now, in partition
        order (a list of ChainHead, one for a log in one partition): keep
        them elsewhere, and verify(kept=heads) later."""
        return [ChainHead._make(h)
                for h in self._call(_c.points_chain_heads_get)]


class Batch:
    """with ledger.batch(): ... -- one store transaction."""

    def __init__(self, ledger):
        self._ledger = ledger

    def __enter__(self):
        self._ledger.begin_batch()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self._ledger.commit_batch()
        elif not self._ledger.closed:
            self._ledger.rollback_batch()
        return False


class Hold:
    """A reservation of points.  Attributes: id, account, asset, amount,
    captured, expires_at, state (HOLD_OPEN, HOLD_CAPTURED, ...): the
    fields of the C record, named by the table (records.def)."""

    _FIELDS = _fields_of("Hold")
    __slots__ = ("_ledger",) + _FIELDS

    def __init__(self, ledger, rec):
        self._ledger = ledger
        for name, value in zip(self._FIELDS, rec):
            setattr(self, name, value)

    def __repr__(self):
        return "Hold(%s)" % ", ".join(
            "%s=%r" % (name, getattr(self, name)) for name in self._FIELDS)

    @property
    def open(self):
        return self.state == HOLD_OPEN

    def refresh(self):
        """Re-read the hold's state from the ledger."""
        self.__init__(self._ledger,
                      self._ledger._call(_c.points_hold_get, self.id))
        return self

    def capture(self, amount=0, to=0, memo=None, *, idempotency_key=None,
                category=None, actor=None):
        """Capture amount (0: all) into account `to` (0: the sink); the
        rest is released.  With an idempotency_key, a retry of the same
        capture returns the first result instead of StateError."""
        try:
            return Txn._make(self._ledger._call(_c.points_hold_capture, (
                self.id, amount, account_id(to), memo, idempotency_key,
                category, actor)))
        finally:
            self._refresh_quietly()

    def release(self, memo=None, *, idempotency_key=None, category=None,
                actor=None):
        """Return all of the hold to its account."""
        try:
            return Txn._make(self._ledger._call(_c.points_hold_release, (
                self.id, memo, idempotency_key, category, actor)))
        finally:
            self._refresh_quietly()

    def _refresh_quietly(self):
        if not self._ledger.closed:
            try:
                self.refresh()
            except Error:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.state == HOLD_OPEN and not self._ledger.closed:
            self.refresh()
            if self.state == HOLD_OPEN:
                self.release("released at the end of a with block")
        return False


class _Iter:
    """An iterator over a C iterator of one kind (its own next and free
    functions); see the module's rules."""

    __slots__ = ("_ledger", "_it", "_next", "_free", "_make")

    def __init__(self, ledger, it, next_fn, free_fn, make):
        self._ledger = ledger
        self._it = it
        self._next = next_fn
        self._free = free_fn
        self._make = make

    def __iter__(self):
        return self

    def __next__(self):
        it = self._it
        if it is None:
            raise StopIteration
        ledger = self._ledger
        with ledger._lock:
            if ledger._db is None:
                self.close()
                raise LedgerClosed("the ledger of this iterator is closed")
            try:
                rec = self._next(it)
            except Error as e:
                # the iterator has no message of its own: the handle has
                self.close()
                e.message = _c.points_errmsg(ledger._db)
                e.args = (e.message,)
                raise
        if rec is None:
            self.close()
            raise StopIteration
        return self._make(rec)

    def close(self):
        """Free the C iterator now; the iteration is over.  Closing twice
        is fine."""
        it, self._it = self._it, None
        if it is not None:
            # freeing unlinks it from its handle: no other call on the
            # handle may run meanwhile (after close it touches only it)
            with self._ledger._lock:
                self._free(it)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()
