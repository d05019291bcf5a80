package org.libpoints;

import java.util.ArrayList;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A listing of a ledger (accounts, a statement, lots): each
 * {@link #iterator()} starts a new pass with its own C iterator, so the
 * arguments are checked (and NotFoundException, InvalidArgumentException
 * thrown) when the iteration starts.
 */
public final class Results<T> implements Iterable<T> {
    private final Supplier<LedgerIterator<T>> start;

    Results(Supplier<LedgerIterator<T>> start) {
        this.start = start;
    }

    @Override
    public LedgerIterator<T> iterator() {
        return start.get();
    }

    /** Every item, in order. */
    public List<T> toList() {
        List<T> all = new ArrayList<>();
        try (LedgerIterator<T> i = iterator()) {
            while (i.hasNext())
                all.add(i.next());
        }
        return all;
    }

    /** A sequential stream; closing it frees the C iterator at once. */
    public Stream<T> stream() {
        LedgerIterator<T> i = iterator();
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(i, Spliterator.ORDERED), false)
                .onClose(i::close);
    }
}
