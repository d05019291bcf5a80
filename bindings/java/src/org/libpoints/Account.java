package org.libpoints;

import java.time.Instant;

/**
 * An account ({@code points_account}). Text fields never are null: a field
 * that was never set is "".
 *
 * @param id         the ledger's id
 * @param externalId the host's id (employee number, customer id), unique
 * @param name       display name
 * @param tier       e.g. "gold"
 * @param department e.g. "R&amp;D"
 * @param status     active, frozen or closed
 * @param flags      {@link #SYSTEM}, {@link #ALLOW_NEGATIVE}
 * @param createdAt  seconds since 1970, UTC
 */
public record Account(long id, String externalId, String name, String tier, String department,
        AccountStatus status, int flags, long createdAt) {
    /** Flag: a system account (issuer, sink, a budget pool): no lots. */
    public static final int SYSTEM = (int) capiConstants.POINTS_ACCOUNT_SYSTEM;
    /** Flag: the account may go below zero. */
    public static final int ALLOW_NEGATIVE = (int) capiConstants.POINTS_ACCOUNT_ALLOW_NEGATIVE;
    /** The built-in issuer ("system:issuer"): pays for earnings. */
    public static final long ISSUER = capiConstants.POINTS_ACCOUNT_ISSUER;
    /** The built-in sink ("system:sink"): receives redeemed points. */
    public static final long SINK = capiConstants.POINTS_ACCOUNT_SINK;
    /** The built-in expiry account ("system:expiry"): receives expired points. */
    public static final long EXPIRY = capiConstants.POINTS_ACCOUNT_EXPIRY;

    /* From C: the struct's fields in order. */
    Account(long id, byte[] externalId, byte[] name, byte[] tier, byte[] department, int status,
            int flags, long createdAt) {
        this(id, Utf8.decode(externalId), Utf8.decode(name), Utf8.decode(tier),
                Utf8.decode(department), AccountStatus.of(status), flags, createdAt);
    }

    public boolean isSystem() {
        return (flags & SYSTEM) != 0;
    }

    public boolean allowsNegative() {
        return (flags & ALLOW_NEGATIVE) != 0;
    }

    public Instant createdAtInstant() {
        return Instant.ofEpochSecond(createdAt);
    }
}
