package org.libpoints;

import java.time.Instant;

/**
 * One line of an account's statement ({@code points_entry}).
 *
 * @param txnId        the transaction
 * @param seq          its position in the ledger
 * @param type         earn, spend, ...; UNKNOWN for a type a newer library wrote
 * @param typeCode     the type's number ({@code POINTS_TXN_*}), also when UNKNOWN
 * @param time         seconds since 1970, UTC
 * @param account      the account
 * @param asset        the asset code
 * @param amount       change of available (negative: debit)
 * @param held         change of held
 * @param counterparty the other account
 * @param memo         the memo, or ""
 */
public record Entry(String txnId, long seq, TxnType type, int typeCode, long time, long account,
        String asset, long amount, long held, long counterparty, String memo) {
    /* From C: the struct's fields in order. */
    Entry(byte[] txnId, long seq, int type, long time, long account, byte[] asset, long amount,
            long held, long counterparty, byte[] memo) {
        this(Utf8.decode(txnId), seq, TxnType.of(type), type, time, account, Utf8.decode(asset),
                amount, held, counterparty, Utf8.decode(memo));
    }

    public Instant instant() {
        return Instant.ofEpochSecond(time);
    }
}
