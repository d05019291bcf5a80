package org.libpoints;

/**
 * The result of {@link Ledger#verify()} ({@code points_verify_report}).
 *
 * @param entries  entries checked
 * @param balances balances checked
 * @param badSeq   the first entry that fails, 0 if none
 * @param message  "ok" or what failed
 */
public record VerifyReport(long entries, long balances, long badSeq, String message) {
    /* From C: the struct's fields in order. */
    VerifyReport(long entries, long balances, long badSeq, byte[] message) {
        this(entries, balances, badSeq, Utf8.decode(message));
    }
}
