package org.libpoints;

import java.util.Objects;

/**
 * What every write request has beside its own fields: the write's
 * category and actor (version 2 of each request struct). A subclass
 * copies itself ({@link #copy}) and passes every new request it makes
 * through {@link #keep}, so the two carry along whatever else changes.
 * Immutable to its users, as its subclasses are.
 */
abstract class Request<R extends Request<R>> {
    /* Read by the JNI wrapper (bindings/java/points_java.i) through these
     * names, as fields of each subclass: NUL-ended UTF-8 (Utf8.encode).
     * Written only on a request not yet returned. */
    byte[] category8;
    byte[] actor8;

    Request() {
    }

    /** A new request with this one's own fields (not category and actor). */
    abstract R copy();

    /** next, a new request made from this one, with this one's category and actor. */
    final R keep(R next) {
        next.category8 = category8;
        next.actor8 = actor8;
        return next;
    }

    /**
     * The write's category, 1-32 of [a-z0-9_.-] ("training", "order"); null
     * (the default) for none. Kept with its entries and returned in
     * {@link Txn#category()} and {@link Entry#category()}.
     */
    public R category(String category) {
        R r = keep(copy());
        r.category8 = Utf8.encode(category);
        return r;
    }

    /** Who made the write (1-64 bytes of UTF-8, e.g. an operator's id); null for none. */
    public R actor(String actor) {
        R r = keep(copy());
        r.actor8 = Utf8.encode(actor);
        return r;
    }

    public String category() {
        return Posting.decode(category8);
    }

    public String actor() {
        return Posting.decode(actor8);
    }

    /** Whether o has the same category and actor (for equals). */
    final boolean sameMeta(Request<?> o) {
        return Objects.equals(category(), o.category()) && Objects.equals(actor(), o.actor());
    }

    /** ", category=..., actor=..." (for toString). */
    final String metaString() {
        return ", category=" + category() + ", actor=" + actor();
    }
}
