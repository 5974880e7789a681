package dev.analytics4j.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Up to {@code maxThreads} threads of a user's {@link ThreadFactory} running the tasks handed to
 * them, each kept for {@code keepAliveNanos} without work. It replaces a {@code ThreadPoolExecutor},
 * which trusts its factory: a thread that dies before running its worker leaves that worker counted
 * forever with its first task, so the pool quietly stops running anything (40 messages of the
 * issue's run went unreported that way). Here a thread counts only once it has begun running the
 * pool's loop ({@link Threads#start}); a task for which no such thread can be had is handed back to
 * the caller by {@link #execute} throwing {@link RejectedExecutionException}, and the caller runs it
 * (the flusher sends the batch itself; flush futures complete inline). A task that throws, an
 * {@link Error} included, is logged and costs neither its thread nor the tasks after it; a thread
 * that dies all the same hands the waiting tasks on.
 */
final class Workers implements Executor {
  private static final Log logger = Log.get(Workers.class);
  /**
   * After a thread could not be had, how long tasks that would need a new one are handed back at
   * once: a factory whose threads stall at start would otherwise cost every task the start wait.
   */
  private static final long START_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final ThreadFactory factory;
  private final int maxThreads;
  private final long keepAliveNanos;
  /** What the threads are for, in log lines and exception messages. */
  private final String purpose;
  /** Every thread that ran the loop and may not have ended yet, so that close can wait for them. */
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition workAdded = lock.newCondition();
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  /** Threads running the loop, and those being started; guarded by {@link #lock}. */
  private int live;
  /** Threads waiting for a task; each takes one from {@link #tasks} before it may end. */
  private int idle;
  private boolean shutdown;
  /** When a thread last could not be had, and why; no new one is tried within {@link #START_RETRY_NANOS}. */
  private long startFailedNanos;
  private @Nullable Throwable startFailure;

  Workers(ThreadFactory factory, int maxThreads, long keepAliveNanos, String purpose) {
    this.factory = factory;
    this.maxThreads = maxThreads;
    this.keepAliveNanos = keepAliveNanos;
    this.purpose = purpose;
  }

  /**
   * Runs {@code task} on one of the threads: an idle one, a new one, or, when {@code maxThreads} are
   * busy, the first to finish.
   *
   * @throws RejectedExecutionException after {@link #shutdown}, or when no thread could be had to
   *     run it (its cause says why); the task has then not run and the caller owns it.
   */
  @Override
  public void execute(Runnable task) {
    lock.lock();
    try {
      if (shutdown) throw new RejectedExecutionException(purpose + " threads are shut down");
      if (tasks.size() < idle || live >= maxThreads) {
        tasks.addLast(task);
        workAdded.signal();
        return;
      }
      Throwable failure = startFailure;
      if (failure != null && System.nanoTime() - startFailedNanos < START_RETRY_NANOS) {
        throw new RejectedExecutionException("no " + purpose + " thread: " + failure.getMessage(), failure);
      }
      live++;
    } finally {
      lock.unlock();
    }
    try {
      ClientThreads.start(factory, () -> work(task), ClientThreads.START_WAIT_NANOS);
    } catch (Throwable t) {
      lock.lock();
      try {
        startFailure = t;
        startFailedNanos = System.nanoTime();
      } finally {
        lock.unlock();
      }
      // Tasks queued meanwhile for the thread being started would wait for nobody: run them here.
      for (Runnable orphan : threadLost()) runSafely(orphan);
      throw new RejectedExecutionException("no " + purpose + " thread: " + t.getMessage(), t);
    }
  }

  private void work(Runnable first) {
    Thread self = Thread.currentThread();
    threads.removeIf(t -> !t.isAlive());
    threads.add(self);
    boolean ended = false;
    try {
      for (Runnable task = first; task != null; task = next()) runSafely(task);
      ended = true;
    } finally {
      if (!ended) {
        // Not by a task's throw (caught above) but by something that ends threads from outside.
        for (Runnable orphan : threadLost()) {
          try {
            execute(orphan);
          } catch (Throwable t) {
            runSafely(orphan);
          }
        }
      }
    }
  }

  /** The next task, waiting up to the keep-alive; null when this thread should end, which it is then counted as. */
  private @Nullable Runnable next() {
    lock.lock();
    try {
      long left = keepAliveNanos;
      while (true) {
        Runnable task = tasks.pollFirst();
        if (task != null) return task;
        if (shutdown || left <= 0) {
          live--;
          return null;
        }
        idle++;
        try {
          left = workAdded.awaitNanos(left);
        } catch (InterruptedException e) {
          // A stray interrupt does not end a thread the pool counts on; shutdown does.
        } finally {
          idle--;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Uncounts a thread that will run nothing more; returns the tasks no remaining thread will take. */
  private List<Runnable> threadLost() {
    lock.lock();
    try {
      live--;
      if (live > 0) return List.of();
      List<Runnable> orphans = new ArrayList<>(tasks);
      tasks.clear();
      return orphans;
    } finally {
      lock.unlock();
    }
  }

  private void runSafely(Runnable task) {
    try {
      task.run();
    } catch (Throwable t) {
      try {
        logger.error("A task on a {} thread threw; the thread goes on", purpose, t);
      } catch (Throwable ignored) {
        // Out of memory or stack even for the log line; the next task matters more.
      }
    }
  }

  /** Refuses new tasks; threads end once the tasks already handed to them have run. */
  void shutdown() {
    lock.lock();
    try {
      shutdown = true;
      workAdded.signalAll();
    } finally {
      lock.unlock();
    }
  }

  boolean isShutdown() {
    lock.lock();
    try {
      return shutdown;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until {@code deadlineNanos} for every thread but the caller's to end. Returns false when
   * one is still running.
   */
  boolean awaitTermination(long deadlineNanos) {
    for (Thread thread : threads) {
      if (thread != Thread.currentThread() && !ClientThreads.join(thread, deadlineNanos)) return false;
    }
    return true;
  }
}
