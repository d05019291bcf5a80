package org.libpoints;

/** An account's status ({@code POINTS_ACCOUNT_ACTIVE ...}). */
public enum AccountStatus {
    ACTIVE(capiConstants.POINTS_ACCOUNT_ACTIVE),
    /** Refuses earn, spend, transfer and new holds. */
    FROZEN(capiConstants.POINTS_ACCOUNT_FROZEN),
    /** Refuses everything. */
    CLOSED(capiConstants.POINTS_ACCOUNT_CLOSED);

    private final int code;

    AccountStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static AccountStatus of(int code) {
        for (AccountStatus s : values())
            if (s.code == code)
                return s;
        throw new IllegalArgumentException("unknown account status " + code);
    }
}
