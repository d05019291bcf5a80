package org.libpoints;

/**
 * The request of {@link Ledger#applyEvent(Event)} and
 * {@link Ledger#previewEvent(Event)} ({@code points_event}): something that
 * happened, which the rules turn into points. A builder: each method sets a
 * field and returns this event.
 *
 * <pre>{@code
 * EventResult r = ledger.applyEvent(Event.of("order-1001", "purchase", alice)
 *         .amount(12000).attrs("{\"channel\":\"app\"}"));
 * }</pre>
 */
public final class Event {
    String id, type, attrs, actor;
    long account, time, amount;

    private Event() {
    }

    /** Event id (the idempotency key) of type for account. */
    public static Event of(String id, String type, long account) {
        Event e = new Event();
        e.id = id;
        e.type = type;
        e.account = account;
        return e;
    }

    /** event.amount: e.g. the price in cents. */
    public Event amount(long v) { amount = v; return this; }
    /** event.attrs: a JSON object (integers, strings, lists, objects); null: none. */
    public Event attrs(String json) { attrs = json; return this; }
    /** Seconds since 1970; 0: the ledger's clock. */
    public Event time(long v) { time = v; return this; }
    /** Who reported it; may be null. */
    public Event actor(String v) { actor = v; return this; }
}
