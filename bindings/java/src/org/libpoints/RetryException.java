package org.libpoints;

/**
 * A conflicting writer won ({@code POINTS_ERETRY}): a store with optimistic
 * concurrency failed the transaction to keep writes serializable. Nothing
 * was written; run the whole operation again.
 */
public class RetryException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public RetryException(String message) {
        super(capiConstants.POINTS_ERETRY, null, message);
    }

    RetryException(String strerror, String message) {
        super(capiConstants.POINTS_ERETRY, strerror, message);
    }
}
