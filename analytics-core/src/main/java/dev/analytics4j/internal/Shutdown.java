package dev.analytics4j.internal;

import dev.analytics4j.Analytics;
import dev.analytics4j.DropReason;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Close, in one place: stop taking messages, let the flusher drain until the deadline, give up on
 * what is left (dropped, failed, or left in the spool, each reported), close the transport, stop
 * the threads, close the spool; and the shutdown hook that closes a client the JVM leaves open. The
 * same giving up serves a flusher that died.
 */
public final class Shutdown {
  private static final Internal API = Internal.get();
  // The client's log lines keep the name users know them by, wherever their code lives.
  private static final Log logger = Log.get(Analytics.class);
  /**
   * How long close waits, after its deadline, for the client's threads and the callbacks of what it
   * gave up on; past it they finish on their own daemon threads. 50 ms short of the half second
   * close may take past its deadline: what it does after its last wait (stopping the completer,
   * closing the spool, its log lines) must fit in the promise too, and took about a millisecond
   * beyond it when the waits used the whole half second.
   */
  private static final long THREAD_STOP_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(450);
  /**
   * How long close spends telling the callback about a backlog it leaves in the spool, within the
   * half second it may take past its deadline; and how many messages it reads back at a time.
   */
  private static final long BACKLOG_TELL_NANOS = TimeUnit.MILLISECONDS.toNanos(300);
  private static final int BACKLOG_TELL_CHUNK = 100;

  private final Pipeline pipeline;
  private final @Nullable Thread shutdownHook;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CountDownLatch terminated = new CountDownLatch(1);

  /** Made by {@code pipeline} as it is made: the fields of it read here are read only once it closes. */
  Shutdown(Pipeline pipeline, boolean withHook) {
    this.pipeline = pipeline;
    Thread hook = null;
    if (withHook) {
      hook = pipeline.threads.shutdownHook(this::closeFromShutdownHook);
      Runtime.getRuntime().addShutdownHook(hook);
    }
    this.shutdownHook = hook;
  }

  boolean isClosed() {
    return closed.get();
  }

  /** Unregisters the shutdown hook of a client whose flusher could not be started. */
  void removeHook() {
    if (shutdownHook != null) Runtime.getRuntime().removeShutdownHook(shutdownHook);
  }

