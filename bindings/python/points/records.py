"""The records libpoints returns, as named tuples with a few helpers.

The C layer hands over plain tuples; the fields' names, order and docs
come from the C module at import (one table, bindings/records.def,
describes every record for C, Python and Java), and these classes add
the helpers.
"""

from collections import namedtuple
from datetime import datetime, timezone

from . import _capi

# {Python class: ((C member, field name, doc), ...)}, from the table.
_TABLE = {cls: fields for _ctype, cls, fields in _capi.points_py_records()}


def _fields_of(cls):
    """The field names of record class cls (its name), in order."""
    return tuple(name for _member, name, _doc in _TABLE[cls])


def _record(cls):
    """A named tuple of record cls's fields, each documented."""
    base = namedtuple(cls, _fields_of(cls))
    for _member, name, doc in _TABLE[cls]:
        getattr(base, name).__doc__ = doc
    return base

# Transaction types (POINTS_TXN_*).
EARN, SPEND, TRANSFER, ADJUST, REVERSAL, EXPIRE, HOLD, CAPTURE, RELEASE, \
    FUND, DEFUND, FORFEIT = range(1, 13)
TXN_TYPES = {EARN: "earn", SPEND: "spend", TRANSFER: "transfer",
             ADJUST: "adjust", REVERSAL: "reversal", EXPIRE: "expire",
             HOLD: "hold", CAPTURE: "capture", RELEASE: "release",
             FUND: "fund", DEFUND: "defund", FORFEIT: "forfeit"}

# Reports (points_report_iterator_new) and their periods.
REPORT_ISSUED_BY_CATEGORY, REPORT_ISSUED_BY_RULE, REPORT_REDEEMED_BY_ITEM, \
    REPORT_REDEEMED_BY_CATEGORY, REPORT_REDEMPTION_RATE, \
    REPORT_POPULAR_ITEMS = range(1, 7)
PERIOD_ALL, PERIOD_DAY, PERIOD_WEEK, PERIOD_MONTH, PERIOD_YEAR = range(5)
# Leaderboards' groups (POINTS_LEADERS_*).
LEADERS_ALL, LEADERS_BY_DEPARTMENT, LEADERS_BY_TIER = range(3)
# Recommendations (POINTS_RECOMMEND_*).
RECOMMEND_AFFORDABLE, RECOMMEND_DEPARTMENT, RECOMMEND_TIER, \
    RECOMMEND_ALSO_REDEEMED = range(1, 5)

# Imports (points_import_new): kinds, flags, and a line's outcome.
IMPORT_ACCOUNTS, IMPORT_AWARDS = 1, 2
IMPORT_ALL_OR_NOTHING = 0x01
IMPORT_CREATED, IMPORT_UPDATED, IMPORT_UNCHANGED, IMPORT_APPLIED, \
    IMPORT_REPLAYED, IMPORT_REFUSED = range(1, 7)
IMPORT_OUTCOMES = {IMPORT_CREATED: "created", IMPORT_UPDATED: "updated",
                   IMPORT_UNCHANGED: "unchanged", IMPORT_APPLIED: "applied",
                   IMPORT_REPLAYED: "replayed", IMPORT_REFUSED: "refused"}

# Reversal flags (POINTS_REVERSE_*).
REVERSE_NO_DEBT = 0x01

# Account status and flags.
ACTIVE, FROZEN, CLOSED = 0, 1, 2
SYSTEM, ALLOW_NEGATIVE, POOL = 0x01, 0x02, 0x04

# Fields of an account's history (POINTS_CHANGE_*).
CHANGE_DEPARTMENT, CHANGE_TIER, CHANGE_STATUS, CHANGE_ERASE = range(1, 5)
CHANGE_FIELDS = {CHANGE_DEPARTMENT: "department", CHANGE_TIER: "tier",
                 CHANGE_STATUS: "status", CHANGE_ERASE: "erase"}

# Hold states.
HOLD_OPEN, HOLD_CAPTURED, HOLD_RELEASED, HOLD_EXPIRED = range(4)

