package dev.analytics4j;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client's own threads: starting them from a user's factory without trusting it, and waiting
 * for them to end.
 */
final class Threads {
  /**
   * How long a new thread may take to begin running its task before the caller takes the task
   * back and runs it itself. Starting a thread takes well under a millisecond; this only bounds what
   * a factory whose threads stall at start can cost.
   */
  static final long START_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  private static final long MAX_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private Threads() {}

  /**
   * Makes a thread with {@code factory}, starts it, and waits until it has begun running {@code
   * task}, so that a task handed to a thread is never lost with it. A user's factory may throw,
   * return null, return a thread that cannot be started (already started, or over a process limit),
   * or one that ends, or stalls, without running what it was given: in each case this throws an
   * {@link IllegalStateException} saying which, and {@code task} then never runs on that thread (a
   * thread that begins more than {@code waitNanos} after it was started finds it taken back): the
   * caller owns it.
   */
  static Thread start(ThreadFactory factory, Runnable task, long waitNanos) {
    Handoff handoff = new Handoff(task);
    Thread thread;
    try {
      thread = factory.newThread(handoff);
    } catch (Throwable t) {
      throw new IllegalStateException("the threadFactory threw " + describe(t), t);
    }
    if (thread == null) throw new IllegalStateException("the threadFactory returned null");
    try {
      thread.start();
    } catch (Throwable t) {
      throw new IllegalStateException("the threadFactory's thread " + thread.getName()
          + " could not be started: " + describe(t), t);
    }
    switch (handoff.awaitStart(thread, System.nanoTime() + waitNanos)) {
      case Handoff.RUNNING:
        return thread;
      case Handoff.ENDED:
        throw new IllegalStateException("the threadFactory's thread " + thread.getName()
            + " ended without running the task it was given");
      default:
        throw new IllegalStateException("the threadFactory's thread " + thread.getName()
            + " did not begin running the task it was given within "
            + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms");
    }
  }

  /** {@code t.toString()}, or its class name when that throws: user exceptions can do anything. */
  static String describe(Throwable t) {
    try {
      return String.valueOf(t);
    } catch (Throwable e) {
      return t.getClass().getName();
    }
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

  /** A task that runs at most once: on the thread it was given to, unless its starter took it back. */
  private static final class Handoff implements Runnable {
    static final int WAITING = 0;
    static final int RUNNING = 1;
    static final int ENDED = 2;
    static final int TAKEN_BACK = 3;

    private final Runnable task;
    private final AtomicInteger state = new AtomicInteger(WAITING);
    private final CountDownLatch begun = new CountDownLatch(1);

    Handoff(Runnable task) {
      this.task = task;
    }

    @Override
    public void run() {
      if (!state.compareAndSet(WAITING, RUNNING)) return;
      begun.countDown();
      task.run();
    }

    /**
     * Waits until the task begins, the thread ends without it, or the deadline passes; in the last
     * two cases the task is taken back. A thread's end signals nothing we can wait on together with
     * the latch, so that case is polled, with waits growing from 50 us to 5 ms.
     */
    int awaitStart(Thread thread, long deadlineNanos) {
      long poll = TimeUnit.MICROSECONDS.toNanos(50);
      boolean interrupted = false;
      try {
        while (state.get() == WAITING) {
          long left = deadlineNanos - System.nanoTime();
          boolean ended = !thread.isAlive();
          if (ended || left <= 0) {
            if (state.compareAndSet(WAITING, TAKEN_BACK)) return ended ? ENDED : TAKEN_BACK;
            break;
          }
          try {
            begun.await(Math.min(poll, left), TimeUnit.NANOSECONDS);
          } catch (InterruptedException e) {
            interrupted = true;
          }
          poll = Math.min(poll * 2, MAX_POLL_NANOS);
        }
        return RUNNING;
      } finally {
        if (interrupted) Thread.currentThread().interrupt();
      }
    }
  }
}
