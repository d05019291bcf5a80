package org.libpoints;

/** What became of a line of an imported file ({@code POINTS_IMPORT_CREATED ...}). */
public enum ImportOutcome {
    /** An account made. */
    CREATED(capiConstants.POINTS_IMPORT_CREATED),
    /** An account changed. */
    UPDATED(capiConstants.POINTS_IMPORT_UPDATED),
    /** An account already as the line says: nothing written. */
    UNCHANGED(capiConstants.POINTS_IMPORT_UNCHANGED),
    /** An award earned. */
    APPLIED(capiConstants.POINTS_IMPORT_APPLIED),
    /** An award imported before (its idempotency key): nothing written. */
    REPLAYED(capiConstants.POINTS_IMPORT_REPLAYED),
    /** A bad line: nothing of it written; see its column and reason. */
    REFUSED(capiConstants.POINTS_IMPORT_REFUSED);

    private final int code;

    ImportOutcome(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static ImportOutcome of(int code) {
        for (ImportOutcome o : values())
            if (o.code == code)
                return o;
        throw new IllegalArgumentException("unknown import outcome " + code);
    }
}
