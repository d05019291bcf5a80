package org.libpoints;

/**
 * A libpoints error: a negative {@code POINTS_E*} code, the library's name
 * for it ({@link #strerror()}) and the handle's message
 * ({@link #getMessage()}, e.g. "account E1001: insufficient points:
 * available 30, needs 50").
 *
 * <p>Unchecked. Each code family has its own subclass, so a caller catches
 * what it can handle ({@link InsufficientPointsException}) and lets the
 * rest ({@link StorageException}) travel. A failed call changes nothing:
 * balances are as they were before it.
 */
public class PointsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final String strerror;

    /**
     * @param code     a negative {@code POINTS_E*} code
     * @param strerror the library's name for the code, or null to look it up
     * @param message  what went wrong, or null for strerror
     */
    protected PointsException(int code, String strerror, String message) {
        super(message != null ? message : strerror);
        this.code = code;
        this.strerror = strerror;
    }

    /** An exception of the family of code, as the library would throw it. */
    public static PointsException of(int code, String message) {
        return create(code, null, message);
    }

    /** The negative {@code POINTS_E*} code (e.g. -4 for insufficient points). */
    public int code() {
        return code;
    }

    /** The library's name for the code ({@code points_strerror}). */
    public String strerror() {
        return strerror != null ? strerror : Ledger.strerror(code);
    }

    /* Called from C (bindings/points.i) with UTF-8 byte arrays. */
    static PointsException create(int code, byte[] strerror, byte[] message) {
        return create(code, Utf8.decode(strerror), Utf8.decode(message));
    }

    static PointsException create(int code, String strerror, String message) {
        switch (code) {
        case capiConstants.POINTS_EINVAL:
            return new InvalidArgumentException(strerror, message);
        case capiConstants.POINTS_ENOTFOUND:
            return new NotFoundException(strerror, message);
        case capiConstants.POINTS_EEXISTS:
            return new AlreadyExistsException(strerror, message);
        case capiConstants.POINTS_EINSUFFICIENT:
            return new InsufficientPointsException(strerror, message);
        case capiConstants.POINTS_EFROZEN:
            return new FrozenException(strerror, message);
        case capiConstants.POINTS_ECONFLICT:
            return new ConflictException(strerror, message);
        case capiConstants.POINTS_EOVERFLOW:
            return new OverflowException(strerror, message);
        case capiConstants.POINTS_EBUSY:
            return new BusyException(strerror, message);
        case capiConstants.POINTS_ESTORAGE:
            return new StorageException(strerror, message);
        case capiConstants.POINTS_ENOMEM:
            return new OutOfMemoryException(strerror, message);
        case capiConstants.POINTS_ESTATE:
            return new StateException(strerror, message);
        case capiConstants.POINTS_ECLOSED:
            return new AccountClosedException(strerror, message);
        case capiConstants.POINTS_EVERSION:
            return new VersionException(strerror, message);
        case capiConstants.POINTS_ECORRUPT:
            return new CorruptException(strerror, message);
        case capiConstants.POINTS_EMISUSE:
            return new MisuseException(strerror, message);
        case capiConstants.POINTS_ERETRY:
            return new RetryException(strerror, message);
        case capiConstants.POINTS_ELIMIT:
            return new LimitException(strerror, message);
        case capiConstants.POINTS_EPERM:
            return new PermissionException(strerror, message);
        case capiConstants.POINTS_EOUTOFSTOCK:
            return new OutOfStockException(strerror, message);
        case capiConstants.POINTS_ENOTELIGIBLE:
            return new NotEligibleException(strerror, message);
        case capiConstants.POINTS_EQUOTA:
            return new QuotaExceededException(strerror, message);
        case capiConstants.POINTS_EWINDOW:
            return new WindowClosedException(strerror, message);
        default:
            return new PointsException(code, strerror, message);
        }
    }
}
