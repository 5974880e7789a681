package dev.analytics4j.spark;

/**
 * One task's share of the job's rate budget: {@code perSecond} permits a second, with bursts of at
 * most one second's worth (at least one permit). Used by one thread, the task's writer.
 */
final class TokenBucket {
  /** The clock and the wait, so tests can run the bucket without real time. */
  interface Clock {
    Clock SYSTEM = new Clock() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public void sleepNanos(long nanos) throws InterruptedException {
        java.util.concurrent.TimeUnit.NANOSECONDS.sleep(nanos);
      }
    };

    long nanoTime();

    void sleepNanos(long nanos) throws InterruptedException;
  }

  private final double perNano;
  private final double capacity;
  private final Clock clock;
  private double tokens;
  private long last;

  TokenBucket(double perSecond, Clock clock) {
    if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException("perSecond must be positive: " + perSecond);
    }
    this.perNano = perSecond / 1e9;
    this.capacity = Math.max(1, perSecond);
    this.clock = clock;
    // Starts with one permit, not a full second's worth: every task of a job starts at once, and a
    // full bucket each would let the job burst past its budget at the start.
    this.tokens = 1;
    this.last = clock.nanoTime();
  }

  /** Takes one permit, waiting for it when the bucket is empty. */
  void acquire() throws InterruptedException {
    while (true) {
      long now = clock.nanoTime();
      tokens = Math.min(capacity, tokens + (now - last) * perNano);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      clock.sleepNanos(Math.max(1, (long) Math.ceil((1 - tokens) / perNano)));
    }
  }
}
