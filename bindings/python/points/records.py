"""The records libpoints returns, as named tuples with a few helpers.

Field order follows the C structs in points.h; the C layer hands over
plain tuples and these classes name them.
"""

from collections import namedtuple
from datetime import datetime, timezone

# Transaction types (POINTS_TXN_*).
EARN, SPEND, TRANSFER, ADJUST, REVERSAL, EXPIRE, HOLD, CAPTURE, RELEASE = \
    range(1, 10)
TXN_TYPES = {EARN: "earn", SPEND: "spend", TRANSFER: "transfer",
             ADJUST: "adjust", REVERSAL: "reversal", EXPIRE: "expire",
             HOLD: "hold", CAPTURE: "capture", RELEASE: "release"}

# Account status and flags.
ACTIVE, FROZEN, CLOSED = 0, 1, 2
SYSTEM, ALLOW_NEGATIVE = 0x01, 0x02

# Hold states.
HOLD_OPEN, HOLD_CAPTURED, HOLD_RELEASED, HOLD_EXPIRED = range(4)

# Expiry policies of an asset.
EXPIRE_NEVER, EXPIRE_DAYS, EXPIRE_YEAR_END = 0, 1, 2

NEVER = 2**63 - 1  # a lot's expires_at when it never expires


def utc(seconds):
    """Seconds since 1970 as an aware datetime in UTC."""
    return datetime.fromtimestamp(seconds, timezone.utc)


class Asset(namedtuple("Asset", "code decimals expiry_policy expiry_n")):
    __slots__ = ()


class Account(namedtuple("Account", "id external_id name tier department "
                                    "status flags created_at")):
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


class Balance(namedtuple("Balance", "account asset available held earned "
                                    "spent expired")):
    __slots__ = ()

    @property
    def total(self):
        """Available plus held."""
        return self.available + self.held


class Txn(namedtuple("Txn", "id seq type time asset from_account to_account "
                            "amount ref memo replayed")):
    __slots__ = ()

    @property
    def kind(self):
        """The type's name: "earn", "spend", ..."""
        return TXN_TYPES.get(self.type, str(self.type))

    @property
    def when(self):
        return utc(self.time)


class Entry(namedtuple("Entry", "txn_id seq type time account asset amount "
                                "held counterparty memo")):
    __slots__ = ()

    @property
    def kind(self):
        return TXN_TYPES.get(self.type, str(self.type))

    @property
    def when(self):
        return utc(self.time)


class Lot(namedtuple("Lot", "account asset expires_at amount")):
    __slots__ = ()

    @property
    def never_expires(self):
        return self.expires_at == NEVER

    @property
    def expires(self):
        """The last moment the points are valid; None if they never expire."""
        return None if self.never_expires else utc(self.expires_at)


class SweepReport(namedtuple("SweepReport", "accounts lots points holds")):
    __slots__ = ()


class VerifyReport(namedtuple("VerifyReport",
                              "entries balances bad_seq message")):
    __slots__ = ()
