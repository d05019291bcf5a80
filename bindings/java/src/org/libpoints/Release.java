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
public final class Release extends Request<Release> {
    /* Read by the JNI wrapper (bindings/points.i) through these names. */
    private final byte[] holdId8;
    private final byte[] memo8;
    private final byte[] idempotencyKey8;

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


    @Override
    Release copy() {
        return new Release(holdId8, memo8, idempotencyKey8);
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
                && Objects.equals(idempotencyKey(), r.idempotencyKey()) && sameMeta(r);
    }

    @Override
    public int hashCode() {
        return Objects.hash(holdId(), memo(), idempotencyKey());
    }

    @Override
    public String toString() {
        return "Release[holdId=" + holdId() + ", memo=" + memo() + ", idempotencyKey="
                + idempotencyKey() + metaString() + "]";
    }
}
