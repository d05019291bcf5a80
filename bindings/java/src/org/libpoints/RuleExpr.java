package org.libpoints;

/** Which expression of a rule {@link Ledger#ruleExpr} reads ({@code POINTS_RULE_EXPR_*}). */
public enum RuleExpr {
    CONDITION(capiConstants.POINTS_RULE_EXPR_CONDITION),
    POINTS(capiConstants.POINTS_RULE_EXPR_POINTS),
    BENEFICIARY(capiConstants.POINTS_RULE_EXPR_BENEFICIARY),
    CAP_KEY(capiConstants.POINTS_RULE_EXPR_CAP_KEY);

    private final int code;

    RuleExpr(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static RuleExpr of(int code) {
        for (RuleExpr s : values())
            if (s.code == code)
                return s;
        throw new IllegalArgumentException("unknown RuleExpr " + code);
    }
}
