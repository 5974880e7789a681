package dev.analytics4j;

import dev.analytics4j.internal.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * When the spool's writes are forced from the operating system's page cache to the disk. Every
 * policy survives a crash of the JVM ({@code kill -9}, an OOM kill): a message is in the page cache
 * before {@code enqueue} returns. The policies differ in what an operating-system crash or power
 * loss may cost. See {@code docs/spool-format.md}.
 */
public final class SpoolSync {
  /** Never forces: an OS crash may lose whatever the kernel had not yet written back (Linux: up to ~30 s). */
  public static final SpoolSync NONE = new SpoolSync(-1);
  /**
   * Forces before {@code enqueue} returns: an accepted message survives an OS crash. Concurrent
   * callers share one force (group commit), but each waits for a disk flush.
   */
  public static final SpoolSync EVERY_WRITE = new SpoolSync(0);

  private final long intervalNanos;

  private SpoolSync(long intervalNanos) {
    this.intervalNanos = intervalNanos;
  }

  /**
   * Forces what was written at most {@code interval} ago, from a thread of the client's, never on the
   * caller's: an OS crash loses at most the messages accepted in the last {@code interval} (plus the
   * time one force takes).
   */
  public static SpoolSync interval(Duration interval) {
    Objects.requireNonNull(interval, "interval == null");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive: " + interval);
    }
    return new SpoolSync(Durations.saturatedNanos(interval));
  }

  boolean isNone() {
    return intervalNanos < 0;
  }

  boolean isEveryWrite() {
    return intervalNanos == 0;
  }

  long intervalNanos() {
    return intervalNanos;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SpoolSync && ((SpoolSync) o).intervalNanos == intervalNanos;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(intervalNanos);
  }

  @Override
  public String toString() {
    if (isNone()) return "SpoolSync.NONE";
    if (isEveryWrite()) return "SpoolSync.EVERY_WRITE";
    return "SpoolSync.interval(" + Duration.ofNanos(intervalNanos) + ")";
  }
}
