package org.libpoints;

/** The store is locked by another process past its busy timeout ({@code POINTS_EBUSY}). */
public class BusyException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public BusyException(String message) {
        super(capiConstants.POINTS_EBUSY, null, message);
    }

    BusyException(String strerror, String message) {
        super(capiConstants.POINTS_EBUSY, strerror, message);
    }
}
