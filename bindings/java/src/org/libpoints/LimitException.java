package org.libpoints;

/**
 * A limit of the library or the store was reached ({@code POINTS_ELIMIT}):
 * too many of something (an account's attributes, assets in one sweep), an
 * id past what a key holds, a value or a transaction too large for the
 * store. Not a bad argument: nothing was written.
 */
public class LimitException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public LimitException(String message) {
        super(capiConstants.POINTS_ELIMIT, null, message);
    }

    LimitException(String strerror, String message) {
        super(capiConstants.POINTS_ELIMIT, strerror, message);
    }
}
