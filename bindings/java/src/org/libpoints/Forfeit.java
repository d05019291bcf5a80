package org.libpoints;

import java.util.Objects;

/**
 * The request of a forfeiture ({@code points_forfeit}): a leaver's account
 * is emptied into the forfeiture account and closed. Immutable: each
 * method returns a new request. Its category and actor go on every entry
 * it writes; the actor and memo also go with the closing into the
 * account's history.
 *
 * <pre>{@code
 * ForfeitReport r = ledger.forfeit(Forfeit.of(leaver).to(forfeitPool)
 *         .memo("left the company").category("leaver").actor("hr:7")
 *         .idempotencyKey("leaver:E1001"));
 * }</pre>
 */
public final class Forfeit extends Request<Forfeit> {
    /* Read by the JNI wrapper (bindings/java/points_java.i) through these
     * names: strings as NUL-ended UTF-8, encoded once here. */
    private final long account;
    private final long to;
    private final byte[] memo8;
    private final byte[] idempotencyKey8;

    private Forfeit(long account, long to, byte[] memo8, byte[] idempotencyKey8) {
        this.account = account;
        this.to = to;
        this.memo8 = memo8;
        this.idempotencyKey8 = idempotencyKey8;
    }

    /** A forfeiture of the account into the expiry account. */
    public static Forfeit of(long account) {
        return new Forfeit(account, 0, null, null);
    }

    /** The forfeiture account: a system account; 0 (the default): the expiry account. */
    public Forfeit to(long account) {
        return keep(new Forfeit(this.account, account, memo8, idempotencyKey8));
    }

    /** The reason, on every entry; null for the defaults. */
    public Forfeit memo(String memo) {
        return keep(new Forfeit(account, to, Utf8.encode(memo), idempotencyKey8));
    }

    /** A retried request with the same key returns the first report ({@link ForfeitReport#replayed()}). */
    public Forfeit idempotencyKey(String key) {
        return keep(new Forfeit(account, to, memo8, Utf8.encode(key)));
    }

    public long account() {
        return account;
    }

    public long to() {
        return to;
    }

    public String memo() {
        return Posting.decode(memo8);
    }

    public String idempotencyKey() {
        return Posting.decode(idempotencyKey8);
    }

    @Override
    Forfeit copy() {
        return new Forfeit(account, to, memo8, idempotencyKey8);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Forfeit))
            return false;
        Forfeit f = (Forfeit) o;
        return account == f.account && to == f.to && Objects.equals(memo(), f.memo())
                && Objects.equals(idempotencyKey(), f.idempotencyKey()) && sameMeta(f);
    }

    @Override
    public int hashCode() {
        return Objects.hash(account, to, memo(), idempotencyKey());
    }

    @Override
    public String toString() {
        return "Forfeit[account=" + account + ", to=" + to + ", memo=" + memo()
                + ", idempotencyKey=" + idempotencyKey() + metaString() + "]";
    }
}
