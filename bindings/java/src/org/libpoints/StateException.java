package org.libpoints;

/** Wrong state: a hold already settled, a batch rolled back by a failure ({@code POINTS_ESTATE}). */
public class StateException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public StateException(String message) {
        super(capiConstants.POINTS_ESTATE, null, message);
    }

    StateException(String strerror, String message) {
        super(capiConstants.POINTS_ESTATE, strerror, message);
    }
}
