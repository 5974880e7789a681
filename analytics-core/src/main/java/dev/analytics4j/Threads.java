package dev.analytics4j;

import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/** The client's own threads: remembering the ones a pool makes, and waiting for them to end. */
final class Threads {
  private Threads() {}

  /**
   * A factory that makes threads with {@code factory} and keeps the live ones in {@code made}, so
   * that close can wait for the threads themselves: a pool counts as terminated while its last
   * worker is still on its way out.
   */
  static ThreadFactory tracking(ThreadFactory factory, Set<Thread> made) {
    return runnable -> {
      Thread thread = factory.newThread(runnable);
      made.removeIf(t -> t.getState() == Thread.State.TERMINATED);
      if (thread != null) made.add(thread);
      return thread;
    };
  }

  /**
   * Waits for {@code thread} to end until {@code deadlineNanos} ({@link System#nanoTime()}),
   * through interrupts, keeping the caller's interrupt status. Returns whether it ended.
   */
  static boolean join(Thread thread, long deadlineNanos) {
    boolean interrupted = false;
    try {
      while (thread.isAlive()) {
        long remainingNanos = deadlineNanos - System.nanoTime();
        if (remainingNanos <= 0) return false;
        try {
          TimeUnit.NANOSECONDS.timedJoin(thread, remainingNanos);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      return true;
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }
}
