"""libpoints for Python: an embeddable points ledger.

    import points
    with points.Ledger.open("sqlite:hr.db") as ledger:
        ledger.create_asset("PTS")
        alice = ledger.create_account("E1001", "Alice")
        ledger.earn(alice, 200, "PTS", "certificate")
        print(ledger.balance(alice, "PTS").available)

Amounts are ints in the asset's smallest unit; times are int seconds
since 1970 or datetimes.  Errors raise subclasses of points.Error.
"""

from . import capi
from .errors import (Error, InvalidArgument, NotFound, AlreadyExists,
                     InsufficientPoints, Frozen, Conflict, Overflow, Busy,
                     StorageError, OutOfMemory, StateError, AccountClosed,
                     VersionError, Corrupt, Misuse, Retry, LimitExceeded,
                     NotPermitted, OutOfStock, NotEligible, QuotaExceeded,
                     WindowClosed, LedgerClosed)
from .records import *  # noqa: F401,F403 (records and constants)
from .ledger import Ledger, Batch, Hold, KEEP
from .store import Store

__version__ = "0.2.0"

# System accounts.
ISSUER, SINK, EXPIRY = 1, 2, 3


def library_version():
    """The version of the C library this binding runs on."""
    return capi.points_version()


def library_version_number():
    """The running C library's version as major*1000000 + minor*1000 +
    patch (compare with capi.POINTS_VERSION_NUMBER, what this binding
    was built against)."""
    return capi.points_version_number()


def strerror(code):
    """The generic text of a C error code."""
    return capi.points_strerror(code)
