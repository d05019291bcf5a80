package org.libpoints;

/**
 * Over a per-order or per-period limit (the mall's order limit) ({@code POINTS_EQUOTA}). Nothing was written.
 */
public class QuotaExceededException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public QuotaExceededException(String message) {
        super(capiConstants.POINTS_EQUOTA, null, message);
    }

    QuotaExceededException(String strerror, String message) {
        super(capiConstants.POINTS_EQUOTA, strerror, message);
    }
}