# Expiry policies of an asset.
EXPIRE_NEVER, EXPIRE_DAYS, EXPIRE_YEAR_END = 0, 1, 2

# Asset policy flags.
NO_TRANSFER = 0x01

# Earning rules: states (POINTS_RULE_*), flags, cap units, the
# expressions rule_expr reads (POINTS_RULE_EXPR_*).
RULE_DRAFT, RULE_ACTIVE, RULE_PAUSED, RULE_RETIRED = range(4)
RULE_STATES = {RULE_DRAFT: "draft", RULE_ACTIVE: "active",
               RULE_PAUSED: "paused", RULE_RETIRED: "retired"}
RULE_EXCLUSIVE, RULE_NO_TIER, RULE_WINDOW_ONLY, RULE_APPROVAL = \
    0x01, 0x02, 0x04, 0x08
CAP_POINTS, CAP_AWARDS = 0, 1
EXPR_CONDITION, EXPR_POINTS, EXPR_BENEFICIARY, EXPR_CAP_KEY = range(4)

# What a rule did with an event (POINTS_OUTCOME_*).
OUTCOME_AWARDED, OUTCOME_CONDITION, OUTCOME_ERROR, OUTCOME_CAPPED, \
    OUTCOME_INACTIVE, OUTCOME_EXCLUDED, OUTCOME_ZERO, OUTCOME_APPROVAL = range(8)
OUTCOME_STATUSES = {OUTCOME_AWARDED: "awarded", OUTCOME_CONDITION: "condition",
                    OUTCOME_ERROR: "error", OUTCOME_CAPPED: "capped",
                    OUTCOME_INACTIVE: "inactive", OUTCOME_EXCLUDED: "excluded",
                    OUTCOME_ZERO: "zero", OUTCOME_APPROVAL: "approval"}

# Scheduled grants: their periods (POINTS_GRANT_*) and flags; their
# states are the rules' (RULE_*).
GRANT_MONTHLY, GRANT_QUARTERLY, GRANT_YEARLY = 1, 2, 3
GRANT_PERIODS = {GRANT_MONTHLY: "monthly", GRANT_QUARTERLY: "quarterly",
                 GRANT_YEARLY: "yearly"}
GRANT_EXPIRE_AT_END = 0x01

# Approvals (four eyes): their states (POINTS_APPROVAL_*).
APPROVAL_PENDING, APPROVAL_APPROVED, APPROVAL_REJECTED = range(3)
APPROVAL_STATES = {APPROVAL_PENDING: "pending", APPROVAL_APPROVED: "approved",
                   APPROVAL_REJECTED: "rejected"}

# The mall: an item without stock, the catalogue iterator's flags, the
# bits of an item change (POINTS_ITEM_CHANGED_*), the outbox's kinds.
STOCK_UNLIMITED = -1
ITEMS_LISTED, ITEMS_IN_STOCK, ITEMS_AFFORDABLE = 0x01, 0x02, 0x04
# How a catalogue query sorts (POINTS_ITEMS_BY_*).
ITEMS_BY_SKU, ITEMS_BY_POPULARITY, ITEMS_BY_PRICE, ITEMS_BY_PRICE_DESC, \
    ITEMS_BY_NEWEST = range(5)
ITEM_CHANGED_CREATED, ITEM_CHANGED_DETAILS, ITEM_CHANGED_PRICE, \
    ITEM_CHANGED_STOCK, ITEM_CHANGED_LISTING, ITEM_CHANGED_TIER_PRICE = \
    0x01, 0x02, 0x04, 0x08, 0x10, 0x20
ITEM_CHANGED_FLASH, ITEM_CHANGED_WINDOW, ITEM_CHANGED_LIMITS = \
    0x40, 0x80, 0x100
