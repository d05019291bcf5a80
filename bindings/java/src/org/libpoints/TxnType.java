package org.libpoints;

/** A transaction's type ({@code POINTS_TXN_*}). */
public enum TxnType {
    EARN(capiConstants.POINTS_TXN_EARN),
    SPEND(capiConstants.POINTS_TXN_SPEND),
    TRANSFER(capiConstants.POINTS_TXN_TRANSFER),
    ADJUST(capiConstants.POINTS_TXN_ADJUST),
    REVERSAL(capiConstants.POINTS_TXN_REVERSAL),
    EXPIRE(capiConstants.POINTS_TXN_EXPIRE),
    HOLD(capiConstants.POINTS_TXN_HOLD),
    CAPTURE(capiConstants.POINTS_TXN_CAPTURE),
    RELEASE(capiConstants.POINTS_TXN_RELEASE);

    private final int code;

    TxnType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static TxnType of(int code) {
        for (TxnType t : values())
            if (t.code == code)
                return t;
        throw new IllegalArgumentException("unknown transaction type " + code);
    }
}
