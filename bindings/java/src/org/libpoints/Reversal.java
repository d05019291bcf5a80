package org.libpoints;

import java.util.Objects;

/**
 * The request of a reversal ({@code points_reversal}). Immutable: each
 * method returns a new request.
 *
 * <pre>{@code
 * ledger.reverse(Reversal.of(pay.id()).amount(300).memo("one item returned")
 *         .idempotencyKey("order:43:refund:1"));
 * }</pre>
 *
 * When the account that gives the points back has spent some, it gives
 * what it has and owes the rest as a debt that its next credits repay
 * first ({@link Txn#debt()}); {@link #noDebt()} refuses instead.
 */
public final class Reversal extends Request<Reversal> {
    /* Read by the JNI wrapper (bindings/points.i) through these names:
     * strings as NUL-ended UTF-8, encoded once here. */
    private final byte[] txnId8;
    private final long amount;
    private final byte[] memo8;
    private final byte[] idempotencyKey8;
    private final int flags;

    private Reversal(byte[] txnId8, long amount, byte[] memo8, byte[] idempotencyKey8,
            int flags) {
        this.txnId8 = txnId8;
        this.amount = amount;
        this.memo8 = memo8;
        this.idempotencyKey8 = idempotencyKey8;
        this.flags = flags;
    }

    /** A reversal of all that is left of the transaction txnId. */
    public static Reversal of(String txnId) {
        return new Reversal(Utf8.encode(txnId), 0, null, null, 0);
    }

    /** How much to reverse; 0 (the default): all that is left. */
    public Reversal amount(long amount) {
        return keep(new Reversal(txnId8, amount, memo8, idempotencyKey8, flags));
    }

    /** The reason; null for none. */
    public Reversal memo(String memo) {
        return keep(new Reversal(txnId8, amount, Utf8.encode(memo), idempotencyKey8, flags));
    }

    /** A retried request with the same key returns the first result ({@link Txn#replayed()}). */
    public Reversal idempotencyKey(String key) {
        return keep(new Reversal(txnId8, amount, memo8, Utf8.encode(key), flags));
    }

    /**
     * Refuse ({@link InsufficientPointsException}) rather than leave the
     * account that gives the points back with a debt
     * ({@code POINTS_REVERSE_NO_DEBT}).
     */
    public Reversal noDebt() {
        return keep(new Reversal(txnId8, amount, memo8, idempotencyKey8,
                flags | (int) capiConstants.POINTS_REVERSE_NO_DEBT));
    }

    /** True when {@link #noDebt()} was asked for. */
    public boolean isNoDebt() {
        return (flags & (int) capiConstants.POINTS_REVERSE_NO_DEBT) != 0;
    }

    public String txnId() {
        return Posting.decode(txnId8);
    }

    public long amount() {
        return amount;
    }

    public String memo() {
        return Posting.decode(memo8);
    }


    @Override
    Reversal copy() {
        return new Reversal(txnId8, amount, memo8, idempotencyKey8, flags);
    }

    public String idempotencyKey() {
        return Posting.decode(idempotencyKey8);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Reversal))
            return false;
        Reversal r = (Reversal) o;
        return amount == r.amount && flags == r.flags && Objects.equals(txnId(), r.txnId())
                && Objects.equals(memo(), r.memo())
                && Objects.equals(idempotencyKey(), r.idempotencyKey()) && sameMeta(r);
    }

    @Override
    public int hashCode() {
        return Objects.hash(txnId(), amount, memo(), idempotencyKey(), flags);
    }

    @Override
    public String toString() {
        return "Reversal[txnId=" + txnId() + ", amount=" + amount + ", memo=" + memo()
                + ", idempotencyKey=" + idempotencyKey() + metaString() + ", noDebt=" + isNoDebt()
                + "]";
    }
}
