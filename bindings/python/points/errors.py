"""The exceptions of libpoints: one class per error family.

Every C error code maps to one class below ``Error``; the C layer
(points.i) builds them through ``from_code``.  ``message`` is the
ledger's explanation (points_errmsg), which names the object and the
reason; ``code`` is the C code (``points.EINSUFFICIENT`` ...).
"""


class Error(Exception):
    """Base class of every libpoints error."""

    code = None

    def __init__(self, message, code=None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    @property
    def strerror(self):
        """The generic text of the code (points_strerror)."""
        from . import capi
        return capi.points_strerror(self.code)


class InvalidArgument(Error, ValueError):
    code = -1


class NotFound(Error, LookupError):
    code = -2


class AlreadyExists(Error):
    code = -3


class InsufficientPoints(Error):
    code = -4


class Frozen(Error):
    code = -5


class Conflict(Error):
    code = -6


class Overflow(Error, OverflowError):
    code = -7


class Busy(Error):
    code = -8


class StorageError(Error):
    code = -9


class OutOfMemory(Error):
    code = -10


class StateError(Error):
    code = -11


class AccountClosed(Error):
    code = -12


class VersionError(Error):
    code = -13


class Corrupt(Error):
    """Stored data fails its checks.  From Ledger.verify(), ``report`` is
    the VerifyReport naming the first bad entry."""
    code = -14
    report = None


class Misuse(Error):
    code = -15


class Retry(Error):
    """A conflicting writer won (an optimistic store's serialization
    failure): nothing was written; run the whole operation again."""
    code = -16


class LimitExceeded(Error):
    """A limit of the library or the store: too many of something (an
    account's attributes, assets in one sweep), an id past what a key
    holds, a value or transaction too large for the store.  Not a bad
    argument: the same call may work on another ledger or store."""
    code = -17


class NotPermitted(Error, PermissionError):
    """Not permitted to this actor: an approver who is the award's
    nominator (four eyes).  Nothing was written."""
    code = -18


class OutOfStock(Error):
    """An item's stock cannot fill the order (the mall)."""
    code = -19


class NotEligible(Error):
    """The account may not do this: a tier-only item for a lower tier."""
    code = -20


class QuotaExceeded(Error):
    """Over a per-order or per-period limit (the mall's order limit)."""
    code = -21


class WindowClosed(Error):
    """Outside a redemption window: the mall or the item may not be
    ordered on this day; the message names the next opening."""
    code = -22


class LedgerClosed(Misuse):
    """The ledger (or store) was used after close()."""

    def __init__(self, message="the ledger is closed", code=None):
        super().__init__(message, code)


_BY_CODE = {cls.code: cls for cls in (
    InvalidArgument, NotFound, AlreadyExists, InsufficientPoints, Frozen,
    Conflict, Overflow, Busy, StorageError, OutOfMemory, StateError,
    AccountClosed, VersionError, Corrupt, Misuse, Retry, LimitExceeded,
    NotPermitted, OutOfStock, NotEligible, QuotaExceeded, WindowClosed)}


def from_code(code, message):
    """The exception for a C error code (called from the C wrapper)."""
    return _BY_CODE.get(code, Error)(message, code)
