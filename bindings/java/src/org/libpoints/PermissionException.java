package org.libpoints;

/**
 * Not permitted to this actor ({@code POINTS_EPERM}): an approver who is the
 * award's nominator (four eyes). Nothing was written.
 */
public class PermissionException extends PointsException {
    private static final long serialVersionUID = 1L;

    /** An exception with this message, as the binding throws it itself. */
    public PermissionException(String message) {
        super(capiConstants.POINTS_EPERM, null, message);
    }

    PermissionException(String strerror, String message) {
        super(capiConstants.POINTS_EPERM, strerror, message);
    }
}
