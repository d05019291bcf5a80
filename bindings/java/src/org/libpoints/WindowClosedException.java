package org.libpoints;

/**
 * Outside a redemption window: the mall or the item may not be ordered on this day; the message
 * names the next opening ({@code POINTS_EWINDOW}). Nothing was written.
 */
public class WindowClosedException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public WindowClosedException(String message) {
        super(capiConstants.POINTS_EWINDOW, null, message);
    }

    WindowClosedException(String strerror, String message) {
        super(capiConstants.POINTS_EWINDOW, strerror, message);
    }
}
