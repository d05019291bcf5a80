package org.libpoints;

/**
 * An asset ({@code points_asset}): a code such as "PTS", its decimal
 * places and its expiry policy.
 *
 * @param code         [A-Z0-9_], 1-16 characters
 * @param decimals     0-9; amounts are in the smallest unit
 * @param expiryPolicy when its points expire
 * @param expiryN      days, or years after earning
 */
public record Asset(String code, int decimals, ExpiryPolicy expiryPolicy, int expiryN) {
    /* From C: the struct's fields in order. */
    Asset(byte[] code, int decimals, int expiryPolicy, int expiryN) {
        this(Utf8.decode(code), decimals, ExpiryPolicy.of(expiryPolicy), expiryN);
    }
}
