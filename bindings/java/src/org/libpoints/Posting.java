package org.libpoints;

import java.time.Instant;
import java.util.Objects;

/**
 * The request of an earn, spend, transfer, adjustment or hold
 * ({@code points_posting}). Immutable: each {@code with}-style method
 * returns a new posting, so one can serve as a template.
 *
 * <pre>{@code
 * ledger.earn(Posting.of("PTS", alice, 100).memo("order 1001").idempotencyKey("earn-1001"));
 * ledger.transfer(Posting.of("PTS", alice, 30).to(bob));
 * }</pre>
 *
 * The library checks the values (a positive amount, a known asset, ...)
 * and throws {@link InvalidArgumentException} for bad ones.
 */
public final class Posting extends Request<Posting> {
    /* Read by the JNI wrapper (bindings/points.i) through these names:
     * strings as NUL-ended UTF-8, encoded once here. */
    private final byte[] asset8;
    private final long account;
    private final long counterparty;
    private final long amount;
    private final byte[] memo8;
    private final byte[] idempotencyKey8;
    private final long time;
    private final long expiresAt;

    private Posting(byte[] asset8, long account, long counterparty, long amount, byte[] memo8,
            byte[] idempotencyKey8, long time, long expiresAt) {
        this.asset8 = asset8;
        this.account = account;
        this.counterparty = counterparty;
        this.amount = amount;
        this.memo8 = memo8;
        this.idempotencyKey8 = idempotencyKey8;
        this.time = time;
        this.expiresAt = expiresAt;
    }

    /**
     * A posting of amount of asset for account: earn credits it, spend,
     * transfer and holds debit it; adjust credits (amount &gt; 0) or debits
     * (amount &lt; 0) it.
     */
    public static Posting of(String asset, long account, long amount) {
        return new Posting(Utf8.encode(asset), account, 0, amount, null, null, 0, 0);
    }

    /** The other side: transfer's payee; earn's payer (0: the issuer); spend's payee (0: the sink). */
    public Posting to(long counterparty) {
        return counterparty(counterparty);
    }

    /** Same as {@link #to(long)}. */
    public Posting counterparty(long counterparty) {
        return keep(new Posting(asset8, account, counterparty, amount, memo8, idempotencyKey8, time,
                expiresAt));
    }

    public Posting asset(String asset) {
        return keep(new Posting(Utf8.encode(asset), account, counterparty, amount, memo8,
                idempotencyKey8, time, expiresAt));
    }

    public Posting account(long account) {
        return keep(new Posting(asset8, account, counterparty, amount, memo8, idempotencyKey8, time,
                expiresAt));
    }

    public Posting amount(long amount) {
        return keep(new Posting(asset8, account, counterparty, amount, memo8, idempotencyKey8, time,
                expiresAt));
    }

    /** A note (required for adjustments: the reason); null for none. */
    public Posting memo(String memo) {
        return keep(new Posting(asset8, account, counterparty, amount, Utf8.encode(memo),
                idempotencyKey8, time, expiresAt));
    }

    /** A retried request with the same key returns the first result ({@link Txn#replayed()}). */
    public Posting idempotencyKey(String key) {
        return keep(new Posting(asset8, account, counterparty, amount, memo8, Utf8.encode(key), time,
                expiresAt));
    }

    /** When it happened, in seconds since 1970; 0 (the default): the ledger's clock. */
    public Posting time(long epochSeconds) {
        return keep(new Posting(asset8, account, counterparty, amount, memo8, idempotencyKey8,
                epochSeconds, expiresAt));
    }

    public Posting time(Instant t) {
        return time(t.getEpochSecond());
    }

    /** Earn: the lot's expiry (0: the asset's policy); hold: its deadline (0: none). */
    public Posting expiresAt(long epochSeconds) {
        return keep(new Posting(asset8, account, counterparty, amount, memo8, idempotencyKey8, time,
                epochSeconds));
    }

    public Posting expiresAt(Instant t) {
        return expiresAt(t.getEpochSecond());
    }

    public String asset() {
        return decode(asset8);
    }

    public long account() {
        return account;
    }

    public long counterparty() {
        return counterparty;
    }

    public long amount() {
        return amount;
    }

    public String memo() {
        return decode(memo8);
    }


    @Override
    Posting copy() {
        return new Posting(asset8, account, counterparty, amount, memo8, idempotencyKey8, time, expiresAt);
    }

    public String idempotencyKey() {
        return decode(idempotencyKey8);
    }

    public long time() {
        return time;
    }

    public long expiresAt() {
        return expiresAt;
    }

    /** A NUL-ended UTF-8 string (Utf8.encode) as a String; null stays null. */
    static String decode(byte[] nulEnded) {
        return nulEnded == null ? null
                : new String(nulEnded, 0, nulEnded.length - 1, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Posting))
            return false;
        Posting p = (Posting) o;
        return account == p.account && counterparty == p.counterparty && amount == p.amount
                && time == p.time && expiresAt == p.expiresAt && Objects.equals(asset(), p.asset())
                && Objects.equals(memo(), p.memo())
                && Objects.equals(idempotencyKey(), p.idempotencyKey()) && sameMeta(p);
    }

    @Override
    public int hashCode() {
        return Objects.hash(asset(), account, counterparty, amount, memo(), idempotencyKey(), time,
                expiresAt);
    }

    @Override
    public String toString() {
        return "Posting[asset=" + asset() + ", account=" + account + ", counterparty=" + counterparty
                + ", amount=" + amount + ", memo=" + memo() + ", idempotencyKey=" + idempotencyKey()
                + metaString() + ", time=" + time + ", expiresAt=" + expiresAt + "]";
    }
}
