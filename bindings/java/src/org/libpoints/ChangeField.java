package org.libpoints;

/** What a change in an account's history changed ({@code POINTS_CHANGE_*}). */
public enum ChangeField {
    DEPARTMENT(capiConstants.POINTS_CHANGE_DEPARTMENT),
    TIER(capiConstants.POINTS_CHANGE_TIER),
    /** Old and new values are "active", "frozen" or "closed". */
    STATUS(capiConstants.POINTS_CHANGE_STATUS),
    /** The account's personal data was erased (values ""). */
    ERASE(capiConstants.POINTS_CHANGE_ERASE);

    private final int code;

    ChangeField(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ChangeField of(int code) {
        for (ChangeField f : values())
            if (f.code == code)
                return f;
        throw new IllegalArgumentException("unknown change field " + code);
    }
}
