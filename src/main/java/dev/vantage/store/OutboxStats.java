package dev.vantage.store;

/**
 * @param pending rows with status pending
 * @param oldestPendingSeconds age of the oldest pending row, 0 when none
 */
public record OutboxStats(long pending, double oldestPendingSeconds) {}
