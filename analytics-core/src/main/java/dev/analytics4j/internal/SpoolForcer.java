package dev.analytics4j.internal;

import dev.analytics4j.SpoolSync;
import dev.analytics4j.internal.spool.Segment;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Forces the spool's writes to disk as its {@link SpoolSync} policy says: by the caller before
 * {@code enqueue} returns ({@code EVERY_WRITE}, concurrent callers sharing one force), or from a
 * thread of its own every interval. Segment changes are forced by the spool itself.
 */
final class SpoolForcer {
  private final Spool spool;
  private final SpoolSync sync;
  private final ReentrantLock forceLock = new ReentrantLock();
  /** Bytes of appends known forced. */
  private volatile long forced;

  SpoolForcer(Spool spool, SpoolSync sync) {
    this.spool = spool;
    this.sync = sync;
  }

  /** Starts the interval thread, for an interval policy. */
  void start() {
    if (Internal.get().isNone(sync) || Internal.get().isEveryWrite(sync)) return;
    ClientThreads.startSpoolSync(this::loop);
  }

  /** Group commit: returns once everything appended up to {@code target} bytes has been forced. */
  void forceTo(long target) {
    if (forced >= target) return;
    forceLock.lock();
    try {
      if (forced >= target) return;
      long upTo;
      Segment segment;
      spool.lock.lock();
      try {
        upTo = spool.appendedLocked();
        segment = spool.writingLocked();
      } finally {
        spool.lock.unlock();
      }
      boolean interrupted = Thread.interrupted();
      try {
        if (segment != null) segment.file.force();
        forced = upTo;
      } catch (IOException | RuntimeException e) {
        spool.logRateLimited("Could not force the spool to disk: {}", e.toString());
      } finally {
        if (interrupted) Thread.currentThread().interrupt();
      }
    } finally {
      forceLock.unlock();
    }
  }

  private void loop() {
    long interval = Internal.get().intervalNanos(sync);
    while (true) {
      long target;
      spool.lock.lock();
      try {
        if (!spool.awaitTickLocked(interval)) return;
        target = spool.appendedLocked();
      } catch (InterruptedException e) {
        return;
      } finally {
        spool.lock.unlock();
      }
      try {
        forceTo(target);
      } catch (Throwable t) {
        spool.logRateLimited("Spool sync failed: {}", t.toString());
      }
    }
  }
}
