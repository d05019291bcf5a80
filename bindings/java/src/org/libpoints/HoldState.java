package org.libpoints;

/** A hold's state ({@code POINTS_HOLD_*}). */
public enum HoldState {
    OPEN(capiConstants.POINTS_HOLD_OPEN),
    CAPTURED(capiConstants.POINTS_HOLD_CAPTURED),
    RELEASED(capiConstants.POINTS_HOLD_RELEASED),
    /** Released by the expiry sweep past its deadline. */
    EXPIRED(capiConstants.POINTS_HOLD_EXPIRED);

    private final int code;

    HoldState(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static HoldState of(int code) {
        for (HoldState s : values())
            if (s.code == code)
                return s;
        throw new IllegalArgumentException("unknown hold state " + code);
    }
}
