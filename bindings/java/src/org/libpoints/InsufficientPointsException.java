package org.libpoints;

/** Not enough available points ({@code POINTS_EINSUFFICIENT}). */
public class InsufficientPointsException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public InsufficientPointsException(String message) {
        super(capiConstants.POINTS_EINSUFFICIENT, null, message);
    }

    InsufficientPointsException(String strerror, String message) {
        super(capiConstants.POINTS_EINSUFFICIENT, strerror, message);
    }
}