ITEM_CHANGED_BUNDLE = 0x200
BUNDLE_PARTS_MAX = 16
# A flash discount's kinds (POINTS_FLASH_*), the periods of the limits per
# account (POINTS_PERIOD_*).
FLASH_PERCENT, FLASH_PRICE = 1, 2
# Which of an order's allowance and points pays first (POINTS_PAY_*).
PAY_ALLOWANCE_FIRST, PAY_POINTS_FIRST = 0, 1
PERIOD_DAY, PERIOD_WEEK, PERIOD_MONTH, PERIOD_YEAR = 1, 2, 3, 4
OUTBOX_LOW_STOCK = "item.low_stock"
OUTBOX_OUT_OF_STOCK = "item.out_of_stock"
OUTBOX_ORDER_STATE = "order.state"
OUTBOX_ORDER_SWITCHED = "order.switched"
OUTBOX_POINTS_EXPIRING = "points.expiring"
OUTBOX_ACCOUNT_TRIGGER = "account.trigger"
# Account triggers' kinds (POINTS_TRIGGER_*).
TRIGGER_BALANCE, TRIGGER_TIER = 1, 2

# An order's states (POINTS_ORDER_*).
ORDER_SUBMITTED, ORDER_APPROVED, ORDER_SHIPPED, ORDER_DELIVERED, \
    ORDER_CANCELLED, ORDER_RETURNED, ORDER_EXCHANGING = range(7)
ORDER_STATES = {ORDER_SUBMITTED: "submitted", ORDER_APPROVED: "approved",
                ORDER_SHIPPED: "shipped", ORDER_DELIVERED: "delivered",
                ORDER_CANCELLED: "cancelled", ORDER_RETURNED: "returned",
                ORDER_EXCHANGING: "exchanging"}

# Lotteries (points/lottery.h): prize kinds, a losing draw's outcome,
# states, and the lengths a definition's strings may have (bytes).
PRIZE_POINTS, PRIZE_CUSTOM, PRIZE_ITEM = 1, 2, 3
LOTTERY_LOSE = -1
# Ledger.lottery_draws: the winning draws only.
DRAWS_WON = 0x01
LOTTERY_OPEN, LOTTERY_CLOSED = 0, 1
LOTTERY_NAME_MAX, LOTTERY_LABEL_MAX, LOTTERY_PRIZES_MAX = 64, 64, 16
# Auctions (points/auction.h): states, the item's length in bytes, and
# the outbox event of a bidder outbid.
AUCTION_OPEN, AUCTION_SOLD, AUCTION_UNSOLD, AUCTION_CANCELLED = range(4)
AUCTION_ITEM_MAX = 128
OUTBOX_AUCTION_OUTBID = "auction.outbid"
# Who may take part in an activity (points/eligible.h): the bytes its
# tiers or departments list and its condition may have.
ELIGIBLE_LIST_MAX, ELIGIBLE_CONDITION_MAX = 256, 1024

NEVER = 2**63 - 1  # a lot's expires_at when it never expires


def utc(seconds):
    """Seconds since 1970 as an aware datetime in UTC."""
    return datetime.fromtimestamp(seconds, timezone.utc)


class Asset(_record("Asset")):
    __slots__ = ()

    @property
    def transferable(self):
        """Whether users may transfer the asset's points."""
        return not self.flags & NO_TRANSFER


# The policy fields default to an asset's defaults, so that
# Asset(code, decimals, expiry_policy, expiry_n) still describes a new
# asset.
Asset.__new__.__defaults__ = (0, 0, 12, 31)


class Account(_record("Account")):
    __slots__ = ()

    @property
    def frozen(self):
        return self.status == FROZEN

    @property
    def closed(self):
        return self.status == CLOSED

    @property
    def system(self):
        return bool(self.flags & SYSTEM)

    @property
    def created(self):
        return utc(self.created_at)


class Balance(_record("Balance")):
    __slots__ = ()

    @property
    def total(self):
        """Available plus held."""
        return self.available + self.held


class Txn(_record("Txn")):
    __slots__ = ()

    @property
    def kind(self):
        """The type's name: "earn", "spend", ..."""
        return TXN_TYPES.get(self.type, str(self.type))

    @property
    def when(self):
        return utc(self.time)


class Entry(_record("Entry")):
    __slots__ = ()

    @property
    def kind(self):
        return TXN_TYPES.get(self.type, str(self.type))

    @property
    def when(self):
        return utc(self.time)


