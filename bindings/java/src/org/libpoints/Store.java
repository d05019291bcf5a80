package org.libpoints;

import java.lang.ref.Cleaner;

/**
 * A storage backend ({@code points_store}) to open ledgers over: "memory:"
 * or "sqlite:PATH". A store is closed after the ledgers on it (and after a
 * {@link FaultStore} wrapping it): {@link #close()} throws
 * {@link MisuseException} while one is still open.
 */
public class Store implements AutoCloseable {
    private final Native.StoreState state;
    private final Cleaner.Cleanable cleanable;
    private final Store inner; /* keeps a wrapped store reachable */

    Store(SWIGTYPE_p_points_store store, Store inner) {
        this.state = new Native.StoreState(store, inner != null ? inner.state : null);
        this.inner = inner;
        this.cleanable = Native.CLEANER.register(this, state);
    }

    public static Store open(String uri) {
        return new Store(capi.points_store_open(uri), null);
    }

    /** A fault-injecting store over inner (borrowed: close the fault store first). */
    public static FaultStore fault(Store inner) {
        if (inner == null)
            throw new InvalidArgumentException("inner store is required");
        synchronized (Native.LOCK) {
            return new FaultStore(capi.points_store_fault_new(inner.state().store), inner);
        }
    }

    /* The open store's state; MisuseException once closed. */
    Native.StoreState state() {
        synchronized (Native.LOCK) {
            if (state.closed)
                throw new MisuseException("the store is closed");
            return state;
        }
    }

    SWIGTYPE_p_points_store handle() {
        return state().store;
    }

    /** Close the store; a no-op when closed. MisuseException while ledgers or a fault store are open on it. */
    @Override
    public void close() {
        state.checkClosable();
        cleanable.clean();
    }

    public boolean isClosed() {
        synchronized (Native.LOCK) {
            return state.closed;
        }
    }
}
