package org.libpoints;

import java.time.Instant;

/**
 * Points of one account that expire together ({@code points_lot}).
 *
 * @param account   the account
 * @param asset     the asset code
 * @param expiresAt the last second the points are valid; Long.MAX_VALUE: never
 * @param amount    the points left
 */
public record Lot(long account, String asset, long expiresAt, long amount) {
    /* From C: the struct's fields in order. */
    Lot(long account, byte[] asset, long expiresAt, long amount) {
        this(account, Utf8.decode(asset), expiresAt, amount);
    }

    public boolean neverExpires() {
        return expiresAt == Long.MAX_VALUE;
    }

    /** The last valid second, or null when the lot never expires. */
    public Instant expiresAtInstant() {
        return neverExpires() ? null : Instant.ofEpochSecond(expiresAt);
    }
}
