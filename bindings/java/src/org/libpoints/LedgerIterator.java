package org.libpoints;

import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An iterator over accounts, statement entries or lots. It steps the C
 * iterator only while its ledger is open: after {@link Ledger#close()},
 * {@link #hasNext()} and {@link #next()} throw
 * {@link LedgerClosedException}. An iterator started inside a batch that is
 * rolled back throws {@link StateException} on its next step: what it
 * stood on was never written. The C iterator is freed when the iteration
 * ends, on {@link #close()}, or when the iterator is garbage-collected (so
 * breaking out of a for loop leaks nothing).
 *
 * <p>Each step reads in its own short transaction, so other calls on the
 * ledger may come in between (e.g. spending while listing accounts).
 */
public final class LedgerIterator<T> implements Iterator<T>, AutoCloseable {
    private final Ledger ledger;
    private final Stepper<?, T> stepper;
    private final Cleaner.Cleanable cleanable;
    private boolean over;
    private T next;

    /* One kind of C iterator (handle type H) and its step. */
    private static final class Stepper<H, T> {
        final Native.IterState<H> state;
        final Function<H, T> step;

        Stepper(Native.IterState<H> state, Function<H, T> step) {
            this.state = state;
            this.step = step;
        }

        /* Under the ledger's lock (Ledger.step). */
        T step() {
            return step.apply(state.handle());
        }
    }

    /* it: a C iterator of handle type H, stepped by step, freed by free. */
    <H> LedgerIterator(Ledger ledger, H it, Function<H, T> step, Consumer<H> free) {
        this.ledger = ledger;
        Native.IterState<H> state = new Native.IterState<>(ledger, it, free);
        this.stepper = new Stepper<>(state, step);
        this.cleanable = Native.CLEANER.register(this, state);
    }

    @Override
    public boolean hasNext() {
        ledger.checkOpen();
        if (next != null)
            return true;
        if (over)
            return false;
        T t = ledger.step(stepper::step); /* a failed step may be retried */
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
        if (over)
            return;
        over = true;
        next = null;
        cleanable.clean();
    }
}
