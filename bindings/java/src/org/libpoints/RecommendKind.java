package org.libpoints;

/** What a recommendation goes on (points_recommendation_iterator_new(3)). */
public enum RecommendKind {
    /** Listed items in stock the account can pay for now, most sold first. */
    AFFORDABLE(capiConstants.POINTS_RECOMMEND_AFFORDABLE),
    /** Items the other accounts of its department ordered most. */
    DEPARTMENT(capiConstants.POINTS_RECOMMEND_DEPARTMENT),
    /** Items the other accounts of its tier ordered most. */
    TIER(capiConstants.POINTS_RECOMMEND_TIER),
    /** Items ordered by the accounts that ordered what it ordered. */
    ALSO_REDEEMED(capiConstants.POINTS_RECOMMEND_ALSO_REDEEMED);

    final int code;

    RecommendKind(int code) {
        this.code = code;
    }
}
