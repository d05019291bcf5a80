package org.libpoints;

/**
 * The ledger (or the store) was closed: every method of a closed
 * {@link Ledger}, and of the iterators, holds and batches made from it,
 * throws this rather than touch freed memory.
 */
public class LedgerClosedException extends MisuseException {
    private static final long serialVersionUID = 1L;

    public LedgerClosedException(String message) {
        super(message);
    }

    LedgerClosedException() {
        this("the ledger is closed");
    }
}
