package org.libpoints;

/** The text an export writes (points_export(3) lists the columns). */
public enum ExportFormat {
    /** A header line, then a line per entry (RFC 4180). */
    CSV(capiConstants.POINTS_EXPORT_CSV),
    /** A JSON object per entry, one a line. */
    JSONL(capiConstants.POINTS_EXPORT_JSONL),
    /**
     * A journal for hledger and ledger, the whole ledger only: a block
     * of lines per transaction, its balances asserted at the end.
     */
    JOURNAL(capiConstants.POINTS_EXPORT_JOURNAL);

    private final int code;

    ExportFormat(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
