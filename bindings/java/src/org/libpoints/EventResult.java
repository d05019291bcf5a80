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
 * @param lines    for a refund of line items, the indexes of the lines
 *                 refunded ({@code points_event_result_lines}); else empty
 */
public record EventResult(EventSummary summary, List<RuleOutcome> outcomes,
        List<Integer> lines) {
    public EventResult {
        outcomes = List.copyOf(outcomes);
        lines = List.copyOf(lines);
    }

    /** A result with no lines (an event, or a refund of no lines). */
    public EventResult(EventSummary summary, List<RuleOutcome> outcomes) {
        this(summary, outcomes, List.of());
    }

    /** The lines of {@code points_event_result_lines} ("[0,2]"), parsed. */
    static List<Integer> parseLines(String json) {
        List<Integer> out = new java.util.ArrayList<>();
        if (json == null)
            return out;
        for (String s : json.replaceAll("[\\[\\]\\s]", "").split(","))
            if (!s.isEmpty())
                out.add(Integer.valueOf(s));
        return out;
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