class Lot(_record("Lot")):
    __slots__ = ()

    @property
    def never_expires(self):
        return self.expires_at == NEVER

    @property
    def expires(self):
        """The last moment the points are valid; None if they never expire."""
        return None if self.never_expires else utc(self.expires_at)


class ForfeitReport(_record("ForfeitReport")):
    """What Ledger.forfeit did: holds released, assets forfeited, debts
    written off, the entries it wrote."""
    __slots__ = ()

    @property
    def when(self):
        return utc(self.time)


class AccountChange(_record("AccountChange")):
    __slots__ = ()

    @property
    def kind(self):
        """The field's name: "department", "tier", "status", "erase"."""
        return CHANGE_FIELDS.get(self.field, str(self.field))

    @property
    def when(self):
        return utc(self.time)


class SweepReport(_record("SweepReport")):
    __slots__ = ()


class VerifyReport(_record("VerifyReport")):
    __slots__ = ()


class ChainHead(_record("ChainHead")):
    """The head of the hash chain (Ledger.chain_head): keep it outside
    the ledger and pass it to Ledger.verify(kept=...)."""
    __slots__ = ()


class Settings(_record("Settings")):
    """What the ledger stored when it was created (Ledger.settings())."""
    __slots__ = ()


class Rule(_record("Rule")):
    """A version of an earning rule as stored (Ledger.rule_save,
    Ledger.rule_get, Ledger.rule_history); its expressions are read with
    Ledger.rule_expr."""
    __slots__ = ()

    @property
    def state_name(self):
        """"draft", "active", "paused" or "retired"."""
        return RULE_STATES.get(self.state, str(self.state))

    @property
    def when(self):
        return utc(self.time)


class Tier(_record("Tier")):
    """A row of the tier table (Ledger.tier_get)."""
    __slots__ = ()


class TierSweepReport(_record("TierSweepReport")):
    """What a tier sweep did (Ledger.tier_sweep)."""
    __slots__ = ()


class RuleOutcome(_record("RuleOutcome")):
    """What one rule did with an event, in an EventResult."""
    __slots__ = ()

    @property
    def status_name(self):
        """"awarded", "condition", "error", ..."""
        return OUTCOME_STATUSES.get(self.status, str(self.status))

    @property
    def awarded(self):
        return self.status == OUTCOME_AWARDED


class Approval(_record("Approval")):
    """An award waiting for, or decided by, a second actor
    (Ledger.approval_nominate, approval_approve, approval_reject,
    approval_get, approvals)."""
    __slots__ = ()

    @property
    def state_name(self):
        """"pending", "approved" or "rejected"."""
        return APPROVAL_STATES.get(self.state, str(self.state))


class Grant(_record("Grant")):
    """A version of a scheduled grant as stored (Ledger.grant_save,
    Ledger.grant_get); its expressions are read with Ledger.grant_expr."""
    __slots__ = ()

    @property
    def state_name(self):
        """"draft", "active", "paused" or "retired"."""
        return RULE_STATES.get(self.state, str(self.state))

    @property
    def period_name(self):
        """"monthly", "quarterly" or "yearly"."""
        return GRANT_PERIODS.get(self.period, str(self.period))


class GrantReport(_record("GrantReport")):
    """What a run of grants did (Ledger.grant_run, grant_run_due)."""
    __slots__ = ()


class GrantAward(_record("GrantAward")):
    """What a run paid an account for a period (Ledger.grant_award)."""
    __slots__ = ()


class EventSummary(_record("EventSummary")):
    """The summary of an event's result."""
    __slots__ = ()


class BacktestSummary(_record("BacktestSummary")):
    """The summary of a rule's backtest."""
    __slots__ = ()


class BacktestRow(_record("BacktestRow")):
    """What one account would have earned in a backtest."""
    __slots__ = ()


