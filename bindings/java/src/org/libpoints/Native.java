package org.libpoints;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Lifetimes of the C objects. Each Java wrapper (Ledger, Store, an
 * iterator) registers a state object with one Cleaner; the state holds the
 * C pointer, never the wrapper, so a wrapper dropped without close() is
 * closed when collected. Explicit close() runs the same action once.
 *
 * Order matters in C: a ledger before the store under it, a fault store
 * before the store it wraps. A store's state knows what sits on it and
 * closes that first when collected; an explicit Store.close() refuses
 * instead. An iterator's state frees its C iterator under its ledger's
 * lock: freeing unlinks it from the handle's list of live iterators, so
 * it must not run beside another call on the handle (after points_close
 * it touches only the iterator, so it is safe whenever it runs). The
 * state keeps the ledger reachable until then.
 */
final class Native {
    static final Cleaner CLEANER = Cleaner.create();
    /* Guards the states' closed flags and dependent sets. */
    static final Object LOCK = new Object();

    private Native() {
    }

    static final class LedgerState implements Runnable {
        private SWIGTYPE_p_points_db db;
        private points_clock_cell cell;
        private final StoreState store;
        private boolean closed;

        LedgerState(SWIGTYPE_p_points_db db, points_clock_cell cell, StoreState store) {
            this.db = db;
            this.cell = cell;
            this.store = store;
        }

        @Override
        public void run() {
            synchronized (LOCK) {
                if (closed)
                    return;
                closed = true;
                capi.points_close(db);
                db = null;
                cell.delete(); /* the clock cell outlives the handle */
                cell = null;
                if (store != null)
                    store.ledgers.remove(this);
            }
        }
    }

    static final class StoreState implements Runnable {
        final SWIGTYPE_p_points_store store;
        private final StoreState inner;
        final Set<LedgerState> ledgers = new HashSet<>();
        final Set<StoreState> wrappers = new HashSet<>();
        boolean closed;

        StoreState(SWIGTYPE_p_points_store store, StoreState inner) {
            this.store = store;
            this.inner = inner;
            if (inner != null)
                synchronized (LOCK) {
                    inner.wrappers.add(this);
                }
        }

        /* Explicit close: refuse while something still uses the store. */
        void checkClosable() {
            synchronized (LOCK) {
                if (closed)
                    return;
                if (!ledgers.isEmpty())
                    throw new MisuseException("the store still has " + ledgers.size()
                            + " open ledger(s): close them before the store");
                if (!wrappers.isEmpty())
                    throw new MisuseException("a fault store still wraps this store: close it first");
            }
        }

        /* Close what sits on the store, then the store. */
        @Override
        public void run() {
            synchronized (LOCK) {
                if (closed)
                    return;
                for (LedgerState l : new ArrayList<>(ledgers))
                    l.run();
                for (StoreState w : new ArrayList<>(wrappers))
                    w.run();
                closed = true;
                capi.points_store_close(store);
                if (inner != null)
                    inner.wrappers.remove(this);
            }
        }
    }

    /* A C iterator of handle type H and the function that frees it. */
    static final class IterState<H> implements Runnable {
        private final Ledger ledger; /* whose lock a free takes */
        private final Consumer<H> free;
        private H it;

        IterState(Ledger ledger, H it, Consumer<H> free) {
            this.ledger = ledger;
            this.it = it;
            this.free = free;
        }

        /* The C iterator, or null once freed. */
        H handle() {
            return it;
        }

        @Override
        public void run() {
            synchronized (ledger) {
                H h = it;
                it = null;
                if (h != null)
                    free.accept(h);
            }
        }
    }
}