  /** {@code Analytics.close(Duration)}: see its contract. */
  void close(long timeoutNanos) {
    long start = System.nanoTime();
    if (!closed.compareAndSet(false, true)) {
      if (Reporter.hookRunning() == null) awaitTerminated(timeoutNanos);
      return;
    }
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // The JVM is shutting down; the hook is running or will find us closed.
      }
    }
    if (Thread.currentThread() == pipeline.flusherThread && closeOnACloseThread(start, timeoutNanos)) return;
    boolean interrupted = Thread.interrupted();
    try {
      shutDown(start, timeoutNanos);
    } finally {
      terminated.countDown();
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  /**
   * Closes on a close thread, for a callback or listener that closes from the flusher thread (which
   * runs them when it sends a batch itself, no upload thread being had): waiting there for the
   * flusher to drain would be waiting for itself. False when no close thread can be had.
   */
  private boolean closeOnACloseThread(long start, long timeoutNanos) {
    Runnable close = () -> {
      try {
        shutDown(start, timeoutNanos);
      } finally {
        terminated.countDown();
      }
    };
    try {
      pipeline.threads.startClose(close, ClientThreads.START_WAIT_NANOS);
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  private void shutDown(long start, long timeoutNanos) {
    long deadline = start + timeoutNanos;
    boolean onFlusher = Thread.currentThread() == pipeline.flusherThread;
    pipeline.queue.close();
    // A flusher that ended while messages are still held died without reporting them.
    boolean drained = !onFlusher && ClientThreads.join(pipeline.flusherThread, deadline)
        && pipeline.queue.heldMessages() == 0 && pipeline.queue.backlog() == 0;
    Thread reports = null;
    if (!drained) {
      long tellDeadline = System.nanoTime() + BACKLOG_TELL_NANOS;
      reports = giveUp(pipeline.queue.giveUp(false), DropReason.CLOSE_TIMEOUT, start, tellDeadline);
    }
    pipeline.uploader.abort();
    // One budget for every wait, so close returns within its deadline plus this even when the
    // transport ignores cancellation or blocks in close, or callbacks are slow; threads still
    // running then are daemons, and every message they hold has its outcome counted already.
    // Counted from the deadline once it has passed, so that giving up takes nothing beyond it.
    long now = System.nanoTime();
    long stopDeadline = (deadline - now < 0 ? deadline : now) + THREAD_STOP_WAIT_NANOS;
    Thread closing = startOrRun(stopDeadline, () -> {
      try {
        pipeline.transport.close();
      } catch (Throwable e) {
        logger.warn("Closing the transport failed", e);
      }
    });
    if (closing != null && !ClientThreads.join(closing, stopDeadline)) {
      logger.warn("The transport's close() did not return within {} ms; going on without it",
          TimeUnit.NANOSECONDS.toMillis(THREAD_STOP_WAIT_NANOS));
    }
    if (!pipeline.uploader.shutdown(Math.max(0, stopDeadline - System.nanoTime()))) {
      logger.warn("Upload threads still running {} ms after close: the transport did not cancel its "
          + "calls, or callbacks are slow", TimeUnit.NANOSECONDS.toMillis(THREAD_STOP_WAIT_NANOS));
    }
    if (reports != null && !ClientThreads.join(reports, stopDeadline)) {
      logger.warn("Callbacks for the messages close gave up on are still running; they go on after "
          + "close returns");
    }
    if (!onFlusher) {
      pipeline.flusherThread.interrupt();
      ClientThreads.join(pipeline.flusherThread, stopDeadline);
    }
    // Idle completer threads end at once; one running a caller's continuation may take until the
    // stop deadline, and is left to finish on its own after that.
    pipeline.completer.shutdown();
    pipeline.completer.awaitTermination(stopDeadline);
    if (pipeline.spool != null) pipeline.spool.close();
    logger.debug("Closed; {}", pipeline.metrics());
  }

  /**
   * Takes everything the queue held as lost for {@code reason}: counts it at once, then runs the
   * callbacks and settles the flushes on a thread of the client's (this one if none can be started),
   * which it returns.
   */
  private @Nullable Thread giveUp(Leftovers leftovers, DropReason givenReason, long start,
      long tellDeadline) {
    List<Runnable> reports = new ArrayList<>();
    Spool spool = pipeline.spool;
    // With a spool nothing is lost: a message whose record stays where the next client on the
    // directory reads it is left to that client, even once this one no longer owns the directory
    // because only its lock file went. What was kept in memory alone is lost.
    boolean recordsStay = spool != null && spool.recordsStayForNextClient();
    Predicate<EncodedMessage> kept = message -> recordsStay && API.spoolSeq(message) >= 0;
    long spooled = 0;
    long lost = 0;
    if (!leftovers.pending.isEmpty()) {
      FlushEpoch.Split split = FlushEpoch.Run.split(leftovers.pending, leftovers.pendingRuns, kept);
      spooled += split.accepted.size();
      lost += split.others.size();
      if (!split.accepted.isEmpty()) {
        reports.add(pipeline.uploader.dropLater(split.accepted, split.acceptedRuns, DropReason.SPOOLED));
      }
      if (!split.others.isEmpty()) reports.add(pipeline.uploader.dropLater(split.others, split.otherRuns, givenReason));
    }
    if (leftovers.backlog > 0 && spool != null) {
      DropReason reason = recordsStay ? DropReason.SPOOLED : givenReason;
      if (recordsStay) spooled += leftovers.backlog; else lost += leftovers.backlog;
      if (!recordsStay || !pipeline.reporter.wantsMessages()) pipeline.reporter.droppedUnread(leftovers.backlog, reason);
      reports.add(() -> {
        try {
          if (pipeline.reporter.wantsMessages()) tellBacklog(spool, leftovers.backlog, reason, recordsStay, tellDeadline);
        } finally {
          pipeline.queue.settle(leftovers.backlogRuns, FlushEpochs.Outcome.DROPPED);
        }
      });
    }
    // Counted as Metrics counts them: a batch whose request may have arrived is failed, not dropped.
    long failed = 0;
    if (givenReason == DropReason.CLOSE_TIMEOUT) {
      for (Batch batch : leftovers.inFlight) {
        Runnable report = pipeline.uploader.giveUp(batch, kept);
        if (report == null) continue;
        reports.add(report);
        // Finished by close, so its attempts no longer change: Uploader.giveUp decided by them.
        for (EncodedMessage message : batch.messages) {
          if (kept.test(message)) {
            spooled++;
          } else if (batch.attempts() > 0) {
            failed++;
          } else {
            lost++;
          }
        }
      }
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    if (spooled > 0) {
      logger.info("Close left {} in the spool after {} ms (dropped: SPOOLED): the next client on {} "
          + "sends them", Log.count(spooled, "message"), millis, spool.directory());
    }
    if (givenReason == DropReason.CLIENT_FAILED && lost > 0) {
      logger.warn("{} dropped (CLIENT_FAILED); each was reported to the callback",
          Log.count(lost, "message"));
    } else if (lost > 0 || failed > 0) {
      logger.warn("Close gave up after {} ms: {}; each was reported to the callback", millis,
          lost > 0 && failed > 0 ? lost + " dropped (CLOSE_TIMEOUT) and " + failed + " failed"
              : lost > 0 ? Log.count(lost, "message") + " dropped (CLOSE_TIMEOUT)"
              : Log.count(failed, "message") + " failed");
    }
    if (reports.isEmpty()) return null;
    Runnable all = () -> {
      for (Runnable report : reports) {
        try {
          report.run();
        } catch (Throwable t) {
          // Reports are each guarded; keep going whatever happens.
        }
      }
    };
    return startOrRun(System.nanoTime() + ClientThreads.START_WAIT_NANOS, all);
  }

  /**
   * Tells the callback and listener about the backlog close left on disk, reading it back a chunk
   * at a time so that the heap never holds more than a chunk of it, until {@code deadline}.
   *
   * <p>When the backlog stays for the next client ({@code kept}), each message is counted as
   * {@link DropReason#SPOOLED} as it is told, so the count and the callback never differ; those not
   * told by the deadline stay counted in {@link Metrics#spooledMessages()}, and the next client on the
   * directory reports them (as recovered) instead. Otherwise all were counted already, as lost.
   */
  private void tellBacklog(Spool spool, long count, DropReason reason, boolean kept, long deadline) {
    long told = 0;
    while (told < count && System.nanoTime() - deadline < 0) {
      List<EncodedMessage> chunk = spool.backlog().readForReport(Math.min(count - told, BACKLOG_TELL_CHUNK));
      if (chunk.isEmpty()) break;
      if (kept) pipeline.reporter.droppedCounted(chunk, reason);
      pipeline.reporter.droppedCallbacks(chunk, reason);
      told += chunk.size();
    }
    long untold = count - told;
    if (untold == 0) return;
    if (kept) {
      pipeline.reporter.leftUntold(untold);
      logger.info("{} of the messages left in the spool were not told to the callback by close's "
          + "deadline; Metrics.spooledMessages() counts them, and the next client on {} reports them",
          untold, spool.directory());
    } else {
      logger.warn("{} messages counted as {} could not be read back to tell the callback before the "
          + "spool closed", untold, reason);
    }
  }

  /**
   * Runs {@code task} on a new close thread and returns the thread, or runs it here and returns null
   * when the factory gives no thread that begins running it by {@code deadlineNanos} (at most
   * {@link Threads#START_WAIT_NANOS} from now): a close thread that dies at start must not take the
   * callbacks of what close gave up on with it.
   */
  private @Nullable Thread startOrRun(long deadlineNanos, Runnable task) {
    long wait = Math.min(Math.max(0, deadlineNanos - System.nanoTime()), ClientThreads.START_WAIT_NANOS);
    try {
      return pipeline.threads.startClose(task, wait);
    } catch (Throwable t) {
      try {
        logger.warn("Could not start a close thread ({}); running its work on this thread", t.getMessage());
      } catch (Throwable ignored) {
        // The work matters more than the log line.
      }
    }
    task.run();
    return null;
  }

  /**
   * Gives up on what a flusher that died held, as {@link DropReason#CLIENT_FAILED}; batches already
   * in flight settle on their upload threads as usual.
   */
  void afterFlusherDied() {
    long now = System.nanoTime();
    Thread reports = giveUp(pipeline.queue.giveUp(true), DropReason.CLIENT_FAILED, now,
        now + TimeUnit.MINUTES.toNanos(1));
    if (reports != null) ClientThreads.join(reports, System.nanoTime() + THREAD_STOP_WAIT_NANOS);
  }

  private void awaitTerminated(long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    boolean interrupted = false;
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        try {
          terminated.await(Math.max(0, left), TimeUnit.NANOSECONDS);
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  private void closeFromShutdownHook() {
    if (closed.get()) return;
    logger.info("JVM shutting down: closing the analytics client, waiting at most {} ms",
        pipeline.closeTimeout.toMillis());
    close(Durations.saturatedNanos(pipeline.closeTimeout));
  }
}
