package dev.analytics4j.internal;

import dev.analytics4j.Analytics;
import dev.analytics4j.FlushResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * The bookkeeping behind {@link Analytics#flush()}: the epoch that messages accepted or dropped now
 * are counted in, the epochs closed by a flush and not yet complete, and the completion of their
 * futures. What a flush holds is one {@link FlushEpoch} with a few counters: at most one per
 * message held (in the window or the spool's backlog), and, behind those, one per distinct result
 * of flushes whose messages have all settled, however many such flushes there are.
 *
 * <p>Guarded by the {@link MessageQueue}'s lock, which every method but {@link #complete} is called
 * with: the queue's bounds and the flushes' counts change together. {@link #complete} runs after the
 * lock is released, so that no caller's code runs under it.
 */
final class FlushEpochs {
  /** What became of settled messages, for the counts of their flushes. */
  enum Outcome { DELIVERED, FAILED, DROPPED }

  private static final Internal API = Internal.get();

  /** Completes flush futures away from the caller's and the client's threads. */
  private final Executor completer;
  /** Epochs closed by a flush and not yet complete, oldest first. */
  private final ArrayDeque<FlushEpoch> closed = new ArrayDeque<>();
  private FlushEpoch current = new FlushEpoch();
  /**
   * The settled epochs closed since the last one with messages pending, by their counts; empty when
   * {@link #closed} is.
   */
  private final Map<List<Long>, FlushEpoch> settledTail = new HashMap<>();

  FlushEpochs(Executor completer) {
    this.completer = completer;
  }

  /** The epoch a message accepted or dropped now belongs to. */
  FlushEpoch current() {
    return current;
  }

  /**
   * Closes the current epoch and opens the next; null, leaving it open, when nothing was counted
   * since the last flush ({@link #nothingNew} then gives the shared future).
   */
  @Nullable FlushEpoch closeCurrent() {
    if (current.isEmpty()) return null;
    FlushEpoch epoch = current;
    current = new FlushEpoch();
    if (epoch.pending > 0) {
      settledTail.clear();
    } else if (!closed.isEmpty()) {
      // Settled, it waits only for the epochs before it, as do the settled epochs closed since the
      // last one with messages pending: all complete at the same moment, so one with the same
      // counts serves for it. A caller flushing after every message while the endpoint is down
      // (each message dropped, each flush waiting behind the batch on the wire) then costs nothing
      // per flush, instead of an epoch each until the outage ends.
      FlushEpoch same = settledTail.putIfAbsent(epoch.counts(), epoch);
      if (same != null) return same;
    }
    closed.addLast(epoch);
    return epoch;
  }

  /** The future of a flush that found nothing new: it completes with the last closed epoch. */
  FlushFuture nothingNew() {
    FlushEpoch last = closed.peekLast();
    return last == null ? FlushFuture.EMPTY : last.emptyFollower();
  }

  /** The counts settled so far in the epoch {@code future} belongs to, for a flush that timed out. */
  FlushResult progress(FlushFuture future) {
    for (FlushEpoch epoch : closed) {
      if (epoch.future == future) return epoch.result(false);
    }
    // Complete already, though the completer has not resolved the future yet.
    FlushResult completed = future.completedWith;
    return completed != null ? completed : API.flushResult(false, 0, 0, 0);
  }

  /** Counts the outcome of messages that have been reported in their epochs. */
  void settle(List<FlushEpoch.Run> settled, Outcome outcome) {
    for (FlushEpoch.Run run : settled) {
      FlushEpoch epoch = run.epoch;
      epoch.pending -= run.count;
      switch (outcome) {
        case DELIVERED:
          epoch.delivered += run.count;
          break;
        case FAILED:
          epoch.failed += run.count;
          break;
        default:
          epoch.dropped += run.count;
      }
    }
  }

  /** The closed epochs at the head whose messages have all settled, removed. */
  List<FlushEpoch> takeCompleted() {
    List<FlushEpoch> done = null;
    while (!closed.isEmpty() && closed.peekFirst().pending == 0) {
      if (done == null) done = new ArrayList<>(1);
      FlushEpoch epoch = closed.pollFirst();
      epoch.future.completedWith = epoch.result(true);
      FlushFuture follower = epoch.emptyFollowerIfAny();
      if (follower != null) follower.completedWith = API.emptyFlushResult();
      done.add(epoch);
    }
    if (closed.isEmpty()) settledTail.clear();
    return done == null ? Collections.emptyList() : done;
  }

  /**
   * Completes the futures on the completer, so that a caller's continuation, which may block, never
   * runs on a client thread or under a lock; inline only when the completer cannot take it. Called
   * without the queue's lock.
   */
  void complete(List<FlushEpoch> done) {
    for (FlushEpoch epoch : done) {
      FlushResult result = epoch.result(true);
      FlushFuture follower = epoch.emptyFollowerIfAny();
      Runnable completion = () -> {
        epoch.future.resolve(result);
        if (follower != null) follower.resolve(API.emptyFlushResult());
      };
      try {
        completer.execute(completion);
      } catch (Throwable e) {
        // Shut down, or no thread to be had (a thread factory that throws): complete here.
        completion.run();
      }
    }
  }
}
