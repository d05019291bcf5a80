package org.libpoints;

/** An order's state ({@code POINTS_ORDER_SUBMITTED} ...). */
public enum OrderState {
    /** Placed: the points held, the stock taken. */
    SUBMITTED(capiConstants.POINTS_ORDER_SUBMITTED),
    /** The hold captured: the points spent. */
    APPROVED(capiConstants.POINTS_ORDER_APPROVED),
    SHIPPED(capiConstants.POINTS_ORDER_SHIPPED),
    DELIVERED(capiConstants.POINTS_ORDER_DELIVERED),
    /** Before shipping: the points and the stock given back. */
    CANCELLED(capiConstants.POINTS_ORDER_CANCELLED),
    /** After delivery: the points refunded. */
    RETURNED(capiConstants.POINTS_ORDER_RETURNED),
    /** After delivery: a replacement of the same item to ship, no points moved. */
    EXCHANGING(capiConstants.POINTS_ORDER_EXCHANGING);

    private final int code;

    OrderState(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static OrderState of(int code) {
        for (OrderState s : values())
            if (s.code == code)
                return s;
        throw new IllegalArgumentException("unknown OrderState " + code);
    }
}
