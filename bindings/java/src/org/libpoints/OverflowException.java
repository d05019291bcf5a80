package org.libpoints;

/** A balance or total would leave the int64 range ({@code POINTS_EOVERFLOW}). */
public class OverflowException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public OverflowException(String message) {
        super(capiConstants.POINTS_EOVERFLOW, null, message);
    }

    OverflowException(String strerror, String message) {
        super(capiConstants.POINTS_EOVERFLOW, strerror, message);
    }
}
