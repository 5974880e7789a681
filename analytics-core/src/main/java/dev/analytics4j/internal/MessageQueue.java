package dev.analytics4j.internal;

import dev.analytics4j.Analytics;
import dev.analytics4j.EncodedMessage;
import dev.analytics4j.FlushResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The bounded buffer between callers and the flusher, the rules that cut it into batches, and the
 * bookkeeping behind {@link Analytics#flush()}.
 *
 * <p>Bounds count every message the client holds, waiting or in flight, in messages and in
 * serialized bytes, so a slow or dead endpoint cannot grow the heap past them. {@link #put} never
 * blocks. The single consumer, the flusher thread, calls {@link #take} to get the next batch once one
 * is due (by count, by request size, by interval, or because a flush or close asked) and an upload
 * slot is free; a batch stays counted until {@link #release} is called for it.
 *
 * <p>A flush does not cut batches of its own: it only makes the messages enqueued before it due, so
 * a caller flushing after every message still gets full batches whenever uploads are busy. Which
 * flush counts which message, and when a flush completes, is {@link FlushEpochs}' part, kept under
 * this queue's lock.
 */
final class MessageQueue {
  private static final Internal API = Internal.get();
  /**
   * What {@link #take} returns, with a spool, when the window has room and the backlog is not empty:
   * the flusher then reads the next messages from the spool and {@link #admit}s them.
   */
  static final Batch REFILL = new Batch(Collections.emptyList(), 0, Collections.emptyList());


  private final int maxMessages;
  private final long maxBytes;
  private final int flushAt;
  private final int maxInFlight;
  private final long intervalNanos;
  private final int envelopeSize;
  private final int maxBatchBytes;
  /** Which flush counts each message; guarded by {@link #lock}. */
  private final FlushEpochs epochs;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final PendingBatches items;
  /** The epochs of {@link #items}, in the same order. */
  private final ArrayDeque<FlushEpoch.Run> runs = new ArrayDeque<>();
  private final List<Batch> inFlight = new ArrayList<>();
  /** The epochs of the messages held only in the spool, oldest first. */
  private final ArrayDeque<FlushEpoch.Run> backlogRuns = new ArrayDeque<>();
  /** When the backlog messages were accepted: their records do not say. */
  private final BacklogAges backlogAges;
  private long backlog;
  private int heldMessages;
  private long heldBytes;
  private int pendingMessages;
  private long pendingBytes;
  private long firstPendingNanos;
  /** Messages accepted and messages cut into batches, ever; a flush makes everything up to {@code flushUpTo} due. */
  private long acceptedCount;
  private long cutCount;
  private long flushUpTo;
  /**
   * Whether the flusher is waiting for messages (none yet, or not enough to be due), so that a put
   * making a batch due must wake it. False while it runs, while it waits for an upload slot (a
   * release wakes it then), and once one put has signalled it: without this, every put past
   * {@code flushAt} while the uploads are busy signalled, and each signal made the putting thread
   * wake the flusher (a system call) for nothing, 15 wake-ups per batch in the loopback benchmark.
   */
  private boolean flusherWantsMessages;
  private boolean closed;
  private boolean givenUp;
  private boolean failed;

  MessageQueue(int maxMessages, long maxBytes, int flushAt, int maxInFlight, long intervalNanos,
      int envelopeSize, int maxBatchBytes, Executor completer) {
    this(maxMessages, maxBytes, flushAt, maxInFlight, intervalNanos, envelopeSize, maxBatchBytes, completer,
        TimeUnit.SECONDS.toNanos(1));
  }

  MessageQueue(int maxMessages, long maxBytes, int flushAt, int maxInFlight, long intervalNanos,
      int envelopeSize, int maxBatchBytes, Executor completer, long backlogAgeGranularityNanos) {
    this.backlogAges = new BacklogAges(backlogAgeGranularityNanos);
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
    this.flushAt = flushAt;
    this.maxInFlight = maxInFlight;
    this.intervalNanos = intervalNanos;
    this.envelopeSize = envelopeSize;
    this.maxBatchBytes = maxBatchBytes;
    this.items = new PendingBatches(flushAt, envelopeSize, maxBatchBytes);
    this.epochs = new FlushEpochs(completer);
  }

  /**
   * Takes {@code message} unless the queue is closed or full. A message refused as full counts as
   * pending in the current epoch until the caller reports the drop and calls {@link #settle}.
   */
  Placement put(EncodedMessage message) {
    int size = message.size();
    lock.lock();
    try {
      if (failed) return Placement.FAILED;
      if (closed) return Placement.CLOSED;
      if (heldMessages >= maxMessages || heldBytes + size > maxBytes) {
        epochs.current().pending++;
        return new Placement(epochs.current());
      }
      addToWindow(message, epochs.current(), true);
      return Placement.ACCEPTED;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Counts a message the caller drops without queueing it (a client built disabled) as pending in
   * the current epoch, like a full queue's drop; refused as closed or failed like {@link #put}.
   */
  Placement reserveDrop() {
    lock.lock();
    try {
      if (failed) return Placement.FAILED;
      if (closed) return Placement.CLOSED;
      epochs.current().pending++;
      return new Placement(epochs.current());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes a message the spool has just written: into the window when {@code windowAllowed} and it
   * has room, otherwise into the backlog, where it counts in the current epoch like a waiting message
   * but is held only on disk. Refused as closed or failed like {@link #put}.
   */
  Placement putSpooled(EncodedMessage message, boolean windowAllowed) {
    lock.lock();
    try {
      if (failed) return Placement.FAILED;
      if (closed) return Placement.CLOSED;
      // Its age for spoolMaxAge starts as it is accepted, after its record was written, never before.
      API.enqueuedNanos(message, System.nanoTime());
      if (windowAllowed && backlog == 0 && heldMessages < maxMessages && heldBytes + message.size() <= maxBytes) {
        addToWindow(message, epochs.current(), true);
        return Placement.ACCEPTED;
      }
      FlushEpoch.Run last = backlogRuns.peekLast();
      if (last != null && last.epoch == epochs.current()) {
        last.count++;
      } else {
        backlogRuns.addLast(new FlushEpoch.Run(epochs.current(), 1));
      }
      epochs.current().pending++;
      acceptedCount++;
      backlog++;
      backlogAges.add(1, API.enqueuedNanos(message));
      // Backlogged while the window had room (windowAllowed was false): the flusher refills now.
      if (refillDue()) changed.signal();
      return Placement.BACKLOGGED;
    } finally {
      lock.unlock();
    }
  }

  /** Counts {@code count} messages recovered from the spool as the backlog of the current epoch. */
  void recovered(long count) {
    if (count == 0) return;
    lock.lock();
    try {
      backlogRuns.addLast(new FlushEpoch.Run(epochs.current(), Math.toIntExact(count)));
      epochs.current().pending += count;
      acceptedCount += count;
      backlog += count;
      // Their records do not say when an earlier client accepted them: their age starts now.
      backlogAges.add(count, System.nanoTime());
      changed.signal();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Moves the oldest backlog message, read back from the spool, into the window; false when the
   * window has no room for it (or nothing is backlogged any more, after close gave up).
   */
  boolean admit(EncodedMessage message) {
    lock.lock();
    try {
      if (backlog == 0 || givenUp) return false;
      if (heldMessages >= maxMessages || (heldMessages > 0 && heldBytes + message.size() > maxBytes)) return false;
      FlushEpoch.Run head = backlogRuns.peekFirst();
      FlushEpoch epoch = head.epoch;
      if (--head.count == 0) backlogRuns.pollFirst();
      backlog--;
      API.enqueuedNanos(message, backlogAges.take(1));
      // Counted as pending and accepted when it was backlogged, so a flush since then makes it due.
      addToWindow(message, epoch, false);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Removes the oldest {@code count} backlog messages, whose records could not be read back, and
   * returns their epochs for the caller to settle once it has counted them.
   */
  List<FlushEpoch.Run> dropBacklog(long count) {
    lock.lock();
    try {
      List<FlushEpoch.Run> taken = new ArrayList<>(1);
      long left = Math.min(count, backlog);
      backlog -= left;
      backlogAges.take(left);
      while (left > 0) {
        FlushEpoch.Run head = backlogRuns.peekFirst();
        if (head.count <= left) {
          taken.add(backlogRuns.pollFirst());
          left -= head.count;
        } else {
          taken.add(new FlushEpoch.Run(head.epoch, (int) left));
          head.count -= (int) left;
          left = 0;
        }
      }
      changed.signal();
      return taken;
    } finally {
      lock.unlock();
    }
  }

  long backlog() {
    lock.lock();
    try {
      return backlog;
    } finally {
      lock.unlock();
    }
  }

  /** With the lock held: whether a backlog message of any size would fit the window now. */
  private boolean refillDue() {
    return backlog > 0 && heldMessages < maxMessages
        && (heldMessages == 0 || heldBytes + MessageEncoder.MAX_MESSAGE_BYTES <= maxBytes);
  }

  /**
   * With the lock held: appends {@code message} to the window, in {@code epoch}; a {@code fresh}
   * message (not from the backlog) is counted as accepted and pending here.
   */
  private void addToWindow(EncodedMessage message, FlushEpoch epoch, boolean fresh) {
    int size = message.size();
    items.add(message);
    FlushEpoch.Run last = runs.peekLast();
    if (last != null && last.epoch == epoch) {
      last.count++;
    } else {
      runs.addLast(new FlushEpoch.Run(epoch, 1));
    }
    if (fresh) {
      epoch.pending++;
      acceptedCount++;
    }
    heldMessages++;
    heldBytes += size;
    pendingMessages++;
    pendingBytes += size;
    if (pendingMessages == 1) firstPendingNanos = System.nanoTime();
    // The first message starts the interval's clock; a full batch is due at once.
    if (flusherWantsMessages && (pendingMessages == 1 || pendingMessages >= flushAt || requestFull())) {
      flusherWantsMessages = false;
      changed.signal();
    }
  }

  /**
   * Closes the current epoch and returns the future of its result, which completes once its
   * messages and every earlier epoch's have settled, and makes everything accepted so far due. When
   * nothing was enqueued since the last flush, the future is shared with the other flushes that found
   * the same.
   */
  FlushFuture flush() {
    List<FlushEpoch> done;
    FlushFuture future;
    lock.lock();
    try {
      FlushEpoch epoch = epochs.closeCurrent();
      if (epoch == null) return epochs.nothingNew();
      future = epoch.future;
      if (flushUpTo != acceptedCount) {
        flushUpTo = acceptedCount;
        changed.signal();
      }
      done = epochs.takeCompleted();
    } finally {
      lock.unlock();
    }
    epochs.complete(done);
    return future;
  }

  /** The counts settled so far in the epoch {@code future} belongs to, for a flush that timed out. */
  FlushResult progress(FlushFuture future) {
    lock.lock();
    try {
      return epochs.progress(future);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits for the next batch that is due, already counted as in flight. Returns null once the queue
   * is closed and everything has been released, or after {@link #giveUp}.
   */
  @Nullable Batch take() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (true) {
        if (givenUp) return null;
        if (refillDue()) return REFILL;
        // Without a deadline, it waits for a signal: every change that can make a batch due or the
        // window refillable signals it.
        long waitNanos = Long.MAX_VALUE;
        boolean due = false;
        if (pendingMessages > 0) {
          long now = System.nanoTime();
          long waited = now - firstPendingNanos;
          due = closed || cutCount < flushUpTo || pendingMessages >= flushAt
              || requestFull() || waited >= intervalNanos;
          if (due && inFlight.size() < maxInFlight) return cutBatch(now);
          if (!due) waitNanos = Math.min(waitNanos, intervalNanos - waited);
        } else if (closed && inFlight.isEmpty() && backlog == 0) {
          return null;
        }
        // Due but every upload slot busy: only a release (or close, flush, backlog) can change that,
        // and each of those signals whatever this flag says.
        flusherWantsMessages = !due;
        try {
          if (waitNanos == Long.MAX_VALUE) {
            changed.await();
          } else {
            changed.awaitNanos(waitNanos);
          }
        } finally {
          flusherWantsMessages = false;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Whether the waiting messages already fill one request. */
  private boolean requestFull() {
    return envelopeSize + pendingBytes + pendingMessages - 1 > maxBatchBytes;
  }

  private Batch cutBatch(long now) {
    PendingBatches.Group group = items.takeFirst(); // never null: called with messages pending
    List<EncodedMessage> messages = group.messages;
    pendingMessages -= messages.size();
    pendingBytes -= group.messageBytes;
    cutCount += messages.size();
    firstPendingNanos = now;
    Batch batch = new Batch(messages, group.messageBytes, takeRuns(messages.size()));
    inFlight.add(batch);
    return batch;
  }

  /** Removes the runs of the first {@code count} waiting messages. */
  private List<FlushEpoch.Run> takeRuns(int count) {
    FlushEpoch.Run head = runs.peekFirst();
    if (head != null && head.count == count) return Collections.singletonList(runs.pollFirst());
    List<FlushEpoch.Run> taken = new ArrayList<>(2);
    int left = count;
    while (left > 0) {
      head = runs.peekFirst();
      if (head.count <= left) {
        taken.add(runs.pollFirst());
        left -= head.count;
      } else {
        taken.add(new FlushEpoch.Run(head.epoch, left));
        head.count -= left;
        left = 0;
      }
    }
    return taken;
  }

  /** Frees the room {@code batch} held. Returns false when it was released already. */
  boolean release(Batch batch) {
    lock.lock();
    try {
      if (!inFlight.remove(batch)) return false;
      heldMessages -= batch.size();
      heldBytes -= batch.bytes;
      changed.signal();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Records the outcome of messages that have been reported, and completes the flushes they were the
   * last ones of. Called once per message, after its callback.
   */
  void settle(List<FlushEpoch.Run> settled, FlushEpochs.Outcome outcome) {
    List<FlushEpoch> done;
    lock.lock();
    try {
      epochs.settle(settled, outcome);
      done = epochs.takeCompleted();
    } finally {
      lock.unlock();
    }
    epochs.complete(done);
  }

  /** Refuses new messages; everything held becomes due so the flusher drains it. */
  void close() {
    lock.lock();
    try {
      closed = true;
      changed.signal();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Gives up on everything held: removes the waiting messages and returns them with the batches
   * still in flight, which stay counted until released. With {@code failed}, later puts are
   * refused as {@link Placement#FAILED} instead of {@link Placement#CLOSED}.
   */
  Leftovers giveUp(boolean failed) {
    lock.lock();
    try {
      closed = true;
      givenUp = true;
      this.failed |= failed;
      List<EncodedMessage> pending = items.takeAll();
      List<FlushEpoch.Run> pendingRuns = new ArrayList<>(runs);
      runs.clear();
      heldMessages -= pendingMessages;
      heldBytes -= pendingBytes;
      pendingMessages = 0;
      pendingBytes = 0;
      long backlogged = backlog;
      List<FlushEpoch.Run> backlogRuns0 = new ArrayList<>(backlogRuns);
      backlog = 0;
      backlogRuns.clear();
      backlogAges.clear();
      changed.signalAll();
      return new Leftovers(pending, pendingRuns, new ArrayList<>(inFlight), backlogged, backlogRuns0);
    } finally {
      lock.unlock();
    }
  }

  int heldMessages() {
    lock.lock();
    try {
      return heldMessages;
    } finally {
      lock.unlock();
    }
  }

  long heldBytes() {
    lock.lock();
    try {
      return heldBytes;
    } finally {
      lock.unlock();
    }
  }
}
