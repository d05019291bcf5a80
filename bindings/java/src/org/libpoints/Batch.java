package org.libpoints;

/**
 * An open batch ({@link Ledger#batch()}): the operations in it share one
 * store transaction. Inside, an operation that fails a business check
 * writes nothing and the batch goes on; a storage failure rolls the whole
 * batch back (commit then throws StateException).
 *
 * <p>{@link #close()} rolls back a batch that was neither committed nor
 * rolled back, so a try-with-resources block that throws leaves nothing
 * behind.
 */
public final class Batch implements AutoCloseable {
    private final Ledger ledger;
    private boolean done;

    Batch(Ledger ledger) {
        this.ledger = ledger;
    }

    public void commit() {
        if (done)
            throw new MisuseException("the batch is already finished");
        try {
            ledger.commit();
        } finally {
            done = true; /* commit ends the batch, failed or not */
        }
    }

    public void rollback() {
        if (done)
            throw new MisuseException("the batch is already finished");
        done = true;
        ledger.rollback();
    }

    public boolean isDone() {
        return done;
    }

    /**
     * Roll back unless committed or rolled back. If the ledger was closed
     * meanwhile, closing it already rolled the batch back: nothing to do.
     */
    @Override
    public void close() {
        if (done)
            return;
        done = true;
        if (!ledger.isClosed())
            ledger.rollback();
    }
}
