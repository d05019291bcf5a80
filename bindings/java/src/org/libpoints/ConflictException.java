package org.libpoints;

/** An idempotency key was reused for a different request ({@code POINTS_ECONFLICT}). */
public class ConflictException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public ConflictException(String message) {
        super(capiConstants.POINTS_ECONFLICT, null, message);
    }

    ConflictException(String strerror, String message) {
        super(capiConstants.POINTS_ECONFLICT, strerror, message);
    }
}
