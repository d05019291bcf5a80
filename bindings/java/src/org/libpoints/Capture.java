package org.libpoints;

import java.util.Objects;

/**
 * The request of a hold's capture ({@code points_capture}). Immutable:
 * each method returns a new request.
 *
 * <pre>{@code
 * ledger.captureHold(Capture.of(hold.id()).amount(1000).memo("order 44 shipped")
 *         .idempotencyKey("order:44:capture"));
 * }</pre>
 */
public final class Capture extends Request<Capture> {
    /* Read by the JNI wrapper (bindings/points.i) through these names. */
    private final byte[] holdId8;
    private final long amount;
    private final long to;
    private final byte[] memo8;
    private final byte[] idempotencyKey8;

    private Capture(byte[] holdId8, long amount, long to, byte[] memo8, byte[] idempotencyKey8) {
        this.holdId8 = holdId8;
        this.amount = amount;
        this.to = to;
        this.memo8 = memo8;
        this.idempotencyKey8 = idempotencyKey8;
    }

    /** A capture of all of the hold holdId into the sink. */
    public static Capture of(String holdId) {
        return new Capture(Utf8.encode(holdId), 0, 0, null, null);
    }

    /** How much to capture (0, the default: all); the rest is released. */
    public Capture amount(long amount) {
        return keep(new Capture(holdId8, amount, to, memo8, idempotencyKey8));
    }

    /** The account that receives the points; 0 (the default): the sink. */
    public Capture to(long to) {
        return keep(new Capture(holdId8, amount, to, memo8, idempotencyKey8));
    }

    public Capture memo(String memo) {
        return keep(new Capture(holdId8, amount, to, Utf8.encode(memo), idempotencyKey8));
    }

    /** A retried capture with the same key returns the first result ({@link Txn#replayed()}). */
    public Capture idempotencyKey(String key) {
        return keep(new Capture(holdId8, amount, to, memo8, Utf8.encode(key)));
    }

    public String holdId() {
        return Posting.decode(holdId8);
    }

    public long amount() {
        return amount;
    }

    public long to() {
        return to;
    }

    public String memo() {
        return Posting.decode(memo8);
    }


    @Override
    Capture copy() {
        return new Capture(holdId8, amount, to, memo8, idempotencyKey8);
    }

    public String idempotencyKey() {
        return Posting.decode(idempotencyKey8);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Capture))
            return false;
        Capture c = (Capture) o;
        return amount == c.amount && to == c.to && Objects.equals(holdId(), c.holdId())
                && Objects.equals(memo(), c.memo())
                && Objects.equals(idempotencyKey(), c.idempotencyKey()) && sameMeta(c);
    }

    @Override
    public int hashCode() {
        return Objects.hash(holdId(), amount, to, memo(), idempotencyKey());
    }

    @Override
    public String toString() {
        return "Capture[holdId=" + holdId() + ", amount=" + amount + ", to=" + to + ", memo="
                + memo() + ", idempotencyKey=" + idempotencyKey() + metaString() + "]";
    }
}
