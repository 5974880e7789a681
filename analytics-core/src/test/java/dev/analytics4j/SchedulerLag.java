package dev.analytics4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * How late this machine's scheduler runs a thread that asked to wake up, measured while a timed
 * action runs, so that a test can assert a wall-clock promise (close returns within its deadline
 * plus 0.5 s) with the slack a loaded machine adds named and measured rather than guessed.
 *
 * <p>The promise is about the library's own work: every wait close makes ends by the deadline plus
 * 0.5 s. A saturated machine runs a thread whose wait has ended only when a core is free; each of
 * close's waits in a row can return that much later. A probe thread that parks {@link #TICK} at a
 * time records the worst such delay seen during the action, and {@link #assertWithin} allows the
 * promise plus {@link #SEQUENTIAL_WAITS} times that delay. On an idle machine the delay is well
 * under a millisecond, so the bound is the promise itself.
 */
public final class SchedulerLag implements AutoCloseable {
  /** How long the probe parks at a time. */
  static final Duration TICK = Duration.ofMillis(5);

  /**
   * Close's timed waits that can each return late, one after the other, once its deadline has
   * passed: the transport's close, the upload threads, the callbacks' thread, the flusher, the
   * completer; plus one for the caller's own thread getting a core back.
   */
  static final int SEQUENTIAL_WAITS = 6;

  /** What close adds to its deadline at most, by its own work: the documented promise. */
  public static final Duration CLOSE_OVERRUN = Duration.ofMillis(500);

  private final AtomicLong worstLateNanos = new AtomicLong();
  private final Thread probe;
  private volatile boolean stopped;

  private SchedulerLag() {
    probe = new Thread(this::probe, "scheduler-lag-probe");
    probe.setDaemon(true);
    probe.start();
  }

  /**
   * Runs {@code close}, a call of {@code close(deadline)}, and asserts that it returned within the
   * deadline plus {@link #CLOSE_OVERRUN}, plus the scheduling slack measured meanwhile; returns how
   * long it took, in nanoseconds.
   */
  public static long assertClosesWithin(Duration deadline, Runnable close) {
    try (SchedulerLag lag = start()) {
      long start = System.nanoTime();
      close.run();
      long took = System.nanoTime() - start;
      lag.assertWithin(took, deadline.plus(CLOSE_OVERRUN), "close(" + deadline.toMillis() + " ms)");
      return took;
    }
  }

  /** Starts probing; close it when the timed action has returned. */
  public static SchedulerLag start() {
    return new SchedulerLag();
  }

  private void probe() {
    long tick = TICK.toNanos();
    while (!stopped) {
      long before = System.nanoTime();
      LockSupport.parkNanos(tick);
      long late = System.nanoTime() - before - tick;
      worstLateNanos.accumulateAndGet(late, Math::max);
    }
  }

  /** The worst delay seen so far beyond a requested wake-up. */
  public long worstLateNanos() {
    return worstLateNanos.get();
  }

  @Override
  public void close() {
    // Not joined: the caller's interrupt status may be set (close keeps it), and the probe, a
    // daemon, ends within a tick on its own.
    stopped = true;
    LockSupport.unpark(probe);
  }

  /**
   * Asserts that {@code tookNanos} is within {@code promise} plus {@link #SEQUENTIAL_WAITS} times the
   * worst scheduling delay the probe saw, and says all three figures when it is not.
   */
  public void assertWithin(long tookNanos, Duration promise, String what) {
    long slack = SEQUENTIAL_WAITS * worstLateNanos();
    long bound = promise.toNanos() + slack;
    assertTrue(tookNanos <= bound, () -> String.format(
        "%s took %.1f ms: over its promise of %d ms plus %.1f ms of scheduling slack (%d waits x the "
            + "worst wake-up delay seen, %.1f ms)", what, tookNanos / 1e6, promise.toMillis(),
        slack / 1e6, SEQUENTIAL_WAITS, worstLateNanos() / 1e6));
  }
}
