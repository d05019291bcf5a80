package org.libpoints;

/** The API was used out of order (a batch committed without begin, a store closed before its ledgers) ({@code POINTS_EMISUSE}). */
public class MisuseException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public MisuseException(String message) {
        super(capiConstants.POINTS_EMISUSE, null, message);
    }

    MisuseException(String strerror, String message) {
        super(capiConstants.POINTS_EMISUSE, strerror, message);
    }
}
