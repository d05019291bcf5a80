package org.libpoints;

import java.util.List;

/**
 * What a saved version of a rule would have awarded over the logged
 * events of a period ({@code points_rule_backtest}): the summary and one
 * {@link BacktestRow} per account that would have earned, by account id.
 * Plain Java data: the C result is read and freed by the call that made
 * it.
 *
 * @param summary the events, awards and points in all
 * @param rows    the points per account
 */
public record Backtest(BacktestSummary summary, List<BacktestRow> rows) {
    public Backtest {
        rows = List.copyOf(rows);
    }

    /** The points in all. */
    public long points() {
        return summary.points();
    }
}
