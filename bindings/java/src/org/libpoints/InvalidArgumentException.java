package org.libpoints;

/** A bad argument: a non-positive amount, a malformed code, a string too long ({@code POINTS_EINVAL}). */
public class InvalidArgumentException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public InvalidArgumentException(String message) {
        super(capiConstants.POINTS_EINVAL, null, message);
    }

    InvalidArgumentException(String strerror, String message) {
        super(capiConstants.POINTS_EINVAL, strerror, message);
    }
}
