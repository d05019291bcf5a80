package org.libpoints;

/**
 * The fault-injecting wrapper ({@code points_store_fault_new}): forwards
 * every call to the inner store and, once armed, fails call n (counting
 * from 1 after arming) with a storage error; when persistent, every call
 * from n on. Test that an integration survives storage failures:
 *
 * <pre>{@code
 * try (Store mem = Store.open("memory:"); FaultStore faulty = Store.fault(mem);
 *      Ledger ledger = Ledger.open(faulty)) {
 *     ...
 *     faulty.arm(1, true);
 *     assertThrows(StorageException.class, () -> ledger.earn(p));
 * }
 * }</pre>
 */
public final class FaultStore extends Store {
    FaultStore(SWIGTYPE_p_points_store store, Store inner) {
        super(store, inner);
    }

    /** Fail call n from now (n 0: disarm); persistent: every call from n on. */
    public void arm(long n, boolean persistent) {
        capi.points_store_fault_arm(handle(), n, persistent ? 1 : 0);
    }

    public void disarm() {
        arm(0, false);
    }

    /** Calls seen since arming (or creation). */
    public long calls() {
        return capi.points_store_fault_calls(handle());
    }

    /** Failures injected since arming. */
    public long failures() {
        return capi.points_store_fault_failures(handle());
    }

    /**
     * Calls of one method of the store since arming (or creation), by its
     * name in the C vtable ({@code "begin"}, {@code "get"},
     * {@code "get_many"}, {@code "put"}, ...), those that never fail
     * included: to count a store's round trips.
     *
     * @throws InvalidArgumentException for a name that is no method
     */
    public long methodCalls(String method) {
        long n = capi.points_store_fault_method_calls(handle(), method);
        if (n < 0)
            throw new InvalidArgumentException("no store method " + method);
        return n;
    }
}
