package org.libpoints;

/** The store failed; the operation was rolled back ({@code POINTS_ESTORAGE}). */
public class StorageException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public StorageException(String message) {
        super(capiConstants.POINTS_ESTORAGE, null, message);
    }

    StorageException(String strerror, String message) {
        super(capiConstants.POINTS_ESTORAGE, strerror, message);
    }
}
