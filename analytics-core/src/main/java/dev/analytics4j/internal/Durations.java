package dev.analytics4j.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * Saturating conversions of caller-supplied durations, so that {@code ChronoUnit.FOREVER.getDuration()}
 * or a Retry-After date centuries ahead means "a very long time" instead of an {@link
 * ArithmeticException} from {@link Duration#toNanos()} somewhere far from the call that passed it.
 */
public final class Durations {
  /**
   * The longest wait the client represents: {@code Long.MAX_VALUE / 4} nanoseconds, about 73 years.
   * A quarter of the range keeps {@code System.nanoTime() + n}, and the difference of two such
   * deadlines, and the sum of two such waits, clear of overflow, so the usual {@code deadline - now > 0}
   * comparison stays right.
   */
  public static final long MAX_NANOS = Long.MAX_VALUE / 4;

  /** {@link #MAX_NANOS} as a Duration. */
  public static final Duration MAX = Duration.ofNanos(MAX_NANOS);

  private Durations() {}

  /** {@code duration} in nanoseconds, clamped to {@code -MAX_NANOS..MAX_NANOS}; never throws on size. */
  public static long saturatedNanos(Duration duration) {
    Objects.requireNonNull(duration, "duration == null");
    if (duration.compareTo(MAX) >= 0) return MAX_NANOS;
    if (duration.compareTo(MAX.negated()) <= 0) return -MAX_NANOS;
    return duration.toNanos();
  }

  /** {@code duration} clamped to {@code -MAX..MAX}, so that any later {@code toNanos()} is safe. */
  public static Duration saturated(Duration duration) {
    Objects.requireNonNull(duration, "duration == null");
    if (duration.compareTo(MAX) > 0) return MAX;
    if (duration.compareTo(MAX.negated()) < 0) return MAX.negated();
    return duration;
  }
}
