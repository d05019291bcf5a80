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
 */
public final class Reversal {
    /* Read by the JNI wrapper (bindings/points.i) through these names:
     * strings as NUL-ended UTF-8, encoded once here. */
    private final byte[] txnId8;
    private final long amount;
    private final byte[] memo8;
    private final byte[] idempotencyKey8;
    /* version 2 of the request: set only through category() and actor(),
     * and carried along by every other method (keep). */
    private byte[] category8;
    private byte[] actor8;

    private Reversal(byte[] txnId8, long amount, byte[] memo8, byte[] idempotencyKey8) {
        this.txnId8 = txnId8;
        this.amount = amount;
        this.memo8 = memo8;
        this.idempotencyKey8 = idempotencyKey8;
    }

    /** A reversal of all that is left of the transaction txnId. */
    public static Reversal of(String txnId) {
        return new Reversal(Utf8.encode(txnId), 0, null, null);
    }

    /** How much to reverse; 0 (the default): all that is left. */
    public Reversal amount(long amount) {
        return keep(new Reversal(txnId8, amount, memo8, idempotencyKey8));
    }

    /** The reason; null for none. */
    public Reversal memo(String memo) {
        return keep(new Reversal(txnId8, amount, Utf8.encode(memo), idempotencyKey8));
    }

    /** A retried request with the same key returns the first result ({@link Txn#replayed()}). */
    public Reversal idempotencyKey(String key) {
        return keep(new Reversal(txnId8, amount, memo8, Utf8.encode(key)));
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

    /**
     * The write's category, 1-32 of [a-z0-9_.-] ("training", "order"); null
     * (the default) for none. Kept with its entries and returned in
     * {@link Txn#category()} and {@link Entry#category()}.
     */
    public Reversal category(String category) {
        Reversal r = keep(this);
        r.category8 = Utf8.encode(category);
        return r;
    }

    /** Who made the write (1-64 bytes of UTF-8, e.g. an operator's id); null for none. */
    public Reversal actor(String actor) {
        Reversal r = keep(this);
        r.actor8 = Utf8.encode(actor);
        return r;
    }

    public String category() {
        return Posting.decode(category8);
    }

    public String actor() {
        return Posting.decode(actor8);
    }

    private Reversal copy() {
        return new Reversal(txnId8, amount, memo8, idempotencyKey8);
    }

    /** A copy of next with this request's category and actor. */
    private Reversal keep(Reversal next) {
        Reversal r = next == this ? copy() : next;
        r.category8 = category8;
        r.actor8 = actor8;
        return r;
    }

    public String idempotencyKey() {
        return Posting.decode(idempotencyKey8);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Reversal))
            return false;
        Reversal r = (Reversal) o;
        return amount == r.amount && Objects.equals(txnId(), r.txnId())
                && Objects.equals(memo(), r.memo())
                && Objects.equals(idempotencyKey(), r.idempotencyKey())
                && Objects.equals(category(), r.category())
                && Objects.equals(actor(), r.actor());
    }

    @Override
    public int hashCode() {
        return Objects.hash(txnId(), amount, memo(), idempotencyKey());
    }

    @Override
    public String toString() {
        return "Reversal[txnId=" + txnId() + ", amount=" + amount + ", memo=" + memo()
                + ", idempotencyKey=" + idempotencyKey() + ", category=" + category()
                + ", actor=" + actor() + "]";
    }
}
