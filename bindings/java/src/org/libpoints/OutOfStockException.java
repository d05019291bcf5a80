package org.libpoints;

/**
 * An item's stock cannot fill the order ({@code POINTS_EOUTOFSTOCK}). Nothing was written.
 */
public class OutOfStockException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public OutOfStockException(String message) {
        super(capiConstants.POINTS_EOUTOFSTOCK, null, message);
    }

    OutOfStockException(String strerror, String message) {
        super(capiConstants.POINTS_EOUTOFSTOCK, strerror, message);
    }
}
