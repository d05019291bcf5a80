package org.libpoints;

/** The account is frozen ({@code POINTS_EFROZEN}). */
public class FrozenException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public FrozenException(String message) {
        super(capiConstants.POINTS_EFROZEN, null, message);
    }

    FrozenException(String strerror, String message) {
        super(capiConstants.POINTS_EFROZEN, strerror, message);
    }
}
