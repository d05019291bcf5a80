package org.libpoints;

/**
 * The account may not do this: a tier-only item for a lower tier ({@code POINTS_ENOTELIGIBLE}). Nothing was written.
 */
public class NotEligibleException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public NotEligibleException(String message) {
        super(capiConstants.POINTS_ENOTELIGIBLE, null, message);
    }

    NotEligibleException(String strerror, String message) {
        super(capiConstants.POINTS_ENOTELIGIBLE, strerror, message);
    }
}
