package org.libpoints;

/**
 * A hold: points of an account reserved (available -&gt; held) until they
 * are captured, released, or the sweep expires them past the deadline.
 * {@link #close()} releases the hold if it is still open, so
 *
 * <pre>{@code
 * try (Hold h = ledger.createHold(Posting.of("PTS", alice, 80).memo("order 77"))) {
 *     if (paymentOk()) h.capture();
 * } // not captured: released
 * }</pre>
 *
 * The object is a handle on the stored hold; {@link #info()} reads its
 * current state.
 */
public final class Hold implements AutoCloseable {
    private final Ledger ledger;
    private final Txn txn;
    private boolean settled;

    Hold(Ledger ledger, Txn txn) {
        this.ledger = ledger;
        this.txn = txn;
    }

    /** The hold's id: the id of its HOLD transaction. */
    public String id() {
        return txn.id();
    }

    /** The HOLD transaction. */
    public Txn txn() {
        return txn;
    }

    /** The stored hold, now. */
    public HoldInfo info() {
        return ledger.getHold(txn.id());
    }

    public HoldState state() {
        return info().state();
    }

    /** Capture all of it into the sink. */
    public Txn capture() {
        return capture(0, 0, null);
    }

    /** Capture amount into the sink; the rest is released. */
    public Txn capture(long amount) {
        return capture(amount, 0, null);
    }

    /** Capture amount (0: all) into to (0: the sink); the rest is released. */
    public Txn capture(long amount, long to, String memo) {
        return capture(amount, to, memo, null);
    }

    /**
     * As {@link #capture(long, long, String)}; a retry with the same
     * idempotency key returns the first capture ({@link Txn#replayed()}).
     */
    public Txn capture(long amount, long to, String memo, String idempotencyKey) {
        Txn t = ledger.captureHold(Capture.of(txn.id()).amount(amount).to(to).memo(memo)
                .idempotencyKey(idempotencyKey));
        settled = true;
        return t;
    }

    public Txn release() {
        return release(null);
    }

    public Txn release(String memo) {
        return release(memo, null);
    }

    /** Release it; a retry with the same idempotency key returns the first release. */
    public Txn release(String memo, String idempotencyKey) {
        Txn t = ledger.releaseHold(Release.of(txn.id()).memo(memo).idempotencyKey(idempotencyKey));
        settled = true;
        return t;
    }

    /**
     * Release the hold if it is still open. A no-op for a hold this object
     * settled; LedgerClosedException if the ledger was closed first (the
     * hold then stays open in the store).
     */
    @Override
    public void close() {
        if (settled)
            return;
        if (ledger.getHold(txn.id()).state() == HoldState.OPEN)
            ledger.releaseHold(txn.id(), null);
        settled = true;
    }

    @Override
    public String toString() {
        return "Hold[" + txn.id() + "]";
    }
}