class Backtest:
    """What a rule would have awarded (Ledger.rule_backtest): the
    summary's fields as attributes (events, awards, points, accounts,
    capped, errors) and rows, a list of BacktestRow by account id."""
    __slots__ = ("summary", "rows")

    def __init__(self, summary, rows):
        self.summary = summary
        self.rows = list(rows)

    def __getattr__(self, name):
        if name in BacktestSummary._fields:
            return getattr(self.summary, name)
        raise AttributeError(name)

    def __repr__(self):
        return "Backtest(%r, rows=%r)" % (self.summary, self.rows)


class EventResult:
    """The result of an event (Ledger.event_apply, event_preview,
    event_get, event_reverse): the summary's fields as attributes
    (id, type, account, time, amount, seq, points, replayed, ...) and
    outcomes, a list of RuleOutcome in the order the rules were
    evaluated; lines, for a refund of line items, the indexes of the
    lines refunded (else None).  Plain Python data: the C result is
    freed when it is read."""
    __slots__ = ("summary", "outcomes", "lines")

    def __init__(self, summary, outcomes, lines=None):
        self.summary = summary
        self.outcomes = list(outcomes)
        self.lines = None if lines is None else list(lines)

    def __getattr__(self, name):
        if name in EventSummary._fields:
            return getattr(self.summary, name)
        raise AttributeError(name)

    @property
    def replayed(self):
        return bool(self.summary.replayed)

    def __repr__(self):
        return "EventResult(%r, outcomes=%r)" % (self.summary, self.outcomes)


class Item(_record("Item")):
    """An item of the mall's catalogue (Ledger.item_create, Ledger.item,
    Ledger.items)."""
    __slots__ = ()

    @property
    def unlimited(self):
        """True when the item has no stock to run out of."""
        return self.stock == STOCK_UNLIMITED


class MallSettings(_record("MallSettings")):
    """The mall's own settings (Ledger.mall_settings): its redemption
    window and its pay order (pay_order: PAY_ALLOWANCE_FIRST or
    PAY_POINTS_FIRST), with its last change's time, actor and reason."""
    __slots__ = ()


class CashRatio(_record("CashRatio")):
    """An asset's points-to-cash ratio (Ledger.mall_cash_ratio): points
    points are worth cash minor units; both 0 when it has none."""
    __slots__ = ()


class ItemChange(_record("ItemChange")):
    """A change of an item, from its history (Ledger.item_history):
    what (ITEM_CHANGED_* bits) and the item's price, stock and listing
    after it."""
    __slots__ = ()

    @property
    def when(self):
        return utc(self.time)


class OutboxEvent(_record("OutboxEvent")):
    """An event of the outbox (Ledger.outbox_next, Ledger.outbox):
    data is a JSON object's text (OutboxEvent.details parses it)."""
    __slots__ = ()

    @property
    def details(self):
        import json
        return json.loads(self.data) if self.data else {}


class Trigger(_record("Trigger")):
    """An account trigger (Ledger.trigger_balance, Ledger.trigger_tier,
    Ledger.triggers)."""
    __slots__ = ()


class Order(_record("Order")):
    """An order of the mall (Ledger.order_place, Ledger.order,
    Ledger.orders); its id is its hold's."""
    __slots__ = ()

    @property
    def state_name(self):
        """"submitted", "approved", "shipped", ..."""
        return ORDER_STATES.get(self.state, str(self.state))


class CodePool(_record("CodePool")):
    """An item's code pool (Ledger.item_codes_add, Ledger.item_codes)."""
    __slots__ = ()


class OrderCode(_record("OrderCode")):
    """A code issued to an order (Ledger.order_codes): a secret, for its
    owner's eyes only."""
    __slots__ = ()


class BundlePart(_record("BundlePart")):
    """A component of a bundle (Ledger.bundle_parts), or one an order of
    a bundle took (Ledger.order_parts)."""
    __slots__ = ()


class OrderChange(_record("OrderChange")):
    """A change of an order's state, from its history
    (Ledger.order_history); from_state is -1 for the first."""
    __slots__ = ()

    @property
    def when(self):
        return utc(self.time)


class LotteryPrize(_record("LotteryPrize")):
    """A lottery's prize as it stands (Ledger.lottery_prize,
    Ledger.lottery_prizes): stock is what is left, initial what it had."""
    __slots__ = ()


