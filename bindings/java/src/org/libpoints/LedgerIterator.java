package org.libpoints;

import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * An iterator over accounts, statement entries or lots. It steps the C
 * iterator only while its ledger is open: after {@link Ledger#close()},
 * {@link #hasNext()} and {@link #next()} throw
 * {@link LedgerClosedException}. The C iterator is freed when the iteration
 * ends, on {@link #close()}, or when the iterator is garbage-collected
 * (so breaking out of a for loop leaks nothing).
 *
 * <p>Each step reads in its own short transaction, so other calls on the
 * ledger may come in between (e.g. spending while listing accounts).
 */
public final class LedgerIterator<T> implements Iterator<T>, AutoCloseable {
    private final Ledger ledger;
    private final Function<SWIGTYPE_p_points_iter, T> step;
    private SWIGTYPE_p_points_iter it;
    private final Cleaner.Cleanable cleanable;
    private T next;

    LedgerIterator(Ledger ledger, SWIGTYPE_p_points_iter it, Function<SWIGTYPE_p_points_iter, T> step) {
        this.ledger = ledger;
        this.it = it;
        this.step = step;
        this.cleanable = Native.CLEANER.register(this, new Native.IterState(it));
    }

    @Override
    public boolean hasNext() {
        ledger.checkOpen();
        if (next != null)
            return true;
        if (it == null)
            return false;
        T t = ledger.step(step, it);
        if (t == null) {
            close();
            return false;
        }
        next = t;
        return true;
    }

    @Override
    public T next() {
        if (!hasNext())
            throw new NoSuchElementException();
        T t = next;
        next = null;
        return t;
    }

    /** Free the C iterator now; the iteration is over. Closing twice is fine. */
    @Override
    public void close() {
        if (it == null)
            return;
        it = null;
        next = null;
        cleanable.clean();
    }
}
