package org.libpoints;

/** The order of a statement's entries. */
public enum StatementOrder {
    NEWEST_FIRST(capiConstants.POINTS_NEWEST_FIRST),
    OLDEST_FIRST(capiConstants.POINTS_OLDEST_FIRST);

    private final int code;

    StatementOrder(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
