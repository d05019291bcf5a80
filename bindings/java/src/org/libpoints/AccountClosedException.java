package org.libpoints;

/** The account is closed ({@code POINTS_ECLOSED}). */
public class AccountClosedException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public AccountClosedException(String message) {
        super(capiConstants.POINTS_ECLOSED, null, message);
    }

    AccountClosedException(String strerror, String message) {
        super(capiConstants.POINTS_ECLOSED, strerror, message);
    }
}
