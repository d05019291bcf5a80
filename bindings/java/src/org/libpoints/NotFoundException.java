package org.libpoints;

/** No such account, asset, transaction, hold or attribute ({@code POINTS_ENOTFOUND}). */
public class NotFoundException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public NotFoundException(String message) {
        super(capiConstants.POINTS_ENOTFOUND, null, message);
    }

    NotFoundException(String strerror, String message) {
        super(capiConstants.POINTS_ENOTFOUND, strerror, message);
    }
}
