"""Stores: the storage under a ledger, opened on their own.

Most programs never need these: Ledger.open(uri) opens its own store.  A
Store is for opening a ledger over a wrapped store, chiefly the
fault-injecting wrapper that tests a host's error handling.
"""

from . import _capi as _c
from .errors import InvalidArgument, LedgerClosed, Misuse


class Store:
    """An open store.  Close it after every ledger opened on it."""

    def __init__(self, handle, inner=None):
        self._s = handle
        self._inner = inner
        self._users = 0  # ledgers and wrappers open on this store
        self._why = None  # why _s is None, when not for close()
        if inner is not None:
            inner._users += 1
        from .ledger import _OPEN
        _OPEN.add(self)

    def _forget(self, why):
        """Drop the handle without closing it: in the child of fork()."""
        self._s, self._why = None, why

    @classmethod
    def open(cls, uri):
        """Open "memory:" or "sqlite:PATH" as a bare store."""
        return cls(_c.points_store_open(uri))

    @classmethod
    def fault(cls, inner):
        """A fault-injecting wrapper over inner: once armed, fails call n
        with a storage error (every call from n on when persistent)."""
        return cls(_c.points_store_fault_new(inner._handle()), inner)

    def _handle(self):
        if self._s is None:
            raise LedgerClosed(self._why or "the store is closed")
        return self._s

    def arm(self, n, persistent=False):
        """Fail call n from now (0 disarms); a fault wrapper only."""
        self._wrapper()
        _c.points_store_fault_arm(self._handle(), n, 1 if persistent else 0)

    @property
    def calls(self):
        """Calls seen since arming (fault wrapper only)."""
        self._wrapper()
        return _c.points_store_fault_calls(self._handle())

    @property
    def failures(self):
        """Failures injected (fault wrapper only)."""
        self._wrapper()
        return _c.points_store_fault_failures(self._handle())

    def method_calls(self, method):
        """Calls of one method of the store (its name in the C vtable:
        "begin", "get", "get_many", "put", ...) since arming, those that
        never fail included: a store's round trips (fault wrapper
        only)."""
        self._wrapper()
        n = _c.points_store_fault_method_calls(self._handle(), method)
        if n < 0:
            raise InvalidArgument("no store method %r" % (method,), n)
        return n

    def _wrapper(self):
        if self._inner is None:
            raise Misuse("not a fault-injecting store")

    def close(self):
        """Close the store; closing twice is fine.  Misuse while a ledger
        or wrapper on it is still open."""
        if self._s is None:
            return
        if self._users:
            raise Misuse("the store still has %d open user(s): close the "
                         "ledgers and wrappers on it first" % self._users)
        s, self._s = self._s, None
        _c.points_store_close(s)
        if self._inner is not None:
            self._inner._users -= 1

    @property
    def closed(self):
        return self._s is None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        if getattr(self, "_s", None) is not None and not self._users:
            self.close()
