package org.libpoints;

/** The asset or account (external id) already exists ({@code POINTS_EEXISTS}). */
public class AlreadyExistsException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public AlreadyExistsException(String message) {
        super(capiConstants.POINTS_EEXISTS, null, message);
    }

    AlreadyExistsException(String strerror, String message) {
        super(capiConstants.POINTS_EEXISTS, strerror, message);
    }
}