class Lottery(_record("Lottery")):
    """A lottery (Ledger.lottery_create, Ledger.lottery): commitment is
    published from the start, seed once it is closed."""
    __slots__ = ()

    @property
    def closed(self):
        return self.state == LOTTERY_CLOSED


class LotteryResults(_record("LotteryResults")):
    """What a lottery has done so far (Ledger.lottery_results):
    participants, draws, wins, points collected and credited."""
    __slots__ = ()


class LotteryDraw(_record("LotteryDraw")):
    """A draw of a lottery (Ledger.lottery_draw, Ledger.lottery_draw_get):
    outcome is the prize's index, or LOTTERY_LOSE."""
    __slots__ = ()

    @property
    def won(self):
        return self.outcome != LOTTERY_LOSE


class Auction(_record("Auction")):
    """An auction (Ledger.auction_create, Ledger.auction): past its end it
    reads as settled as of the end (AUCTION_SOLD or AUCTION_UNSOLD)
    whether or not the settlement has been written; capture_id and
    order_id are set once it has."""
    __slots__ = ()

    @property
    def sold(self):
        return self.state == AUCTION_SOLD


class Bid(_record("Bid")):
    """A bid of an auction (Ledger.auction_bid, Ledger.auction_bid_get,
    Ledger.auction_bids)."""
    __slots__ = ()


class Liability(_record("Liability")):
    """What the user accounts of an asset hold and owe now
    (Ledger.liability): outstanding = available + pending + held; its
    cash value at the asset's ratio is cash + cash_rem / ratio_points
    minor units exactly."""
    __slots__ = ()

    @property
    def cash_value(self):
        """The exact cash value as a Fraction (None: no ratio)."""
        from fractions import Fraction
        if not self.ratio_points:
            return None
        return self.cash + Fraction(self.cash_rem, self.ratio_points)


class ReportRow(_record("ReportRow")):
    """A row of a report of points issued or redeemed (Ledger.report):
    its period's first second, its key (category, rule, SKU or
    department), points net of reversals, count, and for the
    redemption rate the points issued."""
    __slots__ = ()


class Leader(_record("Leader")):
    """An account of a leaderboard (Ledger.leaderboard): its group
    (department or tier; "" overall or none), rank, points earned in the
    range, earns counted and when it reached its figure."""
    __slots__ = ()


class Settlement(_record("Settlement")):
    """A party's settlement over a range (Ledger.settlement): what the
    system account issued, what was redeemed at it, net = issued -
    redeemed, and its cash value cash + cash_rem / ratio_points at the
    terms ratio_points : ratio_cash."""
    __slots__ = ()


class Summary(_record("Summary")):
    """A department's or an employee's summary for a range
    (Ledger.account_summary, Ledger.department_summaries): start +
    earned - spent - expired + other = end."""
    __slots__ = ()


class ImportLine(_record("ImportLine")):
    """What became of one line of an imported file (Ledger.import_accounts,
    import_awards): its number, outcome (IMPORT_CREATED ...), account;
    refused, the column at fault, the error code and the reason."""
    __slots__ = ()

    @property
    def refused(self):
        return self.outcome == IMPORT_REFUSED

    def __str__(self):
        if self.refused:
            where = ", column %s" % self.column if self.column else ""
            return "line %d%s: %s" % (self.line, where, self.reason)
        return "line %d: %s %s" % (self.line,
                                    IMPORT_OUTCOMES.get(self.outcome, "?"),
                                    self.external_id)


class ImportSummary(_record("ImportSummary")):
    """The counts of an import's lines (points_import_finish)."""
    __slots__ = ()


class Recommendation(_record("Recommendation")):
    """An item to suggest to an account (Ledger.recommendations): its
    rank, SKU, name, the price the account pays now and its score."""
    __slots__ = ()


class ExpiryMonth(_record("ExpiryMonth")):
    """The points of an asset due to expire in one month of the ledger's
    local time (Ledger.expiry_forecast)."""
    __slots__ = ()
