package org.libpoints;

/** A struct or store version this library does not support ({@code POINTS_EVERSION}). */
public class VersionException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public VersionException(String message) {
        super(capiConstants.POINTS_EVERSION, null, message);
    }

    VersionException(String strerror, String message) {
        super(capiConstants.POINTS_EVERSION, strerror, message);
    }
}
