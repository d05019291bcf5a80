package org.libpoints;

/** The C library ran out of memory ({@code POINTS_ENOMEM}). */
public class OutOfMemoryException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public OutOfMemoryException(String message) {
        super(capiConstants.POINTS_ENOMEM, null, message);
    }

    OutOfMemoryException(String strerror, String message) {
        super(capiConstants.POINTS_ENOMEM, strerror, message);
    }
}
