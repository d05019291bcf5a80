package org.libpoints;

/**
 * A hold as stored ({@code points_hold}), read by {@link Ledger#getHold}
 * or {@link Hold#info()}: a snapshot, not updated afterwards.
 *
 * @param id        the id of the HOLD transaction
 * @param account   the account whose points are held
 * @param asset     the asset code
 * @param amount    the amount held
 * @param captured  the amount captured
 * @param expiresAt the deadline; 0: none
 * @param state     open, captured, released or expired
 */
public record HoldInfo(String id, long account, String asset, long amount, long captured,
        long expiresAt, HoldState state) {
    /* From C: the struct's fields in order. */
    HoldInfo(byte[] id, long account, byte[] asset, long amount, long captured, long expiresAt,
            int state) {
        this(Utf8.decode(id), account, Utf8.decode(asset), amount, captured, expiresAt,
                HoldState.of(state));
    }

    public boolean isOpen() {
        return state == HoldState.OPEN;
    }
}
