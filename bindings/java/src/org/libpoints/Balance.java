package org.libpoints;

/**
 * An account's balance in one asset ({@code points_balance}); zero for an
 * account that never held the asset.
 *
 * @param account   the account id
 * @param asset     the asset code
 * @param available what the account can spend
 * @param held      reserved by open holds
 * @param earned    lifetime credits (earn, transfer in, ...)
 * @param spent     lifetime debits (spend, transfer out, ...)
 * @param expired   lifetime expired
 */
public record Balance(long account, String asset, long available, long held, long earned,
        long spent, long expired) {
    /* From C: the struct's fields in order. */
    Balance(long account, byte[] asset, long available, long held, long earned, long spent,
            long expired) {
        this(account, Utf8.decode(asset), available, held, earned, spent, expired);
    }

    /** available + held. */
    public long total() {
        return available + held;
    }
}
