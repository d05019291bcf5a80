package org.libpoints;

/** How a leaderboard groups its accounts (points_leaderboard_iterator_new(3)). */
public enum LeaderGroup {
    /** One board of every account. */
    ALL(capiConstants.POINTS_LEADERS_ALL),
    /** A board per department, as each entry recorded it. */
    BY_DEPARTMENT(capiConstants.POINTS_LEADERS_BY_DEPARTMENT),
    /** A board per tier, as each entry recorded it. */
    BY_TIER(capiConstants.POINTS_LEADERS_BY_TIER);

    final int code;

    LeaderGroup(int code) {
        this.code = code;
    }
}
