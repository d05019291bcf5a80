package org.libpoints;

/**
 * A transaction's type ({@code POINTS_TXN_*}).  {@link #UNKNOWN} stands for a
 * type that a newer library wrote and this one does not know; the record's
 * {@code typeCode()} keeps its number.
 */
public enum TxnType {
    EARN(capiConstants.POINTS_TXN_EARN),
    SPEND(capiConstants.POINTS_TXN_SPEND),
    TRANSFER(capiConstants.POINTS_TXN_TRANSFER),
    ADJUST(capiConstants.POINTS_TXN_ADJUST),
    REVERSAL(capiConstants.POINTS_TXN_REVERSAL),
    EXPIRE(capiConstants.POINTS_TXN_EXPIRE),
    HOLD(capiConstants.POINTS_TXN_HOLD),
    CAPTURE(capiConstants.POINTS_TXN_CAPTURE),
    RELEASE(capiConstants.POINTS_TXN_RELEASE),
    /** A pool's funding ({@link Ledger#fundPool}). */
    FUND(capiConstants.POINTS_TXN_FUND),
    /** A pool's defunding ({@link Ledger#defundPool}). */
    DEFUND(capiConstants.POINTS_TXN_DEFUND),
    /** A type this library does not know (a newer library wrote it). */
    UNKNOWN(0);

    private final int code;

    TxnType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type of number {@code code}; {@link #UNKNOWN} for one this library does not know. */
    public static TxnType of(int code) {
        for (TxnType t : values())
            if (t.code == code && t != UNKNOWN)
                return t;
        return UNKNOWN;
    }
}
