package org.libpoints;

/**
 * What an expiry sweep did ({@code points_sweep_report}).
 *
 * @param accounts accounts that lost points (each once)
 * @param lots     lots expired
 * @param points   points expired, all assets
 * @param holds    holds expired and released
 */
public record SweepReport(long accounts, long lots, long points, long holds) {
}
