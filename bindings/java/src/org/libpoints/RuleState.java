package org.libpoints;

/** A rule version's state ({@code POINTS_RULE_DRAFT} ...): only an active version is in force. */
public enum RuleState {
    DRAFT(capiConstants.POINTS_RULE_DRAFT),
    ACTIVE(capiConstants.POINTS_RULE_ACTIVE),
    PAUSED(capiConstants.POINTS_RULE_PAUSED),
    RETIRED(capiConstants.POINTS_RULE_RETIRED);

    private final int code;

    RuleState(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static RuleState of(int code) {
        for (RuleState s : values())
            if (s.code == code)
                return s;
        throw new IllegalArgumentException("unknown RuleState " + code);
    }
}
