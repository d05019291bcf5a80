package org.libpoints;

/**
 * Stored data fails its checks ({@code POINTS_ECORRUPT}). When thrown by
 * {@link Ledger#verify()}, {@link #report()} names the first bad entry.
 */
public class CorruptException extends PointsException {
    private static final long serialVersionUID = 1L;

    private transient VerifyReport report;

    /** An exception with this message, as the binding throws it itself. */
    public CorruptException(String message) {
        super(capiConstants.POINTS_ECORRUPT, null, message);
    }

    CorruptException(String strerror, String message) {
        super(capiConstants.POINTS_ECORRUPT, strerror, message);
    }

    /** The verification report, or null when not thrown by verify(). */
    public VerifyReport report() {
        return report;
    }

    /* Called from C (bindings/points.i) when points_verify fails. */
    void attach(VerifyReport report) {
        this.report = report;
    }
}
