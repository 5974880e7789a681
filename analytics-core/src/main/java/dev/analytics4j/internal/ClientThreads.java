package dev.analytics4j.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Every thread a client makes, in one place: the flusher, the upload and flush-completion pools,
 * close's helpers and the shutdown hook from the user's factory or our named daemon ones, and the
 * spool's sync thread; starting them from a user's factory without trusting it, and waiting for them
 * to end.
 */
final class ClientThreads {
  private static final AtomicInteger CLIENT_IDS = new AtomicInteger();
  private static final AtomicInteger SPOOL_SYNC_IDS = new AtomicInteger();
  /** How long {@code build()} waits for the thread factory's first thread to run the flusher. */
  private static final long FLUSHER_START_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

  /**
   * How long a new thread may take to begin running its task before the caller takes the task
   * back and runs it itself. Starting a thread takes well under a millisecond; this only bounds what
   * a factory whose threads stall at start can cost.
   */
  static final long START_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  private static final long MAX_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  /** This client's number, in its threads' names. */
  private final int id;
  private final ThreadFactory flusher;
  private final ThreadFactory uploads;
  private final ThreadFactory flushes;
  private final ThreadFactory closes;

  /** The client's threads from {@code factory}, or, without one, daemon threads named {@code analytics4j-*}. */
  ClientThreads(@Nullable ThreadFactory factory) {
    this.id = CLIENT_IDS.incrementAndGet();
    this.flusher = factory != null ? factory : daemonThreads("analytics4j-flusher-" + id);
    this.uploads = factory != null ? factory : daemonThreads("analytics4j-upload-" + id + "-");
    this.flushes = factory != null ? factory : daemonThreads("analytics4j-flush-" + id + "-");
    this.closes = factory != null ? factory : daemonThreads("analytics4j-close-" + id + "-");
  }

  /**
   * Starts the flusher and waits until the thread runs it, so that a factory that cannot give one
   * fails here, where the caller of {@code build()} can act, rather than leaving every message
   * unsent until close.
   */
  Thread startFlusher(Runnable loop) {
    try {
      return start(flusher, loop, FLUSHER_START_WAIT_NANOS);
    } catch (IllegalStateException e) {
      throw new IllegalStateException("Cannot start the client's flusher thread: " + e.getMessage(), e.getCause());
    }
  }

  /** The pool of upload threads, at most one per request in flight. */
  Workers uploadWorkers(int maxInFlight) {
    return new Workers(uploads, maxInFlight, TimeUnit.SECONDS.toNanos(30), "upload");
  }

  /**
   * The pool flush futures complete on, never an upload thread: a continuation that blocks (on
   * another flush, say) gets a thread of its own instead of stalling uploads.
   */
  Workers flushCompleters() {
    return new Workers(flushes, Integer.MAX_VALUE, TimeUnit.SECONDS.toNanos(10), "flush");
  }

  /** Runs {@code task} on a new close thread; see {@link #start} for when it throws. */
  Thread startClose(Runnable task, long waitNanos) {
    return start(closes, task, waitNanos);
  }

  /** The JVM shutdown hook's thread, registered by the caller; it is never started here. */
  Thread shutdownHook(Runnable close) {
    return new Thread(close, "analytics4j-shutdown-" + id);
  }

  /** Starts the spool's interval sync thread: always a daemon of ours, as it only forces writes. */
  static void startSpoolSync(Runnable loop) {
    Thread thread = new Thread(loop, "analytics4j-spool-sync-" + SPOOL_SYNC_IDS.incrementAndGet());
    thread.setDaemon(true);
    thread.start();
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    boolean numbered = name.endsWith("-");
    return runnable -> {
      Thread thread = new Thread(runnable, numbered ? name + count.incrementAndGet() : name);
      thread.setDaemon(true);
      return thread;
    };
  }

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
