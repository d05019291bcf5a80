package org.libpoints;

import java.util.Objects;

/**
 * The request of a hold's release ({@code points_release}). Immutable:
 * each method returns a new request.
 *
 * <pre>{@code
 * ledger.releaseHold(Release.of(hold.id()).memo("order 44 cancelled"));
 * }</pre>
 */
public final class Release {
    /* Read by the JNI wrapper (bindings/points.i) through these names. */
    private final byte[] holdId8;
    private final byte[] memo8;
    private final byte[] idempotencyKey8;
    /* version 2 of the request: set only through category() and actor(),
     * and carried along by every other method (keep). */
    private byte[] category8;
    private byte[] actor8;

    private Release(byte[] holdId8, byte[] memo8, byte[] idempotencyKey8) {
        this.holdId8 = holdId8;
        this.memo8 = memo8;
        this.idempotencyKey8 = idempotencyKey8;
    }

    /** A release of the hold holdId. */
    public static Release of(String holdId) {
        return new Release(Utf8.encode(holdId), null, null);
    }

    public Release memo(String memo) {
        return keep(new Release(holdId8, Utf8.encode(memo), idempotencyKey8));
    }

    /** A retried release with the same key returns the first result ({@link Txn#replayed()}). */
    public Release idempotencyKey(String key) {
        return keep(new Release(holdId8, memo8, Utf8.encode(key)));
    }

    public String holdId() {
        return Posting.decode(holdId8);
    }

    public String memo() {
        return Posting.decode(memo8);
    }

    /**
     * The write's category, 1-32 of [a-z0-9_.-] ("training", "order"); null
     * (the default) for none. Kept with its entries and returned in
     * {@link Txn#category()} and {@link Entry#category()}.
     */
    public Release category(String category) {
        Release r = keep(this);
        r.category8 = Utf8.encode(category);
        return r;
    }

    /** Who made the write (1-64 bytes of UTF-8, e.g. an operator's id); null for none. */
    public Release actor(String actor) {
        Release r = keep(this);
        r.actor8 = Utf8.encode(actor);
        return r;
    }

    public String category() {
        return Posting.decode(category8);
    }

    public String actor() {
        return Posting.decode(actor8);
    }

    private Release copy() {
        return new Release(holdId8, memo8, idempotencyKey8);
    }

    /** A copy of next with this request's category and actor. */
    private Release keep(Release next) {
        Release r = next == this ? copy() : next;
        r.category8 = category8;
        r.actor8 = actor8;
        return r;
    }

    public String idempotencyKey() {
        return Posting.decode(idempotencyKey8);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Release))
            return false;
        Release r = (Release) o;
        return Objects.equals(holdId(), r.holdId()) && Objects.equals(memo(), r.memo())
                && Objects.equals(idempotencyKey(), r.idempotencyKey())
                && Objects.equals(category(), r.category())
                && Objects.equals(actor(), r.actor());
    }

    @Override
    public int hashCode() {
        return Objects.hash(holdId(), memo(), idempotencyKey());
    }

    @Override
    public String toString() {
        return "Release[holdId=" + holdId() + ", memo=" + memo() + ", idempotencyKey="
                + idempotencyKey() + "]";
    }
}
