package org.libpoints;

/** An approval's state ({@code POINTS_APPROVAL_PENDING} ...). */
public enum ApprovalState {
    PENDING(capiConstants.POINTS_APPROVAL_PENDING),
    APPROVED(capiConstants.POINTS_APPROVAL_APPROVED),
    REJECTED(capiConstants.POINTS_APPROVAL_REJECTED);

    private final int code;

    ApprovalState(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ApprovalState of(int code) {
        for (ApprovalState s : values())
            if (s.code == code)
                return s;
        throw new IllegalArgumentException("unknown ApprovalState " + code);
    }
}
