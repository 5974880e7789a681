package dev.analytics4j;

import java.time.Duration;

/** Durations as nanoseconds that deadline arithmetic can add to {@link System#nanoTime()} safely. */
final class Durations {
  /** About 73 years: "forever" for a deadline, with room for {@code nanoTime() + n} not to overflow. */
  static final long MAX_NANOS = Long.MAX_VALUE / 4;

  private Durations() {}

  /** {@code duration} in nanoseconds, capped at {@link #MAX_NANOS}; negative durations give 0. */
  static long saturatedNanos(Duration duration) {
    if (duration.isNegative()) return 0;
    if (duration.getSeconds() >= MAX_NANOS / 1_000_000_000L) return MAX_NANOS;
    return Math.min(duration.toNanos(), MAX_NANOS);
  }
}
