package org.libpoints;

import java.time.Instant;

/**
 * A transaction ({@code points_txn}).
 *
 * @param id       a UUIDv7
 * @param seq      position in the ledger
 * @param type     earn, spend, ...; UNKNOWN for a type a newer library wrote
 * @param typeCode the type's number ({@code POINTS_TXN_*}), also when UNKNOWN
 * @param time     seconds since 1970, UTC
 * @param asset    the asset code
 * @param from     the debited account
 * @param to       the credited account
 * @param amount   the amount moved
 * @param ref      reversal: the original; capture, release: the hold; else ""
 * @param memo     the memo, or ""
 * @param replayed true when returned for a repeated idempotency key
 */
public record Txn(String id, long seq, TxnType type, int typeCode, long time, String asset, long from,
        long to, long amount, String ref, String memo, boolean replayed) {
    /* From C: the struct's fields in order. */
    Txn(byte[] id, long seq, int type, long time, byte[] asset, long from, long to, long amount,
            byte[] ref, byte[] memo, int replayed) {
        this(Utf8.decode(id), seq, TxnType.of(type), type, time, Utf8.decode(asset), from, to,
                amount, Utf8.decode(ref), Utf8.decode(memo), replayed != 0);
    }

    public Instant instant() {
        return Instant.ofEpochSecond(time);
    }
}
