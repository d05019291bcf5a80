package org.libpoints;

/** What a rule did with an event ({@code POINTS_OUTCOME_*}). */
public enum OutcomeStatus {
    AWARDED(capiConstants.POINTS_OUTCOME_AWARDED),
    CONDITION(capiConstants.POINTS_OUTCOME_CONDITION),
    ERROR(capiConstants.POINTS_OUTCOME_ERROR),
    CAPPED(capiConstants.POINTS_OUTCOME_CAPPED),
    INACTIVE(capiConstants.POINTS_OUTCOME_INACTIVE),
    EXCLUDED(capiConstants.POINTS_OUTCOME_EXCLUDED),
    ZERO(capiConstants.POINTS_OUTCOME_ZERO),
    /** Waiting for another actor's approval ({@link Ledger#approve}): nothing posted yet. */
    APPROVAL(capiConstants.POINTS_OUTCOME_APPROVAL);

    private final int code;

    OutcomeStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static OutcomeStatus of(int code) {
        for (OutcomeStatus s : values())
            if (s.code == code)
                return s;
        throw new IllegalArgumentException("unknown OutcomeStatus " + code);
    }
}
