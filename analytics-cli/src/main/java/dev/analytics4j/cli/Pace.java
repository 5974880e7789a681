package dev.analytics4j.cli;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * How fast the import goes now: lines and bytes a second over the last {@link #WINDOW_NANOS}, from
 * the counters sampled at each progress tick. An average since the start would carry every pause
 * (a 429's wait, the endpoint check) for the rest of a run that takes days, and its ETA with it.
 */
final class Pace {
  /** The window the pace is measured over. */
  static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(30);
  /** Less than this measured, and there is no pace yet: the caller uses the average. */
  static final long MIN_SPAN_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** {time, lines, bytes}, oldest first; guarded by this. */
  private final Deque<long[]> samples = new ArrayDeque<>();

  /** Lines and bytes a second; negative when not known yet. */
  static final class Rate {
    final double linesPerSecond;
    final double bytesPerSecond;

    Rate(double linesPerSecond, double bytesPerSecond) {
      this.linesPerSecond = linesPerSecond;
      this.bytesPerSecond = bytesPerSecond;
    }
  }

  static final Rate UNKNOWN = new Rate(-1, -1);

  /** Records the counters at {@code nanos} and returns the pace over the window ending there. */
  synchronized Rate sample(long nanos, long lines, long bytes) {
    long[] last = samples.peekLast();
    if (last == null || nanos - last[0] > 0) samples.add(new long[] {nanos, lines, bytes});
    // Keep one sample at or beyond the window's start, so the span covers the whole window.
    while (samples.size() > 2) {
      long[] second = samples.stream().skip(1).findFirst().orElseThrow();
      if (nanos - second[0] < WINDOW_NANOS) break;
      samples.poll();
    }
    long[] first = samples.peekFirst();
    long span = nanos - first[0];
    if (span < MIN_SPAN_NANOS) return UNKNOWN;
    double seconds = span / 1e9;
    return new Rate((lines - first[1]) / seconds, (bytes - first[2]) / seconds);
  }
}
