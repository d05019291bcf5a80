package org.libpoints;

import java.util.List;

/**
 * The result of an event ({@code points_event_result}): its summary and
 * one {@link RuleOutcome} per rule evaluated, in the order evaluated.
 * Plain Java data: the C result is read and freed by the call that made
 * it.
 *
 * @param summary  the event, its place in the event log and the points in all
 * @param outcomes what each rule did
 */
public record EventResult(EventSummary summary, List<RuleOutcome> outcomes) {
    public EventResult {
        outcomes = List.copyOf(outcomes);
    }

    /** Points awarded in all (negative for a refund). */
    public long points() {
        return summary.points();
    }

    /** True when the event had been applied before: nothing was posted. */
    public boolean replayed() {
        return summary.replayed();
    }
}
